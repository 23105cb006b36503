//! The RAID log's table: one row per item, filtered, sorted, paged, counted and grouped in
//! SQL. Lists read only the page they show; raising an item reads only the highest number and
//! the open dependencies (what numbering and the cycle rule need), inside the writing
//! transaction.

use crate::backend::{Bind, bind_all};
use crate::records::{StoredRecord, meta_from_columns};
use crate::scope::visible;
use crate::write::{Header, PgWrite, SqliteWrite};
use crate::{Change, PgStore, Result, SqliteStore, StoreError};
use accord_domain::access::{ReadScope, RecordMeta};
use accord_domain::audit::AuditAction;
use accord_domain::board::BoardLevel;
use accord_domain::raid::{
    Closure, Escalation, HeatMap, Level, Mitigation, RaidDetail, RaidFilter, RaidItem, RaidKind,
    RaidLog, RaidStatus, RiskScore, ScoreBasis,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;

/// The kind of a RAID item's record.
pub const RAID_KIND: &str = "raid";

/// A RAID item as stored, with what its reader and a later change need.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRaid {
    /// The record's id (its history and audit entries are filed under it).
    pub record_id: i64,
    /// Increases with every change; a change names the version it was made from.
    pub version: i64,
    /// Who may see and change it.
    pub meta: RecordMeta,
    /// The item.
    pub item: RaidItem,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Which page of a filtered RAID log to read, in number order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RaidPage {
    /// Only items numbered above this (a keyset cursor: deep pages cost what the first does).
    pub after: Option<u32>,
    /// Skip this many (for pages addressed by their number).
    pub offset: i64,
    /// At most this many.
    pub limit: i64,
}

/// Reading the RAID log.
#[async_trait]
pub trait RaidStore: Send + Sync {
    /// A page of the items matching `filter` that `scope` may read on `today`, by number.
    async fn raid_items(
        &self,
        partnership_id: i64,
        filter: &RaidFilter,
        page: &RaidPage,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredRaid>>;

    /// How many items match `filter` for `scope`, and the open risks among them counted per
    /// cell of the 5 × 5 grid on the filter's score basis, in one pass over the log.
    async fn raid_summary(
        &self,
        partnership_id: i64,
        filter: &RaidFilter,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<(i64, HeatMap)>;

    /// One item by its number, if `scope` may read it.
    async fn raid_item(
        &self,
        partnership_id: i64,
        number: u32,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredRaid>>;

    /// The partnership and number of the item with this record id (old addresses named items
    /// by record id).
    async fn raid_number(&self, record_id: i64) -> Result<Option<(i64, u32)>>;

    /// The open items that have been escalated, which go on the receiving boards' agendas.
    async fn escalated_raid_items(
        &self,
        partnership_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredRaid>>;
}

/// Changing the RAID log, inside a [`crate::WriteTx`].
#[async_trait]
pub trait RaidTx: Send {
    /// What the numbering and the dependency-cycle rules need of the whole log: its highest
    /// number and its open dependencies (every item, whoever asks; nothing read is shown).
    async fn raid_rules_view(&mut self, partnership_id: i64) -> Result<RaidLog>;

    /// The log's last number, and no items: what the rules need to number an item that is not
    /// a dependency (only dependencies are checked against the others, for cycles).
    async fn raid_numbering_view(&mut self, partnership_id: i64) -> Result<RaidLog>;

    /// An item by number, to change it.
    async fn raid_item_for_change(
        &mut self,
        partnership_id: i64,
        number: u32,
    ) -> Result<Option<StoredRaid>>;

    /// Writes a new item (its number already given by the rules) with its audit entry.
    async fn insert_raid_item(
        &mut self,
        meta: &RecordMeta,
        item: &RaidItem,
        change: &Change,
    ) -> Result<StoredRaid>;

    /// Writes a changed item from the version `from` was read at, with its audit entry;
    /// [`StoreError::Conflict`] when someone changed it since.
    async fn update_raid_item(
        &mut self,
        from: &StoredRaid,
        item: &RaidItem,
        change: &Change,
    ) -> Result<StoredRaid>;
}

const COLUMNS: &str = "d.record_id, d.partnership_id, d.number, d.kind, d.status, d.title, d.description, d.owner, \
     d.project_id, d.raised_on, d.board, d.inherent_probability, d.inherent_impact, d.residual_probability, \
     d.residual_impact, d.proximity, d.validate_by, d.validated_on, d.severity, d.resolve_by, d.from_project_id, \
     d.to_project_id, d.needed_by, d.closed_on, d.resolution, d.mitigations, d.escalations, \
     r.area, r.owner_gss, r.classification, r.embargo_until, r.embargo_decision_id, r.release_class, \
     r.version, r.created_at, r.updated_at";

#[derive(Debug, sqlx::FromRow)]
struct RaidRow {
    record_id: i64,
    partnership_id: i64,
    number: i32,
    kind: String,
    status: String,
    title: String,
    description: String,
    owner: String,
    project_id: Option<i64>,
    raised_on: NaiveDate,
    board: String,
    inherent_probability: Option<i32>,
    inherent_impact: Option<i32>,
    residual_probability: Option<i32>,
    residual_impact: Option<i32>,
    proximity: Option<NaiveDate>,
    validate_by: Option<NaiveDate>,
    validated_on: Option<NaiveDate>,
    severity: Option<i32>,
    resolve_by: Option<NaiveDate>,
    from_project_id: Option<i64>,
    to_project_id: Option<i64>,
    needed_by: Option<NaiveDate>,
    closed_on: Option<NaiveDate>,
    resolution: Option<String>,
    mitigations: Json<Vec<Mitigation>>,
    escalations: Json<Vec<Escalation>>,
    area: String,
    owner_gss: Option<String>,
    classification: String,
    embargo_until: Option<NaiveDate>,
    embargo_decision_id: Option<i64>,
    release_class: Option<String>,
    version: i64,
    #[allow(dead_code)]
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn level(what: &str, value: Option<i32>) -> std::result::Result<Level, String> {
    let value = value.ok_or_else(|| format!("{what} is missing"))?;
    u8::try_from(value)
        .map_err(|_| format!("{what} {value} is out of range"))
        .and_then(|v| Level::new(what, v).map_err(|e| e.to_string()))
}

fn slug<T: serde::de::DeserializeOwned>(text: &str) -> std::result::Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| format!("“{text}” is not a known value"))
}

impl RaidRow {
    fn into_stored(self) -> Result<StoredRaid> {
        let id = self.record_id;
        self.decode()
            .map_err(|e| StoreError::Corrupt(format!("RAID item record {id}: {e}")))
    }

    fn decode(self) -> std::result::Result<StoredRaid, String> {
        let meta = meta_from_columns(
            &self.area,
            Some(self.partnership_id),
            self.owner_gss.as_deref(),
            &self.classification,
            self.embargo_until,
            self.embargo_decision_id,
            self.release_class.as_deref(),
        )?;
        let detail = match self.kind.as_str() {
            "risk" => RaidDetail::Risk {
                inherent: RiskScore {
                    probability: level("inherent probability", self.inherent_probability)?,
                    impact: level("inherent impact", self.inherent_impact)?,
                },
                residual: RiskScore {
                    probability: level("residual probability", self.residual_probability)?,
                    impact: level("residual impact", self.residual_impact)?,
                },
                proximity: self.proximity,
                mitigations: self.mitigations.0,
            },
            "assumption" => RaidDetail::Assumption {
                validate_by: self.validate_by,
                validated_on: self.validated_on,
            },
            "issue" => RaidDetail::Issue {
                severity: level("severity", self.severity)?,
                resolve_by: self.resolve_by,
            },
            "dependency" => RaidDetail::Dependency {
                from_project: self.from_project_id.ok_or("from_project is missing")?,
                to_project: self.to_project_id.ok_or("to_project is missing")?,
                needed_by: self.needed_by,
            },
            other => return Err(format!("“{other}” is not a kind of RAID item")),
        };
        let status: RaidStatus = slug(&self.status)?;
        let closed = match (self.closed_on, self.resolution) {
            (Some(on), resolution) => Some(Closure {
                on,
                resolution: resolution.unwrap_or_default(),
            }),
            (None, _) => None,
        };
        let item = RaidItem {
            number: u32::try_from(self.number).map_err(|_| "number is negative")?,
            title: self.title,
            description: self.description,
            owner: self.owner,
            project: self.project_id,
            raised_on: self.raised_on,
            status,
            closed,
            board: slug::<BoardLevel>(&self.board)?,
            escalations: self.escalations.0,
            detail,
        };
        Ok(StoredRaid {
            record_id: self.record_id,
            version: self.version,
            meta,
            item,
            updated_at: self.updated_at,
        })
    }
}

/// The stored name of a kind.
pub fn kind_slug(kind: RaidKind) -> &'static str {
    match kind {
        RaidKind::Risk => "risk",
        RaidKind::Assumption => "assumption",
        RaidKind::Issue => "issue",
        RaidKind::Dependency => "dependency",
    }
}

fn status_slug(status: RaidStatus) -> &'static str {
    match status {
        RaidStatus::Open => "open",
        RaidStatus::Closed => "closed",
    }
}

/// The header of an item's record: its title, status and the date it was raised, as the
/// generic listings and the audit trail show every record.
fn header<'a>(meta: &'a RecordMeta, item: &'a RaidItem, reference: &'a str) -> Header<'a> {
    Header {
        kind: RAID_KIND,
        meta,
        parent_id: None,
        reference: Some(reference),
        title: &item.title,
        status: Some(status_slug(item.status)),
        key_date: Some(item.raised_on),
    }
}

