//! Governance in the API: boards, papers, decisions and the RAID log, under
//! `/api/v1/partnerships/{id}/…`.
//!
//! Inputs are this module's types, read and then checked by the domain's rules; every refusal
//! is a 422 naming the field, and changes nothing. Outputs carry the figures a client needs as
//! typed fields, and the record as Accord keeps it (the domain's JSON) as `record`.

use accord_domain::access::Classification;
use accord_domain::board::{Board, Cadence, Decision, DecisionInput};
use accord_domain::raid::{Level, Mitigation, RaidDetail, RaidInput, RiskScore};
use accord_domain::{GssCode, Invalid};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::delivery::{ApprovalIn, class_in, class_of, to_json};
use crate::AppState;
use crate::auth::Viewer;
use crate::delivery::{Loaded, PaperBody};
use crate::error::{ErrorResponse, WebError};
use crate::forms::JsonBody;
use crate::guard::GuardedRecord;
use crate::pages::governance::{boards, raid};
use accord_app::governance::raid::RaidEntry;
use accord_app::list::ListRequest;
use axum::response::{IntoResponse, Response};

// ----- boards -----

/// A board.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BoardOut {
    /// The board's record id.
    pub id: i64,
    /// The record's version.
    pub version: i64,
    /// projects, programme or senior-stakeholder.
    pub level: String,
    /// Its name.
    pub name: String,
    /// How often it meets, in words.
    pub cadence: String,
    /// The board as Accord keeps it: members, chair rotation, meetings with their agendas and
    /// minutes (papers and decisions are records of their own).
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
    /// Its decisions the caller may see, in log order.
    #[schema(value_type = Vec<Object>)]
    pub decisions: Vec<serde_json::Value>,
    /// Its papers the caller may see (embargoed ones only for the programme team and board).
    pub papers: Vec<PaperOut>,
}

/// A board paper.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PaperOut {
    /// The paper's record id.
    pub id: i64,
    /// The meeting's number.
    pub meeting: u32,
    /// The paper's number in the meeting.
    pub number: u32,
    /// Its title.
    pub title: String,
    /// Who wrote or presents it.
    pub author: String,
    /// Its summary.
    pub summary: String,
    /// The decision it informs, by number in the board's log.
    pub informs: Option<u32>,
    /// Who may see it now: embargoed until its decision, then its release class.
    pub classification: String,
}

fn paper_out(p: &Loaded<PaperBody>, today: NaiveDate) -> PaperOut {
    PaperOut {
        id: p.id(),
        meeting: p.value.meeting,
        number: p.value.paper.number,
        title: p.value.paper.title.clone(),
        author: p.value.paper.author.clone(),
        summary: p.value.summary.clone(),
        informs: p.value.paper.informs,
        classification: class_of(&p.record, today),
    }
}

async fn board_out(
    state: &AppState,
    viewer: &Viewer,
    board: &Loaded<Board>,
) -> Result<BoardOut, WebError> {
    let today = state.today();
    let decisions = crate::pages::governance::common::decisions(state, viewer, board.id()).await?;
    let papers = crate::pages::governance::common::papers(state, viewer, board.id()).await?;
    Ok(BoardOut {
        id: board.id(),
        version: board.record.version,
        level: board.value.level.slug().to_owned(),
        name: board.value.name.clone(),
        cadence: board.value.cadence.describe(),
        record: to_json(&board.value),
        decisions: decisions.iter().map(|d| decision_json(d, today)).collect(),
        papers: papers.iter().map(|p| paper_out(p, today)).collect(),
    })
}

fn decision_json(d: &Loaded<Decision>, today: NaiveDate) -> serde_json::Value {
    serde_json::json!({
        "id": d.id(),
        "status": d.record.status,
        "classification": class_of(&d.record, today),
        "made_on": d.value.made_on(),
        "decision": to_json(&d.value),
    })
}

