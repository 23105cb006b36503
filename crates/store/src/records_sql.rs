//! The SQL of [`RecordStore`], instantiated for each backend.

use crate::backend::{Bind, bind_all};
use crate::records::{
    DECISION_KIND, DECISION_MADE, RecordInput, RecordOrder, RecordQuery, RecordStore, RecordWrite,
    StoredRecord, area_slug, meta_from_columns,
};
use crate::scope::visible;
use crate::{Change, PgStore, Result, SqliteStore, StoreError};
use accord_domain::Invalid;
use accord_domain::access::{Classification, ReadScope};
use accord_domain::audit::AuditAction;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

const RECORD_COLUMNS: &str = "r.id, r.kind, r.area, r.partnership_id, r.parent_id, r.owner_gss, r.classification, \
     r.embargo_until, r.embargo_decision_id, r.release_class, r.status, r.key_date, r.title, r.body, r.version, \
     r.created_at, r.updated_at, r.reference";

#[derive(Debug, sqlx::FromRow)]
struct RecordRow {
    id: i64,
    kind: String,
    area: String,
    partnership_id: Option<i64>,
    parent_id: Option<i64>,
    owner_gss: Option<String>,
    classification: String,
    embargo_until: Option<NaiveDate>,
    embargo_decision_id: Option<i64>,
    release_class: Option<String>,
    status: Option<String>,
    key_date: Option<NaiveDate>,
    title: String,
    body: String,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    reference: Option<String>,
}

/// Validates a batch of records, naming each refused one by its place in the batch.
fn validate_all(inputs: &[RecordInput]) -> Result<()> {
    let mut invalid = Invalid::new();
    for (i, input) in inputs.iter().enumerate() {
        if let Err(e) = input.validate() {
            invalid.extend(e.within(&format!("records[{i}].")));
        }
    }
    Ok(invalid.into_result()?)
}

impl RecordRow {
    /// The record with its body left as the stored JSON text, returned beside it.
    fn into_raw(mut self) -> Result<(StoredRecord, String)> {
        let body = std::mem::replace(&mut self.body, "null".to_owned());
        Ok((self.into_record()?, body))
    }

