//! What the finance records share: who may see them, and reading and writing them through
//! the record store with the policy checked on the record's real owner and class.
//!
//! Business cases, allocations, savings ledger lines and grants are records of the finance
//! area. A new one is a draft of the author's council (council only) unless the author
//! releases it to the partnership (councillors included) or publishes it.

use accord_domain::access::{Action, Area, Classification, RecordMeta};
use accord_domain::{GssCode, Invalid, Partnership};
use accord_store::{RecordInput, RecordQuery, StoredRecord};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::WebError;
use crate::guard;

/// Who may see a finance record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// A draft: the author's council and the joint programme team.
    #[default]
    Council,
    /// Released to everyone with a role in the partnership, councillors included.
    Partnership,
    /// Published: anyone.
    Published,
}

impl Visibility {
    /// Every choice, most private first.
    pub const ALL: [Visibility; 3] = [
        Visibility::Council,
        Visibility::Partnership,
        Visibility::Published,
    ];

    /// The form value.
    pub fn slug(self) -> &'static str {
        match self {
            Visibility::Council => "council",
            Visibility::Partnership => "partnership",
            Visibility::Published => "published",
        }
    }

    /// For pages.
    pub fn label(self) -> &'static str {
        match self {
            Visibility::Council => "Draft: your council and the joint programme team",
            Visibility::Partnership => "Released to the partnership, councillors included",
            Visibility::Published => "Published: anyone",
        }
    }

    /// A short tag for lists.
    pub fn tag(self) -> &'static str {
        match self {
            Visibility::Council => "Draft",
            Visibility::Partnership => "Released",
            Visibility::Published => "Published",
        }
    }

    /// Reads the form value.
    pub fn parse(field: &str, text: &str) -> Result<Visibility, Invalid> {
        Visibility::ALL
            .into_iter()
            .find(|v| v.slug() == text.trim())
            .ok_or_else(|| Invalid::field(field, "Choose who can see it"))
    }

    /// The visibility a stored record has.
    pub fn of(meta: &RecordMeta) -> Visibility {
        match meta.classification {
            Classification::Published => Visibility::Published,
            Classification::Council => Visibility::Council,
            _ => Visibility::Partnership,
        }
    }
}

/// The access metadata of a finance record written by `viewer`. A draft belongs to the
/// viewer's council; released and published records are the partnership's, owned by none.
pub fn meta_for(
    viewer: &Viewer,
    partnership_id: i64,
    visibility: Visibility,
) -> Result<RecordMeta, Invalid> {
    let (classification, owner) = match visibility {
        Visibility::Council => {
            let Some(home) = viewer.actor.home.clone() else {
                return Err(Invalid::field(
                    "visibility",
                    "You do not work for a council, so you cannot keep a draft for one; release it to the partnership",
                ));
            };
            (Classification::Council, Some(home))
        }
        Visibility::Partnership => (Classification::Partnership, None),
        Visibility::Published => (Classification::Published, None),
    };
    Ok(RecordMeta {
        area: Area::Finance,
        partnership_id: Some(partnership_id),
        owner,
        classification,
        embargo: None,
    })
}

/// The partnership and the GSS codes of its members (past and pending ones included).
pub async fn partnership(
    state: &AppState,
    id: i64,
) -> Result<(Partnership, Vec<GssCode>), WebError> {
    let p = state
        .store
        .partnership(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let members = p.members.iter().map(|m| m.authority.clone()).collect();
    Ok((p, members))
}

/// Every record of `kind` in a partnership that the viewer may read, decoded.
pub async fn list<T: DeserializeOwned>(
    state: &AppState,
    viewer: &Viewer,
    kind: &str,
    partnership_id: i64,
) -> Result<Vec<(StoredRecord, T)>, WebError> {
    let records = state
        .store
        .records(
            &RecordQuery::of(kind, partnership_id),
            &viewer.scope(),
            state.today(),
        )
        .await?;
    records
        .into_iter()
        .map(|r| {
            let body = r.decode::<T>().map_err(|e| WebError::Internal(e.into()))?;
            Ok((r, body))
        })
        .collect()
}

/// One record of `kind` in the partnership, if the viewer may read it.
pub async fn find<T: DeserializeOwned>(
    state: &AppState,
    viewer: &Viewer,
    kind: &str,
    partnership_id: i64,
    id: i64,
) -> Result<Option<(StoredRecord, T)>, WebError> {
    let record = state
        .store
        .record(id, &viewer.scope(), state.today())
        .await?;
    match record {
        Some(r) if r.kind == kind && r.meta.partnership_id == Some(partnership_id) => {
            let body = r.decode::<T>().map_err(|e| WebError::Internal(e.into()))?;
            Ok(Some((r, body)))
        }
        _ => Ok(None),
    }
}

/// Writes a new record after checking the policy with its real owner and class.
pub async fn insert(
    state: &AppState,
    viewer: &Viewer,
    input: &RecordInput,
) -> Result<i64, WebError> {
    guard::check(viewer, Action::Create, &input.meta, state.today())?;
    Ok(state.store.insert_record(input, &viewer.change()).await?)
}

/// Replaces a record's content, checking the policy on the new owner and class too (the route
/// guard checked the old ones). With `expected_version`, a record changed since is refused.
pub async fn update(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    expected_version: Option<i64>,
    input: &RecordInput,
    reason: &str,
) -> Result<i64, WebError> {
    guard::check(viewer, Action::Update, &input.meta, state.today())?;
    let change = viewer.change().because(reason);
    Ok(state
        .store
        .update_record(id, expected_version, input, &change)
        .await?)
}

/// A record as a record input with new content, keeping its parent.
pub fn replaced<T: Serialize>(
    record: &StoredRecord,
    meta: RecordMeta,
    title: &str,
    body: &T,
) -> Result<RecordInput, WebError> {
    let mut input = RecordInput::new(&record.kind, meta, title, body)?;
    input.parent_id = record.parent_id;
    Ok(input)
}

/// Pounds in a JSON number, written as committee reports write them: `£631,661`.
pub fn pounds(value: f64) -> String {
    accord_domain::Money::from_pounds_f64(value).map_or_else(
        || accord_domain::seed::NOT_STATED.to_owned(),
        accord_domain::Money::whole_pounds,
    )
}

/// The `version` query of a delete: the version read, so a record changed since is kept.
#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct DeleteQuery {
    /// The version you read.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Deletes a record after checking the caller read its latest version.
pub async fn delete_checked(
    state: &AppState,
    viewer: &Viewer,
    record: &StoredRecord,
    version: Option<i64>,
) -> Result<(), WebError> {
    match version {
        None => Err(Invalid::field(
            "version",
            "Send the version you read (?version=N), so a record someone else has changed since is not deleted",
        )
        .into()),
        Some(v) if v != record.version => Err(Invalid::field(
            "version",
            "Someone else changed this record after you read it; read it again before deleting it",
        )
        .into()),
        Some(_) => Ok(state.store.delete_record(record.id, &viewer.change()).await?),
    }
}
