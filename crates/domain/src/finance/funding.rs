//! External funding: awards of money from a funder to a partnership, in tranches, some of them
//! conditional ("subject to satisfactory progress"), and what has been drawn down and spent.
//!
//! A tranche's money is *confirmed* when it has no condition or its condition has been met,
//! *conditional* while the condition is pending, and *withdrawn* when the condition was not
//! met. Only confirmed money can be drawn, and only drawn money spent.

use crate::{FinancialYear, Invalid, Money};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a tranche's condition stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionStatus {
    /// No condition is attached.
    #[default]
    None,
    /// The condition has not been judged yet.
    Pending,
    /// The funder judged the condition met.
    Met,
    /// The funder judged the condition not met: the tranche is withdrawn.
    NotMet,
}

impl ConditionStatus {
    /// Every status.
    pub const ALL: [ConditionStatus; 4] = [
        ConditionStatus::None,
        ConditionStatus::Pending,
        ConditionStatus::Met,
        ConditionStatus::NotMet,
    ];

    /// The stable name used in storage, forms and the API.
    pub fn slug(self) -> &'static str {
        match self {
            ConditionStatus::None => "none",
            ConditionStatus::Pending => "pending",
            ConditionStatus::Met => "met",
            ConditionStatus::NotMet => "not_met",
        }
    }

    /// For pages.
    pub fn label(self) -> &'static str {
        match self {
            ConditionStatus::None => "No condition",
            ConditionStatus::Pending => "Condition pending",
            ConditionStatus::Met => "Condition met",
            ConditionStatus::NotMet => "Condition not met: withdrawn",
        }
    }

    /// Parses a slug.
    pub fn parse(field: &str, text: &str) -> Result<ConditionStatus, Invalid> {
        ConditionStatus::ALL
            .into_iter()
            .find(|s| s.slug() == text.trim())
            .ok_or_else(|| {
                Invalid::field(
                    field,
                    format!(
                        "“{text}” is not a condition status; use none, pending, met or not_met"
                    ),
                )
            })
    }
}

/// One tranche of a funding award: one financial year's money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Tranche {
    /// The financial year the money is for.
    pub financial_year: FinancialYear,
    /// The amount awarded (or offered, when conditional).
    pub awarded: Money,
    /// Any condition, in the funder's words ("subject to satisfactory progress").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Where the condition stands.
    #[serde(default)]
    pub condition_status: ConditionStatus,
    /// Drawn down from the funder so far; `None` when no source states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drawn: Option<Money>,
    /// Spent so far; `None` when no source states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spent: Option<Money>,
}

impl Tranche {
    /// What the tranche can be drawn to: the award, once any condition is met.
    pub fn confirmed(&self) -> Money {
        match self.condition_status {
            ConditionStatus::None | ConditionStatus::Met => self.awarded,
            ConditionStatus::Pending | ConditionStatus::NotMet => Money::ZERO,
        }
    }

    /// Checks the tranche; errors name the field under `prefix` (e.g. `tranches[1].`).
    pub fn validate(&self, prefix: &str) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        let f = |name: &str| format!("{prefix}{name}");
        for (name, amount) in [
            ("awarded", Some(self.awarded)),
            ("drawn", self.drawn),
            ("spent", self.spent),
        ] {
            if amount.is_some_and(Money::is_negative) {
                invalid.push(f(name), "An amount of funding cannot be negative");
            }
        }
        if let Some(condition) = &self.condition {
            crate::text::limit(
                &mut invalid,
                &f("condition"),
                condition,
                crate::text::MAX_NOTE,
            );
        }
        let has_condition = self
            .condition
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty());
        match (has_condition, self.condition_status) {
            (true, ConditionStatus::None) => invalid.push(
                f("condition_status"),
                "Say whether the condition is pending, met or not met",
            ),
            (false, s) if s != ConditionStatus::None => {
                invalid.push(f("condition"), "Enter the condition, in the funder’s words");
            }
            _ => {}
        }
        let drawn = self.drawn.unwrap_or(Money::ZERO);
        let spent = self.spent.unwrap_or(Money::ZERO);
        if drawn > self.confirmed() {
            invalid.push(
                f("drawn"),
                match self.condition_status {
                    ConditionStatus::Pending => {
                        "Nothing can be drawn while the condition is pending".to_owned()
                    }
                    ConditionStatus::NotMet => {
                        "Nothing can be drawn from a tranche whose condition was not met".to_owned()
                    }
                    _ => format!("{drawn} is more than the {} awarded", self.awarded),
                },
            );
        }
        if spent > drawn {
            invalid.push(
                f("spent"),
                format!("{spent} is more than the {drawn} drawn"),
            );
        }
        invalid.into_result()
    }
}

