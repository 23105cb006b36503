//! Delivery and governance in the API: projects, the timeline, the progress report, highlight
//! reports, boards, papers, decisions and the RAID log, under `/api/v1/partnerships/{id}/…`.
//!
//! Inputs are this module's types, read and then checked by the domain's rules; every refusal
//! is a 422 naming the field, and changes nothing. Outputs carry the figures a client needs as
//! typed fields, and the record as Accord keeps it (the domain's JSON) as `record`.

use accord_domain::access::Classification;
use accord_domain::board::{Board, Cadence, Decision, DecisionInput};
use accord_domain::highlight_report::{
    Confidence, HighlightContent, HighlightDraft, HighlightReport, Rag, Snapshot, SnapshotRecord,
};
use accord_domain::progress_report::ProgressReport;
use accord_domain::project::{
    DatePlan, DatePrecision, MilestoneInput, MilestoneKind, PhaseInput, PhaseStatus, Project,
    ProjectInput, ProjectSize, Stage, timeline as build_timeline,
};
use accord_domain::raid::{Level, Mitigation, RaidDetail, RaidInput, RiskScore};
use accord_domain::{GssCode, Invalid};
use accord_store::StoredRecord;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Viewer;
use crate::delivery::{self, Loaded, PaperBody, parse_slug};
use crate::error::{ErrorResponse, WebError};
use crate::forms::JsonBody;
use crate::guard::{self, GuardedRecord};
use crate::pages::delivery::{boards, projects, raid, reports};
use accord_app::governance::raid::RaidEntry;
use accord_app::list::ListRequest;
use axum::response::{IntoResponse, Response};

fn class_of(record: &StoredRecord, today: NaiveDate) -> String {
    record
        .meta
        .effective_classification(today)
        .slug()
        .to_owned()
}

fn to_json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn class_in(field: &str, text: Option<&str>) -> Result<Classification, Invalid> {
    match text.map(str::trim) {
        None | Some("" | "partnership") => Ok(Classification::Partnership),
        Some("published") => Ok(Classification::Published),
        Some(other) => Err(Invalid::field(
            field,
            format!("“{other}” is not a choice here: use partnership or published"),
        )),
    }
}

async fn reload(state: &AppState, viewer: &Viewer, id: i64) -> Result<StoredRecord, WebError> {
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

// ----- boards -----

/// A board.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BoardOut {
    /// The board's record id.
    pub id: i64,
    /// The record's version.
    pub version: i64,
    /// projects, programme or senior-stakeholder.
    pub level: String,
    /// Its name.
    pub name: String,
    /// How often it meets, in words.
    pub cadence: String,
    /// The board as Accord keeps it: members, chair rotation, meetings with their agendas and
    /// minutes (papers and decisions are records of their own).
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
    /// Its decisions the caller may see, in log order.
    #[schema(value_type = Vec<Object>)]
    pub decisions: Vec<serde_json::Value>,
    /// Its papers the caller may see (embargoed ones only for the programme team and board).
    pub papers: Vec<PaperOut>,
}

/// A board paper.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PaperOut {
    /// The paper's record id.
    pub id: i64,
    /// The meeting's number.
    pub meeting: u32,
    /// The paper's number in the meeting.
    pub number: u32,
    /// Its title.
    pub title: String,
    /// Who wrote or presents it.
    pub author: String,
    /// Its summary.
    pub summary: String,
    /// The decision it informs, by number in the board's log.
    pub informs: Option<u32>,
    /// Who may see it now: embargoed until its decision, then its release class.
    pub classification: String,
}

fn paper_out(p: &Loaded<PaperBody>, today: NaiveDate) -> PaperOut {
    PaperOut {
        id: p.id(),
        meeting: p.value.meeting,
        number: p.value.paper.number,
        title: p.value.paper.title.clone(),
        author: p.value.paper.author.clone(),
        summary: p.value.summary.clone(),
        informs: p.value.paper.informs,
        classification: class_of(&p.record, today),
    }
}

