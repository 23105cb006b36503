//! Delivery and governance over HTTP: published reports never change, embargoed papers stay
//! hidden until their decision, escalations reach the next agenda, the calendar feed parses,
//! the demo report matches the facts of Appendix B (the fixture the domain's tests read too),
//! and bad input is refused with nothing changed.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

mod support;

use accord_store::{RecordQuery, StoredRecord};
use accord_testkit::http::{Client, TestResponse};
use accord_web::delivery;
use axum::http::{Method, StatusCode};
use serde_json::json;
use support::{TestApp, report_day};

const PROGRAMME: &str = "programme@haringey.demo.accord.test";
const BOARD: &str = "board@walthamforest.demo.accord.test";
const VIEWER: &str = "councillor@haringey.demo.accord.test";
const OFFICER: &str = "officer@haringey.demo.accord.test";
const HARINGEY: &str = "E09000014";
const WALTHAM_FOREST: &str = "E09000031";

async fn records(app: &TestApp, kind: &str) -> Vec<StoredRecord> {
    let hwf = app.hwf().await;
    let mut out = app
        .store
        .records(
            &RecordQuery::of(kind, hwf),
            &delivery::system_scope(),
            report_day(),
        )
        .await
        .unwrap();
    for r in &mut out {
        with_value(app, r).await;
    }
    out
}

/// A record's value, whichever table holds it: kinds with tables of their own keep only the
/// header in the generic table.
async fn with_value(app: &TestApp, record: &mut StoredRecord) {
    if record.body.is_null() {
        record.body = accord_store::testing::record_value(
            &*app.store,
            &record.kind,
            record.id,
            &delivery::system_scope(),
            report_day(),
        )
        .await
        .unwrap()
        .unwrap_or_default();
    }
}

async fn record_titled(app: &TestApp, kind: &str, title: &str) -> StoredRecord {
    records(app, kind)
        .await
        .into_iter()
        .find(|r| r.title == title)
        .unwrap_or_else(|| panic!("no {kind} titled {title}"))
}

/// The demo partnership's RAID items, every one, as the log keeps them.
async fn raid_items(app: &TestApp) -> Vec<accord_app::governance::raid::RaidEntry> {
    let hwf = app.hwf().await;
    accord_app::governance::raid::list(
        &app.state.app,
        &accord_app::Caller::system("test"),
        hwf,
        &accord_domain::raid::RaidFilter::default(),
        &accord_app::list::ListRequest::page(1, accord_app::list::MAX_LIMIT),
    )
    .await
    .unwrap()
    .page
    .items
}

async fn raid_titled(app: &TestApp, title: &str) -> accord_app::governance::raid::RaidEntry {
    raid_items(app)
        .await
        .into_iter()
        .find(|r| r.item.title == title)
        .unwrap_or_else(|| panic!("no RAID item titled {title}"))
}

async fn record(app: &TestApp, id: i64) -> StoredRecord {
    let mut record = app
        .store
        .record(id, &delivery::system_scope(), report_day())
        .await
        .unwrap()
        .unwrap();
    with_value(app, &mut record).await;
    record
}

/// The last segment of a redirect's location: a record's id or reference.
fn redirected_key(response: &TestResponse) -> String {
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

/// The id at the end of a redirect's location.
fn redirected_id(response: &TestResponse) -> i64 {
    redirected_key(response).parse().unwrap()
}

/// A record's own reference, as its header keeps it.
fn reference(record: &StoredRecord) -> String {
    record.reference.clone().unwrap()
}

fn date_fields<'a>(
    name: &str,
    day: &'a str,
    month: &'a str,
    year: &'a str,
) -> Vec<(String, &'a str)> {
    vec![
        (format!("{name}-day"), day),
        (format!("{name}-month"), month),
        (format!("{name}-year"), year),
    ]
}

async fn post(client: &mut Client, path: &str, fields: Vec<(String, &str)>) -> TestResponse {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    client.post_form(path, &pairs).await
}

fn f(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

async fn post_owned(client: &mut Client, path: &str, fields: &[(String, String)]) -> TestResponse {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    client.post_form(path, &pairs).await
}

#[tokio::test]
async fn the_demo_loads_once() {
    let app = TestApp::demo(report_day()).await;
    let counts = |kind: &'static str| {
        let app = &app;
        async move { records(app, kind).await.len() }
    };
    assert_eq!(counts("project").await, 14);
    assert_eq!(counts("board").await, 3);
    assert_eq!(counts("raid").await, 5);
    assert_eq!(counts("decision").await, 2);
    assert_eq!(counts("highlight_report").await, 1);
    // Phase 2 of economic development is two months beyond its baseline: escalated.
    assert!(counts("escalation").await >= 1);
    let before: Vec<usize> = futures_counts(&app).await;
    let again = accord::demo::load(&app.state.app).await.unwrap();
    assert_eq!(
        again.delivery,
        accord::demo::delivery::DeliverySummary::default()
    );
    assert_eq!(futures_counts(&app).await, before);
    // Everything the seed does not give is labelled illustrative in the record.
    for r in raid_items(&app).await {
        assert!(r.item.description.starts_with("Illustrative"));
    }
    for r in records(&app, "decision").await {
        assert!(r.title.contains("(illustrative)"), "{}", r.title);
    }
}

