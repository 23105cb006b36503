//! The GOV.UK bank-holidays feed: `{division: {division, events: [{title, date, notes,
//! bunting}]}}`, as published at gov.uk/bank-holidays.json.

use super::{Division, Holiday, HolidaySource, check_in_range};
use crate::{Invalid, authority::parse_date};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// A parsed feed: each division's holidays, in the feed's order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GovukFeed {
    /// The holidays of each division the feed lists.
    pub divisions: BTreeMap<Division, Vec<Holiday>>,
}

impl GovukFeed {
    /// The (division, year) pairs the feed covers: those with at least one event. The feed
    /// replaces the computed rules for exactly these.
    pub fn coverage(&self) -> BTreeSet<(Division, i32)> {
        self.divisions
            .iter()
            .flat_map(|(d, hs)| hs.iter().map(move |h| (*d, h.date.year())))
            .collect()
    }

    /// The feed as GOV.UK's JSON, for export.
    pub fn to_json(&self) -> Value {
        let mut root = Map::new();
        for (division, holidays) in &self.divisions {
            let events: Vec<Value> = holidays
                .iter()
                .map(|h| {
                    serde_json::json!({
                        "title": h.title,
                        "date": h.date.to_string(),
                        "notes": h.note,
                        "bunting": h.bunting,
                    })
                })
                .collect();
            root.insert(
                division.slug().to_owned(),
                serde_json::json!({ "division": division.slug(), "events": events }),
            );
        }
        Value::Object(root)
    }
}

/// Parses a GOV.UK feed. All-or-nothing: every problem is reported, each naming the field
/// (`scotland.events[3].date`) and, where it can be found, the line of the JSON file.
pub fn parse_govuk_feed(text: &str) -> Result<GovukFeed, Invalid> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        Invalid::field(
            "bank-holidays",
            format!("this is not valid JSON: {e} (column {})", e.column()),
        )
        .at_line(e.line() as u64)
    })?;
    let lines = EventLines::scan(text);
    let Value::Object(root) = root else {
        return Err(Invalid::field(
            "bank-holidays",
            "the feed must be a JSON object keyed by division (england-and-wales, scotland, northern-ireland)",
        )
        .at_line(1));
    };
    let mut invalid = Invalid::new();
    let mut feed = GovukFeed::default();
    for (key, value) in &root {
        let division = match Division::parse(key, key) {
            Ok(d) if d.slug() == key => d,
            _ => {
                invalid.push(
                    key.as_str(),
                    format!("“{key}” is not a division of the feed; the feed's keys are england-and-wales, scotland and northern-ireland"),
                );
                continue;
            }
        };
        match parse_division(division, value, &lines) {
            Ok(holidays) => {
                feed.divisions.insert(division, holidays);
            }
            Err(e) => invalid.extend(e),
        }
    }
    if invalid.is_empty() && feed.divisions.values().all(Vec::is_empty) {
        invalid.push("bank-holidays", "the feed lists no holidays");
    }
    invalid.into_result().map(|()| feed)
}

fn parse_division(
    division: Division,
    value: &Value,
    lines: &EventLines,
) -> Result<Vec<Holiday>, Invalid> {
    let key = division.slug();
    let Value::Object(object) = value else {
        return Err(Invalid::field(
            key,
            "must be an object with “division” and “events”",
        ));
    };
    let mut invalid = Invalid::new();
    match object.get("division") {
        Some(Value::String(s)) if s == key => {}
        Some(Value::String(s)) => invalid.push(
            format!("{key}.division"),
            format!("says “{s}” but the feed lists it under “{key}”"),
        ),
        Some(_) => invalid.push(format!("{key}.division"), "must be a string"),
        None => invalid.push(format!("{key}.division"), "is missing"),
    }
    let events = match object.get("events") {
        Some(Value::Array(events)) => events.as_slice(),
        Some(_) => {
            invalid.push(format!("{key}.events"), "must be a list of events");
            &[]
        }
        None => {
            invalid.push(format!("{key}.events"), "is missing");
            &[]
        }
    };
    let mut holidays = Vec::with_capacity(events.len());
    let mut first_index: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for (index, event) in events.iter().enumerate() {
        let prefix = format!("{key}.events[{index}].");
        let line = lines.line(key, index);
        let attach = |e: Invalid| {
            let e = e.within(&prefix);
            match line {
                Some(line) => e.at_line(line),
                None => e,
            }
        };
        match parse_event(event) {
            Ok(holiday) => {
                if let Some(first) = first_index.insert(holiday.date, index) {
                    invalid.extend(attach(Invalid::field(
                        "date",
                        format!(
                            "{} is listed twice (events {first} and {index})",
                            holiday.date
                        ),
                    )));
                }
                holidays.push(holiday);
            }
            Err(e) => invalid.extend(attach(e)),
        }
    }
    invalid.into_result().map(|()| holidays)
}

