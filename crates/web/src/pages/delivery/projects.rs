//! Projects (MOU Schedule 2): the list, a project with its stages, activities, engagement
//! tracks, Cabinet gates, phases and milestones, and the forms that plan and change them.
//!
//! Each handler reads the request, calls one use case of `accord_app::delivery::projects` and
//! renders its answer. Forms carry the version of the project they were filled from: a change
//! made from a version someone has since replaced comes back with 409 and an error summary.

use crate::paging::query_form;
use accord_app::AppError;
use accord_app::delivery::projects::{self as use_case, CabinetApproval, ChangeDates, PlanProject};
use accord_app::delivery::{ProjectEntry, ProjectOrder, ProjectSummary, escalations};
use accord_app::list::{ListRequest, Listed};
use accord_domain::access::{Action, Area};
use accord_domain::mou::long_date;
use accord_domain::project::{
    CashableSavings, DatePlan, EngagementTrack, MilestoneInput, MilestoneKind, Outcome, PhaseInput,
    PhaseStatus, Project, ProjectDetails, ProjectFilter, ProjectInput, ProjectSize, Stage, Target,
    Template,
};
use accord_domain::{GssCode, Invalid, Money, Partnership};
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};
use serde::Deserialize;

use super::common::{
    classification, classification_radios, form_refusal, form_version, lines, may_create, may_do,
    meta_tag, paragraphs, parse_target, partnership, precision, precision_select, target_name,
    target_slug,
};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    Banner, ButtonKind, Choice, Column, Field, InputWidth, SummaryRow, Table, TagColour, button,
    button_link, checkboxes, date_input, details, error_summary, form, notification_banner,
    pagination, radios, select, summary_list, table, tag, text_input, textarea,
};
use crate::error::WebError;
use crate::forms::{DateParts, FormData, refused};
use crate::guard::GuardedRecord;
use crate::layout::Page;
use crate::pages::common::{council_name, councils, render, source_note};
use crate::pages::partnerships::reason_field;

/// Projects shown on one page of the list.
pub const PAGE_SIZE: u32 = 50;

fn projects_path(id: i64) -> String {
    format!("/partnerships/{id}/projects")
}

/// The address of a project: `/partnerships/{id}/projects/P-7`.
pub fn project_path(id: i64, reference: &str) -> String {
    format!("/partnerships/{id}/projects/{reference}")
}

fn page(p: &Partnership, title: impl Into<String>) -> Page {
    Page::new(title)
        .breadcrumb("Partnerships", "/")
        .breadcrumb(p.name.clone(), format!("/partnerships/{}", p.id))
        .breadcrumb("Projects", projects_path(p.id))
}

/// The project the guard found, by its reference or an old address's record id.
fn reference_of(record: &accord_app::records::StoredRecord) -> String {
    record.reference.clone().unwrap_or_default()
}

fn hidden_version(entry: &ProjectEntry) -> Markup {
    html! { input type="hidden" name="version" value=(entry.version); }
}

// ----- the list -----

/// The first and last days of the month of `day`.
fn month_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).unwrap_or(day);
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|n| n.pred_opt())
        .unwrap_or(day);
    (first, last)
}

/// Reads the list's filter and order from a query: `text`, `outcome`, `size`, `beyond`
/// (`yes`), `due` (`this-month`) and `sort` (`number`, `name` or `start`).
pub fn filter_from(
    form: &FormData,
    today: NaiveDate,
) -> Result<(ProjectFilter, ProjectOrder), Invalid> {
    let mut invalid = Invalid::new();
    let size = match form.get("size") {
        "" => None,
        text => invalid.check(crate::delivery::parse_slug::<ProjectSize>(
            "size",
            text,
            "a size: small or large",
        )),
    };
    let order = match form.get("sort") {
        "" | "number" => ProjectOrder::Number,
        "name" => ProjectOrder::Name,
        "start" => ProjectOrder::Start,
        other => {
            invalid.push(
                "sort",
                format!("“{other}” is not an order: choose number, name or start"),
            );
            ProjectOrder::Number
        }
    };
    let flag = |field: &str, yes: &str, invalid: &mut Invalid| match form.get(field) {
        "" => false,
        text if text == yes => true,
        other => {
            invalid.push(field, format!("“{other}” is not a choice here"));
            false
        }
    };
    let beyond_tolerance = flag("beyond", "yes", &mut invalid);
    let due = flag("due", "this-month", &mut invalid).then(|| month_of(today));
    let text = |field: &str| Some(form.get(field).trim().to_owned()).filter(|t| !t.is_empty());
    let filter = ProjectFilter {
        text: text("text"),
        outcome: text("outcome"),
        size,
        beyond_tolerance,
        due,
    };
    if let Err(e) = filter.prepare() {
        invalid.extend(e);
    }
    invalid.into_result()?;
    Ok((filter, order))
}

/// `GET /partnerships/{id}/projects`: one page of the projects the reader may see, filtered,
/// sorted, counted and paged by the database.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let today = state.today();
    let form_data = query_form(query.as_deref());
    let (filter, order, errors) = match filter_from(&form_data, today) {
        Ok((f, o)) => (f, o, Invalid::new()),
        Err(e) => (ProjectFilter::default(), ProjectOrder::Number, e),
    };
    let wanted = form_data.get("page").parse::<u32>().unwrap_or(1).max(1);
    let caller = viewer.caller();
    let mut listed = use_case::list(
        &state.app,
        &caller,
        id,
        &filter,
        order,
        &ListRequest::page(wanted, PAGE_SIZE),
    )
    .await?;
    let pages = listed.pages(PAGE_SIZE);
    if wanted > pages {
        // A page beyond the end (the list shrank, or a hand-made address) shows the last.
        listed = use_case::list(
            &state.app,
            &caller,
            id,
            &filter,
            order,
            &ListRequest::page(pages, PAGE_SIZE),
        )
        .await?;
    }
    let markup = render_list(
        &state,
        &viewer,
        &p,
        &form_data,
        &errors,
        &listed,
        wanted.min(pages),
        pages,
    );
    if errors.is_empty() {
        Ok(markup.into_response())
    } else {
        Ok(refused(markup))
    }
}

