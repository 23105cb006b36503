//! Quarterly statistics per council in the government's FOI statistics categories:
//! outcomes by timeliness.

use super::{Outcome, Regime, Request, Timeliness};
use crate::{GssCode, Invalid};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// A calendar quarter, as the government's statistics use: "2025 Q1" is January to March.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct Quarter {
    /// The year.
    pub year: i32,
    /// 1 to 4.
    pub quarter: u8,
}

impl Quarter {
    /// The quarter a date falls in.
    pub fn of(date: NaiveDate) -> Quarter {
        let quarter = u8::try_from(date.month0() / 3 + 1).expect("1 to 4");
        Quarter {
            year: date.year(),
            quarter,
        }
    }
}

impl Quarter {
    /// The quarter's first day; `None` for a quarter that is not 1 to 4.
    pub fn first_day(self) -> Option<NaiveDate> {
        let month = u32::from(self.quarter.checked_sub(1)?) * 3 + 1;
        (self.quarter <= 4)
            .then(|| NaiveDate::from_ymd_opt(self.year, month, 1))
            .flatten()
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} Q{}", self.year, self.quarter)
    }
}

/// What the statistics need from one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatisticsRecord {
    /// The council it counts for: the lead council, or the receiving council until a lead
    /// is agreed.
    pub council: GssCode,
    /// The regime.
    pub regime: Regime,
    /// When it was received; the quarter comes from this.
    pub received: NaiveDate,
    /// The outcome, once there is one.
    pub outcome: Option<Outcome>,
    /// The timeliness, once answered.
    pub timeliness: Option<Timeliness>,
}

impl From<&Request> for StatisticsRecord {
    fn from(r: &Request) -> StatisticsRecord {
        StatisticsRecord {
            council: r.lead.clone().unwrap_or_else(|| r.received_by.clone()),
            regime: r.regime,
            received: r.received(),
            outcome: r.response.as_ref().map(|x| x.outcome),
            timeliness: r.response.as_ref().and_then(|x| x.timeliness),
        }
    }
}

/// One council's quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct QuarterStatistics {
    /// The council.
    pub council: GssCode,
    /// The quarter of receipt.
    pub quarter: Quarter,
    /// Requests received.
    pub received: u32,
    /// Still without an outcome.
    pub open: u32,
    /// By outcome.
    pub outcomes: BTreeMap<Outcome, u32>,
    /// By timeliness (answered requests only).
    pub timeliness: BTreeMap<Timeliness, u32>,
    /// By outcome and timeliness together.
    pub by_outcome_and_timeliness: BTreeMap<Outcome, BTreeMap<Timeliness, u32>>,
}

/// Aggregates requests per council per quarter of receipt. Subject access requests are
/// left out: the FOI statistics cover FOI and EIR requests (and FOISA in Scotland).
pub fn statistics<'a>(
    records: impl IntoIterator<Item = &'a StatisticsRecord>,
) -> Vec<QuarterStatistics> {
    statistics_counted(records.into_iter().map(|r| (r, 1)))
}

/// As [`statistics`], for records that stand for `n` requests each: what a database returns
/// when it has already counted the requests that share a council, regime, quarter, outcome and
/// timeliness.
pub fn statistics_counted<'a>(
    records: impl IntoIterator<Item = (&'a StatisticsRecord, u32)>,
) -> Vec<QuarterStatistics> {
    let mut by_key: BTreeMap<(GssCode, Quarter), QuarterStatistics> = BTreeMap::new();
    for (r, n) in records.into_iter().filter(|(r, _)| r.regime != Regime::Sar) {
        let quarter = Quarter::of(r.received);
        let entry = by_key
            .entry((r.council.clone(), quarter))
            .or_insert_with(|| QuarterStatistics {
                council: r.council.clone(),
                quarter,
                received: 0,
                open: 0,
                outcomes: Outcome::ALL.iter().map(|o| (*o, 0)).collect(),
                timeliness: Timeliness::ALL.iter().map(|t| (*t, 0)).collect(),
                by_outcome_and_timeliness: Outcome::ALL
                    .iter()
                    .filter(|o| !o.ended_unanswered())
                    .map(|o| (*o, Timeliness::ALL.iter().map(|t| (*t, 0)).collect()))
                    .collect(),
            });
        entry.received += n;
        let Some(outcome) = r.outcome else {
            entry.open += n;
            continue;
        };
        *entry.outcomes.entry(outcome).or_default() += n;
        if let Some(t) = r.timeliness.filter(|_| !outcome.ended_unanswered()) {
            *entry.timeliness.entry(t).or_default() += n;
            *entry
                .by_outcome_and_timeliness
                .entry(outcome)
                .or_default()
                .entry(t)
                .or_default() += n;
        }
    }
    by_key.into_values().collect()
}

