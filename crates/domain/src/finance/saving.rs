//! The savings ledger: what each project saves each council in each financial year, planned
//! and achieved, against the savings target of the council's Medium Term Financial Strategy.
//!
//! A ledger line ([`Saving`]) holds one project's saving for one council in one financial
//! year: the amount planned, the forecast and the amount achieved; whether it is cashable and
//! recurring; whether the council's MTFS counts on it (the planned amounts of the lines it
//! counts on are the council's savings target); and its BRAG rating (Blue delivered, Green on
//! track, Amber needs action, Red at risk).
//!
//! The rules here decide the rating from the figures ([`derived_brag`]), flag a saving as at
//! risk when the milestone it depends on has slipped ([`milestone_slipped`], [`status`]), and
//! add lines up year by year ([`cumulative`]) and per year ([`totals_by_year`]). The store
//! answers the same sums in SQL; its tests hold it to these.
//!
//! Each line is that year's saving: a recurring saving of £100,000 a year from 2012/13 is a
//! line of £100,000 in each year it is counted, so cumulative figures are plain sums.

use crate::project::{DatePlan, Slippage};
use crate::{FinancialYear, GssCode, Invalid, Money};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A savings delivery rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Brag {
    /// Delivered.
    Blue,
    /// On track.
    Green,
    /// Needs action.
    Amber,
    /// At risk.
    Red,
}

impl Brag {
    /// Every rating, from best to worst.
    pub const ALL: [Brag; 4] = [Brag::Blue, Brag::Green, Brag::Amber, Brag::Red];

    /// The stable name used in storage, files and the API.
    pub fn slug(self) -> &'static str {
        match self {
            Brag::Blue => "blue",
            Brag::Green => "green",
            Brag::Amber => "amber",
            Brag::Red => "red",
        }
    }

    /// What the rating means, for pages.
    pub fn meaning(self) -> &'static str {
        match self {
            Brag::Blue => "delivered",
            Brag::Green => "on track",
            Brag::Amber => "needs action",
            Brag::Red => "at risk",
        }
    }

    /// Parses a slug or the colour's name in any case ("Blue", "b").
    pub fn parse(field: &str, text: &str) -> Result<Brag, Invalid> {
        let t = text.trim().to_ascii_lowercase();
        Brag::ALL
            .into_iter()
            .find(|b| b.slug() == t || b.slug()[..1] == t)
            .ok_or_else(|| {
                Invalid::field(
                    field,
                    format!("“{text}” is not a BRAG rating; use blue, green, amber or red"),
                )
            })
    }
}

/// Whether a saving recurs every year or happens once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    /// An ongoing reduction of the budget.
    Recurring,
    /// A saving in one year only.
    OneOff,
}

impl Recurrence {
    /// The stable name used in storage, files and the API.
    pub fn slug(self) -> &'static str {
        match self {
            Recurrence::Recurring => "recurring",
            Recurrence::OneOff => "one_off",
        }
    }

    /// Parses `recurring` or `one_off` (also "one-off", "one off").
    pub fn parse(field: &str, text: &str) -> Result<Recurrence, Invalid> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "recurring" => Ok(Recurrence::Recurring),
            "one_off" => Ok(Recurrence::OneOff),
            _ => Err(Invalid::field(
                field,
                format!("“{text}” is neither recurring nor one_off"),
            )),
        }
    }
}

