//! Bank holidays computed from the statutory rules, the customary substitute days and the
//! known one-off proclamations.
//!
//! The sources, for anyone checking a date:
//! - Banking and Financial Dealings Act 1971, Schedule 1: in England, Wales and Northern
//!   Ireland, Easter Monday, the last Mondays of May and August, 26 December (27 December
//!   when 25 or 26 December is a Sunday); in Scotland, New Year's Day and 2 January (3
//!   January when either is a Sunday), Good Friday, the first Mondays of May and August,
//!   Christmas Day (26 December when it is a Sunday); in Northern Ireland also 17 March.
//!   Christmas Day and Good Friday are common-law holidays elsewhere.
//! - Royal proclamations made every year add New Year's Day and the early May holiday
//!   (England, Wales, Northern Ireland, since 1974 and 1978), Boxing Day and the spring
//!   holiday (Scotland), the Battle of the Boyne (Northern Ireland), and a substitute
//!   weekday whenever a holiday falls at a weekend.
//! - St Andrew's Day Bank Holiday (Scotland) Act 2007: 30 November, or the following Monday
//!   when it falls at a weekend, from 2007.
//! - One-off proclamations, listed in [`ONE_OFFS`].

use super::{Division, Holiday, HolidaySource, SUBSTITUTE_DAY};
use chrono::{Datelike, Days, NaiveDate, Weekday};

/// A date that is known to exist; the arguments come from the rules below, never from input.
fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("the rules only name real calendar dates")
}

fn plus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days))
        .expect("the rules stay far inside chrono's date range")
}

fn minus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days))
        .expect("the rules stay far inside chrono's date range")
}

/// Whether a date is a Saturday or a Sunday.
pub fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm of Meeus,
/// Jones and Butcher).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // Both are small positive numbers by construction (month 3 or 4, day 1..=31).
    ymd(year, month.unsigned_abs(), day.unsigned_abs())
}

/// The first Monday of a month.
fn first_monday(year: i32, month: u32) -> NaiveDate {
    let first = ymd(year, month, 1);
    let offset = (7 - first.weekday().num_days_from_monday()) % 7;
    plus(first, u64::from(offset))
}

/// The last Monday of a month.
fn last_monday(year: i32, month: u32) -> NaiveDate {
    let last = if month == 12 {
        ymd(year, 12, 31)
    } else {
        minus(ymd(year, month + 1, 1), 1)
    };
    minus(last, u64::from(last.weekday().num_days_from_monday()))
}

/// A holiday whose date the rules move from year to year (and proclamations sometimes move).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movable {
    /// The early May bank holiday: first Monday in May.
    EarlyMay,
    /// The spring bank holiday: last Monday in May.
    Spring,
}

/// What a one-off proclamation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Moved a regular holiday to another date, with the title GOV.UK gave it there.
    Move {
        /// The holiday moved.
        holiday: Movable,
        /// Its title that year, if different.
        title: Option<&'static str>,
    },
    /// Added an extra holiday.
    Extra {
        /// Its title.
        title: &'static str,
        /// Whether GOV.UK shows bunting for it.
        bunting: bool,
    },
    /// A substitute day the rules would give was never proclaimed, so it was not a bank
    /// holiday.
    NotProclaimed,
}

/// A one-off change to the regular rules, by royal proclamation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OneOff {
    /// The date the change concerns (the new date of a moved or extra holiday; the date that
    /// was not a holiday for [`Change::NotProclaimed`]).
    pub date: NaiveDate,
    /// The divisions it applied to.
    pub divisions: &'static [Division],
    /// What it did.
    pub change: Change,
    /// Why, briefly.
    pub why: &'static str,
}

const UK: &[Division] = &[
    Division::EnglandAndWales,
    Division::Scotland,
    Division::NorthernIreland,
];
const SCOTLAND: &[Division] = &[Division::Scotland];

/// Builds a date in a `const` table; the tables only name real dates, checked by a test.
const fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(d) => d,
        None => panic!("the one-off table names a date that does not exist"),
    }
}

