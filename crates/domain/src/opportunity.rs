//! Opportunities: a service a partnership might share, its status lifecycle, and the
//! preferred-partner rule of the MOU (3.2.1–3.2.3).
//!
//! An opportunity moves through
//! identified → offered to preferred partner → assessing →
//! passed / passed with conditions / deferred / not pursued → handed to delivery.
//! Every move goes through [`transition`], which refuses an illegal move with a message that
//! says what is allowed instead, and returns the history entry to store. The preferred-partner
//! rule is [`preferred_partner_rule`]: every path (page, API, CLI) that records another partner
//! calls it through [`Opportunity::record_other_partner`].
//!
//! Each opportunity has a reference of its own within its partnership's programme, `OPP-7`
//! ([`reference_of`], [`parse_reference`]): the next number after the highest in the programme.
//! Lists filter and sort by the rules of [`list`].

pub mod list;

use crate::access::Classification;
use crate::authority::parse_date;
use crate::gateway::Outcome;
use crate::mou::long_date;
use crate::seed::Seed;
use crate::service::{Service, ServiceCategory};
use crate::{GssCode, Invalid, Money, Partnership};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Small or large: drives the delivery timetable (MOU Schedule 2: four to nine months to
/// build and deploy a small project, longer for a large one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProjectSize {
    /// A small project.
    Small,
    /// A large project.
    Large,
}

impl ProjectSize {
    /// The stable name used in storage and the API.
    pub fn slug(self) -> &'static str {
        match self {
            ProjectSize::Small => "small",
            ProjectSize::Large => "large",
        }
    }

    /// Parses `small` or `large`, ignoring case.
    pub fn parse(field: &str, text: &str) -> Result<ProjectSize, Invalid> {
        match text.trim().to_ascii_lowercase().as_str() {
            "small" => Ok(ProjectSize::Small),
            "large" => Ok(ProjectSize::Large),
            _ => Err(Invalid::field(
                field,
                format!("“{text}” is not a project size (small or large)"),
            )),
        }
    }
}

/// Where an opportunity is in its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Status {
    /// Raised by a council; nothing decided yet.
    Identified,
    /// Offered to the originating council's preferred partner(s) (MOU 3.2.1).
    OfferedToPreferredPartner,
    /// Being rated against the compatibility criteria.
    Assessing,
    /// Passed the gateway.
    Passed,
    /// Passed the gateway on conditions (the criteria rated below Green must be resolved).
    PassedWithConditions,
    /// Put off until a date, when it is to be evaluated again.
    Deferred {
        /// When to evaluate it again.
        re_evaluate: NaiveDate,
    },
    /// Not pursued as a shared service.
    NotPursued {
        /// Why, e.g. "market testing instead".
        reason: String,
    },
    /// Passed to the delivery programme as a project.
    HandedToDelivery,
}

impl Status {
    /// The status without its details.
    pub fn kind(&self) -> StatusKind {
        match self {
            Status::Identified => StatusKind::Identified,
            Status::OfferedToPreferredPartner => StatusKind::OfferedToPreferredPartner,
            Status::Assessing => StatusKind::Assessing,
            Status::Passed => StatusKind::Passed,
            Status::PassedWithConditions => StatusKind::PassedWithConditions,
            Status::Deferred { .. } => StatusKind::Deferred,
            Status::NotPursued { .. } => StatusKind::NotPursued,
            Status::HandedToDelivery => StatusKind::HandedToDelivery,
        }
    }

    /// The status in words for pages: "deferred until 31 December 2011".
    pub fn describe(&self) -> String {
        match self {
            Status::Deferred { re_evaluate } => {
                format!("deferred: evaluate again on {}", long_date(*re_evaluate))
            }
            Status::NotPursued { reason } => format!("not pursued: {reason}"),
            other => other.kind().label().to_owned(),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A status without its details: for filters, storage columns and transition tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusKind {
    /// See [`Status::Identified`].
    Identified,
    /// See [`Status::OfferedToPreferredPartner`].
    OfferedToPreferredPartner,
    /// See [`Status::Assessing`].
    Assessing,
    /// See [`Status::Passed`].
    Passed,
    /// See [`Status::PassedWithConditions`].
    PassedWithConditions,
    /// See [`Status::Deferred`].
    Deferred,
    /// See [`Status::NotPursued`].
    NotPursued,
    /// See [`Status::HandedToDelivery`].
    HandedToDelivery,
}

impl StatusKind {
    /// Every status, in lifecycle order.
    pub const ALL: [StatusKind; 8] = [
        StatusKind::Identified,
        StatusKind::OfferedToPreferredPartner,
        StatusKind::Assessing,
        StatusKind::Passed,
        StatusKind::PassedWithConditions,
        StatusKind::Deferred,
        StatusKind::NotPursued,
        StatusKind::HandedToDelivery,
    ];

    /// The stable name used in storage, URLs and the API.
    pub fn slug(self) -> &'static str {
        match self {
            StatusKind::Identified => "identified",
            StatusKind::OfferedToPreferredPartner => "offered-to-preferred-partner",
            StatusKind::Assessing => "assessing",
            StatusKind::Passed => "passed",
            StatusKind::PassedWithConditions => "passed-with-conditions",
            StatusKind::Deferred => "deferred",
            StatusKind::NotPursued => "not-pursued",
            StatusKind::HandedToDelivery => "handed-to-delivery",
        }
    }

    /// A label for pages.
    pub fn label(self) -> &'static str {
        match self {
            StatusKind::Identified => "identified",
            StatusKind::OfferedToPreferredPartner => "offered to preferred partner",
            StatusKind::Assessing => "assessing",
            StatusKind::Passed => "passed",
            StatusKind::PassedWithConditions => "passed with conditions",
            StatusKind::Deferred => "deferred",
            StatusKind::NotPursued => "not pursued",
            StatusKind::HandedToDelivery => "handed to delivery",
        }
    }

    /// Parses a slug.
    pub fn parse(field: &str, text: &str) -> Result<StatusKind, Invalid> {
        StatusKind::ALL
            .into_iter()
            .find(|k| k.slug() == text.trim())
            .ok_or_else(|| {
                let slugs: Vec<&str> = StatusKind::ALL.iter().map(|k| k.slug()).collect();
                Invalid::field(
                    field,
                    format!(
                        "“{text}” is not an opportunity status; use one of {}",
                        slugs.join(", ")
                    ),
                )
            })
    }

    /// The statuses an opportunity may move to from this one (before the move's own checks:
    /// dates, reasons, the gateway outcome, a preferred partner's acceptance).
    pub fn next(self) -> &'static [StatusKind] {
        use StatusKind as K;
        match self {
            K::Identified => &[K::OfferedToPreferredPartner, K::Deferred, K::NotPursued],
            K::OfferedToPreferredPartner => &[K::Assessing, K::Deferred, K::NotPursued],
            K::Assessing => &[
                K::Passed,
                K::PassedWithConditions,
                K::Deferred,
                K::NotPursued,
            ],
            // A passed opportunity may be assessed again (the criteria or the facts changed),
            // put off, or dropped (e.g. when the business case does not stand up).
            K::Passed | K::PassedWithConditions => &[
                K::HandedToDelivery,
                K::Assessing,
                K::Deferred,
                K::NotPursued,
            ],
            // Deferring again moves the re-evaluation date.
            K::Deferred => &[
                K::OfferedToPreferredPartner,
                K::Assessing,
                K::Deferred,
                K::NotPursued,
            ],
            // Final: a dropped opportunity is raised again as a new one, so its history stays
            // as it was decided.
            K::NotPursued | K::HandedToDelivery => &[],
        }
    }
}

