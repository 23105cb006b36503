//! The gateway rule: how combined ratings and the weighted score give Pass, Pass with
//! conditions or Fail.

use super::criteria::{Criteria, MICROS, Threshold};
use super::rating::{Combination, Rating};
use crate::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The gateway's verdict on an opportunity. Ordered from worst to best.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Fails the rule: not ready to share.
    Fail,
    /// Passes the rule with at least one criterion below Green; resolving those criteria is
    /// the condition of the pass.
    PassWithConditions,
    /// Passes the rule with every criterion Green.
    Pass,
}

impl Outcome {
    /// The stable name used in storage and JSON.
    pub fn slug(self) -> &'static str {
        match self {
            Outcome::Fail => "fail",
            Outcome::PassWithConditions => "pass-with-conditions",
            Outcome::Pass => "pass",
        }
    }

    /// A label for pages.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Fail => "Fail",
            Outcome::PassWithConditions => "Pass with conditions",
            Outcome::Pass => "Pass",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A partnership's gateway rule. An opportunity **fails** when any of these holds:
/// - a critical criterion's combined rating is Red (when `critical_red_fails`);
/// - the weighted score is below `threshold`;
/// - more than `max_ambers` criteria are rated below Green (Amber or Red).
///
/// Otherwise it **passes with conditions** when at least one criterion is below Green — the
/// conditions are to resolve each of those criteria — and **passes** when every criterion is
/// Green.
///
/// The weighted score is the weighted mean of the combined ratings on the scale Green 1,
/// Amber 0.5, Red 0, so it lies in 0..=1.
///
/// `max_ambers` counts Reds as well as Ambers: a Red is worse than an Amber, and counting only
/// Ambers would let turning an Amber into a Red make a failing opportunity pass. With every
/// part of the rule monotone, a better rating never gives a worse outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct GatewayRule {
    /// How the councils' ratings of a criterion combine.
    pub combination: Combination,
    /// Whether a Red on a critical criterion fails the gateway.
    pub critical_red_fails: bool,
    /// The lowest weighted score that passes.
    pub threshold: Threshold,
    /// The most criteria that may be below Green; `None` for no limit.
    pub max_ambers: Option<u32>,
}

impl GatewayRule {
    /// The default threshold, 0.7: with the eleven equally weighted default criteria, two
    /// Reds and two Ambers (score 0.73) still pass, three Reds and an Amber (0.68) do not.
    pub const DEFAULT_THRESHOLD: Threshold = Threshold::from_micros(700_000);

    /// The default limit on criteria below Green: 4 of the 11 default criteria.
    pub const DEFAULT_MAX_AMBERS: u32 = 4;
}

impl Default for GatewayRule {
    fn default() -> Self {
        GatewayRule {
            combination: Combination::Worst,
            critical_red_fails: true,
            threshold: GatewayRule::DEFAULT_THRESHOLD,
            max_ambers: Some(GatewayRule::DEFAULT_MAX_AMBERS),
        }
    }
}

/// A rule as a form, the API or the `assess` file gives it: every field may be left out and
/// takes its default.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct RuleInput {
    /// `worst` (default), `majority` or `mean`.
    #[serde(default)]
    pub combination: Option<String>,
    /// Default true.
    #[serde(default)]
    pub critical_red_fails: Option<bool>,
    /// 0 to 1, at most six decimal places; default 0.7.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// A whole number, or `null` for no limit; absent means the default, 4.
    #[serde(default, deserialize_with = "present")]
    pub max_ambers: Option<Option<i64>>,
}

/// Deserialises a field that is present (even as `null`) as `Some`, so that "absent" and
/// "null" differ.
fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(deserializer).map(Some)
}

