//! External funding pages: grants with their tranches and conditions, and what has been
//! awarded, drawn and spent.

use accord_domain::grant::{ConditionStatus, Grant, Summary, Tranche};
use accord_domain::{FinancialYear, Invalid, Money};
use accord_store::StoredRecord;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::{money_field, visibility_field, visibility_from};
use crate::AppState;
use crate::api::business_cases::BusinessCaseBody;
use crate::api::finance::{self, Visibility};
use crate::api::grants as api;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Choice, Column, Field, InputWidth, SummaryRow, Table, TagColour, button,
    button_link, error_summary, form, select, summary_list, table, tag, text_input, textarea,
};
use crate::error::WebError;
use crate::forms::{FormData, refused};
use crate::guard::GuardedRecord;
use crate::layout::Page;
use crate::pages::common::{render, source_note};

fn base(id: i64) -> String {
    format!("/partnerships/{id}/grants")
}

fn decode(record: &StoredRecord) -> Result<Grant, WebError> {
    record.decode().map_err(|e| WebError::Internal(e.into()))
}

fn summary_rows(s: &Summary) -> Vec<SummaryRow> {
    vec![
        SummaryRow::new("Awarded or offered", html! { (s.awarded.whole_pounds()) }),
        SummaryRow::new("Confirmed", html! { (s.confirmed.whole_pounds()) }),
        SummaryRow::new(
            "Subject to a condition not yet judged",
            html! { (s.conditional.whole_pounds()) },
        ),
        SummaryRow::new(
            "Withdrawn (condition not met)",
            html! { (s.withdrawn.whole_pounds()) },
        ),
        SummaryRow::new(
            "Drawn down",
            partly(s.drawn, s.drawn_not_stated, "drawings"),
        ),
        SummaryRow::new("Spent", partly(s.spent, s.spent_not_stated, "spending")),
        SummaryRow::new(
            "Confirmed but not drawn",
            known(s.undrawn, s.drawn_not_stated),
        ),
        SummaryRow::new(
            "Drawn but not spent",
            known(s.unspent, s.drawn_not_stated || s.spent_not_stated),
        ),
    ]
}

/// A total some of whose parts no source states: "not stated" when none is, else the known
/// part with a caveat.
fn partly(total: Money, some_unstated: bool, what: &str) -> Markup {
    html! {
        @if some_unstated && total == Money::ZERO {
            span class="govuk-hint" { (accord_domain::seed::NOT_STATED) }
        } @else {
            (total.whole_pounds())
            @if some_unstated { " (some tranches’ " (what) " not stated)" }
        }
    }
}

/// A difference that cannot be known while a part of it is not stated.
fn known(value: Money, unknown: bool) -> Markup {
    html! {
        @if unknown {
            span class="govuk-hint" { (accord_domain::seed::NOT_STATED) }
        } @else {
            (value.whole_pounds())
        }
    }
}

fn stated(m: Option<Money>) -> Markup {
    match m {
        Some(m) => html! { (m.whole_pounds()) },
        None => html! { span class="govuk-hint" { (accord_domain::seed::NOT_STATED) } },
    }
}

fn condition_tag(t: &Tranche) -> Markup {
    match t.condition_status {
        ConditionStatus::None => html! { "None" },
        ConditionStatus::Pending => tag("Pending", TagColour::Yellow),
        ConditionStatus::Met => tag("Met", TagColour::Green),
        ConditionStatus::NotMet => tag("Not met", TagColour::Red),
    }
}

/// `GET /partnerships/{id}/grants`.
pub async fn index(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let (p, _) = finance::partnership(&state, id).await?;
    let grants = finance::list::<Grant>(&state, &viewer, api::KIND, id).await?;
    let editor = crate::pages::common::may(
        &viewer,
        accord_domain::access::Area::Finance,
        id,
        state.today(),
    );
    let mut t = Table::new(
        "External funding",
        vec![
            Column::text("Grant"),
            Column::text("Funder"),
            Column::numeric("Awarded or offered"),
            Column::numeric("Confirmed"),
            Column::numeric("Conditional"),
            Column::numeric("Drawn"),
            Column::numeric("Spent"),
        ],
    );
    for (r, g) in &grants {
        let s = g.summary();
        t = t.row(vec![
            html! { a class="govuk-link" href=(format!("{}/{}", base(id), r.id)) { (g.name) } },
            html! { (g.funder) },
            html! { (s.awarded.whole_pounds()) },
            html! { (s.confirmed.whole_pounds()) },
            html! { (s.conditional.whole_pounds()) },
            html! { (s.drawn.whole_pounds()) },
            html! { (s.spent.whole_pounds()) },
        ]);
    }
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("External funding – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}")),
        html! {
            span class="govuk-caption-l" { (p.name) }
            h1 class="govuk-heading-xl" { "External funding" }
            p class="govuk-body" { "Grants awarded to the partnership, in tranches. A tranche subject to a condition can be drawn only once the funder judges the condition met." }
            @if grants.is_empty() {
                p class="govuk-body" { "There is no external funding you can see yet." }
            } @else {
                (table(&t))
            }
            @if editor {
                (button_link("Record a grant", &format!("{}/new", base(id)), ButtonKind::Primary))
            }
        },
    ))
}

