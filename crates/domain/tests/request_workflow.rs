//! The request workflow and its gates: forwarding, both councils' sign-off, communications
//! clearance, outcomes, and refusals that change nothing.

use accord_domain::GssCode;
use accord_domain::request::{
    Action, Attention, Channel, Context, Draft, NewRequest, Outcome, Protocol, Regime, Request,
    Requester, ResponseInput, ResponsePart, Stage, Timeliness, WorkflowFlag,
};
use accord_domain::working_days::{Calendar, CalendarScope, HolidayTable};
use chrono::{NaiveDate, NaiveDateTime};

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates are valid")
}

fn gss(code: &str) -> GssCode {
    GssCode::parse("gss", code).expect("test codes are valid")
}

fn haringey() -> GssCode {
    gss("E09000014")
}

fn waltham_forest() -> GssCode {
    gss("E09000031")
}

struct World {
    calendar: Calendar,
    protocol: Protocol,
}

impl World {
    fn new(scope: CalendarScope) -> World {
        World {
            calendar: HolidayTable::new().calendar(scope),
            protocol: Protocol::default(),
        }
    }

    fn ctx(&self, today: &str) -> Context<'_> {
        Context {
            today: d(today),
            calendar: &self.calendar,
            protocol: &self.protocol,
        }
    }
}

fn new_request(regime: Regime, received_at: &str) -> NewRequest {
    NewRequest {
        reference: "FOI-2025-0001".into(),
        councils: vec![haringey(), waltham_forest()],
        received_by: waltham_forest(),
        channel: Channel::Email,
        received_at: NaiveDateTime::parse_from_str(received_at, "%Y-%m-%d %H:%M").expect("valid"),
        requester: Requester {
            name: "Ada Requester".into(),
            contact: "ada@example.org".into(),
        },
        summary: "Costs of the shared HR service centre".into(),
        regime,
    }
}

/// Applies actions in order, panicking with the step on a refusal.
fn walk(world: &World, mut request: Request, actions: &[Action]) -> Request {
    for action in actions {
        request = request
            .apply(action, &world.ctx("2025-12-31"))
            .unwrap_or_else(|e| panic!("{action:?}: {e}"));
    }
    request
}

fn both_sensitive() -> Draft {
    Draft {
        discloses_about: vec![haringey(), waltham_forest()],
        sensitive: true,
    }
}

fn partial_response() -> ResponseInput {
    ResponseInput {
        outcome: Some(Outcome::PartiallyWithheld),
        parts: vec![
            ResponsePart {
                description: "Total cost".into(),
                outcome: Outcome::GrantedInFull,
                exemptions: vec![],
            },
            ResponsePart {
                description: "Supplier rates".into(),
                outcome: Outcome::WithheldInFull,
                exemptions: vec!["s43".into()],
            },
        ],
    }
}

