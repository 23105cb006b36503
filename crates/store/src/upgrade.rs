//! Upgrading a database on connect: the SQL migrations, with the data moves that SQL alone
//! cannot make run between them.
//!
//! When a kind of record moves from the generic `records` table (its value as JSON text) to a
//! table of its own, the migration that creates the table is followed by a data move that
//! decodes each record with Accord's own types and writes its row. Each move runs once, in one
//! transaction with the note that it ran (`data_upgrades`), after its migration and before any
//! later one (a later migration may drop what the move reads). A database made by any earlier
//! release therefore upgrades in order, and a new one runs each move over nothing.
//!
//! Moves rewrite storage, not records: they add no audit entries, and a record's history, its
//! version and the audit chain stay exactly as they were.

use std::borrow::Cow;

use sqlx::migrate::Migrator;

/// A data move: its name, and the migration it follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DataMove {
    /// Recorded in `data_upgrades` when done.
    pub name: &'static str,
    /// The version of the migration that makes room for it.
    pub after: i64,
}

/// Every data move, in order.
pub(crate) const DATA_MOVES: &[DataMove] = &[
    DataMove {
        name: "raid_items",
        after: 200,
    },
    DataMove {
        name: "requests",
        after: 210,
    },
    DataMove {
        name: "gateway",
        after: 220,
    },
    DataMove {
        name: "finance",
        after: 230,
    },
    DataMove {
        name: "delivery",
        after: 240,
    },
    DataMove {
        name: "governance",
        after: 250,
    },
];

/// The migrations of `all` up to and including `version` (every one, for `None`), as a migrator
/// that accepts a database already further on.
pub(crate) fn up_to(all: &Migrator, version: Option<i64>) -> Migrator {
    let migrations: Vec<_> = all
        .migrations
        .iter()
        .filter(|m| version.is_none_or(|v| m.version <= v))
        .cloned()
        .collect();
    Migrator {
        migrations: Cow::Owned(migrations),
        ignore_missing: true,
        ..Migrator::DEFAULT
    }
}

macro_rules! upgrade_impl {
    ($store:ident, $pool:ty, $conn:ty) => {
        impl $crate::$store {
            /// Applies every migration and data move the database lacks, in order.
            pub(crate) async fn upgrade(pool: &$pool, all: &Migrator) -> $crate::Result<()> {
                for step in DATA_MOVES {
                    up_to(all, Some(step.after)).run(pool).await?;
                    let mut tx = pool.begin().await?;
                    // Take the write lock first, as every writer does, so two servers starting
                    // together run a move once.
                    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
                        .execute(&mut *tx)
                        .await?;
                    let done: Option<(String,)> =
                        sqlx::query_as("SELECT name FROM data_upgrades WHERE name = $1")
                            .bind(step.name)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if done.is_none() {
                        let moved = Self::run_move(&mut tx, step.name).await?;
                        sqlx::query("INSERT INTO data_upgrades (name, applied_at) VALUES ($1, $2)")
                            .bind(step.name)
                            .bind(chrono::Utc::now())
                            .execute(&mut *tx)
                            .await?;
                        if moved > 0 {
                            tracing::info!(
                                step = step.name,
                                records = moved,
                                "moved records to their own table"
                            );
                        }
                    }
                    tx.commit().await?;
                }
                up_to(all, None).run(pool).await?;
                Ok(())
            }

            async fn run_move(conn: &mut $conn, name: &str) -> $crate::Result<u64> {
                match name {
                    "raid_items" => Self::upgrade_raid_items(conn).await,
                    "requests" => Self::upgrade_requests(conn).await,
                    "finance" => Self::upgrade_finance(conn).await,
                    "governance" => Self::upgrade_governance(conn).await,
                    "gateway" => Self::upgrade_gateway(conn).await,
                    "delivery" => Self::upgrade_delivery(conn).await,
                    other => Err($crate::StoreError::Corrupt(format!(
                        "no data move is called {other}"
                    ))),
                }
            }
        }
    };
}

upgrade_impl!(SqliteStore, sqlx::SqlitePool, sqlx::SqliteConnection);
upgrade_impl!(PgStore, sqlx::PgPool, sqlx::PgConnection);
