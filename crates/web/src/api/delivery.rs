//! Delivery in the API: projects, the timeline, the progress report and highlight reports,
//! under `/api/v1/partnerships/{id}/…`.
//!
//! Inputs are this module's types, read and then checked by the domain's rules; every refusal
//! is a 422 naming the field, and changes nothing. Outputs carry the figures a client needs as
//! typed fields, and the record as Accord keeps it (the domain's JSON) as `record`.

use accord_domain::access::Classification;
use accord_domain::highlight_report::{
    Confidence, HighlightContent, HighlightDraft, HighlightReport, Rag, Snapshot, SnapshotRecord,
};
use accord_domain::progress_report::ProgressReport;
use accord_domain::project::{
    DatePlan, DatePrecision, MilestoneInput, MilestoneKind, PhaseInput, PhaseStatus, Project,
    ProjectInput, ProjectSize, Stage, timeline as build_timeline,
};
use accord_domain::{GssCode, Invalid};
use accord_store::StoredRecord;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Viewer;
use crate::delivery::{self, Loaded, parse_slug};
use crate::error::{ErrorResponse, WebError};
use crate::forms::JsonBody;
use crate::guard::{self, GuardedRecord};
use crate::pages::delivery::{projects, reports};

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

pub(crate) async fn reload(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<StoredRecord, WebError> {
    state
        .store
        .record(id, &viewer.scope(), state.today())
        .await?
        .ok_or(WebError::NotFound)
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
    /// The project's record id.
    pub id: i64,
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
    pub exceptions: usize,
    /// Who may see it: published, partnership, council or embargoed.
    pub classification: String,
}

/// A project.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProjectOut {
    /// The project's record id.
    pub id: i64,
    /// The record's version: it rises with every change.
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

fn project_summary(p: &Loaded<Project>, today: NaiveDate) -> ProjectSummaryOut {
    let v = &p.value;
    ProjectSummaryOut {
        id: p.id(),
        name: v.name.clone(),
        size: v.size.map(|s| match s {
            ProjectSize::Small => "small".to_owned(),
            ProjectSize::Large => "large".to_owned(),
        }),
        start: v.start,
        cashable_savings: v.cashable_savings.label(),
        outcome: v.outcome.label(),
        exceptions: v.exceptions(today).len(),
        classification: class_of(&p.record, today),
    }
}

fn project_out(p: &Loaded<Project>, today: NaiveDate) -> ProjectOut {
    ProjectOut {
        id: p.id(),
        version: p.record.version,
        classification: class_of(&p.record, today),
        opportunity_id: p.value.opportunity_id,
        schedule: p
            .value
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
        record: to_json(&p.value),
    }
}

/// The partnership's projects.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/projects",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 200, description = "The projects the caller may see", body = [ProjectSummaryOut])),
)]
pub async fn list_projects(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ProjectSummaryOut>>, WebError> {
    let today = state.today();
    let projects = delivery::projects(&*state.store, id, &viewer.scope(), today).await?;
    Ok(Json(
        projects.iter().map(|p| project_summary(p, today)).collect(),
    ))
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
/// engagement tracks, and Cabinet approval at every council as the gate.
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
    let p = crate::pages::delivery::common::partnership(&state, id).await?;
    let today = state.today();
    let mut invalid = Invalid::new();
    let size = invalid.check(parse_slug::<ProjectSize>(
        "size",
        &input.size,
        "a size: small or large",
    ));
    let class = invalid.check(class_in("classification", input.classification.as_deref()));
    invalid.into_result()?;
    let (Some(size), Some(class)) = (size, class) else {
        return Err(Invalid::field("size", "Give the size").into());
    };
    let project = Project::plan(
        0,
        ProjectInput {
            name: input.name,
            size,
            start: input.start,
            tolerance_days: input.tolerance_days,
            template: None,
            opportunity: input.opportunity,
            opportunity_id: input.opportunity_id,
        },
        &p,
    )?;
    let meta = delivery::meta(accord_domain::access::Area::Programme, id, None, class);
    guard::check(&viewer, accord_domain::access::Action::Create, &meta, today)?;
    let change = viewer.change();
    let record_id = state
        .store
        .insert_record(&delivery::project_input(&project, meta)?, &change)
        .await?;
    let loaded = delivery::project_of(reload(&state, &viewer, record_id).await?)?;
    delivery::escalate_exceptions(&*state.store, &loaded, today, &change).await?;
    Ok((StatusCode::CREATED, Json(project_out(&loaded, today))))
}

/// One project.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/projects/{record_id}",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The project's record id")),
    responses((status = 200, description = "The project", body = ProjectOut), (status = 404, description = "No such project, or not for this caller", body = ErrorResponse)),
)]
pub async fn show_project(
    State(state): State<AppState>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<ProjectOut>, WebError> {
    Ok(Json(project_out(
        &delivery::project_of(record)?,
        state.today(),
    )))
}

async fn save_and_show(
    state: &AppState,
    viewer: &Viewer,
    loaded: &Loaded<Project>,
    project: &Project,
) -> Result<Json<ProjectOut>, WebError> {
    projects::save_project(state, viewer, loaded, project, "")
        .await?
        .map_err(WebError::Unprocessable)?;
    let saved = delivery::project_of(reload(state, viewer, loaded.id()).await?)?;
    Ok(Json(project_out(&saved, state.today())))
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
}

/// Sets an item's forecast and actual. A forecast before the project starts is refused.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/projects/{record_id}/dates",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The project's record id")),
    request_body = DatesIn,
    responses(
        (status = 200, description = "Changed; any new tolerance exception is escalated to the Programme Board", body = ProjectOut),
        (status = 422, description = "Refused, nothing changed: a forecast before the start, a stage whose gate is not approved", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn change_dates(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<DatesIn>,
) -> Result<Json<ProjectOut>, WebError> {
    let loaded = delivery::project_of(record)?;
    let target = crate::pages::delivery::common::parse_target("item", &input.item)?;
    let mut project = loaded.value.clone();
    projects::apply_dates(&mut project, target, input.forecast, input.actual)?;
    save_and_show(&state, &viewer, &loaded, &project).await
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

/// Records a council's Cabinet approval at a project's gate. A council outside the
/// partnership is refused.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/projects/{record_id}/cabinet-approvals",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The project's record id")),
    request_body = ApprovalIn,
    responses(
        (status = 200, description = "Recorded", body = ProjectOut),
        (status = 422, description = "Refused, nothing changed: a council outside the partnership, a stage without a gate, a date in the future", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn project_cabinet_approval(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<ApprovalIn>,
) -> Result<Json<ProjectOut>, WebError> {
    let loaded = delivery::project_of(record)?;
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
    let mut project = loaded.value.clone();
    projects::apply_approval(
        &mut project,
        stage,
        &council,
        input.approved_on,
        state.today(),
    )?;
    save_and_show(&state, &viewer, &loaded, &project).await
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
}

/// Adds a phase to a project.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/projects/{record_id}/phases",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The project's record id")),
    request_body = PhaseIn,
    responses((status = 200, description = "Added", body = ProjectOut), (status = 422, description = "Refused", body = ErrorResponse)),
    security(("token" = [])),
)]
pub async fn add_phase(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<PhaseIn>,
) -> Result<Json<ProjectOut>, WebError> {
    let loaded = delivery::project_of(record)?;
    let status = match input.status.as_deref() {
        None | Some("") => PhaseStatus::Planned,
        Some(text) => parse_slug(
            "status",
            text,
            "a phase status: planned, underway or complete",
        )?,
    };
    let start = input.start.map(|s| s.parse("start")).transpose()?;
    let mut project = loaded.value.clone();
    project.add_phase(PhaseInput {
        name: input.name,
        description: input.description,
        status,
        start,
        note: input.note,
    })?;
    save_and_show(&state, &viewer, &loaded, &project).await
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
}

/// Adds a milestone to a project. Dates before the project starts are refused.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/projects/{record_id}/milestones",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The project's record id")),
    request_body = MilestoneIn,
    responses((status = 200, description = "Added", body = ProjectOut), (status = 422, description = "Refused", body = ErrorResponse)),
    security(("token" = [])),
)]
pub async fn add_milestone(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<MilestoneIn>,
) -> Result<Json<ProjectOut>, WebError> {
    let loaded = delivery::project_of(record)?;
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
    let mut project = loaded.value.clone();
    project.add_milestone(MilestoneInput {
        name: input.name,
        kind,
        stage,
        phase: input.phase,
        due,
        note: input.note,
    })?;
    save_and_show(&state, &viewer, &loaded, &project).await
}

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
    let projects: Vec<Project> = delivery::projects(&*state.store, id, &viewer.scope(), today)
        .await?
        .into_iter()
        .map(|l| l.value)
        .collect();
    let t = build_timeline(&projects, today);
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
    /// The version number, once published.
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
    let today = state.today();
    let projects: Vec<Project> = delivery::projects(&*state.store, id, &viewer.scope(), today)
        .await?
        .into_iter()
        .map(|l| l.value)
        .collect();
    let report = accord_domain::progress_report::build(reports::PROGRESS_TITLE, &projects, today);
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

fn progress_out(record: StoredRecord) -> Result<ProgressOut, WebError> {
    let loaded = delivery::decode::<Snapshot<ProgressReport>>(record)?;
    Ok(ProgressOut {
        id: Some(loaded.id()),
        version: Some(loaded.value.version()),
        published_on: Some(loaded.value.published_on()),
        report: to_json(loaded.value.content()),
    })
}

/// Publishes the progress report as it stands today as the next version, frozen.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/progress-reports",
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
    let record_id = reports::publish_progress(&state, &viewer, id, class)
        .await?
        .map_err(WebError::Unprocessable)?;
    let record = reload(&state, &viewer, record_id).await?;
    Ok((StatusCode::CREATED, Json(progress_out(record)?)))
}

/// A published version of the progress report, exactly as it was published.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/progress-reports/{record_id}",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The published version's record id")),
    responses((status = 200, description = "The frozen report", body = ProgressOut), (status = 404, description = "No such version", body = ErrorResponse)),
)]
pub async fn published_progress_report(
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<ProgressOut>, WebError> {
    Ok(Json(progress_out(record)?))
}

// ----- highlight reports -----

/// A highlight report as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftIn {
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
}

