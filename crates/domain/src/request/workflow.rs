//! The request register's workflow as a pure state machine. Every transition takes the
//! current request and returns a new one or an error; a refused transition changes nothing.

use super::clock::{ClockEvent, Deadlines, DueDates, EventKind, deadlines_with};
use super::outcome::{Outcome, Timeliness, exemption};
use super::{Protocol, Regime};
use crate::working_days::{Calendar, CalendarScope, Division};
use crate::{GssCode, Invalid};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// Where a request is in the protocol's workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Logged by the council that received it.
    Received,
    /// Passed to the single point of contact.
    Forwarded,
    /// Acknowledged to the requester, with a lead council agreed.
    Acknowledged,
    /// Waiting for the requester to clarify.
    AwaitingClarification,
    /// Waiting for the requester to pay a fee.
    AwaitingFee,
    /// The lead council is drafting the response.
    Drafting,
    /// The draft is with the single points of contact for sign-off.
    Consultation,
    /// The draft is with the communications teams.
    CommsClearance,
    /// The response has gone to the requester.
    ResponseSent,
    /// Nothing more to do.
    Closed,
}

impl Stage {
    /// Every stage, in the order of the workflow.
    pub const ALL: [Stage; 10] = [
        Stage::Received,
        Stage::Forwarded,
        Stage::Acknowledged,
        Stage::AwaitingClarification,
        Stage::AwaitingFee,
        Stage::Drafting,
        Stage::Consultation,
        Stage::CommsClearance,
        Stage::ResponseSent,
        Stage::Closed,
    ];

    /// The stored and API name, e.g. `comms_clearance`: the register keeps it in the record's
    /// status so that lists filter by stage in SQL.
    pub fn slug(self) -> &'static str {
        match self {
            Stage::Received => "received",
            Stage::Forwarded => "forwarded",
            Stage::Acknowledged => "acknowledged",
            Stage::AwaitingClarification => "awaiting_clarification",
            Stage::AwaitingFee => "awaiting_fee",
            Stage::Drafting => "drafting",
            Stage::Consultation => "consultation",
            Stage::CommsClearance => "comms_clearance",
            Stage::ResponseSent => "response_sent",
            Stage::Closed => "closed",
        }
    }

    /// Parses a slug.
    pub fn parse(field: &str, text: &str) -> Result<Stage, Invalid> {
        Stage::ALL
            .into_iter()
            .find(|s| s.slug() == text.trim())
            .ok_or_else(|| {
                Invalid::field(field, format!("“{text}” is not a stage of the workflow"))
            })
    }

    /// The stages of an open request.
    pub fn open() -> impl Iterator<Item = Stage> {
        Stage::ALL.into_iter().filter(|s| s.is_open())
    }

    /// In words, for pages.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Received => "Received",
            Stage::Forwarded => "Forwarded to the single point of contact",
            Stage::Acknowledged => "Acknowledged",
            Stage::AwaitingClarification => "Awaiting clarification",
            Stage::AwaitingFee => "Awaiting fee",
            Stage::Drafting => "Drafting",
            Stage::Consultation => "Consultation",
            Stage::CommsClearance => "Communications clearance",
            Stage::ResponseSent => "Response sent",
            Stage::Closed => "Closed",
        }
    }

    /// Whether the request is still open (its deadlines still matter).
    pub fn is_open(self) -> bool {
        !matches!(self, Stage::ResponseSent | Stage::Closed)
    }
}

/// How the request arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Email.
    Email,
    /// A web form.
    WebForm,
    /// Post.
    Post,
    /// Social media.
    SocialMedia,
    /// In person.
    InPerson,
    /// Telephone (a subject access request can be made orally).
    Phone,
}

/// The person who asked. Personal data (classification `personal`): never shown to a
/// viewer and never in the disclosure log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Requester {
    /// Their name.
    pub name: String,
    /// How to reply: an email or postal address.
    pub contact: String,
}

impl Requester {
    /// Whether nothing is recorded: a request whose requester is kept apart, as personal
    /// data, carries an empty one.
    pub fn is_empty(&self) -> bool {
        self.name.is_empty() && self.contact.is_empty()
    }
}

