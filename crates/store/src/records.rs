//! The classified, audited records of every feature: one table, one access rule, one history.
//!
//! A feature stores its domain value as the record's JSON body and fills in the columns that
//! access control and lists need (partnership, owning council, classification and embargo,
//! status, a key date, a title). Reads take the reader's [`ReadScope`] and filter in SQL.

use crate::{Change, Result};
use accord_domain::access::{Area, Classification, Embargo, ReadScope, RecordMeta};
use accord_domain::{GssCode, Invalid};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The kind of a decision record. A decision recorded with status [`DECISION_MADE`] releases,
/// in the same transaction, every record embargoed until it.
pub const DECISION_KIND: &str = "decision";

/// The status of a decision that has been made.
pub const DECISION_MADE: &str = "made";

/// A record to write.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordInput {
    /// The kind, e.g. `opportunity`, `paper`, `raid`.
    pub kind: String,
    /// Who may see and change it.
    pub meta: RecordMeta,
    /// The record it belongs to, if any (e.g. a rating's assessment).
    pub parent_id: Option<i64>,
    /// A status to list and filter by.
    pub status: Option<String>,
    /// A date to list and filter by (a due date, a meeting date).
    pub key_date: Option<NaiveDate>,
    /// A title for lists and the audit trail.
    pub title: String,
    /// The domain value.
    pub body: serde_json::Value,
}

impl RecordInput {
    /// A record whose body is `value` serialised.
    pub fn new<T: Serialize>(
        kind: &str,
        meta: RecordMeta,
        title: impl Into<String>,
        value: &T,
    ) -> Result<Self> {
        Ok(RecordInput {
            kind: kind.to_owned(),
            meta,
            parent_id: None,
            status: None,
            key_date: None,
            title: title.into(),
            body: serde_json::to_value(value)
                .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?,
        })
    }

    /// Sets the parent record.
    #[must_use]
    pub fn parent(mut self, id: i64) -> Self {
        self.parent_id = Some(id);
        self
    }

    /// Sets the status.
    #[must_use]
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Sets the key date.
    #[must_use]
    pub fn key_date(mut self, date: Option<NaiveDate>) -> Self {
        self.key_date = date;
        self
    }

    /// Checks what every record must satisfy.
    pub fn validate(&self) -> std::result::Result<(), Invalid> {
        let mut invalid = Invalid::new();
        if self.kind.is_empty()
            || !self
                .kind
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_')
        {
            invalid.push(
                "kind",
                "a record kind is lower-case letters and underscores",
            );
        }
        if self.title.trim().is_empty() {
            invalid.push("title", "Enter a title");
        }
        match (self.meta.classification, &self.meta.embargo) {
            (Classification::Embargoed, None) => invalid.push(
                "embargo_until",
                "An embargoed record needs a release date or decision",
            ),
            (Classification::Embargoed, Some(embargo)) => {
                if let Err(e) = embargo.validate() {
                    invalid.extend(e);
                }
            }
            _ => {}
        }
        if self.meta.classification == Classification::Council && self.meta.owner.is_none() {
            invalid.push(
                "owner",
                "A council-only record needs the council that owns it",
            );
        }
        if self.meta.classification == Classification::Personal
            && self.meta.area != Area::Information
        {
            invalid.push(
                "classification",
                "Only information requests hold personal data",
            );
        }
        invalid.into_result()
    }
}

/// A stored record, as its reader may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRecord {
    /// Its identity.
    pub id: i64,
    /// Its kind.
    pub kind: String,
    /// Its own reference (R12, FOI-2026-0113), for kinds that have one. Not part of the
    /// record as the audit trail keeps it: the reference is in the body already.
    #[serde(skip)]
    pub reference: Option<String>,
    /// Its parent.
    pub parent_id: Option<i64>,
    /// Access metadata as stored.
    pub meta: RecordMeta,
    /// Its status.
    pub status: Option<String>,
    /// Its key date.
    pub key_date: Option<NaiveDate>,
    /// Its title.
    pub title: String,
    /// The domain value.
    pub body: serde_json::Value,
    /// Increases with every change; updates may require the version they read.
    pub version: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl StoredRecord {
    /// The body as its domain type. Read in place, without copying the body first: lists
    /// decode hundreds of bodies per page.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        T::deserialize(&self.body).map_err(|e| self.corrupt(e))
    }

    /// A body returned as text beside this record ([`RecordStore::records_raw`]) as its
    /// domain type, parsed straight from the text.
    pub fn decode_text<T: DeserializeOwned>(&self, text: &str) -> Result<T> {
        serde_json::from_str(text).map_err(|e| self.corrupt(e))
    }

    /// The error for a body that does not decode, naming the record.
    pub fn corrupt(&self, why: impl std::fmt::Display) -> crate::StoreError {
        crate::StoreError::Corrupt(format!("{} {}: {why}", self.kind, self.id))
    }

    /// The record as an input, to change and write back.
    pub fn to_input(&self) -> RecordInput {
        RecordInput {
            kind: self.kind.clone(),
            meta: self.meta.clone(),
            parent_id: self.parent_id,
            status: self.status.clone(),
            key_date: self.key_date,
            title: self.title.clone(),
            body: self.body.clone(),
        }
    }
}

/// One write of [`RecordStore::write_records`].
#[derive(Debug, Clone, PartialEq)]
pub enum RecordWrite {
    /// A new record. With `parent_from`, its parent is the record of that earlier write of
    /// the same batch (a request's requester, written with the request).
    Insert {
        /// The record.
        input: RecordInput,
        /// The index of the earlier write whose record is the parent.
        parent_from: Option<usize>,
    },
    /// A change to a record.
    Update(RecordUpdate),
    /// A record deleted, with its children.
    Delete(i64),
}

