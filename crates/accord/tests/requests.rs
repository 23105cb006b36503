//! Information requests under the joint protocol, over HTTP: the workflow's gates on pages and
//! in the API, refusals that change nothing, the requester never shown to anyone but the
//! information leads, deadlines recounted (and audited) when the holiday table changes, the
//! caseload, calculator, statistics, disclosure log and deadline feed.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

mod support;

use accord_domain::access::ReadScope;
use accord_domain::audit::AuditAction;
use accord_store::requests::{REQUEST_KIND, StoredRequest};
use accord_store::{AuditFilter, RecordQuery, StoredRecord};
use accord_testkit::http::{Client, TestResponse};
use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use serde_json::json;
use support::{TestApp, report_day};

const INFO_WF: &str = "information@walthamforest.demo.accord.test";
const INFO_HARINGEY: &str = "information@haringey.demo.accord.test";
const VIEWER: &str = "councillor@haringey.demo.accord.test";
const PROGRAMME: &str = "programme@haringey.demo.accord.test";
const ADMIN: &str = "admin@demo.accord.test";
const HARINGEY: &str = "E09000014";
const WALTHAM_FOREST: &str = "E09000031";

/// What the demo's requesters are called and where they are written to: none of it may reach
/// anyone but the information leads.
const REQUESTER_DETAILS: [&str; 5] = [
    "fictitious requester",
    "example.invalid",
    "Example Street",
    "A. Example",
    "B. Sample",
];

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn date_fields(name: &str, date: NaiveDate) -> Vec<(String, String)> {
    use chrono::Datelike;
    vec![
        (format!("{name}-day"), date.day().to_string()),
        (format!("{name}-month"), date.month().to_string()),
        (format!("{name}-year"), date.year().to_string()),
    ]
}

async fn post(client: &mut Client, path: &str, fields: &[(String, String)]) -> TestResponse {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    client.post_form(path, &pairs).await
}

/// Posts a workflow action's form dated `on`, with its other fields.
async fn act(
    client: &mut Client,
    pid: i64,
    rid: &str,
    action: &str,
    on: NaiveDate,
    extra: &[(&str, &str)],
) -> TestResponse {
    let mut fields = date_fields("on", on);
    fields.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    post(
        client,
        &format!("/partnerships/{pid}/requests/{rid}/actions/{action}"),
        &fields,
    )
    .await
}

fn system() -> ReadScope {
    ReadScope {
        everything_but_personal: true,
        ..ReadScope::default()
    }
}

/// A record's header, as the generic listings and the history see it.
async fn stored(app: &TestApp, id: i64) -> StoredRecord {
    app.store
        .record(id, &system(), app.state.today())
        .await
        .unwrap()
        .unwrap()
}

/// A request as its table keeps it.
async fn request(app: &TestApp, pid: i64, reference: &str) -> StoredRequest {
    app.store
        .request(pid, reference, &system(), app.state.today())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no request {reference}"))
}

/// The request and the length of the audit trail, to show that nothing changed.
async fn snapshot(app: &TestApp, pid: i64, reference: &str) -> (i64, serde_json::Value, i64) {
    let stored = request(app, pid, reference).await;
    (
        stored.version,
        serde_json::to_value(&stored.request).unwrap(),
        app.store.audit_head().await.unwrap().0,
    )
}

async fn request_id(app: &TestApp, pid: i64, reference: &str) -> i64 {
    request(app, pid, reference).await.record_id
}

/// The reference a redirect to a request's page names.
fn location_ref(response: &TestResponse) -> String {
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "expected a redirect: {}",
        response.body
    );
    response
        .header("location")
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

