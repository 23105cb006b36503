//! Runs every example input under `docs/schemas/examples/` through the JSON entry points,
//! so the documented formats stay true.

use accord_analytics::cli;
use accord_domain::Money;
use std::path::Path;

fn example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/schemas/examples")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn every_example_is_covered() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schemas/examples");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("allocate-") || name.starts_with("appraise-"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "allocate-table.json",
            "allocate-third-partner-joins.json",
            "appraise-deterministic.json",
            "appraise-ranges.json"
        ]
    );
}

#[test]
fn deterministic_appraisal_gives_the_exact_npv() {
    let a = cli::appraise(&example("appraise-deterministic.json"), &|_, _| {}).unwrap();
    let share = &a.options[1];
    assert_eq!(
        Money::from_pounds_f64(share.npv).unwrap().whole_pounds(),
        "£631,661"
    );
    assert!(share.monte_carlo.is_none());
    assert!(share.decision.makes_clear_financial_sense);
    assert_eq!(a.preferred_option.as_deref(), Some("Share"));
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(
        json["options"][1]["cash_flows"][1]["financial_year"],
        "2012/13"
    );
    assert_eq!(
        json["options"][1]["per_council"]["Haringey"]["npv"],
        315_830.27
    );
}

#[test]
fn appraisal_with_ranges_simulates_and_reports_progress() {
    let done = std::sync::atomic::AtomicU64::new(0);
    let a = cli::appraise(&example("appraise-ranges.json"), &|d, total| {
        assert_eq!(total, 50_000);
        done.fetch_max(d, std::sync::atomic::Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(done.into_inner(), 50_000);
    let share = &a.options[1];
    let s = share.monte_carlo.as_ref().unwrap();
    assert_eq!(s.iterations, 50_000);
    assert!(s.p10 <= s.p50 && s.p50 <= s.p90);
    assert_eq!(s.s_curve.len(), 101);
    assert!(!s.tornado.is_empty());
    // External funding counts for the councils, not in the Green Book NPV.
    assert!(share.financial_npv > share.npv - share.pv_non_cashable_savings);
    let again = cli::appraise(&example("appraise-ranges.json"), &|_, _| {}).unwrap();
    assert_eq!(a, again, "the same seed gives the same result");
}

#[test]
fn allocation_examples() {
    let out = cli::allocate(&example("allocate-table.json")).unwrap();
    assert_eq!(out.allocations.len(), 5);
    let core = out.core.as_ref().unwrap();
    assert!(!core.empty);
    for (method, split) in &out.allocations {
        let total: f64 = split.values().sum();
        assert!((total - 200.0).abs() < 1e-9, "{method}");
    }
    assert!(core.blocking_by_method["nucleolus"].is_empty());

    let out = cli::allocate(&example("allocate-third-partner-joins.json")).unwrap();
    let join = out.joining.as_ref().unwrap();
    assert_eq!(join.before_players, ["Cambridgeshire", "Northamptonshire"]);
    assert!(join.change["nucleolus"].values().all(|d| *d < 0.0));
}
