//! Assessments: every member council's rating of every criterion, with its reason, and the
//! explained result of the gateway — outcome, reasons, conditions, flips and weight ranges —
//! in the shapes the pages, the API and `accord assess` show.

use super::analysis::{Analysis, Flip, MAX_COUNCILS, RatingMatrix, WeightRange, analyse};
use super::criteria::{Criteria, Weight, decimal_text};
use super::rating::Rating;
use super::rule::{GatewayRule, Outcome, Scale};
use crate::{GssCode, Invalid};
use serde::{Deserialize, Serialize};

/// A council taking part in an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Council {
    /// Its GSS code.
    pub gss: GssCode,
    /// The name reasons use: "Haringey".
    pub name: String,
}

/// A council as the API or the `assess` file gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct CouncilInput {
    /// Its GSS code.
    pub gss: String,
    /// The name to use in reasons; the code when absent.
    #[serde(default)]
    pub name: Option<String>,
}

impl Council {
    /// Parses the councils of an assessment: at least one, each code valid and given once.
    pub fn parse_all(inputs: &[CouncilInput]) -> Result<Vec<Council>, Invalid> {
        let mut invalid = Invalid::new();
        if inputs.is_empty() {
            invalid.push("councils", "Give at least one council");
        }
        if inputs.len() > MAX_COUNCILS {
            invalid.push(
                "councils",
                format!(
                    "{} councils is more than the {MAX_COUNCILS} an assessment may have",
                    inputs.len()
                ),
            );
        }
        let mut councils: Vec<Council> = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.iter().enumerate() {
            let field = format!("councils[{i}].gss");
            let Some(gss) = invalid.check(GssCode::parse(&field, &input.gss)) else {
                continue;
            };
            if councils.iter().any(|c| c.gss == gss) {
                invalid.push(field, format!("{gss} is listed twice"));
                continue;
            }
            let name = input
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map_or_else(|| gss.to_string(), str::to_owned);
            councils.push(Council { gss, name });
        }
        invalid.into_result()?;
        Ok(councils)
    }
}

/// A rating as a form, the API or the `assess` file gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct RatingInput {
    /// The council: its GSS code, or its name as the assessment lists it.
    pub council: String,
    /// The criterion's name, as in the criteria version used.
    pub criterion: String,
    /// R, A or G (or Red, Amber, Green).
    pub rating: String,
    /// Why the council gives this rating. Required: every rating has a reason.
    #[serde(default)]
    pub rationale: String,
    /// A link to the evidence, if there is one.
    #[serde(default)]
    pub evidence: Option<String>,
}

/// One council's rating of one criterion, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct CouncilRating {
    /// The council.
    pub council: GssCode,
    /// The criterion's name as the criteria version spells it.
    pub criterion: String,
    /// The rating.
    pub rating: Rating,
    /// Why.
    pub rationale: String,
    /// A link to the evidence, if any.
    pub evidence: Option<String>,
}

/// The longest rationale or evidence link accepted, in characters.
pub const MAX_TEXT: usize = 5_000;

/// Checks one rating against the criteria version and the councils: the rating is R/A/G,
/// the criterion is in the version, the council is one of the assessing councils, and there is
/// a reason. Fields are named `rating`, `criterion`, `council`, `rationale`, `evidence`.
pub fn check_rating(
    criteria: &Criteria,
    councils: &[Council],
    input: &RatingInput,
) -> Result<(usize, usize, CouncilRating), Invalid> {
    let mut invalid = Invalid::new();
    let wanted = input.council.trim();
    let council = councils.iter().position(|c| {
        c.gss.as_str().eq_ignore_ascii_case(wanted) || c.name.eq_ignore_ascii_case(wanted)
    });
    if council.is_none() {
        let names: Vec<String> = councils
            .iter()
            .map(|c| format!("{} ({})", c.name, c.gss))
            .collect();
        invalid.push(
            "council",
            format!(
                "“{wanted}” is not a member council of this assessment; the members are {}",
                names.join(", ")
            ),
        );
    }
    let criterion = criteria.index_of(&input.criterion);
    if criterion.is_none() {
        let names: Vec<&str> = criteria.criteria.iter().map(|c| c.name.as_str()).collect();
        invalid.push(
            "criterion",
            format!(
                "“{}” is not a criterion of version {} of the criteria, which has {}",
                input.criterion.trim(),
                criteria.version,
                names.join(", ")
            ),
        );
    }
    let rating = invalid.check(Rating::parse("rating", &input.rating));
    let rationale = input.rationale.trim();
    if rationale.is_empty() {
        invalid.push("rationale", "Give the reason for the rating");
    } else if rationale.chars().count() > MAX_TEXT {
        invalid.push(
            "rationale",
            format!("The reason must be {MAX_TEXT} characters or fewer"),
        );
    }
    let evidence = input
        .evidence
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if evidence.is_some_and(|e| e.chars().count() > MAX_TEXT) {
        invalid.push(
            "evidence",
            format!("The evidence link must be {MAX_TEXT} characters or fewer"),
        );
    }
    invalid.into_result()?;
    match (council, criterion, rating) {
        (Some(council), Some(criterion), Some(rating)) => Ok((
            criterion,
            council,
            CouncilRating {
                council: councils[council].gss.clone(),
                criterion: criteria.criteria[criterion].name.clone(),
                rating,
                rationale: rationale.to_owned(),
                evidence: evidence.map(str::to_owned),
            },
        )),
        _ => Err(Invalid::field("rating", "could not be read")),
    }
}

