//! The Shapley value: each player's marginal cost averaged over every order of joining.
//!
//! [`exact`] works from the full coalition table in O(n·2ⁿ): with `w(k) = k!(n−k−1)!/n!`,
//! `φᵢ = Σ_{S∋i} w(|S|−1)·c(S) − Σ_{S∌i} w(|S|)·c(S)`, which is
//! `Σ_{S∋i} h(S) − G` with `h(S) = (w(|S|−1) + w(|S|))·c(S)` and `G = Σ_{S≠N} w(|S|)·c(S)`.
//! The sum over `S ∋ i` is taken tile by tile (4,096 coalitions that fit in the L1 cache,
//! folded in halves so every bit's sum costs one pass), tiles in parallel, partial sums added in a fixed order so results do not depend on the
//! thread count.
//!
//! [`sampled`] estimates the value by random orders of joining for games too large for a
//! table, with standard errors. [`additive`] and [`airport`] are closed forms for structured
//! games.

use super::{Coalition, Game};
use crate::rng::Streams;
use accord_domain::Invalid;
use rayon::prelude::*;

/// log₂ of the tile size.
const TILE_BITS: usize = 12;

/// The exact Shapley value of a game.
pub fn exact(game: &Game) -> Vec<f64> {
    let n = game.len();
    if n == 0 {
        return Vec::new();
    }
    // w[k] = k!(n-k-1)!/n! = 1 / (n · C(n-1, k)), built without factorials.
    let mut binomial = vec![1.0_f64; n];
    for k in 1..n {
        #[allow(clippy::cast_precision_loss)]
        let ratio = (n - k) as f64 / k as f64;
        binomial[k] = binomial[k - 1] * ratio;
    }
    #[allow(clippy::cast_precision_loss)]
    let w: Vec<f64> = binomial.iter().map(|b| 1.0 / (n as f64 * b)).collect();
    // Coefficient of c(S) in h by size: w(k-1) for members, w(k) for non-members (k < n).
    let coefficient: Vec<f64> = (0..=n)
        .map(|k| {
            let member = if k >= 1 { w[k - 1] } else { 0.0 };
            let other = if k < n { w[k] } else { 0.0 };
            member + other
        })
        .collect();
    let other: Vec<f64> = (0..=n).map(|k| if k < n { w[k] } else { 0.0 }).collect();
    let costs = game.costs();
    let tile_bits = TILE_BITS.min(n);
    let tile = 1usize << tile_bits;
    let tiles = costs.len() / tile;
    // Fixed groups of tiles so the summation order is the same on any number of threads.
    let group = 16;
    let partials: Vec<(Vec<f64>, f64)> = (0..tiles.div_ceil(group))
        .into_par_iter()
        .map(|g| {
            let mut acc = vec![0.0; n];
            let mut total_other = 0.0;
            let mut h = vec![0.0; tile];
            for t in g * group..((g + 1) * group).min(tiles) {
                let base = t * tile;
                let high_count = t.count_ones() as usize;
                let mut tile_sum = 0.0;
                for (j, (hj, &c)) in h.iter_mut().zip(&costs[base..base + tile]).enumerate() {
                    let k = high_count + j.count_ones() as usize;
                    *hj = coefficient[k] * c;
                    tile_sum += *hj;
                    total_other += other[k] * c;
                }
                // Fold the tile in halves, highest bit first: the upper half holds the
                // coalitions with that bit set, and adding it onto the lower half keeps
                // the sums for every lower bit. Two passes' worth of contiguous adds.
                for level in (0..tile_bits).rev() {
                    let half = 1usize << level;
                    let (lo, hi) = h[..2 * half].split_at_mut(half);
                    acc[level] += hi.iter().sum::<f64>();
                    for (l, u) in lo.iter_mut().zip(hi.iter()) {
                        *l += u;
                    }
                }
                for (i, a) in acc.iter_mut().enumerate().skip(tile_bits) {
                    if (t >> (i - tile_bits)) & 1 == 1 {
                        *a += tile_sum;
                    }
                }
            }
            (acc, total_other)
        })
        .collect();
    let mut phi = vec![0.0; n];
    let mut g_total = 0.0;
    for (acc, other_sum) in partials {
        for (p, a) in phi.iter_mut().zip(acc) {
            *p += a;
        }
        g_total += other_sum;
    }
    // G excludes the grand coalition, whose `other` coefficient is already 0.
    for p in &mut phi {
        *p -= g_total;
    }
    phi
}

