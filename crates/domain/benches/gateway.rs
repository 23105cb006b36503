//! The gateway on a large programme: scoring, ranking and sensitivity (both flips and every
//! weight range for outcome and rank) for 10,000 opportunities × 11 criteria × 5 councils,
//! single-threaded. Target: under 100 ms.
//!
//! Run with `cargo bench -p accord-domain --bench gateway`.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use accord_domain::gateway::{Combination, Criteria, GatewayRule, Rating, RatingMatrix, analyse};
use std::hint::black_box;
use std::time::{Duration, Instant};

const OPPORTUNITIES: usize = 10_000;
const COUNCILS: usize = 5;
const RUNS: usize = 11;

/// A small deterministic generator (xorshift64*), so every run measures the same programme.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in 0..1.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Realistic: each opportunity has an underlying compatibility, and councils mostly agree.
fn realistic(criteria: usize, generator: &mut Generator) -> Vec<RatingMatrix> {
    (0..OPPORTUNITIES)
        .map(|_| {
            let quality = 0.55 + 0.45 * generator.unit();
            let ratings = (0..criteria * COUNCILS)
                .map(|_| {
                    let u = generator.unit();
                    if u < quality {
                        Rating::Green
                    } else if u < quality + (1.0 - quality) * 0.7 {
                        Rating::Amber
                    } else {
                        Rating::Red
                    }
                })
                .collect();
            RatingMatrix::new(criteria, COUNCILS, ratings).unwrap()
        })
        .collect()
}

/// Adversarial: every rating uniformly random, so nearly every criterion combines to Red and
/// the flips need many changes.
fn uniform(criteria: usize, generator: &mut Generator) -> Vec<RatingMatrix> {
    (0..OPPORTUNITIES)
        .map(|_| {
            let ratings = (0..criteria * COUNCILS)
                .map(|_| Rating::from_points((generator.next() % 3) as u8))
                .collect();
            RatingMatrix::new(criteria, COUNCILS, ratings).unwrap()
        })
        .collect()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn measure(name: &str, criteria: &Criteria, rule: &GatewayRule, programme: &[RatingMatrix]) {
    // Warm-up.
    black_box(analyse(criteria, rule, programme).unwrap());
    let times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(analyse(black_box(criteria), rule, black_box(programme)).unwrap());
            start.elapsed()
        })
        .collect();
    let fastest = times.iter().min().copied().unwrap_or_default();
    println!(
        "{name}: {:.1} ms (median of {RUNS}, fastest {:.1} ms; target < 100 ms)",
        median(times).as_secs_f64() * 1e3,
        fastest.as_secs_f64() * 1e3
    );
}

fn main() {
    // `cargo test --all-targets` runs benchmarks too, without `--bench` and unoptimised: measure
    // only under `cargo bench`.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("not measuring: run with `cargo bench` to measure");
        return;
    }
    let criteria = Criteria::default();
    let m = criteria.criteria.len();
    let mut generator = Generator(0x5EED_0003_A3FE_61CB);
    let realistic = realistic(m, &mut generator);
    let uniform = uniform(m, &mut generator);
    // Weights with six decimal places share no large divisor, so the flip search works in
    // 64-bit points rather than 16-bit units: the slower path.
    let uneven = Criteria::parse(
        2,
        &criteria
            .to_inputs()
            .into_iter()
            .enumerate()
            .map(|(i, mut c)| {
                c.weight = 1.0 + (i as f64) * 0.137_129;
                c
            })
            .collect::<Vec<_>>(),
    )
    .unwrap();
    measure(
        &format!(
            "gateway analyse {OPPORTUNITIES}×{m}×{COUNCILS}, worst, realistic ratings, uneven weights"
        ),
        &uneven,
        &GatewayRule::default(),
        &realistic,
    );
    measure(
        &format!(
            "gateway analyse {OPPORTUNITIES}×{m}×{COUNCILS}, worst, uniform random ratings, uneven weights"
        ),
        &uneven,
        &GatewayRule::default(),
        &uniform,
    );
    for combination in [Combination::Worst, Combination::Majority, Combination::Mean] {
        let rule = GatewayRule {
            combination,
            ..GatewayRule::default()
        };
        measure(
            &format!(
                "gateway analyse {OPPORTUNITIES}×{m}×{COUNCILS}, {}, realistic ratings",
                combination.slug()
            ),
            &criteria,
            &rule,
            &realistic,
        );
        measure(
            &format!(
                "gateway analyse {OPPORTUNITIES}×{m}×{COUNCILS}, {}, uniform random ratings",
                combination.slug()
            ),
            &criteria,
            &rule,
            &uniform,
        );
    }
}
