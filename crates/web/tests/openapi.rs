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

/// The schema a response or property names, followed through `$ref`s to the components.
fn resolve<'a>(
    document: &'a serde_json::Value,
    schema: &'a serde_json::Value,
) -> &'a serde_json::Value {
    let mut schema = schema;
    while let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        schema = &document["components"]["schemas"][name];
    }
    schema
}

/// Whether a response schema is a list: an array, or an object holding its rows in `items`.
fn is_list(document: &serde_json::Value, schema: &serde_json::Value) -> bool {
    let schema = resolve(document, schema);
    schema["type"] == "array"
        || resolve(document, &schema["properties"]["items"])["type"] == "array"
}

/// The GET operations of the API whose answer is a list, with whether they page it: a list
/// takes `limit` and `cursor`, and answers its `total` and the `next` page's address.
fn lists(document: &serde_json::Value) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let schema = &get["responses"]["200"]["content"]["application/json"]["schema"];
        if schema.is_null() || !is_list(document, schema) {
            continue;
        }
        let params: Vec<&str> = get["parameters"]
            .as_array()
            .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect())
            .unwrap_or_default();
        let body = resolve(document, schema);
        let paged = params.contains(&"limit")
            && params.contains(&"cursor")
            && body["properties"]["total"].is_object()
            && body["properties"]["next"].is_object();
        out.push((path.clone(), paged));
    }
    out
}

/// Lists bounded by what they list, which answer whole: a partnership's boards (one per level,
/// three at most), the versions of its gateway criteria, and the request statistics (a table
/// of counts by group, summed in SQL).
const WHOLE_LISTS: &[&str] = &[
    "/api/v1/partnerships/{id}/boards",
    "/api/v1/partnerships/{id}/criteria",
    "/api/v1/partnerships/{id}/requests/statistics",
];

#[test]
fn every_list_in_the_api_is_paged_with_limit_and_cursor() {
    let document = serde_json::to_value(routes::openapi_document()).unwrap();
    let lists = lists(&document);
    assert!(lists.len() >= 8, "the API's lists: {lists:?}");
    let unpaged: Vec<&String> = lists
        .iter()
        .filter(|(path, paged)| !paged && !WHOLE_LISTS.contains(&path.as_str()))
        .map(|(path, _)| path)
        .collect();
    assert!(
        unpaged.is_empty(),
        "these API lists do not take limit and cursor and answer total and next: {unpaged:?}"
    );
}

#[test]
fn the_paging_check_sees_an_unpaged_list() {
    let document = serde_json::json!({
        "paths": {
            "/api/v1/things": {"get": {"responses": {"200": {"content": {"application/json": {
                "schema": {"type": "array", "items": {"type": "string"}}}}}}}},
            "/api/v1/pages": {"get": {
                "parameters": [{"name": "limit"}, {"name": "cursor"}],
                "responses": {"200": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Page"}}}}}}}
        },
        "components": {"schemas": {"Page": {"type": "object", "properties": {
            "items": {"type": "array"}, "total": {"type": "integer"}, "next": {"type": "string"}}}}}
    });
    let mut found = lists(&document);
    found.sort();
    assert_eq!(
        found,
        vec![
            ("/api/v1/pages".to_owned(), true),
            ("/api/v1/things".to_owned(), false)
        ]
    );
}

/// The document names each schema by its type's name, so two types of one name would be one
/// schema, the second silently standing for both (a criteria version was once described as a
/// highlight report's, requiring a `published_on` it never has). Every type the API describes
/// has a name of its own.
#[test]
fn every_schema_name_is_one_types() {
    fn walk(dir: &std::path::Path, found: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let mut described = false;
                for line in text.lines().map(str::trim) {
                    if line.starts_with("#[derive") && line.contains("ToSchema") {
                        described = true;
                    } else if described && line.starts_with("#[schema(as") {
                        described = false;
                    } else if described
                        && let Some(rest) = line
                            .strip_prefix("pub struct ")
                            .or_else(|| line.strip_prefix("pub enum "))
                    {
                        let name: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        found.push((name, path.display().to_string()));
                        described = false;
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(found.len() > 50, "the scan finds the API's types");
    found.sort();
    let twice: Vec<String> = found
        .windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .map(|w| format!("{} in {} and {}", w[0].0, w[0].1, w[1].1))
        .collect();
    assert!(twice.is_empty(), "{}", twice.join("\n"));
    // The criteria's versions are described as what they are.
    let document = serde_json::to_value(routes::openapi_document()).unwrap();
    let version = &document["components"]["schemas"]["CriteriaVersionOut"];
    assert!(version["properties"]["rule"].is_object(), "{version}");
    assert!(
        version["properties"].get("published_on").is_none(),
        "{version}"
    );
}

/// Every operation documents the refusals it can give: 401 for a token that is not valid
/// (any route), 403 where it is guarded or changes something, 404 where its path names a
/// record; and the server gives them as documented, in the shape of `ErrorResponse`.
#[tokio::test]
async fn every_operation_documents_its_refusals_and_gives_them() {
    let document = serde_json::to_value(routes::openapi_document()).unwrap();
    let mut problems = Vec::new();
    let mut operations = 0;
    for route in routes::route_table()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/"))
    {
        let operation = &document["paths"][&route.path][route.method.to_lowercase()];
        let responses = &operation["responses"];
        operations += 1;
        let mut expected = vec!["401"];
        if route.guard != Guard::Public || route.method != "GET" {
            expected.push("403");
        }
        if route.path.contains('{') {
            expected.push("404");
        }
        for status in expected {
            if responses[status].is_null() {
                problems.push(format!(
                    "{} {} does not document {status}",
                    route.method, route.path
                ));
            }
        }
    }
    assert!(operations > 50);
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let store = accord_store::connect("sqlite::memory:").await.unwrap();
    let router = app(AppState::new(
        WebConfig::new("Council"),
        accord_app::App::new(store),
    ));
    let bad_token = http::get_with(
        &router,
        "/api/v1/authorities",
        &[("authorization", "Bearer accord_pat_not-a-token")],
    )
    .await;
    assert_eq!(bad_token.status, StatusCode::UNAUTHORIZED);
    assert!(
        bad_token.json()["error"]["message"].is_string(),
        "{}",
        bad_token.body
    );
    // A change with no credentials at all is 401, naming the scheme to use.
    let anonymous = http::send_json(
        &router,
        axum::http::Method::POST,
        "/api/v1/partnerships",
        &serde_json::json!({"name": "A partnership"}),
    )
    .await;
    assert_eq!(
        anonymous.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        anonymous.body
    );
    assert_eq!(anonymous.header("www-authenticate"), "Bearer");
    // Every list's limit is described as the server checks it.
    let limit = document["paths"]["/api/v1/partnerships"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["schema"]["minimum"], 1, "{limit}");
    assert_eq!(limit["schema"]["maximum"], 500, "{limit}");
    let missing = http::get(&router, "/api/v1/authorities/E99999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    assert!(
        missing.json()["error"]["message"].is_string(),
        "{}",
        missing.body
    );
}
