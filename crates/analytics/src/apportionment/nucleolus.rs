//! The nucleolus and the least core, by sequential linear programming.
//!
//! # The method
//!
//! The nucleolus is the split whose sorted vector of excesses `x(S) − c(S)` (largest first,
//! over every proper non-empty coalition) is lexicographically smallest, among imputations
//! (efficient splits where nobody pays more than its standalone cost, `xᵢ ≤ c({i})`). When
//! no imputation exists (the councils together cost more than the sum of their standalone
//! costs) Accord returns the *prenucleolus* instead — the same minimisation over all
//! efficient splits — and says so.
//!
//! Stage `k` solves `min ε` subject to `x(S) − ε ≤ c(S)` for every coalition not yet settled,
//! `x(T) = c(T) + εⱼ` for the coalitions settled at earlier stages (the grand coalition at
//! level 0), and `xᵢ ≤ c({i})` for imputations. Every coalition with a positive dual value
//! is tight in every optimal solution, so it is settled at level `ε_k`; so is every
//! coalition whose characteristic vector lies in the span of the settled ones, since its
//! excess is then fixed. At least one coalition has a positive dual (they sum to 1), so
//! the rank of the settled set grows each stage and the method ends within `n` stages,
//! when the settled equations determine `x`.
//!
//! # The LP solver
//!
//! Each stage is solved by a dual simplex method in the `n + 1` variables `(x, ε)`: the
//! basis is `n + 1` active rows (a dense LU of at most 26 × 26, refactorised each
//! iteration, so errors do not accumulate) and the entering row is the most violated of all
//! `2ⁿ` rows, found in O(2ⁿ) by building every `x(S)` by doubling. This is constraint
//! generation with a warm basis: only rows that matter ever enter. The first basis holds the
//! settled rows, one coalition row and artificial bounds `±xⱼ ≤ M` (`M` a thousand times the
//! largest cost), which makes it dual feasible; the bounds leave the basis as real rows enter.
//! Bland's rule takes over after a run of degenerate steps, so the method cannot cycle.
//! The final split solves the `n` settled equations directly, to about 10⁻¹² of the costs.
//!
//! The least core is the first stage over all efficient splits: its `ε` is the smallest
//! amount by which every coalition's standalone cost must be relaxed for some split to be
//! unblocked (`ε ≤ 0` exactly when the core is not empty). Its dual values are balanced
//! weights that *prove* no split does better: for every efficient `x`,
//! `max_S e(S, x) ≥ Σ_S y_S e(S, x) = ε`.

use super::linalg::{Lu, Span};
use super::{Coalition, Game, coalition_sums_into};
use accord_domain::Invalid;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The set a nucleolus was computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    /// Efficient splits where nobody pays more than its standalone cost.
    Imputation,
    /// All efficient splits (used when there is no imputation).
    Preimputation,
}

/// A nucleolus.
#[derive(Debug, Clone, PartialEq)]
pub struct Nucleolus {
    /// Each player's share.
    pub allocation: Vec<f64>,
    /// The set it was computed over.
    pub domain: Domain,
    /// The excess level settled at each stage (non-increasing).
    pub levels: Vec<f64>,
    /// Simplex iterations over all stages.
    pub iterations: usize,
}

/// The least core.
#[derive(Debug, Clone, PartialEq)]
pub struct LeastCore {
    /// The least ε such that some split leaves every coalition's excess at or below ε.
    /// At or below zero exactly when the core is not empty.
    pub epsilon: f64,
    /// A split in the least core: the prenucleolus, its lexicographic centre.
    pub allocation: Vec<f64>,
    /// Balanced weights on coalitions proving that no split does better (they sum to 1).
    pub certificate: Vec<(Coalition, f64)>,
}

/// The nucleolus of a cost game (over imputations; the prenucleolus when there are none).
pub fn nucleolus(game: &Game) -> Result<Nucleolus, Invalid> {
    let standalone: f64 = (0..game.len()).map(|i| game.cost(1 << i)).sum();
    let imputations = standalone >= game.cost(game.grand()) - super::tolerance(game);
    let domain = if imputations {
        Domain::Imputation
    } else {
        Domain::Preimputation
    };
    let (allocation, levels, iterations, _) = sequential(game, imputations)?;
    Ok(Nucleolus {
        allocation,
        domain,
        levels,
        iterations,
    })
}

