//! Reference data about councils beyond the register: population estimates, budgets by service
//! category, and borders. Each import replaces the previous one in one transaction.

use crate::rows::AuthorityRow;
use crate::{Change, ImportSummary, PgStore, Result, SqliteStore};
use accord_domain::audit::AuditAction;
use accord_domain::{Authority, Money};
use async_trait::async_trait;
use std::collections::BTreeMap;

/// A council's latest population estimate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Population {
    /// The year of the estimate.
    pub year: i32,
    /// The number of people.
    pub population: u64,
    /// The source.
    pub source: String,
}

/// A council's budget for one service category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    /// The category's key.
    pub category: String,
    /// Its label.
    pub label: String,
    /// The amount.
    pub amount: Money,
    /// The council's whole budget.
    pub total: Money,
}

/// A register entry as the border import needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    /// The register code.
    pub code: String,
    /// The GOV.UK slug, if any.
    pub slug: Option<String>,
    /// The council's type (slug).
    pub kind: String,
    /// For a district, its county's register code.
    pub county: Option<String>,
}

/// Storage of council reference data.
#[async_trait]
pub trait CouncilDataStore: Send + Sync {
    /// Every council in the register, as the imports need them.
    async fn register_entries(&self) -> Result<Vec<RegisterEntry>>;
    /// Replaces the population estimates.
    async fn replace_populations(
        &self,
        year: i32,
        source: &str,
        rows: &[(String, u64)],
        change: &Change,
    ) -> Result<ImportSummary>;
    /// Replaces the budgets.
    async fn replace_budgets(
        &self,
        rows: &[(String, Budget)],
        change: &Change,
    ) -> Result<ImportSummary>;
    /// Replaces the borders: each pair once, with whether it was derived.
    async fn replace_neighbours(
        &self,
        pairs: &[(String, String, bool)],
        change: &Change,
    ) -> Result<ImportSummary>;
    /// A council's latest population estimate.
    async fn population_of(&self, code: &str) -> Result<Option<Population>>;
    /// A council's budgets, largest first.
    async fn budgets_of(&self, code: &str) -> Result<Vec<Budget>>;
    /// The councils a council borders, by name, with whether the border was derived.
    async fn neighbours_of(&self, code: &str) -> Result<Vec<(Authority, bool)>>;
}

/// The register's slugs, for joining files keyed by slug.
pub fn slug_index(entries: &[RegisterEntry]) -> BTreeMap<String, String> {
    entries
        .iter()
        .filter_map(|e| e.slug.clone().map(|s| (s, e.code.clone())))
        .collect()
}

macro_rules! council_data_impl {
    ($store:ident) => {
        #[async_trait]
        impl CouncilDataStore for $store {
            async fn register_entries(&self) -> Result<Vec<RegisterEntry>> {
                let rows: Vec<(String, Option<String>, String, Option<String>)> =
                    sqlx::query_as("SELECT code, slug, kind, county FROM authorities ORDER BY code").fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(|(code, slug, kind, county)| RegisterEntry { code, slug, kind, county }).collect())
            }

            async fn replace_populations(&self, year: i32, source: &str, rows: &[(String, u64)], change: &Change) -> Result<ImportSummary> {
                let mut tx = self.begin_write().await?;
                sqlx::query("DELETE FROM authority_populations").execute(&mut *tx).await?;
                for (code, population) in rows {
                    sqlx::query("INSERT INTO authority_populations (code, year, population, source) VALUES ($1, $2, $3, $4)")
                        .bind(code)
                        .bind(i64::from(year))
                        .bind(i64::try_from(*population).unwrap_or(i64::MAX))
                        .bind(source)
                        .execute(&mut *tx)
                        .await?;
                }
                let detail = Some(serde_json::json!({"year": year, "councils": rows.len(), "source": source}));
                Self::audit(&mut tx, change, AuditAction::Import, "authority_population", &year.to_string(), None, None, detail).await?;
                tx.commit().await?;
                Ok(ImportSummary { rows: rows.len() as u64, created: rows.len() as u64, updated: 0 })
            }

            async fn replace_budgets(&self, rows: &[(String, Budget)], change: &Change) -> Result<ImportSummary> {
                let mut tx = self.begin_write().await?;
                sqlx::query("DELETE FROM authority_budgets").execute(&mut *tx).await?;
                for (code, b) in rows {
                    sqlx::query("INSERT INTO authority_budgets (code, category, label, amount_pence, total_pence) VALUES ($1, $2, $3, $4, $5)")
                        .bind(code)
                        .bind(&b.category)
                        .bind(&b.label)
                        .bind(b.amount.pence())
                        .bind(b.total.pence())
                        .execute(&mut *tx)
                        .await?;
                }
                let detail = Some(serde_json::json!({"lines": rows.len()}));
                Self::audit(&mut tx, change, AuditAction::Import, "authority_budget", "budgets", None, None, detail).await?;
                tx.commit().await?;
                Ok(ImportSummary { rows: rows.len() as u64, created: rows.len() as u64, updated: 0 })
            }

            async fn replace_neighbours(&self, pairs: &[(String, String, bool)], change: &Change) -> Result<ImportSummary> {
                let mut tx = self.begin_write().await?;
                sqlx::query("DELETE FROM authority_neighbours").execute(&mut *tx).await?;
                for (a, b, derived) in pairs {
                    for (x, y) in [(a, b), (b, a)] {
                        sqlx::query("INSERT INTO authority_neighbours (code, neighbour, derived) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                            .bind(x)
                            .bind(y)
                            .bind(*derived)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                let detail = Some(serde_json::json!({"borders": pairs.len()}));
                Self::audit(&mut tx, change, AuditAction::Import, "authority_neighbour", "borders", None, None, detail).await?;
                tx.commit().await?;
                Ok(ImportSummary { rows: pairs.len() as u64, created: pairs.len() as u64, updated: 0 })
            }

            async fn population_of(&self, code: &str) -> Result<Option<Population>> {
                let row: Option<(i64, i64, String)> =
                    sqlx::query_as("SELECT year, population, source FROM authority_populations WHERE code = $1")
                        .bind(code)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.map(|(year, population, source)| Population {
                    year: i32::try_from(year).unwrap_or_default(),
                    population: u64::try_from(population).unwrap_or_default(),
                    source,
                }))
            }

            async fn budgets_of(&self, code: &str) -> Result<Vec<Budget>> {
                let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
                    "SELECT category, label, amount_pence, total_pence FROM authority_budgets WHERE code = $1 ORDER BY amount_pence DESC",
                )
                .bind(code)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(category, label, amount, total)| Budget { category, label, amount: Money::from_pence(amount), total: Money::from_pence(total) })
                    .collect())
            }

            async fn neighbours_of(&self, code: &str) -> Result<Vec<(Authority, bool)>> {
                let rows: Vec<(String, bool)> =
                    sqlx::query_as("SELECT neighbour, derived FROM authority_neighbours WHERE code = $1").bind(code).fetch_all(&self.pool).await?;
                let mut out = Vec::new();
                for (neighbour, derived) in rows {
                    let row: Option<AuthorityRow> = sqlx::query_as(&format!("SELECT {} FROM authorities WHERE code = $1", crate::backend::AUTHORITY_COLUMNS))
                        .bind(&neighbour)
                        .fetch_optional(&self.pool)
                        .await?;
                    if let Some(row) = row {
                        out.push((row.into_domain()?, derived));
                    }
                }
                out.sort_by(|a, b| a.0.short_name.cmp(&b.0.short_name));
                Ok(out)
            }
        }
    };
}

council_data_impl!(SqliteStore);
council_data_impl!(PgStore);
