//! The request pages in headless Chromium: the caseload, a request with its working, the
//! deadline calculator (and the other request pages) pass axe-core's WCAG 2.2 AA rules, and
//! the calculator and the workflow's forms work without JavaScript.
//!
//! These tests need Debian's `chromium` and `chromium-driver`; without them they fail and say
//! how to install them.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

mod support;

use accord::demo::DEMO_PASSPHRASE;
use accord_domain::access::ReadScope;
use accord_store::RecordQuery;
use accord_store::requests::REQUEST_KIND;
use accord_testkit::{Browser, TestServer};
use support::{TestApp, report_day};

async fn sign_in(browser: &Browser, server: &TestServer, email: &str) {
    browser.goto(&server.url("/sign-in")).await.unwrap();
    browser.fill("email", email).await.unwrap();
    browser.fill("passphrase", DEMO_PASSPHRASE).await.unwrap();
    browser.click_button("Sign in").await.unwrap();
    assert!(
        browser.text().await.unwrap().contains("Sign out"),
        "signing in as {email} failed"
    );
}

/// Each request's reference, with what its address names it by (its reference too).
async fn request_ids(app: &TestApp, pid: i64) -> Vec<(String, String)> {
    let scope = ReadScope {
        everything_but_personal: true,
        ..ReadScope::default()
    };
    app.store
        .records(&RecordQuery::of(REQUEST_KIND, pid), &scope, report_day())
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let reference = r.reference.unwrap();
            (reference.clone(), reference)
        })
        .collect()
}

