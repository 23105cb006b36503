//! Turns the domain's [`ReadScope`] into a SQL condition on a classified table, so that what a
//! user may not see is never loaded. `tests/scope.rs` checks it against `ReadScope::permits`
//! record by record.

use accord_domain::access::ReadScope;
use chrono::NaiveDate;
use std::fmt::Write;

/// The SQL expression for a row's class on `today`: an embargo whose date has come counts as
/// released even before the sweep writes the release down.
pub(crate) fn effective_class(t: &str, today: NaiveDate) -> String {
    format!(
        "(CASE WHEN {t}.classification = 'embargoed' AND {t}.embargo_until IS NOT NULL \
         AND {t}.embargo_until <= '{today}' THEN {t}.release_class ELSE {t}.classification END)"
    )
}

fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A condition true for the rows of table alias `t` that the scope may read on `today`.
///
/// Values are spliced in rather than bound: they are integers, a date and a GSS code that
/// `GssCode::parse` has already checked to be a letter and eight digits, so nothing here can
/// carry SQL. Splicing keeps one statement text per scope for both backends.
pub(crate) fn visible(scope: &ReadScope, today: NaiveDate, t: &str) -> String {
    let class = effective_class(t, today);
    let mut sql = format!("({class} = 'published'");
    if scope.everything_but_personal {
        let _ = write!(sql, " OR {class} <> 'personal'");
    }
    let mut clause = |ids: &[i64], condition: &str| {
        if !ids.is_empty() {
            let _ = write!(
                sql,
                " OR ({t}.partnership_id IN ({}) AND {condition})",
                id_list(ids)
            );
        }
    };
    clause(&scope.partnership, &format!("{class} = 'partnership'"));
    clause(&scope.council_any, &format!("{class} = 'council'"));
    if let Some(home) = &scope.home {
        clause(
            &scope.council_own,
            &format!(
                "{class} = 'council' AND {t}.owner_gss = '{}'",
                home.as_str()
            ),
        );
    }
    clause(&scope.embargoed, &format!("{class} = 'embargoed'"));
    clause(&scope.personal, &format!("{class} = 'personal'"));
    sql.push(')');
    sql
}
