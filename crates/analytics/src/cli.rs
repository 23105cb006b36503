//! The JSON entry points behind `accord appraise FILE.json` and `accord allocate FILE.json`.
//!
//! Both take the file's text and return a typed result that serialises to the documented
//! JSON (`docs/schemas/appraise.md`, `docs/schemas/allocate.md`), or an [`Invalid`] whose
//! errors name the field at fault (with the line for malformed JSON). Nothing is written
//! anywhere: the caller prints the result.

use crate::apportionment::shapley::CostFunction;
use crate::apportionment::{
    self, Game, MAX_EXACT_PLAYERS, Method, Sampling, blocking_coalitions, nucleolus,
};
use crate::business_case::{self, Appraisal, BusinessCase};
use crate::coalition_model::{CoalitionModel, ModelInput};
use accord_domain::Invalid;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most blocking coalitions listed per split (the count is always exact).
pub const MAX_LISTED_BLOCKING: usize = 100;

/// Parses JSON into `T`, turning a parse error into a field error with its path and line.
pub fn parse_json<T: DeserializeOwned>(input: &str) -> Result<T, Invalid> {
    let de = &mut serde_json::Deserializer::from_str(input);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = if path == "." || path.is_empty() {
            "input".to_owned()
        } else {
            path
        };
        let line = inner.line() as u64;
        let message = inner.to_string();
        // serde_json appends " at line L column C"; the line is reported separately.
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_owned();
        Invalid::field(field, message).at_line(line)
    })
}

/// `accord appraise`: appraises a business case. `progress(done, total)` reports Monte
/// Carlo iterations (from worker threads).
pub fn appraise(
    input_json: &str,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Appraisal, Invalid> {
    let case: BusinessCase = parse_json(input_json)?;
    business_case::appraise(&case, progress)
}

fn default_methods() -> Vec<Method> {
    vec![Method::Equal, Method::Shapley, Method::Nucleolus]
}

fn default_samples() -> u64 {
    10_000
}

fn default_seed() -> u64 {
    1
}

/// The `accord allocate` input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct AllocateInput {
    /// The players (councils), in order.
    pub players: Vec<String>,
    /// Every coalition's cost in pounds, keyed by members joined with `+`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<BTreeMap<String, f64>>,
    /// Or: a coalition model that derives every coalition's cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelInput>,
    /// The methods to run (default equal, shapley, nucleolus).
    #[serde(default = "default_methods")]
    pub methods: Vec<Method>,
    /// The driver for `proportional`, per player.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<BTreeMap<String, f64>>,
    /// A proposed split to check against the core, per player.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<BTreeMap<String, f64>>,
    /// Players who join later: the output compares each method before and after they join.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joining: Vec<String>,
    /// Orders of joining sampled by `shapley_sampled` (default 10,000).
    #[serde(default = "default_samples")]
    pub samples: u64,
    /// The seed of `shapley_sampled` (default 1).
    #[serde(default = "default_seed")]
    pub seed: u64,
}

/// The core check in the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct CoreReport {
    /// Whether no split satisfies every coalition (least-core ε above zero).
    pub empty: bool,
    /// Which split `blocking` is about: `"split"` (the input's) or the first method's name.
    pub checked: String,
    /// Coalitions that would be better off alone under that split, worst first (at most
    /// 100 listed).
    pub blocking: Vec<Vec<String>>,
    /// How many coalitions block that split in all.
    pub blocking_count: usize,
    /// The blocking coalitions under each method's split (at most 100 each).
    pub blocking_by_method: BTreeMap<String, Vec<Vec<String>>>,
}

/// Allocations before and after players join.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct JoinReport {
    /// The players there before.
    pub before_players: Vec<String>,
    /// Each method's split among them before the others join.
    pub before: BTreeMap<String, BTreeMap<String, f64>>,
    /// Each method's split after (the same as `allocations`).
    pub after: BTreeMap<String, BTreeMap<String, f64>>,
    /// Each earlier player's change (after − before), per method.
    pub change: BTreeMap<String, BTreeMap<String, f64>>,
}

/// The `accord allocate` output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct AllocateOutput {
    /// The players, in input order.
    pub players: Vec<String>,
    /// The cost of the grand coalition (what is split).
    pub grand_coalition_cost: f64,
    /// Each method's split, per player, in pounds.
    pub allocations: BTreeMap<String, BTreeMap<String, f64>>,
    /// Standard errors of `shapley_sampled`, per player.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_errors: Option<BTreeMap<String, f64>>,
    /// `"imputation"`, or `"preimputation"` when there is no imputation and the
    /// prenucleolus was returned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nucleolus_domain: Option<nucleolus::Domain>,
    /// The core check (`None` beyond 25 players).
    pub core: Option<CoreReport>,
    /// The least-core ε in pounds (`None` beyond 25 players).
    pub least_core_epsilon: Option<f64>,
    /// The comparison before and after the `joining` players join.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joining: Option<JoinReport>,
}

