//! Projects' use cases: list a page of them, read one, plan one from the template, enter one as
//! a source states it, change its details and dates, record a Cabinet approval at a gate, and
//! add a phase or a milestone.
//!
//! Planning reads no list: inside its transaction it reads the partnership's highest project
//! number, so planners working at once get distinct references. Each change loads the one
//! project it changes, from the version the caller read, and escalates in the same
//! transaction any date it leaves beyond tolerance.

use accord_domain::GssCode;
use accord_domain::Invalid;
use accord_domain::access::{Action, Area, Classification, RecordMeta};
use accord_domain::project::{
    self, Milestone, MilestoneInput, PhaseInput, Project, ProjectDetails, ProjectFilter,
    ProjectInput, Stage, Target,
};
use accord_store::WriteTx;
use accord_store::delivery::{
    ProjectAfter, ProjectOrder, ProjectPage, ProjectSummary, StoredProject,
};
use chrono::NaiveDate;

use super::{ProjectEntry, programme_meta};
use crate::list::{ListRequest, Listed, Start, encode_cursor};
use crate::{App, AppError, Caller, Result};

/// The name of the projects list's cursors.
const LIST: &str = "projects";

/// A project to plan from the indicative template of its size.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanProject {
    /// The project as entered.
    pub input: ProjectInput,
    /// Who may see it.
    pub classification: Classification,
}

/// A project as a source states it (a seed, an import): dates, phases and milestones as given.
#[derive(Debug, Clone, PartialEq)]
pub struct EnterProject {
    /// The project (its `id` is ignored).
    pub project: Project,
    /// Who may see it.
    pub classification: Classification,
    /// Why, for the audit trail ("demo data from seed 003").
    pub reason: String,
}

/// New dates for a stage, phase or milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeDates {
    /// The item.
    pub target: Target,
    /// When it is now expected; `None` to expect it on its baseline.
    pub forecast: Option<NaiveDate>,
    /// When it happened, if it has.
    pub actual: Option<NaiveDate>,
}

/// A council's Cabinet approval at a stage's gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CabinetApproval {
    /// The stage whose gate it is.
    pub stage: Stage,
    /// The council.
    pub council: GssCode,
    /// When its Cabinet approved.
    pub approved_on: NaiveDate,
}

fn not_found(reference: &str) -> AppError {
    AppError::not_found(format!("Project {reference}"))
}

/// The key a cursor carries for a project in `order`.
fn cursor_key(order: ProjectOrder, summary: &ProjectSummary) -> String {
    match order {
        ProjectOrder::Number => format!("n:{}", summary.number),
        ProjectOrder::Name => format!("name:{}|{}", summary.number, summary.name.to_lowercase()),
        ProjectOrder::Start => format!(
            "start:{}|{}",
            summary.number,
            summary.start.map(|d| d.to_string()).unwrap_or_default()
        ),
    }
}

/// Where a page starts, from a cursor's key, for the order asked for.
fn after(order: ProjectOrder, key: &str) -> Result<ProjectAfter, Invalid> {
    let refused = || {
        Invalid::field(
            "cursor",
            "This is not a cursor of this list: follow the `next` link of the page before",
        )
    };
    let split = |rest: &str| -> Result<(u32, String), Invalid> {
        let (number, tail) = rest.split_once('|').ok_or_else(refused)?;
        Ok((number.parse().map_err(|_| refused())?, tail.to_owned()))
    };
    match (order, key.split_once(':')) {
        (ProjectOrder::Number, Some(("n", n))) => {
            Ok(ProjectAfter::Number(n.parse().map_err(|_| refused())?))
        }
        (ProjectOrder::Name, Some(("name", rest))) => {
            let (n, name) = split(rest)?;
            Ok(ProjectAfter::Name(name, n))
        }
        (ProjectOrder::Start, Some(("start", rest))) => {
            let (n, start) = split(rest)?;
            let start = match start.as_str() {
                "" => None,
                text => Some(text.parse::<NaiveDate>().map_err(|_| refused())?),
            };
            Ok(ProjectAfter::Start(start, n))
        }
        _ => Err(refused()),
    }
}

