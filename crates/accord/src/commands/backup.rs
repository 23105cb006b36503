//! `accord backup` and `accord restore`: a copy of the whole database, and putting one back.
//!
//! SQLite is copied by the store itself (`VACUUM INTO`, safe while `serve` runs); PostgreSQL by
//! its own tools, `pg_dump` and `pg_restore`, which must be on the PATH. Either way the copy is
//! checked the way an auditor would: its audit chain is verified, and a restore that does not
//! verify is not put in place.

use crate::cli::open;
use accord_store::{redact_url, sqlite_file};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What a verified database holds, to report.
struct Verified {
    entries: i64,
    head: String,
}

/// Opens `db` (migrating it, as every connection does) and verifies its audit chain.
async fn verify(db: &str) -> anyhow::Result<Verified> {
    let store = open(db).await?;
    let app = accord_app::App::new(store.clone());
    let result = accord_app::audit::verify(&app, &|_| {}).await;
    store.close().await;
    match result? {
        Ok(verified) => Ok(Verified {
            entries: verified.entries,
            head: verified.head.get(..16).unwrap_or(&verified.head).to_owned(),
        }),
        Err(link) => bail!(
            "the audit trail of {} is broken at entry {}: {}",
            redact_url(db),
            link.seq,
            link.problem
        ),
    }
}

/// A file beside `path` to write first and rename into place, so nobody ever finds half a copy.
fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// Removes a file if it is there.
fn remove_if_there(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
}

/// A PostgreSQL URL without its password, and the password (for `PGPASSWORD`), so that the
/// password never appears in the process list.
fn without_password(url: &str) -> (String, Option<String>) {
    let (Some(scheme_end), Some(at)) = (url.find("://"), url.rfind('@')) else {
        return (url.to_owned(), None);
    };
    if at <= scheme_end {
        return (url.to_owned(), None);
    }
    let credentials = &url[scheme_end + 3..at];
    match credentials.split_once(':') {
        Some((user, password)) => (
            format!("{}{user}{}", &url[..scheme_end + 3], &url[at..]),
            Some(
                percent_encoding::percent_decode_str(password)
                    .decode_utf8_lossy()
                    .into_owned(),
            ),
        ),
        None => (url.to_owned(), None),
    }
}

/// Runs one of PostgreSQL's own tools on `url`.
fn postgres_tool(tool: &str, url: &str, args: &[&str]) -> anyhow::Result<()> {
    let (url, password) = without_password(url);
    let mut command = std::process::Command::new(tool);
    command.args(args).arg("--dbname").arg(&url);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command.output().with_context(|| {
        format!("cannot run {tool}: install PostgreSQL's client tools (Debian: postgresql-client)")
    })?;
    if !output.status.success() {
        bail!(
            "{tool} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// `accord backup FILE`.
pub async fn backup(db: &str, file: &Path) -> anyhow::Result<ExitCode> {
    if file.exists() {
        bail!(
            "{} already exists: choose a new name, so that no backup is overwritten",
            file.display()
        );
    }
    let written = partial(file);
    remove_if_there(&written)?;
    if sqlite_file(db).is_some() {
        let store = open(db).await?;
        let copied = store.back_up_to(&written).await;
        store.close().await;
        copied.with_context(|| format!("cannot back up {}", redact_url(db)))?;
        // The copy is checked before it is called a backup.
        let copy = format!("sqlite:{}", written.display());
        let verified = match verify(&copy).await {
            Ok(v) => v,
            Err(e) => {
                remove_if_there(&written)?;
                return Err(e.context("the copy did not verify, so it was removed"));
            }
        };
        std::fs::rename(&written, file)
            .with_context(|| format!("cannot name the backup {}", file.display()))?;
        out!(
            "Backed up {} to {}: {} audit entries, head {}, chain verified.",
            redact_url(db),
            file.display(),
            verified.entries,
            verified.head
        )?;
    } else {
        let path = written
            .to_str()
            .context("the backup's file name must be valid UTF-8")?;
        postgres_tool(
            "pg_dump",
            db,
            &["--format=custom", "--no-owner", "--no-acl", "--file", path],
        )?;
        std::fs::rename(&written, file)
            .with_context(|| format!("cannot name the backup {}", file.display()))?;
        out!(
            "Backed up {} to {} with pg_dump (custom format); `accord restore` checks it.",
            redact_url(db),
            file.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether the database at `db` holds anything worth keeping: any audit entry at all.
async fn holds_data(db: &str) -> anyhow::Result<bool> {
    let store = open(db).await?;
    let app = accord_app::App::new(store.clone());
    let head = accord_app::audit::head(&app).await;
    store.close().await;
    Ok(head?.0 > 0)
}

/// `accord restore FILE [--replace]`.
pub async fn restore(db: &str, file: &Path, replace: bool) -> anyhow::Result<ExitCode> {
    if !file.is_file() {
        bail!("{} is not a file", file.display());
    }
    if let Some(target) = sqlite_file(db) {
        if target.exists() && !replace && holds_data(db).await? {
            bail!(
                "{} already holds data: stop Accord, then restore with --replace to overwrite it",
                target.display()
            );
        }
        // The backup stays as it was: the copy is what gets migrated and checked.
        let staged = partial(&target);
        remove_if_there(&staged)?;
        std::fs::copy(file, &staged)
            .with_context(|| format!("cannot copy {} to {}", file.display(), staged.display()))?;
        let verified = match verify(&format!("sqlite:{}", staged.display())).await {
            Ok(v) => v,
            Err(e) => {
                remove_if_there(&staged)?;
                return Err(e.context(format!(
                    "{} was not restored; {} is as it was",
                    file.display(),
                    target.display()
                )));
            }
        };
        // The old database's journal belongs to the old database.
        for suffix in ["-wal", "-shm"] {
            let mut name = target.as_os_str().to_os_string();
            name.push(suffix);
            remove_if_there(Path::new(&name))?;
        }
        std::fs::rename(&staged, &target)
            .with_context(|| format!("cannot put the restored database at {}", target.display()))?;
        out!(
            "Restored {} to {}: {} audit entries, head {}, chain verified.",
            file.display(),
            target.display(),
            verified.entries,
            verified.head
        )?;
    } else {
        if !replace && holds_data(db).await? {
            bail!(
                "{} already holds data: stop Accord, then restore with --replace to overwrite it",
                redact_url(db)
            );
        }
        let path = file.to_str().context("the file name must be valid UTF-8")?;
        postgres_tool(
            "pg_restore",
            db,
            &[
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                path,
            ],
        )?;
        let verified = verify(db).await?;
        out!(
            "Restored {} to {}: {} audit entries, head {}, chain verified.",
            file.display(),
            redact_url(db),
            verified.entries,
            verified.head
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn the_password_is_taken_out_of_the_url() {
        let cases = [
            (
                "postgres://accord:s%40cret@db.internal:5432/accord",
                "postgres://accord@db.internal:5432/accord",
                Some("s@cret"),
            ),
            (
                "postgres://accord@db.internal/accord",
                "postgres://accord@db.internal/accord",
                None,
            ),
            (
                "postgres://db.internal/accord",
                "postgres://db.internal/accord",
                None,
            ),
        ];
        for (url, bare, password) in cases {
            let (got, secret) = without_password(url);
            assert_eq!(got, bare, "{url}");
            assert_eq!(secret.as_deref(), password, "{url}");
        }
    }
}
