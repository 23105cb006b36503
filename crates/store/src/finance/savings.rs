//! The savings ledger: one row per line. The ledger is filtered, sorted and paged in SQL; each
//! line's running totals (per project and council, in year order) are window sums over what
//! the reader may see; totals by year and council — planned, forecast, achieved, expected,
//! cashable, the savings target and what is at risk — are `GROUP BY` sums. None of them reads
//! the ledger into Rust.
//!
//! Whether a line is shown Red depends on the delivery plan as well as the line: a line whose
//! milestone has slipped is at risk until it is delivered. Which milestones have slipped is the
//! domain's rule over the projects' dates, so the caller works it out for the few milestones
//! the ledger names ([`SavingStore::saving_links`]) and passes them to every query, which then
//! rates each line in SQL.

use super::{
    HEADER_COLUMNS, HeaderRow, PROJECT_KIND, SAVING_KIND, Stored, dropped_link, slug, unique_number,
};
use crate::backend::{Bind, bind_all};
use crate::raid::contains_pattern;
use crate::scope::visible;
use crate::write::{Header, PgWrite, SqliteWrite};
use crate::{Change, PgStore, Result, SqliteStore, StoreError};
use accord_domain::access::{ReadScope, RecordMeta};
use accord_domain::audit::AuditAction;
use accord_domain::finance::FinanceKind;
use accord_domain::finance::saving::{Brag, Cumulative, Recurrence, Saving, YearTotal};
use accord_domain::{FinancialYear, GssCode, Money};
use async_trait::async_trait;
use chrono::NaiveDate;
use std::collections::HashMap;

/// Which ledger lines to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SavingsFilter {
    /// Only this council's lines.
    pub council: Option<GssCode>,
    /// Only this financial year's lines.
    pub financial_year: Option<FinancialYear>,
    /// Only lines linked to this project record.
    pub project_record_id: Option<i64>,
    /// Only lines whose project name or reference contains this, in any case.
    pub text: Option<String>,
    /// Only lines shown with this rating (slipped milestones counted).
    pub brag: Option<Brag>,
    /// Only lines in (or out of) the councils' MTFSs.
    pub in_mtfs: Option<bool>,
    /// Only cashable (or non-cashable) lines.
    pub cashable: Option<bool>,
}

/// How the ledger is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SavingsOrder {
    /// By project, council, financial year and number: each project's lines together.
    #[default]
    Project,
    /// By financial year, council, project and number.
    Year,
    /// By number: the order the lines were made in.
    Number,
}

/// Where a line stands in every order, for keyset cursors.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SavingKey {
    /// Its project.
    pub project: String,
    /// Its council's GSS code.
    pub council: String,
    /// The year its financial year starts.
    pub financial_year: i32,
    /// Its number.
    pub number: u32,
}

impl SavingKey {
    /// The key of a stored line.
    pub fn of(stored: &Stored<Saving>) -> Self {
        SavingKey {
            project: stored.value.project.trim().to_owned(),
            council: stored.value.council.as_str().to_owned(),
            financial_year: stored.value.financial_year.start_year(),
            number: stored.number,
        }
    }
}

/// Which page of the ledger to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SavingsPage {
    /// The order.
    pub order: SavingsOrder,
    /// Only lines after this one in the order (a keyset cursor).
    pub after: Option<SavingKey>,
    /// Skip this many (for pages addressed by their number).
    pub offset: i64,
    /// At most this many.
    pub limit: i64,
}

/// One line of the ledger as listed: the line, its rating as shown and its running totals.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    /// The stored line.
    pub line: Stored<Saving>,
    /// Its rating with slipped milestones counted.
    pub shown: Brag,
    /// Running totals of its project and council up to its year (`index` is unused).
    pub cumulative: Cumulative,
}

/// What a set of totals is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalsBy {
    /// One total per financial year and council.
    YearAndCouncil,
    /// One total per financial year.
    Year,
    /// One total per council.
    Council,
    /// One total for everything that matches.
    Everything,
}

/// One group's totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavingsTotal {
    /// The group's financial year, when grouped by year.
    pub financial_year: Option<FinancialYear>,
    /// The group's council, when grouped by council.
    pub council: Option<GssCode>,
    /// How many lines it adds up.
    pub lines: i64,
    /// The sums.
    pub total: YearTotal,
}

