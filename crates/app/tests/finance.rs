//! Finance's use cases on both backends: a ledger import with one bad line writes nothing and
//! names the line; a line naming a project of another partnership (or a record that is not
//! there) is refused, naming the field; parallel writers get distinct references; and of two
//! editors working from one version, the second is refused and told why.

#![allow(clippy::unwrap_used)]

use accord_app::finance::funding::{self, FundingCommand};
use accord_app::finance::savings::{self, SavingCommand};
use accord_app::finance::{SavingsFilter, SavingsOrder, Visibility};
use accord_app::list::ListRequest;
use accord_app::{App, AppError, Caller, Clock};
use accord_domain::access::{Action, Role, RoleAssignment, UserAccount};
use accord_domain::finance::funding::{ConditionStatus, FundingAward, Tranche};
use accord_domain::finance::saving::{Recurrence, Saving};
use accord_domain::{FinancialYear, GssCode, Money};
use accord_store::{Change, RecordInput, testing};
use chrono::NaiveDate;
use std::collections::BTreeSet;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2011, 7, 21).unwrap()
}

/// A finance officer of Haringey in `partnership_id`.
fn finance_officer(id: i64, partnership_id: i64) -> Caller {
    Caller::user(
        UserAccount {
            id,
            email: format!("finance{id}@example.test"),
            display_name: format!("Finance officer {id}"),
            home: Some(GssCode::parse("g", "E09000014").unwrap()),
            admin: false,
            disabled: false,
            role_assignments: vec![RoleAssignment {
                partnership_id,
                role: Role::Finance,
            }],
        },
        false,
    )
}

fn line(project: &str, year: i32) -> Saving {
    Saving {
        project: project.to_owned(),
        project_record_id: None,
        milestone: None,
        council: GssCode::parse("g", "E09000014").unwrap(),
        financial_year: FinancialYear::starting(year).unwrap(),
        planned: Money::from_pounds(50_000),
        forecast: None,
        achieved: None,
        cashable: true,
        recurrence: Recurrence::Recurring,
        brag: None,
        in_mtfs: true,
        note: None,
        source: None,
    }
}

fn released(saving: Saving) -> SavingCommand {
    SavingCommand {
        saving,
        visibility: Visibility::Partnership,
    }
}

async fn project(store: &dyn accord_store::Store, partnership_id: i64) -> i64 {
    let meta = accord_domain::access::RecordMeta::published(
        accord_domain::access::Area::Programme,
        Some(partnership_id),
    );
    let input = RecordInput::new(
        "project",
        meta,
        "Payroll",
        &serde_json::json!({"name": "Payroll"}),
    )
    .unwrap();
    store
        .insert_record(&input, &Change::by("test"))
        .await
        .unwrap()
}

async fn ledger_total(app: &App, caller: &Caller, pid: i64) -> i64 {
    savings::ledger(
        app,
        caller,
        pid,
        &SavingsFilter::default(),
        SavingsOrder::Project,
        &ListRequest::default(),
    )
    .await
    .unwrap()
    .page
    .total
}

#[tokio::test]
async fn an_import_with_one_bad_line_writes_nothing_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let pid = testing::two_council_partnership(&*store, "Imports")
            .await
            .unwrap();
        let other = testing::two_council_partnership(&*store, "Elsewhere")
            .await
            .unwrap();
        let elsewhere = project(&*store, other).await;
        let app = App::new(store.clone()).with_clock(Clock::Fixed(today()));
        let caller = finance_officer(1, pid);
        let (head, _) = store.audit_head().await.unwrap();
        // Line 3 is wrong on its own; line 4 names another partnership's project, which only
        // the writing transaction can tell.
        let files = [
            (
                "project,council,financial_year,planned\nHR,Haringey,2011/12,£50000\nHR,Haringey,2011/12,lots\n".to_owned(),
                3,
                "planned",
            ),
            (
                format!(
                    "project,council,financial_year,planned,project_record_id\nHR,Haringey,2011/12,£50000,\nOD,Haringey,2011/12,£1,\nOD,Waltham Forest,2011/12,£1,{elsewhere}\n"
                ),
                4,
                "project_record_id",
            ),
        ];
        for (file, bad_line, field) in files {
            let refused =
                savings::import(&app, &caller, pid, file.as_bytes(), Visibility::Partnership)
                    .await
                    .unwrap_err();
            let AppError::Invalid(invalid) = refused else {
                panic!("{backend}: expected a refusal, got {refused:?}");
            };
            assert_eq!(invalid.errors.len(), 1, "{backend}: {invalid}");
            assert_eq!(
                invalid.errors[0].line,
                Some(bad_line),
                "{backend}: {invalid}"
            );
            assert_eq!(invalid.errors[0].field, field, "{backend}: {invalid}");
            assert_eq!(
                ledger_total(&app, &caller, pid).await,
                0,
                "{backend}: nothing was written"
            );
            assert_eq!(
                store.audit_head().await.unwrap().0,
                head,
                "{backend}: nor audited"
            );
        }
        // The good file imports in one go; importing it again replaces its lines.
        let good = "project,council,financial_year,planned\nHR,Haringey,2011/12,£50000\nHR,Waltham Forest,2011/12,£40000\n";
        let report = savings::import(&app, &caller, pid, good.as_bytes(), Visibility::Partnership)
            .await
            .unwrap();
        assert_eq!((report.created, report.replaced), (2, 0), "{backend}");
        let report = savings::import(&app, &caller, pid, good.as_bytes(), Visibility::Partnership)
            .await
            .unwrap();
        assert_eq!((report.created, report.replaced), (0, 2), "{backend}");
        assert_eq!(ledger_total(&app, &caller, pid).await, 2, "{backend}");
        store.close().await;
    }
}