/// `GET /partnerships/{id}/grants/{record_id}`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let (p, _) = finance::partnership(&state, id).await?;
    let g = decode(&record)?;
    let case = match g.business_case_record_id {
        Some(cid) => {
            finance::find::<BusinessCaseBody>(
                &state,
                &viewer,
                crate::api::business_cases::KIND,
                id,
                cid,
            )
            .await?
        }
        None => None,
    };
    let editor = accord_domain::access::decide(
        &viewer.actor,
        accord_domain::access::Action::Update,
        &record.meta,
        state.today(),
    )
    .is_allowed();
    let mut tranches = Table::new(
        format!("Tranches of {}", g.name),
        vec![
            Column::text("Financial year"),
            Column::numeric("Awarded or offered"),
            Column::text("Condition"),
            Column::text("Condition status"),
            Column::numeric("Drawn"),
            Column::numeric("Spent"),
        ],
    );
    for t in &g.tranches {
        tranches = tranches.row(vec![
            html! { (t.financial_year.to_string()) },
            html! { (t.awarded.whole_pounds()) },
            html! { @match &t.condition { Some(c) => (c), None => "None" } },
            condition_tag(t),
            stated(t.drawn),
            stated(t.spent),
        ]);
    }
    Ok(render(
        &state,
        &viewer,
        Page::new(g.name.clone())
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}"))
            .breadcrumb("External funding", base(id)),
        html! {
            span class="govuk-caption-l" { (p.name) }
            h1 class="govuk-heading-xl" { (g.name) }
            (source_note(g.source.as_deref()))
            (summary_list(&[
                SummaryRow::new("Funder", html! { (g.funder) }),
                SummaryRow::new("Purpose", html! { @if g.purpose.is_empty() { span class="govuk-hint" { (accord_domain::seed::NOT_STATED) } } @else { (g.purpose) } }),
                SummaryRow::new("Business case it funds", html! {
                    @match &case {
                        Some((r, b)) => a class="govuk-link" href=(format!("/partnerships/{id}/business-cases/{}", r.id)) { (b.case.name) },
                        None => span class="govuk-hint" { "None recorded" },
                    }
                }),
                SummaryRow::new("Who can see it", html! { (Visibility::of(&record.meta).label()) }),
            ]))
            (table(&tranches.row_headers()))
            h2 class="govuk-heading-m" { "Totals" }
            (summary_list(&summary_rows(&g.summary())))
            @if editor {
                div class="govuk-button-group" {
                    (button_link("Change the grant", &format!("{}/{record_id}/edit", base(id)), ButtonKind::Secondary))
                }
                (form(&format!("{}/{record_id}/delete", base(id)), &viewer.csrf, html! {
                    input type="hidden" name="confirm" value="yes";
                    (button("Delete this grant", ButtonKind::Warning))
                }))
            }
        },
    ))
}

fn rows_wanted(data: &FormData) -> usize {
    let filled = (0..50)
        .filter(|i| {
            !data
                .get(&format!("tranches[{i}].financial_year"))
                .is_empty()
                || !data.get(&format!("tranches[{i}].awarded")).is_empty()
        })
        .max()
        .map_or(0, |i| i + 1);
    let asked = data.get("rows").parse::<usize>().unwrap_or(0);
    asked.max(filled).clamp(2, 50)
}

fn grant_data(g: &Grant, visibility: Visibility) -> FormData {
    let mut pairs: Vec<(String, String)> = vec![
        ("name".into(), g.name.clone()),
        ("funder".into(), g.funder.clone()),
        ("purpose".into(), g.purpose.clone()),
        (
            "business_case_record_id".into(),
            g.business_case_record_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
        ),
        ("visibility".into(), visibility.slug().into()),
        ("rows".into(), (g.tranches.len() + 1).to_string()),
    ];
    for (i, t) in g.tranches.iter().enumerate() {
        let f = |n: &str| format!("tranches[{i}].{n}");
        pairs.push((f("financial_year"), t.financial_year.to_string()));
        pairs.push((f("awarded"), t.awarded.to_string()));
        pairs.push((f("condition"), t.condition.clone().unwrap_or_default()));
        pairs.push((f("condition_status"), t.condition_status.slug().into()));
        pairs.push((
            f("drawn"),
            t.drawn.map(|m| m.to_string()).unwrap_or_default(),
        ));
        pairs.push((
            f("spent"),
            t.spent.map(|m| m.to_string()).unwrap_or_default(),
        ));
    }
    FormData::from_pairs(pairs)
}

