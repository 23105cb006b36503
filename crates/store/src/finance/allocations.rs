//! Allocations of a cost or benefit between councils: one row each, with the councils split
//! between, filtered, sorted and paged in SQL.

use super::{
    ALLOCATION_KIND, BUSINESS_CASE_KIND, HEADER_COLUMNS, HeaderRow, Page, Stored, dropped_link,
    limit_sql, page_sql, slug, unique_number,
};
use crate::backend::{Bind, bind_all};
use crate::raid::contains_pattern;
use crate::scope::visible;
use crate::write::{Header, PgWrite, SqliteWrite};
use crate::{Change, PgStore, Result, SqliteStore, StoreError};
use accord_domain::GssCode;
use accord_domain::access::{ReadScope, RecordMeta};
use accord_domain::audit::AuditAction;
use accord_domain::finance::{Driver, FinanceKind};
use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::types::Json;
use std::collections::HashMap;

/// What the core check of an allocation found, when it was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CoreStatus {
    /// No split leaves every coalition better off than on its own.
    CoreEmpty,
    /// Some split does.
    CoreNotEmpty,
    /// Not computed.
    NotComputed,
}

impl CoreStatus {
    /// The stored name.
    pub fn slug(self) -> &'static str {
        match self {
            CoreStatus::CoreEmpty => "core-empty",
            CoreStatus::CoreNotEmpty => "core-not-empty",
            CoreStatus::NotComputed => "not-computed",
        }
    }
}

/// An allocation as the store keeps it: the columns lists show and filter by, what was
/// entered and what the engine computed (JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct AllocationRecord {
    /// What is being split.
    pub title: String,
    /// The business case the costs come from.
    pub business_case_record_id: Option<i64>,
    /// The councils, in order, those joining later included.
    pub councils: Vec<GssCode>,
    /// The councils that join later.
    pub joining: Vec<GssCode>,
    /// What proportional shares follow.
    pub driver: Driver,
    /// What the core check found.
    pub status: CoreStatus,
    /// What is illustrative.
    pub illustrative: Option<String>,
    /// Where the figures come from.
    pub source: Option<String>,
    /// What was entered beside the councils and driver: `cost` or `model`, `drivers`,
    /// `split`, as an object.
    pub inputs: serde_json::Value,
    /// The driver figures used.
    pub driver_used: Option<serde_json::Value>,
    /// Each method's split, the core check and the comparison when councils join.
    pub result: Option<serde_json::Value>,
}

impl AllocationRecord {
    /// The record as the audit trail keeps it (the shape of the generic record's body).
    pub fn body(&self) -> serde_json::Value {
        let mut body = serde_json::Map::new();
        body.insert("title".into(), self.title.clone().into());
        if let Some(id) = self.business_case_record_id {
            body.insert("business_case_record_id".into(), id.into());
        }
        let codes =
            |c: &[GssCode]| serde_json::Value::Array(c.iter().map(|g| g.as_str().into()).collect());
        body.insert("councils".into(), codes(&self.councils));
        if !self.joining.is_empty() {
            body.insert("joining".into(), codes(&self.joining));
        }
        body.insert("driver".into(), self.driver.slug().into());
        if let serde_json::Value::Object(inputs) = &self.inputs {
            for (k, v) in inputs {
                body.insert(k.clone(), v.clone());
            }
        }
        for (key, value) in [
            ("illustrative", self.illustrative.clone().map(Into::into)),
            ("source", self.source.clone().map(Into::into)),
            ("driver_used", self.driver_used.clone()),
            ("result", self.result.clone()),
        ] {
            if let Some(v) = value {
                body.insert(key.into(), v);
            }
        }
        serde_json::Value::Object(body)
    }
}

/// Which allocations to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllocationFilter {
    /// Only allocations between this council and others.
    pub council: Option<GssCode>,
    /// Only allocations whose title or reference contains this, in any case.
    pub text: Option<String>,
}