#[test]
fn the_whole_path_with_every_gate() {
    let world = World::new(CalendarScope::UnitedKingdom);
    let received = Request::receive(
        new_request(Regime::Foi, "2025-03-03 16:45"),
        &world.ctx("2025-03-03"),
    )
    .unwrap();
    assert_eq!(received.forwarding_due, d("2025-03-05"));
    // Forwarded a day late: flagged, not refused.
    let r = walk(
        &world,
        received,
        &[
            Action::Forward {
                on: d("2025-03-06"),
            },
            Action::Acknowledge {
                on: d("2025-03-06"),
                lead: haringey(),
            },
            Action::StartDrafting {
                on: d("2025-03-07"),
            },
            Action::SubmitDraft {
                on: d("2025-03-20"),
                draft: both_sensitive(),
            },
            Action::SignOff {
                on: d("2025-03-21"),
                council: haringey(),
            },
        ],
    );
    assert_eq!(
        r.flags,
        vec![WorkflowFlag::ForwardingLate {
            forwarded: d("2025-03-06"),
            due: d("2025-03-05")
        }]
    );
    assert_eq!(r.sign_offs_missing(), vec![waltham_forest()]);
    let ctx = world.ctx("2025-12-31");

    // The caseloads: Haringey waits for Waltham Forest, which owes its sign-off; both see
    // the due date (2025-04-01) coming.
    let dates = accord_domain::request::due_dates(
        r.regime,
        r.received(),
        &r.clock,
        &world.calendar,
        &world.protocol,
    )
    .unwrap();
    assert_eq!(dates.answer_by, Some(d("2025-04-01")));
    let on = |council: &GssCode, today: &str| {
        r.attention(council, &dates, d(today), &world.calendar, &world.protocol)
    };
    assert_eq!(
        on(&haringey(), "2025-03-21"),
        [Attention::AwaitingOtherCouncil]
    );
    assert_eq!(
        on(&waltham_forest(), "2025-03-25"),
        [Attention::DueSoon, Attention::AwaitingYourSignOff]
    );
    assert_eq!(
        on(&haringey(), "2025-04-02"),
        [Attention::Overdue, Attention::AwaitingOtherCouncil]
    );

    // Gates while the other council has not signed off.
    let refused = [
        (
            Action::SendForComms {
                on: d("2025-03-21"),
            },
            "sign_offs",
        ),
        (
            Action::Close {
                on: d("2025-03-21"),
            },
            "sign_offs",
        ),
        (
            Action::SendResponse {
                on: d("2025-03-21"),
                response: partial_response(),
            },
            "sign_offs",
        ),
    ];
    for (action, field) in refused {
        let before = r.clone();
        let err = r.apply(&action, &ctx).unwrap_err();
        assert!(
            err.errors.iter().any(|e| e.field == field),
            "{action:?}: {err}"
        );
        assert!(err.to_string().contains("E09000031"), "{err}");
        assert_eq!(r, before, "a refusal changes nothing");
    }

    let r = walk(
        &world,
        r,
        &[
            Action::SignOff {
                on: d("2025-03-24"),
                council: waltham_forest(),
            },
            Action::SendForComms {
                on: d("2025-03-24"),
            },
        ],
    );
    // Sensitive: communications must clear it first.
    let err = r
        .apply(
            &Action::SendResponse {
                on: d("2025-03-25"),
                response: partial_response(),
            },
            &ctx,
        )
        .unwrap_err();
    assert_eq!(err.errors[0].field, "comms");
    let r = walk(
        &world,
        r,
        &[Action::ClearComms {
            on: d("2025-03-26"),
        }],
    );

    // A response without an outcome, and a withholding without an exemption, are refused.
    let no_outcome = ResponseInput {
        outcome: None,
        parts: vec![],
    };
    let err = r
        .apply(
            &Action::SendResponse {
                on: d("2025-03-27"),
                response: no_outcome,
            },
            &ctx,
        )
        .unwrap_err();
    assert_eq!(err.errors[0].field, "response.outcome");
    let mut unexplained = partial_response();
    unexplained.parts[1].exemptions.clear();
    let err = r
        .apply(
            &Action::SendResponse {
                on: d("2025-03-27"),
                response: unexplained,
            },
            &ctx,
        )
        .unwrap_err();
    assert!(
        err.errors
            .iter()
            .any(|e| e.field == "response.parts[1].exemptions")
    );
    let mut wrong_law = partial_response();
    wrong_law.parts[1].exemptions = vec!["reg 12(5)(e)".into()];
    let err = r
        .apply(
            &Action::SendResponse {
                on: d("2025-03-27"),
                response: wrong_law,
            },
            &ctx,
        )
        .unwrap_err();
    assert_eq!(err.errors[0].field, "response.parts[1].exemptions[0]");

    let r = walk(
        &world,
        r,
        &[Action::SendResponse {
            on: d("2025-03-27"),
            response: partial_response(),
        }],
    );
    assert_eq!(r.stage, Stage::ResponseSent);
    let response = r.response.clone().unwrap();
    assert_eq!(response.timeliness, Some(Timeliness::InTime));
    let deadlines = r.deadlines(&world.calendar, &world.protocol).unwrap();
    assert_eq!(deadlines.statutory.unwrap().due, d("2025-04-01"));

    let r = walk(
        &world,
        r,
        &[Action::Close {
            on: d("2025-04-02"),
        }],
    );
    assert_eq!(r.stage, Stage::Closed);
    let history: Vec<Stage> = r.history.iter().map(|h| h.stage).collect();
    assert_eq!(
        history,
        [
            Stage::Received,
            Stage::Forwarded,
            Stage::Acknowledged,
            Stage::Drafting,
            Stage::Consultation,
            Stage::Consultation,
            Stage::Consultation,
            Stage::CommsClearance,
            Stage::CommsClearance,
            Stage::ResponseSent,
            Stage::Closed,
        ]
    );

    // The disclosure log carries no requester details.
    let entry = r.disclosure_log_entry().unwrap();
    let json = serde_json::to_string(&entry).unwrap();
    assert!(
        !json.contains("Ada") && !json.contains("example.org"),
        "{json}"
    );
    assert_eq!(entry.exemptions, vec!["s43"]);
}

