//! Allocations (apportionment of a shared cost between partner councils) in the API: list,
//! create, read, replace and delete them, addressed by their reference (`AL-2`), each method
//! run when saved; and split a cost without keeping anything.

use accord_analytics::cli::{AllocateInput, AllocateOutput};
use accord_analytics::coalition_model::ModelInput;
use accord_app::finance::allocations::{
    self as allocations, AllocationBody, AllocationCommand, AllocationEntry,
};
use accord_app::finance::{AllocationFilter, ListOrder, Visibility};
use accord_domain::finance::Driver;
use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::{DeleteQuery, list_request, next_address, page_response};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ErrorResponse, WebError};
use crate::forms::JsonBody;
use crate::guard::GuardedRecord;
use crate::pages::finance::query_form;

/// An allocation to create or replace.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct AllocationIn {
    /// What is being split.
    pub title: String,
    /// The business case the costs come from.
    #[serde(default)]
    pub business_case_record_id: Option<i64>,
    /// The councils, by GSS code.
    pub councils: Vec<String>,
    /// Councils that join later.
    #[serde(default)]
    pub joining: Vec<String>,
    /// Every coalition's cost, keyed by GSS codes joined with `+` (give this or `model`).
    #[serde(default)]
    pub cost: Option<BTreeMap<String, f64>>,
    /// The coalition model, keyed by GSS code (`docs/schemas/allocate.md`).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub model: Option<ModelInput>,
    /// The driver of proportional shares: `population` (the default), `budget`,
    /// `transactions` or `headcount`.
    #[serde(default = "default_driver")]
    #[schema(value_type = String)]
    pub driver: Driver,
    /// Driver figures by driver and GSS code.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub drivers: BTreeMap<Driver, BTreeMap<String, f64>>,
    /// A proposed split to check against the core.
    #[serde(default)]
    pub split: Option<BTreeMap<String, f64>>,
    /// What is illustrative.
    #[serde(default)]
    pub illustrative: Option<String>,
    /// Where the figures come from.
    #[serde(default)]
    pub source: Option<String>,
    /// Who may see it (default: a draft of your council).
    #[serde(default)]
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// For a replacement: the version read; an allocation changed since is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

fn default_driver() -> Driver {
    Driver::Population
}

impl AllocationIn {
    fn command(self) -> (AllocationCommand, Option<i64>) {
        (
            AllocationCommand {
                body: AllocationBody {
                    title: self.title,
                    business_case_record_id: self.business_case_record_id,
                    councils: self.councils,
                    joining: self.joining,
                    cost: self.cost,
                    model: self.model,
                    driver: self.driver,
                    drivers: self.drivers,
                    split: self.split,
                    illustrative: self.illustrative,
                    source: self.source,
                    driver_used: None,
                    result: None,
                },
                visibility: self.visibility,
            },
            self.version,
        )
    }
}

/// An allocation with its results.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct AllocationOut {
    /// The record's id.
    pub id: i64,
    /// Its reference in the partnership: `AL-2`.
    pub reference: String,
    /// The partnership.
    pub partnership_id: i64,
    /// Its version.
    pub version: i64,
    /// Who may see it.
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// What is being split.
    pub title: String,
    /// The business case the costs come from.
    pub business_case_record_id: Option<i64>,
    /// The councils, by GSS code.
    pub councils: Vec<String>,
    /// Councils that join later.
    pub joining: Vec<String>,
    /// Every coalition's cost.
    pub cost: Option<BTreeMap<String, f64>>,
    /// The coalition model.
    #[schema(value_type = Option<Object>)]
    pub model: Option<ModelInput>,
    /// The driver of proportional shares.
    #[schema(value_type = String)]
    pub driver: Driver,
    /// Driver figures entered.
    #[schema(value_type = Object)]
    pub drivers: BTreeMap<Driver, BTreeMap<String, f64>>,
    /// A proposed split to check.
    pub split: Option<BTreeMap<String, f64>>,
    /// What is illustrative.
    pub illustrative: Option<String>,
    /// Where the figures come from.
    pub source: Option<String>,
    /// The driver figures used (absent when one was not stated).
    pub driver_used: Option<BTreeMap<String, f64>>,
    /// Each method's split, the core check and the comparison when councils join (the
    /// `accord allocate` output).
    #[schema(value_type = Option<Object>)]
    pub result: Option<AllocateOutput>,
}

fn out(entry: AllocationEntry) -> AllocationOut {
    let b = entry.value;
    AllocationOut {
        id: entry.record_id,
        reference: entry.reference,
        partnership_id: entry.meta.partnership_id.unwrap_or_default(),
        version: entry.version,
        visibility: entry.visibility,
        updated_at: entry.updated_at,
        title: b.title,
        business_case_record_id: b.business_case_record_id,
        councils: b.councils,
        joining: b.joining,
        cost: b.cost,
        model: b.model,
        driver: b.driver,
        drivers: b.drivers,
        split: b.split,
        illustrative: b.illustrative,
        source: b.source,
        driver_used: b.driver_used,
        result: b.result,
    }
}

