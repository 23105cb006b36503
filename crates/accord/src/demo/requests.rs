//! Illustrative information requests for the Haringey – Waltham Forest partnership, handled
//! under the protocol of MOU Schedule 4 (Seed 003). The seeds give the protocol, not any
//! request: every request here is illustrative and says so in its summary, and every
//! requester is fictitious, with an address on the reserved `.invalid` domain.
//!
//! Together they show forwarding (one late, one not yet forwarded), clarification restarting
//! the clock, consultation awaiting the other council's sign-off, communications clearance,
//! an EIR extension, a subject access request's calendar month, a response in the disclosure
//! log, and an internal review. Each is written in one transaction in its state on the day of
//! the Corporate Committee report (21 July 2011), with its whole history; requests already
//! in the register (by reference) are left alone, so loading twice adds nothing.

use accord_domain::access::ReadScope;
use accord_domain::request::{
    Action, Channel, Context, Draft, InternalReview, NewRequest, Outcome, Regime, Request,
    Requester, ResponseInput, ResponsePart, ReviewOutcome, review_deadlines,
};
use accord_domain::seed::Seed;
use accord_domain::{GssCode, Partnership};
use accord_store::requests::{
    REQUEST_KIND, calendars, decode_request, disclosure_input, request_input, requester_input,
    review_input,
};
use accord_store::{Change, RecordQuery, RecordWrite, Store};
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

/// Loads the illustrative requests into the partnership; returns how many were created.
pub async fn load(store: &dyn Store, partnership: &Partnership) -> anyhow::Result<u64> {
    let system = ReadScope {
        everything_but_personal: true,
        ..ReadScope::default()
    };
    let existing: Vec<String> = store
        .records(
            &RecordQuery::of(REQUEST_KIND, partnership.id),
            &system,
            AS_AT,
        )
        .await?
        .iter()
        .map(|r| decode_request(r).map(|r| r.reference))
        .collect::<Result<_, _>>()?;
    let calendars = calendars(store).await?;
    let protocol = accord_domain::request::Protocol::default();
    let change = Change::by(DEMO_ACTOR).because(format!(
        "illustrative requests under the information-law protocol ({}); the requesters are fictitious",
        Seed::HaringeyCorporateCommitteeReport.at("MOU Schedule 4")
    ));
    let mut created = 0;
    for demo in requests()? {
        if existing.iter().any(|r| r == demo.reference) {
            continue;
        }
        let (day, hour, minute) = demo.received_at;
        let input = NewRequest {
            reference: demo.reference.to_owned(),
            councils: both()?,
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
        let calendar = calendars.get(input.calendar_scope());
        let ctx = Context {
            today: AS_AT,
            calendar,
            protocol: &protocol,
        };
        let mut request = Request::receive(input, &ctx)?;
        for action in &demo.actions {
            request = request.apply(action, &ctx)?;
        }
        let requester = request.take_requester();
        let dates = request.due_dates(calendar, &protocol)?;
        let mut writes = vec![
            RecordWrite::Insert {
                input: request_input(partnership.id, &request, &dates)?,
                parent_from: None,
            },
            RecordWrite::Insert {
                input: requester_input(partnership.id, 0, &request.reference, &requester)?,
                parent_from: Some(0),
            },
        ];
        if let Some(entry) = request.disclosure_log_entry() {
            writes.push(RecordWrite::Insert {
                input: disclosure_input(partnership.id, 0, &entry)?,
                parent_from: Some(0),
            });
        }
        if let (Some((requested, decision)), Some(response)) = (demo.review, &request.response) {
            let mut review = InternalReview::request(response.sent_on, requested, AS_AT)?;
            let due = review_deadlines(request.regime, response.sent_on, requested, calendar)?.due;
            if let Some((decided, outcome)) = decision {
                review = review.decide(decided, outcome, AS_AT)?;
            }
            writes.push(RecordWrite::Insert {
                input: review_input(partnership.id, 0, &request.reference, &review, Some(due))?,
                parent_from: Some(0),
            });
        }
        store.write_records(&writes, &change).await?;
        created += 1;
    }
    Ok(created)
}