#[test]
fn a_draft_about_one_council_needs_no_second_sign_off() {
    let world = World::new(CalendarScope::UnitedKingdom);
    let r = Request::receive(
        new_request(Regime::Eir, "2025-05-01 09:00"),
        &world.ctx("2025-05-01"),
    )
    .unwrap();
    let r = walk(
        &world,
        r,
        &[
            Action::Forward {
                on: d("2025-05-01"),
            },
            Action::Acknowledge {
                on: d("2025-05-02"),
                lead: haringey(),
            },
            Action::StartDrafting {
                on: d("2025-05-02"),
            },
            Action::ClaimExtension {
                on: d("2025-05-20"),
                until: None,
            },
            Action::SubmitDraft {
                on: d("2025-06-10"),
                draft: Draft {
                    discloses_about: vec![haringey()],
                    sensitive: false,
                },
            },
            Action::SendResponse {
                on: d("2025-06-11"),
                response: ResponseInput {
                    outcome: Some(Outcome::GrantedInFull),
                    parts: vec![],
                },
            },
        ],
    );
    assert!(r.flags.is_empty());
    assert_eq!(
        r.response.unwrap().timeliness,
        Some(Timeliness::WithinExtension)
    );
}

#[test]
fn clarification_and_fees_pause_and_resume_the_stage() {
    let world = World::new(CalendarScope::UnitedKingdom);
    let r = Request::receive(
        new_request(Regime::Foi, "2025-03-03 10:00"),
        &world.ctx("2025-03-03"),
    )
    .unwrap();
    let r = walk(
        &world,
        r,
        &[
            Action::Forward {
                on: d("2025-03-04"),
            },
            Action::Acknowledge {
                on: d("2025-03-04"),
                lead: waltham_forest(),
            },
            Action::StartDrafting {
                on: d("2025-03-04"),
            },
            Action::SeekClarification {
                on: d("2025-03-05"),
            },
        ],
    );
    assert_eq!(r.stage, Stage::AwaitingClarification);
    assert!(
        r.deadlines(&world.calendar, &world.protocol)
            .unwrap()
            .statutory
            .is_none()
    );
    let r = walk(
        &world,
        r,
        &[Action::ReceiveClarification {
            on: d("2025-03-10"),
        }],
    );
    assert_eq!(r.stage, Stage::Drafting);
    let due = r
        .deadlines(&world.calendar, &world.protocol)
        .unwrap()
        .statutory
        .unwrap()
        .due;
    assert_eq!(due, d("2025-04-08"));
    // Withdrawn mid-way: closed with that outcome, no timeliness.
    let r = walk(
        &world,
        r,
        &[Action::Withdraw {
            on: d("2025-03-12"),
        }],
    );
    assert_eq!(r.stage, Stage::Closed);
    assert_eq!(r.response.as_ref().unwrap().outcome, Outcome::Withdrawn);
    assert_eq!(r.response.unwrap().timeliness, None);
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let world = World::new(CalendarScope::UnitedKingdom);
    // A date of receipt in the future.
    let err = Request::receive(
        new_request(Regime::Foi, "2025-03-04 09:00"),
        &world.ctx("2025-03-03"),
    )
    .unwrap_err();
    assert_eq!(err.errors[0].field, "received_at");
    // A receiving council outside the partnership; empty fields.
    let mut input = new_request(Regime::Foi, "2025-03-03 09:00");
    input.received_by = gss("E09000001");
    input.summary = " ".into();
    let err = Request::receive(input, &world.ctx("2025-03-03")).unwrap_err();
    let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["summary", "received_by"]);

    let r = Request::receive(
        new_request(Regime::Foi, "2025-03-03 09:00"),
        &world.ctx("2025-03-03"),
    )
    .unwrap();
    let r = walk(
        &world,
        r,
        &[
            Action::Forward {
                on: d("2025-03-04"),
            },
            Action::Acknowledge {
                on: d("2025-03-04"),
                lead: haringey(),
            },
        ],
    );
    let ctx = world.ctx("2025-03-10");
    let cases = [
        (
            Action::StartDrafting {
                on: d("2025-03-11"),
            },
            "on",
            "in the future",
        ),
        (
            Action::StartDrafting {
                on: d("2025-03-03"),
            },
            "on",
            "before the last step",
        ),
        (
            Action::StartDrafting {
                on: d("2025-03-01"),
            },
            "on",
            "before the request was received on 2025-03-03",
        ),
        (
            Action::Forward {
                on: d("2025-03-05"),
            },
            "action",
            "cannot forward",
        ),
        (
            Action::Close {
                on: d("2025-03-05"),
            },
            "action",
            "send the response",
        ),
        (
            Action::SendResponse {
                on: d("2025-03-05"),
                response: ResponseInput {
                    outcome: Some(Outcome::NotHeld),
                    parts: vec![],
                },
            },
            "action",
            "cannot send the response",
        ),
        (
            Action::ConfirmIdentity {
                on: d("2025-03-05"),
            },
            "clock.events[0]",
            "does not apply",
        ),
        (
            Action::ClaimExtension {
                on: d("2025-03-05"),
                until: Some(d("2025-03-04")),
            },
            "clock.events[0]",
            "not after the notice",
        ),
    ];
    for (action, field, message) in cases {
        let before = r.clone();
        let err = r.apply(&action, &ctx).unwrap_err();
        assert!(
            err.errors
                .iter()
                .any(|e| e.field == field && e.message.contains(message)),
            "{action:?}: {err}"
        );
        assert_eq!(r, before);
    }
}

