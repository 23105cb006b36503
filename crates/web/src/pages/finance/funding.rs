//! External funding pages: funding awards with their tranches and conditions, and what has
//! been awarded, drawn and spent (summed by the database).

use accord_app::AppError;
use accord_app::finance::funding::{self as api, FundingCommand, FundingEntry};
use accord_app::finance::{Context, FundingFilter, ListOrder, Visibility};
use accord_app::list::ListRequest;
use accord_domain::finance::funding::{ConditionStatus, FundingAward, Summary, Tranche};
use accord_domain::{FinancialYear, Invalid, Money};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::{
    PAGE_SIZE, form_version, money_field, page_link, page_number, query_form, refusal,
    version_field, visibility_field, visibility_from, with_status,
};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Choice, Column, Field, InputWidth, SummaryRow, Table, TagColour, button,
    button_link, error_summary, form, pagination, select, summary_list, table, tag, text_input,
    textarea,
};
use crate::error::WebError;
use crate::forms::{FormData, refused};
use crate::guard::GuardedRecord;
use crate::layout::Page;
use crate::pages::common::{render, source_note};

fn base(id: i64) -> String {
    format!("/partnerships/{id}/funding")
}

async fn context(state: &AppState, viewer: &Viewer, id: i64) -> Result<Context, WebError> {
    Ok(accord_app::finance::context(&state.app, &viewer.caller(), id).await?)
}

/// The award the route's guard found, as the reader may see it now, with its totals.
async fn load(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    reference: Option<String>,
) -> Result<(FundingEntry, Summary), WebError> {
    Ok(api::get(
        &state.app,
        &viewer.caller(),
        id,
        &reference.unwrap_or_default(),
    )
    .await?)
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

/// `GET /partnerships/{id}/funding`: a page of the awards with their totals, and the
/// partnership's.
pub async fn index(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let ctx = context(&state, &viewer, id).await?;
    let p = &ctx.partnership;
    let form_data = query_form(query.as_deref());
    let (filter, order, errors) = match crate::api::finance::funding::filter_from(&form_data) {
        Ok((f, o)) => (f, o, Invalid::new()),
        Err(e) => (FundingFilter::default(), ListOrder::Number, e),
    };
    let wanted = page_number(&form_data);
    let caller = viewer.caller();
    let mut listed = api::list(
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
        listed = api::list(
            &state.app,
            &caller,
            id,
            &filter,
            order,
            &ListRequest::page(pages, PAGE_SIZE),
        )
        .await?;
    }
    let mut t = Table::new(
        format!("External funding ({} matching)", listed.page.total),
        vec![
            Column::text("Reference"),
            Column::text("Funding award"),
            Column::text("Funder"),
            Column::numeric("Awarded or offered"),
            Column::numeric("Confirmed"),
            Column::numeric("Conditional"),
            Column::numeric("Drawn"),
            Column::numeric("Spent"),
        ],
    );
    for (e, s) in &listed.page.items {
        let g = &e.value;
        t = t.row(vec![
            html! { (e.reference) },
            html! { a class="govuk-link" href=(format!("{}/{}", base(id), e.reference)) { (g.name) } },
            html! { (g.funder) },
            html! { (s.awarded.whole_pounds()) },
            html! { (s.confirmed.whole_pounds()) },
            html! { (s.conditional.whole_pounds()) },
            partly(s.drawn, s.drawn_not_stated, "drawings"),
            partly(s.spent, s.spent_not_stated, "spending"),
        ]);
    }
    let statuses = [
        Choice::new("", "Any"),
        Choice::new("confirmed", "Confirmed"),
        Choice::new("conditional", "Some money subject to a condition"),
    ];
    let sorts = [
        Choice::new("reference", "Reference"),
        Choice::new("name", "Name"),
    ];
    let base_path = base(id);
    let filtered = ["text", "status"]
        .iter()
        .any(|f| !form_data.get(f).is_empty());
    let markup = render(
        &state,
        &viewer,
        Page::new(format!("External funding – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}"))
            .with_errors(&errors),
        html! {
            (error_summary(&errors))
            span class="govuk-caption-l" { (p.name) }
            h1 class="govuk-heading-xl" { "External funding" }
            p class="govuk-body" { "Money awarded to the partnership by funders, in tranches. A tranche subject to a condition can be drawn only once the funder judges the condition met." }
            details class="govuk-details" open[filtered || !errors.is_empty()] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Filter the funding awards" } }
                div class="govuk-details__text" {
                    form method="get" action=(base_path) novalidate {
                        (text_input(&Field::new("text", "Name, funder or reference contains").value(form_data.get("text")).errors(&errors)))
                        (select(&Field::new("status", "Conditions").value(form_data.get("status")).errors(&errors), &statuses))
                        (select(&Field::new("sort", "Order by").value(form_data.get("sort")).errors(&errors), &sorts))
                        (button("Filter", ButtonKind::Secondary))
                    }
                }
            }
            @if listed.page.items.is_empty() {
                p class="govuk-body" { "There is no external funding you can see" @if filtered { " that matches" } " yet." }
            } @else {
                (table(&t))
                (pagination(wanted.min(pages), pages, |n| page_link(&base_path, &form_data, n)))
                h2 class="govuk-heading-m" { "Totals of every award that matches" }
                (summary_list(&summary_rows(&listed.total)))
            }
            @if ctx.may_add {
                (button_link("Record a funding award", &format!("{}/new", base(id)), ButtonKind::Primary))
            }
        },
    );
    Ok(if errors.is_empty() {
        markup.into_response()
    } else {
        refused(markup)
    })
}

