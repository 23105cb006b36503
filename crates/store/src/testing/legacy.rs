//! Release 0.1's database, kept as a fixture, so that every later release can prove that it
//! opens a database made by release 0.1 without losing anything.
//!
//! `tests/fixtures/release-0.1.json.gz` holds every table of a SQLite database made by
//! release 0.1 (schema versions 0001, 0002, 0003 and 0100): the demo, and generated records
//! of every kind written through that release's own pages, API and store calls (the
//! generator is `crates/accord/examples/release_fixture.rs`, kept for reference). The form
//! is backend-neutral JSON, gzip-compressed:
//!
//! ```json
//! { "about": { … },
//!   "schema_versions": [{ "version": 1, "description": "foundation", "checksum": "…" }, …],
//!   "tables": { "records": { "columns": ["id", …], "rows": [[1, …], …] }, … } }
//! ```
//!
//! Each value is as SQLite stored it: integers as integers, reals as numbers, text as strings
//! (timestamps and dates are the text SQLite keeps), NULL as null. `_sqlx_migrations` is
//! not a table of the fixture: its versions are `schema_versions` (with the SQLite
//! migrations' checksums).
//!
//! [`create_release_0_1_database`] makes a database of that release on SQLite or
//! PostgreSQL: it applies only the migrations the fixture names (later releases add more),
//! then inserts every row with bound parameters of each column's type, and on PostgreSQL
//! moves the identity sequences past the ids inserted. [`dump`] reads a database of that
//! schema on either backend back into the same form, so a loaded database can be compared
//! with the fixture value for value.

use crate::{Result, StoreError};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::migrate::{Migration, Migrator};
use sqlx::{Column as _, Row as _, TypeInfo as _, ValueRef as _};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::str::FromStr as _;

/// The fixture of release 0.1, in this crate's `tests/fixtures`.
pub const RELEASE_0_1: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/release-0.1.json.gz"
);

/// The tables of release 0.1 in an order that inserts every row after the rows it refers to.
pub const TABLES: [&str; 18] = [
    "authorities",
    "bank_holidays",
    "partnerships",
    "members",
    "mous",
    "mou_events",
    "users",
    "grants",
    "sessions",
    "api_tokens",
    "password_resets",
    "throttle",
    "records",
    "audit",
    "audit_head",
    "authority_populations",
    "authority_budgets",
    "authority_neighbours",
];

fn tables() -> impl Iterator<Item = &'static str> {
    TABLES.into_iter()
}

/// A database's content in backend-neutral form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fixture {
    /// What made it (release, commit, generator), for people; never read by the loader.
    #[serde(default)]
    pub about: Value,
    /// The migrations applied, in order.
    pub schema_versions: Vec<SchemaVersion>,
    /// Every table by name.
    pub tables: BTreeMap<String, Table>,
}

/// One applied migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaVersion {
    /// Its version (`0003_records.sql` is 3).
    pub version: i64,
    /// Its description (`records`).
    pub description: String,
    /// The SHA-384 checksum sqlx keeps, in hex. It is the SQLite migration's: a PostgreSQL
    /// database of the same versions has the PostgreSQL files' checksums.
    pub checksum: String,
}

/// One table: its columns in order, and its rows in a stable order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// The column names.
    pub columns: Vec<String>,
    /// The rows, each value in column order.
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    /// The position of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

impl Fixture {
    /// A table by name.
    pub fn table(&self, name: &str) -> Result<&Table> {
        self.tables
            .get(name)
            .ok_or_else(|| corrupt(format!("the fixture has no table {name}")))
    }

    /// The highest schema version.
    pub fn schema_version(&self) -> i64 {
        self.schema_versions
            .iter()
            .map(|v| v.version)
            .max()
            .unwrap_or(0)
    }
}

fn corrupt(why: impl Into<String>) -> StoreError {
    StoreError::Corrupt(why.into())
}

