//! The business case of an opportunity: options, cost and savings lines, and their
//! Green Book appraisal.
//!
//! # Conventions
//!
//! - Year 0 is the base year (`base_year`, a financial year such as "2011/12"); the
//!   appraisal runs from year 0 to year `appraisal_years` (default 10), so a saving in each
//!   of years 1–10 is inside a 10-year appraisal.
//! - Amounts are pounds in real base-year prices (inflation removed), discounted with the
//!   Green Book schedule ([`crate::discounting`]).
//! - Each option's lines are *incremental* to the status quo: what the option costs and
//!   saves compared with carrying on as now. A status-quo option is the baseline, has no
//!   lines and an NPV of zero.
//! - Optimism bias is an uplift, never a higher rate: each cost is multiplied by
//!   `1 + costs` uplift, and each option's savings start later by
//!   `implementation_years × durations` uplift years.
//! - Go-live slippage (years, may be fractional) delays savings, never costs: a fraction `f`
//!   of a year moves the fraction `f` of each year's saving into the next year (see
//!   [`crate::monte_carlo`]). A saving that runs to the end of the appraisal loses its tail;
//!   one with an `end_year` moves as a block.
//! - The cost of building the case and any external funding awarded apply to every option
//!   except the status quo.
//!
//! # Measures
//!
//! - `npv`: present value of all savings (cashable and non-cashable) minus all costs
//!   (the case's cost included, however it is funded) — the Green Book's net present value.
//! - `financial_npv`: present value of cashable savings minus all costs plus external
//!   funding — the money the councils themselves gain. Per-council NPVs are this measure,
//!   split by each line's `split`, and add up to it.
//! - `bcr`: present value of all savings divided by present value of all costs.
//! - `payback_year`: the first year from which the cumulative undiscounted financial cash
//!   flow stays at or above zero; `discounted_payback_year` is the same on present values.
//!
//! The decision "makes clear financial sense" applies [`DecisionRule`] to the chosen measure:
//! with uncertain inputs, P(measure > 0) must reach `min_probability_positive` (default 80%);
//! with single-point inputs, the measure must be above zero.

use crate::discounting::{DiscountSchedule, RateBand};
use crate::distribution::{Distribution, Estimate, Shape};
use crate::monte_carlo::{self, Delay, Model, Settings, Summary, Term, Weight};
use accord_domain::{FinancialYear, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest appraisal period accepted, in years.
pub const MAX_APPRAISAL_YEARS: u32 = 200;

fn default_appraisal_years() -> u32 {
    10
}

fn default_true() -> bool {
    true
}

/// A business case as the user writes it (the `accord appraise` input).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct BusinessCase {
    /// What the case is for.
    pub name: String,
    /// The opportunity the case appraises, when it has a name or reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opportunity: Option<String>,
    /// The councils that share costs and savings; line splits name them.
    pub councils: Vec<String>,
    /// The financial year of year 0; prices are real prices of this year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_year: Option<FinancialYear>,
    /// Years after the base year that the appraisal covers (default 10).
    #[serde(default = "default_appraisal_years")]
    pub appraisal_years: u32,
    /// Discount rate bands; the Green Book schedule when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_rates: Option<Vec<RateBand>>,
    /// Optimism-bias uplifts for every option that does not set its own.
    #[serde(default)]
    pub optimism_bias: OptimismBias,
    /// What building the case itself costs and who pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_cost: Option<CaseCost>,
    /// External funding awarded toward the councils' costs.
    #[serde(default)]
    pub funding: Vec<FundingLine>,
    /// The options appraised.
    pub options: Vec<OptionInput>,
    /// When the case "makes clear financial sense".
    #[serde(default)]
    pub decision: DecisionRule,
    /// How to simulate when estimates are ranges.
    #[serde(default)]
    pub monte_carlo: Settings,
}

/// Optimism-bias uplifts, as fractions (0.41 for 41%).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields, default)]
pub struct OptimismBias {
    /// Uplift applied to every cost.
    pub costs: f64,
    /// Uplift applied to the implementation duration, delaying savings.
    pub durations: f64,
}

/// One option of the case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct OptionInput {
    /// The option's name, e.g. "Share with Waltham Forest".
    pub name: String,
    /// Whether this option is the status quo (the baseline, with no lines).
    #[serde(default)]
    pub status_quo: bool,
    /// How long implementation takes, in years; the duration uplift applies to it.
    #[serde(default)]
    pub implementation_years: f64,
    /// This option's own optimism-bias uplifts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimism_bias: Option<OptimismBias>,
    /// Go-live slippage in years shared by every savings line without its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slippage: Option<Estimate>,
    /// Costs, incremental to the status quo.
    #[serde(default)]
    pub costs: Vec<CostLine>,
    /// Savings, incremental to the status quo.
    #[serde(default)]
    pub savings: Vec<SavingLine>,
}

/// Whether a line happens once or every year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Once, in one year.
    OneOff,
    /// Every year of a range.
    Recurring,
}

/// A cost line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct CostLine {
    /// What the cost is.
    pub name: String,
    /// One-off or recurring.
    pub kind: LineKind,
    /// Pounds (a year's amount for a recurring line); triangular unless stated.
    pub amount: Estimate,
    /// One-off: the year it falls in (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u32>,
    /// Recurring: the first year (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_year: Option<u32>,
    /// Recurring: the last year (default the appraisal's last year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_year: Option<u32>,
    /// How the line splits between councils (fractions adding to 1); equal when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<BTreeMap<String, f64>>,
    /// This line's own cost uplift, replacing the option's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimism_bias: Option<f64>,
}

/// When a saving starts: a year number, a financial year ("2013/14") or a date
/// ("2013-10-01"; part-way through a year delays the saving by that part of the year).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StartValue {
    /// Years after the base year.
    Year(f64),
    /// A financial year or a date, as text.
    Text(String),
}

