//! The savings ledger pages: a page of lines at a time with each line's BRAG rating (Blue
//! delivered, Green on track, Amber needs action, Red at risk), running totals and variance;
//! totals by year and council against the councils' savings targets; the forms for a line;
//! and import and export as CSV or XLSX. Lines, counts and totals all come from the database.

use accord_app::AppError;
use accord_app::finance::files::Format;
use accord_app::finance::savings::{self as ledger, LedgerLine, SavingCommand};
use accord_app::finance::{Context, SavingsFilter, SavingsOrder, Visibility};
use accord_app::list::ListRequest;
use accord_domain::finance::saving::{Brag, Recurrence, Saving};
use accord_domain::{FinancialYear, GssCode, Invalid, Money};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::{
    PAGE_SIZE, form_version, money_field, page_link, page_number, query_form, refusal, upload_form,
    version_field, visibility_field, visibility_from, with_status,
};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Choice, Column, Field, InputWidth, Rag, Table, button, button_link, error_summary,
    form, pagination, radios, rag, select, table, text_input, textarea,
};
use crate::error::WebError;
use crate::forms::{FormData, refused};
use crate::guard::GuardedRecord;
use crate::layout::Page;
use crate::pages::common::render;

fn base(id: i64) -> String {
    format!("/partnerships/{id}/savings")
}

async fn context(state: &AppState, viewer: &Viewer, id: i64) -> Result<Context, WebError> {
    Ok(accord_app::finance::context(&state.app, &viewer.caller(), id).await?)
}

/// The line the route's guard found, as the reader may see it now.
async fn load(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    reference: Option<String>,
) -> Result<LedgerLine, WebError> {
    Ok(ledger::get(
        &state.app,
        &viewer.caller(),
        id,
        &reference.unwrap_or_default(),
    )
    .await?)
}

/// Reads the ledger's filter and order from its query: `council`, `financial_year`,
/// `project` (a project record id), `text`, `brag`, `in_mtfs` and `cashable` (yes or no),
/// `sort` (`project`, `year` or `reference`).
pub fn filter_from(form: &FormData) -> Result<(SavingsFilter, SavingsOrder), Invalid> {
    let mut invalid = Invalid::new();
    let council = match form.get("council").trim() {
        "" => None,
        t => invalid.check(GssCode::parse("council", t)),
    };
    let financial_year = match form.get("financial_year").trim() {
        "" => None,
        t => invalid.check(FinancialYear::parse("financial_year", t)),
    };
    let project_record_id = match form.get("project").trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                invalid.push("project", "Choose a project");
                None
            }
        },
    };
    let brag = match form.get("brag").trim() {
        "" => None,
        t => invalid.check(Brag::parse("brag", t)),
    };
    let yes_no = |name: &str, invalid: &mut Invalid| match form.get(name).trim() {
        "" => None,
        t => invalid.check(accord_domain::finance::saving::parse_yes_no(name, t)),
    };
    let in_mtfs = yes_no("in_mtfs", &mut invalid);
    let cashable = yes_no("cashable", &mut invalid);
    let order = match form.get("sort").trim() {
        "" | "project" => SavingsOrder::Project,
        "year" => SavingsOrder::Year,
        "reference" => SavingsOrder::Number,
        other => {
            invalid.push(
                "sort",
                format!("“{other}” is not an order: choose project, year or reference"),
            );
            SavingsOrder::Project
        }
    };
    invalid.into_result()?;
    Ok((
        SavingsFilter {
            council,
            financial_year,
            project_record_id,
            text: Some(form.get("text").trim().to_owned()).filter(|t| !t.is_empty()),
            brag,
            in_mtfs,
            cashable,
        },
        order,
    ))
}

/// The rating as a cell: colour and letter, its name for screen readers.
pub fn brag_cell(b: Brag) -> Markup {
    rag(match b {
        Brag::Blue => Rag::Blue,
        Brag::Green => Rag::Green,
        Brag::Amber => Rag::Amber,
        Brag::Red => Rag::Red,
    })
}

