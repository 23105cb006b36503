//! Loads the demo partnerships into a store. Loading twice changes nothing the second time:
//! councils, partnerships and MOUs are matched by their natural keys.

use accord_domain::access::{Role, RoleAssignment};
use accord_domain::{GssCode, demo};
use accord_store::credentials::hash_passphrase;
use accord_store::{Change, NewUser, Store};

pub mod delivery;
mod finance;
pub mod opportunities;
mod requests;

/// What a demo load did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    /// Councils added (existing ones, e.g. from an imported register, are left alone).
    pub authorities_added: u64,
    /// Partnerships created.
    pub partnerships_created: u64,
    /// MOUs recorded.
    pub mous_recorded: u64,
    /// Demo users created.
    pub users_created: u64,
    /// Illustrative information requests created.
    pub requests_created: u64,
    /// What the delivery and governance demo added.
    pub delivery: delivery::DeliverySummary,
}

/// The passphrase of every demo user. It is published (in the README and by `accord demo`), so
/// the demo users must never exist on an instance holding real data.
pub const DEMO_PASSPHRASE: &str = "demo passphrase for accord";

/// A demo user: email, name, home council, and role in the Haringey–Waltham Forest
/// partnership (`None` for the administrator).
pub const DEMO_USERS: [(&str, &str, Option<&str>, Option<Role>); 10] = [
    ("admin@demo.accord.test", "Demo administrator", None, None),
    (
        "programme@haringey.demo.accord.test",
        "Programme manager (Haringey)",
        Some("E09000014"),
        Some(Role::Programme),
    ),
    (
        "board@walthamforest.demo.accord.test",
        "Board member (Waltham Forest)",
        Some("E09000031"),
        Some(Role::Board),
    ),
    (
        "officer@haringey.demo.accord.test",
        "Officer (Haringey)",
        Some("E09000014"),
        Some(Role::Officer),
    ),
    (
        "officer@walthamforest.demo.accord.test",
        "Officer (Waltham Forest)",
        Some("E09000031"),
        Some(Role::Officer),
    ),
    (
        "finance@haringey.demo.accord.test",
        "Finance officer (Haringey)",
        Some("E09000014"),
        Some(Role::Finance),
    ),
    (
        "information@walthamforest.demo.accord.test",
        "Information lead (Waltham Forest)",
        Some("E09000031"),
        Some(Role::Information),
    ),
    (
        "information@haringey.demo.accord.test",
        "Information lead (Haringey)",
        Some("E09000014"),
        Some(Role::Information),
    ),
    (
        "councillor@haringey.demo.accord.test",
        "Councillor, scrutiny (Haringey)",
        Some("E09000014"),
        Some(Role::Viewer),
    ),
    (
        "councillor@walthamforest.demo.accord.test",
        "Councillor, scrutiny (Waltham Forest)",
        Some("E09000031"),
        Some(Role::Viewer),
    ),
];

/// The actor the audit trail names for demo records.
pub const DEMO_ACTOR: &str = "accord demo";

/// Loads the seed partnerships, their councils and MOUs.
pub async fn load(app: &accord_app::App) -> anyhow::Result<DemoSummary> {
    let store: &dyn Store = &**app.legacy_store();
    let change = Change::by(DEMO_ACTOR).because("demo data from the seed documents");
    let mut summary = DemoSummary {
        authorities_added: store
            .ensure_authorities(&demo::authorities(), &change)
            .await?,
        ..DemoSummary::default()
    };
    for item in demo::partnerships() {
        let id = match store.partnership_id_by_name(&item.partnership.name).await? {
            Some(id) => id,
            None => {
                summary.partnerships_created += 1;
                store.create_partnership(&item.partnership, &change).await?
            }
        };
        if let Some(mou) = &item.mou
            && store.mou(id).await?.is_none()
        {
            store.save_mou(id, mou, &change).await?;
            summary.mous_recorded += 1;
        }
    }
    let hwf = store
        .partnership_id_by_name(demo::HWF_NAME)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo partnership {} is missing", demo::HWF_NAME))?;
    for (email, name, home, role) in DEMO_USERS {
        if store.user_credentials(email).await?.is_some() {
            continue;
        }
        let user = NewUser {
            email: email.to_owned(),
            display_name: name.to_owned(),
            home: home.map(|g| GssCode::parse("home", g)).transpose()?,
            passphrase_hash: hash_passphrase(DEMO_PASSPHRASE),
            admin: role.is_none(),
        };
        let id = store.create_user(&user, &change).await?;
        if let Some(role) = role {
            store
                .assign_role(
                    id,
                    RoleAssignment {
                        partnership_id: hwf,
                        role,
                    },
                    &change,
                )
                .await?;
        }
        summary.users_created += 1;
    }
    let partnership = store
        .partnership(hwf)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo partnership {} is missing", demo::HWF_NAME))?;
    summary.requests_created = requests::load(app, &partnership).await?;
    opportunities::load(app, hwf).await?;
    summary.delivery = delivery::load(app, hwf).await?;
    finance::load(app).await?;
    Ok(summary)
}

/// Prints the demo users and their passphrase, for a newcomer to sign in with.
pub fn print_users() -> anyhow::Result<()> {
    out!("Demo users (passphrase for all: “{DEMO_PASSPHRASE}”):")?;
    for (email, name, _, role) in DEMO_USERS {
        let what = role.map_or("instance administrator", Role::label);
        out!("  {email:<44} {name} — {what}")?;
    }
    Ok(())
}