/// A new request as logged by the receiving council.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct NewRequest {
    /// The register's reference.
    pub reference: String,
    /// The partnership's member councils: their single points of contact handle it.
    pub councils: Vec<GssCode>,
    /// The council that received it.
    pub received_by: GssCode,
    /// How it arrived.
    pub channel: Channel,
    /// When it arrived.
    pub received_at: NaiveDateTime,
    /// Who asked.
    pub requester: Requester,
    /// What was asked for, without personal data.
    pub summary: String,
    /// The regime it falls under.
    pub regime: Regime,
}

/// The calendar a request counts in: the law's for FOIA, EIR and FOISA; for subject access,
/// the division of the council that received it (its own bank holidays).
pub fn calendar_scope(regime: Regime, received_by: &GssCode) -> CalendarScope {
    regime.calendar_scope(Division::for_nation(received_by.nation()))
}

/// The longest reference a request may have.
pub const REFERENCE_CHARS: usize = 40;

/// Checks the reference given to a new request and returns it trimmed: 1 to
/// [`REFERENCE_CHARS`] letters, digits, hyphens, underscores and full stops, beginning with a
/// letter and holding at least one digit, such as `FOI-2026-0113`.
///
/// Addresses name a request by its reference, so a reference must read as one: never as a
/// number (which names a record by its storage id in addresses made before references) and
/// never as one of the register's own pages (`caseload`, `statistics`, `new`).
pub fn check_reference(field: &str, text: &str) -> Result<String, Invalid> {
    let text = text.trim();
    let refuse = |why: &str| {
        Err(Invalid::field(
            field,
            format!("“{text}” is not a reference: {why}, such as FOI-2026-0113"),
        ))
    };
    if text.is_empty() {
        return Err(Invalid::field(
            field,
            "Enter a reference, or leave it blank for the next number",
        ));
    }
    if text.chars().count() > REFERENCE_CHARS {
        return refuse(&format!("use at most {REFERENCE_CHARS} characters"));
    }
    if !text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return refuse("use only letters, digits, hyphens, underscores and full stops");
    }
    if !text.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return refuse("begin with a letter");
    }
    if !text.chars().any(|c| c.is_ascii_digit()) {
        return refuse("include a number");
    }
    Ok(text.to_owned())
}

/// Whether `text` has the shape of a request's reference (see [`check_reference`]).
pub fn is_reference(text: &str) -> bool {
    check_reference("reference", text).is_ok()
}

/// The reference the register gives its `number`th request when none is given:
/// `FOI-2026-0113` for the 113th, an FOI request received in 2026.
pub fn numbered_reference(regime: Regime, year: i32, number: u32) -> String {
    format!("{}-{year}-{number:04}", regime.slug().to_uppercase())
}

impl NewRequest {
    /// The calendar the request will count in: see [`calendar_scope`].
    pub fn calendar_scope(&self) -> CalendarScope {
        calendar_scope(self.regime, &self.received_by)
    }
}

/// A draft response put to the single points of contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Draft {
    /// The councils whose information the draft discloses (held by or about them). When
    /// there is more than one, each one's single point of contact must sign it off.
    pub discloses_about: Vec<GssCode>,
    /// Marked sensitive by a single point of contact: needs communications clearance.
    pub sensitive: bool,
}

/// A single point of contact's sign-off of the draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct SignOff {
    /// The council whose single point of contact signed off.
    pub council: GssCode,
    /// When.
    pub on: NaiveDate,
}

/// One part of a response and how it was answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ResponsePart {
    /// Which part of the request, in words.
    pub description: String,
    /// Its outcome.
    pub outcome: Outcome,
    /// The exemptions or exceptions relied on ("s43", "reg 12(5)(e)").
    #[serde(default)]
    pub exemptions: Vec<String>,
}

/// A response as entered; checked when it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ResponseInput {
    /// The overall outcome.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// The parts, with their exemptions.
    #[serde(default)]
    pub parts: Vec<ResponsePart>,
}

/// A response that was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Response {
    /// When it was sent.
    pub sent_on: NaiveDate,
    /// The overall outcome.
    pub outcome: Outcome,
    /// The parts.
    pub parts: Vec<ResponsePart>,
    /// Whether it came in time (`None` for a lapsed or withdrawn request).
    pub timeliness: Option<Timeliness>,
}

/// Something the workflow flags for attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WorkflowFlag {
    /// The request reached the single point of contact after the protocol's target.
    ForwardingLate {
        /// When it was forwarded.
        forwarded: NaiveDate,
        /// The last day it should have been.
        due: NaiveDate,
    },
}

