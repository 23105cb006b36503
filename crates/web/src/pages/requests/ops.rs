//! What the request pages and the request API both do: load a request with what the reader
//! may see of it, log a new one, move it through the workflow, and record its reviews and
//! complaints. The rules are the domain's; this joins them to the store and the caller.

use accord_domain::access::{Action as Access, Area, Classification, RecordMeta};
use accord_domain::request::{
    Action, Complaint, Context, DecisionNotice, InternalReview, NewRequest, Protocol, Request,
    Requester, ReviewOutcome, review_deadlines,
};
use accord_domain::working_days::Calendars;
use accord_domain::{Invalid, Partnership};
use accord_store::requests::{
    COMPLAINT_KIND, DISCLOSURE_KIND, REQUESTER_KIND, REVIEW_KIND, calendars, complaint_input,
    decode_request, disclosure_input, request_input, request_update, requester_input, review_input,
};
use accord_store::{RecordQuery, RecordUpdate, RecordWrite, StoredRecord};
use chrono::NaiveDate;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::WebError;
use crate::guard;

/// The protocol's targets. Every partnership uses the defaults of Schedule 4 (forwarding
/// within two working days) until its Programme Board agrees others.
pub fn protocol() -> Protocol {
    Protocol::default()
}

/// A request with what the reader may see of its children.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The request's record.
    pub record: StoredRecord,
    /// The request (its requester empty).
    pub request: Request,
    /// The requester, only for readers of personal data.
    pub requester: Option<Requester>,
    /// The internal review, if one was asked for.
    pub review: Option<(StoredRecord, InternalReview)>,
    /// The complaint to the Information Commissioner, if there is one.
    pub complaint: Option<(StoredRecord, Complaint)>,
    /// Its entry in the disclosure log, once published.
    pub disclosure: Option<StoredRecord>,
}

impl Loaded {
    /// The partnership the request belongs to.
    pub fn partnership_id(&self) -> Result<i64, WebError> {
        self.record.meta.partnership_id.ok_or(WebError::NotFound)
    }
}

async fn child(
    state: &AppState,
    viewer: &Viewer,
    kind: &str,
    parent: i64,
) -> Result<Option<StoredRecord>, WebError> {
    let query = RecordQuery {
        kind: kind.to_owned(),
        parent_id: Some(parent),
        limit: 1,
        ..RecordQuery::default()
    };
    Ok(state
        .store
        .records(&query, &viewer.scope(), state.today())
        .await?
        .into_iter()
        .next())
}

/// Loads a request the guard allowed, with the children the viewer may read (the store
/// filters them in SQL: a viewer's query never returns the requester).
pub async fn load(
    state: &AppState,
    viewer: &Viewer,
    record: StoredRecord,
) -> Result<Loaded, WebError> {
    let request = decode_request(&record)?;
    let requester = match child(state, viewer, REQUESTER_KIND, record.id).await? {
        Some(r) => Some(r.decode::<Requester>()?),
        None => None,
    };
    let review = match child(state, viewer, REVIEW_KIND, record.id).await? {
        Some(r) => {
            let review = r.decode()?;
            Some((r, review))
        }
        None => None,
    };
    let complaint = match child(state, viewer, COMPLAINT_KIND, record.id).await? {
        Some(r) => {
            let complaint = r.decode()?;
            Some((r, complaint))
        }
        None => None,
    };
    let disclosure = child(state, viewer, DISCLOSURE_KIND, record.id).await?;
    Ok(Loaded {
        record,
        request,
        requester,
        review,
        complaint,
        disclosure,
    })
}

/// The partnership's councils that were members on `date`: those whose single points of
/// contact handle a request received then.
pub fn councils_on(partnership: &Partnership, date: NaiveDate) -> Vec<accord_domain::GssCode> {
    partnership
        .members
        .iter()
        .filter(|m| m.is_member_on(date))
        .map(|m| m.authority.clone())
        .collect()
}

fn meta(partnership_id: i64, class: Classification) -> RecordMeta {
    RecordMeta {
        area: Area::Information,
        partnership_id: Some(partnership_id),
        owner: None,
        classification: class,
        embargo: None,
    }
}

/// Logs a new request and its requester, together. Returns the request's record id.
pub async fn create(
    state: &AppState,
    viewer: &Viewer,
    partnership: &Partnership,
    input: NewRequest,
) -> Result<i64, WebError> {
    let today = state.today();
    guard::check(
        viewer,
        Access::Create,
        &meta(partnership.id, Classification::Partnership),
        today,
    )?;
    guard::check(
        viewer,
        Access::Create,
        &meta(partnership.id, Classification::Personal),
        today,
    )?;
    let calendars = calendars(&*state.store).await?;
    let protocol = protocol();
    let calendar = calendars.get(input.calendar_scope());
    let ctx = Context {
        today,
        calendar,
        protocol: &protocol,
    };
    let mut request = Request::receive(input, &ctx)?;
    let requester = request.take_requester();
    let dates = request.due_dates(calendar, &protocol)?;
    let writes = [
        RecordWrite::Insert {
            input: request_input(partnership.id, &request, &dates)?,
            parent_from: None,
        },
        RecordWrite::Insert {
            input: requester_input(partnership.id, 0, &request.reference, &requester)?,
            parent_from: Some(0),
        },
    ];
    let ids = state
        .store
        .write_records(&writes, &viewer.change().because("request received"))
        .await?;
    Ok(ids[0])
}