/// Reading the ledger.
#[async_trait]
pub trait SavingStore: Send + Sync {
    /// A page of the lines matching `filter` that `scope` may read on `today`, with each
    /// line's running totals over every line `scope` may read. `slipped` names the
    /// (project record, milestone) pairs that have slipped.
    async fn savings(
        &self,
        partnership_id: i64,
        filter: &SavingsFilter,
        page: &SavingsPage,
        slipped: &[(i64, u32)],
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<LedgerRow>>;

    /// How many lines match `filter` for `scope`.
    async fn count_savings(
        &self,
        partnership_id: i64,
        filter: &SavingsFilter,
        slipped: &[(i64, u32)],
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<i64>;

    /// The totals of the lines matching `filter`, grouped `by`, in year and council order.
    async fn savings_totals(
        &self,
        partnership_id: i64,
        filter: &SavingsFilter,
        slipped: &[(i64, u32)],
        by: TotalsBy,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<SavingsTotal>>;

    /// One line by its number, if `scope` may read it.
    async fn saving(
        &self,
        partnership_id: i64,
        number: u32,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<Stored<Saving>>>;

    /// The project records (with the milestone, when one is named) that the lines `scope`
    /// may read depend on, each once.
    async fn saving_links(
        &self,
        partnership_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<(i64, Option<u32>)>>;
}

/// Changing the ledger, inside a [`crate::WriteTx`].
#[async_trait]
pub trait SavingTx: Send {
    /// A line by number, to change it.
    async fn saving_for_change(
        &mut self,
        partnership_id: i64,
        number: u32,
    ) -> Result<Option<Stored<Saving>>>;

    /// The lines for the same project, council and year (an import replaces them).
    async fn savings_like(
        &mut self,
        partnership_id: i64,
        project: &str,
        council: &GssCode,
        financial_year: FinancialYear,
    ) -> Result<Vec<Stored<Saving>>>;

    /// Writes a new line, numbered after the ledger's last, with its audit entry.
    async fn insert_saving(
        &mut self,
        meta: &RecordMeta,
        saving: &Saving,
        change: &Change,
    ) -> Result<Stored<Saving>>;

    /// Writes a changed line from the version `from` was read at, with its audit entry;
    /// [`StoreError::Conflict`] when someone changed it since.
    async fn update_saving(
        &mut self,
        from: &Stored<Saving>,
        meta: &RecordMeta,
        saving: &Saving,
        change: &Change,
    ) -> Result<Stored<Saving>>;

    /// Deletes a line read at `from`'s version, with its audit entry.
    async fn delete_saving(&mut self, from: &Stored<Saving>, change: &Change) -> Result<()>;
}

const COLUMNS: &str = "d.record_id, d.partnership_id, d.number, d.project, d.project_id, d.milestone, \
     d.council_gss, d.financial_year, d.planned, d.forecast, d.achieved, d.cashable, d.recurrence, d.in_mtfs, \
     d.reported_brag, d.note, d.source";

/// What a line is expected to save: the amount achieved, else the forecast, else the plan.
const EXPECTED: &str = "COALESCE(d.achieved, d.forecast, d.planned)";

#[derive(Debug, sqlx::FromRow)]
struct SavingRow {
    record_id: i64,
    partnership_id: i64,
    number: i32,
    project: String,
    project_id: Option<i64>,
    milestone: Option<i32>,
    council_gss: String,
    financial_year: i32,
    planned: i64,
    forecast: Option<i64>,
    achieved: Option<i64>,
    cashable: bool,
    recurrence: String,
    in_mtfs: bool,
    reported_brag: Option<String>,
    note: Option<String>,
    source: Option<String>,
    #[sqlx(flatten)]
    header: HeaderRow,
}

#[derive(Debug, sqlx::FromRow)]
struct LedgerSqlRow {
    #[sqlx(flatten)]
    line: SavingRow,
    shown: String,
    cum_planned: i64,
    cum_expected: i64,
    cum_achieved: i64,
}

impl SavingRow {
    fn into_stored(self) -> Result<Stored<Saving>> {
        let id = self.record_id;
        self.decode()
            .map_err(|e| StoreError::Corrupt(format!("saving record {id}: {e}")))
    }

    fn decode(self) -> std::result::Result<Stored<Saving>, String> {
        let value = Saving {
            project: self.project,
            project_record_id: self.project_id,
            milestone: self
                .milestone
                .map(|m| u32::try_from(m).map_err(|_| "milestone is negative"))
                .transpose()?,
            council: GssCode::parse("council", &self.council_gss).map_err(|e| e.to_string())?,
            financial_year: FinancialYear::starting(self.financial_year)
                .map_err(|e| e.to_string())?,
            planned: Money::from_pence(self.planned),
            forecast: self.forecast.map(Money::from_pence),
            achieved: self.achieved.map(Money::from_pence),
            cashable: self.cashable,
            recurrence: slug::<Recurrence>(&self.recurrence)?,
            brag: self
                .reported_brag
                .as_deref()
                .map(slug::<Brag>)
                .transpose()?,
            in_mtfs: self.in_mtfs,
            note: self.note,
            source: self.source,
        };
        self.header
            .stored(self.record_id, self.partnership_id, self.number, value)
    }
}

impl LedgerSqlRow {
    fn into_row(self) -> Result<LedgerRow> {
        let id = self.line.record_id;
        let shown = slug::<Brag>(&self.shown)
            .map_err(|e| StoreError::Corrupt(format!("saving record {id}: {e}")))?;
        let (planned, expected, achieved) = (
            Money::from_pence(self.cum_planned),
            Money::from_pence(self.cum_expected),
            Money::from_pence(self.cum_achieved),
        );
        Ok(LedgerRow {
            line: self.line.into_stored()?,
            shown,
            cumulative: Cumulative {
                index: 0,
                planned,
                expected,
                achieved,
                variance: expected - planned,
            },
        })
    }
}

fn title(s: &Saving) -> String {
    format!("{} – {} {}", s.project.trim(), s.council, s.financial_year)
}

fn header<'a>(meta: &'a RecordMeta, title: &'a str, s: &Saving, reference: &'a str) -> Header<'a> {
    Header {
        kind: SAVING_KIND,
        meta,
        parent_id: None,
        reference: Some(reference),
        title,
        status: Some(s.rating().slug()),
        key_date: Some(s.financial_year.start()),
    }
}

fn body(s: &Saving) -> serde_json::Value {
    serde_json::to_value(s).unwrap_or(serde_json::Value::Null)
}

/// The condition true for lines whose milestone has slipped, over alias `t`.
fn slipped_sql(t: &str, slipped: &[(i64, u32)], binds: &mut Vec<Bind>) -> String {
    if slipped.is_empty() {
        return "1 = 0".to_owned();
    }
    let mut parts = Vec::with_capacity(slipped.len());
    for (project, milestone) in slipped {
        binds.push(Bind::Int(*project));
        binds.push(Bind::Int(i64::from(*milestone)));
        parts.push(format!(
            "({t}.project_id = ${} AND {t}.milestone = ${})",
            binds.len() - 1,
            binds.len()
        ));
    }
    format!("({})", parts.join(" OR "))
}

/// The rating a line is shown with, over alias `t`: Red when its milestone has slipped and it
/// is not delivered, else as reported or as its figures give it.
fn shown_sql(t: &str, slipped: &[(i64, u32)], binds: &mut Vec<Bind>) -> String {
    format!(
        "(CASE WHEN NOT {t}.delivered AND {} THEN 'red' ELSE {t}.brag END)",
        slipped_sql(t, slipped, binds)
    )
}

/// The conditions of a filter over alias `t`, with `shown` the rating expression.
fn filter_where(filter: &SavingsFilter, t: &str, shown: &str, binds: &mut Vec<Bind>) -> String {
    let mut conditions = vec!["1 = 1".to_owned()];
    let bind = |binds: &mut Vec<Bind>, value: Bind| {
        binds.push(value);
        format!("${}", binds.len())
    };
    if let Some(council) = &filter.council {
        let p = bind(binds, Bind::Text(council.as_str().to_owned()));
        conditions.push(format!("{t}.council_gss = {p}"));
    }
    if let Some(year) = filter.financial_year {
        let p = bind(binds, Bind::Int(i64::from(year.start_year())));
        conditions.push(format!("{t}.financial_year = {p}"));
    }
    if let Some(project) = filter.project_record_id {
        let p = bind(binds, Bind::Int(project));
        conditions.push(format!("{t}.project_id = {p}"));
    }
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let p = bind(binds, Bind::Text(contains_pattern(text)));
        conditions.push(format!(
            "({t}.project_search LIKE {p} ESCAPE '\\' OR lower({t}.reference) LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(brag) = filter.brag {
        let p = bind(binds, Bind::Text(brag.slug().to_owned()));
        conditions.push(format!("{shown} = {p}"));
    }
    if let Some(in_mtfs) = filter.in_mtfs {
        let p = bind(binds, Bind::Bool(in_mtfs));
        conditions.push(format!("{t}.in_mtfs = {p}"));
    }
    if let Some(cashable) = filter.cashable {
        let p = bind(binds, Bind::Bool(cashable));
        conditions.push(format!("{t}.cashable = {p}"));
    }
    conditions.join(" AND ")
}

/// The ORDER BY and keyset condition of a page of the ledger over alias `x`.
fn order_sql(page: &SavingsPage, binds: &mut Vec<Bind>) -> (String, &'static str) {
    let order = match page.order {
        SavingsOrder::Project => "x.project, x.council_gss, x.financial_year, x.number",
        SavingsOrder::Year => "x.financial_year, x.council_gss, x.project, x.number",
        SavingsOrder::Number => "x.number",
    };
    let Some(key) = &page.after else {
        return (String::new(), order);
    };
    let mut p = |value: Bind| {
        binds.push(value);
        format!("${}", binds.len())
    };
    let after = match page.order {
        SavingsOrder::Number => format!(" AND x.number > {}", p(Bind::Int(i64::from(key.number)))),
        SavingsOrder::Project => {
            let (a, b, c, d) = (
                p(Bind::Text(key.project.clone())),
                p(Bind::Text(key.council.clone())),
                p(Bind::Int(i64::from(key.financial_year))),
                p(Bind::Int(i64::from(key.number))),
            );
            format!(
                " AND (x.project, x.council_gss, x.financial_year, x.number) > ({a}, {b}, {c}, {d})"
            )
        }
        SavingsOrder::Year => {
            let (a, b, c, d) = (
                p(Bind::Int(i64::from(key.financial_year))),
                p(Bind::Text(key.council.clone())),
                p(Bind::Text(key.project.clone())),
                p(Bind::Int(i64::from(key.number))),
            );
            format!(
                " AND (x.financial_year, x.council_gss, x.project, x.number) > ({a}, {b}, {c}, {d})"
            )
        }
    };
    (after, order)
}

/// A running sum per project and council, in year order.
fn running(expression: &str) -> String {
    format!(
        "CAST(SUM({expression}) OVER (PARTITION BY d.project, d.council_gss ORDER BY d.financial_year, d.record_id \
         ROWS UNBOUNDED PRECEDING) AS BIGINT)"
    )
}

#[derive(Debug, sqlx::FromRow)]
struct TotalRow {
    financial_year: Option<i32>,
    council_gss: Option<String>,
    lines: i64,
    planned: i64,
    forecast: i64,
    achieved: i64,
    expected: i64,
    cashable: i64,
    savings_target: i64,
    at_risk: i64,
}

macro_rules! saving_impl {
    ($store:ident, $write:ident, $conn:ty) => {
        impl $store {
            async fn load_savings(conn: &mut $conn, condition: &str, binds: Vec<Bind>) -> Result<Vec<Stored<Saving>>> {
                let sql = format!(
                    "SELECT {COLUMNS}, {HEADER_COLUMNS} FROM savings d JOIN records r ON r.id = d.record_id WHERE {condition}"
                );
                let rows: Vec<SavingRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                rows.into_iter().map(SavingRow::into_stored).collect()
            }

            async fn write_saving_row(
                conn: &mut $conn,
                record_id: i64,
                partnership_id: i64,
                number: u32,
                s: &Saving,
                replace: bool,
            ) -> Result<()> {
                if replace {
                    sqlx::query("DELETE FROM savings WHERE record_id = $1")
                        .bind(record_id)
                        .execute(&mut *conn)
                        .await?;
                }
                let reference = FinanceKind::Saving.reference(number);
                sqlx::query(
                    "INSERT INTO savings (record_id, partnership_id, number, reference, project, project_search, project_id, \
                     milestone, council_gss, financial_year, planned, forecast, achieved, cashable, recurrence, in_mtfs, \
                     reported_brag, brag, delivered, note, source) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
                )
                .bind(record_id)
                .bind(partnership_id)
                .bind(i64::from(number))
                .bind(&reference)
                .bind(s.project.trim())
                .bind(s.project.trim().to_lowercase())
                .bind(s.project_record_id)
                .bind(s.milestone.map(i64::from))
                .bind(s.council.as_str())
                .bind(i64::from(s.financial_year.start_year()))
                .bind(s.planned.pence())
                .bind(s.forecast.map(Money::pence))
                .bind(s.achieved.map(Money::pence))
                .bind(s.cashable)
                .bind(s.recurrence.slug())
                .bind(s.in_mtfs)
                .bind(s.brag.map(Brag::slug))
                .bind(s.rating().slug())
                .bind(s.delivered())
                .bind(&s.note)
                .bind(&s.source)
                .execute(&mut *conn)
                .await
                .map_err(|e| unique_number(e, &reference))?;
                Ok(())
            }

            /// Moves the ledger lines of the generic table into `savings`.
            pub(crate) async fn upgrade_savings(conn: &mut $conn) -> Result<u64> {
                let rows: Vec<(i64, Option<i64>, String)> = sqlx::query_as(
                    "SELECT id, partnership_id, body FROM records WHERE kind = $1 AND body <> 'null' ORDER BY id",
                )
                .bind(SAVING_KIND)
                .fetch_all(&mut *conn)
                .await?;
                let mut numbers: HashMap<i64, u32> = HashMap::new();
                for (id, partnership_id, body) in &rows {
                    let corrupt = |e: String| StoreError::Corrupt(format!("saving record {id}: {e}"));
                    let partnership_id = partnership_id.ok_or_else(|| corrupt("it belongs to no partnership".into()))?;
                    let mut line: Saving = serde_json::from_str(body).map_err(|e| corrupt(e.to_string()))?;
                    if let Some(project) = line.project_record_id
                        && Self::title_of(conn, partnership_id, PROJECT_KIND, project).await?.is_none()
                    {
                        dropped_link(SAVING_KIND, *id, "project_record_id", project);
                        line.project_record_id = None;
                        line.milestone = None;
                    }
                    let number = numbers.entry(partnership_id).or_insert(0);
                    *number += 1;
                    Self::write_saving_row(conn, *id, partnership_id, *number, &line, false).await?;
                    sqlx::query("UPDATE records SET body = 'null', reference = $2 WHERE id = $1")
                        .bind(id)
                        .bind(FinanceKind::Saving.reference(*number))
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(rows.len() as u64)
            }
        }

        #[async_trait]
        impl SavingStore for $store {
            async fn savings(
                &self,
                partnership_id: i64,
                filter: &SavingsFilter,
                page: &SavingsPage,
                slipped: &[(i64, u32)],
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<LedgerRow>> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let shown = shown_sql("d", slipped, &mut binds);
                let conditions = filter_where(filter, "x", "x.shown", &mut binds);
                let (after, order) = order_sql(page, &mut binds);
                // The running totals run over every line the reader may see; the filter then
                // picks the lines to show, so a line's totals do not change with the filter.
                let sql = format!(
                    "SELECT x.* FROM (SELECT {COLUMNS}, {HEADER_COLUMNS}, d.brag, d.delivered, d.project_search, d.reference, \
                     {shown} AS shown, {} AS cum_planned, {} AS cum_expected, {} AS cum_achieved \
                     FROM savings d JOIN records r ON r.id = d.record_id WHERE d.partnership_id = $1 AND {}) x \
                     WHERE {conditions}{after} ORDER BY {order} LIMIT {} OFFSET {}",
                    running("d.planned"),
                    running(EXPECTED),
                    running("COALESCE(d.achieved, 0)"),
                    visible(scope, today, "r"),
                    page.limit.clamp(1, 10_000),
                    page.offset.max(0),
                );
                let rows: Vec<LedgerSqlRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&self.pool).await?;
                rows.into_iter().map(LedgerSqlRow::into_row).collect()
            }

            async fn count_savings(
                &self,
                partnership_id: i64,
                filter: &SavingsFilter,
                slipped: &[(i64, u32)],
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<i64> {
                let mut binds = vec![Bind::Int(partnership_id)];
                // The rating is in this SQL only when the filter asks for one, and so are its
                // binds: PostgreSQL refuses values for placeholders a statement does not have.
                let shown = if filter.brag.is_some() {
                    shown_sql("d", slipped, &mut binds)
                } else {
                    String::new()
                };
                let sql = format!(
                    "SELECT COUNT(*) FROM savings d JOIN records r ON r.id = d.record_id \
                     WHERE d.partnership_id = $1 AND {} AND {}",
                    filter_where(filter, "d", &shown, &mut binds),
                    visible(scope, today, "r")
                );
                let (count,): (i64,) = bind_all!(sqlx::query_as(&sql), binds).fetch_one(&self.pool).await?;
                Ok(count)
            }

            async fn savings_totals(
                &self,
                partnership_id: i64,
                filter: &SavingsFilter,
                slipped: &[(i64, u32)],
                by: TotalsBy,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<SavingsTotal>> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let shown = shown_sql("d", slipped, &mut binds);
                let (year, council, group) = match by {
                    TotalsBy::YearAndCouncil => ("d.financial_year", "d.council_gss", " GROUP BY d.financial_year, d.council_gss ORDER BY 1, 2"),
                    TotalsBy::Year => ("d.financial_year", "CAST(NULL AS TEXT)", " GROUP BY d.financial_year ORDER BY 1"),
                    TotalsBy::Council => ("CAST(NULL AS INTEGER)", "d.council_gss", " GROUP BY d.council_gss ORDER BY 2"),
                    TotalsBy::Everything => ("CAST(NULL AS INTEGER)", "CAST(NULL AS TEXT)", ""),
                };
                let sql = format!(
                    "SELECT {year} AS financial_year, {council} AS council_gss, COUNT(*) AS lines, \
                     CAST(COALESCE(SUM(d.planned), 0) AS BIGINT) AS planned, \
                     CAST(COALESCE(SUM(COALESCE(d.forecast, 0)), 0) AS BIGINT) AS forecast, \
                     CAST(COALESCE(SUM(COALESCE(d.achieved, 0)), 0) AS BIGINT) AS achieved, \
                     CAST(COALESCE(SUM({EXPECTED}), 0) AS BIGINT) AS expected, \
                     CAST(COALESCE(SUM(CASE WHEN d.cashable THEN {EXPECTED} ELSE 0 END), 0) AS BIGINT) AS cashable, \
                     CAST(COALESCE(SUM(CASE WHEN d.in_mtfs THEN d.planned ELSE 0 END), 0) AS BIGINT) AS savings_target, \
                     CAST(COALESCE(SUM(CASE WHEN {shown} = 'red' THEN {EXPECTED} ELSE 0 END), 0) AS BIGINT) AS at_risk \
                     FROM savings d JOIN records r ON r.id = d.record_id \
                     WHERE d.partnership_id = $1 AND {} AND {}{group}",
                    filter_where(filter, "d", &shown, &mut binds),
                    visible(scope, today, "r"),
                );
                let rows: Vec<TotalRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&self.pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for row in rows {
                    let corrupt = |e: String| StoreError::Corrupt(format!("savings totals: {e}"));
                    out.push(SavingsTotal {
                        financial_year: row
                            .financial_year
                            .map(|y| FinancialYear::starting(y).map_err(|e| corrupt(e.to_string())))
                            .transpose()?,
                        council: row
                            .council_gss
                            .map(|c| GssCode::parse("council", &c).map_err(|e| corrupt(e.to_string())))
                            .transpose()?,
                        lines: row.lines,
                        total: YearTotal {
                            planned: Money::from_pence(row.planned),
                            forecast: Money::from_pence(row.forecast),
                            achieved: Money::from_pence(row.achieved),
                            expected: Money::from_pence(row.expected),
                            cashable: Money::from_pence(row.cashable),
                            savings_target: Money::from_pence(row.savings_target),
                            at_risk: Money::from_pence(row.at_risk),
                        },
                    });
                }
                Ok(out)
            }

            async fn saving(
                &self,
                partnership_id: i64,
                number: u32,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<Stored<Saving>>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.partnership_id = $1 AND d.number = $2 AND {}", visible(scope, today, "r"));
                Ok(Self::load_savings(&mut conn, &condition, vec![Bind::Int(partnership_id), Bind::Int(i64::from(number))])
                    .await?
                    .pop())
            }

            async fn saving_links(
                &self,
                partnership_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<(i64, Option<u32>)>> {
                let sql = format!(
                    "SELECT DISTINCT d.project_id, d.milestone FROM savings d JOIN records r ON r.id = d.record_id \
                     WHERE d.partnership_id = $1 AND d.project_id IS NOT NULL AND {} ORDER BY 1, 2",
                    visible(scope, today, "r")
                );
                let rows: Vec<(Option<i64>, Option<i32>)> =
                    sqlx::query_as(&sql).bind(partnership_id).fetch_all(&self.pool).await?;
                Ok(rows
                    .into_iter()
                    .filter_map(|(p, m)| p.map(|p| (p, m.and_then(|m| u32::try_from(m).ok()))))
                    .collect())
            }
        }

        #[async_trait]
        impl SavingTx for $write {
            async fn saving_for_change(&mut self, partnership_id: i64, number: u32) -> Result<Option<Stored<Saving>>> {
                Ok($store::load_savings(
                    &mut self.tx,
                    "d.partnership_id = $1 AND d.number = $2",
                    vec![Bind::Int(partnership_id), Bind::Int(i64::from(number))],
                )
                .await?
                .pop())
            }

            async fn savings_like(
                &mut self,
                partnership_id: i64,
                project: &str,
                council: &GssCode,
                financial_year: FinancialYear,
            ) -> Result<Vec<Stored<Saving>>> {
                $store::load_savings(
                    &mut self.tx,
                    "d.partnership_id = $1 AND d.project = $2 AND d.council_gss = $3 AND d.financial_year = $4 ORDER BY d.number",
                    vec![
                        Bind::Int(partnership_id),
                        Bind::Text(project.trim().to_owned()),
                        Bind::Text(council.as_str().to_owned()),
                        Bind::Int(i64::from(financial_year.start_year())),
                    ],
                )
                .await
            }

            async fn insert_saving(&mut self, meta: &RecordMeta, saving: &Saving, change: &Change) -> Result<Stored<Saving>> {
                let partnership_id = meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "A ledger line belongs to a partnership")
                })?;
                let number = $store::next_number(&mut self.tx, "savings", partnership_id).await?;
                let reference = FinanceKind::Saving.reference(number);
                let title = title(saving);
                let header = header(meta, &title, saving, &reference);
                let id = $store::insert_header(&mut self.tx, &header, change).await?;
                $store::write_saving_row(&mut self.tx, id, partnership_id, number, saving, false).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), body(saving));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(Stored {
                    record_id: id,
                    number,
                    version: 1,
                    meta: meta.clone(),
                    created_at: change.at,
                    updated_at: change.at,
                    value: saving.clone(),
                })
            }

            async fn update_saving(
                &mut self,
                from: &Stored<Saving>,
                meta: &RecordMeta,
                saving: &Saving,
                change: &Change,
            ) -> Result<Stored<Saving>> {
                let partnership_id = from.meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "A ledger line belongs to a partnership")
                })?;
                let reference = FinanceKind::Saving.reference(from.number);
                let (old_title, new_title) = (title(&from.value), title(saving));
                let before_header = header(&from.meta, &old_title, &from.value, &reference);
                let after_header = header(meta, &new_title, saving, &reference);
                let (version, created_at) =
                    $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &format!("Ledger line {reference}"), change).await?;
                $store::write_saving_row(&mut self.tx, from.record_id, partnership_id, from.number, saving, true).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created_at, from.updated_at), body(&from.value));
                let after = after_header.snapshot(from.record_id, version, (created_at, change.at), body(saving));
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                Ok(Stored {
                    record_id: from.record_id,
                    number: from.number,
                    version,
                    meta: meta.clone(),
                    created_at,
                    updated_at: change.at,
                    value: saving.clone(),
                })
            }

            async fn delete_saving(&mut self, from: &Stored<Saving>, change: &Change) -> Result<()> {
                let reference = FinanceKind::Saving.reference(from.number);
                $store::delete_header(&mut self.tx, from.record_id, from.version, SAVING_KIND, &format!("Ledger line {reference}")).await?;
                let title = title(&from.value);
                let before = header(&from.meta, &title, &from.value, &reference).snapshot(
                    from.record_id,
                    from.version,
                    (from.created_at, from.updated_at),
                    body(&from.value),
                );
                $store::audit_record(&mut self.tx, change, AuditAction::Delete, Some(&before), None).await
            }
        }
    };
}

saving_impl!(SqliteStore, SqliteWrite, sqlx::SqliteConnection);
saving_impl!(PgStore, PgWrite, sqlx::PgConnection);
