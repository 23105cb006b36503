//! The one error type of the HTTP layer, and how each error is shown.
//!
//! Handlers return `Result<_, WebError>`. A [`WebError`] becomes a response that carries an
//! [`ErrorReport`]; the [`render_errors`] middleware then shows it as a GOV.UK error page to
//! people, or leaves it as JSON for programs (any path under `/api/`). Internal errors are
//! logged with their whole chain of causes and never sent: the client gets a plain apology.

use accord_domain::{FieldError, Invalid};
use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::layout::{self, Page};
use crate::{AppState, WebConfig};

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No such page or record (404).
    #[error("not found")]
    NotFound,
    /// The request needs a signed-in user or an API token (401).
    #[error("sign-in required")]
    Unauthorised,
    /// The user may not do this (403).
    #[error("forbidden")]
    Forbidden,
    /// The input was refused; every problem names its field (422).
    #[error("{0}")]
    Unprocessable(#[from] Invalid),
    /// The change conflicts with the current state of a record (409); the message says how.
    #[error("{0}")]
    Conflict(String),
    /// Refused for a reason the user should read, with its status: a form whose CSRF token
    /// expired (403), too many sign-in attempts (429).
    #[error("{1}")]
    Refused(StatusCode, String),
    /// Anything else: logged, never shown (500).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl WebError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unauthorised => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Refused(status, _) => *status,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A 409 with a message for the user.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }

    /// What may be told to the client.
    pub fn report(&self) -> ErrorReport {
        let status = self.status();
        let (message, fields) = match self {
            Self::Unprocessable(invalid) => (invalid.to_string(), invalid.errors.clone()),
            Self::Conflict(message) | Self::Refused(_, message) => (message.clone(), Vec::new()),
            _ => (default_message(status).to_owned(), Vec::new()),
        };
        ErrorReport {
            status,
            message,
            fields,
        }
    }
}

impl From<accord_app::AppError> for WebError {
    fn from(error: accord_app::AppError) -> Self {
        match error {
            accord_app::AppError::Invalid(invalid) => Self::Unprocessable(invalid),
            accord_app::AppError::Forbidden(message) => {
                Self::Refused(StatusCode::FORBIDDEN, message)
            }
            accord_app::AppError::NotFound(_) => Self::NotFound,
            accord_app::AppError::Conflict(message) => Self::Conflict(message),
            accord_app::AppError::Internal(error) => Self::Internal(error),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let Self::Internal(error) = &self {
            tracing::error!(error = format!("{error:#}"), "internal error");
        }
        self.report().into_response()
    }
}

/// The part of an error that may be shown: status, message and the fields at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReport {
    /// The HTTP status.
    pub status: StatusCode,
    /// A message for the user.
    pub message: String,
    /// For refused input, each problem with its field (and line, for files).
    pub fields: Vec<FieldError>,
}

impl ErrorReport {
    /// The JSON form, as the API sends it.
    pub fn body(&self) -> ErrorResponse {
        ErrorResponse {
            error: ErrorBody {
                status: self.status.as_u16(),
                message: self.message.clone(),
                fields: self
                    .fields
                    .iter()
                    .map(|f| ApiFieldError {
                        field: f.field.clone(),
                        message: f.message.clone(),
                        line: f.line,
                    })
                    .collect(),
            },
        }
    }
}

impl IntoResponse for ErrorReport {
    /// JSON by default, with the report attached so [`render_errors`] can turn it into a page.
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// The JSON body of every API error: `{"error": {"status": 422, "message": "...", "fields": [...]}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct ErrorResponse {
    /// What went wrong.
    pub error: ErrorBody,
}

/// The details of an API error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct ErrorBody {
    /// The HTTP status, repeated for clients that only keep the body.
    pub status: u16,
    /// A message for a person.
    pub message: String,
    /// For refused input (422), each problem with the field at fault; empty otherwise.
    pub fields: Vec<ApiFieldError>,
}

/// One refused field of an API request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct ApiFieldError {
    /// The field, as a JSON path (`members[1].joined`), form field or CSV column.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
    /// The 1-based line of an uploaded file the problem is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

