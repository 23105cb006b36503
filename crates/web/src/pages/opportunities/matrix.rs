//! The RAG matrix (the Schedule 1 view): services down, criteria across, grouped by phase; each
//! cell the combined rating as colour and letter, its reasons on hover (and on the assessment
//! page it links to); the same data as an SVG drawing with a text alternative and as CSV; and
//! the programme ranked by gateway score. The use cases of `accord_app::gateway::matrix` build
//! them; these handlers render them.

use accord_app::gateway::Entry;
use accord_app::gateway::matrix::{self as use_case, Matrix, SetGroup, phase_title};
use accord_domain::gateway::{CriteriaSet, Rating};
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use maud::{Markup, PreEscaped, html};

use super::assessment::ordinal;
use super::{base, gateway_summary, href_of, outcome_tag, status_tag};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{Column, Table, TagColour, table, tag};
use crate::error::WebError;
use crate::layout::Page;
use crate::pages::common::render;

fn matrix_table(
    id: i64,
    matrix: &Matrix,
    set: &CriteriaSet,
    phase: Option<u32>,
    rows: &[usize],
    multiple_sets: bool,
) -> Markup {
    let caption = if multiple_sets {
        format!(
            "{} (criteria version {})",
            phase_title(phase),
            set.version()
        )
    } else {
        phase_title(phase)
    };
    html! {
        div class="accord-table-scroll" role="region" aria-label=(caption) tabindex="0" {
            table class="govuk-table accord-matrix" {
                caption class="govuk-table__caption govuk-table__caption--m" { (caption) }
                thead class="govuk-table__head" {
                    tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header accord-matrix__service" { "Service" }
                        @for c in &set.criteria.criteria {
                            th scope="col" class="govuk-table__header accord-matrix__criterion" {
                                span class="accord-matrix__criterion-name" {
                                    (c.name)
                                    @if c.critical { span class="accord-matrix__critical" { " (critical)" } }
                                }
                            }
                        }
                        th scope="col" class="govuk-table__header" { "Outcome" }
                        th scope="col" class="govuk-table__header" { "Status" }
                    }
                }
                tbody class="govuk-table__body" {
                    @for &index in rows {
                        @let entry = matrix.entry(index);
                        @let o = entry.opportunity();
                        @let one = href_of(id, o);
                        tr class="govuk-table__row" {
                            th scope="row" class="govuk-table__header" {
                                a class="govuk-link" href=(one) { (o.service.name) }
                                @if entry.illustrative() { br; span class="govuk-body-s accord-matrix__illustrative" { "illustrative ratings" } }
                            }
                            @for (i, c) in set.criteria.criteria.iter().enumerate() {
                                td class="govuk-table__cell accord-rag-cell" {
                                    @match entry.combined(set, &c.name) {
                                        Some(r) => {
                                            a class="accord-matrix__link" href={ (one) "/assessment#criterion-" (i) } {
                                                (super::rating(r))
                                                span class="govuk-visually-hidden" { " for " (o.service.name) ", " (c.name) ": see the reasons" }
                                                span class="accord-matrix__tip" aria-hidden="true" { (entry.reasons_line(&c.name, 70)) }
                                            }
                                        },
                                        None => {
                                            span class="accord-matrix__unrated" aria-hidden="true" { "–" }
                                            span class="govuk-visually-hidden" { "Not rated" }
                                        },
                                    }
                                }
                            }
                            td class="govuk-table__cell" { (gateway_summary(entry)) }
                            td class="govuk-table__cell" { (status_tag(&o.status)) }
                        }
                    }
                }
            }
        }
    }
}

fn group_tables(id: i64, matrix: &Matrix) -> Markup {
    let multiple = matrix.groups.len() > 1;
    html! {
        @for (group, set) in matrix.with_sets() {
            @let group: &SetGroup = group;
            @for (phase, rows) in &group.phases {
                (matrix_table(id, matrix, set, *phase, rows, multiple))
            }
        }
    }
}

