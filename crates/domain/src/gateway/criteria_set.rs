//! The gateway as a partnership keeps it: numbered versions of its criteria and rule, and each
//! council's ratings of an opportunity under one version, combined into an [`Assessment`] once
//! every assessing council has rated every criterion.
//!
//! Each council's ratings are kept apart (they belong to that council, which alone — with the
//! programme team — may change them), so an assessment is put together from its parts here
//! rather than stored whole.

use super::assessment::{
    Assessment, AssessmentReport, Council, CouncilRating, RatingInput, check_rating,
    report_programme,
};
use super::criteria::{Criteria, CriterionInput};
use super::rule::{GatewayRule, RuleInput};
use crate::opportunity::Opportunity;
use crate::{GssCode, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One version of a partnership's gateway: the criteria and the rule. Changing either makes a
/// new version; an assessment names the version it used, so its outcome can always be
/// explained as it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct CriteriaSet {
    /// The criteria; their `version` is this version's number.
    pub criteria: Criteria,
    /// The rule.
    pub rule: GatewayRule,
    /// When the partnership adopted it; `None` for the built-in defaults.
    pub on: Option<NaiveDate>,
    /// Who adopted it; empty for the built-in defaults.
    pub by: String,
    /// Why it was adopted or what changed, in the words of whoever changed it.
    pub note: String,
}

impl Default for CriteriaSet {
    /// Version 1: the eleven criteria of the Haringey report (7.2.1), equally weighted, and
    /// the default rule. Every partnership starts with it.
    fn default() -> Self {
        CriteriaSet {
            criteria: Criteria::default(),
            rule: GatewayRule::default(),
            on: None,
            by: String::new(),
            note:
                "The eleven criteria of the report (7.2.1), equally weighted, with the default rule"
                    .to_owned(),
        }
    }
}

impl CriteriaSet {
    /// The version's number.
    pub fn version(&self) -> u32 {
        self.criteria.version
    }

    /// The next version, with new criteria and a new rule; this one is unchanged. Refuses the
    /// same problems as [`Criteria::parse`] and [`RuleInput::parse`] (fields `criteria…`
    /// and `rule.…`), a version that changes nothing (`criteria`), and a date before this
    /// version's (`on`).
    pub fn revise(
        &self,
        criteria: &[CriterionInput],
        rule: &RuleInput,
        on: NaiveDate,
        by: &str,
        note: &str,
    ) -> Result<CriteriaSet, Invalid> {
        let mut invalid = Invalid::new();
        let set = invalid.check(self.criteria.revise(criteria));
        let parsed_rule = invalid.check(rule.parse());
        if let Some(previous) = self.on
            && on < previous
        {
            invalid.push(
                "on",
                format!(
                    "{} is before version {} was adopted, on {}",
                    crate::mou::long_date(on),
                    self.version(),
                    crate::mou::long_date(previous)
                ),
            );
        }
        if by.trim().is_empty() {
            invalid.push("by", "Record who made the change");
        }
        if let (Some(set), Some(rule)) = (&set, parsed_rule)
            && set.criteria == self.criteria.criteria
            && rule == self.rule
        {
            invalid.push(
                "criteria",
                "Nothing has changed: a new version needs a different criterion, weight, critical flag or rule",
            );
        }
        invalid.into_result()?;
        match (set, parsed_rule) {
            (Some(criteria), Some(rule)) => Ok(CriteriaSet {
                criteria,
                rule,
                on: Some(on),
                by: by.trim().to_owned(),
                note: note.trim().to_owned(),
            }),
            // Both parsed when `invalid` was empty.
            _ => Err(Invalid::field("criteria", "could not be read")),
        }
    }

    /// Checks a version read back from storage.
    pub fn validate(&self) -> Result<(), Invalid> {
        self.criteria.validate()
    }
}

/// One council's ratings of one opportunity under one version of the gateway. A council may
/// rate some criteria now and the rest later; the assessment is complete when every assessing
/// council has rated every criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct CouncilRatings {
    /// The version of the gateway the ratings use.
    pub criteria_version: u32,
    /// The council that rates.
    pub council: GssCode,
    /// Its ratings, at most one per criterion, in the criteria's order.
    pub ratings: Vec<CouncilRating>,
    /// When it last rated.
    pub on: NaiveDate,
    /// Who last rated.
    pub by: String,
    /// Whether the ratings are illustrative (made up for a demonstration, not a council's view).
    #[serde(default)]
    pub illustrative: bool,
}

