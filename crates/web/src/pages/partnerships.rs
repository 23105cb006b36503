//! Partnerships: the list (the home page), a partnership with its members and MOU clock, and
//! the forms that create and change them.

use accord_domain::access::Area;
use accord_domain::mou::{
    Mou, MouClock, MouEnd, MouEvent, MouStatus, MouValue, ReviewKind, long_date,
};
use accord_domain::{GssCode, Invalid, Member, MemberRole, MemberStatus, Partnership};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;

use super::common::{council_name, councils, date_or_not_stated, may, render, source_note};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Choice, Column, Field, SummaryRow, Table, TagColour, button, button_link,
    date_input, error_summary, form, radios, select, summary_list, table, tag, text_input,
    textarea,
};
use crate::error::WebError;
use crate::forms::{DateParts, FormData, refused};
use crate::layout::Page;

/// The sections of a partnership, linked from its page: each feature adds its entry (the path
/// under `/partnerships/{id}` and the link text).
pub const SECTIONS: &[(&str, &str)] = &[
    ("opportunities", "Opportunities"),
    ("opportunities/matrix", "RAG matrix (Schedule 1)"),
    ("criteria", "Compatibility criteria"),
    ("projects", "Projects"),
    ("timeline", "Programme timeline"),
    ("progress-report", "Programme progress report"),
    ("boards", "Boards"),
    ("decisions", "Decisions log"),
    ("raid", "RAID log"),
    (
        "calendar.ics",
        "Calendar feed (iCalendar, to subscribe from Outlook)",
    ),
    ("business-cases", "Business cases"),
    ("allocations", "Apportionment of costs"),
    ("savings", "Savings ledger"),
    ("funding", "External funding"),
    ("requests", "Information requests"),
    ("disclosure-log", "Disclosure log"),
];

/// `GET /`: every partnership, with its members and where its MOU stands.
pub async fn home(State(state): State<AppState>, viewer: Viewer) -> Result<Markup, WebError> {
    let partnerships = accord_app::partnership::all(&state.app).await?;
    let names = councils(
        &state,
        &partnerships
            .iter()
            .flat_map(super::common::member_codes)
            .collect::<Vec<_>>(),
    )
    .await?;
    let today = state.today();
    let mut rows = Vec::new();
    for p in &partnerships {
        let mou = accord_app::partnership::mou(&state.app, p.id).await?;
        let status = match mou.as_ref().map(|m| m.clock(today).status) {
            Some(MouStatus::InForce) => tag("MOU in force", TagColour::Green),
            Some(MouStatus::Ended { .. }) => tag("MOU ended", TagColour::Grey),
            Some(MouStatus::NotYetInForce) => tag("MOU not yet in force", TagColour::Blue),
            Some(MouStatus::Unknown) => tag("MOU dates not stated", TagColour::Yellow),
            None => html! { span class="govuk-hint" { "No MOU recorded" } },
        };
        rows.push(vec![
            html! { a class="govuk-link" href={ "/partnerships/" (p.id) } { (p.name) } },
            html! {
                ul class="govuk-list" {
                    @for m in &p.members {
                        li { (council_name(&names, &m.authority)) @if m.status == MemberStatus::Pending { " (pending)" } }
                    }
                }
            },
            status,
        ]);
    }
    let mut listing = Table::new(
        "Partnerships",
        vec![
            Column::text("Partnership"),
            Column::text("Member councils"),
            Column::text("Memorandum of understanding"),
        ],
    );
    for row in rows {
        listing = listing.row(row);
    }
    Ok(render(
        &state,
        &viewer,
        Page::new("Shared services partnerships").current_page("/"),
        html! {
            span class="govuk-caption-xl" { (state.config.organisation) }
            h1 class="govuk-heading-xl" { "Shared services partnerships" }
            p class="govuk-body-l" {
                "Councils that agree to be each other’s preferred partner: what they are testing for sharing, "
                "what they are delivering, and what it saves."
            }
            @if partnerships.is_empty() {
                p class="govuk-body" { "There are no partnerships yet." }
            } @else {
                (table(&listing))
            }
            @if viewer.actor.admin {
                (button_link("Create a partnership", "/partnerships/new", ButtonKind::Secondary))
            }
        },
    ))
}

/// The query of a partnership page: the date to read its MOU clock on.
#[derive(Debug, Default, Deserialize)]
pub struct AsAt {
    /// `YYYY-MM-DD`.
    #[serde(default)]
    on: Option<String>,
    #[serde(default, rename = "on-day")]
    day: Option<String>,
    #[serde(default, rename = "on-month")]
    month: Option<String>,
    #[serde(default, rename = "on-year")]
    year: Option<String>,
}

impl AsAt {
    /// The date asked for, today when none, or the problem with what was typed.
    fn date(&self, today: NaiveDate) -> (NaiveDate, DateParts, Invalid) {
        if let Some(on) = self.on.as_deref().filter(|s| !s.is_empty()) {
            return match accord_domain::authority::parse_date("on", on) {
                Ok(d) => (d, DateParts::from_date(d), Invalid::new()),
                Err(e) => (today, DateParts::default(), e),
            };
        }
        let parts = DateParts::new(
            self.day.clone().unwrap_or_default(),
            self.month.clone().unwrap_or_default(),
            self.year.clone().unwrap_or_default(),
        );
        if parts.is_empty() {
            return (today, DateParts::from_date(today), Invalid::new());
        }
        match parts.parse("on", "the date to read the clock on") {
            Ok(d) => (d, parts, Invalid::new()),
            Err(e) => (today, parts, e),
        }
    }
}

