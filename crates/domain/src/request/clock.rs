//! The statutory clock: from the date of receipt and what happened since, the due date, any
//! extended due date, the internal target, flags, and the working for each.

use super::{Protocol, Regime, Timeliness};
use crate::Invalid;
use crate::authority::parse_date;
use crate::working_days::{Calendar, CalendarScope, Step, calendar::Pause, check_in_range};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What happened to a request's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The council asked the requester to clarify (FOIA s1(3), EIR reg 9, FOISA s1(3),
    /// UK GDPR Art 12): the clock stops.
    ClarificationSought,
    /// The clarification arrived: FOIA, EIR and FOISA start their 20 days again from this
    /// day; a subject access request resumes where it paused.
    ClarificationReceived,
    /// A fees notice was given: the clock stops until the fee is paid, and the request
    /// lapses if it is not paid within three months (FOIA s9, FOISA s9).
    FeesNoticeGiven,
    /// The fee was paid: the days from the notice to payment do not count.
    FeePaid,
    /// FOIA only: notice that the public-interest test needs more time (s10(3)), due by day
    /// 20. The extra time should not take the total past 40 working days.
    PublicInterestExtension,
    /// EIR only: notice that the request is complex and voluminous (reg 7), due by day 20;
    /// the limit becomes 40 working days.
    EirExtension,
    /// Subject access only: notice that the request is complex or numerous (Art 12(3)),
    /// due within the first month; the limit becomes three months.
    SarExtension,
    /// Subject access only: the council asked the requester to prove their identity; the
    /// clock does not start until it is confirmed.
    IdRequested,
    /// Subject access only: the requester's identity was confirmed; the month runs from
    /// this day.
    IdConfirmed,
    /// The response was sent; used to judge timeliness.
    ResponseSent,
}

impl EventKind {
    /// Every kind, in the order the docs list them.
    pub const ALL: [EventKind; 10] = [
        EventKind::ClarificationSought,
        EventKind::ClarificationReceived,
        EventKind::FeesNoticeGiven,
        EventKind::FeePaid,
        EventKind::PublicInterestExtension,
        EventKind::EirExtension,
        EventKind::SarExtension,
        EventKind::IdRequested,
        EventKind::IdConfirmed,
        EventKind::ResponseSent,
    ];

    /// The CLI and API name, e.g. `clarification_sought`.
    pub fn slug(self) -> &'static str {
        match self {
            EventKind::ClarificationSought => "clarification_sought",
            EventKind::ClarificationReceived => "clarification_received",
            EventKind::FeesNoticeGiven => "fees_notice_given",
            EventKind::FeePaid => "fee_paid",
            EventKind::PublicInterestExtension => "public_interest_extension",
            EventKind::EirExtension => "eir_extension",
            EventKind::SarExtension => "sar_extension",
            EventKind::IdRequested => "id_requested",
            EventKind::IdConfirmed => "id_confirmed",
            EventKind::ResponseSent => "response_sent",
        }
    }

    /// In words, for the working.
    pub fn label(self) -> &'static str {
        match self {
            EventKind::ClarificationSought => "clarification sought",
            EventKind::ClarificationReceived => "clarification received",
            EventKind::FeesNoticeGiven => "fees notice given",
            EventKind::FeePaid => "fee paid",
            EventKind::PublicInterestExtension => "public-interest extension notice",
            EventKind::EirExtension => "EIR extension notice (complex and voluminous)",
            EventKind::SarExtension => "subject access extension notice",
            EventKind::IdRequested => "identity requested",
            EventKind::IdConfirmed => "identity confirmed",
            EventKind::ResponseSent => "response sent",
        }
    }

    /// The regimes the event applies to.
    pub fn applies_to(self, regime: Regime) -> bool {
        match self {
            EventKind::PublicInterestExtension => regime == Regime::Foi,
            EventKind::EirExtension => regime == Regime::Eir,
            EventKind::SarExtension | EventKind::IdRequested | EventKind::IdConfirmed => {
                regime == Regime::Sar
            }
            _ => true,
        }
    }
}

/// One event on a request's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ClockEvent {
    /// What happened.
    pub kind: EventKind,
    /// When.
    pub date: NaiveDate,
    /// For a public-interest extension, the date the notice says the response will come by;
    /// without it the extension runs to day 40.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