fn size_label(size: Option<ProjectSize>) -> &'static str {
    match size {
        Some(ProjectSize::Small) => "Small",
        Some(ProjectSize::Large) => "Large",
        None => accord_domain::seed::NOT_STATED,
    }
}

// Each argument is one part of the page; a struct would only name them twice.
#[allow(clippy::too_many_arguments)]
fn render_list(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    form_data: &FormData,
    errors: &Invalid,
    listed: &Listed<ProjectSummary>,
    current: u32,
    pages: u32,
) -> Markup {
    let id = p.id;
    let today = state.today();
    let mut listing = Table::new(
        format!("Projects ({} matching)", listed.total),
        vec![
            Column::text("Reference"),
            Column::text("Project"),
            Column::text("Size"),
            Column::text("Starts"),
            Column::numeric("Potential cashable savings"),
            Column::text("Outcome"),
            Column::text("Beyond tolerance"),
        ],
    )
    .row_headers();
    for v in &listed.items {
        let reference = v.reference();
        listing = listing.row(vec![
            html! { (reference) },
            html! { a class="govuk-link" href=(project_path(id, &reference)) { (v.name) } },
            html! { (size_label(v.size)) },
            crate::pages::common::date_or_not_stated(v.start),
            html! { (v.cashable_savings.label()) },
            html! { (v.outcome.label()) },
            html! {
                @if v.exceptions == 0 { "None" }
                @else { (tag(&format!("{} beyond tolerance", v.exceptions), TagColour::Red)) }
            },
        ]);
    }
    let mut outcomes = vec![Choice::new("", "Any outcome")];
    outcomes.extend(OUTCOMES.iter().map(|(v, t)| Choice::new(v, t)));
    let sizes = [
        Choice::new("", "Any size"),
        Choice::new("small", "Small"),
        Choice::new("large", "Large"),
    ];
    let sorts = [
        Choice::new("number", "Reference (the order they were planned in)"),
        Choice::new("name", "Name"),
        Choice::new("start", "Start"),
    ];
    let flags = [Choice::new(
        "yes",
        "Only projects with a date beyond its time tolerance",
    )];
    let due = [Choice::new(
        "this-month",
        "Only projects with a date due this month",
    )];
    let page_href = |n: u32| {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for field in ["text", "outcome", "size", "beyond", "due", "sort"] {
            let v = form_data.get(field);
            if !v.is_empty() {
                pairs.push((field.into(), v.into()));
            }
        }
        pairs.push(("page".into(), n.to_string()));
        format!(
            "{}?{}",
            projects_path(id),
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    let filtered = ["text", "outcome", "size", "beyond", "due", "sort"]
        .iter()
        .any(|f| !form_data.get(f).is_empty());
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { "Projects" }
        p class="govuk-body" {
            "Each project takes a service through the four stages of Schedule 2 — assess the potential value, "
            "define the overall strategy and plan, create the shared-service design, build and deploy — "
            "with Cabinet approval at every council as a gate."
        }
        ul class="govuk-list" {
            li { a class="govuk-link" href={ "/partnerships/" (id) "/timeline" } { "Programme timeline (baseline against forecast)" } }
            li { a class="govuk-link" href={ "/partnerships/" (id) "/progress-report" } { "Programme progress report" } }
            li { a class="govuk-link" href={ "/partnerships/" (id) "/raid" } { "RAID log" } }
        }
        @if may_create(viewer, Area::Programme, id, today) {
            (button_link("Plan a project", &format!("{}/new", projects_path(id)), ButtonKind::Secondary))
        }
        details class="govuk-details" open[filtered || !errors.is_empty()] {
            summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Filter and sort the projects" } }
            div class="govuk-details__text" {
                form method="get" action=(projects_path(id)) novalidate {
                    (text_input(&Field::new("text", "Name contains").value(form_data.get("text")).errors(errors)))
                    (select(&Field::new("outcome", "Outcome").value(form_data.get("outcome")).errors(errors), &outcomes))
                    (select(&Field::new("size", "Size").value(form_data.get("size")).errors(errors), &sizes))
                    (checkboxes(&Field::new("beyond", "Time tolerance").errors(errors), &flags, &form_data.all("beyond")))
                    (checkboxes(&Field::new("due", "Dates due").errors(errors), &due, &form_data.all("due")))
                    (select(&Field::new("sort", "Sort by").value(form_data.get("sort")).errors(errors), &sorts))
                    (button("Show projects", ButtonKind::Secondary))
                }
            }
        }
        @if listed.total == 0 {
            p class="govuk-body" { "There are no projects you can see that match." }
        } @else {
            (table(&listing.scrollable()))
            (pagination(current, pages, page_href))
        }
    };
    render(
        state,
        viewer,
        Page::new(format!("Projects – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}"))
            .with_errors(errors),
        content,
    )
}

// ----- a new project -----

fn new_form_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let sizes = [
        Choice::new("small", "Small").hint(
            "About three months to assess and define, then four to nine months to design, build and deploy",
        ),
        Choice::new("large", "Large").hint(
            "Twice the small timetable: Accord’s assumption, as Schedule 2’s chart for large projects is lost",
        ),
    ];
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { "Plan a project" }
        p class="govuk-body" { (Template::LABEL) "." }
        (form(&projects_path(p.id), &viewer.csrf, html! {
            (text_input(&Field::new("name", "Project name").hint("Usually the service, such as “Legal Services”").value(form_data.get("name")).errors(errors)))
            (radios(&Field::new("size", "Size").value(form_data.get("size")).errors(errors), &sizes))
            (date_input(&Field::new("start", "When does it start?").hint("For example, 1 9 2011").errors(errors), &form_data.date("start")))
            (text_input(&Field::new("tolerance_days", "Time tolerance in days (optional)")
                .hint("A forecast later than its baseline by more than this is an exception for the Programme Board. 28 days when left blank")
                .value(form_data.get("tolerance_days")).width(InputWidth::Chars4).numeric().errors(errors)))
            (textarea(&Field::new("opportunity", "Scope of the opportunity").value(form_data.get("opportunity")).rows(3).errors(errors)))
            (text_input(&Field::new("opportunity_id", "Opportunity record (optional)")
                .hint("The number of the opportunity handed to delivery after passing the gateway")
                .value(form_data.get("opportunity_id")).width(InputWidth::Chars10).numeric().errors(errors)))
            (classification_radios("classification", "Who may see it?", form_data.get("classification"), errors))
            (button("Plan project", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        page(p, "Plan a project").with_errors(errors),
        content,
    )
}

/// `GET /partnerships/{id}/projects/new`.
pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    Ok(new_form_page(
        &state,
        &viewer,
        &p,
        &FormData::default(),
        &Invalid::new(),
    ))
}

fn optional_number<T: std::str::FromStr>(
    form: &FormData,
    field: &str,
    what: &str,
) -> Result<Option<T>, Invalid> {
    let text = form.get(field).trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| Invalid::field(field, format!("Enter {what} as a whole number")))
}

/// Reads the new-project form into the domain's input.
pub fn project_input_from(form: &FormData) -> Result<ProjectInput, Invalid> {
    let mut invalid = Invalid::new();
    let size = match form.get("size") {
        "small" => Some(ProjectSize::Small),
        "large" => Some(ProjectSize::Large),
        "" => {
            invalid.push("size", "Choose small or large");
            None
        }
        other => {
            invalid.push(
                "size",
                format!("“{other}” is not a size: choose small or large"),
            );
            None
        }
    };
    let start = invalid.check(
        form.date("start")
            .parse("start", "the date the project starts"),
    );
    let tolerance_days = invalid
        .check(optional_number(form, "tolerance_days", "the tolerance"))
        .flatten();
    let opportunity_id = invalid
        .check(optional_number(
            form,
            "opportunity_id",
            "the opportunity’s number",
        ))
        .flatten();
    let name = form.get("name").trim().to_owned();
    if name.is_empty() {
        invalid.push("name", "Enter the project’s name");
    }
    invalid.into_result()?;
    let (Some(size), Some(start)) = (size, start) else {
        return Err(Invalid::field("start", "Enter the date the project starts"));
    };
    Ok(ProjectInput {
        name,
        size,
        start,
        tolerance_days,
        template: None,
        opportunity: form.get("opportunity").trim().to_owned(),
        opportunity_id,
    })
}

/// `POST /partnerships/{id}/projects`.
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let mut invalid = Invalid::new();
    let class = invalid.check(classification(&form_data, "classification"));
    let input = invalid.check(project_input_from(&form_data));
    let result = match (input, class) {
        (Some(input), Some(classification)) => {
            use_case::plan(
                &state.app,
                &viewer.caller(),
                id,
                PlanProject {
                    input,
                    classification,
                },
            )
            .await
        }
        _ => Err(invalid.into()),
    };
    match result {
        Ok(entry) => Ok(Redirect::to(&project_path(id, &entry.reference())).into_response()),
        Err(error) => {
            let (status, errors) = form_refusal(error)?;
            Ok((
                status,
                new_form_page(&state, &viewer, &p, &form_data, &errors),
            )
                .into_response())
        }
    }
}

// ----- a project -----

fn date_cell(plan: &DatePlan, date: Option<NaiveDate>) -> Markup {
    html! {
        @match date {
            Some(d) => (plan.precision.label(d)),
            None => span class="govuk-visually-hidden" { "none" },
        }
    }
}

/// `GET /partnerships/{id}/projects/{reference}`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let caller = viewer.caller();
    let entry = use_case::get(&state.app, &caller, id, &reference_of(&record)).await?;
    let escalated_items: Vec<String> =
        escalations::of_project(&state.app, &caller, entry.record_id)
            .await?
            .iter()
            .map(|e| e.item().to_owned())
            .collect();
    project_page(&state, &viewer, &p, &entry, &escalated_items).await
}

