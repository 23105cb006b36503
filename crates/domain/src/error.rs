//! Validation errors that name the field (and, for files, the line) at fault.

use serde::Serialize;
use std::fmt;

/// One problem with one field of an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name as the user knows it: a form field, a JSON key or a CSV column.
    pub field: String,
    /// What is wrong, in plain words, written to be shown to the user as it is.
    pub message: String,
    /// The 1-based line of the file the value came from, for file imports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// An input was refused. Holds every problem found, so a user can fix them all at once.
///
/// Whatever produced an `Invalid` has changed nothing: callers rely on that to keep
/// imports and edits all-or-nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct Invalid {
    /// The problems, in the order they were found.
    pub errors: Vec<FieldError>,
}

impl Invalid {
    /// An empty collector, to push problems into while checking several fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// A single problem with one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut invalid = Self::new();
        invalid.push(field, message);
        invalid
    }

    /// Records a problem with a field.
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
            line: None,
        });
    }

    /// Moves every problem of `other` into this collector.
    pub fn extend(&mut self, other: Invalid) {
        self.errors.extend(other.errors);
    }

    /// Records the result of a check, keeping its value when it passed.
    pub fn check<T>(&mut self, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(invalid) => {
                self.extend(invalid);
                None
            }
        }
    }

    /// Attaches a file line number to every problem that has none yet.
    #[must_use]
    pub fn at_line(mut self, line: u64) -> Self {
        for error in &mut self.errors {
            error.line.get_or_insert(line);
        }
        self
    }

    /// Prefixes every field name, e.g. `members[2].` for a nested value.
    #[must_use]
    pub fn within(mut self, prefix: &str) -> Self {
        for error in &mut self.errors {
            error.field = format!("{prefix}{}", error.field);
        }
        self
    }

    /// Renames the field of every problem; used where a helper checks a value under a
    /// generic name.
    #[must_use]
    pub fn renamed(mut self, field: &str) -> Self {
        for error in &mut self.errors {
            field.clone_into(&mut error.field);
        }
        self
    }

    /// Whether no problem was recorded.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(())` when nothing was recorded, the collected problems otherwise.
    pub fn into_result(self) -> Result<(), Invalid> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// The message recorded for a field, if any (the first one).
    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_line_field_and_problem() {
        let mut invalid = Invalid::field("gss-code", "must look like E09000014");
        invalid.push("start-date", "must be a date such as 2010-12-21");
        let invalid = invalid.at_line(7);
        assert_eq!(
            invalid.to_string(),
            "line 7: gss-code: must look like E09000014; line 7: start-date: must be a date such as 2010-12-21"
        );
        assert_eq!(
            invalid.message_for("gss-code"),
            Some("must look like E09000014")
        );
    }

    #[test]
    fn empty_collector_is_ok() {
        assert_eq!(Invalid::new().into_result(), Ok(()));
        assert!(Invalid::field("x", "y").into_result().is_err());
    }
}
