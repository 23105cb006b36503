//! Information-law requests in the API: the deadline calculator, the register, a request with
//! its deadlines, the workflow's actions, internal reviews and complaints, the statistics and
//! the disclosure log. A request's requester is in its answer only for the information role.

use accord_domain::request::cli::{DeadlineArgs, deadline as calculate};
use accord_domain::request::{
    Action, DecisionNotice, NewRequest, Outcome, Regime, Requester, ReviewOutcome, Timeliness,
};
use accord_domain::{GssCode, Invalid};
use accord_store::requests::{REQUEST_KIND, calendars, decode_request, open_statuses};
use accord_store::{RecordOrder, RecordQuery, StoredRecord};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ErrorResponse, WebError};
use crate::forms::JsonBody;
use crate::guard::GuardedRecord;
use crate::pages::requests::{disclosure, ops, register, statistics as stats};

fn slug<T: Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn json<T: Serialize>(value: &T) -> Result<serde_json::Value, WebError> {
    serde_json::to_value(value).map_err(|e| WebError::Internal(e.into()))
}

// ----- the deadline calculator -----

/// The calculator's question, as `accord deadline` takes it.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// `foi`, `eir`, `foisa` or `sar`.
    #[serde(default)]
    pub regime: String,
    /// The date of receipt, `YYYY-MM-DD`.
    #[serde(default)]
    pub received: String,
    /// Clock events, comma-separated, each `KIND:YYYY-MM-DD` (or
    /// `public_interest_extension:NOTICE:UNTIL`), e.g.
    /// `clarification_sought:2025-03-05,clarification_received:2025-03-10`.
    #[serde(default)]
    pub events: Option<String>,
    /// For subject access, the council's division: `england-and-wales` (default),
    /// `scotland` or `northern-ireland`.
    #[serde(default)]
    pub division: Option<String>,
}

/// The calculator's answer: the same JSON as `accord deadline` (see
/// `docs/schemas/deadline.md`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeadlineOut {
    /// `foi`, `eir`, `foisa` or `sar`.
    pub regime: String,
    /// The law's name.
    pub regime_name: String,
    /// The date of receipt.
    pub received: NaiveDate,
    /// The calendar counted in: `united-kingdom`, `england-and-wales`, `scotland` or
    /// `northern-ireland`.
    pub calendar: String,
    /// The statutory due date; null while the clock is stopped.
    pub due: Option<NaiveDate>,
    /// The due date with a claimed extension.
    pub extended_due: Option<NaiveDate>,
    /// The protocol's internal target.
    pub internal_target: Option<NaiveDate>,
    /// The date the response must go by.
    pub answer_by: Option<NaiveDate>,
    /// Where each division's holidays came from, per year: `rules` or `feed`.
    #[schema(value_type = Vec<Object>)]
    pub holiday_sources: serde_json::Value,
    /// Everything, with the working: every day counted and every day skipped, with why.
    #[schema(value_type = Object)]
    pub deadlines: serde_json::Value,
}

/// The domain names the command line's arguments; the API's are its query's.
fn api_fields(invalid: Invalid) -> Invalid {
    let mut out = Invalid::new();
    for e in invalid.errors {
        let field = match e.field.strip_prefix("--") {
            Some(rest) => rest
                .strip_prefix("event")
                .map_or_else(|| rest.to_owned(), |i| format!("events{i}")),
            None => e.field,
        };
        out.push(field, e.message);
    }
    out
}

/// Computes a request's due dates under FOIA, EIR, FOISA or subject access, with the working.
#[utoipa::path(
    get,
    path = "/api/v1/deadline",
    tag = "requests",
    params(DeadlineQuery),
    responses(
        (status = 200, description = "The due dates and their working", body = DeadlineOut),
        (status = 422, description = "Refused: a date in the future, an event before receipt, an extension the law does not have", body = ErrorResponse),
    ),
)]
pub async fn deadline(
    State(state): State<AppState>,
    Query(q): Query<DeadlineQuery>,
) -> Result<Json<DeadlineOut>, WebError> {
    let args = DeadlineArgs {
        regime: q.regime,
        received: q.received,
        events: q
            .events
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect(),
        division: q.division.filter(|d| !d.trim().is_empty()),
    };
    let table = accord_store::holidays::holiday_table(&*state.store).await?;
    let out = calculate(&args, &table, state.today(), &ops::protocol()).map_err(api_fields)?;
    serde_json::from_value(json(&out)?)
        .map(Json)
        .map_err(|e| WebError::Internal(e.into()))
}

