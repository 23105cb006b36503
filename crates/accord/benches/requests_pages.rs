//! The request pages over a register of 100,000 requests (each with its requester, on SQLite):
//! the statistics (target: under 50 ms server-side), the register's first page and an API page
//! of 100 (with the next one, by its cursor), the caseload, a request page with its working;
//! and the recount of every open request when a holiday is proclaimed.
//!
//! The register spans ten years, about 27 requests a day: those of the last six weeks are
//! open at every stage, 1 in 100 older ones is still open (overdue), the rest are answered.
//!
//! Run with `cargo bench -p accord --bench requests_pages`. Without `--bench` in its arguments
//! (as `cargo test --all-targets` runs it) it does a small smoke run only.

use accord_app::{App, Caller};
use accord_domain::access::{Area, Classification, RecordMeta, Role, RoleAssignment};
use accord_domain::request::{
    Action, Channel, Context, Draft, NewRequest, Outcome, Protocol, Regime, Request, Requester,
    ResponseInput, Stage,
};
use accord_domain::working_days::{Calendars, Division, ProclaimedHoliday};
use accord_domain::{GssCode, Partnership};
use accord_store::credentials::new_secret;
use accord_store::requests::{RequestFilter, RequestPage};
use accord_store::{Change, Store};
use accord_web::{AppState, Clock, WebConfig, app};
use axum::Router;
use axum::body::Body;
use axum::http::{Request as HttpRequest, StatusCode, header};
use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt as _;

/// The day the pages are read on.
const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 7, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// A small deterministic generator, so every run measures the same register.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn gss(code: &str) -> GssCode {
    GssCode::parse("gss", code).expect("a valid code")
}

/// One synthetic request, moved along the workflow as far as its age and luck take it.
fn synthetic(n: usize, rng: &mut Lcg, calendars: &Calendars, protocol: &Protocol) -> Request {
    let councils = vec![gss("E09000014"), gss("E09000031")];
    let days_back = rng.below(3_800);
    let received = TODAY - Days::new(days_back);
    let regime = match rng.below(10) {
        0 => Regime::Eir,
        1 => Regime::Sar,
        _ => Regime::Foi,
    };
    let by = councils[usize::from(rng.below(2) == 1)].clone();
    let input = NewRequest {
        reference: format!("{}-{n:06}", regime.slug().to_uppercase()),
        councils: councils.clone(),
        received_by: by.clone(),
        channel: Channel::Email,
        received_at: NaiveDateTime::new(received, NaiveTime::MIN),
        requester: Requester {
            name: format!("Synthetic requester {n}"),
            contact: format!("requester-{n}@example.invalid"),
        },
        summary: format!("Synthetic request {n} about the shared services programme"),
        regime,
    };
    let calendar = calendars.get(input.calendar_scope());
    let ctx = Context {
        today: TODAY,
        calendar,
        protocol,
    };
    let mut request = Request::receive(input, &ctx).expect("a valid request");
    let step = |d: u64| (received + Days::new(d)).min(TODAY);
    // Open: the last six weeks, and one in a hundred older requests.
    let open = days_back < 42 || rng.below(100) == 0;
    let lead = councils[usize::from(rng.below(2) == 1)].clone();
    let mut actions = vec![
        Action::Forward { on: step(1) },
        Action::Acknowledge {
            on: step(2),
            lead: lead.clone(),
        },
        Action::StartDrafting { on: step(3) },
    ];
    let both = rng.below(2) == 0;
    let draft = Draft {
        discloses_about: if both {
            councils.clone()
        } else {
            vec![lead.clone()]
        },
        sensitive: rng.below(5) == 0,
    };
    let stop = if open { rng.below(7) } else { 7 };
    if stop >= 4 {
        actions.push(Action::SubmitDraft {
            on: step(10),
            draft: draft.clone(),
        });
        if both {
            actions.push(Action::SignOff {
                on: step(11),
                council: councils[0].clone(),
            });
            if stop >= 5 {
                actions.push(Action::SignOff {
                    on: step(12),
                    council: councils[1].clone(),
                });
            }
        }
        if stop >= 6 && draft.sensitive {
            actions.push(Action::SendForComms { on: step(13) });
        }
    }
    if stop == 7 {
        if draft.sensitive {
            actions.push(Action::ClearComms { on: step(14) });
        }
        let outcome = if rng.below(4) == 0 {
            Outcome::NotHeld
        } else {
            Outcome::GrantedInFull
        };
        actions.push(Action::SendResponse {
            on: step(15 + rng.below(20)),
            response: ResponseInput {
                outcome: Some(outcome),
                parts: vec![],
            },
        });
        actions.push(Action::Close { on: step(40) });
    }
    let stop_at = match stop {
        0 => 0,
        1 => 1,
        2 => 2,
        _ => actions.len(),
    };
    for action in actions.iter().take(stop_at) {
        request = request.apply(action, &ctx).expect("a valid step");
    }
    request
}

