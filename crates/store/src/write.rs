//! Writing in one transaction: [`WriteTx`], the handle a use case holds while it loads what a
//! rule needs, asks the domain, and writes the change with its audit entry.
//!
//! [`crate::Store::write`] opens the transaction and takes the write lock first (every audited
//! change updates `audit_head`, so taking it first serialises writers on both databases and,
//! on SQLite, avoids a read lock that could not be upgraded). Everything read through the handle
//! is therefore current until it commits: a number allocated from `max(number) + 1` cannot be
//! allocated twice, and a version checked cannot change underneath. Dropping the handle without
//! [`WriteTx::commit`] rolls everything back.
//!
//! Each capability adds its reads and writes as a trait of its own (`RaidTx`, `RequestTx`,
//! `DeliveryTx`, …) that `WriteTx` extends, so a use case sees one handle and each capability's SQL stays in its own module.

use crate::delivery::DeliveryTx;
use crate::finance::FinanceTx;
use crate::finance::allocations::AllocationTx;
use crate::finance::business_cases::BusinessCaseTx;
use crate::finance::funding::FundingTx;
use crate::finance::savings::SavingTx;
use crate::gateway::GatewayTx;
use crate::governance::GovernanceTx;
use crate::raid::RaidTx;
use crate::records::StoredRecord;
use crate::requests::RequestTx;
use crate::{Result, StoreError};
use accord_domain::access::{Classification, RecordMeta};
use async_trait::async_trait;
use chrono::NaiveDate;

/// A write transaction. See the module's documentation.
#[async_trait]
pub trait WriteTx:
    RaidTx
    + RequestTx
    + DeliveryTx
    + GovernanceTx
    + GatewayTx
    + FinanceTx
    + BusinessCaseTx
    + AllocationTx
    + SavingTx
    + FundingTx
    + Send
{
    /// Makes every change of the transaction durable, with its audit entries.
    async fn commit(self: Box<Self>) -> Result<()>;
}

/// A write transaction on SQLite.
#[derive(Debug)]
pub struct SqliteWrite {
    pub(crate) tx: Locked<sqlx::Sqlite>,
}

/// A write transaction on PostgreSQL.
#[derive(Debug)]
pub struct PgWrite {
    pub(crate) tx: Locked<sqlx::Postgres>,
}

/// A write transaction holding this process's turn to write: the turn passes to the next
/// writer when the transaction commits or is dropped (rolled back).
#[derive(Debug)]
pub struct Locked<DB: sqlx::Database> {
    tx: sqlx::Transaction<'static, DB>,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl<DB: sqlx::Database> Locked<DB> {
    pub(crate) fn new(
        turn: tokio::sync::OwnedMutexGuard<()>,
        tx: sqlx::Transaction<'static, DB>,
    ) -> Self {
        Locked { tx, _turn: turn }
    }

    /// Commits the transaction; the turn passes on after.
    pub async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl<DB: sqlx::Database> std::ops::Deref for Locked<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for Locked<DB> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

#[async_trait]
impl WriteTx for SqliteWrite {
    async fn commit(self: Box<Self>) -> Result<()> {
        Ok(self.tx.commit().await?)
    }
}

#[async_trait]
impl WriteTx for PgWrite {
    async fn commit(self: Box<Self>) -> Result<()> {
        Ok(self.tx.commit().await?)
    }
}

/// The header of a typed record as written: what `records` keeps for every record (access,
/// title for lists of any kind and the audit trail, status and key date for the generic
/// listings), while the record's own fields live in its kind's table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Header<'a> {
    pub kind: &'a str,
    pub meta: &'a RecordMeta,
    pub parent_id: Option<i64>,
    pub reference: Option<&'a str>,
    pub title: &'a str,
    pub status: Option<&'a str>,
    pub key_date: Option<NaiveDate>,
}

impl Header<'_> {
    /// The record as the audit trail keeps it: the same shape as a record of the generic
    /// table, with the domain value as its body, so a record's history reads the same before
    /// and after it moved to a table of its own.
    pub(crate) fn snapshot(
        &self,
        id: i64,
        version: i64,
        at: (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
        body: serde_json::Value,
    ) -> StoredRecord {
        StoredRecord {
            id,
            kind: self.kind.to_owned(),
            reference: self.reference.map(str::to_owned),
            parent_id: self.parent_id,
            meta: self.meta.clone(),
            status: self.status.map(str::to_owned),
            key_date: self.key_date,
            title: self.title.trim().to_owned(),
            body,
            version,
            created_at: at.0,
            updated_at: at.1,
        }
    }
}

/// The audit JSON of a snapshot: personal data is never copied into the trail.
pub(crate) fn audit_json(record: &StoredRecord) -> Option<serde_json::Value> {
    let mut value = serde_json::to_value(record).ok()?;
    if record.meta.classification == Classification::Personal
        && let Some(object) = value.as_object_mut()
    {
        object.insert(
            "body".to_owned(),
            serde_json::json!({ "withheld": "personal data" }),
        );
    }
    Some(value)
}

/// The refusal for a change made from a version that is no longer current.
pub(crate) fn stale(what: &str, expected: i64, current: i64) -> StoreError {
    StoreError::Conflict(format!(
        "{what} changed since you opened it (you had version {expected}; it is now at version {current})"
    ))
}

