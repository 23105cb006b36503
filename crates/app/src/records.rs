//! Finding a record by the name its address gives it: its own reference (`R12`,
//! `FOI-2026-0113`, `OPP-7`) or, for addresses made before records had references, its
//! storage id.

pub use accord_store::StoredRecord;

use crate::{App, Caller, Result};

/// How an address named a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// As it should be named: by its reference, or by its id for kinds that have none yet.
    Current,
    /// By its storage id although it has a reference: an old address, to redirect.
    Old,
}

/// The finance kind of records of `kind`, for kinds with finance references.
fn finance_kind(kind: &str) -> Option<accord_domain::finance::FinanceKind> {
    use accord_domain::finance::FinanceKind;
    use accord_store::finance;
    match kind {
        finance::BUSINESS_CASE_KIND => Some(FinanceKind::BusinessCase),
        finance::ALLOCATION_KIND => Some(FinanceKind::Allocation),
        finance::SAVING_KIND => Some(FinanceKind::Saving),
        finance::FUNDING_AWARD_KIND => Some(FinanceKind::FundingAward),
        _ => None,
    }
}

/// Whether records of `kind` have references of their own.
pub fn has_references(kind: &str) -> bool {
    use accord_store::delivery::{HIGHLIGHT_KIND, PROGRESS_KIND, PROJECT_KIND};
    [
        accord_store::raid::RAID_KIND,
        accord_store::requests::REQUEST_KIND,
        accord_store::governance::BOARD_KIND,
        accord_store::gateway::OPPORTUNITY_KIND,
        PROJECT_KIND,
        HIGHLIGHT_KIND,
        PROGRESS_KIND,
    ]
    .contains(&kind)
        || finance_kind(kind).is_some()
}

/// The canonical reference of a record of `kind` written as `text`, for kinds whose records
/// are addressed by their references; `None` when `text` is not one. (Highlight reports are
/// addressed under their project, whose reference this finds.)
pub fn canonical_reference(kind: &str, text: &str) -> Option<String> {
    match kind {
        accord_store::raid::RAID_KIND => accord_domain::raid::parse_reference(text)
            .map(|(kind, number)| format!("{}{number}", kind.letter())),
        // A request's reference is as it was given: FOI-2026-0113.
        accord_store::requests::REQUEST_KIND => {
            accord_domain::request::is_reference(text).then(|| text.trim().to_owned())
        }
        accord_store::governance::BOARD_KIND => {
            accord_domain::board::BoardLevel::parse("board", text)
                .ok()
                .map(|level| level.slug().to_owned())
        }
        accord_store::gateway::OPPORTUNITY_KIND => {
            accord_domain::opportunity::parse_reference(text)
                .map(accord_domain::opportunity::reference_of)
        }
        accord_store::delivery::PROJECT_KIND => {
            accord_domain::project::parse_reference(text).map(accord_domain::project::reference)
        }
        // A published progress report is named by its version.
        accord_store::delivery::PROGRESS_KIND => text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .map(|n| n.to_string()),
        _ => {
            let finance = finance_kind(kind)?;
            finance.parse(text).map(|n| finance.reference(n))
        }
    }
}

/// The kinds records of `kind` were kept under by earlier releases, whose audit entries keep
/// them: a record's history lists its entries under every one.
pub fn former_kinds(kind: &str) -> &'static [&'static str] {
    match kind {
        accord_store::finance::FUNDING_AWARD_KIND => {
            &[accord_store::finance::FORMER_FUNDING_AWARD_KIND]
        }
        _ => &[],
    }
}

/// Where an old address (`path`, naming a record of `kind` by its storage id `key`) has moved
/// now that the record is named by `reference`: the id replaced by the reference, and, for the
/// kinds whose addresses changed shape, the new shape.
pub fn moved_path(kind: &str, path: &str, key: &str, reference: &str) -> String {
    let mut segments: Vec<String> = path.split('/').map(str::to_owned).collect();
    // The record's id is the first segment that is the key after the partnership's id (which
    // may be the same number); later segments may repeat it (`…/reports/1/versions/1`).
    let start = segments
        .iter()
        .position(|s| s == "partnerships")
        .map_or(0, |i| i + 2);
    let Some(at) = (start..segments.len()).find(|&i| segments[i] == key) else {
        return path.to_owned();
    };
    match (
        kind,
        at.checked_sub(1)
            .and_then(|i| segments.get(i))
            .map(String::as_str),
    ) {
        // `…/progress-reports/{id}` is now `…/progress-report/versions/{version}`.
        (accord_store::delivery::PROGRESS_KIND, Some("progress-reports")) => {
            segments.splice(
                at - 1..=at,
                [
                    "progress-report".to_owned(),
                    "versions".to_owned(),
                    reference.to_owned(),
                ],
            );
        }
        // `…/highlight-reports/{id}` is now `…/projects/P-7/highlight-reports/2`.
        (accord_store::delivery::HIGHLIGHT_KIND, Some("highlight-reports")) => {
            if let Some((project, number)) =
                accord_domain::highlight_report::parse_reference(reference)
            {
                segments.splice(
                    at - 1..=at,
                    [
                        "projects".to_owned(),
                        project.to_owned(),
                        "highlight-reports".to_owned(),
                        number.to_string(),
                    ],
                );
            }
        }
        _ => segments[at] = reference.to_owned(),
    }
    segments.join("/")
}

