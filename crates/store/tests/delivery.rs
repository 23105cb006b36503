//! Delivery's tables answer in SQL what the domain's rules answer in Rust, on both backends:
//! which projects have a date beyond tolerance (and how many), which match a filter, in which
//! order, page by page; every project reads back as it was written; and an instance of an
//! earlier release, whose delivery records are JSON in the generic table, moves them to the
//! tables on connect without changing a record, a version or the audit chain.

#![allow(clippy::unwrap_used)]

use accord_domain::access::{Area, Classification, RecordMeta};
use accord_domain::audit::verify_chain;
use accord_domain::board::CabinetApprovals;
use accord_domain::highlight_report::{self, HighlightReport};
use accord_domain::progress_report;
use accord_domain::project::{
    Activity, CashableSavings, DatePlan, DatePrecision, EngagementTrack, Milestone, MilestoneKind,
    Outcome, Phase, PhaseStatus, Project, ProjectFilter, ProjectSize, Stage, StagePlan,
};
use accord_domain::{GssCode, Money};
use accord_store::delivery::{ProjectAfter, ProjectOrder, ProjectPage, ProjectSummary};
use accord_store::{Change, RecordInput, Store, testing};
use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use std::collections::BTreeSet;
use std::sync::Arc;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Day `n` from 1 January 2010: every generated date has a four-digit year.
fn day(n: i64) -> NaiveDate {
    d(2010, 1, 1) + chrono::Duration::days(n)
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

const PRECISIONS: [DatePrecision; 6] = [
    DatePrecision::Day,
    DatePrecision::Month,
    DatePrecision::EarlyMonth,
    DatePrecision::EndOfMonth,
    DatePrecision::MidYear,
    DatePrecision::EndOfYear,
];

/// Names with the cases "contains, in any case" must get right.
const NAMES: [&str; 7] = [
    "Legal Services",
    "legal and democratic",
    "Économie locale",
    "HR_1 payroll",
    "50% share of audit",
    "İlkay's project",
    "Revenues and Benefits",
];

/// A date plan as sources and users give them: any precision, a forecast and an actual either
/// side of the baseline, not always normalised to the precision.
fn plan_strategy() -> impl Strategy<Value = DatePlan> {
    (
        0i64..1500,
        prop::option::of(-120i64..400),
        prop::option::of(-120i64..300),
        0usize..6,
    )
        .prop_map(|(b, f, a, p)| DatePlan {
            baseline: day(b),
            forecast: f.map(|f| day(b + f)),
            actual: a.map(|a| day(b + a)),
            precision: PRECISIONS[p],
        })
}

fn project_strategy() -> impl Strategy<Value = Project> {
    (
        (0usize..=4, prop::collection::vec(plan_strategy(), 4)),
        prop::collection::vec((prop::option::of(plan_strategy()), 0usize..3), 0..4),
        prop::collection::vec((plan_strategy(), 0usize..3), 0..6),
        (0u32..60, 0usize..NAMES.len(), 0usize..3, 0usize..4),
        prop::option::of(0i64..1400),
    )
        .prop_map(
            |((stages, plans), phases, milestones, (tolerance, name, size, outcome), start)| {
                let councils = vec![
                    GssCode::parse("g", "E09000014").unwrap(),
                    GssCode::parse("g", "E09000031").unwrap(),
                ];
                Project {
                    id: 0,
                    name: NAMES[name].to_owned(),
                    size: [None, Some(ProjectSize::Small), Some(ProjectSize::Large)][size],
                    councils: councils.clone(),
                    start: start.map(day),
                    tolerance_days: tolerance,
                    stages: Stage::ALL
                        .iter()
                        .zip(plans)
                        .take(stages)
                        .map(|(stage, due)| StagePlan {
                            stage: *stage,
                            due,
                            activities: vec![
                                Activity {
                                    name: format!("Plan {}", stage.slug()),
                                    track: None,
                                    done_on: due.actual,
                                },
                                Activity {
                                    name: "Tell the staff".into(),
                                    track: Some(EngagementTrack::Staff),
                                    done_on: None,
                                },
                            ],
                            gate: (*stage == Stage::DefineStrategy)
                                .then(|| CabinetApprovals::for_councils(&councils)),
                        })
                        .collect(),
                    phases: phases
                        .into_iter()
                        .enumerate()
                        .map(|(i, (start, status))| Phase {
                            number: u32::try_from(i).unwrap() + 1,
                            name: format!("Phase {}", i + 1),
                            description: "A step".into(),
                            status: [
                                PhaseStatus::Planned,
                                PhaseStatus::Underway,
                                PhaseStatus::Complete,
                            ][status],
                            start,
                            note: (i == 1).then(|| "Moved".to_owned()),
                        })
                        .collect(),
                    milestones: milestones
                        .into_iter()
                        .enumerate()
                        .map(|(i, (due, kind))| Milestone {
                            number: u32::try_from(i).unwrap() + 1,
                            name: format!("Milestone {}", i + 1),
                            kind: [
                                MilestoneKind::Delivery,
                                MilestoneKind::Decision,
                                MilestoneKind::Review,
                            ][kind],
                            stage: (kind == 1).then_some(Stage::CreateDesign),
                            phase: None,
                            due,
                            note: None,
                        })
                        .collect(),
                    opportunity: "Share it".into(),
                    opportunity_id: None,
                    implementation: String::new(),
                    cashable_savings: [
                        CashableSavings::NotStated,
                        CashableSavings::Tba,
                        CashableSavings::Amount {
                            amount: Money::from_pounds(75_000),
                        },
                        CashableSavings::NotStated,
                    ][outcome],
                    non_cashable_benefits: vec!["Resilience".into()],
                    outcome: [
                        Outcome::BeingImplemented,
                        Outcome::UnderEvaluation,
                        Outcome::ReEvaluate {
                            when: "at the year end".into(),
                        },
                        Outcome::NotStated,
                    ][outcome]
                        .clone(),
                    source: None,
                }
            },
        )
}

fn filter_strategy() -> impl Strategy<Value = ProjectFilter> {
    let needle = prop::sample::select(vec![
        "",
        "legal",
        "LEGAL",
        "économie",
        "ÉCONOMIE",
        "_",
        "%",
        "hr_1",
        "i",
        "İ",
        "audit",
    ]);
    (
        needle,
        prop::option::of(0usize..4),
        prop::option::of(0usize..2),
        any::<bool>(),
        prop::option::of((0i64..1500, 0i64..90)),
    )
        .prop_map(|(text, outcome, size, beyond, due)| ProjectFilter {
            text: Some(text.to_owned()).filter(|t| !t.is_empty()),
            outcome: outcome.map(|o| {
                [
                    "being-implemented",
                    "under-evaluation",
                    "re-evaluate",
                    "not-stated",
                ][o]
                    .to_owned()
            }),
            size: size.map(|s| [ProjectSize::Small, ProjectSize::Large][s]),
            beyond_tolerance: beyond,
            due: due.map(|(from, len)| (day(from), day(from + len))),
        })
}

/// Reads every page of a list in `order`, a keyset page of `limit` at a time.
async fn keyset_pages(
    store: &dyn Store,
    pid: i64,
    filter: &ProjectFilter,
    order: ProjectOrder,
    limit: i64,
    today: NaiveDate,
) -> Vec<u32> {
    let scope = testing::everything();
    let mut after = None;
    let mut out = Vec::new();
    loop {
        let page = store
            .projects(
                pid,
                filter,
                &ProjectPage {
                    order,
                    after: after.clone(),
                    offset: 0,
                    limit,
                },
                &scope,
                today,
            )
            .await
            .unwrap();
        let Some(last) = page.last() else {
            return out;
        };
        after = Some(match order {
            ProjectOrder::Number => ProjectAfter::Number(last.number),
            ProjectOrder::Name => ProjectAfter::Name(last.name.to_lowercase(), last.number),
            ProjectOrder::Start => ProjectAfter::Start(last.start, last.number),
        });
        out.extend(page.iter().map(|p| p.number));
    }
}

#[test]
fn sql_beyond_tolerance_filters_and_pages_match_the_domain() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stores = runtime.block_on(testing::stores(dir.path())).unwrap();
    for (backend, store) in stores {
        let store: Arc<dyn Store> = store;
        // A programme of 80 generated projects, written as the use cases write them.
        let mut runner = TestRunner::deterministic();
        let projects: Vec<Project> = (0..80)
            .map(|_| project_strategy().new_tree(&mut runner).unwrap().current())
            .collect();
        let (pid, stored) = runtime.block_on(async {
            let pid = testing::two_council_partnership(&*store, "Delivery test")
                .await
                .unwrap();
            let mut tx = store.write().await.unwrap();
            let mut stored = Vec::new();
            for project in projects {
                let number = tx.last_project_number(pid).await.unwrap() + 1;
                let s = tx
                    .insert_project(&meta(pid), number, &project, &Change::by("test"))
                    .await
                    .unwrap();
                assert_eq!(
                    s.project,
                    Project {
                        id: s.record_id,
                        ..project
                    }
                );
                stored.push(s);
            }
            tx.commit().await.unwrap();
            // Every project reads back whole as written, one by one and as a programme.
            let scope = testing::everything();
            let today = d(2011, 7, 21);
            for s in &stored {
                let read = store.project(pid, s.number, &scope, today).await.unwrap();
                assert_eq!(read.as_ref(), Some(s), "{backend}: project {}", s.number);
            }
            let programme = store.programme(pid, &scope, today).await.unwrap();
            assert_eq!(programme.len(), stored.len());
            for (read, s) in programme.iter().zip(&stored) {
                let mut without = s.project.clone();
                for stage in &mut without.stages {
                    stage.activities.clear();
                }
                assert_eq!(read.project, without, "{backend}: the programme's reading");
            }
            (pid, stored)
        });
        let scope = testing::everything();
        let mut runner = TestRunner::new(Config {
            cases: 96,
            ..Config::default()
        });
        runner
            .run(
                &(filter_strategy(), 0i64..2000, 1i64..30, 0i64..20),
                |(filter, today, limit, offset)| {
                    let today = day(today);
                    let expected: Vec<&accord_store::delivery::StoredProject> = stored
                        .iter()
                        .filter(|s| filter.matches(&s.project, today))
                        .collect();
                    let beyond: BTreeSet<i64> = stored
                        .iter()
                        .filter(|s| !s.project.exceptions(today).is_empty())
                        .map(|s| s.record_id)
                        .collect();
                    let (all, page, count, swept, by_name, by_start, by_number) =
                        runtime.block_on(async {
                            let all = store
                                .projects(
                                    pid,
                                    &filter,
                                    &ProjectPage {
                                        limit: 1000,
                                        ..ProjectPage::default()
                                    },
                                    &scope,
                                    today,
                                )
                                .await
                                .unwrap();
                            let page = store
                                .projects(
                                    pid,
                                    &filter,
                                    &ProjectPage {
                                        offset,
                                        limit,
                                        ..ProjectPage::default()
                                    },
                                    &scope,
                                    today,
                                )
                                .await
                                .unwrap();
                            let count = store
                                .count_projects(pid, &filter, &scope, today)
                                .await
                                .unwrap();
                            let mut tx = store.write().await.unwrap();
                            let swept: BTreeSet<i64> = tx
                                .projects_beyond_tolerance(Some(pid), today)
                                .await
                                .unwrap()
                                .into_iter()
                                .collect();
                            drop(tx);
                            let pages =
                                |order| keyset_pages(&*store, pid, &filter, order, limit, today);
                            (
                                all,
                                page,
                                count,
                                swept,
                                pages(ProjectOrder::Name).await,
                                pages(ProjectOrder::Start).await,
                                pages(ProjectOrder::Number).await,
                            )
                        });
                    let numbers = |rows: &[ProjectSummary]| -> Vec<u32> {
                        rows.iter().map(|r| r.number).collect()
                    };
                    let want: Vec<u32> = expected.iter().map(|s| s.number).collect();
                    prop_assert_eq!(numbers(&all), want.clone(), "{}: {:?}", backend, filter);
                    prop_assert_eq!(count, want.len() as i64, "{}: count", backend);
                    let want_page: Vec<u32> = want
                        .iter()
                        .skip(usize::try_from(offset).unwrap())
                        .take(usize::try_from(limit).unwrap())
                        .copied()
                        .collect();
                    prop_assert_eq!(numbers(&page), want_page, "{}: page", backend);
                    // SQL's "beyond tolerance" is the domain's exceptions, item for item.
                    prop_assert_eq!(&swept, &beyond, "{}: the sweep on {}", backend, today);
                    for row in &all {
                        let s = stored.iter().find(|s| s.number == row.number).unwrap();
                        prop_assert_eq!(
                            row.exceptions as usize,
                            s.project.exceptions(today).len(),
                            "{}: exceptions of {} on {}",
                            backend,
                            row.number,
                            today
                        );
                    }
                    // Keyset pages in every order hold every match once, in order.
                    prop_assert_eq!(&by_number, &want, "{}: keyset by number", backend);
                    for (order, got) in [("name", &by_name), ("start", &by_start)] {
                        let mut sorted = got.clone();
                        sorted.sort_unstable();
                        let mut want_sorted = want.clone();
                        want_sorted.sort_unstable();
                        prop_assert_eq!(sorted, want_sorted, "{}: keyset by {}", backend, order);
                    }
                    let start_of = |n: &u32| stored[*n as usize - 1].project.start;
                    let starts: Vec<(bool, Option<NaiveDate>, u32)> = by_start
                        .iter()
                        .map(|n| (start_of(n).is_none(), start_of(n), *n))
                        .collect();
                    let mut sorted = starts.clone();
                    sorted.sort();
                    prop_assert_eq!(starts, sorted, "{}: by start, none last", backend);
                    Ok(())
                },
            )
            .unwrap();
        runtime.block_on(store.close());
    }
}