/// A page of the partnership's projects matching `filter`, in `order`, with the total and each
/// project's dates beyond tolerance today, all answered by the database over what the caller
/// may read.
pub async fn list(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    filter: &ProjectFilter,
    order: ProjectOrder,
    request: &ListRequest,
) -> Result<Listed<ProjectSummary>> {
    let today = app.today();
    caller.check(Action::Read, &programme_meta(partnership_id), today)?;
    filter.prepare()?;
    let after = match &request.start {
        Start::After(key) => Some(after(order, key)?),
        Start::Page(_) => None,
    };
    let scope = caller.scope();
    let store = app.store();
    // One more than the page holds says whether there is a next page.
    let page = ProjectPage {
        order,
        after,
        offset: request.offset(),
        limit: i64::from(request.limit) + 1,
    };
    let mut rows = store
        .projects(partnership_id, filter, &page, &scope, today)
        .await?;
    let more = rows.len() > request.limit as usize;
    rows.truncate(request.limit as usize);
    let next = more
        .then(|| {
            rows.last()
                .map(|r| encode_cursor(LIST, &cursor_key(order, r)))
        })
        .flatten();
    let total = store
        .count_projects(partnership_id, filter, &scope, today)
        .await?;
    Ok(Listed {
        items: rows,
        total,
        next,
    })
}

/// The project a reference names (P-7, p7), if the caller may read it.
pub async fn get(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
) -> Result<ProjectEntry> {
    let today = app.today();
    let number = project::parse_reference(reference).ok_or_else(|| not_found(reference))?;
    let stored = app
        .store()
        .project(partnership_id, number, &caller.scope(), today)
        .await?
        .ok_or_else(|| not_found(reference))?;
    Ok(ProjectEntry::of(stored, today))
}

/// The name and milestones of the project with this record id, if the caller may read it:
/// what the savings ledger needs of a project its lines depend on.
pub async fn milestones_of(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    record_id: i64,
) -> Result<Option<(String, Vec<Milestone>)>> {
    Ok(app
        .store()
        .project_by_id(record_id, &caller.scope(), app.today())
        .await?
        .filter(|s| s.meta.partnership_id == Some(partnership_id))
        .map(|s| (s.project.name, s.project.milestones)))
}

fn new_meta(partnership_id: i64, classification: Classification) -> RecordMeta {
    RecordMeta {
        area: Area::Programme,
        partnership_id: Some(partnership_id),
        owner: None,
        classification,
        embargo: None,
    }
}

/// Refuses a link to a record that is not an opportunity of the partnership.
async fn check_opportunity(
    tx: &mut Box<dyn WriteTx>,
    partnership_id: i64,
    project: &Project,
) -> Result<()> {
    if let Some(id) = project.opportunity_id
        && !tx.is_opportunity(partnership_id, id).await?
    {
        return Err(Invalid::field(
            "opportunity_id",
            format!("Record {id} is not an opportunity of this partnership"),
        )
        .into());
    }
    Ok(())
}

/// Writes a new project, numbered after the partnership's highest, and escalates its dates
/// beyond tolerance, in one transaction.
async fn insert(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    meta: &RecordMeta,
    project: &Project,
    reason: &str,
) -> Result<ProjectEntry> {
    let today = app.today();
    let change = caller.change().because(reason);
    let mut tx = app.store().write().await?;
    check_opportunity(&mut tx, partnership_id, project).await?;
    let number = tx.last_project_number(partnership_id).await? + 1;
    let stored = tx.insert_project(meta, number, project, &change).await?;
    super::escalations::escalate_in(&mut tx, &stored, today, &change).await?;
    tx.commit().await?;
    Ok(ProjectEntry::of(stored, today))
}

/// Plans a project from the indicative template of its size: the four Schedule 2 stages with
/// their activities and engagement tracks, and Cabinet approval at every member council as the
/// gate. Returns it with its reference.
pub async fn plan(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    command: PlanProject,
) -> Result<ProjectEntry> {
    let today = app.today();
    let meta = new_meta(partnership_id, command.classification);
    caller.check(Action::Create, &meta, today)?;
    let partnership = crate::partnership::get(app, partnership_id).await?;
    let project = Project::plan(0, command.input, &partnership)?;
    insert(app, caller, partnership_id, &meta, &project, "").await
}

