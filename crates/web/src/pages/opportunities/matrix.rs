//! The RAG matrix (the Schedule 1 view): services down, criteria across, grouped by phase; each
//! cell the combined rating as colour and letter, its reasons on hover (and on the assessment
//! page it links to); the same data as an SVG drawing with a text alternative and as CSV; and
//! the programme ranked by gateway score.

use accord_domain::gateway::{GatewayVersion, Outcome, Rating};
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use maud::{Markup, PreEscaped, html};
use std::fmt::Write as _;

use super::assessment::{combined_cell, ordinal, reasons_line};
use super::{base, gateway_summary, href, outcome_tag, status_tag};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{Column, Table, TagColour, table, tag};
use crate::error::WebError;
use crate::layout::Page;
use crate::opportunity_records::{self as records, Entry, Gateway, Programme};
use crate::pages::common::render;

/// The matrix's rows: for each version of the criteria in use (the current one first), the
/// opportunities assessed under it, grouped by phase (phase order, "not stated" last).
pub struct Groups<'a> {
    /// Per version: the version and its phase groups.
    pub versions: Vec<(&'a GatewayVersion, Vec<(Option<u32>, Vec<&'a Entry>)>)>,
}

/// Groups a programme's opportunities for the matrix.
pub fn groups(programme: &Programme) -> Groups<'_> {
    let mut numbers: Vec<u32> = programme.entries.iter().map(|e| e.version).collect();
    numbers.sort_unstable_by(|a, b| b.cmp(a));
    numbers.dedup();
    let current = programme.current().version();
    // The current version first, then older ones, newest first.
    numbers.sort_by_key(|n| (*n != current, std::cmp::Reverse(*n)));
    if numbers.is_empty() {
        numbers.push(current);
    }
    let mut versions = Vec::new();
    for number in numbers {
        let Some(version) = programme.version(number) else {
            continue;
        };
        let mut phases: Vec<Option<u32>> = programme
            .entries
            .iter()
            .filter(|e| e.version == number)
            .map(|e| e.opportunity().phase)
            .collect();
        phases.sort_by_key(|p| (p.is_none(), *p));
        phases.dedup();
        let groups = phases
            .into_iter()
            .map(|phase| {
                let rows: Vec<&Entry> = programme
                    .entries
                    .iter()
                    .filter(|e| e.version == number && e.opportunity().phase == phase)
                    .collect();
                (phase, rows)
            })
            .collect();
        versions.push((version, groups));
    }
    Groups { versions }
}

fn phase_title(phase: Option<u32>) -> String {
    match phase {
        Some(n) => format!("Phase {n} services"),
        None => "Services with no phase stated".to_owned(),
    }
}

fn letter_cell(entry: &Entry, version: &GatewayVersion, criterion: &str) -> Option<Rating> {
    combined_cell(entry, version, criterion)
}

