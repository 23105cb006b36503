//! Accord's web layer: the GOV.UK-styled pages and the JSON API, over HTTP.
//!
//! This crate is the only place with HTTP and HTML. It asks `domain` to decide and (later) the
//! store to remember; it never holds a rule of its own.
//!
//! - [`app`] builds the whole application as an [`axum::Router`]; [`routes`] lists every route
//!   in one place.
//! - [`layout`] wraps content in the GOV.UK page template; [`components`] renders the Design
//!   System's components; [`forms`] reads forms and shows them again with their errors.
//! - [`error::WebError`] is the one error type of the HTTP layer: a GOV.UK error page for
//!   people, JSON for `/api/…`.
//! - [`assets`] serves the compiled stylesheet and script embedded in the binary.

use accord_app::App;
use chrono::NaiveDate;
use std::sync::Arc;

pub mod api;
pub mod assets;
pub mod auth;
pub mod components;
pub mod delivery;
pub mod error;
pub mod forms;
pub mod guard;
pub mod layout;
pub mod observe;
pub mod openapi;
mod pages;
pub mod paging;
pub mod routes;
mod security;

pub use error::WebError;
pub use guard::Guard;
pub use routes::{RouteEntry, Routes, app, app_from};

/// What the web layer needs to know about the installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebConfig {
    /// The organisation running this installation, shown in the header: a council's name, or
    /// the partnership's when councils run it together.
    pub organisation: String,
    /// Where the organisation's name in the header links to; the home page when `None`.
    pub organisation_url: Option<String>,
    /// The service's name, shown in the service navigation and every page title.
    pub service_name: String,
    /// Whether cookies carry the `Secure` flag: on whenever Accord is reached over TLS (set
    /// automatically when the base URL is `https://`, or when a proxy says so with
    /// `X-Forwarded-Proto: https`).
    pub secure_cookies: bool,
    /// How long a signed-in session lasts without being used.
    pub session_idle: chrono::Duration,
    /// How long a session lasts at most, used or not.
    pub session_absolute: chrono::Duration,
    /// Whether the demo data and its published demo passphrase are loaded: pages say so.
    pub demo: bool,
    /// The address users reach Accord at (`https://accord.example.gov.uk`), when it differs from
    /// the host the server sees (behind a proxy): forms posted from it are accepted.
    pub base_url: Option<String>,
    /// Whether to take the client's address from `X-Forwarded-For` (only behind a proxy that
    /// sets it): sign-in throttling counts failures per address.
    pub trust_forwarded_for: bool,
}

impl WebConfig {
    /// The configuration for an organisation, with the service called "Accord".
    pub fn new(organisation: impl Into<String>) -> Self {
        Self {
            organisation: organisation.into(),
            organisation_url: None,
            service_name: "Accord".to_owned(),
            secure_cookies: false,
            session_idle: chrono::Duration::minutes(60),
            session_absolute: chrono::Duration::hours(12),
            demo: false,
            trust_forwarded_for: false,
            base_url: None,
        }
    }
}

pub use accord_app::Clock;

/// Everything a handler can reach. Cheap to clone: each field is shared.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The installation's settings.
    pub config: Arc<WebConfig>,
    /// The use cases, over the store and the clock.
    pub app: App,
    /// What day it is.
    pub clock: Clock,
    /// The service's metrics, counted by every request.
    pub metrics: Arc<observe::Metrics>,
}

impl AppState {
    /// The state for an installation.
    pub fn new(config: WebConfig, app: App) -> Self {
        Self {
            config: Arc::new(config),
            app,
            clock: Clock::System,
            metrics: Arc::default(),
        }
    }

    /// The same state with a fixed date, for tests and "as at" views.
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self.app = self.app.with_clock(clock);
        self
    }

    /// Today.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }
}