/// Reading allocations.
#[async_trait]
pub trait AllocationStore: Send + Sync {
    /// A page of the allocations matching `filter` that `scope` may read on `today`.
    async fn allocations(
        &self,
        partnership_id: i64,
        filter: &AllocationFilter,
        page: &Page,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<Stored<AllocationRecord>>>;

    /// How many allocations match `filter` for `scope`.
    async fn count_allocations(
        &self,
        partnership_id: i64,
        filter: &AllocationFilter,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<i64>;

    /// One allocation by its number, if `scope` may read it.
    async fn allocation(
        &self,
        partnership_id: i64,
        number: u32,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<Stored<AllocationRecord>>>;
}

/// Changing allocations, inside a [`crate::WriteTx`].
#[async_trait]
pub trait AllocationTx: Send {
    /// An allocation by number, to change it.
    async fn allocation_for_change(
        &mut self,
        partnership_id: i64,
        number: u32,
    ) -> Result<Option<Stored<AllocationRecord>>>;

    /// Writes a new allocation, numbered after the partnership's last, with its audit entry.
    async fn insert_allocation(
        &mut self,
        meta: &RecordMeta,
        allocation: &AllocationRecord,
        change: &Change,
    ) -> Result<Stored<AllocationRecord>>;

    /// Writes a changed allocation from the version `from` was read at, with its audit entry.
    async fn update_allocation(
        &mut self,
        from: &Stored<AllocationRecord>,
        meta: &RecordMeta,
        allocation: &AllocationRecord,
        change: &Change,
    ) -> Result<Stored<AllocationRecord>>;

    /// Deletes an allocation read at `from`'s version, with its audit entry.
    async fn delete_allocation(
        &mut self,
        from: &Stored<AllocationRecord>,
        change: &Change,
    ) -> Result<()>;
}

const COLUMNS: &str = "d.record_id, d.partnership_id, d.number, d.title, d.business_case_id, d.driver, d.status, \
     d.illustrative, d.source, d.inputs, d.driver_used, d.result";

#[derive(Debug, sqlx::FromRow)]
struct AllocationRow {
    record_id: i64,
    partnership_id: i64,
    number: i32,
    title: String,
    business_case_id: Option<i64>,
    driver: String,
    status: String,
    illustrative: Option<String>,
    source: Option<String>,
    inputs: Json<serde_json::Value>,
    driver_used: Option<Json<serde_json::Value>>,
    result: Option<Json<serde_json::Value>>,
    #[sqlx(flatten)]
    header: HeaderRow,
}

/// An allocation's councils: every council in order, and those that join later.
type Councils = (Vec<GssCode>, Vec<GssCode>);

impl AllocationRow {
    fn into_stored(self, councils: Councils) -> Result<Stored<AllocationRecord>> {
        let id = self.record_id;
        self.decode(councils)
            .map_err(|e| StoreError::Corrupt(format!("allocation record {id}: {e}")))
    }

    fn decode(
        self,
        (councils, joining): Councils,
    ) -> std::result::Result<Stored<AllocationRecord>, String> {
        let value = AllocationRecord {
            title: self.title,
            business_case_record_id: self.business_case_id,
            councils,
            joining,
            driver: slug(&self.driver)?,
            status: slug(&self.status)?,
            illustrative: self.illustrative,
            source: self.source,
            inputs: self.inputs.0,
            driver_used: self.driver_used.map(|j| j.0),
            result: self.result.map(|j| j.0),
        };
        self.header
            .stored(self.record_id, self.partnership_id, self.number, value)
    }
}

fn header<'a>(
    meta: &'a RecordMeta,
    allocation: &'a AllocationRecord,
    reference: &'a str,
) -> Header<'a> {
    Header {
        kind: ALLOCATION_KIND,
        meta,
        parent_id: None,
        reference: Some(reference),
        title: &allocation.title,
        status: Some(allocation.status.slug()),
        key_date: None,
    }
}

fn filter_where(filter: &AllocationFilter, binds: &mut Vec<Bind>) -> String {
    let mut conditions = vec!["1 = 1".to_owned()];
    if let Some(council) = &filter.council {
        binds.push(Bind::Text(council.as_str().to_owned()));
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM allocation_councils c WHERE c.record_id = d.record_id AND c.council_gss = ${})",
            binds.len()
        ));
    }
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        binds.push(Bind::Text(contains_pattern(text)));
        let p = format!("${}", binds.len());
        conditions.push(format!(
            "(d.title_search LIKE {p} ESCAPE '\\' OR lower(d.reference) LIKE {p} ESCAPE '\\')"
        ));
    }
    conditions.join(" AND ")
}

