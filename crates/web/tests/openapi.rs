//! The OpenAPI document: generated from the code, served, and complete for `/api/v1`.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

use accord_testkit::http;
use accord_web::guard::Guard;
use accord_web::openapi::{self, undocumented};
use accord_web::routes::{self, OPENAPI_PATH};
use accord_web::{AppState, Routes, WebConfig, app};
use axum::http::StatusCode;
use utoipa_axum::routes as api_routes;

#[tokio::test]
async fn the_document_is_openapi_3_1_and_is_what_the_server_serves() {
    let store = accord_store::connect("sqlite::memory:")
        .await
        .expect("an in-memory database opens");
    let response = http::get(
        &app(AppState::new(
            WebConfig::new("Council"),
            accord_app::App::new(store),
        )),
        OPENAPI_PATH,
    )
    .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header("content-type"), "application/json");
    let served = response.json();
    assert_eq!(served["openapi"], "3.1.0");
    assert_eq!(served["info"]["title"], "Accord");
    assert_eq!(served["info"]["license"]["identifier"], "MIT");
    assert!(served["paths"]["/health"]["get"].is_object(), "{served}");
    assert!(served["components"]["schemas"]["ErrorResponse"].is_object());
    let generated = serde_json::to_value(routes::openapi_document()).unwrap();
    assert_eq!(served, generated);
}

#[test]
fn every_api_v1_route_is_described() {
    let missing = undocumented(&routes::route_table(), &routes::openapi_document());
    assert!(
        missing.is_empty(),
        "routes under /api/v1 missing from the OpenAPI document (add them with `.api(routes!(…))` \
         and a #[utoipa::path] annotation): {missing:?}"
    );
}

#[test]
fn the_check_catches_a_route_added_without_its_description() {
    async fn secret() -> &'static str {
        "undocumented"
    }
    let routes = Routes::new()
        .get("/api/v1/secret", Guard::Public, secret)
        .get("/not-api", Guard::Public, secret)
        .api(Guard::Public, api_routes!(openapi::health));
    let (_, table, document) = routes.finish();
    let missing: Vec<String> = undocumented(&table, &document)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(missing, ["GET /api/v1/secret"]);
}

#[test]
fn the_route_table_lists_every_route_once() {
    let table = routes::route_table();
    let listed: Vec<String> = table.iter().map(ToString::to_string).collect();
    for expected in [
        "GET /",
        "GET /components",
        "POST /components",
        "GET /assets/{file}",
        "GET /health",
        "GET /api/openapi.json",
    ] {
        assert!(
            listed.iter().any(|l| l == expected),
            "{expected} not in {listed:?}"
        );
    }
    let mut unique = listed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        listed.len(),
        "a route is listed twice: {listed:?}"
    );
}
