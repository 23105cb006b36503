//! Councils: search the register, and one council with the partnerships it is in.

use accord_app::authorities::AuthorityQuery;
use accord_domain::Authority;
use accord_domain::mou::long_date;
use axum::extract::{Path, Query, State};
use maud::{Markup, html};
use serde::Deserialize;

use super::common::{date_or_not_stated, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Column, Field, SummaryRow, Table, button, summary_list, table, text_input,
};
use crate::error::WebError;
use crate::layout::Page;

/// The query of the council search.
#[derive(Debug, Default, Deserialize)]
pub struct Search {
    /// Words of the name, or a GSS or register code.
    #[serde(default)]
    pub q: String,
    /// Include abolished councils.
    #[serde(default)]
    pub abolished: Option<String>,
}

/// `GET /authorities?q=`.
pub async fn index(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(search): Query<Search>,
) -> Result<Markup, WebError> {
    let include_abolished = search.abolished.is_some();
    let found = accord_app::authorities::search(
        &state.app,
        &AuthorityQuery {
            text: search.q.clone(),
            current_only: !include_abolished,
            limit: 100,
            offset: 0,
        },
    )
    .await?;
    let total = accord_app::authorities::count(&state.app, true).await?;
    let mut results = Table::new(
        format!(
            "{} councils{}",
            found.len(),
            if found.len() == 100 {
                " (the first 100)"
            } else {
                ""
            }
        ),
        vec![
            Column::text("Council"),
            Column::text("Type"),
            Column::text("Region"),
            Column::text("GSS code"),
        ],
    );
    for a in &found {
        results = results.row(vec![
            html! { a class="govuk-link" href={ "/authorities/" (key(a)) } { (a.official_name) } @if !a.is_current() { " (abolished)" } },
            html! { (a.kind.label()) },
            html! { (a.region) },
            html! { (a.gss.as_ref().map_or("", |g| g.as_str())) },
        ]);
    }
    Ok(render(
        &state,
        &viewer,
        Page::new("Councils").current_page("/authorities"),
        html! {
            h1 class="govuk-heading-xl" { "Councils" }
            p class="govuk-body" { "The register holds " (total) " current councils of the UK." }
            form method="get" action="/authorities" {
                (text_input(&Field::new("q", "Search by name or code").hint("For example, Haringey or E09000014").value(&search.q)))
                div class="govuk-checkboxes govuk-checkboxes--small govuk-!-margin-bottom-4" {
                    div class="govuk-checkboxes__item" {
                        input class="govuk-checkboxes__input" id="abolished" name="abolished" type="checkbox" value="yes" checked[include_abolished];
                        label class="govuk-label govuk-checkboxes__label" for="abolished" { "Include abolished councils" }
                    }
                }
                (button("Search", ButtonKind::Secondary))
            }
            (table(&results))
        },
    ))
}

fn budget_table(budgets: &[accord_app::authorities::Budget]) -> Table {
    let total = budgets.first().map(|b| b.total).unwrap_or_default();
    let mut t = Table::new(
        format!(
            "Budget by service (total {}; the source does not state the year)",
            total.whole_pounds()
        ),
        vec![
            Column::text("Service"),
            Column::numeric("Budget"),
            Column::numeric("Share"),
        ],
    );
    for b in budgets {
        let share = if total.pence() == 0 {
            0.0
        } else {
            b.amount.pounds_f64() / total.pounds_f64() * 100.0
        };
        t = t.row(vec![
            html! { (b.label) },
            html! { (b.amount.whole_pounds()) },
            html! { (format!("{share:.1}%")) },
        ]);
    }
    t
}

/// How a council is addressed: its GSS code, or its register code when it never had one.
pub fn key(a: &Authority) -> String {
    a.gss
        .as_ref()
        .map_or_else(|| a.code.clone(), ToString::to_string)
}

