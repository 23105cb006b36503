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

/// Documents the refusals every API operation can give, where its annotation does not: 401 for
/// a token that is not valid (on any route), 403 where the route is guarded or changes
/// something (a session cookie never changes data through the API), 404 where the path names a
/// record. Each is an [`ErrorResponse`]. They follow from the route table, so a new route is
/// described as it behaves without repeating them on every annotation.
pub fn document_refusals(document: &mut Document, routes: &[RouteEntry]) {
    use crate::guard::Guard;
    use utoipa::openapi::content::ContentBuilder;
    use utoipa::openapi::response::ResponseBuilder;
    use utoipa::openapi::{Ref, RefOr, Schema};
    for route in routes
        .iter()
        .filter(|route| route.path.starts_with("/api/v1/") || route.path == "/api/v1")
    {
        let Some(item) = document.paths.paths.get_mut(&route.path) else {
            continue;
        };
        let operation = match route.method.as_str() {
            "GET" => item.get.as_mut(),
            "POST" => item.post.as_mut(),
            "PUT" => item.put.as_mut(),
            "PATCH" => item.patch.as_mut(),
            "DELETE" => item.delete.as_mut(),
            _ => None,
        };
        let Some(operation) = operation else {
            continue;
        };
        let changes = route.method != "GET";
        // Every list pages by the same rule: a limit from 1 to 500.
        for parameter in operation.parameters.iter_mut().flatten() {
            if parameter.name == "limit"
                && let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut()
            {
                schema.minimum = Some(1.into());
                schema.maximum = Some(500.into());
            }
        }
        let mut refusals = vec![
            (
                "401",
                "No API token where one is needed, or one that is not valid: revoked, expired or its user disabled",
            ),
            // The address itself is checked first (no control characters), then each value.
            (
                "422",
                "A value in the path, the query or the body is not valid; each problem names its field",
            ),
        ];
        if route.guard != Guard::Public || changes {
            refusals.push((
                "403",
                "The caller may not do this (changes need an API token of a user allowed to make them)",
            ));
        }
        if route.path.contains('{') {
            refusals.push(("404", "No such record that the caller can see"));
        }
        for (status, description) in refusals {
            operation
                .responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| {
                    RefOr::T(
                        ResponseBuilder::new()
                            .description(description)
                            .content(
                                "application/json",
                                ContentBuilder::new()
                                    .schema(Some(Ref::from_schema_name("ErrorResponse")))
                                    .build(),
                            )
                            .build(),
                    )
                });
        }
    }
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
