//! Opportunities, the preferred-partner rule, the criteria sets, the councils' ratings and the
//! RAG matrix in the API; and the service catalogue. Each handler turns the request into a call
//! of a use case of `accord_app::gateway` — the same ones the pages call — and its answer into
//! JSON. Opportunities are addressed by their reference (`OPP-7`).

use accord_app::gateway::assessment::Rate;
use accord_app::gateway::opportunities::{
    self as use_case, Answer, GatewaySummary, ListedOpportunity, RaiseOpportunity, StatusAsk,
};
use accord_app::gateway::services::ServiceEntry;
use accord_app::gateway::{Entry, Programme, criteria_sets, matrix as matrix_use_case, services};
use accord_app::list::ListRequest;
use accord_domain::Invalid;
use accord_domain::gateway::{
    AssessmentReport, AssessmentState, CriteriaSet, CriterionInput, RatingInput, RuleInput,
};
use accord_domain::opportunity::{
    DetailsChange, NewOpportunity, NewOtherPartner, Opportunity, parse_classification,
};
use accord_domain::service::Service;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ErrorResponse, WebError};
use crate::forms::JsonBody;
use crate::guard::GuardedRecord;
use crate::pages::opportunities::{filter_from, optional_date, query_form};

// ----- the service catalogue -----

/// A service of the catalogue.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ServiceOut {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its category's slug: back-office, customer-services, regulatory,
    /// environment-transport-waste, childrens, adults, legal, procurement or management.
    pub category: String,
    /// The category in words.
    pub category_label: String,
}

impl From<&ServiceEntry> for ServiceOut {
    fn from(s: &ServiceEntry) -> Self {
        ServiceOut::from(&s.service)
    }
}

impl From<&Service> for ServiceOut {
    fn from(s: &Service) -> Self {
        ServiceOut {
            id: s.id,
            name: s.name.clone(),
            category: s.category.slug().to_owned(),
            category_label: s.category.label().to_owned(),
        }
    }
}

/// A service to add, or a service's new name and category.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceIn {
    /// Its name, unique in the catalogue ignoring case.
    pub name: String,
    /// Its category's slug (or label).
    pub category: String,
    /// When changing a service: the version read (`version` of the catalogue entry), to refuse
    /// the change (409) if someone else changed it since.
    #[serde(default)]
    pub version: Option<i64>,
}

/// A page of the service catalogue.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ServiceListOut {
    /// How many services the catalogue holds.
    pub total: i64,
    /// This page of it, in the order services were added.
    pub items: Vec<ServiceOut>,
    /// The address of the next page, when there is one (also sent as a `Link` header).
    pub next: Option<String>,
}

/// The service catalogue, in the order services were added, paged with `limit` (1 to 500, 100
/// unless given) and `cursor` (from the `next` address of the page before).
#[utoipa::path(
    get,
    path = "/api/v1/services",
    tag = "opportunities",
    params(
        ("limit" = Option<u32>, Query, description = "Services on the page: 1 to 500 (100 unless given)"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: the `cursor` of the previous page's `next` address"),
    ),
    responses(
        (status = 200, description = "A page of the catalogue", body = ServiceListOut),
        (status = 422, description = "The limit or the cursor is not valid", body = ErrorResponse),
    ),
)]
pub async fn services(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let form = crate::paging::query_form(query.as_deref());
    let request = ListRequest::from_query("services", form.get("limit"), form.get("cursor"))?;
    let listed = services::catalogue_page(&state.app, &viewer.caller(), &request).await?;
    let next = crate::paging::next_page("/api/v1/services", &form, listed.next.as_ref());
    let body = ServiceListOut {
        total: listed.total,
        items: listed.items.iter().map(ServiceOut::from).collect(),
        next: next.clone(),
    };
    Ok(crate::paging::page_response(body, next))
}

