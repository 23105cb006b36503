//! The savings ledger pages: every line with its BRAG rating (Blue delivered, Green on track,
//! Amber needs action, Red at risk), running totals and variance, totals by year and council,
//! the forms for a line, and import and export as CSV or XLSX.

use accord_domain::saving::{Brag, Recurrence, Saving};
use accord_domain::{FinancialYear, GssCode, Invalid, Money};
use accord_store::StoredRecord;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use std::collections::HashMap;

use super::{council_names, money_field, name_of, upload_form, visibility_field, visibility_from};
use crate::AppState;
use crate::api::finance::{self, Visibility};
use crate::api::savings as api;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Choice, Column, Field, InputWidth, Rag, Table, button, button_link, error_summary,
    form, radios, rag, select, table, text_input, textarea,
};
use crate::error::WebError;
use crate::forms::{FormData, refused};
use crate::guard::GuardedRecord;
use crate::layout::Page;
use crate::pages::common::render;

fn base(id: i64) -> String {
    format!("/partnerships/{id}/savings")
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

/// `GET /partnerships/{id}/savings`.
pub async fn index(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let (p, members) = finance::partnership(&state, id).await?;
    let names = council_names(&state, &members).await?;
    let ledger = api::ledger(&state, &viewer, id).await?;
    let editor = api::may_edit(&state, &viewer, id);
    let mut lines = Table::new(
        "Savings ledger: each project’s saving for each council and year",
        vec![
            Column::text("Project"),
            Column::text("Council"),
            Column::text("Year"),
            Column::numeric("Target"),
            Column::numeric("Forecast"),
            Column::numeric("Actual"),
            Column::numeric("Variance"),
            Column::numeric("Cumulative target"),
            Column::numeric("Cumulative expected"),
            Column::text("Kind"),
            Column::text("In MTFS"),
            Column::text("BRAG"),
        ],
    );
    for l in &ledger.lines {
        let s = &l.saving;
        let may = l.may_change;
        lines = lines.row(vec![
            html! {
                (s.project)
                @if let Some(m) = &l.milestone_name { br; span class="govuk-hint" { "Depends on: " (m) } }
                @if l.link_unresolved { br; span class="govuk-hint" { "Linked project or milestone not found" } }
                @if may && editor {
                    br; a class="govuk-link" href=(format!("{}/{}/edit", base(id), l.id)) { "Change" span class="govuk-visually-hidden" { " " (s.project) " " (s.financial_year.to_string()) } }
                }
            },
            html! { (name_of(&names, s.council.as_str())) },
            html! { (s.financial_year.to_string()) },
            html! { (money(s.target)) },
            opt_money(s.forecast),
            opt_money(s.actual),
            html! { (money(Money::from_pence(l.variance))) },
            html! { (money(l.cumulative.target)) },
            html! { (money(l.cumulative.expected)) },
            html! { (if s.cashable { "Cashable" } else { "Non-cashable" }) ", " (if s.recurrence == Recurrence::Recurring { "recurring" } else { "one-off" }) },
            html! { (if s.in_mtfs { "Yes" } else { "No" }) },
            html! { (brag_cell(l.status.brag)) " " span class="govuk-body-s" { (l.status.reason) } },
        ]);
    }
    let mut totals = Table::new(
        "Totals by financial year and council",
        vec![
            Column::text("Year"),
            Column::text("Council"),
            Column::numeric("Target"),
            Column::numeric("Expected"),
            Column::numeric("Actual"),
            Column::numeric("Cashable expected"),
            Column::numeric("Target in MTFS"),
            Column::numeric("At risk (Red)"),
        ],
    );
    for (year, councils) in &ledger.totals {
        for (c, t) in councils {
            totals = totals.row(vec![
                html! { (year.to_string()) },
                html! { (name_of(&names, c.as_str())) },
                html! { (money(t.target)) },
                html! { (money(t.expected)) },
                html! { (money(t.actual)) },
                html! { (money(t.cashable)) },
                html! { (money(t.in_mtfs)) },
                html! { (money(t.at_risk)) },
            ]);
        }
    }
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("Savings ledger – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}")),
        html! {
            span class="govuk-caption-l" { (p.name) }
            h1 class="govuk-heading-xl" { "Savings ledger" }
            p class="govuk-body" {
                "What each project saves each council in each financial year, against the target its Medium Term Financial Strategy counts on. "
                "Ratings: " strong { "Blue" } " delivered, " strong { "Green" } " on track, " strong { "Amber" } " needs action (no forecast yet, or a shortfall of up to a tenth), "
                strong { "Red" } " at risk. A saving whose linked milestone has slipped is shown Red until it is delivered."
            }
            @if ledger.lines.is_empty() {
                p class="govuk-body" { "There are no ledger lines you can see yet." }
            } @else {
                (table(&lines.scrollable()))
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
    ))
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
        ("target", pounds(s.target)),
        ("forecast", s.forecast.map(pounds).unwrap_or_default()),
        ("actual", s.actual.map(pounds).unwrap_or_default()),
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
    let target = money_field(form, "target", &mut invalid);
    if form.get("target").trim().is_empty() {
        invalid.push("target", "Enter the target saving");
    }
    let forecast = money_field(form, "forecast", &mut invalid);
    let actual = money_field(form, "actual", &mut invalid);
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
    let (Some(council), Some(financial_year), Some(target), Some(recurrence), Some(visibility)) =
        (council, year, target, recurrence, visibility)
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
            target,
            forecast,
            actual,
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
    id: i64,
    record: Option<&StoredRecord>,
    data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let (p, members) = finance::partnership(state, id).await?;
    let names = council_names(state, &members).await?;
    let mut councils = vec![("".to_owned(), "Choose a council".to_owned())];
    councils.extend(
        members
            .iter()
            .map(|m| (m.to_string(), name_of(&names, m.as_str()).to_owned())),
    );
    let council_choices: Vec<Choice> = councils.iter().map(|(v, t)| Choice::new(v, t)).collect();
    let projects = finance::list::<serde_json::Value>(state, viewer, api::PROJECT_KIND, id).await?;
    let mut project_options = vec![("".to_owned(), "None, or not kept in Accord".to_owned())];
    project_options.extend(
        projects
            .iter()
            .map(|(r, _)| (r.id.to_string(), r.title.clone())),
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
    let (title, action) = match record {
        Some(r) => (
            "Change a ledger line",
            format!("{}/{}/edit", base(id), r.id),
        ),
        None => ("Add a ledger line", base(id)),
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { (title) }
        (form(&action, &viewer.csrf, html! {
            (text_input(&Field::new("project", "Project").hint("For example, “HR shared service centre”").value(data.get("project")).errors(errors)))
            @if projects.is_empty() {
                (text_input(&Field::new("project_record_id", "Project record number (optional)").hint("Links the saving to a project kept in Accord").value(data.get("project_record_id")).errors(errors).numeric().width(InputWidth::Chars5)))
            } @else {
                (select(&Field::new("project_record_id", "The project record (optional)").value(data.get("project_record_id")).errors(errors), &project_choices))
            }
            (text_input(&Field::new("milestone", "Milestone it depends on (optional)").hint("The milestone’s number in the project: if it slips, the saving is shown at risk").value(data.get("milestone")).errors(errors).numeric().width(InputWidth::Chars4)))
            (select(&Field::new("council", "Council").value(data.get("council")).errors(errors), &council_choices))
            (text_input(&Field::new("financial_year", "Financial year").hint("Like 2012/13").value(data.get("financial_year")).errors(errors).width(InputWidth::Chars10)))
            (text_input(&Field::new("target", "Target (£)").value(data.get("target")).errors(errors).width(InputWidth::Chars10)))
            (text_input(&Field::new("forecast", "Forecast (£, optional)").value(data.get("forecast")).errors(errors).width(InputWidth::Chars10)))
            (text_input(&Field::new("actual", "Actual (£, optional)").value(data.get("actual")).errors(errors).width(InputWidth::Chars10)))
            (radios(&Field::new("cashable", "Cashable?").value(data.get("cashable")).errors(errors), &yes_no))
            (radios(&Field::new("recurrence", "Recurring or one-off").value(data.get("recurrence")).errors(errors), &recurrences))
            (radios(&Field::new("in_mtfs", "In the council’s Medium Term Financial Strategy?").value(data.get("in_mtfs")).errors(errors), &yes_no))
            (radios(&Field::new("brag", "BRAG rating").hint("A slipped linked milestone shows the saving Red whatever is chosen here, until it is delivered").value(data.get("brag")).errors(errors), &brags))
            (textarea(&Field::new("note", "Note (optional)").value(data.get("note")).errors(errors).rows(3)))
            (visibility_field(data.get("visibility"), errors))
            (button("Save the line", ButtonKind::Primary))
        }))
        @if let Some(r) = record {
            (form(&format!("{}/{}/delete", base(id), r.id), &viewer.csrf, html! {
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
    let data = FormData::from_pairs([
        ("cashable", "yes"),
        ("recurrence", "recurring"),
        ("in_mtfs", "yes"),
        ("brag", "derived"),
        ("visibility", "council"),
    ]);
    form_page(&state, &viewer, id, None, &data, &Invalid::new()).await
}

/// `POST /partnerships/{id}/savings`.
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    data: FormData,
) -> Result<Response, WebError> {
    let errors = match from_form(&data, None) {
        Ok((s, visibility)) => match api::create_line(&state, &viewer, id, &s, visibility).await {
            Ok(_) => return Ok(Redirect::to(&base(id)).into_response()),
            Err(WebError::Unprocessable(e)) => e,
            Err(e) => return Err(e),
        },
        Err(e) => e,
    };
    Ok(refused(
        form_page(&state, &viewer, id, None, &data, &errors).await?,
    ))
}

/// `GET /partnerships/{id}/savings/{record_id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let s: Saving = record.decode().map_err(|e| WebError::Internal(e.into()))?;
    let data = form_data(&s, Visibility::of(&record.meta));
    form_page(&state, &viewer, id, Some(&record), &data, &Invalid::new()).await
}

/// `POST /partnerships/{id}/savings/{record_id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    data: FormData,
) -> Result<Response, WebError> {
    let old: Saving = record.decode().map_err(|e| WebError::Internal(e.into()))?;
    let errors = match from_form(&data, old.source) {
        Ok((s, visibility)) => {
            match api::update_line(
                &state,
                &viewer,
                &record,
                &s,
                visibility,
                Some(record.version),
            )
            .await
            {
                Ok(()) => return Ok(Redirect::to(&base(id)).into_response()),
                Err(WebError::Unprocessable(e)) => e,
                Err(e) => return Err(e),
            }
        }
        Err(e) => e,
    };
    Ok(refused(
        form_page(&state, &viewer, id, Some(&record), &data, &errors).await?,
    ))
}

/// `POST /partnerships/{id}/savings/{record_id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    data: FormData,
) -> Result<Response, WebError> {
    super::confirmed(&data)?;
    state
        .store
        .delete_record(record.id, &viewer.change())
        .await?;
    Ok(Redirect::to(&base(id)).into_response())
}

// ----- files -----

/// `GET /partnerships/{id}/savings.csv`.
pub async fn export_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let ledger = api::ledger(&state, &viewer, id).await?;
    Ok(super::download(
        api::to_csv(&ledger.lines)?,
        super::CSV,
        "savings-ledger.csv",
    ))
}

/// `GET /partnerships/{id}/savings.xlsx`.
pub async fn export_xlsx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let ledger = api::ledger(&state, &viewer, id).await?;
    Ok(super::download(
        api::to_xlsx(&ledger.lines)?,
        super::XLSX,
        "savings-ledger.xlsx",
    ))
}

