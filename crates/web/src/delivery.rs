//! Delivery and governance records: how projects, boards, papers, decisions, the RAID log and
//! the reports are kept in the store's classified `records` table, and read back as the
//! domain's values.
//!
//! Each domain aggregate is split where access control needs it: a board's papers and
//! decisions are records of their own (a paper is embargoed until the decision record it
//! informs is written as made, MOU 5.5), while its meetings, agendas and minutes stay in the
//! board's record. Pages, the API and the demo loader all read and write through this module,
//! so they agree on the shape of every record.
//!
//! | kind | body | parent | status | key date |
//! |---|---|---|---|---|
//! | `project` | [`Project`] | — | outcome | start |
//! | `escalation` | [`EscalationNotice`] (a tolerance exception) | project | `open` | escalated on |
//! | `board` | [`Board`] without papers or decisions | — | level | — |
//! | `decision` | [`Decision`] | board | `made` or `pending` | made on, or taken on |
//! | `paper` | [`PaperBody`] | board | — | meeting date |
//! | `highlight_report` | [`HighlightReport`] | project | `draft` or `published` | period end |
//! | `progress_report` | [`Snapshot`]`<`[`ProgressReport`]`>` | — | `published` | published on |

use accord_domain::access::{Actor, Area, Classification, ReadScope, RecordMeta};
use accord_domain::board::{
    AgendaItem, AgendaSource, Board, BoardLevel, Decision, EscalationNotice, Meeting,
    MeetingStatus, Paper,
};
use accord_domain::highlight_report::{HighlightReport, Snapshot};
use accord_domain::progress_report::ProgressReport;
use accord_domain::project::{Outcome, Project};
use accord_domain::raid::{RaidItem, escalation_agenda};
use accord_domain::{GssCode, Invalid};
use accord_store::{Change, RecordInput, RecordQuery, Store, StoreError, StoredRecord};
use chrono::{Datelike, NaiveDate};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

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

/// A paper as stored: the domain's paper, the meeting it was presented to and its summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct PaperBody {
    /// The meeting's number within its board.
    pub meeting: u32,
    /// The paper: number, title, author, the decision it informs, its release state.
    pub paper: Paper,
    /// What it says, in brief (the paper itself is usually a document held elsewhere).
    #[serde(default)]
    pub summary: String,
}

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

/// The partnership's boards the reader may see, lowest first.
pub async fn boards(
    store: &dyn Store,
    partnership_id: i64,
    scope: &ReadScope,
    today: NaiveDate,
) -> Result<Vec<Loaded<Board>>, StoreError> {
    let mut boards: Vec<Loaded<Board>> =
        load_all(store, &RecordQuery::of(BOARD, partnership_id), scope, today).await?;
    boards.sort_by_key(|b| (b.value.level, b.id()));
    Ok(boards)
}

/// The record input for a board: its meetings, agendas and minutes, never its papers (which
/// are records of their own, some embargoed), the agenda lines of those papers, or its
/// decisions (records of their own).
pub fn board_input(board: &Board, meta: RecordMeta) -> Result<RecordInput, StoreError> {
    let mut stored = board.clone();
    stored.decisions.clear();
    for meeting in &mut stored.meetings {
        meeting.papers.clear();
        meeting
            .agenda
            .retain(|item| !matches!(item.source, AgendaSource::Paper { .. }));
    }
    Ok(RecordInput::new(BOARD, meta, board.name.clone(), &stored)?.status(board.level.slug()))
}

/// A board's decisions the reader may see, in log order.
pub async fn decisions(
    store: &dyn Store,
    board: &StoredRecord,
    scope: &ReadScope,
    today: NaiveDate,
) -> Result<Vec<Loaded<Decision>>, StoreError> {
    let Some(partnership_id) = board.meta.partnership_id else {
        return Ok(Vec::new());
    };
    let query = RecordQuery {
        parent_id: Some(board.id),
        ..RecordQuery::of(DECISION, partnership_id)
    };
    let mut out: Vec<Loaded<Decision>> = load_all(store, &query, scope, today).await?;
    out.sort_by_key(|d| d.value.number);
    Ok(out)
}

/// A board's papers the reader may see, by meeting and number.
pub async fn papers(
    store: &dyn Store,
    board: &StoredRecord,
    scope: &ReadScope,
    today: NaiveDate,
) -> Result<Vec<Loaded<PaperBody>>, StoreError> {
    let Some(partnership_id) = board.meta.partnership_id else {
        return Ok(Vec::new());
    };
    let query = RecordQuery {
        parent_id: Some(board.id),
        ..RecordQuery::of(PAPER, partnership_id)
    };
    let mut out: Vec<Loaded<PaperBody>> = load_all(store, &query, scope, today).await?;
    out.sort_by_key(|p| (p.value.meeting, p.value.paper.number));
    Ok(out)
}

/// The status of a decision record: made once every Cabinet approval it needs is given.
pub fn decision_status(decision: &Decision) -> &'static str {
    if decision.made_on().is_some() {
        MADE
    } else {
        PENDING
    }
}

