//! Partnerships, their members and MOUs in the API.

use accord_domain::mou::{Mou, MouClock, MouEnd, MouEvent, MouStatus, MouValue};
use accord_domain::{GssCode, Invalid, Member, MemberRole, MemberStatus, Partnership};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ErrorResponse, WebError};
use crate::forms::JsonBody;

/// A member council.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberOut {
    /// The council's GSS code.
    pub gss: String,
    /// The council's name, if it is in the register.
    pub name: Option<String>,
    /// lead, host or partner.
    pub role: String,
    /// active, or pending its cabinet's approval.
    pub status: String,
    /// When it joined; null when no source states it.
    pub joined: Option<NaiveDate>,
    /// When it left, if it has.
    pub left: Option<NaiveDate>,
    /// Whether it is a member today.
    pub member_today: bool,
}

/// A partnership.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnershipOut {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// What it is for.
    pub summary: String,
    /// Where the record comes from, for demo and imported records.
    pub source: Option<String>,
    /// Its members, current and past.
    pub members: Vec<MemberOut>,
    /// Its MOU and the MOU's clock today, if one is recorded.
    pub mou: Option<MouOut>,
}

/// A shared value of an MOU.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ValueIo {
    /// Its name, e.g. Transparency.
    pub name: String,
    /// What it means.
    pub description: String,
}

/// How an MOU ends.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EndIo {
    /// On a date.
    Date {
        /// The date.
        date: NaiveDate,
    },
    /// At an event, on its date.
    Event {
        /// The event, e.g. "the local elections of 2014".
        name: String,
        /// Its date.
        date: NaiveDate,
    },
    /// No end agreed.
    Open,
}

/// A notice, extension or variation of an MOU.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventIo {
    /// Written notice of early termination by a member.
    Notice {
        /// The GSS code of the council that gave notice.
        given_by: String,
        /// When it was given.
        given_on: NaiveDate,
        /// When it takes effect.
        effective: NaiveDate,
    },
    /// Extension by mutual agreement.
    Extension {
        /// When it was agreed.
        agreed_on: NaiveDate,
        /// The new end date.
        new_end: NaiveDate,
    },
    /// Variation by mutual agreement.
    Variation {
        /// When it was agreed.
        agreed_on: NaiveDate,
        /// What changed.
        description: String,
    },
}

/// The MOU's clock on a day.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClockOut {
    /// The day it was read.
    pub today: NaiveDate,
    /// not_yet_in_force, in_force, ended or unknown.
    pub status: String,
    /// When it started.
    pub starts: Option<NaiveDate>,
    /// When it ends or ended, after notices and extensions.
    pub ends: Option<NaiveDate>,
    /// Why it ends then.
    pub ends_because: String,
    /// Days from today to the end (negative once past).
    pub days_to_end: Option<i64>,
    /// The next review date, while in force.
    pub next_review: Option<NaiveDate>,
    /// Which reviews fall on it (quarterly, annual).
    pub next_review_kinds: Vec<String>,
}

/// An MOU.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MouOut {
    /// When the executives agreed it.
    pub agreed: Option<NaiveDate>,
    /// When it was signed.
    pub signed: Option<NaiveDate>,
    /// When it commenced.
    pub commencement: Option<NaiveDate>,
    /// How it ends.
    pub end: EndIo,
    /// Whether it is meant to be legally binding.
    pub legally_binding: bool,
    /// Whether members are each other's preferred partner.
    pub preferred_partner: bool,
    /// Shared values.
    pub values: Vec<ValueIo>,
    /// Principles of joint working.
    pub principles: String,
    /// Who reviews it quarterly.
    pub quarterly_review_by: Option<String>,
    /// Who reviews it annually.
    pub annual_review_by: Option<String>,
    /// How governance and programme costs are shared.
    pub cost_sharing: String,
    /// Notices, extensions and variations.
    pub events: Vec<EventIo>,
    /// Where the record comes from.
    pub source: Option<String>,
    /// Its clock today.
    pub clock: ClockOut,
}

fn end_io(end: &MouEnd) -> EndIo {
    match end {
        MouEnd::Date { date } => EndIo::Date { date: *date },
        MouEnd::Event { name, date } => EndIo::Event {
            name: name.clone(),
            date: *date,
        },
        MouEnd::Open => EndIo::Open,
    }
}

