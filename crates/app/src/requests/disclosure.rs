//! The public disclosure log: responses that released information, newest first, one page at
//! a time.

use accord_domain::Invalid;
use accord_domain::access::Action;
use accord_store::requests::{DisclosurePage, StoredDisclosure};
use chrono::NaiveDate;

use super::register_meta;
use crate::list::{ListRequest, Listed, Start, encode_cursor};
use crate::{App, Caller, Result};

/// The name of the disclosure log's cursors.
const LIST: &str = "disclosure-log";

/// An entry of the disclosure log with its record id.
pub type DisclosureEntry = StoredDisclosure;

fn parse_key(key: &str) -> Result<(NaiveDate, i64), Invalid> {
    let refused = || {
        Invalid::field(
            "cursor",
            "This is not a cursor of this list: follow the `next` link of the page before",
        )
    };
    let (date, id) = key.split_once(':').ok_or_else(refused)?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| refused())?;
    Ok((date, id.parse::<i64>().map_err(|_| refused())?))
}

/// A page of the partnership's disclosure log the caller may read, newest answer first, with
/// how many entries it holds: read and counted by the database.
pub async fn disclosure_log(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    request: &ListRequest,
) -> Result<Listed<DisclosureEntry>> {
    let today = app.today();
    caller.check(
        Action::Read,
        &register_meta(partnership_id, caller, Action::Read),
        today,
    )?;
    let before = match &request.start {
        Start::After(key) => Some(parse_key(key)?),
        Start::Page(_) => None,
    };
    let scope = caller.scope();
    let store = app.store();
    let page = DisclosurePage {
        before,
        offset: request.offset(),
        limit: i64::from(request.limit) + 1,
    };
    let mut items = store
        .disclosures(partnership_id, &page, &scope, today)
        .await?;
    let more = items.len() > request.limit as usize;
    items.truncate(request.limit as usize);
    let next = more
        .then(|| {
            items.last().map(|e| {
                let (date, id) = e.sort_key();
                encode_cursor(LIST, &format!("{date}:{id}"))
            })
        })
        .flatten();
    let total = store
        .count_disclosures(partnership_id, &scope, today)
        .await?;
    Ok(Listed { items, total, next })
}