impl fmt::Display for StatusKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One entry of an opportunity's status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct StatusChange {
    /// The status before; `None` for the entry that records the opportunity being raised.
    pub from: Option<Status>,
    /// The status after.
    pub to: Status,
    /// When the change was made.
    pub on: NaiveDate,
    /// Who made it (a user id or name).
    pub by: String,
    /// Why, in the words of whoever made it; may be empty.
    pub reason: String,
}

/// A request to move an opportunity to another status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRequest {
    /// The status wanted.
    pub to: Status,
    /// When.
    pub on: NaiveDate,
    /// Who asks (a user id or name).
    pub by: String,
    /// Why; may be empty.
    pub reason: String,
    /// The outcome of the opportunity's latest complete assessment, if there is one. Passing
    /// needs it: the MOU (4.2–4.3) moves only services that pass the gateway forward.
    pub gateway: Option<Outcome>,
}

/// How a preferred partner answered the offer of an opportunity (MOU 3.2.1–3.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResponseKind {
    /// It wants to share the service.
    Accept,
    /// It is not ready or able to share the service now.
    NotReady,
    /// It already shares the service with another partner.
    HasAnotherPartner,
}

impl ResponseKind {
    /// Every response, for forms.
    pub const ALL: [ResponseKind; 3] = [
        ResponseKind::Accept,
        ResponseKind::NotReady,
        ResponseKind::HasAnotherPartner,
    ];

    /// The stable name used in storage and the API.
    pub fn slug(self) -> &'static str {
        match self {
            ResponseKind::Accept => "accept",
            ResponseKind::NotReady => "not-ready",
            ResponseKind::HasAnotherPartner => "has-another-partner",
        }
    }

    /// A label for pages.
    pub fn label(self) -> &'static str {
        match self {
            ResponseKind::Accept => "accepted",
            ResponseKind::NotReady => "not ready or able",
            ResponseKind::HasAnotherPartner => "has another partner",
        }
    }

    /// Whether the response declines the offer.
    pub fn declines(self) -> bool {
        !matches!(self, ResponseKind::Accept)
    }

    /// Parses a slug.
    pub fn parse(field: &str, text: &str) -> Result<ResponseKind, Invalid> {
        ResponseKind::ALL
            .into_iter()
            .find(|k| k.slug() == text.trim())
            .ok_or_else(|| {
                Invalid::field(
                    field,
                    format!(
                        "“{text}” is not a response to an offer (accept, not-ready or has-another-partner)"
                    ),
                )
            })
    }
}

/// One answer of a preferred partner. A partner may answer again later (a council that was
/// not ready may accept, which is how it joins an arrangement later, MOU 3.2.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct PartnerResponse {
    /// The answer.
    pub kind: ResponseKind,
    /// When it was given.
    pub on: NaiveDate,
    /// Who recorded it.
    pub by: String,
    /// Anything the partner said; may be empty.
    pub note: String,
}

/// The offer of an opportunity to one preferred partner, with its answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Offer {
    /// The preferred partner.
    pub partner: GssCode,
    /// When it was offered.
    pub offered_on: NaiveDate,
    /// Its answers, oldest first; the last one stands.
    pub responses: Vec<PartnerResponse>,
}

impl Offer {
    /// The answer that stands, if the partner has answered.
    pub fn latest(&self) -> Option<&PartnerResponse> {
        self.responses.last()
    }

    /// Whether the partner's standing answer is to accept.
    pub fn accepted(&self) -> bool {
        self.latest()
            .is_some_and(|r| r.kind == ResponseKind::Accept)
    }
}

/// An arrangement with a partner outside the partnership for the opportunity's service,
/// recorded once every preferred partner declined. It stays open for them to join later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct OtherPartner {
    /// The other partner: a council, a consortium or a company.
    pub name: String,
    /// Its GSS code when it is a council.
    pub authority: Option<GssCode>,
    /// When the arrangement was recorded.
    pub on: NaiveDate,
    /// Who recorded it.
    pub by: String,
    /// Details; may be empty.
    pub note: String,
    /// The preferred partners the arrangement must let join at a future date (MOU 3.2.3).
    pub open_to: Vec<GssCode>,
}

/// The form or API input that raises an opportunity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct NewOpportunity {
    /// What would be shared, in a sentence or a paragraph.
    pub scope: String,
    /// The GSS code of the council that raises it.
    pub originating: String,
    /// The programme's wave, if waves are used.
    #[serde(default)]
    pub wave: Option<u32>,
    /// The phase within the programme, if phases are used.
    #[serde(default)]
    pub phase: Option<u32>,
    /// `small` or `large`; empty or absent when not yet known.
    #[serde(default)]
    pub size: Option<String>,
}

/// The form or API input that records another partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct NewOtherPartner {
    /// The other partner's name.
    pub name: String,
    /// Its GSS code when it is a council; empty or absent otherwise.
    #[serde(default)]
    pub authority: Option<String>,
    /// When, as `YYYY-MM-DD`.
    pub on: String,
    /// Details; may be empty.
    #[serde(default)]
    pub note: String,
}

/// A service a partnership might share, and everything decided about it so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Opportunity {
    /// The database identity (0 before it is stored).
    pub id: i64,
    /// The partnership it belongs to.
    pub partnership_id: i64,
    /// Its number in the partnership's programme, from 1, which its reference carries
    /// (`OPP-7`); 0 before it is numbered. Records of earlier releases had none, so it may be
    /// absent from stored JSON.
    #[serde(default)]
    pub number: u32,
    /// The service from the catalogue.
    pub service: Service,
    /// What would be shared.
    pub scope: String,
    /// The council that raised it.
    pub originating: GssCode,
    /// The programme's wave, if known.
    pub wave: Option<u32>,
    /// The phase, if known.
    pub phase: Option<u32>,
    /// Small or large, if known.
    pub size: Option<ProjectSize>,
    /// Where it is now.
    pub status: Status,
    /// Every status change, oldest first; the first entry records it being raised.
    pub history: Vec<StatusChange>,
    /// The offers to the preferred partners.
    pub offers: Vec<Offer>,
    /// Arrangements with partners outside the partnership.
    pub other_partners: Vec<OtherPartner>,
    /// Where the record comes from (e.g. a seed document), if not entered by a user.
    pub source: Option<String>,
}

/// The highest wave or phase number accepted.
pub const MAX_WAVE: u32 = 99;

/// The longest scope accepted, in characters.
pub const MAX_SCOPE: usize = 5_000;

fn check_by(by: &str) -> Result<String, Invalid> {
    let by = by.trim();
    if by.is_empty() {
        Err(Invalid::field("by", "Record who made the change"))
    } else {
        Ok(by.to_owned())
    }
}

fn check_number(field: &str, value: Option<u32>) -> Result<Option<u32>, Invalid> {
    match value {
        Some(n) if n == 0 || n > MAX_WAVE => Err(Invalid::field(
            field,
            format!("{n} is not a {field} number; use 1 to {MAX_WAVE}"),
        )),
        other => Ok(other),
    }
}

/// What every opportunity's reference starts with.
pub const REFERENCE_PREFIX: &str = "OPP-";

/// The reference of the opportunity numbered `number`: `OPP-7`.
pub fn reference_of(number: u32) -> String {
    format!("{REFERENCE_PREFIX}{number}")
}

/// The number a reference names, read leniently (`OPP-7`, `opp-7`, `OPP7`, ` OPP-7 `); `None`
/// when the text is not an opportunity's reference.
pub fn parse_reference(text: &str) -> Option<u32> {
    let text = text.trim();
    let prefix = text.get(..3)?;
    if !prefix.eq_ignore_ascii_case("OPP") {
        return None;
    }
    let rest = &text[3..];
    let digits = rest.strip_prefix('-').unwrap_or(rest);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u32>().ok().filter(|n| *n > 0)
}

