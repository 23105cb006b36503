//! Business cases in the API: list, create (appraised), read, replace (appraised again) and
//! delete them, addressed by their reference (`BC-3`); and appraise a case without keeping it.

use accord_analytics::business_case::{Appraisal, BusinessCase};
use accord_app::finance::Visibility;
use accord_app::finance::business_cases::{
    self as cases, BusinessCaseBody, BusinessCaseEntry, CaseCommand,
};
use accord_domain::finance::CaseStage;
use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{DeleteQuery, list_request, next_address, page_response};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ErrorResponse, WebError};
use crate::forms::JsonBody;
use crate::guard::GuardedRecord;
use crate::pages::finance::{business_cases as page, query_form};

/// A business case to create or replace.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct BusinessCaseIn {
    /// The case, as `accord appraise` reads it (`docs/schemas/appraise.md`), with councils
    /// named by the GSS codes of partnership members.
    #[schema(value_type = Object)]
    pub case: BusinessCase,
    /// Its Green Book stage: `strategic_outline`, `outline` or `full`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub stage: Option<CaseStage>,
    /// The opportunity record it appraises.
    #[serde(default)]
    pub opportunity_record_id: Option<i64>,
    /// The projected saving as the source states it (also read as `savings_stated`).
    #[serde(default, alias = "savings_stated")]
    pub projected_saving: Option<String>,
    /// What is illustrative, when anything is.
    #[serde(default)]
    pub illustrative: Option<String>,
    /// Where the figures come from.
    #[serde(default)]
    pub source: Option<String>,
    /// Who may see it: `council` (a draft of your council, the default), `partnership` or
    /// `published`.
    #[serde(default)]
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// For a replacement: the version read; a case changed since is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

impl BusinessCaseIn {
    /// The command this body asks for, and the version it was made from.
    pub fn command(self) -> (CaseCommand, Option<i64>) {
        (
            CaseCommand {
                body: BusinessCaseBody {
                    case: self.case,
                    stage: self.stage,
                    opportunity_record_id: self.opportunity_record_id,
                    projected_saving: self.projected_saving,
                    illustrative: self.illustrative,
                    source: self.source,
                    appraisal: None,
                },
                visibility: self.visibility,
            },
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
    /// Its reference in the partnership: `BC-3`.
    pub reference: String,
    /// The partnership.
    pub partnership_id: i64,
    /// Its version; send it back to replace the case safely.
    pub version: i64,
    /// Who may see it.
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The case, as `accord appraise` reads it.
    #[schema(value_type = Object)]
    pub case: BusinessCase,
    /// Its Green Book stage.
    #[schema(value_type = Option<String>)]
    pub stage: Option<CaseStage>,
    /// The opportunity record it appraises.
    pub opportunity_record_id: Option<i64>,
    /// The projected saving as the source states it.
    pub projected_saving: Option<String>,
    /// What is illustrative.
    pub illustrative: Option<String>,
    /// Where the figures come from.
    pub source: Option<String>,
    /// The appraisal (the `accord appraise` output).
    #[schema(value_type = Option<Object>)]
    pub appraisal: Option<Appraisal>,
}

fn out(entry: BusinessCaseEntry) -> BusinessCaseOut {
    let body = entry.value;
    BusinessCaseOut {
        id: entry.record_id,
        reference: entry.reference,
        partnership_id: entry.meta.partnership_id.unwrap_or_default(),
        version: entry.version,
        visibility: entry.visibility,
        updated_at: entry.updated_at,
        case: body.case,
        stage: body.stage,
        opportunity_record_id: body.opportunity_record_id,
        projected_saving: body.projected_saving,
        illustrative: body.illustrative,
        source: body.source,
        appraisal: body.appraisal,
    }
}

/// A page of business cases.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BusinessCaseListOut {
    /// How many cases match in all.
    pub total: i64,
    /// This page of them.
    pub items: Vec<BusinessCaseOut>,
    /// The address of the next page, when there is one (also sent as a `Link` header).
    pub next: Option<String>,
}

/// The business cases of a partnership that you can see, filtered by query: `stage`,
/// `decision` (`makes-clear-financial-sense`, `not-clear`), `council` (a GSS code), `text`;
/// ordered by `sort` (`reference`, the default, or `name`); `limit` (1 to 500, 100 unless
/// given) and `cursor` (from the `next` address of the page before).
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/business-cases",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("limit" = Option<u32>, Query, description = "Cases on the page: 1 to 500 (100 unless given)"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: the `cursor` of the previous page's `next` address"),
    ),
    responses(
        (status = 200, description = "A page of the matching cases", body = BusinessCaseListOut),
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
    let mut invalid = accord_domain::Invalid::new();
    let filter = invalid.check(page::filter_from(&form));
    let request = invalid.check(list_request("business_cases", &form));
    invalid.into_result()?;
    let (Some((filter, order)), Some(request)) = (filter, request) else {
        return Err(WebError::NotFound);
    };
    let listed = cases::list(&state.app, &viewer.caller(), id, &filter, order, &request).await?;
    let path = format!("/api/v1/partnerships/{id}/business-cases");
    let next = listed
        .next
        .as_deref()
        .map(|c| next_address(&path, &form, c));
    let body = BusinessCaseListOut {
        total: listed.total,
        items: listed.items.into_iter().map(out).collect(),
        next: next.clone(),
    };
    Ok(page_response(body, next.as_deref()))
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
    let (command, _) = input.command();
    let entry = cases::create(&state.app, &viewer.caller(), id, command).await?;
    Ok((StatusCode::CREATED, Json(out(entry))))
}

/// One business case with its appraisal.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/business-cases/{reference}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The case's reference, like BC-3"),
    ),
    responses(
        (status = 200, description = "The case", body = BusinessCaseOut),
        (status = 404, description = "No such case that you can see", body = ErrorResponse),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<BusinessCaseOut>, WebError> {
    let reference = record.reference.unwrap_or_default();
    let entry = cases::get(&state.app, &viewer.caller(), id, &reference).await?;
    Ok(Json(out(entry)))
}

/// Replaces a business case and appraises it again.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/business-cases/{reference}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The case's reference, like BC-3"),
    ),
    request_body = BusinessCaseIn,
    responses(
        (status = 200, description = "Replaced and appraised", body = BusinessCaseOut),
        (status = 409, description = "Someone changed the case since the version you read; nothing was changed", body = ErrorResponse),
        (status = 422, description = "Refused: each problem names its field; nothing was changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn replace(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<BusinessCaseIn>,
) -> Result<Json<BusinessCaseOut>, WebError> {
    let reference = record.reference.unwrap_or_default();
    let (command, version) = input.command();
    let entry = cases::change(
        &state.app,
        &viewer.caller(),
        id,
        &reference,
        command,
        version,
        "",
    )
    .await?;
    Ok(Json(out(entry)))
}

/// Deletes a business case.
#[utoipa::path(
    delete,
    path = "/api/v1/partnerships/{id}/business-cases/{reference}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The case's reference, like BC-3"),
        DeleteQuery,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Not the latest version: nothing was deleted", body = ErrorResponse),
        (status = 422, description = "No version, or an allocation or funding award names the case: nothing was deleted", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    Query(query): Query<DeleteQuery>,
) -> Result<StatusCode, WebError> {
    let reference = record.reference.unwrap_or_default();
    cases::delete(&state.app, &viewer.caller(), id, &reference, query.version).await?;
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
    Ok(Json(AppraisalOut(cases::appraise(case).await?)))
}