/// The one-off proclamations from 1990 on, checked against GOV.UK's published lists, the
/// London and Edinburgh Gazettes' proclamations and the Scottish Government.
pub const ONE_OFFS: &[OneOff] = &[
    OneOff {
        date: date(1995, 5, 8),
        divisions: UK,
        change: Change::Move {
            holiday: Movable::EarlyMay,
            title: Some("Early May bank holiday (VE day)"),
        },
        why: "moved from 1 May for the 50th anniversary of VE Day",
    },
    OneOff {
        date: date(1999, 12, 31),
        divisions: UK,
        change: Change::Extra {
            title: "Millennium celebrations",
            bunting: true,
        },
        why: "extra bank holiday for the millennium",
    },
    OneOff {
        date: date(2002, 6, 4),
        divisions: UK,
        change: Change::Move {
            holiday: Movable::Spring,
            title: None,
        },
        why: "moved from 27 May for the Golden Jubilee",
    },
    OneOff {
        date: date(2002, 6, 3),
        divisions: UK,
        change: Change::Extra {
            title: "Queen’s Golden Jubilee",
            bunting: true,
        },
        why: "extra bank holiday for the Golden Jubilee",
    },
    // No proclamation appointed Monday 4 January 2010 in Scotland, so the usual substitute for
    // 2 January 2010 (a Saturday) was not a bank holiday. (When 1 and 2 January both fall at a
    // weekend, as in 2011, both substitutes were proclaimed: 3 and 4 January 2011.)
    OneOff {
        date: date(2010, 1, 4),
        divisions: SCOTLAND,
        change: Change::NotProclaimed,
        why: "no proclamation appointed a substitute for 2 January 2010",
    },
    OneOff {
        date: date(2011, 4, 29),
        divisions: UK,
        change: Change::Extra {
            title: "Royal wedding",
            bunting: true,
        },
        why: "extra bank holiday for the wedding of Prince William and Catherine Middleton",
    },
    OneOff {
        date: date(2012, 6, 4),
        divisions: UK,
        change: Change::Move {
            holiday: Movable::Spring,
            title: None,
        },
        why: "moved from 28 May for the Diamond Jubilee",
    },
    OneOff {
        date: date(2012, 6, 5),
        divisions: UK,
        change: Change::Extra {
            title: "Queen’s Diamond Jubilee",
            bunting: true,
        },
        why: "extra bank holiday for the Diamond Jubilee",
    },
    OneOff {
        date: date(2020, 5, 8),
        divisions: UK,
        change: Change::Move {
            holiday: Movable::EarlyMay,
            title: Some("Early May bank holiday (VE day)"),
        },
        why: "moved from 4 May for the 75th anniversary of VE Day",
    },
    OneOff {
        date: date(2022, 6, 2),
        divisions: UK,
        change: Change::Move {
            holiday: Movable::Spring,
            title: None,
        },
        why: "moved from 30 May for the Platinum Jubilee",
    },
    OneOff {
        date: date(2022, 6, 3),
        divisions: UK,
        change: Change::Extra {
            title: "Platinum Jubilee bank holiday",
            bunting: true,
        },
        why: "extra bank holiday for the Platinum Jubilee",
    },
    OneOff {
        date: date(2022, 9, 19),
        divisions: UK,
        change: Change::Extra {
            title: "Bank Holiday for the State Funeral of Queen Elizabeth II",
            bunting: false,
        },
        why: "extra bank holiday for the state funeral",
    },
    OneOff {
        date: date(2023, 5, 8),
        divisions: UK,
        change: Change::Extra {
            title: "Bank holiday for the coronation of King Charles III",
            bunting: true,
        },
        why: "extra bank holiday for the coronation",
    },
    // Proclaimed on 4 February 2026, after the GOV.UK feed snapshot in the reference data
    // was taken; a feed imported before then lacks it (see `HolidayTable::discrepancies`).
    OneOff {
        date: date(2026, 6, 15),
        divisions: SCOTLAND,
        change: Change::Extra {
            title: "World Cup bank holiday",
            bunting: true,
        },
        why: "extra bank holiday in Scotland for the men's team's first World Cup finals match since 1998",
    },
];

/// A holiday being worked out, before substitution.
struct Draft {
    date: NaiveDate,
    title: &'static str,
    note: String,
    bunting: bool,
}

impl Draft {
    fn new(date: NaiveDate, title: &'static str) -> Draft {
        Draft {
            date,
            title,
            note: String::new(),
            bunting: true,
        }
    }
}

