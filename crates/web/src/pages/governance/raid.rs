//! The RAID log: risks, assumptions, issues and dependencies, filtered; the risk heat map (an
//! SVG with the same figures in a table); an item with its escalation history; and the forms
//! that raise, escalate, close and reopen items.

pub use crate::paging::query_form;
use accord_domain::access::{Action, Area, Classification};
use accord_domain::board::BoardLevel;
use accord_domain::mou::long_date;
use accord_domain::raid::{
    Level, Mitigation, RaidDetail, RaidFilter, RaidInput, RaidItem, RaidKind, RaidStatus,
    RiskScore, ScoreBasis,
};
use accord_domain::{Invalid, Partnership};
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{Markup, html};
use std::collections::HashMap;

use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Choice, Column, Field, InputWidth, SummaryRow, Table, TagColour, button,
    button_link, checkboxes, date_input, error_summary, form, pagination, radios, select,
    summary_list, table, tag, text_input, textarea,
};
use crate::delivery;
use crate::error::WebError;
use crate::forms::{FormData, refused};
use crate::guard::GuardedRecord;
use crate::layout::Page;
use crate::pages::common::render;
use crate::pages::delivery::charts::heat_map_chart;
use crate::pages::delivery::common::{
    classification, classification_radios, lines, may_create, may_do, meta_tag, paragraphs,
    partnership,
};
use accord_app::AppError;
use accord_app::governance::raid::{self, RaidEntry};
use accord_app::list::ListRequest;
use axum::http::StatusCode;

/// Items shown on one page of the log.
pub const PAGE_SIZE: u32 = 100;

fn raid_path(id: i64) -> String {
    format!("/partnerships/{id}/raid")
}

fn page(p: &Partnership, title: impl Into<String>) -> Page {
    Page::new(title)
        .breadcrumb("Partnerships", "/")
        .breadcrumb(p.name.clone(), format!("/partnerships/{}", p.id))
        .breadcrumb("RAID log", raid_path(p.id))
}

/// Reads the log's filter from a query.
pub fn filter_from(form: &FormData) -> Result<RaidFilter, Invalid> {
    let mut invalid = Invalid::new();
    let mut kinds = Vec::new();
    for k in form.all("kind") {
        if let Some(kind) = invalid.check(delivery::parse_slug::<RaidKind>(
            "kind",
            k,
            "a kind of RAID item",
        )) {
            kinds.push(kind);
        }
    }
    let status = match form.get("status") {
        "" | "any" => None,
        text => invalid.check(delivery::parse_slug::<RaidStatus>(
            "status",
            text,
            "open or closed",
        )),
    };
    let board = match form.get("board") {
        "" => None,
        text => invalid.check(BoardLevel::parse("board", text)),
    };
    let number = |field: &str, invalid: &mut Invalid| -> Option<u8> {
        match form.get(field).trim() {
            "" => None,
            text => invalid.check(
                text.parse::<u8>()
                    .map_err(|_| Invalid::field(field, "Enter a score from 1 to 25")),
            ),
        }
    };
    let min_score = number("min_score", &mut invalid);
    let max_score = number("max_score", &mut invalid);
    let project = match form.get("project").trim() {
        "" => None,
        text => invalid.check(
            text.parse::<i64>()
                .map_err(|_| Invalid::field("project", "Choose a project")),
        ),
    };
    let score_basis = match form.get("basis") {
        "" | "residual" => ScoreBasis::Residual,
        "inherent" => ScoreBasis::Inherent,
        other => {
            invalid.push(
                "basis",
                format!("“{other}” is not a score: choose inherent or residual"),
            );
            ScoreBasis::Residual
        }
    };
    let text = |field: &str| Some(form.get(field).trim().to_owned()).filter(|t| !t.is_empty());
    let filter = RaidFilter {
        kinds,
        status,
        owner: text("owner"),
        min_score,
        max_score,
        score_basis,
        board,
        project,
        text: text("text"),
    };
    if let Err(e) = filter.prepare() {
        invalid.extend(e);
    }
    invalid.into_result()?;
    Ok(filter)
}

