//! Finding a record by the name its address gives it: its own reference (`R12`,
//! `FOI-2026-0113`, `OPP-7`) or, for addresses made before records had references, its
//! storage id.

pub use accord_store::StoredRecord;

use crate::{App, Caller, Result};

/// How an address named a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// As it should be named: by its reference, or by its id for kinds that have none yet.
    Current,
    /// By its storage id although it has a reference: an old address, to redirect.
    Old,
}

/// The finance kind of records of `kind`, for kinds with finance references.
fn finance_kind(kind: &str) -> Option<accord_domain::finance::FinanceKind> {
    use accord_domain::finance::FinanceKind;
    use accord_store::finance;
    match kind {
        finance::BUSINESS_CASE_KIND => Some(FinanceKind::BusinessCase),
        finance::ALLOCATION_KIND => Some(FinanceKind::Allocation),
        finance::SAVING_KIND => Some(FinanceKind::Saving),
        finance::FUNDING_AWARD_KIND => Some(FinanceKind::FundingAward),
        _ => None,
    }
}

/// Whether records of `kind` have references of their own.
pub fn has_references(kind: &str) -> bool {
    [
        accord_store::raid::RAID_KIND,
        accord_store::requests::REQUEST_KIND,
        accord_store::governance::BOARD_KIND,
        accord_store::gateway::OPPORTUNITY_KIND,
    ]
    .contains(&kind)
        || finance_kind(kind).is_some()
}

/// The canonical reference of a record of `kind` written as `text`, for kinds whose records
/// have references; `None` when `text` is not one.
pub fn canonical_reference(kind: &str, text: &str) -> Option<String> {
    match kind {
        accord_store::raid::RAID_KIND => accord_domain::raid::parse_reference(text)
            .map(|(kind, number)| format!("{}{number}", kind.letter())),
        // A request's reference is as it was given: FOI-2026-0113.
        accord_store::requests::REQUEST_KIND => {
            accord_domain::request::is_reference(text).then(|| text.trim().to_owned())
        }
        accord_store::governance::BOARD_KIND => {
            accord_domain::board::BoardLevel::parse("board", text)
                .ok()
                .map(|level| level.slug().to_owned())
        }
        accord_store::gateway::OPPORTUNITY_KIND => {
            accord_domain::opportunity::parse_reference(text)
                .map(accord_domain::opportunity::reference_of)
        }
        _ => {
            let finance = finance_kind(kind)?;
            finance.parse(text).map(|n| finance.reference(n))
        }
    }
}

/// The kinds records of `kind` were kept under by earlier releases, whose audit entries keep
/// them: a record's history lists its entries under every one.
pub fn former_kinds(kind: &str) -> &'static [&'static str] {
    match kind {
        accord_store::finance::FUNDING_AWARD_KIND => {
            &[accord_store::finance::FORMER_FUNDING_AWARD_KIND]
        }
        _ => &[],
    }
}

/// The record of `kind` (`*` for any) in a partnership that `key` names, if the caller may
/// read it; `None` both when it does not exist and when the caller may not see it.
pub async fn find(
    app: &App,
    caller: &Caller,
    kind: &str,
    partnership_id: i64,
    key: &str,
) -> Result<Option<(StoredRecord, Named)>> {
    let today = app.today();
    let scope = caller.scope();
    if let Some(reference) = canonical_reference(kind, key) {
        return Ok(app
            .store()
            .record_by_reference(partnership_id, kind, &reference, &scope, today)
            .await?
            .map(|record| (record, Named::Current)));
    }
    let Ok(id) = key.trim().parse::<i64>() else {
        return Ok(None);
    };
    let named = if has_references(kind) {
        Named::Old
    } else {
        Named::Current
    };
    Ok(app
        .store()
        .record(id, &scope, today)
        .await?
        .filter(|r| {
            (kind == "*" || r.kind == kind) && r.meta.partnership_id == Some(partnership_id)
        })
        .map(|record| {
            // A reference an earlier release accepted that cannot name the record in an
            // address leaves it addressed by its id.
            let addressable = record
                .reference
                .as_deref()
                .and_then(|r| canonical_reference(&record.kind, r))
                .is_some();
            let named = if addressable { named } else { Named::Current };
            (record, named)
        }))
}