/// A savings line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct SavingLine {
    /// What the saving is.
    pub name: String,
    /// Whether it is cash the councils can take out of budgets (default true).
    #[serde(default = "default_true")]
    pub cashable: bool,
    /// One-off or recurring.
    pub kind: LineKind,
    /// Pounds (a full year's amount for a recurring line); triangular unless stated.
    pub amount: Estimate,
    /// When the saving starts (default year 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<StartValue>,
    /// Recurring: the last year (default the appraisal's last year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_year: Option<u32>,
    /// Fractions of the full saving in the first years (e.g. `[0.5, 0.75]`), then 100%.
    #[serde(default)]
    pub ramp_up: Vec<f64>,
    /// How the line splits between councils; equal when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<BTreeMap<String, f64>>,
    /// This line's own go-live slippage in years, independent of the option's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slippage: Option<Estimate>,
}

/// The cost of building the case itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct CaseCost {
    /// Pounds.
    pub amount: f64,
    /// The year it falls in (default 0).
    #[serde(default)]
    pub year: u32,
    /// Who pays for it from outside the councils, e.g. a regional improvement partnership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funded_by: Option<String>,
    /// How much of it the outside funder pays (default 0; at most `amount`).
    #[serde(default)]
    pub funded_amount: f64,
    /// How the councils share the rest; equal when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<BTreeMap<String, f64>>,
}

/// External funding received by the councils.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct FundingLine {
    /// What the funding is, e.g. "Capital Ambition 2012/13 tranche".
    pub name: String,
    /// Who gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funder: Option<String>,
    /// Pounds.
    pub amount: f64,
    /// The year it is received.
    #[serde(default)]
    pub year: u32,
    /// Any condition attached, e.g. "subject to satisfactory progress" (reported, not
    /// modelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// How it is shared between councils; equal when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<BTreeMap<String, f64>>,
}

/// Which NPV the decision looks at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Cashable savings − costs + external funding.
    #[default]
    FinancialNpv,
    /// All savings − all costs.
    Npv,
}

/// When a case "makes clear financial sense".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields, default)]
pub struct DecisionRule {
    /// The measure tested (default `financial_npv`).
    pub measure: Measure,
    /// With uncertain inputs, the least P(measure > 0) that counts (default 0.8).
    pub min_probability_positive: f64,
}

impl Default for DecisionRule {
    fn default() -> Self {
        DecisionRule {
            measure: Measure::FinancialNpv,
            min_probability_positive: 0.8,
        }
    }
}

/// The appraisal of a whole case (the `accord appraise` output).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Appraisal {
    /// The case's name.
    pub name: String,
    /// The base year, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_year: Option<FinancialYear>,
    /// The appraisal period in years after the base year.
    pub appraisal_years: u32,
    /// The rate bands used.
    pub discount_rates: Vec<RateBand>,
    /// The rule applied.
    pub decision_rule: DecisionRule,
    /// Each option's results, in input order.
    pub options: Vec<OptionAppraisal>,
    /// The option with the highest expected measure among those that make clear financial
    /// sense; `None` when none does (keep the status quo).
    pub preferred_option: Option<String>,
}

/// One year of an option's most-likely cash flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct YearFlow {
    /// Years after the base year.
    pub year: u32,
    /// The financial year, when the base year is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub financial_year: Option<FinancialYear>,
    /// Costs, uplifts included.
    pub costs: f64,
    /// Cashable savings.
    pub cashable_savings: f64,
    /// Non-cashable savings.
    pub non_cashable_savings: f64,
    /// External funding received.
    pub funding: f64,
    /// Cashable savings − costs + funding.
    pub net_financial: f64,
    /// The discount factor.
    pub discount_factor: f64,
}

/// One council's share of an option.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct CouncilShare {
    /// Present value of its costs.
    pub pv_costs: f64,
    /// Present value of its cashable savings.
    pub pv_cashable_savings: f64,
    /// Present value of its non-cashable savings.
    pub pv_non_cashable_savings: f64,
    /// Present value of the funding it receives.
    pub pv_funding: f64,
    /// Its financial NPV.
    pub financial_npv: f64,
    /// Its NPV (all savings − costs).
    pub npv: f64,
}

/// The decision on one option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Decision {
    /// Whether the option makes clear financial sense under the rule.
    pub makes_clear_financial_sense: bool,
    /// Why, in plain words.
    pub reason: String,
}

/// The results of one option (most likely values, then the simulation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct OptionAppraisal {
    /// The option's name.
    pub name: String,
    /// Whether it is the status quo.
    pub status_quo: bool,
    /// Present value of costs, optimism bias and the case's cost included.
    pub pv_costs: f64,
    /// Present value of cashable savings.
    pub pv_cashable_savings: f64,
    /// Present value of non-cashable savings.
    pub pv_non_cashable_savings: f64,
    /// Present value of external funding.
    pub pv_funding: f64,
    /// All savings − all costs.
    pub npv: f64,
    /// Cashable savings − costs + funding.
    pub financial_npv: f64,
    /// Present value of all savings over present value of costs (`None` without costs).
    pub bcr: Option<f64>,
    /// First year from which the cumulative financial cash flow stays non-negative.
    pub payback_year: Option<u32>,
    /// The same on discounted flows.
    pub discounted_payback_year: Option<u32>,
    /// Per council.
    pub per_council: BTreeMap<String, CouncilShare>,
    /// Year by year.
    pub cash_flows: Vec<YearFlow>,
    /// The simulation of the decision measure, when any input is a range.
    pub monte_carlo: Option<Summary>,
    /// The decision.
    pub decision: Decision,
}