async fn project_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    entry: &ProjectEntry,
    escalated_items: &[String],
) -> Result<Markup, WebError> {
    let id = p.id;
    let today = state.today();
    let project = &entry.project;
    let names = councils(state, &project.councils).await?;
    let editor = may_do(viewer, Action::Update, &entry.meta, today);
    let base = project_path(id, &entry.reference());
    let exceptions = project.exceptions(today);
    let not_escalated = exceptions
        .iter()
        .filter(|e| !escalated_items.contains(&e.item))
        .count();

    let mut schedule = Table::new(
        "Stages, phases and milestones",
        vec![
            Column::text("Item"),
            Column::text("Baseline"),
            Column::text("Forecast"),
            Column::text("Actual"),
            Column::text("Where it stands"),
        ],
    )
    .row_headers();
    let tolerance = i64::from(project.tolerance_days);
    for (target, name, plan) in project.dated_items() {
        let breach = plan
            .forecast_slip_days(today)
            .is_some_and(|s| s > tolerance);
        schedule = schedule.row(vec![
            html! { (name) },
            html! { (plan.precision.label(plan.baseline)) },
            date_cell(plan, plan.forecast),
            date_cell(plan, plan.actual),
            html! {
                (plan.describe(&name, accord_domain::project::done_verb(target), today))
                @if breach { " " (tag("Beyond tolerance", TagColour::Red)) }
                @if editor {
                    br;
                    a class="govuk-link" href={ (base) "/dates?item=" (target_slug(target)) } {
                        "Change dates" span class="govuk-visually-hidden" { " of " (name) }
                    }
                }
            },
        ]);
    }
    let undated: Vec<_> = project
        .phases
        .iter()
        .filter(|ph| ph.start.is_none())
        .collect();

    let content = html! {
        span class="govuk-caption-l" { (p.name) ", project " (entry.reference()) }
        h1 class="govuk-heading-xl" { (project.name) }
        (source_note(project.source.as_deref()))
        @if !exceptions.is_empty() {
            (notification_banner(Banner::Important, &format!("{} beyond the time tolerance of {} days", plural(exceptions.len(), "date"), project.tolerance_days), html! {
                ul class="govuk-list govuk-list--bullet" {
                    @for e in &exceptions {
                        li {
                            (e.words) " (" (e.slip_days) " days beyond baseline)"
                            @if escalated_items.contains(&e.item) { " — escalated to the " (e.escalate_to.name()) }
                        }
                    }
                }
                @if editor && not_escalated > 0 {
                    (form(&format!("{base}/escalations"), &viewer.csrf, html! {
                        (button("Escalate to the Programme Board", ButtonKind::Secondary))
                    }))
                }
            }))
        }
        (summary_list(&[
            SummaryRow::new("Reference", html! { (entry.reference()) }),
            SummaryRow::new("Size", html! { (size_label(project.size)) }),
            SummaryRow::new("Starts", crate::pages::common::date_or_not_stated(project.start)),
            SummaryRow::new("Time tolerance", html! { (project.tolerance_days) " days" }),
            SummaryRow::new("Councils", html! {
                (project.councils.iter().map(|c| council_name(&names, c)).collect::<Vec<_>>().join(", "))
            }),
            SummaryRow::new("Scope of the opportunity", html! {
                @if project.opportunity.trim().is_empty() { span class="govuk-hint" { (accord_domain::seed::NOT_STATED) } }
                @else { (project.opportunity) }
                @if let Some(opportunity) = project.opportunity_id {
                    br;
                    a class="govuk-link" href={ "/partnerships/" (id) "/opportunities/" (opportunity) } { "The opportunity record" }
                }
            }),
            SummaryRow::new("Implementation activity", html! {
                @if project.implementation.trim().is_empty() { span class="govuk-hint" { (accord_domain::seed::NOT_STATED) } }
                @else { (paragraphs(&project.implementation)) }
            }),
            SummaryRow::new("Potential cashable savings", html! { (project.cashable_savings.label()) }),
            SummaryRow::new("Anticipated non-cashable benefits", html! {
                @if project.non_cashable_benefits.is_empty() { span class="govuk-hint" { (accord_domain::seed::NOT_STATED) } }
                @else { ul class="govuk-list govuk-list--bullet" { @for b in &project.non_cashable_benefits { li { (b) } } } }
            }),
            SummaryRow::new("Outcome", html! { (project.outcome.label()) }),
            SummaryRow::new("Who may see it", meta_tag(&entry.meta, today)),
        ]))
        div class="govuk-button-group" {
            @if editor {
                (button_link("Change the project’s details", &format!("{base}/edit"), ButtonKind::Secondary))
            }
            (button_link("Highlight reports", &format!("{base}/highlight-reports"), ButtonKind::Secondary))
        }
        h2 class="govuk-heading-l" { "Schedule" }
        @if project.dated_items().next().is_none() && undated.is_empty() {
            p class="govuk-body" { "No dates are stated for this project." }
        } @else {
            (table(&schedule.scrollable()))
        }

        @if editor {
            div class="govuk-button-group" {
                (button_link("Add a phase", &format!("{base}/phases/new"), ButtonKind::Secondary))
                (button_link("Add a milestone", &format!("{base}/milestones/new"), ButtonKind::Secondary))
            }
        }
        @if !project.phases.is_empty() {
            h2 class="govuk-heading-l" { "Phases" }
            dl class="govuk-summary-list" {
                @for ph in &project.phases {
                    div class="govuk-summary-list__row" {
                        dt class="govuk-summary-list__key" { (ph.name) }
                        dd class="govuk-summary-list__value" {
                            (ph.description)
                            br;
                            span class="govuk-hint" {
                                (capitalise(ph.status.label()))
                                @if let Some(start) = &ph.start { "; starts " (start.precision.label(start.current())) }
                                @if let Some(note) = &ph.note { ". " (note) }
                            }
                        }
                    }
                }
            }
        }
        @if !project.stages.is_empty() {
            h2 class="govuk-heading-l" { "Stages, activities and Cabinet gates" }
            p class="govuk-body" { (Template::LABEL) "." }
            @for stage in &project.stages {
                h3 class="govuk-heading-m" { (stage.stage.label()) }
                p class="govuk-body" { (stage.due.describe(stage.stage.label(), "completed", today)) }
                (details(&format!("Activities of “{}”", stage.stage.label()), html! {
                    h4 class="govuk-heading-s" { "The stage’s work" }
                    ul class="govuk-list govuk-list--bullet" {
                        @for a in stage.activities.iter().filter(|a| a.track.is_none()) {
                            li { (a.name) @if let Some(done) = a.done_on { " (done " (long_date(done)) ")" } }
                        }
                    }
                    @for track in EngagementTrack::ALL {
                        @let acts: Vec<_> = stage.activities.iter().filter(|a| a.track == Some(track)).collect();
                        @if !acts.is_empty() {
                            h4 class="govuk-heading-s" { "Engagement: " (track.label()) }
                            ul class="govuk-list govuk-list--bullet" {
                                @for a in acts { li { (a.name) } }
                            }
                        }
                    }
                }))
                @if let Some(gate) = &stage.gate {
                    (table(&gate_table(stage.stage, gate, &names, editor, &base)))
                }
            }
        }
        p class="govuk-body" {
            a class="govuk-link" href={ "/partnerships/" (id) "/records/" (entry.record_id) "/history" } { "See the history of changes to this project" }
        }
    };
    Ok(render(
        state,
        viewer,
        page(p, project.name.clone()),
        content,
    ))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn gate_table(
    stage: Stage,
    gate: &accord_domain::board::CabinetApprovals,
    names: &std::collections::HashMap<String, accord_domain::Authority>,
    editor: bool,
    base: &str,
) -> Table {
    let mut t = Table::new(
        format!("Cabinet approval at the end of “{}”", stage.label()),
        vec![Column::text("Council"), Column::text("Cabinet approved")],
    )
    .row_headers();
    for approval in &gate.approvals {
        t = t.row(vec![
            html! { (council_name(names, &approval.council)) },
            html! {
                @match approval.approved_on {
                    Some(d) => (long_date(d)),
                    None => {
                        (tag("Outstanding", TagColour::Yellow))
                        @if editor {
                            " "
                            a class="govuk-link" href={ (base) "/cabinet-approvals?stage=" (stage.slug()) "&council=" (approval.council) } {
                                "Record approval" span class="govuk-visually-hidden" { " by " (council_name(names, &approval.council)) }
                            }
                        }
                    }
                }
            },
        ]);
    }
    t
}

/// `POST /partnerships/{id}/projects/{reference}/escalations`: escalates the project's
/// tolerance exceptions not escalated yet.
pub async fn escalate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Response, WebError> {
    let reference = reference_of(&record);
    escalations::escalate(&state.app, &viewer.caller(), id, &reference).await?;
    Ok(Redirect::to(&project_path(id, &reference)).into_response())
}

/// After a change made with a form: back to the project, or the form again with what went
/// wrong (422, or 409 when someone changed the project since the form was filled), drawn by
/// `again` over the project as it is now.
async fn after_change<T>(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    reference: &str,
    result: Result<T, AppError>,
    again: impl FnOnce(&ProjectEntry, &Invalid, bool) -> Markup,
) -> Result<Response, WebError> {
    let Err(error) = result else {
        return Ok(Redirect::to(&project_path(id, reference)).into_response());
    };
    let (status, errors) = form_refusal(error)?;
    let entry = use_case::get(&state.app, &viewer.caller(), id, reference).await?;
    Ok((
        status,
        again(&entry, &errors, status == StatusCode::CONFLICT),
    )
        .into_response())
}

// ----- the project's details -----

const OUTCOMES: [(&str, &str); 7] = [
    ("being-implemented", "Being implemented"),
    (
        "business-case-in-development",
        "Business case in development",
    ),
    ("under-evaluation", "Under evaluation"),
    (
        "collaboration-only",
        "Not a fully shared service: collaboration on parts of it",
    ),
    (
        "not-pursued-market-testing",
        "Not pursued as a shared service: market testing instead",
    ),
    ("re-evaluate", "To be evaluated again later"),
    ("not-stated", "Not stated"),
];

fn details_form_data(project: &Project) -> FormData {
    let (savings, amount) = match project.cashable_savings {
        CashableSavings::Amount { amount } => ("amount", amount.to_string()),
        CashableSavings::Tba => ("tba", String::new()),
        CashableSavings::NotStated => ("not-stated", String::new()),
    };
    let when = match &project.outcome {
        Outcome::ReEvaluate { when } => when.clone(),
        _ => String::new(),
    };
    FormData::from_pairs([
        ("name", project.name.clone()),
        ("tolerance_days", project.tolerance_days.to_string()),
        ("opportunity", project.opportunity.clone()),
        (
            "opportunity_id",
            project
                .opportunity_id
                .map(|o| o.to_string())
                .unwrap_or_default(),
        ),
        ("implementation", project.implementation.clone()),
        ("savings", savings.to_owned()),
        ("savings_amount", amount),
        ("benefits", project.non_cashable_benefits.join("\n")),
        ("outcome", project.outcome.slug().to_owned()),
        ("re_evaluate_when", when),
    ])
}

fn details_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    entry: &ProjectEntry,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let project = &entry.project;
    let savings = [
        Choice::new("amount", "An amount a year"),
        Choice::new("tba", "TBA: to be assessed"),
        Choice::new("not-stated", "Not stated"),
    ];
    let outcomes: Vec<Choice> = OUTCOMES.iter().map(|(v, t)| Choice::new(v, t)).collect();
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (project.name) }
        h1 class="govuk-heading-xl" { "Change the project’s details" }
        (form(&format!("{}/edit", project_path(p.id, &entry.reference())), &viewer.csrf, html! {
            (hidden_version(entry))
            (text_input(&Field::new("name", "Project name").value(form_data.get("name")).errors(errors)))
            (text_input(&Field::new("tolerance_days", "Time tolerance in days").value(form_data.get("tolerance_days")).width(InputWidth::Chars4).numeric().errors(errors)))
            (textarea(&Field::new("opportunity", "Scope of the opportunity").value(form_data.get("opportunity")).rows(3).errors(errors)))
            (text_input(&Field::new("opportunity_id", "Opportunity record (optional)").value(form_data.get("opportunity_id")).width(InputWidth::Chars10).numeric().errors(errors)))
            (textarea(&Field::new("implementation", "Implementation activity").value(form_data.get("implementation")).rows(4).errors(errors)))
            (radios(&Field::new("savings", "Potential cashable savings").value(form_data.get("savings")).errors(errors), &savings))
            (text_input(&Field::new("savings_amount", "Amount a year, in pounds (when an amount is stated)").value(form_data.get("savings_amount")).width(InputWidth::Chars10).errors(errors)))
            (textarea(&Field::new("benefits", "Anticipated non-cashable benefits").hint("One a line").value(form_data.get("benefits")).rows(4).errors(errors)))
            (select(&Field::new("outcome", "Outcome").value(form_data.get("outcome")).errors(errors), &outcomes))
            (text_input(&Field::new("re_evaluate_when", "When it is to be evaluated again (for that outcome)").hint("For example, “at the end of the calendar year”").value(form_data.get("re_evaluate_when")).errors(errors)))
            (reason_field(form_data.get("reason"), errors))
            (button("Save changes", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        page(p, "Change the project’s details").with_errors(errors),
        content,
    )
}

/// `GET /partnerships/{id}/projects/{reference}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let entry = use_case::get(&state.app, &viewer.caller(), id, &reference_of(&record)).await?;
    Ok(details_page(
        &state,
        &viewer,
        &p,
        &entry,
        &details_form_data(&entry.project),
        &Invalid::new(),
    ))
}

/// Reads the details form. The rules (a name, a tolerance of at most a year, when a
/// re-evaluation is due) are the domain's, applied by the use case.
pub fn details_from(form: &FormData) -> Result<ProjectDetails, Invalid> {
    let mut invalid = Invalid::new();
    let tolerance_days = invalid
        .check(optional_number::<u32>(
            form,
            "tolerance_days",
            "the tolerance in days",
        ))
        .flatten();
    let opportunity_id = invalid
        .check(optional_number(
            form,
            "opportunity_id",
            "the opportunity’s number",
        ))
        .flatten();
    let savings = match form.get("savings") {
        "amount" => invalid
            .check(Money::parse("savings_amount", form.get("savings_amount")))
            .map(|amount| CashableSavings::Amount { amount }),
        "tba" => Some(CashableSavings::Tba),
        "" | "not-stated" => Some(CashableSavings::NotStated),
        other => {
            invalid.push("savings", format!("“{other}” is not a choice here"));
            None
        }
    };
    let outcome = match form.get("outcome") {
        "being-implemented" => Some(Outcome::BeingImplemented),
        "business-case-in-development" => Some(Outcome::BusinessCaseInDevelopment),
        "under-evaluation" => Some(Outcome::UnderEvaluation),
        "collaboration-only" => Some(Outcome::CollaborationOnly),
        "not-pursued-market-testing" => Some(Outcome::NotPursuedMarketTesting),
        "re-evaluate" => Some(Outcome::ReEvaluate {
            when: form.get("re_evaluate_when").trim().to_owned(),
        }),
        "" | "not-stated" => Some(Outcome::NotStated),
        other => {
            invalid.push("outcome", format!("“{other}” is not an outcome"));
            None
        }
    };
    invalid.into_result()?;
    Ok(ProjectDetails {
        name: form.get("name").to_owned(),
        tolerance_days,
        opportunity: form.get("opportunity").to_owned(),
        opportunity_id,
        implementation: form.get("implementation").to_owned(),
        cashable_savings: savings.unwrap_or_default(),
        non_cashable_benefits: lines(form.get("benefits")),
        outcome: outcome.unwrap_or_default(),
    })
}

/// `POST /partnerships/{id}/projects/{reference}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let reference = reference_of(&record);
    let result = match (form_version(&form_data), details_from(&form_data)) {
        (Ok(version), Ok(details)) => {
            use_case::edit(
                &state.app,
                &viewer.caller(),
                id,
                &reference,
                version,
                details,
                form_data.get("reason"),
            )
            .await
        }
        (version, details) => {
            let mut invalid = Invalid::new();
            for e in [version.err(), details.err()].into_iter().flatten() {
                invalid.extend(e);
            }
            Err(invalid.into())
        }
    };
    after_change(
        &state,
        &viewer,
        id,
        &reference,
        result,
        |entry, errors, conflict| {
            // A conflict shows the details as they are now; a refusal keeps what was typed.
            let shown = if conflict {
                details_form_data(&entry.project)
            } else {
                form_data.clone()
            };
            details_page(&state, &viewer, &p, entry, &shown, errors)
        },
    )
    .await
}

// ----- dates -----

/// The query naming the dated item a form is about.
#[derive(Debug, Default, Deserialize)]
pub struct ItemQuery {
    /// `stage-…`, `phase-N` or `milestone-N`.
    #[serde(default)]
    item: Option<String>,
}

// Each argument is one part of the page; a struct would only name them twice.
#[allow(clippy::too_many_arguments)]
fn dates_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    entry: &ProjectEntry,
    target: Option<Target>,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let project = &entry.project;
    let base = project_path(p.id, &entry.reference());
    let plan = target.and_then(|t| project.plan_of(t));
    let name = target.and_then(|t| target_name(project, t));
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (project.name) }
        @match (target, plan, name) {
            (Some(target), Some(plan), Some(name)) => {
                h1 class="govuk-heading-xl" { "Change the dates of " (name) }
                (summary_list(&[
                    SummaryRow::new("Baseline", html! { (plan.precision.label(plan.baseline)) }),
                    SummaryRow::new("Where it stands", html! { (plan.describe(&name, accord_domain::project::done_verb(target), state.today())) }),
                ]))
                (form(&format!("{base}/dates"), &viewer.csrf, html! {
                    (hidden_version(entry))
                    input type="hidden" name="item" value=(target_slug(target));
                    (date_input(&Field::new("forecast", "Forecast (optional)").hint("When it is now expected. Leave blank to expect it on its baseline").errors(errors), &form_data.date("forecast")))
                    (date_input(&Field::new("actual", "Actual (optional)").hint(if matches!(target, Target::Stage { .. }) { "When the stage completed. A stage that ends at a Cabinet gate completes only after every council’s Cabinet has approved" } else { "When it happened" }).errors(errors), &form_data.date("actual")))
                    (reason_field(form_data.get("reason"), errors))
                    (button("Save dates", ButtonKind::Primary))
                }))
            },
            _ => {
                h1 class="govuk-heading-xl" { "Change dates" }
                p class="govuk-body" { "Choose a stage, phase or milestone from the project’s schedule." }
                ul class="govuk-list" {
                    @for (t, n, _) in project.dated_items() {
                        li { a class="govuk-link" href={ (base) "/dates?item=" (target_slug(t)) } { (n) } }
                    }
                }
            },
        }
    };
    render(
        state,
        viewer,
        page(p, "Change dates").with_errors(errors),
        content,
    )
}