/// The names of the projects the reader may see, by id.
pub async fn project_names(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<HashMap<i64, String>, WebError> {
    Ok(accord_app::delivery::project_names(&state.app, &viewer.caller(), id).await?)
}

fn project_name(names: &HashMap<i64, String>, id: i64) -> String {
    names
        .get(&id)
        .cloned()
        .unwrap_or_else(|| format!("project {id}"))
}

fn score_text(score: RiskScore) -> String {
    format!("{} ({})", score.score(), score.band().label())
}

fn kind_label(item: &RaidItem) -> &'static str {
    item.kind().label()
}

/// `GET /partnerships/{id}/raid`: the log, filtered, with the risk heat map; one page of it,
/// read, counted and mapped by the database.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let today = state.today();
    let form_data = query_form(query.as_deref());
    let (filter, errors) = match filter_from(&form_data) {
        Ok(f) => (f, Invalid::new()),
        Err(e) => (RaidFilter::default(), e),
    };
    let wanted = form_data.get("page").parse::<u32>().unwrap_or(1).max(1);
    let caller = viewer.caller();
    let mut listed = raid::list(
        &state.app,
        &caller,
        id,
        &filter,
        &ListRequest::page(wanted, PAGE_SIZE),
    )
    .await?;
    let pages = listed.page.pages(PAGE_SIZE);
    if wanted > pages {
        // A page beyond the end (the log shrank, or a hand-made address) shows the last.
        listed = raid::list(
            &state.app,
            &caller,
            id,
            &filter,
            &ListRequest::page(pages, PAGE_SIZE),
        )
        .await?;
    }
    let current = wanted.min(pages);
    let names = project_names(&state, &viewer, id).await?;
    let markup = render_list(
        &state, &viewer, &p, &form_data, &errors, &filter, &listed, &names, current, pages, today,
    );
    if errors.is_empty() {
        Ok(markup.into_response())
    } else {
        Ok(refused(markup))
    }
}

