//! Delivery pages, timed server-side through the whole application (guards, store, rules and
//! rendering): for a programme of 200 projects with 20 milestones each, the programme progress
//! report and the timeline (Gantt) page, and the projects list and API page; for a RAID log
//! of 5,000 items, the log filtered.
//!
//! Run with `cargo bench -p accord --bench delivery_pages`. Each figure is the median of several
//! requests after a warm-up, each request answered by the router on a SQLite database and its
//! body read whole. The RAID log is read by the database one page at a time, so a view right
//! after a change costs what any view does: it is measured both ways, with an item raised
//! before each request in the second. Raising is timed alone (through its use case) too.
//! Without `--bench` in its arguments (as `cargo test --all-targets` runs it)
//! it makes a tiny programme and one request of each, so CI stays fast.

use accord_domain::access::{Classification, Role, RoleAssignment};
use accord_domain::board::BoardLevel;
use accord_domain::project::{
    DatePlan, MilestoneInput, MilestoneKind, PhaseInput, PhaseStatus, Project, ProjectInput,
    ProjectSize, Target,
};
use accord_domain::raid::{Level, RaidDetail, RaidInput, RaidLog, RiskScore};
use accord_domain::{GssCode, Member, MemberRole, MemberStatus, Partnership};
use accord_store::credentials::new_secret;
use accord_store::{Change, Store, testing};
use accord_web::{AppState, Clock, WebConfig, app};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Days, NaiveDate};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt as _;

/// A small deterministic generator, so every run measures the same data.
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

struct Size {
    projects: usize,
    milestones: usize,
    raid: usize,
    runs: usize,
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2012, 6, 1).expect("a date")
}

async fn partnership(store: &dyn Store, change: &Change) -> (Partnership, i64) {
    let members = ["E09000014", "E09000031"]
        .iter()
        .map(|c| Member {
            authority: GssCode::parse("gss", c).expect("a code"),
            role: MemberRole::Partner,
            status: MemberStatus::Active,
            joined: None,
            left: None,
        })
        .collect();
    let mut p = Partnership {
        id: 0,
        name: "Benchmark partnership".into(),
        summary: "A programme of 200 projects".into(),
        source: None,
        members,
    };
    let id = store
        .create_partnership(&p, change)
        .await
        .expect("partnership");
    p.id = id;
    (p, id)
}

fn project(i: usize, p: &Partnership, size: &Size, rng: &mut Lcg) -> Project {
    let start = NaiveDate::from_ymd_opt(2011, 4, 1).expect("date") + Days::new(rng.below(700));
    let mut project = Project::plan(
        0,
        ProjectInput {
            name: format!("Project {}", i + 1),
            size: if i.is_multiple_of(3) {
                ProjectSize::Large
            } else {
                ProjectSize::Small
            },
            start,
            tolerance_days: Some(28),
            template: None,
            opportunity: "Share the service across the partnership.".into(),
            opportunity_id: None,
        },
        p,
    )
    .expect("valid project");
    for phase in 1..=3 {
        project
            .add_phase(PhaseInput {
                name: format!("Phase {phase}"),
                description: String::new(),
                status: PhaseStatus::Planned,
                start: DatePlan::month(2013, phase * 3),
                note: None,
            })
            .expect("valid phase");
    }
    // The template gives one milestone (the benefit review); add the rest.
    for m in 1..size.milestones {
        let baseline = start + Days::new(rng.below(600) + 1);
        let number = project
            .add_milestone(MilestoneInput {
                name: format!("Milestone {m}"),
                kind: MilestoneKind::Delivery,
                stage: None,
                phase: None,
                due: DatePlan::on(baseline),
                note: None,
            })
            .expect("valid milestone");
        if rng.below(3) == 0 {
            let forecast = baseline + Days::new(rng.below(90));
            project
                .set_forecast(Target::Milestone { number }, Some(forecast))
                .expect("valid forecast");
        }
    }
    project
}

