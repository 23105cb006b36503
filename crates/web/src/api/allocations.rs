//! Allocations (apportionment of a shared cost between partner councils) in the API, and the
//! record that holds one.
//!
//! An allocation names the councils (by GSS code), how each coalition's cost is known (a full
//! table, or the documented coalition model of `accord_analytics::coalition_model`), the
//! driver for proportional shares, and who joins later. Accord runs every method when it is
//! saved (`accord allocate`, `docs/schemas/allocate.md`) on the blocking thread pool and keeps
//! the result with it.

use accord_analytics::apportionment::Method;
use accord_analytics::cli::{self, AllocateInput, AllocateOutput};
use accord_analytics::coalition_model::ModelInput;
use accord_domain::access::Action;
use accord_domain::{GssCode, Invalid};
use accord_store::{RecordInput, StoredRecord};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::finance::{self, Visibility};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ErrorResponse, WebError};
use crate::forms::JsonBody;
use crate::guard::GuardedRecord;

/// The record kind.
pub const KIND: &str = "allocation";

/// The most councils an allocation kept on the server may split between: the exact methods
/// grow as 2ⁿ, and a page must answer promptly.
pub const MAX_COUNCILS: usize = 16;

/// What proportional shares follow.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Driver {
    /// Residents (the register's mid-year estimate, unless entered).
    Population,
    /// Net revenue budget, in pounds.
    Budget,
    /// Transactions a year handled by the service.
    Transactions,
    /// Staff (full-time equivalents) in the service.
    Headcount,
}

impl Driver {
    /// Every driver.
    pub const ALL: [Driver; 4] = [
        Driver::Population,
        Driver::Budget,
        Driver::Transactions,
        Driver::Headcount,
    ];

    /// The form value.
    pub fn slug(self) -> &'static str {
        match self {
            Driver::Population => "population",
            Driver::Budget => "budget",
            Driver::Transactions => "transactions",
            Driver::Headcount => "headcount",
        }
    }

    /// For pages.
    pub fn label(self) -> &'static str {
        match self {
            Driver::Population => "Population",
            Driver::Budget => "Budget (£)",
            Driver::Transactions => "Transactions a year",
            Driver::Headcount => "Headcount (FTE)",
        }
    }

    /// Reads the form value.
    pub fn parse(field: &str, text: &str) -> Result<Driver, Invalid> {
        Driver::ALL
            .into_iter()
            .find(|d| d.slug() == text.trim())
            .ok_or_else(|| Invalid::field(field, "Choose what proportional shares follow"))
    }
}

/// An allocation as kept in Accord.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct AllocationBody {
    /// What is being split ("Transactional services: running cost over ten years").
    pub title: String,
    /// The business case the costs come from, when it is kept in Accord.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_case_record_id: Option<i64>,
    /// The councils, by GSS code, in order (those joining later included).
    pub councils: Vec<String>,
    /// Councils that join later: each method is also run without them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joining: Vec<String>,
    /// Every coalition's cost in pounds, keyed by GSS codes joined with `+`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<BTreeMap<String, f64>>,
    /// Or the coalition model, keyed by GSS code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub model: Option<ModelInput>,
    /// The driver of proportional shares.
    pub driver: Driver,
    /// Driver figures entered by users, by driver and GSS code (population falls back to the
    /// register).
    #[serde(default)]
    pub drivers: BTreeMap<Driver, BTreeMap<String, f64>>,
    /// A proposed split to check against the core, in pounds by GSS code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<BTreeMap<String, f64>>,
    /// What is illustrative, when anything is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illustrative: Option<String>,
    /// Where the figures come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The driver figures used, by GSS code (absent when one was not stated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver_used: Option<BTreeMap<String, f64>>,
    /// The result computed when it was last saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub result: Option<AllocateOutput>,
}

/// The driver figures of each council: entered ones first, then what Accord holds — the
/// imported mid-year population estimate (or the register's population) and the imported
/// whole budget. `None` for a council whose figure is not stated anywhere.
pub async fn driver_figures(
    state: &AppState,
    body: &AllocationBody,
    driver: Driver,
) -> Result<BTreeMap<String, Option<(f64, &'static str)>>, WebError> {
    let mut out = BTreeMap::new();
    for c in &body.councils {
        let entered = body.drivers.get(&driver).and_then(|m| m.get(c)).copied();
        let figure = match entered {
            Some(v) => Some((v, "entered")),
            None => held(state, c, driver).await?,
        };
        out.insert(c.clone(), figure);
    }
    Ok(out)
}