fn default_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::UNAUTHORIZED => "You need to sign in, or send an API token",
        StatusCode::FORBIDDEN => "You do not have permission to do this",
        StatusCode::UNPROCESSABLE_ENTITY => "The request was refused",
        StatusCode::METHOD_NOT_ALLOWED => "This address does not accept that method",
        StatusCode::PAYLOAD_TOO_LARGE => "The request is too large",
        s if s.is_server_error() => "Sorry, there is a problem with the service",
        _ => "The request could not be handled",
    }
}

/// Whether a request is for the JSON API (its errors are JSON) rather than a page.
pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Middleware that shows every error in the right form: a GOV.UK page for people, JSON under
/// `/api/`. It also catches the plain-text errors axum and tower produce themselves (a wrong
/// method, a body too large, a panic), so no client ever sees a bare status.
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let api = is_api_path(request.uri().path());
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let headers = response.headers().clone();
    let report = match response.extensions().get::<ErrorReport>() {
        Some(_) if api => return response,
        Some(report) => report.clone(),
        None if produced_by_us(&response) => return response,
        // An extractor refused the query or the path's values (axum answers 400 in plain
        // text): that is refused input, so it is a 422 naming the field, like every other.
        None if status == StatusCode::BAD_REQUEST => {
            let text = axum::body::to_bytes(response.into_body(), REJECTION_LIMIT)
                .await
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default();
            rejection_report(&text)
        }
        None => ErrorReport {
            status,
            message: default_message(status).to_owned(),
            fields: Vec::new(),
        },
    };
    let mut rendered = if api {
        report.into_response()
    } else {
        (report.status, error_page(&state.config, &report)).into_response()
    };
    // Keep headers such as `Allow` (405) and `WWW-Authenticate` (401); the body's own
    // content headers are the new ones.
    for (name, value) in &headers {
        if !rendered.headers().contains_key(name) && name.as_str() != "content-length" {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rendered
}

/// The most of a plain-text rejection read to find what it refused.
const REJECTION_LIMIT: usize = 4096;

/// The report of a value an extractor refused, from axum's words ("Failed to deserialize query
/// string: version: invalid digit found in string"): the field, and what is wrong with it.
fn rejection_report(text: &str) -> ErrorReport {
    let detail = text.split_once(": ").map_or(text, |(_, rest)| rest).trim();
    let (field, problem) = match detail.split_once(": ") {
        Some((field, problem))
            if !field.is_empty()
                && field
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']')) =>
        {
            (field.to_owned(), problem.to_owned())
        }
        _ => ("query".to_owned(), detail.to_owned()),
    };
    let problem = if problem.is_empty() {
        "is not a value Accord can read".to_owned()
    } else {
        problem
    };
    ErrorReport {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: format!("{field}: {problem}"),
        fields: vec![FieldError {
            field,
            message: problem,
            line: None,
        }],
    }
}

/// Whether a response already has a body meant for its client: a page (such as a refused
/// form shown again) or JSON.
fn produced_by_us(response: &Response) -> bool {
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    content_type.starts_with("text/html") || content_type.starts_with("application/json")
}

