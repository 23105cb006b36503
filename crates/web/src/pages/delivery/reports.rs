//! Reporting: the programme timeline (Gantt), the programme progress report (Appendix B of the
//! Haringey report) with its published snapshots, each project's highlight reports with their
//! published versions, and the partnership's iCalendar feed.
//!
//! A published report is rendered from its frozen snapshot alone — never from live data — so
//! the page of a published version is the same, byte for byte, whatever has changed since.

use accord_domain::access::{Action, Area};
use accord_domain::highlight_report::{
    Confidence, HighlightContent, HighlightDraft, HighlightReport, Rag, Snapshot,
};
use accord_domain::mou::long_date;
use accord_domain::progress_report::{self, ProgressReport};
use accord_domain::project::{Project, timeline};
use accord_domain::{Invalid, Partnership};
use accord_store::RecordQuery;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use super::charts::{gantt_chart, gantt_table};
use super::common::{
    classification, classification_radios, classification_tag, lines, may_do, paragraphs,
    partnership, refusal,
};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    self, ButtonKind, Choice, Column, Field, SummaryRow, Table, TagColour, button, button_link,
    date_input, error_summary, form, radios, summary_list, table, tag, text_input, textarea,
};
use crate::delivery::{self, Loaded};
use crate::error::WebError;
use crate::forms::{DateParts, FormData, refused};
use crate::guard::{self, GuardedRecord};
use crate::layout::Page;
use crate::pages::common::render;

