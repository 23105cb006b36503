//! Cost and savings lines of a business case as people type them: in a form (one line per
//! round trip, "add another line") or in a file (CSV or XLSX, one line per row). Both use the
//! same names, so a file's columns are the form's fields.

use accord_analytics::business_case::{BusinessCase, CostLine, LineKind, SavingLine, StartValue};
use accord_analytics::distribution::{Estimate, Shape};
use accord_domain::{GssCode, Invalid, Money};
use std::collections::{BTreeMap, HashMap};

/// The columns of a lines file, in order.
pub const COLUMNS: [&str; 18] = [
    "option",
    "type",
    "name",
    "kind",
    "low",
    "most_likely",
    "high",
    "distribution",
    "year",
    "start",
    "end_year",
    "ramp_up",
    "cashable",
    "optimism_bias",
    "slippage_low",
    "slippage_most_likely",
    "slippage_high",
    "split",
];

/// Whether a line is a cost or a saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineType {
    /// A cost.
    Cost,
    /// A saving.
    Saving,
}

impl LineType {
    /// The form and file value.
    pub fn slug(self) -> &'static str {
        match self {
            LineType::Cost => "cost",
            LineType::Saving => "saving",
        }
    }

    /// Reads the form or file value.
    pub fn parse(field: &str, text: &str) -> Result<LineType, Invalid> {
        match text.trim().to_ascii_lowercase().as_str() {
            "cost" => Ok(LineType::Cost),
            "saving" | "savings" => Ok(LineType::Saving),
            _ => Err(Invalid::field(
                field,
                format!("“{text}” is neither cost nor saving"),
            )),
        }
    }
}

/// A line parsed from what was typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// A cost line.
    Cost(CostLine),
    /// A savings line.
    Saving(SavingLine),
}

/// A line as typed: every field as text, under its form field (and file column) name.
/// `split` maps a council (GSS code) to its percentage as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    /// Field values by name (every column but `option`, `type` and `split`).
    pub fields: HashMap<String, String>,
    /// Percentages by GSS code, or by what the file named the council.
    pub split: BTreeMap<String, String>,
}