fn matrix_table(
    id: i64,
    version: &GatewayVersion,
    phase: Option<u32>,
    rows: &[&Entry],
    multiple_versions: bool,
) -> Markup {
    let caption = if multiple_versions {
        format!(
            "{} (criteria version {})",
            phase_title(phase),
            version.version()
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
                        @for c in &version.criteria.criteria {
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
                    @for entry in rows {
                        @let o = entry.opportunity();
                        @let one = href(id, o.id);
                        tr class="govuk-table__row" {
                            th scope="row" class="govuk-table__header" {
                                a class="govuk-link" href=(one) { (o.service.name) }
                                @if entry.illustrative() { br; span class="govuk-body-s accord-matrix__illustrative" { "illustrative ratings" } }
                            }
                            @for (i, c) in version.criteria.criteria.iter().enumerate() {
                                td class="govuk-table__cell accord-rag-cell" {
                                    @match letter_cell(entry, version, &c.name) {
                                        Some(r) => {
                                            a class="accord-matrix__link" href={ (one) "/assessment#criterion-" (i) } {
                                                (super::rating(r))
                                                span class="govuk-visually-hidden" { " for " (o.service.name) ", " (c.name) ": see the reasons" }
                                                span class="accord-matrix__tip" aria-hidden="true" { (reasons_line(entry, &c.name, 70)) }
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

/// `GET /partnerships/{id}/opportunities/matrix`.
pub async fn matrix(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let programme = records::programme(&state, &viewer, id).await?;
    let grouped = groups(&programme);
    let multiple = grouped.versions.len() > 1;
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
        @for (version, phases) in &grouped.versions {
            @for (phase, rows) in phases {
                (matrix_table(id, version, *phase, rows, multiple))
            }
        }
        @if !programme.entries.is_empty() {
            h2 class="govuk-heading-l" { "The matrix as a picture" }
            figure class="accord-matrix-figure" {
                (PreEscaped(svg(&programme, &grouped, false)))
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

// ----- SVG -----

const CELL: u32 = 30;
const ROW: u32 = 34;
const LABEL_WIDTH: u32 = 300;
const HEADER: u32 = 190;
const GROUP: u32 = 36;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// The matrix as SVG: a square per rating with its letter, so it reads without colour. The
/// drawing's title and description summarise it; its full text alternative is the matrix's
/// tables. Rows are groups moved into place, so each square needs only its column. Inline, the
/// stylesheet colours it; `standalone` (the file download, which no stylesheet reaches) adds
/// the XML namespace and the colours and fonts as attributes.
fn svg(programme: &Programme, grouped: &Groups<'_>, standalone: bool) -> String {
    let columns = grouped
        .versions
        .iter()
        .map(|(v, _)| v.criteria.criteria.len())
        .max()
        .unwrap_or(0) as u32;
    let width = LABEL_WIDTH + columns * CELL + 200;
    let mut height = 10;
    for (_, phases) in &grouped.versions {
        height += HEADER;
        for (_, rows) in phases {
            height += GROUP + rows.len() as u32 * ROW;
        }
    }
    let rated = programme
        .entries
        .iter()
        .filter(|e| matches!(e.gateway, Gateway::Complete { .. }))
        .count();
    let mut out = String::with_capacity(1000 + programme.entries.len() * 1200);
    let (xmlns, font, bold) = if standalone {
        (
            r#" xmlns="http://www.w3.org/2000/svg""#,
            r#" font-family="arial, sans-serif" font-size="14""#,
            r#" font-family="arial, sans-serif" font-size="14" font-weight="bold" text-anchor="middle""#,
        )
    } else {
        ("", "", "")
    };
    let _ = write!(
        out,
        r#"<svg{xmlns} class="accord-chart accord-matrix-svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="matrix-svg-title matrix-svg-desc"><title id="matrix-svg-title">RAG matrix of {}</title><desc id="matrix-svg-desc">{} opportunities, {rated} with a complete assessment: each row a service, each column a criterion, each cell the combined rating as a coloured square with its letter R, A or G; a dash where not every council has rated it.</desc>"#,
        escape(&programme.partnership.name),
        programme.entries.len(),
    );
    let mut y = 10;
    for (version, phases) in &grouped.versions {
        let criteria = &version.criteria.criteria;
        let outcome_x = LABEL_WIDTH + criteria.len() as u32 * CELL + 10;
        // Criteria names, turned so they fit over narrow columns.
        let base_y = y + HEADER - 8;
        for (i, c) in criteria.iter().enumerate() {
            let x = LABEL_WIDTH + i as u32 * CELL + CELL / 2;
            let _ = write!(
                out,
                r#"<text x="{x}" y="{base_y}" transform="rotate(-60 {x} {base_y})"{font}>{}{}</text>"#,
                escape(&shorten(&c.name, 24)),
                if c.critical { " *" } else { "" },
            );
        }
        let _ = write!(
            out,
            r#"<text x="{outcome_x}" y="{base_y}"{font}>Outcome</text>"#
        );
        y += HEADER;
        for (phase, rows) in phases {
            let _ = write!(
                out,
                r#"<text class="accord-matrix-svg__group" x="0" y="{}"{}>{}</text>"#,
                y + GROUP - 12,
                if standalone {
                    r#" font-family="arial, sans-serif" font-size="16" font-weight="bold""#
                } else {
                    ""
                },
                escape(&phase_title(*phase)),
            );
            y += GROUP;
            for entry in rows {
                let _ = write!(
                    out,
                    r#"<g transform="translate(0 {y})"><text x="0" y="22"{font}>{}</text><g class="accord-matrix-svg__letters">"#,
                    escape(&shorten(&entry.opportunity().service.name, 38)),
                );
                for (i, c) in criteria.iter().enumerate() {
                    let r = combined_cell(entry, version, &c.name);
                    let (modifier, fill, text) = match r {
                        // GOV.UK's red, orange, green and a light grey.
                        Some(Rating::Red) => ("red", "#d4351c", "#ffffff"),
                        Some(Rating::Amber) => ("amber", "#f47738", "#0b0c0c"),
                        Some(Rating::Green) => ("green", "#00703c", "#ffffff"),
                        None => ("none", "#f3f2f1", "#0b0c0c"),
                    };
                    let x = LABEL_WIDTH + i as u32 * CELL;
                    let (rect_colour, text_colour) = if standalone {
                        (
                            format!(r##" fill="{fill}" stroke="#0b0c0c""##),
                            format!(r#" fill="{text}"{bold}"#),
                        )
                    } else {
                        (String::new(), String::new())
                    };
                    let _ = write!(
                        out,
                        r#"<rect class="accord-matrix-svg__cell--{modifier}" x="{}" y="3" width="{}" height="{}"{rect_colour}/><text x="{}" y="22"{text_colour}>{}</text>"#,
                        x + 2,
                        CELL - 4,
                        ROW - 6,
                        x + CELL / 2,
                        r.map_or('–', Rating::letter),
                    );
                }
                let outcome = entry
                    .gateway
                    .report()
                    .map_or("not complete", |r| r.outcome.label());
                let _ = write!(
                    out,
                    r#"</g><text x="{outcome_x}" y="22"{font}>{outcome}</text></g>"#
                );
                y += ROW;
            }
        }
    }
    out.push_str("</svg>");
    out
}

/// `GET /partnerships/{id}/opportunities/matrix.svg`: the matrix as an image file.
pub async fn matrix_svg(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let programme = records::programme(&state, &viewer, id).await?;
    let grouped = groups(&programme);
    let body = svg(&programme, &grouped, true);
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

// ----- CSV -----

/// A cell safe to open in a spreadsheet: text that a spreadsheet would run as a formula is
/// prefixed with an apostrophe.
fn safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The matrix as CSV: one row per opportunity, one column per criterion (R, A, G, or empty
/// where not every council has rated it).
pub fn matrix_csv_text(programme: &Programme) -> Result<Vec<u8>, csv::Error> {
    let grouped = groups(programme);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let most = grouped
        .versions
        .iter()
        .map(|(v, _)| v.criteria.criteria.len())
        .max()
        .unwrap_or(0);
    for (n, (version, phases)) in grouped.versions.iter().enumerate() {
        if n > 0 {
            writer.write_record(std::iter::empty::<&str>())?;
        }
        let mut header: Vec<String> = [
            "phase",
            "wave",
            "service",
            "category",
            "status",
            "criteria_version",
            "outcome",
            "score",
            "rank",
            "illustrative",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        header.extend(version.criteria.criteria.iter().map(|c| safe(&c.name)));
        header.resize(10 + most, String::new());
        writer.write_record(&header)?;
        for (_, rows) in phases {
            for entry in rows {
                let o = entry.opportunity();
                let report = entry.gateway.report();
                let mut row = vec![
                    o.phase.map(|n| n.to_string()).unwrap_or_default(),
                    o.wave.map(|n| n.to_string()).unwrap_or_default(),
                    safe(&o.service.name),
                    o.service.category.label().to_owned(),
                    safe(&o.status.describe()),
                    version.version().to_string(),
                    report
                        .map(|r| r.outcome.slug().to_owned())
                        .unwrap_or_default(),
                    report
                        .map(|r| format!("{:.4}", r.score))
                        .unwrap_or_default(),
                    report.map(|r| r.rank.to_string()).unwrap_or_default(),
                    if entry.illustrative() { "yes" } else { "no" }.to_owned(),
                ];
                row.extend(version.criteria.criteria.iter().map(|c| {
                    combined_cell(entry, version, &c.name)
                        .map(|r| r.letter().to_string())
                        .unwrap_or_default()
                }));
                row.resize(10 + most, String::new());
                writer.write_record(&row)?;
            }
        }
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// `GET /partnerships/{id}/opportunities/matrix.csv`.
pub async fn matrix_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let programme = records::programme(&state, &viewer, id).await?;
    let body = matrix_csv_text(&programme).map_err(|e| WebError::Internal(e.into()))?;
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

// ----- the ranking -----

/// `GET /partnerships/{id}/opportunities/ranking`: every complete assessment ranked by score
/// under its version of the criteria, with how close each is to another outcome.
pub async fn ranking(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let programme = records::programme(&state, &viewer, id).await?;
    let name = &programme.partnership.name;
    let grouped = groups(&programme);
    let mut sections = Vec::new();
    for (version, _) in &grouped.versions {
        let mut ranked: Vec<&Entry> = programme
            .entries
            .iter()
            .filter(|e| e.version == version.version() && e.gateway.report().is_some())
            .collect();
        ranked.sort_by_key(|e| e.gateway.report().map_or(usize::MAX, |r| r.rank));
        if ranked.is_empty() {
            continue;
        }
        let mut t = Table::new(
            format!("Ranked under version {} of the criteria", version.version()),
            vec![
                Column::numeric("Rank"),
                Column::text("Service"),
                Column::text("Outcome"),
                Column::numeric("Score"),
                Column::text("Closest change of outcome"),
                Column::text("Status"),
            ],
        );
        for e in ranked {
            let Some(report) = e.gateway.report() else {
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
                    a class="govuk-link" href={ (href(id, o.id)) "/assessment" } { (o.service.name) }
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
    let unranked: Vec<&Entry> = programme
        .entries
        .iter()
        .filter(|e| e.gateway.report().is_none())
        .collect();
    let passes = programme
        .entries
        .iter()
        .filter(|e| {
            e.gateway
                .report()
                .is_some_and(|r| r.outcome != Outcome::Fail)
        })
        .count();
    let content = html! {
        span class="govuk-caption-l" { (name) }
        h1 class="govuk-heading-xl" { "The programme ranked" }
        p class="govuk-body-l" {
            "Every opportunity with a complete assessment, by weighted score. "
            (passes) " pass the gateway."
        }
        p class="govuk-body" {
            "Equal scores are ordered by the parts of the rule that do not depend on weights (no critical Red and not too many criteria below Green first), "
            "then fewer Reds, then fewer criteria below Green. Ranks compare scores under one version of the criteria only."
        }
        @for t in &sections { div class="accord-table-scroll" role="region" aria-label=(t.caption) tabindex="0" { (table(t)) } }
        @if sections.is_empty() {
            p class="govuk-body" { "No opportunity has a complete assessment yet." }
        }
        @if !unranked.is_empty() {
            h2 class="govuk-heading-m" { "Not ranked: assessment not complete" }
            ul class="govuk-list govuk-list--bullet" {
                @for e in &unranked {
                    li {
                        a class="govuk-link" href=(href(id, e.opportunity().id)) { (e.opportunity().service.name) }
                        " — " (e.opportunity().status.describe())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_defused() {
        let cases = [
            ("Legal Services", "Legal Services"),
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("-2", "'-2"),
        ];
        for (text, expected) in cases {
            assert_eq!(safe(text), expected);
        }
    }

    #[test]
    fn svg_text_is_escaped() {
        assert_eq!(
            escape("R&D <b>\"x\"</b>"),
            "R&amp;D &lt;b&gt;&quot;x&quot;&lt;/b&gt;"
        );
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
