//! Generates the release 0.1 fixture: `crates/store/tests/fixtures/release-0.1.json.gz`.
//!
//! KEPT FOR REFERENCE ONLY. It was run once, on the release 0.1 code at commit
//! 489e4bd24e80b2aaf494b807a2657927a0de7cc2 (with only the fixture's dump and loader added
//! to `accord_store::testing`; the fixture's `about.commit` names the same commit), before
//! records moved out of the generic `records` table. It will stop compiling when the APIs it
//! calls change: that is expected. The fixture is what matters; delete this file if keeping
//! it ever gets in the way.
//!
//! It builds a SQLite database the way release 0.1 itself writes one: `accord demo` and
//! `accord import bank-holidays` through the command line, users, roles, API tokens and
//! passphrase resets through the same store calls `accord user` makes, and every record
//! through the real web app (`accord_web::app`) in process: the JSON API with API tokens, and
//! the HTML forms (with a signed-in session and its CSRF token) where the API has no route
//! (boards, proclaimed holidays, closing RAID items, releasing papers by hand), and the
//! embargo sweep `accord serve` runs. The app's clock is fixed per step and every choice
//! comes from a fixed seed, so the records are the same on every run. What is not: the
//! timestamps of writes made through the app, the demo and the sweep (they stamp them from
//! the wall clock; the store calls made here directly use fixed times), and the random
//! secrets behind the stored token and session digests.
//!
//! Then it dumps every table with `accord_store::testing::legacy::dump` and writes the fixture.
//!
//! ```text
//! cargo run -p accord --example release_fixture -- OUTFILE [--keep DBFILE] [--commit SHA]
//! ```

#![allow(clippy::unwrap_used, clippy::too_many_lines, clippy::print_stdout)]

use accord_domain::access::{Grant, Role};
use accord_domain::gateway::CriteriaSet;
use accord_domain::working_days::Division;
use accord_domain::working_days::rules::computed_holidays;
use accord_domain::{GssCode, demo};
use accord_store::credentials::{hash_passphrase, new_secret};
use accord_store::testing::legacy;
use accord_store::{Change, NewUser, Store};
use accord_testkit::http::{Client, TestResponse};
use accord_web::auth::{CSRF_COOKIE, SESSION_COOKIE};
use accord_web::{AppState, Clock, WebConfig, app};
use axum::Router;
use axum::http::{Method, StatusCode};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use clap::Parser as _;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

const HARINGEY: &str = "E09000014";
const WALTHAM_FOREST: &str = "E09000031";
const HARTLEPOOL: &str = "E06000001";
const DARLINGTON: &str = "E06000005";
const REDCAR: &str = "E06000003";
const TEES_NAME: &str = "Hartlepool – Darlington – Redcar and Cleveland collaboration";

const ADMIN: &str = "admin@demo.accord.test";
const HWF_PROGRAMME: &str = "programme@haringey.demo.accord.test";
const HWF_BOARD: &str = "board@walthamforest.demo.accord.test";
const HWF_OFFICER: &str = "officer@haringey.demo.accord.test";
const HWF_FINANCE: &str = "finance@haringey.demo.accord.test";
const HWF_INFO_WF: &str = "information@walthamforest.demo.accord.test";
const HWF_INFO_HARINGEY: &str = "information@haringey.demo.accord.test";

const TEES_PROGRAMME: &str = "programme@hartlepool.fixture.accord.test";
const TEES_BOARD: &str = "board@darlington.fixture.accord.test";
const TEES_OFFICER: &str = "officer@redcar.fixture.accord.test";
const TEES_FINANCE: &str = "finance@hartlepool.fixture.accord.test";
const TEES_INFO: [(&str, &str); 3] = [
    ("information@hartlepool.fixture.accord.test", HARTLEPOOL),
    ("information@darlington.fixture.accord.test", DARLINGTON),
    ("information@redcar.fixture.accord.test", REDCAR),
];
const TEES_PASSPHRASE: &str = "fixture passphrase for the tees valley";

/// The 14 councils the demo adds, for the further partnerships.
const COUNCILS: [&str; 14] = [
    "E09000014",
    "E09000031",
    "E10000003",
    "E10000021",
    "E06000039",
    "E06000001",
    "E06000005",
    "E06000003",
    "E10000002",
    "E09000015",
    "E09000005",
    "E09000013",
    "E09000033",
    "E09000020",
];

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(hour, minute, 0).unwrap())
}

/// SplitMix64: small, fixed, good enough to vary the fixture.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The generator: the store, the app on each day it was asked for, credentials, and a tally.
struct Gen {
    url: String,
    store: Arc<dyn Store>,
    routers: HashMap<NaiveDate, Router>,
    day: NaiveDate,
    tokens: HashMap<String, String>,
    cookies: HashMap<String, (String, String)>,
    rng: Rng,
    ok: BTreeMap<String, usize>,
    failed: BTreeMap<String, (usize, String)>,
}

impl Gen {
    fn router(&mut self) -> Router {
        let store = self.store.clone();
        let day = self.day;
        self.routers
            .entry(day)
            .or_insert_with(|| {
                let mut config = WebConfig::new("Shared services partnerships");
                config.demo = true;
                app(AppState::new(config, store).with_clock(Clock::Fixed(day)))
            })
            .clone()
    }

    fn on(&mut self, day: NaiveDate) -> &mut Self {
        self.day = day;
        self
    }

    fn tally(&mut self, label: &str, response: &TestResponse, ok: bool) {
        if ok {
            *self.ok.entry(label.to_owned()).or_default() += 1;
        } else {
            let entry = self.failed.entry(label.to_owned()).or_insert((
                0,
                format!(
                    "{} on {}: {}",
                    response.status,
                    self.day,
                    response.body.chars().take(400).collect::<String>()
                ),
            ));
            entry.0 += 1;
        }
    }

