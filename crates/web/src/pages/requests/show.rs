//! One request: its details, timeline and deadline working, and the forms that move it on,
//! record its internal review and a complaint to the Information Commissioner.

use accord_app::AppError;
use accord_app::requests::{self, PartnershipView, RequestView};
use accord_domain::access::{Action as Access, decide};
use accord_domain::mou::long_date;
use accord_domain::request::outcome::exemption;
use accord_domain::request::{DecisionNotice, ExemptionClass, Regime, ReviewOutcome};
use accord_domain::{GssCode, Invalid};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{Markup, html};

use super::actions::{self, Kind, PART_ROWS, outcome_choices};
use super::register::{channel_label, partnership};
use super::{date_or, deadlines_panel, request_path, stage_tag, timeliness_tag};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    Banner, ButtonKind, Choice, Column, Field, InputWidth, SummaryRow, Table, button, checkboxes,
    date_input, error_summary, form, notification_banner, radios, select, summary_list, table,
    text_input,
};
use crate::error::WebError;
use crate::forms::{DateParts, FormData};
use crate::guard::GuardedRecord;
use crate::layout::Page;
use crate::pages::common::render;

fn base(view: &RequestView) -> String {
    let e = &view.entry;
    request_path(
        e.meta.partnership_id.unwrap_or_default(),
        e.reference(),
        e.record_id,
    )
}

fn may_change(state: &AppState, viewer: &Viewer, view: &RequestView) -> bool {
    decide(
        &viewer.actor,
        Access::Update,
        &view.entry.meta,
        state.today(),
    )
    .is_allowed()
}

/// The request the guard found, by its reference or by an old address's record id, as its
/// page shows it.
async fn load(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    record: &GuardedRecord,
) -> Result<RequestView, WebError> {
    let reference = reference_of(record);
    Ok(requests::request(&state.app, &viewer.caller(), id, &reference).await?)
}

/// The reference of the request the guard found.
pub fn reference_of(record: &GuardedRecord) -> String {
    record.0.reference.clone().unwrap_or_default()
}

