//! The request register in the records table: the requester kept apart as personal data (and
//! out of the audit trail), bulk writes all or nothing, and the recount of open requests'
//! deadlines when the holiday table changes, audited, on both backends.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

use accord_domain::access::{Actor, Area, Grant, ReadScope, RecordMeta, Role};
use accord_domain::audit::AuditAction;
use accord_domain::authority::register;
use accord_domain::request::{
    Action, Channel, Context, NewRequest, Protocol, Regime, Request, Requester,
};
use accord_domain::working_days::{Division, ProclaimedHoliday};
use accord_domain::{GssCode, Member, MemberRole, MemberStatus, Partnership};
use accord_store::holidays::PROCLAIMED_HOLIDAY_KIND;
use accord_store::requests::{
    REQUEST_KIND, REQUESTER_KIND, calendars, decode_request, recount_open_requests, request_input,
    requester_input,
};
use accord_store::{
    AuditFilter, Change, RecordInput, RecordQuery, RecordUpdate, RecordWrite, Store, testing,
};
use chrono::{NaiveDate, NaiveDateTime};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn gss(s: &str) -> GssCode {
    GssCode::parse("gss", s).unwrap()
}

async fn partnership(store: &dyn Store) -> i64 {
    let text = "local-authority-code,official-name,nice-name,gss-code,start-date,end-date,replaced-by,nation,region,local-authority-type,county-la,pop-2020,lat,long
HRY,London Borough of Haringey,Haringey,E09000014,,,,England,London,LBO,,,,
WFT,London Borough of Waltham Forest,Waltham Forest,E09000031,,,,England,London,LBO,,,,
";
    let change = Change::by("test");
    store
        .import_authorities(&register::parse(text, |_| {}).unwrap(), &change, &|_| {})
        .await
        .unwrap();
    let member = |code| Member {
        authority: gss(code),
        role: MemberRole::Partner,
        status: MemberStatus::Active,
        joined: None,
        left: None,
    };
    store
        .create_partnership(
            &Partnership {
                id: 0,
                name: "Haringey and Waltham Forest".into(),
                summary: String::new(),
                source: None,
                members: vec![member("E09000014"), member("E09000031")],
            },
            &change,
        )
        .await
        .unwrap()
}

fn new_request(reference: &str, received: NaiveDate) -> NewRequest {
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
    }
}

/// Stores a request received on `received` and its requester; returns the request's id.
async fn store_request(store: &dyn Store, pid: i64, reference: &str, received: NaiveDate) -> i64 {
    let cal = calendars(store).await.unwrap();
    let protocol = Protocol::default();
    let input = new_request(reference, received);
    let calendar = cal.get(input.calendar_scope());
    let ctx = Context {
        today: received,
        calendar,
        protocol: &protocol,
    };
    let mut request = Request::receive(input, &ctx).unwrap();
    let requester = request.take_requester();
    let dates = request.due_dates(calendar, &protocol).unwrap();
    let change = Change::by("test");
    let id = store
        .insert_record(&request_input(pid, &request, &dates).unwrap(), &change)
        .await
        .unwrap();
    store
        .insert_record(
            &requester_input(pid, id, reference, &requester).unwrap(),
            &change,
        )
        .await
        .unwrap();
    id
}