#[allow(clippy::too_many_arguments)]
fn render_list(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    form_data: &FormData,
    errors: &Invalid,
    filter: &RaidFilter,
    listed: &raid::RaidList,
    names: &HashMap<i64, String>,
    current: u32,
    pages: u32,
    today: NaiveDate,
) -> Markup {
    let id = p.id;
    let map = &listed.heat_map;
    let total = listed.page.total;
    let kind_choices: Vec<Choice> = RaidKind::ALL
        .iter()
        .map(|k| Choice::new(kind_slug(*k), k.label()))
        .collect();
    let checked = form_data.all("kind");
    let statuses = [
        Choice::new("any", "Open or closed"),
        Choice::new("open", "Open"),
        Choice::new("closed", "Closed"),
    ];
    let mut boards = vec![Choice::new("", "Any board")];
    boards.extend(
        BoardLevel::ALL
            .iter()
            .map(|b| Choice::new(b.slug(), b.name())),
    );
    let mut sorted: Vec<(&i64, &String)> = names.iter().collect();
    sorted.sort_by(|a, b| a.1.cmp(b.1));
    let project_values: Vec<(String, String)> = sorted
        .iter()
        .map(|(i, n)| (i.to_string(), (*n).clone()))
        .collect();
    let mut projects = vec![Choice::new("", "Any project")];
    projects.extend(project_values.iter().map(|(v, t)| Choice::new(v, t)));
    let bases = [
        Choice::new("residual", "Residual (after mitigation)"),
        Choice::new("inherent", "Inherent (before mitigation)"),
    ];
    let basis_label = match filter.score_basis {
        ScoreBasis::Residual => "residual",
        ScoreBasis::Inherent => "inherent",
    };
    let mut listing = Table::new(
        format!("Items ({total} matching)"),
        vec![
            Column::text("Reference"),
            Column::text("Title"),
            Column::text("Owner"),
            Column::text("Project"),
            Column::text("Held at"),
            Column::text("Score (inherent → residual)"),
            Column::text("Status"),
        ],
    )
    .row_headers();
    for entry in &listed.page.items {
        let v = &entry.item;
        listing = listing.row(vec![
            html! { a class="govuk-link" href={ (raid_path(id)) "/" (v.reference()) } { (v.reference()) } span class="govuk-visually-hidden" { " " (kind_label(v)) } },
            html! { (v.title) },
            html! { (v.owner) },
            html! { @match v.project { Some(pid) => (project_name(names, pid)), None => "Programme" } },
            html! { (v.board.name()) },
            html! {
                @match (v.risk_score(ScoreBasis::Inherent), v.risk_score(ScoreBasis::Residual)) {
                    (Some(i), Some(r)) => { (score_text(i)) " → " (score_text(r)) },
                    _ => "",
                }
            },
            html! {
                @match v.status {
                    RaidStatus::Open => (tag("Open", TagColour::Blue)),
                    RaidStatus::Closed => (tag("Closed", TagColour::Grey)),
                }
            },
        ]);
    }
    let page_href = |n: u32| {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for k in form_data.all("kind") {
            pairs.push(("kind".into(), k.into()));
        }
        for field in [
            "status",
            "board",
            "project",
            "owner",
            "text",
            "min_score",
            "max_score",
            "basis",
        ] {
            let v = form_data.get(field);
            if !v.is_empty() {
                pairs.push((field.into(), v.into()));
            }
        }
        pairs.push(("page".into(), n.to_string()));
        format!(
            "{}?{}",
            raid_path(id),
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { "RAID log" }
        p class="govuk-body" {
            "Risks, assumptions, issues and dependencies. Risks are scored on a 5 × 5 grid of probability × impact, "
            "before mitigation (inherent) and after it (residual). Items escalate from the Projects Board to the Programme Board "
            "to the Senior Stakeholder Board, and go on the receiving board’s next agenda."
        }
        @if may_create(viewer, Area::Programme, id, today) {
            (button_link("Raise an item", &format!("{}/new", raid_path(id)), ButtonKind::Secondary))
        }
        details class="govuk-details" open[!form_data.get("page").is_empty() || form_data.all("kind").len() + form_data.get("text").len() + form_data.get("owner").len() > 0 || !errors.is_empty()] {
            summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Filter the log" } }
            div class="govuk-details__text" {
                form method="get" action=(raid_path(id)) novalidate {
                    (checkboxes(&Field::new("kind", "Kinds").errors(errors), &kind_choices, &checked))
                    (select(&Field::new("status", "Status").value(form_data.get("status")).errors(errors), &statuses))
                    (select(&Field::new("board", "Held at").value(form_data.get("board")).errors(errors), &boards))
                    (select(&Field::new("project", "Project").value(form_data.get("project")).errors(errors), &projects))
                    (text_input(&Field::new("owner", "Owner contains").value(form_data.get("owner")).errors(errors)))
                    (text_input(&Field::new("text", "Title, description or reference contains").value(form_data.get("text")).errors(errors)))
                    (text_input(&Field::new("min_score", "Lowest risk score (1 to 25)").value(form_data.get("min_score")).width(InputWidth::Chars2).numeric().errors(errors)))
                    (text_input(&Field::new("max_score", "Highest risk score (1 to 25)").value(form_data.get("max_score")).width(InputWidth::Chars2).numeric().errors(errors)))
                    (radios(&Field::new("basis", "Score").value(basis_label).errors(errors), &bases))
                    (button("Filter", ButtonKind::Secondary))
                }
            }
        }
        h2 class="govuk-heading-l" { "Risk heat map" }
        (heat_map_chart(map))
                @if total == 0 {
            h2 class="govuk-heading-m" { "Items" }
            p class="govuk-body" { "No items you can see match." }
        } @else {
            (table(&listing.scrollable()))
            (pagination(current, pages, page_href))
        }
    };
    render(
        state,
        viewer,
        Page::new(format!("RAID log – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}"))
            .with_errors(errors),
        content,
    )
}

/// The slug of a kind: `risk`, `assumption`, `issue`, `dependency`.
pub fn kind_slug(kind: RaidKind) -> &'static str {
    match kind {
        RaidKind::Risk => "risk",
        RaidKind::Assumption => "assumption",
        RaidKind::Issue => "issue",
        RaidKind::Dependency => "dependency",
    }
}