fn council_list(names: &PartnershipView, codes: &[GssCode]) -> String {
    codes
        .iter()
        .map(|c| names.name(c))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The timeline's words name councils by code; pages name them.
fn with_names(text: &str, names: &PartnershipView) -> String {
    names
        .names
        .iter()
        .fold(text.to_owned(), |text, (code, authority)| {
            text.replace(code.as_str(), &authority.short_name)
        })
}

fn exemption_cell(regime: Regime, code: &str) -> Markup {
    match exemption("e", regime, code) {
        Ok(e) => html! {
            (e.code) " " (e.title)
            @match e.class {
                ExemptionClass::Absolute => " (absolute)",
                ExemptionClass::Qualified => " (qualified: public-interest test)",
            }
        },
        Err(_) => html! { (code) },
    }
}

/// `GET /partnerships/{id}/requests/{reference}`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
) -> Result<Markup, WebError> {
    let loaded = load(&state, &viewer, id, &record).await?;
    let names = partnership(&state, id).await?;
    let p = &names.partnership;
    let r = &loaded.entry.request;
    let record_id = loaded.entry.record_id;
    let base = base(&loaded);
    let deadlines = &loaded.deadlines;
    let writer = may_change(&state, &viewer, &loaded);
    let offered: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| k.offered(r, viewer.actor.home.as_ref()))
        .collect();
    let received_at = if r.received_at.time() == chrono::NaiveTime::MIN {
        long_date(r.received())
    } else {
        format!(
            "{} at {}",
            long_date(r.received()),
            r.received_at.format("%H:%M")
        )
    };
    let mut details = vec![
        SummaryRow::new("What was asked for", html! { (r.summary) }),
        SummaryRow::new("Law", html! { (r.regime.name()) }),
        SummaryRow::new(
            "Received",
            html! { (received_at) " by " (names.name(&r.received_by)) ", by " (channel_label(r.channel).to_lowercase()) },
        ),
        SummaryRow::new("Stage", stage_tag(r.stage)),
        SummaryRow::new(
            "Lead council",
            html! { @match &r.lead { Some(l) => (names.name(l)), None => span class="govuk-hint" { "Not agreed yet" } } },
        ),
        SummaryRow::new(
            "Forwarded to the single point of contact",
            html! {
                @match r.forwarded_on {
                    Some(on) => { (long_date(on)) }
                    None => { "Not yet" }
                }
                br;
                span class="govuk-hint" { "The protocol’s target: by " (long_date(r.forwarding_due)) " (2 working days)" }
                @for f in &r.flags {
                    @match f {
                        accord_domain::request::WorkflowFlag::ForwardingLate { forwarded, due } => {
                            br; strong class="govuk-tag govuk-tag--red" { "Forwarded late" } " on " (long_date(*forwarded)) ", after " (long_date(*due))
                        }
                    }
                }
            },
        ),
    ];
    details.push(SummaryRow::new(
        "Requester",
        match &loaded.requester {
            Some(person) => html! { (person.name) br; (person.contact) },
            None => {
                html! { span class="govuk-hint" { "Personal data: seen by the information governance leads only" } }
            }
        },
    ));
    let parts = r.response.as_ref().map(|resp| {
        let mut t = Table::new(
            "Parts of the response",
            vec![
                Column::text("Part"),
                Column::text("Outcome"),
                Column::text("Exemptions or exceptions"),
            ],
        );
        for part in &resp.parts {
            t = t.row(vec![
                html! { (part.description) },
                html! { (part.outcome.label()) },
                html! {
                    @if part.exemptions.is_empty() { "None" }
                    ul class="govuk-list" { @for e in &part.exemptions { li { (exemption_cell(r.regime, e)) } } }
                },
            ]);
        }
        t
    });
    let review = loaded.review.as_ref().map(|rv| &rv.review);
    let responded = loaded.responded();
    let review_dates = &loaded.review_dates;
    let eligibility = &loaded.complaint_eligibility;
    let content = html! {
        span class="govuk-caption-l" { (p.name) " – information request" }
        h1 class="govuk-heading-xl" { (r.reference) }
        (summary_list(&details))
        @if writer && !offered.is_empty() {
            h2 class="govuk-heading-m" { "What to do next" }
            ul class="govuk-list" {
                @for k in &offered {
                    li { a class="govuk-link" href={ (base) "/actions/" (k.slug()) } { (k.title()) } }
                }
            }
        }
        @if let Some(draft) = &r.draft {
            h2 class="govuk-heading-l" { "Draft response" }
            (summary_list(&[
                SummaryRow::new("Discloses information about", html! { (council_list(&names, &draft.discloses_about)) }),
                SummaryRow::new("Sign-off", html! {
                    @if draft.discloses_about.len() < 2 { "Not needed: the draft discloses one council’s information" }
                    @else {
                        ul class="govuk-list" {
                            @for s in &r.sign_offs { li { "Signed off for " (names.name(&s.council)) " on " (long_date(s.on)) } }
                            @for c in r.sign_offs_missing() { li { strong { "Awaiting the single point of contact of " (names.name(&c)) } } }
                        }
                    }
                }),
                SummaryRow::new("Communications clearance", html! {
                    @if !draft.sensitive { "Not needed: not marked sensitive" }
                    @else {
                        @match r.comms_cleared_on {
                            Some(on) => { "Marked sensitive; cleared on " (long_date(on)) }
                            None => { strong { "Marked sensitive: the communications teams must clear it before it is sent" } }
                        }
                    }
                }),
            ]))
        }
        @if let Some(resp) = &r.response {
            h2 class="govuk-heading-l" { "Response" }
            (summary_list(&[
                SummaryRow::new(if resp.outcome.ended_unanswered() { "Ended" } else { "Sent" }, html! { (long_date(resp.sent_on)) }),
                SummaryRow::new("Outcome", html! { (resp.outcome.label()) }),
                SummaryRow::new("Timeliness", match resp.timeliness { Some(t) => timeliness_tag(t), None => html! { "Does not apply" } }),
                SummaryRow::new("Disclosure log", html! {
                    @if loaded.in_disclosure_log {
                        a class="govuk-link" href={ "/partnerships/" (id) "/disclosure-log" } { "Published in the disclosure log" }
                    } @else { "Not published" }
                }),
            ]))
            @if let Some(t) = &parts { @if !t.rows.is_empty() { (table(t)) } }
        }
        h2 class="govuk-heading-l" { "Deadlines" }
        p class="govuk-body" { "Counted in working days of " (r.calendar_scope().name()) ", skipping weekends and bank holidays." }
        @match deadlines {
            Ok(d) => (deadlines_panel(d)),
            Err(e) => p class="govuk-body" { "The deadlines cannot be counted: " (e) },
        }
        h2 class="govuk-heading-l" { "Timeline" }
        ol class="govuk-list accord-requests-timeline" {
            @for h in &r.history {
                li { strong { (long_date(h.on)) } ": " (with_names(&h.what, &names)) " " span class="govuk-hint" { "(" (h.stage.label().to_lowercase()) ")" } }
            }
        }
        @if let Ok(d) = deadlines {
            (crate::components::details("The clock’s events", html! {
                ul class="govuk-list" { @for line in &d.timeline { li { (line) } } }
            }))
        }
        @if responded.is_some() {
            h2 class="govuk-heading-l" { "Internal review" }
            @match (review, review_dates) {
                (Some(rv), Some(dates)) => {
                    (summary_list(&[
                        SummaryRow::new("Asked for", html! { (long_date(rv.requested)) @if !dates.accepted { " (after the window of 40 working days, which closed on " (long_date(dates.request_by)) ")" } }),
                        SummaryRow::new("Decision due", html! { (long_date(dates.due)) ", and at the latest " (long_date(dates.at_most)) }),
                        SummaryRow::new("Decided", html! {
                            @match (rv.decided, rv.outcome) {
                                (Some(on), Some(outcome)) => { (long_date(on)) ": " (outcome.label()) }
                                _ => "Not yet",
                            }
                        }),
                    ]))
                }
                _ => p class="govuk-body" { "None asked for." },
            }
            @if writer && review.is_none_or(|rv| rv.decided.is_none()) {
                p class="govuk-body" { a class="govuk-link" href={ (base) "/review" } {
                    @if review.is_some() { "Record the review’s decision" } @else { "Record a request for internal review" }
                } }
            }
            h2 class="govuk-heading-l" { "Complaint to the Information Commissioner" }
            @match loaded.complaint.as_ref().map(|c| &c.complaint) {
                Some(c) => {
                    (summary_list(&[
                        SummaryRow::new("Notified", html! { (long_date(c.lodged)) }),
                        SummaryRow::new("Commissioner’s reference", html! { (c.reference) }),
                        SummaryRow::new("Decision notice", html! {
                            @match &c.decision_notice {
                                Some(n) => {
                                    "Issued " (long_date(n.issued))
                                    @if let Ok(dates) = n.dates() {
                                        br; "Appeal to the First-tier Tribunal by " (long_date(dates.appeal_by))
                                        @if let Some(steps) = dates.steps_by { br; "Steps to be taken by " (long_date(steps)) }
                                    }
                                }
                                None => "Not yet",
                            }
                        }),
                    ]))
                }
                None => {
                    p class="govuk-body" { "None recorded." }
                    @if let Some(e) = eligibility {
                        p class="govuk-body" { @if e.allowed { "The Commissioner would normally accept a complaint now: " } @else { "The Commissioner would not normally accept a complaint yet: " } (e.reason) "." }
                    }
                }
            }
            @if writer && loaded.complaint.as_ref().is_none_or(|c| c.complaint.decision_notice.is_none()) {
                p class="govuk-body" { a class="govuk-link" href={ (base) "/complaint" } {
                    @if loaded.complaint.is_some() { "Record the decision notice" } @else { "Record a complaint to the Information Commissioner" }
                } }
            }
        }
        p class="govuk-body" { a class="govuk-link" href={ "/partnerships/" (id) "/records/" (record_id) "/history" } { "See the history of changes to this request" } }
    };
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("{} – information request", r.reference))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}"))
            .breadcrumb(
                "Information requests",
                format!("/partnerships/{id}/requests"),
            ),
        content,
    ))
}