/// A line after checking, ready to price.
#[derive(Debug, Clone)]
struct PricedLine {
    name: String,
    class: LineClass,
    amount: Distribution,
    /// Uplift multiplier (1 + optimism bias) for costs, 1 otherwise.
    uplift: f64,
    /// Amount per unit in each year `0..=Y` before any delay.
    profile: Vec<f64>,
    /// Council shares (fractions) in the order of `BusinessCase::councils`.
    shares: Vec<f64>,
    /// Years of delay always applied, and the slippage variable (index into delays).
    fixed_delay: f64,
    delay: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineClass {
    Cost,
    Cashable,
    NonCashable,
    Funding,
}

impl LineClass {
    /// The line's sign in the measure, or `None` when the measure leaves it out.
    fn sign(self, measure: Measure) -> Option<f64> {
        match (self, measure) {
            (LineClass::Cost, _) => Some(-1.0),
            (LineClass::Cashable, _)
            | (LineClass::NonCashable, Measure::Npv)
            | (LineClass::Funding, Measure::FinancialNpv) => Some(1.0),
            (LineClass::NonCashable, Measure::FinancialNpv)
            | (LineClass::Funding, Measure::Npv) => None,
        }
    }
}

/// A checked case: schedule, factors and each option's priced lines.
#[derive(Debug, Clone)]
pub struct CheckedCase {
    case: BusinessCase,
    schedule: DiscountSchedule,
    factors: Vec<f64>,
    options: Vec<(Vec<PricedLine>, Vec<Delay>)>,
}

impl BusinessCase {
    /// Checks every field and prices the lines. Every problem found is reported at once,
    /// each naming its field (e.g. `options[1].savings[0].amount.low`).
    pub fn check(&self) -> Result<CheckedCase, Invalid> {
        let mut invalid = Invalid::new();
        if self.name.trim().is_empty() {
            invalid.push("name", "give the business case a name");
        }
        if self.councils.is_empty() {
            invalid.push("councils", "name at least one council");
        }
        for (i, c) in self.councils.iter().enumerate() {
            if c.trim().is_empty() {
                invalid.push(format!("councils[{i}]"), "is empty");
            } else if self.councils[..i].contains(c) {
                invalid.push(format!("councils[{i}]"), format!("“{c}” is listed twice"));
            }
        }
        if self.appraisal_years == 0 || self.appraisal_years > MAX_APPRAISAL_YEARS {
            invalid.push(
                "appraisal_years",
                format!(
                    "must be between 1 and {MAX_APPRAISAL_YEARS}; the Green Book default is 10"
                ),
            );
        }
        let schedule = match &self.discount_rates {
            None => Some(DiscountSchedule::green_book()),
            Some(bands) => invalid.check(DiscountSchedule::from_bands(
                "discount_rates",
                bands.clone(),
            )),
        };
        check_bias(&mut invalid, "optimism_bias", &self.optimism_bias);
        if self.options.is_empty() {
            invalid.push("options", "give at least one option");
        }
        for (i, o) in self.options.iter().enumerate() {
            if self.options[..i].iter().any(|p| p.name == o.name) {
                invalid.push(
                    format!("options[{i}].name"),
                    format!("“{}” is used twice", o.name),
                );
            }
        }
        if !(0.0..=1.0).contains(&self.decision.min_probability_positive) {
            invalid.push(
                "decision.min_probability_positive",
                "must be a probability between 0 and 1, such as 0.8",
            );
        }
        if self.monte_carlo.iterations == 0 {
            invalid.push("monte_carlo.iterations", "must be at least 1");
        }
        let last = self.appraisal_years.min(MAX_APPRAISAL_YEARS);
        let mut common = Vec::new();
        if let Some(cc) = &self.case_cost {
            let field = "case_cost";
            check_amount(&mut invalid, &format!("{field}.amount"), cc.amount);
            check_amount(
                &mut invalid,
                &format!("{field}.funded_amount"),
                cc.funded_amount,
            );
            if cc.funded_amount > cc.amount {
                invalid.push(
                    format!("{field}.funded_amount"),
                    "cannot be more than the case costs",
                );
            }
            check_year(&mut invalid, &format!("{field}.year"), cc.year, last);
            if let Some(shares) =
                invalid.check(self.shares(&format!("{field}.split"), cc.split.as_ref()))
            {
                let mut profile = vec![0.0; last as usize + 1];
                if let Some(p) = profile.get_mut(cc.year as usize) {
                    *p = 1.0;
                }
                common.push(PricedLine {
                    name: "cost of building the business case".into(),
                    class: LineClass::Cost,
                    amount: Distribution::Fixed(cc.amount),
                    uplift: 1.0,
                    profile: profile.clone(),
                    shares: shares.clone(),
                    fixed_delay: 0.0,
                    delay: None,
                });
                if cc.funded_amount > 0.0 {
                    common.push(PricedLine {
                        name: format!(
                            "funding of the business case{}",
                            cc.funded_by
                                .as_ref()
                                .map(|f| format!(" by {f}"))
                                .unwrap_or_default()
                        ),
                        class: LineClass::Funding,
                        amount: Distribution::Fixed(cc.funded_amount),
                        uplift: 1.0,
                        profile,
                        shares,
                        fixed_delay: 0.0,
                        delay: None,
                    });
                }
            }
        }
        for (i, f) in self.funding.iter().enumerate() {
            let field = format!("funding[{i}]");
            check_amount(&mut invalid, &format!("{field}.amount"), f.amount);
            check_year(&mut invalid, &format!("{field}.year"), f.year, last);
            if let Some(shares) =
                invalid.check(self.shares(&format!("{field}.split"), f.split.as_ref()))
            {
                let mut profile = vec![0.0; last as usize + 1];
                if let Some(p) = profile.get_mut(f.year as usize) {
                    *p = 1.0;
                }
                common.push(PricedLine {
                    name: f.name.clone(),
                    class: LineClass::Funding,
                    amount: Distribution::Fixed(f.amount),
                    uplift: 1.0,
                    profile,
                    shares,
                    fixed_delay: 0.0,
                    delay: None,
                });
            }
        }
        let mut options = Vec::new();
        for (i, o) in self.options.iter().enumerate() {
            if let Some(lines) = invalid.check(self.check_option(&format!("options[{i}]"), o, last))
            {
                let (mut lines, delays) = lines;
                if !o.status_quo {
                    lines.extend(common.iter().cloned());
                }
                options.push((lines, delays));
            }
        }
        invalid.into_result()?;
        let schedule = schedule.unwrap_or_default();
        let factors = schedule.factors(last);
        Ok(CheckedCase {
            case: self.clone(),
            schedule,
            factors,
            options,
        })
    }

