//! Test support for Accord.
//!
//! - [`Browser`]: headless Chromium driven through chromedriver, with form helpers and an
//!   axe-core accessibility check against WCAG 2.2 AA.
//! - [`TestServer`]: an `axum::Router` served on a free local port, for the browser to visit.
//! - [`http`]: requests straight to a router, without a socket, for the many tests that need
//!   no browser.
//!
//! A browser test that cannot find chromedriver or Chromium fails with a message saying how to
//! install them: a browser test that silently skips would hide a broken page.

mod browser;
pub mod http;
mod server;

pub use browser::{Browser, BrowserOptions, Violation, ViolationNode, WCAG_TAGS, report};
pub use server::{TestServer, spawn_app};

use std::path::PathBuf;

/// The repository's root directory (where `package.json` and `node_modules/` live).
pub fn repo_root() -> PathBuf {
    // This crate sits at `crates/testkit` in the repository.
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..")
}
