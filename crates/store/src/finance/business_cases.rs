//! Business cases: one row each, with the councils that share them, filtered by stage,
//! decision, council and words, sorted and paged in SQL.

use super::{
    BUSINESS_CASE_KIND, HEADER_COLUMNS, HeaderRow, OPPORTUNITY_KIND, Page, Stored, dropped_link,
    limit_sql, page_sql, slug, unique_number,
};
use crate::backend::{Bind, bind_all};
use crate::raid::contains_pattern;
use crate::scope::visible;
use crate::write::{Header, PgWrite, SqliteWrite};
use crate::{Change, PgStore, Result, SqliteStore, StoreError};
use accord_domain::access::{ReadScope, RecordMeta};
use accord_domain::audit::AuditAction;
use accord_domain::finance::{CaseDecision, CaseStage, FinanceKind};
use accord_domain::{FinancialYear, GssCode, Money};
use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::types::Json;
use std::collections::HashMap;

/// A business case as the store keeps it: the columns lists show and filter by, and the case
/// and its appraisal as the engine reads and writes them (JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCaseRecord {
    /// Its name.
    pub name: String,
    /// Its Green Book stage, when stated.
    pub stage: Option<CaseStage>,
    /// Whether it makes clear financial sense.
    pub decision: CaseDecision,
    /// The councils that share its costs and savings, in order.
    pub councils: Vec<GssCode>,
    /// The opportunity record it appraises.
    pub opportunity_record_id: Option<i64>,
    /// The financial year of year 0.
    pub base_year: Option<FinancialYear>,
    /// Years appraised after the base year.
    pub appraisal_years: u32,
    /// The option the appraisal prefers.
    pub preferred_option: Option<String>,
    /// The financial NPV of the preferred option, else of the best one.
    pub financial_npv: Option<Money>,
    /// The projected saving as its source states it.
    pub projected_saving: Option<String>,
    /// What is illustrative.
    pub illustrative: Option<String>,
    /// Where the figures come from.
    pub source: Option<String>,
    /// Its options with their cost and savings lines, and the appraisal's settings, exactly as
    /// `accord appraise` reads them.
    pub case: serde_json::Value,
    /// The appraisal computed when it was last saved.
    pub appraisal: Option<serde_json::Value>,
}

impl BusinessCaseRecord {
    /// The record as the audit trail keeps it (the shape of the generic record's body).
    pub fn body(&self) -> serde_json::Value {
        let mut body = serde_json::Map::new();
        body.insert("case".into(), self.case.clone());
        let mut put = |key: &str, value: Option<serde_json::Value>| {
            if let Some(v) = value {
                body.insert(key.into(), v);
            }
        };
        put("stage", self.stage.map(|s| s.slug().into()));
        put(
            "opportunity_record_id",
            self.opportunity_record_id.map(Into::into),
        );
        put(
            "projected_saving",
            self.projected_saving.clone().map(Into::into),
        );
        put("illustrative", self.illustrative.clone().map(Into::into));
        put("source", self.source.clone().map(Into::into));
        put("appraisal", self.appraisal.clone());
        serde_json::Value::Object(body)
    }
}

/// Which business cases to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessCaseFilter {
    /// Only cases at this stage.
    pub stage: Option<CaseStage>,
    /// Only cases with this decision.
    pub decision: Option<CaseDecision>,
    /// Only cases this council shares.
    pub council: Option<GssCode>,
    /// Only cases whose name or reference contains this, in any case.
    pub text: Option<String>,
}