/// The GOV.UK error page for a report.
pub fn error_page(config: &WebConfig, report: &ErrorReport) -> Markup {
    let (title, body) = match report.status {
        StatusCode::NOT_FOUND => (
            "Page not found",
            html! {
                p class="govuk-body" { "If you typed the web address, check it is correct." }
                p class="govuk-body" { "If you pasted the web address, check you copied the entire address." }
                p class="govuk-body" { a class="govuk-link" href="/" { "Go to the home page" } }
            },
        ),
        StatusCode::UNAUTHORIZED => (
            "You need to sign in",
            html! { p class="govuk-body" { "You need to sign in to see this page." } },
        ),
        StatusCode::FORBIDDEN
            if !report.message.is_empty()
                && report.message != default_message(StatusCode::FORBIDDEN) =>
        {
            (
                "Sorry, that did not work",
                html! { p class="govuk-body" { (report.message) } },
            )
        }
        StatusCode::FORBIDDEN => (
            "You do not have permission to see this page",
            html! {
                p class="govuk-body" {
                    "If you think you should have access, ask your partnership’s programme team."
                }
            },
        ),
        StatusCode::TOO_MANY_REQUESTS => (
            "Too many attempts",
            html! { p class="govuk-body" { (report.message) } },
        ),
        StatusCode::UNPROCESSABLE_ENTITY => {
            let invalid = Invalid {
                errors: report.fields.clone(),
            };
            (
                "There is a problem",
                html! {
                    @if invalid.is_empty() {
                        p class="govuk-body" { (report.message) }
                    } @else {
                        ul class="govuk-list govuk-list--bullet" {
                            @for error in &invalid.errors { li { (error) } }
                        }
                    }
                    p class="govuk-body" { "Go back, correct the problem and try again." }
                },
            )
        }
        StatusCode::CONFLICT => (
            "Your change could not be saved",
            html! {
                p class="govuk-body" { (report.message) }
                p class="govuk-body" { "Go back, reload the page to see the latest version, and try again." }
            },
        ),
        status if status.is_server_error() => (
            "Sorry, there is a problem with the service",
            html! {
                p class="govuk-body" { "Try again later." }
                p class="govuk-body" { "Nothing you entered has been saved if the page did not say so." }
            },
        ),
        _ => (
            "Sorry, that did not work",
            html! { p class="govuk-body" { (report.message) "." } },
        ),
    };
    layout::page(
        config,
        &Page::new(title),
        html! {
            div class="govuk-grid-row" {
                div class="govuk-grid-column-two-thirds" {
                    h1 class="govuk-heading-l" { (title) }
                    (body)
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    async fn body_of(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn each_error_has_its_status_and_json_body() {
        let invalid = Invalid::field("gss_code", "must look like E09000014").at_line(3);
        let cases = [
            (WebError::NotFound, 404, "Not found", serde_json::json!([])),
            (
                WebError::Unauthorised,
                401,
                "You need to sign in, or send an API token",
                serde_json::json!([]),
            ),
            (
                WebError::Forbidden,
                403,
                "You do not have permission to do this",
                serde_json::json!([]),
            ),
            (
                WebError::from(invalid),
                422,
                "line 3: gss_code: must look like E09000014",
                serde_json::json!([{"field": "gss_code", "message": "must look like E09000014", "line": 3}]),
            ),
            (
                WebError::conflict("The member was changed by someone else"),
                409,
                "The member was changed by someone else",
                serde_json::json!([]),
            ),
        ];
        for (error, status, message, fields) in cases {
            let response = error.into_response();
            assert_eq!(response.status().as_u16(), status);
            assert_eq!(
                body_of(response).await,
                serde_json::json!({"error": {"status": status, "message": message, "fields": fields}})
            );
        }
    }

    #[tokio::test]
    async fn internal_errors_are_never_sent() {
        let error: anyhow::Error = Err::<(), _>(std::io::Error::other("password=hunter2 at db"))
            .context("loading partnership 7")
            .unwrap_err();
        let response = WebError::from(error).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = body_of(response).await.to_string();
        assert!(
            !body.contains("hunter2") && !body.contains("partnership 7"),
            "{body}"
        );
        assert!(body.contains("Sorry, there is a problem with the service"));
    }

    #[test]
    fn error_pages_follow_gov_uk_wording() {
        let config = WebConfig::new("Council");
        let cases = [
            (
                StatusCode::NOT_FOUND,
                "<title>Page not found – Accord</title>",
            ),
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service",
            ),
            (
                StatusCode::FORBIDDEN,
                "You do not have permission to see this page",
            ),
        ];
        for (status, expected) in cases {
            let report = ErrorReport {
                status,
                message: String::new(),
                fields: Vec::new(),
            };
            let html = error_page(&config, &report).into_string();
            assert!(html.contains(expected), "{status}: {html}");
        }
        let report = WebError::from(Invalid::field("name", "Enter a name")).report();
        let html = error_page(&config, &report).into_string();
        assert!(html.contains("name: Enter a name"));
    }

    #[test]
    fn api_paths_are_told_apart_from_pages() {
        let cases = [
            ("/api/v1/partnerships", true),
            ("/api", true),
            ("/api/openapi.json", true),
            ("/apiary", false),
            ("/", false),
            ("/partnerships/api", false),
        ];
        for (path, api) in cases {
            assert_eq!(is_api_path(path), api, "{path}");
        }
    }
}