/// One line of the request's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct HistoryEntry {
    /// When.
    pub on: NaiveDate,
    /// What happened, in words.
    pub what: String,
    /// The stage afterwards.
    pub stage: Stage,
}

/// A request in the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Request {
    /// The register's reference.
    pub reference: String,
    /// The partnership's member councils.
    pub councils: Vec<GssCode>,
    /// The council that received it.
    pub received_by: GssCode,
    /// How it arrived.
    pub channel: Channel,
    /// When it arrived.
    pub received_at: NaiveDateTime,
    /// Who asked (personal data). Empty, and left out of the JSON, once taken out with
    /// [`Request::take_requester`] to be kept apart under the `personal` classification.
    #[serde(default, skip_serializing_if = "Requester::is_empty")]
    pub requester: Requester,
    /// What was asked for.
    pub summary: String,
    /// The regime.
    pub regime: Regime,
    /// The lead council, once agreed.
    pub lead: Option<GssCode>,
    /// The stage.
    pub stage: Stage,
    /// The stage to return to after a clarification or fee.
    pub resume_stage: Option<Stage>,
    /// The last day to forward it to the single point of contact.
    pub forwarding_due: NaiveDate,
    /// When it was forwarded.
    pub forwarded_on: Option<NaiveDate>,
    /// The clock's events.
    pub clock: Vec<ClockEvent>,
    /// The draft under consultation.
    pub draft: Option<Draft>,
    /// Sign-offs of the current draft.
    pub sign_offs: Vec<SignOff>,
    /// When communications cleared the draft.
    pub comms_cleared_on: Option<NaiveDate>,
    /// The response, once sent.
    pub response: Option<Response>,
    /// Flags raised along the way.
    pub flags: Vec<WorkflowFlag>,
    /// The timeline.
    pub history: Vec<HistoryEntry>,
}

/// Something done to a request. Each carries the day it was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Forward to the single point of contact.
    Forward {
        /// When.
        on: NaiveDate,
    },
    /// Acknowledge to the requester, with the lead council agreed.
    Acknowledge {
        /// When.
        on: NaiveDate,
        /// The lead council.
        lead: GssCode,
    },
    /// Ask the requester to clarify.
    SeekClarification {
        /// When.
        on: NaiveDate,
    },
    /// The clarification arrived.
    ReceiveClarification {
        /// When.
        on: NaiveDate,
    },
    /// Give a fees notice.
    GiveFeesNotice {
        /// When.
        on: NaiveDate,
    },
    /// The fee was paid.
    ReceiveFee {
        /// When.
        on: NaiveDate,
    },
    /// Subject access: ask the requester to prove their identity.
    RequestIdentity {
        /// When.
        on: NaiveDate,
    },
    /// Subject access: the requester's identity was confirmed.
    ConfirmIdentity {
        /// When.
        on: NaiveDate,
    },
    /// Start drafting.
    StartDrafting {
        /// When.
        on: NaiveDate,
    },
    /// Claim the regime's extension (FOIA public interest, EIR complex and voluminous,
    /// subject access complex or numerous).
    ClaimExtension {
        /// When the notice was given.
        on: NaiveDate,
        /// For FOIA, the date promised in the notice.
        #[serde(default)]
        until: Option<NaiveDate>,
    },
    /// Put a draft to the single points of contact.
    SubmitDraft {
        /// When.
        on: NaiveDate,
        /// The draft.
        draft: Draft,
    },
    /// A single point of contact signs off the draft.
    SignOff {
        /// When.
        on: NaiveDate,
        /// Their council.
        council: GssCode,
    },
    /// Send the signed-off draft to the communications teams.
    SendForComms {
        /// When.
        on: NaiveDate,
    },
    /// The communications teams cleared it.
    ClearComms {
        /// When.
        on: NaiveDate,
    },
    /// Send the response.
    SendResponse {
        /// When.
        on: NaiveDate,
        /// The response.
        response: ResponseInput,
    },
    /// The requester withdrew the request.
    Withdraw {
        /// When.
        on: NaiveDate,
    },
    /// The request lapsed (fee unpaid, clarification never given).
    Lapse {
        /// When.
        on: NaiveDate,
    },
    /// Close the request.
    Close {
        /// When.
        on: NaiveDate,
    },
}