async fn load(state: &AppState, id: i64) -> Result<Partnership, WebError> {
    Ok(accord_app::partnership::get(&state.app, id).await?)
}

fn role_label(role: MemberRole) -> &'static str {
    role.label()
}

/// `GET /partnerships/{id}`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(as_at): Query<AsAt>,
) -> Result<Markup, WebError> {
    let partnership = load(&state, id).await?;
    let mou = accord_app::partnership::mou(&state.app, id).await?;
    let names = councils(&state, &super::common::member_codes(&partnership)).await?;
    let today = state.today();
    let (on, on_parts, on_errors) = as_at.date(today);
    let editor = may(&viewer, Area::Partnership, id, today);
    let mut members = Table::new(
        "Member councils",
        vec![
            Column::text("Council"),
            Column::text("Type"),
            Column::text("Role"),
            Column::text("Joined"),
            Column::text("Left"),
            Column::text(format!("Member on {}", long_date(on))),
        ],
    );
    for m in &partnership.members {
        let authority = names.get(m.authority.as_str());
        members = members.row(vec![
            html! {
                a class="govuk-link" href={ "/authorities/" (m.authority) } { (council_name(&names, &m.authority)) }
                @if m.status == MemberStatus::Pending { " " (tag("Pending cabinet approval", TagColour::Yellow)) }
            },
            html! { (authority.map_or("", |a| a.kind.label())) },
            html! { (role_label(m.role)) },
            date_or_not_stated(m.joined),
            html! { @match m.left { Some(d) => (long_date(d)), None => "" } },
            html! {
                @if m.is_member_on(on) { "Yes" } @else { "No" }
                @if editor {
                    " " a class="govuk-link" href={ "/partnerships/" (id) "/members/" (m.authority) "/edit" } {
                        "Change" span class="govuk-visually-hidden" { " " (council_name(&names, &m.authority)) }
                    }
                }
            },
        ]);
    }
    let content = html! {
        span class="govuk-caption-l" { "Partnership" }
        h1 class="govuk-heading-xl" { (partnership.name) }
        p class="govuk-body-l" { (partnership.summary) }
        (source_note(partnership.source.as_deref()))
        @if editor {
            p class="govuk-body" {
                a class="govuk-link" href={ "/partnerships/" (id) "/edit" } { "Change the name or summary" }
            }
        }
        @if !SECTIONS.is_empty() {
            nav class="accord-sections" aria-label="Parts of this partnership" {
                ul class="govuk-list accord-sections__list" {
                    @for (path, text) in SECTIONS {
                        li { a class="govuk-link" href={ "/partnerships/" (id) "/" (path) } { (text) } }
                    }
                }
            }
        }
        (table(&members.row_headers()))
        @if editor {
            (button_link("Add a member council", &format!("/partnerships/{id}/members/new"), ButtonKind::Secondary))
        }
        h2 class="govuk-heading-l" id="mou" { "Memorandum of understanding" }
        @match &mou {
            Some(mou) => {
                (error_summary(&on_errors))
                (clock_panel(&mou.clock(on), on == today))
                (as_at_form(id, &on_parts, &on_errors))
                p class="govuk-body" {
                    a class="govuk-link" href={ "/partnerships/" (id) "/mou" } { "Read the MOU’s terms, values and review schedule" }
                }
            },
            None => {
                p class="govuk-body" { "No MOU is recorded for this partnership: its source does not state one." }
            },
        }
        @if editor {
            div class="govuk-button-group" {
                (button_link(if mou.is_some() { "Change the MOU" } else { "Record the MOU" }, &format!("/partnerships/{id}/mou/edit"), ButtonKind::Secondary))
                @if mou.is_some() {
                    (button_link("Record a notice, extension or variation", &format!("/partnerships/{id}/mou/events/new"), ButtonKind::Secondary))
                }
            }
        }
        @if viewer.actor.is_in(id) || viewer.actor.admin {
            p class="govuk-body" { a class="govuk-link" href={ "/partnerships/" (id) "/history" } { "See the history of changes to this partnership" } }
        }
    };
    Ok(render(
        &state,
        &viewer,
        Page::new(partnership.name.clone())
            .breadcrumb("Partnerships", "/")
            .section("/"),
        content,
    ))
}

fn as_at_form(id: i64, parts: &DateParts, errors: &Invalid) -> Markup {
    html! {
        form method="get" action={ "/partnerships/" (id) "#mou" } novalidate {
            (date_input(
                &Field::new("on", "Read the clock on another date").hint("For example, 21 7 2011 — the date of the Corporate Committee report").errors(errors),
                parts,
            ))
            (button("Show the clock", ButtonKind::Secondary))
        }
    }
}

