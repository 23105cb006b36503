//! Information-law requests handled jointly under the protocol (MOU Schedule 4): logging a
//! request, moving it through the workflow, its internal review and a complaint to the
//! Information Commissioner, the disclosure log, the register, the single points of contact's
//! caseload, the statistics, the deadline feed, and the holidays proclaimed for this instance
//! with the recount of every open request's deadlines.
//!
//! Every change runs in one write transaction from the version the caller read, with its audit
//! entry; the register's numbers are allocated inside that transaction, so parallel loggers never
//! share a reference. Lists are answered by the database: one page, its total, and the
//! statistics and caseload counted with `GROUP BY` and `SUM`.
//!
//! Who may do what: the register lives in `Area::Information`, so only the information role
//! (each council's single point of contact) logs and moves requests; everyone in the partnership
//! reads the register, and the requester, kept apart as personal data, is read by the
//! information role alone.

use std::collections::HashMap;

use accord_domain::access::{Action, Area, Classification, RecordMeta};
use accord_domain::request::{
    ComplaintEligibility, Deadlines, DueDates, InternalReview, Protocol, Request, Requester,
    ReviewDeadlines, ReviewStatus, complaint_eligibility, review_deadlines,
};
use accord_domain::working_days::Calendars;
use accord_domain::{Authority, GssCode, Invalid, Partnership};
use accord_store::WriteTx;
use accord_store::holidays::HolidaySources;
use accord_store::requests::{StoredComplaint, StoredRequest, StoredReview};
use chrono::NaiveDate;
use std::sync::{Arc, Mutex};

use crate::{App, AppError, Caller, Result};

mod caseload;
mod complaint;
mod disclosure;
mod feed;
mod holidays;
mod log;
mod register;
mod review;
mod statistics;
mod workflow;

pub use accord_store::requests::{
    CaseloadCounts, REQUEST_KIND, RequestFilter, RequestSummary, SECTIONS, StoredProclamation,
};
pub use caseload::{Case, Caseload, CaseloadSection, DaysLeft, caseload};
pub use complaint::{lodge_complaint, record_decision_notice};
pub use disclosure::{DisclosureEntry, disclosure_log};
pub use feed::deadline_feed;
pub use holidays::{
    HolidayOverview, MovedDeadline, Recount, TableChanged, add_holiday, describe_changes,
    holiday_table, holidays, recount, remove_holiday,
};
pub use log::{LogRequest, councils_on, log_request};
pub use register::{parse_stages, register, request};
pub use review::{ask_for_review, decide_review};
pub use statistics::statistics;
pub use workflow::{
    acknowledge, apply, claim_extension, clear_comms, close, confirm_identity, forward,
    give_fees_notice, lapse, publish, receive_clarification, receive_fee, request_identity,
    respond, seek_clarification, send_for_comms, sign_off, start_drafting, submit_draft, withdraw,
};

/// The protocol's targets. Every partnership uses the defaults of Schedule 4 (forwarding
/// within two working days) until its Programme Board agrees others.
pub fn protocol() -> Protocol {
    Protocol::default()
}

/// A request as its reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestEntry {
    /// The record's id (its history is filed under it).
    pub record_id: i64,
    /// The version a change must name.
    pub version: i64,
    /// Who may see and change it.
    pub meta: RecordMeta,
    /// Its class today (an embargo whose date has come counts as released).
    pub classification: Classification,
    /// Its place in the register's sequence.
    pub number: u32,
    /// The request, without its requester.
    pub request: Request,
    /// Its due dates as last counted.
    pub dates: DueDates,
}

impl RequestEntry {
    fn of(stored: StoredRequest, today: NaiveDate) -> Self {
        RequestEntry {
            record_id: stored.record_id,
            version: stored.version,
            classification: stored.meta.effective_classification(today),
            meta: stored.meta,
            number: stored.number,
            request: stored.request,
            dates: stored.dates,
        }
    }

    /// Its reference: FOI-2026-0113.
    pub fn reference(&self) -> &str {
        &self.request.reference
    }
}

