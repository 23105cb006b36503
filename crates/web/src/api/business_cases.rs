//! Business cases in the API, and the record that holds one.
//!
//! A business case record's body is the case exactly as `accord appraise` reads it
//! (`docs/schemas/appraise.md`, councils named by GSS code) with what Accord adds around it:
//! the opportunity it appraises, the savings as its source states them, what is illustrative,
//! and the appraisal Accord computed when it was last saved. Appraisals run on the blocking
//! thread pool, so a long Monte Carlo run never holds up the server's other requests.

use accord_analytics::business_case::{self, Appraisal, BusinessCase};
use accord_domain::access::Action;
use accord_domain::{GssCode, Invalid};
use accord_store::{RecordInput, StoredRecord};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::finance::{self, Visibility};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ErrorResponse, WebError};
use crate::forms::JsonBody;
use crate::guard::GuardedRecord;

/// The record kind.
pub const KIND: &str = "business_case";

/// The record kind of opportunities, which a case may appraise.
pub const OPPORTUNITY_KIND: &str = "opportunity";

/// The most Monte Carlo iterations a case saved on the server may ask for.
pub const MAX_ITERATIONS: u64 = 1_000_000;

/// The record's status when the preferred option makes clear financial sense.
pub const STATUS_SENSE: &str = "makes-clear-financial-sense";

/// The record's status when no option does.
pub const STATUS_NO_SENSE: &str = "not-clear";

/// A business case as kept in Accord.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct BusinessCaseBody {
    /// The case, as `accord appraise` reads it; its councils are GSS codes of members.
    #[schema(value_type = Object)]
    pub case: BusinessCase,
    /// The opportunity record it appraises, when the opportunity is kept in Accord.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opportunity_record_id: Option<i64>,
    /// The savings as the source states them, in its words ("£5m to £8m from 2013/14").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub savings_stated: Option<String>,
    /// What is illustrative rather than stated by a source, when anything is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illustrative: Option<String>,
    /// Where the figures come from (a seed citation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The appraisal computed when the case was last saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub appraisal: Option<Appraisal>,
}

impl BusinessCaseBody {
    /// A body around a case, with nothing else said.
    pub fn new(case: BusinessCase) -> Self {
        BusinessCaseBody {
            case,
            opportunity_record_id: None,
            savings_stated: None,
            illustrative: None,
            source: None,
            appraisal: None,
        }
    }

    /// The record's status: whether its preferred option makes clear financial sense.
    pub fn status(&self) -> &'static str {
        match &self.appraisal {
            Some(a) if a.preferred_option.is_some() => STATUS_SENSE,
            _ => STATUS_NO_SENSE,
        }
    }
}

/// Checks what the engine cannot know: every council of the case is a member of the
/// partnership, the simulation fits the server, and the case is sound (every problem named
/// under `case.`).
pub fn check_case(case: &BusinessCase, members: &[GssCode]) -> Result<(), Invalid> {
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

/// Appraises a case on the blocking pool (a Monte Carlo run can take seconds).
pub async fn appraise(case: BusinessCase) -> Result<Appraisal, WebError> {
    tokio::task::spawn_blocking(move || business_case::appraise(&case, &|_, _| {}))
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!("the appraisal stopped: {e}")))?
        .map_err(|e| WebError::Unprocessable(e.within("case.")))
}

/// Checks a body against the partnership and the viewer's reach, and appraises it.
pub async fn prepare(
    state: &AppState,
    viewer: &Viewer,
    partnership_id: i64,
    members: &[GssCode],
    mut body: BusinessCaseBody,
) -> Result<BusinessCaseBody, WebError> {
    let mut invalid = Invalid::new();
    if let Err(e) = check_case(&body.case, members) {
        invalid.extend(e);
    }
    if let Some(id) = body.opportunity_record_id {
        let found =
            finance::find::<serde_json::Value>(state, viewer, OPPORTUNITY_KIND, partnership_id, id)
                .await?;
        if found.is_none() {
            invalid.push(
                "opportunity_record_id",
                format!("there is no opportunity {id} in this partnership that you can see"),
            );
        }
    }
    invalid.into_result()?;
    body.appraisal = Some(appraise(body.case.clone()).await?);
    Ok(body)
}