/// What an earlier release kept as an allocation's body.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EarlierAllocation {
    title: String,
    #[serde(default)]
    business_case_record_id: Option<i64>,
    councils: Vec<String>,
    #[serde(default)]
    joining: Vec<String>,
    #[serde(default)]
    cost: Option<serde_json::Value>,
    #[serde(default)]
    model: Option<serde_json::Value>,
    driver: Driver,
    #[serde(default)]
    drivers: Option<serde_json::Value>,
    #[serde(default)]
    split: Option<serde_json::Value>,
    #[serde(default)]
    illustrative: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    driver_used: Option<serde_json::Value>,
    #[serde(default)]
    result: Option<serde_json::Value>,
}

/// The inputs object of an allocation from its parts.
pub fn inputs_of(
    cost: Option<serde_json::Value>,
    model: Option<serde_json::Value>,
    drivers: Option<serde_json::Value>,
    split: Option<serde_json::Value>,
) -> serde_json::Value {
    let mut inputs = serde_json::Map::new();
    for (key, value) in [
        ("cost", cost),
        ("model", model),
        ("drivers", drivers),
        ("split", split),
    ] {
        if let Some(v) = value.filter(|v| !v.is_null()) {
            inputs.insert(key.into(), v);
        }
    }
    serde_json::Value::Object(inputs)
}

/// The core check's verdict in a result (`result.core.empty`).
pub fn core_status(result: Option<&serde_json::Value>) -> CoreStatus {
    match result
        .and_then(|r| r.get("core"))
        .and_then(|c| c.get("empty"))
        .and_then(serde_json::Value::as_bool)
    {
        Some(true) => CoreStatus::CoreEmpty,
        Some(false) => CoreStatus::CoreNotEmpty,
        None => CoreStatus::NotComputed,
    }
}

impl AllocationRecord {
    /// An allocation as an earlier release kept it in the generic table (its JSON body). The
    /// business case it names is not checked here: the data move checks it against the
    /// database.
    pub fn from_earlier(body: &str) -> std::result::Result<Self, String> {
        let old: EarlierAllocation = serde_json::from_str(body).map_err(|e| e.to_string())?;
        let codes = |list: &[String]| -> std::result::Result<Vec<GssCode>, String> {
            let mut out = Vec::new();
            for c in list {
                let code = GssCode::parse("council", c).map_err(|e| e.to_string())?;
                if !out.contains(&code) {
                    out.push(code);
                }
            }
            Ok(out)
        };
        let councils = codes(&old.councils)?;
        let joining: Vec<GssCode> = codes(&old.joining)?
            .into_iter()
            .filter(|c| councils.contains(c))
            .collect();
        Ok(AllocationRecord {
            title: old.title,
            business_case_record_id: old.business_case_record_id,
            councils,
            joining,
            driver: old.driver,
            status: core_status(old.result.as_ref()),
            illustrative: old.illustrative,
            source: old.source,
            inputs: inputs_of(old.cost, old.model, old.drivers, old.split),
            driver_used: old.driver_used,
            result: old.result,
        })
    }
}