    /// A JSON API call with a user's token; the response's JSON when it succeeded.
    async fn api(
        &mut self,
        label: &str,
        email: &str,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Option<Value> {
        let token = self.tokens.get(email).cloned().unwrap_or_else(|| {
            panic!("no API token for {email}");
        });
        let mut client = Client::new(self.router()).with_token(&token);
        let response = client.send_json(method, path, body).await;
        let ok = response.status.is_success();
        self.tally(label, &response, ok);
        ok.then(|| serde_json::from_str(&response.body).unwrap_or(Value::Null))
    }

    async fn post(&mut self, label: &str, email: &str, path: &str, body: &Value) -> Option<Value> {
        self.api(label, email, Method::POST, path, body).await
    }

    /// A form post in a user's signed-in session; the redirect's location when it succeeded.
    async fn form(
        &mut self,
        label: &str,
        email: &str,
        path: &str,
        fields: &[(&str, String)],
    ) -> Option<String> {
        let (session, csrf) = self.cookies.get(email).cloned().unwrap_or_else(|| {
            panic!("{email} is not signed in");
        });
        let mut client = Client::new(self.router())
            .with_cookie(SESSION_COOKIE, &session)
            .with_cookie(CSRF_COOKIE, &csrf);
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = client.post_form(path, &pairs).await;
        let ok = response.status == StatusCode::SEE_OTHER;
        self.tally(label, &response, ok);
        ok.then(|| response.header("location").to_owned())
    }

    /// Signs in through the sign-in form, keeping the session for later form posts.
    async fn sign_in(&mut self, email: &str, passphrase: &str) {
        let mut client = Client::new(self.router());
        let response = client.sign_in(email, passphrase).await;
        let ok = response.status == StatusCode::SEE_OTHER;
        self.tally("sign in", &response, ok);
        if let (Some(session), Some(csrf)) =
            (client.cookie(SESSION_COOKIE), client.cookie(CSRF_COOKIE))
        {
            self.cookies
                .insert(email.to_owned(), (session.to_owned(), csrf.to_owned()));
        }
    }

    /// A record's body, read straight from the store (reading is not writing).
    async fn body(&self, id: i64) -> Value {
        self.store
            .record(id, &everything(), self.day)
            .await
            .unwrap()
            .map(|r| r.body)
            .unwrap_or(Value::Null)
    }

    /// A record's version, read straight from the store.
    async fn version(&self, id: i64) -> i64 {
        self.store
            .record(id, &everything(), self.day)
            .await
            .unwrap()
            .map_or(0, |r| r.version)
    }

    /// Runs the command line in process, as `accord --db URL args…`.
    async fn cli(&self, args: &[&str]) {
        let mut all = vec!["accord", "--db", &self.url];
        all.extend_from_slice(args);
        let code = accord::cli::run(accord::cli::Cli::parse_from(all))
            .await
            .unwrap();
        assert_eq!(code, std::process::ExitCode::SUCCESS, "accord {args:?}");
    }
}

fn everything() -> accord_domain::access::ReadScope {
    accord_domain::access::ReadScope {
        everything_but_personal: true,
        ..Default::default()
    }
}

fn id_of(v: &Option<Value>) -> Option<i64> {
    v.as_ref().and_then(|v| v["id"].as_i64())
}

fn iso(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn date_fields(name: &str, day: NaiveDate) -> Vec<(String, String)> {
    use chrono::Datelike as _;
    vec![
        (format!("{name}-day"), day.day().to_string()),
        (format!("{name}-month"), day.month().to_string()),
        (format!("{name}-year"), day.year().to_string()),
    ]
}

fn fields(owned: &[(String, String)]) -> Vec<(&str, String)> {
    owned.iter().map(|(k, v)| (k.as_str(), v.clone())).collect()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mut out: Option<PathBuf> = None;
    let mut keep: Option<PathBuf> = None;
    let mut commit = String::from("unknown");
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--keep" => keep = args.next().map(PathBuf::from),
            "--commit" => commit = args.next().unwrap_or_default(),
            _ => out = Some(PathBuf::from(arg)),
        }
    }
    let out = out.expect("usage: release_fixture OUTFILE [--keep DBFILE] [--commit SHA]");
    let dir = tempfile::tempdir().unwrap();
    let db = keep.unwrap_or_else(|| dir.path().join("release-0.1.db"));
    if db.exists() {
        std::fs::remove_file(&db).unwrap();
    }
    let url = format!("sqlite:{}", std::path::absolute(&db).unwrap().display());
    let store = accord_store::connect(&url).await.unwrap();
    let mut g = Gen {
        url: url.clone(),
        store,
        routers: HashMap::new(),
        day: progress_day(),
        tokens: HashMap::new(),
        cookies: HashMap::new(),
        rng: Rng(0x0ACC_02D0_1F1C_5EED),
        ok: BTreeMap::new(),
        failed: BTreeMap::new(),
    };

    // The demo and the bank holidays, through the command line.
    g.cli(&["demo"]).await;
    let feed = dir.path().join("bank-holidays.json");
    std::fs::write(&feed, bank_holiday_feed().to_string()).unwrap();
    // Imported from beside it, so the audit trail names the file, not a temporary directory.
    let here = std::env::current_dir().unwrap();
    std::env::set_current_dir(dir.path()).unwrap();
    g.cli(&["import", "bank-holidays", "bank-holidays.json"])
        .await;
    std::env::set_current_dir(here).unwrap();

    let hwf = g
        .store
        .partnership_id_by_name(demo::HWF_NAME)
        .await
        .unwrap()
        .unwrap();
    let tees = g
        .store
        .partnership_id_by_name(TEES_NAME)
        .await
        .unwrap()
        .unwrap();

    people(&mut g, tees).await;
    partnerships(&mut g, tees).await;
    let extra = more_partnerships(&mut g).await;
    services(&mut g).await;
    criteria(&mut g, hwf, tees, &extra).await;
    opportunities(
        &mut g,
        hwf,
        &[HARINGEY, WALTHAM_FOREST],
        HWF_PROGRAMME,
        hwf_day(0),
    )
    .await;
    opportunities(
        &mut g,
        tees,
        &[HARTLEPOOL, DARLINGTON, REDCAR],
        TEES_PROGRAMME,
        tees_day(0),
    )
    .await;
    let hwf_projects = projects(
        &mut g,
        hwf,
        &[HARINGEY, WALTHAM_FOREST],
        HWF_PROGRAMME,
        hwf_day(0),
    )
    .await;
    let tees_projects = projects(
        &mut g,
        tees,
        &[HARTLEPOOL, DARLINGTON, REDCAR],
        TEES_PROGRAMME,
        tees_day(0),
    )
    .await;
    highlights(&mut g, hwf, &hwf_projects, HWF_PROGRAMME, hwf_day(40)).await;
    highlights(&mut g, tees, &tees_projects, TEES_PROGRAMME, tees_day(40)).await;
    raid(&mut g, hwf, &hwf_projects, HWF_PROGRAMME, hwf_day(10)).await;
    raid(&mut g, tees, &tees_projects, TEES_PROGRAMME, tees_day(10)).await;
    governance(
        &mut g,
        hwf,
        &[HARINGEY, WALTHAM_FOREST],
        HWF_PROGRAMME,
        HWF_BOARD,
        hwf_day(5),
    )
    .await;
    governance(
        &mut g,
        tees,
        &[HARTLEPOOL, DARLINGTON, REDCAR],
        TEES_PROGRAMME,
        TEES_BOARD,
        tees_day(5),
    )
    .await;
    progress_reports(&mut g, hwf, tees, &extra).await;
    finance(
        &mut g,
        hwf,
        &[HARINGEY, WALTHAM_FOREST],
        HWF_FINANCE,
        HWF_PROGRAMME,
        hwf_day(20),
    )
    .await;
    finance(
        &mut g,
        tees,
        &[HARTLEPOOL, DARLINGTON, REDCAR],
        TEES_FINANCE,
        TEES_PROGRAMME,
        tees_day(20),
    )
    .await;
    requests(
        &mut g,
        hwf,
        &[(HWF_INFO_HARINGEY, HARINGEY), (HWF_INFO_WF, WALTHAM_FOREST)],
        d(2025, 1, 6),
    )
    .await;
    requests(&mut g, tees, &TEES_INFO, d(2025, 1, 13)).await;
    holidays(&mut g).await;
    sweep(&mut g).await;

    // What happened.
    println!("\nSucceeded:");
    for (label, n) in &g.ok {
        println!("  {n:>5}  {label}");
    }
    if !g.failed.is_empty() {
        println!("\nRefused:");
        for (label, (n, first)) in &g.failed {
            println!("  {n:>5}  {label}: {first}");
        }
    }
    g.store.close().await;

