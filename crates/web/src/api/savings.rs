//! The savings ledger in the API, and what the ledger page and the API share: reading the
//! ledger with each line's status (a slipped milestone puts its savings at risk), running
//! totals, and importing and exporting ledger files (CSV and XLSX).
//!
//! Each ledger line is a record of kind `saving` whose body is an
//! [`accord_domain::saving::Saving`]. A line may name a project record and one of its
//! milestones by number; the milestone's dates are read from the project record as the reader
//! may see it, so the at-risk flag follows the delivery plan as soon as it changes.

use accord_domain::access::{Action, Area};
use accord_domain::project::DatePlan;
use accord_domain::saving::{self, COLUMNS, Cumulative, Saving, Status, YearTotal};
use accord_domain::{FinancialYear, GssCode, Invalid};
use accord_store::{RecordInput, RecordQuery, StoredRecord};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

use super::finance::{self, Visibility};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ErrorResponse, WebError};
use crate::forms::JsonBody;
use crate::guard::GuardedRecord;

/// The record kind of a ledger line.
pub const KIND: &str = "saving";

/// The record kind of projects, whose milestones savings may depend on.
pub const PROJECT_KIND: &str = "project";

/// The most lines one import may hold.
pub const MAX_IMPORT_LINES: usize = 5_000;

/// What the ledger needs of a project: its name and milestones (other fields are the
/// delivery pages' business).
#[derive(Debug, Clone)]
struct ProjectMilestones {
    name: String,
    milestones: Vec<MilestoneDates>,
}

#[derive(Debug, Clone)]
struct MilestoneDates {
    number: u32,
    name: String,
    due: DatePlan,
}

/// One line of the ledger as read: the stored line, its status and running totals.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct LedgerLine {
    /// The record's id.
    pub id: i64,
    /// Its version.
    pub version: i64,
    /// Who may see it.
    pub visibility: Visibility,
    /// The line.
    #[schema(value_type = Object)]
    pub saving: Saving,
    /// The linked project's name, when its record is visible.
    pub project_name: Option<String>,
    /// The linked milestone's name, when its record is visible.
    pub milestone_name: Option<String>,
    /// Whether the link could not be followed (no such project or milestone visible to you).
    pub link_unresolved: bool,
    /// The rating shown and why.
    #[schema(value_type = Object)]
    pub status: Status,
    /// Running totals of its project and council up to its year.
    #[schema(value_type = Object)]
    pub cumulative: Cumulative,
    /// Expected less target for this year (pounds as pence).
    pub variance: i64,
    /// Whether you may change or delete it.
    pub may_change: bool,
}

/// The whole ledger of a partnership as its reader may see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct Ledger {
    /// The lines, by project, council and year.
    pub lines: Vec<LedgerLine>,
    /// Totals by financial year and council (money in pence).
    #[schema(value_type = Object)]
    pub totals: BTreeMap<FinancialYear, BTreeMap<GssCode, YearTotal>>,
}

