//! The holiday table: computed rules, an imported feed and an instance's own additions,
//! combined with a clear precedence.

use super::{
    Calendar, CalendarScope, Division, FIRST_YEAR, GovukFeed, Holiday, HolidaySource, LAST_YEAR,
    check_in_range, rules,
};
use crate::Invalid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A bank holiday proclaimed after the last feed import, added by the instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ProclaimedHoliday {
    /// The day of the holiday.
    pub date: NaiveDate,
    /// Its title, as the proclamation names it.
    pub title: String,
    /// The divisions it applies to.
    pub divisions: Vec<Division>,
    /// When the proclamation moves an existing holiday, the date it moves it from; that date
    /// stops being a holiday in these divisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<NaiveDate>,
}

impl ProclaimedHoliday {
    /// Checks the addition before it is stored.
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        invalid.check(check_in_range("date", self.date));
        if self.title.trim().is_empty() {
            invalid.push("title", "must not be empty");
        }
        if self.divisions.is_empty() {
            invalid.push("divisions", "name at least one division");
        }
        let mut seen = 0u8;
        for d in &self.divisions {
            if seen & d.bit() != 0 {
                invalid.push("divisions", format!("{d} is named twice"));
            }
            seen |= d.bit();
        }
        if let Some(replaced) = self.replaces {
            invalid.check(check_in_range("replaces", replaced));
            if replaced == self.date {
                invalid.push("replaces", "a holiday cannot replace itself");
            }
        }
        invalid.into_result()
    }
}

/// Which source a division's year comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YearSource {
    /// The computed rules.
    Rules,
    /// The imported GOV.UK feed.
    Feed,
}

/// A date on which an imported feed and the rules disagree, for the import's report and the
/// audit. A feed older than a proclamation lacks it; a feed newer than Accord's rules has
/// proclamations Accord does not yet know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct Discrepancy {
    /// The division.
    pub division: Division,
    /// The date.
    pub date: NaiveDate,
    /// The feed's holiday on that date, if it has one.
    pub feed: Option<String>,
    /// The rules' holiday on that date, if they have one.
    pub rules: Option<String>,
}

/// One holiday added to or removed from a division by a change of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct HolidayChange {
    /// The division.
    pub division: Division,
    /// The date.
    pub date: NaiveDate,
    /// The holiday's title.
    pub title: String,
    /// Added (true) or removed (false).
    pub added: bool,
}

/// Every bank holiday Accord knows, from three sources. Precedence, lowest first: the
/// computed rules; an imported feed, for each (division, year) it covers; the instance's
/// proclaimed additions. Build a [`Calendar`] from it to count working days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolidayTable {
    imported: BTreeMap<(Division, i32), Vec<Holiday>>,
    proclaimed: Vec<ProclaimedHoliday>,
}

impl HolidayTable {
    /// The rules alone, with no feed and no additions.
    pub fn new() -> HolidayTable {
        HolidayTable::default()
    }

    /// Imports a feed: for every (division, year) it covers, its holidays replace whatever
    /// came before (the rules, or an earlier import).
    pub fn import_feed(&mut self, feed: &GovukFeed) {
        let mut incoming: BTreeMap<(Division, i32), Vec<Holiday>> = BTreeMap::new();
        for (division, holidays) in &feed.divisions {
            for holiday in holidays {
                incoming
                    .entry((*division, holiday.date.year()))
                    .or_default()
                    .push(holiday.clone());
            }
        }
        for (key, mut holidays) in incoming {
            holidays.sort_by_key(|h| h.date);
            self.imported.insert(key, holidays);
        }
    }

    /// The table with a feed imported.
    #[must_use]
    pub fn with_feed(mut self, feed: &GovukFeed) -> HolidayTable {
        self.import_feed(feed);
        self
    }

    /// Adds a proclaimed holiday. Refused, changing nothing, when it is invalid or the same
    /// date is already proclaimed for one of its divisions.
    pub fn add_proclaimed(&mut self, holiday: ProclaimedHoliday) -> Result<(), Invalid> {
        holiday.validate()?;
        if let Some(existing) = self.proclaimed.iter().find(|p| {
            p.date == holiday.date && p.divisions.iter().any(|d| holiday.divisions.contains(d))
        }) {
            return Err(Invalid::field(
                "date",
                format!(
                    "{} is already proclaimed as “{}”",
                    holiday.date, existing.title
                ),
            ));
        }
        self.proclaimed.push(holiday);
        self.proclaimed.sort_by_key(|p| p.date);
        Ok(())
    }

