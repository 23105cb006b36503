//! Business cases: list a page of them, read one, create one, change it, run its Monte Carlo
//! again with other settings, delete it, and appraise a case without keeping it.
//!
//! A case is appraised (Green Book discounting, the decision rule and the Monte Carlo risk
//! analysis of `accord_analytics`) every time it is saved, on the blocking pool and before the
//! write transaction opens, so a long simulation never holds the write lock.

use accord_analytics::business_case::{self, Appraisal, BusinessCase};
use accord_analytics::monte_carlo::Settings;
use accord_domain::access::Action;
use accord_domain::finance::{CaseDecision, CaseStage, FinanceKind};
use accord_domain::{GssCode, Invalid};
use accord_store::RecordQuery;
use accord_store::finance::business_cases::{BusinessCaseFilter, BusinessCaseRecord, headline_npv};
use accord_store::finance::{OPPORTUNITY_KIND, Order, Stored};
use serde::{Deserialize, Serialize};

use super::{
    Entry, Visibility, blocking, changed_meta, check_access, check_link, check_version,
    cursor_after, meta_for, number_of, store_page,
};
use crate::list::{ListRequest, Listed};
use crate::{App, AppError, Caller, Result};

/// The name of the list's cursors.
const LIST: &str = "business_cases";

/// The most Monte Carlo iterations a case saved on the server may ask for.
pub const MAX_ITERATIONS: u64 = 1_000_000;

/// A business case as kept in Accord: the case exactly as `accord appraise` reads it
/// (`docs/schemas/appraise.md`, councils named by GSS code) with what Accord adds around it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct BusinessCaseBody {
    /// The case, as `accord appraise` reads it; its councils are GSS codes of members.
    pub case: BusinessCase,
    /// Its Green Book stage, when stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<CaseStage>,
    /// The opportunity record it appraises, when the opportunity is kept in Accord.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opportunity_record_id: Option<i64>,
    /// The case's projected saving as its source states it, in its words ("£5m to £8m from
    /// 2013/14"). Earlier releases called it `savings_stated`.
    #[serde(
        default,
        alias = "savings_stated",
        skip_serializing_if = "Option::is_none"
    )]
    pub projected_saving: Option<String>,
    /// What is illustrative rather than stated by a source, when anything is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illustrative: Option<String>,
    /// Where the figures come from (a seed citation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The appraisal computed when the case was last saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appraisal: Option<Appraisal>,
}

impl BusinessCaseBody {
    /// A body around a case, with nothing else said.
    pub fn new(case: BusinessCase) -> Self {
        BusinessCaseBody {
            case,
            stage: None,
            opportunity_record_id: None,
            projected_saving: None,
            illustrative: None,
            source: None,
            appraisal: None,
        }
    }

    /// Whether its preferred option makes clear financial sense.
    pub fn decision(&self) -> CaseDecision {
        match &self.appraisal {
            Some(a) if a.preferred_option.is_some() => CaseDecision::MakesClearFinancialSense,
            _ => CaseDecision::NotClear,
        }
    }

    fn record(&self) -> Result<BusinessCaseRecord> {
        let councils = self
            .case
            .councils
            .iter()
            .map(|c| GssCode::parse("case.councils", c))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let options: Vec<(String, bool, f64)> = self
            .appraisal
            .as_ref()
            .map(|a| {
                a.options
                    .iter()
                    .map(|o| (o.name.clone(), o.status_quo, o.financial_npv))
                    .collect()
            })
            .unwrap_or_default();
        let preferred = self
            .appraisal
            .as_ref()
            .and_then(|a| a.preferred_option.clone());
        Ok(BusinessCaseRecord {
            name: self.case.name.trim().to_owned(),
            stage: self.stage,
            decision: self.decision(),
            councils,
            opportunity_record_id: self.opportunity_record_id,
            base_year: self.case.base_year,
            appraisal_years: self.case.appraisal_years,
            financial_npv: headline_npv(preferred.as_deref(), &options),
            preferred_option: preferred,
            projected_saving: self.projected_saving.clone(),
            illustrative: self.illustrative.clone(),
            source: self.source.clone(),
            case: json(&self.case)?,
            appraisal: self.appraisal.as_ref().map(json).transpose()?,
        })
    }

