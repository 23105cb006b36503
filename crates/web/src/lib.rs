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

use std::sync::Arc;

pub mod assets;
pub mod components;
pub mod error;
pub mod forms;
pub mod layout;
pub mod openapi;
mod pages;
pub mod routes;
mod security;

pub use error::WebError;
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
}

impl WebConfig {
    /// The configuration for an organisation, with the service called "Accord".
    pub fn new(organisation: impl Into<String>) -> Self {
        Self {
            organisation: organisation.into(),
            organisation_url: None,
            service_name: "Accord".to_owned(),
        }
    }
}

/// Everything a handler can reach. Cheap to clone: each field is shared.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The installation's settings.
    pub config: Arc<WebConfig>,
}

impl AppState {
    /// The state for an installation.
    pub fn new(config: WebConfig) -> Self {
        Self {
            config: Arc::new(config),
        }
    }
}
