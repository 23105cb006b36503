//! Finance in the API: business cases, allocations, the savings ledger and external funding.
//! Each handler turns a request into a use case of `accord_app::finance` and its answer into
//! JSON; lists take `limit` and `cursor`, answer `total`, `items` and `next`, and send the
//! next page's address as a `Link` header.

pub mod allocations;
pub mod business_cases;
pub mod funding;
pub mod savings;

use accord_app::list::ListRequest;
use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

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

/// The address of the next page of a list at `path`: the same query with the next cursor.
pub fn next_address(path: &str, form: &FormData, cursor: &str) -> String {
    let mut pairs: Vec<(String, String)> = form
        .pairs()
        .iter()
        .filter(|(k, _)| k != "cursor" && k != "page")
        .cloned()
        .collect();
    pairs.push(("cursor".to_owned(), cursor.to_owned()));
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

/// A page of a list as JSON, with the next page's address as a `Link` header too.
pub fn page_response<T: Serialize>(body: T, next: Option<&str>) -> Response {
    match next {
        Some(next) => (
            [(axum::http::header::LINK, format!("<{next}>; rel=\"next\""))],
            Json(body),
        )
            .into_response(),
        None => Json(body).into_response(),
    }
}
