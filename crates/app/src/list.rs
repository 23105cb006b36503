//! Lists, one page at a time: how many items a page holds, where it starts, and what a listed
//! page returns (its items, how many match in all, and where the next page starts).
//!
//! The API pages with opaque cursors (keyset paging: a deep page costs what the first does);
//! pages for people are numbered, GOV.UK style. Both are answered by the database.

use accord_domain::Invalid;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Items on a page unless the caller asks for another number.
pub const DEFAULT_LIMIT: u32 = 100;
/// The most items one page may hold.
pub const MAX_LIMIT: u32 = 500;

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// Page `n` of the list, counting from 1.
    Page(u32),
    /// After the item a cursor names.
    After(String),
}

/// Which page of a list to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRequest {
    /// At most this many items.
    pub limit: u32,
    /// Where the page starts.
    pub start: Start,
}

impl Default for ListRequest {
    fn default() -> Self {
        ListRequest {
            limit: DEFAULT_LIMIT,
            start: Start::Page(1),
        }
    }
}

impl ListRequest {
    /// Page `n` (from 1) of `limit` items.
    pub fn page(n: u32, limit: u32) -> Self {
        ListRequest {
            limit,
            start: Start::Page(n.max(1)),
        }
    }

    /// Reads the API's `limit` and `cursor` query values for the list called `list`.
    pub fn from_query(list: &str, limit: &str, cursor: &str) -> Result<Self, Invalid> {
        let mut invalid = Invalid::new();
        let limit = match limit.trim() {
            "" => Some(DEFAULT_LIMIT),
            text => invalid.check(parse_limit(text)),
        };
        let start = match cursor.trim() {
            "" => Some(Start::Page(1)),
            text => invalid.check(decode_cursor(list, text)).map(Start::After),
        };
        invalid.into_result()?;
        Ok(ListRequest {
            limit: limit.unwrap_or(DEFAULT_LIMIT),
            start: start.unwrap_or(Start::Page(1)),
        })
    }

    /// How many items come before the page, for numbered pages.
    pub fn offset(&self) -> i64 {
        match &self.start {
            Start::Page(n) => i64::from(n.saturating_sub(1)) * i64::from(self.limit),
            Start::After(_) => 0,
        }
    }
}

/// Reads a page size: a whole number from 1 to [`MAX_LIMIT`].
pub fn parse_limit(text: &str) -> Result<u32, Invalid> {
    match text.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(Invalid::field(
            "limit",
            format!("“{text}” is not a page size: give a whole number from 1 to {MAX_LIMIT}"),
        )),
    }
}

/// The cursor for the page after the item whose sort key is `key`, in the list `list`.
pub fn encode_cursor(list: &str, key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}:{key}"))
}

/// The sort key a cursor of `list` carries; refused, naming the field, when it is not one.
pub fn decode_cursor(list: &str, cursor: &str) -> Result<String, Invalid> {
    let refused = || {
        Invalid::field(
            "cursor",
            "This is not a cursor of this list: follow the `next` link of the page before",
        )
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| refused())?;
    let text = String::from_utf8(bytes).map_err(|_| refused())?;
    text.strip_prefix(list)
        .and_then(|rest| rest.strip_prefix(':'))
        .map(str::to_owned)
        .ok_or_else(refused)
}

/// Where a list without a key of its own to continue from (a ranking, a list by name) starts:
/// the cursors of such lists name how many items came before the page.
pub fn offset_of(request: &ListRequest) -> Result<i64, Invalid> {
    match &request.start {
        Start::Page(_) => Ok(request.offset()),
        Start::After(key) => key.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            Invalid::field(
                "cursor",
                "The cursor is not one this list gave: start again from the first page",
            )
        }),
    }
}

/// A page of such a list from the `limit + 1` items read from `offset` (the one beyond the
/// page says there is a next), and the total.
pub fn offset_page<T>(
    list: &str,
    mut items: Vec<T>,
    offset: i64,
    request: &ListRequest,
    total: i64,
) -> Listed<T> {
    let limit = request.limit as usize;
    let more = items.len() > limit;
    items.truncate(limit);
    let next = more.then(|| encode_cursor(list, &(offset + i64::from(request.limit)).to_string()));
    Listed { items, total, next }
}

/// A page of a keyset-paged list from the `limit + 1` items read after the cursor's key (the
/// one beyond the page says there is a next, whose cursor names the page's last item by `key`),
/// and the total.
pub fn keyset_page<T>(
    list: &str,
    mut items: Vec<T>,
    request: &ListRequest,
    key: impl Fn(&T) -> String,
    total: i64,
) -> Listed<T> {
    let limit = request.limit as usize;
    let more = items.len() > limit;
    items.truncate(limit);
    let next = more
        .then(|| items.last().map(|item| encode_cursor(list, &key(item))))
        .flatten();
    Listed { items, total, next }
}

/// A page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: i64,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
}

impl<T> Listed<T> {
    /// How many numbered pages of `limit` the list fills (at least one).
    pub fn pages(&self, limit: u32) -> u32 {
        let limit = i64::from(limit.max(1));
        u32::try_from((self.total + limit - 1) / limit)
            .unwrap_or(u32::MAX)
            .max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_what_they_did_not_make() {
        let cursor = encode_cursor("raid", "42");
        assert_eq!(decode_cursor("raid", &cursor).unwrap(), "42");
        for bad in ["", "!!!", "cmFpZA", &encode_cursor("requests", "42")] {
            let error = decode_cursor("raid", bad).unwrap_err();
            assert_eq!(error.errors[0].field, "cursor", "{bad:?}");
        }
    }

    #[test]
    fn limits_are_whole_numbers_in_range() {
        let cases = [
            ("1", Some(1)),
            ("100", Some(100)),
            ("500", Some(500)),
            ("501", None),
            ("0", None),
            ("-1", None),
            ("ten", None),
            ("1.5", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_limit(text).ok(), expected, "{text}");
        }
    }

    #[test]
    fn a_request_names_every_bad_field_at_once() {
        let error = ListRequest::from_query("raid", "0", "nonsense").unwrap_err();
        let fields: Vec<&str> = error.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["limit", "cursor"]);
        let ok = ListRequest::from_query("raid", "", "").unwrap();
        assert_eq!(ok, ListRequest::default());
    }
}
