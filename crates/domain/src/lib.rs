//! Accord's domain: the rules of shared-services partnerships between UK councils.
//!
//! This crate is pure: no async, no I/O, no SQL, no HTTP. Every rule that decides something —
//! who may see a record, when an MOU review is due, whether an opportunity passes the gateway,
//! when an information request must be answered — lives here, so the web pages, the JSON API
//! and the CLI all apply the same rule.
//!
//! Values that can be invalid are built by parsing (`GssCode::parse`, `Money::parse`,
//! `FinancialYear::parse`), so an invalid value does not exist past the boundary.

pub mod access;
pub mod audit;
pub mod authority;
pub mod board;
pub mod calendar;
pub mod council_data;
pub mod demo;
pub mod error;
pub mod finance;
pub mod financial_year;
pub mod gateway;
pub mod highlight_report;
pub mod money;
pub mod mou;
pub mod opportunity;
pub mod partnership;
pub mod progress_report;
pub mod project;
pub mod raid;
pub mod request;
pub mod seed;
pub mod service;
pub mod text;
pub mod working_days;

pub use authority::{Authority, AuthorityType, GssCode, Nation};
pub use error::{FieldError, Invalid};
pub use financial_year::FinancialYear;
pub use money::Money;
pub use mou::Mou;
pub use partnership::{Member, MemberRole, MemberStatus, Partnership};
