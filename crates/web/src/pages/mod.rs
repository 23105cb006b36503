//! The HTML pages.

pub mod account;
pub mod authorities;
pub mod common;
mod components;
pub mod delivery;
pub mod finance;
pub mod governance;
pub mod history;
pub mod info;
pub mod opportunities;
pub mod partnerships;
pub mod requests;
pub mod services;

pub use components::{components, components_submit};