fn raid_log(count: usize, projects: &[i64], rng: &mut Lcg) -> RaidLog {
    let owners = [
        "Programme Director",
        "Head of HR (LBH)",
        "Head of Finance (LBWF)",
        "Project Manager",
        "Legal representative",
    ];
    let words = [
        "payroll",
        "procurement",
        "accommodation",
        "union consultation",
        "ERP contract",
        "staffing report",
        "budget",
        "IT infrastructure",
    ];
    let level = |rng: &mut Lcg| {
        Level::new("level", u8::try_from(rng.below(5) + 1).expect("small")).expect("in range")
    };
    let mut log = RaidLog::new();
    let day = NaiveDate::from_ymd_opt(2011, 7, 1).expect("date");
    for i in 0..count {
        let detail = match i % 4 {
            0 | 1 => {
                let inherent = RiskScore {
                    probability: level(rng),
                    impact: level(rng),
                };
                let lower = inherent
                    .probability
                    .get()
                    .saturating_sub(u8::try_from(rng.below(2)).expect("small"))
                    .max(1);
                RaidDetail::Risk {
                    inherent,
                    residual: RiskScore {
                        probability: Level::new("p", lower).expect("in range"),
                        impact: inherent.impact,
                    },
                    proximity: None,
                    mitigations: Vec::new(),
                }
            }
            2 => RaidDetail::Issue {
                severity: level(rng),
                resolve_by: None,
            },
            _ => RaidDetail::Assumption {
                validate_by: None,
                validated_on: None,
            },
        };
        let word = words[usize::try_from(rng.below(words.len() as u64)).expect("small")];
        let project = projects[usize::try_from(rng.below(projects.len() as u64)).expect("small")];
        log.add(RaidInput {
            title: format!("Item {i}: {word} may be delayed"),
            description: format!(
                "If the {word} work slips, go-live for the shared service moves. Owner to report to the board."
            ),
            owner: owners[usize::try_from(rng.below(owners.len() as u64)).expect("small")].into(),
            project: Some(project),
            raised_on: day,
            board: Some(BoardLevel::ALL[usize::try_from(rng.below(3)).expect("small")]),
            detail,
        })
        .expect("valid item");
    }
    log
}

/// Loads the programme into a fresh store and returns the router, the partnership and a
/// programme manager's session cookie.
async fn setup(size: &Size, dir: &std::path::Path) -> (axum::Router, Arc<dyn Store>, i64, String) {
    let store: Arc<dyn Store> = accord_store::connect(&testing::sqlite_url(dir))
        .await
        .expect("a store");
    accord::demo::load(&accord_app::App::new(store.clone()))
        .await
        .expect("the demo loads");
    let change = Change::by("benchmark");
    let (p, id) = partnership(&*store, &change).await;
    let mut rng = Lcg(2011);
    let application = accord_app::App::new(store.clone()).with_clock(Clock::Fixed(today()));
    let system = accord_app::Caller::system("benchmark");
    let mut ids = Vec::with_capacity(size.projects);
    for i in 0..size.projects {
        let project = project(i, &p, size, &mut rng);
        let entry = accord_app::delivery::projects::enter(
            &application,
            &system,
            id,
            accord_app::delivery::projects::EnterProject {
                project,
                classification: Classification::Partnership,
                reason: String::new(),
            },
        )
        .await
        .expect("stored");
        ids.push(entry.record_id);
    }
    let log = raid_log(size.raid, &ids, &mut rng);
    for item in &log.items {
        let input = RaidInput {
            title: item.title.clone(),
            description: item.description.clone(),
            owner: item.owner.clone(),
            project: item.project,
            raised_on: item.raised_on,
            board: Some(item.board),
            detail: item.detail.clone(),
        };
        accord_app::governance::raid::raise(
            &application,
            &system,
            id,
            accord_app::governance::raid::RaiseRaid {
                input,
                classification: Classification::Partnership,
            },
        )
        .await
        .expect("raised");
    }
    let (user, _) = store
        .user_credentials("programme@haringey.demo.accord.test")
        .await
        .expect("a user")
        .expect("the demo programme manager");
    store
        .assign_role(
            user.id,
            RoleAssignment {
                partnership_id: id,
                role: Role::Programme,
            },
            &change,
        )
        .await
        .expect("a role assignment");
    let (session, digest) = new_secret("");
    store
        .create_session(
            &digest,
            user.id,
            chrono::Utc::now() + chrono::Duration::hours(4),
            &change,
        )
        .await
        .expect("a session");
    let state = AppState::new(
        WebConfig::new("Benchmark"),
        accord_app::App::new(Arc::clone(&store)),
    )
    .with_clock(Clock::Fixed(today()));
    (app(state), store, id, format!("accord_session={session}"))
}

async fn request(router: &axum::Router, path: &str, cookie: &str) -> (Duration, usize) {
    let request = Request::get(path)
        .header(header::COOKIE, cookie)
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
    (elapsed, body.len())
}

/// Raises one item in the log through its use case, and returns how long it took.
async fn raise_one(app: &accord_app::App, id: i64, n: usize) -> Duration {
    let level = |n| Level::new("level", n).expect("a level");
    let input = RaidInput {
        title: format!("Raised while measuring {n}"),
        description: String::new(),
        owner: "Programme Director".into(),
        project: None,
        raised_on: today(),
        board: None,
        detail: RaidDetail::Issue {
            severity: level(3),
            resolve_by: None,
        },
    };
    let start = Instant::now();
    accord_app::governance::raid::raise(
        app,
        &accord_app::Caller::system("benchmark"),
        id,
        accord_app::governance::raid::RaiseRaid {
            input,
            classification: Classification::Partnership,
        },
    )
    .await
    .expect("raised");
    start.elapsed()
}

