//! The RAID log's use cases: list a page of it with its heat map, read an item, raise one,
//! escalate, close and reopen it.
//!
//! Raising reads no list: inside its transaction it reads the log's highest number and its open
//! dependencies (all the numbering and the cycle rule need), so concurrent raisers get distinct
//! numbers. Changes are made from the version the caller read; a stale one is a conflict.

use std::collections::HashMap;

use accord_domain::Invalid;
use accord_domain::access::{Action, Area, Classification, RecordMeta};
use accord_domain::board::BoardLevel;
use accord_domain::raid::{
    HeatMap, RaidDetail, RaidFilter, RaidInput, RaidItem, RaidLog, parse_reference,
};
use accord_store::WriteTx;
use accord_store::raid::{RaidPage, StoredRaid};

use crate::list::{ListRequest, Listed, Start, encode_cursor};
use crate::{App, AppError, Caller, Result};

/// The kind of a RAID item's record, as routes name it.
pub use accord_store::raid::RAID_KIND as KIND;

/// The name of the RAID log's cursors.
const LIST: &str = "raid";

/// A RAID item as its reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct RaidEntry {
    /// The record's id (its history is filed under it).
    pub record_id: i64,
    /// The version a change must name.
    pub version: i64,
    /// Who may see and change it.
    pub meta: RecordMeta,
    /// Its class today (an embargo whose date has come counts as released).
    pub classification: Classification,
    /// The item.
    pub item: RaidItem,
}

impl RaidEntry {
    fn of(stored: StoredRaid, today: chrono::NaiveDate) -> Self {
        RaidEntry {
            record_id: stored.record_id,
            version: stored.version,
            classification: stored.meta.effective_classification(today),
            meta: stored.meta,
            item: stored.item,
        }
    }

    /// Its reference: R12.
    pub fn reference(&self) -> String {
        self.item.reference()
    }
}

/// A page of the RAID log with the heat map of everything that matches.
#[derive(Debug, Clone, PartialEq)]
pub struct RaidList {
    /// The page.
    pub page: Listed<RaidEntry>,
    /// Open risks among all matching items, per cell.
    pub heat_map: HeatMap,
}

/// A new item: what was entered and who may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct RaiseRaid {
    /// The item as entered.
    pub input: RaidInput,
    /// Who may see it.
    pub classification: Classification,
}

fn log_meta(partnership_id: i64) -> RecordMeta {
    RecordMeta::published(Area::Programme, Some(partnership_id))
}

/// A page of the partnership's RAID log matching `filter`, with the total and the heat map,
/// all counted by the database over what the caller may read.
pub async fn list(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    filter: &RaidFilter,
    request: &ListRequest,
) -> Result<RaidList> {
    let today = app.today();
    caller.check(Action::Read, &log_meta(partnership_id), today)?;
    filter.prepare()?;
    let after = match &request.start {
        Start::After(key) => Some(key.parse::<u32>().map_err(|_| {
            Invalid::field(
                "cursor",
                "This is not a cursor of this list: follow the `next` link of the page before",
            )
        })?),
        Start::Page(_) => None,
    };
    let scope = caller.scope();
    let store = app.store();
    // One more than the page holds says whether there is a next page.
    let page = RaidPage {
        after,
        offset: request.offset(),
        limit: i64::from(request.limit) + 1,
    };
    let mut rows = store
        .raid_items(partnership_id, filter, &page, &scope, today)
        .await?;
    let more = rows.len() > request.limit as usize;
    rows.truncate(request.limit as usize);
    let next = more
        .then(|| {
            rows.last()
                .map(|r| encode_cursor(LIST, &r.item.number.to_string()))
        })
        .flatten();
    let (total, heat_map) = store
        .raid_summary(partnership_id, filter, &scope, today)
        .await?;
    Ok(RaidList {
        page: Listed {
            items: rows.into_iter().map(|r| RaidEntry::of(r, today)).collect(),
            total,
            next,
        },
        heat_map,
    })
}

/// The item a reference names (R12, r-12), if the caller may read it.
pub async fn item(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
) -> Result<RaidEntry> {
    let today = app.today();
    let not_found = || AppError::not_found(format!("RAID item {reference}"));
    let (kind, number) = parse_reference(reference).ok_or_else(not_found)?;
    let stored = app
        .store()
        .raid_item(partnership_id, number, &caller.scope(), today)
        .await?
        .filter(|s| s.item.kind() == kind)
        .ok_or_else(not_found)?;
    Ok(RaidEntry::of(stored, today))
}

/// The reference of the item with this record id (old addresses named items by it), if the
/// caller may read it.
pub async fn reference_of(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    record_id: i64,
) -> Result<Option<String>> {
    let Some((p, number)) = app.store().raid_number(record_id).await? else {
        return Ok(None);
    };
    if p != partnership_id {
        return Ok(None);
    }
    Ok(app
        .store()
        .raid_item(p, number, &caller.scope(), app.today())
        .await?
        .map(|s| s.item.reference()))
}

