//! `/components`: every component of the shell on one page, with a working example form.
//!
//! The page is a reference for people building pages and the target of the accessibility
//! check: if a component breaks WCAG 2.2 AA, the browser test fails here.

use accord_domain::Invalid;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    Banner, ButtonKind, Choice, Column, Field, InputWidth, Rag, SummaryRow, Table, TagColour,
    back_link, button, button_link, checkboxes, date_input, details, error_summary, form,
    inset_text, notification_banner, pagination, panel, radios, rag, select, start_button,
    summary_list, table, tag, text_input, textarea,
};
use crate::forms::{FormData, refused};
use crate::layout::Page;

const ROLES: [(&str, &str, Option<&str>); 3] = [
    (
        "lead",
        "Lead council",
        Some("Leads the partnership and chairs its boards"),
    ),
    ("host", "Host council", Some("Employs the shared team")),
    ("partner", "Partner council", None),
];

const SERVICES: [(&str, &str); 4] = [
    ("legal", "Legal services"),
    ("hr", "Human resources"),
    ("procurement", "Procurement"),
    ("revenues", "Revenues and benefits"),
];

const COUNCIL_TYPES: [(&str, &str); 4] = [
    ("", "Choose a type"),
    ("london-borough", "London borough"),
    ("county", "County council"),
    ("unitary", "Unitary authority"),
];

/// The query of `GET /components`.
#[derive(Debug, Deserialize)]
pub struct ComponentsQuery {
    /// Set after the example form was accepted.
    submitted: Option<String>,
}

/// `GET /components`.
pub async fn components(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ComponentsQuery>,
) -> Markup {
    render(
        &state,
        &viewer,
        &FormData::default(),
        &Invalid::new(),
        query.submitted.is_some(),
    )
}

/// `POST /components`: checks the example form; shows it again with its errors, or goes back
/// to the page with a success banner. Nothing is stored.
pub async fn components_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    form: FormData,
) -> Response {
    let errors = check(&form);
    if errors.is_empty() {
        Redirect::to("/components?submitted=yes#example-form").into_response()
    } else {
        refused(render(&state, &viewer, &form, &errors, false))
    }
}

fn check(form: &FormData) -> Invalid {
    let mut errors = Invalid::new();
    if form.get("name").trim().is_empty() {
        errors.push("name", "Enter the partnership’s name");
    }
    if !COUNCIL_TYPES
        .iter()
        .any(|(value, _)| !value.is_empty() && *value == form.get("council_type"))
    {
        errors.push("council_type", "Choose the type of council");
    }
    if !ROLES.iter().any(|(value, _, _)| *value == form.get("role")) {
        errors.push("role", "Choose the council’s role");
    }
    if form.all("services").is_empty() {
        errors.push("services", "Choose at least one service");
    }
    errors.check(
        form.date("joined")
            .parse("joined", "the date the council joined"),
    );
    errors
}

