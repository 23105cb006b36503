//! Fair apportionment of a partnership's costs between its councils.
//!
//! A partnership is a *cost game*: for every coalition `S` of councils, `c(S)` is what those
//! councils would pay to run the service together without the others (`c(∅) = 0`). A split
//! (an *allocation*) `x` gives each council its share, and shares add up to `c(N)`, the
//! cost of the whole partnership.
//!
//! - [`equal`]: the same share for every council (MOU 7.1, governance and programme costs).
//! - [`proportional`]: shares in proportion to a driver (population, budget, transactions).
//! - [`shapley`]: each council's average extra cost over every order of joining.
//! - [`nucleolus`]: the split that makes the worst-off coalition as well off as possible,
//!   then the next, and so on; and the least core.
//! - [`blocking_coalitions`]: the core check — every coalition that would pay less alone.
//!
//! Sign convention: the *excess* of a coalition under a split is `x(S) − c(S)`, what it pays
//! beyond its standalone cost. A coalition *blocks* a split when its excess is above zero
//! (it would be better off alone). The core is the set of splits no coalition blocks.

mod linalg;
pub mod nucleolus;
pub mod shapley;

use accord_domain::Invalid;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most players for the exact methods (Shapley from a table, nucleolus, least core,
/// core check): their work grows as 2ⁿ.
pub const MAX_EXACT_PLAYERS: usize = 25;

/// A coalition, as a bit set of player indices (bit `i` set when player `i` belongs).
pub type Coalition = u32;

/// A cost game given by its full coalition table.
#[derive(Debug, Clone, PartialEq)]
pub struct Game {
    players: Vec<String>,
    /// `costs[mask]` is the cost of the coalition `mask`; `costs[0] = 0`.
    costs: Vec<f64>,
}

impl Game {
    /// A game from a cost for every coalition, indexed by bit mask (`costs[0]` is ignored
    /// and set to 0). `costs` must have `2ⁿ` entries for `n` players.
    pub fn from_costs(players: Vec<String>, mut costs: Vec<f64>) -> Result<Self, Invalid> {
        check_players(&players)?;
        let n = players.len();
        if costs.len() != 1usize << n {
            return Err(Invalid::field(
                "cost",
                format!(
                    "{n} players need {} coalition costs; {} were given",
                    (1usize << n) - 1,
                    costs.len().saturating_sub(1)
                ),
            ));
        }
        costs[0] = 0.0;
        let game = Game { players, costs };
        let mut invalid = Invalid::new();
        for (mask, c) in game.costs.iter().enumerate().skip(1) {
            if !(c.is_finite() && *c >= 0.0) {
                #[allow(clippy::cast_possible_truncation)]
                let name = game.coalition_name(mask as Coalition);
                invalid.push(
                    format!("cost.{name}"),
                    format!("{c} is not a cost; give an amount in pounds, zero or more"),
                );
                if invalid.errors.len() >= 10 {
                    break;
                }
            }
        }
        invalid.into_result()?;
        Ok(game)
    }

    /// A game from a function of coalitions.
    pub fn from_fn(
        players: Vec<String>,
        cost: impl Fn(Coalition) -> f64 + Sync,
    ) -> Result<Self, Invalid> {
        check_players(&players)?;
        #[allow(clippy::cast_possible_truncation)]
        let costs = (0..1usize << players.len())
            .map(|m| cost(m as Coalition))
            .collect();
        Self::from_costs(players, costs)
    }

    /// A game from named coalitions, as in the `allocate` input: keys are member names
    /// joined with `+` in any order (`"A+B"`, `"B + A"`), one key per non-empty coalition.
    pub fn from_table(
        players: Vec<String>,
        table: &BTreeMap<String, f64>,
    ) -> Result<Self, Invalid> {
        check_players(&players)?;
        let n = players.len();
        let mut costs = vec![f64::NAN; 1usize << n];
        costs[0] = 0.0;
        let mut names: Vec<Option<&str>> = vec![None; 1usize << n];
        let mut invalid = Invalid::new();
        for (key, &value) in table {
            let field = format!("cost.{key}");
            let mut mask: Coalition = 0;
            let mut ok = true;
            for member in key.split('+').map(str::trim) {
                match players.iter().position(|p| p == member) {
                    Some(i) if mask & (1 << i) != 0 => {
                        invalid.push(&field, format!("names “{member}” twice"));
                        ok = false;
                    }
                    Some(i) => mask |= 1 << i,
                    None => {
                        invalid.push(
                            &field,
                            format!(
                                "“{member}” is not one of the players ({})",
                                players.join(", ")
                            ),
                        );
                        ok = false;
                    }
                }
            }
            if !ok {
                continue;
            }
            if !(value.is_finite() && value >= 0.0) {
                invalid.push(
                    &field,
                    format!("{value} is not a cost; give an amount in pounds, zero or more"),
                );
                continue;
            }
            if let Some(other) = names[mask as usize] {
                invalid.push(&field, format!("is the same coalition as “{other}”"));
                continue;
            }
            names[mask as usize] = Some(key);
            costs[mask as usize] = value;
        }
        invalid.into_result()?;
        let game = Game { players, costs };
        let missing: Vec<String> = (1..game.costs.len())
            .filter(|&m| game.costs[m].is_nan())
            .map(|m| {
                #[allow(clippy::cast_possible_truncation)]
                game.coalition_name(m as Coalition)
            })
            .collect();
        if !missing.is_empty() {
            let shown: Vec<&str> = missing.iter().take(5).map(String::as_str).collect();
            let more = if missing.len() > 5 {
                format!(" and {} more", missing.len() - 5)
            } else {
                String::new()
            };
            return Err(Invalid::field(
                "cost",
                format!(
                    "the table has no cost for {}{more}; every coalition needs one (or use a \"model\")",
                    shown.join(", ")
                ),
            ));
        }
        Ok(game)
    }

    /// The players' names.
    pub fn players(&self) -> &[String] {
        &self.players
    }

    /// The number of players.
    pub fn len(&self) -> usize {
        self.players.len()
    }

    /// Whether there are no players (never, for a checked game).
    pub fn is_empty(&self) -> bool {
        self.players.is_empty()
    }

    /// The cost of a coalition.
    #[inline]
    pub fn cost(&self, coalition: Coalition) -> f64 {
        self.costs[coalition as usize]
    }

    /// Every coalition's cost, indexed by mask.
    pub fn costs(&self) -> &[f64] {
        &self.costs
    }

    /// The grand coalition.
    #[allow(clippy::cast_possible_truncation)]
    pub fn grand(&self) -> Coalition {
        ((1u64 << self.players.len()) - 1) as Coalition
    }

    /// A coalition's members' names joined with `+`, in player order.
    pub fn coalition_name(&self, coalition: Coalition) -> String {
        self.members(coalition).join("+")
    }

    /// A coalition's members' names.
    pub fn members(&self, coalition: Coalition) -> Vec<String> {
        self.players
            .iter()
            .enumerate()
            .filter(|(i, _)| coalition & (1 << i) != 0)
            .map(|(_, p)| p.clone())
            .collect()
    }

    /// The game restricted to the first `k` players (a partnership before later members
    /// joined).
    pub fn restricted(&self, k: usize) -> Result<Game, Invalid> {
        let k = k.min(self.len());
        Game::from_costs(
            self.players[..k].to_vec(),
            self.costs[..1usize << k].to_vec(),
        )
    }

    /// The excess of every proper, non-empty coalition under `x`, sorted from largest
    /// to smallest: the vector the nucleolus makes lexicographically smallest.
    pub fn sorted_excesses(&self, x: &[f64]) -> Vec<f64> {
        let sums = coalition_sums(x);
        let mut e: Vec<f64> = (1..self.grand() as usize)
            .map(|m| sums[m] - self.costs[m])
            .collect();
        e.sort_by(|a, b| b.total_cmp(a));
        e
    }

    /// A scale for tolerances: the largest coalition cost, at least 1.
    pub fn scale(&self) -> f64 {
        self.costs.iter().fold(1.0_f64, |m, c| m.max(c.abs()))
    }
}

fn check_players(players: &[String]) -> Result<(), Invalid> {
    let mut invalid = Invalid::new();
    if players.is_empty() {
        invalid.push("players", "name at least one player");
    }
    if players.len() > MAX_EXACT_PLAYERS {
        invalid.push(
            "players",
            format!(
                "{} players is more than the {MAX_EXACT_PLAYERS} the exact methods handle (they need all 2ⁿ \
                 coalitions); use \"shapley_sampled\" (permutation sampling) with a \"model\" instead",
                players.len()
            ),
        );
    }
    for (i, p) in players.iter().enumerate() {
        if p.trim().is_empty() || p.trim() != p || p.contains('+') {
            invalid.push(
                format!("players[{i}]"),
                format!("“{p}” cannot be a player name: names must be non-empty, without “+” or surrounding spaces"),
            );
        } else if players[..i].contains(p) {
            invalid.push(format!("players[{i}]"), format!("“{p}” is listed twice"));
        }
    }
    invalid.into_result()
}

/// `sums[mask] = Σ_{i ∈ mask} x_i` for every mask, by doubling.
pub(crate) fn coalition_sums(x: &[f64]) -> Vec<f64> {
    let mut sums = vec![0.0; 1usize << x.len()];
    coalition_sums_into(x, &mut sums);
    sums
}

pub(crate) fn coalition_sums_into(x: &[f64], sums: &mut [f64]) {
    sums[0] = 0.0;
    for (j, &xj) in x.iter().enumerate() {
        let half = 1usize << j;
        let (lo, hi) = sums[..2 * half].split_at_mut(half);
        for (h, l) in hi.iter_mut().zip(lo.iter()) {
            *h = l + xj;
        }
    }
}

/// The same share for everyone: `total / n`.
pub fn equal(players: usize, total: f64) -> Vec<f64> {
    #[allow(clippy::cast_precision_loss)]
    let share = total / players.max(1) as f64;
    vec![share; players]
}

/// Shares in proportion to a driver. `field` names the driver in errors; every value must
/// be finite and non-negative and at least one above zero.
pub fn proportional(field: &str, driver: &[f64], total: f64) -> Result<Vec<f64>, Invalid> {
    let mut invalid = Invalid::new();
    for (i, d) in driver.iter().enumerate() {
        if !(d.is_finite() && *d >= 0.0) {
            invalid.push(format!("{field}[{i}]"), "must be a number, zero or more");
        }
    }
    invalid.into_result()?;
    let sum: f64 = driver.iter().sum();
    if sum <= 0.0 {
        return Err(Invalid::field(
            field,
            "at least one value must be above zero",
        ));
    }
    Ok(driver.iter().map(|d| total * d / sum).collect())
}

/// A coalition that would be better off alone under a split.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Blocking {
    /// The coalition.
    pub coalition: Coalition,
    /// How much more it pays under the split than alone: `x(S) − c(S)` (above zero).
    pub excess: f64,
}

