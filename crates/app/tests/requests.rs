//! The request register's use cases under load, contention and generated data, on both
//! backends: parallel loggers get distinct references without an error, an explicit reference
//! already in the register is refused naming the field, a change made from a stale version is
//! refused, the statistics and the caseload the database counts are the domain's own, and a
//! proclaimed holiday recounts open requests in its transaction.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use accord_app::list::{ListRequest, Start};
use accord_app::requests::{self, LogRequest, RequestFilter};
use accord_app::{App, AppError, Caller, Clock};
use accord_domain::GssCode;
use accord_domain::access::{Area, Classification, RecordMeta, Role, RoleAssignment, UserAccount};
use accord_domain::audit::AuditAction;
use accord_domain::request::{
    Action, Attention, Channel, Context, Draft, NewRequest, Outcome, Protocol, Regime, Request,
    Requester, ResponseInput, StatisticsRecord, statistics,
};
use accord_domain::working_days::{Calendars, Division, HolidayTable, ProclaimedHoliday};
use accord_store::requests::REQUEST_KIND;
use accord_store::{AuditFilter, Change, Store, testing};
use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const HARINGEY: &str = "E09000014";
const WALTHAM_FOREST: &str = "E09000031";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn gss(code: &str) -> GssCode {
    GssCode::parse("gss", code).unwrap()
}

fn today() -> NaiveDate {
    d(2025, 3, 20)
}

/// A council's single point of contact in `partnership_id`.
fn information_lead(id: i64, partnership_id: i64, home: &str) -> Caller {
    let account = UserAccount {
        id,
        email: format!("info{id}@example.test"),
        display_name: format!("Information lead {id}"),
        home: Some(gss(home)),
        admin: false,
        disabled: false,
        role_assignments: vec![RoleAssignment {
            partnership_id,
            role: Role::Information,
        }],
    };
    Caller::user(account, false)
}

fn new_request(reference: Option<String>, received: NaiveDate, who: &str) -> LogRequest {
    LogRequest {
        reference,
        received_by: gss(WALTHAM_FOREST),
        channel: Channel::Email,
        received_at: NaiveDateTime::new(received, NaiveTime::MIN),
        requester: Requester {
            name: format!("{who} (fictitious)"),
            contact: "someone@example.invalid".into(),
        },
        summary: "Costs of the shared HR service centre".into(),
        regime: Regime::Foi,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_clients_logging_at_once_get_distinct_references_and_no_error() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let pid = testing::two_council_partnership(&*store, "Contended")
            .await
            .unwrap();
        let app = App::new(store.clone()).with_clock(Clock::Fixed(today()));
        let mut clients = Vec::new();
        for client in 0..8 {
            let app = app.clone();
            clients.push(tokio::spawn(async move {
                let caller = information_lead(100 + client, pid, WALTHAM_FOREST);
                let mut references = Vec::new();
                for i in 0..250 {
                    let entry = requests::log_request(
                        &app,
                        &caller,
                        pid,
                        new_request(None, d(2025, 3, 3), &format!("Client {client} {i}")),
                    )
                    .await
                    .unwrap_or_else(|e| panic!("client {client}, request {i}: {e}"));
                    references.push(entry.reference().to_owned());
                }
                references
            }));
        }
        let mut all = Vec::new();
        for client in clients {
            all.extend(client.await.unwrap());
        }
        let distinct: BTreeSet<&String> = all.iter().collect();
        assert_eq!(all.len(), 2000, "{backend}");
        assert_eq!(
            distinct.len(),
            2000,
            "{backend}: every reference is distinct"
        );
        // Numbered 1 to 2,000 with no gap, and every one stored.
        let system = Caller::system("test");
        let listed = requests::register(
            &app,
            &system,
            pid,
            &RequestFilter::default(),
            &ListRequest::page(1, 500),
        )
        .await
        .unwrap();
        assert_eq!(listed.total, 2000, "{backend}");
        let expected: BTreeSet<String> = (1..=2000).map(|n| format!("FOI-2025-{n:04}")).collect();
        assert_eq!(
            distinct.into_iter().cloned().collect::<BTreeSet<String>>(),
            expected,
            "{backend}"
        );
        store.close().await;
    }
}