fn from_form(form: &FormData, source: Option<String>) -> Result<(Grant, Visibility), Invalid> {
    let mut invalid = Invalid::new();
    let mut tranches = Vec::new();
    for i in 0..rows_wanted(form) {
        let f = |n: &str| format!("tranches[{i}].{n}");
        let blank = ["financial_year", "awarded", "condition", "drawn", "spent"]
            .iter()
            .all(|n| form.get(&f(n)).trim().is_empty());
        if blank {
            continue;
        }
        let year = match form.get(&f("financial_year")).trim() {
            "" => {
                invalid.push(
                    f("financial_year"),
                    "Enter the financial year, like 2011/12",
                );
                None
            }
            t => invalid.check(FinancialYear::parse(&f("financial_year"), t)),
        };
        let awarded = money_field(form, &f("awarded"), &mut invalid);
        if form.get(&f("awarded")).trim().is_empty() {
            invalid.push(f("awarded"), "Enter the amount awarded or offered");
        }
        let status = match form.get(&f("condition_status")) {
            "" => Some(ConditionStatus::None),
            t => invalid.check(ConditionStatus::parse(&f("condition_status"), t)),
        };
        let drawn = money_field(form, &f("drawn"), &mut invalid);
        let spent = money_field(form, &f("spent"), &mut invalid);
        if let (Some(financial_year), Some(awarded), Some(condition_status)) =
            (year, awarded, status)
        {
            tranches.push(Tranche {
                financial_year,
                awarded,
                condition: Some(form.get(&f("condition")).trim().to_owned())
                    .filter(|s| !s.is_empty()),
                condition_status,
                drawn,
                spent,
            });
        }
    }
    let business_case_record_id = match form.get("business_case_record_id").trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                invalid.push("business_case_record_id", "Choose a business case");
                None
            }
        },
    };
    let visibility = visibility_from(form, &mut invalid);
    let grant = Grant {
        name: form.get("name").trim().to_owned(),
        funder: form.get("funder").trim().to_owned(),
        purpose: form.get("purpose").trim().to_owned(),
        business_case_record_id,
        tranches,
        source,
    };
    if invalid.is_empty() {
        // Tranche rows the form left blank shift the domain's indices; report against the
        // rows as typed.
        if let Err(e) = grant.validate() {
            invalid.extend(renumber(e, form));
        }
    }
    invalid.into_result()?;
    Ok((grant, visibility.unwrap_or_default()))
}

