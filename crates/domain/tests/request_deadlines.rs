//! Deadlines of information requests: the CLI's examples, year ends, Easter, substitute days,
//! one-off holidays, clock events, and refusals.

use accord_domain::request::cli::{DeadlineArgs, deadline};
use accord_domain::request::{
    ClockEvent, Flag, Protocol, Regime, Timeliness, deadlines, due_dates,
};
use accord_domain::working_days::{CalendarScope, HolidayTable, Step};
use chrono::NaiveDate;

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates are valid")
}

const TODAY: &str = "2099-01-01";

fn run(regime: &str, received: &str, events: &[&str], division: Option<&str>) -> serde_json::Value {
    let args = DeadlineArgs {
        regime: regime.to_owned(),
        received: received.to_owned(),
        events: events.iter().map(|e| (*e).to_owned()).collect(),
        division: division.map(str::to_owned),
    };
    let out = deadline(&args, &HolidayTable::new(), d(TODAY), &Protocol::default())
        .unwrap_or_else(|e| panic!("{regime} {received} {events:?}: {e}"));
    serde_json::to_value(out).expect("the output serialises")
}

#[test]
fn the_cli_examples() {
    let cases = [
        ("foi", "2025-03-03", "2025-04-01"),
        ("foisa", "2025-03-03", "2025-03-31"),
        ("sar", "2025-01-31", "2025-02-28"),
    ];
    for (regime, received, due) in cases {
        let out = run(regime, received, &[], None);
        assert_eq!(out["due"], due, "{regime} {received}");
    }
    // The FOIA working names St Patrick's Day as a skipped day.
    let out = run("foi", "2025-03-03", &[], None);
    let working = out["deadlines"]["statutory"]["working"].as_array().unwrap();
    assert!(working.iter().any(|s| s["kind"] == "skipped"
        && s["date"] == "2025-03-17"
        && s["reason"] == "St Patrick’s Day, Northern Ireland"));
    assert!(
        working.iter().any(|s| s["kind"] == "skipped"
            && s["date"] == "2025-03-22"
            && s["reason"] == "Saturday")
    );
    assert_eq!(working.last().unwrap()["day"], 20);
    assert_eq!(out["calendar"], "united-kingdom");
    assert_eq!(out["holiday_sources"][0]["source"], "rules");
}

#[test]
fn working_day_deadlines_across_year_ends_easter_substitutes_and_one_offs() {
    let cases = [
        // Year end: Christmas, Boxing Day, New Year, and Scotland's 2 January for FOIA.
        ("foi", "2025-12-10", "2026-01-13"),
        ("foisa", "2025-12-10", "2026-01-13"),
        ("eir", "2025-12-10", "2026-01-13"),
        // Easter: FOIA skips Good Friday and Easter Monday, FOISA only Good Friday.
        ("foi", "2025-04-01", "2025-05-01"),
        ("foisa", "2025-04-01", "2025-04-30"),
        // Substitute days: Boxing Day 2020 on a Saturday; Scotland's 2 January 2021 too.
        ("foi", "2020-12-14", "2021-01-15"),
        // One-offs: the Platinum Jubilee, the state funeral, the coronation, the 2011 wedding.
        ("foi", "2022-05-20", "2022-06-21"),
        ("foi", "2022-09-01", "2022-09-30"),
        ("foi", "2023-04-24", "2023-05-24"),
        ("foi", "2011-04-15", "2011-05-19"),
        // Beyond the GOV.UK feed: the rules carry on.
        ("foi", "2031-12-19", "2032-01-22"),
        // Received on a Sunday: day 1 is the Monday.
        ("foi", "2025-03-02", "2025-03-31"),
    ];
    for (regime, received, due) in cases {
        assert_eq!(
            run(regime, received, &[], None)["due"],
            due,
            "{regime} {received}"
        );
    }
}