#[tokio::test]
async fn an_earlier_release_moves_its_delivery_records_on_connect() {
    let dir = tempfile::tempdir().unwrap();
    let url = testing::sqlite_url(dir.path());
    let store = accord_store::connect(&url).await.unwrap();
    let pid = testing::two_council_partnership(&*store, "Earlier release")
        .await
        .unwrap();
    let change = Change::by("test");
    // As the earlier release wrote them: JSON bodies in the generic table, each changed once.
    let mut projects = Vec::new();
    for project in progress_report::demo_haringey_waltham_forest()
        .into_iter()
        .take(3)
    {
        let input = RecordInput::new("project", meta(pid), project.name.clone(), &project)
            .unwrap()
            .status(project.outcome.slug())
            .key_date(project.start);
        let id = store.insert_record(&input, &change).await.unwrap();
        store
            .update_record(id, Some(1), &input, &change)
            .await
            .unwrap();
        projects.push((id, project));
    }
    let (economic, first) = projects[0].clone();
    let today = progress_report::demo_as_at();
    let first = Project {
        id: economic,
        ..first
    };
    let notice = first.exceptions(today)[0].notice(today);
    let escalation = store
        .insert_record(
            &RecordInput::new("escalation", meta(pid), notice.title.clone(), &notice)
                .unwrap()
                .parent(economic)
                .status("open")
                .key_date(Some(today)),
            &change,
        )
        .await
        .unwrap();
    let mut reports = Vec::new();
    for _ in 0..2 {
        let mut report =
            HighlightReport::new(&first, highlight_report::demo_published().unwrap().draft)
                .unwrap();
        report.publish(&first, today).unwrap();
        let id = store
            .insert_record(
                &RecordInput::new("highlight_report", meta(pid), "A report", &report)
                    .unwrap()
                    .parent(economic)
                    .status("published"),
                &change,
            )
            .await
            .unwrap();
        reports.push((id, report));
    }
    let snapshot = progress_report::publish(
        progress_report::build("Update", std::slice::from_ref(&first), today),
        1,
        today,
    )
    .unwrap();
    let progress = store
        .insert_record(
            &RecordInput::new(
                "progress_report",
                meta(pid),
                "Update (version 1)",
                &snapshot,
            )
            .unwrap()
            .status("published"),
            &change,
        )
        .await
        .unwrap();
    let (head, _) = store.audit_head().await.unwrap();
    store.close().await;
    testing::forget_data_move(&url, "delivery").await.unwrap();

    let store = accord_store::connect(&url).await.unwrap();
    let scope = testing::everything();
    for (n, (id, project)) in projects.iter().enumerate() {
        let number = u32::try_from(n).unwrap() + 1;
        let moved = store
            .project(pid, number, &scope, today)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(moved.record_id, *id, "numbered in the order they were made");
        assert_eq!(moved.version, 2, "the version is kept");
        assert_eq!(
            moved.project,
            Project {
                id: *id,
                ..project.clone()
            }
        );
        let header = store.record(*id, &scope, today).await.unwrap().unwrap();
        assert_eq!(header.reference, Some(format!("P-{number}")));
        assert_eq!(header.body, serde_json::Value::Null);
    }
    let moved = store
        .escalation_by_id(escalation, &scope, today)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.notice, notice);
    assert_eq!(moved.project_id, economic);
    for (n, (id, report)) in reports.iter().enumerate() {
        let moved = store
            .highlight_report(economic, u32::try_from(n).unwrap() + 1, &scope, today)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(moved.record_id, *id);
        assert_eq!(&moved.report, report);
        assert_eq!(moved.reference(), format!("P-1/{}", n + 1));
    }
    let moved = store
        .progress_report(pid, 1, &scope, today)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.record_id, progress);
    assert_eq!(moved.snapshot, snapshot);
    // The move wrote no audit entry and the chain still verifies.
    let (after, _) = store.audit_head().await.unwrap();
    assert_eq!(after, head);
    let chain = store.audit_chain(0, 100_000).await.unwrap();
    assert!(verify_chain(&chain, 0, accord_domain::audit::GENESIS_HASH.to_owned()).is_ok());
    store.close().await;
}

