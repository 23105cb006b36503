//! The partnership's criteria sets — its compatibility criteria and gateway rule, versioned:
//! the current set, the earlier ones (every assessment keeps the set it used), and the form
//! that publishes the next one, through the use cases of `accord_app::gateway::criteria_sets`.

use accord_app::AppError;
use accord_app::gateway::criteria_sets as use_case;
use accord_domain::Invalid;
use accord_domain::gateway::{Combination, CriteriaSet, CriterionInput, RuleInput};
use accord_domain::mou::long_date;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::assessment::rule_in_words;
use super::base;
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Choice, Column, Field, InputWidth, Table, button, button_link, checkboxes, details,
    error_summary, form, radios, table, text_input, textarea,
};
use crate::error::WebError;
use crate::forms::{FormData, refused};
use crate::layout::Page;
use crate::pages::common::{may, render};

/// Blank rows the form offers for new criteria.
const NEW_ROWS: usize = 3;

fn version_table(version: &CriteriaSet) -> Markup {
    let mut t = Table::new(
        format!("Criteria, version {}", version.version()),
        vec![
            Column::text("Criterion"),
            Column::numeric("Weight"),
            Column::text("Critical"),
        ],
    );
    for c in &version.criteria.criteria {
        t = t.row(vec![
            html! { (c.name) },
            html! { (c.weight) },
            html! { @if c.critical { "Yes: a Red fails the gateway" } @else { "No" } },
        ]);
    }
    html! {
        (table(&t.row_headers()))
        h3 class="govuk-heading-s" { "The rule" }
        ul class="govuk-list govuk-list--bullet" { @for line in rule_in_words(version) { li { (line) } } }
        p class="govuk-body-s" {
            @match version.on {
                Some(on) => { "Adopted on " (long_date(on)) @if !version.by.is_empty() { " by " (version.by) } "." },
                None => "Accord’s defaults: the eleven criteria of the report (7.2.1), equally weighted.",
            }
            @if !version.note.is_empty() { " " (version.note) }
        }
    }
}

/// `GET /partnerships/{id}/criteria`.
pub async fn criteria(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let sets = use_case::criteria_sets(&state.app, &viewer.caller(), id).await?;
    let partnership = &sets.partnership;
    let versions = &sets.sets;
    let today = state.today();
    let current = sets.current();
    let editor = may(&viewer, accord_domain::access::Area::Partnership, id, today);
    let content = html! {
        span class="govuk-caption-l" { (partnership.name) }
        h1 class="govuk-heading-xl" { "Compatibility criteria" }
        p class="govuk-body" {
            "Each opportunity is rated Red, Amber or Green against these criteria by every council that assesses it. "
            "Changing a criterion, a weight, a critical flag or the rule makes a new version: an assessment keeps the version it used."
        }
        h2 class="govuk-heading-l" { "Current: version " (current.version()) }
        (version_table(&current))
        @if editor {
            (button_link("Make a new version", &format!("/partnerships/{id}/criteria/new"), ButtonKind::Secondary))
        }
        @if versions.len() > 1 {
            h2 class="govuk-heading-l" { "Earlier versions" }
            @for v in versions.iter().rev().skip(1) {
                (details(&format!("Version {}", v.version()), version_table(v)))
            }
        }
        p class="govuk-body" { a class="govuk-link" href=(base(id)) { "The opportunities" } }
    };
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("Compatibility criteria – {}", partnership.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(partnership.name.clone(), format!("/partnerships/{id}"))
            .section("/"),
        content,
    ))
}

fn form_data_of(version: &CriteriaSet) -> FormData {
    let mut data = FormData::default();
    for (i, c) in version.criteria.criteria.iter().enumerate() {
        data.set(&format!("criteria[{i}].name"), &c.name);
        data.set(&format!("criteria[{i}].weight"), &c.weight.to_string());
        if c.critical {
            data.set(&format!("criteria[{i}].critical"), "yes");
        }
    }
    data.set("rule.combination", version.rule.combination.slug());
    data.set(
        "rule.critical_red_fails",
        if version.rule.critical_red_fails {
            "yes"
        } else {
            "no"
        },
    );
    data.set("rule.threshold", &version.rule.threshold.to_string());
    data.set(
        "rule.max_ambers",
        &version
            .rule
            .max_ambers
            .map(|n| n.to_string())
            .unwrap_or_default(),
    );
    data
}

fn rows_of(form: &FormData) -> usize {
    (0..100)
        .take_while(|i| {
            !form.get(&format!("criteria[{i}].name")).is_empty()
                || !form.get(&format!("criteria[{i}].weight")).is_empty()
                || *i < 11
        })
        .count()
}