/// The open items escalated to a board, which go on its agenda, that the caller may read.
pub async fn escalated(app: &App, caller: &Caller, partnership_id: i64) -> Result<Vec<RaidItem>> {
    Ok(app
        .store()
        .escalated_raid_items(partnership_id, &caller.scope(), app.today())
        .await?
        .into_iter()
        .map(|s| s.item)
        .collect())
}

fn namer(names: &HashMap<i64, String>) -> impl Fn(i64) -> String + '_ {
    |id| {
        names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("project {id}"))
    }
}

/// Raises an item: numbered after the highest in the log, refused (naming the cycle) if a
/// dependency would close a cycle of projects. Returns the stored item.
pub async fn raise(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    command: RaiseRaid,
) -> Result<RaidEntry> {
    let today = app.today();
    let meta = RecordMeta {
        area: Area::Programme,
        partnership_id: Some(partnership_id),
        owner: None,
        classification: command.classification,
        embargo: None,
    };
    caller.check(Action::Create, &meta, today)?;
    // Only a dependency is checked against the others (for a cycle, named by its projects);
    // any other item needs the log's last number alone, so raising one reads no list.
    let dependency = matches!(command.input.detail, RaidDetail::Dependency { .. });
    let names = if dependency {
        crate::delivery::project_names(app, caller, partnership_id).await?
    } else {
        HashMap::new()
    };
    let mut tx = app.store().write().await?;
    let mut log: RaidLog = if dependency {
        tx.raid_rules_view(partnership_id).await?
    } else {
        tx.raid_numbering_view(partnership_id).await?
    };
    let number = log.add_named(command.input, namer(&names))?;
    let item = log
        .get(number)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("RAID item {number} was not added"))?;
    let stored = tx.insert_raid_item(&meta, &item, &caller.change()).await?;
    tx.commit().await?;
    Ok(RaidEntry::of(stored, today))
}

/// Loads an item to change it, checking the caller may and that it is still at the version
/// they read.
async fn for_change(
    tx: &mut Box<dyn WriteTx>,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    today: chrono::NaiveDate,
) -> Result<StoredRaid> {
    let not_found = || AppError::not_found(format!("RAID item {reference}"));
    let (kind, number) = parse_reference(reference).ok_or_else(not_found)?;
    let stored = tx
        .raid_item_for_change(partnership_id, number)
        .await?
        .filter(|s| s.item.kind() == kind)
        .ok_or_else(not_found)?;
    if !caller.scope().permits(&stored.meta, today) {
        return Err(not_found());
    }
    caller.check(Action::Update, &stored.meta, today)?;
    if let Some(version) = from_version
        && version != stored.version
    {
        return Err(AppError::Conflict(format!(
            "RAID item {} changed since you opened it (you had version {version}; it is now at version {}). \
             The page shows it as it is now: make your change again if it is still needed",
            stored.item.reference(),
            stored.version
        )));
    }
    Ok(stored)
}

/// Applies a rule of the log to one item and saves it, in one transaction.
async fn change<T>(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    reason: &str,
    rule: impl FnOnce(&mut RaidLog, u32) -> Result<T, Invalid>,
) -> Result<(RaidEntry, T)> {
    let today = app.today();
    let mut tx = app.store().write().await?;
    let stored = for_change(
        &mut tx,
        caller,
        partnership_id,
        reference,
        from_version,
        today,
    )
    .await?;
    let number = stored.item.number;
    // The rules that look beyond the item (reopening a dependency) see the open dependencies.
    let mut log = if matches!(stored.item.detail, RaidDetail::Dependency { .. }) {
        tx.raid_rules_view(partnership_id).await?
    } else {
        tx.raid_numbering_view(partnership_id).await?
    };
    log.items.retain(|i| i.number != number);
    log.items.push(stored.item.clone());
    let answer = rule(&mut log, number)?;
    let changed = log
        .get(number)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("RAID item {number} went missing"))?;
    let saved = tx
        .update_raid_item(&stored, &changed, &caller.change().because(reason))
        .await?;
    tx.commit().await?;
    Ok((RaidEntry::of(saved, today), answer))
}

/// Escalates an item one board up, today, by the caller; it then goes on the receiving board's
/// next agenda. Returns the item and the receiving board.
pub async fn escalate(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    reason: &str,
) -> Result<(RaidEntry, BoardLevel)> {
    let today = app.today();
    let by = caller.display_name();
    change(
        app,
        caller,
        partnership_id,
        reference,
        from_version,
        reason,
        |log, n| log.escalate(n, today, &by, reason),
    )
    .await
}

/// Closes an item today, with how it was resolved.
pub async fn close(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    resolution: &str,
) -> Result<RaidEntry> {
    let today = app.today();
    Ok(change(
        app,
        caller,
        partnership_id,
        reference,
        from_version,
        "",
        |log, n| log.close(n, today, resolution),
    )
    .await?
    .0)
}

/// Reopens a closed item; a dependency that would now close a cycle of projects stays closed.
pub async fn reopen(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
) -> Result<RaidEntry> {
    Ok(change(
        app,
        caller,
        partnership_id,
        reference,
        from_version,
        "",
        RaidLog::reopen,
    )
    .await?
    .0)
}