/// The record input for a prepared body.
pub fn record_input(
    meta: accord_domain::access::RecordMeta,
    body: &BusinessCaseBody,
) -> Result<RecordInput, WebError> {
    Ok(RecordInput::new(KIND, meta, body.case.name.clone(), body)?.status(body.status()))
}

/// A business case to create or replace.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct BusinessCaseIn {
    /// The case, as `accord appraise` reads it (`docs/schemas/appraise.md`), with councils
    /// named by the GSS codes of partnership members.
    #[schema(value_type = Object)]
    pub case: BusinessCase,
    /// The opportunity record it appraises.
    #[serde(default)]
    pub opportunity_record_id: Option<i64>,
    /// The savings as the source states them.
    #[serde(default)]
    pub savings_stated: Option<String>,
    /// What is illustrative, when anything is.
    #[serde(default)]
    pub illustrative: Option<String>,
    /// Where the figures come from.
    #[serde(default)]
    pub source: Option<String>,
    /// Who may see it (default: a draft of your council).
    #[serde(default)]
    pub visibility: Visibility,
    /// For a replacement: the version read; a case changed since is refused.
    #[serde(default)]
    pub version: Option<i64>,
}

impl BusinessCaseIn {
    fn body(self) -> (BusinessCaseBody, Visibility, Option<i64>) {
        (
            BusinessCaseBody {
                case: self.case,
                opportunity_record_id: self.opportunity_record_id,
                savings_stated: self.savings_stated,
                illustrative: self.illustrative,
                source: self.source,
                appraisal: None,
            },
            self.visibility,
            self.version,
        )
    }
}

/// A business case with its appraisal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct BusinessCaseOut {
    /// The record's id.
    pub id: i64,
    /// The partnership.
    pub partnership_id: i64,
    /// Its version; send it back to replace the case safely.
    pub version: i64,
    /// Who may see it.
    pub visibility: Visibility,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The case and its appraisal.
    #[serde(flatten)]
    pub body: BusinessCaseBody,
}

fn out(record: &StoredRecord, body: BusinessCaseBody) -> BusinessCaseOut {
    BusinessCaseOut {
        id: record.id,
        partnership_id: record.meta.partnership_id.unwrap_or_default(),
        version: record.version,
        visibility: Visibility::of(&record.meta),
        updated_at: record.updated_at,
        body,
    }
}

fn decode(record: &StoredRecord) -> Result<BusinessCaseBody, WebError> {
    record
        .decode()
        .map_err(|e| WebError::Internal(anyhow::Error::from(e)))
}

/// The business cases of a partnership that you can see.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/business-cases",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 200, description = "The cases, oldest first", body = [BusinessCaseOut])),
)]
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<Vec<BusinessCaseOut>>, WebError> {
    let cases = finance::list::<BusinessCaseBody>(&state, &viewer, KIND, id).await?;
    Ok(Json(cases.into_iter().map(|(r, b)| out(&r, b)).collect()))
}

