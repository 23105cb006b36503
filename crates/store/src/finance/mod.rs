//! Finance's tables: business cases, allocations, the savings ledger and external funding
//! awards with their tranches (migration 0230). Lists are filtered, sorted, paged and counted
//! in SQL with the reader's scope in the same `WHERE`; the ledger's running totals are window
//! sums and its totals by council and year are `GROUP BY` sums. Each record is numbered in its
//! partnership (`BC-3`, `AL-2`, `SV-12`, `FA-1`) inside the writing transaction.
//!
//! Business cases and allocations hold the engines' inputs and results (an appraisal, each
//! method's split) as JSON, which the application layer reads with the engines' own types; the
//! columns beside them are what lists show, filter and sort by.

pub mod allocations;
pub mod business_cases;
pub mod funding;
pub mod savings;

use crate::Result;
use crate::records::meta_from_columns;
use crate::write::{PgWrite, SqliteWrite};
use accord_domain::access::RecordMeta;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

/// The kind of a business case's record.
pub const BUSINESS_CASE_KIND: &str = "business_case";
/// The kind of an allocation's record.
pub const ALLOCATION_KIND: &str = "allocation";
/// The kind of a savings ledger line's record.
pub const SAVING_KIND: &str = "saving";
/// The kind of a funding award's record.
pub const FUNDING_AWARD_KIND: &str = "funding_award";
/// The kind funding awards had in earlier releases (their audit entries keep it).
pub const FORMER_FUNDING_AWARD_KIND: &str = "grant";
/// The kind of the records a ledger line may depend on.
pub const PROJECT_KIND: &str = "project";
/// The kind of the records a business case may appraise.
pub const OPPORTUNITY_KIND: &str = "opportunity";

/// A finance record as stored, with what its reader and a later change need.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored<T> {
    /// The record's id (its history and audit entries are filed under it).
    pub record_id: i64,
    /// Its number in the partnership: the `3` of `BC-3`.
    pub number: u32,
    /// Increases with every change; a change names the version it was made from.
    pub version: i64,
    /// Who may see and change it.
    pub meta: RecordMeta,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The record itself.
    pub value: T,
}

/// How a finance list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// By number: the order the records were made in.
    #[default]
    Number,
    /// By name (title), then number.
    Name,
}

/// Which page of a finance list to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// The order.
    pub order: Order,
    /// Only records after this one in the order: its name (for [`Order::Name`]) and number. A
    /// keyset cursor, so a deep page costs what the first does.
    pub after: Option<(String, u32)>,
    /// Skip this many (for pages addressed by their number).
    pub offset: i64,
    /// At most this many.
    pub limit: i64,
}

/// Finds the records a finance record may name, inside a [`crate::WriteTx`]: a use case checks
/// that a link points at a record of the right kind in the same partnership before writing
/// (the foreign keys are the backstop), so the refusal can name the field.
#[async_trait]
pub trait FinanceTx: Send {
    /// The title of the record `id` if it is a record of `kind` in the partnership.
    async fn linked_record(
        &mut self,
        partnership_id: i64,
        kind: &str,
        id: i64,
    ) -> Result<Option<String>>;
}

/// The header columns every finance row reads beside its own, from `records r`.
pub(crate) const HEADER_COLUMNS: &str = "r.area, r.owner_gss, r.classification, r.embargo_until, \
     r.embargo_decision_id, r.release_class, r.version, r.created_at, r.updated_at";

/// The header columns of a finance row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct HeaderRow {
    pub area: String,
    pub owner_gss: Option<String>,
    pub classification: String,
    pub embargo_until: Option<NaiveDate>,
    pub embargo_decision_id: Option<i64>,
    pub release_class: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl HeaderRow {
    /// The stored record around `value`.
    pub(crate) fn stored<T>(
        self,
        record_id: i64,
        partnership_id: i64,
        number: i32,
        value: T,
    ) -> std::result::Result<Stored<T>, String> {
        let meta = meta_from_columns(
            &self.area,
            Some(partnership_id),
            self.owner_gss.as_deref(),
            &self.classification,
            self.embargo_until,
            self.embargo_decision_id,
            self.release_class.as_deref(),
        )?;
        Ok(Stored {
            record_id,
            number: u32::try_from(number).map_err(|_| format!("number {number} is negative"))?,
            version: self.version,
            meta,
            created_at: self.created_at,
            updated_at: self.updated_at,
            value,
        })
    }
}

/// Reads a stored slug (`"outline"`) as the domain type it names.
pub(crate) fn slug<T: serde::de::DeserializeOwned>(text: &str) -> std::result::Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| format!("“{text}” is not a known value"))
}