/// `GET /partnerships/{id}/opportunities/matrix`.
pub async fn matrix(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let matrix = use_case::matrix(&state.app, &viewer.caller(), id).await?;
    let programme = &matrix.programme;
    let illustrative = programme.entries.iter().any(Entry::illustrative);
    let name = &programme.partnership.name;
    let content = html! {
        span class="govuk-caption-l" { (name) }
        h1 class="govuk-heading-xl" { "RAG matrix" }
        p class="govuk-body-l" { "The compatibility analysis of Schedule 1: services down, criteria across, grouped by phase." }
        @if illustrative {
            p class="govuk-body" {
                (tag("Illustrative", TagColour::Yellow))
                " Ratings marked illustrative are not the councils’ own: the colours of the source’s Schedule 1 matrix did not survive, "
                "so they are made up to be consistent with each opportunity’s recorded outcome."
            }
        }
        p class="govuk-body" {
            "Each cell is the criterion’s combined rating, as colour and letter: "
            (super::rating(Rating::Red)) " Red, a serious obstacle; "
            (super::rating(Rating::Amber)) " Amber, an obstacle that can be resolved; "
            (super::rating(Rating::Green)) " Green, no obstacle; – not yet rated by every council. "
            "Point at a cell, or move to it with the keyboard, to read the start of the councils’ reasons; follow it for the assessment."
        }
        ul class="govuk-list" {
            li { a class="govuk-link" href={ (base(id)) "/matrix.csv" } { "Download the matrix as CSV" } }
            li { a class="govuk-link" href={ (base(id)) "/matrix.svg" } { "Download the matrix as an SVG image" } }
            li { a class="govuk-link" href={ (base(id)) "/ranking" } { "The programme ranked by gateway score" } }
            li { a class="govuk-link" href=(base(id)) { "Every opportunity, with filters" } }
        }
        @if programme.entries.is_empty() {
            p class="govuk-body" { "There are no opportunities to show." }
        }
        (group_tables(id, &matrix))
        @if !programme.entries.is_empty() {
            h2 class="govuk-heading-l" { "The matrix as a picture" }
            figure class="accord-matrix-figure" {
                (PreEscaped(use_case::svg(&matrix, false)))
                figcaption class="govuk-body-s" { "The same ratings as the tables above, which are its text alternative." }
            }
        }
    };
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("RAG matrix – {name}"))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(name.clone(), format!("/partnerships/{id}"))
            .breadcrumb("Opportunities", base(id))
            .section("/"),
        content,
    ))
}

/// `GET /partnerships/{id}/opportunities/matrix.svg`: the matrix as an image file.
pub async fn matrix_svg(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let body = use_case::matrix_svg(&state.app, &viewer.caller(), id).await?;
    Ok((
        [
            (CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"accord-rag-matrix.svg\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// `GET /partnerships/{id}/opportunities/matrix.csv`.
pub async fn matrix_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let body = use_case::matrix_csv(&state.app, &viewer.caller(), id).await?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"accord-rag-matrix.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// `GET /partnerships/{id}/opportunities/ranking`: every complete assessment ranked by score
/// under its version of the criteria, with how close each is to another outcome.
pub async fn ranking(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let ranking = use_case::ranking(&state.app, &viewer.caller(), id).await?;
    let matrix = &ranking.matrix;
    let name = &matrix.programme.partnership.name;
    let mut sections = Vec::new();
    for (version, ranked) in &ranking.sections {
        let mut t = Table::new(
            format!("Ranked under version {version} of the criteria"),
            vec![
                Column::numeric("Rank"),
                Column::text("Service"),
                Column::text("Outcome"),
                Column::numeric("Score"),
                Column::text("Closest change of outcome"),
                Column::text("Status"),
            ],
        );
        for &index in ranked {
            let e = matrix.entry(index);
            let Some(report) = e.state.report() else {
                continue;
            };
            let o = e.opportunity();
            let closest = match (&report.flips.better, &report.flips.worse) {
                (Some(b), Some(w)) if w.size < b.size => &w.description,
                (Some(b), _) => &b.description,
                (None, Some(w)) => &w.description,
                (None, None) => "",
            };
            t = t.row(vec![
                html! { (ordinal(report.rank)) },
                html! {
                    a class="govuk-link" href={ (href_of(id, o)) "/assessment" } { (o.service.name) }
                    @if e.illustrative() { br; span class="govuk-body-s" { "illustrative ratings" } }
                },
                outcome_tag(report.outcome),
                html! { (format!("{:.3}", report.score)) },
                html! { (closest) },
                status_tag(&o.status),
            ]);
        }
        sections.push(t);
    }
    let content = html! {
        span class="govuk-caption-l" { (name) }
        h1 class="govuk-heading-xl" { "The programme ranked" }
        p class="govuk-body-l" {
            "Every opportunity with a complete assessment, by weighted score. "
            (ranking.passes) " pass the gateway."
        }
        p class="govuk-body" {
            "Equal scores are ordered by the parts of the rule that do not depend on weights (no critical Red and not too many criteria below Green first), "
            "then fewer Reds, then fewer criteria below Green. Ranks compare scores under one version of the criteria only."
        }
        @for t in &sections { div class="accord-table-scroll" role="region" aria-label=(t.caption) tabindex="0" { (table(t)) } }
        @if sections.is_empty() {
            p class="govuk-body" { "No opportunity has a complete assessment yet." }
        }
        @if !ranking.unranked.is_empty() {
            h2 class="govuk-heading-m" { "Not ranked: assessment not complete" }
            ul class="govuk-list govuk-list--bullet" {
                @for &index in &ranking.unranked {
                    @let o = matrix.entry(index).opportunity();
                    li {
                        a class="govuk-link" href=(href_of(id, o)) { (o.service.name) }
                        " — " (o.status.describe())
                    }
                }
            }
        }
        p class="govuk-body" { a class="govuk-link" href={ (base(id)) "/matrix" } { "The RAG matrix" } }
    };
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("The programme ranked – {name}"))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(name.clone(), format!("/partnerships/{id}"))
            .breadcrumb("Opportunities", base(id))
            .section("/"),
        content,
    ))
}