/// The core check: every coalition whose members together pay more than `tolerance` above
/// their standalone cost under `x`, largest excess first (ties in mask order).
pub fn blocking_coalitions(game: &Game, x: &[f64], tolerance: f64) -> Vec<Blocking> {
    let sums = coalition_sums(x);
    let mut out: Vec<Blocking> = (1..game.grand() as usize)
        .filter_map(|m| {
            let excess = sums[m] - game.costs[m];
            #[allow(clippy::cast_possible_truncation)]
            (excess > tolerance).then_some(Blocking {
                coalition: m as Coalition,
                excess,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.excess
            .total_cmp(&a.excess)
            .then(a.coalition.cmp(&b.coalition))
    });
    out
}

/// The tolerance the checks use for a game: a billionth of its largest cost.
pub fn tolerance(game: &Game) -> f64 {
    1e-9 * game.scale()
}

/// An apportionment method, as named in the `allocate` input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The same share for everyone.
    Equal,
    /// In proportion to a driver.
    Proportional,
    /// The exact Shapley value (up to 25 players).
    Shapley,
    /// The Shapley value estimated by permutation sampling, with standard errors.
    ShapleySampled,
    /// The nucleolus (the prenucleolus when there is no imputation).
    Nucleolus,
    /// The lexicographic centre of the least core (the prenucleolus).
    LeastCore,
}

impl Method {
    /// The method's name in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Method::Equal => "equal",
            Method::Proportional => "proportional",
            Method::Shapley => "shapley",
            Method::ShapleySampled => "shapley_sampled",
            Method::Nucleolus => "nucleolus",
            Method::LeastCore => "least_core",
        }
    }

    /// Whether the method needs the full coalition table.
    pub fn is_exact(self) -> bool {
        matches!(
            self,
            Method::Shapley | Method::Nucleolus | Method::LeastCore
        )
    }
}