/// Reading business cases.
#[async_trait]
pub trait BusinessCaseStore: Send + Sync {
    /// A page of the cases matching `filter` that `scope` may read on `today`.
    async fn business_cases(
        &self,
        partnership_id: i64,
        filter: &BusinessCaseFilter,
        page: &Page,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<Stored<BusinessCaseRecord>>>;

    /// How many cases match `filter` for `scope`.
    async fn count_business_cases(
        &self,
        partnership_id: i64,
        filter: &BusinessCaseFilter,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<i64>;

    /// One case by its number, if `scope` may read it.
    async fn business_case(
        &self,
        partnership_id: i64,
        number: u32,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<Stored<BusinessCaseRecord>>>;
}

/// Changing business cases, inside a [`crate::WriteTx`].
#[async_trait]
pub trait BusinessCaseTx: Send {
    /// A case by number, to change it.
    async fn business_case_for_change(
        &mut self,
        partnership_id: i64,
        number: u32,
    ) -> Result<Option<Stored<BusinessCaseRecord>>>;

    /// Writes a new case, numbered after the partnership's last, with its audit entry.
    async fn insert_business_case(
        &mut self,
        meta: &RecordMeta,
        case: &BusinessCaseRecord,
        change: &Change,
    ) -> Result<Stored<BusinessCaseRecord>>;

    /// Writes a changed case from the version `from` was read at, with its audit entry;
    /// [`StoreError::Conflict`] when someone changed it since.
    async fn update_business_case(
        &mut self,
        from: &Stored<BusinessCaseRecord>,
        meta: &RecordMeta,
        case: &BusinessCaseRecord,
        change: &Change,
    ) -> Result<Stored<BusinessCaseRecord>>;

    /// Deletes a case read at `from`'s version, with its audit entry.
    async fn delete_business_case(
        &mut self,
        from: &Stored<BusinessCaseRecord>,
        change: &Change,
    ) -> Result<()>;

    /// The references of the allocations and funding awards that name the case.
    async fn business_case_referrers(&mut self, record_id: i64) -> Result<Vec<String>>;
}

const COLUMNS: &str = "d.record_id, d.partnership_id, d.number, d.name, d.stage, d.status, d.opportunity_id, \
     d.base_year, d.appraisal_years, d.preferred_option, d.financial_npv, d.projected_saving, d.illustrative, \
     d.source, d.case_input, d.appraisal";

#[derive(Debug, sqlx::FromRow)]
struct CaseRow {
    record_id: i64,
    partnership_id: i64,
    number: i32,
    name: String,
    stage: Option<String>,
    status: String,
    opportunity_id: Option<i64>,
    base_year: Option<i32>,
    appraisal_years: i32,
    preferred_option: Option<String>,
    financial_npv: Option<i64>,
    projected_saving: Option<String>,
    illustrative: Option<String>,
    source: Option<String>,
    case_input: Json<serde_json::Value>,
    appraisal: Option<Json<serde_json::Value>>,
    #[sqlx(flatten)]
    header: HeaderRow,
}

impl CaseRow {
    fn into_stored(self, councils: Vec<GssCode>) -> Result<Stored<BusinessCaseRecord>> {
        let id = self.record_id;
        self.decode(councils)
            .map_err(|e| StoreError::Corrupt(format!("business case record {id}: {e}")))
    }

    fn decode(
        self,
        councils: Vec<GssCode>,
    ) -> std::result::Result<Stored<BusinessCaseRecord>, String> {
        let value = BusinessCaseRecord {
            name: self.name,
            stage: self.stage.as_deref().map(slug).transpose()?,
            decision: slug(&self.status)?,
            councils,
            opportunity_record_id: self.opportunity_id,
            base_year: self
                .base_year
                .map(|y| FinancialYear::starting(y).map_err(|e| e.to_string()))
                .transpose()?,
            appraisal_years: u32::try_from(self.appraisal_years)
                .map_err(|_| "appraisal years are negative")?,
            preferred_option: self.preferred_option,
            financial_npv: self.financial_npv.map(Money::from_pence),
            projected_saving: self.projected_saving,
            illustrative: self.illustrative,
            source: self.source,
            case: self.case_input.0,
            appraisal: self.appraisal.map(|a| a.0),
        };
        self.header
            .stored(self.record_id, self.partnership_id, self.number, value)
    }
}

fn header<'a>(
    meta: &'a RecordMeta,
    case: &'a BusinessCaseRecord,
    reference: &'a str,
) -> Header<'a> {
    Header {
        kind: BUSINESS_CASE_KIND,
        meta,
        parent_id: None,
        reference: Some(reference),
        title: &case.name,
        status: Some(case.decision.slug()),
        key_date: case.base_year.map(FinancialYear::start),
    }
}

/// The conditions of a filter (after the partnership, `$1`), with their binds.
fn filter_where(filter: &BusinessCaseFilter, binds: &mut Vec<Bind>) -> String {
    let mut conditions = vec!["1 = 1".to_owned()];
    let bind = |binds: &mut Vec<Bind>, value: Bind| {
        binds.push(value);
        format!("${}", binds.len())
    };
    if let Some(stage) = filter.stage {
        let p = bind(binds, Bind::Text(stage.slug().to_owned()));
        conditions.push(format!("d.stage = {p}"));
    }
    if let Some(decision) = filter.decision {
        let p = bind(binds, Bind::Text(decision.slug().to_owned()));
        conditions.push(format!("d.status = {p}"));
    }
    if let Some(council) = &filter.council {
        let p = bind(binds, Bind::Text(council.as_str().to_owned()));
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM business_case_councils c WHERE c.record_id = d.record_id AND c.council_gss = {p})"
        ));
    }
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let p = bind(binds, Bind::Text(contains_pattern(text)));
        conditions.push(format!(
            "(d.name_search LIKE {p} ESCAPE '\\' OR lower(d.reference) LIKE {p} ESCAPE '\\')"
        ));
    }
    conditions.join(" AND ")
}

