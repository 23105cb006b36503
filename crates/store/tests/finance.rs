//! Finance's tables answer in SQL exactly as the domain's rules answer in Rust, on both
//! backends: the savings ledger's filters, orders, pages and counts, each line's running totals
//! and the totals by year and council (planned, forecast, achieved, expected, cashable, the
//! savings target, at risk) over generated ledgers. And an instance of an earlier release,
//! whose finance records are JSON in the generic table (funding as kind `grant`), moves them to
//! the tables on connect without changing a record, a version or the audit chain.

#![allow(clippy::unwrap_used)]

use accord_domain::access::{Area, Classification, RecordMeta};
use accord_domain::audit::verify_chain;
use accord_domain::finance::funding::{ConditionStatus, FundingAward, Tranche};
use accord_domain::finance::saving::{self, Brag, Recurrence, Saving, YearTotal};
use accord_domain::{FinancialYear, GssCode, Money};
use accord_store::finance::savings::{
    SavingKey, SavingsFilter, SavingsOrder, SavingsPage, TotalsBy,
};
use accord_store::finance::{Order, Page};
use accord_store::{Change, RecordInput, Store, Stored, testing};
use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use std::collections::BTreeMap;
use std::sync::Arc;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn gss(code: &str) -> GssCode {
    GssCode::parse("gss", code).unwrap()
}

const COUNCILS: [&str; 2] = ["E09000014", "E09000031"];

/// Project names with what "contains, in any case" and byte order must get right.
const PROJECTS: [&str; 5] = [
    "HR shared service",
    "hr payroll",
    "Zoë’s OD",
    "OD & L",
    "Ørsted",
];
const WORDS: [&str; 4] = ["hr", "ZOË", "od &", "ørs"];

fn meta(partnership_id: i64, area: Area) -> RecordMeta {
    RecordMeta {
        area,
        partnership_id: Some(partnership_id),
        owner: None,
        classification: Classification::Partnership,
        embargo: None,
    }
}

fn money(max: i64) -> impl Strategy<Value = Money> {
    (0..=max).prop_map(Money::from_pence)
}

/// A line, linked (maybe) to one of `projects` by its index.
fn line_strategy() -> impl Strategy<Value = (Saving, Option<(usize, Option<u32>)>)> {
    (
        0usize..PROJECTS.len(),
        0usize..COUNCILS.len(),
        2010i32..2015,
        money(5_000_000_000),
        prop::option::of(money(5_000_000_000)),
        prop::option::of(money(5_000_000_000)),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        prop::option::of(prop::sample::select(Brag::ALL.to_vec())),
        prop::option::of((0usize..3, prop::option::of(1u32..4))),
    )
        .prop_map(
            |(
                project,
                council,
                year,
                planned,
                forecast,
                achieved,
                (cashable, one_off, in_mtfs),
                brag,
                link,
            )| {
                let saving = Saving {
                    project: PROJECTS[project].to_owned(),
                    project_record_id: None,
                    milestone: None,
                    council: gss(COUNCILS[council]),
                    financial_year: FinancialYear::starting(year).unwrap(),
                    planned,
                    forecast,
                    achieved,
                    cashable,
                    recurrence: if one_off {
                        Recurrence::OneOff
                    } else {
                        Recurrence::Recurring
                    },
                    brag,
                    in_mtfs,
                    note: None,
                    source: None,
                };
                (saving, link)
            },
        )
}

fn filter_strategy(projects: Vec<i64>) -> impl Strategy<Value = SavingsFilter> {
    (
        prop::option::of(0usize..COUNCILS.len()),
        prop::option::of(2010i32..2015),
        prop::option::of(prop::sample::select(projects)),
        prop::option::of(0usize..WORDS.len()),
        prop::option::of(prop::sample::select(Brag::ALL.to_vec())),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
    )
        .prop_map(
            |(council, year, project, word, brag, in_mtfs, cashable)| SavingsFilter {
                council: council.map(|c| gss(COUNCILS[c])),
                financial_year: year.map(|y| FinancialYear::starting(y).unwrap()),
                project_record_id: project,
                text: word.map(|w| WORDS[w].to_owned()),
                brag,
                in_mtfs,
                cashable,
            },
        )
}

