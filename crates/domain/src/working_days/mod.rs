//! UK working days: bank holidays for each division of the UK, and calendars that count
//! working days and show their working.
//!
//! Statutory deadlines for information requests are counted in working days (FOIA s10(6),
//! EIR reg 2, FOISA s73), so a deadline is only as right as the holiday table behind it.
//! The table combines three sources, in increasing precedence:
//!
//! 1. [`rules`]: every division's bank holidays computed from the Banking and Financial
//!    Dealings Act 1971, the St Andrew's Day Bank Holiday (Scotland) Act 2007, the customary
//!    substitute days and the known one-off proclamations, for 1990–2100;
//! 2. an imported GOV.UK feed ([`feed::parse_govuk_feed`]), which replaces the rules for each
//!    (division, year) it covers;
//! 3. holidays an instance adds itself ([`ProclaimedHoliday`]), for a proclamation made after
//!    the last import.
//!
//! A [`Calendar`] is built from the table once, for one [`CalendarScope`], and then answers
//! "the Nth working day after a date" in constant time.

pub mod calendar;
pub mod feed;
pub mod rules;
pub mod table;

pub use calendar::{Calendar, CalendarScope, Calendars, Step};
pub use feed::{GovukFeed, parse_govuk_feed};
pub use table::{Discrepancy, HolidayChange, HolidayTable, ProclaimedHoliday, YearSource};

use crate::{Invalid, Nation};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The first year the holiday rules and calendars cover.
pub const FIRST_YEAR: i32 = 1990;
/// The last year a request can be received in. Calendars run one year further, so that a
/// deadline counted from late in this year still lands inside the calendar.
pub const LAST_YEAR: i32 = 2100;

/// One of the three parts of the UK with its own bank holidays (England and Wales share one
/// list). The names are the GOV.UK feed's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Division {
    /// England and Wales.
    EnglandAndWales,
    /// Scotland.
    Scotland,
    /// Northern Ireland.
    NorthernIreland,
}

impl Division {
    /// Every division, in the GOV.UK feed's order.
    pub const ALL: [Division; 3] = [
        Division::EnglandAndWales,
        Division::Scotland,
        Division::NorthernIreland,
    ];

    /// The GOV.UK feed's key, e.g. `england-and-wales`.
    pub fn slug(self) -> &'static str {
        match self {
            Division::EnglandAndWales => "england-and-wales",
            Division::Scotland => "scotland",
            Division::NorthernIreland => "northern-ireland",
        }
    }

    /// The name for pages and the working, e.g. "England and Wales".
    pub fn name(self) -> &'static str {
        match self {
            Division::EnglandAndWales => "England and Wales",
            Division::Scotland => "Scotland",
            Division::NorthernIreland => "Northern Ireland",
        }
    }

    /// The division whose bank holidays a council in `nation` keeps.
    pub fn for_nation(nation: Nation) -> Division {
        match nation {
            Nation::England | Nation::Wales => Division::EnglandAndWales,
            Nation::Scotland => Division::Scotland,
            Nation::NorthernIreland => Division::NorthernIreland,
        }
    }

    /// Parses a feed key (`england-and-wales`) or a name ("England and Wales").
    pub fn parse(field: &str, text: &str) -> Result<Division, Invalid> {
        let t = text.trim();
        Division::ALL
            .into_iter()
            .find(|d| d.slug().eq_ignore_ascii_case(t) || d.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| {
                Invalid::field(
                    field,
                    format!(
                        "“{text}” is not a UK division; use england-and-wales, scotland or northern-ireland"
                    ),
                )
            })
    }

    /// A bit for sets of divisions.
    pub(crate) fn bit(self) -> u8 {
        match self {
            Division::EnglandAndWales => 1,
            Division::Scotland => 2,
            Division::NorthernIreland => 4,
        }
    }
}

impl fmt::Display for Division {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a holiday in the table came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidaySource {
    /// Computed from the statutory rules and the known proclamations.
    Rules,
    /// Imported from a GOV.UK feed.
    Feed,
    /// Added by this instance (a proclamation made after the last import).
    Proclaimed,
}

/// One bank holiday in one division.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Holiday {
    /// The day the holiday is taken (after any substitution).
    pub date: NaiveDate,
    /// The title GOV.UK uses, e.g. "St Patrick’s Day".
    pub title: String,
    /// A note such as "Substitute day", or empty.
    pub note: String,
    /// Whether GOV.UK flies bunting for it (false for Good Friday, the Twelfth and the
    /// state funeral); kept so an exported feed says what the imported one said.
    pub bunting: bool,
    /// Where the holiday came from.
    pub source: HolidaySource,
}

/// The note GOV.UK puts on a substitute day.
pub const SUBSTITUTE_DAY: &str = "Substitute day";

impl Holiday {
    /// Whether this is a substitute for a holiday that fell at a weekend.
    pub fn is_substitute(&self) -> bool {
        self.note == SUBSTITUTE_DAY
    }

    /// The title with its note, as the working shows it: "Boxing Day (substitute day)".
    pub fn label(&self) -> String {
        if self.is_substitute() {
            format!("{} (substitute day)", self.title)
        } else {
            self.title.clone()
        }
    }
}

/// Whether a date is inside the years the rules cover, as a field error when it is not.
pub fn check_in_range(field: &str, date: NaiveDate) -> Result<(), Invalid> {
    use chrono::Datelike;
    if (FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        Ok(())
    } else {
        Err(Invalid::field(
            field,
            format!(
                "{date} is outside the years Accord's working-day calendar covers ({FIRST_YEAR}–{LAST_YEAR})"
            ),
        ))
    }
}

/// Whether a day is a working day in England and Wales (weekends and bank holidays are not),
/// by the statutory rules and proclamations, for moving generated board meetings off
/// holidays. Built once for the years from `first` to the year after `last`.
pub fn england_and_wales_working_days(
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
) -> impl Fn(chrono::NaiveDate) -> bool {
    use chrono::Datelike;
    let holidays: std::collections::HashSet<chrono::NaiveDate> = (first.year()
        ..=last.year().saturating_add(1))
        .filter(|y| (FIRST_YEAR..=LAST_YEAR).contains(y))
        .flat_map(|y| rules::computed_holidays(Division::EnglandAndWales, y))
        .map(|h| h.date)
        .collect();
    move |day| !rules::is_weekend(day) && !holidays.contains(&day)
}
