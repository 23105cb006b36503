//! `accord user`: accounts, roles, API tokens and passphrase resets.

use crate::cli::open;
use accord_domain::access::{Role, RoleAssignment, check_passphrase, parse_email};
use accord_domain::{GssCode, Invalid};
use accord_store::credentials::{generate_passphrase, hash_passphrase, new_secret};
use accord_store::{Change, NewUser, Store};
use clap::{Args, Subcommand};
use std::io::BufRead;

/// How long a passphrase-reset code lasts.
pub const RESET_HOURS: i64 = 1;

/// The `accord user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Creates an account and prints its passphrase once.
    Add(AddUser),
    /// Assigns a user a role in a partnership (`grant` in earlier releases).
    #[command(alias = "grant")]
    Assign(RoleArgs),
    /// Takes a role assignment away (`revoke` in earlier releases).
    #[command(alias = "revoke")]
    Unassign(RoleArgs),
    /// Creates an API token for a user and prints it once.
    Token {
        /// The user's email.
        #[arg(long)]
        email: String,
        /// What the token is for, e.g. "monthly savings report".
        #[arg(long)]
        name: String,
    },
    /// Revokes one of a user's API tokens.
    RevokeToken {
        /// The user's email.
        #[arg(long)]
        email: String,
        /// The token's id (see `accord user list --tokens`).
        #[arg(long)]
        id: i64,
    },
    /// Prints a one-time link with which the user sets a new passphrase (valid for an hour).
    Reset {
        /// The user's email.
        #[arg(long)]
        email: String,
        /// The address users reach Accord at.
        #[arg(long, default_value = "http://127.0.0.1:8080", env = "ACCORD_BASE_URL")]
        base_url: String,
    },
    /// Stops a user signing in or using API tokens.
    Disable {
        /// The user's email.
        #[arg(long)]
        email: String,
    },
    /// Lets a disabled user sign in again.
    Enable {
        /// The user's email.
        #[arg(long)]
        email: String,
    },
    /// Lists the accounts and their roles.
    List,
}

/// `accord user add`.
#[derive(Debug, Args)]
pub struct AddUser {
    /// The sign-in email.
    #[arg(long)]
    pub email: String,
    /// The name shown on pages (defaults to the email).
    #[arg(long)]
    pub name: Option<String>,
    /// The user's council, by GSS code (e.g. E09000014).
    #[arg(long)]
    pub council: Option<String>,
    /// A role: programme, board, officer, finance, information or viewer (needs --partnership).
    #[arg(long, requires = "partnership")]
    pub role: Option<String>,
    /// The partnership the role is in, by id.
    #[arg(long, requires = "role")]
    pub partnership: Option<i64>,
    /// Makes the user an instance administrator.
    #[arg(long)]
    pub admin: bool,
    /// Reads the passphrase from standard input instead of generating one.
    #[arg(long)]
    pub passphrase_stdin: bool,
}

/// `accord user assign` and `unassign`.
#[derive(Debug, Args)]
pub struct RoleArgs {
    /// The user's email.
    #[arg(long)]
    pub email: String,
    /// The role.
    #[arg(long)]
    pub role: String,
    /// The partnership, by id.
    #[arg(long)]
    pub partnership: i64,
}

const ACTOR: &str = "accord user";

async fn user_id(store: &dyn Store, email: &str) -> anyhow::Result<i64> {
    let email = parse_email("--email", email)?;
    match store.user_credentials(&email).await? {
        Some((user, _)) => Ok(user.id),
        None => Err(Invalid::field("--email", format!("no account has the email {email}")).into()),
    }
}

