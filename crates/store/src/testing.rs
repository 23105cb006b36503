//! Support for tests in every crate: a fresh database per test, on SQLite always and on
//! PostgreSQL when `ACCORD_TEST_DATABASE_URL` names a server.

pub mod legacy;

use crate::{Result, Store, connect};
use sqlx::Connection;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable naming the PostgreSQL server tests may use.
pub const TEST_DATABASE_URL: &str = "ACCORD_TEST_DATABASE_URL";

/// Set (to anything) to make tests fail when no PostgreSQL server is configured.
pub const REQUIRE_POSTGRES: &str = "ACCORD_REQUIRE_POSTGRES";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A URL for a new, empty SQLite database file in `dir`.
pub fn sqlite_url(dir: &std::path::Path) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "sqlite:{}",
        dir.join(format!("accord-test-{n}.db")).display()
    )
}

/// Creates a new, empty database on the server named by `server_url` and returns its URL.
/// Each call gets its own database, so tests running in parallel never see each other's data.
pub async fn postgres_url(server_url: &str) -> Result<String> {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = chrono::Utc::now().timestamp_subsec_nanos();
    let name = format!("accord_test_{}_{n}_{nanos}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(server_url).await?;
    // The name is built from digits and a fixed prefix above, so it is safe to splice.
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server_url, String::new()),
    };
    let base = match base.rfind('/') {
        Some(slash) if slash > base.find("://").map_or(0, |i| i + 2) => &base[..slash],
        _ => base,
    };
    Ok(format!("{base}/{name}{query}"))
}

/// The backends to run a test against: SQLite always, PostgreSQL when configured. Each
/// entry is a label for messages and a fresh store.
pub async fn stores(dir: &std::path::Path) -> Result<Vec<(&'static str, Arc<dyn Store>)>> {
    let mut stores = vec![("sqlite", connect(&sqlite_url(dir)).await?)];
    match std::env::var(TEST_DATABASE_URL) {
        Ok(server) if !server.trim().is_empty() => {
            stores.push(("postgres", connect(&postgres_url(&server).await?).await?));
        }
        // CI sets ACCORD_REQUIRE_POSTGRES so a run that silently skipped PostgreSQL fails.
        _ => assert!(
            std::env::var_os(REQUIRE_POSTGRES).is_none(),
            "{REQUIRE_POSTGRES} is set but {TEST_DATABASE_URL} is not: the PostgreSQL backend would go untested"
        ),
    }
    Ok(stores)
}
