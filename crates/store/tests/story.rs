//! The storage story: one walk through the whole storage API, run against SQLite always and
//! against PostgreSQL when `ACCORD_TEST_DATABASE_URL` is set.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

use accord_domain::access::{Actor, Area, ReadScope, RecordMeta, Role, RoleAssignment};
use accord_domain::audit::{AuditAction, GENESIS_HASH, verify_chain};
use accord_domain::authority::register;
use accord_domain::mou::{MouEnd, MouEvent, MouValue};
use accord_domain::{GssCode, Member, MemberRole, MemberStatus, Mou, Partnership};
use accord_store::{
    AuditFilter, AuthorityQuery, Change, NewUser, RecordInput, RecordOrder, RecordQuery, Store,
    StoreError, StoredHoliday, credentials, testing,
};
use chrono::{Duration, NaiveDate, Utc};
use std::sync::atomic::{AtomicU64, Ordering};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn gss(s: &str) -> GssCode {
    GssCode::parse("gss", s).unwrap()
}

const REGISTER: &str = "local-authority-code,official-name,nice-name,gss-code,start-date,end-date,replaced-by,nation,region,local-authority-type,county-la,pop-2020,lat,long
HRY,London Borough of Haringey,Haringey,E09000014,,,,England,London,LBO,,266357,51.59,-0.11
WFT,London Borough of Waltham Forest,Waltham Forest,E09000031,,,,England,London,LBO,,276940,51.59,-0.01
SLG,Slough Borough Council,Slough,E06000039,,,,England,South East,UA,,149577,51.51,-0.59
NTH,Northamptonshire County Council,Northamptonshire,E10000021,,2021-04-01,\"NNT,WNT\",England,East Midlands,CTY,,,,
";

fn member(code: &str, joined: NaiveDate) -> Member {
    Member {
        authority: gss(code),
        role: MemberRole::Partner,
        status: MemberStatus::Active,
        joined: Some(joined),
        left: None,
    }
}

