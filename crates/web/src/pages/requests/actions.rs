//! The workflow's actions as pages offer them: which apply at each stage, what each form
//! asks, and how a submitted form becomes the domain's action.

use accord_domain::request::{
    Action, Draft, Outcome, Regime, Request, ResponseInput, ResponsePart, Stage,
};
use accord_domain::{GssCode, Invalid};

use crate::forms::FormData;

/// One workflow action, by the name used in its form's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Forward to the single point of contact.
    Forward,
    /// Acknowledge, agreeing the lead council.
    Acknowledge,
    /// Ask the requester to clarify.
    SeekClarification,
    /// The clarification arrived.
    ReceiveClarification,
    /// Give a fees notice.
    GiveFeesNotice,
    /// The fee was paid.
    ReceiveFee,
    /// Ask for proof of identity (subject access).
    RequestIdentity,
    /// Identity confirmed (subject access).
    ConfirmIdentity,
    /// Start drafting.
    StartDrafting,
    /// Claim the regime's extension.
    ClaimExtension,
    /// Put a draft to the single points of contact.
    SubmitDraft,
    /// Sign off the draft for one's own council.
    SignOff,
    /// Send the draft to the communications teams.
    SendForComms,
    /// The communications teams cleared it.
    ClearComms,
    /// Send the response.
    SendResponse,
    /// The requester withdrew.
    Withdraw,
    /// The request lapsed.
    Lapse,
    /// Close the request.
    Close,
}

impl Kind {
    /// Every action, in the order a request page lists them.
    pub const ALL: [Kind; 18] = [
        Kind::Forward,
        Kind::Acknowledge,
        Kind::StartDrafting,
        Kind::SubmitDraft,
        Kind::SignOff,
        Kind::SendForComms,
        Kind::ClearComms,
        Kind::SendResponse,
        Kind::Close,
        Kind::SeekClarification,
        Kind::ReceiveClarification,
        Kind::GiveFeesNotice,
        Kind::ReceiveFee,
        Kind::RequestIdentity,
        Kind::ConfirmIdentity,
        Kind::ClaimExtension,
        Kind::Withdraw,
        Kind::Lapse,
    ];

    /// The name in addresses and the API, as the domain's JSON names it.
    pub fn slug(self) -> &'static str {
        match self {
            Kind::Forward => "forward",
            Kind::Acknowledge => "acknowledge",
            Kind::SeekClarification => "seek_clarification",
            Kind::ReceiveClarification => "receive_clarification",
            Kind::GiveFeesNotice => "give_fees_notice",
            Kind::ReceiveFee => "receive_fee",
            Kind::RequestIdentity => "request_identity",
            Kind::ConfirmIdentity => "confirm_identity",
            Kind::StartDrafting => "start_drafting",
            Kind::ClaimExtension => "claim_extension",
            Kind::SubmitDraft => "submit_draft",
            Kind::SignOff => "sign_off",
            Kind::SendForComms => "send_for_comms",
            Kind::ClearComms => "clear_comms",
            Kind::SendResponse => "send_response",
            Kind::Withdraw => "withdraw",
            Kind::Lapse => "lapse",
            Kind::Close => "close",
        }
    }

    /// Finds an action by its name.
    pub fn from_slug(slug: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// The page's heading and the link's text.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Forward => "Forward to the single point of contact",
            Kind::Acknowledge => "Acknowledge and agree the lead council",
            Kind::SeekClarification => "Ask the requester to clarify",
            Kind::ReceiveClarification => "Record the requester’s clarification",
            Kind::GiveFeesNotice => "Give a fees notice",
            Kind::ReceiveFee => "Record that the fee was paid",
            Kind::RequestIdentity => "Ask for proof of identity",
            Kind::ConfirmIdentity => "Record that identity is confirmed",
            Kind::StartDrafting => "Start drafting the response",
            Kind::ClaimExtension => "Claim an extension",
            Kind::SubmitDraft => "Put the draft to the single points of contact",
            Kind::SignOff => "Sign off the draft for your council",
            Kind::SendForComms => "Send the draft for communications clearance",
            Kind::ClearComms => "Record communications clearance",
            Kind::SendResponse => "Send the response",
            Kind::Withdraw => "Record that the requester withdrew",
            Kind::Lapse => "Record that the request lapsed",
            Kind::Close => "Close the request",
        }
    }

    /// The label of the date the action was done.
    pub fn date_label(self) -> &'static str {
        match self {
            Kind::Forward => "Date forwarded",
            Kind::Acknowledge => "Date acknowledged",
            Kind::SeekClarification => "Date clarification was asked for",
            Kind::ReceiveClarification => "Date the clarification arrived",
            Kind::GiveFeesNotice => "Date of the fees notice",
            Kind::ReceiveFee => "Date the fee was paid",
            Kind::RequestIdentity => "Date proof of identity was asked for",
            Kind::ConfirmIdentity => "Date identity was confirmed",
            Kind::StartDrafting => "Date drafting started",
            Kind::ClaimExtension => "Date of the extension notice",
            Kind::SubmitDraft => "Date the draft went to the single points of contact",
            Kind::SignOff => "Date of your sign-off",
            Kind::SendForComms => "Date sent to the communications teams",
            Kind::ClearComms => "Date cleared",
            Kind::SendResponse => "Date the response was sent",
            Kind::Withdraw => "Date withdrawn",
            Kind::Lapse => "Date it lapsed",
            Kind::Close => "Date closed",
        }
    }

    /// Whether the action makes sense for the request now, to offer it on the request page.
    /// The domain decides whether it is allowed: a page that posts another is refused there.
    pub fn offered(self, request: &Request, home: Option<&GssCode>) -> bool {
        let stage = request.stage;
        let open = stage.is_open();
        match self {
            Kind::Forward => stage == Stage::Received,
            Kind::Acknowledge => stage == Stage::Forwarded,
            Kind::SeekClarification | Kind::GiveFeesNotice => {
                matches!(stage, Stage::Acknowledged | Stage::Drafting)
            }
            Kind::ReceiveClarification => stage == Stage::AwaitingClarification,
            Kind::ReceiveFee => stage == Stage::AwaitingFee,
            Kind::RequestIdentity | Kind::ConfirmIdentity => request.regime == Regime::Sar && open,
            Kind::StartDrafting => stage == Stage::Acknowledged,
            Kind::ClaimExtension => {
                request.regime != Regime::Foisa
                    && matches!(
                        stage,
                        Stage::Acknowledged
                            | Stage::Drafting
                            | Stage::Consultation
                            | Stage::CommsClearance
                    )
            }
            Kind::SubmitDraft => stage == Stage::Drafting,
            Kind::SignOff => {
                stage == Stage::Consultation
                    && home.is_some_and(|h| request.sign_offs_missing().contains(h))
            }
            Kind::SendForComms => {
                stage == Stage::Consultation && request.draft.as_ref().is_some_and(|d| d.sensitive)
            }
            Kind::ClearComms => stage == Stage::CommsClearance,
            Kind::SendResponse => matches!(
                stage,
                Stage::Drafting | Stage::Consultation | Stage::CommsClearance
            ),
            Kind::Withdraw | Kind::Lapse => open,
            Kind::Close => stage == Stage::ResponseSent,
        }
    }
}