// ----- the register -----

/// A request in the register's list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RequestSummary {
    /// The record's id.
    pub id: i64,
    /// The register's reference.
    pub reference: String,
    /// `foi`, `eir`, `foisa` or `sar`.
    pub regime: String,
    /// The workflow's stage, e.g. `consultation`.
    pub stage: String,
    /// What was asked for.
    pub summary: String,
    /// When it was received.
    pub received: NaiveDate,
    /// The GSS code of the council that received it.
    pub received_by: String,
    /// The lead council, once agreed.
    pub lead: Option<String>,
    /// The date the response must go by; null while the clock is stopped.
    pub answer_by: Option<NaiveDate>,
}

fn summary_of(record: &StoredRecord) -> Result<RequestSummary, WebError> {
    let r = decode_request(record)?;
    Ok(RequestSummary {
        id: record.id,
        reference: r.reference.clone(),
        regime: r.regime.slug().to_owned(),
        stage: r.stage.slug().to_owned(),
        summary: r.summary.clone(),
        received: r.received(),
        received_by: r.received_by.to_string(),
        lead: r.lead.as_ref().map(ToString::to_string),
        answer_by: record.key_date,
    })
}

/// The register's query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this stage (e.g. `drafting`), or `open` for every open request.
    #[serde(default)]
    pub stage: Option<String>,
}

/// The partnership's requests the caller may see, by due date.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/requests",
    tag = "requests",
    params(("id" = i64, Path, description = "The partnership's id"), ListQuery),
    responses(
        (status = 200, description = "The requests", body = [RequestSummary]),
        (status = 422, description = "An unknown stage", body = ErrorResponse),
    ),
)]
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<RequestSummary>>, WebError> {
    register::partnership(&state, id).await?;
    let statuses = match q.stage.as_deref().map(str::trim) {
        None | Some("") => Vec::new(),
        Some("open") => open_statuses(),
        Some(text) => vec![
            accord_domain::request::Stage::parse("stage", text)?
                .slug()
                .to_owned(),
        ],
    };
    let records = state
        .store
        .records(
            &RecordQuery {
                statuses,
                order: RecordOrder::KeyDate,
                ..RecordQuery::of(REQUEST_KIND, id)
            },
            &viewer.scope(),
            state.today(),
        )
        .await?;
    records
        .iter()
        .map(summary_of)
        .collect::<Result<_, _>>()
        .map(Json)
}

/// The person who asked.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequesterIo {
    /// Their name.
    pub name: String,
    /// An email or postal address to reply to.
    pub contact: String,
}

/// A new request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequestIn {
    /// The register's reference; the next number when omitted.
    #[serde(default)]
    pub reference: Option<String>,
    /// The GSS code of the council that received it.
    pub received_by: String,
    /// `email`, `web_form`, `post`, `social_media`, `in_person` or `phone`.
    pub channel: String,
    /// When it arrived, UK local time: `2025-03-03T16:45:00`.
    pub received_at: NaiveDateTime,
    /// `foi`, `eir`, `foisa` or `sar`.
    pub regime: String,
    /// What was asked for, without personal data.
    pub summary: String,
    /// Who asked: personal data, seen by the information role only.
    pub requester: RequesterIo,
}

/// A request with its deadlines, review and complaint.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RequestOut {
    /// The record's id.
    pub id: i64,
    /// The register's reference.
    pub reference: String,
    /// `foi`, `eir`, `foisa` or `sar`.
    pub regime: String,
    /// The workflow's stage.
    pub stage: String,
    /// The date the response must go by.
    pub answer_by: Option<NaiveDate>,
    /// The councils whose single points of contact must still sign off the draft.
    pub sign_offs_missing: Vec<String>,
    /// The requester: only for the information role; otherwise absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<RequesterIo>,
    /// The request as the register keeps it (no requester): councils, dates, stage, clock
    /// events, draft, sign-offs, response, flags and history.
    #[schema(value_type = Object)]
    pub request: serde_json::Value,
    /// The deadlines with their working, as the calculator gives them.
    #[schema(value_type = Object)]
    pub deadlines: serde_json::Value,
    /// The internal review, if one was asked for.
    #[schema(value_type = Option<Object>)]
    pub review: Option<serde_json::Value>,
    /// The complaint to the Information Commissioner, if there is one.
    #[schema(value_type = Option<Object>)]
    pub complaint: Option<serde_json::Value>,
    /// Whether the response is in the public disclosure log.
    pub in_disclosure_log: bool,
}

