//! `accord audit`: verify and export the tamper-evident audit trail.

use crate::cli::open;
use crate::progress;
use accord_domain::audit::write_csv;
use anyhow::Context;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

/// The `accord audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recomputes the hash chain and reports the first broken link (exit code 1 if any).
    Verify,
    /// Writes the audit trail as CSV, oldest first.
    Export {
        /// The file to write; standard output if not given.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// Runs an `audit` subcommand.
pub async fn run(db: &str, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let store = open(db).await?;
    let app = accord_app::App::new(store.clone());
    let code = match command {
        AuditCommand::Verify => {
            let (head_seq, _) = accord_app::audit::head(&app).await?;
            let bar = progress::bar(u64::try_from(head_seq).unwrap_or(0), "verifying");
            let result = accord_app::audit::verify(&app, &|seq| {
                bar.set_position(u64::try_from(seq).unwrap_or(0));
            })
            .await?;
            bar.finish_and_clear();
            match result {
                Ok(verified) => {
                    out!(
                        "The audit trail is intact: {} entries, head {}.",
                        verified.entries,
                        verified.head.get(..16).unwrap_or(&verified.head)
                    )?;
                    ExitCode::SUCCESS
                }
                Err(link) => {
                    out!(
                        "The audit trail is broken at entry {}: {}.",
                        link.seq,
                        link.problem
                    )?;
                    ExitCode::FAILURE
                }
            }
        }
        AuditCommand::Export { output } => {
            let entries = accord_app::audit::chain(&app).await?;
            match &output {
                Some(path) => {
                    let file = std::fs::File::create(path)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    write_csv(file, &entries)?;
                    eprintln!("Wrote {} entries to {}.", entries.len(), path.display());
                }
                None => write_csv(std::io::stdout().lock(), &entries)?,
            }
            ExitCode::SUCCESS
        }
    };
    store.close().await;
    Ok(code)
}