impl DraftIn {
    fn parse(self) -> Result<(HighlightDraft, Option<String>), Invalid> {
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
            )),
            _ => Err(Invalid::field("confidence", "Give every rating")),
        }
    }
}

/// A published version of a highlight report.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VersionOut {
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
    /// The record's version.
    pub record_version: i64,
    /// Who may see it.
    pub classification: String,
    /// Whether the draft differs from the latest published version.
    pub unpublished_changes: bool,
    /// The draft.
    #[schema(value_type = Object)]
    pub draft: serde_json::Value,
    /// The published versions, oldest first.
    pub versions: Vec<VersionOut>,
}

fn version_out(snapshot: &Snapshot<HighlightContent>) -> VersionOut {
    VersionOut {
        version: snapshot.version(),
        published_on: snapshot.published_on(),
        digest: snapshot.digest().to_owned(),
        content: to_json(snapshot.content()),
    }
}

fn highlight_out(report: &Loaded<HighlightReport>, today: NaiveDate) -> HighlightOut {
    HighlightOut {
        id: report.id(),
        project: report.value.project,
        record_version: report.record.version,
        classification: class_of(&report.record, today),
        unpublished_changes: report.value.has_unpublished_changes(),
        draft: to_json(&report.value.draft),
        versions: report.value.versions().iter().map(version_out).collect(),
    }
}

