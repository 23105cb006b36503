//! The savings ledger: list a page of it with its totals, read the summary by council and
//! year, add, change and delete a line, import a ledger file (all or nothing, in one
//! transaction, every problem named with its line) and export the ledger as CSV or XLSX.
//!
//! A line may name a project record and one of its milestones by number. Whether the
//! milestone has slipped is the domain's rule over the project's dates as the reader may see
//! them; the ledger works it out for the few milestones its lines name and hands them to the
//! database, which rates, filters and sums every line in SQL.

use std::collections::{HashMap, HashSet};

use accord_domain::access::Action;
use accord_domain::finance::FinanceKind;
use accord_domain::finance::saving::{self, COLUMNS, Cumulative, Saving, Status, YearTotal};
use accord_domain::project::DatePlan;
use accord_domain::{FinancialYear, GssCode, Invalid, Money};
use accord_store::finance::savings::{
    LedgerRow, SavingKey, SavingsFilter, SavingsOrder, SavingsPage, SavingsTotal, TotalsBy,
};
use accord_store::finance::{PROJECT_KIND, Stored};

use super::files::{self, Format, Rows};
use super::{
    Entry, Visibility, changed_meta, check_access, check_link, check_version, meta_for, number_of,
};
use crate::list::{ListRequest, Listed, Start, encode_cursor};
use crate::{App, AppError, Caller, Result};

/// The name of the ledger's cursors.
const LIST: &str = "savings";

/// The most lines one import may hold.
pub const MAX_IMPORT_LINES: usize = 5_000;

/// What the ledger needs of a project: its name and milestones (other fields are the
/// delivery pages' business).
#[derive(Debug, Clone)]
struct ProjectMilestones {
    name: String,
    milestones: Vec<MilestoneDates>,
}

#[derive(Debug, Clone)]
struct MilestoneDates {
    number: u32,
    name: String,
    due: DatePlan,
}

/// One line of the ledger as read: the line, its rating as shown and why, and its running
/// totals.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerLine {
    /// The stored line.
    pub entry: Entry<Saving>,
    /// The rating shown and why (a slipped milestone makes an undelivered line Red).
    pub status: Status,
    /// Running totals of its project and council up to its year.
    pub cumulative: Cumulative,
    /// Expected less planned for this year.
    pub variance: Money,
    /// The linked project's name, when its record is visible.
    pub project_name: Option<String>,
    /// The linked milestone's name, when its record is visible.
    pub milestone_name: Option<String>,
    /// Whether the link could not be followed (no such project or milestone visible to the
    /// reader).
    pub link_unresolved: bool,
}

/// A page of the ledger with its totals, all answered by the database.
#[derive(Debug, Clone, PartialEq)]
pub struct Ledger {
    /// The page.
    pub page: Listed<LedgerLine>,
    /// Totals of everything that matches, by financial year and council.
    pub totals: Vec<SavingsTotal>,
    /// Totals of everything that matches.
    pub everything: YearTotal,
}

/// The savings summary: what matches, summed by council and year, by year, by council, and
/// in all (planned against achieved, against the councils' savings targets).
#[derive(Debug, Clone, PartialEq)]
pub struct SavingsSummary {
    /// By financial year and council.
    pub by_year_and_council: Vec<SavingsTotal>,
    /// By financial year.
    pub by_year: Vec<SavingsTotal>,
    /// By council.
    pub by_council: Vec<SavingsTotal>,
    /// Everything.
    pub everything: SavingsTotal,
}

/// The milestones the visible ledger depends on: which have slipped, and the names of the
/// projects and milestones the reader may see.
#[derive(Debug, Clone, Default)]
struct Links {
    slipped: Vec<(i64, u32)>,
    projects: HashMap<i64, Option<ProjectMilestones>>,
}

impl Links {
    fn milestone(&self, s: &Saving) -> Option<&MilestoneDates> {
        let project = self.projects.get(&s.project_record_id?)?.as_ref()?;
        project
            .milestones
            .iter()
            .find(|m| Some(m.number) == s.milestone)
    }
}

