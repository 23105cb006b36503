//! The register of information-law requests (MOU Schedule 4) in the generic records table:
//! what each kind of record holds and which columns it fills, and the recount of every open
//! request's deadlines when the holiday table changes.
//!
//! A request is a record of kind [`REQUEST_KIND`] whose body is the domain's `Request` with
//! the requester taken out; the requester is its child of kind [`REQUESTER_KIND`], classified
//! `personal`, so that only the information leads ever read it. The request's stage is its
//! `status` and the date its response must go by its `key_date`, so caseloads filter in SQL.
//! Its owner is the lead council (the receiving council until a lead is agreed).

use crate::holidays::holiday_table;
use crate::records::{RecordInput, RecordQuery, RecordUpdate, RecordWrite, StoredRecord};
use crate::{Change, Result, Store, StoreError};
use accord_domain::access::{Area, Classification, ReadScope, RecordMeta};
use accord_domain::request::{
    Complaint, DisclosureLogEntry, DueDates, InternalReview, Protocol, Request, Requester,
    ReviewStatus, Stage,
};
use accord_domain::working_days::Calendars;
use chrono::NaiveDate;

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

fn meta(
    partnership_id: i64,
    owner: Option<accord_domain::GssCode>,
    class: Classification,
) -> RecordMeta {
    RecordMeta {
        area: Area::Information,
        partnership_id: Some(partnership_id),
        owner,
        classification: class,
        embargo: None,
    }
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

/// The statuses of an open request, as stored.
pub fn open_statuses() -> Vec<String> {
    Stage::open().map(|s| s.slug().to_owned()).collect()
}

/// The record of a request, without its requester (which is never written here, whatever
/// `request` holds). `dates` are its due dates today.
pub fn request_input(
    partnership_id: i64,
    request: &Request,
    dates: &DueDates,
) -> Result<RecordInput> {
    let mut body = request.clone();
    body.take_requester();
    let owner = request
        .lead
        .clone()
        .unwrap_or_else(|| request.received_by.clone());
    Ok(RecordInput::new(
        REQUEST_KIND,
        meta(partnership_id, Some(owner), Classification::Partnership),
        title(&request.reference, &request.summary),
        &body,
    )?
    .status(request.stage.slug())
    .key_date(dates.answer_by))
}

/// The new content of a stored request's record: as [`request_input`], keeping the record's
/// classification and any embargo as they are stored.
pub fn request_update(
    record: &StoredRecord,
    request: &Request,
    dates: &DueDates,
) -> Result<RecordInput> {
    let partnership_id = record.meta.partnership_id.ok_or_else(|| {
        StoreError::Corrupt(format!("request {} belongs to no partnership", record.id))
    })?;
    let mut input = request_input(partnership_id, request, dates)?;
    input.meta.classification = record.meta.classification;
    input.meta.embargo.clone_from(&record.meta.embargo);
    input.parent_id = record.parent_id;
    Ok(input)
}

/// The record of a request's requester: personal data, seen by the information leads only.
pub fn requester_input(
    partnership_id: i64,
    request_id: i64,
    reference: &str,
    requester: &Requester,
) -> Result<RecordInput> {
    Ok(RecordInput::new(
        REQUESTER_KIND,
        meta(partnership_id, None, Classification::Personal),
        format!("Requester of {reference}"),
        requester,
    )?
    .parent(request_id))
}

/// The public disclosure-log entry of a released response.
pub fn disclosure_input(
    partnership_id: i64,
    request_id: i64,
    entry: &DisclosureLogEntry,
) -> Result<RecordInput> {
    Ok(RecordInput::new(
        DISCLOSURE_KIND,
        meta(partnership_id, None, Classification::Published),
        title(&entry.reference, &entry.summary),
        entry,
    )?
    .parent(request_id)
    .status("published")
    .key_date(Some(entry.responded)))
}

/// The record of an internal review; `due` is the date its decision is due by, while pending.
pub fn review_input(
    partnership_id: i64,
    request_id: i64,
    reference: &str,
    review: &InternalReview,
    due: Option<NaiveDate>,
) -> Result<RecordInput> {
    let status = match review.status() {
        ReviewStatus::Decided { .. } => "decided",
        _ => "pending",
    };
    Ok(RecordInput::new(
        REVIEW_KIND,
        meta(partnership_id, None, Classification::Partnership),
        format!("Internal review of {reference}"),
        review,
    )?
    .parent(request_id)
    .status(status)
    .key_date(if status == "pending" {
        due
    } else {
        review.decided
    }))
}

/// The record of a complaint to the Information Commissioner.
pub fn complaint_input(
    partnership_id: i64,
    request_id: i64,
    reference: &str,
    complaint: &Complaint,
) -> Result<RecordInput> {
    let (status, date) = match &complaint.decision_notice {
        Some(notice) => ("decision_notice", Some(notice.issued)),
        None => ("open", Some(complaint.lodged)),
    };
    Ok(RecordInput::new(
        COMPLAINT_KIND,
        meta(partnership_id, None, Classification::Partnership),
        format!("Complaint to the Information Commissioner about {reference}"),
        complaint,
    )?
    .parent(request_id)
    .status(status)
    .key_date(date))
}

/// A request's record read back as the domain's request (with an empty requester).
pub fn decode_request(record: &StoredRecord) -> Result<Request> {
    if record.kind != REQUEST_KIND {
        return Err(StoreError::Corrupt(format!(
            "record {} is a {}, not a request",
            record.id, record.kind
        )));
    }
    record.decode()
}

/// The holiday table as stored, with its calendars built as they are needed.
pub async fn calendars(store: &dyn Store) -> Result<Calendars> {
    Ok(Calendars::new(holiday_table(store).await?))
}

/// One request whose dates a recount moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedDeadline {
    /// The request's record.
    pub id: i64,
    /// Its reference.
    pub reference: String,
    /// The date the response must go by, before and after.
    pub answer_by: (Option<NaiveDate>, Option<NaiveDate>),
    /// The forwarding target, before and after (the same for requests already forwarded).
    pub forwarding_due: (NaiveDate, NaiveDate),
}

