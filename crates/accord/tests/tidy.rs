//! Tidy checks: the shape ARCHITECTURE.md describes, held by tests that fail when a line of
//! code lands in the wrong layer.
//!
//! - `domain` and `analytics` are pure: no async runtime, database or HTTP crate, no `async fn`.
//! - Only `store` holds SQL: no other crate (sources, tests or benchmarks) names `sqlx`.
//! - `app` knows nothing of HTTP or HTML.
//! - `web` reaches the store only through the files still listed below, a list that may only
//!   shrink: a new page or API handler calls a use case of `app` instead.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`, relative to the repository.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The names of a crate's `[dependencies]` (not its dev-dependencies).
fn dependencies(krate: &str) -> Vec<String> {
    let text =
        std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml")).unwrap();
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
            continue;
        }
        if inside
            && let Some((name, _)) = line.split_once(['=', '.'])
            && !name.trim().is_empty()
            && !name.starts_with('#')
        {
            out.push(name.trim().to_owned());
        }
    }
    out
}

const IO_CRATES: &[&str] = &[
    "tokio",
    "sqlx",
    "axum",
    "async-trait",
    "hyper",
    "hyper-util",
    "tower",
    "tower-http",
    "maud",
    "accord-store",
    "accord-web",
    "accord-app",
    "fantoccini",
];

#[test]
fn domain_and_analytics_are_pure() {
    for krate in ["domain", "analytics"] {
        let deps = dependencies(krate);
        for forbidden in IO_CRATES {
            assert!(
                !deps.iter().any(|d| d == forbidden),
                "crates/{krate} depends on {forbidden}"
            );
        }
        for file in rust_files(&root().join("crates").join(krate).join("src")) {
            let text = std::fs::read_to_string(&file).unwrap();
            // Unit tests may read their fixtures; the rules above them may not.
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            assert!(
                !text.contains("async fn")
                    && !text.contains("std::fs::")
                    && !text.contains("std::net::"),
                "{} does I/O or is async: the rules stay pure",
                file.display()
            );
        }
    }
}

#[test]
fn only_the_store_holds_sql() {
    for krate in std::fs::read_dir(root().join("crates")).unwrap() {
        let krate = krate.unwrap().path();
        if krate.ends_with("store") {
            continue;
        }
        for file in rust_files(&krate) {
            if file.ends_with("tests/tidy.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(
                !text.contains("sqlx::"),
                "{} uses sqlx: SQL lives in crates/store",
                file.display()
            );
        }
        let deps = dependencies(krate.file_name().unwrap().to_str().unwrap());
        assert!(
            !deps.iter().any(|d| d == "sqlx"),
            "{} depends on sqlx",
            krate.display()
        );
    }
}

#[test]
fn the_application_layer_knows_no_http() {
    let deps = dependencies("app");
    for forbidden in [
        "axum",
        "maud",
        "hyper",
        "tower",
        "tower-http",
        "accord-web",
        "utoipa",
    ] {
        assert!(
            !deps.iter().any(|d| d == forbidden),
            "crates/app depends on {forbidden}"
        );
    }
}

/// The web files that still reach the store directly. Each capability that moves behind the
/// application layer takes its files off; nothing is ever added.
const WEB_FILES_WITH_STORE: &[&str] = &[
    "src/auth.rs",
    "src/delivery.rs",
    "src/error.rs",
    "src/lib.rs",
];

#[test]
fn the_web_reaches_the_store_only_where_it_still_did() {
    let web = root().join("crates/web");
    let mut offenders = Vec::new();
    let mut still = Vec::new();
    for file in rust_files(&web.join("src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        let relative = file
            .strip_prefix(&web)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if text.contains("accord_store") || text.contains(".store.") || text.contains("state.store")
        {
            if WEB_FILES_WITH_STORE.contains(&relative.as_str()) {
                still.push(relative);
            } else {
                offenders.push(relative);
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "these web files reach the store; call a use case of accord-app instead: {offenders:?}"
    );
    let gone: Vec<&&str> = WEB_FILES_WITH_STORE
        .iter()
        .filter(|f| !still.iter().any(|s| s == *f))
        .collect();
    assert!(
        gone.is_empty(),
        "no longer reach the store; take them off the list: {gone:?}"
    );
}