/// An internal review as its reader sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewEntry {
    /// The review's record id.
    pub record_id: i64,
    /// The version a change must name.
    pub version: i64,
    /// The review.
    pub review: InternalReview,
    /// The date its decision is due by, while pending.
    pub due: Option<NaiveDate>,
}

impl From<StoredReview> for ReviewEntry {
    fn from(stored: StoredReview) -> Self {
        ReviewEntry {
            record_id: stored.record_id,
            version: stored.version,
            review: stored.review,
            due: stored.due,
        }
    }
}

/// A complaint to the Information Commissioner as its reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintEntry {
    /// The complaint's record id.
    pub record_id: i64,
    /// The version a change must name.
    pub version: i64,
    /// The complaint.
    pub complaint: accord_domain::request::Complaint,
}

impl From<StoredComplaint> for ComplaintEntry {
    fn from(stored: StoredComplaint) -> Self {
        ComplaintEntry {
            record_id: stored.record_id,
            version: stored.version,
            complaint: stored.complaint,
        }
    }
}

/// A request with everything its page shows: what the reader may see of its children, and
/// its deadlines counted with their working.
#[derive(Debug, Clone)]
pub struct RequestView {
    /// The request.
    pub entry: RequestEntry,
    /// The requester, only for readers of personal data.
    pub requester: Option<Requester>,
    /// The internal review, if one was asked for.
    pub review: Option<ReviewEntry>,
    /// The complaint to the Information Commissioner, if there is one.
    pub complaint: Option<ComplaintEntry>,
    /// Whether the response is published in the disclosure log.
    pub in_disclosure_log: bool,
    /// The deadlines with their working, or why they cannot be counted.
    pub deadlines: std::result::Result<Deadlines, Invalid>,
    /// The review's own dates, once one was asked for about a response.
    pub review_dates: Option<ReviewDeadlines>,
    /// Whether the Commissioner would take a complaint today, once there is a response.
    pub complaint_eligibility: Option<ComplaintEligibility>,
}

impl RequestView {
    /// The day the response was sent, for a request that was answered (not lapsed or
    /// withdrawn).
    pub fn responded(&self) -> Option<NaiveDate> {
        responded_on(&self.entry.request)
    }
}

fn responded_on(request: &Request) -> Option<NaiveDate> {
    request
        .response
        .as_ref()
        .filter(|r| !r.outcome.ended_unanswered())
        .map(|r| r.sent_on)
}

/// The partnership a register belongs to, with the names of its councils.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnershipView {
    /// The partnership.
    pub partnership: Partnership,
    /// Its member councils by GSS code, for the names pages show.
    pub names: HashMap<String, Authority>,
}

impl PartnershipView {
    /// A council's short name, or its code when the register does not know it.
    pub fn name(&self, code: &GssCode) -> String {
        self.names
            .get(code.as_str())
            .map_or_else(|| code.to_string(), |a| a.short_name.clone())
    }

    /// The member councils' codes, in membership order.
    pub fn members(&self) -> Vec<GssCode> {
        self.partnership
            .members
            .iter()
            .map(|m| m.authority.clone())
            .collect()
    }
}

/// The partnership of a register, with its councils' names.
pub async fn partnership(app: &App, partnership_id: i64) -> Result<PartnershipView> {
    let partnership = app
        .store()
        .partnership(partnership_id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("partnership {partnership_id}")))?;
    let mut names = HashMap::new();
    for member in &partnership.members {
        let code = member.authority.as_str();
        if names.contains_key(code) {
            continue;
        }
        if let Some(authority) = app.store().authority(code).await? {
            names.insert(code.to_owned(), authority);
        }
    }
    Ok(PartnershipView { partnership, names })
}

/// The register's own metadata in a partnership, for checking a caller may read it or work
/// it (the guard's check, made again for callers that are not web requests).
fn register_meta(partnership_id: i64, caller: &Caller, action: Action) -> RecordMeta {
    if action == Action::Read {
        return RecordMeta::published(Area::Information, Some(partnership_id));
    }
    RecordMeta {
        area: Area::Information,
        partnership_id: Some(partnership_id),
        owner: caller.actor.home.clone(),
        classification: Classification::Partnership,
        embargo: None,
    }
}

