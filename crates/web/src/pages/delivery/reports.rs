//! Reporting: the programme timeline (Gantt), the programme progress report (Appendix B of the
//! Haringey report) with its published versions, each project's highlight reports with their
//! published versions, and the partnership's iCalendar feed.
//!
//! A published report is rendered from its frozen snapshot alone — never from live data — so
//! the page of a published version is the same, byte for byte, whatever has changed since.
//! Each handler calls one use case of `accord_app::delivery`.

use accord_app::AppError;
use accord_app::delivery::highlight_reports::{self, StartHighlight};
use accord_app::delivery::{ProjectEntry, StoredHighlight, calendar, progress_report, timeline};
use accord_domain::access::{Action, Area};
use accord_domain::highlight_report::{Confidence, HighlightContent, HighlightDraft, Rag};
use accord_domain::mou::long_date;
use accord_domain::progress_report::ProgressReport;
use accord_domain::{Invalid, Partnership};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use super::charts::{gantt_chart, gantt_table};
use super::common::{
    classification, classification_radios, form_refusal, form_version, lines, may_do, meta_tag,
    paragraphs, partnership,
};
use super::projects::project_path;
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    self, ButtonKind, Choice, Column, Field, SummaryRow, Table, TagColour, button, button_link,
    date_input, error_summary, form, radios, summary_list, table, tag, text_input, textarea,
};
use crate::delivery;
use crate::error::WebError;
use crate::forms::{DateParts, FormData};
use crate::guard::GuardedRecord;
use crate::layout::Page;
use crate::pages::common::render;

/// The title of the programme progress report, as the Haringey report's Appendix B names it.
pub const PROGRESS_TITLE: &str = accord_domain::progress_report::TITLE;

/// The address of the published versions of the progress report.
fn versions_path(id: i64) -> String {
    format!("/partnerships/{id}/progress-report/versions")
}

/// A small form that shows a page as at another date.
fn as_at_form(action: &str, parts: &DateParts, errors: &Invalid) -> Markup {
    html! {
        form method="get" action=(action) novalidate class="accord-no-print" {
            (date_input(&Field::new("on", "Show as at another date").hint("For example, 21 7 2011 — the date of the Corporate Committee report").errors(errors), parts))
            (button("Show", ButtonKind::Secondary))
        }
    }
}

// ----- the timeline -----

/// `GET /partnerships/{id}/timeline`: the programme's Gantt chart and its table.
pub async fn timeline_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(format): Query<Format>,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let (on, parts, errors) = format.as_at(state.today());
    let t = timeline::timeline(&state.app, &viewer.caller(), id, on).await?;
    let content = html! {
        (error_summary(&errors))
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { "Programme timeline" }
        p class="govuk-body" {
            "Every project’s stages, phases and milestones: baseline against forecast, as on " (long_date(on)) "."
        }
        (as_at_form(&format!("/partnerships/{id}/timeline"), &parts, &errors))
        (gantt_chart(&t))
        (gantt_table(&t))
    };
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("Programme timeline – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}"))
            .breadcrumb("Projects", format!("/partnerships/{id}/projects")),
        content,
    ))
}

// ----- the programme progress report -----

/// How a report page is asked for: as a page of the service or as the committee paper, and
/// as at which date.
#[derive(Debug, Default, Deserialize)]
pub struct Format {
    /// `paper` for the printable committee paper.
    #[serde(default)]
    format: Option<String>,
    /// `3` to show delivery confidence on three points.
    #[serde(default)]
    points: Option<String>,
    /// The date to report as at, `YYYY-MM-DD`.
    #[serde(default)]
    on: Option<String>,
    #[serde(default, rename = "on-day")]
    day: Option<String>,
    #[serde(default, rename = "on-month")]
    month: Option<String>,
    #[serde(default, rename = "on-year")]
    year: Option<String>,
}

