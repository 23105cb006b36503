//! Illustrative information requests for the Haringey – Waltham Forest partnership, handled
//! under the protocol of MOU Schedule 4 (Seed 003). The seeds give the protocol, not any
//! request: every request here is illustrative and says so in its summary, and every
//! requester is fictitious, with an address on the reserved `.invalid` domain.
//!
//! Together they show forwarding (one late, one not yet forwarded), clarification restarting
//! the clock, consultation awaiting the other council's sign-off, communications clearance,
//! an EIR extension, a subject access request's calendar month, a response in the disclosure
//! log, and an internal review. Each is logged and moved along through the same use cases as a
//! single point of contact would use, on the day of the Corporate Committee report (21 July
//! 2011); requests already in the register (by reference) are left alone, so loading twice adds
//! nothing.

use accord_app::requests::{self, LogRequest};
use accord_app::{App, AppError, Caller, Clock};
use accord_domain::request::{
    Action, Channel, Draft, Outcome, Regime, Requester, ResponseInput, ResponsePart, ReviewOutcome,
};
use accord_domain::{GssCode, Partnership};
use chrono::{NaiveDate, NaiveDateTime};

use super::DEMO_ACTOR;

/// The day the demo requests stand at: the Haringey Corporate Committee report.
const AS_AT: NaiveDate = date(2011, 7, 21);

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("demo dates are valid"),
    }
}

const HARINGEY: &str = "E09000014";
const WALTHAM_FOREST: &str = "E09000031";

struct DemoRequest {
    reference: &'static str,
    received_by: &'static str,
    channel: Channel,
    received_at: (NaiveDate, u32, u32),
    regime: Regime,
    summary: &'static str,
    requester: (&'static str, &'static str),
    actions: Vec<Action>,
    review: Option<(NaiveDate, Option<(NaiveDate, ReviewOutcome)>)>,
}

fn gss(code: &str) -> anyhow::Result<GssCode> {
    Ok(GssCode::parse("gss", code)?)
}

fn both() -> anyhow::Result<Vec<GssCode>> {
    Ok(vec![gss(HARINGEY)?, gss(WALTHAM_FOREST)?])
}

