//! The RAID log's table answers filters, pages, counts and the heat map in SQL exactly as the
//! domain's rules answer them in Rust, on both backends; and an instance of an earlier release,
//! whose RAID items are JSON in the generic table, moves them to the table on connect without
//! changing a record, a version or the audit chain.

#![allow(clippy::unwrap_used)]

use accord_domain::access::{Area, Classification, RecordMeta};
use accord_domain::audit::verify_chain;
use accord_domain::board::BoardLevel;
use accord_domain::raid::{
    Closure, Escalation, Level, Mitigation, RaidDetail, RaidFilter, RaidItem, RaidKind, RaidStatus,
    RiskScore, ScoreBasis, heat_map,
};
use accord_store::{Change, RaidPage, RecordInput, Store, testing};
use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use std::sync::Arc;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn partnership(store: &dyn Store) -> i64 {
    testing::two_council_partnership(store, "RAID test")
        .await
        .unwrap()
}

fn meta(partnership_id: i64) -> RecordMeta {
    RecordMeta {
        area: Area::Programme,
        partnership_id: Some(partnership_id),
        owner: None,
        classification: Classification::Partnership,
        embargo: None,
    }
}

/// Owners and titles with the cases "contains, in any case" must get right: upper and lower
/// case, accents, letters whose lower case is longer (İ) or ASCII (the Kelvin sign), and the
/// wildcards of SQL's LIKE.
const OWNERS: [&str; 6] = [
    "Programme Director",
    "HR lead (LBH)",
    "Zoë Ørsted",
    "İlkay Kaya",
    "\u{212A}elvin 100% sure",
    "under_score",
];
const WORDS: [&str; 6] = ["payroll", "PAYROLL cut-over", "ERP", "Straße", "50%", "a_b"];

fn level(n: u8) -> Level {
    Level::new("level", n).unwrap()
}

fn item_strategy() -> impl Strategy<Value = RaidItem> {
    (
        0usize..4,
        (1u8..=5, 1u8..=5, 1u8..=5, 1u8..=5),
        0usize..OWNERS.len(),
        0usize..WORDS.len(),
        0usize..WORDS.len(),
        prop::option::of(1i64..4),
        0usize..3,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(kind, (ip, ii, rp, ri), owner, w1, w2, project, board, closed, escalated)| {
                let day = d(2011, 7, 1);
                let detail = match kind {
                    0 => {
                        // Residual never above inherent.
                        let (rp, ri) =
                            if u16::from(rp) * u16::from(ri) > u16::from(ip) * u16::from(ii) {
                                (ip, ii)
                            } else {
                                (rp, ri)
                            };
                        RaidDetail::Risk {
                            inherent: RiskScore {
                                probability: level(ip),
                                impact: level(ii),
                            },
                            residual: RiskScore {
                                probability: level(rp),
                                impact: level(ri),
                            },
                            proximity: Some(d(2012, 1, 1)),
                            mitigations: vec![Mitigation {
                                action: format!("Mitigate {}", WORDS[w1]),
                                owner: OWNERS[owner].into(),
                                due: None,
                                done_on: None,
                            }],
                        }
                    }
                    1 => RaidDetail::Assumption {
                        validate_by: Some(d(2011, 9, 1)),
                        validated_on: None,
                    },
                    2 => RaidDetail::Issue {
                        severity: level(ip),
                        resolve_by: None,
                    },
                    _ => RaidDetail::Dependency {
                        from_project: 1,
                        to_project: 2,
                        needed_by: None,
                    },
                };
                let board = BoardLevel::ALL[board];
                RaidItem {
                    number: 0,
                    title: format!("{} affects {}", WORDS[w1], WORDS[w2]),
                    description: format!("Detail about {}", WORDS[w2]),
                    owner: OWNERS[owner].into(),
                    project,
                    raised_on: day,
                    status: if closed {
                        RaidStatus::Closed
                    } else {
                        RaidStatus::Open
                    },
                    closed: closed.then(|| Closure {
                        on: d(2011, 8, 1),
                        resolution: "Done".into(),
                    }),
                    board,
                    escalations: if escalated && board != BoardLevel::Projects {
                        vec![Escalation {
                            from: BoardLevel::Projects,
                            to: board,
                            on: d(2011, 7, 10),
                            by: "PD".into(),
                            reason: "Needs a decision".into(),
                        }]
                    } else {
                        Vec::new()
                    },
                    detail,
                }
            },
        )
}