impl Format {
    /// The date asked for (today when none), the boxes to show, and any problem with it.
    fn as_at(&self, today: chrono::NaiveDate) -> (chrono::NaiveDate, DateParts, Invalid) {
        if let Some(on) = self.on.as_deref().filter(|s| !s.is_empty()) {
            return match accord_domain::authority::parse_date("on", on) {
                Ok(d) => (d, DateParts::from_date(d), Invalid::new()),
                Err(e) => (today, DateParts::default(), e),
            };
        }
        let parts = DateParts::new(
            self.day.clone().unwrap_or_default(),
            self.month.clone().unwrap_or_default(),
            self.year.clone().unwrap_or_default(),
        );
        if parts.is_empty() {
            return (today, DateParts::from_date(today), Invalid::new());
        }
        match parts.parse("on", "the date to report as at") {
            Ok(d) => (d, parts, Invalid::new()),
            Err(e) => (today, parts, e),
        }
    }
    fn paper(&self) -> bool {
        self.format.as_deref() == Some("paper")
    }

    fn three_point(&self) -> bool {
        self.points.as_deref() == Some("3")
    }
}

/// The report's content, built from the report alone.
pub fn progress_content(
    report: &ProgressReport,
    published: Option<(u32, chrono::NaiveDate)>,
    actions: Markup,
) -> Markup {
    let totals = &report.totals;
    let mut summary = Table::new(
        "Summary",
        vec![
            Column::text("Project"),
            Column::numeric("Potential cashable savings"),
            Column::text("Outcome"),
            Column::numeric("Dates beyond tolerance"),
        ],
    )
    .row_headers();
    for e in &report.entries {
        summary = summary.row(vec![
            html! { a class="govuk-link" href={ "#project-" (e.number) } { (e.number) ". " (e.name) } },
            html! { (e.cashable_savings_label) },
            html! { (e.outcome_label) },
            html! { (e.exceptions) },
        ]);
    }
    html! {
        h1 class="govuk-heading-xl" { (report.title) }
        p class="govuk-body-l" {
            "As at " (long_date(report.as_at))
                        @if let Some((version, on)) = published { ". Version " (version) ", published " (long_date(on)) }
            "."
        }
        (actions)
        (summary_list(&[
            SummaryRow::new("Stated potential cashable savings", html! {
                (totals.stated_savings.whole_pounds()) " a year, from " (totals.with_amount) " project" @if totals.with_amount != 1 { "s" }
            }),
            SummaryRow::new("Savings to be assessed (TBA)", html! { (totals.tba) " project" @if totals.tba != 1 { "s" } }),
            SummaryRow::new("Savings not stated", html! { (totals.not_stated) " project" @if totals.not_stated != 1 { "s" } }),
            SummaryRow::new("Dates beyond tolerance", html! { (totals.exceptions) }),
        ]))
        (table(&summary))
        @for e in &report.entries {
            section class="accord-report-entry" aria-labelledby={ "project-" (e.number) } {
                h2 class="govuk-heading-l" id={ "project-" (e.number) } { (e.number) ". " (e.name) }
                (summary_list(&[
                    SummaryRow::new("Scope of the shared service opportunity", html! {
                        @if e.opportunity.trim().is_empty() { span class="govuk-hint" { (accord_domain::seed::NOT_STATED) } } @else { (e.opportunity) }
                    }),
                    SummaryRow::new("Implementation activity", html! {
                        @if !e.implementation.trim().is_empty() { (paragraphs(&e.implementation)) }
                        @if !e.schedule.is_empty() {
                            ul class="govuk-list govuk-list--bullet" {
                                @for line in &e.schedule {
                                    li { (line.words) @if line.exception { " " (tag("Beyond tolerance", TagColour::Red)) } }
                                }
                            }
                        }
                        @if e.implementation.trim().is_empty() && e.schedule.is_empty() {
                            span class="govuk-hint" { (accord_domain::seed::NOT_STATED) }
                        }
                    }),
                    SummaryRow::new("Potential cashable savings", html! { (e.cashable_savings_label) }),
                    SummaryRow::new("Anticipated non-cashable benefits", html! {
                        @if e.non_cashable_benefits.is_empty() { span class="govuk-hint" { (accord_domain::seed::NOT_STATED) } }
                        @else { ul class="govuk-list govuk-list--bullet" { @for b in &e.non_cashable_benefits { li { (b) } } } }
                    }),
                    SummaryRow::new("Outcome", html! { (e.outcome_label) }),
                ]))
                @if let Some(source) = &e.source {
                    p class="govuk-body-s accord-source" { "Source: " (source) }
                }
            }
        }
    }
}

