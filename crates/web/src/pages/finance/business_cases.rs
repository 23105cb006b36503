//! Business case pages: the list, a case with its appraisal (NPV, BCR, payback, each council's
//! NPV, the decision, the Monte Carlo summary with its S-curve and tornado), and the forms that
//! build a case a piece at a time without JavaScript: the case's details, each option, each
//! cost or savings line ("add another line"), and an import of many lines from a file.

use accord_analytics::business_case::{
    Appraisal, BusinessCase, DecisionRule, Measure, OptimismBias, OptionAppraisal, OptionInput,
};
use accord_analytics::distribution::Estimate;
use accord_analytics::monte_carlo::Settings;
use accord_app::AppError;
use accord_app::finance::business_cases::{
    self as cases, BusinessCaseBody, BusinessCaseEntry, CaseCommand,
};
use accord_app::finance::{BusinessCaseFilter, Context, ListOrder, Visibility};
use accord_app::list::ListRequest;
use accord_domain::finance::{CaseDecision, CaseStage};
use accord_domain::mou::long_date;
use accord_domain::{FinancialYear, GssCode, Invalid};
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use std::collections::HashMap;

use super::lines::{self, Draft, Line, LineType};
use super::{
    PAGE_SIZE, charts, council_names, form_version, name_of, number_field, order_from, page_link,
    page_number, percent_field, percent_text, pounds_field, pounds_text, query_form, refusal,
    upload_form, version_field, visibility_field, visibility_from, with_status,
};
use crate::AppState;
use crate::api::finance::pounds;
use crate::auth::Viewer;
use crate::components::{
    Banner, ButtonKind, Choice, Column, Field, InputWidth, SummaryRow, Table, TagColour, button,
    button_link, checkboxes, details, error_summary, form, notification_banner, pagination, radios,
    select, summary_list, table, tag, text_input, textarea,
};
use crate::error::WebError;
use crate::forms::{FormData, refused};
use crate::guard::GuardedRecord;
use crate::layout::Page;
use crate::pages::common::{render, source_note};

fn base(id: i64) -> String {
    format!("/partnerships/{id}/business-cases")
}

fn case_path(id: i64, reference: &str) -> String {
    format!("/partnerships/{id}/business-cases/{reference}")
}

/// The case the route's guard found (by its reference, or by an old address's record id), as
/// the reader may see it now.
async fn load(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    reference: Option<String>,
) -> Result<BusinessCaseEntry, WebError> {
    Ok(cases::get(
        &state.app,
        &viewer.caller(),
        id,
        &reference.unwrap_or_default(),
    )
    .await?)
}

async fn context(state: &AppState, viewer: &Viewer, id: i64) -> Result<Context, WebError> {
    Ok(accord_app::finance::context(&state.app, &viewer.caller(), id).await?)
}

/// Reads the list's filter and order from its query: `stage`, `decision`, `council`, `text`,
/// `sort`.
pub fn filter_from(form: &FormData) -> Result<(BusinessCaseFilter, ListOrder), Invalid> {
    let mut invalid = Invalid::new();
    let stage = match form.get("stage").trim() {
        "" => None,
        t => invalid.check(CaseStage::parse("stage", t)),
    };
    let decision = match form.get("decision").trim() {
        "" => None,
        t => invalid.check(CaseDecision::parse("decision", t)),
    };
    let council = match form.get("council").trim() {
        "" => None,
        t => invalid.check(GssCode::parse("council", t)),
    };
    let order = order_from(form, &mut invalid);
    invalid.into_result()?;
    Ok((
        BusinessCaseFilter {
            stage,
            decision,
            council,
            text: Some(form.get("text").trim().to_owned()).filter(|t| !t.is_empty()),
        },
        order,
    ))
}

fn decision_tag(sense: bool) -> Markup {
    if sense {
        tag("Makes clear financial sense", TagColour::Green)
    } else {
        tag("Does not make clear financial sense", TagColour::Orange)
    }
}

/// `GET /partnerships/{id}/business-cases`: a page of the cases, filtered and counted by the
/// database.
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
        Err(e) => (BusinessCaseFilter::default(), ListOrder::Number, e),
    };
    let wanted = page_number(&form_data);
    let caller = viewer.caller();
    let mut listed = cases::list(
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
        listed = cases::list(
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
        format!("Business cases ({} matching)", listed.total),
        vec![
            Column::text("Reference"),
            Column::text("Business case"),
            Column::text("Stage"),
            Column::text("Preferred option"),
            Column::numeric("Financial NPV"),
            Column::text("Decision"),
            Column::text("Visibility"),
        ],
    );
    for e in &listed.items {
        let b = &e.value;
        let preferred = b.appraisal.as_ref().and_then(|a| {
            a.preferred_option
                .as_ref()
                .and_then(|name| a.options.iter().find(|o| &o.name == name))
        });
        let best = b.appraisal.as_ref().and_then(|a| {
            a.options
                .iter()
                .filter(|o| !o.status_quo)
                .max_by(|x, y| x.financial_npv.total_cmp(&y.financial_npv))
        });
        t = t.row(vec![
            html! { (e.reference) },
            html! {
                a class="govuk-link" href=(case_path(id, &e.reference)) { (b.case.name) }
                @if b.illustrative.is_some() { br; span class="govuk-hint" { "Illustrative figures" } }
            },
            html! { @match b.stage { Some(s) => (s.label()), None => span class="govuk-hint" { (accord_domain::seed::NOT_STATED) } } },
            html! { @match preferred { Some(o) => (o.name), None => "None: keep the status quo" } },
            html! { @match preferred.or(best) { Some(o) => (pounds(o.financial_npv)), None => (accord_domain::seed::NOT_STATED) } },
            decision_tag(preferred.is_some()),
            html! { (e.visibility.tag()) },
        ]);
    }
    let mut stages = vec![Choice::new("", "Any stage")];
    stages.extend(
        CaseStage::ALL
            .iter()
            .map(|s| Choice::new(s.slug(), s.label())),
    );
    let decisions = [
        Choice::new("", "Either"),
        Choice::new(
            CaseDecision::MakesClearFinancialSense.slug(),
            "Makes clear financial sense",
        ),
        Choice::new(
            CaseDecision::NotClear.slug(),
            "Does not make clear financial sense",
        ),
    ];
    let council_labels: Vec<(String, String)> = ctx
        .members
        .iter()
        .map(|m| (m.to_string(), ctx.name_of(m.as_str()).to_owned()))
        .collect();
    let mut councils = vec![Choice::new("", "Any council")];
    councils.extend(council_labels.iter().map(|(v, t)| Choice::new(v, t)));
    let sorts = [
        Choice::new("reference", "Reference"),
        Choice::new("name", "Name"),
    ];
    let base_path = base(id);
    let filtered = ["stage", "decision", "council", "text"]
        .iter()
        .any(|f| !form_data.get(f).is_empty());
    let markup = render(
        &state,
        &viewer,
        Page::new(format!("Business cases – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}"))
            .with_errors(&errors),
        html! {
            (error_summary(&errors))
            span class="govuk-caption-l" { (p.name) }
            h1 class="govuk-heading-xl" { "Business cases" }
            p class="govuk-body" {
                "Each case is appraised the HM Treasury Green Book way: costs and savings in real prices, discounted at 3.5% a year "
                "(3.0% after 30 years), optimism bias as an uplift. A case “makes clear financial sense” under its own rule — "
                "by default, when the chance that the councils’ financial NPV is above zero is at least 80%."
            }
            details class="govuk-details" open[filtered || !errors.is_empty()] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Filter the business cases" } }
                div class="govuk-details__text" {
                    form method="get" action=(base_path) novalidate {
                        (select(&Field::new("stage", "Stage").value(form_data.get("stage")).errors(&errors), &stages))
                        (select(&Field::new("decision", "Decision").value(form_data.get("decision")).errors(&errors), &decisions))
                        (select(&Field::new("council", "Council").value(form_data.get("council")).errors(&errors), &councils))
                        (text_input(&Field::new("text", "Name or reference contains").value(form_data.get("text")).errors(&errors)))
                        (select(&Field::new("sort", "Order by").value(form_data.get("sort")).errors(&errors), &sorts))
                        (button("Filter", ButtonKind::Secondary))
                    }
                }
            }
            @if listed.items.is_empty() {
                p class="govuk-body" { "There are no business cases you can see" @if filtered { " that match" } "." }
            } @else {
                (table(&t))
                (pagination(wanted.min(pages), pages, |n| page_link(&base_path, &form_data, n)))
            }
            @if ctx.may_add {
                (button_link("Start a business case", &format!("{}/new", base(id)), ButtonKind::Primary))
            }
        },
    );
    Ok(if errors.is_empty() {
        markup.into_response()
    } else {
        refused(markup)
    })
}

// ----- the case's details -----

fn details_data(body: &BusinessCaseBody, visibility: Visibility) -> FormData {
    let c = &body.case;
    let mut pairs: Vec<(String, String)> = vec![
        ("name".into(), c.name.clone()),
        (
            "opportunity".into(),
            c.opportunity.clone().unwrap_or_default(),
        ),
        (
            "opportunity_record_id".into(),
            body.opportunity_record_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
        ),
        (
            "base_year".into(),
            c.base_year.map(|y| y.to_string()).unwrap_or_default(),
        ),
        ("appraisal_years".into(), c.appraisal_years.to_string()),
        ("bias_costs".into(), percent_text(c.optimism_bias.costs)),
        (
            "bias_durations".into(),
            percent_text(c.optimism_bias.durations),
        ),
        (
            "measure".into(),
            match c.decision.measure {
                Measure::FinancialNpv => "financial_npv",
                Measure::Npv => "npv",
            }
            .into(),
        ),
        (
            "min_probability".into(),
            percent_text(c.decision.min_probability_positive),
        ),
        ("iterations".into(), c.monte_carlo.iterations.to_string()),
        ("seed".into(), c.monte_carlo.seed.to_string()),
        (
            "projected_saving".into(),
            body.projected_saving.clone().unwrap_or_default(),
        ),
        (
            "stage".into(),
            body.stage.map_or("", CaseStage::slug).into(),
        ),
        (
            "illustrative".into(),
            body.illustrative.clone().unwrap_or_default(),
        ),
        ("visibility".into(), visibility.slug().into()),
    ];
    if c.monte_carlo.latin_hypercube {
        pairs.push(("latin_hypercube".into(), "yes".into()));
    }
    for council in &c.councils {
        pairs.push(("councils".into(), council.clone()));
    }
    if let Some(cc) = &c.case_cost {
        pairs.push(("case_cost".into(), pounds_text(cc.amount)));
        pairs.push((
            "case_cost_funded_by".into(),
            cc.funded_by.clone().unwrap_or_default(),
        ));
        pairs.push(("case_cost_funded".into(), pounds_text(cc.funded_amount)));
    }
    FormData::from_pairs(pairs)
}

