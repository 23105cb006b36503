//! The tables of governance (Schedule 3): boards with their meetings, the papers presented to
//! them, and their decisions logs.
//!
//! A board's value is kept without its papers and decisions: those are records of their own,
//! because a paper is embargoed until the decision it informs is made (MOU 5.5) and each needs
//! its own access class. A decision written as made releases, in its own transaction, every
//! paper embargoed until it.

use crate::backend::{Bind, bind_all};
use crate::records::{DECISION_KIND, DECISION_MADE, meta_from_columns};
use crate::scope::visible;
use crate::write::{Header, PgWrite, SqliteWrite};
use crate::{Change, PgStore, Result, SqliteStore, StoreError};
use accord_domain::GssCode;
use accord_domain::access::{ReadScope, RecordMeta};
use accord_domain::audit::AuditAction;
use accord_domain::board::{
    AgendaItem, AgendaSource, Board, BoardLevel, BoardMember, CabinetApprovals, Cadence, Decision,
    Meeting, MeetingStatus, Minutes, Paper, PaperRelease,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

/// The kind of a board's record.
pub const BOARD_KIND: &str = "board";
/// The kind of a paper's record.
pub const PAPER_KIND: &str = "paper";

/// A board as stored: its meetings, agendas and minutes, never its papers or decisions.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBoard {
    /// The board's record id.
    pub record_id: i64,
    /// The version a change must name.
    pub version: i64,
    /// Who may see and change it.
    pub meta: RecordMeta,
    /// The board, with `decisions` empty and no papers in its meetings.
    pub board: Board,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A paper as stored: the meeting it was presented to, the paper and its summary.
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

/// A paper with its record.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPaper {
    /// The paper's record id.
    pub record_id: i64,
    /// The version a change must name.
    pub version: i64,
    /// Who may see it: embargoed until its decision or date, then released.
    pub meta: RecordMeta,
    /// The board's record id.
    pub board_id: i64,
    /// The paper and its meeting.
    pub body: PaperBody,
    /// The date of the meeting it was presented to, when the board has the meeting.
    pub meeting_date: Option<NaiveDate>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A decision with its record.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDecision {
    /// The decision's record id.
    pub record_id: i64,
    /// The version a change must name.
    pub version: i64,
    /// Who may see it.
    pub meta: RecordMeta,
    /// The board's record id.
    pub board_id: i64,
    /// The decision.
    pub decision: Decision,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Reading governance records, filtered by the reader's scope.
#[async_trait]
pub trait GovernanceStore: Send + Sync {
    /// The partnership's boards the scope may read, lowest first.
    async fn boards(
        &self,
        partnership_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredBoard>>;

    /// One board by its record id.
    async fn board(
        &self,
        board_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredBoard>>;

    /// A board's papers the scope may read, by meeting and number.
    async fn papers(
        &self,
        board_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredPaper>>;

    /// One paper by its record id.
    async fn paper(
        &self,
        paper_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredPaper>>;

    /// A board's decisions the scope may read, in log order.
    async fn decisions(
        &self,
        board_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredDecision>>;

    /// One decision by its record id.
    async fn decision(
        &self,
        decision_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredDecision>>;

    /// A page of the partnership's decisions log across its boards, newest first, and how
    /// many there are in all.
    async fn decisions_log(
        &self,
        partnership_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<StoredDecision>, i64)>;
}

/// Changing governance records, inside a [`crate::WriteTx`].
#[async_trait]
pub trait GovernanceTx: Send {
    /// A board with every paper and decision it holds (whoever asks; nothing read is shown),
    /// for the rules that number papers and decisions and check what a paper informs.
    async fn full_board(
        &mut self,
        board_id: i64,
    ) -> Result<Option<(StoredBoard, Vec<StoredPaper>, Vec<StoredDecision>)>>;

    /// The partnership's boards, whoever asks.
    async fn boards_for_change(&mut self, partnership_id: i64) -> Result<Vec<StoredBoard>>;

    /// Writes a new board with its audit entry.
    async fn insert_board(
        &mut self,
        meta: &RecordMeta,
        board: &Board,
        change: &Change,
    ) -> Result<StoredBoard>;

    /// Writes a changed board (its meetings, agendas, minutes, members, rotation) from the
    /// version `from` was read at.
    async fn update_board(
        &mut self,
        from: &StoredBoard,
        board: &Board,
        change: &Change,
    ) -> Result<StoredBoard>;

    /// Files a paper with its audit entry.
    async fn insert_paper(
        &mut self,
        meta: &RecordMeta,
        board_id: i64,
        body: &PaperBody,
        meeting_date: Option<NaiveDate>,
        change: &Change,
    ) -> Result<StoredPaper>;

    /// Writes a changed paper (and its access, when it is released) from the version `from`
    /// was read at.
    async fn update_paper(
        &mut self,
        from: &StoredPaper,
        meta: &RecordMeta,
        body: &PaperBody,
        change: &Change,
    ) -> Result<StoredPaper>;

    /// Records a decision with its audit entry; a decision made releases the papers
    /// embargoed until it.
    async fn insert_decision(
        &mut self,
        meta: &RecordMeta,
        board_id: i64,
        decision: &Decision,
        change: &Change,
    ) -> Result<StoredDecision>;

    /// Writes a changed decision (a Cabinet approval given) from the version `from` was read
    /// at; if it is now made, its papers are released in the same transaction.
    async fn update_decision(
        &mut self,
        from: &StoredDecision,
        decision: &Decision,
        change: &Change,
    ) -> Result<StoredDecision>;
}

const HEADER: &str = "r.area, r.partnership_id, r.owner_gss, r.classification, r.embargo_until, \
     r.embargo_decision_id, r.release_class, r.version, r.updated_at";

fn meta_of(
    id: i64,
    area: &str,
    partnership_id: Option<i64>,
    owner: Option<&str>,
    classification: &str,
    (until, decision, release): (Option<NaiveDate>, Option<i64>, Option<&str>),
) -> Result<RecordMeta> {
    meta_from_columns(
        area,
        partnership_id,
        owner,
        classification,
        until,
        decision,
        release,
    )
    .map_err(|e| StoreError::Corrupt(format!("record {id}: {e}")))
}

fn slug<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| StoreError::Corrupt(format!("“{text}” is not a {what}")))
}

fn number(what: &str, n: i32) -> Result<u32> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what} {n} is negative")))
}

#[derive(Debug, sqlx::FromRow)]
struct BoardRow {
    record_id: i64,
    level: String,
    name: String,
    cadence: Json<Cadence>,
    councils: Json<Vec<GssCode>>,
    chair_rotation: Json<Vec<GssCode>>,
    meetings_per_chair: i32,
    default_duration_minutes: i32,
    members: Json<Vec<BoardMember>>,
    last_meeting_number: i32,
    source: Option<String>,
    area: String,
    partnership_id: Option<i64>,
    owner_gss: Option<String>,
    classification: String,
    embargo_until: Option<NaiveDate>,
    embargo_decision_id: Option<i64>,
    release_class: Option<String>,
    version: i64,
    updated_at: DateTime<Utc>,
}

const BOARD_COLUMNS: &str = "d.record_id, d.level, d.name, d.cadence, d.councils, d.chair_rotation, \
     d.meetings_per_chair, d.default_duration_minutes, d.members, d.last_meeting_number, d.source";

#[derive(Debug, sqlx::FromRow)]
struct MeetingRow {
    board_id: i64,
    number: i32,
    date: NaiveDate,
    start_time: Option<String>,
    duration_minutes: i32,
    location: Option<String>,
    chair_gss: Option<String>,
    status: String,
    agenda: Json<Vec<AgendaItem>>,
    minutes: Option<Json<Minutes>>,
}

impl MeetingRow {
    fn into_meeting(self) -> Result<Meeting> {
        Ok(Meeting {
            number: number("meeting", self.number)?,
            date: self.date,
            start_time: self
                .start_time
                .map(|t| {
                    NaiveTime::parse_from_str(&t, "%H:%M:%S")
                        .map_err(|e| StoreError::Corrupt(format!("meeting time {t}: {e}")))
                })
                .transpose()?,
            duration_minutes: u32::try_from(self.duration_minutes).unwrap_or_default(),
            location: self.location,
            chair: self
                .chair_gss
                .map(|c| GssCode::parse("chair", &c))
                .transpose()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            status: slug("meeting status", &self.status)?,
            agenda: self.agenda.0,
            papers: Vec::new(),
            minutes: self.minutes.map(|m| m.0),
        })
    }
}

impl BoardRow {
    fn into_stored(self, meetings: Vec<Meeting>) -> Result<StoredBoard> {
        let meta = meta_of(
            self.record_id,
            &self.area,
            self.partnership_id,
            self.owner_gss.as_deref(),
            &self.classification,
            (
                self.embargo_until,
                self.embargo_decision_id,
                self.release_class.as_deref(),
            ),
        )?;
        Ok(StoredBoard {
            record_id: self.record_id,
            version: self.version,
            meta,
            board: Board {
                level: slug::<BoardLevel>("board", &self.level)?,
                name: self.name,
                cadence: self.cadence.0,
                councils: self.councils.0,
                chair_rotation: self.chair_rotation.0,
                meetings_per_chair: u32::try_from(self.meetings_per_chair).unwrap_or(1),
                default_duration_minutes: u32::try_from(self.default_duration_minutes)
                    .unwrap_or(90),
                members: self.members.0,
                meetings,
                last_meeting_number: number("meeting", self.last_meeting_number)?,
                decisions: Vec::new(),
                source: self.source,
            },
            updated_at: self.updated_at,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
struct PaperRow {
    record_id: i64,
    board_id: i64,
    meeting: i32,
    number: i32,
    title: String,
    author: String,
    informs: Option<i32>,
    release: String,
    released_on: Option<NaiveDate>,
    exempt_reason: Option<String>,
    summary: String,
    meeting_date: Option<NaiveDate>,
    area: String,
    partnership_id: Option<i64>,
    owner_gss: Option<String>,
    classification: String,
    embargo_until: Option<NaiveDate>,
    embargo_decision_id: Option<i64>,
    release_class: Option<String>,
    version: i64,
    updated_at: DateTime<Utc>,
}

const PAPER_COLUMNS: &str = "d.record_id, d.board_id, d.meeting, d.number, d.title, d.author, d.informs, \
     d.release, d.released_on, d.exempt_reason, d.summary, \
     (SELECT m.date FROM board_meetings m WHERE m.board_id = d.board_id AND m.number = d.meeting) AS meeting_date";

impl PaperRow {
    fn into_stored(self) -> Result<StoredPaper> {
        let meta = meta_of(
            self.record_id,
            &self.area,
            self.partnership_id,
            self.owner_gss.as_deref(),
            &self.classification,
            (
                self.embargo_until,
                self.embargo_decision_id,
                self.release_class.as_deref(),
            ),
        )?;
        let release = match (self.release.as_str(), self.released_on, self.exempt_reason) {
            ("embargoed", _, _) => PaperRelease::Embargoed,
            ("released", Some(on), _) => PaperRelease::Released { on },
            ("exempt", _, Some(reason)) => PaperRelease::Exempt { reason },
            (other, _, _) => {
                return Err(StoreError::Corrupt(format!(
                    "paper {}: “{other}” is not a release state",
                    self.record_id
                )));
            }
        };
        Ok(StoredPaper {
            record_id: self.record_id,
            version: self.version,
            meta,
            board_id: self.board_id,
            body: PaperBody {
                meeting: number("meeting", self.meeting)?,
                paper: Paper {
                    number: number("paper", self.number)?,
                    title: self.title,
                    author: self.author,
                    informs: self.informs.map(|n| number("decision", n)).transpose()?,
                    release,
                },
                summary: self.summary,
            },
            meeting_date: self.meeting_date,
            updated_at: self.updated_at,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
struct DecisionRow {
    record_id: i64,
    board_id: i64,
    number: i32,
    meeting: Option<i32>,
    taken_on: NaiveDate,
    title: String,
    text: String,
    cabinet: Option<Json<CabinetApprovals>>,
    area: String,
    partnership_id: Option<i64>,
    owner_gss: Option<String>,
    classification: String,
    embargo_until: Option<NaiveDate>,
    embargo_decision_id: Option<i64>,
    release_class: Option<String>,
    version: i64,
    updated_at: DateTime<Utc>,
}

const DECISION_COLUMNS: &str =
    "d.record_id, d.board_id, d.number, d.meeting, d.taken_on, d.title, d.text, d.cabinet";

impl DecisionRow {
    fn into_stored(self) -> Result<StoredDecision> {
        let meta = meta_of(
            self.record_id,
            &self.area,
            self.partnership_id,
            self.owner_gss.as_deref(),
            &self.classification,
            (
                self.embargo_until,
                self.embargo_decision_id,
                self.release_class.as_deref(),
            ),
        )?;
        Ok(StoredDecision {
            record_id: self.record_id,
            version: self.version,
            meta,
            board_id: self.board_id,
            decision: Decision {
                number: number("decision", self.number)?,
                meeting: self.meeting.map(|n| number("meeting", n)).transpose()?,
                taken_on: self.taken_on,
                title: self.title,
                text: self.text,
                cabinet: self.cabinet.map(|c| c.0),
            },
            updated_at: self.updated_at,
        })
    }
}

/// The board as stored: its papers and their agenda lines, and its decisions, are records
/// of their own.
fn stored_board(board: &Board) -> Board {
    let mut stored = board.clone();
    stored.decisions.clear();
    for meeting in &mut stored.meetings {
        meeting.papers.clear();
        meeting
            .agenda
            .retain(|item| !matches!(item.source, AgendaSource::Paper { .. }));
    }
    stored
}

fn board_header<'a>(meta: &'a RecordMeta, board: &'a Board) -> Header<'a> {
    Header {
        kind: BOARD_KIND,
        meta,
        parent_id: None,
        reference: Some(board.level.slug()),
        title: &board.name,
        status: Some(board.level.slug()),
        key_date: None,
    }
}

fn paper_header<'a>(
    meta: &'a RecordMeta,
    board_id: i64,
    body: &'a PaperBody,
    meeting_date: Option<NaiveDate>,
) -> Header<'a> {
    Header {
        kind: PAPER_KIND,
        meta,
        parent_id: Some(board_id),
        reference: None,
        title: &body.paper.title,
        status: None,
        key_date: meeting_date,
    }
}

/// The status of a decision record: made once every Cabinet approval it needs is given.
pub fn decision_status(decision: &Decision) -> &'static str {
    if decision.made_on().is_some() {
        DECISION_MADE
    } else {
        "pending"
    }
}

fn decision_header<'a>(meta: &'a RecordMeta, board_id: i64, decision: &'a Decision) -> Header<'a> {
    Header {
        kind: DECISION_KIND,
        meta,
        parent_id: Some(board_id),
        reference: None,
        title: &decision.title,
        status: Some(decision_status(decision)),
        key_date: decision.made_on().or(Some(decision.taken_on)),
    }
}

fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn release_columns(release: &PaperRelease) -> (&'static str, Option<NaiveDate>, Option<&str>) {
    match release {
        PaperRelease::Embargoed => ("embargoed", None, None),
        PaperRelease::Released { on } => ("released", Some(*on), None),
        PaperRelease::Exempt { reason } => ("exempt", None, Some(reason.as_str())),
    }
}

fn unique(error: sqlx::Error, what: &str) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(format!(
            "{what} is already taken; reload the page and try again"
        )),
        _ => StoreError::Database(error),
    }
}

macro_rules! governance_impl {
    ($store:ident, $write:ident, $conn:ty) => {
        impl $store {
            async fn load_boards(conn: &mut $conn, condition: &str, binds: Vec<Bind>) -> Result<Vec<StoredBoard>> {
                let sql = format!(
                    "SELECT {BOARD_COLUMNS}, {HEADER} FROM boards d JOIN records r ON r.id = d.record_id \
                     WHERE {condition} ORDER BY CASE d.level WHEN 'projects' THEN 0 WHEN 'programme' THEN 1 ELSE 2 END, d.record_id"
                );
                let rows: Vec<BoardRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let ids: Vec<String> = rows.iter().map(|r| r.record_id.to_string()).collect();
                // Ids come from the rows just read: integers, safe to splice.
                let meetings: Vec<MeetingRow> = sqlx::query_as(&format!(
                    "SELECT board_id, number, date, start_time, duration_minutes, location, chair_gss, status, agenda, minutes \
                     FROM board_meetings WHERE board_id IN ({}) ORDER BY board_id, position",
                    ids.join(", ")
                ))
                .fetch_all(&mut *conn)
                .await?;
                let mut by_board: std::collections::HashMap<i64, Vec<Meeting>> = std::collections::HashMap::new();
                for m in meetings {
                    by_board.entry(m.board_id).or_default().push(m.into_meeting()?);
                }
                rows.into_iter()
                    .map(|row| {
                        let meetings = by_board.remove(&row.record_id).unwrap_or_default();
                        row.into_stored(meetings)
                    })
                    .collect()
            }

            async fn load_papers(conn: &mut $conn, condition: &str, binds: Vec<Bind>) -> Result<Vec<StoredPaper>> {
                let sql = format!(
                    "SELECT {PAPER_COLUMNS}, {HEADER} FROM papers d JOIN records r ON r.id = d.record_id \
                     WHERE {condition} ORDER BY d.meeting, d.number"
                );
                let rows: Vec<PaperRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                rows.into_iter().map(PaperRow::into_stored).collect()
            }

            async fn load_decisions(conn: &mut $conn, condition: &str, binds: Vec<Bind>, order: &str) -> Result<Vec<StoredDecision>> {
                let sql = format!(
                    "SELECT {DECISION_COLUMNS}, {HEADER} FROM decisions d JOIN records r ON r.id = d.record_id \
                     WHERE {condition} ORDER BY {order}"
                );
                let rows: Vec<DecisionRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                rows.into_iter().map(DecisionRow::into_stored).collect()
            }

            async fn write_board_rows(conn: &mut $conn, record_id: i64, partnership_id: i64, board: &Board, replace: bool) -> Result<()> {
                if replace {
                    sqlx::query("DELETE FROM board_meetings WHERE board_id = $1").bind(record_id).execute(&mut *conn).await?;
                    sqlx::query(
                        "UPDATE boards SET level = $2, name = $3, cadence = $4, councils = $5, chair_rotation = $6, \
                         meetings_per_chair = $7, default_duration_minutes = $8, members = $9, last_meeting_number = $10, \
                         source = $11 WHERE record_id = $1",
                    )
                    .bind(record_id)
                    .bind(board.level.slug())
                    .bind(&board.name)
                    .bind(Json(&board.cadence))
                    .bind(Json(&board.councils))
                    .bind(Json(&board.chair_rotation))
                    .bind(i64::from(board.meetings_per_chair))
                    .bind(i64::from(board.default_duration_minutes))
                    .bind(Json(&board.members))
                    .bind(i64::from(board.last_meeting_number))
                    .bind(&board.source)
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| unique(e, "A board of this level"))?;
                } else {
                    sqlx::query(
                        "INSERT INTO boards (record_id, partnership_id, level, name, cadence, councils, chair_rotation, \
                         meetings_per_chair, default_duration_minutes, members, last_meeting_number, source) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                    )
                    .bind(record_id)
                    .bind(partnership_id)
                    .bind(board.level.slug())
                    .bind(&board.name)
                    .bind(Json(&board.cadence))
                    .bind(Json(&board.councils))
                    .bind(Json(&board.chair_rotation))
                    .bind(i64::from(board.meetings_per_chair))
                    .bind(i64::from(board.default_duration_minutes))
                    .bind(Json(&board.members))
                    .bind(i64::from(board.last_meeting_number))
                    .bind(&board.source)
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| unique(e, &format!("The partnership's {}", board.level.name())))?;
                }
                for (position, m) in board.meetings.iter().enumerate() {
                    let status = match m.status {
                        MeetingStatus::Scheduled => "scheduled",
                        MeetingStatus::Held => "held",
                        MeetingStatus::Cancelled => "cancelled",
                    };
                    sqlx::query(
                        "INSERT INTO board_meetings (board_id, number, position, date, start_time, duration_minutes, \
                         location, chair_gss, status, agenda, minutes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    )
                    .bind(record_id)
                    .bind(i64::from(m.number))
                    .bind(i64::try_from(position).unwrap_or(i64::MAX))
                    .bind(m.date)
                    .bind(m.start_time.map(|t| t.format("%H:%M:%S").to_string()))
                    .bind(i64::from(m.duration_minutes))
                    .bind(&m.location)
                    .bind(m.chair.as_ref().map(|c| c.as_str().to_owned()))
                    .bind(status)
                    .bind(Json(&m.agenda))
                    .bind(m.minutes.as_ref().map(Json))
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| unique(e, &format!("Meeting {}", m.number)))?;
                }
                Ok(())
            }

            async fn write_paper_row(conn: &mut $conn, record_id: i64, partnership_id: i64, board_id: i64, body: &PaperBody, replace: bool) -> Result<()> {
                if replace {
                    sqlx::query("DELETE FROM papers WHERE record_id = $1").bind(record_id).execute(&mut *conn).await?;
                }
                let (release, released_on, reason) = release_columns(&body.paper.release);
                sqlx::query(
                    "INSERT INTO papers (record_id, partnership_id, board_id, meeting, number, title, author, informs, \
                     release, released_on, exempt_reason, summary) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(record_id)
                .bind(partnership_id)
                .bind(board_id)
                .bind(i64::from(body.meeting))
                .bind(i64::from(body.paper.number))
                .bind(&body.paper.title)
                .bind(&body.paper.author)
                .bind(body.paper.informs.map(i64::from))
                .bind(release)
                .bind(released_on)
                .bind(reason)
                .bind(&body.summary)
                .execute(&mut *conn)
                .await
                .map_err(|e| unique(e, &format!("Paper {} of meeting {}", body.paper.number, body.meeting)))?;
                Ok(())
            }

            async fn write_decision_row(conn: &mut $conn, record_id: i64, partnership_id: i64, board_id: i64, decision: &Decision, replace: bool) -> Result<()> {
                if replace {
                    sqlx::query("DELETE FROM decisions WHERE record_id = $1").bind(record_id).execute(&mut *conn).await?;
                }
                sqlx::query(
                    "INSERT INTO decisions (record_id, partnership_id, board_id, number, meeting, taken_on, title, text, \
                     key_decision, cabinet, made_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(record_id)
                .bind(partnership_id)
                .bind(board_id)
                .bind(i64::from(decision.number))
                .bind(decision.meeting.map(i64::from))
                .bind(decision.taken_on)
                .bind(&decision.title)
                .bind(&decision.text)
                .bind(decision.is_key())
                .bind(decision.cabinet.as_ref().map(Json))
                .bind(decision.made_on())
                .execute(&mut *conn)
                .await
                .map_err(|e| unique(e, &format!("Decision {}", decision.number)))?;
                Ok(())
            }

            /// Moves an earlier release's boards, papers and decisions into their tables.
            pub(crate) async fn upgrade_governance(conn: &mut $conn) -> Result<u64> {
                let mut moved = 0;
                let rows: Vec<(i64, Option<i64>, String)> = sqlx::query_as(
                    "SELECT id, partnership_id, body FROM records WHERE kind = $1 AND body <> 'null' ORDER BY id",
                )
                .bind(BOARD_KIND)
                .fetch_all(&mut *conn)
                .await?;
                for (id, partnership_id, body) in &rows {
                    let board: Board = serde_json::from_str(body)
                        .map_err(|e| StoreError::Corrupt(format!("board record {id}: {e}")))?;
                    let pid = partnership_id.ok_or_else(|| StoreError::Corrupt(format!("board record {id} has no partnership")))?;
                    Self::write_board_rows(conn, *id, pid, &stored_board(&board), false).await?;
                    sqlx::query("UPDATE records SET body = 'null', reference = $2 WHERE id = $1")
                        .bind(id)
                        .bind(board.level.slug())
                        .execute(&mut *conn)
                        .await?;
                    moved += 1;
                }
                for (kind, is_paper) in [(PAPER_KIND, true), (DECISION_KIND, false)] {
                    let rows: Vec<(i64, Option<i64>, Option<i64>, String)> = sqlx::query_as(
                        "SELECT id, partnership_id, parent_id, body FROM records WHERE kind = $1 AND body <> 'null' ORDER BY id",
                    )
                    .bind(kind)
                    .fetch_all(&mut *conn)
                    .await?;
                    for (id, partnership_id, parent, body) in &rows {
                        let corrupt = |e: String| StoreError::Corrupt(format!("{kind} record {id}: {e}"));
                        let pid = partnership_id.ok_or_else(|| corrupt("no partnership".into()))?;
                        let board_id = parent.ok_or_else(|| corrupt("no board".into()))?;
                        if is_paper {
                            let paper: PaperBody = serde_json::from_str(body).map_err(|e| corrupt(e.to_string()))?;
                            Self::write_paper_row(conn, *id, pid, board_id, &paper, false).await?;
                        } else {
                            let decision: Decision = serde_json::from_str(body).map_err(|e| corrupt(e.to_string()))?;
                            Self::write_decision_row(conn, *id, pid, board_id, &decision, false).await?;
                        }
                        sqlx::query("UPDATE records SET body = 'null' WHERE id = $1").bind(id).execute(&mut *conn).await?;
                        moved += 1;
                    }
                }
                Ok(moved)
            }
        }

        #[async_trait]
        impl GovernanceStore for $store {
            async fn boards(&self, partnership_id: i64, scope: &ReadScope, today: NaiveDate) -> Result<Vec<StoredBoard>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.partnership_id = $1 AND {}", visible(scope, today, "r"));
                Self::load_boards(&mut conn, &condition, vec![Bind::Int(partnership_id)]).await
            }

            async fn board(&self, board_id: i64, scope: &ReadScope, today: NaiveDate) -> Result<Option<StoredBoard>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.record_id = $1 AND {}", visible(scope, today, "r"));
                Ok(Self::load_boards(&mut conn, &condition, vec![Bind::Int(board_id)]).await?.pop())
            }

            async fn papers(&self, board_id: i64, scope: &ReadScope, today: NaiveDate) -> Result<Vec<StoredPaper>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.board_id = $1 AND {}", visible(scope, today, "r"));
                Self::load_papers(&mut conn, &condition, vec![Bind::Int(board_id)]).await
            }

            async fn paper(&self, paper_id: i64, scope: &ReadScope, today: NaiveDate) -> Result<Option<StoredPaper>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.record_id = $1 AND {}", visible(scope, today, "r"));
                Ok(Self::load_papers(&mut conn, &condition, vec![Bind::Int(paper_id)]).await?.pop())
            }

            async fn decisions(&self, board_id: i64, scope: &ReadScope, today: NaiveDate) -> Result<Vec<StoredDecision>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.board_id = $1 AND {}", visible(scope, today, "r"));
                Self::load_decisions(&mut conn, &condition, vec![Bind::Int(board_id)], "d.number").await
            }

            async fn decision(&self, decision_id: i64, scope: &ReadScope, today: NaiveDate) -> Result<Option<StoredDecision>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.record_id = $1 AND {}", visible(scope, today, "r"));
                Ok(Self::load_decisions(&mut conn, &condition, vec![Bind::Int(decision_id)], "d.number").await?.pop())
            }

            async fn decisions_log(
                &self,
                partnership_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
                limit: i64,
                offset: i64,
            ) -> Result<(Vec<StoredDecision>, i64)> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.partnership_id = $1 AND {}", visible(scope, today, "r"));
                let order = format!(
                    "d.taken_on DESC, d.record_id DESC LIMIT {} OFFSET {}",
                    limit.clamp(1, 10_000),
                    offset.max(0)
                );
                let page = Self::load_decisions(&mut conn, &condition, vec![Bind::Int(partnership_id)], &order).await?;
                let (count,): (i64,) = sqlx::query_as(&format!(
                    "SELECT COUNT(*) FROM decisions d JOIN records r ON r.id = d.record_id WHERE {condition}"
                ))
                .bind(partnership_id)
                .fetch_one(&mut *conn)
                .await?;
                Ok((page, count))
            }
        }

        #[async_trait]
        impl GovernanceTx for $write {
            async fn full_board(&mut self, board_id: i64) -> Result<Option<(StoredBoard, Vec<StoredPaper>, Vec<StoredDecision>)>> {
                let Some(board) = $store::load_boards(&mut self.tx, "d.record_id = $1", vec![Bind::Int(board_id)]).await?.pop() else {
                    return Ok(None);
                };
                let papers = $store::load_papers(&mut self.tx, "d.board_id = $1", vec![Bind::Int(board_id)]).await?;
                let decisions = $store::load_decisions(&mut self.tx, "d.board_id = $1", vec![Bind::Int(board_id)], "d.number").await?;
                Ok(Some((board, papers, decisions)))
            }

            async fn boards_for_change(&mut self, partnership_id: i64) -> Result<Vec<StoredBoard>> {
                $store::load_boards(&mut self.tx, "d.partnership_id = $1", vec![Bind::Int(partnership_id)]).await
            }

            async fn insert_board(&mut self, meta: &RecordMeta, board: &Board, change: &Change) -> Result<StoredBoard> {
                let pid = meta.partnership_id.ok_or_else(|| accord_domain::Invalid::field("partnership", "A board belongs to a partnership"))?;
                let stored = stored_board(board);
                let header = board_header(meta, &stored);
                let id = $store::insert_header(&mut self.tx, &header, change).await.map_err(|e| match e {
                    StoreError::Database(db) => unique(db, &format!("The partnership's {}", board.level.name())),
                    other => other,
                })?;
                $store::write_board_rows(&mut self.tx, id, pid, &stored, false).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), json(&stored));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(StoredBoard { record_id: id, version: 1, meta: meta.clone(), board: stored, updated_at: change.at })
            }

            async fn update_board(&mut self, from: &StoredBoard, board: &Board, change: &Change) -> Result<StoredBoard> {
                let pid = from.meta.partnership_id.unwrap_or_default();
                let stored = stored_board(board);
                let before_header = board_header(&from.meta, &from.board);
                let after_header = board_header(&from.meta, &stored);
                let what = from.board.name.clone();
                let (version, created) = $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &what, change).await?;
                $store::write_board_rows(&mut self.tx, from.record_id, pid, &stored, true).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created, from.updated_at), json(&from.board));
                let after = after_header.snapshot(from.record_id, version, (created, change.at), json(&stored));
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                Ok(StoredBoard { record_id: from.record_id, version, meta: from.meta.clone(), board: stored, updated_at: change.at })
            }

            async fn insert_paper(
                &mut self,
                meta: &RecordMeta,
                board_id: i64,
                body: &PaperBody,
                meeting_date: Option<NaiveDate>,
                change: &Change,
            ) -> Result<StoredPaper> {
                let pid = meta.partnership_id.ok_or_else(|| accord_domain::Invalid::field("partnership", "A paper belongs to a partnership"))?;
                let header = paper_header(meta, board_id, body, meeting_date);
                let id = $store::insert_header(&mut self.tx, &header, change).await?;
                $store::write_paper_row(&mut self.tx, id, pid, board_id, body, false).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), json(body));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(StoredPaper {
                    record_id: id,
                    version: 1,
                    meta: meta.clone(),
                    board_id,
                    body: body.clone(),
                    meeting_date,
                    updated_at: change.at,
                })
            }

            async fn update_paper(&mut self, from: &StoredPaper, meta: &RecordMeta, body: &PaperBody, change: &Change) -> Result<StoredPaper> {
                let pid = from.meta.partnership_id.unwrap_or_default();
                let before_header = paper_header(&from.meta, from.board_id, &from.body, from.meeting_date);
                let after_header = paper_header(meta, from.board_id, body, from.meeting_date);
                let what = format!("Paper {}", from.body.paper.title);
                let (version, created) = $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &what, change).await?;
                $store::write_paper_row(&mut self.tx, from.record_id, pid, from.board_id, body, true).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created, from.updated_at), json(&from.body));
                let after = after_header.snapshot(from.record_id, version, (created, change.at), json(body));
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                Ok(StoredPaper {
                    record_id: from.record_id,
                    version,
                    meta: meta.clone(),
                    board_id: from.board_id,
                    body: body.clone(),
                    meeting_date: from.meeting_date,
                    updated_at: change.at,
                })
            }

            async fn insert_decision(&mut self, meta: &RecordMeta, board_id: i64, decision: &Decision, change: &Change) -> Result<StoredDecision> {
                let pid = meta.partnership_id.ok_or_else(|| accord_domain::Invalid::field("partnership", "A decision belongs to a partnership"))?;
                let header = decision_header(meta, board_id, decision);
                let id = $store::insert_header(&mut self.tx, &header, change).await?;
                $store::write_decision_row(&mut self.tx, id, pid, board_id, decision, false).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), json(decision));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                if decision.made_on().is_some() {
                    $store::release_for_decision(&mut self.tx, id, change).await?;
                }
                Ok(StoredDecision { record_id: id, version: 1, meta: meta.clone(), board_id, decision: decision.clone(), updated_at: change.at })
            }

            async fn update_decision(&mut self, from: &StoredDecision, decision: &Decision, change: &Change) -> Result<StoredDecision> {
                let pid = from.meta.partnership_id.unwrap_or_default();
                let before_header = decision_header(&from.meta, from.board_id, &from.decision);
                let after_header = decision_header(&from.meta, from.board_id, decision);
                let what = format!("Decision {}", from.decision.number);
                let (version, created) = $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &what, change).await?;
                $store::write_decision_row(&mut self.tx, from.record_id, pid, from.board_id, decision, true).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created, from.updated_at), json(&from.decision));
                let after = after_header.snapshot(from.record_id, version, (created, change.at), json(decision));
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                if decision.made_on().is_some() {
                    $store::release_for_decision(&mut self.tx, from.record_id, change).await?;
                }
                Ok(StoredDecision {
                    record_id: from.record_id,
                    version,
                    meta: from.meta.clone(),
                    board_id: from.board_id,
                    decision: decision.clone(),
                    updated_at: change.at,
                })
            }
        }
    };
}

governance_impl!(SqliteStore, SqliteWrite, sqlx::SqliteConnection);
governance_impl!(PgStore, PgWrite, sqlx::PgConnection);