impl Action {
    /// The day the action was done.
    pub fn on(&self) -> NaiveDate {
        match self {
            Action::Forward { on }
            | Action::Acknowledge { on, .. }
            | Action::SeekClarification { on }
            | Action::ReceiveClarification { on }
            | Action::GiveFeesNotice { on }
            | Action::ReceiveFee { on }
            | Action::RequestIdentity { on }
            | Action::ConfirmIdentity { on }
            | Action::StartDrafting { on }
            | Action::ClaimExtension { on, .. }
            | Action::SubmitDraft { on, .. }
            | Action::SignOff { on, .. }
            | Action::SendForComms { on }
            | Action::ClearComms { on }
            | Action::SendResponse { on, .. }
            | Action::Withdraw { on }
            | Action::Lapse { on }
            | Action::Close { on } => *on,
        }
    }
}

/// What a transition needs besides the request: today, the request's calendar, the
/// protocol.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Today: nothing can be dated after it.
    pub today: NaiveDate,
    /// The working-day calendar of the request's regime.
    pub calendar: &'a Calendar,
    /// The protocol's targets.
    pub protocol: &'a Protocol,
}

fn stage_error(action: &str, stage: Stage) -> Invalid {
    Invalid::field(
        "action",
        format!(
            "cannot {action} while the request is at “{}”",
            stage.label()
        ),
    )
}

impl Request {
    /// Logs a new request. Refused when a field is empty, the date is after today, or the
    /// councils do not include the receiving council.
    pub fn receive(input: NewRequest, ctx: &Context<'_>) -> Result<Request, Invalid> {
        let mut invalid = Invalid::new();
        if input.reference.trim().is_empty() {
            invalid.push("reference", "must not be empty");
        }
        if input.summary.trim().is_empty() {
            invalid.push("summary", "must not be empty");
        }
        if input.requester.name.trim().is_empty() {
            invalid.push("requester.name", "must not be empty");
        }
        if input.requester.contact.trim().is_empty() {
            invalid.push("requester.contact", "must not be empty");
        }
        if input.councils.is_empty() {
            invalid.push("councils", "name the partnership's councils");
        } else if !input.councils.contains(&input.received_by) {
            invalid.push(
                "received_by",
                format!(
                    "{} is not one of the partnership's councils",
                    input.received_by
                ),
            );
        }
        let received = input.received_at.date();
        if received > ctx.today {
            invalid.push(
                "received_at",
                format!("{received} is in the future (today is {})", ctx.today),
            );
        }
        if !input.regime.accepts_calendar(ctx.calendar.scope()) {
            invalid.push(
                "regime",
                format!(
                    "{} does not count working days in the calendar of {}",
                    input.regime.name(),
                    ctx.calendar.scope().name()
                ),
            );
        }
        invalid.check(crate::working_days::check_in_range("received_at", received));
        invalid.into_result()?;
        let forwarding_due = ctx
            .calendar
            .add_working_days(received, ctx.protocol.forwarding_days)
            .ok_or_else(|| Invalid::field("received_at", "beyond the working-day calendar"))?;
        Ok(Request {
            reference: input.reference.trim().to_owned(),
            councils: input.councils,
            received_by: input.received_by,
            channel: input.channel,
            received_at: input.received_at,
            requester: input.requester,
            summary: input.summary.trim().to_owned(),
            regime: input.regime,
            lead: None,
            stage: Stage::Received,
            resume_stage: None,
            forwarding_due,
            forwarded_on: None,
            clock: Vec::new(),
            draft: None,
            sign_offs: Vec::new(),
            comms_cleared_on: None,
            response: None,
            flags: Vec::new(),
            history: vec![HistoryEntry {
                on: received,
                what: "received".to_owned(),
                stage: Stage::Received,
            }],
        })
    }

    /// Takes the requester out of the request, leaving it empty, so that the request can be
    /// stored and shown to everyone who handles or scrutinises the register while the
    /// requester is kept apart as personal data, for the information leads only.
    pub fn take_requester(&mut self) -> Requester {
        std::mem::take(&mut self.requester)
    }

    /// The calendar the request counts in: see [`calendar_scope`].
    pub fn calendar_scope(&self) -> CalendarScope {
        calendar_scope(self.regime, &self.received_by)
    }

