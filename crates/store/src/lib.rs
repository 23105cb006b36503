//! Accord's storage: the [`Store`] trait and its two backends, SQLite (embedded, the default)
//! and PostgreSQL (hosted deployments).
//!
//! This is the only crate with SQL. Both backends run the same SQL text (runtime queries with
//! `$1` placeholders, which SQLite also accepts), written once in [`backend`] and instantiated
//! for each database; each backend has its own migrations, run on connect.
//!
//! Every change goes through a method that validates it with the `domain` rules inside the
//! transaction, and appends an audit entry to the hash chain in the same transaction, so a
//! change and its audit entry are written together or not at all.

use accord_domain::access::{RoleAssignment, UserAccount};
use accord_domain::audit::{AuditAction, AuditEntry};
use accord_domain::mou::MouEvent;
use accord_domain::{Authority, Invalid, Member, Mou, Partnership};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use std::fmt;
use std::sync::Arc;

mod backend;
pub mod council_data;
pub mod credentials;
pub mod delivery;
pub mod finance;
pub mod gateway;
pub mod governance;
pub mod holidays;
pub mod raid;
pub mod records;
mod records_sql;
pub mod requests;
mod rows;
mod scope;
pub mod testing;
mod upgrade;
pub mod write;

pub use backend::{PgStore, SqliteStore};
pub use council_data::CouncilDataStore;
pub use delivery::{DeliveryStore, DeliveryTx};
pub use finance::allocations::{AllocationStore, AllocationTx};
pub use finance::business_cases::{BusinessCaseStore, BusinessCaseTx};
pub use finance::funding::{FundingStore, FundingTx};
pub use finance::savings::{SavingStore, SavingTx};
pub use finance::{FinanceTx, Stored};
pub use gateway::{GatewayStore, GatewayTx};
pub use governance::{GovernanceStore, GovernanceTx};
pub use raid::{RaidPage, RaidStore, RaidTx, StoredRaid};
pub use records::{
    RecordInput, RecordOrder, RecordQuery, RecordStore, RecordUpdate, RecordWrite, StoredRecord,
};
pub use requests::{RequestStore, RequestTx};
pub use write::WriteTx;

/// Why a storage call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record asked for does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The change breaks a rule; nothing was changed.
    #[error("{0}")]
    Invalid(#[from] Invalid),
    /// The record changed since the version the change was made from; nothing was changed.
    #[error("{0}")]
    Conflict(String),
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations could not be applied.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back (a bug or a hand-edited database).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// Shorthand for results of storage calls.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, embedded.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Who makes a change, when and why: written to the audit trail with the change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The signed-in user, if any.
    pub actor_id: Option<i64>,
    /// Who, in words: an email address, or "accord demo" for the demo loader.
    pub actor: String,
    /// Why, if said.
    pub reason: Option<String>,
    /// When. Truncated to microseconds, the precision both databases keep.
    pub at: DateTime<Utc>,
}

impl Change {
    /// A change made now by a named actor that is not a user (the CLI, the demo loader).
    pub fn by(actor: impl Into<String>) -> Self {
        Change {
            actor_id: None,
            actor: actor.into(),
            reason: None,
            at: Utc::now().trunc_subsecs(6),
        }
    }

    /// A change made now by a user.
    pub fn by_user(id: i64, email: impl Into<String>) -> Self {
        Change {
            actor_id: Some(id),
            ..Change::by(email)
        }
    }

    /// Adds the reason given for the change.
    #[must_use]
    pub fn because(mut self, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        self.reason = Some(reason).filter(|r| !r.trim().is_empty());
        self
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    /// Rows read from the file.
    pub rows: u64,
    /// Records created.
    pub created: u64,
    /// Records that existed and were updated.
    pub updated: u64,
}

/// A bank holiday as stored: one division, one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHoliday {
    /// `england-and-wales`, `scotland` or `northern-ireland`.
    pub division: String,
    /// The date.
    pub date: NaiveDate,
    /// Its title, e.g. "Early May bank holiday".
    pub title: String,
    /// The feed's notes, e.g. "Substitute day".
    pub notes: String,
    /// Whether the feed flags bunting.
    pub bunting: bool,
}