async fn board_out(
    state: &AppState,
    viewer: &Viewer,
    board: &Loaded<Board>,
) -> Result<BoardOut, WebError> {
    let today = state.today();
    let decisions =
        delivery::decisions(&*state.store, &board.record, &viewer.scope(), today).await?;
    let papers = delivery::papers(&*state.store, &board.record, &viewer.scope(), today).await?;
    Ok(BoardOut {
        id: board.id(),
        version: board.record.version,
        level: board.value.level.slug().to_owned(),
        name: board.value.name.clone(),
        cadence: board.value.cadence.describe(),
        record: to_json(&board.value),
        decisions: decisions.iter().map(|d| decision_json(d, today)).collect(),
        papers: papers.iter().map(|p| paper_out(p, today)).collect(),
    })
}

fn decision_json(d: &Loaded<Decision>, today: NaiveDate) -> serde_json::Value {
    serde_json::json!({
        "id": d.id(),
        "status": d.record.status,
        "classification": class_of(&d.record, today),
        "made_on": d.value.made_on(),
        "decision": to_json(&d.value),
    })
}

/// The partnership's boards.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/boards",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 200, description = "The boards the caller may see, lowest first", body = [BoardOut])),
)]
pub async fn list_boards(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<Vec<BoardOut>>, WebError> {
    let boards = delivery::boards(&*state.store, id, &viewer.scope(), state.today()).await?;
    let mut out = Vec::with_capacity(boards.len());
    for b in &boards {
        out.push(board_out(&state, &viewer, b).await?);
    }
    Ok(Json(out))
}

/// One board with its meetings, decisions and the papers the caller may see.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/boards/{record_id}",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The board's record id")),
    responses((status = 200, description = "The board", body = BoardOut), (status = 404, description = "No such board", body = ErrorResponse)),
)]
pub async fn show_board(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<BoardOut>, WebError> {
    let board = delivery::decode::<Board>(record)?;
    Ok(Json(board_out(&state, &viewer, &board).await?))
}

/// A meeting schedule to generate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleIn {
    /// weekly, fortnightly, monthly or weeks (with `weeks`); the board's own when absent.
    #[serde(default)]
    pub cadence: Option<String>,
    /// Weeks between meetings, for `weeks`.
    #[serde(default)]
    pub weeks: Option<u32>,
    /// The first meeting.
    pub first: NaiveDate,
    /// Schedule until this date.
    pub until: NaiveDate,
}

/// Generates meetings from the cadence (off weekends and bank holidays), replacing empty
/// scheduled ones from the first date on, and rotates the chairs.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/boards/{record_id}/schedule",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The board's record id")),
    request_body = ScheduleIn,
    responses((status = 200, description = "Scheduled", body = BoardOut), (status = 422, description = "Refused", body = ErrorResponse)),
    security(("token" = [])),
)]
pub async fn schedule_meetings(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<ScheduleIn>,
) -> Result<Json<BoardOut>, WebError> {
    let board = delivery::decode::<Board>(record)?;
    let cadence = match input.cadence.as_deref() {
        None | Some("") => board.value.cadence,
        Some("weekly") => Cadence::Weekly,
        Some("fortnightly") => Cadence::Fortnightly,
        Some("monthly") => Cadence::Monthly,
        Some("weeks") => Cadence::Weeks {
            weeks: input.weeks.unwrap_or(0),
        },
        Some(other) => {
            return Err(Invalid::field("cadence", format!("“{other}” is not a cadence")).into());
        }
    };
    let mut full = delivery::full_board(&*state.store, &board, state.today()).await?;
    boards::apply_schedule(&mut full, cadence, input.first, input.until)?;
    let input = delivery::board_input(&full, board.record.meta.clone())?;
    state
        .store
        .update_record(
            board.id(),
            Some(board.record.version),
            &input,
            &viewer.change(),
        )
        .await?;
    let saved = delivery::decode::<Board>(reload(&state, &viewer, board.id()).await?)?;
    Ok(Json(board_out(&state, &viewer, &saved).await?))
}