/// The domain's answer: which lines a filter keeps, with each line's shown rating.
fn apply(filter: &SavingsFilter, lines: &[(Stored<Saving>, Brag)]) -> Vec<usize> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, (s, shown))| {
            let v = &s.value;
            let reference = format!("sv-{}", s.number);
            filter.council.as_ref().is_none_or(|c| *c == v.council)
                && filter.financial_year.is_none_or(|y| y == v.financial_year)
                && filter
                    .project_record_id
                    .is_none_or(|p| v.project_record_id == Some(p))
                && filter.text.as_deref().is_none_or(|t| {
                    let t = t.to_lowercase();
                    v.project.to_lowercase().contains(&t) || reference.contains(&t)
                })
                && filter.brag.is_none_or(|b| b == *shown)
                && filter.in_mtfs.is_none_or(|m| m == v.in_mtfs)
                && filter.cashable.is_none_or(|c| c == v.cashable)
        })
        .map(|(i, _)| i)
        .collect()
}

fn ordered(keep: &[usize], lines: &[(Stored<Saving>, Brag)], order: SavingsOrder) -> Vec<usize> {
    let mut out = keep.to_vec();
    let key = |i: &usize| SavingKey::of(&lines[*i].0);
    out.sort_by(|a, b| {
        let (x, y) = (key(a), key(b));
        match order {
            SavingsOrder::Project => (&x.project, &x.council, x.financial_year, x.number).cmp(&(
                &y.project,
                &y.council,
                y.financial_year,
                y.number,
            )),
            SavingsOrder::Year => (x.financial_year, &x.council, &x.project, x.number).cmp(&(
                y.financial_year,
                &y.council,
                &y.project,
                y.number,
            )),
            SavingsOrder::Number => x.number.cmp(&y.number),
        }
    });
    out
}

