//! Logging a new request with its requester.

use accord_domain::access::{Action, Area, Classification, RecordMeta};
use accord_domain::request::{
    Channel, Context, NewRequest, Regime, Request, Requester, check_reference, numbered_reference,
};
use accord_domain::{GssCode, Invalid, Partnership};
use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::{RequestEntry, calendars_in, protocol};
use crate::{App, AppError, Caller, Result};

/// A new request as the receiving council logs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRequest {
    /// The register's reference; the next number when `None`.
    pub reference: Option<String>,
    /// The council that received it.
    pub received_by: GssCode,
    /// How it arrived.
    pub channel: Channel,
    /// When it arrived.
    pub received_at: NaiveDateTime,
    /// Who asked: personal data, kept apart from the request.
    pub requester: Requester,
    /// What was asked for, without personal data.
    pub summary: String,
    /// The law it falls under.
    pub regime: Regime,
}

/// The partnership's councils that were members on `date`: those whose single points of
/// contact handle a request received then.
pub fn councils_on(partnership: &Partnership, date: NaiveDate) -> Vec<GssCode> {
    partnership
        .members
        .iter()
        .filter(|m| m.is_member_on(date))
        .map(|m| m.authority.clone())
        .collect()
}

fn meta(partnership_id: i64, owner: Option<GssCode>, class: Classification) -> RecordMeta {
    RecordMeta {
        area: Area::Information,
        partnership_id: Some(partnership_id),
        owner,
        classification: class,
        embargo: None,
    }
}

/// Logs a request and its requester, together, in one transaction. The reference is the one
/// given (refused, naming the field, when the register already holds it) or the next in the
/// register's sequence, allocated inside the transaction, so that requests logged at once
/// never share one.
pub async fn log_request(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    command: LogRequest,
) -> Result<RequestEntry> {
    let today = app.today();
    caller.check(
        Action::Create,
        &meta(partnership_id, None, Classification::Partnership),
        today,
    )?;
    caller.check(
        Action::Create,
        &meta(partnership_id, None, Classification::Personal),
        today,
    )?;
    let partnership = app
        .store()
        .partnership(partnership_id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("partnership {partnership_id}")))?;
    let given = match command.reference.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(check_reference("reference", text)?),
    };
    let received = command.received_at.date();
    let mut tx = app.store().write().await?;
    let mut number = tx.last_request_number(partnership_id).await? + 1;
    let mut invalid = Invalid::new();
    let reference = match given {
        Some(reference) => {
            if tx
                .request_reference_taken(partnership_id, &reference)
                .await?
            {
                invalid.push(
                    "reference",
                    format!(
                        "{reference} is already in the register: give another reference, or leave it blank for the next number"
                    ),
                );
            }
            reference
        }
        None => {
            // A number whose reference someone gave by hand is passed over.
            loop {
                let candidate = numbered_reference(command.regime, received.year(), number);
                if !tx
                    .request_reference_taken(partnership_id, &candidate)
                    .await?
                {
                    break candidate;
                }
                number += 1;
            }
        }
    };
    let calendars = calendars_in(app, &mut tx).await?;
    let protocol = protocol();
    let input = NewRequest {
        reference,
        councils: councils_on(&partnership, received),
        received_by: command.received_by,
        channel: command.channel,
        received_at: command.received_at,
        requester: command.requester,
        summary: command.summary,
        regime: command.regime,
    };
    let calendar = calendars.get(input.calendar_scope());
    let ctx = Context {
        today,
        calendar,
        protocol: &protocol,
    };
    let request = invalid.check(Request::receive(input, &ctx));
    invalid.into_result()?;
    let mut request = request.ok_or_else(|| anyhow::anyhow!("a request without its refusal"))?;
    let requester = request.take_requester();
    let dates = request.due_dates(calendar, &protocol)?;
    let change = caller.change().because("request received");
    let owner = Some(request.received_by.clone());
    let stored = tx
        .insert_request(
            &meta(partnership_id, owner, Classification::Partnership),
            number,
            &request,
            &dates,
            &change,
        )
        .await?;
    tx.insert_requester(&stored, &requester, &change).await?;
    tx.commit().await?;
    Ok(RequestEntry::of(stored, today))
}
