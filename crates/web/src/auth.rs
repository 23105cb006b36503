//! Who is asking: sessions (cookies) for people, API tokens (bearer) for programs, and CSRF
//! protection for every state-changing form.
//!
//! [`authenticate`] runs on every request. It resolves the caller into a [`Viewer`] (an
//! anonymous visitor when nothing valid is presented), checks the CSRF token of every form
//! post, and hands out the CSRF cookie. Pages and the API read the [`Viewer`]; access
//! decisions are the domain's (`accord_domain::access`), applied by [`crate::guard`].

use accord_domain::access::{Actor, ReadScope, UserAccount};
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, COOKIE, HOST, ORIGIN, SET_COOKIE,
    STRICT_TRANSPORT_SECURITY,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

use crate::error::{WebError, is_api_path};
use crate::{AppState, WebConfig};

/// The session cookie: a random token whose digest names a server-side session.
pub const SESSION_COOKIE: &str = "accord_session";

/// The CSRF cookie; every form carries the same value in [`CSRF_FIELD`]. Signed in, the value
/// is the session's form token ([`accord_app::identity::form_token`]) and the check compares
/// with that, whatever cookie comes; signed out, the form must match the cookie.
pub const CSRF_COOKIE: &str = "accord_csrf";

/// The cookies' names over TLS: the `__Host-` prefix makes the browser refuse any such cookie
/// that is not Secure, is scoped to a domain or sent by a sibling host, so a neighbour on the
/// same domain cannot plant a session or a CSRF cookie.
const SECURE_SESSION_COOKIE: &str = "__Host-accord_session";
const SECURE_CSRF_COOKIE: &str = "__Host-accord_csrf";

/// The name of a cookie as it is set and read, over TLS or not.
pub fn cookie_name(name: &'static str, secure: bool) -> &'static str {
    match (name, secure) {
        (SESSION_COOKIE, true) => SECURE_SESSION_COOKIE,
        (CSRF_COOKIE, true) => SECURE_CSRF_COOKIE,
        _ => name,
    }
}

/// The session secret a request came with, under the cookie name its transport uses.
pub fn session_secret(config: &WebConfig, headers: &HeaderMap) -> Option<String> {
    cookie(
        headers,
        cookie_name(SESSION_COOKIE, is_secure(config, headers)),
    )
}

/// The form field holding the CSRF token (also accepted in the query string, for file uploads).
pub use crate::forms::CSRF_FIELD;

/// The largest form body read to find its CSRF token (file uploads use the query string).
const FORM_LIMIT: usize = 4 * 1024 * 1024;

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// What the access policy knows about them.
    pub actor: Actor,
    /// Their account, when signed in or using an API token.
    pub user: Option<UserAccount>,
    /// The CSRF token to put in forms.
    pub csrf: String,
    /// Whether they came with an API token rather than a session.
    pub via_token: bool,
}

impl Viewer {
    /// An anonymous visitor.
    pub fn anonymous(csrf: String) -> Self {
        Viewer {
            actor: Actor::anonymous(),
            user: None,
            csrf,
            via_token: false,
        }
    }

    /// What they may read.
    pub fn scope(&self) -> ReadScope {
        ReadScope::of(&self.actor)
    }

    /// Whether signed in (or using an API token).
    pub fn is_signed_in(&self) -> bool {
        self.user.is_some()
    }

    /// Who is asking, for the use cases.
    pub fn caller(&self) -> accord_app::Caller {
        accord_app::Caller {
            actor: self.actor.clone(),
            user: self.user.clone(),
            via_token: self.via_token,
            system: None,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .unwrap_or_else(|| Viewer::anonymous(String::new())))
    }
}

/// The value of a cookie in a request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// Whether the request reached Accord over TLS: the configured `https://` address, or (only
/// behind a proxy trusted to set its headers) the proxy's `X-Forwarded-Proto`. A client's own
/// header is not believed, so it cannot choose the cookies' names or ask for HSTS.
fn is_secure(config: &WebConfig, headers: &HeaderMap) -> bool {
    config.secure_cookies
        || (config.trust_forwarded_for
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.eq_ignore_ascii_case("https")))
}

/// A `Set-Cookie` value: HttpOnly always, `Secure` behind TLS, and the given SameSite.
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age_seconds: i64,
    same_site: &str,
    secure: bool,
) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let value = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_seconds}{secure}"
    );
    HeaderValue::from_str(&value)
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// Compares secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The client's address, for throttling.
pub fn client_address(
    config: &WebConfig,
    request_parts: (&HeaderMap, Option<&ConnectInfo<SocketAddr>>),
) -> String {
    let (headers, connect) = request_parts;
    if config.trust_forwarded_for
        && let Some(first) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return first.trim().to_owned();
    }
    connect.map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string())
}

/// Middleware: resolves the caller, enforces CSRF on form posts, issues the CSRF cookie.
pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match authenticate_inner(&state, request, next).await {
        Ok(response) | Err(response) => response,
    }
}

