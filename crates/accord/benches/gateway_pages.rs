//! The gateway's pages on a 200-opportunity programme: the RAG matrix page (target: rendered
//! in under 50 ms server-side), with the ranking page, the CSV export and the JSON matrix for
//! comparison. Two councils rate every one of the eleven default criteria of every
//! opportunity, so every cell of the matrix is filled and every assessment is analysed.
//!
//! The programme is built through the gateway's use cases, as the pages build it; each
//! measurement is the router's whole answer (reading the tables, the gateway's analysis,
//! rendering) for a signed-in programme manager, from request to the last byte of the body.
//!
//! Run with `cargo bench -p accord --bench gateway_pages`. Without `--bench` in its arguments
//! (as `cargo test --all-targets` runs it) it makes one smoke run of a small programme.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use accord_app::gateway::{
    self,
    assessment::Rate,
    opportunities::{self, Answer, RaiseOpportunity, StatusAsk},
};
use accord_app::{App, Caller};
use accord_domain::access::{Classification, Role, RoleAssignment};
use accord_domain::gateway::{CriteriaSet, RatingInput};
use accord_domain::opportunity::NewOpportunity;
use accord_domain::service::Catalogue;
use accord_domain::{GssCode, Member, MemberRole, MemberStatus, Partnership};
use accord_store::credentials::{hash_passphrase, new_secret};
use accord_store::{Change, NewUser, Store};
use accord_testkit::http::get_with;
use accord_web::{AppState, Clock, WebConfig, app};
use chrono::NaiveDate;
use std::time::{Duration, Instant};

