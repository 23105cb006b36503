//! Projects (MOU Schedule 2): the list, a project with its stages, activities, engagement
//! tracks, Cabinet gates, phases and milestones, and the forms that plan and change them.

use accord_domain::access::{Action, Area};
use accord_domain::mou::long_date;
use accord_domain::project::{
    CashableSavings, DatePlan, EngagementTrack, MilestoneInput, MilestoneKind, Outcome, PhaseInput,
    PhaseStatus, Project, ProjectInput, ProjectSize, Stage, Target, Template,
};
use accord_domain::{GssCode, Invalid, Money, Partnership};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::common::{
    classification, classification_radios, classification_tag, lines, may_create, may_do,
    paragraphs, parse_target, partnership, precision, precision_select, refusal, target_name,
    target_slug,
};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    Banner, ButtonKind, Choice, Column, Field, InputWidth, SummaryRow, Table, TagColour, button,
    button_link, date_input, details, error_summary, form, notification_banner, radios, select,
    summary_list, table, tag, text_input, textarea,
};
use crate::delivery::{self, Loaded};
use crate::error::WebError;
use crate::forms::{DateParts, FormData, refused};
use crate::guard::{self, GuardedRecord};
use crate::layout::Page;
use crate::pages::common::{council_name, councils, render, source_note};
use crate::pages::partnerships::reason_field;

fn projects_path(id: i64) -> String {
    format!("/partnerships/{id}/projects")
}

fn project_path(id: i64, record_id: i64) -> String {
    format!("/partnerships/{id}/projects/{record_id}")
}

fn page(p: &Partnership, title: impl Into<String>) -> Page {
    Page::new(title)
        .breadcrumb("Partnerships", "/")
        .breadcrumb(p.name.clone(), format!("/partnerships/{}", p.id))
        .breadcrumb("Projects", projects_path(p.id))
}

/// `GET /partnerships/{id}/projects`: every project the reader may see.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let today = state.today();
    let projects = delivery::projects(&*state.store, id, &viewer.scope(), today).await?;
    let mut listing = Table::new(
        "Projects",
        vec![
            Column::text("Project"),
            Column::text("Size"),
            Column::text("Starts"),
            Column::numeric("Potential cashable savings"),
            Column::text("Outcome"),
            Column::text("Beyond tolerance"),
        ],
    )
    .row_headers();
    for project in &projects {
        let v = &project.value;
        let exceptions = v.exceptions(today).len();
        listing = listing.row(vec![
            html! { a class="govuk-link" href=(project_path(id, project.id())) { (v.name) } },
            html! { (size_label(v.size)) },
            crate::pages::common::date_or_not_stated(v.start),
            html! { (v.cashable_savings.label()) },
            html! { (v.outcome.label()) },
            html! {
                @if exceptions == 0 { "None" }
                @else { (tag(&format!("{exceptions} beyond tolerance"), TagColour::Red)) }
            },
        ]);
    }
    let content = html! {
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
        @if projects.is_empty() {
            p class="govuk-body" { "There are no projects you can see yet." }
        } @else {
            (table(&listing.scrollable()))
        }
        @if may_create(&viewer, Area::Programme, id, today) {
            (button_link("Plan a project", &format!("{}/new", projects_path(id)), ButtonKind::Secondary))
        }
    };
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("Projects – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}")),
        content,
    ))
}

fn size_label(size: Option<ProjectSize>) -> &'static str {
    match size {
        Some(ProjectSize::Small) => "Small",
        Some(ProjectSize::Large) => "Large",
        None => accord_domain::seed::NOT_STATED,
    }
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
    let today = state.today();
    let class = classification(&form_data, "classification");
    let planned = project_input_from(&form_data).and_then(|input| Project::plan(0, input, &p));
    let (project, class) = match (planned, class) {
        (Ok(project), Ok(class)) => (project, class),
        (planned, class) => {
            let mut invalid = Invalid::new();
            for e in [planned.err(), class.err()].into_iter().flatten() {
                invalid.extend(e);
            }
            return Ok(refused(new_form_page(
                &state, &viewer, &p, &form_data, &invalid,
            )));
        }
    };
    let meta = delivery::meta(Area::Programme, id, None, class);
    guard::check(&viewer, Action::Create, &meta, today)?;
    let change = viewer.change();
    let record_id = state
        .store
        .insert_record(&delivery::project_input(&project, meta)?, &change)
        .await?;
    if let Some(record) = state
        .store
        .record(record_id, &delivery::system_scope(), today)
        .await?
    {
        delivery::escalate_exceptions(
            &*state.store,
            &delivery::project_of(record)?,
            today,
            &change,
        )
        .await?;
    }
    Ok(Redirect::to(&project_path(id, record_id)).into_response())
}

// ----- a project -----