/// The rows of response parts a form offers.
pub const PART_ROWS: usize = 3;

/// The outcomes a response can record, with their words.
pub fn outcome_choices() -> Vec<(&'static str, &'static str)> {
    Outcome::ALL
        .iter()
        .filter(|o| !o.ended_unanswered())
        .map(|o| (outcome_slug(*o), o.label()))
        .collect()
}

/// The JSON name of an outcome.
pub fn outcome_slug(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::GrantedInFull => "granted_in_full",
        Outcome::PartiallyWithheld => "partially_withheld",
        Outcome::WithheldInFull => "withheld_in_full",
        Outcome::NotHeld => "not_held",
        Outcome::Lapsed => "lapsed",
        Outcome::Withdrawn => "withdrawn",
    }
}

fn parse_outcome(field: &str, text: &str) -> Result<Outcome, Invalid> {
    Outcome::ALL
        .into_iter()
        .find(|o| outcome_slug(*o) == text.trim())
        .ok_or_else(|| Invalid::field(field, "Choose the outcome"))
}

/// Reads a submitted action form. `home` is the signer's council, for a sign-off. Every
/// problem names the form's field.
pub fn from_form(kind: Kind, form: &FormData, home: Option<&GssCode>) -> Result<Action, Invalid> {
    let mut invalid = Invalid::new();
    let on = invalid.check(
        form.date("on")
            .parse("on", &kind.date_label().to_lowercase()),
    );
    let action = match kind {
        Kind::Acknowledge => {
            let lead = if form.get("lead").is_empty() {
                invalid.push("lead", "Choose the council that leads on the request");
                None
            } else {
                invalid.check(GssCode::parse("lead", form.get("lead")))
            };
            on.zip(lead)
                .map(|(on, lead)| Action::Acknowledge { on, lead })
        }
        Kind::ClaimExtension => {
            let until = invalid
                .check(
                    form.date("until")
                        .parse_optional("until", "the date promised in the notice"),
                )
                .flatten();
            on.map(|on| Action::ClaimExtension { on, until })
        }
        Kind::SubmitDraft => {
            let mut discloses_about = Vec::new();
            for code in form.all("discloses_about") {
                if let Some(c) = invalid.check(GssCode::parse("discloses_about", code)) {
                    discloses_about.push(c);
                }
            }
            let sensitive = match form.get("sensitive") {
                "yes" => Some(true),
                "no" => Some(false),
                _ => {
                    invalid.push(
                        "sensitive",
                        "Say whether a single point of contact has marked the draft sensitive",
                    );
                    None
                }
            };
            on.zip(sensitive)
                .map(|(on, sensitive)| Action::SubmitDraft {
                    on,
                    draft: Draft {
                        discloses_about,
                        sensitive,
                    },
                })
        }
        Kind::SignOff => match home {
            Some(council) => on.map(|on| Action::SignOff {
                on,
                council: council.clone(),
            }),
            None => {
                invalid.push(
                    "on",
                    "Your account names no council, so you cannot sign off for one",
                );
                None
            }
        },
        Kind::SendResponse => {
            let outcome = match form.get("outcome") {
                "" => None,
                text => invalid.check(parse_outcome("outcome", text)),
            };
            let mut parts = Vec::new();
            for i in 0..PART_ROWS {
                let field = |name: &str| format!("parts[{i}].{name}");
                let description = form.get(&field("description")).trim();
                let part_outcome = form.get(&field("outcome"));
                let exemptions = form.get(&field("exemptions"));
                if description.is_empty() && part_outcome.is_empty() && exemptions.trim().is_empty()
                {
                    continue;
                }
                let Some(part_outcome) =
                    invalid.check(parse_outcome(&field("outcome"), part_outcome))
                else {
                    continue;
                };
                parts.push(ResponsePart {
                    description: description.to_owned(),
                    outcome: part_outcome,
                    exemptions: exemptions
                        .split([',', ';'])
                        .map(str::trim)
                        .filter(|e| !e.is_empty())
                        .map(str::to_owned)
                        .collect(),
                });
            }
            on.map(|on| Action::SendResponse {
                on,
                response: ResponseInput { outcome, parts },
            })
        }
        _ => on.and_then(|on| simple(kind, on)),
    };
    invalid.into_result()?;
    action.ok_or_else(|| Invalid::field("on", "Enter the date"))
}