async fn authenticate_inner(
    state: &AppState,
    mut request: Request,
    next: Next,
) -> Result<Response, Response> {
    let headers = request.headers().clone();
    let now = chrono::Utc::now();
    let secure = is_secure(&state.config, &headers);
    let mut viewer = Viewer::anonymous(String::new());
    // Signed in through a session, the form token is the session's own.
    let mut bound_csrf = None;

    if let Some(auth) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let Some(token) = auth.strip_prefix("Bearer ").map(str::trim) else {
            return Err(refused(
                StatusCode::UNAUTHORIZED,
                "Send an API token as: Authorization: Bearer <token>",
            ));
        };
        match accord_app::identity::token_user(&state.app, token, now).await {
            Ok(Some(user)) => {
                viewer = Viewer {
                    actor: user.actor(),
                    user: Some(user),
                    csrf: String::new(),
                    via_token: true,
                };
            }
            Ok(None) => {
                return Err(refused(
                    StatusCode::UNAUTHORIZED,
                    "The API token is not valid: it may have been revoked, or its user disabled",
                ));
            }
            Err(e) => return Err(WebError::Internal(e.into()).into_response()),
        }
    } else if let Some(session) = session_secret(&state.config, &headers) {
        match accord_app::identity::session_user(
            &state.app,
            &session,
            now,
            state.config.session_idle,
        )
        .await
        {
            Ok(Some(user)) => {
                viewer = Viewer {
                    actor: user.actor(),
                    user: Some(user),
                    csrf: String::new(),
                    via_token: false,
                };
                bound_csrf = Some(accord_app::identity::form_token(&session));
            }
            // An expired or unknown session is simply no session: the guard asks them to sign in.
            Ok(None) => {}
            Err(e) => return Err(WebError::Internal(e.into()).into_response()),
        }
    }

    let csrf_cookie = cookie_name(CSRF_COOKIE, secure);
    let existing_csrf = cookie(&headers, csrf_cookie);
    let (expected, issue_csrf) = match bound_csrf {
        // The cookie only mirrors the token (for clients that read it); it is never trusted.
        Some(bound) => {
            let stale = existing_csrf.as_deref() != Some(bound.as_str());
            (Some(bound), stale)
        }
        None => (
            existing_csrf.clone(),
            existing_csrf.is_none() && !viewer.via_token,
        ),
    };
    viewer.csrf = expected
        .clone()
        .unwrap_or_else(accord_app::identity::new_token);

    // The token a form must carry, for the route's check (see `check_csrf`): the session's,
    // or signed out the cookie's as the browser sent it.
    request.extensions_mut().insert(ExpectedCsrf(expected));
    request.extensions_mut().insert(viewer.clone());
    let mut response = next.run(request).await;
    // A response that signs in or out sets the cookies itself.
    let sets_session = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(csrf_cookie.as_bytes()));
    if issue_csrf && !sets_session {
        let value = set_cookie(
            csrf_cookie,
            &viewer.csrf,
            state.config.session_absolute.num_seconds(),
            "Strict",
            secure,
        );
        response.headers_mut().append(SET_COOKIE, value);
    }
    let headers = response.headers_mut();
    // What a signed-in reader sees (requesters' personal data, unreleased papers) is theirs
    // alone: no browser or proxy keeps a copy. Public pages and assets say their own.
    if viewer.user.is_some() && !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // Reached over TLS, browsers are told to come back only over TLS for a year.
    if secure {
        headers.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    Ok(response)
}

/// The token a form of this request must carry.
#[derive(Debug, Clone)]
struct ExpectedCsrf(Option<String>);