/// The classifications an opportunity or a council's ratings may have. Embargoes and personal
/// data do not apply to them.
pub const CLASSIFICATIONS: [Classification; 3] = [
    Classification::Partnership,
    Classification::Council,
    Classification::Published,
];

/// Reads the classification a form or the API gives an opportunity or a council's ratings;
/// empty means `partnership`.
pub fn parse_classification(field: &str, text: &str) -> Result<Classification, Invalid> {
    if text.trim().is_empty() {
        return Ok(Classification::Partnership);
    }
    CLASSIFICATIONS
        .into_iter()
        .find(|c| c.slug() == text.trim())
        .ok_or_else(|| {
            Invalid::field(
                field,
                format!(
                    "“{text}” is not a classification here; use partnership, council or published"
                ),
            )
        })
}

/// A change to an opportunity's scope, phase, wave or size. `None` leaves a field as it is;
/// `Some(None)` clears a phase, wave or size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetailsChange {
    /// What would be shared.
    pub scope: Option<String>,
    /// The phase.
    pub phase: Option<Option<u32>>,
    /// The wave.
    pub wave: Option<Option<u32>>,
    /// `small` or `large`; empty clears it.
    pub size: Option<String>,
}

impl Status {
    /// The status a form or the API asks for: its slug (`kind`, named `field` in refusals),
    /// the re-evaluation date of a deferral, the reason of a status "not pursued".
    pub fn parse(
        field: &str,
        kind: &str,
        re_evaluate: Option<NaiveDate>,
        reason: &str,
    ) -> Result<Status, Invalid> {
        if kind.trim().is_empty() {
            return Err(Invalid::field(field, "Choose the new status"));
        }
        Ok(match StatusKind::parse(field, kind)? {
            StatusKind::Identified => Status::Identified,
            StatusKind::OfferedToPreferredPartner => Status::OfferedToPreferredPartner,
            StatusKind::Assessing => Status::Assessing,
            StatusKind::Passed => Status::Passed,
            StatusKind::PassedWithConditions => Status::PassedWithConditions,
            StatusKind::HandedToDelivery => Status::HandedToDelivery,
            StatusKind::NotPursued => Status::NotPursued {
                reason: reason.to_owned(),
            },
            StatusKind::Deferred => match re_evaluate {
                Some(re_evaluate) => Status::Deferred { re_evaluate },
                None => {
                    return Err(Invalid::field(
                        "re_evaluate",
                        "Enter the date to evaluate it again",
                    ));
                }
            },
        })
    }

    /// A deferral's re-evaluation date.
    pub fn re_evaluate(&self) -> Option<NaiveDate> {
        match self {
            Status::Deferred { re_evaluate } => Some(*re_evaluate),
            _ => None,
        }
    }

    /// Why an opportunity is not pursued.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Status::NotPursued { reason } => Some(reason),
            _ => None,
        }
    }
}

impl Opportunity {
    /// Raises an opportunity for a service. The originating council must be a member of the
    /// partnership on the day; the opportunity starts `identified` with one history entry.
    pub fn raise(
        partnership: &Partnership,
        service: Service,
        input: &NewOpportunity,
        on: NaiveDate,
        by: &str,
    ) -> Result<Opportunity, Invalid> {
        let mut invalid = Invalid::new();
        let scope = input.scope.trim();
        if scope.is_empty() {
            invalid.push("scope", "Describe what would be shared");
        } else if scope.chars().count() > MAX_SCOPE {
            invalid.push(
                "scope",
                format!("The scope must be {MAX_SCOPE} characters or fewer"),
            );
        }
        let originating = invalid.check(GssCode::parse("originating", &input.originating));
        if let Some(code) = &originating
            && !partnership.is_member_on(code, on)
        {
            invalid.push(
                "originating",
                format!(
                    "{code} is not a member of {} on {}",
                    partnership.name,
                    long_date(on)
                ),
            );
        }
        let wave = invalid.check(check_number("wave", input.wave));
        let phase = invalid.check(check_number("phase", input.phase));
        let size = match input.size.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(text) => invalid.check(ProjectSize::parse("size", text).map(Some)),
        };
        let by = invalid.check(check_by(by));
        invalid.into_result()?;
        let (Some(originating), Some(wave), Some(phase), Some(size), Some(by)) =
            (originating, wave, phase, size, by)
        else {
            // Every check passed when `invalid` was empty, so every value is present.
            return Err(Invalid::field("scope", "could not be read"));
        };
        Ok(Opportunity {
            id: 0,
            partnership_id: partnership.id,
            number: 0,
            service,
            scope: scope.to_owned(),
            originating,
            wave,
            phase,
            size,
            status: Status::Identified,
            history: vec![StatusChange {
                from: None,
                to: Status::Identified,
                on,
                by,
                reason: String::new(),
            }],
            offers: Vec::new(),
            other_partners: Vec::new(),
            source: None,
        })
    }

    /// The date of the latest history entry, before which nothing new may be dated.
    pub fn last_changed(&self) -> Option<NaiveDate> {
        self.history.last().map(|c| c.on)
    }

    /// The date it was raised: its first history entry.
    pub fn raised_on(&self) -> Option<NaiveDate> {
        self.history.first().map(|c| c.on)
    }

    /// Its reference: `OPP-7`.
    pub fn reference(&self) -> String {
        reference_of(self.number)
    }

    /// Changes the scope, phase, wave or size, checked as raising checks them. All or
    /// nothing: a refusal changes nothing.
    pub fn change_details(&mut self, change: &DetailsChange) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        let mut changed = self.clone();
        if let Some(scope) = &change.scope {
            let scope = scope.trim();
            if scope.is_empty() {
                invalid.push("scope", "Describe what would be shared");
            } else if scope.chars().count() > MAX_SCOPE {
                invalid.push(
                    "scope",
                    format!("The scope must be {MAX_SCOPE} characters or fewer"),
                );
            } else {
                scope.clone_into(&mut changed.scope);
            }
        }
        if let Some(phase) = change.phase
            && let Some(phase) = invalid.check(check_number("phase", phase))
        {
            changed.phase = phase;
        }
        if let Some(wave) = change.wave
            && let Some(wave) = invalid.check(check_number("wave", wave))
        {
            changed.wave = wave;
        }
        if let Some(size) = &change.size {
            match size.trim() {
                "" => changed.size = None,
                text => {
                    if let Some(size) = invalid.check(ProjectSize::parse("size", text)) {
                        changed.size = Some(size);
                    }
                }
            }
        }
        invalid.into_result()?;
        *self = changed;
        Ok(())
    }

    /// Whether a preferred partner's standing answer is to accept.
    pub fn has_acceptance(&self) -> bool {
        self.offers.iter().any(Offer::accepted)
    }

    /// The councils that take part in an assessment: the originating council and every
    /// preferred partner that accepted.
    pub fn assessing_councils(&self) -> Vec<GssCode> {
        std::iter::once(self.originating.clone())
            .chain(
                self.offers
                    .iter()
                    .filter(|o| o.accepted())
                    .map(|o| o.partner.clone()),
            )
            .collect()
    }

    /// Refuses ratings unless the opportunity is being assessed. A not-pursued opportunity is
    /// never assessed again; it is raised anew instead.
    pub fn check_can_be_assessed(&self) -> Result<(), Invalid> {
        match &self.status {
            Status::Assessing => Ok(()),
            Status::NotPursued { reason } => Err(Invalid::field(
                "status",
                format!(
                    "{} is not pursued ({reason}), so it cannot be assessed; raise it again as a new opportunity",
                    self.service.name
                ),
            )),
            other => Err(Invalid::field(
                "status",
                format!(
                    "{} is {}; ratings are recorded only while an opportunity is being assessed",
                    self.service.name,
                    other.kind().label()
                ),
            )),
        }
    }

    /// Checks a status change and, when it is allowed, records it and returns the new history
    /// entry. A refusal changes nothing.
    pub fn change_status(&mut self, request: &StatusRequest) -> Result<StatusChange, Invalid> {
        if request.to.kind() == StatusKind::OfferedToPreferredPartner {
            return Err(Invalid::field(
                "to",
                "An opportunity is offered to its preferred partners with the offer action, which records who it was offered to",
            ));
        }
        let change = transition(self, request)?;
        self.status = change.to.clone();
        self.history.push(change.clone());
        Ok(change)
    }

    /// Offers the opportunity to the originating council's preferred partners: every other
    /// council that is a member of the partnership on the day (MOU 3.2.1) and has not been
    /// offered it before. Allowed from `identified` and `deferred`.
    pub fn offer(
        &mut self,
        partnership: &Partnership,
        on: NaiveDate,
        by: &str,
    ) -> Result<StatusChange, Invalid> {
        let partners: Vec<GssCode> = partnership
            .members_on(on)
            .map(|m| m.authority.clone())
            .filter(|code| {
                code != &self.originating && !self.offers.iter().any(|o| &o.partner == code)
            })
            .collect();
        if partners.is_empty() {
            let message = if self.offers.is_empty() {
                format!(
                    "{} has no other member council on {} to offer it to",
                    partnership.name,
                    long_date(on)
                )
            } else {
                "Every member council has already been offered this opportunity".to_owned()
            };
            return Err(Invalid::field("partners", message));
        }
        let mut offered = self.clone();
        offered
            .offers
            .extend(partners.into_iter().map(|partner| Offer {
                partner,
                offered_on: on,
                responses: Vec::new(),
            }));
        let change = transition(
            &offered,
            &StatusRequest {
                to: Status::OfferedToPreferredPartner,
                on,
                by: by.to_owned(),
                reason: String::new(),
                gateway: None,
            },
        )?;
        offered.status = change.to.clone();
        offered.history.push(change.clone());
        *self = offered;
        Ok(change)
    }

    /// Records a preferred partner's answer to the offer. A later answer replaces an earlier
    /// one (the earlier stays in the record).
    pub fn respond(
        &mut self,
        partner: &GssCode,
        kind: ResponseKind,
        on: NaiveDate,
        by: &str,
        note: &str,
    ) -> Result<PartnerResponse, Invalid> {
        let by = check_by(by)?;
        let Some(offer) = self.offers.iter_mut().find(|o| &o.partner == partner) else {
            return Err(Invalid::field(
                "partner",
                format!("{partner} has not been offered this opportunity"),
            ));
        };
        if on < offer.offered_on {
            return Err(Invalid::field(
                "on",
                format!(
                    "{} is before the offer was made on {}",
                    long_date(on),
                    long_date(offer.offered_on)
                ),
            ));
        }
        if let Some(latest) = offer.latest() {
            if on < latest.on {
                return Err(Invalid::field(
                    "on",
                    format!(
                        "{} is before the partner's previous answer on {}",
                        long_date(on),
                        long_date(latest.on)
                    ),
                ));
            }
            if latest.kind == kind {
                return Err(Invalid::field(
                    "kind",
                    format!(
                        "{partner} already answered “{}” on {}",
                        kind.label(),
                        long_date(latest.on)
                    ),
                ));
            }
        }
        let response = PartnerResponse {
            kind,
            on,
            by,
            note: note.trim().to_owned(),
        };
        offer.responses.push(response.clone());
        Ok(response)
    }

    /// Records an arrangement with a partner outside the partnership for this service. The
    /// preferred-partner rule ([`preferred_partner_rule`]) decides whether it is allowed;
    /// the arrangement is recorded as open for the preferred partners to join later.
    pub fn record_other_partner(
        &mut self,
        partnership: &Partnership,
        input: &NewOtherPartner,
        by: &str,
    ) -> Result<OtherPartner, Invalid> {
        let mut invalid = Invalid::new();
        let name = input.name.trim();
        if name.is_empty() {
            invalid.push("name", "Enter the other partner's name");
        }
        let authority = match input.authority.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(text) => invalid.check(GssCode::parse("authority", text).map(Some)),
        };
        let on = invalid.check(parse_date("on", &input.on));
        let by = invalid.check(check_by(by));
        invalid.into_result()?;
        let (Some(authority), Some(on), Some(by)) = (authority, on, by) else {
            return Err(Invalid::field("name", "could not be read"));
        };
        let open_to = preferred_partner_rule(partnership, self, authority.as_ref(), on)?;
        let other = OtherPartner {
            name: name.to_owned(),
            authority,
            on,
            by,
            note: input.note.trim().to_owned(),
            open_to,
        };
        self.other_partners.push(other.clone());
        Ok(other)
    }
}

