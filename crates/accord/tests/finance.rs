//! The finance pages and API over HTTP: business cases with their Green Book appraisal and
//! Monte Carlo charts, apportionment, the savings ledger with its files, and external funding;
//! every refusal names its field (and line), answers 422 and changes nothing; a change made
//! from a version someone else has replaced answers 409; records are addressed by their own
//! references, and the addresses of earlier releases move for good.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

mod support;

use accord_domain::access::{Classification, ReadScope};
use accord_store::RecordQuery;
use accord_testkit::http::{Client, TestResponse};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use support::{TestApp, report_day};

const FINANCE: &str = "finance@haringey.demo.accord.test";
const COUNCILLOR: &str = "councillor@haringey.demo.accord.test";
const PROGRAMME: &str = "programme@haringey.demo.accord.test";

fn location(r: &TestResponse) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.header("location").to_owned()
}

/// The reference an address ends with (`…/business-cases/BC-3` gives `BC-3`).
fn reference(path: &str) -> String {
    path.rsplit('/').next().unwrap().to_owned()
}

/// The record id of the record of `kind` with this reference.
async fn record_id(app: &TestApp, pid: i64, kind: &str, reference: &str) -> i64 {
    let scope = ReadScope {
        everything_but_personal: true,
        ..ReadScope::default()
    };
    app.store
        .record_by_reference(pid, kind, reference, &scope, report_day())
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn count(app: &TestApp, kind: &str, pid: i64) -> usize {
    let scope = ReadScope {
        everything_but_personal: true,
        ..ReadScope::default()
    };
    app.store
        .records(&RecordQuery::of(kind, pid), &scope, report_day())
        .await
        .unwrap()
        .len()
}

async fn version(app: &TestApp, id: i64) -> i64 {
    let scope = ReadScope {
        everything_but_personal: true,
        ..ReadScope::default()
    };
    app.store
        .record(id, &scope, report_day())
        .await
        .unwrap()
        .unwrap()
        .version
}

/// A `multipart/form-data` upload of one file, with the CSRF token in the address.
async fn upload(
    client: &mut Client,
    path: &str,
    file: &[u8],
    name: &str,
    fields: &[(&str, &str)],
) -> TestResponse {
    let token = client.csrf().await;
    let boundary = "accordtestboundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("{path}?csrf_token={token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    client.send(request).await
}

async fn new_case(client: &mut Client, hwf: i64, name: &str, visibility: &str) -> String {
    let r = client
        .post_form(
            &format!("/partnerships/{hwf}/business-cases"),
            &[
                ("name", name),
                ("councils", "E09000014"),
                ("councils", "E09000031"),
                ("first_option", "Share"),
                ("base_year", "2011/12"),
                ("appraisal_years", "10"),
                ("measure", "financial_npv"),
                ("min_probability", "80"),
                ("iterations", "10000"),
                ("seed", "1"),
                ("visibility", visibility),
            ],
        )
        .await;
    location(&r)
}

#[tokio::test]
async fn a_business_case_built_in_forms_is_appraised_the_green_book_way() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut finance = app.signed_in(FINANCE).await;
    let case = new_case(&mut finance, hwf, "HR shared service centre", "partnership").await;
    assert!(
        case.ends_with("/business-cases/BC-5"),
        "{case}: the demo has four"
    );
    let id = record_id(&app, hwf, "business_case", &reference(&case)).await;

    // The example: £200,000 once in year 0, £100,000 a year in years 1–10.
    let r = finance
        .post_form(
            &format!("{case}/line"),
            &[
                ("option", "1"),
                ("type", "cost"),
                ("line", ""),
                ("name", "Implementation"),
                ("kind", "one_off"),
                ("most_likely", "£200,000"),
                ("year", "0"),
            ],
        )
        .await;
    assert_eq!(location(&r), case);
    let r = finance
        .post_form(
            &format!("{case}/line"),
            &[
                ("option", "1"),
                ("type", "saving"),
                ("line", ""),
                ("name", "HR"),
                ("kind", "recurring"),
                ("cashable", "yes"),
                ("most_likely", "100000"),
                ("then", "another"),
            ],
        )
        .await;
    assert!(location(&r).contains("/line?option=1&type=saving"));
    let page = finance.get(&case).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "£631,661",
        "Makes clear financial sense",
        "Preferred option",
        "2013/14 (year 2)",
        "Haringey",
        "£315,830",
    ] {
        assert!(page.body.contains(expected), "missing {expected}");
    }

    // Bad input on the line form: refused, named, nothing changed.
    let before = version(&app, id).await;
    let before_text = before.to_string();
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[
                ("low", "150000"),
                ("most_likely", "100000"),
                ("high", "200000"),
            ],
            "The low amount is above the most likely",
        ),
        (&[("most_likely", "-5")], "Enter an amount of zero or more"),
        (
            &[("most_likely", "5"), ("split_E06000039", "100")],
            "is not a member council of this business case",
        ),
        (
            &[("most_likely", "5"), ("year", "11")],
            "after the appraisal",
        ),
    ];
    for (fields, message) in cases {
        let mut all = vec![
            ("version", before_text.as_str()),
            ("option", "1"),
            ("type", "cost"),
            ("line", ""),
            ("name", "Bad"),
            ("kind", "one_off"),
        ];
        all.extend_from_slice(fields);
        let r = finance.post_form(&format!("{case}/line"), &all).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(r.body.contains(message), "{message}: {}", r.body);
        assert!(r.body.contains("govuk-error-summary"));
    }
    assert_eq!(version(&app, id).await, before);

    // A second editor, working from the version before, is refused and shown the case now.
    let r = finance
        .post_form(
            &format!("{case}/line"),
            &[
                ("version", "1"),
                ("option", "1"),
                ("type", "cost"),
                ("line", ""),
                ("name", "Late"),
                ("kind", "one_off"),
                ("most_likely", "5"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("govuk-error-summary"));
    assert!(r.body.contains("changed since you opened it"));
    assert_eq!(version(&app, id).await, before);

    // The old address, by record id, moves for good to the reference.
    let r = finance
        .get(&format!("/partnerships/{hwf}/business-cases/{id}"))
        .await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(r.header("location"), case);

    // A range runs the simulation: the S-curve and tornado are drawn, with their tables.
    let r = finance
        .post_form(
            &format!("{case}/line"),
            &[
                ("option", "1"),
                ("type", "saving"),
                ("line", "0"),
                ("name", "HR"),
                ("kind", "recurring"),
                ("cashable", "yes"),
                ("low", "60000"),
                ("most_likely", "100000"),
                ("high", "120000"),
                ("distribution", "pert"),
                ("slippage_low", "0"),
                ("slippage_most_likely", "0.25"),
                ("slippage_high", "1"),
            ],
        )
        .await;
    location(&r);
    let page = finance.get(&case).await;
    for expected in [
        "<svg",
        "S-curve of the financial NPV of Share",
        "Tornado chart",
        "Chance the measure is above zero",
        "P10 / P50 / P90",
        "largest swing first",
    ] {
        assert!(page.body.contains(expected), "missing {expected}");
    }
    assert!(!page.body.contains("style="));

    // Released to the partnership: councillors read it; a draft stays with its council.
    let mut councillor = app.signed_in(COUNCILLOR).await;
    assert_eq!(councillor.get(&case).await.status, StatusCode::OK);
    let draft = new_case(&mut finance, hwf, "A draft", "council").await;
    assert_eq!(councillor.get(&draft).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.anonymous().get(&draft).await.status,
        StatusCode::NOT_FOUND
    );
    // The programme team may read any council's draft but its role writes no finance records.
    let mut programme = app.signed_in(PROGRAMME).await;
    assert_eq!(programme.get(&draft).await.status, StatusCode::OK);
    assert_eq!(
        programme
            .get(&format!("/partnerships/{hwf}/business-cases/new"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The lines round-trip through a CSV file, and a bad file changes nothing.
    let csv = finance.get(&format!("{case}/lines.csv")).await;
    assert!(csv.header("content-type").starts_with("text/csv"));
    let v = version(&app, id).await;
    let r = upload(
        &mut finance,
        &format!("{case}/import"),
        csv.body.as_bytes(),
        "lines.csv",
        &[],
    )
    .await;
    assert_eq!(location(&r), case);
    let again = finance.get(&format!("{case}/lines.csv")).await;
    assert_eq!(again.body, csv.body);
    assert_eq!(version(&app, id).await, v + 1);
    let bad = format!(
        "{}Share,cost,Bad,one_off,10,5,20,,,,,,,,,,,\nShare,saving,Worse,monthly,,1,,,,,,,,,,,,E06000039=100%\n",
        csv.body
    );
    let r = upload(
        &mut finance,
        &format!("{case}/import"),
        bad.as_bytes(),
        "lines.csv",
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for expected in [
        "Line 4: The low amount is above the most likely",
        "Line 5: “monthly” is neither one_off nor recurring",
        "Line 5: “E06000039” is not a member council",
    ] {
        assert!(r.body.contains(expected), "missing {expected}: {}", r.body);
    }
    assert_eq!(version(&app, id).await, v + 1);
    // An upload over the stated 2 MB is refused before it is read, and changes nothing.
    let big = format!("{}{}", csv.body, "x".repeat(2 * 1024 * 1024 + 1));
    let r = upload(
        &mut finance,
        &format!("{case}/import"),
        big.as_bytes(),
        "lines.csv",
        &[],
    )
    .await;
    assert!(
        [
            StatusCode::PAYLOAD_TOO_LARGE,
            StatusCode::UNPROCESSABLE_ENTITY
        ]
        .contains(&r.status),
        "{}",
        r.status
    );
    assert_eq!(version(&app, id).await, v + 1);

    // The case downloads as `accord appraise` reads it.
    let json = finance.get(&format!("{case}/case.json")).await.json();
    let appraisal = accord_analytics::cli::appraise(&json.to_string(), &|_, _| {}).unwrap();
    assert_eq!(appraisal.options.len(), 2);
}

fn deterministic_case() -> serde_json::Value {
    json!({
        "name": "Shared HR service centre",
        "councils": ["E09000014", "E09000031"],
        "base_year": "2011/12",
        "options": [
            {"name": "Status quo", "status_quo": true},
            {"name": "Share",
             "costs": [{"name": "implementation", "kind": "one_off", "amount": 200000}],
             "savings": [{"name": "HR", "kind": "recurring", "amount": 100000}]}
        ]
    })
}

#[tokio::test]
async fn the_business_case_api_appraises_and_refuses_with_422_naming_the_field() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut api = app.token_client(FINANCE).await;
    let base = format!("/api/v1/partnerships/{hwf}/business-cases");
    let r = api
        .send_json(
            Method::POST,
            &base,
            &json!({"case": deterministic_case(), "visibility": "partnership"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let created = r.json();
    let share = &created["appraisal"]["options"][1];
    assert!((share["npv"].as_f64().unwrap() - 631_660.53).abs() < 0.005);
    assert_eq!(share["payback_year"], 2);
    assert_eq!(created["appraisal"]["preferred_option"], "Share");
    let id = created["id"].as_i64().unwrap();
    let reference = created["reference"].as_str().unwrap().to_owned();
    assert_eq!(reference, "BC-5");
    let before = count(&app, "business_case", hwf).await;

    let mut low_above = deterministic_case();
    low_above["options"][1]["savings"][0]["amount"] =
        json!({"low": 150000, "most_likely": 100000, "high": 200000});
    let mut negative = deterministic_case();
    negative["options"][1]["costs"][0]["amount"] = json!(-5);
    let mut outsider = deterministic_case();
    outsider["options"][1]["costs"][0]["split"] = json!({"E06000039": 1.0});
    let mut non_member = deterministic_case();
    non_member["councils"] = json!(["E09000014", "E09000031", "E06000039"]);
    let cases = [
        (low_above, "case.options[1].savings[0].amount.low"),
        (negative, "case.options[1].costs[0].amount.low"),
        (outsider, "case.options[1].costs[0].split.E06000039"),
        (non_member, "case.councils[2]"),
    ];
    for (case, field) in cases {
        let r = api
            .send_json(Method::POST, &base, &json!({"case": case}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let fields: Vec<String> = r.json()["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect();
        assert!(fields.contains(&field.to_owned()), "{field}: {fields:?}");
    }
    assert_eq!(count(&app, "business_case", hwf).await, before);

    // A case is read by its reference; its old address by record id moves there.
    let r = api.get(&format!("{base}/{reference}")).await;
    assert_eq!(r.json()["id"], id);
    let r = api.get(&format!("{base}/{id}")).await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(r.header("location"), format!("{base}/{reference}"));

    // The list pages: a page of one, its total, and the next page's address.
    let r = api.get(&format!("{base}?limit=1")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = r.json();
    assert_eq!(page["total"], 5);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let next = page["next"].as_str().unwrap().to_owned();
    assert!(r.header("link").contains(&next));
    let second = api.get(&next).await.json();
    assert_ne!(
        second["items"][0]["reference"],
        page["items"][0]["reference"]
    );
    let r = api.get(&format!("{base}?cursor=nonsense")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "cursor");

    // Replacing from a version someone else has replaced is refused (409); deleting needs
    // the version read too.
    let mut changed = deterministic_case();
    changed["options"][1]["savings"][0]["amount"] = json!(150000);
    let r = api
        .send_json(
            Method::PUT,
            &format!("{base}/{reference}"),
            &json!({"case": changed, "visibility": "partnership", "version": 99}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = api
        .send_json(
            Method::PUT,
            &format!("{base}/{reference}"),
            &json!({"case": changed, "visibility": "partnership", "version": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["appraisal"]["options"][1]["npv"].as_f64().unwrap() > 1_000_000.0);
    let r = api
        .send_json(
            Method::PUT,
            &format!("{base}/{reference}"),
            &json!({"case": changed, "visibility": "partnership", "version": 1}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "the second editor is refused"
    );
    let r = api
        .send_json(Method::DELETE, &format!("{base}/{reference}"), &json!({}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = api
        .send_json(
            Method::DELETE,
            &format!("{base}/{reference}?version=1"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = api
        .send_json(
            Method::DELETE,
            &format!("{base}/{reference}?version=2"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);

    // The stateless calculators match `accord appraise` and `accord allocate`.
    let r = api
        .send_json(Method::POST, "/api/v1/appraise", &deterministic_case())
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!((r.json()["options"][1]["npv"].as_f64().unwrap() - 631_660.53).abs() < 0.005);
    let players: Vec<String> = (0..30).map(|i| format!("P{i}")).collect();
    let r = api
        .send_json(
            Method::POST,
            "/api/v1/allocate",
            &json!({"players": players, "cost": {}, "methods": ["shapley"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = &r.json()["error"]["fields"][0];
    assert_eq!(error["field"], "methods");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("shapley_sampled")
    );
}

#[tokio::test]
async fn apportionment_compares_the_methods_and_shows_what_changes_when_slough_joins() {
    let app = TestApp::demo(report_day()).await;
    let partnerships = app.store.partnerships().await.unwrap();
    let counties = partnerships
        .iter()
        .find(|p| p.name.contains("Slough"))
        .unwrap()
        .id;
    let list = app
        .anonymous()
        .get(&format!("/partnerships/{counties}/allocations"))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let href = list
        .body
        .split(&format!("/partnerships/{counties}/allocations/"))
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let page = app
        .anonymous()
        .get(&format!("/partnerships/{counties}/allocations/{href}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "Illustrative figures",
        "Shapley value",
        "Nucleolus",
        "Least core",
        "What changes when Slough joins",
        "The coalition table",
        "Economies of scale",
        "least-core ε",
        "not stated",
    ] {
        assert!(page.body.contains(expected), "missing {expected}");
    }

    // A form-made allocation for Haringey and Waltham Forest, with a driver entered.
    let hwf = app.hwf().await;
    let mut finance = app.signed_in(FINANCE).await;
    let fields = [
        ("title", "Shared HR running costs"),
        ("councils", "E09000014"),
        ("councils", "E09000031"),
        ("source", "model"),
        ("standalone_E09000014", "£1,000,000"),
        ("standalone_E09000031", "£800,000"),
        ("shared_fixed_cost", "£100,000"),
        ("economies_of_scale", "20"),
        ("driver", "headcount"),
        ("driver_headcount_E09000014", "120"),
        ("driver_headcount_E09000031", "80"),
        ("visibility", "partnership"),
    ];
    let r = finance
        .post_form(&format!("/partnerships/{hwf}/allocations"), &fields)
        .await;
    let page = finance.get(&location(&r)).await;
    assert!(page.body.contains("Proportional to headcount (fte)"));
    assert!(
        page.body.contains("£1,720,000"),
        "the pair's cost: 0.9 × £1.8m + £100k"
    );

    // A table naming an unknown council, or missing a group: refused, nothing made.
    let before = count(&app, "allocation", hwf).await;
    let table = [
        ("title", "t"),
        ("councils", "E09000014"),
        ("councils", "E09000031"),
        ("source", "table"),
        ("driver", "population"),
        ("visibility", "council"),
    ];
    let mut unknown = table.to_vec();
    unknown.push((
        "table",
        "Haringey: 100\nWaltham Forest: 80\nHaringey + Reading: 150",
    ));
    let r = finance
        .post_form(&format!("/partnerships/{hwf}/allocations"), &unknown)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("“Reading” is not one of the councils chosen")
    );
    let mut missing = table.to_vec();
    missing.push(("table", "Haringey: 100\nWaltham Forest: 80"));
    let r = finance
        .post_form(&format!("/partnerships/{hwf}/allocations"), &missing)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("the table has no cost for Haringey+Waltham Forest"),
        "{}",
        r.body
    );
    assert_eq!(count(&app, "allocation", hwf).await, before);

    // The API names the field.
    let mut api = app.token_client(FINANCE).await;
    let base = format!("/api/v1/partnerships/{hwf}/allocations");
    let cases = [
        (
            json!({"title": "t", "councils": ["E09000014", "E09000031"], "cost": {"E09000014": 1, "E09000031": 1}}),
            "cost",
        ),
        (
            json!({"title": "t", "councils": ["E09000014", "E09000031"], "cost": {"E09000014": 1, "E09000031": 1, "E09000014+Z": 2}}),
            "cost.E09000014+Z",
        ),
        (
            json!({"title": "t", "councils": ["E09000014", "E09000031", "E06000039"], "cost": {}}),
            "councils[2]",
        ),
    ];
    for (body, field) in cases {
        let r = api.send_json(Method::POST, &base, &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert_eq!(r.json()["error"]["fields"][0]["field"], field, "{}", r.body);
    }
    let r = api
        .send_json(Method::POST, &base, &json!({"title": "t", "councils": ["E09000014", "E09000031"], "cost": {"E09000014": 100, "E09000031": 80, "E09000031+E09000014": 150}}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["result"]["core"]["empty"], false);
    assert_eq!(count(&app, "allocation", hwf).await, before + 1);
}

async fn project_with_milestones(app: &TestApp, hwf: i64, slipped: bool) -> i64 {
    use accord_domain::project::{DatePlan, Milestone, MilestoneKind, Project};
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let due = if slipped {
        DatePlan {
            forecast: Some(day(2011, 9, 1)),
            ..DatePlan::on(day(2011, 6, 1))
        }
    } else {
        DatePlan::on(day(2011, 12, 1))
    };
    let mut project = accord_domain::progress_report::demo_haringey_waltham_forest().remove(1);
    project.name = "HR shared service centre".into();
    project.phases.clear();
    project.milestones = vec![Milestone {
        number: 1,
        name: "Payroll control live".into(),
        kind: MilestoneKind::Delivery,
        stage: None,
        phase: None,
        due,
        note: None,
    }];
    let project = Project { id: 0, ..project };
    // Projects are written through their use case, as the delivery pages write them.
    accord_app::delivery::projects::enter(
        &app.state.app,
        &accord_app::Caller::system("test"),
        hwf,
        accord_app::delivery::projects::EnterProject {
            project,
            classification: Classification::Partnership,
            reason: String::new(),
        },
    )
    .await
    .unwrap()
    .record_id
}

#[tokio::test]
async fn the_savings_ledger_rates_flags_and_round_trips_its_files() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut finance = app.signed_in(FINANCE).await;
    let project = project_with_milestones(&app, hwf, true).await.to_string();
    let base = format!("/partnerships/{hwf}/savings");
    let line = |year: &'static str, planned: &'static str, forecast: &'static str| {
        vec![
            ("project", "HR shared service centre"),
            ("council", "E09000014"),
            ("financial_year", year),
            ("planned", planned),
            ("forecast", forecast),
            ("cashable", "yes"),
            ("recurrence", "recurring"),
            ("in_mtfs", "yes"),
            ("brag", "derived"),
            ("visibility", "partnership"),
        ]
    };
    let r = finance
        .post_form(&base, &line("2011/12", "£50,000", "£50,000"))
        .await;
    location(&r);
    let mut linked = line("2012/13", "£100,000", "£100,000");
    linked.push(("project_record_id", &project));
    linked.push(("milestone", "1"));
    location(&finance.post_form(&base, &linked).await);
    let page = finance.get(&base).await;
    for expected in [
        "accord-rag--green",
        "accord-rag--red",
        "at risk: the milestone it depends on, “Payroll control live”, has slipped",
        "£150,000",
        "Depends on: Payroll control live",
    ] {
        assert!(page.body.contains(expected), "missing {expected}");
    }
    let before = count(&app, "saving", hwf).await;
    for (fields, message) in [
        (line("2011/12", "-£5", ""), "A saving cannot be negative"),
        (line("2011", "£5", ""), "is not a financial year"),
    ] {
        let r = finance.post_form(&base, &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains(message), "{message}");
    }
    let mut outsider = line("2011/12", "£5", "");
    outsider[1] = ("council", "E06000039");
    let r = finance.post_form(&base, &outsider).await;
    assert!(
        r.body
            .contains("is not a member council of this partnership")
    );
    assert_eq!(count(&app, "saving", hwf).await, before);

    // CSV: export, import back (each line replaces itself), the same ledger.
    let csv = finance.get(&format!("{base}.csv")).await;
    assert!(
        csv.body
            .starts_with("project,council,financial_year,planned,forecast,achieved")
    );
    let r = upload(
        &mut finance,
        &format!("{base}/import"),
        csv.body.as_bytes(),
        "ledger.csv",
        &[("visibility", "partnership")],
    )
    .await;
    assert_eq!(location(&r), base);
    assert_eq!(count(&app, "saving", hwf).await, before);
    assert_eq!(finance.get(&format!("{base}.csv")).await.body, csv.body);

    // A bad file: every problem with its line; nothing imported.
    let bad = "project,council,financial_year,target,cashable\nOD,Haringey,2012/13,£150000,yes\nOD,Slough,2012/13,£10,yes\nOD,E09000031,2012/13,-£10,maybe\n";
    let r = upload(
        &mut finance,
        &format!("{base}/import"),
        bad.as_bytes(),
        "ledger.csv",
        &[("visibility", "partnership")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for expected in [
        "Line 3: “Slough” is not one of this partnership’s councils",
        "Line 4: “maybe” is not yes or no",
    ] {
        assert!(r.body.contains(expected), "missing {expected}: {}", r.body);
    }
    assert_eq!(count(&app, "saving", hwf).await, before);

    // XLSX through the API: the workbook made by the export imports back to the same ledger.
    let mut api = app.token_client(FINANCE).await;
    let xlsx = finance.get(&format!("{base}.xlsx")).await;
    assert!(xlsx.header("content-type").contains("spreadsheetml"));
    let workbook = xlsx.bytes.clone();
    let rows = accord_app::finance::files::read_file(&workbook).unwrap();
    assert_eq!(rows.len(), 2);
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!(
            "/api/v1/partnerships/{hwf}/savings/import?visibility=partnership"
        ))
        .header(
            header::CONTENT_TYPE,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(Body::from(workbook))
        .unwrap();
    let r = api.send(request).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["replaced"], 2);
    assert_eq!(finance.get(&format!("{base}.csv")).await.body, csv.body);

    // The API's page of the ledger: the lines by reference, the totals summed by the database.
    let ledger = api
        .get(&format!("/api/v1/partnerships/{hwf}/savings"))
        .await
        .json();
    assert_eq!(ledger["total"], 2);
    assert_eq!(ledger["items"][0]["reference"], "SV-1");
    assert_eq!(ledger["items"][1]["status"]["brag"], "red");
    let planned: i64 = ledger["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["planned"].as_i64().unwrap())
        .sum();
    assert_eq!(planned, 15_000_000, "£150,000 in pence");
    let summary = api
        .get(&format!("/api/v1/partnerships/{hwf}/savings/summary"))
        .await
        .json();
    assert_eq!(summary["everything"]["savings_target"], 15_000_000);
    assert_eq!(summary["by_council"][0]["council"], "E09000014");

    // Two editors of one line: the second, working from the version before, is refused.
    let edit = format!("{base}/SV-1/edit");
    let form = finance.get(&edit).await;
    let read = form
        .body
        .split("name=\"version\" value=\"")
        .nth(1)
        .expect("the form carries its version")
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let mut changed = line("2011/12", "£60,000", "£60,000");
    changed.push(("version", read.as_str()));
    location(&finance.post_form(&edit, &changed).await);
    let r = finance.post_form(&edit, &changed).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("govuk-error-summary"));
    assert!(r.body.contains("changed since you opened it"));
    let r = api
        .send_json(
            Method::PUT,
            &format!("/api/v1/partnerships/{hwf}/savings/SV-1"),
            &json!({"saving": {"project": "HR shared service centre", "council": "E09000014", "financial_year": "2011/12", "planned": 1, "cashable": true, "recurrence": "recurring", "in_mtfs": false}, "visibility": "partnership", "version": read.parse::<i64>().unwrap()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // A line naming a record that is not one of the partnership's projects is refused.
    for not_a_project in [
        i64::from(i32::MAX),
        record_id(&app, hwf, "business_case", "BC-1").await,
    ] {
        let r = api
            .send_json(
                Method::POST,
                &format!("/api/v1/partnerships/{hwf}/savings"),
                &json!({"saving": {"project": "x", "project_record_id": not_a_project, "council": "E09000014", "financial_year": "2011/12", "planned": 1, "cashable": true, "recurrence": "recurring", "in_mtfs": false}, "visibility": "partnership"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json()["error"]["fields"][0]["field"],
            "saving.project_record_id"
        );
    }

    // The API refuses a negative plan, naming it.
    let r = api
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{hwf}/savings"),
            &json!({"saving": {"project": "x", "council": "E09000014", "financial_year": "2011/12", "planned": -1, "cashable": true, "recurrence": "recurring", "in_mtfs": false}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "saving.planned");
}

#[tokio::test]
async fn external_funding_shows_conditions_and_refuses_drawing_a_pending_tranche() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let list = app
        .anonymous()
        .get(&format!("/partnerships/{hwf}/funding"))
        .await;
    assert!(list.body.contains("Capital Ambition funding"));
    assert!(
        !list.body.to_lowercase().contains("grant"),
        "money is never a grant"
    );
    let href = list
        .body
        .split(&format!("/partnerships/{hwf}/funding/"))
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(href, "FA-1");
    let page = app
        .anonymous()
        .get(&format!("/partnerships/{hwf}/funding/{href}"))
        .await;
    for expected in [
        "£350,000",
        "£400,000",
        "subject to satisfactory progress",
        "Pending",
        "£750,000",
        "not stated",
        "Seed 003",
    ] {
        assert!(page.body.contains(expected), "missing {expected}");
    }
    // The addresses of earlier releases move for good, keeping the method.
    for (old, new) in [
        (
            format!("/partnerships/{hwf}/grants"),
            format!("/partnerships/{hwf}/funding"),
        ),
        (
            format!("/partnerships/{hwf}/grants/FA-1"),
            format!("/partnerships/{hwf}/funding/FA-1"),
        ),
        (
            format!("/api/v1/partnerships/{hwf}/grants?limit=1"),
            format!("/api/v1/partnerships/{hwf}/funding?limit=1"),
        ),
    ] {
        let r = app.anonymous().get(&old).await;
        assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT, "{old}");
        assert_eq!(r.header("location"), new);
    }
    let mut api = app.token_client(FINANCE).await;
    let r = api
        .send_json(
            Method::PUT,
            &format!("/api/v1/partnerships/{hwf}/grants/FA-1"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    let before = count(&app, "funding_award", hwf).await;
    let r = api
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{hwf}/funding"),
            &json!({"funding_award": {"name": "g", "funder": "f", "tranches": [
                {"financial_year": "2011/12", "awarded": 100},
                {"financial_year": "2012/13", "awarded": 100, "condition": "subject to progress", "condition_status": "pending", "drawn": 50}
            ]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["error"]["fields"][0]["field"],
        "funding_award.tranches[1].drawn"
    );
    assert_eq!(count(&app, "funding_award", hwf).await, before);

    // The form adds tranche rows by a round trip, and saves.
    let mut finance = app.signed_in(FINANCE).await;
    let r = finance
        .post_form(
            &format!("/partnerships/{hwf}/funding"),
            &[
                ("name", "RIEP"),
                ("funder", "Regional Improvement and Efficiency Partnership"),
                ("rows", "2"),
                ("more", "yes"),
                ("visibility", "partnership"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("tranches[2].financial_year"));
    let r = finance
        .post_form(
            &format!("/partnerships/{hwf}/funding"),
            &[
                ("name", "RIEP"),
                ("funder", "RIEP"),
                ("rows", "3"),
                ("tranches[2].financial_year", "2012/13"),
                ("tranches[2].awarded", "£75,000"),
                ("tranches[2].spent", "£10"),
                ("visibility", "partnership"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("is more than the £0.00 drawn"),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"tranches[2].spent-error\""));
}

#[tokio::test]
async fn the_finance_demo_loads_once() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let before = count(&app, "business_case", hwf).await;
    assert_eq!(before, 4);
    accord::demo::load(&app.state.app).await.unwrap();
    assert_eq!(count(&app, "business_case", hwf).await, before);
    assert_eq!(count(&app, "funding_award", hwf).await, 1);
    let page = app
        .anonymous()
        .get(&format!("/partnerships/{hwf}/business-cases"))
        .await;
    for expected in [
        "OD &amp; Learning: shared service",
        "Illustrative figures",
        "Makes clear financial sense",
    ] {
        assert!(page.body.contains(expected), "missing {expected}");
    }
    let partnerships = app.store.partnerships().await.unwrap();
    let tees = partnerships
        .iter()
        .find(|p| p.name.contains("Hartlepool"))
        .unwrap()
        .id;
    let list = app
        .anonymous()
        .get(&format!("/partnerships/{tees}/business-cases"))
        .await;
    let href = list
        .body
        .split(&format!("/partnerships/{tees}/business-cases/"))
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let page = app
        .anonymous()
        .get(&format!("/partnerships/{tees}/business-cases/{href}"))
        .await;
    for expected in [
        "£5m to £8m",
        "Regional Improvement and Efficiency Partnership",
        "£75,000",
        "S-curve",
    ] {
        assert!(page.body.contains(expected), "missing {expected}");
    }
}

#[tokio::test]
async fn ledger_imports_are_all_or_nothing_on_every_backend() {
    for (backend, app) in TestApp::every_backend(report_day()).await {
        let hwf = app.hwf().await;
        let mut api = app.token_client(FINANCE).await;
        let import = |body: &'static str| {
            Request::builder()
                .method(Method::POST)
                .uri(format!(
                    "/api/v1/partnerships/{hwf}/savings/import?visibility=partnership"
                ))
                .header(header::CONTENT_TYPE, "text/csv")
                .body(Body::from(body))
                .unwrap()
        };
        let good = "project,council,financial_year,target\nHR,Haringey,2011/12,£50000\nHR,Waltham Forest,2011/12,£50000\n";
        let r = api.send(import(good)).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.body);
        assert_eq!(r.json()["created"], 2, "{backend}");
        let r = api.send(import(good)).await;
        assert_eq!(r.json()["replaced"], 2, "{backend}");
        let bad = "project,council,financial_year,target\nOD,Haringey,2012/13,£1\nOD,Haringey,2012/13,£2\n";
        let r = api.send(import(bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let error = &r.json()["error"]["fields"][0];
        assert_eq!(error["line"], 3, "{backend}");
        assert_eq!(count(&app, "saving", hwf).await, 2, "{backend}");
    }
}