/// Adds a service to the catalogue (administrators).
#[utoipa::path(
    post,
    path = "/api/v1/services",
    tag = "opportunities",
    request_body = ServiceIn,
    responses(
        (status = 201, description = "Added", body = ServiceOut),
        (status = 422, description = "Refused: no name, a name already in the catalogue, an unknown category", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn add_service(
    State(state): State<AppState>,
    viewer: Viewer,
    JsonBody(input): JsonBody<ServiceIn>,
) -> Result<(StatusCode, Json<ServiceOut>), WebError> {
    let added = services::add(&state.app, &viewer.caller(), &input.name, &input.category).await?;
    Ok((StatusCode::CREATED, Json(ServiceOut::from(&added))))
}

/// Renames or recategorises a service (administrators).
#[utoipa::path(
    put,
    path = "/api/v1/services/{service_id}",
    tag = "opportunities",
    params(("service_id" = i64, Path, description = "The service's id")),
    request_body = ServiceIn,
    responses(
        (status = 200, description = "Changed", body = ServiceOut),
        (status = 404, description = "No such service", body = ErrorResponse),
        (status = 409, description = "The service changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn update_service(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(service_id): Path<i64>,
    JsonBody(input): JsonBody<ServiceIn>,
) -> Result<Json<ServiceOut>, WebError> {
    let changed = services::change(
        &state.app,
        &viewer.caller(),
        service_id,
        input.version,
        &input.name,
        &input.category,
    )
    .await?;
    Ok(Json(ServiceOut::from(&changed)))
}

// ----- opportunities -----

/// A council named in an opportunity.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CouncilOut {
    /// Its GSS code.
    pub gss: String,
    /// Its short name.
    pub name: String,
}

/// An opportunity's status.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StatusOut {
    /// identified, offered-to-preferred-partner, assessing, passed, passed-with-conditions,
    /// deferred, not-pursued or handed-to-delivery.
    pub kind: String,
    /// The status in words: "deferred: evaluate again on 31 December 2011".
    pub description: String,
    /// For a deferral, when to evaluate it again.
    pub re_evaluate: Option<NaiveDate>,
    /// For an opportunity not pursued, why.
    pub reason: Option<String>,
}

impl From<&accord_domain::opportunity::Status> for StatusOut {
    fn from(status: &accord_domain::opportunity::Status) -> Self {
        use accord_domain::opportunity::Status;
        StatusOut {
            kind: status.kind().slug().to_owned(),
            description: status.describe(),
            re_evaluate: match status {
                Status::Deferred { re_evaluate } => Some(*re_evaluate),
                _ => None,
            },
            reason: match status {
                Status::NotPursued { reason } => Some(reason.clone()),
                _ => None,
            },
        }
    }
}

/// One entry of the status history.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StatusChangeOut {
    /// The status before; null for the entry that records the opportunity being raised.
    pub from: Option<StatusOut>,
    /// The status after.
    pub to: StatusOut,
    /// When.
    pub on: NaiveDate,
    /// Who.
    pub by: String,
    /// Why, as given; may be empty.
    pub reason: String,
}

/// One answer of a preferred partner.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ResponseOut {
    /// accept, not-ready or has-another-partner.
    pub kind: String,
    /// When it was given.
    pub on: NaiveDate,
    /// Who recorded it.
    pub by: String,
    /// What the partner said.
    pub note: String,
}

/// The offer to one preferred partner.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OfferOut {
    /// The preferred partner.
    pub partner: CouncilOut,
    /// When it was offered.
    pub offered_on: NaiveDate,
    /// The answer that stands, if any: accept, not-ready or has-another-partner.
    pub answer: Option<String>,
    /// Every answer, oldest first.
    pub responses: Vec<ResponseOut>,
}

/// An arrangement with a partner outside the partnership.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OtherPartnerOut {
    /// The other partner.
    pub name: String,
    /// Its GSS code, when a council.
    pub authority: Option<String>,
    /// When it was recorded.
    pub on: NaiveDate,
    /// Who recorded it.
    pub by: String,
    /// Details.
    pub note: String,
    /// Always true: the arrangement is open for the preferred partners to join later (MOU 3.2.3).
    pub open_for_preferred_partner_to_join: bool,
    /// The preferred partners it must stay open to.
    pub open_to: Vec<String>,
}

/// Where an opportunity's assessment stands for the caller.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GatewayOut {
    /// The version of the criteria the assessment uses.
    pub criteria_version: u32,
    /// not-started, incomplete or complete.
    pub state: String,
    /// Ratings given (that the caller may see).
    pub rated: usize,
    /// Ratings needed: criteria × assessing councils.
    pub needed: usize,
    /// pass, pass-with-conditions or fail, when complete.
    pub outcome: Option<String>,
    /// The weighted score from 0 to 1, when complete.
    pub score: Option<f64>,
    /// The rank in the programme under this version, when complete (given for one
    /// opportunity, not in lists: a rank compares the whole programme).
    pub rank: Option<usize>,
    /// Why, in plain words (given for one opportunity, not in lists).
    pub reasons: Vec<String>,
    /// Whether any rating shown is illustrative (demonstration data).
    pub illustrative: bool,
}

/// An opportunity.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OpportunityOut {
    /// Its reference, which its address carries: OPP-7.
    pub reference: String,
    /// Its record's id (its history is filed under it).
    pub id: i64,
    /// The partnership's id.
    pub partnership_id: i64,
    /// The record's version: send it back with a change, which is refused (409) if the
    /// opportunity changed since.
    pub version: i64,
    /// published, partnership or council.
    pub classification: String,
    /// The service.
    pub service: ServiceOut,
    /// What would be shared.
    pub scope: String,
    /// The council that raised it.
    pub originating: CouncilOut,
    /// The programme's wave, if stated.
    pub wave: Option<u32>,
    /// The phase, if stated.
    pub phase: Option<u32>,
    /// small or large, if known.
    pub size: Option<String>,
    /// Where it is now.
    pub status: StatusOut,
    /// Every status change, oldest first.
    pub history: Vec<StatusChangeOut>,
    /// The offers to the preferred partners and their answers.
    pub offers: Vec<OfferOut>,
    /// Arrangements with partners outside the partnership.
    pub other_partners: Vec<OtherPartnerOut>,
    /// Where the record comes from, for seed data.
    pub source: Option<String>,
    /// Its assessment.
    pub gateway: GatewayOut,
}