impl RuleInput {
    /// The rule, with defaults for what is left out.
    pub fn parse(&self) -> Result<GatewayRule, Invalid> {
        let mut invalid = Invalid::new();
        let default = GatewayRule::default();
        let combination = match &self.combination {
            None => Some(default.combination),
            Some(text) => invalid.check(Combination::parse("rule.combination", text)),
        };
        let threshold = match self.threshold {
            None => Some(default.threshold),
            Some(value) => invalid.check(Threshold::parse("rule.threshold", value)),
        };
        let max_ambers = match self.max_ambers {
            None => Some(default.max_ambers),
            Some(None) => Some(None),
            Some(Some(n)) => match u32::try_from(n) {
                Ok(n) => Some(Some(n)),
                Err(_) => {
                    invalid.push(
                        "rule.max_ambers",
                        format!("{n} is not a number of criteria; use a whole number from 0, or null for no limit"),
                    );
                    None
                }
            },
        };
        invalid.into_result()?;
        match (combination, threshold, max_ambers) {
            (Some(combination), Some(threshold), Some(max_ambers)) => Ok(GatewayRule {
                combination,
                critical_red_fails: self
                    .critical_red_fails
                    .unwrap_or(default.critical_red_fails),
                threshold,
                max_ambers,
            }),
            _ => Err(Invalid::field("rule", "could not be read")),
        }
    }
}

/// The rule applied to one set of criteria, in the exact integer form the gateway computes
/// with. Scores are in "points": the sum over criteria of the weight in millionths times the
/// rating's half-units (Red 0, Amber 1, Green 2); the score is points ÷ (2 × total weight).
#[derive(Debug, Clone)]
pub(crate) struct Scale {
    pub weights: Vec<i64>,
    pub critical: Vec<bool>,
    pub total: i64,
    pub rule: GatewayRule,
    /// The fewest points that reach the threshold.
    pub need: i64,
}

/// What the rule found for one set of combined ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Checks {
    pub points: i64,
    pub critical_red: bool,
    pub below_green: u32,
    pub reds: u32,
    pub outcome: Outcome,
}

impl Checks {
    /// Whether a part of the rule other than the score fails: these do not depend on weights.
    pub fn blocked(&self, rule: &GatewayRule) -> bool {
        self.critical_red || rule.max_ambers.is_some_and(|max| self.below_green > max)
    }
}

impl Scale {
    pub fn new(criteria: &Criteria, rule: GatewayRule) -> Scale {
        let weights: Vec<i64> = criteria
            .criteria
            .iter()
            .map(|c| i64::try_from(c.weight.micros()).unwrap_or(i64::MAX))
            .collect();
        let total: i64 = weights.iter().sum();
        Scale {
            critical: criteria.criteria.iter().map(|c| c.critical).collect(),
            need: need_points(total, rule.threshold),
            weights,
            total,
            rule,
        }
    }

    /// Applies the rule to combined ratings given as half-units per criterion.
    pub fn check(&self, levels: &[u8]) -> Checks {
        let mut points = 0i64;
        let mut critical_red = false;
        let mut below_green = 0u32;
        let mut reds = 0u32;
        for (i, &level) in levels.iter().enumerate() {
            points += self.weights[i] * i64::from(level);
            if level < 2 {
                below_green += 1;
            }
            if level == 0 {
                reds += 1;
                critical_red |= self.critical[i];
            }
        }
        let critical_red = critical_red && self.rule.critical_red_fails;
        let mut checks = Checks {
            points,
            critical_red,
            below_green,
            reds,
            outcome: Outcome::Fail,
        };
        checks.outcome = self.outcome(&checks);
        checks
    }

    /// The outcome from the parts of a check.
    pub fn outcome(&self, checks: &Checks) -> Outcome {
        if checks.blocked(&self.rule) || checks.points < self.need {
            Outcome::Fail
        } else if checks.below_green > 0 {
            Outcome::PassWithConditions
        } else {
            Outcome::Pass
        }
    }

    /// The score in 0..=1 for points.
    pub fn score(&self, points: i64) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            points as f64 / (2.0 * self.total as f64)
        }
    }
}

/// The fewest points that reach the threshold with this total weight: points × 10⁶ ≥
/// 2 × threshold × total.
pub(crate) fn need_points(total: i64, threshold: Threshold) -> i64 {
    let bar = 2 * i128::from(threshold.micros()) * i128::from(total);
    let micros = i128::from(MICROS);
    i64::try_from((bar + micros - 1) / micros).unwrap_or(i64::MAX)
}