/// Reads the details form into `body` (keeping its options and lines).
fn details_from_form(
    form: &FormData,
    members: &[GssCode],
    body: &mut BusinessCaseBody,
) -> Result<Visibility, Invalid> {
    let mut invalid = Invalid::new();
    let c = &mut body.case;
    c.name = form.get("name").trim().to_owned();
    if c.name.is_empty() {
        invalid.push("name", "Enter the business case’s name");
    }
    c.opportunity = Some(form.get("opportunity").trim().to_owned()).filter(|s| !s.is_empty());
    body.opportunity_record_id = match form.get("opportunity_record_id").trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                invalid.push(
                    "opportunity_record_id",
                    "Enter the number of an opportunity record, or leave it blank",
                );
                None
            }
        },
    };
    let chosen: Vec<String> = form
        .all("councils")
        .iter()
        .map(|s| s.trim().to_owned())
        .collect();
    if chosen.is_empty() {
        invalid.push(
            "councils",
            "Choose the councils that share the costs and savings",
        );
    }
    for code in &chosen {
        let member = GssCode::parse("councils", code)
            .ok()
            .is_some_and(|g| members.contains(&g));
        if !member {
            invalid.push(
                "councils",
                format!("“{code}” is not a member council of this partnership"),
            );
        }
    }
    c.councils = members
        .iter()
        .map(ToString::to_string)
        .filter(|m| chosen.contains(m))
        .collect();
    c.base_year = match form.get("base_year").trim() {
        "" => None,
        t => invalid.check(FinancialYear::parse("base_year", t)),
    };
    c.appraisal_years = match number_field(form, "appraisal_years", &mut invalid) {
        None => 10,
        Some(v) if v.fract() == 0.0 && (1.0..=200.0).contains(&v) => {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let years = v as u32;
            years
        }
        Some(_) => {
            invalid.push(
                "appraisal_years",
                "Enter a whole number of years from 1 to 200; the Green Book default is 10",
            );
            10
        }
    };
    let bias_costs = percent_field(form, "bias_costs", &mut invalid).unwrap_or(0.0);
    let bias_durations = percent_field(form, "bias_durations", &mut invalid).unwrap_or(0.0);
    for (name, v) in [
        ("bias_costs", bias_costs),
        ("bias_durations", bias_durations),
    ] {
        if !(0.0..=10.0).contains(&v) {
            invalid.push(name, "Enter an uplift from 0% to 1000%, such as 41%");
        }
    }
    c.optimism_bias = OptimismBias {
        costs: bias_costs,
        durations: bias_durations,
    };
    let case_cost = pounds_field(form, "case_cost", &mut invalid);
    let funded = pounds_field(form, "case_cost_funded", &mut invalid).unwrap_or(0.0);
    let funded_by =
        Some(form.get("case_cost_funded_by").trim().to_owned()).filter(|s| !s.is_empty());
    c.case_cost = match case_cost {
        Some(amount) => {
            if amount < 0.0 {
                invalid.push(
                    "case_cost",
                    "The cost of the business case cannot be negative",
                );
            }
            if funded < 0.0 {
                invalid.push("case_cost_funded", "Funding cannot be negative");
            }
            if funded > amount {
                invalid.push(
                    "case_cost_funded",
                    "The funded part cannot be more than the case costs",
                );
            }
            Some(accord_analytics::business_case::CaseCost {
                amount,
                year: c.case_cost.as_ref().map_or(0, |cc| cc.year),
                funded_by,
                funded_amount: funded,
                split: c.case_cost.as_ref().and_then(|cc| cc.split.clone()),
            })
        }
        None => {
            if funded > 0.0 || funded_by.is_some() {
                invalid.push(
                    "case_cost",
                    "Enter what building the case costs, or leave its funding blank",
                );
            }
            None
        }
    };
    let measure = match form.get("measure") {
        "npv" => Measure::Npv,
        _ => Measure::FinancialNpv,
    };
    let min = percent_field(form, "min_probability", &mut invalid).unwrap_or(0.8);
    if !(0.0..=1.0).contains(&min) {
        invalid.push(
            "min_probability",
            "Enter a probability from 0% to 100%, such as 80%",
        );
    }
    c.decision = DecisionRule {
        measure,
        min_probability_positive: min,
    };
    let mut settings = Settings::default();
    if let Some(n) = number_field(form, "iterations", &mut invalid) {
        if n.fract() == 0.0 && (1.0..=1_000_000.0).contains(&n) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let n = n as u64;
            settings.iterations = n;
        } else {
            invalid.push(
                "iterations",
                "Enter a whole number of iterations from 1 to 1,000,000",
            );
        }
    }
    if let Some(n) = number_field(form, "seed", &mut invalid) {
        if n.fract() == 0.0 && (0.0..9.0e15).contains(&n) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let n = n as u64;
            settings.seed = n;
        } else {
            invalid.push("seed", "Enter a whole number, zero or more");
        }
    }
    settings.latin_hypercube = form.get("latin_hypercube") == "yes";
    settings.convergence = c.monte_carlo.convergence;
    c.monte_carlo = settings;
    body.projected_saving =
        Some(form.get("projected_saving").trim().to_owned()).filter(|s| !s.is_empty());
    body.stage = match form.get("stage").trim() {
        "" => None,
        t => invalid.check(CaseStage::parse("stage", t)),
    };
    body.illustrative = Some(form.get("illustrative").trim().to_owned()).filter(|s| !s.is_empty());
    let visibility = visibility_from(form, &mut invalid);
    invalid.into_result()?;
    Ok(visibility.unwrap_or_default())
}

async fn details_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &Context,
    entry: Option<&BusinessCaseEntry>,
    data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let p = &ctx.partnership;
    let id = p.id;
    let council_choices: Vec<(String, String)> = ctx
        .members
        .iter()
        .map(|m| (m.to_string(), ctx.name_of(m.as_str()).to_owned()))
        .collect();
    let choices: Vec<Choice> = council_choices
        .iter()
        .map(|(v, t)| Choice::new(v, t))
        .collect();
    let opportunities = cases::opportunities(&state.app, &viewer.caller(), id).await?;
    let mut opportunity_choices = vec![("".to_owned(), "None, or not kept in Accord".to_owned())];
    opportunity_choices.extend(
        opportunities
            .iter()
            .map(|(record_id, title)| (record_id.to_string(), title.clone())),
    );
    let opportunity_select: Vec<Choice> = opportunity_choices
        .iter()
        .map(|(v, t)| Choice::new(v, t))
        .collect();
    let (title, action) = match entry {
        Some(e) => (
            "Change the business case’s details",
            format!("{}/edit", case_path(id, &e.reference)),
        ),
        None => ("Start a business case", base(id)),
    };
    let stages: Vec<Choice> = std::iter::once(Choice::new("", "Not stated"))
        .chain(
            CaseStage::ALL
                .iter()
                .map(|s| Choice::new(s.slug(), s.label())),
        )
        .collect();
    let measures = [
        Choice::new(
            "financial_npv",
            "Financial NPV: cashable savings less costs, plus external funding",
        ),
        Choice::new("npv", "NPV: all savings, cashable or not, less costs"),
    ];
    let checked = data.all("councils");
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { (title) }
        (form(&action, &viewer.csrf, html! {
            @if let Some(e) = entry { (version_field(data.get("version").parse().unwrap_or(e.version))) }
            (text_input(&Field::new("name", "Name").hint("For example, “HR shared service centre”").value(data.get("name")).errors(errors)))
            (radios(&Field::new("stage", "Stage").hint("The Green Book’s three stages of a business case").value(data.get("stage")).errors(errors), &stages))
            @if opportunities.is_empty() {
                input type="hidden" name="opportunity_record_id" value=(data.get("opportunity_record_id"));
            } @else {
                (select(&Field::new("opportunity_record_id", "The opportunity it appraises").value(data.get("opportunity_record_id")).errors(errors), &opportunity_select))
            }
            (text_input(&Field::new("opportunity", "The opportunity, in words (optional)").hint("The service or opportunity the case is about").value(data.get("opportunity")).errors(errors)))
            (checkboxes(&Field::new("councils", "Councils that share its costs and savings").errors(errors), &choices, &checked))
            @if entry.is_none() {
                (text_input(&Field::new("first_option", "The option to appraise against the status quo").hint("For example, “Share the service”. You can add more options later.").value(data.get("first_option")).errors(errors)))
            }
            (text_input(&Field::new("base_year", "Base year (optional)").hint("The financial year of year 0, like 2011/12: prices are real prices of that year").value(data.get("base_year")).errors(errors).width(InputWidth::Chars10)))
            (text_input(&Field::new("appraisal_years", "Appraisal period in years").hint("The Green Book default is 10").value(data.get("appraisal_years")).errors(errors).numeric().width(InputWidth::Chars4)))
            fieldset class="govuk-fieldset" {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "Optimism bias" }
                p class="govuk-body" { "An uplift on costs and on the time to implement (which delays savings), never a higher discount rate." }
                (text_input(&Field::new("bias_costs", "Uplift on costs (%)").hint("For example, 41 for outsourcing operating costs").value(data.get("bias_costs")).errors(errors).numeric().width(InputWidth::Chars5)))
                (text_input(&Field::new("bias_durations", "Uplift on implementation time (%)").value(data.get("bias_durations")).errors(errors).numeric().width(InputWidth::Chars5)))
            }
            fieldset class="govuk-fieldset" {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "The cost of building the case" }
                (text_input(&Field::new("case_cost", "What building the business case costs (£, optional)").value(data.get("case_cost")).errors(errors).width(InputWidth::Chars10)))
                (text_input(&Field::new("case_cost_funded_by", "Who funds it, if not the councils (optional)").hint("For example, a regional improvement and efficiency partnership").value(data.get("case_cost_funded_by")).errors(errors)))
                (text_input(&Field::new("case_cost_funded", "How much of it they fund (£, optional)").value(data.get("case_cost_funded")).errors(errors).width(InputWidth::Chars10)))
            }
            fieldset class="govuk-fieldset" {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "When it makes clear financial sense" }
                (radios(&Field::new("measure", "The measure tested").value(data.get("measure")).errors(errors), &measures))
                (text_input(&Field::new("min_probability", "Least chance that the measure is above zero (%)").hint("With ranges of estimates; 80 by default. With single figures, the measure must simply be above zero.").value(data.get("min_probability")).errors(errors).numeric().width(InputWidth::Chars5)))
            }
            fieldset class="govuk-fieldset" {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "Monte Carlo simulation" }
                (text_input(&Field::new("iterations", "Iterations").hint("10,000 by default; at most 1,000,000").value(data.get("iterations")).errors(errors).numeric().width(InputWidth::Chars10)))
                (text_input(&Field::new("seed", "Seed").hint("The same seed gives the same results").value(data.get("seed")).errors(errors).numeric().width(InputWidth::Chars10)))
                (checkboxes(&Field::new("latin_hypercube", "Sampling"), &[Choice::new("yes", "Latin hypercube sampling")], &[data.get("latin_hypercube")]))
            }
            (text_input(&Field::new("projected_saving", "Projected saving as the source states it (optional)").hint("For example, “£5m to £8m, not before 2013/14”").value(data.get("projected_saving")).errors(errors)))
            (textarea(&Field::new("illustrative", "What is illustrative (optional)").hint("Say which figures are not from a source, so readers know").value(data.get("illustrative")).errors(errors).rows(3)))
            (visibility_field(data.get("visibility"), errors))
            (button(if entry.is_some() { "Save and appraise" } else { "Start the business case" }, ButtonKind::Primary))
        }))
    };
    Ok(render(
        state,
        viewer,
        Page::new(title).with_errors(errors).back_link(match entry {
            Some(e) => case_path(id, &e.reference),
            None => base(id),
        }),
        content,
    ))
}

