//! Delivery's tables (Schedule 2 and Appendix B): projects with their stages, activities,
//! phases and milestones, the tolerance exceptions escalated to the Programme Board, highlight
//! reports and the published programme progress reports.
//!
//! A project is one row of `projects` and a row per stage, activity, phase and milestone;
//! reading one takes a statement per table, and reading a whole programme (the timeline, the
//! progress report, the calendar) takes the same few statements for any number of projects.
//! Lists are filtered, sorted, counted and paged in SQL, with the reader's scope in the same
//! `WHERE`; whether a date is beyond its project's tolerance is a comparison of the columns
//! the migration describes, so "beyond tolerance" and "due this month" are answered by the
//! database. Changes are written inside a [`crate::WriteTx`] with their audit entries.

use crate::backend::{Bind, bind_all};
use crate::records::{StoredRecord, meta_from_columns};
use crate::scope::visible;
use crate::write::{Header, PgWrite, SqliteWrite};
use crate::{Change, PgStore, Result, SqliteStore, StoreError};
use accord_domain::access::{ReadScope, RecordMeta};
use accord_domain::audit::AuditAction;
use accord_domain::board::{BoardLevel, CabinetApprovals, EscalatedFrom, EscalationNotice};
use accord_domain::highlight_report::{
    self, HighlightContent, HighlightDraft, HighlightReport, Snapshot, SnapshotRecord,
};
use accord_domain::progress_report::{self, ProgressReport};
use accord_domain::project::{
    self, Activity, CashableSavings, DatePlan, Milestone, Outcome, Phase, Project, ProjectFilter,
    ProjectSize, StagePlan,
};
use accord_domain::{GssCode, Money};
use async_trait::async_trait;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::types::Json;
use std::collections::HashMap;

/// The kind of a project's record.
pub const PROJECT_KIND: &str = "project";
/// The kind of an escalated tolerance exception's record.
pub const ESCALATION_KIND: &str = "escalation";
/// The kind of a highlight report's record.
pub const HIGHLIGHT_KIND: &str = "highlight_report";
/// The kind of a published progress report's record.
pub const PROGRESS_KIND: &str = "progress_report";

/// A project as stored, with what its reader and a later change need.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProject {
    /// The record's id (its history, escalations and reports are filed under it).
    pub record_id: i64,
    /// Increases with every change; a change names the version it was made from.
    pub version: i64,
    /// Who may see and change it.
    pub meta: RecordMeta,
    /// Its number in the partnership: `P-7` is number 7.
    pub number: u32,
    /// The project, its `id` the record's.
    pub project: Project,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl StoredProject {
    /// Its reference: `P-7`.
    pub fn reference(&self) -> String {
        project::reference(self.number)
    }
}

/// A project as a list shows it: the columns of its row and how many of its dates are beyond
/// tolerance on the day of the list, counted by the database.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectSummary {
    /// The record's id.
    pub record_id: i64,
    /// The record's version.
    pub version: i64,
    /// Who may see it.
    pub meta: RecordMeta,
    /// Its number: `P-7` is number 7.
    pub number: u32,
    /// Its name.
    pub name: String,
    /// Small or large, when stated.
    pub size: Option<ProjectSize>,
    /// When it starts, when stated.
    pub start: Option<NaiveDate>,
    /// Its time tolerance in days.
    pub tolerance_days: u32,
    /// Potential cashable savings.
    pub cashable_savings: CashableSavings,
    /// Where it has got to.
    pub outcome: Outcome,
    /// How many of its stages, phases and milestones are beyond tolerance.
    pub exceptions: u32,
}

impl ProjectSummary {
    /// Its reference: `P-7`.
    pub fn reference(&self) -> String {
        project::reference(self.number)
    }
}

/// The order of a list of projects. Each ends on the number, so the order is total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProjectOrder {
    /// By number: the order they were planned in.
    #[default]
    Number,
    /// By name, in any case.
    Name,
    /// By start, those without one last.
    Start,
}

/// Where a keyset page starts: after the project with this sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectAfter {
    /// After this number (by number).
    Number(u32),
    /// After this lower-cased name and number (by name).
    Name(String, u32),
    /// After this start and number (by start).
    Start(Option<NaiveDate>, u32),
}

/// Which page of a filtered list of projects to read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectPage {
    /// The order.
    pub order: ProjectOrder,
    /// Only projects after this one (a keyset cursor; its kind must match the order).
    pub after: Option<ProjectAfter>,
    /// Skip this many (for pages addressed by their number).
    pub offset: i64,
    /// At most this many.
    pub limit: i64,
}

/// An escalated tolerance exception as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEscalation {
    /// The record's id.
    pub record_id: i64,
    /// The project's record id.
    pub project_id: i64,
    /// Who may see it (the project's class when it was escalated).
    pub meta: RecordMeta,
    /// The notice on the receiving board's agenda.
    pub notice: EscalationNotice,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

impl StoredEscalation {
    /// The stage, phase or milestone escalated, as named in the project.
    pub fn item(&self) -> &str {
        match &self.notice.from {
            EscalatedFrom::Exception { item, .. } => item,
            EscalatedFrom::Raid { .. } => "",
        }
    }
}

/// A highlight report as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredHighlight {
    /// The record's id.
    pub record_id: i64,
    /// The record's version.
    pub version: i64,
    /// Who may see it.
    pub meta: RecordMeta,
    /// The project's record id.
    pub project_id: i64,
    /// The project's number: the report's address is under `P-{project_number}`.
    pub project_number: u32,
    /// Its number among the project's reports.
    pub number: u32,
    /// Its title, as written when it was started.
    pub title: String,
    /// The report: its draft and published versions.
    pub report: HighlightReport,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl StoredHighlight {
    /// Its project's reference: `P-7`.
    pub fn project_reference(&self) -> String {
        project::reference(self.project_number)
    }

    /// Its reference: `P-7/2`.
    pub fn reference(&self) -> String {
        highlight_report::reference(&self.project_reference(), self.number)
    }
}

/// A published progress report as a list shows it (its frozen report is not read).
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressListing {
    /// The record's id.
    pub record_id: i64,
    /// Who may see it.
    pub meta: RecordMeta,
    /// Its version, from 1.
    pub version: u32,
    /// When it was published.
    pub published_on: NaiveDate,
    /// The date it reports as at.
    pub as_at: NaiveDate,
    /// Its title with its version and date.
    pub title: String,
}

/// A published progress report as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProgress {
    /// The record's id.
    pub record_id: i64,
    /// Who may see it.
    pub meta: RecordMeta,
    /// The frozen report.
    pub snapshot: Snapshot<ProgressReport>,
    /// Its title with its version and date.
    pub title: String,
}

