//! The administrators' bank-holiday page: the holidays this instance has proclaimed itself,
//! what the imported GOV.UK feed covers, and where the feed and the statutory rules disagree.
//!
//! Adding or removing a proclamation changes working days, so every open request's deadlines
//! are recounted in the same transaction as the change, and each request whose dates moved is
//! written with the change in its audit trail.

use accord_app::AppError;
use accord_app::requests::{self, TableChanged};
use accord_domain::Invalid;
use accord_domain::mou::long_date;
use accord_domain::working_days::{Division, ProclaimedHoliday};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    Banner, ButtonKind, Choice, Column, Field, Table, button, checkboxes, date_input,
    error_summary, form, notification_banner, table, text_input,
};
use crate::error::WebError;
use crate::forms::{FormData, refused};
use crate::guard;
use crate::layout::Page;
use crate::pages::common::render;

/// What the page says after a change.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    changed: Option<String>,
    #[serde(default)]
    moved: Option<usize>,
}

fn divisions_text(divisions: &[Division]) -> String {
    divisions
        .iter()
        .map(|d| d.name())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn page_markup(
    state: &AppState,
    viewer: &Viewer,
    form_data: &FormData,
    errors: &Invalid,
    done: &Done,
) -> Result<Markup, WebError> {
    let overview = requests::holidays(&state.app, &viewer.caller()).await?;
    let proclaimed = &overview.proclaimed;
    let mut list = Table::new(
        format!("Proclaimed holidays ({})", proclaimed.len()),
        vec![
            Column::text("Date"),
            Column::text("Holiday"),
            Column::text("Divisions"),
            Column::text("Replaces"),
            Column::text("Action"),
        ],
    );
    for stored in proclaimed {
        let h = &stored.holiday;
        list = list.row(vec![
            html! { (long_date(h.date)) },
            html! { (h.title) },
            html! { (divisions_text(&h.divisions)) },
            html! { @match h.replaces { Some(d) => (long_date(d)), None => "–" } },
            form(
                &format!("/admin/holidays/{}/remove", stored.record_id),
                &viewer.csrf,
                html! {
                    button type="submit" class="govuk-button govuk-button--warning govuk-!-margin-bottom-0" data-module="govuk-button" {
                        "Remove" span class="govuk-visually-hidden" { " " (h.title) " on " (long_date(h.date)) }
                    }
                },
            ),
        ]);
    }
    let mut discrepancies = Table::new(
        "Where the imported feed and the statutory rules disagree (the feed is used)",
        vec![
            Column::text("Date"),
            Column::text("Division"),
            Column::text("In the feed"),
            Column::text("By the rules"),
        ],
    );
    let found = &overview.discrepancies;
    for d in found {
        discrepancies = discrepancies.row(vec![
            html! { (long_date(d.date)) },
            html! { (d.division.name()) },
            html! { (d.feed.as_deref().unwrap_or("No holiday")) },
            html! { (d.rules.as_deref().unwrap_or("No holiday")) },
        ]);
    }
    let division_choices: Vec<Choice> = Division::ALL
        .iter()
        .map(|d| Choice::new(d.slug(), d.name()))
        .collect();
    let ticked = form_data.all("divisions");
    Ok(render(
        state,
        viewer,
        Page::new("Bank holidays").with_errors(errors),
        html! {
            (error_summary(errors))
            @if let Some(changed) = &done.changed {
                (notification_banner(Banner::Success, "The holiday table changed", html! {
                    p class="govuk-body" { (changed) }
                    p class="govuk-body" { "Deadlines of open requests that moved: " (done.moved.unwrap_or(0)) ". Each is recorded in its history." }
                }))
            }
            h1 class="govuk-heading-xl" { "Bank holidays" }
            p class="govuk-body" {
                "Working days skip the bank holidays of each part of the UK: computed from the statutory rules and the known "
                "one-off proclamations for 1990 to 2100, replaced by the GOV.UK feed for the years it covers "
                "(import it with " code { "accord import bank-holidays" } "), plus the holidays proclaimed here."
            }
            h2 class="govuk-heading-l" { "The imported GOV.UK feed" }
            @if overview.coverage.is_empty() {
                p class="govuk-body" { "No feed has been imported: every year comes from the rules." }
            } @else {
                ul class="govuk-list" {
                    @for (division, first, last) in &overview.coverage {
                        li { (division.name()) ": " (first) "–" (last) }
                    }
                }
            }
            @if found.is_empty() {
                p class="govuk-body" { "The feed and the rules agree on every date the feed covers." }
            } @else {
                (table(&discrepancies))
            }
            h2 class="govuk-heading-l" { "Holidays proclaimed here" }
            @if proclaimed.is_empty() {
                p class="govuk-body" { "None." }
            } @else {
                (table(&list))
            }
            h2 class="govuk-heading-l" id="add" { "Add a proclaimed holiday" }
            p class="govuk-body" { "For a holiday proclaimed after the last import of the feed. Every open request’s deadlines are recounted." }
            (form("/admin/holidays", &viewer.csrf, html! {
                (date_input(&Field::new("date", "Date of the holiday").errors(errors), &form_data.date("date")))
                (text_input(&Field::new("title", "Name of the holiday").hint("As the proclamation names it").value(form_data.get("title")).errors(errors)))
                (checkboxes(&Field::new("divisions", "Where it applies").errors(errors), &division_choices, &ticked))
                (date_input(&Field::new("replaces", "The holiday it moves, if it moves one (optional)").hint("That date stops being a holiday in these divisions").errors(errors), &form_data.date("replaces")))
                (text_input(&Field::new("reason", "Reason for the change (optional)").hint("Kept with the change in the audit trail").value(form_data.get("reason")).errors(errors)))
                (button("Add the holiday", ButtonKind::Primary))
            }))
        },
    ))
}

/// `GET /admin/holidays`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(done): Query<Done>,
) -> Result<Markup, WebError> {
    page_markup(
        &state,
        &viewer,
        &FormData::default(),
        &Invalid::new(),
        &done,
    )
    .await
}