fn money(m: Money) -> String {
    m.whole_pounds()
}

fn opt_money(m: Option<Money>) -> Markup {
    match m {
        Some(m) => html! { (money(m)) },
        None => html! { span class="govuk-hint" { "none yet" } },
    }
}

/// `GET /partnerships/{id}/savings`: a page of the ledger, filtered, with the totals of every
/// line that matches.
pub async fn index(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let ctx = context(&state, &viewer, id).await?;
    let p = &ctx.partnership;
    let form_data = query_form(query.as_deref());
    let (filter, order, errors) = match filter_from(&form_data) {
        Ok((f, o)) => (f, o, Invalid::new()),
        Err(e) => (SavingsFilter::default(), SavingsOrder::Project, e),
    };
    let wanted = page_number(&form_data);
    let caller = viewer.caller();
    let mut listed = ledger::ledger(
        &state.app,
        &caller,
        id,
        &filter,
        order,
        &ListRequest::page(wanted, PAGE_SIZE),
    )
    .await?;
    let pages = listed.page.pages(PAGE_SIZE);
    if wanted > pages {
        listed = ledger::ledger(
            &state.app,
            &caller,
            id,
            &filter,
            order,
            &ListRequest::page(pages, PAGE_SIZE),
        )
        .await?;
    }
    let editor = ctx.may_add;
    let mut lines = Table::new(
        format!(
            "Savings ledger: each project’s saving for each council and year ({} matching)",
            listed.page.total
        ),
        vec![
            Column::text("Reference"),
            Column::text("Project"),
            Column::text("Council"),
            Column::text("Year"),
            Column::numeric("Planned"),
            Column::numeric("Forecast"),
            Column::numeric("Achieved"),
            Column::numeric("Variance"),
            Column::numeric("Cumulative planned"),
            Column::numeric("Cumulative expected"),
            Column::text("Kind"),
            Column::text("In MTFS"),
            Column::text("BRAG"),
        ],
    );
    for l in &listed.page.items {
        let s = &l.entry.value;
        let may = l.entry.may_change;
        lines = lines.row(vec![
            html! { (l.entry.reference) },
            html! {
                (s.project)
                @if let Some(m) = &l.milestone_name { br; span class="govuk-hint" { "Depends on: " (m) } }
                @if l.link_unresolved { br; span class="govuk-hint" { "Linked project or milestone not found" } }
                @if may && editor {
                    br; a class="govuk-link" href=(format!("{}/{}/edit", base(id), l.entry.reference)) { "Change" span class="govuk-visually-hidden" { " " (s.project) " " (s.financial_year.to_string()) } }
                }
            },
            html! { (ctx.name_of(s.council.as_str())) },
            html! { (s.financial_year.to_string()) },
            html! { (money(s.planned)) },
            opt_money(s.forecast),
            opt_money(s.achieved),
            html! { (money(l.variance)) },
            html! { (money(l.cumulative.planned)) },
            html! { (money(l.cumulative.expected)) },
            html! { (if s.cashable { "Cashable" } else { "Non-cashable" }) ", " (if s.recurrence == Recurrence::Recurring { "recurring" } else { "one-off" }) },
            html! { (if s.in_mtfs { "Yes" } else { "No" }) },
            html! { (brag_cell(l.status.brag)) " " span class="govuk-body-s" { (l.status.reason) } },
        ]);
    }
    let mut totals = Table::new(
        "Totals by financial year and council, of every line that matches",
        vec![
            Column::text("Year"),
            Column::text("Council"),
            Column::numeric("Planned"),
            Column::numeric("Expected"),
            Column::numeric("Achieved"),
            Column::numeric("Cashable expected"),
            Column::numeric("Savings target (MTFS)"),
            Column::numeric("Expected against target"),
            Column::numeric("At risk (Red)"),
        ],
    );
    for t in &listed.totals {
        let code = t.council.as_ref().map(GssCode::as_str).unwrap_or_default();
        totals = totals.row(vec![
            html! { (t.financial_year.map(|y| y.to_string()).unwrap_or_default()) },
            html! { (ctx.name_of(code)) },
            html! { (money(t.total.planned)) },
            html! { (money(t.total.expected)) },
            html! { (money(t.total.achieved)) },
            html! { (money(t.total.cashable)) },
            html! { (money(t.total.savings_target)) },
            html! { (money(t.total.expected - t.total.savings_target)) },
            html! { (money(t.total.at_risk)) },
        ]);
    }
    let all = &listed.everything;
    if !listed.totals.is_empty() {
        totals = totals.row(vec![
            html! { "All years" },
            html! { "All councils" },
            html! { (money(all.planned)) },
            html! { (money(all.expected)) },
            html! { (money(all.achieved)) },
            html! { (money(all.cashable)) },
            html! { (money(all.savings_target)) },
            html! { (money(all.expected - all.savings_target)) },
            html! { (money(all.at_risk)) },
        ]);
    }
    let council_labels: Vec<(String, String)> = ctx
        .members
        .iter()
        .map(|m| (m.to_string(), ctx.name_of(m.as_str()).to_owned()))
        .collect();
    let mut councils = vec![Choice::new("", "Any council")];
    councils.extend(council_labels.iter().map(|(v, t)| Choice::new(v, t)));
    let mut brags = vec![Choice::new("", "Any rating")];
    let brag_labels: Vec<(String, String)> = Brag::ALL
        .iter()
        .map(|b| {
            (
                b.slug().to_owned(),
                format!("{}: {}", capital(b.slug()), b.meaning()),
            )
        })
        .collect();
    brags.extend(brag_labels.iter().map(|(v, t)| Choice::new(v, t)));
    let either = [
        Choice::new("", "Either"),
        Choice::new("yes", "Yes"),
        Choice::new("no", "No"),
    ];
    let sorts = [
        Choice::new("project", "Project, council and year"),
        Choice::new("year", "Year, council and project"),
        Choice::new("reference", "Reference"),
    ];
    let base_path = base(id);
    let filtered = [
        "council",
        "financial_year",
        "project",
        "text",
        "brag",
        "in_mtfs",
        "cashable",
    ]
    .iter()
    .any(|f| !form_data.get(f).is_empty());
    let markup = render(
        &state,
        &viewer,
        Page::new(format!("Savings ledger – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}"))
            .with_errors(&errors),
        html! {
            (error_summary(&errors))
            span class="govuk-caption-l" { (p.name) }
            h1 class="govuk-heading-xl" { "Savings ledger" }
            p class="govuk-body" {
                "What each project saves each council in each financial year, planned and achieved, against the savings target its Medium Term Financial Strategy counts on. "
                "Ratings: " strong { "Blue" } " delivered, " strong { "Green" } " on track, " strong { "Amber" } " needs action (no forecast yet, or a shortfall of up to a tenth), "
                strong { "Red" } " at risk. A saving whose linked milestone has slipped is shown Red until it is delivered."
            }
            details class="govuk-details" open[filtered || !errors.is_empty()] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Filter the ledger" } }
                div class="govuk-details__text" {
                    form method="get" action=(base_path) novalidate {
                        (select(&Field::new("council", "Council").value(form_data.get("council")).errors(&errors), &councils))
                        (text_input(&Field::new("financial_year", "Financial year").hint("Like 2012/13").value(form_data.get("financial_year")).errors(&errors).width(InputWidth::Chars10)))
                        (text_input(&Field::new("text", "Project or reference contains").value(form_data.get("text")).errors(&errors)))
                        (select(&Field::new("brag", "BRAG rating").value(form_data.get("brag")).errors(&errors), &brags))
                        (select(&Field::new("in_mtfs", "In the council’s MTFS").value(form_data.get("in_mtfs")).errors(&errors), &either))
                        (select(&Field::new("cashable", "Cashable").value(form_data.get("cashable")).errors(&errors), &either))
                        (select(&Field::new("sort", "Order by").value(form_data.get("sort")).errors(&errors), &sorts))
                        (button("Filter", ButtonKind::Secondary))
                    }
                }
            }
            @if listed.page.items.is_empty() {
                p class="govuk-body" { "There are no ledger lines you can see" @if filtered { " that match" } " yet." }
            } @else {
                (table(&lines.scrollable()))
                (pagination(wanted.min(pages), pages, |n| page_link(&base_path, &form_data, n)))
                h2 class="govuk-heading-l" { "Totals" }
                (table(&totals.scrollable()))
            }
            p class="govuk-body" {
                "Download the ledger: "
                a class="govuk-link" href=(format!("{}.csv", base(id))) { "CSV" } ", "
                a class="govuk-link" href=(format!("{}.xlsx", base(id))) { "XLSX" }
            }
            @if editor {
                div class="govuk-button-group" {
                    (button_link("Add a ledger line", &format!("{}/new", base(id)), ButtonKind::Primary))
                    (button_link("Import lines from a file", &format!("{}/import", base(id)), ButtonKind::Secondary))
                }
            }
        },
    );
    Ok(if errors.is_empty() {
        markup.into_response()
    } else {
        refused(markup)
    })
}