/// `text` in lower case with `LIKE`'s wildcards escaped, wrapped for "contains".
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The conditions of a filter (after the partnership, `$1`), with their binds.
fn filter_where(filter: &RaidFilter, binds: &mut Vec<Bind>) -> String {
    let mut conditions = Vec::new();
    let bind = |binds: &mut Vec<Bind>, value: Bind| {
        binds.push(value);
        format!("${}", binds.len())
    };
    if !filter.kinds.is_empty() {
        let list: Vec<String> = filter
            .kinds
            .iter()
            .map(|k| bind(binds, Bind::Text(kind_slug(*k).to_owned())))
            .collect();
        conditions.push(format!("d.kind IN ({})", list.join(", ")));
    }
    if let Some(status) = filter.status {
        let p = bind(binds, Bind::Text(status_slug(status).to_owned()));
        conditions.push(format!("d.status = {p}"));
    }
    if let Some(board) = filter.board {
        let p = bind(binds, Bind::Text(board.slug().to_owned()));
        conditions.push(format!("d.board = {p}"));
    }
    if let Some(project) = filter.project {
        let p = bind(binds, Bind::Int(project));
        conditions.push(format!("d.project_id = {p}"));
    }
    if filter.min_score.is_some() || filter.max_score.is_some() {
        let column = match filter.score_basis {
            ScoreBasis::Inherent => "d.inherent_score",
            ScoreBasis::Residual => "d.residual_score",
        };
        let min = bind(binds, Bind::Int(i64::from(filter.min_score.unwrap_or(1))));
        let max = bind(binds, Bind::Int(i64::from(filter.max_score.unwrap_or(25))));
        conditions.push(format!("{column} BETWEEN {min} AND {max}"));
    }
    if let Some(owner) = filter.owner.as_deref().filter(|t| !t.trim().is_empty()) {
        let p = bind(binds, Bind::Text(contains_pattern(owner)));
        conditions.push(format!("d.owner_search LIKE {p} ESCAPE '\\'"));
    }
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let p = bind(binds, Bind::Text(contains_pattern(text)));
        conditions.push(format!(
            "(d.title_search LIKE {p} ESCAPE '\\' OR d.description_search LIKE {p} ESCAPE '\\' \
             OR lower(d.reference) LIKE {p} ESCAPE '\\')"
        ));
    }
    if conditions.is_empty() {
        "1 = 1".to_owned()
    } else {
        conditions.join(" AND ")
    }
}