/// Anything that can price a coalition, for sampling games too large for a table.
/// Coalitions are bit sets of up to 128 players.
pub trait CostFunction: Sync {
    /// The number of players.
    fn players(&self) -> usize;
    /// The cost of a coalition.
    fn cost(&self, coalition: u128) -> f64;
}

impl CostFunction for Game {
    fn players(&self) -> usize {
        self.len()
    }

    fn cost(&self, coalition: u128) -> f64 {
        #[allow(clippy::cast_possible_truncation)]
        Game::cost(self, coalition as Coalition)
    }
}

/// A sampled Shapley value.
#[derive(Debug, Clone, PartialEq)]
pub struct Sampled {
    /// The estimates; they add up to the grand coalition's cost exactly.
    pub values: Vec<f64>,
    /// The standard error of each estimate.
    pub standard_errors: Vec<f64>,
    /// Orders of joining sampled.
    pub samples: u64,
}

/// Permutations per parallel chunk (each chunk has its own random stream).
const SAMPLE_CHUNK: u64 = 256;

/// Estimates the Shapley value from `samples` random orders of joining, seeded by `seed`
/// (the same seed gives the same estimate on any number of threads).
pub fn sampled(game: &dyn CostFunction, samples: u64, seed: u64) -> Result<Sampled, Invalid> {
    let n = game.players();
    if n == 0 || n > 128 {
        return Err(Invalid::field(
            "players",
            "sampling handles 1 to 128 players",
        ));
    }
    if samples < 2 {
        return Err(Invalid::field(
            "samples",
            "take at least 2 samples; 10,000 is a sensible start",
        ));
    }
    let chunks = samples.div_ceil(SAMPLE_CHUNK);
    let partials: Vec<(Vec<f64>, Vec<f64>)> = (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut streams = Streams::for_chunk(seed, chunk);
            let count = SAMPLE_CHUNK.min(samples - chunk * SAMPLE_CHUNK);
            let mut sum = vec![0.0; n];
            let mut sum_sq = vec![0.0; n];
            let mut order: Vec<usize> = (0..n).collect();
            for _ in 0..count {
                for i in (1..n).rev() {
                    order.swap(i, streams.below(i + 1));
                }
                let mut coalition = 0u128;
                let mut before = 0.0;
                for &p in &order {
                    coalition |= 1 << p;
                    let after = game.cost(coalition);
                    let marginal = after - before;
                    sum[p] += marginal;
                    sum_sq[p] += marginal * marginal;
                    before = after;
                }
            }
            (sum, sum_sq)
        })
        .collect();
    let mut sum = vec![0.0; n];
    let mut sum_sq = vec![0.0; n];
    for (s, q) in partials {
        for i in 0..n {
            sum[i] += s[i];
            sum_sq[i] += q[i];
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let m = samples as f64;
    let values: Vec<f64> = sum.iter().map(|s| s / m).collect();
    let standard_errors = values
        .iter()
        .zip(&sum_sq)
        .map(|(mean, sq)| ((sq / m - mean * mean).max(0.0) * m / (m - 1.0) / m).sqrt())
        .collect();
    Ok(Sampled {
        values,
        standard_errors,
        samples,
    })
}

/// Closed form for an additive game (`c(S) = Σ_{i∈S} cᵢ`, no gain from sharing): each
/// player pays its standalone cost.
pub fn additive(standalone: &[f64]) -> Vec<f64> {
    standalone.to_vec()
}

/// Closed form for an airport game (`c(S) = max_{i∈S} cᵢ`: one shared facility sized for
/// the most demanding member, such as a shared IT platform). Each layer of cost between
/// consecutive requirements is split equally among the players that need it
/// (Littlechild and Owen, 1973).
pub fn airport(requirements: &[f64]) -> Vec<f64> {
    let n = requirements.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| requirements[*a].total_cmp(&requirements[*b]));
    let mut phi = vec![0.0; n];
    let mut running = 0.0;
    let mut previous = 0.0;
    for (k, &p) in order.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let users = (n - k) as f64;
        running += (requirements[p] - previous) / users;
        previous = requirements[p];
        phi[p] = running;
    }
    phi
}

