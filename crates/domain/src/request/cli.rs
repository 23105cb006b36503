//! `accord deadline`: the deadline calculator behind the CLI and the calculator page.

use super::clock::{ClockEvent, Deadlines, deadlines_with};
use super::{Protocol, Regime};
use crate::Invalid;
use crate::authority::parse_date;
use crate::working_days::{CalendarScope, Division, HolidayTable, YearSource};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The arguments of `accord deadline --regime foi|eir|foisa|sar --received YYYY-MM-DD
/// [--event KIND:DATE ...] [--division england-and-wales|scotland|northern-ireland]`, as
/// the command line gave them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct DeadlineArgs {
    /// `foi`, `eir`, `foisa` or `sar`.
    pub regime: String,
    /// The date of receipt, `YYYY-MM-DD`.
    pub received: String,
    /// Clock events, each `KIND:YYYY-MM-DD` (see `docs/schemas/deadline.md`).
    #[serde(default)]
    pub events: Vec<String>,
    /// For a subject access request, the council's division (default England and Wales).
    /// FOIA and EIR always count the whole UK's holidays and FOISA Scotland's.
    #[serde(default)]
    pub division: Option<String>,
}

/// Where the holidays of one division and year came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct HolidaySourceNote {
    /// The division.
    pub division: Division,
    /// The year.
    pub year: i32,
    /// The rules or an imported feed.
    pub source: YearSource,
}

/// What `accord deadline` prints, as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct DeadlineOutput {
    /// The regime.
    pub regime: Regime,
    /// The law's name.
    pub regime_name: &'static str,
    /// The date of receipt.
    pub received: NaiveDate,
    /// The calendar counted in.
    pub calendar: CalendarScope,
    /// The statutory due date (absent while the clock is stopped).
    pub due: Option<NaiveDate>,
    /// The due date with a claimed extension.
    pub extended_due: Option<NaiveDate>,
    /// The protocol's internal target.
    pub internal_target: Option<NaiveDate>,
    /// The date the response must go by: the extended date when an extension was validly
    /// claimed, else the statutory date.
    pub answer_by: Option<NaiveDate>,
    /// Where the holidays used came from, for each division and year the count touched.
    pub holiday_sources: Vec<HolidaySourceNote>,
    /// What the reader should know of the answer: a date given after today, say.
    pub notes: Vec<String>,
    /// Everything, with the working.
    pub deadlines: Deadlines,
}

/// Runs the deadline calculator. A date after `today` is counted, with a note saying so.
pub fn deadline(
    args: &DeadlineArgs,
    table: &HolidayTable,
    today: NaiveDate,
    protocol: &Protocol,
) -> Result<DeadlineOutput, Invalid> {
    let mut invalid = Invalid::new();
    let regime = invalid.check(Regime::parse("--regime", &args.regime));
    let received = invalid.check(parse_date("--received", &args.received));
    // Planning ahead (next Christmas, a request expected next month) is what a calculator is
    // for: a date after today is counted like any other, and the answer says so.
    let mut notes = Vec::new();
    if let Some(received) = received
        && received > today
    {
        notes.push(format!(
            "The date of receipt, {received}, is in the future (today is {today})."
        ));
    }
    let mut events = Vec::new();
    for (i, text) in args.events.iter().enumerate() {
        if let Some(event) = invalid.check(
            ClockEvent::parse("--event", text).map_err(|e| e.renamed(&format!("--event[{i}]"))),
        ) {
            if event.date > today {
                notes.push(format!(
                    "Event {} is dated {}, in the future (today is {today}).",
                    i + 1,
                    event.date
                ));
            }
            events.push(event);
        }
    }
    let division = args
        .division
        .as_deref()
        .and_then(|d| invalid.check(Division::parse("--division", d)));
    let (Some(regime), Some(received)) = (regime, received) else {
        return Err(invalid);
    };
    let scope = match (regime, division) {
        (Regime::Sar, division) => {
            CalendarScope::division(division.unwrap_or(Division::EnglandAndWales))
        }
        (Regime::Foisa, None | Some(Division::Scotland)) => CalendarScope::Scotland,
        (Regime::Foi | Regime::Eir, None) => CalendarScope::UnitedKingdom,
        (regime, Some(_)) => {
            invalid.push(
                "--division",
                format!(
                    "{} counts working days in {}; leave --division out",
                    regime.name(),
                    regime.calendar_scope(Division::Scotland).name()
                ),
            );
            return Err(invalid);
        }
    };
    invalid.into_result()?;
    let calendar = table.calendar(scope);
    let deadlines = deadlines_with(regime, received, &events, &calendar, protocol)
        .map_err(rename_event_fields)?;
    let last = [
        deadlines.statutory.as_ref().map(|d| d.due),
        deadlines.extended.as_ref().map(|d| d.due),
    ]
    .into_iter()
    .flatten()
    .chain(events.iter().map(|e| e.date))
    .max()
    .unwrap_or(received);
    let years: BTreeSet<i32> = (received.year()..=last.year()).collect();
    let holiday_sources = years
        .into_iter()
        .flat_map(|year| {
            scope
                .divisions()
                .iter()
                .map(move |division| HolidaySourceNote {
                    division: *division,
                    year,
                    source: table.year_source(*division, year),
                })
        })
        .collect();
    Ok(DeadlineOutput {
        regime,
        regime_name: regime.name(),
        received,
        calendar: scope,
        due: deadlines.statutory.as_ref().map(|d| d.due),
        extended_due: deadlines.extended.as_ref().map(|d| d.due),
        internal_target: deadlines.internal_target.as_ref().map(|d| d.due),
        answer_by: deadlines.answer_by,
        holiday_sources,
        notes,
        deadlines,
    })
}

/// The clock names events `events[i]`; on the command line they are `--event[i]`.
fn rename_event_fields(mut invalid: Invalid) -> Invalid {
    for error in &mut invalid.errors {
        if let Some(rest) = error.field.strip_prefix("events") {
            error.field = format!("--event{rest}");
        } else if error.field == "received" {
            error.field = "--received".to_owned();
        }
    }
    invalid
}