/// The record of `kind` (`*` for any) in a partnership that `key` names (its reference, or
/// the storage id of an old address), if the caller may read it; `None` both when it does not
/// exist and when the caller may not see it.
pub async fn find(
    app: &App,
    caller: &Caller,
    kind: &str,
    partnership_id: i64,
    key: &str,
) -> Result<Option<(StoredRecord, Named)>> {
    let today = app.today();
    let scope = caller.scope();
    if let Some(reference) = canonical_reference(kind, key) {
        return Ok(app
            .store()
            .record_by_reference(partnership_id, kind, &reference, &scope, today)
            .await?
            .map(|record| (record, Named::Current)));
    }
    find_by_id(app, caller, kind, partnership_id, key).await
}

/// Whether a record of `kind` with this reference can be named by it in an address: a
/// highlight report through its project's reference and its number (`P-7/2`), the others by
/// their canonical reference.
fn addressable(kind: &str, reference: &str) -> bool {
    if kind == accord_store::delivery::HIGHLIGHT_KIND {
        return accord_domain::highlight_report::parse_reference(reference).is_some();
    }
    canonical_reference(kind, reference).is_some()
}

/// The record of `kind` (`*` for any) in a partnership whose storage id is `key`, if the
/// caller may read it: for addresses that name records by id.
pub async fn find_by_id(
    app: &App,
    caller: &Caller,
    kind: &str,
    partnership_id: i64,
    key: &str,
) -> Result<Option<(StoredRecord, Named)>> {
    let today = app.today();
    let scope = caller.scope();
    let Ok(id) = key.trim().parse::<i64>() else {
        return Ok(None);
    };
    let named = if has_references(kind) {
        Named::Old
    } else {
        Named::Current
    };
    Ok(app
        .store()
        .record(id, &scope, today)
        .await?
        .filter(|r| {
            (kind == "*" || r.kind == kind) && r.meta.partnership_id == Some(partnership_id)
        })
        .map(|record| {
            // A reference an earlier release accepted that cannot name the record in an
            // address leaves it addressed by its id.
            let addressable = record
                .reference
                .as_deref()
                .is_some_and(|r| addressable(&record.kind, r));
            let named = if addressable { named } else { Named::Current };
            (record, named)
        }))
}

/// Any record by its storage id, as its header (a record of a kind with a table of its own
/// has `null` as its body), if the caller may read it.
pub async fn get(app: &App, caller: &Caller, id: i64) -> Result<Option<StoredRecord>> {
    Ok(app.store().record(id, &caller.scope(), app.today()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_addresses_move_to_their_records_references() {
        let cases = [
            (
                "raid",
                "/partnerships/5/raid/5",
                "5",
                "R2",
                "/partnerships/5/raid/R2",
            ),
            (
                "project",
                "/partnerships/55/projects/55/edit",
                "55",
                "P-1",
                "/partnerships/55/projects/P-1/edit",
            ),
            (
                "project",
                "/api/v1/partnerships/1/projects/40",
                "40",
                "P-3",
                "/api/v1/partnerships/1/projects/P-3",
            ),
            (
                "request",
                "/partnerships/1/requests/1/actions/forward",
                "1",
                "FOI-1",
                "/partnerships/1/requests/FOI-1/actions/forward",
            ),
            (
                "opportunity",
                "/api/v1/partnerships/5/opportunities/5/assessment",
                "5",
                "OPP-2",
                "/api/v1/partnerships/5/opportunities/OPP-2/assessment",
            ),
            (
                "highlight_report",
                "/partnerships/1/highlight-reports/1/versions/1",
                "1",
                "P-7/2",
                "/partnerships/1/projects/P-7/highlight-reports/2/versions/1",
            ),
            (
                "progress_report",
                "/partnerships/1/progress-reports/77",
                "77",
                "3",
                "/partnerships/1/progress-report/versions/3",
            ),
            (
                "highlight_report",
                "/partnerships/1/highlight-reports/90/versions/1",
                "90",
                "P-7/2",
                "/partnerships/1/projects/P-7/highlight-reports/2/versions/1",
            ),
        ];
        for (kind, path, key, reference, expected) in cases {
            assert_eq!(moved_path(kind, path, key, reference), expected, "{path}");
        }
        assert_eq!(canonical_reference("project", "p7").as_deref(), Some("P-7"));
        assert_eq!(
            canonical_reference("progress_report", "03").as_deref(),
            Some("3")
        );
        assert_eq!(canonical_reference("progress_report", "v3"), None);
        assert_eq!(canonical_reference("highlight_report", "2"), None);
    }
}