macro_rules! allocation_impl {
    ($store:ident, $write:ident, $conn:ty) => {
        impl $store {
            async fn load_allocations(conn: &mut $conn, condition: &str, binds: Vec<Bind>) -> Result<Vec<Stored<AllocationRecord>>> {
                let sql = format!(
                    "SELECT {COLUMNS}, {HEADER_COLUMNS} FROM allocations d JOIN records r ON r.id = d.record_id WHERE {condition}"
                );
                let rows: Vec<AllocationRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                let mut councils = Self::allocation_councils(conn, &rows.iter().map(|r| r.record_id).collect::<Vec<_>>()).await?;
                rows.into_iter()
                    .map(|r| {
                        let c = councils.remove(&r.record_id).unwrap_or_default();
                        r.into_stored(c)
                    })
                    .collect()
            }

            async fn allocation_councils(conn: &mut $conn, ids: &[i64]) -> Result<HashMap<i64, Councils>> {
                let mut out: HashMap<i64, Councils> = HashMap::new();
                if ids.is_empty() {
                    return Ok(out);
                }
                // Record ids are integers read from the database: safe to splice.
                let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
                let rows: Vec<(i64, String, bool)> = sqlx::query_as(&format!(
                    "SELECT record_id, council_gss, joining FROM allocation_councils WHERE record_id IN ({list}) ORDER BY record_id, position"
                ))
                .fetch_all(&mut *conn)
                .await?;
                for (id, code, joining) in rows {
                    let code = GssCode::parse("council", &code)
                        .map_err(|e| StoreError::Corrupt(format!("allocation record {id}: {e}")))?;
                    let entry = out.entry(id).or_default();
                    if joining {
                        entry.1.push(code.clone());
                    }
                    entry.0.push(code);
                }
                Ok(out)
            }

            async fn write_allocation_row(
                conn: &mut $conn,
                record_id: i64,
                partnership_id: i64,
                number: u32,
                allocation: &AllocationRecord,
                replace: bool,
            ) -> Result<()> {
                if replace {
                    sqlx::query("DELETE FROM allocations WHERE record_id = $1")
                        .bind(record_id)
                        .execute(&mut *conn)
                        .await?;
                }
                let reference = FinanceKind::Allocation.reference(number);
                sqlx::query(
                    "INSERT INTO allocations (record_id, partnership_id, number, reference, title, title_search, \
                     business_case_id, driver, status, illustrative, source, inputs, driver_used, result) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                )
                .bind(record_id)
                .bind(partnership_id)
                .bind(i64::from(number))
                .bind(&reference)
                .bind(allocation.title.trim())
                .bind(allocation.title.trim().to_lowercase())
                .bind(allocation.business_case_record_id)
                .bind(allocation.driver.slug())
                .bind(allocation.status.slug())
                .bind(&allocation.illustrative)
                .bind(&allocation.source)
                .bind(Json(&allocation.inputs))
                .bind(allocation.driver_used.as_ref().map(Json))
                .bind(allocation.result.as_ref().map(Json))
                .execute(&mut *conn)
                .await
                .map_err(|e| unique_number(e, &reference))?;
                for (position, council) in allocation.councils.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO allocation_councils (record_id, position, council_gss, joining) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(record_id)
                    .bind(i64::try_from(position).unwrap_or(i64::MAX))
                    .bind(council.as_str())
                    .bind(allocation.joining.contains(council))
                    .execute(&mut *conn)
                    .await?;
                }
                Ok(())
            }

            /// Moves the allocations of the generic table into `allocations`.
            pub(crate) async fn upgrade_allocations(conn: &mut $conn) -> Result<u64> {
                let rows: Vec<(i64, Option<i64>, String)> = sqlx::query_as(
                    "SELECT id, partnership_id, body FROM records WHERE kind = $1 AND body <> 'null' ORDER BY id",
                )
                .bind(ALLOCATION_KIND)
                .fetch_all(&mut *conn)
                .await?;
                let mut numbers: HashMap<i64, u32> = HashMap::new();
                for (id, partnership_id, body) in &rows {
                    let corrupt = |e: String| StoreError::Corrupt(format!("allocation record {id}: {e}"));
                    let partnership_id = partnership_id.ok_or_else(|| corrupt("it belongs to no partnership".into()))?;
                    let mut record = AllocationRecord::from_earlier(body).map_err(corrupt)?;
                    if let Some(b) = record.business_case_record_id
                        && Self::title_of(conn, partnership_id, BUSINESS_CASE_KIND, b).await?.is_none()
                    {
                        dropped_link(ALLOCATION_KIND, *id, "business_case_record_id", b);
                        record.business_case_record_id = None;
                    }
                    let number = numbers.entry(partnership_id).or_insert(0);
                    *number += 1;
                    Self::write_allocation_row(conn, *id, partnership_id, *number, &record, false).await?;
                    sqlx::query("UPDATE records SET body = 'null', reference = $2 WHERE id = $1")
                        .bind(id)
                        .bind(FinanceKind::Allocation.reference(*number))
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(rows.len() as u64)
            }
        }

        #[async_trait]
        impl AllocationStore for $store {
            async fn allocations(
                &self,
                partnership_id: i64,
                filter: &AllocationFilter,
                page: &Page,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<Stored<AllocationRecord>>> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let mut condition = format!(
                    "d.partnership_id = $1 AND {} AND {}",
                    filter_where(filter, &mut binds),
                    visible(scope, today, "r")
                );
                let (after, order) = page_sql(page, "title", &mut binds);
                condition.push_str(&after);
                condition.push_str(&format!(" ORDER BY {order}{}", limit_sql(page)));
                let mut conn = self.pool.acquire().await?;
                Self::load_allocations(&mut conn, &condition, binds).await
            }

            async fn count_allocations(
                &self,
                partnership_id: i64,
                filter: &AllocationFilter,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<i64> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let sql = format!(
                    "SELECT COUNT(*) FROM allocations d JOIN records r ON r.id = d.record_id \
                     WHERE d.partnership_id = $1 AND {} AND {}",
                    filter_where(filter, &mut binds),
                    visible(scope, today, "r")
                );
                let (count,): (i64,) = bind_all!(sqlx::query_as(&sql), binds).fetch_one(&self.pool).await?;
                Ok(count)
            }

            async fn allocation(
                &self,
                partnership_id: i64,
                number: u32,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<Stored<AllocationRecord>>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.partnership_id = $1 AND d.number = $2 AND {}", visible(scope, today, "r"));
                Ok(Self::load_allocations(&mut conn, &condition, vec![Bind::Int(partnership_id), Bind::Int(i64::from(number))])
                    .await?
                    .pop())
            }
        }

        #[async_trait]
        impl AllocationTx for $write {
            async fn allocation_for_change(
                &mut self,
                partnership_id: i64,
                number: u32,
            ) -> Result<Option<Stored<AllocationRecord>>> {
                Ok($store::load_allocations(
                    &mut self.tx,
                    "d.partnership_id = $1 AND d.number = $2",
                    vec![Bind::Int(partnership_id), Bind::Int(i64::from(number))],
                )
                .await?
                .pop())
            }

            async fn insert_allocation(
                &mut self,
                meta: &RecordMeta,
                allocation: &AllocationRecord,
                change: &Change,
            ) -> Result<Stored<AllocationRecord>> {
                let partnership_id = meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "An allocation belongs to a partnership")
                })?;
                let number = $store::next_number(&mut self.tx, "allocations", partnership_id).await?;
                let reference = FinanceKind::Allocation.reference(number);
                let header = header(meta, allocation, &reference);
                let id = $store::insert_header(&mut self.tx, &header, change).await?;
                $store::write_allocation_row(&mut self.tx, id, partnership_id, number, allocation, false).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), allocation.body());
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(Stored {
                    record_id: id,
                    number,
                    version: 1,
                    meta: meta.clone(),
                    created_at: change.at,
                    updated_at: change.at,
                    value: allocation.clone(),
                })
            }

            async fn update_allocation(
                &mut self,
                from: &Stored<AllocationRecord>,
                meta: &RecordMeta,
                allocation: &AllocationRecord,
                change: &Change,
            ) -> Result<Stored<AllocationRecord>> {
                let partnership_id = from.meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "An allocation belongs to a partnership")
                })?;
                let reference = FinanceKind::Allocation.reference(from.number);
                let before_header = header(&from.meta, &from.value, &reference);
                let after_header = header(meta, allocation, &reference);
                let (version, created_at) =
                    $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &format!("Allocation {reference}"), change).await?;
                $store::write_allocation_row(&mut self.tx, from.record_id, partnership_id, from.number, allocation, true).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created_at, from.updated_at), from.value.body());
                let after = after_header.snapshot(from.record_id, version, (created_at, change.at), allocation.body());
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                Ok(Stored {
                    record_id: from.record_id,
                    number: from.number,
                    version,
                    meta: meta.clone(),
                    created_at,
                    updated_at: change.at,
                    value: allocation.clone(),
                })
            }

            async fn delete_allocation(&mut self, from: &Stored<AllocationRecord>, change: &Change) -> Result<()> {
                let reference = FinanceKind::Allocation.reference(from.number);
                $store::delete_header(&mut self.tx, from.record_id, from.version, ALLOCATION_KIND, &format!("Allocation {reference}")).await?;
                let before = header(&from.meta, &from.value, &reference).snapshot(
                    from.record_id,
                    from.version,
                    (from.created_at, from.updated_at),
                    from.value.body(),
                );
                $store::audit_record(&mut self.tx, change, AuditAction::Delete, Some(&before), None).await
            }
        }
    };
}

allocation_impl!(SqliteStore, SqliteWrite, sqlx::SqliteConnection);
allocation_impl!(PgStore, PgWrite, sqlx::PgConnection);