/// Reading delivery.
#[async_trait]
pub trait DeliveryStore: Send + Sync {
    /// A page of the partnership's projects matching `filter` that `scope` may read, with their
    /// dates beyond tolerance on `today` counted.
    async fn projects(
        &self,
        partnership_id: i64,
        filter: &ProjectFilter,
        page: &ProjectPage,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<ProjectSummary>>;

    /// How many projects match `filter` for `scope`.
    async fn count_projects(
        &self,
        partnership_id: i64,
        filter: &ProjectFilter,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<i64>;

    /// One project, whole, by its number, if `scope` may read it.
    async fn project(
        &self,
        partnership_id: i64,
        number: u32,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredProject>>;

    /// One project, whole, by its record id (old addresses, links from other records).
    async fn project_by_id(
        &self,
        record_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredProject>>;

    /// Every project of the partnership that `scope` may read, by number, for the reports of
    /// the whole programme: the timeline, the progress report and the calendar. Their stages'
    /// activities are left out (no report shows them), so these are never written back.
    async fn programme(
        &self,
        partnership_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredProject>>;

    /// The partnership's escalated exceptions that `scope` may read, oldest first.
    async fn escalations(
        &self,
        partnership_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredEscalation>>;

    /// One project's escalated exceptions that `scope` may read.
    async fn project_escalations(
        &self,
        project_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredEscalation>>;

    /// An escalated exception by its record id.
    async fn escalation_by_id(
        &self,
        record_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredEscalation>>;

    /// A project's highlight reports that `scope` may read, by period end and number.
    async fn highlight_reports(
        &self,
        project_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredHighlight>>;

    /// A project's highlight report by its number, if `scope` may read it.
    async fn highlight_report(
        &self,
        project_id: i64,
        number: u32,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredHighlight>>;

    /// A highlight report by its record id.
    async fn highlight_by_id(
        &self,
        record_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredHighlight>>;

    /// The partnership's published progress reports that `scope` may read, by version.
    async fn progress_reports(
        &self,
        partnership_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<ProgressListing>>;

    /// At most `limit` of those after version `after`, by version.
    async fn progress_reports_page(
        &self,
        partnership_id: i64,
        after: u32,
        limit: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<ProgressListing>>;

    /// How many published progress reports `scope` may read.
    async fn count_progress_reports(
        &self,
        partnership_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<i64>;

    /// A published progress report by its version, if `scope` may read it.
    async fn progress_report(
        &self,
        partnership_id: i64,
        version: u32,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredProgress>>;

    /// A published progress report by its record id.
    async fn progress_by_id(
        &self,
        record_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredProgress>>;
}

/// Changing delivery, inside a [`crate::WriteTx`]. Reads here see every record whoever asks
/// (the rules need them all); the use cases check what the caller may see.
#[async_trait]
pub trait DeliveryTx: Send {
    /// The highest project number of the partnership (0 for none).
    async fn last_project_number(&mut self, partnership_id: i64) -> Result<u32>;

    /// A project, whole, by number, to change it.
    async fn project_for_change(
        &mut self,
        partnership_id: i64,
        number: u32,
    ) -> Result<Option<StoredProject>>;

    /// Projects, whole, by record id, to change them; in number order.
    async fn projects_for_change(&mut self, record_ids: &[i64]) -> Result<Vec<StoredProject>>;

    /// The record ids of the projects (of one partnership, or of all) with a date beyond
    /// tolerance on `today`: what the escalation sweep reads.
    async fn projects_beyond_tolerance(
        &mut self,
        partnership_id: Option<i64>,
        today: NaiveDate,
    ) -> Result<Vec<i64>>;

    /// Whether a record of the partnership is an opportunity a project may deliver.
    async fn is_opportunity(&mut self, partnership_id: i64, record_id: i64) -> Result<bool>;

    /// Writes a new project (its number given) with its audit entry.
    async fn insert_project(
        &mut self,
        meta: &RecordMeta,
        number: u32,
        project: &Project,
        change: &Change,
    ) -> Result<StoredProject>;

    /// Writes a changed project from the version `from` was read at, with its audit entry;
    /// [`StoreError::Conflict`] when someone changed it since.
    async fn update_project(
        &mut self,
        from: &StoredProject,
        project: &Project,
        change: &Change,
    ) -> Result<StoredProject>;

    /// The items of a project already escalated.
    async fn escalated_items(&mut self, project_id: i64) -> Result<Vec<String>>;

    /// Writes an escalated exception of a project, with the project's access class, and its
    /// audit entry. An item escalated before is refused by the database.
    async fn insert_escalation(
        &mut self,
        project: &StoredProject,
        notice: &EscalationNotice,
        change: &Change,
    ) -> Result<StoredEscalation>;

    /// The highest highlight report number of a project (0 for none).
    async fn last_highlight_number(&mut self, project_id: i64) -> Result<u32>;

    /// A highlight report by its project and number, to change it.
    async fn highlight_for_change(
        &mut self,
        project_id: i64,
        number: u32,
    ) -> Result<Option<StoredHighlight>>;

    /// Writes a new highlight report of a project (its number given) with its audit entry.
    async fn insert_highlight(
        &mut self,
        project: &StoredProject,
        meta: &RecordMeta,
        number: u32,
        report: &HighlightReport,
        change: &Change,
    ) -> Result<StoredHighlight>;

    /// Writes a changed highlight report from the version `from` was read at, with its audit
    /// entry; [`StoreError::Conflict`] when someone changed it since.
    async fn update_highlight(
        &mut self,
        from: &StoredHighlight,
        report: &HighlightReport,
        change: &Change,
    ) -> Result<StoredHighlight>;

    /// The highest published progress report version of the partnership (0 for none).
    async fn last_progress_version(&mut self, partnership_id: i64) -> Result<u32>;

    /// The projects `scope` may read, as [`DeliveryStore::programme`] reads them, inside the
    /// transaction (what a published report freezes).
    async fn programme_for_report(
        &mut self,
        partnership_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredProject>>;

    /// Writes a published progress report with its audit entry.
    async fn insert_progress_report(
        &mut self,
        meta: &RecordMeta,
        snapshot: &Snapshot<ProgressReport>,
        change: &Change,
    ) -> Result<StoredProgress>;
}

// ----- conversions -----

/// The stored name of a slug-named value of the domain.
fn slug_of<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A slug-named value of the domain from its stored name.
fn from_slug<T: DeserializeOwned>(text: &str) -> std::result::Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| format!("“{text}” is not a known value"))
}

fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn unsigned(what: &str, value: i32) -> std::result::Result<u32, String> {
    u32::try_from(value).map_err(|_| format!("{what} {value} is negative"))
}

/// The three dates worked out for a dated item when its row is written (see the migration):
/// when it is expected, the last day that can mean, and the last day within tolerance.
fn derived(plan: &DatePlan, tolerance_days: u32) -> (NaiveDate, NaiveDate, NaiveDate) {
    let expected_on = plan.forecast.unwrap_or(plan.baseline);
    let expected_end = plan.precision.period_end(expected_on);
    let tolerance_until = plan
        .baseline
        .checked_add_days(Days::new(u64::from(tolerance_days)))
        .unwrap_or(NaiveDate::MAX);
    (expected_on, expected_end, tolerance_until)
}

/// True for the rows of dated items (alias `t`) not done and beyond tolerance on the day
/// bound at `today` (a placeholder): the domain's `forecast_slip_days > tolerance`, as dates.
fn beyond(t: &str, today: &str) -> String {
    format!(
        "({t}.actual IS NULL AND {t}.expected_on IS NOT NULL AND ({t}.expected_on > {t}.tolerance_until \
         OR ({t}.expected_end < {today} AND {today} > {t}.tolerance_until)))"
    )
}

const DATED_TABLES: [&str; 3] = ["project_stages", "project_phases", "project_milestones"];

/// How many of project `d`'s dated items are beyond tolerance.
fn exceptions_sql(today: &str) -> String {
    let counts: Vec<String> = DATED_TABLES
        .iter()
        .map(|table| {
            format!(
                "(SELECT COUNT(*) FROM {table} x WHERE x.project_id = d.record_id AND {})",
                beyond("x", today)
            )
        })
        .collect();
    format!("CAST({} AS BIGINT)", counts.join(" + "))
}

/// True when project `d` has a dated item matching `condition` (on alias `x`).
fn any_item(condition: &str) -> String {
    let exists: Vec<String> = DATED_TABLES
        .iter()
        .map(|table| {
            format!(
                "EXISTS (SELECT 1 FROM {table} x WHERE x.project_id = d.record_id AND {condition})"
            )
        })
        .collect();
    format!("({})", exists.join(" OR "))
}

/// The conditions of a filter, with their binds; `today` is the day of the list.
fn filter_where(filter: &ProjectFilter, today: NaiveDate, binds: &mut Vec<Bind>) -> String {
    let mut conditions = Vec::new();
    let bind = |binds: &mut Vec<Bind>, value: Bind| {
        binds.push(value);
        format!("${}", binds.len())
    };
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let p = bind(binds, Bind::Text(crate::raid::contains_pattern(text)));
        conditions.push(format!("d.name_search LIKE {p} ESCAPE '\\'"));
    }
    if let Some(outcome) = &filter.outcome {
        let p = bind(binds, Bind::Text(outcome.clone()));
        conditions.push(format!("d.outcome = {p}"));
    }
    if let Some(size) = filter.size {
        let p = bind(binds, Bind::Text(size.slug().to_owned()));
        conditions.push(format!("d.size = {p}"));
    }
    if filter.beyond_tolerance {
        let p = bind(binds, Bind::Date(today));
        conditions.push(any_item(&beyond("x", &p)));
    }
    if let Some((from, to)) = filter.due {
        let from = bind(binds, Bind::Date(from));
        let to = bind(binds, Bind::Date(to));
        conditions.push(any_item(&format!(
            "x.actual IS NULL AND x.expected_on BETWEEN {from} AND {to}"
        )));
    }
    if conditions.is_empty() {
        "1 = 1".to_owned()
    } else {
        conditions.join(" AND ")
    }
}

/// The keyset condition and the ORDER BY of a page.
fn order_sql(page: &ProjectPage, binds: &mut Vec<Bind>) -> (String, &'static str) {
    let mut bind = |value: Bind| {
        binds.push(value);
        format!("${}", binds.len())
    };
    let after = match &page.after {
        None => String::new(),
        Some(ProjectAfter::Number(n)) => {
            format!(" AND d.number > {}", bind(Bind::Int(i64::from(*n))))
        }
        Some(ProjectAfter::Name(name, n)) => {
            let (a, b) = (
                bind(Bind::Text(name.clone())),
                bind(Bind::Int(i64::from(*n))),
            );
            format!(" AND (d.name_search > {a} OR (d.name_search = {a} AND d.number > {b}))")
        }
        Some(ProjectAfter::Start(Some(start), n)) => {
            let (a, b) = (bind(Bind::Date(*start)), bind(Bind::Int(i64::from(*n))));
            format!(
                " AND (d.starts_on IS NULL OR d.starts_on > {a} OR (d.starts_on = {a} AND d.number > {b}))"
            )
        }
        Some(ProjectAfter::Start(None, n)) => {
            let b = bind(Bind::Int(i64::from(*n)));
            format!(" AND d.starts_on IS NULL AND d.number > {b}")
        }
    };
    let order = match page.order {
        ProjectOrder::Number => "d.number",
        ProjectOrder::Name => "d.name_search, d.number",
        ProjectOrder::Start => {
            "(CASE WHEN d.starts_on IS NULL THEN 1 ELSE 0 END), d.starts_on, d.number"
        }
    };
    (after, order)
}

const PROJECT_COLUMNS: &str = "d.record_id, d.partnership_id, d.number, d.name, d.size, d.starts_on, \
     d.tolerance_days, d.outcome, d.re_evaluate_when, d.opportunity, d.opportunity_id, d.implementation, \
     d.savings_kind, d.savings_pence, d.councils, d.non_cashable_benefits, d.source, \
     r.area, r.owner_gss, r.classification, r.embargo_until, r.embargo_decision_id, r.release_class, \
     r.version, r.created_at, r.updated_at";

const SUMMARY_COLUMNS: &str = "d.record_id, d.partnership_id, d.number, d.name, d.size, d.starts_on, \
     d.tolerance_days, d.outcome, d.re_evaluate_when, d.savings_kind, d.savings_pence, \
     r.area, r.owner_gss, r.classification, r.embargo_until, r.embargo_decision_id, r.release_class, r.version";

/// The access columns every row read with its header carries.
#[derive(Debug, sqlx::FromRow)]
struct Access {
    partnership_id: i64,
    area: String,
    owner_gss: Option<String>,
    classification: String,
    embargo_until: Option<NaiveDate>,
    embargo_decision_id: Option<i64>,
    release_class: Option<String>,
}

impl Access {
    fn meta(&self) -> std::result::Result<RecordMeta, String> {
        meta_from_columns(
            &self.area,
            Some(self.partnership_id),
            self.owner_gss.as_deref(),
            &self.classification,
            self.embargo_until,
            self.embargo_decision_id,
            self.release_class.as_deref(),
        )
    }
}

#[derive(Debug, sqlx::FromRow)]
struct ProjectRow {
    record_id: i64,
    number: i32,
    name: String,
    size: Option<String>,
    starts_on: Option<NaiveDate>,
    tolerance_days: i32,
    outcome: String,
    re_evaluate_when: Option<String>,
    opportunity: String,
    opportunity_id: Option<i64>,
    implementation: String,
    savings_kind: String,
    savings_pence: Option<i64>,
    councils: Json<Vec<GssCode>>,
    non_cashable_benefits: Json<Vec<String>>,
    source: Option<String>,
    #[sqlx(flatten)]
    access: Access,
    version: i64,
    #[allow(dead_code)]
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Debug, sqlx::FromRow)]
struct SummaryRow {
    record_id: i64,
    number: i32,
    name: String,
    size: Option<String>,
    starts_on: Option<NaiveDate>,
    tolerance_days: i32,
    outcome: String,
    re_evaluate_when: Option<String>,
    savings_kind: String,
    savings_pence: Option<i64>,
    #[sqlx(flatten)]
    access: Access,
    version: i64,
    exceptions: i64,
}

#[derive(Debug, sqlx::FromRow)]
struct StageRow {
    project_id: i64,
    stage: String,
    baseline: NaiveDate,
    forecast: Option<NaiveDate>,
    actual: Option<NaiveDate>,
    date_precision: String,
    gate: Option<Json<CabinetApprovals>>,
}

#[derive(Debug, sqlx::FromRow)]
struct ActivityRow {
    project_id: i64,
    stage: String,
    name: String,
    track: Option<String>,
    done_on: Option<NaiveDate>,
}

#[derive(Debug, sqlx::FromRow)]
struct PhaseRow {
    project_id: i64,
    number: i32,
    name: String,
    description: String,
    status: String,
    baseline: Option<NaiveDate>,
    forecast: Option<NaiveDate>,
    actual: Option<NaiveDate>,
    date_precision: Option<String>,
    note: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct MilestoneRow {
    project_id: i64,
    number: i32,
    name: String,
    kind: String,
    stage: Option<String>,
    phase: Option<i32>,
    baseline: NaiveDate,
    forecast: Option<NaiveDate>,
    actual: Option<NaiveDate>,
    date_precision: String,
    note: Option<String>,
}

fn outcome_of(slug: &str, when: Option<String>) -> std::result::Result<Outcome, String> {
    Outcome::from_slug(slug, when.unwrap_or_default())
        .ok_or_else(|| format!("“{slug}” is not an outcome"))
}

fn savings_of(kind: &str, pence: Option<i64>) -> std::result::Result<CashableSavings, String> {
    Ok(match (kind, pence) {
        ("amount", Some(pence)) => CashableSavings::Amount {
            amount: Money::from_pence(pence),
        },
        ("tba", _) => CashableSavings::Tba,
        ("not-stated", _) => CashableSavings::NotStated,
        (other, _) => return Err(format!("“{other}” is not a kind of savings")),
    })
}

fn savings_columns(savings: CashableSavings) -> (&'static str, Option<i64>) {
    match savings {
        CashableSavings::Amount { amount } => ("amount", Some(amount.pence())),
        CashableSavings::Tba => ("tba", None),
        CashableSavings::NotStated => ("not-stated", None),
    }
}

fn plan_of(
    baseline: NaiveDate,
    forecast: Option<NaiveDate>,
    actual: Option<NaiveDate>,
    precision: &str,
) -> std::result::Result<DatePlan, String> {
    Ok(DatePlan {
        baseline,
        forecast,
        actual,
        precision: from_slug(precision)?,
    })
}

impl SummaryRow {
    fn into_summary(self) -> Result<ProjectSummary> {
        let id = self.record_id;
        self.decode()
            .map_err(|e| StoreError::Corrupt(format!("project record {id}: {e}")))
    }

    fn decode(self) -> std::result::Result<ProjectSummary, String> {
        Ok(ProjectSummary {
            record_id: self.record_id,
            version: self.version,
            meta: self.access.meta()?,
            number: unsigned("number", self.number)?,
            name: self.name,
            size: self.size.as_deref().map(from_slug).transpose()?,
            start: self.starts_on,
            tolerance_days: unsigned("tolerance", self.tolerance_days)?,
            cashable_savings: savings_of(&self.savings_kind, self.savings_pence)?,
            outcome: outcome_of(&self.outcome, self.re_evaluate_when)?,
            exceptions: u32::try_from(self.exceptions).unwrap_or(u32::MAX),
        })
    }
}

/// A project's rows, read: the project row and its items, grouped by project.
struct ProjectRows {
    projects: Vec<ProjectRow>,
    stages: Vec<StageRow>,
    activities: Vec<ActivityRow>,
    phases: Vec<PhaseRow>,
    milestones: Vec<MilestoneRow>,
}

impl ProjectRows {
    fn assemble(self) -> Result<Vec<StoredProject>> {
        fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> i64) -> HashMap<i64, Vec<T>> {
            let mut out: HashMap<i64, Vec<T>> = HashMap::new();
            for row in rows {
                out.entry(key(&row)).or_default().push(row);
            }
            out
        }
        let mut stages = group(self.stages, |r| r.project_id);
        let mut activities = group(self.activities, |r| r.project_id);
        let mut phases = group(self.phases, |r| r.project_id);
        let mut milestones = group(self.milestones, |r| r.project_id);
        self.projects
            .into_iter()
            .map(|row| {
                let id = row.record_id;
                assemble_one(
                    row,
                    stages.remove(&id).unwrap_or_default(),
                    activities.remove(&id).unwrap_or_default(),
                    phases.remove(&id).unwrap_or_default(),
                    milestones.remove(&id).unwrap_or_default(),
                )
                .map_err(|e| StoreError::Corrupt(format!("project record {id}: {e}")))
            })
            .collect()
    }
}

fn assemble_one(
    row: ProjectRow,
    stages: Vec<StageRow>,
    activities: Vec<ActivityRow>,
    phases: Vec<PhaseRow>,
    milestones: Vec<MilestoneRow>,
) -> std::result::Result<StoredProject, String> {
    let meta = row.access.meta()?;
    let mut plans = Vec::with_capacity(stages.len());
    for s in stages {
        plans.push(StagePlan {
            stage: from_slug(&s.stage)?,
            due: plan_of(s.baseline, s.forecast, s.actual, &s.date_precision)?,
            activities: Vec::new(),
            gate: s.gate.map(|g| g.0),
        });
    }
    for a in activities {
        let stage = from_slug(&a.stage)?;
        let plan = plans
            .iter_mut()
            .find(|p| p.stage == stage)
            .ok_or_else(|| format!("an activity of “{}”, which is not planned", a.stage))?;
        plan.activities.push(Activity {
            name: a.name,
            track: a.track.as_deref().map(from_slug).transpose()?,
            done_on: a.done_on,
        });
    }
    let phases = phases
        .into_iter()
        .map(|p| {
            let start = match (p.baseline, p.date_precision.as_deref()) {
                (Some(baseline), Some(precision)) => {
                    Some(plan_of(baseline, p.forecast, p.actual, precision)?)
                }
                _ => None,
            };
            Ok(Phase {
                number: unsigned("phase number", p.number)?,
                name: p.name,
                description: p.description,
                status: from_slug(&p.status)?,
                start,
                note: p.note,
            })
        })
        .collect::<std::result::Result<Vec<_>, String>>()?;
    let milestones = milestones
        .into_iter()
        .map(|m| {
            Ok(Milestone {
                number: unsigned("milestone number", m.number)?,
                name: m.name,
                kind: from_slug(&m.kind)?,
                stage: m.stage.as_deref().map(from_slug).transpose()?,
                phase: m.phase.map(|p| unsigned("phase", p)).transpose()?,
                due: plan_of(m.baseline, m.forecast, m.actual, &m.date_precision)?,
                note: m.note,
            })
        })
        .collect::<std::result::Result<Vec<_>, String>>()?;
    let project = Project {
        id: row.record_id,
        name: row.name,
        size: row.size.as_deref().map(from_slug).transpose()?,
        councils: row.councils.0,
        start: row.starts_on,
        tolerance_days: unsigned("tolerance", row.tolerance_days)?,
        stages: plans,
        phases,
        milestones,
        opportunity: row.opportunity,
        opportunity_id: row.opportunity_id,
        implementation: row.implementation,
        cashable_savings: savings_of(&row.savings_kind, row.savings_pence)?,
        non_cashable_benefits: row.non_cashable_benefits.0,
        outcome: outcome_of(&row.outcome, row.re_evaluate_when)?,
        source: row.source,
    };
    Ok(StoredProject {
        record_id: row.record_id,
        version: row.version,
        meta,
        number: unsigned("number", row.number)?,
        project,
        updated_at: row.updated_at,
    })
}

/// The header of a project's record: its name, outcome and start, as the generic listings and
/// the audit trail show every record.
fn project_header<'a>(
    meta: &'a RecordMeta,
    project: &'a Project,
    reference: &'a str,
) -> Header<'a> {
    Header {
        kind: PROJECT_KIND,
        meta,
        parent_id: None,
        reference: Some(reference),
        title: &project.name,
        status: Some(project.outcome.slug()),
        key_date: project.start,
    }
}

fn escalation_header<'a>(
    meta: &'a RecordMeta,
    project_id: i64,
    notice: &'a EscalationNotice,
) -> Header<'a> {
    Header {
        kind: ESCALATION_KIND,
        meta,
        parent_id: Some(project_id),
        reference: None,
        title: &notice.title,
        status: Some("open"),
        key_date: Some(notice.on),
    }
}

fn highlight_status(report: &HighlightReport) -> &'static str {
    if report.versions().is_empty() {
        "draft"
    } else {
        "published"
    }
}

fn highlight_header<'a>(
    meta: &'a RecordMeta,
    project_id: i64,
    title: &'a str,
    report: &'a HighlightReport,
    reference: &'a str,
) -> Header<'a> {
    Header {
        kind: HIGHLIGHT_KIND,
        meta,
        parent_id: Some(project_id),
        reference: Some(reference),
        title,
        status: Some(highlight_status(report)),
        key_date: Some(report.draft.period_end),
    }
}

fn progress_header<'a>(
    meta: &'a RecordMeta,
    title: &'a str,
    snapshot: &Snapshot<ProgressReport>,
    reference: &'a str,
) -> Header<'a> {
    Header {
        kind: PROGRESS_KIND,
        meta,
        parent_id: None,
        reference: Some(reference),
        title,
        status: Some("published"),
        key_date: Some(snapshot.published_on()),
    }
}

#[derive(Debug, sqlx::FromRow)]
struct EscalationRow {
    record_id: i64,
    project_id: i64,
    item: String,
    board: String,
    escalated_on: NaiveDate,
    title: String,
    #[sqlx(flatten)]
    access: Access,
    created_at: DateTime<Utc>,
}

impl EscalationRow {
    fn into_stored(self) -> Result<StoredEscalation> {
        let id = self.record_id;
        let decoded = (|| -> std::result::Result<StoredEscalation, String> {
            Ok(StoredEscalation {
                record_id: self.record_id,
                project_id: self.project_id,
                meta: self.access.meta()?,
                notice: EscalationNotice {
                    from: EscalatedFrom::Exception {
                        project: self.project_id,
                        item: self.item,
                    },
                    title: self.title,
                    to: from_slug::<BoardLevel>(&self.board)?,
                    on: self.escalated_on,
                },
                created_at: self.created_at,
            })
        })();
        decoded.map_err(|e| StoreError::Corrupt(format!("escalation record {id}: {e}")))
    }
}

const ESCALATION_COLUMNS: &str = "d.record_id, d.partnership_id, d.project_id, d.item, d.board, d.escalated_on, d.title, \
     r.area, r.owner_gss, r.classification, r.embargo_until, r.embargo_decision_id, r.release_class, r.created_at";

#[derive(Debug, sqlx::FromRow)]
struct HighlightRow {
    record_id: i64,
    project_id: i64,
    project_number: i32,
    number: i32,
    period_start: NaiveDate,
    period_end: NaiveDate,
    confidence: String,
    time_rating: String,
    cost_rating: String,
    scope_rating: String,
    benefits_rating: String,
    narrative: String,
    next_steps: Json<Vec<String>>,
    for_escalation: Json<Vec<String>>,
    author: String,
    versions: Json<Vec<SnapshotRecord<HighlightContent>>>,
    title: String,
    #[sqlx(flatten)]
    access: Access,
    version: i64,
    updated_at: DateTime<Utc>,
}

const HIGHLIGHT_COLUMNS: &str = "d.record_id, d.partnership_id, d.project_id, p.number AS project_number, d.number, \
     d.period_start, d.period_end, d.confidence, d.time_rating, d.cost_rating, d.scope_rating, d.benefits_rating, \
     d.narrative, d.next_steps, d.for_escalation, d.author, d.versions, r.title, \
     r.area, r.owner_gss, r.classification, r.embargo_until, r.embargo_decision_id, r.release_class, \
     r.version, r.updated_at";

impl HighlightRow {
    fn into_stored(self) -> Result<StoredHighlight> {
        let id = self.record_id;
        let decoded = (|| -> std::result::Result<StoredHighlight, String> {
            let draft = HighlightDraft {
                period_start: self.period_start,
                period_end: self.period_end,
                confidence: from_slug(&self.confidence)?,
                time: from_slug(&self.time_rating)?,
                cost: from_slug(&self.cost_rating)?,
                scope: from_slug(&self.scope_rating)?,
                benefits: from_slug(&self.benefits_rating)?,
                narrative: self.narrative,
                next_steps: self.next_steps.0,
                escalations: self.for_escalation.0,
                author: self.author,
            };
            // Restoring checks every version's digest: a stored version that was changed is
            // refused rather than shown.
            let report = HighlightReport::restore(self.project_id, draft, self.versions.0)
                .map_err(|e| e.to_string())?;
            Ok(StoredHighlight {
                record_id: self.record_id,
                version: self.version,
                meta: self.access.meta()?,
                project_id: self.project_id,
                project_number: unsigned("project number", self.project_number)?,
                number: unsigned("number", self.number)?,
                title: self.title,
                report,
                updated_at: self.updated_at,
            })
        })();
        decoded.map_err(|e| StoreError::Corrupt(format!("highlight report record {id}: {e}")))
    }
}

#[derive(Debug, sqlx::FromRow)]
struct ProgressRow {
    record_id: i64,
    version: i32,
    published_on: NaiveDate,
    digest: String,
    report: Json<ProgressReport>,
    title: String,
    #[sqlx(flatten)]
    access: Access,
}

impl ProgressRow {
    fn into_stored(self) -> Result<StoredProgress> {
        let id = self.record_id;
        let decoded = (|| -> std::result::Result<StoredProgress, String> {
            let snapshot = Snapshot::from_record(SnapshotRecord {
                version: unsigned("version", self.version)?,
                published_on: self.published_on,
                content: self.report.0,
                digest: self.digest,
            })
            .map_err(|e| e.to_string())?;
            Ok(StoredProgress {
                record_id: self.record_id,
                meta: self.access.meta()?,
                snapshot,
                title: self.title,
            })
        })();
        decoded.map_err(|e| StoreError::Corrupt(format!("progress report record {id}: {e}")))
    }
}

#[derive(Debug, sqlx::FromRow)]
struct ListingRow {
    record_id: i64,
    version: i32,
    published_on: NaiveDate,
    as_at: NaiveDate,
    title: String,
    #[sqlx(flatten)]
    access: Access,
}

impl ListingRow {
    fn into_listing(self) -> Result<ProgressListing> {
        let id = self.record_id;
        let decoded = (|| -> std::result::Result<ProgressListing, String> {
            Ok(ProgressListing {
                record_id: self.record_id,
                meta: self.access.meta()?,
                version: unsigned("version", self.version)?,
                published_on: self.published_on,
                as_at: self.as_at,
                title: self.title,
            })
        })();
        decoded.map_err(|e| StoreError::Corrupt(format!("progress report record {id}: {e}")))
    }
}

const PROGRESS_COLUMNS: &str = "d.record_id, d.partnership_id, d.version, d.published_on, d.digest, d.report, r.title, \
     r.area, r.owner_gss, r.classification, r.embargo_until, r.embargo_decision_id, r.release_class";

const LISTING_COLUMNS: &str = "d.record_id, d.partnership_id, d.version, d.published_on, d.as_at, r.title, \
     r.area, r.owner_gss, r.classification, r.embargo_until, r.embargo_decision_id, r.release_class";

/// The rows of a project's items as written: one list of binds per row.
struct ItemRows {
    stages: Vec<(Vec<Bind>, Option<CabinetApprovals>)>,
    activities: Vec<Vec<Bind>>,
    phases: Vec<Vec<Bind>>,
    milestones: Vec<Vec<Bind>>,
}

fn item_rows(record_id: i64, project: &Project) -> ItemRows {
    let tolerance = project.tolerance_days;
    let date = |d: Option<NaiveDate>| Bind::OptDate(d);
    let mut rows = ItemRows {
        stages: Vec::new(),
        activities: Vec::new(),
        phases: Vec::new(),
        milestones: Vec::new(),
    };
    for (i, stage) in project.stages.iter().enumerate() {
        let plan = &stage.due;
        let (expected_on, expected_end, until) = derived(plan, tolerance);
        rows.stages.push((
            vec![
                Bind::Int(record_id),
                Bind::Text(stage.stage.slug().to_owned()),
                Bind::Int(i as i64),
                Bind::Date(plan.baseline),
                date(plan.forecast),
                date(plan.actual),
                Bind::Text(slug_of(&plan.precision)),
                Bind::Date(expected_on),
                Bind::Date(expected_end),
                Bind::Date(until),
            ],
            stage.gate.clone(),
        ));
        for (j, activity) in stage.activities.iter().enumerate() {
            rows.activities.push(vec![
                Bind::Int(record_id),
                Bind::Text(stage.stage.slug().to_owned()),
                Bind::Int(j as i64),
                Bind::Text(activity.name.clone()),
                Bind::OptText(activity.track.map(|t| slug_of(&t))),
                date(activity.done_on),
            ]);
        }
    }
    for (i, phase) in project.phases.iter().enumerate() {
        let dates = phase
            .start
            .as_ref()
            .map(|plan| (plan, derived(plan, tolerance)));
        rows.phases.push(vec![
            Bind::Int(record_id),
            Bind::Int(i64::from(phase.number)),
            Bind::Int(i as i64),
            Bind::Text(phase.name.clone()),
            Bind::Text(phase.description.clone()),
            Bind::Text(slug_of(&phase.status)),
            date(dates.map(|(p, _)| p.baseline)),
            date(dates.and_then(|(p, _)| p.forecast)),
            date(dates.and_then(|(p, _)| p.actual)),
            Bind::OptText(dates.map(|(p, _)| slug_of(&p.precision))),
            date(dates.map(|(_, d)| d.0)),
            date(dates.map(|(_, d)| d.1)),
            date(dates.map(|(_, d)| d.2)),
            Bind::OptText(phase.note.clone()),
        ]);
    }
    for (i, milestone) in project.milestones.iter().enumerate() {
        let plan = &milestone.due;
        let (expected_on, expected_end, until) = derived(plan, tolerance);
        rows.milestones.push(vec![
            Bind::Int(record_id),
            Bind::Int(i64::from(milestone.number)),
            Bind::Int(i as i64),
            Bind::Text(milestone.name.clone()),
            Bind::Text(slug_of(&milestone.kind)),
            Bind::OptText(milestone.stage.map(|s| s.slug().to_owned())),
            Bind::OptInt(milestone.phase.map(i64::from)),
            Bind::Date(plan.baseline),
            date(plan.forecast),
            date(plan.actual),
            Bind::Text(slug_of(&plan.precision)),
            Bind::Date(expected_on),
            Bind::Date(expected_end),
            Bind::Date(until),
            Bind::OptText(milestone.note.clone()),
        ]);
    }
    rows
}

/// A multi-row INSERT for `rows` of `columns` values each, numbered from `$1`.
fn insert_sql(table: &str, columns: &str, width: usize, rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({columns}) VALUES ");
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push_str(&format!("${n}"));
        }
        sql.push(')');
    }
    sql
}

/// Rows per INSERT: well within both databases' limits on placeholders.
const ROWS_PER_INSERT: usize = 200;

const ACTIVITY_COLUMNS: &str = "project_id, stage, ordinal, name, track, done_on";
const PHASE_COLUMNS: &str = "project_id, number, ordinal, name, description, status, baseline, forecast, actual, \
     date_precision, expected_on, expected_end, tolerance_until, note";
const MILESTONE_COLUMNS: &str = "project_id, number, ordinal, name, kind, stage, phase, baseline, forecast, actual, \
     date_precision, expected_on, expected_end, tolerance_until, note";

fn project_body(project: &Project) -> serde_json::Value {
    json(project)
}

/// The id list of a statement, spliced: the ids are integers.
fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A unique violation: the rules gave a number or an item the database already holds. Cannot
/// happen while writers are serialised; the constraints are the backstop.
fn unique(error: sqlx::Error, what: String) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(error),
    }
}