/// A driver figure Accord holds for a council (by GSS code), with where it comes from.
pub async fn held(
    state: &AppState,
    gss: &str,
    driver: Driver,
) -> Result<Option<(f64, &'static str)>, WebError> {
    let Some(authority) = state.store.authority(gss).await? else {
        return Ok(None);
    };
    #[allow(clippy::cast_precision_loss)]
    Ok(match driver {
        Driver::Population => match state.store.population_of(&authority.code).await? {
            Some(p) => Some((p.population as f64, "population estimate")),
            None => authority.population.map(|p| (p as f64, "register")),
        },
        Driver::Budget => state
            .store
            .budgets_of(&authority.code)
            .await?
            .first()
            .map(|b| (b.total.pounds_f64(), "budget data")),
        Driver::Transactions | Driver::Headcount => None,
    })
}

/// Checks a body against the partnership and computes every method.
pub async fn prepare(
    state: &AppState,
    members: &[GssCode],
    mut body: AllocationBody,
) -> Result<AllocationBody, WebError> {
    let mut invalid = Invalid::new();
    if body.title.trim().is_empty() {
        invalid.push("title", "Enter what is being split");
    }
    if body.councils.len() < 2 {
        invalid.push("councils", "Choose at least two councils");
    }
    if body.councils.len() > MAX_COUNCILS {
        invalid.push(
            "councils",
            format!(
                "at most {MAX_COUNCILS} councils are split on the server; use `accord allocate` with \"shapley_sampled\" for more"
            ),
        );
    }
    for (i, c) in body.councils.iter().enumerate() {
        let member = GssCode::parse("council", c)
            .ok()
            .is_some_and(|code| members.contains(&code));
        if !member {
            invalid.push(
                format!("councils[{i}]"),
                format!("“{c}” is not a member council of this partnership"),
            );
        }
    }
    for (d, figures) in &body.drivers {
        for (c, v) in figures {
            if !body.councils.contains(c) {
                invalid.push(
                    format!("drivers.{}.{c}", d.slug()),
                    format!("“{c}” is not one of the councils"),
                );
            } else if !(v.is_finite() && *v >= 0.0) {
                invalid.push(
                    format!("drivers.{}.{c}", d.slug()),
                    "must be a number, zero or more",
                );
            }
        }
    }
    invalid.into_result()?;
    let figures = driver_figures(state, &body, body.driver).await?;
    let driver: Option<BTreeMap<String, f64>> = figures
        .iter()
        .map(|(c, f)| f.map(|(v, _)| (c.clone(), v)))
        .collect();
    let driver = driver.filter(|d| d.values().any(|v| *v > 0.0));
    let mut methods = vec![Method::Equal];
    if driver.is_some() {
        methods.push(Method::Proportional);
    }
    methods.extend([Method::Shapley, Method::Nucleolus, Method::LeastCore]);
    let input = AllocateInput {
        players: body.councils.clone(),
        cost: body.cost.clone(),
        model: body.model.clone(),
        methods,
        driver: driver.clone(),
        split: body.split.clone(),
        joining: body.joining.clone(),
        samples: 10_000,
        seed: 1,
    };
    let result = tokio::task::spawn_blocking(move || cli::allocate_input(&input))
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!("the allocation stopped: {e}")))??;
    body.driver_used = driver;
    body.result = Some(result);
    Ok(body)
}

/// The record input of a computed allocation.
pub fn record_input(
    meta: accord_domain::access::RecordMeta,
    body: &AllocationBody,
) -> Result<RecordInput, WebError> {
    let status = match body.result.as_ref().and_then(|r| r.core.as_ref()) {
        Some(core) if core.empty => "core-empty",
        Some(_) => "core-not-empty",
        None => "not-computed",
    };
    Ok(RecordInput::new(KIND, meta, body.title.clone(), body)?.status(status))
}