/// `GET /partnerships/{id}/business-cases/new`.
pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let ctx = context(&state, &viewer, id).await?;
    let mut case = empty_case(&ctx.members);
    case.name = String::new();
    let mut data = details_data(&BusinessCaseBody::new(case), Visibility::Council);
    data.set("first_option", "Share the service");
    details_page(&state, &viewer, &ctx, None, &data, &Invalid::new()).await
}

fn empty_case(members: &[GssCode]) -> BusinessCase {
    BusinessCase {
        name: String::new(),
        opportunity: None,
        councils: members.iter().map(ToString::to_string).collect(),
        base_year: None,
        appraisal_years: 10,
        discount_rates: None,
        optimism_bias: OptimismBias::default(),
        case_cost: None,
        funding: Vec::new(),
        options: Vec::new(),
        decision: DecisionRule::default(),
        monte_carlo: Settings::default(),
    }
}

fn new_option(name: &str, status_quo: bool) -> OptionInput {
    OptionInput {
        name: name.to_owned(),
        status_quo,
        implementation_years: 0.0,
        optimism_bias: None,
        slippage: None,
        costs: Vec::new(),
        savings: Vec::new(),
    }
}

/// Turns a refusal of the whole case into one the form can show: engine paths stay in the
/// summary; `case.name`-style paths land on the form's field of the same name. A conflict is
/// shown on the form's version.
fn for_details(e: AppError) -> Result<(StatusCode, Invalid), WebError> {
    let (status, mut invalid) = refusal(e)?;
    for err in &mut invalid.errors {
        let renamed = match err.field.as_str() {
            "case.name" => Some("name"),
            "case.appraisal_years" => Some("appraisal_years"),
            "case.base_year" => Some("base_year"),
            "case.monte_carlo.iterations" => Some("iterations"),
            f if f.starts_with("case.councils") => Some("councils"),
            f if f.starts_with("case.case_cost") => Some("case_cost"),
            _ => None,
        };
        if let Some(r) = renamed {
            r.clone_into(&mut err.field);
        }
    }
    Ok((status, invalid))
}

/// `POST /partnerships/{id}/business-cases`.
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    data: FormData,
) -> Result<Response, WebError> {
    let ctx = context(&state, &viewer, id).await?;
    let mut body = BusinessCaseBody::new(empty_case(&ctx.members));
    let (status, errors) = match details_from_form(&data, &ctx.members, &mut body) {
        Ok(visibility) => {
            let first = data.get("first_option").trim();
            body.case.options = vec![
                new_option("Status quo", true),
                new_option(
                    if first.is_empty() {
                        "Share the service"
                    } else {
                        first
                    },
                    false,
                ),
            ];
            let command = CaseCommand { body, visibility };
            match cases::create(&state.app, &viewer.caller(), id, command).await {
                Ok(entry) => {
                    return Ok(Redirect::to(&case_path(id, &entry.reference)).into_response());
                }
                Err(e) => for_details(e)?,
            }
        }
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    Ok(with_status(
        status,
        details_page(&state, &viewer, &ctx, None, &data, &errors).await?,
    ))
}

/// The details form of a case as it is.
fn entry_details(entry: &BusinessCaseEntry) -> FormData {
    let mut data = details_data(&entry.value, entry.visibility);
    data.set("version", &entry.version.to_string());
    data
}

/// `GET /partnerships/{id}/business-cases/{reference}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let entry = load(&state, &viewer, id, record.reference).await?;
    let ctx = context(&state, &viewer, id).await?;
    details_page(
        &state,
        &viewer,
        &ctx,
        Some(&entry),
        &entry_details(&entry),
        &Invalid::new(),
    )
    .await
}

/// Checks, appraises and saves a changed case, from the version the form was filled from.
async fn save(
    state: &AppState,
    viewer: &Viewer,
    entry: &BusinessCaseEntry,
    body: BusinessCaseBody,
    visibility: Visibility,
    form: &FormData,
    reason: &str,
) -> Result<BusinessCaseEntry, AppError> {
    let id = entry.meta.partnership_id.unwrap_or_default();
    let from_version = form_version(form)?;
    cases::change(
        &state.app,
        &viewer.caller(),
        id,
        &entry.reference,
        CaseCommand { body, visibility },
        from_version,
        reason,
    )
    .await
}

