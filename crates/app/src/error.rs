//! The one error of the application layer. The web maps it to a GOV.UK error summary or to a
//! JSON problem with its fields; the CLI prints it.

use accord_domain::Invalid;
use accord_store::StoreError;

/// Why a use case refused or failed. Nothing was changed in any case.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input breaks a rule; every problem names its field.
    #[error("{0}")]
    Invalid(#[from] Invalid),
    /// The caller may not do this; the message says why.
    #[error("{0}")]
    Forbidden(String),
    /// No such record, or none the caller may see (the same answer, so existence is not
    /// revealed).
    #[error("{0} not found")]
    NotFound(String),
    /// The record changed since the version the change was made from; the message says what.
    #[error("{0}")]
    Conflict(String),
    /// Anything else: logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A record the caller asked for that is not there for them.
    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::NotFound(what.into())
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Invalid(invalid) => AppError::Invalid(invalid),
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::Conflict(message) => AppError::Conflict(message),
            other => AppError::Internal(other.into()),
        }
    }
}