/// One line of the savings ledger: a project's saving for one council in one financial year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Saving {
    /// The project the saving comes from, by name.
    pub project: String,
    /// The project's record, when it is kept in Accord.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_record_id: Option<i64>,
    /// The number of the project milestone the saving depends on; when it slips, the saving
    /// is at risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<u32>,
    /// The council that makes the saving.
    pub council: GssCode,
    /// The financial year.
    pub financial_year: FinancialYear,
    /// What the council plans to save: when the line is in the council's MTFS, part of its
    /// savings target. (Files and bodies of earlier releases called it `target`.)
    #[serde(alias = "target")]
    pub planned: Money,
    /// What is now expected, when forecast.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast: Option<Money>,
    /// What was achieved, once known. (Earlier releases called it `actual`.)
    #[serde(default, alias = "actual", skip_serializing_if = "Option::is_none")]
    pub achieved: Option<Money>,
    /// Whether it is cash taken out of budgets.
    pub cashable: bool,
    /// Recurring or one-off.
    pub recurrence: Recurrence,
    /// The rating the finance officer reported; derived from the figures when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brag: Option<Brag>,
    /// Whether the council's MTFS counts on it.
    pub in_mtfs: bool,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where the figures come from (a seed citation), for demo or imported lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Saving {
    /// Checks the line: a project named, amounts not negative, the council one of `members`.
    pub fn validate(&self, members: &[GssCode]) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        if self.project.trim().is_empty() {
            invalid.push("project", "Enter the project the saving comes from");
        }
        crate::text::limit(
            &mut invalid,
            "project",
            &self.project,
            crate::text::MAX_NAME,
        );
        for (field, text, max) in [
            ("note", &self.note, crate::text::MAX_NOTE),
            ("source", &self.source, crate::text::MAX_SOURCE),
        ] {
            if let Some(text) = text {
                crate::text::limit(&mut invalid, field, text, max);
            }
        }
        if !members.contains(&self.council) {
            invalid.push(
                "council",
                format!(
                    "{} is not a member council of this partnership",
                    self.council
                ),
            );
        }
        for (field, amount) in [
            ("planned", Some(self.planned)),
            ("forecast", self.forecast),
            ("achieved", self.achieved),
        ] {
            if amount.is_some_and(Money::is_negative) {
                invalid.push(
                    field,
                    "A saving cannot be negative; record a shortfall as a smaller amount",
                );
            }
        }
        if self.project_record_id.is_some_and(|id| id <= 0) {
            invalid.push("project_record_id", "Give the id of a project record");
        }
        if self.milestone.is_some() && self.project_record_id.is_none() {
            invalid.push(
                "milestone",
                "A milestone can only be linked together with its project record",
            );
        }
        invalid.into_result()
    }

    /// The best figure known: the amount achieved, else the forecast, else the plan.
    pub fn expected(&self) -> Money {
        self.achieved.or(self.forecast).unwrap_or(self.planned)
    }

    /// The expected figure less the plan: below zero is a shortfall.
    pub fn variance(&self) -> Money {
        self.expected() - self.planned
    }

    /// Whether the line is delivered: achieved in full, or reported Blue.
    pub fn delivered(&self) -> bool {
        derived_brag(self.planned, self.forecast, self.achieved) == Brag::Blue
            || self.brag == Some(Brag::Blue)
    }

    /// The rating the line carries before milestones are looked at: as reported, else as the
    /// figures give it.
    pub fn rating(&self) -> Brag {
        self.brag
            .unwrap_or_else(|| derived_brag(self.planned, self.forecast, self.achieved))
    }
}

/// The shortfall against the plan (as a fraction) within which a saving is Amber rather than
/// Red: a tenth of the plan.
pub const AMBER_SHORTFALL: f64 = 0.1;

/// The rating the figures give:
/// - Blue (delivered): an amount achieved is recorded and meets the plan;
/// - Green (on track): the amount achieved or the forecast meets the plan;
/// - Amber (needs action): no forecast yet, or a shortfall of at most [`AMBER_SHORTFALL`]
///   of the plan;
/// - Red (at risk): a larger shortfall.
pub fn derived_brag(planned: Money, forecast: Option<Money>, achieved: Option<Money>) -> Brag {
    if let Some(a) = achieved
        && a >= planned
    {
        return Brag::Blue;
    }
    let Some(expected) = achieved.or(forecast) else {
        return Brag::Amber;
    };
    if expected >= planned {
        return Brag::Green;
    }
    let shortfall = (planned - expected).pence();
    #[allow(clippy::cast_precision_loss)]
    let within = (shortfall as f64) <= AMBER_SHORTFALL * planned.pence() as f64;
    if within { Brag::Amber } else { Brag::Red }
}

