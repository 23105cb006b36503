//! A single point of contact's caseload: what needs them today. Overdue and due soon, not
//! forwarded in time, awaiting their sign-off, awaiting the other council, awaiting the
//! communications teams.
//!
//! The register may hold years of requests, so each section asks SQL for its few candidates
//! by status, owner and due date (indexed columns), at most [`LIMIT`] of them, and the domain
//! then decides what each needs ([`Request::attention`]).

use accord_domain::GssCode;
use accord_domain::mou::long_date;
use accord_domain::request::{Attention, Request, Stage};
use accord_domain::working_days::{CalendarScope, Calendars};
use accord_store::requests::{REQUEST_KIND, calendars, decode_request, open_statuses};
use accord_store::{RecordOrder, RecordQuery, StoredRecord};
use axum::extract::{Path, Query, State};
use chrono::{Days, NaiveDate};
use maud::{Markup, html};
use serde::Deserialize;

use super::ops::protocol;
use super::stage_tag;
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{ButtonKind, Choice, Column, Field, Table, button, select, table};
use crate::error::WebError;
use crate::layout::Page;
use crate::pages::common::{council_name, councils, member_codes, render};

/// The most requests a section lists; the heading gives the full count.
pub const LIMIT: i64 = 100;

/// The caseload's query: whose caseload.
#[derive(Debug, Default, Deserialize)]
pub struct CaseloadQuery {
    #[serde(default)]
    council: String,
}

/// A request on the caseload with what it needs.
struct Case {
    record: StoredRecord,
    request: Request,
    answer_by: Option<NaiveDate>,
    attention: Vec<Attention>,
}

fn cases(
    records: Vec<StoredRecord>,
    council: &GssCode,
    calendars: &Calendars,
    today: NaiveDate,
) -> Result<Vec<Case>, WebError> {
    let protocol = protocol();
    let mut out = Vec::with_capacity(records.len());
    for record in records {
        let request = decode_request(&record)?;
        let calendar = calendars.get(request.calendar_scope());
        let Ok(dates) = request.due_dates(calendar, &protocol) else {
            continue;
        };
        let attention = request.attention(council, &dates, today, calendar, &protocol);
        out.push(Case {
            record,
            request,
            answer_by: dates.answer_by,
            attention,
        });
    }
    Ok(out)
}

/// The cases that need one of `list`, and (with `owner`) that the council leads.
fn needing<'a>(list: &[Attention], cases: &'a [Case], owner: Option<&GssCode>) -> Vec<&'a Case> {
    cases
        .iter()
        .filter(|c| c.attention.iter().any(|a| list.contains(a)))
        .filter(|c| owner.is_none_or(|o| c.record.meta.owner.as_ref() == Some(o)))
        .collect()
}

/// One section: its heading, what it holds, and how many there are in all.
struct Section<'a> {
    id: &'static str,
    heading: &'static str,
    empty: &'static str,
    cases: Vec<&'a Case>,
    total: Option<i64>,
}

fn section_table(
    section: &Section<'_>,
    partnership_id: i64,
    names: &std::collections::HashMap<String, accord_domain::Authority>,
    calendars: &Calendars,
    today: NaiveDate,
) -> Markup {
    let total = section
        .total
        .unwrap_or(i64::try_from(section.cases.len()).unwrap_or(i64::MAX));
    let mut t = Table::new(
        format!("{} ({total})", section.heading),
        vec![
            Column::text("Request"),
            Column::text("Stage"),
            Column::text("Lead council"),
            Column::text("Response due"),
        ],
    );
    for case in &section.cases {
        let r = &case.request;
        let calendar = calendars.get(r.calendar_scope());
        let left = case.answer_by.map(|due| {
            if due >= today {
                let n = calendar.working_days_between(today, due).unwrap_or(0);
                format!("{n} working day{} left", if n == 1 { "" } else { "s" })
            } else {
                let n = calendar.working_days_between(due, today).unwrap_or(0);
                format!(
                    "overdue by {n} working day{}",
                    if n == 1 { "" } else { "s" }
                )
            }
        });
        t = t.row(vec![
            html! {
                a class="govuk-link" href={ "/partnerships/" (partnership_id) "/requests/" (case.record.id) } { (r.reference) }
                br; span class="govuk-body-s" { (r.summary) }
            },
            stage_tag(r.stage),
            html! { (council_name(names, r.lead.as_ref().unwrap_or(&r.received_by))) },
            html! {
                @match case.answer_by {
                    Some(d) => { (long_date(d)) br; span class="govuk-body-s" { (left.unwrap_or_default()) } }
                    None => span class="govuk-hint" { "Clock stopped" },
                }
            },
        ]);
    }
    html! {
        h2 class="govuk-heading-m" id=(section.id) { (section.heading) " (" (total) ")" }
        @if section.cases.is_empty() {
            p class="govuk-body" { (section.empty) }
        } @else {
            @if (section.cases.len() as i64) < total {
                p class="govuk-body-s" { "The first " (section.cases.len()) " of " (total) ", soonest due first." }
            }
            (table(&t))
        }
    }
}