fn form_data(s: &Saving, visibility: Visibility) -> FormData {
    let pounds = |m: Money| m.to_string();
    let mut pairs: Vec<(&str, String)> = vec![
        ("project", s.project.clone()),
        (
            "project_record_id",
            s.project_record_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
        ),
        (
            "milestone",
            s.milestone.map(|i| i.to_string()).unwrap_or_default(),
        ),
        ("council", s.council.to_string()),
        ("financial_year", s.financial_year.to_string()),
        ("planned", pounds(s.planned)),
        ("forecast", s.forecast.map(pounds).unwrap_or_default()),
        ("achieved", s.achieved.map(pounds).unwrap_or_default()),
        ("cashable", if s.cashable { "yes" } else { "no" }.into()),
        ("recurrence", s.recurrence.slug().into()),
        ("brag", s.brag.map_or("derived", Brag::slug).into()),
        ("in_mtfs", if s.in_mtfs { "yes" } else { "no" }.into()),
        ("note", s.note.clone().unwrap_or_default()),
        ("visibility", visibility.slug().into()),
    ];
    pairs.retain(|(_, v)| !v.is_empty());
    FormData::from_pairs(pairs)
}

fn from_form(form: &FormData, source: Option<String>) -> Result<(Saving, Visibility), Invalid> {
    let mut invalid = Invalid::new();
    let council = match form.get("council").trim() {
        "" => {
            invalid.push("council", "Choose the council that makes the saving");
            None
        }
        t => invalid.check(GssCode::parse("council", t)),
    };
    let year = match form.get("financial_year").trim() {
        "" => {
            invalid.push("financial_year", "Enter the financial year, like 2012/13");
            None
        }
        t => invalid.check(FinancialYear::parse("financial_year", t)),
    };
    let planned = money_field(form, "planned", &mut invalid);
    if form.get("planned").trim().is_empty() {
        invalid.push("planned", "Enter the saving planned");
    }
    let forecast = money_field(form, "forecast", &mut invalid);
    let achieved = money_field(form, "achieved", &mut invalid);
    let whole = |name: &str, invalid: &mut Invalid| -> Option<i64> {
        match form.get(name).trim() {
            "" => None,
            t => match t.parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    invalid.push(name, format!("“{t}” is not a record number"));
                    None
                }
            },
        }
    };
    let project_record_id = whole("project_record_id", &mut invalid);
    let milestone = whole("milestone", &mut invalid).and_then(|n| u32::try_from(n).ok());
    let brag = match form.get("brag") {
        "" | "derived" => None,
        t => invalid.check(Brag::parse("brag", t)),
    };
    let recurrence = match form.get("recurrence") {
        "" => Some(Recurrence::Recurring),
        t => invalid.check(Recurrence::parse("recurrence", t)),
    };
    let visibility = visibility_from(form, &mut invalid);
    let (Some(council), Some(financial_year), Some(planned), Some(recurrence), Some(visibility)) =
        (council, year, planned, recurrence, visibility)
    else {
        return Err(invalid);
    };
    invalid.into_result()?;
    Ok((
        Saving {
            project: form.get("project").trim().to_owned(),
            project_record_id,
            milestone,
            council,
            financial_year,
            planned,
            forecast,
            achieved,
            cashable: form.get("cashable") != "no",
            recurrence,
            brag,
            in_mtfs: form.get("in_mtfs") == "yes",
            note: Some(form.get("note").trim().to_owned()).filter(|s| !s.is_empty()),
            source,
        },
        visibility,
    ))
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &Context,
    line: Option<&LedgerLine>,
    data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let p = &ctx.partnership;
    let id = p.id;
    let mut councils = vec![("".to_owned(), "Choose a council".to_owned())];
    councils.extend(
        ctx.members
            .iter()
            .map(|m| (m.to_string(), ctx.name_of(m.as_str()).to_owned())),
    );
    let council_choices: Vec<Choice> = councils.iter().map(|(v, t)| Choice::new(v, t)).collect();
    let projects = ledger::projects(&state.app, &viewer.caller(), id).await?;
    let mut project_options = vec![("".to_owned(), "None, or not kept in Accord".to_owned())];
    project_options.extend(
        projects
            .iter()
            .map(|(record_id, name)| (record_id.to_string(), name.clone())),
    );
    let project_choices: Vec<Choice> = project_options
        .iter()
        .map(|(v, t)| Choice::new(v, t))
        .collect();
    let mut brags = vec![Choice::new("derived", "Work it out from the figures")];
    let labels: Vec<(String, String)> = Brag::ALL
        .iter()
        .map(|b| {
            (
                b.slug().to_owned(),
                format!("{}: {}", capital(b.slug()), b.meaning()),
            )
        })
        .collect();
    brags.extend(labels.iter().map(|(v, t)| Choice::new(v, t)));
    let yes_no = [Choice::new("yes", "Yes"), Choice::new("no", "No")];
    let recurrences = [
        Choice::new("recurring", "Recurring: an ongoing budget reduction"),
        Choice::new("one_off", "One-off"),
    ];
    let (title, action) = match line {
        Some(l) => (
            "Change a ledger line",
            format!("{}/{}/edit", base(id), l.entry.reference),
        ),
        None => ("Add a ledger line", base(id)),
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) @if let Some(l) = line { ", " (l.entry.reference) } }
        h1 class="govuk-heading-xl" { (title) }
        (form(&action, &viewer.csrf, html! {
            @if let Some(l) = line { (version_field(data.get("version").parse().unwrap_or(l.entry.version))) }
            (text_input(&Field::new("project", "Project").hint("For example, “HR shared service centre”").value(data.get("project")).errors(errors)))
            @if projects.is_empty() {
                (text_input(&Field::new("project_record_id", "Project record number (optional)").hint("Links the saving to a project kept in Accord").value(data.get("project_record_id")).errors(errors).numeric().width(InputWidth::Chars5)))
            } @else {
                (select(&Field::new("project_record_id", "The project record (optional)").value(data.get("project_record_id")).errors(errors), &project_choices))
            }
            (text_input(&Field::new("milestone", "Milestone it depends on (optional)").hint("The milestone’s number in the project: if it slips, the saving is shown at risk").value(data.get("milestone")).errors(errors).numeric().width(InputWidth::Chars4)))
            (select(&Field::new("council", "Council").value(data.get("council")).errors(errors), &council_choices))
            (text_input(&Field::new("financial_year", "Financial year").hint("Like 2012/13").value(data.get("financial_year")).errors(errors).width(InputWidth::Chars10)))
            (text_input(&Field::new("planned", "Planned (£)").hint("When the line is in the council’s MTFS, part of its savings target").value(data.get("planned")).errors(errors).width(InputWidth::Chars10)))
            (text_input(&Field::new("forecast", "Forecast (£, optional)").value(data.get("forecast")).errors(errors).width(InputWidth::Chars10)))
            (text_input(&Field::new("achieved", "Achieved (£, optional)").value(data.get("achieved")).errors(errors).width(InputWidth::Chars10)))
            (radios(&Field::new("cashable", "Cashable?").value(data.get("cashable")).errors(errors), &yes_no))
            (radios(&Field::new("recurrence", "Recurring or one-off").value(data.get("recurrence")).errors(errors), &recurrences))
            (radios(&Field::new("in_mtfs", "In the council’s Medium Term Financial Strategy?").value(data.get("in_mtfs")).errors(errors), &yes_no))
            (radios(&Field::new("brag", "BRAG rating").hint("A slipped linked milestone shows the saving Red whatever is chosen here, until it is delivered").value(data.get("brag")).errors(errors), &brags))
            (textarea(&Field::new("note", "Note (optional)").value(data.get("note")).errors(errors).rows(3)))
            (visibility_field(data.get("visibility"), errors))
            (button("Save the line", ButtonKind::Primary))
        }))
        @if let Some(l) = line.filter(|l| l.entry.may_delete) {
            (form(&format!("{}/{}/delete", base(id), l.entry.reference), &viewer.csrf, html! {
                input type="hidden" name="version" value=(l.entry.version);
                input type="hidden" name="confirm" value="yes";
                (button("Delete this line", ButtonKind::Warning))
            }))
        }
    };
    Ok(render(
        state,
        viewer,
        Page::new(title).with_errors(errors).back_link(base(id)),
        content,
    ))
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// `GET /partnerships/{id}/savings/new`.
pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let ctx = context(&state, &viewer, id).await?;
    let data = FormData::from_pairs([
        ("cashable", "yes"),
        ("recurrence", "recurring"),
        ("in_mtfs", "yes"),
        ("brag", "derived"),
        ("visibility", "council"),
    ]);
    form_page(&state, &viewer, &ctx, None, &data, &Invalid::new()).await
}