/// The dates form filled from what is stored for an item.
fn dates_form_data(project: &Project, target: Option<Target>) -> FormData {
    let mut form_data = FormData::default();
    if let Some(plan) = target.and_then(|t| project.plan_of(t)) {
        for (name, date) in [("forecast", plan.forecast), ("actual", plan.actual)] {
            if let Some(date) = date {
                let parts = DateParts::from_date(date);
                form_data.set(&format!("{name}-day"), &parts.day);
                form_data.set(&format!("{name}-month"), &parts.month);
                form_data.set(&format!("{name}-year"), &parts.year);
            }
        }
    }
    form_data
}

/// `GET /partnerships/{id}/projects/{reference}/dates?item=…`.
pub async fn dates_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    Query(query): Query<ItemQuery>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let entry = use_case::get(&state.app, &viewer.caller(), id, &reference_of(&record)).await?;
    let target = query
        .item
        .as_deref()
        .and_then(|t| parse_target("item", t).ok());
    let form_data = dates_form_data(&entry.project, target);
    Ok(dates_page(
        &state,
        &viewer,
        &p,
        &entry,
        target,
        &form_data,
        &Invalid::new(),
    ))
}

/// `POST /partnerships/{id}/projects/{reference}/dates`.
pub async fn save_dates(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let reference = reference_of(&record);
    let mut invalid = Invalid::new();
    let version = invalid.check(form_version(&form_data)).flatten();
    let target = invalid.check(parse_target("item", form_data.get("item")));
    let forecast = invalid
        .check(
            form_data
                .date("forecast")
                .parse_optional("forecast", "the forecast"),
        )
        .flatten();
    let actual = invalid
        .check(
            form_data
                .date("actual")
                .parse_optional("actual", "the actual date"),
        )
        .flatten();
    let result = match target {
        Some(target) if invalid.is_empty() => {
            use_case::change_dates(
                &state.app,
                &viewer.caller(),
                id,
                &reference,
                version,
                ChangeDates {
                    target,
                    forecast,
                    actual,
                },
                form_data.get("reason"),
            )
            .await
        }
        _ => Err(invalid.into()),
    };
    after_change(
        &state,
        &viewer,
        id,
        &reference,
        result,
        |entry, errors, _| dates_page(&state, &viewer, &p, entry, target, &form_data, errors),
    )
    .await
}