/// The MOU's clock: status, days to the end, next review.
pub fn clock_panel(clock: &MouClock, is_today: bool) -> Markup {
    let on = if is_today {
        "today".to_owned()
    } else {
        format!("on {}", long_date(clock.today))
    };
    let status = match &clock.status {
        MouStatus::InForce => tag("In force", TagColour::Green),
        MouStatus::NotYetInForce => tag("Not yet in force", TagColour::Blue),
        MouStatus::Ended { .. } => tag("Ended", TagColour::Grey),
        MouStatus::Unknown => tag("Dates not stated", TagColour::Yellow),
    };
    let days = |n: i64| {
        if n.abs() == 1 {
            "day".to_owned()
        } else {
            "days".to_owned()
        }
    };
    html! {
        div class="accord-clock" {
            div {
                span class="accord-clock__label" { "Status " (on) }
                span class="accord-clock__figure" { (status) }
            }
            @if let Some(d) = clock.days_to_end {
                div {
                    @if d > 0 {
                        span class="accord-clock__figure" { (accord_domain::money::group_thousands(d.unsigned_abs())) }
                        span class="accord-clock__label" { (days(d)) " to the end" }
                    } @else {
                        span class="accord-clock__figure" { (accord_domain::money::group_thousands(d.unsigned_abs())) }
                        span class="accord-clock__label" { (days(d)) " since it ended" }
                    }
                }
            }
        }
        (summary_list(&[
            SummaryRow::new("Started", date_or_not_stated(clock.starts)),
            SummaryRow::new("Ends", html! { (capitalise(&clock.ends_because)) }),
            SummaryRow::new("Next review due", html! {
                @match &clock.next_review {
                    Some(review) => {
                        strong { (long_date(review.date)) }
                        ": " (review_kinds(&review.kinds)) " by " (review.by.join(" and "))
                    },
                    None => @match &clock.status {
                        MouStatus::Ended { on, .. } => { "No further reviews: the MOU ended on " (long_date(*on)) }
                        _ => "No review scheduled",
                    },
                }
            }),
            SummaryRow::new("Last review due", html! {
                @match &clock.last_review {
                    Some(review) => { (long_date(review.date)) " (" (review_kinds(&review.kinds)) ")" },
                    None => "None yet",
                }
            }),
        ]))
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn review_kinds(kinds: &[ReviewKind]) -> String {
    kinds
        .iter()
        .map(|k| match k {
            ReviewKind::Quarterly => "quarterly review",
            ReviewKind::Annual => "annual review",
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// `GET /partnerships/{id}/mou`: the MOU's terms, values, reviews and events.
pub async fn mou_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let partnership = load(&state, id).await?;
    let mou = accord_app::partnership::mou(&state.app, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let names = councils(&state, &super::common::member_codes(&partnership)).await?;
    let today = state.today();
    let clock = mou.clock(today);
    let start = clock.starts.unwrap_or(today);
    let reviews = mou.reviews_between(start, clock.ends);
    let mut schedule = Table::new(
        "Review schedule",
        vec![
            Column::text("Due"),
            Column::text("Review"),
            Column::text("By"),
        ],
    );
    for r in reviews.iter().take(40) {
        schedule = schedule.row(vec![
            html! { (long_date(r.date)) },
            html! { (review_kinds(&r.kinds)) },
            html! { (r.by.join("; ")) },
        ]);
    }
    let content = html! {
        span class="govuk-caption-l" { (partnership.name) }
        h1 class="govuk-heading-xl" { "Memorandum of understanding" }
        (source_note(mou.source.as_deref()))
        (clock_panel(&clock, true))
        h2 class="govuk-heading-m" { "Terms" }
        (summary_list(&[
            SummaryRow::new("Agreed by the councils’ executives", date_or_not_stated(mou.agreed)),
            SummaryRow::new("Signed", date_or_not_stated(mou.signed)),
            SummaryRow::new("Commenced", date_or_not_stated(mou.commencement)),
            SummaryRow::new("Ends", html! { (mou.end.describe()) }),
            SummaryRow::new("Legally binding", html! { @if mou.legally_binding { "Yes" } @else { "No: the parties do not intend it to be legally binding" } }),
            SummaryRow::new("Preferred partners", html! {
                @if mou.preferred_partner {
                    "Yes: the members are each other’s preferred partner for all shared services opportunities"
                } @else { "No" }
            }),
            SummaryRow::new("Cost sharing", html! { (mou.cost_sharing) }),
        ]))
        h2 class="govuk-heading-m" { "Principles of joint working" }
        p class="govuk-body" { (mou.principles) }
        @if !mou.values.is_empty() {
            h2 class="govuk-heading-m" { "Values" }
            dl class="govuk-summary-list" {
                @for v in &mou.values {
                    div class="govuk-summary-list__row" {
                        dt class="govuk-summary-list__key" { (v.name) }
                        dd class="govuk-summary-list__value" { (v.description) }
                    }
                }
            }
        }
        h2 class="govuk-heading-m" { "Notices, extensions and variations" }
        @if mou.events.is_empty() {
            p class="govuk-body" { "None recorded." }
        } @else {
            ul class="govuk-list govuk-list--bullet" {
                @for e in &mou.events { li { (describe_event(e, &names)) } }
            }
        }
        @if !reviews.is_empty() {
            (table(&schedule))
        }
    };
    Ok(render(
        &state,
        &viewer,
        Page::new(format!(
            "Memorandum of understanding – {}",
            partnership.name
        ))
        .breadcrumb("Partnerships", "/")
        .breadcrumb(partnership.name.clone(), format!("/partnerships/{id}")),
        content,
    ))
}

fn describe_event(event: &MouEvent, names: &HashMap<String, accord_domain::Authority>) -> Markup {
    html! {
        @match event {
            MouEvent::Notice { given_by, given_on, effective } => {
                "Written notice of termination from " (council_name(names, given_by)) ", given on " (long_date(*given_on))
                ", effective " (long_date(*effective))
            },
            MouEvent::Extension { agreed_on, new_end } => { "Extended by mutual agreement on " (long_date(*agreed_on)) " to " (new_end.describe()) },
            MouEvent::Variation { agreed_on, description } => { "Varied on " (long_date(*agreed_on)) ": " (description) },
        }
    }
}

// ----- forms: a new partnership -----

const NEW_MEMBER_ROWS: usize = 4;

async fn council_choices(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    let all = accord_app::authorities::search(
        &state.app,
        &accord_app::authorities::AuthorityQuery {
            text: String::new(),
            current_only: false,
            limit: 500,
            offset: 0,
        },
    )
    .await?;
    let mut choices: Vec<(String, String)> = all
        .into_iter()
        .filter(|a| a.kind.is_principal_council())
        .filter_map(|a| {
            let ended = a
                .end_date
                .map(|d| format!(" (abolished {})", d.format("%Y")))
                .unwrap_or_default();
            a.gss
                .map(|g| (g.to_string(), format!("{}{ended}", a.official_name)))
        })
        .collect();
    choices.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(choices)
}

fn council_select(
    name: &str,
    label: &str,
    value: &str,
    errors: &Invalid,
    councils: &[(String, String)],
) -> Markup {
    let mut choices = vec![Choice::new("", "Choose a council")];
    choices.extend(councils.iter().map(|(v, t)| Choice::new(v, t)));
    select(
        &Field::new(name, label).value(value).errors(errors),
        &choices,
    )
}

const ROLE_CHOICES: [(&str, &str); 3] = [
    ("partner", "Partner"),
    ("lead", "Lead council"),
    ("host", "Host council"),
];

fn role_choices() -> Vec<Choice<'static>> {
    ROLE_CHOICES
        .iter()
        .map(|(v, t)| Choice::new(v, t))
        .collect()
}

async fn new_partnership_form(
    state: &AppState,
    viewer: &Viewer,
    form_data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let councils = council_choices(state).await?;
    let content = html! {
        (error_summary(errors))
        h1 class="govuk-heading-xl" { "Create a partnership" }
        (form("/partnerships", &viewer.csrf, html! {
            (text_input(&Field::new("name", "Name").value(form_data.get("name")).errors(errors)))
            (textarea(&Field::new("summary", "Summary").hint("What the councils agree to do together, in a sentence or two").value(form_data.get("summary")).errors(errors).rows(3)))
            @for i in 0..NEW_MEMBER_ROWS {
                @let prefix = format!("members[{i}]");
                fieldset class="govuk-fieldset" {
                    legend class="govuk-fieldset__legend govuk-fieldset__legend--m" {
                        @if i < 2 { "Member council " (i + 1) } @else { "Member council " (i + 1) " (optional)" }
                    }
                    (council_select(&format!("{prefix}.authority"), "Council", form_data.get(&format!("{prefix}.authority")), errors, &councils))
                    (select(&Field::new(&format!("{prefix}.role"), "Role").value(form_data.get(&format!("{prefix}.role"))).errors(errors), &role_choices()))
                    (date_input(&Field::new(&format!("{prefix}.joined"), "Joined (optional)").hint("Leave blank if no source states it").errors(errors), &form_data.date(&format!("{prefix}.joined"))))
                }
            }
            (button("Create partnership", ButtonKind::Primary))
        }))
    };
    Ok(render(
        state,
        viewer,
        Page::new("Create a partnership")
            .with_errors(errors)
            .back_link("/"),
        content,
    ))
}

/// `GET /partnerships/new`.
pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> Result<Markup, WebError> {
    new_partnership_form(&state, &viewer, &FormData::default(), &Invalid::new()).await
}

fn member_from_form(form: &FormData, prefix: &str, invalid: &mut Invalid) -> Option<Member> {
    let field = |name: &str| format!("{prefix}{name}");
    let authority_text = form.get(&field("authority"));
    if authority_text.trim().is_empty() {
        invalid.push(field("authority"), "Choose a council");
        return None;
    }
    let authority = invalid.check(GssCode::parse(&field("authority"), authority_text));
    let role_text = form.get(&field("role"));
    let role = if role_text.is_empty() {
        Some(MemberRole::Partner)
    } else {
        invalid.check(MemberRole::parse(&field("role"), role_text))
    };
    let status_text = form.get(&field("status"));
    let status = if status_text.is_empty() {
        Some(MemberStatus::Active)
    } else {
        invalid.check(MemberStatus::parse(&field("status"), status_text))
    };
    let joined = invalid
        .check(
            form.date(&field("joined"))
                .parse_optional(&field("joined"), "the date the council joined"),
        )
        .flatten();
    let left = invalid
        .check(
            form.date(&field("left"))
                .parse_optional(&field("left"), "the date the council left"),
        )
        .flatten();
    let member = Member {
        authority: authority?,
        role: role?,
        status: status?,
        joined,
        left,
    };
    if let Err(e) = member.validate() {
        invalid.extend(e.within(prefix));
        return None;
    }
    Some(member)
}

/// `POST /partnerships`.
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    form_data: FormData,
) -> Result<Response, WebError> {
    let mut invalid = Invalid::new();
    let mut members = Vec::new();
    for i in 0..NEW_MEMBER_ROWS {
        let prefix = format!("members[{i}].");
        let blank = form_data
            .get(&format!("{prefix}authority"))
            .trim()
            .is_empty();
        if i >= 2 && blank {
            continue;
        }
        if let Some(m) = member_from_form(&form_data, &prefix, &mut invalid) {
            members.push(m);
        }
    }
    let partnership = Partnership {
        id: 0,
        name: form_data.get("name").trim().to_owned(),
        summary: form_data.get("summary").trim().to_owned(),
        source: None,
        members,
    };
    if invalid.is_empty() {
        match accord_app::partnership::create(&state.app, &viewer.caller(), &partnership, "").await
        {
            Ok(id) => return Ok(Redirect::to(&format!("/partnerships/{id}")).into_response()),
            Err(accord_app::AppError::Invalid(e)) => invalid.extend(e),
            Err(e) => return Err(e.into()),
        }
    } else if let Err(e) = partnership.validate() {
        // Report whole-partnership problems (a missing name, a council twice) with the rest.
        for error in e.errors {
            if !invalid.errors.iter().any(|x| x.field == error.field) {
                invalid.errors.push(error);
            }
        }
    }
    Ok(refused(
        new_partnership_form(&state, &viewer, &form_data, &invalid).await?,
    ))
}

// ----- forms: name and summary -----

async fn edit_form_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    name: &str,
    summary: &str,
    reason: &str,
    errors: &Invalid,
) -> Markup {
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { "Change the name or summary" }
        (form(&format!("/partnerships/{}/edit", p.id), &viewer.csrf, html! {
            (text_input(&Field::new("name", "Name").value(name).errors(errors)))
            (textarea(&Field::new("summary", "Summary").value(summary).errors(errors).rows(4)))
            (reason_field(reason, errors))
            (button("Save changes", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        Page::new("Change the name or summary")
            .with_errors(errors)
            .back_link(format!("/partnerships/{}", p.id)),
        content,
    )
}

/// The optional "why" of a change, kept in the audit trail.
pub fn reason_field(value: &str, errors: &Invalid) -> Markup {
    text_input(
        &Field::new("reason", "Reason for the change (optional)")
            .hint("Kept with the change in the audit trail")
            .value(value)
            .errors(errors),
    )
}

/// `GET /partnerships/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let p = load(&state, id).await?;
    Ok(edit_form_page(
        &state,
        &viewer,
        &p,
        &p.name,
        &p.summary,
        "",
        &Invalid::new(),
    )
    .await)
}

/// `POST /partnerships/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = load(&state, id).await?;
    match accord_app::partnership::update(
        &state.app,
        &viewer.caller(),
        id,
        form_data.get("name"),
        form_data.get("summary"),
        form_data.get("reason"),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/partnerships/{id}")).into_response()),
        Err(accord_app::AppError::Invalid(e)) => Ok(refused(
            edit_form_page(
                &state,
                &viewer,
                &p,
                form_data.get("name"),
                form_data.get("summary"),
                form_data.get("reason"),
                &e,
            )
            .await,
        )),
        Err(e) => Err(e.into()),
    }
}

// ----- forms: members -----

const STATUS_CHOICES: [(&str, &str, &str); 2] = [
    (
        "active",
        "Active member",
        "Its executive has approved its membership",
    ),
    (
        "pending",
        "Pending",
        "Agreed in principle, waiting for its cabinet",
    ),
];

async fn member_form_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    existing: Option<&Member>,
    form_data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let councils = council_choices(state).await?;
    let names = super::common::councils(
        state,
        &existing
            .map(|m| m.authority.clone())
            .into_iter()
            .collect::<Vec<_>>(),
    )
    .await?;
    let (title, action) = match existing {
        Some(m) => (
            format!("Change {}’s membership", council_name(&names, &m.authority)),
            format!("/partnerships/{}/members/{}", p.id, m.authority),
        ),
        None => (
            "Add a member council".to_owned(),
            format!("/partnerships/{}/members", p.id),
        ),
    };
    let statuses: Vec<Choice> = STATUS_CHOICES
        .iter()
        .map(|(v, t, h)| Choice::new(v, t).hint(h))
        .collect();
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { (title) }
        (form(&action, &viewer.csrf, html! {
            @if existing.is_none() {
                (council_select("authority", "Council", form_data.get("authority"), errors, &councils))
            }
            (radios(&Field::new("role", "Role").value(form_data.get("role")).errors(errors), &role_choices()))
            (radios(&Field::new("status", "Status").value(form_data.get("status")).errors(errors), &statuses))
            (date_input(&Field::new("joined", "Joined (optional)").hint("Leave blank if no source states it").errors(errors), &form_data.date("joined")))
            (date_input(&Field::new("left", "Left (optional)").errors(errors), &form_data.date("left")))
            (reason_field(form_data.get("reason"), errors))
            (button(if existing.is_some() { "Save changes" } else { "Add member" }, ButtonKind::Primary))
        }))
    };
    Ok(render(
        state,
        viewer,
        Page::new(title)
            .with_errors(errors)
            .back_link(format!("/partnerships/{}", p.id)),
        content,
    ))
}

/// `GET /partnerships/{id}/members/new`.
pub async fn new_member_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let p = load(&state, id).await?;
    let defaults = FormData::from_pairs([("role", "partner"), ("status", "active")]);
    member_form_page(&state, &viewer, &p, None, &defaults, &Invalid::new()).await
}

/// `POST /partnerships/{id}/members`.
pub async fn add_member(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = load(&state, id).await?;
    let mut invalid = Invalid::new();
    if let Some(member) = member_from_form(&form_data, "", &mut invalid) {
        match accord_app::partnership::add_member(
            &state.app,
            &viewer.caller(),
            id,
            &member,
            form_data.get("reason"),
        )
        .await
        {
            Ok(()) => return Ok(Redirect::to(&format!("/partnerships/{id}")).into_response()),
            Err(accord_app::AppError::Invalid(e)) => invalid.extend(e),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(refused(
        member_form_page(&state, &viewer, &p, None, &form_data, &invalid).await?,
    ))
}

fn member_form_data(m: &Member) -> FormData {
    let mut pairs = vec![
        ("role".to_owned(), m.role.slug().to_owned()),
        ("status".to_owned(), m.status.slug().to_owned()),
    ];
    for (name, date) in [("joined", m.joined), ("left", m.left)] {
        if let Some(d) = date {
            let parts = DateParts::from_date(d);
            pairs.push((format!("{name}-day"), parts.day));
            pairs.push((format!("{name}-month"), parts.month));
            pairs.push((format!("{name}-year"), parts.year));
        }
    }
    FormData::from_pairs(pairs)
}

async fn load_member(
    state: &AppState,
    id: i64,
    gss: &str,
) -> Result<(Partnership, Member), WebError> {
    let p = load(state, id).await?;
    let code = GssCode::parse("gss", gss).map_err(|_| WebError::NotFound)?;
    let member = p.member(&code).cloned().ok_or(WebError::NotFound)?;
    Ok((p, member))
}

/// `GET /partnerships/{id}/members/{gss}/edit`.
pub async fn edit_member_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, gss)): Path<(i64, String)>,
) -> Result<Markup, WebError> {
    let (p, member) = load_member(&state, id, &gss).await?;
    member_form_page(
        &state,
        &viewer,
        &p,
        Some(&member),
        &member_form_data(&member),
        &Invalid::new(),
    )
    .await
}

