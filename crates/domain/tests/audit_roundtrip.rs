//! An audit entry is hashed from its values and stored as JSON text; read back, the text must
//! give the same values, or the chain breaks. Appraisals hold discount factors and cash flows
//! at full `f64` precision, which is where a parser a unit in the last place off shows.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

use accord_domain::audit::{AuditAction, AuditRecord, entry_hash};
use chrono::DateTime;
use proptest::prelude::*;

fn record(after: serde_json::Value) -> AuditRecord {
    AuditRecord {
        at: DateTime::from_timestamp(1_300_000_000, 0).unwrap(),
        actor_id: Some(1),
        actor: "finance@haringey.gov.uk".into(),
        action: AuditAction::Create,
        record_kind: "business_case".into(),
        record_id: "1".into(),
        partnership_id: Some(1),
        before: None,
        after: Some(after),
        reason: None,
    }
}

/// What the store does: the snapshot written as text, and read back from it.
fn read_back(record: &AuditRecord) -> AuditRecord {
    let text = record.after.as_ref().unwrap().to_string();
    AuditRecord {
        after: Some(serde_json::from_str(&text).unwrap()),
        ..record.clone()
    }
}

#[test]
fn a_discount_factor_read_back_hashes_alike() {
    // 1 / 1.035^n, as the appraisal writes them.
    let factors: Vec<f64> = (0..60).map(|n| 1.035f64.powi(-n)).collect();
    let written = record(serde_json::json!({ "discount_factors": factors }));
    assert_eq!(
        entry_hash(1, "0", &read_back(&written)),
        entry_hash(1, "0", &written)
    );
}

proptest! {
    #[test]
    fn any_finite_number_read_back_hashes_alike(values in prop::collection::vec(any::<f64>().prop_filter("finite", |v| v.is_finite()), 1..50)) {
        let written = record(serde_json::json!({ "values": values }));
        prop_assert_eq!(entry_hash(7, "abc", &read_back(&written)), entry_hash(7, "abc", &written));
    }
}
