//! An instance made by release 0.1 upgrades on connect without loss. The fixture (the demo and
//! a hundred or so generated records of every kind, written by release 0.1's own code paths)
//! is loaded on SQLite always and on PostgreSQL when `ACCORD_TEST_DATABASE_URL` is set; it
//! reads back value for value; the current code then opens it, migrating it and moving each
//! kind to its own table; and afterwards every record reads back with the value, version,
//! class, dates and history it had, the audit trail is untouched and its chain verifies.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

use accord_domain::access::{Actor, Area, ReadScope, RecordMeta, Role, RoleAssignment};
use accord_domain::audit::{GENESIS_HASH, verify_chain};
use accord_store::testing::legacy::{self, Fixture, Table};
use accord_store::testing::{self, REQUIRE_POSTGRES, TEST_DATABASE_URL};
use accord_store::{Change, RecordInput, RecordQuery, Store};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use std::collections::BTreeMap;

/// Tables release 0.1 named otherwise: (then, now).
const RENAMED_TABLES: &[(&str, &str)] = &[
    ("grants", "role_assignments"),
    ("password_resets", "passphrase_resets"),
];

/// Columns release 0.1 named otherwise: (table then, column then, column now).
const RENAMED_COLUMNS: &[(&str, &str, &str)] = &[
    ("users", "password_hash", "passphrase_hash"),
    ("users", "password_changed_at", "passphrase_changed_at"),
];

/// The databases to load the fixture into: a SQLite file always, a PostgreSQL database when
/// a server is configured.
async fn urls(dir: &std::path::Path) -> Vec<(&'static str, String)> {
    let mut urls = vec![("sqlite", testing::sqlite_url(dir))];
    match std::env::var(TEST_DATABASE_URL) {
        Ok(server) if !server.trim().is_empty() => {
            urls.push(("postgres", testing::postgres_url(&server).await.unwrap()));
        }
        _ => assert!(
            std::env::var_os(REQUIRE_POSTGRES).is_none(),
            "{REQUIRE_POSTGRES} is set but {TEST_DATABASE_URL} is not: the PostgreSQL backend would go untested"
        ),
    }
    urls
}

/// Whether a value read back is the fixture's. PostgreSQL keeps timestamps to the
/// microsecond, so a timestamp SQLite kept with nanoseconds (a session's idle clock, a
/// token's last use: written from the wall clock untruncated) reads back rounded.
fn same_value(backend: &str, fixture: &Value, read: &Value) -> bool {
    if fixture == read {
        return true;
    }
    let (Value::String(f), Value::String(r)) = (fixture, read) else {
        return false;
    };
    match (
        DateTime::parse_from_rfc3339(f),
        DateTime::parse_from_rfc3339(r),
    ) {
        (Ok(f), Ok(r)) if backend == "postgres" => (f - r).num_nanoseconds().unwrap().abs() < 1_000,
        _ => false,
    }
}

fn assert_same_tables(backend: &str, fixture: &Fixture, read: &Fixture) {
    let names = |f: &Fixture| f.tables.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(read), names(fixture), "{backend}: the tables");
    for (name, expected) in &fixture.tables {
        let got: &Table = &read.tables[name];
        assert_eq!(got.columns, expected.columns, "{backend}: {name}'s columns");
        assert_eq!(
            got.rows.len(),
            expected.rows.len(),
            "{backend}: {name}'s rows"
        );
        for (e, g) in expected.rows.iter().zip(&got.rows) {
            for ((column, e), g) in expected.columns.iter().zip(e).zip(g) {
                assert!(
                    same_value(backend, e, g),
                    "{backend}: {name}.{column} reads back as {g}, not {e}"
                );
            }
        }
    }
}

/// What `accord audit verify` checks: the chain recomputed from the genesis hash, page by
/// page, ends at the head.
async fn verify_audit(store: &dyn Store) -> i64 {
    let (head_seq, head_hash) = store.audit_head().await.unwrap();
    let mut prev = (0, GENESIS_HASH.to_owned());
    loop {
        let page = store.audit_chain(prev.0, 1_000).await.unwrap();
        if page.is_empty() {
            break;
        }
        prev = verify_chain(&page, prev.0, prev.1.clone())
            .unwrap_or_else(|link| panic!("the chain breaks at {}: {}", link.seq, link.problem));
    }
    assert_eq!(prev, (head_seq, head_hash), "the chain ends at its head");
    head_seq
}

