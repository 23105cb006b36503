//! Delivery in the API: projects (by their references, `P-7`), their highlight reports (under
//! the project, by number), the timeline and the progress report with its published versions,
//! under `/api/v1/partnerships/{id}/…`.
//!
//! Inputs are this module's types, read and handed to a use case of `accord_app::delivery`,
//! which checks them with the domain's rules; every refusal is a 422 naming the field, and
//! changes nothing. A change may name the `version` it was made from; one made from a version
//! someone has since replaced is refused with 409. Outputs carry the figures a client needs as
//! typed fields, and the record as Accord keeps it (the domain's JSON) as `record`.

use accord_app::delivery::highlight_reports::{self, StartHighlight};
use accord_app::delivery::projects::{self as use_case, CabinetApproval, ChangeDates, PlanProject};
use accord_app::delivery::{
    ProjectEntry, ProjectSummary, StoredHighlight, StoredProgress, escalations, progress_report,
    timeline as timeline_use_case,
};
use accord_app::list::ListRequest;
use accord_app::records::StoredRecord;
use accord_domain::access::Classification;
use accord_domain::highlight_report::{
    Confidence, HighlightContent, HighlightDraft, Rag, Snapshot, SnapshotRecord,
};
use accord_domain::project::{
    CashableSavings, DatePlan, DatePrecision, MilestoneInput, MilestoneKind, Outcome, PhaseInput,
    PhaseStatus, ProjectDetails, ProjectInput, ProjectSize, Stage,
};
use accord_domain::{GssCode, Invalid, Money};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Viewer;
use crate::delivery::parse_slug;
use crate::error::{ErrorResponse, WebError};
use crate::forms::{FormData, JsonBody};
use crate::guard::GuardedRecord;

pub(crate) fn class_of(record: &StoredRecord, today: NaiveDate) -> String {
    record
        .meta
        .effective_classification(today)
        .slug()
        .to_owned()
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

pub(crate) fn class_in(field: &str, text: Option<&str>) -> Result<Classification, Invalid> {
    match text.map(str::trim) {
        None | Some("" | "partnership") => Ok(Classification::Partnership),
        Some("published") => Ok(Classification::Published),
        Some(other) => Err(Invalid::field(
            field,
            format!("“{other}” is not a choice here: use partnership or published"),
        )),
    }
}

/// The project the guard found, by its reference or an old address's record id.
fn reference_of(record: &StoredRecord) -> String {
    record.reference.clone().unwrap_or_default()
}

// ----- projects -----

/// One line of a project's schedule.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ScheduleLineOut {
    /// stage, phase, milestone or review.
    pub kind: String,
    /// Its name.
    pub label: String,
    /// Its current date at its precision ("Sep 2011"); null when none is stated.
    pub date: Option<String>,
    /// Where it stands, in words ("Phase 2 likely to slip from Jul to Sep 2011").
    pub words: String,
    /// Whether it is beyond the project's time tolerance.
    pub exception: bool,
}

/// A project in a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProjectSummaryOut {
    /// The project's record id (its history is filed under it).
    pub id: i64,
    /// Its reference, which its address carries: P-7.
    pub reference: String,
    /// Its name.
    pub name: String,
    /// small or large; null when not stated.
    pub size: Option<String>,
    /// When it starts; null when not stated.
    pub start: Option<NaiveDate>,
    /// Potential cashable savings in words: "£100,000", "TBA" or "not stated".
    pub cashable_savings: String,
    /// The outcome in words.
    pub outcome: String,
    /// How many of its dates are beyond its time tolerance today.
    pub exceptions: u32,
    /// Who may see it: published, partnership, council or embargoed.
    pub classification: String,
    /// Its version.
    pub version: i64,
}

/// A page of the partnership's projects.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProjectListOut {
    /// How many projects match in all.
    pub total: i64,
    /// This page of them.
    pub items: Vec<ProjectSummaryOut>,
    /// The address of the next page, when there is one (also sent as a `Link` header).
    pub next: Option<String>,
}

/// A project.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProjectOut {
    /// The project's record id.
    pub id: i64,
    /// Its reference, which its address carries: P-7.
    pub reference: String,
    /// The record's version: send it with a change, which is refused (409) if the project
    /// changed since.
    pub version: i64,
    /// Who may see it.
    pub classification: String,
    /// The opportunity record it delivers, when it came through the gateway in Accord.
    pub opportunity_id: Option<i64>,
    /// Its stages, phases and milestones with their slippage in words, today.
    pub schedule: Vec<ScheduleLineOut>,
    /// The project as Accord keeps it: councils, tolerance, stages (with activities, engagement
    /// tracks and Cabinet gates), phases and milestones, each dated with a baseline, a forecast
    /// and an actual, and the Appendix B fields.
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

fn project_summary(p: &ProjectSummary, today: NaiveDate) -> ProjectSummaryOut {
    ProjectSummaryOut {
        id: p.record_id,
        reference: p.reference(),
        name: p.name.clone(),
        size: p.size.map(|s| s.slug().to_owned()),
        start: p.start,
        cashable_savings: p.cashable_savings.label(),
        outcome: p.outcome.label(),
        exceptions: p.exceptions,
        classification: p.meta.effective_classification(today).slug().to_owned(),
        version: p.version,
    }
}