fn filter_strategy() -> impl Strategy<Value = RaidFilter> {
    let needle = prop::sample::select(vec![
        "", "pay", "PAY", "zoë", "ZOË", "i", "İ", "k", "\u{212A}", "%", "_", "a_b", "r3", "R1",
        "erp", "strasse", "straße", "detail",
    ]);
    (
        prop::collection::vec(0usize..4, 0..3),
        prop::option::of(any::<bool>()),
        needle.clone(),
        needle,
        prop::option::of(1u8..=25),
        prop::option::of(1u8..=25),
        any::<bool>(),
        prop::option::of(0usize..3),
        prop::option::of(1i64..4),
    )
        .prop_map(
            |(kinds, status, owner, text, a, b, inherent, board, project)| {
                let (min_score, max_score) = match (a, b) {
                    (Some(a), Some(b)) if a > b => (Some(b), Some(a)),
                    other => other,
                };
                RaidFilter {
                    kinds: kinds.into_iter().map(|k| RaidKind::ALL[k]).collect(),
                    status: status.map(|open| {
                        if open {
                            RaidStatus::Open
                        } else {
                            RaidStatus::Closed
                        }
                    }),
                    owner: Some(owner.to_owned()).filter(|o| !o.is_empty()),
                    min_score,
                    max_score,
                    score_basis: if inherent {
                        ScoreBasis::Inherent
                    } else {
                        ScoreBasis::Residual
                    },
                    board: board.map(|b| BoardLevel::ALL[b]),
                    project,
                    text: Some(text.to_owned()).filter(|t| !t.is_empty()),
                }
            },
        )
}

#[test]
fn sql_filters_pages_counts_and_heat_maps_match_the_domain() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stores = runtime.block_on(testing::stores(dir.path())).unwrap();
    for (backend, store) in stores {
        let store: Arc<dyn Store> = store;
        let today = d(2011, 7, 21);
        // One log of 300 generated items, written as the use cases write them.
        let mut runner = TestRunner::deterministic();
        let items: Vec<RaidItem> = (0..300)
            .map(|_| item_strategy().new_tree(&mut runner).unwrap().current())
            .collect();
        let (pid, log) = runtime.block_on(async {
            let pid = partnership(&*store).await;
            let mut tx = store.write().await.unwrap();
            let mut log = Vec::new();
            for mut item in items {
                item.number = tx.raid_rules_view(pid).await.unwrap().last_number + 1;
                let stored = tx
                    .insert_raid_item(&meta(pid), &item, &Change::by("test"))
                    .await
                    .unwrap();
                assert_eq!(stored.item, item);
                log.push(item);
            }
            tx.commit().await.unwrap();
            (pid, log)
        });
        let scope = testing::everything();
        let mut runner = TestRunner::new(Config {
            cases: 256,
            ..Config::default()
        });
        runner
            .run(
                &(filter_strategy(), 1i64..40, 0i64..40),
                |(filter, limit, offset)| {
                    let expected: Vec<&RaidItem> = filter.apply(&log).unwrap();
                    let (page, after, count, map) = runtime.block_on(async {
                        let page = store
                            .raid_items(
                                pid,
                                &filter,
                                &RaidPage {
                                    after: None,
                                    offset,
                                    limit,
                                },
                                &scope,
                                today,
                            )
                            .await
                            .unwrap();
                        // The page after the item numbered `offset` (a keyset cursor).
                        let after = store
                            .raid_items(
                                pid,
                                &filter,
                                &RaidPage {
                                    after: Some(u32::try_from(offset).unwrap()),
                                    offset: 0,
                                    limit,
                                },
                                &scope,
                                today,
                            )
                            .await
                            .unwrap();
                        let (count, map) = store
                            .raid_summary(pid, &filter, &scope, today)
                            .await
                            .unwrap();
                        (page, after, count, map)
                    });
                    let numbers = |items: &[accord_store::StoredRaid]| -> Vec<u32> {
                        items.iter().map(|s| s.item.number).collect()
                    };
                    let want: Vec<u32> = expected
                        .iter()
                        .skip(usize::try_from(offset).unwrap())
                        .take(usize::try_from(limit).unwrap())
                        .map(|i| i.number)
                        .collect();
                    prop_assert_eq!(numbers(&page), want, "{}: page of {:?}", backend, filter);
                    let want_after: Vec<u32> = expected
                        .iter()
                        .filter(|i| i64::from(i.number) > offset)
                        .take(usize::try_from(limit).unwrap())
                        .map(|i| i.number)
                        .collect();
                    prop_assert_eq!(numbers(&after), want_after, "{}: keyset page", backend);
                    prop_assert_eq!(count, expected.len() as i64, "{}: count", backend);
                    let want_map = heat_map(expected.iter().copied(), filter.score_basis);
                    prop_assert_eq!(map, want_map, "{}: heat map", backend);
                    for stored in &page {
                        prop_assert_eq!(&stored.item, &log[stored.item.number as usize - 1]);
                    }
                    Ok(())
                },
            )
            .unwrap();
        runtime.block_on(store.close());
    }
}