#[tokio::test]
async fn an_explicit_reference_already_in_the_register_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let pid = testing::two_council_partnership(&*store, "Duplicates")
            .await
            .unwrap();
        let app = App::new(store.clone()).with_clock(Clock::Fixed(today()));
        let lead = information_lead(1, pid, WALTHAM_FOREST);
        let first = requests::log_request(
            &app,
            &lead,
            pid,
            new_request(Some("FOI-2025-0113".into()), d(2025, 3, 3), "First"),
        )
        .await
        .unwrap();
        assert_eq!(first.reference(), "FOI-2025-0113");
        let (head, _) = store.audit_head().await.unwrap();
        for (reference, field) in [
            ("FOI-2025-0113", "reference"),
            (" FOI-2025-0113 ", "reference"),
            ("caseload", "reference"),
            ("1234", "reference"),
            ("FOI 2025/1", "reference"),
        ] {
            let refused = requests::log_request(
                &app,
                &lead,
                pid,
                new_request(Some(reference.into()), d(2025, 3, 3), "Second"),
            )
            .await
            .unwrap_err();
            let AppError::Invalid(invalid) = refused else {
                panic!("{backend} {reference}: expected a field error, got {refused:?}");
            };
            assert_eq!(invalid.errors[0].field, field, "{backend} {reference}");
            assert_eq!(
                store.audit_head().await.unwrap().0,
                head,
                "{backend}: nothing written"
            );
        }
        // Several problems at once are named together.
        let mut both = new_request(Some("FOI-2025-0113".into()), d(2025, 3, 3), "Third");
        both.summary = String::new();
        let AppError::Invalid(invalid) = requests::log_request(&app, &lead, pid, both)
            .await
            .unwrap_err()
        else {
            panic!("{backend}: expected field errors");
        };
        let fields: Vec<&str> = invalid.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["reference", "summary"], "{backend}");
        // A number whose reference was given by hand is passed over.
        let next = requests::log_request(
            &app,
            &lead,
            pid,
            new_request(Some("FOI-2025-0002".into()), d(2025, 3, 3), "Fourth"),
        )
        .await
        .unwrap();
        assert_eq!(next.number, 2);
        let numbered =
            requests::log_request(&app, &lead, pid, new_request(None, d(2025, 3, 3), "Fifth"))
                .await
                .unwrap();
        assert_eq!(numbered.reference(), "FOI-2025-0003", "{backend}");
        let total = requests::register(
            &app,
            &lead,
            pid,
            &RequestFilter::default(),
            &ListRequest::default(),
        )
        .await
        .unwrap()
        .total;
        assert_eq!(total, 3, "{backend}");
        store.close().await;
    }
}

#[tokio::test]
async fn the_second_of_two_editors_is_refused_and_told_why() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let pid = testing::two_council_partnership(&*store, "Two editors")
            .await
            .unwrap();
        let app = App::new(store.clone()).with_clock(Clock::Fixed(today()));
        let (first, second) = (
            information_lead(1, pid, WALTHAM_FOREST),
            information_lead(2, pid, HARINGEY),
        );
        let logged =
            requests::log_request(&app, &first, pid, new_request(None, d(2025, 3, 3), "A"))
                .await
                .unwrap();
        let reference = logged.reference().to_owned();
        // Both opened it at version 1; the first forwards it.
        let forwarded = requests::forward(
            &app,
            &first,
            pid,
            &reference,
            Some(logged.version),
            d(2025, 3, 4),
        )
        .await
        .unwrap();
        assert_eq!(forwarded.version, logged.version + 1, "{backend}");
        // The second withdraws it from the version they opened: refused, nothing changed.
        let (head, _) = store.audit_head().await.unwrap();
        let refused = requests::withdraw(
            &app,
            &second,
            pid,
            &reference,
            Some(logged.version),
            d(2025, 3, 5),
        )
        .await
        .unwrap_err();
        let AppError::Conflict(message) = refused else {
            panic!("{backend}: expected a conflict, got {refused:?}");
        };
        assert!(message.contains("changed since you opened it"), "{message}");
        assert!(message.contains(&reference), "{message}");
        assert_eq!(store.audit_head().await.unwrap().0, head, "{backend}");
        let now = requests::request(&app, &second, pid, &reference)
            .await
            .unwrap();
        assert_eq!(now.entry, forwarded, "{backend}: nothing was written");
        // From the current version, the change goes through.
        let withdrawn = requests::withdraw(
            &app,
            &second,
            pid,
            &reference,
            Some(now.entry.version),
            d(2025, 3, 5),
        )
        .await
        .unwrap();
        assert!(!withdrawn.request.is_open(), "{backend}");
        // A missing request is not found, and a bad cursor names its field.
        let missing = requests::forward(&app, &first, pid, "FOI-9999-9999", None, d(2025, 3, 4))
            .await
            .unwrap_err();
        assert!(matches!(missing, AppError::NotFound(_)), "{backend}");
        let bad = requests::register(
            &app,
            &first,
            pid,
            &RequestFilter::default(),
            &ListRequest {
                start: Start::After("nonsense".into()),
                ..ListRequest::default()
            },
        )
        .await
        .unwrap_err();
        let AppError::Invalid(invalid) = bad else {
            panic!("{backend}: expected a field error");
        };
        assert_eq!(invalid.errors[0].field, "cursor");
        store.close().await;
    }
}