fn project_out(p: &ProjectEntry, today: NaiveDate) -> ProjectOut {
    ProjectOut {
        id: p.record_id,
        reference: p.reference(),
        version: p.version,
        classification: p.classification.slug().to_owned(),
        opportunity_id: p.project.opportunity_id,
        schedule: p
            .project
            .schedule_lines(today)
            .into_iter()
            .map(|l| ScheduleLineOut {
                kind: to_json(&l.kind).as_str().unwrap_or_default().to_owned(),
                label: l.label,
                date: l.date,
                words: l.words,
                exception: l.exception,
            })
            .collect(),
        record: to_json(&p.project),
    }
}

/// A page of the partnership's projects, filtered by query: `text` (in the name), `outcome`
/// (`being-implemented`, …), `size` (small, large), `beyond=yes` (a date beyond tolerance
/// today), `due=this-month` (a date due this month), `sort` (number, name, start); `limit` (1
/// to 500, 100 unless given) and `cursor` (from the `next` address of the page before).
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/projects",
    tag = "delivery",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("limit" = Option<u32>, Query, description = "Projects on the page: 1 to 500 (100 unless given)"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: the `cursor` of the previous page's `next` address"),
        ("text" = Option<String>, Query, description = "Only projects whose name contains this, in any case"),
        ("outcome" = Option<String>, Query, description = "Only projects with this outcome: being-implemented, business-case-in-development, under-evaluation, collaboration-only, not-pursued-market-testing, re-evaluate, not-stated"),
        ("size" = Option<String>, Query, description = "Only projects of this size: small or large"),
        ("beyond" = Option<String>, Query, description = "`yes`: only projects with a date beyond tolerance today"),
        ("due" = Option<String>, Query, description = "`this-month`: only projects with a date not done due this month"),
        ("sort" = Option<String>, Query, description = "number (default), name or start"),
    ),
    responses(
        (status = 200, description = "A page of the projects the caller may see", body = ProjectListOut),
        (status = 422, description = "A filter, the limit or the cursor is not valid", body = ErrorResponse),
    ),
)]
pub async fn list_projects(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let today = state.today();
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let form = FormData::from_pairs(pairs);
    let mut invalid = Invalid::new();
    let filter = invalid.check(crate::pages::delivery::projects::filter_from(&form, today));
    let request = invalid.check(ListRequest::from_query(
        "projects",
        form.get("limit"),
        form.get("cursor"),
    ));
    invalid.into_result()?;
    let (Some((filter, order)), Some(request)) = (filter, request) else {
        return Err(WebError::NotFound);
    };
    let listed = use_case::list(&state.app, &viewer.caller(), id, &filter, order, &request).await?;
    let next = listed.next.as_ref().map(|cursor| {
        let mut pairs: Vec<(String, String)> = form
            .pairs()
            .iter()
            .filter(|(k, _)| k != "cursor" && k != "page")
            .cloned()
            .collect();
        pairs.push(("cursor".to_owned(), cursor.clone()));
        format!(
            "/api/v1/partnerships/{id}/projects?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    });
    let body = Json(ProjectListOut {
        total: listed.total,
        items: listed
            .items
            .iter()
            .map(|p| project_summary(p, today))
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

/// A project to plan from the indicative template of its size.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectIn {
    /// Its name.
    pub name: String,
    /// small or large: picks the indicative timetable.
    pub size: String,
    /// When it starts.
    pub start: NaiveDate,
    /// The time tolerance in days (28 when absent).
    #[serde(default)]
    pub tolerance_days: Option<u32>,
    /// The scope of the opportunity.
    #[serde(default)]
    pub opportunity: String,
    /// The opportunity record it delivers, once handed to delivery.
    #[serde(default)]
    pub opportunity_id: Option<i64>,
    /// partnership (default) or published.
    #[serde(default)]
    pub classification: Option<String>,
}

/// Plans a project: the four Schedule 2 stages with indicative dates, their activities and
/// engagement tracks, and Cabinet approval at every council as the gate. It is given the
/// partnership's next reference.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/projects",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = ProjectIn,
    responses(
        (status = 201, description = "Planned", body = ProjectOut),
        (status = 422, description = "Refused: each problem names its field", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn create_project(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<ProjectIn>,
) -> Result<(StatusCode, Json<ProjectOut>), WebError> {
    let mut invalid = Invalid::new();
    let size = invalid.check(parse_slug::<ProjectSize>(
        "size",
        &input.size,
        "a size: small or large",
    ));
    let class = invalid.check(class_in("classification", input.classification.as_deref()));
    invalid.into_result()?;
    let (Some(size), Some(classification)) = (size, class) else {
        return Err(Invalid::field("size", "Give the size").into());
    };
    let entry = use_case::plan(
        &state.app,
        &viewer.caller(),
        id,
        PlanProject {
            input: ProjectInput {
                name: input.name,
                size,
                start: input.start,
                tolerance_days: input.tolerance_days,
                template: None,
                opportunity: input.opportunity,
                opportunity_id: input.opportunity_id,
            },
            classification,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(project_out(&entry, state.today())),
    ))
}

/// One project, by its reference.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/projects/{reference}",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The project's reference: P-7")),
    responses((status = 200, description = "The project", body = ProjectOut), (status = 404, description = "No such project, or not for this caller", body = ErrorResponse)),
)]
pub async fn show_project(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<ProjectOut>, WebError> {
    let id = path.0;
    let entry = use_case::get(&state.app, &viewer.caller(), id, &reference_of(&record)).await?;
    Ok(Json(project_out(&entry, state.today())))
}

/// A project's details, all of them: what is not given is cleared to its default.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectDetailsIn {
    /// Its name.
    pub name: String,
    /// The time tolerance in days (28 when absent).
    #[serde(default)]
    pub tolerance_days: Option<u32>,
    /// The scope of the opportunity.
    #[serde(default)]
    pub opportunity: String,
    /// The opportunity record it delivers.
    #[serde(default)]
    pub opportunity_id: Option<i64>,
    /// The implementation activity.
    #[serde(default)]
    pub implementation: String,
    /// amount, tba or not-stated (default).
    #[serde(default)]
    pub cashable_savings: Option<String>,
    /// The amount a year, in pence, for `amount`.
    #[serde(default)]
    pub cashable_savings_pence: Option<i64>,
    /// Anticipated non-cashable benefits.
    #[serde(default)]
    pub non_cashable_benefits: Vec<String>,
    /// being-implemented, business-case-in-development, under-evaluation, collaboration-only,
    /// not-pursued-market-testing, re-evaluate or not-stated (default).
    #[serde(default)]
    pub outcome: Option<String>,
    /// When it is to be evaluated again, in words, for `re-evaluate`.
    #[serde(default)]
    pub re_evaluate_when: Option<String>,
    /// Why, for the audit trail.
    #[serde(default)]
    pub reason: String,
    /// The version the change is made from; when given, a change to a project that changed
    /// since is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

impl ProjectDetailsIn {
    fn parse(self) -> Result<(ProjectDetails, String, Option<i64>), Invalid> {
        let mut invalid = Invalid::new();
        let savings = match (
            self.cashable_savings.as_deref(),
            self.cashable_savings_pence,
        ) {
            (Some("amount"), Some(pence)) => Some(CashableSavings::Amount {
                amount: Money::from_pence(pence),
            }),
            (Some("amount"), None) => {
                invalid.push("cashable_savings_pence", "Give the amount a year, in pence");
                None
            }
            (Some("tba"), _) => Some(CashableSavings::Tba),
            (None | Some("not-stated"), _) => Some(CashableSavings::NotStated),
            (Some(other), _) => {
                invalid.push(
                    "cashable_savings",
                    format!("“{other}” is not a choice here: use amount, tba or not-stated"),
                );
                None
            }
        };
        let outcome = match self.outcome.as_deref() {
            None => Some(Outcome::NotStated),
            Some(text) => {
                let when = self.re_evaluate_when.unwrap_or_default();
                let outcome = Outcome::from_slug(text, when);
                if outcome.is_none() {
                    invalid.push("outcome", format!("“{text}” is not an outcome"));
                }
                outcome
            }
        };
        invalid.into_result()?;
        Ok((
            ProjectDetails {
                name: self.name,
                tolerance_days: self.tolerance_days,
                opportunity: self.opportunity,
                opportunity_id: self.opportunity_id,
                implementation: self.implementation,
                cashable_savings: savings.unwrap_or_default(),
                non_cashable_benefits: self.non_cashable_benefits,
                outcome: outcome.unwrap_or_default(),
            },
            self.reason,
            self.version,
        ))
    }
}

/// Replaces a project's details: name, tolerance, scope, the opportunity it delivers,
/// implementation activity, savings, benefits and outcome. Its plan and dates are untouched.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/projects/{reference}/details",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The project's reference: P-7")),
    request_body = ProjectDetailsIn,
    responses(
        (status = 200, description = "Changed", body = ProjectOut),
        (status = 409, description = "The project changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused, nothing changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn edit_project(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<ProjectDetailsIn>,
) -> Result<Json<ProjectOut>, WebError> {
    let id = path.0;
    let (details, reason, version) = input.parse()?;
    let entry = use_case::edit(
        &state.app,
        &viewer.caller(),
        id,
        &reference_of(&record),
        version,
        details,
        &reason,
    )
    .await?;
    Ok(Json(project_out(&entry, state.today())))
}

/// New dates for a stage, phase or milestone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatesIn {
    /// The item: `stage-assess-value`, `stage-define-strategy`, `stage-create-design`,
    /// `stage-build-and-deploy`, `phase-N` or `milestone-N`.
    pub item: String,
    /// When it is now expected; null to expect it on its baseline.
    #[serde(default)]
    pub forecast: Option<NaiveDate>,
    /// When it happened (for a stage: when it completed, which needs every Cabinet approval
    /// of its gate first).
    #[serde(default)]
    pub actual: Option<NaiveDate>,
    /// Why, for the audit trail.
    #[serde(default)]
    pub reason: String,
    /// The version the change is made from; when given, a change to a project that changed
    /// since is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Sets an item's forecast and actual. A forecast before the project starts is refused.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/projects/{reference}/dates",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The project's reference: P-7")),
    request_body = DatesIn,
    responses(
        (status = 200, description = "Changed; any new tolerance exception is escalated to the Programme Board", body = ProjectOut),
        (status = 409, description = "The project changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused, nothing changed: a forecast before the start, a stage whose gate is not approved", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn change_dates(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<DatesIn>,
) -> Result<Json<ProjectOut>, WebError> {
    let id = path.0;
    let target = crate::pages::delivery::common::parse_target("item", &input.item)?;
    let entry = use_case::change_dates(
        &state.app,
        &viewer.caller(),
        id,
        &reference_of(&record),
        input.version,
        ChangeDates {
            target,
            forecast: input.forecast,
            actual: input.actual,
        },
        &input.reason,
    )
    .await?;
    Ok(Json(project_out(&entry, state.today())))
}

/// A council's Cabinet approval.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalIn {
    /// The stage whose gate it is (projects only): `define-strategy` in the standard plan.
    #[serde(default)]
    pub stage: Option<String>,
    /// The council's GSS code.
    pub council: String,
    /// When its Cabinet approved.
    pub approved_on: NaiveDate,
}

/// A council's Cabinet approval at a project's gate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectApprovalIn {
    /// The stage whose gate it is: `define-strategy` in the standard plan (the default).
    #[serde(default)]
    pub stage: Option<String>,
    /// The council's GSS code.
    pub council: String,
    /// When its Cabinet approved.
    pub approved_on: NaiveDate,
    /// The version the change is made from; when given, a change to a project that changed
    /// since is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Records a council's Cabinet approval at a project's gate. A council outside the
/// partnership is refused.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/projects/{reference}/cabinet-approvals",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The project's reference: P-7")),
    request_body = ProjectApprovalIn,
    responses(
        (status = 200, description = "Recorded", body = ProjectOut),
        (status = 409, description = "The project changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused, nothing changed: a council outside the partnership, a stage without a gate, a date in the future", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn project_cabinet_approval(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<ProjectApprovalIn>,
) -> Result<Json<ProjectOut>, WebError> {
    let id = path.0;
    let mut invalid = Invalid::new();
    let stage = invalid.check(Stage::parse(
        "stage",
        input.stage.as_deref().unwrap_or("define-strategy"),
    ));
    let council = invalid.check(GssCode::parse("council", &input.council));
    invalid.into_result()?;
    let (Some(stage), Some(council)) = (stage, council) else {
        return Err(Invalid::field("council", "Give the council").into());
    };
    let entry = use_case::approve(
        &state.app,
        &viewer.caller(),
        id,
        &reference_of(&record),
        input.version,
        CabinetApproval {
            stage,
            council,
            approved_on: input.approved_on,
        },
    )
    .await?;
    Ok(Json(project_out(&entry, state.today())))
}

/// A date as a source states it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatePlanIn {
    /// The date agreed.
    pub baseline: NaiveDate,
    /// The date now expected.
    #[serde(default)]
    pub forecast: Option<NaiveDate>,
    /// The date it happened.
    #[serde(default)]
    pub actual: Option<NaiveDate>,
    /// How exactly it is known: day (default), month, early-month, end-of-month, mid-year or
    /// end-of-year.
    #[serde(default)]
    pub precision: Option<String>,
}

impl DatePlanIn {
    fn parse(self, field: &str) -> Result<DatePlan, Invalid> {
        let precision = match self.precision.as_deref() {
            None | Some("") => DatePrecision::Day,
            Some(text) => parse_slug(&format!("{field}.precision"), text, "a precision")?,
        };
        Ok(DatePlan {
            baseline: self.baseline,
            forecast: self.forecast,
            actual: self.actual,
            precision,
        })
    }
}

/// A phase to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseIn {
    /// Its short name ("Phase 2").
    pub name: String,
    /// What it is.
    #[serde(default)]
    pub description: String,
    /// planned (default), underway or complete.
    #[serde(default)]
    pub status: Option<String>,
    /// When it starts.
    #[serde(default)]
    pub start: Option<DatePlanIn>,
    /// Notes.
    #[serde(default)]
    pub note: Option<String>,
    /// The version the change is made from; when given, a change to a project that changed
    /// since is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Adds a phase to a project.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/projects/{reference}/phases",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The project's reference: P-7")),
    request_body = PhaseIn,
    responses(
        (status = 200, description = "Added", body = ProjectOut),
        (status = 409, description = "The project changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn add_phase(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<PhaseIn>,
) -> Result<Json<ProjectOut>, WebError> {
    let id = path.0;
    let status = match input.status.as_deref() {
        None | Some("") => PhaseStatus::Planned,
        Some(text) => parse_slug(
            "status",
            text,
            "a phase status: planned, underway or complete",
        )?,
    };
    let start = input.start.map(|s| s.parse("start")).transpose()?;
    let (entry, _) = use_case::add_phase(
        &state.app,
        &viewer.caller(),
        id,
        &reference_of(&record),
        input.version,
        PhaseInput {
            name: input.name,
            description: input.description,
            status,
            start,
            note: input.note,
        },
    )
    .await?;
    Ok(Json(project_out(&entry, state.today())))
}

/// A milestone to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneIn {
    /// What it is.
    pub name: String,
    /// delivery (default), decision or review.
    #[serde(default)]
    pub kind: Option<String>,
    /// The stage it belongs to.
    #[serde(default)]
    pub stage: Option<String>,
    /// The phase it belongs to, by number.
    #[serde(default)]
    pub phase: Option<u32>,
    /// Its dates.
    pub due: DatePlanIn,
    /// Notes.
    #[serde(default)]
    pub note: Option<String>,
    /// The version the change is made from; when given, a change to a project that changed
    /// since is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Adds a milestone to a project. Dates before the project starts are refused.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/projects/{reference}/milestones",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The project's reference: P-7")),
    request_body = MilestoneIn,
    responses(
        (status = 200, description = "Added", body = ProjectOut),
        (status = 409, description = "The project changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn add_milestone(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<MilestoneIn>,
) -> Result<Json<ProjectOut>, WebError> {
    let id = path.0;
    let mut invalid = Invalid::new();
    let kind = match input.kind.as_deref() {
        None | Some("") => Some(MilestoneKind::Delivery),
        Some(text) => invalid.check(parse_slug(
            "kind",
            text,
            "a milestone kind: delivery, decision or review",
        )),
    };
    let stage = input
        .stage
        .as_deref()
        .and_then(|s| invalid.check(Stage::parse("stage", s)));
    let due = invalid.check(input.due.parse("due"));
    invalid.into_result()?;
    let (Some(kind), Some(due)) = (kind, due) else {
        return Err(Invalid::field("due", "Give the dates").into());
    };
    let (entry, _) = use_case::add_milestone(
        &state.app,
        &viewer.caller(),
        id,
        &reference_of(&record),
        input.version,
        MilestoneInput {
            name: input.name,
            kind,
            stage,
            phase: input.phase,
            due,
            note: input.note,
        },
    )
    .await?;
    Ok(Json(project_out(&entry, state.today())))
}

/// How many exceptions were escalated.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EscalatedOut {
    /// Tolerance exceptions escalated to the Programme Board now (each item is escalated once).
    pub escalated: usize,
}

/// Escalates to the Programme Board the project's tolerance exceptions not escalated yet.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/projects/{reference}/escalations",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The project's reference: P-7")),
    responses((status = 200, description = "Escalated", body = EscalatedOut)),
    security(("token" = [])),
)]
pub async fn escalate_project(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<EscalatedOut>, WebError> {
    let id = path.0;
    let escalated =
        escalations::escalate(&state.app, &viewer.caller(), id, &reference_of(&record)).await?;
    Ok(Json(EscalatedOut { escalated }))
}

// ----- the programme -----

/// One row of the programme timeline.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TimelineRowOut {
    /// The project's record id.
    pub project: i64,
    /// The project's name.
    pub project_name: String,
    /// The stage, phase or milestone.
    pub label: String,
    /// stage, phase, milestone or review.
    pub kind: String,
    /// Baseline start.
    pub baseline_start: NaiveDate,
    /// Baseline end.
    pub baseline_end: NaiveDate,
    /// Current start (forecast or actual).
    pub current_start: NaiveDate,
    /// Current end (actual, else forecast, else baseline).
    pub current_end: NaiveDate,
    /// Whether it is done.
    pub done: bool,
    /// Where it stands, in words.
    pub words: String,
    /// Whether it is beyond its project's tolerance.
    pub exception: bool,
}

/// The programme timeline.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TimelineOut {
    /// The day it is drawn for.
    pub today: NaiveDate,
    /// The rows, project by project.
    pub rows: Vec<TimelineRowOut>,
}

/// The programme timeline (the Gantt chart's data): stages, phases and milestones of every
/// project, baseline against forecast.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/timeline",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 200, description = "The timeline", body = TimelineOut)),
)]
pub async fn timeline(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<TimelineOut>, WebError> {
    let today = state.today();
    let t = timeline_use_case::timeline(&state.app, &viewer.caller(), id, today).await?;
    Ok(Json(TimelineOut {
        today,
        rows: t
            .rows
            .into_iter()
            .map(|r| TimelineRowOut {
                project: r.project,
                project_name: r.project_name,
                label: r.label,
                kind: to_json(&r.kind).as_str().unwrap_or_default().to_owned(),
                baseline_start: r.baseline_start,
                baseline_end: r.baseline_end,
                current_start: r.current_start,
                current_end: r.current_end,
                done: r.done,
                words: r.words,
                exception: r.exception,
            })
            .collect(),
    }))
}

/// The programme progress report.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProgressOut {
    /// The published version's record id; null for the report built now.
    pub id: Option<i64>,
    /// The version number, once published: its address is `…/progress-report/versions/{n}`.
    pub version: Option<u32>,
    /// When it was published.
    pub published_on: Option<NaiveDate>,
    /// The report: title, as-at date, one entry per project (scope, implementation activity,
    /// schedule lines with slippage in words, savings or "TBA", benefits, outcome) and totals.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
}

/// The programme progress report (Appendix B) built now from the projects the caller may see.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/progress-report",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 200, description = "The report as at today", body = ProgressOut)),
)]
pub async fn progress_report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<ProgressOut>, WebError> {
    let report = progress_report::live(&state.app, &viewer.caller(), id, state.today()).await?;
    Ok(Json(ProgressOut {
        id: None,
        version: None,
        published_on: None,
        report: to_json(&report),
    }))
}

/// Who may see a published version.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishIn {
    /// partnership (default) or published.
    #[serde(default)]
    pub classification: Option<String>,
}

fn progress_out(stored: &StoredProgress) -> ProgressOut {
    ProgressOut {
        id: Some(stored.record_id),
        version: Some(stored.snapshot.version()),
        published_on: Some(stored.snapshot.published_on()),
        report: to_json(stored.snapshot.content()),
    }
}

/// A published version in the list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProgressVersionOut {
    /// Its version number.
    pub version: u32,
    /// When it was published.
    pub published_on: NaiveDate,
    /// The date it reports as at.
    pub as_at: NaiveDate,
    /// Its title.
    pub title: String,
    /// Who may see it.
    pub classification: String,
}

/// The published versions of the progress report the caller may see, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/progress-report/versions",
    tag = "delivery",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("limit" = Option<u32>, Query, description = "Versions on the page: 1 to 500 (100 unless given)"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: the `cursor` of the previous page's `next` address"),
    ),
    responses(
        (status = 200, description = "A page of the published versions, oldest first", body = ProgressVersionListOut),
        (status = 422, description = "The limit or the cursor is not valid", body = ErrorResponse),
    ),
)]
pub async fn progress_versions(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let today = state.today();
    let form = crate::paging::query_form(query.as_deref());
    let request = ListRequest::from_query(
        "progress-report-versions",
        form.get("limit"),
        form.get("cursor"),
    )?;
    let listed = progress_report::versions_page(&state.app, &viewer.caller(), id, &request).await?;
    let next = crate::paging::next_page(
        &format!("/api/v1/partnerships/{id}/progress-report/versions"),
        &form,
        listed.next.as_ref(),
    );
    let body = ProgressVersionListOut {
        total: listed.total,
        items: listed
            .items
            .into_iter()
            .map(|v| ProgressVersionOut {
                version: v.version,
                published_on: v.published_on,
                as_at: v.as_at,
                title: v.title,
                classification: v.meta.effective_classification(today).slug().to_owned(),
            })
            .collect(),
        next: next.clone(),
    };
    Ok(crate::paging::page_response(body, next))
}

