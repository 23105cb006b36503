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

/// The audit trail as `accord audit export` writes it.
fn export(db: &str) -> String {
    let out = accord(db, &["audit", "export"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// The number of entries `backup` or `restore` reports.
fn entries_reported(stdout: &str) -> usize {
    let before = stdout.split(" audit entries").next().unwrap();
    before.rsplit(' ').next().unwrap().parse().unwrap()
}

/// A SQLite backup taken while another process writes is a consistent copy: its chain
/// verifies, it restores to a database whose trail is exactly the first entries of the
/// original's, a backup never overwrites a file, a restore never overwrites data unasked, and a
/// tampered backup is not restored.
#[tokio::test]
async fn a_backup_taken_while_writing_restores_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("accord.db").display());
    assert!(accord(&db, &["demo"]).status.success());

    let store = accord_store::connect(&db).await.unwrap();
    let writing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let writer = {
        let (store, writing) = (store.clone(), writing.clone());
        let hash = accord_store::credentials::hash_passphrase("a long test passphrase");
        tokio::spawn(async move {
            let mut n = 0;
            while writing.load(std::sync::atomic::Ordering::Relaxed) {
                let user = accord_store::NewUser {
                    email: format!("writer-{n}@example.gov.uk"),
                    display_name: format!("Writer {n}"),
                    home: None,
                    passphrase_hash: hash.clone(),
                    admin: false,
                };
                store
                    .create_user(&user, &accord_store::Change::by("test"))
                    .await
                    .unwrap();
                n += 1;
            }
            n
        })
    };
    let file = dir.path().join("backup.db");
    let backup = {
        let (db, file) = (db.clone(), file.display().to_string());
        tokio::task::spawn_blocking(move || accord(&db, &["backup", &file]))
            .await
            .unwrap()
    };
    writing.store(false, std::sync::atomic::Ordering::Relaxed);
    let written = writer.await.unwrap();
    store.close().await;
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    let said = text(&backup.stdout);
    assert!(said.contains("chain verified"), "{said}");
    assert!(written > 0, "the writer wrote while the backup ran");
    let in_backup = entries_reported(&said);

    let again = accord(&db, &["backup", &file.display().to_string()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        text(&again.stderr)
    );

    let restored = format!("sqlite:{}", dir.path().join("restored.db").display());
    let restore = accord(&restored, &["restore", &file.display().to_string()]);
    assert!(restore.status.success(), "{}", text(&restore.stderr));
    assert_eq!(entries_reported(&text(&restore.stdout)), in_backup);
    let verify = accord(&restored, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify.stdout));
    // The restored trail is the original's first entries, byte for byte (header included).
    let original: Vec<String> = export(&db).lines().map(str::to_owned).collect();
    let copy: Vec<String> = export(&restored).lines().map(str::to_owned).collect();
    assert_eq!(copy.len(), in_backup + 1);
    assert!(
        original.len() > copy.len(),
        "the writer went on after the copy"
    );
    assert_eq!(copy[..], original[..copy.len()]);

    // A database with data is not overwritten unless asked.
    let over = accord(&db, &["restore", &file.display().to_string()]);
    assert_eq!(over.status.code(), Some(1));
    assert!(
        text(&over.stderr).contains("--replace"),
        "{}",
        text(&over.stderr)
    );
    assert_eq!(export(&db).lines().count(), original.len());

    // A backup edited behind Accord's back is refused and nothing is put in place.
    let backup_url = format!("sqlite:{}", file.display());
    accord_store::testing::tamper(&backup_url, &["UPDATE audit SET actor = 'x' WHERE seq = 3"])
        .await
        .unwrap();
    let target = dir.path().join("tampered.db");
    let tampered = accord(
        &format!("sqlite:{}", target.display()),
        &["restore", &file.display().to_string()],
    );
    assert_eq!(tampered.status.code(), Some(1));
    assert!(
        text(&tampered.stderr).contains("broken at entry 3"),
        "{}",
        text(&tampered.stderr)
    );
    assert!(!target.exists());
}

/// On PostgreSQL, `backup` runs pg_dump and `restore` pg_restore, and the restored database
/// verifies and holds the same trail.
#[tokio::test]
async fn a_postgres_backup_restores_into_another_database_and_verifies() {
    let Ok(server) = std::env::var(accord_store::testing::TEST_DATABASE_URL) else {
        assert!(
            std::env::var_os(accord_store::testing::REQUIRE_POSTGRES).is_none(),
            "PostgreSQL is required but not configured"
        );
        return;
    };
    let source = accord_store::testing::postgres_url(&server).await.unwrap();
    assert!(accord(&source, &["demo"]).status.success());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("accord.dump").display().to_string();
    let backup = accord(&source, &["backup", &file]);
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    assert!(
        text(&backup.stdout).contains("pg_dump"),
        "{}",
        text(&backup.stdout)
    );

    let target = accord_store::testing::postgres_url(&server).await.unwrap();
    let restore = accord(&target, &["restore", &file]);
    assert!(restore.status.success(), "{}", text(&restore.stderr));
    assert!(text(&restore.stdout).contains("chain verified"));
    assert_eq!(export(&target), export(&source));
    // The target now holds data: a second restore needs --replace.
    let again = accord(&target, &["restore", &file]);
    assert_eq!(again.status.code(), Some(1));
    let replaced = accord(&target, &["restore", "--replace", &file]);
    assert!(replaced.status.success(), "{}", text(&replaced.stderr));
    assert_eq!(export(&target), export(&source));
}

/// The production set-up (the container image, the systemd unit and its settings) names only
/// settings that `accord` reads: a renamed option cannot leave a deployment silently ignoring it.
#[test]
fn the_deployment_files_name_settings_accord_reads() {
    let help = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success());
        text(&out.stdout)
    };
    let known = format!("{}{}", help(&["--help"]), help(&["serve", "--help"]));
    let mut named = 0;
    for file in [
        "Dockerfile",
        "deploy/accord.service",
        "deploy/accord.env.example",
    ] {
        let content = std::fs::read_to_string(repo(file)).unwrap();
        let words = content.split(|c: char| !(c.is_ascii_uppercase() || c == '_'));
        for name in words.filter(|w| w.starts_with("ACCORD_")) {
            named += 1;
            // ACCORD_LOG is read by the log filter, not by an option.
            assert!(
                name == "ACCORD_LOG" || known.contains(&format!("env: {name}")),
                "{file} names {name}, which accord does not read"
            );
        }
    }
    assert!(named > 10, "the files name the settings they set");
}
