//! Opportunities: raising one (numbered in the writing transaction, `OPP-7`), changing its
//! scope, phase, wave or size, moving it through its lifecycle, offering it to the preferred
//! partners and recording their answers and any other partner (MOU 3.2), and the paged list.
//!
//! Every change is made from the version the caller read: a stale one is a conflict, and
//! nothing is written. The rules are the domain's (`accord_domain::opportunity`).

use accord_domain::access::{Action, Area, Classification, RecordMeta};
use accord_domain::gateway::{
    CouncilRatings, CriteriaSet, Outcome, combine, councils_of, set_used,
};
use accord_domain::opportunity::list::{OpportunityFilter, OpportunitySort, SortKey};
use accord_domain::opportunity::{
    CLASSIFICATIONS, DetailsChange, NewOpportunity, NewOtherPartner, Opportunity, ResponseKind,
    Status, StatusKind, StatusRequest, parse_reference, reference_of,
};
use accord_domain::service::{Service, ServiceCategory};
use accord_domain::{GssCode, Invalid, Partnership};
use accord_store::WriteTx;
use accord_store::gateway::{
    GatewayTally, OpportunityCursor, OpportunityFacets, OpportunityPage, StoredOpportunity,
};
use chrono::NaiveDate;

use super::{Names, OpportunityEntry, names, partnership, programme_meta, with_default};
use crate::list::{ListRequest, Listed, Start, encode_cursor};
use crate::{App, AppError, Caller, Result};

/// The name of the list's cursors.
const LIST: &str = "opportunities";

/// Where an opportunity's assessment stands, as the database tallies it for the reader.
#[derive(Debug, Clone, PartialEq)]
pub struct GatewaySummary {
    /// The version of the criteria set its assessment uses.
    pub criteria_version: u32,
    /// Ratings given.
    pub rated: u32,
    /// Ratings needed.
    pub needed: u32,
    /// The outcome, when complete.
    pub outcome: Option<Outcome>,
    /// The weighted score from 0 to 1, when complete.
    pub score: Option<f64>,
    /// Whether any rating it shows is illustrative.
    pub illustrative: bool,
}

impl GatewaySummary {
    /// The summary of a tally.
    pub fn of(tally: &GatewayTally) -> Self {
        GatewaySummary {
            criteria_version: tally.criteria_version.unwrap_or(1),
            rated: tally.rated,
            needed: tally.needed,
            outcome: tally.outcome,
            score: tally.points.map(|points| {
                if tally.total_weight == 0 {
                    0.0
                } else {
                    points as f64 / (2.0 * tally.total_weight as f64)
                }
            }),
            illustrative: tally.illustrative,
        }
    }
}

/// One opportunity of a list, with its assessment's tally.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedOpportunity {
    /// The opportunity.
    pub entry: OpportunityEntry,
    /// Its assessment, as tallied for the reader.
    pub gateway: GatewaySummary,
}

/// A page of a partnership's opportunities.
#[derive(Debug, Clone)]
pub struct OpportunityList {
    /// The partnership.
    pub partnership: Partnership,
    /// The page, the total and where the next page starts.
    pub page: Listed<ListedOpportunity>,
    /// How many opportunities of the programme the caller may see, whatever the filter.
    pub all: i64,
    /// The phases and waves in use, for the filters.
    pub facets: OpportunityFacets,
    /// The councils the page names.
    pub names: Names,
}

/// The cursor of the page after `o` in the order `sort`.
fn cursor_of(sort: OpportunitySort, o: &Opportunity) -> String {
    let key = match sort.key(o) {
        SortKey::None => serde_json::Value::Null,
        SortKey::Text(t) => serde_json::Value::String(t),
        SortKey::Number(n) => serde_json::Value::from(n),
        SortKey::Date(d) => serde_json::Value::String(d.to_string()),
    };
    let text = serde_json::json!([sort.slug(), key, o.number]).to_string();
    encode_cursor(LIST, &text)
}