async fn import_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    data: &FormData,
    errors: &Invalid,
    done: Option<api::ImportReport>,
) -> Result<Markup, WebError> {
    let (p, _) = finance::partnership(state, id).await?;
    let names: HashMap<&str, &str> = HashMap::new();
    let _ = names;
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { "Import ledger lines" }
        @if let Some(d) = done {
            p class="govuk-body" { (d.created) " lines added, " (d.replaced) " replaced." }
        }
        p class="govuk-body" {
            "Upload a CSV file or an XLSX workbook with a header row. A line for the same project, council and year as one you can change replaces it; "
            "the others are added. Nothing is imported unless every line is right: each problem is listed with its line."
        }
        p class="govuk-body" { "The columns: " code { (accord_domain::saving::COLUMNS.join(", ")) } ". The council is its GSS code or name; amounts in pounds; yes or no for cashable and in_mtfs." }
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
    import_page(&state, &viewer, id, &data, &Invalid::new(), None).await
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
        (Some((_, bytes)), Some(v)) => match api::import(&state, &viewer, id, &bytes, v).await {
            Ok(_) => return Ok(Redirect::to(&base(id)).into_response()),
            Err(WebError::Unprocessable(e)) => e,
            Err(e) => return Err(e),
        },
    };
    Ok(refused(
        import_page(&state, &viewer, id, &upload.form, &errors, None).await?,
    ))
}
