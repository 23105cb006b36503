//! Governance (MOU Schedule 3): the three boards, their meetings and agendas, papers
//! (embargoed until the decision they inform, MOU 5.5), minutes and the decisions log with
//! the Cabinet approval each key decision needs at every council.

use accord_domain::access::{Action, Area, Classification};
use accord_domain::board::{
    AgendaItem, AgendaSource, Board, BoardLevel, BoardMember, Cadence, Decision, DecisionInput,
    MeetingInput, MeetingStatus, Minutes,
};
use accord_domain::mou::long_date;
use accord_domain::{GssCode, Invalid, Partnership};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveTime};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;

use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Choice, Column, Field, InputWidth, SummaryRow, Table, TagColour, button,
    button_link, checkboxes, date_input, error_summary, form, radios, select, summary_list, table,
    tag, text_input, textarea,
};
use crate::delivery::{Loaded, PaperBody};
use crate::error::WebError;
use crate::forms::{FormData, refused};
use crate::guard::GuardedRecord;
use crate::layout::Page;
use crate::pages::common::{council_name, councils, render, source_note};
use crate::pages::delivery::common::{
    classification, classification_radios, classification_tag, lines, may_create, may_do,
    paragraphs, partnership,
};
use accord_domain::board::AgendaLine;

fn boards_path(id: i64) -> String {
    format!("/partnerships/{id}/boards")
}

/// A board's address: by its level's slug (`/boards/programme`).
fn board_path(id: i64, board: impl std::fmt::Display) -> String {
    format!("/partnerships/{id}/boards/{board}")
}

fn meeting_path(id: i64, board: impl std::fmt::Display, number: u32) -> String {
    format!("/partnerships/{id}/boards/{board}/meetings/{number}")
}

fn page(p: &Partnership, title: impl Into<String>) -> Page {
    Page::new(title)
        .breadcrumb("Partnerships", "/")
        .breadcrumb(p.name.clone(), format!("/partnerships/{}", p.id))
        .breadcrumb("Boards", boards_path(p.id))
}

fn board_page(p: &Partnership, board: &Loaded<Board>, title: impl Into<String>) -> Page {
    page(p, title).breadcrumb(
        board.value.name.clone(),
        board_path(p.id, board.value.level.slug()),
    )
}

fn meeting_time(start: Option<NaiveTime>) -> String {
    start.map_or_else(
        || "Time not set".to_owned(),
        |t| t.format("%H:%M").to_string(),
    )
}

fn status_tag(status: MeetingStatus) -> Markup {
    match status {
        MeetingStatus::Scheduled => tag("Scheduled", TagColour::Blue),
        MeetingStatus::Held => tag("Held", TagColour::Green),
        MeetingStatus::Cancelled => tag("Cancelled", TagColour::Grey),
    }
}

/// `GET /partnerships/{id}/boards`.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let today = state.today();
    let boards = super::common::boards(&state, &viewer, id).await?;
    let names = councils(&state, &crate::pages::common::member_codes(&p)).await?;
    let mut listing = Table::new(
        "Boards",
        vec![
            Column::text("Board"),
            Column::text("Meets"),
            Column::text("Chair rotates between"),
            Column::text("Next meeting"),
        ],
    )
    .row_headers();
    for b in boards.iter().rev() {
        let next = b
            .value
            .next_meeting_after(today.pred_opt().unwrap_or(today));
        listing = listing.row(vec![
            html! { a class="govuk-link" href=(board_path(id, b.value.level.slug())) { (b.value.name) } },
            html! { (capitalise(&b.value.cadence.describe())) },
            html! { (b.value.chair_rotation.iter().map(|c| council_name(&names, c)).collect::<Vec<_>>().join(", then ")) },
            html! {
                @match next {
                    Some(m) => { (long_date(m.date)) },
                    None => span class="govuk-hint" { "None scheduled" },
                }
            },
        ]);
    }
    let missing = BoardLevel::ALL
        .iter()
        .filter(|l| boards.iter().all(|b| b.value.level != **l))
        .count();
    let content = html! {
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { "Boards" }
        p class="govuk-body" {
            "Issues and risks escalate from the Projects Board to the Programme Board to the Senior Stakeholder Board. "
            "Chairs rotate between the councils. Key decisions are taken by the Cabinet of each council."
        }
        @if boards.is_empty() {
            p class="govuk-body" { "No boards are set up yet." }
        } @else {
            (table(&listing))
        }
        p class="govuk-body" { a class="govuk-link" href={ "/partnerships/" (id) "/decisions" } { "The decisions log" } }
        @if missing > 0 && may_create(&viewer, Area::Governance, id, today) {
            (form(&boards_path(id), &viewer.csrf, html! {
                (button("Set up the three boards of Schedule 3", ButtonKind::Secondary))
            }))
        }
    };
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("Boards – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}")),
        content,
    ))
}

/// `POST /partnerships/{id}/boards`: sets up whichever of the three boards is missing.
pub async fn create_standard(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    accord_app::governance::boards::create_standard(&state.app, &viewer.caller(), &p).await?;
    Ok(Redirect::to(&boards_path(id)).into_response())
}

/// What a board page needs to place escalated items: every board, RAID item and escalated
/// exception the reader may see.
struct Escalations {
    boards: Vec<Board>,
    notices: Vec<accord_domain::board::EscalationNotice>,
}

async fn escalations(state: &AppState, viewer: &Viewer, id: i64) -> Result<Escalations, WebError> {
    let (boards, notices) =
        accord_app::governance::boards::escalations(&state.app, &viewer.caller(), id).await?;
    Ok(Escalations { boards, notices })
}

/// `GET /partnerships/{id}/boards/{record_id}`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let today = state.today();
    let board = super::common::board(&state, &viewer, &record).await?;
    let b = &board.value;
    let names = councils(&state, &b.councils).await?;
    let editor = may_do(&viewer, Action::Update, &board.record.meta, today);
    let decider = may_do(&viewer, Action::Decide, &board.record.meta, today);
    let decisions = super::common::decisions(&state, &viewer, board.id()).await?;
    let esc = escalations(&state, &viewer, id).await?;
    let unplaced: Vec<_> = accord_domain::raid::escalation_agenda(&esc.boards, &esc.notices)
        .unplaced
        .into_iter()
        .filter(|n| n.to == b.level)
        .collect();
    let base = board_path(id, board.value.level.slug());

    let mut members = Table::new(
        "Members",
        vec![Column::text("Member"), Column::text("Council")],
    );
    for m in &b.members {
        members = members.row(vec![
            html! { (m.name) @if m.role != m.name { br; span class="govuk-hint" { (m.role) } } },
            html! { @match &m.council { Some(c) => (council_name(&names, c)), None => "Joint" } },
        ]);
    }
    let mut meetings = Table::new(
        "Meetings",
        vec![
            Column::text("Meeting"),
            Column::text("Date"),
            Column::text("Chair"),
            Column::text("Status"),
        ],
    )
    .row_headers();
    for m in &b.meetings {
        meetings = meetings.row(vec![
            html! { a class="govuk-link" href=(meeting_path(id, board.value.level.slug(), m.number)) { "Meeting " (m.number) } },
            html! { (long_date(m.date)) @if let Some(t) = m.start_time { ", " (t.format("%H:%M")) } },
            html! { @match &m.chair { Some(c) => (council_name(&names, c)), None => "—" } },
            status_tag(m.status),
        ]);
    }
    let content = html! {
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { (b.name) }
        (source_note(b.source.as_deref()))
        (summary_list(&[
            SummaryRow::new("Meets", html! { (capitalise(&b.cadence.describe())) }),
            SummaryRow::new("Functions", html! {
                ul class="govuk-list govuk-list--bullet" { @for f in b.level.functions() { li { (f) } } }
            }),
            SummaryRow::new("Chair", html! {
                "Rotates between "
                (b.chair_rotation.iter().map(|c| council_name(&names, c)).collect::<Vec<_>>().join(", then "))
                ", " (b.meetings_per_chair) " meeting" @if b.meetings_per_chair != 1 { "s" } " each"
            }),
            SummaryRow::new("Escalates to", html! {
                @match b.level.above() { Some(above) => (above.name()), None => "Nothing: this is the top board" }
            }),
            SummaryRow::new("Who may see it", classification_tag(&board.record, today)),
        ]))
        @if editor {
            div class="govuk-button-group" {
                (button_link("Schedule meetings", &format!("{base}/schedule"), ButtonKind::Secondary))
                (button_link("Add a meeting", &format!("{base}/meetings/new"), ButtonKind::Secondary))
                (button_link("Add a member", &format!("{base}/members/new"), ButtonKind::Secondary))
                (button_link("Change the chair rotation", &format!("{base}/rotation"), ButtonKind::Secondary))
            }
        }
        @if !unplaced.is_empty() {
            h2 class="govuk-heading-m" { "Escalated, waiting for a meeting" }
            p class="govuk-body" { "These items go on the agenda of the board’s next meeting once one is scheduled." }
            ul class="govuk-list govuk-list--bullet" {
                @for n in &unplaced { li { (n.title) " (escalated " (long_date(n.on)) ")" } }
            }
        }
        @if b.meetings.is_empty() {
            h2 class="govuk-heading-m" { "Meetings" }
            p class="govuk-body" { "No meetings are scheduled." }
        } @else {
            (table(&meetings))
        }
        @if b.members.is_empty() {
            h2 class="govuk-heading-m" { "Members" }
            p class="govuk-body" { "No members are recorded." }
        } @else {
            (table(&members))
        }
        h2 class="govuk-heading-l" { "Decisions log" }
        (decisions_table(id, &decisions, "Decisions of this board"))
        @if decider {
            (button_link("Record a decision", &format!("{base}/decisions/new"), ButtonKind::Secondary))
        }
    };
    Ok(render(&state, &viewer, page(&p, b.name.clone()), content))
}

