//! External funding: one row per award and one per tranche. Lists are filtered, paged and
//! counted in SQL, and what has been awarded, confirmed, drawn and spent is summed there, per
//! award and for the partnership.

use super::{
    BUSINESS_CASE_KIND, FORMER_FUNDING_AWARD_KIND, FUNDING_AWARD_KIND, HEADER_COLUMNS, HeaderRow,
    Page, Stored, dropped_link, limit_sql, page_sql, slug, unique_number,
};
use crate::backend::{Bind, bind_all};
use crate::raid::contains_pattern;
use crate::scope::visible;
use crate::write::{Header, PgWrite, SqliteWrite};
use crate::{Change, PgStore, Result, SqliteStore, StoreError};
use accord_domain::access::{ReadScope, RecordMeta};
use accord_domain::audit::AuditAction;
use accord_domain::finance::FinanceKind;
use accord_domain::finance::funding::{ConditionStatus, FundingAward, Summary, Tranche};
use accord_domain::{FinancialYear, Money};
use async_trait::async_trait;
use chrono::NaiveDate;
use std::collections::HashMap;

/// Whether an award's money is all confirmed or partly subject to a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundingStatus {
    /// Nothing awaits a condition.
    Confirmed,
    /// Some tranche awaits the funder's judgement of its condition.
    Conditional,
}

impl FundingStatus {
    /// The status of an award.
    pub fn of(award: &FundingAward) -> Self {
        if award.summary().conditional > Money::ZERO {
            FundingStatus::Conditional
        } else {
            FundingStatus::Confirmed
        }
    }

    /// The stored name.
    pub fn slug(self) -> &'static str {
        match self {
            FundingStatus::Confirmed => "confirmed",
            FundingStatus::Conditional => "conditional",
        }
    }
}

/// Which awards to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FundingFilter {
    /// Only awards whose name, funder or reference contains this, in any case.
    pub text: Option<String>,
    /// Only awards with this status.
    pub status: Option<FundingStatus>,
}