/// The preferred-partner rule (MOU 3.2.1–3.2.3): may the originating council record
/// `other` (a council when `Some`, otherwise a body that is not a council) as its partner
/// for this opportunity's service on `on`?
///
/// Only when the opportunity was offered to its preferred partners and every one of them has
/// declined (not ready or able, or has another partner) on or before `on`, and the other
/// partner is not itself a member of the partnership. Returns the preferred partners the
/// arrangement must stay open to (MOU 3.2.3). Every path that records another partner calls
/// this function.
pub fn preferred_partner_rule(
    partnership: &Partnership,
    opportunity: &Opportunity,
    other: Option<&GssCode>,
    on: NaiveDate,
) -> Result<Vec<GssCode>, Invalid> {
    if let Some(code) = other {
        if code == &opportunity.originating {
            return Err(Invalid::field(
                "authority",
                format!("{code} raised the opportunity; it cannot be its own other partner"),
            ));
        }
        if partnership.is_member_on(code, on) {
            return Err(Invalid::field(
                "authority",
                format!(
                    "{code} is a member of {}, so it is a preferred partner: offer the opportunity to it and record its answer instead",
                    partnership.name
                ),
            ));
        }
    }
    if opportunity.offers.is_empty() {
        return Err(Invalid::field(
            "partners",
            "The opportunity has not been offered to the preferred partner(s) yet; under the MOU (3.2.1) it must be offered to them first",
        ));
    }
    let mut invalid = Invalid::new();
    for offer in &opportunity.offers {
        match offer.latest() {
            None => invalid.push(
                "partners",
                format!(
                    "{} has not answered the offer of {}; another partner can be recorded only after every preferred partner has declined (MOU 3.2.1–3.2.2)",
                    offer.partner,
                    long_date(offer.offered_on)
                ),
            ),
            Some(r) if r.kind == ResponseKind::Accept => invalid.push(
                "partners",
                format!(
                    "{} accepted on {}; the service is to be shared with the preferred partner (MOU 3.2.1)",
                    offer.partner,
                    long_date(r.on)
                ),
            ),
            Some(r) if r.on > on => invalid.push(
                "on",
                format!(
                    "{} declined only on {}, after {}",
                    offer.partner,
                    long_date(r.on),
                    long_date(on)
                ),
            ),
            Some(_) => {}
        }
    }
    invalid.into_result()?;
    Ok(opportunity
        .offers
        .iter()
        .map(|o| o.partner.clone())
        .collect())
}