/// Creates a business case and appraises it.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/business-cases",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = BusinessCaseIn,
    responses(
        (status = 201, description = "Created and appraised", body = BusinessCaseOut),
        (status = 422, description = "Refused: each problem names its field, such as case.options[1].savings[0].amount.low", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<BusinessCaseIn>,
) -> Result<(StatusCode, Json<BusinessCaseOut>), WebError> {
    let (_, members) = finance::partnership(&state, id).await?;
    let (body, visibility, _) = input.body();
    let meta = finance::meta_for(&viewer, id, visibility)?;
    guard_check(&state, &viewer, Action::Create, &meta)?;
    let body = prepare(&state, &viewer, id, &members, body).await?;
    let record_id = finance::insert(&state, &viewer, &record_input(meta, &body)?).await?;
    let record = load(&state, &viewer, record_id).await?;
    Ok((StatusCode::CREATED, Json(out(&record, decode(&record)?))))
}

fn guard_check(
    state: &AppState,
    viewer: &Viewer,
    action: Action,
    meta: &accord_domain::access::RecordMeta,
) -> Result<(), WebError> {
    crate::guard::check(viewer, action, meta, state.today())
}

async fn load(state: &AppState, viewer: &Viewer, id: i64) -> Result<StoredRecord, WebError> {
    state
        .store
        .record(id, &viewer.scope(), state.today())
        .await?
        .ok_or(WebError::NotFound)
}

/// One business case with its appraisal.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/business-cases/{record_id}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The business case's id"),
    ),
    responses(
        (status = 200, description = "The case", body = BusinessCaseOut),
        (status = 404, description = "No such case that you can see", body = ErrorResponse),
    ),
)]
pub async fn show(GuardedRecord(record): GuardedRecord) -> Result<Json<BusinessCaseOut>, WebError> {
    let body = decode(&record)?;
    Ok(Json(out(&record, body)))
}

/// Replaces a business case and appraises it again.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/business-cases/{record_id}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The business case's id"),
    ),
    request_body = BusinessCaseIn,
    responses(
        (status = 200, description = "Replaced and appraised", body = BusinessCaseOut),
        (status = 422, description = "Refused: each problem names its field; nothing was changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn replace(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<BusinessCaseIn>,
) -> Result<Json<BusinessCaseOut>, WebError> {
    let (_, members) = finance::partnership(&state, id).await?;
    let (body, visibility, version) = input.body();
    let meta = finance::meta_for(&viewer, id, visibility)?;
    let meta = keep_owner(&record, meta);
    let body = prepare(&state, &viewer, id, &members, body).await?;
    let mut input = record_input(meta, &body)?;
    input.parent_id = record.parent_id;
    finance::update(&state, &viewer, record_id, version, &input, "").await?;
    let record = load(&state, &viewer, record_id).await?;
    Ok(Json(out(&record, decode(&record)?)))
}

/// A draft keeps the council that owns it, whoever edits it (the programme team may edit
/// any council's draft).
pub fn keep_owner(
    record: &StoredRecord,
    mut meta: accord_domain::access::RecordMeta,
) -> accord_domain::access::RecordMeta {
    if meta.classification == accord_domain::access::Classification::Council
        && record.meta.classification == accord_domain::access::Classification::Council
    {
        meta.owner.clone_from(&record.meta.owner);
    }
    meta
}

/// Deletes a business case.
#[utoipa::path(
    delete,
    path = "/api/v1/partnerships/{id}/business-cases/{record_id}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The business case's id"),
        finance::DeleteQuery,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 422, description = "No version, or not the latest: nothing was deleted", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    axum::extract::Query(query): axum::extract::Query<finance::DeleteQuery>,
) -> Result<StatusCode, WebError> {
    finance::delete_checked(&state, &viewer, &record, query.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A case to appraise without keeping it (the `accord appraise` input).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct AppraiseIn(pub BusinessCase);

/// The appraisal (the `accord appraise` output, `docs/schemas/appraise.md`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct AppraisalOut(pub Appraisal);

/// Appraises a case without keeping it, exactly as `accord appraise` does.
#[utoipa::path(
    post,
    path = "/api/v1/appraise",
    tag = "finance",
    request_body = AppraiseIn,
    responses(
        (status = 200, description = "The appraisal", body = AppraisalOut),
        (status = 422, description = "Refused: each problem names its field", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn appraise_only(
    JsonBody(AppraiseIn(case)): JsonBody<AppraiseIn>,
) -> Result<Json<AppraisalOut>, WebError> {
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
    let appraisal = tokio::task::spawn_blocking(move || business_case::appraise(&case, &|_, _| {}))
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!("the appraisal stopped: {e}")))??;
    Ok(Json(AppraisalOut(appraisal)))
}