async fn futures_counts(app: &TestApp) -> Vec<usize> {
    let mut out = Vec::new();
    for kind in [
        "project",
        "board",
        "raid",
        "decision",
        "highlight_report",
        "escalation",
    ] {
        out.push(records(app, kind).await.len());
    }
    out
}

#[tokio::test]
async fn a_published_highlight_report_never_changes() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut programme = app.signed_in(PROGRAMME).await;
    let mut viewer = app.signed_in(VIEWER).await;
    let report = records(&app, "highlight_report").await.remove(0);
    let project = reference(&record(&app, report.parent_id.unwrap()).await);
    let report_path = format!(
        "/partnerships/{hwf}/projects/{project}/highlight-reports/{}",
        reference(&report).rsplit('/').next().unwrap()
    );
    let version = format!("{report_path}/versions/1");
    // The old address, by the report's record id, has moved under the project.
    let old = viewer
        .get(&format!(
            "/partnerships/{hwf}/highlight-reports/{}/versions/1",
            report.id
        ))
        .await;
    assert_eq!(old.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(old.header("location"), version);
    let before = viewer.get(&version).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert!(before.body.contains("Economic Development"));
    assert!(
        before
            .body
            .contains("Phase 2 likely to slip from Jul to Sep 2011")
    );
    let paper_before = viewer.get(&format!("{version}?format=paper")).await;

    // The project changes: a new name and a later phase 3.
    let edit = programme
        .post_form(
            &format!("/partnerships/{hwf}/projects/{project}/edit"),
            &[
                ("name", "Economic Development and Regeneration"),
                ("tolerance_days", "28"),
                ("savings", "tba"),
                ("outcome", "being-implemented"),
            ],
        )
        .await;
    assert_eq!(edit.status, StatusCode::SEE_OTHER, "{}", edit.body);
    let mut fields = vec![(String::from("item"), "phase-3")];
    fields.extend(date_fields("forecast", "1", "1", "2013"));
    let dates = post(
        &mut programme,
        &format!("/partnerships/{hwf}/projects/{project}/dates"),
        fields,
    )
    .await;
    assert_eq!(dates.status, StatusCode::SEE_OTHER, "{}", dates.body);
    let live = viewer
        .get(&format!("/partnerships/{hwf}/projects/{project}"))
        .await;
    assert!(live.body.contains("Economic Development and Regeneration"));

    // The draft changes too, and a new version is published.
    let draft = programme.get(&format!("{report_path}/edit")).await;
    assert_eq!(draft.status, StatusCode::OK);
    let mut fields = vec![
        f("confidence", "amber"),
        f("time", "red"),
        f("cost", "green"),
        f("scope", "green"),
        f("benefits", "green"),
        f("narrative", "Phase 3 moves to 2013."),
        f("author", "Programme Manager"),
    ];
    for (name, (d, m, y)) in [
        ("period_start", ("1", "8", "2011")),
        ("period_end", ("31", "8", "2011")),
    ] {
        fields.push(f(&format!("{name}-day"), d));
        fields.push(f(&format!("{name}-month"), m));
        fields.push(f(&format!("{name}-year"), y));
    }
    let saved = post_owned(&mut programme, &format!("{report_path}/edit"), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let after = viewer.get(&version).await;
    assert_eq!(after.body, before.body, "a published version changed");
    assert_eq!(
        viewer.get(&format!("{version}?format=paper")).await.body,
        paper_before.body
    );
    assert!(!after.body.contains("Regeneration"));

    // The published progress report is frozen the same way.
    let published = programme
        .post_form(
            &format!("/partnerships/{hwf}/progress-report/versions"),
            &[("classification", "published")],
        )
        .await;
    let snapshot = redirected_key(&published);
    assert_eq!(snapshot, "1", "the first version");
    let path = format!("/partnerships/{hwf}/progress-report/versions/{snapshot}");
    let mut anonymous = app.anonymous();
    let first = anonymous.get(&path).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    // One path for the progress report: the old addresses redirect to it.
    let stored = records(&app, "progress_report").await.remove(0);
    for (old, new) in [
        (
            format!("/partnerships/{hwf}/progress-reports/{}", stored.id),
            path.clone(),
        ),
        (
            format!("/partnerships/{hwf}/progress-reports"),
            format!("/partnerships/{hwf}/progress-report/versions"),
        ),
    ] {
        let moved = anonymous.get(&old).await;
        assert_eq!(moved.status, StatusCode::PERMANENT_REDIRECT, "{old}");
        assert_eq!(moved.header("location"), new);
    }
    assert!(first.body.contains("Economic Development and Regeneration"));
    let rename = programme
        .post_form(
            &format!("/partnerships/{hwf}/projects/{project}/edit"),
            &[
                ("name", "Economic Development"),
                ("savings", "amount"),
                ("savings_amount", "90000"),
                ("outcome", "being-implemented"),
            ],
        )
        .await;
    assert_eq!(rename.status, StatusCode::SEE_OTHER, "{}", rename.body);
    assert_eq!(anonymous.get(&path).await.body, first.body);
    let live = anonymous
        .get(&format!("/partnerships/{hwf}/progress-report"))
        .await;
    assert!(live.body.contains("£90,000") && !live.body.contains("Regeneration"));
}

#[tokio::test]
async fn an_embargoed_paper_is_hidden_until_its_decision_is_made() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut programme = app.signed_in(PROGRAMME).await;
    let mut board_member = app.signed_in(BOARD).await;
    let mut viewer = app.signed_in(VIEWER).await;
    let mut anonymous = app.anonymous();
    let board = "programme";

    let mut fields = vec![(String::from("cadence"), "fortnightly")];
    fields.extend(date_fields("first", "28", "7", "2011"));
    fields.extend(date_fields("until", "30", "9", "2011"));
    let scheduled = post(
        &mut programme,
        &format!("/partnerships/{hwf}/boards/{board}/schedule"),
        fields,
    )
    .await;
    assert_eq!(
        scheduled.status,
        StatusCode::SEE_OTHER,
        "{}",
        scheduled.body
    );

    // A key decision, then a paper that informs it.
    let mut fields = vec![
        (
            String::from("title"),
            "Approve the shared HR advisory service",
        ),
        (String::from("key"), "yes"),
        (String::from("meeting"), ""),
    ];
    fields.extend(date_fields("taken_on", "14", "7", "2011"));
    let decided = post(
        &mut board_member,
        &format!("/partnerships/{hwf}/boards/{board}/decisions"),
        fields,
    )
    .await;
    let decision = redirected_id(&decided);
    let number = record(&app, decision).await.body["number"]
        .as_u64()
        .unwrap()
        .to_string();
    let title = "Business case for a shared HR advisory service";
    let filed = programme
        .post_form(
            &format!("/partnerships/{hwf}/boards/{board}/papers"),
            &[
                ("meeting", "1"),
                ("title", title),
                ("author", "Head of HR"),
                ("summary", "The options and costs."),
                ("informs", &number),
                ("release_to", "published"),
            ],
        )
        .await;
    let paper = redirected_id(&filed);
    let paper_path = format!("/partnerships/{hwf}/papers/{paper}");
    let meeting_path = format!("/partnerships/{hwf}/boards/{board}/meetings/1");

    let hidden = |r: &TestResponse| r.status == StatusCode::NOT_FOUND && !r.body.contains(title);
    assert!(hidden(&viewer.get(&paper_path).await));
    assert!(hidden(&anonymous.get(&paper_path).await));
    assert!(!viewer.get(&meeting_path).await.body.contains(title));
    assert!(!anonymous.get(&meeting_path).await.body.contains(title));
    let viewer_api = app
        .token_client(VIEWER)
        .await
        .get(&format!("/api/v1/partnerships/{hwf}/papers/{paper}"))
        .await;
    assert_eq!(viewer_api.status, StatusCode::NOT_FOUND);
    assert!(
        !anonymous
            .get(&format!("/partnerships/{hwf}/calendar.ics"))
            .await
            .body
            .contains(title)
    );
    let seen = board_member.get(&paper_path).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.body.contains(title) && seen.body.contains("Embargoed"));
    assert!(board_member.get(&meeting_path).await.body.contains(title));
    assert!(programme.get(&paper_path).await.body.contains(title));

    // A council outside the partnership cannot approve it; nothing changes.
    let before = record(&app, decision).await.version;
    let mut api = app.token_client(PROGRAMME).await;
    let refused = api
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{hwf}/decisions/{decision}/cabinet-approvals"),
            &json!({"council": "E09000002", "approved_on": "2011-07-20"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["error"]["fields"][0]["field"], "council");
    assert_eq!(record(&app, decision).await.version, before);

    // One Cabinet is not enough.
    let approve = |council: &'static str, day: &'static str| {
        let mut fields = vec![(String::from("council"), council)];
        fields.extend(date_fields("approved_on", day, "7", "2011"));
        fields
    };
    let decision_path = format!("/partnerships/{hwf}/decisions/{decision}/cabinet-approvals");
    let first = post(&mut programme, &decision_path, approve(HARINGEY, "20")).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    assert!(hidden(&viewer.get(&paper_path).await));
    // The last one makes the decision and releases the paper to its release class.
    let last = post(
        &mut programme,
        &decision_path,
        approve(WALTHAM_FOREST, "21"),
    )
    .await;
    assert_eq!(last.status, StatusCode::SEE_OTHER, "{}", last.body);
    assert_eq!(record(&app, decision).await.status.as_deref(), Some("made"));
    let released = viewer.get(&paper_path).await;
    assert_eq!(released.status, StatusCode::OK);
    assert!(released.body.contains(title) && released.body.contains("Released"));
    assert_eq!(anonymous.get(&paper_path).await.status, StatusCode::OK);
    assert!(anonymous.get(&meeting_path).await.body.contains(title));
}

