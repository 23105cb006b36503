//! External funding: awards from funders with their tranches. List a page of them with what
//! each has awarded, confirmed, drawn and spent (summed by the database) and the partnership's
//! totals, read one, record one with its tranches, change it (its tranches with it) and delete
//! it.

use accord_domain::Invalid;
use accord_domain::access::Action;
use accord_domain::finance::FinanceKind;
use accord_domain::finance::funding::{FundingAward, Summary};
use accord_store::finance::funding::FundingFilter;
use accord_store::finance::{BUSINESS_CASE_KIND, Order};

use super::{
    Entry, Visibility, changed_meta, check_access, check_link, check_version, cursor_after,
    meta_for, number_of, store_page,
};
use crate::list::{ListRequest, Listed};
use crate::{App, AppError, Caller, Result};

/// The name of the list's cursors.
const LIST: &str = "funding";

/// A funding award as its reader sees it.
pub type FundingEntry = Entry<FundingAward>;

/// A page of funding awards, each with its totals, and the totals of everything that matches.
#[derive(Debug, Clone, PartialEq)]
pub struct FundingList {
    /// The page: each award with its totals.
    pub page: Listed<(FundingEntry, Summary)>,
    /// The totals of every award that matches.
    pub total: Summary,
}

/// An award to record, or an award's new content with its tranches.
#[derive(Debug, Clone, PartialEq)]
pub struct FundingCommand {
    /// The award and its tranches.
    pub award: FundingAward,
    /// Who may see it.
    pub visibility: Visibility,
}

/// A page of the partnership's funding awards matching `filter`, in `order`, with their
/// totals and the partnership's, summed by the database over what the caller may read.
pub async fn list(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    filter: &FundingFilter,
    order: Order,
    request: &ListRequest,
) -> Result<FundingList> {
    let today = app.today();
    let scope = caller.scope();
    let store = app.store();
    let page = store_page(request, order)?;
    let mut rows = store
        .funding_awards(partnership_id, filter, &page, &scope, today)
        .await?;
    let more = rows.len() > request.limit as usize;
    rows.truncate(request.limit as usize);
    let next = more
        .then(|| {
            rows.last()
                .map(|r| cursor_after(LIST, &r.value.name, r.number))
        })
        .flatten();
    let count = store
        .count_funding_awards(partnership_id, filter, &scope, today)
        .await?;
    let totals = store
        .funding_totals(partnership_id, filter, &scope, today)
        .await?;
    let of = |id: Option<i64>| {
        totals
            .iter()
            .find(|(award, _)| *award == id)
            .map(|(_, s)| *s)
            .unwrap_or_default()
    };
    let items = rows
        .into_iter()
        .map(|r| {
            let summary = of(Some(r.record_id));
            let value = r.value.clone();
            (
                Entry::of(FinanceKind::FundingAward, r, value, caller, today),
                summary,
            )
        })
        .collect();
    Ok(FundingList {
        page: Listed {
            items,
            total: count,
            next,
        },
        total: of(None),
    })
}

/// The award a reference names (FA-1), if the caller may read it, with its totals.
pub async fn get(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
) -> Result<(FundingEntry, Summary)> {
    let today = app.today();
    let number = number_of(FinanceKind::FundingAward, reference, "Funding award")?;
    let stored = app
        .store()
        .funding_award(partnership_id, number, &caller.scope(), today)
        .await?
        .ok_or_else(|| AppError::not_found(format!("Funding award {reference}")))?;
    let summary = stored.value.summary();
    let value = stored.value.clone();
    Ok((
        Entry::of(FinanceKind::FundingAward, stored, value, caller, today),
        summary,
    ))
}

/// Records an award with its tranches: numbered after the partnership's last.
pub async fn add(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    command: FundingCommand,
) -> Result<FundingEntry> {
    let today = app.today();
    super::context(app, caller, partnership_id).await?;
    command.award.validate()?;
    let meta = meta_for(caller, partnership_id, command.visibility)?;
    caller.check(Action::Create, &meta, today)?;
    let mut tx = app.store().write().await?;
    let mut invalid = Invalid::new();
    check_link(
        &mut tx,
        partnership_id,
        BUSINESS_CASE_KIND,
        command.award.business_case_record_id,
        "business_case_record_id",
        "business case",
        &mut invalid,
    )
    .await?;
    invalid.into_result()?;
    let stored = tx
        .insert_funding_award(&meta, &command.award, &caller.change())
        .await?;
    tx.commit().await?;
    let value = stored.value.clone();
    Ok(Entry::of(
        FinanceKind::FundingAward,
        stored,
        value,
        caller,
        today,
    ))
}

/// Replaces an award and its tranches, from the version the caller read.
pub async fn change(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    command: FundingCommand,
    from_version: Option<i64>,
) -> Result<FundingEntry> {
    let today = app.today();
    let number = number_of(FinanceKind::FundingAward, reference, "Funding award")?;
    command.award.validate()?;
    let mut tx = app.store().write().await?;
    let what = format!(
        "Funding award {}",
        FinanceKind::FundingAward.reference(number)
    );
    let stored = tx
        .funding_award_for_change(partnership_id, number)
        .await?
        .ok_or_else(|| AppError::not_found(&what))?;
    check_access(caller, &stored, Action::Update, &what, today)?;
    check_version(&what, stored.version, from_version)?;
    let meta = changed_meta(caller, &stored.meta, command.visibility)?;
    caller.check(Action::Update, &meta, today)?;
    let mut invalid = Invalid::new();
    check_link(
        &mut tx,
        partnership_id,
        BUSINESS_CASE_KIND,
        command.award.business_case_record_id,
        "business_case_record_id",
        "business case",
        &mut invalid,
    )
    .await?;
    invalid.into_result()?;
    // Where the figures come from is the award's, not the form's.
    let mut award = command.award;
    if award.source.is_none() {
        award.source.clone_from(&stored.value.source);
    }
    let saved = tx
        .update_funding_award(&stored, &meta, &award, &caller.change())
        .await?;
    tx.commit().await?;
    let value = saved.value.clone();
    Ok(Entry::of(
        FinanceKind::FundingAward,
        saved,
        value,
        caller,
        today,
    ))
}

/// Deletes an award (its tranches with it) read at `from_version`.
pub async fn delete(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
) -> Result<()> {
    let today = app.today();
    let number = number_of(FinanceKind::FundingAward, reference, "Funding award")?;
    let Some(version) = from_version else {
        return Err(Invalid::field(
            "version",
            "Send the version you read, so an award someone else has changed since is not deleted",
        )
        .into());
    };
    let mut tx = app.store().write().await?;
    let what = format!(
        "Funding award {}",
        FinanceKind::FundingAward.reference(number)
    );
    let stored = tx
        .funding_award_for_change(partnership_id, number)
        .await?
        .ok_or_else(|| AppError::not_found(&what))?;
    check_access(caller, &stored, Action::Delete, &what, today)?;
    check_version(&what, stored.version, Some(version))?;
    tx.delete_funding_award(&stored, &caller.change()).await?;
    tx.commit().await?;
    Ok(())
}