    let mut fixture = legacy::dump(&url).await.unwrap();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let records = fixture.table("records").unwrap();
    let kind = records.column("kind").unwrap();
    for row in &records.rows {
        *kinds
            .entry(row[kind].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    println!("\nRecords by kind:");
    for (k, n) in &kinds {
        println!("  {n:>5}  {k}");
    }
    println!("\nRows by table:");
    for (name, table) in &fixture.tables {
        println!("  {:>6}  {name}", table.rows.len());
    }
    fixture.about = json!({
        "what": "A database made by Accord release 0.1: the demo, and generated records of every kind",
        "release": env!("CARGO_PKG_VERSION"),
        "commit": commit,
        "generator": "crates/accord/examples/release_fixture.rs",
        "records_by_kind": kinds,
    });
    legacy::write(&out, &fixture).unwrap();
    println!(
        "\nWrote {} ({} bytes).",
        out.display(),
        std::fs::metadata(&out).unwrap().len()
    );
    if !g.failed.is_empty() {
        std::process::exit(3);
    }
}

// ----- the days things happen on -----

/// The demo's "as at" day: the Haringey Corporate Committee report.
fn progress_day() -> NaiveDate {
    d(2011, 7, 21)
}

/// Days of the Haringey – Waltham Forest programme after the report.
fn hwf_day(n: i64) -> NaiveDate {
    d(2011, 7, 22) + Duration::days(n)
}

/// Days of the Tees Valley programme.
fn tees_day(n: i64) -> NaiveDate {
    d(2012, 4, 2) + Duration::days(n)
}

// ----- reference data -----

/// A GOV.UK-format feed of the holidays Accord's rules give for 2010–2012 and 2024–2026, so
/// the imported table agrees with the rules.
fn bank_holiday_feed() -> Value {
    let mut root = serde_json::Map::new();
    for division in [
        Division::EnglandAndWales,
        Division::Scotland,
        Division::NorthernIreland,
    ] {
        let mut events = Vec::new();
        for year in (2010..=2012).chain(2024..=2026) {
            for h in computed_holidays(division, year) {
                events.push(json!({
                    "title": h.title,
                    "date": iso(h.date),
                    "notes": h.note,
                    "bunting": h.bunting,
                }));
            }
        }
        root.insert(
            division.slug().to_owned(),
            json!({ "division": division.slug(), "events": events }),
        );
    }
    Value::Object(root)
}

// ----- people: as `accord user` makes them -----

async fn people(g: &mut Gen, tees: i64) {
    let day = d(2011, 7, 20);
    let change = |minute: u32| Change {
        at: at(day, 9, minute),
        ..Change::by("accord user")
    };
    let tees_people: Vec<(&str, &str, &str, Role)> = vec![
        (
            TEES_PROGRAMME,
            "Programme manager (Hartlepool)",
            HARTLEPOOL,
            Role::Programme,
        ),
        (
            TEES_BOARD,
            "Board member (Darlington)",
            DARLINGTON,
            Role::Board,
        ),
        (
            TEES_OFFICER,
            "Officer (Redcar and Cleveland)",
            REDCAR,
            Role::Officer,
        ),
        (
            TEES_FINANCE,
            "Finance officer (Hartlepool)",
            HARTLEPOOL,
            Role::Finance,
        ),
        (
            TEES_INFO[0].0,
            "Information lead (Hartlepool)",
            HARTLEPOOL,
            Role::Information,
        ),
        (
            TEES_INFO[1].0,
            "Information lead (Darlington)",
            DARLINGTON,
            Role::Information,
        ),
        (
            TEES_INFO[2].0,
            "Information lead (Redcar and Cleveland)",
            REDCAR,
            Role::Information,
        ),
        (
            "councillor@redcar.fixture.accord.test",
            "Councillor, scrutiny (Redcar and Cleveland)",
            REDCAR,
            Role::Viewer,
        ),
    ];
    let mut minute = 0;
    for (email, name, home, role) in tees_people {
        minute += 1;
        let id = g
            .store
            .create_user(
                &NewUser {
                    email: email.to_owned(),
                    display_name: name.to_owned(),
                    home: Some(GssCode::parse("home", home).unwrap()),
                    passphrase_hash: hash_passphrase(TEES_PASSPHRASE),
                    admin: false,
                },
                &change(minute),
            )
            .await
            .unwrap();
        g.store
            .add_grant(
                id,
                Grant {
                    partnership_id: tees,
                    role,
                },
                &change(minute),
            )
            .await
            .unwrap();
    }
    // The programme manager of Haringey also sits on the Tees Valley board, for a while.
    let (programme, _) = g
        .store
        .user_credentials(HWF_PROGRAMME)
        .await
        .unwrap()
        .unwrap();
    let visiting = Grant {
        partnership_id: tees,
        role: Role::Viewer,
    };
    g.store
        .add_grant(programme.id, visiting, &change(20))
        .await
        .unwrap();
    g.store
        .remove_grant(programme.id, visiting, &change(21))
        .await
        .unwrap();
    // A leaver: an account made and disabled.
    let leaver = g
        .store
        .create_user(
            &NewUser {
                email: "leaver@hartlepool.fixture.accord.test".to_owned(),
                display_name: "A former officer (Hartlepool)".to_owned(),
                home: Some(GssCode::parse("home", HARTLEPOOL).unwrap()),
                passphrase_hash: hash_passphrase("a passphrase nobody will use again"),
                admin: false,
            },
            &change(22),
        )
        .await
        .unwrap();
    g.store
        .set_user_disabled(leaver, true, &change(23))
        .await
        .unwrap();

    // API tokens for everyone who writes through the API, one revoked and replaced.
    let writers: Vec<&str> = vec![
        ADMIN,
        HWF_PROGRAMME,
        HWF_BOARD,
        HWF_OFFICER,
        HWF_FINANCE,
        HWF_INFO_WF,
        HWF_INFO_HARINGEY,
        TEES_PROGRAMME,
        TEES_BOARD,
        TEES_OFFICER,
        TEES_FINANCE,
        TEES_INFO[0].0,
        TEES_INFO[1].0,
        TEES_INFO[2].0,
    ];
    for (i, email) in writers.into_iter().enumerate() {
        let (user, _) = g.store.user_credentials(email).await.unwrap().unwrap();
        let minute = 30 + u32::try_from(i).unwrap();
        if i == 1 {
            let (_, digest) = new_secret("accord_pat_");
            let old = g
                .store
                .create_api_token(user.id, "spreadsheet sync (old)", &digest, &change(minute))
                .await
                .unwrap();
            g.store
                .revoke_api_token(user.id, old, &change(minute))
                .await
                .unwrap();
        }
        let (token, digest) = new_secret("accord_pat_");
        g.store
            .create_api_token(user.id, "release fixture", &digest, &change(minute))
            .await
            .unwrap();
        g.tokens.insert(email.to_owned(), token);
    }
    // Passphrase resets: one used, one left to expire.
    let (officer, _) = g
        .store
        .user_credentials(TEES_OFFICER)
        .await
        .unwrap()
        .unwrap();
    // The code would go to the user by email; only its digest is stored.
    let (_code, digest) = new_secret("");
    g.store
        .create_password_reset(officer.id, &digest, at(day, 11, 0), &change(50))
        .await
        .unwrap();
    let (_, digest) = new_secret("");
    g.store
        .create_password_reset(officer.id, &digest, at(day, 10, 55), &change(51))
        .await
        .unwrap();
    let used = g
        .store
        .use_password_reset(&digest, &hash_passphrase(TEES_PASSPHRASE), &change(52))
        .await
        .unwrap();
    assert_eq!(used, Some(officer.id));

    // Sessions, through the sign-in form; a failed sign-in; a sign-out.
    let demo_passphrase = accord::demo::DEMO_PASSPHRASE;
    for email in [ADMIN, HWF_PROGRAMME, HWF_BOARD] {
        g.sign_in(email, demo_passphrase).await;
    }
    g.sign_in(TEES_PROGRAMME, TEES_PASSPHRASE).await;
    let mut wrong = Client::new(g.router());
    let response = wrong.sign_in(HWF_OFFICER, "not the passphrase").await;
    g.tally(
        "failed sign in",
        &response,
        response.status.is_client_error(),
    );
    let mut leaving = Client::new(g.router());
    leaving.sign_in(HWF_FINANCE, demo_passphrase).await;
    let response = leaving.post_form("/sign-out", &[]).await;
    g.tally(
        "sign out",
        &response,
        response.status == StatusCode::SEE_OTHER,
    );
}

// ----- partnerships and MOUs -----

async fn partnerships(g: &mut Gen, tees: i64) {
    g.on(d(2012, 3, 1));
    g.api(
        "partnership update",
        ADMIN,
        Method::PATCH,
        &format!("/api/v1/partnerships/{tees}"),
        &json!({"summary": "Hartlepool, Darlington and Redcar and Cleveland share back-office and regulatory services across the Tees Valley.", "reason": "summary agreed by the chief executives"}),
    )
    .await;
    g.api(
        "mou save",
        ADMIN,
        Method::PUT,
        &format!("/api/v1/partnerships/{tees}/mou"),
        &json!({
            "agreed": "2012-02-20",
            "signed": "2012-03-01",
            "commencement": "2012-04-01",
            "end": {"kind": "date", "date": "2015-03-31"},
            "legally_binding": false,
            "preferred_partner": true,
            "principles": "Each council offers the others first any service it means to share, buy or sell.",
            "values": [
                {"name": "Openness", "description": "Share information early and fully."},
                {"name": "Fairness", "description": "Costs and savings follow the benefit each council gets."}
            ],
            "quarterly_review_by": "the Programme Board",
            "annual_review_by": "the Senior Stakeholder Board",
            "cost_sharing": "In proportion to population unless the Programme Board agrees otherwise.",
            "reason": "signed by the three leaders"
        }),
    )
    .await;
    g.on(d(2013, 2, 1));
    g.post(
        "mou event",
        ADMIN,
        &format!("/api/v1/partnerships/{tees}/mou/events"),
        &json!({"kind": "variation", "agreed_on": "2013-01-28", "description": "Procurement added to the shared services."}),
    )
    .await;
    g.post(
        "mou event",
        ADMIN,
        &format!("/api/v1/partnerships/{tees}/mou/events"),
        &json!({"kind": "extension", "agreed_on": "2013-01-28", "new_end": "2016-03-31"}),
    )
    .await;
    g.on(tees_day(0));
}

/// Further partnerships of the demo's councils, each with its boards: spread the records of
/// every kind over more than the two busy partnerships.
async fn more_partnerships(g: &mut Gen) -> Vec<i64> {
    g.on(d(2012, 6, 1));
    let mut ids = Vec::new();
    for n in 0..32usize {
        let size = 2 + (n % 2);
        let mut members: Vec<&str> = Vec::new();
        let mut k = n;
        while members.len() < size {
            let c = COUNCILS[k % COUNCILS.len()];
            if !members.contains(&c) {
                members.push(c);
            }
            k += 5;
        }
        let name = format!("Shared services partnership {:02}", n + 1);
        let body = json!({
            "name": name,
            "summary": format!("Generated partnership {} of {} councils.", n + 1, size),
            "members": members.iter().map(|m| json!({"gss": m, "joined": "2012-05-01"})).collect::<Vec<_>>(),
            "reason": "fixture partnership"
        });
        let created = g
            .post("partnership create", ADMIN, "/api/v1/partnerships", &body)
            .await;
        let Some(id) = id_of(&created) else { continue };
        ids.push(id);
        g.form(
            "boards create",
            ADMIN,
            &format!("/partnerships/{id}/boards"),
            &[],
        )
        .await;
        if n % 4 == 0 {
            g.api(
                "member update",
                ADMIN,
                Method::PATCH,
                &format!("/api/v1/partnerships/{id}/members/{}", members[0]),
                &json!({"joined": "2012-05-14", "reason": "the date the agreement was signed"}),
            )
            .await;
        }
    }
    ids
}

// ----- the service catalogue and the gateway -----

async fn services(g: &mut Gen) {
    g.on(d(2011, 7, 22));
    let areas = [
        "Revenues",
        "Benefits",
        "Payroll",
        "Pensions",
        "Fleet",
        "Parking",
        "Libraries",
        "Museums",
        "Archives",
        "Registration",
        "Coroner",
        "Licensing",
        "Pest Control",
        "Street Lighting",
    ];
    let functions = [
        "Administration",
        "Support",
        "Operations",
        "Enforcement",
        "Advice",
    ];
    let categories = [
        "back-office",
        "customer-services",
        "regulatory",
        "environment-transport-waste",
        "childrens",
        "adults",
        "legal",
        "procurement",
        "management",
    ];
    let mut added = Vec::new();
    for (i, (a, f)) in areas
        .iter()
        .flat_map(|a| functions.iter().map(move |f| (a, f)))
        .take(70)
        .enumerate()
    {
        let created = g
            .post(
                "service add",
                ADMIN,
                "/api/v1/services",
                &json!({"name": format!("{a} {f}"), "category": categories[i % categories.len()]}),
            )
            .await;
        if let Some(id) = id_of(&created) {
            added.push((id, format!("{a} {f}")));
        }
    }
    for (i, (id, name)) in added.iter().enumerate().step_by(6) {
        g.api(
            "service update",
            ADMIN,
            Method::PUT,
            &format!("/api/v1/services/{id}"),
            &json!({"name": format!("{name} (joint)"), "category": categories[(i + 3) % categories.len()]}),
        )
        .await;
    }
}

fn criteria_body(g: &mut Gen, note: &str) -> Value {
    let criteria: Vec<Value> = CriteriaSet::default()
        .criteria
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "weight": 1 + g.rng.below(4),
                "critical": c.critical,
            })
        })
        .collect();
    let threshold = [0.6, 0.65, 0.7, 0.75][g.rng.below(4) as usize];
    let max_ambers = if g.rng.chance(50) {
        Value::Null
    } else {
        json!(2 + g.rng.below(3))
    };
    json!({"criteria": criteria, "rule": {"threshold": threshold, "max_ambers": max_ambers}, "note": note})
}