/// What an earlier release kept as a business case's body.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EarlierCase {
    case: serde_json::Value,
    #[serde(default)]
    opportunity_record_id: Option<i64>,
    #[serde(default, alias = "savings_stated")]
    projected_saving: Option<String>,
    #[serde(default)]
    illustrative: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    appraisal: Option<serde_json::Value>,
}

/// What the columns need of a case as `accord appraise` reads it.
#[derive(Debug, serde::Deserialize)]
struct CaseHead {
    name: String,
    #[serde(default)]
    councils: Vec<String>,
    #[serde(default)]
    base_year: Option<FinancialYear>,
    #[serde(default = "ten")]
    appraisal_years: u32,
}

fn ten() -> u32 {
    10
}

/// What the columns need of an appraisal.
#[derive(Debug, serde::Deserialize)]
struct AppraisalHead {
    #[serde(default)]
    preferred_option: Option<String>,
    #[serde(default)]
    options: Vec<OptionHead>,
}

#[derive(Debug, serde::Deserialize)]
struct OptionHead {
    name: String,
    #[serde(default)]
    status_quo: bool,
    financial_npv: f64,
}

/// The financial NPV a list shows for an appraisal: the preferred option's, else the best
/// option's other than the status quo. The application layer gives the same figure for the
/// cases it writes.
pub fn headline_npv(preferred: Option<&str>, options: &[(String, bool, f64)]) -> Option<Money> {
    let chosen = preferred
        .and_then(|p| options.iter().find(|(name, _, _)| name == p))
        .or_else(|| {
            options
                .iter()
                .filter(|(_, status_quo, _)| !status_quo)
                .max_by(|x, y| x.2.total_cmp(&y.2))
        });
    chosen.and_then(|(_, _, npv)| Money::from_pounds_f64(*npv))
}