async fn reload_highlight(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<Json<HighlightOut>, WebError> {
    let report = delivery::decode::<HighlightReport>(reload(state, viewer, id).await?)?;
    Ok(Json(highlight_out(&report, state.today())))
}

/// Starts a highlight report for a project.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/projects/{record_id}/highlight-reports",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The project's record id")),
    request_body = DraftIn,
    responses((status = 201, description = "Started", body = HighlightOut), (status = 422, description = "Refused", body = ErrorResponse)),
    security(("token" = [])),
)]
pub async fn start_highlight_report(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<DraftIn>,
) -> Result<(StatusCode, Json<HighlightOut>), WebError> {
    let project = delivery::project_of(record)?;
    let (draft, class) = input.parse()?;
    let class = class_in("classification", class.as_deref())?;
    let id = reports::start_highlight(&state, &viewer, &project, draft, class)
        .await?
        .map_err(WebError::Unprocessable)?;
    Ok((
        StatusCode::CREATED,
        reload_highlight(&state, &viewer, id).await?,
    ))
}

/// A highlight report with its draft and published versions.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/highlight-reports/{record_id}",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The report's record id")),
    responses((status = 200, description = "The report", body = HighlightOut), (status = 404, description = "No such report", body = ErrorResponse)),
)]
pub async fn show_highlight_report(
    State(state): State<AppState>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<HighlightOut>, WebError> {
    let report = delivery::decode::<HighlightReport>(record)?;
    Ok(Json(highlight_out(&report, state.today())))
}

/// Replaces the draft. Published versions never change.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/highlight-reports/{record_id}/draft",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The report's record id")),
    request_body = DraftIn,
    responses((status = 200, description = "Saved", body = HighlightOut), (status = 422, description = "Refused", body = ErrorResponse)),
    security(("token" = [])),
)]
pub async fn edit_highlight_draft(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<DraftIn>,
) -> Result<Json<HighlightOut>, WebError> {
    let report = delivery::decode::<HighlightReport>(record)?;
    let (draft, _) = input.parse()?;
    let mut changed = report.value.clone();
    changed.edit(draft)?;
    reports::save_highlight(&state, &viewer, &report, &changed)
        .await?
        .map_err(WebError::Unprocessable)?;
    reload_highlight(&state, &viewer, report.id()).await
}