fn kind_of(slug: &str) -> Result<Kind, WebError> {
    Kind::from_slug(slug).ok_or(WebError::NotFound)
}

/// The version a form was filled from, if it says.
fn form_version(form_data: &FormData) -> Result<Option<i64>, Invalid> {
    match form_data.get("version").trim() {
        "" => Ok(None),
        text => text.parse::<i64>().map(Some).map_err(|_| {
            Invalid::field(
                "version",
                "The form is damaged: reload the page and try again",
            )
        }),
    }
}

/// What a refused change shows: the fields at fault with 422, or (for a change made from a
/// version someone has since replaced) the form as it is now with 409 and an error summary on
/// the version. Anything else is an error page.
fn refusal(
    error: AppError,
    on_form: impl Fn(Invalid) -> Invalid,
) -> Result<(StatusCode, Invalid), WebError> {
    match error {
        AppError::Invalid(e) => Ok((StatusCode::UNPROCESSABLE_ENTITY, on_form(e))),
        AppError::Conflict(message) => {
            Ok((StatusCode::CONFLICT, Invalid::field("version", message)))
        }
        other => Err(other.into()),
    }
}

fn action_page(
    state: &AppState,
    viewer: &Viewer,
    names: &PartnershipView,
    loaded: &RequestView,
    kind: Kind,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let r = &loaded.entry.request;
    let back = base(loaded);
    let version = loaded.entry.version.to_string();
    let on = if form_data.date("on").is_empty() && errors.is_empty() {
        DateParts::from_date(state.today())
    } else {
        form_data.date("on")
    };
    let council_choices: Vec<(String, String)> = r
        .councils
        .iter()
        .map(|c| (c.to_string(), names.name(c)))
        .collect();
    let choices: Vec<Choice> = council_choices
        .iter()
        .map(|(v, t)| Choice::new(v, t))
        .collect();
    let outcomes = outcome_choices();
    let outcome_radios: Vec<Choice> = outcomes.iter().map(|(v, t)| Choice::new(v, t)).collect();
    let mut part_outcomes = vec![Choice::new("", "Choose")];
    part_outcomes.extend(outcomes.iter().map(|(v, t)| Choice::new(v, t)));
    let disclosed = form_data.all("discloses_about");
    let blocked = match kind {
        Kind::SignOff if viewer.actor.home.is_none() => {
            Some("Your account names no council, so you cannot sign off for one.")
        }
        _ => None,
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (r.reference) ": " (r.summary) }
        h1 class="govuk-heading-xl" { (kind.title()) }
        @if let Some(why) = blocked { p class="govuk-body" { (why) } }
        (form(&format!("{back}/actions/{}", kind.slug()), &viewer.csrf, html! {
            input type="hidden" name="version" value=(version);
            @match kind {
                Kind::Acknowledge => {
                    (radios(&Field::new("lead", "Which council leads on the request?").hint("Agreed between the single points of contact (Schedule 4, 5(c))").value(form_data.get("lead")).errors(errors), &choices))
                }
                Kind::SignOff => {
                    @if let Some(home) = &viewer.actor.home {
                        p class="govuk-body" { "You sign off the draft for " strong { (names.name(home)) } ", as its single point of contact (Schedule 4, 5(e))." }
                    }
                }
                Kind::SubmitDraft => {
                    (checkboxes(&Field::new("discloses_about", "Whose information does the draft disclose?").hint("Held by or about each council. When it is more than one, both single points of contact must sign it off").errors(errors), &choices, &disclosed))
                    (radios(&Field::new("sensitive", "Has a single point of contact marked it sensitive?").hint("A sensitive draft goes to the councils’ communications teams before it is sent (Schedule 4, 5(i))").value(form_data.get("sensitive")).errors(errors), &[Choice::new("yes", "Yes"), Choice::new("no", "No")]))
                }
                Kind::ClaimExtension => {
                    p class="govuk-body" { @match r.regime {
                        Regime::Foi => "A public-interest extension (FOIA s10(3)): the notice must be given by the statutory due date.",
                        Regime::Eir => "The request is complex and voluminous (EIR reg 7): the limit becomes 40 working days; the notice must be given within the first 20.",
                        Regime::Sar => "The request is complex or numerous (UK GDPR Art 12(3)): up to two further months; the notice must be given within the first month.",
                        Regime::Foisa => "FOISA has no extension.",
                    } }
                    @if r.regime == Regime::Foi {
                        (date_input(&Field::new("until", "Date promised in the notice (optional)").hint("Leave blank to run to day 40, the most the Information Commissioner regards as reasonable").errors(errors), &form_data.date("until")))
                    }
                }
                Kind::SendResponse => {
                    (radios(&Field::new("outcome", "Outcome").value(form_data.get("outcome")).errors(errors), &outcome_radios))
                    h2 class="govuk-heading-m" { "Parts of the request" }
                    p class="govuk-body" { "Withheld information must cite an exemption (FOIA s21–s44) or exception (EIR reg 12(4) or 12(5)); separate several with commas." }
                    @for i in 0..PART_ROWS {
                        @let prefix = format!("parts[{i}]");
                        @let description = format!("{prefix}.description");
                        @let outcome = format!("{prefix}.outcome");
                        @let exemptions = format!("{prefix}.exemptions");
                        @let legend = format!("Part {} (optional)", i + 1);
                        fieldset class="govuk-fieldset" {
                            legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { (legend) }
                            (text_input(&Field::new(&description, "What was asked for in this part").value(form_data.get(&description)).errors(errors)))
                            (select(&Field::new(&outcome, "Its outcome").value(form_data.get(&outcome)).errors(errors), &part_outcomes))
                            (text_input(&Field::new(&exemptions, "Exemptions or exceptions").hint("For example s43, or reg 12(5)(e)").width(InputWidth::Chars20).value(form_data.get(&exemptions)).errors(errors)))
                        }
                    }
                }
                _ => {}
            }
            (date_input(&Field::new("on", kind.date_label()).errors(errors), &on))
            (button(kind.title(), ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        Page::new(kind.title()).with_errors(errors).back_link(back),
        content,
    )
}

/// `GET /partnerships/{id}/requests/{reference}/actions/{action}`.
pub async fn action_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _, slug)): Path<(i64, String, String)>,
    record: GuardedRecord,
) -> Result<Markup, WebError> {
    let kind = kind_of(&slug)?;
    let loaded = load(&state, &viewer, id, &record).await?;
    let names = partnership(&state, id).await?;
    Ok(action_page(
        &state,
        &viewer,
        &names,
        &loaded,
        kind,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// The domain's refusal, with each field named as the form names it.
fn on_form(invalid: Invalid) -> Invalid {
    let mut out = Invalid::new();
    for e in invalid.errors {
        out.push(actions::form_field(&e.field), e.message);
    }
    out
}

/// `POST /partnerships/{id}/requests/{reference}/actions/{action}`.
pub async fn action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _, slug)): Path<(i64, String, String)>,
    record: GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let kind = kind_of(&slug)?;
    let reference = reference_of(&record);
    let parsed = form_version(&form_data).and_then(|version| {
        actions::from_form(kind, &form_data, viewer.actor.home.as_ref()).map(|a| (version, a))
    });
    let result = match parsed {
        Ok((version, action)) => {
            requests::apply(
                &state.app,
                &viewer.caller(),
                id,
                &reference,
                version,
                &action,
            )
            .await
        }
        Err(e) => Err(AppError::Invalid(e)),
    };
    let (status, errors) = match result {
        Ok(entry) => {
            return Ok(
                Redirect::to(&request_path(id, entry.reference(), entry.record_id)).into_response(),
            );
        }
        Err(e) => refusal(e, on_form)?,
    };
    let loaded = load(&state, &viewer, id, &record).await?;
    let names = partnership(&state, id).await?;
    // A conflict shows the request as it is now; a refused form keeps what was typed.
    let shown = if status == StatusCode::CONFLICT {
        FormData::default()
    } else {
        form_data
    };
    let markup = action_page(&state, &viewer, &names, &loaded, kind, &shown, &errors);
    Ok((status, markup).into_response())
}

fn review_choices() -> Vec<Choice<'static>> {
    ReviewOutcome::ALL
        .iter()
        .map(|o| Choice::new(o.slug(), o.label()))
        .collect()
}