// ----- Cabinet approvals at a gate -----

/// The query of the approval form: the stage and council to record.
#[derive(Debug, Default, Deserialize)]
pub struct ApprovalQuery {
    #[serde(default)]
    stage: Option<String>,
    #[serde(default)]
    council: Option<String>,
}

async fn approval_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    entry: &ProjectEntry,
    form_data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let project = &entry.project;
    let names = councils(state, &project.councils).await?;
    let gates: Vec<Stage> = project
        .stages
        .iter()
        .filter(|s| s.gate.is_some())
        .map(|s| s.stage)
        .collect();
    let stage_choices: Vec<Choice> = gates
        .iter()
        .map(|s| Choice::new(s.slug(), s.label()))
        .collect();
    let council_labels: Vec<(String, String)> = project
        .councils
        .iter()
        .map(|c| (c.to_string(), council_name(&names, c)))
        .collect();
    let council_choices: Vec<Choice> = council_labels
        .iter()
        .map(|(v, t)| Choice::new(v, t))
        .collect();
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (project.name) }
        h1 class="govuk-heading-xl" { "Record a Cabinet approval" }
        @if gates.is_empty() {
            p class="govuk-body" { "No stage of this project ends at a Cabinet gate." }
        } @else {
            p class="govuk-body" { "Each council keeps its own sovereignty: a stage that ends at a gate completes only once every council’s Cabinet has approved." }
            (form(&format!("{}/cabinet-approvals", project_path(p.id, &entry.reference())), &viewer.csrf, html! {
                (hidden_version(entry))
                (radios(&Field::new("stage", "Stage").value(form_data.get("stage")).errors(errors), &stage_choices))
                (radios(&Field::new("council", "Council").value(form_data.get("council")).errors(errors), &council_choices))
                (date_input(&Field::new("approved_on", "Date of the Cabinet’s approval").errors(errors), &form_data.date("approved_on")))
                (button("Record approval", ButtonKind::Primary))
            }))
        }
    };
    Ok(render(
        state,
        viewer,
        page(p, "Record a Cabinet approval").with_errors(errors),
        content,
    ))
}