/// `POST /partnerships/{id}/members/{gss}`.
pub async fn edit_member(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, gss)): Path<(i64, String)>,
    form_data: FormData,
) -> Result<Response, WebError> {
    let (p, member) = load_member(&state, id, &gss).await?;
    let mut with_authority = form_data.clone();
    with_authority.set("authority", member.authority.as_str());
    let mut invalid = Invalid::new();
    if let Some(changed) = member_from_form(&with_authority, "", &mut invalid) {
        match accord_app::partnership::update_member(
            &state.app,
            &viewer.caller(),
            id,
            &changed,
            form_data.get("reason"),
        )
        .await
        {
            Ok(()) => return Ok(Redirect::to(&format!("/partnerships/{id}")).into_response()),
            Err(accord_app::AppError::Invalid(e)) => invalid.extend(e),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(refused(
        member_form_page(&state, &viewer, &p, Some(&member), &form_data, &invalid).await?,
    ))
}

// ----- forms: the MOU -----

fn yes_no() -> Vec<Choice<'static>> {
    vec![Choice::new("yes", "Yes"), Choice::new("no", "No")]
}

fn end_choices() -> Vec<Choice<'static>> {
    vec![
        Choice::new("event", "At an event, such as local elections"),
        Choice::new("date", "On a date"),
        Choice::new("open", "No end agreed"),
    ]
}