fn review_page(
    state: &AppState,
    viewer: &Viewer,
    loaded: &RequestView,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let r = &loaded.entry.request;
    let back = base(loaded);
    let pending = loaded.review.as_ref().map(|rv| rv.review);
    let version = loaded
        .review
        .as_ref()
        .map(|rv| rv.version.to_string())
        .unwrap_or_default();
    let title = match pending {
        Some(rv) if rv.decided.is_some() => "The internal review is decided",
        Some(_) => "Record the review’s decision",
        None => "Record a request for internal review",
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (r.reference) ": " (r.summary) }
        h1 class="govuk-heading-xl" { (title) }
        @match pending {
            Some(rv) if rv.decided.is_some() => {
                p class="govuk-body" { "It was decided on " (date_or(rv.decided, "")) "." }
            }
            Some(_) => {
                (form(&format!("{back}/review"), &viewer.csrf, html! {
                    input type="hidden" name="version" value=(version);
                    (radios(&Field::new("outcome", "Outcome of the review").value(form_data.get("outcome")).errors(errors), &review_choices()))
                    (date_input(&Field::new("decided", "Date decided").errors(errors), &form_data.date("decided")))
                    (button("Record the decision", ButtonKind::Primary))
                }))
            }
            None => {
                p class="govuk-body" { "A review asked for within 40 working days of the response must be accepted; it is due in 20 working days, and takes 40 at most." }
                (form(&format!("{back}/review"), &viewer.csrf, html! {
                    (date_input(&Field::new("requested", "Date the requester asked for it").errors(errors), &form_data.date("requested")))
                    (button("Record the request for review", ButtonKind::Primary))
                }))
            }
        }
    };
    render(
        state,
        viewer,
        Page::new(title).with_errors(errors).back_link(back),
        content,
    )
}

