//! The gateway's use cases under contention and refusal, on both backends: ratings for several
//! councils are written all together or not at all; parallel raisers get distinct references
//! without an error; a change made from a stale version is refused; bad cursors and filters
//! name their field.

#![allow(clippy::unwrap_used)]

use accord_app::gateway::assessment::{self, Rate};
use accord_app::gateway::opportunities::{self, Answer, RaiseOpportunity, StatusAsk};
use accord_app::gateway::{self, services};
use accord_app::list::{ListRequest, MAX_LIMIT, Start};
use accord_app::{App, AppError, Caller, Clock};
use accord_domain::access::{Classification, Role, RoleAssignment, UserAccount};
use accord_domain::gateway::{Criteria, RatingInput};
use accord_domain::opportunity::NewOpportunity;
use accord_domain::opportunity::list::{OpportunityFilter, OpportunitySort};
use accord_domain::{GssCode, Invalid};
use accord_store::{Store, testing};
use chrono::NaiveDate;
use std::collections::BTreeSet;
use std::sync::Arc;

const HARINGEY: &str = "E09000014";
const WALTHAM_FOREST: &str = "E09000031";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2011, 7, 21).unwrap()
}

fn user(id: i64, home: &str, partnership_id: i64, role: Role) -> Caller {
    let account = UserAccount {
        id,
        email: format!("user{id}@example.test"),
        display_name: format!("User {id}"),
        home: Some(GssCode::parse("home", home).unwrap()),
        admin: false,
        disabled: false,
        role_assignments: vec![RoleAssignment {
            partnership_id,
            role,
        }],
    };
    Caller::user(account, false)
}

/// A partnership of Haringey and Waltham Forest with one catalogue service; returns the
/// partnership's id, the application and the service's id.
async fn setup(store: &Arc<dyn Store>, name: &str) -> (i64, App, i64) {
    let pid = testing::two_council_partnership(&**store, name)
        .await
        .unwrap();
    let app = App::new(store.clone()).with_clock(Clock::Fixed(today()));
    let system = Caller::system("test");
    let catalogue = services::catalogue(&app, &system).await.unwrap();
    let service = match catalogue
        .iter()
        .find(|s| s.service.name == "Legal Services")
    {
        Some(s) => s.service.id,
        None => {
            services::add(&app, &system, "Legal Services", "legal")
                .await
                .unwrap()
                .service
                .id
        }
    };
    (pid, app, service)
}

fn raise_command(service: i64, scope: String) -> RaiseOpportunity {
    RaiseOpportunity {
        service_id: service.to_string(),
        input: NewOpportunity {
            scope,
            originating: HARINGEY.into(),
            wave: Some(1),
            phase: Some(1),
            size: None,
        },
        classification: Classification::Partnership,
        source: None,
        note: String::new(),
    }
}

/// An opportunity raised by Haringey, accepted by Waltham Forest, being assessed.
async fn assessing(app: &App, pid: i64, service: i64) -> String {
    let programme = user(1, HARINGEY, pid, Role::Programme);
    let o = opportunities::raise(
        app,
        &programme,
        pid,
        raise_command(service, "Shared legal".into()),
    )
    .await
    .unwrap();
    let reference = o.reference();
    opportunities::offer(app, &programme, pid, &reference, None, None)
        .await
        .unwrap();
    opportunities::respond(
        app,
        &programme,
        pid,
        &reference,
        None,
        &Answer {
            partner: WALTHAM_FOREST.into(),
            kind: "accept".into(),
            on: None,
            note: String::new(),
        },
    )
    .await
    .unwrap();
    opportunities::change_status(
        app,
        &programme,
        pid,
        &reference,
        None,
        &StatusAsk {
            to: "assessing".into(),
            ..StatusAsk::default()
        },
    )
    .await
    .unwrap();
    reference
}

/// Every default criterion rated `letter` by each council.
fn ratings(councils: &[&str], letter: &str) -> Vec<RatingInput> {
    let mut out = Vec::new();
    for council in councils {
        for c in Criteria::default().criteria {
            out.push(RatingInput {
                council: (*council).to_owned(),
                criterion: c.name.clone(),
                rating: letter.to_owned(),
                rationale: format!("{council} on {}", c.name),
                evidence: None,
            });
        }
    }
    out
}

/// What is stored of an opportunity's ratings, and the audit head.
async fn stored(store: &dyn Store, pid: i64) -> (usize, i64) {
    let parts = store
        .council_ratings(pid, None, &testing::everything(), today())
        .await
        .unwrap();
    let (head, _) = store.audit_head().await.unwrap();
    (parts.len(), head)
}

