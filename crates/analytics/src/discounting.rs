//! HM Treasury Green Book discounting.
//!
//! The Green Book's real discount rate falls with the horizon: 3.5% a year for years 0–30,
//! 3.0% for 31–75, 2.5% for 76–125, 2.0% for 126–200, 1.5% for 201–300 and 1.0% beyond. The
//! discount factor of year `t` is the product of the yearly factors up to `t`, so year 31
//! compounds at 3.0% on the year-30 factor rather than restarting: `DF(31) = DF(30) / 1.03`.
//! Year 0 is the base year and is not discounted.
//!
//! Amounts are in real base-year prices: inflation is already taken out, which is why the
//! rate is a *real* rate.

use accord_domain::Invalid;
use serde::{Deserialize, Serialize};

/// One band of a discount schedule: `rate` applies to every year from `from_year` until the
/// next band starts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct RateBand {
    /// The first year (counted from the base year, which is year 0) the rate applies to.
    pub from_year: u32,
    /// The real annual rate, as a fraction (0.035 for 3.5%).
    pub rate: f64,
}

/// A schedule of real discount rates by year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct DiscountSchedule {
    bands: Vec<RateBand>,
}

/// The Green Book's standard schedule (Table 8 of the Green Book).
const GREEN_BOOK_BANDS: [RateBand; 6] = [
    RateBand {
        from_year: 0,
        rate: 0.035,
    },
    RateBand {
        from_year: 31,
        rate: 0.030,
    },
    RateBand {
        from_year: 76,
        rate: 0.025,
    },
    RateBand {
        from_year: 126,
        rate: 0.020,
    },
    RateBand {
        from_year: 201,
        rate: 0.015,
    },
    RateBand {
        from_year: 301,
        rate: 0.010,
    },
];

impl Default for DiscountSchedule {
    fn default() -> Self {
        Self::green_book()
    }
}

impl DiscountSchedule {
    /// The HM Treasury Green Book schedule: 3.5% for years 0–30, 3.0% for 31–75, then
    /// 2.5%, 2.0%, 1.5% and 1.0% for the longer bands.
    pub fn green_book() -> Self {
        DiscountSchedule {
            bands: GREEN_BOOK_BANDS.to_vec(),
        }
    }

    /// One rate for every year, for sensitivity tests against a flat rate.
    pub fn flat(field: &str, rate: f64) -> Result<Self, Invalid> {
        Self::from_bands(field, vec![RateBand { from_year: 0, rate }])
    }

    /// A schedule from bands. The first band must start at year 0, bands must be in
    /// increasing order of `from_year`, and each rate must be finite and above −100%.
    pub fn from_bands(field: &str, bands: Vec<RateBand>) -> Result<Self, Invalid> {
        let mut invalid = Invalid::new();
        if bands.first().map(|b| b.from_year) != Some(0) {
            invalid.push(field, "the first band must start at year 0");
        }
        for (i, pair) in bands.windows(2).enumerate() {
            if pair[1].from_year <= pair[0].from_year {
                invalid.push(
                    format!("{field}[{}].from_year", i + 1),
                    "bands must be in increasing order of from_year",
                );
            }
        }
        for (i, band) in bands.iter().enumerate() {
            if !band.rate.is_finite() || band.rate <= -1.0 || band.rate > 1.0 {
                invalid.push(
                    format!("{field}[{i}].rate"),
                    format!(
                        "{} is not a usable annual rate; give a fraction such as 0.035",
                        band.rate
                    ),
                );
            }
        }
        invalid.into_result()?;
        Ok(DiscountSchedule { bands })
    }

    /// The bands, first to last.
    pub fn bands(&self) -> &[RateBand] {
        &self.bands
    }

    /// The rate that discounts year `year` back to year `year - 1`.
    pub fn rate_for_year(&self, year: u32) -> f64 {
        self.bands
            .iter()
            .take_while(|b| b.from_year <= year)
            .last()
            .map_or(0.0, |b| b.rate)
    }

    /// Discount factors for years `0..=last_year`: `factors[t]` is the present value of £1
    /// in year `t`. Computed as a running product, so each factor compounds on the one
    /// before it.
    pub fn factors(&self, last_year: u32) -> Vec<f64> {
        let mut factors = Vec::with_capacity(last_year as usize + 1);
        let mut factor = 1.0;
        factors.push(factor);
        for year in 1..=last_year {
            factor /= 1.0 + self.rate_for_year(year);
            factors.push(factor);
        }
        factors
    }