/// Someone who may read every record, personal data included.
fn reader(partnerships: &[i64]) -> ReadScope {
    ReadScope::of(&Actor {
        user_id: Some(1),
        home: None,
        admin: true,
        role_assignments: partnerships
            .iter()
            .map(|&partnership_id| RoleAssignment {
                partnership_id,
                role: Role::Information,
            })
            .collect(),
    })
}

fn text(row: &[Value], table: &Table, column: &str) -> Option<String> {
    row[table.column(column).unwrap()]
        .as_str()
        .map(str::to_owned)
}

fn int(row: &[Value], table: &Table, column: &str) -> Option<i64> {
    row[table.column(column).unwrap()].as_i64()
}

#[tokio::test]
async fn an_instance_of_release_0_1_upgrades_on_connect_without_loss() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, url) in urls(dir.path()).await {
        let fixture = legacy::create_release_0_1_database(&url).await.unwrap();
        assert_eq!(
            fixture
                .schema_versions
                .iter()
                .map(|v| v.version)
                .collect::<Vec<_>>(),
            [1, 2, 3, 100],
            "release 0.1's migrations"
        );

        // Loaded, it reads back value for value.
        let loaded = legacy::dump(&url).await.unwrap();
        assert_same_tables(backend, &fixture, &loaded);
        let versions = |f: &Fixture| {
            f.schema_versions
                .iter()
                .map(|v| (v.version, v.description.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(versions(&loaded), versions(&fixture), "{backend}");
        if backend == "sqlite" {
            assert_eq!(loaded.schema_versions, fixture.schema_versions);
        }

        // The current code opens it and upgrades it: every table but the records' own
        // storage reads back exactly as before, the audit trail above all.
        let store = accord_store::connect(&url).await.unwrap();
        let after = legacy::dump(&url).await.unwrap();
        for (name, table) in &loaded.tables {
            if name == "records" {
                continue;
            }
            // Tables and columns renamed to Accord's one name per concept.
            let renamed = RENAMED_TABLES
                .iter()
                .find(|(old, _)| old == name)
                .map_or(name.as_str(), |(_, new)| new);
            let mut table = table.clone();
            for column in &mut table.columns {
                if let Some((_, new)) = RENAMED_COLUMNS
                    .iter()
                    .find(|(t, old, _)| *t == name && old == column)
                    .map(|(_, _, new)| ((), *new))
                {
                    *column = new.to_owned();
                }
            }
            let mut one = loaded.clone();
            one.tables.clear();
            one.tables.insert(renamed.to_owned(), table.clone());
            let mut other = after.clone();
            other.tables.retain(|n, _| n == renamed);
            assert_eq!(
                other.tables[renamed].columns, table.columns,
                "{backend}: {renamed}'s columns"
            );
            assert_same_tables(backend, &one, &other);
        }

        // `accord audit verify` passes over the whole chain.
        let entries = verify_audit(&*store).await;
        assert_eq!(
            entries,
            fixture.table("audit").unwrap().rows.len() as i64,
            "{backend}"
        );

        // Every record reads back with the body and version the fixture holds.
        let records = fixture.table("records").unwrap();
        let partnerships: Vec<i64> = fixture
            .table("partnerships")
            .unwrap()
            .rows
            .iter()
            .map(|r| r[0].as_i64().unwrap())
            .collect();
        let scope = reader(&partnerships);
        let today = NaiveDate::from_ymd_opt(2025, 6, 2).unwrap();
        let mut kinds: BTreeMap<String, i64> = BTreeMap::new();
        let mut references: Vec<(Option<i64>, Option<String>)> = Vec::new();
        for row in &records.rows {
            let id = int(row, records, "id").unwrap();
            let kind = text(row, records, "kind").unwrap();
            let stored = store
                .record(id, &scope, today)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{backend}: record {id} ({kind}) does not read back"));
            let body: Value = serde_json::from_str(&text(row, records, "body").unwrap()).unwrap();
            let value = testing::record_value(&*store, &kind, id, &scope, today)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{backend}: {kind} {id} has no value"));
            assert_eq!(
                value,
                testing::normalise(&kind, &body).unwrap(),
                "{backend}: the value of {kind} {id}"
            );
            assert_eq!(
                Some(stored.version),
                int(row, records, "version"),
                "{backend}: {kind} {id}"
            );
            // Funding kept as `grant` moved under its own name.
            assert_eq!(stored.kind, testing::current_kind(&kind));
            assert_eq!(Some(stored.title), text(row, records, "title"));
            assert_eq!(stored.status, text(row, records, "status"));
            assert_eq!(stored.parent_id, int(row, records, "parent_id"));
            assert_eq!(
                stored.meta.partnership_id,
                int(row, records, "partnership_id")
            );
            assert_eq!(
                Some(stored.meta.classification.slug().to_owned()),
                text(row, records, "classification"),
                "{backend}: {kind} {id}"
            );
            assert_eq!(
                stored.key_date.map(|d| d.format("%Y-%m-%d").to_string()),
                text(row, records, "key_date")
            );
            let created = text(row, records, "created_at").unwrap();
            let created: DateTime<Utc> = DateTime::parse_from_rfc3339(&created).unwrap().into();
            assert_eq!(stored.created_at, created, "{backend}: {kind} {id}");
            if kind == accord_store::gateway::OPPORTUNITY_KIND {
                // An opportunity's number is new: the move gives it one, carried by its
                // reference, as the header shows.
                references.push((stored.meta.partnership_id, stored.reference.clone()));
            }
            *kinds.entry(kind).or_default() += 1;
        }
        let mut distinct = std::collections::BTreeSet::new();
        for (partnership, reference) in &references {
            let reference = reference
                .clone()
                .unwrap_or_else(|| panic!("{backend}: an opportunity without a reference"));
            assert!(
                accord_domain::opportunity::parse_reference(&reference).is_some(),
                "{backend}: {reference}"
            );
            assert!(
                distinct.insert((*partnership, reference.clone())),
                "{backend}: {reference} twice in partnership {partnership:?}"
            );
        }
        // Counts per kind, as the store's own queries count them.
        for (kind, expected) in &kinds {
            let query = RecordQuery {
                kind: testing::current_kind(kind).to_owned(),
                ..RecordQuery::default()
            };
            assert_eq!(
                store.count_records(&query, &scope, today).await.unwrap(),
                *expected,
                "{backend}: {kind}"
            );
        }
        // Every kind of record release 0.1 writes is there, a hundred or so of each.
        let about = &fixture.about["records_by_kind"];
        for (kind, expected) in &kinds {
            assert_eq!(about[kind].as_i64(), Some(*expected), "{kind}");
            assert!(*expected >= 90, "only {expected} records of kind {kind}");
        }
        assert_eq!(kinds.len(), 22, "{kinds:?}");

        // The rest of the store reads it as well.
        assert_eq!(
            store.users().await.unwrap().len(),
            fixture.table("users").unwrap().rows.len()
        );
        assert_eq!(
            store.partnerships().await.unwrap().len(),
            partnerships.len()
        );
        assert_eq!(
            store.bank_holidays().await.unwrap().len(),
            fixture.table("bank_holidays").unwrap().rows.len()
        );

        // New rows go on after the fixture's ids (PostgreSQL's identity sequences were moved
        // past them), and the chain goes on from its head.
        let change = Change::by("release fixture test");
        let max_id = records
            .rows
            .iter()
            .filter_map(|r| int(r, records, "id"))
            .max()
            .unwrap();
        let input = RecordInput::new(
            "fixture_check",
            RecordMeta::published(Area::Programme, None),
            "Written after opening",
            &serde_json::json!({"written": true}),
        )
        .unwrap();
        let id = store.insert_record(&input, &change).await.unwrap();
        assert!(id > max_id, "{backend}: new record {id} after {max_id}");
        let (user, _) = store
            .user_credentials("admin@demo.accord.test")
            .await
            .unwrap()
            .unwrap();
        let token = store
            .create_api_token(user.id, "after opening", "digest-after-opening", &change)
            .await
            .unwrap();
        let tokens = fixture.table("api_tokens").unwrap();
        assert!(
            tokens
                .rows
                .iter()
                .all(|r| int(r, tokens, "id").unwrap() < token)
        );
        assert_eq!(verify_audit(&*store).await, entries + 2, "{backend}");
        store.close().await;
    }
}