/// `GET /partnerships/{id}/funding/{reference}`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let (entry, summary) = load(&state, &viewer, id, record.reference).await?;
    let ctx = context(&state, &viewer, id).await?;
    award_page(&state, &viewer, &ctx, &entry, &summary, &Invalid::new()).await
}

/// An award with its tranches and totals; `errors` are those of its delete form.
async fn award_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &Context,
    entry: &FundingEntry,
    summary: &Summary,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let p = &ctx.partnership;
    let id = p.id;
    let g = &entry.value;
    let reference = &entry.reference;
    let case = match g.business_case_record_id {
        Some(cid) => {
            accord_app::finance::business_cases::named(&state.app, &viewer.caller(), id, cid)
                .await?
        }
        None => None,
    };
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
        state,
        viewer,
        Page::new(g.name.clone())
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}"))
            .breadcrumb("External funding", base(id))
            .with_errors(errors),
        html! {
            (error_summary(errors))
            span class="govuk-caption-l" { (p.name) ", " (reference) }
            h1 class="govuk-heading-xl" { (g.name) }
            (source_note(g.source.as_deref()))
            (summary_list(&[
                SummaryRow::new("Reference", html! { (reference) }),
                SummaryRow::new("Funder", html! { (g.funder) }),
                SummaryRow::new("Purpose", html! { @if g.purpose.is_empty() { span class="govuk-hint" { (accord_domain::seed::NOT_STATED) } } @else { (g.purpose) } }),
                SummaryRow::new("Business case it funds", html! {
                    @match &case {
                        Some((case_reference, name)) => a class="govuk-link" href=(format!("/partnerships/{id}/business-cases/{case_reference}")) { (name) },
                        None => span class="govuk-hint" { "None recorded" },
                    }
                }),
                SummaryRow::new("Who can see it", html! { (entry.visibility.label()) }),
            ]))
            (table(&tranches.row_headers()))
            h2 class="govuk-heading-m" { "Totals" }
            (summary_list(&summary_rows(summary)))
            @if entry.may_change {
                div class="govuk-button-group" {
                    (button_link("Change the funding award", &format!("{}/{reference}/edit", base(id)), ButtonKind::Secondary))
                }
            }
            @if entry.may_delete {
                (form(&format!("{}/{reference}/delete", base(id)), &viewer.csrf, html! {
                    (version_field(entry.version))
                    input type="hidden" name="confirm" value="yes";
                    (button("Delete this funding award", ButtonKind::Warning))
                }))
            }
            p class="govuk-body" {
                a class="govuk-link" href={ "/partnerships/" (id) "/records/" (entry.record_id) "/history" } { "See the history of changes to this funding award" }
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

fn award_data(g: &FundingAward, visibility: Visibility) -> FormData {
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

fn from_form(
    form: &FormData,
    source: Option<String>,
) -> Result<(FundingAward, Visibility), Invalid> {
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
    let award = FundingAward {
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
        if let Err(e) = award.validate() {
            invalid.extend(renumber(e, form));
        }
    }
    invalid.into_result()?;
    Ok((award, visibility.unwrap_or_default()))
}

/// Maps `tranches[k]` of the award (blank rows skipped) back to the form's row numbers.
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
    ctx: &Context,
    entry: Option<&FundingEntry>,
    data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let p = &ctx.partnership;
    let id = p.id;
    let cases =
        accord_app::finance::business_cases::choices(&state.app, &viewer.caller(), id).await?;
    let mut case_options = vec![("".to_owned(), "None".to_owned())];
    case_options.extend(cases.iter().map(|(record_id, reference, name)| {
        (record_id.to_string(), format!("{reference}: {name}"))
    }));
    let case_choices: Vec<Choice> = case_options
        .iter()
        .map(|(v, t)| Choice::new(v, t))
        .collect();
    let statuses: Vec<Choice> = ConditionStatus::ALL
        .iter()
        .map(|s| Choice::new(s.slug(), s.label()))
        .collect();
    let rows = rows_wanted(data);
    let (title, action) = match entry {
        Some(e) => (
            "Change a funding award",
            format!("{}/{}/edit", base(id), e.reference),
        ),
        None => ("Record a funding award", base(id)),
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) @if let Some(e) = entry { ", " (e.reference) } }
        h1 class="govuk-heading-xl" { (title) }
        (form(&action, &viewer.csrf, html! {
            @if let Some(e) = entry { (version_field(data.get("version").parse().unwrap_or(e.version))) }
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
                button type="submit" class="govuk-button" data-module="govuk-button" { "Save the funding award" }
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

/// `GET /partnerships/{id}/funding/new`.
pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let ctx = context(&state, &viewer, id).await?;
    let data = FormData::from_pairs([("visibility", "council"), ("rows", "2")]);
    form_page(&state, &viewer, &ctx, None, &data, &Invalid::new()).await
}

fn with_another_row(data: &FormData) -> FormData {
    let mut more = data.clone();
    more.set("rows", &(rows_wanted(data) + 1).to_string());
    more
}

/// `POST /partnerships/{id}/funding`.
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    data: FormData,
) -> Result<Response, WebError> {
    let ctx = context(&state, &viewer, id).await?;
    if data.get("more") == "yes" {
        return Ok(form_page(
            &state,
            &viewer,
            &ctx,
            None,
            &with_another_row(&data),
            &Invalid::new(),
        )
        .await?
        .into_response());
    }
    let (status, errors) = match from_form(&data, None) {
        Ok((award, visibility)) => {
            match api::add(
                &state.app,
                &viewer.caller(),
                id,
                FundingCommand { award, visibility },
            )
            .await
            {
                Ok(entry) => {
                    return Ok(
                        Redirect::to(&format!("{}/{}", base(id), entry.reference)).into_response()
                    );
                }
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

fn entry_data(entry: &FundingEntry) -> FormData {
    let mut data = award_data(&entry.value, entry.visibility);
    data.set("version", &entry.version.to_string());
    data
}

/// `GET /partnerships/{id}/funding/{reference}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let (entry, _) = load(&state, &viewer, id, record.reference).await?;
    let ctx = context(&state, &viewer, id).await?;
    form_page(
        &state,
        &viewer,
        &ctx,
        Some(&entry),
        &entry_data(&entry),
        &Invalid::new(),
    )
    .await
}

/// `POST /partnerships/{id}/funding/{reference}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    data: FormData,
) -> Result<Response, WebError> {
    let (entry, _) = load(&state, &viewer, id, record.reference).await?;
    let ctx = context(&state, &viewer, id).await?;
    if data.get("more") == "yes" {
        return Ok(form_page(
            &state,
            &viewer,
            &ctx,
            Some(&entry),
            &with_another_row(&data),
            &Invalid::new(),
        )
        .await?
        .into_response());
    }
    let (status, errors) = match (from_form(&data, None), form_version(&data)) {
        (Ok((award, visibility)), Ok(version)) => {
            let command = FundingCommand { award, visibility };
            match api::change(
                &state.app,
                &viewer.caller(),
                id,
                &entry.reference,
                command,
                version,
            )
            .await
            {
                Ok(saved) => {
                    return Ok(
                        Redirect::to(&format!("{}/{}", base(id), saved.reference)).into_response()
                    );
                }
                Err(e) => refusal(e)?,
            }
        }
        (Err(e), _) | (_, Err(e)) => (StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    // A conflict shows the award as it is now, to change again.
    let shown = if status == StatusCode::CONFLICT {
        entry_data(&entry)
    } else {
        data
    };
    Ok(with_status(
        status,
        form_page(&state, &viewer, &ctx, Some(&entry), &shown, &errors).await?,
    ))
}

/// `POST /partnerships/{id}/funding/{reference}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    data: FormData,
) -> Result<Response, WebError> {
    super::confirmed(&data)?;
    let (entry, summary) = load(&state, &viewer, id, record.reference).await?;
    let result = match form_version(&data) {
        Ok(version) => {
            api::delete(&state.app, &viewer.caller(), id, &entry.reference, version).await
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
                award_page(&state, &viewer, &ctx, &entry, &summary, &errors).await?,
            ))
        }
    }
}