fn parse_event(event: &Value) -> Result<Holiday, Invalid> {
    let Value::Object(object) = event else {
        return Err(Invalid::field(
            "event",
            "must be an object with title, date, notes and bunting",
        ));
    };
    let mut invalid = Invalid::new();
    let text = |name: &str, invalid: &mut Invalid| match object.get(name) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            invalid.push(name, "must be a string");
            None
        }
        None => {
            invalid.push(name, "is missing");
            None
        }
    };
    let title = text("title", &mut invalid);
    if title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        invalid.push("title", "must not be empty");
    }
    let date = text("date", &mut invalid).and_then(|d| {
        invalid
            .check(parse_date("date", &d))
            .and_then(|date| invalid.check(check_in_range("date", date)).map(|()| date))
    });
    let note = text("notes", &mut invalid);
    let bunting = match object.get("bunting") {
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            invalid.push("bunting", "must be true or false");
            None
        }
        None => {
            invalid.push("bunting", "is missing");
            None
        }
    };
    match (title, date, note, bunting) {
        (Some(title), Some(date), Some(note), Some(bunting)) if invalid.is_empty() => Ok(Holiday {
            date,
            title: title.trim().to_owned(),
            note: note.trim().to_owned(),
            bunting,
            source: HolidaySource::Feed,
        }),
        _ => Err(invalid),
    }
}

/// The line on which each event object starts, per division key, found by a small scan of
/// the text (serde_json's `Value` keeps no positions).
#[derive(Debug, Default)]
struct EventLines {
    starts: BTreeMap<String, Vec<u64>>,
}

impl EventLines {
    fn line(&self, division: &str, index: usize) -> Option<u64> {
        self.starts.get(division)?.get(index).copied()
    }

    /// Walks the JSON, tracking strings, nesting and the key that opened each container;
    /// an object opened directly inside `<division>.events` is an event.
    fn scan(text: &str) -> EventLines {
        #[derive(Clone)]
        struct Frame {
            is_array: bool,
            key: Option<String>,
        }
        let mut lines = EventLines::default();
        let mut stack: Vec<Frame> = Vec::new();
        let mut line = 1u64;
        let mut chars = text.chars().peekable();
        // The last string seen in an object, which becomes a key when a colon follows it.
        let mut last_string: Option<String> = None;
        let mut pending_key: Option<String> = None;
        while let Some(c) = chars.next() {
            match c {
                '\n' => line += 1,
                '"' => {
                    let mut s = String::new();
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => {
                                if let Some(escaped) = chars.next() {
                                    s.push(escaped);
                                }
                            }
                            '"' => break,
                            '\n' => {
                                line += 1;
                                s.push(c);
                            }
                            _ => s.push(c),
                        }
                    }
                    last_string = Some(s);
                }
                ':' => pending_key = last_string.take(),
                '{' | '[' => {
                    let is_array = c == '[';
                    if !is_array
                        && stack.len() == 3
                        && stack[2].is_array
                        && stack[2].key.as_deref() == Some("events")
                        && let Some(division) = stack[1].key.clone()
                    {
                        lines.starts.entry(division).or_default().push(line);
                    }
                    stack.push(Frame {
                        is_array,
                        key: pending_key.take(),
                    });
                    last_string = None;
                }
                '}' | ']' => {
                    stack.pop();
                    pending_key = None;
                    last_string = None;
                }
                ',' => {
                    pending_key = None;
                    last_string = None;
                }
                _ => {}
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"{
  "england-and-wales": {
    "division": "england-and-wales",
    "events": [
      {"title": "New Year’s Day", "date": "2025-01-01", "notes": "", "bunting": true},
      {"title": "Boxing Day", "date": "2026-12-28", "notes": "Substitute day", "bunting": true}
    ]
  },
  "scotland": {
    "division": "scotland",
    "events": []
  }
}"#;