/// Reads the ledger of a partnership for a viewer.
pub async fn ledger(
    state: &AppState,
    viewer: &Viewer,
    partnership_id: i64,
) -> Result<Ledger, WebError> {
    let today = state.today();
    let mut records = finance::list::<Saving>(state, viewer, KIND, partnership_id).await?;
    records.sort_by(|(ra, a), (rb, b)| {
        (&a.project, &a.council, a.financial_year, ra.id).cmp(&(
            &b.project,
            &b.council,
            b.financial_year,
            rb.id,
        ))
    });
    let mut projects: HashMap<i64, Option<ProjectMilestones>> = HashMap::new();
    for (_, s) in &records {
        if let Some(pid) = s.project_record_id
            && !projects.contains_key(&pid)
        {
            let found = accord_app::delivery::projects::milestones_of(
                &state.app,
                &viewer.caller(),
                partnership_id,
                pid,
            )
            .await?
            .map(|(name, milestones)| ProjectMilestones {
                name,
                milestones: milestones
                    .into_iter()
                    .map(|m| MilestoneDates {
                        number: m.number,
                        name: m.name,
                        due: m.due,
                    })
                    .collect(),
            });
            projects.insert(pid, found);
        }
    }
    let savings: Vec<Saving> = records.iter().map(|(_, s)| s.clone()).collect();
    let cumulative = saving::cumulative(&savings);
    let mut lines = Vec::with_capacity(records.len());
    for ((record, s), cum) in records.iter().zip(cumulative) {
        let project = s
            .project_record_id
            .and_then(|id| projects.get(&id).cloned().flatten());
        let milestone = match (&project, s.milestone) {
            (Some(p), Some(n)) => p.milestones.iter().find(|m| m.number == n).cloned(),
            _ => None,
        };
        let link_unresolved = (s.project_record_id.is_some() && project.is_none())
            || (s.milestone.is_some() && milestone.is_none());
        let slipped = milestone
            .as_ref()
            .filter(|m| saving::milestone_slipped(&m.due, today))
            .map(|m| m.name.clone());
        lines.push(LedgerLine {
            id: record.id,
            version: record.version,
            visibility: Visibility::of(&record.meta),
            status: saving::status(s, slipped.as_deref()),
            project_name: project.as_ref().map(|p| p.name.clone()),
            milestone_name: milestone.map(|m| m.name),
            link_unresolved,
            variance: s.variance().pence(),
            may_change: accord_domain::access::decide(
                &viewer.actor,
                Action::Update,
                &record.meta,
                today,
            )
            .is_allowed(),
            cumulative: cum,
            saving: s.clone(),
        });
    }
    let red: Vec<bool> = lines
        .iter()
        .map(|l| l.status.brag == saving::Brag::Red)
        .collect();
    let totals = saving::totals_by_year(&savings, &red);
    Ok(Ledger { lines, totals })
}

/// The title of a line's record.
pub fn title(s: &Saving) -> String {
    format!("{} – {} {}", s.project, s.council, s.financial_year)
}

/// The record input of a checked line.
pub fn record_input(
    meta: accord_domain::access::RecordMeta,
    s: &Saving,
) -> Result<RecordInput, WebError> {
    Ok(RecordInput::new(KIND, meta, title(s), s)?
        .status(saving::derived_brag(s.target, s.forecast, s.actual).slug())
        .key_date(Some(s.financial_year.start())))
}

/// Checks and writes a new line.
pub async fn create_line(
    state: &AppState,
    viewer: &Viewer,
    partnership_id: i64,
    s: &Saving,
    visibility: Visibility,
) -> Result<i64, WebError> {
    let (_, members) = finance::partnership(state, partnership_id).await?;
    s.validate(&members)?;
    let meta = finance::meta_for(viewer, partnership_id, visibility)?;
    finance::insert(state, viewer, &record_input(meta, s)?).await
}

/// Checks and replaces a line.
pub async fn update_line(
    state: &AppState,
    viewer: &Viewer,
    record: &StoredRecord,
    s: &Saving,
    visibility: Visibility,
    version: Option<i64>,
) -> Result<(), WebError> {
    let pid = record.meta.partnership_id.unwrap_or_default();
    let (_, members) = finance::partnership(state, pid).await?;
    s.validate(&members)?;
    let meta =
        super::business_cases::keep_owner(record, finance::meta_for(viewer, pid, visibility)?);
    finance::update(
        state,
        viewer,
        record.id,
        version,
        &record_input(meta, s)?,
        "",
    )
    .await?;
    Ok(())
}

// ----- files -----

/// A file's rows as cells by column name, with the file line of each row.
pub type Rows = Vec<(u64, HashMap<String, String>)>;

/// Reads a CSV ledger file. The first row names the columns (any order, case ignored).
pub fn read_csv(bytes: &[u8]) -> Result<Rows, Invalid> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Invalid::field("file", format!("is not a CSV file: {e}")).at_line(1))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            Invalid::field("file", format!("cannot be read: {e}")).at_line(line)
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells = headers
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_owned))
            .collect();
        rows.push((line, cells));
    }
    Ok(rows)
}

