//! Delivery (Schedule 2 and Appendix B): projects through their stages, with their phases,
//! milestones and Cabinet gates; the tolerance exceptions escalated to the Programme Board;
//! highlight reports; the programme progress report, the timeline and the calendar feed.
//!
//! A project is addressed by its reference (`P-7`), allocated when it is planned, inside the
//! transaction that writes it, so planners working at once never share one. Every change is
//! made from the version the caller read; a stale one is a conflict. A change that leaves a
//! date beyond the project's tolerance escalates it in the same transaction.

use std::collections::HashMap;

use accord_domain::access::{Area, Classification, RecordMeta};
use accord_domain::project::Project;
use accord_store::RecordQuery;

use crate::{App, Caller, Result};

pub mod calendar;
pub mod escalations;
pub mod highlight_reports;
pub mod progress_report;
pub mod projects;
pub mod timeline;

pub use accord_store::delivery::{
    ESCALATION_KIND, HIGHLIGHT_KIND, PROGRESS_KIND, PROJECT_KIND, ProgressListing, ProjectOrder,
    ProjectSummary, StoredEscalation, StoredHighlight, StoredProgress,
};

/// A project as its reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectEntry {
    /// The record's id (its history, escalations and reports are filed under it).
    pub record_id: i64,
    /// The version a change must name.
    pub version: i64,
    /// Who may see and change it.
    pub meta: RecordMeta,
    /// Its class today (an embargo whose date has come counts as released).
    pub classification: Classification,
    /// Its number in the partnership: `P-7` is number 7.
    pub number: u32,
    /// The project, its `id` the record's.
    pub project: Project,
}

impl ProjectEntry {
    pub(crate) fn of(
        stored: accord_store::delivery::StoredProject,
        today: chrono::NaiveDate,
    ) -> Self {
        ProjectEntry {
            record_id: stored.record_id,
            version: stored.version,
            classification: stored.meta.effective_classification(today),
            meta: stored.meta,
            number: stored.number,
            project: stored.project,
        }
    }

    /// Its reference: `P-7`.
    pub fn reference(&self) -> String {
        accord_domain::project::reference(self.number)
    }
}

/// What reading the programme is checked against: the partnership's programme area, which
/// every reader of the partnership may see (each record is then filtered by its own class).
pub(crate) fn programme_meta(partnership_id: i64) -> RecordMeta {
    RecordMeta::published(Area::Programme, Some(partnership_id))
}

/// The names of the partnership's projects the caller may see, by record id, for lists and
/// messages that name projects (a project's record title is its name, so no project is decoded).
pub async fn project_names(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
) -> Result<HashMap<i64, String>> {
    Ok(app
        .store()
        .records_raw(
            &RecordQuery::of(accord_store::delivery::PROJECT_KIND, partnership_id),
            &caller.scope(),
            app.today(),
        )
        .await?
        .into_iter()
        .map(|(record, _)| (record.id, record.title))
        .collect())
}

/// The tolerance exceptions escalated to the boards that the caller may see, which go on the
/// receiving boards' agendas.
pub async fn escalations(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
) -> Result<Vec<accord_domain::board::EscalationNotice>> {
    Ok(escalations::of_partnership(app, caller, partnership_id)
        .await?
        .into_iter()
        .map(|e| e.notice)
        .collect())
}