/// The ORDER BY and keyset condition of a page over alias `d` with a text column `name`, with
/// the keyset's binds pushed after those already in `binds`.
pub(crate) fn page_sql(
    page: &Page,
    name: &str,
    binds: &mut Vec<crate::backend::Bind>,
) -> (String, String) {
    use crate::backend::Bind;
    match page.order {
        Order::Number => {
            let after = match &page.after {
                Some((_, number)) => {
                    binds.push(Bind::Int(i64::from(*number)));
                    format!(" AND d.number > ${}", binds.len())
                }
                None => String::new(),
            };
            (after, "d.number".to_owned())
        }
        Order::Name => {
            let after = match &page.after {
                Some((text, number)) => {
                    binds.push(Bind::Text(text.clone()));
                    binds.push(Bind::Int(i64::from(*number)));
                    format!(
                        " AND (d.{name}, d.number) > (${}, ${})",
                        binds.len() - 1,
                        binds.len()
                    )
                }
                None => String::new(),
            };
            (after, format!("d.{name}, d.number"))
        }
    }
}

/// `LIMIT … OFFSET …` of a page, bounded.
pub(crate) fn limit_sql(page: &Page) -> String {
    format!(
        " LIMIT {} OFFSET {}",
        page.limit.clamp(1, 10_000),
        page.offset.max(0)
    )
}

/// A unique violation on a record's number: the rules gave a number the partnership already
/// holds. Cannot happen while writers are serialised; the constraint is the backstop.
pub(crate) fn unique_number(error: sqlx::Error, what: &str) -> crate::StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => crate::StoreError::Conflict(
            format!("{what} is already taken in this partnership; make the change again"),
        ),
        _ => crate::StoreError::Database(error),
    }
}

macro_rules! finance_impl {
    ($store:ident, $write:ident, $conn:ty) => {
        impl crate::$store {
            /// The highest number of `table` in the partnership, read inside the writing
            /// transaction (which holds the write lock) so the next one is never given twice.
            pub(crate) async fn next_number(
                conn: &mut $conn,
                table: &str,
                partnership_id: i64,
            ) -> Result<u32> {
                // `table` is one of this crate's table names, never input.
                let sql = format!(
                    "SELECT CAST(MAX(number) AS BIGINT) FROM {table} WHERE partnership_id = $1"
                );
                let (last,): (Option<i64>,) = sqlx::query_as(&sql)
                    .bind(partnership_id)
                    .fetch_one(&mut *conn)
                    .await?;
                let last = u32::try_from(last.unwrap_or(0)).unwrap_or(u32::MAX);
                last.checked_add(1).ok_or_else(|| {
                    crate::StoreError::Corrupt(format!(
                        "{table} of partnership {partnership_id} has run out of numbers"
                    ))
                })
            }

            /// Whether `id` is a record of `kind` in the partnership, and its title.
            pub(crate) async fn title_of(
                conn: &mut $conn,
                partnership_id: i64,
                kind: &str,
                id: i64,
            ) -> Result<Option<String>> {
                let row: Option<(String,)> = sqlx::query_as(
                    "SELECT title FROM records WHERE id = $1 AND kind = $2 AND partnership_id = $3",
                )
                .bind(id)
                .bind(kind)
                .bind(partnership_id)
                .fetch_optional(&mut *conn)
                .await?;
                Ok(row.map(|(t,)| t))
            }

            /// Moves every finance record of an earlier release from the generic table into
            /// the finance tables: run once, when an instance of an earlier release upgrades.
            pub(crate) async fn upgrade_finance(conn: &mut $conn) -> Result<u64> {
                let mut moved = Self::upgrade_business_cases(conn).await?;
                moved += Self::upgrade_allocations(conn).await?;
                moved += Self::upgrade_savings(conn).await?;
                moved += Self::upgrade_funding_awards(conn).await?;
                Ok(moved)
            }
        }

        #[async_trait]
        impl FinanceTx for $write {
            async fn linked_record(
                &mut self,
                partnership_id: i64,
                kind: &str,
                id: i64,
            ) -> Result<Option<String>> {
                crate::$store::title_of(&mut self.tx, partnership_id, kind, id).await
            }
        }
    };
}

finance_impl!(PgStore, PgWrite, sqlx::PgConnection);
finance_impl!(SqliteStore, SqliteWrite, sqlx::SqliteConnection);

/// A link an earlier release kept to a record that is not there (or not of its kind in its
/// partnership): the move drops it, as the foreign key now requires, and says so in the log.
pub(crate) fn dropped_link(kind: &str, id: i64, what: &str, target: i64) {
    tracing::warn!(
        record = id,
        kind,
        what,
        target,
        "a link to a record that does not exist in the partnership was dropped while moving to the finance tables"
    );
}
