//! The register: every request of a partnership the reader may see, one page at a time, and
//! the form that logs a new one.

use accord_app::AppError;
use accord_app::list::ListRequest;
use accord_app::requests::{self, LogRequest, PartnershipView, RequestFilter};
use accord_domain::access::Area;
use accord_domain::mou::long_date;
use accord_domain::request::{Channel, Regime, Requester, Stage};
use accord_domain::{GssCode, Invalid};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDateTime, NaiveTime};
use maud::{Markup, html};
use serde::Deserialize;

use super::{date_or, request_path, stage_tag};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Choice, Column, Field, InputWidth, Table, TagColour, button, button_link,
    date_input, error_summary, form, pagination, radios, select, table, tag, text_input, textarea,
};
use crate::error::WebError;
use crate::forms::{FormData, refused};
use crate::layout::Page;
use crate::pages::common::{may, render};

/// Requests on one page of the register.
pub const PAGE_SIZE: u32 = 50;

/// The channels a request can arrive by, with their words.
pub const CHANNELS: [(Channel, &str, &str); 6] = [
    (Channel::Email, "email", "Email"),
    (Channel::WebForm, "web_form", "Web form"),
    (Channel::Post, "post", "Post"),
    (Channel::SocialMedia, "social_media", "Social media"),
    (Channel::InPerson, "in_person", "In person"),
    (Channel::Phone, "phone", "Telephone"),
];

/// A channel in words.
pub fn channel_label(channel: Channel) -> &'static str {
    CHANNELS
        .iter()
        .find(|(c, _, _)| *c == channel)
        .map_or("", |(_, _, label)| label)
}

/// The partnership a register belongs to, with its councils' names.
pub async fn partnership(state: &AppState, id: i64) -> Result<PartnershipView, WebError> {
    Ok(requests::partnership(&state.app, id).await?)
}

/// The register's query: a stage to show, and the page.
#[derive(Debug, Default, Deserialize)]
pub struct RegisterQuery {
    #[serde(default)]
    stage: String,
    #[serde(default)]
    page: Option<u32>,
}