/// Applies a workflow action to a request the guard allowed the viewer to change. A single
/// point of contact signs off for their own council only. Refused, with nothing changed, on
/// any rule of the workflow; a response that releases information goes into the public
/// disclosure log in the same transaction.
pub async fn apply(
    state: &AppState,
    viewer: &Viewer,
    record: &StoredRecord,
    action: &Action,
) -> Result<Request, WebError> {
    if let Action::SignOff { council, .. } = action {
        match &viewer.actor.home {
            Some(home) if home == council => {}
            Some(home) => {
                return Err(Invalid::field(
                    "council",
                    format!(
                        "you are the single point of contact of {home}, so you can sign off for {home} only, not {council}"
                    ),
                )
                .into());
            }
            None => {
                return Err(Invalid::field(
                    "council",
                    "your account names no council, so you cannot sign off for one",
                )
                .into());
            }
        }
    }
    let partnership_id = record.meta.partnership_id.ok_or(WebError::NotFound)?;
    let request = decode_request(record)?;
    let calendars = calendars(&*state.store).await?;
    let protocol = protocol();
    let calendar = calendars.get(request.calendar_scope());
    let ctx = Context {
        today: state.today(),
        calendar,
        protocol: &protocol,
    };
    let next = request.apply(action, &ctx)?;
    let dates = next.due_dates(calendar, &protocol)?;
    let mut writes = vec![RecordWrite::Update(RecordUpdate {
        id: record.id,
        expected_version: Some(record.version),
        input: request_update(record, &next, &dates)?,
    })];
    if request.response.is_none()
        && let Some(entry) = next.disclosure_log_entry()
    {
        writes.push(RecordWrite::Insert {
            input: disclosure_input(partnership_id, record.id, &entry)?,
            parent_from: None,
        });
    }
    let what = next
        .history
        .last()
        .map_or_else(|| "changed".to_owned(), |h| h.what.clone());
    state
        .store
        .write_records(&writes, &viewer.change().because(what))
        .await?;
    Ok(next)
}

fn responded(request: &Request, field: &str) -> Result<NaiveDate, Invalid> {
    match &request.response {
        Some(r) if !r.outcome.ended_unanswered() => Ok(r.sent_on),
        _ => Err(Invalid::field(
            field,
            "the request has not been answered, so there is no response to review or complain about",
        )),
    }
}

/// Records that the requester asked for an internal review on `requested`.
pub async fn request_review(
    state: &AppState,
    viewer: &Viewer,
    loaded: &Loaded,
    requested: NaiveDate,
    calendars: &Calendars,
) -> Result<(), WebError> {
    if loaded.review.is_some() {
        return Err(Invalid::field("requested", "an internal review is already recorded").into());
    }
    let sent = responded(&loaded.request, "requested")?;
    let review = InternalReview::request(sent, requested, state.today())?;
    let calendar = calendars.get(loaded.request.calendar_scope());
    let dates = review_deadlines(loaded.request.regime, sent, requested, calendar)?;
    let input = review_input(
        loaded.partnership_id()?,
        loaded.record.id,
        &loaded.request.reference,
        &review,
        Some(dates.due),
    )?;
    guard::check(viewer, Access::Create, &input.meta, state.today())?;
    state
        .store
        .insert_record(
            &input,
            &viewer.change().because("internal review asked for"),
        )
        .await?;
    Ok(())
}

/// Records the decision of the pending internal review.
pub async fn decide_review(
    state: &AppState,
    viewer: &Viewer,
    loaded: &Loaded,
    decided: NaiveDate,
    outcome: ReviewOutcome,
) -> Result<(), WebError> {
    let Some((record, review)) = &loaded.review else {
        return Err(Invalid::field("decided", "no internal review has been asked for").into());
    };
    let review = review.decide(decided, outcome, state.today())?;
    let input = review_input(
        loaded.partnership_id()?,
        loaded.record.id,
        &loaded.request.reference,
        &review,
        None,
    )?;
    guard::check(viewer, Access::Update, &record.meta, state.today())?;
    state
        .store
        .update_record(
            record.id,
            Some(record.version),
            &input,
            &viewer
                .change()
                .because(format!("internal review decided: {}", outcome.label())),
        )
        .await?;
    Ok(())
}

/// Records a complaint to the Information Commissioner.
pub async fn lodge_complaint(
    state: &AppState,
    viewer: &Viewer,
    loaded: &Loaded,
    lodged: NaiveDate,
    reference: &str,
) -> Result<(), WebError> {
    if loaded.complaint.is_some() {
        return Err(Invalid::field("lodged", "a complaint is already recorded").into());
    }
    let sent = responded(&loaded.request, "lodged")?;
    let complaint = Complaint::lodge(sent, lodged, reference, state.today())?;
    let input = complaint_input(
        loaded.partnership_id()?,
        loaded.record.id,
        &loaded.request.reference,
        &complaint,
    )?;
    guard::check(viewer, Access::Create, &input.meta, state.today())?;
    state
        .store
        .insert_record(
            &input,
            &viewer
                .change()
                .because("complaint to the Information Commissioner"),
        )
        .await?;
    Ok(())
}

/// Records the Commissioner's decision notice on the complaint.
pub async fn record_notice(
    state: &AppState,
    viewer: &Viewer,
    loaded: &Loaded,
    notice: DecisionNotice,
) -> Result<(), WebError> {
    let Some((record, complaint)) = &loaded.complaint else {
        return Err(Invalid::field("issued", "no complaint has been recorded").into());
    };
    let complaint = complaint.record_notice(notice, state.today())?;
    let input = complaint_input(
        loaded.partnership_id()?,
        loaded.record.id,
        &loaded.request.reference,
        &complaint,
    )?;
    guard::check(viewer, Access::Update, &record.meta, state.today())?;
    state
        .store
        .update_record(
            record.id,
            Some(record.version),
            &input,
            &viewer.change().because("decision notice recorded"),
        )
        .await?;
    Ok(())
}