/// A complete assessment of one opportunity: the criteria version and rule it used, the
/// councils, and every council's rating of every criterion. Only built by
/// [`Assessment::parse`], so it is always complete (it is serialised for display, never
/// deserialised: storage keeps the ratings and parses them again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct Assessment {
    /// The criteria version used.
    pub criteria: Criteria,
    /// The rule used.
    pub rule: GatewayRule,
    /// The councils that rated.
    pub councils: Vec<Council>,
    /// The ratings, criterion by criterion, councils in order within each.
    pub ratings: Vec<CouncilRating>,
}

impl Assessment {
    /// Builds an assessment from ratings. Refuses a bad rating, a criterion not in the
    /// version, a council that is not one of `councils`, a rating given twice and a missing
    /// rating; fields are named `ratings[i].…`, missing ones `ratings`.
    pub fn parse(
        criteria: Criteria,
        rule: GatewayRule,
        councils: Vec<Council>,
        inputs: &[RatingInput],
    ) -> Result<Assessment, Invalid> {
        let mut invalid = Invalid::new();
        if councils.is_empty() {
            invalid.push("councils", "At least one council must rate");
        }
        let m = criteria.criteria.len();
        let k = councils.len();
        let mut cells: Vec<Option<(usize, CouncilRating)>> = vec![None; m * k];
        for (i, input) in inputs.iter().enumerate() {
            match check_rating(&criteria, &councils, input) {
                Ok((criterion, council, rating)) => {
                    let cell = &mut cells[criterion * k + council];
                    if let Some((first, _)) = cell {
                        invalid.push(
                            format!("ratings[{i}].criterion"),
                            format!(
                                "{} has already rated {} (ratings[{first}])",
                                councils[council].name, criteria.criteria[criterion].name
                            ),
                        );
                    } else {
                        *cell = Some((i, rating));
                    }
                }
                Err(e) => invalid.extend(e.within(&format!("ratings[{i}]."))),
            }
        }
        if invalid.is_empty() {
            for (index, cell) in cells.iter().enumerate() {
                if cell.is_none() {
                    invalid.push(
                        "ratings",
                        format!(
                            "{} has not rated {}",
                            councils[index % k].name,
                            criteria.criteria[index / k].name
                        ),
                    );
                }
            }
        }
        invalid.into_result()?;
        let ratings = cells
            .into_iter()
            .flatten()
            .map(|(_, rating)| rating)
            .collect();
        Ok(Assessment {
            criteria,
            rule,
            councils,
            ratings,
        })
    }

    /// The ratings as a matrix for the gateway.
    pub fn matrix(&self) -> Result<RatingMatrix, Invalid> {
        RatingMatrix::new(
            self.criteria.criteria.len(),
            self.councils.len(),
            self.ratings.iter().map(|r| r.rating).collect(),
        )
    }

    /// One council's rating of one criterion, by position.
    pub fn rating(&self, criterion: usize, council: usize) -> &CouncilRating {
        &self.ratings[criterion * self.councils.len() + council]
    }