    /// The imported holidays as one feed, for storing and exporting; import it into a new
    /// table to rebuild this one.
    pub fn imported_feed(&self) -> GovukFeed {
        let mut feed = GovukFeed::default();
        for ((division, _), holidays) in &self.imported {
            feed.divisions
                .entry(*division)
                .or_default()
                .extend(holidays.iter().cloned());
        }
        feed
    }

    /// What changed from `before` to this table, holiday by holiday, over the calendar's
    /// years: for the audit entry written when the table changes.
    pub fn changes_from(&self, before: &HolidayTable) -> Vec<HolidayChange> {
        let mut changes = Vec::new();
        for year in FIRST_YEAR..=LAST_YEAR + 1 {
            for division in Division::ALL {
                let old = before.holidays(division, year);
                let new = self.holidays(division, year);
                if old == new {
                    continue;
                }
                for h in &old {
                    if !new.iter().any(|n| n.date == h.date && n.title == h.title) {
                        changes.push(HolidayChange {
                            division,
                            date: h.date,
                            title: h.label(),
                            added: false,
                        });
                    }
                }
                for h in &new {
                    if !old.iter().any(|o| o.date == h.date && o.title == h.title) {
                        changes.push(HolidayChange {
                            division,
                            date: h.date,
                            title: h.label(),
                            added: true,
                        });
                    }
                }
            }
        }
        changes.sort_by_key(|c| (c.date, c.division, c.added));
        changes
    }

    /// The instance's proclaimed additions, by date.
    pub fn proclaimed(&self) -> &[ProclaimedHoliday] {
        &self.proclaimed
    }

    /// Where a division's holidays for a year come from.
    pub fn year_source(&self, division: Division, year: i32) -> YearSource {
        if self.imported.contains_key(&(division, year)) {
            YearSource::Feed
        } else {
            YearSource::Rules
        }
    }

    /// The bank holidays of one division in one year, by date, after precedence.
    pub fn holidays(&self, division: Division, year: i32) -> Vec<Holiday> {
        let mut holidays = match self.imported.get(&(division, year)) {
            Some(imported) => imported.clone(),
            None => rules::computed_holidays(division, year),
        };
        for p in self
            .proclaimed
            .iter()
            .filter(|p| p.divisions.contains(&division))
        {
            if let Some(replaced) = p.replaces {
                holidays.retain(|h| h.date != replaced);
            }
            if p.date.year() == year {
                holidays.retain(|h| h.date != p.date);
                holidays.push(Holiday {
                    date: p.date,
                    title: p.title.trim().to_owned(),
                    note: String::new(),
                    bunting: true,
                    source: HolidaySource::Proclaimed,
                });
            }
        }
        holidays.sort_by_key(|h| h.date);
        holidays
    }

    /// Where the imported feed disagrees with the rules, by division and date.
    pub fn discrepancies(&self) -> Vec<Discrepancy> {
        let mut out = Vec::new();
        for ((division, year), imported) in &self.imported {
            let computed = rules::computed_holidays(*division, *year);
            let mut dates: Vec<NaiveDate> =
                imported.iter().chain(&computed).map(|h| h.date).collect();
            dates.sort_unstable();
            dates.dedup();
            for date in dates {
                let feed = imported.iter().find(|h| h.date == date);
                let rule = computed.iter().find(|h| h.date == date);
                if feed.is_none() || rule.is_none() {
                    out.push(Discrepancy {
                        division: *division,
                        date,
                        feed: feed.map(Holiday::label),
                        rules: rule.map(Holiday::label),
                    });
                }
            }
        }
        out
    }