/// A committee paper: the report alone in a plain printable document.
fn paper_document(state: &AppState, title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en-GB" class="govuk-template accord-paper-document" {
            head {
                meta charset="utf-8";
                title { (title) " – " (state.config.service_name) }
                meta name="viewport" content="width=device-width, initial-scale=1";
                link rel="stylesheet" href=(crate::assets::ACCORD_CSS);
            }
            body class="govuk-template__body" {
                div class="govuk-width-container" {
                    main class="govuk-main-wrapper accord-paper" id="main-content" {
                        p class="govuk-caption-m" { (state.config.organisation) }
                        (content)
                    }
                }
            }
        }
    }
}

/// `GET /partnerships/{id}/progress-report`: the report built now from the live data.
pub async fn progress_live(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(format): Query<Format>,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let today = state.today();
    let (on, parts, errors) = format.as_at(today);
    let report = progress_report::live(&state.app, &viewer.caller(), id, on).await?;
    let paper_link = if on == today {
        format!("/partnerships/{id}/progress-report?format=paper")
    } else {
        format!("/partnerships/{id}/progress-report?format=paper&on={on}")
    };
    if format.paper() {
        return Ok(paper_document(
            &state,
            PROGRESS_TITLE,
            progress_content(&report, None, html! {}),
        ));
    }
    let publisher = may_do(
        &viewer,
        Action::Release,
        &delivery::meta(
            Area::Programme,
            id,
            None,
            accord_domain::access::Classification::Partnership,
        ),
        today,
    );
    let actions = html! {
        div class="govuk-button-group accord-no-print" {
            (button_link("Committee paper (print or save as PDF)", &paper_link, ButtonKind::Secondary))
            (button_link("Published versions", &versions_path(id), ButtonKind::Secondary))
        }
        (as_at_form(&format!("/partnerships/{id}/progress-report"), &parts, &errors))
    };
    let content = html! {
        (error_summary(&errors))
        span class="govuk-caption-l" { (p.name) }
        (progress_content(&report, None, actions))
        @if publisher && on == today {
            div class="accord-no-print" {
                h2 class="govuk-heading-l" { "Publish this report" }
                p class="govuk-body" { "Publishing freezes the report as it stands today. Later changes to the projects never change a published version." }
                (form(&versions_path(id), &viewer.csrf, html! {
                    (classification_radios("classification", "Who may see the published version?", "", &Invalid::new()))
                    (button("Publish", ButtonKind::Primary))
                }))
            }
        }
    };
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("{PROGRESS_TITLE} – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}")),
        content,
    ))
}

/// `POST /partnerships/{id}/progress-report/versions`: publishes the report as it stands
/// today as the next version, frozen.
pub async fn publish_progress_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    form_data: FormData,
) -> Result<Response, WebError> {
    partnership(&state, id).await?;
    let class = classification(&form_data, "classification")?;
    let published = progress_report::publish(&state.app, &viewer.caller(), id, class).await?;
    Ok(Redirect::to(&format!(
        "{}/{}",
        versions_path(id),
        published.snapshot.version()
    ))
    .into_response())
}

/// `GET /partnerships/{id}/progress-reports`: moved, with one path for the progress report,
/// to `…/progress-report/versions`.
pub async fn old_progress_versions(Path(id): Path<i64>) -> Response {
    Redirect::permanent(&versions_path(id)).into_response()
}

/// `POST /partnerships/{id}/progress-reports`: moved to `…/progress-report/versions`; the
/// permanent redirect keeps the method, so an old form still publishes.
pub async fn old_publish_progress(Path(id): Path<i64>) -> Response {
    Redirect::permanent(&versions_path(id)).into_response()
}

/// `GET /partnerships/{id}/progress-reports/{record_id}`: an old address of a published
/// version. The guard redirects it to `…/progress-report/versions/{version}`; a record it
/// could not name that way is not there.
pub async fn old_progress_version() -> Result<Markup, WebError> {
    Err(WebError::NotFound)
}

/// `GET /partnerships/{id}/progress-report/versions`: the published versions.
pub async fn progress_versions(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let today = state.today();
    let versions = progress_report::versions(&state.app, &viewer.caller(), id).await?;
    let content = html! {
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { "Published progress reports" }
        @if versions.is_empty() {
            p class="govuk-body" { "No version has been published yet." }
        } @else {
            ul class="govuk-list" {
                @for v in &versions {
                    li { a class="govuk-link" href={ (versions_path(id)) "/" (v.version) } { (v.title) } " " (meta_tag(&v.meta, today)) }
                }
            }
        }
        p class="govuk-body" { a class="govuk-link" href={ "/partnerships/" (id) "/progress-report" } { "The report as it stands today" } }
    };
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("Published progress reports – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}")),
        content,
    ))
}