/// `GET /partnerships/{id}/projects/{reference}/cabinet-approvals`.
pub async fn approval_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    Query(query): Query<ApprovalQuery>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let entry = use_case::get(&state.app, &viewer.caller(), id, &reference_of(&record)).await?;
    let form_data = FormData::from_pairs([
        ("stage", query.stage.unwrap_or_default()),
        ("council", query.council.unwrap_or_default()),
    ]);
    approval_page(&state, &viewer, &p, &entry, &form_data, &Invalid::new()).await
}

/// `POST /partnerships/{id}/projects/{reference}/cabinet-approvals`.
pub async fn record_approval(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let reference = reference_of(&record);
    let mut invalid = Invalid::new();
    let version = invalid.check(form_version(&form_data)).flatten();
    let stage = invalid.check(Stage::parse("stage", form_data.get("stage")));
    let council = invalid.check(GssCode::parse("council", form_data.get("council")));
    let on = invalid.check(
        form_data
            .date("approved_on")
            .parse("approved_on", "the date of the Cabinet’s approval"),
    );
    let result = match (stage, council, on) {
        (Some(stage), Some(council), Some(approved_on)) if invalid.is_empty() => {
            use_case::approve(
                &state.app,
                &viewer.caller(),
                id,
                &reference,
                version,
                CabinetApproval {
                    stage,
                    council,
                    approved_on,
                },
            )
            .await
        }
        _ => Err(invalid.into()),
    };
    let Err(error) = result else {
        return Ok(Redirect::to(&project_path(id, &reference)).into_response());
    };
    let (status, errors) = form_refusal(error)?;
    let entry = use_case::get(&state.app, &viewer.caller(), id, &reference).await?;
    let markup = approval_page(&state, &viewer, &p, &entry, &form_data, &errors).await?;
    Ok((status, markup).into_response())
}

