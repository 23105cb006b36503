//! The gateway's sensitivity checked against brute force: flips are real and no smaller one
//! exists; weight ranges are exactly the weights that keep the outcome and the rank.
//!
//! The oracle here is written independently of the engine: combined ratings straight from
//! their definitions, the rule straight from its statement, ranks by sorting.

#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

use accord_domain::gateway::{
    Combination, Criteria, CriterionInput, GatewayRule, Outcome, Rating, RatingMatrix, Threshold,
    analyse,
};
use proptest::prelude::*;

/// Combined rating in half-units from its definition.
fn combine(combination: Combination, ratings: &[u8]) -> u8 {
    let n = ratings.len();
    match combination {
        Combination::Worst => *ratings.iter().min().unwrap(),
        Combination::Majority => {
            let mut sorted = ratings.to_vec();
            sorted.sort_unstable_by(|a, b| b.cmp(a));
            sorted[n / 2]
        }
        Combination::Mean => {
            let sum: i64 = ratings.iter().map(|&r| i64::from(r)).sum();
            // The nearest level to the mean, the worse one at a tie.
            (0..=2u8)
                .min_by_key(|&l| ((sum - i64::from(l) * n as i64).abs(), l))
                .unwrap()
        }
    }
}

#[derive(Debug, Clone)]
struct Case {
    weights: Vec<u64>, // millionths
    critical: Vec<bool>,
    rule: GatewayRule,
    councils: usize,
}

impl Case {
    fn m(&self) -> usize {
        self.weights.len()
    }

    fn criteria(&self) -> Criteria {
        let inputs: Vec<CriterionInput> = self
            .weights
            .iter()
            .zip(&self.critical)
            .enumerate()
            .map(|(i, (&w, &critical))| CriterionInput {
                name: format!("Criterion {i}"),
                weight: w as f64 / 1e6,
                critical,
            })
            .collect();
        Criteria::parse(1, &inputs).unwrap()
    }

    fn with_weight(&self, i: usize, w: u64) -> Case {
        let mut case = self.clone();
        case.weights[i] = w;
        case
    }

    fn combined(&self, cells: &[u8]) -> Vec<u8> {
        cells
            .chunks(self.councils)
            .map(|c| combine(self.rule.combination, c))
            .collect()
    }

    /// (points, blocked, reds, below green, outcome) from the rule's statement.
    fn judge(&self, cells: &[u8]) -> (i128, bool, usize, usize, Outcome) {
        let combined = self.combined(cells);
        let critical_red = self.rule.critical_red_fails
            && combined
                .iter()
                .zip(&self.critical)
                .any(|(&c, &k)| k && c == 0);
        let below = combined.iter().filter(|&&c| c < 2).count();
        let reds = combined.iter().filter(|&&c| c == 0).count();
        let too_many = self.rule.max_ambers.is_some_and(|m| below > m as usize);
        let points: i128 = combined
            .iter()
            .zip(&self.weights)
            .map(|(&c, &w)| i128::from(c) * i128::from(w))
            .sum();
        let total: i128 = self.weights.iter().map(|&w| i128::from(w)).sum();
        let passes_score =
            points * 1_000_000 >= 2 * i128::from(self.rule.threshold.micros()) * total;
        let blocked = critical_red || too_many;
        let outcome = if blocked || !passes_score {
            Outcome::Fail
        } else if below > 0 {
            Outcome::PassWithConditions
        } else {
            Outcome::Pass
        };
        (points, blocked, reds, below, outcome)
    }

    fn outcome(&self, cells: &[u8]) -> Outcome {
        self.judge(cells).4
    }

    /// Ranks (from 1) of a programme by sorting.
    fn ranks(&self, programme: &[Vec<u8>]) -> Vec<usize> {
        let keys: Vec<_> = programme
            .iter()
            .enumerate()
            .map(|(i, cells)| {
                let (points, blocked, reds, below, _) = self.judge(cells);
                (-points, blocked, reds, below, i)
            })
            .collect();
        let mut order: Vec<usize> = (0..programme.len()).collect();
        order.sort_by_key(|&i| keys[i]);
        let mut ranks = vec![0; programme.len()];
        for (position, &i) in order.iter().enumerate() {
            ranks[i] = position + 1;
        }
        ranks
    }