/// The prenucleolus: the nucleolus over all efficient splits.
pub fn prenucleolus(game: &Game) -> Result<Nucleolus, Invalid> {
    let (allocation, levels, iterations, _) = sequential(game, false)?;
    Ok(Nucleolus {
        allocation,
        domain: Domain::Preimputation,
        levels,
        iterations,
    })
}

/// The least core, with its certificate.
pub fn least_core(game: &Game) -> Result<LeastCore, Invalid> {
    let (allocation, levels, _, certificate) = sequential(game, false)?;
    Ok(LeastCore {
        epsilon: levels.first().copied().unwrap_or(0.0),
        allocation,
        certificate,
    })
}

/// The least-core ε alone (one LP).
pub fn least_core_epsilon(game: &Game) -> Result<f64, Invalid> {
    if game.len() < 2 {
        return Ok(0.0);
    }
    let mut solver = Solver::new(game, false);
    let result = solver.stage()?;
    Ok(result.epsilon)
}

type Sequential = (Vec<f64>, Vec<f64>, usize, Vec<(Coalition, f64)>);

fn sequential(game: &Game, imputations: bool) -> Result<Sequential, Invalid> {
    let n = game.len();
    if n == 1 {
        return Ok((vec![game.cost(1)], Vec::new(), 0, Vec::new()));
    }
    let mut solver = Solver::new(game, imputations);
    let mut levels = Vec::new();
    let mut certificate = Vec::new();
    let mut iterations = 0;
    while solver.span.rank() < n {
        let result = solver.stage()?;
        iterations += result.iterations;
        if levels.is_empty() {
            certificate.clone_from(&result.coalition_duals);
        }
        levels.push(result.epsilon);
        let before = solver.span.rank();
        for &(mask, dual) in &result.coalition_duals {
            if dual > DUAL_TOLERANCE && solver.span.add(&indicator(n, mask)) {
                solver.fixed.push((mask, result.epsilon));
            }
        }
        if solver.span.rank() == before {
            return Err(numerical("a stage settled no new coalition"));
        }
        solver.settle_spanned();
    }
    let x = solver.solve_fixed()?;
    Ok((x, levels, iterations, certificate))
}

const DUAL_TOLERANCE: f64 = 1e-9;
const MAX_ITERATIONS: usize = 200_000;

fn numerical(what: &str) -> Invalid {
    Invalid::field(
        "cost",
        format!(
            "the nucleolus could not be computed ({what}); check the costs are of a sensible size"
        ),
    )
}

fn indicator(n: usize, mask: Coalition) -> Vec<f64> {
    (0..n).map(|i| f64::from((mask >> i) & 1)).collect()
}

/// A row of a stage LP over `(x, ε)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Row {
    /// A coalition settled earlier: `x(T) = c(T) + level`; never leaves the basis.
    Fixed(usize),
    /// `x(S) − ε ≤ c(S)`.
    Coalition(Coalition),
    /// `xᵢ ≤ c({i})`.
    Imputation(usize),
    /// Artificial bound `xⱼ ≤ M` (`true`) or `−xⱼ ≤ M` (`false`).
    Bound(usize, bool),
}

struct StageResult {
    epsilon: f64,
    coalition_duals: Vec<(Coalition, f64)>,
    iterations: usize,
}

struct Solver<'a> {
    game: &'a Game,
    n: usize,
    imputations: bool,
    /// `c(S)` for coalitions not yet settled, +∞ otherwise (and for ∅ and N).
    open_cost: Vec<f64>,
    fixed: Vec<(Coalition, f64)>,
    span: Span,
    big: f64,
    tolerance: f64,
    sums: Vec<f64>,
}

impl<'a> Solver<'a> {
    fn new(game: &'a Game, imputations: bool) -> Self {
        let n = game.len();
        let mut open_cost = game.costs().to_vec();
        open_cost[0] = f64::INFINITY;
        open_cost[game.grand() as usize] = f64::INFINITY;
        let mut span = Span::new(n);
        span.add(&vec![1.0; n]);
        let scale = game.scale();
        Solver {
            game,
            n,
            imputations,
            open_cost,
            fixed: vec![(game.grand(), 0.0)],
            span,
            big: 1e3 * scale,
            tolerance: 1e-10 * scale,
            sums: vec![0.0; 1usize << n],
        }
    }