/// Runs a `user` subcommand.
pub async fn run(db: &str, command: UserCommand) -> anyhow::Result<()> {
    let store = open(db).await?;
    let store = &*store;
    match command {
        UserCommand::Add(add) => add_user(store, add).await?,
        UserCommand::Assign(args) => {
            let id = user_id(store, &args.email).await?;
            let assignment = RoleAssignment {
                partnership_id: args.partnership,
                role: Role::parse("--role", &args.role)?,
            };
            store
                .assign_role(id, assignment, &Change::by(ACTOR))
                .await?;
            out!(
                "{} is now {} in partnership {}.",
                args.email,
                assignment.role.label(),
                assignment.partnership_id
            )?;
        }
        UserCommand::Unassign(args) => {
            let id = user_id(store, &args.email).await?;
            let assignment = RoleAssignment {
                partnership_id: args.partnership,
                role: Role::parse("--role", &args.role)?,
            };
            store
                .unassign_role(id, assignment, &Change::by(ACTOR))
                .await?;
            out!(
                "{} is no longer {} in partnership {}.",
                args.email,
                assignment.role.label(),
                assignment.partnership_id
            )?;
        }
        UserCommand::Token { email, name } => {
            let id = user_id(store, &email).await?;
            let (token, digest) = new_secret("accord_pat_");
            let token_id = store
                .create_api_token(id, &name, &digest, &Change::by(ACTOR))
                .await?;
            out!(
                "API token {token_id} for {email} (shown once; it acts with {email}'s permissions):"
            )?;
            out!("{token}")?;
        }
        UserCommand::RevokeToken { email, id } => {
            let user = user_id(store, &email).await?;
            store.revoke_api_token(user, id, &Change::by(ACTOR)).await?;
            out!("API token {id} of {email} is revoked.")?;
        }
        UserCommand::Reset { email, base_url } => {
            let id = user_id(store, &email).await?;
            let (code, digest) = new_secret("");
            let expires = chrono::Utc::now() + chrono::Duration::hours(RESET_HOURS);
            store
                .create_passphrase_reset(id, &digest, expires, &Change::by(ACTOR))
                .await?;
            out!(
                "Give {email} this link; it works once, until {} UTC:",
                expires.format("%H:%M on %-d %B %Y")
            )?;
            out!("{}/reset-passphrase/{code}", base_url.trim_end_matches('/'))?;
        }
        UserCommand::Disable { email } => {
            let id = user_id(store, &email).await?;
            store
                .set_user_disabled(id, true, &Change::by(ACTOR))
                .await?;
            out!("{email} is disabled: signed out everywhere, API tokens stopped.")?;
        }
        UserCommand::Enable { email } => {
            let id = user_id(store, &email).await?;
            store
                .set_user_disabled(id, false, &Change::by(ACTOR))
                .await?;
            out!("{email} can sign in again.")?;
        }
        UserCommand::List => {
            for user in store.users().await? {
                let roles: Vec<String> = user
                    .role_assignments
                    .iter()
                    .map(|g| format!("{} in {}", g.role, g.partnership_id))
                    .collect();
                out!(
                    "{:<40} {:<28} {:<10} {}{}{}",
                    user.email,
                    user.display_name,
                    user.home.as_ref().map_or("-", GssCode::as_str),
                    if user.admin { "admin; " } else { "" },
                    if user.disabled { "DISABLED; " } else { "" },
                    roles.join(", ")
                )?;
            }
        }
    }
    store.close().await;
    Ok(())
}

async fn add_user(store: &dyn Store, add: AddUser) -> anyhow::Result<()> {
    let mut invalid = Invalid::new();
    let email = invalid.check(parse_email("--email", &add.email));
    let home = add
        .council
        .as_deref()
        .and_then(|c| invalid.check(GssCode::parse("--council", c)));
    let role = add
        .role
        .as_deref()
        .and_then(|r| invalid.check(Role::parse("--role", r)));
    let (passphrase, generated) = if add.passphrase_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        (line.trim_end_matches(['\n', '\r']).to_owned(), false)
    } else {
        (generate_passphrase(), true)
    };
    if let Some(email) = &email {
        invalid.check(check_passphrase("passphrase", &passphrase, email));
    }
    invalid.into_result()?;
    let email = email.unwrap_or_default();
    if let Some(pid) = add.partnership
        && store.partnership(pid).await?.is_none()
    {
        return Err(
            Invalid::field("--partnership", format!("there is no partnership {pid}")).into(),
        );
    }
    let new = NewUser {
        display_name: add.name.unwrap_or_else(|| email.clone()),
        email: email.clone(),
        home,
        passphrase_hash: hash_passphrase(&passphrase),
        admin: add.admin,
    };
    let change = Change::by(ACTOR);
    let id = store.create_user(&new, &change).await?;
    if let (Some(role), Some(partnership_id)) = (role, add.partnership) {
        store
            .assign_role(
                id,
                RoleAssignment {
                    partnership_id,
                    role,
                },
                &change,
            )
            .await?;
    }
    out!("Created {email} (user {id}).")?;
    if generated {
        out!("Passphrase (shown once): {passphrase}")?;
    }
    Ok(())
}