    fn matrix(&self, cells: &[u8]) -> RatingMatrix {
        RatingMatrix::new(
            self.m(),
            self.councils,
            cells.iter().map(|&c| Rating::from_points(c)).collect(),
        )
        .unwrap()
    }
}

fn all_matrices(size: usize) -> Vec<Vec<u8>> {
    (0..3usize.pow(size as u32))
        .map(|mut code| {
            (0..size)
                .map(|_| {
                    let v = (code % 3) as u8;
                    code /= 3;
                    v
                })
                .collect()
        })
        .collect()
}

fn rule_strategy(max_criteria: usize) -> impl Strategy<Value = GatewayRule> {
    (
        prop_oneof![
            Just(Combination::Worst),
            Just(Combination::Majority),
            Just(Combination::Mean)
        ],
        any::<bool>(),
        prop_oneof![
            Just(0u64),
            Just(250_000),
            Just(500_000),
            Just(700_000),
            Just(750_000),
            Just(1_000_000),
            0u64..=1_000_000
        ],
        proptest::option::of(0..=max_criteria as u32),
    )
        .prop_map(
            |(combination, critical_red_fails, threshold, max_ambers)| GatewayRule {
                combination,
                critical_red_fails,
                threshold: Threshold::from_micros(threshold),
                max_ambers,
            },
        )
}