// ----- phases and milestones -----

fn dated_plan(form: &FormData, field: &str, label: &str) -> Result<Option<DatePlan>, Invalid> {
    let precision = precision(form, &format!("{field}_precision"))?;
    let Some(date) = form.date(field).parse_optional(field, label)? else {
        return Ok(None);
    };
    Ok(Some(DatePlan {
        baseline: date,
        forecast: None,
        actual: None,
        precision,
    }))
}

fn phase_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    entry: &ProjectEntry,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let statuses = [
        Choice::new("planned", "Planned"),
        Choice::new("underway", "Under way"),
        Choice::new("complete", "Complete"),
    ];
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (entry.project.name) }
        h1 class="govuk-heading-xl" { "Add a phase" }
        p class="govuk-body" { "Phases are the steps in which a shared service is introduced, such as “closer joint working”, then “a shared service with a joint head”, then “a social enterprise”." }
        (form(&format!("{}/phases", project_path(p.id, &entry.reference())), &viewer.csrf, html! {
            (hidden_version(entry))
            (text_input(&Field::new("name", "Short name").hint("For example, “Phase 2” or “Work stream 1”").value(form_data.get("name")).errors(errors)))
            (textarea(&Field::new("description", "What it is").value(form_data.get("description")).rows(3).errors(errors)))
            (radios(&Field::new("status", "Status").value(if form_data.get("status").is_empty() { "planned" } else { form_data.get("status") }).errors(errors), &statuses))
            (date_input(&Field::new("start", "When it starts (optional)").errors(errors), &form_data.date("start")))
            (precision_select("start_precision", form_data.get("start_precision"), errors))
            (button("Add phase", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        page(p, "Add a phase").with_errors(errors),
        content,
    )
}

/// `GET /partnerships/{id}/projects/{reference}/phases/new`.
pub async fn phase_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let entry = use_case::get(&state.app, &viewer.caller(), id, &reference_of(&record)).await?;
    Ok(phase_page(
        &state,
        &viewer,
        &p,
        &entry,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// `POST /partnerships/{id}/projects/{reference}/phases`.
pub async fn add_phase(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let reference = reference_of(&record);
    let mut invalid = Invalid::new();
    let version = invalid.check(form_version(&form_data)).flatten();
    let status = match form_data.get("status") {
        "" | "planned" => Some(PhaseStatus::Planned),
        "underway" => Some(PhaseStatus::Underway),
        "complete" => Some(PhaseStatus::Complete),
        other => {
            invalid.push("status", format!("“{other}” is not a status"));
            None
        }
    };
    let start = invalid
        .check(dated_plan(&form_data, "start", "the date the phase starts"))
        .flatten();
    let result = match status {
        Some(status) if invalid.is_empty() => {
            use_case::add_phase(
                &state.app,
                &viewer.caller(),
                id,
                &reference,
                version,
                PhaseInput {
                    name: form_data.get("name").trim().to_owned(),
                    description: form_data.get("description").trim().to_owned(),
                    status,
                    start,
                    note: None,
                },
            )
            .await
        }
        _ => Err(invalid.into()),
    };
    after_change(
        &state,
        &viewer,
        id,
        &reference,
        result,
        |entry, errors, _| phase_page(&state, &viewer, &p, entry, &form_data, errors),
    )
    .await
}

fn milestone_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    entry: &ProjectEntry,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let project = &entry.project;
    let kinds = [
        Choice::new("delivery", "Something delivered"),
        Choice::new("decision", "A decision or report due"),
        Choice::new("review", "A review"),
    ];
    let mut stages = vec![Choice::new("", "None")];
    stages.extend(Stage::ALL.iter().map(|s| Choice::new(s.slug(), s.label())));
    let phase_values: Vec<(String, String)> = project
        .phases
        .iter()
        .map(|ph| (ph.number.to_string(), ph.name.clone()))
        .collect();
    let mut phases = vec![Choice::new("", "None")];
    phases.extend(phase_values.iter().map(|(v, t)| Choice::new(v, t)));
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (project.name) }
        h1 class="govuk-heading-xl" { "Add a milestone" }
        (form(&format!("{}/milestones", project_path(p.id, &entry.reference())), &viewer.csrf, html! {
            (hidden_version(entry))
            (text_input(&Field::new("name", "What it is").hint("For example, “Payroll control live”").value(form_data.get("name")).errors(errors)))
            (radios(&Field::new("kind", "What it marks").value(if form_data.get("kind").is_empty() { "delivery" } else { form_data.get("kind") }).errors(errors), &kinds))
            (select(&Field::new("stage", "Stage (optional)").value(form_data.get("stage")).errors(errors), &stages))
            (select(&Field::new("phase", "Phase (optional)").value(form_data.get("phase")).errors(errors), &phases))
            (date_input(&Field::new("due", "Baseline date").errors(errors), &form_data.date("due")))
            (precision_select("due_precision", form_data.get("due_precision"), errors))
            (button("Add milestone", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        page(p, "Add a milestone").with_errors(errors),
        content,
    )
}

/// `GET /partnerships/{id}/projects/{reference}/milestones/new`.
pub async fn milestone_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let entry = use_case::get(&state.app, &viewer.caller(), id, &reference_of(&record)).await?;
    Ok(milestone_page(
        &state,
        &viewer,
        &p,
        &entry,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// `POST /partnerships/{id}/projects/{reference}/milestones`.
pub async fn add_milestone(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let reference = reference_of(&record);
    let mut invalid = Invalid::new();
    let version = invalid.check(form_version(&form_data)).flatten();
    let kind = match form_data.get("kind") {
        "" | "delivery" => Some(MilestoneKind::Delivery),
        "decision" => Some(MilestoneKind::Decision),
        "review" => Some(MilestoneKind::Review),
        other => {
            invalid.push("kind", format!("“{other}” is not a kind of milestone"));
            None
        }
    };
    let stage = match form_data.get("stage") {
        "" => None,
        text => invalid.check(Stage::parse("stage", text)),
    };
    let phase = invalid
        .check(optional_number::<u32>(&form_data, "phase", "the phase"))
        .flatten();
    let due = match invalid.check(dated_plan(&form_data, "due", "the baseline date")) {
        Some(Some(due)) => Some(due),
        Some(None) => {
            invalid.push("due", "Enter the baseline date");
            None
        }
        None => None,
    };
    let result = match (kind, due) {
        (Some(kind), Some(due)) if invalid.is_empty() => {
            use_case::add_milestone(
                &state.app,
                &viewer.caller(),
                id,
                &reference,
                version,
                MilestoneInput {
                    name: form_data.get("name").trim().to_owned(),
                    kind,
                    stage,
                    phase,
                    due,
                    note: None,
                },
            )
            .await
        }
        _ => Err(invalid.into()),
    };
    after_change(
        &state,
        &viewer,
        id,
        &reference,
        result,
        |entry, errors, _| milestone_page(&state, &viewer, &p, entry, &form_data, errors),
    )
    .await
}
