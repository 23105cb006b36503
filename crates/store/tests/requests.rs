//! The request register in its tables: the requester kept apart as personal data (and out of
//! the audit trail), the reference unique in the database as well as in the rules, bulk writes
//! of the generic table all or nothing, and an earlier release's register (JSON in the generic
//! table) moved to the tables on connect without changing a record, a version or the audit
//! chain; on both backends.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

use accord_domain::access::{
    Actor, Area, Classification, ReadScope, RecordMeta, Role, RoleAssignment,
};
use accord_domain::audit::verify_chain;
use accord_domain::request::{
    Action, Channel, Complaint, Context, DisclosureLogEntry, Draft, DueDates, InternalReview,
    NewRequest, Outcome, Protocol, Regime, Request, Requester, ResponseInput, ReviewOutcome,
};
use accord_domain::working_days::{CalendarScope, Division, HolidayTable, ProclaimedHoliday};
use accord_domain::{GssCode, Invalid};
use accord_store::holidays::PROCLAIMED_HOLIDAY_KIND;
use accord_store::requests::{
    COMPLAINT_KIND, DISCLOSURE_KIND, DisclosurePage, REQUEST_KIND, REQUESTER_KIND, REVIEW_KIND,
    RequestFilter, RequestPage, StoredRequest,
};
use accord_store::{
    AuditFilter, Change, RecordInput, RecordQuery, RecordUpdate, RecordWrite, Store, StoreError,
    testing,
};
use chrono::{NaiveDate, NaiveDateTime};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn gss(s: &str) -> GssCode {
    GssCode::parse("gss", s).unwrap()
}

async fn partnership(store: &dyn Store) -> i64 {
    testing::two_council_partnership(store, "Haringey and Waltham Forest")
        .await
        .unwrap()
}

fn meta(partnership_id: i64, class: Classification) -> RecordMeta {
    RecordMeta {
        area: Area::Information,
        partnership_id: Some(partnership_id),
        owner: Some(gss("E09000031")),
        classification: class,
        embargo: None,
    }
}

/// A request received on `received`, with its requester still in it.
fn received(reference: &str, received: NaiveDate) -> Request {
    let calendar = HolidayTable::new().calendar(CalendarScope::UnitedKingdom);
    let protocol = Protocol::default();
    let ctx = Context {
        today: received,
        calendar: &calendar,
        protocol: &protocol,
    };
    Request::receive(
        NewRequest {
            reference: reference.into(),
            councils: vec![gss("E09000014"), gss("E09000031")],
            received_by: gss("E09000031"),
            channel: Channel::Email,
            received_at: NaiveDateTime::new(received, chrono::NaiveTime::MIN),
            requester: Requester {
                name: "Ann Example (fictitious)".into(),
                contact: "ann@example.invalid".into(),
            },
            summary: "Costs of the shared HR service centre".into(),
            regime: Regime::Foi,
        },
        &ctx,
    )
    .unwrap()
}

fn dates_of(request: &Request) -> DueDates {
    let calendar = HolidayTable::new().calendar(request.calendar_scope());
    request.due_dates(&calendar, &Protocol::default()).unwrap()
}

/// Stores a request and its requester as the use cases do; returns the stored request.
async fn store_request(
    store: &dyn Store,
    pid: i64,
    reference: &str,
    on: NaiveDate,
) -> StoredRequest {
    let mut request = received(reference, on);
    let requester = request.take_requester();
    let dates = dates_of(&request);
    let change = Change::by("test");
    let mut tx = store.write().await.unwrap();
    let number = tx.last_request_number(pid).await.unwrap() + 1;
    let stored = tx
        .insert_request(
            &meta(pid, Classification::Partnership),
            number,
            &request,
            &dates,
            &change,
        )
        .await
        .unwrap();
    tx.insert_requester(&stored, &requester, &change)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    stored
}

fn scope(role: Option<Role>, pid: i64, admin: bool) -> ReadScope {
    ReadScope::of(&Actor {
        user_id: Some(1),
        home: Some(gss("E09000031")),
        admin,
        role_assignments: role
            .map(|role| RoleAssignment {
                partnership_id: pid,
                role,
            })
            .into_iter()
            .collect(),
    })
}

