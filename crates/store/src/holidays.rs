//! Rebuilds the domain's holiday table from what is stored: the imported GOV.UK feed and the
//! instance's proclaimed holidays (records of kind [`PROCLAIMED_HOLIDAY_KIND`], in the
//! `proclaimed_holidays` table).

use crate::{Result, Store, StoreError, StoredHoliday};
use accord_domain::working_days::{
    Division, GovukFeed, Holiday, HolidaySource, HolidayTable, ProclaimedHoliday,
};
use std::collections::BTreeMap;

/// The record kind of a holiday proclaimed for this instance.
pub const PROCLAIMED_HOLIDAY_KIND: &str = "proclaimed_holiday";

/// The stored rows of an imported feed, back as a feed.
pub fn feed_from_rows(rows: &[StoredHoliday]) -> Result<GovukFeed> {
    let mut divisions: BTreeMap<Division, Vec<Holiday>> = BTreeMap::new();
    for row in rows {
        let division = Division::parse("division", &row.division)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        divisions.entry(division).or_default().push(Holiday {
            date: row.date,
            title: row.title.clone(),
            note: row.notes.clone(),
            bunting: row.bunting,
            source: HolidaySource::Feed,
        });
    }
    Ok(GovukFeed { divisions })
}

/// A feed as rows to store.
pub fn rows_from_feed(feed: &GovukFeed) -> Vec<StoredHoliday> {
    feed.divisions
        .iter()
        .flat_map(|(division, holidays)| {
            holidays.iter().map(move |h| StoredHoliday {
                division: division.slug().to_owned(),
                date: h.date,
                title: h.title.clone(),
                notes: h.note.clone(),
                bunting: h.bunting,
            })
        })
        .collect()
}

/// What the holiday table is built from, as stored: the imported feed's rows and the
/// proclamations, in a fixed order. Cheap to read and compare, so a caller can keep the
/// calendars it built and build them again only when these change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolidaySources {
    /// The imported GOV.UK feed, by division and date.
    pub feed: Vec<StoredHoliday>,
    /// The holidays proclaimed for this instance, by date.
    pub proclaimed: Vec<(i64, ProclaimedHoliday)>,
}

impl HolidaySources {
    /// The holiday table: the statutory rules, overridden by the imported feed where it covers
    /// a year, plus the instance's proclamations.
    pub fn table(&self) -> Result<HolidayTable> {
        let mut table = HolidayTable::new().with_feed(&feed_from_rows(&self.feed)?);
        for (id, holiday) in &self.proclaimed {
            table
                .add_proclaimed(holiday.clone())
                .map_err(|e| StoreError::Corrupt(format!("proclaimed holiday {id}: {e}")))?;
        }
        Ok(table)
    }
}

/// The holiday table as stored.
pub async fn holiday_table(store: &dyn Store) -> Result<HolidayTable> {
    store.holiday_sources().await?.table()
}