/// A small case: up to 3 criteria × 3 councils, at most 8 ratings (6,561 matrices).
fn small_case() -> impl Strategy<Value = (Case, Vec<u8>)> {
    (1usize..=3, 1usize..=3)
        .prop_filter("at most 8 ratings", |(m, k)| m * k <= 8)
        .prop_flat_map(|(m, k)| {
            (
                // Whole units (as partnerships usually weigh) and arbitrary millionths.
                proptest::collection::vec(
                    prop_oneof![(0u64..=4).prop_map(|u| u * 1_000_000), 0u64..=4_000_000],
                    m,
                ),
                proptest::collection::vec(any::<bool>(), m),
                rule_strategy(m),
                proptest::collection::vec(0u8..=2, m * k),
            )
                .prop_filter("a weight above zero", |(w, ..)| w.iter().any(|&x| x > 0))
                .prop_map(move |(weights, critical, rule, cells)| {
                    (
                        Case {
                            weights,
                            critical,
                            rule,
                            councils: k,
                        },
                        cells,
                    )
                })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every flip reaches the outcome it claims, on the side it claims, and no smaller set of
    /// changes reaches that side (brute force over every matrix).
    #[test]
    fn flips_really_flip_and_are_smallest((case, cells) in small_case()) {
        let criteria = case.criteria();
        let analysis = analyse(&criteria, &case.rule, &[case.matrix(&cells)]).unwrap().remove(0);
        let now = case.outcome(&cells);
        prop_assert_eq!(analysis.outcome, now);
        let mut best_better: Option<usize> = None;
        let mut best_worse: Option<usize> = None;
        for other in all_matrices(cells.len()) {
            let distance = other.iter().zip(&cells).filter(|(a, b)| a != b).count();
            let outcome = case.outcome(&other);
            if outcome > now {
                best_better = Some(best_better.map_or(distance, |b| b.min(distance)));
            }
            if outcome < now {
                best_worse = Some(best_worse.map_or(distance, |b| b.min(distance)));
            }
        }
        for (flip, best, better) in [(&analysis.better, best_better, true), (&analysis.worse, best_worse, false)] {
            match (flip, best) {
                (None, None) => {}
                (Some(flip), Some(best)) => {
                    prop_assert_eq!(flip.changes.len(), best, "not the smallest: {:?}", flip);
                    let mut changed = cells.clone();
                    for change in &flip.changes {
                        let index = change.criterion * case.councils + change.council;
                        prop_assert_eq!(change.from.points(), cells[index]);
                        prop_assert_ne!(change.from, change.to);
                        changed[index] = change.to.points();
                    }
                    let outcome = case.outcome(&changed);
                    prop_assert_eq!(outcome, flip.outcome);
                    let on_side = if better { outcome > now } else { outcome < now };
                    prop_assert!(on_side, "{:?} is not on the right side of {:?}", outcome, now);
                }
                (flip, best) => prop_assert!(false, "flip {:?} but brute force found {:?}", flip, best),
            }
        }
    }

    /// Each weight range is exactly the run of weights around the current one that keeps the
    /// outcome, and the run that keeps the rank: checked at every weight from 0 to 40
    /// millionths (the weights here are a few millionths, so the whole range is scanned).
    #[test]
    fn weight_ranges_are_exact(
        (m, k) in (1usize..=3, 1usize..=2),
        seed in proptest::collection::vec((0u64..=12, any::<bool>()), 3),
        rule in rule_strategy(3),
        programme in proptest::collection::vec(proptest::collection::vec(0u8..=2, 6), 1..=7),
    ) {
        let weights: Vec<u64> = seed.iter().take(m).map(|s| s.0).collect();
        prop_assume!(weights.iter().any(|&w| w > 0));
        let case = Case {
            weights,
            critical: seed.iter().take(m).map(|s| s.1).collect(),
            rule,
            councils: k,
        };
        let programme: Vec<Vec<u8>> = programme.into_iter().map(|p| p[..m * k].to_vec()).collect();
        let matrices: Vec<RatingMatrix> = programme.iter().map(|c| case.matrix(c)).collect();
        let analyses = analyse(&case.criteria(), &case.rule, &matrices).unwrap();
        let ranks_now = case.ranks(&programme);
        for (p, analysis) in analyses.iter().enumerate() {
            prop_assert_eq!(analysis.rank, ranks_now[p]);
            for i in 0..m {
                let x = case.weights[i];
                let others: u64 = case.weights.iter().sum::<u64>() - x;
                let lowest = u64::from(others == 0);
                let top = 40u64;
                let keeps = |w: u64| {
                    let moved = case.with_weight(i, w);
                    (moved.outcome(&programme[p]) == analysis.outcome, moved.ranks(&programme)[p] == analysis.rank)
                };
                let sensitivity = analysis.weights[i];
                for (which, range) in [(0, sensitivity.outcome), (1, sensitivity.rank)] {
                    let low = range.low.micros();
                    let high = range.high.map(accord_domain::gateway::Weight::micros);
                    let get = |w: u64| { let k = keeps(w); if which == 0 { k.0 } else { k.1 } };
                    // The run of weights around x that keep it.
                    let mut run_low = x;
                    while run_low > lowest && get(run_low - 1) { run_low -= 1; }
                    let mut run_high = x;
                    while run_high < top && get(run_high + 1) { run_high += 1; }
                    prop_assert_eq!(low, run_low, "low of {} for criterion {} of {}", which, i, p);
                    match high {
                        Some(h) if h < top => prop_assert_eq!(h, run_high, "high of {} for criterion {} of {}", which, i, p),
                        Some(h) => prop_assert!(run_high == top && h >= top),
                        None => prop_assert_eq!(run_high, top, "unbounded {} for criterion {} of {}", which, i, p),
                    }
                }
            }
        }
    }
}

fn default_case(councils: usize) -> Case {
    let set = Criteria::default();
    Case {
        weights: set.criteria.iter().map(|c| c.weight.micros()).collect(),
        critical: set.criteria.iter().map(|c| c.critical).collect(),
        rule: GatewayRule::default(),
        councils,
    }
}

fn cells(case: &Case, ratings: &[&str]) -> Vec<u8> {
    // One string per council, one letter per criterion; stored criterion-major.
    let mut out = vec![0; case.m() * case.councils];
    for (k, text) in ratings.iter().enumerate() {
        for (c, letter) in text.chars().enumerate() {
            out[c * case.councils + k] = Rating::parse("r", &letter.to_string()).unwrap().points();
        }
    }
    out
}

/// Flips on the eleven default criteria, two councils, as a table: ratings per council,
/// expected outcome, expected better flip (size, outcome), expected worse flip.
#[test]
fn flips_on_the_default_criteria() {
    use Outcome::{Fail, Pass, PassWithConditions as Pwc};
    let case = default_case(2);
    let criteria = case.criteria();
    #[allow(clippy::type_complexity)]
    let cases: [(
        &[&str; 2],
        Outcome,
        Option<(usize, Outcome)>,
        Option<(usize, Outcome)>,
    ); 6] = [
        // Everything Green: one Amber makes it conditional.
        (&["GGGGGGGGGGG", "GGGGGGGGGGG"], Pass, None, Some((1, Pwc))),
        // IT Compatibility Red from one council: raising it to Amber passes with conditions.
        (&["GGRGGGGGGGG", "GGGGGGGGGGG"], Fail, Some((1, Pwc)), None),
        // Both councils rate IT Red: both must move.
        (&["GGRGGGGGGGG", "GGRGGGGGGGG"], Fail, Some((2, Pwc)), None),
        // One Amber: one change makes it Green; a Red on a critical criterion fails it.
        (
            &["GGGAGGGGGGG", "GGGGGGGGGGG"],
            Pwc,
            Some((1, Pass)),
            Some((1, Fail)),
        ),
        // Four below Green (the limit): one more fails it.
        (
            &["GGGAAAAGGGG", "GGGGGGGGGGG"],
            Pwc,
            Some((4, Pass)),
            Some((1, Fail)),
        ),
        // Five below Green: one must come back to Green.
        (&["GGGAAAAAGGG", "GGGGGGGGGGG"], Fail, Some((1, Pwc)), None),
    ];
    for (ratings, outcome, better, worse) in cases {
        let cells = cells(&case, ratings);
        let analysis = analyse(&criteria, &case.rule, &[case.matrix(&cells)])
            .unwrap()
            .remove(0);
        assert_eq!(analysis.outcome, outcome, "{ratings:?}");
        let summary = |f: &Option<accord_domain::gateway::Flip>| {
            f.as_ref().map(|f| (f.changes.len(), f.outcome))
        };
        assert_eq!(summary(&analysis.better), better, "better for {ratings:?}");
        assert_eq!(summary(&analysis.worse), worse, "worse for {ratings:?}");
    }
}

/// A Red raised to pass with conditions is raised only to Amber: the mildest change that
/// flips.
#[test]
fn flips_choose_the_mildest_rating() {
    let case = default_case(2);
    let cells = cells(&case, &["GGRGGGGGGGG", "GGGGGGGGGGG"]);
    let analysis = analyse(&case.criteria(), &case.rule, &[case.matrix(&cells)])
        .unwrap()
        .remove(0);
    let flip = analysis.better.unwrap();
    assert_eq!(flip.changes.len(), 1);
    assert_eq!((flip.changes[0].criterion, flip.changes[0].council), (2, 0));
    assert_eq!(
        (flip.changes[0].from, flip.changes[0].to),
        (Rating::Red, Rating::Amber)
    );
}

/// Moving a weight one millionth inside its range keeps the outcome and the rank; one
/// millionth outside changes it.
#[test]
fn weight_ranges_at_their_edges() {
    let case = Case {
        weights: vec![1_000_000, 1_000_000, 2_000_000],
        critical: vec![false, false, false],
        rule: GatewayRule {
            max_ambers: None,
            ..GatewayRule::default()
        },
        councils: 1,
    };
    // Three opportunities: A = G,G,A (score 0.875), B = A,G,G (0.875... ties broken) and
    // C = G,R,G (0.75).
    let programme = [vec![2, 2, 1], vec![1, 2, 2], vec![2, 0, 2]];
    let matrices: Vec<RatingMatrix> = programme.iter().map(|c| case.matrix(c)).collect();
    let analyses = analyse(&case.criteria(), &case.rule, &matrices).unwrap();
    let mut checked = 0;
    for (p, analysis) in analyses.iter().enumerate() {
        for i in 0..3 {
            let sensitivity = analysis.weights[i];
            for (range, is_rank) in [(sensitivity.outcome, false), (sensitivity.rank, true)] {
                let value = |w: u64| {
                    let moved = case.with_weight(i, w);
                    if is_rank {
                        moved.ranks(&programme)[p]
                    } else {
                        moved.outcome(&programme[p]) as usize
                    }
                };
                let now = value(case.weights[i]);
                let low = range.low.micros();
                assert_eq!(value(low), now);
                if low > 0 {
                    assert_ne!(value(low - 1), now, "just below the range of {i} for {p}");
                    checked += 1;
                }
                if let Some(high) = range.high {
                    let high = high.micros();
                    assert_eq!(value(high), now);
                    assert_ne!(value(high + 1), now, "just above the range of {i} for {p}");
                    checked += 1;
                }
            }
        }
    }
    assert!(
        checked >= 6,
        "the example has finite ranges to check ({checked})"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// Larger programmes, up to the limits: nothing panics, every flip really flips, and
    /// ranks are a permutation.
    #[test]
    fn larger_programmes_flip_correctly(
        m in 1usize..=30,
        k in 1usize..=40,
        rule in rule_strategy(30),
        seed in any::<u64>(),
        n in 1usize..=6,
    ) {
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let weights: Vec<u64> = (0..m).map(|_| next() % 3_000_000 + 1).collect();
        let critical: Vec<bool> = (0..m).map(|_| next() % 4 == 0).collect();
        let case = Case { weights, critical, rule, councils: k };
        let programme: Vec<Vec<u8>> = (0..n)
            .map(|_| {
                let bias = next() % 3;
                (0..m * k).map(|_| ((next() % 4) as u8 + bias as u8).min(2)).collect()
            })
            .collect();
        let matrices: Vec<RatingMatrix> = programme.iter().map(|c| case.matrix(c)).collect();
        let analyses = analyse(&case.criteria(), &case.rule, &matrices).unwrap();
        let mut ranks: Vec<usize> = analyses.iter().map(|a| a.rank).collect();
        ranks.sort_unstable();
        prop_assert_eq!(ranks, (1..=n).collect::<Vec<_>>());
        for (cells, analysis) in programme.iter().zip(&analyses) {
            let now = case.outcome(cells);
            prop_assert_eq!(analysis.outcome, now);
            for (flip, better) in [(&analysis.better, true), (&analysis.worse, false)] {
                if let Some(flip) = flip {
                    let mut changed = cells.clone();
                    for change in &flip.changes {
                        changed[change.criterion * k + change.council] = change.to.points();
                    }
                    let outcome = case.outcome(&changed);
                    prop_assert_eq!(outcome, flip.outcome);
                    let on_side = if better { outcome > now } else { outcome < now };
                    prop_assert!(on_side);
                } else if better {
                    prop_assert_eq!(now, Outcome::Pass);
                }
            }
        }
    }
}

/// The largest assessment accepted, everything Red and the strictest rule: the flip search
/// must still answer (it has to make every criterion Green).
#[test]
fn the_largest_assessment_is_answered() {
    let case = Case {
        weights: vec![1_000_000; 30],
        critical: vec![true; 30],
        rule: GatewayRule {
            threshold: Threshold::from_micros(1_000_000),
            max_ambers: Some(0),
            ..GatewayRule::default()
        },
        councils: 40,
    };
    let cells = vec![0u8; 30 * 40];
    let analysis = analyse(&case.criteria(), &case.rule, &[case.matrix(&cells)])
        .unwrap()
        .remove(0);
    let flip = analysis.better.unwrap();
    assert_eq!(flip.changes.len(), 30 * 40);
    assert_eq!(flip.outcome, Outcome::Pass);
    assert!(RatingMatrix::new(1, 41, vec![Rating::Red; 41]).is_err());
}
