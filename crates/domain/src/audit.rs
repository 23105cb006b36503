//! The tamper-evident audit trail: every change, release and sign-in is an entry that carries
//! the hash of the entry before it, so editing or deleting a stored entry breaks the chain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash that stands before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What kind of event an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditAction {
    /// A record was created.
    Create,
    /// A record was changed.
    Update,
    /// A record was deleted.
    Delete,
    /// An embargoed record was released to its release class.
    Release,
    /// Someone signed in.
    SignIn,
    /// A sign-in failed.
    SignInFailed,
    /// Someone signed out.
    SignOut,
    /// An import replaced reference data.
    Import,
}

impl AuditAction {
    /// Every action, for filters.
    pub const ALL: [AuditAction; 8] = [
        AuditAction::Create,
        AuditAction::Update,
        AuditAction::Delete,
        AuditAction::Release,
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::SignOut,
        AuditAction::Import,
    ];

    /// The stable name used in storage.
    pub fn slug(self) -> &'static str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::Delete => "delete",
            AuditAction::Release => "release",
            AuditAction::SignIn => "sign-in",
            AuditAction::SignInFailed => "sign-in-failed",
            AuditAction::SignOut => "sign-out",
            AuditAction::Import => "import",
        }
    }

    /// Parses a stored name.
    pub fn from_slug(slug: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.slug() == slug)
    }
}

/// The content of an entry, before it is chained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The user who did it, if signed in.
    pub actor_id: Option<i64>,
    /// Who did it, in words (an email address, "accord demo", "system").
    pub actor: String,
    /// What happened.
    pub action: AuditAction,
    /// The kind of record, e.g. "partnership", "member", "mou".
    pub record_kind: String,
    /// The record's identity within its kind.
    pub record_id: String,
    /// The partnership the record belongs to, if any.
    pub partnership_id: Option<i64>,
    /// The record before the change (JSON), if it existed.
    pub before: Option<serde_json::Value>,
    /// The record after the change (JSON), if it still exists.
    pub after: Option<serde_json::Value>,
    /// Why, if the user said.
    pub reason: Option<String>,
}

/// A stored entry: the record, its position and its links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// What happened.
    #[serde(flatten)]
    pub record: AuditRecord,
    /// The hash of the previous entry.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// Computes an entry's hash from its position, its content and the previous hash.
///
/// The content is hashed through its canonical JSON (serde_json writes object keys in a fixed
/// order for these types), with timestamps in RFC 3339 at microsecond precision so the value
/// survives a round trip through either database.
pub fn entry_hash(seq: i64, prev_hash: &str, record: &AuditRecord) -> String {
    let canonical = serde_json::json!({
        "seq": seq,
        "prev": prev_hash,
        "at": record.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "actor_id": record.actor_id,
        "actor": record.actor,
        "action": record.action.slug(),
        "record_kind": record.record_kind,
        "record_id": record.record_id,
        "partnership_id": record.partnership_id,
        "before": record.before,
        "after": record.after,
        "reason": record.reason,
    });
    let mut hasher = Sha256::new();
    hasher.update(canonical.to_string().as_bytes());
    hex::encode(hasher.finalize())
}

/// Where a chain first fails to verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    /// The position of the first entry that does not verify.
    pub seq: i64,
    /// What is wrong with it.
    pub problem: String,
}

/// Checks a run of entries, continuing from the entry before them (`prev_seq`, `prev_hash`;
/// `0` and [`GENESIS_HASH`] at the start). Returns the last position and hash on success so a
/// long chain can be verified in pages.
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
    mut prev_seq: i64,
    mut prev_hash: String,
) -> Result<(i64, String), BrokenLink> {
    for entry in entries {
        if entry.seq != prev_seq + 1 {
            return Err(BrokenLink {
                seq: prev_seq + 1,
                problem: format!(
                    "entry {} is missing (the next stored entry is {})",
                    prev_seq + 1,
                    entry.seq
                ),
            });
        }
        if entry.prev_hash != prev_hash {
            return Err(BrokenLink {
                seq: entry.seq,
                problem: "its link to the previous entry does not match that entry's hash"
                    .to_owned(),
            });
        }
        let expected = entry_hash(entry.seq, &entry.prev_hash, &entry.record);
        if entry.hash != expected {
            return Err(BrokenLink {
                seq: entry.seq,
                problem: "its content does not match its hash: it was changed after it was written"
                    .to_owned(),
            });
        }
        prev_seq = entry.seq;
        prev_hash.clone_from(&entry.hash);
    }
    Ok((prev_seq, prev_hash))
}

