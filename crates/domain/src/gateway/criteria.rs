//! Compatibility criteria, their weights and the versioned set an assessment uses.

use crate::Invalid;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Millionths in one unit: weights and the threshold are decimals with at most six places,
/// held as whole millionths so that scores, ties and interval ends are exact.
pub const MICROS: u64 = 1_000_000;

/// A criterion's weight: a decimal from 0 to [`Weight::MAX_UNITS`] with at most six decimal
/// places, held in millionths. Only built by [`Weight::parse`] (or from millionths inside the
/// gateway), so a weight is never negative or NaN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Weight(u64);

impl Weight {
    /// The largest weight accepted, in units. Large enough for any sensible scheme (weights are
    /// relative), small enough that every sum stays exact in 64-bit integers.
    pub const MAX_UNITS: u64 = 1_000;

    /// One unit: the default weight of every criterion.
    pub const ONE: Weight = Weight(MICROS);

    /// A weight in millionths. Used by the gateway for interval ends, which may lie above
    /// [`Weight::MAX_UNITS`].
    pub const fn from_micros(micros: u64) -> Weight {
        Weight(micros)
    }

    /// The weight in millionths.
    pub const fn micros(self) -> u64 {
        self.0
    }

    /// The weight as a number, for JSON and pages.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / MICROS as f64
    }

    /// Parses a number: finite, not negative, at most [`Weight::MAX_UNITS`], at most six
    /// decimal places. `field` names the input in the error.
    pub fn parse(field: &str, value: f64) -> Result<Weight, Invalid> {
        parse_micros(field, value, Weight::MAX_UNITS, "weight").map(Weight)
    }
}

impl fmt::Display for Weight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&decimal_text(self.0))
    }
}

impl Serialize for Weight {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Weight {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(deserializer)?;
        Weight::parse("weight", value).map_err(serde::de::Error::custom)
    }
}

/// The pass mark for the weighted score: a decimal from 0 to 1 with at most six places, held
/// in millionths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Threshold(u64);

impl Threshold {
    /// A threshold from millionths, capped at 1.
    pub const fn from_micros(micros: u64) -> Threshold {
        Threshold(if micros > MICROS { MICROS } else { micros })
    }

    /// The threshold in millionths.
    pub const fn micros(self) -> u64 {
        self.0
    }

    /// The threshold as a number.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / MICROS as f64
    }

    /// Parses a number from 0 to 1 with at most six decimal places.
    pub fn parse(field: &str, value: f64) -> Result<Threshold, Invalid> {
        parse_micros(field, value, 1, "threshold").map(Threshold)
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&decimal_text(self.0))
    }
}

impl Serialize for Threshold {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Threshold {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(deserializer)?;
        Threshold::parse("threshold", value).map_err(serde::de::Error::custom)
    }
}

fn parse_micros(field: &str, value: f64, max_units: u64, what: &str) -> Result<u64, Invalid> {
    if !value.is_finite() {
        return Err(Invalid::field(
            field,
            format!("The {what} must be a number"),
        ));
    }
    if value < 0.0 {
        return Err(Invalid::field(
            field,
            format!("The {what} {value} is negative; it must be from 0 to {max_units}"),
        ));
    }
    if value > max_units as f64 {
        return Err(Invalid::field(
            field,
            format!("The {what} {value} is more than {max_units}"),
        ));
    }
    let scaled = value * MICROS as f64;
    let micros = scaled.round();
    // A decimal with six places is within a rounding error (below 10⁻⁶ millionths at these
    // magnitudes) of a whole number of millionths; anything further away has more places than
    // the gateway keeps.
    if (scaled - micros).abs() > 1e-3 {
        return Err(Invalid::field(
            field,
            format!("The {what} {value} has more than six decimal places"),
        ));
    }
    // `micros` is a whole number from 0 to max_units × 10⁶, so the conversion is exact.
    Ok(micros as u64)
}

