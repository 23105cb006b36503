//! The RAID log's use cases under load and contention, on both backends: parallel raisers get
//! distinct numbers without an error, and a change made from a stale version is refused.

#![allow(clippy::unwrap_used)]

use accord_app::governance::raid::{self, RaiseRaid};
use accord_app::list::{ListRequest, MAX_LIMIT};
use accord_app::{App, AppError, Caller, Clock};
use accord_domain::access::{Classification, Role, RoleAssignment, UserAccount};
use accord_domain::raid::{Level, RaidDetail, RaidFilter, RaidInput, RiskScore};
use accord_store::testing;
use chrono::NaiveDate;
use std::collections::BTreeSet;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2011, 7, 21).unwrap()
}

fn risk(title: String) -> RaidInput {
    let level = |n| Level::new("level", n).unwrap();
    RaidInput {
        title,
        description: String::new(),
        owner: "Programme Director".into(),
        project: None,
        raised_on: today(),
        board: None,
        detail: RaidDetail::Risk {
            inherent: RiskScore {
                probability: level(4),
                impact: level(4),
            },
            residual: RiskScore {
                probability: level(2),
                impact: level(3),
            },
            proximity: None,
            mitigations: Vec::new(),
        },
    }
}

/// A member of the joint programme team of `partnership_id`.
fn programme_manager(id: i64, partnership_id: i64) -> Caller {
    let account = UserAccount {
        id,
        email: format!("pm{id}@example.test"),
        display_name: format!("Programme manager {id}"),
        home: None,
        admin: false,
        disabled: false,
        role_assignments: vec![RoleAssignment {
            partnership_id,
            role: Role::Programme,
        }],
    };
    Caller::user(account, false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_clients_raising_at_once_get_distinct_numbers_and_no_error() {
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
                let caller = programme_manager(100 + client, pid);
                let mut references = Vec::new();
                for i in 0..250 {
                    let entry = raid::raise(
                        &app,
                        &caller,
                        pid,
                        RaiseRaid {
                            input: risk(format!("Risk {i} of client {client}")),
                            classification: Classification::Partnership,
                        },
                    )
                    .await
                    .unwrap_or_else(|e| panic!("client {client}, item {i}: {e}"));
                    references.push(entry.reference());
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
        let listed = raid::list(
            &app,
            &Caller::system("test"),
            pid,
            &RaidFilter::default(),
            &ListRequest::page(1, MAX_LIMIT),
        )
        .await
        .unwrap();
        assert_eq!(listed.page.total, 2000, "{backend}");
        let numbers: Vec<u32> = listed.page.items.iter().map(|e| e.item.number).collect();
        assert_eq!(numbers, (1..=500).collect::<Vec<u32>>(), "{backend}");
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
        let (first, second) = (programme_manager(1, pid), programme_manager(2, pid));
        let raised = raid::raise(
            &app,
            &first,
            pid,
            RaiseRaid {
                input: risk("Payroll cut-over clashes with year end".into()),
                classification: Classification::Partnership,
            },
        )
        .await
        .unwrap();
        let reference = raised.reference();
        // Both opened it at version 1; the first escalates it.
        let (escalated, _) = raid::escalate(
            &app,
            &first,
            pid,
            &reference,
            Some(raised.version),
            "Needs the Programme Board",
        )
        .await
        .unwrap();
        assert_eq!(escalated.version, raised.version + 1, "{backend}");
        // The second closes it from the version they opened: refused, nothing changed.
        let refused = raid::close(
            &app,
            &second,
            pid,
            &reference,
            Some(raised.version),
            "Resolved",
        )
        .await
        .unwrap_err();
        let AppError::Conflict(message) = refused else {
            panic!("{backend}: expected a conflict, got {refused:?}");
        };
        assert!(message.contains("changed since you opened it"), "{message}");
        assert!(message.contains(&reference), "{message}");
        let now = raid::item(&app, &second, pid, &reference).await.unwrap();
        assert_eq!(now, escalated, "{backend}: nothing was written");
        // From the current version, the change goes through.
        let closed = raid::close(
            &app,
            &second,
            pid,
            &reference,
            Some(now.version),
            "Resolved",
        )
        .await
        .unwrap();
        assert!(closed.item.closed.is_some(), "{backend}");
        // A missing item and a stale version name what is wrong, and change nothing.
        let missing = raid::close(&app, &second, pid, "R999", None, "x")
            .await
            .unwrap_err();
        assert!(matches!(missing, AppError::NotFound(_)), "{backend}");
        store.close().await;
    }
}

#[tokio::test]
async fn bad_cursors_and_filters_name_their_field() {
    let dir = tempfile::tempdir().unwrap();
    let store = accord_store::connect(&testing::sqlite_url(dir.path()))
        .await
        .unwrap();
    let pid = testing::two_council_partnership(&*store, "Filters")
        .await
        .unwrap();
    let app = App::new(store.clone()).with_clock(Clock::Fixed(today()));
    let caller = Caller::system("test");
    let cases = [
        (
            RaidFilter {
                min_score: Some(30),
                ..RaidFilter::default()
            },
            ListRequest::default(),
            "min_score",
        ),
        (
            RaidFilter {
                text: Some("x".repeat(201)),
                ..RaidFilter::default()
            },
            ListRequest::default(),
            "text",
        ),
        (
            RaidFilter::default(),
            ListRequest {
                start: accord_app::list::Start::After("not a number".into()),
                ..ListRequest::default()
            },
            "cursor",
        ),
    ];
    for (filter, request, field) in cases {
        let error = raid::list(&app, &caller, pid, &filter, &request)
            .await
            .unwrap_err();
        let AppError::Invalid(invalid) = error else {
            panic!("{field}: expected a field error, got {error:?}");
        };
        assert_eq!(invalid.errors[0].field, field);
    }
}
