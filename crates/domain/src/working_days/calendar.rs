//! Working-day calendars: which days count, answered in constant time, with the reason for
//! every day that does not.

use super::{Division, FIRST_YEAR, Holiday, LAST_YEAR, rules};
use crate::Nation;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Whose bank holidays a calendar skips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CalendarScope {
    /// A bank holiday in any part of the UK, plus Christmas Day and Good Friday: the
    /// definition of a working day in FOIA s10(6) and EIR reg 2(1).
    UnitedKingdom,
    /// England and Wales only.
    EnglandAndWales,
    /// Scotland only: FOISA s73.
    Scotland,
    /// Northern Ireland only.
    NorthernIreland,
}

impl CalendarScope {
    /// Every scope.
    pub const ALL: [CalendarScope; 4] = [
        CalendarScope::UnitedKingdom,
        CalendarScope::EnglandAndWales,
        CalendarScope::Scotland,
        CalendarScope::NorthernIreland,
    ];

    /// The divisions whose holidays the calendar skips.
    pub fn divisions(self) -> &'static [Division] {
        match self {
            CalendarScope::UnitedKingdom => &Division::ALL,
            CalendarScope::EnglandAndWales => &[Division::EnglandAndWales],
            CalendarScope::Scotland => &[Division::Scotland],
            CalendarScope::NorthernIreland => &[Division::NorthernIreland],
        }
    }

    /// The calendar of one division.
    pub fn division(division: Division) -> CalendarScope {
        match division {
            Division::EnglandAndWales => CalendarScope::EnglandAndWales,
            Division::Scotland => CalendarScope::Scotland,
            Division::NorthernIreland => CalendarScope::NorthernIreland,
        }
    }

    /// A council's own calendar, from its nation.
    pub fn for_nation(nation: Nation) -> CalendarScope {
        CalendarScope::division(Division::for_nation(nation))
    }

    /// The name for pages: "the whole UK", "Scotland".
    pub fn name(self) -> &'static str {
        match self {
            CalendarScope::UnitedKingdom => "the whole UK",
            CalendarScope::EnglandAndWales => "England and Wales",
            CalendarScope::Scotland => "Scotland",
            CalendarScope::NorthernIreland => "Northern Ireland",
        }
    }
}

/// One day of a count, as the working shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    /// A working day that counted, and its number in the count.
    Counted {
        /// The day.
        date: NaiveDate,
        /// Its number: day 1 is the first working day counted.
        day: u32,
    },
    /// A day that did not count, and why.
    Skipped {
        /// The day.
        date: NaiveDate,
        /// Why: "Saturday", "St Patrick’s Day, Northern Ireland", "fees notice period".
        reason: String,
    },
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Counted { date, day } => write!(f, "{date} day {day}"),
            Step::Skipped { date, reason } => write!(f, "{date} {reason}"),
        }
    }
}

/// A span of days a count skips even when they are working days (a fees notice awaiting
/// payment, FOIA s10(2)), with the reason the working gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pause {
    /// The first day not counted.
    pub from: NaiveDate,
    /// The last day not counted.
    pub through: NaiveDate,
    /// Why, for the working.
    pub reason: String,
}

/// A working-day calendar for one scope, precomputed over 1990 to the year after 2100.
///
/// `before[i]` holds the number of working days among the first `i` days and `nth[k]` the
/// day number of the `k`th working day, so "the Nth working day after a date" and "how many
/// working days between two dates" are two array reads.
#[derive(Clone, PartialEq, Eq)]
pub struct Calendar {
    scope: CalendarScope,
    start: NaiveDate,
    before: Vec<u32>,
    nth: Vec<u32>,
    reasons: BTreeMap<u32, String>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("scope", &self.scope)
            .field("from", &self.start)
            .field("days", &(self.before.len() - 1))
            .field("holidays", &self.reasons.len())
            .finish()
    }
}

fn add_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_add_days(Days::new(u64::from(days)))
        .expect("calendar days stay inside chrono's date range")
}

impl Calendar {
    /// Builds a calendar from holidays, each with its division. Holidays outside the covered
    /// years are ignored.
    pub(crate) fn build(scope: CalendarScope, holidays: &[(Division, Holiday)]) -> Calendar {
        let start = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).expect("1 January exists");
        let end = NaiveDate::from_ymd_opt(LAST_YEAR + 1, 12, 31).expect("31 December exists");
        let len = u32::try_from((end - start).num_days() + 1).expect("about 41,000 days");