fn form_page(
    state: &AppState,
    viewer: &Viewer,
    name: &str,
    id: i64,
    current: &CriteriaSet,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let rows = rows_of(form_data).max(current.criteria.criteria.len()) + NEW_ROWS;
    let labels: Vec<(String, String, String, String)> = (0..rows)
        .map(|i| {
            (
                format!("criteria[{i}].name"),
                format!("criteria[{i}].weight"),
                format!("criteria[{i}].critical"),
                format!("Criterion {}", i + 1),
            )
        })
        .collect();
    let combinations: Vec<Choice> = Combination::ALL
        .iter()
        .map(|c| Choice::new(c.slug(), c.label()))
        .collect();
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (name) }
        h1 class="govuk-heading-xl" { "Make version " (current.version() + 1) " of the criteria" }
        p class="govuk-body" { "Clear a criterion’s name to remove it; fill in a blank row to add one. Weights are relative, from 0 to 1,000; at least one must be above 0." }
        (form(&format!("/partnerships/{id}/criteria"), &viewer.csrf, html! {
            @for (name_field, weight_field, critical_field, legend) in &labels {
                fieldset class="govuk-fieldset accord-criterion-row" {
                    legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { (legend) }
                    (text_input(&Field::new(name_field, "Name").value(form_data.get(name_field)).errors(errors)))
                    (text_input(&Field::new(weight_field, "Weight").value(form_data.get(weight_field)).errors(errors).width(InputWidth::Chars5)))
                    (checkboxes(&Field::new(critical_field, "Critical").errors(errors), &[Choice::new("yes", "A Red on it fails the gateway")], &[form_data.get(critical_field)]))
                }
            }
            h2 class="govuk-heading-m" { "The rule" }
            (radios(&Field::new("rule.combination", "How the councils’ ratings of a criterion combine").value(form_data.get("rule.combination")).errors(errors), &combinations))
            (radios(&Field::new("rule.critical_red_fails", "Does a Red on a critical criterion fail the gateway?").value(form_data.get("rule.critical_red_fails")).errors(errors), &[Choice::new("yes", "Yes"), Choice::new("no", "No")]))
            (text_input(&Field::new("rule.threshold", "Lowest weighted score that passes").hint("From 0 to 1: Green counts 1, Amber 0.5, Red 0").value(form_data.get("rule.threshold")).errors(errors).width(InputWidth::Chars5)))
            (text_input(&Field::new("rule.max_ambers", "Most criteria that may be below Green").hint("Leave blank for no limit").value(form_data.get("rule.max_ambers")).errors(errors).width(InputWidth::Chars3).numeric()))
            (textarea(&Field::new("note", "What changed and why").value(form_data.get("note")).errors(errors).rows(3)))
            (button("Make the new version", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        Page::new("Make a new version of the criteria")
            .with_errors(errors)
            .back_link(format!("/partnerships/{id}/criteria"))
            .section("/"),
        content,
    )
}

/// `GET /partnerships/{id}/criteria/new`.
pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let sets = use_case::criteria_sets(&state.app, &viewer.caller(), id).await?;
    let current = sets.current();
    Ok(form_page(
        &state,
        &viewer,
        &sets.partnership.name,
        id,
        &current,
        &form_data_of(&current),
        &Invalid::new(),
    ))
}

fn number(field: &str, text: &str, invalid: &mut Invalid) -> Option<f64> {
    match text.trim().parse::<f64>() {
        Ok(n) if n.is_finite() => Some(n),
        _ => {
            invalid.push(
                field,
                format!(
                    "Enter the {} as a number",
                    if field.ends_with("weight") {
                        "weight"
                    } else {
                        "threshold"
                    }
                ),
            );
            None
        }
    }
}

/// `POST /partnerships/{id}/criteria`.
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    form_data: FormData,
) -> Result<Response, WebError> {
    let sets = use_case::criteria_sets(&state.app, &viewer.caller(), id).await?;
    let current = sets.current();
    let mut invalid = Invalid::new();
    let mut inputs = Vec::new();
    let mut positions = Vec::new();
    for i in 0..100 {
        let name = form_data.get(&format!("criteria[{i}].name"));
        let weight = form_data.get(&format!("criteria[{i}].weight"));
        if name.trim().is_empty() && weight.trim().is_empty() {
            continue;
        }
        let field = format!("criteria[{i}].weight");
        let weight = number(&field, weight, &mut invalid).unwrap_or(0.0);
        inputs.push(CriterionInput {
            name: name.to_owned(),
            weight,
            critical: form_data.get(&format!("criteria[{i}].critical")) == "yes",
        });
        positions.push(i);
    }
    let threshold = match form_data.get("rule.threshold").trim() {
        "" => None,
        t => number("rule.threshold", t, &mut invalid),
    };
    let max_ambers = match form_data.get("rule.max_ambers").trim() {
        "" => Some(None),
        t => match t.parse::<i64>() {
            Ok(n) => Some(Some(n)),
            Err(_) => {
                invalid.push(
                    "rule.max_ambers",
                    "Enter a whole number of criteria, or leave it blank for no limit",
                );
                None
            }
        },
    };
    let rule = RuleInput {
        combination: Some(form_data.get("rule.combination").to_owned()).filter(|c| !c.is_empty()),
        critical_red_fails: Some(form_data.get("rule.critical_red_fails") != "no"),
        threshold,
        max_ambers,
    };
    if invalid.is_empty() {
        match use_case::publish(
            &state.app,
            &viewer.caller(),
            id,
            &inputs,
            &rule,
            form_data.get("note"),
        )
        .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/partnerships/{id}/criteria")).into_response());
            }
            Err(AppError::Invalid(e)) => {
                // The domain numbers the criteria it was given; the form numbers its rows.
                for error in e.errors {
                    let field = error
                        .field
                        .strip_prefix("criteria[")
                        .and_then(|rest| rest.split_once("]."))
                        .and_then(|(j, name)| {
                            let j: usize = j.parse().ok()?;
                            positions.get(j).map(|i| format!("criteria[{i}].{name}"))
                        })
                        .unwrap_or(error.field);
                    invalid.push(field, error.message);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(refused(form_page(
        &state,
        &viewer,
        &sets.partnership.name,
        id,
        &current,
        &form_data,
        &invalid,
    )))
}