/// Reads the first sheet of an XLSX ledger file. The first row names the columns.
pub fn read_xlsx(bytes: &[u8]) -> Result<Rows, Invalid> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|e| Invalid::field("file", format!("is not an XLSX workbook: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| Invalid::field("file", "the workbook has no sheet"))?
        .map_err(|e| Invalid::field("file", format!("cannot be read: {e}")))?;
    let text = |d: &Data| match d {
        Data::Empty => String::new(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{f:.0}")
            } else {
                format!("{f:.2}")
            }
        }
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        other => other.to_string(),
    };
    let mut iter = range.rows();
    let headers: Vec<String> = iter
        .next()
        .map(|r| {
            r.iter()
                .map(|c| text(c).trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let first = u64::from(range.start().map_or(0, |(row, _)| row)) + 1;
    let mut rows = Vec::new();
    for (i, row) in iter.enumerate() {
        let cells: Vec<String> = row.iter().map(text).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = first + 1 + i as u64;
        rows.push((line, headers.iter().cloned().zip(cells).collect()));
    }
    Ok(rows)
}

/// Reads a ledger file of either kind, told apart by its first bytes (XLSX is a ZIP file).
pub fn read_file(bytes: &[u8]) -> Result<Rows, Invalid> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

/// Parses and checks every row; the refusal lists every problem with its line.
pub fn parse_rows(
    rows: &Rows,
    members: &[GssCode],
    council: &dyn Fn(&str) -> Option<GssCode>,
) -> Result<Vec<(u64, Saving)>, Invalid> {
    let mut invalid = Invalid::new();
    if rows.is_empty() {
        invalid.push("file", "has no ledger lines under its header row");
    }
    if rows.len() > MAX_IMPORT_LINES {
        invalid.push(
            "file",
            format!(
                "has {} lines; import at most {MAX_IMPORT_LINES} at a time",
                rows.len()
            ),
        );
        return Err(invalid);
    }
    if let Some((line, cells)) = rows.first() {
        for required in ["project", "council", "financial_year", "target"] {
            if !cells.contains_key(required) {
                invalid.push(
                    required,
                    format!(
                        "the file has no “{required}” column; the columns are {}",
                        COLUMNS.join(", ")
                    ),
                );
            }
        }
        if !invalid.is_empty() {
            return Err(invalid.at_line(line.saturating_sub(1).max(1)));
        }
    }
    let mut out = Vec::new();
    let mut seen: HashMap<(String, GssCode, FinancialYear), u64> = HashMap::new();
    for (line, cells) in rows {
        let get = |name: &str| cells.get(name).map_or("", String::as_str);
        match Saving::from_cells(get, council) {
            Ok(s) => {
                if let Err(e) = s.validate(members) {
                    invalid.extend(e.at_line(*line));
                    continue;
                }
                let key = (s.project.clone(), s.council.clone(), s.financial_year);
                if let Some(first) = seen.insert(key, *line) {
                    invalid.extend(
                        Invalid::field(
                            "financial_year",
                            format!("line {first} already gives this project’s saving for this council and year"),
                        )
                        .at_line(*line),
                    );
                    continue;
                }
                out.push((*line, s));
            }
            Err(e) => invalid.extend(e.at_line(*line)),
        }
    }
    invalid.into_result()?;
    Ok(out)
}

/// Resolves a council cell (a GSS code or a name) among the partnership's members.
pub async fn council_resolver(
    state: &AppState,
    members: &[GssCode],
) -> Result<impl Fn(&str) -> Option<GssCode> + use<>, WebError> {
    let names = crate::pages::common::councils(state, members).await?;
    let mut known: Vec<(String, GssCode)> = Vec::new();
    for m in members {
        known.push((m.as_str().to_ascii_lowercase(), m.clone()));
        if let Some(a) = names.get(m.as_str()) {
            known.push((a.short_name.to_lowercase(), m.clone()));
            known.push((a.official_name.to_lowercase(), m.clone()));
        }
    }
    Ok(move |text: &str| {
        let t = text.trim().to_lowercase();
        known
            .iter()
            .find(|(k, _)| *k == t)
            .map(|(_, c)| c.clone())
            .or_else(|| GssCode::parse("council", text.trim()).ok())
    })
}

/// What an import did.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct ImportReport {
    /// Lines created.
    pub created: usize,
    /// Lines that replaced one for the same project, council and year.
    pub replaced: usize,
}

/// Imports a ledger file, all or nothing: a line for the same project, council and year as
/// one you can change replaces it; every other line is added.
pub async fn import(
    state: &AppState,
    viewer: &Viewer,
    partnership_id: i64,
    bytes: &[u8],
    visibility: Visibility,
) -> Result<ImportReport, WebError> {
    let (_, members) = finance::partnership(state, partnership_id).await?;
    let resolve = council_resolver(state, &members).await?;
    let rows = read_file(bytes)?;
    let lines = parse_rows(&rows, &members, &resolve)?;
    let meta = finance::meta_for(viewer, partnership_id, visibility)?;
    crate::guard::check(viewer, Action::Create, &meta, state.today())?;
    let existing = finance::list::<Saving>(state, viewer, KIND, partnership_id).await?;
    let today = state.today();
    let mut delete = Vec::new();
    let mut inputs = Vec::new();
    for (_, s) in &lines {
        let same = existing.iter().find(|(r, e)| {
            e.project == s.project
                && e.council == s.council
                && e.financial_year == s.financial_year
                && accord_domain::access::decide(&viewer.actor, Action::Delete, &r.meta, today)
                    .is_allowed()
        });
        if let Some((r, _)) = same {
            delete.push(r.id);
        }
        inputs.push(record_input(meta.clone(), s)?);
    }
    state
        .store
        .replace_records(&delete, &inputs, &viewer.change().because("ledger import"))
        .await?;
    Ok(ImportReport {
        created: inputs.len() - delete.len(),
        replaced: delete.len(),
    })
}

/// The ledger as CSV (the columns of [`COLUMNS`]).
pub fn to_csv(lines: &[LedgerLine]) -> Result<Vec<u8>, WebError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)
        .map_err(|e| WebError::Internal(e.into()))?;
    for l in lines {
        w.write_record(l.saving.to_cells())
            .map_err(|e| WebError::Internal(e.into()))?;
    }
    w.into_inner()
        .map_err(|e| WebError::Internal(anyhow::anyhow!("{e}")))
}