/// The version number a progress report's address names.
fn version_number(record: &accord_app::records::StoredRecord) -> Result<u32, WebError> {
    record
        .reference
        .as_deref()
        .and_then(|r| r.parse::<u32>().ok())
        .ok_or(WebError::NotFound)
}

/// `GET /partnerships/{id}/progress-report/versions/{reference}`: a published version,
/// rendered from its frozen snapshot only.
pub async fn progress_version(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    Query(format): Query<Format>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let version = version_number(&record)?;
    let stored = progress_report::version(&state.app, &viewer.caller(), id, version).await?;
    let snapshot = &stored.snapshot;
    let published = Some((snapshot.version(), snapshot.published_on()));
    let actions = html! {
        @if !format.paper() {
            div class="govuk-button-group accord-no-print" {
                (button_link("Committee paper (print or save as PDF)", "?format=paper", ButtonKind::Secondary))
            }
        }
    };
    let content = progress_content(snapshot.content(), published, actions);
    let title = format!(
        "{} (version {})",
        snapshot.content().title,
        snapshot.version()
    );
    if format.paper() {
        return Ok(paper_document(&state, &title, content));
    }
    Ok(render(
        &state,
        &viewer,
        Page::new(title)
            .breadcrumb("Partnerships", "/")
            .breadcrumb("Published progress reports", versions_path(id)),
        content,
    ))
}

// ----- highlight reports -----

fn confidence_rag(confidence: Confidence, three_point: bool) -> components::Rag {
    if three_point {
        return rag_of(confidence.three_point());
    }
    match confidence {
        Confidence::Green => components::Rag::Green,
        Confidence::AmberGreen => components::Rag::AmberGreen,
        Confidence::Amber => components::Rag::Amber,
        Confidence::AmberRed => components::Rag::AmberRed,
        Confidence::Red => components::Rag::Red,
    }
}

fn rag_of(rating: Rag) -> components::Rag {
    match rating {
        Rag::Green => components::Rag::Green,
        Rag::Amber => components::Rag::Amber,
        Rag::Red => components::Rag::Red,
    }
}

fn ratings(draft: &HighlightDraft, three_point: bool) -> Markup {
    let mut t = Table::new(
        "Ratings",
        vec![Column::text("Measure"), Column::text("Rating")],
    )
    .row_headers();
    t = t.row(vec![
        html! { "Delivery confidence" },
        html! { (components::rag(confidence_rag(draft.confidence, three_point))) " " (draft.confidence.shown(three_point)) },
    ]);
    for (name, rating) in [
        ("Time", draft.time),
        ("Cost", draft.cost),
        ("Scope", draft.scope),
        ("Benefits", draft.benefits),
    ] {
        t = t.row(vec![
            html! { (name) },
            html! { (components::rag(rag_of(rating))) " " (rating.label()) },
        ]);
    }
    table(&t)
}

fn draft_body(draft: &HighlightDraft, three_point: bool) -> Markup {
    html! {
        p class="govuk-body-l" { "Period: " (long_date(draft.period_start)) " to " (long_date(draft.period_end)) }
        (ratings(draft, three_point))
        h2 class="govuk-heading-m" { "What happened" }
        (paragraphs(&draft.narrative))
        @if !draft.next_steps.is_empty() {
            h2 class="govuk-heading-m" { "Next steps" }
            ul class="govuk-list govuk-list--bullet" { @for s in &draft.next_steps { li { (s) } } }
        }
        @if !draft.escalations.is_empty() {
            h2 class="govuk-heading-m" { "For escalation" }
            ul class="govuk-list govuk-list--bullet" { @for s in &draft.escalations { li { (s) } } }
        }
        p class="govuk-body" { "Author: " (draft.author) }
    }
}

