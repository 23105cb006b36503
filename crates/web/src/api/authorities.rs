//! Councils in the API.

use accord_app::authorities::AuthorityQuery;
use accord_domain::Authority;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::WebError;

/// A council.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorityOut {
    /// The GSS code, e.g. E09000014 (absent for some abolished councils).
    pub gss: Option<String>,
    /// The register's code, e.g. HRY.
    pub code: String,
    /// The official name.
    pub official_name: String,
    /// The name people use.
    pub short_name: String,
    /// london-borough, county, district, unitary, metropolitan-district, scottish-council,
    /// welsh-council, northern-ireland-council, combined-authority, strategic-regional-authority
    /// or city-corporation.
    pub kind: String,
    /// The region.
    pub region: String,
    /// england, wales, scotland or northern-ireland.
    pub nation: String,
    /// The population, where the register states it.
    pub population: Option<u64>,
    /// Latitude of the council's centre, where known.
    pub lat: Option<f64>,
    /// Longitude of the council's centre, where known.
    pub long: Option<f64>,
    /// When it came into being, if the register says.
    pub start_date: Option<chrono::NaiveDate>,
    /// When it was abolished, if it was.
    pub end_date: Option<chrono::NaiveDate>,
    /// The register codes of its successors.
    pub successors: Vec<String>,
}

impl From<Authority> for AuthorityOut {
    fn from(a: Authority) -> Self {
        AuthorityOut {
            gss: a.gss.map(|g| g.to_string()),
            code: a.code,
            official_name: a.official_name,
            short_name: a.short_name,
            kind: a.kind.slug().to_owned(),
            region: a.region,
            nation: serde_json::to_value(a.nation)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            population: a.population,
            lat: a.centroid.map(|c| c.lat),
            long: a.centroid.map(|c| c.long),
            start_date: a.start_date,
            end_date: a.end_date,
            successors: a.successors,
        }
    }
}

/// The search of `GET /api/v1/authorities`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct AuthoritySearch {
    /// Words of the name, or a GSS or register code; empty lists every council.
    #[serde(default)]
    pub q: String,
    /// Include abolished councils (default false).
    #[serde(default)]
    pub abolished: bool,
    /// At most this many (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// Searches the council register.
#[utoipa::path(
    get,
    path = "/api/v1/authorities",
    tag = "authorities",
    params(AuthoritySearch),
    responses((status = 200, description = "Matching councils, current ones and best matches first", body = [AuthorityOut])),
)]
pub async fn search(
    State(state): State<AppState>,
    Query(search): Query<AuthoritySearch>,
) -> Result<Json<Vec<AuthorityOut>>, WebError> {
    let found = accord_app::authorities::search(
        &state.app,
        &AuthorityQuery {
            text: search.q,
            current_only: !search.abolished,
            limit: search.limit.unwrap_or(50),
        },
    )
    .await?;
    Ok(Json(found.into_iter().map(AuthorityOut::from).collect()))
}

/// One council, by GSS or register code.
#[utoipa::path(
    get,
    path = "/api/v1/authorities/{code}",
    tag = "authorities",
    params(("code" = String, Path, description = "A GSS code (E09000014) or register code (HRY)")),
    responses(
        (status = 200, description = "The council", body = AuthorityOut),
        (status = 404, description = "No such council", body = crate::error::ErrorResponse),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<AuthorityOut>, WebError> {
    let found = accord_app::authorities::find(&state.app, &code)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(found.into()))
}