/// Checks, computes and writes a new allocation.
pub async fn create_record(
    state: &AppState,
    viewer: &Viewer,
    partnership_id: i64,
    body: AllocationBody,
    visibility: Visibility,
) -> Result<i64, WebError> {
    let (_, members) = finance::partnership(state, partnership_id).await?;
    let meta = finance::meta_for(viewer, partnership_id, visibility)?;
    crate::guard::check(viewer, Action::Create, &meta, state.today())?;
    let body = prepare(state, &members, body).await?;
    finance::insert(state, viewer, &record_input(meta, &body)?).await
}

/// Checks, computes and replaces an allocation.
pub async fn update_record(
    state: &AppState,
    viewer: &Viewer,
    record: &StoredRecord,
    body: AllocationBody,
    visibility: Visibility,
    version: Option<i64>,
) -> Result<(), WebError> {
    let pid = record.meta.partnership_id.unwrap_or_default();
    let (_, members) = finance::partnership(state, pid).await?;
    let meta =
        super::business_cases::keep_owner(record, finance::meta_for(viewer, pid, visibility)?);
    let body = prepare(state, &members, body).await?;
    let mut input = record_input(meta, &body)?;
    input.parent_id = record.parent_id;
    finance::update(state, viewer, record.id, version, &input, "").await?;
    Ok(())
}

/// An allocation to create or replace.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct AllocationIn {
    /// What is being split.
    pub title: String,
    /// The business case the costs come from.
    #[serde(default)]
    pub business_case_record_id: Option<i64>,
    /// The councils, by GSS code.
    pub councils: Vec<String>,
    /// Councils that join later.
    #[serde(default)]
    pub joining: Vec<String>,
    /// Every coalition's cost, keyed by GSS codes joined with `+` (give this or `model`).
    #[serde(default)]
    pub cost: Option<BTreeMap<String, f64>>,
    /// The coalition model, keyed by GSS code (`docs/schemas/allocate.md`).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub model: Option<ModelInput>,
    /// The driver of proportional shares (default population).
    #[serde(default = "default_driver")]
    pub driver: Driver,
    /// Driver figures by driver and GSS code.
    #[serde(default)]
    pub drivers: BTreeMap<Driver, BTreeMap<String, f64>>,
    /// A proposed split to check against the core.
    #[serde(default)]
    pub split: Option<BTreeMap<String, f64>>,
    /// What is illustrative.
    #[serde(default)]
    pub illustrative: Option<String>,
    /// Where the figures come from.
    #[serde(default)]
    pub source: Option<String>,
    /// Who may see it (default: a draft of your council).
    #[serde(default)]
    pub visibility: Visibility,
    /// For a replacement: the version read.
    #[serde(default)]
    pub version: Option<i64>,
}

fn default_driver() -> Driver {
    Driver::Population
}

impl AllocationIn {
    fn body(self) -> (AllocationBody, Visibility, Option<i64>) {
        (
            AllocationBody {
                title: self.title,
                business_case_record_id: self.business_case_record_id,
                councils: self.councils,
                joining: self.joining,
                cost: self.cost,
                model: self.model,
                driver: self.driver,
                drivers: self.drivers,
                split: self.split,
                illustrative: self.illustrative,
                source: self.source,
                driver_used: None,
                result: None,
            },
            self.visibility,
            self.version,
        )
    }
}

/// An allocation with its results.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct AllocationOut {
    /// The record's id.
    pub id: i64,
    /// The partnership.
    pub partnership_id: i64,
    /// Its version.
    pub version: i64,
    /// Who may see it.
    pub visibility: Visibility,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The allocation and its results.
    #[serde(flatten)]
    pub body: AllocationBody,
}

fn out(record: &StoredRecord) -> Result<AllocationOut, WebError> {
    Ok(AllocationOut {
        id: record.id,
        partnership_id: record.meta.partnership_id.unwrap_or_default(),
        version: record.version,
        visibility: Visibility::of(&record.meta),
        updated_at: record.updated_at,
        body: record
            .decode()
            .map_err(|e| WebError::Internal(anyhow::Error::from(e)))?,
    })
}

async fn load(state: &AppState, viewer: &Viewer, id: i64) -> Result<StoredRecord, WebError> {
    state
        .store
        .record(id, &viewer.scope(), state.today())
        .await?
        .ok_or(WebError::NotFound)
}

