//! The register: every request of a partnership the reader may see, and the form that logs a
//! new one.

use accord_domain::access::Area;
use accord_domain::mou::long_date;
use accord_domain::request::{Channel, NewRequest, Regime, Requester, Stage};
use accord_domain::{GssCode, Invalid, Partnership};
use accord_store::requests::{REQUEST_KIND, decode_request};
use accord_store::{RecordOrder, RecordQuery};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDateTime, NaiveTime};
use maud::{Markup, html};
use serde::Deserialize;

use super::{date_or, ops, stage_tag};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Choice, Column, Field, InputWidth, Table, TagColour, button, button_link,
    date_input, error_summary, form, pagination, radios, select, table, tag, text_input, textarea,
};
use crate::error::WebError;
use crate::forms::{FormData, refused};
use crate::layout::Page;
use crate::pages::common::{council_name, councils, may, member_codes, render};

const PAGE_SIZE: i64 = 50;

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

pub async fn partnership(state: &AppState, id: i64) -> Result<Partnership, WebError> {
    state.store.partnership(id).await?.ok_or(WebError::NotFound)
}

/// The register's query: a stage to show, and the page.
#[derive(Debug, Default, Deserialize)]
pub struct RegisterQuery {
    #[serde(default)]
    stage: String,
    #[serde(default)]
    page: Option<u32>,
}

/// `GET /partnerships/{id}/requests`: the register.
pub async fn index(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<RegisterQuery>,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let today = state.today();
    let names = councils(&state, &member_codes(&p)).await?;
    let mut errors = Invalid::new();
    let statuses = match q.stage.as_str() {
        "" | "all" => Vec::new(),
        "open" => accord_store::requests::open_statuses(),
        text => errors
            .check(Stage::parse("stage", text))
            .map(|s| vec![s.slug().to_owned()])
            .unwrap_or_default(),
    };
    let page = q.page.unwrap_or(1).max(1);
    let query = RecordQuery {
        statuses,
        order: RecordOrder::KeyDate,
        limit: PAGE_SIZE,
        offset: i64::from(page - 1) * PAGE_SIZE,
        ..RecordQuery::of(REQUEST_KIND, id)
    };
    let scope = viewer.scope();
    let total = state.store.count_records(&query, &scope, today).await?;
    let records = state.store.records(&query, &scope, today).await?;
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
    for record in &records {
        let r = decode_request(record)?;
        let lead = r.lead.as_ref().unwrap_or(&r.received_by);
        listing = listing.row(vec![
            html! { a class="govuk-link" href={ "/partnerships/" (id) "/requests/" (record.id) } { (r.reference) } br; span class="govuk-body-s" { (r.summary) } },
            html! { (long_date(r.received())) },
            html! { (r.regime.slug().to_uppercase()) },
            stage_tag(r.stage),
            html! { (council_name(&names, lead)) @if r.lead.is_none() { " (received; no lead yet)" } },
            html! {
                (date_or(record.key_date, "clock stopped"))
                @if r.is_open() && record.key_date.is_some_and(|d| d < today) { " " (tag("Overdue", TagColour::Red)) }
            },
        ]);
    }
    let mut stages = vec![
        Choice::new("", "All stages"),
        Choice::new("open", "Open requests"),
    ];
    stages.extend(Stage::ALL.iter().map(|s| Choice::new(s.slug(), s.label())));
    let pages = u32::try_from((total + PAGE_SIZE - 1) / PAGE_SIZE).unwrap_or(1);
    let writer = may(&viewer, Area::Information, id, today);
    let stage_param = crate::guard::urlencode(&q.stage);
    Ok(render(
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
                (select(&Field::new("stage", "Show").value(&q.stage).errors(&errors), &stages))
                (button("Show requests", ButtonKind::Secondary))
            }
            @if records.is_empty() {
                p class="govuk-body" {
                    @if viewer.is_signed_in() { "There are no requests to show." }
                    @else { "Sign in to see the partnership’s requests." }
                }
            } @else {
                (table(&listing))
            }
            (pagination(page, pages.max(1), |n| format!("/partnerships/{id}/requests?stage={stage_param}&page={n}")))
        },
    ))
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

async fn new_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    form_data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let names = councils(state, &member_codes(p)).await?;
    let council_choices: Vec<(String, String)> = p
        .members
        .iter()
        .map(|m| (m.authority.to_string(), council_name(&names, &m.authority)))
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
    Ok(render(
        state,
        viewer,
        Page::new("Log a new request")
            .with_errors(errors)
            .back_link(format!("/partnerships/{}/requests", p.id)),
        content,
    ))
}

/// `GET /partnerships/{id}/requests/new`.
pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    new_page(&state, &viewer, &p, &FormData::default(), &Invalid::new()).await
}

/// The next reference in the register for a regime and year: "FOI-2025-0007".
pub async fn next_reference(
    state: &AppState,
    viewer: &Viewer,
    partnership_id: i64,
    regime: Regime,
    year: i32,
) -> Result<String, WebError> {
    let count = state
        .store
        .count_records(
            &RecordQuery::of(REQUEST_KIND, partnership_id),
            &viewer.scope(),
            state.today(),
        )
        .await?;
    Ok(format!(
        "{}-{year}-{:04}",
        regime.slug().to_uppercase(),
        count + 1
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
    let p = partnership(&state, id).await?;
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
        return Ok(refused(
            new_page(&state, &viewer, &p, &form_data, &invalid).await?,
        ));
    };
    let reference = match form_data.get("reference").trim() {
        "" => next_reference(&state, &viewer, id, regime, chrono::Datelike::year(&date)).await?,
        text => text.to_owned(),
    };
    let input = NewRequest {
        reference,
        councils: ops::councils_on(&p, date),
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
    match ops::create(&state, &viewer, &p, input).await {
        Ok(record_id) => {
            Ok(Redirect::to(&format!("/partnerships/{id}/requests/{record_id}")).into_response())
        }
        Err(WebError::Unprocessable(e)) => {
            let e = rename(e);
            Ok(refused(
                new_page(&state, &viewer, &p, &form_data, &e).await?,
            ))
        }
        Err(e) => Err(e),
    }
}

/// The domain names `received_at`; the form has the date `received`.
fn rename(mut invalid: Invalid) -> Invalid {
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