fn gateway_of_entry(entry: &Entry) -> GatewayOut {
    let mut out = GatewayOut {
        criteria_version: entry.set,
        state: "not-started".to_owned(),
        rated: 0,
        needed: 0,
        outcome: None,
        score: None,
        rank: None,
        reasons: Vec::new(),
        illustrative: entry.illustrative(),
    };
    match &entry.state {
        AssessmentState::NotStarted => {}
        AssessmentState::Incomplete { rated, needed, .. } => {
            out.state = "incomplete".to_owned();
            out.rated = *rated;
            out.needed = *needed;
        }
        AssessmentState::Complete { report, assessment } => {
            out.state = "complete".to_owned();
            out.rated = assessment.ratings.len();
            out.needed = assessment.ratings.len();
            out.outcome = Some(report.outcome.slug().to_owned());
            out.score = Some(report.score);
            out.rank = Some(report.rank);
            out.reasons.clone_from(&report.reasons);
        }
    }
    out
}

fn gateway_of_tally(gateway: &GatewaySummary) -> GatewayOut {
    let state = match (gateway.outcome, gateway.rated) {
        (Some(_), _) => "complete",
        (None, 0) => "not-started",
        (None, _) => "incomplete",
    };
    GatewayOut {
        criteria_version: gateway.criteria_version,
        state: state.to_owned(),
        rated: gateway.rated as usize,
        needed: gateway.needed as usize,
        outcome: gateway.outcome.map(|o| o.slug().to_owned()),
        score: gateway.score,
        rank: None,
        reasons: Vec::new(),
        illustrative: gateway.illustrative,
    }
}

fn opportunity_out(
    o: &Opportunity,
    version: i64,
    classification: &str,
    name: &dyn Fn(&accord_domain::GssCode) -> String,
    gateway: GatewayOut,
) -> OpportunityOut {
    let council = |gss: &accord_domain::GssCode| CouncilOut {
        gss: gss.to_string(),
        name: name(gss),
    };
    OpportunityOut {
        reference: o.reference(),
        id: o.id,
        partnership_id: o.partnership_id,
        version,
        classification: classification.to_owned(),
        service: ServiceOut::from(&o.service),
        scope: o.scope.clone(),
        originating: council(&o.originating),
        wave: o.wave,
        phase: o.phase,
        size: o.size.map(|s| s.slug().to_owned()),
        status: StatusOut::from(&o.status),
        history: o
            .history
            .iter()
            .map(|c| StatusChangeOut {
                from: c.from.as_ref().map(StatusOut::from),
                to: StatusOut::from(&c.to),
                on: c.on,
                by: c.by.clone(),
                reason: c.reason.clone(),
            })
            .collect(),
        offers: o
            .offers
            .iter()
            .map(|offer| OfferOut {
                partner: council(&offer.partner),
                offered_on: offer.offered_on,
                answer: offer.latest().map(|r| r.kind.slug().to_owned()),
                responses: offer
                    .responses
                    .iter()
                    .map(|r| ResponseOut {
                        kind: r.kind.slug().to_owned(),
                        on: r.on,
                        by: r.by.clone(),
                        note: r.note.clone(),
                    })
                    .collect(),
            })
            .collect(),
        other_partners: o
            .other_partners
            .iter()
            .map(|p| OtherPartnerOut {
                name: p.name.clone(),
                authority: p.authority.as_ref().map(ToString::to_string),
                on: p.on,
                by: p.by.clone(),
                note: p.note.clone(),
                open_for_preferred_partner_to_join: true,
                open_to: p.open_to.iter().map(ToString::to_string).collect(),
            })
            .collect(),
        source: o.source.clone(),
        gateway,
    }
}

fn entry_out(programme: &Programme, entry: &Entry) -> OpportunityOut {
    let e = &entry.opportunity;
    opportunity_out(
        &e.opportunity,
        e.version,
        e.classification.slug(),
        &|g| programme.name(g),
        gateway_of_entry(entry),
    )
}

/// The opportunity as it is now, within its programme (its rank needs the whole programme).
async fn one(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    reference: &str,
) -> Result<OpportunityOut, WebError> {
    let within =
        accord_app::gateway::in_programme(&state.app, &viewer.caller(), id, reference).await?;
    Ok(entry_out(&within.programme, within.entry()))
}

/// The reference the guard resolved (by reference, or by an old address's record id).
fn reference_of(record: &GuardedRecord) -> String {
    record.0.reference.clone().unwrap_or_default()
}

/// A page of opportunities.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OpportunityListOut {
    /// How many opportunities match in all.
    pub total: i64,
    /// This page of them, in the order asked for.
    pub items: Vec<OpportunityOut>,
    /// The address of the next page, when there is one (also sent as a `Link` header).
    pub next: Option<String>,
}

fn listed_out(item: &ListedOpportunity, names: &accord_app::gateway::Names) -> OpportunityOut {
    let e = &item.entry;
    opportunity_out(
        &e.opportunity,
        e.version,
        e.classification.slug(),
        &|g| names.name(g),
        gateway_of_tally(&item.gateway),
    )
}