    /// The day the request was received.
    pub fn received(&self) -> NaiveDate {
        self.received_at.date()
    }

    /// Whether the request is still open.
    pub fn is_open(&self) -> bool {
        self.stage.is_open()
    }

    /// The council the request counts for: the lead council, or the council that received it
    /// until a lead is agreed. Statistics count it there, and its caseload holds it.
    pub fn owner(&self) -> &GssCode {
        self.lead.as_ref().unwrap_or(&self.received_by)
    }

    /// The request's deadlines under its regime, with the working.
    pub fn deadlines(
        &self,
        calendar: &Calendar,
        protocol: &Protocol,
    ) -> Result<Deadlines, Invalid> {
        deadlines_with(
            self.regime,
            self.received(),
            &self.clock,
            calendar,
            protocol,
        )
    }

    /// Only the dates of [`Request::deadlines`], without the working: for lists, and for
    /// recomputing every open request when the holiday table changes.
    pub fn due_dates(&self, calendar: &Calendar, protocol: &Protocol) -> Result<DueDates, Invalid> {
        super::clock::due_dates(
            self.regime,
            self.received(),
            &self.clock,
            calendar,
            protocol,
        )
    }

    /// Recounts the forwarding target in `calendar` (after the holiday table changed),
    /// returning whether it moved. Only a request not yet forwarded is recounted: for one
    /// already forwarded, the target it was judged against stands.
    pub fn refresh_forwarding_due(&mut self, calendar: &Calendar, protocol: &Protocol) -> bool {
        if self.stage != Stage::Received {
            return false;
        }
        match calendar.add_working_days(self.received(), protocol.forwarding_days) {
            Some(due) if due != self.forwarding_due => {
                self.forwarding_due = due;
                true
            }
            _ => false,
        }
    }

    /// The councils whose single points of contact must still sign off the draft.
    pub fn sign_offs_missing(&self) -> Vec<GssCode> {
        let Some(draft) = &self.draft else {
            return Vec::new();
        };
        if draft.discloses_about.len() < 2 {
            return Vec::new();
        }
        draft
            .discloses_about
            .iter()
            .filter(|c| !self.sign_offs.iter().any(|s| &s.council == *c))
            .cloned()
            .collect()
    }

    fn missing_sign_off_error(&self, what: &str) -> Option<Invalid> {
        let missing = self.sign_offs_missing();
        if missing.is_empty() {
            return None;
        }
        let names: Vec<String> = missing.iter().map(ToString::to_string).collect();
        Some(Invalid::field(
            "sign_offs",
            format!(
                "cannot {what}: the draft discloses information about more than one council and still needs sign-off from the single point of contact of {}",
                names.join(", ")
            ),
        ))
    }

