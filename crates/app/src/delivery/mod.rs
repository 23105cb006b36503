//! Delivery (Schedule 2): projects through their stages, milestones and the reports on them.

use std::collections::HashMap;

use accord_store::RecordQuery;

use crate::{App, Caller, Result};

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
            &RecordQuery::of("project", partnership_id),
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
    app.store()
        .records_raw(
            &RecordQuery::of("escalation", partnership_id),
            &caller.scope(),
            app.today(),
        )
        .await?
        .into_iter()
        .map(|(record, body)| Ok(record.decode_text(&body)?))
        .collect()
}
