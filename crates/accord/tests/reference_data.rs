//! Imports the real reference files that ship in the repository's `data/` folder (their
//! sources and licences are in `data/README.md`) and checks their counts.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

use accord_domain::authority::register;
use accord_store::{Change, testing};
use std::path::PathBuf;

fn reference_data(file: &str) -> PathBuf {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data")).join(file);
    assert!(
        path.exists(),
        "{} is missing: the reference data ships in the repository's data/ folder",
        path.display()
    );
    path
}

#[tokio::test]
async fn imports_the_real_council_register() {
    let text = std::fs::read_to_string(reference_data("uk_local_authorities.csv")).unwrap();
    let authorities = register::parse(&text, |_| {}).unwrap();
    assert_eq!(authorities.len(), 470);
    assert_eq!(authorities.iter().filter(|a| a.is_current()).count(), 397);
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let summary = store
            .import_authorities(&authorities, &Change::by("test"), &|_| {})
            .await
            .unwrap();
        assert_eq!(summary.created, 470, "{backend}");
        assert_eq!(
            store.count_authorities(true).await.unwrap(),
            397,
            "{backend}"
        );
        let haringey = store.authority("E09000014").await.unwrap().unwrap();
        assert_eq!(
            haringey.official_name, "London Borough of Haringey",
            "{backend}"
        );
        assert_eq!(haringey.population, Some(266_357), "{backend}");
        // The demo then adds nothing: every council it needs is in the register.
        let demo = accord::demo::load(&accord_app::App::new(store.clone()))
            .await
            .unwrap();
        assert_eq!(demo.authorities_added, 0, "{backend}");
        assert_eq!(demo.partnerships_created, 5, "{backend}");
        store.close().await;
    }
}

#[tokio::test]
async fn imports_the_real_bank_holiday_feed() {
    let text = std::fs::read_to_string(reference_data("bank-holidays.json")).unwrap();
    let feed = accord_domain::working_days::parse_govuk_feed(&text).unwrap();
    let rows = accord_store::holidays::rows_from_feed(&feed);
    assert_eq!(
        rows.len(),
        75 + 84 + 93,
        "England and Wales, Scotland, Northern Ireland"
    );
    let dir = tempfile::tempdir().unwrap();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let summary = store
            .replace_bank_holidays(&rows, &Change::by("test"))
            .await
            .unwrap();
        assert_eq!(summary.rows, 252, "{backend}");
        let table = accord_store::holidays::holiday_table(&*store)
            .await
            .unwrap();
        // The feed's years come from the feed; the rest from the statutory rules.
        let scotland = accord_domain::working_days::Division::Scotland;
        assert!(
            table
                .holidays(scotland, 2019)
                .iter()
                .any(|h| h.date.to_string() == "2019-12-02"),
            "{backend}: St Andrew's Day substitute"
        );
        assert!(
            !table.holidays(scotland, 1995).is_empty(),
            "{backend}: rules cover earlier years"
        );
        store.close().await;
    }
}

#[test]
fn imports_population_budgets_and_borders_and_shows_them_on_the_council_page() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("accord.db").display());
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_accord"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let file = |name: &str| reference_data(name).display().to_string();
    run(&["import", "authorities", &file("uk_local_authorities.csv")]);
    assert!(
        run(&[
            "import",
            "population",
            &file("council_population_2024.json")
        ])
        .contains("Imported 317 councils' mid-2024")
    );
    assert!(
        run(&["import", "budgets", &file("council_budget_categories.json")])
            .contains("for 317 councils")
    );
    let borders = run(&["import", "neighbours", &file("touching_las.csv")]);
    assert!(borders.contains("Imported 966 borders"), "{borders}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = accord_store::connect(&db).await.unwrap();
        let neighbours: Vec<String> = store
            .neighbours_of("HRY")
            .await
            .unwrap()
            .into_iter()
            .map(|(a, _)| a.short_name)
            .collect();
        assert!(
            neighbours.contains(&"Waltham Forest".to_owned()),
            "{neighbours:?}"
        );
        assert_eq!(
            store.population_of("DUR").await.unwrap().unwrap().year,
            2024,
            "slug aliases join renamed councils"
        );
        let kent: Vec<(String, bool)> = store
            .neighbours_of("KEN")
            .await
            .unwrap()
            .into_iter()
            .map(|(a, d)| (a.code, d))
            .collect();
        assert!(
            kent.iter().any(|(code, derived)| code == "ESX" && *derived),
            "county borders come from districts: {kent:?}"
        );
        assert!(!store.budgets_of("HRY").await.unwrap().is_empty());
        store.close().await;
    });
}

#[test]
fn a_slug_the_register_does_not_know_refuses_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("accord.db").display());
    let population = dir.path().join("population.json");
    std::fs::write(
        &population,
        "{\"year\": 2024, \"source\": \"test\",\n \"populations\": {\n  \"atlantis\": 5}}",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_accord"))
        .arg("--db")
        .arg(&db)
        .args(["import", "population"])
        .arg(&population)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 3") && stderr.contains("atlantis"),
        "{stderr}"
    );
}