#[test]
fn subject_access_months_and_rolling() {
    let cases = [
        ("2025-01-31", None, "2025-02-28"),
        ("2024-01-31", None, "2024-02-29"),
        ("2025-03-31", None, "2025-04-30"),
        ("2025-07-05", None, "2025-08-05"),
        // 18 May 2025 is a Sunday.
        ("2025-04-18", None, "2025-05-19"),
        // Christmas, Boxing Day and a weekend.
        ("2025-11-25", None, "2025-12-29"),
        // St Patrick's Day counts only for a Northern Ireland council.
        ("2025-02-17", Some("northern-ireland"), "2025-03-18"),
        ("2025-02-17", None, "2025-03-17"),
    ];
    for (received, division, due) in cases {
        assert_eq!(
            run("sar", received, &[], division)["due"],
            due,
            "{received} {division:?}"
        );
    }
    let rolled = run("sar", "2025-11-25", &[], None);
    let notes = rolled["deadlines"]["statutory"]["notes"]
        .as_array()
        .unwrap();
    assert!(notes.iter().any(|n| {
        n.as_str()
            .unwrap()
            .contains("2025-12-25 is not a working day")
    }));
}

#[test]
fn clock_events() {
    struct Case {
        regime: &'static str,
        received: &'static str,
        events: &'static [&'static str],
        due: Option<&'static str>,
        extended: Option<&'static str>,
        timeliness: Option<&'static str>,
        flags: &'static [&'static str],
    }
    let cases = [
        // Clarification restarts the 20 days from its receipt.
        Case {
            regime: "foi",
            received: "2025-03-03",
            events: &[
                "clarification_sought:2025-03-05",
                "clarification_received:2025-03-10",
            ],
            due: Some("2025-04-08"),
            extended: None,
            timeliness: None,
            flags: &[],
        },
        // Awaiting clarification: no due date.
        Case {
            regime: "foi",
            received: "2025-03-03",
            events: &["clarification_sought:2025-03-05"],
            due: None,
            extended: None,
            timeliness: None,
            flags: &["awaiting_clarification"],
        },
        // The days from fees notice to payment do not count.
        Case {
            regime: "foi",
            received: "2025-06-02",
            events: &["fees_notice_given:2025-06-04", "fee_paid:2025-06-10"],
            due: Some("2025-07-07"),
            extended: None,
            timeliness: None,
            flags: &[],
        },
        Case {
            regime: "foi",
            received: "2025-06-02",
            events: &["fees_notice_given:2025-06-04"],
            due: None,
            extended: None,
            timeliness: None,
            flags: &["awaiting_fee"],
        },
        Case {
            regime: "foi",
            received: "2025-06-02",
            events: &["fees_notice_given:2025-06-04", "fee_paid:2025-09-04"],
            due: Some("2025-10-01"),
            extended: None,
            timeliness: None,
            flags: &["fee_paid_late"],
        },
        // Public-interest extension: notice by day 20; day 40 in total.
        Case {
            regime: "foi",
            received: "2025-03-03",
            events: &[
                "public_interest_extension:2025-03-25",
                "response_sent:2025-04-22",
            ],
            due: Some("2025-04-01"),
            extended: Some("2025-05-01"),
            timeliness: Some("within_extension"),
            flags: &[],
        },
        Case {
            regime: "foi",
            received: "2025-03-03",
            events: &[
                "public_interest_extension:2025-04-02",
                "response_sent:2025-04-22",
            ],
            due: Some("2025-04-01"),
            extended: Some("2025-05-01"),
            timeliness: Some("late"),
            flags: &["extension_notice_late", "response_late"],
        },
        Case {
            regime: "foi",
            received: "2025-03-03",
            events: &["public_interest_extension:2025-03-25:2025-05-20"],
            due: Some("2025-04-01"),
            extended: Some("2025-05-20"),
            timeliness: None,
            flags: &["beyond_forty_working_days"],
        },
        Case {
            regime: "foi",
            received: "2025-03-03",
            events: &[
                "public_interest_extension:2025-03-25",
                "response_sent:2025-05-02",
            ],
            due: Some("2025-04-01"),
            extended: Some("2025-05-01"),
            timeliness: Some("late"),
            flags: &["response_late", "beyond_forty_working_days"],
        },
        Case {
            regime: "foi",
            received: "2025-03-03",
            events: &["response_sent:2025-04-01"],
            due: Some("2025-04-01"),
            extended: None,
            timeliness: Some("in_time"),
            flags: &[],
        },
        // EIR: complex and voluminous, 40 working days.
        Case {
            regime: "eir",
            received: "2025-03-03",
            events: &["eir_extension:2025-03-20"],
            due: Some("2025-04-01"),
            extended: Some("2025-05-01"),
            timeliness: None,
            flags: &[],
        },
        // Subject access: identity, pauses and the extension by two months.
        Case {
            regime: "sar",
            received: "2025-01-10",
            events: &["id_confirmed:2025-01-20"],
            due: Some("2025-02-20"),
            extended: None,
            timeliness: None,
            flags: &[],
        },
        Case {
            regime: "sar",
            received: "2025-03-03",
            events: &[
                "clarification_sought:2025-03-05",
                "clarification_received:2025-03-12",
            ],
            due: Some("2025-04-10"),
            extended: None,
            timeliness: None,
            flags: &[],
        },
        Case {
            regime: "sar",
            received: "2025-01-31",
            events: &["sar_extension:2025-02-10"],
            due: Some("2025-02-28"),
            extended: Some("2025-04-30"),
            timeliness: None,
            flags: &[],
        },
    ];
    for c in cases {
        let out = run(c.regime, c.received, c.events, None);
        let label = format!("{} {} {:?}", c.regime, c.received, c.events);
        assert_eq!(out["due"].as_str(), c.due, "{label}");
        assert_eq!(out["extended_due"].as_str(), c.extended, "{label}");
        let late_notice = c.flags.contains(&"extension_notice_late");
        let answer_by = if late_notice {
            c.due
        } else {
            c.extended.or(c.due)
        };
        assert_eq!(out["answer_by"].as_str(), answer_by, "{label}");
        assert_eq!(
            out["deadlines"]["timeliness"].as_str(),
            c.timeliness,
            "{label}"
        );
        let flags: Vec<&str> = out["deadlines"]["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap())
            .collect();
        assert_eq!(flags, c.flags, "{label}");
    }
}