impl ClockEvent {
    /// An event with no `until` date.
    pub fn new(kind: EventKind, date: NaiveDate) -> ClockEvent {
        ClockEvent {
            kind,
            date,
            until: None,
        }
    }

    /// Parses the CLI form `KIND:YYYY-MM-DD`, or `public_interest_extension:DATE:UNTIL`.
    pub fn parse(field: &str, text: &str) -> Result<ClockEvent, Invalid> {
        let mut parts = text.trim().split(':');
        let kind_text = parts.next().unwrap_or_default();
        let kind = EventKind::ALL
            .into_iter()
            .find(|k| k.slug() == kind_text.trim().replace('-', "_"))
            .ok_or_else(|| {
                let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.slug()).collect();
                Invalid::field(
                    field,
                    format!(
                        "“{kind_text}” is not an event; use one of {} as KIND:YYYY-MM-DD",
                        kinds.join(", ")
                    ),
                )
            })?;
        let date = parse_date(field, parts.next().unwrap_or_default())?;
        let until = parts.next().map(|u| parse_date(field, u)).transpose()?;
        if parts.next().is_some() {
            return Err(Invalid::field(
                field,
                format!("“{text}” has too many parts; write KIND:YYYY-MM-DD"),
            ));
        }
        Ok(ClockEvent { kind, date, until })
    }
}

impl fmt::Display for ClockEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.slug(), self.date)?;
        if let Some(until) = self.until {
            write!(f, ":{until}")?;
        }
        Ok(())
    }
}

/// One computed date and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct Deadline {
    /// The date.
    pub due: NaiveDate,
    /// The rule in one sentence: "20 working days after 2025-03-03 (day 0)".
    pub rule: String,
    /// The day the count runs from.
    pub start: NaiveDate,
    /// Every day from the start to the due date: counted, or skipped and why. Empty when the
    /// working was not asked for.
    pub working: Vec<Step>,
    /// Further notes on the working (a month with no corresponding date, a roll to the
    /// next working day).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Something a reader of the deadlines should act on or know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Flag {
    /// An extension notice came after the statutory due date, so the extension was not
    /// validly claimed.
    ExtensionNoticeLate {
        /// The notice.
        notice: NaiveDate,
        /// The date it was due by.
        due_by: NaiveDate,
    },
    /// A public-interest extension runs past 40 working days in total, beyond what the
    /// Information Commissioner regards as reasonable.
    BeyondFortyWorkingDays {
        /// The date the response is promised or was sent.
        date: NaiveDate,
        /// Day 40.
        day_forty: NaiveDate,
    },
    /// Waiting for the requester's clarification: no due date until it comes.
    AwaitingClarification {
        /// When it was sought.
        since: NaiveDate,
    },
    /// Subject access: waiting for proof of identity; the month has not started.
    AwaitingIdentity {
        /// When it was asked for.
        since: NaiveDate,
    },
    /// Waiting for a fee: the request lapses unless it is paid by `pay_by`.
    AwaitingFee {
        /// When the notice was given.
        since: NaiveDate,
        /// The last day of the three months.
        pay_by: NaiveDate,
    },
    /// The fee was paid after the three months, when the council no longer had to comply.
    FeePaidLate {
        /// When it was paid.
        paid: NaiveDate,
        /// The last day it could be paid.
        pay_by: NaiveDate,
    },
    /// The response was late.
    ResponseLate {
        /// When it was sent.
        sent: NaiveDate,
        /// The last day it was due, with any permitted extension.
        due: NaiveDate,
    },
}

impl Flag {
    /// The flag in a sentence.
    pub fn message(&self) -> String {
        match self {
            Flag::ExtensionNoticeLate { notice, due_by } => format!(
                "the extension notice of {notice} came after the due date {due_by}, so the extension was not validly claimed"
            ),
            Flag::BeyondFortyWorkingDays { date, day_forty } => {
                format!("{date} is beyond 40 working days in total (day 40 is {day_forty})")
            }
            Flag::AwaitingClarification { since } => {
                format!("awaiting clarification sought on {since}: no due date until it arrives")
            }
            Flag::AwaitingIdentity { since } => format!(
                "awaiting proof of identity asked for on {since}: the month starts when it is confirmed"
            ),
            Flag::AwaitingFee { since, pay_by } => format!(
                "awaiting the fee from the notice of {since}: the request lapses unless it is paid by {pay_by}"
            ),
            Flag::FeePaidLate { paid, pay_by } => {
                format!("the fee was paid on {paid}, after the three months ended on {pay_by}")
            }
            Flag::ResponseLate { sent, due } => {
                format!("the response of {sent} was late: it was due by {due}")
            }
        }
    }
}