    /// Applies an action, returning the new request. Refused, with nothing changed, when the
    /// action is out of order, dated before the last step or after today, or a gate is not
    /// met.
    pub fn apply(&self, action: &Action, ctx: &Context<'_>) -> Result<Request, Invalid> {
        let on = action.on();
        let last = self.history.last().map_or(self.received(), |h| h.on);
        if on > ctx.today {
            return Err(Invalid::field(
                "on",
                format!("{on} is in the future (today is {})", ctx.today),
            ));
        }
        if on < self.received() {
            return Err(Invalid::field(
                "on",
                format!(
                    "{on} is before the request was received on {}",
                    self.received()
                ),
            ));
        }
        if on < last {
            return Err(Invalid::field(
                "on",
                format!("{on} is before the last step on {last}"),
            ));
        }
        let mut next = self.clone();
        let stage = self.stage;
        let what: String = match action {
            Action::Forward { .. } => {
                if stage != Stage::Received {
                    return Err(stage_error("forward", stage));
                }
                next.forwarded_on = Some(on);
                if on > self.forwarding_due {
                    next.flags.push(WorkflowFlag::ForwardingLate {
                        forwarded: on,
                        due: self.forwarding_due,
                    });
                }
                next.stage = Stage::Forwarded;
                "forwarded to the single point of contact".to_owned()
            }
            Action::Acknowledge { lead, .. } => {
                if stage != Stage::Forwarded {
                    return Err(stage_error("acknowledge", stage));
                }
                if !self.councils.contains(lead) {
                    return Err(Invalid::field(
                        "lead",
                        format!("{lead} is not one of the partnership's councils"),
                    ));
                }
                next.lead = Some(lead.clone());
                next.stage = Stage::Acknowledged;
                format!("acknowledged; {lead} leads")
            }
            Action::SeekClarification { .. } | Action::GiveFeesNotice { .. } => {
                if !matches!(stage, Stage::Acknowledged | Stage::Drafting) {
                    return Err(stage_error("pause the clock", stage));
                }
                let (kind, to) = if matches!(action, Action::SeekClarification { .. }) {
                    (EventKind::ClarificationSought, Stage::AwaitingClarification)
                } else {
                    (EventKind::FeesNoticeGiven, Stage::AwaitingFee)
                };
                next.clock.push(ClockEvent::new(kind, on));
                next.resume_stage = Some(stage);
                next.stage = to;
                kind.label().to_owned()
            }
            Action::ReceiveClarification { .. } | Action::ReceiveFee { .. } => {
                let (kind, from) = if matches!(action, Action::ReceiveClarification { .. }) {
                    (
                        EventKind::ClarificationReceived,
                        Stage::AwaitingClarification,
                    )
                } else {
                    (EventKind::FeePaid, Stage::AwaitingFee)
                };
                if stage != from {
                    return Err(stage_error(kind.label(), stage));
                }
                next.clock.push(ClockEvent::new(kind, on));
                next.stage = self.resume_stage.unwrap_or(Stage::Acknowledged);
                next.resume_stage = None;
                kind.label().to_owned()
            }
            Action::RequestIdentity { .. } | Action::ConfirmIdentity { .. } => {
                if !stage.is_open() {
                    return Err(stage_error("record identity checks", stage));
                }
                let kind = if matches!(action, Action::RequestIdentity { .. }) {
                    EventKind::IdRequested
                } else {
                    EventKind::IdConfirmed
                };
                next.clock.push(ClockEvent::new(kind, on));
                kind.label().to_owned()
            }
            Action::StartDrafting { .. } => {
                if stage != Stage::Acknowledged {
                    return Err(stage_error("start drafting", stage));
                }
                next.stage = Stage::Drafting;
                "drafting".to_owned()
            }
            Action::ClaimExtension { until, .. } => {
                if !matches!(
                    stage,
                    Stage::Acknowledged
                        | Stage::Drafting
                        | Stage::Consultation
                        | Stage::CommsClearance
                ) {
                    return Err(stage_error("claim an extension", stage));
                }
                let kind = match self.regime {
                    Regime::Foi => EventKind::PublicInterestExtension,
                    Regime::Eir => EventKind::EirExtension,
                    Regime::Sar => EventKind::SarExtension,
                    Regime::Foisa => {
                        return Err(Invalid::field(
                            "action",
                            "FOISA has no public-interest extension: the 20 working days cannot be extended",
                        ));
                    }
                };
                next.clock.push(ClockEvent {
                    kind,
                    date: on,
                    until: *until,
                });
                kind.label().to_owned()
            }
            Action::SubmitDraft { draft, .. } => {
                if stage != Stage::Drafting {
                    return Err(stage_error("submit a draft", stage));
                }
                if let Some(c) = draft
                    .discloses_about
                    .iter()
                    .find(|c| !self.councils.contains(c))
                {
                    return Err(Invalid::field(
                        "draft.discloses_about",
                        format!("{c} is not one of the partnership's councils"),
                    ));
                }
                next.draft = Some(draft.clone());
                next.sign_offs.clear();
                next.comms_cleared_on = None;
                next.stage = Stage::Consultation;
                "draft put to the single points of contact".to_owned()
            }
            Action::SignOff { council, .. } => {
                if stage != Stage::Consultation {
                    return Err(stage_error("sign off", stage));
                }
                if !self.councils.contains(council) {
                    return Err(Invalid::field(
                        "council",
                        format!("{council} is not one of the partnership's councils"),
                    ));
                }
                if self.sign_offs.iter().any(|s| &s.council == council) {
                    return Err(Invalid::field(
                        "council",
                        format!("{council} has already signed off this draft"),
                    ));
                }
                next.sign_offs.push(SignOff {
                    council: council.clone(),
                    on,
                });
                format!("signed off by {council}")
            }
            Action::SendForComms { .. } => {
                if stage != Stage::Consultation {
                    return Err(stage_error("send for communications clearance", stage));
                }
                if let Some(e) = self.missing_sign_off_error("send it for communications clearance")
                {
                    return Err(e);
                }
                next.stage = Stage::CommsClearance;
                "sent for communications clearance".to_owned()
            }
            Action::ClearComms { .. } => {
                if stage != Stage::CommsClearance {
                    return Err(stage_error("clear communications", stage));
                }
                next.comms_cleared_on = Some(on);
                "cleared by communications".to_owned()
            }
            Action::SendResponse { response, .. } => {
                next.response = Some(self.check_response(response, on, ctx)?);
                next.stage = Stage::ResponseSent;
                next.clock
                    .push(ClockEvent::new(EventKind::ResponseSent, on));
                "response sent".to_owned()
            }
            Action::Withdraw { .. } | Action::Lapse { .. } => {
                if !stage.is_open() {
                    return Err(stage_error("end the request", stage));
                }
                let outcome = if matches!(action, Action::Withdraw { .. }) {
                    Outcome::Withdrawn
                } else {
                    Outcome::Lapsed
                };
                next.response = Some(Response {
                    sent_on: on,
                    outcome,
                    parts: Vec::new(),
                    timeliness: None,
                });
                next.stage = Stage::Closed;
                outcome.label().to_lowercase()
            }
            Action::Close { .. } => {
                if let Some(e) = self.missing_sign_off_error("close the request") {
                    return Err(e);
                }
                if stage != Stage::ResponseSent {
                    return Err(Invalid::field(
                        "action",
                        format!(
                            "cannot close a request at “{}”: send the response (with its outcome) first, or record it as withdrawn or lapsed",
                            stage.label()
                        ),
                    ));
                }
                next.stage = Stage::Closed;
                "closed".to_owned()
            }
        };
        // Every change to the clock must still make sense to the clock.
        next.deadlines(ctx.calendar, ctx.protocol)
            .map_err(|e| e.within("clock."))?;
        next.history.push(HistoryEntry {
            on,
            what,
            stage: next.stage,
        });
        Ok(next)
    }