/// A page of a partnership's opportunities the caller may see, filtered by query: `phase`,
/// `wave` (a number, or `none` for not stated), `status` (its slug), `originating` (a GSS
/// code), `size` (small, large), `text` (service, scope or reference contains, any case),
/// `re_evaluate_by` (deferred and due again by `YYYY-MM-DD`); ordered by `sort` (reference,
/// service, status, phase, re-evaluation); `limit` (1 to 500, 100 unless given) and `cursor`
/// (from the `next` address of the page before). Each opportunity's assessment is tallied by
/// the database: its rank and reasons are given by the opportunity itself.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/opportunities",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("phase" = Option<String>, Query, description = "Only this phase, or `none` for not stated"),
        ("wave" = Option<String>, Query, description = "Only this wave, or `none` for not stated"),
        ("status" = Option<String>, Query, description = "Only this status (its slug)"),
        ("originating" = Option<String>, Query, description = "Only those raised by this council (GSS code)"),
        ("size" = Option<String>, Query, description = "Only this size: small or large"),
        ("text" = Option<String>, Query, description = "Only those whose service, scope or reference contains this, in any case"),
        ("re_evaluate_by" = Option<String>, Query, description = "Only deferred ones due to be evaluated again by this date, YYYY-MM-DD"),
        ("sort" = Option<String>, Query, description = "The order: reference (default), service, status, phase or re-evaluation"),
        ("limit" = Option<u32>, Query, description = "Opportunities on the page: 1 to 500 (100 unless given)"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: the `cursor` of the previous page's `next` address"),
    ),
    responses(
        (status = 200, description = "A page of the matching opportunities", body = OpportunityListOut),
        (status = 422, description = "A filter, the order, the limit or the cursor is not valid", body = ErrorResponse),
    ),
)]
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let form = query_form(query.as_deref());
    let mut invalid = Invalid::new();
    let filter = invalid.check(filter_from(&form));
    let request = invalid.check(ListRequest::from_query(
        "opportunities",
        form.get("limit"),
        form.get("cursor"),
    ));
    invalid.into_result()?;
    let (Some((filter, sort)), Some(request)) = (filter, request) else {
        return Err(WebError::NotFound);
    };
    let listed = use_case::list(&state.app, &viewer.caller(), id, &filter, sort, &request).await?;
    let next = listed.page.next.as_ref().map(|cursor| {
        let mut pairs: Vec<(String, String)> = form
            .pairs()
            .iter()
            .filter(|(k, _)| k != "cursor" && k != "page")
            .cloned()
            .collect();
        pairs.push(("cursor".to_owned(), cursor.clone()));
        format!(
            "/api/v1/partnerships/{id}/opportunities?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    });
    let body = Json(OpportunityListOut {
        total: listed.page.total,
        items: listed
            .page
            .items
            .iter()
            .map(|item| listed_out(item, &listed.names))
            .collect(),
        next: next.clone(),
    });
    Ok(match next {
        Some(next) => (
            [(axum::http::header::LINK, format!("<{next}>; rel=\"next\""))],
            body,
        )
            .into_response(),
        None => body.into_response(),
    })
}

/// An opportunity to raise.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityIn {
    /// The catalogue service's id.
    pub service_id: i64,
    /// What would be shared.
    pub scope: String,
    /// The GSS code of the member council raising it.
    pub originating: String,
    /// The wave, 1 to 99.
    #[serde(default)]
    pub wave: Option<u32>,
    /// The phase, 1 to 99.
    #[serde(default)]
    pub phase: Option<u32>,
    /// small or large.
    #[serde(default)]
    pub size: Option<String>,
    /// partnership (default), council or published.
    #[serde(default)]
    pub classification: Option<String>,
}

/// Raises an opportunity, numbered after the highest in the programme (its reference, OPP-7).
/// It starts `identified`; offer it to the preferred partners next.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/opportunities",
    tag = "opportunities",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = OpportunityIn,
    responses(
        (status = 201, description = "Raised", body = OpportunityOut),
        (status = 422, description = "Refused: each problem names its field", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<OpportunityIn>,
) -> Result<(StatusCode, Json<OpportunityOut>), WebError> {
    let classification = parse_classification(
        "classification",
        input.classification.as_deref().unwrap_or_default(),
    )?;
    let entry = use_case::raise(
        &state.app,
        &viewer.caller(),
        id,
        RaiseOpportunity {
            service_id: input.service_id.to_string(),
            input: NewOpportunity {
                scope: input.scope,
                originating: input.originating,
                wave: input.wave,
                phase: input.phase,
                size: input.size,
            },
            classification,
            source: None,
            note: String::new(),
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(one(&state, &viewer, id, &entry.reference()).await?),
    ))
}

/// One opportunity, by its reference, with its history, offers and assessment.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/opportunities/{reference}",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The opportunity's reference: OPP-7"),
    ),
    responses(
        (status = 200, description = "The opportunity", body = OpportunityOut),
        (status = 404, description = "No such opportunity, or not one the caller may see", body = ErrorResponse),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    record: GuardedRecord,
) -> Result<Json<OpportunityOut>, WebError> {
    Ok(Json(
        one(&state, &viewer, id, &reference_of(&record)).await?,
    ))
}

/// Changes to an opportunity's scope, phase, wave or size. A field left out is unchanged; a
/// `null` phase, wave or size clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityPatch {
    /// What would be shared.
    #[serde(default)]
    pub scope: Option<String>,
    /// The phase; null to clear.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u32>)]
    pub phase: Option<Option<u32>>,
    /// The wave; null to clear.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u32>)]
    pub wave: Option<Option<u32>>,
    /// small or large; null or empty to clear.
    #[serde(default, deserialize_with = "present_text")]
    #[schema(value_type = Option<String>)]
    pub size: Option<Option<String>>,
    /// The version read, to refuse the change (409) if someone else changed it since.
    #[serde(default)]
    pub version: Option<i64>,
    /// Why, for the audit trail.
    #[serde(default)]
    pub reason: Option<String>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<u32>>, D::Error> {
    Option::<u32>::deserialize(d).map(Some)
}

fn present_text<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Changes an opportunity's scope, phase, wave or size.
#[utoipa::path(
    patch,
    path = "/api/v1/partnerships/{id}/opportunities/{reference}",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The opportunity's reference: OPP-7"),
    ),
    request_body = OpportunityPatch,
    responses(
        (status = 200, description = "Changed", body = OpportunityOut),
        (status = 409, description = "The opportunity changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    record: GuardedRecord,
    JsonBody(patch): JsonBody<OpportunityPatch>,
) -> Result<Json<OpportunityOut>, WebError> {
    let reference = reference_of(&record);
    let size = patch
        .size
        .as_ref()
        .map(|s| s.as_deref().unwrap_or("").to_owned());
    use_case::change_details(
        &state.app,
        &viewer.caller(),
        id,
        &reference,
        patch.version,
        &DetailsChange {
            scope: patch.scope.clone(),
            phase: patch.phase,
            wave: patch.wave,
            size,
        },
        patch.reason.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(Json(one(&state, &viewer, id, &reference).await?))
}

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusIn {
    /// The new status's slug: assessing, passed, passed-with-conditions, deferred,
    /// not-pursued or handed-to-delivery (offering has its own route).
    pub to: String,
    /// The date of the change, `YYYY-MM-DD`; today when left out.
    #[serde(default)]
    pub on: Option<String>,
    /// For a deferral, the date to evaluate it again, `YYYY-MM-DD`.
    #[serde(default)]
    pub re_evaluate: Option<String>,
    /// Why. Required for `not-pursued` (e.g. "market testing instead").
    #[serde(default)]
    pub reason: Option<String>,
    /// The version read, to refuse the change (409) if someone else changed it since.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Moves an opportunity through its lifecycle. Passing needs a complete assessment whose
/// outcome passes; assessing needs a preferred partner's acceptance; a not-pursued opportunity
/// is final.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/opportunities/{reference}/status",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The opportunity's reference: OPP-7"),
    ),
    request_body = StatusIn,
    responses(
        (status = 200, description = "Changed", body = OpportunityOut),
        (status = 409, description = "The opportunity changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused: a move the lifecycle does not allow, a date before the last change, no passing gateway outcome", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn change_status(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    record: GuardedRecord,
    JsonBody(input): JsonBody<StatusIn>,
) -> Result<Json<OpportunityOut>, WebError> {
    let reference = reference_of(&record);
    let mut invalid = Invalid::new();
    let on = invalid
        .check(optional_date("on", input.on.as_deref()))
        .flatten();
    let re_evaluate = invalid
        .check(optional_date("re_evaluate", input.re_evaluate.as_deref()))
        .flatten();
    invalid.into_result()?;
    use_case::change_status(
        &state.app,
        &viewer.caller(),
        id,
        &reference,
        input.version,
        &StatusAsk {
            to: input.to,
            on,
            re_evaluate,
            reason: input.reason.unwrap_or_default(),
        },
    )
    .await?;
    Ok(Json(one(&state, &viewer, id, &reference).await?))
}

/// An offer to the preferred partners.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferIn {
    /// The date of the offer, `YYYY-MM-DD`; today when left out.
    #[serde(default)]
    pub on: Option<String>,
    /// The version read.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Offers the opportunity to every other member council, its preferred partners (MOU 3.2.1).
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/opportunities/{reference}/offer",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The opportunity's reference: OPP-7"),
    ),
    request_body = OfferIn,
    responses(
        (status = 200, description = "Offered", body = OpportunityOut),
        (status = 409, description = "The opportunity changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused: no other member, already offered, a date before the last change", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn offer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    record: GuardedRecord,
    JsonBody(input): JsonBody<OfferIn>,
) -> Result<Json<OpportunityOut>, WebError> {
    let reference = reference_of(&record);
    let on = optional_date("on", input.on.as_deref())?;
    use_case::offer(
        &state.app,
        &viewer.caller(),
        id,
        &reference,
        input.version,
        on,
    )
    .await?;
    Ok(Json(one(&state, &viewer, id, &reference).await?))
}

/// A preferred partner's answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerAnswerIn {
    /// The preferred partner's GSS code.
    pub partner: String,
    /// accept, not-ready or has-another-partner.
    pub kind: String,
    /// The date of the answer, `YYYY-MM-DD`; today when left out.
    #[serde(default)]
    pub on: Option<String>,
    /// What the partner said.
    #[serde(default)]
    pub note: Option<String>,
    /// The version read.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Records a preferred partner's answer to the offer. A later answer replaces an earlier one
/// (which stays in the record): a partner that was not ready may accept later.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/opportunities/{reference}/responses",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The opportunity's reference: OPP-7"),
    ),
    request_body = PartnerAnswerIn,
    responses(
        (status = 200, description = "Recorded", body = OpportunityOut),
        (status = 409, description = "The opportunity changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused: not offered to that council, an unknown answer, a date before the offer", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn respond(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    record: GuardedRecord,
    JsonBody(input): JsonBody<PartnerAnswerIn>,
) -> Result<Json<OpportunityOut>, WebError> {
    let reference = reference_of(&record);
    let on = optional_date("on", input.on.as_deref())?;
    use_case::respond(
        &state.app,
        &viewer.caller(),
        id,
        &reference,
        input.version,
        &Answer {
            partner: input.partner,
            kind: input.kind,
            on,
            note: input.note.unwrap_or_default(),
        },
    )
    .await?;
    Ok(Json(one(&state, &viewer, id, &reference).await?))
}

/// Another partner for the opportunity's service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OtherPartnerIn {
    /// The other partner's name.
    pub name: String,
    /// Its GSS code, when a council.
    #[serde(default)]
    pub authority: Option<String>,
    /// When, `YYYY-MM-DD`.
    pub on: String,
    /// Details.
    #[serde(default)]
    pub note: Option<String>,
    /// The version read.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Records another partner for the service — only once every preferred partner has declined
/// (the preferred-partner rule, MOU 3.2.1–3.2.3). The arrangement is recorded as open for the
/// preferred partners to join later.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/opportunities/{reference}/other-partners",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The opportunity's reference: OPP-7"),
    ),
    request_body = OtherPartnerIn,
    responses(
        (status = 200, description = "Recorded", body = OpportunityOut),
        (status = 409, description = "The opportunity changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused by the preferred-partner rule (field `partners` or `on`), or a member named as the other partner (`authority`)", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn record_other_partner(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    record: GuardedRecord,
    JsonBody(input): JsonBody<OtherPartnerIn>,
) -> Result<Json<OpportunityOut>, WebError> {
    let reference = reference_of(&record);
    use_case::record_other_partner(
        &state.app,
        &viewer.caller(),
        id,
        &reference,
        input.version,
        &NewOtherPartner {
            name: input.name,
            authority: input.authority,
            on: input.on,
            note: input.note.unwrap_or_default(),
        },
    )
    .await?;
    Ok(Json(one(&state, &viewer, id, &reference).await?))
}

// ----- the assessment -----

/// One council's rating of one criterion.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RatingOut {
    /// The council's GSS code.
    pub council: String,
    /// The criterion.
    pub criterion: String,
    /// red, amber or green.
    pub rating: String,
    /// Why.
    pub rationale: String,
    /// A link to the evidence.
    pub evidence: Option<String>,
    /// Whether it is illustrative (demonstration data, not the council's view).
    pub illustrative: bool,
}

/// An opportunity's assessment under the criteria set it uses.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentOut {
    /// The opportunity's reference.
    pub reference: String,
    /// The opportunity's record id.
    pub opportunity_id: i64,
    /// The version of the criteria used.
    pub criteria_version: u32,
    /// The councils that rate: the originating council and the preferred partners that accepted.
    pub councils: Vec<CouncilOut>,
    /// Every rating the caller may see.
    pub ratings: Vec<RatingOut>,
    /// For each council that has rated, the version of its ratings: send it back with a change
    /// (`versions`), which is refused (409) if they changed since.
    pub versions: BTreeMap<String, i64>,
    /// Whether every council has rated every criterion.
    pub complete: bool,
    /// The ratings still missing, in words.
    pub missing: Vec<String>,
    /// The gateway's report when complete: outcome, reasons, conditions, score, rank, combined
    /// ratings, flips and weight ranges — one opportunity of `accord assess`'s output
    /// (docs/schemas/assess.md).
    #[schema(value_type = Option<Object>)]
    pub report: Option<AssessmentReport>,
}

fn assessment_out(programme: &Programme, entry: &Entry) -> AssessmentOut {
    let o = entry.opportunity();
    AssessmentOut {
        reference: o.reference(),
        opportunity_id: o.id,
        criteria_version: entry.set,
        councils: entry
            .councils
            .iter()
            .map(|c| CouncilOut {
                gss: c.gss.to_string(),
                name: programme.name(&c.gss),
            })
            .collect(),
        ratings: entry
            .current_parts()
            .flat_map(|p| {
                p.ratings.ratings.iter().map(|r| RatingOut {
                    council: r.council.to_string(),
                    criterion: r.criterion.clone(),
                    rating: r.rating.slug().to_owned(),
                    rationale: r.rationale.clone(),
                    evidence: r.evidence.clone(),
                    illustrative: p.ratings.illustrative,
                })
            })
            .collect(),
        versions: entry
            .current_parts()
            .map(|p| (p.ratings.council.to_string(), p.version))
            .collect(),
        complete: matches!(entry.state, AssessmentState::Complete { .. }),
        missing: match &entry.state {
            AssessmentState::Incomplete { missing, .. } => {
                missing.errors.iter().map(|e| e.message.clone()).collect()
            }
            _ => Vec::new(),
        },
        report: entry.state.report().cloned(),
    }
}

/// An opportunity's assessment: every rating the caller may see and, when complete, the
/// gateway's explained report.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/opportunities/{reference}/assessment",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The opportunity's reference: OPP-7"),
    ),
    responses(
        (status = 200, description = "The assessment", body = AssessmentOut),
        (status = 404, description = "No such opportunity", body = ErrorResponse),
    ),
)]
pub async fn assessment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    record: GuardedRecord,
) -> Result<Json<AssessmentOut>, WebError> {
    let within = accord_app::gateway::assessment::assessment(
        &state.app,
        &viewer.caller(),
        id,
        &reference_of(&record),
    )
    .await?;
    Ok(Json(assessment_out(&within.programme, within.entry())))
}