/// Everything the clock says about a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct Deadlines {
    /// The regime.
    pub regime: Regime,
    /// The calendar the working days were counted in.
    pub calendar: CalendarScope,
    /// The day the request was received.
    pub received: NaiveDate,
    /// The statutory due date; `None` while the clock is stopped (awaiting clarification or
    /// a fee).
    pub statutory: Option<Deadline>,
    /// The due date with a validly claimed extension, if one was claimed.
    pub extended: Option<Deadline>,
    /// The protocol's internal target, leaving time for the other council's sign-off and
    /// communications clearance.
    pub internal_target: Option<Deadline>,
    /// The date the response must go by: the extended date when an extension was validly
    /// claimed, the statutory date otherwise.
    pub answer_by: Option<NaiveDate>,
    /// The last day a requested fee can be paid before the request lapses.
    pub fee_pay_by: Option<NaiveDate>,
    /// Whether the response was in time, when it has been sent.
    pub timeliness: Option<Timeliness>,
    /// What needs attention.
    pub flags: Vec<Flag>,
    /// What happened to the clock, in order, in words.
    pub timeline: Vec<String>,
}

/// Just the dates, for recomputing many requests at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DueDates {
    /// The statutory due date, if the clock is running.
    pub statutory: Option<NaiveDate>,
    /// The extended due date, if an extension was claimed.
    pub extended: Option<NaiveDate>,
    /// The internal target.
    pub internal_target: Option<NaiveDate>,
    /// The date the response must go by (the extended date when validly claimed).
    pub answer_by: Option<NaiveDate>,
}

/// The last day of a period of `months` months beginning with `start`: the day before the
/// corresponding date, or the last day of the month when there is no corresponding date.
pub fn period_end(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    let target_month = start.checked_add_months(Months::new(months))?;
    if target_month.day() == start.day() {
        target_month.pred_opt()
    } else {
        // No corresponding date (31 November): the period runs to the end of that month.
        Some(target_month)
    }
}

/// The clock's state after the events, before any dates are computed.
struct Analysis {
    start: NaiveDate,
    start_note: &'static str,
    pauses: Vec<Pause>,
    paused_days: u64,
    awaiting: Option<Flag>,
    extension: Option<ClockEvent>,
    response: Option<NaiveDate>,
    fee_pay_by: Option<NaiveDate>,
    flags: Vec<Flag>,
    timeline: Vec<String>,
}

