//! Runs every example of `docs/schemas/examples/` through `accord assess` and compares the
//! result with the expected output beside it: `NAME.json` → `NAME.out.json` (success) or
//! `NAME.err.json` (refused). With `ACCORD_UPDATE_EXAMPLES=1` the expected files are
//! rewritten from the current output instead (review the diff before committing).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use accord_domain::gateway::cli::assess_json;
use std::path::{Path, PathBuf};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schemas/examples")
}

#[test]
fn every_example_gives_its_documented_output() {
    let dir = examples();
    let update = std::env::var_os("ACCORD_UPDATE_EXAMPLES").is_some();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("assess-")
                && name.ends_with(".json")
                && !name.ends_with(".out.json")
                && !name.ends_with(".err.json")
        })
        .collect();
    inputs.sort();
    assert!(
        inputs.len() >= 4,
        "the examples are missing from {}",
        dir.display()
    );
    let mut refused = 0;
    for input in inputs {
        let text = std::fs::read_to_string(&input).unwrap();
        let (suffix, output) = match assess_json(&text) {
            Ok(json) => ("out", json),
            Err(json) => {
                refused += 1;
                ("err", json)
            }
        };
        let expected_path = input.with_extension(format!("{suffix}.json"));
        if update {
            std::fs::write(&expected_path, format!("{output}\n")).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|_| {
            panic!(
                "{} gave {suffix} output, but {} does not exist",
                input.display(),
                expected_path.display()
            )
        });
        let got: serde_json::Value = serde_json::from_str(&output).unwrap();
        let want: serde_json::Value = serde_json::from_str(&expected).unwrap();
        assert_eq!(
            got,
            want,
            "{} differs from {}",
            input.display(),
            expected_path.display()
        );
    }
    assert!(
        update || refused >= 2,
        "the examples show refusals as well as results"
    );
}