/// A published version's content, built from the snapshot alone.
pub fn highlight_content(
    content: &HighlightContent,
    version: u32,
    on: chrono::NaiveDate,
    three_point: bool,
) -> Markup {
    html! {
        span class="govuk-caption-l" { "Highlight report, version " (version) ", published " (long_date(on)) }
        h1 class="govuk-heading-xl" { (content.project_name) }
        (draft_body(&content.report, three_point))
        p class="govuk-body" { "Potential cashable savings: " (content.cashable_savings) }
        @if !content.schedule.is_empty() {
            h2 class="govuk-heading-m" { "Schedule when published" }
            ul class="govuk-list govuk-list--bullet" {
                @for line in &content.schedule {
                    li { (line.words) @if line.exception { " " (tag("Beyond tolerance", TagColour::Red)) } }
                }
            }
        }
    }
}

fn highlights_path(id: i64, project: &str) -> String {
    format!("{}/highlight-reports", project_path(id, project))
}

fn highlight_path(id: i64, report: &StoredHighlight) -> String {
    format!(
        "{}/{}",
        highlights_path(id, &report.project_reference()),
        report.number
    )
}

/// The project the guard found, by its reference or an old address's record id.
fn project_reference(record: &accord_app::records::StoredRecord) -> String {
    record.reference.clone().unwrap_or_default()
}

/// `GET /partnerships/{id}/projects/{reference}/highlight-reports`.
pub async fn highlight_list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let today = state.today();
    let (project, reports) = highlight_reports::list(
        &state.app,
        &viewer.caller(),
        id,
        &project_reference(&record),
    )
    .await?;
    let editor = may_do(&viewer, Action::Update, &project.meta, today);
    let content = html! {
        span class="govuk-caption-l" { (project.project.name) }
        h1 class="govuk-heading-xl" { "Highlight reports" }
        @if reports.is_empty() {
            p class="govuk-body" { "No highlight reports you can see." }
        } @else {
            ul class="govuk-list" {
                @for r in &reports {
                    li {
                        a class="govuk-link" href=(highlight_path(id, r)) { (r.title) }
                        " "
                        @if r.report.versions().is_empty() { (tag("Draft", TagColour::Grey)) } @else { (tag("Published", TagColour::Green)) }
                    }
                }
            }
        }
        @if editor {
            (button_link("Write a highlight report", &format!("{}/new", highlights_path(id, &project.reference())), ButtonKind::Secondary))
        }
    };
    Ok(render(
        &state,
        &viewer,
        project_page(&p, &project, "Highlight reports"),
        content,
    ))
}

fn project_page(p: &Partnership, project: &ProjectEntry, title: &str) -> Page {
    Page::new(format!("{title} – {}", project.project.name))
        .breadcrumb("Partnerships", "/")
        .breadcrumb(p.name.clone(), format!("/partnerships/{}", p.id))
        .breadcrumb("Projects", format!("/partnerships/{}/projects", p.id))
        .breadcrumb(
            project.project.name.clone(),
            project_path(p.id, &project.reference()),
        )
}

fn draft_form_data(draft: &HighlightDraft) -> FormData {
    let rag = |r: Rag| r.label().to_lowercase();
    let mut form = FormData::from_pairs([
        ("confidence", slug(draft.confidence)),
        ("time", rag(draft.time)),
        ("cost", rag(draft.cost)),
        ("scope", rag(draft.scope)),
        ("benefits", rag(draft.benefits)),
        ("narrative", draft.narrative.clone()),
        ("next_steps", draft.next_steps.join("\n")),
        ("escalations", draft.escalations.join("\n")),
        ("author", draft.author.clone()),
    ]);
    for (name, date) in [
        ("period_start", draft.period_start),
        ("period_end", draft.period_end),
    ] {
        let parts = DateParts::from_date(date);
        form.set(&format!("{name}-day"), &parts.day);
        form.set(&format!("{name}-month"), &parts.month);
        form.set(&format!("{name}-year"), &parts.year);
    }
    form
}

