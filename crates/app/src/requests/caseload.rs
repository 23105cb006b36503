//! A single point of contact's caseload: what needs them today. Overdue and due soon, not
//! forwarded in time, awaiting their sign-off, awaiting the other council, awaiting the
//! communications teams.
//!
//! The register may hold years of requests, so the database answers each section (the SQL
//! form of `Request::caseload`): one `SUM` per section counts it, and each section lists its
//! first [`LIMIT`] requests, soonest due first.

use accord_domain::GssCode;
use accord_domain::access::Action;
use accord_domain::request::Attention;
use accord_domain::working_days::CalendarScope;
use accord_store::requests::{CaseloadQuery, RequestSummary, SECTIONS};
use chrono::NaiveDate;

use super::{calendars, partnership, protocol, register_meta};
use crate::{App, AppError, Caller, Result};

/// The most requests a section lists; its total counts them all.
pub const LIMIT: i64 = 100;

/// How long a request has left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaysLeft {
    /// Working days left until the date the response must go by.
    Left(u32),
    /// Working days since that date.
    Overdue(u32),
}

/// A request on the caseload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The request.
    pub summary: RequestSummary,
    /// How long it has left, in its own calendar's working days; none while the clock is
    /// stopped.
    pub days_left: Option<DaysLeft>,
}

/// One section of the caseload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseloadSection {
    /// What its requests need.
    pub attention: Attention,
    /// How many requests it holds in all.
    pub total: i64,
    /// The first of them, soonest due first.
    pub cases: Vec<Case>,
}

/// A council's caseload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caseload {
    /// Whose.
    pub council: GssCode,
    /// The day it is for.
    pub today: NaiveDate,
    /// The open requests the council counts for (leads, or received and has not yet forwarded).
    pub open: i64,
    /// The sections, in the order pages show them.
    pub sections: Vec<CaseloadSection>,
}

/// The caseload of `council`'s single point of contact (by default the caller's own council,
/// or the partnership's first), as the database counts and lists it today.
pub async fn caseload(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    council: Option<&GssCode>,
) -> Result<Caseload> {
    let today = app.today();
    caller.check(
        Action::Update,
        &register_meta(partnership_id, caller, Action::Update),
        today,
    )?;
    let view = partnership(app, partnership_id).await?;
    let members = view.members();
    let council = council
        .filter(|c| members.contains(c))
        .or_else(|| caller.actor.home.as_ref().filter(|h| members.contains(h)))
        .or_else(|| members.first())
        .cloned()
        .ok_or_else(|| AppError::not_found("a council of the partnership"))?;
    let calendars = calendars(app).await?;
    let protocol = protocol();
    // "Due soon" is within so many working days of today, in each request's own calendar:
    // before the next working day after them.
    let soon_before = CalendarScope::ALL
        .iter()
        .filter_map(|scope| {
            calendars
                .get(*scope)
                .add_working_days(today, protocol.due_soon_days + 1)
                .map(|date| (*scope, date))
        })
        .collect();
    let query = CaseloadQuery {
        council: council.clone(),
        today,
        soon_before,
    };
    let scope = caller.scope();
    let store = app.store();
    let counts = store
        .caseload_counts(partnership_id, &query, &scope, today)
        .await?;
    let mut sections = Vec::with_capacity(SECTIONS.len());
    for attention in SECTIONS {
        let rows = store
            .caseload_section(partnership_id, &query, attention, LIMIT, &scope, today)
            .await?;
        let cases = rows
            .into_iter()
            .map(|summary| {
                let calendar = calendars.get(summary.calendar);
                let days_left = summary.answer_by.map(|due| {
                    if due >= today {
                        DaysLeft::Left(calendar.working_days_between(today, due).unwrap_or(0))
                    } else {
                        DaysLeft::Overdue(calendar.working_days_between(due, today).unwrap_or(0))
                    }
                });
                Case { summary, days_left }
            })
            .collect();
        sections.push(CaseloadSection {
            attention,
            total: counts.sections.get(&attention).copied().unwrap_or(0),
            cases,
        });
    }
    Ok(Caseload {
        council,
        today,
        open: counts.open,
        sections,
    })
}