fn decisions_table(id: i64, decisions: &[Loaded<Decision>], caption: &str) -> Markup {
    if decisions.is_empty() {
        return html! { p class="govuk-body" { "No decisions you can see are recorded." } };
    }
    let mut t = Table::new(
        caption,
        vec![
            Column::text("Decision"),
            Column::text("Taken"),
            Column::text("Cabinet approval"),
        ],
    )
    .row_headers();
    for d in decisions {
        let v = &d.value;
        t = t.row(vec![
            html! { a class="govuk-link" href={ "/partnerships/" (id) "/decisions/" (d.id()) } { (v.number) ". " (v.title) } },
            html! { (long_date(v.taken_on)) },
            html! {
                @match (&v.cabinet, v.made_on()) {
                    (None, _) => "Not a key decision",
                    (Some(_), Some(made)) => { (tag("Approved", TagColour::Green)) " by every council; made " (long_date(made)) },
                    (Some(c), None) => { (tag("Outstanding", TagColour::Yellow)) " at " (c.outstanding().count()) " council" @if c.outstanding().count() != 1 { "s" } },
                }
            },
        ]);
    }
    table(&t)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Saves a changed board (its meetings, agendas and minutes), refusing it when someone else
/// changed the board since it was read.
async fn save_board(
    state: &AppState,
    viewer: &Viewer,
    board: &Loaded<Board>,
    changed: &Board,
) -> Result<Result<(), Invalid>, WebError> {
    match accord_app::governance::boards::save(
        &state.app,
        &viewer.caller(),
        board.id(),
        Some(board.record.version),
        changed,
        "",
    )
    .await
    {
        Ok(_) => Ok(Ok(())),
        Err(accord_app::AppError::Invalid(e)) => Ok(Err(e)),
        Err(accord_app::AppError::Conflict(message)) => Ok(Err(Invalid::field("version", message))),
        Err(e) => Err(e.into()),
    }
}

/// A form page of a board: its heading and a form with fields.
// Each argument is one part of the page; a struct would only name them twice.
#[allow(clippy::too_many_arguments)]
fn board_form_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    board: &Loaded<Board>,
    title: &str,
    action: &str,
    intro: Markup,
    fields: Markup,
    submit: &str,
    errors: &Invalid,
) -> Markup {
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (board.value.name) }
        h1 class="govuk-heading-xl" { (title) }
        (intro)
        (form(action, &viewer.csrf, html! { (fields) (button(submit, ButtonKind::Primary)) }))
    };
    render(
        state,
        viewer,
        board_page(p, board, title.to_owned()).with_errors(errors),
        content,
    )
}

// ----- the meeting schedule -----

const CADENCES: [(&str, &str); 4] = [
    ("weekly", "Weekly"),
    ("fortnightly", "Fortnightly"),
    ("monthly", "Monthly, on the same weekday of the month"),
    ("weeks", "Every few weeks"),
];

fn cadence_value(cadence: Cadence) -> (&'static str, String) {
    match cadence {
        Cadence::Weekly => ("weekly", String::new()),
        Cadence::Fortnightly => ("fortnightly", String::new()),
        Cadence::Monthly => ("monthly", String::new()),
        Cadence::Weeks { weeks } => ("weeks", weeks.to_string()),
    }
}

fn schedule_fields(form_data: &FormData, errors: &Invalid) -> Markup {
    let cadences: Vec<Choice> = CADENCES.iter().map(|(v, t)| Choice::new(v, t)).collect();
    html! {
        (radios(&Field::new("cadence", "How often the board meets").value(form_data.get("cadence")).errors(errors), &cadences))
        (text_input(&Field::new("weeks", "Weeks between meetings (for “every few weeks”)").value(form_data.get("weeks")).width(InputWidth::Chars2).numeric().errors(errors)))
        (date_input(&Field::new("first", "Date of the first meeting").errors(errors), &form_data.date("first")))
        (date_input(&Field::new("until", "Schedule meetings until").errors(errors), &form_data.date("until")))
    }
}

fn schedule_intro() -> Markup {
    html! {
        p class="govuk-body" {
            "Meetings are generated from the cadence. A meeting that would fall on a weekend or a bank holiday moves to the next working day. "
            "Scheduled meetings from the first date on that have no agenda items, papers or minutes are replaced; the chairs then rotate again."
        }
    }
}

/// `GET /partnerships/{id}/boards/{record_id}/schedule`.
pub async fn schedule_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    let (cadence, weeks) = cadence_value(board.value.cadence);
    let form_data = FormData::from_pairs([("cadence", cadence.to_owned()), ("weeks", weeks)]);
    Ok(board_form_page(
        &state,
        &viewer,
        &p,
        &board,
        "Schedule meetings",
        &format!("{}/schedule", board_path(id, &record_id)),
        schedule_intro(),
        schedule_fields(&form_data, &Invalid::new()),
        "Schedule meetings",
        &Invalid::new(),
    ))
}

fn read_cadence(form: &FormData) -> Result<Cadence, Invalid> {
    match form.get("cadence") {
        "weekly" => Ok(Cadence::Weekly),
        "fortnightly" => Ok(Cadence::Fortnightly),
        "monthly" => Ok(Cadence::Monthly),
        "weeks" => form
            .get("weeks")
            .trim()
            .parse::<u32>()
            .map(|weeks| Cadence::Weeks { weeks })
            .map_err(|_| Invalid::field("weeks", "Enter the weeks between meetings as a number")),
        "" => Err(Invalid::field(
            "cadence",
            "Choose how often the board meets",
        )),
        other => Err(Invalid::field(
            "cadence",
            format!("“{other}” is not a cadence"),
        )),
    }
}

