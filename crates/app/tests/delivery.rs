//! Delivery's use cases under contention, on both backends: planners working at once get
//! distinct references without an error, a change made from a stale version is refused, and
//! two escalation sweeps running at once escalate each exception once.

#![allow(clippy::unwrap_used)]

use accord_app::delivery::escalations;
use accord_app::delivery::projects::{self, ChangeDates, EnterProject, PlanProject};
use accord_app::list::{ListRequest, MAX_LIMIT, Start};
use accord_app::{App, AppError, Caller, Clock};
use accord_domain::access::{Classification, Role, RoleAssignment, UserAccount};
use accord_domain::project::{ProjectDetails, ProjectFilter, ProjectInput, ProjectSize, Target};
use accord_store::testing;
use chrono::NaiveDate;
use std::collections::BTreeSet;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    d(2011, 7, 21)
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

fn plan(name: String) -> PlanProject {
    PlanProject {
        input: ProjectInput {
            name,
            size: ProjectSize::Small,
            start: d(2011, 9, 1),
            tolerance_days: None,
            template: None,
            opportunity: String::new(),
            opportunity_id: None,
        },
        classification: Classification::Partnership,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn planners_working_at_once_get_distinct_references_and_no_error() {
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
                for i in 0..20 {
                    let entry = projects::plan(
                        &app,
                        &caller,
                        pid,
                        plan(format!("Project {i} of client {client}")),
                    )
                    .await
                    .unwrap_or_else(|e| panic!("client {client}, project {i}: {e}"));
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
        assert_eq!(all.len(), 160, "{backend}");
        assert_eq!(
            distinct.len(),
            160,
            "{backend}: every reference is distinct"
        );
        // Numbered P-1 to P-160 with no gap, and every one stored.
        let listed = projects::list(
            &app,
            &Caller::system("test"),
            pid,
            &ProjectFilter::default(),
            accord_app::delivery::ProjectOrder::Number,
            &ListRequest::page(1, MAX_LIMIT),
        )
        .await
        .unwrap();
        assert_eq!(listed.total, 160, "{backend}");
        let numbers: Vec<u32> = listed.items.iter().map(|p| p.number).collect();
        assert_eq!(numbers, (1..=160).collect::<Vec<u32>>(), "{backend}");
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
        let planned = projects::plan(&app, &first, pid, plan("Legal Services".into()))
            .await
            .unwrap();
        let reference = planned.reference();
        assert_eq!(reference, "P-1", "{backend}");
        // Both opened it at version 1; the first renames it.
        let renamed = projects::edit(
            &app,
            &first,
            pid,
            &reference,
            Some(planned.version),
            ProjectDetails {
                name: "Legal and Democratic Services".into(),
                ..planned.project.details()
            },
            "The service grew",
        )
        .await
        .unwrap();
        assert_eq!(renamed.version, planned.version + 1, "{backend}");
        // The second changes its dates from the version they opened: refused, nothing written.
        let refused = projects::change_dates(
            &app,
            &second,
            pid,
            &reference,
            Some(planned.version),
            ChangeDates {
                target: Target::Milestone { number: 1 },
                forecast: Some(d(2013, 1, 1)),
                actual: None,
            },
            "",
        )
        .await
        .unwrap_err();
        let AppError::Conflict(message) = refused else {
            panic!("{backend}: expected a conflict, got {refused:?}");
        };
        assert!(message.contains("changed since you opened it"), "{message}");
        assert!(message.contains(&reference), "{message}");
        let now = projects::get(&app, &second, pid, &reference).await.unwrap();
        assert_eq!(now, renamed, "{backend}: nothing was written");
        // From the current version, the change goes through.
        let changed = projects::change_dates(
            &app,
            &second,
            pid,
            &reference,
            Some(now.version),
            ChangeDates {
                target: Target::Milestone { number: 1 },
                forecast: Some(d(2013, 1, 1)),
                actual: None,
            },
            "",
        )
        .await
        .unwrap();
        assert_eq!(changed.version, now.version + 1, "{backend}");
        // A project that is not there, and a link to a record that is no opportunity.
        let missing = projects::get(&app, &second, pid, "P-99").await.unwrap_err();
        assert!(matches!(missing, AppError::NotFound(_)), "{backend}");
        let mut linked = plan("Audit".into());
        linked.input.opportunity_id = Some(changed.record_id);
        let refused = projects::plan(&app, &first, pid, linked).await.unwrap_err();
        let AppError::Invalid(invalid) = refused else {
            panic!("{backend}: expected a field error, got {refused:?}");
        };
        assert_eq!(invalid.errors[0].field, "opportunity_id");
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_sweeps_at_once_escalate_each_exception_once() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let pid = testing::two_council_partnership(&*store, "Sweeps")
            .await
            .unwrap();
        // The Appendix B projects, entered a year before the report: only the forecasts that
        // already slip beyond tolerance are escalated then, nothing overdue yet.
        let early = App::new(store.clone()).with_clock(Clock::Fixed(d(2010, 7, 1)));
        let system = Caller::system("test");
        for project in accord_domain::progress_report::demo_haringey_waltham_forest() {
            projects::enter(
                &early,
                &system,
                pid,
                EnterProject {
                    project,
                    classification: Classification::Published,
                    reason: String::new(),
                },
            )
            .await
            .unwrap();
        }
        let before = escalations::of_partnership(&early, &system, pid)
            .await
            .unwrap()
            .len();
        // On the report's date some are beyond tolerance; two sweeps run at once.
        let later = App::new(store.clone()).with_clock(Clock::Fixed(today()));
        let sweeps: Vec<_> = (0..2)
            .map(|_| {
                let app = later.clone();
                tokio::spawn(async move {
                    escalations::escalate_all(&app, &Caller::system("accord tolerance check"))
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut total = 0;
        for sweep in sweeps {
            total += sweep.await.unwrap();
        }
        let escalated = escalations::of_partnership(&later, &system, pid)
            .await
            .unwrap();
        assert_eq!(escalated.len(), before + total, "{backend}");
        assert!(total > 0, "{backend}: the dates passed since are escalated");
        let items: BTreeSet<(i64, String)> = escalated
            .iter()
            .map(|e| (e.project_id, e.item().to_owned()))
            .collect();
        assert_eq!(items.len(), escalated.len(), "{backend}: each item once");
        // The exceptions on the day, item by item, are exactly what was escalated.
        let mut expected = BTreeSet::new();
        let mut request = ListRequest::page(1, MAX_LIMIT);
        loop {
            let page = projects::list(
                &later,
                &system,
                pid,
                &ProjectFilter::default(),
                accord_app::delivery::ProjectOrder::Number,
                &request,
            )
            .await
            .unwrap();
            for p in &page.items {
                let entry = projects::get(&later, &system, pid, &p.reference())
                    .await
                    .unwrap();
                for e in entry.project.exceptions(today()) {
                    expected.insert((entry.record_id, e.item));
                }
            }
            let Some(next) = page.next else { break };
            request = ListRequest {
                limit: MAX_LIMIT,
                start: Start::After(accord_app::list::decode_cursor("projects", &next).unwrap()),
            };
        }
        assert_eq!(items, expected, "{backend}");
        // A third sweep finds nothing new.
        let again = escalations::escalate_all(&later, &Caller::system("accord tolerance check"))
            .await
            .unwrap();
        assert_eq!(again, 0, "{backend}");
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
            ProjectFilter {
                outcome: Some("finished".into()),
                ..ProjectFilter::default()
            },
            ListRequest::default(),
            "outcome",
        ),
        (
            ProjectFilter {
                text: Some("x".repeat(201)),
                ..ProjectFilter::default()
            },
            ListRequest::default(),
            "text",
        ),
        (
            ProjectFilter::default(),
            ListRequest {
                start: Start::After("name:7|legal".into()),
                ..ListRequest::default()
            },
            "cursor",
        ),
    ];
    for (filter, request, field) in cases {
        let error = projects::list(
            &app,
            &caller,
            pid,
            &filter,
            accord_app::delivery::ProjectOrder::Number,
            &request,
        )
        .await
        .unwrap_err();
        let AppError::Invalid(invalid) = error else {
            panic!("{field}: expected a field error, got {error:?}");
        };
        assert_eq!(invalid.errors[0].field, field);
    }
}