/// A page of the progress report's published versions.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProgressVersionListOut {
    /// How many versions the reader may see.
    pub total: i64,
    /// This page of them, oldest first.
    pub items: Vec<ProgressVersionOut>,
    /// The address of the next page, when there is one (also sent as a `Link` header).
    pub next: Option<String>,
}

/// Publishes the progress report as it stands today as the next version, frozen.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/progress-report/versions",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = PublishIn,
    responses((status = 201, description = "Published", body = ProgressOut), (status = 422, description = "Refused", body = ErrorResponse)),
    security(("token" = [])),
)]
pub async fn publish_progress_report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<PublishIn>,
) -> Result<(StatusCode, Json<ProgressOut>), WebError> {
    crate::pages::delivery::common::partnership(&state, id).await?;
    let class = class_in("classification", input.classification.as_deref())?;
    let stored = progress_report::publish(&state.app, &viewer.caller(), id, class).await?;
    Ok((StatusCode::CREATED, Json(progress_out(&stored))))
}

/// A published version of the progress report, by its number, exactly as it was published.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/progress-report/versions/{reference}",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = u32, Path, description = "The version's number")),
    responses((status = 200, description = "The frozen report", body = ProgressOut), (status = 404, description = "No such version", body = ErrorResponse)),
)]
pub async fn published_progress_report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<ProgressOut>, WebError> {
    let id = path.0;
    let version = record
        .reference
        .as_deref()
        .and_then(|r| r.parse::<u32>().ok())
        .ok_or(WebError::NotFound)?;
    let stored = progress_report::version(&state.app, &viewer.caller(), id, version).await?;
    Ok(Json(progress_out(&stored)))
}

