//! The analytic engines on the command line: JSON in, JSON out, errors as JSON on standard
//! error with exit code 2.

use crate::cli::{DEFAULT_DATABASE, open, read_input};
use crate::progress;
use accord_domain::Invalid;
use accord_domain::request::Protocol;
use accord_domain::request::cli::{DeadlineArgs, deadline as compute_deadline};
use accord_domain::working_days::HolidayTable;
use accord_store::holidays::holiday_table;
use clap::Args;
use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;

/// `accord deadline`.
#[derive(Debug, Args)]
pub struct DeadlineCommand {
    /// The regime: foi (FOIA 2000), eir (EIR 2004), foisa (FOISA 2002) or sar (UK GDPR subject access).
    #[arg(long)]
    pub regime: String,
    /// The date the request was received, YYYY-MM-DD.
    #[arg(long)]
    pub received: String,
    /// A clock event, KIND:YYYY-MM-DD (repeatable), e.g. clarification-sought:2025-03-05.
    /// The kinds are listed in docs/schemas/deadline.md.
    #[arg(long = "event")]
    pub events: Vec<String>,
    /// For a subject access request, the council's division: england-and-wales (default),
    /// scotland or northern-ireland.
    #[arg(long)]
    pub division: Option<String>,
}

fn print_json<T: Serialize>(value: &T) -> anyhow::Result<ExitCode> {
    out!("{}", serde_json::to_string_pretty(value)?)?;
    Ok(ExitCode::SUCCESS)
}

fn refuse(invalid: &Invalid) -> anyhow::Result<ExitCode> {
    eprintln!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({ "errors": invalid.errors }))?
    );
    Ok(ExitCode::from(2))
}

/// `accord deadline`: the holidays come from the instance's database (imported feed and
/// proclamations) when there is one, else from the statutory rules alone. An absent default
/// database is not created just to answer a calculation.
pub async fn deadline(db: &str, command: &DeadlineCommand) -> anyhow::Result<ExitCode> {
    let default_missing = db == DEFAULT_DATABASE && !Path::new("accord.db").exists();
    let table = if default_missing {
        HolidayTable::new()
    } else {
        let store = open(db).await?;
        let table = holiday_table(&*store).await?;
        store.close().await;
        table
    };
    let args = DeadlineArgs {
        regime: command.regime.clone(),
        received: command.received.clone(),
        events: command.events.clone(),
        division: command.division.clone(),
    };
    let today = chrono::Local::now().date_naive();
    match compute_deadline(&args, &table, today, &Protocol::default()) {
        Ok(output) => print_json(&output),
        Err(invalid) => refuse(&invalid),
    }
}

/// `accord assess`.
pub fn assess(file: &Path) -> anyhow::Result<ExitCode> {
    match accord_domain::gateway::cli::assess_json(&read_input(file)?) {
        Ok(json) => {
            out!("{json}")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(json) => {
            eprintln!("{json}");
            Ok(ExitCode::from(2))
        }
    }
}

/// `accord appraise`, with a progress bar for Monte Carlo runs.
pub fn appraise(file: &Path) -> anyhow::Result<ExitCode> {
    let text = read_input(file)?;
    let bar = progress::bar(0, "simulating");
    let result = accord_analytics::cli::appraise(&text, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    match result {
        Ok(appraisal) => print_json(&appraisal),
        Err(invalid) => refuse(&invalid),
    }
}

/// `accord allocate`.
pub fn allocate(file: &Path) -> anyhow::Result<ExitCode> {
    match accord_analytics::cli::allocate(&read_input(file)?) {
        Ok(output) => print_json(&output),
        Err(invalid) => refuse(&invalid),
    }
}