async fn build(requests: usize) -> (tempfile::TempDir, Arc<dyn Store>, i64, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    // ACCORD_BENCH_DATABASE names a file to build the register in and keep, to study its
    // query plans afterwards; a temporary one otherwise.
    let path = std::env::var_os("ACCORD_BENCH_DATABASE")
        .map_or_else(|| dir.path().join("bench.db"), std::path::PathBuf::from);
    let url = format!("sqlite:{}", path.display());
    let store = accord_store::connect(&url).await.expect("the store opens");
    accord::demo::load(&accord_app::App::new(store.clone()))
        .await
        .expect("the demo loads");
    let pid = store
        .partnership_id_by_name(accord_domain::demo::HWF_NAME)
        .await
        .expect("a query")
        .expect("the demo partnership");
    let partnership: Partnership = store.partnership(pid).await.expect("a query").expect("it");
    let calendars = Calendars::new(
        accord_store::holidays::holiday_table(&*store)
            .await
            .expect("the holiday table"),
    );
    let protocol = Protocol::default();
    let mut rng = Lcg(7);
    let change = Change::by("benchmark");
    // Written as the use cases write them, 20,000 to a transaction.
    let mut tx = store.write().await.expect("a transaction");
    let mut number = tx.last_request_number(pid).await.expect("a number");
    for n in 0..requests {
        let mut request = synthetic(n, &mut rng, &calendars, &protocol);
        let requester = request.take_requester();
        let dates = request
            .due_dates(calendars.get(request.calendar_scope()), &protocol)
            .expect("dates");
        let meta = RecordMeta {
            area: Area::Information,
            partnership_id: Some(partnership.id),
            owner: Some(request.owner().clone()),
            classification: Classification::Partnership,
            embargo: None,
        };
        number += 1;
        let stored = tx
            .insert_request(&meta, number, &request, &dates, &change)
            .await
            .expect("the request is written");
        tx.insert_requester(&stored, &requester, &change)
            .await
            .expect("the requester is written");
        if (n + 1) % 20_000 == 0 {
            tx.commit().await.expect("the batch is written");
            tx = store.write().await.expect("a transaction");
        }
    }
    tx.commit().await.expect("the last batch is written");
    // A session of Waltham Forest's information lead, as signing in makes it.
    let (user, _) = store
        .user_credentials("information@walthamforest.demo.accord.test")
        .await
        .expect("a query")
        .expect("the demo user");
    assert!(user.role_assignments.contains(&RoleAssignment {
        partnership_id: pid,
        role: Role::Information
    }));
    let (session, digest) = new_secret("");
    store
        .create_session(
            &digest,
            user.id,
            chrono::Utc::now() + chrono::Duration::hours(12),
            &Change::by("benchmark"),
        )
        .await
        .expect("a session");
    (dir, store, pid, session)
}