/// Whether a milestone counts as slipped on `today`: not done, and either expected later than
/// its baseline or past its due date.
pub fn milestone_slipped(plan: &DatePlan, today: NaiveDate) -> bool {
    matches!(
        plan.slippage(today),
        Slippage::Slipping { .. } | Slippage::Overdue { .. }
    )
}

/// A saving's rating as shown, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Status {
    /// The rating shown.
    pub brag: Brag,
    /// Whether a slipped milestone puts the saving at risk.
    pub at_risk: bool,
    /// Why, in plain words.
    pub reason: String,
}

/// The rating shown for a saving. `slipped` names the linked milestone when it has slipped
/// (see [`milestone_slipped`]): that makes an undelivered saving Red whatever was reported.
/// Otherwise the reported rating stands, or the figures decide ([`derived_brag`]).
pub fn status(saving: &Saving, slipped: Option<&str>) -> Status {
    let derived = derived_brag(saving.planned, saving.forecast, saving.achieved);
    let delivered = saving.delivered();
    if let Some(milestone) = slipped
        && !delivered
    {
        return Status {
            brag: Brag::Red,
            at_risk: true,
            reason: format!("at risk: the milestone it depends on, “{milestone}”, has slipped"),
        };
    }
    match saving.brag {
        Some(b) => Status {
            brag: b,
            at_risk: false,
            reason: format!("{} as reported", b.meaning()),
        },
        None => Status {
            brag: derived,
            at_risk: false,
            reason: match (derived, saving.forecast.or(saving.achieved)) {
                (Brag::Amber, None) => "needs action: no forecast recorded yet".to_owned(),
                (Brag::Blue, _) => "delivered: the amount achieved meets the plan".to_owned(),
                (Brag::Green, _) => "on track: the forecast meets the plan".to_owned(),
                (b, _) => format!(
                    "{}: a shortfall of {} against the plan",
                    b.meaning(),
                    (-saving.variance()).whole_pounds()
                ),
            },
        },
    }
}

/// A ledger line with the running totals of its project and council up to its year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Cumulative {
    /// The line's position in the input.
    pub index: usize,
    /// Planned amounts so far.
    pub planned: Money,
    /// Expected figures so far (achieved, else forecast, else planned).
    pub expected: Money,
    /// Amounts achieved so far.
    pub achieved: Money,
    /// Expected less planned so far.
    pub variance: Money,
}

/// Running totals per project and council, in financial-year order (lines of the same
/// project, council and year add up in input order). The output follows the input order.
pub fn cumulative(savings: &[Saving]) -> Vec<Cumulative> {
    let mut order: Vec<usize> = (0..savings.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&savings[a], &savings[b]);
        (&x.project, &x.council, x.financial_year, a).cmp(&(
            &y.project,
            &y.council,
            y.financial_year,
            b,
        ))
    });
    let mut out = vec![
        Cumulative {
            index: 0,
            planned: Money::ZERO,
            expected: Money::ZERO,
            achieved: Money::ZERO,
            variance: Money::ZERO,
        };
        savings.len()
    ];
    let mut running: Option<(&str, &GssCode, Money, Money, Money)> = None;
    for i in order {
        let s = &savings[i];
        let (mut planned, mut expected, mut achieved) = match running {
            Some((p, c, t, e, a)) if p == s.project && *c == s.council => (t, e, a),
            _ => (Money::ZERO, Money::ZERO, Money::ZERO),
        };
        planned += s.planned;
        expected += s.expected();
        achieved += s.achieved.unwrap_or(Money::ZERO);
        out[i] = Cumulative {
            index: i,
            planned,
            expected,
            achieved,
            variance: expected - planned,
        };
        running = Some((&s.project, &s.council, planned, expected, achieved));
    }
    out
}