#[tokio::test]
async fn a_proclaimed_holiday_moves_open_requests_deadlines_in_its_transaction_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let pid = testing::two_council_partnership(&*store, "Holidays")
            .await
            .unwrap();
        let app = App::new(store.clone()).with_clock(Clock::Fixed(d(2025, 3, 10)));
        let lead = information_lead(1, pid, WALTHAM_FOREST);
        let log = |reference: &str, on| {
            requests::log_request(
                &app,
                &lead,
                pid,
                new_request(Some(reference.into()), on, "A"),
            )
        };
        let open = log("FOI-open-1", d(2025, 3, 3)).await.unwrap();
        log("FOI-later-1", d(2025, 3, 10)).await.unwrap();
        let answered = log("FOI-answered-1", d(2025, 3, 3)).await.unwrap();
        // The third is withdrawn: its dates stand whatever the table does.
        let answered =
            requests::withdraw(&app, &lead, pid, answered.reference(), None, d(2025, 3, 10))
                .await
                .unwrap();
        assert_eq!(open.dates.answer_by, Some(d(2025, 4, 1)));

        // A one-off holiday in Scotland on 2025-03-20 counts for FOIA (any part of the UK).
        let admin = Caller::system("test");
        let holiday = ProclaimedHoliday {
            date: d(2025, 3, 20),
            title: "A proclaimed holiday".into(),
            divisions: vec![Division::Scotland],
            replaces: None,
        };
        let done = requests::add_holiday(&app, &admin, holiday.clone(), "a test proclamation")
            .await
            .unwrap();
        assert_eq!(done.recount.open, 2, "{backend}");
        let moved: Vec<&str> = done
            .recount
            .moved
            .iter()
            .map(|m| m.reference.as_str())
            .collect();
        assert_eq!(moved, ["FOI-open-1", "FOI-later-1"], "{backend}");
        assert_eq!(
            done.recount.moved[0].answer_by,
            (Some(d(2025, 4, 1)), Some(d(2025, 4, 2)))
        );
        let read = |reference: &'static str| requests::request(&app, &admin, pid, reference);
        assert_eq!(
            read("FOI-open-1").await.unwrap().entry.dates.answer_by,
            Some(d(2025, 4, 2))
        );
        assert_eq!(
            read("FOI-answered-1").await.unwrap().entry,
            answered,
            "{backend}: an answered request keeps its dates"
        );
        let entries = store
            .audit_entries(
                &AuditFilter {
                    record_kind: Some(REQUEST_KIND.into()),
                    record_id: Some(open.record_id.to_string()),
                    action: Some(AuditAction::Update),
                    ..AuditFilter::default()
                },
                10,
                0,
            )
            .await
            .unwrap();
        assert_eq!(entries.len(), 1, "{backend}");
        let reason = entries[0].record.reason.clone().unwrap();
        assert!(
            reason.starts_with("a test proclamation; holiday table changed: + 2025-03-20"),
            "{reason}"
        );
        // The same date again is refused, naming the field, with nothing written.
        let (head, _) = store.audit_head().await.unwrap();
        let AppError::Invalid(invalid) = requests::add_holiday(&app, &admin, holiday, "")
            .await
            .unwrap_err()
        else {
            panic!("{backend}: expected a field error");
        };
        assert_eq!(invalid.errors[0].field, "date");
        assert_eq!(store.audit_head().await.unwrap().0, head, "{backend}");
        // Removed again: the dates go back, audited too.
        let overview = requests::holidays(&app, &admin).await.unwrap();
        let id = overview.proclaimed[0].record_id;
        let done = requests::remove_holiday(&app, &admin, id, "")
            .await
            .unwrap();
        assert_eq!(done.recount.moved.len(), 2, "{backend}");
        assert_eq!(
            read("FOI-open-1").await.unwrap().entry.dates.answer_by,
            Some(d(2025, 4, 1))
        );
        assert!(
            requests::holidays(&app, &admin)
                .await
                .unwrap()
                .proclaimed
                .is_empty()
        );
        store.close().await;
    }
}

