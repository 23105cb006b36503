//! Who someone is: signing in with a passphrase (throttled per account and per address),
//! sessions, API tokens, changing and resetting a passphrase, and the accounts an administrator
//! sees.
//!
//! Secrets never leave this module in the clear except once, to the person they are for: a new
//! session's cookie value, a new API token. The store keeps only their digests.

use accord_domain::Invalid;
use accord_domain::access::{THROTTLE_MINUTES, UserAccount, check_passphrase, is_throttled};
pub use accord_store::SecurityEvent;
use accord_store::credentials::{
    hash_passphrase, new_secret, secret_digest, verify_nothing, verify_passphrase,
};
use accord_store::{ApiToken, Change, FailedSignIn};
use chrono::{DateTime, Duration, Utc};

use crate::{App, AppError, Caller, Result};

/// Why a sign-in was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInRefusal {
    /// The email or passphrase is wrong (never saying which, nor whether the email has an
    /// account).
    Wrong,
    /// Too many recent failures for the account or the address.
    Throttled,
}

/// A successful sign-in: the new session's secret (for the cookie) and the user.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The session token to set as the cookie.
    pub session: String,
    /// The user.
    pub user: UserAccount,
}

/// A new random token for the web's own use (the CSRF token of a browser).
pub fn new_token() -> String {
    new_secret("").0
}

/// The form token of a session: what every form of that session carries against cross-site
/// requests. It is derived from the session's secret, so an attacker who can plant a cookie but
/// cannot read the session's cannot forge it; a digest under its own label, so the token on a
/// page reveals neither the session nor the digest the database keys it by.
pub fn form_token(session: &str) -> String {
    secret_digest(&format!("accord form token\n{session}"))
}

/// The account behind an API token, if the token is live and its user enabled.
pub async fn token_user(app: &App, token: &str, now: DateTime<Utc>) -> Result<Option<UserAccount>> {
    Ok(app
        .store()
        .api_token_user(&secret_digest(token), now)
        .await?)
}

/// The account of a live session, refreshing its idle clock; `None` for a session unknown,
/// idle too long, past its absolute expiry, or whose user is disabled.
pub async fn session_user(
    app: &App,
    session: &str,
    now: DateTime<Utc>,
    idle: Duration,
) -> Result<Option<UserAccount>> {
    Ok(app
        .store()
        .session_user(&secret_digest(session), now, idle)
        .await?)
}

/// Checks credentials and starts a session lasting at most `length`. Failures are counted per
/// account and per address (and audited), with separate budgets: once the account's is spent,
/// attempts on it are refused unchecked until the throttle lapses; once the address's is spent,
/// only a correct passphrase gets through.
pub async fn sign_in(
    app: &App,
    email: &str,
    passphrase: &str,
    address: &str,
    length: Duration,
) -> Result<std::result::Result<SignedIn, SignInRefusal>> {
    let store = app.store();
    let email = email.trim().to_lowercase();
    let window = Duration::minutes(THROTTLE_MINUTES);
    let keys = vec![format!("account:{email}"), format!("address:{address}")];
    let now = Utc::now();
    let counts = store.sign_in_failures(&keys, now, window).await?;
    let failed = |account: Option<&UserAccount>, unchecked| FailedSignIn {
        address: address.to_owned(),
        account: account.map(|a| a.email.clone()),
        unchecked,
        at: now,
    };
    if is_throttled(counts[0], 0) {
        // The account's own budget is spent: refused unchecked. Counted against the account
        // alone, so that one account under attack does not use up its address's budget and
        // lock out everyone else behind the same address.
        let account = store.user_credentials(&email).await?.map(|(user, _)| user);
        store
            .record_failed_sign_in(&keys[..1], &failed(account.as_ref(), true), window)
            .await?;
        return Ok(Err(SignInRefusal::Throttled));
    }
    // Over the address's budget (many accounts guessed from one place), a correct passphrase
    // still signs in (NCSC: do not lock out the legitimate user); a wrong one is refused as
    // throttled, so the guesser learns no more than before.
    let address_throttled = is_throttled(0, counts[1]);
    let (user, account) = match store.user_credentials(&email).await? {
        Some((user, hash)) if verify_passphrase(&hash, passphrase) && !user.disabled => {
            (Some(user), None)
        }
        Some((user, _)) => (None, Some(user)),
        None => {
            // As long as a real check, so timing does not tell whether the account exists.
            verify_nothing(passphrase);
            (None, None)
        }
    };
    let Some(user) = user else {
        store
            .record_failed_sign_in(&keys, &failed(account.as_ref(), false), window)
            .await?;
        return Ok(Err(if address_throttled {
            SignInRefusal::Throttled
        } else {
            SignInRefusal::Wrong
        }));
    };
    let (session, digest) = new_secret("");
    // The session store clears the account's throttle key, named by the change's actor.
    store
        .create_session(
            &digest,
            user.id,
            now + length,
            &Change::by_user(user.id, email.clone()),
        )
        .await?;
    Ok(Ok(SignedIn { session, user }))
}

