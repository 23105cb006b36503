//! Opportunities, the preferred-partner rule, the gateway's criteria, the councils' ratings and
//! the RAG matrix in the API; and the service catalogue. The same functions as the pages do the
//! work, so the domain's rules and the access policy apply the same way on both paths.

use accord_domain::Invalid;
use accord_domain::gateway::{
    AssessmentReport, CriterionInput, GatewayVersion, RatingInput, RuleInput,
};
use accord_domain::opportunity::{NewOpportunity, NewOtherPartner, Opportunity, StatusKind};
use accord_domain::service::Service;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ErrorResponse, WebError};
use crate::forms::JsonBody;
use crate::opportunity_records::{self as records, Entry, Gateway, Programme};
use crate::pages::opportunities::{
    self as pages, Answer, Raise, StatusAsk, assessment as assessment_pages,
    criteria as criteria_pages, optional_date,
};

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
}

/// The service catalogue, in the order services were added.
#[utoipa::path(
    get,
    path = "/api/v1/services",
    tag = "opportunities",
    responses((status = 200, description = "Every service of the catalogue", body = [ServiceOut])),
)]
pub async fn services(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Vec<ServiceOut>>, WebError> {
    let catalogue = records::catalogue(&state, &viewer).await?;
    Ok(Json(
        catalogue.services.iter().map(ServiceOut::from).collect(),
    ))
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
    let mut service = Service::parse(&input.name, &input.category)?;
    service.id = records::add_service(&state, &viewer, service.clone()).await?;
    Ok((StatusCode::CREATED, Json(ServiceOut::from(&service))))
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
    records::update_service(&state, &viewer, service_id, &input.name, &input.category).await?;
    let catalogue = records::catalogue(&state, &viewer).await?;
    let service = catalogue
        .services
        .iter()
        .find(|s| s.id == service_id)
        .ok_or(WebError::NotFound)?;
    Ok(Json(ServiceOut::from(service)))
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
    /// The rank in the programme under this version, when complete.
    pub rank: Option<usize>,
    /// Why, in plain words.
    pub reasons: Vec<String>,
    /// Whether any rating shown is illustrative (demonstration data).
    pub illustrative: bool,
}

/// An opportunity.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OpportunityOut {
    /// Its id.
    pub id: i64,
    /// The partnership's id.
    pub partnership_id: i64,
    /// The record's version: send it back to detect a concurrent change.
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

fn council_out(programme: &Programme, gss: &accord_domain::GssCode) -> CouncilOut {
    CouncilOut {
        gss: gss.to_string(),
        name: programme.name(gss),
    }
}

fn gateway_out(entry: &Entry) -> GatewayOut {
    let mut out = GatewayOut {
        criteria_version: entry.version,
        state: "not-started".to_owned(),
        rated: 0,
        needed: 0,
        outcome: None,
        score: None,
        rank: None,
        reasons: Vec::new(),
        illustrative: entry.illustrative(),
    };
    match &entry.gateway {
        Gateway::NotStarted => {}
        Gateway::Incomplete { rated, needed, .. } => {
            out.state = "incomplete".to_owned();
            out.rated = *rated;
            out.needed = *needed;
        }
        Gateway::Complete { report, assessment } => {
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

fn opportunity_out(programme: &Programme, entry: &Entry) -> OpportunityOut {
    let o: &Opportunity = entry.opportunity();
    OpportunityOut {
        id: o.id,
        partnership_id: programme.partnership.id,
        version: entry.stored.record.version,
        classification: entry.stored.record.meta.classification.slug().to_owned(),
        service: ServiceOut::from(&o.service),
        scope: o.scope.clone(),
        originating: council_out(programme, &o.originating),
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
                partner: council_out(programme, &offer.partner),
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
        gateway: gateway_out(entry),
    }
}

async fn one(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    record_id: i64,
) -> Result<OpportunityOut, WebError> {
    let programme = records::programme(state, viewer, id).await?;
    let entry = programme.entry(record_id).ok_or(WebError::NotFound)?;
    Ok(opportunity_out(&programme, entry))
}

/// The filters of the list.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct OpportunityFilter {
    /// Only this phase.
    #[serde(default)]
    pub phase: Option<u32>,
    /// Only this wave.
    #[serde(default)]
    pub wave: Option<u32>,
    /// Only this status (its slug).
    #[serde(default)]
    pub status: Option<String>,
}

/// A partnership's opportunities the caller may see, in the order they were raised.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/opportunities",
    tag = "opportunities",
    params(("id" = i64, Path, description = "The partnership's id"), OpportunityFilter),
    responses(
        (status = 200, description = "The opportunities", body = [OpportunityOut]),
        (status = 422, description = "An unknown status", body = ErrorResponse),
    ),
)]
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(filter): Query<OpportunityFilter>,
) -> Result<Json<Vec<OpportunityOut>>, WebError> {
    let status = filter
        .status
        .as_deref()
        .map(|s| StatusKind::parse("status", s))
        .transpose()?;
    let programme = records::programme(&state, &viewer, id).await?;
    Ok(Json(
        programme
            .entries
            .iter()
            .filter(|e| {
                filter
                    .phase
                    .is_none_or(|p| e.opportunity().phase == Some(p))
            })
            .filter(|e| filter.wave.is_none_or(|w| e.opportunity().wave == Some(w)))
            .filter(|e| status.is_none_or(|s| e.opportunity().status.kind() == s))
            .map(|e| opportunity_out(&programme, e))
            .collect(),
    ))
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

/// Raises an opportunity. It starts `identified`; offer it to the preferred partners next.
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
    let record_id = pages::raise(
        &state,
        &viewer,
        id,
        &Raise {
            service_id: input.service_id.to_string(),
            input: NewOpportunity {
                scope: input.scope,
                originating: input.originating,
                wave: input.wave,
                phase: input.phase,
                size: input.size,
            },
            classification: input.classification.unwrap_or_default(),
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(one(&state, &viewer, id, record_id).await?),
    ))
}

