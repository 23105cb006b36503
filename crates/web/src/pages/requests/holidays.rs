//! The administrators' bank-holiday page: the holidays this instance has proclaimed itself,
//! what the imported GOV.UK feed covers, and where the feed and the statutory rules disagree.
//!
//! Adding or removing a proclamation changes working days, so every open request's deadlines
//! are recounted in the same transaction as the change, and each request whose dates moved is
//! written with the change in its audit trail.

use accord_domain::access::{Action as Access, Area, RecordMeta};
use accord_domain::mou::long_date;
use accord_domain::working_days::{
    Calendars, Division, HolidayChange, HolidayTable, ProclaimedHoliday,
};
use accord_domain::{Invalid, access::ReadScope};
use accord_store::holidays::{PROCLAIMED_HOLIDAY_KIND, holiday_table};
use accord_store::requests::plan_recount;
use accord_store::{RecordInput, RecordQuery, RecordWrite};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

use super::ops::protocol;
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

/// Describes a change of the table for the audit trail: "+ 2025-03-20 A holiday (Scotland)".
pub fn describe_changes(changes: &[HolidayChange]) -> String {
    let mut lines: Vec<String> = changes
        .iter()
        .take(20)
        .map(|c| {
            format!(
                "{} {} {} ({})",
                if c.added { "+" } else { "-" },
                c.date,
                c.title,
                c.division.name()
            )
        })
        .collect();
    if changes.len() > 20 {
        lines.push(format!("and {} more", changes.len() - 20));
    }
    lines.join("; ")
}

async fn page_markup(
    state: &AppState,
    viewer: &Viewer,
    form_data: &FormData,
    errors: &Invalid,
    done: &Done,
) -> Result<Markup, WebError> {
    let table_now = holiday_table(&*state.store).await?;
    let proclaimed = state
        .store
        .records(
            &RecordQuery {
                kind: PROCLAIMED_HOLIDAY_KIND.to_owned(),
                ..RecordQuery::default()
            },
            &viewer.scope(),
            state.today(),
        )
        .await?;
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
    for record in &proclaimed {
        let h: ProclaimedHoliday = record.decode()?;
        list = list.row(vec![
            html! { (long_date(h.date)) },
            html! { (h.title) },
            html! { (divisions_text(&h.divisions)) },
            html! { @match h.replaces { Some(d) => (long_date(d)), None => "–" } },
            form(
                &format!("/admin/holidays/{}/remove", record.id),
                &viewer.csrf,
                html! {
                    button type="submit" class="govuk-button govuk-button--warning govuk-!-margin-bottom-0" data-module="govuk-button" {
                        "Remove" span class="govuk-visually-hidden" { " " (h.title) " on " (long_date(h.date)) }
                    }
                },
            ),
        ]);
    }
    let rows = state.store.bank_holidays().await?;
    let mut coverage: BTreeMap<String, BTreeSet<i32>> = BTreeMap::new();
    for row in &rows {
        coverage
            .entry(row.division.clone())
            .or_default()
            .insert(chrono::Datelike::year(&row.date));
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
    let found = table_now.discrepancies();
    for d in &found {
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
            @if coverage.is_empty() {
                p class="govuk-body" { "No feed has been imported: every year comes from the rules." }
            } @else {
                ul class="govuk-list" {
                    @for (division, years) in &coverage {
                        li {
                            (Division::parse("division", division).map_or(division.as_str(), |d| d.name()))
                            ": " (years.first().copied().unwrap_or_default()) "–" (years.last().copied().unwrap_or_default())
                        }
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

/// Writes a change of the proclamations and the recount of open requests together, audited
/// with what changed; returns the description and how many requests moved.
async fn change_table(
    state: &AppState,
    viewer: &Viewer,
    before: &HolidayTable,
    after: HolidayTable,
    write: RecordWrite,
    reason: &str,
) -> Result<(String, usize), WebError> {
    let changes = after.changes_from(before);
    let described = if changes.is_empty() {
        "no working day changed".to_owned()
    } else {
        describe_changes(&changes)
    };
    let calendars = Calendars::new(after);
    let (recount, updates) =
        plan_recount(&*state.store, &calendars, &protocol(), state.today()).await?;
    let mut writes = vec![write];
    writes.extend(updates.into_iter().map(RecordWrite::Update));
    let why = if reason.trim().is_empty() {
        format!("holiday table changed: {described}; open requests' deadlines recounted")
    } else {
        format!(
            "{}; holiday table changed: {described}; open requests' deadlines recounted",
            reason.trim()
        )
    };
    state
        .store
        .write_records(&writes, &viewer.change().because(why))
        .await?;
    Ok((described, recount.moved.len()))
}

fn done_url(described: &str, moved: usize) -> String {
    format!(
        "/admin/holidays?changed={}&moved={moved}",
        guard::urlencode(described)
    )
}

/// `POST /admin/holidays`: adds a proclaimed holiday and recounts open requests.
pub async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    form_data: FormData,
) -> Result<Response, WebError> {
    let before = holiday_table(&*state.store).await?;
    let mut after = before.clone();
    let holiday = match proclamation_from(&form_data)
        .and_then(|h| after.add_proclaimed(h.clone()).map(|()| h))
    {
        Ok(h) => h,
        Err(e) => {
            return Ok(refused(
                page_markup(&state, &viewer, &form_data, &e, &Done::default()).await?,
            ));
        }
    };
    let input = RecordInput::new(
        PROCLAIMED_HOLIDAY_KIND,
        RecordMeta::published(Area::Administration, None),
        format!("{} ({})", holiday.title, holiday.date),
        &holiday,
    )?
    .key_date(Some(holiday.date));
    guard::check(&viewer, Access::Create, &input.meta, state.today())?;
    let (described, moved) = change_table(
        &state,
        &viewer,
        &before,
        after,
        RecordWrite::Insert {
            input,
            parent_from: None,
        },
        form_data.get("reason"),
    )
    .await?;
    Ok(Redirect::to(&done_url(&described, moved)).into_response())
}

/// `POST /admin/holidays/{holiday_id}/remove`: removes a proclaimed holiday and recounts.
pub async fn remove(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(holiday_id): Path<i64>,
) -> Result<Response, WebError> {
    let system = ReadScope {
        everything_but_personal: true,
        ..ReadScope::default()
    };
    let record = state
        .store
        .record(holiday_id, &system, state.today())
        .await?
        .filter(|r| r.kind == PROCLAIMED_HOLIDAY_KIND)
        .ok_or(WebError::NotFound)?;
    guard::check(&viewer, Access::Delete, &record.meta, state.today())?;
    let before = holiday_table(&*state.store).await?;
    // The table without this proclamation: rebuilt from the others.
    let this: ProclaimedHoliday = record.decode()?;
    let mut after = HolidayTable::new().with_feed(&before.imported_feed());
    for p in before.proclaimed().iter().filter(|p| **p != this) {
        after.add_proclaimed(p.clone())?;
    }
    let (described, moved) = change_table(
        &state,
        &viewer,
        &before,
        after,
        RecordWrite::Delete(record.id),
        "",
    )
    .await?;
    Ok(Redirect::to(&done_url(&described, moved)).into_response())
}