    fn row(&self, row: Row) -> (Vec<f64>, f64) {
        let n = self.n;
        let mut a = vec![0.0; n + 1];
        let b = match row {
            Row::Fixed(k) => {
                let (mask, level) = self.fixed[k];
                a[..n].copy_from_slice(&indicator(n, mask));
                self.game.cost(mask) + level
            }
            Row::Coalition(mask) => {
                a[..n].copy_from_slice(&indicator(n, mask));
                a[n] = -1.0;
                self.game.cost(mask)
            }
            Row::Imputation(i) => {
                a[i] = 1.0;
                self.game.cost(1 << i)
            }
            Row::Bound(j, upper) => {
                a[j] = if upper { 1.0 } else { -1.0 };
                self.big
            }
        };
        (a, b)
    }

    /// The first basis: settled rows, one open coalition, bounds on the other coordinates,
    /// chosen so the dual values are non-negative.
    fn first_basis(&self) -> Result<Vec<Row>, Invalid> {
        let n = self.n;
        let first_open = self
            .open_cost
            .iter()
            .position(|c| c.is_finite())
            .ok_or_else(|| numerical("no coalition left to settle"))?;
        #[allow(clippy::cast_possible_truncation)]
        let s0 = first_open as Coalition;
        let mut span = self.span.clone();
        let mut free_coords = Vec::new();
        for j in 0..n {
            let mut e = vec![0.0; n];
            e[j] = 1.0;
            if span.add(&e) {
                free_coords.push(j);
            }
        }
        // Columns: settled indicators, then unit vectors; solve for -1_{S0}.
        let mut m = vec![0.0; n * n];
        for (col, &(mask, _)) in self.fixed.iter().enumerate() {
            for r in 0..n {
                m[r * n + col] = f64::from((mask >> r) & 1);
            }
        }
        for (k, &j) in free_coords.iter().enumerate() {
            m[j * n + self.fixed.len() + k] = 1.0;
        }
        let lu = Lu::new(n, m).ok_or_else(|| numerical("settled coalitions are dependent"))?;
        let rhs: Vec<f64> = indicator(n, s0).iter().map(|v| -v).collect();
        let y = lu.solve(&rhs);
        let mut basis: Vec<Row> = (0..self.fixed.len()).map(Row::Fixed).collect();
        basis.push(Row::Coalition(s0));
        for (k, &j) in free_coords.iter().enumerate() {
            basis.push(Row::Bound(j, y[self.fixed.len() + k] >= 0.0));
        }
        Ok(basis)
    }

    /// The most violated row at `z`, or the first violated one in Bland's order.
    fn entering(&mut self, z: &[f64], bland: bool) -> Option<(Row, f64)> {
        let n = self.n;
        let (x, eps) = (&z[..n], z[n]);
        coalition_sums_into(x, &mut self.sums);
        let tol = self.tolerance;
        let mut best: Option<(Row, f64)> = None;
        let consider = |row: Row, v: f64, best: &mut Option<(Row, f64)>| {
            if v > tol && best.is_none_or(|(_, b)| v > b) {
                *best = Some((row, v));
            }
        };
        if bland {
            let found = self
                .sums
                .iter()
                .zip(&self.open_cost)
                .position(|(s, c)| s - eps - c > tol);
            if let Some(m) = found {
                #[allow(clippy::cast_possible_truncation)]
                return Some((
                    Row::Coalition(m as Coalition),
                    self.sums[m] - eps - self.open_cost[m],
                ));
            }
        } else {
            let (m, v) = max_violation(&self.sums, &self.open_cost, eps);
            #[allow(clippy::cast_possible_truncation)]
            consider(Row::Coalition(m as Coalition), v, &mut best);
        }
        if self.imputations {
            for (i, xi) in x.iter().enumerate() {
                let v = xi - self.game.cost(1 << i);
                if bland && v > tol {
                    return Some((Row::Imputation(i), v));
                }
                consider(Row::Imputation(i), v, &mut best);
            }
        }
        for (j, xj) in x.iter().enumerate() {
            for (upper, v) in [(true, xj - self.big), (false, -xj - self.big)] {
                if bland && v > tol {
                    return Some((Row::Bound(j, upper), v));
                }
                consider(Row::Bound(j, upper), v, &mut best);
            }
        }
        best
    }

