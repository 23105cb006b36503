//! The service catalogue: the services partnerships may share, each in a category. The
//! catalogue is the instance's, published, and kept by administrators.

use accord_domain::Invalid;
use accord_domain::access::{Action, Area, RecordMeta};
use accord_domain::service::{Catalogue, Service, ServiceCategory};
use accord_store::gateway::StoredService;

use crate::list::{ListRequest, Listed, Start, keyset_page};
use crate::{App, AppError, Caller, Result};

/// A catalogue entry with the version a change must name.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceEntry {
    /// The service; its `id` is its record's.
    pub service: Service,
    /// The version a change must name.
    pub version: i64,
}

impl From<StoredService> for ServiceEntry {
    fn from(stored: StoredService) -> Self {
        ServiceEntry {
            service: stored.service,
            version: stored.version,
        }
    }
}

fn meta() -> RecordMeta {
    RecordMeta::published(Area::Programme, None)
}

/// The catalogue, in the order services were added.
pub async fn catalogue(app: &App, caller: &Caller) -> Result<Vec<ServiceEntry>> {
    caller.check(Action::Read, &meta(), app.today())?;
    Ok(app
        .store()
        .services()
        .await?
        .into_iter()
        .map(ServiceEntry::from)
        .collect())
}

/// One page of the catalogue, in the order services were added, and how many it holds; a
/// cursor names the last service of the page before.
pub async fn catalogue_page(
    app: &App,
    caller: &Caller,
    request: &ListRequest,
) -> Result<Listed<ServiceEntry>> {
    const LIST: &str = "services";
    caller.check(Action::Read, &meta(), app.today())?;
    let after = match &request.start {
        Start::After(key) => Some(key.parse::<i64>().map_err(|_| {
            Invalid::field(
                "cursor",
                "The cursor is not one this list gave: start again from the first page",
            )
        })?),
        Start::Page(_) => None,
    };
    let store = app.store();
    let items: Vec<ServiceEntry> = store
        .services_page(after, i64::from(request.limit) + 1)
        .await?
        .into_iter()
        .map(ServiceEntry::from)
        .collect();
    let total = store.count_services().await?;
    Ok(keyset_page(
        LIST,
        items,
        request,
        |e| e.service.id.to_string(),
        total,
    ))
}

/// One catalogue entry.
pub async fn service(app: &App, caller: &Caller, id: i64) -> Result<ServiceEntry> {
    catalogue(app, caller)
        .await?
        .into_iter()
        .find(|s| s.service.id == id)
        .ok_or_else(|| AppError::not_found(format!("service {id}")))
}

fn parsed(name: &str, category: &str) -> Result<(String, ServiceCategory), Invalid> {
    let service = Service::parse(name, category)?;
    Ok((service.name, service.category))
}

/// Adds a service to the catalogue; the domain refuses a name already there.
pub async fn add(app: &App, caller: &Caller, name: &str, category: &str) -> Result<ServiceEntry> {
    caller.check(Action::Create, &meta(), app.today())?;
    let service = Service::parse(name, category)?;
    let mut tx = app.store().write().await?;
    let mut catalogue = Catalogue {
        services: tx
            .services_for_change()
            .await?
            .into_iter()
            .map(|s| s.service)
            .collect(),
    };
    let added = catalogue.add(service)?.clone();
    let stored = tx.insert_service(&added, &caller.change()).await?;
    tx.commit().await?;
    Ok(stored.into())
}

/// Renames or recategorises a service, from the version the caller read; the domain refuses a
/// name another service has. Opportunities already raised keep the name they were raised with.
pub async fn change(
    app: &App,
    caller: &Caller,
    id: i64,
    from_version: Option<i64>,
    name: &str,
    category: &str,
) -> Result<ServiceEntry> {
    caller.check(Action::Update, &meta(), app.today())?;
    let (name, category) = parsed(name, category)?;
    let mut tx = app.store().write().await?;
    let stored = tx.services_for_change().await?;
    let index = stored
        .iter()
        .position(|s| s.record_id == id)
        .ok_or_else(|| AppError::not_found(format!("service {id}")))?;
    let from = stored[index].clone();
    if let Some(version) = from_version
        && version != from.version
    {
        return Err(AppError::Conflict(format!(
            "The service “{}” changed since you opened it (you had version {version}; it is now at version {}). \
             The form shows it as it is now: make your change again if it is still needed",
            from.service.name, from.version
        )));
    }
    let mut catalogue = Catalogue {
        services: stored.into_iter().map(|s| s.service).collect(),
    };
    catalogue.update(index, &name, category)?;
    let changed = catalogue.services[index].clone();
    let saved = tx.update_service(&from, &changed, &caller.change()).await?;
    tx.commit().await?;
    Ok(saved.into())
}