/// A change to a record, for [`RecordStore::write_records`].
#[derive(Debug, Clone, PartialEq)]
pub struct RecordUpdate {
    /// The record.
    pub id: i64,
    /// The version it was read at, if the update must not overwrite a newer change.
    pub expected_version: Option<i64>,
    /// Its new content.
    pub input: RecordInput,
}

/// How to order a list of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordOrder {
    /// By id, oldest first.
    #[default]
    Id,
    /// By key date (no date last), then id.
    KeyDate,
    /// By title.
    Title,
    /// Most recently changed first.
    Newest,
}

/// Which records to list.
#[derive(Debug, Clone, Default)]
pub struct RecordQuery {
    /// The kind (required).
    pub kind: String,
    /// Only this partnership's.
    pub partnership_id: Option<i64>,
    /// Only children of this record.
    pub parent_id: Option<i64>,
    /// Only these statuses.
    pub statuses: Vec<String>,
    /// Only these owning councils.
    pub owner: Option<GssCode>,
    /// Key date on or after.
    pub key_date_from: Option<NaiveDate>,
    /// Key date before.
    pub key_date_before: Option<NaiveDate>,
    /// Order.
    pub order: RecordOrder,
    /// At most this many (0: no limit).
    pub limit: i64,
    /// Skip this many.
    pub offset: i64,
}

impl RecordQuery {
    /// All records of a kind in a partnership.
    pub fn of(kind: &str, partnership_id: i64) -> Self {
        RecordQuery {
            kind: kind.to_owned(),
            partnership_id: Some(partnership_id),
            ..RecordQuery::default()
        }
    }
}

/// Storage of classified records.
#[async_trait]
pub trait RecordStore: Send + Sync {
    /// Creates a record (audited) and returns its id.
    async fn insert_record(&self, input: &RecordInput, change: &Change) -> Result<i64>;

    /// Creates several records in one transaction (each audited): all of them or, on any
    /// failure, none. Returns their ids in order.
    async fn insert_records(&self, inputs: &[RecordInput], change: &Change) -> Result<Vec<i64>>;

    /// Deletes the records `delete` (without their children: give records that have none)
    /// and creates `inputs`, in one transaction (each audited): an import that replaces what
    /// was there, all or nothing. Returns the new ids in order.
    async fn replace_records(
        &self,
        delete: &[i64],
        inputs: &[RecordInput],
        change: &Change,
    ) -> Result<Vec<i64>>;

    /// Replaces a record's content (audited, before and after). With `expected_version`, a
    /// record changed by someone else since it was read is refused. Returns the new version.
    async fn update_record(
        &self,
        id: i64,
        expected_version: Option<i64>,
        input: &RecordInput,
        change: &Change,
    ) -> Result<i64>;

    /// Creates, changes and deletes records in one transaction, in order, each audited as
    /// [`RecordStore::insert_record`], [`RecordStore::update_record`] and
    /// [`RecordStore::delete_record`] would; returns each write's record id. All or nothing: a
    /// refused write (or a record changed by someone else since it was read) refuses them all.
    async fn write_records(&self, writes: &[RecordWrite], change: &Change) -> Result<Vec<i64>>;

    /// Deletes a record (audited) with its children.
    async fn delete_record(&self, id: i64, change: &Change) -> Result<()>;

    /// A record if the scope may read it on `today`; `None` both when it does not exist and
    /// when it may not be read, so existence is not revealed.
    async fn record(
        &self,
        id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredRecord>>;

    /// The record of a kind with this reference in a partnership, if the scope may read it.
    async fn record_by_reference(
        &self,
        partnership_id: i64,
        kind: &str,
        reference: &str,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredRecord>>;

    /// Records matching a query that the scope may read on `today`.
    async fn records(
        &self,
        query: &RecordQuery,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredRecord>>;

    /// As [`RecordStore::records`], with each body returned as the JSON text stored beside
    /// its record (whose `body` is then null). For lists that decode thousands of bodies
    /// straight into their own type: parsing each into a `serde_json::Value` first costs as
    /// much again as decoding it.
    async fn records_raw(
        &self,
        query: &RecordQuery,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<(StoredRecord, String)>>;

    /// How many records match a query for the scope.
    async fn count_records(
        &self,
        query: &RecordQuery,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<i64>;

    /// Writes down the releases of embargoes whose date has come (each audited as a release).
    async fn release_embargoes(&self, today: NaiveDate, change: &Change) -> Result<u64>;
}

/// Access metadata from the stored columns.
#[allow(clippy::too_many_arguments)]
pub(crate) fn meta_from_columns(
    area: &str,
    partnership_id: Option<i64>,
    owner: Option<&str>,
    classification: &str,
    until: Option<NaiveDate>,
    decision: Option<i64>,
    release: Option<&str>,
) -> std::result::Result<RecordMeta, String> {
    let area: Area = serde_json::from_value(serde_json::Value::String(area.to_owned()))
        .map_err(|e| e.to_string())?;
    let classification =
        Classification::parse("classification", classification).map_err(|e| e.to_string())?;
    let embargo = match release {
        Some(release) => Some(Embargo {
            until,
            decision_id: decision,
            release_to: Classification::parse("release_class", release)
                .map_err(|e| e.to_string())?,
        }),
        None => None,
    };
    Ok(RecordMeta {
        area,
        partnership_id,
        owner: owner
            .map(|o| GssCode::parse("owner", o))
            .transpose()
            .map_err(|e| e.to_string())?,
        classification,
        embargo,
    })
}

/// The stored name of an area.
pub(crate) fn area_slug(area: Area) -> String {
    serde_json::to_value(area)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
