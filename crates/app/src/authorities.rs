//! The council register and what Accord knows about each council beyond it: population,
//! budgets by service, and the councils it borders. Reference data, readable by anyone.

use std::collections::HashMap;

use accord_domain::Authority;
pub use accord_store::AuthorityQuery;
pub use accord_store::council_data::{Budget, Population};

use crate::list::{ListRequest, Listed, offset_of, offset_page};
use crate::{App, AppError, Result};

/// A council by GSS code or register code.
pub async fn get(app: &App, key: &str) -> Result<Authority> {
    find(app, key)
        .await?
        .ok_or_else(|| AppError::not_found(format!("council {key}")))
}

/// A council by GSS code or register code, if the register has it.
pub async fn find(app: &App, key: &str) -> Result<Option<Authority>> {
    Ok(app.store().authority(key).await?)
}

/// Councils whose names or codes match a search, current ones and best matches first.
pub async fn search(app: &App, query: &AuthorityQuery) -> Result<Vec<Authority>> {
    Ok(app.store().search_authorities(query).await?)
}

/// The name of the council search's cursors.
const LIST: &str = "authorities";

/// One page of a council search, best matches first, with how many match in all: `request`
/// starts at a numbered page or after a cursor of an earlier page (a cursor names how many
/// came before, as a ranking has no key of its own to continue from).
pub async fn search_page(
    app: &App,
    text: &str,
    current_only: bool,
    request: &ListRequest,
) -> Result<Listed<Authority>> {
    let offset = offset_of(request)?;
    let query = AuthorityQuery {
        text: text.to_owned(),
        current_only,
        limit: i64::from(request.limit) + 1,
        offset,
    };
    let store = app.store();
    let items = store.search_authorities(&query).await?;
    let total = store.count_matching_authorities(&query).await?;
    Ok(offset_page(LIST, items, offset, request, total))
}

/// How many councils the register holds.
pub async fn count(app: &App, current_only: bool) -> Result<i64> {
    Ok(app.store().count_authorities(current_only).await?)
}

/// The councils of these GSS codes that the register has, by code.
pub async fn named(app: &App, codes: &[String]) -> Result<HashMap<String, Authority>> {
    let mut out = HashMap::new();
    for code in codes {
        if out.contains_key(code) {
            continue;
        }
        if let Some(authority) = find(app, code).await? {
            out.insert(code.clone(), authority);
        }
    }
    Ok(out)
}

/// A council's latest population estimate.
pub async fn population(app: &App, code: &str) -> Result<Option<Population>> {
    Ok(app.store().population_of(code).await?)
}

/// A council's budget by service category.
pub async fn budgets(app: &App, code: &str) -> Result<Vec<Budget>> {
    Ok(app.store().budgets_of(code).await?)
}

/// The councils a council borders, each saying whether the border was derived (counties).
pub async fn neighbours(app: &App, code: &str) -> Result<Vec<(Authority, bool)>> {
    Ok(app.store().neighbours_of(code).await?)
}