fn mou_form_data(mou: &Mou) -> FormData {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut date = |name: &str, d: Option<NaiveDate>| {
        if let Some(d) = d {
            let parts = DateParts::from_date(d);
            pairs.push((format!("{name}-day"), parts.day));
            pairs.push((format!("{name}-month"), parts.month));
            pairs.push((format!("{name}-year"), parts.year));
        }
    };
    date("agreed", mou.agreed);
    date("signed", mou.signed);
    date("commencement", mou.commencement);
    date("end_date", mou.end.date());
    let end_kind = match &mou.end {
        MouEnd::Date { .. } => "date",
        MouEnd::Event { .. } => "event",
        MouEnd::Open => "open",
    };
    pairs.push(("end_kind".into(), end_kind.into()));
    if let MouEnd::Event { name, .. } = &mou.end {
        pairs.push(("end_event".into(), name.clone()));
    }
    pairs.push((
        "legally_binding".into(),
        if mou.legally_binding { "yes" } else { "no" }.into(),
    ));
    pairs.push((
        "preferred_partner".into(),
        if mou.preferred_partner { "yes" } else { "no" }.into(),
    ));
    pairs.push(("principles".into(), mou.principles.clone()));
    pairs.push((
        "values".into(),
        mou.values
            .iter()
            .map(|v| format!("{}: {}", v.name, v.description))
            .collect::<Vec<_>>()
            .join("\n"),
    ));
    pairs.push((
        "quarterly_review_by".into(),
        mou.quarterly_review_by.clone().unwrap_or_default(),
    ));
    pairs.push((
        "annual_review_by".into(),
        mou.annual_review_by.clone().unwrap_or_default(),
    ));
    pairs.push(("cost_sharing".into(), mou.cost_sharing.clone()));
    FormData::from_pairs(pairs)
}