/// The database holds what it can: a project's milestone numbers, and one escalation per item.
#[tokio::test]
async fn the_tables_refuse_repeated_numbers_and_escalations() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let pid = testing::two_council_partnership(&*store, "Constraints")
            .await
            .unwrap();
        let change = Change::by("test");
        let project = progress_report::demo_haringey_waltham_forest().remove(1);
        let mut tx = store.write().await.unwrap();
        let stored = tx
            .insert_project(&meta(pid), 1, &project, &change)
            .await
            .unwrap();
        let today = progress_report::demo_as_at();
        let notice = stored.project.exceptions(today)[0].notice(today);
        tx.insert_escalation(&stored, &notice, &change)
            .await
            .unwrap();
        let again = tx.insert_escalation(&stored, &notice, &change).await;
        assert!(
            matches!(again, Err(accord_store::StoreError::Conflict(_))),
            "{backend}: {again:?}"
        );
        drop(tx);
        let mut tx = store.write().await.unwrap();
        let stored = tx
            .insert_project(&meta(pid), 1, &project, &change)
            .await
            .unwrap();
        let mut twice = project.milestones[0].clone();
        twice.name = "The same number".into();
        let mut repeated = project.clone();
        repeated.milestones.push(twice);
        let refused = tx.update_project(&stored, &repeated, &change).await;
        assert!(
            matches!(refused, Err(accord_store::StoreError::Conflict(_))),
            "{backend}: {refused:?}"
        );
        drop(tx);
        let mut tx = store.write().await.unwrap();
        tx.insert_project(&meta(pid), 1, &project, &change)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        let taken = tx.insert_project(&meta(pid), 1, &project, &change).await;
        assert!(
            matches!(taken, Err(accord_store::StoreError::Conflict(_))),
            "{backend}: {taken:?}"
        );
        drop(tx);
        store.close().await;
    }
}
