//! Finance in the API: business cases, allocations, the savings ledger and external funding.
//! Each handler turns a request into a use case of `accord_app::finance` and its answer into
//! JSON; lists take `limit` and `cursor`, answer `total`, `items` and `next`, and send the
//! next page's address as a `Link` header.

pub mod allocations;
pub mod business_cases;
pub mod funding;
pub mod savings;

pub use crate::paging::{next_address, page_response};
use accord_app::list::ListRequest;

use crate::forms::FormData;

/// Pounds in a JSON number, written as committee reports write them: `£631,661`.
pub fn pounds(value: f64) -> String {
    accord_domain::Money::from_pounds_f64(value).map_or_else(
        || accord_domain::seed::NOT_STATED.to_owned(),
        accord_domain::Money::whole_pounds,
    )
}

/// The `version` query of a delete: the version read, so a record changed since is kept.
#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct DeleteQuery {
    /// The version you read.
    #[serde(default)]
    pub version: Option<i64>,
}

/// The page a list's query asks for: its `limit` and `cursor`.
pub fn list_request(list: &str, form: &FormData) -> Result<ListRequest, accord_domain::Invalid> {
    ListRequest::from_query(list, form.get("limit"), form.get("cursor"))
}