fn scope(role: Option<Role>, pid: i64, admin: bool) -> ReadScope {
    ReadScope::of(&Actor {
        user_id: Some(1),
        home: Some(gss("E09000031")),
        admin,
        grants: role
            .map(|role| Grant {
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
        let id = store_request(&*store, pid, "FOI-1", today).await;
        let request = store
            .record(id, &scope(Some(Role::Viewer), pid, false), today)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(request.status.as_deref(), Some("received"));
        assert_eq!(request.key_date, Some(d(2025, 4, 1)), "{backend}");
        assert_eq!(request.meta.owner, Some(gss("E09000031")));
        assert!(!request.body.to_string().contains("Ann"), "{backend}");
        assert!(decode_request(&request).unwrap().requester.is_empty());

        let children = RecordQuery {
            kind: REQUESTER_KIND.into(),
            parent_id: Some(id),
            ..RecordQuery::default()
        };
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
            let found = store.records(&children, &scope, today).await.unwrap();
            assert_eq!(found.len(), usize::from(sees), "{backend} {who}");
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

#[tokio::test]
async fn a_proclaimed_holiday_moves_open_requests_deadlines_and_the_recount_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let pid = partnership(&*store).await;
        let open = store_request(&*store, pid, "FOI-open", d(2025, 3, 3)).await;
        let later = store_request(&*store, pid, "FOI-later", d(2025, 4, 14)).await;
        let answered = store_request(&*store, pid, "FOI-answered", d(2025, 3, 3)).await;
        // The third is answered: its dates stand whatever the table does.
        let system = ReadScope {
            everything_but_personal: true,
            ..ReadScope::default()
        };
        let today = d(2025, 3, 10);
        let later_due = store
            .record(later, &system, today)
            .await
            .unwrap()
            .unwrap()
            .key_date;
        assert!(later_due.is_some());
        let record = store
            .record(answered, &system, today)
            .await
            .unwrap()
            .unwrap();
        let cal = calendars(&*store).await.unwrap();
        let protocol = Protocol::default();
        let mut request = decode_request(&record).unwrap();
        let ctx = Context {
            today,
            calendar: cal.get(request.calendar_scope()),
            protocol: &protocol,
        };
        request = request
            .apply(&Action::Withdraw { on: today }, &ctx)
            .unwrap();
        let dates = request.due_dates(ctx.calendar, &protocol).unwrap();
        store
            .update_record(
                answered,
                None,
                &request_input(pid, &request, &dates).unwrap(),
                &Change::by("test"),
            )
            .await
            .unwrap();

        // A one-off holiday in Scotland on 2025-03-20 counts for FOIA (any part of the UK).
        let holiday = ProclaimedHoliday {
            date: d(2025, 3, 20),
            title: "A proclaimed holiday".into(),
            divisions: vec![Division::Scotland],
            replaces: None,
        };
        store
            .insert_record(
                &RecordInput::new(
                    PROCLAIMED_HOLIDAY_KIND,
                    RecordMeta::published(Area::Administration, None),
                    "A proclaimed holiday",
                    &holiday,
                )
                .unwrap(),
                &Change::by("test"),
            )
            .await
            .unwrap();
        let cal = calendars(&*store).await.unwrap();
        let change = Change::by("test").because("a holiday was proclaimed");
        let recount = recount_open_requests(&*store, &cal, &protocol, today, &change)
            .await
            .unwrap();
        assert_eq!(recount.open, 2, "{backend}");
        assert_eq!(recount.moved.len(), 1, "{backend}: {recount:?}");
        assert_eq!(recount.moved[0].id, open);
        assert_eq!(
            recount.moved[0].answer_by,
            (Some(d(2025, 4, 1)), Some(d(2025, 4, 2)))
        );
        let stored = |id| {
            let store = store.clone();
            let system = system.clone();
            async move { store.record(id, &system, today).await.unwrap().unwrap() }
        };
        assert_eq!(stored(open).await.key_date, Some(d(2025, 4, 2)));
        assert_eq!(stored(later).await.key_date, later_due);
        assert_eq!(stored(answered).await.key_date, Some(d(2025, 4, 1)));

        let filter = AuditFilter {
            record_kind: Some(REQUEST_KIND.into()),
            record_id: Some(open.to_string()),
            action: Some(AuditAction::Update),
            ..AuditFilter::default()
        };
        let entries = store.audit_entries(&filter, 10, 0).await.unwrap();
        assert_eq!(entries.len(), 1, "{backend}");
        assert_eq!(
            entries[0].record.reason.as_deref(),
            Some("a holiday was proclaimed")
        );
        // Nothing moves the second time.
        let again = recount_open_requests(&*store, &cal, &protocol, today, &change)
            .await
            .unwrap();
        assert!(again.moved.is_empty(), "{backend}");
        store.close().await;
    }
}