    fn check_response(
        &self,
        input: &ResponseInput,
        on: NaiveDate,
        ctx: &Context<'_>,
    ) -> Result<Response, Invalid> {
        if !matches!(
            self.stage,
            Stage::Drafting | Stage::Consultation | Stage::CommsClearance
        ) {
            return Err(stage_error("send the response", self.stage));
        }
        let mut invalid = Invalid::new();
        let Some(outcome) = input.outcome else {
            return Err(Invalid::field(
                "response.outcome",
                "a response must record its outcome (granted in full, partially withheld, withheld in full, not held, lapsed or withdrawn)",
            ));
        };
        if outcome.discloses() && self.draft.is_none() {
            invalid.push(
                "response",
                "a response that releases information must first go to the single points of contact as a draft",
            );
        }
        if let Some(e) = self.missing_sign_off_error("send the response") {
            invalid.extend(e);
        }
        if self.draft.as_ref().is_some_and(|d| d.sensitive) && self.comms_cleared_on.is_none() {
            invalid.push(
                "comms",
                "the draft is marked sensitive: the communications teams must clear it before it is sent",
            );
        }
        let mut cited = false;
        for (i, part) in input.parts.iter().enumerate() {
            if part.description.trim().is_empty() {
                invalid.push(
                    format!("response.parts[{i}].description"),
                    "must not be empty",
                );
            }
            if part.outcome.needs_exemption() && part.exemptions.is_empty() {
                invalid.push(
                    format!("response.parts[{i}].exemptions"),
                    "information withheld must cite an exemption or exception",
                );
            }
            for (j, code) in part.exemptions.iter().enumerate() {
                cited = true;
                let field = format!("response.parts[{i}].exemptions[{j}]");
                match self.regime {
                    Regime::Foi | Regime::Eir => {
                        invalid.check(exemption(&field, self.regime, code));
                    }
                    Regime::Foisa | Regime::Sar => {
                        if code.trim().is_empty() {
                            invalid.push(field, "must not be empty");
                        }
                    }
                }
            }
        }
        if outcome.needs_exemption() && !cited {
            invalid.push(
                "response.parts",
                "information withheld must cite an exemption or exception in at least one part",
            );
        }
        invalid.into_result()?;
        let mut clock = self.clock.clone();
        clock.push(ClockEvent::new(EventKind::ResponseSent, on));
        let deadlines = deadlines_with(
            self.regime,
            self.received(),
            &clock,
            ctx.calendar,
            ctx.protocol,
        )
        .map_err(|e| e.within("clock."))?;
        Ok(Response {
            sent_on: on,
            outcome,
            parts: input.parts.clone(),
            timeliness: if outcome.ended_unanswered() {
                None
            } else {
                deadlines.timeliness
            },
        })
    }

