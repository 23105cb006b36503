//! A single point of contact's caseload: what needs them today. Overdue and due soon, not
//! forwarded in time, awaiting their sign-off, awaiting the other council, awaiting the
//! communications teams. The database counts and lists each section
//! (`accord_app::requests::caseload`); this page shows them.

use accord_app::requests::{self, CaseloadSection, DaysLeft, PartnershipView};
use accord_domain::GssCode;
use accord_domain::mou::long_date;
use accord_domain::request::Attention;
use axum::extract::{Path, Query, State};
use maud::{Markup, html};
use serde::Deserialize;

use super::register::partnership;
use super::{request_path, stage_tag};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{ButtonKind, Choice, Column, Field, Table, button, select, table};
use crate::error::WebError;
use crate::layout::Page;
use crate::pages::common::render;

/// The caseload's query: whose caseload.
#[derive(Debug, Default, Deserialize)]
pub struct CaseloadQuery {
    #[serde(default)]
    council: String,
}

/// A section's anchor, heading and what it says when empty.
fn words(attention: Attention) -> (&'static str, &'static str, &'static str) {
    match attention {
        Attention::Overdue => ("overdue", "Overdue", "Nothing is overdue."),
        Attention::DueSoon => (
            "due-soon",
            "Due soon",
            "Nothing is due in the next 5 working days.",
        ),
        Attention::ForwardingOverdue => (
            "not-forwarded",
            "Not forwarded in time",
            "Every request your council received has reached the single point of contact in time.",
        ),
        Attention::AwaitingYourSignOff => (
            "your-sign-off",
            "Awaiting your sign-off",
            "No draft waits for your council’s sign-off.",
        ),
        Attention::AwaitingOtherCouncil => (
            "other-council",
            "Awaiting the other council",
            "No draft your council leads waits for another council’s sign-off.",
        ),
        Attention::AwaitingComms => (
            "comms",
            "Awaiting communications clearance",
            "No sensitive draft waits for the communications teams.",
        ),
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn section_table(
    section: &CaseloadSection,
    partnership_id: i64,
    names: &PartnershipView,
) -> Markup {
    let (id, heading, empty) = words(section.attention);
    let total = section.total;
    let mut t = Table::new(
        format!("{heading} ({total})"),
        vec![
            Column::text("Request"),
            Column::text("Stage"),
            Column::text("Lead council"),
            Column::text("Response due"),
        ],
    );
    for case in &section.cases {
        let r = &case.summary;
        let left = match case.days_left {
            Some(DaysLeft::Left(n)) => format!("{n} working day{} left", plural(n)),
            Some(DaysLeft::Overdue(n)) => format!("overdue by {n} working day{}", plural(n)),
            None => String::new(),
        };
        t = t.row(vec![
            html! {
                a class="govuk-link" href=(request_path(partnership_id, &r.reference, r.record_id)) { (r.reference) }
                br; span class="govuk-body-s" { (r.summary) }
            },
            stage_tag(r.stage),
            html! { (names.name(r.lead.as_ref().unwrap_or(&r.received_by))) },
            html! {
                @match r.answer_by {
                    Some(d) => { (long_date(d)) br; span class="govuk-body-s" { (left) } }
                    None => span class="govuk-hint" { "Clock stopped" },
                }
            },
        ]);
    }
    let shown = i64::try_from(section.cases.len()).unwrap_or(i64::MAX);
    html! {
        h2 class="govuk-heading-m" id=(id) { (heading) " (" (total) ")" }
        @if section.cases.is_empty() {
            p class="govuk-body" { (empty) }
        } @else {
            @if shown < total {
                p class="govuk-body-s" { "The first " (shown) " of " (total) ", soonest due first." }
            }
            (table(&t))
        }
    }
}

/// `GET /partnerships/{id}/requests/caseload`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<CaseloadQuery>,
) -> Result<Markup, WebError> {
    let names = partnership(&state, id).await?;
    let p = &names.partnership;
    let wanted = GssCode::parse("council", &q.council).ok();
    let load = requests::caseload(&state.app, &viewer.caller(), id, wanted.as_ref()).await?;
    let council = &load.council;
    let choices: Vec<(String, String)> = names
        .members()
        .iter()
        .map(|c| (c.to_string(), names.name(c)))
        .collect();
    let choice_list: Vec<Choice> = choices.iter().map(|(v, t)| Choice::new(v, t)).collect();
    let council_text = council.to_string();
    let name = names.name(council);
    let open = load.open;
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("Caseload – {name}"))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}"))
            .breadcrumb(
                "Information requests",
                format!("/partnerships/{id}/requests"),
            ),
        html! {
            span class="govuk-caption-l" { (p.name) }
            h1 class="govuk-heading-xl" { "Caseload: " (name) }
            p class="govuk-body" {
                (name) " leads, or received and has not yet forwarded, " strong { (open) } " open request" @if open != 1 { "s" } ". "
                "Today is " (long_date(load.today)) "."
            }
            form method="get" action={ "/partnerships/" (id) "/requests/caseload" } novalidate {
                (select(&Field::new("council", "Single point of contact of").value(&council_text), &choice_list))
                (button("Show the caseload", ButtonKind::Secondary))
            }
            nav aria-label="Sections of the caseload" {
                ul class="govuk-list" {
                    @for s in &load.sections {
                        @let (anchor, heading, _) = words(s.attention);
                        li { a class="govuk-link" href={ "#" (anchor) } { (heading) } }
                    }
                }
            }
            @for s in &load.sections { (section_table(s, id, &names)) }
            p class="govuk-body" {
                a class="govuk-link" href={ "/partnerships/" (id) "/requests/deadlines.ics" } { "Subscribe to the deadlines (iCalendar)" }
            }
        },
    ))
}