#[tokio::test]
async fn the_requester_is_personal_data_kept_out_of_the_register_and_the_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let pid = partnership(&*store).await;
        let today = d(2025, 3, 3);
        let stored = store_request(&*store, pid, "FOI-1", today).await;
        let viewer = scope(Some(Role::Viewer), pid, false);
        let header = store
            .record(stored.record_id, &viewer, today)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(header.status.as_deref(), Some("received"), "{backend}");
        assert_eq!(header.key_date, Some(d(2025, 4, 1)), "{backend}");
        assert_eq!(header.meta.owner, Some(gss("E09000031")));
        assert_eq!(header.reference.as_deref(), Some("FOI-1"));
        assert_eq!(header.body, serde_json::Value::Null, "{backend}: moved out");
        let read = store
            .request(pid, "FOI-1", &viewer, today)
            .await
            .unwrap()
            .unwrap();
        assert!(read.request.requester.is_empty(), "{backend}");
        assert_eq!(read.request, stored.request, "{backend}");
        assert_eq!(read.dates.answer_by, Some(d(2025, 4, 1)));

        for (who, scope, sees) in [
            ("viewer", scope(Some(Role::Viewer), pid, false), false),
            ("programme", scope(Some(Role::Programme), pid, false), false),
            ("administrator", scope(None, pid, true), false),
            (
                "information",
                scope(Some(Role::Information), pid, false),
                true,
            ),
        ] {
            let found = store
                .requester(stored.record_id, &scope, today)
                .await
                .unwrap();
            assert_eq!(found.is_some(), sees, "{backend} {who}");
            if let Some(person) = found {
                assert_eq!(person.name, "Ann Example (fictitious)");
            }
        }

        // The audit trail says the requester was recorded, but not who they are.
        let filter = AuditFilter {
            record_kind: Some(REQUESTER_KIND.into()),
            ..AuditFilter::default()
        };
        let entries = store.audit_entries(&filter, 10, 0).await.unwrap();
        assert_eq!(entries.len(), 1, "{backend}");
        let after = entries[0].record.after.as_ref().unwrap().to_string();
        assert!(after.contains("withheld"), "{backend}: {after}");
        assert!(
            !after.contains("Ann") && !after.contains("example.invalid"),
            "{backend}: {after}"
        );
        // The request's own entry has the request as the generic table kept it.
        let filter = AuditFilter {
            record_kind: Some(REQUEST_KIND.into()),
            ..AuditFilter::default()
        };
        let entries = store.audit_entries(&filter, 10, 0).await.unwrap();
        let after = entries[0].record.after.as_ref().unwrap();
        assert_eq!(after["body"]["reference"], "FOI-1", "{backend}");
        assert_eq!(after["key_date"], "2025-04-01", "{backend}");
        assert!(!after.to_string().contains("Ann"), "{backend}");
        store.close().await;
    }
}

#[tokio::test]
async fn the_database_refuses_a_second_request_with_the_same_reference_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let pid = partnership(&*store).await;
        let today = d(2025, 3, 3);
        store_request(&*store, pid, "FOI-1", today).await;
        let (head, _) = store.audit_head().await.unwrap();
        // The rules are bypassed here: the constraint is the backstop.
        let mut request = received("FOI-1", today);
        request.take_requester();
        let mut tx = store.write().await.unwrap();
        let error = tx
            .insert_request(
                &meta(pid, Classification::Partnership),
                2,
                &request,
                &dates_of(&request),
                &Change::by("test"),
            )
            .await
            .unwrap_err();
        drop(tx);
        let StoreError::Invalid(invalid) = error else {
            panic!("{backend}: expected a field error, got {error:?}");
        };
        assert_eq!(invalid.errors[0].field, "reference", "{backend}");
        assert_eq!(store.audit_head().await.unwrap().0, head, "{backend}");
        let all = store
            .count_requests(
                pid,
                &RequestFilter::default(),
                &testing::everything(),
                today,
            )
            .await
            .unwrap();
        assert_eq!(all, 1, "{backend}");
        // A requester never goes into the request itself.
        let with_requester = received("FOI-2", today);
        let mut tx = store.write().await.unwrap();
        let error = tx
            .insert_request(
                &meta(pid, Classification::Partnership),
                2,
                &with_requester,
                &dates_of(&with_requester),
                &Change::by("test"),
            )
            .await
            .unwrap_err();
        // A transaction still open would keep its connection from the closing pool.
        drop(tx);
        assert!(
            matches!(error, StoreError::Invalid(Invalid { .. })),
            "{backend}"
        );
        store.close().await;
    }
}