async fn criteria(g: &mut Gen, hwf: i64, tees: i64, extra: &[i64]) {
    for (n, day) in [d(2011, 9, 1), d(2012, 1, 9), d(2012, 6, 4)]
        .into_iter()
        .enumerate()
    {
        g.on(day);
        let body = criteria_body(
            g,
            &format!("revision {} agreed by the Programme Board", n + 1),
        );
        g.post(
            "criteria revise",
            HWF_PROGRAMME,
            &format!("/api/v1/partnerships/{hwf}/criteria"),
            &body,
        )
        .await;
    }
    for (n, day) in [d(2012, 4, 10), d(2012, 9, 3), d(2013, 1, 7)]
        .into_iter()
        .enumerate()
    {
        g.on(day);
        let body = criteria_body(g, &format!("Tees Valley revision {}", n + 1));
        g.post(
            "criteria revise",
            TEES_PROGRAMME,
            &format!("/api/v1/partnerships/{tees}/criteria"),
            &body,
        )
        .await;
    }
    for id in extra {
        for n in 0..3i64 {
            g.on(d(2012, 6, 5) + Duration::days(7 * n));
            let body = criteria_body(g, "agreed at the first meetings");
            g.post(
                "criteria revise",
                ADMIN,
                &format!("/api/v1/partnerships/{id}/criteria"),
                &body,
            )
            .await;
        }
    }
}

// ----- opportunities and the gateway's ratings -----

fn ratings(g: &mut Gen, councils: &[&str], greens: u64) -> Vec<Value> {
    let mut out = Vec::new();
    for council in councils {
        for c in CriteriaSet::default().criteria {
            let roll = g.rng.below(100);
            let letter = if roll < greens {
                "G"
            } else if roll < greens + (100 - greens) * 2 / 3 {
                "A"
            } else {
                "R"
            };
            out.push(json!({
                "council": council,
                "criterion": c.name,
                "rating": letter,
                "rationale": format!("{council} rates {} {letter} after its options appraisal", c.name),
            }));
        }
    }
    out
}

