//! The public disclosure log: responses that released information, newest first. Each entry
//! is its own published record, written when the response was sent, holding no field for the
//! requester: nothing about who asked can reach this page.

use accord_app::list::ListRequest;
use accord_domain::mou::long_date;
use axum::extract::{Path, Query, State};
use maud::{Markup, html};
use serde::Deserialize;

use super::register::partnership;
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{Column, Table, pagination, table};
use crate::error::WebError;
use crate::layout::Page;
use crate::pages::common::render;

/// Entries on one page of the log.
pub const PAGE_SIZE: u32 = 50;

/// The log's query: the page.
#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    page: Option<u32>,
}

/// `GET /partnerships/{id}/disclosure-log`: one page of the log, read and counted by the
/// database.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<LogQuery>,
) -> Result<Markup, WebError> {
    let names = partnership(&state, id).await?;
    let p = &names.partnership;
    let caller = viewer.caller();
    let wanted = q.page.unwrap_or(1).max(1);
    let log = accord_app::requests::disclosure_log;
    let mut listed = log(
        &state.app,
        &caller,
        id,
        &ListRequest::page(wanted, PAGE_SIZE),
    )
    .await?;
    let pages = listed.pages(PAGE_SIZE);
    if wanted > pages {
        // A page beyond the end (a hand-made address) shows the last.
        listed = log(
            &state.app,
            &caller,
            id,
            &ListRequest::page(pages, PAGE_SIZE),
        )
        .await?;
    }
    let page = wanted.min(pages);
    let mut t = Table::new(
        format!("Released responses ({})", listed.total),
        vec![
            Column::text("Reference"),
            Column::text("Request"),
            Column::text("Law"),
            Column::text("Received"),
            Column::text("Answered"),
            Column::text("Outcome"),
            Column::text("Exemptions or exceptions"),
        ],
    )
    .scrollable();
    for e in listed.items.iter().map(|d| &d.entry) {
        t = t.row(vec![
            html! { (e.reference) },
            html! { (e.summary) },
            html! { (e.regime.slug().to_uppercase()) },
            html! { (long_date(e.received)) },
            html! { (long_date(e.responded)) },
            html! { (e.outcome.label()) },
            html! { @if e.exemptions.is_empty() { "None" } @else { (e.exemptions.join(", ")) } },
        ]);
    }
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("Disclosure log – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}")),
        html! {
            span class="govuk-caption-l" { (p.name) }
            h1 class="govuk-heading-xl" { "Disclosure log" }
            p class="govuk-body" {
                "Responses to Freedom of Information and Environmental Information requests about the partnership "
                "that released information. Who asked is never published; subject access requests are never listed."
            }
            @if listed.items.is_empty() {
                p class="govuk-body" { "No responses have been published yet." }
            } @else {
                (table(&t))
            }
            (pagination(page, pages, |n| format!("/partnerships/{id}/disclosure-log?page={n}")))
        },
    ))
}