impl Draft {
    /// The value of a field, or "".
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        if !value.is_empty() {
            self.fields.insert(name.to_owned(), value);
        }
    }

    /// The draft of a stored line (for a form to change it, or a file).
    pub fn of(line: &Line) -> Draft {
        let mut d = Draft::default();
        let amount = |d: &mut Draft, e: &Estimate| {
            if e.is_point() {
                d.set("most_likely", pounds(e.most_likely));
            } else {
                d.set("low", pounds(e.low));
                d.set("most_likely", pounds(e.most_likely));
                d.set("high", pounds(e.high));
                d.set(
                    "distribution",
                    match e.distribution {
                        Some(Shape::Pert) => "pert",
                        _ => "triangular",
                    },
                );
            }
        };
        let split = |d: &mut Draft, s: &Option<BTreeMap<String, f64>>| {
            if let Some(s) = s {
                for (c, f) in s {
                    d.split.insert(c.clone(), super::percent_text(*f));
                }
            }
        };
        match line {
            Line::Cost(c) => {
                d.set("name", c.name.clone());
                d.set("kind", kind_slug(c.kind));
                amount(&mut d, &c.amount);
                match c.kind {
                    LineKind::OneOff => {
                        d.set("year", c.year.map(|y| y.to_string()).unwrap_or_default());
                    }
                    LineKind::Recurring => d.set(
                        "start",
                        c.start_year.map(|y| y.to_string()).unwrap_or_default(),
                    ),
                }
                d.set(
                    "end_year",
                    c.end_year.map(|y| y.to_string()).unwrap_or_default(),
                );
                d.set(
                    "optimism_bias",
                    c.optimism_bias.map(super::percent_text).unwrap_or_default(),
                );
                split(&mut d, &c.split);
            }
            Line::Saving(s) => {
                d.set("name", s.name.clone());
                d.set("kind", kind_slug(s.kind));
                d.set("cashable", if s.cashable { "yes" } else { "no" });
                amount(&mut d, &s.amount);
                d.set(
                    "start",
                    match &s.start {
                        Some(StartValue::Year(y)) => number(*y),
                        Some(StartValue::Text(t)) => t.clone(),
                        None => String::new(),
                    },
                );
                d.set(
                    "end_year",
                    s.end_year.map(|y| y.to_string()).unwrap_or_default(),
                );
                d.set(
                    "ramp_up",
                    s.ramp_up
                        .iter()
                        .map(|f| format!("{}%", super::percent_text(*f)))
                        .collect::<Vec<_>>()
                        .join("; "),
                );
                if let Some(sl) = &s.slippage {
                    if sl.is_point() {
                        d.set("slippage_most_likely", number(sl.most_likely));
                    } else {
                        d.set("slippage_low", number(sl.low));
                        d.set("slippage_most_likely", number(sl.most_likely));
                        d.set("slippage_high", number(sl.high));
                    }
                }
                split(&mut d, &s.split);
            }
        }
        d
    }

    /// Reads the draft into a line. `councils` are the case's councils (GSS codes);
    /// `resolve` turns what a file names a council into its code. Every problem names its
    /// field (or column).
    pub fn parse(
        &self,
        line_type: LineType,
        councils: &[String],
        resolve: &dyn Fn(&str) -> Option<GssCode>,
    ) -> Result<Line, Invalid> {
        let mut invalid = Invalid::new();
        let name = self.get("name").trim().to_owned();
        if name.is_empty() {
            invalid.push("name", "Enter what the line is, such as “Redundancy costs”");
        }
        let kind = match self
            .get("kind")
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "one_off" => Some(LineKind::OneOff),
            "recurring" => Some(LineKind::Recurring),
            "" => {
                invalid.push("kind", "Choose one-off or recurring");
                None
            }
            other => {
                invalid.push(
                    "kind",
                    format!("“{other}” is neither one_off nor recurring"),
                );
                None
            }
        };
        let amount = self.money_estimate(&mut invalid);
        let year = |name: &str, invalid: &mut Invalid| -> Option<u32> {
            let t = self.get(name).trim();
            if t.is_empty() {
                return None;
            }
            match t.parse::<u32>() {
                Ok(y) => Some(y),
                Err(_) => {
                    invalid.push(name, format!("“{t}” is not a year number such as 0, 1 or 10 (year 0 is the base year)"));
                    None
                }
            }
        };
        let end_year = year("end_year", &mut invalid);
        let split = self.split_fractions(councils, resolve, &mut invalid);
        let line = match line_type {
            LineType::Cost => {
                let one_off_year = year("year", &mut invalid);
                let start_year = year("start", &mut invalid);
                let bias = super::percent_field(&self.form(), "optimism_bias", &mut invalid);
                if bias.is_some_and(|b| b < 0.0) {
                    invalid.push("optimism_bias", "An uplift cannot be negative");
                }
                match (kind, amount) {
                    (Some(kind), Some(amount)) => Some(Line::Cost(CostLine {
                        name: name.clone(),
                        kind,
                        amount,
                        year: (kind == LineKind::OneOff).then_some(one_off_year).flatten(),
                        start_year: (kind == LineKind::Recurring)
                            .then_some(start_year)
                            .flatten(),
                        end_year: (kind == LineKind::Recurring).then_some(end_year).flatten(),
                        split,
                        optimism_bias: bias,
                    })),
                    _ => None,
                }
            }
            LineType::Saving => {
                let cashable = match self.get("cashable").trim().to_ascii_lowercase().as_str() {
                    "" | "yes" | "y" | "true" => Some(true),
                    "no" | "n" | "false" => Some(false),
                    other => {
                        invalid.push("cashable", format!("“{other}” is not yes or no"));
                        None
                    }
                };
                let start = {
                    let t = self.get("start").trim();
                    if t.is_empty() {
                        None
                    } else if let Ok(y) = t.parse::<f64>() {
                        Some(StartValue::Year(y))
                    } else {
                        Some(StartValue::Text(t.to_owned()))
                    }
                };
                let mut ramp_up = Vec::new();
                for part in self
                    .get("ramp_up")
                    .split([';', ','])
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                {
                    match part.trim_end_matches('%').trim().parse::<f64>() {
                        Ok(v) if (0.0..=100.0).contains(&v) => ramp_up.push(v / 100.0),
                        _ => invalid.push(
                            "ramp_up",
                            format!("“{part}” is not a percentage from 0 to 100; write the first years’ shares like 50%; 75%"),
                        ),
                    }
                }
                let slippage = self.years_estimate(&mut invalid);
                match (kind, amount, cashable) {
                    (Some(kind), Some(amount), Some(cashable)) => Some(Line::Saving(SavingLine {
                        name: name.clone(),
                        cashable,
                        kind,
                        amount,
                        start,
                        end_year: (kind == LineKind::Recurring).then_some(end_year).flatten(),
                        ramp_up,
                        split,
                        slippage,
                    })),
                    _ => None,
                }
            }
        };
        invalid.into_result()?;
        line.ok_or_else(|| Invalid::field("name", "The line could not be read"))
    }

    fn form(&self) -> crate::forms::FormData {
        crate::forms::FormData::from_pairs(self.fields.iter().map(|(k, v)| (k.clone(), v.clone())))
    }

    /// Low, most likely and high amounts in pounds: the most likely alone for a single
    /// figure, all three for a range.
    fn money_estimate(&self, invalid: &mut Invalid) -> Option<Estimate> {
        let form = self.form();
        let mut read = |name: &str| -> Option<f64> {
            let v = super::pounds_field(&form, name, invalid)?;
            if v < 0.0 {
                invalid.push(name, "Enter an amount of zero or more: costs and savings are given as positive amounts");
                return None;
            }
            Some(v)
        };
        let (low, ml, high) = (read("low"), read("most_likely"), read("high"));
        if self.get("most_likely").trim().is_empty() {
            invalid.push("most_likely", "Enter the most likely amount");
            return None;
        }
        three_point(
            self,
            invalid,
            ("low", "most_likely", "high"),
            low,
            ml?,
            high,
            "amount",
        )
    }

    /// Go-live slippage in years, when any is given.
    fn years_estimate(&self, invalid: &mut Invalid) -> Option<Estimate> {
        let form = self.form();
        let mut read = |name: &str| -> Option<f64> {
            let v = super::number_field(&form, name, invalid)?;
            if v < 0.0 {
                invalid.push(name, "Slippage is a delay: enter years, zero or more");
                return None;
            }
            Some(v)
        };
        let (low, ml, high) = (
            read("slippage_low"),
            read("slippage_most_likely"),
            read("slippage_high"),
        );
        let names = ("slippage_low", "slippage_most_likely", "slippage_high");
        if [names.0, names.1, names.2]
            .iter()
            .all(|n| self.get(n).trim().is_empty())
        {
            return None;
        }
        if self.get(names.1).trim().is_empty() {
            invalid.push(names.1, "Enter the most likely slippage in years");
            return None;
        }
        three_point(self, invalid, names, low, ml?, high, "slippage")
    }

    fn split_fractions(
        &self,
        councils: &[String],
        resolve: &dyn Fn(&str) -> Option<GssCode>,
        invalid: &mut Invalid,
    ) -> Option<BTreeMap<String, f64>> {
        let given: Vec<(&String, &String)> = self
            .split
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        if given.is_empty() {
            return None;
        }
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (who, pct) in given {
            let field = format!("split_{who}");
            let code = resolve(who)
                .map(|c| c.to_string())
                .filter(|c| councils.contains(c));
            let Some(code) = code else {
                invalid.push(
                    field,
                    format!(
                        "“{who}” is not a member council of this business case (its councils: {})",
                        councils.join(", ")
                    ),
                );
                ok = false;
                continue;
            };
            match pct.trim().trim_end_matches('%').trim().parse::<f64>() {
                Ok(v) if (0.0..=100.0).contains(&v) => {
                    out.insert(code, v / 100.0);
                }
                _ => {
                    invalid.push(field, format!("“{pct}” is not a percentage from 0 to 100"));
                    ok = false;
                }
            }
        }
        if ok {
            let total: f64 = out.values().sum();
            if (total - 1.0).abs() > 1e-6 {
                invalid.push(
                    "split",
                    format!("The shares add up to {}%; they must add up to 100% (leave them all blank for equal shares)", super::percent_text(total)),
                );
            }
        }
        Some(out)
    }

    /// The line's cells in [`COLUMNS`] order (after `option` and `type`, which the caller
    /// fills), with the split as `E09000014=60%; E09000031=40%`.
    pub fn cells(&self) -> Vec<String> {
        COLUMNS[2..]
            .iter()
            .map(|c| {
                if *c == "split" {
                    self.split
                        .iter()
                        .map(|(k, v)| format!("{k}={v}%"))
                        .collect::<Vec<_>>()
                        .join("; ")
                } else {
                    self.get(c).to_owned()
                }
            })
            .collect()
    }

    /// A draft from a file's cells (by lower-case column name).
    pub fn from_cells(cells: &HashMap<String, String>) -> Result<Draft, Invalid> {
        let mut d = Draft::default();
        for c in &COLUMNS[2..] {
            if *c == "split" {
                continue;
            }
            if let Some(v) = cells.get(*c) {
                d.set(c, v.trim().to_owned());
            }
        }
        let mut invalid = Invalid::new();
        for part in cells
            .get("split")
            .map_or("", String::as_str)
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match part.split_once(['=', ':']) {
                Some((who, pct)) if !who.trim().is_empty() => {
                    d.split.insert(
                        who.trim().to_owned(),
                        pct.trim().trim_end_matches('%').trim().to_owned(),
                    );
                }
                _ => invalid.push(
                    "split",
                    format!(
                        "“{part}” should be a council, “=”, then its percentage, like E09000014=60%"
                    ),
                ),
            }
        }
        invalid.into_result()?;
        Ok(d)
    }
}

