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

/// The web crate keeps HTTP and HTML only: it does not depend on the store (its tests may, to
/// prepare accounts), and no file of it names the store, so every request goes through a use
/// case of accord-app.
#[test]
fn the_web_does_not_depend_on_the_store() {
    let deps = dependencies("web");
    assert!(
        !deps.iter().any(|d| d == "accord-store"),
        "crates/web depends on accord-store: call a use case of accord-app instead"
    );
    let web = root().join("crates/web");
    let offenders: Vec<String> = rust_files(&web.join("src"))
        .into_iter()
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            text.contains("accord_store") || text.contains("legacy_store")
        })
        .map(|file| file.strip_prefix(&web).unwrap().display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "these web files reach the store; call a use case of accord-app instead: {offenders:?}"
    );
}