/// One rating to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingIn {
    /// The council: its GSS code or name.
    pub council: String,
    /// The criterion's name, as in the version used.
    pub criterion: String,
    /// R, A or G (or red, amber, green).
    pub rating: String,
    /// Why: every rating has a reason.
    pub rationale: String,
    /// A link to the evidence.
    #[serde(default)]
    pub evidence: Option<String>,
}

/// Ratings to record, for one council or several.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingsIn {
    /// The version of the criteria to rate under; the one the assessment uses when left out
    /// (give the current version to start again under new criteria).
    #[serde(default)]
    pub criteria_version: Option<u32>,
    /// Who may see the councils' ratings: partnership (default), council or published.
    #[serde(default)]
    pub classification: Option<String>,
    /// The ratings; a criterion rated again replaces the council's earlier rating.
    pub ratings: Vec<RatingIn>,
    /// For each council, the version of its ratings read (`versions` of the assessment; 0
    /// for a council that had not rated): ratings changed since are refused (409).
    #[serde(default)]
    pub versions: BTreeMap<String, i64>,
}

/// Records councils' ratings, all in one transaction: if any rating is refused, none is
/// recorded. An officer rates for their own council only; the programme team for any.
/// Refused with 422, naming the field (`ratings[i].rating`, `.criterion`, `.council`,
/// `.rationale`, or `status` for an opportunity not being assessed), with 403 for a council the
/// caller may not rate for, with 409 for a council whose ratings changed since the version
/// given; nothing changed.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/opportunities/{reference}/assessment",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The opportunity's reference: OPP-7"),
    ),
    request_body = RatingsIn,
    responses(
        (status = 200, description = "Recorded: the assessment now", body = AssessmentOut),
        (status = 403, description = "The caller may not rate for one of the councils", body = ErrorResponse),
        (status = 409, description = "A council's ratings changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn rate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, key)): Path<(i64, String)>,
    JsonBody(input): JsonBody<RatingsIn>,
) -> Result<Json<AssessmentOut>, WebError> {
    let caller = viewer.caller();
    let classification = input
        .classification
        .as_deref()
        .map(|c| parse_classification("classification", c))
        .transpose()?;
    // The route's guard is the rating area; the use case finds the opportunity, by its
    // reference or by an old address's record id.
    let reference = use_case::canonical_reference(&state.app, &caller, id, &key).await?;
    accord_app::gateway::assessment::rate(
        &state.app,
        &caller,
        id,
        &reference,
        &Rate {
            version: input.criteria_version,
            classification,
            inputs: input
                .ratings
                .into_iter()
                .map(|r| RatingInput {
                    council: r.council,
                    criterion: r.criterion,
                    rating: r.rating,
                    rationale: r.rationale,
                    evidence: r.evidence,
                })
                .collect(),
            from_versions: input.versions.into_iter().collect(),
            illustrative: false,
        },
    )
    .await?;
    let within =
        accord_app::gateway::assessment::assessment(&state.app, &caller, id, &reference).await?;
    Ok(Json(assessment_out(&within.programme, within.entry())))
}

// ----- the matrix -----

/// One row of the RAG matrix.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MatrixRowOut {
    /// The opportunity's reference.
    pub reference: String,
    /// The opportunity's record id.
    pub opportunity_id: i64,
    /// The service.
    pub service: String,
    /// The phase, if stated.
    pub phase: Option<u32>,
    /// The wave, if stated.
    pub wave: Option<u32>,
    /// The status's slug.
    pub status: String,
    /// The version of the criteria its assessment uses.
    pub criteria_version: u32,
    /// Per criterion of that version, the combined rating's letter (R, A, G), or null where not
    /// every council has rated it.
    pub cells: Vec<Option<String>>,
    /// pass, pass-with-conditions or fail, when complete.
    pub outcome: Option<String>,
    /// The weighted score, when complete.
    pub score: Option<f64>,
    /// The rank under its version, when complete.
    pub rank: Option<usize>,
    /// Whether its ratings are illustrative.
    pub illustrative: bool,
}