/// The partnership's boards.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/boards",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses((status = 200, description = "The boards the caller may see, lowest first", body = [BoardOut])),
)]
pub async fn list_boards(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<Vec<BoardOut>>, WebError> {
    let boards = crate::pages::governance::common::boards(&state, &viewer, id).await?;
    let mut out = Vec::with_capacity(boards.len());
    for b in &boards {
        out.push(board_out(&state, &viewer, b).await?);
    }
    Ok(Json(out))
}

/// One board with its meetings, decisions and the papers the caller may see.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/boards/{reference}",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The board: projects, programme or senior-stakeholder")),
    responses((status = 200, description = "The board", body = BoardOut), (status = 404, description = "No such board", body = ErrorResponse)),
)]
pub async fn show_board(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<BoardOut>, WebError> {
    let board = crate::pages::governance::common::board(&state, &viewer, &record).await?;
    Ok(Json(board_out(&state, &viewer, &board).await?))
}

/// A meeting schedule to generate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleIn {
    /// weekly, fortnightly, monthly or weeks (with `weeks`); the board's own when absent.
    #[serde(default)]
    pub cadence: Option<String>,
    /// Weeks between meetings, for `weeks`.
    #[serde(default)]
    pub weeks: Option<u32>,
    /// The first meeting.
    pub first: NaiveDate,
    /// Schedule until this date.
    pub until: NaiveDate,
    /// The board's version the change is made from (its `version`); when given, a board
    /// changed since is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Generates meetings from the cadence (off weekends and bank holidays), replacing empty
/// scheduled ones from the first date on, and rotates the chairs.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/boards/{reference}/schedule",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The board: projects, programme or senior-stakeholder")),
    request_body = ScheduleIn,
    responses((status = 200, description = "Scheduled", body = BoardOut), (status = 422, description = "Refused", body = ErrorResponse)),
    security(("token" = [])),
)]
pub async fn schedule_meetings(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<ScheduleIn>,
) -> Result<Json<BoardOut>, WebError> {
    let board = crate::pages::governance::common::board(&state, &viewer, &record).await?;
    let cadence = match input.cadence.as_deref() {
        None | Some("") => board.value.cadence,
        Some("weekly") => Cadence::Weekly,
        Some("fortnightly") => Cadence::Fortnightly,
        Some("monthly") => Cadence::Monthly,
        Some("weeks") => Cadence::Weeks {
            weeks: input.weeks.unwrap_or(0),
        },
        Some(other) => {
            return Err(Invalid::field("cadence", format!("“{other}” is not a cadence")).into());
        }
    };
    let mut full = accord_app::governance::boards::full(&state.app, board.id()).await?;
    boards::apply_schedule(&mut full, cadence, input.first, input.until)?;
    let saved = crate::pages::governance::common::board_loaded(
        accord_app::governance::boards::save(
            &state.app,
            &viewer.caller(),
            board.id(),
            input.version,
            &full,
            "",
        )
        .await?,
    );
    Ok(Json(board_out(&state, &viewer, &saved).await?))
}

/// A paper to file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaperIn {
    /// The meeting's number.
    pub meeting: u32,
    /// Its title.
    pub title: String,
    /// Who wrote or presents it.
    pub author: String,
    /// Its summary.
    #[serde(default)]
    pub summary: String,
    /// The decision it informs, by number in the board's log: it stays embargoed until then.
    #[serde(default)]
    pub informs: Option<u32>,
    /// The date it is released if no decision has released it before.
    #[serde(default)]
    pub release_on: Option<NaiveDate>,
    /// Who may see it once released: partnership (default) or published.
    #[serde(default)]
    pub release_to: Option<String>,
}