/// Millionths as the shortest decimal: 1000000 → "1", 650000 → "0.65".
pub(crate) fn decimal_text(micros: u64) -> String {
    let whole = micros / MICROS;
    let fraction = micros % MICROS;
    if fraction == 0 {
        whole.to_string()
    } else {
        let digits = format!("{fraction:06}");
        format!("{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// One compatibility criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Criterion {
    /// Its name, unique in its set ignoring case: "IT Compatibility".
    pub name: String,
    /// Its weight in the weighted score.
    pub weight: Weight,
    /// Whether a Red on it fails the gateway (when the rule says so).
    pub critical: bool,
}

/// A criterion as a form, the API or the `assess` file gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct CriterionInput {
    /// The name.
    pub name: String,
    /// The weight (0 to 1000, at most six decimal places).
    pub weight: f64,
    /// Whether it is critical; absent means not.
    #[serde(default)]
    pub critical: bool,
}

/// The criteria a partnership assesses against, as one numbered version. Changing a criterion
/// makes a new version; an assessment keeps the version it used, so old outcomes can still be
/// explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Criteria {
    /// The version, from 1.
    pub version: u32,
    /// The criteria, in the order pages show them.
    pub criteria: Vec<Criterion>,
}

/// The eleven criteria of the Haringey report (7.2.1), with Accord's default weights and
/// critical flags. The report gives no weights, so every criterion weighs the same. Four are
/// critical, because a Red on any of them means sharing cannot work whatever else is Green:
/// strategic fit and political alignment (the MOU's aims, 3.1), IT compatibility (shared
/// services run on shared systems: the One SAP project, Appendix B) and cost sharing / value for
/// money ("only share when it makes clear financial sense", seed 000).
pub const DEFAULT_CRITERIA: [(&str, bool); 11] = [
    ("Strategic Fit", true),
    ("Political alignment", true),
    ("IT Compatibility", true),
    ("Business Processes", false),
    ("Staffing Arrangements", false),
    ("Service Standards", false),
    ("Cost Sharing/VFM", true),
    ("Risk", false),
    ("Organisational Issues", false),
    ("Delivery Timescales", false),
    ("Ease of Implementation", false),
];

impl Default for Criteria {
    fn default() -> Self {
        Criteria {
            version: 1,
            criteria: DEFAULT_CRITERIA
                .iter()
                .map(|&(name, critical)| Criterion {
                    name: name.to_owned(),
                    weight: Weight::ONE,
                    critical,
                })
                .collect(),
        }
    }
}

impl Criteria {
    /// The most criteria a set may have: nearly three times the report's eleven, and small
    /// enough that the flip search's tables stay a few megabytes.
    pub const MAX_CRITERIA: usize = 30;

    /// Builds a version from inputs. Refuses an empty set, an empty or repeated name, a bad
    /// weight, and weights that are all zero (the score would be undefined); every problem is
    /// named by its field, e.g. `criteria[3].weight`.
    pub fn parse(version: u32, inputs: &[CriterionInput]) -> Result<Criteria, Invalid> {
        let mut invalid = Invalid::new();
        if version == 0 {
            invalid.push("criteria_version", "The version starts at 1");
        }
        if inputs.is_empty() {
            invalid.push("criteria", "Give at least one criterion");
        }
        if inputs.len() > Self::MAX_CRITERIA {
            invalid.push(
                "criteria",
                format!(
                    "{} criteria is more than the {} a set may have",
                    inputs.len(),
                    Self::MAX_CRITERIA
                ),
            );
        }
        let mut criteria = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.iter().enumerate() {
            let name = input.name.trim();
            if name.is_empty() {
                invalid.push(format!("criteria[{i}].name"), "Enter the criterion's name");
            } else if name.chars().count() > 200 {
                invalid.push(
                    format!("criteria[{i}].name"),
                    "The name must be 200 characters or fewer",
                );
            } else if let Some(first) = inputs[..i]
                .iter()
                .position(|c| c.name.trim().eq_ignore_ascii_case(name))
            {
                invalid.push(
                    format!("criteria[{i}].name"),
                    format!("“{name}” is already criterion {}", first + 1),
                );
            }
            let weight = invalid.check(Weight::parse(
                &format!("criteria[{i}].weight"),
                input.weight,
            ));
            if let Some(weight) = weight {
                criteria.push(Criterion {
                    name: name.to_owned(),
                    weight,
                    critical: input.critical,
                });
            }
        }
        if criteria.len() == inputs.len()
            && !criteria.is_empty()
            && criteria.iter().all(|c| c.weight.micros() == 0)
        {
            invalid.push(
                "criteria",
                "Every weight is zero; at least one criterion must have a weight above zero",
            );
        }
        invalid.into_result()?;
        Ok(Criteria { version, criteria })
    }