/// The header SQL shared by every typed record, instantiated for each backend.
macro_rules! header_impl {
    ($store:path, $conn:ty) => {
        impl $store {
            /// Writes a new record header and returns its id and creation time.
            pub(crate) async fn insert_header(
                conn: &mut $conn,
                header: &$crate::write::Header<'_>,
                change: &$crate::Change,
            ) -> $crate::Result<i64> {
                let embargo = header.meta.embargo.as_ref();
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO records (kind, area, partnership_id, parent_id, owner_gss, classification, \
                     embargo_until, embargo_decision_id, release_class, status, key_date, title, body, version, \
                     created_at, updated_at, reference) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'null', 1, $13, $13, $14) RETURNING id",
                )
                .bind(header.kind)
                .bind($crate::records::area_slug(header.meta.area))
                .bind(header.meta.partnership_id)
                .bind(header.parent_id)
                .bind(header.meta.owner.as_ref().map(|o| o.as_str().to_owned()))
                .bind(header.meta.classification.slug())
                .bind(embargo.and_then(|e| e.until))
                .bind(embargo.and_then(|e| e.decision_id))
                .bind(embargo.map(|e| e.release_to.slug()))
                .bind(header.status)
                .bind(header.key_date)
                .bind(header.title.trim())
                .bind(change.at)
                .bind(header.reference)
                .fetch_one(&mut *conn)
                .await?;
                Ok(id)
            }

            /// Rewrites a record header from the version the change was made from: refused
            /// with [`$crate::StoreError::Conflict`] when someone else changed the record
            /// since. Returns the new version and the creation time.
            pub(crate) async fn update_header(
                conn: &mut $conn,
                id: i64,
                expected_version: i64,
                header: &$crate::write::Header<'_>,
                what: &str,
                change: &$crate::Change,
            ) -> $crate::Result<(i64, chrono::DateTime<chrono::Utc>)> {
                let embargo = header.meta.embargo.as_ref();
                let updated: Option<(i64, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
                    "UPDATE records SET area = $1, partnership_id = $2, parent_id = $3, owner_gss = $4, \
                     classification = $5, embargo_until = $6, embargo_decision_id = $7, release_class = $8, \
                     status = $9, key_date = $10, title = $11, version = version + 1, updated_at = $12, reference = $16 \
                     WHERE id = $13 AND kind = $14 AND version = $15 RETURNING version, created_at",
                )
                .bind($crate::records::area_slug(header.meta.area))
                .bind(header.meta.partnership_id)
                .bind(header.parent_id)
                .bind(header.meta.owner.as_ref().map(|o| o.as_str().to_owned()))
                .bind(header.meta.classification.slug())
                .bind(embargo.and_then(|e| e.until))
                .bind(embargo.and_then(|e| e.decision_id))
                .bind(embargo.map(|e| e.release_to.slug()))
                .bind(header.status)
                .bind(header.key_date)
                .bind(header.title.trim())
                .bind(change.at)
                .bind(id)
                .bind(header.kind)
                .bind(expected_version)
                .bind(header.reference)
                .fetch_optional(&mut *conn)
                .await?;
                if let Some(done) = updated {
                    return Ok(done);
                }
                let current: Option<(i64,)> =
                    sqlx::query_as("SELECT version FROM records WHERE id = $1 AND kind = $2")
                        .bind(id)
                        .bind(header.kind)
                        .fetch_optional(&mut *conn)
                        .await?;
                Err(match current {
                    Some((current,)) => $crate::write::stale(what, expected_version, current),
                    None => $crate::StoreError::NotFound(what.to_owned()),
                })
            }

            /// Deletes a record (its typed row goes with it) read at `expected_version`:
            /// refused with [`$crate::StoreError::Conflict`] when someone changed it since.
            pub(crate) async fn delete_header(
                conn: &mut $conn,
                id: i64,
                expected_version: i64,
                kind: &str,
                what: &str,
            ) -> $crate::Result<()> {
                let deleted = sqlx::query("DELETE FROM records WHERE id = $1 AND kind = $2 AND version = $3")
                    .bind(id)
                    .bind(kind)
                    .bind(expected_version)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                if deleted == 1 {
                    return Ok(());
                }
                let current: Option<(i64,)> =
                    sqlx::query_as("SELECT version FROM records WHERE id = $1 AND kind = $2")
                        .bind(id)
                        .bind(kind)
                        .fetch_optional(&mut *conn)
                        .await?;
                Err(match current {
                    Some((current,)) => $crate::write::stale(what, expected_version, current),
                    None => $crate::StoreError::NotFound(what.to_owned()),
                })
            }

            /// Appends the audit entry of a typed record's change.
            pub(crate) async fn audit_record(
                conn: &mut $conn,
                change: &$crate::Change,
                action: accord_domain::audit::AuditAction,
                before: Option<&$crate::records::StoredRecord>,
                after: Option<&$crate::records::StoredRecord>,
            ) -> $crate::Result<()> {
                let Some(record) = after.or(before) else {
                    return Ok(());
                };
                Self::audit(
                    conn,
                    change,
                    action,
                    &record.kind,
                    &record.id.to_string(),
                    record.meta.partnership_id,
                    before.and_then($crate::write::audit_json),
                    after.and_then($crate::write::audit_json),
                )
                .await
            }
        }
    };
}

header_impl!(crate::SqliteStore, sqlx::SqliteConnection);
header_impl!(crate::PgStore, sqlx::PgConnection);