/// The record input for a decision of a board.
pub fn decision_input(
    decision: &Decision,
    board_id: i64,
    meta: RecordMeta,
) -> Result<RecordInput, StoreError> {
    Ok(
        RecordInput::new(DECISION, meta, decision.title.clone(), decision)?
            .parent(board_id)
            .status(decision_status(decision))
            .key_date(decision.made_on().or(Some(decision.taken_on))),
    )
}

/// A board with every decision and paper the system holds for it, for domain rules that
/// number papers and decisions and check that a paper's decision exists. Never shown.
pub async fn full_board(
    store: &dyn Store,
    board: &Loaded<Board>,
    today: NaiveDate,
) -> Result<Board, StoreError> {
    let scope = system_scope();
    let mut full = board.value.clone();
    full.decisions = decisions(store, &board.record, &scope, today)
        .await?
        .into_iter()
        .map(|d| d.value)
        .collect();
    for paper in papers(store, &board.record, &scope, today).await? {
        if let Some(meeting) = full
            .meetings
            .iter_mut()
            .find(|m| m.number == paper.value.meeting)
        {
            meeting.papers.push(paper.value.paper);
        }
    }
    Ok(full)
}

/// One line of a meeting's agenda as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgendaLine {
    /// An item stored with the meeting (standing items, items the chair added, and escalated
    /// items kept when the meeting was minuted).
    Item(AgendaItem),
    /// A paper the reader may see.
    Paper {
        /// The paper record.
        record_id: i64,
        /// The paper's number in the meeting.
        number: u32,
        /// Its title.
        title: String,
    },
    /// An item escalated to the board since its previous meeting.
    Escalated(AgendaItem),
}

impl AgendaLine {
    /// The line's title.
    pub fn title(&self) -> &str {
        match self {
            AgendaLine::Item(item) | AgendaLine::Escalated(item) => &item.title,
            AgendaLine::Paper { title, .. } => title,
        }
    }
}

/// The escalated items due on each board's agenda: open RAID items escalated to it, and
/// tolerance exceptions, each on the receiving board's first meeting after the day it was
/// escalated (see [`escalation_agenda`]).
pub fn escalation_notices(
    raid: &[RaidItem],
    exceptions: &[EscalationNotice],
) -> Vec<EscalationNotice> {
    let mut notices: Vec<EscalationNotice> = raid
        .iter()
        .filter_map(RaidItem::escalation_notice)
        .collect();
    notices.extend(exceptions.iter().cloned());
    notices
}

/// A meeting's agenda for a reader: the items stored with it, the papers the reader may see,
/// and — while the meeting is still to be held — the items escalated to it. A held meeting's
/// agenda is what was kept when it was minuted, so it never changes afterwards.
pub fn agenda(
    board: &Board,
    meeting: &Meeting,
    papers: &[Loaded<PaperBody>],
    all_boards: &[Board],
    notices: &[EscalationNotice],
) -> Vec<AgendaLine> {
    let mut lines: Vec<AgendaLine> = meeting
        .agenda
        .iter()
        .filter(|i| !matches!(i.source, AgendaSource::Paper { .. }))
        .cloned()
        .map(AgendaLine::Item)
        .collect();
    for paper in papers.iter().filter(|p| p.value.meeting == meeting.number) {
        lines.push(AgendaLine::Paper {
            record_id: paper.id(),
            number: paper.value.paper.number,
            title: paper.value.paper.title.clone(),
        });
    }
    if meeting.status != MeetingStatus::Held {
        for planned in escalation_agenda(all_boards, notices).items {
            if planned.board == board.level
                && planned.meeting == meeting.number
                && !meeting
                    .agenda
                    .iter()
                    .any(|i| i.source == planned.item.source)
            {
                lines.push(AgendaLine::Escalated(planned.item));
            }
        }
    }
    lines
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

/// Whether a day is a working day in England and Wales (weekends and bank holidays are not),
/// for moving generated board meetings off holidays. Built once for the years asked about.
pub fn working_day_predicate(first: NaiveDate, last: NaiveDate) -> impl Fn(NaiveDate) -> bool {
    use accord_domain::working_days::Division;
    use accord_domain::working_days::rules::{computed_holidays, is_weekend};
    let holidays: HashSet<NaiveDate> = (first.year()..=last.year().saturating_add(1))
        .filter(|y| {
            (accord_domain::working_days::FIRST_YEAR..=accord_domain::working_days::LAST_YEAR)
                .contains(y)
        })
        .flat_map(|y| computed_holidays(Division::EnglandAndWales, y))
        .map(|h| h.date)
        .collect();
    move |day| !is_weekend(day) && !holidays.contains(&day)
}

/// Parses a slug-named enum of the domain (`"kebab-case"` names), naming the field on refusal.
pub fn parse_slug<T: DeserializeOwned>(field: &str, text: &str, what: &str) -> Result<T, Invalid> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_owned()))
        .map_err(|_| Invalid::field(field, format!("“{text}” is not {what}")))
}

/// The board of a level among those loaded.
pub fn board_of(boards: &[Loaded<Board>], level: BoardLevel) -> Option<&Loaded<Board>> {
    boards.iter().find(|b| b.value.level == level)
}
