//! End to end in headless Chromium: the demo's pages pass axe-core's WCAG 2.2 AA rules, and
//! signing in and editing work without JavaScript.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

mod support;

use accord_testkit::{Browser, TestServer};
use support::{TestApp, report_day};

async fn sign_in(browser: &Browser, server: &TestServer, email: &str) {
    browser.goto(&server.url("/sign-in")).await.unwrap();
    browser.fill("email", email).await.unwrap();
    browser
        .fill("passphrase", accord::demo::DEMO_PASSPHRASE)
        .await
        .unwrap();
    browser.click_button("Sign in").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_foundation_pages_pass_axe_and_show_the_demo() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let server = TestServer::spawn(app.router.clone()).await.unwrap();
    let browser = Browser::start().await.expect("headless Chromium starts");

    browser.goto(&server.url("/")).await.unwrap();
    assert_eq!(
        browser.title().await.unwrap(),
        "Shared services partnerships – Accord"
    );
    let home = browser.text().await.unwrap();
    assert!(home.contains("Haringey – Waltham Forest Shared Services Preferred Partnership"));
    assert!(home.contains("Tri-borough"));
    browser
        .assert_accessible()
        .await
        .unwrap_or_else(|r| panic!("home: {r:#}"));

    browser
        .click_link("Haringey – Waltham Forest Shared Services Preferred Partnership")
        .await
        .unwrap();
    let page = browser.text().await.unwrap();
    for text in [
        "Haringey",
        "Waltham Forest",
        "22 May 2014",
        "Next review due",
        "21 September 2011",
    ] {
        assert!(page.contains(text), "{text} on the partnership page");
    }
    browser
        .assert_accessible()
        .await
        .unwrap_or_else(|r| panic!("partnership page: {r:#}"));

    for path in [
        format!("/partnerships/{hwf}/mou"),
        "/authorities".to_owned(),
        "/authorities/E09000014".to_owned(),
        "/data-sources".to_owned(),
        "/sign-in".to_owned(),
    ] {
        browser.goto(&server.url(&path)).await.unwrap();
        browser
            .assert_accessible()
            .await
            .unwrap_or_else(|r| panic!("{path}: {r:#}"));
    }

    // A refused sign-in, then the pages behind sign-in.
    browser.goto(&server.url("/sign-in")).await.unwrap();
    browser.click_button("Sign in").await.unwrap();
    assert!(browser.title().await.unwrap().starts_with("Error: "));
    browser
        .assert_accessible()
        .await
        .unwrap_or_else(|r| panic!("refused sign-in: {r:#}"));
    sign_in(&browser, &server, "admin@demo.accord.test").await;
    for path in [
        "/account".to_owned(),
        "/account/tokens".to_owned(),
        "/admin/audit".to_owned(),
        "/admin/users".to_owned(),
        format!("/partnerships/{hwf}/history"),
        format!("/partnerships/{hwf}/mou/edit"),
        format!("/partnerships/{hwf}/members/new"),
        format!("/partnerships/{hwf}/mou/events/new"),
        "/partnerships/new".to_owned(),
    ] {
        browser.goto(&server.url(&path)).await.unwrap();
        assert!(
            !browser.title().await.unwrap().starts_with("Sign in"),
            "{path} needs no further sign-in"
        );
        browser
            .assert_accessible()
            .await
            .unwrap_or_else(|r| panic!("{path}: {r:#}"));
    }
    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_and_editing_work_without_javascript() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let server = TestServer::spawn(app.router.clone()).await.unwrap();
    let browser = Browser::start_without_javascript()
        .await
        .expect("headless Chromium starts");
    // Asking for a page behind sign-in goes to the sign-in page and back.
    browser
        .goto(&server.url(&format!("/partnerships/{hwf}/edit")))
        .await
        .unwrap();
    assert_eq!(browser.title().await.unwrap(), "Sign in – Accord");
    browser
        .fill("email", "programme@haringey.demo.accord.test")
        .await
        .unwrap();
    browser
        .fill("passphrase", accord::demo::DEMO_PASSPHRASE)
        .await
        .unwrap();
    browser.click_button("Sign in").await.unwrap();
    assert_eq!(
        browser.title().await.unwrap(),
        "Change the name or summary – Accord"
    );
    browser.fill("reason", "A test of the form").await.unwrap();
    browser
        .fill("summary", "Changed in a browser without JavaScript")
        .await
        .unwrap();
    browser.click_button("Save changes").await.unwrap();
    assert!(
        browser
            .text()
            .await
            .unwrap()
            .contains("Changed in a browser without JavaScript")
    );
    browser.click_button("Sign out").await.unwrap();
    assert!(browser.text().await.unwrap().contains("Sign in"));
    browser.close().await.unwrap();
}
