//! Reading what people and programs send: HTML forms and JSON bodies.
//!
//! A form handler reads the body with [`FormData`], asks `domain` to parse it, and on a refusal
//! shows the same form again with [`refused`]: the values as typed, an error summary, and each
//! message next to its field. JSON handlers read the body with [`JsonBody`], whose refusals name
//! the field at fault in the API's error format.

use accord_domain::Invalid;
use axum::Form;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use maud::Markup;
use serde::de::DeserializeOwned;

use crate::error::WebError;

/// The name of the hidden field that carries the CSRF token in every form.
pub const CSRF_FIELD: &str = "csrf_token";

/// A submitted HTML form: every name and value, in order, repeated names kept (checkboxes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormData {
    fields: Vec<(String, String)>,
}

impl FormData {
    /// A form from its fields, for tests.
    pub fn from_pairs<N: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        Self {
            fields: pairs
                .into_iter()
                .map(|(n, v)| (n.into(), v.into()))
                .collect(),
        }
    }

    /// The first value sent under `name`, or `""` when none was (an unticked box, a field
    /// missing from a hand-made request): handlers treat both as "not given".
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Sets `name` to one value, replacing any sent (for values a page fixes, such as the
    /// council of a membership being changed).
    pub fn set(&mut self, name: &str, value: &str) {
        self.fields.retain(|(n, _)| n != name);
        self.fields.push((name.to_owned(), value.to_owned()));
    }

    /// Every value sent under `name`, in order (ticked checkboxes).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Every field sent, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.fields
    }

    /// The three boxes of a date input named `name`.
    pub fn date(&self, name: &str) -> DateParts {
        DateParts::new(
            self.get(&format!("{name}-day")),
            self.get(&format!("{name}-month")),
            self.get(&format!("{name}-year")),
        )
    }

    /// The CSRF token the form carried.
    pub fn csrf_token(&self) -> &str {
        self.get(CSRF_FIELD)
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(|rejection| {
                WebError::Unprocessable(Invalid::field("form", rejection.body_text()))
            })?;
        let mut invalid = Invalid::new();
        for (name, value) in &fields {
            invalid.check(accord_domain::text::check(name, value));
            invalid.check(accord_domain::text::check("form", name));
        }
        invalid.into_result()?;
        Ok(Self { fields })
    }
}

/// Middleware: refuses an address whose path or query holds a control character (`?q=%00`)
/// before any handler or the database sees it, naming the query field (or `address`).
pub async fn plain_address(request: Request, next: axum::middleware::Next) -> Response {
    let uri = request.uri();
    let mut invalid = Invalid::new();
    let path = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy();
    invalid.check(accord_domain::text::check("address", &path));
    // A query that does not decode is left to its handler, which says what is wrong with it.
    if let Some(Ok(pairs)) = uri
        .query()
        .map(serde_urlencoded::from_str::<Vec<(String, String)>>)
    {
        for (name, value) in &pairs {
            invalid.check(accord_domain::text::check(name, value));
            invalid.check(accord_domain::text::check("address", name));
        }
    }
    match invalid.into_result() {
        Ok(()) => next.run(request).await,
        Err(invalid) => WebError::Unprocessable(invalid).into_response(),
    }
}

/// The answer to a refused form: the form shown again (with its error summary and inline
/// messages) and status 422, so tests and tools can tell a refusal from a success.
pub fn refused(page: Markup) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

/// What was typed into the three boxes of a GOV.UK date input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateParts {
    /// The day box.
    pub day: String,
    /// The month box.
    pub month: String,
    /// The year box.
    pub year: String,
}

impl DateParts {
    /// The boxes as typed.
    pub fn new(day: impl Into<String>, month: impl Into<String>, year: impl Into<String>) -> Self {
        Self {
            day: day.into(),
            month: month.into(),
            year: year.into(),
        }
    }

    /// The boxes filled from a date, for editing a stored one.
    pub fn from_date(date: NaiveDate) -> Self {
        use chrono::Datelike;
        Self::new(
            date.day().to_string(),
            date.month().to_string(),
            date.year().to_string(),
        )
    }

    /// Whether all three boxes are empty.
    pub fn is_empty(&self) -> bool {
        [&self.day, &self.month, &self.year]
            .iter()
            .all(|part| part.trim().is_empty())
    }