// ----- an item -----

async fn item_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    entry: &RaidEntry,
    form_data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let today = state.today();
    let id = p.id;
    let names = project_names(state, viewer, id).await?;
    let v = &entry.item;
    let editor = may_do(viewer, Action::Update, &entry.meta, today);
    let base = format!("{}/{}", raid_path(id), v.reference());
    let version = entry.version.to_string();
    let mut detail_rows = vec![
        SummaryRow::new("Kind", html! { (kind_label(v)) }),
        SummaryRow::new("Owner", html! { (v.owner) }),
        SummaryRow::new(
            "Project",
            html! {
                @match v.project { Some(pid) => a class="govuk-link" href={ "/partnerships/" (id) "/projects/" (pid) } { (project_name(&names, pid)) }, None => "The programme as a whole" }
            },
        ),
        SummaryRow::new("Raised", html! { (long_date(v.raised_on)) }),
        SummaryRow::new("Held at", html! { (v.board.name()) }),
        SummaryRow::new(
            "Status",
            html! {
                @match &v.closed {
                    Some(c) => { "Closed on " (long_date(c.on)) ": " (c.resolution) },
                    None => "Open",
                }
            },
        ),
        SummaryRow::new("Who may see it", meta_tag(&entry.meta, today)),
    ];
    match &v.detail {
        RaidDetail::Risk {
            inherent,
            residual,
            proximity,
            ..
        } => {
            detail_rows.push(SummaryRow::new("Inherent score", html! {
                (score_text(*inherent)) ": " (inherent.probability.probability_label()) " × " (inherent.impact.impact_label())
            }));
            detail_rows.push(SummaryRow::new("Residual score", html! {
                (score_text(*residual)) ": " (residual.probability.probability_label()) " × " (residual.impact.impact_label())
            }));
            detail_rows.push(SummaryRow::new(
                "Proximity",
                crate::pages::common::date_or_not_stated(*proximity),
            ));
        }
        RaidDetail::Assumption {
            validate_by,
            validated_on,
        } => {
            detail_rows.push(SummaryRow::new(
                "Confirm by",
                crate::pages::common::date_or_not_stated(*validate_by),
            ));
            detail_rows.push(SummaryRow::new(
                "Confirmed",
                html! { @match validated_on { Some(d) => (long_date(*d)), None => "Not yet" } },
            ));
        }
        RaidDetail::Issue {
            severity,
            resolve_by,
        } => {
            detail_rows.push(SummaryRow::new(
                "Severity",
                html! { (severity.get()) " of 5 (" (severity.impact_label()) ")" },
            ));
            detail_rows.push(SummaryRow::new(
                "Resolve by",
                crate::pages::common::date_or_not_stated(*resolve_by),
            ));
        }
        RaidDetail::Dependency {
            from_project,
            to_project,
            needed_by,
        } => {
            detail_rows.push(SummaryRow::new("Depends", html! {
                (project_name(&names, *from_project)) " needs " (project_name(&names, *to_project))
            }));
            detail_rows.push(SummaryRow::new(
                "Needed by",
                crate::pages::common::date_or_not_stated(*needed_by),
            ));
        }
    }
    let mut history = Table::new(
        "Escalations",
        vec![
            Column::text("Date"),
            Column::text("From"),
            Column::text("To"),
            Column::text("By"),
            Column::text("Why"),
        ],
    );
    for e in &v.escalations {
        history = history.row(vec![
            html! { (long_date(e.on)) },
            html! { (e.from.name()) },
            html! { (e.to.name()) },
            html! { (e.by) },
            html! { (e.reason) },
        ]);
    }
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) ", RAID log" }
        h1 class="govuk-heading-xl" { (v.reference()) ": " (v.title) }
        (summary_list(&detail_rows))
        (paragraphs(&v.description))
        @if let RaidDetail::Risk { mitigations, .. } = &v.detail {
            h2 class="govuk-heading-m" { "Mitigations" }
            @if mitigations.is_empty() {
                p class="govuk-body" { "None recorded." }
            } @else {
                ul class="govuk-list govuk-list--bullet" {
                    @for m in mitigations {
                        li {
                            (m.action)
                            @if !m.owner.is_empty() { " (" (m.owner) ")" }
                            @if let Some(d) = m.due { ", by " (long_date(d)) }
                            @if let Some(d) = m.done_on { ", done " (long_date(d)) }
                        }
                    }
                }
            }
        }
        h2 class="govuk-heading-m" { "Escalation history" }
        @if v.escalations.is_empty() {
            p class="govuk-body" { "Not escalated: held at the " (v.board.name()) " since it was raised." }
        } @else {
            (table(&history))
        }
        @if editor {
            @if v.status == RaidStatus::Open {
                @match v.board.above() {
                    Some(above) => {
                        h2 class="govuk-heading-m" { "Escalate to the " (above.name()) }
                        (form(&format!("{base}/escalate"), &viewer.csrf, html! {
                            input type="hidden" name="version" value=(version);
                            (textarea(&Field::new("reason", "Why it is escalated").value(form_data.get("reason")).rows(3).errors(errors)))
                            (button(&format!("Escalate to the {}", above.name()), ButtonKind::Secondary))
                        }))
                    },
                    None => {
                        p class="govuk-body" { "It is held at the top board; it cannot be escalated further." }
                    },
                }
                h2 class="govuk-heading-m" { "Close it" }
                (form(&format!("{base}/close"), &viewer.csrf, html! {
                    input type="hidden" name="version" value=(version);
                    (textarea(&Field::new("resolution", "How it was resolved").value(form_data.get("resolution")).rows(3).errors(errors)))
                    (button("Close item", ButtonKind::Secondary))
                }))
            } @else {
                (form(&format!("{base}/reopen"), &viewer.csrf, html! {
                    input type="hidden" name="version" value=(version);
                    (button("Reopen item", ButtonKind::Secondary))
                }))
            }
        }
        p class="govuk-body" {
            a class="govuk-link" href={ "/partnerships/" (id) "/records/" (entry.record_id) "/history" } { "See the history of changes to this item" }
        }
    };
    Ok(render(
        state,
        viewer,
        page(p, format!("{} {}", v.reference(), v.title)).with_errors(errors),
        content,
    ))
}

