//! Allocations: how a shared cost (or benefit) splits between partner councils under each
//! method — equal, proportional to a driver, Shapley, nucleolus and least core — with the core
//! check and what changes when a council joins. List a page of them, read one, create, change
//! and delete one, and split a cost without keeping anything.
//!
//! Every method is run when an allocation is saved (`accord allocate`,
//! `docs/schemas/allocate.md`) on the blocking pool, before the write transaction opens.

use std::collections::BTreeMap;

use accord_analytics::apportionment::{MAX_EXACT_PLAYERS, Method};
use accord_analytics::cli::{self, AllocateInput, AllocateOutput};
use accord_analytics::coalition_model::ModelInput;
use accord_domain::access::Action;
use accord_domain::finance::{Driver, FinanceKind};
use accord_domain::{GssCode, Invalid};
use accord_store::finance::allocations::{
    AllocationFilter, AllocationRecord, core_status, inputs_of,
};
use accord_store::finance::{BUSINESS_CASE_KIND, Order, Stored};
use serde::{Deserialize, Serialize};

use super::{
    Entry, Visibility, blocking, changed_meta, check_access, check_link, check_version,
    cursor_after, meta_for, number_of, store_page,
};
use crate::list::{ListRequest, Listed};
use crate::{App, AppError, Caller, Result};

/// The name of the list's cursors.
const LIST: &str = "allocations";

/// The most councils an allocation kept on the server may split between: the exact methods
/// grow as 2ⁿ, and a page must answer promptly.
pub const MAX_COUNCILS: usize = 16;

/// An allocation as kept in Accord.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub result: Option<AllocateOutput>,
}

fn json<T: Serialize>(value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| AppError::Internal(e.into()))
}

fn stored_json<T: serde::de::DeserializeOwned>(
    value: Option<&serde_json::Value>,
) -> Result<Option<T>> {
    value
        .filter(|v| !v.is_null())
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("a stored allocation: {e}")))
}

impl AllocationBody {
    fn record(&self) -> Result<AllocationRecord> {
        let codes = |list: &[String]| {
            list.iter()
                .map(|c| GssCode::parse("councils", c))
                .collect::<std::result::Result<Vec<_>, _>>()
        };
        Ok(AllocationRecord {
            title: self.title.trim().to_owned(),
            business_case_record_id: self.business_case_record_id,
            councils: codes(&self.councils)?,
            joining: codes(&self.joining)?,
            driver: self.driver,
            status: core_status(self.result.as_ref().map(json).transpose()?.as_ref()),
            illustrative: self.illustrative.clone(),
            source: self.source.clone(),
            inputs: inputs_of(
                self.cost.as_ref().map(json).transpose()?,
                self.model.as_ref().map(json).transpose()?,
                Some(json(&self.drivers)?).filter(|_| !self.drivers.is_empty()),
                self.split.as_ref().map(json).transpose()?,
            ),
            driver_used: self.driver_used.as_ref().map(json).transpose()?,
            result: self.result.as_ref().map(json).transpose()?,
        })
    }

    fn of(record: &AllocationRecord) -> Result<Self> {
        let inputs = &record.inputs;
        Ok(AllocationBody {
            title: record.title.clone(),
            business_case_record_id: record.business_case_record_id,
            councils: record.councils.iter().map(ToString::to_string).collect(),
            joining: record.joining.iter().map(ToString::to_string).collect(),
            cost: stored_json(inputs.get("cost"))?,
            model: stored_json(inputs.get("model"))?,
            driver: record.driver,
            drivers: stored_json(inputs.get("drivers"))?.unwrap_or_default(),
            split: stored_json(inputs.get("split"))?,
            illustrative: record.illustrative.clone(),
            source: record.source.clone(),
            driver_used: stored_json(record.driver_used.as_ref())?,
            result: stored_json(record.result.as_ref())?,
        })
    }
}

/// An allocation as its reader sees it.
pub type AllocationEntry = Entry<AllocationBody>;