/// The rating for half-units.
pub(crate) fn rating(level: u8) -> Rating {
    Rating::from_points(level)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::criteria::CriterionInput;

    fn set(weights: &[(f64, bool)]) -> Criteria {
        let inputs: Vec<CriterionInput> = weights
            .iter()
            .enumerate()
            .map(|(i, &(weight, critical))| CriterionInput {
                name: format!("C{i}"),
                weight,
                critical,
            })
            .collect();
        Criteria::parse(1, &inputs).unwrap()
    }

    fn levels(text: &str) -> Vec<u8> {
        text.chars()
            .map(|c| Rating::parse("r", &c.to_string()).unwrap().points())
            .collect()
    }

    /// The gateway rule as a table: criteria (weight, critical), rule, combined ratings,
    /// expected outcome.
    #[test]
    fn the_gateway_rule() {
        let eleven = Criteria::default();
        let default = GatewayRule::default();
        let no_limit = GatewayRule {
            max_ambers: None,
            ..default
        };
        let lenient = GatewayRule {
            critical_red_fails: false,
            ..default
        };
        let strict = GatewayRule {
            threshold: Threshold::from_micros(900_000),
            max_ambers: Some(1),
            ..default
        };
        let weighted = set(&[(3.0, false), (1.0, false), (1.0, true)]);
        use Outcome::{Fail, Pass, PassWithConditions as Pwc};
        // Default criteria: 0 Strategic Fit*, 1 Political*, 2 IT*, 3..5, 6 Cost/VFM*, 7..10.
        let cases: [(&Criteria, GatewayRule, &str, Outcome); 16] = [
            (&eleven, default, "GGGGGGGGGGG", Pass),
            (&eleven, default, "GGGAGGGGGGG", Pwc),
            (&eleven, default, "GGAGGGGGGGG", Pwc),
            (&eleven, default, "GGRGGGGGGGG", Fail), // IT Compatibility Red, critical
            (&eleven, lenient, "GGRGGGGGGGG", Pwc),  // the same, rule ignores critical Reds
            (&eleven, default, "GGGRGGGGGGG", Pwc),  // a Red on a non-critical criterion
            (&eleven, default, "GGGAAAAGGGG", Pwc),  // 4 below Green: the limit
            (&eleven, default, "GGGAAAAAGGG", Fail), // 5 below Green
            (&eleven, no_limit, "GGGAAAAAAGG", Pwc), // 6 Ambers, score 0.727
            (&eleven, default, "GGGRRAAGGGG", Pwc),  // 2 Reds 2 Ambers: 8/11 = 0.727
            (&eleven, default, "GGGRRRAGGGG", Fail), // 3 Reds 1 Amber: 7.5/11 = 0.682
            (&eleven, no_limit, "GGGAAAAAAAA", Fail), // 8 Ambers: 7/11 = 0.636
            (&eleven, strict, "GGGAGGGGGGG", Pwc),   // 10.5/11 = 0.95
            (&eleven, strict, "GGGAGGGAGGG", Fail),  // 2 below Green, limit 1
            (&weighted, default, "AGG", Pwc),        // (1.5+1+1)/5 = 0.7: exactly the threshold
            (&weighted, default, "RGG", Fail),       // 2/5 = 0.4
        ];
        for (criteria, rule, ratings, expected) in cases {
            let scale = Scale::new(criteria, rule);
            let checks = scale.check(&levels(ratings));
            assert_eq!(checks.outcome, expected, "{ratings} under {rule:?}");
        }
    }

    #[test]
    fn need_points_is_exact_at_the_threshold() {
        // Total weight 5, threshold 0.7: 7 half-unit points of 10 reach it, so 7 × 10⁶.
        assert_eq!(
            need_points(5 * 1_000_000, Threshold::from_micros(700_000)),
            7_000_000
        );
        // Threshold 1/3 of 3 units rounds up to the next millionth point.
        assert_eq!(need_points(3, Threshold::from_micros(333_334)), 3);
        assert_eq!(need_points(7, Threshold::from_micros(0)), 0);
    }

    #[test]
    fn rule_input_takes_defaults_and_names_bad_fields() {
        let rule = RuleInput::default().parse().unwrap();
        assert_eq!(rule, GatewayRule::default());
        let no_limit: RuleInput = serde_json::from_str(r#"{"max_ambers": null}"#).unwrap();
        assert_eq!(no_limit.parse().unwrap().max_ambers, None);
        let bad: RuleInput = serde_json::from_str(
            r#"{"combination": "median", "threshold": 1.5, "max_ambers": -1}"#,
        )
        .unwrap();
        let err = bad.parse().unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["rule.combination", "rule.threshold", "rule.max_ambers"]
        );
    }
}
