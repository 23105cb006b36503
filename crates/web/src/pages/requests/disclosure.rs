//! The public disclosure log: responses that released information, newest first. Each entry
//! is its own published record, written when the response was sent, holding no field for the
//! requester: nothing about who asked can reach this page.

use accord_domain::mou::long_date;
use accord_domain::request::DisclosureLogEntry;
use accord_store::requests::DISCLOSURE_KIND;
use accord_store::{RecordOrder, RecordQuery};
use axum::extract::{Path, Query, State};
use maud::{Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Viewer;
use crate::components::{Column, Table, pagination, table};
use crate::error::WebError;
use crate::layout::Page;
use crate::pages::common::render;

const PAGE_SIZE: usize = 50;

/// The log's query: the page.
#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    page: Option<u32>,
}

/// The entries the viewer may read (all of them are published), newest first.
pub async fn entries(
    state: &AppState,
    viewer: &Viewer,
    partnership_id: i64,
) -> Result<Vec<DisclosureLogEntry>, WebError> {
    let records = state
        .store
        .records(
            &RecordQuery {
                order: RecordOrder::KeyDate,
                ..RecordQuery::of(DISCLOSURE_KIND, partnership_id)
            },
            &viewer.scope(),
            state.today(),
        )
        .await?;
    let mut out = Vec::with_capacity(records.len());
    for record in records.iter().rev() {
        out.push(record.decode::<DisclosureLogEntry>()?);
    }
    Ok(out)
}

/// `GET /partnerships/{id}/disclosure-log`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<LogQuery>,
) -> Result<Markup, WebError> {
    let p = super::register::partnership(&state, id).await?;
    let all = entries(&state, &viewer, id).await?;
    let pages = u32::try_from(all.len().div_ceil(PAGE_SIZE))
        .unwrap_or(1)
        .max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let start = usize::try_from(page - 1).unwrap_or(0) * PAGE_SIZE;
    let mut t = Table::new(
        format!("Released responses ({})", all.len()),
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
    for e in all.iter().skip(start).take(PAGE_SIZE) {
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
            @if all.is_empty() {
                p class="govuk-body" { "No responses have been published yet." }
            } @else {
                (table(&t))
            }
            (pagination(page, pages, |n| format!("/partnerships/{id}/disclosure-log?page={n}")))
        },
    ))
}