/// The RAG matrix: one row per opportunity, grouped by phase.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MatrixOut {
    /// The partnership's current version of the criteria.
    pub current_version: u32,
    /// Each version in use: its number and its criteria's names, in column order.
    pub versions: Vec<MatrixVersionOut>,
    /// The rows, phase by phase.
    pub rows: Vec<MatrixRowOut>,
}

/// A version of the criteria in the matrix.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MatrixVersionOut {
    /// Its number.
    pub version: u32,
    /// Its criteria, in column order.
    pub criteria: Vec<String>,
}

/// The RAG matrix (the Schedule 1 view) as data.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/opportunities/matrix",
    tag = "opportunities",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 200, description = "The matrix", body = MatrixOut)),
)]
pub async fn matrix(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<MatrixOut>, WebError> {
    let matrix = matrix_use_case::matrix(&state.app, &viewer.caller(), id).await?;
    let mut versions = Vec::new();
    let mut rows = Vec::new();
    for (group, set) in matrix.with_sets() {
        versions.push(MatrixVersionOut {
            version: set.version(),
            criteria: set
                .criteria
                .criteria
                .iter()
                .map(|c| c.name.clone())
                .collect(),
        });
        for (_, entries) in &group.phases {
            for &index in entries {
                let entry = matrix.entry(index);
                let o = entry.opportunity();
                let report = entry.state.report();
                rows.push(MatrixRowOut {
                    reference: o.reference(),
                    opportunity_id: o.id,
                    service: o.service.name.clone(),
                    phase: o.phase,
                    wave: o.wave,
                    status: o.status.kind().slug().to_owned(),
                    criteria_version: entry.set,
                    cells: set
                        .criteria
                        .criteria
                        .iter()
                        .map(|c| entry.combined(set, &c.name).map(|r| r.letter().to_string()))
                        .collect(),
                    outcome: report.map(|r| r.outcome.slug().to_owned()),
                    score: report.map(|r| r.score),
                    rank: report.map(|r| r.rank),
                    illustrative: entry.illustrative(),
                });
            }
        }
    }
    Ok(Json(MatrixOut {
        current_version: matrix.programme.current().version(),
        versions,
        rows,
    }))
}

// ----- the criteria -----

/// A criterion.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionIo {
    /// Its name, unique in the version ignoring case.
    pub name: String,
    /// Its weight: 0 to 1000, at most six decimal places; at least one above 0.
    pub weight: f64,
    /// Whether a Red on it fails the gateway.
    #[serde(default)]
    pub critical: bool,
}

