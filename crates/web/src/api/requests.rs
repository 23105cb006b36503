//! Information-law requests in the API: the deadline calculator, the register, a request with
//! its deadlines, the workflow's actions, internal reviews and complaints, the statistics and
//! the disclosure log. A request's requester is in its answer only for the information role.

use crate::paging::{next_page, page_response, query_form};
use accord_app::list::ListRequest;
use accord_app::requests::{self, LogRequest, RequestFilter, RequestSummary, RequestView};
use accord_domain::request::cli::{DeadlineArgs, deadline as calculate};
use accord_domain::request::{
    Action, DecisionNotice, Outcome, Regime, Requester, ReviewOutcome, Timeliness,
};
use accord_domain::{GssCode, Invalid};
use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ErrorResponse, WebError};
use crate::forms::{JsonBody, parse_json};
use crate::guard::GuardedRecord;
use crate::pages::requests::register;

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
    /// What the reader should know of the answer, such as a date given after today.
    pub notes: Vec<String>,
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
        (status = 422, description = "Refused: a date the calendars do not cover, an event before receipt, an extension the law does not have", body = ErrorResponse),
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
    let table = requests::holiday_table(&state.app).await?;
    let out = calculate(&args, &table, state.today(), &requests::protocol()).map_err(api_fields)?;
    serde_json::from_value(json(&out)?)
        .map(Json)
        .map_err(|e| WebError::Internal(e.into()))
}

// ----- the register -----

/// A request in the register's list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RequestSummaryOut {
    /// The record's id (its history is filed under it).
    pub id: i64,
    /// The register's reference, which its address carries: `FOI-2026-0113`.
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

fn summary_out(r: &RequestSummary) -> RequestSummaryOut {
    RequestSummaryOut {
        id: r.record_id,
        reference: r.reference.clone(),
        regime: r.regime.slug().to_owned(),
        stage: r.stage.slug().to_owned(),
        summary: r.summary.clone(),
        received: r.received_on,
        received_by: r.received_by.to_string(),
        lead: r.lead.as_ref().map(ToString::to_string),
        answer_by: r.answer_by,
    }
}

/// A page of the register.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RequestListOut {
    /// How many requests match in all.
    pub total: i64,
    /// This page of the matching requests, by the date the response must go by (the clock
    /// stopped last), then by number.
    pub items: Vec<RequestSummaryOut>,
    /// The address of the next page, when there is one (also sent as a `Link` header).
    pub next: Option<String>,
}

/// A page of the partnership's requests the caller may see, by the date the response must go
/// by (the clock stopped last), then by number. Filtered by query: `stage` (a stage such as
/// `drafting`, or `open` for every open request), `regime` (`foi`, `eir`, `foisa`, `sar`),
/// `council` (the GSS code of the council it counts for), `text` (in the reference or summary);
/// paged with `limit` (1 to 500, 100 unless given) and `cursor` (from the `next` address of the
/// page before).
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/requests",
    tag = "requests",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("stage" = Option<String>, Query, description = "Only this stage (e.g. `drafting`), or `open` for every open request"),
        ("regime" = Option<String>, Query, description = "Only this law: `foi`, `eir`, `foisa` or `sar`"),
        ("council" = Option<String>, Query, description = "Only requests counting for this council (its GSS code): the lead, or the receiving council until a lead is agreed"),
        ("text" = Option<String>, Query, description = "Only requests whose reference or summary contains this, in any case"),
        ("limit" = Option<u32>, Query, description = "Requests on the page: 1 to 500 (100 unless given)"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: the `cursor` of the previous page's `next` address"),
    ),
    responses(
        (status = 200, description = "A page of the matching requests; the next page's address is in `next` and the `Link` header", body = RequestListOut),
        (status = 422, description = "A filter, the limit or the cursor is not valid", body = ErrorResponse),
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
    let stages = invalid
        .check(requests::parse_stages("stage", form.get("stage")))
        .unwrap_or_default();
    let regime = match form.get("regime").trim() {
        "" => None,
        text => invalid.check(Regime::parse("regime", text)),
    };
    let owner = match form.get("council").trim() {
        "" => None,
        text => invalid.check(GssCode::parse("council", text)),
    };
    let request = invalid.check(ListRequest::from_query(
        "requests",
        form.get("limit"),
        form.get("cursor"),
    ));
    invalid.into_result()?;
    let request = request.unwrap_or_default();
    let filter = RequestFilter {
        stages,
        regime,
        owner,
        text: Some(form.get("text").trim().to_owned()).filter(|t| !t.is_empty()),
    };
    let listed = requests::register(&state.app, &viewer.caller(), id, &filter, &request).await?;
    let next = next_page(
        &format!("/api/v1/partnerships/{id}/requests"),
        &form,
        listed.next.as_ref(),
    );
    let body = RequestListOut {
        total: listed.total,
        items: listed.items.iter().map(summary_out).collect(),
        next: next.clone(),
    };
    Ok(page_response(body, next.as_ref()))
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
    /// The record's id (its history is filed under it).
    pub id: i64,
    /// The register's reference, which its address carries: `FOI-2026-0113`.
    pub reference: String,
    /// Its version: send it with a change, which is refused (409) if the request changed
    /// since.
    pub version: i64,
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
    /// The review's version, to send with its decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_version: Option<i64>,
    /// The complaint to the Information Commissioner, if there is one.
    #[schema(value_type = Option<Object>)]
    pub complaint: Option<serde_json::Value>,
    /// The complaint's version, to send with its decision notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint_version: Option<i64>,
    /// Whether the response is in the public disclosure log.
    pub in_disclosure_log: bool,
}

