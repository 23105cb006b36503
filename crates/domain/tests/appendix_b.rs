//! The demo projects agree with Appendix B of the Haringey Corporate Committee report of
//! 21 July 2011: each project's cashable savings and the dates of its phases and milestones
//! are the ones the appendix gives, as recorded in `tests/fixtures/appendix_b.json`.

use accord_domain::Money;
use accord_domain::progress_report::{demo_haringey_waltham_forest, demo_report};
use accord_domain::project::{CashableSavings, DatePrecision};
use chrono::{Datelike, NaiveDate};
use serde_json::Value;
use std::collections::BTreeSet;

/// The facts of Appendix B, one object per project, in the appendix's order.
fn appendix_b() -> Vec<Value> {
    let text = include_str!("fixtures/appendix_b.json");
    let fixture: Value = serde_json::from_str(text).expect("the fixture is JSON");
    fixture["projects"]
        .as_array()
        .expect("the fixture lists the projects")
        .clone()
}

/// A date of the demo in the words the fixture uses for the appendix's dates.
fn words(date: NaiveDate, precision: DatePrecision) -> String {
    match precision {
        DatePrecision::Day => date.format("%-d %b %Y").to_string(),
        DatePrecision::Month => date.format("%b %Y").to_string(),
        DatePrecision::EarlyMonth => date.format("early %b %Y").to_string(),
        DatePrecision::EndOfMonth => date.format("end of %b %Y").to_string(),
        DatePrecision::MidYear => format!("mid {}", date.year()),
        // The appendix's "end of the calendar year" is that of the report, 2011.
        DatePrecision::EndOfYear if date.year() == 2011 => "end of the calendar year".to_owned(),
        DatePrecision::EndOfYear => format!("end of {}", date.year()),
    }
}

#[test]
fn demo_matches_the_facts_of_appendix_b() {
    let facts = appendix_b();
    let projects = demo_haringey_waltham_forest();
    assert_eq!(facts.len(), 14);
    assert_eq!(projects.len(), 14);
    for (project, fact) in projects.iter().zip(&facts) {
        let n = project.id;
        assert_eq!(
            fact["number"].as_i64(),
            Some(n),
            "projects in the appendix's order"
        );
        let stated = &fact["cashable_savings"];
        match project.cashable_savings {
            CashableSavings::Amount { amount } => assert_eq!(
                stated.as_str(),
                Some(amount.whole_pounds().as_str()),
                "project {n}: the appendix states {stated}"
            ),
            CashableSavings::Tba => assert_eq!(
                stated.as_str(),
                Some("TBA"),
                "project {n}: the appendix states {stated}, not TBA"
            ),
            CashableSavings::NotStated => assert!(
                stated.is_null(),
                "project {n}: the appendix states {stated}"
            ),
        }
        // Every date of the demo is one the appendix gives, and every date it gives is in the demo.
        let plans = project
            .phases
            .iter()
            .filter_map(|p| p.start)
            .chain(project.milestones.iter().map(|m| m.due));
        let demo_dates: BTreeSet<String> = plans
            .flat_map(|plan| {
                [Some(plan.baseline), plan.forecast, plan.actual]
                    .into_iter()
                    .flatten()
                    .map(move |date| words(date, plan.precision))
            })
            .collect();
        let appendix_dates: BTreeSet<String> = fact["dates"]
            .as_array()
            .unwrap_or_else(|| panic!("project {n}: the fixture lists its dates"))
            .iter()
            .map(|d| d.as_str().expect("dates are words").to_owned())
            .collect();
        assert_eq!(demo_dates, appendix_dates, "project {n}: dates");
        assert!(
            project
                .source
                .as_deref()
                .is_some_and(|s| s.starts_with("Seed 003")),
            "project {n}"
        );
        assert!(
            project.start.is_none(),
            "project {n}: the appendix states no start dates"
        );
    }
    // The four stated figures, exactly.
    let report = demo_report();
    let amounts: Vec<_> = report
        .entries
        .iter()
        .filter_map(|e| e.cashable_savings.amount().map(|a| (e.project, a)))
        .collect();
    assert_eq!(
        amounts,
        vec![
            (1, Money::from_pounds(100_000)),
            (2, Money::from_pounds(100_000)),
            (3, Money::from_pounds(150_000)),
            (8, Money::from_pounds(75_000)),
        ]
    );
    assert_eq!(report.totals.stated_savings, Money::from_pounds(425_000));
    assert_eq!((report.totals.tba, report.totals.not_stated), (5, 5));
}
