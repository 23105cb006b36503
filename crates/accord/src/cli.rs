//! The `accord` command line: operators' commands and every analytic engine (JSON in, JSON out).

use crate::{demo, progress};
use accord_domain::Invalid;
use accord_domain::authority::register;
use accord_store::{Change, Store, StoreError, redact_url};
use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Accord: run shared-services partnerships between UK councils.
#[derive(Debug, Parser)]
#[command(name = "accord", version, about, long_about = None)]
pub struct Cli {
    /// The database: `sqlite:FILE` (embedded, the default) or `postgres://USER:PASSWORD@HOST/DB`.
    #[arg(
        long = "db",
        env = "ACCORD_DATABASE_URL",
        default_value = "sqlite:accord.db",
        global = true,
        hide_env_values = true
    )]
    pub database: String,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Applies the database migrations (they also run whenever Accord connects).
    Migrate,
    /// Imports reference data from a file. All-or-nothing: a bad row refuses the whole file.
    #[command(subcommand)]
    Import(Import),
    /// Loads the demo partnerships from the seed documents. Loading twice adds nothing.
    Demo,
}

/// What `accord import` can read.
#[derive(Debug, Subcommand)]
pub enum Import {
    /// The council register: mySociety's `uk_local_authorities.csv`.
    Authorities {
        /// The CSV file.
        file: PathBuf,
    },
}

/// Runs the command line and returns the process's exit code: 0 on success, 2 when the input
/// was refused (with every problem named), 1 on any other failure.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&error),
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ACCORD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Prints an error with its chain of causes; input refusals list each field's problem.
fn report(error: &anyhow::Error) -> ExitCode {
    let invalid = error.chain().find_map(|cause| {
        cause
            .downcast_ref::<Invalid>()
            .or_else(|| match cause.downcast_ref::<StoreError>() {
                Some(StoreError::Invalid(invalid)) => Some(invalid),
                _ => None,
            })
    });
    if let Some(invalid) = invalid {
        if invalid.errors.len() > 1 {
            eprintln!("error: {error} ({} problems):", invalid.errors.len());
            for problem in &invalid.errors {
                eprintln!("  - {problem}");
            }
        } else {
            eprintln!("error: {error:#}");
        }
        eprintln!("Nothing was changed.");
        return ExitCode::from(2);
    }
    eprintln!("error: {error:#}");
    ExitCode::FAILURE
}

async fn open(database: &str) -> anyhow::Result<Arc<dyn Store>> {
    accord_store::connect(database)
        .await
        .with_context(|| format!("cannot open the database {}", redact_url(database)))
}

fn read_file(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Runs one parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Migrate => {
            let store = open(&cli.database).await?;
            store.close().await;
            println!("The database {} is up to date.", redact_url(&cli.database));
        }
        Command::Import(Import::Authorities { file }) => {
            let text = read_file(&file)?;
            let lines = text.lines().count().saturating_sub(1) as u64;
            let bar = progress::bar(lines, "reading");
            let authorities = register::parse(&text, |n| bar.set_position(n))
                .with_context(|| format!("{} was refused", file.display()))?;
            bar.finish_and_clear();
            let store = open(&cli.database).await?;
            let bar = progress::bar(authorities.len() as u64, "importing");
            let change = Change::by("accord import authorities")
                .because(format!("imported {}", file.display()));
            let summary = store
                .import_authorities(&authorities, &change, &|n| bar.set_position(n))
                .await?;
            bar.finish_and_clear();
            let current = authorities.iter().filter(|a| a.is_current()).count();
            println!(
                "Imported {} councils ({current} current, {} abolished): {} new, {} updated.",
                summary.rows,
                summary.rows as usize - current,
                summary.created,
                summary.updated
            );
            store.close().await;
        }
        Command::Demo => {
            let store = open(&cli.database).await?;
            let summary = demo::load(&*store).await?;
            println!(
                "Demo loaded: {} partnerships created, {} MOUs recorded, {} councils added.",
                summary.partnerships_created, summary.mous_recorded, summary.authorities_added
            );
            store.close().await;
        }
    }
    Ok(())
}
