//! The JSON API under `/api/v1`. Every handler is described for OpenAPI by its
//! `#[utoipa::path]` annotation; the request and response types here are the API's contract,
//! mapped to and from the domain's types.

pub mod allocations;
pub mod authorities;
pub mod business_cases;
pub mod delivery;
pub mod finance;
pub mod governance;
pub mod grants;
pub mod me;
pub mod opportunities;
pub mod partnerships;
pub mod requests;
pub mod savings;