/// The allocations of a partnership that you can see.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/allocations",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 200, description = "The allocations, oldest first", body = [AllocationOut])),
)]
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<Vec<AllocationOut>>, WebError> {
    let records = finance::list::<serde_json::Value>(&state, &viewer, KIND, id).await?;
    records
        .iter()
        .map(|(r, _)| out(r))
        .collect::<Result<_, _>>()
        .map(Json)
}

/// Creates an allocation and runs every method.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/allocations",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = AllocationIn,
    responses(
        (status = 201, description = "Created, with each method's split and the core check", body = AllocationOut),
        (status = 422, description = "Refused: a coalition missing from the table (cost), an unknown council (cost.A+Z), a council not in the partnership (councils[2])…", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<AllocationIn>,
) -> Result<(StatusCode, Json<AllocationOut>), WebError> {
    let (body, visibility, _) = input.body();
    let record_id = create_record(&state, &viewer, id, body, visibility).await?;
    Ok((
        StatusCode::CREATED,
        Json(out(&load(&state, &viewer, record_id).await?)?),
    ))
}

/// One allocation with its results.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/allocations/{record_id}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The allocation's id"),
    ),
    responses(
        (status = 200, description = "The allocation", body = AllocationOut),
        (status = 404, description = "No such allocation that you can see", body = ErrorResponse),
    ),
)]
pub async fn show(GuardedRecord(record): GuardedRecord) -> Result<Json<AllocationOut>, WebError> {
    Ok(Json(out(&record)?))
}

/// Replaces an allocation and runs every method again.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/allocations/{record_id}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The allocation's id"),
    ),
    request_body = AllocationIn,
    responses(
        (status = 200, description = "Replaced", body = AllocationOut),
        (status = 422, description = "Refused; nothing was changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn replace(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<AllocationIn>,
) -> Result<Json<AllocationOut>, WebError> {
    let (body, visibility, version) = input.body();
    update_record(&state, &viewer, &record, body, visibility, version).await?;
    Ok(Json(out(&load(&state, &viewer, record.id).await?)?))
}

/// Deletes an allocation.
#[utoipa::path(
    delete,
    path = "/api/v1/partnerships/{id}/allocations/{record_id}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The allocation's id"),
        finance::DeleteQuery,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 422, description = "No version, or not the latest: nothing was deleted", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    axum::extract::Query(query): axum::extract::Query<finance::DeleteQuery>,
) -> Result<StatusCode, WebError> {
    finance::delete_checked(&state, &viewer, &record, query.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The `accord allocate` input (`docs/schemas/allocate.md`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct AllocateIn(pub AllocateInput);

/// The `accord allocate` output.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct AllocateOut(pub AllocateOutput);

/// Splits a cost between players without keeping anything, exactly as `accord allocate`
/// does: more than 25 players needs "shapley_sampled" with a "model".
#[utoipa::path(
    post,
    path = "/api/v1/allocate",
    tag = "finance",
    request_body = AllocateIn,
    responses(
        (status = 200, description = "Each method's split and the core check", body = AllocateOut),
        (status = 422, description = "Refused: each problem names its field", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn allocate_only(
    JsonBody(AllocateIn(input)): JsonBody<AllocateIn>,
) -> Result<Json<AllocateOut>, WebError> {
    if input.samples > 1_000_000 {
        return Err(Invalid::field(
            "samples",
            "at most 1,000,000 orders are sampled on the server",
        )
        .into());
    }
    if input.players.len() > 1_000 {
        return Err(
            Invalid::field("players", "at most 1,000 players are split on the server").into(),
        );
    }
    let exact = input.methods.iter().any(|m| m.is_exact());
    if exact
        && input.players.len() > MAX_COUNCILS
        && input.players.len() <= accord_analytics::apportionment::MAX_EXACT_PLAYERS
    {
        return Err(Invalid::field(
            "players",
            format!("the server runs the exact methods for at most {MAX_COUNCILS} players; use `accord allocate` for more, or \"shapley_sampled\""),
        )
        .into());
    }
    let output = tokio::task::spawn_blocking(move || cli::allocate_input(&input))
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!("the allocation stopped: {e}")))??;
    Ok(Json(AllocateOut(output)))
}