/// Reads the MOU form. `existing` keeps what the form does not show (events, source).
fn mou_from_form(form: &FormData, existing: Option<&Mou>) -> Result<Mou, Invalid> {
    let mut invalid = Invalid::new();
    let agreed = invalid
        .check(
            form.date("agreed")
                .parse_optional("agreed", "the date the MOU was agreed"),
        )
        .flatten();
    let signed = invalid
        .check(
            form.date("signed")
                .parse_optional("signed", "the date the MOU was signed"),
        )
        .flatten();
    let commencement = invalid
        .check(
            form.date("commencement")
                .parse_optional("commencement", "the date the MOU commenced"),
        )
        .flatten();
    let end = match form.get("end_kind") {
        "open" => Some(MouEnd::Open),
        kind @ ("date" | "event") => invalid
            .check(
                form.date("end_date")
                    .parse("end_date", "the date the MOU ends"),
            )
            .map(|date| {
                if kind == "date" {
                    MouEnd::Date { date }
                } else {
                    MouEnd::Event {
                        name: form.get("end_event").trim().to_owned(),
                        date,
                    }
                }
            }),
        _ => {
            invalid.push("end_kind", "Choose how the MOU ends");
            None
        }
    };
    let yes = |name: &str, invalid: &mut Invalid| match form.get(name) {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            invalid.push(name, "Choose yes or no");
            None
        }
    };
    let legally_binding = yes("legally_binding", &mut invalid);
    let preferred_partner = yes("preferred_partner", &mut invalid);
    let mut values = Vec::new();
    for (i, line) in form
        .get("values")
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match line.split_once(':') {
            Some((name, description)) if !name.trim().is_empty() => {
                values.push(MouValue {
                    name: name.trim().to_owned(),
                    description: description.trim().to_owned(),
                });
            }
            _ => invalid.push(
                "values",
                format!(
                    "Line {} must be a value’s name, a colon, then what it means",
                    i + 1
                ),
            ),
        }
    }
    if form.get("principles").trim().is_empty() {
        invalid.push("principles", "Enter the principles of joint working");
    }
    let optional = |name: &str| Some(form.get(name).trim().to_owned()).filter(|s| !s.is_empty());
    invalid.into_result()?;
    Ok(Mou {
        agreed,
        signed,
        commencement,
        end: end.unwrap_or(MouEnd::Open),
        legally_binding: legally_binding.unwrap_or(false),
        preferred_partner: preferred_partner.unwrap_or(true),
        values,
        principles: form.get("principles").trim().to_owned(),
        quarterly_review_by: optional("quarterly_review_by"),
        annual_review_by: optional("annual_review_by"),
        cost_sharing: form.get("cost_sharing").trim().to_owned(),
        events: existing.map(|m| m.events.clone()).unwrap_or_default(),
        source: existing.and_then(|m| m.source.clone()),
    })
}