async fn links(app: &App, caller: &Caller, partnership_id: i64) -> Result<Links> {
    let today = app.today();
    let scope = caller.scope();
    let store = app.store();
    let named = store.saving_links(partnership_id, &scope, today).await?;
    let mut links = Links::default();
    for (project, _) in &named {
        if links.projects.contains_key(project) {
            continue;
        }
        let found = crate::delivery::projects::milestones_of(app, caller, partnership_id, *project)
            .await?
            .map(|(name, milestones)| ProjectMilestones {
                name,
                milestones: milestones
                    .into_iter()
                    .map(|m| MilestoneDates {
                        number: m.number,
                        name: m.name,
                        due: m.due,
                    })
                    .collect(),
            });
        links.projects.insert(*project, found);
    }
    for (project, milestone) in named {
        let Some(number) = milestone else { continue };
        let slipped = links
            .projects
            .get(&project)
            .and_then(Option::as_ref)
            .and_then(|p| p.milestones.iter().find(|m| m.number == number))
            .is_some_and(|m| saving::milestone_slipped(&m.due, today));
        if slipped {
            links.slipped.push((project, number));
        }
    }
    Ok(links)
}

fn line(
    stored: Stored<Saving>,
    cumulative: Cumulative,
    links: &Links,
    caller: &Caller,
    today: chrono::NaiveDate,
) -> LedgerLine {
    let s = stored.value.clone();
    let project = s
        .project_record_id
        .and_then(|id| links.projects.get(&id).cloned().flatten());
    let milestone = links.milestone(&s).cloned();
    let link_unresolved = (s.project_record_id.is_some() && project.is_none())
        || (s.milestone.is_some() && milestone.is_none());
    let slipped = milestone
        .as_ref()
        .filter(|m| saving::milestone_slipped(&m.due, today))
        .map(|m| m.name.clone());
    LedgerLine {
        status: saving::status(&s, slipped.as_deref()),
        variance: s.variance(),
        project_name: project.map(|p| p.name).filter(|n| !n.is_empty()),
        milestone_name: milestone.map(|m| m.name),
        link_unresolved,
        cumulative,
        entry: Entry::of(FinanceKind::Saving, stored, s, caller, today),
    }
}

/// A page of the partnership's ledger matching `filter`, in `order`, with each line's status
/// and running totals, the total count and the totals by year and council, all computed by
/// the database over what the caller may read.
pub async fn ledger(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    filter: &SavingsFilter,
    order: SavingsOrder,
    request: &ListRequest,
) -> Result<Ledger> {
    let today = app.today();
    let scope = caller.scope();
    let store = app.store();
    let links = links(app, caller, partnership_id).await?;
    let after = match &request.start {
        Start::After(key) => Some(serde_json::from_str::<SavingKey>(key).map_err(|_| {
            Invalid::field(
                "cursor",
                "This is not a cursor of this list: follow the `next` link of the page before",
            )
        })?),
        Start::Page(_) => None,
    };
    let page = SavingsPage {
        order,
        after,
        offset: request.offset(),
        limit: i64::from(request.limit) + 1,
    };
    let mut rows: Vec<LedgerRow> = store
        .savings(partnership_id, filter, &page, &links.slipped, &scope, today)
        .await?;
    let more = rows.len() > request.limit as usize;
    rows.truncate(request.limit as usize);
    let next = more
        .then(|| {
            rows.last().map(|r| {
                encode_cursor(
                    LIST,
                    &serde_json::to_string(&SavingKey::of(&r.line)).unwrap_or_default(),
                )
            })
        })
        .flatten();
    let total = store
        .count_savings(partnership_id, filter, &links.slipped, &scope, today)
        .await?;
    let totals = store
        .savings_totals(
            partnership_id,
            filter,
            &links.slipped,
            TotalsBy::YearAndCouncil,
            &scope,
            today,
        )
        .await?;
    let everything = store
        .savings_totals(
            partnership_id,
            filter,
            &links.slipped,
            TotalsBy::Everything,
            &scope,
            today,
        )
        .await?
        .pop()
        .map(|t| t.total)
        .unwrap_or_default();
    Ok(Ledger {
        page: Listed {
            items: rows
                .into_iter()
                .map(|r| line(r.line, r.cumulative, &links, caller, today))
                .collect(),
            total,
            next,
        },
        totals,
        everything,
    })
}

