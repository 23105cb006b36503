//! Every route of the application, in one place.
//!
//! Routes are added through [`Routes`], which records each method and path as it goes, so the
//! full list is known without running a server: tests walk it to check that every `/api/v1`
//! route is described in the OpenAPI document and (with access control) that every route is
//! classified. Never add a route to the router any other way.
//!
//! To add a page: write the handler in `pages`, then `.get("/path", pages::handler)` below
//! (and `.post` for its form). To add an API route: annotate the handler with
//! `#[utoipa::path(...)]` and add `.api(routes!(api::handler))`; the path, the method and the
//! OpenAPI description then all come from that one annotation.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::http::header::CONTENT_TYPE;
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::error::{self, WebError};
use crate::{AppState, assets, openapi, pages, security};

/// The path of the OpenAPI document.
pub const OPENAPI_PATH: &str = "/api/openapi.json";

/// How long a request may take before the server gives up on it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Builds the whole application: every route, the error pages and the middleware.
pub fn app(state: AppState) -> Router {
    app_from(routes(), state)
}

/// Builds an application from `routes` with the same error pages and middleware as [`app`],
/// for tests that need a route of their own (one that fails, say).
pub fn app_from(routes: Routes, state: AppState) -> Router {
    let (router, _, _) = routes.finish();
    // Layers listed first run innermost.
    router
        .fallback(not_found)
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(security::headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Every route. The single list: pages, the API, assets and service endpoints.
pub fn routes() -> Routes {
    Routes::new()
        .get("/", pages::home)
        .get("/components", pages::components)
        .post("/components", pages::components_submit)
        .get("/assets/{file}", assets::serve)
        .api(routes!(openapi::health))
}

/// The method and path of every route, including the OpenAPI document.
pub fn route_table() -> Vec<RouteEntry> {
    routes().finish().1
}

/// The OpenAPI document of the API, as served at [`OPENAPI_PATH`].
pub fn openapi_document() -> OpenApi {
    routes().finish().2
}

async fn not_found() -> WebError {
    WebError::NotFound
}

/// One route: a method on a path (with `{parameters}` as axum and OpenAPI write them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RouteEntry {
    /// The HTTP method.
    pub method: String,
    /// The path pattern, such as `/partnerships/{id}`.
    pub path: String,
}

impl RouteEntry {
    fn new(method: &Method, path: &str) -> Self {
        Self {
            method: method.as_str().to_owned(),
            path: path.to_owned(),
        }
    }
}

impl std::fmt::Display for RouteEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// A router that records its routes and collects the OpenAPI description of its API.
pub struct Routes {
    router: Router<AppState>,
    entries: Vec<RouteEntry>,
    openapi: OpenApi,
}

impl std::fmt::Debug for Routes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Routes")
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    /// No routes yet; the OpenAPI document holds the API's title, licence and shared schemas.
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            entries: Vec::new(),
            openapi: openapi::ApiDoc::openapi(),
        }
    }

    fn add(mut self, method: Method, path: &str, route: MethodRouter<AppState>) -> Self {
        self.entries.push(RouteEntry::new(&method, path));
        self.router = self.router.route(path, route);
        self
    }

    /// Adds a `GET` route (axum answers `HEAD` with it too).
    #[must_use]
    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add(Method::GET, path, get(handler))
    }

    /// Adds a `POST` route.
    #[must_use]
    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add(Method::POST, path, post(handler))
    }

    /// Adds a `PUT` route.
    #[must_use]
    pub fn put<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add(Method::PUT, path, put(handler))
    }

    /// Adds a `PATCH` route.
    #[must_use]
    pub fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add(Method::PATCH, path, patch(handler))
    }

    /// Adds a `DELETE` route.
    #[must_use]
    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add(Method::DELETE, path, delete(handler))
    }

    /// Adds documented API handlers, from `utoipa_axum::routes!(a, b)`: their path and methods
    /// come from their `#[utoipa::path]` annotations, which also describe them in the OpenAPI
    /// document. The handlers of one call must share one path.
    ///
    /// # Panics
    ///
    /// When the handlers of one call have different paths: a mistake in this file, caught by
    /// every test that builds the app.
    #[must_use]
    pub fn api(mut self, (schemas, paths, route): UtoipaMethodRouter<AppState>) -> Self {
        assert!(
            paths.paths.len() == 1,
            "the handlers of one routes!() call must share one path, not {:?}",
            paths.paths.keys().collect::<Vec<_>>()
        );
        for (path, item) in &paths.paths {
            for method in openapi::methods_of(item) {
                self.entries.push(RouteEntry::new(&method, path));
            }
            self.router = self.router.route(path, route.clone());
        }
        self.openapi.paths.merge(paths);
        self.openapi
            .components
            .get_or_insert_default()
            .schemas
            .extend(schemas);
        self
    }

    /// The routes added so far.
    pub fn entries(&self) -> &[RouteEntry] {
        &self.entries
    }

    /// Adds the OpenAPI document's own route and returns the router, the route list and the
    /// document.
    pub fn finish(self) -> (Router<AppState>, Vec<RouteEntry>, OpenApi) {
        let served: Arc<str> = self
            .openapi
            .to_pretty_json()
            .expect("an OpenAPI document built from types always serialises")
            .into();
        let routes = self.get(OPENAPI_PATH, move || async move {
            ([(CONTENT_TYPE, "application/json")], served.to_string())
        });
        (routes.router, routes.entries, routes.openapi)
    }
}