/// `POST /partnerships/{id}/savings`.
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    data: FormData,
) -> Result<Response, WebError> {
    let ctx = context(&state, &viewer, id).await?;
    let (status, errors) = match from_form(&data, None) {
        Ok((saving, visibility)) => {
            match ledger::add(
                &state.app,
                &viewer.caller(),
                id,
                SavingCommand { saving, visibility },
            )
            .await
            {
                Ok(_) => return Ok(Redirect::to(&base(id)).into_response()),
                Err(e) => refusal(e)?,
            }
        }
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    Ok(with_status(
        status,
        form_page(&state, &viewer, &ctx, None, &data, &errors).await?,
    ))
}

fn line_data(line: &LedgerLine) -> FormData {
    let mut data = form_data(&line.entry.value, line.entry.visibility);
    data.set("version", &line.entry.version.to_string());
    data
}

/// `GET /partnerships/{id}/savings/{reference}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let line = load(&state, &viewer, id, record.reference).await?;
    let ctx = context(&state, &viewer, id).await?;
    form_page(
        &state,
        &viewer,
        &ctx,
        Some(&line),
        &line_data(&line),
        &Invalid::new(),
    )
    .await
}

/// `POST /partnerships/{id}/savings/{reference}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    data: FormData,
) -> Result<Response, WebError> {
    let line = load(&state, &viewer, id, record.reference).await?;
    let ctx = context(&state, &viewer, id).await?;
    let (status, errors) = match (from_form(&data, None), form_version(&data)) {
        (Ok((saving, visibility)), Ok(version)) => {
            let command = SavingCommand { saving, visibility };
            match ledger::change(
                &state.app,
                &viewer.caller(),
                id,
                &line.entry.reference,
                command,
                version,
            )
            .await
            {
                Ok(_) => return Ok(Redirect::to(&base(id)).into_response()),
                Err(e) => refusal(e)?,
            }
        }
        (Err(e), _) | (_, Err(e)) => (StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    // A conflict shows the line as it is now, to change again.
    let shown = if status == StatusCode::CONFLICT {
        line_data(&line)
    } else {
        data
    };
    Ok(with_status(
        status,
        form_page(&state, &viewer, &ctx, Some(&line), &shown, &errors).await?,
    ))
}

/// `POST /partnerships/{id}/savings/{reference}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    data: FormData,
) -> Result<Response, WebError> {
    super::confirmed(&data)?;
    let line = load(&state, &viewer, id, record.reference).await?;
    let result = match form_version(&data) {
        Ok(version) => {
            ledger::delete(
                &state.app,
                &viewer.caller(),
                id,
                &line.entry.reference,
                version,
            )
            .await
        }
        Err(e) => Err(AppError::from(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&base(id)).into_response()),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let ctx = context(&state, &viewer, id).await?;
            Ok(with_status(
                status,
                form_page(
                    &state,
                    &viewer,
                    &ctx,
                    Some(&line),
                    &line_data(&line),
                    &errors,
                )
                .await?,
            ))
        }
    }
}

