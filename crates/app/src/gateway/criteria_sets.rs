//! A partnership's criteria sets: numbered versions of its compatibility criteria, their
//! weights and the gateway rule. Publishing makes the next version; an assessment keeps the
//! version it used, so its outcome can always be explained as it was reached.

use accord_domain::Partnership;
use accord_domain::access::{Action, Area, RecordMeta};
use accord_domain::gateway::{CriteriaSet, CriterionInput, RuleInput};

use super::{partnership, with_default};
use crate::{App, Caller, Result};

/// A partnership's criteria sets, oldest first; the last is current.
#[derive(Debug, Clone)]
pub struct CriteriaSets {
    /// The partnership.
    pub partnership: Partnership,
    /// The sets (never empty: version 1 is the built-in default until the partnership stores
    /// its own).
    pub sets: Vec<CriteriaSet>,
}

impl CriteriaSets {
    /// The current set.
    pub fn current(&self) -> CriteriaSet {
        self.sets.last().cloned().unwrap_or_default()
    }
}

/// Where a partnership's criteria sets are kept: published (the rules of the gateway are no
/// secret), in the partnership's own area (the programme team keeps them).
fn meta(partnership_id: i64) -> RecordMeta {
    RecordMeta::published(Area::Partnership, Some(partnership_id))
}

/// The partnership's criteria sets.
pub async fn criteria_sets(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
) -> Result<CriteriaSets> {
    let today = app.today();
    caller.check(Action::Read, &meta(partnership_id), today)?;
    let partnership = partnership(app, partnership_id).await?;
    let stored = app
        .store()
        .criteria_sets(partnership_id, &caller.scope(), today)
        .await?;
    Ok(CriteriaSets {
        partnership,
        sets: with_default(stored),
    })
}

/// Publishes the next criteria set, made from the current one by the domain's rules: refused
/// (naming the field) for a bad weight, weights all zero, a repeated name, a bad rule, or a
/// set that changes nothing. Numbered inside the writing transaction, so two publishers never
/// make the same version.
pub async fn publish(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    criteria: &[CriterionInput],
    rule: &RuleInput,
    note: &str,
) -> Result<CriteriaSet> {
    let today = app.today();
    caller.check(Action::Create, &meta(partnership_id), today)?;
    partnership(app, partnership_id).await?;
    let change = caller.change();
    let mut tx = app.store().write().await?;
    let current = with_default(tx.criteria_sets_for_change(partnership_id).await?)
        .pop()
        .unwrap_or_default();
    let next = current.revise(criteria, rule, today, &change.actor, note)?;
    tx.insert_criteria_set(partnership_id, &next, &change.because(note))
        .await?;
    tx.commit().await?;
    Ok(next)
}