/// Generates a board's meetings with the domain's rules (moving them off weekends and bank
/// holidays), changing its cadence first when asked.
pub fn apply_schedule(
    board: &mut Board,
    cadence: Cadence,
    first: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<u32>, Invalid> {
    let works = accord_domain::working_days::england_and_wales_working_days(first, until);
    if cadence == board.cadence {
        board.schedule(first, until, Some(&works))
    } else {
        board.change_cadence(cadence, first, until, Some(&works))
    }
}

/// `POST /partnerships/{id}/boards/{record_id}/schedule`.
pub async fn schedule(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    let mut invalid = Invalid::new();
    let cadence = invalid.check(read_cadence(&form_data));
    let first = invalid.check(
        form_data
            .date("first")
            .parse("first", "the date of the first meeting"),
    );
    let until = invalid.check(
        form_data
            .date("until")
            .parse("until", "the date to schedule until"),
    );
    let result = match (cadence, first, until) {
        (Some(cadence), Some(first), Some(until)) if invalid.is_empty() => {
            let mut full = accord_app::governance::boards::full(&state.app, board.id()).await?;
            match apply_schedule(&mut full, cadence, first, until) {
                Ok(_) => save_board(&state, &viewer, &board, &full).await?,
                Err(e) => Err(e),
            }
        }
        _ => Err(invalid),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&board_path(id, &record_id)).into_response()),
        Err(errors) => Ok(refused(board_form_page(
            &state,
            &viewer,
            &p,
            &board,
            "Schedule meetings",
            &format!("{}/schedule", board_path(id, &record_id)),
            schedule_intro(),
            schedule_fields(&form_data, &errors),
            "Schedule meetings",
            &errors,
        ))),
    }
}

fn parse_time(form: &FormData, field: &str) -> Result<Option<NaiveTime>, Invalid> {
    let text = form.get(field).trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveTime::parse_from_str(text, "%H:%M")
        .map(Some)
        .map_err(|_| Invalid::field(field, "Enter the time like 14:30"))
}

fn meeting_fields(form_data: &FormData, errors: &Invalid) -> Markup {
    html! {
        (date_input(&Field::new("date", "Date").errors(errors), &form_data.date("date")))
        (text_input(&Field::new("start_time", "Start time (optional)").hint("UK time, like 14:30").value(form_data.get("start_time")).width(InputWidth::Chars5).errors(errors)))
        (text_input(&Field::new("duration_minutes", "Length in minutes (optional)").value(form_data.get("duration_minutes")).width(InputWidth::Chars4).numeric().errors(errors)))
        (text_input(&Field::new("location", "Where (optional)").value(form_data.get("location")).errors(errors)))
    }
}

/// `GET /partnerships/{id}/boards/{record_id}/meetings/new`.
pub async fn meeting_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    Ok(board_form_page(
        &state,
        &viewer,
        &p,
        &board,
        "Add a meeting",
        &format!("{}/meetings", board_path(id, &record_id)),
        html! { p class="govuk-body" { "An extraordinary meeting, outside the generated schedule. It takes its turn in the chair rotation." } },
        meeting_fields(&FormData::default(), &Invalid::new()),
        "Add meeting",
        &Invalid::new(),
    ))
}

/// `POST /partnerships/{id}/boards/{record_id}/meetings`.
pub async fn add_meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    let mut invalid = Invalid::new();
    let date = invalid.check(
        form_data
            .date("date")
            .parse("date", "the date of the meeting"),
    );
    let start_time = invalid
        .check(parse_time(&form_data, "start_time"))
        .flatten();
    let duration = match form_data.get("duration_minutes").trim() {
        "" => None,
        text => invalid.check(text.parse::<u32>().map_err(|_| {
            Invalid::field(
                "duration_minutes",
                "Enter the length in minutes as a number",
            )
        })),
    };
    let location = Some(form_data.get("location").trim().to_owned()).filter(|l| !l.is_empty());
    let result = match date {
        Some(date) if invalid.is_empty() => {
            let mut full = accord_app::governance::boards::full(&state.app, board.id()).await?;
            let input = MeetingInput {
                date,
                start_time,
                duration_minutes: duration,
                location,
            };
            match full.add_meeting(input) {
                Ok(_) => save_board(&state, &viewer, &board, &full).await?,
                Err(e) => Err(e),
            }
        }
        _ => Err(invalid),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&board_path(id, &record_id)).into_response()),
        Err(errors) => Ok(refused(board_form_page(
            &state,
            &viewer,
            &p,
            &board,
            "Add a meeting",
            &format!("{}/meetings", board_path(id, &record_id)),
            html! {},
            meeting_fields(&form_data, &errors),
            "Add meeting",
            &errors,
        ))),
    }
}

// ----- members and chairs -----

async fn council_choices(
    state: &AppState,
    board: &Board,
) -> Result<Vec<(String, String)>, WebError> {
    let names = councils(state, &board.councils).await?;
    Ok(board
        .councils
        .iter()
        .map(|c| (c.to_string(), council_name(&names, c)))
        .collect())
}

fn member_fields(form_data: &FormData, errors: &Invalid, councils: &[(String, String)]) -> Markup {
    let mut choices = vec![Choice::new("", "A joint post (no one council)")];
    choices.extend(councils.iter().map(|(v, t)| Choice::new(v, t)));
    html! {
        (text_input(&Field::new("name", "Name or post").value(form_data.get("name")).errors(errors)))
        (text_input(&Field::new("role", "Part on the board").hint("For example, “Programme Sponsor”").value(form_data.get("role")).errors(errors)))
        (select(&Field::new("council", "Council represented").value(form_data.get("council")).errors(errors), &choices))
    }
}

/// `GET /partnerships/{id}/boards/{record_id}/members/new`.
pub async fn member_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    let choices = council_choices(&state, &board.value).await?;
    Ok(board_form_page(
        &state,
        &viewer,
        &p,
        &board,
        "Add a member",
        &format!("{}/members", board_path(id, &record_id)),
        html! {},
        member_fields(&FormData::default(), &Invalid::new(), &choices),
        "Add member",
        &Invalid::new(),
    ))
}

/// `POST /partnerships/{id}/boards/{record_id}/members`.
pub async fn add_member(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    let council = match form_data.get("council").trim() {
        "" => Ok(None),
        text => GssCode::parse("council", text).map(Some),
    };
    let mut changed = board.value.clone();
    let result = match council {
        Ok(council) => {
            let member = BoardMember {
                name: form_data.get("name").trim().to_owned(),
                role: form_data.get("role").trim().to_owned(),
                council,
            };
            match changed.add_member(member) {
                Ok(()) => save_board(&state, &viewer, &board, &changed).await?,
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&board_path(id, &record_id)).into_response()),
        Err(errors) => {
            let choices = council_choices(&state, &board.value).await?;
            Ok(refused(board_form_page(
                &state,
                &viewer,
                &p,
                &board,
                "Add a member",
                &format!("{}/members", board_path(id, &record_id)),
                html! {},
                member_fields(&form_data, &errors, &choices),
                "Add member",
                &errors,
            )))
        }
    }
}

fn rotation_fields(
    board: &Board,
    form_data: &FormData,
    errors: &Invalid,
    councils: &[(String, String)],
) -> Markup {
    let choices: Vec<Choice> = councils.iter().map(|(v, t)| Choice::new(v, t)).collect();
    html! {
        @for i in 0..board.councils.len() {
            @let name = format!("chair_rotation[{i}]");
            @let label = format!("Chair {}", i + 1);
            (select(&Field::new(&name, &label).value(form_data.get(&name)).errors(errors), &choices))
        }
        (text_input(&Field::new("meetings_per_chair", "Meetings each council chairs before the next takes over").value(form_data.get("meetings_per_chair")).width(InputWidth::Chars2).numeric().errors(errors)))
    }
}

