//! The delivery and governance demo of the Haringey – Waltham Forest partnership: the
//! fourteen projects of Appendix B of seed 003 with their phases, milestones and dates, the
//! three boards of Schedule 3 with their cadence and chair rotation, a few illustrative RAID
//! items and decisions, and one published highlight report.
//!
//! Loading twice adds nothing: projects, boards, RAID items and decisions are matched by
//! their names, the highlight report by its project. Anything the seed does not give is
//! labelled illustrative in the record itself.

use accord_app::governance::raid as raid_use;
use accord_domain::access::{Area, Classification};
use accord_domain::board::{self, BoardLevel, DecisionInput};
use accord_domain::highlight_report::{self, HighlightReport};
use accord_domain::progress_report::{self, demo_as_at};
use accord_domain::raid::{self, RaidDetail, RaidInput};
use accord_store::{Change, RecordQuery, Store};
use accord_web::delivery;
use chrono::NaiveDate;
use std::collections::HashMap;

/// What a delivery demo load did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliverySummary {
    /// Projects created.
    pub projects: u64,
    /// Boards created.
    pub boards: u64,
    /// Decisions recorded.
    pub decisions: u64,
    /// RAID items raised.
    pub raid_items: u64,
    /// Tolerance exceptions escalated.
    pub escalations: u64,
    /// Highlight reports published.
    pub highlight_reports: u64,
}

/// Illustrative decisions: the seed records no board decision, so these are labelled as such.
/// (board, title, text, key decision)
const DECISIONS: [(BoardLevel, &str, &str, bool); 2] = [
    (
        BoardLevel::Programme,
        "Note that economic development phase 2 is expected in September 2011 (illustrative)",
        "Illustrative decision, not from the seed: the board notes that phase 2 of economic development (a shared service with a joint head) is likely to slip from July to September 2011, as Appendix B of seed 003 reports, while a further report on potential staffing issues goes to Haringey's Corporate Committee.",
        false,
    ),
    (
        BoardLevel::SeniorStakeholder,
        "Recommend the final business case for the joint HR shared service to both Cabinets (illustrative)",
        "Illustrative decision, not from the seed: a key decision, made only once the Cabinet of each council has approved it. Appendix B of seed 003 plans the final business case for the joint HR shared service by September 2011.",
        true,
    ),
];