fn slug<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn draft_fields(form_data: &FormData, errors: &Invalid, with_class: bool) -> Markup {
    let confidence: Vec<(String, &str)> = Confidence::ALL
        .iter()
        .map(|c| (slug(*c), c.label()))
        .collect();
    let confidence_choices: Vec<Choice> =
        confidence.iter().map(|(v, t)| Choice::new(v, t)).collect();
    let rags = [
        Choice::new("green", "Green"),
        Choice::new("amber", "Amber"),
        Choice::new("red", "Red"),
    ];
    html! {
        (date_input(&Field::new("period_start", "First day of the period").errors(errors), &form_data.date("period_start")))
        (date_input(&Field::new("period_end", "Last day of the period").errors(errors), &form_data.date("period_end")))
        (radios(&Field::new("confidence", "Delivery confidence").hint("The five-point Gateway scale").value(form_data.get("confidence")).errors(errors), &confidence_choices))
        (radios(&Field::new("time", "Time").value(form_data.get("time")).errors(errors), &rags))
        (radios(&Field::new("cost", "Cost").value(form_data.get("cost")).errors(errors), &rags))
        (radios(&Field::new("scope", "Scope").value(form_data.get("scope")).errors(errors), &rags))
        (radios(&Field::new("benefits", "Benefits").value(form_data.get("benefits")).errors(errors), &rags))
        (textarea(&Field::new("narrative", "What happened in the period").value(form_data.get("narrative")).rows(6).errors(errors)))
        (textarea(&Field::new("next_steps", "Next steps (optional)").hint("One a line").value(form_data.get("next_steps")).rows(3).errors(errors)))
        (textarea(&Field::new("escalations", "Items for escalation (optional)").hint("One a line").value(form_data.get("escalations")).rows(3).errors(errors)))
        (text_input(&Field::new("author", "Author").value(form_data.get("author")).errors(errors)))
        @if with_class {
            (classification_radios("classification", "Who may see it?", form_data.get("classification"), errors))
        }
    }
}

/// Reads the highlight report form.
pub fn draft_from(form: &FormData) -> Result<HighlightDraft, Invalid> {
    let mut invalid = Invalid::new();
    let start = invalid.check(
        form.date("period_start")
            .parse("period_start", "the first day of the period"),
    );
    let end = invalid.check(
        form.date("period_end")
            .parse("period_end", "the last day of the period"),
    );
    let confidence = match form.get("confidence") {
        "" => {
            invalid.push("confidence", "Choose the delivery confidence");
            None
        }
        text => invalid.check(delivery::parse_slug::<Confidence>(
            "confidence",
            text,
            "a delivery confidence",
        )),
    };
    let mut rag = |field: &str| match form.get(field) {
        "" => {
            invalid.push(field, format!("Choose a rating for {field}"));
            None
        }
        text => invalid.check(delivery::parse_slug::<Rag>(
            field,
            text,
            "red, amber or green",
        )),
    };
    let (time, cost, scope, benefits) = (rag("time"), rag("cost"), rag("scope"), rag("benefits"));
    invalid.into_result()?;
    match (start, end, confidence, time, cost, scope, benefits) {
        (
            Some(period_start),
            Some(period_end),
            Some(confidence),
            Some(time),
            Some(cost),
            Some(scope),
            Some(benefits),
        ) => Ok(HighlightDraft {
            period_start,
            period_end,
            confidence,
            time,
            cost,
            scope,
            benefits,
            narrative: form.get("narrative").trim().to_owned(),
            next_steps: lines(form.get("next_steps")),
            escalations: lines(form.get("escalations")),
            author: form.get("author").trim().to_owned(),
        }),
        _ => Err(Invalid::field("period_start", "Enter the period")),
    }
}