    /// Builds the working-day calendar for a scope. Covers 1 January [`FIRST_YEAR`] to
    /// 31 December of the year after [`LAST_YEAR`].
    pub fn calendar(&self, scope: CalendarScope) -> Calendar {
        let mut holidays: Vec<(Division, Holiday)> = Vec::new();
        for year in FIRST_YEAR..=LAST_YEAR + 1 {
            for division in scope.divisions() {
                holidays.extend(
                    self.holidays(*division, year)
                        .into_iter()
                        .map(|h| (*division, h)),
                );
            }
        }
        Calendar::build(scope, &holidays)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn precedence_rules_then_feed_then_proclaimed() {
        let feed = super::super::parse_govuk_feed(
            r#"{"scotland": {"division": "scotland", "events": [
                {"title": "Only day", "date": "2030-03-04", "notes": "", "bunting": true}]}}"#,
        )
        .unwrap();
        let mut table = HolidayTable::new().with_feed(&feed);
        assert_eq!(
            table.year_source(Division::Scotland, 2030),
            YearSource::Feed
        );
        assert_eq!(
            table.year_source(Division::Scotland, 2031),
            YearSource::Rules
        );
        assert_eq!(
            table.year_source(Division::EnglandAndWales, 2030),
            YearSource::Rules
        );
        let scot = table.holidays(Division::Scotland, 2030);
        assert_eq!(scot.len(), 1);
        assert_eq!(scot[0].source, HolidaySource::Feed);
        assert_eq!(table.holidays(Division::Scotland, 2031).len(), 9);
        let before = table.clone();

        table
            .add_proclaimed(ProclaimedHoliday {
                date: d(2031, 6, 6),
                title: "Royal event".into(),
                divisions: vec![Division::Scotland, Division::NorthernIreland],
                replaces: Some(d(2031, 5, 26)),
            })
            .unwrap();
        let scot: Vec<NaiveDate> = table
            .holidays(Division::Scotland, 2031)
            .iter()
            .map(|h| h.date)
            .collect();
        assert!(scot.contains(&d(2031, 6, 6)));
        assert!(!scot.contains(&d(2031, 5, 26)), "the moved spring holiday");
        let ew: Vec<NaiveDate> = table
            .holidays(Division::EnglandAndWales, 2031)
            .iter()
            .map(|h| h.date)
            .collect();
        assert!(!ew.contains(&d(2031, 6, 6)));
        assert!(ew.contains(&d(2031, 5, 26)));

        // The audit sees exactly what the proclamation changed.
        let changes: Vec<(Division, NaiveDate, bool)> = table
            .changes_from(&before)
            .into_iter()
            .map(|c| (c.division, c.date, c.added))
            .collect();
        assert_eq!(
            changes,
            vec![
                (Division::Scotland, d(2031, 5, 26), false),
                (Division::NorthernIreland, d(2031, 5, 26), false),
                (Division::Scotland, d(2031, 6, 6), true),
                (Division::NorthernIreland, d(2031, 6, 6), true),
            ]
        );
        // Storing the imported feed and importing it again rebuilds the same table.
        let rebuilt = HolidayTable::new().with_feed(&table.imported_feed());
        assert_eq!(
            rebuilt.holidays(Division::Scotland, 2030),
            before.holidays(Division::Scotland, 2030)
        );
    }

    #[test]
    fn refuses_bad_proclamations_and_changes_nothing() {
        let mut table = HolidayTable::new();
        let good = ProclaimedHoliday {
            date: d(2030, 7, 1),
            title: "Event".into(),
            divisions: vec![Division::EnglandAndWales],
            replaces: None,
        };
        table.add_proclaimed(good.clone()).unwrap();
        let before = table.clone();
        let cases = [
            (
                ProclaimedHoliday {
                    title: " ".into(),
                    ..good.clone()
                },
                "title",
            ),
            (
                ProclaimedHoliday {
                    divisions: vec![],
                    ..good.clone()
                },
                "divisions",
            ),
            (
                ProclaimedHoliday {
                    divisions: vec![Division::Scotland, Division::Scotland],
                    ..good.clone()
                },
                "divisions",
            ),
            (
                ProclaimedHoliday {
                    date: d(2101, 1, 5),
                    ..good.clone()
                },
                "date",
            ),
            (
                ProclaimedHoliday {
                    replaces: Some(d(2030, 7, 1)),
                    ..good.clone()
                },
                "replaces",
            ),
            (good.clone(), "date"),
        ];
        for (holiday, field) in cases {
            let err = table.add_proclaimed(holiday).unwrap_err();
            assert_eq!(err.errors[0].field, field);
            assert_eq!(table, before);
        }
    }
}