/// `POST /partnerships/{id}/business-cases/{reference}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    data: FormData,
) -> Result<Response, WebError> {
    let entry = load(&state, &viewer, id, record.reference).await?;
    let ctx = context(&state, &viewer, id).await?;
    let mut body = entry.value.clone();
    let (status, errors) = match details_from_form(&data, &ctx.members, &mut body) {
        Ok(visibility) => match save(&state, &viewer, &entry, body, visibility, &data, "").await {
            Ok(saved) => return Ok(Redirect::to(&case_path(id, &saved.reference)).into_response()),
            Err(e) => for_details(e)?,
        },
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    // A conflict shows the case as it is now, to change again.
    let shown = if status == StatusCode::CONFLICT {
        entry_details(&entry)
    } else {
        data
    };
    Ok(with_status(
        status,
        details_page(&state, &viewer, &ctx, Some(&entry), &shown, &errors).await?,
    ))
}

// ----- the case with its appraisal -----

fn year_label(base: Option<FinancialYear>, year: u32) -> String {
    match base {
        Some(b) => match FinancialYear::starting(b.start_year() + i32::try_from(year).unwrap_or(0))
        {
            Ok(fy) => format!("{fy} (year {year})"),
            Err(_) => format!("year {year}"),
        },
        None => format!("year {year}"),
    }
}

fn estimate_text(e: &Estimate) -> String {
    if e.is_point() {
        pounds(e.most_likely)
    } else {
        format!(
            "{} to {}, most likely {}{}",
            pounds(e.low),
            pounds(e.high),
            pounds(e.most_likely),
            if matches!(
                e.distribution,
                Some(accord_analytics::distribution::Shape::Pert)
            ) {
                " (PERT)"
            } else {
                ""
            }
        )
    }
}

fn split_text(
    split: Option<&std::collections::BTreeMap<String, f64>>,
    names: &HashMap<String, String>,
) -> String {
    match split {
        None => "Equal shares".to_owned(),
        Some(s) => s
            .iter()
            .map(|(c, f)| format!("{} {}%", name_of(names, c), percent_text(*f)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[allow(clippy::too_many_arguments)]
fn lines_tables(
    id: i64,
    entry: &BusinessCaseEntry,
    case: &BusinessCase,
    index: usize,
    o: &OptionInput,
    names: &HashMap<String, String>,
    editor: bool,
    csrf: &str,
) -> Markup {
    let path = case_path(id, &entry.reference);
    let remove = |what: &str, line: usize, label: &str| {
        html! {
            form method="post" action=(format!("{path}/remove")) class="accord-inline-form" {
                input type="hidden" name=(crate::forms::CSRF_FIELD) value=(csrf);
                input type="hidden" name="version" value=(entry.version);
                input type="hidden" name="what" value=(what);
                input type="hidden" name="option" value=(index);
                input type="hidden" name="line" value=(line);
                button type="submit" class="accord-link-button" { "Remove" span class="govuk-visually-hidden" { " " (label) } }
            }
        }
    };
    let mut costs = Table::new(
        format!("Costs of “{}”", o.name),
        vec![
            Column::text("Cost"),
            Column::text("When"),
            Column::text("Amount a year or once"),
            Column::text("Shared"),
            Column::text(if editor { "Actions" } else { "" }),
        ],
    );
    for (l, c) in o.costs.iter().enumerate() {
        let when = match c.kind {
            accord_analytics::business_case::LineKind::OneOff => format!(
                "Once, in {}",
                year_label(case.base_year, c.year.unwrap_or(0))
            ),
            accord_analytics::business_case::LineKind::Recurring => format!(
                "Every year from {} to {}",
                year_label(case.base_year, c.start_year.unwrap_or(1)),
                year_label(case.base_year, c.end_year.unwrap_or(case.appraisal_years))
            ),
        };
        costs = costs.row(vec![
            html! { (c.name) @if let Some(b) = c.optimism_bias { br; span class="govuk-hint" { "Optimism bias " (percent_text(b)) "%" } } },
            html! { (when) },
            html! { (estimate_text(&c.amount)) },
            html! { (split_text(c.split.as_ref(), names)) },
            html! {
                @if editor {
                    a class="govuk-link" href=(format!("{path}/line?option={index}&type=cost&line={l}")) { "Change" span class="govuk-visually-hidden" { " " (c.name) } }
                    " " (remove("cost", l, &c.name))
                }
            },
        ]);
    }
    let mut savings = Table::new(
        format!("Savings of “{}”", o.name),
        vec![
            Column::text("Saving"),
            Column::text("When"),
            Column::text("Full-year amount or once"),
            Column::text("Shared"),
            Column::text(if editor { "Actions" } else { "" }),
        ],
    );
    for (l, s) in o.savings.iter().enumerate() {
        let start = match &s.start {
            None => year_label(case.base_year, 1),
            Some(accord_analytics::business_case::StartValue::Year(y)) => format!("year {y}"),
            Some(accord_analytics::business_case::StartValue::Text(t)) => t.clone(),
        };
        let when = match s.kind {
            accord_analytics::business_case::LineKind::OneOff => format!("Once, from {start}"),
            accord_analytics::business_case::LineKind::Recurring => format!(
                "Every year from {start}{}",
                s.end_year
                    .map(|e| format!(" to {}", year_label(case.base_year, e)))
                    .unwrap_or_default()
            ),
        };
        savings = savings.row(vec![
            html! {
                (s.name) br;
                span class="govuk-hint" {
                    @if s.cashable { "Cashable" } @else { "Non-cashable" }
                    @if !s.ramp_up.is_empty() { "; ramp-up " (s.ramp_up.iter().map(|f| format!("{}%", percent_text(*f))).collect::<Vec<_>>().join(", ")) }
                    @if let Some(sl) = &s.slippage { "; slippage " (if sl.is_point() { format!("{} years", sl.most_likely) } else { format!("{} to {} years", sl.low, sl.high) }) }
                }
            },
            html! { (when) },
            html! { (estimate_text(&s.amount)) },
            html! { (split_text(s.split.as_ref(), names)) },
            html! {
                @if editor {
                    a class="govuk-link" href=(format!("{path}/line?option={index}&type=saving&line={l}")) { "Change" span class="govuk-visually-hidden" { " " (s.name) } }
                    " " (remove("saving", l, &s.name))
                }
            },
        ]);
    }
    html! {
        @if o.costs.is_empty() {
            p class="govuk-body" { "No costs entered for this option." }
        } @else {
            (table(&costs))
        }
        @if o.savings.is_empty() {
            p class="govuk-body" { "No savings entered for this option." }
        } @else {
            (table(&savings))
        }
        @if editor {
            div class="govuk-button-group" {
                (button_link("Add a cost line", &format!("{path}/line?option={index}&type=cost"), ButtonKind::Secondary))
                (button_link("Add a savings line", &format!("{path}/line?option={index}&type=saving"), ButtonKind::Secondary))
                a class="govuk-link" href=(format!("{path}/option?option={index}")) { "Change this option" span class="govuk-visually-hidden" { " (" (o.name) ")" } }
            }
        }
    }
}

fn results(
    index: usize,
    case: &BusinessCase,
    a: &OptionAppraisal,
    rule: &DecisionRule,
    names: &HashMap<String, String>,
) -> Markup {
    let measure = match rule.measure {
        Measure::FinancialNpv => "financial NPV",
        Measure::Npv => "NPV",
    };
    let payback = |y: Option<u32>| match y {
        Some(y) => year_label(case.base_year, y),
        None => "Does not pay back within the appraisal period".to_owned(),
    };
    let mut councils = Table::new(
        format!("Each council’s share of “{}”", a.name),
        vec![
            Column::text("Council"),
            Column::numeric("PV of costs"),
            Column::numeric("PV of cashable savings"),
            Column::numeric("PV of non-cashable savings"),
            Column::numeric("PV of funding"),
            Column::numeric("Financial NPV"),
            Column::numeric("NPV"),
        ],
    );
    for (c, s) in &a.per_council {
        councils = councils.row(vec![
            html! { (name_of(names, c)) },
            html! { (pounds(s.pv_costs)) },
            html! { (pounds(s.pv_cashable_savings)) },
            html! { (pounds(s.pv_non_cashable_savings)) },
            html! { (pounds(s.pv_funding)) },
            html! { (pounds(s.financial_npv)) },
            html! { (pounds(s.npv)) },
        ]);
    }
    let mut flows = Table::new(
        format!("Cash flows of “{}” at most likely values", a.name),
        vec![
            Column::text("Year"),
            Column::numeric("Costs"),
            Column::numeric("Cashable savings"),
            Column::numeric("Non-cashable savings"),
            Column::numeric("Funding"),
            Column::numeric("Net financial"),
            Column::numeric("Discount factor"),
        ],
    );
    for y in &a.cash_flows {
        flows = flows.row(vec![
            html! { (year_label(case.base_year, y.year)) },
            html! { (pounds(y.costs)) },
            html! { (pounds(y.cashable_savings)) },
            html! { (pounds(y.non_cashable_savings)) },
            html! { (pounds(y.funding)) },
            html! { (pounds(y.net_financial)) },
            html! { (format!("{:.4}", y.discount_factor)) },
        ]);
    }
    html! {
        h3 class="govuk-heading-m" { "Appraisal" }
        p class="govuk-body" { (decision_tag(a.decision.makes_clear_financial_sense)) " " (capitalise(&a.decision.reason)) "." }
        (summary_list(&[
            SummaryRow::new("Net present value (all savings less costs)", html! { (pounds(a.npv)) }),
            SummaryRow::new("Financial NPV (cashable savings less costs, plus funding)", html! { (pounds(a.financial_npv)) }),
            SummaryRow::new("Benefit–cost ratio", html! { @match a.bcr { Some(b) => (format!("{b:.2}")), None => "No costs, so no ratio" } }),
            SummaryRow::new("Pays back from", html! { (payback(a.payback_year)) }),
            SummaryRow::new("Pays back, discounted, from", html! { (payback(a.discounted_payback_year)) }),
            SummaryRow::new("Present value of costs", html! { (pounds(a.pv_costs)) }),
            SummaryRow::new("Present value of savings", html! { (pounds(a.pv_cashable_savings)) " cashable, " (pounds(a.pv_non_cashable_savings)) " non-cashable" }),
            SummaryRow::new("Present value of external funding", html! { (pounds(a.pv_funding)) }),
        ]))
        (table(&councils.row_headers()))
        (details("Year-by-year cash flows", table(&flows.row_headers().scrollable())))
        @if let Some(mc) = &a.monte_carlo {
            h3 class="govuk-heading-m" { "Monte Carlo risk analysis of the " (measure) }
            (summary_list(&[
                SummaryRow::new("Runs", html! {
                    (accord_domain::money::group_thousands(mc.iterations)) " iterations"
                    @if let Some(c) = mc.converged { @if c { " (stopped at convergence)" } @else { " (did not converge)" } }
                }),
                SummaryRow::new("Chance the measure is above zero", html! { (format!("{:.1}%", 100.0 * mc.probability_positive)) }),
                SummaryRow::new("Mean", html! { (pounds(mc.mean)) " (standard error " (pounds(mc.standard_error)) ")" }),
                SummaryRow::new("P10 / P50 / P90", html! { (pounds(mc.p10)) " / " (pounds(mc.p50)) " / " (pounds(mc.p90)) }),
                SummaryRow::new("Range of runs", html! { (pounds(mc.min)) " to " (pounds(mc.max)) }),
            ]))
            h4 class="govuk-heading-s" { "S-curve" }
            (charts::s_curve(&format!("s-curve-{index}"), &a.name, measure, &mc.s_curve))
            (details("The S-curve’s figures", s_curve_table(&a.name, &mc.s_curve)))
            @if !mc.tornado.is_empty() {
                h4 class="govuk-heading-s" { "What drives the result" }
                (charts::tornado(&format!("tornado-{index}"), &a.name, match rule.measure { Measure::FinancialNpv => a.financial_npv, Measure::Npv => a.npv }, &mc.tornado))
                (table(&tornado_table(&a.name, &mc.tornado)))
            }
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn s_curve_table(option: &str, points: &[accord_analytics::monte_carlo::CurvePoint]) -> Markup {
    let mut t = Table::new(
        format!("S-curve of “{option}”: the value the measure is at most, by chance"),
        vec![Column::text("Chance"), Column::numeric("At most")],
    );
    for p in points {
        t = t.row(vec![
            html! { (format!("{:.0}%", 100.0 * p.probability)) },
            html! { (pounds(p.npv)) },
        ]);
    }
    table(&t.row_headers().scrollable())
}

fn tornado_table(option: &str, bars: &[accord_analytics::monte_carlo::TornadoBar]) -> Table {
    let mut t = Table::new(
        format!("Inputs that drive the result of “{option}”, largest swing first"),
        vec![
            Column::text("Input"),
            Column::numeric("Measure with the input at its P10"),
            Column::numeric("At its P90"),
            Column::numeric("Swing"),
        ],
    );
    for b in bars {
        t = t.row(vec![
            html! { (b.input) },
            html! { (pounds(b.npv_at_p10)) },
            html! { (pounds(b.npv_at_p90)) },
            html! { (pounds(b.swing)) },
        ]);
    }
    t.row_headers()
}

/// `GET /partnerships/{id}/business-cases/{reference}`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let entry = load(&state, &viewer, id, record.reference).await?;
    let ctx = context(&state, &viewer, id).await?;
    case_page(&state, &viewer, &ctx, &entry, &Invalid::new()).await
}

/// A case with its appraisal; `errors` are those of the Monte Carlo form.
async fn case_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &Context,
    entry: &BusinessCaseEntry,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let p = &ctx.partnership;
    let id = p.id;
    let body = &entry.value;
    let case = &body.case;
    let mut codes = ctx.members.clone();
    codes.extend(
        case.councils
            .iter()
            .filter_map(|c| GssCode::parse("c", c).ok()),
    );
    let names = council_names(state, &codes).await?;
    let editor = entry.may_change;
    let record_id = entry.record_id;
    let path = case_path(id, &entry.reference);
    let opportunity = match (body.opportunity_record_id, &case.opportunity) {
        (Some(oid), title) => {
            match cases::opportunity_title(&state.app, &viewer.caller(), id, oid).await? {
                Some(found) => {
                    html! { a class="govuk-link" href=(format!("/partnerships/{id}/opportunities/{oid}")) { (found) } }
                }
                None => html! { (title.clone().unwrap_or_else(|| format!("Opportunity {oid}"))) },
            }
        }
        (None, Some(t)) => html! { (t) },
        (None, None) => html! { span class="govuk-hint" { (accord_domain::seed::NOT_STATED) } },
    };
    let appraisal: Option<&Appraisal> = body.appraisal.as_ref();
    let rates = appraisal.map_or_else(String::new, |a| {
        a.discount_rates
            .iter()
            .map(|b| format!("{}% from year {}", percent_text(b.rate), b.from_year))
            .collect::<Vec<_>>()
            .join(", ")
    });
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) ", " (entry.reference) }
        h1 class="govuk-heading-xl" { (case.name) }
        @if let Some(note) = &body.illustrative {
            (notification_banner(Banner::Important, "Illustrative figures", html! { p class="govuk-body" { (note) } }))
        }
        (source_note(body.source.as_deref()))
        (summary_list(&[
            SummaryRow::new("Opportunity", opportunity),
            SummaryRow::new("Reference", html! { (entry.reference) }),
            SummaryRow::new("Stage", html! { @match body.stage { Some(s) => (s.label()), None => span class="govuk-hint" { (accord_domain::seed::NOT_STATED) } } }),
            SummaryRow::new("Councils", html! { (case.councils.iter().map(|c| name_of(&names, c)).collect::<Vec<_>>().join(", ")) }),
            SummaryRow::new("Projected saving as the source states it", html! {
                @match &body.projected_saving { Some(s) => (s), None => span class="govuk-hint" { (accord_domain::seed::NOT_STATED) } }
            }),
            SummaryRow::new("Base year", html! { @match case.base_year { Some(y) => (y.to_string()), None => span class="govuk-hint" { (accord_domain::seed::NOT_STATED) } } }),
            SummaryRow::new("Appraisal period", html! { (case.appraisal_years) " years after the base year" }),
            SummaryRow::new("Discount rates", html! { @if case.discount_rates.is_none() { "Green Book: " } (rates) }),
            SummaryRow::new("Optimism bias", html! { (percent_text(case.optimism_bias.costs)) "% on costs, " (percent_text(case.optimism_bias.durations)) "% on implementation time" }),
            SummaryRow::new("Cost of building the case", html! {
                @match &case.case_cost {
                    Some(cc) => {
                        (pounds(cc.amount))
                        @if let Some(f) = &cc.funded_by { ", " (pounds(cc.funded_amount)) " of it funded by " (f) }
                    },
                    None => span class="govuk-hint" { (accord_domain::seed::NOT_STATED) },
                }
            }),
            SummaryRow::new("Makes clear financial sense when", html! {
                "the chance that the " (match case.decision.measure { Measure::FinancialNpv => "financial NPV", Measure::Npv => "NPV" })
                " is above zero is at least " (percent_text(case.decision.min_probability_positive)) "% (with single figures: when it is above zero)"
            }),
            SummaryRow::new("Monte Carlo", html! {
                (accord_domain::money::group_thousands(case.monte_carlo.iterations)) " iterations, seed " (case.monte_carlo.seed)
                @if case.monte_carlo.latin_hypercube { ", Latin hypercube sampling" }
            }),
            SummaryRow::new("Who can see it", html! { (entry.visibility.label()) }),
            SummaryRow::new("Last changed", html! { (long_date(entry.updated_at.date_naive())) }),
        ]))
        @if editor {
            div class="govuk-button-group" {
                (button_link("Change the details", &format!("{path}/edit"), ButtonKind::Secondary))
                (button_link("Add an option", &format!("{path}/option"), ButtonKind::Secondary))
                (button_link("Import lines from a file", &format!("{path}/import"), ButtonKind::Secondary))
            }
        }
        p class="govuk-body" {
            "Download: "
            a class="govuk-link" href=(format!("{path}/lines.csv")) { "lines as CSV" } ", "
            a class="govuk-link" href=(format!("{path}/lines.xlsx")) { "lines as XLSX" } ", "
            a class="govuk-link" href=(format!("{path}/case.json")) { "the case as JSON (for accord appraise)" }
        }
        h2 class="govuk-heading-l" { "Result" }
        @match appraisal {
            Some(a) => {
                @match &a.preferred_option {
                    Some(o) => p class="govuk-body-l" { "Preferred option: " strong { (o) } "." },
                    None => p class="govuk-body-l" { "No option makes clear financial sense under the case’s rule: keep the status quo." },
                }
            },
            None => p class="govuk-body" { "This case has not been appraised yet." },
        }
        @for (i, o) in case.options.iter().enumerate() {
            section class="accord-option" aria-labelledby=(format!("option-{i}")) {
                h2 class="govuk-heading-l" id=(format!("option-{i}")) { "Option " (i + 1) ": " (o.name) }
                @if o.status_quo {
                    p class="govuk-body" { "The status quo is the baseline: every other option’s costs and savings are measured against carrying on as now." }
                    @if editor {
                        p class="govuk-body" { a class="govuk-link" href=(format!("{path}/option?option={i}")) { "Change this option" span class="govuk-visually-hidden" { " (" (o.name) ")" } } }
                    }
                } @else {
                    @if o.implementation_years > 0.0 || o.slippage.is_some() {
                        p class="govuk-body" {
                            "Implementation takes " (o.implementation_years) " years"
                            @if let Some(s) = &o.slippage { "; go-live may slip by " (if s.is_point() { format!("{} years", s.most_likely) } else { format!("{} to {} years (most likely {})", s.low, s.high, s.most_likely) }) }
                            "."
                        }
                    }
                    (lines_tables(id, entry, case, i, o, &names, editor, &viewer.csrf))
                    @if let Some(a) = appraisal.and_then(|a| a.options.get(i)) {
                        (results(i, case, a, &case.decision, &names))
                    }
                }
            }
        }
        @if editor && uncertain(case) {
            h2 class="govuk-heading-m" { "Run the Monte Carlo simulation again" }
            (form(&format!("{path}/monte-carlo"), &viewer.csrf, html! {
                (version_field(entry.version))
                (text_input(&Field::new("iterations", "Iterations").hint("At most 1,000,000").value(&case.monte_carlo.iterations.to_string()).errors(errors).numeric().width(InputWidth::Chars10)))
                (text_input(&Field::new("seed", "Seed").hint("The same seed gives the same results").value(&case.monte_carlo.seed.to_string()).errors(errors).numeric().width(InputWidth::Chars10)))
                (checkboxes(&Field::new("latin_hypercube", "Sampling"), &[Choice::new("yes", "Latin hypercube sampling")], &[if case.monte_carlo.latin_hypercube { "yes" } else { "" }]))
                (button("Run it again", ButtonKind::Secondary))
            }))
        }
        @if entry.may_delete {
            p class="govuk-body" { a class="govuk-link" href=(format!("{path}/delete")) { "Delete this business case" } }
        }
        @if viewer.actor.is_in(id) || viewer.actor.admin {
            p class="govuk-body" { a class="govuk-link" href=(format!("/partnerships/{id}/records/{record_id}/history")) { "See the history of changes to this business case" } }
        }
    };
    Ok(render(
        state,
        viewer,
        Page::new(case.name.clone())
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}"))
            .breadcrumb("Business cases", base(id))
            .with_errors(errors),
        content,
    ))
}

/// Whether any estimate of the case is a range, so the appraisal runs a simulation.
fn uncertain(case: &BusinessCase) -> bool {
    case.options.iter().any(|o| {
        o.slippage.as_ref().is_some_and(|s| !s.is_point())
            || o.costs.iter().any(|c| !c.amount.is_point())
            || o.savings.iter().any(|s| {
                !s.amount.is_point() || s.slippage.as_ref().is_some_and(|sl| !sl.is_point())
            })
    })
}

/// `POST …/{reference}/monte-carlo`: runs the simulation again with other settings.
pub async fn run_monte_carlo(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    data: FormData,
) -> Result<Response, WebError> {
    let entry = load(&state, &viewer, id, record.reference).await?;
    let mut invalid = Invalid::new();
    let whole = |name: &str, max: f64, invalid: &mut Invalid| -> Option<u64> {
        match number_field(&data, name, invalid) {
            Some(n) if n.fract() == 0.0 && (0.0..=max).contains(&n) => {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let n = n as u64;
                Some(n)
            }
            Some(_) => {
                invalid.push(
                    name,
                    format!(
                        "Enter a whole number from 0 to {}",
                        accord_domain::money::group_thousands(max as u64)
                    ),
                );
                None
            }
            None => None,
        }
    };
    let iterations = whole("iterations", 1_000_000.0, &mut invalid).filter(|n| *n > 0);
    if iterations.is_none() && invalid.message_for("iterations").is_none() {
        invalid.push(
            "iterations",
            "Enter a whole number of iterations from 1 to 1,000,000",
        );
    }
    let seed = whole("seed", 9.0e15, &mut invalid).unwrap_or(entry.value.case.monte_carlo.seed);
    let version = invalid.check(form_version(&data));
    let result = match (invalid.into_result(), iterations, version) {
        (Ok(()), Some(iterations), Some(version)) => {
            let settings = Settings {
                iterations,
                seed,
                latin_hypercube: data.get("latin_hypercube") == "yes",
                convergence: None,
            };
            cases::run_monte_carlo(
                &state.app,
                &viewer.caller(),
                id,
                &entry.reference,
                settings,
                version,
            )
            .await
        }
        (Err(e), _, _) => Err(e.into()),
        _ => Err(Invalid::field(
            "iterations",
            "Enter a whole number of iterations from 1 to 1,000,000",
        )
        .into()),
    };
    match result {
        Ok(saved) => Ok(Redirect::to(&case_path(id, &saved.reference)).into_response()),
        Err(e) => {
            let (status, errors) = for_details(e)?;
            let now = load(&state, &viewer, id, Some(entry.reference.clone())).await?;
            let ctx = context(&state, &viewer, id).await?;
            Ok(with_status(
                status,
                case_page(&state, &viewer, &ctx, &now, &errors).await?,
            ))
        }
    }
}

// ----- options -----

fn option_index(query: &HashMap<String, String>, form: Option<&FormData>) -> Option<usize> {
    let text = form.map_or_else(
        || query.get("option").cloned().unwrap_or_default(),
        |f| f.get("option").to_owned(),
    );
    text.trim().parse().ok()
}

fn option_data(o: &OptionInput) -> FormData {
    let mut pairs = vec![
        ("name".to_owned(), o.name.clone()),
        (
            "implementation_years".to_owned(),
            if o.implementation_years == 0.0 {
                String::new()
            } else {
                o.implementation_years.to_string()
            },
        ),
    ];
    if o.status_quo {
        pairs.push(("status_quo".into(), "yes".into()));
    }
    if let Some(b) = o.optimism_bias {
        pairs.push(("bias_costs".into(), percent_text(b.costs)));
        pairs.push(("bias_durations".into(), percent_text(b.durations)));
    }
    if let Some(s) = &o.slippage {
        if s.is_point() {
            pairs.push(("slippage_most_likely".into(), s.most_likely.to_string()));
        } else {
            pairs.push(("slippage_low".into(), s.low.to_string()));
            pairs.push(("slippage_most_likely".into(), s.most_likely.to_string()));
            pairs.push(("slippage_high".into(), s.high.to_string()));
        }
    }
    FormData::from_pairs(pairs)
}

#[allow(clippy::too_many_arguments)]
fn option_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    entry: &BusinessCaseEntry,
    index: Option<usize>,
    data: &FormData,
    errors: &Invalid,
) -> Markup {
    let body = &entry.value;
    let path = case_path(id, &entry.reference);
    let version = data.get("version").parse().unwrap_or(entry.version);
    let title = if index.is_some() {
        "Change an option"
    } else {
        "Add an option"
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (body.case.name) }
        h1 class="govuk-heading-xl" { (title) }
        (form(&format!("{path}/option"), &viewer.csrf, html! {
            (version_field(version))
            input type="hidden" name="option" value=(index.map(|i| i.to_string()).unwrap_or_default());
            (text_input(&Field::new("name", "Name").hint("For example, “Share with Waltham Forest” or “Outsource”").value(data.get("name")).errors(errors)))
            (checkboxes(&Field::new("status_quo", "Baseline").errors(errors), &[Choice::new("yes", "This is the status quo (the baseline, with no lines)")], &[data.get("status_quo")]))
            (text_input(&Field::new("implementation_years", "Years to implement (optional)").hint("The duration uplift of optimism bias applies to it, delaying savings").value(data.get("implementation_years")).errors(errors).numeric().width(InputWidth::Chars5)))
            fieldset class="govuk-fieldset" {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "Go-live slippage in years (optional)" }
                div class="govuk-hint" { "Delays the option’s savings; give the most likely alone, or low, most likely and high" }
                (text_input(&Field::new("slippage_low", "Low").value(data.get("slippage_low")).errors(errors).numeric().width(InputWidth::Chars5)))
                (text_input(&Field::new("slippage_most_likely", "Most likely").value(data.get("slippage_most_likely")).errors(errors).numeric().width(InputWidth::Chars5)))
                (text_input(&Field::new("slippage_high", "High").value(data.get("slippage_high")).errors(errors).numeric().width(InputWidth::Chars5)))
            }
            fieldset class="govuk-fieldset" {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "This option’s own optimism bias (optional)" }
                (text_input(&Field::new("bias_costs", "Uplift on costs (%)").value(data.get("bias_costs")).errors(errors).numeric().width(InputWidth::Chars5)))
                (text_input(&Field::new("bias_durations", "Uplift on implementation time (%)").value(data.get("bias_durations")).errors(errors).numeric().width(InputWidth::Chars5)))
            }
            (button("Save and appraise", ButtonKind::Primary))
        }))
        @if let Some(i) = index {
            @if body.case.options.len() > 1 {
                (form(&format!("{path}/remove"), &viewer.csrf, html! {
                    input type="hidden" name="version" value=(version);
                    input type="hidden" name="what" value="option";
                    input type="hidden" name="option" value=(i);
                    (button("Remove this option and its lines", ButtonKind::Warning))
                }))
            }
        }
    };
    render(
        state,
        viewer,
        Page::new(title).with_errors(errors).back_link(path),
        content,
    )
}

