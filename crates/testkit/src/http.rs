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
    /// The body as it came, for files that are not text (an XLSX download).
    pub bytes: Vec<u8>,
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
        bytes: bytes.to_vec(),
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

/// A client that keeps cookies between requests, as a browser does: the CSRF cookie Accord
/// hands out and the session cookie of a sign-in. Form posts carry the CSRF token
/// automatically; an API token, when set, is sent as a bearer token.
#[derive(Debug, Clone)]
pub struct Client {
    router: Router,
    cookies: std::collections::BTreeMap<String, String>,
    bearer: Option<String>,
}

impl Client {
    /// A client with no cookies.
    pub fn new(router: Router) -> Self {
        Self {
            router,
            cookies: std::collections::BTreeMap::new(),
            bearer: None,
        }
    }

    /// The same client sending `token` as `Authorization: Bearer <token>`.
    #[must_use]
    pub fn with_token(mut self, token: &str) -> Self {
        self.bearer = Some(token.to_owned());
        self
    }

    /// The same client holding a cookie (a session created directly in the store, say).
    #[must_use]
    pub fn with_cookie(mut self, name: &str, value: &str) -> Self {
        self.cookies.insert(name.to_owned(), value.to_owned());
        self
    }

    /// The value of a cookie the client holds.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    /// Forgets a cookie (to test what happens without it).
    pub fn forget(&mut self, name: &str) {
        self.cookies.remove(name);
    }

    /// Sends a request with the client's cookies and token, keeping the cookies it is given.
    pub async fn send(&mut self, mut request: Request<Body>) -> TestResponse {
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request.headers_mut().insert(
                header::COOKIE,
                jar.join("; ")
                    .parse()
                    .expect("cookie values are header-safe"),
            );
        }
        if let Some(token) = &self.bearer {
            request.headers_mut().insert(
                header::AUTHORIZATION,
                format!("Bearer {token}")
                    .parse()
                    .expect("tokens are header-safe"),
            );
        }
        let response = send(&self.router, request).await;
        for value in response.headers.get_all(header::SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let Some((pair, attributes)) = text.split_once(';').or(Some((text, ""))) else {
                continue;
            };
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
        response
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> TestResponse {
        self.send(request(Method::GET, path, Body::empty())).await
    }

    /// The CSRF token, fetching a page first to be given one.
    pub async fn csrf(&mut self) -> String {
        if self.cookie("accord_csrf").is_none() {
            self.get("/sign-in").await;
        }
        self.cookie("accord_csrf").unwrap_or_default().to_owned()
    }

    /// `POST path` with form fields (encoded here) and the CSRF token.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form_raw(path, &encode(&all)).await
    }

    /// `POST path` with a form body exactly as given (no CSRF token added).
    pub async fn post_form_raw(&mut self, path: &str, body: &str) -> TestResponse {
        let mut request = request(Method::POST, path, Body::from(body.to_owned()));
        request.headers_mut().insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded"
                .parse()
                .expect("a valid header value"),
        );
        self.send(request).await
    }

    /// A request with a JSON body.
    pub async fn send_json(
        &mut self,
        method: Method,
        path: &str,
        body: &serde_json::Value,
    ) -> TestResponse {
        let mut request = request(method, path, Body::from(body.to_string()));
        request.headers_mut().insert(
            header::CONTENT_TYPE,
            "application/json".parse().expect("a valid header value"),
        );
        self.send(request).await
    }

    /// Signs in through the sign-in form.
    pub async fn sign_in(&mut self, email: &str, passphrase: &str) -> TestResponse {
        self.post_form("/sign-in", &[("email", email), ("passphrase", passphrase)])
            .await
    }
}

/// Encodes form fields as `application/x-www-form-urlencoded`.
pub fn encode(fields: &[(&str, &str)]) -> String {
    fn part(text: &str) -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    char::from(b).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", part(k), part(v)))
        .collect::<Vec<_>>()
        .join("&")
}