/// An award of external funding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct FundingAward {
    /// Its name ("Capital Ambition funding").
    pub name: String,
    /// Who gives it.
    pub funder: String,
    /// What it is for.
    #[serde(default)]
    pub purpose: String,
    /// The business case it funds, when it is kept in Accord.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_case_record_id: Option<i64>,
    /// Its tranches.
    pub tranches: Vec<Tranche>,
    /// Where the figures come from (a seed citation), for demo or imported awards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl FundingAward {
    /// Checks the award: a name and funder, at least one tranche, each tranche sound, and no
    /// two tranches for the same year.
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        if self.name.trim().is_empty() {
            invalid.push("name", "Enter the award’s name");
        }
        if self.funder.trim().is_empty() {
            invalid.push("funder", "Enter who gives the money");
        }
        use crate::text::{MAX_NAME, MAX_NOTE, MAX_SOURCE, limit};
        limit(&mut invalid, "name", &self.name, MAX_NAME);
        limit(&mut invalid, "funder", &self.funder, MAX_NAME);
        limit(&mut invalid, "purpose", &self.purpose, MAX_NOTE);
        if let Some(source) = &self.source {
            limit(&mut invalid, "source", source, MAX_SOURCE);
        }
        if self.tranches.is_empty() {
            invalid.push("tranches", "Enter at least one tranche");
        }
        for (i, t) in self.tranches.iter().enumerate() {
            if let Err(e) = t.validate(&format!("tranches[{i}].")) {
                invalid.extend(e);
            }
            if self.tranches[..i]
                .iter()
                .any(|o| o.financial_year == t.financial_year)
            {
                invalid.push(
                    format!("tranches[{i}].financial_year"),
                    format!("{} already has a tranche", t.financial_year),
                );
            }
        }
        if self.business_case_record_id.is_some_and(|id| id <= 0) {
            invalid.push(
                "business_case_record_id",
                "Give the id of a business case record",
            );
        }
        invalid.into_result()
    }

    /// The award's totals.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for t in &self.tranches {
            s.awarded += t.awarded;
            match t.condition_status {
                ConditionStatus::None | ConditionStatus::Met => s.confirmed += t.awarded,
                ConditionStatus::Pending => s.conditional += t.awarded,
                ConditionStatus::NotMet => s.withdrawn += t.awarded,
            }
            s.drawn += t.drawn.unwrap_or(Money::ZERO);
            s.spent += t.spent.unwrap_or(Money::ZERO);
            s.drawn_not_stated |= t.drawn.is_none();
            s.spent_not_stated |= t.spent.is_none();
        }
        s.undrawn = s.confirmed - s.drawn;
        s.unspent = s.drawn - s.spent;
        s
    }

    /// Totals per financial year.
    pub fn by_year(&self) -> BTreeMap<FinancialYear, Summary> {
        let mut out = BTreeMap::new();
        for t in &self.tranches {
            let one = FundingAward {
                tranches: vec![t.clone()],
                ..self.clone()
            };
            out.insert(t.financial_year, one.summary());
        }
        out
    }
}

