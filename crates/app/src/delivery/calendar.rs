//! The partnership's calendar feed (iCalendar, RFC 5545): board meetings, every dated project
//! item and the MOU reviews the caller may see. Agendas and paper titles are never in it:
//! papers may be embargoed, and a feed is read outside Accord's access control.

use accord_domain::access::Action;
use accord_domain::board::Board;
use accord_domain::calendar::{partnership_calendar, write};
use accord_domain::project::Project;
use chrono::NaiveDateTime;

use super::programme_meta;
use crate::{App, Caller, Result};

/// The feed as iCalendar text, stamped `stamp` (UTC).
pub async fn feed(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    stamp: NaiveDateTime,
) -> Result<String> {
    let today = app.today();
    caller.check(Action::Read, &programme_meta(partnership_id), today)?;
    let partnership = crate::partnership::get(app, partnership_id).await?;
    let scope = caller.scope();
    let boards: Vec<Board> = crate::governance::boards::boards(app, caller, partnership_id)
        .await?
        .into_iter()
        .map(|b| b.board)
        .collect();
    let projects: Vec<Project> = app
        .store()
        .programme(partnership_id, &scope, today)
        .await?
        .into_iter()
        .map(|s| s.project)
        .collect();
    let reviews = match app.store().mou(partnership_id).await? {
        Some(mou) => match mou.starts() {
            Some(start) => mou.reviews_between(start, mou.clock(today).ends),
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    let calendar = partnership_calendar(
        partnership_id,
        &partnership.name,
        &boards,
        &projects,
        &reviews,
        today,
    );
    Ok(write(&calendar, stamp)?)
}