fn render(
    state: &AppState,
    viewer: &Viewer,
    values: &FormData,
    errors: &Invalid,
    submitted: bool,
) -> Markup {
    let roles: Vec<Choice<'_>> = ROLES
        .iter()
        .map(|(value, text, hint)| {
            let choice = Choice::new(value, text);
            match hint {
                Some(hint) => choice.hint(hint),
                None => choice,
            }
        })
        .collect();
    let services: Vec<Choice<'_>> = SERVICES
        .iter()
        .map(|(value, text)| Choice::new(value, text))
        .collect();
    let council_types: Vec<Choice<'_>> = COUNCIL_TYPES
        .iter()
        .map(|(value, text)| Choice::new(value, text))
        .collect();
    let page = Page::new("Components")
        .breadcrumb("Home", "/")
        .with_errors(errors);
    super::common::render(
        state,
        viewer,
        page,
        html! {
            (error_summary(errors))
            @if submitted {
                (notification_banner(Banner::Success, "The example form was accepted", html! {
                    p class="govuk-body" { "Nothing was stored: this form only shows how forms behave." }
                }))
            }
            h1 class="govuk-heading-xl" { "Components" }
            p class="govuk-body-l" { "Every component Accord’s pages are built from, as they look and behave." }

            h2 class="govuk-heading-l" id="example-form" { "Example form" }
            p class="govuk-body" {
                "Submit it empty to see how a refused form is shown again: an error summary at the top, "
                "each message beside its field, and “Error:” before the page title."
            }
            (form("/components", &viewer.csrf, html! {
                (text_input(&Field::new("name", "Partnership name")
                    .hint("As it appears on the memorandum of understanding")
                    .value(values.get("name"))
                    .errors(errors)))
                (textarea(&Field::new("description", "Description (optional)")
                    .value(values.get("description"))
                    .errors(errors)))
                (select(&Field::new("council_type", "Type of council")
                    .value(values.get("council_type"))
                    .errors(errors), &council_types))
                (radios(&Field::new("role", "The council’s role")
                    .value(values.get("role"))
                    .errors(errors), &roles))
                (checkboxes(&Field::new("services", "Services to share")
                    .hint("Select all that apply")
                    .errors(errors), &services, &values.all("services")))
                (date_input(&Field::new("joined", "Date the council joined")
                    .hint("For example, 21 12 2010")
                    .errors(errors), &values.date("joined")))
                (text_input(&Field::new("saving", "Expected yearly saving, in pounds (optional)")
                    .value(values.get("saving"))
                    .width(InputWidth::Chars10)
                    .numeric()
                    .errors(errors)))
                div class="govuk-button-group" {
                    (button("Check the form", ButtonKind::Primary))
                    (button_link("Cancel", "/components", ButtonKind::Secondary))
                }
            }))

            h2 class="govuk-heading-l" { "Buttons and links" }
            (start_button("Start now", "/components"))
            div class="govuk-button-group" {
                (button_link("Secondary action", "/components", ButtonKind::Secondary))
                (button_link("Delete", "/components", ButtonKind::Warning))
            }
            (back_link("/"))

            h2 class="govuk-heading-l" { "Summary list" }
            (summary_list(&[
                SummaryRow::new("Councils", html! { "London Borough of Haringey and London Borough of Waltham Forest" })
                    .action("Change", "/components", "councils"),
                SummaryRow::new("MOU ends", html! { "22 May 2014, at the local elections" }),
                SummaryRow::new("Status", tag("Active", TagColour::Green)),
            ]))

            h2 class="govuk-heading-l" { "Tables" }
            (table(&Table::new("Illustrative savings by financial year", vec![
                    Column::text("Financial year"), Column::numeric("Saving"), Column::numeric("Cost"),
                ])
                .row(vec![html! { "2011/12" }, html! { "£100,000.00" }, html! { "£20,000.00" }])
                .row(vec![html! { "2012/13" }, html! { "£150,000.00" }, html! { "£5,000.00" }])
                .row_headers()))
            (table(&Table::new("Illustrative RAG matrix (scrolls sideways on narrow screens)", vec![
                    Column::text("Service"), Column::text("Strategic fit"), Column::text("IT compatibility"),
                    Column::text("Business processes"), Column::text("Staffing arrangements"),
                    Column::text("Cost sharing"), Column::text("Risk"), Column::text("Delivery timescales"),
                ])
                .row(vec![html! { "Legal services" }, rag(Rag::Green), rag(Rag::Amber), rag(Rag::Green),
                    rag(Rag::Red), rag(Rag::Green), rag(Rag::Amber), rag(Rag::Green)])
                .row(vec![html! { "Procurement" }, rag(Rag::Amber), rag(Rag::AmberGreen), rag(Rag::AmberRed),
                    rag(Rag::Blue), rag(Rag::Red), rag(Rag::Green), rag(Rag::Amber)])
                .row_headers()
                .scrollable()))

            h2 class="govuk-heading-l" { "Tags" }
            p class="govuk-body" {
                (tag("Draft", TagColour::Grey)) " " (tag("Agreed", TagColour::Green)) " "
                (tag("Embargoed", TagColour::Purple)) " " (tag("Overdue", TagColour::Red)) " "
                (tag("Due soon", TagColour::Yellow)) " " (tag("Beta", TagColour::Default))
            }

            h2 class="govuk-heading-l" { "Notification banner" }
            (notification_banner(Banner::Important, "The MOU is due for its quarterly review", html! {
                p class="govuk-body" { "The senior stakeholder board reviews it every quarter." }
            }))

            h2 class="govuk-heading-l" { "Inset text and details" }
            (inset_text(html! { "The MOU is not legally binding." }))
            (details("What does preferred partner mean?", html! {
                "A service assessed as suitable for sharing is offered to the preferred partner first."
            }))

            h2 class="govuk-heading-l" { "Pagination" }
            (pagination(5, 12, |n| format!("/components?page={n}")))

            h2 class="govuk-heading-l" { "Panel" }
            p class="govuk-body" { "A panel confirms the end of a transaction; its title is that page’s main heading." }
            div class="govuk-!-margin-bottom-6" {
                (panel("Member added", html! { "Reference" br; strong { "HWF-0001" } }))
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_form_names_each_missing_field() {
        let errors = check(&FormData::default());
        let fields: Vec<&str> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name", "council_type", "role", "services", "joined"]
        );

        let accepted = FormData::from_pairs([
            ("name", "Haringey and Waltham Forest"),
            ("council_type", "london-borough"),
            ("role", "lead"),
            ("services", "legal"),
            ("joined-day", "21"),
            ("joined-month", "12"),
            ("joined-year", "2010"),
        ]);
        assert!(check(&accepted).is_empty());
    }
}