async fn request_out(
    state: &AppState,
    viewer: &Viewer,
    record: StoredRecord,
) -> Result<RequestOut, WebError> {
    let loaded = ops::load(state, viewer, record).await?;
    let r = &loaded.request;
    let calendars = calendars(&*state.store).await?;
    let deadlines = r.deadlines(calendars.get(r.calendar_scope()), &ops::protocol())?;
    Ok(RequestOut {
        id: loaded.record.id,
        reference: r.reference.clone(),
        regime: r.regime.slug().to_owned(),
        stage: r.stage.slug().to_owned(),
        answer_by: deadlines.answer_by,
        sign_offs_missing: r
            .sign_offs_missing()
            .iter()
            .map(ToString::to_string)
            .collect(),
        requester: loaded.requester.as_ref().map(|p| RequesterIo {
            name: p.name.clone(),
            contact: p.contact.clone(),
        }),
        request: json(r)?,
        deadlines: json(&deadlines)?,
        review: loaded.review.as_ref().map(|(_, rv)| json(rv)).transpose()?,
        complaint: loaded
            .complaint
            .as_ref()
            .map(|(_, c)| json(c))
            .transpose()?,
        in_disclosure_log: loaded.disclosure.is_some(),
    })
}

async fn reload(state: &AppState, viewer: &Viewer, id: i64) -> Result<StoredRecord, WebError> {
    state
        .store
        .record(id, &viewer.scope(), state.today())
        .await?
        .ok_or(WebError::NotFound)
}

/// Logs a new request with its requester.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/requests",
    tag = "requests",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = NewRequestIn,
    responses(
        (status = 201, description = "Logged", body = RequestOut),
        (status = 422, description = "Refused: a date in the future, a council outside the partnership, an empty field", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<NewRequestIn>,
) -> Result<(StatusCode, Json<RequestOut>), WebError> {
    let p = register::partnership(&state, id).await?;
    let mut invalid = Invalid::new();
    let received_by = invalid.check(GssCode::parse("received_by", &input.received_by));
    let channel = invalid.check(register::parse_channel("channel", &input.channel));
    let regime = invalid.check(Regime::parse("regime", &input.regime));
    let (Some(received_by), Some(channel), Some(regime)) = (received_by, channel, regime) else {
        return Err(invalid.into());
    };
    let received = input.received_at.date();
    let reference = match input.reference.as_deref().map(str::trim) {
        None | Some("") => {
            register::next_reference(
                &state,
                &viewer,
                id,
                regime,
                chrono::Datelike::year(&received),
            )
            .await?
        }
        Some(text) => text.to_owned(),
    };
    let new = NewRequest {
        reference,
        councils: ops::councils_on(&p, received),
        received_by,
        channel,
        received_at: input.received_at,
        requester: Requester {
            name: input.requester.name.trim().to_owned(),
            contact: input.requester.contact.trim().to_owned(),
        },
        summary: input.summary.trim().to_owned(),
        regime,
    };
    let record_id = ops::create(&state, &viewer, &p, new).await?;
    let record = reload(&state, &viewer, record_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(request_out(&state, &viewer, record).await?),
    ))
}

/// A request, with its deadlines and their working.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/requests/{record_id}",
    tag = "requests",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The request's id"),
    ),
    responses(
        (status = 200, description = "The request", body = RequestOut),
        (status = 404, description = "No such request, or not one the caller may see", body = ErrorResponse),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<RequestOut>, WebError> {
    Ok(Json(request_out(&state, &viewer, record).await?))
}

/// A draft put to the single points of contact.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DraftIn {
    /// GSS codes of the councils whose information the draft discloses; with more than one,
    /// each one's single point of contact must sign it off.
    pub discloses_about: Vec<String>,
    /// Marked sensitive: the communications teams must clear it.
    pub sensitive: bool,
}

/// One part of a response.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PartIn {
    /// Which part of the request.
    pub description: String,
    /// Its outcome: `granted_in_full`, `partially_withheld`, `withheld_in_full`, `not_held`.
    pub outcome: String,
    /// The exemptions or exceptions relied on: `s43`, `reg 12(5)(e)`.
    #[serde(default)]
    pub exemptions: Vec<String>,
}

/// A response.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResponseIn {
    /// The overall outcome (required): `granted_in_full`, `partially_withheld`,
    /// `withheld_in_full` or `not_held`.
    pub outcome: Option<String>,
    /// The parts, with their exemptions.
    #[serde(default)]
    pub parts: Vec<PartIn>,
}