fn slug<T: Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The statistics as CSV, one row per council and quarter: counts by outcome, by
/// timeliness, and by outcome and timeliness (`granted_in_full_in_time`, …).
pub fn statistics_csv(rows: &[QuarterStatistics]) -> Result<String, Invalid> {
    let mut header = vec![
        "council".to_owned(),
        "quarter".to_owned(),
        "received".to_owned(),
        "open".to_owned(),
    ];
    header.extend(Outcome::ALL.iter().map(slug));
    header.extend(Timeliness::ALL.iter().map(slug));
    let answered: Vec<Outcome> = Outcome::ALL
        .into_iter()
        .filter(|o| !o.ended_unanswered())
        .collect();
    for o in &answered {
        for t in Timeliness::ALL {
            header.push(format!("{}_{}", slug(o), slug(t)));
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Invalid::field("statistics", format!("cannot write CSV: {e}"));
    writer.write_record(&header).map_err(fail)?;
    for row in rows {
        let mut record = vec![
            row.council.to_string(),
            row.quarter.to_string(),
            row.received.to_string(),
            row.open.to_string(),
        ];
        record.extend(
            Outcome::ALL
                .iter()
                .map(|o| row.outcomes.get(o).copied().unwrap_or(0).to_string()),
        );
        record.extend(
            Timeliness::ALL
                .iter()
                .map(|t| row.timeliness.get(t).copied().unwrap_or(0).to_string()),
        );
        for o in &answered {
            for t in Timeliness::ALL {
                let n = row
                    .by_outcome_and_timeliness
                    .get(o)
                    .and_then(|m| m.get(&t))
                    .copied()
                    .unwrap_or(0);
                record.push(n.to_string());
            }
        }
        writer.write_record(&record).map_err(fail)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Invalid::field("statistics", format!("cannot write CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Invalid::field("statistics", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn aggregates_per_council_and_quarter() {
        let h = GssCode::parse("gss", "E09000014").unwrap();
        let w = GssCode::parse("gss", "E09000031").unwrap();
        let rec = |council: &GssCode, regime, received, outcome, timeliness| StatisticsRecord {
            council: council.clone(),
            regime,
            received,
            outcome,
            timeliness,
        };
        use Outcome::*;
        use Timeliness::*;
        let records = [
            rec(
                &h,
                Regime::Foi,
                d(2025, 1, 5),
                Some(GrantedInFull),
                Some(InTime),
            ),
            rec(
                &h,
                Regime::Eir,
                d(2025, 3, 31),
                Some(PartiallyWithheld),
                Some(WithinExtension),
            ),
            rec(
                &h,
                Regime::Foi,
                d(2025, 2, 1),
                Some(WithheldInFull),
                Some(Late),
            ),
            rec(&h, Regime::Foi, d(2025, 2, 2), Some(Withdrawn), None),
            rec(&h, Regime::Foi, d(2025, 2, 3), None, None),
            rec(
                &h,
                Regime::Sar,
                d(2025, 2, 3),
                Some(GrantedInFull),
                Some(InTime),
            ),
            rec(&h, Regime::Foi, d(2025, 4, 1), Some(NotHeld), Some(InTime)),
            rec(
                &w,
                Regime::Foi,
                d(2025, 1, 9),
                Some(GrantedInFull),
                Some(Late),
            ),
        ];
        let stats = statistics(&records);
        let summary: Vec<(String, String, u32, u32)> = stats
            .iter()
            .map(|s| {
                (
                    s.council.to_string(),
                    s.quarter.to_string(),
                    s.received,
                    s.open,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("E09000014".into(), "2025 Q1".into(), 5, 1),
                ("E09000014".into(), "2025 Q2".into(), 1, 0),
                ("E09000031".into(), "2025 Q1".into(), 1, 0),
            ]
        );
        let q1 = &stats[0];
        assert_eq!(q1.outcomes[&GrantedInFull], 1);
        assert_eq!(q1.outcomes[&Withdrawn], 1);
        assert_eq!(q1.timeliness[&Late], 1);
        assert_eq!(
            q1.by_outcome_and_timeliness[&PartiallyWithheld][&WithinExtension],
            1
        );

        let csv = statistics_csv(&stats).unwrap();
        let mut lines = csv.lines();
        let header = lines.next().unwrap();
        assert!(header.starts_with("council,quarter,received,open,granted_in_full,partially_withheld,withheld_in_full,not_held,lapsed,withdrawn,in_time,within_extension,late,granted_in_full_in_time,"));
        assert_eq!(header.split(',').count(), 13 + 12);
        assert_eq!(
            lines.next().unwrap(),
            "E09000014,2025 Q1,5,1,1,1,1,0,0,1,1,1,1,1,0,0,0,1,0,0,0,1,0,0,0"
        );
    }
}
