//! The savings ledger in the API: a page of lines (filtered, sorted and paged by the database)
//! with each line's rating and running totals, the totals by year and council, the summary by
//! council and year, the lines themselves by reference (`SV-12`), and ledger file imports.

use accord_app::finance::savings::{self as ledger, ImportReport, LedgerLine, SavingCommand};
use accord_app::finance::{SavingsTotal, Visibility};
use accord_domain::finance::saving::{Cumulative, Saving, Status};
use axum::Json;
use axum::body::Bytes;
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
use crate::pages::finance::{query_form, savings as page};

/// A ledger line to add or replace.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct SavingIn {
    /// The line (`accord_domain::finance::saving::Saving`: money in pence, `council` a GSS
    /// code, `financial_year` like "2012/13", `planned`, `forecast`, `achieved`).
    #[schema(value_type = Object)]
    pub saving: Saving,
    /// Who may see it (default: a draft of your council).
    #[serde(default)]
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// For a replacement: the version read; a line changed since is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// A line of the ledger as read.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct SavingOut {
    /// The record's id.
    pub id: i64,
    /// Its reference in the partnership: `SV-12`.
    pub reference: String,
    /// Its version.
    pub version: i64,
    /// Who may see it.
    #[schema(value_type = String)]
    pub visibility: Visibility,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The line.
    #[schema(value_type = Object)]
    pub saving: Saving,
    /// The rating shown and why (a slipped linked milestone makes it Red until delivered).
    #[schema(value_type = Object)]
    pub status: Status,
    /// Running totals of its project and council up to its year (pence).
    #[schema(value_type = Object)]
    pub cumulative: Cumulative,
    /// Expected less planned for this year (pence).
    pub variance: i64,
    /// The linked project's name, when its record is visible to you.
    pub project_name: Option<String>,
    /// The linked milestone's name, when its record is visible to you.
    pub milestone_name: Option<String>,
    /// Whether the link could not be followed (no such project or milestone visible to you).
    pub link_unresolved: bool,
    /// Whether you may change it.
    pub may_change: bool,
}

fn out(line: LedgerLine) -> SavingOut {
    SavingOut {
        id: line.entry.record_id,
        reference: line.entry.reference,
        version: line.entry.version,
        visibility: line.entry.visibility,
        updated_at: line.entry.updated_at,
        may_change: line.entry.may_change,
        saving: line.entry.value,
        status: line.status,
        cumulative: line.cumulative,
        variance: line.variance.pence(),
        project_name: line.project_name,
        milestone_name: line.milestone_name,
        link_unresolved: line.link_unresolved,
    }
}

/// A group's totals, in pence.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct TotalOut {
    /// The financial year, when grouped by year.
    pub financial_year: Option<String>,
    /// The council's GSS code, when grouped by council.
    pub council: Option<String>,
    /// How many lines it adds up.
    pub lines: i64,
    /// Planned.
    pub planned: i64,
    /// Forecast.
    pub forecast: i64,
    /// Achieved.
    pub achieved: i64,
    /// Expected (achieved, else forecast, else planned).
    pub expected: i64,
    /// Cashable expected.
    pub cashable: i64,
    /// The savings target: the planned amounts the councils' MTFSs count on.
    pub savings_target: i64,
    /// Expected of the lines shown Red.
    pub at_risk: i64,
}

fn total_out(t: &SavingsTotal) -> TotalOut {
    TotalOut {
        financial_year: t.financial_year.map(|y| y.to_string()),
        council: t.council.as_ref().map(ToString::to_string),
        lines: t.lines,
        planned: t.total.planned.pence(),
        forecast: t.total.forecast.pence(),
        achieved: t.total.achieved.pence(),
        expected: t.total.expected.pence(),
        cashable: t.total.cashable.pence(),
        savings_target: t.total.savings_target.pence(),
        at_risk: t.total.at_risk.pence(),
    }
}

/// A page of the ledger with the totals of everything that matches.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LedgerOut {
    /// How many lines match in all.
    pub total: i64,
    /// This page of them.
    pub items: Vec<SavingOut>,
    /// The address of the next page, when there is one (also sent as a `Link` header).
    pub next: Option<String>,
    /// Totals of every matching line, by financial year and council.
    pub totals: Vec<TotalOut>,
}

/// A page of the savings ledger as you can see it, filtered by query: `council` (a GSS code),
/// `financial_year` ("2012/13"), `project` (a project record id), `text`, `brag` (the rating
/// shown: blue, green, amber, red), `in_mtfs` and `cashable` (yes or no); ordered by `sort`
/// (`project`, the default, `year` or `reference`); `limit` (1 to 500, 100 unless given) and
/// `cursor` (from the `next` address of the page before). Totals are summed by the database.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/savings",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("limit" = Option<u32>, Query, description = "Lines on the page: 1 to 500 (100 unless given)"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: the `cursor` of the previous page's `next` address"),
    ),
    responses(
        (status = 200, description = "A page of the ledger", body = LedgerOut),
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
    let request = invalid.check(list_request("savings", &form));
    invalid.into_result()?;
    let (Some((filter, order)), Some(request)) = (filter, request) else {
        return Err(WebError::NotFound);
    };
    let listed = ledger::ledger(&state.app, &viewer.caller(), id, &filter, order, &request).await?;
    let path = format!("/api/v1/partnerships/{id}/savings");
    let next = listed
        .page
        .next
        .as_deref()
        .map(|c| next_address(&path, &form, c));
    let body = LedgerOut {
        total: listed.page.total,
        items: listed.page.items.into_iter().map(out).collect(),
        next: next.clone(),
        totals: listed.totals.iter().map(total_out).collect(),
    };
    Ok(page_response(body, next.as_deref()))
}

