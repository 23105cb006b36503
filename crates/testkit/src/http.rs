//! Requests sent straight to a router, without a socket or a browser.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use tower::ServiceExt as _;

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct TestResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, as text.
    pub body: String,
}

impl TestResponse {
    /// A header's value as text (`""` when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }

    /// The body parsed as JSON.
    ///
    /// # Panics
    ///
    /// When the body is not JSON, showing the body.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {}", self.body))
    }
}

/// Sends a request and reads the whole response.
///
/// # Panics
///
/// When the router fails to answer or the body cannot be read: both are test failures.
pub async fn send(router: &Router, request: Request<Body>) -> TestResponse {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .unwrap_or_else(|error| match error {});
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the response body can be read");
    TestResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// `GET path`.
pub async fn get(router: &Router, path: &str) -> TestResponse {
    send(router, request(Method::GET, path, Body::empty())).await
}

/// `GET path` with extra headers.
pub async fn get_with(router: &Router, path: &str, headers: &[(&str, &str)]) -> TestResponse {
    let mut request = request(Method::GET, path, Body::empty());
    for (name, value) in headers {
        request.headers_mut().insert(
            header::HeaderName::from_bytes(name.as_bytes()).expect("a valid header name"),
            value.parse().expect("a valid header value"),
        );
    }
    send(router, request).await
}

/// `POST path` with a form body (`name=value&…`, already encoded).
pub async fn post_form(router: &Router, path: &str, body: &str) -> TestResponse {
    let mut request = request(Method::POST, path, Body::from(body.to_owned()));
    request.headers_mut().insert(
        header::CONTENT_TYPE,
        "application/x-www-form-urlencoded"
            .parse()
            .expect("a valid header value"),
    );
    send(router, request).await
}

/// A request with a JSON body.
pub async fn send_json(
    router: &Router,
    method: Method,
    path: &str,
    body: &serde_json::Value,
) -> TestResponse {
    let mut request = request(method, path, Body::from(body.to_string()));
    request.headers_mut().insert(
        header::CONTENT_TYPE,
        "application/json".parse().expect("a valid header value"),
    );
    send(router, request).await
}

fn request(method: Method, path: &str, body: Body) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .body(body)
        .expect("a request built from a method and a path is valid")
}
