//! The register of information-law requests (MOU Schedule 4) in tables of its own: requests,
//! their requesters (personal data), internal reviews, complaints to the Information
//! Commissioner, the public disclosure log and the holidays proclaimed for this instance.
//!
//! Lists read only the page they show: the register, the caseload and the disclosure log are
//! filtered, sorted, counted and paged in SQL, and the statistics and the caseload's counts are
//! `GROUP BY` and `SUM` aggregates. Every read filters by the reader's scope in the same
//! `WHERE`. Writes go through [`RequestTx`] inside a [`crate::WriteTx`], with their audit
//! entries; numbering reads the register's highest number inside that transaction.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::backend::{Bind, bind_all};
use crate::holidays::{HolidaySources, PROCLAIMED_HOLIDAY_KIND};
use crate::records::{StoredRecord, meta_from_columns};
use crate::scope::visible;
use crate::write::{Header, PgWrite, SqliteWrite};
use crate::{Change, PgStore, Result, SqliteStore, StoreError, StoredHoliday};
use accord_domain::access::{Area, Classification, ReadScope, RecordMeta};
use accord_domain::audit::AuditAction;
use accord_domain::request::{
    Attention, Channel, ClockEvent, Complaint, DecisionNotice, DisclosureLogEntry, Draft, DueDates,
    HistoryEntry, InternalReview, Outcome, Quarter, Regime, Request, Requester, Response,
    ResponsePart, ReviewOutcome, SignOff, Stage, StatisticsRecord, Timeliness, WorkflowFlag,
};
use accord_domain::working_days::{
    CalendarScope, Calendars, Division, HolidayTable, ProclaimedHoliday,
};
use accord_domain::{GssCode, Invalid};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::types::Json;

/// A request in the register.
pub const REQUEST_KIND: &str = "request";
/// The person who made a request: personal data, a child of the request.
pub const REQUESTER_KIND: &str = "requester";
/// An internal review of a response, a child of the request.
pub const REVIEW_KIND: &str = "review";
/// A complaint to the Information Commissioner, a child of the request.
pub const COMPLAINT_KIND: &str = "complaint";
/// A released response in the public disclosure log, a published child of the request.
pub const DISCLOSURE_KIND: &str = "disclosure";

/// The longest title a request's record gets; the summary is cut at a word.
const TITLE_CHARS: usize = 150;

/// The sort date of a request whose clock is stopped: after every real date.
fn no_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// A request as stored, with what its reader and a later change need.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRequest {
    /// The record's id (its history and audit entries are filed under it).
    pub record_id: i64,
    /// Increases with every change; a change names the version it was made from.
    pub version: i64,
    /// Who may see and change it.
    pub meta: RecordMeta,
    /// Its place in the register's sequence.
    pub number: u32,
    /// The request, without its requester (kept apart as personal data).
    pub request: Request,
    /// Its due dates as last counted.
    pub dates: DueDates,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A request as lists show it: read from its columns, without its histories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSummary {
    /// The record's id.
    pub record_id: i64,
    /// Its place in the register's sequence.
    pub number: u32,
    /// Its reference.
    pub reference: String,
    /// The law it falls under.
    pub regime: Regime,
    /// Its stage.
    pub stage: Stage,
    /// What was asked for.
    pub summary: String,
    /// The day it was received.
    pub received_on: NaiveDate,
    /// The council that received it.
    pub received_by: GssCode,
    /// The lead council, once agreed.
    pub lead: Option<GssCode>,
    /// The date the response must go by; none while the clock is stopped.
    pub answer_by: Option<NaiveDate>,
    /// The last day to forward it to the single point of contact.
    pub forwarding_due: NaiveDate,
    /// The calendar its working days count in.
    pub calendar: CalendarScope,
}

/// An internal review as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReview {
    /// The review's record id.
    pub record_id: i64,
    /// Its version.
    pub version: i64,
    /// Who may see and change it.
    pub meta: RecordMeta,
    /// The request's record id.
    pub request_id: i64,
    /// The review.
    pub review: InternalReview,
    /// The date its decision is due by, while it is pending.
    pub due: Option<NaiveDate>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A complaint to the Information Commissioner as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredComplaint {
    /// The complaint's record id.
    pub record_id: i64,
    /// Its version.
    pub version: i64,
    /// Who may see and change it.
    pub meta: RecordMeta,
    /// The request's record id.
    pub request_id: i64,
    /// The complaint.
    pub complaint: Complaint,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A holiday proclaimed for this instance, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProclamation {
    /// Its record id.
    pub record_id: i64,
    /// Its version.
    pub version: i64,
    /// Who may see and change it (published, administered).
    pub meta: RecordMeta,
    /// The holiday.
    pub holiday: ProclaimedHoliday,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// An entry of the disclosure log as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDisclosure {
    /// The entry's record id.
    pub record_id: i64,
    /// The entry.
    pub entry: DisclosureLogEntry,
}

impl StoredDisclosure {
    /// The key the log is sorted by, for a cursor after this entry.
    pub fn sort_key(&self) -> (NaiveDate, i64) {
        (self.entry.responded, self.record_id)
    }
}

/// Which page of the disclosure log to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisclosurePage {
    /// Only entries older than this (date answered, record id): a keyset cursor.
    pub before: Option<(NaiveDate, i64)>,
    /// Skip this many (for pages addressed by their number).
    pub offset: i64,
    /// At most this many.
    pub limit: i64,
}

/// Which requests a list holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    /// Only these stages (any, when empty).
    pub stages: Vec<Stage>,
    /// Only this law.
    pub regime: Option<Regime>,
    /// Only those counting for this council (see `Request::owner`).
    pub owner: Option<GssCode>,
    /// Only those whose reference or summary contains this, in any case.
    pub text: Option<String>,
}

/// Which page of a filtered register to read: by the date the response must go by (the clock
/// stopped last), then by number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestPage {
    /// Only requests after this (sort date, number): a keyset cursor, so deep pages cost what
    /// the first does. The sort date of a request whose clock is stopped is 9999-12-31.
    pub after: Option<(NaiveDate, u32)>,
    /// Skip this many (for pages addressed by their number).
    pub offset: i64,
    /// At most this many.
    pub limit: i64,
}

impl RequestSummary {
    /// The key the register is sorted by, for a cursor after this request.
    pub fn sort_key(&self) -> (NaiveDate, u32) {
        (self.answer_by.unwrap_or_else(no_date), self.number)
    }
}

/// A caseload's question: whose, on which day, and the end of "due soon" in each calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseloadQuery {
    /// The council whose single point of contact reads it.
    pub council: GssCode,
    /// Today.
    pub today: NaiveDate,
    /// For each calendar, the first day that is no longer "due soon" (the protocol's window
    /// of working days after today, plus one): a request is due soon when its date falls on
    /// or after today and before this.
    pub soon_before: Vec<(CalendarScope, NaiveDate)>,
}

/// How many open requests a caseload holds, in all and per section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseloadCounts {
    /// The open requests the council counts for.
    pub open: i64,
    /// Per section (a request can be in several).
    pub sections: BTreeMap<Attention, i64>,
}

/// Requests that share what the statistics count them by, and how many there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatisticsGroup {
    /// What they share (their date of receipt is the first day of their quarter).
    pub record: StatisticsRecord,
    /// How many.
    pub count: u32,
}

