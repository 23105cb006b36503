//! The audit trail as people read it: a record's history, and the administrators' search and
//! export.

use accord_app::audit::AuditFilter;
use accord_domain::audit::{AuditAction, AuditEntry, write_csv};
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

use super::common::render;
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Choice, Column, Field, Table, button, button_link, pagination, select, table,
    text_input,
};
use crate::error::WebError;
use crate::guard::GuardedRecord;
use crate::layout::Page;

/// One field that a change altered, for display.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    /// The field's path, such as `members[2].left`.
    pub path: String,
    /// Its value before, if it had one.
    pub before: Option<Value>,
    /// Its value after, if it has one.
    pub after: Option<Value>,
}

/// The fields that differ between two JSON values, depth first.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk("", before, after, &mut out);
    out
}

fn walk(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<FieldChange>) {
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(&child, b.get(key), a.get(key), out);
            }
        }
        (Some(Value::Array(b)), Some(Value::Array(a))) if b.len() == a.len() => {
            for (i, (x, y)) in b.iter().zip(a).enumerate() {
                walk(&format!("{path}[{i}]"), Some(x), Some(y), out);
            }
        }
        (b, a) if b != a => out.push(FieldChange {
            path: if path.is_empty() {
                "(the record)".to_owned()
            } else {
                path.to_owned()
            },
            before: b.cloned(),
            after: a.cloned(),
        }),
        _ => {}
    }
}

fn show_value(value: Option<&Value>) -> Markup {
    html! {
        @match value {
            None | Some(Value::Null) => span class="govuk-hint" { "(none)" },
            Some(Value::String(s)) => (s),
            Some(other) => code class="accord-json" { (other.to_string()) },
        }
    }
}

fn action_label(action: AuditAction) -> &'static str {
    match action {
        AuditAction::Create => "Created",
        AuditAction::Update => "Changed",
        AuditAction::Delete => "Deleted",
        AuditAction::Release => "Released from embargo",
        AuditAction::SignIn => "Signed in",
        AuditAction::SignInFailed => "Failed sign-in",
        AuditAction::SignOut => "Signed out",
        AuditAction::Import => "Imported",
    }
}

/// The entries as a list of changes, newest first.
pub fn entries_list(entries: &[AuditEntry]) -> Markup {
    html! {
        @for e in entries {
            div class="accord-audit-entry" {
                h3 class="govuk-heading-s" {
                    (action_label(e.record.action)) " " (e.record.record_kind.replace('_', " ")) " " (e.record.record_id)
                    span class="govuk-caption-m" {
                        (e.record.at.format("%-d %B %Y at %H:%M:%S UTC")) " by " (e.record.actor)
                    }
                }
                @if let Some(reason) = &e.record.reason { p class="govuk-body" { "Reason: " (reason) } }
                @let changes = diff(e.record.before.as_ref(), e.record.after.as_ref());
                @if !changes.is_empty() && e.record.before.is_some() {
                    table class="govuk-table" {
                        caption class="govuk-table__caption govuk-visually-hidden" { "What changed in entry " (e.seq) }
                        thead class="govuk-table__head" {
                            tr class="govuk-table__row" {
                                th scope="col" class="govuk-table__header" { "Field" }
                                th scope="col" class="govuk-table__header" { "Before" }
                                th scope="col" class="govuk-table__header" { "After" }
                            }
                        }
                        tbody class="govuk-table__body" {
                            @for c in changes.iter().take(30) {
                                tr class="govuk-table__row" {
                                    th scope="row" class="govuk-table__header" { (c.path) }
                                    td class="govuk-table__cell" { (show_value(c.before.as_ref())) }
                                    td class="govuk-table__cell" { (show_value(c.after.as_ref())) }
                                }
                            }
                        }
                    }
                }
                p class="govuk-body-s accord-hash" { "Entry " (e.seq) ", hash " (e.hash.get(..16).unwrap_or(&e.hash)) "…" }
            }
        }
    }
}

/// `GET /partnerships/{id}/history`: changes to the partnership, its members and its MOU.
pub async fn partnership_history(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let partnership = accord_app::partnership::get(&state.app, id).await?;
    let mut entries = Vec::new();
    for kind in ["partnership", "member", "mou", "mou_event"] {
        let filter = AuditFilter {
            record_kind: Some(kind.to_owned()),
            partnership_id: Some(id),
            ..AuditFilter::default()
        };
        entries.extend(accord_app::audit::history(&state.app, &filter, 500).await?);
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.seq));
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("History – {}", partnership.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(partnership.name.clone(), format!("/partnerships/{id}")),
        html! {
            span class="govuk-caption-l" { (partnership.name) }
            h1 class="govuk-heading-xl" { "History of changes" }
            p class="govuk-body" { "Every change to the partnership, its members and its MOU, with who made it and why. Newest first." }
            (entries_list(&entries))
        },
    ))
}

