//! Delivery benchmarks: the programme progress report and the timeline (Gantt data) for 200
//! projects of 20 milestones each, and filtering a RAID log of 5,000 items.
//!
//! Run with `cargo bench -p accord-domain --bench delivery`. Each figure is the median of
//! several runs after a warm-up.

use accord_domain::board::BoardLevel;
use accord_domain::project::{
    DatePlan, MilestoneInput, MilestoneKind, PhaseInput, PhaseStatus, Project, ProjectInput,
    ProjectSize, Target, timeline,
};
use accord_domain::raid::{
    Level, RaidDetail, RaidFilter, RaidInput, RaidKind, RaidLog, RaidStatus, RiskScore, ScoreBasis,
    heat_map,
};
use accord_domain::{GssCode, Member, MemberRole, MemberStatus, Partnership, progress_report};
use chrono::{Days, NaiveDate};
use std::hint::black_box;
use std::time::{Duration, Instant};

const RUNS: usize = 21;

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

fn median<T>(mut f: impl FnMut() -> T) -> Duration {
    for _ in 0..3 {
        black_box(f());
    }
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn report(name: &str, time: Duration, target_ms: f64) {
    println!(
        "{name}: {:.3} ms (median of {RUNS}; target < {target_ms} ms)",
        time.as_secs_f64() * 1000.0
    );
}

fn partnership() -> Partnership {
    Partnership {
        id: 1,
        name: "Benchmark partnership".into(),
        summary: String::new(),
        source: None,
        members: ["E09000014", "E09000031", "E09000002"]
            .iter()
            .map(|c| Member {
                authority: GssCode::parse("gss", c).expect("valid code"),
                role: MemberRole::Partner,
                status: MemberStatus::Active,
                joined: None,
                left: None,
            })
            .collect(),
    }
}

fn projects(count: usize, milestones: usize) -> Vec<Project> {
    let partnership = partnership();
    let mut rng = Lcg(2011);
    let base = NaiveDate::from_ymd_opt(2011, 4, 1).expect("date");
    (0..count)
        .map(|i| {
            let start = base + Days::new(rng.below(700));
            let mut project = Project::plan(
                i64::try_from(i + 1).expect("small"),
                ProjectInput {
                    name: format!("Project {}", i + 1),
                    size: if i % 3 == 0 {
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
                &partnership,
            )
            .expect("valid project");
            for phase in 1..=3 {
                project
                    .add_phase(PhaseInput {
                        name: format!("Phase {phase}"),
                        description: String::new(),
                        status: PhaseStatus::Planned,
                        start: DatePlan::month(2012, phase * 3),
                        note: None,
                    })
                    .expect("valid phase");
            }
            // The template gives one milestone (the benefit review); add the rest.
            for m in 1..milestones {
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
        })
        .collect()
}

fn raid_log(count: usize) -> RaidLog {
    let mut rng = Lcg(5000);
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
    let mut log = RaidLog::new();
    let day = NaiveDate::from_ymd_opt(2011, 7, 1).expect("date");
    for i in 0..count {
        let level = |rng: &mut Lcg| {
            Level::new("level", u8::try_from(rng.below(5) + 1).expect("small")).expect("in range")
        };
        let detail = match i % 4 {
            0 | 1 => {
                let inherent = RiskScore {
                    probability: level(&mut rng),
                    impact: level(&mut rng),
                };
                let residual = RiskScore {
                    probability: Level::new(
                        "p",
                        inherent
                            .probability
                            .get()
                            .saturating_sub(u8::try_from(rng.below(2)).expect("small"))
                            .max(1),
                    )
                    .expect("in range"),
                    impact: inherent.impact,
                };
                RaidDetail::Risk {
                    inherent,
                    residual,
                    proximity: None,
                    mitigations: vec![],
                }
            }
            2 => RaidDetail::Issue {
                severity: level(&mut rng),
                resolve_by: None,
            },
            _ => RaidDetail::Assumption {
                validate_by: None,
                validated_on: None,
            },
        };
        let word = words[usize::try_from(rng.below(words.len() as u64)).expect("small")];
        log.add(RaidInput {
            title: format!("Item {i}: {word} may be delayed"),
            description: format!("If the {word} work slips, go-live for the shared service moves. Owner to report to the board."),
            owner: owners[usize::try_from(rng.below(owners.len() as u64)).expect("small")].into(),
            project: Some(i64::try_from(rng.below(200) + 1).expect("small")),
            raised_on: day,
            board: Some(BoardLevel::ALL[usize::try_from(rng.below(3)).expect("small")]),
            detail,
        })
        .expect("valid item");
    }
    log
}

fn main() {
    // `cargo test --all-targets` runs benchmarks too, without `--bench` and unoptimised: measure
    // only under `cargo bench`.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("not measuring: run with `cargo bench` to measure");
        return;
    }
    let projects = projects(200, 20);
    let today = NaiveDate::from_ymd_opt(2012, 6, 1).expect("date");
    let milestones: usize = projects.iter().map(|p| p.milestones.len()).sum();
    println!("data: {} projects, {milestones} milestones", projects.len());

    report(
        "progress report data, 200 projects x 20 milestones",
        median(|| progress_report::build("Programme progress", &projects, today)),
        50.0,
    );
    report(
        "timeline (Gantt) rows, 200 projects x 20 milestones",
        median(|| timeline(&projects, today)),
        50.0,
    );
    report(
        "progress report + timeline, then JSON",
        median(|| {
            let r = progress_report::build("Programme progress", &projects, today);
            let t = timeline(&projects, today);
            (
                serde_json::to_vec(&r).map(|v| v.len()),
                serde_json::to_vec(&t).map(|v| v.len()),
            )
        }),
        100.0,
    );

    let log = raid_log(5000);
    println!("data: {} RAID items", log.items.len());
    let filters = [
        (
            "all open",
            RaidFilter {
                status: Some(RaidStatus::Open),
                ..Default::default()
            },
        ),
        (
            "text \"union\"",
            RaidFilter {
                text: Some("UNION".into()),
                ..Default::default()
            },
        ),
        (
            "risks 12-25 residual at the Programme Board",
            RaidFilter {
                kinds: vec![RaidKind::Risk],
                min_score: Some(12),
                score_basis: ScoreBasis::Residual,
                board: Some(BoardLevel::Programme),
                ..Default::default()
            },
        ),
        (
            "owner + project + text",
            RaidFilter {
                owner: Some("head of".into()),
                project: Some(17),
                text: Some("go-live".into()),
                ..Default::default()
            },
        ),
    ];
    for (name, filter) in filters {
        let matched = filter.apply(&log.items).expect("valid filter").len();
        report(
            &format!("RAID filter over 5,000 items: {name} ({matched} match)"),
            median(|| filter.apply(&log.items).map(|v| v.len())),
            50.0,
        );
    }
    report(
        "RAID heat map over 5,000 items",
        median(|| heat_map(&log.items, ScoreBasis::Residual)),
        50.0,
    );
}