/// A workflow action: `{"action": "forward", "on": "2025-03-04"}`. The fields other than
/// `action` and `on` belong to some actions only: `lead` to `acknowledge`, `until` to
/// `claim_extension` (FOIA), `draft` to `submit_draft`, `council` to `sign_off` (the caller's
/// own council), `response` to `send_response`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionIn {
    /// `forward`, `acknowledge`, `seek_clarification`, `receive_clarification`,
    /// `give_fees_notice`, `receive_fee`, `request_identity`, `confirm_identity`,
    /// `start_drafting`, `claim_extension`, `submit_draft`, `sign_off`, `send_for_comms`,
    /// `clear_comms`, `send_response`, `withdraw`, `lapse` or `close`.
    pub action: String,
    /// The day it was done: not after today, not before the last step.
    pub on: NaiveDate,
    /// The lead council's GSS code.
    pub lead: Option<String>,
    /// The date promised in a FOIA public-interest extension notice.
    pub until: Option<NaiveDate>,
    /// The draft.
    pub draft: Option<DraftIn>,
    /// The council signing off.
    pub council: Option<String>,
    /// The response.
    pub response: Option<ResponseIn>,
}

/// Moves a request on. Refused, with nothing changed, when the step is out of order, dated
/// after today or before the last step, or a gate is not met: a draft about both councils
/// needs both single points of contact's sign-off; a sensitive one needs communications
/// clearance; a response needs its outcome.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/requests/{record_id}/actions",
    tag = "requests",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The request's id"),
    ),
    request_body = ActionIn,
    responses(
        (status = 200, description = "Done", body = RequestOut),
        (status = 422, description = "Refused; nothing changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn action(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(action): JsonBody<Action>,
) -> Result<Json<RequestOut>, WebError> {
    ops::apply(&state, &viewer, &record, &action).await?;
    let record = reload(&state, &viewer, record.id).await?;
    Ok(Json(request_out(&state, &viewer, record).await?))
}

/// An internal review: `{"requested": DATE}` when the requester asks for one, then
/// `{"decided": DATE, "outcome": "upheld"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    /// When the requester asked for a review.
    #[serde(default)]
    pub requested: Option<NaiveDate>,
    /// When it was decided.
    #[serde(default)]
    pub decided: Option<NaiveDate>,
    /// `upheld`, `partially_upheld` or `overturned`.
    #[serde(default)]
    pub outcome: Option<String>,
}

/// Records a request for internal review, or its decision.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/requests/{record_id}/review",
    tag = "requests",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The request's id"),
    ),
    request_body = ReviewIn,
    responses(
        (status = 200, description = "Recorded", body = RequestOut),
        (status = 422, description = "Refused; nothing changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn review(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<ReviewIn>,
) -> Result<Json<RequestOut>, WebError> {
    let loaded = ops::load(&state, &viewer, record).await?;
    if loaded.review.is_some() {
        let mut invalid = Invalid::new();
        if input.decided.is_none() {
            invalid.push("decided", "give the date the review was decided");
        }
        let outcome = match input.outcome.as_deref() {
            Some(text) => invalid.check(ReviewOutcome::parse("outcome", text)),
            None => {
                invalid.push("outcome", "give the review's outcome");
                None
            }
        };
        invalid.into_result()?;
        if let (Some(decided), Some(outcome)) = (input.decided, outcome) {
            ops::decide_review(&state, &viewer, &loaded, decided, outcome).await?;
        }
    } else {
        let requested = input.requested.ok_or_else(|| {
            Invalid::field(
                "requested",
                "give the date the requester asked for a review",
            )
        })?;
        let calendars = calendars(&*state.store).await?;
        ops::request_review(&state, &viewer, &loaded, requested, &calendars).await?;
    }
    let record = reload(&state, &viewer, loaded.record.id).await?;
    Ok(Json(request_out(&state, &viewer, record).await?))
}

/// A complaint to the Information Commissioner: `{"lodged": DATE, "reference": "IC-…"}`,
/// then its decision notice `{"issued": DATE, "steps_within_days": 35}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintIn {
    /// When the Commissioner told the council of the complaint.
    #[serde(default)]
    pub lodged: Option<NaiveDate>,
    /// The Commissioner's case reference.
    #[serde(default)]
    pub reference: Option<String>,
    /// The date of the decision notice.
    #[serde(default)]
    pub issued: Option<NaiveDate>,
    /// Calendar days the notice gives to take its steps, if it orders any.
    #[serde(default)]
    pub steps_within_days: Option<u32>,
}