const HARINGEY: &str = "E09000014";
const WALTHAM_FOREST: &str = "E09000031";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A small deterministic generator (xorshift64*), so every run measures the same programme.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Builds a programme of `n` opportunities, every one rated by both councils, through the
/// gateway's use cases, and returns the partnership's id, a programme manager's id and session
/// token.
async fn programme(app: &App, store: &dyn Store, n: usize) -> (i64, i64, String) {
    let change = Change::by("benchmark");
    store
        .ensure_authorities(&accord_domain::demo::authorities(), &change)
        .await
        .unwrap();
    let gss = |code: &str| GssCode::parse("gss", code).unwrap();
    let member = |code: &str| Member {
        authority: gss(code),
        role: MemberRole::Partner,
        status: MemberStatus::Active,
        joined: Some(day(2010, 12, 21)),
        left: None,
    };
    let mut partnership = Partnership {
        id: 0,
        name: "Benchmark partnership".to_owned(),
        summary: "A programme for measuring the gateway's pages.".to_owned(),
        source: None,
        members: vec![member(HARINGEY), member(WALTHAM_FOREST)],
    };
    partnership.id = store
        .create_partnership(&partnership, &change)
        .await
        .unwrap();
    let hwf = partnership.id;
    let caller = Caller::system("benchmark");
    let raised_on = app.clone().with_clock(Clock::Fixed(day(2011, 1, 10)));
    let rated_on = app.clone().with_clock(Clock::Fixed(day(2011, 2, 1)));

    let mut services = Vec::new();
    for service in Catalogue::seeded().services {
        let added = gateway::services::add(app, &caller, &service.name, service.category.slug())
            .await
            .unwrap();
        services.push(added.service);
    }
    let version = CriteriaSet::default();

    let mut generator = Generator(0x5EED_0003_0000_0200);
    let letters = ['G', 'G', 'G', 'G', 'G', 'A', 'A', 'R'];
    for i in 0..n {
        let service = &services[i % services.len()];
        let raised = opportunities::raise(
            &raised_on,
            &caller,
            hwf,
            RaiseOpportunity {
                service_id: service.id.to_string(),
                input: NewOpportunity {
                    scope: format!("Opportunity {i}: share the service between the two councils."),
                    originating: HARINGEY.to_owned(),
                    wave: Some(1 + (i % 3) as u32),
                    phase: Some(1 + (i % 3) as u32),
                    size: Some(if i % 2 == 0 { "small" } else { "large" }.to_owned()),
                },
                classification: Classification::Partnership,
                source: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
        let reference = raised.reference();
        opportunities::offer(
            &raised_on,
            &caller,
            hwf,
            &reference,
            None,
            Some(day(2011, 1, 11)),
        )
        .await
        .unwrap();
        opportunities::respond(
            &raised_on,
            &caller,
            hwf,
            &reference,
            None,
            &Answer {
                partner: WALTHAM_FOREST.to_owned(),
                kind: "accept".to_owned(),
                on: Some(day(2011, 1, 12)),
                note: String::new(),
            },
        )
        .await
        .unwrap();
        opportunities::change_status(
            &raised_on,
            &caller,
            hwf,
            &reference,
            None,
            &StatusAsk {
                to: "assessing".to_owned(),
                on: Some(day(2011, 1, 13)),
                ..StatusAsk::default()
            },
        )
        .await
        .unwrap();
        let mut inputs = Vec::new();
        for council in [HARINGEY, WALTHAM_FOREST] {
            for criterion in &version.criteria.criteria {
                let letter = letters[(generator.next() % letters.len() as u64) as usize];
                inputs.push(RatingInput {
                    council: council.to_owned(),
                    criterion: criterion.name.clone(),
                    rating: letter.to_string(),
                    rationale: format!(
                        "{council} rates {} {letter}: a reason of about the length officers write, with a little detail.",
                        criterion.name
                    ),
                    evidence: None,
                });
            }
        }
        gateway::assessment::rate(
            &rated_on,
            &caller,
            hwf,
            &reference,
            &Rate {
                inputs,
                ..Rate::default()
            },
        )
        .await
        .unwrap();
    }

    let user = store
        .create_user(
            &NewUser {
                email: "programme@benchmark.test".to_owned(),
                display_name: "Programme manager".to_owned(),
                home: Some(gss(HARINGEY)),
                passphrase_hash: hash_passphrase("a passphrase for the benchmark"),
                admin: false,
            },
            &change,
        )
        .await
        .unwrap();
    store
        .assign_role(
            user,
            RoleAssignment {
                partnership_id: hwf,
                role: Role::Programme,
            },
            &change,
        )
        .await
        .unwrap();
    let (token, digest) = new_secret("");
    store
        .create_session(
            &digest,
            user,
            chrono::Utc::now() + chrono::Duration::hours(2),
            &change,
        )
        .await
        .unwrap();
    (hwf, user, token)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (n, runs) = if full { (200, 21) } else { (5, 1) };
    let dir = tempfile::tempdir().unwrap();
    let url = accord_store::testing::sqlite_url(dir.path());
    let store = accord_store::connect(&url).await.unwrap();
    let (id, user, token) = programme(&App::new(store.clone()), &*store, n).await;
    let state = AppState::new(
        WebConfig::new("Benchmark"),
        accord_app::App::new(store.clone()),
    )
    .with_clock(Clock::Fixed(day(2011, 7, 21)));
    let router = app(state.clone());
    let cookie = format!("accord_session={token}");
    let pages = [
        ("RAG matrix page", "matrix", Some(50.0)),
        ("ranking page", "ranking", None),
        ("RAG matrix CSV", "matrix.csv", None),
        ("opportunities list page", "", None),
    ];
    for (name, page, target) in pages {
        let path = if page.is_empty() {
            format!("/partnerships/{id}/opportunities")
        } else {
            format!("/partnerships/{id}/opportunities/{page}")
        };
        measure(&router, &cookie, name, &path, n, runs, target).await;
    }
    for (name, path) in [
        (
            "RAG matrix JSON",
            format!("/api/v1/partnerships/{id}/opportunities/matrix"),
        ),
        (
            "opportunities list JSON",
            format!("/api/v1/partnerships/{id}/opportunities"),
        ),
    ] {
        measure(&router, &cookie, name, &path, n, runs, None).await;
    }

    // Of which: reading the tables and the gateway's analysis, without HTTP or rendering.
    let account = store.user(user).await.unwrap().unwrap();
    let caller = Caller::user(account, false);
    gateway::programme(&state.app, &caller, id).await.unwrap();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(gateway::programme(&state.app, &caller, id).await.unwrap());
        times.push(start.elapsed());
    }
    println!(
        "  of which loading and analysing the programme (one read per table, combining, ranking, flips, weight ranges): {:.1} ms (median of {runs})",
        median(times).as_secs_f64() * 1e3
    );
    store.close().await;
}

async fn measure(
    router: &axum::Router,
    cookie: &str,
    name: &str,
    path: &str,
    n: usize,
    runs: usize,
    target: Option<f64>,
) {
    let headers = [("cookie", cookie)];
    // Warm-up, and a check that the page is what is measured.
    let response = get_with(router, path, &headers).await;
    assert_eq!(response.status, 200, "{path}: {}", response.body);
    let bytes = response.body.len();
    let times: Vec<Duration> = {
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let start = Instant::now();
            let response = get_with(router, path, &headers).await;
            times.push(start.elapsed());
            assert_eq!(response.status, 200);
        }
        times
    };
    let fastest = times.iter().min().copied().unwrap_or_default();
    let target = target.map_or(String::new(), |t| format!("; target < {t} ms"));
    println!(
        "{name}, {n} opportunities × 11 criteria × 2 councils: {:.1} ms (median of {runs}, fastest {:.1} ms, {} kB{target})",
        median(times).as_secs_f64() * 1e3,
        fastest.as_secs_f64() * 1e3,
        bytes / 1024,
    );
}
