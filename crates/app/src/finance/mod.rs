//! Finance (MOU 7.1, report 7.5.1 and 8.2): business cases with their Green Book appraisal and
//! Monte Carlo risk, allocations of costs and benefits between councils, the savings ledger
//! against each council's MTFS, and external funding awards with their tranches.
//!
//! Every finance record is of the finance area. A new one is a draft of its author's council
//! (council only) unless the author releases it to the partnership (councillors included) or
//! publishes it ([`Visibility`]). Each use case checks the policy with the record's real owner
//! and class, validates through the domain (and the engines), and writes in one
//! [`accord_store::WriteTx`] with its audit entry, from the version the caller read.

pub mod allocations;
pub mod business_cases;
pub mod files;
pub mod funding;
pub mod savings;

use std::collections::HashMap;

use accord_domain::access::{Action, Area, Classification, RecordMeta, decide};
use accord_domain::finance::FinanceKind;
use accord_domain::{GssCode, Invalid, Partnership};
use accord_store::Stored;
use accord_store::finance::{Order, Page};

pub use accord_store::finance::allocations::AllocationFilter;
pub use accord_store::finance::business_cases::BusinessCaseFilter;
pub use accord_store::finance::funding::{FundingFilter, FundingStatus};
pub use accord_store::finance::savings::{SavingsFilter, SavingsOrder, SavingsTotal};
pub use accord_store::finance::{
    ALLOCATION_KIND, BUSINESS_CASE_KIND, FUNDING_AWARD_KIND, Order as ListOrder, SAVING_KIND,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::list::{ListRequest, Start, encode_cursor};
use crate::{App, AppError, Caller, Result};

/// Who may see a finance record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    pub fn parse(field: &str, text: &str) -> std::result::Result<Visibility, Invalid> {
        Visibility::ALL
            .into_iter()
            .find(|v| v.slug() == text.trim())
            .ok_or_else(|| Invalid::field(field, "Choose who can see it"))
    }

    /// The visibility of a stored record.
    pub fn of(meta: &RecordMeta) -> Visibility {
        match meta.classification {
            Classification::Published => Visibility::Published,
            Classification::Council => Visibility::Council,
            _ => Visibility::Partnership,
        }
    }
}