/// The columns written for an item, in the order of the insert statement after the record id
/// and partnership.
struct Columns {
    kind: &'static str,
    scores: [Option<i32>; 6],
    proximity: Option<NaiveDate>,
    validate_by: Option<NaiveDate>,
    validated_on: Option<NaiveDate>,
    severity: Option<i32>,
    resolve_by: Option<NaiveDate>,
    from_project: Option<i64>,
    to_project: Option<i64>,
    needed_by: Option<NaiveDate>,
    mitigations: Vec<Mitigation>,
    escalated: Option<(&'static str, NaiveDate)>,
}

fn columns(item: &RaidItem) -> Columns {
    let mut c = Columns {
        kind: kind_slug(item.kind()),
        scores: [None; 6],
        proximity: None,
        validate_by: None,
        validated_on: None,
        severity: None,
        resolve_by: None,
        from_project: None,
        to_project: None,
        needed_by: None,
        mitigations: Vec::new(),
        escalated: item.escalations.last().map(|e| (e.to.slug(), e.on)),
    };
    let n = |l: Level| Some(i32::from(l.get()));
    match &item.detail {
        RaidDetail::Risk {
            inherent,
            residual,
            proximity,
            mitigations,
        } => {
            c.scores = [
                n(inherent.probability),
                n(inherent.impact),
                n(residual.probability),
                n(residual.impact),
                Some(i32::from(inherent.score())),
                Some(i32::from(residual.score())),
            ];
            c.proximity = *proximity;
            c.mitigations.clone_from(mitigations);
        }
        RaidDetail::Assumption {
            validate_by,
            validated_on,
        } => {
            c.validate_by = *validate_by;
            c.validated_on = *validated_on;
        }
        RaidDetail::Issue {
            severity,
            resolve_by,
        } => {
            c.severity = n(*severity);
            c.resolve_by = *resolve_by;
        }
        RaidDetail::Dependency {
            from_project,
            to_project,
            needed_by,
        } => {
            c.from_project = Some(*from_project);
            c.to_project = Some(*to_project);
            c.needed_by = *needed_by;
        }
    }
    c
}

macro_rules! raid_impl {
    ($store:ident, $write:ident, $conn:ty) => {
        impl $store {
            async fn load_raid(
                conn: &mut $conn,
                condition: &str,
                binds: Vec<Bind>,
            ) -> Result<Vec<StoredRaid>> {
                let sql = format!(
                    "SELECT {COLUMNS} FROM raid_items d JOIN records r ON r.id = d.record_id WHERE {condition} ORDER BY d.number"
                );
                let rows: Vec<RaidRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                rows.into_iter().map(RaidRow::into_stored).collect()
            }

            /// Writes an item's row (a new one, or over the old one) and returns the stored item.
            async fn write_raid_row(
                conn: &mut $conn,
                record_id: i64,
                partnership_id: i64,
                item: &RaidItem,
                replace: bool,
            ) -> Result<()> {
                if replace {
                    sqlx::query("DELETE FROM raid_items WHERE record_id = $1")
                        .bind(record_id)
                        .execute(&mut *conn)
                        .await?;
                }
                let c = columns(item);
                sqlx::query(
                    "INSERT INTO raid_items (record_id, partnership_id, number, reference, kind, status, title, \
                     description, owner, project_id, raised_on, board, inherent_probability, inherent_impact, \
                     residual_probability, residual_impact, inherent_score, residual_score, proximity, validate_by, \
                     validated_on, severity, resolve_by, from_project_id, to_project_id, needed_by, closed_on, \
                     resolution, escalated_to, escalated_on, title_search, description_search, owner_search, \
                     mitigations, escalations) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
                     $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35)",
                )
                .bind(record_id)
                .bind(partnership_id)
                .bind(i64::from(item.number))
                .bind(item.reference())
                .bind(c.kind)
                .bind(status_slug(item.status))
                .bind(&item.title)
                .bind(&item.description)
                .bind(&item.owner)
                .bind(item.project)
                .bind(item.raised_on)
                .bind(item.board.slug())
                .bind(c.scores[0])
                .bind(c.scores[1])
                .bind(c.scores[2])
                .bind(c.scores[3])
                .bind(c.scores[4])
                .bind(c.scores[5])
                .bind(c.proximity)
                .bind(c.validate_by)
                .bind(c.validated_on)
                .bind(c.severity)
                .bind(c.resolve_by)
                .bind(c.from_project)
                .bind(c.to_project)
                .bind(c.needed_by)
                .bind(item.closed.as_ref().map(|c| c.on))
                .bind(item.closed.as_ref().map(|c| c.resolution.clone()))
                .bind(c.escalated.map(|e| e.0))
                .bind(c.escalated.map(|e| e.1))
                .bind(item.title.to_lowercase())
                .bind(item.description.to_lowercase())
                .bind(item.owner.to_lowercase())
                .bind(Json(&c.mitigations))
                .bind(Json(&item.escalations))
                .execute(&mut *conn)
                .await
                .map_err(|e| unique_number(e, item))?;
                Ok(())
            }

            /// Moves the RAID items of the generic table into `raid_items`: run once, when
            /// an instance of an earlier release upgrades.
            pub(crate) async fn upgrade_raid_items(conn: &mut $conn) -> Result<u64> {
                let rows: Vec<(i64, Option<i64>, String)> = sqlx::query_as(
                    "SELECT id, partnership_id, body FROM records WHERE kind = $1 AND body <> 'null' ORDER BY id",
                )
                .bind(RAID_KIND)
                .fetch_all(&mut *conn)
                .await?;
                for (id, partnership_id, body) in &rows {
                    let item: RaidItem = serde_json::from_str(body)
                        .map_err(|e| StoreError::Corrupt(format!("raid record {id}: {e}")))?;
                    let partnership_id = partnership_id.ok_or_else(|| {
                        StoreError::Corrupt(format!("raid record {id} belongs to no partnership"))
                    })?;
                    Self::write_raid_row(conn, *id, partnership_id, &item, false).await?;
                    sqlx::query("UPDATE records SET body = 'null', reference = $2 WHERE id = $1")
                        .bind(id)
                        .bind(item.reference())
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(rows.len() as u64)
            }
        }

        #[async_trait]
        impl RaidStore for $store {
            async fn raid_items(
                &self,
                partnership_id: i64,
                filter: &RaidFilter,
                page: &RaidPage,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<StoredRaid>> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let mut condition = format!(
                    "d.partnership_id = $1 AND {} AND {}",
                    filter_where(filter, &mut binds),
                    visible(scope, today, "d")
                );
                if let Some(after) = page.after {
                    binds.push(Bind::Int(i64::from(after)));
                    condition.push_str(&format!(" AND d.number > ${}", binds.len()));
                }
                let limit = page.limit.clamp(1, 10_000);
                condition.push_str(&format!(" ORDER BY d.number LIMIT {limit} OFFSET {}", page.offset.max(0)));
                let sql = format!(
                    "SELECT {COLUMNS} FROM raid_items d JOIN records r ON r.id = d.record_id WHERE {condition}"
                );
                let rows: Vec<RaidRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&self.pool).await?;
                rows.into_iter().map(RaidRow::into_stored).collect()
            }

            async fn raid_summary(
                &self,
                partnership_id: i64,
                filter: &RaidFilter,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<(i64, HeatMap)> {
                let (p, i) = match filter.score_basis {
                    ScoreBasis::Inherent => ("d.inherent_probability", "d.inherent_impact"),
                    ScoreBasis::Residual => ("d.residual_probability", "d.residual_impact"),
                };
                let mut binds = vec![Bind::Int(partnership_id)];
                // Every matching item counted once, grouped so that the open risks' cells
                // come out of the same scan. Grouped in the order of `raid_items_summary`,
                // which holds every column read here, the scan is of that index alone and
                // needs no sort (on the residual basis, the one shown unless asked).
                let sql = format!(
                    "SELECT d.kind, d.status, {p}, {i}, COUNT(*) \
                     FROM raid_items d \
                     WHERE d.partnership_id = $1 AND {} AND {} \
                     GROUP BY d.kind, d.status, {p}, {i}",
                    filter_where(filter, &mut binds),
                    visible(scope, today, "d")
                );
                let cells: Vec<(String, String, Option<i32>, Option<i32>, i64)> =
                    bind_all!(sqlx::query_as(&sql), binds).fetch_all(&self.pool).await?;
                let mut counts = [[0u32; 5]; 5];
                let mut total = 0;
                for (kind, status, probability, impact, count) in cells {
                    total += count;
                    if kind != "risk" || status != "open" {
                        continue;
                    }
                    let (Some(probability), Some(impact)) = (probability, impact) else { continue };
                    let (Ok(pi), Ok(ii)) = (usize::try_from(probability - 1), usize::try_from(impact - 1)) else {
                        continue;
                    };
                    if let Some(cell) = counts.get_mut(pi).and_then(|row| row.get_mut(ii)) {
                        *cell = cell.saturating_add(u32::try_from(count).unwrap_or(u32::MAX));
                    }
                }
                Ok((total, HeatMap { basis: filter.score_basis, counts }))
            }

            async fn raid_item(
                &self,
                partnership_id: i64,
                number: u32,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<StoredRaid>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.partnership_id = $1 AND d.number = $2 AND {}", visible(scope, today, "r"));
                Ok(Self::load_raid(&mut conn, &condition, vec![Bind::Int(partnership_id), Bind::Int(i64::from(number))])
                    .await?
                    .pop())
            }

            async fn raid_number(&self, record_id: i64) -> Result<Option<(i64, u32)>> {
                let row: Option<(i64, i32)> =
                    sqlx::query_as("SELECT partnership_id, number FROM raid_items WHERE record_id = $1")
                        .bind(record_id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.and_then(|(p, n)| u32::try_from(n).ok().map(|n| (p, n))))
            }

            async fn escalated_raid_items(
                &self,
                partnership_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<StoredRaid>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!(
                    "d.partnership_id = $1 AND d.status = 'open' AND d.escalated_on IS NOT NULL AND {}",
                    visible(scope, today, "r")
                );
                Self::load_raid(&mut conn, &condition, vec![Bind::Int(partnership_id)]).await
            }
        }

        #[async_trait]
        impl RaidTx for $write {
            async fn raid_numbering_view(&mut self, partnership_id: i64) -> Result<RaidLog> {
                let (last,): (Option<i64>,) =
                    sqlx::query_as("SELECT CAST(MAX(number) AS BIGINT) FROM raid_items WHERE partnership_id = $1")
                        .bind(partnership_id)
                        .fetch_one(&mut *self.tx)
                        .await?;
                Ok(RaidLog {
                    items: Vec::new(),
                    last_number: last.and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
                })
            }

            async fn raid_rules_view(&mut self, partnership_id: i64) -> Result<RaidLog> {
                let (last,): (Option<i64>,) =
                    sqlx::query_as("SELECT CAST(MAX(number) AS BIGINT) FROM raid_items WHERE partnership_id = $1")
                        .bind(partnership_id)
                        .fetch_one(&mut *self.tx)
                        .await?;
                let items = $store::load_raid(
                    &mut self.tx,
                    "d.partnership_id = $1 AND d.kind = 'dependency' AND d.status = 'open'",
                    vec![Bind::Int(partnership_id)],
                )
                .await?;
                Ok(RaidLog {
                    items: items.into_iter().map(|s| s.item).collect(),
                    last_number: last.and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
                })
            }

            async fn raid_item_for_change(
                &mut self,
                partnership_id: i64,
                number: u32,
            ) -> Result<Option<StoredRaid>> {
                Ok($store::load_raid(
                    &mut self.tx,
                    "d.partnership_id = $1 AND d.number = $2",
                    vec![Bind::Int(partnership_id), Bind::Int(i64::from(number))],
                )
                .await?
                .pop())
            }

            async fn insert_raid_item(
                &mut self,
                meta: &RecordMeta,
                item: &RaidItem,
                change: &Change,
            ) -> Result<StoredRaid> {
                let partnership_id = meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "A RAID item belongs to a partnership")
                })?;
                let reference = item.reference();
                let header = header(meta, item, &reference);
                let id = $store::insert_header(&mut self.tx, &header, change).await?;
                $store::write_raid_row(&mut self.tx, id, partnership_id, item, false).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), body(item));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(StoredRaid {
                    record_id: id,
                    version: 1,
                    meta: meta.clone(),
                    item: item.clone(),
                    updated_at: change.at,
                })
            }

            async fn update_raid_item(
                &mut self,
                from: &StoredRaid,
                item: &RaidItem,
                change: &Change,
            ) -> Result<StoredRaid> {
                let partnership_id = from.meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "A RAID item belongs to a partnership")
                })?;
                let what = format!("RAID item {}", from.item.reference());
                let (old_reference, new_reference) = (from.item.reference(), item.reference());
                let before_header = header(&from.meta, &from.item, &old_reference);
                let after_header = header(&from.meta, item, &new_reference);
                let (version, created_at) =
                    $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &what, change).await?;
                $store::write_raid_row(&mut self.tx, from.record_id, partnership_id, item, true).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created_at, from.updated_at), body(&from.item));
                let after = after_header.snapshot(from.record_id, version, (created_at, change.at), body(item));
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                Ok(StoredRaid {
                    record_id: from.record_id,
                    version,
                    meta: from.meta.clone(),
                    item: item.clone(),
                    updated_at: change.at,
                })
            }
        }
    };
}

fn body(item: &RaidItem) -> serde_json::Value {
    serde_json::to_value(item).unwrap_or(serde_json::Value::Null)
}

/// A unique violation on an item's number: the rules gave a number the log already holds.
/// Cannot happen while writers are serialised; the constraint is the backstop.
fn unique_number(error: sqlx::Error, item: &RaidItem) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(format!(
            "RAID item number {} is already taken in this log; raise the item again",
            item.number
        )),
        _ => StoreError::Database(error),
    }
}

raid_impl!(SqliteStore, SqliteWrite, sqlx::SqliteConnection);
raid_impl!(PgStore, PgWrite, sqlx::PgConnection);

/// The snapshot of an item for tests and tools that compare stored records.
pub fn raid_snapshot(stored: &StoredRaid) -> StoredRecord {
    let reference = stored.item.reference();
    header(&stored.meta, &stored.item, &reference).snapshot(
        stored.record_id,
        stored.version,
        (stored.updated_at, stored.updated_at),
        body(&stored.item),
    )
}
