//! The `accord` command line: operators' commands and every analytic engine (JSON in, JSON out).

use crate::commands;
use accord_domain::Invalid;
use accord_store::{Store, StoreError, redact_url};
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Accord: run shared-services partnerships between UK councils.
#[derive(Debug, Parser)]
#[command(name = "accord", version, about, long_about = None)]
pub struct Cli {
    /// The database: `sqlite:FILE` (embedded, the default) or `postgres://USER:PASSWORD@HOST/DB`.
    #[arg(long = "db", env = "ACCORD_DATABASE_URL", default_value = DEFAULT_DATABASE, global = true, hide_env_values = true)]
    pub database: String,

    /// How log lines are written to standard error: `text` for people, `json` (one object per
    /// line, with the request id of each request's lines) for a log collector.
    #[arg(long, env = "ACCORD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Plain lines, for a terminal.
    Text,
    /// One JSON object per line.
    Json,
}

/// The database used when none is named: a SQLite file in the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite:accord.db";

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the web app and the JSON API.
    Serve(commands::serve::ServeArgs),
    /// Applies the database migrations (they also run whenever Accord connects).
    Migrate,
    /// Imports reference data from a file. All-or-nothing: a bad row refuses the whole file.
    #[command(subcommand)]
    Import(Import),
    /// Loads the demo partnerships from the seed documents, with a user for each role.
    /// Loading twice adds nothing.
    Demo,
    /// Manages user accounts, roles, API tokens and passphrase resets.
    #[command(subcommand)]
    User(commands::users::UserCommand),
    /// Checks or exports the tamper-evident audit trail.
    #[command(subcommand)]
    Audit(commands::audit::AuditCommand),
    /// Writes a copy of the whole database to a new file and verifies its audit chain. SQLite:
    /// safe while `serve` runs. PostgreSQL: runs pg_dump (custom format).
    Backup {
        /// The backup file to create (never overwritten).
        file: PathBuf,
    },
    /// Puts a backup in place of the database named by --db, after verifying its audit chain
    /// (SQLite: checked before it replaces anything). Stop Accord first.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// Overwrite a database that already holds data.
        #[arg(long)]
        replace: bool,
    },
    /// Computes an information request's statutory deadline, with its working (JSON out).
    Deadline(commands::engines::DeadlineCommand),
    /// Runs the compatibility gateway on criteria and ratings (JSON in, JSON out).
    Assess(JsonInput),
    /// Appraises a business case: NPV, BCR, payback, Monte Carlo (JSON in, JSON out).
    Appraise(JsonInput),
    /// Splits costs or savings between councils: equal, proportional, Shapley, nucleolus,
    /// least core, with a core check (JSON in, JSON out).
    Allocate(JsonInput),
}

/// A JSON input file for an engine.
#[derive(Debug, Args)]
pub struct JsonInput {
    /// The JSON file, or `-` for standard input. Its format is documented in `docs/schemas/`.
    pub file: PathBuf,
}

/// What `accord import` can read.
#[derive(Debug, Subcommand)]
pub enum Import {
    /// The council register: mySociety's `uk_local_authorities.csv`.
    Authorities {
        /// The CSV file.
        file: PathBuf,
    },
    /// Mid-year population estimates: `{year, source, populations: {slug: count}}` (ONS,
    /// as compiled by uk-council-spending). Councils are matched by their GOV.UK slug.
    Population {
        /// The JSON file.
        file: PathBuf,
    },
    /// Councils' budgets by service category (`{categories: [{cat, label, councils: [...]}]}`,
    /// amounts in £ thousands). Councils are matched by their GOV.UK slug.
    Budgets {
        /// The JSON file.
        file: PathBuf,
    },
    /// Which councils border which: mySociety's `touching_las.csv`. County borders are derived
    /// from their districts (the source's county rows are unreliable).
    Neighbours {
        /// The CSV file.
        file: PathBuf,
    },
    /// UK bank holidays in the GOV.UK feed format (`https://www.gov.uk/bank-holidays.json`).
    /// The feed takes precedence over Accord's statutory rules for the years it covers.
    BankHolidays {
        /// The JSON file.
        file: PathBuf,
    },
}