/// `GET /partnerships/{id}/requests/{reference}/review`.
pub async fn review_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
) -> Result<Markup, WebError> {
    let loaded = load(&state, &viewer, id, &record).await?;
    Ok(review_page(
        &state,
        &viewer,
        &loaded,
        &FormData::default(),
        &Invalid::new(),
    ))
}

fn date_field(form: &FormData, field: &str, label: &str) -> Result<NaiveDate, Invalid> {
    form.date(field).parse(field, label)
}

/// `POST /partnerships/{id}/requests/{reference}/review`.
pub async fn review(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let loaded = load(&state, &viewer, id, &record).await?;
    let reference = loaded.entry.reference().to_owned();
    let caller = viewer.caller();
    let result = if loaded.review.is_some() {
        let mut invalid = Invalid::new();
        let version = invalid.check(form_version(&form_data)).flatten();
        let outcome = match form_data.get("outcome") {
            "" => {
                invalid.push("outcome", "Choose the outcome of the review");
                None
            }
            text => invalid.check(ReviewOutcome::parse("outcome", text)),
        };
        let decided = invalid.check(date_field(&form_data, "decided", "the date decided"));
        match (outcome, decided, invalid.is_empty()) {
            (Some(outcome), Some(decided), true) => requests::decide_review(
                &state.app, &caller, id, &reference, version, decided, outcome,
            )
            .await
            .map(|_| ()),
            _ => Err(AppError::Invalid(invalid)),
        }
    } else {
        match date_field(
            &form_data,
            "requested",
            "the date the requester asked for it",
        ) {
            Ok(requested) => {
                requests::ask_for_review(&state.app, &caller, id, &reference, requested)
                    .await
                    .map(|_| ())
            }
            Err(e) => Err(AppError::Invalid(e)),
        }
    };
    let (status, errors) = match result {
        Ok(()) => return Ok(Redirect::to(&base(&loaded)).into_response()),
        Err(e) => refusal(e, |e| e)?,
    };
    let loaded = load(&state, &viewer, id, &record).await?;
    let shown = if status == StatusCode::CONFLICT {
        FormData::default()
    } else {
        form_data
    };
    Ok((
        status,
        review_page(&state, &viewer, &loaded, &shown, &errors),
    )
        .into_response())
}