/// A search of the council register.
#[derive(Debug, Clone, Default)]
pub struct AuthorityQuery {
    /// Words to match in the names, or a GSS or register code.
    pub text: String,
    /// Only councils that still exist.
    pub current_only: bool,
    /// At most this many results (1 to 501: a page of 500 and one to say there is more).
    pub limit: i64,
    /// Skip this many of the ranked results, for the pages after the first.
    pub offset: i64,
}

/// A search of the audit trail.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// One kind of record.
    pub record_kind: Option<String>,
    /// One record (with `record_kind`).
    pub record_id: Option<String>,
    /// One partnership's records.
    pub partnership_id: Option<i64>,
    /// Who (matched exactly).
    pub actor: Option<String>,
    /// What happened.
    pub action: Option<AuditAction>,
    /// From this moment.
    pub from: Option<DateTime<Utc>>,
    /// Before this moment.
    pub until: Option<DateTime<Utc>>,
}

/// A new account, with its passphrase already hashed.
#[derive(Clone)]
pub struct NewUser {
    /// The sign-in email (checked and lower-cased with `access::parse_email`).
    pub email: String,
    /// The name shown on pages.
    pub display_name: String,
    /// The user's council (GSS code).
    pub home: Option<accord_domain::GssCode>,
    /// The Argon2id hash of the passphrase.
    pub passphrase_hash: String,
    /// An instance administrator.
    pub admin: bool,
}

impl fmt::Debug for NewUser {
    // The hash is not a secret in the usual sense, but it has no business in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("email", &self.email)
            .field("display_name", &self.display_name)
            .field("home", &self.home)
            .field("admin", &self.admin)
            .finish_non_exhaustive()
    }
}

/// An API token as listed to its owner (never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// The token's id.
    pub id: i64,
    /// The name its owner gave it.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A sign-in that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedSignIn {
    /// The client's address as the throttle sees it.
    pub address: String,
    /// The account's email, when an account has the email given; `None` for any other email,
    /// which is not kept.
    pub account: Option<String>,
    /// Whether it was refused without checking the passphrase (the account's budget spent).
    pub unchecked: bool,
    /// When.
    pub at: DateTime<Utc>,
}

/// The failed sign-ins from one address at one account (or at emails no account has) within
/// one throttle window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityEvent {
    /// What happened: `sign-in-failed`.
    pub kind: String,
    /// The client's address.
    pub address: String,
    /// The account's email; `None` for emails that no account has.
    pub account: Option<String>,
    /// The start of the throttle window.
    pub window_start: DateTime<Utc>,
    /// The first attempt in the window.
    pub first_at: DateTime<Utc>,
    /// The latest.
    pub last_at: DateTime<Utc>,
    /// How many attempts.
    pub attempts: i64,
    /// How many of them were refused without checking the passphrase.
    pub refused_unchecked: i64,
}

/// A store's connections and writers at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolStats {
    /// Connections open, idle or in use.
    pub open: u32,
    /// Open connections that nobody is using.
    pub idle: u32,
    /// The most connections the pool will open.
    pub max: u32,
    /// Write transactions queued for this process's write lock.
    pub writers_waiting: u32,
}

