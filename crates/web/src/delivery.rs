//! Delivery records in the store's generic `records` table, read back as the domain's values:
//! projects, escalated tolerance exceptions and the reports. (Boards, papers, decisions and the
//! RAID log have tables of their own, reached through the application layer.)
//!
//! | kind | body | parent | status | key date |
//! |---|---|---|---|---|
//! | `project` | [`Project`] | — | outcome | start |
//! | `escalation` | [`EscalationNotice`] (a tolerance exception) | project | `open` | escalated on |
//! | `highlight_report` | [`HighlightReport`] | project | `draft` or `published` | period end |
//! | `progress_report` | [`Snapshot`]`<`[`ProgressReport`]`>` | — | `published` | published on |

use accord_domain::access::{Actor, Area, Classification, ReadScope, RecordMeta};
use accord_domain::board::EscalationNotice;
use accord_domain::highlight_report::{HighlightReport, Snapshot};
use accord_domain::progress_report::ProgressReport;
use accord_domain::project::{Outcome, Project};
use accord_domain::{GssCode, Invalid};
use accord_store::{Change, RecordInput, RecordQuery, Store, StoreError, StoredRecord};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use std::collections::HashMap;

/// The kind of a project record.
pub const PROJECT: &str = "project";
/// The kind of an escalated tolerance exception.
pub const ESCALATION: &str = "escalation";
/// The kind of a board record.
pub const BOARD: &str = "board";
/// The kind of a decision record; written with status [`MADE`], it releases its papers.
pub const DECISION: &str = accord_store::records::DECISION_KIND;
/// The kind of a board paper.
pub const PAPER: &str = "paper";
/// The kind of a highlight report (its draft and published versions).
pub const HIGHLIGHT_REPORT: &str = "highlight_report";
/// The kind of a published programme progress report.
pub const PROGRESS_REPORT: &str = "progress_report";

/// The status of a decision that has been made (every Cabinet approval given).
pub const MADE: &str = accord_store::records::DECISION_MADE;
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

/// Decodes a record's body, taking it out of the record (bodies can be large; decoding from
/// the owned value avoids a copy).
pub fn decode<T: DeserializeOwned>(mut record: StoredRecord) -> Result<Loaded<T>, StoreError> {
    let body = std::mem::take(&mut record.body);
    let value = serde_json::from_value(body).map_err(|e| record.corrupt(e))?;
    Ok(Loaded { record, value })
}

/// Every record of a kind in a partnership that `scope` may read, decoded.
pub async fn load_all<T: DeserializeOwned>(
    store: &dyn Store,
    query: &RecordQuery,
    scope: &ReadScope,
    today: NaiveDate,
) -> Result<Vec<Loaded<T>>, StoreError> {
    // Straight from the stored text into `T`: lists such as the RAID log decode thousands.
    store
        .records_raw(query, scope, today)
        .await?
        .into_iter()
        .map(|(record, body)| {
            let value = record.decode_text(&body)?;
            Ok(Loaded { record, value })
        })
        .collect()
}

/// The names of a partnership's projects that `scope` may read, by record id: each project
/// record's title is its name, so no body is parsed (lists name projects for every row).
pub async fn project_titles(
    store: &dyn Store,
    partnership_id: i64,
    scope: &ReadScope,
    today: NaiveDate,
) -> Result<HashMap<i64, String>, StoreError> {
    Ok(store
        .records_raw(&RecordQuery::of(PROJECT, partnership_id), scope, today)
        .await?
        .into_iter()
        .map(|(record, _)| (record.id, record.title))
        .collect())
}

/// A project record decoded, its id set from the record.
pub fn project_of(record: StoredRecord) -> Result<Loaded<Project>, StoreError> {
    let mut loaded = decode::<Project>(record)?;
    loaded.value.id = loaded.record.id;
    Ok(loaded)
}

/// The partnership's projects the reader may see, oldest first.
pub async fn projects(
    store: &dyn Store,
    partnership_id: i64,
    scope: &ReadScope,
    today: NaiveDate,
) -> Result<Vec<Loaded<Project>>, StoreError> {
    store
        .records(&RecordQuery::of(PROJECT, partnership_id), scope, today)
        .await?
        .into_iter()
        .map(project_of)
        .collect()
}

