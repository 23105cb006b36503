//! The holiday table: the GOV.UK feed as imported, the holidays proclaimed for this instance,
//! and the recount of every open request's deadlines when working days change.
//!
//! Adding or removing a proclamation changes working days, so the change and the recount are
//! written in one transaction, and each request whose dates moved is written with the change
//! in its audit trail. Requests already answered keep the dates they were judged by.

use accord_domain::access::{Action, Area, RecordMeta};
use accord_domain::request::Protocol;
use accord_domain::working_days::{
    Calendars, Discrepancy, Division, HolidayChange, HolidayTable, ProclaimedHoliday,
};
use accord_store::WriteTx;
use accord_store::requests::StoredProclamation;
use chrono::{Datelike, NaiveDate};

use super::protocol;
use crate::{App, AppError, Caller, Result};

/// One request whose dates a recount moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedDeadline {
    /// The request's record.
    pub record_id: i64,
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
    /// Those whose dates moved (each written and audited).
    pub moved: Vec<MovedDeadline>,
    /// Those the table could not count (a deadline past the end of the calendar), with the
    /// reason; they keep their stored dates.
    pub failed: Vec<(i64, String)>,
}

/// What a change of the holiday table did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableChanged {
    /// The change in words, as the audit trail has it.
    pub described: String,
    /// The recount of open requests that came with it.
    pub recount: Recount,
}

/// What the administrators' holiday page shows.
#[derive(Debug, Clone)]
pub struct HolidayOverview {
    /// The holidays proclaimed here, by date.
    pub proclaimed: Vec<StoredProclamation>,
    /// The years the imported feed covers, per division (first and last).
    pub coverage: Vec<(Division, i32, i32)>,
    /// Where the feed and the statutory rules disagree (the feed is used).
    pub discrepancies: Vec<Discrepancy>,
}

/// The holiday table as stored: the statutory rules, the imported feed where it covers a year,
/// and the instance's proclamations.
pub async fn holiday_table(app: &App) -> Result<HolidayTable> {
    Ok(accord_store::holidays::holiday_table(app.store()).await?)
}

/// The holiday page's contents.
pub async fn holidays(app: &App, caller: &Caller) -> Result<HolidayOverview> {
    let today = app.today();
    let table = holiday_table(app).await?;
    let proclaimed = app
        .store()
        .proclaimed_holidays(&caller.scope(), today)
        .await?;
    let coverage = table
        .imported_feed()
        .divisions
        .iter()
        .filter_map(|(division, holidays)| {
            let years = holidays.iter().map(|h| h.date.year());
            Some((*division, years.clone().min()?, years.max()?))
        })
        .collect();
    Ok(HolidayOverview {
        proclaimed,
        coverage,
        discrepancies: table.discrepancies(),
    })
}

/// Describes a change of the table for the audit trail: "+ 2025-03-20 A holiday (Scotland)".
pub fn describe_changes(changes: &[HolidayChange]) -> String {
    if changes.is_empty() {
        return "no working day changed".to_owned();
    }
    let mut lines: Vec<String> = changes
        .iter()
        .take(20)
        .map(|c| {
            format!(
                "{} {} {} ({})",
                if c.added { "+" } else { "-" },
                c.date,
                c.title,
                c.division.name()
            )
        })
        .collect();
    if changes.len() > 20 {
        lines.push(format!("and {} more", changes.len() - 20));
    }
    lines.join("; ")
}

fn reason_for(reason: &str, described: &str) -> String {
    if reason.trim().is_empty() {
        format!("holiday table changed: {described}; open requests' deadlines recounted")
    } else {
        format!(
            "{}; holiday table changed: {described}; open requests' deadlines recounted",
            reason.trim()
        )
    }
}