fn analyse(
    regime: Regime,
    received: NaiveDate,
    events: &[ClockEvent],
    calendar: &Calendar,
    trace: bool,
) -> Result<Analysis, Invalid> {
    let mut invalid = Invalid::new();
    if !regime.accepts_calendar(calendar.scope()) {
        invalid.push(
            "calendar",
            format!(
                "{} counts working days in {}, not {}",
                regime.name(),
                regime
                    .calendar_scope(crate::working_days::Division::Scotland)
                    .name(),
                calendar.scope().name()
            ),
        );
    }
    invalid.check(check_in_range("received", received));
    for (i, event) in events.iter().enumerate() {
        let field = format!("events[{i}]");
        if event.date < received {
            invalid.push(
                &field,
                format!(
                    "{} on {} is before the request was received on {received}",
                    event.kind.label(),
                    event.date
                ),
            );
        }
        if event.date > calendar.last_day() {
            invalid.push(&field, format!("{} is beyond the calendar", event.date));
        }
        if !event.kind.applies_to(regime) {
            let why = match event.kind {
                EventKind::PublicInterestExtension if regime == Regime::Foisa => {
                    "FOISA has no public-interest extension".to_owned()
                }
                _ => format!("{} does not apply to {}", event.kind.label(), regime.name()),
            };
            invalid.push(&field, why);
        }
        if let Some(until) = event.until {
            if event.kind != EventKind::PublicInterestExtension {
                invalid.push(
                    &field,
                    "only a public-interest extension has an “until” date",
                );
            } else if until <= event.date {
                invalid.push(
                    &field,
                    format!("the extension's date {until} is not after the notice"),
                );
            }
        }
    }
    std::mem::take(&mut invalid).into_result()?;

    // Events in date order; on the same day, in the order given.
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| events[i].date);

    let mut a = Analysis {
        start: received,
        start_note: "received",
        pauses: Vec::new(),
        paused_days: 0,
        awaiting: None,
        extension: None,
        response: None,
        fee_pay_by: None,
        flags: Vec::new(),
        timeline: Vec::new(),
    };
    if trace {
        let day = if regime == Regime::Sar { 1 } else { 0 };
        a.timeline.push(format!("{received}: received (day {day})"));
    }
    // The words of the timeline cost allocations; the bulk recompute skips them.
    macro_rules! note {
        ($($arg:tt)*) => {
            if trace { format!($($arg)*) } else { String::new() }
        };
    }
    let mut clarification_since: Option<NaiveDate> = None;
    let mut fee_since: Option<NaiveDate> = None;
    let mut identity_since: Option<NaiveDate> = None;
    let mut identity_confirmed = false;
    for i in order {
        let event = events[i];
        let field = || format!("events[{i}]");
        let date = event.date;
        if let Some(sent) = a.response {
            invalid.push(
                field(),
                format!("the response was sent on {sent}; the clock has stopped for good"),
            );
            continue;
        }
        let note = match event.kind {
            EventKind::ClarificationSought => {
                if clarification_since.is_some() {
                    invalid.push(field(), "clarification is already being sought");
                    continue;
                }
                clarification_since = Some(date);
                note!("the clock stops until the clarification arrives")
            }
            EventKind::ClarificationReceived => {
                let Some(since) = clarification_since.take() else {
                    invalid.push(field(), "no clarification was sought before this");
                    continue;
                };
                if regime == Regime::Sar {
                    a.paused_days += (date - since).num_days().unsigned_abs();
                    note!(
                        "the clock resumes; {} days paused",
                        (date - since).num_days()
                    )
                } else {
                    a.start = date;
                    a.pauses.clear();
                    a.start_note = "clarification received";
                    note!("the 20 working days start again from this day")
                }
            }
            EventKind::FeesNoticeGiven => {
                if fee_since.is_some() {
                    invalid.push(field(), "a fees notice is already awaiting payment");
                    continue;
                }
                fee_since = Some(date);
                let pay_by = period_end(date, 3);
                a.fee_pay_by = pay_by;
                match pay_by {
                    Some(pay_by) => note!("the clock stops; the fee must be paid by {pay_by}"),
                    None => note!("the clock stops"),
                }
            }
            EventKind::FeePaid => {
                let Some(since) = fee_since.take() else {
                    invalid.push(field(), "no fees notice was given before this");
                    continue;
                };
                if let Some(pay_by) = a.fee_pay_by
                    && date > pay_by
                {
                    a.flags.push(Flag::FeePaidLate { paid: date, pay_by });
                }
                a.fee_pay_by = None;
                if regime == Regime::Sar {
                    a.paused_days += (date - since).num_days().unsigned_abs();
                } else {
                    a.pauses.push(Pause {
                        from: since,
                        through: date,
                        reason: note!("fees notice period ({since} to {date}): not counted"),
                    });
                }
                note!("the clock resumes; the days from {since} to {date} do not count")
            }
            EventKind::PublicInterestExtension
            | EventKind::EirExtension
            | EventKind::SarExtension => {
                if a.extension.is_some() {
                    invalid.push(field(), "an extension was already claimed");
                    continue;
                }
                a.extension = Some(event);
                note!("extension claimed")
            }
            EventKind::IdRequested => {
                if identity_since.is_some() || identity_confirmed {
                    invalid.push(field(), "identity was already asked for");
                    continue;
                }
                identity_since = Some(date);
                note!("the month does not start until identity is confirmed")
            }
            EventKind::IdConfirmed => {
                if identity_confirmed {
                    invalid.push(field(), "identity was already confirmed");
                    continue;
                }
                identity_confirmed = true;
                identity_since = None;
                // The month starts now; pauses before it do not matter.
                a.start = date;
                a.paused_days = 0;
                a.start_note = "identity confirmed";
                note!("the month runs from this day")
            }
            EventKind::ResponseSent => {
                a.response = Some(date);
                note!("response sent")
            }
        };
        if trace {
            a.timeline
                .push(note!("{date}: {}: {note}", event.kind.label()));
        }
    }
    invalid.into_result()?;
    if let Some(since) = clarification_since {
        a.awaiting = Some(Flag::AwaitingClarification { since });
    } else if let Some(since) = identity_since {
        a.awaiting = Some(Flag::AwaitingIdentity { since });
    } else if let (Some(since), Some(pay_by)) = (fee_since, a.fee_pay_by) {
        a.awaiting = Some(Flag::AwaitingFee { since, pay_by });
    }
    Ok(a)
}