/// Times `path`; with `cold`, each request follows a change written to that store.
async fn measure(
    router: &axum::Router,
    cookie: &str,
    name: &str,
    path: &str,
    runs: usize,
    target_ms: f64,
    cold: Option<(&accord_app::App, i64)>,
) {
    for _ in 0..runs.min(3) {
        request(router, path, cookie).await;
    }
    let mut times = Vec::with_capacity(runs);
    let mut bytes = 0;
    for n in 0..runs {
        if let Some((app, id)) = cold {
            raise_one(app, id, n).await;
        }
        let (t, n) = request(router, path, cookie).await;
        times.push(t);
        bytes = n;
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{name}: {:.1} ms (median of {runs}; {} KB; target < {target_ms} ms)",
        median.as_secs_f64() * 1000.0,
        bytes / 1024
    );
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let size = if full {
        Size {
            projects: 200,
            milestones: 20,
            raid: 5000,
            runs: 15,
        }
    } else {
        Size {
            projects: 3,
            milestones: 4,
            raid: 20,
            runs: 1,
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("a directory");
        let (router, store, id, cookie) = setup(&size, dir.path()).await;
        let application = accord_app::App::new(store.clone()).with_clock(Clock::Fixed(today()));
        println!(
            "data: {} projects x {} milestones, {} RAID items (SQLite)",
            size.projects, size.milestones, size.raid
        );
        let p = format!("/partnerships/{id}");
        let runs = size.runs;
        measure(
            &router,
            &cookie,
            "programme progress report page",
            &format!("{p}/progress-report"),
            runs,
            100.0,
            None,
        )
        .await;
        measure(
            &router,
            &cookie,
            "programme timeline (Gantt) page",
            &format!("{p}/timeline"),
            runs,
            100.0,
            None,
        )
        .await;
        measure(
            &router,
            &cookie,
            "projects list page (first 50 of all, dates beyond tolerance counted)",
            &format!("{p}/projects"),
            runs,
            100.0,
            None,
        )
        .await;
        measure(
            &router,
            &cookie,
            "projects API, beyond tolerance, a page of 100",
            &format!("/api/v1/partnerships/{id}/projects?beyond=yes&limit=100"),
            runs,
            100.0,
            None,
        )
        .await;
        measure(
            &router,
            &cookie,
            "RAID log page, open risks scoring 10 or more",
            &format!("{p}/raid?kind=risk&status=open&min_score=10"),
            runs,
            50.0,
            None,
        )
        .await;
        measure(
            &router,
            &cookie,
            "RAID log page, owner and text filter",
            &format!("{p}/raid?owner=HR&text=payroll"),
            runs,
            50.0,
            None,
        )
        .await;
        measure(
            &router,
            &cookie,
            "RAID log page, unfiltered (first 100 of all)",
            &format!("{p}/raid"),
            runs,
            50.0,
            None,
        )
        .await;
        measure(
            &router,
            &cookie,
            "RAID log API, open risks scoring 10 or more",
            &format!("/api/v1/partnerships/{id}/raid?kind=risk&status=open&min_score=10"),
            runs,
            50.0,
            None,
        )
        .await;
        measure(
            &router,
            &cookie,
            "RAID log API, a page of 100 of all",
            &format!("/api/v1/partnerships/{id}/raid?limit=100"),
            runs,
            5.0,
            None,
        )
        .await;
        measure(
            &router,
            &cookie,
            "RAID item page",
            // Items cycle risk, risk, issue, assumption and share one numbering: the first of
            // the cycle nearest the middle is a risk.
            &format!("{p}/raid/R{}", size.raid / 2 / 4 * 4 + 1),
            runs,
            50.0,
            None,
        )
        .await;
        // The same right after an item is raised each time.
        measure(
            &router,
            &cookie,
            "RAID log page, first view after a change",
            &format!("{p}/raid"),
            runs,
            15.0,
            Some((&application, id)),
        )
        .await;
        measure(
            &router,
            &cookie,
            "RAID log API, page of 100, first read after a change",
            &format!("/api/v1/partnerships/{id}/raid?limit=100"),
            runs,
            5.0,
            Some((&application, id)),
        )
        .await;
        let mut times = Vec::new();
        for n in 0..runs.max(1) * 4 {
            times.push(raise_one(&application, id, n).await);
        }
        times.sort();
        println!(
            "raising an item (use case, one transaction): {:.2} ms (median of {}; target < 5 ms)",
            times[times.len() / 2].as_secs_f64() * 1000.0,
            times.len()
        );
        // Four clients raising at once into the log.
        let clients = 4;
        let each = if full { 250 } else { 2 };
        let start = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..clients {
            let app = application.clone();
            tasks.push(tokio::spawn(async move {
                for n in 0..each {
                    raise_one(&app, id, c * 10_000 + n).await;
                }
            }));
        }
        for task in tasks {
            task.await.expect("a client");
        }
        let rate = (clients * each) as f64 / start.elapsed().as_secs_f64();
        println!("{clients} clients raising at once: {rate:.0} items/s (target >= 500 items/s)");
    });
}