    fn stage(&mut self) -> Result<StageResult, Invalid> {
        let d = self.n + 1;
        let mut basis = self.first_basis()?;
        let mut objective_rhs = vec![0.0; d];
        objective_rhs[d - 1] = -1.0;
        let mut degenerate_run = 0;
        let mut bland = false;
        for iteration in 0..MAX_ITERATIONS {
            let mut a = Vec::with_capacity(d * d);
            let mut b = Vec::with_capacity(d);
            for &row in &basis {
                let (r, rhs) = self.row(row);
                a.extend(r);
                b.push(rhs);
            }
            let lu = Lu::new(d, a).ok_or_else(|| numerical("a singular basis"))?;
            let z = lu.solve(&b);
            let duals = lu.solve_transposed(&objective_rhs);
            let Some((enter, _)) = self.entering(&z, bland) else {
                let coalition_duals = basis
                    .iter()
                    .zip(&duals)
                    .filter_map(|(row, &y)| match row {
                        Row::Coalition(mask) => Some((*mask, y.max(0.0))),
                        _ => None,
                    })
                    .collect();
                return Ok(StageResult {
                    epsilon: z[d - 1],
                    coalition_duals,
                    iterations: iteration,
                });
            };
            let (a_in, _) = self.row(enter);
            let w = lu.solve_transposed(&a_in);
            let mut leave: Option<(usize, f64)> = None;
            for (p, row) in basis.iter().enumerate() {
                if matches!(row, Row::Fixed(_)) || w[p] <= 1e-11 {
                    continue;
                }
                let t = duals[p].max(0.0) / w[p];
                let better = match leave {
                    None => true,
                    Some((q, best)) => {
                        if t < best - 1e-14 {
                            true
                        } else if t <= best + 1e-14 {
                            if bland {
                                basis[p] < basis[q]
                            } else {
                                w[p] > w[q]
                            }
                        } else {
                            false
                        }
                    }
                };
                if better {
                    leave = Some((p, t));
                }
            }
            let Some((p, t)) = leave else {
                return Err(numerical("the stage LP has no feasible split"));
            };
            if t <= 1e-13 {
                degenerate_run += 1;
                if degenerate_run > 50 {
                    bland = true;
                }
            } else {
                degenerate_run = 0;
            }
            basis[p] = enter;
        }
        Err(numerical("the simplex method did not finish"))
    }

    /// Marks as settled every open coalition whose indicator lies in the settled span.
    fn settle_spanned(&mut self) {
        let n = self.n;
        if self.span.rank() >= n {
            return;
        }
        // A coalition is in the span exactly when it is orthogonal to the complement, so
        // two fixed generic combinations of the complement basis test it with certainty
        // up to rounding (the coefficients are fixed, so runs are reproducible).
        let complement = self.span.complement();
        let probes: Vec<Vec<f64>> = [0.618_033_988_749_894_8_f64, 0.414_213_562_373_095_1]
            .iter()
            .map(|&phi| {
                let mut g = vec![0.0; n];
                for (k, v) in complement.iter().enumerate() {
                    #[allow(clippy::cast_precision_loss)]
                    let coefficient = ((k as f64 + 1.0) * phi).fract() + 0.5;
                    for (gi, vi) in g.iter_mut().zip(v) {
                        *gi += coefficient * vi;
                    }
                }
                g
            })
            .collect();
        let sums: Vec<Vec<f64>> = probes.iter().map(|g| super::coalition_sums(g)).collect();
        let threshold = 1e-8;
        self.open_cost
            .par_iter_mut()
            .enumerate()
            .for_each(|(m, c)| {
                if c.is_finite() && sums.iter().all(|s| s[m].abs() <= threshold) {
                    *c = f64::INFINITY;
                }
            });
    }

    fn solve_fixed(&self) -> Result<Vec<f64>, Invalid> {
        let n = self.n;
        let mut a = Vec::with_capacity(n * n);
        let mut b = Vec::with_capacity(n);
        for &(mask, level) in &self.fixed {
            a.extend(indicator(n, mask));
            b.push(self.game.cost(mask) + level);
        }
        let lu = Lu::new(n, a)
            .ok_or_else(|| numerical("the settled coalitions do not fix the split"))?;
        Ok(lu.solve(&b))
    }
}

