//! Coalition costs derived from a few business-case figures, so a partnership gets its
//! 2ⁿ-entry cost table without typing it.
//!
//! # The model
//!
//! For a coalition `S` of `k` councils:
//!
//! - alone (`k = 1`), a council pays its standalone cost `aᵢ` (what running the service
//!   itself costs over the appraisal, in pounds);
//! - together (`k ≥ 2`), the councils pay
//!   `c(S) = (1 − s·(1 − 1/k))·Σ_{i∈S} aᵢ + F + Σ_{i<j in S} p_ij`, where
//!   - `s` is the economies of scale: the share of the combined running cost that a very
//!     large partnership would save (a pair saves `s/2`, three save `2s/3`, and so on);
//!   - `F` is the shared fixed cost of any joint arrangement (programme team, governance,
//!     a shared platform);
//!   - `p_ij` is the IT-incompatibility penalty between councils `i` and `j`: the extra cost
//!     of bringing their systems together, paid whenever both are in.
//!
//! The model is a [`CostFunction`], so it also serves permutation sampling for partnerships
//! too large for a table.

use crate::apportionment::shapley::CostFunction;
use crate::apportionment::{Coalition, Game, MAX_EXACT_PLAYERS};
use accord_domain::Invalid;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An incompatibility penalty between two councils.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Penalty {
    /// The two councils.
    pub between: [String; 2],
    /// The extra cost in pounds when both are in a coalition.
    pub cost: f64,
}

/// The model's inputs, keyed by council name (the `model` of the `allocate` input).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ModelInput {
    /// Each council's standalone cost in pounds.
    pub standalone: BTreeMap<String, f64>,
    /// The shared fixed cost of any joint arrangement, in pounds (default 0).
    #[serde(default)]
    pub shared_fixed_cost: f64,
    /// The economies of scale `s`, a fraction in `[0, 1)` (default 0).
    #[serde(default)]
    pub economies_of_scale: f64,
    /// IT-incompatibility penalties between pairs (default none).
    #[serde(default)]
    pub incompatibility: Vec<Penalty>,
}

/// A checked model, with players in a fixed order.
#[derive(Debug, Clone, PartialEq)]
pub struct CoalitionModel {
    players: Vec<String>,
    standalone: Vec<f64>,
    shared_fixed_cost: f64,
    economies_of_scale: f64,
    /// `penalty[i * n + j]` for `i < j`.
    penalty: Vec<f64>,
}

impl CoalitionModel {
    /// Checks the inputs against the list of players (in that order). Errors name the
    /// field under `model.`.
    pub fn new(players: &[String], input: &ModelInput) -> Result<Self, Invalid> {
        let mut invalid = Invalid::new();
        let n = players.len();
        let mut standalone = vec![0.0; n];
        for (i, p) in players.iter().enumerate() {
            match input.standalone.get(p) {
                Some(&a) if a.is_finite() && a >= 0.0 => standalone[i] = a,
                Some(a) => invalid.push(
                    format!("model.standalone.{p}"),
                    format!("{a} is not a cost; give pounds, zero or more"),
                ),
                None => invalid.push(
                    "model.standalone",
                    format!("has no standalone cost for “{p}”"),
                ),
            }
        }
        for name in input.standalone.keys() {
            if !players.contains(name) {
                invalid.push(
                    format!("model.standalone.{name}"),
                    format!("“{name}” is not one of the players"),
                );
            }
        }
        if !(input.shared_fixed_cost.is_finite() && input.shared_fixed_cost >= 0.0) {
            invalid.push("model.shared_fixed_cost", "must be pounds, zero or more");
        }
        if !(input.economies_of_scale.is_finite() && (0.0..1.0).contains(&input.economies_of_scale))
        {
            invalid.push(
                "model.economies_of_scale",
                "must be a fraction from 0 up to (not including) 1, such as 0.2",
            );
        }
        let mut penalty = vec![0.0; n * n];
        for (k, pen) in input.incompatibility.iter().enumerate() {
            let field = format!("model.incompatibility[{k}]");
            let a = players.iter().position(|p| *p == pen.between[0]);
            let b = players.iter().position(|p| *p == pen.between[1]);
            if !(pen.cost.is_finite() && pen.cost >= 0.0) {
                invalid.push(format!("{field}.cost"), "must be pounds, zero or more");
            }
            match (a, b) {
                (Some(a), Some(b)) if a != b => {
                    let (i, j) = (a.min(b), a.max(b));
                    penalty[i * n + j] += pen.cost;
                }
                (Some(_), Some(_)) => {
                    invalid.push(format!("{field}.between"), "names the same council twice");
                }
                _ => invalid.push(
                    format!("{field}.between"),
                    "names a council that is not one of the players",
                ),
            }
        }
        invalid.into_result()?;
        Ok(CoalitionModel {
            players: players.to_vec(),
            standalone,
            shared_fixed_cost: input.shared_fixed_cost,
            economies_of_scale: input.economies_of_scale,
            penalty,
        })
    }

    /// The players, in order.
    pub fn players(&self) -> &[String] {
        &self.players
    }

    /// The full coalition table (at most [`MAX_EXACT_PLAYERS`] players).
    pub fn game(&self) -> Result<Game, Invalid> {
        if self.players.len() > MAX_EXACT_PLAYERS {
            return Err(Invalid::field(
                "players",
                format!(
                    "{} players is more than the {MAX_EXACT_PLAYERS} the exact methods handle; use \"shapley_sampled\"",
                    self.players.len()
                ),
            ));
        }
        Game::from_fn(self.players.clone(), |s: Coalition| {
            self.cost(u128::from(s))
        })
    }
}