/// Moved: publishing is `POST …/progress-report/versions`, where this answers a permanent
/// redirect (the method is kept).
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/progress-reports",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 308, description = "Moved to /api/v1/partnerships/{id}/progress-report/versions")),
    security(("token" = [])),
)]
pub async fn old_publish_progress_report(Path(id): Path<i64>) -> Response {
    Redirect::permanent(&format!(
        "/api/v1/partnerships/{id}/progress-report/versions"
    ))
    .into_response()
}

/// Moved: a published version is `…/progress-report/versions/{n}`; an old address by the
/// version's record id answers a permanent redirect there.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/progress-reports/{record_id}",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The published version's record id")),
    responses(
        (status = 308, description = "Moved to /api/v1/partnerships/{id}/progress-report/versions/{n}"),
        (status = 404, description = "No such version", body = ErrorResponse),
    ),
)]
pub async fn old_published_progress_report() -> Result<Json<ProgressOut>, WebError> {
    Err(WebError::NotFound)
}

// ----- highlight reports -----

/// A highlight report as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportDraftIn {
    /// The first day of the period.
    pub period_start: NaiveDate,
    /// The last day of the period.
    pub period_end: NaiveDate,
    /// green, amber-green, amber, amber-red or red.
    pub confidence: String,
    /// green, amber or red.
    pub time: String,
    /// green, amber or red.
    pub cost: String,
    /// green, amber or red.
    pub scope: String,
    /// green, amber or red.
    pub benefits: String,
    /// What happened in the period.
    pub narrative: String,
    /// What happens next.
    #[serde(default)]
    pub next_steps: Vec<String>,
    /// Items for the board to resolve.
    #[serde(default)]
    pub escalations: Vec<String>,
    /// Who wrote it.
    pub author: String,
    /// partnership (default) or published; for a new report only.
    #[serde(default)]
    pub classification: Option<String>,
    /// The report's version the change is made from (`record_version`); when given, a change
    /// to a report that changed since is refused with 409. For a new report, ignored.
    #[serde(default)]
    pub version: Option<i64>,
}