/// `GET /partnerships/{id}/requests/caseload`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<CaseloadQuery>,
) -> Result<Markup, WebError> {
    let p = super::register::partnership(&state, id).await?;
    let names = councils(&state, &member_codes(&p)).await?;
    let today = state.today();
    let members = member_codes(&p);
    let council = GssCode::parse("council", &q.council)
        .ok()
        .filter(|c| members.contains(c))
        .or_else(|| viewer.actor.home.clone().filter(|h| members.contains(h)))
        .or_else(|| members.first().cloned())
        .ok_or(WebError::NotFound)?;
    let calendars = calendars(&*state.store).await?;
    let protocol = protocol();
    // "Due soon" is within so many working days. The whole UK's calendar has the most
    // holidays, so its date is the latest any regime's can be: SQL takes everything due by
    // then, and each request's own calendar decides.
    let soon = calendars
        .get(CalendarScope::UnitedKingdom)
        .add_working_days(today, protocol.due_soon_days)
        .unwrap_or(today);
    let scope = viewer.scope();
    let base = RecordQuery {
        order: RecordOrder::KeyDate,
        limit: LIMIT,
        ..RecordQuery::of(REQUEST_KIND, id)
    };
    let overdue_query = RecordQuery {
        statuses: open_statuses(),
        owner: Some(council.clone()),
        key_date_before: Some(today),
        ..base.clone()
    };
    let soon_query = RecordQuery {
        key_date_from: Some(today),
        key_date_before: soon.checked_add_days(Days::new(1)),
        ..overdue_query.clone()
    };
    let stage_query = |stage: Stage, own: bool| RecordQuery {
        statuses: vec![stage.slug().to_owned()],
        owner: own.then(|| council.clone()),
        ..base.clone()
    };
    let store = &state.store;
    let overdue_records = store.records(&overdue_query, &scope, today).await?;
    let overdue_total = store.count_records(&overdue_query, &scope, today).await?;
    let soon_records = store.records(&soon_query, &scope, today).await?;
    let soon_total = store.count_records(&soon_query, &scope, today).await?;
    let consultation_query = stage_query(Stage::Consultation, false);
    let consultation = store.records(&consultation_query, &scope, today).await?;
    let comms_query = stage_query(Stage::CommsClearance, true);
    let comms = store.records(&comms_query, &scope, today).await?;
    let comms_total = store.count_records(&comms_query, &scope, today).await?;
    let received = store
        .records(&stage_query(Stage::Received, true), &scope, today)
        .await?;
    let open_total = store
        .count_records(
            &RecordQuery {
                statuses: open_statuses(),
                owner: Some(council.clone()),
                limit: 0,
                ..base.clone()
            },
            &scope,
            today,
        )
        .await?;

    let overdue = cases(overdue_records, &council, &calendars, today)?;
    let soon = cases(soon_records, &council, &calendars, today)?;
    let consultation = cases(consultation, &council, &calendars, today)?;
    let comms = cases(comms, &council, &calendars, today)?;
    let received = cases(received, &council, &calendars, today)?;
    // Past the limit, the counts come from SQL: exact for overdue, and for due soon counted
    // in the whole UK's calendar.
    let sections = [
        Section {
            id: "overdue",
            heading: "Overdue",
            empty: "Nothing is overdue.",
            total: (overdue_total > LIMIT).then_some(overdue_total),
            cases: needing(&[Attention::Overdue], &overdue, None),
        },
        Section {
            id: "due-soon",
            heading: "Due soon",
            empty: "Nothing is due in the next 5 working days.",
            total: (soon_total > LIMIT).then_some(soon_total),
            cases: needing(&[Attention::DueSoon], &soon, None),
        },
        Section {
            id: "not-forwarded",
            heading: "Not forwarded in time",
            empty: "Every request your council received has reached the single point of contact in time.",
            total: None,
            cases: needing(&[Attention::ForwardingOverdue], &received, None),
        },
        Section {
            id: "your-sign-off",
            heading: "Awaiting your sign-off",
            empty: "No draft waits for your council’s sign-off.",
            total: None,
            cases: needing(&[Attention::AwaitingYourSignOff], &consultation, None),
        },
        Section {
            id: "other-council",
            heading: "Awaiting the other council",
            empty: "No draft your council leads waits for another council’s sign-off.",
            total: None,
            cases: needing(
                &[Attention::AwaitingOtherCouncil],
                &consultation,
                Some(&council),
            ),
        },
        Section {
            id: "comms",
            heading: "Awaiting communications clearance",
            empty: "No sensitive draft waits for the communications teams.",
            total: (comms_total > LIMIT).then_some(comms_total),
            cases: needing(&[Attention::AwaitingComms], &comms, None),
        },
    ];
    let choices: Vec<(String, String)> = members
        .iter()
        .map(|c| (c.to_string(), council_name(&names, c)))
        .collect();
    let choice_list: Vec<Choice> = choices.iter().map(|(v, t)| Choice::new(v, t)).collect();
    let council_text = council.to_string();
    let name = council_name(&names, &council);
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("Caseload – {name}"))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}"))
            .breadcrumb(
                "Information requests",
                format!("/partnerships/{id}/requests"),
            ),
        html! {
            span class="govuk-caption-l" { (p.name) }
            h1 class="govuk-heading-xl" { "Caseload: " (name) }
            p class="govuk-body" {
                (name) " leads, or received and has not yet forwarded, " strong { (open_total) } " open request" @if open_total != 1 { "s" } ". "
                "Today is " (long_date(today)) "."
            }
            form method="get" action={ "/partnerships/" (id) "/requests/caseload" } novalidate {
                (select(&Field::new("council", "Single point of contact of").value(&council_text), &choice_list))
                (button("Show the caseload", ButtonKind::Secondary))
            }
            nav aria-label="Sections of the caseload" {
                ul class="govuk-list" {
                    @for s in &sections { li { a class="govuk-link" href={ "#" (s.id) } { (s.heading) } } }
                }
            }
            @for s in &sections { (section_table(s, id, &names, &calendars, today)) }
            p class="govuk-body" {
                a class="govuk-link" href={ "/partnerships/" (id) "/requests/deadlines.ics" } { "Subscribe to the deadlines (iCalendar)" }
            }
        },
    ))
}
