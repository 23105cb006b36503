//! The web shell over HTTP, without a browser: status codes, headers, error forms and assets.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

use accord_domain::Invalid;
use accord_testkit::http::{self, Client, TestResponse};
use accord_web::forms::JsonBody;
use accord_web::guard::Guard;
use accord_web::{AppState, Routes, WebConfig, WebError, app, app_from, assets};
use axum::Router;
use axum::http::{Method, StatusCode};
use serde::Deserialize;

async fn state() -> AppState {
    let store = accord_store::connect("sqlite::memory:")
        .await
        .expect("an in-memory database opens");
    AppState::new(
        WebConfig::new("London Borough of Waltham Forest"),
        accord_app::App::new(store),
    )
}

async fn router() -> Router {
    app(state().await)
}

/// A client holding an API token of a signed-up user, for API writes.
async fn token_client(state: AppState, router: Router) -> Client {
    let user = accord_store::NewUser {
        email: "api@example.gov.uk".into(),
        display_name: "API".into(),
        home: None,
        passphrase_hash: accord_store::credentials::hash_passphrase("a long test passphrase"),
        admin: false,
    };
    let id = state
        .app
        .legacy_store()
        .create_user(&user, &accord_store::Change::by("test"))
        .await
        .unwrap();
    let (token, digest) = accord_store::credentials::new_secret("accord_pat_");
    state
        .app
        .legacy_store()
        .create_api_token(id, "test", &digest, &accord_store::Change::by("test"))
        .await
        .unwrap();
    Client::new(router).with_token(&token)
}

fn assert_security_headers(response: &TestResponse, what: &str) {
    let csp = response.header("content-security-policy");
    assert!(csp.contains("default-src 'self'"), "{what}: CSP is {csp:?}");
    assert!(csp.contains("script-src 'self'"), "{what}: CSP is {csp:?}");
    assert!(
        csp.contains("frame-ancestors 'none'"),
        "{what}: CSP is {csp:?}"
    );
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: CSP is {csp:?}"
    );
    assert_eq!(
        response.header("x-content-type-options"),
        "nosniff",
        "{what}"
    );
    assert_eq!(response.header("referrer-policy"), "same-origin", "{what}");
    assert_eq!(response.header("x-frame-options"), "DENY", "{what}");
}

#[tokio::test]
async fn health_answers_ok_in_json() {
    let response = http::get(&router().await, "/health").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header("content-type"), "application/json");
    assert_eq!(response.json(), serde_json::json!({"status": "ok"}));
    assert_security_headers(&response, "/health");
}

