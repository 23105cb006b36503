//! The finance pages in headless Chromium: the business case (with its charts), apportionment
//! and savings ledger pages pass axe-core's WCAG 2.2 AA rules, and a line can be added to a
//! business case without JavaScript.
//!
//! These tests need Debian's `chromium` and `chromium-driver`.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

mod support;

use accord::demo::DEMO_PASSPHRASE;
use accord_testkit::{Browser, TestServer};
use support::{TestApp, report_day};

fn first_link(html: &str, prefix: &str) -> String {
    let rest = html.split(prefix).nth(1).unwrap();
    format!("{prefix}{}", rest.split('"').next().unwrap())
}

async fn sign_in(browser: &Browser, server: &TestServer) {
    browser.goto(&server.url("/sign-in")).await.unwrap();
    browser
        .fill("email", "finance@haringey.demo.accord.test")
        .await
        .unwrap();
    browser.fill("passphrase", DEMO_PASSPHRASE).await.unwrap();
    browser.click_button("Sign in").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finance_pages_pass_axe_and_work_without_javascript() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let partnerships = app.store.partnerships().await.unwrap();
    let counties = partnerships
        .iter()
        .find(|p| p.name.contains("Slough"))
        .unwrap()
        .id;
    let tees = partnerships
        .iter()
        .find(|p| p.name.contains("Hartlepool"))
        .unwrap()
        .id;
    let server = TestServer::spawn(app.router.clone()).await.unwrap();
    let browser = Browser::start().await.expect("headless Chromium starts");
    sign_in(&browser, &server).await;

    let tees_cases = format!("/partnerships/{tees}/business-cases/");
    browser
        .goto(&server.url(&format!("/partnerships/{tees}/business-cases")))
        .await
        .unwrap();
    let tees_case = first_link(&browser.source().await.unwrap(), &tees_cases);
    let counties_allocations = format!("/partnerships/{counties}/allocations/");
    browser
        .goto(&server.url(&format!("/partnerships/{counties}/allocations")))
        .await
        .unwrap();
    let allocation = first_link(&browser.source().await.unwrap(), &counties_allocations);
    let hwf_cases = format!("/partnerships/{hwf}/business-cases/");
    browser
        .goto(&server.url(&format!("/partnerships/{hwf}/business-cases")))
        .await
        .unwrap();
    let hr_case = first_link(&browser.source().await.unwrap(), &hwf_cases);

    // Going to the page already shown reloads it under axe's feet: start elsewhere.
    for path in [
        tees_case.clone(),
        format!("/partnerships/{hwf}/business-cases"),
        format!("{hr_case}/line?option=1&type=saving"),
        format!("/partnerships/{hwf}/business-cases/new"),
        format!("/partnerships/{counties}/allocations"),
        allocation,
        format!("/partnerships/{hwf}/allocations/new"),
        format!("/partnerships/{hwf}/savings"),
        format!("/partnerships/{hwf}/savings/new"),
        format!("/partnerships/{hwf}/savings/import"),
        format!("/partnerships/{hwf}/funding"),
        format!("/partnerships/{hwf}/funding/new"),
    ] {
        browser.goto(&server.url(&path)).await.unwrap();
        browser
            .assert_accessible()
            .await
            .unwrap_or_else(|report| panic!("{path}: {report:#}"));
    }
    browser.goto(&server.url(&tees_case)).await.unwrap();
    assert!(browser.exists("svg.accord-chart").await.unwrap());
    browser.close().await.unwrap();

    // Add a cost line without JavaScript, and see the refusal first.
    let browser = Browser::start_without_javascript()
        .await
        .expect("headless Chromium starts");
    sign_in(&browser, &server).await;
    browser
        .goto(&server.url(&format!("{hr_case}/line?option=1&type=cost")))
        .await
        .unwrap();
    browser.fill("name", "Implementation").await.unwrap();
    browser.choose("kind").await.unwrap();
    browser.fill("low", "300000").await.unwrap();
    browser.fill("most_likely", "200000").await.unwrap();
    browser.fill("high", "400000").await.unwrap();
    browser.click_button("Save and appraise").await.unwrap();
    assert!(browser.title().await.unwrap().starts_with("Error: "));
    assert!(
        browser
            .text()
            .await
            .unwrap()
            .contains("The low amount is above the most likely")
    );
    browser.fill("low", "150000").await.unwrap();
    browser.click_button("Save and appraise").await.unwrap();
    assert!(browser.current_url().await.unwrap().ends_with(&hr_case));
    assert!(browser.text().await.unwrap().contains("Implementation"));
    browser
        .goto(&server.url(&format!("/partnerships/{hwf}/savings")))
        .await
        .unwrap();
    assert!(browser.text().await.unwrap().contains("Savings ledger"));
    browser.close().await.unwrap();
}