#[tokio::test]
async fn a_paper_without_a_decision_is_released_by_date_or_by_hand() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut programme = app.signed_in(PROGRAMME).await;
    let mut viewer = app.signed_in(VIEWER).await;
    let board = "projects";
    let added = post(
        &mut programme,
        &format!("/partnerships/{hwf}/boards/{board}/meetings"),
        date_fields("date", "25", "7", "2011"),
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let papers = format!("/partnerships/{hwf}/boards/{board}/papers");
    // Neither a decision nor a date: the embargo could never end.
    let refused = programme
        .post_form(
            &papers,
            &[
                ("meeting", "1"),
                ("title", "Draft structure"),
                ("author", "Programme Manager"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("an embargo must end"));
    let file = |title: &'static str, day: &'static str, month: &'static str| {
        let mut fields = vec![
            (String::from("meeting"), "1"),
            (String::from("title"), title),
            (String::from("author"), "Programme Manager"),
        ];
        fields.extend(date_fields("release_on", day, month, "2011"));
        fields
    };
    let dated =
        redirected_id(&post(&mut programme, &papers, file("Draft structure", "1", "9")).await);
    let by_hand =
        redirected_id(&post(&mut programme, &papers, file("Staffing options", "1", "12")).await);
    let dated_path = format!("/partnerships/{hwf}/papers/{dated}");
    let by_hand_path = format!("/partnerships/{hwf}/papers/{by_hand}");
    assert_eq!(viewer.get(&dated_path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        viewer.get(&by_hand_path).await.status,
        StatusCode::NOT_FOUND
    );

    // On its release date it is released, without anyone doing anything.
    let later = app.state.clone().with_clock(accord_web::Clock::Fixed(
        chrono::NaiveDate::from_ymd_opt(2011, 9, 1).unwrap(),
    ));
    let mut later_viewer = Client::new(accord_web::app(later));
    later_viewer
        .sign_in(VIEWER, accord::demo::DEMO_PASSPHRASE)
        .await;
    assert_eq!(later_viewer.get(&dated_path).await.status, StatusCode::OK);
    assert_eq!(
        later_viewer.get(&by_hand_path).await.status,
        StatusCode::NOT_FOUND
    );

    // An officer may neither read nor release an embargoed paper; the programme team may.
    let mut officer = app.signed_in(OFFICER).await;
    assert_eq!(
        officer
            .post_form(&format!("{by_hand_path}/release"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let released = programme
        .post_form(&format!("{by_hand_path}/release"), &[])
        .await;
    assert_eq!(released.status, StatusCode::SEE_OTHER, "{}", released.body);
    assert_eq!(viewer.get(&by_hand_path).await.status, StatusCode::OK);
    assert_eq!(viewer.get(&dated_path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn escalated_items_go_on_the_receiving_boards_next_agenda() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut programme = app.signed_in(PROGRAMME).await;
    let board = "programme";
    let senior = "senior-stakeholder";
    for b in [board, senior] {
        let mut fields = vec![];
        fields.extend(date_fields("first", "28", "7", "2011"));
        fields.extend(date_fields("until", "31", "10", "2011"));
        fields.push((
            String::from("cadence"),
            if b == board { "fortnightly" } else { "monthly" },
        ));
        let r = post(
            &mut programme,
            &format!("/partnerships/{hwf}/boards/{b}/schedule"),
            fields,
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let first = programme
        .get(&format!("/partnerships/{hwf}/boards/{board}/meetings/1"))
        .await;
    // The demo's tolerance exception (economic development, phase 2) escalated on 21 July.
    assert!(
        first.body.contains("Exception: Economic Development"),
        "{}",
        first.body
    );
    assert!(first.body.contains("Escalated"));

    // A RAID item escalated from the Programme Board to the Senior Stakeholder Board.
    let risk = raid_titled(
        &app,
        "ERP support contracts expire before a shared solution is in place",
    )
    .await;
    let version = risk.version;
    let risk = risk.reference();
    let up = programme
        .post_form(
            &format!("/partnerships/{hwf}/raid/{risk}/escalate"),
            &[
                ("reason", "Needs a decision on Project Athena"),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
    let item = raid_titled(
        &app,
        "ERP support contracts expire before a shared solution is in place",
    )
    .await;
    assert_eq!(item.item.board, accord_domain::board::BoardLevel::Programme);
    // A second editor who opened the item before that escalation is refused, and told why.
    let stale = programme
        .post_form(
            &format!("/partnerships/{hwf}/raid/{risk}/escalate"),
            &[
                ("reason", "Opened before the escalation"),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(
        stale.body.contains("changed since you opened it"),
        "{}",
        stale.body
    );
    assert!(stale.body.contains("govuk-error-summary"));
    assert_eq!(
        raid_titled(&app, &item.item.title).await.version,
        item.version
    );
    let up = programme
        .post_form(
            &format!("/partnerships/{hwf}/raid/{risk}/escalate"),
            &[("reason", "Leaders to decide")],
        )
        .await;
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
    let next = programme
        .get(&format!("/partnerships/{hwf}/boards/{senior}/meetings/1"))
        .await;
    assert!(next.body.contains("Escalated risk R2"), "{}", next.body);
    let page = programme
        .get(&format!("/partnerships/{hwf}/raid/{risk}"))
        .await;
    assert!(
        page.body.contains("Needs a decision on Project Athena")
            && page.body.contains("Leaders to decide")
    );

    // Minuting the meeting keeps its agenda, escalations included.
    let minutes = programme
        .post_form(
            &format!("/partnerships/{hwf}/boards/{senior}/meetings/1/minutes"),
            &[
                (
                    "present",
                    "Programme Sponsor (LBH)\nProgramme Sponsor (LBWF)",
                ),
                ("text", "Discussed the ERP contracts."),
            ],
        )
        .await;
    assert_eq!(minutes.status, StatusCode::SEE_OTHER, "{}", minutes.body);
    let held = record_titled(&app, "board", "Senior Stakeholder Board").await;
    let agenda = held.body["meetings"][0]["agenda"].to_string();
    assert!(agenda.contains("Escalated risk R2"), "{agenda}");
}

#[tokio::test]
async fn the_calendar_feed_parses_and_leaks_nothing() {
    use icalendar::parser::{read_calendar, unfold};
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut programme = app.signed_in(PROGRAMME).await;
    let board = "projects";
    let mut fields = vec![(String::from("cadence"), "weekly")];
    fields.extend(date_fields("first", "26", "7", "2011"));
    fields.extend(date_fields("until", "31", "8", "2011"));
    post(
        &mut programme,
        &format!("/partnerships/{hwf}/boards/{board}/schedule"),
        fields,
    )
    .await;
    for client in [&mut programme, &mut app.anonymous()] {
        let response = client
            .get(&format!("/partnerships/{hwf}/calendar.ics"))
            .await;
        assert_eq!(response.status, StatusCode::OK);
        assert!(response.header("content-type").starts_with("text/calendar"));
        assert!(response.body.contains("\r\n"));
        assert!(
            response.body.lines().all(|l| l.len() <= 76),
            "a line is not folded"
        );
        let unfolded = unfold(&response.body);
        let calendar = read_calendar(&unfolded).unwrap();
        let events: Vec<_> = calendar
            .components
            .iter()
            .filter(|c| c.name == "VEVENT")
            .collect();
        let summary = |e: &&icalendar::parser::Component| {
            e.properties
                .iter()
                .find(|p| p.name == "SUMMARY")
                .map(|p| p.val.as_str().to_owned())
                .unwrap_or_default()
        };
        let summaries: Vec<String> = events.iter().map(summary).collect();
        assert!(
            summaries
                .iter()
                .any(|s| s.contains("Economic Development: Phase 2")),
            "{summaries:?}"
        );
        assert!(
            summaries
                .iter()
                .any(|s| s.contains("Projects Board: meeting 1")),
            "{summaries:?}"
        );
        assert!(
            summaries.iter().any(|s| s == "MOU review due"),
            "{summaries:?}"
        );
        let mut uids: Vec<String> = events
            .iter()
            .filter_map(|e| {
                e.properties
                    .iter()
                    .find(|p| p.name == "UID")
                    .map(|p| p.val.as_str().to_owned())
            })
            .collect();
        let count = uids.len();
        uids.sort();
        uids.dedup();
        assert_eq!(uids.len(), count, "every event has its own UID");
    }
}

/// The facts of Appendix B of the Haringey Corporate Committee report of 21 July 2011, one
/// object per project (see the fixture's comment).
fn appendix_b() -> Vec<serde_json::Value> {
    let text = include_str!("../../domain/tests/fixtures/appendix_b.json");
    let fixture: serde_json::Value = serde_json::from_str(text).unwrap();
    fixture["projects"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_demo_report_matches_appendix_b() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let page = app
        .anonymous()
        .get(&format!("/partnerships/{hwf}/progress-report"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let facts = appendix_b();
    let names: std::collections::BTreeMap<i64, String> =
        accord_domain::progress_report::demo_haringey_waltham_forest()
            .into_iter()
            .map(|p| (p.id, p.name.replace('&', "&amp;")))
            .collect();
    // Each project whose savings the appendix states shows that figure in its section.
    let mut stated_pence = 0;
    for fact in &facts {
        let Some(figure) = fact["cashable_savings"].as_str().filter(|s| *s != "TBA") else {
            continue;
        };
        let n = fact["number"].as_i64().unwrap();
        let name = &names[&n];
        let section = &page.body[page
            .body
            .find(&format!("{name}</h2>"))
            .unwrap_or_else(|| panic!("{name} not in the report"))..];
        let section = &section[..section.find("</section>").unwrap()];
        assert!(
            section.contains(figure),
            "{name}: {figure}, which the appendix states, is not in the report"
        );
        let pounds: i64 = figure
            .trim_start_matches('£')
            .replace(',', "")
            .parse()
            .unwrap();
        stated_pence += pounds * 100;
    }
    assert_eq!(stated_pence, 42_500_000, "four figures, £425,000 in all");
    // The appendix's slippage, its dates and its outcomes, in the report's words.
    for words in [
        "Phase 2 likely to slip from Jul to Sep 2011",
        "Phase 3 on track for mid 2012",
        "Payroll control live",
        "Joint interim management arrangements delivered on time",
        "Re-evaluate at the end of the calendar year",
        "Not pursued as a shared service: market testing instead",
    ] {
        assert!(page.body.contains(words), "{words}");
    }
    // The API gives the appendix's totals: £425,000 stated, five TBA, five not stated.
    let count = |savings: Option<&str>| {
        facts
            .iter()
            .filter(|f| f["cashable_savings"].as_str() == savings)
            .count()
    };
    let api = app
        .anonymous()
        .get(&format!("/api/v1/partnerships/{hwf}/progress-report"))
        .await
        .json();
    let totals = &api["report"]["totals"];
    assert_eq!(totals["stated_savings"], stated_pence);
    assert_eq!(totals["tba"], count(Some("TBA")));
    assert_eq!(totals["not_stated"], count(None));
    assert_eq!((count(Some("TBA")), count(None)), (5, 5));
    // The committee paper is one click away and prints alone.
    let paper = app
        .anonymous()
        .get(&format!("/partnerships/{hwf}/progress-report?format=paper"))
        .await;
    assert!(paper.body.contains("<main") && !paper.body.contains("govuk-header"));
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut api = app.token_client(PROGRAMME).await;
    let fields = |r: &TestResponse| -> Vec<String> {
        r.json()["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect()
    };

    // A project, then a forecast before it starts.
    let created = api
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{hwf}/projects"),
            &json!({"name": "Legal Services", "size": "small", "start": "2011-09-01"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let legal_id = created.json()["id"].as_i64().unwrap();
    let legal = created.json()["reference"].as_str().unwrap().to_owned();
    assert!(legal.starts_with("P-"), "{legal}");
    let version = record(&app, legal_id).await.version;
    let early = api
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{hwf}/projects/{legal}/dates"),
            &json!({"item": "stage-assess-value", "forecast": "2011-08-01"}),
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&early), ["forecast"]);
    assert!(early.body.contains("before the project starts"));
    assert_eq!(record(&app, legal_id).await.version, version);
    // The same through the form.
    let mut programme = app.signed_in(PROGRAMME).await;
    let mut form = vec![(String::from("item"), "milestone-1")];
    form.extend(date_fields("forecast", "1", "8", "2011"));
    let refused = post(
        &mut programme,
        &format!("/partnerships/{hwf}/projects/{legal}/dates"),
        form,
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("before the project starts")
            && refused.body.contains("govuk-error-summary")
    );
    assert_eq!(record(&app, legal_id).await.version, version);

    // A Cabinet approval from a council outside the partnership.
    let outside = api
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{hwf}/projects/{legal}/cabinet-approvals"),
            &json!({"stage": "define-strategy", "council": "E09000002", "approved_on": "2011-07-01"}),
        )
        .await;
    assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&outside), ["council"]);
    assert_eq!(record(&app, legal_id).await.version, version);

    // A dependency cycle: SAP ← HR already (demo); SAP → HR would close it.
    let hr = record_titled(&app, "project", "Human Resources Shared Services Centre")
        .await
        .id;
    let sap = record_titled(&app, "project", "One SAP Solution").await.id;
    let before = records(&app, "raid").await.len();
    let cycle = api
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{hwf}/raid"),
            &json!({
                "title": "SAP needs the HR blueprint",
                "owner": "Programme Director",
                "raised_on": "2011-07-21",
                "detail": {"kind": "dependency", "from_project": sap, "to_project": hr}
            }),
        )
        .await;
    assert_eq!(
        cycle.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        cycle.body
    );
    assert_eq!(fields(&cycle), ["detail.to_project"]);
    assert!(
        cycle.body.contains(
            "One SAP Solution → Human Resources Shared Services Centre → One SAP Solution"
        ),
        "{}",
        cycle.body
    );
    assert_eq!(records(&app, "raid").await.len(), before);

    // Escalation above the top board.
    let top = api
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{hwf}/raid"),
            &json!({
                "title": "Leaders disagree on the ERP route",
                "owner": "Programme Sponsor",
                "raised_on": "2011-07-21",
                "board": "senior-stakeholder",
                "detail": {"kind": "issue", "severity": 4}
            }),
        )
        .await;
    assert_eq!(top.status, StatusCode::CREATED, "{}", top.body);
    let issue_id = top.json()["id"].as_i64().unwrap();
    let issue = top.json()["reference"].as_str().unwrap().to_owned();
    let version = record(&app, issue_id).await.version;
    let above = api
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{hwf}/raid/{issue}/escalations"),
            &json!({"reason": "No one above"}),
        )
        .await;
    assert_eq!(above.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&above), ["board"]);
    assert!(above.body.contains("the top board"));
    assert_eq!(record(&app, issue_id).await.version, version);

    // A change to a published snapshot.
    let report = records(&app, "highlight_report").await.remove(0);
    let project = reference(&record(&app, report.parent_id.unwrap()).await);
    let number = reference(&report).rsplit('/').next().unwrap().to_owned();
    let path = format!("/api/v1/partnerships/{hwf}/projects/{project}/highlight-reports/{number}");
    // The old address, by record id, has moved.
    let old = api
        .get(&format!(
            "/api/v1/partnerships/{hwf}/highlight-reports/{}",
            report.id
        ))
        .await;
    assert_eq!(old.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(old.header("location"), path);
    let shown = api.get(&path).await.json();
    let published = shown["versions"][0].clone();
    let same = api
        .send_json(Method::PUT, &format!("{path}/versions/1"), &published)
        .await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.body);
    let mut changed = published.clone();
    changed["content"]["report"]["narrative"] = json!("Everything is on track.");
    let version = record(&app, report.id).await.version;
    let refused = api
        .send_json(Method::PUT, &format!("{path}/versions/1"), &changed)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&refused), ["content"]);
    assert!(refused.body.contains("cannot be changed"));
    assert_eq!(record(&app, report.id).await.version, version);
    assert_eq!(api.get(&path).await.json()["versions"][0], published);
}

#[tokio::test]
async fn a_project_planned_from_the_template_gates_on_every_cabinet() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut programme = app.signed_in(PROGRAMME).await;
    let mut form = vec![
        (String::from("name"), "Audit"),
        (String::from("size"), "small"),
    ];
    form.extend(date_fields("start", "1", "9", "2011"));
    let id = redirected_key(
        &post(
            &mut programme,
            &format!("/partnerships/{hwf}/projects"),
            form,
        )
        .await,
    );
    assert!(
        id.starts_with("P-"),
        "a project is addressed by its reference: {id}"
    );
    let record_id = records(&app, "project")
        .await
        .into_iter()
        .find(|r| r.reference.as_deref() == Some(id.as_str()))
        .unwrap()
        .id;
    // An old address, by the record's id, redirects to the reference.
    let old = programme
        .get(&format!("/partnerships/{hwf}/projects/{record_id}?x=1"))
        .await;
    assert_eq!(old.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        old.header("location"),
        format!("/partnerships/{hwf}/projects/{id}?x=1")
    );
    let page = programme
        .get(&format!("/partnerships/{hwf}/projects/{id}"))
        .await;
    for text in [
        "Assess the potential value",
        "Define overall strategy and plan",
        "Create the shared-service design",
        "Build and deploy the solution",
        "Engagement: Trade unions",
        "Cabinet approval at the end of “Define overall strategy and plan”",
        "Benefit realisation review",
        "Indicative timetable",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    // The first stage completes; the second waits for both Cabinets.
    let complete = |stage: &'static str, day: &'static str, month: &'static str| {
        let mut f = vec![(String::from("item"), stage)];
        f.extend(date_fields("actual", day, month, "2011"));
        f
    };
    let done = post(
        &mut programme,
        &format!("/partnerships/{hwf}/projects/{id}/dates"),
        complete("stage-assess-value", "30", "9"),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let waiting = post(
        &mut programme,
        &format!("/partnerships/{hwf}/projects/{id}/dates"),
        complete("stage-define-strategy", "30", "11"),
    )
    .await;
    assert_eq!(waiting.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(waiting.body.contains("Cabinet approval at every council"));
    // A time tolerance breach escalates to the Programme Board.
    let mut f = vec![(String::from("item"), "stage-create-design")];
    f.extend(date_fields("forecast", "1", "6", "2012"));
    let late = post(
        &mut programme,
        &format!("/partnerships/{hwf}/projects/{id}/dates"),
        f,
    )
    .await;
    assert_eq!(late.status, StatusCode::SEE_OTHER, "{}", late.body);
    let escalations = records(&app, "escalation").await;
    assert!(
        escalations.iter().any(|e| e.parent_id == Some(record_id)
            && e.title.contains("Create the shared-service design"))
    );
    let page = programme
        .get(&format!("/partnerships/{hwf}/projects/{id}"))
        .await;
    assert!(page.body.contains("escalated to the Programme Board"));
}

/// Every change to the RAID log shows at once, to every reader, on the page and in the API.
#[tokio::test]
async fn the_raid_log_shows_every_change_at_once() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut councillor = app
        .signed_in("councillor@walthamforest.demo.accord.test")
        .await;
    let mut api = app
        .token_client("programme@haringey.demo.accord.test")
        .await;
    let list = format!("/partnerships/{hwf}/raid");
    let api_list = format!("/api/v1/partnerships/{hwf}/raid");
    let matching = |body: &str| {
        body.split("Items (")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap()
    };
    let before = matching(&councillor.get(&list).await.body);
    let before_api = api.get(&api_list).await.json()["total"].as_u64().unwrap();

    let raised = api
        .send_json(
            Method::POST,
            &api_list,
            &json!({
                "title": "Payroll cut-over clashes with year end",
                "owner": "Programme Director",
                "raised_on": "2011-07-21",
                "detail": {"kind": "issue", "severity": 3}
            }),
        )
        .await;
    assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.body);
    let page = councillor.get(&list).await.body;
    assert_eq!(matching(&page), before + 1);
    assert!(page.contains("Payroll cut-over clashes with year end"));
    assert_eq!(
        api.get(&api_list).await.json()["total"].as_u64(),
        Some(before_api + 1)
    );

    // Deleted: gone at once.
    let id = raised.json()["id"].as_i64().unwrap();
    app.store
        .delete_record(id, &accord_store::Change::by("test"))
        .await
        .unwrap();
    let page = councillor.get(&list).await.body;
    assert_eq!(matching(&page), before);
    assert!(!page.contains("Payroll cut-over clashes with year end"));
}

/// Records are addressed by their own references; an address made before, by storage id,
/// redirects there for good.
#[tokio::test]
async fn old_addresses_by_record_id_redirect_to_the_reference() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut programme = app.signed_in(PROGRAMME).await;
    let board = record_titled(&app, "board", "Programme Board").await.id;
    let old = programme
        .get(&format!("/partnerships/{hwf}/boards/{board}"))
        .await;
    assert_eq!(old.status, StatusCode::PERMANENT_REDIRECT, "{}", old.body);
    assert_eq!(
        old.header("location"),
        format!("/partnerships/{hwf}/boards/programme")
    );
    let item = raid_items(&app).await.remove(0);
    let old = programme
        .get(&format!("/partnerships/{hwf}/raid/{}", item.record_id))
        .await;
    assert_eq!(old.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        old.header("location"),
        format!("/partnerships/{hwf}/raid/{}", item.reference())
    );
    let new = programme
        .get(&format!("/partnerships/{hwf}/raid/{}", item.reference()))
        .await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(new.body.contains(&item.item.title));
    // References are read as people write them.
    let lower = programme
        .get(&format!(
            "/partnerships/{hwf}/raid/{}",
            item.reference().to_lowercase()
        ))
        .await;
    assert_eq!(lower.status, StatusCode::OK);
}

/// Two editors open the same project; the first saves, the second (from the version they
/// opened) is refused with 409 and an error summary, and nothing of theirs is written. The
/// API refuses the same way.
#[tokio::test]
async fn the_second_of_two_editors_of_a_project_is_refused() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut first = app.signed_in(PROGRAMME).await;
    let mut second = app.signed_in(PROGRAMME).await;
    let project = record_titled(&app, "project", "Economic Development").await;
    let p = reference(&project);
    let opened = project.version.to_string();
    for client in [&mut first, &mut second] {
        let form = client
            .get(&format!("/partnerships/{hwf}/projects/{p}/edit"))
            .await;
        assert!(
            form.body
                .contains(&format!("name=\"version\" value=\"{opened}\"")),
            "the form carries the version it was filled from"
        );
    }
    let edit = |name: &'static str| {
        vec![
            f("name", name),
            f("tolerance_days", "28"),
            f("savings", "tba"),
            f("outcome", "being-implemented"),
            f("version", &opened),
        ]
    };
    let saved = post_owned(
        &mut first,
        &format!("/partnerships/{hwf}/projects/{p}/edit"),
        &edit("Economic Development (first)"),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let refused = post_owned(
        &mut second,
        &format!("/partnerships/{hwf}/projects/{p}/edit"),
        &edit("Economic Development (second)"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("govuk-error-summary"));
    assert!(
        refused.body.contains("changed since you opened it"),
        "{}",
        refused.body
    );
    // The form shows the project as it is now, at its new version.
    assert!(refused.body.contains("Economic Development (first)"));
    let now = record(&app, project.id).await;
    assert_eq!(now.version, project.version + 1);
    assert_eq!(now.title, "Economic Development (first)");

    // The dates form and the API refuse a stale version the same way.
    let mut dates = vec![f("item", "phase-3"), f("version", &opened)];
    dates.extend(
        date_fields("forecast", "1", "1", "2013")
            .into_iter()
            .map(|(k, v)| (k, v.to_owned())),
    );
    let stale = post_owned(
        &mut second,
        &format!("/partnerships/{hwf}/projects/{p}/dates"),
        &dates,
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let mut api = app.token_client(PROGRAMME).await;
    let stale = api
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{hwf}/projects/{p}/dates"),
            &json!({"item": "phase-3", "forecast": "2013-01-01", "version": project.version}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let current = api
        .send_json(
            Method::POST,
            &format!("/api/v1/partnerships/{hwf}/projects/{p}/dates"),
            &json!({"item": "phase-3", "forecast": "2013-01-01", "version": now.version}),
        )
        .await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.body);
    assert_eq!(current.json()["version"], now.version + 1);
    assert_eq!(current.json()["reference"], p.as_str());
}

/// The projects list is answered a page at a time: its filters, its total and its cursor.
#[tokio::test]
async fn the_projects_list_filters_counts_and_pages() {
    let app = TestApp::demo(report_day()).await;
    let hwf = app.hwf().await;
    let mut api = app.token_client(PROGRAMME).await;
    let base = format!("/api/v1/partnerships/{hwf}/projects");
    let all = api.get(&format!("{base}?limit=5")).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let body = all.json();
    assert_eq!(body["total"], 14);
    assert_eq!(body["items"].as_array().unwrap().len(), 5);
    let next = body["next"].as_str().unwrap().to_owned();
    assert_eq!(all.header("link"), format!("<{next}>; rel=\"next\""));
    let mut seen: Vec<String> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["reference"].as_str().unwrap().to_owned())
        .collect();
    let mut at = Some(next);
    while let Some(path) = at {
        let page = api.get(&path).await.json();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["reference"].as_str().unwrap().to_owned()),
        );
        at = page["next"].as_str().map(str::to_owned);
    }
    let expected: Vec<String> = (1..=14).map(|n| format!("P-{n}")).collect();
    assert_eq!(seen, expected, "every project once, in order");
    // Beyond tolerance on the report's date: economic development's phase 2 and more.
    let beyond = api.get(&format!("{base}?beyond=yes")).await.json();
    let names: Vec<&str> = beyond["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Economic Development"), "{names:?}");
    assert!(
        beyond["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["exceptions"].as_u64().unwrap() > 0)
    );
    let text = api.get(&format!("{base}?text=ECONOMIC")).await.json();
    assert_eq!(text["total"], 1);
    for (query, field) in [
        ("limit=0", "limit"),
        ("cursor=nonsense", "cursor"),
        ("sort=size", "sort"),
        ("outcome=finished", "outcome"),
    ] {
        let r = api.get(&format!("{base}?{query}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(r.json()["error"]["fields"][0]["field"], field, "{query}");
    }
    // The page shows the same, with GOV.UK pagination.
    let mut viewer = app.signed_in(VIEWER).await;
    let page = viewer
        .get(&format!("/partnerships/{hwf}/projects?text=economic"))
        .await;
    assert!(page.body.contains("Projects (1 matching)"), "{}", page.body);
    assert!(
        page.body
            .contains(&format!("/partnerships/{hwf}/projects/P-1"))
    );
}