#[test]
fn refusals_name_the_argument() {
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a [&'a str],
        Option<&'a str>,
        &'a str,
        &'a str,
    );
    let cases: &[Case] = &[
        (
            "foisa",
            "2025-03-03",
            &["public_interest_extension:2025-03-10"],
            None,
            "--event[0]",
            "FOISA has no public-interest extension",
        ),
        (
            "foi",
            "2025-03-03",
            &["fee_paid:2025-03-01"],
            None,
            "--event[0]",
            "before the request was received",
        ),
        (
            "foi",
            "2025-03-03",
            &["clarification_received:2025-03-10"],
            None,
            "--event[0]",
            "no clarification was sought",
        ),
        (
            "foi",
            "2025-03-03",
            &["lunch:2025-03-10"],
            None,
            "--event[0]",
            "not an event",
        ),
        (
            "foi",
            "2025-03-03",
            &["fee_paid:2025-02-30"],
            None,
            "--event[0]",
            "not a date",
        ),
        (
            "foi",
            "2025-03-03",
            &["sar_extension:2025-03-10"],
            None,
            "--event[0]",
            "does not apply",
        ),
        (
            "foi",
            "2025-03-03",
            &["response_sent:2025-03-10", "fee_paid:2025-03-11"],
            None,
            "--event[1]",
            "the response was sent",
        ),
        ("xyz", "2025-03-03", &[], None, "--regime", "not a regime"),
        ("foi", "3 March 2025", &[], None, "--received", "not a date"),
        (
            "foi",
            "1989-03-03",
            &[],
            None,
            "--received",
            "outside the years",
        ),
        (
            "foi",
            "2025-03-03",
            &[],
            Some("scotland"),
            "--division",
            "leave --division out",
        ),
        (
            "sar",
            "2025-03-03",
            &[],
            Some("wales"),
            "--division",
            "not a UK division",
        ),
    ];
    for (regime, received, events, division, field, message) in cases {
        let args = DeadlineArgs {
            regime: (*regime).to_owned(),
            received: (*received).to_owned(),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
            division: division.map(str::to_owned),
        };
        let err =
            deadline(&args, &HolidayTable::new(), d(TODAY), &Protocol::default()).unwrap_err();
        assert!(
            err.errors
                .iter()
                .any(|e| e.field == *field && e.message.contains(message)),
            "{regime} {received} {events:?}: {err}"
        );
    }
}

