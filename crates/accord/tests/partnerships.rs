//! Partnerships, members and MOUs through the pages and the JSON API: the demo data, the MOU
//! clock, and every kind of bad input refused with the field named and nothing changed.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::json;
use support::{TestApp, report_day};

#[tokio::test]
async fn the_demo_serves_five_partnerships_and_the_haringey_waltham_forest_mou_clock() {
    let app = TestApp::demo(chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).await;
    let mut client = app.anonymous();
    let home = client.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    for name in [
        "Haringey – Waltham Forest",
        "Cambridgeshire – Northamptonshire",
        "Hartlepool – Darlington",
        "Buckinghamshire – Harrow",
        "Tri-borough",
    ] {
        assert!(home.body.contains(name), "{name} is on the home page");
    }
    let hwf = app.hwf().await;
    let page = client.get(&format!("/partnerships/{hwf}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "Haringey",
        "Waltham Forest",
        "22 May 2014",
        "Next review due",
        "the local elections of 2014",
        "21 December 2010",
    ] {
        assert!(
            page.body.contains(text),
            "{text} is on the partnership page"
        );
    }
    // Read as at the committee report, the MOU is in force with its next quarterly review due.
    let then = client
        .get(&format!("/partnerships/{hwf}?on=2011-07-21"))
        .await;
    assert!(then.body.contains("In force"));
    assert!(
        then.body.contains("21 September 2011"),
        "the next review date"
    );
    assert!(then.body.contains("1,036"), "days to the end");
    let api = client
        .get(&format!("/api/v1/partnerships/{hwf}"))
        .await
        .json();
    assert_eq!(
        api["mou"]["end"],
        json!({"kind": "event", "name": "the local elections of 2014", "date": "2014-05-22"})
    );
    assert_eq!(api["mou"]["clock"]["status"], "ended");
    assert_eq!(api["members"].as_array().unwrap().len(), 2);
    // Figures the seeds do not give are "not stated", never invented.
    let cambs = app
        .store
        .partnership_id_by_name("Cambridgeshire – Northamptonshire shared services, with Slough")
        .await
        .unwrap()
        .unwrap();
    let page = client.get(&format!("/partnerships/{cambs}")).await;
    assert!(page.body.contains("not stated"));
    assert!(
        page.body.contains("Pending cabinet approval"),
        "Slough joins pending its cabinet"
    );
    let slough = client.get("/authorities/E06000039").await;
    assert!(slough.body.contains("Cambridgeshire – Northamptonshire"));
}

#[tokio::test]
async fn loading_the_demo_twice_adds_nothing() {
    let app = TestApp::demo(report_day()).await;
    let again = accord::demo::load(&app.state.app).await.unwrap();
    assert_eq!(again, accord::demo::DemoSummary::default());
    assert_eq!(app.store.partnerships().await.unwrap().len(), 5);
}

#[tokio::test]
async fn the_api_creates_and_changes_partnerships_members_and_mous() {
    let app = TestApp::demo(report_day()).await;
    let mut admin = app.token_client("admin@demo.accord.test").await;
    let created = admin
        .send_json(
            Method::POST,
            "/api/v1/partnerships",
            &json!({"name": "Harrow – Brent legal", "summary": "A shared legal team", "members": [
                {"gss": "E09000015", "role": "lead", "joined": "2012-04-01"},
                {"gss": "E09000005", "joined": "2012-04-01"}
            ]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    let (user, _) = app
        .store
        .user_credentials("programme@haringey.demo.accord.test")
        .await
        .unwrap()
        .unwrap();
    app.store
        .assign_role(
            user.id,
            accord_domain::access::RoleAssignment {
                partnership_id: id,
                role: accord_domain::access::Role::Programme,
            },
            &accord_store::Change::by("test"),
        )
        .await
        .unwrap();
    let mut programme = app
        .token_client("programme@haringey.demo.accord.test")
        .await;
    let joined = programme
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{id}/members"),
            &json!({"gss": "E10000002", "joined": "2013-01-01"}),
        )
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
    assert_eq!(joined.json()["members"].as_array().unwrap().len(), 3);
    let left = programme
        .send_json(
            Method::PATCH,
            &format!("/api/v1/partnerships/{id}/members/E10000002"),
            &json!({"left": "2014-03-31"}),
        )
        .await;
    assert_eq!(left.status, StatusCode::OK, "{}", left.body);
    let mou = programme
        .send_json(
            Method::PUT,
            &format!("/api/v1/partnerships/{id}/mou"),
            &json!({"agreed": "2012-03-01", "end": {"kind": "date", "date": "2015-03-31"}, "principles": "Share when it makes clear financial sense",
                    "quarterly_review_by": "the joint board"}),
        )
        .await;
    assert_eq!(mou.status, StatusCode::OK, "{}", mou.body);
    let event = programme
        .send_json(Method::POST, &format!("/api/v1/partnerships/{id}/mou/events"), &json!({"kind": "notice", "given_by": "E09000005", "given_on": "2014-01-10", "effective": "2014-06-30"}))
        .await;
    assert_eq!(event.status, StatusCode::CREATED, "{}", event.body);
    assert_eq!(event.json()["clock"]["ends"], "2014-06-30");
}

/// Every kind of bad input named by the foundation issue: the field is named, the API answers
/// 422, and nothing changes.
#[tokio::test]
async fn bad_input_is_refused_with_the_field_named_and_nothing_changed() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut api = app
        .token_client("programme@haringey.demo.accord.test")
        .await;
    let mut admin = app.token_client("admin@demo.accord.test").await;
    let before = app.store.partnership(hwf).await.unwrap().unwrap();
    let before_mou = app.store.mou(hwf).await.unwrap().unwrap();
    let (audit_before, _) = app.store.audit_head().await.unwrap();
    // (as the administrator?, method, path, body, the field named)
    let cases: Vec<(bool, Method, String, serde_json::Value, &str)> = vec![
        (
            true,
            Method::POST,
            "/api/v1/partnerships".into(),
            json!({"name": "X", "members": [{"gss": "E09000014"}, {"gss": "E09999999"}]}),
            "members[1].authority",
        ),
        (
            false,
            Method::POST,
            format!("/api/v1/partnerships/{hwf}/members"),
            json!({"gss": "E09999999"}),
            "authority",
        ),
        (
            false,
            Method::POST,
            format!("/api/v1/partnerships/{hwf}/members"),
            json!({"gss": "not-a-code"}),
            "gss",
        ),
        (
            false,
            Method::POST,
            format!("/api/v1/partnerships/{hwf}/members"),
            json!({"gss": "E09000031"}),
            "authority",
        ),
        (
            false,
            Method::PATCH,
            format!("/api/v1/partnerships/{hwf}/members/E09000014"),
            json!({"left": "2009-01-01"}),
            "left",
        ),
        (
            false,
            Method::PATCH,
            format!("/api/v1/partnerships/{hwf}/members/E09000014"),
            json!({"role": "boss"}),
            "role",
        ),
        (
            false,
            Method::PUT,
            format!("/api/v1/partnerships/{hwf}/mou"),
            json!({"agreed": "2010-12-21", "end": {"kind": "date", "date": "2010-01-01"}, "principles": "x"}),
            "end_date",
        ),
        (
            false,
            Method::POST,
            format!("/api/v1/partnerships/{hwf}/mou/events"),
            json!({"kind": "notice", "given_by": "E06000039", "given_on": "2012-01-01", "effective": "2012-03-01"}),
            "given_by",
        ),
        (
            false,
            Method::POST,
            format!("/api/v1/partnerships/{hwf}/mou/events"),
            json!({"kind": "notice", "given_by": "E09000014", "given_on": "2012-01-01", "effective": "2011-03-01"}),
            "effective",
        ),
        (
            false,
            Method::PATCH,
            format!("/api/v1/partnerships/{hwf}"),
            json!({"name": " "}),
            "name",
        ),
        (
            false,
            Method::PATCH,
            format!("/api/v1/partnerships/{hwf}"),
            json!({"name": "x", "colour": "red"}),
            "colour",
        ),
        (
            false,
            Method::POST,
            format!("/api/v1/partnerships/{hwf}/members"),
            json!({"gss": "E09000033", "joined": "21/12/2010"}),
            "joined",
        ),
    ];
    for (as_admin, method, path, body, field) in cases {
        let client = if as_admin { &mut admin } else { &mut api };
        let response = client.send_json(method.clone(), &path, &body).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path} {body}: {}",
            response.body
        );
        let json = response.json();
        let fields: Vec<String> = json["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            fields.iter().any(|f| f == field),
            "{method} {path} {body}: expected {field}, got {fields:?}"
        );
    }
    assert_eq!(
        app.store.partnership(hwf).await.unwrap().unwrap(),
        before,
        "nothing changed"
    );
    assert_eq!(
        app.store.mou(hwf).await.unwrap().unwrap(),
        before_mou,
        "nothing changed"
    );
    assert_eq!(app.store.partnerships().await.unwrap().len(), 5);
    assert_eq!(
        app.store.audit_head().await.unwrap().0,
        audit_before,
        "no refused change reached the audit trail"
    );
}