async fn opportunities(
    g: &mut Gen,
    pid: i64,
    councils: &[&str],
    programme: &str,
    start: NaiveDate,
) {
    g.on(start);
    let services = g
        .api(
            "services list",
            programme,
            Method::GET,
            "/api/v1/services",
            &Value::Null,
        )
        .await
        .unwrap_or_default();
    let services: Vec<i64> = services
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["id"].as_i64()).collect())
        .unwrap_or_default();
    let base = format!("/api/v1/partnerships/{pid}/opportunities");
    let classes = ["partnership", "council", "published", "partnership"];
    for i in 0..40usize {
        let day = start + Duration::days(i as i64);
        g.on(day);
        let service = services[(i * 7 + pid as usize) % services.len()];
        let originating = councils[i % councils.len()];
        let created = g
            .post(
                "opportunity create",
                programme,
                &base,
                &json!({
                    "service_id": service,
                    "scope": format!("A shared service for opportunity {} of the programme", i + 1),
                    "originating": originating,
                    "phase": 1 + (i % 3),
                    "wave": 1 + (i % 4),
                    "size": if i % 3 == 0 { "large" } else { "small" },
                    "classification": classes[i % classes.len()],
                }),
            )
            .await;
        let Some(id) = id_of(&created) else { continue };
        let one = format!("{base}/{id}");
        if i % 5 == 4 {
            g.api("opportunity update", programme, Method::PATCH, &one, &json!({"scope": format!("A shared service for opportunity {} (scope narrowed)", i + 1), "reason": "scope narrowed"})).await;
            continue;
        }
        g.post(
            "opportunity offer",
            programme,
            &format!("{one}/offer"),
            &json!({"on": iso(day)}),
        )
        .await;
        let answer = if i % 7 == 3 { "not-ready" } else { "accept" };
        for partner in councils.iter().filter(|c| **c != originating) {
            g.post(
                "opportunity respond",
                programme,
                &format!("{one}/responses"),
                &json!({"partner": partner, "kind": answer, "on": iso(day), "note": "cabinet member briefed"}),
            )
            .await;
        }
        if answer != "accept" {
            g.post("opportunity status", programme, &format!("{one}/status"), &json!({"to": "deferred", "re_evaluate": iso(day + Duration::days(180)), "reason": "partner not ready", "on": iso(day)})).await;
            continue;
        }
        g.post(
            "opportunity status",
            programme,
            &format!("{one}/status"),
            &json!({"to": "assessing", "reason": "all partners ready", "on": iso(day)}),
        )
        .await;
        if i % 5 == 3 {
            continue;
        }
        let greens = [95, 80, 60, 40][i % 4];
        let class = ["partnership", "council", "published"][i % 3];
        let body = json!({"ratings": ratings(g, councils, greens), "classification": class});
        let rated = g
            .api(
                "opportunity rate",
                programme,
                Method::PUT,
                &format!("{one}/assessment"),
                &body,
            )
            .await;
        let outcome = rated
            .as_ref()
            .and_then(|r| r["report"]["outcome"].as_str().map(str::to_owned))
            .unwrap_or_default();
        if i % 6 == 1 {
            // Ratings revised after a second look: the assessment records change.
            let body = json!({"ratings": ratings(g, councils, 90), "classification": class});
            g.api(
                "opportunity rate again",
                programme,
                Method::PUT,
                &format!("{one}/assessment"),
                &body,
            )
            .await;
            continue;
        }
        let to = match outcome.as_str() {
            "pass" => "passed",
            "pass-with-conditions" => "passed-with-conditions",
            _ => "not-pursued",
        };
        g.post(
            "opportunity status",
            programme,
            &format!("{one}/status"),
            &json!({"to": to, "reason": "gateway result", "on": iso(day)}),
        )
        .await;
    }
}

// ----- projects, highlight reports, the RAID log -----

async fn projects(
    g: &mut Gen,
    pid: i64,
    councils: &[&str],
    programme: &str,
    start: NaiveDate,
) -> Vec<i64> {
    let base = format!("/api/v1/partnerships/{pid}/projects");
    let mut ids = Vec::new();
    for i in 0..44usize {
        let day = start + Duration::days(i as i64 * 3);
        g.on(day);
        let project_start = day - Duration::days(30 * (i as i64 % 7));
        let created = g
            .post(
                "project create",
                programme,
                &base,
                &json!({
                    "name": format!("Shared project {:02}", i + 1),
                    "size": if i % 4 == 0 { "large" } else { "small" },
                    "start": iso(project_start),
                    "tolerance_days": 14 + (i % 3) * 14,
                    "classification": (["partnership", "published"][i % 2]),
                }),
            )
            .await;
        let Some(id) = id_of(&created) else { continue };
        ids.push(id);
        let one = format!("{base}/{id}");
        let phase_start = project_start + Duration::days(60);
        g.post(
            "project phase",
            programme,
            &format!("{one}/phases"),
            &json!({"name": "Phase 1: joint management", "description": "One head of service for both councils.", "start": {"baseline": iso(phase_start), "precision": "month"}}),
        )
        .await;
        let due = project_start + Duration::days(90 + 10 * (i as i64 % 5));
        g.post(
            "project milestone",
            programme,
            &format!("{one}/milestones"),
            &json!({"name": format!("Joint service live ({})", i + 1), "due": {"baseline": iso(due)}, "phase": 1}),
        )
        .await;
        if i % 3 != 2 {
            // Forecasts that slip beyond tolerance are escalated to the Programme Board.
            let slip = if i % 3 == 0 { 120 } else { 10 };
            g.post(
                "project dates",
                programme,
                &format!("{one}/dates"),
                &json!({"item": "milestone-1", "forecast": iso(due + Duration::days(slip))}),
            )
            .await;
            g.post(
                "project dates",
                programme,
                &format!("{one}/dates"),
                &json!({"item": "phase-1", "forecast": iso(phase_start + Duration::days(slip))}),
            )
            .await;
        }
        if i % 4 == 1 {
            for council in councils {
                g.post(
                    "project approval",
                    programme,
                    &format!("{one}/cabinet-approvals"),
                    &json!({"stage": "define-strategy", "council": council, "approved_on": iso(day)}),
                )
                .await;
            }
        }
    }
    ids
}

fn highlight_draft(g: &mut Gen, start: NaiveDate, class: &str) -> Value {
    let rag = ["green", "amber", "red"];
    let confidence = ["green", "amber-green", "amber", "amber-red", "red"];
    json!({
        "period_start": iso(start),
        "period_end": iso(start + Duration::days(27)),
        "confidence": *g.rng.pick(&confidence),
        "time": *g.rng.pick(&rag),
        "cost": *g.rng.pick(&rag),
        "scope": *g.rng.pick(&rag),
        "benefits": *g.rng.pick(&rag),
        "narrative": format!("Work in the four weeks from {start}: the joint team met weekly."),
        "next_steps": ["Agree the staffing structure", "Brief both Cabinets"],
        "escalations": if g.rng.chance(30) { vec!["The systems contract ends before the go-live date"] } else { vec![] },
        "author": "Project manager",
        "classification": class,
    })
}

async fn highlights(g: &mut Gen, pid: i64, projects: &[i64], programme: &str, start: NaiveDate) {
    for (i, project) in projects.iter().enumerate() {
        let day = start + Duration::days(i as i64);
        g.on(day + Duration::days(30));
        let reports = 1 + (i % 3);
        for r in 0..reports {
            let period = day - Duration::days(28 * (reports - r) as i64);
            let class = ["partnership", "published"][(i + r) % 2];
            let body = highlight_draft(g, period, class);
            let created = g
                .post(
                    "highlight start",
                    programme,
                    &format!("/api/v1/partnerships/{pid}/projects/{project}/highlight-reports"),
                    &body,
                )
                .await;
            let Some(id) = id_of(&created) else { continue };
            let path = format!("/api/v1/partnerships/{pid}/highlight-reports/{id}");
            if (i + r) % 4 != 3 {
                let body = highlight_draft(g, period, class);
                g.api(
                    "highlight edit",
                    programme,
                    Method::PUT,
                    &format!("{path}/draft"),
                    &body,
                )
                .await;
            }
            if (i + r) % 3 != 2 {
                g.post(
                    "highlight publish",
                    programme,
                    &format!("{path}/versions"),
                    &json!({}),
                )
                .await;
                if (i + r) % 5 == 0 {
                    // Corrected and published again: version 2.
                    let body = highlight_draft(g, period, class);
                    g.api(
                        "highlight edit",
                        programme,
                        Method::PUT,
                        &format!("{path}/draft"),
                        &body,
                    )
                    .await;
                    g.post(
                        "highlight publish",
                        programme,
                        &format!("{path}/versions"),
                        &json!({}),
                    )
                    .await;
                }
            }
        }
    }
}

