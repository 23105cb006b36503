//! Property tests of the apportionment methods and the Monte Carlo engine.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use accord_analytics::apportionment::{Game, blocking_coalitions, nucleolus, shapley, tolerance};
use accord_analytics::distribution::{Distribution, Shape};
use accord_analytics::monte_carlo::{self, Model, Settings, Term, Weight};
use proptest::prelude::*;

fn players(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("P{i}")).collect()
}

/// A random cost game: `2ⁿ` costs in pounds (index 0 ignored).
fn game(n: usize, costs: &[f64]) -> Game {
    let mut c = costs[..1 << n].to_vec();
    c[0] = 0.0;
    Game::from_costs(players(n), c).unwrap()
}

/// A partnership-like game (standalone costs with savings from sharing, plus noise), whose
/// core may or may not be empty.
fn partnership(n: usize, standalone: &[f64], saving: f64, noise: &[f64]) -> Game {
    Game::from_fn(players(n), |s| {
        let k = s.count_ones();
        let base: f64 = (0..n)
            .filter(|i| s & (1 << i) != 0)
            .map(|i| standalone[i])
            .sum();
        if k <= 1 {
            base
        } else {
            base * (1.0 - saving * (1.0 - 1.0 / f64::from(k))) + noise[s as usize]
        }
    })
    .unwrap()
}