/// Reads a gzip-compressed fixture.
pub fn read(path: &Path) -> Result<Fixture> {
    let file = std::fs::File::open(path)
        .map_err(|e| corrupt(format!("cannot open {}: {e}", path.display())))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .map_err(|e| corrupt(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| corrupt(format!("{}: {e}", path.display())))
}

/// Writes a fixture, gzip-compressed.
pub fn write(path: &Path, fixture: &Fixture) -> Result<()> {
    let text = serde_json::to_string(fixture).map_err(|e| corrupt(e.to_string()))?;
    let file = std::fs::File::create(path)
        .map_err(|e| corrupt(format!("cannot create {}: {e}", path.display())))?;
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    gz.write_all(text.as_bytes())
        .and_then(|()| gz.finish().map(drop))
        .map_err(|e| corrupt(format!("cannot write {}: {e}", path.display())))
}

/// Reads the fixture of release 0.1.
pub fn release_0_1() -> Result<Fixture> {
    read(Path::new(RELEASE_0_1))
}

/// Creates a database of release 0.1 at `url` (a new SQLite file, or an empty PostgreSQL
/// database) holding the fixture of release 0.1, and returns the fixture.
pub async fn create_release_0_1_database(url: &str) -> Result<Fixture> {
    let fixture = release_0_1()?;
    create(url, &fixture).await?;
    Ok(fixture)
}

/// Creates a database at `url` with the migrations the fixture names, and only those, and
/// fills it with the fixture's rows.
pub async fn create(url: &str, fixture: &Fixture) -> Result<()> {
    if url.starts_with("sqlite:") {
        let pool = sqlite_pool(url, true).await?;
        migrator(
            &sqlx::migrate!("migrations/sqlite"),
            &fixture.schema_versions,
            true,
        )?
        .run(&pool)
        .await?;
        fill_sqlite(&pool, fixture).await?;
        pool.close().await;
    } else if is_postgres(url) {
        let pool = postgres_pool(url).await?;
        migrator(
            &sqlx::migrate!("migrations/postgres"),
            &fixture.schema_versions,
            false,
        )?
        .run(&pool)
        .await?;
        fill_postgres(&pool, fixture).await?;
        pool.close().await;
    } else {
        return Err(corrupt(format!(
            "“{url}” is not a SQLite or PostgreSQL URL"
        )));
    }
    Ok(())
}

/// Reads every table of a database of this schema into backend-neutral form, each value as
/// SQLite keeps it (so a PostgreSQL timestamp reads as the text SQLite would hold).
pub async fn dump(url: &str) -> Result<Fixture> {
    let mut fixture = if url.starts_with("sqlite:") {
        let pool = sqlite_pool(url, false).await?;
        let fixture = dump_sqlite(&pool).await?;
        pool.close().await;
        fixture
    } else if is_postgres(url) {
        let pool = postgres_pool(url).await?;
        let fixture = dump_postgres(&pool).await?;
        pool.close().await;
        fixture
    } else {
        return Err(corrupt(format!(
            "“{url}” is not a SQLite or PostgreSQL URL"
        )));
    };
    for table in fixture.tables.values_mut() {
        table.rows.sort_by(|a, b| compare_rows(a, b));
    }
    Ok(fixture)
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres:") || url.starts_with("postgresql:")
}

/// A pool of one connection; `create` makes the file when it is missing (a dump never does).
async fn sqlite_pool(url: &str, create: bool) -> Result<sqlx::SqlitePool> {
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
        .create_if_missing(create)
        .foreign_keys(true);
    Ok(sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?)
}

async fn postgres_pool(url: &str) -> Result<sqlx::PgPool> {
    Ok(sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?)
}

/// The migrations of `all` that the fixture names. Every one must be there, with the same
/// description (and, for SQLite, whose files the fixture was made from, the same checksum).
fn migrator(all: &Migrator, versions: &[SchemaVersion], check_sums: bool) -> Result<Migrator> {
    let mut chosen: Vec<Migration> = Vec::new();
    for wanted in versions {
        let found = all
            .iter()
            .find(|m| m.version == wanted.version)
            .ok_or_else(|| corrupt(format!("there is no migration {}", wanted.version)))?;
        if found.description != wanted.description
            || (check_sums && hex::encode(&found.checksum) != wanted.checksum)
        {
            return Err(corrupt(format!(
                "migration {} ({}) is not the one the fixture was made with: a released migration was changed",
                wanted.version, found.description
            )));
        }
        chosen.push(found.clone());
    }
    Ok(Migrator {
        migrations: Cow::Owned(chosen),
        ignore_missing: false,
        locking: true,
        no_tx: false,
    })
}

/// A fixture value as a bound value: what it is in JSON.
enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
}

fn cell<'a>(table: &str, column: &str, value: &'a Value) -> Result<Cell<'a>> {
    Ok(match value {
        Value::Null => Cell::Null,
        Value::Number(n) => match n.as_i64() {
            Some(i) => Cell::Int(i),
            None => Cell::Real(
                n.as_f64()
                    .ok_or_else(|| corrupt(format!("{table}.{column}: {n}")))?,
            ),
        },
        Value::String(s) => Cell::Text(s),
        other => return Err(corrupt(format!("{table}.{column}: {other} is not a value"))),
    })
}

fn insert_sql(table: &str, columns: &[String]) -> String {
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        placeholders.join(", ")
    )
}

/// The tables of the fixture in insertion order, refusing one this module does not know.
fn ordered(fixture: &Fixture) -> Result<Vec<(&'static str, &Table)>> {
    if let Some(unknown) = fixture.tables.keys().find(|t| !tables().any(|k| k == *t)) {
        return Err(corrupt(format!(
            "the fixture has an unknown table {unknown}"
        )));
    }
    Ok(tables()
        .filter_map(|t| fixture.tables.get(t).map(|table| (t, table)))
        .collect())
}