/// The columns of the audit trail's CSV export.
pub const CSV_COLUMNS: [&str; 13] = [
    "seq",
    "at",
    "actor_id",
    "actor",
    "action",
    "record_kind",
    "record_id",
    "partnership_id",
    "reason",
    "before",
    "after",
    "prev_hash",
    "hash",
];

/// Writes entries as CSV (with a header), one row per entry, JSON for before and after, so
/// the export can be checked against the chain outside Accord.
pub fn write_csv<'a, W: std::io::Write>(
    writer: W,
    entries: impl IntoIterator<Item = &'a AuditEntry>,
) -> csv::Result<()> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(CSV_COLUMNS)?;
    for e in entries {
        let r = &e.record;
        let json = |v: &Option<serde_json::Value>| {
            v.as_ref()
                .map(serde_json::Value::to_string)
                .unwrap_or_default()
        };
        csv.write_record([
            e.seq.to_string(),
            r.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            r.actor_id.map(|i| i.to_string()).unwrap_or_default(),
            r.actor.clone(),
            r.action.slug().to_owned(),
            r.record_kind.clone(),
            r.record_id.clone(),
            r.partnership_id.map(|i| i.to_string()).unwrap_or_default(),
            r.reason.clone().unwrap_or_default(),
            json(&r.before),
            json(&r.after),
            e.prev_hash.clone(),
            e.hash.clone(),
        ])?;
    }
    csv.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let record = AuditRecord {
                    at: DateTime::from_timestamp(1_300_000_000 + seq, 0).unwrap(),
                    actor_id: Some(1),
                    actor: "officer@haringey.gov.uk".into(),
                    action: AuditAction::Update,
                    record_kind: "partnership".into(),
                    record_id: "1".into(),
                    partnership_id: Some(1),
                    before: Some(serde_json::json!({"name": "A"})),
                    after: Some(serde_json::json!({"name": format!("A{seq}")})),
                    reason: None,
                };
                let hash = entry_hash(seq, &prev, &record);
                let entry = AuditEntry {
                    seq,
                    record,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                entry
            })
            .collect()
    }

    #[test]
    fn csv_export_has_a_row_per_entry() {
        let entries = chain(3);
        let mut out = Vec::new();
        write_csv(&mut out, &entries).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            CSV_COLUMNS.to_vec()
        );
        let rows: Vec<_> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(&rows[2][12], entries[2].hash.as_str());
        assert_eq!(&rows[0][10], r#"{"name":"A1"}"#);
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let entries = chain(5);
        let (seq, hash) = verify_chain(&entries, 0, GENESIS_HASH.to_owned()).unwrap();
        assert_eq!(seq, 5);
        assert_eq!(hash, entries[4].hash);
    }

    #[test]
    fn tampering_is_found_at_the_first_broken_link() {
        type Tamper = fn(&mut Vec<AuditEntry>);
        let cases: [(&str, Tamper, i64); 4] = [
            (
                "edited content",
                |e| e[2].record.after = Some(serde_json::json!({"name": "forged"})),
                3,
            ),
            (
                "edited actor",
                |e| e[1].record.actor = "someone-else".into(),
                2,
            ),
            ("deleted entry", |e| drop(e.remove(3)), 4),
            (
                "rehashed entry",
                |e| {
                    e[2].record.reason = Some("cover-up".into());
                    e[2].hash = entry_hash(3, &e[2].prev_hash, &e[2].record);
                },
                4,
            ),
        ];
        for (name, tamper, seq) in cases {
            let mut entries = chain(6);
            tamper(&mut entries);
            let broken = verify_chain(&entries, 0, GENESIS_HASH.to_owned()).unwrap_err();
            assert_eq!(broken.seq, seq, "{name}: {}", broken.problem);
        }
    }
}