    /// The request as the public disclosure log shows it: no requester details, and only
    /// for a response that released information. A subject access request is never
    /// published: what it releases is the requester's own personal data.
    pub fn disclosure_log_entry(&self) -> Option<DisclosureLogEntry> {
        let response = self.response.as_ref()?;
        if !response.outcome.discloses() || self.regime == Regime::Sar {
            return None;
        }
        Some(DisclosureLogEntry {
            reference: self.reference.clone(),
            regime: self.regime,
            received: self.received(),
            responded: response.sent_on,
            summary: self.summary.clone(),
            outcome: response.outcome,
            exemptions: response
                .parts
                .iter()
                .flat_map(|p| p.exemptions.iter().cloned())
                .collect(),
        })
    }
}

/// Why a request is on a single point of contact's caseload today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attention {
    /// Past the date the response must go by.
    Overdue,
    /// Due within the protocol's "due soon" window of working days.
    DueSoon,
    /// Not yet forwarded, and past the forwarding target.
    ForwardingOverdue,
    /// The draft waits for this council's sign-off.
    AwaitingYourSignOff,
    /// The draft waits for another council's sign-off.
    AwaitingOtherCouncil,
    /// The draft waits for communications clearance.
    AwaitingComms,
}

impl Request {
    /// What the request needs today from the single point of contact of `council`, given its
    /// recomputed dates (see [`super::due_dates`]). Empty for a request that needs nothing.
    pub fn attention(
        &self,
        council: &GssCode,
        dates: &DueDates,
        today: NaiveDate,
        calendar: &Calendar,
        protocol: &Protocol,
    ) -> Vec<Attention> {
        let mut out = Vec::new();
        if !self.is_open() {
            return out;
        }
        if let Some(due) = dates.answer_by {
            if today > due {
                out.push(Attention::Overdue);
            } else if calendar
                .working_days_between(today, due)
                .is_some_and(|left| left <= protocol.due_soon_days)
            {
                out.push(Attention::DueSoon);
            }
        }
        if self.stage == Stage::Received && today > self.forwarding_due {
            out.push(Attention::ForwardingOverdue);
        }
        if self.stage == Stage::Consultation {
            let missing = self.sign_offs_missing();
            if missing.contains(council) {
                out.push(Attention::AwaitingYourSignOff);
            }
            if missing.iter().any(|c| c != council) {
                out.push(Attention::AwaitingOtherCouncil);
            }
        }
        if self.stage == Stage::CommsClearance && self.comms_cleared_on.is_none() {
            out.push(Attention::AwaitingComms);
        }
        out
    }
}

impl Request {
    /// What the request puts on the caseload of `council`'s single point of contact: what it
    /// needs from that council ([`Request::attention`]). A draft awaiting the council's own
    /// sign-off is on its caseload whoever leads; everything else is on the caseload of the
    /// council the request counts for ([`Request::owner`]) only.
    pub fn caseload(
        &self,
        council: &GssCode,
        dates: &DueDates,
        today: NaiveDate,
        calendar: &Calendar,
        protocol: &Protocol,
    ) -> Vec<Attention> {
        let own = self.owner() == council;
        self.attention(council, dates, today, calendar, protocol)
            .into_iter()
            .filter(|a| own || *a == Attention::AwaitingYourSignOff)
            .collect()
    }
}

/// A released response in the public disclosure log. Has no field for the requester, so
/// none can leak.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct DisclosureLogEntry {
    /// The register's reference.
    pub reference: String,
    /// The regime.
    pub regime: Regime,
    /// When it was received.
    pub received: NaiveDate,
    /// When it was answered.
    pub responded: NaiveDate,
    /// What was asked for.
    pub summary: String,
    /// The outcome.
    pub outcome: Outcome,
    /// The exemptions or exceptions relied on.
    pub exemptions: Vec<String>,
}