#[tokio::test]
async fn a_line_naming_a_project_that_is_not_the_partnerships_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let pid = testing::two_council_partnership(&*store, "Links")
            .await
            .unwrap();
        let other = testing::two_council_partnership(&*store, "Elsewhere")
            .await
            .unwrap();
        let ours = project(&*store, pid).await;
        let theirs = project(&*store, other).await;
        let app = App::new(store.clone()).with_clock(Clock::Fixed(today()));
        let paper = store
            .insert_record(
                &RecordInput::new(
                    "paper",
                    accord_domain::access::RecordMeta::published(
                        accord_domain::access::Area::Governance,
                        Some(pid),
                    ),
                    "A paper",
                    &serde_json::json!({}),
                )
                .unwrap(),
                &Change::by("test"),
            )
            .await
            .unwrap();
        let caller = finance_officer(1, pid);
        for (target, why) in [
            (theirs, "another partnership's project"),
            (999_999, "no record"),
            (paper, "not a project"),
        ] {
            let mut s = line("Payroll", 2012);
            s.project_record_id = Some(target);
            let refused = savings::add(&app, &caller, pid, released(s))
                .await
                .unwrap_err();
            let AppError::Invalid(invalid) = refused else {
                panic!("{backend}: {why}: expected a refusal, got {refused:?}");
            };
            assert_eq!(
                invalid.errors[0].field, "project_record_id",
                "{backend}: {why}"
            );
        }
        assert_eq!(ledger_total(&app, &caller, pid).await, 0, "{backend}");
        let mut s = line("Payroll", 2012);
        s.project_record_id = Some(ours);
        s.milestone = Some(1);
        let added = savings::add(&app, &caller, pid, released(s)).await.unwrap();
        assert_eq!(added.reference, "SV-1", "{backend}");
        // Changing it to point elsewhere is refused the same way.
        let mut moved = added.value.clone();
        moved.project_record_id = Some(theirs);
        let refused = savings::change(
            &app,
            &caller,
            pid,
            "SV-1",
            released(moved),
            Some(added.version),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&refused, AppError::Invalid(i) if i.errors[0].field == "project_record_id"),
            "{backend}: {refused:?}"
        );
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_writers_get_distinct_references() {
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
                let caller = finance_officer(100 + client, pid);
                let mut references = Vec::new();
                for i in 0..40 {
                    let s = line(&format!("Project {i} of client {client}"), 2012);
                    let entry = savings::add(&app, &caller, pid, released(s))
                        .await
                        .unwrap_or_else(|e| panic!("client {client}, line {i}: {e}"));
                    references.push(entry.reference);
                }
                references
            }));
        }
        let mut all = Vec::new();
        for client in clients {
            all.extend(client.await.unwrap());
        }
        let distinct: BTreeSet<&String> = all.iter().collect();
        assert_eq!(
            distinct.len(),
            320,
            "{backend}: every reference is distinct"
        );
        let expected: BTreeSet<String> = (1..=320).map(|n| format!("SV-{n}")).collect();
        assert_eq!(
            distinct.into_iter().cloned().collect::<BTreeSet<_>>(),
            expected,
            "{backend}: no gap"
        );
        store.close().await;
    }
}