/// `GET /partnerships/{id}/records/{record_id}/history`: one record's changes.
pub async fn record_history(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let filter = AuditFilter {
        record_kind: Some(record.kind.clone()),
        record_id: Some(record.id.to_string()),
        ..AuditFilter::default()
    };
    let entries = accord_app::audit::history(&state.app, &filter, 1000).await?;
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("History – {}", record.title)),
        html! {
            span class="govuk-caption-l" { (record.title) }
            h1 class="govuk-heading-xl" { "History of changes" }
            (entries_list(&entries))
        },
    ))
}

/// The audit search's query.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    partnership: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    page: Option<u32>,
}

impl AuditQuery {
    fn filter(&self) -> Result<AuditFilter, accord_domain::Invalid> {
        let mut invalid = accord_domain::Invalid::new();
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let day =
            |field: &str, s: &str, invalid: &mut accord_domain::Invalid| -> Option<NaiveDate> {
                text(s).and_then(|s| invalid.check(accord_domain::authority::parse_date(field, &s)))
            };
        let from = day("from", &self.from, &mut invalid);
        let until = day("until", &self.until, &mut invalid);
        let partnership_id = text(&self.partnership).and_then(|p| match p.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                invalid.push("partnership", "Enter a partnership’s number");
                None
            }
        });
        let action = text(&self.action).and_then(|a| {
            let found = AuditAction::from_slug(&a);
            if found.is_none() {
                invalid.push("action", "Choose an action from the list");
            }
            found
        });
        invalid.into_result()?;
        let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| Utc.from_utc_datetime(&t));
        Ok(AuditFilter {
            record_kind: text(&self.kind),
            record_id: None,
            partnership_id,
            actor: text(&self.actor),
            action,
            from: from.and_then(midnight),
            until: until.and_then(|d| d.succ_opt()).and_then(midnight),
        })
    }

    fn query_string(&self) -> String {
        let pairs = [
            ("actor", &self.actor),
            ("kind", &self.kind),
            ("action", &self.action),
            ("partnership", &self.partnership),
            ("from", &self.from),
            ("until", &self.until),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", crate::guard::urlencode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

const PAGE_SIZE: i64 = 50;

/// `GET /admin/audit`: search the audit trail.
pub async fn audit_search(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<AuditQuery>,
) -> Result<Markup, WebError> {
    let (entries, errors) = match query.filter() {
        Ok(filter) => {
            let page = i64::from(query.page.unwrap_or(1).max(1));
            (
                accord_app::audit::search(
                    &state.app,
                    &viewer.caller(),
                    &filter,
                    PAGE_SIZE + 1,
                    (page - 1) * PAGE_SIZE,
                )
                .await?,
                accord_domain::Invalid::new(),
            )
        }
        Err(e) => (Vec::new(), e),
    };
    let page = query.page.unwrap_or(1).max(1);
    let more = entries.len() as i64 > PAGE_SIZE;
    let shown: Vec<AuditEntry> = entries
        .into_iter()
        .take(usize::try_from(PAGE_SIZE).unwrap_or(50))
        .collect();
    let (head, _) = accord_app::audit::head(&state.app).await?;
    let mut actions = vec![Choice::new("", "Any action")];
    actions.extend(
        AuditAction::ALL
            .iter()
            .map(|a| Choice::new(a.slug(), action_label(*a))),
    );
    let qs = query.query_string();
    let mut summary = Table::new(
        format!("Entries (page {page})"),
        vec![
            Column::text("Entry"),
            Column::text("When"),
            Column::text("Who"),
            Column::text("What"),
        ],
    );
    for e in &shown {
        summary = summary.row(vec![
            html! { (e.seq) },
            html! { (e.record.at.format("%-d %b %Y %H:%M:%S")) },
            html! { (e.record.actor) },
            html! { (action_label(e.record.action)) " " (e.record.record_kind.replace('_', " ")) " " (e.record.record_id) },
        ]);
    }
    Ok(render(
        &state,
        &viewer,
        Page::new("Audit trail").with_errors(&errors),
        html! {
            (crate::components::error_summary(&errors))
            h1 class="govuk-heading-xl" { "Audit trail" }
            p class="govuk-body" {
                "Every change, in a tamper-evident chain. Failed sign-ins, which change nothing, are in the "
                a class="govuk-link" href="/admin/security" { "security events" } "."
            }
            p class="govuk-body" {
                "Every change, release and sign-in, each entry chained to the one before by its hash. "
                "The chain holds " (head) " entries; " code { "accord audit verify" } " checks it."
            }
            form method="get" action="/admin/audit" novalidate {
                (text_input(&Field::new("actor", "Who (email address)").value(&query.actor).errors(&errors)))
                (text_input(&Field::new("kind", "Kind of record").hint("For example partnership, member, mou, user, paper").value(&query.kind).errors(&errors)))
                (select(&Field::new("action", "Action").value(&query.action).errors(&errors), &actions))
                (text_input(&Field::new("partnership", "Partnership number").value(&query.partnership).errors(&errors)))
                (text_input(&Field::new("from", "From (YYYY-MM-DD)").value(&query.from).errors(&errors)))
                (text_input(&Field::new("until", "Until (YYYY-MM-DD)").value(&query.until).errors(&errors)))
                div class="govuk-button-group" {
                    (button("Search", ButtonKind::Secondary))
                    (button_link("Download as CSV", &format!("/admin/audit.csv?{qs}"), ButtonKind::Secondary))
                }
            }
            (table(&summary))
            (pagination(page, if more { page + 1 } else { page }, |p| format!("/admin/audit?{qs}&page={p}")))
            (entries_list(&shown))
        },
    ))
}

/// `GET /admin/audit.csv`: the search's entries as CSV, oldest first.
pub async fn audit_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let filter = query.filter()?;
    let mut entries =
        accord_app::audit::search(&state.app, &viewer.caller(), &filter, 10_000, 0).await?;
    entries.reverse();
    let mut body = Vec::new();
    write_csv(&mut body, &entries).map_err(|e| WebError::Internal(e.into()))?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"accord-audit.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// `GET /admin/users`: the accounts and their roles (managed with `accord user`).
pub async fn users(State(state): State<AppState>, viewer: Viewer) -> Result<Markup, WebError> {
    let users = accord_app::identity::users(&state.app, &viewer.caller()).await?;
    let mut list = Table::new(
        "Users",
        vec![
            Column::text("Name"),
            Column::text("Email"),
            Column::text("Council"),
            Column::text("Roles"),
        ],
    );
    for u in &users {
        list = list.row(vec![
            html! { (u.display_name) @if u.disabled { " (disabled)" } },
            html! { (u.email) },
            html! { (u.home.as_ref().map_or("", |g| g.as_str())) },
            html! {
                @if u.admin { "Administrator" br; }
                @for g in &u.role_assignments { (g.role.label()) " in partnership " (g.partnership_id) br; }
            },
        ]);
    }
    Ok(render(
        &state,
        &viewer,
        Page::new("Users"),
        html! {
            h1 class="govuk-heading-xl" { "Users" }
            p class="govuk-body" { "Accounts are managed with " code { "accord user" } " on the server." }
            (table(&list))
        },
    ))
}

/// `GET /admin/security`: the failed sign-ins, counted per address, account and window.
pub async fn security_events(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Markup, WebError> {
    let events =
        accord_app::identity::security_events(&state.app, &viewer.caller(), SECURITY_EVENTS)
            .await?;
    let mut list = Table::new(
        "Failed sign-ins",
        vec![
            Column::text("From address"),
            Column::text("Account"),
            Column::text("Between"),
            Column::numeric("Attempts"),
            Column::numeric("Refused unchecked"),
        ],
    );
    for e in &events {
        list = list.row(vec![
            html! { (e.address) },
            html! {
                @match &e.account {
                    Some(email) => (email),
                    None => span class="govuk-hint" { "emails that no account has" },
                }
            },
            html! { (e.first_at.format("%-d %B %Y %H:%M:%S")) " and " (e.last_at.format("%H:%M:%S")) " UTC" },
            html! { (e.attempts) },
            html! { (e.refused_unchecked) },
        ]);
    }
    Ok(render(
        &state,
        &viewer,
        Page::new("Security events"),
        html! {
            h1 class="govuk-heading-xl" { "Security events" }
            p class="govuk-body" {
                "Failed sign-ins, one line for each address, account and "
                (accord_domain::access::THROTTLE_MINUTES) "-minute window, most recent first. "
                "They are kept apart from the audit trail, which records changes: a failed "
                "sign-in changes nothing. An email that no account has is not kept."
            }
            @if events.is_empty() {
                p class="govuk-body" { "No sign-in has failed." }
            } @else {
                (table(&list))
            }
        },
    ))
}

/// How many lines of security events the page shows.
const SECURITY_EVENTS: i64 = 200;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_changed_fields() {
        let before = json!({"name": "A", "members": [{"left": null}], "same": 1});
        let after =
            json!({"name": "B", "members": [{"left": "2014-03-31"}], "same": 1, "new": true});
        let paths: Vec<String> = diff(Some(&before), Some(&after))
            .into_iter()
            .map(|c| c.path)
            .collect();
        assert_eq!(paths, vec!["members[0].left", "name", "new"]);
        assert_eq!(diff(None, Some(&json!({"a": 1})))[0].path, "(the record)");
    }
}
