//! The `accord` command as operators use it: real processes, real database files.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

fn accord(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("ACCORD_LOG", "warn")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
        .display()
        .to_string()
}

#[tokio::test]
async fn audit_verify_finds_a_tampered_entry() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("accord.db");
    let db = format!("sqlite:{}", file.display());
    let demo = accord(&db, &["demo"]);
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    assert!(
        text(&demo.stdout).contains("demo passphrase for accord"),
        "the demo prints its users' passphrase"
    );
    let ok = accord(&db, &["audit", "verify"]);
    assert!(ok.status.success(), "{}", text(&ok.stdout));
    assert!(text(&ok.stdout).contains("intact"));

    // Someone edits the database behind Accord's back.
    accord_store::testing::tamper(
        &db,
        &["UPDATE audit SET actor = 'someone else' WHERE seq = 7"],
    )
    .await
    .unwrap();
    let broken = accord(&db, &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        text(&broken.stdout).contains("broken at entry 7"),
        "{}",
        text(&broken.stdout)
    );

    // Deleting the newest entries is found too: the head no longer matches.
    accord_store::testing::tamper(
        &db,
        &[
            "UPDATE audit SET actor = 'accord demo' WHERE seq = 7",
            "DELETE FROM audit WHERE seq > 20",
        ],
    )
    .await
    .unwrap();
    let truncated = accord(&db, &["audit", "verify"]);
    assert_eq!(
        truncated.status.code(),
        Some(1),
        "{}",
        text(&truncated.stdout)
    );
    assert!(
        text(&truncated.stdout).contains("entries were removed"),
        "{}",
        text(&truncated.stdout)
    );

    let export = accord(&db, &["audit", "export"]);
    assert!(export.status.success());
    assert!(text(&export.stdout).starts_with("seq,at,actor_id,actor,action"));
}

#[test]
fn a_bad_register_file_is_refused_by_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("accord.db").display());
    let csv = dir.path().join("register.csv");
    std::fs::write(
        &csv,
        "local-authority-code,official-name,nice-name,gss-code,start-date,end-date,replaced-by,nation,region,local-authority-type,county-la,pop-2020,lat,long\n\
         HRY,London Borough of Haringey,Haringey,E09000014,,,,England,London,LBO,,1,51.5,-0.1\n\
         BAD,Bad,Bad,E0900,,,,England,London,LBO,,1,51.5,-0.1\n",
    )
    .unwrap();
    let refused = accord(&db, &["import", "authorities", csv.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("line 3: gss-code"), "{stderr}");
    assert!(stderr.contains("Nothing was changed"), "{stderr}");
    let unknown_role = accord(
        &db,
        &[
            "user",
            "add",
            "--email",
            "x@haringey.gov.uk",
            "--role",
            "chief",
            "--partnership",
            "1",
        ],
    );
    assert_eq!(unknown_role.status.code(), Some(2));
    assert!(
        text(&unknown_role.stderr).contains("is not a role"),
        "{}",
        text(&unknown_role.stderr)
    );
    let listed = accord(&db, &["user", "list"]);
    assert!(listed.status.success());
    let deadline = accord(
        &db,
        &["deadline", "--regime", "foi", "--received", "2025-03-03"],
    );
    assert!(deadline.status.success(), "{}", text(&deadline.stderr));
}

#[test]
fn the_engines_answer_json_from_files() {
    let db = "sqlite::memory:";
    let foi = accord(
        db,
        &["deadline", "--regime", "foi", "--received", "2025-03-03"],
    );
    let json: serde_json::Value = serde_json::from_slice(&foi.stdout).unwrap();
    assert_eq!(json["due"], "2025-04-01");
    let foisa: serde_json::Value = serde_json::from_slice(
        &accord(
            db,
            &["deadline", "--regime", "foisa", "--received", "2025-03-03"],
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(foisa["due"], "2025-03-31");
    let sar: serde_json::Value = serde_json::from_slice(
        &accord(
            db,
            &["deadline", "--regime", "sar", "--received", "2025-01-31"],
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(sar["due"], "2025-02-28");
    let refused = accord(
        db,
        &[
            "deadline",
            "--regime",
            "foisa",
            "--received",
            "2025-03-03",
            "--event",
            "public-interest-extension:2025-03-20",
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("\"field\""));

    let appraisal = accord(
        db,
        &[
            "appraise",
            &repo("docs/schemas/examples/appraise-deterministic.json"),
        ],
    );
    assert!(appraisal.status.success(), "{}", text(&appraisal.stderr));
    let json: serde_json::Value = serde_json::from_slice(&appraisal.stdout).unwrap();
    let npv = json["options"][1]["npv"].as_f64().unwrap();
    assert_eq!(
        accord_domain::Money::from_pounds_f64(npv)
            .unwrap()
            .whole_pounds(),
        "£631,661"
    );

    let allocation = accord(
        db,
        &[
            "allocate",
            &repo("docs/schemas/examples/allocate-table.json"),
        ],
    );
    assert!(allocation.status.success(), "{}", text(&allocation.stderr));
    let json: serde_json::Value = serde_json::from_slice(&allocation.stdout).unwrap();
    assert!(json["allocations"]["shapley"].is_object());

    let assessment = accord(
        db,
        &[
            "assess",
            &repo("docs/schemas/examples/assess-two-councils.json"),
        ],
    );
    assert!(assessment.status.success(), "{}", text(&assessment.stderr));
    let bad = accord(
        db,
        &[
            "assess",
            &repo("docs/schemas/examples/assess-bad-ratings.json"),
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["import", "--help"],
        vec!["import", "authorities", "--help"],
        vec!["import", "bank-holidays", "--help"],
        vec!["user", "add", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["deadline", "--help"],
        vec!["assess", "--help"],
        vec!["appraise", "--help"],
        vec!["allocate", "--help"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(text(&out.stdout).contains("Usage:"), "{args:?}");
    }
}

/// A reader that goes away (`accord deadline … | head -1`) ends the command quietly with the
/// conventional status of a closed pipe (128 + SIGPIPE); a full disk is a one-line error. No
/// panic, no backtrace, either way.
#[test]
fn a_closed_pipe_ends_quietly_and_a_full_disk_is_one_line() {
    let args = ["deadline", "--regime", "foi", "--received", "2025-03-03"];
    let (reader, writer) = std::io::pipe().unwrap();
    // The reading end is closed before the command starts, so its first write meets EPIPE.
    drop(reader);
    let closed = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["--db", "sqlite::memory:"])
        .args(args)
        .env("ACCORD_LOG", "warn")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(closed.status.code(), Some(141), "{}", text(&closed.stderr));
    assert_eq!(text(&closed.stderr), "", "quietly");

    if Path::new("/dev/full").exists() {
        let full = Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["--db", "sqlite::memory:"])
            .args(args)
            .env("ACCORD_LOG", "warn")
            .stdout(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
            .output()
            .unwrap();
        let said = text(&full.stderr);
        assert_eq!(full.status.code(), Some(1), "{said}");
        assert_eq!(said.lines().count(), 1, "{said}");
        assert!(said.starts_with("error: cannot write the output"), "{said}");
    }
}