    /// Council shares of a line, in the order of `councils`.
    fn shares(
        &self,
        field: &str,
        split: Option<&BTreeMap<String, f64>>,
    ) -> Result<Vec<f64>, Invalid> {
        let n = self.councils.len().max(1);
        #[allow(clippy::cast_precision_loss)]
        let Some(split) = split else {
            return Ok(vec![1.0 / n as f64; self.councils.len()]);
        };
        let mut invalid = Invalid::new();
        let mut shares = vec![0.0; self.councils.len()];
        for (council, &fraction) in split {
            match self.councils.iter().position(|c| c == council) {
                None => invalid.push(
                    format!("{field}.{council}"),
                    format!(
                        "“{council}” is not a member council of this business case (members: {})",
                        self.councils.join(", ")
                    ),
                ),
                Some(k) => {
                    if !(fraction.is_finite() && fraction >= 0.0) {
                        invalid.push(
                            format!("{field}.{council}"),
                            "must be a fraction between 0 and 1",
                        );
                    }
                    shares[k] = fraction;
                }
            }
        }
        invalid.into_result()?;
        let total: f64 = shares.iter().sum();
        if (total - 1.0).abs() > 1e-6 {
            return Err(Invalid::field(
                field,
                format!("the shares add up to {total}; they must add up to 1"),
            ));
        }
        Ok(shares)
    }

    fn check_option(
        &self,
        field: &str,
        o: &OptionInput,
        last: u32,
    ) -> Result<(Vec<PricedLine>, Vec<Delay>), Invalid> {
        let mut invalid = Invalid::new();
        if o.name.trim().is_empty() {
            invalid.push(format!("{field}.name"), "give the option a name");
        }
        if o.status_quo && !(o.costs.is_empty() && o.savings.is_empty()) {
            invalid.push(
                field.to_owned(),
                "the status quo is the baseline and has no lines; give the other options' costs \
                 and savings relative to it",
            );
        }
        if !(o.implementation_years.is_finite() && o.implementation_years >= 0.0) {
            invalid.push(
                format!("{field}.implementation_years"),
                "must be a number of years, zero or more",
            );
        }
        let bias = o.optimism_bias.unwrap_or(self.optimism_bias);
        if let Some(b) = &o.optimism_bias {
            check_bias(&mut invalid, &format!("{field}.optimism_bias"), b);
        }
        let duration_delay = o.implementation_years.max(0.0) * bias.durations;
        let mut delays = Vec::new();
        let option_delay = match &o.slippage {
            Some(s) => invalid
                .check(s.to_distribution(&format!("{field}.slippage"), Shape::Triangular, true))
                .map(|d| {
                    delays.push(Delay {
                        name: format!("{}: go-live slippage", o.name),
                        distribution: d,
                    });
                    delays.len() - 1
                }),
            None => None,
        };
        let mut lines = Vec::new();
        for (j, c) in o.costs.iter().enumerate() {
            let f = format!("{field}.costs[{j}]");
            let amount = invalid.check(c.amount.to_distribution(
                &format!("{f}.amount"),
                Shape::Triangular,
                true,
            ));
            let shares = invalid.check(self.shares(&format!("{f}.split"), c.split.as_ref()));
            let uplift = c.optimism_bias.unwrap_or(bias.costs);
            if !(uplift.is_finite() && (0.0..=10.0).contains(&uplift)) {
                invalid.push(
                    format!("{f}.optimism_bias"),
                    "must be a fraction between 0 and 10, such as 0.41",
                );
            }
            let profile = match c.kind {
                LineKind::OneOff => {
                    let year = c.year.unwrap_or(0);
                    check_year(&mut invalid, &format!("{f}.year"), year, last);
                    unit_profile(last, year, year, &[])
                }
                LineKind::Recurring => {
                    let (start, end) = (c.start_year.unwrap_or(1), c.end_year.unwrap_or(last));
                    check_year(&mut invalid, &format!("{f}.start_year"), start, last);
                    check_year(&mut invalid, &format!("{f}.end_year"), end, last);
                    if end < start {
                        invalid.push(format!("{f}.end_year"), "is before start_year");
                    }
                    unit_profile(last, start, end, &[])
                }
            };
            if let (Some(amount), Some(shares)) = (amount, shares) {
                lines.push(PricedLine {
                    name: format!("{}: {}", o.name, c.name),
                    class: LineClass::Cost,
                    amount,
                    uplift: 1.0 + uplift,
                    profile,
                    shares,
                    fixed_delay: 0.0,
                    delay: None,
                });
            }
        }
        for (j, s) in o.savings.iter().enumerate() {
            let f = format!("{field}.savings[{j}]");
            let amount = invalid.check(s.amount.to_distribution(
                &format!("{f}.amount"),
                Shape::Triangular,
                false,
            ));
            let shares = invalid.check(self.shares(&format!("{f}.split"), s.split.as_ref()));
            let start =
                invalid.check(self.start_offset(&format!("{f}.start"), s.start.as_ref(), last));
            for (k, r) in s.ramp_up.iter().enumerate() {
                if !(r.is_finite() && (0.0..=1.0).contains(r)) {
                    invalid.push(
                        format!("{f}.ramp_up[{k}]"),
                        "must be a fraction between 0 and 1",
                    );
                }
            }
            let delay = match &s.slippage {
                Some(sl) => invalid
                    .check(sl.to_distribution(&format!("{f}.slippage"), Shape::Triangular, true))
                    .map(|d| {
                        delays.push(Delay {
                            name: format!("{}: {} slippage", o.name, s.name),
                            distribution: d,
                        });
                        delays.len() - 1
                    }),
                None => option_delay,
            };
            let Some(start) = start else { continue };
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let first = start.floor() as u32;
            let profile = match s.kind {
                LineKind::OneOff => unit_profile(last, first, first, &[]),
                LineKind::Recurring => {
                    let end = s.end_year.unwrap_or(last);
                    check_year(&mut invalid, &format!("{f}.end_year"), end, last);
                    if end < first {
                        invalid.push(format!("{f}.end_year"), "is before the saving starts");
                    }
                    unit_profile(last, first, end, &s.ramp_up)
                }
            };
            if let (Some(amount), Some(shares)) = (amount, shares) {
                lines.push(PricedLine {
                    name: format!("{}: {}", o.name, s.name),
                    class: if s.cashable {
                        LineClass::Cashable
                    } else {
                        LineClass::NonCashable
                    },
                    amount,
                    uplift: 1.0,
                    profile,
                    shares,
                    fixed_delay: duration_delay + (start - start.floor()),
                    delay,
                });
            }
        }
        invalid.into_result()?;
        Ok((lines, delays))
    }