async fn get(router: &Router, path: &str, session: &str) -> (Duration, Vec<u8>) {
    let request = HttpRequest::get(path)
        .header(header::COOKIE, format!("accord_session={session}"))
        .body(Body::empty())
        .expect("a request");
    let start = Instant::now();
    let response = router.clone().oneshot(request).await.expect("an answer");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a body");
    let elapsed = start.elapsed();
    assert_eq!(
        status,
        StatusCode::OK,
        "{path}: {}",
        String::from_utf8_lossy(&body)
    );
    (elapsed, black_box(body.to_vec()))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (requests, runs) = if full { (100_000, 21) } else { (300, 1) };
    let started = Instant::now();
    let (_dir, store, pid, session) = build(requests).await;
    let everything = accord_store::testing::everything();
    let open_filter = RequestFilter {
        stages: Stage::open().collect(),
        ..RequestFilter::default()
    };
    let open = store
        .count_requests(pid, &open_filter, &everything, TODAY)
        .await
        .expect("a count");
    println!(
        "register: {requests} requests ({open} open) with their requesters, built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let state = AppState::new(
        WebConfig::new("Benchmark"),
        accord_app::App::new(store.clone()),
    )
    .with_clock(Clock::Fixed(TODAY));
    let router = app(state);
    let some_request = store
        .request_summaries(
            pid,
            &RequestFilter {
                stages: vec![Stage::Consultation],
                ..RequestFilter::default()
            },
            &RequestPage {
                limit: 1,
                ..RequestPage::default()
            },
            &everything,
            TODAY,
        )
        .await
        .expect("a query")
        .first()
        .map_or_else(|| "FOI-000000".to_owned(), |r| r.reference.clone());
    // The API's second page, by the cursor of the first.
    let (_, first_page) = get(
        &router,
        &format!("/api/v1/partnerships/{pid}/requests?limit=100"),
        &session,
    )
    .await;
    let first_page: serde_json::Value = serde_json::from_slice(&first_page).expect("JSON");
    let second_page = first_page["next"].as_str().map_or_else(
        || format!("/api/v1/partnerships/{pid}/requests?limit=100"),
        str::to_owned,
    );
    let pages = [
        (
            "statistics_page",
            format!("/partnerships/{pid}/requests/statistics"),
            Some(50.0),
        ),
        (
            "statistics_api",
            format!("/api/v1/partnerships/{pid}/requests/statistics"),
            Some(50.0),
        ),
        (
            "register_first_page",
            format!("/partnerships/{pid}/requests"),
            None,
        ),
        (
            "register_open_first_page",
            format!("/partnerships/{pid}/requests?stage=open"),
            None,
        ),
        (
            "register_api_page_of_100",
            format!("/api/v1/partnerships/{pid}/requests?limit=100"),
            None,
        ),
        ("register_api_second_page_of_100", second_page, None),
        (
            "caseload_page",
            format!("/partnerships/{pid}/requests/caseload"),
            None,
        ),
        (
            "request_page_with_working",
            format!("/partnerships/{pid}/requests/{some_request}"),
            None,
        ),
        (
            "disclosure_log_first_page",
            format!("/partnerships/{pid}/disclosure-log"),
            None,
        ),
    ];
    for (name, path, target) in &pages {
        for _ in 0..if full { 3 } else { 1 } {
            get(&router, path, &session).await;
        }
        let mut times = Vec::new();
        for _ in 0..runs {
            times.push(get(&router, path, &session).await.0);
        }
        let target = target.map_or_else(|| "no target".to_owned(), |t| format!("target < {t} ms"));
        println!(
            "{name}: {:.1} ms (median of {runs}, {requests} requests; {target})",
            ms(median(times))
        );
    }

    // A holiday proclaimed: the proclamation and the recount of every open request (reading
    // them, counting again, and writing with the audit those whose dates moved), in one
    // transaction.
    let holiday = ProclaimedHoliday {
        date: TODAY + Days::new(7),
        title: "A proclaimed holiday".into(),
        divisions: vec![Division::EnglandAndWales],
        replaces: None,
    };
    let app = App::new(store.clone()).with_clock(accord_app::Clock::Fixed(TODAY));
    let start = Instant::now();
    let done = accord_app::requests::add_holiday(
        &app,
        &Caller::system("benchmark"),
        holiday,
        "a holiday was proclaimed",
    )
    .await
    .expect("the proclamation and its recount");
    println!(
        "proclaim_holiday_with_recount: {:.1} ms ({} open, {} moved and written with their audit entries; no target)",
        ms(start.elapsed()),
        done.recount.open,
        done.recount.moved.len()
    );
}
