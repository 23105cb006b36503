//! The internal review of a response: asked for by the requester, then decided.

use accord_domain::Invalid;
use accord_domain::access::{Action, Area, Classification, RecordMeta};
use accord_domain::request::{InternalReview, ReviewOutcome, review_deadlines};
use chrono::NaiveDate;

use super::{ReviewEntry, calendars_in, for_change, responded_on, stale};
use crate::{App, Caller, Result};

fn child_meta(partnership_id: i64) -> RecordMeta {
    RecordMeta {
        area: Area::Information,
        partnership_id: Some(partnership_id),
        owner: None,
        classification: Classification::Partnership,
        embargo: None,
    }
}

/// Records that the requester asked for an internal review on `requested`. The decision is due
/// 20 working days later; a review asked for after the window of 40 working days is still
/// recorded (its dates say it need not be accepted).
pub async fn ask_for_review(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    requested: NaiveDate,
) -> Result<ReviewEntry> {
    let today = app.today();
    caller.check(Action::Create, &child_meta(partnership_id), today)?;
    let mut tx = app.store().write().await?;
    let stored = for_change(&mut tx, caller, partnership_id, reference, None, today).await?;
    if tx.review_for_change(stored.record_id).await?.is_some() {
        return Err(Invalid::field("requested", "an internal review is already recorded").into());
    }
    let sent = responded_on(&stored.request).ok_or_else(|| {
        Invalid::field(
            "requested",
            "the request has not been answered, so there is no response to review",
        )
    })?;
    let review = InternalReview::request(sent, requested, today)?;
    let calendars = calendars_in(app, &mut tx).await?;
    let calendar = calendars.get(stored.request.calendar_scope());
    let dates = review_deadlines(stored.request.regime, sent, requested, calendar)?;
    let change = caller.change().because("internal review asked for");
    let saved = tx
        .insert_review(&stored, &review, Some(dates.due), &change)
        .await?;
    tx.commit().await?;
    Ok(saved.into())
}

/// Records the decision of the pending internal review, from the review's version the caller
/// read.
pub async fn decide_review(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    decided: NaiveDate,
    outcome: ReviewOutcome,
) -> Result<ReviewEntry> {
    let today = app.today();
    let mut tx = app.store().write().await?;
    let stored = for_change(&mut tx, caller, partnership_id, reference, None, today).await?;
    let Some(from) = tx.review_for_change(stored.record_id).await? else {
        return Err(Invalid::field("decided", "no internal review has been asked for").into());
    };
    caller.check(Action::Update, &from.meta, today)?;
    if let Some(version) = from_version {
        stale(
            "The internal review of",
            &stored.request.reference,
            version,
            from.version,
        )?;
    }
    let review = from.review.decide(decided, outcome, today)?;
    let change = caller
        .change()
        .because(format!("internal review decided: {}", outcome.label()));
    let saved = tx
        .update_review(&stored, &from, &review, None, &change)
        .await?;
    tx.commit().await?;
    Ok(saved.into())
}