impl CouncilRatings {
    /// A council's assessment with no ratings yet.
    pub fn new(criteria_version: u32, council: GssCode, on: NaiveDate, by: &str) -> Self {
        CouncilRatings {
            criteria_version,
            council,
            ratings: Vec::new(),
            on,
            by: by.to_owned(),
            illustrative: false,
        }
    }

    /// The council's rating of a criterion, by name ignoring case.
    pub fn rating_of(&self, criterion: &str) -> Option<&CouncilRating> {
        self.ratings
            .iter()
            .find(|r| r.criterion.eq_ignore_ascii_case(criterion.trim()))
    }
}

/// The councils that rate an opportunity (the originating council and every preferred partner
/// that accepted), named by `name` for reasons and pages.
pub fn councils_of(opportunity: &Opportunity, name: impl Fn(&GssCode) -> String) -> Vec<Council> {
    opportunity
        .assessing_councils()
        .into_iter()
        .map(|gss| Council {
            name: name(&gss),
            gss,
        })
        .collect()
}

/// Records ratings of an opportunity under `version` and returns every council's part that
/// changed, ready to store; `parts` (the parts stored so far, any version) are not changed.
///
/// Refuses, naming the field (`ratings[i].…` indexes `inputs`):
/// - an opportunity that is not being assessed — a not-pursued one is never assessed again
///   (`status`);
/// - no ratings (`ratings`);
/// - a rating other than R/A/G, a criterion not in the version, a council that is not one of
///   the assessing councils, a rating without its reason (via [`check_rating`]);
/// - the same council rating the same criterion twice in one request.
///
/// A rating of a criterion the council rated before replaces the earlier one (the audit trail
/// keeps it). All or nothing: on a refusal nothing is returned to store.
pub fn rate(
    opportunity: &Opportunity,
    version: &CriteriaSet,
    councils: &[Council],
    parts: &[CouncilRatings],
    inputs: &[RatingInput],
    on: NaiveDate,
    by: &str,
) -> Result<Vec<CouncilRatings>, Invalid> {
    opportunity.check_can_be_assessed()?;
    let mut invalid = Invalid::new();
    if inputs.is_empty() {
        invalid.push("ratings", "Rate at least one criterion");
    }
    if by.trim().is_empty() {
        invalid.push("by", "Record who made the change");
    }
    let criteria = &version.criteria;
    let mut seen: Vec<(usize, usize, usize)> = Vec::new();
    let mut changed: Vec<CouncilRatings> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let (criterion, council, rating) = match check_rating(criteria, councils, input) {
            Ok(checked) => checked,
            Err(e) => {
                invalid.extend(e.within(&format!("ratings[{i}].")));
                continue;
            }
        };
        if let Some((first, _, _)) = seen
            .iter()
            .find(|(_, c, k)| *c == criterion && *k == council)
        {
            invalid.push(
                format!("ratings[{i}].criterion"),
                format!(
                    "{} rates {} twice in this request (also ratings[{first}])",
                    councils[council].name, criteria.criteria[criterion].name
                ),
            );
            continue;
        }
        seen.push((i, criterion, council));
        let gss = &councils[council].gss;
        let part = match changed.iter_mut().find(|p| &p.council == gss) {
            Some(part) => part,
            None => {
                let stored = parts
                    .iter()
                    .find(|p| &p.council == gss && p.criteria_version == version.version())
                    .cloned()
                    .unwrap_or_else(|| CouncilRatings::new(version.version(), gss.clone(), on, by));
                changed.push(stored);
                // Just pushed, so the list is not empty.
                let Some(part) = changed.last_mut() else {
                    continue;
                };
                part
            }
        };
        match part
            .ratings
            .iter_mut()
            .find(|r| r.criterion == rating.criterion)
        {
            Some(existing) => *existing = rating,
            None => part.ratings.push(rating),
        }
        part.on = on;
        by.trim().clone_into(&mut part.by);
        // A council's own rating is its view, not an illustration.
        part.illustrative = false;
    }
    invalid.into_result()?;
    for part in &mut changed {
        part.ratings
            .sort_by_key(|r| criteria.index_of(&r.criterion).unwrap_or(usize::MAX));
    }
    Ok(changed)
}