/// Reading the register.
#[async_trait]
pub trait RequestStore: Send + Sync {
    /// A page of the requests matching `filter` that `scope` may read on `today`.
    async fn request_summaries(
        &self,
        partnership_id: i64,
        filter: &RequestFilter,
        page: &RequestPage,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<RequestSummary>>;

    /// How many requests match `filter` for `scope`.
    async fn count_requests(
        &self,
        partnership_id: i64,
        filter: &RequestFilter,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<i64>;

    /// One request by its reference, if `scope` may read it.
    async fn request(
        &self,
        partnership_id: i64,
        reference: &str,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredRequest>>;

    /// The requester of a request, if `scope` may read personal data.
    async fn requester(
        &self,
        request_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<Requester>>;

    /// The internal review of a request, if there is one `scope` may read.
    async fn review(
        &self,
        request_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredReview>>;

    /// The complaint about a request, if there is one `scope` may read.
    async fn complaint(
        &self,
        request_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredComplaint>>;

    /// Whether the request's response is in the disclosure log (for `scope`).
    async fn in_disclosure_log(
        &self,
        request_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<bool>;

    /// The requests `scope` may read counted by council, regime, quarter of receipt, outcome
    /// and timeliness.
    async fn request_statistics(
        &self,
        partnership_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StatisticsGroup>>;

    /// How many open requests are on a council's caseload, in all and per section.
    async fn caseload_counts(
        &self,
        partnership_id: i64,
        query: &CaseloadQuery,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<CaseloadCounts>;

    /// The first `limit` requests of one section of a council's caseload, soonest due first.
    async fn caseload_section(
        &self,
        partnership_id: i64,
        query: &CaseloadQuery,
        section: Attention,
        limit: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<RequestSummary>>;

    /// Every open request of the partnership that `scope` may read, for the deadline feed.
    async fn open_requests(
        &self,
        partnership_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredRequest>>;

    /// The pending internal reviews of the partnership with their requests' references.
    async fn pending_reviews(
        &self,
        partnership_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<(StoredReview, String)>>;

    /// A page of the disclosure log, newest answer first (then newest record first).
    async fn disclosures(
        &self,
        partnership_id: i64,
        page: &DisclosurePage,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredDisclosure>>;

    /// How many entries the disclosure log holds for `scope`.
    async fn count_disclosures(
        &self,
        partnership_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<i64>;

    /// The holidays proclaimed for this instance, by date.
    async fn proclaimed_holidays(
        &self,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredProclamation>>;

    /// What the holiday table is built from: the imported feed and the proclamations (all
    /// published).
    async fn holiday_sources(&self) -> Result<HolidaySources>;
}

/// Changing the register, inside a [`crate::WriteTx`].
#[async_trait]
pub trait RequestTx: Send {
    /// The register's highest number in the partnership (0 when empty).
    async fn last_request_number(&mut self, partnership_id: i64) -> Result<u32>;

    /// Whether the partnership's register already holds this reference.
    async fn request_reference_taken(
        &mut self,
        partnership_id: i64,
        reference: &str,
    ) -> Result<bool>;

    /// Writes a new request (its requester already taken out) with its audit entry.
    async fn insert_request(
        &mut self,
        meta: &RecordMeta,
        number: u32,
        request: &Request,
        dates: &DueDates,
        change: &Change,
    ) -> Result<StoredRequest>;

    /// Writes the requester of a new request, classified `personal`, with its audit entry
    /// (which withholds who they are).
    async fn insert_requester(
        &mut self,
        request: &StoredRequest,
        requester: &Requester,
        change: &Change,
    ) -> Result<()>;

    /// A request by its reference, to change it.
    async fn request_for_change(
        &mut self,
        partnership_id: i64,
        reference: &str,
    ) -> Result<Option<StoredRequest>>;

    /// Writes a changed request from the version `from` was read at, with its audit entry;
    /// [`StoreError::Conflict`] when someone changed it since.
    async fn update_request(
        &mut self,
        from: &StoredRequest,
        request: &Request,
        dates: &DueDates,
        change: &Change,
    ) -> Result<StoredRequest>;

    /// The internal review of a request, to change it.
    async fn review_for_change(&mut self, request_id: i64) -> Result<Option<StoredReview>>;

    /// Writes the internal review of a request.
    async fn insert_review(
        &mut self,
        request: &StoredRequest,
        review: &InternalReview,
        due: Option<NaiveDate>,
        change: &Change,
    ) -> Result<StoredReview>;

    /// Writes a changed review from the version `from` was read at.
    async fn update_review(
        &mut self,
        request: &StoredRequest,
        from: &StoredReview,
        review: &InternalReview,
        due: Option<NaiveDate>,
        change: &Change,
    ) -> Result<StoredReview>;

    /// The complaint about a request, to change it.
    async fn complaint_for_change(&mut self, request_id: i64) -> Result<Option<StoredComplaint>>;

    /// Writes a complaint about a request.
    async fn insert_complaint(
        &mut self,
        request: &StoredRequest,
        complaint: &Complaint,
        change: &Change,
    ) -> Result<StoredComplaint>;

    /// Writes a changed complaint from the version `from` was read at.
    async fn update_complaint(
        &mut self,
        request: &StoredRequest,
        from: &StoredComplaint,
        complaint: &Complaint,
        change: &Change,
    ) -> Result<StoredComplaint>;

    /// Whether the request's response is already in the disclosure log.
    async fn disclosure_exists(&mut self, request_id: i64) -> Result<bool>;

    /// Publishes a released response in the disclosure log.
    async fn insert_disclosure(
        &mut self,
        request: &StoredRequest,
        entry: &DisclosureLogEntry,
        change: &Change,
    ) -> Result<()>;

    /// Every open request of every partnership, for a recount after the holiday table changed.
    async fn open_requests_everywhere(&mut self) -> Result<Vec<StoredRequest>>;

    /// What the holiday table is built from as stored now, seen by this transaction.
    async fn holiday_sources(&mut self) -> Result<HolidaySources>;

    /// The holiday table as stored now: the imported feed and the proclamations.
    async fn holiday_table(&mut self) -> Result<HolidayTable> {
        self.holiday_sources().await?.table()
    }

    /// A proclaimed holiday by its record id, to remove it.
    async fn proclamation_for_change(
        &mut self,
        record_id: i64,
    ) -> Result<Option<StoredProclamation>>;

    /// Writes a proclaimed holiday.
    async fn insert_proclamation(
        &mut self,
        holiday: &ProclaimedHoliday,
        change: &Change,
    ) -> Result<StoredProclamation>;

    /// Removes a proclaimed holiday.
    async fn delete_proclamation(
        &mut self,
        from: &StoredProclamation,
        change: &Change,
    ) -> Result<()>;
}

// ----- names, headers and columns -----

/// The serde name of a value: `comms_clearance`, `united-kingdom`.
fn slug<T: Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A value from its serde name.
fn parse_slug<T: DeserializeOwned>(what: &str, text: &str) -> std::result::Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| format!("“{text}” is not a known {what}"))
}

fn gss(what: &str, text: &str) -> std::result::Result<GssCode, String> {
    GssCode::parse(what, text).map_err(|e| e.to_string())
}

/// The quarter a date falls in, as stored: year × 10 + quarter.
fn quarter_code(date: NaiveDate) -> i32 {
    let quarter = Quarter::of(date);
    quarter.year * 10 + i32::from(quarter.quarter)
}

fn quarter_of(code: i32) -> std::result::Result<Quarter, String> {
    let quarter = u8::try_from(code.rem_euclid(10)).map_err(|e| e.to_string())?;
    let q = Quarter {
        year: code.div_euclid(10),
        quarter,
    };
    q.first_day()
        .map(|_| q)
        .ok_or_else(|| format!("{code} is not a quarter"))
}

/// The councils that must still sign off, as the caseload searches them: `|A|B|`.
fn awaiting_sign_off(request: &Request) -> String {
    let missing: BTreeSet<String> = request
        .sign_offs_missing()
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    if missing.is_empty() {
        return String::new();
    }
    let mut text = String::from("|");
    for code in missing {
        text.push_str(&code);
        text.push('|');
    }
    text
}

fn title(reference: &str, text: &str) -> String {
    let full = format!("{reference}: {text}");
    if full.chars().count() <= TITLE_CHARS {
        return full;
    }
    let cut: String = full.chars().take(TITLE_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

/// `text` in lower case with `LIKE`'s wildcards escaped, wrapped for "contains".
fn contains_pattern(text: &str) -> String {
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

/// Headers own their title; the header borrows it.
struct Titled {
    title: String,
    status: &'static str,
    key_date: Option<NaiveDate>,
}

fn request_titled(request: &Request, dates: &DueDates) -> Titled {
    Titled {
        title: title(&request.reference, &request.summary),
        status: request.stage.slug(),
        key_date: dates.answer_by,
    }
}

fn header<'a>(
    kind: &'a str,
    meta: &'a RecordMeta,
    parent_id: Option<i64>,
    reference: Option<&'a str>,
    titled: &'a Titled,
) -> Header<'a> {
    Header {
        kind,
        meta,
        parent_id,
        reference,
        title: &titled.title,
        status: Some(titled.status),
        key_date: titled.key_date,
    }
}

fn body<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// The header metadata of a request's child: in the request's area and partnership, of
/// `class`, with no owner.
fn child_meta(request: &StoredRequest, class: Classification) -> RecordMeta {
    RecordMeta {
        area: Area::Information,
        partnership_id: request.meta.partnership_id,
        owner: None,
        classification: class,
        embargo: None,
    }
}

fn partnership_of(meta: &RecordMeta) -> Result<i64> {
    meta.partnership_id
        .ok_or_else(|| Invalid::field("partnership", "A request belongs to a partnership").into())
}

fn review_titled(reference: &str, review: &InternalReview, due: Option<NaiveDate>) -> Titled {
    let decided = review.decided.is_some();
    Titled {
        title: format!("Internal review of {reference}"),
        status: if decided { "decided" } else { "pending" },
        key_date: if decided { review.decided } else { due },
    }
}

fn complaint_titled(reference: &str, complaint: &Complaint) -> Titled {
    let (status, date) = match &complaint.decision_notice {
        Some(notice) => ("decision_notice", notice.issued),
        None => ("open", complaint.lodged),
    };
    Titled {
        title: format!("Complaint to the Information Commissioner about {reference}"),
        status,
        key_date: Some(date),
    }
}

fn proclamation_titled(holiday: &ProclaimedHoliday) -> Titled {
    Titled {
        title: format!("{} ({})", holiday.title, holiday.date),
        status: "proclaimed",
        key_date: Some(holiday.date),
    }
}

/// A unique violation on a request's reference or number: another writer took it first.
/// Cannot happen while writers are serialised and the use case checks first; the constraint
/// is the backstop, and its refusal names the field.
fn taken(error: sqlx::Error, reference: &str) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => Invalid::field(
            "reference",
            format!("{reference} is already in the register: give another reference, or leave it blank for the next number"),
        )
        .into(),
        _ => StoreError::Database(error),
    }
}

// ----- rows -----

const REQUEST_COLUMNS: &str = "d.record_id, d.partnership_id, d.number, d.reference, d.regime, d.stage, d.resume_stage, \
     d.channel, d.received_by, d.received_at, d.summary, d.lead, d.forwarding_due, d.forwarded_on, d.due_on, \
     d.extended_due_on, d.internal_target, d.answer_by, d.comms_cleared_on, d.responded_on, d.outcome, d.timeliness, \
     d.councils, d.clock, d.draft, d.sign_offs, d.response_parts, d.flags, d.history, \
     r.area, r.owner_gss, r.classification, r.embargo_until, r.embargo_decision_id, r.release_class, \
     r.version, r.updated_at";

const SUMMARY_COLUMNS: &str = "d.record_id, d.number, d.reference, d.regime, d.stage, d.summary, d.received_on, \
     d.received_by, d.lead, d.answer_by, d.forwarding_due, d.calendar";

/// The header's access columns, as every typed row reads them.
#[derive(Debug, sqlx::FromRow)]
struct MetaColumns {
    area: String,
    owner_gss: Option<String>,
    classification: String,
    embargo_until: Option<NaiveDate>,
    embargo_decision_id: Option<i64>,
    release_class: Option<String>,
    version: i64,
    updated_at: DateTime<Utc>,
}

impl MetaColumns {
    fn meta(&self, partnership_id: Option<i64>) -> std::result::Result<RecordMeta, String> {
        meta_from_columns(
            &self.area,
            partnership_id,
            self.owner_gss.as_deref(),
            &self.classification,
            self.embargo_until,
            self.embargo_decision_id,
            self.release_class.as_deref(),
        )
    }
}

#[derive(Debug, sqlx::FromRow)]
struct RequestRow {
    record_id: i64,
    partnership_id: i64,
    number: i32,
    reference: String,
    regime: String,
    stage: String,
    resume_stage: Option<String>,
    channel: String,
    received_by: String,
    received_at: NaiveDateTime,
    summary: String,
    lead: Option<String>,
    forwarding_due: NaiveDate,
    forwarded_on: Option<NaiveDate>,
    due_on: Option<NaiveDate>,
    extended_due_on: Option<NaiveDate>,
    internal_target: Option<NaiveDate>,
    answer_by: Option<NaiveDate>,
    comms_cleared_on: Option<NaiveDate>,
    responded_on: Option<NaiveDate>,
    outcome: Option<String>,
    timeliness: Option<String>,
    councils: Json<Vec<String>>,
    clock: Json<Vec<ClockEvent>>,
    draft: Option<Json<Draft>>,
    sign_offs: Json<Vec<SignOff>>,
    response_parts: Option<Json<Vec<ResponsePart>>>,
    flags: Json<Vec<WorkflowFlag>>,
    history: Json<Vec<HistoryEntry>>,
    #[sqlx(flatten)]
    header: MetaColumns,
}

impl RequestRow {
    fn into_stored(self) -> Result<StoredRequest> {
        let id = self.record_id;
        self.decode()
            .map_err(|e| StoreError::Corrupt(format!("request record {id}: {e}")))
    }

    fn decode(self) -> std::result::Result<StoredRequest, String> {
        let meta = self.header.meta(Some(self.partnership_id))?;
        let response = match (self.responded_on, self.outcome) {
            (Some(sent_on), Some(outcome)) => Some(Response {
                sent_on,
                outcome: parse_slug("outcome", &outcome)?,
                parts: self.response_parts.map(|p| p.0).unwrap_or_default(),
                timeliness: self
                    .timeliness
                    .map(|t| parse_slug::<Timeliness>("timeliness", &t))
                    .transpose()?,
            }),
            _ => None,
        };
        let request = Request {
            reference: self.reference,
            councils: self
                .councils
                .0
                .iter()
                .map(|c| gss("councils", c))
                .collect::<std::result::Result<_, _>>()?,
            received_by: gss("received_by", &self.received_by)?,
            channel: parse_slug::<Channel>("channel", &self.channel)?,
            received_at: self.received_at,
            requester: Requester::default(),
            summary: self.summary,
            regime: parse_slug("regime", &self.regime)?,
            lead: self.lead.as_deref().map(|l| gss("lead", l)).transpose()?,
            stage: parse_slug("stage", &self.stage)?,
            resume_stage: self
                .resume_stage
                .as_deref()
                .map(|s| parse_slug("stage", s))
                .transpose()?,
            forwarding_due: self.forwarding_due,
            forwarded_on: self.forwarded_on,
            clock: self.clock.0,
            draft: self.draft.map(|d| d.0),
            sign_offs: self.sign_offs.0,
            comms_cleared_on: self.comms_cleared_on,
            response,
            flags: self.flags.0,
            history: self.history.0,
        };
        Ok(StoredRequest {
            record_id: self.record_id,
            version: self.header.version,
            meta,
            number: u32::try_from(self.number).map_err(|_| "number is negative")?,
            request,
            dates: DueDates {
                statutory: self.due_on,
                extended: self.extended_due_on,
                internal_target: self.internal_target,
                answer_by: self.answer_by,
            },
            updated_at: self.header.updated_at,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
struct SummaryRow {
    record_id: i64,
    number: i32,
    reference: String,
    regime: String,
    stage: String,
    summary: String,
    received_on: NaiveDate,
    received_by: String,
    lead: Option<String>,
    answer_by: Option<NaiveDate>,
    forwarding_due: NaiveDate,
    calendar: String,
}

impl SummaryRow {
    fn into_summary(self) -> Result<RequestSummary> {
        let id = self.record_id;
        self.decode()
            .map_err(|e| StoreError::Corrupt(format!("request record {id}: {e}")))
    }

    fn decode(self) -> std::result::Result<RequestSummary, String> {
        Ok(RequestSummary {
            record_id: self.record_id,
            number: u32::try_from(self.number).map_err(|_| "number is negative")?,
            reference: self.reference,
            regime: parse_slug("regime", &self.regime)?,
            stage: parse_slug("stage", &self.stage)?,
            summary: self.summary,
            received_on: self.received_on,
            received_by: gss("received_by", &self.received_by)?,
            lead: self.lead.as_deref().map(|l| gss("lead", l)).transpose()?,
            answer_by: self.answer_by,
            forwarding_due: self.forwarding_due,
            calendar: parse_slug("calendar", &self.calendar)?,
        })
    }
}

const REVIEW_COLUMNS: &str = "d.record_id, d.request_id, d.partnership_id, d.requested_on, d.due_on, d.decided_on, \
     d.outcome, r.area, r.owner_gss, r.classification, r.embargo_until, r.embargo_decision_id, r.release_class, \
     r.version, r.updated_at";

#[derive(Debug, sqlx::FromRow)]
struct ReviewRow {
    record_id: i64,
    request_id: i64,
    partnership_id: i64,
    requested_on: NaiveDate,
    due_on: Option<NaiveDate>,
    decided_on: Option<NaiveDate>,
    outcome: Option<String>,
    #[sqlx(flatten)]
    header: MetaColumns,
}

impl ReviewRow {
    fn into_stored(self) -> Result<StoredReview> {
        let id = self.record_id;
        let decode = || -> std::result::Result<StoredReview, String> {
            Ok(StoredReview {
                record_id: self.record_id,
                version: self.header.version,
                meta: self.header.meta(Some(self.partnership_id))?,
                request_id: self.request_id,
                review: InternalReview {
                    requested: self.requested_on,
                    decided: self.decided_on,
                    outcome: self
                        .outcome
                        .as_deref()
                        .map(|o| parse_slug::<ReviewOutcome>("outcome", o))
                        .transpose()?,
                },
                due: self.due_on,
                updated_at: self.header.updated_at,
            })
        };
        decode().map_err(|e| StoreError::Corrupt(format!("review record {id}: {e}")))
    }
}

const COMPLAINT_COLUMNS: &str = "d.record_id, d.request_id, d.partnership_id, d.lodged_on, d.reference, \
     d.notice_issued_on, d.steps_within_days, r.area, r.owner_gss, r.classification, r.embargo_until, \
     r.embargo_decision_id, r.release_class, r.version, r.updated_at";

#[derive(Debug, sqlx::FromRow)]
struct ComplaintRow {
    record_id: i64,
    request_id: i64,
    partnership_id: i64,
    lodged_on: NaiveDate,
    reference: String,
    notice_issued_on: Option<NaiveDate>,
    steps_within_days: Option<i32>,
    #[sqlx(flatten)]
    header: MetaColumns,
}

impl ComplaintRow {
    fn into_stored(self) -> Result<StoredComplaint> {
        let id = self.record_id;
        let decode = || -> std::result::Result<StoredComplaint, String> {
            let steps = self
                .steps_within_days
                .map(|d| u32::try_from(d).map_err(|_| "steps_within_days is negative"))
                .transpose()?;
            Ok(StoredComplaint {
                record_id: self.record_id,
                version: self.header.version,
                meta: self.header.meta(Some(self.partnership_id))?,
                request_id: self.request_id,
                complaint: Complaint {
                    lodged: self.lodged_on,
                    reference: self.reference,
                    decision_notice: self.notice_issued_on.map(|issued| DecisionNotice {
                        issued,
                        steps_within_days: steps,
                    }),
                },
                updated_at: self.header.updated_at,
            })
        };
        decode().map_err(|e| StoreError::Corrupt(format!("complaint record {id}: {e}")))
    }
}

#[derive(Debug, sqlx::FromRow)]
struct DisclosureRow {
    record_id: i64,
    reference: String,
    regime: String,
    received_on: NaiveDate,
    responded_on: NaiveDate,
    summary: String,
    outcome: String,
    exemptions: Json<Vec<String>>,
}

impl DisclosureRow {
    fn into_entry(self) -> Result<StoredDisclosure> {
        let id = self.record_id;
        let decode = || -> std::result::Result<DisclosureLogEntry, String> {
            Ok(DisclosureLogEntry {
                reference: self.reference,
                regime: parse_slug("regime", &self.regime)?,
                received: self.received_on,
                responded: self.responded_on,
                summary: self.summary,
                outcome: parse_slug("outcome", &self.outcome)?,
                exemptions: self.exemptions.0,
            })
        };
        let entry =
            decode().map_err(|e| StoreError::Corrupt(format!("disclosure record {id}: {e}")))?;
        Ok(StoredDisclosure {
            record_id: id,
            entry,
        })
    }
}

const PROCLAMATION_COLUMNS: &str = "d.record_id, d.date, d.title, d.divisions, d.replaces, r.partnership_id, \
     r.area, r.owner_gss, r.classification, r.embargo_until, r.embargo_decision_id, r.release_class, r.version, \
     r.updated_at";

#[derive(Debug, sqlx::FromRow)]
struct ProclamationRow {
    record_id: i64,
    date: NaiveDate,
    title: String,
    divisions: Json<Vec<Division>>,
    replaces: Option<NaiveDate>,
    partnership_id: Option<i64>,
    #[sqlx(flatten)]
    header: MetaColumns,
}

impl ProclamationRow {
    fn into_stored(self) -> Result<StoredProclamation> {
        let id = self.record_id;
        let meta = self
            .header
            .meta(self.partnership_id)
            .map_err(|e| StoreError::Corrupt(format!("proclaimed holiday record {id}: {e}")))?;
        Ok(StoredProclamation {
            record_id: self.record_id,
            version: self.header.version,
            meta,
            holiday: ProclaimedHoliday {
                date: self.date,
                title: self.title,
                divisions: self.divisions.0,
                replaces: self.replaces,
            },
            updated_at: self.header.updated_at,
        })
    }
}

// ----- filters -----

/// The conditions of a filter (after the partnership, `$1`), with their binds.
fn filter_where(filter: &RequestFilter, binds: &mut Vec<Bind>) -> String {
    let mut conditions = Vec::new();
    let bind = |binds: &mut Vec<Bind>, value: Bind| {
        binds.push(value);
        format!("${}", binds.len())
    };
    if !filter.stages.is_empty() {
        conditions.push(stages_in(
            Stage::ALL.into_iter().filter(|s| filter.stages.contains(s)),
        ));
    }
    if let Some(regime) = filter.regime {
        let p = bind(binds, Bind::Text(regime.slug().to_owned()));
        conditions.push(format!("d.regime = {p}"));
    }
    if let Some(owner) = &filter.owner {
        let p = bind(binds, Bind::Text(owner.as_str().to_owned()));
        conditions.push(format!("d.owner = {p}"));
    }
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let p = bind(binds, Bind::Text(contains_pattern(text)));
        conditions.push(format!(
            "(d.summary_search LIKE {p} ESCAPE '\\' OR lower(d.reference) LIKE {p} ESCAPE '\\')"
        ));
    }
    if conditions.is_empty() {
        "1 = 1".to_owned()
    } else {
        conditions.join(" AND ")
    }
}

/// `d.stage IN (…)` with the stages written out, in their order, rather than bound: the
/// databases use a partial index only when they can see that the query's condition is the
/// index's, and `requests_open` is on exactly the open stages written so. (The slugs are
/// Accord's own constants, never input.)
fn stages_in(stages: impl Iterator<Item = Stage>) -> String {
    let list: Vec<String> = stages.map(|s| format!("'{}'", s.slug())).collect();
    format!("d.stage IN ({})", list.join(", "))
}

/// The condition of an open request, as the partial index `requests_open` is made.
pub fn open_stages() -> String {
    stages_in(Stage::open())
}

/// The condition of one section of a caseload, over an open request `d` (binds after those
/// already in `binds`). Each is the SQL form of `Request::caseload`.
fn section_where(section: Attention, query: &CaseloadQuery, binds: &mut Vec<Bind>) -> String {
    let mut bind = |value: Bind| {
        binds.push(value);
        format!("${}", binds.len())
    };
    let council = query.council.as_str().to_owned();
    match section {
        Attention::Overdue => {
            let c = bind(Bind::Text(council));
            let t = bind(Bind::Date(query.today));
            format!("(d.owner = {c} AND d.answer_by < {t})")
        }
        Attention::DueSoon => {
            let c = bind(Bind::Text(council));
            let t = bind(Bind::Date(query.today));
            let mut calendars = Vec::new();
            for (scope, before) in &query.soon_before {
                let s = bind(Bind::Text(slug(scope)));
                let b = bind(Bind::Date(*before));
                calendars.push(format!("(d.calendar = {s} AND d.answer_by < {b})"));
            }
            if calendars.is_empty() {
                calendars.push("1 = 0".to_owned());
            }
            format!(
                "(d.owner = {c} AND d.answer_by >= {t} AND ({}))",
                calendars.join(" OR ")
            )
        }
        Attention::ForwardingOverdue => {
            let c = bind(Bind::Text(council));
            let t = bind(Bind::Date(query.today));
            format!("(d.stage = 'received' AND d.owner = {c} AND d.forwarding_due < {t})")
        }
        Attention::AwaitingYourSignOff => {
            let p = bind(Bind::Text(format!("%|{council}|%")));
            format!("(d.stage = 'consultation' AND d.awaiting_sign_off LIKE {p})")
        }
        Attention::AwaitingOtherCouncil => {
            let c = bind(Bind::Text(council.clone()));
            let only = bind(Bind::Text(format!("|{council}|")));
            format!(
                "(d.stage = 'consultation' AND d.owner = {c} AND d.awaiting_sign_off <> '' \
                 AND d.awaiting_sign_off <> {only})"
            )
        }
        Attention::AwaitingComms => {
            let c = bind(Bind::Text(council));
            format!(
                "(d.stage = 'comms_clearance' AND d.owner = {c} AND d.comms_cleared_on IS NULL)"
            )
        }
    }
}

/// Every section of a caseload, in the order the page shows them.
pub const SECTIONS: [Attention; 6] = [
    Attention::Overdue,
    Attention::DueSoon,
    Attention::ForwardingOverdue,
    Attention::AwaitingYourSignOff,
    Attention::AwaitingOtherCouncil,
    Attention::AwaitingComms,
];

/// The due dates of a request moved from an earlier release: counted again where the holiday
/// table can, with the date the response must go by kept as it was stored.
fn moved_dates(
    request: &Request,
    stored_answer_by: Option<NaiveDate>,
    calendars: &Calendars,
) -> DueDates {
    let protocol = accord_domain::request::Protocol::default();
    let counted = request
        .due_dates(calendars.get(request.calendar_scope()), &protocol)
        .ok();
    DueDates {
        statutory: counted.and_then(|d| d.statutory),
        extended: counted.and_then(|d| d.extended),
        internal_target: counted.and_then(|d| d.internal_target),
        answer_by: stored_answer_by,
    }
}

/// A reference that the partnership's register does not hold yet: the one given, or (when an
/// earlier release let two requests share it) the first of `REF-2`, `REF-3`, … that is free.
fn free_reference(taken: &mut BTreeSet<String>, reference: &str) -> String {
    let mut candidate = reference.to_owned();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{reference}-{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

macro_rules! requests_impl {
    ($store:ident, $write:ident, $conn:ty) => {
        impl $store {
            async fn load_requests(
                conn: &mut $conn,
                condition: &str,
                binds: Vec<Bind>,
            ) -> Result<Vec<StoredRequest>> {
                let sql = format!(
                    "SELECT {REQUEST_COLUMNS} FROM requests d JOIN records r ON r.id = d.record_id \
                     WHERE {condition} ORDER BY d.partnership_id, d.answer_sort, d.number"
                );
                let rows: Vec<RequestRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                rows.into_iter().map(RequestRow::into_stored).collect()
            }

            async fn load_reviews(conn: &mut $conn, condition: &str, binds: Vec<Bind>) -> Result<Vec<StoredReview>> {
                let sql = format!(
                    "SELECT {REVIEW_COLUMNS} FROM reviews d JOIN records r ON r.id = d.record_id WHERE {condition} \
                     ORDER BY d.due_on, d.record_id"
                );
                let rows: Vec<ReviewRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                rows.into_iter().map(ReviewRow::into_stored).collect()
            }

            async fn load_complaints(conn: &mut $conn, condition: &str, binds: Vec<Bind>) -> Result<Vec<StoredComplaint>> {
                let sql = format!(
                    "SELECT {COMPLAINT_COLUMNS} FROM complaints d JOIN records r ON r.id = d.record_id WHERE {condition} \
                     ORDER BY d.record_id"
                );
                let rows: Vec<ComplaintRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                rows.into_iter().map(ComplaintRow::into_stored).collect()
            }

            async fn load_proclamations(
                conn: &mut $conn,
                condition: &str,
                binds: Vec<Bind>,
            ) -> Result<Vec<StoredProclamation>> {
                let sql = format!(
                    "SELECT {PROCLAMATION_COLUMNS} FROM proclaimed_holidays d JOIN records r ON r.id = d.record_id \
                     WHERE {condition} ORDER BY d.date, d.record_id"
                );
                let rows: Vec<ProclamationRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                rows.into_iter().map(ProclamationRow::into_stored).collect()
            }

            /// What the holiday table is built from, as this connection sees it.
            async fn sources_in(conn: &mut $conn) -> Result<HolidaySources> {
                let rows: Vec<(String, NaiveDate, String, String, bool)> = sqlx::query_as(
                    "SELECT division, date, title, notes, bunting FROM bank_holidays ORDER BY division, date",
                )
                .fetch_all(&mut *conn)
                .await?;
                let feed = rows
                    .into_iter()
                    .map(|(division, date, title, notes, bunting)| StoredHoliday { division, date, title, notes, bunting })
                    .collect();
                let rows: Vec<(i64, NaiveDate, String, Json<Vec<Division>>, Option<NaiveDate>)> = sqlx::query_as(
                    "SELECT record_id, date, title, divisions, replaces FROM proclaimed_holidays ORDER BY date, record_id",
                )
                .fetch_all(&mut *conn)
                .await?;
                let proclaimed = rows
                    .into_iter()
                    .map(|(id, date, title, divisions, replaces)| {
                        (id, ProclaimedHoliday { date, title, divisions: divisions.0, replaces })
                    })
                    .collect();
                Ok(HolidaySources { feed, proclaimed })
            }

            /// Writes a request's row (a new one, or over the old one).
            async fn write_request_row(
                conn: &mut $conn,
                record_id: i64,
                partnership_id: i64,
                number: u32,
                request: &Request,
                dates: &DueDates,
                replace: bool,
            ) -> Result<()> {
                if replace {
                    sqlx::query(
                        "UPDATE requests SET regime = $2, stage = $3, resume_stage = $4, channel = $5, received_by = $6, \
                         received_at = $7, received_on = $8, received_quarter = $9, calendar = $10, lead = $11, owner = $12, \
                         summary = $13, summary_search = $14, forwarding_due = $15, forwarded_on = $16, due_on = $17, \
                         extended_due_on = $18, internal_target = $19, answer_by = $20, answer_sort = $21, \
                         awaiting_sign_off = $22, comms_cleared_on = $23, responded_on = $24, outcome = $25, timeliness = $26, \
                         councils = $27, clock = $28, draft = $29, sign_offs = $30, response_parts = $31, flags = $32, \
                         history = $33, reference = $34 WHERE record_id = $1",
                    )
                    .bind(record_id)
                    .bind(request.regime.slug())
                    .bind(request.stage.slug())
                    .bind(request.resume_stage.map(Stage::slug))
                    .bind(slug(request.channel))
                    .bind(request.received_by.as_str())
                    .bind(request.received_at)
                    .bind(request.received())
                    .bind(quarter_code(request.received()))
                    .bind(slug(request.calendar_scope()))
                    .bind(request.lead.as_ref().map(|l| l.as_str().to_owned()))
                    .bind(request.owner().as_str())
                    .bind(&request.summary)
                    .bind(request.summary.to_lowercase())
                    .bind(request.forwarding_due)
                    .bind(request.forwarded_on)
                    .bind(dates.statutory)
                    .bind(dates.extended)
                    .bind(dates.internal_target)
                    .bind(dates.answer_by)
                    .bind(dates.answer_by.unwrap_or_else(no_date))
                    .bind(awaiting_sign_off(request))
                    .bind(request.comms_cleared_on)
                    .bind(request.response.as_ref().map(|r| r.sent_on))
                    .bind(request.response.as_ref().map(|r| slug(r.outcome)))
                    .bind(request.response.as_ref().and_then(|r| r.timeliness).map(slug))
                    .bind(Json(request.councils.iter().map(|c| c.as_str()).collect::<Vec<_>>()))
                    .bind(Json(&request.clock))
                    .bind(request.draft.as_ref().map(Json))
                    .bind(Json(&request.sign_offs))
                    .bind(request.response.as_ref().map(|r| Json(&r.parts)))
                    .bind(Json(&request.flags))
                    .bind(Json(&request.history))
                    .bind(&request.reference)
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| taken(e, &request.reference))?;
                    return Ok(());
                }
                sqlx::query(
                    "INSERT INTO requests (record_id, partnership_id, number, reference, regime, stage, resume_stage, \
                     channel, received_by, received_at, received_on, received_quarter, calendar, lead, owner, summary, \
                     summary_search, forwarding_due, forwarded_on, due_on, extended_due_on, internal_target, answer_by, \
                     answer_sort, awaiting_sign_off, comms_cleared_on, responded_on, outcome, timeliness, councils, clock, \
                     draft, sign_offs, response_parts, flags, history) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
                     $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36)",
                )
                .bind(record_id)
                .bind(partnership_id)
                .bind(i64::from(number))
                .bind(&request.reference)
                .bind(request.regime.slug())
                .bind(request.stage.slug())
                .bind(request.resume_stage.map(Stage::slug))
                .bind(slug(request.channel))
                .bind(request.received_by.as_str())
                .bind(request.received_at)
                .bind(request.received())
                .bind(quarter_code(request.received()))
                .bind(slug(request.calendar_scope()))
                .bind(request.lead.as_ref().map(|l| l.as_str().to_owned()))
                .bind(request.owner().as_str())
                .bind(&request.summary)
                .bind(request.summary.to_lowercase())
                .bind(request.forwarding_due)
                .bind(request.forwarded_on)
                .bind(dates.statutory)
                .bind(dates.extended)
                .bind(dates.internal_target)
                .bind(dates.answer_by)
                .bind(dates.answer_by.unwrap_or_else(no_date))
                .bind(awaiting_sign_off(request))
                .bind(request.comms_cleared_on)
                .bind(request.response.as_ref().map(|r| r.sent_on))
                .bind(request.response.as_ref().map(|r| slug(r.outcome)))
                .bind(request.response.as_ref().and_then(|r| r.timeliness).map(slug))
                .bind(Json(request.councils.iter().map(|c| c.as_str()).collect::<Vec<_>>()))
                .bind(Json(&request.clock))
                .bind(request.draft.as_ref().map(Json))
                .bind(Json(&request.sign_offs))
                .bind(request.response.as_ref().map(|r| Json(&r.parts)))
                .bind(Json(&request.flags))
                .bind(Json(&request.history))
                .execute(&mut *conn)
                .await
                .map_err(|e| taken(e, &request.reference))?;
                Ok(())
            }

            async fn write_requester_row(
                conn: &mut $conn,
                record_id: i64,
                request_id: i64,
                partnership_id: i64,
                requester: &Requester,
            ) -> Result<()> {
                sqlx::query("INSERT INTO requesters (record_id, request_id, partnership_id, name, contact) VALUES ($1, $2, $3, $4, $5)")
                    .bind(record_id)
                    .bind(request_id)
                    .bind(partnership_id)
                    .bind(requester.name.trim())
                    .bind(requester.contact.trim())
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }

            async fn write_review_row(
                conn: &mut $conn,
                record_id: i64,
                request_id: i64,
                partnership_id: i64,
                review: &InternalReview,
                due: Option<NaiveDate>,
            ) -> Result<()> {
                sqlx::query("DELETE FROM reviews WHERE record_id = $1").bind(record_id).execute(&mut *conn).await?;
                sqlx::query(
                    "INSERT INTO reviews (record_id, request_id, partnership_id, status, requested_on, due_on, decided_on, outcome) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(record_id)
                .bind(request_id)
                .bind(partnership_id)
                .bind(if review.decided.is_some() { "decided" } else { "pending" })
                .bind(review.requested)
                .bind(due)
                .bind(review.decided)
                .bind(review.outcome.map(ReviewOutcome::slug))
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            async fn write_complaint_row(
                conn: &mut $conn,
                record_id: i64,
                request_id: i64,
                partnership_id: i64,
                complaint: &Complaint,
            ) -> Result<()> {
                sqlx::query("DELETE FROM complaints WHERE record_id = $1").bind(record_id).execute(&mut *conn).await?;
                let notice = complaint.decision_notice.as_ref();
                sqlx::query(
                    "INSERT INTO complaints (record_id, request_id, partnership_id, status, lodged_on, reference, \
                     notice_issued_on, steps_within_days) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(record_id)
                .bind(request_id)
                .bind(partnership_id)
                .bind(if notice.is_some() { "decision_notice" } else { "open" })
                .bind(complaint.lodged)
                .bind(complaint.reference.trim())
                .bind(notice.map(|n| n.issued))
                .bind(notice.and_then(|n| n.steps_within_days).map(i64::from))
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            async fn write_disclosure_row(
                conn: &mut $conn,
                record_id: i64,
                request_id: i64,
                partnership_id: i64,
                entry: &DisclosureLogEntry,
            ) -> Result<()> {
                sqlx::query(
                    "INSERT INTO disclosures (record_id, request_id, partnership_id, reference, regime, received_on, \
                     responded_on, summary, outcome, exemptions) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(record_id)
                .bind(request_id)
                .bind(partnership_id)
                .bind(&entry.reference)
                .bind(entry.regime.slug())
                .bind(entry.received)
                .bind(entry.responded)
                .bind(&entry.summary)
                .bind(slug(entry.outcome))
                .bind(Json(&entry.exemptions))
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            async fn write_proclamation_row(conn: &mut $conn, record_id: i64, holiday: &ProclaimedHoliday) -> Result<()> {
                sqlx::query("INSERT INTO proclaimed_holidays (record_id, date, title, divisions, replaces) VALUES ($1, $2, $3, $4, $5)")
                    .bind(record_id)
                    .bind(holiday.date)
                    .bind(holiday.title.trim())
                    .bind(Json(&holiday.divisions))
                    .bind(holiday.replaces)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }

            /// Moves the register of an earlier release (JSON bodies in the generic table) into
            /// its tables: run once, when an instance of an earlier release upgrades. Versions,
            /// history and the audit chain stay as they were; no audit entry is written.
            ///
            /// Requests are numbered in the order they were logged. An earlier release let two
            /// requests of a partnership share a reference; the later ones get the first free
            /// `REF-2`, `REF-3`, … (logged), since every request now has an address of its own.
            pub(crate) async fn upgrade_requests(conn: &mut $conn) -> Result<u64> {
                let mut moved = 0u64;
                // The proclamations first: the requests' dates are counted with them.
                let rows: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT id, body FROM records WHERE kind = $1 AND body <> 'null' ORDER BY id",
                )
                .bind(PROCLAIMED_HOLIDAY_KIND)
                .fetch_all(&mut *conn)
                .await?;
                for (id, text) in &rows {
                    let holiday: ProclaimedHoliday = serde_json::from_str(text)
                        .map_err(|e| StoreError::Corrupt(format!("proclaimed holiday record {id}: {e}")))?;
                    Self::write_proclamation_row(conn, *id, &holiday).await?;
                    sqlx::query("UPDATE records SET body = 'null' WHERE id = $1").bind(id).execute(&mut *conn).await?;
                    moved += 1;
                }
                let calendars = Calendars::new(Self::sources_in(conn).await?.table()?);

                let rows: Vec<(i64, Option<i64>, Option<NaiveDate>, String)> = sqlx::query_as(
                    "SELECT id, partnership_id, key_date, body FROM records WHERE kind = $1 AND body <> 'null' \
                     ORDER BY partnership_id, id",
                )
                .bind(REQUEST_KIND)
                .fetch_all(&mut *conn)
                .await?;
                let mut numbers: HashMap<i64, u32> = HashMap::new();
                let mut references: HashMap<i64, BTreeSet<String>> = HashMap::new();
                let mut partnerships: HashMap<i64, i64> = HashMap::new();
                for (id, partnership_id, key_date, text) in &rows {
                    let mut request: Request = serde_json::from_str(text)
                        .map_err(|e| StoreError::Corrupt(format!("request record {id}: {e}")))?;
                    let partnership_id = partnership_id.ok_or_else(|| {
                        StoreError::Corrupt(format!("request record {id} belongs to no partnership"))
                    })?;
                    if !numbers.contains_key(&partnership_id) {
                        let (last,): (Option<i64>,) = sqlx::query_as(
                            "SELECT CAST(MAX(number) AS BIGINT) FROM requests WHERE partnership_id = $1",
                        )
                        .bind(partnership_id)
                        .fetch_one(&mut *conn)
                        .await?;
                        numbers.insert(partnership_id, last.and_then(|n| u32::try_from(n).ok()).unwrap_or(0));
                        let existing: Vec<(String,)> =
                            sqlx::query_as("SELECT reference FROM requests WHERE partnership_id = $1")
                                .bind(partnership_id)
                                .fetch_all(&mut *conn)
                                .await?;
                        references.insert(partnership_id, existing.into_iter().map(|(r,)| r).collect());
                    }
                    let number = numbers.entry(partnership_id).or_default();
                    *number += 1;
                    let used = references.entry(partnership_id).or_default();
                    let reference = free_reference(used, &request.reference);
                    if reference != request.reference {
                        tracing::warn!(
                            record = id,
                            from = request.reference,
                            to = reference,
                            "a request shared its reference with an earlier one; it now has a reference of its own"
                        );
                        request.reference = reference;
                    }
                    // The requester was always kept apart; never write one here.
                    request.take_requester();
                    let dates = moved_dates(&request, *key_date, &calendars);
                    Self::write_request_row(conn, *id, partnership_id, *number, &request, &dates, false).await?;
                    sqlx::query("UPDATE records SET body = 'null', reference = $2 WHERE id = $1")
                        .bind(id)
                        .bind(&request.reference)
                        .execute(&mut *conn)
                        .await?;
                    partnerships.insert(*id, partnership_id);
                    moved += 1;
                }

                // The children, each under its request.
                for kind in [REQUESTER_KIND, REVIEW_KIND, COMPLAINT_KIND, DISCLOSURE_KIND] {
                    let rows: Vec<(i64, Option<i64>, Option<NaiveDate>, String)> = sqlx::query_as(
                        "SELECT id, parent_id, key_date, body FROM records WHERE kind = $1 AND body <> 'null' ORDER BY id",
                    )
                    .bind(kind)
                    .fetch_all(&mut *conn)
                    .await?;
                    for (id, parent, key_date, text) in &rows {
                        let corrupt = |e: String| StoreError::Corrupt(format!("{kind} record {id}: {e}"));
                        let request_id = parent.ok_or_else(|| corrupt("it belongs to no request".into()))?;
                        let partnership_id = match partnerships.get(&request_id) {
                            Some(p) => *p,
                            None => {
                                let found: Option<(i64,)> =
                                    sqlx::query_as("SELECT partnership_id FROM requests WHERE record_id = $1")
                                        .bind(request_id)
                                        .fetch_optional(&mut *conn)
                                        .await?;
                                found.ok_or_else(|| corrupt(format!("its request {request_id} is not in the register")))?.0
                            }
                        };
                        match kind {
                            REQUESTER_KIND => {
                                let requester: Requester = serde_json::from_str(text).map_err(|e| corrupt(e.to_string()))?;
                                Self::write_requester_row(conn, *id, request_id, partnership_id, &requester).await?;
                            }
                            REVIEW_KIND => {
                                let review: InternalReview = serde_json::from_str(text).map_err(|e| corrupt(e.to_string()))?;
                                // A pending review's key date was the date its decision is due.
                                let due = if review.decided.is_none() { *key_date } else { None };
                                Self::write_review_row(conn, *id, request_id, partnership_id, &review, due).await?;
                            }
                            COMPLAINT_KIND => {
                                let complaint: Complaint = serde_json::from_str(text).map_err(|e| corrupt(e.to_string()))?;
                                Self::write_complaint_row(conn, *id, request_id, partnership_id, &complaint).await?;
                            }
                            _ => {
                                let entry: DisclosureLogEntry = serde_json::from_str(text).map_err(|e| corrupt(e.to_string()))?;
                                Self::write_disclosure_row(conn, *id, request_id, partnership_id, &entry).await?;
                            }
                        }
                        sqlx::query("UPDATE records SET body = 'null' WHERE id = $1").bind(id).execute(&mut *conn).await?;
                        moved += 1;
                    }
                }
                Ok(moved)
            }
        }

        #[async_trait]
        impl RequestStore for $store {
            async fn request_summaries(
                &self,
                partnership_id: i64,
                filter: &RequestFilter,
                page: &RequestPage,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<RequestSummary>> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let mut condition = format!(
                    "d.partnership_id = $1 AND {} AND {}",
                    filter_where(filter, &mut binds),
                    visible(scope, today, "d")
                );
                if let Some((date, number)) = page.after {
                    binds.push(Bind::Date(date));
                    let d = binds.len();
                    binds.push(Bind::Int(i64::from(number)));
                    let n = binds.len();
                    condition.push_str(&format!(
                        " AND (d.answer_sort > ${d} OR (d.answer_sort = ${d} AND d.number > ${n}))"
                    ));
                }
                let limit = page.limit.clamp(1, 10_000);
                let sql = format!(
                    "SELECT {SUMMARY_COLUMNS} FROM requests d WHERE {condition} \
                     ORDER BY d.answer_sort, d.number LIMIT {limit} OFFSET {}",
                    page.offset.max(0)
                );
                let rows: Vec<SummaryRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&self.pool).await?;
                rows.into_iter().map(SummaryRow::into_summary).collect()
            }

            async fn count_requests(
                &self,
                partnership_id: i64,
                filter: &RequestFilter,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<i64> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let sql = format!(
                    "SELECT COUNT(*) FROM requests d \
                     WHERE d.partnership_id = $1 AND {} AND {}",
                    filter_where(filter, &mut binds),
                    visible(scope, today, "d")
                );
                let (count,): (i64,) = bind_all!(sqlx::query_as(&sql), binds).fetch_one(&self.pool).await?;
                Ok(count)
            }

            async fn request(
                &self,
                partnership_id: i64,
                reference: &str,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<StoredRequest>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.partnership_id = $1 AND d.reference = $2 AND {}", visible(scope, today, "r"));
                Ok(Self::load_requests(&mut conn, &condition, vec![Bind::Int(partnership_id), Bind::Text(reference.to_owned())])
                    .await?
                    .pop())
            }

            async fn requester(
                &self,
                request_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<Requester>> {
                let sql = format!(
                    "SELECT d.name, d.contact FROM requesters d JOIN records r ON r.id = d.record_id \
                     WHERE d.request_id = $1 AND {}",
                    visible(scope, today, "r")
                );
                let row: Option<(String, String)> = sqlx::query_as(&sql).bind(request_id).fetch_optional(&self.pool).await?;
                Ok(row.map(|(name, contact)| Requester { name, contact }))
            }

            async fn review(
                &self,
                request_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<StoredReview>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.request_id = $1 AND {}", visible(scope, today, "r"));
                Ok(Self::load_reviews(&mut conn, &condition, vec![Bind::Int(request_id)]).await?.pop())
            }

            async fn complaint(
                &self,
                request_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<StoredComplaint>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.request_id = $1 AND {}", visible(scope, today, "r"));
                Ok(Self::load_complaints(&mut conn, &condition, vec![Bind::Int(request_id)]).await?.pop())
            }

            async fn in_disclosure_log(
                &self,
                request_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<bool> {
                let sql = format!(
                    "SELECT COUNT(*) FROM disclosures d JOIN records r ON r.id = d.record_id WHERE d.request_id = $1 AND {}",
                    visible(scope, today, "r")
                );
                let (count,): (i64,) = sqlx::query_as(&sql).bind(request_id).fetch_one(&self.pool).await?;
                Ok(count > 0)
            }

            async fn request_statistics(
                &self,
                partnership_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<StatisticsGroup>> {
                let sql = format!(
                    "SELECT d.owner, d.regime, d.received_quarter, d.outcome, d.timeliness, COUNT(*) \
                     FROM requests d WHERE d.partnership_id = $1 AND {} \
                     GROUP BY d.owner, d.regime, d.received_quarter, d.outcome, d.timeliness",
                    visible(scope, today, "d")
                );
                let rows: Vec<(String, String, i32, Option<String>, Option<String>, i64)> =
                    sqlx::query_as(&sql).bind(partnership_id).fetch_all(&self.pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for (owner, regime, quarter, outcome, timeliness, count) in rows {
                    let decode = || -> std::result::Result<StatisticsGroup, String> {
                        let received = quarter_of(quarter)?.first_day().ok_or("no first day")?;
                        Ok(StatisticsGroup {
                            record: StatisticsRecord {
                                council: gss("owner", &owner)?,
                                regime: parse_slug("regime", &regime)?,
                                received,
                                outcome: outcome.as_deref().map(|o| parse_slug::<Outcome>("outcome", o)).transpose()?,
                                timeliness: timeliness
                                    .as_deref()
                                    .map(|t| parse_slug::<Timeliness>("timeliness", t))
                                    .transpose()?,
                            },
                            count: u32::try_from(count).map_err(|e| e.to_string())?,
                        })
                    };
                    out.push(decode().map_err(|e| StoreError::Corrupt(format!("request statistics: {e}")))?);
                }
                Ok(out)
            }

            async fn caseload_counts(
                &self,
                partnership_id: i64,
                query: &CaseloadQuery,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<CaseloadCounts> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let open = open_stages();
                binds.push(Bind::Text(query.council.as_str().to_owned()));
                let own = format!("d.owner = ${}", binds.len());
                let mut sums = vec![format!("CAST(COALESCE(SUM(CASE WHEN {own} THEN 1 ELSE 0 END), 0) AS BIGINT)")];
                for section in SECTIONS {
                    let condition = section_where(section, query, &mut binds);
                    sums.push(format!("CAST(COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0) AS BIGINT)"));
                }
                let sql = format!(
                    "SELECT {} FROM requests d \
                     WHERE d.partnership_id = $1 AND {open} AND {}",
                    sums.join(", "),
                    visible(scope, today, "d")
                );
                let row: (i64, i64, i64, i64, i64, i64, i64) =
                    bind_all!(sqlx::query_as(&sql), binds).fetch_one(&self.pool).await?;
                let counts = [row.1, row.2, row.3, row.4, row.5, row.6];
                Ok(CaseloadCounts {
                    open: row.0,
                    sections: SECTIONS.into_iter().zip(counts).collect(),
                })
            }

            async fn caseload_section(
                &self,
                partnership_id: i64,
                query: &CaseloadQuery,
                section: Attention,
                limit: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<RequestSummary>> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let open = open_stages();
                let condition = section_where(section, query, &mut binds);
                let sql = format!(
                    "SELECT {SUMMARY_COLUMNS} FROM requests d \
                     WHERE d.partnership_id = $1 AND {open} AND {condition} AND {} \
                     ORDER BY d.answer_sort, d.number LIMIT {}",
                    visible(scope, today, "d"),
                    limit.clamp(1, 10_000)
                );
                let rows: Vec<SummaryRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&self.pool).await?;
                rows.into_iter().map(SummaryRow::into_summary).collect()
            }

            async fn open_requests(
                &self,
                partnership_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<StoredRequest>> {
                let mut conn = self.pool.acquire().await?;
                let binds = vec![Bind::Int(partnership_id)];
                let open = open_stages();
                let condition = format!("d.partnership_id = $1 AND {open} AND {}", visible(scope, today, "r"));
                Self::load_requests(&mut conn, &condition, binds).await
            }

            async fn pending_reviews(
                &self,
                partnership_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<(StoredReview, String)>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!(
                    "d.partnership_id = $1 AND d.status = 'pending' AND {}",
                    visible(scope, today, "r")
                );
                let reviews = Self::load_reviews(&mut conn, &condition, vec![Bind::Int(partnership_id)]).await?;
                let mut out = Vec::with_capacity(reviews.len());
                for review in reviews {
                    let (reference,): (String,) = sqlx::query_as("SELECT reference FROM requests WHERE record_id = $1")
                        .bind(review.request_id)
                        .fetch_one(&mut *conn)
                        .await?;
                    out.push((review, reference));
                }
                Ok(out)
            }

            async fn disclosures(
                &self,
                partnership_id: i64,
                page: &DisclosurePage,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<StoredDisclosure>> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let mut condition = format!("d.partnership_id = $1 AND {}", visible(scope, today, "r"));
                if let Some((date, id)) = page.before {
                    binds.push(Bind::Date(date));
                    let d = binds.len();
                    binds.push(Bind::Int(id));
                    let i = binds.len();
                    condition.push_str(&format!(
                        " AND (d.responded_on < ${d} OR (d.responded_on = ${d} AND d.record_id < ${i}))"
                    ));
                }
                let sql = format!(
                    "SELECT d.record_id, d.reference, d.regime, d.received_on, d.responded_on, d.summary, d.outcome, d.exemptions \
                     FROM disclosures d JOIN records r ON r.id = d.record_id WHERE {condition} \
                     ORDER BY d.responded_on DESC, d.record_id DESC LIMIT {} OFFSET {}",
                    page.limit.clamp(1, 10_000),
                    page.offset.max(0)
                );
                let rows: Vec<DisclosureRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&self.pool).await?;
                rows.into_iter().map(DisclosureRow::into_entry).collect()
            }

            async fn count_disclosures(
                &self,
                partnership_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<i64> {
                let sql = format!(
                    "SELECT COUNT(*) FROM disclosures d JOIN records r ON r.id = d.record_id WHERE d.partnership_id = $1 AND {}",
                    visible(scope, today, "r")
                );
                let (count,): (i64,) = sqlx::query_as(&sql).bind(partnership_id).fetch_one(&self.pool).await?;
                Ok(count)
            }

            async fn proclaimed_holidays(
                &self,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<StoredProclamation>> {
                let mut conn = self.pool.acquire().await?;
                let condition = visible(scope, today, "r");
                Self::load_proclamations(&mut conn, &condition, Vec::new()).await
            }

            async fn holiday_sources(&self) -> Result<HolidaySources> {
                let mut conn = self.pool.acquire().await?;
                Self::sources_in(&mut conn).await
            }
        }

        #[async_trait]
        impl RequestTx for $write {
            async fn last_request_number(&mut self, partnership_id: i64) -> Result<u32> {
                let (last,): (Option<i64>,) =
                    sqlx::query_as("SELECT CAST(MAX(number) AS BIGINT) FROM requests WHERE partnership_id = $1")
                        .bind(partnership_id)
                        .fetch_one(&mut *self.tx)
                        .await?;
                Ok(last.and_then(|n| u32::try_from(n).ok()).unwrap_or(0))
            }

            async fn request_reference_taken(&mut self, partnership_id: i64, reference: &str) -> Result<bool> {
                let found: Option<(i64,)> =
                    sqlx::query_as("SELECT record_id FROM requests WHERE partnership_id = $1 AND reference = $2")
                        .bind(partnership_id)
                        .bind(reference)
                        .fetch_optional(&mut *self.tx)
                        .await?;
                Ok(found.is_some())
            }

            async fn insert_request(
                &mut self,
                meta: &RecordMeta,
                number: u32,
                request: &Request,
                dates: &DueDates,
                change: &Change,
            ) -> Result<StoredRequest> {
                let partnership_id = partnership_of(meta)?;
                if !request.requester.is_empty() {
                    return Err(Invalid::field(
                        "requester",
                        "the requester is personal data, kept apart from the request: take it out first",
                    )
                    .into());
                }
                let titled = request_titled(request, dates);
                let header = header(REQUEST_KIND, meta, None, Some(&request.reference), &titled);
                let id = $store::insert_header(&mut self.tx, &header, change)
                    .await
                    .map_err(|e| match e {
                        StoreError::Database(db) => taken(db, &request.reference),
                        other => other,
                    })?;
                $store::write_request_row(&mut self.tx, id, partnership_id, number, request, dates, false).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), body(request));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(StoredRequest {
                    record_id: id,
                    version: 1,
                    meta: meta.clone(),
                    number,
                    request: request.clone(),
                    dates: *dates,
                    updated_at: change.at,
                })
            }

            async fn insert_requester(
                &mut self,
                request: &StoredRequest,
                requester: &Requester,
                change: &Change,
            ) -> Result<()> {
                let partnership_id = partnership_of(&request.meta)?;
                let meta = child_meta(request, Classification::Personal);
                let titled = Titled {
                    title: format!("Requester of {}", request.request.reference),
                    status: "recorded",
                    key_date: None,
                };
                let mut header = header(REQUESTER_KIND, &meta, Some(request.record_id), None, &titled);
                header.status = None;
                let id = $store::insert_header(&mut self.tx, &header, change).await?;
                $store::write_requester_row(&mut self.tx, id, request.record_id, partnership_id, requester).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), body(requester));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await
            }

            async fn request_for_change(
                &mut self,
                partnership_id: i64,
                reference: &str,
            ) -> Result<Option<StoredRequest>> {
                Ok($store::load_requests(
                    &mut self.tx,
                    "d.partnership_id = $1 AND d.reference = $2",
                    vec![Bind::Int(partnership_id), Bind::Text(reference.to_owned())],
                )
                .await?
                .pop())
            }

            async fn update_request(
                &mut self,
                from: &StoredRequest,
                request: &Request,
                dates: &DueDates,
                change: &Change,
            ) -> Result<StoredRequest> {
                let partnership_id = partnership_of(&from.meta)?;
                if !request.requester.is_empty() {
                    return Err(Invalid::field("requester", "the requester is kept apart from the request").into());
                }
                // The lead council owns the request once agreed; its class and any embargo stay.
                let meta = RecordMeta { owner: Some(request.owner().clone()), ..from.meta.clone() };
                let what = format!("Request {}", from.request.reference);
                let before_titled = request_titled(&from.request, &from.dates);
                let after_titled = request_titled(request, dates);
                let before_header = header(REQUEST_KIND, &from.meta, None, Some(&from.request.reference), &before_titled);
                let after_header = header(REQUEST_KIND, &meta, None, Some(&request.reference), &after_titled);
                let (version, created_at) =
                    $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &what, change).await?;
                $store::write_request_row(&mut self.tx, from.record_id, partnership_id, from.number, request, dates, true).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created_at, from.updated_at), body(&from.request));
                let after = after_header.snapshot(from.record_id, version, (created_at, change.at), body(request));
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                Ok(StoredRequest {
                    record_id: from.record_id,
                    version,
                    meta,
                    number: from.number,
                    request: request.clone(),
                    dates: *dates,
                    updated_at: change.at,
                })
            }

            async fn review_for_change(&mut self, request_id: i64) -> Result<Option<StoredReview>> {
                Ok($store::load_reviews(&mut self.tx, "d.request_id = $1", vec![Bind::Int(request_id)]).await?.pop())
            }

            async fn insert_review(
                &mut self,
                request: &StoredRequest,
                review: &InternalReview,
                due: Option<NaiveDate>,
                change: &Change,
            ) -> Result<StoredReview> {
                let partnership_id = partnership_of(&request.meta)?;
                let meta = child_meta(request, Classification::Partnership);
                let titled = review_titled(&request.request.reference, review, due);
                let header = header(REVIEW_KIND, &meta, Some(request.record_id), None, &titled);
                let id = $store::insert_header(&mut self.tx, &header, change).await?;
                $store::write_review_row(&mut self.tx, id, request.record_id, partnership_id, review, due).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), body(review));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(StoredReview {
                    record_id: id,
                    version: 1,
                    meta,
                    request_id: request.record_id,
                    review: *review,
                    due,
                    updated_at: change.at,
                })
            }

            async fn update_review(
                &mut self,
                request: &StoredRequest,
                from: &StoredReview,
                review: &InternalReview,
                due: Option<NaiveDate>,
                change: &Change,
            ) -> Result<StoredReview> {
                let partnership_id = partnership_of(&from.meta)?;
                let reference = &request.request.reference;
                let what = format!("The internal review of {reference}");
                let before_titled = review_titled(reference, &from.review, from.due);
                let after_titled = review_titled(reference, review, due);
                let before_header = header(REVIEW_KIND, &from.meta, Some(from.request_id), None, &before_titled);
                let after_header = header(REVIEW_KIND, &from.meta, Some(from.request_id), None, &after_titled);
                let (version, created_at) =
                    $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &what, change).await?;
                $store::write_review_row(&mut self.tx, from.record_id, from.request_id, partnership_id, review, due).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created_at, from.updated_at), body(&from.review));
                let after = after_header.snapshot(from.record_id, version, (created_at, change.at), body(review));
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                Ok(StoredReview {
                    version,
                    review: *review,
                    due,
                    updated_at: change.at,
                    ..from.clone()
                })
            }

            async fn complaint_for_change(&mut self, request_id: i64) -> Result<Option<StoredComplaint>> {
                Ok($store::load_complaints(&mut self.tx, "d.request_id = $1", vec![Bind::Int(request_id)]).await?.pop())
            }

            async fn insert_complaint(
                &mut self,
                request: &StoredRequest,
                complaint: &Complaint,
                change: &Change,
            ) -> Result<StoredComplaint> {
                let partnership_id = partnership_of(&request.meta)?;
                let meta = child_meta(request, Classification::Partnership);
                let titled = complaint_titled(&request.request.reference, complaint);
                let header = header(COMPLAINT_KIND, &meta, Some(request.record_id), None, &titled);
                let id = $store::insert_header(&mut self.tx, &header, change).await?;
                $store::write_complaint_row(&mut self.tx, id, request.record_id, partnership_id, complaint).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), body(complaint));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(StoredComplaint {
                    record_id: id,
                    version: 1,
                    meta,
                    request_id: request.record_id,
                    complaint: complaint.clone(),
                    updated_at: change.at,
                })
            }

            async fn update_complaint(
                &mut self,
                request: &StoredRequest,
                from: &StoredComplaint,
                complaint: &Complaint,
                change: &Change,
            ) -> Result<StoredComplaint> {
                let partnership_id = partnership_of(&from.meta)?;
                let reference = &request.request.reference;
                let what = format!("The complaint about {reference}");
                let before_titled = complaint_titled(reference, &from.complaint);
                let after_titled = complaint_titled(reference, complaint);
                let before_header = header(COMPLAINT_KIND, &from.meta, Some(from.request_id), None, &before_titled);
                let after_header = header(COMPLAINT_KIND, &from.meta, Some(from.request_id), None, &after_titled);
                let (version, created_at) =
                    $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &what, change).await?;
                $store::write_complaint_row(&mut self.tx, from.record_id, from.request_id, partnership_id, complaint).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created_at, from.updated_at), body(&from.complaint));
                let after = after_header.snapshot(from.record_id, version, (created_at, change.at), body(complaint));
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                Ok(StoredComplaint {
                    version,
                    complaint: complaint.clone(),
                    updated_at: change.at,
                    ..from.clone()
                })
            }

            async fn disclosure_exists(&mut self, request_id: i64) -> Result<bool> {
                let found: Option<(i64,)> = sqlx::query_as("SELECT record_id FROM disclosures WHERE request_id = $1")
                    .bind(request_id)
                    .fetch_optional(&mut *self.tx)
                    .await?;
                Ok(found.is_some())
            }

            async fn insert_disclosure(
                &mut self,
                request: &StoredRequest,
                entry: &DisclosureLogEntry,
                change: &Change,
            ) -> Result<()> {
                let partnership_id = partnership_of(&request.meta)?;
                let meta = child_meta(request, Classification::Published);
                let titled = Titled {
                    title: title(&entry.reference, &entry.summary),
                    status: "published",
                    key_date: Some(entry.responded),
                };
                let header = header(DISCLOSURE_KIND, &meta, Some(request.record_id), None, &titled);
                let id = $store::insert_header(&mut self.tx, &header, change).await?;
                $store::write_disclosure_row(&mut self.tx, id, request.record_id, partnership_id, entry).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), body(entry));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await
            }

            async fn open_requests_everywhere(&mut self) -> Result<Vec<StoredRequest>> {
                let binds = Vec::new();
                let open = open_stages();
                $store::load_requests(&mut self.tx, &open, binds).await
            }

            async fn holiday_sources(&mut self) -> Result<HolidaySources> {
                $store::sources_in(&mut self.tx).await
            }

            async fn proclamation_for_change(&mut self, record_id: i64) -> Result<Option<StoredProclamation>> {
                Ok($store::load_proclamations(&mut self.tx, "d.record_id = $1", vec![Bind::Int(record_id)]).await?.pop())
            }

            async fn insert_proclamation(
                &mut self,
                holiday: &ProclaimedHoliday,
                change: &Change,
            ) -> Result<StoredProclamation> {
                let meta = RecordMeta::published(Area::Administration, None);
                let titled = proclamation_titled(holiday);
                let mut header = header(PROCLAIMED_HOLIDAY_KIND, &meta, None, None, &titled);
                header.status = None;
                let id = $store::insert_header(&mut self.tx, &header, change).await?;
                $store::write_proclamation_row(&mut self.tx, id, holiday).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), body(holiday));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(StoredProclamation {
                    record_id: id,
                    version: 1,
                    meta,
                    holiday: holiday.clone(),
                    updated_at: change.at,
                })
            }

            async fn delete_proclamation(&mut self, from: &StoredProclamation, change: &Change) -> Result<()> {
                let titled = proclamation_titled(&from.holiday);
                let mut header = header(PROCLAIMED_HOLIDAY_KIND, &from.meta, None, None, &titled);
                header.status = None;
                let done = sqlx::query("DELETE FROM records WHERE id = $1 AND kind = $2 AND version = $3")
                    .bind(from.record_id)
                    .bind(PROCLAIMED_HOLIDAY_KIND)
                    .bind(from.version)
                    .execute(&mut *self.tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict(format!(
                        "The proclaimed holiday {} changed or was removed since you opened it",
                        from.holiday.title
                    )));
                }
                let before = header.snapshot(from.record_id, from.version, (from.updated_at, from.updated_at), body(&from.holiday));
                $store::audit_record(&mut self.tx, change, AuditAction::Delete, Some(&before), None).await
            }
        }
    };
}

requests_impl!(SqliteStore, SqliteWrite, sqlx::SqliteConnection);
requests_impl!(PgStore, PgWrite, sqlx::PgConnection);

/// The snapshot of a request for tests and tools that compare stored records.
pub fn request_snapshot(stored: &StoredRequest) -> StoredRecord {
    let titled = request_titled(&stored.request, &stored.dates);
    header(
        REQUEST_KIND,
        &stored.meta,
        None,
        Some(&stored.request.reference),
        &titled,
    )
    .snapshot(
        stored.record_id,
        stored.version,
        (stored.updated_at, stored.updated_at),
        body(&stored.request),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cut_at_a_word() {
        let long = "word ".repeat(60);
        let t = title("FOI-1", &long);
        assert!(t.chars().count() <= TITLE_CHARS + 1, "{t}");
        assert!(t.ends_with("word…"), "{t}");
        assert_eq!(title("FOI-1", "Costs"), "FOI-1: Costs");
    }

    #[test]
    fn quarters_round_trip_through_their_stored_code() {
        for (y, m, code) in [
            (2025, 1, 20251),
            (2025, 3, 20251),
            (2025, 4, 20252),
            (1999, 12, 19994),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, 1).unwrap();
            assert_eq!(quarter_code(date), code);
            assert_eq!(quarter_of(code).unwrap(), Quarter::of(date));
        }
        assert!(quarter_of(20255).is_err());
        assert!(quarter_of(20250).is_err());
    }

    #[test]
    fn shared_references_of_an_earlier_release_get_their_own() {
        let mut taken = BTreeSet::new();
        assert_eq!(free_reference(&mut taken, "FOI-1"), "FOI-1");
        assert_eq!(free_reference(&mut taken, "FOI-1"), "FOI-1-2");
        assert_eq!(free_reference(&mut taken, "FOI-1"), "FOI-1-3");
        assert_eq!(free_reference(&mut taken, "FOI-1-2"), "FOI-1-2-2");
    }
}
