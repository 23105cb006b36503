//! The service's own state, for the operators who run it: whether it can answer, and how its
//! database connections are doing.

use accord_store::Backend;
pub use accord_store::PoolStats;

use crate::{App, Result};

/// What a readiness check found: the database answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    /// The audit trail's head, read to prove the database answers a query.
    pub audit_head: i64,
}

/// Asks the database a question (the audit trail's head): an error means the service cannot
/// serve, whatever the process itself says.
pub async fn ready(app: &App) -> Result<Readiness> {
    let (audit_head, _) = app.store().audit_head().await?;
    Ok(Readiness {
        database: database(app),
        audit_head,
    })
}

/// The connection pool now.
pub fn pool(app: &App) -> PoolStats {
    app.store().pool_stats()
}

/// Which database the store runs on, as operators name it.
pub fn database(app: &App) -> &'static str {
    match app.store().backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}