/// The ledger as an XLSX workbook: the same columns, amounts as numbers.
pub fn to_xlsx(lines: &[LedgerLine]) -> Result<Vec<u8>, WebError> {
    use rust_xlsxwriter::{Format, Workbook};
    let internal = |e: rust_xlsxwriter::XlsxError| WebError::Internal(e.into());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Savings ledger").map_err(internal)?;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    for (c, name) in COLUMNS.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or_default();
        sheet
            .write_string_with_format(0, c, *name, &bold)
            .map_err(internal)?;
    }
    for (r, l) in lines.iter().enumerate() {
        let row = u32::try_from(r + 1).map_err(|e| WebError::Internal(e.into()))?;
        for (c, cell) in l.saving.to_cells().iter().enumerate() {
            let col = u16::try_from(c).unwrap_or_default();
            let is_money = matches!(COLUMNS[c], "target" | "forecast" | "actual");
            match cell.parse::<f64>() {
                Ok(n) if is_money => {
                    sheet
                        .write_number_with_format(row, col, n, &money)
                        .map_err(internal)?;
                }
                _ if cell.is_empty() => {}
                _ => {
                    sheet.write_string(row, col, cell).map_err(internal)?;
                }
            }
        }
    }
    sheet.autofit();
    book.save_to_buffer().map_err(internal)
}

// ----- the API -----

/// A ledger line to create or replace.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct SavingIn {
    /// The line (`accord_domain::saving::Saving`: money in pence, `council` a GSS code,
    /// `financial_year` like "2012/13").
    #[schema(value_type = Object)]
    pub saving: Saving,
    /// Who may see it (default: a draft of your council).
    #[serde(default)]
    pub visibility: Visibility,
    /// For a replacement: the version read.
    #[serde(default)]
    pub version: Option<i64>,
}

/// A stored line.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct SavingOut {
    /// The record's id.
    pub id: i64,
    /// Its version.
    pub version: i64,
    /// Who may see it.
    pub visibility: Visibility,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The line.
    #[schema(value_type = Object)]
    pub saving: Saving,
}