fn rotation_form_data(board: &Board) -> FormData {
    let mut pairs: Vec<(String, String)> = board
        .chair_rotation
        .iter()
        .enumerate()
        .map(|(i, c)| (format!("chair_rotation[{i}]"), c.to_string()))
        .collect();
    pairs.push((
        "meetings_per_chair".to_owned(),
        board.meetings_per_chair.to_string(),
    ));
    FormData::from_pairs(pairs)
}

/// `GET /partnerships/{id}/boards/{record_id}/rotation`.
pub async fn rotation_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    let choices = council_choices(&state, &board.value).await?;
    Ok(board_form_page(
        &state,
        &viewer,
        &p,
        &board,
        "Change the chair rotation",
        &format!("{}/rotation", board_path(id, &record_id)),
        html! { p class="govuk-body" { "Chairs of meetings not yet held are rotated again in the new order; every council takes its turn." } },
        rotation_fields(
            &board.value,
            &rotation_form_data(&board.value),
            &Invalid::new(),
            &choices,
        ),
        "Save rotation",
        &Invalid::new(),
    ))
}

/// `POST /partnerships/{id}/boards/{record_id}/rotation`.
pub async fn set_rotation(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    let mut invalid = Invalid::new();
    let mut order = Vec::new();
    for i in 0..board.value.councils.len() {
        let field = format!("chair_rotation[{i}]");
        if let Some(c) = invalid.check(GssCode::parse(&field, form_data.get(&field))) {
            order.push(c);
        }
    }
    let per = invalid.check(
        form_data
            .get("meetings_per_chair")
            .trim()
            .parse::<u32>()
            .map_err(|_| Invalid::field("meetings_per_chair", "Enter a number of meetings")),
    );
    let mut full = accord_app::governance::boards::full(&state.app, board.id()).await?;
    let result = match per {
        Some(per) if invalid.is_empty() => match full.set_chair_rotation(order, per) {
            Ok(()) => save_board(&state, &viewer, &board, &full).await?,
            Err(e) => Err(e),
        },
        _ => Err(invalid),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&board_path(id, &record_id)).into_response()),
        Err(errors) => {
            let choices = council_choices(&state, &board.value).await?;
            Ok(refused(board_form_page(
                &state,
                &viewer,
                &p,
                &board,
                "Change the chair rotation",
                &format!("{}/rotation", board_path(id, &record_id)),
                html! {},
                rotation_fields(&board.value, &form_data, &errors, &choices),
                "Save rotation",
                &errors,
            )))
        }
    }
}

// ----- a meeting -----

/// `GET /partnerships/{id}/boards/{record_id}/meetings/{number}`.
pub async fn meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id, number)): Path<(i64, String, u32)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let today = state.today();
    let board = super::common::board(&state, &viewer, &record).await?;
    let m = board.value.meeting(number).ok_or(WebError::NotFound)?;
    let names = councils(&state, &board.value.councils).await?;
    let editor = may_do(&viewer, Action::Update, &board.record.meta, today);
    let decider = may_do(&viewer, Action::Decide, &board.record.meta, today);
    let papers = super::common::papers(&state, &viewer, board.id()).await?;
    let decisions = super::common::decisions(&state, &viewer, board.id()).await?;
    let esc = escalations(&state, &viewer, id).await?;
    let placed: Vec<accord_domain::board::AgendaPaper<'_>> = papers
        .iter()
        .map(|p| accord_domain::board::AgendaPaper {
            record_id: p.id(),
            meeting: p.value.meeting,
            paper: &p.value.paper,
        })
        .collect();
    let lines = accord_domain::board::agenda(&board.value, m, &placed, &esc.boards, &esc.notices);
    let base = meeting_path(id, &record_id, number);
    let decision_values: Vec<Decision> = decisions.iter().map(|d| d.value.clone()).collect();
    let title = format!("{}: meeting {}", board.value.name, number);
    let content = html! {
        span class="govuk-caption-l" { (board.value.name) }
        h1 class="govuk-heading-xl" { "Meeting " (number) }
        (summary_list(&[
            SummaryRow::new("Date", html! { (long_date(m.date)) }),
            SummaryRow::new("Time", html! { (meeting_time(m.start_time)) " (" (m.duration_minutes) " minutes)" }),
            SummaryRow::new("Where", html! { @match &m.location { Some(l) => (l), None => "Not set" } }),
            SummaryRow::new("Chair", html! { @match &m.chair { Some(c) => (council_name(&names, c)), None => "—" } }),
            SummaryRow::new("Status", status_tag(m.status)),
        ]))
        @if editor && m.status == MeetingStatus::Scheduled {
            div class="govuk-button-group" {
                (button_link("Move or cancel", &format!("{base}/edit"), ButtonKind::Secondary))
                (button_link("File a paper", &format!("{}/papers/new?meeting={number}", board_path(id, &record_id)), ButtonKind::Secondary))
            }
        }
        h2 class="govuk-heading-l" { "Agenda" }
        @if lines.is_empty() {
            p class="govuk-body" { "Nothing is on the agenda yet." }
        } @else {
            ol class="govuk-list govuk-list--number" {
                @for line in &lines {
                    li {
                        @match line {
                            AgendaLine::Paper { record_id: paper_id, number: n, .. } => {
                                a class="govuk-link" href={ "/partnerships/" (id) "/papers/" (paper_id) } { "Paper " (n) ": " (line.title()) }
                            },
                            AgendaLine::Escalated(item) => { (item.title) " " (tag("Escalated", TagColour::Orange)) },
                            AgendaLine::Item(item) => {
                                (item.title)
                                @if matches!(item.source, AgendaSource::Escalation { .. }) { " " (tag("Escalated", TagColour::Orange)) }
                            },
                        }
                    }
                }
            }
        }
        @if editor && m.status != MeetingStatus::Cancelled {
            (form(&format!("{base}/agenda"), &viewer.csrf, html! {
                (text_input(&Field::new("title", "Add an agenda item").errors(&Invalid::new())))
                (button("Add item", ButtonKind::Secondary))
            }))
        }
        h2 class="govuk-heading-l" { "Papers" }
        @let mine: Vec<&Loaded<PaperBody>> = papers.iter().filter(|pp| pp.value.meeting == number).collect();
        @if mine.is_empty() {
            p class="govuk-body" { "No papers you can see." }
        } @else {
            ul class="govuk-list" {
                @for pp in mine {
                    li {
                        a class="govuk-link" href={ "/partnerships/" (id) "/papers/" (pp.id()) } { (pp.value.paper.title) }
                        " " (release_tag(pp, &decision_values, today))
                    }
                }
            }
        }
        h2 class="govuk-heading-l" { "Minutes" }
        @match &m.minutes {
            Some(minutes) => {
                (summary_list(&[
                    SummaryRow::new("Present", html! { (minutes.present.join(", ")) }),
                    SummaryRow::new("Apologies", html! { @if minutes.apologies.is_empty() { "None" } @else { (minutes.apologies.join(", ")) } }),
                    SummaryRow::new("Approved", html! { @match minutes.approved_on { Some(d) => (long_date(d)), None => "Not yet approved" } }),
                ]))
                (paragraphs(&minutes.text))
            },
            None => {
                p class="govuk-body" { "No minutes are recorded." }
            },
        }
        @if editor && m.status != MeetingStatus::Cancelled {
            (button_link(if m.minutes.is_some() { "Change the minutes" } else { "Record the minutes" }, &format!("{base}/minutes"), ButtonKind::Secondary))
        }
        @let taken: Vec<&Loaded<Decision>> = decisions.iter().filter(|d| d.value.meeting == Some(number)).collect();
        @if !taken.is_empty() {
            h2 class="govuk-heading-l" { "Decisions taken" }
            ul class="govuk-list" {
                @for d in taken {
                    li { a class="govuk-link" href={ "/partnerships/" (id) "/decisions/" (d.id()) } { (d.value.number) ". " (d.value.title) } }
                }
            }
        }
        @if decider && m.status != MeetingStatus::Cancelled {
            (button_link("Record a decision", &format!("{}/decisions/new?meeting={number}", board_path(id, &record_id)), ButtonKind::Secondary))
        }
    };
    Ok(render(
        &state,
        &viewer,
        board_page(&p, &board, title),
        content,
    ))
}