// ----- the database's statistics and caseload against the domain's -----

/// One generated request: who received it, when, under which law, and how far along the
/// workflow it went.
#[derive(Debug, Clone)]
struct Plan {
    reference: String,
    received_by: usize,
    days_back: u64,
    regime: usize,
    lead: usize,
    both: bool,
    sensitive: bool,
    stop: u8,
    signed: u8,
    outcome: usize,
    late: u64,
}

fn plan_strategy() -> impl Strategy<Value = Plan> {
    (
        0usize..2,
        0u64..400,
        0usize..4,
        0usize..2,
        any::<bool>(),
        any::<bool>(),
        0u8..9,
        0u8..3,
        0usize..6,
        0u64..40,
    )
        .prop_map(
            |(
                received_by,
                days_back,
                regime,
                lead,
                both,
                sensitive,
                stop,
                signed,
                outcome,
                late,
            )| Plan {
                reference: String::new(),
                received_by,
                days_back,
                regime,
                lead,
                both,
                sensitive,
                stop,
                signed,
                outcome,
                late,
            },
        )
}

/// The request a plan makes, moved along as far as its steps allow on `today` (a step the
/// workflow refuses ends it there).
fn build(plan: &Plan, today: NaiveDate, calendars: &Calendars) -> Request {
    let councils = [gss(HARINGEY), gss(WALTHAM_FOREST)];
    let received = today - Days::new(plan.days_back);
    let regime = [Regime::Foi, Regime::Eir, Regime::Sar, Regime::Foi][plan.regime];
    let input = NewRequest {
        reference: plan.reference.clone(),
        councils: councils.to_vec(),
        received_by: councils[plan.received_by].clone(),
        channel: Channel::Email,
        received_at: NaiveDateTime::new(received, NaiveTime::MIN),
        requester: Requester {
            name: "Generated (fictitious)".into(),
            contact: "generated@example.invalid".into(),
        },
        summary: format!("Generated request {}", plan.reference),
        regime,
    };
    let protocol = Protocol::default();
    let calendar = calendars.get(input.calendar_scope());
    let ctx = Context {
        today,
        calendar,
        protocol: &protocol,
    };
    let mut request = Request::receive(input, &ctx).unwrap();
    let step = |days: u64| (received + Days::new(days)).min(today);
    let lead = councils[plan.lead].clone();
    let mut actions = vec![
        Action::Forward { on: step(1) },
        Action::Acknowledge {
            on: step(2),
            lead: lead.clone(),
        },
        Action::StartDrafting { on: step(3) },
        Action::SubmitDraft {
            on: step(5),
            draft: Draft {
                discloses_about: if plan.both {
                    councils.to_vec()
                } else {
                    vec![lead.clone()]
                },
                sensitive: plan.sensitive,
            },
        },
    ];
    for council in councils.iter().take(usize::from(plan.signed)) {
        actions.push(Action::SignOff {
            on: step(6),
            council: council.clone(),
        });
    }
    if plan.sensitive {
        actions.push(Action::SendForComms { on: step(7) });
        actions.push(Action::ClearComms { on: step(8) });
    }
    let outcome = Outcome::ALL[plan.outcome];
    actions.push(match outcome {
        Outcome::Withdrawn => Action::Withdraw { on: step(9) },
        Outcome::Lapsed => Action::Lapse { on: step(9) },
        _ => Action::SendResponse {
            on: step(10 + plan.late),
            response: ResponseInput {
                outcome: Some(outcome),
                parts: if outcome.needs_exemption() {
                    vec![accord_domain::request::ResponsePart {
                        description: "Part".into(),
                        outcome,
                        exemptions: vec!["s43".into()],
                    }]
                } else {
                    Vec::new()
                },
            },
        },
    });
    for action in actions.iter().take(usize::from(plan.stop)) {
        match request.apply(action, &ctx) {
            Ok(next) => request = next,
            Err(_) => break,
        }
    }
    request
}

