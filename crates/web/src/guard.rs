//! Every route declares who may use it (a [`Guard`]), and the guard is enforced before the
//! handler runs, with the domain's one policy function. A handler cannot forget a check, and the
//! route table test (`tests/access.rs`) walks every route with every role.

use accord_app::records::StoredRecord;
use accord_domain::access::{Action, Area, RecordMeta, decide};
use axum::extract::{RawPathParams, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{WebError, is_api_path};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Anyone, including anonymous visitors (what it shows is still filtered by the reader).
    Public,
    /// Any signed-in user or API token.
    SignedIn,
    /// Instance administrators.
    Admin,
    /// An action in an area of the partnership named by the path's `{id}`.
    Partnership(Area, Action),
    /// An action on the record named by the path's `{record_id}`, of this kind (`*` for any),
    /// in the partnership `{id}`.
    Record(&'static str, Action),
}

/// The record a [`Guard::Record`] loaded and allowed, for the handler to use.
#[derive(Debug, Clone)]
pub struct GuardedRecord(pub StoredRecord);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for GuardedRecord {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, WebError> {
        parts
            .extensions
            .get::<GuardedRecord>()
            .cloned()
            .ok_or(WebError::NotFound)
    }
}

fn param(params: &RawPathParams, name: &str) -> Option<i64> {
    params
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, v)| v.parse().ok())
}

/// The refusal for a caller who may not: anonymous people are asked to sign in (API callers get
/// 401), signed-in ones are told they may not (403).
fn deny(viewer: &Viewer, path: &str, query: Option<&str>) -> Response {
    if viewer.is_signed_in() {
        return WebError::Forbidden.into_response();
    }
    if is_api_path(path) {
        return WebError::Unauthorised.into_response();
    }
    let next = match query {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    };
    let target = format!("/sign-in?next={}", urlencode(&next));
    (StatusCode::SEE_OTHER, Redirect::to(&target)).into_response()
}

/// Percent-encodes a value for a query string.
pub fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Enforces `guard` on a request.
pub async fn enforce(
    guard: Guard,
    params: RawPathParams,
    request: Request,
    next: Next,
) -> Response {
    let mut request = match crate::auth::check_csrf(request).await {
        Ok(request) => request,
        Err(refusal) => return refusal,
    };
    let viewer = request
        .extensions()
        .get::<Viewer>()
        .cloned()
        .unwrap_or_else(|| Viewer::anonymous(String::new()));
    let Some(state) = request.extensions().get::<AppState>().cloned() else {
        return WebError::Internal(anyhow::anyhow!(
            "the guard ran without the application state"
        ))
        .into_response();
    };
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let today = state.today();
    match guard {
        Guard::Public => {}
        Guard::SignedIn => {
            if !viewer.is_signed_in() {
                return deny(&viewer, &path, query.as_deref());
            }
        }
        Guard::Admin => {
            if !viewer.actor.admin {
                return deny(&viewer, &path, query.as_deref());
            }
        }
        Guard::Partnership(area, action) => {
            let Some(id) = param(&params, "id") else {
                return WebError::NotFound.into_response();
            };
            match accord_app::partnership::exists(&state.app, id).await {
                Ok(true) => {}
                Ok(false) => return WebError::NotFound.into_response(),
                Err(e) => return WebError::from(e).into_response(),
            }
            // The partnership itself is published; what is written in it belongs to the
            // caller's own council unless the handler says otherwise (it checks again with the
            // record's real owner and class).
            let meta = if action == Action::Read {
                RecordMeta::published(area, Some(id))
            } else {
                RecordMeta {
                    area,
                    partnership_id: Some(id),
                    owner: viewer.actor.home.clone(),
                    classification: accord_domain::access::Classification::Partnership,
                    embargo: None,
                }
            };
            if !decide(&viewer.actor, action, &meta, today).is_allowed() {
                return deny(&viewer, &path, query.as_deref());
            }
        }
        Guard::Record(kind, action) => {
            let Some(id) = param(&params, "id") else {
                return WebError::NotFound.into_response();
            };
            // A record is named by its reference (`R12`, `P-7`), or by its storage id on
            // addresses made before it had one: a `{reference}` may be either, a `{record_id}`
            // is always an id.
            let Some((name, key)) = params
                .iter()
                .find(|(n, _)| *n == "reference" || *n == "record_id")
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
            else {
                return WebError::NotFound.into_response();
            };
            let caller = viewer.caller();
            let found = if name == "reference" {
                accord_app::records::find(&state.app, &caller, kind, id, &key).await
            } else {
                accord_app::records::find_by_id(&state.app, &caller, kind, id, &key).await
            };
            let record = match found {
                Ok(Some((record, named))) => {
                    if named == accord_app::records::Named::Old
                        && request.method() == axum::http::Method::GET
                        && let Some(reference) = &record.reference
                    {
                        let moved =
                            accord_app::records::moved_path(&record.kind, &path, &key, reference);
                        let moved = match &query {
                            Some(q) => format!("{moved}?{q}"),
                            None => moved,
                        };
                        return Redirect::permanent(&moved).into_response();
                    }
                    record
                }
                // Not there, or not for this reader: the same answer, so existence is not revealed.
                Ok(None) => return WebError::NotFound.into_response(),
                Err(e) => return WebError::from(e).into_response(),
            };
            if !decide(&viewer.actor, action, &record.meta, today).is_allowed() {
                return deny(&viewer, &path, query.as_deref());
            }
            request.extensions_mut().insert(GuardedRecord(record));
        }
    }
    next.run(request).await
}

/// Checks a write against the policy with the record's real metadata (owner, class), for
/// handlers whose route guard could only check the area.
pub fn check(
    viewer: &Viewer,
    action: Action,
    meta: &RecordMeta,
    today: chrono::NaiveDate,
) -> Result<(), WebError> {
    match decide(&viewer.actor, action, meta, today) {
        accord_domain::access::Decision::Allow => Ok(()),
        accord_domain::access::Decision::Deny(reason) => Err(WebError::Refused(
            StatusCode::FORBIDDEN,
            format!("You cannot do this: {reason}."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_next_paths() {
        assert_eq!(
            urlencode("/partnerships/1?on=2011-07-21"),
            "/partnerships/1%3Fon%3D2011-07-21"
        );
    }
}
