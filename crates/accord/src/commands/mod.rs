//! The commands behind `accord`'s subcommands.

pub mod audit;
pub mod backup;
pub mod engines;
pub mod import;
pub mod serve;
pub mod users;

use crate::cli::open;

/// `accord demo`.
pub async fn demo(db: &str) -> anyhow::Result<()> {
    let store = open(db).await?;
    let summary = crate::demo::load(&accord_app::App::new(store.clone())).await?;
    out!(
        "Demo loaded: {} partnerships created, {} MOUs recorded, {} councils added, {} users created, {} illustrative requests created.",
        summary.partnerships_created,
        summary.mous_recorded,
        summary.authorities_added,
        summary.users_created,
        summary.requests_created
    )?;
    crate::demo::print_users()?;
    store.close().await;
    Ok(())
}
