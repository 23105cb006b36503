//! The audit trail as people read it: a record's history, the administrators' search and
//! export, and verifying the hash chain.

use accord_domain::audit::{AuditEntry, BrokenLink, GENESIS_HASH, verify_chain};
pub use accord_store::AuditFilter;

use crate::{App, AppError, Caller, Result};

/// Entries matching a filter, newest first, a page at a time. Only administrators search the
/// whole trail; a record's history is read through [`history`].
pub async fn search(
    app: &App,
    caller: &Caller,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<AuditEntry>> {
    if !caller.actor.admin && caller.system.is_none() {
        return Err(AppError::Forbidden(
            "Only an administrator can search the audit trail.".to_owned(),
        ));
    }
    Ok(app.store().audit_entries(filter, limit, offset).await?)
}

/// The changes to one record (or, with `record_kind` "partnership", to a partnership), newest
/// first. The caller's access to the record is checked by the route that names it.
pub async fn history(app: &App, filter: &AuditFilter, limit: i64) -> Result<Vec<AuditEntry>> {
    Ok(app.store().audit_entries(filter, limit, 0).await?)
}

/// A chain that verified: how many entries, and the head's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Entries in the chain.
    pub entries: i64,
    /// The hash of its last entry.
    pub head: String,
}

/// Entries read per page when walking the chain.
const PAGE: i64 = 5_000;

/// Recomputes the whole hash chain, reporting progress (entries checked) as it goes: the
/// chain as it verified, or its first broken link (an edited entry, or entries removed from
/// its end, which the head no longer matches).
pub async fn verify(
    app: &App,
    progress: &(dyn Fn(i64) + Send + Sync),
) -> Result<std::result::Result<Verified, BrokenLink>> {
    let store = app.store();
    let (head_seq, head_hash) = store.audit_head().await?;
    let (mut seq, mut hash) = (0, GENESIS_HASH.to_owned());
    loop {
        let page = store.audit_chain(seq, PAGE).await?;
        if page.is_empty() {
            break;
        }
        match verify_chain(&page, seq, hash) {
            Ok((s, h)) => (seq, hash) = (s, h),
            Err(broken) => return Ok(Err(broken)),
        }
        progress(seq);
    }
    if (seq, &hash) != (head_seq, &head_hash) {
        return Ok(Err(BrokenLink {
            seq: seq + 1,
            problem: format!(
                "the chain stops at entry {seq} but its head says {head_seq}: entries were removed"
            ),
        }));
    }
    Ok(Ok(Verified {
        entries: seq,
        head: hash,
    }))
}

/// Every entry in chain order, for the export.
pub async fn chain(app: &App) -> Result<Vec<AuditEntry>> {
    let mut entries: Vec<AuditEntry> = Vec::new();
    loop {
        let after = entries.last().map_or(0, |e| e.seq);
        let page = app.store().audit_chain(after, PAGE).await?;
        if page.is_empty() {
            return Ok(entries);
        }
        entries.extend(page);
    }
}

/// The position and hash of the chain's head.
pub async fn head(app: &App) -> Result<(i64, String)> {
    Ok(app.store().audit_head().await?)
}