fn end_domain(end: EndIo) -> MouEnd {
    match end {
        EndIo::Date { date } => MouEnd::Date { date },
        EndIo::Event { name, date } => MouEnd::Event { name, date },
        EndIo::Open => MouEnd::Open,
    }
}

fn event_io(event: &MouEvent) -> EventIo {
    match event {
        MouEvent::Notice {
            given_by,
            given_on,
            effective,
        } => EventIo::Notice {
            given_by: given_by.to_string(),
            given_on: *given_on,
            effective: *effective,
        },
        MouEvent::Extension { agreed_on, new_end } => EventIo::Extension {
            agreed_on: *agreed_on,
            new_end: new_end.date().unwrap_or(*agreed_on),
        },
        MouEvent::Variation {
            agreed_on,
            description,
        } => EventIo::Variation {
            agreed_on: *agreed_on,
            description: description.clone(),
        },
    }
}

fn clock_out(clock: MouClock) -> ClockOut {
    let status = match clock.status {
        MouStatus::NotYetInForce => "not_yet_in_force",
        MouStatus::InForce => "in_force",
        MouStatus::Ended { .. } => "ended",
        MouStatus::Unknown => "unknown",
    };
    ClockOut {
        today: clock.today,
        status: status.to_owned(),
        starts: clock.starts,
        ends: clock.ends,
        ends_because: clock.ends_because,
        days_to_end: clock.days_to_end,
        next_review: clock.next_review.as_ref().map(|r| r.date),
        next_review_kinds: clock
            .next_review
            .map(|r| {
                r.kinds
                    .iter()
                    .filter_map(|k| serde_json::to_value(k).ok()?.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn mou_out(mou: &Mou, today: NaiveDate) -> MouOut {
    MouOut {
        agreed: mou.agreed,
        signed: mou.signed,
        commencement: mou.commencement,
        end: end_io(&mou.end),
        legally_binding: mou.legally_binding,
        preferred_partner: mou.preferred_partner,
        values: mou
            .values
            .iter()
            .map(|v| ValueIo {
                name: v.name.clone(),
                description: v.description.clone(),
            })
            .collect(),
        principles: mou.principles.clone(),
        quarterly_review_by: mou.quarterly_review_by.clone(),
        annual_review_by: mou.annual_review_by.clone(),
        cost_sharing: mou.cost_sharing.clone(),
        events: mou.events.iter().map(event_io).collect(),
        source: mou.source.clone(),
        clock: clock_out(mou.clock(today)),
    }
}

async fn partnership_out(state: &AppState, p: Partnership) -> Result<PartnershipOut, WebError> {
    let today = state.today();
    let names =
        crate::pages::common::councils(state, &crate::pages::common::member_codes(&p)).await?;
    let mou = accord_app::partnership::mou(&state.app, p.id).await?;
    Ok(PartnershipOut {
        members: p
            .members
            .iter()
            .map(|m| MemberOut {
                gss: m.authority.to_string(),
                name: names
                    .get(m.authority.as_str())
                    .map(|a| a.short_name.clone()),
                role: m.role.slug().to_owned(),
                status: m.status.slug().to_owned(),
                joined: m.joined,
                left: m.left,
                member_today: m.is_member_on(today),
            })
            .collect(),
        mou: mou.as_ref().map(|m| mou_out(m, today)),
        id: p.id,
        name: p.name,
        summary: p.summary,
        source: p.source,
    })
}

async fn load(state: &AppState, id: i64) -> Result<Partnership, WebError> {
    Ok(accord_app::partnership::get(&state.app, id).await?)
}

/// Every partnership.
/// A page of the partnerships.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnershipListOut {
    /// How many partnerships there are.
    pub total: i64,
    /// This page of them, by name.
    pub items: Vec<PartnershipOut>,
    /// The address of the next page, when there is one (also sent as a `Link` header).
    pub next: Option<String>,
}

/// The partnerships, by name, paged with `limit` (1 to 500, 100 unless given) and `cursor`
/// (from the `next` address of the page before).
#[utoipa::path(
    get,
    path = "/api/v1/partnerships",
    tag = "partnerships",
    params(
        ("limit" = Option<u32>, Query, description = "Partnerships on the page: 1 to 500 (100 unless given)"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: the `cursor` of the previous page's `next` address"),
    ),
    responses(
        (status = 200, description = "A page of the partnerships, by name", body = PartnershipListOut),
        (status = 422, description = "The limit or the cursor is not valid", body = ErrorResponse),
    ),
)]
pub async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let form = crate::paging::query_form(query.as_deref());
    let request = accord_app::list::ListRequest::from_query(
        "partnerships",
        form.get("limit"),
        form.get("cursor"),
    )?;
    let listed = accord_app::partnership::page(&state.app, &request).await?;
    let mut items = Vec::new();
    for p in listed.items {
        items.push(partnership_out(&state, p).await?);
    }
    let next = crate::paging::next_page("/api/v1/partnerships", &form, listed.next.as_ref());
    let body = PartnershipListOut {
        total: listed.total,
        items,
        next: next.clone(),
    };
    Ok(crate::paging::page_response(body, next))
}

/// One partnership, with its members and MOU.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}",
    tag = "partnerships",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses(
        (status = 200, description = "The partnership", body = PartnershipOut),
        (status = 404, description = "No such partnership", body = ErrorResponse),
    ),
)]
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<PartnershipOut>, WebError> {
    let p = load(&state, id).await?;
    Ok(Json(partnership_out(&state, p).await?))
}

