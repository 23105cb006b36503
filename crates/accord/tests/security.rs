//! The access-control acceptance points of Accord: what each role sees, embargoes, tokens, CSRF,
//! throttling, and that every change leaves a verifiable audit entry.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

mod support;

use accord_domain::GssCode;
use accord_domain::access::{Area, Classification, Embargo, RecordMeta};
use accord_domain::audit::AuditAction;
use accord_store::records::{DECISION_KIND, DECISION_MADE};
use accord_store::{AuditFilter, Change, RecordInput};
use axum::http::{Method, StatusCode};
use support::{TestApp, report_day};

const HARINGEY: &str = "E09000014";

fn history(pid: i64, id: i64) -> String {
    format!("/partnerships/{pid}/records/{id}/history")
}

#[tokio::test]
async fn a_council_draft_is_invisible_to_the_other_councils_officer() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let meta = RecordMeta {
        area: Area::Programme,
        partnership_id: Some(hwf),
        owner: Some(GssCode::parse("owner", HARINGEY).unwrap()),
        classification: Classification::Council,
        embargo: None,
    };
    let draft = RecordInput::new(
        "paper",
        meta,
        "Haringey's draft savings figures",
        &serde_json::json!({}),
    )
    .unwrap();
    let id = app
        .store
        .insert_record(&draft, &Change::by("test"))
        .await
        .unwrap();

    let cases = [
        ("officer@haringey.demo.accord.test", true),
        ("programme@haringey.demo.accord.test", true),
        ("officer@walthamforest.demo.accord.test", false),
        ("board@walthamforest.demo.accord.test", false),
        ("councillor@haringey.demo.accord.test", false),
    ];
    for (email, sees) in cases {
        let mut client = app.signed_in(email).await;
        let page = client.get(&history(hwf, id)).await;
        assert_eq!(
            page.status == StatusCode::OK,
            sees,
            "{email}: {}",
            page.status
        );
        if !sees {
            assert_eq!(
                page.status,
                StatusCode::NOT_FOUND,
                "{email}: its existence is not revealed"
            );
            assert!(!page.body.contains("draft savings"), "{email}");
        }
    }
    let anonymous = app.anonymous().get(&history(hwf, id)).await;
    assert_eq!(anonymous.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_embargoed_board_paper_stays_hidden_until_its_decision_is_recorded() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let change = Change::by("programme@haringey.demo.accord.test");
    let decision = RecordInput::new(
        DECISION_KIND,
        RecordMeta::published(Area::Governance, Some(hwf)),
        "Approve the HR shared service business case",
        &serde_json::json!({}),
    )
    .unwrap()
    .status("pending");
    let decision_id = app.store.insert_record(&decision, &change).await.unwrap();
    let paper = RecordInput::new(
        "paper",
        RecordMeta {
            area: Area::Governance,
            partnership_id: Some(hwf),
            owner: None,
            classification: Classification::Embargoed,
            embargo: Some(Embargo {
                until: None,
                decision_id: Some(decision_id),
                release_to: Classification::Published,
            }),
        },
        "HR shared service business case (board paper)",
        &serde_json::json!({}),
    )
    .unwrap();
    let paper_id = app.store.insert_record(&paper, &change).await.unwrap();

    let mut viewer = app.signed_in("councillor@haringey.demo.accord.test").await;
    let mut board = app.signed_in("board@walthamforest.demo.accord.test").await;
    let mut anonymous = app.anonymous();
    assert_eq!(
        viewer.get(&history(hwf, paper_id)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        anonymous.get(&history(hwf, paper_id)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        board.get(&history(hwf, paper_id)).await.status,
        StatusCode::OK,
        "the board reads its papers"
    );

    let mut made = app
        .store
        .record(
            decision_id,
            &accord_domain::access::ReadScope::of(&accord_domain::access::Actor {
                user_id: Some(1),
                home: None,
                admin: true,
                role_assignments: vec![],
            }),
            report_day(),
        )
        .await
        .unwrap()
        .unwrap()
        .to_input();
    made.status = Some(DECISION_MADE.into());
    app.store
        .update_record(decision_id, None, &made, &change)
        .await
        .unwrap();

    assert_eq!(
        viewer.get(&history(hwf, paper_id)).await.status,
        StatusCode::OK,
        "released to the viewer"
    );
    let page = anonymous.get(&history(hwf, paper_id)).await;
    assert_eq!(page.status, StatusCode::OK, "released to the public");
    assert!(
        page.body.contains("Released from embargo"),
        "the release is in the record's history"
    );
}

#[tokio::test]
async fn an_api_token_cannot_do_more_than_its_user() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut officer = app.token_client("officer@haringey.demo.accord.test").await;
    let me = officer.get("/api/v1/me").await;
    assert_eq!(me.json()["email"], "officer@haringey.demo.accord.test");
    // An officer may read the partnership but not change it, with a token as with a session.
    assert_eq!(
        officer
            .get(&format!("/api/v1/partnerships/{hwf}"))
            .await
            .status,
        StatusCode::OK
    );
    let rename = officer
        .send_json(
            Method::PATCH,
            &format!("/api/v1/partnerships/{hwf}"),
            &serde_json::json!({"name": "Renamed"}),
        )
        .await;
    assert_eq!(rename.status, StatusCode::FORBIDDEN);
    let create = officer
        .send_json(Method::POST, "/api/v1/partnerships", &serde_json::json!({"name": "Mine", "members": [{"gss": "E09000014"}, {"gss": "E09000031"}]}))
        .await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.partnership(hwf).await.unwrap().unwrap().name,
        accord_domain::demo::HWF_NAME,
        "nothing changed"
    );

    // The programme team's token can, and a revoked or disabled user's token cannot.
    let mut programme = app
        .token_client("programme@haringey.demo.accord.test")
        .await;
    let ok = programme
        .send_json(
            Method::PATCH,
            &format!("/api/v1/partnerships/{hwf}"),
            &serde_json::json!({"summary": "Changed by API", "reason": "test"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let (user, _) = app
        .store
        .user_credentials("programme@haringey.demo.accord.test")
        .await
        .unwrap()
        .unwrap();
    app.store
        .set_user_disabled(user.id, true, &Change::by("test"))
        .await
        .unwrap();
    let refused = programme.get("/api/v1/me").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.json()["error"]["status"], 401);
    let mut forged = app.anonymous().with_token("accord_pat_not-a-real-token");
    assert_eq!(
        forged.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn form_posts_without_the_csrf_token_are_refused_and_change_nothing() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut programme = app.signed_in("programme@haringey.demo.accord.test").await;
    let path = format!("/partnerships/{hwf}/edit");
    let body = "name=Hijacked&summary=x";
    let missing = programme.post_form_raw(&path, body).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.body.contains("Nothing was changed"));
    let wrong = programme
        .post_form_raw(&path, &format!("{body}&csrf_token=forged"))
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    // A session cookie alone never changes data through the API.
    let api = programme
        .send_json(
            Method::PATCH,
            &format!("/api/v1/partnerships/{hwf}"),
            &serde_json::json!({"name": "Hijacked"}),
        )
        .await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.partnership(hwf).await.unwrap().unwrap().name,
        accord_domain::demo::HWF_NAME
    );
    // With the token, the same form works.
    let ok = programme
        .post_form(
            &path,
            &[
                ("name", "Haringey and Waltham Forest"),
                ("summary", "Shared services"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
}

#[tokio::test]
async fn the_tenth_wrong_passphrase_in_a_row_is_throttled_without_saying_whether_the_account_exists()
 {
    let app = TestApp::demo(report_day()).await;
    let email = "officer@haringey.demo.accord.test";
    let mut client = app.anonymous();
    for attempt in 1..=9 {
        let response = client.sign_in(email, "not the passphrase at all").await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
        assert!(
            response
                .body
                .contains("Enter a correct email address and passphrase"),
            "attempt {attempt}"
        );
    }
    let tenth = client.sign_in(email, "not the passphrase at all").await;
    assert_eq!(tenth.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(tenth.body.contains("too many attempts"));
    // Even the right passphrase is refused while throttled.
    let right = client.sign_in(email, accord::demo::DEMO_PASSPHRASE).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    // An unknown email gets the same answer as a known one.
    let unknown = app
        .anonymous()
        .sign_in("nobody@haringey.demo.accord.test", "whatever it is")
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(
        unknown
            .body
            .contains("Enter a correct email address and passphrase")
    );
    let failures = app
        .store
        .audit_entries(
            &AuditFilter {
                action: Some(AuditAction::SignInFailed),
                ..AuditFilter::default()
            },
            100,
            0,
        )
        .await
        .unwrap();
    assert!(
        failures.is_empty(),
        "a failed sign-in changes nothing, so the audit trail does not grow: {failures:?}"
    );
    // Every failure, throttled ones included, is a security event: one line for the account,
    // one for emails that no account has.
    let events = app.store.security_events(100).await.unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    let account = events
        .iter()
        .find(|e| e.account.as_deref() == Some(email))
        .unwrap();
    assert_eq!((account.attempts, account.refused_unchecked), (11, 2));
    let unknown = events.iter().find(|e| e.account.is_none()).unwrap();
    assert_eq!((unknown.attempts, unknown.refused_unchecked), (1, 0));
    assert!(
        !format!("{events:?}").contains("nobody@"),
        "an email that no account has is not kept"
    );
    // Administrators read them; nobody else does.
    let mut admin = app.signed_in("admin@demo.accord.test").await;
    let page = admin.get("/admin/security").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(email), "{}", page.body);
    assert!(page.body.contains("emails that no account has"));
    let mut officer = app.signed_in("programme@haringey.demo.accord.test").await;
    assert_eq!(
        officer.get("/admin/security").await.status,
        StatusCode::FORBIDDEN
    );
}

/// Guesses at random emails do not grow anything per attempt: sixty failures from one address
/// are one line of security events, the emails are not kept, and the audit trail's head (which
/// every audited writer takes) does not move.
#[tokio::test]
async fn anonymous_guesses_are_counted_not_kept_one_by_one() {
    for (backend, app) in TestApp::every_backend(report_day()).await {
        let (head, _) = app.store.audit_head().await.unwrap();
        let mut client = app.anonymous();
        for n in 0..60 {
            let response = client
                .sign_in(&format!("guess-{n}@example.invalid"), "a wrong passphrase")
                .await;
            assert!(
                matches!(
                    response.status,
                    StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS
                ),
                "{backend}: {}",
                response.status
            );
        }
        assert_eq!(app.store.audit_head().await.unwrap().0, head, "{backend}");
        let events = app.store.security_events(100).await.unwrap();
        // One window, or two when the run straddles a window's end.
        assert!(matches!(events.len(), 1 | 2), "{backend}: {events:?}");
        assert_eq!(
            events.iter().map(|e| e.attempts).sum::<i64>(),
            60,
            "{backend}"
        );
        assert!(events.iter().all(|e| e.account.is_none()), "{backend}");
        assert!(
            !format!("{events:?}").contains("guess-"),
            "{backend}: the emails guessed are not kept"
        );
        // Changes go on as before.
        let hwf = app.hwf().await;
        let mut programme = app.signed_in("programme@haringey.demo.accord.test").await;
        let renamed = programme
            .post_form(
                &format!("/partnerships/{hwf}/edit"),
                &[
                    ("name", "Haringey and Waltham Forest"),
                    ("summary", "Shared services"),
                ],
            )
            .await;
        assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{backend}");
        app.store.close().await;
    }
}

#[tokio::test]
async fn sessions_are_http_only_same_site_rotated_and_ended_by_sign_out() {
    let app = TestApp::demo(report_day()).await;
    let mut client = app.anonymous();
    let before = client.csrf().await;
    let response = client
        .sign_in(
            "officer@haringey.demo.accord.test",
            accord::demo::DEMO_PASSPHRASE,
        )
        .await;
    let cookies: Vec<&str> = response
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("accord_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    assert_ne!(
        client.cookie("accord_csrf").unwrap(),
        before,
        "the CSRF token rotates at sign-in"
    );
    let first = client.cookie("accord_session").unwrap().to_owned();
    assert_eq!(client.get("/account").await.status, StatusCode::OK);
    // Signing in again gives a new session and ends the old one.
    client
        .sign_in(
            "officer@haringey.demo.accord.test",
            accord::demo::DEMO_PASSPHRASE,
        )
        .await;
    assert_ne!(client.cookie("accord_session").unwrap(), first);
    let mut old = app.anonymous().with_cookie("accord_session", &first);
    assert_eq!(
        old.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "the old session is gone"
    );
    let out = client.post_form("/sign-out", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        client.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
    // An expired session is no session.
    let mut idle = app.signed_in("officer@haringey.demo.accord.test").await;
    let later = chrono::Utc::now() + chrono::Duration::minutes(61);
    let digest = accord_store::credentials::secret_digest(idle.cookie("accord_session").unwrap());
    assert!(
        app.store
            .session_user(&digest, later, app.state.config.session_idle)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(idle.get("/account").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn edits_through_the_page_and_the_api_leave_audit_entries_with_before_and_after() {
    for (backend, app) in TestApp::every_backend(report_day()).await {
        let hwf = app.hwf().await;
        let mut page = app.signed_in("programme@haringey.demo.accord.test").await;
        let response = page
            .post_form(
                &format!("/partnerships/{hwf}/edit"),
                &[
                    ("name", "HWF shared services"),
                    ("summary", "Page edit"),
                    ("reason", "shorter"),
                ],
            )
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{backend}");
        let mut api = app
            .token_client("programme@haringey.demo.accord.test")
            .await;
        let response = api
            .send_json(
                Method::PATCH,
                &format!("/api/v1/partnerships/{hwf}"),
                &serde_json::json!({"summary": "API edit"}),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{backend}");
        let entries = app
            .store
            .audit_entries(
                &AuditFilter {
                    record_kind: Some("partnership".into()),
                    action: Some(AuditAction::Update),
                    ..AuditFilter::default()
                },
                10,
                0,
            )
            .await
            .unwrap();
        assert_eq!(entries.len(), 2, "{backend}");
        let (api_entry, page_entry) = (&entries[0], &entries[1]);
        assert_eq!(
            page_entry.record.actor, "programme@haringey.demo.accord.test",
            "{backend}"
        );
        assert_eq!(
            page_entry.record.reason.as_deref(),
            Some("shorter"),
            "{backend}"
        );
        assert_eq!(
            page_entry.record.before.as_ref().unwrap()["name"],
            accord_domain::demo::HWF_NAME,
            "{backend}"
        );
        assert_eq!(
            page_entry.record.after.as_ref().unwrap()["name"],
            "HWF shared services",
            "{backend}"
        );
        assert_eq!(
            api_entry.record.actor, "programme@haringey.demo.accord.test (API token)",
            "{backend}"
        );
        assert_eq!(
            api_entry.record.before.as_ref().unwrap()["summary"],
            "Page edit",
            "{backend}"
        );
        assert_eq!(
            api_entry.record.after.as_ref().unwrap()["summary"],
            "API edit",
            "{backend}"
        );
        // The history page shows both.
        let history = page.get(&format!("/partnerships/{hwf}/history")).await;
        assert!(
            history.body.contains("API edit") && history.body.contains("Page edit"),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn a_reset_link_sets_a_new_passphrase_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("accord.db").display());
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_accord"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(&["demo"]).status.success());
    let out = run(&[
        "user",
        "reset",
        "--email",
        "officer@haringey.demo.accord.test",
    ]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let link = stdout
        .lines()
        .find(|l| l.contains("/reset-passphrase/"))
        .unwrap();
    let path = &link[link.find("/reset-passphrase/").unwrap()..];

    let store = accord_store::connect(&db).await.unwrap();
    let state = accord_web::AppState::new(
        accord_web::WebConfig::new("Test"),
        accord_app::App::new(store.clone()),
    );
    let mut client = accord_testkit::http::Client::new(accord_web::app(state));
    let short = client.post_form(path, &[("passphrase", "too short")]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = client
        .post_form(path, &[("passphrase", "a brand new passphrase")])
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    let again = client
        .post_form(path, &[("passphrase", "another new passphrase")])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("has expired or has been used"));
    assert_eq!(
        client
            .sign_in(
                "officer@haringey.demo.accord.test",
                "a brand new passphrase"
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    store.close().await;
}

/// A control character (a NUL above all, which PostgreSQL cannot store) is refused at the
/// boundary with a field error, the same on both backends: in a query, an address, a JSON body
/// and a form, signed in or not, and nothing is written.
#[tokio::test]
async fn control_characters_are_refused_at_the_boundary_on_every_backend() {
    let field_of = |r: &accord_testkit::http::TestResponse| -> Vec<String> {
        r.json()["error"]["fields"]
            .as_array()
            .map(|fields| {
                fields
                    .iter()
                    .map(|f| f["field"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    for (backend, app) in TestApp::every_backend(report_day()).await {
        let hwf = app.hwf().await;
        let search = app.anonymous().get("/authorities?q=%00").await;
        assert_eq!(
            search.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            search.body
        );
        assert!(
            search.body.contains("control characters"),
            "{backend}: {}",
            search.body
        );

        let mut api = app
            .token_client("programme@haringey.demo.accord.test")
            .await;
        let list = format!("/api/v1/partnerships/{hwf}/raid?limit=1");
        let total = || async {
            let mut api = app
                .token_client("programme@haringey.demo.accord.test")
                .await;
            api.get(&list).await.json()["total"].as_i64().unwrap()
        };
        let before = total().await;
        let searched = api
            .get(&format!("/api/v1/partnerships/{hwf}/raid?text=pay%00roll"))
            .await;
        assert_eq!(
            searched.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        assert_eq!(field_of(&searched), ["text"], "{backend}");
        let raised = api
            .send_json(
                Method::POST,
                &format!("/api/v1/partnerships/{hwf}/raid"),
                &serde_json::json!({
                    "title": "Payroll\u{0} cut-over slips",
                    "owner": "Programme Director",
                    "raised_on": "2011-07-21",
                    "detail": {"kind": "issue", "severity": 3}
                }),
            )
            .await;
        assert_eq!(
            raised.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            raised.body
        );
        assert_eq!(field_of(&raised), ["title"], "{backend}");
        let address = api
            .get(&format!("/api/v1/partnerships/{hwf}/raid/R1%00"))
            .await;
        assert_eq!(
            address.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        assert_eq!(field_of(&address), ["address"], "{backend}");

        let mut officer = app.signed_in("programme@haringey.demo.accord.test").await;
        let form = officer
            .post_form(
                &format!("/partnerships/{hwf}/raid"),
                &[
                    ("kind", "issue"),
                    ("title", "Bell\u{7} in the title"),
                    ("owner", "Programme Director"),
                    ("severity", "3"),
                ],
            )
            .await;
        assert_eq!(
            form.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}: {}",
            form.body
        );
        assert!(form.body.contains("U+0007"), "{backend}");
        assert_eq!(total().await, before, "{backend}: nothing was written");
    }
}

/// A signed-in page (a request with its requester's personal data among them) is never kept
/// by a browser or proxy; reached over TLS, browsers are told to use only TLS.
#[tokio::test]
async fn signed_in_pages_are_not_stored_and_tls_asks_for_hsts() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut officer = app.signed_in("officer@haringey.demo.accord.test").await;
    for path in [
        format!("/partnerships/{hwf}/requests"),
        format!("/partnerships/{hwf}"),
        "/".to_owned(),
    ] {
        let page = officer.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(page.header("cache-control"), "no-store", "{path}");
        assert_eq!(
            page.header("strict-transport-security"),
            "",
            "{path}: plain HTTP"
        );
    }
    let public = app.anonymous().get("/deadline-calculator").await;
    assert_ne!(
        public.header("cache-control"),
        "no-store",
        "a public page may be cached"
    );
    // A client's own X-Forwarded-Proto is not believed...
    let claimed =
        accord_testkit::http::get_with(&app.router, "/", &[("x-forwarded-proto", "https")]).await;
    assert_eq!(claimed.header("strict-transport-security"), "");
    // ...a trusted proxy's is.
    let mut config = accord_web::WebConfig::new("Haringey and Waltham Forest shared services");
    config.trust_forwarded_for = true;
    let behind_proxy = accord_web::app(
        accord_web::AppState::new(config, accord_app::App::new(app.store.clone()))
            .with_clock(accord_app::Clock::Fixed(report_day())),
    );
    let over_tls =
        accord_testkit::http::get_with(&behind_proxy, "/", &[("x-forwarded-proto", "https")]).await;
    assert!(
        over_tls
            .header("strict-transport-security")
            .starts_with("max-age=31536000"),
        "{:?}",
        over_tls.header("strict-transport-security")
    );
}

/// Budgets are separate: fifty wrong passphrases for one account throttle that account only,
/// not everyone else behind the same address; once the address's own budget is spent (many
/// accounts guessed), a correct passphrase still signs in and a wrong one is refused.
#[tokio::test]
async fn one_accounts_failures_do_not_lock_out_its_address() {
    let app = TestApp::demo(report_day()).await;
    let attacked = "officer@haringey.demo.accord.test";
    for _ in 0..50 {
        app.anonymous()
            .sign_in(attacked, "not the passphrase at all")
            .await;
    }
    let attacked_now = app
        .anonymous()
        .sign_in(attacked, accord::demo::DEMO_PASSPHRASE)
        .await;
    assert_eq!(
        attacked_now.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the account is throttled"
    );
    let colleague = app
        .anonymous()
        .sign_in(
            "programme@haringey.demo.accord.test",
            accord::demo::DEMO_PASSPHRASE,
        )
        .await;
    assert_eq!(
        colleague.status,
        StatusCode::SEE_OTHER,
        "{}",
        colleague.body
    );

    // Fifty guesses, each at a different account, from the same address.
    for n in 0..50 {
        app.anonymous()
            .sign_in(
                &format!("guess{n}@haringey.demo.accord.test"),
                "a guessed passphrase",
            )
            .await;
    }
    let wrong = app
        .anonymous()
        .sign_in(
            "board@walthamforest.demo.accord.test",
            "a guessed passphrase",
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the address is throttled"
    );
    let right = app
        .anonymous()
        .sign_in(
            "board@walthamforest.demo.accord.test",
            accord::demo::DEMO_PASSPHRASE,
        )
        .await;
    assert_eq!(
        right.status,
        StatusCode::SEE_OTHER,
        "a correct passphrase gets through"
    );
}

/// The form token belongs to the session: a victim's session cookie with a CSRF cookie and
/// field the attacker chose (planted from a sibling host, say) is refused. Over TLS the cookies
/// are `__Host-` cookies, Secure and host-only, and the plain names are not read.
#[tokio::test]
async fn the_form_token_is_bound_to_the_session_and_tls_cookies_are_host_only() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let path = format!("/partnerships/{hwf}/edit");
    let victim = app.signed_in("programme@haringey.demo.accord.test").await;
    let session = victim.cookie("accord_session").unwrap().to_owned();
    let mut attacker = app
        .anonymous()
        .with_cookie("accord_session", &session)
        .with_cookie("accord_csrf", "chosen-by-the-attacker");
    let forged = attacker
        .post_form_raw(
            &path,
            "name=Hijacked&summary=x&csrf_token=chosen-by-the-attacker",
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert_eq!(
        app.store.partnership(hwf).await.unwrap().unwrap().name,
        accord_domain::demo::HWF_NAME
    );
    // The page the session is shown carries the session's own token, which then works.
    let form = attacker.get(&path).await;
    let token = accord_app::identity::form_token(&session);
    assert!(
        form.body.contains(&token),
        "the form carries the session's token"
    );
    assert_eq!(
        attacker.cookie("accord_csrf"),
        Some(token.as_str()),
        "the cookie is corrected"
    );

    // Over TLS.
    let mut config = accord_web::WebConfig::new("Haringey and Waltham Forest shared services");
    config.secure_cookies = true;
    let state = accord_web::AppState::new(config, accord_app::App::new(app.store.clone()))
        .with_clock(accord_app::Clock::Fixed(report_day()));
    let router = accord_web::app(state);
    let mut client = accord_testkit::http::Client::new(router.clone());
    let page = client.get("/sign-in").await;
    let csrf = client.cookie("__Host-accord_csrf").unwrap().to_owned();
    assert!(client.cookie("accord_csrf").is_none(), "{:?}", page.headers);
    let signed_in = client
        .post_form_raw(
            "/sign-in",
            &accord_testkit::http::encode(&[
                ("csrf_token", csrf.as_str()),
                ("email", "programme@haringey.demo.accord.test"),
                ("passphrase", accord::demo::DEMO_PASSPHRASE),
            ]),
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    for set in signed_in.headers.get_all("set-cookie") {
        let set = set.to_str().unwrap();
        assert!(set.starts_with("__Host-accord_"), "{set}");
        assert!(set.contains("; Secure") && set.contains("Path=/"), "{set}");
        assert!(!set.to_lowercase().contains("domain="), "{set}");
    }
    assert_eq!(client.get("/account").await.status, StatusCode::OK);
    let tls_session = client.cookie("__Host-accord_session").unwrap().to_owned();
    let mut plain =
        accord_testkit::http::Client::new(router).with_cookie("accord_session", &tls_session);
    assert_eq!(
        plain.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "over TLS a session is read only from its __Host- cookie"
    );
    let token = client.cookie("__Host-accord_csrf").unwrap().to_owned();
    assert_eq!(token, accord_app::identity::form_token(&tls_session));
    let renamed = client
        .post_form_raw(
            &path,
            &accord_testkit::http::encode(&[
                ("csrf_token", token.as_str()),
                ("name", "Haringey and Waltham Forest"),
                ("summary", "Shared services"),
            ]),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.body);
}

/// A value the query's reader cannot take (a version that is not a number) is refused input:
/// 422 naming the field, on the API and on a page alike, and nothing changes.
#[tokio::test]
async fn a_query_value_that_cannot_be_read_is_a_422_naming_its_field() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut finance = app.token_client("finance@haringey.demo.accord.test").await;
    let list = finance
        .get(&format!(
            "/api/v1/partnerships/{hwf}/business-cases?limit=1"
        ))
        .await;
    let reference = list.json()["items"][0]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/partnerships/{hwf}/business-cases/{reference}");
    let refused = finance
        .send_json(
            Method::DELETE,
            &format!("{path}?version=false"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let error = &refused.json()["error"];
    assert_eq!(error["fields"][0]["field"], "version", "{error}");
    assert_eq!(
        finance.get(&path).await.status,
        StatusCode::OK,
        "nothing was deleted"
    );
}