    fn of(record: &BusinessCaseRecord) -> Result<Self> {
        let case = serde_json::from_value(record.case.clone())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("a stored business case: {e}")))?;
        let appraisal = record
            .appraisal
            .clone()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| AppError::Internal(anyhow::anyhow!("a stored appraisal: {e}")))?;
        Ok(BusinessCaseBody {
            case,
            stage: record.stage,
            opportunity_record_id: record.opportunity_record_id,
            projected_saving: record.projected_saving.clone(),
            illustrative: record.illustrative.clone(),
            source: record.source.clone(),
            appraisal,
        })
    }
}

/// A value as JSON.
fn json<T: Serialize>(value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| AppError::Internal(e.into()))
}

/// A business case as its reader sees it.
pub type BusinessCaseEntry = Entry<BusinessCaseBody>;

fn entry(
    stored: Stored<BusinessCaseRecord>,
    caller: &Caller,
    today: chrono::NaiveDate,
) -> Result<BusinessCaseEntry> {
    let body = BusinessCaseBody::of(&stored.value)?;
    Ok(Entry::of(
        FinanceKind::BusinessCase,
        stored,
        body,
        caller,
        today,
    ))
}

/// A business case to create, or a case's new content.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseCommand {
    /// The case and what is said around it (any appraisal given is recomputed).
    pub body: BusinessCaseBody,
    /// Who may see it.
    pub visibility: Visibility,
}