    /// The gateway's full report on this assessment alone (rank 1 of 1).
    pub fn report(&self) -> Result<AssessmentReport, Invalid> {
        let mut reports = report_programme(std::slice::from_ref(self))?;
        reports
            .pop()
            .ok_or_else(|| Invalid::field("ratings", "could not be assessed"))
    }
}

/// A criterion's combined rating, with each council's.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct CombinedRating {
    /// The criterion.
    pub criterion: String,
    /// Its weight.
    pub weight: Weight,
    /// Whether it is critical.
    pub critical: bool,
    /// The combined rating.
    pub rating: Rating,
    /// Each council's rating, in council order.
    pub councils: Vec<CouncilRatingSummary>,
}

/// One council's rating in a combined rating.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct CouncilRatingSummary {
    /// The council.
    pub council: GssCode,
    /// Its rating.
    pub rating: Rating,
}

/// One changed rating of a flip.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct ChangeReport {
    /// The council whose rating changes.
    pub council: GssCode,
    /// The criterion.
    pub criterion: String,
    /// The rating now.
    pub from: Rating,
    /// The rating that flips the outcome.
    pub to: Rating,
}

/// A smallest set of rating changes that gives another outcome, explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct FlipReport {
    /// The outcome after the changes.
    pub outcome: Outcome,
    /// How many ratings change.
    pub size: usize,
    /// The changes.
    pub changes: Vec<ChangeReport>,
    /// The flip in words.
    pub description: String,
}

/// The flips in both directions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct Flips {
    /// Toward a better outcome; `null` for a pass.
    pub better: Option<FlipReport>,
    /// Toward a worse outcome; `null` for a fail or when no change can make it fail.
    pub worse: Option<FlipReport>,
}

/// A weight range: every weight from `low` to `high` inclusive keeps the outcome (or rank).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct RangeReport {
    /// The lowest weight that keeps it.
    pub low: Weight,
    /// The highest weight that keeps it; `null` for no limit.
    pub high: Option<Weight>,
}

impl From<WeightRange> for RangeReport {
    fn from(range: WeightRange) -> Self {
        RangeReport {
            low: range.low,
            high: range.high,
        }
    }
}

/// How far one criterion's weight can move.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct WeightReport {
    /// The criterion.
    pub criterion: String,
    /// Its weight now.
    pub weight: Weight,
    /// The weights that keep the outcome.
    pub outcome: RangeReport,
    /// The weights that keep the rank in the programme.
    pub rank: RangeReport,
}

/// The gateway's report on one assessment: what the pages, the API and `accord assess` show.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct AssessmentReport {
    /// Pass, pass with conditions or fail.
    pub outcome: Outcome,
    /// Why, in plain words: for a fail every part of the rule that fails, for a pass every
    /// part that passes.
    pub reasons: Vec<String>,
    /// For a pass with conditions, what must be resolved: each criterion below Green with the
    /// councils' reasons. Empty otherwise.
    pub conditions: Vec<String>,
    /// The weighted score in 0..=1.
    pub score: f64,
    /// The position in the programme by score, from 1.
    pub rank: usize,
    /// Each criterion's combined rating.
    pub combined: Vec<CombinedRating>,
    /// The smallest sets of rating changes that flip the outcome.
    pub flips: Flips,
    /// How far each weight can move before the outcome or the rank changes.
    pub weights: Vec<WeightReport>,
}

/// Reports on every assessment of a programme, ranked together. They must all use the same
/// criteria version and rule (a rank compares scores on one scale).
pub fn report_programme(assessments: &[Assessment]) -> Result<Vec<AssessmentReport>, Invalid> {
    let Some(first) = assessments.first() else {
        return Ok(Vec::new());
    };
    let mut invalid = Invalid::new();
    let mut matrices = Vec::with_capacity(assessments.len());
    for (i, assessment) in assessments.iter().enumerate() {
        if assessment.criteria != first.criteria {
            invalid.push(
                format!("assessments[{i}].criteria"),
                format!(
                    "uses version {} of the criteria; a programme is ranked under one version ({})",
                    assessment.criteria.version, first.criteria.version
                ),
            );
        }
        if assessment.rule != first.rule {
            invalid.push(
                format!("assessments[{i}].rule"),
                "uses another gateway rule; a programme is ranked under one rule",
            );
        }
        if let Some(matrix) = invalid.check(assessment.matrix()) {
            matrices.push(matrix);
        }
    }
    invalid.into_result()?;
    let analyses = analyse(&first.criteria, &first.rule, &matrices)?;
    let scale = Scale::new(&first.criteria, first.rule);
    Ok(assessments
        .iter()
        .zip(analyses)
        .map(|(assessment, analysis)| explain(assessment, &scale, analysis))
        .collect())
}

