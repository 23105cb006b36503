//! The kinds of the programme's records as the route guards name them, and the few helpers the
//! delivery and governance pages share. Every record is read and written through the use cases
//! of `accord_app::delivery` and `accord_app::governance`, each kind in tables of its own.

use accord_app::records::StoredRecord;
use accord_domain::access::{Actor, Area, Classification, ReadScope, RecordMeta};
use accord_domain::{GssCode, Invalid};
use serde::de::DeserializeOwned;

/// The kind of a project record.
pub const PROJECT: &str = accord_app::delivery::PROJECT_KIND;
/// The kind of an escalated tolerance exception.
pub const ESCALATION: &str = accord_app::delivery::ESCALATION_KIND;
/// The kind of a board record.
pub const BOARD: &str = accord_app::governance::boards::BOARD_KIND;
/// The kind of a decision record; written with status [`MADE`], it releases its papers.
pub const DECISION: &str = accord_app::governance::boards::DECISION_KIND;
/// The kind of a board paper.
pub const PAPER: &str = accord_app::governance::boards::PAPER_KIND;
/// The kind of a highlight report (its draft and published versions).
pub const HIGHLIGHT_REPORT: &str = accord_app::delivery::HIGHLIGHT_KIND;
/// The kind of a published programme progress report.
pub const PROGRESS_REPORT: &str = accord_app::delivery::PROGRESS_KIND;

/// The status of a decision that has been made (every Cabinet approval given).
pub const MADE: &str = accord_app::governance::boards::DECISION_MADE;
/// The status of a key decision still waiting for a Cabinet.
pub const PENDING: &str = "pending";

pub use accord_app::governance::boards::PaperBody;

/// A record read back with its domain value.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// The record (its body taken out: read [`Loaded::value`]).
    pub record: StoredRecord,
    /// The body as its domain type.
    pub value: T,
}

impl<T> Loaded<T> {
    /// The record's id.
    pub fn id(&self) -> i64 {
        self.record.id
    }
}

/// What the system itself may read, for checks that must see every record whatever the
/// reader may: numbering (a number must not repeat one the reader cannot see) and dependency
/// cycles. Nothing read this way is shown.
pub fn system_scope() -> ReadScope {
    ReadScope::of(&Actor {
        admin: true,
        ..Actor::anonymous()
    })
}

/// Access metadata for a record of a partnership.
pub fn meta(
    area: Area,
    partnership_id: i64,
    owner: Option<GssCode>,
    classification: Classification,
) -> RecordMeta {
    RecordMeta {
        area,
        partnership_id: Some(partnership_id),
        owner,
        classification,
        embargo: None,
    }
}

/// Parses a slug-named enum of the domain (`"kebab-case"` names), naming the field on refusal.
pub fn parse_slug<T: DeserializeOwned>(field: &str, text: &str, what: &str) -> Result<T, Invalid> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_owned()))
        .map_err(|_| Invalid::field(field, format!("“{text}” is not {what}")))
}