#[tokio::test]
async fn an_earlier_release_moves_its_raid_items_on_connect() {
    let dir = tempfile::tempdir().unwrap();
    let url = testing::sqlite_url(dir.path());
    let store = accord_store::connect(&url).await.unwrap();
    let pid = partnership(&*store).await;
    // As the earlier release wrote them: JSON bodies in the generic table, changed twice.
    let item = item_strategy()
        .new_tree(&mut TestRunner::deterministic())
        .unwrap()
        .current();
    let mut ids = Vec::new();
    for number in 1..=3u32 {
        let item = RaidItem {
            number,
            ..item.clone()
        };
        let input = RecordInput::new("raid", meta(pid), item.title.clone(), &item)
            .unwrap()
            .status("open");
        let id = store
            .insert_record(&input, &Change::by("test"))
            .await
            .unwrap();
        store
            .update_record(id, Some(1), &input, &Change::by("test"))
            .await
            .unwrap();
        ids.push(id);
    }
    let (head, _) = store.audit_head().await.unwrap();
    store.close().await;
    testing::forget_data_move(&url, "raid_items").await.unwrap();

    let store = accord_store::connect(&url).await.unwrap();
    let scope = testing::everything();
    let today = d(2011, 7, 21);
    for (n, id) in ids.iter().enumerate() {
        let number = u32::try_from(n).unwrap() + 1;
        let moved = store
            .raid_item(pid, number, &scope, today)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(moved.record_id, *id);
        assert_eq!(moved.version, 2, "the version is kept");
        assert_eq!(
            moved.item,
            RaidItem {
                number,
                ..item.clone()
            }
        );
        let header = store.record(*id, &scope, today).await.unwrap().unwrap();
        assert_eq!(
            header.reference.as_deref(),
            Some(moved.item.reference().as_str())
        );
    }
    // The move wrote no audit entry and the chain still verifies.
    let (after, _) = store.audit_head().await.unwrap();
    assert_eq!(after, head);
    let chain = store.audit_chain(0, 100_000).await.unwrap();
    assert!(verify_chain(&chain, 0, accord_domain::audit::GENESIS_HASH.to_owned()).is_ok());
    store.close().await;
}
