//! The programme progress report (Appendix B): built now from every project the caller may
//! see, published as a frozen version, and its published versions.
//!
//! The report covers the whole programme, so it reads every project, with the few statements
//! a whole programme takes whatever its size.

use accord_domain::access::{Action, Area, Classification, RecordMeta};
use accord_domain::progress_report::{self, ProgressReport, TITLE};
use accord_domain::project::Project;
use accord_store::delivery::{ProgressListing, StoredProgress};
use chrono::NaiveDate;

use super::programme_meta;
use crate::list::{ListRequest, Listed, Start, keyset_page};
use crate::{App, AppError, Caller, Result};
use accord_domain::Invalid;

/// The report as at `on`, built now from the projects the caller may see.
pub async fn live(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    on: NaiveDate,
) -> Result<ProgressReport> {
    let today = app.today();
    caller.check(Action::Read, &programme_meta(partnership_id), today)?;
    let projects: Vec<Project> = app
        .store()
        .programme(partnership_id, &caller.scope(), today)
        .await?
        .into_iter()
        .map(|s| s.project)
        .collect();
    Ok(progress_report::build(TITLE, &projects, on))
}

/// Publishes the report as it stands today, from the projects the publisher may see, as the
/// next version, frozen. Returns it.
pub async fn publish(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    classification: Classification,
) -> Result<StoredProgress> {
    let today = app.today();
    let meta = RecordMeta {
        area: Area::Programme,
        partnership_id: Some(partnership_id),
        owner: None,
        classification,
        embargo: None,
    };
    caller.check(Action::Release, &meta, today)?;
    let mut tx = app.store().write().await?;
    let projects: Vec<Project> = tx
        .programme_for_report(partnership_id, &caller.scope(), today)
        .await?
        .into_iter()
        .map(|s| s.project)
        .collect();
    let version = tx.last_progress_version(partnership_id).await? + 1;
    let snapshot = progress_report::publish(
        progress_report::build(TITLE, &projects, today),
        version,
        today,
    )?;
    let stored = tx
        .insert_progress_report(&meta, &snapshot, &caller.change())
        .await?;
    tx.commit().await?;
    Ok(stored)
}

/// The published versions the caller may read, oldest first.
pub async fn versions(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
) -> Result<Vec<ProgressListing>> {
    let today = app.today();
    caller.check(Action::Read, &programme_meta(partnership_id), today)?;
    Ok(app
        .store()
        .progress_reports(partnership_id, &caller.scope(), today)
        .await?)
}

/// One page of the published versions the caller may read, by version, and how many there
/// are; a cursor names the last version of the page before.
pub async fn versions_page(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    request: &ListRequest,
) -> Result<Listed<ProgressListing>> {
    const LIST: &str = "progress-report-versions";
    let today = app.today();
    caller.check(Action::Read, &programme_meta(partnership_id), today)?;
    let after = match &request.start {
        Start::After(key) => key.parse::<u32>().map_err(|_| {
            Invalid::field(
                "cursor",
                "The cursor is not one this list gave: start again from the first page",
            )
        })?,
        Start::Page(_) => 0,
    };
    let scope = caller.scope();
    let store = app.store();
    let items = store
        .progress_reports_page(
            partnership_id,
            after,
            i64::from(request.limit) + 1,
            &scope,
            today,
        )
        .await?;
    let total = store
        .count_progress_reports(partnership_id, &scope, today)
        .await?;
    Ok(keyset_page(
        LIST,
        items,
        request,
        |v| v.version.to_string(),
        total,
    ))
}

/// A published version by its number, exactly as it was published.
pub async fn version(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    version: u32,
) -> Result<StoredProgress> {
    app.store()
        .progress_report(partnership_id, version, &caller.scope(), app.today())
        .await?
        .ok_or_else(|| AppError::not_found(format!("Version {version} of the progress report")))
}