/// One opportunity, with its history, offers and assessment.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/opportunities/{record_id}",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The opportunity's id"),
    ),
    responses(
        (status = 200, description = "The opportunity", body = OpportunityOut),
        (status = 404, description = "No such opportunity, or not one the caller may see", body = ErrorResponse),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
) -> Result<Json<OpportunityOut>, WebError> {
    Ok(Json(one(&state, &viewer, id, record_id).await?))
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
    /// The version read, to refuse the change if someone else changed it since.
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

async fn guarded(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    record_id: i64,
) -> Result<records::StoredOpportunity, WebError> {
    records::opportunity(state, viewer, id, record_id).await
}

/// Changes an opportunity's scope, phase, wave or size.
#[utoipa::path(
    patch,
    path = "/api/v1/partnerships/{id}/opportunities/{record_id}",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The opportunity's id"),
    ),
    request_body = OpportunityPatch,
    responses(
        (status = 200, description = "Changed", body = OpportunityOut),
        (status = 422, description = "Refused", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    JsonBody(patch): JsonBody<OpportunityPatch>,
) -> Result<Json<OpportunityOut>, WebError> {
    let stored = guarded(&state, &viewer, id, record_id).await?;
    let mut o = stored.opportunity.clone();
    let size = patch.size.as_ref().map(|s| s.as_deref().unwrap_or(""));
    pages::apply_details(
        &mut o,
        patch.scope.as_deref(),
        patch.phase,
        patch.wave,
        size,
    )?;
    records::save_opportunity(
        &state,
        &viewer,
        &stored.record,
        &o,
        patch.version,
        patch.reason.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(Json(one(&state, &viewer, id, record_id).await?))
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
    /// The version read, to refuse the change if someone else changed it since.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Moves an opportunity through its lifecycle. Passing needs a complete assessment whose
/// outcome passes; assessing needs a preferred partner's acceptance; a not-pursued opportunity
/// is final.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/opportunities/{record_id}/status",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The opportunity's id"),
    ),
    request_body = StatusIn,
    responses(
        (status = 200, description = "Changed", body = OpportunityOut),
        (status = 422, description = "Refused: a move the lifecycle does not allow, a date before the last change, no passing gateway outcome", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn change_status(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    JsonBody(input): JsonBody<StatusIn>,
) -> Result<Json<OpportunityOut>, WebError> {
    let stored = guarded(&state, &viewer, id, record_id).await?;
    let mut invalid = Invalid::new();
    let on = invalid
        .check(optional_date("on", input.on.as_deref()))
        .flatten();
    let re_evaluate = invalid
        .check(optional_date("re_evaluate", input.re_evaluate.as_deref()))
        .flatten();
    invalid.into_result()?;
    pages::apply_status(
        &state,
        &viewer,
        id,
        &stored,
        &StatusAsk {
            to: input.to,
            on,
            re_evaluate,
            reason: input.reason.unwrap_or_default(),
        },
        input.version,
    )
    .await?;
    Ok(Json(one(&state, &viewer, id, record_id).await?))
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
    path = "/api/v1/partnerships/{id}/opportunities/{record_id}/offer",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The opportunity's id"),
    ),
    request_body = OfferIn,
    responses(
        (status = 200, description = "Offered", body = OpportunityOut),
        (status = 422, description = "Refused: no other member, already offered, a date before the last change", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn offer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    JsonBody(input): JsonBody<OfferIn>,
) -> Result<Json<OpportunityOut>, WebError> {
    let stored = guarded(&state, &viewer, id, record_id).await?;
    let on = optional_date("on", input.on.as_deref())?.unwrap_or_else(|| state.today());
    pages::apply_offer(&state, &viewer, id, &stored, on, input.version).await?;
    Ok(Json(one(&state, &viewer, id, record_id).await?))
}

/// A preferred partner's answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseIn {
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
    path = "/api/v1/partnerships/{id}/opportunities/{record_id}/responses",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The opportunity's id"),
    ),
    request_body = ResponseIn,
    responses(
        (status = 200, description = "Recorded", body = OpportunityOut),
        (status = 422, description = "Refused: not offered to that council, an unknown answer, a date before the offer", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn respond(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    JsonBody(input): JsonBody<ResponseIn>,
) -> Result<Json<OpportunityOut>, WebError> {
    let stored = guarded(&state, &viewer, id, record_id).await?;
    let on = optional_date("on", input.on.as_deref())?;
    pages::apply_answer(
        &state,
        &viewer,
        &stored,
        &Answer {
            partner: input.partner,
            kind: input.kind,
            on,
            note: input.note.unwrap_or_default(),
        },
        input.version,
    )
    .await?;
    Ok(Json(one(&state, &viewer, id, record_id).await?))
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
    path = "/api/v1/partnerships/{id}/opportunities/{record_id}/other-partners",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The opportunity's id"),
    ),
    request_body = OtherPartnerIn,
    responses(
        (status = 200, description = "Recorded", body = OpportunityOut),
        (status = 422, description = "Refused by the preferred-partner rule (field `partners` or `on`), or a member named as the other partner (`authority`)", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn record_other_partner(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    JsonBody(input): JsonBody<OtherPartnerIn>,
) -> Result<Json<OpportunityOut>, WebError> {
    let stored = guarded(&state, &viewer, id, record_id).await?;
    pages::apply_other_partner(
        &state,
        &viewer,
        id,
        &stored,
        &NewOtherPartner {
            name: input.name,
            authority: input.authority,
            on: input.on,
            note: input.note.unwrap_or_default(),
        },
        input.version,
    )
    .await?;
    Ok(Json(one(&state, &viewer, id, record_id).await?))
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

/// An opportunity's assessment under the version it uses.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentOut {
    /// The opportunity's id.
    pub opportunity_id: i64,
    /// The version of the criteria used.
    pub criteria_version: u32,
    /// The councils that rate: the originating council and the preferred partners that accepted.
    pub councils: Vec<CouncilOut>,
    /// Every rating the caller may see.
    pub ratings: Vec<RatingOut>,
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
    let illustrative = |gss: &accord_domain::GssCode| {
        entry
            .current_parts()
            .any(|p| &p.part.council == gss && p.part.illustrative)
    };
    AssessmentOut {
        opportunity_id: entry.opportunity().id,
        criteria_version: entry.version,
        councils: entry
            .councils
            .iter()
            .map(|c| council_out(programme, &c.gss))
            .collect(),
        ratings: entry
            .current_parts()
            .flat_map(|p| p.part.ratings.iter())
            .map(|r| RatingOut {
                council: r.council.to_string(),
                criterion: r.criterion.clone(),
                rating: r.rating.slug().to_owned(),
                rationale: r.rationale.clone(),
                evidence: r.evidence.clone(),
                illustrative: illustrative(&r.council),
            })
            .collect(),
        complete: matches!(entry.gateway, Gateway::Complete { .. }),
        missing: match &entry.gateway {
            Gateway::Incomplete { missing, .. } => {
                missing.errors.iter().map(|e| e.message.clone()).collect()
            }
            _ => Vec::new(),
        },
        report: entry.gateway.report().cloned(),
    }
}

/// An opportunity's assessment: every rating the caller may see and, when complete, the
/// gateway's explained report.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/opportunities/{record_id}/assessment",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The opportunity's id"),
    ),
    responses(
        (status = 200, description = "The assessment", body = AssessmentOut),
        (status = 404, description = "No such opportunity", body = ErrorResponse),
    ),
)]
pub async fn assessment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
) -> Result<Json<AssessmentOut>, WebError> {
    let programme = records::programme(&state, &viewer, id).await?;
    let entry = programme.entry(record_id).ok_or(WebError::NotFound)?;
    Ok(Json(assessment_out(&programme, entry)))
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

/// Ratings to record.
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
}

/// Records councils' ratings. An officer rates for their own council only; the programme team
/// for any. Refused with 422, naming the field (`ratings[i].rating`, `.criterion`, `.council`,
/// `.rationale`, or `status` for an opportunity not being assessed), and nothing changed.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/opportunities/{record_id}/assessment",
    tag = "opportunities",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The opportunity's id"),
    ),
    request_body = RatingsIn,
    responses(
        (status = 200, description = "Recorded: the assessment now", body = AssessmentOut),
        (status = 403, description = "The caller may not rate for one of the councils", body = ErrorResponse),
        (status = 422, description = "Refused", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn rate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    JsonBody(input): JsonBody<RatingsIn>,
) -> Result<Json<AssessmentOut>, WebError> {
    let classification = input
        .classification
        .as_deref()
        .map(|c| records::parse_classification("classification", c))
        .transpose()?;
    assessment_pages::apply_ratings(
        &state,
        &viewer,
        id,
        record_id,
        &assessment_pages::Ratings {
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
        },
    )
    .await?;
    let programme = records::programme(&state, &viewer, id).await?;
    let entry = programme.entry(record_id).ok_or(WebError::NotFound)?;
    Ok(Json(assessment_out(&programme, entry)))
}

// ----- the matrix -----

/// One row of the RAG matrix.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MatrixRowOut {
    /// The opportunity's id.
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
    let programme = records::programme(&state, &viewer, id).await?;
    let grouped = pages::matrix::groups(&programme);
    let mut versions = Vec::new();
    let mut rows = Vec::new();
    for (version, phases) in &grouped.versions {
        versions.push(MatrixVersionOut {
            version: version.version(),
            criteria: version
                .criteria
                .criteria
                .iter()
                .map(|c| c.name.clone())
                .collect(),
        });
        for (_, entries) in phases {
            for entry in entries {
                let o = entry.opportunity();
                let report = entry.gateway.report();
                rows.push(MatrixRowOut {
                    opportunity_id: o.id,
                    service: o.service.name.clone(),
                    phase: o.phase,
                    wave: o.wave,
                    status: o.status.kind().slug().to_owned(),
                    criteria_version: entry.version,
                    cells: version
                        .criteria
                        .criteria
                        .iter()
                        .map(|c| {
                            assessment_pages::combined_cell(entry, version, &c.name)
                                .map(|r| r.letter().to_string())
                        })
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
        current_version: programme.current().version(),
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
pub struct VersionOut {
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

fn version_out(v: &GatewayVersion) -> VersionOut {
    VersionOut {
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
    responses((status = 200, description = "The versions", body = [VersionOut])),
)]
pub async fn criteria(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<Vec<VersionOut>>, WebError> {
    records::partnership(&state, id).await?;
    let versions = records::versions(&state, &viewer, id).await?;
    Ok(Json(versions.iter().map(version_out).collect()))
}

/// A new version of the criteria and rule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionIn {
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
    request_body = VersionIn,
    responses(
        (status = 201, description = "The new version", body = VersionOut),
        (status = 422, description = "Refused: a weight negative or all zero (`criteria[i].weight`, `criteria`), a repeated name, a bad rule, nothing changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn revise_criteria(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<VersionIn>,
) -> Result<(StatusCode, Json<VersionOut>), WebError> {
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
    let version = criteria_pages::revise(
        &state,
        &viewer,
        id,
        &criteria,
        &rule,
        input.note.as_deref().unwrap_or(""),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(version_out(&version))))
}