fn mou_form_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { "Memorandum of understanding" }
        (form(&format!("/partnerships/{}/mou", p.id), &viewer.csrf, html! {
            (date_input(&Field::new("agreed", "Agreed by the councils’ executives (optional)").errors(errors), &form_data.date("agreed")))
            (date_input(&Field::new("signed", "Signed (optional)").errors(errors), &form_data.date("signed")))
            (date_input(&Field::new("commencement", "Commenced (optional)").hint("Leave blank if it commenced on signature").errors(errors), &form_data.date("commencement")))
            (radios(&Field::new("end_kind", "How does it end?").value(form_data.get("end_kind")).errors(errors), &end_choices()))
            (text_input(&Field::new("end_event", "The event it ends at").hint("For example, the local elections of 2014").value(form_data.get("end_event")).errors(errors)))
            (date_input(&Field::new("end_date", "The date it ends").hint("The date of the event, or the end date").errors(errors), &form_data.date("end_date")))
            (radios(&Field::new("legally_binding", "Is it intended to be legally binding?").value(form_data.get("legally_binding")).errors(errors), &yes_no()))
            (radios(&Field::new("preferred_partner", "Are the members each other’s preferred partner?").value(form_data.get("preferred_partner")).errors(errors), &yes_no()))
            (textarea(&Field::new("principles", "Principles of joint working").value(form_data.get("principles")).errors(errors).rows(6)))
            (textarea(&Field::new("values", "Values (optional)").hint("One per line: the value’s name, a colon, then what it means").value(form_data.get("values")).errors(errors).rows(8)))
            (text_input(&Field::new("quarterly_review_by", "Reviewed quarterly by (optional)").value(form_data.get("quarterly_review_by")).errors(errors)))
            (text_input(&Field::new("annual_review_by", "Reviewed annually by (optional)").value(form_data.get("annual_review_by")).errors(errors)))
            (textarea(&Field::new("cost_sharing", "How governance and programme costs are shared").value(form_data.get("cost_sharing")).errors(errors).rows(3)))
            (reason_field(form_data.get("reason"), errors))
            (button("Save the MOU", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        Page::new("Memorandum of understanding")
            .with_errors(errors)
            .back_link(format!("/partnerships/{}", p.id)),
        content,
    )
}

/// `GET /partnerships/{id}/mou/edit`.
pub async fn mou_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let p = load(&state, id).await?;
    let data = match accord_app::partnership::mou(&state.app, id).await? {
        Some(mou) => mou_form_data(&mou),
        None => FormData::from_pairs([
            ("end_kind", "event"),
            ("legally_binding", "no"),
            ("preferred_partner", "yes"),
        ]),
    };
    Ok(mou_form_page(&state, &viewer, &p, &data, &Invalid::new()))
}

/// `POST /partnerships/{id}/mou`.
pub async fn save_mou(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = load(&state, id).await?;
    let existing = accord_app::partnership::mou(&state.app, id).await?;
    let errors = match mou_from_form(&form_data, existing.as_ref()) {
        Ok(mou) => match accord_app::partnership::save_mou(
            &state.app,
            &viewer.caller(),
            id,
            &mou,
            form_data.get("reason"),
        )
        .await
        {
            Ok(()) => return Ok(Redirect::to(&format!("/partnerships/{id}#mou")).into_response()),
            Err(accord_app::AppError::Invalid(e)) => e,
            Err(e) => return Err(e.into()),
        },
        Err(e) => e,
    };
    Ok(refused(mou_form_page(
        &state, &viewer, &p, &form_data, &errors,
    )))
}

// ----- forms: notices, extensions, variations -----

async fn event_form_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Partnership,
    form_data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let names = councils(state, &super::common::member_codes(p)).await?;
    let mut members = vec![Choice::new("", "Choose the council that gave notice")];
    let labels: Vec<(String, String)> = p
        .members
        .iter()
        .map(|m| (m.authority.to_string(), council_name(&names, &m.authority)))
        .collect();
    members.extend(labels.iter().map(|(v, t)| Choice::new(v, t)));
    let kinds = vec![
        Choice::new("notice", "Written notice of early termination"),
        Choice::new("extension", "Extension by mutual agreement"),
        Choice::new("variation", "Variation of its terms"),
    ];
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { "Record a notice, extension or variation" }
        (form(&format!("/partnerships/{}/mou/events", p.id), &viewer.csrf, html! {
            (radios(&Field::new("kind", "What happened?").value(form_data.get("kind")).errors(errors), &kinds))
            (date_input(&Field::new("date", "When it was given or agreed").errors(errors), &form_data.date("date")))
            h2 class="govuk-heading-m" { "For a notice" }
            (select(&Field::new("given_by", "Given by").value(form_data.get("given_by")).errors(errors), &members))
            (date_input(&Field::new("effective", "Takes effect on").errors(errors), &form_data.date("effective")))
            h2 class="govuk-heading-m" { "For an extension" }
            (date_input(&Field::new("new_end", "The new end date").errors(errors), &form_data.date("new_end")))
            h2 class="govuk-heading-m" { "For a variation" }
            (textarea(&Field::new("description", "What changed").value(form_data.get("description")).errors(errors).rows(3)))
            (button("Record it", ButtonKind::Primary))
        }))
    };
    Ok(render(
        state,
        viewer,
        Page::new("Record a notice, extension or variation")
            .with_errors(errors)
            .back_link(format!("/partnerships/{}", p.id)),
        content,
    ))
}