/// A coalition's cost under the model, term by term, for explaining it on a page.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Breakdown {
    /// How many councils are in it.
    pub members: usize,
    /// The sum of their standalone costs.
    pub standalone: f64,
    /// What economies of scale take off that sum (zero for one council).
    pub economies: f64,
    /// The shared fixed cost (zero for one council).
    pub shared_fixed_cost: f64,
    /// The IT-incompatibility penalties of the pairs inside.
    pub penalties: f64,
    /// The coalition's cost: standalone − economies + fixed cost + penalties.
    pub total: f64,
}

impl CoalitionModel {
    /// The cost of a coalition term by term; `total` is [`CostFunction::cost`].
    pub fn breakdown(&self, coalition: u128) -> Breakdown {
        let n = self.players.len();
        let members: Vec<usize> = (0..n).filter(|i| coalition & (1u128 << i) != 0).collect();
        let standalone: f64 = members.iter().map(|&i| self.standalone[i]).sum();
        let k = members.len();
        if k <= 1 {
            return Breakdown {
                members: k,
                standalone,
                economies: 0.0,
                shared_fixed_cost: 0.0,
                penalties: 0.0,
                total: self.cost(coalition),
            };
        }
        #[allow(clippy::cast_precision_loss)]
        let economies = self.economies_of_scale * (1.0 - 1.0 / k as f64) * standalone;
        let mut penalties = 0.0;
        for (a, &i) in members.iter().enumerate() {
            for &j in &members[a + 1..] {
                penalties += self.penalty[i * n + j];
            }
        }
        Breakdown {
            members: k,
            standalone,
            economies,
            shared_fixed_cost: self.shared_fixed_cost,
            penalties,
            total: self.cost(coalition),
        }
    }
}

impl CostFunction for CoalitionModel {
    fn players(&self) -> usize {
        self.players.len()
    }

    fn cost(&self, coalition: u128) -> f64 {
        let n = self.players.len();
        let members: Vec<usize> = (0..n).filter(|i| coalition & (1u128 << i) != 0).collect();
        match members.len() {
            0 => 0.0,
            1 => self.standalone[members[0]],
            k => {
                #[allow(clippy::cast_precision_loss)]
                let scale = 1.0 - self.economies_of_scale * (1.0 - 1.0 / k as f64);
                let running: f64 = members.iter().map(|&i| self.standalone[i]).sum();
                let mut penalties = 0.0;
                for (a, &i) in members.iter().enumerate() {
                    for &j in &members[a + 1..] {
                        penalties += self.penalty[i * n + j];
                    }
                }
                scale * running + self.shared_fixed_cost + penalties
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ModelInput {
        serde_json::from_str(
            r#"{"standalone": {"Cambridgeshire": 300000, "Northamptonshire": 250000, "Slough": 120000},
                "shared_fixed_cost": 50000, "economies_of_scale": 0.3,
                "incompatibility": [{"between": ["Slough", "Cambridgeshire"], "cost": 20000}]}"#,
        )
        .unwrap()
    }

    fn players() -> Vec<String> {
        ["Cambridgeshire", "Northamptonshire", "Slough"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn costs_follow_the_documented_formula() {
        let m = CoalitionModel::new(&players(), &input()).unwrap();
        let cases = [
            (0b001, 300_000.0),
            (0b011, 0.85 * 550_000.0 + 50_000.0),
            (0b101, 0.85 * 420_000.0 + 50_000.0 + 20_000.0),
            (0b111, 0.8 * 670_000.0 + 50_000.0 + 20_000.0),
        ];
        for (mask, expected) in cases {
            assert!((m.cost(mask) - expected).abs() < 1e-6, "{mask:b}");
        }
        let g = m.game().unwrap();
        assert!((g.cost(0b111) - m.cost(0b111)).abs() < 1e-9);
    }

    #[test]
    fn breakdown_adds_up_to_the_cost() {
        let m = CoalitionModel::new(&players(), &input()).unwrap();
        // (coalition, standalone, economies, fixed, penalties)
        let cases = [
            (0b001_u128, 300_000.0, 0.0, 0.0, 0.0),
            (0b101, 420_000.0, 0.15 * 420_000.0, 50_000.0, 20_000.0),
            (0b111, 670_000.0, 0.2 * 670_000.0, 50_000.0, 20_000.0),
        ];
        for (mask, standalone, economies, fixed, penalties) in cases {
            let b = m.breakdown(mask);
            assert!((b.standalone - standalone).abs() < 1e-6, "{mask:b}");
            assert!((b.economies - economies).abs() < 1e-6, "{mask:b}");
            assert!((b.shared_fixed_cost - fixed).abs() < 1e-9, "{mask:b}");
            assert!((b.penalties - penalties).abs() < 1e-9, "{mask:b}");
            let sum = b.standalone - b.economies + b.shared_fixed_cost + b.penalties;
            assert!((sum - b.total).abs() < 1e-6 && (b.total - m.cost(mask)).abs() < 1e-9);
        }
    }

    #[test]
    fn refusals_name_the_field() {
        let mut bad = input();
        bad.standalone.remove("Slough");
        bad.economies_of_scale = 1.5;
        bad.incompatibility[0].between[0] = "Reading".into();
        let err = CoalitionModel::new(&players(), &bad).unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "model.standalone",
                "model.economies_of_scale",
                "model.incompatibility[0].between"
            ]
        );
    }
}