fn award(drawn: Option<i64>) -> FundingCommand {
    FundingCommand {
        award: FundingAward {
            name: "Capital Ambition funding".into(),
            funder: "Capital Ambition".into(),
            purpose: String::new(),
            business_case_record_id: None,
            tranches: vec![Tranche {
                financial_year: FinancialYear::starting(2011).unwrap(),
                awarded: Money::from_pounds(350_000),
                condition: None,
                condition_status: ConditionStatus::None,
                drawn: drawn.map(Money::from_pounds),
                spent: None,
            }],
            source: None,
        },
        visibility: Visibility::Partnership,
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
        let (first, second) = (finance_officer(1, pid), finance_officer(2, pid));

        // A ledger line.
        let added = savings::add(&app, &first, pid, released(line("Payroll", 2012)))
            .await
            .unwrap();
        let mut changed = added.value.clone();
        changed.achieved = Some(Money::from_pounds(50_000));
        let saved = savings::change(
            &app,
            &first,
            pid,
            &added.reference,
            released(changed.clone()),
            Some(added.version),
        )
        .await
        .unwrap();
        assert_eq!(saved.version, added.version + 1, "{backend}");
        let refused = savings::change(
            &app,
            &second,
            pid,
            &added.reference,
            released(line("Payroll", 2013)),
            Some(added.version),
        )
        .await
        .unwrap_err();
        let AppError::Conflict(message) = refused else {
            panic!("{backend}: expected a conflict, got {refused:?}");
        };
        assert!(
            message.contains("SV-1") && message.contains("changed since you opened it"),
            "{message}"
        );
        let now = savings::get(&app, &second, pid, "SV-1").await.unwrap();
        assert_eq!(now.entry.value, changed, "{backend}: nothing was written");
        let refused = savings::delete(&app, &second, pid, "SV-1", Some(added.version))
            .await
            .unwrap_err();
        assert!(matches!(refused, AppError::Conflict(_)), "{backend}");
        let refused = savings::delete(&app, &second, pid, "SV-1", None)
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, AppError::Invalid(i) if i.errors[0].field == "version"),
            "{backend}"
        );
        savings::delete(&app, &second, pid, "SV-1", Some(now.entry.version))
            .await
            .unwrap();

        // A funding award.
        let recorded = funding::add(&app, &first, pid, award(None)).await.unwrap();
        assert_eq!(recorded.reference, "FA-1", "{backend}");
        funding::change(
            &app,
            &first,
            pid,
            "FA-1",
            award(Some(100_000)),
            Some(recorded.version),
        )
        .await
        .unwrap();
        let refused = funding::change(
            &app,
            &second,
            pid,
            "FA-1",
            award(Some(200_000)),
            Some(recorded.version),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(refused, AppError::Conflict(_)),
            "{backend}: {refused:?}"
        );
        let (now, summary) = funding::get(&app, &second, pid, "FA-1").await.unwrap();
        assert_eq!(summary.drawn, Money::from_pounds(100_000), "{backend}");
        assert_eq!(now.version, recorded.version + 1, "{backend}");
        store.close().await;
    }
}

#[tokio::test]
async fn drafts_stay_with_their_council_and_bad_cursors_are_named() {
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let pid = testing::two_council_partnership(&*store, "Drafts")
            .await
            .unwrap();
        let app = App::new(store.clone()).with_clock(Clock::Fixed(today()));
        let haringey = finance_officer(1, pid);
        let mut waltham = finance_officer(2, pid);
        waltham.actor.home = Some(GssCode::parse("g", "E09000031").unwrap());
        let draft = savings::add(
            &app,
            &haringey,
            pid,
            SavingCommand {
                saving: line("Payroll", 2012),
                visibility: Visibility::Council,
            },
        )
        .await
        .unwrap();
        assert!(draft.may_change, "{backend}");
        assert_eq!(ledger_total(&app, &haringey, pid).await, 1, "{backend}");
        assert_eq!(
            ledger_total(&app, &waltham, pid).await,
            0,
            "{backend}: Haringey's draft"
        );
        let summary = savings::summary(&app, &waltham, pid, &SavingsFilter::default())
            .await
            .unwrap();
        assert_eq!(
            summary.everything.total.planned,
            Money::ZERO,
            "{backend}: not summed for another council"
        );
        assert!(waltham.check(Action::Read, &draft.meta, today()).is_err());
        let refused = savings::get(&app, &waltham, pid, &draft.reference)
            .await
            .unwrap_err();
        assert!(matches!(refused, AppError::NotFound(_)), "{backend}");
        let request = ListRequest::from_query(
            "savings",
            "",
            &accord_app::list::encode_cursor("savings", "not a key"),
        );
        let refused = savings::ledger(
            &app,
            &haringey,
            pid,
            &SavingsFilter::default(),
            SavingsOrder::Project,
            &request.unwrap(),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&refused, AppError::Invalid(i) if i.errors[0].field == "cursor"),
            "{backend}"
        );
        store.close().await;
    }
}