/// `GET /partnerships/{id}/business-cases/{reference}/option`.
pub async fn option_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    Query(query): Query<HashMap<String, String>>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let entry = load(&state, &viewer, id, record.reference).await?;
    let body = &entry.value;
    let index = option_index(&query, None).filter(|i| *i < body.case.options.len());
    let data = index.map_or_else(FormData::default, |i| option_data(&body.case.options[i]));
    Ok(option_page(
        &state,
        &viewer,
        id,
        &entry,
        index,
        &data,
        &Invalid::new(),
    ))
}

fn option_from_form(form: &FormData, mut o: OptionInput) -> Result<OptionInput, Invalid> {
    let mut invalid = Invalid::new();
    o.name = form.get("name").trim().to_owned();
    if o.name.is_empty() {
        invalid.push("name", "Enter the option’s name");
    }
    o.status_quo = form.get("status_quo") == "yes";
    o.implementation_years =
        number_field(form, "implementation_years", &mut invalid).unwrap_or(0.0);
    if o.implementation_years < 0.0 {
        invalid.push("implementation_years", "Enter years, zero or more");
    }
    let costs = percent_field(form, "bias_costs", &mut invalid);
    let durations = percent_field(form, "bias_durations", &mut invalid);
    o.optimism_bias = match (costs, durations) {
        (None, None) => None,
        (c, d) => Some(OptimismBias {
            costs: c.unwrap_or(0.0),
            durations: d.unwrap_or(0.0),
        }),
    };
    let draft = Draft {
        fields: ["slippage_low", "slippage_most_likely", "slippage_high"]
            .iter()
            .map(|n| ((*n).to_owned(), form.get(n).to_owned()))
            .collect(),
        split: std::collections::BTreeMap::new(),
    };
    // Slippage reads like a savings line's.
    let mut probe = draft.clone();
    probe.fields.insert("name".into(), "slippage".into());
    probe.fields.insert("kind".into(), "one_off".into());
    probe.fields.insert("most_likely".into(), "0".into());
    match probe.parse(LineType::Saving, &[], &|_| None) {
        Ok(Line::Saving(s)) => o.slippage = s.slippage,
        Ok(Line::Cost(_)) => {}
        Err(e) => invalid.extend(e),
    }
    if o.status_quo && !(o.costs.is_empty() && o.savings.is_empty()) {
        invalid.push(
            "status_quo",
            "Remove this option’s lines first: the status quo is the baseline and has none",
        );
    }
    invalid.into_result()?;
    Ok(o)
}

