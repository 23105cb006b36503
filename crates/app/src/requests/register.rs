//! The register: a page of a partnership's requests, filtered, sorted and counted by the
//! database, and one request with everything its page shows.

use accord_domain::Invalid;
use accord_domain::access::Action;
use accord_domain::request::Stage;
use accord_store::requests::{RequestFilter, RequestPage, RequestSummary};
use chrono::NaiveDate;

use super::{RequestView, register_meta, view};
use crate::list::{ListRequest, Listed, Start, encode_cursor};
use crate::{App, AppError, Caller, Result};

/// The name of the register's cursors.
const LIST: &str = "requests";

/// The longest text a register search takes.
const TEXT_CHARS: usize = 200;

/// Reads the register's stage filter: every stage (blank or `all`), `open` for every open
/// request, or one stage by its name (`drafting`).
pub fn parse_stages(field: &str, text: &str) -> Result<Vec<Stage>, Invalid> {
    match text.trim() {
        "" | "all" => Ok(Vec::new()),
        "open" => Ok(Stage::open().collect()),
        text => Ok(vec![Stage::parse(field, text)?]),
    }
}

fn cursor_key(summary: &RequestSummary) -> String {
    let (date, number) = summary.sort_key();
    format!("{date}:{number}")
}

fn parse_key(key: &str) -> Result<(NaiveDate, u32), Invalid> {
    let refused = || {
        Invalid::field(
            "cursor",
            "This is not a cursor of this list: follow the `next` link of the page before",
        )
    };
    let (date, number) = key.split_once(':').ok_or_else(refused)?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| refused())?;
    let number = number.parse::<u32>().map_err(|_| refused())?;
    Ok((date, number))
}

/// A page of the partnership's register matching `filter`, by the date the response must go
/// by (the clock stopped last), with how many match in all: read and counted by the database
/// over what the caller may see.
pub async fn register(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    filter: &RequestFilter,
    request: &ListRequest,
) -> Result<Listed<RequestSummary>> {
    let today = app.today();
    caller.check(
        Action::Read,
        &register_meta(partnership_id, caller, Action::Read),
        today,
    )?;
    if filter
        .text
        .as_deref()
        .is_some_and(|t| t.chars().count() > TEXT_CHARS)
    {
        return Err(Invalid::field(
            "text",
            format!("Search for at most {TEXT_CHARS} characters"),
        )
        .into());
    }
    let after = match &request.start {
        Start::After(key) => Some(parse_key(key)?),
        Start::Page(_) => None,
    };
    let scope = caller.scope();
    let store = app.store();
    // One more than the page holds says whether there is a next page.
    let page = RequestPage {
        after,
        offset: request.offset(),
        limit: i64::from(request.limit) + 1,
    };
    let mut rows = store
        .request_summaries(partnership_id, filter, &page, &scope, today)
        .await?;
    let more = rows.len() > request.limit as usize;
    rows.truncate(request.limit as usize);
    let next = more
        .then(|| rows.last().map(|r| encode_cursor(LIST, &cursor_key(r))))
        .flatten();
    let total = store
        .count_requests(partnership_id, filter, &scope, today)
        .await?;
    Ok(Listed {
        items: rows,
        total,
        next,
    })
}

/// The request a reference names, with what the caller may see of its requester, review,
/// complaint and disclosure, and its deadlines counted with their working.
pub async fn request(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
) -> Result<RequestView> {
    let stored = app
        .store()
        .request(
            partnership_id,
            reference.trim(),
            &caller.scope(),
            app.today(),
        )
        .await?
        .ok_or_else(|| AppError::not_found(format!("request {reference}")))?;
    view(app, caller, stored).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_filters_read_all_open_or_one() {
        assert!(parse_stages("stage", "").unwrap().is_empty());
        assert!(parse_stages("stage", "all").unwrap().is_empty());
        assert_eq!(parse_stages("stage", "open").unwrap().len(), 8);
        assert_eq!(
            parse_stages("stage", "drafting").unwrap(),
            [Stage::Drafting]
        );
        assert_eq!(
            parse_stages("stage", "sideways").unwrap_err().errors[0].field,
            "stage"
        );
    }

    #[test]
    fn cursor_keys_round_trip_and_refuse_others() {
        assert_eq!(
            parse_key("2025-04-01:7").unwrap(),
            (NaiveDate::from_ymd_opt(2025, 4, 1).unwrap(), 7)
        );
        for bad in ["", "2025-04-01", "x:1", "2025-04-01:-1", "2025-13-01:1"] {
            assert_eq!(
                parse_key(bad).unwrap_err().errors[0].field,
                "cursor",
                "{bad}"
            );
        }
    }
}
