//! Recomputing the deadlines of 1,000,000 open requests after a holiday change, including
//! rebuilding the calendars. Target: under 2 s.
//!
//! Run with `cargo bench -p accord-domain --bench deadline_recompute`.

use accord_domain::request::{ClockEvent, EventKind, Protocol, Regime, deadlines, due_dates};
use accord_domain::working_days::{CalendarScope, Division, HolidayTable, ProclaimedHoliday};
use chrono::{Datelike, Days, NaiveDate};
use std::hint::black_box;
use std::time::{Duration, Instant};

const REQUESTS: usize = 1_000_000;
const RUNS: usize = 5;

/// A small deterministic generator, so every run recomputes the same register.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Open {
    regime: Regime,
    division: Division,
    received: NaiveDate,
    events: Vec<ClockEvent>,
}

fn register() -> Vec<Open> {
    let mut rng = SplitMix(7);
    let base = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
    (0..REQUESTS)
        .map(|_| {
            let regime = match rng.below(100) {
                0..60 => Regime::Foi,
                60..75 => Regime::Eir,
                75..85 => Regime::Foisa,
                _ => Regime::Sar,
            };
            let division = match regime {
                Regime::Foisa => Division::Scotland,
                _ => Division::ALL[usize::try_from(rng.below(3)).expect("small")],
            };
            let received = base + Days::new(rng.below(900));
            let after = |days: u64| received + Days::new(days);
            let mut events = Vec::new();
            match rng.below(10) {
                0 => {
                    events.push(ClockEvent::new(EventKind::ClarificationSought, after(2)));
                    events.push(ClockEvent::new(EventKind::ClarificationReceived, after(9)));
                }
                1 if regime != Regime::Sar => {
                    events.push(ClockEvent::new(EventKind::FeesNoticeGiven, after(3)));
                    events.push(ClockEvent::new(EventKind::FeePaid, after(12)));
                }
                2 => match regime {
                    Regime::Foi => events.push(ClockEvent::new(
                        EventKind::PublicInterestExtension,
                        after(15),
                    )),
                    Regime::Eir => events.push(ClockEvent::new(EventKind::EirExtension, after(15))),
                    Regime::Sar => events.push(ClockEvent::new(EventKind::SarExtension, after(15))),
                    Regime::Foisa => {}
                },
                _ => {}
            }
            Open {
                regime,
                division,
                received,
                events,
            }
        })
        .collect()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    // `cargo test --all-targets` runs benchmarks too, without `--bench` and unoptimised: measure
    // only under `cargo bench`.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("not measuring: run with `cargo bench` to measure");
        return;
    }
    let register = register();
    let protocol = Protocol::default();
    let mut table = HolidayTable::new();
    let mut change = 0u32;

    let mut recompute = |table: &mut HolidayTable| {
        // The holiday change: a proclaimed holiday in Northern Ireland, a different date
        // each run so nothing is cached.
        change += 1;
        let date =
            NaiveDate::from_ymd_opt(2025, 3, 1).expect("a date") + Days::new(u64::from(change));
        let _ = table.add_proclaimed(ProclaimedHoliday {
            date,
            title: format!("Proclaimed holiday {change}"),
            divisions: vec![Division::NorthernIreland],
            replaces: None,
        });
        let start = Instant::now();
        let calendars: Vec<_> = CalendarScope::ALL
            .iter()
            .map(|s| (*s, table.calendar(*s)))
            .collect();
        let rebuilt = start.elapsed();
        let calendar_for = |scope: CalendarScope| {
            &calendars
                .iter()
                .find(|(s, _)| *s == scope)
                .expect("every scope is built")
                .1
        };
        let mut checksum = 0i64;
        for open in &register {
            let calendar = calendar_for(open.regime.calendar_scope(open.division));
            let dates = due_dates(
                open.regime,
                open.received,
                &open.events,
                calendar,
                &protocol,
            )
            .expect("the register is valid");
            checksum += dates
                .statutory
                .map_or(0, |d| i64::from(d.num_days_from_ce()));
        }
        black_box(checksum);
        (start.elapsed(), rebuilt)
    };

    // Warm-up.
    recompute(&mut table);
    let mut totals = Vec::new();
    let mut rebuilds = Vec::new();
    for _ in 0..RUNS {
        let (total, rebuilt) = recompute(&mut table);
        totals.push(total);
        rebuilds.push(rebuilt);
    }
    println!(
        "rebuild_four_calendars {:.1} ms (median of {RUNS})",
        median(rebuilds).as_secs_f64() * 1e3
    );
    println!(
        "recompute_1m_open_requests_after_holiday_change {:.3} s (median of {RUNS}; target < 2 s)",
        median(totals).as_secs_f64()
    );

    // With the full working, as the request page shows it: per request.
    let calendar = table.calendar(CalendarScope::UnitedKingdom);
    let sample: Vec<&Open> = register
        .iter()
        .filter(|o| o.regime == Regime::Foi)
        .take(100_000)
        .collect();
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        for open in &sample {
            black_box(
                deadlines(open.regime, open.received, &open.events, &calendar).expect("valid"),
            );
        }
        times.push(start.elapsed());
    }
    println!(
        "deadlines_with_working_per_request {:.2} µs (median of {RUNS} runs over 100,000)",
        median(times).as_secs_f64() * 1e6 / sample.len() as f64
    );
}
