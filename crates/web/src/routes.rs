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
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::error::{self, WebError};
use crate::guard::{self, Guard};
use crate::{AppState, api, assets, auth, observe, openapi, pages, security};

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
        .layer(axum::middleware::from_fn(crate::forms::plain_address))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            provide_state,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(security::headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::track,
        ))
        .with_state(state)
}

/// Every route. The single list: pages, the API, assets and service endpoints.
// The binding stays so each feature's line can follow it.
#[allow(clippy::let_and_return)]
pub fn routes() -> Routes {
    let r = core_routes();
    // Each feature adds its routes here, one line each: `let r = pages::feature::routes(r);`.
    let r = pages::requests::routes(r);
    let r = pages::opportunities::routes(r);
    let r = pages::delivery::routes(r);
    let r = pages::governance::routes(r);
    let r = pages::finance::routes(r);
    r
}

/// The routes of the service itself, accounts, councils, partnerships, members and MOUs.
fn core_routes() -> Routes {
    use accord_domain::access::{Action, Area};
    use pages::{account, authorities, history, info, partnerships};
    let read = Guard::Partnership(Area::Partnership, Action::Read);
    let change = Guard::Partnership(Area::Partnership, Action::Update);
    Routes::new()
        // Service and information
        .get("/assets/{file}", Guard::Public, assets::serve)
        .api(Guard::Public, routes!(openapi::health))
        .api(Guard::Public, routes!(observe::ready))
        .get("/components", Guard::Public, pages::components)
        .post("/components", Guard::Public, pages::components_submit)
        .get("/data-sources", Guard::Public, info::data_sources)
        .get("/feedback", Guard::Public, info::feedback)
        .get("/licence", Guard::Public, info::licence)
        // Signing in and the account
        .get("/sign-in", Guard::Public, account::sign_in_form)
        .post("/sign-in", Guard::Public, account::sign_in)
        .post("/sign-out", Guard::SignedIn, account::sign_out)
        .get(
            "/reset-passphrase/{code}",
            Guard::Public,
            account::reset_form,
        )
        .post("/reset-passphrase/{code}", Guard::Public, account::reset)
        .get("/account", Guard::SignedIn, account::account)
        .get(
            "/account/passphrase",
            Guard::SignedIn,
            account::passphrase_form,
        )
        .post(
            "/account/passphrase",
            Guard::SignedIn,
            account::change_passphrase,
        )
        .get("/account/tokens", Guard::SignedIn, account::tokens)
        .post("/account/tokens", Guard::SignedIn, account::create_token)
        .post(
            "/account/tokens/{token_id}/revoke",
            Guard::SignedIn,
            account::revoke_token,
        )
        .api(Guard::SignedIn, routes!(api::me::me))
        // Administration
        .get("/admin/audit", Guard::Admin, history::audit_search)
        .get("/admin/audit.csv", Guard::Admin, history::audit_csv)
        .get("/admin/users", Guard::Admin, history::users)
        .get("/admin/security", Guard::Admin, history::security_events)
        // Councils
        .get("/authorities", Guard::Public, authorities::index)
        .get("/authorities/{code}", Guard::Public, authorities::show)
        .api(Guard::Public, routes!(api::authorities::search))
        .api(Guard::Public, routes!(api::authorities::show))
        // Partnerships, members and MOUs
        .get("/", Guard::Public, partnerships::home)
        .get("/partnerships/new", Guard::Admin, partnerships::new_form)
        .post("/partnerships", Guard::Admin, partnerships::create)
        .get("/partnerships/{id}", read, partnerships::show)
        .get("/partnerships/{id}/edit", change, partnerships::edit_form)
        .post("/partnerships/{id}/edit", change, partnerships::edit)
        .get(
            "/partnerships/{id}/history",
            Guard::Partnership(Area::Partnership, Action::Update),
            history::partnership_history,
        )
        .get(
            "/partnerships/{id}/members/new",
            change,
            partnerships::new_member_form,
        )
        .post(
            "/partnerships/{id}/members",
            change,
            partnerships::add_member,
        )
        .get(
            "/partnerships/{id}/members/{gss}/edit",
            change,
            partnerships::edit_member_form,
        )
        .post(
            "/partnerships/{id}/members/{gss}",
            change,
            partnerships::edit_member,
        )
        .get("/partnerships/{id}/mou", read, partnerships::mou_page)
        .get(
            "/partnerships/{id}/mou/edit",
            change,
            partnerships::mou_form,
        )
        .post("/partnerships/{id}/mou", change, partnerships::save_mou)
        .get(
            "/partnerships/{id}/mou/events/new",
            change,
            partnerships::new_event_form,
        )
        .post(
            "/partnerships/{id}/mou/events",
            change,
            partnerships::add_event,
        )
        .get(
            "/partnerships/{id}/records/{record_id}/history",
            Guard::Record("*", Action::Read),
            history::record_history,
        )
        .api(Guard::Public, routes!(api::partnerships::list))
        .api(Guard::Admin, routes!(api::partnerships::create))
        .api(read, routes!(api::partnerships::show))
        .api(change, routes!(api::partnerships::update))
        .api(change, routes!(api::partnerships::add_member))
        .api(change, routes!(api::partnerships::update_member))
        .api(read, routes!(api::partnerships::mou))
        .api(change, routes!(api::partnerships::save_mou))
        .api(change, routes!(api::partnerships::add_event))
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

/// Makes the state reachable from route layers (the guards), which run without it.
async fn provide_state(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    request.extensions_mut().insert(state);
    next.run(request).await
}

/// One route: a method on a path (with `{parameters}` as axum and OpenAPI write them), and who
/// may use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEntry {
    /// The HTTP method.
    pub method: String,
    /// The path pattern, such as `/partnerships/{id}`.
    pub path: String,
    /// Who may use it.
    pub guard: Guard,
}