/// A member to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIn {
    /// The council's GSS code.
    pub gss: String,
    /// lead, host or partner (default partner).
    #[serde(default)]
    pub role: Option<String>,
    /// active or pending (default active).
    #[serde(default)]
    pub status: Option<String>,
    /// When it joined (omit when not stated).
    #[serde(default)]
    pub joined: Option<NaiveDate>,
    /// When it left.
    #[serde(default)]
    pub left: Option<NaiveDate>,
}

impl MemberIn {
    fn parse(&self, prefix: &str) -> Result<Member, Invalid> {
        let mut invalid = Invalid::new();
        let field = |name: &str| format!("{prefix}{name}");
        let authority = invalid.check(GssCode::parse(&field("gss"), &self.gss));
        let role = match &self.role {
            Some(r) => invalid.check(MemberRole::parse(&field("role"), r)),
            None => Some(MemberRole::Partner),
        };
        let status = match &self.status {
            Some(s) => invalid.check(MemberStatus::parse(&field("status"), s)),
            None => Some(MemberStatus::Active),
        };
        invalid.into_result()?;
        let member = Member {
            authority: authority.ok_or_else(Invalid::new)?,
            role: role.ok_or_else(Invalid::new)?,
            status: status.ok_or_else(Invalid::new)?,
            joined: self.joined,
            left: self.left,
        };
        member.validate().map_err(|e| e.within(prefix))?;
        Ok(member)
    }
}

/// A partnership to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPartnershipIn {
    /// Its name (unique).
    pub name: String,
    /// What it is for.
    #[serde(default)]
    pub summary: String,
    /// At least two member councils.
    pub members: Vec<MemberIn>,
    /// Why, for the audit trail.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Creates a partnership (administrators).