        // Labels per day, then per label the divisions that keep it, in division order.
        let mut by_day: Labels = BTreeMap::new();
        for (division, holiday) in holidays {
            add_label(
                &mut by_day,
                start,
                len,
                holiday.date,
                holiday.label(),
                Some(*division),
            );
        }
        if scope == CalendarScope::UnitedKingdom {
            // FOIA s10(6) names Christmas Day and Good Friday outright, whatever a feed says.
            for year in FIRST_YEAR..=LAST_YEAR + 1 {
                let christmas = NaiveDate::from_ymd_opt(year, 12, 25).expect("25 December");
                let good_friday = rules::easter_sunday(year)
                    .checked_sub_days(Days::new(2))
                    .expect("Good Friday");
                for (date, label) in [(christmas, "Christmas Day"), (good_friday, "Good Friday")] {
                    let index = u32::try_from((date - start).num_days()).expect("in range");
                    let present = by_day
                        .get(&index)
                        .is_some_and(|ls| ls.iter().any(|(l, _)| l == label));
                    if !present {
                        add_label(&mut by_day, start, len, date, label.to_owned(), None);
                    }
                }
            }
        }

        let reasons: BTreeMap<u32, String> = by_day
            .into_iter()
            .map(|(index, labels)| (index, describe(scope, &labels)))
            .collect();
        let mut before = Vec::with_capacity(len as usize + 1);
        let mut nth = Vec::with_capacity(len as usize);
        let mut count = 0u32;
        let mut weekday = start.weekday();
        for index in 0..len {
            before.push(count);
            let weekend = matches!(weekday, Weekday::Sat | Weekday::Sun);
            if !weekend && !reasons.contains_key(&index) {
                nth.push(index);
                count += 1;
            }
            weekday = weekday.succ();
        }
        before.push(count);
        Calendar {
            scope,
            start,
            before,
            nth,
            reasons,
        }
    }

    /// The scope the calendar was built for.
    pub fn scope(&self) -> CalendarScope {
        self.scope
    }

    /// The first day the calendar covers (1 January 1990).
    pub fn first_day(&self) -> NaiveDate {
        self.start
    }

    /// The last day the calendar covers (31 December of the year after 2100).
    pub fn last_day(&self) -> NaiveDate {
        add_days(self.start, self.days() - 1)
    }

    fn days(&self) -> u32 {
        u32::try_from(self.before.len() - 1).expect("the calendar length fits")
    }

    fn index(&self, date: NaiveDate) -> Option<u32> {
        let index = u32::try_from((date - self.start).num_days()).ok()?;
        (index < self.days()).then_some(index)
    }

    fn date_at(&self, index: u32) -> NaiveDate {
        add_days(self.start, index)
    }

    /// Whether a date is a working day; `None` outside the calendar.
    pub fn is_working_day(&self, date: NaiveDate) -> Option<bool> {
        let i = self.index(date)? as usize;
        Some(self.before[i + 1] > self.before[i])
    }

    /// Why a date is not a working day ("Saturday", "Boxing Day (substitute day), all of
    /// the UK"); `None` for a working day or a date outside the calendar.
    pub fn non_working_reason(&self, date: NaiveDate) -> Option<String> {
        let index = self.index(date)?;
        if let Some(reason) = self.reasons.get(&index) {
            return Some(reason.clone());
        }
        match date.weekday() {
            Weekday::Sat => Some("Saturday".to_owned()),
            Weekday::Sun => Some("Sunday".to_owned()),
            _ => None,
        }
    }

    /// The `n`th working day after `date` (not counting `date` itself, whatever it is):
    /// day 0 is `date`, day 1 the next working day. `None` when the count runs off the end of
    /// the calendar or `date` is outside it.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Option<NaiveDate> {
        if n == 0 {
            return self.index(date).map(|_| date);
        }
        let i = self.index(date)? as usize;
        let k = self.before[i + 1].checked_add(n - 1)?;
        self.nth.get(k as usize).map(|&index| self.date_at(index))
    }

    /// The `n`th working day before `date`; `None` when that is before the calendar starts.
    pub fn subtract_working_days(&self, date: NaiveDate, n: u32) -> Option<NaiveDate> {
        if n == 0 {
            return self.index(date).map(|_| date);
        }
        let i = self.index(date)? as usize;
        let k = self.before[i].checked_sub(n)?;
        self.nth.get(k as usize).map(|&index| self.date_at(index))
    }

    /// The number of working days after `after` up to and including `through` (zero when
    /// `through` is not later).
    pub fn working_days_between(&self, after: NaiveDate, through: NaiveDate) -> Option<u32> {
        let i = self.index(after)? as usize;
        let j = self.index(through)? as usize;
        Some(self.before[j + 1].saturating_sub(self.before[i + 1]))
    }

    /// The first working day on or after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> Option<NaiveDate> {
        let i = self.index(date)? as usize;
        self.nth
            .get(self.before[i] as usize)
            .map(|&index| self.date_at(index))
    }

    /// The `n`th working day after `start`, not counting working days inside any pause.
    /// Pauses may be given in any order and may overlap.
    pub fn add_working_days_pausing(
        &self,
        start: NaiveDate,
        n: u32,
        pauses: &[Pause],
    ) -> Option<NaiveDate> {
        if pauses.is_empty() {
            return self.add_working_days(start, n);
        }
        let mut sorted: Vec<&Pause> = pauses.iter().collect();
        sorted.sort_by_key(|p| p.from);
        let mut position = start;
        let mut remaining = n;
        for pause in sorted {
            if pause.through <= position {
                continue;
            }
            if pause.from > position {
                let last_before = pause.from.pred_opt()?;
                let available = self.working_days_between(position, last_before)?;
                if available >= remaining {
                    break;
                }
                remaining -= available;
            }
            position = pause.through;
        }
        self.add_working_days(position, remaining)
    }

    /// The working of a count from `start` (day 0) to `end`: every day after `start` up to
    /// and including `end`, counted or skipped with its reason.
    pub fn explain(&self, start: NaiveDate, end: NaiveDate, pauses: &[Pause]) -> Vec<Step> {
        let mut steps = Vec::new();
        let mut day = 0u32;
        let mut date = start;
        while date < end {
            let Some(next) = date.succ_opt() else { break };
            date = next;
            let pause = pauses.iter().find(|p| p.from <= date && date <= p.through);
            match (self.non_working_reason(date), pause) {
                (Some(reason), _) => steps.push(Step::Skipped { date, reason }),
                (None, Some(pause)) => steps.push(Step::Skipped {
                    date,
                    reason: pause.reason.clone(),
                }),
                (None, None) if self.index(date).is_some() => {
                    day += 1;
                    steps.push(Step::Counted { date, day });
                }
                (None, None) => steps.push(Step::Skipped {
                    date,
                    reason: "outside the calendar".to_owned(),
                }),
            }
        }
        steps
    }
}