/// A page of allocations.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AllocationListOut {
    /// How many allocations match in all.
    pub total: i64,
    /// This page of them.
    pub items: Vec<AllocationOut>,
    /// The address of the next page, when there is one (also sent as a `Link` header).
    pub next: Option<String>,
}

/// The allocations of a partnership that you can see, filtered by query: `council` (a GSS
/// code), `text`; ordered by `sort` (`reference`, the default, or `name`); `limit` and
/// `cursor`.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/allocations",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("limit" = Option<u32>, Query, description = "Allocations on the page: 1 to 500 (100 unless given)"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: the `cursor` of the previous page's `next` address"),
    ),
    responses(
        (status = 200, description = "A page of the matching allocations", body = AllocationListOut),
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
    let request = invalid.check(list_request("allocations", &form));
    invalid.into_result()?;
    let (Some((filter, order)), Some(request)) = (filter, request) else {
        return Err(WebError::NotFound);
    };
    let listed =
        allocations::list(&state.app, &viewer.caller(), id, &filter, order, &request).await?;
    let path = format!("/api/v1/partnerships/{id}/allocations");
    let next = listed
        .next
        .as_deref()
        .map(|c| next_address(&path, &form, c));
    let body = AllocationListOut {
        total: listed.total,
        items: listed.items.into_iter().map(out).collect(),
        next: next.clone(),
    };
    Ok(page_response(body, next.as_deref()))
}

/// Reads the list's filter and order from a query: `council`, `text`, `sort`.
pub fn filter_from(
    form: &crate::forms::FormData,
) -> Result<(AllocationFilter, ListOrder), accord_domain::Invalid> {
    let mut invalid = accord_domain::Invalid::new();
    let council = match form.get("council").trim() {
        "" => None,
        t => invalid.check(accord_domain::GssCode::parse("council", t)),
    };
    let order = crate::pages::finance::order_from(form, &mut invalid);
    invalid.into_result()?;
    Ok((
        AllocationFilter {
            council,
            text: Some(form.get("text").trim().to_owned()).filter(|t| !t.is_empty()),
        },
        order,
    ))
}

/// Creates an allocation and runs every method.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/allocations",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = AllocationIn,
    responses(
        (status = 201, description = "Created, with each method's split and the core check", body = AllocationOut),
        (status = 422, description = "Refused: a coalition missing from the table (cost), an unknown council (cost.A+Z), a council not in the partnership (councils[2])…", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<AllocationIn>,
) -> Result<(StatusCode, Json<AllocationOut>), WebError> {
    let (command, _) = input.command();
    let entry = allocations::create(&state.app, &viewer.caller(), id, command).await?;
    Ok((StatusCode::CREATED, Json(out(entry))))
}

/// One allocation with its results.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/allocations/{reference}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The allocation's reference, like AL-2"),
    ),
    responses(
        (status = 200, description = "The allocation", body = AllocationOut),
        (status = 404, description = "No such allocation that you can see", body = ErrorResponse),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<AllocationOut>, WebError> {
    let reference = record.reference.unwrap_or_default();
    Ok(Json(out(allocations::get(
        &state.app,
        &viewer.caller(),
        id,
        &reference,
    )
    .await?)))
}

/// Replaces an allocation and runs every method again.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/allocations/{reference}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The allocation's reference, like AL-2"),
    ),
    request_body = AllocationIn,
    responses(
        (status = 200, description = "Replaced", body = AllocationOut),
        (status = 409, description = "Someone changed the allocation since the version you read; nothing was changed", body = ErrorResponse),
        (status = 422, description = "Refused; nothing was changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn replace(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<AllocationIn>,
) -> Result<Json<AllocationOut>, WebError> {
    let reference = record.reference.unwrap_or_default();
    let (command, version) = input.command();
    let entry = allocations::change(
        &state.app,
        &viewer.caller(),
        id,
        &reference,
        command,
        version,
    )
    .await?;
    Ok(Json(out(entry)))
}

/// Deletes an allocation.
#[utoipa::path(
    delete,
    path = "/api/v1/partnerships/{id}/allocations/{reference}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The allocation's reference, like AL-2"),
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
    allocations::delete(&state.app, &viewer.caller(), id, &reference, query.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The `accord allocate` input (`docs/schemas/allocate.md`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct AllocateIn(pub AllocateInput);

/// The `accord allocate` output.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct AllocateOut(pub AllocateOutput);

/// Splits a cost between players without keeping anything, exactly as `accord allocate`
/// does: more than 25 players needs "shapley_sampled" with a "model".
#[utoipa::path(
    post,
    path = "/api/v1/allocate",
    tag = "finance",
    request_body = AllocateIn,
    responses(
        (status = 200, description = "Each method's split and the core check", body = AllocateOut),
        (status = 422, description = "Refused: each problem names its field", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn allocate_only(
    JsonBody(AllocateIn(input)): JsonBody<AllocateIn>,
) -> Result<Json<AllocateOut>, WebError> {
    Ok(Json(AllocateOut(allocations::allocate(input).await?)))
}