    /// Reads the date, with GOV.UK's messages on refusal. `label` names the date in a sentence,
    /// such as "the date the MOU was signed"; the refusal names `field`.
    pub fn parse(&self, field: &str, label: &str) -> Result<NaiveDate, Invalid> {
        let parts = [
            ("day", self.day.trim()),
            ("month", self.month.trim()),
            ("year", self.year.trim()),
        ];
        let missing: Vec<&str> = parts
            .iter()
            .filter(|(_, value)| value.is_empty())
            .map(|(name, _)| *name)
            .collect();
        let sentence = capitalise(label);
        match missing.as_slice() {
            [] => {}
            [_, _, _] => return Err(Invalid::field(field, format!("Enter {label}"))),
            [one] => {
                return Err(Invalid::field(
                    field,
                    format!("{sentence} must include a {one}"),
                ));
            }
            [first, second] => {
                return Err(Invalid::field(
                    field,
                    format!("{sentence} must include a {first} and a {second}"),
                ));
            }
            _ => unreachable!("there are three parts"),
        }
        let number = |value: &str| -> Option<u32> {
            (value.len() <= 4 && value.bytes().all(|b| b.is_ascii_digit()))
                .then(|| value.parse().ok())
                .flatten()
        };
        let (day, month, year) = (number(parts[0].1), number(parts[1].1), number(parts[2].1));
        if parts[2].1.len() != 4 && year.is_some() {
            return Err(Invalid::field(field, "Year must include 4 numbers"));
        }
        let date = match (day, month, year) {
            (Some(day), Some(month), Some(year)) => i32::try_from(year)
                .ok()
                .and_then(|year| NaiveDate::from_ymd_opt(year, month, day)),
            _ => None,
        };
        date.ok_or_else(|| Invalid::field(field, format!("{sentence} must be a real date")))
    }

    /// Like [`DateParts::parse`], but an empty date is allowed and read as `None`.
    pub fn parse_optional(&self, field: &str, label: &str) -> Result<Option<NaiveDate>, Invalid> {
        if self.is_empty() {
            Ok(None)
        } else {
            self.parse(field, label).map(Some)
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A JSON request body. Unlike `axum::Json`, a body that does not fit the type is refused as
/// a [`WebError::Unprocessable`] naming the field at fault (`members[1].joined`), so the API
/// answers every refusal in the same format.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(WebError::Unprocessable(Invalid::field(
                "body",
                "must be JSON, sent with the header Content-Type: application/json",
            )));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                WebError::Unprocessable(Invalid::field("body", rejection.body_text()))
            })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses a JSON body, naming the field at fault when it does not fit `T`.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WebError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        // serde_json appends the position; the field name is the useful part for a person.
        let full = inner.to_string();
        let message = full
            .rsplit_once(" at line ")
            .map_or(full.as_str(), |(text, _)| text)
            .to_owned();
        if inner.is_syntax() || inner.is_eof() || path == "?" {
            return WebError::Unprocessable(Invalid::field(
                "body",
                format!("is not valid JSON: {full}"),
            ));
        }
        // serde reports a missing field against its parent; name the field itself.
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let field = match missing {
            Some(missing) if path == "." => missing.to_owned(),
            Some(missing) => format!("{path}.{missing}"),
            None if path == "." => "body".to_owned(),
            None => path,
        };
        WebError::Unprocessable(Invalid::field(field, message))
    })?;
    deserializer.end().map_err(|error| {
        WebError::Unprocessable(Invalid::field(
            "body",
            format!("is not valid JSON: {error}"),
        ))
    })?;
    // The body fits `T`; read once more as a tree to name any string holding a control
    // character by its path (bodies are small: the cost is a second parse of a few kilobytes).
    if let Ok(tree) = serde_json::from_slice::<serde_json::Value>(bytes) {
        let mut invalid = Invalid::new();
        refuse_control_characters(&tree, "", &mut invalid);
        if !invalid.is_empty() {
            return Err(WebError::Unprocessable(invalid));
        }
    }
    Ok(value)
}