type Labels = BTreeMap<u32, Vec<(String, Vec<Division>)>>;

/// Records that `division` (or FOIA itself, for `None`) keeps a holiday on `date`.
fn add_label(
    by_day: &mut Labels,
    start: NaiveDate,
    len: u32,
    date: NaiveDate,
    label: String,
    division: Option<Division>,
) {
    let Ok(index) = u32::try_from((date - start).num_days()) else {
        return;
    };
    if index >= len {
        return;
    }
    let labels = by_day.entry(index).or_default();
    match labels.iter_mut().find(|(l, _)| *l == label) {
        Some((_, divisions)) => {
            if let Some(d) = division
                && !divisions.contains(&d)
            {
                divisions.push(d);
                divisions.sort();
            }
        }
        None => labels.push((label, division.into_iter().collect())),
    }
}

/// The reason text for a holiday: the label, and for the UK calendar the divisions that
/// keep it ("St Patrick’s Day, Northern Ireland").
fn describe(scope: CalendarScope, labels: &[(String, Vec<Division>)]) -> String {
    labels
        .iter()
        .map(|(label, divisions)| {
            if scope != CalendarScope::UnitedKingdom {
                return label.clone();
            }
            if divisions.is_empty() {
                return format!("{label} (FOIA s10(6))");
            }
            if divisions.len() == Division::ALL.len() {
                return format!("{label}, all of the UK");
            }
            let names: Vec<&str> = divisions.iter().map(|d| d.name()).collect();
            format!("{label}, {}", names.join(" and "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The calendars of one holiday table, each built the first time it is needed (building one
/// takes about a millisecond), for callers that count in several scopes at once: a list of
/// requests under different regimes, or the recount after the holiday table changes.
pub struct Calendars {
    table: super::HolidayTable,
    built: [std::sync::OnceLock<Calendar>; 4],
}

impl fmt::Debug for Calendars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendars").finish_non_exhaustive()
    }
}

impl Calendars {
    /// The calendars of `table`, none built yet.
    pub fn new(table: super::HolidayTable) -> Calendars {
        Calendars {
            table,
            built: Default::default(),
        }
    }

    /// The holiday table.
    pub fn table(&self) -> &super::HolidayTable {
        &self.table
    }

    /// The calendar of a scope, built on first use.
    pub fn get(&self, scope: CalendarScope) -> &Calendar {
        let slot = match scope {
            CalendarScope::UnitedKingdom => 0,
            CalendarScope::EnglandAndWales => 1,
            CalendarScope::Scotland => 2,
            CalendarScope::NorthernIreland => 3,
        };
        self.built[slot].get_or_init(|| self.table.calendar(scope))
    }
}

#[cfg(test)]
mod tests {
    use super::super::HolidayTable;
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn calendars_are_built_once_per_scope_on_demand() {
        let table = HolidayTable::new();
        let calendars = Calendars::new(table.clone());
        for scope in CalendarScope::ALL {
            let first: *const Calendar = calendars.get(scope);
            assert_eq!(calendars.get(scope), &table.calendar(scope));
            assert!(std::ptr::eq(first, calendars.get(scope)), "{scope:?}");
        }
    }

    #[test]
    fn counts_match_a_day_by_day_walk() {
        let table = HolidayTable::new();
        for scope in CalendarScope::ALL {
            let calendar = table.calendar(scope);
            let mut date = d(2024, 11, 20);
            for _ in 0..120 {
                for n in [1u32, 2, 5, 20, 40] {
                    let mut walk = date;
                    let mut left = n;
                    while left > 0 {
                        walk = walk.succ_opt().unwrap();
                        if calendar.is_working_day(walk).unwrap() {
                            left -= 1;
                        }
                    }
                    assert_eq!(
                        calendar.add_working_days(date, n),
                        Some(walk),
                        "{scope:?} {date} +{n}"
                    );
                    assert_eq!(
                        calendar.subtract_working_days(walk, n).map(|s| s <= date),
                        Some(true)
                    );
                    assert_eq!(calendar.working_days_between(date, walk), Some(n));
                }
                date = date.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn reasons_name_the_holiday_and_division() {
        let table = HolidayTable::new();
        let uk = table.calendar(CalendarScope::UnitedKingdom);
        let cases = [
            (d(2025, 3, 17), Some("St Patrick’s Day, Northern Ireland")),
            (d(2025, 3, 22), Some("Saturday")),
            (d(2025, 3, 23), Some("Sunday")),
            (d(2025, 12, 25), Some("Christmas Day, all of the UK")),
            (
                d(2025, 4, 21),
                Some("Easter Monday, England and Wales and Northern Ireland"),
            ),
            (
                d(2025, 12, 1),
                Some("St Andrew’s Day (substitute day), Scotland"),
            ),
            (d(2025, 3, 18), None),
            (d(1989, 12, 29), None),
        ];
        for (date, reason) in cases {
            assert_eq!(uk.non_working_reason(date).as_deref(), reason, "{date}");
        }
        let scotland = table.calendar(CalendarScope::Scotland);
        assert_eq!(scotland.non_working_reason(d(2025, 3, 17)), None);
        assert_eq!(
            scotland.non_working_reason(d(2025, 1, 2)).as_deref(),
            Some("2nd January")
        );
    }

    #[test]
    fn pauses_skip_working_days_and_the_explanation_agrees() {
        let calendar = HolidayTable::new().calendar(CalendarScope::EnglandAndWales);
        let pause = Pause {
            from: d(2025, 6, 4),
            through: d(2025, 6, 10),
            reason: "fees notice period".into(),
        };
        // 2025-06-02 (Mon) + 20 working days = 2025-06-30; the pause holds 5 working days.
        assert_eq!(
            calendar.add_working_days(d(2025, 6, 2), 20),
            Some(d(2025, 6, 30))
        );
        let due = calendar
            .add_working_days_pausing(d(2025, 6, 2), 20, std::slice::from_ref(&pause))
            .unwrap();
        assert_eq!(due, d(2025, 7, 7));
        let steps = calendar.explain(d(2025, 6, 2), due, &[pause]);
        let counted = steps
            .iter()
            .filter(|s| matches!(s, Step::Counted { .. }))
            .count();
        assert_eq!(counted, 20);
        assert_eq!(
            steps[1],
            Step::Skipped {
                date: d(2025, 6, 4),
                reason: "fees notice period".into()
            }
        );
        assert_eq!(steps.last(), Some(&Step::Counted { date: due, day: 20 }));
    }

    #[test]
    fn the_ends_of_the_calendar_are_refused_not_wrapped() {
        let calendar = HolidayTable::new().calendar(CalendarScope::UnitedKingdom);
        assert_eq!(calendar.first_day(), d(1990, 1, 1));
        assert_eq!(calendar.last_day(), d(2101, 12, 31));
        assert_eq!(calendar.add_working_days(d(2101, 12, 20), 20), None);
        assert_eq!(calendar.add_working_days(d(1989, 12, 1), 1), None);
        assert_eq!(calendar.subtract_working_days(d(1990, 1, 3), 5), None);
        assert!(calendar.add_working_days(d(2100, 12, 31), 40).is_some());
    }
}
