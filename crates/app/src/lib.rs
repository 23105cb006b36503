//! Accord's application layer: every use case (raise a RAID item, rate a criterion, record a
//! decision, log a request, …) as one function, called alike by the pages, the JSON API, the
//! CLI and the demo loader.
//!
//! A use case takes the [`App`] (the store and the clock), the [`Caller`] and a typed command.
//! It checks the access policy, loads what the rule needs, asks the domain, and writes the
//! change with its audit entry in one transaction ([`accord_store::WriteTx`]), from the version
//! the caller read: a second editor gets [`AppError::Conflict`], never a silent overwrite.
//! Reads answer one page of a list, filtered, sorted and counted by the database.
//!
//! One module per capability, named as the capability is everywhere else: [`gateway`]
//! (opportunities and the compatibility gateway), [`governance`] (the RAID log), [`delivery`].

use accord_domain::access::{Action, Actor, Decision, ReadScope, RecordMeta, UserAccount, decide};
use accord_store::{Change, Store};
use chrono::NaiveDate;
use std::sync::Arc;

pub mod audit;
pub mod authorities;
pub mod delivery;
mod error;
pub mod finance;
pub mod gateway;
pub mod governance;
pub mod identity;
pub mod list;
pub mod partnership;
pub mod records;
pub mod requests;
pub mod service;

pub use error::AppError;

/// Shorthand for the result of a use case.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// What day it is, for every rule that depends on the date (MOU clocks, embargoes, deadlines).
/// Tests and "as at" views fix it; the server reads the system clock. Rules never read the
/// clock themselves: use cases pass `today` in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Today's date in the UK (the server's local date).
    System,
    /// A fixed date.
    Fixed(NaiveDate),
}

impl Clock {
    /// Today.
    pub fn today(self) -> NaiveDate {
        match self {
            Clock::System => chrono::Local::now().date_naive(),
            Clock::Fixed(date) => date,
        }
    }
}

/// The application: the store and the clock. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    store: Arc<dyn Store>,
    clock: Clock,
    /// The working-day calendars of the holiday table last read, shared by every clone.
    calendars: Arc<requests::CalendarCache>,
}

impl App {
    /// The application over a store, on the system clock.
    pub fn new(store: Arc<dyn Store>) -> Self {
        App {
            store,
            clock: Clock::System,
            calendars: Arc::default(),
        }
    }

    /// The same application on another clock.
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The clock.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Today, by the clock.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The store, for the use cases.
    pub(crate) fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// The store itself, for the parts of Accord not yet moved to use cases of their own.
    /// New code calls a use case instead.
    pub fn legacy_store(&self) -> &Arc<dyn Store> {
        &self.store
    }
}

/// Who is asking: what the access policy knows about them, and their account.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// What the access policy knows.
    pub actor: Actor,
    /// Their account, when signed in or using an API token.
    pub user: Option<UserAccount>,
    /// Whether they came with an API token rather than a session.
    pub via_token: bool,
    /// Who, in words, when the caller is Accord itself (the demo loader, the CLI).
    pub system: Option<String>,
}

impl Caller {
    /// An anonymous visitor.
    pub fn anonymous() -> Self {
        Caller::default()
    }

    /// Accord itself, acting with an administrator's reach and named in the audit trail
    /// (`"accord demo"`, `"accord cli"`).
    pub fn system(name: impl Into<String>) -> Self {
        Caller {
            actor: Actor {
                admin: true,
                ..Actor::anonymous()
            },
            system: Some(name.into()),
            ..Caller::default()
        }
    }

    /// A user signed in (or with an API token).
    pub fn user(account: UserAccount, via_token: bool) -> Self {
        Caller {
            actor: account.actor(),
            user: Some(account),
            via_token,
            system: None,
        }
    }

    /// What they may read.
    pub fn scope(&self) -> ReadScope {
        ReadScope::of(&self.actor)
    }

    /// A change made by them now, for the audit trail.
    pub fn change(&self) -> Change {
        match (&self.user, &self.system) {
            (Some(user), _) if self.via_token => {
                Change::by_user(user.id, format!("{} (API token)", user.email))
            }
            (Some(user), _) => Change::by_user(user.id, user.email.clone()),
            (None, Some(name)) => Change::by(name.clone()),
            (None, None) => Change::by("anonymous"),
        }
    }

    /// Their name as records show it ("escalated by …").
    pub fn display_name(&self) -> String {
        match (&self.user, &self.system) {
            (Some(user), _) => user.display_name.clone(),
            (None, Some(name)) => name.clone(),
            (None, None) => "anonymous".to_owned(),
        }
    }

    /// Refuses what the policy does not allow them, saying why. The policy governs people:
    /// Accord itself (the demo loader, the operator's CLI) acts on the operator's authority.
    pub fn check(&self, action: Action, meta: &RecordMeta, today: NaiveDate) -> Result<()> {
        if self.system.is_some() {
            return Ok(());
        }
        match decide(&self.actor, action, meta, today) {
            Decision::Allow => Ok(()),
            Decision::Deny(reason) => Err(AppError::Forbidden(format!(
                "You cannot do this: {reason}."
            ))),
        }
    }
}