fn release_tag(paper: &Loaded<PaperBody>, decisions: &[Decision], today: NaiveDate) -> Markup {
    if paper.record.meta.effective_classification(today) == Classification::Embargoed {
        let until = match paper.value.paper.release_status(decisions, today) {
            accord_domain::board::ReleaseStatus::Embargoed { until } => until,
            _ => match paper.record.meta.embargo.as_ref().and_then(|e| e.until) {
                Some(d) => format!("until {}", long_date(d)),
                None => "until its decision is made".to_owned(),
            },
        };
        html! { (tag("Embargoed", TagColour::Red)) " " span class="govuk-hint" { (until) } }
    } else {
        tag("Released", TagColour::Green)
    }
}

fn number_of_meeting(board: &Loaded<Board>, number: u32) -> Result<(), WebError> {
    board
        .value
        .meeting(number)
        .map(|_| ())
        .ok_or(WebError::NotFound)
}

fn move_fields(form_data: &FormData, errors: &Invalid, councils: &[(String, String)]) -> Markup {
    let actions = [
        Choice::new("move", "Move it"),
        Choice::new("cancel", "Cancel it")
            .hint("It keeps its number; the later meetings take its turn in the chair rotation"),
        Choice::new("chair", "Change its chair")
            .hint("A swap between the councils, for this meeting only"),
    ];
    let chairs: Vec<Choice> = councils.iter().map(|(v, t)| Choice::new(v, t)).collect();
    html! {
        (radios(&Field::new("action", "What do you want to do?").value(form_data.get("action")).errors(errors), &actions))
        (date_input(&Field::new("date", "New date (to move it)").errors(errors), &form_data.date("date")))
        (text_input(&Field::new("start_time", "New start time (optional)").hint("UK time, like 14:30").value(form_data.get("start_time")).width(InputWidth::Chars5).errors(errors)))
        (select(&Field::new("chair", "New chair (to change it)").value(form_data.get("chair")).errors(errors), &chairs))
    }
}

/// `GET /partnerships/{id}/boards/{record_id}/meetings/{number}/edit`.
pub async fn move_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id, number)): Path<(i64, String, u32)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    number_of_meeting(&board, number)?;
    let choices = council_choices(&state, &board.value).await?;
    Ok(board_form_page(
        &state,
        &viewer,
        &p,
        &board,
        &format!("Move or cancel meeting {number}"),
        &format!("{}/edit", meeting_path(id, &record_id, number)),
        html! {},
        move_fields(&FormData::default(), &Invalid::new(), &choices),
        "Save",
        &Invalid::new(),
    ))
}

/// `POST /partnerships/{id}/boards/{record_id}/meetings/{number}/edit`.
pub async fn move_meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id, number)): Path<(i64, String, u32)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    number_of_meeting(&board, number)?;
    let choices = council_choices(&state, &board.value).await?;
    let mut full = accord_app::governance::boards::full(&state.app, board.id()).await?;
    let applied = match form_data.get("action") {
        "cancel" => full.cancel_meeting(number),
        "chair" => GssCode::parse("chair", form_data.get("chair"))
            .and_then(|council| full.set_chair(number, council)),
        "move" => {
            let mut invalid = Invalid::new();
            let date = invalid.check(form_data.date("date").parse("date", "the new date"));
            let time = invalid
                .check(parse_time(&form_data, "start_time"))
                .flatten();
            match date {
                Some(date) if invalid.is_empty() => full.move_meeting(number, date, time),
                _ => Err(invalid),
            }
        }
        _ => Err(Invalid::field(
            "action",
            "Choose whether to move or cancel the meeting",
        )),
    };
    let result = match applied {
        Ok(()) => save_board(&state, &viewer, &board, &full).await?,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&meeting_path(id, &record_id, number)).into_response()),
        Err(errors) => Ok(refused(board_form_page(
            &state,
            &viewer,
            &p,
            &board,
            &format!("Move or cancel meeting {number}"),
            &format!("{}/edit", meeting_path(id, &record_id, number)),
            html! {},
            move_fields(&form_data, &errors, &choices),
            "Save",
            &errors,
        ))),
    }
}

/// `POST /partnerships/{id}/boards/{record_id}/meetings/{number}/agenda`.
pub async fn add_agenda_item(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id, number)): Path<(i64, String, u32)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let board = super::common::board(&state, &viewer, &record).await?;
    number_of_meeting(&board, number)?;
    let mut full = accord_app::governance::boards::full(&state.app, board.id()).await?;
    let item = AgendaItem {
        title: form_data.get("title").trim().to_owned(),
        source: AgendaSource::Other,
    };
    let result = match full.add_agenda_item(number, item) {
        Ok(()) => save_board(&state, &viewer, &board, &full).await?,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&meeting_path(id, &record_id, number)).into_response()),
        Err(errors) => Err(WebError::Unprocessable(errors)),
    }
}

fn minutes_fields(form_data: &FormData, errors: &Invalid) -> Markup {
    html! {
        (textarea(&Field::new("present", "Present").hint("One a line").value(form_data.get("present")).rows(4).errors(errors)))
        (textarea(&Field::new("apologies", "Apologies (optional)").hint("One a line").value(form_data.get("apologies")).rows(2).errors(errors)))
        (textarea(&Field::new("text", "Discussion and actions").value(form_data.get("text")).rows(8).errors(errors)))
        (date_input(&Field::new("approved_on", "Approved as a correct record on (optional)").hint("Usually at the next meeting").errors(errors), &form_data.date("approved_on")))
    }
}

/// `GET /partnerships/{id}/boards/{record_id}/meetings/{number}/minutes`.
pub async fn minutes_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id, number)): Path<(i64, String, u32)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    let m = board.value.meeting(number).ok_or(WebError::NotFound)?;
    let mut form_data = FormData::default();
    if let Some(minutes) = &m.minutes {
        form_data = FormData::from_pairs([
            ("present", minutes.present.join("\n")),
            ("apologies", minutes.apologies.join("\n")),
            ("text", minutes.text.clone()),
        ]);
        if let Some(d) = minutes.approved_on {
            let parts = crate::forms::DateParts::from_date(d);
            form_data.set("approved_on-day", &parts.day);
            form_data.set("approved_on-month", &parts.month);
            form_data.set("approved_on-year", &parts.year);
        }
    }
    Ok(board_form_page(
        &state,
        &viewer,
        &p,
        &board,
        &format!("Minutes of meeting {number}"),
        &format!("{}/minutes", meeting_path(id, &record_id, number)),
        html! { p class="govuk-body" { "Recording the minutes marks the meeting as held and keeps its agenda as it stands, escalated items included." } },
        minutes_fields(&form_data, &Invalid::new()),
        "Save minutes",
        &Invalid::new(),
    ))
}