#[tokio::test]
async fn bulk_writes_are_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let pid = partnership(&*store).await;
        let today = d(2025, 3, 3);
        let good = RecordInput::new(
            "paper",
            RecordMeta::published(Area::Programme, Some(pid)),
            "A paper",
            &serde_json::json!({}),
        )
        .unwrap();
        let mut bad = good.clone();
        bad.title = " ".into();
        let err = store
            .insert_records(&[good.clone(), bad], &Change::by("test"))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("records[1].title"),
            "{backend}: {err}"
        );
        let all = RecordQuery::of("paper", pid);
        let reader = scope(Some(Role::Viewer), pid, false);
        assert_eq!(store.count_records(&all, &reader, today).await.unwrap(), 0);

        let ids = store
            .insert_records(&[good.clone(), good.clone()], &Change::by("test"))
            .await
            .unwrap();
        assert_eq!(ids.len(), 2);
        let mut renamed = good.clone();
        renamed.title = "Renamed".into();
        let stale = vec![
            RecordWrite::Update(RecordUpdate {
                id: ids[0],
                expected_version: Some(1),
                input: renamed.clone(),
            }),
            RecordWrite::Insert {
                input: good.clone(),
                parent_from: Some(0),
            },
            RecordWrite::Update(RecordUpdate {
                id: ids[1],
                expected_version: Some(7),
                input: renamed.clone(),
            }),
        ];
        assert!(
            store
                .write_records(&stale, &Change::by("test"))
                .await
                .is_err()
        );
        let titles: Vec<String> = store
            .records(&all, &reader, today)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.title)
            .collect();
        assert_eq!(titles, ["A paper", "A paper"], "{backend}");
        // In order, with a parent written earlier in the same batch.
        let mut child = good.clone();
        child.title = "Child".into();
        let written = store
            .write_records(
                &[
                    RecordWrite::Update(RecordUpdate {
                        id: ids[0],
                        expected_version: Some(1),
                        input: renamed,
                    }),
                    RecordWrite::Insert {
                        input: child,
                        parent_from: Some(0),
                    },
                ],
                &Change::by("test"),
            )
            .await
            .unwrap();
        let child = store
            .record(written[1], &reader, today)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(child.parent_id, Some(ids[0]), "{backend}");
        store.close().await;
    }
}