impl ReportDraftIn {
    fn parse(self) -> Result<(HighlightDraft, Option<String>, Option<i64>), Invalid> {
        let mut invalid = Invalid::new();
        let confidence = invalid.check(parse_slug::<Confidence>(
            "confidence",
            &self.confidence,
            "a delivery confidence: green, amber-green, amber, amber-red or red",
        ));
        let mut rag = |field: &str, text: &str| {
            invalid.check(parse_slug::<Rag>(field, text, "green, amber or red"))
        };
        let time = rag("time", &self.time);
        let cost = rag("cost", &self.cost);
        let scope = rag("scope", &self.scope);
        let benefits = rag("benefits", &self.benefits);
        invalid.into_result()?;
        match (confidence, time, cost, scope, benefits) {
            (Some(confidence), Some(time), Some(cost), Some(scope), Some(benefits)) => Ok((
                HighlightDraft {
                    period_start: self.period_start,
                    period_end: self.period_end,
                    confidence,
                    time,
                    cost,
                    scope,
                    benefits,
                    narrative: self.narrative,
                    next_steps: self.next_steps,
                    escalations: self.escalations,
                    author: self.author,
                },
                self.classification,
                self.version,
            )),
            _ => Err(Invalid::field("confidence", "Give every rating")),
        }
    }
}