/// Maps `tranches[k]` of the grant (blank rows skipped) back to the form's row numbers.
fn renumber(e: Invalid, form: &FormData) -> Invalid {
    let rows: Vec<usize> = (0..rows_wanted(form))
        .filter(|i| {
            ["financial_year", "awarded", "condition", "drawn", "spent"]
                .iter()
                .any(|n| !form.get(&format!("tranches[{i}].{n}")).trim().is_empty())
        })
        .collect();
    let mut out = Invalid::new();
    for err in e.errors {
        let field = match err
            .field
            .strip_prefix("tranches[")
            .and_then(|r| r.split_once(']'))
        {
            Some((k, rest)) => match k.parse::<usize>().ok().and_then(|k| rows.get(k)) {
                Some(row) => format!("tranches[{row}]{rest}"),
                None => err.field.clone(),
            },
            None => err.field.clone(),
        };
        out.push(field, err.message);
    }
    out
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    record: Option<&StoredRecord>,
    data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let (p, _) = finance::partnership(state, id).await?;
    let cases =
        finance::list::<serde_json::Value>(state, viewer, crate::api::business_cases::KIND, id)
            .await?;
    let mut case_options = vec![("".to_owned(), "None".to_owned())];
    case_options.extend(
        cases
            .iter()
            .map(|(r, _)| (r.id.to_string(), r.title.clone())),
    );
    let case_choices: Vec<Choice> = case_options
        .iter()
        .map(|(v, t)| Choice::new(v, t))
        .collect();
    let statuses: Vec<Choice> = ConditionStatus::ALL
        .iter()
        .map(|s| Choice::new(s.slug(), s.label()))
        .collect();
    let rows = rows_wanted(data);
    let (title, action) = match record {
        Some(r) => ("Change a grant", format!("{}/{}/edit", base(id), r.id)),
        None => ("Record a grant", base(id)),
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { (title) }
        (form(&action, &viewer.csrf, html! {
            input type="hidden" name="rows" value=(rows);
            (text_input(&Field::new("name", "Name").hint("For example, “Capital Ambition funding”").value(data.get("name")).errors(errors)))
            (text_input(&Field::new("funder", "Funder").value(data.get("funder")).errors(errors)))
            (textarea(&Field::new("purpose", "What it is for (optional)").value(data.get("purpose")).errors(errors).rows(3)))
            (select(&Field::new("business_case_record_id", "The business case it funds (optional)").value(data.get("business_case_record_id")).errors(errors), &case_choices))
            @for i in 0..rows {
                @let f = |n: &str| format!("tranches[{i}].{n}");
                @let (fy, aw, co, cs, dr, sp) = (f("financial_year"), f("awarded"), f("condition"), f("condition_status"), f("drawn"), f("spent"));
                fieldset class="govuk-fieldset" {
                    legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "Tranche " (i + 1) @if i > 0 { " (optional)" } }
                    (text_input(&Field::new(&fy, "Financial year").hint("Like 2011/12").value(data.get(&fy)).errors(errors).width(InputWidth::Chars10)))
                    (text_input(&Field::new(&aw, "Awarded or offered (£)").value(data.get(&aw)).errors(errors).width(InputWidth::Chars10)))
                    (text_input(&Field::new(&co, "Condition, in the funder’s words (optional)").hint("For example, “subject to satisfactory progress”").value(data.get(&co)).errors(errors)))
                    (select(&Field::new(&cs, "Where the condition stands").value(data.get(&cs)).errors(errors), &statuses))
                    (text_input(&Field::new(&dr, "Drawn down (£, blank if not stated)").value(data.get(&dr)).errors(errors).width(InputWidth::Chars10)))
                    (text_input(&Field::new(&sp, "Spent (£, blank if not stated)").value(data.get(&sp)).errors(errors).width(InputWidth::Chars10)))
                }
            }
            (visibility_field(data.get("visibility"), errors))
            div class="govuk-button-group" {
                button type="submit" class="govuk-button" data-module="govuk-button" { "Save the grant" }
                button type="submit" name="more" value="yes" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Add another tranche" }
            }
        }))
    };
    Ok(render(
        state,
        viewer,
        Page::new(title).with_errors(errors).back_link(base(id)),
        content,
    ))
}

/// `GET /partnerships/{id}/grants/new`.
pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let data = FormData::from_pairs([("visibility", "council"), ("rows", "2")]);
    form_page(&state, &viewer, id, None, &data, &Invalid::new()).await
}

fn with_another_row(data: &FormData) -> FormData {
    let mut more = data.clone();
    more.set("rows", &(rows_wanted(data) + 1).to_string());
    more
}

/// `POST /partnerships/{id}/grants`.
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    data: FormData,
) -> Result<Response, WebError> {
    if data.get("more") == "yes" {
        return Ok(form_page(
            &state,
            &viewer,
            id,
            None,
            &with_another_row(&data),
            &Invalid::new(),
        )
        .await?
        .into_response());
    }
    let errors = match from_form(&data, None) {
        Ok((g, visibility)) => match api::create_grant(&state, &viewer, id, &g, visibility).await {
            Ok(record_id) => {
                return Ok(Redirect::to(&format!("{}/{record_id}", base(id))).into_response());
            }
            Err(WebError::Unprocessable(e)) => e,
            Err(e) => return Err(e),
        },
        Err(e) => e,
    };
    Ok(refused(
        form_page(&state, &viewer, id, None, &data, &errors).await?,
    ))
}

/// `GET /partnerships/{id}/grants/{record_id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let g = decode(&record)?;
    form_page(
        &state,
        &viewer,
        id,
        Some(&record),
        &grant_data(&g, Visibility::of(&record.meta)),
        &Invalid::new(),
    )
    .await
}

/// `POST /partnerships/{id}/grants/{record_id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    data: FormData,
) -> Result<Response, WebError> {
    if data.get("more") == "yes" {
        return Ok(form_page(
            &state,
            &viewer,
            id,
            Some(&record),
            &with_another_row(&data),
            &Invalid::new(),
        )
        .await?
        .into_response());
    }
    let old = decode(&record)?;
    let errors = match from_form(&data, old.source) {
        Ok((g, visibility)) => match api::update_grant(
            &state,
            &viewer,
            &record,
            &g,
            visibility,
            Some(record.version),
        )
        .await
        {
            Ok(()) => return Ok(Redirect::to(&format!("{}/{record_id}", base(id))).into_response()),
            Err(WebError::Unprocessable(e)) => e,
            Err(e) => return Err(e),
        },
        Err(e) => e,
    };
    Ok(refused(
        form_page(&state, &viewer, id, Some(&record), &data, &errors).await?,
    ))
}

/// `POST /partnerships/{id}/grants/{record_id}/delete`.
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
