//! The home page.

use axum::extract::State;
use maud::{Markup, html};

use crate::AppState;
use crate::layout::{self, Page};

/// `GET /`: what Accord is, until the partnerships list takes this place.
pub async fn home(State(state): State<AppState>) -> Markup {
    layout::page(
        &state.config,
        &Page::new("Shared services partnerships").current_page("/"),
        html! {
            div class="govuk-grid-row" {
                div class="govuk-grid-column-two-thirds" {
                    span class="govuk-caption-l" { (state.config.organisation) }
                    h1 class="govuk-heading-xl" { "Shared services partnerships" }
                    p class="govuk-body-l" {
                        "Accord helps councils that work as each other’s preferred partners to decide "
                        "which services to share, build the business case, split its costs and savings "
                        "fairly, run their joint boards and account for the savings in public."
                    }
                }
            }
        },
    )
}