/// Writes an earlier release's register: JSON bodies in the generic table, a request changed
/// after it was logged, with its requester, review, complaint and disclosure, a second request
/// sharing its reference (which the earlier release let through), and a proclaimed holiday.
async fn earlier_release(store: &dyn Store, pid: i64) -> (Vec<i64>, Request) {
    let change = Change::by("test");
    let protocol = Protocol::default();
    let calendar = HolidayTable::new().calendar(CalendarScope::UnitedKingdom);
    let today = d(2025, 6, 30);
    let ctx = Context {
        today,
        calendar: &calendar,
        protocol: &protocol,
    };
    let holiday = ProclaimedHoliday {
        date: d(2025, 12, 29),
        title: "A proclaimed holiday".into(),
        divisions: vec![Division::Scotland],
        replaces: None,
    };
    let holiday_id = store
        .insert_record(
            &RecordInput::new(
                PROCLAIMED_HOLIDAY_KIND,
                RecordMeta::published(Area::Administration, None),
                "A proclaimed holiday (2025-12-29)",
                &holiday,
            )
            .unwrap()
            .key_date(Some(holiday.date)),
            &change,
        )
        .await
        .unwrap();
    let mut request = received("FOI-2025-0001", d(2025, 3, 3));
    let requester = request.take_requester();
    let logged = request.clone();
    let header = |r: &Request| {
        RecordInput::new(
            REQUEST_KIND,
            meta(pid, Classification::Partnership),
            format!("{}: {}", r.reference, r.summary),
            r,
        )
        .unwrap()
        .status(r.stage.slug())
        .key_date(dates_of(r).answer_by)
    };
    let id = store
        .insert_record(&header(&request), &change)
        .await
        .unwrap();
    for action in [
        Action::Forward { on: d(2025, 3, 4) },
        Action::Acknowledge {
            on: d(2025, 3, 4),
            lead: gss("E09000031"),
        },
        Action::StartDrafting { on: d(2025, 3, 5) },
        Action::SubmitDraft {
            on: d(2025, 3, 6),
            draft: Draft {
                discloses_about: vec![gss("E09000031")],
                sensitive: false,
            },
        },
        Action::SendResponse {
            on: d(2025, 3, 20),
            response: ResponseInput {
                outcome: Some(Outcome::GrantedInFull),
                parts: Vec::new(),
            },
        },
    ] {
        request = request.apply(&action, &ctx).unwrap();
    }
    let version = 1;
    store
        .update_record(id, Some(version), &header(&request), &change)
        .await
        .unwrap();
    let child = |kind: &str, class, title: &str, body: serde_json::Value| {
        RecordInput::new(kind, meta(pid, class), title, &body)
            .unwrap()
            .parent(id)
    };
    let requester_id = store
        .insert_record(
            &child(
                REQUESTER_KIND,
                Classification::Personal,
                "Requester of FOI-2025-0001",
                serde_json::to_value(&requester).unwrap(),
            ),
            &change,
        )
        .await
        .unwrap();
    let review = InternalReview::request(d(2025, 3, 20), d(2025, 3, 24), today)
        .unwrap()
        .decide(d(2025, 4, 10), ReviewOutcome::Upheld, today)
        .unwrap();
    let review_id = store
        .insert_record(
            &child(
                REVIEW_KIND,
                Classification::Partnership,
                "Internal review of FOI-2025-0001",
                serde_json::to_value(review).unwrap(),
            )
            .status("decided")
            .key_date(review.decided),
            &change,
        )
        .await
        .unwrap();
    let complaint = Complaint::lodge(d(2025, 3, 20), d(2025, 5, 1), "IC-1234-A5B6", today).unwrap();
    let complaint_id = store
        .insert_record(
            &child(
                COMPLAINT_KIND,
                Classification::Partnership,
                "Complaint about FOI-2025-0001",
                serde_json::to_value(&complaint).unwrap(),
            ),
            &change,
        )
        .await
        .unwrap();
    let entry: DisclosureLogEntry = request.disclosure_log_entry().unwrap();
    let mut published = child(
        DISCLOSURE_KIND,
        Classification::Published,
        "FOI-2025-0001",
        serde_json::to_value(&entry).unwrap(),
    );
    published.meta.owner = None;
    let disclosure_id = store.insert_record(&published, &change).await.unwrap();
    // The earlier release numbered a second request from a count read outside its write
    // transaction: it got the same reference.
    let twin = store
        .insert_record(&header(&logged), &change)
        .await
        .unwrap();
    (
        vec![
            id,
            requester_id,
            review_id,
            complaint_id,
            disclosure_id,
            twin,
            holiday_id,
        ],
        request,
    )
}