#[test]
fn foisa_has_no_extension_to_claim() {
    let world = World::new(CalendarScope::Scotland);
    let mut input = new_request(Regime::Foisa, "2025-03-03 09:00");
    input.councils = vec![gss("S12000033"), gss("S12000034")];
    input.received_by = gss("S12000033");
    let r = Request::receive(input, &world.ctx("2025-03-03")).unwrap();
    let r = walk(
        &world,
        r,
        &[
            Action::Forward {
                on: d("2025-03-03"),
            },
            Action::Acknowledge {
                on: d("2025-03-04"),
                lead: gss("S12000034"),
            },
        ],
    );
    let before = r.clone();
    let err = r
        .apply(
            &Action::ClaimExtension {
                on: d("2025-03-10"),
                until: None,
            },
            &world.ctx("2025-03-10"),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("FOISA has no public-interest extension")
    );
    assert_eq!(r, before);
    assert_eq!(
        r.deadlines(&world.calendar, &world.protocol)
            .unwrap()
            .statutory
            .unwrap()
            .due,
        d("2025-03-31")
    );
}

#[test]
fn actions_round_trip_as_json() {
    let action: Action = serde_json::from_str(
        r#"{"action": "submit_draft", "on": "2025-03-20", "draft": {"discloses_about": ["E09000014"], "sensitive": false}}"#,
    )
    .unwrap();
    assert_eq!(action.on(), d("2025-03-20"));
    let back: Action = serde_json::from_value(serde_json::to_value(&action).unwrap()).unwrap();
    assert_eq!(back, action);
    assert!(
        serde_json::from_str::<Action>(r#"{"action": "close", "on": "2025-03-20", "extra": 1}"#)
            .is_err()
    );
}

#[test]
fn the_requester_can_be_kept_apart_from_the_register() {
    let world = World::new(CalendarScope::UnitedKingdom);
    let mut r = Request::receive(
        new_request(Regime::Foi, "2025-03-03 09:00"),
        &world.ctx("2025-03-03"),
    )
    .unwrap();
    let requester = r.take_requester();
    assert_eq!(requester.name, "Ada Requester");
    assert!(r.requester.is_empty());
    // Stored without the requester, the request's JSON holds no trace of them, and reads back
    // with an empty requester.
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("requester"), "{json}");
    assert!(!json.contains("Ada"), "{json}");
    let back: Request = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
    // A request that still holds its requester keeps it in its JSON.
    r.requester = requester;
    assert!(
        serde_json::to_string(&r)
            .unwrap()
            .contains("ada@example.org")
    );
}