/// `POST /partnerships/{id}/boards/{record_id}/meetings/{number}/minutes`: records the
/// minutes, marks the meeting held and keeps its agenda (with the items escalated to it) as
/// the record of what the board considered.
pub async fn record_minutes(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id, number)): Path<(i64, String, u32)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    number_of_meeting(&board, number)?;
    let mut invalid = Invalid::new();
    let approved_on = invalid
        .check(
            form_data
                .date("approved_on")
                .parse_optional("approved_on", "the date the minutes were approved"),
        )
        .flatten();
    let present = lines(form_data.get("present"));
    if present.is_empty() {
        invalid.push("present", "Enter who attended");
    }
    let minutes = Minutes {
        present,
        apologies: lines(form_data.get("apologies")),
        text: form_data.get("text").trim().to_owned(),
        approved_on,
    };
    let esc = escalations(&state, &viewer, id).await?;
    let mut full = accord_app::governance::boards::full(&state.app, board.id()).await?;
    let planned: Vec<_> = accord_domain::raid::escalation_agenda(&esc.boards, &esc.notices)
        .items
        .into_iter()
        .filter(|i| i.board == board.value.level && i.meeting == number)
        .collect();
    let result = if invalid.is_empty() {
        let was_held = full
            .meeting(number)
            .is_some_and(|m| m.status == MeetingStatus::Held);
        match full.record_minutes(number, minutes) {
            Ok(()) => {
                if !was_held {
                    full.merge_agenda(&planned);
                }
                save_board(&state, &viewer, &board, &full).await?
            }
            Err(e) => Err(e),
        }
    } else {
        Err(invalid)
    };
    match result {
        Ok(()) => Ok(Redirect::to(&meeting_path(id, &record_id, number)).into_response()),
        Err(errors) => Ok(refused(board_form_page(
            &state,
            &viewer,
            &p,
            &board,
            &format!("Minutes of meeting {number}"),
            &format!("{}/minutes", meeting_path(id, &record_id, number)),
            html! {},
            minutes_fields(&form_data, &errors),
            "Save minutes",
            &errors,
        ))),
    }
}

// ----- papers -----

/// The query of the paper form: the meeting it is for.
#[derive(Debug, Default, Deserialize)]
pub struct MeetingQuery {
    #[serde(default)]
    meeting: Option<String>,
}

fn paper_fields(
    board: &Board,
    decisions: &[Loaded<Decision>],
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let meeting_values: Vec<(String, String)> = board
        .meetings
        .iter()
        .filter(|m| m.status != MeetingStatus::Cancelled)
        .map(|m| {
            (
                m.number.to_string(),
                format!("Meeting {}, {}", m.number, long_date(m.date)),
            )
        })
        .collect();
    let meetings: Vec<Choice> = meeting_values
        .iter()
        .map(|(v, t)| Choice::new(v, t))
        .collect();
    let decision_values: Vec<(String, String)> = decisions
        .iter()
        .map(|d| {
            (
                d.value.number.to_string(),
                format!("{}. {}", d.value.number, d.value.title),
            )
        })
        .collect();
    let mut informs = vec![Choice::new("", "None yet")];
    informs.extend(decision_values.iter().map(|(v, t)| Choice::new(v, t)));
    let release = [
        Choice::new("partnership", "Partnership")
            .hint("Everyone with a role in the partnership, including councillors and scrutiny"),
        Choice::new("published", "Published").hint("Anyone, including the public"),
    ];
    html! {
        (select(&Field::new("meeting", "Meeting").value(form_data.get("meeting")).errors(errors), &meetings))
        (text_input(&Field::new("title", "Title").value(form_data.get("title")).errors(errors)))
        (text_input(&Field::new("author", "Author or presenter").value(form_data.get("author")).errors(errors)))
        (textarea(&Field::new("summary", "Summary").value(form_data.get("summary")).rows(4).errors(errors)))
        (select(&Field::new("informs", "The decision it informs").hint("The paper stays embargoed until this decision is made: for a key decision, until every council’s Cabinet has approved").value(form_data.get("informs")).errors(errors), &informs))
        (date_input(&Field::new("release_on", "Release date (optional)").hint("Released on this date if no decision has released it before. A paper that informs no decision needs one").errors(errors), &form_data.date("release_on")))
        (radios(&Field::new("release_to", "Who may see it once released").value(if form_data.get("release_to").is_empty() { "partnership" } else { form_data.get("release_to") }).errors(errors), &release))
    }
}

/// `GET /partnerships/{id}/boards/{record_id}/papers/new`.
pub async fn paper_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, String)>,
    Query(query): Query<MeetingQuery>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    let decisions = super::common::decisions(&state, &viewer, board.id()).await?;
    let form_data = FormData::from_pairs([("meeting", query.meeting.unwrap_or_default())]);
    Ok(board_form_page(
        &state,
        &viewer,
        &p,
        &board,
        "File a paper",
        &format!("{}/papers", board_path(id, &record_id)),
        paper_intro(),
        paper_fields(&board.value, &decisions, &form_data, &Invalid::new()),
        "File paper",
        &Invalid::new(),
    ))
}

fn paper_intro() -> Markup {
    html! {
        p class="govuk-body" {
            "Board papers must not be disclosed before the decision they relate to (MOU 5.5). "
            "A paper is embargoed when filed: only the programme team and board members can read it until its decision is made or its release date comes."
        }
    }
}

/// A paper to file, as read from a form or the API.
#[derive(Debug, Clone)]
pub struct PaperRequest {
    /// The meeting's number.
    pub meeting: u32,
    /// Title.
    pub title: String,
    /// Author or presenter.
    pub author: String,
    /// Summary.
    pub summary: String,
    /// The decision it informs, by number in the board's log.
    pub informs: Option<u32>,
    /// The date it is released if no decision has released it before.
    pub release_on: Option<NaiveDate>,
    /// Who may see it once released.
    pub release_to: Classification,
}

/// Files a paper with the domain's rules (a title, an author, a decision in the log) and
/// stores it embargoed until its decision (or its release date). Returns the paper's record id.
pub async fn file_paper(
    state: &AppState,
    viewer: &Viewer,
    board: &Loaded<Board>,
    request: PaperRequest,
) -> Result<Result<i64, Invalid>, WebError> {
    let filed = accord_app::governance::boards::file_paper(
        &state.app,
        &viewer.caller(),
        board.id(),
        accord_app::governance::boards::FilePaper {
            meeting: request.meeting,
            title: request.title,
            author: request.author,
            summary: request.summary,
            informs: request.informs,
            release_on: request.release_on,
            release_to: request.release_to,
        },
    )
    .await;
    match filed {
        Ok(paper) => Ok(Ok(paper.record_id)),
        Err(accord_app::AppError::Invalid(e)) => Ok(Err(e)),
        Err(e) => Err(e.into()),
    }
}

fn paper_request(form: &FormData) -> Result<PaperRequest, Invalid> {
    let mut invalid = Invalid::new();
    let meeting = invalid.check(
        form.get("meeting")
            .trim()
            .parse::<u32>()
            .map_err(|_| Invalid::field("meeting", "Choose the meeting")),
    );
    let informs = match form.get("informs").trim() {
        "" => None,
        text => invalid.check(
            text.parse::<u32>()
                .map_err(|_| Invalid::field("informs", "Choose a decision from the log")),
        ),
    };
    let release_on = invalid
        .check(
            form.date("release_on")
                .parse_optional("release_on", "the release date"),
        )
        .flatten();
    let release_to = match form.get("release_to") {
        "" | "partnership" => Some(Classification::Partnership),
        "published" => Some(Classification::Published),
        other => {
            invalid.push("release_to", format!("“{other}” is not a choice here"));
            None
        }
    };
    invalid.into_result()?;
    Ok(PaperRequest {
        meeting: meeting.unwrap_or_default(),
        title: form.get("title").to_owned(),
        author: form.get("author").to_owned(),
        summary: form.get("summary").to_owned(),
        informs,
        release_on,
        release_to: release_to.unwrap_or(Classification::Partnership),
    })
}

