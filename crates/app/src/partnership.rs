//! Partnerships, their member councils and their memorandum of understanding: reading them,
//! and the changes the programme team (and, for new partnerships, administrators) make.

use accord_domain::access::{Action, Area, Classification, RecordMeta};
use accord_domain::mou::MouEvent;
use accord_domain::{Member, Mou, Partnership};

use crate::list::{ListRequest, Listed, offset_of, offset_page};
use crate::{App, AppError, Caller, Result};

/// What a change to a partnership is checked against: the partnership's own area, written by
/// the caller's council.
fn change_meta(caller: &Caller, id: i64) -> RecordMeta {
    RecordMeta {
        area: Area::Partnership,
        partnership_id: Some(id),
        owner: caller.actor.home.clone(),
        classification: Classification::Partnership,
        embargo: None,
    }
}

/// Every partnership with its members, by name. Partnerships themselves are published.
pub async fn all(app: &App) -> Result<Vec<Partnership>> {
    Ok(app.store().partnerships().await?)
}

/// One page of the partnerships with their members, by name, and how many there are.
pub async fn page(app: &App, request: &ListRequest) -> Result<Listed<Partnership>> {
    const LIST: &str = "partnerships";
    let offset = offset_of(request)?;
    let store = app.store();
    let items = store
        .partnerships_page(i64::from(request.limit) + 1, offset)
        .await?;
    let total = store.count_partnerships().await?;
    Ok(offset_page(LIST, items, offset, request, total))
}

/// A partnership with its members.
pub async fn get(app: &App, id: i64) -> Result<Partnership> {
    app.store()
        .partnership(id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("partnership {id}")))
}

/// Whether a partnership exists.
pub async fn exists(app: &App, id: i64) -> Result<bool> {
    Ok(app.store().partnership(id).await?.is_some())
}

/// The id of the partnership with this name.
pub async fn id_by_name(app: &App, name: &str) -> Result<Option<i64>> {
    Ok(app.store().partnership_id_by_name(name).await?)
}

/// The partnerships a council has been a member of.
pub async fn of_council(app: &App, gss: &str) -> Result<Vec<Partnership>> {
    Ok(app.store().partnerships_of(gss).await?)
}

/// The partnership's MOU with its events, if one is recorded.
pub async fn mou(app: &App, id: i64) -> Result<Option<Mou>> {
    Ok(app.store().mou(id).await?)
}

/// Creates a partnership with its members (administrators only). Returns its id.
pub async fn create(
    app: &App,
    caller: &Caller,
    partnership: &Partnership,
    reason: &str,
) -> Result<i64> {
    if !caller.actor.admin && caller.system.is_none() {
        return Err(AppError::Forbidden(
            "Only an administrator can create a partnership.".to_owned(),
        ));
    }
    Ok(app
        .store()
        .create_partnership(partnership, &caller.change().because(reason))
        .await?)
}

/// Renames a partnership or changes its summary, with the reason given.
pub async fn update(
    app: &App,
    caller: &Caller,
    id: i64,
    name: &str,
    summary: &str,
    reason: &str,
) -> Result<()> {
    caller.check(Action::Update, &change_meta(caller, id), app.today())?;
    Ok(app
        .store()
        .update_partnership(id, name, summary, &caller.change().because(reason))
        .await?)
}

/// Adds a member council (joining later, as Slough and Redcar & Cleveland did).
pub async fn add_member(
    app: &App,
    caller: &Caller,
    id: i64,
    member: &Member,
    reason: &str,
) -> Result<()> {
    caller.check(Action::Update, &change_meta(caller, id), app.today())?;
    Ok(app
        .store()
        .add_member(id, member, &caller.change().because(reason))
        .await?)
}

/// Changes a member's role, status or dates (leaving is a date, never a deletion).
pub async fn update_member(
    app: &App,
    caller: &Caller,
    id: i64,
    member: &Member,
    reason: &str,
) -> Result<()> {
    caller.check(Action::Update, &change_meta(caller, id), app.today())?;
    Ok(app
        .store()
        .update_member(id, member, &caller.change().because(reason))
        .await?)
}

/// Records or replaces the MOU's terms (its events are kept).
pub async fn save_mou(app: &App, caller: &Caller, id: i64, mou: &Mou, reason: &str) -> Result<()> {
    caller.check(Action::Update, &change_meta(caller, id), app.today())?;
    Ok(app
        .store()
        .save_mou(id, mou, &caller.change().because(reason))
        .await?)
}

/// Records a notice, extension or variation of the MOU.
pub async fn add_mou_event(
    app: &App,
    caller: &Caller,
    id: i64,
    event: &MouEvent,
    reason: &str,
) -> Result<()> {
    caller.check(Action::Update, &change_meta(caller, id), app.today())?;
    Ok(app
        .store()
        .add_mou_event(id, event, &caller.change().because(reason))
        .await?)
}