/// The keyset position a cursor's key names, for the order `sort`.
fn cursor_from(sort: OpportunitySort, key: &str) -> Result<OpportunityCursor, Invalid> {
    let refused = || {
        Invalid::field(
            "cursor",
            "This is not a cursor of this list in this order: follow the `next` link of the page before",
        )
    };
    let (slug, value, number): (String, serde_json::Value, u32) =
        serde_json::from_str(key).map_err(|_| refused())?;
    if slug != sort.slug() {
        return Err(refused());
    }
    let key = match (sort, value) {
        (OpportunitySort::Reference, serde_json::Value::Null) => SortKey::None,
        (OpportunitySort::Service, serde_json::Value::String(t)) => SortKey::Text(t),
        (OpportunitySort::Status | OpportunitySort::Phase, serde_json::Value::Number(n)) => {
            SortKey::Number(
                n.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(refused)?,
            )
        }
        (OpportunitySort::ReEvaluation, serde_json::Value::String(t)) => {
            SortKey::Date(t.parse::<NaiveDate>().map_err(|_| refused())?)
        }
        _ => return Err(refused()),
    };
    Ok(OpportunityCursor { key, number })
}

/// A page of the partnership's opportunities matching `filter` in the order `sort`, with the
/// total and each one's assessment tallied, all answered by the database over what the caller
/// may read.
pub async fn list(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    filter: &OpportunityFilter,
    sort: OpportunitySort,
    request: &ListRequest,
) -> Result<OpportunityList> {
    let today = app.today();
    caller.check(Action::Read, &programme_meta(partnership_id), today)?;
    filter.prepare()?;
    let after = match &request.start {
        Start::After(key) => Some(cursor_from(sort, key)?),
        Start::Page(_) => None,
    };
    let partnership = partnership(app, partnership_id).await?;
    let scope = caller.scope();
    let store = app.store();
    // One more than the page holds says whether there is a next page.
    let page = OpportunityPage {
        sort,
        after,
        offset: request.offset(),
        limit: i64::from(request.limit) + 1,
    };
    let mut rows = store
        .opportunities(partnership_id, filter, &page, &scope, today)
        .await?;
    let more = rows.len() > request.limit as usize;
    rows.truncate(request.limit as usize);
    let next = more
        .then(|| rows.last().map(|r| cursor_of(sort, &r.opportunity)))
        .flatten();
    let total = store
        .count_opportunities(partnership_id, filter, &scope, today)
        .await?;
    let all = if *filter == OpportunityFilter::default() {
        total
    } else {
        store
            .count_opportunities(partnership_id, &OpportunityFilter::default(), &scope, today)
            .await?
    };
    let ids: Vec<i64> = rows.iter().map(|r| r.record_id).collect();
    let tallies = store
        .gateway_tallies(partnership_id, Some(&ids), &scope, today)
        .await?;
    let facets = store
        .opportunity_facets(partnership_id, &scope, today)
        .await?;
    let names = names(
        app,
        rows.iter()
            .map(|r| r.opportunity.originating.clone())
            .chain(partnership.members.iter().map(|m| m.authority.clone()))
            .collect::<Vec<_>>(),
    )
    .await?;
    let items = rows
        .into_iter()
        .map(|stored| {
            let gateway = tallies
                .iter()
                .find(|t| t.opportunity_id == stored.record_id)
                .map_or(
                    GatewaySummary {
                        criteria_version: 1,
                        rated: 0,
                        needed: 0,
                        outcome: None,
                        score: None,
                        illustrative: false,
                    },
                    GatewaySummary::of,
                );
            ListedOpportunity {
                entry: OpportunityEntry::of(stored, today),
                gateway,
            }
        })
        .collect();
    Ok(OpportunityList {
        partnership,
        page: Listed { items, total, next },
        all,
        facets,
        names,
    })
}