/// What a recount did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recount {
    /// Open requests recounted.
    pub open: usize,
    /// Those whose dates moved (each updated and audited).
    pub moved: Vec<MovedDeadline>,
    /// Those the new table could not count (a deadline past the end of the calendar), with
    /// the reason; they keep their stored dates.
    pub failed: Vec<(i64, String)>,
}

/// Attempts at a recount that meets a request changed under it before giving up.
const RECOUNT_ATTEMPTS: usize = 3;

/// Recounts the deadlines of every open request in every partnership against the holiday
/// table of `calendars`, and writes, in one transaction, each request whose due date or
/// forwarding target moved; every write is audited with `change` (whose reason should say
/// what changed in the table). Requests already answered keep the dates they were judged by.
pub async fn recount_open_requests(
    store: &dyn Store,
    calendars: &Calendars,
    protocol: &Protocol,
    today: NaiveDate,
    change: &Change,
) -> Result<Recount> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (recount, updates) = plan_recount(store, calendars, protocol, today).await?;
        if updates.is_empty() {
            return Ok(recount);
        }
        let writes: Vec<RecordWrite> = updates.into_iter().map(RecordWrite::Update).collect();
        match store.write_records(&writes, change).await {
            Ok(_) => return Ok(recount),
            // A request changed between reading and writing: read again and recount.
            Err(StoreError::Invalid(e))
                if attempt < RECOUNT_ATTEMPTS && e.message_for("version").is_some() => {}
            Err(e) => return Err(e),
        }
    }
}

/// Plans a recount without writing it: what [`recount_open_requests`] would find, and the
/// updates it would write. For callers that write the recount in the same transaction as the
/// change of the holiday table (a proclamation added or removed).
pub async fn plan_recount(
    store: &dyn Store,
    calendars: &Calendars,
    protocol: &Protocol,
    today: NaiveDate,
) -> Result<(Recount, Vec<RecordUpdate>)> {
    // Requests are partnership records of every partnership: read them as the system.
    let scope = ReadScope {
        everything_but_personal: true,
        ..ReadScope::default()
    };
    let query = RecordQuery {
        kind: REQUEST_KIND.to_owned(),
        statuses: open_statuses(),
        ..RecordQuery::default()
    };
    let records = store.records(&query, &scope, today).await?;
    let mut recount = Recount {
        open: records.len(),
        ..Recount::default()
    };
    let mut updates = Vec::new();
    for record in records {
        let mut request = decode_request(&record)?;
        let calendar = calendars.get(request.calendar_scope());
        let dates = match request.due_dates(calendar, protocol) {
            Ok(dates) => dates,
            Err(e) => {
                recount.failed.push((record.id, e.to_string()));
                continue;
            }
        };
        let forwarding_before = request.forwarding_due;
        let forwarding_moved = request.refresh_forwarding_due(calendar, protocol);
        if !forwarding_moved && record.key_date == dates.answer_by {
            continue;
        }
        recount.moved.push(MovedDeadline {
            id: record.id,
            reference: request.reference.clone(),
            answer_by: (record.key_date, dates.answer_by),
            forwarding_due: (forwarding_before, request.forwarding_due),
        });
        updates.push(RecordUpdate {
            id: record.id,
            expected_version: Some(record.version),
            input: request_update(&record, &request, &dates)?,
        });
    }
    Ok((recount, updates))
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
}