fn saving_out(record: &StoredRecord) -> Result<SavingOut, WebError> {
    Ok(SavingOut {
        id: record.id,
        version: record.version,
        visibility: Visibility::of(&record.meta),
        updated_at: record.updated_at,
        saving: record
            .decode()
            .map_err(|e| WebError::Internal(anyhow::Error::from(e)))?,
    })
}

/// The savings ledger of a partnership, as you can see it: each line with its BRAG status
/// (a slipped linked milestone makes it Red), running totals and totals by year.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/savings",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 200, description = "The ledger", body = Ledger)),
)]
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<Ledger>, WebError> {
    Ok(Json(ledger(&state, &viewer, id).await?))
}

/// Adds a line to the ledger.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/savings",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = SavingIn,
    responses(
        (status = 201, description = "Added", body = SavingOut),
        (status = 422, description = "Refused: a negative amount, a council that is not a member…", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<SavingIn>,
) -> Result<(StatusCode, Json<SavingOut>), WebError> {
    let record_id = create_line(&state, &viewer, id, &input.saving, input.visibility)
        .await
        .map_err(|e| prefix(e, "saving."))?;
    let record = state
        .store
        .record(record_id, &viewer.scope(), state.today())
        .await?
        .ok_or(WebError::NotFound)?;
    Ok((StatusCode::CREATED, Json(saving_out(&record)?)))
}

fn prefix(error: WebError, prefix: &str) -> WebError {
    match error {
        WebError::Unprocessable(e) => WebError::Unprocessable(e.within(prefix)),
        other => other,
    }
}

/// One ledger line.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/savings/{record_id}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The line's id"),
    ),
    responses(
        (status = 200, description = "The line", body = SavingOut),
        (status = 404, description = "No such line that you can see", body = ErrorResponse),
    ),
)]
pub async fn show(GuardedRecord(record): GuardedRecord) -> Result<Json<SavingOut>, WebError> {
    Ok(Json(saving_out(&record)?))
}

/// Replaces a ledger line.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/savings/{record_id}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The line's id"),
    ),
    request_body = SavingIn,
    responses(
        (status = 200, description = "Replaced", body = SavingOut),
        (status = 422, description = "Refused; nothing was changed", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn replace(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<SavingIn>,
) -> Result<Json<SavingOut>, WebError> {
    update_line(
        &state,
        &viewer,
        &record,
        &input.saving,
        input.visibility,
        input.version,
    )
    .await
    .map_err(|e| prefix(e, "saving."))?;
    let record = state
        .store
        .record(record.id, &viewer.scope(), state.today())
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(saving_out(&record)?))
}

/// Deletes a ledger line.
#[utoipa::path(
    delete,
    path = "/api/v1/partnerships/{id}/savings/{record_id}",
    tag = "finance",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("record_id" = i64, Path, description = "The line's id"),
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

/// The `visibility` query of an import.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// Who may see the imported lines: council (default), partnership or published.
    #[serde(default)]
    pub visibility: Visibility,
}

/// Imports a ledger file (CSV, or XLSX), all or nothing; every problem is listed with its line.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/savings/import",
    tag = "finance",
    params(("id" = i64, Path, description = "The partnership's id"), ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "A ledger file with a header row: project, council, financial_year, target, forecast, actual, cashable, recurrence, brag, in_mtfs, project_record_id, milestone, note (an XLSX workbook is also read)"),
    responses(
        (status = 200, description = "Imported", body = ImportReport),
        (status = 422, description = "Refused: each problem names its column and line; nothing was imported", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn import_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::extract::Query(query): axum::extract::Query<ImportQuery>,
    _headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<ImportReport>, WebError> {
    Ok(Json(
        import(&state, &viewer, id, &bytes, query.visibility).await?,
    ))
}

/// Whether `viewer` may change finance records of the partnership (to show links to forms).
pub fn may_edit(state: &AppState, viewer: &Viewer, partnership_id: i64) -> bool {
    crate::pages::common::may(viewer, Area::Finance, partnership_id, state.today())
}

/// Every saving record of a partnership's ledger, unfiltered by project, for counting.
pub fn query(partnership_id: i64) -> RecordQuery {
    RecordQuery::of(KIND, partnership_id)
}