/// Checks a status change against the lifecycle and returns the history entry to record.
/// Pure: it changes nothing. Refuses
/// - a move the lifecycle does not allow (the message lists the allowed ones),
/// - a date before the latest history entry,
/// - assessing before a preferred partner has accepted,
/// - passing without a gateway outcome that passes,
/// - deferring without a re-evaluation date after the change, or dropping without a reason.
pub fn transition(
    opportunity: &Opportunity,
    request: &StatusRequest,
) -> Result<StatusChange, Invalid> {
    let from = opportunity.status.kind();
    let to = request.to.kind();
    let allowed = from.next();
    if !allowed.contains(&to) {
        let message = if from == StatusKind::NotPursued && to == StatusKind::Assessing {
            format!(
                "{} is not pursued, so it cannot be assessed; raise it again as a new opportunity",
                opportunity.service.name
            )
        } else if allowed.is_empty() {
            format!(
                "An opportunity that is {} cannot change status any more",
                from.label()
            )
        } else {
            let names: Vec<&str> = allowed.iter().map(|k| k.label()).collect();
            format!(
                "An opportunity that is {} cannot move to {}; it can move to {}",
                from.label(),
                to.label(),
                names.join(", ")
            )
        };
        return Err(Invalid::field("to", message));
    }
    let mut invalid = Invalid::new();
    if let Some(last) = opportunity.last_changed()
        && request.on < last
    {
        invalid.push(
            "on",
            format!(
                "{} is before the latest change, on {}",
                long_date(request.on),
                long_date(last)
            ),
        );
    }
    let by = invalid.check(check_by(&request.by));
    match &request.to {
        Status::Assessing if !opportunity.has_acceptance() => invalid.push(
            "to",
            "No preferred partner has accepted the offer yet, so there is nobody to assess it with",
        ),
        Status::OfferedToPreferredPartner if opportunity.offers.is_empty() => invalid.push(
            "to",
            "The opportunity has not been offered to any preferred partner",
        ),
        Status::Passed => match request.gateway {
            Some(Outcome::Pass) => {}
            Some(other) => invalid.push(
                "gateway",
                format!(
                    "The gateway outcome is “{}”, so the opportunity cannot be recorded as passed",
                    other.label()
                ),
            ),
            None => invalid.push(
                "gateway",
                "Complete the assessment first: an opportunity passes only through the gateway",
            ),
        },
        Status::PassedWithConditions => match request.gateway {
            Some(Outcome::Pass | Outcome::PassWithConditions) => {}
            Some(Outcome::Fail) => invalid.push(
                "gateway",
                "The gateway outcome is “fail”, so the opportunity cannot be recorded as passed with conditions; defer it or record it as not pursued",
            ),
            None => invalid.push(
                "gateway",
                "Complete the assessment first: an opportunity passes only through the gateway",
            ),
        },
        Status::Deferred { re_evaluate } if *re_evaluate <= request.on => invalid.push(
            "re_evaluate",
            format!(
                "The date to evaluate it again, {}, must be after {}",
                long_date(*re_evaluate),
                long_date(request.on)
            ),
        ),
        Status::NotPursued { reason } if reason.trim().is_empty() => invalid.push(
            "reason",
            "Say why the opportunity is not pursued, e.g. “market testing instead”",
        ),
        _ => {}
    }
    invalid.into_result()?;
    let to = match &request.to {
        Status::NotPursued { reason } => Status::NotPursued {
            reason: reason.trim().to_owned(),
        },
        other => other.clone(),
    };
    Ok(StatusChange {
        from: Some(opportunity.status.clone()),
        to,
        on: request.on,
        by: by.unwrap_or_default(),
        reason: request.reason.trim().to_owned(),
    })
}

/// What Appendix B says a project could save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedSaving {
    /// A figure.
    Amount(Money),
    /// "TBA" in the appendix.
    ToBeAnnounced,
    /// The appendix's figure did not survive in the seed text, or there is none.
    NotStated,
}

impl SeedSaving {
    /// The saving in words for pages: "£100,000", "to be announced", "not stated".
    pub fn describe(self) -> String {
        match self {
            SeedSaving::Amount(money) => money.whole_pounds(),
            SeedSaving::ToBeAnnounced => "to be announced".to_owned(),
            SeedSaving::NotStated => crate::seed::NOT_STATED.to_owned(),
        }
    }
}

/// One of the 14 projects of the Haringey report's Appendix B (seed 003), as seed data. The
/// scope and outcome are summaries in Accord's words; the figures, dates and outcomes are the
/// report's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedProject {
    /// The project's number in the appendix (1–14).
    pub number: u8,
    /// The catalogue service it concerns.
    pub service: &'static str,
    /// The service's category.
    pub category: ServiceCategory,
    /// What would be shared, summarised.
    pub scope: &'static str,
    /// The council that raised it, where the report says; `None` where both did or it does
    /// not say.
    pub originating: Option<&'static str>,
    /// The potential cashable saving.
    pub saving: SeedSaving,
    /// The status the report's outcome corresponds to.
    pub status: StatusKind,
    /// For a deferred project, when it is to be evaluated again (year, month, day).
    pub re_evaluate: Option<(i32, u32, u32)>,
    /// The outcome as the report states it, summarised; for a project not pursued this is
    /// the reason.
    pub outcome: &'static str,
}

impl SeedProject {
    /// The citation for pages: "Seed 003: … — Appendix B, project 5".
    pub fn citation(&self) -> String {
        Seed::HaringeyCorporateCommitteeReport.at(&format!("Appendix B, project {}", self.number))
    }

    /// The project's status with its details.
    pub fn status(&self) -> Status {
        match self.status {
            StatusKind::Identified => Status::Identified,
            StatusKind::OfferedToPreferredPartner => Status::OfferedToPreferredPartner,
            StatusKind::Assessing => Status::Assessing,
            StatusKind::Passed => Status::Passed,
            StatusKind::PassedWithConditions => Status::PassedWithConditions,
            StatusKind::Deferred => match self
                .re_evaluate
                .and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
            {
                Some(re_evaluate) => Status::Deferred { re_evaluate },
                // Every deferred seed project has a valid date (a test checks it); an
                // undated deferral would be shown as still being assessed.
                None => Status::Assessing,
            },
            StatusKind::NotPursued => Status::NotPursued {
                reason: self.outcome.to_owned(),
            },
            StatusKind::HandedToDelivery => Status::HandedToDelivery,
        }
    }
}

const HARINGEY: Option<&str> = Some("E09000014");
const WALTHAM_FOREST: Option<&str> = Some("E09000031");