async fn check(browser: &Browser, path: &str, title: &str) {
    let actual = browser.title().await.unwrap();
    assert_eq!(actual, title, "{path}");
    browser
        .assert_accessible()
        .await
        .unwrap_or_else(|report| panic!("{path}: {report:#}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_pages_pass_axe_wcag_2_2_aa() {
    let app = TestApp::demo(report_day()).await;
    let pid = app.hwf().await;
    let ids = request_ids(&app, pid).await;
    let server = TestServer::spawn(app.router.clone()).await.unwrap();
    let browser = Browser::start().await.expect("headless Chromium starts");

    // The calculator is public: empty, answered, and refused.
    let path = "/deadline-calculator";
    browser.goto(&server.url(path)).await.unwrap();
    check(&browser, path, "Deadline calculator – Accord").await;
    browser.choose("regime").await.unwrap();
    browser.fill("received", "3").await.unwrap();
    browser.fill("received-month", "3").await.unwrap();
    browser.fill("received-year", "2011").await.unwrap();
    browser.click_button("Calculate").await.unwrap();
    check(
        &browser,
        "calculator result",
        "Deadline calculator – Accord",
    )
    .await;
    assert!(browser.text().await.unwrap().contains("1 April 2011"));
    // A year the calendars do not cover (a date ahead of today is counted, with a note).
    browser.fill("received-year", "1989").await.unwrap();
    browser.click_button("Calculate").await.unwrap();
    check(
        &browser,
        "calculator refusal",
        "Error: Deadline calculator – Accord",
    )
    .await;

    sign_in(&browser, &server, "information@haringey.demo.accord.test").await;
    let id = |reference: &str| {
        ids.iter()
            .find(|(r, _)| r == reference)
            .map(|(_, id)| id.clone())
            .unwrap()
    };
    let pages = [
        (
            format!("/partnerships/{pid}/requests/caseload"),
            "Caseload – Haringey – Accord".to_owned(),
        ),
        (
            format!("/partnerships/{pid}/requests/{}", id("HWF-FOI-2011-0001")),
            "HWF-FOI-2011-0001 – information request – Accord".to_owned(),
        ),
        (
            format!("/partnerships/{pid}/requests/{}", id("HWF-FOI-2011-0002")),
            "HWF-FOI-2011-0002 – information request – Accord".to_owned(),
        ),
        (
            format!("/partnerships/{pid}/requests/{}", id("HWF-SAR-2011-0005")),
            "HWF-SAR-2011-0005 – information request – Accord".to_owned(),
        ),
        (
            format!("/partnerships/{pid}/requests"),
            "Information requests – Haringey – Waltham Forest Shared Services Preferred Partnership – Accord".to_owned(),
        ),
        (
            format!("/partnerships/{pid}/requests/new"),
            "Log a new request – Accord".to_owned(),
        ),
        (
            format!("/partnerships/{pid}/requests/statistics"),
            "Request statistics – Haringey – Waltham Forest Shared Services Preferred Partnership – Accord".to_owned(),
        ),
        (
            format!("/partnerships/{pid}/disclosure-log"),
            "Disclosure log – Haringey – Waltham Forest Shared Services Preferred Partnership – Accord".to_owned(),
        ),
        (
            format!(
                "/partnerships/{pid}/requests/{}/actions/send_response",
                id("HWF-EIR-2011-0003")
            ),
            "Send the response – Accord".to_owned(),
        ),
        (
            format!(
                "/partnerships/{pid}/requests/{}/actions/submit_draft",
                id("HWF-SAR-2011-0005")
            ),
            "Put the draft to the single points of contact – Accord".to_owned(),
        ),
    ];
    for (path, title) in &pages {
        browser.goto(&server.url(path)).await.unwrap();
        check(&browser, path, title).await;
    }
    // The working, opened, is accessible too.
    browser.goto(&server.url(&pages[1].0)).await.unwrap();
    browser
        .client()
        .execute(
            "document.querySelectorAll('details').forEach(d => d.open = true);",
            vec![],
        )
        .await
        .unwrap();
    check(&browser, "request with its working open", &pages[1].1).await;
    // A refused action form, with its error summary.
    browser.goto(&server.url(&pages[2].0)).await.unwrap();
    browser
        .click_link("Sign off the draft for your council")
        .await
        .unwrap();
    browser.fill("on", "").await.unwrap();
    browser
        .click_button("Sign off the draft for your council")
        .await
        .unwrap();
    check(
        &browser,
        "refused sign-off",
        "Error: Sign off the draft for your council – Accord",
    )
    .await;

    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_calculator_and_the_workflow_work_without_javascript() {
    let app = TestApp::demo(report_day()).await;
    let pid = app.hwf().await;
    let ids = request_ids(&app, pid).await;
    let server = TestServer::spawn(app.router.clone()).await.unwrap();
    let browser = Browser::start_without_javascript()
        .await
        .expect("headless Chromium starts");

    browser
        .goto(&server.url("/deadline-calculator"))
        .await
        .unwrap();
    browser.choose("regime").await.unwrap();
    browser.fill("received", "20").await.unwrap();
    browser.fill("received-month", "4").await.unwrap();
    browser.fill("received-year", "2011").await.unwrap();
    browser.click_button("Calculate").await.unwrap();
    let text = browser.text().await.unwrap();
    assert!(text.contains("24 May 2011"), "{text}");
    assert!(!browser.source().await.unwrap().contains("js-enabled"));

    // Haringey's single point of contact signs off the draft that waits for them.
    sign_in(&browser, &server, "information@haringey.demo.accord.test").await;
    let (_, id) = ids.iter().find(|(r, _)| r == "HWF-FOI-2011-0002").unwrap();
    browser
        .goto(&server.url(&format!("/partnerships/{pid}/requests/{id}")))
        .await
        .unwrap();
    browser
        .click_link("Sign off the draft for your council")
        .await
        .unwrap();
    browser
        .click_button("Sign off the draft for your council")
        .await
        .unwrap();
    let text = browser.text().await.unwrap();
    assert!(
        text.contains("Signed off for Haringey on 21 July 2011"),
        "{text}"
    );
    assert!(text.contains("Send the draft for communications clearance"));

    browser.close().await.unwrap();
}