/// How the titles of a pair of fixed holidays follow their substitute days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Titling {
    /// A holiday on a weekday keeps its day; one at a weekend takes the next free weekday
    /// (Christmas Day and Boxing Day: when Christmas is a Sunday, Boxing Day stays on the
    /// Monday and Christmas moves to the Tuesday).
    Own,
    /// The pair takes the first two free weekdays in order (Scotland's 1 and 2 January: when
    /// 1 January is a Sunday, GOV.UK shows New Year's Day on the 2nd and "2nd January" on
    /// the 3rd).
    InOrder,
}

/// The bank holidays of one division in one year, from the rules and [`ONE_OFFS`], sorted by
/// date. Works for any year from 1990 (the rules of that time still hold); for later years
/// it assumes today's rules go on unchanged.
pub fn computed_holidays(division: Division, year: i32) -> Vec<Holiday> {
    use Division::{NorthernIreland, Scotland};
    let easter = easter_sunday(year);
    let mut movable = Vec::new();
    let mut good_friday = Draft::new(minus(easter, 2), "Good Friday");
    good_friday.bunting = false;
    movable.push(good_friday);
    if division != Scotland {
        movable.push(Draft::new(plus(easter, 1), "Easter Monday"));
    }
    let mut early_may = Draft::new(first_monday(year, 5), "Early May bank holiday");
    let mut spring = Draft::new(last_monday(year, 5), "Spring bank holiday");
    let summer_date = if division == Scotland {
        first_monday(year, 8)
    } else {
        last_monday(year, 8)
    };
    let summer = Draft::new(summer_date, "Summer bank holiday");

    let mut extras = Vec::new();
    let mut not_proclaimed = Vec::new();
    for one_off in ONE_OFFS
        .iter()
        .filter(|o| o.date.year() == year && o.divisions.contains(&division))
    {
        match one_off.change {
            Change::Move { holiday, title } => {
                let moved = match holiday {
                    Movable::EarlyMay => &mut early_may,
                    Movable::Spring => &mut spring,
                };
                moved.note = format!("Moved from {}", long_day(moved.date));
                moved.date = one_off.date;
                if let Some(title) = title {
                    moved.title = title;
                }
            }
            Change::Extra { title, bunting } => {
                let mut extra = Draft::new(one_off.date, title);
                extra.note = "Extra bank holiday".to_owned();
                extra.bunting = bunting;
                extras.push(extra);
            }
            Change::NotProclaimed => not_proclaimed.push(one_off.date),
        }
    }
    movable.push(early_may);
    movable.push(spring);
    movable.push(summer);
    movable.extend(extras);

    // Fixed-date holidays, in groups that share substitute days.
    let mut groups: Vec<(Vec<Draft>, Titling)> = Vec::new();
    if division == Scotland {
        groups.push((
            vec![
                Draft::new(ymd(year, 1, 1), "New Year’s Day"),
                Draft::new(ymd(year, 1, 2), "2nd January"),
            ],
            Titling::InOrder,
        ));
    } else {
        groups.push((
            vec![Draft::new(ymd(year, 1, 1), "New Year’s Day")],
            Titling::Own,
        ));
    }
    if division == NorthernIreland {
        groups.push((
            vec![Draft::new(ymd(year, 3, 17), "St Patrick’s Day")],
            Titling::Own,
        ));
        let mut boyne = Draft::new(ymd(year, 7, 12), "Battle of the Boyne (Orangemen’s Day)");
        boyne.bunting = false;
        groups.push((vec![boyne], Titling::Own));
    }
    if division == Scotland && year >= 2007 {
        groups.push((
            vec![Draft::new(ymd(year, 11, 30), "St Andrew’s Day")],
            Titling::Own,
        ));
    }
    groups.push((
        vec![
            Draft::new(ymd(year, 12, 25), "Christmas Day"),
            Draft::new(ymd(year, 12, 26), "Boxing Day"),
        ],
        Titling::Own,
    ));

    // A substitute day is the first weekday after the holiday that is not already a holiday.
    let mut taken: Vec<NaiveDate> = movable
        .iter()
        .map(|d| d.date)
        .chain(groups.iter().flat_map(|(g, _)| g.iter().map(|d| d.date)))
        .filter(|d| !is_weekend(*d))
        .collect();
    let mut fixed = Vec::new();
    for (mut group, titling) in groups {
        let originals: Vec<NaiveDate> = group.iter().map(|d| d.date).collect();
        for draft in &mut group {
            if is_weekend(draft.date) {
                let mut day = plus(draft.date, 1);
                while is_weekend(day) || taken.contains(&day) {
                    day = plus(day, 1);
                }
                taken.push(day);
                draft.date = day;
            }
        }
        if titling == Titling::InOrder {
            let mut dates: Vec<NaiveDate> = group.iter().map(|d| d.date).collect();
            dates.sort_unstable();
            for (draft, date) in group.iter_mut().zip(dates) {
                draft.date = date;
            }
        }
        for (draft, original) in group.iter_mut().zip(originals) {
            if draft.date != original {
                draft.note = SUBSTITUTE_DAY.to_owned();
            }
        }
        fixed.extend(group);
    }

    let mut holidays: Vec<Holiday> = movable
        .into_iter()
        .chain(fixed)
        .filter(|d| !not_proclaimed.contains(&d.date))
        .map(|d| Holiday {
            date: d.date,
            title: d.title.to_owned(),
            note: d.note,
            bunting: d.bunting,
            source: HolidaySource::Rules,
        })
        .collect();
    holidays.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.title.cmp(&b.title)));
    holidays
}