/// A published version of a highlight report.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReportVersionOut {
    /// The version number, from 1.
    pub version: u32,
    /// When it was published.
    pub published_on: NaiveDate,
    /// The SHA-256 digest that seals it.
    pub digest: String,
    /// The frozen content: the report as written and the project's schedule when published.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
}

/// A highlight report: its draft and published versions.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HighlightOut {
    /// The report's record id.
    pub id: i64,
    /// The project's record id.
    pub project: i64,
    /// The project's reference: P-7.
    pub project_reference: String,
    /// The report's number among the project's: its address is
    /// `…/projects/{project_reference}/highlight-reports/{number}`.
    pub number: u32,
    /// The record's version: send it with a change.
    pub record_version: i64,
    /// Who may see it.
    pub classification: String,
    /// Whether the draft differs from the latest published version.
    pub unpublished_changes: bool,
    /// The draft.
    #[schema(value_type = Object)]
    pub draft: serde_json::Value,
    /// The published versions, oldest first.
    pub versions: Vec<ReportVersionOut>,
}

fn version_out(snapshot: &Snapshot<HighlightContent>) -> ReportVersionOut {
    ReportVersionOut {
        version: snapshot.version(),
        published_on: snapshot.published_on(),
        digest: snapshot.digest().to_owned(),
        content: to_json(snapshot.content()),
    }
}