async fn fill_sqlite(pool: &sqlx::SqlitePool, fixture: &Fixture) -> Result<()> {
    let mut tx = pool.begin().await?;
    for (name, table) in ordered(fixture)? {
        // The migration writes the audit head's first row; the fixture has the real one.
        sqlx::query(&format!("DELETE FROM {name}"))
            .execute(&mut *tx)
            .await?;
        let sql = insert_sql(name, &table.columns);
        for row in &table.rows {
            let mut query = sqlx::query(&sql);
            for (column, value) in table.columns.iter().zip(row) {
                query = match cell(name, column, value)? {
                    Cell::Null => query.bind(None::<String>),
                    Cell::Int(i) => query.bind(i),
                    Cell::Real(f) => query.bind(f),
                    Cell::Text(s) => query.bind(s),
                };
            }
            query.execute(&mut *tx).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The PostgreSQL type of every column of every table, as `information_schema` names it.
async fn postgres_types(pool: &sqlx::PgPool) -> Result<HashMap<(String, String), String>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = current_schema()",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(t, c, ty)| ((t, c), ty)).collect())
}

async fn fill_postgres(pool: &sqlx::PgPool, fixture: &Fixture) -> Result<()> {
    let types = postgres_types(pool).await?;
    let mut tx = pool.begin().await?;
    for (name, table) in ordered(fixture)? {
        sqlx::query(&format!("DELETE FROM {name}"))
            .execute(&mut *tx)
            .await?;
        let column_types: Vec<&str> = table
            .columns
            .iter()
            .map(|c| {
                types
                    .get(&(name.to_owned(), c.clone()))
                    .map(String::as_str)
                    .ok_or_else(|| corrupt(format!("PostgreSQL has no column {name}.{c}")))
            })
            .collect::<Result<_>>()?;
        let sql = insert_sql(name, &table.columns);
        for row in &table.rows {
            let mut query = sqlx::query(&sql);
            for ((column, ty), value) in table.columns.iter().zip(&column_types).zip(row) {
                let what = || format!("{name}.{column} ({ty}): {value}");
                let value = cell(name, column, value)?;
                query = match (*ty, value) {
                    ("bigint" | "integer", Cell::Null) => query.bind(None::<i64>),
                    ("bigint" | "integer", Cell::Int(i)) => query.bind(i),
                    ("double precision", Cell::Null) => query.bind(None::<f64>),
                    ("double precision", Cell::Int(i)) => query.bind(i as f64),
                    ("double precision", Cell::Real(f)) => query.bind(f),
                    ("boolean", Cell::Null) => query.bind(None::<bool>),
                    ("boolean", Cell::Int(i)) => query.bind(i != 0),
                    ("text", Cell::Null) => query.bind(None::<String>),
                    ("text", Cell::Text(s)) => query.bind(s),
                    ("date", Cell::Null) => query.bind(None::<NaiveDate>),
                    ("date", Cell::Text(s)) => query.bind(
                        NaiveDate::parse_from_str(s, "%Y-%m-%d")
                            .map_err(|e| corrupt(format!("{}: {e}", what())))?,
                    ),
                    ("timestamp with time zone", Cell::Null) => query.bind(None::<DateTime<Utc>>),
                    ("timestamp with time zone", Cell::Text(s)) => query
                        .bind(parse_timestamp(s).map_err(|e| corrupt(format!("{}: {e}", what())))?),
                    _ => return Err(corrupt(format!("cannot store {}", what()))),
                };
            }
            query.execute(&mut *tx).await?;
        }
    }
    // Ids were inserted as they were: the identity columns must go on after them.
    let identities: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (table, column) in identities {
        // The names come from the catalogue, not from input.
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), \
             COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
        ))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A timestamp as SQLite keeps it (`2011-07-21T09:30:00.123456+00:00`, or with `Z`).
fn parse_timestamp(text: &str) -> std::result::Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc))
}

/// A timestamp as SQLite keeps what sqlx writes for a `DateTime<Utc>`.
fn timestamp_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