fn entry(
    stored: Stored<AllocationRecord>,
    caller: &Caller,
    today: chrono::NaiveDate,
) -> Result<AllocationEntry> {
    let body = AllocationBody::of(&stored.value)?;
    Ok(Entry::of(
        FinanceKind::Allocation,
        stored,
        body,
        caller,
        today,
    ))
}

/// An allocation to create, or an allocation's new content.
#[derive(Debug, Clone, PartialEq)]
pub struct AllocationCommand {
    /// What is split and how its costs are known (any result given is recomputed).
    pub body: AllocationBody,
    /// Who may see it.
    pub visibility: Visibility,
}

/// A driver figure Accord holds for a council (by GSS code), with where it comes from: the
/// imported mid-year population estimate (or the register's population) and the imported
/// whole budget. Transactions and headcount are never held.
pub async fn held(app: &App, gss: &str, driver: Driver) -> Result<Option<(f64, &'static str)>> {
    let store = app.store();
    let Some(authority) = store.authority(gss).await? else {
        return Ok(None);
    };
    #[allow(clippy::cast_precision_loss)]
    Ok(match driver {
        Driver::Population => match store.population_of(&authority.code).await? {
            Some(p) => Some((p.population as f64, "population estimate")),
            None => authority.population.map(|p| (p as f64, "register")),
        },
        Driver::Budget => store
            .budgets_of(&authority.code)
            .await?
            .first()
            .map(|b| (b.total.pounds_f64(), "budget data")),
        Driver::Transactions | Driver::Headcount => None,
    })
}

/// The driver figures of each council: entered ones first, then what Accord holds. `None`
/// for a council whose figure is not stated anywhere.
pub async fn driver_figures(
    app: &App,
    body: &AllocationBody,
    driver: Driver,
) -> Result<BTreeMap<String, Option<(f64, &'static str)>>> {
    let mut out = BTreeMap::new();
    for c in &body.councils {
        let entered = body.drivers.get(&driver).and_then(|m| m.get(c)).copied();
        let figure = match entered {
            Some(v) => Some((v, "entered")),
            None => held(app, c, driver).await?,
        };
        out.insert(c.clone(), figure);
    }
    Ok(out)
}

/// Checks a body against the partnership and computes every method.
async fn prepare(
    app: &App,
    members: &[GssCode],
    mut body: AllocationBody,
) -> Result<AllocationBody> {
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
    let figures = driver_figures(app, &body, body.driver).await?;
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
    let result = blocking("allocation", move || cli::allocate_input(&input)).await??;
    body.driver_used = driver;
    body.result = Some(result);
    Ok(body)
}

/// Splits a cost between players without keeping anything, exactly as `accord allocate`
/// does, within what the server runs: more than 25 players needs "shapley_sampled" with a
/// "model".
pub async fn allocate(input: AllocateInput) -> Result<AllocateOutput> {
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
    if exact && input.players.len() > MAX_COUNCILS && input.players.len() <= MAX_EXACT_PLAYERS {
        return Err(Invalid::field(
            "players",
            format!("the server runs the exact methods for at most {MAX_COUNCILS} players; use `accord allocate` for more, or \"shapley_sampled\""),
        )
        .into());
    }
    Ok(blocking("allocation", move || cli::allocate_input(&input)).await??)
}

/// A page of the partnership's allocations matching `filter`, in `order`, with the total.
pub async fn list(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    filter: &AllocationFilter,
    order: Order,
    request: &ListRequest,
) -> Result<Listed<AllocationEntry>> {
    let today = app.today();
    let scope = caller.scope();
    let store = app.store();
    let page = store_page(request, order)?;
    let mut rows = store
        .allocations(partnership_id, filter, &page, &scope, today)
        .await?;
    let more = rows.len() > request.limit as usize;
    rows.truncate(request.limit as usize);
    let next = more
        .then(|| {
            rows.last()
                .map(|r| cursor_after(LIST, &r.value.title, r.number))
        })
        .flatten();
    let total = store
        .count_allocations(partnership_id, filter, &scope, today)
        .await?;
    Ok(Listed {
        items: rows
            .into_iter()
            .map(|r| entry(r, caller, today))
            .collect::<Result<_>>()?,
        total,
        next,
    })
}