    /// A saving's start as years after the base year (fractional for a date part-way
    /// through a financial year).
    fn start_offset(
        &self,
        field: &str,
        start: Option<&StartValue>,
        last: u32,
    ) -> Result<f64, Invalid> {
        let offset = match start {
            None => 1.0,
            Some(StartValue::Year(y)) => {
                if !(y.is_finite() && *y >= 0.0) {
                    return Err(Invalid::field(field, "must be a year number, zero or more"));
                }
                *y
            }
            Some(StartValue::Text(text)) => {
                let Some(base) = self.base_year else {
                    return Err(Invalid::field(
                        field,
                        "a financial year or date needs base_year; or give a year number",
                    ));
                };
                let (year, fraction) = if let Ok(fy) = FinancialYear::parse(field, text) {
                    (fy, 0.0)
                } else if let Ok(date) = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
                    let fy = FinancialYear::containing(date);
                    let days = (fy.end() - fy.start()).num_days() + 1;
                    let into = (date - fy.start()).num_days();
                    #[allow(clippy::cast_precision_loss)]
                    let fraction = into as f64 / days as f64;
                    (fy, fraction)
                } else {
                    return Err(Invalid::field(
                        field,
                        format!(
                            "“{text}” is neither a financial year like 2013/14 nor a date like 2013-10-01"
                        ),
                    ));
                };
                let offset = year.start_year() - base.start_year();
                if offset < 0 {
                    return Err(Invalid::field(
                        field,
                        format!("{text} is before the base year {base}"),
                    ));
                }
                f64::from(offset) + fraction
            }
        };
        if offset > f64::from(last) {
            return Err(Invalid::field(
                field,
                format!("starts after the appraisal's last year ({last})"),
            ));
        }
        Ok(offset)
    }
}

fn check_amount(invalid: &mut Invalid, field: &str, amount: f64) {
    if !(amount.is_finite() && amount >= 0.0) {
        invalid.push(field, "must be an amount in pounds, zero or more");
    }
}

fn check_year(invalid: &mut Invalid, field: &str, year: u32, last: u32) {
    if year > last {
        invalid.push(
            field,
            format!("year {year} is after the appraisal's last year ({last})"),
        );
    }
}

fn check_bias(invalid: &mut Invalid, field: &str, bias: &OptimismBias) {
    for (name, v) in [("costs", bias.costs), ("durations", bias.durations)] {
        if !(v.is_finite() && (0.0..=10.0).contains(&v)) {
            invalid.push(
                format!("{field}.{name}"),
                "must be a fraction between 0 and 10 (0.41 for a 41% uplift)",
            );
        }
    }
}

/// 1 in each year `start..=end` (scaled by `ramp` in the first years), 0 elsewhere.
fn unit_profile(last: u32, start: u32, end: u32, ramp: &[f64]) -> Vec<f64> {
    let mut profile = vec![0.0; last as usize + 1];
    for year in start..=end.min(last) {
        let k = (year - start) as usize;
        profile[year as usize] = ramp.get(k).copied().unwrap_or(1.0);
    }
    profile
}

