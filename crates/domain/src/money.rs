//! Money as whole pence.
//!
//! Council budgets are accounted to the penny; floating point would lose pennies in sums, so
//! every stored or displayed amount is an `i64` count of pence. Engines that simulate (Monte
//! Carlo, apportionment) work in `f64` pounds and convert at the boundary with
//! [`Money::from_pounds_f64`], which rounds half away from zero.

use crate::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// An amount of money in whole pence (sterling). Serialised as an integer count of pence.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    /// Nothing.
    pub const ZERO: Money = Money(0);

    /// An amount of pence.
    pub const fn from_pence(pence: i64) -> Self {
        Money(pence)
    }

    /// A whole number of pounds. Saturates rather than overflowing.
    pub const fn from_pounds(pounds: i64) -> Self {
        Money(pounds.saturating_mul(100))
    }

    /// Pounds as a float, rounded to the nearest penny (half away from zero). `None` when the
    /// value is not finite or does not fit.
    pub fn from_pounds_f64(pounds: f64) -> Option<Self> {
        let pence = (pounds * 100.0).round();
        // i64::MAX as f64 rounds up to 2^63, so compare with a strict bound.
        if pence.is_finite() && pence.abs() < 9.2e18 {
            #[allow(clippy::cast_possible_truncation)]
            Some(Money(pence as i64))
        } else {
            None
        }
    }

    /// The amount in pence.
    pub const fn pence(self) -> i64 {
        self.0
    }

    /// The amount in pounds as a float, for numeric engines and charts.
    #[allow(clippy::cast_precision_loss)]
    pub fn pounds_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Whether the amount is below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Addition that reports overflow instead of wrapping.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// Parses an amount as officers write it: `£1,234.56`, `1234.5`, `-£75`, `£350k`, `£5m`.
    ///
    /// `field` names the input in the error.
    pub fn parse(field: &str, text: &str) -> Result<Money, Invalid> {
        let bad = || {
            Invalid::field(
                field,
                format!("“{text}” is not an amount of money; write it like £1,234.56"),
            )
        };
        let mut s = text.trim();
        let negative = if let Some(rest) = s.strip_prefix(['-', '−']) {
            s = rest.trim_start();
            true
        } else {
            false
        };
        s = s.strip_prefix('£').unwrap_or(s).trim();
        // Suffixes as in "£350k", "£5m", "£0.5bn". ASCII lowercasing keeps byte offsets.
        let lower = s.to_ascii_lowercase();
        let (number, scale) = [("bn", 1_000_000_000), ("k", 1_000), ("m", 1_000_000)]
            .into_iter()
            .find(|(suffix, _)| lower.ends_with(suffix))
            .map_or((s, 1), |(suffix, scale)| {
                (&s[..s.len() - suffix.len()], scale)
            });
        let number: String = number.trim().chars().filter(|c| *c != ',').collect();
        if number.is_empty() {
            return Err(bad());
        }
        let (whole, fraction) = match number.split_once('.') {
            Some((w, f)) => (w, f),
            None => (number.as_str(), ""),
        };
        if whole.is_empty() && fraction.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !fraction.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        // Work in a fixed-point count of 1/10^k pounds, then scale to pence exactly.
        let whole: i128 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad())?
        };
        let digits = fraction.len();
        if digits > 9 {
            return Err(bad());
        }
        let frac: i128 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().map_err(|_| bad())?
        };
        let denom = 10_i128.pow(u32::try_from(digits).map_err(|_| bad())?);
        let scaled = (whole * denom + frac) * scale * 100;
        if scaled % denom != 0 {
            return Err(Invalid::field(
                field,
                format!("“{text}” has fractions of a penny; give at most two decimal places"),
            ));
        }
        let pence = i64::try_from(scaled / denom)
            .map_err(|_| Invalid::field(field, format!("“{text}” is too large an amount")))?;
        Ok(Money(if negative { -pence } else { pence }))
    }

    /// Formats rounded to whole pounds, as committee reports do: `£100,000`.
    pub fn whole_pounds(self) -> String {
        let pounds = (self.0.unsigned_abs() + 50) / 100;
        format!(
            "{}£{}",
            if self.0 < 0 { "-" } else { "" },
            group_thousands(pounds)
        )
    }
}

/// Writes `1234567` as `1,234,567`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Money {
    /// `£1,234.56`, `-£0.05`: always two decimal places, as in a finance report.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}£{}.{:02}", group_thousands(abs / 100), abs % 100)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0.saturating_sub(rhs.0))
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        *self = *self - rhs;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(self.0.saturating_neg())
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_as_sterling() {
        let cases = [
            (0, "£0.00", "£0"),
            (5, "£0.05", "£0"),
            (-5, "-£0.05", "-£0"),
            (10_000_000, "£100,000.00", "£100,000"),
            (123_456_789, "£1,234,567.89", "£1,234,568"),
            (-7_500_000, "-£75,000.00", "-£75,000"),
        ];
        for (pence, full, whole) in cases {
            let m = Money::from_pence(pence);
            assert_eq!(m.to_string(), full, "{pence}");
            assert_eq!(m.whole_pounds(), whole, "{pence}");
        }
    }

    #[test]
    fn parses_what_officers_write() {
        let cases = [
            ("£1,234.56", 123_456),
            ("1234.5", 123_450),
            ("  £100,000 ", 10_000_000),
            ("-£75", -7_500),
            ("−£75", -7_500),
            ("£350k", 35_000_000),
            ("£5m", 500_000_000),
            ("£0.5bn", 50_000_000_000),
            ("£1.25m", 125_000_000),
            (".5", 50),
        ];
        for (text, pence) in cases {
            assert_eq!(
                Money::parse("amount", text),
                Ok(Money::from_pence(pence)),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_money() {
        for text in ["", "£", "abc", "1.2.3", "£1.234", "12e3", "£-5", "1,0x"] {
            let err = Money::parse("amount", text).unwrap_err();
            assert_eq!(err.errors[0].field, "amount", "{text}");
        }
    }

    #[test]
    fn float_conversion_rounds_to_the_penny() {
        assert_eq!(
            Money::from_pounds_f64(631_661.004),
            Some(Money::from_pence(63_166_100))
        );
        assert_eq!(Money::from_pounds_f64(-0.005), Some(Money::from_pence(-1)));
        assert_eq!(Money::from_pounds_f64(f64::NAN), None);
        assert_eq!(Money::from_pounds_f64(1e30), None);
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(pence in -1_000_000_000_000_i64..1_000_000_000_000) {
            let m = Money::from_pence(pence);
            prop_assert_eq!(Money::parse("x", &m.to_string()), Ok(m));
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,24}") {
            let _ = Money::parse("x", &text);
        }
    }
}