/// Files a paper, embargoed until the decision it informs is made (MOU 5.5) or its release
/// date comes.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/boards/{reference}/papers",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The board: projects, programme or senior-stakeholder")),
    request_body = PaperIn,
    responses((status = 201, description = "Filed", body = PaperOut), (status = 422, description = "Refused", body = ErrorResponse)),
    security(("token" = [])),
)]
pub async fn file_paper(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<PaperIn>,
) -> Result<(StatusCode, Json<PaperOut>), WebError> {
    let board = crate::pages::governance::common::board(&state, &viewer, &record).await?;
    let release_to = class_in("release_to", input.release_to.as_deref())?;
    let request = boards::PaperRequest {
        meeting: input.meeting,
        title: input.title,
        author: input.author,
        summary: input.summary,
        informs: input.informs,
        release_on: input.release_on,
        release_to,
    };
    let paper_id = boards::file_paper(&state, &viewer, &board, request)
        .await?
        .map_err(WebError::Unprocessable)?;
    let paper = crate::pages::governance::common::paper_loaded(
        accord_app::governance::boards::paper(&state.app, &viewer.caller(), paper_id).await?,
    );
    Ok((StatusCode::CREATED, Json(paper_out(&paper, state.today()))))
}

/// A board paper.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/papers/{record_id}",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The paper's record id")),
    responses((status = 200, description = "The paper", body = PaperOut), (status = 404, description = "No such paper, or embargoed from this caller", body = ErrorResponse)),
)]
pub async fn show_paper(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<PaperOut>, WebError> {
    let paper = crate::pages::governance::common::paper(&state, &viewer, &record).await?;
    Ok(Json(paper_out(&paper, state.today())))
}

/// A decision to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// The meeting that took it, if any.
    #[serde(default)]
    pub meeting: Option<u32>,
    /// When the board took it.
    pub taken_on: NaiveDate,
    /// What was decided, in a line.
    pub title: String,
    /// The decision in full.
    #[serde(default)]
    pub text: String,
    /// Whether it is a key decision that needs Cabinet approval at each council.
    #[serde(default)]
    pub key: bool,
    /// partnership (default) or published.
    #[serde(default)]
    pub classification: Option<String>,
}

/// Records a decision in the board's log. One that needs no Cabinet approval is made at once.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/boards/{reference}/decisions",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The board: projects, programme or senior-stakeholder")),
    request_body = DecisionIn,
    responses((status = 201, description = "Recorded", body = Object), (status = 422, description = "Refused", body = ErrorResponse)),
    security(("token" = [])),
)]
pub async fn record_decision(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<DecisionIn>,
) -> Result<(StatusCode, Json<serde_json::Value>), WebError> {
    let board = crate::pages::governance::common::board(&state, &viewer, &record).await?;
    let class = class_in("classification", input.classification.as_deref())?;
    let decision = DecisionInput {
        meeting: input.meeting,
        taken_on: input.taken_on,
        title: input.title,
        text: input.text,
        key: input.key,
    };
    let id = boards::record_decision(&state, &viewer, &board, decision, class)
        .await?
        .map_err(WebError::Unprocessable)?;
    let saved = crate::pages::governance::common::decision_loaded(
        accord_app::governance::boards::decision(&state.app, &viewer.caller(), id).await?,
    );
    Ok((
        StatusCode::CREATED,
        Json(decision_json(&saved, state.today())),
    ))
}