/// The savings summary of what matches `filter`: SQL sums by year and council, by year, by
/// council and in all.
pub async fn summary(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    filter: &SavingsFilter,
) -> Result<SavingsSummary> {
    let today = app.today();
    let scope = caller.scope();
    let store = app.store();
    let links = links(app, caller, partnership_id).await?;
    let sums = |by| store.savings_totals(partnership_id, filter, &links.slipped, by, &scope, today);
    let by_year_and_council = sums(TotalsBy::YearAndCouncil).await?;
    let by_year = sums(TotalsBy::Year).await?;
    let by_council = sums(TotalsBy::Council).await?;
    let everything = sums(TotalsBy::Everything)
        .await?
        .pop()
        .unwrap_or(SavingsTotal {
            financial_year: None,
            council: None,
            lines: 0,
            total: YearTotal::default(),
        });
    Ok(SavingsSummary {
        by_year_and_council,
        by_year,
        by_council,
        everything,
    })
}

/// The line a reference names (SV-12), if the caller may read it, with its status.
pub async fn get(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
) -> Result<LedgerLine> {
    let today = app.today();
    let number = number_of(FinanceKind::Saving, reference, "Ledger line")?;
    let stored = app
        .store()
        .saving(partnership_id, number, &caller.scope(), today)
        .await?
        .ok_or_else(|| AppError::not_found(format!("Ledger line {reference}")))?;
    let links = links(app, caller, partnership_id).await?;
    let cumulative = Cumulative {
        index: 0,
        planned: stored.value.planned,
        expected: stored.value.expected(),
        achieved: stored.value.achieved.unwrap_or(Money::ZERO),
        variance: stored.value.variance(),
    };
    Ok(line(stored, cumulative, &links, caller, today))
}

/// The partnership's projects the caller may see, by record id and name, for the line form.
pub async fn projects(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
) -> Result<Vec<(i64, String)>> {
    let mut projects: Vec<(i64, String)> =
        crate::delivery::project_names(app, caller, partnership_id)
            .await?
            .into_iter()
            .collect();
    projects.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    Ok(projects)
}

/// A ledger line to add, or a line's new content.
#[derive(Debug, Clone, PartialEq)]
pub struct SavingCommand {
    /// The line.
    pub saving: Saving,
    /// Who may see it.
    pub visibility: Visibility,
}

/// Checks a line against the partnership's members; its project link is checked in the
/// writing transaction.
async fn check_line(app: &App, caller: &Caller, partnership_id: i64, s: &Saving) -> Result<()> {
    let context = super::context(app, caller, partnership_id).await?;
    s.validate(&context.members)?;
    Ok(())
}

/// Adds a line to the ledger: numbered after the ledger's last. A link to a project that is
/// not one of the partnership's is refused, naming `project_record_id`.
pub async fn add(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    command: SavingCommand,
) -> Result<Entry<Saving>> {
    let today = app.today();
    check_line(app, caller, partnership_id, &command.saving).await?;
    let meta = meta_for(caller, partnership_id, command.visibility)?;
    caller.check(Action::Create, &meta, today)?;
    let mut tx = app.store().write().await?;
    let mut invalid = Invalid::new();
    check_link(
        &mut tx,
        partnership_id,
        PROJECT_KIND,
        command.saving.project_record_id,
        "project_record_id",
        "project",
        &mut invalid,
    )
    .await?;
    invalid.into_result()?;
    let stored = tx
        .insert_saving(&meta, &command.saving, &caller.change())
        .await?;
    tx.commit().await?;
    Ok(Entry::of(
        FinanceKind::Saving,
        stored.clone(),
        stored.value,
        caller,
        today,
    ))
}