/// `GET /partnerships/{id}/requests`: the register, one page of it, read and counted by the
/// database.
pub async fn index(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, WebError> {
    let view = partnership(&state, id).await?;
    let p = &view.partnership;
    let today = state.today();
    let mut errors = Invalid::new();
    let stages = errors
        .check(requests::parse_stages("stage", &q.stage))
        .unwrap_or_default();
    let filter = RequestFilter {
        stages,
        ..RequestFilter::default()
    };
    let caller = viewer.caller();
    let wanted = q.page.unwrap_or(1).max(1);
    let mut listed = requests::register(
        &state.app,
        &caller,
        id,
        &filter,
        &ListRequest::page(wanted, PAGE_SIZE),
    )
    .await?;
    let pages = listed.pages(PAGE_SIZE);
    if wanted > pages {
        // A page beyond the end (the register shrank, or a hand-made address) shows the last.
        listed = requests::register(
            &state.app,
            &caller,
            id,
            &filter,
            &ListRequest::page(pages, PAGE_SIZE),
        )
        .await?;
    }
    let current = wanted.min(pages);
    let total = listed.total;
    let mut listing = Table::new(
        format!("Requests ({total})"),
        vec![
            Column::text("Reference"),
            Column::text("Received"),
            Column::text("Law"),
            Column::text("Stage"),
            Column::text("Lead council"),
            Column::text("Response due"),
        ],
    );
    for r in &listed.items {
        let lead = r.lead.as_ref().unwrap_or(&r.received_by);
        listing = listing.row(vec![
            html! { a class="govuk-link" href=(request_path(id, &r.reference, r.record_id)) { (r.reference) } br; span class="govuk-body-s" { (r.summary) } },
            html! { (long_date(r.received_on)) },
            html! { (r.regime.slug().to_uppercase()) },
            stage_tag(r.stage),
            html! { (view.name(lead)) @if r.lead.is_none() { " (received; no lead yet)" } },
            html! {
                (date_or(r.answer_by, "clock stopped"))
                @if r.stage.is_open() && r.answer_by.is_some_and(|d| d < today) { " " (tag("Overdue", TagColour::Red)) }
            },
        ]);
    }
    let mut stage_choices = vec![
        Choice::new("", "All stages"),
        Choice::new("open", "Open requests"),
    ];
    stage_choices.extend(Stage::ALL.iter().map(|s| Choice::new(s.slug(), s.label())));
    let writer = may(&viewer, Area::Information, id, today);
    let stage_param = crate::guard::urlencode(&q.stage);
    let markup = render(
        &state,
        &viewer,
        Page::new(format!("Information requests – {}", p.name))
            .with_errors(&errors)
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}")),
        html! {
            (error_summary(&errors))
            span class="govuk-caption-l" { (p.name) }
            h1 class="govuk-heading-xl" { "Information requests" }
            p class="govuk-body" {
                "The central record of every request under the Freedom of Information Act, the Environmental "
                "Information Regulations and data protection law about the partnership, and every response "
                "(MOU Schedule 4, 5(f)). Requesters’ details are seen by the information governance leads only."
            }
            ul class="govuk-list" {
                @if writer {
                    li { a class="govuk-link" href={ "/partnerships/" (id) "/requests/caseload" } { "Your caseload" } }
                }
                li { a class="govuk-link" href={ "/partnerships/" (id) "/requests/statistics" } { "Statistics per council and quarter" } }
                li { a class="govuk-link" href={ "/partnerships/" (id) "/disclosure-log" } { "Disclosure log (public)" } }
                li { a class="govuk-link" href="/deadline-calculator" { "Deadline calculator" } }
            }
            @if writer {
                (button_link("Log a new request", &format!("/partnerships/{id}/requests/new"), ButtonKind::Primary))
            }
            form method="get" action={ "/partnerships/" (id) "/requests" } novalidate {
                (select(&Field::new("stage", "Show").value(&q.stage).errors(&errors), &stage_choices))
                (button("Show requests", ButtonKind::Secondary))
            }
            @if listed.items.is_empty() {
                p class="govuk-body" {
                    @if viewer.is_signed_in() { "There are no requests to show." }
                    @else { "Sign in to see the partnership’s requests." }
                }
            } @else {
                (table(&listing))
            }
            (pagination(current, pages, |n| format!("/partnerships/{id}/requests?stage={stage_param}&page={n}")))
        },
    );
    if errors.is_empty() {
        Ok(markup.into_response())
    } else {
        Ok(refused(markup))
    }
}

fn regime_choices() -> Vec<Choice<'static>> {
    vec![
        Choice::new("foi", "Freedom of Information Act 2000"),
        Choice::new("eir", "Environmental Information Regulations 2004"),
        Choice::new("foisa", "Freedom of Information (Scotland) Act 2002")
            .hint("Only for a Scottish council"),
        Choice::new("sar", "Subject access (UK GDPR Article 15)")
            .hint("The requester’s own personal data: never published"),
    ]
}