/// `GET /partnerships/{id}/raid/{reference}`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    // The guard found the item, by its reference or by an old address's record id.
    let reference = record.reference.clone().unwrap_or_default();
    let p = partnership(&state, id).await?;
    let entry = raid::item(&state.app, &viewer.caller(), id, &reference).await?;
    item_page(
        &state,
        &viewer,
        &p,
        &entry,
        &FormData::default(),
        &Invalid::new(),
    )
    .await
}

/// The version a form was filled from, if it says.
fn form_version(form_data: &FormData) -> Result<Option<i64>, Invalid> {
    match form_data.get("version").trim() {
        "" => Ok(None),
        text => text.parse::<i64>().map(Some).map_err(|_| {
            Invalid::field(
                "version",
                "The form is damaged: reload the page and try again",
            )
        }),
    }
}

/// After a change: back to the item, or the item again with what went wrong. A change made
/// from a version someone has since replaced is refused with 409 and the item as it is now.
async fn after(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    reference: &str,
    form_data: &FormData,
    result: Result<RaidEntry, AppError>,
) -> Result<Response, WebError> {
    let (status, errors) = match result {
        Ok(entry) => {
            return Ok(
                Redirect::to(&format!("{}/{}", raid_path(p.id), entry.reference())).into_response(),
            );
        }
        Err(AppError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(AppError::Conflict(message)) => {
            (StatusCode::CONFLICT, Invalid::field("version", message))
        }
        Err(other) => return Err(other.into()),
    };
    let entry = raid::item(&state.app, &viewer.caller(), p.id, reference).await?;
    // A refused form keeps what was typed; a conflict shows the item as it is now.
    let shown = if status == StatusCode::CONFLICT {
        FormData::default()
    } else {
        form_data.clone()
    };
    let markup = item_page(state, viewer, p, &entry, &shown, &errors).await?;
    Ok((status, markup).into_response())
}

/// `POST /partnerships/{id}/raid/{reference}/escalate`.
pub async fn escalate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    // The guard found the item, by its reference or by an old address's record id.
    let reference = record.reference.clone().unwrap_or_default();
    let p = partnership(&state, id).await?;
    let result = match form_version(&form_data) {
        Ok(version) => raid::escalate(
            &state.app,
            &viewer.caller(),
            id,
            &reference,
            version,
            form_data.get("reason"),
        )
        .await
        .map(|(entry, _)| entry),
        Err(e) => Err(e.into()),
    };
    after(&state, &viewer, &p, &reference, &form_data, result).await
}