/// Checks the CSRF token of a state-changing request, after routing (so a wrong address or
/// method is answered as such). API tokens need none; a session cookie is never enough for an
/// API write; a form must carry its session's token (signed out, its CSRF cookie's) and come
/// from this site.
pub async fn check_csrf(request: Request) -> Result<Request, Response> {
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let via_token = request
        .extensions()
        .get::<Viewer>()
        .is_some_and(|v| v.via_token);
    if !unsafe_method || via_token {
        return Ok(request);
    }
    if is_api_path(request.uri().path()) {
        let signed_in = request
            .extensions()
            .get::<Viewer>()
            .is_some_and(Viewer::is_signed_in);
        let message =
            "Changes through the API need an API token: send Authorization: Bearer <token>";
        // No credentials at all is 401, with the scheme to use; a browser's session is a
        // credential, but never one for the API's changes: 403.
        if !signed_in {
            let mut response = refused(StatusCode::UNAUTHORIZED, message);
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer"),
            );
            return Err(response);
        }
        return Err(refused(StatusCode::FORBIDDEN, message));
    }
    let config = request
        .extensions()
        .get::<AppState>()
        .map(|s| s.config.clone());
    if !same_origin(request.headers(), config.as_deref()) {
        return Err(refused(
            StatusCode::FORBIDDEN,
            "This form was sent from another website, so it was refused. Nothing was changed.",
        ));
    }
    let expected = request
        .extensions()
        .get::<ExpectedCsrf>()
        .and_then(|s| s.0.clone());
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| refused(StatusCode::PAYLOAD_TOO_LARGE, "The form is too large"))?;
    let sent = form_csrf(&parts, &bytes);
    let valid =
        matches!((&expected, &sent), (Some(expected), Some(sent)) if same_secret(expected, sent));
    if !valid {
        return Err(refused(
            StatusCode::FORBIDDEN,
            "Your form could not be sent because it had expired or came from somewhere else. Go back, reload the page and try again. Nothing was changed.",
        ));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn refused(status: StatusCode, message: &str) -> Response {
    WebError::Refused(status, message.to_owned()).into_response()
}

/// Whether an `Origin` header, when the browser sent one, names this site: the `Host` the
/// request came to, the public host of the configured base URL, or (behind a trusted proxy) the
/// forwarded host.
fn same_origin(headers: &HeaderMap, config: Option<&WebConfig>) -> bool {
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let mut hosts = vec![header(HOST.as_str()).to_owned()];
    if let Some(config) = config {
        if let Some(base) = &config.base_url {
            let host = base
                .split_once("://")
                .map_or(base.as_str(), |(_, rest)| rest);
            hosts.push(
                host.trim_end_matches('/')
                    .split('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
        if config.trust_forwarded_for {
            hosts.push(header("x-forwarded-host").to_owned());
        }
    }
    hosts
        .iter()
        .any(|h| !h.is_empty() && origin_host.eq_ignore_ascii_case(h))
}

/// The CSRF token a form sent: the form field of an urlencoded body, or the query parameter.
fn form_csrf(parts: &Parts, body: &[u8]) -> Option<String> {
    let from_pairs = |pairs: &[u8]| {
        form_urlencoded_pairs(pairs)
            .into_iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v)
    };
    let urlencoded = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let in_body = if urlencoded { from_pairs(body) } else { None };
    in_body.or_else(|| parts.uri.query().and_then(|q| from_pairs(q.as_bytes())))
}

/// Decodes `a=1&b=2` (with `+` and percent escapes); nothing for a body that is not a form.
fn form_urlencoded_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(bytes).unwrap_or_default()
}

pub use accord_app::identity::{SignInRefusal, SignedIn};

/// Checks credentials and starts a session (see [`accord_app::identity::sign_in`]).
pub async fn sign_in(
    state: &AppState,
    email: &str,
    passphrase: &str,
    address: &str,
) -> Result<Result<SignedIn, SignInRefusal>, WebError> {
    Ok(accord_app::identity::sign_in(
        &state.app,
        email,
        passphrase,
        address,
        state.config.session_absolute,
    )
    .await?)
}

/// The cookies that start a session: the session itself, and its form token (new with the
/// session, so a token seen before sign-in is useless after it).
pub fn session_cookies(config: &WebConfig, headers: &HeaderMap, session: &str) -> [HeaderValue; 2] {
    let secure = is_secure(config, headers);
    let max_age = config.session_absolute.num_seconds();
    [
        set_cookie(
            cookie_name(SESSION_COOKIE, secure),
            session,
            max_age,
            "Lax",
            secure,
        ),
        set_cookie(
            cookie_name(CSRF_COOKIE, secure),
            &accord_app::identity::form_token(session),
            max_age,
            "Strict",
            secure,
        ),
    ]
}

/// The cookies that end a session.
pub fn cleared_cookies(config: &WebConfig, headers: &HeaderMap) -> [HeaderValue; 1] {
    let secure = is_secure(config, headers);
    [set_cookie(
        cookie_name(SESSION_COOKIE, secure),
        "",
        0,
        "Lax",
        secure,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_form_pairs() {
        let pairs = form_urlencoded_pairs(b"csrf_token=a%2Bb&name=Haringey+%26+Waltham%20Forest");
        assert_eq!(
            pairs,
            vec![
                ("csrf_token".to_owned(), "a+b".to_owned()),
                ("name".to_owned(), "Haringey & Waltham Forest".to_owned()),
            ]
        );
    }

    #[test]
    fn compares_secrets() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }

    #[test]
    fn forms_are_accepted_only_from_this_site() {
        let mut config = WebConfig::new("Test");
        let with = |origin: &str, host: &str| {
            let mut h = HeaderMap::new();
            h.insert(ORIGIN, HeaderValue::from_str(origin).unwrap());
            h.insert(HOST, HeaderValue::from_str(host).unwrap());
            h
        };
        assert!(same_origin(
            &with("http://127.0.0.1:8080", "127.0.0.1:8080"),
            Some(&config)
        ));
        assert!(!same_origin(
            &with("https://evil.example", "127.0.0.1:8080"),
            Some(&config)
        ));
        assert!(
            !same_origin(
                &with("https://accord.example.gov.uk", "10.0.0.5:8080"),
                Some(&config)
            ),
            "behind a proxy, without the base URL"
        );
        config.base_url = Some("https://accord.example.gov.uk/".into());
        assert!(same_origin(
            &with("https://accord.example.gov.uk", "10.0.0.5:8080"),
            Some(&config)
        ));
        assert!(
            same_origin(&HeaderMap::new(), Some(&config)),
            "no Origin header: the token decides"
        );
    }

    #[test]
    fn reads_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; accord_csrf=xyz; b="));
        assert_eq!(cookie(&headers, CSRF_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie(&headers, "b"), None);
    }
}