/// Enters a project as a source states it, checked as a whole. Returns it with its reference.
pub async fn enter(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    command: EnterProject,
) -> Result<ProjectEntry> {
    let today = app.today();
    let meta = new_meta(partnership_id, command.classification);
    caller.check(Action::Create, &meta, today)?;
    command.project.validate()?;
    let project = Project {
        id: 0,
        ..command.project
    };
    insert(
        app,
        caller,
        partnership_id,
        &meta,
        &project,
        &command.reason,
    )
    .await
}

/// Loads a project to change it, checking the caller may and that it is still at the version
/// they read.
async fn for_change(
    tx: &mut Box<dyn WriteTx>,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    today: NaiveDate,
) -> Result<StoredProject> {
    let number = project::parse_reference(reference).ok_or_else(|| not_found(reference))?;
    let stored = tx
        .project_for_change(partnership_id, number)
        .await?
        .ok_or_else(|| not_found(reference))?;
    if !caller.scope().permits(&stored.meta, today) {
        return Err(not_found(reference));
    }
    caller.check(Action::Update, &stored.meta, today)?;
    if let Some(version) = from_version
        && version != stored.version
    {
        return Err(AppError::Conflict(format!(
            "Project {} changed since you opened it (you had version {version}; it is now at version {}). \
             The page shows it as it is now: make your change again if it is still needed",
            stored.reference(),
            stored.version
        )));
    }
    Ok(stored)
}

/// Applies a rule to one project and saves it, escalating any date it leaves beyond
/// tolerance, in one transaction. Returns the project and what the rule answered.
async fn change<T>(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    reason: &str,
    rule: impl FnOnce(&mut Project, NaiveDate) -> Result<T, Invalid>,
) -> Result<(ProjectEntry, T)> {
    let today = app.today();
    let change = caller.change().because(reason);
    let mut tx = app.store().write().await?;
    let stored = for_change(
        &mut tx,
        caller,
        partnership_id,
        reference,
        from_version,
        today,
    )
    .await?;
    let mut project = stored.project.clone();
    let answer = rule(&mut project, today)?;
    project.validate()?;
    if project.opportunity_id != stored.project.opportunity_id {
        check_opportunity(&mut tx, partnership_id, &project).await?;
    }
    let saved = tx.update_project(&stored, &project, &change).await?;
    super::escalations::escalate_in(&mut tx, &saved, today, &change).await?;
    tx.commit().await?;
    Ok((ProjectEntry::of(saved, today), answer))
}

/// Changes a project's details: name, tolerance, scope, the opportunity it delivers,
/// implementation activity, savings, benefits and outcome.
pub async fn edit(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    details: ProjectDetails,
    reason: &str,
) -> Result<ProjectEntry> {
    Ok(change(
        app,
        caller,
        partnership_id,
        reference,
        from_version,
        reason,
        |p, _| p.edit(details),
    )
    .await?
    .0)
}

/// Sets a stage's, phase's or milestone's forecast and actual. A forecast before the project
/// starts is refused; a stage completes only in order and after its Cabinet gate.
pub async fn change_dates(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    dates: ChangeDates,
    reason: &str,
) -> Result<ProjectEntry> {
    Ok(change(
        app,
        caller,
        partnership_id,
        reference,
        from_version,
        reason,
        |p, _| p.change_dates(dates.target, dates.forecast, dates.actual),
    )
    .await?
    .0)
}

/// Records a council's Cabinet approval at a stage's gate. A council outside the partnership,
/// a stage without a gate or a date in the future is refused.
pub async fn approve(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    approval: CabinetApproval,
) -> Result<ProjectEntry> {
    Ok(change(
        app,
        caller,
        partnership_id,
        reference,
        from_version,
        "",
        |p, today| {
            p.approve_at_gate(
                approval.stage,
                &approval.council,
                approval.approved_on,
                today,
            )
        },
    )
    .await?
    .0)
}

/// Adds a phase at the end of a project's phases. Returns the project and the phase's number.
pub async fn add_phase(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    input: PhaseInput,
) -> Result<(ProjectEntry, u32)> {
    change(
        app,
        caller,
        partnership_id,
        reference,
        from_version,
        "",
        |p, _| p.add_phase(input),
    )
    .await
}

/// Adds a milestone to a project. Returns the project and the milestone's number.
pub async fn add_milestone(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    input: MilestoneInput,
) -> Result<(ProjectEntry, u32)> {
    change(
        app,
        caller,
        partnership_id,
        reference,
        from_version,
        "",
        |p, _| p.add_milestone(input),
    )
    .await
}