/// Replaces a line, from the version the caller read.
pub async fn change(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    command: SavingCommand,
    from_version: Option<i64>,
) -> Result<Entry<Saving>> {
    let today = app.today();
    let number = number_of(FinanceKind::Saving, reference, "Ledger line")?;
    check_line(app, caller, partnership_id, &command.saving).await?;
    let mut tx = app.store().write().await?;
    let what = format!("Ledger line {}", FinanceKind::Saving.reference(number));
    let stored = tx
        .saving_for_change(partnership_id, number)
        .await?
        .ok_or_else(|| AppError::not_found(&what))?;
    check_access(caller, &stored, Action::Update, &what, today)?;
    check_version(&what, stored.version, from_version)?;
    let meta = changed_meta(caller, &stored.meta, command.visibility)?;
    caller.check(Action::Update, &meta, today)?;
    let mut invalid = Invalid::new();
    check_link(
        &mut tx,
        partnership_id,
        PROJECT_KIND,
        command.saving.project_record_id,
        "project_record_id",
        "project",
        &mut invalid,
    )
    .await?;
    invalid.into_result()?;
    // Where the figures come from is the line's, not the form's.
    let mut s = command.saving;
    if s.source.is_none() {
        s.source.clone_from(&stored.value.source);
    }
    let saved = tx
        .update_saving(&stored, &meta, &s, &caller.change())
        .await?;
    tx.commit().await?;
    Ok(Entry::of(
        FinanceKind::Saving,
        saved.clone(),
        saved.value,
        caller,
        today,
    ))
}

/// Deletes a line read at `from_version`.
pub async fn delete(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
) -> Result<()> {
    let today = app.today();
    let number = number_of(FinanceKind::Saving, reference, "Ledger line")?;
    let Some(version) = from_version else {
        return Err(Invalid::field(
            "version",
            "Send the version you read, so a line someone else has changed since is not deleted",
        )
        .into());
    };
    let mut tx = app.store().write().await?;
    let what = format!("Ledger line {}", FinanceKind::Saving.reference(number));
    let stored = tx
        .saving_for_change(partnership_id, number)
        .await?
        .ok_or_else(|| AppError::not_found(&what))?;
    check_access(caller, &stored, Action::Delete, &what, today)?;
    check_version(&what, stored.version, Some(version))?;
    tx.delete_saving(&stored, &caller.change()).await?;
    tx.commit().await?;
    Ok(())
}

/// The columns a ledger file must have (files of earlier releases call `planned` `target`).
const REQUIRED: [(&str, Option<&str>); 4] = [
    ("project", None),
    ("council", None),
    ("financial_year", None),
    ("planned", Some("target")),
];

/// Parses and checks every row of a ledger file; the refusal lists every problem with its
/// line.
pub fn parse_rows(
    rows: &Rows,
    members: &[GssCode],
    council: &dyn Fn(&str) -> Option<GssCode>,
) -> std::result::Result<Vec<(u64, Saving)>, Invalid> {
    let mut invalid = Invalid::new();
    if rows.is_empty() {
        invalid.push("file", "has no ledger lines under its header row");
    }
    if rows.len() > MAX_IMPORT_LINES {
        invalid.push(
            "file",
            format!(
                "has {} lines; import at most {MAX_IMPORT_LINES} at a time",
                rows.len()
            ),
        );
        return Err(invalid);
    }
    if let Some((line, cells)) = rows.first() {
        for (required, old) in REQUIRED {
            if !cells.contains_key(required) && old.is_none_or(|o| !cells.contains_key(o)) {
                invalid.push(
                    required,
                    format!(
                        "the file has no “{required}” column; the columns are {}",
                        COLUMNS.join(", ")
                    ),
                );
            }
        }
        if !invalid.is_empty() {
            return Err(invalid.at_line(line.saturating_sub(1).max(1)));
        }
    }
    let mut out = Vec::new();
    let mut seen: HashMap<(String, GssCode, FinancialYear), u64> = HashMap::new();
    for (line, cells) in rows {
        let get = |name: &str| cells.get(name).map_or("", String::as_str);
        match Saving::from_cells(get, council) {
            Ok(s) => {
                if let Err(e) = s.validate(members) {
                    invalid.extend(e.at_line(*line));
                    continue;
                }
                let key = (
                    s.project.trim().to_owned(),
                    s.council.clone(),
                    s.financial_year,
                );
                if let Some(first) = seen.insert(key, *line) {
                    invalid.extend(
                        Invalid::field(
                            "financial_year",
                            format!("line {first} already gives this project’s saving for this council and year"),
                        )
                        .at_line(*line),
                    );
                    continue;
                }
                out.push((*line, s));
            }
            Err(e) => invalid.extend(e.at_line(*line)),
        }
    }
    invalid.into_result()?;
    Ok(out)
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Lines added.
    pub created: usize,
    /// Lines that replaced one for the same project, council and year.
    pub replaced: usize,
}