/// The access metadata of a finance record written by `caller`. A draft belongs to the
/// caller's council; released and published records are the partnership's, owned by none.
pub fn meta_for(
    caller: &Caller,
    partnership_id: i64,
    visibility: Visibility,
) -> std::result::Result<RecordMeta, Invalid> {
    let (classification, owner) = match visibility {
        Visibility::Council => {
            let Some(home) = caller.actor.home.clone() else {
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

/// The metadata a changed record takes: a draft keeps the council that owns it, whoever edits
/// it (the programme team may edit any council's draft); a record whose class is not one a
/// finance form offers (an embargoed one) keeps its metadata while its visibility is left as
/// it was.
fn changed_meta(
    caller: &Caller,
    old: &RecordMeta,
    visibility: Visibility,
) -> std::result::Result<RecordMeta, Invalid> {
    let offered = matches!(
        old.classification,
        Classification::Council | Classification::Partnership | Classification::Published
    );
    if Visibility::of(old) == visibility
        && (old.classification == Classification::Council || !offered)
    {
        return Ok(old.clone());
    }
    meta_for(caller, old.partnership_id.unwrap_or_default(), visibility)
}

/// A finance record as its reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<T> {
    /// The record's id (its history is filed under it).
    pub record_id: i64,
    /// Its reference in the partnership: `BC-3`.
    pub reference: String,
    /// The version a change must name.
    pub version: i64,
    /// Who may see and change it.
    pub meta: RecordMeta,
    /// Who may see it, as the forms offer it.
    pub visibility: Visibility,
    /// Its class today (an embargo whose date has come counts as released).
    pub classification: Classification,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Whether the reader may change it.
    pub may_change: bool,
    /// Whether the reader may delete it.
    pub may_delete: bool,
    /// The record.
    pub value: T,
}

impl<T> Entry<T> {
    fn of<S>(
        kind: FinanceKind,
        stored: Stored<S>,
        value: T,
        caller: &Caller,
        today: NaiveDate,
    ) -> Self {
        let may = |action| {
            caller.system.is_some()
                || decide(&caller.actor, action, &stored.meta, today).is_allowed()
        };
        Entry {
            record_id: stored.record_id,
            reference: kind.reference(stored.number),
            version: stored.version,
            visibility: Visibility::of(&stored.meta),
            classification: stored.meta.effective_classification(today),
            may_change: may(Action::Update),
            may_delete: may(Action::Delete),
            meta: stored.meta,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
            value,
        }
    }
}

/// What every finance page shows around its records: the partnership, its member councils
/// and their names, and whether the reader may add finance records to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// The partnership.
    pub partnership: Partnership,
    /// Its member councils (past and pending ones included).
    pub members: Vec<GssCode>,
    /// Council names by GSS code, for the members and any other council asked about.
    pub names: HashMap<String, String>,
    /// Whether the reader may add finance records.
    pub may_add: bool,
}

impl Context {
    /// A council's name, or its code when the register does not have it.
    pub fn name_of<'a>(&'a self, code: &'a str) -> &'a str {
        self.names.get(code).map_or(code, String::as_str)
    }
}

/// The partnership's finance context, for the caller.
pub async fn context(app: &App, caller: &Caller, partnership_id: i64) -> Result<Context> {
    let partnership = app
        .store()
        .partnership(partnership_id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("partnership {partnership_id}")))?;
    let members: Vec<GssCode> = partnership
        .members
        .iter()
        .map(|m| m.authority.clone())
        .collect();
    let names = council_names(app, &members).await?;
    let meta = RecordMeta {
        area: Area::Finance,
        partnership_id: Some(partnership_id),
        owner: caller.actor.home.clone(),
        classification: Classification::Partnership,
        embargo: None,
    };
    let may_add = decide(&caller.actor, Action::Update, &meta, app.today()).is_allowed();
    Ok(Context {
        partnership,
        members,
        names,
        may_add,
    })
}

/// The short names of these councils by GSS code; a council the register lacks is named by
/// its code.
pub async fn council_names(app: &App, codes: &[GssCode]) -> Result<HashMap<String, String>> {
    let mut names = HashMap::new();
    for code in codes {
        if names.contains_key(code.as_str()) {
            continue;
        }
        let name = app
            .store()
            .authority(code.as_str())
            .await?
            .map_or_else(|| code.to_string(), |a| a.short_name);
        names.insert(code.as_str().to_owned(), name);
    }
    Ok(names)
}

/// Resolves a council written in a file or a form (a GSS code, or a short or official name
/// in any case) among the partnership's members.
pub async fn council_resolver(
    app: &App,
    members: &[GssCode],
) -> Result<impl Fn(&str) -> Option<GssCode> + Send + Sync + use<>> {
    let mut known: Vec<(String, GssCode)> = Vec::new();
    for m in members {
        known.push((m.as_str().to_ascii_lowercase(), m.clone()));
        if let Some(a) = app.store().authority(m.as_str()).await? {
            known.push((a.short_name.to_lowercase(), m.clone()));
            known.push((a.official_name.to_lowercase(), m.clone()));
        }
    }
    Ok(move |text: &str| {
        let t = text.trim().to_lowercase();
        known
            .iter()
            .find(|(k, _)| *k == t)
            .map(|(_, c)| c.clone())
            .or_else(|| GssCode::parse("council", text.trim()).ok())
    })
}

/// The store's page for a list request, in `order`; a cursor carries the name and number of
/// the last record of the page before.
fn store_page(request: &ListRequest, order: Order) -> std::result::Result<Page, Invalid> {
    let after = match &request.start {
        Start::After(key) => {
            let (name, number): (String, u32) = serde_json::from_str(key).map_err(|_| {
                Invalid::field(
                    "cursor",
                    "This is not a cursor of this list: follow the `next` link of the page before",
                )
            })?;
            Some((name, number))
        }
        Start::Page(_) => None,
    };
    // One more than the page holds says whether there is a next page.
    Ok(Page {
        order,
        after,
        offset: request.offset(),
        limit: i64::from(request.limit) + 1,
    })
}

/// The cursor of the page after the record named `name` and numbered `number`.
fn cursor_after(list: &str, name: &str, number: u32) -> String {
    encode_cursor(
        list,
        &serde_json::to_string(&(name, number)).unwrap_or_default(),
    )
}

/// Refuses a change made from a version that is no longer current, saying what changed.
fn check_version(what: &str, current: i64, from_version: Option<i64>) -> Result<()> {
    match from_version {
        Some(version) if version != current => Err(AppError::Conflict(format!(
            "{what} changed since you opened it (you had version {version}; it is now at version {current}). \
             The page shows it as it is now: make your change again if it is still needed"
        ))),
        _ => Ok(()),
    }
}

/// Checks the caller may change (or delete) a stored record they can see; not seeing it is
/// not finding it.
fn check_access<T>(
    caller: &Caller,
    stored: &Stored<T>,
    action: Action,
    what: &str,
    today: NaiveDate,
) -> Result<()> {
    if caller.system.is_none() && !caller.scope().permits(&stored.meta, today) {
        return Err(AppError::not_found(what));
    }
    caller.check(action, &stored.meta, today)
}

/// The number a reference names, or not found.
fn number_of(kind: FinanceKind, reference: &str, what: &str) -> Result<u32> {
    kind.parse(reference)
        .ok_or_else(|| AppError::not_found(format!("{what} {reference}")))
}

/// A link to a record that must be of `kind` in the partnership, checked inside the writing
/// transaction so the refusal names the field; the foreign key is the backstop.
async fn check_link(
    tx: &mut Box<dyn accord_store::WriteTx>,
    partnership_id: i64,
    kind: &str,
    id: Option<i64>,
    field: &str,
    what: &str,
    invalid: &mut Invalid,
) -> Result<()> {
    if let Some(id) = id
        && tx.linked_record(partnership_id, kind, id).await?.is_none()
    {
        invalid.push(
            field,
            format!("There is no {what} {id} in this partnership: choose one of its {what}s"),
        );
    }
    Ok(())
}

/// Runs a computation on the blocking pool, so a long appraisal or allocation never holds up
/// the server's other requests.
async fn blocking<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the {what} stopped: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_domain::access::Actor;

    fn finance_officer(home: Option<&str>) -> Caller {
        Caller {
            actor: Actor {
                home: home.map(|h| GssCode::parse("g", h).unwrap()),
                ..Actor::anonymous()
            },
            ..Caller::default()
        }
    }

    #[test]
    fn a_draft_belongs_to_its_authors_council_and_keeps_it() {
        let haringey = finance_officer(Some("E09000014"));
        let draft = meta_for(&haringey, 1, Visibility::Council).unwrap();
        assert_eq!(draft.classification, Classification::Council);
        assert_eq!(draft.owner.as_ref().unwrap().as_str(), "E09000014");
        let err = meta_for(&finance_officer(None), 1, Visibility::Council).unwrap_err();
        assert_eq!(err.errors[0].field, "visibility");
        // Someone of another council (the programme team) edits the draft: it stays Haringey's.
        let waltham = finance_officer(Some("E09000031"));
        let kept = changed_meta(&waltham, &draft, Visibility::Council).unwrap();
        assert_eq!(kept, draft);
        let released = changed_meta(&waltham, &draft, Visibility::Partnership).unwrap();
        assert_eq!(
            (released.classification, released.owner),
            (Classification::Partnership, None)
        );
    }
}
