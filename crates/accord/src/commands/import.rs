//! `accord import`: reference data, all-or-nothing.

use crate::cli::{open, read_input};
use crate::progress;
use accord_domain::Invalid;
use accord_domain::authority::register;
use accord_domain::council_data::{
    code_for_slug, county_borders, parse_budgets, parse_neighbours, parse_population,
};
use accord_domain::working_days::{HolidayTable, parse_govuk_feed};
use accord_store::Change;
use accord_store::council_data::{Budget, slug_index};
use accord_store::holidays::{holiday_table, rows_from_feed};
use anyhow::Context;
use std::collections::{BTreeMap, BTreeSet};
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
    out!(
        "Imported {} councils ({current} current, {} abolished): {} new, {} updated.",
        summary.rows,
        authorities.len() - current,
        summary.created,
        summary.updated
    )?;
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
    out!(
        "Imported {} bank holidays covering {}–{} in {} divisions.",
        summary.rows,
        years.iter().min().copied().unwrap_or_default(),
        years.iter().max().copied().unwrap_or_default(),
        feed.divisions.len()
    )?;
    report_differences(&before, &after)?;
    // Working days changed: every open request's deadlines are counted again, and each one
    // that moved is written with the change in its audit trail.
    let changes = after.changes_from(&before);
    if !changes.is_empty() {
        let reason = format!(
            "bank holidays imported from {}: {} days changed; open requests' deadlines recounted",
            file.display(),
            changes.len()
        );
        let app = accord_app::App::new(store.clone());
        let caller = accord_app::Caller::system("accord import bank-holidays");
        let recount = accord_app::requests::recount(&app, &caller, &reason).await?;
        out!(
            "Recounted the deadlines of {} open requests: {} moved.",
            recount.open,
            recount.moved.len()
        )?;
        for m in &recount.moved {
            out!(
                "  {}: answer by {} (was {})",
                m.reference,
                m.answer_by.1.map_or("none".to_owned(), |d| d.to_string()),
                m.answer_by.0.map_or("none".to_owned(), |d| d.to_string())
            )?;
        }
        for (id, why) in &recount.failed {
            out!("  request {id} could not be recounted: {why}")?;
        }
    }
    store.close().await;
    Ok(())
}

/// Says what changed in the holiday table, and where the feed disagrees with the statutory
/// rules (usually a proclamation newer than the feed, or one the rules do not know).
fn report_differences(before: &HolidayTable, after: &HolidayTable) -> anyhow::Result<()> {
    let changes = after.changes_from(before);
    if changes.is_empty() {
        out!("No working day changed.")?;
    } else {
        out!("{} days changed:", changes.len())?;
        for c in &changes {
            out!(
                "  {} {} {} ({})",
                if c.added { "+" } else { "-" },
                c.date,
                c.title,
                c.division.name()
            )?;
        }
    }
    let discrepancies = after.discrepancies();
    if !discrepancies.is_empty() {
        out!("Where the feed and Accord's statutory rules disagree (the feed is used):")?;
        for d in discrepancies {
            out!(
                "  {} {}: feed {}, rules {}",
                d.date,
                d.division.name(),
                d.feed.as_deref().unwrap_or("no holiday"),
                d.rules.as_deref().unwrap_or("no holiday")
            )?;
        }
    }
    Ok(())
}

/// Matches slugs to register codes, refusing the whole file if any slug is unknown.
fn match_slugs<'a>(
    slugs: impl Iterator<Item = &'a str>,
    index: &BTreeMap<String, String>,
    text: &str,
    field: &str,
) -> Result<BTreeMap<String, String>, Invalid> {
    let mut invalid = Invalid::new();
    let mut found = BTreeMap::new();
    for slug in slugs {
        match code_for_slug(slug, index) {
            Some(code) => {
                found.insert(slug.to_owned(), code);
            }
            None => {
                let line = text
                    .find(&format!("\"{slug}\""))
                    .map_or(1, |i| text[..i].lines().count() as u64);
                invalid.extend(Invalid::field(field, format!("“{slug}” matches no council in the register: import the register first, or check the slug")).at_line(line));
            }
        }
    }
    invalid.into_result().map(|()| found)
}

