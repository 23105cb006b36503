//! The computed bank holidays must equal the GOV.UK feed in the reference data
//! (`data/bank-holidays.json`), for every division and year it covers.

use accord_domain::working_days::{
    CalendarScope, Division, HolidayTable, parse_govuk_feed, rules::computed_holidays,
};
use chrono::{Datelike, NaiveDate};

fn feed_text() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/bank-holidays.json");
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "the reference feed {path} is missing ({e}); it ships in the repository's data/ folder"
        )
    })
}

/// Proclamations made after the reference feed was published (it is a snapshot of
/// 6 July 2025).
const LATER_PROCLAMATIONS: &[(Division, &str)] = &[(Division::Scotland, "2026-06-15")];

#[test]
fn computed_holidays_equal_the_govuk_feed() {
    let feed = parse_govuk_feed(&feed_text()).expect("the reference feed parses");
    assert_eq!(feed.divisions.len(), 3);
    let mut compared = 0;
    for (division, events) in &feed.divisions {
        let years: std::collections::BTreeSet<i32> = events.iter().map(|e| e.date.year()).collect();
        assert_eq!(years.first(), Some(&2019));
        assert_eq!(years.last(), Some(&2027));
        for year in years {
            let from_feed: Vec<_> = events.iter().filter(|e| e.date.year() == year).collect();
            let computed: Vec<_> = computed_holidays(*division, year)
                .into_iter()
                .filter(|h| {
                    !LATER_PROCLAMATIONS
                        .iter()
                        .any(|(d, date)| d == division && h.date.to_string() == *date)
                })
                .collect();
            let feed_rows: Vec<String> = from_feed
                .iter()
                .map(|h| format!("{} {} sub={}", h.date, h.title, h.is_substitute()))
                .collect();
            let computed_rows: Vec<String> = computed
                .iter()
                .map(|h| format!("{} {} sub={}", h.date, h.title, h.is_substitute()))
                .collect();
            assert_eq!(computed_rows, feed_rows, "{division} {year}");
            compared += computed.len();
        }
    }
    // 75 + 84 + 93 events in the snapshot.
    assert_eq!(compared, 252);
}

#[test]
fn importing_the_feed_reports_only_the_later_proclamation() {
    let feed = parse_govuk_feed(&feed_text()).unwrap();
    let table = HolidayTable::new().with_feed(&feed);
    let discrepancies = table.discrepancies();
    let got: Vec<(Division, String, Option<String>, Option<String>)> = discrepancies
        .into_iter()
        .map(|d| (d.division, d.date.to_string(), d.feed, d.rules))
        .collect();
    assert_eq!(
        got,
        vec![(
            Division::Scotland,
            "2026-06-15".to_owned(),
            None,
            Some("World Cup bank holiday".to_owned())
        )]
    );
}

#[test]
fn calendars_from_the_feed_and_from_the_rules_agree_outside_the_later_proclamation() {
    let feed = parse_govuk_feed(&feed_text()).unwrap();
    let imported = HolidayTable::new().with_feed(&feed);
    let rules = HolidayTable::new();
    let world_cup = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    for scope in CalendarScope::ALL {
        let a = imported.calendar(scope);
        let b = rules.calendar(scope);
        let mut date = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap();
        while date.year() <= 2027 {
            let expected_same = !(date == world_cup
                && matches!(
                    scope,
                    CalendarScope::UnitedKingdom | CalendarScope::Scotland
                ));
            assert_eq!(
                a.is_working_day(date) == b.is_working_day(date),
                expected_same,
                "{scope:?} {date}"
            );
            date = date.succ_opt().unwrap();
        }
    }
}