fn per_player(
    players: &[String],
    field: &str,
    map: &BTreeMap<String, f64>,
) -> Result<Vec<f64>, Invalid> {
    let mut invalid = Invalid::new();
    for name in map.keys() {
        if !players.contains(name) {
            invalid.push(
                format!("{field}.{name}"),
                format!("“{name}” is not one of the players"),
            );
        }
    }
    let mut values = Vec::with_capacity(players.len());
    for p in players {
        match map.get(p) {
            Some(v) if v.is_finite() => values.push(*v),
            Some(_) => invalid.push(format!("{field}.{p}"), "must be a finite number"),
            None => invalid.push(field, format!("has no value for “{p}”")),
        }
    }
    invalid.into_result()?;
    Ok(values)
}

fn named(players: &[String], values: &[f64]) -> BTreeMap<String, f64> {
    players
        .iter()
        .cloned()
        .zip(values.iter().copied())
        .collect()
}

/// `accord allocate`: splits a partnership's cost by each requested method and checks the
/// splits against the core.
pub fn allocate(input_json: &str) -> Result<AllocateOutput, Invalid> {
    let input: AllocateInput = parse_json(input_json)?;
    allocate_input(&input)
}

/// [`allocate`] on parsed input.
pub fn allocate_input(input: &AllocateInput) -> Result<AllocateOutput, Invalid> {
    let players = &input.players;
    let n = players.len();
    let mut invalid = Invalid::new();
    if input.methods.is_empty() {
        invalid.push("methods", "name at least one method");
    }
    if n > MAX_EXACT_PLAYERS {
        if let Some(m) = input.methods.iter().find(|m| m.is_exact()) {
            invalid.push(
                "methods",
                format!(
                    "{n} players is more than the {MAX_EXACT_PLAYERS} that “{}” handles (it needs all 2ⁿ coalitions); \
                     use \"shapley_sampled\" (permutation sampling) with a \"model\"",
                    m.name()
                ),
            );
        }
        if input.cost.is_some() {
            invalid.push(
                "cost",
                format!("a table for {n} players is out of reach; give a \"model\" instead"),
            );
        }
    }
    match (&input.cost, &input.model) {
        (Some(_), Some(_)) => invalid.push("model", "give either \"cost\" or \"model\", not both"),
        (None, None) => invalid.push("cost", "give the coalition costs (\"cost\") or a \"model\""),
        _ => {}
    }
    for (i, j) in input.joining.iter().enumerate() {
        if !players.contains(j) {
            invalid.push(
                format!("joining[{i}]"),
                format!("“{j}” is not one of the players"),
            );
        }
    }
    if !input.joining.is_empty() && input.joining.len() >= n {
        invalid.push(
            "joining",
            "leave at least one player there before the others join",
        );
    }
    invalid.into_result()?;

    let model = match &input.model {
        Some(m) => Some(CoalitionModel::new(players, m)?),
        None => None,
    };
    let game = match (&input.cost, &model) {
        (Some(table), _) => Some(Game::from_table(players.clone(), table)?),
        (None, Some(m)) if n <= MAX_EXACT_PLAYERS => Some(m.game()?),
        _ => None,
    };
    let cost: &dyn CostFunction = match (&game, &model) {
        (Some(g), _) => g,
        (None, Some(m)) => m,
        (None, None) => {
            return Err(Invalid::field(
                "cost",
                "give the coalition costs or a model",
            ));
        }
    };
    let driver = input
        .driver
        .as_ref()
        .map(|d| per_player(players, "driver", d))
        .transpose()?;
    let split = input
        .split
        .as_ref()
        .map(|s| per_player(players, "split", s))
        .transpose()?;
    let sampling = Sampling {
        samples: input.samples,
        seed: input.seed,
    };

    let mut allocations = BTreeMap::new();
    let mut shares_by_method = Vec::new();
    let mut standard_errors = None;
    let mut nucleolus_domain = None;
    for &method in &input.methods {
        let a = apportionment::allocate(method, game.as_ref(), cost, driver.as_deref(), sampling)?;
        if let Some(se) = &a.standard_errors {
            standard_errors = Some(named(players, se));
        }
        if a.domain.is_some() {
            nucleolus_domain = a.domain;
        }
        allocations.insert(method.name().to_owned(), named(players, &a.shares));
        shares_by_method.push((method, a.shares));
    }

    let (core, least_core_epsilon) = match &game {
        Some(g) => {
            let tol = apportionment::tolerance(g);
            let epsilon = nucleolus::least_core_epsilon(g)?;
            let list = |x: &[f64]| -> (Vec<Vec<String>>, usize) {
                let blocking = blocking_coalitions(g, x, tol);
                let count = blocking.len();
                let listed = blocking
                    .iter()
                    .take(MAX_LISTED_BLOCKING)
                    .map(|b| g.members(b.coalition))
                    .collect();
                (listed, count)
            };
            let blocking_by_method = shares_by_method
                .iter()
                .map(|(m, x)| (m.name().to_owned(), list(x).0))
                .collect();
            let (checked, x) = match &split {
                Some(x) => ("split".to_owned(), x.clone()),
                None => shares_by_method
                    .first()
                    .map(|(m, x)| (m.name().to_owned(), x.clone()))
                    .unwrap_or_default(),
            };
            let (blocking, blocking_count) = list(&x);
            (
                Some(CoreReport {
                    empty: epsilon > tol,
                    checked,
                    blocking,
                    blocking_count,
                    blocking_by_method,
                }),
                Some(epsilon),
            )
        }
        None => (None, None),
    };

    let joining = if input.joining.is_empty() {
        None
    } else {
        Some(join_report(
            input,
            cost,
            game.as_ref(),
            driver.as_deref(),
            sampling,
            &allocations,
        )?)
    };

    #[allow(clippy::cast_possible_truncation)]
    let grand = cost.cost(if n >= 128 {
        u128::MAX
    } else {
        (1u128 << n) - 1
    });
    Ok(AllocateOutput {
        players: players.clone(),
        grand_coalition_cost: grand,
        allocations,
        standard_errors,
        nucleolus_domain,
        core,
        least_core_epsilon,
        joining,
    })
}