/// Every string (and key) under `value` that holds a control character, named by its path as
/// the other refusals name fields (`members[1].name`).
fn refuse_control_characters(value: &serde_json::Value, path: &str, invalid: &mut Invalid) {
    let field = |path: &str| {
        if path.is_empty() {
            "body".to_owned()
        } else {
            path.to_owned()
        }
    };
    match value {
        serde_json::Value::String(text) => {
            if let Some(c) = accord_domain::text::refused_character(text) {
                invalid.push(field(path), accord_domain::text::message(c));
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                refuse_control_characters(item, &format!("{path}[{i}]"), invalid);
            }
        }
        serde_json::Value::Object(members) => {
            for (key, member) in members {
                let inner = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if let Some(c) = accord_domain::text::refused_character(key) {
                    invalid.push(
                        field(path),
                        format!("a name {}", accord_domain::text::message(c)),
                    );
                }
                refuse_control_characters(member, &inner, invalid);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn dates_are_read_with_gov_uk_messages() {
        let label = "the date the MOU was signed";
        type Expected = Result<(i32, u32, u32), &'static str>;
        let cases: [(&str, &str, &str, Expected); 10] = [
            ("21", "12", "2010", Ok((2010, 12, 21))),
            (" 1 ", "04", "2011", Ok((2011, 4, 1))),
            ("", "", "", Err("Enter the date the MOU was signed")),
            (
                "21",
                "",
                "2010",
                Err("The date the MOU was signed must include a month"),
            ),
            (
                "",
                "",
                "2010",
                Err("The date the MOU was signed must include a day and a month"),
            ),
            (
                "31",
                "2",
                "2011",
                Err("The date the MOU was signed must be a real date"),
            ),
            ("29", "2", "2012", Ok((2012, 2, 29))),
            (
                "x",
                "2",
                "2011",
                Err("The date the MOU was signed must be a real date"),
            ),
            ("1", "2", "11", Err("Year must include 4 numbers")),
            (
                "1",
                "13",
                "2011",
                Err("The date the MOU was signed must be a real date"),
            ),
        ];
        for (day, month, year, expected) in cases {
            let result = DateParts::new(day, month, year).parse("signed", label);
            match expected {
                Ok((y, m, d)) => assert_eq!(result, Ok(NaiveDate::from_ymd_opt(y, m, d).unwrap())),
                Err(message) => {
                    let invalid = result.unwrap_err();
                    assert_eq!(
                        invalid.message_for("signed"),
                        Some(message),
                        "{day}/{month}/{year}"
                    );
                }
            }
        }
        assert_eq!(
            DateParts::default().parse_optional("d", "the date"),
            Ok(None)
        );
        let date = NaiveDate::from_ymd_opt(2014, 5, 22).unwrap();
        assert_eq!(DateParts::from_date(date).parse("d", "the date"), Ok(date));
    }

    proptest::proptest! {
        #[test]
        fn any_typed_date_is_read_or_refused_without_panic(day in ".{0,6}", month in ".{0,6}", year in ".{0,6}") {
            let _ = DateParts::new(day, month, year).parse("d", "the date");
        }
    }

    #[test]
    fn form_data_keeps_repeated_names_and_reads_dates() {
        let form = FormData::from_pairs([
            ("kinds", "a"),
            ("kinds", "b"),
            ("signed-day", "21"),
            ("signed-month", "12"),
            ("signed-year", "2010"),
            (CSRF_FIELD, "t"),
        ]);
        assert_eq!(form.all("kinds"), ["a", "b"]);
        assert_eq!(form.get("kinds"), "a");
        assert_eq!(form.get("absent"), "");
        assert_eq!(form.date("signed"), DateParts::new("21", "12", "2010"));
        assert_eq!(form.csrf_token(), "t");
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Input {
        name: String,
        members: Vec<MemberInput>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct MemberInput {
        gss_code: String,
        joined: NaiveDate,
    }

    #[test]
    fn json_refusals_name_the_field_at_fault() {
        let cases = [
            (r#"{"members": []}"#, "name", "missing field `name`"),
            (
                r#"{"name": "x", "members": [{"gss_code": "E09000014", "joined": "2010-12-21"}, {"gss_code": "E09000031", "joined": "21/12/2010"}]}"#,
                "members[1].joined",
                "input contains invalid characters",
            ),
            (
                r#"{"name": "x", "members": [{"joined": "2010-12-21"}]}"#,
                "members[0].gss_code",
                "missing field `gss_code`",
            ),
            (
                r#"{"name": 3, "members": []}"#,
                "name",
                "invalid type: integer `3`, expected a string",
            ),
            (
                r#"{"name": "x", "members": [], "extra": 1}"#,
                "extra",
                "unknown field `extra`",
            ),
            (
                r#"{"name": "x""#,
                "body",
                "is not valid JSON: EOF while parsing an object",
            ),
        ];
        for (body, field, message) in cases {
            let Err(WebError::Unprocessable(invalid)) = parse_json::<Input>(body.as_bytes()) else {
                panic!("{body} was accepted");
            };
            let got = invalid.message_for(field);
            assert!(
                got.is_some_and(|m| m.starts_with(message)),
                "{body}: expected {field}: {message}, got {invalid:?}"
            );
        }
        assert!(parse_json::<Input>(br#"{"name": "x", "members": []} trailing"#).is_err());
    }
}