fn request_out(view: &RequestView) -> Result<RequestOut, WebError> {
    let r = &view.entry.request;
    let deadlines = view
        .deadlines
        .as_ref()
        .map_err(|e| WebError::Unprocessable(e.clone()))?;
    Ok(RequestOut {
        id: view.entry.record_id,
        reference: r.reference.clone(),
        version: view.entry.version,
        regime: r.regime.slug().to_owned(),
        stage: r.stage.slug().to_owned(),
        answer_by: deadlines.answer_by,
        sign_offs_missing: r
            .sign_offs_missing()
            .iter()
            .map(ToString::to_string)
            .collect(),
        requester: view.requester.as_ref().map(|p| RequesterIo {
            name: p.name.clone(),
            contact: p.contact.clone(),
        }),
        request: json(r)?,
        deadlines: json(deadlines)?,
        review: view
            .review
            .as_ref()
            .map(|rv| json(&rv.review))
            .transpose()?,
        review_version: view.review.as_ref().map(|rv| rv.version),
        complaint: view
            .complaint
            .as_ref()
            .map(|c| json(&c.complaint))
            .transpose()?,
        complaint_version: view.complaint.as_ref().map(|c| c.version),
        in_disclosure_log: view.in_disclosure_log,
    })
}

/// The request as it is now, as the API answers with it.
async fn current(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    reference: &str,
) -> Result<RequestOut, WebError> {
    let view = requests::request(&state.app, &viewer.caller(), id, reference).await?;
    request_out(&view)
}

/// The reference of the request the guard found, by its reference or by an old address's
/// record id.
fn reference_of(record: &GuardedRecord) -> String {
    record.0.reference.clone().unwrap_or_default()
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
    let mut invalid = Invalid::new();
    let received_by = invalid.check(GssCode::parse("received_by", &input.received_by));
    let channel = invalid.check(register::parse_channel("channel", &input.channel));
    let regime = invalid.check(Regime::parse("regime", &input.regime));
    let (Some(received_by), Some(channel), Some(regime)) = (received_by, channel, regime) else {
        return Err(invalid.into());
    };
    let command = LogRequest {
        reference: input
            .reference
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty()),
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
    let entry = requests::log_request(&state.app, &viewer.caller(), id, command).await?;
    Ok((
        StatusCode::CREATED,
        Json(current(&state, &viewer, id, entry.reference()).await?),
    ))
}

/// A request, with its deadlines and their working.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/requests/{reference}",
    tag = "requests",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The request's reference: FOI-2026-0113"),
    ),
    responses(
        (status = 200, description = "The request", body = RequestOut),
        (status = 404, description = "No such request, or not one the caller may see", body = ErrorResponse),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(ids): Path<(i64, String)>,
    record: GuardedRecord,
) -> Result<Json<RequestOut>, WebError> {
    let id = ids.0;
    Ok(Json(
        current(&state, &viewer, id, &reference_of(&record)).await?,
    ))
}

/// A draft put to the single points of contact.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RequestDraftIn {
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
pub struct RequestResponseIn {
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
    pub draft: Option<RequestDraftIn>,
    /// The council signing off.
    pub council: Option<String>,
    /// The response.
    pub response: Option<RequestResponseIn>,
    /// The version the change is made from (the request's `version`); when given, a change
    /// to a request that changed since is refused with 409.
    pub version: Option<i64>,
}

