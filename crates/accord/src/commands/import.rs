//! `accord import`: reference data, all-or-nothing.

use crate::cli::{open, read_input};
use crate::progress;
use accord_domain::authority::register;
use accord_domain::working_days::{HolidayTable, parse_govuk_feed};
use accord_store::Change;
use accord_store::holidays::{holiday_table, rows_from_feed};
use accord_store::requests::recount_open_requests;
use anyhow::Context;
use std::path::Path;

/// Imports the council register.
pub async fn authorities(db: &str, file: &Path) -> anyhow::Result<()> {
    let text = read_input(file)?;
    let lines = text.lines().count().saturating_sub(1) as u64;
    let bar = progress::bar(lines, "reading");
    let authorities = register::parse(&text, |n| bar.set_position(n))
        .with_context(|| format!("{} was refused", file.display()))?;
    bar.finish_and_clear();
    let store = open(db).await?;
    let bar = progress::bar(authorities.len() as u64, "importing");
    let change =
        Change::by("accord import authorities").because(format!("imported {}", file.display()));
    let summary = store
        .import_authorities(&authorities, &change, &|n| bar.set_position(n))
        .await?;
    bar.finish_and_clear();
    let current = authorities.iter().filter(|a| a.is_current()).count();
    println!(
        "Imported {} councils ({current} current, {} abolished): {} new, {} updated.",
        summary.rows,
        authorities.len() - current,
        summary.created,
        summary.updated
    );
    store.close().await;
    Ok(())
}

/// Imports the GOV.UK bank-holidays feed and reports where it differs from Accord's rules.
pub async fn bank_holidays(db: &str, file: &Path) -> anyhow::Result<()> {
    let text = read_input(file)?;
    let feed =
        parse_govuk_feed(&text).with_context(|| format!("{} was refused", file.display()))?;
    let rows = rows_from_feed(&feed);
    let store = open(db).await?;
    let before = holiday_table(&*store).await?;
    let bar = progress::bar(rows.len() as u64, "importing");
    let change =
        Change::by("accord import bank-holidays").because(format!("imported {}", file.display()));
    let summary = store.replace_bank_holidays(&rows, &change).await?;
    bar.finish_and_clear();
    let after = holiday_table(&*store).await?;
    let coverage = feed.coverage();
    let years: Vec<i32> = coverage.iter().map(|(_, y)| *y).collect();
    println!(
        "Imported {} bank holidays covering {}–{} in {} divisions.",
        summary.rows,
        years.iter().min().copied().unwrap_or_default(),
        years.iter().max().copied().unwrap_or_default(),
        feed.divisions.len()
    );
    report_differences(&before, &after);
    // Working days changed: every open request's deadlines are counted again, and each one
    // that moved is written with the change in its audit trail.
    let changes = after.changes_from(&before);
    if !changes.is_empty() {
        let change = Change::by("accord import bank-holidays").because(format!(
            "bank holidays imported from {}: {} days changed; open requests' deadlines recounted",
            file.display(),
            changes.len()
        ));
        let today = chrono::Local::now().date_naive();
        let calendars = accord_domain::working_days::Calendars::new(after);
        let recount = recount_open_requests(
            &*store,
            &calendars,
            &accord_domain::request::Protocol::default(),
            today,
            &change,
        )
        .await?;
        println!(
            "Recounted the deadlines of {} open requests: {} moved.",
            recount.open,
            recount.moved.len()
        );
        for m in &recount.moved {
            println!(
                "  {}: answer by {} (was {})",
                m.reference,
                m.answer_by.1.map_or("none".to_owned(), |d| d.to_string()),
                m.answer_by.0.map_or("none".to_owned(), |d| d.to_string())
            );
        }
        for (id, why) in &recount.failed {
            println!("  request {id} could not be recounted: {why}");
        }
    }
    store.close().await;
    Ok(())
}

/// Says what changed in the holiday table, and where the feed disagrees with the statutory
/// rules (usually a proclamation newer than the feed, or one the rules do not know).
fn report_differences(before: &HolidayTable, after: &HolidayTable) {
    let changes = after.changes_from(before);
    if changes.is_empty() {
        println!("No working day changed.");
    } else {
        println!("{} days changed:", changes.len());
        for c in &changes {
            println!(
                "  {} {} {} ({})",
                if c.added { "+" } else { "-" },
                c.date,
                c.title,
                c.division.name()
            );
        }
    }
    let discrepancies = after.discrepancies();
    if !discrepancies.is_empty() {
        println!("Where the feed and Accord's statutory rules disagree (the feed is used):");
        for d in discrepancies {
            println!(
                "  {} {}: feed {}, rules {}",
                d.date,
                d.division.name(),
                d.feed.as_deref().unwrap_or("no holiday"),
                d.rules.as_deref().unwrap_or("no holiday")
            );
        }
    }
}