async fn raid(g: &mut Gen, pid: i64, projects: &[i64], programme: &str, start: NaiveDate) {
    let base = format!("/api/v1/partnerships/{pid}/raid");
    let boards = ["projects", "programme", "senior-stakeholder"];
    let mut raised = Vec::new();
    for i in 0..52usize {
        let day = start + Duration::days(i as i64 * 2);
        g.on(day);
        let detail = match i % 4 {
            0 => {
                let inherent = (2 + g.rng.below(4), 2 + g.rng.below(4));
                json!({"kind": "risk", "inherent": {"impact": inherent.0, "probability": inherent.1}, "residual": {"impact": inherent.0 - 1, "probability": inherent.1 - 1}, "mitigations": ["Joint procurement of one system"], "proximity": iso(day + Duration::days(90))})
            }
            1 => {
                json!({"kind": "issue", "severity": 1 + g.rng.below(5), "resolve_by": iso(day + Duration::days(30))})
            }
            2 => json!({"kind": "assumption", "validate_by": iso(day + Duration::days(60))}),
            _ => {
                // Each dependency points at an earlier project: never a cycle.
                let k = (i / 4) % (projects.len() - 1);
                json!({"kind": "dependency", "from_project": projects[k + 1], "to_project": projects[k], "needed_by": iso(day + Duration::days(45))})
            }
        };
        let body = json!({
            "title": format!("RAID item {} of the programme", i + 1),
            "description": "Raised at the weekly programme meeting.",
            "owner": (["Programme Director", "Head of HR", "Head of ICT", "Finance Lead"][i % 4]),
            "raised_on": iso(day),
            "board": boards[i % 2],
            "project": if i % 4 == 3 { Value::Null } else { json!(projects[i % projects.len()]) },
            "classification": (["partnership", "published"][i % 2]),
            "detail": detail,
        });
        let created = g.post("raid raise", programme, &base, &body).await;
        let Some(id) = id_of(&created) else { continue };
        raised.push(id);
        if i % 5 == 1 {
            g.post(
                "raid escalate",
                programme,
                &format!("{base}/{id}/escalations"),
                &json!({"reason": "needs a decision above the board"}),
            )
            .await;
        }
    }
    for (n, id) in raised.iter().enumerate().filter(|(n, _)| n % 6 == 2) {
        g.on(start + Duration::days(120 + n as i64));
        g.form(
            "raid close",
            programme,
            &format!("/partnerships/{pid}/raid/{id}/close"),
            &[("resolution", "Resolved by the joint team".to_owned())],
        )
        .await;
    }
}

// ----- boards, decisions and papers -----

async fn governance(
    g: &mut Gen,
    pid: i64,
    councils: &[&str],
    programme: &str,
    board_member: &str,
    start: NaiveDate,
) {
    g.on(start);
    // Tees Valley's boards are set up by its programme team (the demo has Haringey's).
    g.form(
        "boards create",
        programme,
        &format!("/partnerships/{pid}/boards"),
        &[],
    )
    .await;
    let boards = g
        .api(
            "boards list",
            programme,
            Method::GET,
            &format!("/api/v1/partnerships/{pid}/boards"),
            &Value::Null,
        )
        .await
        .unwrap_or_default();
    let boards: Vec<i64> = boards
        .as_array()
        .map(|a| a.iter().filter_map(|b| b["id"].as_i64()).collect())
        .unwrap_or_default();
    for (b, board) in boards.iter().enumerate() {
        g.post(
            "board schedule",
            programme,
            &format!("/api/v1/partnerships/{pid}/boards/{board}/schedule"),
            &json!({"cadence": (["monthly", "fortnightly", "monthly"][b % 3]), "first": iso(start + Duration::days(7)), "until": iso(start + Duration::days(220))}),
        )
        .await;
    }
    let mut pending: Vec<(i64, i64, u32)> = Vec::new(); // (board, decision record, number)
    for i in 0..54usize {
        let board = boards[i % boards.len()];
        let day = start + Duration::days(8 + i as i64 * 3);
        g.on(day);
        let key = i % 3 == 0;
        let who = if i % 2 == 0 { board_member } else { programme };
        let decided = g
            .post(
                "decision record",
                who,
                &format!("/api/v1/partnerships/{pid}/boards/{board}/decisions"),
                &json!({
                    "taken_on": iso(day),
                    "title": format!("Decision {} of the board", i + 1),
                    "text": "The board agreed the recommendation in the paper.",
                    "key": key,
                    "classification": (["partnership", "published"][i % 2]),
                }),
            )
            .await;
        let Some(id) = id_of(&decided) else { continue };
        let number = g.body(id).await["number"].as_u64().unwrap_or(0) as u32;
        // Papers: embargoed until the decision, until a date, or not at all.
        let meeting = 1 + (i as u32 % 4);
        let papers = format!("/api/v1/partnerships/{pid}/boards/{board}/papers");
        let mut paper = json!({
            "meeting": meeting,
            "title": format!("Paper for decision {}", i + 1),
            "author": "Head of Shared Services",
            "summary": "Options, costs and the recommendation.",
            "informs": number,
            "release_to": (["partnership", "published"][i % 2]),
        });
        if key && matches!((i / 3) % 8, 3 | 5) {
            paper["release_on"] = json!(iso(day + Duration::days(200)));
        }
        g.post("paper file", programme, &papers, &paper).await;
        if i % 4 == 1 {
            g.post(
                "paper file",
                programme,
                &papers,
                &json!({"meeting": meeting, "title": format!("Briefing note {}", i + 1), "author": "Programme Director", "release_on": iso(day + Duration::days(10 + i as i64)), "release_to": "published"}),
            )
            .await;
        }
        if i % 9 == 5 {
            // Embargoed until a date years ahead.
            g.post(
                "paper file",
                programme,
                &papers,
                &json!({"meeting": meeting, "title": format!("Long-term estates strategy {}", i + 1), "author": "Head of Property", "release_on": "2031-04-01", "release_to": "partnership"}),
            )
            .await;
        }
        if key {
            pending.push((board, id, number));
        }
    }
    // Cabinets approve most key decisions: the last approval makes the decision and releases
    // its papers in the same transaction. A few wait for one Cabinet.
    for (n, (_, decision, _)) in pending.iter().enumerate() {
        let day = start + Duration::days(200 + n as i64);
        g.on(day);
        let needed = if n % 4 == 3 {
            councils.len() - 1
        } else {
            councils.len()
        };
        for council in councils.iter().take(needed) {
            g.post(
                "decision approval",
                programme,
                &format!("/api/v1/partnerships/{pid}/decisions/{decision}/cabinet-approvals"),
                &json!({"council": council, "approved_on": iso(day)}),
            )
            .await;
        }
    }
    // A paper released by hand before its date.
    g.on(start + Duration::days(230));
    let papers: Vec<i64> = g
        .store
        .records(
            &accord_store::RecordQuery::of("paper", pid),
            &everything(),
            g.day,
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|r| {
            r.meta.effective_classification(g.day)
                == accord_domain::access::Classification::Embargoed
                && r.meta
                    .embargo
                    .as_ref()
                    .is_some_and(|e| e.decision_id.is_none())
        })
        .map(|r| r.id)
        .take(3)
        .collect();
    for paper in papers {
        g.form(
            "paper release",
            programme,
            &format!("/partnerships/{pid}/papers/{paper}/release"),
            &[],
        )
        .await;
    }
}

async fn progress_reports(g: &mut Gen, hwf: i64, tees: i64, extra: &[i64]) {
    for n in 0..6i64 {
        g.on(hwf_day(30 + n * 50));
        let class = if n % 3 == 0 {
            "partnership"
        } else {
            "published"
        };
        g.post(
            "progress publish",
            HWF_PROGRAMME,
            &format!("/api/v1/partnerships/{hwf}/progress-reports"),
            &json!({"classification": class}),
        )
        .await;
        g.on(tees_day(30 + n * 50));
        g.post(
            "progress publish",
            TEES_PROGRAMME,
            &format!("/api/v1/partnerships/{tees}/progress-reports"),
            &json!({"classification": class}),
        )
        .await;
    }
    for (n, id) in extra.iter().enumerate() {
        for k in 0..3i64 {
            g.on(d(2012, 7, 2) + Duration::days(n as i64 + 91 * k));
            let class = if k == 1 {
                json!({"classification": "partnership"})
            } else {
                json!({})
            };
            g.post(
                "progress publish",
                ADMIN,
                &format!("/api/v1/partnerships/{id}/progress-reports"),
                &class,
            )
            .await;
        }
    }
}