#[tokio::test]
async fn an_earlier_release_moves_its_requests_on_connect() {
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![testing::sqlite_url(dir.path())];
    if let Ok(server) = std::env::var(testing::TEST_DATABASE_URL)
        && !server.trim().is_empty()
    {
        urls.push(testing::postgres_url(&server).await.unwrap());
    }
    for url in urls {
        let store = accord_store::connect(&url).await.unwrap();
        let pid = partnership(&*store).await;
        let (ids, answered) = earlier_release(&*store, pid).await;
        let (head, _) = store.audit_head().await.unwrap();
        let everything = testing::everything();
        // Everything, personal data included, to compare every header.
        let all_of_it = ReadScope {
            personal: vec![pid],
            ..testing::everything()
        };
        let today = d(2025, 6, 30);
        let before: Vec<_> = {
            let mut out = Vec::new();
            for id in &ids {
                out.push(store.record(*id, &all_of_it, today).await.unwrap());
            }
            out
        };
        store.close().await;
        testing::forget_data_move(&url, "requests").await.unwrap();

        let store = accord_store::connect(&url).await.unwrap();
        let moved = store
            .request(pid, "FOI-2025-0001", &everything, today)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(moved.record_id, ids[0], "{url}");
        assert_eq!(moved.version, 2, "the version is kept");
        assert_eq!(moved.number, 1);
        assert_eq!(moved.request, answered);
        assert_eq!(moved.dates.answer_by, dates_of(&answered).answer_by);
        // The twin has a reference of its own now, and the next number.
        let twin = store
            .request(pid, "FOI-2025-0001-2", &everything, today)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(twin.record_id, ids[5]);
        assert_eq!(twin.number, 2);
        assert_eq!(twin.version, 1);
        let header = store
            .record(ids[5], &everything, today)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(header.reference.as_deref(), Some("FOI-2025-0001-2"));
        // The children moved under the request.
        let information = scope(Some(Role::Information), pid, false);
        let requester = store
            .requester(ids[0], &information, today)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(requester.contact, "ann@example.invalid");
        let review = store
            .review(ids[0], &everything, today)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(review.record_id, ids[2]);
        assert_eq!(review.review.outcome, Some(ReviewOutcome::Upheld));
        let complaint = store
            .complaint(ids[0], &everything, today)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(complaint.complaint.reference, "IC-1234-A5B6");
        assert!(
            store
                .in_disclosure_log(ids[0], &everything, today)
                .await
                .unwrap()
        );
        let log = store
            .disclosures(
                pid,
                &DisclosurePage {
                    limit: 10,
                    ..DisclosurePage::default()
                },
                &ReadScope::default(),
                today,
            )
            .await
            .unwrap();
        assert_eq!(log.len(), 1, "the public reads the log");
        let holidays = store
            .proclaimed_holidays(&ReadScope::default(), today)
            .await
            .unwrap();
        assert_eq!(holidays.len(), 1);
        assert_eq!(holidays[0].record_id, ids[6]);
        let table = accord_store::holidays::holiday_table(&*store)
            .await
            .unwrap();
        assert!(
            table
                .holidays(Division::Scotland, 2025)
                .iter()
                .any(|h| h.date == d(2025, 12, 29))
        );
        let all = store
            .request_summaries(
                pid,
                &RequestFilter::default(),
                &RequestPage {
                    limit: 10,
                    ..RequestPage::default()
                },
                &everything,
                today,
            )
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        // Headers, versions and the audit chain are as they were.
        for (id, was) in ids.iter().zip(&before) {
            let now = store.record(*id, &all_of_it, today).await.unwrap();
            let (Some(now), Some(was)) = (now, was) else {
                panic!("record {id} went missing");
            };
            assert_eq!(now.version, was.version, "{id}");
            assert_eq!(now.title, was.title, "{id}");
            assert_eq!(now.key_date, was.key_date, "{id}");
            assert_eq!(now.status, was.status, "{id}");
            assert_eq!(now.meta, was.meta, "{id}");
        }
        let (after, _) = store.audit_head().await.unwrap();
        assert_eq!(after, head, "the move writes no audit entry");
        let chain = store.audit_chain(0, 100_000).await.unwrap();
        assert!(verify_chain(&chain, 0, accord_domain::audit::GENESIS_HASH.to_owned()).is_ok());
        store.close().await;
    }
}

/// The partial index of open requests applies only when a query's condition is written as the
/// index's: the stages in the migrations are `Stage::open`, in order, as the queries write them.
#[test]
fn the_open_requests_index_is_on_the_open_stages() {
    let condition = accord_store::requests::open_stages().replace("d.stage", "stage");
    for (backend, migration) in [
        (
            "sqlite",
            include_str!("../migrations/sqlite/0270_access_beside_rows.sql"),
        ),
        (
            "postgres",
            include_str!("../migrations/postgres/0270_access_beside_rows.sql"),
        ),
    ] {
        let flat = migration.split_whitespace().collect::<Vec<_>>().join(" ");
        let index = flat
            .split("CREATE INDEX requests_open")
            .nth(1)
            .unwrap_or_else(|| panic!("{backend}: no index requests_open"));
        let stages = index
            .split(" WHERE ")
            .nth(1)
            .and_then(|w| w.split(';').next())
            .unwrap_or_else(|| panic!("{backend}: requests_open is not partial"));
        assert_eq!(stages, condition, "{backend}");
    }
}