/// Checks what the engine cannot know: every council of the case is a member of the
/// partnership, the simulation fits the server, and the case is sound (every problem named
/// under `case.`).
pub fn check_case(case: &BusinessCase, members: &[GssCode]) -> std::result::Result<(), Invalid> {
    let mut invalid = Invalid::new();
    for (i, c) in case.councils.iter().enumerate() {
        let member = GssCode::parse("council", c)
            .ok()
            .is_some_and(|code| members.contains(&code));
        if !member {
            invalid.push(
                format!("case.councils[{i}]"),
                format!(
                    "“{c}” is not a member council of this partnership; name members by GSS code ({})",
                    members
                        .iter()
                        .map(GssCode::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    if case.monte_carlo.iterations > MAX_ITERATIONS {
        invalid.push(
            "case.monte_carlo.iterations",
            format!(
                "at most {} iterations run on the server; use `accord appraise` for longer runs",
                accord_domain::money::group_thousands(MAX_ITERATIONS)
            ),
        );
    }
    if let Err(e) = case.check() {
        invalid.extend(e.within("case."));
    }
    invalid.into_result()
}

/// Appraises a case without keeping it, exactly as `accord appraise` does, on the blocking
/// pool; refused when it asks for more iterations than the server runs.
pub async fn appraise(case: BusinessCase) -> Result<Appraisal> {
    if case.monte_carlo.iterations > MAX_ITERATIONS {
        return Err(Invalid::field(
            "monte_carlo.iterations",
            format!(
                "at most {} iterations run on the server; use `accord appraise` for longer runs",
                accord_domain::money::group_thousands(MAX_ITERATIONS)
            ),
        )
        .into());
    }
    Ok(blocking("appraisal", move || {
        business_case::appraise(&case, &|_, _| {})
    })
    .await??)
}

/// A page of the partnership's business cases matching `filter`, in `order`, with the total,
/// counted by the database over what the caller may read.
pub async fn list(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    filter: &BusinessCaseFilter,
    order: Order,
    request: &ListRequest,
) -> Result<Listed<BusinessCaseEntry>> {
    let today = app.today();
    let scope = caller.scope();
    let store = app.store();
    let page = store_page(request, order)?;
    let mut rows = store
        .business_cases(partnership_id, filter, &page, &scope, today)
        .await?;
    let more = rows.len() > request.limit as usize;
    rows.truncate(request.limit as usize);
    let next = more
        .then(|| {
            rows.last()
                .map(|r| cursor_after(LIST, &r.value.name, r.number))
        })
        .flatten();
    let total = store
        .count_business_cases(partnership_id, filter, &scope, today)
        .await?;
    Ok(Listed {
        items: rows
            .into_iter()
            .map(|r| entry(r, caller, today))
            .collect::<Result<_>>()?,
        total,
        next,
    })
}

/// The case a reference names (BC-3), if the caller may read it.
pub async fn get(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
) -> Result<BusinessCaseEntry> {
    let today = app.today();
    let number = number_of(FinanceKind::BusinessCase, reference, "Business case")?;
    let stored = app
        .store()
        .business_case(partnership_id, number, &caller.scope(), today)
        .await?
        .ok_or_else(|| AppError::not_found(format!("Business case {reference}")))?;
    entry(stored, caller, today)
}

/// The opportunities of the partnership the caller may read, by record id and title, for the
/// case's form.
pub async fn opportunities(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
) -> Result<Vec<(i64, String)>> {
    Ok(app
        .store()
        .records_raw(
            &RecordQuery::of(OPPORTUNITY_KIND, partnership_id),
            &caller.scope(),
            app.today(),
        )
        .await?
        .into_iter()
        .map(|(r, _)| (r.id, r.title))
        .collect())
}

/// The title of the opportunity a case names, if the caller may read it.
pub async fn opportunity_title(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    id: i64,
) -> Result<Option<String>> {
    Ok(app
        .store()
        .record(id, &caller.scope(), app.today())
        .await?
        .filter(|r| r.kind == OPPORTUNITY_KIND && r.meta.partnership_id == Some(partnership_id))
        .map(|r| r.title))
}

/// Checks a body against the partnership and the caller's reach, and appraises it.
async fn prepare(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    mut body: BusinessCaseBody,
) -> Result<BusinessCaseBody> {
    let context = super::context(app, caller, partnership_id).await?;
    let mut invalid = Invalid::new();
    if let Err(e) = check_case(&body.case, &context.members) {
        invalid.extend(e);
    }
    if let Some(id) = body.opportunity_record_id
        && opportunity_title(app, caller, partnership_id, id)
            .await?
            .is_none()
    {
        invalid.push(
            "opportunity_record_id",
            format!("there is no opportunity {id} in this partnership that you can see"),
        );
    }
    invalid.into_result()?;
    let case = body.case.clone();
    let appraisal = blocking("appraisal", move || {
        business_case::appraise(&case, &|_, _| {})
    })
    .await?
    .map_err(|e| e.within("case."))?;
    body.appraisal = Some(appraisal);
    Ok(body)
}

/// Creates a business case and appraises it: numbered after the partnership's last.
pub async fn create(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    command: CaseCommand,
) -> Result<BusinessCaseEntry> {
    let today = app.today();
    let meta = meta_for(caller, partnership_id, command.visibility)?;
    caller.check(Action::Create, &meta, today)?;
    let body = prepare(app, caller, partnership_id, command.body).await?;
    let record = body.record()?;
    let mut tx = app.store().write().await?;
    let mut invalid = Invalid::new();
    check_link(
        &mut tx,
        partnership_id,
        OPPORTUNITY_KIND,
        record.opportunity_record_id,
        "opportunity_record_id",
        "opportunity",
        &mut invalid,
    )
    .await?;
    invalid.into_result()?;
    let stored = tx
        .insert_business_case(&meta, &record, &caller.change())
        .await?;
    tx.commit().await?;
    entry(stored, caller, today)
}

/// Replaces a business case (from the version the caller read) and appraises it again.
pub async fn change(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    command: CaseCommand,
    from_version: Option<i64>,
    reason: &str,
) -> Result<BusinessCaseEntry> {
    let today = app.today();
    let number = number_of(FinanceKind::BusinessCase, reference, "Business case")?;
    let body = prepare(app, caller, partnership_id, command.body).await?;
    let record = body.record()?;
    let mut tx = app.store().write().await?;
    let what = format!(
        "Business case {}",
        FinanceKind::BusinessCase.reference(number)
    );
    let stored = tx
        .business_case_for_change(partnership_id, number)
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
        OPPORTUNITY_KIND,
        record.opportunity_record_id,
        "opportunity_record_id",
        "opportunity",
        &mut invalid,
    )
    .await?;
    invalid.into_result()?;
    let saved = tx
        .update_business_case(&stored, &meta, &record, &caller.change().because(reason))
        .await?;
    tx.commit().await?;
    entry(saved, caller, today)
}

/// Runs a case's Monte Carlo risk analysis again with other settings (iterations, seed,
/// sampling) and keeps the new appraisal.
pub async fn run_monte_carlo(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    settings: Settings,
    from_version: Option<i64>,
) -> Result<BusinessCaseEntry> {
    let current = get(app, caller, partnership_id, reference).await?;
    check_version(
        &format!("Business case {}", current.reference),
        current.version,
        from_version,
    )?;
    let mut body = current.value;
    body.case.monte_carlo = Settings {
        convergence: body.case.monte_carlo.convergence,
        ..settings
    };
    let visibility = current.visibility;
    change(
        app,
        caller,
        partnership_id,
        reference,
        CaseCommand { body, visibility },
        Some(current.version),
        "Monte Carlo run again",
    )
    .await
}

/// Deletes a business case read at `from_version`; refused while an allocation or a funding
/// award names it.
pub async fn delete(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
) -> Result<()> {
    let today = app.today();
    let number = number_of(FinanceKind::BusinessCase, reference, "Business case")?;
    let Some(version) = from_version else {
        return Err(Invalid::field(
            "version",
            "Send the version you read, so a case someone else has changed since is not deleted",
        )
        .into());
    };
    let mut tx = app.store().write().await?;
    let what = format!(
        "Business case {}",
        FinanceKind::BusinessCase.reference(number)
    );
    let stored = tx
        .business_case_for_change(partnership_id, number)
        .await?
        .ok_or_else(|| AppError::not_found(&what))?;
    check_access(caller, &stored, Action::Delete, &what, today)?;
    check_version(&what, stored.version, Some(version))?;
    let referrers = tx.business_case_referrers(stored.record_id).await?;
    if !referrers.is_empty() {
        return Err(Invalid::field(
            "business_case",
            format!(
                "{} names this business case: change {} first",
                referrers.join(" and "),
                if referrers.len() == 1 { "it" } else { "them" }
            ),
        )
        .into());
    }
    tx.delete_business_case(&stored, &caller.change()).await?;
    tx.commit().await?;
    Ok(())
}

/// The partnership's business cases the caller may read, by record id, reference and name,
/// for the forms that name one.
pub async fn choices(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
) -> Result<Vec<(i64, String, String)>> {
    let listed = list(
        app,
        caller,
        partnership_id,
        &BusinessCaseFilter::default(),
        Order::Name,
        &ListRequest::page(1, crate::list::MAX_LIMIT),
    )
    .await?;
    Ok(listed
        .items
        .into_iter()
        .map(|e| (e.record_id, e.reference, e.value.case.name))
        .collect())
}

/// The reference and name of the business case with this record id, if the caller may read
/// it.
pub async fn named(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    record_id: i64,
) -> Result<Option<(String, String)>> {
    Ok(app
        .store()
        .record(record_id, &caller.scope(), app.today())
        .await?
        .filter(|r| {
            r.kind == accord_store::finance::BUSINESS_CASE_KIND
                && r.meta.partnership_id == Some(partnership_id)
        })
        .and_then(|r| r.reference.map(|reference| (reference, r.title))))
}