/// The opportunity's assessment under `version`, put together from the councils' parts under
/// that version: complete when every council has rated every criterion. Otherwise the refusal
/// lists every missing rating (field `ratings`). Parts of councils that no longer assess the
/// opportunity, and parts under other versions, are left out.
pub fn combine(
    version: &CriteriaSet,
    councils: Vec<Council>,
    parts: &[CouncilRatings],
) -> Result<Assessment, Invalid> {
    let inputs: Vec<RatingInput> = parts
        .iter()
        .filter(|p| p.criteria_version == version.version())
        .filter(|p| councils.iter().any(|c| c.gss == p.council))
        .flat_map(|p| {
            p.ratings.iter().map(|r| RatingInput {
                council: r.council.to_string(),
                criterion: r.criterion.clone(),
                rating: r.rating.slug().to_owned(),
                rationale: r.rationale.clone(),
                evidence: r.evidence.clone(),
            })
        })
        .collect();
    Assessment::parse(version.criteria.clone(), version.rule, councils, &inputs)
}

/// Where one opportunity's assessment stands, as one reader sees its ratings.
#[derive(Debug, Clone)]
pub enum AssessmentState {
    /// No council has rated it under the criteria set it uses.
    NotStarted,
    /// Some ratings are missing (or not visible to the reader).
    Incomplete {
        /// Ratings given.
        rated: usize,
        /// Ratings needed: criteria × assessing councils.
        needed: usize,
        /// What is missing, in words.
        missing: Invalid,
    },
    /// Every council rated every criterion.
    Complete {
        /// The assessment.
        assessment: Box<Assessment>,
        /// The gateway's report, ranked among the programme's assessments under the same set.
        report: Box<AssessmentReport>,
    },
}

impl AssessmentState {
    /// The report, when complete.
    pub fn report(&self) -> Option<&AssessmentReport> {
        match self {
            AssessmentState::Complete { report, .. } => Some(report),
            _ => None,
        }
    }

    /// The outcome, when complete.
    pub fn outcome(&self) -> Option<super::Outcome> {
        self.report().map(|r| r.outcome)
    }
}

/// One opportunity of a programme, as [`assess_programme`] takes it.
#[derive(Debug, Clone)]
pub struct ProgrammeItem<'a> {
    /// The version of the criteria set its assessment uses.
    pub set: u32,
    /// The councils that rate it.
    pub councils: &'a [Council],
    /// The councils' ratings the reader may see, under any set.
    pub parts: &'a [CouncilRatings],
}

/// The criteria set an opportunity's assessment uses: the latest one it has ratings under, or
/// the partnership's current one when it has none.
pub fn set_used(parts: &[CouncilRatings], current: u32) -> u32 {
    parts
        .iter()
        .map(|p| p.criteria_version)
        .max()
        .unwrap_or(current)
}

