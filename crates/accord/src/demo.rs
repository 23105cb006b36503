//! Loads the demo partnerships into a store. Loading twice changes nothing the second time:
//! councils, partnerships and MOUs are matched by their natural keys.

use accord_domain::demo;
use accord_store::{Change, Store};

/// What a demo load did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    /// Councils added (existing ones, e.g. from an imported register, are left alone).
    pub authorities_added: u64,
    /// Partnerships created.
    pub partnerships_created: u64,
    /// MOUs recorded.
    pub mous_recorded: u64,
}

/// The actor the audit trail names for demo records.
pub const DEMO_ACTOR: &str = "accord demo";

/// Loads the seed partnerships, their councils and MOUs.
pub async fn load(store: &dyn Store) -> anyhow::Result<DemoSummary> {
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
    Ok(summary)
}
