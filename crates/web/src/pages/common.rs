//! What every page shares: the layout with the caller's account links, and look-ups of the
//! councils a page names.

use accord_domain::{Authority, GssCode};
use maud::{Markup, html};
use std::collections::HashMap;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::WebError;
use crate::layout::{self, Account, Page};

/// Renders a page with the caller's account links in the header.
pub fn render(state: &AppState, viewer: &Viewer, page: Page, content: Markup) -> Markup {
    let account = Account {
        name: viewer.user.as_ref().map(|u| u.display_name.clone()),
        csrf: viewer.csrf.clone(),
    };
    layout::page(&state.config, &page.account(account), content)
}

/// The councils with these GSS codes, by code; unknown codes are left out.
pub async fn councils(
    state: &AppState,
    codes: &[GssCode],
) -> Result<HashMap<String, Authority>, WebError> {
    let mut found = HashMap::new();
    for code in codes {
        if found.contains_key(code.as_str()) {
            continue;
        }
        if let Some(authority) = accord_app::authorities::find(&state.app, code.as_str()).await? {
            found.insert(code.as_str().to_owned(), authority);
        }
    }
    Ok(found)
}

/// A council's short name, or its code when it is not in the register.
pub fn council_name(councils: &HashMap<String, Authority>, code: &GssCode) -> String {
    councils
        .get(code.as_str())
        .map_or_else(|| code.to_string(), |a| a.short_name.clone())
}

/// A date as GOV.UK writes it ("22 May 2014"), or "not stated".
pub fn date_or_not_stated(date: Option<chrono::NaiveDate>) -> Markup {
    html! {
        @match date {
            Some(d) => (accord_domain::mou::long_date(d)),
            None => span class="govuk-hint accord-not-stated" { (accord_domain::seed::NOT_STATED) },
        }
    }
}

/// The source of a record, in small print.
pub fn source_note(source: Option<&str>) -> Markup {
    html! {
        @if let Some(source) = source {
            p class="govuk-body-s accord-source" { "Source: " (source) }
        }
    }
}

/// The GSS codes of a partnership's members, for [`councils`].
pub fn member_codes(p: &accord_domain::Partnership) -> Vec<GssCode> {
    p.members.iter().map(|m| m.authority.clone()).collect()
}

/// Whether the caller may make changes of this kind, to show or hide the links to forms (the
/// routes' guards are what enforce it).
pub fn may(
    viewer: &Viewer,
    area: accord_domain::access::Area,
    partnership_id: i64,
    today: chrono::NaiveDate,
) -> bool {
    use accord_domain::access::{Action, Classification, RecordMeta, decide};
    let meta = RecordMeta {
        area,
        partnership_id: Some(partnership_id),
        owner: viewer.actor.home.clone(),
        classification: Classification::Partnership,
        embargo: None,
    };
    decide(&viewer.actor, Action::Update, &meta, today).is_allowed()
}