/// A paper to file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaperIn {
    /// The meeting's number.
    pub meeting: u32,
    /// Its title.
    pub title: String,
    /// Who wrote or presents it.
    pub author: String,
    /// Its summary.
    #[serde(default)]
    pub summary: String,
    /// The decision it informs, by number in the board's log: it stays embargoed until then.
    #[serde(default)]
    pub informs: Option<u32>,
    /// The date it is released if no decision has released it before.
    #[serde(default)]
    pub release_on: Option<NaiveDate>,
    /// Who may see it once released: partnership (default) or published.
    #[serde(default)]
    pub release_to: Option<String>,
}

/// Files a paper, embargoed until the decision it informs is made (MOU 5.5) or its release
/// date comes.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/boards/{record_id}/papers",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The board's record id")),
    request_body = PaperIn,
    responses((status = 201, description = "Filed", body = PaperOut), (status = 422, description = "Refused", body = ErrorResponse)),
    security(("token" = [])),
)]
pub async fn file_paper(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<PaperIn>,
) -> Result<(StatusCode, Json<PaperOut>), WebError> {
    let board = delivery::decode::<Board>(record)?;
    let release_to = class_in("release_to", input.release_to.as_deref())?;
    let request = boards::PaperRequest {
        meeting: input.meeting,
        title: input.title,
        author: input.author,
        summary: input.summary,
        informs: input.informs,
        release_on: input.release_on,
        release_to,
    };
    let paper_id = boards::file_paper(&state, &viewer, &board, request)
        .await?
        .map_err(WebError::Unprocessable)?;
    let paper = delivery::decode::<PaperBody>(reload(&state, &viewer, paper_id).await?)?;
    Ok((StatusCode::CREATED, Json(paper_out(&paper, state.today()))))
}

/// A board paper.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/papers/{record_id}",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The paper's record id")),
    responses((status = 200, description = "The paper", body = PaperOut), (status = 404, description = "No such paper, or embargoed from this caller", body = ErrorResponse)),
)]
pub async fn show_paper(
    State(state): State<AppState>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<PaperOut>, WebError> {
    let paper = delivery::decode::<PaperBody>(record)?;
    Ok(Json(paper_out(&paper, state.today())))
}

/// A decision to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// The meeting that took it, if any.
    #[serde(default)]
    pub meeting: Option<u32>,
    /// When the board took it.
    pub taken_on: NaiveDate,
    /// What was decided, in a line.
    pub title: String,
    /// The decision in full.
    #[serde(default)]
    pub text: String,
    /// Whether it is a key decision that needs Cabinet approval at each council.
    #[serde(default)]
    pub key: bool,
    /// partnership (default) or published.
    #[serde(default)]
    pub classification: Option<String>,
}

/// Records a decision in the board's log. One that needs no Cabinet approval is made at once.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/boards/{record_id}/decisions",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The board's record id")),
    request_body = DecisionIn,
    responses((status = 201, description = "Recorded", body = Object), (status = 422, description = "Refused", body = ErrorResponse)),
    security(("token" = [])),
)]
pub async fn record_decision(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<DecisionIn>,
) -> Result<(StatusCode, Json<serde_json::Value>), WebError> {
    let board = delivery::decode::<Board>(record)?;
    let class = class_in("classification", input.classification.as_deref())?;
    let decision = DecisionInput {
        meeting: input.meeting,
        taken_on: input.taken_on,
        title: input.title,
        text: input.text,
        key: input.key,
    };
    let id = boards::record_decision(&state, &viewer, &board, decision, class)
        .await?
        .map_err(WebError::Unprocessable)?;
    let saved = delivery::decode::<Decision>(reload(&state, &viewer, id).await?)?;
    Ok((
        StatusCode::CREATED,
        Json(decision_json(&saved, state.today())),
    ))
}

