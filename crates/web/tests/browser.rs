//! End-to-end checks in headless Chromium: the pages pass axe-core's WCAG 2.2 AA rules, and
//! they work without JavaScript.
//!
//! These tests need Debian's `chromium` and `chromium-driver`; without them they fail and say
//! how to install them.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

use accord_testkit::{Browser, TestServer};
use accord_web::{AppState, WebConfig, app};

async fn serve() -> TestServer {
    let store = accord_store::connect("sqlite::memory:")
        .await
        .expect("an in-memory database opens");
    TestServer::spawn(app(AppState::new(
        WebConfig::new("London Borough of Haringey"),
        accord_app::App::new(store),
    )))
    .await
    .expect("the app is served on a local port")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_pass_axe_wcag_2_2_aa() {
    let server = serve().await;
    let browser = Browser::start().await.expect("headless Chromium starts");

    for (path, title) in [
        ("/", "Shared services partnerships – Accord"),
        ("/components", "Components – Accord"),
        ("/no-such-page", "Page not found – Accord"),
    ] {
        browser.goto(&server.url(path)).await.unwrap();
        assert_eq!(browser.title().await.unwrap(), title);
        browser
            .assert_accessible()
            .await
            .unwrap_or_else(|report| panic!("{path}: {report:#}"));
    }

    // The refused form, with its error summary and inline messages, must be accessible too.
    browser.goto(&server.url("/components")).await.unwrap();
    browser.click_button("Check the form").await.unwrap();
    assert_eq!(browser.title().await.unwrap(), "Error: Components – Accord");
    browser
        .assert_accessible()
        .await
        .unwrap_or_else(|report| panic!("refused form: {report:#}"));

    // With JavaScript on, GOV.UK Frontend starts: the error summary takes focus.
    let source = browser.source().await.unwrap();
    assert!(
        source.contains("govuk-frontend-supported"),
        "GOV.UK Frontend did not start"
    );
    let focused = browser
        .client()
        .execute("return document.activeElement.className;", vec![])
        .await
        .unwrap();
    assert_eq!(focused, "govuk-error-summary");

    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_work_without_javascript() {
    let server = serve().await;
    let browser = Browser::start_without_javascript()
        .await
        .expect("headless Chromium starts");

    browser.goto(&server.url("/components")).await.unwrap();
    let source = browser.source().await.unwrap();
    assert!(
        !source.contains("js-enabled"),
        "JavaScript ran although it is off in this browser"
    );
    assert!(
        browser
            .text()
            .await
            .unwrap()
            .contains("London Borough of Haringey")
    );

    // Submitted empty: refused, shown again with every problem.
    browser.click_button("Check the form").await.unwrap();
    assert_eq!(browser.title().await.unwrap(), "Error: Components – Accord");
    let summary = browser.text_of(".govuk-error-summary").await.unwrap();
    for message in [
        "Enter the partnership’s name",
        "Choose the type of council",
        "Choose the council’s role",
        "Choose at least one service",
        "Enter the date the council joined",
    ] {
        assert!(
            summary.contains(message),
            "{message} missing from {summary}"
        );
    }

    // Filled in: accepted, and the page says so.
    browser.fill("name", "Shared legal service").await.unwrap();
    browser
        .select("council_type", "london-borough")
        .await
        .unwrap();
    browser.choose("role").await.unwrap();
    browser.choose("services-2").await.unwrap();
    browser.fill("joined", "21").await.unwrap();
    browser.fill("joined-month", "12").await.unwrap();
    browser.fill("joined-year", "2010").await.unwrap();
    browser.click_button("Check the form").await.unwrap();
    assert_eq!(browser.title().await.unwrap(), "Components – Accord");
    assert!(
        browser
            .text_of(".govuk-notification-banner--success")
            .await
            .unwrap()
            .contains("The example form was accepted")
    );
    assert!(!browser.exists(".govuk-error-summary").await.unwrap());

    browser.close().await.unwrap();
}