/// The gateway rule.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleIo {
    /// worst (default), majority or mean.
    #[serde(default)]
    pub combination: Option<String>,
    /// Whether a Red on a critical criterion fails (default true).
    #[serde(default)]
    pub critical_red_fails: Option<bool>,
    /// The lowest weighted score that passes, 0 to 1 (default 0.7).
    #[serde(default)]
    pub threshold: Option<f64>,
    /// The most criteria below Green; null for no limit (default 4 when left out).
    #[serde(default, deserialize_with = "present_i64")]
    #[schema(value_type = Option<i64>)]
    pub max_ambers: Option<Option<i64>>,
}

fn present_i64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// A version of the criteria and rule.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CriteriaVersionOut {
    /// Its number.
    pub version: u32,
    /// The criteria.
    pub criteria: Vec<CriterionIo>,
    /// The rule.
    pub rule: RuleIo,
    /// When it was adopted; null for the built-in defaults.
    pub on: Option<NaiveDate>,
    /// Who adopted it.
    pub by: String,
    /// What changed and why.
    pub note: String,
}

fn version_out(v: &CriteriaSet) -> CriteriaVersionOut {
    CriteriaVersionOut {
        version: v.version(),
        criteria: v
            .criteria
            .criteria
            .iter()
            .map(|c| CriterionIo {
                name: c.name.clone(),
                weight: c.weight.as_f64(),
                critical: c.critical,
            })
            .collect(),
        rule: RuleIo {
            combination: Some(v.rule.combination.slug().to_owned()),
            critical_red_fails: Some(v.rule.critical_red_fails),
            threshold: Some(v.rule.threshold.as_f64()),
            max_ambers: Some(v.rule.max_ambers.map(i64::from)),
        },
        on: v.on,
        by: v.by.clone(),
        note: v.note.clone(),
    }
}