async fn dump_sqlite(pool: &sqlx::SqlitePool) -> Result<Fixture> {
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    let mut tables = BTreeMap::new();
    for (name,) in names {
        let columns: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                .bind(&name)
                .fetch_all(pool)
                .await?;
        let columns: Vec<String> = columns.into_iter().map(|(c,)| c).collect();
        let rows = sqlx::query(&format!("SELECT {} FROM {name}", columns.join(", ")))
            .fetch_all(pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut values = Vec::with_capacity(columns.len());
            for (i, column) in columns.iter().enumerate() {
                let storage = {
                    let raw = row.try_get_raw(i)?;
                    if raw.is_null() {
                        "NULL".to_owned()
                    } else {
                        raw.type_info().name().to_owned()
                    }
                };
                values.push(match storage.as_str() {
                    "NULL" => Value::Null,
                    "INTEGER" => Value::from(row.try_get::<i64, _>(i)?),
                    "REAL" => Value::from(row.try_get::<f64, _>(i)?),
                    "TEXT" => Value::from(row.try_get::<String, _>(i)?),
                    other => {
                        return Err(corrupt(format!(
                            "{name}.{column}: a {other} value has no place in the fixture"
                        )));
                    }
                });
            }
            out.push(values);
        }
        tables.insert(name, Table { columns, rows: out });
    }
    let versions: Vec<(i64, String, Vec<u8>)> = sqlx::query_as(
        "SELECT version, description, checksum FROM _sqlx_migrations WHERE success ORDER BY version",
    )
    .fetch_all(pool)
    .await?;
    Ok(Fixture {
        about: Value::Null,
        schema_versions: schema_versions(versions),
        tables,
    })
}

fn schema_versions(rows: Vec<(i64, String, Vec<u8>)>) -> Vec<SchemaVersion> {
    rows.into_iter()
        .map(|(version, description, checksum)| SchemaVersion {
            version,
            description,
            checksum: hex::encode(checksum),
        })
        .collect()
}

async fn dump_postgres(pool: &sqlx::PgPool) -> Result<Fixture> {
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' \
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(pool)
    .await?;
    let mut by_table: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (table, column, ty) in columns {
        by_table.entry(table).or_default().push((column, ty));
    }
    let mut tables = BTreeMap::new();
    for (name, columns) in by_table {
        let names: Vec<String> = columns.iter().map(|(c, _)| c.clone()).collect();
        let rows = sqlx::query(&format!("SELECT {} FROM {name}", names.join(", ")))
            .fetch_all(pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut values = Vec::with_capacity(columns.len());
            for (i, (column, ty)) in columns.iter().enumerate() {
                let value = match ty.as_str() {
                    "bigint" => row.try_get::<Option<i64>, _>(i)?.map(Value::from),
                    "integer" => row.try_get::<Option<i32>, _>(i)?.map(Value::from),
                    "double precision" => row.try_get::<Option<f64>, _>(i)?.map(Value::from),
                    "boolean" => row
                        .try_get::<Option<bool>, _>(i)?
                        .map(|b| Value::from(i64::from(b))),
                    "text" => row.try_get::<Option<String>, _>(i)?.map(Value::from),
                    // Nested values of the typed tables, as the JSON text SQLite keeps.
                    "jsonb" => row
                        .try_get::<Option<sqlx::types::Json<Value>>, _>(i)?
                        .map(|j| Value::from(j.0.to_string())),
                    "date" => row
                        .try_get::<Option<NaiveDate>, _>(i)?
                        .map(|d| Value::from(d.format("%Y-%m-%d").to_string())),
                    "timestamp without time zone" => row
                        .try_get::<Option<chrono::NaiveDateTime>, _>(i)?
                        .map(|t| Value::from(t.format("%Y-%m-%d %H:%M:%S%.f").to_string())),
                    "timestamp with time zone" => row
                        .try_get::<Option<DateTime<Utc>>, _>(i)?
                        .map(|t| Value::from(timestamp_text(t))),
                    other => {
                        return Err(corrupt(format!(
                            "{name}.{column}: a {other} column has no place in the fixture ({})",
                            row.column(i).name()
                        )));
                    }
                };
                values.push(value.unwrap_or(Value::Null));
            }
            out.push(values);
        }
        tables.insert(
            name,
            Table {
                columns: names,
                rows: out,
            },
        );
    }
    let versions: Vec<(i64, String, Vec<u8>)> = sqlx::query_as(
        "SELECT version, description, checksum FROM _sqlx_migrations WHERE success ORDER BY version",
    )
    .fetch_all(pool)
    .await?;
    Ok(Fixture {
        about: Value::Null,
        schema_versions: schema_versions(versions),
        tables,
    })
}

/// Orders rows value by value: null first, then numbers, then text by its bytes (not by a
/// database's collation, so both backends give the same order).
fn compare_rows(a: &[Value], b: &[Value]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let order = compare_values(x, y);
        if order != Ordering::Equal {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

fn compare_values(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Number(_) => 1,
            Value::String(_) => 2,
            _ => 3,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => x
                .as_f64()
                .unwrap_or(0.0)
                .total_cmp(&y.as_f64().unwrap_or(0.0)),
        },
        (Value::String(x), Value::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        _ => rank(a).cmp(&rank(b)),
    }
}