#[cfg(test)]
mod tests {
    use super::*;

    fn players(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("P{i}")).collect()
    }

    /// The textbook definition, for checking: average marginal cost over all subsets.
    pub(crate) fn naive(game: &Game) -> Vec<f64> {
        let n = game.len();
        let fact = |k: usize| (1..=k).map(|v| v as f64).product::<f64>();
        (0..n)
            .map(|i| {
                (0..1u32 << n)
                    .filter(|s| s & (1 << i) == 0)
                    .map(|s| {
                        let k = s.count_ones() as usize;
                        fact(k) * fact(n - k - 1) / fact(n)
                            * (game.cost(s | (1 << i)) - game.cost(s))
                    })
                    .sum()
            })
            .collect()
    }

    #[test]
    fn exact_matches_the_definition() {
        for n in [1, 2, 3, 5, 13, 14] {
            let g = Game::from_fn(players(n), |s| {
                let k = f64::from(s.count_ones());
                10.0 * k.sqrt() + f64::from(s % 7) + f64::from(s.trailing_zeros().min(9))
            })
            .unwrap();
            let fast = exact(&g);
            let slow = naive(&g);
            for (a, b) in fast.iter().zip(&slow) {
                assert!((a - b).abs() < 1e-9, "n {n}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn closed_forms_agree_with_the_table() {
        let req = [30.0, 10.0, 60.0, 10.0];
        let g = Game::from_fn(players(4), |s| {
            (0..4)
                .filter(|i| s & (1 << i) != 0)
                .map(|i| req[i])
                .fold(0.0, f64::max)
        })
        .unwrap();
        let table = exact(&g);
        let closed = airport(&req);
        for (a, b) in table.iter().zip(&closed) {
            assert!((a - b).abs() < 1e-12);
        }
        // 10/4 each for the first layer; 20/2 more for P0 and P2; 30 more for P2.
        assert!((closed[1] - 2.5).abs() < 1e-12);
        assert!((closed[0] - 12.5).abs() < 1e-12);
        assert!((closed[2] - 42.5).abs() < 1e-12);
        assert_eq!(additive(&[1.0, 2.0]), vec![1.0, 2.0]);
    }

    #[test]
    fn sampling_converges_and_is_efficient() {
        let g = Game::from_fn(players(6), |s| {
            f64::from(s.count_ones()).powf(0.7) * 100.0 + f64::from(s % 5)
        })
        .unwrap();
        let e = exact(&g);
        let s = sampled(&g, 40_000, 7).unwrap();
        let total: f64 = s.values.iter().sum();
        assert!((total - g.cost(g.grand())).abs() < 1e-6);
        for (i, exact) in e.iter().enumerate() {
            assert!(
                (s.values[i] - exact).abs() < 5.0 * s.standard_errors[i] + 1e-9,
                "{i}"
            );
        }
        let again = sampled(&g, 40_000, 7).unwrap();
        assert_eq!(s, again);
        assert!(sampled(&g, 1, 7).is_err());
    }
}