/// The storage API. Implemented by [`SqliteStore`] and [`PgStore`]; the rest of Accord holds
/// an `Arc<dyn Store>`.
#[async_trait]
pub trait Store:
    RecordStore
    + CouncilDataStore
    + RaidStore
    + DeliveryStore
    + RequestStore
    + GovernanceStore
    + GatewayStore
    + BusinessCaseStore
    + AllocationStore
    + SavingStore
    + FundingStore
    + Send
    + Sync
    + fmt::Debug
{
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// Writes a consistent copy of the whole database to a new SQLite file at `path`, while
    /// others go on reading and writing (SQLite's `VACUUM INTO`). On PostgreSQL a backup is
    /// `pg_dump`'s to make, and this refuses.
    async fn back_up_to(&self, path: &std::path::Path) -> Result<()>;

    /// The connection pool's state now, for the service's metrics.
    fn pool_stats(&self) -> PoolStats;

    /// Closes the connections, waiting a few seconds at most for those still in use.
    async fn close(&self);

    /// Opens a write transaction: the handle a use case loads, checks and writes through,
    /// holding the write lock until it commits or is dropped (see [`write`]).
    async fn write(&self) -> Result<Box<dyn WriteTx>>;

    // ----- councils -----

    /// Imports (creates or updates) the council register in one transaction.
    async fn import_authorities(
        &self,
        authorities: &[Authority],
        change: &Change,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<ImportSummary>;

    /// Adds the councils that are not in the register yet, leaving existing ones as they are
    /// (so demo data never overwrites an imported register). Returns how many were added.
    async fn ensure_authorities(&self, authorities: &[Authority], change: &Change) -> Result<u64>;

    /// A council by GSS code or register code.
    async fn authority(&self, key: &str) -> Result<Option<Authority>>;

    /// Councils whose names or codes match a search, current ones and best matches first.
    async fn search_authorities(&self, query: &AuthorityQuery) -> Result<Vec<Authority>>;

    /// How many councils the register holds.
    async fn count_authorities(&self, current_only: bool) -> Result<i64>;

    /// How many councils match a search (its limit and offset aside).
    async fn count_matching_authorities(&self, query: &AuthorityQuery) -> Result<i64>;

    // ----- bank holidays -----

    /// Replaces the stored bank holidays with an imported feed, in one transaction.
    async fn replace_bank_holidays(
        &self,
        holidays: &[StoredHoliday],
        change: &Change,
    ) -> Result<ImportSummary>;

    /// Every stored bank holiday, by division and date.
    async fn bank_holidays(&self) -> Result<Vec<StoredHoliday>>;

    // ----- partnerships -----

    /// Creates a partnership with its members. Refuses an invalid partnership or an unknown
    /// council.
    async fn create_partnership(&self, partnership: &Partnership, change: &Change) -> Result<i64>;

    /// Renames a partnership or changes its summary.
    async fn update_partnership(
        &self,
        id: i64,
        name: &str,
        summary: &str,
        change: &Change,
    ) -> Result<()>;

    /// A partnership with its members.
    async fn partnership(&self, id: i64) -> Result<Option<Partnership>>;

    /// Every partnership with its members, by name.
    async fn partnerships(&self) -> Result<Vec<Partnership>>;

    /// At most `limit` partnerships with their members, by name, after the first `offset`.
    async fn partnerships_page(&self, limit: i64, offset: i64) -> Result<Vec<Partnership>>;

    /// How many partnerships there are.
    async fn count_partnerships(&self) -> Result<i64>;

    /// The partnerships a council has been a member of.
    async fn partnerships_of(&self, gss: &str) -> Result<Vec<Partnership>>;

    /// The id of the partnership with this name.
    async fn partnership_id_by_name(&self, name: &str) -> Result<Option<i64>>;

    /// Adds a member council.
    async fn add_member(&self, partnership_id: i64, member: &Member, change: &Change)
    -> Result<()>;

    /// Changes a member's role, status or dates.
    async fn update_member(
        &self,
        partnership_id: i64,
        member: &Member,
        change: &Change,
    ) -> Result<()>;

    /// The partnership's MOU, with its events.
    async fn mou(&self, partnership_id: i64) -> Result<Option<Mou>>;

    /// Records or replaces the MOU's terms (its events are kept).
    async fn save_mou(&self, partnership_id: i64, mou: &Mou, change: &Change) -> Result<()>;

    /// Records a notice, extension or variation.
    async fn add_mou_event(
        &self,
        partnership_id: i64,
        event: &MouEvent,
        change: &Change,
    ) -> Result<()>;

    // ----- identity -----

    /// Creates an account. Refuses an email that already has one.
    async fn create_user(&self, user: &NewUser, change: &Change) -> Result<i64>;

    /// An account with its roles.
    async fn user(&self, id: i64) -> Result<Option<UserAccount>>;

    /// An account and its passphrase hash, by email, for signing in.
    async fn user_credentials(&self, email: &str) -> Result<Option<(UserAccount, String)>>;

    /// Every account, by email.
    async fn users(&self) -> Result<Vec<UserAccount>>;

    /// Replaces a passphrase and ends the user's sessions.
    async fn set_passphrase_hash(&self, user_id: i64, hash: &str, change: &Change) -> Result<()>;

    /// Disables or re-enables an account; disabling ends its sessions.
    async fn set_user_disabled(&self, user_id: i64, disabled: bool, change: &Change) -> Result<()>;

    /// Gives a user a role in a partnership (doing nothing if they have it).
    async fn assign_role(
        &self,
        user_id: i64,
        assignment: RoleAssignment,
        change: &Change,
    ) -> Result<()>;

    /// Takes a role away.
    async fn unassign_role(
        &self,
        user_id: i64,
        assignment: RoleAssignment,
        change: &Change,
    ) -> Result<()>;

    /// Starts a session (the sign-in is audited in the same transaction) and clears the
    /// account's throttle.
    async fn create_session(
        &self,
        digest: &str,
        user_id: i64,
        expires_at: DateTime<Utc>,
        change: &Change,
    ) -> Result<()>;

    /// The user of a live session, refreshing its idle clock; `None` when the session is
    /// unknown, idle for longer than `idle`, past its absolute expiry, or its user disabled.
    async fn session_user(
        &self,
        digest: &str,
        now: DateTime<Utc>,
        idle: chrono::Duration,
    ) -> Result<Option<UserAccount>>;

    /// Ends a session (signing out is audited).
    async fn end_session(&self, digest: &str, change: &Change) -> Result<()>;

    /// Records a failed sign-in against each throttle key and in the security events (counted
    /// per address, account and window, not a row per attempt), and returns the failure counts
    /// within the window, in the order of `keys`. Neither goes through the audit trail or its
    /// lock: a visitor who is not signed in changes nothing.
    async fn record_failed_sign_in(
        &self,
        keys: &[String],
        attempt: &FailedSignIn,
        window: chrono::Duration,
    ) -> Result<Vec<i64>>;

    /// The security events, most recent first.
    async fn security_events(&self, limit: i64) -> Result<Vec<SecurityEvent>>;

    /// Recent failures for each key within the window.
    async fn sign_in_failures(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> Result<Vec<i64>>;

    /// Creates an API token for a user.
    async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        digest: &str,
        change: &Change,
    ) -> Result<i64>;

    /// The user behind a live API token.
    async fn api_token_user(&self, digest: &str, now: DateTime<Utc>)
    -> Result<Option<UserAccount>>;

    /// A user's API tokens, newest first.
    async fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>>;

    /// Revokes one of a user's tokens.
    async fn revoke_api_token(&self, user_id: i64, token_id: i64, change: &Change) -> Result<()>;

    /// Stores a one-time passphrase-reset code.
    async fn create_passphrase_reset(
        &self,
        user_id: i64,
        digest: &str,
        expires_at: DateTime<Utc>,
        change: &Change,
    ) -> Result<()>;

    /// Uses a reset code: sets the new passphrase hash and ends the user's sessions. `None`
    /// when the code is unknown, used or expired.
    async fn use_passphrase_reset(
        &self,
        digest: &str,
        new_hash: &str,
        change: &Change,
    ) -> Result<Option<i64>>;

    // ----- audit -----

    /// Audit entries matching a filter, newest first.
    async fn audit_entries(
        &self,
        filter: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AuditEntry>>;

    /// Entries in chain order after a position, for verification in pages.
    async fn audit_chain(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>>;

    /// The position and hash of the chain's head.
    async fn audit_head(&self) -> Result<(i64, String)>;
}

/// Connects to the database named by a URL, choosing the backend by its scheme
/// (`sqlite:` or `postgres:`/`postgresql:`), and runs the migrations.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else {
        Err(Invalid::field(
            "database",
            format!(
                "“{}” is not a database URL Accord knows; use sqlite:FILE or postgres://…",
                redact_url(url)
            ),
        )
        .into())
    }
}

/// The file a `sqlite:` URL names; `None` for other URLs and in-memory databases.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    use std::str::FromStr as _;
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).ok()?;
    Some(options.get_filename().to_path_buf())
}

/// A database URL with any password replaced by `***`, for logs and errors.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        let cases = [
            (
                "postgres://accord:s3cret@db:5432/accord",
                "postgres://accord:***@db:5432/accord",
            ),
            ("postgres://accord@db/accord", "postgres://accord@db/accord"),
            ("sqlite:accord.db", "sqlite:accord.db"),
        ];
        for (url, expected) in cases {
            assert_eq!(redact_url(url), expected);
        }
    }
}