/// Imports a ledger file (CSV or XLSX), all or nothing, in one transaction: a line for the
/// same project, council and year as one the caller may change replaces it (keeping its
/// reference); every other line is added. Nothing is written unless every line is right, and
/// each problem names its column and line.
pub async fn import(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    bytes: &[u8],
    visibility: Visibility,
) -> Result<ImportReport> {
    let today = app.today();
    let context = super::context(app, caller, partnership_id).await?;
    let resolve = super::council_resolver(app, &context.members).await?;
    let rows = files::read_file(bytes)?;
    let lines = parse_rows(&rows, &context.members, &resolve)?;
    let meta = meta_for(caller, partnership_id, visibility)?;
    caller.check(Action::Create, &meta, today)?;
    let scope = caller.scope();
    let mut tx = app.store().write().await?;
    // Every line's project link first, so a refusal names every bad line before anything is
    // written.
    let mut invalid = Invalid::new();
    let mut known: HashSet<i64> = HashSet::new();
    for (number, s) in &lines {
        if let Some(project) = s.project_record_id
            && !known.contains(&project)
        {
            let mut here = Invalid::new();
            check_link(
                &mut tx,
                partnership_id,
                PROJECT_KIND,
                Some(project),
                "project_record_id",
                "project",
                &mut here,
            )
            .await?;
            if here.is_empty() {
                known.insert(project);
            }
            invalid.extend(here.at_line(*number));
        }
    }
    invalid.into_result()?;
    let change = caller.change().because("ledger import");
    let mut report = ImportReport::default();
    for (_, s) in &lines {
        let existing = tx
            .savings_like(partnership_id, &s.project, &s.council, s.financial_year)
            .await?
            .into_iter()
            .find(|e| {
                (caller.system.is_some() || scope.permits(&e.meta, today))
                    && caller.check(Action::Update, &e.meta, today).is_ok()
            });
        match existing {
            Some(old) => {
                let meta = changed_meta(caller, &old.meta, visibility)?;
                tx.update_saving(&old, &meta, s, &change).await?;
                report.replaced += 1;
            }
            None => {
                tx.insert_saving(&meta, s, &change).await?;
                report.created += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(report)
}

/// The ledger as the caller may see it, as a file with the columns of [`COLUMNS`]: read a
/// page at a time, in project order.
pub async fn export(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    format: Format,
) -> Result<Vec<u8>> {
    let today = app.today();
    let scope = caller.scope();
    let store = app.store();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut page = SavingsPage {
        order: SavingsOrder::Project,
        after: None,
        offset: 0,
        limit: 500,
    };
    loop {
        let chunk = store
            .savings(
                partnership_id,
                &SavingsFilter::default(),
                &page,
                &[],
                &scope,
                today,
            )
            .await?;
        let Some(last) = chunk.last() else { break };
        page.after = Some(SavingKey::of(&last.line));
        let full = chunk.len() as i64 == page.limit;
        rows.extend(chunk.iter().map(|r| r.line.value.to_cells()));
        if !full {
            break;
        }
    }
    Ok(match format {
        Format::Csv => files::write_csv(&COLUMNS, &rows)?,
        Format::Xlsx => files::write_xlsx(
            "Savings ledger",
            &COLUMNS,
            &rows,
            &["planned", "forecast", "achieved"],
        )?,
    })
}
