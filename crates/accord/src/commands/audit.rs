//! `accord audit`: verify and export the tamper-evident audit trail.

use crate::cli::open;
use crate::progress;
use accord_domain::audit::{GENESIS_HASH, verify_chain, write_csv};
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

/// Entries read per page when walking the chain.
const PAGE: i64 = 5_000;

/// Runs an `audit` subcommand.
pub async fn run(db: &str, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let store = open(db).await?;
    let code = match command {
        AuditCommand::Verify => {
            let (head_seq, head_hash) = store.audit_head().await?;
            let bar = progress::bar(u64::try_from(head_seq).unwrap_or(0), "verifying");
            let mut prev = (0, GENESIS_HASH.to_owned());
            let mut broken = None;
            loop {
                let page = store.audit_chain(prev.0, PAGE).await?;
                if page.is_empty() {
                    break;
                }
                match verify_chain(&page, prev.0, prev.1.clone()) {
                    Ok(next) => prev = next,
                    Err(link) => {
                        broken = Some(link);
                        break;
                    }
                }
                bar.set_position(u64::try_from(prev.0).unwrap_or(0));
            }
            bar.finish_and_clear();
            if broken.is_none() && prev != (head_seq, head_hash) {
                broken = Some(accord_domain::audit::BrokenLink {
                    seq: prev.0 + 1,
                    problem: format!(
                        "the chain stops at entry {} but its head says {head_seq}: entries were removed",
                        prev.0
                    ),
                });
            }
            match broken {
                None => {
                    println!(
                        "The audit trail is intact: {head_seq} entries, head {}.",
                        &prev.1[..16]
                    );
                    ExitCode::SUCCESS
                }
                Some(link) => {
                    println!(
                        "The audit trail is broken at entry {}: {}.",
                        link.seq, link.problem
                    );
                    ExitCode::FAILURE
                }
            }
        }
        AuditCommand::Export { output } => {
            let mut entries = Vec::new();
            loop {
                let page = store
                    .audit_chain(
                        entries
                            .last()
                            .map_or(0, |e: &accord_domain::audit::AuditEntry| e.seq),
                        PAGE,
                    )
                    .await?;
                if page.is_empty() {
                    break;
                }
                entries.extend(page);
            }
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
