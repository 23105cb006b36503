//! The service catalogue: the services partnerships may share, each in an LGA-style category.
//! The catalogue is the instance's (no partnership owns it); administrators keep it, through the
//! use cases of `accord_app::gateway::services`.

use accord_app::gateway::services::{self as use_case, ServiceEntry};
use accord_domain::Invalid;
use accord_domain::service::{Service, ServiceCategory};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::common::render;
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Choice, Column, Field, Table, button, button_link, error_summary, form, select,
    table, text_input,
};
use crate::error::WebError;
use crate::forms::FormData;
use crate::guard::Guard;
use crate::layout::Page;
use crate::pages::opportunities::{form_version, refusal};
use crate::routes::Routes;

/// The catalogue's pages.
pub fn routes(r: Routes) -> Routes {
    r.get("/services", Guard::Public, index)
        .get("/services/new", Guard::Admin, new_form)
        .post("/services", Guard::Admin, create)
        .get("/services/{service_id}/edit", Guard::Admin, edit_form)
        .post("/services/{service_id}", Guard::Admin, edit)
}

/// `GET /services`: the catalogue by category.
pub async fn index(State(state): State<AppState>, viewer: Viewer) -> Result<Markup, WebError> {
    let catalogue = use_case::catalogue(&state.app, &viewer.caller()).await?;
    let admin = viewer.actor.admin;
    let mut tables = Vec::new();
    for category in ServiceCategory::ALL {
        let services: Vec<&Service> = catalogue
            .iter()
            .map(|s| &s.service)
            .filter(|s| s.category == category)
            .collect();
        if services.is_empty() {
            continue;
        }
        let mut columns = vec![Column::text("Service")];
        if admin {
            columns.push(Column::text("Change"));
        }
        let mut t = Table::new(category.label(), columns);
        for s in services {
            let mut row = vec![html! { (s.name) }];
            if admin {
                row.push(html! {
                    a class="govuk-link" href={ "/services/" (s.id) "/edit" } {
                        "Change" span class="govuk-visually-hidden" { " " (s.name) }
                    }
                });
            }
            t = t.row(row);
        }
        tables.push(t);
    }
    let content = html! {
        h1 class="govuk-heading-xl" { "Service catalogue" }
        p class="govuk-body" {
            "The services partnerships may share, in the categories of the LGA’s map of shared services, "
            "so one partnership’s programme can be compared with another’s. "
            "Opportunities are raised for a service in this catalogue."
        }
        @if admin {
            (button_link("Add a service", "/services/new", ButtonKind::Secondary))
        }
        @if tables.is_empty() {
            p class="govuk-body" { "The catalogue is empty." }
        }
        @for t in &tables { (table(t)) }
    };
    Ok(render(
        &state,
        &viewer,
        Page::new("Service catalogue").current_page("/services"),
        content,
    ))
}

fn category_choices() -> Vec<Choice<'static>> {
    let mut choices = vec![Choice::new("", "Choose a category")];
    choices.extend(
        ServiceCategory::ALL
            .iter()
            .map(|c| Choice::new(c.slug(), c.label())),
    );
    choices
}

fn service_form(
    state: &AppState,
    viewer: &Viewer,
    existing: Option<&ServiceEntry>,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let (title, action) = match existing {
        Some(s) => ("Change a service", format!("/services/{}", s.service.id)),
        None => ("Add a service", "/services".to_owned()),
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { "Service catalogue" }
        h1 class="govuk-heading-xl" { (title) }
        (form(&action, &viewer.csrf, html! {
            @if let Some(s) = existing {
                input type="hidden" name="version" value=(s.version);
            }
            (text_input(&Field::new("name", "Name").value(form_data.get("name")).errors(errors)))
            (select(&Field::new("category", "Category").value(form_data.get("category")).errors(errors), &category_choices()))
            (button(if existing.is_some() { "Save changes" } else { "Add the service" }, ButtonKind::Primary))
        }))
        @if existing.is_some() {
            p class="govuk-body-s" { "Opportunities already raised keep the name they were raised with." }
        }
    };
    render(
        state,
        viewer,
        Page::new(title)
            .with_errors(errors)
            .back_link("/services")
            .section("/services"),
        content,
    )
}

/// `GET /services/new`.
pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> Markup {
    service_form(&state, &viewer, None, &FormData::default(), &Invalid::new())
}

/// `POST /services`.
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    form_data: FormData,
) -> Result<Response, WebError> {
    match use_case::add(
        &state.app,
        &viewer.caller(),
        form_data.get("name"),
        form_data.get("category"),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/services").into_response()),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            Ok((
                status,
                service_form(&state, &viewer, None, &form_data, &errors),
            )
                .into_response())
        }
    }
}

/// `GET /services/{service_id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(service_id): Path<i64>,
) -> Result<Markup, WebError> {
    let entry = use_case::service(&state.app, &viewer.caller(), service_id).await?;
    let data = FormData::from_pairs([
        ("name", entry.service.name.clone()),
        ("category", entry.service.category.slug().to_owned()),
    ]);
    Ok(service_form(
        &state,
        &viewer,
        Some(&entry),
        &data,
        &Invalid::new(),
    ))
}

/// `POST /services/{service_id}`.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(service_id): Path<i64>,
    form_data: FormData,
) -> Result<Response, WebError> {
    let caller = viewer.caller();
    let result = match form_version(&form_data) {
        Ok(version) => {
            use_case::change(
                &state.app,
                &caller,
                service_id,
                version,
                form_data.get("name"),
                form_data.get("category"),
            )
            .await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/services").into_response()),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let entry = use_case::service(&state.app, &caller, service_id).await?;
            // A conflict shows the service as it is now.
            let shown = if status == axum::http::StatusCode::CONFLICT {
                FormData::from_pairs([
                    ("name", entry.service.name.clone()),
                    ("category", entry.service.category.slug().to_owned()),
                ])
            } else {
                form_data
            };
            Ok((
                status,
                service_form(&state, &viewer, Some(&entry), &shown, &errors),
            )
                .into_response())
        }
    }
}
