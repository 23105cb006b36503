//! Information pages: where Accord's reference data comes from.

use axum::extract::State;
use maud::{Markup, html};

use super::common::render;
use crate::AppState;
use crate::auth::Viewer;
use crate::layout::Page;

/// `GET /data-sources`: the reference data and the demo's source documents, with licences.
pub async fn data_sources(State(state): State<AppState>, viewer: Viewer) -> Markup {
    render(
        &state,
        &viewer,
        Page::new("Data sources"),
        html! {
            h1 class="govuk-heading-xl" { "Data sources" }
            p class="govuk-body" { "Accord imports its reference data from these public sources. None of it is changed on import." }
            h2 class="govuk-heading-m" { "The council register" }
            p class="govuk-body" {
                "UK local authority names and codes, by mySociety, under the Creative Commons Attribution 4.0 licence (data) and MIT (code): "
                "codes, names, type, region, nation, start and end dates, successors, population estimates and centroids. "
                "The centroids of county councils in that file are wrong, so Accord does not show them."
            }
            h2 class="govuk-heading-m" { "Bank holidays" }
            p class="govuk-body" {
                "The GOV.UK bank holidays feed (gov.uk/bank-holidays.json), Crown copyright, under the Open Government Licence v3.0. "
                "For years the feed does not cover, Accord computes bank holidays from the statutory rules and known proclamations."
            }
            h2 class="govuk-heading-m" { "Council budgets and population" }
            p class="govuk-body" {
                "English councils’ budget by service category and mid-2024 population estimates (Office for National Statistics), "
                "under the Open Government Licence v3.0, as compiled by the uk-council-spending project."
            }
            h2 class="govuk-heading-m" { "Demonstration data" }
            p class="govuk-body" {
                "The demonstration partnerships come from public documents: a Haringey Corporate Committee report of 21 July 2011 "
                "with the Haringey–Waltham Forest memorandum of understanding and its schedules, and press reports of the "
                "Cambridgeshire–Northamptonshire–Slough, Hartlepool–Darlington–Redcar and Cleveland, Buckinghamshire–Harrow and "
                "tri-borough arrangements. Every demonstration record cites its source; where a source gives no figure, Accord says "
                "“not stated”. Ratings, risks and decisions the sources do not give are labelled illustrative."
            }
        },
    )
}

/// `GET /feedback`: how to report a problem or suggest a change.
pub async fn feedback(State(state): State<AppState>, viewer: Viewer) -> Markup {
    render(
        &state,
        &viewer,
        Page::new("Report a problem or suggest a change"),
        html! {
            h1 class="govuk-heading-xl" { "Report a problem or suggest a change" }
            p class="govuk-body" {
                "Accord is run for " (state.config.organisation) ". To report a problem or suggest a change, contact the team that runs it for you: "
                "usually your partnership’s joint programme team, or your council’s IT service desk."
            }
            p class="govuk-body" {
                "Say which page you were on, what you were trying to do, and what happened. Do not include anyone’s personal information."
            }
        },
    )
}

/// `GET /licence`: Accord's licence.
pub async fn licence(State(state): State<AppState>, viewer: Viewer) -> Markup {
    render(
        &state,
        &viewer,
        Page::new("Licence"),
        html! {
            h1 class="govuk-heading-xl" { "Licence" }
            p class="govuk-body" { "Accord is open-source software, released under the MIT licence:" }
            pre class="accord-licence" { (LICENCE) }
            p class="govuk-body" { a class="govuk-link" href="/data-sources" { "The reference data has its own licences." } }
        },
    )
}

/// The MIT licence text, as in the repository's `LICENSE` file.
const LICENCE: &str = include_str!("../../../../LICENSE");