/// `POST /partnerships/{id}/raid/{reference}/close`.
pub async fn close(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    // The guard found the item, by its reference or by an old address's record id.
    let reference = record.reference.clone().unwrap_or_default();
    let p = partnership(&state, id).await?;
    let result = match form_version(&form_data) {
        Ok(version) => {
            raid::close(
                &state.app,
                &viewer.caller(),
                id,
                &reference,
                version,
                form_data.get("resolution"),
            )
            .await
        }
        Err(e) => Err(e.into()),
    };
    after(&state, &viewer, &p, &reference, &form_data, result).await
}

/// `POST /partnerships/{id}/raid/{reference}/reopen`: reopens a closed item; a dependency that
/// would now close a cycle of projects stays closed.
pub async fn reopen(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    // The guard found the item, by its reference or by an old address's record id.
    let reference = record.reference.clone().unwrap_or_default();
    let p = partnership(&state, id).await?;
    let result = match form_version(&form_data) {
        Ok(version) => raid::reopen(&state.app, &viewer.caller(), id, &reference, version).await,
        Err(e) => Err(e.into()),
    };
    after(&state, &viewer, &p, &reference, &form_data, result).await
}

fn level_choices() -> Vec<(String, String)> {
    (1..=5u8)
        .map(|n| {
            let level = Level::new("level", n).unwrap_or(Level::MIN);
            (
                n.to_string(),
                format!(
                    "{n}: {} / {}",
                    level.probability_label(),
                    level.impact_label()
                ),
            )
        })
        .collect()
}