fn lex_smaller(a: &[f64], b: &[f64], tol: f64) -> bool {
    for (x, y) in a.iter().zip(b) {
        if x < &(y - tol) {
            return true;
        }
        if x > &(y + tol) {
            return false;
        }
    }
    false
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn shapley_is_efficient_symmetric_null_and_additive(
        n in 2usize..=6,
        a in prop::collection::vec(0.0f64..1000.0, 64),
        b in prop::collection::vec(0.0f64..1000.0, 64),
    ) {
        let g = game(n, &a);
        let phi = shapley::exact(&g);
        let total: f64 = phi.iter().sum();
        prop_assert!((total - g.cost(g.grand())).abs() < 1e-9 * g.scale());

        // Symmetry: make players 0 and 1 interchangeable.
        let swap = |s: u32| {
            let (x, y) = (s & 1, (s >> 1) & 1);
            (s & !3) | (x << 1) | y
        };
        let sym = Game::from_fn(players(n), |s| (g.cost(s) + g.cost(swap(s))) / 2.0).unwrap();
        let phi_sym = shapley::exact(&sym);
        prop_assert!((phi_sym[0] - phi_sym[1]).abs() < 1e-9 * g.scale());

        // Null player: the last player adds nothing to any coalition.
        let last = 1u32 << (n - 1);
        let null = Game::from_fn(players(n), |s| g.cost(s & !last)).unwrap();
        prop_assert!(shapley::exact(&null)[n - 1].abs() < 1e-9 * g.scale());

        // Additivity.
        let h = game(n, &b);
        let sum = Game::from_fn(players(n), |s| g.cost(s) + h.cost(s)).unwrap();
        let phi_h = shapley::exact(&h);
        for (i, v) in shapley::exact(&sum).iter().enumerate() {
            prop_assert!((v - phi[i] - phi_h[i]).abs() < 1e-9 * sum.scale());
        }
    }

    #[test]
    fn nucleolus_lies_in_the_core_when_the_core_is_not_empty(
        n in 2usize..=7,
        standalone in prop::collection::vec(10.0f64..200.0, 7),
        saving in 0.0f64..0.5,
        noise in prop::collection::vec(0.0f64..30.0, 128),
    ) {
        let g = partnership(n, &standalone, saving, &noise);
        let tol = tolerance(&g);
        let epsilon = nucleolus::least_core_epsilon(&g).unwrap();
        let nu = nucleolus::nucleolus(&g).unwrap();
        let total: f64 = nu.allocation.iter().sum();
        prop_assert!((total - g.cost(g.grand())).abs() < 1e-9 * g.scale());
        if epsilon <= tol {
            prop_assert!(blocking_coalitions(&g, &nu.allocation, 1e-7 * g.scale()).is_empty());
        } else {
            prop_assert!(!blocking_coalitions(&g, &nu.allocation, tol).is_empty());
        }
    }

    #[test]
    fn least_core_epsilon_is_minimal(
        n in 2usize..=6,
        costs in prop::collection::vec(0.0f64..500.0, 64),
        trials in prop::collection::vec(prop::collection::vec(-1.0f64..1.0, 6), 40),
    ) {
        let g = game(n, &costs);
        let lc = nucleolus::least_core(&g).unwrap();
        let scale = g.scale();
        // The certificate: balanced weights whose weighted excess is the same for every
        // efficient split and equals ε, so no split can have a smaller largest excess.
        let weights: f64 = lc.certificate.iter().map(|(_, y)| y).sum();
        prop_assert!((weights - 1.0).abs() < 1e-9);
        let mut per_player = vec![0.0; n];
        for &(mask, y) in &lc.certificate {
            prop_assert!(y >= 0.0);
            for (i, p) in per_player.iter_mut().enumerate() {
                if mask & (1 << i) != 0 { *p += y; }
            }
        }
        for p in &per_player {
            prop_assert!((p - per_player[0]).abs() < 1e-9, "weights are not balanced");
        }
        let bound = per_player[0] * g.cost(g.grand())
            - lc.certificate.iter().map(|&(m, y)| y * g.cost(m)).sum::<f64>();
        prop_assert!((bound - lc.epsilon).abs() < 1e-8 * scale, "{bound} vs {}", lc.epsilon);
        // And brute force: random efficient splits never do better.
        let max_excess = |x: &[f64]| g.sorted_excesses(x)[0];
        prop_assert!((max_excess(&lc.allocation) - lc.epsilon).abs() < 1e-8 * scale);
        for t in &trials {
            let mut x: Vec<f64> = lc.allocation.iter().zip(t).map(|(a, d)| a + d * scale * 0.1).collect();
            let shift = (x.iter().sum::<f64>() - g.cost(g.grand())) / n as f64;
            for v in &mut x {
                *v -= shift;
            }
            prop_assert!(max_excess(&x) >= lc.epsilon - 1e-8 * scale);
        }
    }

    #[test]
    fn nucleolus_has_the_lexicographically_smallest_sorted_excesses(
        n in 2usize..=4,
        standalone in prop::collection::vec(10.0f64..200.0, 4),
        saving in 0.0f64..0.6,
        noise in prop::collection::vec(0.0f64..80.0, 16),
        directions in prop::collection::vec(prop::collection::vec(0.0f64..1.0, 4), 60),
    ) {
        // Noise up to 80 makes many of these games' cores empty.
        let g = partnership(n, &standalone, saving, &noise);
        let nu = nucleolus::nucleolus(&g).unwrap();
        let x = &nu.allocation;
        let theta = g.sorted_excesses(x);
        let grand = g.cost(g.grand());
        let single: Vec<f64> = (0..n).map(|i| g.cost(1 << i)).collect();
        let slack = single.iter().sum::<f64>() - grand;
        // The nucleolus is computed to about 1e-12 of the costs; the perturbations move
        // excesses by far more than this tolerance, so near-ties cannot hide a worse split.
        let tol = 1e-9 * g.scale();
        for (k, d) in directions.iter().enumerate() {
            // A random imputation (x_i = c({i}) − yᵢ with y ≥ 0 summing to the slack), and
            // points between it and the nucleolus at several distances.
            let weight = |i: usize| d[i] + 1e-3;
            let total: f64 = (0..n).map(weight).sum();
            let z: Vec<f64> = (0..n).map(|i| single[i] - slack * weight(i) / total).collect();
            for t in [1.0, 0.1, 1e-3] {
                let y: Vec<f64> = x.iter().zip(&z).map(|(a, b)| a + t * (b - a)).collect();
                let candidate = g.sorted_excesses(&y);
                prop_assert!(
                    !lex_smaller(&candidate, &theta, tol),
                    "imputation {k} at t={t} beats the nucleolus: {:?} vs {:?}", y, x
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn monte_carlo_percentiles_converge_to_the_triangular_quantiles(
        low in -1000.0f64..1000.0,
        width in 10.0f64..5000.0,
        mode_at in 0.0f64..1.0,
        seed in 0u64..1000,
    ) {
        let high = low + width;
        let mode = low + mode_at * width;
        let dist = Distribution::new(low, mode, high, Shape::Triangular);
        let model = Model {
            constant: 0.0,
            terms: vec![Term { name: "x".into(), amount: dist.clone(), weight: Weight::Fixed(1.0) }],
            delays: vec![],
        };
        let settings = Settings { iterations: 200_000, seed, ..Settings::default() };
        let s = monte_carlo::simulate(&model, &settings, &|_, _| {}).unwrap();
        // Sampling error of a quantile at 200,000 draws is about 0.3% of the width; the
        // histogram adds at most width / 65,536.
        for (got, q) in [(s.p10, 0.1), (s.p50, 0.5), (s.p90, 0.9)] {
            let exact = dist.quantile(q);
            prop_assert!((got - exact).abs() < 0.01 * width, "q{q}: {got} vs {exact}");
        }
        prop_assert!((s.mean - dist.mean()).abs() < 0.01 * width);
        let expected_positive = if high <= 0.0 { 0.0 } else if low >= 0.0 { 1.0 } else {
            // 1 − F(0) by bisection on the quantile function.
            let (mut a, mut b) = (0.0, 1.0);
            for _ in 0..60 { let m = 0.5 * (a + b); if dist.quantile(m) < 0.0 { a = m } else { b = m } }
            1.0 - a
        };
        prop_assert!((s.probability_positive - expected_positive).abs() < 0.01);
    }
}
