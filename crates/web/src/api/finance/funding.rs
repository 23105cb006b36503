//! External funding in the API: funding awards with their tranches, listed with what each has
//! awarded, confirmed, drawn and spent, and addressed by their reference (`FA-1`). The
//! addresses of earlier releases (`…/grants`) answer 308 with the new address.

use accord_app::finance::funding::{self as funding, FundingCommand, FundingEntry};
use accord_app::finance::{FundingFilter, FundingStatus, ListOrder, Visibility};
use accord_domain::finance::funding::{FundingAward, Summary};
use axum::Json;
use axum::extract::{OriginalUri, Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::{DeleteQuery, list_request, next_address, page_response};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ErrorResponse, WebError};
use crate::forms::{FormData, JsonBody};
use crate::guard::{Guard, GuardedRecord};
use crate::pages::finance::{moved, order_from, query_form};
use crate::routes::Routes;

/// A funding award to record or replace, with its tranches.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct FundingAwardIn {
    /// The award (`accord_domain::finance::funding::FundingAward`; money in pence): `name`,
    /// `funder`, `purpose`, `business_case_record_id`, `tranches`, `source`.
    #[schema(value_type = Object)]
    pub funding_award: FundingAward,
    /// Who may see it (default: a draft of your council).
    #[serde(default)]
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// For a replacement: the version read; an award changed since is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// A funding award with its totals.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct FundingAwardOut {
    /// The record's id.
    pub id: i64,
    /// Its reference in the partnership: `FA-1`.
    pub reference: String,
    /// Its version.
    pub version: i64,
    /// Who may see it.
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The award and its tranches.
    #[schema(value_type = Object)]
    pub funding_award: FundingAward,
    /// Awarded, confirmed, conditional, withdrawn, drawn, spent, undrawn and unspent (pence).
    #[schema(value_type = Object)]
    pub summary: Summary,
}

fn out(entry: FundingEntry, summary: Summary) -> FundingAwardOut {
    FundingAwardOut {
        id: entry.record_id,
        reference: entry.reference,
        version: entry.version,
        visibility: entry.visibility,
        updated_at: entry.updated_at,
        funding_award: entry.value,
        summary,
    }
}

/// A page of funding awards with the totals of every award that matches.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FundingListOut {
    /// How many awards match in all.
    pub total: i64,
    /// This page of them.
    pub items: Vec<FundingAwardOut>,
    /// The address of the next page, when there is one (also sent as a `Link` header).
    pub next: Option<String>,
    /// The totals of every matching award (pence).
    #[schema(value_type = Object)]
    pub totals: Summary,
}

/// Reads the list's filter and order from a query: `text`, `status` (`confirmed`,
/// `conditional`), `sort`.
pub fn filter_from(form: &FormData) -> Result<(FundingFilter, ListOrder), accord_domain::Invalid> {
    let mut invalid = accord_domain::Invalid::new();
    let status = match form.get("status").trim() {
        "" => None,
        "confirmed" => Some(FundingStatus::Confirmed),
        "conditional" => Some(FundingStatus::Conditional),
        other => {
            invalid.push(
                "status",
                format!("“{other}” is not a status: choose confirmed or conditional"),
            );
            None
        }
    };
    let order = order_from(form, &mut invalid);
    invalid.into_result()?;
    Ok((
        FundingFilter {
            text: Some(form.get("text").trim().to_owned()).filter(|t| !t.is_empty()),
            status,
        },
        order,
    ))
}

/// The funding awards of a partnership that you can see, filtered by query: `text`,
/// `status`; ordered by `sort` (`reference`, the default, or `name`); `limit` and `cursor`.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/funding",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("limit" = Option<u32>, Query, description = "Awards on the page: 1 to 500 (100 unless given)"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: the `cursor` of the previous page's `next` address"),
    ),
    responses(
        (status = 200, description = "A page of the matching awards", body = FundingListOut),
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
    let filter = invalid.check(filter_from(&form));
    let request = invalid.check(list_request("funding", &form));
    invalid.into_result()?;
    let (Some((filter, order)), Some(request)) = (filter, request) else {
        return Err(WebError::NotFound);
    };
    let listed = funding::list(&state.app, &viewer.caller(), id, &filter, order, &request).await?;
    let path = format!("/api/v1/partnerships/{id}/funding");
    let next = listed
        .page
        .next
        .as_deref()
        .map(|c| next_address(&path, &form, c));
    let body = FundingListOut {
        total: listed.page.total,
        items: listed
            .page
            .items
            .into_iter()
            .map(|(e, s)| out(e, s))
            .collect(),
        next: next.clone(),
        totals: listed.total,
    };
    Ok(page_response(body, next.as_deref()))
}

fn prefixed(error: accord_app::AppError) -> WebError {
    match error {
        accord_app::AppError::Invalid(e) => WebError::Unprocessable(e.within("funding_award.")),
        other => other.into(),
    }
}