impl BusinessCaseRecord {
    /// A business case as an earlier release kept it in the generic table (its JSON body),
    /// with the columns derived as that release derived them. The links it names are not
    /// checked here: the data move checks them against the database.
    pub fn from_earlier(body: &str) -> std::result::Result<Self, String> {
        let old: EarlierCase = serde_json::from_str(body).map_err(|e| e.to_string())?;
        let head: CaseHead = serde_json::from_value(old.case.clone()).map_err(|e| e.to_string())?;
        let appraisal: Option<AppraisalHead> = old
            .appraisal
            .clone()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| e.to_string())?;
        let mut councils: Vec<GssCode> = Vec::new();
        for c in &head.councils {
            let code = GssCode::parse("council", c).map_err(|e| e.to_string())?;
            if !councils.contains(&code) {
                councils.push(code);
            }
        }
        let options: Vec<(String, bool, f64)> = appraisal
            .as_ref()
            .map(|a| {
                a.options
                    .iter()
                    .map(|o| (o.name.clone(), o.status_quo, o.financial_npv))
                    .collect()
            })
            .unwrap_or_default();
        let preferred = appraisal.as_ref().and_then(|a| a.preferred_option.clone());
        Ok(BusinessCaseRecord {
            name: head.name,
            stage: None,
            // As the earlier release decided it: from the appraisal's preferred option.
            decision: if preferred.is_some() {
                CaseDecision::MakesClearFinancialSense
            } else {
                CaseDecision::NotClear
            },
            councils,
            opportunity_record_id: old.opportunity_record_id,
            base_year: head.base_year,
            appraisal_years: head.appraisal_years,
            financial_npv: headline_npv(preferred.as_deref(), &options),
            preferred_option: preferred,
            projected_saving: old.projected_saving,
            illustrative: old.illustrative,
            source: old.source,
            case: old.case,
            appraisal: old.appraisal,
        })
    }
}