/// The savings summary.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SummaryOut {
    /// By financial year and council.
    pub by_year_and_council: Vec<TotalOut>,
    /// By financial year.
    pub by_year: Vec<TotalOut>,
    /// By council.
    pub by_council: Vec<TotalOut>,
    /// Everything that matches.
    pub everything: TotalOut,
}

/// The savings summary of the lines you can see that match the ledger's filters: planned,
/// forecast, achieved and expected against the councils' savings targets, by year and
/// council, by year, by council and in all, summed by the database.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/savings/summary",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses(
        (status = 200, description = "The summary", body = SummaryOut),
        (status = 422, description = "A filter is not valid", body = ErrorResponse),
    ),
)]
pub async fn summary(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Json<SummaryOut>, WebError> {
    let form = query_form(query.as_deref());
    let (filter, _) = page::filter_from(&form)?;
    let s = ledger::summary(&state.app, &viewer.caller(), id, &filter).await?;
    Ok(Json(SummaryOut {
        by_year_and_council: s.by_year_and_council.iter().map(total_out).collect(),
        by_year: s.by_year.iter().map(total_out).collect(),
        by_council: s.by_council.iter().map(total_out).collect(),
        everything: total_out(&s.everything),
    }))
}

fn prefixed(error: accord_app::AppError) -> WebError {
    match error {
        accord_app::AppError::Invalid(e) => WebError::Unprocessable(e.within("saving.")),
        other => other.into(),
    }
}

/// Adds a line to the ledger.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/savings",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = SavingIn,
    responses(
        (status = 201, description = "Added", body = SavingOut),
        (status = 422, description = "Refused: a negative amount, a council that is not a member, a project that is not one of the partnership's (saving.project_record_id)…", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<SavingIn>,
) -> Result<(StatusCode, Json<SavingOut>), WebError> {
    let caller = viewer.caller();
    let command = SavingCommand {
        saving: input.saving,
        visibility: input.visibility,
    };
    let entry = ledger::add(&state.app, &caller, id, command)
        .await
        .map_err(prefixed)?;
    let line = ledger::get(&state.app, &caller, id, &entry.reference).await?;
    Ok((StatusCode::CREATED, Json(out(line))))
}

/// One ledger line.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/savings/{reference}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The line's reference, like SV-12"),
    ),
    responses(
        (status = 200, description = "The line", body = SavingOut),
        (status = 404, description = "No such line that you can see", body = ErrorResponse),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<SavingOut>, WebError> {
    let reference = record.reference.unwrap_or_default();
    Ok(Json(out(ledger::get(
        &state.app,
        &viewer.caller(),
        id,
        &reference,
    )
    .await?)))
}

/// Replaces a ledger line.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/savings/{reference}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The line's reference, like SV-12"),
    ),
    request_body = SavingIn,
    responses(
        (status = 200, description = "Replaced", body = SavingOut),
        (status = 409, description = "Someone changed the line since the version you read; nothing was changed", body = ErrorResponse),
        (status = 422, description = "Refused; nothing was changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn replace(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _reference)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<SavingIn>,
) -> Result<Json<SavingOut>, WebError> {
    let caller = viewer.caller();
    let reference = record.reference.unwrap_or_default();
    let command = SavingCommand {
        saving: input.saving,
        visibility: input.visibility,
    };
    ledger::change(&state.app, &caller, id, &reference, command, input.version)
        .await
        .map_err(prefixed)?;
    Ok(Json(out(
        ledger::get(&state.app, &caller, id, &reference).await?
    )))
}

/// Deletes a ledger line.
#[utoipa::path(
    delete,
    path = "/api/v1/partnerships/{id}/savings/{reference}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The line's reference, like SV-12"),
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
    ledger::delete(&state.app, &viewer.caller(), id, &reference, query.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The `visibility` query of an import.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// Who may see the imported lines: council (default), partnership or published.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub visibility: Visibility,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct ImportOut {
    /// Lines added.
    pub created: usize,
    /// Lines that replaced one for the same project, council and year.
    pub replaced: usize,
}

impl From<ImportReport> for ImportOut {
    fn from(r: ImportReport) -> Self {
        ImportOut {
            created: r.created,
            replaced: r.replaced,
        }
    }
}

/// Imports a ledger file (CSV, or XLSX), all or nothing in one transaction; every problem is
/// listed with its line.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/savings/import",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id"), ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "A ledger file with a header row: project, council, financial_year, planned, forecast, achieved, cashable, recurrence, brag, in_mtfs, project_record_id, milestone, note (an XLSX workbook is also read; files of earlier releases with target and actual columns too)"),
    responses(
        (status = 200, description = "Imported", body = ImportOut),
        (status = 422, description = "Refused: each problem names its column and line; nothing was imported", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn import_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(query): Query<ImportQuery>,
    bytes: Bytes,
) -> Result<Json<ImportOut>, WebError> {
    let report = ledger::import(&state.app, &viewer.caller(), id, &bytes, query.visibility).await?;
    Ok(Json(report.into()))
}