fn complaint_page(
    state: &AppState,
    viewer: &Viewer,
    loaded: &RequestView,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let r = &loaded.entry.request;
    let back = base(loaded);
    let complaint = loaded.complaint.as_ref().map(|c| &c.complaint);
    let version = loaded
        .complaint
        .as_ref()
        .map(|c| c.version.to_string())
        .unwrap_or_default();
    let title = match complaint {
        Some(c) if c.decision_notice.is_some() => "The decision notice is recorded",
        Some(_) => "Record the decision notice",
        None => "Record a complaint to the Information Commissioner",
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (r.reference) ": " (r.summary) }
        h1 class="govuk-heading-xl" { (title) }
        @match complaint {
            Some(c) if c.decision_notice.is_some() => {
                (notification_banner(Banner::Important, "Nothing more to record", html! {
                    p class="govuk-body" { "The Commissioner’s decision notice on " (c.reference) " is recorded." }
                }))
            }
            Some(_) => {
                (form(&format!("{back}/complaint"), &viewer.csrf, html! {
                    input type="hidden" name="version" value=(version);
                    (date_input(&Field::new("issued", "Date of the decision notice").errors(errors), &form_data.date("issued")))
                    (text_input(&Field::new("steps_within_days", "Days it gives to take its steps (optional)").hint("Usually 35 calendar days; leave blank when it orders no steps").width(InputWidth::Chars3).numeric().value(form_data.get("steps_within_days")).errors(errors)))
                    (button("Record the decision notice", ButtonKind::Primary))
                }))
            }
            None => {
                (form(&format!("{back}/complaint"), &viewer.csrf, html! {
                    (date_input(&Field::new("lodged", "Date the Commissioner told the council").errors(errors), &form_data.date("lodged")))
                    (text_input(&Field::new("reference", "The Commissioner’s case reference").width(InputWidth::Chars20).value(form_data.get("reference")).errors(errors)))
                    (button("Record the complaint", ButtonKind::Primary))
                }))
            }
        }
    };
    render(
        state,
        viewer,
        Page::new(title).with_errors(errors).back_link(back),
        content,
    )
}