/// A decision, with the Cabinet approvals it needs.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/decisions/{record_id}",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The decision's record id")),
    responses((status = 200, description = "The decision", body = Object), (status = 404, description = "No such decision", body = ErrorResponse)),
)]
pub async fn show_decision(
    State(state): State<AppState>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<serde_json::Value>, WebError> {
    let decision = delivery::decode::<Decision>(record)?;
    Ok(Json(decision_json(&decision, state.today())))
}

/// Records a council's Cabinet approval of a key decision. The last approval makes the
/// decision and releases, in the same transaction, every paper embargoed until it. A council
/// outside the partnership is refused.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/decisions/{record_id}/cabinet-approvals",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The decision's record id")),
    request_body = ApprovalIn,
    responses(
        (status = 200, description = "Recorded", body = Object),
        (status = 422, description = "Refused, nothing changed: a council outside the partnership, a decision that is not key, a date before the decision or in the future", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn decision_cabinet_approval(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<ApprovalIn>,
) -> Result<Json<serde_json::Value>, WebError> {
    let decision = delivery::decode::<Decision>(record)?;
    if input.stage.is_some() {
        return Err(Invalid::field("stage", "A decision has no stages").into());
    }
    let council = GssCode::parse("council", &input.council)?;
    boards::approve_decision(&state, &viewer, &decision, &council, input.approved_on)
        .await?
        .map_err(WebError::Unprocessable)?;
    let saved = delivery::decode::<Decision>(reload(&state, &viewer, decision.id()).await?)?;
    Ok(Json(decision_json(&saved, state.today())))
}

// ----- the RAID log -----

/// A RAID item.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RaidOut {
    /// The item's record id (its history is filed under it).
    pub id: i64,
    /// Its reference, which its address carries: R12, A3, I7, D2.
    pub reference: String,
    /// Who may see it.
    pub classification: String,
    /// Its version: send it with a change, which is refused (409) if the item changed since.
    pub version: i64,
    /// The item as Accord keeps it: kind and detail (scores, proximity, mitigations, the
    /// projects of a dependency), owner, project, board and escalation history.
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

fn raid_out(entry: &RaidEntry) -> RaidOut {
    RaidOut {
        id: entry.record_id,
        reference: entry.reference(),
        classification: entry.classification.slug().to_owned(),
        version: entry.version,
        record: to_json(&entry.item),
    }
}

/// A page of the log, filtered, with the heat map of everything that matches.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RaidListOut {
    /// How many items match in all.
    pub total: i64,
    /// `counts[probability - 1][impact - 1]`: open risks among all the matching items.
    pub heat_map: Vec<Vec<u32>>,
    /// This page of the matching items, in number order.
    pub items: Vec<RaidOut>,
    /// The address of the next page, when there is one (also sent as a `Link` header).
    pub next: Option<String>,
}

/// A page of the RAID log, filtered by query: `kind` (repeatable: risk, assumption, issue,
/// dependency), `status` (open, closed), `board`, `project`, `owner`, `text`, `min_score`,
/// `max_score`, `basis` (residual, inherent); `limit` (1 to 500, 100 unless given) and `cursor`
/// (from the `next` address of the page before).
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/raid",
    tag = "delivery",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("limit" = Option<u32>, Query, description = "Items on the page: 1 to 500 (100 unless given)"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: the `cursor` of the previous page's `next` address"),
    ),
    responses((status = 200, description = "A page of the matching items", body = RaidListOut), (status = 422, description = "A filter, the limit or the cursor is not valid", body = ErrorResponse)),
)]
pub async fn list_raid(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let form = raid::query_form(query.as_deref());
    let mut invalid = Invalid::new();
    let filter = invalid.check(raid::filter_from(&form));
    let request = invalid.check(ListRequest::from_query(
        "raid",
        form.get("limit"),
        form.get("cursor"),
    ));
    invalid.into_result()?;
    let (Some(filter), Some(request)) = (filter, request) else {
        return Err(WebError::NotFound);
    };
    let listed =
        accord_app::governance::raid::list(&state.app, &viewer.caller(), id, &filter, &request)
            .await?;
    let next = listed.page.next.as_ref().map(|cursor| {
        let mut pairs: Vec<(String, String)> = form
            .pairs()
            .iter()
            .filter(|(k, _)| k != "cursor" && k != "page")
            .cloned()
            .collect();
        pairs.push(("cursor".to_owned(), cursor.clone()));
        format!(
            "/api/v1/partnerships/{id}/raid?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    });
    let body = Json(RaidListOut {
        total: listed.page.total,
        heat_map: listed
            .heat_map
            .counts
            .iter()
            .map(|row| row.to_vec())
            .collect(),
        items: listed.page.items.iter().map(raid_out).collect(),
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

/// A risk's position on the 5 × 5 grid.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreIn {
    /// 1 (rare) to 5 (almost certain).
    pub probability: u8,
    /// 1 (negligible) to 5 (severe).
    pub impact: u8,
}

impl ScoreIn {
    fn parse(&self, field: &str, invalid: &mut Invalid) -> Option<RiskScore> {
        let probability = invalid.check(Level::new(
            &format!("{field}.probability"),
            self.probability,
        ));
        let impact = invalid.check(Level::new(&format!("{field}.impact"), self.impact));
        Some(RiskScore {
            probability: probability?,
            impact: impact?,
        })
    }
}

/// What is particular to each kind of item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RaidDetailIn {
    /// A risk.
    Risk {
        /// Before mitigation.
        inherent: ScoreIn,
        /// After mitigation; never above the inherent score.
        residual: ScoreIn,
        /// When it would hit.
        #[serde(default)]
        proximity: Option<NaiveDate>,
        /// Mitigating actions.
        #[serde(default)]
        mitigations: Vec<String>,
    },
    /// An assumption.
    Assumption {
        /// When to confirm it by.
        #[serde(default)]
        validate_by: Option<NaiveDate>,
    },
    /// An issue.
    Issue {
        /// 1 to 5.
        severity: u8,
        /// When to resolve it by.
        #[serde(default)]
        resolve_by: Option<NaiveDate>,
    },
    /// A dependency between projects; one that would close a cycle is refused.
    Dependency {
        /// The project (record id) that depends.
        from_project: i64,
        /// The project (record id) depended on.
        to_project: i64,
        /// When it is needed.
        #[serde(default)]
        needed_by: Option<NaiveDate>,
    },
}

/// A RAID item to raise.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaidIn {
    /// A one-line title.
    pub title: String,
    /// The detail.
    #[serde(default)]
    pub description: String,
    /// Who owns it.
    pub owner: String,
    /// The project (record id) it belongs to; the programme as a whole when absent.
    #[serde(default)]
    pub project: Option<i64>,
    /// When it was raised.
    pub raised_on: NaiveDate,
    /// projects (default), programme or senior-stakeholder.
    #[serde(default)]
    pub board: Option<String>,
    /// partnership (default) or published.
    #[serde(default)]
    pub classification: Option<String>,
    /// Kind and detail.
    pub detail: RaidDetailIn,
}

impl RaidIn {
    fn parse(self) -> Result<(RaidInput, Classification), Invalid> {
        let mut invalid = Invalid::new();
        let board = self
            .board
            .as_deref()
            .and_then(|b| invalid.check(accord_domain::board::BoardLevel::parse("board", b)));
        let class = invalid.check(class_in("classification", self.classification.as_deref()));
        let detail = match self.detail {
            RaidDetailIn::Risk {
                inherent,
                residual,
                proximity,
                mitigations,
            } => {
                let i = inherent.parse("detail.inherent", &mut invalid);
                let r = residual.parse("detail.residual", &mut invalid);
                match (i, r) {
                    (Some(inherent), Some(residual)) => Some(RaidDetail::Risk {
                        inherent,
                        residual,
                        proximity,
                        mitigations: mitigations
                            .into_iter()
                            .map(|action| Mitigation {
                                action,
                                owner: String::new(),
                                due: None,
                                done_on: None,
                            })
                            .collect(),
                    }),
                    _ => None,
                }
            }
            RaidDetailIn::Assumption { validate_by } => Some(RaidDetail::Assumption {
                validate_by,
                validated_on: None,
            }),
            RaidDetailIn::Issue {
                severity,
                resolve_by,
            } => invalid
                .check(Level::new("detail.severity", severity))
                .map(|severity| RaidDetail::Issue {
                    severity,
                    resolve_by,
                }),
            RaidDetailIn::Dependency {
                from_project,
                to_project,
                needed_by,
            } => Some(RaidDetail::Dependency {
                from_project,
                to_project,
                needed_by,
            }),
        };
        invalid.into_result()?;
        let (Some(detail), Some(class)) = (detail, class) else {
            return Err(Invalid::field("detail", "Give the item's detail"));
        };
        let project = match &detail {
            RaidDetail::Dependency { from_project, .. } => Some(*from_project),
            _ => self.project,
        };
        Ok((
            RaidInput {
                title: self.title,
                description: self.description,
                owner: self.owner,
                project,
                raised_on: self.raised_on,
                board,
                detail,
            },
            class,
        ))
    }
}

/// Raises an item. A dependency that would close a cycle of projects is refused, naming it.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/raid",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = RaidIn,
    responses(
        (status = 201, description = "Raised", body = RaidOut),
        (status = 422, description = "Refused, nothing changed: a dependency cycle, a residual score above the inherent", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn raise_raid(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<RaidIn>,
) -> Result<(StatusCode, Json<RaidOut>), WebError> {
    crate::pages::delivery::common::partnership(&state, id).await?;
    let (input, classification) = input.parse()?;
    let entry = accord_app::governance::raid::raise(
        &state.app,
        &viewer.caller(),
        id,
        accord_app::governance::raid::RaiseRaid {
            input,
            classification,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(raid_out(&entry))))
}

/// One RAID item, by its reference.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/raid/{reference}",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The item's reference: R12")),
    responses((status = 200, description = "The item", body = RaidOut), (status = 404, description = "No such item", body = ErrorResponse)),
)]
pub async fn show_raid(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(ids): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<RaidOut>, WebError> {
    // The guard found the item, by its reference or by an old address's record id.
    let reference = record.reference.clone().unwrap_or_default();
    let entry =
        accord_app::governance::raid::item(&state.app, &viewer.caller(), ids.0, &reference).await?;
    Ok(Json(raid_out(&entry)))
}

/// Why an item is escalated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationIn {
    /// The reason.
    pub reason: String,
    /// The version the change is made from (the item's `version`); when given, a change to an
    /// item that changed since is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Escalates an item to the board above (Projects → Programme → Senior Stakeholder); it goes
/// on that board's next agenda. Escalation above the top board is refused.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/raid/{reference}/escalations",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The item's reference: R12")),
    request_body = EscalationIn,
    responses(
        (status = 200, description = "Escalated", body = RaidOut),
        (status = 409, description = "The item changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused, nothing changed: already at the top board, closed, no reason", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn escalate_raid(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(ids): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<EscalationIn>,
) -> Result<Json<RaidOut>, WebError> {
    // The guard found the item, by its reference or by an old address's record id.
    let reference = record.reference.clone().unwrap_or_default();
    let (entry, _) = accord_app::governance::raid::escalate(
        &state.app,
        &viewer.caller(),
        ids.0,
        &reference,
        input.version,
        &input.reason,
    )
    .await?;
    Ok(Json(raid_out(&entry)))
}