/// The calendars of the holiday table last read, kept while the table stays as it is:
/// counting working days needs a calendar of every day from 1990 to 2100, which is worth
/// building once rather than for every request.
#[derive(Debug, Default)]
pub(crate) struct CalendarCache {
    last: Mutex<Option<(HolidaySources, Arc<Calendars>)>>,
}

impl CalendarCache {
    /// The calendars of the table `sources` make: the ones kept, if made from the same.
    fn calendars(&self, sources: HolidaySources) -> Result<Arc<Calendars>> {
        if let Ok(last) = self.last.lock()
            && let Some((kept, calendars)) = last.as_ref()
            && *kept == sources
        {
            return Ok(calendars.clone());
        }
        let calendars = Arc::new(Calendars::new(sources.table()?));
        if let Ok(mut last) = self.last.lock() {
            *last = Some((sources, calendars.clone()));
        }
        Ok(calendars)
    }
}

/// The holiday table as the write transaction sees it, as calendars. The table is read inside
/// the transaction, so a holiday proclaimed meanwhile is never missed.
async fn calendars_in(app: &App, tx: &mut Box<dyn WriteTx>) -> Result<Arc<Calendars>> {
    let sources = tx.holiday_sources().await?;
    app.calendars.calendars(sources)
}

/// The stored holiday table, as calendars.
async fn calendars(app: &App) -> Result<Arc<Calendars>> {
    let sources = app.store().holiday_sources().await?;
    app.calendars.calendars(sources)
}

/// Loads a request to change it: one the caller may see, may change, and still at the version
/// they read.
async fn for_change(
    tx: &mut Box<dyn WriteTx>,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    today: NaiveDate,
) -> Result<StoredRequest> {
    let not_found = || AppError::not_found(format!("request {reference}"));
    let stored = tx
        .request_for_change(partnership_id, reference.trim())
        .await?
        .ok_or_else(not_found)?;
    if caller.system.is_none() && !caller.scope().permits(&stored.meta, today) {
        return Err(not_found());
    }
    caller.check(Action::Update, &stored.meta, today)?;
    if let Some(version) = from_version {
        stale(
            "Request",
            &stored.request.reference,
            version,
            stored.version,
        )?;
    }
    Ok(stored)
}

/// The refusal for a change made from a version that is no longer current.
fn stale(what: &str, reference: &str, expected: i64, current: i64) -> Result<()> {
    if expected == current {
        return Ok(());
    }
    Err(AppError::Conflict(format!(
        "{what} {reference} changed since you opened it (you had version {expected}; it is now at \
         version {current}). The page shows it as it is now: make your change again if it is still needed"
    )))
}

/// Builds the page of a request from what is stored.
async fn view(app: &App, caller: &Caller, stored: StoredRequest) -> Result<RequestView> {
    let today = app.today();
    let scope = caller.scope();
    let store = app.store();
    let id = stored.record_id;
    let requester = store.requester(id, &scope, today).await?;
    let review = store
        .review(id, &scope, today)
        .await?
        .map(ReviewEntry::from);
    let complaint = store
        .complaint(id, &scope, today)
        .await?
        .map(ComplaintEntry::from);
    let in_disclosure_log = store.in_disclosure_log(id, &scope, today).await?;
    let calendars = calendars(app).await?;
    let entry = RequestEntry::of(stored, today);
    let request = &entry.request;
    let calendar = calendars.get(request.calendar_scope());
    let deadlines = request.deadlines(calendar, &protocol());
    let responded = responded_on(request);
    let review_dates = match (review, responded) {
        (Some(r), Some(sent)) => {
            review_deadlines(request.regime, sent, r.review.requested, calendar).ok()
        }
        _ => None,
    };
    let complaint_eligibility = responded.map(|_| {
        complaint_eligibility(
            review.map_or(ReviewStatus::NotRequested, |r| r.review.status()),
            today,
            calendar,
        )
    });
    Ok(RequestView {
        entry,
        requester,
        review,
        complaint,
        in_disclosure_log,
        deadlines,
        review_dates,
        complaint_eligibility,
    })
}
