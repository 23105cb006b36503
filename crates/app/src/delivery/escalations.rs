//! Tolerance exceptions escalated to the Programme Board: escalating one project's, the
//! server's sweep over every project, and reading them for the receiving board's agenda.
//!
//! Each item of a project is escalated once, ever: the escalations already written are read
//! inside the writing transaction (which holds the write lock), and the database refuses a
//! second row for the same item. So two sweeps running at once escalate each exception once.

use accord_domain::access::Action;
use accord_store::delivery::{StoredEscalation, StoredProject};
use accord_store::{Change, WriteTx};
use chrono::NaiveDate;

use super::programme_meta;
use crate::{App, AppError, Caller, Result};

/// Escalates, inside `tx`, every exception of `project` on `today` not escalated yet. Returns
/// how many were.
pub(crate) async fn escalate_in(
    tx: &mut Box<dyn WriteTx>,
    project: &StoredProject,
    today: NaiveDate,
    change: &Change,
) -> Result<usize> {
    let escalated = tx.escalated_items(project.record_id).await?;
    let notices = project.project.new_escalations(&escalated, today);
    for notice in &notices {
        tx.insert_escalation(project, notice, change).await?;
    }
    Ok(notices.len())
}

/// Escalates to the Programme Board every tolerance exception of one project not escalated
/// yet, dated today, in one transaction. Returns how many were escalated.
pub async fn escalate(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
) -> Result<usize> {
    let today = app.today();
    let not_found = || AppError::not_found(format!("Project {reference}"));
    let number = accord_domain::project::parse_reference(reference).ok_or_else(not_found)?;
    let mut tx = app.store().write().await?;
    let project = tx
        .project_for_change(partnership_id, number)
        .await?
        .filter(|p| caller.scope().permits(&p.meta, today))
        .ok_or_else(not_found)?;
    caller.check(Action::Update, &project.meta, today)?;
    let count = escalate_in(&mut tx, &project, today, &caller.change()).await?;
    tx.commit().await?;
    Ok(count)
}

/// Escalates every project's new tolerance exceptions, in every partnership, dated today: a
/// date can pass without anyone touching its project, and its exception must still reach the
/// Programme Board. The server's sweep runs it as Accord itself. It reads only the projects the
/// database finds with a date beyond tolerance, and writes in one transaction. Returns how many
/// were escalated.
pub async fn escalate_all(app: &App, caller: &Caller) -> Result<usize> {
    let today = app.today();
    let change = caller.change();
    let mut tx = app.store().write().await?;
    let ids = tx.projects_beyond_tolerance(None, today).await?;
    let projects = tx.projects_for_change(&ids).await?;
    let mut count = 0;
    for project in &projects {
        caller.check(Action::Update, &project.meta, today)?;
        count += escalate_in(&mut tx, project, today, &change).await?;
    }
    tx.commit().await?;
    Ok(count)
}

/// The partnership's escalated exceptions the caller may read, oldest first: items for the
/// receiving boards' agendas.
pub async fn of_partnership(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
) -> Result<Vec<StoredEscalation>> {
    let today = app.today();
    caller.check(Action::Read, &programme_meta(partnership_id), today)?;
    Ok(app
        .store()
        .escalations(partnership_id, &caller.scope(), today)
        .await?)
}

/// One project's escalated exceptions the caller may read.
pub async fn of_project(
    app: &App,
    caller: &Caller,
    project_record_id: i64,
) -> Result<Vec<StoredEscalation>> {
    Ok(app
        .store()
        .project_escalations(project_record_id, &caller.scope(), app.today())
        .await?)
}