/// Works out every opportunity's assessment in a programme: combined when complete, then
/// ranked with the other complete assessments under the same criteria set (a rank compares
/// scores on one scale). An opportunity whose set is not among `sets` is not started.
pub fn assess_programme(
    sets: &[CriteriaSet],
    items: &[ProgrammeItem<'_>],
) -> Result<Vec<AssessmentState>, Invalid> {
    let mut states: Vec<AssessmentState> =
        items.iter().map(|_| AssessmentState::NotStarted).collect();
    let mut complete: Vec<(u32, Vec<(usize, Assessment)>)> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let Some(set) = sets.iter().find(|s| s.version() == item.set) else {
            continue;
        };
        let visible: Vec<CouncilRatings> = item
            .parts
            .iter()
            .filter(|p| p.criteria_version == item.set)
            .cloned()
            .collect();
        if visible.is_empty() {
            continue;
        }
        match combine(set, item.councils.to_vec(), &visible) {
            Ok(assessment) => match complete.iter_mut().find(|(v, _)| *v == item.set) {
                Some((_, group)) => group.push((index, assessment)),
                None => complete.push((item.set, vec![(index, assessment)])),
            },
            Err(missing) => {
                let needed = set.criteria.criteria.len() * item.councils.len();
                let rated = visible
                    .iter()
                    .filter(|p| item.councils.iter().any(|c| c.gss == p.council))
                    .map(|p| p.ratings.len())
                    .sum();
                states[index] = AssessmentState::Incomplete {
                    rated,
                    needed,
                    missing,
                };
            }
        }
    }
    for (_, group) in complete {
        let assessments: Vec<Assessment> = group.iter().map(|(_, a)| a.clone()).collect();
        let reports = report_programme(&assessments)?;
        for ((index, assessment), report) in group.into_iter().zip(reports) {
            states[index] = AssessmentState::Complete {
                assessment: Box::new(assessment),
                report: Box::new(report),
            };
        }
    }
    Ok(states)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::{Outcome, Rating};
    use crate::opportunity::{NewOpportunity, ResponseKind, Status, StatusRequest};
    use crate::service::Service;
    use crate::{Member, MemberRole, MemberStatus, Partnership};

    const HARINGEY: &str = "E09000014";
    const WALTHAM_FOREST: &str = "E09000031";

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn gss(code: &str) -> GssCode {
        GssCode::parse("gss", code).unwrap()
    }

    fn partnership() -> Partnership {
        Partnership {
            id: 1,
            name: "Haringey – Waltham Forest".into(),
            summary: String::new(),
            source: None,
            members: [HARINGEY, WALTHAM_FOREST]
                .iter()
                .map(|code| Member {
                    authority: gss(code),
                    role: MemberRole::Partner,
                    status: MemberStatus::Active,
                    joined: Some(d(2010, 12, 21)),
                    left: None,
                })
                .collect(),
        }
    }

    /// An opportunity raised by Haringey, accepted by Waltham Forest, being assessed.
    fn assessing() -> Opportunity {
        let p = partnership();
        let mut o = Opportunity::raise(
            &p,
            Service::parse("Legal Services", "legal").unwrap(),
            &NewOpportunity {
                scope: "A shared legal service".into(),
                originating: HARINGEY.into(),
                wave: Some(1),
                phase: Some(1),
                size: Some("small".into()),
            },
            d(2011, 1, 10),
            "pd",
        )
        .unwrap();
        o.offer(&p, d(2011, 1, 11), "pd").unwrap();
        o.respond(
            &gss(WALTHAM_FOREST),
            ResponseKind::Accept,
            d(2011, 1, 12),
            "pd",
            "",
        )
        .unwrap();
        o.change_status(&StatusRequest {
            to: Status::Assessing,
            on: d(2011, 1, 13),
            by: "pd".into(),
            reason: String::new(),
            gateway: None,
        })
        .unwrap();
        o
    }

    fn councils(o: &Opportunity) -> Vec<Council> {
        councils_of(o, |g| {
            if g.as_str() == HARINGEY {
                "Haringey".into()
            } else {
                "Waltham Forest".into()
            }
        })
    }

    fn input(council: &str, criterion: &str, rating: &str) -> RatingInput {
        RatingInput {
            council: council.into(),
            criterion: criterion.into(),
            rating: rating.into(),
            rationale: format!("{council} on {criterion}"),
            evidence: None,
        }
    }

    /// Every criterion of the default version rated by one council: one letter per criterion.
    fn all(council: &str, letters: &str) -> Vec<RatingInput> {
        Criteria::default()
            .criteria
            .iter()
            .zip(letters.chars())
            .map(|(c, l)| input(council, &c.name, &l.to_string()))
            .collect()
    }

    #[test]
    fn bad_ratings_are_refused_naming_the_field_and_nothing_is_returned() {
        let o = assessing();
        let version = CriteriaSet::default();
        let councils = councils(&o);
        let mut not_pursued = o.clone();
        not_pursued
            .change_status(&StatusRequest {
                to: Status::NotPursued {
                    reason: "market testing instead".into(),
                },
                on: d(2011, 7, 1),
                by: "pd".into(),
                reason: String::new(),
                gateway: None,
            })
            .unwrap();
        let cases: [(&Opportunity, Vec<RatingInput>, &str); 6] = [
            (&o, vec![input(HARINGEY, "Risk", "B")], "ratings[0].rating"),
            (
                &o,
                vec![input(HARINGEY, "Risk", "G"), input(HARINGEY, "Colour", "G")],
                "ratings[1].criterion",
            ),
            // Enfield is not a member, so it cannot rate.
            (
                &o,
                vec![input("E09000010", "Risk", "G")],
                "ratings[0].council",
            ),
            (
                &o,
                vec![input(HARINGEY, "Risk", "G"), input(HARINGEY, "risk", "A")],
                "ratings[1].criterion",
            ),
            (&o, vec![], "ratings"),
            (&not_pursued, vec![input(HARINGEY, "Risk", "G")], "status"),
        ];
        for (opportunity, inputs, field) in cases {
            let err = rate(
                opportunity,
                &version,
                &councils,
                &[],
                &inputs,
                d(2011, 2, 1),
                "officer",
            )
            .unwrap_err();
            assert_eq!(err.errors[0].field, field, "{err}");
        }
        let err = rate(
            &not_pursued,
            &version,
            &councils,
            &[],
            &[input(HARINGEY, "Risk", "G")],
            d(2011, 7, 2),
            "officer",
        )
        .unwrap_err();
        assert!(err.errors[0].message.contains("not pursued"), "{err}");
    }

    #[test]
    fn ratings_build_up_per_council_and_combine_when_complete() {
        let o = assessing();
        let version = CriteriaSet::default();
        let councils = councils(&o);
        // Haringey rates everything; Waltham Forest rates part now, the rest later.
        let mut parts = rate(
            &o,
            &version,
            &councils,
            &[],
            &all(HARINGEY, "GGGAGGGGGGG"),
            d(2011, 2, 1),
            "officer@haringey",
        )
        .unwrap();
        parts.extend(
            rate(
                &o,
                &version,
                &councils,
                &parts,
                &all("Waltham Forest", "GGGGG")[..],
                d(2011, 2, 2),
                "officer@walthamforest",
            )
            .unwrap(),
        );
        assert_eq!(parts.len(), 2);
        let err = combine(&version, councils.clone(), &parts).unwrap_err();
        assert_eq!(err.errors.len(), 6, "{err}");
        assert_eq!(
            err.errors[0].message,
            "Waltham Forest has not rated Service Standards"
        );
        let later: Vec<RatingInput> = all("Waltham Forest", "GGGGGGGGGGG").split_off(5);
        let changed = rate(
            &o,
            &version,
            &councils,
            &parts,
            &later,
            d(2011, 2, 3),
            "officer@walthamforest",
        )
        .unwrap();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].ratings.len(), 11);
        parts[1] = changed[0].clone();
        let report = combine(&version, councils.clone(), &parts)
            .unwrap()
            .report()
            .unwrap();
        assert_eq!(report.outcome, Outcome::PassWithConditions);
        // A second rating replaces the first, and the ratings stay in the criteria's order.
        let changed = rate(
            &o,
            &version,
            &councils,
            &parts,
            &[input(HARINGEY, "business processes", "G")],
            d(2011, 2, 4),
            "officer@haringey",
        )
        .unwrap();
        assert_eq!(changed[0].ratings.len(), 11);
        assert_eq!(changed[0].ratings[3].rating, Rating::Green);
        assert_eq!(changed[0].ratings[3].criterion, "Business Processes");
        parts[0] = changed[0].clone();
        let report = combine(&version, councils, &parts)
            .unwrap()
            .report()
            .unwrap();
        assert_eq!(report.outcome, Outcome::Pass);
    }

    #[test]
    fn an_assessment_keeps_its_version() {
        let o = assessing();
        let v1 = CriteriaSet::default();
        let mut inputs = v1.criteria.to_inputs();
        inputs[7].weight = 3.0;
        inputs.push(CriterionInput {
            name: "Equalities".into(),
            weight: 1.0,
            critical: false,
        });
        let v2 = v1
            .revise(&inputs, &RuleInput::default(), d(2011, 3, 1), "pd", "")
            .unwrap();
        assert_eq!(v2.version(), 2);
        let councils = councils(&o);
        let mut parts = Vec::new();
        for council in [HARINGEY, WALTHAM_FOREST] {
            parts.extend(
                rate(
                    &o,
                    &v1,
                    &councils,
                    &parts,
                    &all(council, "GGGGGGGGGGG"),
                    d(2011, 2, 1),
                    "x",
                )
                .unwrap(),
            );
        }
        // Complete under version 1; under version 2 nothing is rated yet.
        assert!(combine(&v1, councils.clone(), &parts).is_ok());
        let err = combine(&v2, councils.clone(), &parts).unwrap_err();
        assert_eq!(err.errors.len(), 24);
        // "Equalities" is not a criterion of version 1.
        let err = rate(
            &o,
            &v1,
            &councils,
            &parts,
            &[input(HARINGEY, "Equalities", "G")],
            d(2011, 3, 2),
            "x",
        )
        .unwrap_err();
        assert!(
            err.errors[0]
                .message
                .contains("not a criterion of version 1")
        );
        let changed = rate(
            &o,
            &v2,
            &councils,
            &parts,
            &[input(HARINGEY, "Equalities", "G")],
            d(2011, 3, 2),
            "x",
        )
        .unwrap();
        assert_eq!(changed[0].criteria_version, 2);
        assert_eq!(changed[0].ratings.len(), 1);
    }

    #[test]
    fn revising_refuses_bad_weights_and_no_change() {
        let v1 = CriteriaSet::default();
        let same = v1.criteria.to_inputs();
        let mut negative = same.clone();
        negative[2].weight = -1.0;
        let zero: Vec<CriterionInput> = same
            .iter()
            .map(|c| CriterionInput {
                weight: 0.0,
                ..c.clone()
            })
            .collect();
        let bad_rule = RuleInput {
            threshold: Some(1.5),
            ..RuleInput::default()
        };
        let stricter = RuleInput {
            threshold: Some(0.8),
            ..RuleInput::default()
        };
        let cases: [(&[CriterionInput], &RuleInput, Result<(), &str>); 5] = [
            (&same, &RuleInput::default(), Err("criteria")),
            (&negative, &RuleInput::default(), Err("criteria[2].weight")),
            (&zero, &RuleInput::default(), Err("criteria")),
            (&same, &bad_rule, Err("rule.threshold")),
            (&same, &stricter, Ok(())),
        ];
        for (criteria, rule, expected) in cases {
            let result = v1.revise(criteria, rule, d(2011, 3, 1), "pd", "stricter");
            match expected {
                Ok(()) => {
                    let v2 = result.unwrap();
                    assert_eq!(v2.version(), 2);
                    assert_eq!(v2.rule.threshold.micros(), 800_000);
                    assert_eq!(v2.on, Some(d(2011, 3, 1)));
                }
                Err(field) => assert_eq!(result.unwrap_err().errors[0].field, field),
            }
        }
        let v2 = v1
            .revise(&same, &stricter, d(2011, 3, 1), "pd", "")
            .unwrap();
        let err = v2
            .revise(&same, &RuleInput::default(), d(2011, 2, 1), "pd", "")
            .unwrap_err();
        assert_eq!(err.errors[0].field, "on");
    }

    #[test]
    fn versions_and_parts_round_trip_through_json() {
        let version = CriteriaSet::default();
        let json = serde_json::to_string(&version).unwrap();
        let back: CriteriaSet = serde_json::from_str(&json).unwrap();
        assert_eq!(back, version);
        let o = assessing();
        let parts = rate(
            &o,
            &version,
            &councils(&o),
            &[],
            &all(HARINGEY, "RAG"),
            d(2011, 2, 1),
            "x",
        )
        .unwrap();
        let json = serde_json::to_string(&parts[0]).unwrap();
        assert!(json.contains(r#""rating":"red""#), "{json}");
        let back: CouncilRatings = serde_json::from_str(&json).unwrap();
        assert_eq!(back, parts[0]);
    }
}