/// An award's (or a year's, or a partnership's) totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Summary {
    /// Everything awarded or offered, conditional tranches included.
    pub awarded: Money,
    /// Awarded without a condition, or with its condition met.
    pub confirmed: Money,
    /// Offered subject to a condition not yet judged.
    pub conditional: Money,
    /// Offered subject to a condition that was not met.
    pub withdrawn: Money,
    /// Drawn down.
    pub drawn: Money,
    /// Spent.
    pub spent: Money,
    /// Confirmed but not drawn.
    pub undrawn: Money,
    /// Drawn but not spent.
    pub unspent: Money,
    /// Whether some tranche's drawings are not stated (the figures count them as none).
    pub drawn_not_stated: bool,
    /// Whether some tranche's spending is not stated.
    pub spent_not_stated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year(t: &str) -> FinancialYear {
        FinancialYear::parse("y", t).unwrap()
    }

    fn k(p: i64) -> Money {
        Money::from_pounds(p * 1000)
    }

    fn capital_ambition(second: ConditionStatus) -> FundingAward {
        FundingAward {
            name: "Capital Ambition funding".into(),
            funder: "Capital Ambition".into(),
            purpose: "Resources to move the programme on at pace".into(),
            business_case_record_id: None,
            tranches: vec![
                Tranche {
                    financial_year: year("2011/12"),
                    awarded: k(350),
                    condition: None,
                    condition_status: ConditionStatus::None,
                    drawn: Some(k(200)),
                    spent: Some(k(150)),
                },
                Tranche {
                    financial_year: year("2012/13"),
                    awarded: k(400),
                    condition: Some("subject to satisfactory progress".into()),
                    condition_status: second,
                    drawn: None,
                    spent: None,
                },
            ],
            source: None,
        }
    }

    #[test]
    fn every_text_of_an_award_has_a_stated_limit() {
        let long = |n: usize| "x".repeat(n);
        let base = || capital_ambition(ConditionStatus::Pending);
        let mut cases: Vec<(&str, FundingAward, bool)> = Vec::new();
        for (field, max) in [("name", 200), ("funder", 200), ("purpose", 2_000)] {
            for (n, refused) in [(max, false), (max + 1, true)] {
                let mut award = base();
                match field {
                    "name" => award.name = long(n),
                    "funder" => award.funder = long(n),
                    _ => award.purpose = long(n),
                }
                cases.push((field, award, refused));
            }
        }
        for (n, refused) in [(500, false), (501, true)] {
            cases.push((
                "source",
                FundingAward {
                    source: Some(long(n)),
                    ..base()
                },
                refused,
            ));
        }
        for (n, refused) in [(2_000, false), (2_001, true)] {
            let mut award = base();
            award.tranches[1].condition = Some(long(n));
            cases.push(("tranches[1].condition", award, refused));
        }
        for (field, award, refused) in cases {
            let result = award.validate();
            assert_eq!(result.is_err(), refused, "{field}");
            if let Err(invalid) = result {
                assert_eq!(invalid.errors[0].field, field);
                assert!(invalid.errors[0].message.contains("characters or fewer"));
            }
        }
    }

    #[test]
    fn totals_follow_the_condition() {
        // (second tranche's condition, confirmed, conditional, withdrawn, undrawn) in £k
        let cases = [
            (ConditionStatus::Pending, 350, 400, 0, 150),
            (ConditionStatus::Met, 750, 0, 0, 550),
            (ConditionStatus::NotMet, 350, 0, 400, 150),
        ];
        for (status, confirmed, conditional, withdrawn, undrawn) in cases {
            let g = capital_ambition(status);
            g.validate().unwrap();
            let s = g.summary();
            assert_eq!(s.awarded, k(750));
            assert_eq!(
                (s.confirmed, s.conditional, s.withdrawn, s.undrawn),
                (k(confirmed), k(conditional), k(withdrawn), k(undrawn)),
                "{status:?}"
            );
            assert_eq!((s.drawn, s.spent, s.unspent), (k(200), k(150), k(50)));
        }
        let years = capital_ambition(ConditionStatus::Pending).by_year();
        assert_eq!(years[&year("2012/13")].conditional, k(400));
        assert_eq!(years[&year("2011/12")].confirmed, k(350));
    }

    #[test]
    fn refusals_name_the_field() {
        type Change = Box<dyn Fn(&mut FundingAward)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|g| g.name = String::new()), "name"),
            (Box::new(|g| g.funder = " ".into()), "funder"),
            (Box::new(|g| g.tranches.clear()), "tranches"),
            (
                Box::new(|g| g.tranches[0].awarded = Money::from_pence(-1)),
                "tranches[0].awarded",
            ),
            (
                Box::new(|g| g.tranches[0].drawn = Some(k(351))),
                "tranches[0].drawn",
            ),
            (
                Box::new(|g| g.tranches[0].spent = Some(k(201))),
                "tranches[0].spent",
            ),
            (
                Box::new(|g| g.tranches[1].drawn = Some(k(1))),
                "tranches[1].drawn",
            ),
            (
                Box::new(|g| g.tranches[1].condition_status = ConditionStatus::None),
                "tranches[1].condition_status",
            ),
            (
                Box::new(|g| g.tranches[0].condition_status = ConditionStatus::Met),
                "tranches[0].condition",
            ),
            (
                Box::new(|g| g.tranches[1].financial_year = year("2011/12")),
                "tranches[1].financial_year",
            ),
            (
                Box::new(|g| g.business_case_record_id = Some(-3)),
                "business_case_record_id",
            ),
        ];
        for (change, field) in cases {
            let mut g = capital_ambition(ConditionStatus::Pending);
            change(&mut g);
            let err = g.validate().unwrap_err();
            assert_eq!(err.errors[0].field, field, "{err}");
        }
        let mut met = capital_ambition(ConditionStatus::Met);
        met.tranches[1].drawn = Some(k(400));
        met.tranches[1].spent = Some(k(10));
        assert!(met.validate().is_ok());
        let s = capital_ambition(ConditionStatus::Pending).summary();
        assert!(s.drawn_not_stated && s.spent_not_stated);
    }

    #[test]
    fn condition_status_parses_its_slugs() {
        for s in ConditionStatus::ALL {
            assert_eq!(ConditionStatus::parse("c", s.slug()).unwrap(), s);
        }
        assert!(ConditionStatus::parse("c", "maybe").is_err());
    }
}