/// Logs a request through the form, as Waltham Forest's single point of contact.
async fn log_request(
    client: &mut Client,
    pid: i64,
    regime: &str,
    received: NaiveDate,
    reference: &str,
) -> TestResponse {
    let mut fields = date_fields("received", received);
    fields.extend(
        [
            ("received_by", WALTHAM_FOREST),
            ("received_time", "16:45"),
            ("channel", "email"),
            ("regime", regime),
            ("summary", "Costs of the shared HR service centre"),
            ("requester.name", "Zed Tester (fictitious requester)"),
            ("requester.contact", "zed@example.invalid"),
            ("reference", reference),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    post(client, &format!("/partnerships/{pid}/requests"), &fields).await
}

/// The part of a caseload page under one section's heading.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let rest = &html[start..];
    let end = rest[1..].find("<h2").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

#[tokio::test]
async fn the_demo_requests_fill_each_caseload_section_and_load_once() {
    let app = TestApp::demo(report_day()).await;
    let pid = app.hwf().await;
    let again = accord::demo::load(&app.state.app).await.unwrap();
    assert_eq!(again.requests_created, 0, "loading twice adds nothing");
    let all = app
        .store
        .count_records(&RecordQuery::of(REQUEST_KIND, pid), &system(), report_day())
        .await
        .unwrap();
    assert_eq!(all, 5);

    let mut wf = app.signed_in(INFO_WF).await;
    let page = wf
        .get(&format!("/partnerships/{pid}/requests/caseload"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(section(&page.body, "other-council").contains("HWF-FOI-2011-0002"));
    assert!(section(&page.body, "not-forwarded").contains("HWF-FOI-2011-0004"));
    assert!(!section(&page.body, "your-sign-off").contains("HWF-FOI-2011-0002"));

    let mut haringey = app.signed_in(INFO_HARINGEY).await;
    let page = haringey
        .get(&format!("/partnerships/{pid}/requests/caseload"))
        .await;
    assert!(section(&page.body, "your-sign-off").contains("HWF-FOI-2011-0002"));
    assert!(section(&page.body, "comms").contains("HWF-EIR-2011-0003"));
    assert!(section(&page.body, "due-soon").contains("HWF-SAR-2011-0005"));
    assert!(section(&page.body, "overdue").contains("Nothing is overdue"));
    // Anyone's caseload can be read by choosing the council.
    let other = haringey
        .get(&format!(
            "/partnerships/{pid}/requests/caseload?council={WALTHAM_FOREST}"
        ))
        .await;
    assert!(section(&other.body, "not-forwarded").contains("HWF-FOI-2011-0004"));

    // The request page shows the working: the 2011 royal wedding does not count.
    let page = haringey
        .get(&format!("/partnerships/{pid}/requests/HWF-FOI-2011-0001"))
        .await;
    assert!(page.body.contains("Royal wedding, all of the UK"));
    assert!(page.body.contains("24 May 2011"));
    assert!(page.body.contains("Published in the disclosure log"));
    assert!(page.body.contains("Original decision upheld"));
    // The late forwarding is flagged on its request.
    let page = wf
        .get(&format!("/partnerships/{pid}/requests/HWF-FOI-2011-0002"))
        .await;
    assert!(page.body.contains("Forwarded late"));
    assert!(
        page.body
            .contains("Awaiting the single point of contact of Haringey")
    );
}

#[tokio::test]
async fn the_workflow_s_gates_hold_on_pages_and_in_the_api_on_every_backend() {
    let today = d(2025, 3, 20);
    for (backend, app) in TestApp::every_backend(today).await {
        let pid = app.hwf().await;
        let mut wf = app.signed_in(INFO_WF).await;
        let response = log_request(&mut wf, pid, "foi", d(2025, 3, 3), "").await;
        let rid = location_ref(&response);
        assert_eq!(rid, "FOI-2025-0006", "{backend}");
        let id = request_id(&app, pid, &rid).await;
        let record = stored(&app, id).await;
        assert_eq!(
            record.reference.as_deref(),
            Some("FOI-2025-0006"),
            "{backend}"
        );
        assert_eq!(record.key_date, Some(d(2025, 4, 1)), "{backend}");
        assert_eq!(record.status.as_deref(), Some("received"));
        assert_eq!(
            request(&app, pid, &rid).await.dates.answer_by,
            Some(d(2025, 4, 1))
        );

        for (action, on, extra) in [
            ("forward", d(2025, 3, 4), vec![]),
            ("acknowledge", d(2025, 3, 4), vec![("lead", WALTHAM_FOREST)]),
            ("start_drafting", d(2025, 3, 5), vec![]),
            (
                "submit_draft",
                d(2025, 3, 10),
                vec![
                    ("discloses_about", HARINGEY),
                    ("discloses_about", WALTHAM_FOREST),
                    ("sensitive", "yes"),
                ],
            ),
        ] {
            let r = act(&mut wf, pid, &rid, action, on, &extra).await;
            assert_eq!(
                r.status,
                StatusCode::SEE_OTHER,
                "{backend} {action}: {}",
                r.body
            );
        }
        let response = || {
            vec![
                ("outcome", "partially_withheld"),
                ("parts[0].description", "Total cost"),
                ("parts[0].outcome", "granted_in_full"),
                ("parts[1].description", "Supplier rates"),
                ("parts[1].outcome", "withheld_in_full"),
                ("parts[1].exemptions", "s43"),
            ]
        };

        // Neither council has signed off: no response, no comms, no closing.
        for (action, extra, message) in [
            ("send_response", response(), "still needs sign-off"),
            ("send_for_comms", vec![], "still needs sign-off"),
            ("close", vec![], "still needs sign-off"),
        ] {
            let before = snapshot(&app, pid, &rid).await;
            let r = act(&mut wf, pid, &rid, action, d(2025, 3, 11), &extra).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend} {action}"
            );
            assert!(r.body.contains(message), "{backend} {action}: {}", r.body);
            assert!(r.body.contains("govuk-error-summary"));
            assert_eq!(
                snapshot(&app, pid, &rid).await,
                before,
                "{backend} {action} changed something"
            );
        }
        let r = act(&mut wf, pid, &rid, "sign_off", d(2025, 3, 11), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let before = snapshot(&app, pid, &rid).await;
        let r = act(&mut wf, pid, &rid, "sign_off", d(2025, 3, 11), &[]).await;
        assert!(r.body.contains("already signed off"), "{backend}");
        assert_eq!(snapshot(&app, pid, &rid).await, before);

        // In the API: Haringey's single point of contact cannot sign for Waltham Forest, and
        // the response still waits for Haringey.
        let mut api = app.token_client(INFO_HARINGEY).await;
        let path = format!("/api/v1/partnerships/{pid}/requests/{rid}/actions");
        let before = snapshot(&app, pid, &rid).await;
        for (body, field, message) in [
            (
                json!({"action": "sign_off", "on": "2025-03-12", "council": WALTHAM_FOREST}),
                "council",
                "sign off for E09000014 only",
            ),
            (
                json!({"action": "send_response", "on": "2025-03-12", "response": {"outcome": "granted_in_full"}}),
                "sign_offs",
                "still needs sign-off from the single point of contact of E09000014",
            ),
            (
                json!({"action": "close", "on": "2025-03-12"}),
                "sign_offs",
                "still needs sign-off",
            ),
        ] {
            let r = api.send_json(Method::POST, &path, &body).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend}: {}",
                r.body
            );
            let fields = r.json()["error"]["fields"].clone();
            assert!(
                fields.as_array().unwrap().iter().any(
                    |f| f["field"] == field && f["message"].as_str().unwrap().contains(message)
                ),
                "{backend}: {fields}"
            );
        }
        assert_eq!(snapshot(&app, pid, &rid).await, before, "{backend}");
        let r = api
            .send_json(
                Method::POST,
                &path,
                &json!({"action": "sign_off", "on": "2025-03-12", "council": HARINGEY}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["sign_offs_missing"], json!([]));

        // Signed off by both, but sensitive: the communications teams must clear it first.
        let before = snapshot(&app, pid, &rid).await;
        let r = act(
            &mut wf,
            pid,
            &rid,
            "send_response",
            d(2025, 3, 13),
            &response(),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("communications teams must clear it"),
            "{}",
            r.body
        );
        assert_eq!(snapshot(&app, pid, &rid).await, before);
        for (action, on) in [
            ("send_for_comms", d(2025, 3, 13)),
            ("clear_comms", d(2025, 3, 14)),
        ] {
            let r = act(&mut wf, pid, &rid, action, on, &[]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.body);
        }
        let r = act(
            &mut wf,
            pid,
            &rid,
            "send_response",
            d(2025, 3, 17),
            &response(),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = act(&mut wf, pid, &rid, "close", d(2025, 3, 18), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let record = stored(&app, id).await;
        assert_eq!(record.status.as_deref(), Some("closed"));
        let closed = request(&app, pid, &rid).await.request;
        assert_eq!(
            closed.response.and_then(|r| r.timeliness),
            Some(accord_domain::request::Timeliness::InTime)
        );

        // Every transition is in the audit trail with what it was.
        let entries = app
            .store
            .audit_entries(
                &AuditFilter {
                    record_kind: Some(REQUEST_KIND.into()),
                    record_id: Some(id.to_string()),
                    ..AuditFilter::default()
                },
                100,
                0,
            )
            .await
            .unwrap();
        let reasons: Vec<String> = entries
            .iter()
            .rev()
            .filter_map(|e| e.record.reason.clone())
            .collect();
        assert_eq!(
            reasons,
            [
                "request received",
                "forwarded to the single point of contact",
                "acknowledged; E09000031 leads",
                "drafting",
                "draft put to the single points of contact",
                "signed off by E09000031",
                "signed off by E09000014",
                "sent for communications clearance",
                "cleared by communications",
                "response sent",
                "closed",
            ],
            "{backend}"
        );

        // Released: in the public disclosure log, without the requester.
        let log = app
            .anonymous()
            .get(&format!("/partnerships/{pid}/disclosure-log"))
            .await;
        assert!(log.body.contains("FOI-2025-0006"), "{backend}");
        assert!(log.body.contains("s43"));
        assert!(!log.body.contains("Zed Tester") && !log.body.contains("zed@example"));

        // The internal review and the complaint, each with its own dates.
        let review = format!("/partnerships/{pid}/requests/{rid}/review");
        let r = post(&mut wf, &review, &date_fields("requested", d(2025, 3, 19))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = api
            .send_json(
                Method::POST,
                &format!("/api/v1/partnerships/{pid}/requests/{rid}/review"),
                &json!({"decided": "2025-03-20", "outcome": "partially_upheld"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["review"]["outcome"], "partially_upheld");
        let complaint = format!("/partnerships/{pid}/requests/{rid}/complaint");
        let mut fields = date_fields("lodged", d(2025, 3, 20));
        fields.push(("reference".into(), "IC-1234-A5B6".into()));
        let r = post(&mut wf, &complaint, &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = wf.get(&format!("/partnerships/{pid}/requests/{rid}")).await;
        assert!(page.body.contains("IC-1234-A5B6"));
        assert!(page.body.contains("partially_upheld") || page.body.contains("upheld in part"));
    }
}

#[tokio::test]
async fn bad_input_is_refused_on_pages_and_in_the_api_and_changes_nothing() {
    let today = d(2025, 3, 20);
    let app = TestApp::demo(today).await;
    let pid = app.hwf().await;
    let mut wf = app.signed_in(INFO_WF).await;
    let mut api = app.token_client(INFO_WF).await;
    let count = || async {
        app.store
            .count_records(&RecordQuery::of(REQUEST_KIND, pid), &system(), today)
            .await
            .unwrap()
    };
    let requests_before = count().await;
    let audit_before = app.store.audit_head().await.unwrap().0;

    // A date of receipt in the future.
    let r = log_request(&mut wf, pid, "foi", d(2025, 3, 21), "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("is in the future"), "{}", r.body);
    assert!(r.body.contains("href=\"#received\""));
    let r = api
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{pid}/requests"),
            &json!({
                "received_by": WALTHAM_FOREST, "channel": "email", "received_at": "2025-03-21T09:00:00",
                "regime": "foi", "summary": "Costs", "requester": {"name": "Zed", "contact": "zed@example.invalid"}
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "received_at");
    assert_eq!(count().await, requests_before);
    assert_eq!(app.store.audit_head().await.unwrap().0, audit_before);

    // A request to act on, and a FOISA one.
    let rid = location_ref(&log_request(&mut wf, pid, "foi", d(2025, 3, 3), "FOI-BAD-1").await);
    let foisa =
        location_ref(&log_request(&mut wf, pid, "foisa", d(2025, 3, 3), "FOISA-BAD-1").await);
    for id in [rid.as_str(), foisa.as_str()] {
        act(&mut wf, pid, id, "forward", d(2025, 3, 4), &[]).await;
        act(
            &mut wf,
            pid,
            id,
            "acknowledge",
            d(2025, 3, 4),
            &[("lead", WALTHAM_FOREST)],
        )
        .await;
        let r = act(&mut wf, pid, id, "start_drafting", d(2025, 3, 5), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }

    let actions = |id: &str| format!("/api/v1/partnerships/{pid}/requests/{id}/actions");
    let cases: Vec<(
        &str,
        &str,
        Vec<(&str, &str)>,
        NaiveDate,
        serde_json::Value,
        &str,
        &str,
    )> = vec![
        // An event before receipt.
        (
            &rid,
            "seek_clarification",
            vec![],
            d(2025, 3, 1),
            json!({"action": "seek_clarification", "on": "2025-03-01"}),
            "on",
            "before the request was received on 2025-03-03",
        ),
        // An event in the future.
        (
            &rid,
            "seek_clarification",
            vec![],
            d(2025, 3, 21),
            json!({"action": "seek_clarification", "on": "2025-03-21"}),
            "on",
            "is in the future",
        ),
        // An extension on a regime that has none.
        (
            &foisa,
            "claim_extension",
            vec![],
            d(2025, 3, 10),
            json!({"action": "claim_extension", "on": "2025-03-10"}),
            "action",
            "FOISA has no public-interest extension",
        ),
        // A response without an outcome.
        (
            &rid,
            "send_response",
            vec![
                ("parts[0].description", "Total cost"),
                ("parts[0].outcome", "granted_in_full"),
            ],
            d(2025, 3, 12),
            json!({"action": "send_response", "on": "2025-03-12", "response": {"parts": []}}),
            "response.outcome",
            "must record its outcome",
        ),
        // Withholding without an exemption.
        (
            &rid,
            "send_response",
            vec![("outcome", "withheld_in_full")],
            d(2025, 3, 12),
            json!({"action": "send_response", "on": "2025-03-12", "response": {"outcome": "withheld_in_full"}}),
            "response.parts",
            "must cite an exemption",
        ),
    ];
    for (id, action, extra, on, body, field, message) in cases {
        let before = snapshot(&app, pid, id).await;
        let r = act(&mut wf, pid, id, action, on, &extra).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "page {action}: {}",
            r.body
        );
        assert!(
            r.body.contains(message),
            "page {action}: {message}: {}",
            r.body
        );
        assert!(r.body.starts_with("<!DOCTYPE html>"));
        assert_eq!(
            snapshot(&app, pid, id).await,
            before,
            "page {action} changed something"
        );
        let r = api.send_json(Method::POST, &actions(id), &body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "api {action}: {}",
            r.body
        );
        let fields = r.json()["error"]["fields"].clone();
        assert!(
            fields
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["field"] == field && f["message"].as_str().unwrap().contains(message)),
            "api {action}: {fields}"
        );
        assert_eq!(
            snapshot(&app, pid, id).await,
            before,
            "api {action} changed something"
        );
    }

    // A body that is not an action at all names its field.
    let r = api
        .send_json(Method::POST, &actions(&rid), &json!({"action": "forward"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "on");

    // The calculator counts a date after today (to plan ahead), saying so.
    let ahead = api
        .get("/api/v1/deadline?regime=foi&received=2025-03-21")
        .await;
    assert_eq!(ahead.status, StatusCode::OK, "{}", ahead.body);
    assert_eq!(ahead.json()["due"], "2025-04-22", "after Easter");
    assert!(
        ahead.json()["notes"][0]
            .as_str()
            .unwrap()
            .contains("in the future"),
        "{}",
        ahead.body
    );
    // It refuses what the law does not allow, as the register does.
    for (query, field, message) in [
        (
            "regime=foi&received=2025-03-03&events=clarification_sought:2025-03-01",
            "events[0]",
            "before the request was received",
        ),
        (
            "regime=foisa&received=2025-03-03&events=public_interest_extension:2025-03-10",
            "events[0]",
            "FOISA has no public-interest extension",
        ),
    ] {
        let r = app
            .anonymous()
            .get(&format!("/api/v1/deadline?{query}"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let f = &r.json()["error"]["fields"][0];
        assert_eq!(f["field"], field, "{query}");
        assert!(
            f["message"].as_str().unwrap().contains(message),
            "{query}: {f}"
        );
    }
    let mut fields = vec![("regime".to_owned(), "foisa".to_owned())];
    fields.extend(date_fields("received", d(2025, 3, 3)));
    fields.push(("events[0].kind".into(), "public_interest_extension".into()));
    fields.extend(date_fields("events[0]", d(2025, 3, 10)));
    let query = fields
        .iter()
        .map(|(k, v)| format!("{}={v}", k.replace('[', "%5B").replace(']', "%5D")))
        .collect::<Vec<_>>()
        .join("&");
    let r = app
        .anonymous()
        .get(&format!("/deadline-calculator?{query}"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("FOISA has no public-interest extension"));
    assert!(r.body.contains("href=\"#events[0]\""));
}

#[tokio::test]
async fn a_viewer_never_sees_requester_details() {
    let app = TestApp::demo(report_day()).await;
    let pid = app.hwf().await;
    let ids: Vec<(i64, String)> = app
        .store
        .records(&RecordQuery::of(REQUEST_KIND, pid), &system(), report_day())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.id, r.reference.clone().unwrap()))
        .collect();
    assert_eq!(ids.len(), 5);
    let mut paths = vec![
        format!("/partnerships/{pid}/requests"),
        format!("/partnerships/{pid}/requests?stage=open"),
        format!("/partnerships/{pid}/requests/statistics"),
        format!("/partnerships/{pid}/requests/statistics.csv"),
        format!("/partnerships/{pid}/disclosure-log"),
        format!("/partnerships/{pid}"),
        format!("/api/v1/partnerships/{pid}/requests"),
        format!("/api/v1/partnerships/{pid}/requests/statistics"),
        format!("/api/v1/partnerships/{pid}/disclosure-log"),
    ];
    for (id, reference) in &ids {
        paths.push(format!("/partnerships/{pid}/requests/{reference}"));
        paths.push(format!("/partnerships/{pid}/records/{id}/history"));
        paths.push(format!("/api/v1/partnerships/{pid}/requests/{reference}"));
    }
    for who in [VIEWER, PROGRAMME, "officer@walthamforest.demo.accord.test"] {
        let mut page = app.signed_in(who).await;
        let mut api = app.token_client(who).await;
        for path in &paths {
            let client = if path.starts_with("/api/") {
                &mut api
            } else {
                &mut page
            };
            let r = client.get(path).await;
            assert_eq!(r.status, StatusCode::OK, "{who} {path}: {}", r.body);
            for detail in REQUESTER_DETAILS {
                assert!(!r.body.contains(detail), "{who} saw “{detail}” at {path}");
            }
        }
        // The register is there; the requester is not.
        let r = page.get(&paths[0]).await;
        assert!(r.body.contains("HWF-FOI-2011-0001"), "{who}");
        let r = api
            .get(&format!("/api/v1/partnerships/{pid}/requests/{}", ids[0].1))
            .await;
        assert!(r.json().get("requester").is_none(), "{who}");
        // An address by record id, made before requests had references, moves to the
        // reference's.
        for prefix in ["", "/api/v1"] {
            let client = if prefix.is_empty() {
                &mut page
            } else {
                &mut api
            };
            let r = client
                .get(&format!(
                    "{prefix}/partnerships/{pid}/requests/{}",
                    ids[0].0
                ))
                .await;
            assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT, "{who} {prefix}");
            assert_eq!(
                r.header("location"),
                format!("{prefix}/partnerships/{pid}/requests/{}", ids[0].1)
            );
        }
        // Their tools are the single points of contact's.
        for tool in ["caseload", "deadlines.ics"] {
            let r = page
                .get(&format!("/partnerships/{pid}/requests/{tool}"))
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who} {tool}");
        }
    }
    // The public sees the disclosure log only.
    let mut anonymous = app.anonymous();
    let log = anonymous
        .get(&format!("/partnerships/{pid}/disclosure-log"))
        .await;
    assert!(log.body.contains("HWF-FOI-2011-0001"));
    assert!(
        !log.body.contains("HWF-SAR-2011-0005"),
        "subject access is never published"
    );
    for detail in REQUESTER_DETAILS {
        assert!(!log.body.contains(detail));
    }
    let register = anonymous
        .get(&format!("/partnerships/{pid}/requests"))
        .await;
    assert!(!register.body.contains("HWF-FOI-2011-0001"));
    // Administrators read the audit trail, where the requester's details are withheld.
    let mut admin = app.signed_in(ADMIN).await;
    for path in [
        "/admin/audit?kind=requester",
        "/admin/audit.csv?kind=requester",
    ] {
        let r = admin.get(path).await;
        assert_eq!(r.status, StatusCode::OK);
        for detail in REQUESTER_DETAILS {
            assert!(
                !r.body.contains(detail),
                "the audit trail showed “{detail}” at {path}"
            );
        }
    }
    // The information leads do see who asked.
    let mut info = app.signed_in(INFO_HARINGEY).await;
    let first = "HWF-FOI-2011-0001";
    let r = info
        .get(&format!("/partnerships/{pid}/requests/{first}"))
        .await;
    assert!(r.body.contains("A. Example (fictitious requester)"));
    let r = app
        .token_client(INFO_WF)
        .await
        .get(&format!("/api/v1/partnerships/{pid}/requests/{first}"))
        .await;
    assert_eq!(
        r.json()["requester"]["contact"],
        "requester-one@example.invalid"
    );
}

#[tokio::test]
async fn a_holiday_change_recounts_open_requests_and_is_audited() {
    let app = TestApp::demo(report_day()).await;
    let pid = app.hwf().await;
    let sar = request_id(&app, pid, "HWF-SAR-2011-0005").await;
    let closed = request_id(&app, pid, "HWF-FOI-2011-0001").await;
    assert_eq!(stored(&app, sar).await.key_date, Some(d(2011, 7, 25)));
    let closed_before = stored(&app, closed).await;
    let mut admin = app.signed_in(ADMIN).await;

    // Refused: no division; nothing changes.
    let audit_before = app.store.audit_head().await.unwrap().0;
    let mut fields = date_fields("date", d(2011, 7, 25));
    fields.push(("title".into(), "A proclaimed holiday".into()));
    let r = post(&mut admin, "/admin/holidays", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Choose where the holiday applies"));
    assert_eq!(app.store.audit_head().await.unwrap().0, audit_before);

    // A holiday proclaimed in England and Wales on the subject access request's due date.
    fields.push(("divisions".into(), "england-and-wales".into()));
    fields.push(("reason".into(), "test proclamation".into()));
    let r = post(&mut admin, "/admin/holidays", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = admin.get(r.header("location")).await;
    assert!(page.body.contains("A proclaimed holiday"), "{}", page.body);
    assert!(
        page.body
            .contains("Deadlines of open requests that moved: 4"),
        "{}",
        page.body
    );
    assert_eq!(stored(&app, sar).await.key_date, Some(d(2011, 7, 26)));
    assert_eq!(
        stored(&app, closed).await,
        closed_before,
        "an answered request keeps its dates"
    );
    let entries = app
        .store
        .audit_entries(
            &AuditFilter {
                record_kind: Some(REQUEST_KIND.into()),
                record_id: Some(sar.to_string()),
                action: Some(AuditAction::Update),
                ..AuditFilter::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
    // The newest change is the recount, and it is the only one.
    let recounts = entries
        .iter()
        .filter(|e| {
            e.record
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("recounted"))
        })
        .count();
    assert_eq!(recounts, 1);
    let reason = entries[0].record.reason.clone().unwrap();
    assert!(reason.contains("test proclamation"), "{reason}");
    assert!(
        reason.contains("+ 2011-07-25 A proclaimed holiday (England and Wales)"),
        "{reason}"
    );
    assert!(reason.contains("recounted"), "{reason}");
    assert_eq!(
        entries[0].record.before.as_ref().unwrap()["key_date"],
        "2011-07-25"
    );
    assert_eq!(
        entries[0].record.after.as_ref().unwrap()["key_date"],
        "2011-07-26"
    );
    // The request page counts the holiday in its working.
    let mut info = app.signed_in(INFO_HARINGEY).await;
    let page = info
        .get(&format!("/partnerships/{pid}/requests/HWF-SAR-2011-0005"))
        .await;
    assert!(page.body.contains("A proclaimed holiday"), "{}", page.body);

    // Removed again: the dates go back, audited too.
    let holiday = app
        .store
        .records(
            &RecordQuery {
                kind: accord_store::holidays::PROCLAIMED_HOLIDAY_KIND.into(),
                ..RecordQuery::default()
            },
            &system(),
            report_day(),
        )
        .await
        .unwrap()[0]
        .id;
    let r = post(
        &mut admin,
        &format!("/admin/holidays/{holiday}/remove"),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(stored(&app, sar).await.key_date, Some(d(2011, 7, 25)));
}

#[tokio::test]
async fn the_calculator_page_and_api_show_their_working() {
    let app = TestApp::demo(d(2025, 6, 30)).await;
    let mut anonymous = app.anonymous();
    let form = anonymous.get("/deadline-calculator").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.body.contains("id=\"result\""));
    for (regime, received, due, also) in [
        (
            "foi",
            d(2025, 3, 3),
            "1 April 2025",
            "St Patrick’s Day, Northern Ireland",
        ),
        ("foisa", d(2025, 3, 3), "31 March 2025", "Working days of"),
        (
            "sar",
            d(2025, 1, 31),
            "28 February 2025",
            "no corresponding date",
        ),
    ] {
        let mut query = format!("regime={regime}");
        for (k, v) in date_fields("received", received) {
            query.push_str(&format!("&{k}={v}"));
        }
        let r = anonymous
            .get(&format!("/deadline-calculator?{query}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{regime}: {}", r.body);
        assert!(r.body.contains(due), "{regime}: {due}");
        assert!(r.body.contains(also) || regime == "sar", "{regime}: {also}");
        let api = anonymous
            .get(&format!(
                "/api/v1/deadline?regime={regime}&received={received}"
            ))
            .await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.body);
        assert!(api.json()["deadlines"]["statutory"]["working"].is_array());
    }
    let api = anonymous
        .get("/api/v1/deadline?regime=foi&received=2025-03-03")
        .await
        .json();
    assert_eq!(api["due"], "2025-04-01");
    assert_eq!(api["calendar"], "united-kingdom");
    let clarified = anonymous
        .get("/api/v1/deadline?regime=foi&received=2025-03-03&events=clarification_sought:2025-03-05,clarification_received:2025-03-10")
        .await
        .json();
    assert_eq!(clarified["due"], "2025-04-08");
}

#[tokio::test]
async fn statistics_and_the_deadline_feed() {
    let app = TestApp::demo(report_day()).await;
    let pid = app.hwf().await;
    let mut viewer = app.signed_in(VIEWER).await;
    let csv = viewer
        .get(&format!("/partnerships/{pid}/requests/statistics.csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(
        lines[0].starts_with("council,quarter,received,open,granted_in_full,partially_withheld")
    );
    // Haringey 2011 Q2: the answered FOI request (partially withheld, in time) and the open
    // EIR request; the subject access request is not counted.
    let haringey = lines
        .iter()
        .find(|l| l.starts_with("E09000014,2011 Q2,"))
        .unwrap();
    assert!(
        haringey.starts_with("E09000014,2011 Q2,2,1,0,1,0,0,0,0,1,0,0"),
        "{haringey}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("E09000031,2011 Q3,1,1,")),
        "{}",
        csv.body
    );

    let mut info = app.signed_in(INFO_WF).await;
    let feed = info
        .get(&format!("/partnerships/{pid}/requests/deadlines.ics"))
        .await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.header("content-type").starts_with("text/calendar"));
    assert!(feed.body.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(
        feed.body
            .contains("SUMMARY:HWF-FOI-2011-0002: statutory due date")
    );
    assert!(
        feed.body
            .contains("HWF-FOI-2011-0004: forward to the single point of contact")
    );
    assert!(
        !feed.body.contains("HWF-FOI-2011-0001: statutory"),
        "closed requests are left out"
    );
    for detail in REQUESTER_DETAILS {
        assert!(!feed.body.contains(detail));
    }
    let anonymous = app
        .anonymous()
        .get(&format!("/partnerships/{pid}/requests/deadlines.ics"))
        .await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_taken_reference_and_a_stale_version_are_refused_on_pages_and_in_the_api() {
    let today = d(2025, 3, 20);
    let app = TestApp::demo(today).await;
    let pid = app.hwf().await;
    let mut wf = app.signed_in(INFO_WF).await;
    let mut api = app.token_client(INFO_HARINGEY).await;
    let rid = location_ref(&log_request(&mut wf, pid, "foi", d(2025, 3, 3), "FOI-TWICE-1").await);
    let audit_before = app.store.audit_head().await.unwrap().0;

    // The same reference again: refused on the form and in the API, naming the field.
    let r = log_request(&mut wf, pid, "foi", d(2025, 3, 3), "FOI-TWICE-1").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("href=\"#reference\""), "{}", r.body);
    assert!(r.body.contains("already in the register"));
    let r = api
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{pid}/requests"),
            &json!({
                "reference": "FOI-TWICE-1", "received_by": WALTHAM_FOREST, "channel": "email",
                "received_at": "2025-03-03T09:00:00", "regime": "foi", "summary": "Costs",
                "requester": {"name": "Zed", "contact": "zed@example.invalid"}
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "reference");
    assert_eq!(app.store.audit_head().await.unwrap().0, audit_before);

    // Two single points of contact open the request at version 1; the first forwards it.
    let version = request(&app, pid, &rid).await.version.to_string();
    let form = wf
        .get(&format!(
            "/partnerships/{pid}/requests/{rid}/actions/forward"
        ))
        .await;
    assert!(
        form.body
            .contains(&format!("name=\"version\" value=\"{version}\""))
    );
    let mut fields = date_fields("on", d(2025, 3, 4));
    fields.push(("version".into(), version.clone()));
    let r = post(
        &mut wf,
        &format!("/partnerships/{pid}/requests/{rid}/actions/forward"),
        &fields,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The second, on the page, from the version they opened: 409, with the error summary.
    let mut haringey = app.signed_in(INFO_HARINGEY).await;
    let before = snapshot(&app, pid, &rid).await;
    let mut fields = date_fields("on", d(2025, 3, 5));
    fields.push(("version".into(), version.clone()));
    let r = post(
        &mut haringey,
        &format!("/partnerships/{pid}/requests/{rid}/actions/withdraw"),
        &fields,
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("govuk-error-summary"));
    assert!(r.body.contains("changed since you opened it"), "{}", r.body);
    assert!(r.body.contains("href=\"#version\""));
    // And in the API.
    let r = api
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{pid}/requests/{rid}/actions"),
            &json!({"action": "withdraw", "on": "2025-03-05", "version": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(snapshot(&app, pid, &rid).await, before, "nothing changed");
    // From the current version it goes through.
    let r = api
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{pid}/requests/{rid}/actions"),
            &json!({"action": "withdraw", "on": "2025-03-05", "version": before.0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["stage"], "closed");
    assert_eq!(r.json()["version"], before.0 + 1);
}

#[tokio::test]
async fn the_register_api_pages_with_a_cursor_and_a_link() {
    let today = d(2025, 3, 20);
    let app = TestApp::demo(today).await;
    let pid = app.hwf().await;
    let mut wf = app.signed_in(INFO_WF).await;
    for n in 0..7 {
        let r = log_request(&mut wf, pid, "foi", d(2025, 3, 3 + n), "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let mut api = app.token_client(VIEWER).await;
    let mut seen = Vec::new();
    let mut path = format!("/api/v1/partnerships/{pid}/requests?stage=open&limit=3");
    let mut pages = 0;
    loop {
        let r = api.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        let body = r.json();
        assert_eq!(
            body["total"], 11,
            "{path}: the demo's four open requests and these seven"
        );
        pages += 1;
        for item in body["items"].as_array().unwrap() {
            seen.push(item["reference"].as_str().unwrap().to_owned());
        }
        match body["next"].as_str() {
            Some(next) => {
                assert_eq!(r.header("link"), format!("<{next}>; rel=\"next\""));
                assert!(next.contains("stage=open"), "{next}");
                path = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(pages, 4);
    let distinct: std::collections::BTreeSet<&String> = seen.iter().collect();
    assert_eq!(distinct.len(), 11, "{seen:?}");
    // By the date the response must go by.
    let register = api
        .get(&format!(
            "/api/v1/partnerships/{pid}/requests?stage=open&limit=500"
        ))
        .await
        .json();
    let dates: Vec<&str> = register["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["answer_by"].as_str())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_unstable();
    assert_eq!(dates, sorted);
    // A bad cursor or limit names its field.
    for (query, field) in [
        ("cursor=nonsense", "cursor"),
        ("limit=0", "limit"),
        ("stage=sideways", "stage"),
    ] {
        let r = api
            .get(&format!("/api/v1/partnerships/{pid}/requests?{query}"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(r.json()["error"]["fields"][0]["field"], field, "{query}");
    }
    // The page numbers its pages, GOV.UK style.
    let page = wf
        .get(&format!("/partnerships/{pid}/requests?stage=open&page=1"))
        .await;
    assert!(page.body.contains("Requests (11)"), "{}", page.body);
}