fn requests() -> anyhow::Result<Vec<DemoRequest>> {
    Ok(vec![
        DemoRequest {
            reference: "HWF-FOI-2011-0001",
            received_by: HARINGEY,
            channel: Channel::Email,
            received_at: (date(2011, 4, 20), 9, 30),
            regime: Regime::Foi,
            summary: "(Illustrative) The costs and expected savings in the business case for the shared HR service centre",
            requester: (
                "A. Example (fictitious requester)",
                "requester-one@example.invalid",
            ),
            actions: vec![
                Action::Forward {
                    on: date(2011, 4, 21),
                },
                Action::Acknowledge {
                    on: date(2011, 4, 26),
                    lead: gss(HARINGEY)?,
                },
                Action::StartDrafting {
                    on: date(2011, 4, 27),
                },
                Action::SubmitDraft {
                    on: date(2011, 5, 10),
                    draft: Draft {
                        discloses_about: both()?,
                        sensitive: false,
                    },
                },
                Action::SignOff {
                    on: date(2011, 5, 11),
                    council: gss(HARINGEY)?,
                },
                Action::SignOff {
                    on: date(2011, 5, 12),
                    council: gss(WALTHAM_FOREST)?,
                },
                Action::SendResponse {
                    on: date(2011, 5, 17),
                    response: ResponseInput {
                        outcome: Some(Outcome::PartiallyWithheld),
                        parts: vec![
                            ResponsePart {
                                description:
                                    "Total costs and expected savings of the shared service centre"
                                        .into(),
                                outcome: Outcome::GrantedInFull,
                                exemptions: vec![],
                            },
                            ResponsePart {
                                description: "Day rates quoted by suppliers".into(),
                                outcome: Outcome::WithheldInFull,
                                exemptions: vec!["s43".into()],
                            },
                        ],
                    },
                },
                Action::Close {
                    on: date(2011, 5, 18),
                },
            ],
            review: Some((
                date(2011, 6, 1),
                Some((date(2011, 6, 22), ReviewOutcome::Upheld)),
            )),
        },
        DemoRequest {
            reference: "HWF-FOI-2011-0002",
            received_by: WALTHAM_FOREST,
            channel: Channel::WebForm,
            received_at: (date(2011, 6, 27), 14, 5),
            regime: Regime::Foi,
            summary: "(Illustrative) Redundancy and pension costs of the joint interim management of OD and learning",
            requester: (
                "B. Sample (fictitious requester)",
                "requester-two@example.invalid",
            ),
            actions: vec![
                // Forwarded two days after the protocol's target: flagged.
                Action::Forward {
                    on: date(2011, 7, 1),
                },
                Action::Acknowledge {
                    on: date(2011, 7, 1),
                    lead: gss(WALTHAM_FOREST)?,
                },
                Action::SeekClarification {
                    on: date(2011, 7, 4),
                },
                Action::ReceiveClarification {
                    on: date(2011, 7, 8),
                },
                Action::StartDrafting {
                    on: date(2011, 7, 11),
                },
                Action::SubmitDraft {
                    on: date(2011, 7, 18),
                    draft: Draft {
                        discloses_about: both()?,
                        sensitive: true,
                    },
                },
                Action::SignOff {
                    on: date(2011, 7, 19),
                    council: gss(WALTHAM_FOREST)?,
                },
            ],
            review: None,
        },
        DemoRequest {
            reference: "HWF-EIR-2011-0003",
            received_by: HARINGEY,
            channel: Channel::Post,
            received_at: (date(2011, 6, 20), 11, 0),
            regime: Regime::Eir,
            summary: "(Illustrative) Energy use and carbon emissions of the office buildings considered for shared accommodation",
            requester: (
                "C. Placeholder (fictitious requester)",
                "1 Example Street, Nowhere (fictitious)",
            ),
            actions: vec![
                Action::Forward {
                    on: date(2011, 6, 21),
                },
                Action::Acknowledge {
                    on: date(2011, 6, 22),
                    lead: gss(HARINGEY)?,
                },
                Action::StartDrafting {
                    on: date(2011, 6, 23),
                },
                Action::ClaimExtension {
                    on: date(2011, 7, 11),
                    until: None,
                },
                Action::SubmitDraft {
                    on: date(2011, 7, 12),
                    draft: Draft {
                        discloses_about: vec![gss(HARINGEY)?],
                        sensitive: true,
                    },
                },
                Action::SendForComms {
                    on: date(2011, 7, 13),
                },
            ],
            review: None,
        },
        DemoRequest {
            reference: "HWF-FOI-2011-0004",
            received_by: WALTHAM_FOREST,
            channel: Channel::Email,
            received_at: (date(2011, 7, 15), 16, 45),
            regime: Regime::Foi,
            summary: "(Illustrative) Papers of the Programme Board on the options for a shared legal service",
            requester: (
                "D. Nobody (fictitious requester)",
                "requester-four@example.invalid",
            ),
            // Not yet forwarded: past the protocol's two working days on 21 July.
            actions: vec![],
            review: None,
        },
        DemoRequest {
            reference: "HWF-SAR-2011-0005",
            received_by: HARINGEY,
            channel: Channel::Email,
            received_at: (date(2011, 6, 24), 10, 15),
            regime: Regime::Sar,
            summary: "(Illustrative) A member of staff's own records held by the HR shared service project",
            requester: (
                "E. Person (fictitious requester)",
                "requester-five@example.invalid",
            ),
            actions: vec![
                Action::Forward {
                    on: date(2011, 6, 24),
                },
                Action::Acknowledge {
                    on: date(2011, 6, 27),
                    lead: gss(HARINGEY)?,
                },
                Action::StartDrafting {
                    on: date(2011, 7, 4),
                },
            ],
            review: None,
        },
    ])
}

/// Loads the illustrative requests into the partnership through the request use cases, as at
/// the day of the report; returns how many were created.
pub async fn load(app: &App, partnership: &Partnership) -> anyhow::Result<u64> {
    let app = app.clone().with_clock(Clock::Fixed(AS_AT));
    let caller = Caller::system(DEMO_ACTOR);
    let mut created = 0;
    for demo in requests()? {
        match requests::request(&app, &caller, partnership.id, demo.reference).await {
            Ok(_) => continue,
            Err(AppError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
        let (day, hour, minute) = demo.received_at;
        let command = LogRequest {
            reference: Some(demo.reference.to_owned()),
            received_by: gss(demo.received_by)?,
            channel: demo.channel,
            received_at: NaiveDateTime::new(
                day,
                chrono::NaiveTime::from_hms_opt(hour, minute, 0)
                    .ok_or_else(|| anyhow::anyhow!("a demo time is invalid"))?,
            ),
            requester: Requester {
                name: demo.requester.0.to_owned(),
                contact: demo.requester.1.to_owned(),
            },
            summary: demo.summary.to_owned(),
            regime: demo.regime,
        };
        let logged = requests::log_request(&app, &caller, partnership.id, command).await?;
        let reference = logged.reference().to_owned();
        for action in &demo.actions {
            requests::apply(&app, &caller, partnership.id, &reference, None, action).await?;
        }
        if let Some((requested, decision)) = demo.review {
            requests::ask_for_review(&app, &caller, partnership.id, &reference, requested).await?;
            if let Some((decided, outcome)) = decision {
                requests::decide_review(
                    &app,
                    &caller,
                    partnership.id,
                    &reference,
                    None,
                    decided,
                    outcome,
                )
                .await?;
            }
        }
        created += 1;
    }
    Ok(created)
}