/// One financial year's totals across the ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct YearTotal {
    /// Planned amounts.
    pub planned: Money,
    /// Forecasts recorded.
    pub forecast: Money,
    /// Amounts achieved.
    pub achieved: Money,
    /// Expected figures (achieved, else forecast, else planned).
    pub expected: Money,
    /// Cashable expected figures.
    pub cashable: Money,
    /// The savings target: the planned amounts the councils' MTFSs count on.
    pub savings_target: Money,
    /// Lines rated Red once slipped milestones are counted (given per line by the caller).
    pub at_risk: Money,
}

/// Totals per financial year (and, with `by_council`, per council within it). `red[i]` says
/// whether line `i` is shown Red; its expected figure then counts as at risk.
pub fn totals_by_year(
    savings: &[Saving],
    red: &[bool],
) -> BTreeMap<FinancialYear, BTreeMap<GssCode, YearTotal>> {
    let mut out: BTreeMap<FinancialYear, BTreeMap<GssCode, YearTotal>> = BTreeMap::new();
    for (i, s) in savings.iter().enumerate() {
        let t = out
            .entry(s.financial_year)
            .or_default()
            .entry(s.council.clone())
            .or_default();
        t.planned += s.planned;
        t.forecast += s.forecast.unwrap_or(Money::ZERO);
        t.achieved += s.achieved.unwrap_or(Money::ZERO);
        t.expected += s.expected();
        if s.cashable {
            t.cashable += s.expected();
        }
        if s.in_mtfs {
            t.savings_target += s.planned;
        }
        if red.get(i).copied().unwrap_or(false) {
            t.at_risk += s.expected();
        }
    }
    out
}

/// The columns of a ledger file (CSV or XLSX), in order. `council` takes a GSS code or a
/// council's name; `cashable` and `in_mtfs` take yes/no; amounts take pounds as officers
/// write them (`£100,000`).
pub const COLUMNS: [&str; 13] = [
    "project",
    "council",
    "financial_year",
    "planned",
    "forecast",
    "achieved",
    "cashable",
    "recurrence",
    "brag",
    "in_mtfs",
    "project_record_id",
    "milestone",
    "note",
];

/// Reads a yes/no cell (`yes`, `no`, `true`, `false`, `y`, `n`, `1`, `0`).
pub fn parse_yes_no(field: &str, text: &str) -> Result<bool, Invalid> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Ok(true),
        "no" | "n" | "false" | "0" => Ok(false),
        _ => Err(Invalid::field(field, format!("“{text}” is not yes or no"))),
    }
}

