//! What Accord accepts as text, wherever it comes from (a form, a query, a JSON body, a file).
//!
//! Control characters have no place in anything a person types: a NUL cannot be stored by
//! PostgreSQL at all, and the others are invisible on a page and break exports. They are
//! refused at the boundary, naming the field, so that both databases behave alike. Tab, line
//! feed and carriage return are text (a textarea sends them).

use crate::Invalid;

/// The first character of `text` that Accord refuses, if any.
pub fn refused_character(text: &str) -> Option<char> {
    text.chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// Refuses `text` when it holds a control character, naming `field` and the character.
pub fn check(field: &str, text: &str) -> Result<(), Invalid> {
    match refused_character(text) {
        None => Ok(()),
        Some(c) => Err(Invalid::field(field, message(c))),
    }
}

/// The refusal's words for a character.
pub fn message(c: char) -> String {
    format!(
        "must not contain control characters (it holds U+{:04X}): type or paste the text again",
        u32::from(c)
    )
}

/// The longest name or title Accord keeps (a project's, an award's, a funder's).
pub const MAX_NAME: usize = 200;
/// The longest note or description.
pub const MAX_NOTE: usize = 2_000;
/// The longest citation of a source (a paper's title and date, an address).
pub const MAX_SOURCE: usize = 500;

/// Adds to `invalid` a refusal of `text` when it is longer than `max` characters, saying so.
pub fn limit(invalid: &mut Invalid, field: &str, text: &str, max: usize) {
    let length = text.chars().count();
    if length > max {
        invalid.push(
            field,
            format!("must be {max} characters or fewer (it has {length})"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_and_text_is_not() {
        let cases: &[(&str, Option<char>)] = &[
            ("Payroll delay", None),
            ("two\nlines\r\nand a\ttab", None),
            ("Zürich – naïve ‘quotes’ and emoji 🚀", None),
            ("nul\0inside", Some('\0')),
            ("bell\u{7}", Some('\u{7}')),
            ("escape\u{1b}[31m", Some('\u{1b}')),
            ("delete\u{7f}", Some('\u{7f}')),
            ("c1 control\u{85}", Some('\u{85}')),
        ];
        for (text, expected) in cases {
            assert_eq!(refused_character(text), *expected, "{text:?}");
            assert_eq!(check("title", text).is_ok(), expected.is_none(), "{text:?}");
        }
        let refusal = check("title", "a\0b").unwrap_err();
        assert_eq!(refusal.errors[0].field, "title");
        assert!(refusal.errors[0].message.contains("U+0000"));
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let cases: &[(&str, usize, bool)] = &[
            ("", 0, true),
            ("abc", 3, true),
            ("abcd", 3, false),
            // Three characters, nine bytes.
            ("£££", 3, true),
            ("££££", 3, false),
        ];
        for (text, max, ok) in cases {
            let mut invalid = Invalid::new();
            limit(&mut invalid, "note", text, *max);
            assert_eq!(invalid.is_empty(), *ok, "{text:?} within {max}");
            if !ok {
                assert_eq!(invalid.errors[0].field, "note");
                assert!(
                    invalid.errors[0]
                        .message
                        .contains(&format!("{max} characters"))
                );
            }
        }
    }
}