    fn into_record(self) -> Result<StoredRecord> {
        let meta = meta_from_columns(
            &self.area,
            self.partnership_id,
            self.owner_gss.as_deref(),
            &self.classification,
            self.embargo_until,
            self.embargo_decision_id,
            self.release_class.as_deref(),
        )
        .map_err(|e| StoreError::Corrupt(format!("record {}: {e}", self.id)))?;
        Ok(StoredRecord {
            id: self.id,
            body: serde_json::from_str(&self.body)
                .map_err(|e| StoreError::Corrupt(format!("record {}: {e}", self.id)))?,
            kind: self.kind,
            reference: self.reference,
            parent_id: self.parent_id,
            meta,
            status: self.status,
            key_date: self.key_date,
            title: self.title,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The conditions of a query other than access, with their binds.
fn query_where(query: &RecordQuery) -> (String, Vec<Bind>) {
    let mut conditions = vec!["r.kind = $1".to_owned()];
    let mut binds = vec![Bind::Text(query.kind.clone())];
    let mut push = |condition: &str, bind: Bind| {
        binds.push(bind);
        conditions.push(condition.replace('?', &format!("${}", binds.len())));
    };
    if let Some(pid) = query.partnership_id {
        push("r.partnership_id = ?", Bind::Int(pid));
    }
    if let Some(parent) = query.parent_id {
        push("r.parent_id = ?", Bind::Int(parent));
    }
    if let Some(owner) = &query.owner {
        push("r.owner_gss = ?", Bind::Text(owner.as_str().to_owned()));
    }
    if let Some(from) = query.key_date_from {
        push("r.key_date >= ?", Bind::Date(from));
    }
    if let Some(before) = query.key_date_before {
        push("r.key_date < ?", Bind::Date(before));
    }
    if !query.statuses.is_empty() {
        let mut placeholders = Vec::new();
        for status in &query.statuses {
            binds.push(Bind::Text(status.clone()));
            placeholders.push(format!("${}", binds.len()));
        }
        conditions.push(format!("r.status IN ({})", placeholders.join(", ")));
    }
    (conditions.join(" AND "), binds)
}

fn order_by(order: RecordOrder) -> &'static str {
    match order {
        RecordOrder::Id => "r.id",
        RecordOrder::KeyDate => "CASE WHEN r.key_date IS NULL THEN 1 ELSE 0 END, r.key_date, r.id",
        RecordOrder::Title => "lower(r.title), r.id",
        RecordOrder::Newest => "r.updated_at DESC, r.id DESC",
    }
}

/// The record as the audit trail keeps it. The body of a record of personal data (a
/// requester's name and address) is not copied into the trail, which administrators read and
/// which is never rewritten: the entry says who changed it and when, and that its content is
/// withheld.
fn record_json(record: &StoredRecord) -> Option<serde_json::Value> {
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

macro_rules! records_impl {
    ($store:ident, $conn:ty) => {
        impl $store {
            async fn load_record(conn: &mut $conn, id: i64) -> Result<Option<StoredRecord>> {
                let row: Option<RecordRow> =
                    sqlx::query_as(&format!("SELECT {RECORD_COLUMNS} FROM records r WHERE r.id = $1"))
                        .bind(id)
                        .fetch_optional(&mut *conn)
                        .await?;
                row.map(RecordRow::into_record).transpose()
            }

            /// Releases everything embargoed until a decision, inside the decision's transaction.
            pub(crate) async fn release_for_decision(conn: &mut $conn, decision_id: i64, change: &Change) -> Result<u64> {
                let ids: Vec<(i64,)> = sqlx::query_as(
                    "SELECT id FROM records WHERE classification = 'embargoed' AND embargo_decision_id = $1 ORDER BY id",
                )
                .bind(decision_id)
                .fetch_all(&mut *conn)
                .await?;
                for (id,) in &ids {
                    Self::release_one(conn, *id, change, &format!("decision {decision_id} was recorded")).await?;
                }
                Ok(ids.len() as u64)
            }

            async fn release_one(conn: &mut $conn, id: i64, change: &Change, why: &str) -> Result<()> {
                let Some(before) = Self::load_record(conn, id).await? else { return Ok(()) };
                let release_to = before.meta.embargo.as_ref().map_or(Classification::Partnership, |e| e.release_to);
                sqlx::query("UPDATE records SET classification = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                    .bind(release_to.slug())
                    .bind(change.at)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                let after = Self::load_record(conn, id).await?;
                let mut change = change.clone();
                change.reason = Some(format!("embargo ended: {why}"));
                Self::audit(
                    conn,
                    &change,
                    AuditAction::Release,
                    &before.kind,
                    &id.to_string(),
                    before.meta.partnership_id,
                    serde_json::to_value(&before.meta).ok(),
                    after.as_ref().and_then(|a| serde_json::to_value(&a.meta).ok()),
                )
                .await
            }

            /// The rows matching a query that the scope may read on `today`.
            async fn record_rows(&self, query: &RecordQuery, scope: &ReadScope, today: NaiveDate) -> Result<Vec<RecordRow>> {
                let (conditions, binds) = query_where(query);
                let mut sql = format!(
                    "SELECT {RECORD_COLUMNS} FROM records r WHERE {conditions} AND {} ORDER BY {}",
                    visible(scope, today, "r"),
                    order_by(query.order)
                );
                if query.limit > 0 {
                    sql.push_str(&format!(" LIMIT {} OFFSET {}", query.limit, query.offset.max(0)));
                }
                Ok(bind_all!(sqlx::query_as(&sql), binds).fetch_all(&self.pool).await?)
            }

            async fn insert_in(conn: &mut $conn, input: &RecordInput, change: &Change) -> Result<i64> {
                if let Some(parent) = input.parent_id
                    && Self::load_record(conn, parent).await?.is_none()
                {
                    return Err(Invalid::field("parent", format!("there is no record {parent}")).into());
                }
                // Insert first so the audit entry can carry the stored record, id included.
                let id = Self::write_record(conn, None, input, change).await?;
                let after = Self::load_record(conn, id).await?;
                Self::audit(
                    conn,
                    change,
                    AuditAction::Create,
                    &input.kind,
                    &id.to_string(),
                    input.meta.partnership_id,
                    None,
                    after.as_ref().and_then(record_json),
                )
                .await?;
                Ok(id)
            }

            async fn update_in(conn: &mut $conn, id: i64, expected_version: Option<i64>, input: &RecordInput, change: &Change) -> Result<i64> {
                let before = Self::load_record(conn, id).await?.ok_or_else(|| StoreError::NotFound(format!("record {id}")))?;
                if before.kind != input.kind {
                    return Err(Invalid::field("kind", format!("record {id} is a {}, not a {}", before.kind, input.kind)).into());
                }
                if let Some(expected) = expected_version
                    && expected != before.version
                {
                    return Err(Invalid::field(
                        "version",
                        "Someone else changed this record after you opened it. Reload it to see their change, then make yours again",
                    )
                    .into());
                }
                Self::write_record(conn, Some(id), input, change).await?;
                let after = Self::load_record(conn, id).await?;
                Self::audit(
                    conn,
                    change,
                    AuditAction::Update,
                    &input.kind,
                    &id.to_string(),
                    input.meta.partnership_id,
                    record_json(&before),
                    after.as_ref().and_then(record_json),
                )
                .await?;
                Ok(before.version + 1)
            }

            async fn delete_in(conn: &mut $conn, id: i64, change: &Change) -> Result<()> {
                let before = Self::load_record(conn, id).await?.ok_or_else(|| StoreError::NotFound(format!("record {id}")))?;
                sqlx::query("DELETE FROM records WHERE id = $1").bind(id).execute(&mut *conn).await?;
                Self::audit(
                    conn,
                    change,
                    AuditAction::Delete,
                    &before.kind,
                    &id.to_string(),
                    before.meta.partnership_id,
                    record_json(&before),
                    None,
                )
                .await
            }

            async fn write_record(conn: &mut $conn, id: Option<i64>, input: &RecordInput, change: &Change) -> Result<i64> {
                let embargo = input.meta.embargo.as_ref();
                let body = input.body.to_string();
                let owner = input.meta.owner.as_ref().map(|o| o.as_str().to_owned());
                let area = area_slug(input.meta.area);
                let release = embargo.map(|e| e.release_to.slug());
                let id = match id {
                    None => {
                        let (id,): (i64,) = sqlx::query_as(
                            "INSERT INTO records (kind, area, partnership_id, parent_id, owner_gss, classification, \
                             embargo_until, embargo_decision_id, release_class, status, key_date, title, body, version, \
                             created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14) RETURNING id",
                        )
                        .bind(&input.kind)
                        .bind(&area)
                        .bind(input.meta.partnership_id)
                        .bind(input.parent_id)
                        .bind(owner)
                        .bind(input.meta.classification.slug())
                        .bind(embargo.and_then(|e| e.until))
                        .bind(embargo.and_then(|e| e.decision_id))
                        .bind(release)
                        .bind(&input.status)
                        .bind(input.key_date)
                        .bind(input.title.trim())
                        .bind(body)
                        .bind(change.at)
                        .fetch_one(&mut *conn)
                        .await?;
                        id
                    }
                    Some(id) => {
                        sqlx::query(
                            "UPDATE records SET area = $1, partnership_id = $2, parent_id = $3, owner_gss = $4, \
                             classification = $5, embargo_until = $6, embargo_decision_id = $7, release_class = $8, \
                             status = $9, key_date = $10, title = $11, body = $12, version = version + 1, updated_at = $13 \
                             WHERE id = $14",
                        )
                        .bind(&area)
                        .bind(input.meta.partnership_id)
                        .bind(input.parent_id)
                        .bind(owner)
                        .bind(input.meta.classification.slug())
                        .bind(embargo.and_then(|e| e.until))
                        .bind(embargo.and_then(|e| e.decision_id))
                        .bind(release)
                        .bind(&input.status)
                        .bind(input.key_date)
                        .bind(input.title.trim())
                        .bind(body)
                        .bind(change.at)
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                        id
                    }
                };
                if input.kind == DECISION_KIND && input.status.as_deref() == Some(DECISION_MADE) {
                    Self::release_for_decision(conn, id, change).await?;
                }
                Ok(id)
            }
        }

        #[async_trait]
        impl RecordStore for $store {
            async fn insert_record(&self, input: &RecordInput, change: &Change) -> Result<i64> {
                input.validate()?;
                let mut tx = self.begin_write().await?;
                let id = Self::insert_in(&mut tx, input, change).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn insert_records(&self, inputs: &[RecordInput], change: &Change) -> Result<Vec<i64>> {
                validate_all(inputs)?;
                let mut tx = self.begin_write().await?;
                let mut ids = Vec::with_capacity(inputs.len());
                for input in inputs {
                    ids.push(Self::insert_in(&mut tx, input, change).await?);
                }
                tx.commit().await?;
                Ok(ids)
            }

            async fn replace_records(&self, delete: &[i64], inputs: &[RecordInput], change: &Change) -> Result<Vec<i64>> {
                validate_all(inputs)?;
                let mut tx = self.begin_write().await?;
                for &id in delete {
                    Self::delete_in(&mut tx, id, change).await?;
                }
                let mut ids = Vec::with_capacity(inputs.len());
                for input in inputs {
                    ids.push(Self::insert_in(&mut tx, input, change).await?);
                }
                tx.commit().await?;
                Ok(ids)
            }

            async fn update_record(&self, id: i64, expected_version: Option<i64>, input: &RecordInput, change: &Change) -> Result<i64> {
                input.validate()?;
                let mut tx = self.begin_write().await?;
                let version = Self::update_in(&mut tx, id, expected_version, input, change).await?;
                tx.commit().await?;
                Ok(version)
            }

            async fn write_records(&self, writes: &[RecordWrite], change: &Change) -> Result<Vec<i64>> {
                let mut invalid = Invalid::new();
                for (i, write) in writes.iter().enumerate() {
                    let (input, parent_from) = match write {
                        RecordWrite::Insert { input, parent_from } => (input, *parent_from),
                        RecordWrite::Update(update) => (&update.input, None),
                        RecordWrite::Delete(_) => continue,
                    };
                    if let Err(e) = input.validate() {
                        invalid.extend(e.within(&format!("records[{i}].")));
                    }
                    if parent_from.is_some_and(|p| p >= i) {
                        invalid.push(format!("records[{i}].parent"), "the parent must be written first");
                    }
                }
                invalid.into_result()?;
                let mut tx = self.begin_write().await?;
                let mut ids: Vec<i64> = Vec::with_capacity(writes.len());
                for write in writes {
                    let id = match write {
                        RecordWrite::Insert { input, parent_from: None } => Self::insert_in(&mut tx, input, change).await?,
                        RecordWrite::Insert { input, parent_from: Some(p) } => {
                            let mut input = input.clone();
                            input.parent_id = Some(ids[*p]);
                            Self::insert_in(&mut tx, &input, change).await?
                        }
                        RecordWrite::Update(update) => {
                            Self::update_in(&mut tx, update.id, update.expected_version, &update.input, change).await?;
                            update.id
                        }
                        RecordWrite::Delete(id) => {
                            Self::delete_in(&mut tx, *id, change).await?;
                            *id
                        }
                    };
                    ids.push(id);
                }
                tx.commit().await?;
                Ok(ids)
            }

            async fn delete_record(&self, id: i64, change: &Change) -> Result<()> {
                let mut tx = self.begin_write().await?;
                Self::delete_in(&mut tx, id, change).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn record(&self, id: i64, scope: &ReadScope, today: NaiveDate) -> Result<Option<StoredRecord>> {
                let sql = format!("SELECT {RECORD_COLUMNS} FROM records r WHERE r.id = $1 AND {}", visible(scope, today, "r"));
                let row: Option<RecordRow> = sqlx::query_as(&sql).bind(id).fetch_optional(&self.pool).await?;
                row.map(RecordRow::into_record).transpose()
            }

            async fn record_by_reference(
                &self,
                partnership_id: i64,
                kind: &str,
                reference: &str,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<StoredRecord>> {
                let sql = format!(
                    "SELECT {RECORD_COLUMNS} FROM records r WHERE r.partnership_id = $1 AND r.kind = $2 AND r.reference = $3 AND {}",
                    visible(scope, today, "r")
                );
                let row: Option<RecordRow> = sqlx::query_as(&sql)
                    .bind(partnership_id)
                    .bind(kind)
                    .bind(reference)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(RecordRow::into_record).transpose()
            }

            async fn records(&self, query: &RecordQuery, scope: &ReadScope, today: NaiveDate) -> Result<Vec<StoredRecord>> {
                let rows = self.record_rows(query, scope, today).await?;
                rows.into_iter().map(RecordRow::into_record).collect()
            }

            async fn records_raw(&self, query: &RecordQuery, scope: &ReadScope, today: NaiveDate) -> Result<Vec<(StoredRecord, String)>> {
                let rows = self.record_rows(query, scope, today).await?;
                rows.into_iter().map(RecordRow::into_raw).collect()
            }

            async fn count_records(&self, query: &RecordQuery, scope: &ReadScope, today: NaiveDate) -> Result<i64> {
                let (conditions, binds) = query_where(query);
                let sql = format!("SELECT COUNT(*) FROM records r WHERE {conditions} AND {}", visible(scope, today, "r"));
                let (count,): (i64,) = bind_all!(sqlx::query_as(&sql), binds).fetch_one(&self.pool).await?;
                Ok(count)
            }

            async fn release_embargoes(&self, today: NaiveDate, change: &Change) -> Result<u64> {
                let mut tx = self.begin_write().await?;
                let ids: Vec<(i64,)> = sqlx::query_as(
                    "SELECT id FROM records WHERE classification = 'embargoed' AND embargo_until IS NOT NULL \
                     AND embargo_until <= $1 ORDER BY id",
                )
                .bind(today)
                .fetch_all(&mut *tx)
                .await?;
                for (id,) in &ids {
                    Self::release_one(&mut tx, *id, change, &format!("its release date {today} came")).await?;
                }
                tx.commit().await?;
                Ok(ids.len() as u64)
            }
        }
    };
}

records_impl!(SqliteStore, sqlx::SqliteConnection);
records_impl!(PgStore, sqlx::PgConnection);