/// `POST /partnerships/{id}/boards/{record_id}/papers`.
pub async fn add_paper(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    let result = match paper_request(&form_data) {
        Ok(request) => file_paper(&state, &viewer, &board, request).await?,
        Err(e) => Err(e),
    };
    match result {
        Ok(paper_id) => {
            Ok(Redirect::to(&format!("/partnerships/{id}/papers/{paper_id}")).into_response())
        }
        Err(errors) => {
            let decisions = super::common::decisions(&state, &viewer, board.id()).await?;
            Ok(refused(board_form_page(
                &state,
                &viewer,
                &p,
                &board,
                "File a paper",
                &format!("{}/papers", board_path(id, &record_id)),
                paper_intro(),
                paper_fields(&board.value, &decisions, &form_data, &errors),
                "File paper",
                &errors,
            )))
        }
    }
}

/// `GET /partnerships/{id}/papers/{record_id}`.
pub async fn paper(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let today = state.today();
    let paper = super::common::paper(&state, &viewer, &record).await?;
    let board = match paper.record.parent_id {
        Some(parent) => {
            match accord_app::governance::boards::board(&state.app, &viewer.caller(), parent).await
            {
                Ok(b) => Some(super::common::board_loaded(b)),
                Err(accord_app::AppError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            }
        }
        None => None,
    };
    let decisions = match &board {
        Some(b) => super::common::decisions(&state, &viewer, b.id()).await?,
        None => Vec::new(),
    };
    let decision_values: Vec<Decision> = decisions.iter().map(|d| d.value.clone()).collect();
    let embargoed = paper.record.meta.effective_classification(today) == Classification::Embargoed;
    let releaser = embargoed && may_do(&viewer, Action::Release, &paper.record.meta, today);
    let v = &paper.value;
    let content = html! {
        span class="govuk-caption-l" {
            @match &board { Some(b) => { (b.value.name) ", meeting " (v.meeting) }, None => "Board paper" }
        }
        h1 class="govuk-heading-xl" { (v.paper.title) }
        (summary_list(&[
            SummaryRow::new("Author or presenter", html! { (v.paper.author) }),
            SummaryRow::new("Release", release_tag(&paper, &decision_values, today)),
            SummaryRow::new("Informs", html! {
                @match v.paper.informs.and_then(|n| decisions.iter().find(|d| d.value.number == n)) {
                    Some(d) => a class="govuk-link" href={ "/partnerships/" (id) "/decisions/" (d.id()) } { "Decision " (d.value.number) ": " (d.value.title) },
                    None => @match v.paper.informs { Some(n) => { "Decision " (n) }, None => "No decision recorded" },
                }
            }),
            SummaryRow::new("Once released, seen by", html! {
                @match paper.record.meta.embargo.as_ref() {
                    Some(e) => (e.release_to.label()),
                    None => (paper.record.meta.classification.label()),
                }
            }),
        ]))
        (paragraphs(&v.summary))
        @if let Some(b) = &board {
            p class="govuk-body" { a class="govuk-link" href=(meeting_path(id, b.value.level.slug(), v.meeting)) { "The meeting’s agenda" } }
        }
        @if releaser {
            (form(&format!("/partnerships/{id}/papers/{}/release", paper.id()), &viewer.csrf, html! {
                p class="govuk-body" { "Release the paper now, before its decision, when the board agrees to circulate it more widely (MOU 5.5)." }
                (button("Release the paper now", ButtonKind::Warning))
            }))
        }
    };
    Ok(render(
        &state,
        &viewer,
        page(&p, v.paper.title.clone()),
        content,
    ))
}

/// `POST /partnerships/{id}/papers/{record_id}/release`: releases an embargoed paper by hand.
pub async fn release_paper(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    accord_app::governance::boards::release_paper(&state.app, &viewer.caller(), record_id, None)
        .await?;
    Ok(Redirect::to(&format!("/partnerships/{id}/papers/{record_id}")).into_response())
}

// ----- decisions -----

fn decision_fields(board: &Board, form_data: &FormData, errors: &Invalid) -> Markup {
    let meeting_values: Vec<(String, String)> = board
        .meetings
        .iter()
        .filter(|m| m.status != MeetingStatus::Cancelled)
        .map(|m| {
            (
                m.number.to_string(),
                format!("Meeting {}, {}", m.number, long_date(m.date)),
            )
        })
        .collect();
    let mut meetings = vec![Choice::new("", "Not taken at a meeting")];
    meetings.extend(meeting_values.iter().map(|(v, t)| Choice::new(v, t)));
    let key = [Choice::new("yes", "This is a key decision")
        .hint("It is made only when the Cabinet of every council has approved it")];
    let checked: Vec<&str> = form_data.all("key");
    html! {
        (select(&Field::new("meeting", "Meeting").value(form_data.get("meeting")).errors(errors), &meetings))
        (date_input(&Field::new("taken_on", "Date the board took it").errors(errors), &form_data.date("taken_on")))
        (text_input(&Field::new("title", "What was decided, in a line").value(form_data.get("title")).errors(errors)))
        (textarea(&Field::new("text", "The decision in full (optional)").value(form_data.get("text")).rows(5).errors(errors)))
        (checkboxes(&Field::new("key", "Cabinet approval").errors(errors), &key, &checked))
        (classification_radios("classification", "Who may see the decision", form_data.get("classification"), errors))
    }
}

/// `GET /partnerships/{id}/boards/{record_id}/decisions/new`.
pub async fn decision_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, String)>,
    Query(query): Query<MeetingQuery>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    let mut form_data = FormData::from_pairs([("meeting", query.meeting.unwrap_or_default())]);
    if let Some(m) = form_data
        .get("meeting")
        .parse::<u32>()
        .ok()
        .and_then(|n| board.value.meeting(n))
    {
        let parts = crate::forms::DateParts::from_date(m.date);
        form_data.set("taken_on-day", &parts.day);
        form_data.set("taken_on-month", &parts.month);
        form_data.set("taken_on-year", &parts.year);
    }
    Ok(board_form_page(
        &state,
        &viewer,
        &p,
        &board,
        "Record a decision",
        &format!("{}/decisions", board_path(id, &record_id)),
        html! {},
        decision_fields(&board.value, &form_data, &Invalid::new()),
        "Record decision",
        &Invalid::new(),
    ))
}

/// Records a decision in a board's log with the domain's rules and stores it. A decision that
/// needs no Cabinet approval is made at once, releasing the papers that inform it.
pub async fn record_decision(
    state: &AppState,
    viewer: &Viewer,
    board: &Loaded<Board>,
    input: DecisionInput,
    class: Classification,
) -> Result<Result<i64, Invalid>, WebError> {
    match accord_app::governance::boards::record_decision(
        &state.app,
        &viewer.caller(),
        board.id(),
        input,
        class,
    )
    .await
    {
        Ok(decision) => Ok(Ok(decision.record_id)),
        Err(accord_app::AppError::Invalid(e)) => Ok(Err(e)),
        Err(e) => Err(e.into()),
    }
}

fn decision_request(form: &FormData) -> Result<(DecisionInput, Classification), Invalid> {
    let mut invalid = Invalid::new();
    let meeting = match form.get("meeting").trim() {
        "" => None,
        text => invalid.check(
            text.parse::<u32>()
                .map_err(|_| Invalid::field("meeting", "Choose the meeting")),
        ),
    };
    let taken_on = invalid.check(
        form.date("taken_on")
            .parse("taken_on", "the date the board took it"),
    );
    let class = invalid.check(classification(form, "classification"));
    invalid.into_result()?;
    let (Some(taken_on), Some(class)) = (taken_on, class) else {
        return Err(Invalid::field(
            "taken_on",
            "Enter the date the board took it",
        ));
    };
    Ok((
        DecisionInput {
            meeting,
            taken_on,
            title: form.get("title").trim().to_owned(),
            text: form.get("text").trim().to_owned(),
            key: form.all("key").contains(&"yes"),
        },
        class,
    ))
}