/// The title of the programme progress report, as the Haringey report's Appendix B names it.
pub const PROGRESS_TITLE: &str = "Shared services project summary update";

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
    let projects: Vec<Project> =
        delivery::projects(&*state.store, id, &viewer.scope(), state.today())
            .await?
            .into_iter()
            .map(|l| l.value)
            .collect();
    let t = timeline(&projects, on);
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
    let projects: Vec<Project> = delivery::projects(&*state.store, id, &viewer.scope(), today)
        .await?
        .into_iter()
        .map(|l| l.value)
        .collect();
    let report = progress_report::build(PROGRESS_TITLE, &projects, on);
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
            (button_link("Published versions", &format!("/partnerships/{id}/progress-reports"), ButtonKind::Secondary))
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
                (form(&format!("/partnerships/{id}/progress-reports"), &viewer.csrf, html! {
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

/// Publishes the programme progress report as it stands today: the next version, frozen.
pub async fn publish_progress(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    class: accord_domain::access::Classification,
) -> Result<Result<i64, Invalid>, WebError> {
    let today = state.today();
    let projects: Vec<Project> = delivery::projects(&*state.store, id, &viewer.scope(), today)
        .await?
        .into_iter()
        .map(|l| l.value)
        .collect();
    let report = progress_report::build(PROGRESS_TITLE, &projects, today);
    let published = state
        .store
        .count_records(
            &RecordQuery::of(delivery::PROGRESS_REPORT, id),
            &delivery::system_scope(),
            today,
        )
        .await?;
    let version = u32::try_from(published + 1).unwrap_or(u32::MAX);
    let snapshot = match progress_report::publish(report, version, today) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    let meta = delivery::meta(Area::Programme, id, None, class);
    guard::check(viewer, Action::Release, &meta, today)?;
    match state
        .store
        .insert_record(
            &delivery::progress_input(&snapshot, meta)?,
            &viewer.change(),
        )
        .await
    {
        Ok(record_id) => Ok(Ok(record_id)),
        Err(e) => refusal(e).map(Err),
    }
}

/// `POST /partnerships/{id}/progress-reports`.
pub async fn publish_progress_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    form_data: FormData,
) -> Result<Response, WebError> {
    partnership(&state, id).await?;
    let class = classification(&form_data, "classification")?;
    match publish_progress(&state, &viewer, id, class).await? {
        Ok(record_id) => Ok(Redirect::to(&format!(
            "/partnerships/{id}/progress-reports/{record_id}"
        ))
        .into_response()),
        Err(e) => Err(WebError::Unprocessable(e)),
    }
}

/// `GET /partnerships/{id}/progress-reports`: the published versions.
pub async fn progress_versions(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let today = state.today();
    let records = state
        .store
        .records(
            &RecordQuery {
                order: accord_store::RecordOrder::KeyDate,
                ..RecordQuery::of(delivery::PROGRESS_REPORT, id)
            },
            &viewer.scope(),
            today,
        )
        .await?;
    let content = html! {
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { "Published progress reports" }
        @if records.is_empty() {
            p class="govuk-body" { "No version has been published yet." }
        } @else {
            ul class="govuk-list" {
                @for r in &records {
                    li { a class="govuk-link" href={ "/partnerships/" (id) "/progress-reports/" (r.id) } { (r.title) } " " (classification_tag(r, today)) }
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

/// `GET /partnerships/{id}/progress-reports/{record_id}`: a published version, rendered from
/// its frozen snapshot only.
pub async fn progress_version(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    Query(format): Query<Format>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let snapshot = delivery::decode::<Snapshot<ProgressReport>>(record)?.value;
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
        Page::new(title).breadcrumb("Partnerships", "/").breadcrumb(
            "Published progress reports",
            format!("/partnerships/{id}/progress-reports"),
        ),
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

/// `GET /partnerships/{id}/projects/{record_id}/highlight-reports`.
pub async fn highlight_list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let today = state.today();
    let project = delivery::project_of(record)?;
    let editor = may_do(&viewer, Action::Update, &project.record.meta, today);
    let reports = state
        .store
        .records(
            &RecordQuery {
                parent_id: Some(record_id),
                order: accord_store::RecordOrder::KeyDate,
                ..RecordQuery::of(delivery::HIGHLIGHT_REPORT, id)
            },
            &viewer.scope(),
            today,
        )
        .await?;
    let content = html! {
        span class="govuk-caption-l" { (project.value.name) }
        h1 class="govuk-heading-xl" { "Highlight reports" }
        @if reports.is_empty() {
            p class="govuk-body" { "No highlight reports you can see." }
        } @else {
            ul class="govuk-list" {
                @for r in &reports {
                    li {
                        a class="govuk-link" href={ "/partnerships/" (id) "/highlight-reports/" (r.id) } { (r.title) }
                        " "
                        @if r.status.as_deref() == Some("published") { (tag("Published", TagColour::Green)) } @else { (tag("Draft", TagColour::Grey)) }
                    }
                }
            }
        }
        @if editor {
            (button_link("Write a highlight report", &format!("/partnerships/{id}/projects/{record_id}/highlight-reports/new"), ButtonKind::Secondary))
        }
    };
    Ok(render(
        &state,
        &viewer,
        project_page(&p, &project, "Highlight reports"),
        content,
    ))
}

fn project_page(p: &Partnership, project: &Loaded<Project>, title: &str) -> Page {
    Page::new(format!("{title} – {}", project.value.name))
        .breadcrumb("Partnerships", "/")
        .breadcrumb(p.name.clone(), format!("/partnerships/{}", p.id))
        .breadcrumb("Projects", format!("/partnerships/{}/projects", p.id))
        .breadcrumb(
            project.value.name.clone(),
            format!("/partnerships/{}/projects/{}", p.id, project.id()),
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
    project: &Loaded<Project>,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (project.value.name) }
        h1 class="govuk-heading-xl" { "Write a highlight report" }
        (form(&format!("/partnerships/{}/projects/{}/highlight-reports", p.id, project.id()), &viewer.csrf, html! {
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

/// `GET /partnerships/{id}/projects/{record_id}/highlight-reports/new`.
pub async fn highlight_new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let project = delivery::project_of(record)?;
    Ok(new_highlight_page(
        &state,
        &viewer,
        &p,
        &project,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// Starts a highlight report for a project and stores its draft. Returns its record id.
pub async fn start_highlight(
    state: &AppState,
    viewer: &Viewer,
    project: &Loaded<Project>,
    draft: HighlightDraft,
    class: accord_domain::access::Classification,
) -> Result<Result<i64, Invalid>, WebError> {
    let Some(pid) = project.record.meta.partnership_id else {
        return Err(WebError::NotFound);
    };
    let report = match HighlightReport::new(&project.value, draft) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let meta = delivery::meta(
        Area::Programme,
        pid,
        project.record.meta.owner.clone(),
        class,
    );
    guard::check(viewer, Action::Create, &meta, state.today())?;
    match state
        .store
        .insert_record(
            &delivery::highlight_input(&report, &project.value, meta)?,
            &viewer.change(),
        )
        .await
    {
        Ok(id) => Ok(Ok(id)),
        Err(e) => refusal(e).map(Err),
    }
}

/// `POST /partnerships/{id}/projects/{record_id}/highlight-reports`.
pub async fn highlight_create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let project = delivery::project_of(record)?;
    let class = classification(&form_data, "classification");
    let result = match (draft_from(&form_data), class) {
        (Ok(draft), Ok(class)) => start_highlight(&state, &viewer, &project, draft, class).await?,
        (draft, class) => {
            let mut invalid = Invalid::new();
            for e in [draft.err(), class.err()].into_iter().flatten() {
                invalid.extend(e);
            }
            Err(invalid)
        }
    };
    match result {
        Ok(report_id) => Ok(Redirect::to(&format!(
            "/partnerships/{id}/highlight-reports/{report_id}"
        ))
        .into_response()),
        Err(errors) => Ok(refused(new_highlight_page(
            &state, &viewer, &p, &project, &form_data, &errors,
        ))),
    }
}

/// `GET /partnerships/{id}/highlight-reports/{record_id}`: the draft and the published versions.
pub async fn highlight_show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    Query(format): Query<Format>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let today = state.today();
    let report = delivery::decode::<HighlightReport>(record)?;
    let editor = may_do(&viewer, Action::Update, &report.record.meta, today);
    let publisher = may_do(&viewer, Action::Release, &report.record.meta, today);
    let r = &report.value;
    let content = html! {
        span class="govuk-caption-l" { (report.record.title) }
        h1 class="govuk-heading-xl" { "Highlight report" }
        (summary_list(&[
            SummaryRow::new("Published versions", html! {
                @if r.versions().is_empty() { "None yet" }
                @else {
                    ul class="govuk-list" {
                        @for v in r.versions() {
                            li { a class="govuk-link" href={ "/partnerships/" (id) "/highlight-reports/" (record_id) "/versions/" (v.version()) } { "Version " (v.version()) ", published " (long_date(v.published_on())) } }
                        }
                    }
                }
            }),
            SummaryRow::new("Draft", html! {
                @if r.has_unpublished_changes() { "Has changes not yet published" } @else { "The same as the latest published version" }
            }),
            SummaryRow::new("Who may see it", classification_tag(&report.record, today)),
        ]))
        h2 class="govuk-heading-l" { "The draft" }
        (draft_body(&r.draft, format.three_point()))
        p class="govuk-body" {
            @if format.three_point() {
                a class="govuk-link" href="?" { "Show delivery confidence on five points" }
            } @else {
                a class="govuk-link" href="?points=3" { "Show delivery confidence on three points" }
            }
        }
        div class="govuk-button-group" {
            @if editor {
                (button_link("Edit the draft", &format!("/partnerships/{id}/highlight-reports/{record_id}/edit"), ButtonKind::Secondary))
            }
        }
        @if publisher && r.has_unpublished_changes() {
            (form(&format!("/partnerships/{id}/highlight-reports/{record_id}/publish"), &viewer.csrf, html! {
                p class="govuk-body" { "Publishing freezes the draft and the project’s schedule as they stand today as the next version. Later edits make a new version." }
                (button("Publish the draft", ButtonKind::Primary))
            }))
        }
    };
    Ok(render(
        &state,
        &viewer,
        Page::new(report.record.title.clone())
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}")),
        content,
    ))
}

fn edit_highlight_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    report: &Loaded<HighlightReport>,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (report.record.title) }
        h1 class="govuk-heading-xl" { "Edit the draft" }
        p class="govuk-body" { "Published versions do not change: publish the draft again to make a new version." }
        (form(&format!("/partnerships/{}/highlight-reports/{}/edit", p.id, report.id()), &viewer.csrf, html! {
            (draft_fields(form_data, errors, false))
            (button("Save draft", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        Page::new("Edit the draft")
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{}", p.id))
            .with_errors(errors),
        content,
    )
}

/// `GET /partnerships/{id}/highlight-reports/{record_id}/edit`.
pub async fn highlight_edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let report = delivery::decode::<HighlightReport>(record)?;
    let form_data = draft_form_data(&report.value.draft);
    Ok(edit_highlight_page(
        &state,
        &viewer,
        &p,
        &report,
        &form_data,
        &Invalid::new(),
    ))
}

/// Saves a changed highlight report (draft edited, or a version published).
pub async fn save_highlight(
    state: &AppState,
    viewer: &Viewer,
    report: &Loaded<HighlightReport>,
    changed: &HighlightReport,
) -> Result<Result<(), Invalid>, WebError> {
    let mut input = accord_store::RecordInput::new(
        delivery::HIGHLIGHT_REPORT,
        report.record.meta.clone(),
        report.record.title.clone(),
        changed,
    )?
    .status(if changed.versions().is_empty() {
        "draft"
    } else {
        "published"
    })
    .key_date(Some(changed.draft.period_end));
    input.parent_id = report.record.parent_id;
    match state
        .store
        .update_record(
            report.id(),
            Some(report.record.version),
            &input,
            &viewer.change(),
        )
        .await
    {
        Ok(_) => Ok(Ok(())),
        Err(e) => refusal(e).map(Err),
    }
}

/// `POST /partnerships/{id}/highlight-reports/{record_id}/edit`.
pub async fn highlight_edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let report = delivery::decode::<HighlightReport>(record)?;
    let mut changed = report.value.clone();
    let result = match draft_from(&form_data).and_then(|d| changed.edit(d)) {
        Ok(()) => save_highlight(&state, &viewer, &report, &changed).await?,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/partnerships/{id}/highlight-reports/{record_id}"))
                .into_response(),
        ),
        Err(errors) => Ok(refused(edit_highlight_page(
            &state, &viewer, &p, &report, &form_data, &errors,
        ))),
    }
}

/// Publishes a highlight report's draft as its next version, freezing the project's schedule
/// as it stands today with it.
pub async fn publish_highlight(
    state: &AppState,
    viewer: &Viewer,
    report: &Loaded<HighlightReport>,
) -> Result<Result<u32, Invalid>, WebError> {
    let today = state.today();
    let Some(project_id) = report.record.parent_id else {
        return Ok(Err(Invalid::field(
            "project",
            "This report belongs to no project",
        )));
    };
    let Some(project) = state
        .store
        .record(project_id, &viewer.scope(), today)
        .await?
    else {
        return Ok(Err(Invalid::field(
            "project",
            "You cannot see the project this report belongs to",
        )));
    };
    let project = delivery::project_of(project)?;
    let mut changed = report.value.clone();
    let version = match changed.publish(&project.value, today) {
        Ok(snapshot) => snapshot.version(),
        Err(e) => return Ok(Err(e)),
    };
    Ok(save_highlight(state, viewer, report, &changed)
        .await?
        .map(|()| version))
}

/// `POST /partnerships/{id}/highlight-reports/{record_id}/publish`.
pub async fn highlight_publish(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Response, WebError> {
    let report = delivery::decode::<HighlightReport>(record)?;
    match publish_highlight(&state, &viewer, &report).await? {
        Ok(version) => Ok(Redirect::to(&format!(
            "/partnerships/{id}/highlight-reports/{record_id}/versions/{version}"
        ))
        .into_response()),
        Err(e) => Err(WebError::Unprocessable(e)),
    }
}

/// `GET /partnerships/{id}/highlight-reports/{record_id}/versions/{version}`: a published
/// version, rendered from its frozen snapshot only.
pub async fn highlight_version(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id, version)): Path<(i64, i64, u32)>,
    Query(format): Query<Format>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let report = delivery::decode::<HighlightReport>(record)?;
    let snapshot = report.value.version(version).ok_or(WebError::NotFound)?;
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
        Page::new(title).breadcrumb("Partnerships", "/").breadcrumb(
            "Highlight report",
            format!("/partnerships/{id}/highlight-reports/{record_id}"),
        ),
        html! {
            div class="govuk-button-group accord-no-print" {
                (button_link("Print version", "?format=paper", ButtonKind::Secondary))
            }
            (content)
        },
    ))
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
    let p = partnership(&state, id).await?;
    let today = state.today();
    let scope = viewer.scope();
    let boards: Vec<_> = accord_app::governance::boards::boards(&state.app, &viewer.caller(), id)
        .await?
        .into_iter()
        .map(|b| b.board)
        .collect();
    let projects: Vec<Project> = delivery::projects(&*state.store, id, &scope, today)
        .await?
        .into_iter()
        .map(|l| l.value)
        .collect();
    let reviews = match state.store.mou(id).await? {
        Some(mou) => match mou.starts() {
            Some(start) => mou.reviews_between(start, mou.clock(today).ends),
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    let calendar = accord_domain::calendar::partnership_calendar(
        id, &p.name, &boards, &projects, &reviews, today,
    );
    let text = accord_domain::calendar::write(&calendar, chrono::Utc::now().naive_utc())?;
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