/// `GET /partnerships/{id}/requests/{reference}/complaint`.
pub async fn complaint_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
) -> Result<Markup, WebError> {
    let loaded = load(&state, &viewer, id, &record).await?;
    Ok(complaint_page(
        &state,
        &viewer,
        &loaded,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// Reads the days a decision notice gives, blank for none.
pub fn parse_days(field: &str, text: &str) -> Result<Option<u32>, Invalid> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=366).contains(d))
            .map(Some)
            .ok_or_else(|| Invalid::field(field, "Enter a number of days from 1 to 366")),
    }
}

/// `POST /partnerships/{id}/requests/{reference}/complaint`.
pub async fn complaint(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let loaded = load(&state, &viewer, id, &record).await?;
    let reference = loaded.entry.reference().to_owned();
    let caller = viewer.caller();
    let result = if loaded.complaint.is_some() {
        let mut invalid = Invalid::new();
        let version = invalid.check(form_version(&form_data)).flatten();
        let issued = invalid.check(date_field(
            &form_data,
            "issued",
            "the date of the decision notice",
        ));
        let days = invalid.check(parse_days(
            "steps_within_days",
            form_data.get("steps_within_days"),
        ));
        match (issued, days, invalid.is_empty()) {
            (Some(issued), Some(steps_within_days), true) => requests::record_decision_notice(
                &state.app,
                &caller,
                id,
                &reference,
                version,
                DecisionNotice {
                    issued,
                    steps_within_days,
                },
            )
            .await
            .map(|_| ()),
            _ => Err(AppError::Invalid(invalid)),
        }
    } else {
        match date_field(
            &form_data,
            "lodged",
            "the date the Commissioner told the council",
        ) {
            Ok(lodged) => requests::lodge_complaint(
                &state.app,
                &caller,
                id,
                &reference,
                lodged,
                form_data.get("reference"),
            )
            .await
            .map(|_| ()),
            Err(e) => Err(AppError::Invalid(e)),
        }
    };
    let (status, errors) = match result {
        Ok(()) => return Ok(Redirect::to(&base(&loaded)).into_response()),
        Err(e) => refusal(e, |e| e)?,
    };
    let loaded = load(&state, &viewer, id, &record).await?;
    let shown = if status == StatusCode::CONFLICT {
        FormData::default()
    } else {
        form_data
    };
    Ok((
        status,
        complaint_page(&state, &viewer, &loaded, &shown, &errors),
    )
        .into_response())
}
