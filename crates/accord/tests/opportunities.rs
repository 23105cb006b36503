//! Opportunities, the preferred-partner rule, the compatibility gateway and the RAG matrix,
//! through the pages and the API of the whole application with the demo loaded.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

mod support;

use accord_testkit::http::{Client, TestResponse};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::{TestApp, report_day};

const PROGRAMME: &str = "programme@haringey.demo.accord.test";
const VIEWER: &str = "councillor@haringey.demo.accord.test";
const OFFICER_H: &str = "officer@haringey.demo.accord.test";
const OFFICER_W: &str = "officer@walthamforest.demo.accord.test";
const ADMIN: &str = "admin@demo.accord.test";
const HARINGEY: &str = "E09000014";
const WALTHAM_FOREST: &str = "E09000031";

/// A day before the report, so that opportunities raised today can be offered, answered and
/// decided on the days after.
fn early() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2011, 7, 1).unwrap()
}

fn opportunities(hwf: i64) -> String {
    format!("/api/v1/partnerships/{hwf}/opportunities")
}

/// The demo's opportunities as the API lists them to `client` (one page holds them all).
async fn list(client: &mut Client, hwf: i64) -> Vec<Value> {
    let response = client.get(&opportunities(hwf)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let page = response.json();
    assert_eq!(page["next"], Value::Null, "one page holds the demo");
    page["items"].as_array().unwrap().clone()
}

/// An opportunity's reference, which its address carries.
fn reference(o: &Value) -> &str {
    o["reference"].as_str().unwrap()
}

async fn by_service(client: &mut Client, hwf: i64, service: &str) -> Value {
    list(client, hwf)
        .await
        .into_iter()
        .find(|o| o["service"]["name"] == service)
        .unwrap_or_else(|| panic!("no opportunity for {service}"))
}

fn field_of(response: &TestResponse) -> String {
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        response.body
    );
    response.json()["error"]["fields"][0]["field"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Every rating of every default criterion for one council, all `letter`.
fn all_ratings(council: &str, letter: &str) -> Vec<Value> {
    accord_domain::gateway::Criteria::default()
        .criteria
        .iter()
        .map(|c| {
            json!({
                "council": council,
                "criterion": c.name,
                "rating": letter,
                "rationale": format!("{council} rates {}", c.name),
            })
        })
        .collect()
}

#[tokio::test]
async fn the_demo_programme_and_its_matrix_are_visible_to_a_viewer() {
    for (backend, app) in TestApp::every_backend(report_day()).await {
        let hwf = app.hwf().await;
        let mut viewer = app.signed_in(VIEWER).await;

        // The matrix: services down, criteria across, by phase, colour and letter.
        let page = viewer
            .get(&format!("/partnerships/{hwf}/opportunities/matrix"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.body);
        for text in [
            "RAG matrix",
            "Phase 1 services",
            "Phase 2 services",
            "Services with no phase stated",
            "Revenues and Benefits",
            "Youth Offending Team",
            "Building Cleaning",
            "Strategic Fit",
            "Ease of Implementation",
            "accord-rag__letter",
            "Illustrative",
            r#"<title id="matrix-svg-title">"#,
            r#"aria-labelledby="matrix-svg-title matrix-svg-desc""#,
        ] {
            assert!(page.body.contains(text), "{backend}: {text} missing");
        }
        // Each rated cell links to its reasons and shows their start on hover and focus.
        assert!(page.body.contains("/assessment#criterion-6"), "{backend}");
        assert!(
            page.body.contains(
                r#"<span class="accord-matrix__tip" aria-hidden="true">Haringey: Red — Illustrative: No substantial case"#
            ),
            "{backend}"
        );

        // The outcomes as Appendix B reports them.
        let all = list(&mut viewer, hwf).await;
        assert_eq!(all.len(), 14 + 17, "{backend}");
        let status_of = |service: &str| {
            all.iter()
                .find(|o| o["service"]["name"] == service)
                .unwrap()["status"]
                .clone()
        };
        assert_eq!(status_of("Building Cleaning")["kind"], "not-pursued");
        assert!(
            status_of("Building Cleaning")["reason"]
                .as_str()
                .unwrap()
                .starts_with("Market testing instead")
        );
        assert_eq!(status_of("Legal Services")["kind"], "deferred");
        assert_eq!(status_of("Legal Services")["re_evaluate"], "2011-12-31");
        assert!(
            status_of("Communications")["reason"]
                .as_str()
                .unwrap()
                .starts_with("Not a full shared service")
        );
        assert_eq!(
            status_of("Economic Development")["kind"],
            "handed-to-delivery"
        );
        assert_eq!(status_of("Electoral Services")["kind"], "identified");

        // Each recorded outcome is consistent with the gateway.
        for o in &all {
            let outcome = o["gateway"]["outcome"].as_str();
            let passed_at_some_point = o["history"].as_array().unwrap().iter().any(|h| {
                h["to"]["kind"] == "passed" || h["to"]["kind"] == "passed-with-conditions"
            });
            match o["status"]["kind"].as_str().unwrap() {
                "passed" => assert_eq!(outcome, Some("pass"), "{o}"),
                "passed-with-conditions" | "handed-to-delivery" => {
                    assert!(passed_at_some_point, "{o}");
                    assert!(
                        matches!(outcome, Some("pass" | "pass-with-conditions")),
                        "{o}"
                    );
                }
                "not-pursued" => assert_eq!(outcome, Some("fail"), "{o}"),
                _ => {}
            }
            if o["gateway"]["state"] != "not-started" {
                assert_eq!(o["gateway"]["illustrative"], true, "{o}");
            }
        }

        // The opportunity and assessment pages explain the outcome.
        let legal = all
            .iter()
            .find(|o| o["service"]["name"] == "Legal Services")
            .unwrap();
        let page = viewer
            .get(&format!(
                "/partnerships/{hwf}/opportunities/{}",
                reference(legal)
            ))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body
                .contains("deferred: evaluate again on 31 December 2011")
        );
        assert!(page.body.contains("Seed 003"));
        let page = viewer
            .get(&format!(
                "/partnerships/{hwf}/opportunities/{}/assessment",
                reference(legal)
            ))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        for text in [
            "Fail",
            "5 criteria are below Green",
            "the rule allows at most 4",
            "would make it Pass with conditions",
            "The outcome stays for weights",
            "Key differences in costs",
        ] {
            assert!(page.body.contains(text), "{backend}: {text} missing");
        }

        // The ranking.
        let page = viewer
            .get(&format!("/partnerships/{hwf}/opportunities/ranking"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("1st"));
        assert!(page.body.contains("Not ranked: assessment not complete"));
        assert!(page.body.contains("Policy and Performance"));
    }
}

#[tokio::test]
async fn the_public_sees_published_opportunities_but_not_the_illustrative_ratings() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut anonymous = app.anonymous();
    let all = list(&mut anonymous, hwf).await;
    assert_eq!(all.len(), 31);
    assert!(all.iter().all(|o| o["gateway"]["state"] == "not-started"));
    let page = anonymous
        .get(&format!("/partnerships/{hwf}/opportunities/matrix"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("accord-matrix__link"));
}

#[tokio::test]
async fn the_demo_loads_once() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut programme = app.token_client(PROGRAMME).await;
    let before = list(&mut programme, hwf).await;
    let services = programme.get("/api/v1/services").await.json();
    accord::demo::load(&app.state.app).await.unwrap();
    assert_eq!(list(&mut programme, hwf).await, before);
    assert_eq!(programme.get("/api/v1/services").await.json(), services);
    let versions = programme
        .get(&format!("/api/v1/partnerships/{hwf}/criteria"))
        .await
        .json();
    assert_eq!(versions.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_matrix_exports_as_csv_and_svg() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut viewer = app.signed_in(VIEWER).await;
    let csv = viewer
        .get(&format!("/partnerships/{hwf}/opportunities/matrix.csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert!(
        csv.header("content-disposition")
            .contains("accord-rag-matrix.csv")
    );
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[2], "service");
    let cost = header.iter().position(|h| h == "Cost Sharing/VFM").unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 31);
    let cleaning = rows.iter().find(|r| &r[2] == "Building Cleaning").unwrap();
    assert_eq!(&cleaning[cost], "R");
    assert_eq!(&cleaning[6], "fail");
    assert_eq!(&cleaning[9], "yes");
    let electoral = rows.iter().find(|r| &r[2] == "Electoral Services").unwrap();
    assert_eq!(&electoral[cost], "");
    // Phase 1 rows come first.
    assert_eq!(&rows[0][0], "1");

    let svg = viewer
        .get(&format!("/partnerships/{hwf}/opportunities/matrix.svg"))
        .await;
    assert_eq!(svg.status, StatusCode::OK);
    assert_eq!(svg.header("content-type"), "image/svg+xml; charset=utf-8");
    assert!(
        svg.body
            .starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg""#)
    );
    assert!(svg.body.contains("<title id=\"matrix-svg-title\">"));
    assert!(svg.body.contains("<desc id=\"matrix-svg-desc\">"));
    assert!(svg.body.contains(">R</text>") && svg.body.contains(">G</text>"));

    // The JSON matrix carries the same cells.
    let matrix = viewer
        .get(&format!("/api/v1/partnerships/{hwf}/opportunities/matrix"))
        .await
        .json();
    let row = matrix["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service"] == "Building Cleaning")
        .unwrap();
    assert_eq!(row["cells"][6], "R");
    assert_eq!(matrix["versions"][0]["criteria"][6], "Cost Sharing/VFM");
}

async fn raise(client: &mut Client, hwf: i64, service: &str, originating: &str) -> Value {
    let services = client.get("/api/v1/services?limit=500").await.json()["items"].clone();
    let service_id = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == service)
        .unwrap()["id"]
        .clone();
    let response = client
        .send_json(
            Method::POST,
            &opportunities(hwf),
            &json!({
                "service_id": service_id,
                "scope": format!("A shared {service}"),
                "originating": originating,
                "phase": 3,
                "wave": 3,
                "size": "small",
            }),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    response.json()
}

#[tokio::test]
async fn the_preferred_partner_rule_holds_on_the_api() {
    let app = TestApp::demo(early()).await;
    let hwf = app.hwf().await;
    let mut programme = app.token_client(PROGRAMME).await;
    let o = raise(&mut programme, hwf, "Engineering Design", HARINGEY).await;
    assert_eq!(o["status"]["kind"], "identified");
    let one = format!("{}/{}", opportunities(hwf), reference(&o));
    let other = |on: &str, authority: Option<&str>| json!({ "name": "London Borough of Redbridge", "authority": authority, "on": on });
    let record_other = format!("{one}/other-partners");

    // Before the offer, and before the partner has answered: refused, nothing changed.
    let response = programme
        .send_json(Method::POST, &record_other, &other("2011-07-15", None))
        .await;
    assert_eq!(field_of(&response), "partners");
    assert!(response.body.contains("3.2.1"));
    let response = programme
        .send_json(
            Method::POST,
            &format!("{one}/offer"),
            &json!({ "on": "2011-07-01" }),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(
        response.json()["status"]["kind"],
        "offered-to-preferred-partner"
    );
    assert_eq!(
        response.json()["offers"][0]["partner"]["gss"],
        WALTHAM_FOREST
    );
    let version = response.json()["version"].clone();
    let response = programme
        .send_json(Method::POST, &record_other, &other("2011-07-15", None))
        .await;
    assert_eq!(field_of(&response), "partners");
    assert!(response.body.contains("has not answered"));

    // Accepted: still refused.
    let answer = |kind: &str, on: &str| json!({ "partner": WALTHAM_FOREST, "kind": kind, "on": on, "note": "cabinet view" });
    let response = programme
        .send_json(
            Method::POST,
            &format!("{one}/responses"),
            &answer("accept", "2011-07-05"),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let response = programme
        .send_json(Method::POST, &record_other, &other("2011-07-15", None))
        .await;
    assert_eq!(field_of(&response), "partners");
    assert!(response.body.contains("accepted"));

    // Declined later: another partner dated before the decline is refused; after, allowed.
    let response = programme
        .send_json(
            Method::POST,
            &format!("{one}/responses"),
            &answer("not-ready", "2011-07-10"),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let response = programme
        .send_json(Method::POST, &record_other, &other("2011-07-08", None))
        .await;
    assert_eq!(field_of(&response), "on");
    // A member is a preferred partner, never "another" partner.
    let response = programme
        .send_json(
            Method::POST,
            &record_other,
            &other("2011-07-15", Some(WALTHAM_FOREST)),
        )
        .await;
    assert_eq!(field_of(&response), "authority");
    let unchanged = programme.get(&one).await.json();
    assert_eq!(unchanged["other_partners"], json!([]));
    assert_ne!(unchanged["version"], version);

    let response = programme
        .send_json(
            Method::POST,
            &record_other,
            &other("2011-07-15", Some("E09000026")),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let recorded = &response.json()["other_partners"][0];
    assert_eq!(recorded["open_for_preferred_partner_to_join"], true);
    assert_eq!(recorded["open_to"], json!([WALTHAM_FOREST]));
    assert_eq!(recorded["authority"], "E09000026");

    // The stale version is refused.
    let response = programme
        .send_json(
            Method::POST,
            &format!("{one}/status"),
            &json!({ "to": "deferred", "re_evaluate": "2011-12-31", "version": version }),
        )
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT, "{}", response.body);
    assert!(
        response.body.contains("changed since you opened it"),
        "{}",
        response.body
    );
}

#[tokio::test]
async fn the_preferred_partner_rule_holds_on_the_pages() {
    let app = TestApp::demo(early()).await;
    let hwf = app.hwf().await;
    let mut programme = app.signed_in(PROGRAMME).await;
    let mut api = app.token_client(PROGRAMME).await;
    let services = api.get("/api/v1/services?limit=500").await.json()["items"].clone();
    let service_id = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Engineering Design")
        .unwrap()["id"]
        .to_string();

    // Refused form: every problem named, nothing raised.
    let base = format!("/partnerships/{hwf}/opportunities");
    let response = programme
        .post_form(&base, &[("service_id", ""), ("scope", ""), ("phase", "x")])
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    for text in [
        "There is a problem",
        "Choose the council raising it",
        "Enter the phase as a whole number",
    ] {
        assert!(response.body.contains(text), "{text}");
    }
    assert_eq!(list(&mut api, hwf).await.len(), 31);

    let response = programme
        .post_form(
            &base,
            &[
                ("service_id", &service_id),
                ("scope", "Joint procurement of cleaning and catering"),
                ("originating", HARINGEY),
                ("phase", "3"),
                ("size", "large"),
                ("classification", "partnership"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let one = response.header("location").to_owned();

    let other = [
        ("name", "A neighbouring borough"),
        ("on-day", "15"),
        ("on-month", "7"),
        ("on-year", "2011"),
    ];
    let response = programme
        .post_form(&format!("{one}/other-partners"), &other)
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.body.contains("it must be offered to them first"));

    let response = programme
        .post_form(
            &format!("{one}/offer"),
            &[("on-day", "1"), ("on-month", "7"), ("on-year", "2011")],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let response = programme
        .post_form(&format!("{one}/other-partners"), &other)
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.body.contains("has not answered the offer"));

    let response = programme
        .post_form(
            &format!("{one}/responses"),
            &[
                ("partner", WALTHAM_FOREST),
                ("kind", "has-another-partner"),
                ("on-day", "10"),
                ("on-month", "7"),
                ("on-year", "2011"),
                ("note", "Already shares procurement elsewhere"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let response = programme
        .post_form(&format!("{one}/other-partners"), &other)
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let page = programme.get(&one).await;
    assert!(
        page.body
            .contains("Open for the preferred partner to join later")
    );
    assert!(page.body.contains("has another partner"));

    // The opportunity's address carries its reference; the audit trail holds every change.
    let reference_in_address = one.rsplit('/').next().unwrap();
    assert!(reference_in_address.starts_with("OPP-"), "{one}");
    let raised = list(&mut api, hwf)
        .await
        .into_iter()
        .find(|o| o["reference"] == reference_in_address)
        .unwrap();
    let id = &raised["id"];
    let history = programme
        .get(&format!("/partnerships/{hwf}/records/{id}/history"))
        .await;
    assert_eq!(history.status, StatusCode::OK);
}

#[tokio::test]
async fn the_status_lifecycle_goes_through_the_gateway_with_its_history() {
    let app = TestApp::demo(early()).await;
    let hwf = app.hwf().await;
    let mut programme = app.token_client(PROGRAMME).await;
    let o = raise(&mut programme, hwf, "Engineering Design", WALTHAM_FOREST).await;
    let one = format!("{}/{}", opportunities(hwf), reference(&o));
    let status = |to: &str, reason: &str| json!({ "to": to, "reason": reason, "on": "2011-07-20" });

    // Assessing needs an acceptance; passing needs the gateway.
    let response = programme
        .send_json(
            Method::POST,
            &format!("{one}/status"),
            &status("assessing", ""),
        )
        .await;
    assert_eq!(field_of(&response), "to");
    programme
        .send_json(
            Method::POST,
            &format!("{one}/offer"),
            &json!({ "on": "2011-07-19" }),
        )
        .await;
    programme
        .send_json(
            Method::POST,
            &format!("{one}/responses"),
            &json!({ "partner": HARINGEY, "kind": "accept", "on": "2011-07-19" }),
        )
        .await;
    let response = programme
        .send_json(
            Method::POST,
            &format!("{one}/status"),
            &status("assessing", "both ready"),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let response = programme
        .send_json(
            Method::POST,
            &format!("{one}/status"),
            &status("passed", ""),
        )
        .await;
    assert_eq!(field_of(&response), "gateway");

    // Rated Amber on one criterion by one council: pass with conditions, not pass.
    let mut ratings = all_ratings(HARINGEY, "G");
    ratings.extend(all_ratings(WALTHAM_FOREST, "G"));
    ratings[15]["rating"] = json!("A");
    let response = programme
        .send_json(
            Method::PUT,
            &format!("{one}/assessment"),
            &json!({ "ratings": ratings }),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let assessment = response.json();
    assert_eq!(assessment["complete"], true);
    assert_eq!(assessment["report"]["outcome"], "pass-with-conditions");
    assert!(
        assessment["report"]["flips"]["better"]["description"]
            .as_str()
            .unwrap()
            .contains("Waltham Forest's rating of Staffing Arrangements from Amber to Green")
    );
    let response = programme
        .send_json(
            Method::POST,
            &format!("{one}/status"),
            &status("passed", ""),
        )
        .await;
    assert_eq!(field_of(&response), "gateway");
    let response = programme
        .send_json(
            Method::POST,
            &format!("{one}/status"),
            &status("passed-with-conditions", "staffing to be aligned first"),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);

    // Not pursued needs a reason; then it is final, and never assessed again.
    let response = programme
        .send_json(
            Method::POST,
            &format!("{one}/status"),
            &status("not-pursued", " "),
        )
        .await;
    assert_eq!(field_of(&response), "reason");
    let response = programme
        .send_json(
            Method::POST,
            &format!("{one}/status"),
            &status("not-pursued", "market testing instead"),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let done = response.json();
    assert_eq!(
        done["status"]["description"],
        "not pursued: market testing instead"
    );
    let history = done["history"].as_array().unwrap();
    let kinds: Vec<&str> = history
        .iter()
        .map(|h| h["to"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "identified",
            "offered-to-preferred-partner",
            "assessing",
            "passed-with-conditions",
            "not-pursued"
        ]
    );
    assert_eq!(history[2]["reason"], "both ready");
    assert_eq!(history[3]["reason"], "staffing to be aligned first");
    let response = programme
        .send_json(
            Method::POST,
            &format!("{one}/status"),
            &status("assessing", ""),
        )
        .await;
    assert_eq!(field_of(&response), "to");
    assert!(response.body.contains("cannot be assessed"));

    // The page shows the history with its reasons.
    let mut page_client = app.signed_in(PROGRAMME).await;
    let page = page_client
        .get(&format!(
            "/partnerships/{hwf}/opportunities/{}",
            reference(&o)
        ))
        .await;
    assert!(page.body.contains("staffing to be aligned first"));
    assert!(page.body.contains("not pursued: market testing instead"));
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field_and_changes_nothing() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut programme = app.token_client(PROGRAMME).await;
    let contact = by_service(&mut programme, hwf, "Contact Centre").await;
    let cleaning = by_service(&mut programme, hwf, "Building Cleaning").await;
    let assessment_of = |o: &Value| format!("{}/{}/assessment", opportunities(hwf), reference(o));
    let before = programme.get(&assessment_of(&contact)).await.json();
    let rating = |council: &str, criterion: &str, letter: &str| json!({ "ratings": [{ "council": council, "criterion": criterion, "rating": letter, "rationale": "why" }] });
    let cases = [
        (&contact, rating(HARINGEY, "Risk", "B"), "ratings[0].rating"),
        (
            &contact,
            rating(HARINGEY, "Colour", "G"),
            "ratings[0].criterion",
        ),
        (
            &contact,
            rating("E09000010", "Risk", "G"),
            "ratings[0].council",
        ),
        (&cleaning, rating(HARINGEY, "Risk", "G"), "status"),
        (
            &contact,
            json!({ "criteria_version": 7, "ratings": [] }),
            "criteria_version",
        ),
    ];
    for (o, body, field) in cases {
        let response = programme
            .send_json(Method::PUT, &assessment_of(o), &body)
            .await;
        assert_eq!(field_of(&response), field, "{body}");
    }
    assert_eq!(programme.get(&assessment_of(&contact)).await.json(), before);
    let response = programme
        .send_json(
            Method::PUT,
            &assessment_of(&cleaning),
            &rating(HARINGEY, "Risk", "G"),
        )
        .await;
    assert!(response.body.contains("not pursued"), "{}", response.body);

    // Weights negative or all zero.
    let criteria = format!("/api/v1/partnerships/{hwf}/criteria");
    let weights = |w: [f64; 2]| {
        json!({ "criteria": [
            { "name": "Strategic Fit", "weight": w[0], "critical": true },
            { "name": "Cost Sharing/VFM", "weight": w[1] },
        ] })
    };
    let response = programme
        .send_json(Method::POST, &criteria, &weights([-1.0, 1.0]))
        .await;
    assert_eq!(field_of(&response), "criteria[0].weight");
    let response = programme
        .send_json(Method::POST, &criteria, &weights([0.0, 0.0]))
        .await;
    assert_eq!(field_of(&response), "criteria");
    let response = programme
        .send_json(
            Method::POST,
            &criteria,
            &json!({ "criteria": [{ "name": "Risk", "weigth": 1 }] }),
        )
        .await;
    assert!(
        field_of(&response).starts_with("criteria[0]"),
        "{}",
        response.body
    );
    assert_eq!(
        programme
            .get(&criteria)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The same refusals on the rating page, with the form shown again.
    let mut page = app.signed_in(PROGRAMME).await;
    let response = page
        .post_form(
            &format!(
                "/partnerships/{hwf}/opportunities/{}/assessment/{HARINGEY}",
                reference(&contact)
            ),
            &[
                ("criteria_version", "1"),
                ("ratings[7].rating", "B"),
                ("ratings[7].rationale", "why"),
                ("ratings[8].rating", "green"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response.body.contains("href=\"#ratings[7].rating\""),
        "{}",
        response.body
    );
    assert!(response.body.contains("href=\"#ratings[8].rationale\""));
    assert!(response.body.contains("is not a rating; use R, A or G"));
    assert_eq!(programme.get(&assessment_of(&contact)).await.json(), before);

    // A new version with a negative weight, on the page.
    let response = page
        .post_form(
            &format!("/partnerships/{hwf}/criteria"),
            &[
                ("criteria[0].name", "Strategic Fit"),
                ("criteria[0].weight", "-2"),
                ("criteria[1].name", "Risk"),
                ("criteria[1].weight", "1"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.body.contains("href=\"#criteria[0].weight\""));
    assert!(response.body.contains("is negative"));
}

#[tokio::test]
async fn each_council_rates_only_for_itself_and_the_programme_team_for_any() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut programme = app.token_client(PROGRAMME).await;
    let contact = by_service(&mut programme, hwf, "Contact Centre").await;
    let path = format!("{}/{}/assessment", opportunities(hwf), reference(&contact));
    let body = |council: &str| json!({ "ratings": [{ "council": council, "criterion": "Risk", "rating": "G", "rationale": "Third-party options ruled out" }] });

    let mut officer = app.token_client(OFFICER_H).await;
    let response = officer
        .send_json(Method::PUT, &path, &body(WALTHAM_FOREST))
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN, "{}", response.body);
    let response = officer.send_json(Method::PUT, &path, &body(HARINGEY)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let risk = |a: &Value, council: &str| {
        a["ratings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["council"] == council && r["criterion"] == "Risk")
            .unwrap()["rating"]
            .clone()
    };
    let now = response.json();
    assert_eq!(risk(&now, HARINGEY), "green");
    assert_eq!(risk(&now, WALTHAM_FOREST), "amber");
    // A council's own rating replaces the illustrative one and is no longer illustrative.
    assert!(
        now["ratings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["council"] == HARINGEY && r["illustrative"] == false)
    );

    // The page form, for the other council: refused.
    let mut page = app.signed_in(OFFICER_W).await;
    let response = page
        .post_form(
            &format!(
                "/partnerships/{hwf}/opportunities/{}/assessment/{HARINGEY}",
                reference(&contact)
            ),
            &[("ratings[7].rating", "red"), ("ratings[7].rationale", "no")],
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    let form = page
        .get(&format!(
            "/partnerships/{hwf}/opportunities/{}/assessment/{HARINGEY}",
            reference(&contact)
        ))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.body.contains("Save the ratings"));
    let response = page
        .post_form(
            &format!(
                "/partnerships/{hwf}/opportunities/{}/assessment/{WALTHAM_FOREST}",
                reference(&contact)
            ),
            &[
                ("ratings[7].rating", "green"),
                ("ratings[7].rationale", "Options reviewed"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);

    // The programme team rates for any council; a viewer for none.
    let response = programme
        .send_json(Method::PUT, &path, &body(WALTHAM_FOREST))
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let mut viewer = app.token_client(VIEWER).await;
    let response = viewer.send_json(Method::PUT, &path, &body(HARINGEY)).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_new_criteria_version_leaves_old_assessments_as_they_were() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut programme = app.token_client(PROGRAMME).await;
    let contact = by_service(&mut programme, hwf, "Contact Centre").await;
    let mut criteria: Vec<Value> = accord_domain::gateway::Criteria::default()
        .criteria
        .iter()
        .map(|c| json!({ "name": c.name, "weight": 1, "critical": c.critical }))
        .collect();
    criteria[7]["weight"] = json!(3);
    let response = programme
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{hwf}/criteria"),
            &json!({ "criteria": criteria, "rule": { "threshold": 0.75, "max_ambers": null }, "note": "risk counts more" }),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    assert_eq!(response.json()["version"], 2);
    assert_eq!(response.json()["rule"]["max_ambers"], Value::Null);
    let after = by_service(&mut programme, hwf, "Contact Centre").await;
    assert_eq!(after["gateway"]["criteria_version"], 1);
    assert_eq!(after["gateway"], contact["gateway"]);

    // A new opportunity's assessment uses version 2.
    let o = raise(&mut programme, hwf, "Engineering Design", HARINGEY).await;
    assert_eq!(o["gateway"]["criteria_version"], 2);

    let mut viewer = app.signed_in(VIEWER).await;
    let page = viewer.get(&format!("/partnerships/{hwf}/criteria")).await;
    assert!(page.body.contains("Current: version 2"));
    assert!(page.body.contains("Earlier versions"));
    assert!(page.body.contains("risk counts more"));
    // Both versions are in the matrix, each in its own tables.
    let page = viewer
        .get(&format!("/partnerships/{hwf}/opportunities/matrix"))
        .await;
    assert!(page.body.contains("(criteria version 1)"));
    assert!(page.body.contains("(criteria version 2)"));
}

#[tokio::test]
async fn the_list_filters_by_phase_wave_and_status() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut viewer = app.signed_in(VIEWER).await;
    let base = format!("/partnerships/{hwf}/opportunities");
    let page = viewer.get(&format!("{base}?status=not-pursued")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2 of 31 opportunities"));
    assert!(page.body.contains("Building Cleaning") && page.body.contains("Communications"));
    let page = viewer.get(&format!("{base}?phase=2")).await;
    assert!(page.body.contains("12 of 31 opportunities"), "phase 2");
    let page = viewer.get(&format!("{base}?phase=none&wave=")).await;
    assert!(page.body.contains("9 of 31 opportunities"));
    let page = viewer.get(&format!("{base}?status=done")).await;
    assert!(page.body.contains("is not an opportunity status"));

    let mut api = app.token_client(VIEWER).await;
    let deferred = api
        .get(&format!("{}?status=deferred", opportunities(hwf)))
        .await
        .json();
    assert_eq!(deferred["total"], 1);
    assert_eq!(deferred["items"][0]["service"]["name"], "Legal Services");
    let response = api
        .get(&format!("{}?status=done", opportunities(hwf)))
        .await;
    assert_eq!(field_of(&response), "status");
    let wave1 = api
        .get(&format!("{}?wave=1", opportunities(hwf)))
        .await
        .json();
    assert_eq!(wave1["total"], 10);
    assert_eq!(wave1["items"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn administrators_keep_the_service_catalogue() {
    let app = TestApp::demo(report_day()).await;
    let mut anonymous = app.anonymous();
    let page = anonymous.get("/services").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "Service catalogue",
        "Back office",
        "Revenues and Benefits",
        "Electoral Services",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    let mut admin = app.token_client(ADMIN).await;
    let response = admin
        .send_json(
            Method::POST,
            "/api/v1/services",
            &json!({ "name": "Building Control", "category": "regulatory" }),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let id = response.json()["id"].as_i64().unwrap();
    let response = admin
        .send_json(
            Method::POST,
            "/api/v1/services",
            &json!({ "name": "building control", "category": "regulatory" }),
        )
        .await;
    assert_eq!(field_of(&response), "name");
    let response = admin
        .send_json(
            Method::POST,
            "/api/v1/services",
            &json!({ "name": "Housing", "category": "housing" }),
        )
        .await;
    assert_eq!(field_of(&response), "category");
    let response = admin
        .send_json(
            Method::PUT,
            &format!("/api/v1/services/{id}"),
            &json!({ "name": "Legal Services", "category": "legal" }),
        )
        .await;
    assert_eq!(field_of(&response), "name");
    let response = admin
        .send_json(
            Method::PUT,
            &format!("/api/v1/services/{id}"),
            &json!({ "name": "Building Control Services", "category": "Regulatory" }),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.json()["name"], "Building Control Services");

    let mut page_admin = app.signed_in(ADMIN).await;
    let response = page_admin
        .post_form("/services", &[("name", ""), ("category", "")])
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.body.contains("Enter the service"));
    let response = page_admin
        .post_form(
            "/services",
            &[
                ("name", "Pest Control"),
                ("category", "environment-transport-waste"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert!(
        anonymous
            .get("/services")
            .await
            .body
            .contains("Pest Control")
    );

    let mut programme = app.token_client(PROGRAMME).await;
    let response = programme
        .send_json(
            Method::POST,
            "/api/v1/services",
            &json!({ "name": "Parks", "category": "environment-transport-waste" }),
        )
        .await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn two_editors_on_the_pages_the_second_is_shown_the_conflict() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut api = app.token_client(PROGRAMME).await;
    let contact = by_service(&mut api, hwf, "Contact Centre").await;
    let edit = format!(
        "/partnerships/{hwf}/opportunities/{}/edit",
        reference(&contact)
    );
    let version = contact["version"].to_string();
    let mut first = app.signed_in(PROGRAMME).await;
    let mut second = app.signed_in(PROGRAMME).await;
    // Both open the form at the same version.
    for client in [&mut first, &mut second] {
        let form = client.get(&edit).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.body
                .contains(&format!(r#"name="version" value="{version}""#)),
            "{}",
            form.body
        );
    }
    let fields = |scope: &'static str| {
        [
            ("version", version.as_str()),
            ("scope", scope),
            ("phase", ""),
            ("wave", ""),
            ("size", ""),
        ]
    };
    let response = first
        .post_form(&edit, &fields("A shared contact centre, in one place"))
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let response = second
        .post_form(&edit, &fields("A shared contact centre, on two sites"))
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT, "{}", response.body);
    assert!(response.body.contains("There is a problem"));
    assert!(response.body.contains("href=\"#version\""));
    assert!(response.body.contains("changed since you opened it"));
    // The form shows the opportunity as it is now, at its new version.
    assert!(
        response
            .body
            .contains("A shared contact centre, in one place")
    );
    let now = by_service(&mut api, hwf, "Contact Centre").await;
    assert_eq!(now["scope"], "A shared contact centre, in one place");
    assert_eq!(now["version"], contact["version"].as_i64().unwrap() + 1);
}

#[tokio::test]
async fn old_addresses_by_record_id_move_to_the_reference() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut viewer = app.signed_in(VIEWER).await;
    let mut api = app.token_client(VIEWER).await;
    let legal = by_service(&mut api, hwf, "Legal Services").await;
    let id = legal["id"].as_i64().unwrap();
    for (old, new) in [
        (
            format!("/partnerships/{hwf}/opportunities/{id}"),
            format!("/partnerships/{hwf}/opportunities/{}", reference(&legal)),
        ),
        (
            format!("/partnerships/{hwf}/opportunities/{id}/assessment"),
            format!(
                "/partnerships/{hwf}/opportunities/{}/assessment",
                reference(&legal)
            ),
        ),
        (
            format!("/api/v1/partnerships/{hwf}/opportunities/{id}"),
            format!(
                "/api/v1/partnerships/{hwf}/opportunities/{}",
                reference(&legal)
            ),
        ),
    ] {
        let response = viewer.get(&old).await;
        assert_eq!(response.status, StatusCode::PERMANENT_REDIRECT, "{old}");
        assert_eq!(response.header("location"), new, "{old}");
    }
    // A reference is read leniently, and one that names nothing is not found.
    let page = viewer
        .get(&format!(
            "/partnerships/{hwf}/opportunities/{}",
            reference(&legal).to_lowercase()
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let missing = viewer
        .get(&format!("/partnerships/{hwf}/opportunities/OPP-999"))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_api_list_pages_with_cursors_and_says_how_many() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut api = app.token_client(VIEWER).await;
    let mut seen = Vec::new();
    let mut next = format!("{}?limit=10&sort=service", opportunities(hwf));
    let mut pages = 0;
    loop {
        let response = api.get(&next).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        let page = response.json();
        assert_eq!(page["total"], 31);
        for o in page["items"].as_array().unwrap() {
            seen.push(o["service"]["name"].as_str().unwrap().to_lowercase());
        }
        pages += 1;
        match page["next"].as_str() {
            Some(link) => {
                assert_eq!(response.header("link"), format!("<{link}>; rel=\"next\""));
                next = link.to_owned();
            }
            None => {
                assert_eq!(response.header("link"), "");
                break;
            }
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(seen.len(), 31);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "in service order across pages");
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("cursor=nonsense", "cursor"),
        ("sort=size", "sort"),
        ("phase=x", "phase"),
        ("originating=Haringey", "originating"),
        ("re_evaluate_by=2011-02-30", "re_evaluate_by"),
    ] {
        let response = api.get(&format!("{}?{query}", opportunities(hwf))).await;
        assert_eq!(field_of(&response), field, "{query}");
    }
    // Filters the list did not have before: the council that raised it, the size, a search,
    // a re-evaluation date.
    let by = |query: &str| {
        let path = format!("{}?{query}", opportunities(hwf));
        path
    };
    let deferred = api.get(&by("re_evaluate_by=2011-12-31")).await.json();
    assert_eq!(deferred["total"], 1);
    let legal = api.get(&by("text=LEGAL")).await.json();
    assert!(legal["items"].as_array().unwrap().iter().all(|o| {
        o["service"]["name"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("legal")
            || o["scope"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("legal")
    }));
    let large = api.get(&by("size=large")).await.json();
    assert!(large["total"].as_i64().unwrap() > 0);
    let raised_by = api
        .get(&by(&format!("originating={WALTHAM_FOREST}")))
        .await
        .json();
    assert!(
        raised_by["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["originating"]["gss"] == WALTHAM_FOREST)
    );
    // Numbered pages for people, GOV.UK style.
    let mut viewer = app.signed_in(VIEWER).await;
    let page = viewer
        .get(&format!(
            "/partnerships/{hwf}/opportunities?sort=service&page=2"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("31 of 31 opportunities"));
}

/// The catalogue a page at a time: following `next` gives every service once, in the order
/// they were added, the total counts them all, and a cursor it did not give is refused by name.
#[tokio::test]
async fn the_catalogue_api_pages_with_a_cursor() {
    let app = TestApp::demo(report_day()).await;
    let mut client = app.token_client(PROGRAMME).await;
    let whole = client.get("/api/v1/services?limit=500").await.json();
    let total = whole["total"].as_i64().unwrap();
    assert!(total > 4, "{whole}");
    let mut address = "/api/v1/services?limit=4".to_owned();
    let mut seen = Vec::new();
    loop {
        let page = client.get(&address).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let body = page.json();
        assert_eq!(body["total"], total);
        seen.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].clone()),
        );
        match body["next"].as_str() {
            Some(next) => address = next.to_owned(),
            None => break,
        }
    }
    let ids: Vec<Value> = whole["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    assert_eq!(seen, ids);
    let refused = client.get("/api/v1/services?cursor=nonsense").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["error"]["fields"][0]["field"], "cursor");
}