macro_rules! business_case_impl {
    ($store:ident, $write:ident, $conn:ty) => {
        impl $store {
            async fn load_cases(conn: &mut $conn, condition: &str, binds: Vec<Bind>) -> Result<Vec<Stored<BusinessCaseRecord>>> {
                let sql = format!(
                    "SELECT {COLUMNS}, {HEADER_COLUMNS} FROM business_cases d JOIN records r ON r.id = d.record_id WHERE {condition}"
                );
                let rows: Vec<CaseRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                let mut councils = Self::case_councils(conn, &rows.iter().map(|r| r.record_id).collect::<Vec<_>>()).await?;
                rows.into_iter()
                    .map(|r| {
                        let c = councils.remove(&r.record_id).unwrap_or_default();
                        r.into_stored(c)
                    })
                    .collect()
            }

            async fn case_councils(conn: &mut $conn, ids: &[i64]) -> Result<HashMap<i64, Vec<GssCode>>> {
                let mut out: HashMap<i64, Vec<GssCode>> = HashMap::new();
                if ids.is_empty() {
                    return Ok(out);
                }
                // Record ids are integers read from the database: safe to splice.
                let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
                let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
                    "SELECT record_id, council_gss FROM business_case_councils WHERE record_id IN ({list}) ORDER BY record_id, position"
                ))
                .fetch_all(&mut *conn)
                .await?;
                for (id, code) in rows {
                    let code = GssCode::parse("council", &code)
                        .map_err(|e| StoreError::Corrupt(format!("business case record {id}: {e}")))?;
                    out.entry(id).or_default().push(code);
                }
                Ok(out)
            }

            /// Writes a case's row and its councils (a new one, or over the old ones).
            async fn write_case_row(
                conn: &mut $conn,
                record_id: i64,
                partnership_id: i64,
                number: u32,
                case: &BusinessCaseRecord,
                replace: bool,
            ) -> Result<()> {
                if replace {
                    sqlx::query("DELETE FROM business_cases WHERE record_id = $1")
                        .bind(record_id)
                        .execute(&mut *conn)
                        .await?;
                }
                let reference = FinanceKind::BusinessCase.reference(number);
                sqlx::query(
                    "INSERT INTO business_cases (record_id, partnership_id, number, reference, name, name_search, stage, \
                     status, opportunity_id, base_year, appraisal_years, preferred_option, financial_npv, projected_saving, \
                     illustrative, source, case_input, appraisal) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
                )
                .bind(record_id)
                .bind(partnership_id)
                .bind(i64::from(number))
                .bind(&reference)
                .bind(case.name.trim())
                .bind(case.name.trim().to_lowercase())
                .bind(case.stage.map(CaseStage::slug))
                .bind(case.decision.slug())
                .bind(case.opportunity_record_id)
                .bind(case.base_year.map(|y| i64::from(y.start_year())))
                .bind(i64::from(case.appraisal_years))
                .bind(&case.preferred_option)
                .bind(case.financial_npv.map(Money::pence))
                .bind(&case.projected_saving)
                .bind(&case.illustrative)
                .bind(&case.source)
                .bind(Json(&case.case))
                .bind(case.appraisal.as_ref().map(Json))
                .execute(&mut *conn)
                .await
                .map_err(|e| unique_number(e, &reference))?;
                for (position, council) in case.councils.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO business_case_councils (record_id, position, council_gss) VALUES ($1, $2, $3)",
                    )
                    .bind(record_id)
                    .bind(i64::try_from(position).unwrap_or(i64::MAX))
                    .bind(council.as_str())
                    .execute(&mut *conn)
                    .await?;
                }
                Ok(())
            }

            /// Moves the business cases of the generic table into `business_cases`.
            pub(crate) async fn upgrade_business_cases(conn: &mut $conn) -> Result<u64> {
                let rows: Vec<(i64, Option<i64>, String)> = sqlx::query_as(
                    "SELECT id, partnership_id, body FROM records WHERE kind = $1 AND body <> 'null' ORDER BY id",
                )
                .bind(BUSINESS_CASE_KIND)
                .fetch_all(&mut *conn)
                .await?;
                let mut numbers: HashMap<i64, u32> = HashMap::new();
                for (id, partnership_id, body) in &rows {
                    let corrupt = |e: String| StoreError::Corrupt(format!("business case record {id}: {e}"));
                    let partnership_id = partnership_id.ok_or_else(|| corrupt("it belongs to no partnership".into()))?;
                    let mut record = BusinessCaseRecord::from_earlier(body).map_err(corrupt)?;
                    if let Some(o) = record.opportunity_record_id
                        && Self::title_of(conn, partnership_id, OPPORTUNITY_KIND, o).await?.is_none()
                    {
                        dropped_link(BUSINESS_CASE_KIND, *id, "opportunity_record_id", o);
                        record.opportunity_record_id = None;
                    }
                    let number = numbers.entry(partnership_id).or_insert(0);
                    *number += 1;
                    Self::write_case_row(conn, *id, partnership_id, *number, &record, false).await?;
                    sqlx::query("UPDATE records SET body = 'null', reference = $2 WHERE id = $1")
                        .bind(id)
                        .bind(FinanceKind::BusinessCase.reference(*number))
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(rows.len() as u64)
            }
        }

        #[async_trait]
        impl BusinessCaseStore for $store {
            async fn business_cases(
                &self,
                partnership_id: i64,
                filter: &BusinessCaseFilter,
                page: &Page,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<Stored<BusinessCaseRecord>>> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let mut condition = format!(
                    "d.partnership_id = $1 AND {} AND {}",
                    filter_where(filter, &mut binds),
                    visible(scope, today, "r")
                );
                let (after, order) = page_sql(page, "name", &mut binds);
                condition.push_str(&after);
                condition.push_str(&format!(" ORDER BY {order}{}", limit_sql(page)));
                let mut conn = self.pool.acquire().await?;
                Self::load_cases(&mut conn, &condition, binds).await
            }

            async fn count_business_cases(
                &self,
                partnership_id: i64,
                filter: &BusinessCaseFilter,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<i64> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let sql = format!(
                    "SELECT COUNT(*) FROM business_cases d JOIN records r ON r.id = d.record_id \
                     WHERE d.partnership_id = $1 AND {} AND {}",
                    filter_where(filter, &mut binds),
                    visible(scope, today, "r")
                );
                let (count,): (i64,) = bind_all!(sqlx::query_as(&sql), binds).fetch_one(&self.pool).await?;
                Ok(count)
            }

            async fn business_case(
                &self,
                partnership_id: i64,
                number: u32,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<Stored<BusinessCaseRecord>>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("d.partnership_id = $1 AND d.number = $2 AND {}", visible(scope, today, "r"));
                Ok(Self::load_cases(&mut conn, &condition, vec![Bind::Int(partnership_id), Bind::Int(i64::from(number))])
                    .await?
                    .pop())
            }
        }

        #[async_trait]
        impl BusinessCaseTx for $write {
            async fn business_case_for_change(
                &mut self,
                partnership_id: i64,
                number: u32,
            ) -> Result<Option<Stored<BusinessCaseRecord>>> {
                Ok($store::load_cases(
                    &mut self.tx,
                    "d.partnership_id = $1 AND d.number = $2",
                    vec![Bind::Int(partnership_id), Bind::Int(i64::from(number))],
                )
                .await?
                .pop())
            }

            async fn insert_business_case(
                &mut self,
                meta: &RecordMeta,
                case: &BusinessCaseRecord,
                change: &Change,
            ) -> Result<Stored<BusinessCaseRecord>> {
                let partnership_id = meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "A business case belongs to a partnership")
                })?;
                let number = $store::next_number(&mut self.tx, "business_cases", partnership_id).await?;
                let reference = FinanceKind::BusinessCase.reference(number);
                let header = header(meta, case, &reference);
                let id = $store::insert_header(&mut self.tx, &header, change).await?;
                $store::write_case_row(&mut self.tx, id, partnership_id, number, case, false).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), case.body());
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(Stored {
                    record_id: id,
                    number,
                    version: 1,
                    meta: meta.clone(),
                    created_at: change.at,
                    updated_at: change.at,
                    value: case.clone(),
                })
            }

            async fn update_business_case(
                &mut self,
                from: &Stored<BusinessCaseRecord>,
                meta: &RecordMeta,
                case: &BusinessCaseRecord,
                change: &Change,
            ) -> Result<Stored<BusinessCaseRecord>> {
                let partnership_id = from.meta.partnership_id.ok_or_else(|| {
                    accord_domain::Invalid::field("partnership", "A business case belongs to a partnership")
                })?;
                let reference = FinanceKind::BusinessCase.reference(from.number);
                let before_header = header(&from.meta, &from.value, &reference);
                let after_header = header(meta, case, &reference);
                let (version, created_at) =
                    $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &format!("Business case {reference}"), change).await?;
                $store::write_case_row(&mut self.tx, from.record_id, partnership_id, from.number, case, true).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created_at, from.updated_at), from.value.body());
                let after = after_header.snapshot(from.record_id, version, (created_at, change.at), case.body());
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                Ok(Stored {
                    record_id: from.record_id,
                    number: from.number,
                    version,
                    meta: meta.clone(),
                    created_at,
                    updated_at: change.at,
                    value: case.clone(),
                })
            }

            async fn delete_business_case(&mut self, from: &Stored<BusinessCaseRecord>, change: &Change) -> Result<()> {
                let reference = FinanceKind::BusinessCase.reference(from.number);
                $store::delete_header(&mut self.tx, from.record_id, from.version, BUSINESS_CASE_KIND, &format!("Business case {reference}")).await?;
                let before = header(&from.meta, &from.value, &reference).snapshot(
                    from.record_id,
                    from.version,
                    (from.created_at, from.updated_at),
                    from.value.body(),
                );
                $store::audit_record(&mut self.tx, change, AuditAction::Delete, Some(&before), None).await
            }

            async fn business_case_referrers(&mut self, record_id: i64) -> Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT reference FROM allocations WHERE business_case_id = $1 \
                     UNION ALL SELECT reference FROM funding_awards WHERE business_case_id = $1",
                )
                .bind(record_id)
                .fetch_all(&mut *self.tx)
                .await?;
                Ok(rows.into_iter().map(|(r,)| r).collect())
            }
        }
    };
}

business_case_impl!(SqliteStore, SqliteWrite, sqlx::SqliteConnection);
business_case_impl!(PgStore, PgWrite, sqlx::PgConnection);