#[utoipa::path(
    post,
    path = "/api/v1/partnerships",
    tag = "partnerships",
    request_body = NewPartnershipIn,
    responses(
        (status = 201, description = "Created", body = PartnershipOut),
        (status = 422, description = "Refused: each problem names its field", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    JsonBody(input): JsonBody<NewPartnershipIn>,
) -> Result<(StatusCode, Json<PartnershipOut>), WebError> {
    let mut invalid = Invalid::new();
    let mut members = Vec::new();
    for (i, m) in input.members.iter().enumerate() {
        if let Some(member) = invalid.check(m.parse(&format!("members[{i}]."))) {
            members.push(member);
        }
    }
    invalid.into_result()?;
    let p = Partnership {
        id: 0,
        name: input.name.trim().to_owned(),
        summary: input.summary.trim().to_owned(),
        source: None,
        members,
    };
    let reason = input.reason.unwrap_or_default();
    let id = accord_app::partnership::create(&state.app, &viewer.caller(), &p, &reason).await?;
    Ok((
        StatusCode::CREATED,
        Json(partnership_out(&state, load(&state, id).await?).await?),
    ))
}

/// Changes to a partnership's name or summary.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnershipPatch {
    /// A new name.
    #[serde(default)]
    pub name: Option<String>,
    /// A new summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// Why, for the audit trail.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Renames a partnership or changes its summary (programme team).
#[utoipa::path(
    patch,
    path = "/api/v1/partnerships/{id}",
    tag = "partnerships",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = PartnershipPatch,
    responses(
        (status = 200, description = "Changed", body = PartnershipOut),
        (status = 422, description = "Refused", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(patch): JsonBody<PartnershipPatch>,
) -> Result<Json<PartnershipOut>, WebError> {
    let p = load(&state, id).await?;
    let name = patch.name.unwrap_or(p.name);
    let summary = patch.summary.unwrap_or(p.summary);
    let reason = patch.reason.unwrap_or_default();
    accord_app::partnership::update(&state.app, &viewer.caller(), id, &name, &summary, &reason)
        .await?;
    Ok(Json(
        partnership_out(&state, load(&state, id).await?).await?,
    ))
}

/// Adds a member council (programme team).
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/members",
    tag = "partnerships",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = MemberIn,
    responses(
        (status = 201, description = "Added", body = PartnershipOut),
        (status = 422, description = "Refused: unknown council, already a member, leaving before joining", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn add_member(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<MemberIn>,
) -> Result<(StatusCode, Json<PartnershipOut>), WebError> {
    load(&state, id).await?;
    let member = input.parse("")?;
    accord_app::partnership::add_member(&state.app, &viewer.caller(), id, &member, "").await?;
    Ok((
        StatusCode::CREATED,
        Json(partnership_out(&state, load(&state, id).await?).await?),
    ))
}

/// Changes to a membership.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    /// lead, host or partner.
    #[serde(default)]
    pub role: Option<String>,
    /// active or pending.
    #[serde(default)]
    pub status: Option<String>,
    /// When it joined.
    #[serde(default)]
    pub joined: Option<NaiveDate>,
    /// When it left.
    #[serde(default)]
    pub left: Option<NaiveDate>,
    /// Why, for the audit trail.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Changes a member's role, status or dates (programme team).
#[utoipa::path(
    patch,
    path = "/api/v1/partnerships/{id}/members/{gss}",
    tag = "partnerships",
    params(("id" = i64, Path, description = "The partnership's id"), ("gss" = String, Path, description = "The member council's GSS code")),
    request_body = MemberPatch,
    responses(
        (status = 200, description = "Changed", body = PartnershipOut),
        (status = 422, description = "Refused", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn update_member(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, gss)): Path<(i64, String)>,
    JsonBody(patch): JsonBody<MemberPatch>,
) -> Result<Json<PartnershipOut>, WebError> {
    let p = load(&state, id).await?;
    let code = GssCode::parse("gss", &gss).map_err(|_| WebError::NotFound)?;
    let mut member = p.member(&code).cloned().ok_or(WebError::NotFound)?;
    let mut invalid = Invalid::new();
    if let Some(role) = &patch.role {
        member.role = invalid
            .check(MemberRole::parse("role", role))
            .unwrap_or(member.role);
    }
    if let Some(status) = &patch.status {
        member.status = invalid
            .check(MemberStatus::parse("status", status))
            .unwrap_or(member.status);
    }
    if patch.joined.is_some() {
        member.joined = patch.joined;
    }
    if patch.left.is_some() {
        member.left = patch.left;
    }
    invalid.into_result()?;
    let reason = patch.reason.unwrap_or_default();
    accord_app::partnership::update_member(&state.app, &viewer.caller(), id, &member, &reason)
        .await?;
    Ok(Json(
        partnership_out(&state, load(&state, id).await?).await?,
    ))
}

/// A partnership's MOU.
#[utoipa::path(
    get,
    path = "/api/v1/partnerships/{id}/mou",
    tag = "partnerships",
    params(("id" = i64, Path, description = "The partnership's id")),
    responses(
        (status = 200, description = "The MOU and its clock today", body = MouOut),
        (status = 404, description = "No MOU recorded", body = ErrorResponse),
    ),
)]
pub async fn mou(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<MouOut>, WebError> {
    let mou = accord_app::partnership::mou(&state.app, id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(mou_out(&mou, state.today())))
}

/// An MOU's terms.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MouIn {
    /// When the executives agreed it.
    #[serde(default)]
    pub agreed: Option<NaiveDate>,
    /// When it was signed.
    #[serde(default)]
    pub signed: Option<NaiveDate>,
    /// When it commenced (default: on signature).
    #[serde(default)]
    pub commencement: Option<NaiveDate>,
    /// How it ends.
    pub end: EndIo,
    /// Whether it is meant to be legally binding (default false).
    #[serde(default)]
    pub legally_binding: bool,
    /// Whether members are each other's preferred partner (default true).
    #[serde(default = "yes")]
    pub preferred_partner: bool,
    /// Shared values.
    #[serde(default)]
    pub values: Vec<ValueIo>,
    /// Principles of joint working.
    pub principles: String,
    /// Who reviews it quarterly.
    #[serde(default)]
    pub quarterly_review_by: Option<String>,
    /// Who reviews it annually.
    #[serde(default)]
    pub annual_review_by: Option<String>,
    /// How governance and programme costs are shared.
    #[serde(default)]
    pub cost_sharing: String,
    /// Why, for the audit trail.
    #[serde(default)]
    pub reason: Option<String>,
}

fn yes() -> bool {
    true
}

/// Records or replaces an MOU's terms (programme team). Its events are kept.
#[utoipa::path(
    put,
    path = "/api/v1/partnerships/{id}/mou",
    tag = "partnerships",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = MouIn,
    responses(
        (status = 200, description = "Saved", body = MouOut),
        (status = 422, description = "Refused: e.g. an MOU ending before it starts", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn save_mou(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<MouIn>,
) -> Result<Json<MouOut>, WebError> {
    load(&state, id).await?;
    let existing = accord_app::partnership::mou(&state.app, id).await?;
    let mou = Mou {
        agreed: input.agreed,
        signed: input.signed,
        commencement: input.commencement,
        end: end_domain(input.end),
        legally_binding: input.legally_binding,
        preferred_partner: input.preferred_partner,
        values: input
            .values
            .into_iter()
            .map(|v| MouValue {
                name: v.name,
                description: v.description,
            })
            .collect(),
        principles: input.principles,
        quarterly_review_by: input.quarterly_review_by,
        annual_review_by: input.annual_review_by,
        cost_sharing: input.cost_sharing,
        events: Vec::new(),
        source: existing.and_then(|m| m.source),
    };
    let reason = input.reason.unwrap_or_default();
    accord_app::partnership::save_mou(&state.app, &viewer.caller(), id, &mou, &reason).await?;
    let saved = accord_app::partnership::mou(&state.app, id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(mou_out(&saved, state.today())))
}

/// Records a notice, extension or variation (programme team).
#[utoipa::path(
    post,
    path = "/api/v1/partnerships/{id}/mou/events",
    tag = "partnerships",
    params(("id" = i64, Path, description = "The partnership's id")),
    request_body = EventIo,
    responses(
        (status = 201, description = "Recorded", body = MouOut),
        (status = 422, description = "Refused: e.g. notice from a council that is not a member", body = ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn add_event(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<EventIo>,
) -> Result<(StatusCode, Json<MouOut>), WebError> {
    load(&state, id).await?;
    let event = match input {
        EventIo::Notice {
            given_by,
            given_on,
            effective,
        } => MouEvent::Notice {
            given_by: GssCode::parse("given_by", &given_by)?,
            given_on,
            effective,
        },
        EventIo::Extension { agreed_on, new_end } => MouEvent::Extension {
            agreed_on,
            new_end: MouEnd::Date { date: new_end },
        },
        EventIo::Variation {
            agreed_on,
            description,
        } => MouEvent::Variation {
            agreed_on,
            description,
        },
    };
    accord_app::partnership::add_mou_event(&state.app, &viewer.caller(), id, &event, "").await?;
    let saved = accord_app::partnership::mou(&state.app, id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok((StatusCode::CREATED, Json(mou_out(&saved, state.today()))))
}