fn proclamation_from(form: &FormData) -> Result<ProclaimedHoliday, Invalid> {
    let mut invalid = Invalid::new();
    let date = invalid.check(form.date("date").parse("date", "the date of the holiday"));
    let replaces = invalid
        .check(
            form.date("replaces")
                .parse_optional("replaces", "the date of the holiday it moves"),
        )
        .flatten();
    let mut divisions = Vec::new();
    for d in form.all("divisions") {
        if let Some(d) = invalid.check(Division::parse("divisions", d)) {
            divisions.push(d);
        }
    }
    if form.get("title").trim().is_empty() {
        invalid.push("title", "Enter the name of the holiday");
    }
    if divisions.is_empty() {
        invalid.push("divisions", "Choose where the holiday applies");
    }
    invalid.into_result()?;
    let holiday = ProclaimedHoliday {
        date: date.ok_or_else(|| Invalid::field("date", "Enter the date of the holiday"))?,
        title: form.get("title").trim().to_owned(),
        divisions,
        replaces,
    };
    holiday.validate()?;
    Ok(holiday)
}

fn done_url(done: &TableChanged) -> String {
    format!(
        "/admin/holidays?changed={}&moved={}",
        guard::urlencode(&done.described),
        done.recount.moved.len()
    )
}

/// `POST /admin/holidays`: adds a proclaimed holiday and recounts open requests.
pub async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    form_data: FormData,
) -> Result<Response, WebError> {
    let result = match proclamation_from(&form_data) {
        Ok(holiday) => {
            requests::add_holiday(
                &state.app,
                &viewer.caller(),
                holiday,
                form_data.get("reason"),
            )
            .await
        }
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(done) => Ok(Redirect::to(&done_url(&done)).into_response()),
        Err(AppError::Invalid(e)) => Ok(refused(
            page_markup(&state, &viewer, &form_data, &e, &Done::default()).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/holidays/{holiday_id}/remove`: removes a proclaimed holiday and recounts.
pub async fn remove(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(holiday_id): Path<i64>,
) -> Result<Response, WebError> {
    let done = requests::remove_holiday(&state.app, &viewer.caller(), holiday_id, "").await?;
    Ok(Redirect::to(&done_url(&done)).into_response())
}