/// The status a project record is listed by: its outcome.
pub fn project_status(project: &Project) -> String {
    match &project.outcome {
        Outcome::BeingImplemented => "being-implemented",
        Outcome::BusinessCaseInDevelopment => "business-case-in-development",
        Outcome::UnderEvaluation => "under-evaluation",
        Outcome::CollaborationOnly => "collaboration-only",
        Outcome::NotPursuedMarketTesting => "not-pursued-market-testing",
        Outcome::ReEvaluate { .. } => "re-evaluate",
        Outcome::NotStated => "not-stated",
    }
    .to_owned()
}

/// The record input for a project.
pub fn project_input(project: &Project, meta: RecordMeta) -> Result<RecordInput, StoreError> {
    Ok(
        RecordInput::new(PROJECT, meta, project.name.clone(), project)?
            .status(project_status(project))
            .key_date(project.start),
    )
}

/// Escalates to the Programme Board every tolerance exception of a project not escalated yet,
/// dated `today`: each becomes an `escalation` record under the project, and so an item on the
/// receiving board's next agenda. Returns how many were escalated.
pub async fn escalate_exceptions(
    store: &dyn Store,
    project: &Loaded<Project>,
    today: NaiveDate,
    change: &Change,
) -> Result<usize, StoreError> {
    let Some(partnership_id) = project.record.meta.partnership_id else {
        return Ok(0);
    };
    let exceptions = project.value.exceptions(today);
    if exceptions.is_empty() {
        return Ok(0);
    }
    let query = RecordQuery {
        parent_id: Some(project.id()),
        ..RecordQuery::of(ESCALATION, partnership_id)
    };
    let existing: Vec<Loaded<EscalationNotice>> =
        load_all(store, &query, &system_scope(), today).await?;
    let mut added = 0;
    for exception in exceptions {
        let notice = exception.notice(today);
        if existing.iter().any(|e| e.value.from == notice.from) {
            continue;
        }
        let input = RecordInput::new(
            ESCALATION,
            project.record.meta.clone(),
            notice.title.clone(),
            &notice,
        )?
        .parent(project.id())
        .status("open")
        .key_date(Some(today));
        store.insert_record(&input, change).await?;
        added += 1;
    }
    Ok(added)
}

/// Escalates every project's new tolerance exceptions, in every partnership, dated `today`:
/// a date can pass without anyone touching its project, and its exception must still reach
/// the Programme Board. Run by the server's periodic sweep. Returns how many were escalated.
pub async fn escalate_all_exceptions(
    store: &dyn Store,
    today: NaiveDate,
    change: &Change,
) -> Result<usize, StoreError> {
    let mut escalated = 0;
    for partnership in store.partnerships().await? {
        for project in projects(store, partnership.id, &system_scope(), today).await? {
            escalated += escalate_exceptions(store, &project, today, change).await?;
        }
    }
    Ok(escalated)
}

/// The escalated tolerance exceptions of a partnership the reader may see.
pub async fn escalations(
    store: &dyn Store,
    partnership_id: i64,
    scope: &ReadScope,
    today: NaiveDate,
) -> Result<Vec<Loaded<EscalationNotice>>, StoreError> {
    load_all(
        store,
        &RecordQuery::of(ESCALATION, partnership_id),
        scope,
        today,
    )
    .await
}

/// The record input for a highlight report of a project.
pub fn highlight_input(
    report: &HighlightReport,
    project: &Project,
    meta: RecordMeta,
) -> Result<RecordInput, StoreError> {
    let title = format!(
        "{}: {} to {}",
        project.name,
        accord_domain::mou::long_date(report.draft.period_start),
        accord_domain::mou::long_date(report.draft.period_end)
    );
    let status = if report.versions().is_empty() {
        "draft"
    } else {
        "published"
    };
    Ok(RecordInput::new(HIGHLIGHT_REPORT, meta, title, report)?
        .parent(project.id)
        .status(status)
        .key_date(Some(report.draft.period_end)))
}

/// The record input for a published progress report.
pub fn progress_input(
    snapshot: &Snapshot<ProgressReport>,
    meta: RecordMeta,
) -> Result<RecordInput, StoreError> {
    let title = format!(
        "{} (version {}, published {})",
        snapshot.content().title,
        snapshot.version(),
        accord_domain::mou::long_date(snapshot.published_on())
    );
    Ok(RecordInput::new(PROGRESS_REPORT, meta, title, snapshot)?
        .status("published")
        .key_date(Some(snapshot.published_on())))
}

/// Parses a slug-named enum of the domain (`"kebab-case"` names), naming the field on refusal.
pub fn parse_slug<T: DeserializeOwned>(field: &str, text: &str, what: &str) -> Result<T, Invalid> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_owned()))
        .map_err(|_| Invalid::field(field, format!("“{text}” is not {what}")))
}