#[test]
fn sql_ledger_pages_running_totals_and_sums_match_the_domain() {
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
        let mut runner = TestRunner::deterministic();
        let generated: Vec<(Saving, Option<(usize, Option<u32>)>)> = (0..240)
            .map(|_| line_strategy().new_tree(&mut runner).unwrap().current())
            .collect();
        let (pid, projects, lines) = runtime.block_on(async {
            let pid = testing::two_council_partnership(&*store, "Ledger test")
                .await
                .unwrap();
            let mut projects = Vec::new();
            for name in ["Payroll", "Finance systems", "Procurement"] {
                let input = RecordInput::new(
                    "project",
                    meta(pid, Area::Programme),
                    name,
                    &serde_json::json!({"name": name}),
                )
                .unwrap();
                projects.push(
                    store
                        .insert_record(&input, &Change::by("test"))
                        .await
                        .unwrap(),
                );
            }
            let mut tx = store.write().await.unwrap();
            let mut lines = Vec::new();
            for (mut saving, link) in generated {
                if let Some((p, milestone)) = link {
                    saving.project_record_id = Some(projects[p]);
                    saving.milestone = milestone;
                }
                let stored = tx
                    .insert_saving(&meta(pid, Area::Finance), &saving, &Change::by("test"))
                    .await
                    .unwrap();
                assert_eq!(stored.value, saving);
                lines.push(stored);
            }
            tx.commit().await.unwrap();
            (pid, projects, lines)
        });
        let scope = testing::everything();
        let mut runner = TestRunner::new(Config {
            cases: 160,
            ..Config::default()
        });
        let slipped_strategy = prop::collection::vec((0usize..3, 1u32..4), 0..4);
        let orders = prop::sample::select(vec![
            SavingsOrder::Project,
            SavingsOrder::Year,
            SavingsOrder::Number,
        ]);
        runner
            .run(
                &(
                    filter_strategy(projects.clone()),
                    slipped_strategy,
                    orders,
                    1i64..60,
                    0usize..80,
                ),
                |(filter, slipped, order, limit, offset)| {
                    let slipped: Vec<(i64, u32)> =
                        slipped.iter().map(|(p, m)| (projects[*p], *m)).collect();
                    // The domain rates each line, counting slipped milestones.
                    let rated: Vec<(Stored<Saving>, Brag)> = lines
                        .iter()
                        .map(|s| {
                            let v = &s.value;
                            let slip = match (v.project_record_id, v.milestone) {
                                (Some(p), Some(m)) if slipped.contains(&(p, m)) => {
                                    Some("milestone")
                                }
                                _ => None,
                            };
                            (s.clone(), saving::status(v, slip).brag)
                        })
                        .collect();
                    let keep = apply(&filter, &rated);
                    let want = ordered(&keep, &rated, order);
                    let page = SavingsPage {
                        order,
                        after: None,
                        offset: offset as i64,
                        limit,
                    };
                    let after = want.get(offset).map(|i| SavingKey::of(&rated[*i].0));
                    let keyset = SavingsPage {
                        order,
                        after: after.clone(),
                        offset: 0,
                        limit,
                    };
                    let (rows, next, count, totals, years, everything) = runtime.block_on(async {
                        let rows = store
                            .savings(pid, &filter, &page, &slipped, &scope, today)
                            .await
                            .unwrap();
                        let next = store
                            .savings(pid, &filter, &keyset, &slipped, &scope, today)
                            .await
                            .unwrap();
                        let count = store
                            .count_savings(pid, &filter, &slipped, &scope, today)
                            .await
                            .unwrap();
                        let totals = store
                            .savings_totals(
                                pid,
                                &filter,
                                &slipped,
                                TotalsBy::YearAndCouncil,
                                &scope,
                                today,
                            )
                            .await
                            .unwrap();
                        let years = store
                            .savings_totals(pid, &filter, &slipped, TotalsBy::Year, &scope, today)
                            .await
                            .unwrap();
                        let everything = store
                            .savings_totals(
                                pid,
                                &filter,
                                &slipped,
                                TotalsBy::Everything,
                                &scope,
                                today,
                            )
                            .await
                            .unwrap();
                        (rows, next, count, totals, years, everything)
                    });
                    let numbers = |rows: &[accord_store::finance::savings::LedgerRow]| -> Vec<u32> {
                        rows.iter().map(|r| r.line.number).collect()
                    };
                    let expect = |from: usize| -> Vec<u32> {
                        want.iter()
                            .skip(from)
                            .take(limit as usize)
                            .map(|i| rated[*i].0.number)
                            .collect()
                    };
                    prop_assert_eq!(numbers(&rows), expect(offset), "{}: page", backend);
                    if after.is_some() {
                        prop_assert_eq!(
                            numbers(&next),
                            expect(offset + 1),
                            "{}: keyset page",
                            backend
                        );
                    }
                    prop_assert_eq!(count, keep.len() as i64, "{}: count", backend);

                    // Running totals run over every line, in year order per project and council.
                    let all: Vec<Saving> = lines.iter().map(|s| s.value.clone()).collect();
                    let running = saving::cumulative(&all);
                    for row in &rows {
                        let i = lines
                            .iter()
                            .position(|s| s.number == row.line.number)
                            .unwrap();
                        let mut c = row.cumulative.clone();
                        c.index = i;
                        prop_assert_eq!(
                            &c,
                            &running[i],
                            "{}: running totals of line {}",
                            backend,
                            row.line.number
                        );
                        prop_assert_eq!(row.shown, rated[i].1, "{}: rating shown", backend);
                    }

                    // The sums by year and council are the domain's.
                    let kept: Vec<Saving> =
                        keep.iter().map(|i| rated[*i].0.value.clone()).collect();
                    let red: Vec<bool> = keep.iter().map(|i| rated[*i].1 == Brag::Red).collect();
                    let domain = saving::totals_by_year(&kept, &red);
                    let mut sql: BTreeMap<FinancialYear, BTreeMap<GssCode, YearTotal>> =
                        BTreeMap::new();
                    for t in &totals {
                        sql.entry(t.financial_year.unwrap())
                            .or_default()
                            .insert(t.council.clone().unwrap(), t.total.clone());
                    }
                    prop_assert_eq!(&sql, &domain, "{}: totals by year and council", backend);
                    for y in &years {
                        let year = y.financial_year.unwrap();
                        let mut sum = YearTotal::default();
                        for t in domain[&year].values() {
                            sum.planned += t.planned;
                            sum.forecast += t.forecast;
                            sum.achieved += t.achieved;
                            sum.expected += t.expected;
                            sum.cashable += t.cashable;
                            sum.savings_target += t.savings_target;
                            sum.at_risk += t.at_risk;
                        }
                        prop_assert_eq!(&y.total, &sum, "{}: totals of {}", backend, year);
                    }
                    prop_assert_eq!(everything.len(), 1);
                    prop_assert_eq!(everything[0].lines, keep.len() as i64);
                    let planned: Money = kept.iter().map(|s| s.planned).sum();
                    prop_assert_eq!(
                        everything[0].total.planned,
                        planned,
                        "{}: everything",
                        backend
                    );
                    Ok(())
                },
            )
            .unwrap();
        runtime.block_on(store.close());
    }
}

