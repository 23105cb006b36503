//! Moving a request through the protocol's workflow: one function per step, each in one
//! transaction from the version the caller read, and the publication of a released response in
//! the disclosure log (in the same transaction as the response).

use accord_domain::request::{Action, Context, Draft, ResponseInput};
use accord_domain::{GssCode, Invalid};
use accord_store::WriteTx;
use accord_store::requests::StoredRequest;
use chrono::NaiveDate;

use super::{RequestEntry, calendars_in, for_change, protocol};
use crate::{App, AppError, Caller, Result};

/// A single point of contact signs off for their own council only; Accord itself (the demo
/// loader) signs for whichever council the step names.
fn check_signer(caller: &Caller, action: &Action) -> Result<()> {
    let Action::SignOff { council, .. } = action else {
        return Ok(());
    };
    if caller.system.is_some() {
        return Ok(());
    }
    match &caller.actor.home {
        Some(home) if home == council => Ok(()),
        Some(home) => Err(Invalid::field(
            "council",
            format!(
                "you are the single point of contact of {home}, so you can sign off for {home} only, not {council}"
            ),
        )
        .into()),
        None => Err(Invalid::field(
            "council",
            "your account names no council, so you cannot sign off for one",
        )
        .into()),
    }
}

/// Publishes a released response in the disclosure log inside `tx`, unless it is there
/// already or releases nothing. Returns whether it was published now.
async fn publish_in(
    tx: &mut Box<dyn WriteTx>,
    stored: &StoredRequest,
    change: &accord_store::Change,
) -> Result<bool> {
    let Some(entry) = stored.request.disclosure_log_entry() else {
        return Ok(false);
    };
    if tx.disclosure_exists(stored.record_id).await? {
        return Ok(false);
    }
    tx.insert_disclosure(stored, &entry, change).await?;
    Ok(true)
}

/// Applies a workflow step to a request, from the version the caller read. Refused, with
/// nothing changed, on any rule of the workflow; a response that releases information goes
/// into the public disclosure log in the same transaction.
pub async fn apply(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    action: &Action,
) -> Result<RequestEntry> {
    check_signer(caller, action)?;
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
    let calendars = calendars_in(app, &mut tx).await?;
    let protocol = protocol();
    let calendar = calendars.get(stored.request.calendar_scope());
    let ctx = Context {
        today,
        calendar,
        protocol: &protocol,
    };
    let next = stored.request.apply(action, &ctx)?;
    let dates = next.due_dates(calendar, &protocol)?;
    let what = next
        .history
        .last()
        .map_or_else(|| "changed".to_owned(), |h| h.what.clone());
    let change = caller.change().because(what);
    let saved = tx.update_request(&stored, &next, &dates, &change).await?;
    if stored.request.response.is_none() {
        publish_in(&mut tx, &saved, &change).await?;
    }
    tx.commit().await?;
    Ok(RequestEntry::of(saved, today))
}

/// Publishes the request's released response in the disclosure log, if it is not there yet
/// (a response sends itself there; this is for one recorded before it could). Returns whether
/// it was published now.
pub async fn publish(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
) -> Result<bool> {
    let today = app.today();
    let mut tx = app.store().write().await?;
    let stored = for_change(&mut tx, caller, partnership_id, reference, None, today).await?;
    if stored.request.disclosure_log_entry().is_none() {
        return Err(AppError::Invalid(Invalid::field(
            "action",
            "only a response that released information goes in the disclosure log, and never one to a subject access request",
        )));
    }
    let change = caller.change().because("published in the disclosure log");
    let published = publish_in(&mut tx, &stored, &change).await?;
    tx.commit().await?;
    Ok(published)
}

macro_rules! steps {
    ($($(#[$doc:meta])* $name:ident => $action:ident;)*) => {
        $(
            $(#[$doc])*
            pub async fn $name(
                app: &App,
                caller: &Caller,
                partnership_id: i64,
                reference: &str,
                from_version: Option<i64>,
                on: NaiveDate,
            ) -> Result<RequestEntry> {
                apply(app, caller, partnership_id, reference, from_version, &Action::$action { on }).await
            }
        )*
    };
}

steps! {
    /// Forwards the request to the single point of contact (within two working days of
    /// receipt, Schedule 4, 5(b)).
    forward => Forward;
    /// Asks the requester to clarify: the clock stops until they do.
    seek_clarification => SeekClarification;
    /// Records the requester's clarification: the clock starts again.
    receive_clarification => ReceiveClarification;
    /// Gives a fees notice: the clock stops until the fee is paid.
    give_fees_notice => GiveFeesNotice;
    /// Records that the fee was paid.
    receive_fee => ReceiveFee;
    /// Asks a subject access requester for proof of identity.
    request_identity => RequestIdentity;
    /// Records that the requester's identity is confirmed.
    confirm_identity => ConfirmIdentity;
    /// Starts drafting the response.
    start_drafting => StartDrafting;
    /// Sends a sensitive draft to the communications teams.
    send_for_comms => SendForComms;
    /// Records the communications teams' clearance.
    clear_comms => ClearComms;
    /// Records that the requester withdrew.
    withdraw => Withdraw;
    /// Records that the request lapsed.
    lapse => Lapse;
    /// Closes an answered request.
    close => Close;
}

/// Acknowledges the request, agreeing the lead council (Schedule 4, 5(c)).
pub async fn acknowledge(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    on: NaiveDate,
    lead: GssCode,
) -> Result<RequestEntry> {
    let action = Action::Acknowledge { on, lead };
    apply(
        app,
        caller,
        partnership_id,
        reference,
        from_version,
        &action,
    )
    .await
}

/// Claims the regime's extension; for FOIA, `until` is the date the notice promises.
pub async fn claim_extension(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    on: NaiveDate,
    until: Option<NaiveDate>,
) -> Result<RequestEntry> {
    let action = Action::ClaimExtension { on, until };
    apply(
        app,
        caller,
        partnership_id,
        reference,
        from_version,
        &action,
    )
    .await
}

/// Puts a draft to the single points of contact.
pub async fn submit_draft(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    on: NaiveDate,
    draft: Draft,
) -> Result<RequestEntry> {
    let action = Action::SubmitDraft { on, draft };
    apply(
        app,
        caller,
        partnership_id,
        reference,
        from_version,
        &action,
    )
    .await
}

/// Signs the draft off for `council`: the caller's own council (Schedule 4, 5(e)).
pub async fn sign_off(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    on: NaiveDate,
    council: GssCode,
) -> Result<RequestEntry> {
    let action = Action::SignOff { on, council };
    apply(
        app,
        caller,
        partnership_id,
        reference,
        from_version,
        &action,
    )
    .await
}

/// Sends the response; one that releases information goes into the disclosure log with it.
pub async fn respond(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
    on: NaiveDate,
    response: ResponseInput,
) -> Result<RequestEntry> {
    let action = Action::SendResponse { on, response };
    apply(
        app,
        caller,
        partnership_id,
        reference,
        from_version,
        &action,
    )
    .await
}
