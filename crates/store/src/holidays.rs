//! Rebuilds the domain's holiday table from what is stored: the imported GOV.UK feed and the
//! instance's proclaimed holidays (records of kind [`PROCLAIMED_HOLIDAY_KIND`]).

use crate::records::RecordQuery;
use crate::{Result, Store, StoreError, StoredHoliday};
use accord_domain::access::ReadScope;
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

/// The holiday table: the statutory rules, overridden by the imported feed where it covers a
/// year, plus the instance's proclamations.
pub async fn holiday_table(store: &dyn Store) -> Result<HolidayTable> {
    let feed = feed_from_rows(&store.bank_holidays().await?)?;
    let mut table = HolidayTable::new().with_feed(&feed);
    // Proclamations are published, instance-wide records; read them as an administrator would.
    let scope = ReadScope {
        everything_but_personal: true,
        ..ReadScope::default()
    };
    let today = chrono::Utc::now().date_naive();
    let query = RecordQuery {
        kind: PROCLAIMED_HOLIDAY_KIND.to_owned(),
        ..RecordQuery::default()
    };
    for record in store.records(&query, &scope, today).await? {
        let holiday: ProclaimedHoliday = record.decode()?;
        table
            .add_proclaimed(holiday)
            .map_err(|e| StoreError::Corrupt(format!("proclaimed holiday {}: {e}", record.id)))?;
    }
    Ok(table)
}