// ----- finance -----

fn case_body(g: &mut Gen, name: &str, councils: &[&str]) -> Value {
    let cost = 50_000 + 10_000 * g.rng.below(30);
    let saving = 20_000 + 5_000 * g.rng.below(40);
    json!({
        "name": name,
        "councils": councils,
        "base_year": (["2011/12", "2012/13"][g.rng.below(2) as usize]),
        "appraisal_years": 5 + g.rng.below(6),
        "options": [
            {"name": "Status quo", "status_quo": true},
            {"name": "Share the service",
             "costs": [{"name": "Implementation", "kind": "one_off", "amount": cost}],
             "savings": [{"name": "Staffing", "kind": "recurring", "amount": {"low": saving / 2, "most_likely": saving, "high": saving * 3 / 2}}]}
        ],
        "monte_carlo": {"iterations": 500, "seed": g.rng.below(1000)}
    })
}

async fn finance(
    g: &mut Gen,
    pid: i64,
    councils: &[&str],
    finance_user: &str,
    programme: &str,
    start: NaiveDate,
) {
    let visibilities = ["partnership", "council", "published"];
    // Business cases.
    let base = format!("/api/v1/partnerships/{pid}/business-cases");
    let mut cases = Vec::new();
    for i in 0..56usize {
        g.on(start + Duration::days(i as i64));
        let body = json!({"case": case_body(g, &format!("Business case {:02}", i + 1), councils), "visibility": visibilities[i % 3], "savings_stated": "as in the outline case", "source": "Generated for the fixture"});
        if let Some(id) = id_of(
            &g.post("business case create", finance_user, &base, &body)
                .await,
        ) {
            cases.push((id, i));
        }
    }
    for (id, i) in cases.iter().filter(|(_, i)| i % 4 == 1) {
        let body = json!({"case": case_body(g, &format!("Business case {:02} (revised)", i + 1), councils), "visibility": visibilities[i % 3], "version": 1});
        g.api(
            "business case replace",
            finance_user,
            Method::PUT,
            &format!("{base}/{id}"),
            &body,
        )
        .await;
    }
    for (id, _) in cases.iter().filter(|(_, i)| i % 9 == 4) {
        let version = g.version(*id).await;
        g.api(
            "business case delete",
            finance_user,
            Method::DELETE,
            &format!("{base}/{id}?version={version}"),
            &Value::Null,
        )
        .await;
    }
    // Allocations.
    let base = format!("/api/v1/partnerships/{pid}/allocations");
    let mut allocations = Vec::new();
    for i in 0..56usize {
        g.on(start + Duration::days(60 + i as i64));
        let standalone: serde_json::Map<String, Value> = councils
            .iter()
            .map(|c| ((*c).to_owned(), json!(500_000 + 50_000 * g.rng.below(40))))
            .collect();
        let body = json!({
            "title": format!("Running costs split {:02}", i + 1),
            "councils": councils,
            "model": {"standalone": standalone, "shared_fixed_cost": 100_000 + 10_000 * g.rng.below(20), "economies_of_scale": 0.1 + 0.05 * g.rng.below(5) as f64, "incompatibility": []},
            "driver": "population",
            "illustrative": "Illustrative costs for the fixture.",
            "visibility": visibilities[(i + 1) % 3],
        });
        // The programme team keeps shared records; a council's draft is its finance officer's.
        let who = if i % 3 == 0 && visibilities[(i + 1) % 3] != "council" {
            programme
        } else {
            finance_user
        };
        if let Some(id) = id_of(&g.post("allocation create", who, &base, &body).await) {
            allocations.push((id, body));
        }
    }
    for (n, (id, body)) in allocations.iter().enumerate().filter(|(n, _)| n % 4 == 2) {
        let mut body = body.clone();
        body["title"] = json!(format!("Running costs split, revised ({n})"));
        body["model"]["shared_fixed_cost"] = json!(250_000);
        body["version"] = json!(1);
        let who = finance_user;
        g.api(
            "allocation replace",
            who,
            Method::PUT,
            &format!("{base}/{id}"),
            &body,
        )
        .await;
    }
    for (_, (id, _)) in allocations.iter().enumerate().filter(|(n, _)| n % 10 == 7) {
        let version = g.version(*id).await;
        g.api(
            "allocation delete",
            finance_user,
            Method::DELETE,
            &format!("{base}/{id}?version={version}"),
            &Value::Null,
        )
        .await;
    }
    // Savings ledger lines.
    let base = format!("/api/v1/partnerships/{pid}/savings");
    let mut savings = Vec::new();
    for i in 0..56usize {
        g.on(start + Duration::days(120 + i as i64));
        let target = 10_000 + 5_000 * g.rng.below(30) as i64;
        let saving = json!({
            "project": format!("Shared project {:02}", 1 + i % 20),
            "council": councils[i % councils.len()],
            "financial_year": (["2011/12", "2012/13", "2013/14"][i % 3]),
            "target": target * 100,
            "forecast": target * 100 - 100_000 * (i as i64 % 3),
            "cashable": i % 5 != 0,
            "recurrence": if i % 4 == 0 { "one_off" } else { "recurring" },
            "in_mtfs": i % 2 == 0,
        });
        let body = json!({"saving": saving, "visibility": visibilities[i % 3]});
        if let Some(id) = id_of(&g.post("saving create", finance_user, &base, &body).await) {
            savings.push((id, body));
        }
    }
    for (_, (id, body)) in savings.iter().enumerate().filter(|(n, _)| n % 4 == 3) {
        let mut body = body.clone();
        body["saving"]["forecast"] = json!(0);
        body["version"] = json!(1);
        g.api(
            "saving replace",
            finance_user,
            Method::PUT,
            &format!("{base}/{id}"),
            &body,
        )
        .await;
    }
    for (id, _) in savings
        .iter()
        .enumerate()
        .filter(|(n, _)| n % 11 == 5)
        .map(|(_, s)| s)
    {
        let version = g.version(*id).await;
        g.api(
            "saving delete",
            finance_user,
            Method::DELETE,
            &format!("{base}/{id}?version={version}"),
            &Value::Null,
        )
        .await;
    }
    // A ledger file: lines imported together, replacing any of the same project, council and
    // year.
    g.on(start + Duration::days(178));
    let csv = format!(
        "project,council,financial_year,target,forecast,cashable,recurrence,in_mtfs\n\
         Imported project A,{c0},2012/13,£150000,£140000,yes,recurring,yes\n\
         Imported project A,{c1},2012/13,£90000,£90000,yes,recurring,no\n\
         Imported project B,{c0},2013/14,£40000,,no,one_off,no\n",
        c0 = councils[0],
        c1 = councils[1]
    );
    let token = g.tokens[finance_user].clone();
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri(format!("{base}/import?visibility=partnership"))
        .header(axum::http::header::CONTENT_TYPE, "text/csv")
        .body(axum::body::Body::from(csv))
        .unwrap();
    let response = Client::new(g.router())
        .with_token(&token)
        .send(request)
        .await;
    let ok = response.status.is_success();
    g.tally("saving import", &response, ok);
    // Grants.
    let base = format!("/api/v1/partnerships/{pid}/grants");
    let mut grants = Vec::new();
    for i in 0..56usize {
        g.on(start + Duration::days(180 + i as i64));
        let awarded = (20_000 + 10_000 * g.rng.below(20) as i64) * 100;
        let grant = json!({
            "name": format!("Transformation grant {:02}", i + 1),
            "funder": (["Capital Ambition", "Local Government Association", "Improvement and Efficiency partnership"][i % 3]),
            "purpose": "Funding to set up the shared service.",
            "tranches": [
                {"financial_year": "2011/12", "awarded": awarded, "condition_status": "none"},
                {"financial_year": "2012/13", "awarded": awarded / 2, "condition": "subject to satisfactory progress", "condition_status": "pending"}
            ],
            "source": "Generated for the fixture"
        });
        let body = json!({"grant": grant, "visibility": visibilities[(i + 2) % 3]});
        if let Some(id) = id_of(&g.post("grant create", finance_user, &base, &body).await) {
            grants.push((id, body));
        }
    }
    for (_, (id, body)) in grants.iter().enumerate().filter(|(n, _)| n % 4 == 0) {
        let mut body = body.clone();
        body["grant"]["tranches"][1]["condition_status"] = json!("met");
        body["version"] = json!(1);
        g.api(
            "grant replace",
            finance_user,
            Method::PUT,
            &format!("{base}/{id}"),
            &body,
        )
        .await;
    }
    for (id, _) in grants
        .iter()
        .enumerate()
        .filter(|(n, _)| n % 12 == 6)
        .map(|(_, s)| s)
    {
        let version = g.version(*id).await;
        g.api(
            "grant delete",
            finance_user,
            Method::DELETE,
            &format!("{base}/{id}?version={version}"),
            &Value::Null,
        )
        .await;
    }
}