impl Saving {
    /// Reads a ledger line from a file's cells, found by column name with `cell`. `council`
    /// turns the council cell (a GSS code or a name) into a code. Errors name the column.
    pub fn from_cells<'a>(
        cell: impl Fn(&str) -> &'a str,
        council: impl Fn(&str) -> Option<GssCode>,
    ) -> Result<Saving, Invalid> {
        let mut invalid = Invalid::new();
        let optional = |name: &str| Some(cell(name).trim()).filter(|s| !s.is_empty());
        let money = |name: &str, invalid: &mut Invalid| {
            optional(name).and_then(|t| invalid.check(Money::parse(name, t)))
        };
        let council_text = cell("council").trim();
        let code = if council_text.is_empty() {
            invalid.push("council", "Enter the council (its GSS code or name)");
            None
        } else {
            let found = council(council_text);
            if found.is_none() {
                invalid.push(
                    "council",
                    format!("“{council_text}” is not one of this partnership’s councils; give its GSS code or name"),
                );
            }
            found
        };
        let year = match optional("financial_year") {
            Some(t) => invalid.check(FinancialYear::parse("financial_year", t)),
            None => {
                invalid.push("financial_year", "Enter the financial year, like 2012/13");
                None
            }
        };
        // Files of earlier releases name the planned and achieved columns `target` and
        // `actual`; a refusal names the column the file has.
        let (planned_column, achieved_column) = (
            if optional("planned").is_none() && optional("target").is_some() {
                "target"
            } else {
                "planned"
            },
            if optional("achieved").is_none() && optional("actual").is_some() {
                "actual"
            } else {
                "achieved"
            },
        );
        let planned = match optional(planned_column) {
            Some(t) => invalid.check(Money::parse(planned_column, t)),
            None => {
                invalid.push("planned", "Enter the saving planned");
                None
            }
        };
        let forecast = money("forecast", &mut invalid);
        let achieved = money(achieved_column, &mut invalid);
        let cashable =
            optional("cashable").map_or(Some(true), |t| invalid.check(parse_yes_no("cashable", t)));
        let recurrence = optional("recurrence").map_or(Some(Recurrence::Recurring), |t| {
            invalid.check(Recurrence::parse("recurrence", t))
        });
        let brag = optional("brag").and_then(|t| invalid.check(Brag::parse("brag", t)));
        let in_mtfs =
            optional("in_mtfs").map_or(Some(false), |t| invalid.check(parse_yes_no("in_mtfs", t)));
        let whole = |name: &str, invalid: &mut Invalid| -> Option<i64> {
            optional(name).and_then(|t| match t.parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    invalid.push(name, format!("“{t}” is not a whole number above zero"));
                    None
                }
            })
        };
        let project_record_id = whole("project_record_id", &mut invalid);
        let milestone = whole("milestone", &mut invalid).and_then(|n| {
            let m = u32::try_from(n).ok();
            if m.is_none() {
                invalid.push("milestone", "is too large a milestone number");
            }
            m
        });
        let (
            Some(council),
            Some(financial_year),
            Some(planned),
            Some(cashable),
            Some(recurrence),
            Some(in_mtfs),
        ) = (code, year, planned, cashable, recurrence, in_mtfs)
        else {
            return Err(invalid);
        };
        invalid.into_result()?;
        Ok(Saving {
            project: cell("project").trim().to_owned(),
            project_record_id,
            milestone,
            council,
            financial_year,
            planned,
            forecast,
            achieved,
            cashable,
            recurrence,
            brag,
            in_mtfs,
            note: optional("note").map(str::to_owned),
            source: None,
        })
    }

    /// The line's cells in [`COLUMNS`] order, for export; amounts as plain pounds with
    /// pence (`100000.00`) so spreadsheets read them as numbers.
    pub fn to_cells(&self) -> Vec<String> {
        let pounds = |m: Money| {
            let p = m.pence();
            format!(
                "{}{}.{:02}",
                if p < 0 { "-" } else { "" },
                p.unsigned_abs() / 100,
                p.unsigned_abs() % 100
            )
        };
        let yes = |b: bool| if b { "yes" } else { "no" }.to_owned();
        vec![
            self.project.clone(),
            self.council.to_string(),
            self.financial_year.to_string(),
            pounds(self.planned),
            self.forecast.map(pounds).unwrap_or_default(),
            self.achieved.map(pounds).unwrap_or_default(),
            yes(self.cashable),
            self.recurrence.slug().to_owned(),
            self.brag.map(|b| b.slug().to_owned()).unwrap_or_default(),
            yes(self.in_mtfs),
            self.project_record_id
                .map(|n| n.to_string())
                .unwrap_or_default(),
            self.milestone.map(|n| n.to_string()).unwrap_or_default(),
            self.note.clone().unwrap_or_default(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::DatePrecision;

    fn gss(code: &str) -> GssCode {
        GssCode::parse("g", code).unwrap()
    }

    fn pounds(p: i64) -> Money {
        Money::from_pounds(p)
    }

    fn line(project: &str, council: &str, year: &str, planned: i64) -> Saving {
        Saving {
            project: project.into(),
            project_record_id: None,
            milestone: None,
            council: gss(council),
            financial_year: FinancialYear::parse("y", year).unwrap(),
            planned: pounds(planned),
            forecast: None,
            achieved: None,
            cashable: true,
            recurrence: Recurrence::Recurring,
            brag: None,
            in_mtfs: true,
            note: None,
            source: None,
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn every_text_of_a_line_has_a_stated_limit() {
        let long = |n: usize| "x".repeat(n);
        // (field, the line, whether it is refused)
        let cases: Vec<(&str, Saving, bool)> = vec![
            (
                "project",
                line(&long(200), "E09000014", "2011/12", 1),
                false,
            ),
            ("project", line(&long(201), "E09000014", "2011/12", 1), true),
            (
                "project",
                line(&long(1_000_000), "E09000014", "2011/12", 1),
                true,
            ),
            (
                "note",
                Saving {
                    note: Some(long(2_000)),
                    ..line("P", "E09000014", "2011/12", 1)
                },
                false,
            ),
            (
                "note",
                Saving {
                    note: Some(long(2_001)),
                    ..line("P", "E09000014", "2011/12", 1)
                },
                true,
            ),
            (
                "source",
                Saving {
                    source: Some(long(500)),
                    ..line("P", "E09000014", "2011/12", 1)
                },
                false,
            ),
            (
                "source",
                Saving {
                    source: Some(long(501)),
                    ..line("P", "E09000014", "2011/12", 1)
                },
                true,
            ),
        ];
        for (field, saving, refused) in cases {
            let result = saving.validate(&[gss("E09000014")]);
            assert_eq!(result.is_err(), refused, "{field}");
            if let Err(invalid) = result {
                assert_eq!(invalid.errors[0].field, field);
                assert!(invalid.errors[0].message.contains("characters or fewer"));
            }
        }
    }

    #[test]
    fn brag_from_the_figures() {
        // (planned, forecast, achieved, expected rating)
        let cases: [(i64, Option<i64>, Option<i64>, Brag); 9] = [
            (100_000, None, Some(100_000), Brag::Blue),
            (100_000, Some(50_000), Some(120_000), Brag::Blue),
            (100_000, Some(100_000), None, Brag::Green),
            (100_000, Some(150_000), None, Brag::Green),
            (100_000, None, None, Brag::Amber),
            (100_000, Some(90_000), None, Brag::Amber),
            (100_000, Some(89_999), None, Brag::Red),
            (100_000, Some(200_000), Some(80_000), Brag::Red),
            (0, None, Some(0), Brag::Blue),
        ];
        for (planned, forecast, achieved, expected) in cases {
            assert_eq!(
                derived_brag(pounds(planned), forecast.map(pounds), achieved.map(pounds)),
                expected,
                "planned {planned}, forecast {forecast:?}, achieved {achieved:?}"
            );
        }
    }

    #[test]
    fn a_slipped_milestone_puts_undelivered_savings_at_risk() {
        let today = date(2011, 7, 21);
        let plan = |baseline: NaiveDate, forecast: Option<NaiveDate>, actual: Option<NaiveDate>| {
            DatePlan {
                baseline,
                forecast,
                actual,
                precision: DatePrecision::Day,
            }
        };
        // (plan, slipped?)
        let cases = [
            (plan(date(2011, 9, 1), None, None), false),
            (plan(date(2011, 7, 1), Some(date(2011, 9, 1)), None), true),
            (plan(date(2011, 7, 1), None, None), true),
            (plan(date(2011, 9, 1), Some(date(2011, 8, 1)), None), false),
            (plan(date(2011, 6, 1), None, Some(date(2011, 7, 1))), false),
        ];
        for (p, slipped) in cases {
            assert_eq!(milestone_slipped(&p, today), slipped, "{p:?}");
        }
        // (reported, achieved, slipped milestone, shown, at risk)
        let cases: [(Option<Brag>, Option<i64>, bool, Brag, bool); 5] = [
            (Some(Brag::Green), None, true, Brag::Red, true),
            (None, None, true, Brag::Red, true),
            (Some(Brag::Green), None, false, Brag::Green, false),
            (None, Some(100_000), true, Brag::Blue, false),
            (Some(Brag::Blue), None, true, Brag::Blue, false),
        ];
        for (reported, achieved, slipped, shown, at_risk) in cases {
            let mut s = line("HR", "E09000014", "2011/12", 100_000);
            s.brag = reported;
            s.achieved = achieved.map(pounds);
            let st = status(&s, slipped.then_some("Payroll control live"));
            assert_eq!(
                (st.brag, st.at_risk),
                (shown, at_risk),
                "{reported:?} {achieved:?}"
            );
            if at_risk {
                assert!(st.reason.contains("Payroll control live"));
            }
        }
    }

    #[test]
    fn cumulative_figures_run_per_project_and_council_in_year_order() {
        let mut a = line("HR", "E09000014", "2012/13", 100_000);
        a.achieved = Some(pounds(80_000));
        let b = line("HR", "E09000014", "2011/12", 50_000);
        let mut c = line("HR", "E09000031", "2011/12", 50_000);
        c.forecast = Some(pounds(60_000));
        let d = line("OD", "E09000014", "2011/12", 75_000);
        let mut e = line("HR", "E09000014", "2013/14", 100_000);
        e.forecast = Some(pounds(100_000));
        let savings = vec![a, b, c, d, e];
        let cum = cumulative(&savings);
        // (index, planned, expected, achieved, variance) in pounds
        let cases = [
            (0, 150_000, 130_000, 80_000, -20_000),
            (1, 50_000, 50_000, 0, 0),
            (2, 50_000, 60_000, 0, 10_000),
            (3, 75_000, 75_000, 0, 0),
            (4, 250_000, 230_000, 80_000, -20_000),
        ];
        for (i, planned, expected, achieved, variance) in cases {
            let c = &cum[i];
            assert_eq!(c.index, i);
            assert_eq!(
                (c.planned, c.expected, c.achieved, c.variance),
                (
                    pounds(planned),
                    pounds(expected),
                    pounds(achieved),
                    pounds(variance)
                ),
                "line {i}"
            );
        }
    }

    #[test]
    fn totals_per_year_and_council() {
        let mut a = line("HR", "E09000014", "2011/12", 100_000);
        a.forecast = Some(pounds(90_000));
        let mut b = line("OD", "E09000014", "2011/12", 150_000);
        b.cashable = false;
        b.in_mtfs = false;
        let c = line("HR", "E09000031", "2011/12", 100_000);
        let totals = totals_by_year(&[a, b, c], &[false, true, false]);
        let year = FinancialYear::parse("y", "2011/12").unwrap();
        let h = &totals[&year][&gss("E09000014")];
        assert_eq!(h.planned, pounds(250_000));
        assert_eq!(h.forecast, pounds(90_000));
        assert_eq!(h.expected, pounds(240_000));
        assert_eq!(h.cashable, pounds(90_000));
        assert_eq!(h.savings_target, pounds(100_000));
        assert_eq!(h.at_risk, pounds(150_000));
        assert_eq!(totals[&year][&gss("E09000031")].planned, pounds(100_000));
    }

    #[test]
    fn validation_names_the_field() {
        let members = [gss("E09000014"), gss("E09000031")];
        let mut ok = line("HR", "E09000014", "2011/12", 1);
        assert!(ok.validate(&members).is_ok());
        type Change = Box<dyn Fn(&mut Saving)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|s| s.project = " ".into()), "project"),
            (Box::new(|s| s.council = gss("E06000039")), "council"),
            (Box::new(|s| s.planned = Money::from_pence(-1)), "planned"),
            (
                Box::new(|s| s.forecast = Some(Money::from_pence(-1))),
                "forecast",
            ),
            (
                Box::new(|s| s.achieved = Some(Money::from_pence(-1))),
                "achieved",
            ),
            (Box::new(|s| s.milestone = Some(2)), "milestone"),
            (
                Box::new(|s| s.project_record_id = Some(0)),
                "project_record_id",
            ),
        ];
        for (change, field) in cases {
            let mut s = ok.clone();
            change(&mut s);
            let err = s.validate(&members).unwrap_err();
            assert_eq!(err.errors[0].field, field, "{err}");
        }
        ok.milestone = Some(1);
        ok.project_record_id = Some(7);
        assert!(ok.validate(&members).is_ok());
    }

    #[test]
    fn cells_round_trip_and_refusals_name_the_column() {
        let council = |t: &str| match t {
            "E09000014" | "Haringey" => Some(gss("E09000014")),
            "E09000031" => Some(gss("E09000031")),
            _ => None,
        };
        let mut s = line("HR shared service centre", "E09000014", "2012/13", 100_000);
        s.forecast = Some(Money::from_pence(9_000_050));
        s.brag = Some(Brag::Amber);
        s.project_record_id = Some(12);
        s.milestone = Some(3);
        s.note = Some("half-year effect".into());
        s.recurrence = Recurrence::OneOff;
        let cells = s.to_cells();
        let get = |name: &str| {
            COLUMNS
                .iter()
                .position(|c| *c == name)
                .map_or("", |i| cells[i].as_str())
        };
        assert_eq!(Saving::from_cells(get, council).unwrap(), s);

        let cases: [(&[(&str, &str)], &str); 7] = [
            (&[("council", "Slough")], "council"),
            (&[("council", "")], "council"),
            (&[("financial_year", "2012")], "financial_year"),
            (&[("planned", "lots")], "planned"),
            (&[("cashable", "maybe")], "cashable"),
            (&[("brag", "purple")], "brag"),
            (&[("milestone", "-2")], "milestone"),
        ];
        let base: Vec<(&str, &str)> = vec![
            ("project", "HR"),
            ("council", "Haringey"),
            ("financial_year", "2012/13"),
            ("planned", "£100,000"),
        ];
        for (changes, field) in cases {
            let mut cells = base.clone();
            for (k, v) in changes {
                cells.retain(|(n, _)| n != k);
                cells.push((k, v));
            }
            let get = |name: &str| {
                cells
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or("", |(_, v)| *v)
            };
            let err = Saving::from_cells(get, council).unwrap_err();
            assert_eq!(err.errors[0].field, field, "{err}");
        }
    }

    #[test]
    fn files_and_bodies_of_earlier_releases_still_read() {
        let council = |t: &str| (t == "Haringey").then(|| gss("E09000014"));
        let cells = [
            ("project", "HR"),
            ("council", "Haringey"),
            ("financial_year", "2012/13"),
            ("target", "£100,000"),
            ("actual", "£5"),
        ];
        let get = |name: &str| {
            cells
                .iter()
                .find(|(n, _)| *n == name)
                .map_or("", |(_, v)| *v)
        };
        let s = Saving::from_cells(get, council).unwrap();
        assert_eq!(s.planned, pounds(100_000));
        assert_eq!(s.achieved, Some(pounds(5)));
        let bad = |name: &str| if name == "target" { "lots" } else { get(name) };
        let err = Saving::from_cells(bad, council).unwrap_err();
        assert_eq!(err.errors[0].field, "target", "named as the file names it");
        let body = serde_json::json!({
            "project": "HR", "council": "E09000014", "financial_year": "2012/13",
            "target": 100, "actual": 5, "cashable": true, "recurrence": "recurring", "in_mtfs": true
        });
        let s: Saving = serde_json::from_value(body).unwrap();
        assert_eq!(
            (s.planned, s.achieved),
            (Money::from_pence(100), Some(Money::from_pence(5)))
        );
    }

    #[test]
    fn brag_and_recurrence_parse() {
        assert_eq!(Brag::parse("b", "Blue").unwrap(), Brag::Blue);
        assert_eq!(Brag::parse("b", "r").unwrap(), Brag::Red);
        assert!(Brag::parse("b", "").is_err());
        assert_eq!(
            Recurrence::parse("r", "One-off").unwrap(),
            Recurrence::OneOff
        );
        assert!(Recurrence::parse("r", "monthly").is_err());
    }
}