/// Reading funding awards.
#[async_trait]
pub trait FundingStore: Send + Sync {
    /// A page of the awards matching `filter` that `scope` may read on `today`, with their
    /// tranches.
    async fn funding_awards(
        &self,
        partnership_id: i64,
        filter: &FundingFilter,
        page: &Page,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<Stored<FundingAward>>>;

    /// How many awards match `filter` for `scope`.
    async fn count_funding_awards(
        &self,
        partnership_id: i64,
        filter: &FundingFilter,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<i64>;

    /// The totals of the awards matching `filter`: one per award (by record id) and, under
    /// `None`, all of them together.
    async fn funding_totals(
        &self,
        partnership_id: i64,
        filter: &FundingFilter,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<(Option<i64>, Summary)>>;

    /// One award by its number, if `scope` may read it.
    async fn funding_award(
        &self,
        partnership_id: i64,
        number: u32,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<Stored<FundingAward>>>;
}

/// Changing funding awards and their tranches, inside a [`crate::WriteTx`].
#[async_trait]
pub trait FundingTx: Send {
    /// An award by number, to change it.
    async fn funding_award_for_change(
        &mut self,
        partnership_id: i64,
        number: u32,
    ) -> Result<Option<Stored<FundingAward>>>;

    /// Writes a new award with its tranches, numbered after the partnership's last, with its
    /// audit entry.
    async fn insert_funding_award(
        &mut self,
        meta: &RecordMeta,
        award: &FundingAward,
        change: &Change,
    ) -> Result<Stored<FundingAward>>;

    /// Writes a changed award (its tranches replaced) from the version `from` was read at.
    async fn update_funding_award(
        &mut self,
        from: &Stored<FundingAward>,
        meta: &RecordMeta,
        award: &FundingAward,
        change: &Change,
    ) -> Result<Stored<FundingAward>>;

    /// Deletes an award read at `from`'s version, with its tranches and its audit entry.
    async fn delete_funding_award(
        &mut self,
        from: &Stored<FundingAward>,
        change: &Change,
    ) -> Result<()>;
}

const COLUMNS: &str = "d.record_id, d.partnership_id, d.number, d.name, d.funder, d.purpose, d.business_case_id, d.source";

#[derive(Debug, sqlx::FromRow)]
struct AwardRow {
    record_id: i64,
    partnership_id: i64,
    number: i32,
    name: String,
    funder: String,
    purpose: String,
    business_case_id: Option<i64>,
    source: Option<String>,
    #[sqlx(flatten)]
    header: HeaderRow,
}

#[derive(Debug, sqlx::FromRow)]
struct TrancheRow {
    award_id: i64,
    financial_year: i32,
    awarded: i64,
    condition: Option<String>,
    condition_status: String,
    drawn: Option<i64>,
    spent: Option<i64>,
}

impl TrancheRow {
    fn decode(self) -> std::result::Result<Tranche, String> {
        Ok(Tranche {
            financial_year: FinancialYear::starting(self.financial_year)
                .map_err(|e| e.to_string())?,
            awarded: Money::from_pence(self.awarded),
            condition: self.condition,
            condition_status: slug::<ConditionStatus>(&self.condition_status)?,
            drawn: self.drawn.map(Money::from_pence),
            spent: self.spent.map(Money::from_pence),
        })
    }
}

impl AwardRow {
    fn into_stored(self, tranches: Vec<Tranche>) -> Result<Stored<FundingAward>> {
        let id = self.record_id;
        let value = FundingAward {
            name: self.name,
            funder: self.funder,
            purpose: self.purpose,
            business_case_record_id: self.business_case_id,
            tranches,
            source: self.source,
        };
        self.header
            .stored(self.record_id, self.partnership_id, self.number, value)
            .map_err(|e| StoreError::Corrupt(format!("funding award record {id}: {e}")))
    }
}

fn header<'a>(meta: &'a RecordMeta, award: &'a FundingAward, reference: &'a str) -> Header<'a> {
    Header {
        kind: FUNDING_AWARD_KIND,
        meta,
        parent_id: None,
        reference: Some(reference),
        title: &award.name,
        status: Some(FundingStatus::of(award).slug()),
        key_date: award
            .tranches
            .iter()
            .map(|t| t.financial_year.start())
            .min(),
    }
}

fn body(award: &FundingAward) -> serde_json::Value {
    serde_json::to_value(award).unwrap_or(serde_json::Value::Null)
}

fn filter_where(filter: &FundingFilter, binds: &mut Vec<Bind>) -> String {
    let mut conditions = vec!["1 = 1".to_owned()];
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        binds.push(Bind::Text(contains_pattern(text)));
        let p = format!("${}", binds.len());
        conditions.push(format!(
            "(d.name_search LIKE {p} ESCAPE '\\' OR d.funder_search LIKE {p} ESCAPE '\\' OR lower(d.reference) LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(status) = filter.status {
        binds.push(Bind::Text(status.slug().to_owned()));
        conditions.push(format!("d.status = ${}", binds.len()));
    }
    conditions.join(" AND ")
}

#[derive(Debug, sqlx::FromRow)]
struct SummaryRow {
    award_id: Option<i64>,
    awarded: i64,
    confirmed: i64,
    conditional: i64,
    withdrawn: i64,
    drawn: i64,
    spent: i64,
    drawn_unstated: i64,
    spent_unstated: i64,
}

impl SummaryRow {
    fn summary(&self) -> Summary {
        let m = Money::from_pence;
        Summary {
            awarded: m(self.awarded),
            confirmed: m(self.confirmed),
            conditional: m(self.conditional),
            withdrawn: m(self.withdrawn),
            drawn: m(self.drawn),
            spent: m(self.spent),
            undrawn: m(self.confirmed) - m(self.drawn),
            unspent: m(self.drawn) - m(self.spent),
            drawn_not_stated: self.drawn_unstated > 0,
            spent_not_stated: self.spent_unstated > 0,
        }
    }
}

/// The sums of a summary over tranches `t`.
const SUMS: &str = "CAST(COALESCE(SUM(t.awarded), 0) AS BIGINT) AS awarded, \
     CAST(COALESCE(SUM(CASE WHEN t.condition_status IN ('none', 'met') THEN t.awarded ELSE 0 END), 0) AS BIGINT) AS confirmed, \
     CAST(COALESCE(SUM(CASE WHEN t.condition_status = 'pending' THEN t.awarded ELSE 0 END), 0) AS BIGINT) AS conditional, \
     CAST(COALESCE(SUM(CASE WHEN t.condition_status = 'not_met' THEN t.awarded ELSE 0 END), 0) AS BIGINT) AS withdrawn, \
     CAST(COALESCE(SUM(COALESCE(t.drawn, 0)), 0) AS BIGINT) AS drawn, \
     CAST(COALESCE(SUM(COALESCE(t.spent, 0)), 0) AS BIGINT) AS spent, \
     CAST(COALESCE(SUM(CASE WHEN t.drawn IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS drawn_unstated, \
     CAST(COALESCE(SUM(CASE WHEN t.spent IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS spent_unstated";

macro_rules! funding_impl {
    ($store:ident, $write:ident, $conn:ty) => {
        impl $store {
            async fn load_awards(conn: &mut $conn, condition: &str, binds: Vec<Bind>) -> Result<Vec<Stored<FundingAward>>> {
                let sql = format!(
                    "SELECT {COLUMNS}, {HEADER_COLUMNS} FROM funding_awards d JOIN records r ON r.id = d.record_id WHERE {condition}"
                );
                let rows: Vec<AwardRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                let mut tranches: HashMap<i64, Vec<Tranche>> = HashMap::new();
                if !rows.is_empty() {
                    // Record ids are integers read from the database: safe to splice.
                    let list = rows.iter().map(|r| r.record_id.to_string()).collect::<Vec<_>>().join(", ");
                    let found: Vec<TrancheRow> = sqlx::query_as(&format!(
                        "SELECT award_id, financial_year, awarded, condition, condition_status, drawn, spent \
                         FROM funding_tranches WHERE award_id IN ({list}) ORDER BY award_id, position"
                    ))
                    .fetch_all(&mut *conn)
                    .await?;
                    for t in found {
                        let id = t.award_id;
                        let tranche = t
                            .decode()
                            .map_err(|e| StoreError::Corrupt(format!("funding award record {id}: {e}")))?;
                        tranches.entry(id).or_default().push(tranche);
                    }
                }
                rows.into_iter()
                    .map(|r| {
                        let t = tranches.remove(&r.record_id).unwrap_or_default();
                        r.into_stored(t)
                    })
                    .collect()
            }

            async fn write_award_rows(
                conn: &mut $conn,
                record_id: i64,
                partnership_id: i64,
                number: u32,
                award: &FundingAward,
                replace: bool,
            ) -> Result<()> {
                if replace {
                    sqlx::query("DELETE FROM funding_awards WHERE record_id = $1")
                        .bind(record_id)
                        .execute(&mut *conn)
                        .await?;
                }
                let reference = FinanceKind::FundingAward.reference(number);
                sqlx::query(
                    "INSERT INTO funding_awards (record_id, partnership_id, number, reference, name, name_search, funder, \
                     funder_search, purpose, business_case_id, status, source) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(record_id)
                .bind(partnership_id)
                .bind(i64::from(number))
                .bind(&reference)
                .bind(award.name.trim())
                .bind(award.name.trim().to_lowercase())
                .bind(award.funder.trim())
                .bind(award.funder.trim().to_lowercase())
                .bind(&award.purpose)
                .bind(award.business_case_record_id)
                .bind(FundingStatus::of(award).slug())
                .bind(&award.source)
                .execute(&mut *conn)
                .await
                .map_err(|e| unique_number(e, &reference))?;
                for (position, t) in award.tranches.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO funding_tranches (award_id, position, financial_year, awarded, condition, \
                         condition_status, drawn, spent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(record_id)
                    .bind(i64::try_from(position).unwrap_or(i64::MAX))
                    .bind(i64::from(t.financial_year.start_year()))
                    .bind(t.awarded.pence())
                    .bind(&t.condition)
                    .bind(t.condition_status.slug())
                    .bind(t.drawn.map(Money::pence))
                    .bind(t.spent.map(Money::pence))
                    .execute(&mut *conn)
                    .await?;
                }
                Ok(())
            }

            /// Moves the funding of the generic table (kind `grant` in earlier releases) into
            /// `funding_awards` and `funding_tranches`; the records take the kind
            /// `funding_award`. Their audit entries keep the kind they were written under.
            pub(crate) async fn upgrade_funding_awards(conn: &mut $conn) -> Result<u64> {
                let rows: Vec<(i64, Option<i64>, String)> = sqlx::query_as(
                    "SELECT id, partnership_id, body FROM records WHERE kind IN ($1, $2) AND body <> 'null' ORDER BY id",
                )
                .bind(FORMER_FUNDING_AWARD_KIND)
                .bind(FUNDING_AWARD_KIND)
                .fetch_all(&mut *conn)
                .await?;
                let mut numbers: HashMap<i64, u32> = HashMap::new();
                for (id, partnership_id, body) in &rows {
                    let corrupt = |e: String| StoreError::Corrupt(format!("funding record {id}: {e}"));
                    let partnership_id = partnership_id.ok_or_else(|| corrupt("it belongs to no partnership".into()))?;
                    let mut award: FundingAward = serde_json::from_str(body).map_err(|e| corrupt(e.to_string()))?;
                    if let Some(case) = award.business_case_record_id
                        && Self::title_of(conn, partnership_id, BUSINESS_CASE_KIND, case).await?.is_none()
                    {
                        dropped_link(FUNDING_AWARD_KIND, *id, "business_case_record_id", case);
                        award.business_case_record_id = None;
                    }
                    let number = numbers.entry(partnership_id).or_insert(0);
                    *number += 1;
                    sqlx::query("UPDATE records SET kind = $3, body = 'null', reference = $2 WHERE id = $1")
                        .bind(id)
                        .bind(FinanceKind::FundingAward.reference(*number))
                        .bind(FUNDING_AWARD_KIND)
                        .execute(&mut *conn)
                        .await?;
                    Self::write_award_rows(conn, *id, partnership_id, *number, &award, false).await?;
                }
                Ok(rows.len() as u64)
            }
        }

        #[async_trait]
        impl FundingStore for $store {
            async fn funding_awards(
                &self,
                partnership_id: i64,
                filter: &FundingFilter,
                page: &Page,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<Stored<FundingAward>>> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let mut condition = format!(
                    "d.partnership_id = $1 AND {} AND {}",
                    filter_where(filter, &mut binds),
                    visible(scope, today, "r")
                );
                let (after, order) = page_sql(page, "name", &mut binds);
                condition.push_str(&after);
                condition.push_str(&format!(" ORDER BY {order}{}", limit_sql(page)));
                let mut conn = self.pool.acquire().await?;
                Self::load_awards(&mut conn, &condition, binds).await
            }

            async fn count_funding_awards(
                &self,
                partnership_id: i64,
                filter: &FundingFilter,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<i64> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let sql = format!(
                    "SELECT COUNT(*) FROM funding_awards d JOIN records r ON r.id = d.record_id \
                     WHERE d.partnership_id = $1 AND {} AND {}",
                    filter_where(filter, &mut binds),
                    visible(scope, today, "r")
                );
                let (count,): (i64,) = bind_all!(sqlx::query_as(&sql), binds).fetch_one(&self.pool).await?;
                Ok(count)
            }

            async fn funding_totals(
                &self,
                partnership_id: i64,
                filter: &FundingFilter,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<(Option<i64>, Summary)>> {
                let mut out = Vec::new();
                for per_award in [true, false] {
                    let mut binds = vec![Bind::Int(partnership_id)];
                    let (select, group) = if per_award {
                        ("t.award_id", " GROUP BY t.award_id ORDER BY t.award_id")
                    } else {
                        ("CAST(NULL AS BIGINT)", "")
                    };
                    let sql = format!(
                        "SELECT {select} AS award_id, {SUMS} FROM funding_tranches t \
                         JOIN funding_awards d ON d.record_id = t.award_id JOIN records r ON r.id = d.record_id \
                         WHERE d.partnership_id = $1 AND {} AND {}{group}",
                        filter_where(filter, &mut binds),
                        visible(scope, today, "r")
                    );
                    let rows: Vec<SummaryRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&self.pool).await?;
                    out.extend(rows.iter().map(|r| (r.award_id, r.summary())));
                }
                Ok(out)
            }

            async fn funding_award(
                &self,
                partnership_id: i64,
                number: u32,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<Stored<FundingAward>>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.partnership_id = $1 AND d.number = $2 AND {}", visible(scope, today, "r"));
                Ok(Self::load_awards(&mut conn, &condition, vec![Bind::Int(partnership_id), Bind::Int(i64::from(number))])
                    .await?
                    .pop())
            }
        }

        #[async_trait]
        impl FundingTx for $write {
            async fn funding_award_for_change(
                &mut self,
                partnership_id: i64,
                number: u32,
            ) -> Result<Option<Stored<FundingAward>>> {
                Ok($store::load_awards(
                    &mut self.tx,
                    "d.partnership_id = $1 AND d.number = $2",
                    vec![Bind::Int(partnership_id), Bind::Int(i64::from(number))],
                )
                .await?
                .pop())
            }

            async fn insert_funding_award(
                &mut self,
                meta: &RecordMeta,
                award: &FundingAward,
                change: &Change,
            ) -> Result<Stored<FundingAward>> {
                let partnership_id = meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "A funding award belongs to a partnership")
                })?;
                let number = $store::next_number(&mut self.tx, "funding_awards", partnership_id).await?;
                let reference = FinanceKind::FundingAward.reference(number);
                let header = header(meta, award, &reference);
                let id = $store::insert_header(&mut self.tx, &header, change).await?;
                $store::write_award_rows(&mut self.tx, id, partnership_id, number, award, false).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), body(award));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(Stored {
                    record_id: id,
                    number,
                    version: 1,
                    meta: meta.clone(),
                    created_at: change.at,
                    updated_at: change.at,
                    value: award.clone(),
                })
            }

            async fn update_funding_award(
                &mut self,
                from: &Stored<FundingAward>,
                meta: &RecordMeta,
                award: &FundingAward,
                change: &Change,
            ) -> Result<Stored<FundingAward>> {
                let partnership_id = from.meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "A funding award belongs to a partnership")
                })?;
                let reference = FinanceKind::FundingAward.reference(from.number);
                let before_header = header(&from.meta, &from.value, &reference);
                let after_header = header(meta, award, &reference);
                let (version, created_at) =
                    $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &format!("Funding award {reference}"), change).await?;
                $store::write_award_rows(&mut self.tx, from.record_id, partnership_id, from.number, award, true).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created_at, from.updated_at), body(&from.value));
                let after = after_header.snapshot(from.record_id, version, (created_at, change.at), body(award));
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                Ok(Stored {
                    record_id: from.record_id,
                    number: from.number,
                    version,
                    meta: meta.clone(),
                    created_at,
                    updated_at: change.at,
                    value: award.clone(),
                })
            }

            async fn delete_funding_award(&mut self, from: &Stored<FundingAward>, change: &Change) -> Result<()> {
                let reference = FinanceKind::FundingAward.reference(from.number);
                $store::delete_header(&mut self.tx, from.record_id, from.version, FUNDING_AWARD_KIND, &format!("Funding award {reference}")).await?;
                let before = header(&from.meta, &from.value, &reference).snapshot(
                    from.record_id,
                    from.version,
                    (from.created_at, from.updated_at),
                    body(&from.value),
                );
                $store::audit_record(&mut self.tx, change, AuditAction::Delete, Some(&before), None).await
            }
        }
    };
}

funding_impl!(SqliteStore, SqliteWrite, sqlx::SqliteConnection);
funding_impl!(PgStore, PgWrite, sqlx::PgConnection);
