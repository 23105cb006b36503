//! External funding (grants) in the API. Each grant is a record of kind `grant` whose body is
//! an [`accord_domain::grant::Grant`].

use accord_domain::grant::{Grant, Summary};
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
pub const KIND: &str = "grant";

/// The record input of a checked grant.
pub fn record_input(
    meta: accord_domain::access::RecordMeta,
    g: &Grant,
) -> Result<RecordInput, WebError> {
    let status = if g.summary().conditional > accord_domain::Money::ZERO {
        "conditional"
    } else {
        "confirmed"
    };
    Ok(RecordInput::new(KIND, meta, g.name.clone(), g)?
        .status(status)
        .key_date(g.tranches.iter().map(|t| t.financial_year.start()).min()))
}

/// Checks and writes a new grant.
pub async fn create_grant(
    state: &AppState,
    viewer: &Viewer,
    partnership_id: i64,
    g: &Grant,
    visibility: Visibility,
) -> Result<i64, WebError> {
    finance::partnership(state, partnership_id).await?;
    g.validate()?;
    let meta = finance::meta_for(viewer, partnership_id, visibility)?;
    finance::insert(state, viewer, &record_input(meta, g)?).await
}

/// Checks and replaces a grant.
pub async fn update_grant(
    state: &AppState,
    viewer: &Viewer,
    record: &StoredRecord,
    g: &Grant,
    visibility: Visibility,
    version: Option<i64>,
) -> Result<(), WebError> {
    g.validate()?;
    let pid = record.meta.partnership_id.unwrap_or_default();
    let meta =
        super::business_cases::keep_owner(record, finance::meta_for(viewer, pid, visibility)?);
    finance::update(
        state,
        viewer,
        record.id,
        version,
        &record_input(meta, g)?,
        "",
    )
    .await?;
    Ok(())
}

/// A grant to create or replace.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct GrantIn {
    /// The grant (`accord_domain::grant::Grant`; money in pence).
    #[schema(value_type = Object)]
    pub grant: Grant,
    /// Who may see it (default: a draft of your council).
    #[serde(default)]
    pub visibility: Visibility,
    /// For a replacement: the version read.
    #[serde(default)]
    pub version: Option<i64>,
}

/// A stored grant with its totals.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct GrantOut {
    /// The record's id.
    pub id: i64,
    /// Its version.
    pub version: i64,
    /// Who may see it.
    pub visibility: Visibility,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The grant.
    #[schema(value_type = Object)]
    pub grant: Grant,
    /// Awarded, confirmed, conditional, withdrawn, drawn, spent, undrawn and unspent (pence).
    #[schema(value_type = Object)]
    pub summary: Summary,
}

/// A stored grant as the API shows it.
pub fn grant_out(record: &StoredRecord) -> Result<GrantOut, WebError> {
    let grant: Grant = record
        .decode()
        .map_err(|e| WebError::Internal(anyhow::Error::from(e)))?;
    Ok(GrantOut {
        id: record.id,
        version: record.version,
        visibility: Visibility::of(&record.meta),
        updated_at: record.updated_at,
        summary: grant.summary(),
        grant,
    })
}

fn prefix(error: WebError) -> WebError {
    match error {
        WebError::Unprocessable(e) => WebError::Unprocessable(e.within("grant.")),
        other => other,
    }
}

/// The grants of a partnership that you can see.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/grants",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 200, description = "The grants", body = [GrantOut])),
)]
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<Vec<GrantOut>>, WebError> {
    let records = finance::list::<serde_json::Value>(&state, &viewer, KIND, id).await?;
    records
        .iter()
        .map(|(r, _)| grant_out(r))
        .collect::<Result<_, _>>()
        .map(Json)
}

/// Records a grant.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/grants",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = GrantIn,
    responses(
        (status = 201, description = "Recorded", body = GrantOut),
        (status = 422, description = "Refused: drawn above the award, spent above drawn, a pending condition drawn…", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<GrantIn>,
) -> Result<(StatusCode, Json<GrantOut>), WebError> {
    let record_id = create_grant(&state, &viewer, id, &input.grant, input.visibility)
        .await
        .map_err(prefix)?;
    let record = state
        .store
        .record(record_id, &viewer.scope(), state.today())
        .await?
        .ok_or(WebError::NotFound)?;
    Ok((StatusCode::CREATED, Json(grant_out(&record)?)))
}

/// One grant.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/grants/{record_id}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The grant's id"),
    ),
    responses(
        (status = 200, description = "The grant", body = GrantOut),
        (status = 404, description = "No such grant that you can see", body = ErrorResponse),
    ),
)]
pub async fn show(GuardedRecord(record): GuardedRecord) -> Result<Json<GrantOut>, WebError> {
    Ok(Json(grant_out(&record)?))
}

/// Replaces a grant.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/grants/{record_id}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The grant's id"),
    ),
    request_body = GrantIn,
    responses(
        (status = 200, description = "Replaced", body = GrantOut),
        (status = 422, description = "Refused; nothing was changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn replace(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<GrantIn>,
) -> Result<Json<GrantOut>, WebError> {
    update_grant(
        &state,
        &viewer,
        &record,
        &input.grant,
        input.visibility,
        input.version,
    )
    .await
    .map_err(prefix)?;
    let record = state
        .store
        .record(record.id, &viewer.scope(), state.today())
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(grant_out(&record)?))
}

/// Deletes a grant.
#[utoipa::path(
    delete,
    path = "/api/v1/partnerships/{id}/grants/{record_id}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The grant's id"),
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