/// Loads the delivery demo into the Haringey – Waltham Forest partnership.
pub async fn load(app: &accord_app::App, partnership_id: i64) -> anyhow::Result<DeliverySummary> {
    let store: &dyn Store = &**app.legacy_store();
    let change = Change::by(super::DEMO_ACTOR).because("demo data from seed 003");
    let on = demo_as_at();
    let scope = delivery::system_scope();
    let mut summary = DeliverySummary::default();

    // Projects: Appendix B is a committee report published by Haringey, so they are public.
    let existing = delivery::projects(store, partnership_id, &scope, on).await?;
    let mut ids: HashMap<i64, i64> = HashMap::new();
    for project in progress_report::demo_haringey_waltham_forest() {
        let demo_id = project.id;
        let record_id = match existing.iter().find(|p| p.value.name == project.name) {
            Some(found) => found.id(),
            None => {
                let meta = delivery::meta(
                    Area::Programme,
                    partnership_id,
                    None,
                    Classification::Published,
                );
                summary.projects += 1;
                store
                    .insert_record(&delivery::project_input(&project, meta)?, &change)
                    .await?
            }
        };
        ids.insert(demo_id, record_id);
    }
    let projects = delivery::projects(store, partnership_id, &scope, on).await?;
    for project in &projects {
        summary.escalations +=
            delivery::escalate_exceptions(store, project, on, &change).await? as u64;
    }

    // Boards: Schedule 3, members by post, chairs rotating from Haringey; written through
    // the same use cases as the pages, on the seed's day.
    let caller = accord_app::Caller::system(super::DEMO_ACTOR);
    let seed_day = app.clone().with_clock(accord_app::Clock::Fixed(on));
    let boards = accord_app::governance::boards::boards(&seed_day, &caller, partnership_id).await?;
    for b in board::demo_haringey_waltham_forest() {
        if boards.iter().all(|s| s.board.level != b.level) {
            accord_app::governance::boards::add_board(
                &seed_day,
                &caller,
                partnership_id,
                &b,
                Classification::Published,
            )
            .await?;
            summary.boards += 1;
        }
    }
    let boards = accord_app::governance::boards::boards(&seed_day, &caller, partnership_id).await?;
    for (level, title, text, key) in DECISIONS {
        let Some(b) = boards.iter().find(|b| b.board.level == level) else {
            continue;
        };
        summary.decisions +=
            u64::from(record_decision(&seed_day, &caller, b, title, text, key, on).await?);
    }

    // RAID items: the situations are the seed's, the items illustrative (each says so). They
    // are raised on the day the seed gives, through the same use case as the pages.
    for item in raid::demo_illustrative().items {
        let filter = raid::RaidFilter {
            text: Some(item.title.clone()),
            ..raid::RaidFilter::default()
        };
        let day = app
            .clone()
            .with_clock(accord_app::Clock::Fixed(item.raised_on));
        let same = raid_use::list(
            &day,
            &caller,
            partnership_id,
            &filter,
            &accord_app::list::ListRequest::default(),
        )
        .await?;
        if same.page.items.iter().any(|e| e.item.title == item.title) {
            continue;
        }
        let remap = |id: i64| ids.get(&id).copied().unwrap_or(id);
        let detail = match item.detail {
            RaidDetail::Dependency {
                from_project,
                to_project,
                needed_by,
            } => RaidDetail::Dependency {
                from_project: remap(from_project),
                to_project: remap(to_project),
                needed_by,
            },
            other => other,
        };
        let input = RaidInput {
            title: item.title,
            description: item.description,
            owner: item.owner,
            project: item.project.map(remap),
            raised_on: item.raised_on,
            board: Some(item.board),
            detail,
        };
        raid_use::raise(
            &day,
            &caller,
            partnership_id,
            raid_use::RaiseRaid {
                input,
                classification: Classification::Partnership,
            },
        )
        .await?;
        summary.raid_items += 1;
    }

    // One published highlight report: economic development, July 2011 (ratings illustrative).
    let demo = highlight_report::demo_published()?;
    if let Some(project) = ids
        .get(&demo.project)
        .and_then(|id| projects.iter().find(|p| p.id() == *id))
    {
        let query = RecordQuery {
            parent_id: Some(project.id()),
            ..RecordQuery::of(delivery::HIGHLIGHT_REPORT, partnership_id)
        };
        if store.count_records(&query, &scope, on).await? == 0 {
            let mut report = HighlightReport::new(&project.value, demo.draft.clone())?;
            report.publish(&project.value, on)?;
            let meta = delivery::meta(
                Area::Programme,
                partnership_id,
                None,
                Classification::Published,
            );
            store
                .insert_record(
                    &delivery::highlight_input(&report, &project.value, meta)?,
                    &change,
                )
                .await?;
            summary.highlight_reports += 1;
        }
    }
    Ok(summary)
}

/// Records an illustrative decision in a board's log unless one of that title is there.
/// Returns whether it was recorded.
async fn record_decision(
    app: &accord_app::App,
    caller: &accord_app::Caller,
    b: &accord_app::governance::boards::StoredBoard,
    title: &str,
    text: &str,
    key: bool,
    on: NaiveDate,
) -> anyhow::Result<bool> {
    let logged = accord_app::governance::boards::decisions(app, caller, b.record_id).await?;
    if logged.iter().any(|d| d.decision.title == title) {
        return Ok(false);
    }
    accord_app::governance::boards::record_decision(
        app,
        caller,
        b.record_id,
        DecisionInput {
            meeting: None,
            taken_on: on,
            title: title.to_owned(),
            text: text.to_owned(),
            key,
        },
        Classification::Partnership,
    )
    .await?;
    Ok(true)
}