fn date_cell(plan: &DatePlan, date: Option<chrono::NaiveDate>) -> Markup {
    html! {
        @match date {
            Some(d) => (plan.precision.label(d)),
            None => span class="govuk-visually-hidden" { "none" },
        }
    }
}

/// `GET /partnerships/{id}/projects/{record_id}`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let today = state.today();
    let loaded = delivery::project_of(record)?;
    let project = &loaded.value;
    let record_id = loaded.id();
    let names = councils(&state, &project.councils).await?;
    let editor = may_do(&viewer, Action::Update, &loaded.record.meta, today);
    let base = project_path(id, record_id);
    let exceptions = project.exceptions(today);
    let escalated: Vec<_> = state
        .store
        .records(
            &accord_store::RecordQuery {
                parent_id: Some(record_id),
                ..accord_store::RecordQuery::of(delivery::ESCALATION, id)
            },
            &viewer.scope(),
            today,
        )
        .await?;
    let escalated_items: Vec<String> = escalated
        .iter()
        .filter_map(|r| {
            serde_json::from_value::<accord_domain::board::EscalationNotice>(r.body.clone()).ok()
        })
        .filter_map(|n| match n.from {
            accord_domain::board::EscalatedFrom::Exception { item, .. } => Some(item),
            accord_domain::board::EscalatedFrom::Raid { .. } => None,
        })
        .collect();
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
        span class="govuk-caption-l" { (p.name) }
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
            SummaryRow::new("Who may see it", classification_tag(&loaded.record, today)),
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
            a class="govuk-link" href={ "/partnerships/" (id) "/records/" (record_id) "/history" } { "See the history of changes to this project" }
        }
    };
    Ok(render(
        &state,
        &viewer,
        page(&p, project.name.clone()),
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

/// Saves a changed project (refused when someone changed it since it was read), then
/// escalates any new tolerance exception. A refusal comes back as the form's errors.
pub async fn save_project(
    state: &AppState,
    viewer: &Viewer,
    loaded: &Loaded<Project>,
    project: &Project,
    reason: &str,
) -> Result<Result<(), Invalid>, WebError> {
    if let Err(e) = project.validate() {
        return Ok(Err(e));
    }
    let change = viewer.change().because(reason);
    let input = delivery::project_input(project, loaded.record.meta.clone())?;
    if let Err(e) = state
        .store
        .update_record(loaded.id(), Some(loaded.record.version), &input, &change)
        .await
    {
        return refusal(e).map(Err);
    }
    let saved = Loaded {
        record: loaded.record.clone(),
        value: project.clone(),
    };
    delivery::escalate_exceptions(&*state.store, &saved, state.today(), &change).await?;
    Ok(Ok(()))
}

/// `POST /partnerships/{id}/projects/{record_id}/escalations`: escalates the project's
/// tolerance exceptions not escalated yet.
pub async fn escalate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Response, WebError> {
    let loaded = delivery::project_of(record)?;
    delivery::escalate_exceptions(&*state.store, &loaded, state.today(), &viewer.change()).await?;
    Ok(Redirect::to(&project_path(id, record_id)).into_response())
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
        ("outcome", delivery::project_status(project)),
        ("re_evaluate_when", when),
    ])
}

