//! Councils in the API.

use accord_app::list::ListRequest;
use accord_domain::{Authority, Invalid};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::WebError;
use crate::paging::{next_page, page_response, query_form};

/// A council.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
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

/// A page of a council search.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuthorityListOut {
    /// How many councils match.
    pub total: i64,
    /// This page of them, current councils and best matches first.
    pub items: Vec<AuthorityOut>,
    /// The address of the next page, when there is one (also sent as a `Link` header).
    pub next: Option<String>,
}

/// Searches the council register: `q` (words of the name, or a GSS or register code; empty
/// lists every council), `abolished` (`true` to include abolished councils), paged with
/// `limit` (1 to 500, 100 unless given) and `cursor` (from the `next` address of the page
/// before).
#[utoipa::path(
    get,
    path = "/api/v1/authorities",
    tag = "authorities",
    params(
        ("q" = Option<String>, Query, description = "Words of the name, or a GSS or register code; empty lists every council"),
        ("abolished" = Option<bool>, Query, description = "Include abolished councils (false unless given)"),
        ("limit" = Option<u32>, Query, description = "Councils on the page: 1 to 500 (100 unless given)"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: the `cursor` of the previous page's `next` address"),
    ),
    responses(
        (status = 200, description = "A page of matching councils, current ones and best matches first", body = AuthorityListOut),
        (status = 422, description = "The limit, the cursor or `abolished` is not valid", body = crate::error::ErrorResponse),
    ),
)]
pub async fn search(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let form = query_form(query.as_deref());
    let mut invalid = Invalid::new();
    let request = invalid.check(ListRequest::from_query(
        "authorities",
        form.get("limit"),
        form.get("cursor"),
    ));
    let abolished = match form.get("abolished").trim() {
        "" | "false" => false,
        "true" => true,
        other => {
            invalid.push("abolished", format!("“{other}” is not true or false"));
            false
        }
    };
    invalid.into_result()?;
    let request = request.unwrap_or_default();
    let listed =
        accord_app::authorities::search_page(&state.app, form.get("q"), !abolished, &request)
            .await?;
    let next = next_page("/api/v1/authorities", &form, listed.next.as_ref());
    let body = AuthorityListOut {
        total: listed.total,
        items: listed.items.into_iter().map(AuthorityOut::from).collect(),
        next: next.clone(),
    };
    Ok(page_response(body, next))
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