fn beyond(field: &str) -> Invalid {
    Invalid::field(
        field,
        "the deadline falls beyond the end of the working-day calendar (2101)",
    )
}

/// Computes a request's deadlines with the default protocol.
pub fn deadlines(
    regime: Regime,
    received: NaiveDate,
    events: &[ClockEvent],
    calendar: &Calendar,
) -> Result<Deadlines, Invalid> {
    deadlines_with(regime, received, events, calendar, &Protocol::default())
}

/// Computes a request's deadlines, with the working for each date.
pub fn deadlines_with(
    regime: Regime,
    received: NaiveDate,
    events: &[ClockEvent],
    calendar: &Calendar,
    protocol: &Protocol,
) -> Result<Deadlines, Invalid> {
    compute(regime, received, events, calendar, protocol, true)
}

/// Only the dates, without the working: for recomputing every open request after the
/// holiday table changes.
pub fn due_dates(
    regime: Regime,
    received: NaiveDate,
    events: &[ClockEvent],
    calendar: &Calendar,
    protocol: &Protocol,
) -> Result<DueDates, Invalid> {
    let d = compute(regime, received, events, calendar, protocol, false)?;
    Ok(DueDates {
        statutory: d.statutory.map(|s| s.due),
        extended: d.extended.map(|e| e.due),
        internal_target: d.internal_target.map(|t| t.due),
        answer_by: d.answer_by,
    })
}

fn compute(
    regime: Regime,
    received: NaiveDate,
    events: &[ClockEvent],
    calendar: &Calendar,
    protocol: &Protocol,
    trace: bool,
) -> Result<Deadlines, Invalid> {
    let a = analyse(regime, received, events, calendar, trace)?;
    let mut flags = a.flags;
    let mut out = Deadlines {
        regime,
        calendar: calendar.scope(),
        received,
        statutory: None,
        extended: None,
        internal_target: None,
        answer_by: None,
        fee_pay_by: a.fee_pay_by,
        timeliness: None,
        flags: Vec::new(),
        timeline: a.timeline,
    };
    if let Some(awaiting) = a.awaiting {
        flags.push(awaiting);
        out.flags = flags;
        return Ok(out);
    }
    let counter = Counter {
        calendar,
        start: a.start,
        start_note: a.start_note,
        pauses: &a.pauses,
        paused_days: a.paused_days,
        trace,
    };
    let statutory = match regime.limit() {
        super::Limit::WorkingDays(days) => counter.working_days(days),
        super::Limit::CalendarMonths(months) => counter.months(months),
    }
    .ok_or_else(|| beyond("received"))?;

    let margin = protocol.sign_off_margin_days;
    out.internal_target = match regime.limit() {
        super::Limit::WorkingDays(days) => counter.working_days(days.saturating_sub(margin).max(1)),
        super::Limit::CalendarMonths(_) => {
            let due = calendar
                .subtract_working_days(statutory.due, margin)
                .filter(|d| *d > a.start)
                .unwrap_or(statutory.due);
            Some(Deadline {
                due,
                rule: format!(
                    "{margin} working days before the statutory due date {}",
                    statutory.due
                ),
                start: a.start,
                working: if trace {
                    calendar.explain(due, statutory.due, &[])
                } else {
                    Vec::new()
                },
                notes: Vec::new(),
            })
        }
    };

    let mut permitted_extension = false;
    if let Some(extension) = a.extension {
        if extension.date > statutory.due {
            flags.push(Flag::ExtensionNoticeLate {
                notice: extension.date,
                due_by: statutory.due,
            });
        } else {
            permitted_extension = true;
        }
        let extended = match extension.kind {
            EventKind::SarExtension => counter.months(3),
            _ => {
                let day_forty = counter.working_days(40).ok_or_else(|| beyond("events"))?;
                match extension.until {
                    Some(until) => {
                        if until > day_forty.due {
                            flags.push(Flag::BeyondFortyWorkingDays {
                                date: until,
                                day_forty: day_forty.due,
                            });
                        }
                        Some(Deadline {
                            due: until,
                            rule: format!(
                                "the date given in the public-interest extension notice of {}",
                                extension.date
                            ),
                            start: a.start,
                            working: if trace {
                                calendar.explain(a.start, until, &a.pauses)
                            } else {
                                Vec::new()
                            },
                            notes: Vec::new(),
                        })
                    }
                    None => Some(day_forty),
                }
            }
        };
        out.extended = Some(extended.ok_or_else(|| beyond("events"))?);
    }

    if let Some(sent) = a.response {
        let extended_due = out.extended.as_ref().map(|e| e.due);
        let timeliness = if sent <= statutory.due {
            Timeliness::InTime
        } else if permitted_extension && extended_due.is_some_and(|due| sent <= due) {
            Timeliness::WithinExtension
        } else {
            Timeliness::Late
        };
        if timeliness == Timeliness::Late {
            let due = if permitted_extension {
                extended_due.unwrap_or(statutory.due)
            } else {
                statutory.due
            };
            flags.push(Flag::ResponseLate { sent, due });
        }
        if regime == Regime::Foi
            && out.extended.is_some()
            && let Some(day_forty) = counter.working_days(40).map(|d| d.due)
            && sent > day_forty
            && !flags
                .iter()
                .any(|f| matches!(f, Flag::BeyondFortyWorkingDays { .. }))
        {
            flags.push(Flag::BeyondFortyWorkingDays {
                date: sent,
                day_forty,
            });
        }
        out.timeliness = Some(timeliness);
    }
    out.answer_by = match (&out.extended, permitted_extension) {
        (Some(extended), true) => Some(extended.due),
        _ => Some(statutory.due),
    };
    out.statutory = Some(statutory);
    out.flags = flags;
    Ok(out)
}