/// Publishes the draft as the next version, freezing the project's schedule as it stands
/// today with it.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/highlight-reports/{record_id}/versions",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The report's record id")),
    responses((status = 201, description = "Published", body = HighlightOut), (status = 422, description = "Refused", body = ErrorResponse)),
    security(("token" = [])),
)]
pub async fn publish_highlight_report(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
) -> Result<(StatusCode, Json<HighlightOut>), WebError> {
    let report = delivery::decode::<HighlightReport>(record)?;
    reports::publish_highlight(&state, &viewer, &report)
        .await?
        .map_err(WebError::Unprocessable)?;
    Ok((
        StatusCode::CREATED,
        reload_highlight(&state, &viewer, report.id()).await?,
    ))
}

/// A published version sent back.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionIn {
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
    path = "/api/v1/partnerships/{id}/highlight-reports/{record_id}/versions/{version}",
    tag = "delivery",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The report's record id"),
        ("version" = u32, Path, description = "The version number"),
    ),
    request_body = VersionIn,
    responses(
        (status = 200, description = "Identical to the published version: nothing to change", body = HighlightOut),
        (status = 422, description = "Refused, nothing changed: a published version cannot be changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn resave_highlight_version(
    State(state): State<AppState>,
    Path(path): Path<(i64, i64, u32)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<VersionIn>,
) -> Result<Json<HighlightOut>, WebError> {
    let version = path.2;
    let report = delivery::decode::<HighlightReport>(record)?;
    if input.version != version {
        return Err(Invalid::field(
            "version",
            format!(
                "The body is version {}, the address version {version}",
                input.version
            ),
        )
        .into());
    }
    let content: HighlightContent = serde_json::from_value(input.content).map_err(|e| {
        Invalid::field(
            "content",
            format!("is not a highlight report's content: {e}"),
        )
    })?;
    let mut unchanged = report.value.clone();
    unchanged.resave_version(SnapshotRecord {
        version: input.version,
        published_on: input.published_on,
        content,
        digest: input.digest,
    })?;
    Ok(Json(highlight_out(&report, state.today())))
}
