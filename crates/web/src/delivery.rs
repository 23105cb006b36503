//! Governance records: how boards, papers and decisions are kept in the store's classified
//! `records` table, and read back as the domain's values; with the kinds of the delivery
//! records, which have tables of their own and are read and written through the use cases of
//! `accord_app::delivery`.
//!
//! Each domain aggregate is split where access control needs it: a board's papers and
//! decisions are records of their own (a paper is embargoed until the decision record it
//! informs is written as made, MOU 5.5), while its meetings, agendas and minutes stay in the
//! board's record. Pages, the API and the demo loader all read and write through this module,
//! so they agree on the shape of every record.
//!
//! | kind | body | parent | status | key date |
//! |---|---|---|---|---|
//! | `board` | [`Board`] without papers or decisions | — | level | — |
//! | `decision` | [`Decision`] | board | `made` or `pending` | made on, or taken on |
//! | `paper` | [`PaperBody`] | board | — | meeting date |

use accord_domain::access::{Actor, Area, Classification, ReadScope, RecordMeta};
use accord_domain::board::{
    AgendaItem, AgendaSource, Board, BoardLevel, Decision, EscalationNotice, Meeting,
    MeetingStatus, Paper,
};
use accord_domain::raid::{RaidItem, escalation_agenda};
use accord_domain::{GssCode, Invalid};
use accord_store::{RecordInput, RecordQuery, Store, StoreError, StoredRecord};
use chrono::{Datelike, NaiveDate};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The kind of a project record (kept in a table of its own).
pub const PROJECT: &str = accord_store::delivery::PROJECT_KIND;
/// The kind of an escalated tolerance exception (kept in a table of its own).
pub const ESCALATION: &str = accord_store::delivery::ESCALATION_KIND;
/// The kind of a board record.
pub const BOARD: &str = "board";
/// The kind of a decision record; written with status [`MADE`], it releases its papers.
pub const DECISION: &str = accord_store::records::DECISION_KIND;
/// The kind of a board paper.
pub const PAPER: &str = "paper";
/// The kind of a highlight report (kept in a table of its own).
pub const HIGHLIGHT_REPORT: &str = accord_store::delivery::HIGHLIGHT_KIND;
/// The kind of a published programme progress report (kept in a table of its own).
pub const PROGRESS_REPORT: &str = accord_store::delivery::PROGRESS_KIND;

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

/// The escalated tolerance exceptions of a partnership the reader may see, each with its
/// record's header, for the boards' agendas.
pub async fn escalations(
    store: &dyn Store,
    partnership_id: i64,
    scope: &ReadScope,
    today: NaiveDate,
) -> Result<Vec<Loaded<EscalationNotice>>, StoreError> {
    Ok(store
        .escalations(partnership_id, scope, today)
        .await?
        .into_iter()
        .map(|e| Loaded {
            record: accord_store::delivery::escalation_snapshot(&e),
            value: e.notice,
        })
        .collect())
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