fn new_highlight_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    project: &ProjectEntry,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (project.project.name) }
        h1 class="govuk-heading-xl" { "Write a highlight report" }
        (form(&highlights_path(p.id, &project.reference()), &viewer.csrf, html! {
            (draft_fields(form_data, errors, true))
            (button("Save draft", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        project_page(p, project, "Write a highlight report").with_errors(errors),
        content,
    )
}

/// `GET /partnerships/{id}/projects/{reference}/highlight-reports/new`.
pub async fn highlight_new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let project = accord_app::delivery::projects::get(
        &state.app,
        &viewer.caller(),
        id,
        &project_reference(&record),
    )
    .await?;
    Ok(new_highlight_page(
        &state,
        &viewer,
        &p,
        &project,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// `POST /partnerships/{id}/projects/{reference}/highlight-reports`.
pub async fn highlight_create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let reference = project_reference(&record);
    let caller = viewer.caller();
    let mut invalid = Invalid::new();
    let draft = invalid.check(draft_from(&form_data));
    let class = invalid.check(classification(&form_data, "classification"));
    let result = match (draft, class) {
        (Some(draft), Some(classification)) => {
            highlight_reports::start(
                &state.app,
                &caller,
                id,
                &reference,
                StartHighlight {
                    draft,
                    classification,
                },
            )
            .await
        }
        _ => Err(invalid.into()),
    };
    match result {
        Ok(report) => Ok(Redirect::to(&highlight_path(id, &report)).into_response()),
        Err(error) => {
            let (status, errors) = form_refusal(error)?;
            let project =
                accord_app::delivery::projects::get(&state.app, &caller, id, &reference).await?;
            Ok((
                status,
                new_highlight_page(&state, &viewer, &p, &project, &form_data, &errors),
            )
                .into_response())
        }
    }
}

fn highlight_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    project: &ProjectEntry,
    report: &StoredHighlight,
    three_point: bool,
    errors: &Invalid,
) -> Markup {
    let today = state.today();
    let editor = may_do(viewer, Action::Update, &report.meta, today);
    let publisher = may_do(viewer, Action::Release, &report.meta, today);
    let r = &report.report;
    let base = highlight_path(p.id, report);
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (report.title) }
        h1 class="govuk-heading-xl" { "Highlight report" }
        (summary_list(&[
            SummaryRow::new("Published versions", html! {
                @if r.versions().is_empty() { "None yet" }
                @else {
                    ul class="govuk-list" {
                        @for v in r.versions() {
                            li { a class="govuk-link" href={ (base) "/versions/" (v.version()) } { "Version " (v.version()) ", published " (long_date(v.published_on())) } }
                        }
                    }
                }
            }),
            SummaryRow::new("Draft", html! {
                @if r.has_unpublished_changes() { "Has changes not yet published" } @else { "The same as the latest published version" }
            }),
            SummaryRow::new("Who may see it", meta_tag(&report.meta, today)),
        ]))
        h2 class="govuk-heading-l" { "The draft" }
        (draft_body(&r.draft, three_point))
        p class="govuk-body" {
            @if three_point {
                a class="govuk-link" href="?" { "Show delivery confidence on five points" }
            } @else {
                a class="govuk-link" href="?points=3" { "Show delivery confidence on three points" }
            }
        }
        div class="govuk-button-group" {
            @if editor {
                (button_link("Edit the draft", &format!("{base}/edit"), ButtonKind::Secondary))
            }
        }
        @if publisher && r.has_unpublished_changes() {
            (form(&format!("{base}/publish"), &viewer.csrf, html! {
                input type="hidden" name="version" value=(report.version);
                p class="govuk-body" { "Publishing freezes the draft and the project’s schedule as they stand today as the next version. Later edits make a new version." }
                (button("Publish the draft", ButtonKind::Primary))
            }))
        }
    };
    render(
        state,
        viewer,
        project_page(p, project, &report.title).with_errors(errors),
        content,
    )
}

/// `GET /partnerships/{id}/projects/{reference}/highlight-reports/{number}`: the draft and the
/// published versions.
pub async fn highlight_show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _, number)): Path<(i64, String, u32)>,
    Query(format): Query<Format>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let (project, report) = highlight_reports::get(
        &state.app,
        &viewer.caller(),
        id,
        &project_reference(&record),
        number,
    )
    .await?;
    Ok(highlight_page(
        &state,
        &viewer,
        &p,
        &project,
        &report,
        format.three_point(),
        &Invalid::new(),
    ))
}

fn edit_highlight_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    project: &ProjectEntry,
    report: &StoredHighlight,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (report.title) }
        h1 class="govuk-heading-xl" { "Edit the draft" }
        p class="govuk-body" { "Published versions do not change: publish the draft again to make a new version." }
        (form(&format!("{}/edit", highlight_path(p.id, report)), &viewer.csrf, html! {
            input type="hidden" name="version" value=(report.version);
            (draft_fields(form_data, errors, false))
            (button("Save draft", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        project_page(p, project, "Edit the draft").with_errors(errors),
        content,
    )
}

/// `GET /partnerships/{id}/projects/{reference}/highlight-reports/{number}/edit`.
pub async fn highlight_edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _, number)): Path<(i64, String, u32)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let (project, report) = highlight_reports::get(
        &state.app,
        &viewer.caller(),
        id,
        &project_reference(&record),
        number,
    )
    .await?;
    let form_data = draft_form_data(&report.report.draft);
    Ok(edit_highlight_page(
        &state,
        &viewer,
        &p,
        &project,
        &report,
        &form_data,
        &Invalid::new(),
    ))
}