/// "4 May 2020", for notes.
fn long_day(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_matches_known_dates() {
        let cases = [
            (1990, d(1990, 4, 15)),
            (2000, d(2000, 4, 23)),
            (2008, d(2008, 3, 23)),
            (2011, d(2011, 4, 24)),
            (2019, d(2019, 4, 21)),
            (2024, d(2024, 3, 31)),
            (2025, d(2025, 4, 20)),
            (2038, d(2038, 4, 25)),
            (2100, d(2100, 3, 28)),
        ];
        for (year, easter) in cases {
            assert_eq!(easter_sunday(year), easter, "{year}");
        }
    }

    fn dates(division: Division, year: i32) -> Vec<String> {
        computed_holidays(division, year)
            .iter()
            .map(|h| {
                format!(
                    "{} {}{}",
                    h.date,
                    h.title,
                    if h.is_substitute() { " (sub)" } else { "" }
                )
            })
            .collect()
    }

    #[test]
    fn historic_years_and_one_offs() {
        use Division::*;
        let cases: &[(Division, i32, &[&str])] = &[
            (
                EnglandAndWales,
                1995,
                &[
                    "1995-01-02 New Year’s Day (sub)",
                    "1995-04-14 Good Friday",
                    "1995-04-17 Easter Monday",
                    "1995-05-08 Early May bank holiday (VE day)",
                    "1995-05-29 Spring bank holiday",
                    "1995-08-28 Summer bank holiday",
                    "1995-12-25 Christmas Day",
                    "1995-12-26 Boxing Day",
                ],
            ),
            (
                Scotland,
                1999,
                &[
                    "1999-01-01 New Year’s Day",
                    "1999-01-04 2nd January (sub)",
                    "1999-04-02 Good Friday",
                    "1999-05-03 Early May bank holiday",
                    "1999-05-31 Spring bank holiday",
                    "1999-08-02 Summer bank holiday",
                    "1999-12-27 Christmas Day (sub)",
                    "1999-12-28 Boxing Day (sub)",
                    "1999-12-31 Millennium celebrations",
                ],
            ),
            (
                NorthernIreland,
                2002,
                &[
                    "2002-01-01 New Year’s Day",
                    "2002-03-18 St Patrick’s Day (sub)",
                    "2002-03-29 Good Friday",
                    "2002-04-01 Easter Monday",
                    "2002-05-06 Early May bank holiday",
                    "2002-06-03 Queen’s Golden Jubilee",
                    "2002-06-04 Spring bank holiday",
                    "2002-07-12 Battle of the Boyne (Orangemen’s Day)",
                    "2002-08-26 Summer bank holiday",
                    "2002-12-25 Christmas Day",
                    "2002-12-26 Boxing Day",
                ],
            ),
            (
                Scotland,
                2011,
                &[
                    "2011-01-03 New Year’s Day (sub)",
                    "2011-01-04 2nd January (sub)",
                    "2011-04-22 Good Friday",
                    "2011-04-29 Royal wedding",
                    "2011-05-02 Early May bank holiday",
                    "2011-05-30 Spring bank holiday",
                    "2011-08-01 Summer bank holiday",
                    "2011-11-30 St Andrew’s Day",
                    "2011-12-26 Boxing Day",
                    "2011-12-27 Christmas Day (sub)",
                ],
            ),
            (
                NorthernIreland,
                2014,
                &[
                    "2014-01-01 New Year’s Day",
                    "2014-03-17 St Patrick’s Day",
                    "2014-04-18 Good Friday",
                    "2014-04-21 Easter Monday",
                    "2014-05-05 Early May bank holiday",
                    "2014-05-26 Spring bank holiday",
                    "2014-07-14 Battle of the Boyne (Orangemen’s Day) (sub)",
                    "2014-08-25 Summer bank holiday",
                    "2014-12-25 Christmas Day",
                    "2014-12-26 Boxing Day",
                ],
            ),
        ];
        for (division, year, expected) in cases {
            assert_eq!(dates(*division, *year), *expected, "{division} {year}");
        }
    }

    #[test]
    fn st_andrews_day_starts_in_2007_and_moves_to_monday() {
        let st_andrew = |year| {
            computed_holidays(Division::Scotland, year)
                .into_iter()
                .find(|h| h.title.starts_with("St Andrew"))
                .map(|h| h.date)
        };
        assert_eq!(st_andrew(2006), None);
        assert_eq!(st_andrew(2007), Some(d(2007, 11, 30)));
        assert_eq!(st_andrew(2008), Some(d(2008, 12, 1)), "a Sunday");
        assert_eq!(st_andrew(2013), Some(d(2013, 12, 2)), "a Saturday");
        assert_eq!(st_andrew(2099), Some(d(2099, 11, 30)));
    }

    #[test]
    fn scotland_2010_had_no_substitute_for_2_january() {
        let jan: Vec<NaiveDate> = computed_holidays(Division::Scotland, 2010)
            .into_iter()
            .map(|h| h.date)
            .filter(|d| d.month() == 1)
            .collect();
        assert_eq!(jan, vec![d(2010, 1, 1)]);
        // 2016 had the same pattern of days and the substitute was proclaimed.
        let jan: Vec<NaiveDate> = computed_holidays(Division::Scotland, 2016)
            .into_iter()
            .map(|h| h.date)
            .filter(|d| d.month() == 1)
            .collect();
        assert_eq!(jan, vec![d(2016, 1, 1), d(2016, 1, 4)]);
    }

    #[test]
    fn scotland_substitutes_both_new_year_days_when_both_fall_at_a_weekend() {
        let january = |year| -> Vec<NaiveDate> {
            computed_holidays(Division::Scotland, year)
                .into_iter()
                .map(|h| h.date)
                .filter(|d| d.month() == 1)
                .collect()
        };
        // Saturday and Sunday: Monday and Tuesday instead.
        assert_eq!(january(2011), vec![d(2011, 1, 3), d(2011, 1, 4)]);
        assert_eq!(january(2022), vec![d(2022, 1, 3), d(2022, 1, 4)]);
        // Sunday and Monday: Monday is 2 January, Tuesday the substitute.
        assert_eq!(january(2012), vec![d(2012, 1, 2), d(2012, 1, 3)]);
    }

    #[test]
    fn every_holiday_is_a_weekday_in_its_year_for_the_whole_range() {
        for year in super::super::FIRST_YEAR..=super::super::LAST_YEAR + 1 {
            for division in Division::ALL {
                let holidays = computed_holidays(division, year);
                let mut seen = std::collections::BTreeSet::new();
                for h in &holidays {
                    assert!(!is_weekend(h.date), "{division} {year} {h:?}");
                    assert_eq!(h.date.year(), year, "{division} {h:?}");
                    assert!(
                        seen.insert(h.date),
                        "two holidays on {} in {division}",
                        h.date
                    );
                }
                let regular = match division {
                    Division::Scotland if year >= 2007 => 9,
                    Division::EnglandAndWales | Division::Scotland => 8,
                    Division::NorthernIreland => 10,
                };
                let extras = ONE_OFFS
                    .iter()
                    .filter(|o| o.date.year() == year && o.divisions.contains(&division))
                    .map(|o| match o.change {
                        Change::Extra { .. } => 1,
                        Change::NotProclaimed => -1,
                        Change::Move { .. } => 0,
                    })
                    .sum::<i32>();
                assert_eq!(
                    i32::try_from(holidays.len()).unwrap(),
                    regular + extras,
                    "{division} {year}"
                );
            }
        }
    }
}
