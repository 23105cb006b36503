//! Finding a record by the name its address gives it: its own reference (`R12`,
//! `FOI-2026-0113`, `OPP-7`) or, for addresses made before records had references, its
//! storage id.

pub use accord_store::StoredRecord;

use crate::{App, Caller, Result};

/// How an address named a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// As it should be named: by its reference, or by its id for kinds that have none yet.
    Current,
    /// By its storage id although it has a reference: an old address, to redirect.
    Old,
}

/// Whether records of `kind` have references of their own.
pub fn has_references(kind: &str) -> bool {
    [
        accord_store::raid::RAID_KIND,
        accord_store::governance::BOARD_KIND,
        accord_store::gateway::OPPORTUNITY_KIND,
    ]
    .contains(&kind)
}

/// The canonical reference of a record of `kind` written as `text`, for kinds whose records
/// have references; `None` when `text` is not one.
pub fn canonical_reference(kind: &str, text: &str) -> Option<String> {
    match kind {
        accord_store::raid::RAID_KIND => accord_domain::raid::parse_reference(text)
            .map(|(kind, number)| format!("{}{number}", kind.letter())),
        accord_store::governance::BOARD_KIND => {
            accord_domain::board::BoardLevel::parse("board", text)
                .ok()
                .map(|level| level.slug().to_owned())
        }
        accord_store::gateway::OPPORTUNITY_KIND => {
            accord_domain::opportunity::parse_reference(text)
                .map(accord_domain::opportunity::reference_of)
        }
        _ => None,
    }
}

/// The record of `kind` (`*` for any) in a partnership that `key` names, if the caller may
/// read it; `None` both when it does not exist and when the caller may not see it.
pub async fn find(
    app: &App,
    caller: &Caller,
    kind: &str,
    partnership_id: i64,
    key: &str,
) -> Result<Option<(StoredRecord, Named)>> {
    let today = app.today();
    let scope = caller.scope();
    if let Some(reference) = canonical_reference(kind, key) {
        return Ok(app
            .store()
            .record_by_reference(partnership_id, kind, &reference, &scope, today)
            .await?
            .map(|record| (record, Named::Current)));
    }
    let Ok(id) = key.trim().parse::<i64>() else {
        return Ok(None);
    };
    let named = if has_references(kind) {
        Named::Old
    } else {
        Named::Current
    };
    Ok(app
        .store()
        .record(id, &scope, today)
        .await?
        .filter(|r| {
            (kind == "*" || r.kind == kind) && r.meta.partnership_id == Some(partnership_id)
        })
        .map(|record| (record, named)))
}