/// The reference of the opportunity with this record id (old addresses named opportunities by
/// it), if the caller may read it.
pub async fn reference_of_record(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    record_id: i64,
) -> Result<Option<String>> {
    let Some((p, number)) = app.store().opportunity_number(record_id).await? else {
        return Ok(None);
    };
    if p != partnership_id {
        return Ok(None);
    }
    Ok(app
        .store()
        .opportunity(p, number, &caller.scope(), app.today())
        .await?
        .map(|s| s.opportunity.reference()))
}

/// The canonical reference of the opportunity an address names, by its reference (`opp-7`) or
/// by an old address's record id; not found when the caller may not read it.
pub async fn canonical_reference(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    key: &str,
) -> Result<String> {
    if let Some(number) = parse_reference(key) {
        return Ok(reference_of(number));
    }
    let found = match key.trim().parse::<i64>() {
        Ok(id) => reference_of_record(app, caller, partnership_id, id).await?,
        Err(_) => None,
    };
    found.ok_or_else(|| AppError::not_found(format!("opportunity {key}")))
}

/// One opportunity, if the caller may read it.
pub async fn opportunity(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
) -> Result<OpportunityEntry> {
    let today = app.today();
    let not_found = || AppError::not_found(format!("opportunity {reference}"));
    let number = parse_reference(reference).ok_or_else(not_found)?;
    let stored = app
        .store()
        .opportunity(partnership_id, number, &caller.scope(), today)
        .await?
        .ok_or_else(not_found)?;
    Ok(OpportunityEntry::of(stored, today))
}

/// What the form that raises an opportunity offers: the member councils on the day, named,
/// and the catalogue.
#[derive(Debug, Clone)]
pub struct RaiseChoices {
    /// The partnership.
    pub partnership: Partnership,
    /// The councils that may raise one: the members on the day, with their names.
    pub members: Vec<(GssCode, String)>,
    /// The catalogue.
    pub services: Vec<Service>,
}

/// What the form that raises an opportunity offers.
pub async fn raise_choices(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
) -> Result<RaiseChoices> {
    let today = app.today();
    caller.check(Action::Read, &programme_meta(partnership_id), today)?;
    let partnership = partnership(app, partnership_id).await?;
    let codes: Vec<GssCode> = partnership
        .members_on(today)
        .map(|m| m.authority.clone())
        .collect();
    let names = names(app, codes.clone()).await?;
    let services = super::services::catalogue(app, caller)
        .await?
        .into_iter()
        .map(|s| s.service)
        .collect();
    Ok(RaiseChoices {
        members: codes
            .into_iter()
            .map(|c| {
                let name = names.name(&c);
                (c, name)
            })
            .collect(),
        partnership,
        services,
    })
}

/// A new opportunity: the catalogue service (its id, as typed), what was entered, who may see
/// it; and, for opportunities that come from a source document, where from and why its first
/// history entry says what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct RaiseOpportunity {
    /// The catalogue service's id, as typed.
    pub service_id: String,
    /// What was entered.
    pub input: NewOpportunity,
    /// Who may see it: partnership, council or published.
    pub classification: Classification,
    /// Where the record comes from, for seed data.
    pub source: Option<String>,
    /// A note on the first history entry (for seed data whose dates are not stated).
    pub note: String,
}

fn check_classification(classification: Classification, invalid: &mut Invalid) {
    if !CLASSIFICATIONS.contains(&classification) {
        invalid.push(
            "classification",
            format!(
                "“{}” is not a classification here; use partnership, council or published",
                classification.slug()
            ),
        );
    }
}