#[test]
fn the_database_s_statistics_and_caseload_are_the_domain_s_own() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stores = runtime.block_on(testing::stores(dir.path())).unwrap();
    let calendars = Calendars::new(HolidayTable::new());
    let protocol = Protocol::default();
    for (backend, store) in stores {
        let mut runner = TestRunner::new(Config {
            cases: 24,
            ..Config::default()
        });
        let round = std::sync::atomic::AtomicUsize::new(0);
        runner
            .run(
                &(prop::collection::vec(plan_strategy(), 1..40), 0u64..30),
                |(mut plans, shift)| {
                    let round = round.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let today = d(2025, 3, 20) + Days::new(shift);
                    for (n, plan) in plans.iter_mut().enumerate() {
                        plan.reference = format!("GEN-{n}");
                    }
                    let requests: Vec<Request> =
                        plans.iter().map(|p| build(p, today, &calendars)).collect();
                    let (pid, stats, caseloads) = runtime.block_on(async {
                        let pid = testing::two_council_partnership(
                            &*store,
                            &format!("Generated {round}"),
                        )
                        .await
                        .unwrap();
                        write_all(&*store, pid, &requests, &calendars).await;
                        let app = App::new(store.clone()).with_clock(Clock::Fixed(today));
                        let system = Caller::system("test");
                        let stats = requests::statistics(&app, &system, pid).await.unwrap();
                        let mut caseloads = BTreeMap::new();
                        for council in [HARINGEY, WALTHAM_FOREST] {
                            let load = requests::caseload(&app, &system, pid, Some(&gss(council)))
                                .await
                                .unwrap();
                            caseloads.insert(council, load);
                        }
                        (pid, stats, caseloads)
                    });
                    let records: Vec<StatisticsRecord> =
                        requests.iter().map(StatisticsRecord::from).collect();
                    prop_assert_eq!(
                        &stats,
                        &statistics(&records),
                        "{} partnership {}",
                        backend,
                        pid
                    );
                    for (council, load) in &caseloads {
                        let code = gss(council);
                        let mut expected: BTreeMap<Attention, BTreeSet<String>> = BTreeMap::new();
                        let mut open = 0;
                        for r in &requests {
                            let calendar = calendars.get(r.calendar_scope());
                            let dates = r.due_dates(calendar, &protocol).unwrap();
                            if r.is_open() && r.owner() == &code {
                                open += 1;
                            }
                            for a in r.caseload(&code, &dates, today, calendar, &protocol) {
                                expected.entry(a).or_default().insert(r.reference.clone());
                            }
                        }
                        prop_assert_eq!(load.open, open, "{} {}", backend, council);
                        for section in &load.sections {
                            let want = expected.remove(&section.attention).unwrap_or_default();
                            let got: BTreeSet<String> = section
                                .cases
                                .iter()
                                .map(|c| c.summary.reference.clone())
                                .collect();
                            prop_assert_eq!(
                                section.total,
                                want.len() as i64,
                                "{} {} {:?}",
                                backend,
                                council,
                                section.attention
                            );
                            prop_assert_eq!(
                                got,
                                want,
                                "{} {} {:?}",
                                backend,
                                council,
                                section.attention
                            );
                        }
                        prop_assert!(
                            expected.is_empty(),
                            "{} {}: sections the page lacks: {:?}",
                            backend,
                            council,
                            expected
                        );
                    }
                    Ok(())
                },
            )
            .unwrap();
        runtime.block_on(store.close());
    }
}

/// Writes generated requests as the use cases write them, numbered in order.
async fn write_all(store: &dyn Store, pid: i64, requests: &[Request], calendars: &Calendars) {
    let protocol = Protocol::default();
    let change = Change::by("test");
    let mut tx = store.write().await.unwrap();
    for (n, request) in requests.iter().enumerate() {
        let mut request = request.clone();
        let requester = request.take_requester();
        let dates = request
            .due_dates(calendars.get(request.calendar_scope()), &protocol)
            .unwrap();
        let meta = RecordMeta {
            area: Area::Information,
            partnership_id: Some(pid),
            owner: Some(request.owner().clone()),
            classification: Classification::Partnership,
            embargo: None,
        };
        let number = u32::try_from(n).unwrap() + 1;
        let stored = tx
            .insert_request(&meta, number, &request, &dates, &change)
            .await
            .unwrap();
        tx.insert_requester(&stored, &requester, &change)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}