fn three_point(
    d: &Draft,
    invalid: &mut Invalid,
    names: (&str, &str, &str),
    low: Option<f64>,
    ml: f64,
    high: Option<f64>,
    what: &str,
) -> Option<Estimate> {
    let typed = |n: &str| !d.get(n).trim().is_empty();
    match (typed(names.0), typed(names.2)) {
        (false, false) => Some(Estimate::point(ml)),
        (true, true) => {
            let (low, high) = (low?, high?);
            let mut ok = true;
            if low > ml {
                invalid.push(names.0, format!("The low {what} is above the most likely: the low estimate must be at most the most likely"));
                ok = false;
            }
            if high < ml {
                invalid.push(names.2, format!("The high {what} is below the most likely: the high estimate must be at least the most likely"));
                ok = false;
            }
            let shape = match d.get("distribution").trim().to_ascii_lowercase().as_str() {
                "" | "triangular" => Shape::Triangular,
                "pert" => Shape::Pert,
                other => {
                    invalid.push(
                        "distribution",
                        format!("“{other}” is neither triangular nor pert"),
                    );
                    Shape::Triangular
                }
            };
            ok.then_some(Estimate::range(low, ml, high, shape))
        }
        (true, false) => {
            invalid.push(
                names.2,
                format!("Enter the high {what} too, or leave the low one blank"),
            );
            None
        }
        (false, true) => {
            invalid.push(
                names.0,
                format!("Enter the low {what} too, or leave the high one blank"),
            );
            None
        }
    }
}