/// An action that carries only its date; `None` for those that carry more.
fn simple(kind: Kind, on: chrono::NaiveDate) -> Option<Action> {
    Some(match kind {
        Kind::Forward => Action::Forward { on },
        Kind::SeekClarification => Action::SeekClarification { on },
        Kind::ReceiveClarification => Action::ReceiveClarification { on },
        Kind::GiveFeesNotice => Action::GiveFeesNotice { on },
        Kind::ReceiveFee => Action::ReceiveFee { on },
        Kind::RequestIdentity => Action::RequestIdentity { on },
        Kind::ConfirmIdentity => Action::ConfirmIdentity { on },
        Kind::StartDrafting => Action::StartDrafting { on },
        Kind::SendForComms => Action::SendForComms { on },
        Kind::ClearComms => Action::ClearComms { on },
        Kind::Withdraw => Action::Withdraw { on },
        Kind::Lapse => Action::Lapse { on },
        Kind::Close => Action::Close { on },
        Kind::Acknowledge
        | Kind::ClaimExtension
        | Kind::SubmitDraft
        | Kind::SignOff
        | Kind::SendResponse => return None,
    })
}

/// Where a refusal's field is on the action's form: the domain names `response.outcome`,
/// `sign_offs` or `clock.events[0]`; the form has `outcome`, and the date for the rest.
pub fn form_field(field: &str) -> String {
    match field {
        "lead" | "until" | "sensitive" | "outcome" | "discloses_about" => field.to_owned(),
        "response.outcome" => "outcome".to_owned(),
        f if f.starts_with("response.parts[") => f
            .trim_start_matches("response.")
            .split(".exemptions")
            .next()
            .map(|p| {
                if p.contains('.') {
                    p.to_owned()
                } else {
                    format!("{p}.exemptions")
                }
            })
            .unwrap_or_else(|| "outcome".to_owned()),
        "response.parts" => "parts[0].exemptions".to_owned(),
        "draft.discloses_about" => "discloses_about".to_owned(),
        _ => "on".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_unique_name_the_domain_reads() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_slug(kind.slug()), Some(kind));
            let form = FormData::from_pairs([
                ("on-day", "3"),
                ("on-month", "3"),
                ("on-year", "2025"),
                ("lead", "E09000014"),
                ("sensitive", "no"),
                ("outcome", "not_held"),
            ]);
            let home = GssCode::parse("home", "E09000031").unwrap();
            let action = from_form(kind, &form, Some(&home)).unwrap();
            let json = serde_json::to_value(&action).unwrap();
            assert_eq!(json["action"], kind.slug(), "{kind:?}");
        }
    }

    #[test]
    fn form_refusals_name_the_form_fields() {
        let cases = [
            ("response.outcome", "outcome"),
            ("response.parts[1].exemptions", "parts[1].exemptions"),
            ("response.parts[0].exemptions[2]", "parts[0].exemptions"),
            ("response.parts[2].description", "parts[2].description"),
            ("sign_offs", "on"),
            ("clock.events[0]", "on"),
            ("lead", "lead"),
        ];
        for (domain, form) in cases {
            assert_eq!(form_field(domain), form, "{domain}");
        }
        let empty = FormData::default();
        let err = from_form(Kind::Acknowledge, &empty, None).unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["on", "lead"]);
    }
}