/// `POST /partnerships/{id}/business-cases/{reference}/option`.
pub async fn save_option(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    data: FormData,
) -> Result<Response, WebError> {
    let entry = load(&state, &viewer, id, record.reference).await?;
    let mut body = entry.value.clone();
    let index = option_index(&HashMap::new(), Some(&data)).filter(|i| *i < body.case.options.len());
    let existing = index.map_or_else(|| new_option("", false), |i| body.case.options[i].clone());
    let (status, errors) = match option_from_form(&data, existing) {
        Ok(o) => {
            match index {
                Some(i) => body.case.options[i] = o,
                None => body.case.options.push(o),
            }
            let at = index.unwrap_or(body.case.options.len() - 1);
            match save(&state, &viewer, &entry, body, entry.visibility, &data, "").await {
                Ok(saved) => {
                    return Ok(Redirect::to(&case_path(id, &saved.reference)).into_response());
                }
                Err(e) => {
                    let (status, mut e) = refusal(e)?;
                    let prefix = format!("case.options[{at}]");
                    for err in &mut e.errors {
                        if let Some(rest) = err.field.strip_prefix(&prefix) {
                            err.field = match rest {
                                ".name" => "name".into(),
                                "" => "status_quo".into(),
                                r if r.starts_with(".slippage") => "slippage_most_likely".into(),
                                r if r.starts_with(".optimism_bias") => "bias_costs".into(),
                                r if r.starts_with(".implementation_years") => {
                                    "implementation_years".into()
                                }
                                _ => err.field.clone(),
                            };
                        }
                    }
                    (status, e)
                }
            }
        }
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    let shown = if status == StatusCode::CONFLICT {
        let mut now = index.map_or_else(FormData::default, |i| {
            option_data(&entry.value.case.options[i])
        });
        now.set("version", &entry.version.to_string());
        now
    } else {
        data
    };
    Ok(with_status(
        status,
        option_page(&state, &viewer, id, &entry, index, &shown, &errors),
    ))
}

// ----- lines -----

fn line_type(text: &str) -> LineType {
    if text == "saving" {
        LineType::Saving
    } else {
        LineType::Cost
    }
}

fn draft_from_form(form: &FormData, councils: &[String]) -> Draft {
    let mut d = Draft::default();
    for c in &lines::COLUMNS[2..] {
        if *c != "split" {
            let v = form.get(c).trim();
            if !v.is_empty() {
                d.fields.insert((*c).to_owned(), v.to_owned());
            }
        }
    }
    let _ = councils;
    for (name, value) in form_pairs(form) {
        if let Some(code) = name.strip_prefix("split_") {
            d.split.insert(code.to_owned(), value);
        }
    }
    d
}

/// Every field of a form whose name starts with `split_`, so that a share for a council the
/// case does not include is seen and refused rather than dropped.
fn form_pairs(form: &FormData) -> Vec<(String, String)> {
    form.pairs()
        .iter()
        .filter(|(k, _)| k.starts_with("split_"))
        .cloned()
        .collect()
}

fn draft_data(d: &Draft, option: usize, t: LineType, line: Option<usize>) -> FormData {
    let mut pairs: Vec<(String, String)> = d
        .fields
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in &d.split {
        pairs.push((format!("split_{k}"), v.clone()));
    }
    pairs.push(("option".into(), option.to_string()));
    pairs.push(("type".into(), t.slug().into()));
    pairs.push((
        "line".into(),
        line.map(|l| l.to_string()).unwrap_or_default(),
    ));
    FormData::from_pairs(pairs)
}

#[allow(clippy::too_many_arguments)]
fn line_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    entry: &BusinessCaseEntry,
    names: &HashMap<String, String>,
    data: &FormData,
    errors: &Invalid,
) -> Markup {
    let body = &entry.value;
    let path = case_path(id, &entry.reference);
    let t = line_type(data.get("type"));
    let option = data.get("option").parse::<usize>().unwrap_or(0);
    let option_name = body
        .case
        .options
        .get(option)
        .map_or("", |o| o.name.as_str());
    let editing = !data.get("line").is_empty();
    let title = match (t, editing) {
        (LineType::Cost, false) => "Add a cost line",
        (LineType::Cost, true) => "Change a cost line",
        (LineType::Saving, false) => "Add a savings line",
        (LineType::Saving, true) => "Change a savings line",
    };
    let kinds = [
        Choice::new("one_off", "One-off"),
        Choice::new("recurring", "Recurring, every year"),
    ];
    let shapes = [
        Choice::new("triangular", "Triangular"),
        Choice::new("pert", "PERT (more weight on the most likely)"),
    ];
    let yes_no = [
        Choice::new("yes", "Cashable: cash taken out of budgets"),
        Choice::new("no", "Non-cashable: resilience, quality, time"),
    ];
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (body.case.name) ": " (option_name) }
        h1 class="govuk-heading-xl" { (title) }
        (form(&format!("{path}/line"), &viewer.csrf, html! {
            (version_field(data.get("version").parse().unwrap_or(entry.version)))
            input type="hidden" name="option" value=(data.get("option"));
            input type="hidden" name="type" value=(t.slug());
            input type="hidden" name="line" value=(data.get("line"));
            (text_input(&Field::new("name", "What it is").hint(if t == LineType::Cost { "For example, “Redundancy and implementation team”" } else { "For example, “Shared HR service centre”" }).value(data.get("name")).errors(errors)))
            @if t == LineType::Saving {
                (radios(&Field::new("cashable", "Cashable or not").value(if data.get("cashable").is_empty() { "yes" } else { data.get("cashable") }).errors(errors), &yes_no))
            }
            (radios(&Field::new("kind", "One-off or recurring").value(data.get("kind")).errors(errors), &kinds))
            fieldset class="govuk-fieldset" {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "Amount (£, real base-year prices)" }
                div class="govuk-hint" { "A year’s amount for a recurring line. Give the most likely alone for a single figure, or low, most likely and high for a range." }
                (text_input(&Field::new("low", "Low (optional)").value(data.get("low")).errors(errors).width(InputWidth::Chars10)))
                (text_input(&Field::new("most_likely", "Most likely").value(data.get("most_likely")).errors(errors).width(InputWidth::Chars10)))
                (text_input(&Field::new("high", "High (optional)").value(data.get("high")).errors(errors).width(InputWidth::Chars10)))
                (radios(&Field::new("distribution", "For a range, the distribution").value(if data.get("distribution").is_empty() { "triangular" } else { data.get("distribution") }).errors(errors), &shapes))
            }
            @if t == LineType::Cost {
                (text_input(&Field::new("year", "One-off: the year it falls in").hint("Year 0 is the base year; 0 when blank").value(data.get("year")).errors(errors).numeric().width(InputWidth::Chars4)))
                (text_input(&Field::new("start", "Recurring: the first year").hint("1 when blank").value(data.get("start")).errors(errors).numeric().width(InputWidth::Chars4)))
                (text_input(&Field::new("end_year", "Recurring: the last year (optional)").hint("The appraisal’s last year when blank").value(data.get("end_year")).errors(errors).numeric().width(InputWidth::Chars4)))
                (text_input(&Field::new("optimism_bias", "This line’s optimism bias (%, optional)").hint("Replaces the option’s uplift on costs, e.g. 200 for the capital cost of an IT development").value(data.get("optimism_bias")).errors(errors).numeric().width(InputWidth::Chars5)))
            } @else {
                (text_input(&Field::new("start", "When it starts (optional)").hint("A year number (1 when blank), a financial year like 2013/14, or a date like 2013-10-01").value(data.get("start")).errors(errors).width(InputWidth::Chars10)))
                (text_input(&Field::new("end_year", "Recurring: the last year (optional)").value(data.get("end_year")).errors(errors).numeric().width(InputWidth::Chars4)))
                (text_input(&Field::new("ramp_up", "Ramp-up (optional)").hint("The share of the full saving in the first years, like 50%; 75%").value(data.get("ramp_up")).errors(errors).width(InputWidth::Chars20)))
                fieldset class="govuk-fieldset" {
                    legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "This line’s own go-live slippage in years (optional)" }
                    (text_input(&Field::new("slippage_low", "Low").value(data.get("slippage_low")).errors(errors).numeric().width(InputWidth::Chars5)))
                    (text_input(&Field::new("slippage_most_likely", "Most likely").value(data.get("slippage_most_likely")).errors(errors).numeric().width(InputWidth::Chars5)))
                    (text_input(&Field::new("slippage_high", "High").value(data.get("slippage_high")).errors(errors).numeric().width(InputWidth::Chars5)))
                }
            }
            div class=(if errors.message_for("split").is_some() { "govuk-form-group govuk-form-group--error" } else { "govuk-form-group" }) id="split" {
                fieldset class="govuk-fieldset" {
                    legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "Each council’s share (%, optional)" }
                    div class="govuk-hint" { "Leave all blank for equal shares" }
                    @if let Some(m) = errors.message_for("split") { (crate::components::error_message("split-error", m)) }
                    @for c in &body.case.councils {
                        @let field = format!("split_{c}");
                        (text_input(&Field::new(&field, name_of(names, c)).value(data.get(&field)).errors(errors).numeric().width(InputWidth::Chars5)))
                    }
                }
            }
            div class="govuk-button-group" {
                button type="submit" name="then" value="show" class="govuk-button" data-module="govuk-button" { "Save and appraise" }
                button type="submit" name="then" value="another" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Save and add another line" }
            }
        }))
    };
    render(
        state,
        viewer,
        Page::new(title).with_errors(errors).back_link(path),
        content,
    )
}