// ----- information requests -----

async fn requests(g: &mut Gen, pid: i64, leads: &[(&str, &str)], start: NaiveDate) {
    let base = format!("/api/v1/partnerships/{pid}/requests");
    let regimes = ["foi", "foi", "eir", "sar", "foi", "eir", "foi", "foi"];
    let councils: Vec<&str> = leads.iter().map(|(_, c)| *c).collect();
    for i in 0..80usize {
        let received = start + Duration::days(i as i64 * 2);
        let (lead_user, lead) = leads[i % leads.len()];
        g.on(received);
        let created = g
            .post(
                "request create",
                lead_user,
                &base,
                &json!({
                    "received_by": lead,
                    "channel": (["email", "post", "web_form", "phone"][i % 4]),
                    "received_at": format!("{}T{:02}:15:00", iso(received), 9 + i % 8),
                    "regime": regimes[i % regimes.len()],
                    "summary": format!("Costs and contracts of the shared service, question {}", i + 1),
                    "requester": {"name": format!("Requester {:03}", i + 1), "contact": format!("requester{:03}@example.invalid", i + 1)},
                }),
            )
            .await;
        let Some(rid) = id_of(&created) else { continue };
        let actions = format!("{base}/{rid}/actions");
        let mut day = received + Duration::days(1);
        // Stop at different stages: most requests are answered, some are still open.
        let stop = if i % 10 == 9 {
            2
        } else if i % 20 == 8 {
            4
        } else {
            99
        };
        let mut step = 0;
        let mut act = |body: Value| {
            step += 1;
            (step <= stop, body)
        };
        let discloses: Vec<&str> = if i % 3 == 0 {
            councils.clone()
        } else {
            vec![lead]
        };
        let sensitive = i % 7 == 2;
        let mut plan = vec![
            act(json!({"action": "forward"})),
            act(json!({"action": "acknowledge", "lead": lead})),
            act(json!({"action": "start_drafting"})),
            act(
                json!({"action": "submit_draft", "draft": {"discloses_about": discloses, "sensitive": sensitive}}),
            ),
        ];
        for c in &discloses {
            plan.push(act(json!({"action": "sign_off", "council": c})));
        }
        if sensitive {
            plan.push(act(json!({"action": "send_for_comms"})));
            plan.push(act(json!({"action": "clear_comms"})));
        }
        let outcome = match (i % 8, i % 16) {
            (6, 6) => "withheld_in_full",
            (6, _) => "not_held",
            (1 | 4, _) => "partially_withheld",
            _ => "granted_in_full",
        };
        let response = if outcome == "partially_withheld" {
            json!({"outcome": outcome, "parts": [
                {"description": "Total cost", "outcome": "granted_in_full"},
                {"description": "Supplier rates", "outcome": "withheld_in_full", "exemptions": ["s43"]}
            ]})
        } else if outcome == "withheld_in_full" {
            json!({"outcome": outcome, "parts": [{"description": "The contract", "outcome": "withheld_in_full", "exemptions": ["s43"]}]})
        } else {
            json!({"outcome": outcome})
        };
        plan.push(act(
            json!({"action": "send_response", "response": response}),
        ));
        plan.push(act(json!({"action": "close"})));
        let mut answered = false;
        for (go, mut body) in plan {
            if !go {
                break;
            }
            body["on"] = json!(iso(day));
            let who = match body["action"].as_str() {
                Some("sign_off") => leads
                    .iter()
                    .find(|(_, c)| body["council"] == *c)
                    .map_or(lead_user, |(u, _)| *u),
                _ => lead_user,
            };
            g.on(day);
            let label = format!("request {}", body["action"].as_str().unwrap_or_default());
            if g.post(&label, who, &actions, &body).await.is_some()
                && body["action"] == "send_response"
            {
                answered = true;
            }
            day += Duration::days(1);
        }
        if !answered || i % 10 == 7 {
            continue;
        }
        // Reviews and complaints, each with their own dates.
        day += Duration::days(3);
        g.on(day);
        g.post(
            "request review",
            lead_user,
            &format!("{base}/{rid}/review"),
            &json!({"requested": iso(day)}),
        )
        .await;
        if i % 4 != 3 {
            day += Duration::days(10);
            g.on(day);
            let outcome = ["upheld", "partially_upheld", "overturned"][i % 3];
            g.post(
                "request review decided",
                lead_user,
                &format!("{base}/{rid}/review"),
                &json!({"decided": iso(day), "outcome": outcome}),
            )
            .await;
        }
        day += Duration::days(5);
        g.on(day);
        g.post(
            "request complaint",
            lead_user,
            &format!("{base}/{rid}/complaint"),
            &json!({"lodged": iso(day), "reference": format!("IC-{:04}-{pid}", i + 100)}),
        )
        .await;
        if i % 3 == 1 {
            day += Duration::days(40);
            g.on(day);
            g.post(
                "request complaint notice",
                lead_user,
                &format!("{base}/{rid}/complaint"),
                &json!({"issued": iso(day), "steps_within_days": 35}),
            )
            .await;
        }
    }
}

// ----- the proclaimed holidays -----

async fn holidays(g: &mut Gen) {
    g.on(d(2025, 6, 2));
    let divisions = ["england-and-wales", "scotland", "northern-ireland"];
    let mut added = Vec::new();
    for i in 0..104i64 {
        // Mostly years ahead; a few close enough to move open requests' deadlines.
        let date = if i < 4 {
            d(2025, 6, 10) + Duration::days(i * 7)
        } else {
            d(2030, 1, 8) + Duration::days(i * 47)
        };
        let mut owned = date_fields("date", date);
        owned.push(("title".into(), format!("Proclaimed holiday {}", i + 1)));
        owned.push(("reason".into(), "royal proclamation".into()));
        let mut f = fields(&owned);
        f.push(("divisions", divisions[i as usize % 3].to_owned()));
        if i % 4 == 0 {
            f.push(("divisions", divisions[(i as usize + 1) % 3].to_owned()));
        }
        let location = g.form("holiday add", ADMIN, "/admin/holidays", &f).await;
        if location.is_some() {
            added.push(i);
        }
    }
    let holidays: Vec<i64> = g
        .store
        .records(
            &accord_store::RecordQuery {
                kind: accord_store::holidays::PROCLAIMED_HOLIDAY_KIND.to_owned(),
                ..Default::default()
            },
            &everything(),
            g.day,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    for id in holidays.iter().skip(10).step_by(25) {
        g.form(
            "holiday remove",
            ADMIN,
            &format!("/admin/holidays/{id}/remove"),
            &[],
        )
        .await;
    }
}

/// The server's daily sweep, as `accord serve` runs it: embargoes whose date has come are
/// written down as released.
async fn sweep(g: &mut Gen) {
    // Once only: papers whose dates came later stay stored as embargoed (and read as released
    // from their dates), as they do on an instance whose server was not running.
    for day in [d(2012, 3, 1)] {
        let released = g
            .store
            .release_embargoes(day, &Change::by("accord embargo release"))
            .await
            .unwrap();
        println!("The sweep of {day} released {released} embargoes.");
    }
}
