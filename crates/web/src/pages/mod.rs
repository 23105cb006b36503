//! The HTML pages.

mod components;
mod home;

pub use components::{components, components_submit};
pub use home::home;