fn highlight_out(report: &StoredHighlight, today: NaiveDate) -> HighlightOut {
    HighlightOut {
        id: report.record_id,
        project: report.project_id,
        project_reference: report.project_reference(),
        number: report.number,
        record_version: report.version,
        classification: report
            .meta
            .effective_classification(today)
            .slug()
            .to_owned(),
        unpublished_changes: report.report.has_unpublished_changes(),
        draft: to_json(&report.report.draft),
        versions: report.report.versions().iter().map(version_out).collect(),
    }
}

/// Starts a highlight report for a project; it is given the project's next number.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/projects/{reference}/highlight-reports",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The project's reference: P-7")),
    request_body = ReportDraftIn,
    responses((status = 201, description = "Started", body = HighlightOut), (status = 422, description = "Refused", body = ErrorResponse)),
    security(("token" = [])),
)]
pub async fn start_highlight_report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<ReportDraftIn>,
) -> Result<(StatusCode, Json<HighlightOut>), WebError> {
    let id = path.0;
    let (draft, class, _) = input.parse()?;
    let classification = class_in("classification", class.as_deref())?;
    let report = highlight_reports::start(
        &state.app,
        &viewer.caller(),
        id,
        &reference_of(&record),
        StartHighlight {
            draft,
            classification,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(highlight_out(&report, state.today())),
    ))
}