/// Joins names as "A", "A and B", "A, B and C".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The score with enough decimals that it does not seem to contradict the comparison with
/// the threshold: 0.6996 is shown as "0.6996", not "0.70", when it is below 0.7.
fn score_text(score: f64, threshold: f64, passes: bool) -> String {
    for decimals in 2..=8 {
        let text = format!("{score:.decimals$}");
        let shown: f64 = text.parse().unwrap_or(score);
        if (shown >= threshold) == passes {
            return text;
        }
    }
    format!("{score}")
}

fn explain(assessment: &Assessment, scale: &Scale, analysis: Analysis) -> AssessmentReport {
    let criteria = &assessment.criteria.criteria;
    let rule = &assessment.rule;
    let council_name = |k: usize| assessment.councils[k].name.clone();
    let councils_rating = |c: usize, rating: Rating| -> Vec<String> {
        (0..assessment.councils.len())
            .filter(|&k| assessment.rating(c, k).rating == rating)
            .map(council_name)
            .collect()
    };
    let levels: Vec<u8> = analysis.combined.iter().map(|r| r.points()).collect();
    let checks = scale.check(&levels);
    let threshold = rule.threshold.as_f64();
    let passes_threshold = checks.points >= scale.need;
    let score = score_text(analysis.score, threshold, passes_threshold);
    let threshold_text = decimal_text(rule.threshold.micros());
    let below: Vec<String> = (0..criteria.len())
        .filter(|&c| analysis.combined[c] < Rating::Green)
        .map(|c| format!("{} ({})", criteria[c].name, analysis.combined[c]))
        .collect();

    let mut reasons = Vec::new();
    if analysis.outcome == Outcome::Fail {
        if checks.critical_red {
            for (c, criterion) in criteria.iter().enumerate() {
                if criterion.critical && analysis.combined[c] == Rating::Red {
                    reasons.push(format!(
                        "{} is Red and it is a critical criterion (rated Red by {})",
                        criterion.name,
                        and_list(&councils_rating(c, Rating::Red))
                    ));
                }
            }
        }
        if !passes_threshold {
            reasons.push(format!(
                "The weighted score {score} is below the threshold {threshold_text}"
            ));
        }
        if let Some(max) = rule.max_ambers
            && checks.below_green > max
        {
            reasons.push(format!(
                "{} below Green ({}); the rule allows at most {max}",
                plural(below.len(), "criterion is", "criteria are"),
                and_list(&below)
            ));
        }
    } else {
        if rule.critical_red_fails && criteria.iter().any(|c| c.critical) {
            reasons.push("No critical criterion is Red".to_owned());
        }
        reasons.push(format!(
            "The weighted score {score} is at least the threshold {threshold_text}"
        ));
        if below.is_empty() {
            reasons.push("Every criterion is Green".to_owned());
        } else {
            let limit = rule.max_ambers.map_or(String::new(), |max| {
                format!(" (the rule allows at most {max})")
            });
            reasons.push(format!(
                "{} below Green{limit}, so the pass has conditions: {}",
                plural(below.len(), "criterion is", "criteria are"),
                and_list(&below)
            ));
        }
    }

    let mut conditions = Vec::new();
    if analysis.outcome == Outcome::PassWithConditions {
        for (c, criterion) in criteria.iter().enumerate() {
            if analysis.combined[c] == Rating::Green {
                continue;
            }
            let why: Vec<String> = (0..assessment.councils.len())
                .map(|k| assessment.rating(c, k))
                .zip(&assessment.councils)
                .filter(|(r, _)| r.rating < Rating::Green)
                .map(|(r, council)| {
                    format!("{} rated it {}: {}", council.name, r.rating, r.rationale)
                })
                .collect();
            conditions.push(format!(
                "Resolve {} ({}). {}",
                criterion.name,
                analysis.combined[c],
                why.join(". ")
            ));
        }
    }

    let combined = criteria
        .iter()
        .enumerate()
        .map(|(c, criterion)| CombinedRating {
            criterion: criterion.name.clone(),
            weight: criterion.weight,
            critical: criterion.critical,
            rating: analysis.combined[c],
            councils: (0..assessment.councils.len())
                .map(|k| CouncilRatingSummary {
                    council: assessment.councils[k].gss.clone(),
                    rating: assessment.rating(c, k).rating,
                })
                .collect(),
        })
        .collect();

    let flip_report = |flip: Flip| -> FlipReport {
        let words: Vec<String> = flip
            .changes
            .iter()
            .map(|ch| {
                format!(
                    "{}'s rating of {} from {} to {}",
                    assessment.councils[ch.council].name,
                    criteria[ch.criterion].name,
                    ch.from,
                    ch.to
                )
            })
            .collect();
        FlipReport {
            outcome: flip.outcome,
            size: flip.changes.len(),
            description: format!(
                "{} would make it {}: {}",
                plural(flip.changes.len(), "rating change", "rating changes"),
                flip.outcome.label(),
                and_list(&words)
            ),
            changes: flip
                .changes
                .iter()
                .map(|ch| ChangeReport {
                    council: assessment.councils[ch.council].gss.clone(),
                    criterion: criteria[ch.criterion].name.clone(),
                    from: ch.from,
                    to: ch.to,
                })
                .collect(),
        }
    };

    let weights = criteria
        .iter()
        .zip(&analysis.weights)
        .map(|(criterion, w)| WeightReport {
            criterion: criterion.name.clone(),
            weight: criterion.weight,
            outcome: w.outcome.into(),
            rank: w.rank.into(),
        })
        .collect();

    AssessmentReport {
        outcome: analysis.outcome,
        reasons,
        conditions,
        score: analysis.score,
        rank: analysis.rank,
        combined,
        flips: Flips {
            better: analysis.better.map(flip_report),
            worse: analysis.worse.map(flip_report),
        },
        weights,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn councils() -> Vec<Council> {
        Council::parse_all(&[
            CouncilInput {
                gss: "E09000014".into(),
                name: Some("Haringey".into()),
            },
            CouncilInput {
                gss: "E09000031".into(),
                name: Some("Waltham Forest".into()),
            },
        ])
        .unwrap()
    }

    /// Ratings for the default criteria: one string per council, one letter per criterion.
    fn inputs(per_council: [&str; 2]) -> Vec<RatingInput> {
        let criteria = Criteria::default();
        let names = ["E09000014", "Waltham Forest"];
        let mut out = Vec::new();
        for (council, letters) in names.iter().zip(per_council) {
            for (criterion, letter) in criteria.criteria.iter().zip(letters.chars()) {
                out.push(RatingInput {
                    council: (*council).into(),
                    criterion: criterion.name.clone(),
                    rating: letter.to_string(),
                    rationale: format!("{} view of {}", council, criterion.name),
                    evidence: None,
                });
            }
        }
        out
    }

    fn assess(per_council: [&str; 2]) -> Result<Assessment, Invalid> {
        Assessment::parse(
            Criteria::default(),
            GatewayRule::default(),
            councils(),
            &inputs(per_council),
        )
    }

    #[test]
    fn bad_ratings_are_refused_naming_the_field() {
        let good = ["GGGGGGGGGGG", "GGGGGGGGGGG"];
        #[allow(clippy::type_complexity)]
        let cases: [(usize, fn(&mut RatingInput), &str); 6] = [
            (0, |r| r.rating = "B".into(), "ratings[0].rating"),
            (1, |r| r.rating = "".into(), "ratings[1].rating"),
            (2, |r| r.criterion = "Colour".into(), "ratings[2].criterion"),
            (3, |r| r.council = "E09000010".into(), "ratings[3].council"),
            (4, |r| r.rationale = " ".into(), "ratings[4].rationale"),
            (5, |r| r.council = "Enfield".into(), "ratings[5].council"),
        ];
        for (index, spoil, field) in cases {
            let mut ratings = inputs(good);
            spoil(&mut ratings[index]);
            let err = Assessment::parse(
                Criteria::default(),
                GatewayRule::default(),
                councils(),
                &ratings,
            )
            .unwrap_err();
            assert_eq!(err.errors[0].field, field, "{err}");
        }
        let mut ratings = inputs(good);
        ratings[0].criterion = "Colour".into();
        let err = Assessment::parse(
            Criteria::default(),
            GatewayRule::default(),
            councils(),
            &ratings,
        )
        .unwrap_err();
        assert!(
            err.errors[0]
                .message
                .contains("not a criterion of version 1"),
            "{err}"
        );
    }

    #[test]
    fn missing_and_repeated_ratings_are_refused() {
        let mut ratings = inputs(["GGGGGGGGGGG", "GGGGGGGGGGG"]);
        ratings.remove(2);
        let err = Assessment::parse(
            Criteria::default(),
            GatewayRule::default(),
            councils(),
            &ratings,
        )
        .unwrap_err();
        assert_eq!(err.errors.len(), 1);
        assert_eq!(err.errors[0].field, "ratings");
        assert_eq!(
            err.errors[0].message,
            "Haringey has not rated IT Compatibility"
        );
        let mut ratings = inputs(["GGGGGGGGGGG", "GGGGGGGGGGG"]);
        ratings[1].criterion = "strategic fit".into();
        let err = Assessment::parse(
            Criteria::default(),
            GatewayRule::default(),
            councils(),
            &ratings,
        )
        .unwrap_err();
        assert_eq!(err.errors[0].field, "ratings[1].criterion");
        assert!(
            err.errors[0]
                .message
                .contains("already rated Strategic Fit")
        );
    }

    #[test]
    fn reasons_are_plain_words() {
        let cases: [([&str; 2], Outcome, &[&str], usize); 4] = [
            (
                ["GGRGGGGGGGG", "GGGGGGGGGGG"],
                Outcome::Fail,
                &["IT Compatibility is Red and it is a critical criterion (rated Red by Haringey)"],
                0,
            ),
            (
                ["GGGRRRAGGGG", "GGGGGGGGGGG"],
                Outcome::Fail,
                &["The weighted score 0.68 is below the threshold 0.7"],
                0,
            ),
            (
                ["GGGAAAAAGGG", "GGGGGGGGGGG"],
                Outcome::Fail,
                &[
                    "5 criteria are below Green (Business Processes (Amber), Staffing Arrangements (Amber), Service Standards (Amber), Cost Sharing/VFM (Amber) and Risk (Amber)); the rule allows at most 4",
                ],
                0,
            ),
            (
                ["GGGAGGGGGGG", "GGGAGGGGGGG"],
                Outcome::PassWithConditions,
                &[
                    "No critical criterion is Red",
                    "The weighted score 0.95 is at least the threshold 0.7",
                    "1 criterion is below Green (the rule allows at most 4), so the pass has conditions: Business Processes (Amber)",
                ],
                1,
            ),
        ];
        for (ratings, outcome, reasons, conditions) in cases {
            let report = assess(ratings).unwrap().report().unwrap();
            assert_eq!(report.outcome, outcome, "{ratings:?}");
            assert_eq!(report.reasons, reasons, "{ratings:?}");
            assert_eq!(report.conditions.len(), conditions);
        }
        let report = assess(["GGGAGGGGGGG", "GGGAGGGGGGG"])
            .unwrap()
            .report()
            .unwrap();
        assert_eq!(
            report.conditions[0],
            "Resolve Business Processes (Amber). Haringey rated it Amber: E09000014 view of Business Processes. Waltham Forest rated it Amber: Waltham Forest view of Business Processes"
        );
        assert_eq!(
            report.flips.worse.unwrap().description,
            "1 rating change would make it Fail: Haringey's rating of Strategic Fit from Green to Red"
        );
    }

    #[test]
    fn the_score_shows_enough_decimals_not_to_mislead() {
        assert_eq!(score_text(0.55, 0.6, false), "0.55");
        assert_eq!(score_text(0.6996, 0.7, false), "0.6996");
        assert_eq!(score_text(0.7, 0.7, true), "0.70");
        assert_eq!(score_text(0.65491, 0.6549, true), "0.655");
    }

    #[test]
    fn a_programme_uses_one_criteria_version() {
        let a = assess(["GGGGGGGGGGG", "GGGGGGGGGGG"]).unwrap();
        let mut b = a.clone();
        b.criteria.version = 2;
        let err = report_programme(&[a, b]).unwrap_err();
        assert_eq!(err.errors[0].field, "assessments[1].criteria");
    }
}
