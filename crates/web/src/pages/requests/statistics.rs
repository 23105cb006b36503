//! Statistics per council per quarter of receipt, in the government's FOI statistics
//! categories (outcome and timeliness), as a page and as CSV.

use accord_domain::request::{Outcome, QuarterStatistics, Timeliness, statistics_csv};
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::register::partnership;
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{ButtonKind, Column, Table, button_link, table};
use crate::error::WebError;
use crate::layout::Page;
use crate::pages::common::render;

/// The statistics of the requests the viewer may read, counted by the database. Subject access
/// requests are left out, as in the government's FOI statistics.
pub async fn rows(
    state: &AppState,
    viewer: &Viewer,
    partnership_id: i64,
) -> Result<Vec<QuarterStatistics>, WebError> {
    Ok(accord_app::requests::statistics(&state.app, &viewer.caller(), partnership_id).await?)
}

/// `GET /partnerships/{id}/requests/statistics`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let names = partnership(&state, id).await?;
    let p = &names.partnership;
    let rows = rows(&state, &viewer, id).await?;
    let mut columns = vec![
        Column::text("Quarter received"),
        Column::numeric("Received"),
        Column::numeric("Open"),
    ];
    columns.extend(Outcome::ALL.iter().map(|o| Column::numeric(o.label())));
    columns.extend(Timeliness::ALL.iter().map(|t| Column::numeric(t.label())));
    let mut tables = Vec::new();
    for council in names.members() {
        let mine: Vec<&QuarterStatistics> = rows.iter().filter(|r| r.council == council).collect();
        if mine.is_empty() {
            continue;
        }
        let mut t = Table::new(
            format!("{}: requests by quarter received", names.name(&council)),
            columns.clone(),
        )
        .row_headers()
        .scrollable();
        for r in mine {
            let mut cells = vec![
                html! { (r.quarter) },
                html! { (r.received) },
                html! { (r.open) },
            ];
            cells.extend(
                Outcome::ALL
                    .iter()
                    .map(|o| html! { (r.outcomes.get(o).copied().unwrap_or(0)) }),
            );
            cells.extend(
                Timeliness::ALL
                    .iter()
                    .map(|t| html! { (r.timeliness.get(t).copied().unwrap_or(0)) }),
            );
            t = t.row(cells);
        }
        tables.push(t);
    }
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("Request statistics – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}"))
            .breadcrumb(
                "Information requests",
                format!("/partnerships/{id}/requests"),
            ),
        html! {
            span class="govuk-caption-l" { (p.name) }
            h1 class="govuk-heading-xl" { "Request statistics" }
            p class="govuk-body" {
                "Freedom of Information and Environmental Information requests per council (the lead council, or the "
                "receiving council until a lead is agreed) per quarter of receipt, in the categories of the "
                "government’s FOI statistics: outcome, and whether the response came in time, within a permitted "
                "extension, or late. Subject access requests are not counted."
            }
            @if tables.is_empty() {
                p class="govuk-body" { "There are no requests to count." }
            }
            @for t in &tables { (table(t)) }
            (button_link("Download as CSV", &format!("/partnerships/{id}/requests/statistics.csv"), ButtonKind::Secondary))
        },
    ))
}

/// `GET /partnerships/{id}/requests/statistics.csv`.
pub async fn csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    partnership(&state, id).await?;
    let rows = rows(&state, &viewer, id).await?;
    let body = statistics_csv(&rows)?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"request-statistics.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}