/// `GET /partnerships/{id}/mou/events/new`.
pub async fn new_event_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let p = load(&state, id).await?;
    accord_app::partnership::mou(&state.app, id)
        .await?
        .ok_or(WebError::NotFound)?;
    event_form_page(&state, &viewer, &p, &FormData::default(), &Invalid::new()).await
}

fn event_from_form(form: &FormData) -> Result<MouEvent, Invalid> {
    let mut invalid = Invalid::new();
    let date = invalid.check(form.date("date").parse("date", "the date"));
    let event = match form.get("kind") {
        "notice" => {
            let given_by = if form.get("given_by").is_empty() {
                invalid.push("given_by", "Choose the council that gave notice");
                None
            } else {
                invalid.check(GssCode::parse("given_by", form.get("given_by")))
            };
            let effective = invalid.check(
                form.date("effective")
                    .parse("effective", "the date notice takes effect"),
            );
            match (given_by, date, effective) {
                (Some(given_by), Some(given_on), Some(effective)) => Some(MouEvent::Notice {
                    given_by,
                    given_on,
                    effective,
                }),
                _ => None,
            }
        }
        "extension" => {
            let new_end = invalid.check(form.date("new_end").parse("new_end", "the new end date"));
            match (date, new_end) {
                (Some(agreed_on), Some(date)) => Some(MouEvent::Extension {
                    agreed_on,
                    new_end: MouEnd::Date { date },
                }),
                _ => None,
            }
        }
        "variation" => date.map(|agreed_on| MouEvent::Variation {
            agreed_on,
            description: form.get("description").trim().to_owned(),
        }),
        _ => {
            invalid.push("kind", "Choose what happened");
            None
        }
    };
    invalid.into_result()?;
    event.ok_or_else(|| Invalid::field("kind", "Choose what happened"))
}

/// `POST /partnerships/{id}/mou/events`.
pub async fn add_event(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    form_data: FormData,
) -> Result<Response, WebError> {
    let p = load(&state, id).await?;
    let errors = match event_from_form(&form_data) {
        Ok(event) => match accord_app::partnership::add_mou_event(
            &state.app,
            &viewer.caller(),
            id,
            &event,
            "",
        )
        .await
        {
            Ok(()) => return Ok(Redirect::to(&format!("/partnerships/{id}/mou")).into_response()),
            // The domain names the event's own fields; the form shows the date as `date`.
            Err(accord_app::AppError::Invalid(e)) => e,
            Err(e) => return Err(e.into()),
        },
        Err(e) => e,
    };
    Ok(refused(
        event_form_page(&state, &viewer, &p, &form_data, &errors).await?,
    ))
}