#[tokio::test]
async fn funding_totals_are_the_domain_sums() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let pid = testing::two_council_partnership(&*store, "Funding test")
            .await
            .unwrap();
        let year = |y| FinancialYear::starting(y).unwrap();
        let award = |name: &str, second: ConditionStatus, drawn: Option<i64>| FundingAward {
            name: name.into(),
            funder: "Capital Ambition".into(),
            purpose: String::new(),
            business_case_record_id: None,
            tranches: vec![
                Tranche {
                    financial_year: year(2011),
                    awarded: Money::from_pounds(350_000),
                    condition: None,
                    condition_status: ConditionStatus::None,
                    drawn: drawn.map(Money::from_pounds),
                    spent: None,
                },
                Tranche {
                    financial_year: year(2012),
                    awarded: Money::from_pounds(400_000),
                    condition: Some("subject to satisfactory progress".into()),
                    condition_status: second,
                    drawn: None,
                    spent: None,
                },
            ],
            source: None,
        };
        let awards = [
            award("One", ConditionStatus::Pending, None),
            award("Two", ConditionStatus::Met, Some(100_000)),
            award("Three", ConditionStatus::NotMet, Some(350_000)),
        ];
        let mut tx = store.write().await.unwrap();
        let mut ids = Vec::new();
        for a in &awards {
            a.validate().unwrap();
            ids.push(
                tx.insert_funding_award(&meta(pid, Area::Finance), a, &Change::by("test"))
                    .await
                    .unwrap()
                    .record_id,
            );
        }
        tx.commit().await.unwrap();
        let scope = testing::everything();
        let today = d(2011, 7, 21);
        let totals = store
            .funding_totals(pid, &Default::default(), &scope, today)
            .await
            .unwrap();
        for (id, award) in ids.iter().zip(&awards) {
            let got = totals.iter().find(|(a, _)| *a == Some(*id)).unwrap().1;
            assert_eq!(got, award.summary(), "{backend}: {}", award.name);
        }
        let all = totals.iter().find(|(a, _)| a.is_none()).unwrap().1;
        assert_eq!(all.awarded, Money::from_pounds(3 * 750_000), "{backend}");
        assert_eq!(all.conditional, Money::from_pounds(400_000), "{backend}");
        assert_eq!(all.withdrawn, Money::from_pounds(400_000), "{backend}");
        assert!(all.drawn_not_stated, "{backend}");
        let listed = store
            .funding_awards(
                pid,
                &Default::default(),
                &Page {
                    order: Order::Name,
                    limit: 10,
                    ..Page::default()
                },
                &scope,
                today,
            )
            .await
            .unwrap();
        let names: Vec<&str> = listed.iter().map(|s| s.value.name.as_str()).collect();
        assert_eq!(names, ["One", "Three", "Two"], "{backend}");
        assert_eq!(
            listed[0].value, awards[0],
            "{backend}: tranches kept in order"
        );
        store.close().await;
    }
}

/// A fresh database on each backend the tests may use, by URL.
async fn urls(dir: &std::path::Path) -> Vec<String> {
    let mut urls = vec![testing::sqlite_url(dir)];
    if let Ok(server) = std::env::var(testing::TEST_DATABASE_URL)
        && !server.trim().is_empty()
    {
        urls.push(testing::postgres_url(&server).await.unwrap());
    }
    urls
}

#[tokio::test]
async fn an_earlier_release_moves_its_finance_records_on_connect() {
    let dir = tempfile::tempdir().unwrap();
    for url in urls(dir.path()).await {
        moves_on_connect(&url).await;
    }
}