/// Every version of a partnership's criteria and rule, oldest first; the last is current.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/criteria",
    tag = "opportunities",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 200, description = "The versions", body = [CriteriaVersionOut])),
)]
pub async fn criteria(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<Vec<CriteriaVersionOut>>, WebError> {
    let sets = criteria_sets::criteria_sets(&state.app, &viewer.caller(), id).await?;
    Ok(Json(sets.sets.iter().map(version_out).collect()))
}

/// A new version of the criteria and rule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriteriaVersionIn {
    /// The criteria, in the order to show them.
    pub criteria: Vec<CriterionIo>,
    /// The rule; every field has a default.
    #[serde(default)]
    pub rule: RuleIo,
    /// What changed and why.
    #[serde(default)]
    pub note: Option<String>,
}

/// Makes the next version of the partnership's criteria and rule (the programme team).
/// Assessments keep the version they used.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/criteria",
    tag = "opportunities",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = CriteriaVersionIn,
    responses(
        (status = 201, description = "The new version", body = CriteriaVersionOut),
        (status = 422, description = "Refused: a weight negative or all zero (`criteria[i].weight`, `criteria`), a repeated name, a bad rule, nothing changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn revise_criteria(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<CriteriaVersionIn>,
) -> Result<(StatusCode, Json<CriteriaVersionOut>), WebError> {
    let criteria: Vec<CriterionInput> = input
        .criteria
        .into_iter()
        .map(|c| CriterionInput {
            name: c.name,
            weight: c.weight,
            critical: c.critical,
        })
        .collect();
    let rule = RuleInput {
        combination: input.rule.combination,
        critical_red_fails: input.rule.critical_red_fails,
        threshold: input.rule.threshold,
        max_ambers: input.rule.max_ambers,
    };
    let version = criteria_sets::publish(
        &state.app,
        &viewer.caller(),
        id,
        &criteria,
        &rule,
        input.note.as_deref().unwrap_or(""),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(version_out(&version))))
}