async fn new_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    form_data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let id = p.id;
    let kind = form_data.get("kind");
    let names = project_names(state, viewer, id).await?;
    let mut sorted: Vec<(String, String)> = names
        .iter()
        .map(|(i, n)| (i.to_string(), n.clone()))
        .collect();
    sorted.sort_by(|a, b| a.1.cmp(&b.1));
    let mut projects = vec![Choice::new("", "The programme as a whole")];
    projects.extend(sorted.iter().map(|(v, t)| Choice::new(v, t)));
    let project_only: Vec<Choice> = sorted.iter().map(|(v, t)| Choice::new(v, t)).collect();
    let boards: Vec<Choice> = BoardLevel::ALL
        .iter()
        .map(|b| Choice::new(b.slug(), b.name()))
        .collect();
    let levels = level_choices();
    let level_options: Vec<Choice> = levels.iter().map(|(v, t)| Choice::new(v, t)).collect();
    let kinds: Vec<Choice> = RaidKind::ALL
        .iter()
        .map(|k| Choice::new(kind_slug(*k), k.label()))
        .collect();
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) ", RAID log" }
        h1 class="govuk-heading-xl" { "Raise an item" }
        @if !["risk", "assumption", "issue", "dependency"].contains(&kind) {
            form method="get" action={ (raid_path(id)) "/new" } novalidate {
                (radios(&Field::new("kind", "What kind of item?").errors(errors), &kinds))
                (button("Continue", ButtonKind::Primary))
            }
        } @else {
            (form(&raid_path(id), &viewer.csrf, html! {
                input type="hidden" name="kind" value=(kind);
                (text_input(&Field::new("title", "Title").value(form_data.get("title")).errors(errors)))
                (textarea(&Field::new("description", "Description (optional)").value(form_data.get("description")).rows(3).errors(errors)))
                (text_input(&Field::new("owner", "Owner").value(form_data.get("owner")).errors(errors)))
                @if kind != "dependency" {
                    (select(&Field::new("project", "Project").value(form_data.get("project")).errors(errors), &projects))
                }
                (date_input(&Field::new("raised_on", "Raised on").errors(errors), &form_data.date("raised_on")))
                (select(&Field::new("board", "Held at").value(if form_data.get("board").is_empty() { "projects" } else { form_data.get("board") }).errors(errors), &boards))
                @match kind {
                    "risk" => {
                        (select(&Field::new("inherent_probability", "Probability before mitigation").value(form_data.get("inherent_probability")).errors(errors), &level_options))
                        (select(&Field::new("inherent_impact", "Impact before mitigation").value(form_data.get("inherent_impact")).errors(errors), &level_options))
                        (select(&Field::new("residual_probability", "Probability after mitigation").value(form_data.get("residual_probability")).errors(errors), &level_options))
                        (select(&Field::new("residual_impact", "Impact after mitigation").value(form_data.get("residual_impact")).errors(errors), &level_options))
                        (date_input(&Field::new("proximity", "When it would hit (optional)").errors(errors), &form_data.date("proximity")))
                        (textarea(&Field::new("mitigations", "Mitigating actions (optional)").hint("One a line").value(form_data.get("mitigations")).rows(3).errors(errors)))
                    },
                    "assumption" => {
                        (date_input(&Field::new("validate_by", "Confirm it by (optional)").errors(errors), &form_data.date("validate_by")))
                    },
                    "issue" => {
                        (select(&Field::new("severity", "Severity").value(form_data.get("severity")).errors(errors), &level_options))
                        (date_input(&Field::new("resolve_by", "Resolve it by (optional)").errors(errors), &form_data.date("resolve_by")))
                    },
                    _ => {
                        (select(&Field::new("from_project", "The project that depends").value(form_data.get("from_project")).errors(errors), &project_only))
                        (select(&Field::new("to_project", "The project it depends on").value(form_data.get("to_project")).errors(errors), &project_only))
                        (date_input(&Field::new("needed_by", "Needed by (optional)").errors(errors), &form_data.date("needed_by")))
                    },
                }
                (classification_radios("classification", "Who may see it?", form_data.get("classification"), errors))
                (button("Raise item", ButtonKind::Primary))
            }))
        }
    };
    Ok(render(
        state,
        viewer,
        page(p, "Raise an item").with_errors(errors),
        content,
    ))
}

/// `GET /partnerships/{id}/raid/new?kind=…`.
pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let mut form_data = query_form(query.as_deref());
    let parts = crate::forms::DateParts::from_date(state.today());
    form_data.set("raised_on-day", &parts.day);
    form_data.set("raised_on-month", &parts.month);
    form_data.set("raised_on-year", &parts.year);
    new_page(&state, &viewer, &p, &form_data, &Invalid::new()).await
}

fn level(form: &FormData, field: &str, invalid: &mut Invalid) -> Option<Level> {
    let text = form.get(field).trim();
    if text.is_empty() {
        invalid.push(field, "Choose a level from 1 to 5");
        return None;
    }
    match text.parse::<u8>() {
        Ok(n) => invalid.check(Level::new(field, n)),
        Err(_) => {
            invalid.push(field, "Choose a level from 1 to 5");
            None
        }
    }
}

fn project_id(form: &FormData, field: &str, invalid: &mut Invalid) -> Option<i64> {
    match form.get(field).trim() {
        "" => None,
        text => invalid.check(
            text.parse::<i64>()
                .map_err(|_| Invalid::field(field, "Choose a project")),
        ),
    }
}