async fn moves_on_connect(url: &str) {
    let url = url.to_owned();
    let store = accord_store::connect(&url).await.unwrap();
    let pid = testing::two_council_partnership(&*store, "Finance move")
        .await
        .unwrap();
    let change = Change::by("test");
    let finance = meta(pid, Area::Finance);
    let project = store
        .insert_record(
            &RecordInput::new(
                "project",
                meta(pid, Area::Programme),
                "Payroll",
                &serde_json::json!({"name": "Payroll"}),
            )
            .unwrap(),
            &change,
        )
        .await
        .unwrap();
    // As the earlier release wrote them: JSON bodies in the generic table, each changed once.
    let case = serde_json::json!({
        "case": {"name": "HR shared service centre", "councils": ["E09000014", "E09000031"], "base_year": "2011/12",
                 "options": [{"name": "Status quo", "status_quo": true}, {"name": "Share"}]},
        "savings_stated": "£100,000 a year",
        "appraisal": {"preferred_option": "Share", "options": [
            {"name": "Status quo", "status_quo": true, "financial_npv": 0.0},
            {"name": "Share", "financial_npv": 631660.53}]}
    });
    let allocation = serde_json::json!({
        "title": "Running costs", "councils": ["E09000014", "E09000031"], "joining": ["E09000031"],
        "cost": {"E09000014": 100.0, "E09000031": 80.0, "E09000014+E09000031": 150.0}, "driver": "population",
        "result": {"core": {"empty": false}}
    });
    let line = |project_record_id: Option<i64>| {
        serde_json::json!({
            "project": "Payroll", "project_record_id": project_record_id, "milestone": project_record_id.map(|_| 1),
            "council": "E09000014", "financial_year": "2012/13", "target": 5_000_000, "actual": 4_000_000,
            "cashable": true, "recurrence": "recurring", "in_mtfs": true
        })
    };
    let grant = serde_json::json!({
        "name": "Capital Ambition funding", "funder": "Capital Ambition",
        "tranches": [{"financial_year": "2011/12", "awarded": 35_000_000},
                     {"financial_year": "2012/13", "awarded": 40_000_000, "condition": "subject to satisfactory progress", "condition_status": "pending"}]
    });
    let mut ids = Vec::new();
    for (kind, title, body) in [
        ("business_case", "HR shared service centre", case),
        ("allocation", "Running costs", allocation),
        ("saving", "Payroll – E09000014 2012/13", line(Some(project))),
        // A link to a record that is not a project of the partnership is dropped by the move.
        ("saving", "Payroll – E09000014 2012/13", line(Some(999_999))),
        ("grant", "Capital Ambition funding", grant),
    ] {
        let input = RecordInput::new(kind, finance.clone(), title, &body).unwrap();
        let id = store.insert_record(&input, &change).await.unwrap();
        store
            .update_record(id, Some(1), &input, &change)
            .await
            .unwrap();
        ids.push((kind, id));
    }
    let (head, _) = store.audit_head().await.unwrap();
    store.close().await;
    testing::forget_data_move(&url, "finance").await.unwrap();

    let store = accord_store::connect(&url).await.unwrap();
    let scope = testing::everything();
    let today = d(2011, 7, 21);
    let case = store
        .business_case(pid, 1, &scope, today)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (case.record_id, case.version),
        (ids[0].1, 2),
        "the version is kept"
    );
    assert_eq!(case.value.name, "HR shared service centre");
    assert_eq!(
        case.value.councils,
        vec![gss("E09000014"), gss("E09000031")]
    );
    assert_eq!(
        case.value.projected_saving.as_deref(),
        Some("£100,000 a year")
    );
    assert_eq!(case.value.preferred_option.as_deref(), Some("Share"));
    assert_eq!(
        case.value.financial_npv,
        Some(Money::from_pence(63_166_053))
    );
    let allocation = store
        .allocation(pid, 1, &scope, today)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(allocation.value.joining, vec![gss("E09000031")]);
    assert_eq!(allocation.value.inputs["cost"]["E09000014"], 100.0);
    let linked = store.saving(pid, 1, &scope, today).await.unwrap().unwrap();
    assert_eq!(linked.value.planned, Money::from_pence(5_000_000));
    assert_eq!(linked.value.achieved, Some(Money::from_pence(4_000_000)));
    assert_eq!(
        (linked.value.project_record_id, linked.value.milestone),
        (Some(project), Some(1))
    );
    let dangling = store.saving(pid, 2, &scope, today).await.unwrap().unwrap();
    assert_eq!(
        (dangling.value.project_record_id, dangling.value.milestone),
        (None, None)
    );
    let award = store
        .funding_award(pid, 1, &scope, today)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(award.record_id, ids[4].1);
    assert_eq!(award.value.tranches.len(), 2);
    assert_eq!(
        award.value.summary().conditional,
        Money::from_pounds(400_000)
    );
    for (n, (kind, id)) in ids.iter().enumerate() {
        let header = store.record(*id, &scope, today).await.unwrap().unwrap();
        assert_eq!(header.version, 2, "{kind}");
        let (want_kind, reference) = match n {
            0 => ("business_case", "BC-1"),
            1 => ("allocation", "AL-1"),
            2 => ("saving", "SV-1"),
            3 => ("saving", "SV-2"),
            _ => ("funding_award", "FA-1"),
        };
        assert_eq!(header.kind, want_kind);
        assert_eq!(header.reference.as_deref(), Some(reference), "{kind}");
        assert_eq!(
            header.body,
            serde_json::Value::Null,
            "{kind}: the body moved"
        );
    }
    // The move wrote no audit entry and the chain still verifies.
    let (after, _) = store.audit_head().await.unwrap();
    assert_eq!(after, head);
    let chain = store.audit_chain(0, 100_000).await.unwrap();
    assert!(verify_chain(&chain, 0, accord_domain::audit::GENESIS_HASH.to_owned()).is_ok());
    store.close().await;
}