#[tokio::test]
async fn pages_render_with_security_headers_and_no_inline_script() {
    for path in ["/", "/components"] {
        let response = http::get(&router().await, path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(
            response.header("content-type"),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert_security_headers(&response, path);
        let body = &response.body;
        assert!(body.starts_with("<!DOCTYPE html>"), "{path}");
        assert!(
            body.contains("London Borough of Waltham Forest"),
            "{path}: no council name"
        );
        // Every script is external: the CSP would block an inline one.
        for script in body.split("<script").skip(1) {
            let tag = script.split('>').next().unwrap_or_default();
            assert!(tag.contains(" src="), "{path}: inline script <script{tag}>");
        }
        assert!(
            !body.contains(" style="),
            "{path}: inline style attributes break the CSP"
        );
        for asset in [assets::ACCORD_CSS, assets::ACCORD_JS, assets::FAVICON_SVG] {
            assert!(body.contains(asset), "{path}: no link to {asset}");
        }
    }
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year_and_revalidate_by_etag() {
    let router = router().await;
    for (url, content_type) in [
        (assets::ACCORD_CSS, "text/css; charset=utf-8"),
        (assets::ACCORD_JS, "text/javascript; charset=utf-8"),
        (assets::FAVICON_SVG, "image/svg+xml"),
    ] {
        let response = http::get(&router, url).await;
        assert_eq!(response.status, StatusCode::OK, "{url}");
        assert_eq!(response.header("content-type"), content_type, "{url}");
        assert_eq!(
            response.header("cache-control"),
            "public, max-age=31536000, immutable"
        );
        let etag = response.header("etag").to_owned();
        assert!(
            url.contains(etag.trim_matches('"')),
            "{url} has ETag {etag}"
        );
        assert!(!response.body.is_empty());

        let again = http::get_with(&router, url, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{url}");
        assert!(again.body.is_empty());
    }

    let plain = http::get(&router, "/assets/accord.css").await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header("cache-control"), "no-cache");

    let missing = http::get(&router, "/assets/accord.0000000000000000.css").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let response = http::get_with(
        &router().await,
        assets::ACCORD_CSS,
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(response.header("content-encoding"), "gzip");
}

#[tokio::test]
async fn unknown_pages_get_the_gov_uk_not_found_page_and_api_paths_get_json() {
    let router = router().await;
    let page = http::get(&router, "/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
    assert!(page.body.contains("<title>Page not found – Accord</title>"));
    assert!(
        page.body
            .contains("If you typed the web address, check it is correct.")
    );
    assert_security_headers(&page, "404 page");

    let api = http::get(&router, "/api/v1/no-such-thing").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(
        api.json(),
        serde_json::json!({"error": {"status": 404, "message": "Not found", "fields": []}})
    );
}

#[tokio::test]
async fn a_wrong_method_is_explained_in_the_right_form_and_keeps_allow() {
    let router = router().await;
    let page = http::send(
        &router,
        axum::http::Request::builder()
            .method(Method::DELETE)
            .uri("/components")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        page.body
            .contains("This address does not accept that method")
    );
    assert!(
        page.header("allow").contains("GET"),
        "Allow: {}",
        page.header("allow")
    );

    // API writes need a token (CSRF protection comes before routing); with one, the wrong
    // method is explained in JSON.
    let state = state().await;
    let mut client = token_client(state.clone(), app(state)).await;
    let api = client.post_form_raw("/api/openapi.json", "").await;
    assert_eq!(api.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(api.json()["error"]["status"], 405);
}

#[tokio::test]
async fn a_refused_form_is_shown_again_with_its_errors_and_an_accepted_one_redirects() {
    let router = router().await;
    let mut client = Client::new(router.clone());
    let token = client.csrf().await;
    let refused = client
        .post_form_raw("/components", &format!("name=&csrf_token={token}"))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.header("content-type"), "text/html; charset=utf-8");
    let body = &refused.body;
    assert!(body.contains("<title>Error: Components – Accord</title>"));
    assert!(body.contains("There is a problem"));
    assert!(body.contains(r##"<a href="#name">Enter the partnership’s name</a>"##));
    assert!(body.contains(r#"<p id="joined-error" class="govuk-error-message">"#));

    let kept = client
        .post_form_raw(
            "/components",
            &format!(
                "name=Shared+legal&joined-day=31&joined-month=2&joined-year=2011&csrf_token={token}"
            ),
        )
        .await;
    assert!(
        kept.body.contains(r#"value="Shared legal""#),
        "typed values are kept"
    );
    assert!(
        kept.body
            .contains("The date the council joined must be a real date")
    );

    let accepted = client
        .post_form_raw(
            "/components",
            &format!(
                "name=Shared+legal&council_type=county&role=host&services=legal&services=hr\
                 &joined-day=1&joined-month=4&joined-year=2011&csrf_token={token}"
            ),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        accepted.header("location"),
        "/components?submitted=yes#example-form"
    );
    let after = http::get(&router, "/components?submitted=yes").await;
    assert!(after.body.contains("The example form was accepted"));
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[allow(dead_code)]
struct EchoInput {
    name: String,
    joined: chrono::NaiveDate,
}

async fn echo(JsonBody(input): JsonBody<EchoInput>) -> Result<String, WebError> {
    if input.name.trim().is_empty() {
        return Err(Invalid::field("name", "Enter a name").into());
    }
    Ok(input.name)
}

async fn fail_internally() -> Result<String, WebError> {
    Err(anyhow::anyhow!("connection to postgres://accord:secret@db failed").into())
}

async fn panic_in_handler() -> String {
    panic!("a bug")
}

async fn test_router() -> (AppState, Router) {
    let state = state().await;
    let router = app_from(
        Routes::new()
            .post("/api/v1/echo", Guard::Public, echo)
            .get("/boom", Guard::Public, fail_internally)
            .get("/api/v1/boom", Guard::Public, fail_internally)
            .get("/panic", Guard::Public, panic_in_handler),
        state.clone(),
    );
    (state, router)
}

#[tokio::test]
async fn api_refusals_name_the_field_in_json() {
    let (state, router) = test_router().await;
    let mut client = token_client(state, router.clone()).await;
    let cases = [
        (
            serde_json::json!({"name": "x"}),
            "joined",
            "missing field `joined`",
        ),
        (
            serde_json::json!({"name": "x", "joined": "21/12/2010"}),
            "joined",
            "input contains invalid characters",
        ),
        (
            serde_json::json!({"name": " ", "joined": "2010-12-21"}),
            "name",
            "Enter a name",
        ),
        (
            serde_json::json!({"name": "x", "joined": "2010-12-21", "id": 1}),
            "id",
            "unknown field `id`",
        ),
    ];
    for (body, field, message) in cases {
        let response = client.send_json(Method::POST, "/api/v1/echo", &body).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let json = response.json();
        assert_eq!(json["error"]["status"], 422);
        assert_eq!(json["error"]["fields"][0]["field"], field, "{json}");
        let got = json["error"]["fields"][0]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(got.starts_with(message), "{body}: {got}");
    }

    let not_json = client.post_form_raw("/api/v1/echo", "name=x").await;
    assert_eq!(not_json.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(not_json.json()["error"]["fields"][0]["field"], "body");

    let ok = client
        .send_json(
            Method::POST,
            "/api/v1/echo",
            &serde_json::json!({"name": "Tri-borough", "joined": "2011-06-01"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body, "Tri-borough");
}

#[tokio::test]
async fn internal_errors_and_panics_show_an_apology_and_never_the_cause() {
    let (_, router) = test_router().await;
    for path in ["/boom", "/panic"] {
        let page = http::get(&router, path).await;
        assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert_eq!(
            page.header("content-type"),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert!(
            page.body
                .contains("Sorry, there is a problem with the service"),
            "{path}"
        );
        assert!(
            !page.body.contains("secret") && !page.body.contains("a bug"),
            "{path} leaks"
        );
        assert_security_headers(&page, path);
    }
    let api = http::get(&router, "/api/v1/boom").await;
    assert_eq!(api.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!api.body.contains("secret"));
    assert_eq!(
        api.json()["error"]["message"],
        "Sorry, there is a problem with the service"
    );
}