/// `GET /authorities/{code}` (a GSS or register code).
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Markup, WebError> {
    let authority = accord_app::authorities::find(&state.app, &code)
        .await?
        .ok_or(WebError::NotFound)?;
    let partnerships = match &authority.gss {
        Some(gss) => accord_app::partnership::of_council(&state.app, gss.as_str()).await?,
        None => Vec::new(),
    };
    let mut successors = Vec::new();
    for s in &authority.successors {
        successors.push(
            accord_app::authorities::find(&state.app, s)
                .await?
                .map_or_else(|| (s.clone(), s.clone()), |a| (key(&a), a.short_name)),
        );
    }
    let not_stated = || html! { span class="govuk-hint" { (accord_domain::seed::NOT_STATED) } };
    let latest = accord_app::authorities::population(&state.app, &authority.code).await?;
    let budgets = accord_app::authorities::budgets(&state.app, &authority.code).await?;
    let neighbours = accord_app::authorities::neighbours(&state.app, &authority.code).await?;
    let rows = vec![
        SummaryRow::new("Official name", html! { (authority.official_name) }),
        SummaryRow::new("Type", html! { (authority.kind.label()) }),
        SummaryRow::new("Region", html! { (authority.region) }),
        SummaryRow::new("Nation", html! { (authority.nation.name()) }),
        SummaryRow::new(
            "GSS code",
            html! { @match &authority.gss { Some(g) => (g), None => (not_stated()) } },
        ),
        SummaryRow::new("Register code", html! { (authority.code) }),
        SummaryRow::new(
            "Population",
            html! {
                @match (&latest, authority.population) {
                    (Some(l), _) => { (accord_domain::money::group_thousands(l.population)) " (mid-" (l.year) " estimate, " (l.source) ")" },
                    (None, Some(p)) => { (accord_domain::money::group_thousands(p)) " (2020 estimate, council register)" },
                    (None, None) => (not_stated()),
                }
            },
        ),
        SummaryRow::new(
            "Location",
            html! {
                @match authority.centroid {
                    Some(c) => { (format!("{:.3}, {:.3}", c.lat, c.long)) " (latitude, longitude of its centre)" },
                    None => (not_stated()),
                }
            },
        ),
        SummaryRow::new("Came into being", date_or_not_stated(authority.start_date)),
        SummaryRow::new(
            "Abolished",
            html! {
                @match authority.end_date {
                    Some(d) => {
                        (long_date(d))
                        @if !successors.is_empty() {
                            "; replaced by "
                            @for (i, (k, name)) in successors.iter().enumerate() {
                                @if i > 0 { ", " }
                                a class="govuk-link" href={ "/authorities/" (k) } { (name) }
                            }
                        }
                    },
                    None => "No: it is a current council",
                }
            },
        ),
    ];
    Ok(render(
        &state,
        &viewer,
        Page::new(authority.official_name.clone())
            .breadcrumb("Councils", "/authorities")
            .section("/authorities"),
        html! {
            span class="govuk-caption-l" { "Council" }
            h1 class="govuk-heading-xl" { (authority.official_name) }
            (summary_list(&rows))
            h2 class="govuk-heading-m" { "Neighbouring councils" }
            @if neighbours.is_empty() {
                p class="govuk-body" { "No borders are recorded for this council." }
            } @else {
                p class="govuk-body" { "Councils whose boundaries touch this council’s. Partners need not be neighbours." }
                ul class="govuk-list accord-columns" {
                    @for (n, derived) in &neighbours {
                        li {
                            a class="govuk-link" href={ "/authorities/" (key(n)) } { (n.short_name) }
                            @if *derived { span class="govuk-hint" { " (through its districts)" } }
                        }
                    }
                }
            }
            @if !budgets.is_empty() {
                (table(&budget_table(&budgets)))
            }
            h2 class="govuk-heading-m" { "Partnerships" }
            @if partnerships.is_empty() {
                p class="govuk-body" { "This council is not a member of any partnership in Accord." }
            } @else {
                ul class="govuk-list" {
                    @for p in &partnerships {
                        li { a class="govuk-link" href={ "/partnerships/" (p.id) } { (p.name) } }
                    }
                }
            }
        },
    ))
}