    /// The discount factor of a single year.
    pub fn factor(&self, year: u32) -> f64 {
        self.factors(year)[year as usize]
    }
}

/// The present value of a stream of yearly amounts, `amounts[t]` falling in year `t`.
/// Amounts beyond the end of `factors` are ignored (they fall outside the appraisal period).
pub fn present_value(amounts: &[f64], factors: &[f64]) -> f64 {
    amounts.iter().zip(factors).map(|(a, f)| a * f).sum()
}

/// Cumulative discount factors: `cumulative[t]` is the sum of `factors[0..=t]`, so the
/// present value of £1 a year for years `a..=b` is `cumulative[b] - cumulative[a - 1]`.
/// Monte Carlo engines use it to price a recurring line in constant time.
pub fn cumulative(factors: &[f64]) -> Vec<f64> {
    let mut total = 0.0;
    factors
        .iter()
        .map(|f| {
            total += f;
            total
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn green_book_factors_match_hand_computed_table() {
        // Hand-computed: 1/1.035^t for t <= 30; for t > 30, (1/1.035^30) / 1.03^(t-30).
        let df30 = 1.0 / 1.035_f64.powi(30);
        let cases: [(u32, f64); 10] = [
            (0, 1.0),
            (1, 0.966_183_574_879_227),
            (2, 0.933_510_700_366_403),
            (5, 0.841_973_166_858_524),
            (10, 0.708_918_813_709_772),
            (30, 0.356_278_410_602_302),
            (31, df30 / 1.03),
            (40, df30 / 1.03_f64.powi(10)),
            (75, df30 / 1.03_f64.powi(45)),
            (76, df30 / 1.03_f64.powi(45) / 1.025),
        ];
        let schedule = DiscountSchedule::green_book();
        let factors = schedule.factors(80);
        for (year, expected) in cases {
            assert!(
                close(factors[year as usize], expected, 1e-12),
                "year {year}: {} vs {expected}",
                factors[year as usize]
            );
            assert!(close(schedule.factor(year), expected, 1e-12), "year {year}");
        }
    }

    #[test]
    fn rates_by_band() {
        let cases = [
            (0, 0.035),
            (1, 0.035),
            (30, 0.035),
            (31, 0.030),
            (75, 0.030),
            (76, 0.025),
            (125, 0.025),
            (126, 0.020),
            (201, 0.015),
            (301, 0.010),
            (1000, 0.010),
        ];
        let schedule = DiscountSchedule::green_book();
        for (year, rate) in cases {
            assert!(
                close(schedule.rate_for_year(year), rate, 0.0),
                "year {year}"
            );
        }
    }

    #[test]
    fn annuity_of_ten_years_at_three_and_a_half_percent() {
        // Σ_{t=1..10} 1.035^-t = (1 - 1.035^-10) / 0.035 = 8.316 605 323 ...
        let factors = DiscountSchedule::green_book().factors(10);
        let cumulative = cumulative(&factors);
        let annuity = cumulative[10] - cumulative[0];
        assert!(close(annuity, 8.316_605_322_577_958, 1e-12), "{annuity}");
        let mut amounts = vec![100_000.0; 11];
        amounts[0] = -200_000.0;
        let npv = present_value(&amounts, &factors);
        assert!(close(npv, 631_660.532_257_796, 1e-6), "{npv}");
    }

    #[test]
    fn flat_schedule_and_refusals() {
        let flat = DiscountSchedule::flat("rate", 0.05).unwrap();
        assert!(close(flat.factor(3), 1.0 / 1.05_f64.powi(3), 1e-15));
        let cases = [
            (
                vec![RateBand {
                    from_year: 1,
                    rate: 0.03,
                }],
                "rate",
            ),
            (
                vec![
                    RateBand {
                        from_year: 0,
                        rate: 0.03,
                    },
                    RateBand {
                        from_year: 0,
                        rate: 0.02,
                    },
                ],
                "rate[1].from_year",
            ),
            (
                vec![RateBand {
                    from_year: 0,
                    rate: f64::NAN,
                }],
                "rate[0].rate",
            ),
            (
                vec![RateBand {
                    from_year: 0,
                    rate: -1.0,
                }],
                "rate[0].rate",
            ),
        ];
        for (bands, field) in cases {
            let err = DiscountSchedule::from_bands("rate", bands).unwrap_err();
            assert_eq!(err.errors[0].field, field);
        }
    }
}