/// Raises an opportunity: checked by the domain, numbered after the highest in the programme
/// inside the writing transaction (so parallel raisers get distinct references), allowed by the
/// policy for the originating council, and stored with its audit entry.
pub async fn raise(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    command: RaiseOpportunity,
) -> Result<OpportunityEntry> {
    let today = app.today();
    let partnership = partnership(app, partnership_id).await?;
    let change = caller.change();
    let mut invalid = Invalid::new();
    check_classification(command.classification, &mut invalid);
    let mut tx = app.store().write().await?;
    let catalogue = tx.services_for_change().await?;
    let wanted = command.service_id.trim();
    let service = wanted
        .parse::<i64>()
        .ok()
        .and_then(|id| catalogue.iter().find(|s| s.record_id == id))
        .map(|s| s.service.clone());
    if service.is_none() {
        invalid.push(
            "service_id",
            if wanted.is_empty() {
                "Choose a service from the catalogue".to_owned()
            } else {
                format!("“{wanted}” is not a service in the catalogue")
            },
        );
    }
    // Raised against a placeholder when the service is missing, so every problem is named.
    let placeholder = Service {
        id: 0,
        name: String::new(),
        category: ServiceCategory::BackOffice,
    };
    let raised = invalid.check(Opportunity::raise(
        &partnership,
        service.unwrap_or(placeholder),
        &command.input,
        today,
        &change.actor,
    ));
    invalid.into_result()?;
    let Some(mut opportunity) = raised else {
        return Err(Invalid::field("scope", "could not be read").into());
    };
    let meta = RecordMeta {
        area: Area::Programme,
        partnership_id: Some(partnership_id),
        owner: Some(opportunity.originating.clone()),
        classification: command.classification,
        embargo: None,
    };
    caller.check(Action::Create, &meta, today)?;
    opportunity.source = command.source.filter(|s| !s.trim().is_empty());
    if let Some(first) = opportunity.history.first_mut() {
        command.note.trim().clone_into(&mut first.reason);
    }
    opportunity.number = tx.last_opportunity_number(partnership_id).await? + 1;
    let stored = tx.insert_opportunity(&meta, &opportunity, &change).await?;
    tx.commit().await?;
    Ok(OpportunityEntry::of(stored, today))
}

/// Opens the writing transaction and loads an opportunity to change it, checking the caller
/// may and that it is still at the version they read.
async fn for_change(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
) -> Result<(Box<dyn WriteTx>, StoredOpportunity)> {
    let today = app.today();
    let not_found = || AppError::not_found(format!("opportunity {reference}"));
    let number = parse_reference(reference).ok_or_else(not_found)?;
    let mut tx = app.store().write().await?;
    let stored = tx
        .opportunity_for_change(partnership_id, number)
        .await?
        .ok_or_else(not_found)?;
    if !caller.scope().permits(&stored.meta, today) {
        return Err(not_found());
    }
    caller.check(Action::Update, &stored.meta, today)?;
    if let Some(version) = from_version
        && version != stored.version
    {
        return Err(AppError::Conflict(format!(
            "{} ({}) changed since you opened it (you had version {version}; it is now at version {}). \
             The page shows it as it is now: make your change again if it is still needed",
            stored.opportunity.reference(),
            stored.opportunity.service.name,
            stored.version
        )));
    }
    Ok((tx, stored))
}

/// Writes a changed opportunity and commits.
async fn save(
    app: &App,
    caller: &Caller,
    mut tx: Box<dyn WriteTx>,
    stored: &StoredOpportunity,
    changed: &Opportunity,
    reason: &str,
) -> Result<OpportunityEntry> {
    let saved = tx
        .update_opportunity(stored, changed, &caller.change().because(reason))
        .await?;
    tx.commit().await?;
    Ok(OpportunityEntry::of(saved, app.today()))
}

/// Changes an opportunity's scope, phase, wave or size, checked as raising checks them.
pub async fn change_details(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    details: &DetailsChange,
    reason: &str,
) -> Result<OpportunityEntry> {
    let (tx, stored) = for_change(app, caller, partnership_id, reference, from_version).await?;
    let mut changed = stored.opportunity.clone();
    changed.change_details(details)?;
    save(app, caller, tx, &stored, &changed, reason).await
}