impl RouteEntry {
    fn new(method: &Method, path: &str, guard: Guard) -> Self {
        Self {
            method: method.as_str().to_owned(),
            path: path.to_owned(),
            guard,
        }
    }
}

impl std::fmt::Display for RouteEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// A route with its guard in front of the handler.
fn guarded(route: MethodRouter<AppState>, guard: Guard) -> MethodRouter<AppState> {
    route.route_layer(axum::middleware::from_fn(
        move |params: axum::extract::RawPathParams,
              request: axum::extract::Request,
              next: axum::middleware::Next| guard::enforce(guard, params, request, next),
    ))
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

    fn add(
        mut self,
        method: Method,
        path: &str,
        guard: Guard,
        route: MethodRouter<AppState>,
    ) -> Self {
        self.entries.push(RouteEntry::new(&method, path, guard));
        self.router = self.router.route(path, guarded(route, guard));
        self
    }

    /// Adds a `GET` route (axum answers `HEAD` with it too).
    #[must_use]
    pub fn get<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        guard: Guard,
        handler: H,
    ) -> Self {
        self.add(Method::GET, path, guard, get(handler))
    }

    /// Adds a `POST` route.
    #[must_use]
    pub fn post<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        guard: Guard,
        handler: H,
    ) -> Self {
        self.add(Method::POST, path, guard, post(handler))
    }

    /// Adds a `PUT` route.
    #[must_use]
    pub fn put<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        guard: Guard,
        handler: H,
    ) -> Self {
        self.add(Method::PUT, path, guard, put(handler))
    }

    /// Adds a `PATCH` route.
    #[must_use]
    pub fn patch<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        guard: Guard,
        handler: H,
    ) -> Self {
        self.add(Method::PATCH, path, guard, patch(handler))
    }

    /// Adds a `DELETE` route.
    #[must_use]
    pub fn delete<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        guard: Guard,
        handler: H,
    ) -> Self {
        self.add(Method::DELETE, path, guard, delete(handler))
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
    pub fn api(
        mut self,
        guard: Guard,
        (schemas, paths, route): UtoipaMethodRouter<AppState>,
    ) -> Self {
        assert!(
            paths.paths.len() == 1,
            "the handlers of one routes!() call must share one path, not {:?}",
            paths.paths.keys().collect::<Vec<_>>()
        );
        for (path, item) in &paths.paths {
            let methods = openapi::methods_of(item);
            assert!(
                methods.len() == 1,
                "one guard per route: give {path} one handler per .api() call"
            );
            for method in methods {
                self.entries.push(RouteEntry::new(&method, path, guard));
            }
            self.router = self.router.route(path, guarded(route.clone(), guard));
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
    pub fn finish(mut self) -> (Router<AppState>, Vec<RouteEntry>, OpenApi) {
        openapi::document_refusals(&mut self.openapi, &self.entries);
        let served: Arc<str> = self
            .openapi
            .to_pretty_json()
            .expect("an OpenAPI document built from types always serialises")
            .into();
        let routes = self.get(OPENAPI_PATH, Guard::Public, move || async move {
            ([(CONTENT_TYPE, "application/json")], served.to_string())
        });
        (routes.router, routes.entries, routes.openapi)
    }
}
