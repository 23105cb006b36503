//! The opportunity, assessment and RAG matrix pages in headless Chromium: they pass axe-core's
//! WCAG 2.2 AA rules, and a council can rate without JavaScript.
//!
//! These tests need Debian's `chromium` and `chromium-driver`.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

mod support;

use accord::demo::DEMO_PASSPHRASE;
use accord_testkit::{Browser, TestServer};
use support::{TestApp, report_day};

async fn sign_in(browser: &Browser, server: &TestServer, email: &str) {
    browser.goto(&server.url("/sign-in")).await.unwrap();
    browser.fill("email", email).await.unwrap();
    browser.fill("passphrase", DEMO_PASSPHRASE).await.unwrap();
    browser.click_button("Sign in").await.unwrap();
}

/// The reference of a demo opportunity, by its service.
async fn opportunity(app: &TestApp, hwf: i64, service: &str) -> String {
    let mut client = app
        .token_client("programme@haringey.demo.accord.test")
        .await;
    let page = client
        .get(&format!("/api/v1/partnerships/{hwf}/opportunities"))
        .await
        .json();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["service"]["name"] == service)
        .unwrap()["reference"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_pages_pass_axe_wcag_2_2_aa() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let contact = opportunity(&app, hwf, "Contact Centre").await;
    let legal = opportunity(&app, hwf, "Legal Services").await;
    let server = TestServer::spawn(app.router.clone()).await.unwrap();
    let browser = Browser::start().await.expect("headless Chromium starts");

    // A councillor (viewer) reads the matrix and the outcomes.
    sign_in(&browser, &server, "councillor@haringey.demo.accord.test").await;
    let base = format!("/partnerships/{hwf}/opportunities");
    for (path, title) in [
        (format!("{base}/matrix"), "RAG matrix"),
        (base.clone(), "Opportunities"),
        (format!("{base}/ranking"), "The programme ranked"),
        (format!("{base}/{legal}"), "Legal Services"),
        (
            format!("{base}/{legal}/assessment"),
            "Compatibility assessment",
        ),
        (
            format!("{base}/{contact}/assessment/E09000014"),
            "Haringey’s ratings",
        ),
        (
            format!("/partnerships/{hwf}/criteria"),
            "Compatibility criteria",
        ),
        ("/services".to_owned(), "Service catalogue"),
    ] {
        browser.goto(&server.url(&path)).await.unwrap();
        assert!(
            browser.title().await.unwrap().starts_with(title),
            "{path}: {}",
            browser.title().await.unwrap()
        );
        browser.assert_accessible().await.or_fail(&path);
    }
    browser.close().await.unwrap();

    // The programme team's forms, and a refused one.
    let browser = Browser::start().await.expect("headless Chromium starts");
    sign_in(&browser, &server, "programme@haringey.demo.accord.test").await;
    for path in [
        format!("{base}/{contact}/assessment/E09000031"),
        format!("{base}/{contact}/status"),
        format!("{base}/{contact}/other-partners"),
        format!("{base}/new"),
        format!("/partnerships/{hwf}/criteria/new"),
    ] {
        browser.goto(&server.url(&path)).await.unwrap();
        browser.assert_accessible().await.or_fail(&path);
    }
    browser
        .goto(&server.url(&format!("{base}/{contact}/other-partners")))
        .await
        .unwrap();
    browser.click_button("Record the partner").await.unwrap();
    assert!(browser.title().await.unwrap().starts_with("Error: "));
    browser
        .assert_accessible()
        .await
        .or_fail("refused other partner");
    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_council_rates_without_javascript() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let contact = opportunity(&app, hwf, "Contact Centre").await;
    let server = TestServer::spawn(app.router.clone()).await.unwrap();
    let browser = Browser::start_without_javascript()
        .await
        .expect("headless Chromium starts");
    sign_in(&browser, &server, "officer@walthamforest.demo.accord.test").await;
    let page = format!("/partnerships/{hwf}/opportunities/{contact}/assessment/E09000031");
    browser.goto(&server.url(&page)).await.unwrap();
    // Risk (the eighth criterion): Green, with a reason.
    browser.choose("ratings[7].rating-3").await.unwrap();
    browser
        .fill(
            "ratings[7].rationale",
            "Third-party options reviewed and ruled out",
        )
        .await
        .unwrap();
    browser.click_button("Save the ratings").await.unwrap();
    assert!(
        browser
            .title()
            .await
            .unwrap()
            .starts_with("Compatibility assessment"),
        "{}",
        browser.title().await.unwrap()
    );
    let text = browser.text().await.unwrap();
    assert!(text.contains("Third-party options reviewed and ruled out"));
    browser.close().await.unwrap();
}

/// Shows axe's report in the failure message.
trait OrFail {
    fn or_fail(self, what: &str);
}

impl OrFail for anyhow::Result<()> {
    fn or_fail(self, what: &str) {
        if let Err(report) = self {
            panic!("{what}: {report:#}");
        }
    }
}