/// `POST /partnerships/{id}/boards/{record_id}/decisions`.
pub async fn add_decision(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let board = super::common::board(&state, &viewer, &record).await?;
    let result = match decision_request(&form_data) {
        Ok((input, class)) => record_decision(&state, &viewer, &board, input, class).await?,
        Err(e) => Err(e),
    };
    match result {
        Ok(decision_id) => Ok(
            Redirect::to(&format!("/partnerships/{id}/decisions/{decision_id}")).into_response(),
        ),
        Err(errors) => Ok(refused(board_form_page(
            &state,
            &viewer,
            &p,
            &board,
            "Record a decision",
            &format!("{}/decisions", board_path(id, &record_id)),
            html! {},
            decision_fields(&board.value, &form_data, &errors),
            "Record decision",
            &errors,
        ))),
    }
}

/// `GET /partnerships/{id}/decisions`: the decisions log of every board.
pub async fn decisions_log(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let boards = super::common::boards(&state, &viewer, id).await?;
    let mut sections = Vec::new();
    for b in boards.iter().rev() {
        let decisions = super::common::decisions(&state, &viewer, b.id()).await?;
        sections.push((b.value.name.clone(), decisions));
    }
    let content = html! {
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { "Decisions log" }
        p class="govuk-body" { "Key decisions are taken by the Cabinet of each council: a key decision is made when the last council approves it." }
        @if sections.is_empty() {
            p class="govuk-body" { "No boards are set up yet." }
        }
        @for (name, decisions) in &sections {
            h2 class="govuk-heading-l" { (name) }
            (decisions_table(id, decisions, &format!("Decisions of the {name}")))
        }
    };
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("Decisions log – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}")),
        content,
    ))
}

async fn decision_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    decision: &Loaded<Decision>,
    form_data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let today = state.today();
    let id = p.id;
    let v = &decision.value;
    let board = match decision.record.parent_id {
        Some(parent) => {
            match accord_app::governance::boards::board(&state.app, &viewer.caller(), parent).await
            {
                Ok(b) => Some(super::common::board_loaded(b)),
                Err(accord_app::AppError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            }
        }
        None => None,
    };
    let codes: Vec<GssCode> = v
        .cabinet
        .as_ref()
        .map(|c| c.approvals.iter().map(|a| a.council.clone()).collect())
        .unwrap_or_default();
    let names = councils(state, &codes).await?;
    let decider = may_do(viewer, Action::Decide, &decision.record.meta, today);
    let papers = match &board {
        Some(b) => super::common::papers(state, viewer, b.id())
            .await?
            .into_iter()
            .filter(|pp| pp.value.paper.informs == Some(v.number))
            .collect(),
        None => Vec::new(),
    };
    let outstanding: Vec<(String, String)> = v
        .cabinet
        .as_ref()
        .map(|c| {
            c.outstanding()
                .map(|g| (g.to_string(), council_name(&names, g)))
                .collect()
        })
        .unwrap_or_default();
    let council_choices: Vec<Choice> = outstanding.iter().map(|(v, t)| Choice::new(v, t)).collect();
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" {
            @match &board { Some(b) => (b.value.name), None => "Decision" }
        }
        h1 class="govuk-heading-xl" { "Decision " (v.number) ": " (v.title) }
        (summary_list(&[
            SummaryRow::new("Taken", html! {
                (long_date(v.taken_on))
                @if let (Some(n), Some(b)) = (v.meeting, &board) {
                    " at " a class="govuk-link" href=(meeting_path(id, b.value.level.slug(), n)) { "meeting " (n) }
                }
            }),
            SummaryRow::new("Made", html! {
                @match v.made_on() { Some(d) => (long_date(d)), None => { (tag("Not yet made", TagColour::Yellow)) " Cabinet approval outstanding" } }
            }),
            SummaryRow::new("Who may see it", classification_tag(&decision.record, today)),
        ]))
        (paragraphs(&v.text))
        @if let Some(cabinet) = &v.cabinet {
            (table(&approvals_table(cabinet, &names)))
            @if decider && !cabinet.is_complete() {
                h2 class="govuk-heading-m" { "Record a Cabinet approval" }
                (form(&format!("/partnerships/{id}/decisions/{}/cabinet-approvals", decision.id()), &viewer.csrf, html! {
                    (radios(&Field::new("council", "Council").value(form_data.get("council")).errors(errors), &council_choices))
                    (date_input(&Field::new("approved_on", "Date of the Cabinet’s approval").errors(errors), &form_data.date("approved_on")))
                    (button("Record approval", ButtonKind::Primary))
                }))
            }
        }
        h2 class="govuk-heading-m" { "Papers that inform it" }
        @if papers.is_empty() {
            p class="govuk-body" { "None you can see." }
        } @else {
            ul class="govuk-list" {
                @for pp in &papers {
                    li { a class="govuk-link" href={ "/partnerships/" (id) "/papers/" (pp.id()) } { (pp.value.paper.title) } }
                }
            }
        }
    };
    Ok(render(
        state,
        viewer,
        page(p, format!("Decision {}", v.number)).with_errors(errors),
        content,
    ))
}

fn approvals_table(
    cabinet: &accord_domain::board::CabinetApprovals,
    names: &HashMap<String, accord_domain::Authority>,
) -> Table {
    let mut t = Table::new(
        "Cabinet approval at each council",
        vec![Column::text("Council"), Column::text("Cabinet approved")],
    )
    .row_headers();
    for a in &cabinet.approvals {
        t = t.row(vec![
            html! { (council_name(names, &a.council)) },
            html! { @match a.approved_on { Some(d) => (long_date(d)), None => (tag("Outstanding", TagColour::Yellow)) } },
        ]);
    }
    t
}

/// `GET /partnerships/{id}/decisions/{record_id}`.
pub async fn decision(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let p = partnership(&state, id).await?;
    let decision = super::common::decision(&state, &viewer, &record).await?;
    decision_page(
        &state,
        &viewer,
        &p,
        &decision,
        &FormData::default(),
        &Invalid::new(),
    )
    .await
}

/// Records a council's Cabinet approval of a key decision with the domain's rules (a council
/// outside the partnership, a decision that is not key, an approval before the decision or in
/// the future is refused) and stores it; the approval that completes the decision makes it,
/// releasing in the same transaction every paper embargoed until it.
pub async fn approve_decision(
    state: &AppState,
    viewer: &Viewer,
    decision: &Loaded<Decision>,
    council: &GssCode,
    on: NaiveDate,
) -> Result<Result<(), Invalid>, WebError> {
    match accord_app::governance::boards::approve(
        &state.app,
        &viewer.caller(),
        decision.id(),
        Some(decision.record.version),
        council,
        on,
    )
    .await
    {
        Ok(_) => Ok(Ok(())),
        Err(accord_app::AppError::Invalid(e)) => Ok(Err(e)),
        Err(accord_app::AppError::Conflict(message)) => Ok(Err(Invalid::field("version", message))),
        Err(e) => Err(e.into()),
    }
}

/// `POST /partnerships/{id}/decisions/{record_id}/cabinet-approvals`.
pub async fn add_approval(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = partnership(&state, id).await?;
    let decision = super::common::decision(&state, &viewer, &record).await?;
    let mut invalid = Invalid::new();
    let council = if form_data.get("council").trim().is_empty() {
        invalid.push("council", "Choose the council whose Cabinet approved");
        None
    } else {
        invalid.check(GssCode::parse("council", form_data.get("council")))
    };
    let on = invalid.check(
        form_data
            .date("approved_on")
            .parse("approved_on", "the date of the Cabinet’s approval"),
    );
    let result = match (council, on) {
        (Some(council), Some(on)) if invalid.is_empty() => {
            approve_decision(&state, &viewer, &decision, &council, on).await?
        }
        _ => Err(invalid),
    };
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/partnerships/{id}/decisions/{record_id}")).into_response())
        }
        Err(errors) => Ok(refused(
            decision_page(&state, &viewer, &p, &decision, &form_data, &errors).await?,
        )),
    }
}
