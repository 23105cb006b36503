//! Statistics per council per quarter of receipt, in the government's FOI statistics
//! categories: counted by the database, assembled by the domain's own rule.

use accord_domain::access::Action;
use accord_domain::request::{QuarterStatistics, statistics_counted};

use super::register_meta;
use crate::{App, Caller, Result};

/// The statistics of the partnership's requests the caller may read. The database counts the
/// requests that share a council, regime, quarter, outcome and timeliness (`GROUP BY`); the
/// domain turns the counts into the statistics (leaving subject access requests out).
pub async fn statistics(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
) -> Result<Vec<QuarterStatistics>> {
    let today = app.today();
    caller.check(
        Action::Read,
        &register_meta(partnership_id, caller, Action::Read),
        today,
    )?;
    let groups = app
        .store()
        .request_statistics(partnership_id, &caller.scope(), today)
        .await?;
    Ok(statistics_counted(
        groups.iter().map(|g| (&g.record, g.count)),
    ))
}
