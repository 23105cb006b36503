//! Wide-input properties: the O(1) calendar agrees with a day-by-day walk, and the clock
//! never panics on any events.

use accord_domain::request::{ClockEvent, EventKind, Regime, deadlines};
use accord_domain::working_days::{CalendarScope, HolidayTable};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use std::sync::OnceLock;

fn calendars() -> &'static Vec<accord_domain::working_days::Calendar> {
    static CALENDARS: OnceLock<Vec<accord_domain::working_days::Calendar>> = OnceLock::new();
    CALENDARS.get_or_init(|| {
        let table = HolidayTable::new();
        CalendarScope::ALL
            .iter()
            .map(|s| table.calendar(*s))
            .collect()
    })
}

fn date(offset: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1990, 1, 1).expect("a date") + Days::new(u64::from(offset))
}

proptest! {
    #[test]
    fn adding_working_days_matches_a_walk(offset in 0u32..40_500, n in 0u32..70, scope in 0usize..4) {
        let calendar = &calendars()[scope];
        let start = date(offset);
        let mut walk = start;
        let mut left = n;
        let mut fell_off = false;
        while left > 0 {
            walk = walk.succ_opt().expect("a date");
            match calendar.is_working_day(walk) {
                Some(true) => left -= 1,
                Some(false) => {}
                None => { fell_off = true; break; }
            }
        }
        let got = calendar.add_working_days(start, n);
        if fell_off {
            prop_assert_eq!(got, None);
        } else {
            prop_assert_eq!(got, Some(walk));
            prop_assert_eq!(calendar.working_days_between(start, walk), Some(n));
        }
    }

    #[test]
    fn the_clock_answers_or_refuses_but_never_panics(
        regime in 0usize..4,
        received in 0u32..41_000,
        events in proptest::collection::vec((0usize..10, 0u32..400, proptest::option::of(0u32..400)), 0..6),
    ) {
        let regime = Regime::ALL[regime];
        let calendar = &calendars()[match regime {
            Regime::Foisa => 2,
            Regime::Sar => 1,
            _ => 0,
        }];
        let received = date(received);
        let events: Vec<ClockEvent> = events
            .into_iter()
            .map(|(k, d, u)| ClockEvent {
                kind: EventKind::ALL[k],
                date: received + Days::new(u64::from(d)),
                until: u.map(|u| received + Days::new(u64::from(u))),
            })
            .collect();
        if let Ok(d) = deadlines(regime, received, &events, calendar)
            && let Some(statutory) = d.statutory
        {
            prop_assert!(statutory.due > received);
            prop_assert!(calendar.is_working_day(statutory.due) == Some(true));
        }
    }
}