/// The outcome of an opportunity's assessment as the caller sees its ratings, read inside the
/// writing transaction: passing needs it (MOU 4.2–4.3).
async fn outcome_in(
    tx: &mut Box<dyn WriteTx>,
    caller: &Caller,
    stored: &StoredOpportunity,
    today: NaiveDate,
) -> Result<Option<Outcome>> {
    let scope = caller.scope();
    let visible: Vec<CouncilRatings> = tx
        .council_ratings_for_change(stored.record_id)
        .await?
        .into_iter()
        .filter(|p| scope.permits(&p.meta, today))
        .map(|p| p.ratings)
        .collect();
    let partnership_id = stored.opportunity.partnership_id;
    let sets = with_default(tx.criteria_sets_for_change(partnership_id).await?);
    outcome_of(&stored.opportunity, &sets, &visible)
}

/// The outcome of an opportunity's assessment under the set it uses, from the councils'
/// ratings as a reader sees them; `None` until every council has rated every criterion.
fn outcome_of(
    opportunity: &Opportunity,
    sets: &[CriteriaSet],
    visible: &[CouncilRatings],
) -> Result<Option<Outcome>> {
    let current = sets.last().map_or(1, CriteriaSet::version);
    let version = set_used(visible, current);
    let Some(set) = sets.iter().find(|s| s.version() == version) else {
        return Ok(None);
    };
    let councils = councils_of(opportunity, ToString::to_string);
    match combine(set, councils, visible) {
        Ok(assessment) => Ok(Some(assessment.report()?.outcome)),
        Err(_) => Ok(None),
    }
}

/// A status change as a form or the API asks for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusAsk {
    /// The status's slug.
    pub to: String,
    /// When, if not today.
    pub on: Option<NaiveDate>,
    /// The re-evaluation date of a deferral.
    pub re_evaluate: Option<NaiveDate>,
    /// Why (the reason of a status "not pursued").
    pub reason: String,
}

/// Moves an opportunity through its lifecycle by the domain's rules, with the outcome of its
/// assessment as the caller sees it: passing needs a complete assessment that passes.
pub async fn change_status(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    ask: &StatusAsk,
) -> Result<OpportunityEntry> {
    let today = app.today();
    let to = Status::parse("to", &ask.to, ask.re_evaluate, &ask.reason)?;
    let (mut tx, stored) = for_change(app, caller, partnership_id, reference, from_version).await?;
    let gateway = outcome_in(&mut tx, caller, &stored, today).await?;
    // A dropped opportunity's reason is its status; other changes keep it in the history.
    let reason = if to.kind() == StatusKind::NotPursued {
        String::new()
    } else {
        ask.reason.clone()
    };
    let mut changed = stored.opportunity.clone();
    changed.change_status(&StatusRequest {
        to,
        on: ask.on.unwrap_or(today),
        by: caller.change().actor,
        reason,
        gateway,
    })?;
    save(app, caller, tx, &stored, &changed, &ask.reason).await
}

/// The outcome of an opportunity's assessment as the caller sees it, for the status form.
pub async fn outcome(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
) -> Result<Option<Outcome>> {
    let today = app.today();
    let entry = opportunity(app, caller, partnership_id, reference).await?;
    let scope = caller.scope();
    let store = app.store();
    let visible: Vec<CouncilRatings> = store
        .council_ratings(partnership_id, Some(entry.record_id), &scope, today)
        .await?
        .into_iter()
        .map(|p| p.ratings)
        .collect();
    let sets = with_default(store.criteria_sets(partnership_id, &scope, today).await?);
    outcome_of(&entry.opportunity, &sets, &visible)
}

