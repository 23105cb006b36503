//! The delivery and governance pages in headless Chromium: they pass axe-core's WCAG 2.2 AA
//! rules (with their charts, tables and refused forms), and their forms work without
//! JavaScript.
//!
//! These tests need Debian's `chromium` and `chromium-driver`; without them they fail and say
//! how to install them.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

mod support;

use accord::demo::DEMO_PASSPHRASE;
use accord_store::RecordQuery;
use accord_testkit::{Browser, TestServer};
use accord_web::delivery;
use support::{TestApp, report_day};

const PROGRAMME: &str = "programme@haringey.demo.accord.test";

async fn record_of(app: &TestApp, kind: &str, title: &str) -> accord_store::StoredRecord {
    let hwf = app.hwf().await;
    app.store
        .records(
            &RecordQuery::of(kind, hwf),
            &delivery::system_scope(),
            report_day(),
        )
        .await
        .unwrap()
        .into_iter()
        .find(|r| title.is_empty() || r.title == title)
        .unwrap_or_else(|| panic!("no {kind} {title}"))
}

async fn id_of(app: &TestApp, kind: &str, title: &str) -> i64 {
    record_of(app, kind, title).await.id
}

/// The reference a record's address carries (P-7, R2, 1).
async fn reference_of(app: &TestApp, kind: &str, title: &str) -> String {
    record_of(app, kind, title).await.reference.unwrap()
}

/// The demo, with a planned project, a scheduled board, a paper and a published progress
/// report, so that every kind of page has content.
async fn prepared() -> (TestApp, i64) {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut client = app.signed_in(PROGRAMME).await;
    let planned = client
        .post_form(
            &format!("/partnerships/{hwf}/projects"),
            &[
                ("name", "Audit"),
                ("size", "small"),
                ("start-day", "1"),
                ("start-month", "6"),
                ("start-year", "2011"),
            ],
        )
        .await;
    assert_eq!(planned.status, axum::http::StatusCode::SEE_OTHER);
    let board = "programme";
    client
        .post_form(
            &format!("/partnerships/{hwf}/boards/{board}/schedule"),
            &[
                ("cadence", "fortnightly"),
                ("first-day", "28"),
                ("first-month", "7"),
                ("first-year", "2011"),
                ("until-day", "31"),
                ("until-month", "12"),
                ("until-year", "2011"),
            ],
        )
        .await;
    let paper = client
        .post_form(
            &format!("/partnerships/{hwf}/boards/{board}/papers"),
            &[
                ("meeting", "1"),
                ("title", "Economic development staffing"),
                ("author", "Head of Economic Development"),
                ("informs", "1"),
            ],
        )
        .await;
    assert_eq!(
        paper.status,
        axum::http::StatusCode::SEE_OTHER,
        "{}",
        paper.body
    );
    client
        .post_form(
            &format!("/partnerships/{hwf}/progress-report/versions"),
            &[],
        )
        .await;
    (app, hwf)
}