/// The failed sign-ins, most recent first, for administrators: one line per address, account
/// and throttle window.
pub async fn security_events(app: &App, caller: &Caller, limit: i64) -> Result<Vec<SecurityEvent>> {
    if !caller.actor.admin && caller.system.is_none() {
        return Err(AppError::Forbidden(
            "Only an administrator can see the security events.".to_owned(),
        ));
    }
    Ok(app.store().security_events(limit).await?)
}

/// Ends a session (audited when it was one).
pub async fn sign_out(app: &App, caller: &Caller, session: &str) -> Result<()> {
    Ok(app
        .store()
        .end_session(&secret_digest(session), &caller.change())
        .await?)
}

fn signed_in(caller: &Caller) -> Result<&UserAccount> {
    caller
        .user
        .as_ref()
        .ok_or_else(|| AppError::Forbidden("Sign in first.".to_owned()))
}

/// Changes the caller's passphrase, checking the current one; every session of theirs ends.
/// Both fields are checked at once.
pub async fn change_passphrase(app: &App, caller: &Caller, current: &str, new: &str) -> Result<()> {
    let user = signed_in(caller)?;
    let (_, hash) = app
        .store()
        .user_credentials(&user.email)
        .await?
        .ok_or_else(|| AppError::not_found("your account"))?;
    let mut errors = Invalid::new();
    if !verify_passphrase(&hash, current) {
        errors.push("current", "Your current passphrase is not correct");
    }
    errors.check(check_passphrase("passphrase", new, &user.email));
    errors.into_result()?;
    Ok(app
        .store()
        .set_passphrase_hash(user.id, &hash_passphrase(new), &caller.change())
        .await?)
}

/// Sets a new passphrase with a one-time reset code. `false` when the code is unknown, used
/// or expired.
pub async fn reset_passphrase(app: &App, code: &str, new: &str) -> Result<bool> {
    // The passphrase rule needs the email, which only the code can tell; check length first.
    check_passphrase("passphrase", new, "")?;
    Ok(app
        .store()
        .use_passphrase_reset(
            &secret_digest(code),
            &hash_passphrase(new),
            &Change::by("passphrase reset"),
        )
        .await?
        .is_some())
}

/// The caller's API tokens, newest first (never their secrets).
pub async fn api_tokens(app: &App, caller: &Caller) -> Result<Vec<ApiToken>> {
    let user = signed_in(caller)?;
    Ok(app.store().api_tokens(user.id).await?)
}

/// Creates an API token for the caller and returns its secret, shown once.
pub async fn create_api_token(app: &App, caller: &Caller, name: &str) -> Result<String> {
    let user = signed_in(caller)?;
    let (token, digest) = new_secret("accord_pat_");
    app.store()
        .create_api_token(user.id, name, &digest, &caller.change())
        .await?;
    Ok(token)
}

/// Revokes one of the caller's API tokens.
pub async fn revoke_api_token(app: &App, caller: &Caller, token_id: i64) -> Result<()> {
    let user = signed_in(caller)?;
    Ok(app
        .store()
        .revoke_api_token(user.id, token_id, &caller.change())
        .await?)
}

/// Every account, for administrators.
pub async fn users(app: &App, caller: &Caller) -> Result<Vec<UserAccount>> {
    if !caller.actor.admin && caller.system.is_none() {
        return Err(AppError::Forbidden(
            "Only an administrator can see every account.".to_owned(),
        ));
    }
    Ok(app.store().users().await?)
}
