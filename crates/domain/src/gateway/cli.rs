//! `accord assess FILE.json`: the gateway on a file, for scripts and for checking a
//! partnership's spreadsheet against Accord. The binary reads the file and prints what
//! [`assess_json`] returns; the format is documented in `docs/schemas/assess.md`.

use super::assessment::{
    Assessment, AssessmentReport, Council, CouncilInput, RatingInput, report_programme,
};
use super::criteria::{Criteria, Criterion, CriterionInput};
use super::rule::{GatewayRule, RuleInput};
use crate::Invalid;
use serde::{Deserialize, Serialize};

/// The input file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct AssessInput {
    /// The criteria version's number; 1 when absent.
    #[serde(default)]
    pub criteria_version: Option<u32>,
    /// The criteria; the eleven defaults when absent.
    #[serde(default)]
    pub criteria: Option<Vec<CriterionInput>>,
    /// The rule; every field has a default.
    #[serde(default)]
    pub rule: RuleInput,
    /// The councils that rate.
    pub councils: Vec<CouncilInput>,
    /// The opportunities to assess and rank together.
    pub opportunities: Vec<OpportunityInput>,
}

/// One opportunity of the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct OpportunityInput {
    /// Its name; "Opportunity N" when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// Every council's rating of every criterion.
    pub ratings: Vec<RatingInput>,
}

/// The output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct AssessOutput {
    /// The criteria version used.
    pub criteria_version: u32,
    /// The criteria used.
    pub criteria: Vec<Criterion>,
    /// The rule used, defaults filled in.
    pub rule: GatewayRule,
    /// The councils.
    pub councils: Vec<Council>,
    /// One report per opportunity, in the input's order.
    pub opportunities: Vec<OpportunityOutput>,
}

/// The report on one opportunity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct OpportunityOutput {
    /// Its name.
    pub name: String,
    /// The gateway's report.
    #[serde(flatten)]
    pub report: AssessmentReport,
}

/// Reads an input file's text. A file that is not valid JSON, or not of this shape, is
/// refused with the line at fault (field `file`).
pub fn parse_input(text: &str) -> Result<AssessInput, Invalid> {
    serde_json::from_str(text).map_err(|e| {
        let line = u64::try_from(e.line()).unwrap_or(0);
        Invalid::field("file", e.to_string()).at_line(line)
    })
}

/// Runs the gateway on an input: outcome, reasons, combined ratings, score, rank, flips and
/// weight ranges for every opportunity. Every problem is reported at once, each naming its
/// field (`opportunities[0].ratings[3].rating`).
pub fn assess(input: &AssessInput) -> Result<AssessOutput, Invalid> {
    let mut invalid = Invalid::new();
    let criteria = match &input.criteria {
        None => {
            let set = Criteria {
                version: input.criteria_version.unwrap_or(1),
                ..Criteria::default()
            };
            invalid.check(set.validate().map(|()| set))
        }
        Some(list) => invalid.check(Criteria::parse(input.criteria_version.unwrap_or(1), list)),
    };
    let rule = invalid.check(input.rule.parse());
    let councils = invalid.check(Council::parse_all(&input.councils));
    if input.opportunities.is_empty() {
        invalid.push("opportunities", "Give at least one opportunity to assess");
    }
    let (Some(criteria), Some(rule), Some(councils)) = (criteria, rule, councils) else {
        return Err(invalid);
    };
    let mut assessments = Vec::with_capacity(input.opportunities.len());
    for (i, opportunity) in input.opportunities.iter().enumerate() {
        let parsed = Assessment::parse(
            criteria.clone(),
            rule,
            councils.clone(),
            &opportunity.ratings,
        );
        if let Some(a) =
            invalid.check(parsed.map_err(|e| e.within(&format!("opportunities[{i}]."))))
        {
            assessments.push(a);
        }
    }
    invalid.into_result()?;
    let reports = report_programme(&assessments)?;
    Ok(AssessOutput {
        criteria_version: criteria.version,
        criteria: criteria.criteria,
        rule,
        councils,
        opportunities: input
            .opportunities
            .iter()
            .zip(reports)
            .enumerate()
            .map(|(i, (opportunity, report))| OpportunityOutput {
                name: opportunity
                    .name
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map_or_else(|| format!("Opportunity {}", i + 1), str::to_owned),
                report,
            })
            .collect(),
    })
}

/// The whole command on text: `Ok` holds the output JSON (print it, exit 0); `Err` holds the
/// error JSON, `{"errors": [{"field", "message", "line"?}]}` (print it to standard error,
/// exit 2).
pub fn assess_json(text: &str) -> Result<String, String> {
    let result = parse_input(text).and_then(|input| assess(&input));
    match result {
        Ok(output) => serde_json::to_string_pretty(&output)
            .map_err(|e| error_json(&Invalid::field("output", e.to_string()))),
        Err(invalid) => Err(error_json(&invalid)),
    }
}

fn error_json(invalid: &Invalid) -> String {
    serde_json::to_string_pretty(invalid).unwrap_or_else(|_| {
        r#"{"errors":[{"field":"output","message":"could not write the errors"}]}"#.to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_the_format_names_the_line() {
        let err = assess_json("{\n  \"councils\": [],\n  \"weigth\": 1\n}").unwrap_err();
        let value: serde_json::Value = serde_json::from_str(&err).unwrap();
        assert_eq!(value["errors"][0]["field"], "file");
        assert_eq!(value["errors"][0]["line"], 3);
        assert!(
            value["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("unknown field `weigth`")
        );
        let err = assess_json("not json").unwrap_err();
        assert!(err.contains("\"line\": 1"));
    }

    #[test]
    fn defaults_fill_the_criteria_and_rule() {
        let mut ratings = Vec::new();
        for criterion in Criteria::default().criteria {
            ratings.push(serde_json::json!({
                "council": "E09000014", "criterion": criterion.name, "rating": "g", "rationale": "fine"
            }));
        }
        let input = serde_json::json!({
            "councils": [{"gss": "e09000014"}],
            "opportunities": [{"ratings": ratings}]
        });
        let output = assess(&parse_input(&input.to_string()).unwrap()).unwrap();
        assert_eq!(output.criteria.len(), 11);
        assert_eq!(output.rule, GatewayRule::default());
        assert_eq!(output.councils[0].name, "E09000014");
        assert_eq!(output.opportunities[0].name, "Opportunity 1");
        assert_eq!(
            output.opportunities[0].report.outcome,
            super::super::Outcome::Pass
        );
    }
}