/// Records a funding award with its tranches.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/funding",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = FundingAwardIn,
    responses(
        (status = 201, description = "Recorded", body = FundingAwardOut),
        (status = 422, description = "Refused: drawn above the award, spent above drawn, a pending condition drawn…", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<FundingAwardIn>,
) -> Result<(StatusCode, Json<FundingAwardOut>), WebError> {
    let command = FundingCommand {
        award: input.funding_award,
        visibility: input.visibility,
    };
    let entry = funding::add(&state.app, &viewer.caller(), id, command)
        .await
        .map_err(prefixed)?;
    let summary = entry.value.summary();
    Ok((StatusCode::CREATED, Json(out(entry, summary))))
}

/// One funding award with its totals.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/funding/{reference}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The award's reference, like FA-1"),
    ),
    responses(
        (status = 200, description = "The award", body = FundingAwardOut),
        (status = 404, description = "No such award that you can see", body = ErrorResponse),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<FundingAwardOut>, WebError> {
    let reference = record.reference.unwrap_or_default();
    let (entry, summary) = funding::get(&state.app, &viewer.caller(), id, &reference).await?;
    Ok(Json(out(entry, summary)))
}

/// Replaces a funding award and its tranches.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/funding/{reference}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The award's reference, like FA-1"),
    ),
    request_body = FundingAwardIn,
    responses(
        (status = 200, description = "Replaced", body = FundingAwardOut),
        (status = 409, description = "Someone changed the award since the version you read; nothing was changed", body = ErrorResponse),
        (status = 422, description = "Refused; nothing was changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn replace(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<FundingAwardIn>,
) -> Result<Json<FundingAwardOut>, WebError> {
    let reference = record.reference.unwrap_or_default();
    let command = FundingCommand {
        award: input.funding_award,
        visibility: input.visibility,
    };
    let entry = funding::change(
        &state.app,
        &viewer.caller(),
        id,
        &reference,
        command,
        input.version,
    )
    .await
    .map_err(prefixed)?;
    let summary = entry.value.summary();
    Ok(Json(out(entry, summary)))
}

/// Deletes a funding award with its tranches.
#[utoipa::path(
    delete,
    path = "/api/v1/partnerships/{id}/funding/{reference}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The award's reference, like FA-1"),
        DeleteQuery,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Not the latest version: nothing was deleted", body = ErrorResponse),
        (status = 422, description = "No version: nothing was deleted", body = ErrorResponse),
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
    funding::delete(&state.app, &viewer.caller(), id, &reference, query.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ----- the addresses of earlier releases -----

/// Moved: the funding awards are at `/api/v1/partnerships/{id}/funding`.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/grants",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 308, description = "Moved for good to /api/v1/partnerships/{id}/funding, with the same query")),
)]
pub async fn moved_list(uri: OriginalUri) -> Response {
    moved(uri).await
}

/// Moved: record awards at `/api/v1/partnerships/{id}/funding`.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/grants",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 308, description = "Moved for good to /api/v1/partnerships/{id}/funding: send the request there (clients that follow 308 do)")),
    security(("token" = [])),
)]
pub async fn moved_create(uri: OriginalUri) -> Response {
    moved(uri).await
}

/// Moved: an award is at `/api/v1/partnerships/{id}/funding/{reference}`.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/grants/{reference}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The award's reference, or its record id as earlier releases gave it"),
    ),
    responses((status = 308, description = "Moved for good to /api/v1/partnerships/{id}/funding/{reference}")),
)]
pub async fn moved_show(uri: OriginalUri) -> Response {
    moved(uri).await
}

/// Moved: replace an award at `/api/v1/partnerships/{id}/funding/{reference}`.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/grants/{reference}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The award's reference, or its record id as earlier releases gave it"),
    ),
    responses((status = 308, description = "Moved for good to /api/v1/partnerships/{id}/funding/{reference}")),
    security(("token" = [])),
)]
pub async fn moved_replace(uri: OriginalUri) -> Response {
    moved(uri).await
}

/// Moved: delete an award at `/api/v1/partnerships/{id}/funding/{reference}`.
#[utoipa::path(
    delete,
    path = "/api/v1/partnerships/{id}/grants/{reference}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The award's reference, or its record id as earlier releases gave it"),
    ),
    responses((status = 308, description = "Moved for good to /api/v1/partnerships/{id}/funding/{reference}")),
    security(("token" = [])),
)]
pub async fn moved_delete(uri: OriginalUri) -> Response {
    moved(uri).await
}

/// The API addresses of earlier releases, with the guards of the addresses they moved to.
pub fn moved_routes(
    r: Routes,
    read: Guard,
    create: Guard,
    award: impl Fn(accord_domain::access::Action) -> Guard,
) -> Routes {
    use accord_domain::access::Action::{Delete, Read, Update};
    r.api(read, routes!(moved_list))
        .api(create, routes!(moved_create))
        .api(award(Read), routes!(moved_show))
        .api(award(Update), routes!(moved_replace))
        .api(award(Delete), routes!(moved_delete))
}