#[tokio::test]
async fn ratings_for_several_councils_are_written_together_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let (pid, app, service) = setup(&store, "All or nothing").await;
        let reference = assessing(&app, pid, service).await;
        let programme = user(1, HARINGEY, pid, Role::Programme);
        let before = stored(&*store, pid).await;
        assert_eq!(before.0, 0, "{backend}");

        // One refused rating among both councils' refuses them all.
        let mut bad = ratings(&[HARINGEY, WALTHAM_FOREST], "G");
        bad[15].rating = "B".into();
        let refused = assessment::rate(
            &app,
            &programme,
            pid,
            &reference,
            &Rate {
                inputs: bad,
                ..Rate::default()
            },
        )
        .await
        .unwrap_err();
        let AppError::Invalid(invalid) = refused else {
            panic!("{backend}: expected refused input, got {refused:?}");
        };
        assert_eq!(invalid.errors[0].field, "ratings[15].rating", "{backend}");
        assert_eq!(
            stored(&*store, pid).await,
            before,
            "{backend}: nothing written"
        );

        // A council the caller may not rate for refuses the other council's ratings too.
        let officer = user(2, HARINGEY, pid, Role::Officer);
        let refused = assessment::rate(
            &app,
            &officer,
            pid,
            &reference,
            &Rate {
                inputs: ratings(&[HARINGEY, WALTHAM_FOREST], "G"),
                ..Rate::default()
            },
        )
        .await
        .unwrap_err();
        assert!(
            matches!(refused, AppError::Forbidden(_)),
            "{backend}: {refused:?}"
        );
        assert_eq!(
            stored(&*store, pid).await,
            before,
            "{backend}: nothing written"
        );

        // Both councils in one submission: both written.
        let rated = assessment::rate(
            &app,
            &programme,
            pid,
            &reference,
            &Rate {
                inputs: ratings(&[HARINGEY, WALTHAM_FOREST], "G"),
                ..Rate::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(rated.parts.len(), 2, "{backend}");
        let after = stored(&*store, pid).await;
        assert_eq!(after.0, 2, "{backend}");
        let versions: Vec<(String, i64)> = rated
            .parts
            .iter()
            .map(|p| (p.ratings.council.to_string(), p.version))
            .collect();

        // Waltham Forest's ratings change underneath; a submission for both made from what was
        // read before is refused whole: Haringey's rating is not changed either.
        let officer_w = user(3, WALTHAM_FOREST, pid, Role::Officer);
        assessment::rate(
            &app,
            &officer_w,
            pid,
            &reference,
            &Rate {
                inputs: vec![RatingInput {
                    council: WALTHAM_FOREST.into(),
                    criterion: "Risk".into(),
                    rating: "A".into(),
                    rationale: "Third-party options still open".into(),
                    evidence: None,
                }],
                from_versions: versions.clone(),
                ..Rate::default()
            },
        )
        .await
        .unwrap();
        let moved = stored(&*store, pid).await;
        let mut both = ratings(&[HARINGEY, WALTHAM_FOREST], "A");
        both.truncate(13);
        let refused = assessment::rate(
            &app,
            &programme,
            pid,
            &reference,
            &Rate {
                inputs: both,
                from_versions: versions,
                ..Rate::default()
            },
        )
        .await
        .unwrap_err();
        let AppError::Conflict(message) = refused else {
            panic!("{backend}: expected a conflict, got {refused:?}");
        };
        assert!(
            message.contains("changed since you opened them"),
            "{message}"
        );
        assert_eq!(
            stored(&*store, pid).await,
            moved,
            "{backend}: nothing written"
        );
        let now = gateway::assessment::assessment(&app, &programme, pid, &reference)
            .await
            .unwrap();
        let haringey = GssCode::parse("g", HARINGEY).unwrap();
        assert_eq!(
            now.entry().cell("Strategic Fit", &haringey).unwrap().rating,
            accord_domain::gateway::Rating::Green,
            "{backend}: Haringey's rating stands"
        );
        // Only Accord itself marks ratings illustrative.
        let refused = assessment::rate(
            &app,
            &programme,
            pid,
            &reference,
            &Rate {
                inputs: ratings(&[HARINGEY], "G"),
                illustrative: true,
                ..Rate::default()
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(refused, AppError::Forbidden(_)), "{backend}");
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_raisers_get_distinct_references_and_no_error() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let (pid, app, service) = setup(&store, "Contended").await;
        let mut clients = Vec::new();
        for client in 0..8 {
            let app = app.clone();
            clients.push(tokio::spawn(async move {
                let caller = user(100 + client, HARINGEY, pid, Role::Programme);
                let mut references = Vec::new();
                for i in 0..40 {
                    let entry = opportunities::raise(
                        &app,
                        &caller,
                        pid,
                        raise_command(service, format!("Opportunity {i} of client {client}")),
                    )
                    .await
                    .unwrap_or_else(|e| panic!("client {client}, opportunity {i}: {e}"));
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
        assert_eq!(all.len(), 320, "{backend}");
        assert_eq!(
            distinct.len(),
            320,
            "{backend}: every reference is distinct"
        );
        // Numbered 1 to 320 with no gap, and every one stored.
        let listed = opportunities::list(
            &app,
            &Caller::system("test"),
            pid,
            &OpportunityFilter::default(),
            OpportunitySort::Reference,
            &ListRequest::page(1, MAX_LIMIT),
        )
        .await
        .unwrap();
        assert_eq!(listed.page.total, 320, "{backend}");
        let numbers: Vec<u32> = listed
            .page
            .items
            .iter()
            .map(|e| e.entry.opportunity.number)
            .collect();
        assert_eq!(numbers, (1..=320).collect::<Vec<u32>>(), "{backend}");
        store.close().await;
    }
}

#[tokio::test]
async fn the_second_of_two_editors_is_refused_and_told_why() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let (pid, app, service) = setup(&store, "Two editors").await;
        let (first, second) = (
            user(1, HARINGEY, pid, Role::Programme),
            user(2, HARINGEY, pid, Role::Programme),
        );
        let raised = opportunities::raise(
            &app,
            &first,
            pid,
            raise_command(service, "Shared legal".into()),
        )
        .await
        .unwrap();
        let reference = raised.reference();
        // Both opened it at version 1; the first offers it.
        let offered =
            opportunities::offer(&app, &first, pid, &reference, Some(raised.version), None)
                .await
                .unwrap();
        assert_eq!(offered.version, raised.version + 1, "{backend}");
        // The second changes its scope from the version they opened: refused, nothing changed.
        let refused = opportunities::change_details(
            &app,
            &second,
            pid,
            &reference,
            Some(raised.version),
            &accord_domain::opportunity::DetailsChange {
                scope: Some("A wider scope".into()),
                ..Default::default()
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
        let now = opportunities::opportunity(&app, &second, pid, &reference)
            .await
            .unwrap();
        assert_eq!(now, offered, "{backend}: nothing was written");
        // From the current version, the change goes through.
        let changed = opportunities::change_details(
            &app,
            &second,
            pid,
            &reference,
            Some(now.version),
            &accord_domain::opportunity::DetailsChange {
                scope: Some("A wider scope".into()),
                ..Default::default()
            },
            "",
        )
        .await
        .unwrap();
        assert_eq!(changed.opportunity.scope, "A wider scope", "{backend}");
        // A missing opportunity is not found, and nothing is written.
        let missing = opportunities::offer(&app, &second, pid, "OPP-999", None, None)
            .await
            .unwrap_err();
        assert!(matches!(missing, AppError::NotFound(_)), "{backend}");
        // Two editors of a catalogue entry: the second is refused too.
        let system = Caller::system("test");
        let entry = services::service(&app, &system, service).await.unwrap();
        services::change(
            &app,
            &system,
            service,
            Some(entry.version),
            "Legal",
            "legal",
        )
        .await
        .unwrap();
        let refused = services::change(&app, &system, service, Some(entry.version), "Law", "legal")
            .await
            .unwrap_err();
        assert!(matches!(refused, AppError::Conflict(_)), "{backend}");
        store.close().await;
    }
}

#[tokio::test]
async fn bad_cursors_orders_and_filters_name_their_field() {
    let dir = tempfile::tempdir().unwrap();
    let store = accord_store::connect(&testing::sqlite_url(dir.path()))
        .await
        .unwrap();
    let (pid, app, service) = setup(&store, "Filters").await;
    let caller = Caller::system("test");
    for i in 0..3 {
        opportunities::raise(
            &app,
            &caller,
            pid,
            raise_command(service, format!("Scope {i}")),
        )
        .await
        .unwrap();
    }
    // A cursor of one order does not page another.
    let first = opportunities::list(
        &app,
        &caller,
        pid,
        &OpportunityFilter::default(),
        OpportunitySort::Service,
        &ListRequest::page(1, 1),
    )
    .await
    .unwrap();
    let cursor = first.page.next.clone().unwrap();
    let key = accord_app::list::decode_cursor("opportunities", &cursor).unwrap();
    let next = opportunities::list(
        &app,
        &caller,
        pid,
        &OpportunityFilter::default(),
        OpportunitySort::Service,
        &ListRequest {
            limit: 1,
            start: Start::After(key.clone()),
        },
    )
    .await
    .unwrap();
    assert_eq!(next.page.items[0].entry.opportunity.number, 2);
    let cases = [
        (
            OpportunityFilter {
                text: Some("x".repeat(201)),
                ..OpportunityFilter::default()
            },
            OpportunitySort::Reference,
            ListRequest::default(),
            "text",
        ),
        (
            OpportunityFilter::default(),
            OpportunitySort::Phase,
            ListRequest {
                limit: 1,
                start: Start::After(key),
            },
            "cursor",
        ),
        (
            OpportunityFilter::default(),
            OpportunitySort::Reference,
            ListRequest {
                limit: 1,
                start: Start::After("not a cursor".into()),
            },
            "cursor",
        ),
    ];
    for (filter, sort, request, field) in cases {
        let error = opportunities::list(&app, &caller, pid, &filter, sort, &request)
            .await
            .unwrap_err();
        let AppError::Invalid(invalid) = error else {
            panic!("{field}: expected a field error, got {error:?}");
        };
        let invalid: Invalid = invalid;
        assert_eq!(invalid.errors[0].field, field);
    }
}