/// Runs the command line and returns the process's exit code: 0 on success, 2 when the input
/// was refused (with every problem named), 1 on any other failure.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.log_format);
    match run(cli).await {
        Ok(code) => code,
        Err(error) => report(&error),
    }
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ACCORD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // try_init also forwards the `log` records of the crates that use it.
    let _ = tracing_subscriber::util::SubscriberInitExt::try_init(log_subscriber(
        format,
        filter,
        std::io::stderr,
    ));
}

/// The subscriber that writes Accord's log lines in `format` to `writer`, for the lines `filter`
/// lets through.
pub fn log_subscriber<W>(
    format: LogFormat,
    filter: tracing_subscriber::EnvFilter,
    writer: W,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => Box::new(builder.finish()),
        // The current span's fields (a request's id, method and route) go on every line, so a
        // collector can gather one request's lines; the list of enclosing spans adds nothing.
        LogFormat::Json => Box::new(
            builder
                .json()
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        ),
    }
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
    let broken_pipe = error.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        // The reader (e.g. `head`) stopped reading: not a failure of Accord's. The status is
        // the one a shell shows for a command ended by SIGPIPE (128 + 13), as other tools end.
        return ExitCode::from(141);
    }
    if let Some(invalid) = invalid {
        if invalid.errors.len() > 1 {
            // The refusal itself lists the problems; the context above it says what was refused.
            let context = if error.chain().count() > 1 {
                error.to_string()
            } else {
                "the input was refused".to_owned()
            };
            let context = if error.downcast_ref::<StoreError>().is_some() {
                "the change was refused".to_owned()
            } else {
                context
            };
            eprintln!("error: {context} ({} problems):", invalid.errors.len());
            // Enough to see the pattern; a file with hundreds of bad rows need not flood the terminal.
            const SHOWN: usize = 25;
            for problem in invalid.errors.iter().take(SHOWN) {
                eprintln!("  - {problem}");
            }
            if invalid.errors.len() > SHOWN {
                eprintln!("  … and {} more", invalid.errors.len() - SHOWN);
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

/// Opens (and migrates) the database.
pub(crate) async fn open(database: &str) -> anyhow::Result<Arc<dyn Store>> {
    accord_store::connect(database)
        .await
        .with_context(|| format!("cannot open the database {}", redact_url(database)))
}

/// Reads a file, or standard input for `-`.
pub(crate) fn read_input(path: &Path) -> anyhow::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .context("cannot read standard input")?;
        return Ok(text);
    }
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Runs one parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let db = cli.database.as_str();
    match cli.command {
        Command::Serve(args) => commands::serve::run(db, args).await?,
        Command::Migrate => {
            let store = open(db).await?;
            store.close().await;
            out!("The database {} is up to date.", redact_url(db))?;
        }
        Command::Import(Import::Authorities { file }) => {
            commands::import::authorities(db, &file).await?;
        }
        Command::Import(Import::BankHolidays { file }) => {
            commands::import::bank_holidays(db, &file).await?;
        }
        Command::Import(Import::Population { file }) => {
            commands::import::population(db, &file).await?;
        }
        Command::Import(Import::Budgets { file }) => commands::import::budgets(db, &file).await?,
        Command::Import(Import::Neighbours { file }) => {
            commands::import::neighbours(db, &file).await?;
        }
        Command::Demo => commands::demo(db).await?,
        Command::User(command) => commands::users::run(db, command).await?,
        Command::Audit(command) => return commands::audit::run(db, command).await,
        Command::Backup { file } => return commands::backup::backup(db, &file).await,
        Command::Restore { file, replace } => {
            return commands::backup::restore(db, &file, replace).await;
        }
        Command::Deadline(command) => return commands::engines::deadline(db, &command).await,
        Command::Assess(input) => return commands::engines::assess(&input.file),
        Command::Appraise(input) => return commands::engines::appraise(&input.file),
        Command::Allocate(input) => return commands::engines::allocate(&input.file),
    }
    Ok(ExitCode::SUCCESS)
}
