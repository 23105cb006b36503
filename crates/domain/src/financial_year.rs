//! Local-government financial years: 1 April to 31 March, written "2011/12".

use crate::Invalid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A financial year, identified by the calendar year in which it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FinancialYear {
    start_year: i32,
}

impl FinancialYear {
    /// The financial year starting on 1 April of `start_year`. Years outside 1900..=2199 are
    /// refused: no council record predates or outlives that range.
    pub fn starting(start_year: i32) -> Result<Self, Invalid> {
        if (1900..=2199).contains(&start_year) {
            Ok(FinancialYear { start_year })
        } else {
            Err(Invalid::field(
                "financial_year",
                format!("{start_year} is outside the years Accord handles (1900 to 2199)"),
            ))
        }
    }

    /// The financial year a date falls in.
    pub fn containing(date: NaiveDate) -> Self {
        let start_year = if date.month() >= 4 {
            date.year()
        } else {
            date.year() - 1
        };
        FinancialYear { start_year }
    }

    /// Parses "2011/12" (also "2011-12", "2011–12", "2011/2012"). `field` names the input in
    /// the error.
    pub fn parse(field: &str, text: &str) -> Result<Self, Invalid> {
        let bad = || {
            Invalid::field(
                field,
                format!("“{text}” is not a financial year; write it like 2011/12"),
            )
        };
        let t = text.trim();
        let (first, second) = t.split_once(['/', '-', '–']).ok_or_else(bad)?;
        if first.len() != 4 || !first.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let start: i32 = first.parse().map_err(|_| bad())?;
        let end_ok = match second.len() {
            2 => second.parse::<i32>().ok() == Some((start + 1) % 100),
            4 => second.parse::<i32>().ok() == Some(start + 1),
            _ => false,
        };
        if !end_ok || !second.chars().all(|c| c.is_ascii_digit()) {
            return Err(Invalid::field(
                field,
                format!(
                    "“{text}” does not run into the next year; the year starting in {start} is {}",
                    FinancialYear { start_year: start }
                ),
            ));
        }
        FinancialYear::starting(start).map_err(|e| e.renamed(field))
    }

    /// The calendar year in which this financial year starts.
    pub const fn start_year(self) -> i32 {
        self.start_year
    }

    /// 1 April.
    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.start_year, 4, 1).expect("1 April exists in every year")
    }

    /// 31 March of the next calendar year.
    pub fn end(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.start_year + 1, 3, 31).expect("31 March exists in every year")
    }

    /// Whether a date falls within this year.
    pub fn contains(self, date: NaiveDate) -> bool {
        Self::containing(date) == self
    }

    /// The following financial year.
    #[must_use]
    pub const fn next(self) -> Self {
        FinancialYear {
            start_year: self.start_year + 1,
        }
    }

    /// The years from `self` to `last` inclusive (empty when `last` is earlier).
    pub fn through(self, last: FinancialYear) -> impl Iterator<Item = FinancialYear> {
        (self.start_year..=last.start_year).map(|start_year| FinancialYear { start_year })
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{:02}",
            self.start_year,
            (self.start_year + 1).rem_euclid(100)
        )
    }
}

impl Serialize for FinancialYear {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FinancialYear {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        FinancialYear::parse("financial_year", &text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn year_boundaries_are_1_april_and_31_march() {
        let cases = [
            (d(2011, 3, 31), "2010/11"),
            (d(2011, 4, 1), "2011/12"),
            (d(2012, 3, 31), "2011/12"),
            (d(1999, 6, 1), "1999/00"),
            (d(2000, 1, 1), "1999/00"),
        ];
        for (date, expected) in cases {
            assert_eq!(
                FinancialYear::containing(date).to_string(),
                expected,
                "{date}"
            );
        }
        let fy = FinancialYear::parse("fy", "2011/12").unwrap();
        assert_eq!((fy.start(), fy.end()), (d(2011, 4, 1), d(2012, 3, 31)));
    }

    #[test]
    fn parses_the_ways_years_are_written() {
        for text in ["2011/12", "2011-12", "2011–12", "2011/2012", " 2013-14 "] {
            assert!(FinancialYear::parse("fy", text).is_ok(), "{text}");
        }
        assert_eq!(
            FinancialYear::parse("fy", "1999/00").unwrap().start_year(),
            1999
        );
    }

    #[test]
    fn refuses_years_that_do_not_run_on() {
        for text in [
            "2011/13",
            "2011",
            "11/12",
            "2011/1",
            "abcd/ef",
            "2011/2013",
            "3000/01",
        ] {
            let err = FinancialYear::parse("fy", text).unwrap_err();
            assert_eq!(err.errors[0].field, "fy", "{text}");
        }
    }

    #[test]
    fn serde_uses_the_written_form() {
        let fy = FinancialYear::parse("fy", "2012/13").unwrap();
        assert_eq!(serde_json::to_string(&fy).unwrap(), "\"2012/13\"");
        let back: FinancialYear = serde_json::from_str("\"2012/13\"").unwrap();
        assert_eq!(back, fy);
    }
}