/// Records a complaint to the Information Commissioner, or its decision notice.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/requests/{record_id}/complaint",
    tag = "requests",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The request's id"),
    ),
    request_body = ComplaintIn,
    responses(
        (status = 200, description = "Recorded", body = RequestOut),
        (status = 422, description = "Refused; nothing changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn complaint(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<ComplaintIn>,
) -> Result<Json<RequestOut>, WebError> {
    let loaded = ops::load(&state, &viewer, record).await?;
    if loaded.complaint.is_some() {
        let issued = input
            .issued
            .ok_or_else(|| Invalid::field("issued", "give the date of the decision notice"))?;
        ops::record_notice(
            &state,
            &viewer,
            &loaded,
            DecisionNotice {
                issued,
                steps_within_days: input.steps_within_days,
            },
        )
        .await?;
    } else {
        let lodged = input.lodged.ok_or_else(|| {
            Invalid::field("lodged", "give the date the Commissioner told the council")
        })?;
        ops::lodge_complaint(
            &state,
            &viewer,
            &loaded,
            lodged,
            input.reference.as_deref().unwrap_or_default(),
        )
        .await?;
    }
    let record = reload(&state, &viewer, loaded.record.id).await?;
    Ok(Json(request_out(&state, &viewer, record).await?))
}

// ----- statistics and the disclosure log -----

/// One council's quarter.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QuarterOut {
    /// The council's GSS code (the lead council, or the receiving one until a lead is agreed).
    pub council: String,
    /// The quarter of receipt, e.g. `2025 Q1`.
    pub quarter: String,
    /// Requests received.
    pub received: u32,
    /// Still without an outcome.
    pub open: u32,
    /// By outcome: `granted_in_full`, `partially_withheld`, `withheld_in_full`, `not_held`,
    /// `lapsed`, `withdrawn`.
    pub outcomes: BTreeMap<String, u32>,
    /// By timeliness: `in_time`, `within_extension`, `late`.
    pub timeliness: BTreeMap<String, u32>,
}

/// FOI and EIR statistics per council per quarter of receipt, of the requests the caller may
/// see.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/requests/statistics",
    tag = "requests",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 200, description = "Per council and quarter", body = [QuarterOut])),
)]
pub async fn statistics(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<Vec<QuarterOut>>, WebError> {
    register::partnership(&state, id).await?;
    let rows = stats::rows(&state, &viewer, id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| QuarterOut {
                council: r.council.to_string(),
                quarter: r.quarter.to_string(),
                received: r.received,
                open: r.open,
                outcomes: Outcome::ALL
                    .iter()
                    .map(|o| (slug(o), r.outcomes.get(o).copied().unwrap_or(0)))
                    .collect(),
                timeliness: Timeliness::ALL
                    .iter()
                    .map(|t| (slug(t), r.timeliness.get(t).copied().unwrap_or(0)))
                    .collect(),
            })
            .collect(),
    ))
}

/// A released response in the disclosure log. There is no requester in it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DisclosureOut {
    /// The register's reference.
    pub reference: String,
    /// `foi` or `eir`.
    pub regime: String,
    /// When it was received.
    pub received: NaiveDate,
    /// When it was answered.
    pub responded: NaiveDate,
    /// What was asked for.
    pub summary: String,
    /// `granted_in_full` or `partially_withheld`.
    pub outcome: String,
    /// The exemptions or exceptions relied on.
    pub exemptions: Vec<String>,
}

/// The public disclosure log, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/disclosure-log",
    tag = "requests",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 200, description = "Released responses", body = [DisclosureOut])),
)]
pub async fn disclosure_log(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<Vec<DisclosureOut>>, WebError> {
    register::partnership(&state, id).await?;
    let entries = disclosure::entries(&state, &viewer, id).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| DisclosureOut {
                reference: e.reference,
                regime: e.regime.slug().to_owned(),
                received: e.received,
                responded: e.responded,
                summary: e.summary,
                outcome: slug(e.outcome),
                exemptions: e.exemptions,
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_name_the_query_s_fields() {
        let mut invalid = Invalid::field("--event[1]", "before receipt");
        invalid.push("--received", "in the future");
        let renamed = api_fields(invalid);
        let fields: Vec<&str> = renamed.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["events[1]", "received"]);
        // The channel names the API takes are the domain's.
        for (channel, name, _) in register::CHANNELS {
            assert_eq!(slug(channel), name);
        }
    }
}