/// The 14 projects of Appendix B, in the appendix's order.
///
/// How the report's outcomes map to statuses: "being implemented" → handed to delivery;
/// "business case in development" after the gateway → passed; "not pursued" / "not a full
/// shared service" → not pursued with the report's reason; "re-evaluate at the end of the
/// calendar year" → deferred to 31 December 2011; an evaluation still under way → assessing;
/// no outcome in the report → identified.
pub const APPENDIX_B: [SeedProject; 14] = {
    use ServiceCategory as C;
    use StatusKind as S;
    [
        SeedProject {
            number: 1,
            service: "Economic Development",
            category: C::EnvironmentTransportWaste,
            scope: "Join the two economic development services, both being restructured, for resilience and better use of what remains; later a single service in a social enterprise.",
            originating: None,
            saving: SeedSaving::Amount(Money::from_pounds(100_000)),
            status: S::HandedToDelivery,
            re_evaluate: None,
            outcome: "Being implemented in three phases; phase 2 likely to slip from July to September 2011; phase 3 planned for mid 2012.",
        },
        SeedProject {
            number: 2,
            service: "Human Resources Shared Service Centre",
            category: C::BackOffice,
            scope: "A shared HR service centre: payroll control, recruitment administration, HR metrics, an HR advisory service, payroll administration and employee records.",
            originating: None,
            saving: SeedSaving::Amount(Money::from_pounds(100_000)),
            status: S::HandedToDelivery,
            re_evaluate: None,
            outcome: "Being implemented in three work streams; payroll control live by June 2011, final business case by September 2011.",
        },
        SeedProject {
            number: 3,
            service: "OD and Learning",
            category: C::BackOffice,
            scope: "Share the organisational development and learning management service now and plan a full shared service: joint commissioning, framework agreements, a management roles framework.",
            originating: None,
            saving: SeedSaving::Amount(Money::from_pounds(150_000)),
            status: S::HandedToDelivery,
            re_evaluate: None,
            outcome: "Being implemented; joint interim management introduced in June 2011.",
        },
        SeedProject {
            number: 4,
            service: "Regulatory Services",
            category: C::Regulatory,
            scope: "Shared regulatory services including trading standards, after a wider consortium fell through.",
            originating: None,
            saving: SeedSaving::NotStated,
            status: S::Assessing,
            re_evaluate: None,
            outcome: "Outline business case in development; decision on scope due by the end of July 2011.",
        },
        SeedProject {
            number: 5,
            service: "Building Cleaning",
            category: C::BackOffice,
            scope: "Reduce the cost of building cleaning, which both councils face.",
            originating: HARINGEY,
            saving: SeedSaving::NotStated,
            status: S::NotPursued,
            re_evaluate: None,
            outcome: "Market testing instead: no substantial case for an integrated shared service; Haringey market tests from July 2011 with Waltham Forest supporting and named as a possible future partner.",
        },
        SeedProject {
            number: 6,
            service: "Audit and Insurance Services",
            category: C::BackOffice,
            scope: "Further savings from the two reduced audit services; collaboration on risk management and insurance, counter-fraud and systems audit.",
            originating: None,
            saving: SeedSaving::ToBeAnnounced,
            status: S::Assessing,
            re_evaluate: None,
            outcome: "Case for a fully integrated service uncertain; collaboration in parts of audit being considered, fuller integration possible later.",
        },
        SeedProject {
            number: 7,
            service: "Contact Centre",
            category: C::CustomerServices,
            scope: "A single contact centre for both councils, with market testing of longer-term options.",
            originating: None,
            saving: SeedSaving::ToBeAnnounced,
            status: S::Assessing,
            re_evaluate: None,
            outcome: "Pre-business case (IT, accommodation, costs, investment) due by the end of September 2011.",
        },
        SeedProject {
            number: 8,
            service: "Planning and Building Control Back Office",
            category: C::Regulatory,
            scope: "Bring the separate building control functions and back offices together; land charges and professional planning later.",
            originating: None,
            saving: SeedSaving::Amount(Money::from_pounds(75_000)),
            status: S::Passed,
            re_evaluate: None,
            outcome: "Draft business case for management and building control due by August 2011.",
        },
        SeedProject {
            number: 9,
            service: "One SAP Solution",
            category: C::BackOffice,
            scope: "One shared SAP ERP system for finance, HR and procurement, as both councils' managed-service contracts expire (November 2012 and February 2013).",
            originating: None,
            saving: SeedSaving::ToBeAnnounced,
            status: S::Passed,
            re_evaluate: None,
            outcome: "Procurement through a pan-London project, with separate managed-service contracts as the fall-back; a key enabler for sharing more back-office services.",
        },
        SeedProject {
            number: 10,
            service: "Policy and Performance",
            category: C::Management,
            scope: "Evaluate sharing the policy and performance services, both being reduced.",
            originating: None,
            saving: SeedSaving::ToBeAnnounced,
            status: S::Assessing,
            re_evaluate: None,
            outcome: "Evaluation under way.",
        },
        SeedProject {
            number: 11,
            service: "Communications",
            category: C::Management,
            scope: "Share the communication and consultation services.",
            originating: None,
            saving: SeedSaving::ToBeAnnounced,
            status: S::NotPursued,
            re_evaluate: None,
            outcome: "Not a full shared service: collaboration on commissioning print and design and on joint consultation considered instead.",
        },
        SeedProject {
            number: 12,
            service: "School Meals",
            category: C::Childrens,
            scope: "Resilience and cost sharing for two school meals services selling to schools in a volatile market.",
            originating: None,
            saving: SeedSaving::NotStated,
            status: S::Assessing,
            re_evaluate: None,
            outcome: "Gaps in pricing, trading model and financial structure; whether to keep it in the programme goes to the members' challenge session.",
        },
        SeedProject {
            number: 13,
            service: "Legal Services",
            category: C::Legal,
            scope: "A shared legal service, prompted by management vacancies in Haringey and models elsewhere.",
            originating: HARINGEY,
            saving: SeedSaving::NotStated,
            status: S::Deferred,
            re_evaluate: Some((2011, 12, 31)),
            outcome: "Differences in size, costs and client demand to be addressed by each council; evaluated again at the end of the calendar year.",
        },
        SeedProject {
            number: 14,
            service: "Electoral Services",
            category: C::Management,
            scope: "Share electoral services, prompted by management vacancies in Waltham Forest.",
            originating: WALTHAM_FOREST,
            saving: SeedSaving::NotStated,
            status: S::Identified,
            re_evaluate: None,
            outcome: "No outcome stated in the report.",
        },
    ]
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Member, MemberRole, MemberStatus};

    const HARINGEY: &str = "E09000014";
    const WALTHAM_FOREST: &str = "E09000031";
    const ENFIELD: &str = "E09000010";
    const REDBRIDGE: &str = "E09000026";

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn gss(code: &str) -> GssCode {
        GssCode::parse("gss", code).unwrap()
    }

    fn partnership(codes: &[&str]) -> Partnership {
        Partnership {
            id: 7,
            name: "Haringey – Waltham Forest".into(),
            summary: String::new(),
            source: None,
            members: codes
                .iter()
                .map(|c| Member {
                    authority: gss(c),
                    role: MemberRole::Partner,
                    status: MemberStatus::Active,
                    joined: Some(d(2010, 12, 21)),
                    left: None,
                })
                .collect(),
        }
    }

    fn service() -> Service {
        Service {
            id: 1,
            name: "Building Cleaning".into(),
            category: ServiceCategory::BackOffice,
        }
    }

    fn raise(p: &Partnership) -> Opportunity {
        Opportunity::raise(
            p,
            service(),
            &NewOpportunity {
                scope: "Reduce the cost of building cleaning".into(),
                originating: HARINGEY.into(),
                wave: Some(1),
                phase: Some(1),
                size: Some("small".into()),
            },
            d(2011, 1, 10),
            "programme.director",
        )
        .unwrap()
    }

    fn request(to: Status, on: NaiveDate, gateway: Option<Outcome>) -> StatusRequest {
        StatusRequest {
            to,
            on,
            by: "programme.director".into(),
            reason: String::new(),
            gateway,
        }
    }

    fn other(on: &str) -> NewOtherPartner {
        NewOtherPartner {
            name: "A cleaning contractor".into(),
            authority: None,
            on: on.into(),
            note: "market testing".into(),
        }
    }

    #[test]
    fn references_are_opp_and_a_number() {
        let cases = [
            ("OPP-7", Some(7)),
            (" opp-12 ", Some(12)),
            ("OPP7", Some(7)),
            ("OPP-0", None),
            ("OPP-", None),
            ("OPP--1", None),
            ("OPP-+1", None),
            ("R12", None),
            ("7", None),
            ("OPP-99999999999", None),
            ("ÖPP-1", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_reference(text), expected, "{text}");
        }
        assert_eq!(reference_of(7), "OPP-7");
        assert_eq!(parse_reference(&reference_of(41)), Some(41));
    }

    #[test]
    fn details_change_all_or_nothing() {
        let p = partnership(&[HARINGEY, WALTHAM_FOREST]);
        let mut o = raise(&p);
        let before = o.clone();
        let bad = DetailsChange {
            scope: Some("A wider scope".into()),
            phase: Some(Some(0)),
            wave: Some(None),
            size: Some("medium".into()),
        };
        let err = o.change_details(&bad).unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["phase", "size"]);
        assert_eq!(o, before, "nothing changed");
        o.change_details(&DetailsChange {
            scope: Some(" A wider scope ".into()),
            phase: Some(None),
            wave: Some(Some(3)),
            size: Some("large".into()),
        })
        .unwrap();
        assert_eq!(
            (o.scope.as_str(), o.phase, o.wave, o.size),
            ("A wider scope", None, Some(3), Some(ProjectSize::Large))
        );
    }

    #[test]
    fn statuses_and_classifications_parse_naming_their_field() {
        assert_eq!(
            Status::parse("to", "deferred", None, "")
                .unwrap_err()
                .errors[0]
                .field,
            "re_evaluate"
        );
        assert_eq!(
            Status::parse("to", "", None, "").unwrap_err().errors[0].field,
            "to"
        );
        assert_eq!(
            Status::parse("to", "not-pursued", None, "market testing").unwrap(),
            Status::NotPursued {
                reason: "market testing".into()
            }
        );
        assert_eq!(
            parse_classification("classification", "").unwrap(),
            Classification::Partnership
        );
        assert!(parse_classification("classification", "embargoed").is_err());
    }

    #[test]
    fn raising_checks_every_field() {
        let p = partnership(&[HARINGEY, WALTHAM_FOREST]);
        let bad = NewOpportunity {
            scope: "  ".into(),
            originating: ENFIELD.into(),
            wave: Some(0),
            phase: Some(2),
            size: Some("medium".into()),
        };
        let err = Opportunity::raise(&p, service(), &bad, d(2011, 1, 10), " ").unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["scope", "originating", "wave", "size", "by"]);
        let o = raise(&p);
        assert_eq!(o.status, Status::Identified);
        assert_eq!(o.history.len(), 1);
        assert_eq!(o.history[0].from, None);
        assert_eq!(o.size, Some(ProjectSize::Small));
    }

    /// The preferred-partner rule as a table: the partners' answers (None = no answer yet),
    /// the other partner recorded, and whether it is allowed (or the field refused).
    #[test]
    fn the_preferred_partner_rule() {
        use ResponseKind::{Accept, HasAnotherPartner, NotReady};
        let two = [HARINGEY, WALTHAM_FOREST];
        let three = [HARINGEY, WALTHAM_FOREST, ENFIELD];
        #[allow(clippy::type_complexity)]
        let cases: [(
            &[&str],
            &[Option<ResponseKind>],
            Option<&str>,
            &str,
            Result<(), &str>,
        ); 11] = [
            // Every preferred partner declined: allowed.
            (&two, &[Some(NotReady)], None, "2011-03-01", Ok(())),
            (
                &two,
                &[Some(HasAnotherPartner)],
                Some(REDBRIDGE),
                "2011-03-01",
                Ok(()),
            ),
            (
                &three,
                &[Some(NotReady), Some(HasAnotherPartner)],
                None,
                "2011-03-01",
                Ok(()),
            ),
            // Not yet answered, or accepted: refused.
            (&two, &[None], None, "2011-03-01", Err("partners")),
            (&two, &[Some(Accept)], None, "2011-03-01", Err("partners")),
            (
                &three,
                &[Some(NotReady), None],
                None,
                "2011-03-01",
                Err("partners"),
            ),
            (
                &three,
                &[Some(NotReady), Some(Accept)],
                None,
                "2011-03-01",
                Err("partners"),
            ),
            // Recorded before the decline: refused.
            (&two, &[Some(NotReady)], None, "2011-02-01", Err("on")),
            // A member is a preferred partner, not an "other" partner.
            (
                &three,
                &[Some(NotReady), Some(NotReady)],
                Some(ENFIELD),
                "2011-03-01",
                Err("authority"),
            ),
            (
                &two,
                &[Some(NotReady)],
                Some(HARINGEY),
                "2011-03-01",
                Err("authority"),
            ),
            // Bad input.
            (
                &two,
                &[Some(NotReady)],
                Some("E1"),
                "2011-03-01",
                Err("authority"),
            ),
        ];
        for (members, answers, other_council, on, expected) in cases {
            let p = partnership(members);
            let mut o = raise(&p);
            o.offer(&p, d(2011, 1, 20), "pd").unwrap();
            assert_eq!(o.offers.len(), members.len() - 1);
            for (offer, answer) in o.offers.clone().iter().zip(answers) {
                if let Some(kind) = answer {
                    o.respond(&offer.partner, *kind, d(2011, 2, 14), "pd", "")
                        .unwrap();
                }
            }
            let before = o.clone();
            let input = NewOtherPartner {
                authority: other_council.map(str::to_owned),
                ..other(on)
            };
            let result = o.record_other_partner(&p, &input, "pd");
            match expected {
                Ok(()) => {
                    let recorded = result.unwrap_or_else(|e| panic!("{answers:?}: {e}"));
                    // Open for every preferred partner to join later (MOU 3.2.3).
                    let open: Vec<GssCode> =
                        before.offers.iter().map(|o| o.partner.clone()).collect();
                    assert_eq!(recorded.open_to, open);
                    assert_eq!(o.other_partners.len(), 1);
                }
                Err(field) => {
                    let err = result.unwrap_err();
                    assert_eq!(
                        err.errors[0].field, field,
                        "{answers:?} {other_council:?}: {err}"
                    );
                    assert_eq!(o, before, "a refusal changes nothing");
                }
            }
        }
    }

    #[test]
    fn another_partner_needs_the_offer_first() {
        let p = partnership(&[HARINGEY, WALTHAM_FOREST]);
        let mut o = raise(&p);
        let err = o
            .record_other_partner(&p, &other("2011-03-01"), "pd")
            .unwrap_err();
        assert_eq!(err.errors[0].field, "partners");
        assert!(err.errors[0].message.contains("3.2.1"));
        assert!(o.other_partners.is_empty());
    }

    #[test]
    fn a_partner_that_declined_can_join_later() {
        let p = partnership(&[HARINGEY, WALTHAM_FOREST]);
        let mut o = raise(&p);
        o.offer(&p, d(2011, 1, 20), "pd").unwrap();
        let wf = gss(WALTHAM_FOREST);
        o.respond(&wf, ResponseKind::NotReady, d(2011, 2, 1), "pd", "")
            .unwrap();
        o.record_other_partner(&p, &other("2011-03-01"), "pd")
            .unwrap();
        o.respond(&wf, ResponseKind::Accept, d(2012, 1, 5), "pd", "joining")
            .unwrap();
        assert!(o.has_acceptance());
        assert_eq!(o.offers[0].responses.len(), 2);
        // Answers are dated in order and not repeated.
        let err = o
            .respond(&wf, ResponseKind::NotReady, d(2011, 6, 1), "pd", "")
            .unwrap_err();
        assert_eq!(err.errors[0].field, "on");
        let err = o
            .respond(&wf, ResponseKind::Accept, d(2012, 2, 1), "pd", "")
            .unwrap_err();
        assert_eq!(err.errors[0].field, "kind");
        let err = o
            .respond(&gss(ENFIELD), ResponseKind::Accept, d(2012, 2, 1), "pd", "")
            .unwrap_err();
        assert_eq!(err.errors[0].field, "partner");
    }

    /// The lifecycle as a table: the path walked so far, then a request, and the expected
    /// result (Ok, or the field refused).
    #[test]
    fn the_status_lifecycle() {
        use Outcome::{Fail, Pass, PassWithConditions as Pwc};
        let deferred = |y, m, day| Status::Deferred {
            re_evaluate: d(y, m, day),
        };
        let dropped = |r: &str| Status::NotPursued { reason: r.into() };
        #[allow(clippy::type_complexity)]
        let cases: Vec<(&str, Status, Option<Outcome>, Result<(), &str>)> = vec![
            // Path "I": identified; "O": offered, not yet answered; "A": accepted and assessing.
            ("I", Status::Assessing, None, Err("to")),
            ("I", Status::Passed, Some(Pass), Err("to")),
            ("I", dropped("market testing instead"), None, Ok(())),
            ("I", deferred(2011, 12, 31), None, Ok(())),
            ("O", Status::Assessing, None, Err("to")), // nobody has accepted
            ("O+", Status::Assessing, None, Ok(())),
            ("A", Status::Passed, Some(Pass), Ok(())),
            ("A", Status::Passed, Some(Pwc), Err("gateway")),
            ("A", Status::Passed, None, Err("gateway")),
            ("A", Status::PassedWithConditions, Some(Pwc), Ok(())),
            (
                "A",
                Status::PassedWithConditions,
                Some(Fail),
                Err("gateway"),
            ),
            ("A", deferred(2011, 12, 31), None, Ok(())),
            ("A", deferred(2011, 1, 1), None, Err("re_evaluate")),
            ("A", dropped("  "), None, Err("reason")),
            ("A", Status::HandedToDelivery, None, Err("to")),
            ("AP", Status::HandedToDelivery, None, Ok(())),
            ("AP", Status::Assessing, None, Ok(())),
            ("AX", Status::Assessing, None, Err("to")), // not pursued: never assessed again
            ("AX", Status::Identified, None, Err("to")),
            ("APH", dropped("no longer needed"), None, Err("to")),
            ("AD", Status::Assessing, None, Ok(())),
            ("AD", deferred(2012, 6, 30), None, Ok(())),
        ];
        let p = partnership(&[HARINGEY, WALTHAM_FOREST]);
        for (path, to, gateway, expected) in cases {
            let mut o = raise(&p);
            let mut day = 20;
            let mut next = || {
                day += 1;
                d(2011, 2, day)
            };
            if path != "I" {
                o.offer(&p, next(), "pd").unwrap();
            }
            if path.starts_with('A') || path == "O+" {
                o.respond(&gss(WALTHAM_FOREST), ResponseKind::Accept, next(), "pd", "")
                    .unwrap();
            }
            if path.starts_with('A') {
                o.change_status(&request(Status::Assessing, next(), None))
                    .unwrap();
            }
            for step in path.chars().skip(1) {
                let status = match step {
                    'P' => Status::Passed,
                    'H' => Status::HandedToDelivery,
                    'X' => dropped("market testing instead"),
                    'D' => deferred(2011, 12, 31),
                    _ => continue,
                };
                o.change_status(&request(status, next(), Some(Pass)))
                    .unwrap();
            }
            let before = o.clone();
            let result = o.change_status(&request(to.clone(), next(), gateway));
            match expected {
                Ok(()) => {
                    let change = result.unwrap_or_else(|e| panic!("{path} → {to:?}: {e}"));
                    assert_eq!(change.from.as_ref(), Some(&before.status));
                    assert_eq!(change.to, to);
                    assert_eq!(o.status, to);
                    assert_eq!(o.history.len(), before.history.len() + 1);
                }
                Err(field) => {
                    let err = result.unwrap_err();
                    assert_eq!(err.errors[0].field, field, "{path} → {to:?}: {err}");
                    assert_eq!(o, before, "a refusal changes nothing");
                }
            }
        }
    }

    #[test]
    fn not_pursued_opportunities_cannot_be_assessed() {
        let p = partnership(&[HARINGEY, WALTHAM_FOREST]);
        let mut o = raise(&p);
        o.change_status(&request(
            Status::NotPursued {
                reason: "market testing instead".into(),
            },
            d(2011, 7, 1),
            None,
        ))
        .unwrap();
        let err = o.check_can_be_assessed().unwrap_err();
        assert_eq!(err.errors[0].field, "status");
        assert!(
            err.errors[0]
                .message
                .contains("not pursued (market testing instead)")
        );
        let err = o
            .change_status(&request(Status::Assessing, d(2011, 7, 2), None))
            .unwrap_err();
        assert!(
            err.errors[0].message.contains("cannot be assessed"),
            "{err}"
        );
        assert!(raise(&p).check_can_be_assessed().is_err());
    }

    #[test]
    fn dates_must_not_go_backwards() {
        let p = partnership(&[HARINGEY, WALTHAM_FOREST]);
        let mut o = raise(&p);
        let err = o
            .change_status(&request(
                Status::NotPursued { reason: "x".into() },
                d(2010, 1, 1),
                None,
            ))
            .unwrap_err();
        assert_eq!(err.errors[0].field, "on");
        let err = o.offer(&p, d(2011, 1, 5), "pd").unwrap_err();
        assert_eq!(err.errors[0].field, "on");
        assert!(o.offers.is_empty(), "a refused offer records nothing");
    }

    #[test]
    fn offering_needs_another_member() {
        let p = partnership(&[HARINGEY, WALTHAM_FOREST]);
        let mut o = raise(&p);
        let mut alone = p.clone();
        alone
            .record_leaving(&gss(WALTHAM_FOREST), d(2011, 1, 15))
            .unwrap();
        let err = o.offer(&alone, d(2011, 1, 20), "pd").unwrap_err();
        assert_eq!(err.errors[0].field, "partners");
        o.offer(&p, d(2011, 1, 20), "pd").unwrap();
        o.change_status(&request(deferred_status(), d(2011, 1, 21), None))
            .unwrap();
        let err = o.offer(&p, d(2011, 1, 22), "pd").unwrap_err();
        assert!(err.errors[0].message.contains("already been offered"));
    }

    fn deferred_status() -> Status {
        Status::Deferred {
            re_evaluate: d(2011, 12, 31),
        }
    }

    #[test]
    fn seed_projects_are_the_fourteen_of_appendix_b() {
        assert_eq!(APPENDIX_B.len(), 14);
        for (i, project) in APPENDIX_B.iter().enumerate() {
            assert_eq!(usize::from(project.number), i + 1);
            assert!(project.citation().contains("Appendix B, project"));
            assert_eq!(project.status().kind(), project.status);
            if let Some(code) = project.originating {
                assert!(GssCode::parse("gss", code).is_ok());
            }
        }
        let by_name = |name: &str| APPENDIX_B.iter().find(|p| p.service == name).unwrap();
        assert_eq!(
            by_name("Legal Services").status(),
            Status::Deferred {
                re_evaluate: d(2011, 12, 31)
            }
        );
        assert!(matches!(
            by_name("Building Cleaning").status(),
            Status::NotPursued { reason } if reason.starts_with("Market testing instead")
        ));
        assert_eq!(by_name("Communications").status, StatusKind::NotPursued);
        let savings: Vec<String> = APPENDIX_B.iter().map(|p| p.saving.describe()).collect();
        assert_eq!(savings[0], "£100,000");
        assert_eq!(savings[2], "£150,000");
        assert_eq!(savings[7], "£75,000");
        assert_eq!(savings[13], "not stated");
    }

    #[test]
    fn opportunities_round_trip_through_json() {
        let p = partnership(&[HARINGEY, WALTHAM_FOREST]);
        let mut o = raise(&p);
        o.offer(&p, d(2011, 1, 20), "pd").unwrap();
        o.change_status(&request(deferred_status(), d(2011, 1, 21), None))
            .unwrap();
        let json = serde_json::to_string(&o).unwrap();
        assert!(
            json.contains(r#""status":{"kind":"deferred","re_evaluate":"2011-12-31"}"#),
            "{json}"
        );
        let back: Opportunity = serde_json::from_str(&json).unwrap();
        assert_eq!(back, o);
    }

    #[test]
    fn status_slugs_round_trip() {
        for kind in StatusKind::ALL {
            assert_eq!(StatusKind::parse("status", kind.slug()), Ok(kind));
        }
        for kind in ResponseKind::ALL {
            assert_eq!(ResponseKind::parse("kind", kind.slug()), Ok(kind));
        }
        assert!(StatusKind::parse("status", "done").is_err());
    }
}