/// A decision, with the Cabinet approvals it needs.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/decisions/{record_id}",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The decision's record id")),
    responses((status = 200, description = "The decision", body = Object), (status = 404, description = "No such decision", body = ErrorResponse)),
)]
pub async fn show_decision(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<serde_json::Value>, WebError> {
    let decision = crate::pages::governance::common::decision(&state, &viewer, &record).await?;
    Ok(Json(decision_json(&decision, state.today())))
}

/// Records a council's Cabinet approval of a key decision. The last approval makes the
/// decision and releases, in the same transaction, every paper embargoed until it. A council
/// outside the partnership is refused.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/decisions/{record_id}/cabinet-approvals",
    tag = "governance",
    params(("id" = i64, Path, description = "The partnership's id"), ("record_id" = i64, Path, description = "The decision's record id")),
    request_body = ApprovalIn,
    responses(
        (status = 200, description = "Recorded", body = Object),
        (status = 422, description = "Refused, nothing changed: a council outside the partnership, a decision that is not key, a date before the decision or in the future", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn decision_cabinet_approval(
    State(state): State<AppState>,
    viewer: Viewer,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<ApprovalIn>,
) -> Result<Json<serde_json::Value>, WebError> {
    let decision = crate::pages::governance::common::decision(&state, &viewer, &record).await?;
    if input.stage.is_some() {
        return Err(Invalid::field("stage", "A decision has no stages").into());
    }
    let council = GssCode::parse("council", &input.council)?;
    boards::approve_decision(&state, &viewer, &decision, &council, input.approved_on)
        .await?
        .map_err(WebError::Unprocessable)?;
    let saved = crate::pages::governance::common::decision_loaded(
        accord_app::governance::boards::decision(&state.app, &viewer.caller(), decision.id())
            .await?,
    );
    Ok(Json(decision_json(&saved, state.today())))
}

// ----- the RAID log -----

/// A RAID item.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RaidOut {
    /// The item's record id (its history is filed under it).
    pub id: i64,
    /// Its reference, which its address carries: R12, A3, I7, D2.
    pub reference: String,
    /// Who may see it.
    pub classification: String,
    /// Its version: send it with a change, which is refused (409) if the item changed since.
    pub version: i64,
    /// The item as Accord keeps it: kind and detail (scores, proximity, mitigations, the
    /// projects of a dependency), owner, project, board and escalation history.
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

fn raid_out(entry: &RaidEntry) -> RaidOut {
    RaidOut {
        id: entry.record_id,
        reference: entry.reference(),
        classification: entry.classification.slug().to_owned(),
        version: entry.version,
        record: to_json(&entry.item),
    }
}

/// A page of the log, filtered, with the heat map of everything that matches.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RaidListOut {
    /// How many items match in all.
    pub total: i64,
    /// `counts[probability - 1][impact - 1]`: open risks among all the matching items.
    pub heat_map: Vec<Vec<u32>>,
    /// This page of the matching items, in number order.
    pub items: Vec<RaidOut>,
    /// The address of the next page, when there is one (also sent as a `Link` header).
    pub next: Option<String>,
}

/// A page of the RAID log, filtered by query: `kind` (repeatable: risk, assumption, issue,
/// dependency), `status` (open, closed), `board`, `project`, `owner`, `text`, `min_score`,
/// `max_score`, `basis` (residual, inherent); `limit` (1 to 500, 100 unless given) and `cursor`
/// (from the `next` address of the page before).
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/raid",
    tag = "delivery",
    params(
        ("id" = i64, Path, description = "The partnership's id"),
        ("limit" = Option<u32>, Query, description = "Items on the page: 1 to 500 (100 unless given)"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: the `cursor` of the previous page's `next` address"),
    ),
    responses((status = 200, description = "A page of the matching items", body = RaidListOut), (status = 422, description = "A filter, the limit or the cursor is not valid", body = ErrorResponse)),
)]
pub async fn list_raid(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let form = raid::query_form(query.as_deref());
    let mut invalid = Invalid::new();
    let filter = invalid.check(raid::filter_from(&form));
    let request = invalid.check(ListRequest::from_query(
        "raid",
        form.get("limit"),
        form.get("cursor"),
    ));
    invalid.into_result()?;
    let (Some(filter), Some(request)) = (filter, request) else {
        return Err(WebError::NotFound);
    };
    let listed =
        accord_app::governance::raid::list(&state.app, &viewer.caller(), id, &filter, &request)
            .await?;
    let next = listed.page.next.as_ref().map(|cursor| {
        let mut pairs: Vec<(String, String)> = form
            .pairs()
            .iter()
            .filter(|(k, _)| k != "cursor" && k != "page")
            .cloned()
            .collect();
        pairs.push(("cursor".to_owned(), cursor.clone()));
        format!(
            "/api/v1/partnerships/{id}/raid?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    });
    let body = Json(RaidListOut {
        total: listed.page.total,
        heat_map: listed
            .heat_map
            .counts
            .iter()
            .map(|row| row.to_vec())
            .collect(),
        items: listed.page.items.iter().map(raid_out).collect(),
        next: next.clone(),
    });
    Ok(match next {
        Some(next) => (
            [(axum::http::header::LINK, format!("<{next}>; rel=\"next\""))],
            body,
        )
            .into_response(),
        None => body.into_response(),
    })
}

/// A risk's position on the 5 × 5 grid.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreIn {
    /// 1 (rare) to 5 (almost certain).
    pub probability: u8,
    /// 1 (negligible) to 5 (severe).
    pub impact: u8,
}

impl ScoreIn {
    fn parse(&self, field: &str, invalid: &mut Invalid) -> Option<RiskScore> {
        let probability = invalid.check(Level::new(
            &format!("{field}.probability"),
            self.probability,
        ));
        let impact = invalid.check(Level::new(&format!("{field}.impact"), self.impact));
        Some(RiskScore {
            probability: probability?,
            impact: impact?,
        })
    }
}

/// What is particular to each kind of item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RaidDetailIn {
    /// A risk.
    Risk {
        /// Before mitigation.
        inherent: ScoreIn,
        /// After mitigation; never above the inherent score.
        residual: ScoreIn,
        /// When it would hit.
        #[serde(default)]
        proximity: Option<NaiveDate>,
        /// Mitigating actions.
        #[serde(default)]
        mitigations: Vec<String>,
    },
    /// An assumption.
    Assumption {
        /// When to confirm it by.
        #[serde(default)]
        validate_by: Option<NaiveDate>,
    },
    /// An issue.
    Issue {
        /// 1 to 5.
        severity: u8,
        /// When to resolve it by.
        #[serde(default)]
        resolve_by: Option<NaiveDate>,
    },
    /// A dependency between projects; one that would close a cycle is refused.
    Dependency {
        /// The project (record id) that depends.
        from_project: i64,
        /// The project (record id) depended on.
        to_project: i64,
        /// When it is needed.
        #[serde(default)]
        needed_by: Option<NaiveDate>,
    },
}

/// A RAID item to raise.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaidIn {
    /// A one-line title.
    pub title: String,
    /// The detail.
    #[serde(default)]
    pub description: String,
    /// Who owns it.
    pub owner: String,
    /// The project (record id) it belongs to; the programme as a whole when absent.
    #[serde(default)]
    pub project: Option<i64>,
    /// When it was raised.
    pub raised_on: NaiveDate,
    /// projects (default), programme or senior-stakeholder.
    #[serde(default)]
    pub board: Option<String>,
    /// partnership (default) or published.
    #[serde(default)]
    pub classification: Option<String>,
    /// Kind and detail.
    pub detail: RaidDetailIn,
}

impl RaidIn {
    fn parse(self) -> Result<(RaidInput, Classification), Invalid> {
        let mut invalid = Invalid::new();
        let board = self
            .board
            .as_deref()
            .and_then(|b| invalid.check(accord_domain::board::BoardLevel::parse("board", b)));
        let class = invalid.check(class_in("classification", self.classification.as_deref()));
        let detail = match self.detail {
            RaidDetailIn::Risk {
                inherent,
                residual,
                proximity,
                mitigations,
            } => {
                let i = inherent.parse("detail.inherent", &mut invalid);
                let r = residual.parse("detail.residual", &mut invalid);
                match (i, r) {
                    (Some(inherent), Some(residual)) => Some(RaidDetail::Risk {
                        inherent,
                        residual,
                        proximity,
                        mitigations: mitigations
                            .into_iter()
                            .map(|action| Mitigation {
                                action,
                                owner: String::new(),
                                due: None,
                                done_on: None,
                            })
                            .collect(),
                    }),
                    _ => None,
                }
            }
            RaidDetailIn::Assumption { validate_by } => Some(RaidDetail::Assumption {
                validate_by,
                validated_on: None,
            }),
            RaidDetailIn::Issue {
                severity,
                resolve_by,
            } => invalid
                .check(Level::new("detail.severity", severity))
                .map(|severity| RaidDetail::Issue {
                    severity,
                    resolve_by,
                }),
            RaidDetailIn::Dependency {
                from_project,
                to_project,
                needed_by,
            } => Some(RaidDetail::Dependency {
                from_project,
                to_project,
                needed_by,
            }),
        };
        invalid.into_result()?;
        let (Some(detail), Some(class)) = (detail, class) else {
            return Err(Invalid::field("detail", "Give the item's detail"));
        };
        let project = match &detail {
            RaidDetail::Dependency { from_project, .. } => Some(*from_project),
            _ => self.project,
        };
        Ok((
            RaidInput {
                title: self.title,
                description: self.description,
                owner: self.owner,
                project,
                raised_on: self.raised_on,
                board,
                detail,
            },
            class,
        ))
    }
}

/// Raises an item. A dependency that would close a cycle of projects is refused, naming it.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/raid",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = RaidIn,
    responses(
        (status = 201, description = "Raised", body = RaidOut),
        (status = 422, description = "Refused, nothing changed: a dependency cycle, a residual score above the inherent", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn raise_raid(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<RaidIn>,
) -> Result<(StatusCode, Json<RaidOut>), WebError> {
    crate::pages::delivery::common::partnership(&state, id).await?;
    let (input, classification) = input.parse()?;
    let entry = accord_app::governance::raid::raise(
        &state.app,
        &viewer.caller(),
        id,
        accord_app::governance::raid::RaiseRaid {
            input,
            classification,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(raid_out(&entry))))
}

/// One RAID item, by its reference.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/raid/{reference}",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The item's reference: R12")),
    responses((status = 200, description = "The item", body = RaidOut), (status = 404, description = "No such item", body = ErrorResponse)),
)]
pub async fn show_raid(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(ids): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Json<RaidOut>, WebError> {
    // The guard found the item, by its reference or by an old address's record id.
    let reference = record.reference.clone().unwrap_or_default();
    let entry =
        accord_app::governance::raid::item(&state.app, &viewer.caller(), ids.0, &reference).await?;
    Ok(Json(raid_out(&entry)))
}

/// Why an item is escalated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationIn {
    /// The reason.
    pub reason: String,
    /// The version the change is made from (the item's `version`); when given, a change to an
    /// item that changed since is refused with 409.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Escalates an item to the board above (Projects → Programme → Senior Stakeholder); it goes
/// on that board's next agenda. Escalation above the top board is refused.
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/raid/{reference}/escalations",
    tag = "delivery",
    params(("id" = i64, Path, description = "The partnership's id"), ("reference" = String, Path, description = "The item's reference: R12")),
    request_body = EscalationIn,
    responses(
        (status = 200, description = "Escalated", body = RaidOut),
        (status = 409, description = "The item changed since the version given; nothing changed", body = ErrorResponse),
        (status = 422, description = "Refused, nothing changed: already at the top board, closed, no reason", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn escalate_raid(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(ids): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    JsonBody(input): JsonBody<EscalationIn>,
) -> Result<Json<RaidOut>, WebError> {
    // The guard found the item, by its reference or by an old address's record id.
    let reference = record.reference.clone().unwrap_or_default();
    let (entry, _) = accord_app::governance::raid::escalate(
        &state.app,
        &viewer.caller(),
        ids.0,
        &reference,
        input.version,
        &input.reason,
    )
    .await?;
    Ok(Json(raid_out(&entry)))
}