/// Counts from the clock's start, with or without the working.
struct Counter<'a> {
    calendar: &'a Calendar,
    start: NaiveDate,
    start_note: &'a str,
    pauses: &'a [Pause],
    paused_days: u64,
    trace: bool,
}

impl Counter<'_> {
    fn working_days(&self, days: u32) -> Option<Deadline> {
        let due = self
            .calendar
            .add_working_days_pausing(self.start, days, self.pauses)?;
        Some(Deadline {
            due,
            rule: if self.trace {
                format!(
                    "{days} working days after {} ({}, day 0), skipping weekends and bank holidays in {}",
                    self.start,
                    self.start_note,
                    self.calendar.scope().name()
                )
            } else {
                String::new()
            },
            start: self.start,
            working: if self.trace {
                self.calendar.explain(self.start, due, self.pauses)
            } else {
                Vec::new()
            },
            notes: Vec::new(),
        })
    }

    /// Calendar months from the start (day 1): the corresponding date, or the month's last
    /// day when there is none, pushed back by paused days and rolled to a working day.
    fn months(&self, months: u32) -> Option<Deadline> {
        let raw = self.start.checked_add_months(Months::new(months))?;
        let mut notes = Vec::new();
        if self.trace {
            if raw.day() == self.start.day() {
                notes.push(format!(
                    "{months} calendar month(s) from {} ({}, day 1): the corresponding date is {raw}",
                    self.start, self.start_note
                ));
            } else {
                notes.push(format!(
                    "{months} calendar month(s) from {} ({}, day 1): there is no corresponding date, so the last day of the month, {raw}",
                    self.start, self.start_note
                ));
            }
        }
        let paused = raw.checked_add_days(Days::new(self.paused_days))?;
        if self.trace && self.paused_days > 0 {
            notes.push(format!(
                "plus {} days while the clock was paused: {paused}",
                self.paused_days
            ));
        }
        let due = self.calendar.next_working_day(paused)?;
        let working = if self.trace && due != paused {
            notes.push(format!(
                "{paused} is not a working day, so the deadline moves to {due}"
            ));
            let day_before = paused.pred_opt()?;
            self.calendar
                .explain(day_before, due, &[])
                .into_iter()
                .filter(|s| !matches!(s, Step::Counted { .. }))
                .collect()
        } else {
            Vec::new()
        };
        Some(Deadline {
            due,
            rule: if self.trace {
                format!(
                    "{months} calendar month(s) from {}, the day of receipt being day 1",
                    self.start
                )
            } else {
                String::new()
            },
            start: self.start,
            working,
            notes,
        })
    }
}