/// `GET /partnerships/{id}/business-cases/{reference}/line?option=1&type=cost&line=0`.
pub async fn line_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    Query(query): Query<HashMap<String, String>>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let entry = load(&state, &viewer, id, record.reference).await?;
    let body = &entry.value;
    let names = names_of_case(&state, body).await?;
    let default_option = body
        .case
        .options
        .iter()
        .position(|o| !o.status_quo)
        .unwrap_or(0);
    let option = option_index(&query, None)
        .filter(|i| *i < body.case.options.len())
        .unwrap_or(default_option);
    let t = line_type(query.get("type").map_or("", String::as_str));
    let line = query.get("line").and_then(|l| l.parse::<usize>().ok());
    let o = body.case.options.get(option);
    let existing = match (o, t, line) {
        (Some(o), LineType::Cost, Some(l)) => o.costs.get(l).cloned().map(Line::Cost),
        (Some(o), LineType::Saving, Some(l)) => o.savings.get(l).cloned().map(Line::Saving),
        _ => None,
    };
    let draft = existing.as_ref().map(Draft::of).unwrap_or_default();
    let data = draft_data(&draft, option, t, existing.as_ref().and(line));
    Ok(line_page(
        &state,
        &viewer,
        id,
        &entry,
        &names,
        &data,
        &Invalid::new(),
    ))
}

async fn names_of_case(
    state: &AppState,
    body: &BusinessCaseBody,
) -> Result<HashMap<String, String>, WebError> {
    let codes: Vec<GssCode> = body
        .case
        .councils
        .iter()
        .filter_map(|c| GssCode::parse("c", c).ok())
        .collect();
    council_names(state, &codes).await
}

/// `POST /partnerships/{id}/business-cases/{reference}/line`.
pub async fn save_line(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    data: FormData,
) -> Result<Response, WebError> {
    let entry = load(&state, &viewer, id, record.reference).await?;
    let original = &entry.value;
    let names = names_of_case(&state, original).await?;
    let t = line_type(data.get("type"));
    let draft = draft_from_form(&data, &original.case.councils);
    let option = data.get("option").trim().parse::<usize>().ok();
    let at = data.get("line").trim().parse::<usize>().ok();
    let resolve = |t: &str| GssCode::parse("council", t).ok();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let mut errors = Invalid::new();
    match option.filter(|o| original.case.options.get(*o).is_some_and(|o| !o.status_quo)) {
        None => errors.push(
            "option",
            "Choose an option other than the status quo: it has no lines",
        ),
        Some(option) => match draft.parse(t, &original.case.councils, &resolve) {
            Err(e) => errors = e,
            Ok(line) => {
                let mut body = original.clone();
                let place = lines::put(&mut body.case, option, line, at)?;
                match save(&state, &viewer, &entry, body, entry.visibility, &data, "").await {
                    Ok(saved) => {
                        let next = if data.get("then") == "another" {
                            format!(
                                "{}/line?option={option}&type={}",
                                case_path(id, &saved.reference),
                                t.slug()
                            )
                        } else {
                            case_path(id, &saved.reference)
                        };
                        return Ok(Redirect::to(&next).into_response());
                    }
                    Err(e) => {
                        let (refused_with, mut e) = refusal(e)?;
                        for err in &mut e.errors {
                            if let Some(f) = lines::field_for(&err.field, place, &draft) {
                                err.field = f;
                            }
                        }
                        status = refused_with;
                        errors = e;
                    }
                }
            }
        },
    }
    let mut shown = data;
    if status == StatusCode::CONFLICT {
        // What was typed stays; the form now carries the version the case is at.
        shown.set("version", &entry.version.to_string());
    }
    Ok(with_status(
        status,
        line_page(&state, &viewer, id, &entry, &names, &shown, &errors),
    ))
}

/// `POST /partnerships/{id}/business-cases/{reference}/remove`: removes an option or a line.
pub async fn remove(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    data: FormData,
) -> Result<Response, WebError> {
    let entry = load(&state, &viewer, id, record.reference).await?;
    let mut body = entry.value.clone();
    let option = data
        .get("option")
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|o| *o < body.case.options.len());
    let line = data.get("line").trim().parse::<usize>().ok();
    let Some(o) = option else {
        return Err(Invalid::field("option", "Choose what to remove").into());
    };
    let removed = match (data.get("what"), line) {
        ("option", _) if body.case.options.len() > 1 => {
            body.case.options.remove(o);
            true
        }
        ("option", _) => {
            return Err(
                Invalid::field("option", "A business case needs at least one option").into(),
            );
        }
        ("cost", Some(l)) if l < body.case.options[o].costs.len() => {
            body.case.options[o].costs.remove(l);
            true
        }
        ("saving", Some(l)) if l < body.case.options[o].savings.len() => {
            body.case.options[o].savings.remove(l);
            true
        }
        _ => false,
    };
    if !removed {
        return Err(Invalid::field("line", "There is no such line").into());
    }
    match save(&state, &viewer, &entry, body, entry.visibility, &data, "").await {
        Ok(saved) => Ok(Redirect::to(&case_path(id, &saved.reference)).into_response()),
        Err(e) => {
            let (status, errors) = for_details(e)?;
            let ctx = context(&state, &viewer, id).await?;
            Ok(with_status(
                status,
                case_page(&state, &viewer, &ctx, &entry, &errors).await?,
            ))
        }
    }
}

