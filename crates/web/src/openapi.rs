//! The OpenAPI 3.1 description of the JSON API, generated from the code.
//!
//! Each API handler carries a `#[utoipa::path]` annotation; [`crate::routes::Routes::api`]
//! collects them into the document served at `/api/openapi.json`. [`undocumented`] finds routes
//! under `/api/v1` that the document does not describe, for a test to refuse them.

use axum::Json;
use axum::http::Method;
use serde::{Deserialize, Serialize};
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::path::PathItem;
use utoipa::{OpenApi, ToSchema};

use crate::error::{ApiFieldError, ErrorBody, ErrorResponse};
use crate::routes::RouteEntry;

/// The document's fixed parts: title, description, licence and the schemas every route shares.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Accord",
        description = "The JSON API of Accord, which councils use to run shared-services \
            partnerships. Errors are always `{\"error\": {\"status\", \"message\", \"fields\"}}`; \
            a refused input (422) names each field at fault.",
        license(name = "MIT", identifier = "MIT"),
    ),
    components(schemas(ErrorResponse, ErrorBody, ApiFieldError)),
    modifiers(&BearerToken),
    tags(
        (name = "service", description = "The state of the service itself"),
        (name = "users", description = "The caller's account"),
        (name = "authorities", description = "The council register"),
        (name = "partnerships", description = "Partnerships, their members and MOUs"),
    ),
)]
pub struct ApiDoc;

/// Declares the API token scheme the routes' `security(("token" = []))` refers to.
#[derive(Debug)]
struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut Document) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "An API token (`accord_pat_…`) from the account page or `accord user token`; \
                 it acts with its user's permissions. Reads of published records need none; \
                 every change needs one.",
            ))
            .build();
        openapi
            .components
            .get_or_insert_default()
            .add_security_scheme("token", SecurityScheme::Http(scheme));
    }
}

/// The answer of `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct Health {
    /// Always `ok` when the service answers.
    pub status: String,
}

/// Whether the service is up.
#[utoipa::path(
    get,
    path = "/health",
    tag = "service",
    responses((status = 200, description = "The service is up", body = Health)),
)]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
    })
}

/// The methods a path item of the document describes.
pub fn methods_of(item: &PathItem) -> Vec<Method> {
    [
        (&item.get, Method::GET),
        (&item.put, Method::PUT),
        (&item.post, Method::POST),
        (&item.delete, Method::DELETE),
        (&item.options, Method::OPTIONS),
        (&item.head, Method::HEAD),
        (&item.patch, Method::PATCH),
        (&item.trace, Method::TRACE),
    ]
    .into_iter()
    .filter(|(operation, _)| operation.is_some())
    .map(|(_, method)| method)
    .collect()
}

/// Whether the document describes `method` on `path`.
pub fn describes(document: &Document, method: &str, path: &str) -> bool {
    document.paths.paths.get(path).is_some_and(|item| {
        methods_of(item)
            .iter()
            .any(|described| described.as_str() == method)
    })
}

/// The routes under `/api/v1` that the document does not describe. A test asserts this is
/// empty for the real router, so an undocumented API route cannot ship.
pub fn undocumented(routes: &[RouteEntry], document: &Document) -> Vec<RouteEntry> {
    routes
        .iter()
        .filter(|route| route.path == "/api/v1" || route.path.starts_with("/api/v1/"))
        .filter(|route| !describes(document, &route.method, &route.path))
        .cloned()
        .collect()
}