#[test]
fn stages_have_stable_names() {
    for stage in Stage::ALL {
        assert_eq!(Stage::parse("status", stage.slug()), Ok(stage));
        assert_eq!(
            serde_json::to_value(stage).unwrap(),
            serde_json::Value::String(stage.slug().to_owned())
        );
    }
    let open: Vec<Stage> = Stage::open().collect();
    assert_eq!(open.len(), 8);
    assert!(!open.contains(&Stage::ResponseSent) && !open.contains(&Stage::Closed));
    assert!(Stage::parse("status", "finished").is_err());
}

#[test]
fn only_released_foi_and_eir_responses_reach_the_disclosure_log() {
    let world_uk = World::new(CalendarScope::UnitedKingdom);
    let world_ew = World::new(CalendarScope::EnglandAndWales);
    let one_council = Draft {
        discloses_about: vec![haringey()],
        sensitive: false,
    };
    let granted = ResponseInput {
        outcome: Some(Outcome::GrantedInFull),
        parts: vec![],
    };
    let cases = [
        (Regime::Foi, &world_uk, granted.clone(), true),
        (Regime::Eir, &world_uk, granted.clone(), true),
        (Regime::Foi, &world_uk, partial_response(), true),
        (
            Regime::Foi,
            &world_uk,
            ResponseInput {
                outcome: Some(Outcome::NotHeld),
                parts: vec![],
            },
            false,
        ),
        // Subject access releases the requester's own data: never published.
        (Regime::Sar, &world_ew, granted, false),
    ];
    for (regime, world, response, logged) in cases {
        let r = Request::receive(
            new_request(regime, "2025-03-03 09:00"),
            &world.ctx("2025-03-03"),
        )
        .unwrap();
        let r = walk(
            world,
            r,
            &[
                Action::Forward {
                    on: d("2025-03-04"),
                },
                Action::Acknowledge {
                    on: d("2025-03-04"),
                    lead: haringey(),
                },
                Action::StartDrafting {
                    on: d("2025-03-05"),
                },
                Action::SubmitDraft {
                    on: d("2025-03-06"),
                    draft: one_council.clone(),
                },
                Action::SendResponse {
                    on: d("2025-03-07"),
                    response,
                },
            ],
        );
        let entry = r.disclosure_log_entry();
        assert_eq!(entry.is_some(), logged, "{regime:?}");
        if let Some(entry) = entry {
            let json = serde_json::to_string(&entry).unwrap();
            assert!(!json.contains("Ada") && !json.contains("example.org"));
        }
    }
}

#[test]
fn a_holiday_change_moves_the_forwarding_target_of_requests_not_yet_forwarded() {
    let world = World::new(CalendarScope::UnitedKingdom);
    let r = Request::receive(
        new_request(Regime::Foi, "2025-03-03 09:00"),
        &world.ctx("2025-03-03"),
    )
    .unwrap();
    assert_eq!(r.forwarding_due, d("2025-03-05"));
    let mut table = HolidayTable::new();
    table
        .add_proclaimed(accord_domain::working_days::ProclaimedHoliday {
            date: d("2025-03-04"),
            title: "Proclaimed holiday".into(),
            divisions: vec![accord_domain::working_days::Division::Scotland],
            replaces: None,
        })
        .unwrap();
    let calendar = table.calendar(CalendarScope::UnitedKingdom);
    let mut moved = r.clone();
    assert!(moved.refresh_forwarding_due(&calendar, &world.protocol));
    assert_eq!(moved.forwarding_due, d("2025-03-06"));
    assert!(
        !moved
            .clone()
            .refresh_forwarding_due(&calendar, &world.protocol)
    );
    let dates = moved.due_dates(&calendar, &world.protocol).unwrap();
    assert_eq!(dates.statutory, Some(d("2025-04-02")));
    // Once forwarded, the target it was judged against stands.
    let mut forwarded = walk(
        &world,
        r,
        &[Action::Forward {
            on: d("2025-03-04"),
        }],
    );
    assert!(!forwarded.refresh_forwarding_due(&calendar, &world.protocol));
    assert_eq!(forwarded.forwarding_due, d("2025-03-05"));
}