/// Imports population estimates.
pub async fn population(db: &str, file: &Path) -> anyhow::Result<()> {
    let text = read_input(file)?;
    let parsed =
        parse_population(&text).with_context(|| format!("{} was refused", file.display()))?;
    let store = open(db).await?;
    let index = slug_index(&store.register_entries().await?);
    let codes = match_slugs(
        parsed.populations.iter().map(|(s, _)| s.as_str()),
        &index,
        &text,
        "populations",
    )
    .with_context(|| format!("{} was refused", file.display()))?;
    let rows: Vec<(String, u64)> = parsed
        .populations
        .iter()
        .map(|(slug, n)| (codes[slug].clone(), *n))
        .collect();
    let change =
        Change::by("accord import population").because(format!("imported {}", file.display()));
    let summary = store
        .replace_populations(parsed.year, &parsed.source, &rows, &change)
        .await?;
    out!(
        "Imported {} councils' mid-{} population estimates ({}).",
        summary.rows,
        parsed.year,
        parsed.source
    )?;
    store.close().await;
    Ok(())
}

/// Imports budgets by service category.
pub async fn budgets(db: &str, file: &Path) -> anyhow::Result<()> {
    let text = read_input(file)?;
    let lines = parse_budgets(&text).with_context(|| format!("{} was refused", file.display()))?;
    let store = open(db).await?;
    let index = slug_index(&store.register_entries().await?);
    let slugs: BTreeSet<&str> = lines.iter().map(|l| l.slug.as_str()).collect();
    let codes = match_slugs(slugs.into_iter(), &index, &text, "slug")
        .with_context(|| format!("{} was refused", file.display()))?;
    let rows: Vec<(String, Budget)> = lines
        .into_iter()
        .map(|l| {
            (
                codes[&l.slug].clone(),
                Budget {
                    category: l.category,
                    label: l.label,
                    amount: l.amount,
                    total: l.budget_total,
                },
            )
        })
        .collect();
    let councils = rows.iter().map(|(c, _)| c).collect::<BTreeSet<_>>().len();
    let change =
        Change::by("accord import budgets").because(format!("imported {}", file.display()));
    let summary = store.replace_budgets(&rows, &change).await?;
    out!(
        "Imported {} budget lines for {councils} councils (the source does not state the budget year).",
        summary.rows
    )?;
    store.close().await;
    Ok(())
}

/// Imports borders, deriving counties' borders from their districts'.
pub async fn neighbours(db: &str, file: &Path) -> anyhow::Result<()> {
    let text = read_input(file)?;
    let store = open(db).await?;
    let entries = store.register_entries().await?;
    let known: BTreeSet<String> = entries.iter().map(|e| e.code.clone()).collect();
    // The source's rows for counties and combined authorities are corrupt (see its notes).
    let trusted: BTreeSet<String> = entries
        .iter()
        .filter(|e| {
            !matches!(
                e.kind.as_str(),
                "county" | "combined-authority" | "strategic-regional-authority"
            )
        })
        .map(|e| e.code.clone())
        .collect();
    let pairs = parse_neighbours(&text, &trusted, &known)
        .with_context(|| format!("{} was refused", file.display()))?;
    let county_of: BTreeMap<String, String> = entries
        .iter()
        .filter_map(|e| e.county.clone().map(|c| (e.code.clone(), c)))
        .filter(|(_, c)| known.contains(c))
        .collect();
    let derived = county_borders(&pairs, &county_of);
    let mut all: Vec<(String, String, bool)> = pairs
        .iter()
        .map(|(a, b)| (a.clone(), b.clone(), false))
        .collect();
    all.extend(derived.iter().map(|(a, b)| (a.clone(), b.clone(), true)));
    let change =
        Change::by("accord import neighbours").because(format!("imported {}", file.display()));
    store.replace_neighbours(&all, &change).await?;
    out!(
        "Imported {} borders between councils, and derived {} county borders from their districts.",
        pairs.len(),
        derived.len()
    )?;
    store.close().await;
    Ok(())
}