// ----- files -----

/// `GET /partnerships/{id}/savings.csv`.
pub async fn export_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = ledger::export(&state.app, &viewer.caller(), id, Format::Csv).await?;
    Ok(super::download(bytes, super::CSV, "savings-ledger.csv"))
}

/// `GET /partnerships/{id}/savings.xlsx`.
pub async fn export_xlsx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let bytes = ledger::export(&state.app, &viewer.caller(), id, Format::Xlsx).await?;
    Ok(super::download(bytes, super::XLSX, "savings-ledger.xlsx"))
}

async fn import_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let ctx = context(state, viewer, id).await?;
    let p = &ctx.partnership;
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { "Import ledger lines" }
        p class="govuk-body" {
            "Upload a CSV file or an XLSX workbook with a header row. A line for the same project, council and year as one you can change replaces it; "
            "the others are added. Nothing is imported unless every line is right: each problem is listed with its line."
        }
        p class="govuk-body" { "The columns: " code { (accord_domain::finance::saving::COLUMNS.join(", ")) } ". The council is its GSS code or name; amounts in pounds; yes or no for cashable and in_mtfs. Files made by earlier releases, with target and actual columns, are read too." }
        (upload_form(&format!("{}/import", base(id)), &viewer.csrf, html! {
            div class=(if errors.message_for("file").is_some() { "govuk-form-group govuk-form-group--error" } else { "govuk-form-group" }) {
                label class="govuk-label" for="file" { "Ledger file" }
                @if let Some(m) = errors.message_for("file") { (crate::components::error_message("file-error", m)) }
                input class="govuk-file-upload" id="file" name="file" type="file" accept=".csv,.xlsx";
            }
            (visibility_field(data.get("visibility"), errors))
            (button("Import the lines", ButtonKind::Primary))
        }))
    };
    Ok(render(
        state,
        viewer,
        Page::new("Import ledger lines")
            .with_errors(errors)
            .back_link(base(id)),
        content,
    ))
}

/// `GET /partnerships/{id}/savings/import`.
pub async fn import_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let data = FormData::from_pairs([("visibility", "council")]);
    import_page(&state, &viewer, id, &data, &Invalid::new()).await
}

/// `POST /partnerships/{id}/savings/import`.
pub async fn import(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    upload: super::Upload,
) -> Result<Response, WebError> {
    let mut invalid = Invalid::new();
    let visibility = visibility_from(&upload.form, &mut invalid);
    let errors = match (upload.file, visibility) {
        (None, _) => Invalid::field("file", "Choose a CSV or XLSX ledger file"),
        (Some(_), None) => invalid,
        (Some((_, bytes)), Some(v)) => {
            match ledger::import(&state.app, &viewer.caller(), id, &bytes, v).await {
                Ok(_) => return Ok(Redirect::to(&base(id)).into_response()),
                Err(e) => refusal(e)?.1,
            }
        }
    };
    Ok(refused(
        import_page(&state, &viewer, id, &upload.form, &errors).await?,
    ))
}
