//! Finance (MOU 7.1, report 7.5.1 and 8.2): business cases and their appraisal, the allocation
//! of costs and benefits between councils, the savings ledger against each council's Medium
//! Term Financial Strategy, and external funding awarded in tranches.
//!
//! The words are used one way only: a [`saving::Saving`] is one line of the ledger (one
//! council, one financial year, planned or achieved); a council's *savings target* is what its
//! MTFS counts on (the planned savings of its lines in the MTFS); a business case's *projected
//! saving* is its estimate; money from a funder is a [`funding::FundingAward`] with its
//! tranches.
//!
//! Business cases, allocations, funding awards and ledger lines each have a short reference of
//! their own within their partnership (`BC-3`, `AL-2`, `FA-1`, `SV-12`), numbered in the order
//! they were made, so that addresses and conversations name them the same way.

pub mod funding;
pub mod saving;

use crate::Invalid;
use serde::{Deserialize, Serialize};

/// The kinds of finance record that carry a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FinanceKind {
    /// A business case.
    BusinessCase,
    /// An allocation of a cost or benefit between councils.
    Allocation,
    /// A line of the savings ledger.
    Saving,
    /// An award of external funding.
    FundingAward,
}

impl FinanceKind {
    /// Every kind.
    pub const ALL: [FinanceKind; 4] = [
        FinanceKind::BusinessCase,
        FinanceKind::Allocation,
        FinanceKind::Saving,
        FinanceKind::FundingAward,
    ];

    /// The letters of its references.
    pub fn prefix(self) -> &'static str {
        match self {
            FinanceKind::BusinessCase => "BC",
            FinanceKind::Allocation => "AL",
            FinanceKind::Saving => "SV",
            FinanceKind::FundingAward => "FA",
        }
    }

    /// The reference of the record numbered `number`: `BC-3`.
    pub fn reference(self, number: u32) -> String {
        format!("{}-{number}", self.prefix())
    }

    /// The number a reference names, read leniently (`BC-3`, `bc3`, `Bc-03`); `None` when the
    /// text is not a reference of this kind.
    pub fn parse(self, text: &str) -> Option<u32> {
        let t = text.trim();
        let prefix = self.prefix();
        let head = t.get(..prefix.len())?;
        if !head.eq_ignore_ascii_case(prefix) {
            return None;
        }
        let rest = &t[prefix.len()..];
        let digits = rest.strip_prefix('-').unwrap_or(rest);
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        digits.parse::<u32>().ok().filter(|n| *n > 0)
    }
}

/// How far a business case has come, in the Green Book's three stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStage {
    /// The strategic outline case: the case for change and a long list of options.
    StrategicOutline,
    /// The outline business case: the preferred way forward, appraised.
    Outline,
    /// The full business case: the deal, ready to sign.
    Full,
}

impl CaseStage {
    /// Every stage, in order.
    pub const ALL: [CaseStage; 3] = [
        CaseStage::StrategicOutline,
        CaseStage::Outline,
        CaseStage::Full,
    ];

    /// The stable name used in storage, forms and the API.
    pub fn slug(self) -> &'static str {
        match self {
            CaseStage::StrategicOutline => "strategic_outline",
            CaseStage::Outline => "outline",
            CaseStage::Full => "full",
        }
    }

    /// For pages.
    pub fn label(self) -> &'static str {
        match self {
            CaseStage::StrategicOutline => "Strategic outline case",
            CaseStage::Outline => "Outline business case",
            CaseStage::Full => "Full business case",
        }
    }

    /// Parses a slug.
    pub fn parse(field: &str, text: &str) -> Result<CaseStage, Invalid> {
        CaseStage::ALL
            .into_iter()
            .find(|s| s.slug() == text.trim())
            .ok_or_else(|| {
                Invalid::field(
                    field,
                    format!("“{text}” is not a stage; use strategic_outline, outline or full"),
                )
            })
    }
}

/// Whether a business case makes clear financial sense, as its last appraisal found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseDecision {
    /// Its preferred option makes clear financial sense.
    MakesClearFinancialSense,
    /// No option does (or it has not been appraised).
    NotClear,
}

