//! Highlight reports' use cases: a project's reports, one report, starting one, editing its
//! draft, publishing the draft as a frozen version, and saving a published version again (as
//! a client does on retry), which changes nothing and refuses any difference.
//!
//! A report is addressed under its project by its number among the project's reports
//! (`…/projects/P-7/highlight-reports/2`); numbers are allocated in the writing transaction.

use accord_domain::Invalid;
use accord_domain::access::{Action, Area, Classification, RecordMeta};
use accord_domain::highlight_report::{
    HighlightContent, HighlightDraft, HighlightReport, SnapshotRecord,
};
use accord_store::WriteTx;
use accord_store::delivery::{StoredHighlight, StoredProject};
use chrono::NaiveDate;

use super::ProjectEntry;
use crate::{App, AppError, Caller, Result};

/// A report to start for a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartHighlight {
    /// Its draft.
    pub draft: HighlightDraft,
    /// Who may see it.
    pub classification: Classification,
}

fn report_not_found(project: &str, number: u32) -> AppError {
    AppError::not_found(format!("Highlight report {number} of project {project}"))
}

/// A project's highlight reports the caller may read, with the project.
pub async fn list(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    project: &str,
) -> Result<(ProjectEntry, Vec<StoredHighlight>)> {
    let entry = super::projects::get(app, caller, partnership_id, project).await?;
    let reports = app
        .store()
        .highlight_reports(entry.record_id, &caller.scope(), app.today())
        .await?;
    Ok((entry, reports))
}

/// A project's highlight report by its number, if the caller may read it and its project.
pub async fn get(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    project: &str,
    number: u32,
) -> Result<(ProjectEntry, StoredHighlight)> {
    let entry = super::projects::get(app, caller, partnership_id, project).await?;
    let report = app
        .store()
        .highlight_report(entry.record_id, number, &caller.scope(), app.today())
        .await?
        .ok_or_else(|| report_not_found(project, number))?;
    Ok((entry, report))
}

/// The project a report is written about, inside the transaction, if the caller may read it.
async fn project_in(
    tx: &mut Box<dyn WriteTx>,
    caller: &Caller,
    partnership_id: i64,
    project: &str,
    today: NaiveDate,
) -> Result<StoredProject> {
    let not_found = || AppError::not_found(format!("Project {project}"));
    let number = accord_domain::project::parse_reference(project).ok_or_else(not_found)?;
    tx.project_for_change(partnership_id, number)
        .await?
        .filter(|p| caller.scope().permits(&p.meta, today))
        .ok_or_else(not_found)
}

/// Starts a highlight report for a project, numbered after the project's last. Returns it.
pub async fn start(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    project: &str,
    command: StartHighlight,
) -> Result<StoredHighlight> {
    let today = app.today();
    let mut tx = app.store().write().await?;
    let stored = project_in(&mut tx, caller, partnership_id, project, today).await?;
    caller.check(Action::Update, &stored.meta, today)?;
    // The report belongs to the project's council, when it has one, with the class chosen.
    let meta = RecordMeta {
        area: Area::Programme,
        partnership_id: Some(partnership_id),
        owner: stored.meta.owner.clone(),
        classification: command.classification,
        embargo: None,
    };
    caller.check(Action::Create, &meta, today)?;
    let report = HighlightReport::new(&stored.project, command.draft)?;
    let number = tx.last_highlight_number(stored.record_id).await? + 1;
    let saved = tx
        .insert_highlight(&stored, &meta, number, &report, &caller.change())
        .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Loads a report to change it with `action`, from the version the caller read.
// Each argument names one part of the address or the check; a struct would only name them twice.
#[allow(clippy::too_many_arguments)]
async fn for_change(
    tx: &mut Box<dyn WriteTx>,
    caller: &Caller,
    partnership_id: i64,
    project: &str,
    number: u32,
    from_version: Option<i64>,
    action: Action,
    today: NaiveDate,
) -> Result<(StoredProject, StoredHighlight)> {
    let stored = project_in(tx, caller, partnership_id, project, today).await?;
    let report = tx
        .highlight_for_change(stored.record_id, number)
        .await?
        .filter(|r| caller.scope().permits(&r.meta, today))
        .ok_or_else(|| report_not_found(project, number))?;
    caller.check(action, &report.meta, today)?;
    if let Some(version) = from_version
        && version != report.version
    {
        return Err(AppError::Conflict(format!(
            "Highlight report {number} of project {project} changed since you opened it (you had version \
             {version}; it is now at version {}). The page shows it as it is now: make your change again \
             if it is still needed",
            report.version
        )));
    }
    Ok((stored, report))
}

/// Replaces a report's draft. Published versions never change.
pub async fn edit_draft(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    project: &str,
    number: u32,
    from_version: Option<i64>,
    draft: HighlightDraft,
) -> Result<StoredHighlight> {
    let today = app.today();
    let mut tx = app.store().write().await?;
    let (_, report) = for_change(
        &mut tx,
        caller,
        partnership_id,
        project,
        number,
        from_version,
        Action::Update,
        today,
    )
    .await?;
    let mut changed = report.report.clone();
    changed.edit(draft)?;
    let saved = tx
        .update_highlight(&report, &changed, &caller.change())
        .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Publishes a report's draft as its next version, freezing with it the project's name,
/// savings and schedule as they stand today. Returns the report.
pub async fn publish(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    project: &str,
    number: u32,
    from_version: Option<i64>,
) -> Result<StoredHighlight> {
    let today = app.today();
    let mut tx = app.store().write().await?;
    let (stored, report) = for_change(
        &mut tx,
        caller,
        partnership_id,
        project,
        number,
        from_version,
        Action::Release,
        today,
    )
    .await?;
    let mut changed = report.report.clone();
    changed.publish(&stored.project, today)?;
    let saved = tx
        .update_highlight(&report, &changed, &caller.change())
        .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Saves a published version again. Accepted only when it is identical to the version
/// published, in which case nothing is written; any difference is refused, naming the field.
pub async fn resave_version(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    project: &str,
    number: u32,
    version: u32,
    record: SnapshotRecord<HighlightContent>,
) -> Result<StoredHighlight> {
    let today = app.today();
    let (_, report) = get(app, caller, partnership_id, project, number).await?;
    caller.check(Action::Update, &report.meta, today)?;
    if record.version != version {
        return Err(Invalid::field(
            "version",
            format!(
                "The body is version {}, the address version {version}",
                record.version
            ),
        )
        .into());
    }
    let mut unchanged = report.report.clone();
    unchanged.resave_version(record)?;
    Ok(report)
}