/// The amounts of `profile` moved later by `delay` years, inside the same period.
fn shifted(profile: &[f64], delay: f64) -> Vec<f64> {
    let mut out = vec![0.0; profile.len()];
    if !(delay.is_finite() && delay >= 0.0) {
        return out;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let k = delay.floor() as usize;
    let f = delay - delay.floor();
    for (t, &p) in profile.iter().enumerate() {
        if let Some(o) = out.get_mut(t + k) {
            *o += (1.0 - f) * p;
        }
        if let Some(o) = out.get_mut(t + k + 1) {
            *o += f * p;
        }
    }
    out
}

fn round_pence(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl CheckedCase {
    /// The discount schedule in use.
    pub fn schedule(&self) -> &DiscountSchedule {
        &self.schedule
    }

    /// The Monte Carlo model of an option's decision measure (or of `measure`).
    pub fn model(&self, option: usize, measure: Measure) -> Model {
        let Some((lines, delays)) = self.options.get(option) else {
            return Model::default();
        };
        let mut model = Model {
            constant: 0.0,
            terms: Vec::new(),
            delays: delays.clone(),
        };
        let pv = |p: &[f64]| crate::discounting::present_value(p, &self.factors);
        for line in lines {
            let Some(sign) = line.class.sign(measure) else {
                continue;
            };
            let weight = match line.delay {
                Some(delay) => {
                    let max_shift = self.factors.len() + 1;
                    let by_shift = (0..=max_shift)
                        .map(|k| {
                            #[allow(clippy::cast_precision_loss)]
                            let k = k as f64;
                            sign * line.uplift * pv(&shifted(&line.profile, k))
                        })
                        .collect();
                    Weight::Delayed {
                        delay,
                        fixed_delay: line.fixed_delay,
                        by_shift,
                    }
                }
                None => Weight::Fixed(
                    sign * line.uplift * pv(&shifted(&line.profile, line.fixed_delay)),
                ),
            };
            if let (Distribution::Fixed(v), Weight::Fixed(w)) = (&line.amount, &weight) {
                model.constant += v * w;
            } else {
                model.terms.push(Term {
                    name: line.name.clone(),
                    amount: line.amount.clone(),
                    weight,
                });
            }
        }
        model
    }

    /// Appraises every option. `progress(done, total)` reports simulation progress over all
    /// options together.
    pub fn appraise(&self, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<Appraisal, Invalid> {
        let case = &self.case;
        let measure = case.decision.measure;
        let uncertain: Vec<bool> = (0..self.options.len())
            .map(|i| self.model(i, measure).is_uncertain())
            .collect();
        let runs = uncertain.iter().filter(|u| **u).count() as u64;
        let total = runs * case.monte_carlo.iterations;
        let mut before = 0;
        let mut options = Vec::new();
        for (i, input) in case.options.iter().enumerate() {
            let mut result = self.deterministic(i, input);
            if uncertain[i] {
                let offset = before;
                let summary = monte_carlo::simulate(
                    &self.model(i, measure),
                    &case.monte_carlo,
                    &|done, _| progress(offset + done, total),
                )
                .map_err(|e| e.within("monte_carlo."))?;
                before += case.monte_carlo.iterations;
                result.decision = decide(&case.decision, None, Some(&summary));
                result.monte_carlo = Some(summary);
            } else if !input.status_quo {
                let value = match measure {
                    Measure::FinancialNpv => result.financial_npv,
                    Measure::Npv => result.npv,
                };
                result.decision = decide(&case.decision, Some(value), None);
            }
            options.push(result);
        }
        let expected = |o: &OptionAppraisal| match (&o.monte_carlo, measure) {
            (Some(s), _) => s.mean,
            (None, Measure::FinancialNpv) => o.financial_npv,
            (None, Measure::Npv) => o.npv,
        };
        let preferred_option = options
            .iter()
            .filter(|o| o.decision.makes_clear_financial_sense)
            .max_by(|a, b| expected(a).total_cmp(&expected(b)))
            .map(|o| o.name.clone());
        Ok(Appraisal {
            name: case.name.clone(),
            base_year: case.base_year,
            appraisal_years: case.appraisal_years,
            discount_rates: self.schedule.bands().to_vec(),
            decision_rule: case.decision,
            options,
            preferred_option,
        })
    }

    /// The option at its most likely values.
    fn deterministic(&self, option: usize, input: &OptionInput) -> OptionAppraisal {
        let (lines, delays) = &self.options[option];
        let years = self.factors.len();
        let councils = &self.case.councils;
        let mut flows: Vec<YearFlow> = (0..years)
            .map(|t| {
                let year = u32::try_from(t).unwrap_or(u32::MAX);
                YearFlow {
                    year,
                    financial_year: self.case.base_year.and_then(|b| {
                        FinancialYear::starting(b.start_year() + i32::try_from(t).unwrap_or(0)).ok()
                    }),
                    costs: 0.0,
                    cashable_savings: 0.0,
                    non_cashable_savings: 0.0,
                    funding: 0.0,
                    net_financial: 0.0,
                    discount_factor: self.factors[t],
                }
            })
            .collect();
        let mut shares = vec![CouncilShare::default(); councils.len()];
        for line in lines {
            let delay =
                line.fixed_delay + line.delay.map_or(0.0, |d| delays[d].distribution.mode());
            let amounts: Vec<f64> = shifted(&line.profile, delay)
                .iter()
                .map(|p| p * line.amount.mode() * line.uplift)
                .collect();
            let pv = crate::discounting::present_value(&amounts, &self.factors);
            for (flow, a) in flows.iter_mut().zip(&amounts) {
                match line.class {
                    LineClass::Cost => flow.costs += a,
                    LineClass::Cashable => flow.cashable_savings += a,
                    LineClass::NonCashable => flow.non_cashable_savings += a,
                    LineClass::Funding => flow.funding += a,
                }
            }
            for (share, fraction) in shares.iter_mut().zip(&line.shares) {
                let part = pv * fraction;
                match line.class {
                    LineClass::Cost => share.pv_costs += part,
                    LineClass::Cashable => share.pv_cashable_savings += part,
                    LineClass::NonCashable => share.pv_non_cashable_savings += part,
                    LineClass::Funding => share.pv_funding += part,
                }
            }
        }
        let pv_of =
            |f: fn(&YearFlow) -> f64| flows.iter().map(|y| f(y) * y.discount_factor).sum::<f64>();
        let pv_costs = pv_of(|y| y.costs);
        let pv_cashable = pv_of(|y| y.cashable_savings);
        let pv_non_cashable = pv_of(|y| y.non_cashable_savings);
        let pv_funding = pv_of(|y| y.funding);
        for y in &mut flows {
            y.net_financial = y.cashable_savings - y.costs + y.funding;
        }
        let payback = |discounted: bool| {
            let mut cumulative = 0.0;
            let mut from = None;
            for y in &flows {
                cumulative += if discounted {
                    y.net_financial * y.discount_factor
                } else {
                    y.net_financial
                };
                // A tolerance of a hundredth of a penny keeps rounding noise from moving it.
                if cumulative >= -1e-4 {
                    from.get_or_insert(y.year);
                } else {
                    from = None;
                }
            }
            from
        };
        let payback_year = payback(false);
        let discounted_payback_year = payback(true);
        let per_council = councils
            .iter()
            .zip(shares)
            .map(|(name, s)| {
                let financial_npv = s.pv_cashable_savings - s.pv_costs + s.pv_funding;
                let npv = s.pv_cashable_savings + s.pv_non_cashable_savings - s.pv_costs;
                (
                    name.clone(),
                    CouncilShare {
                        pv_costs: round_pence(s.pv_costs),
                        pv_cashable_savings: round_pence(s.pv_cashable_savings),
                        pv_non_cashable_savings: round_pence(s.pv_non_cashable_savings),
                        pv_funding: round_pence(s.pv_funding),
                        financial_npv: round_pence(financial_npv),
                        npv: round_pence(npv),
                    },
                )
            })
            .collect();
        for y in &mut flows {
            y.costs = round_pence(y.costs);
            y.cashable_savings = round_pence(y.cashable_savings);
            y.non_cashable_savings = round_pence(y.non_cashable_savings);
            y.funding = round_pence(y.funding);
            y.net_financial = round_pence(y.net_financial);
        }
        OptionAppraisal {
            name: input.name.clone(),
            status_quo: input.status_quo,
            pv_costs: round_pence(pv_costs),
            pv_cashable_savings: round_pence(pv_cashable),
            pv_non_cashable_savings: round_pence(pv_non_cashable),
            pv_funding: round_pence(pv_funding),
            npv: round_pence(pv_cashable + pv_non_cashable - pv_costs),
            financial_npv: round_pence(pv_cashable - pv_costs + pv_funding),
            bcr: (pv_costs > 0.0).then(|| (pv_cashable + pv_non_cashable) / pv_costs),
            payback_year,
            discounted_payback_year,
            per_council,
            cash_flows: flows,
            monte_carlo: None,
            decision: Decision {
                makes_clear_financial_sense: false,
                reason:
                    "the status quo is the baseline against which the other options are measured"
                        .into(),
            },
        }
    }
}

fn decide(rule: &DecisionRule, value: Option<f64>, summary: Option<&Summary>) -> Decision {
    let measure = match rule.measure {
        Measure::FinancialNpv => "financial NPV",
        Measure::Npv => "NPV",
    };
    match (summary, value) {
        (Some(s), _) => {
            let ok = s.probability_positive >= rule.min_probability_positive;
            Decision {
                makes_clear_financial_sense: ok,
                reason: format!(
                    "P({measure} > 0) is {:.1}%, {} the {:.1}% required",
                    100.0 * s.probability_positive,
                    if ok { "meeting" } else { "below" },
                    100.0 * rule.min_probability_positive
                ),
            }
        }
        (None, Some(v)) => {
            let ok = v > 0.0;
            Decision {
                makes_clear_financial_sense: ok,
                reason: format!(
                    "with single-point estimates the {measure} is {}, {} zero",
                    accord_domain::Money::from_pounds_f64(v)
                        .map_or_else(|| format!("£{v:.0}"), accord_domain::Money::whole_pounds),
                    if ok { "above" } else { "not above" }
                ),
            }
        }
        (None, None) => Decision {
            makes_clear_financial_sense: false,
            reason: "nothing to decide".into(),
        },
    }
}

/// Checks and appraises a case in one call.
pub fn appraise(
    case: &BusinessCase,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Appraisal, Invalid> {
    case.check()?.appraise(progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(json: &str) -> BusinessCase {
        serde_json::from_str(json).unwrap()
    }

    const SIMPLE: &str = r#"{
        "name": "HR shared service centre",
        "councils": ["Haringey", "Waltham Forest"],
        "options": [
            {"name": "Status quo", "status_quo": true},
            {"name": "Share", "costs": [{"name": "implementation", "kind": "one_off", "amount": 200000}],
             "savings": [{"name": "HR", "kind": "recurring", "amount": 100000}]}
        ]
    }"#;

    #[test]
    fn single_point_case_is_exact() {
        let a = appraise(&case(SIMPLE), &|_, _| {}).unwrap();
        let share = &a.options[1];
        assert!((share.npv - 631_660.53).abs() < 0.005, "{}", share.npv);
        assert_eq!(
            accord_domain::Money::from_pounds_f64(share.npv)
                .unwrap()
                .whole_pounds(),
            "£631,661"
        );
        assert!((share.financial_npv - share.npv).abs() < 1e-9);
        assert!(share.monte_carlo.is_none());
        assert!(share.decision.makes_clear_financial_sense);
        assert_eq!(share.payback_year, Some(2));
        assert_eq!(share.discounted_payback_year, Some(3));
        let bcr = share.bcr.unwrap();
        assert!((bcr - 831_660.532_257_796 / 200_000.0).abs() < 1e-9);
        let halves: f64 = share.per_council.values().map(|c| c.npv).sum();
        assert!((halves - share.npv).abs() < 0.02);
        assert_eq!(a.preferred_option.as_deref(), Some("Share"));
        assert!(!a.options[0].decision.makes_clear_financial_sense);
        assert!(a.options[0].npv.abs() < f64::EPSILON);
    }

    #[test]
    fn table_of_deterministic_cases() {
        // (description, option JSON, expected financial NPV, expected NPV)
        let df = DiscountSchedule::green_book().factors(10);
        let annuity = |a: usize, b: usize| df[a..=b].iter().sum::<f64>();
        let cases: Vec<(&str, &str, f64, f64)> = vec![
            (
                "recurring cost years 1-10 with 41% uplift",
                r#"{"name": "o", "optimism_bias": {"costs": 0.41, "durations": 0},
                    "costs": [{"name": "c", "kind": "recurring", "amount": 1000}]}"#,
                -1410.0 * annuity(1, 10),
                -1410.0 * annuity(1, 10),
            ),
            (
                "non-cashable saving counts only in npv",
                r#"{"name": "o", "savings": [{"name": "s", "kind": "recurring", "amount": 1000, "cashable": false}]}"#,
                0.0,
                1000.0 * annuity(1, 10),
            ),
            (
                "ramp-up 50% then full, from year 2 to 4",
                r#"{"name": "o", "savings": [{"name": "s", "kind": "recurring", "amount": 1000, "start": 2, "end_year": 4, "ramp_up": [0.5]}]}"#,
                500.0 * df[2] + 1000.0 * (df[3] + df[4]),
                500.0 * df[2] + 1000.0 * (df[3] + df[4]),
            ),
            (
                "one-off saving in year 3, delayed half a year by duration bias",
                r#"{"name": "o", "implementation_years": 1, "optimism_bias": {"costs": 0, "durations": 0.5},
                    "savings": [{"name": "s", "kind": "one_off", "amount": 1000, "start": 3}]}"#,
                500.0 * df[3] + 500.0 * df[4],
                500.0 * df[3] + 500.0 * df[4],
            ),
            (
                "slippage at its mode delays a recurring saving that runs to the end",
                r#"{"name": "o", "slippage": 1, "savings": [{"name": "s", "kind": "recurring", "amount": 1000}]}"#,
                1000.0 * annuity(2, 10),
                1000.0 * annuity(2, 10),
            ),
        ];
        for (what, option, financial, npv) in cases {
            let json = format!(r#"{{"name": "t", "councils": ["A"], "options": [{option}]}}"#);
            let a = appraise(&case(&json), &|_, _| {}).unwrap();
            let o = &a.options[0];
            assert!(
                (o.financial_npv - financial).abs() < 0.006,
                "{what}: {} vs {financial}",
                o.financial_npv
            );
            assert!((o.npv - npv).abs() < 0.006, "{what}: {} vs {npv}", o.npv);
        }
    }

    #[test]
    fn external_funding_reduces_the_councils_cost() {
        let json = r#"{
            "name": "Tees Valley", "councils": ["Hartlepool", "Darlington", "Redcar and Cleveland"],
            "case_cost": {"amount": 75000, "funded_by": "regional improvement and efficiency partnership", "funded_amount": 75000},
            "options": [{"name": "Share", "savings": [{"name": "s", "kind": "one_off", "amount": 30000, "start": 0}]}]
        }"#;
        let a = appraise(&case(json), &|_, _| {}).unwrap();
        let o = &a.options[0];
        assert!((o.npv - (30000.0 - 75000.0)).abs() < 1e-9);
        assert!((o.financial_npv - 30000.0).abs() < 1e-9);
        for share in o.per_council.values() {
            assert!((share.financial_npv - 10000.0).abs() < 0.01);
        }
    }

    #[test]
    fn ranges_run_the_simulation_and_apply_the_rule() {
        let json = r#"{
            "name": "t", "councils": ["A", "B"],
            "monte_carlo": {"iterations": 20000, "seed": 5},
            "options": [{"name": "o", "slippage": {"low": 0, "most_likely": 0.25, "high": 1},
                "costs": [{"name": "c", "kind": "one_off", "amount": {"low": 150000, "most_likely": 200000, "high": 300000}}],
                "savings": [{"name": "s", "kind": "recurring", "amount": {"low": 20000, "most_likely": 40000, "high": 60000, "distribution": "pert"}}]}]
        }"#;
        let a = appraise(&case(json), &|_, _| {}).unwrap();
        let o = &a.options[0];
        let s = o.monte_carlo.as_ref().unwrap();
        assert_eq!(s.iterations, 20000);
        assert!(s.p10 < s.p50 && s.p50 < s.p90);
        assert!(s.probability_positive > 0.0 && s.probability_positive < 1.0);
        assert_eq!(
            o.decision.makes_clear_financial_sense,
            s.probability_positive >= 0.8
        );
        assert_eq!(s.tornado.len(), 3);
    }

    #[test]
    fn bad_input_names_the_field() {
        let cases = [
            (
                r#"{"name": "o", "savings": [{"name": "s", "kind": "recurring", "amount": {"low": 5, "most_likely": 4, "high": 6}}]}"#,
                "options[0].savings[0].amount.low",
            ),
            (
                r#"{"name": "o", "costs": [{"name": "c", "kind": "one_off", "amount": -5}]}"#,
                "options[0].costs[0].amount.low",
            ),
            (
                r#"{"name": "o", "costs": [{"name": "c", "kind": "one_off", "amount": 5, "split": {"Slough": 1}}]}"#,
                "options[0].costs[0].split.Slough",
            ),
            (
                r#"{"name": "o", "costs": [{"name": "c", "kind": "one_off", "amount": 5, "split": {"A": 0.5}}]}"#,
                "options[0].costs[0].split",
            ),
            (
                r#"{"name": "o", "costs": [{"name": "c", "kind": "one_off", "amount": 5, "year": 11}]}"#,
                "options[0].costs[0].year",
            ),
            (
                r#"{"name": "o", "savings": [{"name": "s", "kind": "one_off", "amount": 5, "start": "2013/14"}]}"#,
                "options[0].savings[0].start",
            ),
            (
                r#"{"name": "o", "status_quo": true, "savings": [{"name": "s", "kind": "one_off", "amount": 5}]}"#,
                "options[0]",
            ),
        ];
        for (option, field) in cases {
            let json = format!(r#"{{"name": "t", "councils": ["A", "B"], "options": [{option}]}}"#);
            let err = case(&json).check().unwrap_err();
            assert_eq!(err.errors[0].field, field, "{err}");
        }
    }

    #[test]
    fn start_from_financial_year_or_date() {
        let json = r#"{"name": "t", "councils": ["A"], "base_year": "2011/12",
            "options": [{"name": "o", "savings": [
                {"name": "fy", "kind": "one_off", "amount": 1000, "start": "2013/14"},
                {"name": "date", "kind": "one_off", "amount": 1000, "start": "2012-10-01"}]}]}"#;
        let a = appraise(&case(json), &|_, _| {}).unwrap();
        let flows = &a.options[0].cash_flows;
        assert_eq!(flows[2].financial_year.unwrap().to_string(), "2013/14");
        // 1 October is day 183 of 365 of 2012/13.
        let f = 183.0 / 365.0;
        assert!((flows[1].cashable_savings - round_pence(1000.0 * (1.0 - f))).abs() < 0.011);
        assert!((flows[2].cashable_savings - round_pence(1000.0 + 1000.0 * f)).abs() < 0.011);
    }
}