/// Moves a request on. Refused, with nothing changed, when the step is out of order, dated
/// after today or before the last step, or a gate is not met: a draft about both councils
/// needs both single points of contact's sign-off; a sensitive one needs communications
/// clearance; a response needs its outcome.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/requests/{reference}/actions",
    tag = "requests",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The request's reference: FOI-2026-0113"),
    ),
    request_body = ActionIn,
    responses(
        (status = 200, description = "Done", body = RequestOut),
        (status = 409, description = "The request changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused; nothing changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(ids): Path<(i64, String)>,
    record: GuardedRecord,
    JsonBody(mut body): JsonBody<serde_json::Value>,
) -> Result<Json<RequestOut>, WebError> {
    let id = ids.0;
    // The version rides along with the action; the rest is the domain's action as it is.
    let version = match body.as_object_mut().and_then(|o| o.remove("version")) {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| {
            Invalid::field("version", "give the request's version, a whole number")
        })?),
    };
    let action: Action =
        parse_json(&serde_json::to_vec(&body).map_err(|e| WebError::Internal(e.into()))?)?;
    let reference = reference_of(&record);
    let entry = requests::apply(
        &state.app,
        &viewer.caller(),
        id,
        &reference,
        version,
        &action,
    )
    .await?;
    Ok(Json(current(&state, &viewer, id, entry.reference()).await?))
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
    /// With a decision, the version of the review it is made from (`review_version`); a
    /// review that changed since is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Records a request for internal review, or its decision.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/requests/{reference}/review",
    tag = "requests",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The request's reference: FOI-2026-0113"),
    ),
    request_body = ReviewIn,
    responses(
        (status = 200, description = "Recorded", body = RequestOut),
        (status = 409, description = "The review changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused; nothing changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn review(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(ids): Path<(i64, String)>,
    record: GuardedRecord,
    JsonBody(input): JsonBody<ReviewIn>,
) -> Result<Json<RequestOut>, WebError> {
    let id = ids.0;
    let reference = reference_of(&record);
    let caller = viewer.caller();
    let view = requests::request(&state.app, &caller, id, &reference).await?;
    if view.review.is_some() {
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
            requests::decide_review(
                &state.app,
                &caller,
                id,
                &reference,
                input.version,
                decided,
                outcome,
            )
            .await?;
        }
    } else {
        let requested = input.requested.ok_or_else(|| {
            Invalid::field(
                "requested",
                "give the date the requester asked for a review",
            )
        })?;
        requests::ask_for_review(&state.app, &caller, id, &reference, requested).await?;
    }
    Ok(Json(current(&state, &viewer, id, &reference).await?))
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
    /// With a decision notice, the version of the complaint it is recorded on
    /// (`complaint_version`); a complaint that changed since is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Records a complaint to the Information Commissioner, or its decision notice.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/requests/{reference}/complaint",
    tag = "requests",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The request's reference: FOI-2026-0113"),
    ),
    request_body = ComplaintIn,
    responses(
        (status = 200, description = "Recorded", body = RequestOut),
        (status = 409, description = "The complaint changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused; nothing changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn complaint(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(ids): Path<(i64, String)>,
    record: GuardedRecord,
    JsonBody(input): JsonBody<ComplaintIn>,
) -> Result<Json<RequestOut>, WebError> {
    let id = ids.0;
    let reference = reference_of(&record);
    let caller = viewer.caller();
    let view = requests::request(&state.app, &caller, id, &reference).await?;
    if view.complaint.is_some() {
        let issued = input
            .issued
            .ok_or_else(|| Invalid::field("issued", "give the date of the decision notice"))?;
        let notice = DecisionNotice {
            issued,
            steps_within_days: input.steps_within_days,
        };
        requests::record_decision_notice(
            &state.app,
            &caller,
            id,
            &reference,
            input.version,
            notice,
        )
        .await?;
    } else {
        let lodged = input.lodged.ok_or_else(|| {
            Invalid::field("lodged", "give the date the Commissioner told the council")
        })?;
        requests::lodge_complaint(
            &state.app,
            &caller,
            id,
            &reference,
            lodged,
            input.reference.as_deref().unwrap_or_default(),
        )
        .await?;
    }
    Ok(Json(current(&state, &viewer, id, &reference).await?))
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
    let rows = requests::statistics(&state.app, &viewer.caller(), id).await?;
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

/// A page of the disclosure log.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DisclosureListOut {
    /// How many entries the log holds.
    pub total: i64,
    /// This page of it, newest answer first.
    pub items: Vec<DisclosureOut>,
    /// The address of the next page, when there is one (also sent as a `Link` header).
    pub next: Option<String>,
}

/// The public disclosure log, newest answer first, a page at a time: `limit` (1 to 500, 100
/// unless given) and `cursor` (from the `next` address of the page before).
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/disclosure-log",
    tag = "requests",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("limit" = Option<u32>, Query, description = "Entries on the page: 1 to 500 (100 unless given)"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: the `cursor` of the previous page's `next` address"),
    ),
    responses(
        (status = 200, description = "A page of released responses; the next page's address is in `next` and the `Link` header", body = DisclosureListOut),
        (status = 422, description = "The limit or the cursor is not valid", body = ErrorResponse),
    ),
)]
pub async fn disclosure_log(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let form = query_form(query.as_deref());
    let request = ListRequest::from_query("disclosure-log", form.get("limit"), form.get("cursor"))?;
    let listed = requests::disclosure_log(&state.app, &viewer.caller(), id, &request).await?;
    let next = next_page(
        &format!("/api/v1/partnerships/{id}/disclosure-log"),
        &form,
        listed.next.as_ref(),
    );
    let body = DisclosureListOut {
        total: listed.total,
        items: listed
            .items
            .into_iter()
            .map(|d| {
                let e = d.entry;
                DisclosureOut {
                    reference: e.reference,
                    regime: e.regime.slug().to_owned(),
                    received: e.received,
                    responded: e.responded,
                    summary: e.summary,
                    outcome: slug(e.outcome),
                    exemptions: e.exemptions,
                }
            })
            .collect(),
        next: next.clone(),
    };
    Ok(page_response(body, next.as_ref()))
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
