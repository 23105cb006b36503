//! The programme timeline (Gantt): every project's stages, phases and milestones, baseline
//! against forecast, read with the few statements a whole programme takes.

use accord_domain::access::Action;
use accord_domain::project::{Project, Timeline, timeline as build};
use chrono::NaiveDate;

use super::programme_meta;
use crate::{App, Caller, Result};

/// The timeline of the projects the caller may see, drawn for `on`.
pub async fn timeline(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    on: NaiveDate,
) -> Result<Timeline> {
    let today = app.today();
    caller.check(Action::Read, &programme_meta(partnership_id), today)?;
    let projects: Vec<Project> = app
        .store()
        .programme(partnership_id, &caller.scope(), today)
        .await?
        .into_iter()
        .map(|s| s.project)
        .collect();
    Ok(build(&projects, on))
}