/// The open coalition with the largest `x(S) − ε − c(S)`, and that value.
fn max_violation(sums: &[f64], open_cost: &[f64], eps: f64) -> (usize, f64) {
    const BLOCK: usize = 1 << 14;
    let scan = |offset: usize, s: &[f64], c: &[f64]| {
        let mut best = (offset, f64::NEG_INFINITY);
        for (k, (a, b)) in s.iter().zip(c).enumerate() {
            let v = a - eps - b;
            if v > best.1 {
                best = (offset + k, v);
            }
        }
        best
    };
    if sums.len() <= 4 * BLOCK {
        return scan(0, sums, open_cost);
    }
    sums.par_chunks(BLOCK)
        .zip(open_cost.par_chunks(BLOCK))
        .enumerate()
        .map(|(k, (s, c))| scan(k * BLOCK, s, c))
        .reduce(
            || (0, f64::NEG_INFINITY),
            |a, b| {
                if b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)).is_gt() {
                    b
                } else {
                    a
                }
            },
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn players(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("P{i}")).collect()
    }

    #[test]
    fn three_player_textbook_game() {
        // Savings game v(12)=v(13)=v(23)=... turned into costs: each alone costs 100,
        // pairs 150, all three 180. Symmetric, so every method splits equally.
        let g = Game::from_fn(players(3), |s| match s.count_ones() {
            0 => 0.0,
            1 => 100.0,
            2 => 150.0,
            _ => 180.0,
        })
        .unwrap();
        let nu = nucleolus(&g).unwrap();
        for x in &nu.allocation {
            assert!((x - 60.0).abs() < 1e-9);
        }
        assert_eq!(nu.domain, Domain::Imputation);
        let lc = least_core(&g).unwrap();
        // Pairs pay 120 against 150: excess -30; singles 60 against 100: -40.
        assert!((lc.epsilon + 30.0).abs() < 1e-9, "{}", lc.epsilon);
    }

    #[test]
    fn asymmetric_game_against_hand_solution() {
        // c(1)=c(2)=c(3)=100, c(12)=120, c(13)=c(23)=200, c(123)=220.
        // Least core: pair {1,2} and singleton 3 constrain: x1+x2 - 120 = x3 - 100 = ε,
        // x1+x2+x3 = 220 → 2ε = 0 → ε = 0; then x3 = 100, x1 = x2 = 60.
        let costs = vec![0.0, 100.0, 100.0, 120.0, 100.0, 200.0, 200.0, 220.0];
        let g = Game::from_costs(players(3), costs).unwrap();
        let nu = nucleolus(&g).unwrap();
        let expected = [60.0, 60.0, 100.0];
        for (x, e) in nu.allocation.iter().zip(expected) {
            assert!((x - e).abs() < 1e-9, "{:?}", nu.allocation);
        }
        assert!(nu.levels[0].abs() < 1e-9);
    }

    #[test]
    fn empty_core_still_gives_a_nucleolus() {
        // Pairs cost 100, singles 100, all three 180: any split leaves some pair paying
        // over 120 > 100? Pairs pay 2/3 of 180 = 120 against 100, so the core is empty.
        let g = Game::from_fn(players(3), |s| match s.count_ones() {
            0 => 0.0,
            1 | 2 => 100.0,
            _ => 180.0,
        })
        .unwrap();
        let lc = least_core(&g).unwrap();
        assert!((lc.epsilon - 20.0).abs() < 1e-9);
        let nu = nucleolus(&g).unwrap();
        for x in &nu.allocation {
            assert!((x - 60.0).abs() < 1e-9);
        }
    }

    #[test]
    fn no_imputation_falls_back_to_prenucleolus() {
        // Together they cost more than apart.
        let g = Game::from_costs(players(2), vec![0.0, 10.0, 20.0, 40.0]).unwrap();
        let nu = nucleolus(&g).unwrap();
        assert_eq!(nu.domain, Domain::Preimputation);
        // Prenucleolus of 2 players: equal excess, x1 - 10 = x2 - 20, sum 40 → 15, 25.
        assert!((nu.allocation[0] - 15.0).abs() < 1e-9);
        assert!((nu.allocation[1] - 25.0).abs() < 1e-9);
    }
}