/// `POST /partnerships/{id}/projects/{reference}/highlight-reports/{number}/edit`.
pub async fn highlight_edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _, number)): Path<(i64, String, u32)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let reference = project_reference(&record);
    let caller = viewer.caller();
    let mut invalid = Invalid::new();
    let version = invalid.check(form_version(&form_data)).flatten();
    let draft = invalid.check(draft_from(&form_data));
    let result = match draft {
        Some(draft) if invalid.is_empty() => {
            highlight_reports::edit_draft(
                &state.app, &caller, id, &reference, number, version, draft,
            )
            .await
        }
        _ => Err(invalid.into()),
    };
    let error = match result {
        Ok(report) => return Ok(Redirect::to(&highlight_path(id, &report)).into_response()),
        Err(error) => error,
    };
    let (status, errors) = form_refusal(error)?;
    let (project, report) =
        highlight_reports::get(&state.app, &caller, id, &reference, number).await?;
    // A conflict shows the draft as it is now; a refusal keeps what was typed.
    let shown = if status == StatusCode::CONFLICT {
        draft_form_data(&report.report.draft)
    } else {
        form_data
    };
    Ok((
        status,
        edit_highlight_page(&state, &viewer, &p, &project, &report, &shown, &errors),
    )
        .into_response())
}

/// `POST /partnerships/{id}/projects/{reference}/highlight-reports/{number}/publish`.
pub async fn highlight_publish(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _, number)): Path<(i64, String, u32)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let reference = project_reference(&record);
    let caller = viewer.caller();
    let result = match form_version(&form_data) {
        Ok(version) => {
            highlight_reports::publish(&state.app, &caller, id, &reference, number, version).await
        }
        Err(e) => Err(AppError::from(e)),
    };
    let error = match result {
        Ok(report) => {
            let version = report.report.versions().len();
            return Ok(Redirect::to(&format!(
                "{}/versions/{version}",
                highlight_path(id, &report)
            ))
            .into_response());
        }
        Err(error) => error,
    };
    let (status, errors) = form_refusal(error)?;
    let (project, report) =
        highlight_reports::get(&state.app, &caller, id, &reference, number).await?;
    Ok((
        status,
        highlight_page(&state, &viewer, &p, &project, &report, false, &errors),
    )
        .into_response())
}

/// `GET /partnerships/{id}/projects/{reference}/highlight-reports/{number}/versions/{version}`:
/// a published version, rendered from its frozen snapshot only.
pub async fn highlight_version(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _, number, version)): Path<(i64, String, u32, u32)>,
    Query(format): Query<Format>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let (_, report) = highlight_reports::get(
        &state.app,
        &viewer.caller(),
        id,
        &project_reference(&record),
        number,
    )
    .await?;
    let snapshot = report.report.version(version).ok_or(WebError::NotFound)?;
    let content = highlight_content(
        snapshot.content(),
        snapshot.version(),
        snapshot.published_on(),
        format.three_point(),
    );
    let title = format!(
        "Highlight report: {} (version {})",
        snapshot.content().project_name,
        snapshot.version()
    );
    if format.paper() {
        return Ok(paper_document(&state, &title, content));
    }
    Ok(render(
        &state,
        &viewer,
        Page::new(title)
            .breadcrumb("Partnerships", "/")
            .breadcrumb("Highlight report", highlight_path(id, &report)),
        html! {
            div class="govuk-button-group accord-no-print" {
                (button_link("Print version", "?format=paper", ButtonKind::Secondary))
            }
            (content)
        },
    ))
}

/// `GET /partnerships/{id}/highlight-reports/{record_id}…`: an old address of a report. The
/// guard redirects it under its project; a record it could not name that way is not there.
pub async fn old_highlight() -> Result<Markup, WebError> {
    Err(WebError::NotFound)
}

// ----- the calendar feed -----

/// `GET /partnerships/{id}/calendar.ics`: board meetings, project dates and MOU reviews the
/// reader may see, as an iCalendar (RFC 5545) feed. Calendars that cannot sign in see only
/// published records. Agendas and paper titles are never in the feed: papers may be embargoed.
pub async fn calendar_feed(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    partnership(&state, id).await?;
    let text = calendar::feed(
        &state.app,
        &viewer.caller(),
        id,
        chrono::Utc::now().naive_utc(),
    )
    .await?;
    Ok((
        [
            (CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("inline; filename=\"partnership-{id}.ics\""),
            ),
        ],
        text,
    )
        .into_response())
}