fn invalid_field(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(invalid)) => invalid.errors[0].field.clone(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn story(store: &dyn Store) {
    let change = Change::by("story test");

    // Councils: import, re-import, look up, search, and demo-style "ensure".
    assert_eq!(store.count_authorities(false).await.unwrap(), 0);
    let authorities = register::parse(REGISTER, |_| {}).unwrap();
    let seen = AtomicU64::new(0);
    let summary = store
        .import_authorities(&authorities, &change, &|n| seen.store(n, Ordering::Relaxed))
        .await
        .unwrap();
    assert_eq!((summary.rows, summary.created, summary.updated), (4, 4, 0));
    assert_eq!(seen.load(Ordering::Relaxed), 4);
    let summary = store
        .import_authorities(&authorities, &change, &|_| {})
        .await
        .unwrap();
    assert_eq!((summary.created, summary.updated), (0, 4));
    assert_eq!(store.count_authorities(false).await.unwrap(), 4);
    assert_eq!(store.count_authorities(true).await.unwrap(), 3);
    let haringey = store.authority("E09000014").await.unwrap().unwrap();
    assert_eq!(haringey, authorities[0]);
    assert_eq!(
        store.authority("hry").await.unwrap().unwrap().short_name,
        "Haringey"
    );
    assert!(store.authority("E09999999").await.unwrap().is_none());
    let found = store
        .search_authorities(&AuthorityQuery {
            text: "haring".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    let found = store
        .search_authorities(&AuthorityQuery {
            text: "e10000021".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found[0].code, "NTH");
    assert_eq!(found[0].successors, vec!["NNT", "WNT"]);
    let current = store
        .search_authorities(&AuthorityQuery {
            text: "Northampton".into(),
            current_only: true,
            limit: 10,
            offset: 0,
        })
        .await
        .unwrap();
    assert!(current.is_empty());
    // Pages of a ranking hold their places: page after page gives each match once, in the
    // order of the whole ranking, and the count is of every match.
    let everyone = AuthorityQuery {
        text: String::new(),
        current_only: false,
        limit: 501,
        offset: 0,
    };
    let whole = store.search_authorities(&everyone).await.unwrap();
    assert_eq!(whole.len(), 4);
    assert_eq!(
        store.count_matching_authorities(&everyone).await.unwrap(),
        whole.len() as i64
    );
    let mut paged = Vec::new();
    for offset in (0..whole.len() as i64).step_by(3) {
        paged.extend(
            store
                .search_authorities(&AuthorityQuery {
                    limit: 3,
                    offset,
                    ..everyone.clone()
                })
                .await
                .unwrap(),
        );
    }
    let codes =
        |list: &[accord_domain::Authority]| list.iter().map(|a| a.code.clone()).collect::<Vec<_>>();
    assert_eq!(codes(&paged), codes(&whole));
    let mut extra = authorities[0].clone();
    extra.official_name = "must not overwrite".into();
    let mut new = authorities[2].clone();
    new.code = "CAM".into();
    new.gss = Some(gss("E10000003"));
    new.short_name = "Cambridgeshire".into();
    assert_eq!(
        store
            .ensure_authorities(&[extra, new], &change)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store.authority("HRY").await.unwrap().unwrap().official_name,
        "London Borough of Haringey"
    );

    // Bank holidays: replace and read back.
    let holidays = vec![
        StoredHoliday {
            division: "scotland".into(),
            date: d(2025, 12, 1),
            title: "St Andrew’s Day".into(),
            notes: "Substitute day".into(),
            bunting: true,
        },
        StoredHoliday {
            division: "england-and-wales".into(),
            date: d(2025, 12, 25),
            title: "Christmas Day".into(),
            notes: String::new(),
            bunting: true,
        },
    ];
    store
        .replace_bank_holidays(&holidays, &change)
        .await
        .unwrap();
    store
        .replace_bank_holidays(&holidays, &change)
        .await
        .unwrap();
    let stored = store.bank_holidays().await.unwrap();
    assert_eq!(stored, vec![holidays[1].clone(), holidays[0].clone()]);

    // Partnerships: refusals change nothing.
    let mut p = Partnership {
        id: 0,
        name: "Haringey – Waltham Forest".into(),
        summary: "Preferred partners for shared services".into(),
        source: Some("Seed 003".into()),
        members: vec![
            member("E09000014", d(2010, 12, 21)),
            member("E09000099", d(2010, 12, 21)),
        ],
    };
    assert_eq!(
        invalid_field(store.create_partnership(&p, &change).await),
        "members[1].authority"
    );
    assert!(store.partnerships().await.unwrap().is_empty());
    p.members[1] = member("E09000031", d(2010, 12, 21));
    let id = store.create_partnership(&p, &change).await.unwrap();
    assert_eq!(
        invalid_field(store.create_partnership(&p, &change).await),
        "name"
    );
    let loaded = store.partnership(id).await.unwrap().unwrap();
    assert_eq!(loaded.members, p.members);
    assert_eq!(
        store
            .partnership_id_by_name("haringey – waltham forest")
            .await
            .unwrap(),
        Some(id)
    );
    assert!(store.partnership(id + 100).await.unwrap().is_none());

    // Members join and leave.
    let mut slough = member("E06000039", d(2012, 6, 1));
    slough.role = MemberRole::Host;
    store.add_member(id, &slough, &change).await.unwrap();
    assert_eq!(
        invalid_field(store.add_member(id, &slough, &change).await),
        "authority"
    );
    assert_eq!(
        invalid_field(
            store
                .add_member(id, &member("E09000098", d(2012, 1, 1)), &change)
                .await
        ),
        "authority"
    );
    let mut leaving = slough.clone();
    leaving.left = Some(d(2012, 1, 1));
    assert_eq!(
        invalid_field(store.update_member(id, &leaving, &change).await),
        "left"
    );
    leaving.left = Some(d(2014, 3, 31));
    store.update_member(id, &leaving, &change).await.unwrap();
    let loaded = store.partnership(id).await.unwrap().unwrap();
    assert_eq!(loaded.members.len(), 3);
    assert_eq!(loaded.members[2], leaving);
    assert_eq!(store.partnerships_of("E06000039").await.unwrap().len(), 1);
    assert!(store.partnerships_of("E10000003").await.unwrap().is_empty());
    assert_eq!(store.partnerships().await.unwrap()[0].members.len(), 3);

    // Renaming.
    store
        .update_partnership(
            id,
            "Haringey and Waltham Forest",
            "Shared services",
            &change.clone().because("shorter name"),
        )
        .await
        .unwrap();
    assert_eq!(
        store.partnership(id).await.unwrap().unwrap().name,
        "Haringey and Waltham Forest"
    );
    assert_eq!(
        invalid_field(store.update_partnership(id, "", "", &change).await),
        "name"
    );

    // The MOU and its events.
    let mut mou = Mou {
        agreed: Some(d(2010, 12, 21)),
        signed: None,
        commencement: None,
        end: MouEnd::Event {
            name: "the local elections of 2014".into(),
            date: d(2014, 5, 22),
        },
        legally_binding: false,
        preferred_partner: true,
        values: vec![MouValue {
            name: "Transparency".into(),
            description: "open and clear decisions".into(),
        }],
        principles: "Each other's preferred partner".into(),
        quarterly_review_by: Some("Senior Stakeholder Board".into()),
        annual_review_by: Some("Both executives".into()),
        cost_sharing: "Governance costs shared equally".into(),
        events: vec![],
        source: Some("Seed 003".into()),
    };
    assert!(matches!(
        store
            .add_mou_event(
                id,
                &MouEvent::Variation {
                    agreed_on: d(2011, 1, 1),
                    description: "x".into()
                },
                &change
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    let mut bad = mou.clone();
    bad.end = MouEnd::Date {
        date: d(2010, 1, 1),
    };
    assert_eq!(
        invalid_field(store.save_mou(id, &bad, &change).await),
        "end_date"
    );
    assert!(store.mou(id).await.unwrap().is_none());
    store.save_mou(id, &mou, &change).await.unwrap();
    assert_eq!(store.mou(id).await.unwrap().unwrap(), mou);
    let notice = MouEvent::Notice {
        given_by: gss("E10000003"),
        given_on: d(2013, 1, 1),
        effective: d(2013, 4, 1),
    };
    assert_eq!(
        invalid_field(store.add_mou_event(id, &notice, &change).await),
        "given_by"
    );
    let extension = MouEvent::Extension {
        agreed_on: d(2014, 3, 1),
        new_end: MouEnd::Date {
            date: d(2016, 3, 31),
        },
    };
    store.add_mou_event(id, &extension, &change).await.unwrap();
    mou.principles = "Revised principles".into();
    store.save_mou(id, &mou, &change).await.unwrap();
    let loaded = store.mou(id).await.unwrap().unwrap();
    assert_eq!(loaded.principles, "Revised principles");
    assert_eq!(loaded.events, vec![extension]);
    assert_eq!(loaded.effective_end().0, Some(d(2016, 3, 31)));

    // The audit trail recorded every change, with before and after, and its chain verifies.
    let renames = store
        .audit_entries(
            &AuditFilter {
                record_kind: Some("partnership".into()),
                action: Some(AuditAction::Update),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!(renames.len(), 1);
    assert_eq!(renames[0].record.reason.as_deref(), Some("shorter name"));
    assert_eq!(
        renames[0].record.before.as_ref().unwrap()["name"],
        "Haringey – Waltham Forest"
    );
    assert_eq!(
        renames[0].record.after.as_ref().unwrap()["name"],
        "Haringey and Waltham Forest"
    );
    let for_partnership = store
        .audit_entries(
            &AuditFilter {
                partnership_id: Some(id),
                ..Default::default()
            },
            100,
            0,
        )
        .await
        .unwrap();
    assert_eq!(
        for_partnership.len(),
        7,
        "create, member, member update, rename, mou, event, mou update"
    );
    let (head_seq, head_hash) = store.audit_head().await.unwrap();
    let mut prev = (0, GENESIS_HASH.to_owned());
    loop {
        let page = store.audit_chain(prev.0, 3).await.unwrap();
        if page.is_empty() {
            break;
        }
        prev = verify_chain(&page, prev.0, prev.1).unwrap();
    }
    assert_eq!(prev, (head_seq, head_hash));
    assert_eq!(head_seq, 12, "every change above wrote exactly one entry");

    identity(store, id).await;
    records(store, id).await;
}

async fn identity(store: &dyn Store, partnership_id: i64) {
    let change = Change::by("story test");
    let hash = credentials::hash_passphrase("correct horse battery staple");
    let new = NewUser {
        email: "officer@haringey.gov.uk".into(),
        display_name: "Haringey Officer".into(),
        home: Some(gss("E09000014")),
        passphrase_hash: hash.clone(),
        admin: false,
    };
    let user_id = store.create_user(&new, &change).await.unwrap();
    assert_eq!(
        invalid_field(store.create_user(&new, &change).await),
        "email"
    );
    let mut unknown_home = new.clone();
    unknown_home.email = "x@y.gov.uk".into();
    unknown_home.home = Some(gss("E09000099"));
    assert_eq!(
        invalid_field(store.create_user(&unknown_home, &change).await),
        "council"
    );
    let assignment = RoleAssignment {
        partnership_id,
        role: Role::Officer,
    };
    store
        .assign_role(user_id, assignment, &change)
        .await
        .unwrap();
    store
        .assign_role(user_id, assignment, &change)
        .await
        .unwrap();
    assert_eq!(
        invalid_field(
            store
                .assign_role(
                    user_id,
                    RoleAssignment {
                        partnership_id: 999,
                        role: Role::Viewer
                    },
                    &change
                )
                .await
        ),
        "partnership"
    );
    let (user, stored_hash) = store
        .user_credentials(" Officer@Haringey.gov.uk ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.role_assignments, vec![assignment]);
    assert!(credentials::verify_passphrase(
        &stored_hash,
        "correct horse battery staple"
    ));
    assert_eq!(store.users().await.unwrap().len(), 1);
    assert!(
        store
            .user_credentials("nobody@haringey.gov.uk")
            .await
            .unwrap()
            .is_none()
    );

    // Sessions expire when idle or past their absolute limit.
    let now = change.at;
    let (session, digest) = credentials::new_secret("");
    assert!(!session.is_empty());
    store
        .create_session(
            &digest,
            user_id,
            now + Duration::hours(12),
            &Change::by("officer@haringey.gov.uk"),
        )
        .await
        .unwrap();
    let idle = Duration::minutes(60);
    assert_eq!(
        store
            .session_user(&digest, now + Duration::minutes(59), idle)
            .await
            .unwrap()
            .map(|u| u.id),
        Some(user_id)
    );
    assert_eq!(
        store
            .session_user(&digest, now + Duration::minutes(118), idle)
            .await
            .unwrap()
            .map(|u| u.id),
        Some(user_id),
        "refreshed"
    );
    assert!(
        store
            .session_user(&digest, now + Duration::minutes(240), idle)
            .await
            .unwrap()
            .is_none(),
        "idle too long"
    );
    let (_, digest) = credentials::new_secret("");
    store
        .create_session(&digest, user_id, now + Duration::minutes(30), &change)
        .await
        .unwrap();
    assert!(
        store
            .session_user(&digest, now + Duration::minutes(31), idle)
            .await
            .unwrap()
            .is_none(),
        "past absolute expiry"
    );
    let (_, digest) = credentials::new_secret("");
    store
        .create_session(&digest, user_id, now + Duration::hours(1), &change)
        .await
        .unwrap();
    store.end_session(&digest, &change).await.unwrap();
    assert!(
        store
            .session_user(&digest, now, idle)
            .await
            .unwrap()
            .is_none(),
        "signed out"
    );

    // Throttling counts failures per key within a window.
    let keys = vec![
        "account:officer@haringey.gov.uk".to_owned(),
        "address:203.0.113.9".to_owned(),
    ];
    let window = Duration::minutes(15);
    for expected in 1..=3 {
        let counts = store
            .record_failed_sign_in(
                &keys,
                &accord_store::FailedSignIn {
                    address: "203.0.113.9".into(),
                    account: Some("officer@haringey.gov.uk".into()),
                    unchecked: false,
                    at: Utc::now(),
                },
                window,
            )
            .await
            .unwrap();
        assert_eq!(counts, vec![expected, expected]);
    }
    assert_eq!(
        store
            .sign_in_failures(&keys, Utc::now(), window)
            .await
            .unwrap(),
        vec![3, 3]
    );
    assert_eq!(
        store
            .sign_in_failures(&keys, Utc::now() + Duration::minutes(16), window)
            .await
            .unwrap(),
        vec![0, 0]
    );

    // API tokens act as their user until revoked or the user is disabled.
    let (token, token_digest) = credentials::new_secret("accord_pat_");
    assert!(token.starts_with("accord_pat_"));
    assert_eq!(
        invalid_field(
            store
                .create_api_token(user_id, " ", &token_digest, &change)
                .await
        ),
        "name"
    );
    let token_id = store
        .create_api_token(user_id, "reporting script", &token_digest, &change)
        .await
        .unwrap();
    assert_eq!(
        store
            .api_token_user(&token_digest, now)
            .await
            .unwrap()
            .map(|u| u.id),
        Some(user_id)
    );
    assert_eq!(
        store.api_tokens(user_id).await.unwrap()[0].name,
        "reporting script"
    );
    store
        .set_user_disabled(user_id, true, &change)
        .await
        .unwrap();
    assert!(
        store
            .api_token_user(&token_digest, now)
            .await
            .unwrap()
            .is_none(),
        "disabled user"
    );
    store
        .set_user_disabled(user_id, false, &change)
        .await
        .unwrap();
    store
        .revoke_api_token(user_id, token_id, &change)
        .await
        .unwrap();
    assert!(
        store
            .api_token_user(&token_digest, now)
            .await
            .unwrap()
            .is_none(),
        "revoked"
    );
    assert!(matches!(
        store.revoke_api_token(user_id, token_id, &change).await,
        Err(StoreError::NotFound(_))
    ));

    // A reset code works once, before it expires, and ends the user's sessions.
    let (_, session) = credentials::new_secret("");
    store
        .create_session(&session, user_id, now + Duration::hours(1), &change)
        .await
        .unwrap();
    let (_, reset) = credentials::new_secret("");
    store
        .create_passphrase_reset(user_id, &reset, now + Duration::hours(1), &change)
        .await
        .unwrap();
    let new_hash = credentials::hash_passphrase("another long passphrase");
    assert_eq!(
        store
            .use_passphrase_reset(&reset, &new_hash, &change)
            .await
            .unwrap(),
        Some(user_id)
    );
    assert_eq!(
        store
            .use_passphrase_reset(&reset, &new_hash, &change)
            .await
            .unwrap(),
        None,
        "used once"
    );
    assert!(
        store
            .session_user(&session, now, idle)
            .await
            .unwrap()
            .is_none(),
        "sessions ended"
    );
    let (_, stored_hash) = store
        .user_credentials("officer@haringey.gov.uk")
        .await
        .unwrap()
        .unwrap();
    assert!(credentials::verify_passphrase(
        &stored_hash,
        "another long passphrase"
    ));
    store
        .set_passphrase_hash(user_id, &hash, &change)
        .await
        .unwrap();
    store
        .unassign_role(user_id, assignment, &change)
        .await
        .unwrap();
    assert!(
        store
            .user(user_id)
            .await
            .unwrap()
            .unwrap()
            .role_assignments
            .is_empty()
    );
}

async fn records(store: &dyn Store, partnership_id: i64) {
    let change = Change::by("story test");
    let today = NaiveDate::from_ymd_opt(2011, 7, 21).unwrap();
    let programme = ReadScope::of(&Actor {
        user_id: Some(1),
        home: None,
        admin: false,
        role_assignments: vec![RoleAssignment {
            partnership_id,
            role: Role::Programme,
        }],
    });
    let meta = RecordMeta::published(Area::Programme, Some(partnership_id));
    let parent = RecordInput::new(
        "project",
        meta.clone(),
        "HR shared service centre",
        &serde_json::json!({"n": 1}),
    )
    .unwrap()
    .status("live");
    let parent_id = store.insert_record(&parent, &change).await.unwrap();
    let child = RecordInput::new(
        "milestone",
        meta.clone(),
        "Payroll control live",
        &serde_json::json!({}),
    )
    .unwrap()
    .parent(parent_id)
    .key_date(Some(NaiveDate::from_ymd_opt(2011, 6, 30).unwrap()));
    let child_id = store.insert_record(&child, &change).await.unwrap();
    assert!(
        store
            .insert_record(&child.clone().parent(999_999), &change)
            .await
            .is_err()
    );
    let mut bad = parent.clone();
    bad.title = " ".into();
    assert_eq!(
        invalid_field(store.insert_record(&bad, &change).await),
        "title"
    );
    let children = store
        .records(
            &RecordQuery {
                kind: "milestone".into(),
                parent_id: Some(parent_id),
                order: RecordOrder::KeyDate,
                ..RecordQuery::default()
            },
            &programme,
            today,
        )
        .await
        .unwrap();
    assert_eq!(children.len(), 1);
    // The same read with each body as its stored text: the same records, the bodies apart.
    let raw = store
        .records_raw(
            &RecordQuery {
                kind: "milestone".into(),
                parent_id: Some(parent_id),
                order: RecordOrder::KeyDate,
                ..RecordQuery::default()
            },
            &programme,
            today,
        )
        .await
        .unwrap();
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0].0.id, children[0].id);
    assert_eq!(raw[0].0.body, serde_json::Value::Null);
    assert_eq!(
        raw[0]
            .0
            .decode_text::<serde_json::Value>(&raw[0].1)
            .unwrap(),
        children[0].body
    );
    let stored = store
        .record(parent_id, &programme, today)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.decode::<serde_json::Value>().unwrap()["n"], 1);
    let mut changed = stored.to_input();
    changed.status = Some("closed".into());
    assert_eq!(
        store
            .update_record(parent_id, Some(stored.version), &changed, &change)
            .await
            .unwrap(),
        2
    );
    let query = RecordQuery {
        statuses: vec!["closed".into()],
        ..RecordQuery::of("project", partnership_id)
    };
    assert_eq!(
        store
            .count_records(&query, &programme, today)
            .await
            .unwrap(),
        1
    );
    let mut wrong_kind = changed.clone();
    wrong_kind.kind = "paper".into();
    assert_eq!(
        invalid_field(
            store
                .update_record(parent_id, None, &wrong_kind, &change)
                .await
        ),
        "kind"
    );
    store.delete_record(parent_id, &change).await.unwrap();
    assert!(
        store
            .record(child_id, &programme, today)
            .await
            .unwrap()
            .is_none(),
        "children go with their parent"
    );
    let history = store
        .audit_entries(
            &AuditFilter {
                record_kind: Some("project".into()),
                record_id: Some(parent_id.to_string()),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
    let actions: Vec<_> = history.iter().map(|e| e.record.action).collect();
    assert_eq!(
        actions,
        vec![
            AuditAction::Delete,
            AuditAction::Update,
            AuditAction::Create
        ]
    );
}

#[tokio::test]
async fn storage_story() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        eprintln!("storage story on {backend}");
        story(&*store).await;
        store.close().await;
    }
}
