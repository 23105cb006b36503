//! A complaint to the Information Commissioner about a response, and the decision notice that
//! ends it.

use accord_domain::Invalid;
use accord_domain::access::{Action, Area, Classification, RecordMeta};
use accord_domain::request::{Complaint, DecisionNotice};
use chrono::NaiveDate;

use super::{ComplaintEntry, for_change, responded_on, stale};
use crate::{App, Caller, Result};

/// Records that the Commissioner told the council of a complaint on `lodged`, under the
/// Commissioner's case reference `case`.
pub async fn lodge_complaint(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    lodged: NaiveDate,
    case: &str,
) -> Result<ComplaintEntry> {
    let today = app.today();
    let meta = RecordMeta {
        area: Area::Information,
        partnership_id: Some(partnership_id),
        owner: None,
        classification: Classification::Partnership,
        embargo: None,
    };
    caller.check(Action::Create, &meta, today)?;
    let mut tx = app.store().write().await?;
    let stored = for_change(&mut tx, caller, partnership_id, reference, None, today).await?;
    if tx.complaint_for_change(stored.record_id).await?.is_some() {
        return Err(Invalid::field("lodged", "a complaint is already recorded").into());
    }
    let sent = responded_on(&stored.request).ok_or_else(|| {
        Invalid::field(
            "lodged",
            "the request has not been answered, so there is no response to complain about",
        )
    })?;
    let complaint = Complaint::lodge(sent, lodged, case, today)?;
    let change = caller
        .change()
        .because("complaint to the Information Commissioner");
    let saved = tx.insert_complaint(&stored, &complaint, &change).await?;
    tx.commit().await?;
    Ok(saved.into())
}

/// Records the Commissioner's decision notice on the complaint, from the complaint's version
/// the caller read.
pub async fn record_decision_notice(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    notice: DecisionNotice,
) -> Result<ComplaintEntry> {
    let today = app.today();
    let mut tx = app.store().write().await?;
    let stored = for_change(&mut tx, caller, partnership_id, reference, None, today).await?;
    let Some(from) = tx.complaint_for_change(stored.record_id).await? else {
        return Err(Invalid::field("issued", "no complaint has been recorded").into());
    };
    caller.check(Action::Update, &from.meta, today)?;
    if let Some(version) = from_version {
        stale(
            "The complaint about",
            &stored.request.reference,
            version,
            from.version,
        )?;
    }
    let complaint = from.complaint.record_notice(notice, today)?;
    let change = caller.change().because("decision notice recorded");
    let saved = tx
        .update_complaint(&stored, &from, &complaint, &change)
        .await?;
    tx.commit().await?;
    Ok(saved.into())
}