fn details_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    record_id: i64,
    project: &Project,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
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
        (form(&format!("{}/edit", project_path(p.id, record_id)), &viewer.csrf, html! {
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

/// `GET /partnerships/{id}/projects/{record_id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let loaded = delivery::project_of(record)?;
    Ok(details_page(
        &state,
        &viewer,
        &p,
        record_id,
        &loaded.value,
        &details_form_data(&loaded.value),
        &Invalid::new(),
    ))
}

/// Applies the details form to a project.
fn apply_details(project: &mut Project, form: &FormData) -> Result<(), Invalid> {
    let mut invalid = Invalid::new();
    let name = form.get("name").trim();
    if name.is_empty() {
        invalid.push("name", "Enter the project’s name");
    }
    let tolerance = match form.get("tolerance_days").trim() {
        "" => Some(accord_domain::project::DEFAULT_TOLERANCE_DAYS),
        text => match text.parse::<u32>() {
            Ok(days) if days <= 366 => Some(days),
            _ => {
                invalid.push(
                    "tolerance_days",
                    "Enter the tolerance as a whole number of days, at most 366",
                );
                None
            }
        },
    };
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
        "re-evaluate" => {
            let when = form.get("re_evaluate_when").trim();
            if when.is_empty() {
                invalid.push("re_evaluate_when", "Say when it is to be evaluated again");
                None
            } else {
                Some(Outcome::ReEvaluate {
                    when: when.to_owned(),
                })
            }
        }
        "" | "not-stated" => Some(Outcome::NotStated),
        other => {
            invalid.push("outcome", format!("“{other}” is not an outcome"));
            None
        }
    };
    invalid.into_result()?;
    project.name = name.to_owned();
    project.tolerance_days = tolerance.unwrap_or(project.tolerance_days);
    project.opportunity = form.get("opportunity").trim().to_owned();
    project.opportunity_id = opportunity_id;
    project.implementation = form.get("implementation").trim().to_owned();
    if let Some(savings) = savings {
        project.cashable_savings = savings;
    }
    project.non_cashable_benefits = lines(form.get("benefits"));
    if let Some(outcome) = outcome {
        project.outcome = outcome;
    }
    Ok(())
}

/// `POST /partnerships/{id}/projects/{record_id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let loaded = delivery::project_of(record)?;
    let mut project = loaded.value.clone();
    let result = match apply_details(&mut project, &form_data) {
        Ok(()) => save_project(&state, &viewer, &loaded, &project, form_data.get("reason")).await?,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&project_path(id, record_id)).into_response()),
        Err(errors) => Ok(refused(details_page(
            &state,
            &viewer,
            &p,
            record_id,
            &loaded.value,
            &form_data,
            &errors,
        ))),
    }
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
    record_id: i64,
    project: &Project,
    target: Option<Target>,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
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
                (form(&format!("{}/dates", project_path(p.id, record_id)), &viewer.csrf, html! {
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
                        li { a class="govuk-link" href={ (project_path(p.id, record_id)) "/dates?item=" (target_slug(t)) } { (n) } }
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

/// `GET /partnerships/{id}/projects/{record_id}/dates?item=…`.
pub async fn dates_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    Query(query): Query<ItemQuery>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let loaded = delivery::project_of(record)?;
    let target = query
        .item
        .as_deref()
        .and_then(|t| parse_target("item", t).ok());
    let mut form_data = FormData::default();
    if let Some(plan) = target.and_then(|t| loaded.value.plan_of(t)) {
        for (name, date) in [("forecast", plan.forecast), ("actual", plan.actual)] {
            if let Some(date) = date {
                let parts = DateParts::from_date(date);
                form_data.set(&format!("{name}-day"), &parts.day);
                form_data.set(&format!("{name}-month"), &parts.month);
                form_data.set(&format!("{name}-year"), &parts.year);
            }
        }
    }
    Ok(dates_page(
        &state,
        &viewer,
        &p,
        record_id,
        &loaded.value,
        target,
        &form_data,
        &Invalid::new(),
    ))
}

/// Applies a forecast and an actual to a dated item, with the domain's rules (a forecast
/// before the project starts is refused; a stage completes only after its gate).
pub fn apply_dates(
    project: &mut Project,
    target: Target,
    forecast: Option<chrono::NaiveDate>,
    actual: Option<chrono::NaiveDate>,
) -> Result<(), Invalid> {
    let mut changed = project.clone();
    changed.set_forecast(target, forecast)?;
    if let Some(actual) = actual
        && changed.plan_of(target).and_then(|p| p.actual) != Some(actual)
    {
        changed.record_actual(target, actual)?;
    }
    *project = changed;
    Ok(())
}

/// `POST /partnerships/{id}/projects/{record_id}/dates`.
pub async fn save_dates(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let loaded = delivery::project_of(record)?;
    let target = parse_target("item", form_data.get("item"));
    let mut invalid = Invalid::new();
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
    let mut project = loaded.value.clone();
    let result = match &target {
        Ok(target) if invalid.is_empty() => {
            match apply_dates(&mut project, *target, forecast, actual) {
                Ok(()) => {
                    save_project(&state, &viewer, &loaded, &project, form_data.get("reason"))
                        .await?
                }
                Err(e) => Err(e),
            }
        }
        Ok(_) => Err(invalid),
        Err(e) => {
            invalid.extend(e.clone());
            Err(invalid)
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to(&project_path(id, record_id)).into_response()),
        Err(errors) => Ok(refused(dates_page(
            &state,
            &viewer,
            &p,
            record_id,
            &loaded.value,
            target.ok(),
            &form_data,
            &errors,
        ))),
    }
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
    record_id: i64,
    project: &Project,
    form_data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
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
            (form(&format!("{}/cabinet-approvals", project_path(p.id, record_id)), &viewer.csrf, html! {
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

/// `GET /partnerships/{id}/projects/{record_id}/cabinet-approvals`.
pub async fn approval_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    Query(query): Query<ApprovalQuery>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let loaded = delivery::project_of(record)?;
    let form_data = FormData::from_pairs([
        ("stage", query.stage.unwrap_or_default()),
        ("council", query.council.unwrap_or_default()),
    ]);
    approval_page(
        &state,
        &viewer,
        &p,
        record_id,
        &loaded.value,
        &form_data,
        &Invalid::new(),
    )
    .await
}

/// Records a Cabinet approval at a project's gate, with the domain's rules: a council outside
/// the partnership, a stage without a gate, or an approval dated in the future is refused.
pub fn apply_approval(
    project: &mut Project,
    stage: Stage,
    council: &GssCode,
    on: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> Result<(), Invalid> {
    accord_domain::board::check_recorded_on("approved_on", on, today)?;
    let mut changed = project.clone();
    changed.record_cabinet_approval(stage, council, on)?;
    *project = changed;
    Ok(())
}

/// `POST /partnerships/{id}/projects/{record_id}/cabinet-approvals`.
pub async fn record_approval(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let loaded = delivery::project_of(record)?;
    let mut invalid = Invalid::new();
    let stage = invalid.check(Stage::parse("stage", form_data.get("stage")));
    let council = invalid.check(GssCode::parse("council", form_data.get("council")));
    let on = invalid.check(
        form_data
            .date("approved_on")
            .parse("approved_on", "the date of the Cabinet’s approval"),
    );
    let mut project = loaded.value.clone();
    let result = match (stage, council, on) {
        (Some(stage), Some(council), Some(on)) if invalid.is_empty() => {
            match apply_approval(&mut project, stage, &council, on, state.today()) {
                Ok(()) => save_project(&state, &viewer, &loaded, &project, "").await?,
                Err(e) => Err(e),
            }
        }
        _ => Err(invalid),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&project_path(id, record_id)).into_response()),
        Err(errors) => Ok(refused(
            approval_page(
                &state,
                &viewer,
                &p,
                record_id,
                &loaded.value,
                &form_data,
                &errors,
            )
            .await?,
        )),
    }
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
    record_id: i64,
    project: &Project,
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
        span class="govuk-caption-l" { (project.name) }
        h1 class="govuk-heading-xl" { "Add a phase" }
        p class="govuk-body" { "Phases are the steps in which a shared service is introduced, such as “closer joint working”, then “a shared service with a joint head”, then “a social enterprise”." }
        (form(&format!("{}/phases", project_path(p.id, record_id)), &viewer.csrf, html! {
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

/// `GET /partnerships/{id}/projects/{record_id}/phases/new`.
pub async fn phase_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let loaded = delivery::project_of(record)?;
    Ok(phase_page(
        &state,
        &viewer,
        &p,
        record_id,
        &loaded.value,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// `POST /partnerships/{id}/projects/{record_id}/phases`.
pub async fn add_phase(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let loaded = delivery::project_of(record)?;
    let mut invalid = Invalid::new();
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
    let mut project = loaded.value.clone();
    let result = match status {
        Some(status) if invalid.is_empty() => {
            let input = PhaseInput {
                name: form_data.get("name").trim().to_owned(),
                description: form_data.get("description").trim().to_owned(),
                status,
                start,
                note: None,
            };
            match project.add_phase(input) {
                Ok(_) => save_project(&state, &viewer, &loaded, &project, "").await?,
                Err(e) => Err(e),
            }
        }
        _ => Err(invalid),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&project_path(id, record_id)).into_response()),
        Err(errors) => Ok(refused(phase_page(
            &state,
            &viewer,
            &p,
            record_id,
            &loaded.value,
            &form_data,
            &errors,
        ))),
    }
}

fn milestone_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    record_id: i64,
    project: &Project,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
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
        (form(&format!("{}/milestones", project_path(p.id, record_id)), &viewer.csrf, html! {
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

/// `GET /partnerships/{id}/projects/{record_id}/milestones/new`.
pub async fn milestone_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let loaded = delivery::project_of(record)?;
    Ok(milestone_page(
        &state,
        &viewer,
        &p,
        record_id,
        &loaded.value,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// `POST /partnerships/{id}/projects/{record_id}/milestones`.
pub async fn add_milestone(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let loaded = delivery::project_of(record)?;
    let mut invalid = Invalid::new();
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
    let due = invalid.check(dated_plan(&form_data, "due", "the baseline date"));
    let due = match due {
        Some(Some(due)) => Some(due),
        Some(None) => {
            invalid.push("due", "Enter the baseline date");
            None
        }
        None => None,
    };
    let mut project = loaded.value.clone();
    let result = match (kind, due) {
        (Some(kind), Some(due)) if invalid.is_empty() => {
            let input = MilestoneInput {
                name: form_data.get("name").trim().to_owned(),
                kind,
                stage,
                phase,
                due,
                note: None,
            };
            match project.add_milestone(input) {
                Ok(_) => save_project(&state, &viewer, &loaded, &project, "").await?,
                Err(e) => Err(e),
            }
        }
        _ => Err(invalid),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&project_path(id, record_id)).into_response()),
        Err(errors) => Ok(refused(milestone_page(
            &state,
            &viewer,
            &p,
            record_id,
            &loaded.value,
            &form_data,
            &errors,
        ))),
    }
}