/// The allocation a reference names (AL-2), if the caller may read it.
pub async fn get(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
) -> Result<AllocationEntry> {
    let today = app.today();
    let number = number_of(FinanceKind::Allocation, reference, "Allocation")?;
    let stored = app
        .store()
        .allocation(partnership_id, number, &caller.scope(), today)
        .await?
        .ok_or_else(|| AppError::not_found(format!("Allocation {reference}")))?;
    entry(stored, caller, today)
}

/// Creates an allocation and runs every method: numbered after the partnership's last.
pub async fn create(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    command: AllocationCommand,
) -> Result<AllocationEntry> {
    let today = app.today();
    let context = super::context(app, caller, partnership_id).await?;
    let meta = meta_for(caller, partnership_id, command.visibility)?;
    caller.check(Action::Create, &meta, today)?;
    let body = prepare(app, &context.members, command.body).await?;
    let record = body.record()?;
    let mut tx = app.store().write().await?;
    let mut invalid = Invalid::new();
    check_link(
        &mut tx,
        partnership_id,
        BUSINESS_CASE_KIND,
        record.business_case_record_id,
        "business_case_record_id",
        "business case",
        &mut invalid,
    )
    .await?;
    invalid.into_result()?;
    let stored = tx
        .insert_allocation(&meta, &record, &caller.change())
        .await?;
    tx.commit().await?;
    entry(stored, caller, today)
}

/// Replaces an allocation (from the version the caller read) and runs every method again.
pub async fn change(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    command: AllocationCommand,
    from_version: Option<i64>,
) -> Result<AllocationEntry> {
    let today = app.today();
    let number = number_of(FinanceKind::Allocation, reference, "Allocation")?;
    let context = super::context(app, caller, partnership_id).await?;
    let mut body = prepare(app, &context.members, command.body).await?;
    let mut tx = app.store().write().await?;
    let what = format!("Allocation {}", FinanceKind::Allocation.reference(number));
    let stored = tx
        .allocation_for_change(partnership_id, number)
        .await?
        .ok_or_else(|| AppError::not_found(&what))?;
    check_access(caller, &stored, Action::Update, &what, today)?;
    check_version(&what, stored.version, from_version)?;
    let meta = changed_meta(caller, &stored.meta, command.visibility)?;
    caller.check(Action::Update, &meta, today)?;
    // Where the figures come from is the record's, not the form's.
    body.source = body.source.or_else(|| stored.value.source.clone());
    let record = body.record()?;
    let mut invalid = Invalid::new();
    check_link(
        &mut tx,
        partnership_id,
        BUSINESS_CASE_KIND,
        record.business_case_record_id,
        "business_case_record_id",
        "business case",
        &mut invalid,
    )
    .await?;
    invalid.into_result()?;
    let saved = tx
        .update_allocation(&stored, &meta, &record, &caller.change())
        .await?;
    tx.commit().await?;
    entry(saved, caller, today)
}

/// Deletes an allocation read at `from_version`.
pub async fn delete(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    from_version: Option<i64>,
) -> Result<()> {
    let today = app.today();
    let number = number_of(FinanceKind::Allocation, reference, "Allocation")?;
    let Some(version) = from_version else {
        return Err(Invalid::field(
            "version",
            "Send the version you read, so an allocation someone else has changed since is not deleted",
        )
        .into());
    };
    let mut tx = app.store().write().await?;
    let what = format!("Allocation {}", FinanceKind::Allocation.reference(number));
    let stored = tx
        .allocation_for_change(partnership_id, number)
        .await?
        .ok_or_else(|| AppError::not_found(&what))?;
    check_access(caller, &stored, Action::Delete, &what, today)?;
    check_version(&what, stored.version, Some(version))?;
    tx.delete_allocation(&stored, &caller.change()).await?;
    tx.commit().await?;
    Ok(())
}