#[tokio::test]
async fn refused_forms_show_a_gov_uk_error_summary_and_keep_what_was_typed() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut programme = app.signed_in("programme@haringey.demo.accord.test").await;
    let refused = programme
        .post_form(
            &format!("/partnerships/{hwf}/members"),
            &[
                ("authority", "E09000031"),
                ("role", "partner"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("<title>Error: Add a member council – Accord</title>")
    );
    assert!(refused.body.contains("govuk-error-summary"));
    assert!(
        refused
            .body
            .contains("is already a member of this partnership")
    );
    let mou = programme
        .post_form(
            &format!("/partnerships/{hwf}/mou"),
            &[
                ("end_kind", "date"),
                ("end_date-day", "1"),
                ("end_date-month", "1"),
                ("end_date-year", "2010"),
                ("agreed-day", "21"),
                ("agreed-month", "12"),
                ("agreed-year", "2010"),
                ("legally_binding", "no"),
                ("preferred_partner", "yes"),
                ("principles", "Kept"),
            ],
        )
        .await;
    assert_eq!(mou.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mou.body.contains("which is not after it starts"));
    assert!(
        mou.body.contains(">Kept</textarea>"),
        "what was typed is kept"
    );
    let mut admin = app.signed_in("admin@demo.accord.test").await;
    let new = admin
        .post_form(
            "/partnerships",
            &[
                ("name", ""),
                ("members[0].authority", "E09000014"),
                ("members[1].authority", "E09000014"),
            ],
        )
        .await;
    assert_eq!(new.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(new.body.contains("Enter the partnership"));
    assert!(new.body.contains("is already a member"));
    assert_eq!(app.store.partnerships().await.unwrap().len(), 5);
}

#[tokio::test]
async fn councils_are_searchable_by_name_and_code() {
    let app = TestApp::demo(report_day()).await;
    let mut client = app.anonymous();
    let found = client.get("/api/v1/authorities?q=haring").await.json();
    assert_eq!(found["items"][0]["gss"], "E09000014");
    assert_eq!(found["total"], 1);
    let by_code = client.get("/api/v1/authorities/HRY").await;
    assert_eq!(
        by_code.json()["official_name"],
        "London Borough of Haringey"
    );
    assert_eq!(
        client.get("/api/v1/authorities/E09999999").await.status,
        StatusCode::NOT_FOUND
    );
    let abolished = client
        .get("/api/v1/authorities?q=northamptonshire")
        .await
        .json();
    assert_eq!(
        abolished["items"].as_array().unwrap().len(),
        0,
        "abolished councils only when asked"
    );
    let asked = client
        .get("/api/v1/authorities?q=northamptonshire&abolished=true")
        .await
        .json();
    assert_eq!(asked["items"][0]["end_date"], "2021-04-01");
    // The register a page at a time: following `next` gives every match once, in order, and
    // the total counts them all.
    let whole = client
        .get("/api/v1/authorities?q=borough&limit=500")
        .await
        .json();
    let total = whole["total"].as_i64().unwrap();
    assert!(total >= 5, "{whole}");
    let mut address = "/api/v1/authorities?q=borough&limit=3".to_owned();
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
                .map(|a| a["code"].clone()),
        );
        match body["next"].as_str() {
            Some(next) => {
                assert_eq!(page.header("link"), format!("<{next}>; rel=\"next\""));
                address = next.to_owned();
            }
            None => break,
        }
    }
    let codes: Vec<serde_json::Value> = whole["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].clone())
        .collect();
    assert_eq!(seen, codes);
    // A cursor it did not give, a limit out of range, a word for a flag: each named.
    for (query, field) in [
        ("cursor=nonsense", "cursor"),
        ("limit=0", "limit"),
        ("abolished=perhaps", "abolished"),
    ] {
        let refused = client.get(&format!("/api/v1/authorities?{query}")).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(
            refused.json()["error"]["fields"][0]["field"],
            field,
            "{query}"
        );
    }
}