/// The same for a storage error: a header whose reference is taken.
fn unique_header(error: StoreError, what: String) -> StoreError {
    match error {
        StoreError::Database(e) => unique(e, what),
        other => other,
    }
}

macro_rules! delivery_impl {
    ($store:ident, $write:ident, $conn:ty) => {
        impl $store {
            /// Projects matching `condition` (on `d`, the project, and `r`, its header), whole or
            /// without activities, by number: a statement per table whatever their number.
            async fn load_projects(
                conn: &mut $conn,
                condition: &str,
                binds: Vec<Bind>,
                with_activities: bool,
            ) -> Result<Vec<StoredProject>> {
                let from = format!("FROM projects d JOIN records r ON r.id = d.record_id WHERE {condition}");
                let sql = format!("SELECT {PROJECT_COLUMNS} {from} ORDER BY d.number");
                let projects: Vec<ProjectRow> =
                    bind_all!(sqlx::query_as(&sql), binds.clone()).fetch_all(&mut *conn).await?;
                if projects.is_empty() {
                    return Ok(Vec::new());
                }
                let items = |columns: &str, table: &str, order: &str| {
                    format!(
                        "SELECT {columns} FROM {table} x JOIN projects d ON d.record_id = x.project_id \
                         JOIN records r ON r.id = d.record_id WHERE {condition} ORDER BY x.project_id, {order}"
                    )
                };
                let stages_sql = items(
                    "x.project_id, x.stage, x.baseline, x.forecast, x.actual, x.date_precision, x.gate",
                    "project_stages",
                    "x.ordinal",
                );
                let stages: Vec<StageRow> =
                    bind_all!(sqlx::query_as(&stages_sql), binds.clone()).fetch_all(&mut *conn).await?;
                let activities: Vec<ActivityRow> = if with_activities {
                    let sql = items(
                        "x.project_id, x.stage, x.name, x.track, x.done_on",
                        "project_activities",
                        "x.stage, x.ordinal",
                    );
                    bind_all!(sqlx::query_as(&sql), binds.clone()).fetch_all(&mut *conn).await?
                } else {
                    Vec::new()
                };
                let phases_sql = items(
                    "x.project_id, x.number, x.name, x.description, x.status, x.baseline, x.forecast, \
                     x.actual, x.date_precision, x.note",
                    "project_phases",
                    "x.ordinal",
                );
                let phases: Vec<PhaseRow> =
                    bind_all!(sqlx::query_as(&phases_sql), binds.clone()).fetch_all(&mut *conn).await?;
                let milestones_sql = items(
                    "x.project_id, x.number, x.name, x.kind, x.stage, x.phase, x.baseline, x.forecast, \
                     x.actual, x.date_precision, x.note",
                    "project_milestones",
                    "x.ordinal",
                );
                let milestones: Vec<MilestoneRow> =
                    bind_all!(sqlx::query_as(&milestones_sql), binds).fetch_all(&mut *conn).await?;
                ProjectRows { projects, stages, activities, phases, milestones }.assemble()
            }

            /// Writes a project's row (a new one, or over the old one) and its items' rows.
            async fn write_project_rows(
                conn: &mut $conn,
                record_id: i64,
                partnership_id: i64,
                number: u32,
                project: &Project,
                replace: bool,
            ) -> Result<()> {
                let (savings_kind, savings_pence) = savings_columns(project.cashable_savings);
                let when = match &project.outcome {
                    Outcome::ReEvaluate { when } => Some(when.clone()),
                    _ => None,
                };
                let reference = project::reference(number);
                if replace {
                    // The project's row stays (its escalations and reports refer to it); its
                    // items are written again.
                    for table in ["project_milestones", "project_phases", "project_activities", "project_stages"] {
                        sqlx::query(&format!("DELETE FROM {table} WHERE project_id = $1"))
                            .bind(record_id)
                            .execute(&mut *conn)
                            .await?;
                    }
                    sqlx::query(
                        "UPDATE projects SET name = $2, name_search = $3, size = $4, starts_on = $5, \
                         tolerance_days = $6, outcome = $7, re_evaluate_when = $8, opportunity = $9, \
                         opportunity_id = $10, implementation = $11, savings_kind = $12, savings_pence = $13, \
                         councils = $14, non_cashable_benefits = $15, source = $16 WHERE record_id = $1",
                    )
                    .bind(record_id)
                    .bind(&project.name)
                    .bind(project.name.to_lowercase())
                    .bind(project.size.map(ProjectSize::slug))
                    .bind(project.start)
                    .bind(i64::from(project.tolerance_days))
                    .bind(project.outcome.slug())
                    .bind(when)
                    .bind(&project.opportunity)
                    .bind(project.opportunity_id)
                    .bind(&project.implementation)
                    .bind(savings_kind)
                    .bind(savings_pence)
                    .bind(Json(&project.councils))
                    .bind(Json(&project.non_cashable_benefits))
                    .bind(&project.source)
                    .execute(&mut *conn)
                    .await?;
                } else {
                    sqlx::query(
                        "INSERT INTO projects (record_id, partnership_id, number, reference, name, name_search, \
                         size, starts_on, tolerance_days, outcome, re_evaluate_when, opportunity, opportunity_id, \
                         implementation, savings_kind, savings_pence, councils, non_cashable_benefits, source) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
                    )
                    .bind(record_id)
                    .bind(partnership_id)
                    .bind(i64::from(number))
                    .bind(&reference)
                    .bind(&project.name)
                    .bind(project.name.to_lowercase())
                    .bind(project.size.map(ProjectSize::slug))
                    .bind(project.start)
                    .bind(i64::from(project.tolerance_days))
                    .bind(project.outcome.slug())
                    .bind(when)
                    .bind(&project.opportunity)
                    .bind(project.opportunity_id)
                    .bind(&project.implementation)
                    .bind(savings_kind)
                    .bind(savings_pence)
                    .bind(Json(&project.councils))
                    .bind(Json(&project.non_cashable_benefits))
                    .bind(&project.source)
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| {
                        unique(e, format!("Project {reference} is already taken in this partnership; plan the project again"))
                    })?;
                }
                let rows = item_rows(record_id, project);
                for (binds, gate) in rows.stages {
                    bind_all!(
                        sqlx::query(
                            "INSERT INTO project_stages (project_id, stage, ordinal, baseline, forecast, actual, \
                             date_precision, expected_on, expected_end, tolerance_until, gate) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                        ),
                        binds
                    )
                    .bind(gate.map(Json))
                    .execute(&mut *conn)
                    .await?;
                }
                for (table, columns, width, all) in [
                    ("project_activities", ACTIVITY_COLUMNS, 6, rows.activities),
                    ("project_phases", PHASE_COLUMNS, 14, rows.phases),
                    ("project_milestones", MILESTONE_COLUMNS, 15, rows.milestones),
                ] {
                    for chunk in all.chunks(ROWS_PER_INSERT) {
                        let sql = insert_sql(table, columns, width, chunk.len());
                        let binds: Vec<Bind> = chunk.iter().flatten().cloned().collect();
                        bind_all!(sqlx::query(&sql), binds).execute(&mut *conn).await.map_err(|e| {
                            unique(e, format!("Two items of project {reference} have the same number"))
                        })?;
                    }
                }
                Ok(())
            }

            async fn load_escalations(conn: &mut $conn, condition: &str, binds: Vec<Bind>) -> Result<Vec<StoredEscalation>> {
                let sql = format!(
                    "SELECT {ESCALATION_COLUMNS} FROM escalations d JOIN records r ON r.id = d.record_id \
                     WHERE {condition} ORDER BY d.escalated_on, d.record_id"
                );
                let rows: Vec<EscalationRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                rows.into_iter().map(EscalationRow::into_stored).collect()
            }

            async fn write_escalation_row(
                conn: &mut $conn,
                record_id: i64,
                partnership_id: i64,
                project_id: i64,
                notice: &EscalationNotice,
            ) -> Result<()> {
                let item = match &notice.from {
                    EscalatedFrom::Exception { item, .. } => item.clone(),
                    EscalatedFrom::Raid { number } => {
                        return Err(StoreError::Corrupt(format!(
                            "escalation record {record_id} escalates RAID item {number}, not a tolerance exception"
                        )));
                    }
                };
                sqlx::query(
                    "INSERT INTO escalations (record_id, partnership_id, project_id, item, board, escalated_on, title) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(record_id)
                .bind(partnership_id)
                .bind(project_id)
                .bind(&item)
                .bind(notice.to.slug())
                .bind(notice.on)
                .bind(&notice.title)
                .execute(&mut *conn)
                .await
                .map_err(|e| unique(e, format!("“{item}” has been escalated already")))?;
                Ok(())
            }

            async fn load_highlights(conn: &mut $conn, condition: &str, binds: Vec<Bind>) -> Result<Vec<StoredHighlight>> {
                let sql = format!(
                    "SELECT {HIGHLIGHT_COLUMNS} FROM highlight_reports d JOIN projects p ON p.record_id = d.project_id \
                     JOIN records r ON r.id = d.record_id WHERE {condition} ORDER BY d.period_end, d.number"
                );
                let rows: Vec<HighlightRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                rows.into_iter().map(HighlightRow::into_stored).collect()
            }

            async fn write_highlight_row(
                conn: &mut $conn,
                record_id: i64,
                partnership_id: i64,
                number: u32,
                report: &HighlightReport,
                replace: bool,
            ) -> Result<()> {
                if replace {
                    sqlx::query("DELETE FROM highlight_reports WHERE record_id = $1")
                        .bind(record_id)
                        .execute(&mut *conn)
                        .await?;
                }
                let draft = &report.draft;
                let versions: Vec<SnapshotRecord<HighlightContent>> =
                    report.versions().iter().map(Snapshot::to_record).collect();
                sqlx::query(
                    "INSERT INTO highlight_reports (record_id, partnership_id, project_id, number, period_start, \
                     period_end, status, confidence, time_rating, cost_rating, scope_rating, benefits_rating, \
                     narrative, next_steps, for_escalation, author, published_versions, versions) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
                )
                .bind(record_id)
                .bind(partnership_id)
                .bind(report.project)
                .bind(i64::from(number))
                .bind(draft.period_start)
                .bind(draft.period_end)
                .bind(highlight_status(report))
                .bind(slug_of(&draft.confidence))
                .bind(slug_of(&draft.time))
                .bind(slug_of(&draft.cost))
                .bind(slug_of(&draft.scope))
                .bind(slug_of(&draft.benefits))
                .bind(&draft.narrative)
                .bind(Json(&draft.next_steps))
                .bind(Json(&draft.escalations))
                .bind(&draft.author)
                .bind(i64::try_from(versions.len()).unwrap_or(i64::MAX))
                .bind(Json(&versions))
                .execute(&mut *conn)
                .await
                .map_err(|e| unique(e, format!("Highlight report {number} of this project is already taken; start it again")))?;
                Ok(())
            }

            async fn load_progress(conn: &mut $conn, condition: &str, binds: Vec<Bind>) -> Result<Vec<StoredProgress>> {
                let sql = format!(
                    "SELECT {PROGRESS_COLUMNS} FROM progress_reports d JOIN records r ON r.id = d.record_id \
                     WHERE {condition} ORDER BY d.version"
                );
                let rows: Vec<ProgressRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                rows.into_iter().map(ProgressRow::into_stored).collect()
            }

            async fn write_progress_row(
                conn: &mut $conn,
                record_id: i64,
                partnership_id: i64,
                snapshot: &Snapshot<ProgressReport>,
            ) -> Result<()> {
                sqlx::query(
                    "INSERT INTO progress_reports (record_id, partnership_id, version, published_on, as_at, title, digest, report) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(record_id)
                .bind(partnership_id)
                .bind(i64::from(snapshot.version()))
                .bind(snapshot.published_on())
                .bind(snapshot.content().as_at)
                .bind(&snapshot.content().title)
                .bind(snapshot.digest())
                .bind(Json(snapshot.content()))
                .execute(&mut *conn)
                .await
                .map_err(|e| {
                    unique(e, format!("Version {} of the progress report is already published; publish again", snapshot.version()))
                })?;
                Ok(())
            }

            async fn beyond_tolerance(conn: &mut $conn, partnership_id: Option<i64>, today: NaiveDate) -> Result<Vec<i64>> {
                let mut binds = vec![Bind::Date(today)];
                let mut condition = any_item(&beyond("x", "$1"));
                if let Some(pid) = partnership_id {
                    binds.push(Bind::Int(pid));
                    condition.push_str(" AND d.partnership_id = $2");
                }
                let sql = format!("SELECT d.record_id FROM projects d WHERE {condition} ORDER BY d.record_id");
                let rows: Vec<(i64,)> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                Ok(rows.into_iter().map(|(id,)| id).collect())
            }

            /// Moves the delivery records of the generic table into their tables: run once, when an
            /// instance of an earlier release upgrades. Projects are numbered in each partnership in
            /// the order they were created, and highlight reports in each project likewise.
            pub(crate) async fn upgrade_delivery(conn: &mut $conn) -> Result<u64> {
                let rows = |kind: &'static str| {
                    sqlx::query_as::<_, (i64, Option<i64>, Option<i64>, String)>(
                        "SELECT id, partnership_id, parent_id, body FROM records WHERE kind = $1 AND body <> 'null' ORDER BY id",
                    )
                    .bind(kind)
                };
                let corrupt = |kind: &str, id: i64, e: &dyn std::fmt::Display| {
                    StoreError::Corrupt(format!("{kind} record {id}: {e}"))
                };
                let mut moved = 0u64;
                let projects = rows(PROJECT_KIND).fetch_all(&mut *conn).await?;
                let mut numbers: HashMap<i64, u32> = HashMap::new();
                let mut project_numbers: HashMap<i64, u32> = HashMap::new();
                for (id, partnership_id, _, body) in &projects {
                    let mut project: Project = serde_json::from_str(body).map_err(|e| corrupt(PROJECT_KIND, *id, &e))?;
                    let pid = partnership_id.ok_or_else(|| corrupt(PROJECT_KIND, *id, &"it belongs to no partnership"))?;
                    project.id = *id;
                    if let Some(opportunity) = project.opportunity_id {
                        let (found,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM records WHERE id = $1")
                            .bind(opportunity)
                            .fetch_one(&mut *conn)
                            .await?;
                        if found == 0 {
                            // Release 0.1 took the number as typed; a link to no record could
                            // never be followed, and the table's key cannot hold it.
                            tracing::warn!(project = id, opportunity, "a project's link to a missing opportunity was dropped");
                            project.opportunity_id = None;
                        }
                    }
                    let number = numbers.entry(pid).or_insert(0);
                    *number += 1;
                    project_numbers.insert(*id, *number);
                    Self::write_project_rows(conn, *id, pid, *number, &project, false).await?;
                    sqlx::query("UPDATE records SET body = 'null', reference = $2 WHERE id = $1")
                        .bind(id)
                        .bind(project::reference(*number))
                        .execute(&mut *conn)
                        .await?;
                    moved += 1;
                }
                for (id, partnership_id, parent_id, body) in rows(ESCALATION_KIND).fetch_all(&mut *conn).await? {
                    let notice: EscalationNotice = serde_json::from_str(&body).map_err(|e| corrupt(ESCALATION_KIND, id, &e))?;
                    let pid = partnership_id.ok_or_else(|| corrupt(ESCALATION_KIND, id, &"it belongs to no partnership"))?;
                    let project_id = parent_id.ok_or_else(|| corrupt(ESCALATION_KIND, id, &"it belongs to no project"))?;
                    Self::write_escalation_row(conn, id, pid, project_id, &notice).await?;
                    sqlx::query("UPDATE records SET body = 'null' WHERE id = $1").bind(id).execute(&mut *conn).await?;
                    moved += 1;
                }
                let mut highlight_numbers: HashMap<i64, u32> = HashMap::new();
                for (id, partnership_id, parent_id, body) in rows(HIGHLIGHT_KIND).fetch_all(&mut *conn).await? {
                    let report: HighlightReport = serde_json::from_str(&body).map_err(|e| corrupt(HIGHLIGHT_KIND, id, &e))?;
                    let pid = partnership_id.ok_or_else(|| corrupt(HIGHLIGHT_KIND, id, &"it belongs to no partnership"))?;
                    let project_id = parent_id.ok_or_else(|| corrupt(HIGHLIGHT_KIND, id, &"it belongs to no project"))?;
                    let project_number = project_numbers
                        .get(&project_id)
                        .copied()
                        .ok_or_else(|| corrupt(HIGHLIGHT_KIND, id, &"its project is not a project"))?;
                    if report.project != project_id {
                        return Err(corrupt(HIGHLIGHT_KIND, id, &format!("it is filed under project {project_id} but reports on {}", report.project)));
                    }
                    let number = highlight_numbers.entry(project_id).or_insert(0);
                    *number += 1;
                    Self::write_highlight_row(conn, id, pid, *number, &report, false).await?;
                    sqlx::query("UPDATE records SET body = 'null', reference = $2 WHERE id = $1")
                        .bind(id)
                        .bind(highlight_report::reference(&project::reference(project_number), *number))
                        .execute(&mut *conn)
                        .await?;
                    moved += 1;
                }
                for (id, partnership_id, _, body) in rows(PROGRESS_KIND).fetch_all(&mut *conn).await? {
                    let snapshot: Snapshot<ProgressReport> = serde_json::from_str(&body).map_err(|e| corrupt(PROGRESS_KIND, id, &e))?;
                    let pid = partnership_id.ok_or_else(|| corrupt(PROGRESS_KIND, id, &"it belongs to no partnership"))?;
                    Self::write_progress_row(conn, id, pid, &snapshot).await?;
                    sqlx::query("UPDATE records SET body = 'null', reference = $2 WHERE id = $1")
                        .bind(id)
                        .bind(snapshot.version().to_string())
                        .execute(&mut *conn)
                        .await?;
                    moved += 1;
                }
                Ok(moved)
            }
        }

        #[async_trait]
        impl DeliveryStore for $store {
            async fn projects(
                &self,
                partnership_id: i64,
                filter: &ProjectFilter,
                page: &ProjectPage,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<ProjectSummary>> {
                let mut binds = vec![Bind::Int(partnership_id), Bind::Date(today)];
                let condition = filter_where(filter, today, &mut binds);
                let (after, order) = order_sql(page, &mut binds);
                let limit = page.limit.clamp(1, 10_000);
                let sql = format!(
                    "SELECT {SUMMARY_COLUMNS}, {} AS exceptions FROM projects d JOIN records r ON r.id = d.record_id \
                     WHERE d.partnership_id = $1 AND {condition} AND {}{after} ORDER BY {order} LIMIT {limit} OFFSET {}",
                    exceptions_sql("$2"),
                    visible(scope, today, "r"),
                    page.offset.max(0)
                );
                let rows: Vec<SummaryRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&self.pool).await?;
                rows.into_iter().map(SummaryRow::into_summary).collect()
            }

            async fn count_projects(
                &self,
                partnership_id: i64,
                filter: &ProjectFilter,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<i64> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let condition = filter_where(filter, today, &mut binds);
                let sql = format!(
                    "SELECT COUNT(*) FROM projects d JOIN records r ON r.id = d.record_id \
                     WHERE d.partnership_id = $1 AND {condition} AND {}",
                    visible(scope, today, "r")
                );
                let (count,): (i64,) = bind_all!(sqlx::query_as(&sql), binds).fetch_one(&self.pool).await?;
                Ok(count)
            }

            async fn project(
                &self,
                partnership_id: i64,
                number: u32,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<StoredProject>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.partnership_id = $1 AND d.number = $2 AND {}", visible(scope, today, "r"));
                Ok(Self::load_projects(&mut conn, &condition, vec![Bind::Int(partnership_id), Bind::Int(i64::from(number))], true)
                    .await?
                    .pop())
            }

            async fn project_by_id(
                &self,
                record_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<StoredProject>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.record_id = $1 AND {}", visible(scope, today, "r"));
                Ok(Self::load_projects(&mut conn, &condition, vec![Bind::Int(record_id)], true).await?.pop())
            }

            async fn programme(
                &self,
                partnership_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<StoredProject>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.partnership_id = $1 AND {}", visible(scope, today, "r"));
                Self::load_projects(&mut conn, &condition, vec![Bind::Int(partnership_id)], false).await
            }

            async fn escalations(
                &self,
                partnership_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<StoredEscalation>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.partnership_id = $1 AND {}", visible(scope, today, "r"));
                Self::load_escalations(&mut conn, &condition, vec![Bind::Int(partnership_id)]).await
            }

            async fn project_escalations(
                &self,
                project_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<StoredEscalation>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.project_id = $1 AND {}", visible(scope, today, "r"));
                Self::load_escalations(&mut conn, &condition, vec![Bind::Int(project_id)]).await
            }

            async fn escalation_by_id(
                &self,
                record_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<StoredEscalation>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.record_id = $1 AND {}", visible(scope, today, "r"));
                Ok(Self::load_escalations(&mut conn, &condition, vec![Bind::Int(record_id)]).await?.pop())
            }

            async fn highlight_reports(
                &self,
                project_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<StoredHighlight>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.project_id = $1 AND {}", visible(scope, today, "r"));
                Self::load_highlights(&mut conn, &condition, vec![Bind::Int(project_id)]).await
            }

            async fn highlight_report(
                &self,
                project_id: i64,
                number: u32,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<StoredHighlight>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.project_id = $1 AND d.number = $2 AND {}", visible(scope, today, "r"));
                Ok(Self::load_highlights(&mut conn, &condition, vec![Bind::Int(project_id), Bind::Int(i64::from(number))])
                    .await?
                    .pop())
            }

            async fn highlight_by_id(
                &self,
                record_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<StoredHighlight>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.record_id = $1 AND {}", visible(scope, today, "r"));
                Ok(Self::load_highlights(&mut conn, &condition, vec![Bind::Int(record_id)]).await?.pop())
            }

            async fn progress_reports(
                &self,
                partnership_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<ProgressListing>> {
                let sql = format!(
                    "SELECT {LISTING_COLUMNS} FROM progress_reports d JOIN records r ON r.id = d.record_id \
                     WHERE d.partnership_id = $1 AND {} ORDER BY d.version",
                    visible(scope, today, "r")
                );
                let rows: Vec<ListingRow> = sqlx::query_as(&sql).bind(partnership_id).fetch_all(&self.pool).await?;
                rows.into_iter().map(ListingRow::into_listing).collect()
            }

            async fn progress_reports_page(
                &self,
                partnership_id: i64,
                after: u32,
                limit: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<ProgressListing>> {
                let sql = format!(
                    "SELECT {LISTING_COLUMNS} FROM progress_reports d JOIN records r ON r.id = d.record_id \
                     WHERE d.partnership_id = $1 AND d.version > $2 AND {} ORDER BY d.version LIMIT $3",
                    visible(scope, today, "r")
                );
                let rows: Vec<ListingRow> = sqlx::query_as(&sql)
                    .bind(partnership_id)
                    .bind(i64::from(after))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map(ListingRow::into_listing).collect()
            }

            async fn count_progress_reports(
                &self,
                partnership_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<i64> {
                let sql = format!(
                    "SELECT COUNT(*) FROM progress_reports d JOIN records r ON r.id = d.record_id \
                     WHERE d.partnership_id = $1 AND {}",
                    visible(scope, today, "r")
                );
                let (count,): (i64,) = sqlx::query_as(&sql).bind(partnership_id).fetch_one(&self.pool).await?;
                Ok(count)
            }

            async fn progress_report(
                &self,
                partnership_id: i64,
                version: u32,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<StoredProgress>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.partnership_id = $1 AND d.version = $2 AND {}", visible(scope, today, "r"));
                Ok(Self::load_progress(&mut conn, &condition, vec![Bind::Int(partnership_id), Bind::Int(i64::from(version))])
                    .await?
                    .pop())
            }

            async fn progress_by_id(
                &self,
                record_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<StoredProgress>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.record_id = $1 AND {}", visible(scope, today, "r"));
                Ok(Self::load_progress(&mut conn, &condition, vec![Bind::Int(record_id)]).await?.pop())
            }
        }

        #[async_trait]
        impl DeliveryTx for $write {
            async fn last_project_number(&mut self, partnership_id: i64) -> Result<u32> {
                let (last,): (Option<i64>,) =
                    sqlx::query_as("SELECT CAST(MAX(number) AS BIGINT) FROM projects WHERE partnership_id = $1")
                        .bind(partnership_id)
                        .fetch_one(&mut *self.tx)
                        .await?;
                Ok(last.and_then(|n| u32::try_from(n).ok()).unwrap_or(0))
            }

            async fn project_for_change(
                &mut self,
                partnership_id: i64,
                number: u32,
            ) -> Result<Option<StoredProject>> {
                Ok($store::load_projects(
                    &mut self.tx,
                    "d.partnership_id = $1 AND d.number = $2",
                    vec![Bind::Int(partnership_id), Bind::Int(i64::from(number))],
                    true,
                )
                .await?
                .pop())
            }

            async fn projects_for_change(&mut self, record_ids: &[i64]) -> Result<Vec<StoredProject>> {
                let mut out = Vec::with_capacity(record_ids.len());
                // In slices, so no statement grows without bound.
                for chunk in record_ids.chunks(500) {
                    let condition = format!("d.record_id IN ({})", id_list(chunk));
                    out.extend($store::load_projects(&mut self.tx, &condition, Vec::new(), true).await?);
                }
                out.sort_by_key(|p| (p.meta.partnership_id, p.number));
                Ok(out)
            }

            async fn projects_beyond_tolerance(
                &mut self,
                partnership_id: Option<i64>,
                today: NaiveDate,
            ) -> Result<Vec<i64>> {
                $store::beyond_tolerance(&mut self.tx, partnership_id, today).await
            }

            async fn is_opportunity(&mut self, partnership_id: i64, record_id: i64) -> Result<bool> {
                let (count,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM records WHERE id = $1 AND partnership_id = $2 AND kind = 'opportunity'",
                )
                .bind(record_id)
                .bind(partnership_id)
                .fetch_one(&mut *self.tx)
                .await?;
                Ok(count > 0)
            }

            async fn insert_project(
                &mut self,
                meta: &RecordMeta,
                number: u32,
                project: &Project,
                change: &Change,
            ) -> Result<StoredProject> {
                let partnership_id = meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "A project belongs to a partnership")
                })?;
                let reference = project::reference(number);
                let header = project_header(meta, project, &reference);
                let id = $store::insert_header(&mut self.tx, &header, change).await.map_err(|e| {
                    unique_header(e, format!("Project {reference} is already taken in this partnership; plan the project again"))
                })?;
                let mut project = project.clone();
                project.id = id;
                $store::write_project_rows(&mut self.tx, id, partnership_id, number, &project, false).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), project_body(&project));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(StoredProject { record_id: id, version: 1, meta: meta.clone(), number, project, updated_at: change.at })
            }

            async fn update_project(
                &mut self,
                from: &StoredProject,
                project: &Project,
                change: &Change,
            ) -> Result<StoredProject> {
                let partnership_id = from.meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "A project belongs to a partnership")
                })?;
                let reference = from.reference();
                let what = format!("Project {reference}");
                let mut project = project.clone();
                project.id = from.record_id;
                let before_header = project_header(&from.meta, &from.project, &reference);
                let after_header = project_header(&from.meta, &project, &reference);
                let (version, created_at) =
                    $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &what, change).await?;
                $store::write_project_rows(&mut self.tx, from.record_id, partnership_id, from.number, &project, true).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created_at, from.updated_at), project_body(&from.project));
                let after = after_header.snapshot(from.record_id, version, (created_at, change.at), project_body(&project));
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                Ok(StoredProject {
                    record_id: from.record_id,
                    version,
                    meta: from.meta.clone(),
                    number: from.number,
                    project,
                    updated_at: change.at,
                })
            }

            async fn escalated_items(&mut self, project_id: i64) -> Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as("SELECT item FROM escalations WHERE project_id = $1 ORDER BY record_id")
                    .bind(project_id)
                    .fetch_all(&mut *self.tx)
                    .await?;
                Ok(rows.into_iter().map(|(item,)| item).collect())
            }

            async fn insert_escalation(
                &mut self,
                project: &StoredProject,
                notice: &EscalationNotice,
                change: &Change,
            ) -> Result<StoredEscalation> {
                let partnership_id = project.meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "A project belongs to a partnership")
                })?;
                let header = escalation_header(&project.meta, project.record_id, notice);
                let id = $store::insert_header(&mut self.tx, &header, change).await?;
                $store::write_escalation_row(&mut self.tx, id, partnership_id, project.record_id, notice).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), json(notice));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(StoredEscalation {
                    record_id: id,
                    project_id: project.record_id,
                    meta: project.meta.clone(),
                    notice: notice.clone(),
                    created_at: change.at,
                })
            }

            async fn last_highlight_number(&mut self, project_id: i64) -> Result<u32> {
                let (last,): (Option<i64>,) =
                    sqlx::query_as("SELECT CAST(MAX(number) AS BIGINT) FROM highlight_reports WHERE project_id = $1")
                        .bind(project_id)
                        .fetch_one(&mut *self.tx)
                        .await?;
                Ok(last.and_then(|n| u32::try_from(n).ok()).unwrap_or(0))
            }

            async fn highlight_for_change(
                &mut self,
                project_id: i64,
                number: u32,
            ) -> Result<Option<StoredHighlight>> {
                Ok($store::load_highlights(
                    &mut self.tx,
                    "d.project_id = $1 AND d.number = $2",
                    vec![Bind::Int(project_id), Bind::Int(i64::from(number))],
                )
                .await?
                .pop())
            }

            async fn insert_highlight(
                &mut self,
                project: &StoredProject,
                meta: &RecordMeta,
                number: u32,
                report: &HighlightReport,
                change: &Change,
            ) -> Result<StoredHighlight> {
                let partnership_id = meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "A highlight report belongs to a partnership")
                })?;
                let reference = highlight_report::reference(&project.reference(), number);
                let title = highlight_report::title(&project.project.name, &report.draft);
                let header = highlight_header(meta, project.record_id, &title, report, &reference);
                let id = $store::insert_header(&mut self.tx, &header, change).await.map_err(|e| {
                    unique_header(e, format!("Highlight report {number} of this project is already taken; start it again"))
                })?;
                $store::write_highlight_row(&mut self.tx, id, partnership_id, number, report, false).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), json(report));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(StoredHighlight {
                    record_id: id,
                    version: 1,
                    meta: meta.clone(),
                    project_id: project.record_id,
                    project_number: project.number,
                    number,
                    title,
                    report: report.clone(),
                    updated_at: change.at,
                })
            }

            async fn update_highlight(
                &mut self,
                from: &StoredHighlight,
                report: &HighlightReport,
                change: &Change,
            ) -> Result<StoredHighlight> {
                let partnership_id = from.meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "A highlight report belongs to a partnership")
                })?;
                let reference = from.reference();
                let what = format!("Highlight report {}", from.number);
                let before_header = highlight_header(&from.meta, from.project_id, &from.title, &from.report, &reference);
                let after_header = highlight_header(&from.meta, from.project_id, &from.title, report, &reference);
                let (version, created_at) =
                    $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &what, change).await?;
                $store::write_highlight_row(&mut self.tx, from.record_id, partnership_id, from.number, report, true).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created_at, from.updated_at), json(&from.report));
                let after = after_header.snapshot(from.record_id, version, (created_at, change.at), json(report));
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                Ok(StoredHighlight {
                    version,
                    report: report.clone(),
                    updated_at: change.at,
                    ..from.clone()
                })
            }

            async fn last_progress_version(&mut self, partnership_id: i64) -> Result<u32> {
                let (last,): (Option<i64>,) =
                    sqlx::query_as("SELECT CAST(MAX(version) AS BIGINT) FROM progress_reports WHERE partnership_id = $1")
                        .bind(partnership_id)
                        .fetch_one(&mut *self.tx)
                        .await?;
                Ok(last.and_then(|n| u32::try_from(n).ok()).unwrap_or(0))
            }

            async fn programme_for_report(
                &mut self,
                partnership_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<StoredProject>> {
                let condition = format!("d.partnership_id = $1 AND {}", visible(scope, today, "r"));
                $store::load_projects(&mut self.tx, &condition, vec![Bind::Int(partnership_id)], false).await
            }

            async fn insert_progress_report(
                &mut self,
                meta: &RecordMeta,
                snapshot: &Snapshot<ProgressReport>,
                change: &Change,
            ) -> Result<StoredProgress> {
                let partnership_id = meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "A progress report belongs to a partnership")
                })?;
                let reference = snapshot.version().to_string();
                let title = progress_report::version_title(snapshot);
                let header = progress_header(meta, &title, snapshot, &reference);
                let id = $store::insert_header(&mut self.tx, &header, change).await.map_err(|e| {
                    unique_header(e, format!("Version {reference} of the progress report is already published; publish again"))
                })?;
                $store::write_progress_row(&mut self.tx, id, partnership_id, snapshot).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), json(snapshot));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(StoredProgress { record_id: id, meta: meta.clone(), snapshot: snapshot.clone(), title })
            }
        }
    };
}

delivery_impl!(SqliteStore, SqliteWrite, sqlx::SqliteConnection);
delivery_impl!(PgStore, PgWrite, sqlx::PgConnection);

/// The snapshot of a project as the audit trail keeps it, for tests and tools that compare
/// stored records.
pub fn project_snapshot(stored: &StoredProject) -> StoredRecord {
    let reference = stored.reference();
    project_header(&stored.meta, &stored.project, &reference).snapshot(
        stored.record_id,
        stored.version,
        (stored.updated_at, stored.updated_at),
        project_body(&stored.project),
    )
}

/// The header of an escalated exception as a record, for readers that list escalations with
/// other records (a board's agenda).
pub fn escalation_snapshot(stored: &StoredEscalation) -> StoredRecord {
    let at = stored.created_at;
    // Escalations are written once and never changed: version 1.
    escalation_header(&stored.meta, stored.project_id, &stored.notice).snapshot(
        stored.record_id,
        1,
        (at, at),
        json(&stored.notice),
    )
}