async fn sign_in(browser: &Browser, server: &TestServer) {
    browser.goto(&server.url("/sign-in")).await.unwrap();
    browser.fill("email", PROGRAMME).await.unwrap();
    browser.fill("passphrase", DEMO_PASSPHRASE).await.unwrap();
    browser.click_button("Sign in").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_pages_pass_axe_wcag_2_2_aa() {
    let (app, hwf) = prepared().await;
    let economic = reference_of(&app, "project", "Economic Development").await;
    let audit = reference_of(&app, "project", "Audit").await;
    let board = "programme";
    let paper = id_of(&app, "paper", "Economic development staffing").await;
    let decision = id_of(&app, "decision", "").await;
    let risk = id_of(
        &app,
        "raid",
        "ERP support contracts expire before a shared solution is in place",
    )
    .await;
    let highlight = reference_of(&app, "highlight_report", "").await;
    let highlight = format!(
        "projects/{}",
        highlight.replacen('/', "/highlight-reports/", 1)
    );
    let progress = reference_of(&app, "progress_report", "").await;
    let server = TestServer::spawn(app.router.clone()).await.unwrap();
    let browser = Browser::start().await.expect("headless Chromium starts");
    sign_in(&browser, &server).await;
    let p = format!("/partnerships/{hwf}");
    let pages = [
        p.clone(),
        format!("{p}/projects"),
        format!("{p}/projects/new"),
        format!("{p}/projects/{economic}"),
        format!("{p}/projects/{audit}"),
        format!("{p}/projects/{audit}/dates?item=stage-define-strategy"),
        format!("{p}/projects/{audit}/cabinet-approvals?stage=define-strategy"),
        format!("{p}/projects/{audit}/milestones/new"),
        format!("{p}/projects/{economic}/edit"),
        format!("{p}/projects/{economic}/highlight-reports"),
        format!("{p}/{highlight}"),
        format!("{p}/{highlight}/versions/1"),
        format!("{p}/{highlight}/edit"),
        format!("{p}/timeline"),
        format!("{p}/progress-report"),
        format!("{p}/progress-report?format=paper"),
        format!("{p}/progress-report/versions"),
        format!("{p}/progress-report/versions/{progress}"),
        format!("{p}/boards"),
        format!("{p}/boards/{board}"),
        format!("{p}/boards/{board}/meetings/1"),
        format!("{p}/boards/{board}/schedule"),
        format!("{p}/boards/{board}/papers/new?meeting=1"),
        format!("{p}/papers/{paper}"),
        format!("{p}/decisions"),
        format!("{p}/decisions/{decision}"),
        format!("{p}/raid"),
        format!("{p}/raid?kind=risk&status=open&min_score=5"),
        format!("{p}/raid/{risk}"),
        format!("{p}/raid/new?kind=risk"),
    ];
    for path in &pages {
        browser.goto(&server.url(path)).await.unwrap();
        browser
            .assert_accessible()
            .await
            .unwrap_or_else(|report| panic!("{path}: {report:#}"));
    }

    // Refused forms, with their error summaries, are accessible too.
    browser
        .goto(&server.url(&format!("{p}/projects/new")))
        .await
        .unwrap();
    browser.click_button("Plan project").await.unwrap();
    assert!(browser.title().await.unwrap().starts_with("Error: "));
    browser
        .assert_accessible()
        .await
        .unwrap_or_else(|report| panic!("refused project form: {report:#}"));
    browser
        .goto(&server.url(&format!("{p}/raid/{risk}")))
        .await
        .unwrap();
    browser.click_button("Close item").await.unwrap();
    assert!(browser.title().await.unwrap().starts_with("Error: "));
    browser
        .assert_accessible()
        .await
        .unwrap_or_else(|report| panic!("refused close form: {report:#}"));
    browser.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_forms_work_without_javascript() {
    let (app, hwf) = prepared().await;
    let risk = id_of(
        &app,
        "raid",
        "ERP support contracts expire before a shared solution is in place",
    )
    .await;
    let server = TestServer::spawn(app.router.clone()).await.unwrap();
    let browser = Browser::start_without_javascript()
        .await
        .expect("headless Chromium starts");
    sign_in(&browser, &server).await;

    // Raise a risk: choose the kind, then fill in the form.
    browser
        .goto(&server.url(&format!("/partnerships/{hwf}/raid/new")))
        .await
        .unwrap();
    browser.choose("kind").await.unwrap();
    browser.click_button("Continue").await.unwrap();
    browser
        .fill("title", "Union consultation takes longer")
        .await
        .unwrap();
    browser.fill("owner", "Head of HR").await.unwrap();
    browser.select("inherent_probability", "4").await.unwrap();
    browser.select("inherent_impact", "4").await.unwrap();
    browser.select("residual_probability", "3").await.unwrap();
    browser.select("residual_impact", "4").await.unwrap();
    browser.click_button("Raise item").await.unwrap();
    assert!(
        browser
            .text()
            .await
            .unwrap()
            .contains("Union consultation takes longer")
    );

    // Filter the log to risks scoring 12 or more: the new risk and the ERP risk's inherent score.
    browser
        .goto(&server.url(&format!(
            "/partnerships/{hwf}/raid?kind=risk&min_score=12&basis=residual"
        )))
        .await
        .unwrap();
    let text = browser.text().await.unwrap();
    assert!(text.contains("Union consultation takes longer"), "{text}");
    assert!(!text.contains("Economic development phase 2 slips again"));

    // Escalate an item with the form.
    browser
        .goto(&server.url(&format!("/partnerships/{hwf}/raid/{risk}")))
        .await
        .unwrap();
    browser
        .fill(
            "reason",
            "The contracts expire before Project Athena reports",
        )
        .await
        .unwrap();
    browser
        .click_button("Escalate to the Programme Board")
        .await
        .unwrap();
    assert!(
        browser
            .text()
            .await
            .unwrap()
            .contains("The contracts expire before Project Athena reports")
    );
    browser.close().await.unwrap();
}