fn kind_slug(kind: LineKind) -> &'static str {
    match kind {
        LineKind::OneOff => "one_off",
        LineKind::Recurring => "recurring",
    }
}

/// Pounds for a form field or file cell, with pence only when there are any.
pub fn pounds(v: f64) -> String {
    Money::from_pounds_f64(v).map_or_else(String::new, |m| {
        let p = m.pence();
        if p % 100 == 0 {
            format!("{}{}", if p < 0 { "-" } else { "" }, p.unsigned_abs() / 100)
        } else {
            format!(
                "{}{}.{:02}",
                if p < 0 { "-" } else { "" },
                p.unsigned_abs() / 100,
                p.unsigned_abs() % 100
            )
        }
    })
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// Where a line sits in a case: its option, its type and its position.
pub type Place = (usize, LineType, usize);

/// Puts a line into a case: at `place` (replacing), or at the end of its option's list.
pub fn put(
    case: &mut BusinessCase,
    option: usize,
    line: Line,
    at: Option<usize>,
) -> Result<Place, Invalid> {
    let o = case
        .options
        .get_mut(option)
        .ok_or_else(|| Invalid::field("option", "There is no such option"))?;
    Ok(match line {
        Line::Cost(c) => match at {
            Some(i) if i < o.costs.len() => {
                o.costs[i] = c;
                (option, LineType::Cost, i)
            }
            _ => {
                o.costs.push(c);
                (option, LineType::Cost, o.costs.len() - 1)
            }
        },
        Line::Saving(s) => match at {
            Some(i) if i < o.savings.len() => {
                o.savings[i] = s;
                (option, LineType::Saving, i)
            }
            _ => {
                o.savings.push(s);
                (option, LineType::Saving, o.savings.len() - 1)
            }
        },
    })
}

/// The form field an engine refusal about a line is shown on: `case.options[1].costs[0].amount.low`
/// becomes `low`; `None` when the refusal is about something else.
pub fn field_for(path: &str, place: Place, draft: &Draft) -> Option<String> {
    let (o, t, l) = place;
    let list = match t {
        LineType::Cost => "costs",
        LineType::Saving => "savings",
    };
    let prefix = format!("case.options[{o}].{list}[{l}]");
    let rest = path.strip_prefix(&prefix)?;
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    let typed = |n: &str| !draft.get(n).trim().is_empty();
    Some(
        match rest {
            "amount.low" if typed("low") => "low",
            "amount.high" if typed("high") => "high",
            "amount" | "amount.low" | "amount.high" | "amount.most_likely" => "most_likely",
            "year" => "year",
            "start_year" | "start" => "start",
            "end_year" => "end_year",
            "optimism_bias" => "optimism_bias",
            "slippage.low" if typed("slippage_low") => "slippage_low",
            "slippage.high" if typed("slippage_high") => "slippage_high",
            r if r.starts_with("slippage") => "slippage_most_likely",
            r if r.starts_with("ramp_up") => "ramp_up",
            r if r.starts_with("split.") => return Some(format!("split_{}", &r[6..])),
            "split" => "split",
            "" => "name",
            _ => "name",
        }
        .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(t: &str) -> Option<GssCode> {
        match t {
            "Haringey" => GssCode::parse("c", "E09000014").ok(),
            other => GssCode::parse("c", other).ok(),
        }
    }

    fn councils() -> Vec<String> {
        vec!["E09000014".into(), "E09000031".into()]
    }

    fn draft(pairs: &[(&str, &str)]) -> Draft {
        let mut d = Draft::default();
        for (k, v) in pairs {
            if let Some(code) = k.strip_prefix("split_") {
                d.split.insert(code.to_owned(), (*v).to_owned());
            } else {
                d.fields.insert((*k).to_owned(), (*v).to_owned());
            }
        }
        d
    }

    #[test]
    fn lines_round_trip_through_drafts() {
        let cases = [
            (
                LineType::Cost,
                draft(&[
                    ("name", "Implementation"),
                    ("kind", "one_off"),
                    ("most_likely", "200000"),
                    ("year", "0"),
                ]),
            ),
            (
                LineType::Cost,
                draft(&[
                    ("name", "IT"),
                    ("kind", "recurring"),
                    ("low", "10000"),
                    ("most_likely", "12000"),
                    ("high", "20000"),
                    ("distribution", "pert"),
                    ("start", "1"),
                    ("end_year", "5"),
                    ("optimism_bias", "41"),
                    ("split_E09000014", "60"),
                    ("split_E09000031", "40"),
                ]),
            ),
            (
                LineType::Saving,
                draft(&[
                    ("name", "HR"),
                    ("kind", "recurring"),
                    ("cashable", "no"),
                    ("most_likely", "100000.50"),
                    ("start", "2013/14"),
                    ("ramp_up", "50%; 75%"),
                    ("slippage_low", "0"),
                    ("slippage_most_likely", "0.25"),
                    ("slippage_high", "1"),
                ]),
            ),
        ];
        for (t, d) in cases {
            let line = d.parse(t, &councils(), &resolve).unwrap();
            let again = Draft::of(&line).parse(t, &councils(), &resolve).unwrap();
            assert_eq!(line, again);
            let cells: HashMap<String, String> = COLUMNS[2..]
                .iter()
                .map(|c| (*c).to_owned())
                .zip(Draft::of(&line).cells())
                .collect();
            let from_file = Draft::from_cells(&cells)
                .unwrap()
                .parse(t, &councils(), &resolve)
                .unwrap();
            assert_eq!(line, from_file);
        }
    }

    #[test]
    fn refusals_name_the_field() {
        let base = [
            ("name", "HR"),
            ("kind", "recurring"),
            ("most_likely", "100"),
        ];
        let cases: [(&[(&str, &str)], &str); 9] = [
            (&[("low", "150"), ("high", "200")], "low"),
            (&[("low", "50"), ("high", "90")], "high"),
            (&[("low", "50")], "high"),
            (&[("most_likely", "-5")], "most_likely"),
            (&[("most_likely", "")], "most_likely"),
            (&[("split_E06000039", "100")], "split_E06000039"),
            (&[("split_E09000014", "50")], "split"),
            (&[("kind", "monthly")], "kind"),
            (&[("end_year", "soon")], "end_year"),
        ];
        for (changes, field) in cases {
            let mut pairs: Vec<(&str, &str)> = base.to_vec();
            for (k, v) in changes {
                pairs.retain(|(n, _)| n != k);
                pairs.push((k, v));
            }
            let err = draft(&pairs)
                .parse(LineType::Cost, &councils(), &resolve)
                .unwrap_err();
            assert_eq!(err.errors[0].field, field, "{err}");
        }
    }

    #[test]
    fn engine_refusals_land_on_form_fields() {
        let d = draft(&[("low", "1")]);
        let cases = [
            ("case.options[1].costs[0].amount.low", Some("low")),
            ("case.options[1].costs[0].year", Some("year")),
            (
                "case.options[1].costs[0].split.E06000039",
                Some("split_E06000039"),
            ),
            ("case.options[1].costs[1].year", None),
            ("case.options[0]", None),
        ];
        for (path, field) in cases {
            assert_eq!(
                field_for(path, (1, LineType::Cost, 0), &d).as_deref(),
                field,
                "{path}"
            );
        }
    }
}
