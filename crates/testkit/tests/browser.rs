//! The harness itself: axe-core really finds violations, and JavaScript really is off when
//! asked. Without these, a passing accessibility test could mean nothing.

use accord_testkit::{Browser, TestServer};
use axum::Router;
use axum::response::Html;
use axum::routing::get;

const BROKEN: &str = r#"<!DOCTYPE html>
<html lang="en-GB"><head><title>Broken</title></head>
<body><main>
  <h1>Broken page</h1>
  <img src="/chart.png" id="chart">
  <form><input type="text" name="name" id="unlabelled"></form>
</main></body></html>"#;

const SCRIPTED: &str = r#"<!DOCTYPE html>
<html lang="en-GB"><head><title>Before</title></head>
<body><main><h1 id="heading">Before</h1>
<script>document.title = "After"; document.getElementById("heading").textContent = "After";</script>
</main></body></html>"#;

async fn serve() -> TestServer {
    let router = Router::new()
        .route("/broken", get(|| async { Html(BROKEN) }))
        .route("/scripted", get(|| async { Html(SCRIPTED) }));
    TestServer::spawn(router)
        .await
        .expect("the test pages are served")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_reports_each_violation_with_its_element() {
    let server = serve().await;
    let browser = Browser::start().await.expect("headless Chromium starts");
    browser.goto(&server.url("/broken")).await.unwrap();

    let violations = browser.axe().await.unwrap();
    let ids: Vec<&str> = violations.iter().map(|v| v.id.as_str()).collect();
    assert!(ids.contains(&"image-alt"), "{ids:?}");
    assert!(ids.contains(&"label"), "{ids:?}");

    let error = browser.assert_accessible().await.unwrap_err().to_string();
    assert!(error.contains("image-alt"), "{error}");
    assert!(
        error.contains("#chart"),
        "the report names the element: {error}"
    );
    assert!(
        error.contains("#unlabelled"),
        "the report names the element: {error}"
    );

    browser.goto(&server.url("/scripted")).await.unwrap();
    assert_eq!(browser.title().await.unwrap(), "After");
    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn javascript_off_means_page_scripts_do_not_run() {
    let server = serve().await;
    let browser = Browser::start_without_javascript()
        .await
        .expect("headless Chromium starts");
    browser.goto(&server.url("/scripted")).await.unwrap();
    assert_eq!(browser.title().await.unwrap(), "Before");
    assert_eq!(browser.text_of("#heading").await.unwrap(), "Before");
    browser.close().await.unwrap();
}