// ----- files of lines -----

/// The lines of a case as rows of [`lines::COLUMNS`].
fn rows(case: &BusinessCase) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for o in &case.options {
        for c in &o.costs {
            let mut row = vec![o.name.clone(), "cost".to_owned()];
            row.extend(Draft::of(&Line::Cost(c.clone())).cells());
            out.push(row);
        }
        for s in &o.savings {
            let mut row = vec![o.name.clone(), "saving".to_owned()];
            row.extend(Draft::of(&Line::Saving(s.clone())).cells());
            out.push(row);
        }
    }
    out
}

/// `GET …/lines.csv`.
pub async fn export_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Response, WebError> {
    let body = load(&state, &viewer, id, record.reference).await?.value;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(lines::COLUMNS)
        .map_err(|e| WebError::Internal(e.into()))?;
    for row in rows(&body.case) {
        w.write_record(&row)
            .map_err(|e| WebError::Internal(e.into()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| WebError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(super::download(
        bytes,
        super::CSV,
        &format!("{}-lines.csv", super::file_stem(&body.case.name)),
    ))
}

/// `GET …/lines.xlsx`.
pub async fn export_xlsx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Response, WebError> {
    use rust_xlsxwriter::{Format, Workbook};
    let internal = |e: rust_xlsxwriter::XlsxError| WebError::Internal(e.into());
    let body = load(&state, &viewer, id, record.reference).await?.value;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Lines").map_err(internal)?;
    let bold = Format::new().set_bold();
    for (c, name) in lines::COLUMNS.iter().enumerate() {
        sheet
            .write_string_with_format(0, u16::try_from(c).unwrap_or_default(), *name, &bold)
            .map_err(internal)?;
    }
    for (r, row) in rows(&body.case).iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet
                    .write_string(r, u16::try_from(c).unwrap_or_default(), cell)
                    .map_err(internal)?;
            }
        }
    }
    sheet.autofit();
    let bytes = book.save_to_buffer().map_err(internal)?;
    Ok(super::download(
        bytes,
        super::XLSX,
        &format!("{}-lines.xlsx", super::file_stem(&body.case.name)),
    ))
}

/// `GET …/case.json`: the case as `accord appraise` reads it.
pub async fn case_json(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Response, WebError> {
    let body = load(&state, &viewer, id, record.reference).await?.value;
    let bytes = serde_json::to_vec_pretty(&body.case).map_err(|e| WebError::Internal(e.into()))?;
    Ok(super::download(
        bytes,
        "application/json",
        &format!("{}.json", super::file_stem(&body.case.name)),
    ))
}

fn import_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    entry: &BusinessCaseEntry,
    errors: &Invalid,
) -> Markup {
    let body = &entry.value;
    let path = case_path(id, &entry.reference);
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (body.case.name) }
        h1 class="govuk-heading-xl" { "Import cost and savings lines" }
        p class="govuk-body" {
            "Upload a CSV file or an XLSX workbook with a header row. Its lines replace every line of the options it names; "
            "an option it names that the case does not have is added. Nothing changes unless every line is right."
        }
        p class="govuk-body" { "The columns (the same as the download’s):" }
        ul class="govuk-list govuk-list--bullet" {
            li { code { "option" } ", " code { "type" } " (cost or saving), " code { "name" } ", " code { "kind" } " (one_off or recurring)" }
            li { code { "low" } ", " code { "most_likely" } ", " code { "high" } " in pounds, and " code { "distribution" } " (triangular or pert)" }
            li { code { "year" } " (a one-off cost’s year), " code { "start" } ", " code { "end_year" } ", " code { "ramp_up" } " (like 50%; 75%), " code { "cashable" } " (yes or no)" }
            li { code { "optimism_bias" } " (%), " code { "slippage_low" } ", " code { "slippage_most_likely" } ", " code { "slippage_high" } " (years), " code { "split" } " (like E09000014=60%; E09000031=40%)" }
        }
        p class="govuk-body" { a class="govuk-link" href=(format!("{path}/lines.csv")) { "Download the current lines as CSV" } " to start from." }
        (upload_form(&format!("{path}/import"), &viewer.csrf, html! {
            (version_field(entry.version))
            div class=(if errors.message_for("file").is_some() { "govuk-form-group govuk-form-group--error" } else { "govuk-form-group" }) {
                label class="govuk-label" for="file" { "File of lines" }
                @if let Some(m) = errors.message_for("file") { (crate::components::error_message("file-error", m)) }
                input class="govuk-file-upload" id="file" name="file" type="file" accept=".csv,.xlsx";
            }
            (button("Import the lines", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        Page::new("Import cost and savings lines")
            .with_errors(errors)
            .back_link(path),
        content,
    )
}

/// `GET …/import`.
pub async fn import_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let entry = load(&state, &viewer, id, record.reference).await?;
    Ok(import_page(&state, &viewer, id, &entry, &Invalid::new()))
}

/// Applies a file of lines to a case: every problem with its line. Returns where each file
/// line went, to name file lines in the engine's refusals.
pub fn apply_file(
    case: &mut BusinessCase,
    bytes: &[u8],
    resolve: &dyn Fn(&str) -> Option<GssCode>,
) -> Result<Vec<(u64, lines::Place, Draft)>, Invalid> {
    let rows = accord_app::finance::files::read_file(bytes)?;
    let mut invalid = Invalid::new();
    if rows.is_empty() {
        invalid.push("file", "has no lines under its header row");
    }
    let mut parsed = Vec::new();
    for (line, cells) in &rows {
        let mut here = Invalid::new();
        let option = cells.get("option").map_or("", |s| s.trim());
        if option.is_empty() {
            here.push("option", "Name the option the line belongs to");
        }
        let t = here.check(LineType::parse(
            "type",
            cells.get("type").map_or("", String::as_str),
        ));
        let draft = here.check(Draft::from_cells(cells));
        if let (Some(t), Some(draft)) = (t, draft) {
            match draft.parse(t, &case.councils, resolve) {
                Ok(l) => parsed.push((*line, option.to_owned(), l, draft)),
                Err(e) => here.extend(e),
            }
        }
        invalid.extend(here.at_line(*line));
    }
    std::mem::take(&mut invalid).into_result()?;
    let named: Vec<String> = parsed.iter().map(|(_, o, _, _)| o.clone()).collect();
    for o in &mut case.options {
        if named.contains(&o.name) {
            if o.status_quo {
                invalid.push(
                    "option",
                    format!("“{}” is the status quo, which has no lines", o.name),
                );
            }
            o.costs.clear();
            o.savings.clear();
        }
    }
    invalid.into_result()?;
    let mut places = Vec::new();
    for (line, option, l, draft) in parsed {
        let index = match case.options.iter().position(|o| o.name == option) {
            Some(i) => i,
            None => {
                case.options.push(new_option(&option, false));
                case.options.len() - 1
            }
        };
        let place = lines::put(case, index, l, None)?;
        places.push((line, place, draft));
    }
    Ok(places)
}

/// `POST …/import`.
pub async fn import(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    upload: super::Upload,
) -> Result<Response, WebError> {
    let entry = load(&state, &viewer, id, record.reference).await?;
    let Some((_, bytes)) = upload.file else {
        let errors = Invalid::field("file", "Choose a CSV or XLSX file of lines");
        return Ok(refused(import_page(&state, &viewer, id, &entry, &errors)));
    };
    let ctx = context(&state, &viewer, id).await?;
    let resolve = accord_app::finance::council_resolver(&state.app, &ctx.members).await?;
    let mut body = entry.value.clone();
    let (status, errors) = match apply_file(&mut body.case, &bytes, &resolve) {
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, e),
        Ok(places) => match save(
            &state,
            &viewer,
            &entry,
            body,
            entry.visibility,
            &upload.form,
            "lines imported from a file",
        )
        .await
        {
            Ok(saved) => return Ok(Redirect::to(&case_path(id, &saved.reference)).into_response()),
            Err(e) => {
                let (status, e) = refusal(e)?;
                let mut named = Invalid::new();
                for err in e.errors {
                    let found = places.iter().find_map(|(line, place, draft)| {
                        lines::field_for(&err.field, *place, draft).map(|f| (*line, f))
                    });
                    match found {
                        Some((line, field)) => {
                            named.extend(Invalid::field(field, err.message).at_line(line));
                        }
                        None => named.push(err.field, err.message),
                    }
                }
                (status, named)
            }
        },
    };
    Ok(with_status(
        status,
        import_page(&state, &viewer, id, &entry, &errors),
    ))
}

// ----- deleting -----

/// `GET …/delete`.
pub async fn delete_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let entry = load(&state, &viewer, id, record.reference).await?;
    Ok(delete_page(&state, &viewer, id, &entry, &Invalid::new()))
}

fn delete_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    entry: &BusinessCaseEntry,
    errors: &Invalid,
) -> Markup {
    let path = case_path(id, &entry.reference);
    render(
        state,
        viewer,
        Page::new("Delete this business case")
            .back_link(path.clone())
            .with_errors(errors),
        html! {
            (error_summary(errors))
            span class="govuk-caption-l" { (entry.value.case.name) }
            h1 class="govuk-heading-xl" { "Delete this business case?" }
            p class="govuk-body" { "The case and its appraisal will be deleted. The audit trail keeps a copy." }
            (form(&format!("{path}/delete"), &viewer.csrf, html! {
                (version_field(entry.version))
                input type="hidden" name="confirm" value="yes";
                (button("Delete the business case", ButtonKind::Warning))
            }))
        },
    )
}

/// `POST …/delete`.
pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    data: FormData,
) -> Result<Response, WebError> {
    super::confirmed(&data)?;
    let entry = load(&state, &viewer, id, record.reference).await?;
    let result = match form_version(&data) {
        Ok(version) => {
            cases::delete(&state.app, &viewer.caller(), id, &entry.reference, version).await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&base(id)).into_response()),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            Ok(with_status(
                status,
                delete_page(&state, &viewer, id, &entry, &errors),
            ))
        }
    }
}