impl CaseDecision {
    /// Both decisions.
    pub const ALL: [CaseDecision; 2] = [
        CaseDecision::MakesClearFinancialSense,
        CaseDecision::NotClear,
    ];

    /// The stable name used in storage, filters and the API.
    pub fn slug(self) -> &'static str {
        match self {
            CaseDecision::MakesClearFinancialSense => "makes-clear-financial-sense",
            CaseDecision::NotClear => "not-clear",
        }
    }

    /// Parses a slug.
    pub fn parse(field: &str, text: &str) -> Result<CaseDecision, Invalid> {
        CaseDecision::ALL
            .into_iter()
            .find(|d| d.slug() == text.trim())
            .ok_or_else(|| {
                Invalid::field(
                    field,
                    format!(
                        "“{text}” is not a decision; use makes-clear-financial-sense or not-clear"
                    ),
                )
            })
    }
}

/// What proportional shares of an allocation follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Driver {
    /// Residents (the register's mid-year estimate, unless entered).
    Population,
    /// Net revenue budget, in pounds.
    Budget,
    /// Transactions a year handled by the service.
    Transactions,
    /// Staff (full-time equivalents) in the service.
    Headcount,
}

impl Driver {
    /// Every driver.
    pub const ALL: [Driver; 4] = [
        Driver::Population,
        Driver::Budget,
        Driver::Transactions,
        Driver::Headcount,
    ];

    /// The form value.
    pub fn slug(self) -> &'static str {
        match self {
            Driver::Population => "population",
            Driver::Budget => "budget",
            Driver::Transactions => "transactions",
            Driver::Headcount => "headcount",
        }
    }

    /// For pages.
    pub fn label(self) -> &'static str {
        match self {
            Driver::Population => "Population",
            Driver::Budget => "Budget (£)",
            Driver::Transactions => "Transactions a year",
            Driver::Headcount => "Headcount (FTE)",
        }
    }

    /// Reads the form value.
    pub fn parse(field: &str, text: &str) -> Result<Driver, Invalid> {
        Driver::ALL
            .into_iter()
            .find(|d| d.slug() == text.trim())
            .ok_or_else(|| Invalid::field(field, "Choose what proportional shares follow"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_read_leniently_and_write_one_way() {
        let cases = [
            (FinanceKind::BusinessCase, "BC-3", Some(3)),
            (FinanceKind::BusinessCase, "bc3", Some(3)),
            (FinanceKind::BusinessCase, " Bc-03 ", Some(3)),
            (FinanceKind::BusinessCase, "BC-0", None),
            (FinanceKind::BusinessCase, "BC-", None),
            (FinanceKind::BusinessCase, "BC-3a", None),
            (FinanceKind::BusinessCase, "AL-3", None),
            (FinanceKind::BusinessCase, "3", None),
            (FinanceKind::Allocation, "AL-2", Some(2)),
            (FinanceKind::Saving, "sv-12", Some(12)),
            (FinanceKind::FundingAward, "FA-1", Some(1)),
            (FinanceKind::FundingAward, "FA-99999999999", None),
            (FinanceKind::FundingAward, "É", None),
        ];
        for (kind, text, number) in cases {
            assert_eq!(kind.parse(text), number, "{kind:?} {text}");
        }
        for kind in FinanceKind::ALL {
            assert_eq!(kind.parse(&kind.reference(42)), Some(42));
        }
        assert_eq!(FinanceKind::FundingAward.reference(1), "FA-1");
    }

    #[test]
    fn slugs_round_trip() {
        for s in CaseStage::ALL {
            assert_eq!(CaseStage::parse("s", s.slug()).unwrap(), s);
        }
        for d in Driver::ALL {
            assert_eq!(Driver::parse("d", d.slug()).unwrap(), d);
        }
        for d in CaseDecision::ALL {
            assert_eq!(CaseDecision::parse("d", d.slug()).unwrap(), d);
            assert_eq!(
                serde_json::to_value(d).unwrap(),
                serde_json::Value::String(d.slug().into())
            );
        }
        assert!(CaseStage::parse("s", "final").is_err());
    }
}