    #[test]
    fn parses_a_small_feed() {
        let feed = parse_govuk_feed(SMALL).unwrap();
        let ew = &feed.divisions[&Division::EnglandAndWales];
        assert_eq!(ew.len(), 2);
        assert!(ew[1].is_substitute());
        assert_eq!(ew[1].source, HolidaySource::Feed);
        assert_eq!(
            feed.coverage().into_iter().collect::<Vec<_>>(),
            vec![
                (Division::EnglandAndWales, 2025),
                (Division::EnglandAndWales, 2026)
            ]
        );
        // Exporting and parsing again gives the same feed.
        let again = parse_govuk_feed(&feed.to_json().to_string()).unwrap();
        assert_eq!(again, feed);
    }

    #[test]
    fn refuses_bad_feeds_naming_field_event_and_line() {
        type Expected<'a> = &'a [(&'a str, Option<u64>)];
        let cases: &[(&str, Expected)] = &[
            ("not json", &[("bank-holidays", Some(1))]),
            ("[1, 2]", &[("bank-holidays", Some(1))]),
            ("{}", &[("bank-holidays", None)]),
            (
                "{\n \"wales\": {\"division\": \"wales\", \"events\": []}\n}",
                &[("wales", None)],
            ),
            (
                r#"{"scotland": {"division": "england-and-wales", "events": [
  {"title": "x", "date": "2025-01-01", "notes": "", "bunting": true}]}}"#,
                &[("scotland.division", None)],
            ),
            (
                r#"{"scotland": {"division": "scotland", "events": [
  {"title": "A", "date": "2025-01-01", "notes": "", "bunting": true},
  {"title": "", "date": "2025-13-01", "notes": 3, "bunting": "yes"},
  {"title": "C", "date": "2025-01-01", "notes": "", "bunting": true},
  {"title": "D", "date": "1989-12-25", "notes": ""}
]}}"#,
                &[
                    ("scotland.events[1].title", Some(3)),
                    ("scotland.events[1].date", Some(3)),
                    ("scotland.events[1].notes", Some(3)),
                    ("scotland.events[1].bunting", Some(3)),
                    ("scotland.events[2].date", Some(4)),
                    ("scotland.events[3].date", Some(5)),
                    ("scotland.events[3].bunting", Some(5)),
                ],
            ),
            (
                "{\"scotland\": {\"division\": \"scotland\",\n \"events\": [\n {\"title\": \"A\",\n \"date\": \"2025-01-01\"\n \"notes\": \"\"}]}}",
                &[("bank-holidays", Some(5))],
            ),
        ];
        for (text, expected) in cases {
            let err = parse_govuk_feed(text).unwrap_err();
            let got: Vec<(&str, Option<u64>)> = err
                .errors
                .iter()
                .map(|e| (e.field.as_str(), e.line))
                .collect();
            assert_eq!(got, *expected, "{text}");
        }
    }

    #[test]
    fn strings_with_braces_and_escapes_do_not_confuse_the_line_scan() {
        let text = "{\"northern-ireland\": {\"division\": \"northern-ireland\", \"events\": [\n{\"title\": \"a {[\\\"x\", \"date\": \"2025-03-17\", \"notes\": \"\", \"bunting\": true},\n{\"title\": \"b\", \"date\": \"nope\", \"notes\": \"\", \"bunting\": true}]}}";
        let err = parse_govuk_feed(text).unwrap_err();
        assert_eq!(err.errors[0].field, "northern-ireland.events[1].date");
        assert_eq!(err.errors[0].line, Some(3));
    }
}