/// Offers an opportunity to the originating council's preferred partners: every other member
/// council on the day (MOU 3.2.1), as the domain decides.
pub async fn offer(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    on: Option<NaiveDate>,
) -> Result<OpportunityEntry> {
    let partnership = partnership(app, partnership_id).await?;
    let (tx, stored) = for_change(app, caller, partnership_id, reference, from_version).await?;
    let mut changed = stored.opportunity.clone();
    changed.offer(
        &partnership,
        on.unwrap_or_else(|| app.today()),
        &caller.change().actor,
    )?;
    save(app, caller, tx, &stored, &changed, "").await
}

/// A preferred partner's answer as a form or the API gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// The partner's GSS code.
    pub partner: String,
    /// The answer's slug: accept, not-ready or has-another-partner.
    pub kind: String,
    /// When, if not today.
    pub on: Option<NaiveDate>,
    /// What it said.
    pub note: String,
}

/// Records a preferred partner's answer to the offer; a later answer replaces an earlier one,
/// which stays in the record.
pub async fn respond(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    answer: &Answer,
) -> Result<OpportunityEntry> {
    let mut invalid = Invalid::new();
    let partner = if answer.partner.trim().is_empty() {
        invalid.push("partner", "Choose the council that answered");
        None
    } else {
        invalid.check(GssCode::parse("partner", &answer.partner))
    };
    let kind = if answer.kind.trim().is_empty() {
        invalid.push("kind", "Choose the answer");
        None
    } else {
        invalid.check(ResponseKind::parse("kind", &answer.kind))
    };
    invalid.into_result()?;
    let (Some(partner), Some(kind)) = (partner, kind) else {
        return Err(Invalid::field("kind", "could not be read").into());
    };
    let (tx, stored) = for_change(app, caller, partnership_id, reference, from_version).await?;
    let mut changed = stored.opportunity.clone();
    changed.respond(
        &partner,
        kind,
        answer.on.unwrap_or_else(|| app.today()),
        &caller.change().actor,
        &answer.note,
    )?;
    save(app, caller, tx, &stored, &changed, &answer.note).await
}

/// Records another partner for the opportunity's service; the domain's preferred-partner rule
/// (MOU 3.2.1–3.2.3) decides whether it may be.
pub async fn record_other_partner(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    input: &NewOtherPartner,
) -> Result<OpportunityEntry> {
    let partnership = partnership(app, partnership_id).await?;
    let (tx, stored) = for_change(app, caller, partnership_id, reference, from_version).await?;
    let mut changed = stored.opportunity.clone();
    changed.record_other_partner(&partnership, input, &caller.change().actor)?;
    save(app, caller, tx, &stored, &changed, &input.note).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_name_their_order_and_refuse_another() {
        let key = |sort, value: serde_json::Value| {
            serde_json::json!([OpportunitySort::slug(sort), value, 7]).to_string()
        };
        let cases = [
            (
                OpportunitySort::Reference,
                key(OpportunitySort::Reference, serde_json::Value::Null),
                Some(SortKey::None),
            ),
            (
                OpportunitySort::Service,
                key(OpportunitySort::Service, "payroll".into()),
                Some(SortKey::Text("payroll".into())),
            ),
            (
                OpportunitySort::Phase,
                key(OpportunitySort::Phase, 3.into()),
                Some(SortKey::Number(3)),
            ),
            (
                OpportunitySort::Phase,
                key(OpportunitySort::Service, "payroll".into()),
                None,
            ),
            (
                OpportunitySort::ReEvaluation,
                key(OpportunitySort::ReEvaluation, "2011-02-30".into()),
                None,
            ),
            (OpportunitySort::Status, "not json".to_owned(), None),
        ];
        for (sort, text, expected) in cases {
            match expected {
                Some(k) => assert_eq!(
                    cursor_from(sort, &text).unwrap(),
                    OpportunityCursor { key: k, number: 7 }
                ),
                None => assert_eq!(
                    cursor_from(sort, &text).unwrap_err().errors[0].field,
                    "cursor"
                ),
            }
        }
    }
}