    /// The next version, with new criteria. The set it comes from is unchanged.
    pub fn revise(&self, inputs: &[CriterionInput]) -> Result<Criteria, Invalid> {
        Criteria::parse(self.version.saturating_add(1), inputs)
    }

    /// The position of a criterion, by name ignoring case and surrounding spaces.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.criteria
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// The criteria as inputs, e.g. to prefill a form for the next version.
    pub fn to_inputs(&self) -> Vec<CriterionInput> {
        self.criteria
            .iter()
            .map(|c| CriterionInput {
                name: c.name.clone(),
                weight: c.weight.as_f64(),
                critical: c.critical,
            })
            .collect()
    }

    /// The sum of the weights in millionths.
    pub fn total_weight(&self) -> u64 {
        self.criteria.iter().map(|c| c.weight.micros()).sum()
    }

    /// Checks a set that was not built by [`Criteria::parse`] (e.g. read back from storage).
    pub fn validate(&self) -> Result<(), Invalid> {
        Criteria::parse(self.version, &self.to_inputs()).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, weight: f64, critical: bool) -> CriterionInput {
        CriterionInput {
            name: name.into(),
            weight,
            critical,
        }
    }

    #[test]
    fn the_default_set_is_the_reports_eleven_criteria() {
        let set = Criteria::default();
        assert_eq!(set.version, 1);
        let names: Vec<&str> = set.criteria.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Strategic Fit",
                "Political alignment",
                "IT Compatibility",
                "Business Processes",
                "Staffing Arrangements",
                "Service Standards",
                "Cost Sharing/VFM",
                "Risk",
                "Organisational Issues",
                "Delivery Timescales",
                "Ease of Implementation"
            ]
        );
        assert!(set.validate().is_ok());
        assert_eq!(set.total_weight(), 11 * MICROS);
    }

    #[test]
    fn weights_parse_exactly_or_are_refused() {
        let cases: [(f64, Result<u64, &str>); 9] = [
            (1.0, Ok(1_000_000)),
            (0.1, Ok(100_000)),
            (0.333333, Ok(333_333)),
            (0.0, Ok(0)),
            (1000.0, Ok(1_000_000_000)),
            (-0.5, Err("negative")),
            (1000.5, Err("more than 1000")),
            (0.1234567, Err("more than six decimal places")),
            (f64::NAN, Err("must be a number")),
        ];
        for (value, expected) in cases {
            let got = Weight::parse("w", value);
            match expected {
                Ok(micros) => assert_eq!(got.map(Weight::micros), Ok(micros), "{value}"),
                Err(text) => {
                    let err = got.unwrap_err();
                    assert_eq!(err.errors[0].field, "w");
                    assert!(err.errors[0].message.contains(text), "{value}: {err}");
                }
            }
        }
    }

    #[test]
    fn decimal_text_is_the_shortest_form() {
        let cases = [
            (1_000_000, "1"),
            (650_000, "0.65"),
            (0, "0"),
            (1_500_001, "1.500001"),
        ];
        for (micros, text) in cases {
            assert_eq!(decimal_text(micros), text);
        }
    }

    #[test]
    fn bad_sets_name_every_field() {
        let cases: [(Vec<CriterionInput>, Vec<&str>); 4] = [
            (vec![], vec!["criteria"]),
            (
                vec![input("Risk", 0.0, false), input("Cost", 0.0, true)],
                vec!["criteria"],
            ),
            (
                vec![input("Risk", -1.0, false), input(" risk ", 1.0, false)],
                vec!["criteria[0].weight", "criteria[1].name"],
            ),
            (vec![input("", 1.0, false)], vec!["criteria[0].name"]),
        ];
        for (inputs, fields) in cases {
            let err = Criteria::parse(1, &inputs).unwrap_err();
            let got: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(got, fields, "{inputs:?}");
        }
    }

    #[test]
    fn revising_makes_the_next_version_and_keeps_the_old_one() {
        let v1 = Criteria::default();
        let mut inputs = v1.to_inputs();
        inputs[2].weight = 2.0;
        let v2 = v1.revise(&inputs).unwrap();
        assert_eq!(v2.version, 2);
        assert_eq!(v2.criteria[2].weight.micros(), 2 * MICROS);
        assert_eq!(v1.criteria[2].weight, Weight::ONE);
        assert_eq!(v2.index_of("it compatibility"), Some(2));
    }
}