/// What one method gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// Each player's share, in player order.
    pub shares: Vec<f64>,
    /// Standard errors of sampled shares.
    pub standard_errors: Option<Vec<f64>>,
    /// For the nucleolus, the set it was computed over.
    pub domain: Option<nucleolus::Domain>,
}

/// Sampling options for [`Method::ShapleySampled`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sampling {
    /// Orders of joining to sample.
    pub samples: u64,
    /// The seed.
    pub seed: u64,
}

/// Runs one method. `game` is needed by the exact methods; `cost` prices coalitions for
/// sampling; `grand_cost` is the cost to split; `driver` is needed by `proportional`.
pub fn allocate(
    method: Method,
    game: Option<&Game>,
    cost: &dyn shapley::CostFunction,
    driver: Option<&[f64]>,
    sampling: Sampling,
) -> Result<Allocation, Invalid> {
    let n = cost.players();
    #[allow(clippy::cast_possible_truncation)]
    let grand = cost.cost(if n >= 128 {
        u128::MAX
    } else {
        (1u128 << n) - 1
    });
    let plain = |shares| Allocation {
        shares,
        standard_errors: None,
        domain: None,
    };
    let need_game = || {
        game.ok_or_else(|| {
            Invalid::field(
                "methods",
                format!(
                    "“{}” needs every coalition's cost, which is out of reach beyond {MAX_EXACT_PLAYERS} players; use \"shapley_sampled\"",
                    method.name()
                ),
            )
        })
    };
    Ok(match method {
        Method::Equal => plain(equal(n, grand)),
        Method::Proportional => {
            let driver = driver.ok_or_else(|| {
                Invalid::field(
                    "driver",
                    "“proportional” needs a driver: a number per player, such as population",
                )
            })?;
            plain(proportional("driver", driver, grand)?)
        }
        Method::Shapley => plain(shapley::exact(need_game()?)),
        Method::ShapleySampled => {
            let s = shapley::sampled(cost, sampling.samples, sampling.seed)?;
            Allocation {
                shares: s.values,
                standard_errors: Some(s.standard_errors),
                domain: None,
            }
        }
        Method::Nucleolus => {
            let nu = nucleolus::nucleolus(need_game()?)?;
            Allocation {
                shares: nu.allocation,
                standard_errors: None,
                domain: Some(nu.domain),
            }
        }
        Method::LeastCore => {
            let lc = nucleolus::least_core(need_game()?)?;
            plain(lc.allocation)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        ["A", "B", "C", "D"][..n]
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    }

    #[test]
    fn table_accepts_members_in_any_order() {
        let table: BTreeMap<String, f64> = [("A", 100.0), ("B", 80.0), ("B + A", 150.0)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let g = Game::from_table(names(2), &table).unwrap();
        assert!((g.cost(0b11) - 150.0).abs() < f64::EPSILON);
        assert_eq!(g.coalition_name(0b11), "A+B");
    }

    #[test]
    fn table_refusals_name_the_field() {
        type Case = (Vec<(&'static str, f64)>, &'static str, &'static str);
        let cases: Vec<Case> = vec![
            (vec![("A", 1.0), ("B", 1.0)], "cost", "A+B"),
            (
                vec![("A", 1.0), ("B", 1.0), ("A+Z", 2.0)],
                "cost.A+Z",
                "not one of the players",
            ),
            (
                vec![("A", 1.0), ("B", -1.0), ("A+B", 2.0)],
                "cost.B",
                "not a cost",
            ),
            (
                vec![("A", 1.0), ("B", 1.0), ("A+B", 2.0), ("B+A", 2.0)],
                "cost.B+A",
                "same coalition",
            ),
            (
                vec![("A", 1.0), ("B", 1.0), ("A+A", 2.0)],
                "cost.A+A",
                "twice",
            ),
        ];
        for (entries, field, words) in cases {
            let table = entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
            let err = Game::from_table(names(2), &table).unwrap_err();
            assert_eq!(err.errors[0].field, field, "{err}");
            assert!(err.errors[0].message.contains(words), "{err}");
        }
        let many: Vec<String> = (0..26).map(|i| format!("P{i}")).collect();
        let err = Game::from_table(many, &BTreeMap::new()).unwrap_err();
        assert_eq!(err.errors[0].field, "players");
        assert!(err.errors[0].message.contains("shapley_sampled"));
    }

    #[test]
    fn equal_proportional_and_core_check() {
        assert_eq!(equal(4, 100.0), vec![25.0; 4]);
        let p = proportional("driver", &[1.0, 3.0], 100.0).unwrap();
        assert_eq!(p, vec![25.0, 75.0]);
        assert!(proportional("driver", &[0.0, 0.0], 1.0).is_err());
        assert_eq!(
            proportional("driver", &[1.0, -1.0], 1.0)
                .unwrap_err()
                .errors[0]
                .field,
            "driver[1]"
        );
        // A 3-player game where A and B together cost little.
        let g = Game::from_costs(
            names(3),
            vec![0.0, 100.0, 100.0, 120.0, 100.0, 200.0, 200.0, 220.0],
        )
        .unwrap();
        let blocking = blocking_coalitions(&g, &equal(3, 220.0), 1e-9);
        let listed: Vec<String> = blocking
            .iter()
            .map(|b| g.coalition_name(b.coalition))
            .collect();
        assert_eq!(listed, vec!["A+B"]);
        assert!((blocking[0].excess - (2.0 * 220.0 / 3.0 - 120.0)).abs() < 1e-9);
    }
}