fn new_page(
    state: &AppState,
    viewer: &Viewer,
    view: &PartnershipView,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let p = &view.partnership;
    let council_choices: Vec<(String, String)> = view
        .members()
        .iter()
        .map(|c| (c.to_string(), view.name(c)))
        .collect();
    let received_by: Vec<Choice> = council_choices
        .iter()
        .map(|(v, t)| Choice::new(v, t))
        .collect();
    let mut channels = vec![Choice::new("", "Choose how it arrived")];
    channels.extend(CHANNELS.iter().map(|(_, v, t)| Choice::new(v, t)));
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { "Log a new request" }
        p class="govuk-body" { "Log it on the day it arrives: it must reach the single point of contact within 2 working days (Schedule 4, 5(b))." }
        (form(&format!("/partnerships/{}/requests", p.id), &viewer.csrf, html! {
            (radios(&Field::new("received_by", "Which council received it?").value(form_data.get("received_by")).errors(errors), &received_by))
            (date_input(&Field::new("received", "Date received").hint("For example, 3 3 2025").errors(errors), &form_data.date("received")))
            (text_input(&Field::new("received_time", "Time received (optional)").hint("24-hour clock, for example 16:45").width(InputWidth::Chars5).value(form_data.get("received_time")).errors(errors)))
            (select(&Field::new("channel", "How it arrived").value(form_data.get("channel")).errors(errors), &channels))
            (radios(&Field::new("regime", "The law it falls under").value(form_data.get("regime")).errors(errors), &regime_choices()))
            (textarea(&Field::new("summary", "What was asked for").hint("In a sentence, with no personal data: this is seen by everyone with a role in the partnership and, once released, published").value(form_data.get("summary")).errors(errors).rows(3)))
            fieldset class="govuk-fieldset" {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "The requester" }
                div class="govuk-inset-text" { "Personal data: only the information governance leads see it, and it is never published." }
                (text_input(&Field::new("requester.name", "Name").value(form_data.get("requester.name")).errors(errors).autocomplete("off")))
                (text_input(&Field::new("requester.contact", "Email or postal address to reply to").value(form_data.get("requester.contact")).errors(errors).autocomplete("off")))
            }
            (text_input(&Field::new("reference", "Reference (optional)").hint("Leave blank for the next number, such as FOI-2025-0007").width(InputWidth::Chars20).value(form_data.get("reference")).errors(errors)))
            (button("Log the request", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        Page::new("Log a new request")
            .with_errors(errors)
            .back_link(format!("/partnerships/{}/requests", p.id)),
        content,
    )
}

/// `GET /partnerships/{id}/requests/new`.
pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let view = partnership(&state, id).await?;
    Ok(new_page(
        &state,
        &viewer,
        &view,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// Reads the time a request arrived, "16:45"; blank is midnight.
pub fn parse_time(field: &str, text: &str) -> Result<NaiveTime, Invalid> {
    if text.trim().is_empty() {
        return Ok(NaiveTime::MIN);
    }
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| Invalid::field(field, "Enter the time as hours and minutes, like 16:45"))
}

/// Parses a channel's name.
pub fn parse_channel(field: &str, text: &str) -> Result<Channel, Invalid> {
    CHANNELS
        .iter()
        .find(|(_, v, _)| *v == text.trim())
        .map(|(c, _, _)| *c)
        .ok_or_else(|| Invalid::field(field, "Choose how the request arrived"))
}

/// `POST /partnerships/{id}/requests`.
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    form_data: FormData,
) -> Result<Response, WebError> {
    let view = partnership(&state, id).await?;
    let mut invalid = Invalid::new();
    let received_by = match form_data.get("received_by") {
        "" => {
            invalid.push("received_by", "Choose the council that received it");
            None
        }
        text => invalid.check(GssCode::parse("received_by", text)),
    };
    let date = invalid.check(
        form_data
            .date("received")
            .parse("received", "the date received"),
    );
    let time = invalid.check(parse_time("received_time", form_data.get("received_time")));
    let channel = invalid.check(parse_channel("channel", form_data.get("channel")));
    let regime = match form_data.get("regime") {
        "" => {
            invalid.push("regime", "Choose the law the request falls under");
            None
        }
        text => invalid.check(Regime::parse("regime", text)),
    };
    let (Some(received_by), Some(date), Some(time), Some(channel), Some(regime)) =
        (received_by, date, time, channel, regime)
    else {
        return Ok(refused(new_page(
            &state, &viewer, &view, &form_data, &invalid,
        )));
    };
    let command = LogRequest {
        reference: Some(form_data.get("reference").trim().to_owned()).filter(|r| !r.is_empty()),
        received_by,
        channel,
        received_at: NaiveDateTime::new(date, time),
        requester: Requester {
            name: form_data.get("requester.name").trim().to_owned(),
            contact: form_data.get("requester.contact").trim().to_owned(),
        },
        summary: form_data.get("summary").trim().to_owned(),
        regime,
    };
    match requests::log_request(&state.app, &viewer.caller(), id, command).await {
        Ok(entry) => {
            Ok(Redirect::to(&request_path(id, entry.reference(), entry.record_id)).into_response())
        }
        Err(AppError::Invalid(e)) => Ok(refused(new_page(
            &state,
            &viewer,
            &view,
            &form_data,
            &rename(e),
        ))),
        Err(e) => Err(e.into()),
    }
}

/// The domain names `received_at`; the form has the date `received`.
pub fn rename(mut invalid: Invalid) -> Invalid {
    for e in &mut invalid.errors {
        if e.field == "received_at" {
            e.field = "received".to_owned();
        }
        if e.field == "councils" {
            e.field = "received_by".to_owned();
        }
    }
    invalid
}