/// A highlight report with its draft and published versions.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/projects/{reference}/highlight-reports/{number}",
    tag = "delivery",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The project's reference: P-7"),
        ("number" = u32, Path, description = "The report's number among the project's"),
    ),
    responses((status = 200, description = "The report", body = HighlightOut), (status = 404, description = "No such report", body = ErrorResponse)),
)]
pub async fn show_highlight_report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(i64, String, u32)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<HighlightOut>, WebError> {
    let (id, number) = (path.0, path.2);
    let (_, report) = highlight_reports::get(
        &state.app,
        &viewer.caller(),
        id,
        &reference_of(&record),
        number,
    )
    .await?;
    Ok(Json(highlight_out(&report, state.today())))
}

/// Moved: a highlight report is addressed under its project; an old address by its record id
/// answers a permanent redirect there.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/highlight-reports/{record_id}",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The report's record id")),
    responses(
        (status = 308, description = "Moved to /api/v1/partnerships/{id}/projects/{reference}/highlight-reports/{number}"),
        (status = 404, description = "No such report", body = ErrorResponse),
    ),
)]
pub async fn old_highlight_report() -> Result<Json<HighlightOut>, WebError> {
    Err(WebError::NotFound)
}

/// Replaces the draft. Published versions never change.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/projects/{reference}/highlight-reports/{number}/draft",
    tag = "delivery",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The project's reference: P-7"),
        ("number" = u32, Path, description = "The report's number among the project's"),
    ),
    request_body = ReportDraftIn,
    responses(
        (status = 200, description = "Saved", body = HighlightOut),
        (status = 409, description = "The report changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn edit_highlight_draft(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(i64, String, u32)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<ReportDraftIn>,
) -> Result<Json<HighlightOut>, WebError> {
    let (id, number) = (path.0, path.2);
    let (draft, _, version) = input.parse()?;
    let report = highlight_reports::edit_draft(
        &state.app,
        &viewer.caller(),
        id,
        &reference_of(&record),
        number,
        version,
        draft,
    )
    .await?;
    Ok(Json(highlight_out(&report, state.today())))
}

/// The version a publication is made from.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishHighlightIn {
    /// The report's version (`record_version`) the publication is made from; when given, a
    /// report that changed since is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Publishes the draft as the next version, freezing the project's schedule as it stands
/// today with it.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/projects/{reference}/highlight-reports/{number}/versions",
    tag = "delivery",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The project's reference: P-7"),
        ("number" = u32, Path, description = "The report's number among the project's"),
    ),
    request_body = PublishHighlightIn,
    responses(
        (status = 201, description = "Published", body = HighlightOut),
        (status = 409, description = "The report changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn publish_highlight_report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(i64, String, u32)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<PublishHighlightIn>,
) -> Result<(StatusCode, Json<HighlightOut>), WebError> {
    let (id, number) = (path.0, path.2);
    let report = highlight_reports::publish(
        &state.app,
        &viewer.caller(),
        id,
        &reference_of(&record),
        number,
        input.version,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(highlight_out(&report, state.today())),
    ))
}

/// A published version sent back.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportVersionIn {
    /// The version number.
    pub version: u32,
    /// When it was published.
    pub published_on: NaiveDate,
    /// The content.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    /// The digest that seals it.
    pub digest: String,
}

/// Saves a published version again (as a client does on retry). Accepted only when it is
/// identical to the version published: a change to a published version is refused.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/projects/{reference}/highlight-reports/{number}/versions/{version}",
    tag = "delivery",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("reference" = String, Path, description = "The project's reference: P-7"),
        ("number" = u32, Path, description = "The report's number among the project's"),
        ("version" = u32, Path, description = "The version number"),
    ),
    request_body = ReportVersionIn,
    responses(
        (status = 200, description = "Identical to the published version: nothing to change", body = HighlightOut),
        (status = 422, description = "Refused, nothing changed: a published version cannot be changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn resave_highlight_version(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(i64, String, u32, u32)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<ReportVersionIn>,
) -> Result<Json<HighlightOut>, WebError> {
    let (id, number, version) = (path.0, path.2, path.3);
    let content: HighlightContent = serde_json::from_value(input.content).map_err(|e| {
        Invalid::field(
            "content",
            format!("is not a highlight report's content: {e}"),
        )
    })?;
    let report = highlight_reports::resave_version(
        &state.app,
        &viewer.caller(),
        id,
        &reference_of(&record),
        number,
        version,
        SnapshotRecord {
            version: input.version,
            published_on: input.published_on,
            content,
            digest: input.digest,
        },
    )
    .await?;
    Ok(Json(highlight_out(&report, state.today())))
}