/// Recounts every open request of every partnership in `calendars` inside `tx`, writing each
/// whose dates moved with `change`.
async fn recount_in(
    tx: &mut Box<dyn WriteTx>,
    calendars: &Calendars,
    protocol: &Protocol,
    change: &accord_store::Change,
) -> Result<Recount> {
    let open = tx.open_requests_everywhere().await?;
    let mut recount = Recount {
        open: open.len(),
        ..Recount::default()
    };
    for stored in open {
        let mut request = stored.request.clone();
        let calendar = calendars.get(request.calendar_scope());
        let dates = match request.due_dates(calendar, protocol) {
            Ok(dates) => dates,
            Err(e) => {
                recount.failed.push((stored.record_id, e.to_string()));
                continue;
            }
        };
        let forwarding_before = request.forwarding_due;
        let forwarding_moved = request.refresh_forwarding_due(calendar, protocol);
        if !forwarding_moved && dates == stored.dates {
            continue;
        }
        recount.moved.push(MovedDeadline {
            record_id: stored.record_id,
            reference: request.reference.clone(),
            answer_by: (stored.dates.answer_by, dates.answer_by),
            forwarding_due: (forwarding_before, request.forwarding_due),
        });
        tx.update_request(&stored, &request, &dates, change).await?;
    }
    Ok(recount)
}

/// Recounts every open request's deadlines against the holiday table as stored now (after an
/// import of the feed), in one transaction, each request that moved audited with `reason`.
pub async fn recount(app: &App, caller: &Caller, reason: &str) -> Result<Recount> {
    let today = app.today();
    caller.check(
        Action::Update,
        &RecordMeta::published(Area::Administration, None),
        today,
    )?;
    let mut tx = app.store().write().await?;
    let calendars = Calendars::new(tx.holiday_table().await?);
    let change = caller.change().because(reason);
    let recount = recount_in(&mut tx, &calendars, &protocol(), &change).await?;
    tx.commit().await?;
    Ok(recount)
}

/// Adds a proclaimed holiday and recounts every open request, together. Refused, changing
/// nothing, when the holiday is invalid or its date is already proclaimed in one of its
/// divisions.
pub async fn add_holiday(
    app: &App,
    caller: &Caller,
    holiday: ProclaimedHoliday,
    reason: &str,
) -> Result<TableChanged> {
    let today = app.today();
    caller.check(
        Action::Create,
        &RecordMeta::published(Area::Administration, None),
        today,
    )?;
    holiday.validate()?;
    let mut tx = app.store().write().await?;
    let before = tx.holiday_table().await?;
    let mut after = before.clone();
    after.add_proclaimed(holiday.clone())?;
    let described = describe_changes(&after.changes_from(&before));
    let change = caller.change().because(reason_for(reason, &described));
    tx.insert_proclamation(&holiday, &change).await?;
    let recount = recount_in(&mut tx, &Calendars::new(after), &protocol(), &change).await?;
    tx.commit().await?;
    Ok(TableChanged { described, recount })
}

/// Removes a proclaimed holiday (by its record id) and recounts every open request, together.
pub async fn remove_holiday(
    app: &App,
    caller: &Caller,
    record_id: i64,
    reason: &str,
) -> Result<TableChanged> {
    let today = app.today();
    let mut tx = app.store().write().await?;
    let from = tx
        .proclamation_for_change(record_id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("proclaimed holiday {record_id}")))?;
    caller.check(Action::Delete, &from.meta, today)?;
    let before = tx.holiday_table().await?;
    // The table without this proclamation: rebuilt from the others.
    let mut after = HolidayTable::new().with_feed(&before.imported_feed());
    for p in before.proclaimed().iter().filter(|p| **p != from.holiday) {
        after.add_proclaimed(p.clone())?;
    }
    let described = describe_changes(&after.changes_from(&before));
    let change = caller.change().because(reason_for(reason, &described));
    tx.delete_proclamation(&from, &change).await?;
    let recount = recount_in(&mut tx, &Calendars::new(after), &protocol(), &change).await?;
    tx.commit().await?;
    Ok(TableChanged { described, recount })
}