/// Each method's split among the earlier players alone, and the change once the `joining`
/// players are in.
fn join_report(
    input: &AllocateInput,
    cost: &dyn CostFunction,
    game: Option<&Game>,
    driver: Option<&[f64]>,
    sampling: Sampling,
    after: &BTreeMap<String, BTreeMap<String, f64>>,
) -> Result<JoinReport, Invalid> {
    let players = &input.players;
    let before_index: Vec<usize> = (0..players.len())
        .filter(|i| !input.joining.contains(&players[*i]))
        .collect();
    let before_players: Vec<String> = before_index.iter().map(|&i| players[i].clone()).collect();
    let sub_mask = |s: u128| -> u128 {
        before_index
            .iter()
            .enumerate()
            .filter(|(k, _)| s & (1u128 << k) != 0)
            .fold(0u128, |m, (_, &i)| m | (1u128 << i))
    };
    struct Sub<'a> {
        n: usize,
        cost: &'a dyn CostFunction,
        map: &'a (dyn Fn(u128) -> u128 + Sync),
    }
    impl CostFunction for Sub<'_> {
        fn players(&self) -> usize {
            self.n
        }
        fn cost(&self, coalition: u128) -> f64 {
            self.cost.cost((self.map)(coalition))
        }
    }
    let sub = Sub {
        n: before_players.len(),
        cost,
        map: &sub_mask,
    };
    let sub_game = match game {
        Some(_) => Some(Game::from_fn(before_players.clone(), |s| {
            sub.cost(u128::from(s))
        })?),
        None => None,
    };
    let sub_driver: Option<Vec<f64>> = driver.map(|d| before_index.iter().map(|&i| d[i]).collect());
    let mut before = BTreeMap::new();
    let mut change = BTreeMap::new();
    for &method in &input.methods {
        let a = apportionment::allocate(
            method,
            sub_game.as_ref(),
            &sub,
            sub_driver.as_deref(),
            sampling,
        )?;
        let named_before = named(&before_players, &a.shares);
        if let Some(now) = after.get(method.name()) {
            change.insert(
                method.name().to_owned(),
                named_before
                    .iter()
                    .map(|(p, b)| (p.clone(), now.get(p).copied().unwrap_or(0.0) - b))
                    .collect(),
            );
        }
        before.insert(method.name().to_owned(), named_before);
    }
    Ok(JoinReport {
        before_players,
        before,
        after: after.clone(),
        change,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example_shape() {
        let out = allocate(
            r#"{"players": ["A","B","C"],
                "cost": {"A": 100.0, "B": 80.0, "C": 90.0, "A+B": 150.0, "A+C": 160.0, "C+B": 140.0, "A+B+C": 200.0},
                "methods": ["equal","proportional","shapley","nucleolus","least_core"],
                "driver": {"A": 1.0, "B": 1.0, "C": 2.0}}"#,
        )
        .unwrap();
        let json = serde_json::to_value(&out).unwrap();
        for m in [
            "equal",
            "proportional",
            "shapley",
            "nucleolus",
            "least_core",
        ] {
            let total: f64 = json["allocations"][m]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_f64().unwrap())
                .sum();
            assert!((total - 200.0).abs() < 1e-9, "{m}");
        }
        assert_eq!(json["core"]["empty"], false);
        assert!(json["least_core_epsilon"].as_f64().unwrap() < 0.0);
        assert_eq!(json["core"]["checked"], "equal");
        assert!((json["allocations"]["proportional"]["C"].as_f64().unwrap() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn errors_name_the_field_and_line() {
        let cases = [
            (
                r#"{"players": ["A","B"], "cost": {"A": 1, "B": 1}}"#,
                "cost",
            ),
            (
                r#"{"players": ["A","B"], "cost": {"A": 1, "B": 1, "A+B": 2}, "methods": ["median"]}"#,
                "methods[0]",
            ),
            (
                r#"{"players": ["A","B"], "cost": {"A": 1, "B": 1, "A+B": 2}, "colour": 1}"#,
                "colour",
            ),
            (
                r#"{"players": ["A","B"], "cost": {"A": 1, "B": 1, "A+B": 2}, "methods": ["proportional"]}"#,
                "driver",
            ),
            (
                r#"{"players": ["A","B"], "cost": {"A": 1, "B": 1, "A+B": 2}, "driver": {"A": 1}, "methods": ["proportional"]}"#,
                "driver",
            ),
            (
                r#"{"players": ["A","B"], "cost": {"A": 1, "B": 1, "A+B": 2}, "joining": ["Z"]}"#,
                "joining[0]",
            ),
        ];
        for (json, field) in cases {
            let err = allocate(json).unwrap_err();
            assert_eq!(err.errors[0].field, field, "{err}");
        }
        let err = allocate("{\n\"players\": [\"A\",\n 3]}").unwrap_err();
        assert_eq!(err.errors[0].line, Some(3));
        let many: Vec<String> = (0..30).map(|i| format!("\"P{i}\"")).collect();
        let err = allocate(&format!(
            r#"{{"players": [{}], "cost": {{}}}}"#,
            many.join(",")
        ))
        .unwrap_err();
        assert_eq!(err.errors[0].field, "methods");
        assert!(err.errors[0].message.contains("shapley_sampled"));
    }

    #[test]
    fn sampling_beyond_the_table_with_a_model() {
        let standalone: Vec<String> = (0..30).map(|i| format!("\"P{i}\": {}", 100 + i)).collect();
        let players: Vec<String> = (0..30).map(|i| format!("\"P{i}\"")).collect();
        let json = format!(
            r#"{{"players": [{}], "model": {{"standalone": {{{}}}, "shared_fixed_cost": 500, "economies_of_scale": 0.2}},
                "methods": ["equal", "shapley_sampled"], "samples": 2000}}"#,
            players.join(","),
            standalone.join(",")
        );
        let out = allocate(&json).unwrap();
        assert!(out.core.is_none());
        let total: f64 = out.allocations["shapley_sampled"].values().sum();
        assert!((total - out.grand_coalition_cost).abs() < 1e-6);
        assert_eq!(out.standard_errors.as_ref().unwrap().len(), 30);
    }

    #[test]
    fn joining_compares_before_and_after() {
        let out = allocate(
            r#"{"players": ["Cambridgeshire", "Northamptonshire", "Slough"],
                "model": {"standalone": {"Cambridgeshire": 300000, "Northamptonshire": 250000, "Slough": 120000},
                          "shared_fixed_cost": 50000, "economies_of_scale": 0.3},
                "methods": ["equal", "shapley", "nucleolus"], "joining": ["Slough"]}"#,
        )
        .unwrap();
        let j = out.joining.unwrap();
        assert_eq!(j.before_players, ["Cambridgeshire", "Northamptonshire"]);
        let before: f64 = j.before["shapley"].values().sum();
        assert!((before - (0.85 * 550_000.0 + 50_000.0)).abs() < 1e-6);
        // A third partner spreads the fixed cost: both earlier councils pay less.
        assert!(j.change["shapley"].values().all(|d| *d < 0.0));
    }
}