/// Any date the calendars cover (1990–2100) can be counted, in the past or ahead of today:
/// a date after today is counted and noted, never refused.
#[test]
fn dates_ahead_of_today_are_counted_with_a_note() {
    // Received on Monday 21 December 2026 in Scotland: Christmas (Friday), Boxing Day's
    // substitute (Monday 28th), New Year's Day (Friday) and 2 January's substitute (Monday
    // 4th) are skipped, so the twentieth working day is Friday 22 January 2027.
    let cases: &[(&str, &str, Option<&str>, bool)] = &[
        ("foi", "1990-01-02", None, false),
        ("foi", "2099-01-02", None, true),
        ("foi", "2100-12-01", None, true),
        ("foisa", "2026-12-21", Some("2027-01-22"), false),
        // Christmas 2010 fell at a weekend (substitutes 27 and 28 December), and so did 1 and 2
        // January 2011 (substitutes 3 and 4 January): twenty Scottish working days end on the 24th.
        ("foisa", "2010-12-21", Some("2011-01-24"), false),
    ];
    for (regime, received, due, noted) in cases {
        let args = DeadlineArgs {
            regime: (*regime).to_owned(),
            received: (*received).to_owned(),
            events: Vec::new(),
            division: None,
        };
        let out = deadline(&args, &HolidayTable::new(), d(TODAY), &Protocol::default())
            .unwrap_or_else(|e| panic!("{regime} {received}: {e}"));
        let got = out.due.map(|d| d.to_string());
        assert!(got.is_some(), "{regime} {received}: counted");
        if let Some(due) = due {
            assert_eq!(got.as_deref(), Some(*due), "{regime} {received}");
        }
        assert_eq!(
            out.notes.iter().any(|n| n.contains("in the future")),
            *noted,
            "{regime} {received}: {:?}",
            out.notes
        );
    }
}

#[test]
fn a_proclaimed_holiday_moves_deadlines_and_the_fast_path_agrees() {
    use accord_domain::working_days::{Division, ProclaimedHoliday};
    let mut table = HolidayTable::new();
    let before = table.calendar(CalendarScope::UnitedKingdom);
    table
        .add_proclaimed(ProclaimedHoliday {
            date: d("2030-03-20"),
            title: "Proclaimed holiday".into(),
            divisions: vec![Division::NorthernIreland],
            replaces: None,
        })
        .unwrap();
    let after = table.calendar(CalendarScope::UnitedKingdom);
    let a = deadlines(Regime::Foi, d("2030-03-04"), &[], &before).unwrap();
    let b = deadlines(Regime::Foi, d("2030-03-04"), &[], &after).unwrap();
    let a_due = a.statutory.as_ref().unwrap().due;
    let b_due = b.statutory.as_ref().unwrap().due;
    assert_eq!(after.add_working_days(a_due, 1), Some(b_due));
    assert!(b.statutory.unwrap().working.contains(&Step::Skipped {
        date: d("2030-03-20"),
        reason: "Proclaimed holiday, Northern Ireland".into()
    }));
    // The fast path gives the same dates without the working.
    let events = [ClockEvent::parse("e", "public_interest_extension:2030-03-10").unwrap()];
    let full = deadlines(Regime::Foi, d("2030-03-04"), &events, &after).unwrap();
    let fast = due_dates(
        Regime::Foi,
        d("2030-03-04"),
        &events,
        &after,
        &Protocol::default(),
    )
    .unwrap();
    assert_eq!(fast.statutory, full.statutory.map(|s| s.due));
    assert_eq!(fast.extended, full.extended.map(|s| s.due));
    assert_eq!(fast.internal_target, full.internal_target.map(|s| s.due));
    assert!(
        full.flags
            .iter()
            .all(|f| !matches!(f, Flag::ResponseLate { .. }))
    );
    assert_eq!(full.timeliness, None::<Timeliness>);
}

#[test]
fn the_internal_target_leaves_five_working_days() {
    let out = run("foi", "2025-03-03", &[], None);
    assert_eq!(out["internal_target"], "2025-03-25");
    let out = run("sar", "2025-01-31", &[], None);
    assert_eq!(out["internal_target"], "2025-02-21");
}

#[test]
fn the_wrong_calendar_is_refused() {
    let table = HolidayTable::new();
    let scotland = table.calendar(CalendarScope::Scotland);
    let err = deadlines(Regime::Foi, d("2025-03-03"), &[], &scotland).unwrap_err();
    assert_eq!(err.errors[0].field, "calendar");
}
