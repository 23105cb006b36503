//! What every paged list shares, on pages and in the API: its query read as a form, the
//! address of its next page, and the JSON answer with that address in a `Link` header too.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::forms::FormData;

/// A query string read as a form (a list's filters, `limit`, `cursor`, `page`).
pub fn query_form(query: Option<&str>) -> FormData {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or_default()).unwrap_or_default();
    FormData::from_pairs(pairs)
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

/// The next page's address, when there is a next page.
pub fn next_page(path: &str, form: &FormData, cursor: Option<&String>) -> Option<String> {
    cursor.map(|cursor| next_address(path, form, cursor))
}

/// A page of a list as JSON, with the next page's address as a `Link` header too.
pub fn page_response<T: Serialize>(body: T, next: Option<impl AsRef<str>>) -> Response {
    match next {
        Some(next) => (
            [(
                axum::http::header::LINK,
                format!("<{}>; rel=\"next\"", next.as_ref()),
            )],
            Json(body),
        )
            .into_response(),
        None => Json(body).into_response(),
    }
}