/// Reads the new-item form into the domain's input.
pub fn raid_input_from(form: &FormData) -> Result<(RaidInput, Classification), Invalid> {
    let mut invalid = Invalid::new();
    let raised_on = invalid.check(
        form.date("raised_on")
            .parse("raised_on", "the date it was raised"),
    );
    let board = match form.get("board") {
        "" => None,
        text => invalid.check(BoardLevel::parse("board", text)),
    };
    let date = |field: &str, label: &str, invalid: &mut Invalid| {
        invalid
            .check(form.date(field).parse_optional(field, label))
            .flatten()
    };
    let detail = match form.get("kind") {
        "risk" => {
            let ip = level(form, "inherent_probability", &mut invalid);
            let ii = level(form, "inherent_impact", &mut invalid);
            let rp = level(form, "residual_probability", &mut invalid);
            let ri = level(form, "residual_impact", &mut invalid);
            let proximity = date("proximity", "the date it would hit", &mut invalid);
            match (ip, ii, rp, ri) {
                (Some(ip), Some(ii), Some(rp), Some(ri)) => Some(RaidDetail::Risk {
                    inherent: RiskScore {
                        probability: ip,
                        impact: ii,
                    },
                    residual: RiskScore {
                        probability: rp,
                        impact: ri,
                    },
                    proximity,
                    mitigations: lines(form.get("mitigations"))
                        .into_iter()
                        .map(|action| Mitigation {
                            action,
                            owner: String::new(),
                            due: None,
                            done_on: None,
                        })
                        .collect(),
                }),
                _ => None,
            }
        }
        "assumption" => Some(RaidDetail::Assumption {
            validate_by: date("validate_by", "the date to confirm it by", &mut invalid),
            validated_on: None,
        }),
        "issue" => {
            let severity = level(form, "severity", &mut invalid);
            let resolve_by = date("resolve_by", "the date to resolve it by", &mut invalid);
            severity.map(|severity| RaidDetail::Issue {
                severity,
                resolve_by,
            })
        }
        "dependency" => {
            let from = project_id(form, "from_project", &mut invalid);
            let to = project_id(form, "to_project", &mut invalid);
            if from.is_none() {
                invalid.push("from_project", "Choose the project that depends");
            }
            if to.is_none() {
                invalid.push("to_project", "Choose the project it depends on");
            }
            let needed_by = date("needed_by", "the date it is needed by", &mut invalid);
            match (from, to) {
                (Some(from_project), Some(to_project)) => Some(RaidDetail::Dependency {
                    from_project,
                    to_project,
                    needed_by,
                }),
                _ => None,
            }
        }
        _ => {
            invalid.push("kind", "Choose the kind of item");
            None
        }
    };
    let project = match &detail {
        Some(RaidDetail::Dependency { from_project, .. }) => Some(*from_project),
        _ => project_id(form, "project", &mut invalid),
    };
    let class = invalid.check(classification(form, "classification"));
    invalid.into_result()?;
    let (Some(raised_on), Some(detail), Some(class)) = (raised_on, detail, class) else {
        return Err(Invalid::field("kind", "Choose the kind of item"));
    };
    Ok((
        RaidInput {
            title: form.get("title").trim().to_owned(),
            description: form.get("description").trim().to_owned(),
            owner: form.get("owner").trim().to_owned(),
            project,
            raised_on,
            board,
            detail,
        },
        class,
    ))
}

/// `POST /partnerships/{id}/raid`.
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let result = match raid_input_from(&form_data) {
        Ok((input, classification)) => raid::raise(
            &state.app,
            &viewer.caller(),
            id,
            raid::RaiseRaid {
                input,
                classification,
            },
        )
        .await
        .map_err(WebError::from),
        Err(e) => Err(WebError::Unprocessable(e)),
    };
    match result {
        Ok(entry) => {
            Ok(Redirect::to(&format!("{}/{}", raid_path(id), entry.reference())).into_response())
        }
        Err(WebError::Unprocessable(errors)) => Ok(refused(
            new_page(&state, &viewer, &p, &form_data, &errors).await?,
        )),
        Err(other) => Err(other),
    }
}
