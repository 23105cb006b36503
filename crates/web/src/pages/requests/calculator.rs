//! The deadline calculator: any request's due dates under FOIA, EIR, FOISA or subject access,
//! with the working. The same computation as `accord deadline` and the request pages.
//!
//! It is public. It reads nothing but the law and the bank-holiday table, which are public
//! anyway (GOV.UK publishes the holidays); it stores nothing and changes nothing (a `GET`
//! form); and a requester, a partner council or a scrutiny councillor checking a date should
//! not need an account to see how it was reached.

use accord_domain::Invalid;
use accord_domain::mou::long_date;
use accord_domain::request::EventKind;
use accord_domain::request::cli::{DeadlineArgs, DeadlineOutput, deadline};
use accord_domain::working_days::{Division, YearSource};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::{date_or, deadlines_panel};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Choice, Column, Field, SummaryRow, Table, button, date_input, error_summary,
    radios, select, summary_list, table,
};
use crate::error::WebError;
use crate::forms::{FormData, refused};
use crate::layout::Page;
use crate::pages::common::render;
use accord_app::requests::{holiday_table, protocol};

/// Clock events the calculator's form offers.
pub const EVENT_ROWS: usize = 4;

/// The calculator's arguments from its form, or the problems with them. `None` when nothing
/// was asked yet.
pub fn args_from(form: &FormData) -> Option<Result<DeadlineArgs, Invalid>> {
    let asked = !form.get("regime").is_empty() || !form.date("received").is_empty();
    if !asked {
        return None;
    }
    let mut invalid = Invalid::new();
    if form.get("regime").is_empty() {
        invalid.push("regime", "Choose the law the request falls under");
    }
    let received = invalid.check(
        form.date("received")
            .parse("received", "the date the request was received"),
    );
    let mut events = Vec::new();
    for i in 0..EVENT_ROWS {
        let kind = form.get(&format!("events[{i}].kind"));
        let date = form.date(&format!("events[{i}]"));
        if kind.is_empty() && date.is_empty() {
            continue;
        }
        if kind.is_empty() {
            invalid.push(format!("events[{i}].kind"), "Choose what happened");
            continue;
        }
        if let Some(date) =
            invalid.check(date.parse(&format!("events[{i}]"), "the date it happened"))
        {
            events.push(format!("{kind}:{date}"));
        }
    }
    let division = Some(form.get("division").to_owned()).filter(|d| !d.is_empty());
    Some(invalid.into_result().map(|()| DeadlineArgs {
        regime: form.get("regime").to_owned(),
        received: received.map(|d| d.to_string()).unwrap_or_default(),
        events,
        division,
    }))
}

/// The domain names the command line's arguments; the form has its own fields.
pub fn form_errors(invalid: Invalid) -> Invalid {
    let mut out = Invalid::new();
    for e in invalid.errors {
        let field = match e.field.as_str() {
            "--regime" => "regime".to_owned(),
            "--received" => "received".to_owned(),
            "--division" => "division".to_owned(),
            other => other
                .strip_prefix("--event")
                .map_or_else(|| "received".to_owned(), |i| format!("events{i}")),
        };
        out.push(field, e.message);
    }
    out
}

fn event_choices() -> Vec<Choice<'static>> {
    let mut out = vec![Choice::new("", "Nothing")];
    out.extend(
        EventKind::ALL
            .iter()
            .map(|k| Choice::new(k.slug(), k.label())),
    );
    out
}

fn result(out: &DeadlineOutput) -> Markup {
    let mut sources = Table::new(
        "Where the bank holidays came from",
        vec![
            Column::text("Division"),
            Column::numeric("Year"),
            Column::text("Source"),
        ],
    );
    for s in &out.holiday_sources {
        sources = sources.row(vec![
            html! { (s.division.name()) },
            html! { (s.year) },
            html! { @match s.source { YearSource::Feed => "GOV.UK feed (imported)", YearSource::Rules => "Statutory rules and known proclamations" } },
        ]);
    }
    html! {
        h2 class="govuk-heading-l" id="result" { "Result" }
        @for note in &out.notes {
            div class="govuk-inset-text" { (note) }
        }
        (summary_list(&[
            SummaryRow::new("Law", html! { (out.regime_name) }),
            SummaryRow::new("Received", html! { (long_date(out.received)) }),
            SummaryRow::new("Working days of", html! { (out.calendar.name()) }),
            SummaryRow::new("Statutory due date", date_or(out.due, "none while the clock is stopped")),
            SummaryRow::new("Extended due date", date_or(out.extended_due, "no extension claimed")),
            SummaryRow::new("Answer by", date_or(out.answer_by, "none while the clock is stopped")),
            SummaryRow::new("Internal target", date_or(out.internal_target, "none")),
        ]))
        (deadlines_panel(&out.deadlines))
        (table(&sources))
    }
}

fn page_content(
    viewer: &Viewer,
    form: &FormData,
    errors: &Invalid,
    out: Option<&DeadlineOutput>,
) -> Markup {
    let regimes = [
        Choice::new("foi", "Freedom of Information Act 2000").hint("20 working days; the day of receipt is day 0; bank holidays anywhere in the UK do not count"),
        Choice::new("eir", "Environmental Information Regulations 2004").hint("20 working days, 40 for complex and voluminous requests"),
        Choice::new("foisa", "Freedom of Information (Scotland) Act 2002").hint("20 working days of Scotland’s calendar; no extension"),
        Choice::new("sar", "Subject access (UK GDPR)").hint("One calendar month; the day of receipt is day 1"),
    ];
    let divisions: Vec<Choice> =
        std::iter::once(Choice::new("", "England and Wales (the default)"))
            .chain(
                Division::ALL
                    .iter()
                    .map(|d| Choice::new(d.slug(), d.name())),
            )
            .collect();
    let events = event_choices();
    html! {
        (error_summary(errors))
        h1 class="govuk-heading-xl" { "Deadline calculator" }
        p class="govuk-body-l" { "When a request for information must be answered, and how that date was reached." }
        p class="govuk-body" {
            "Bank holidays come from the GOV.UK feed where it has been imported, and from the statutory rules and "
            "known proclamations for every other year from 1990 to 2100."
        }
        form method="get" action="/deadline-calculator" novalidate {
            (radios(&Field::new("regime", "The law the request falls under").value(form.get("regime")).errors(errors), &regimes))
            (date_input(&Field::new("received", "Date received").hint("For example, 3 3 2025").errors(errors), &form.date("received")))
            (select(&Field::new("division", "Council’s part of the UK (subject access only)").hint("FOIA, EIR and FOISA count the calendar the law fixes").value(form.get("division")).errors(errors), &divisions))
            h2 class="govuk-heading-m" { "What happened since (optional)" }
            @for i in 0..EVENT_ROWS {
                @let kind = format!("events[{i}].kind");
                @let date = format!("events[{i}]");
                @let legend = format!("Event {}", i + 1);
                fieldset class="govuk-fieldset" {
                    legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { (legend) }
                    (select(&Field::new(&kind, "What happened").value(form.get(&kind)).errors(errors), &events))
                    (date_input(&Field::new(&date, "When").errors(errors), &form.date(&date)))
                }
            }
            (button("Calculate", ButtonKind::Primary))
        }
        @if let Some(out) = out { (result(out)) }
        @if viewer.actor.admin {
            p class="govuk-body" { a class="govuk-link" href="/admin/holidays" { "Manage the bank holidays behind the calculator" } }
        }
    }
}

/// `GET /deadline-calculator`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = FormData::from_pairs(pairs);
    let computed = match args_from(&form) {
        None => None,
        Some(Err(e)) => Some(Err(e)),
        Some(Ok(args)) => {
            let table = holiday_table(&state.app).await?;
            Some(deadline(&args, &table, state.today(), &protocol()).map_err(form_errors))
        }
    };
    let (errors, out) = match computed {
        Some(Err(e)) => (e, None),
        Some(Ok(out)) => (Invalid::new(), Some(out)),
        None => (Invalid::new(), None),
    };
    let markup = render(
        &state,
        &viewer,
        Page::new("Deadline calculator")
            .with_errors(&errors)
            .current_page("/deadline-calculator"),
        page_content(&viewer, &form, &errors, out.as_ref()),
    );
    if errors.is_empty() {
        Ok(markup.into_response())
    } else {
        Ok(refused(markup))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_the_command_line_s_arguments() {
        let form = FormData::from_pairs([
            ("regime", "foi"),
            ("received-day", "3"),
            ("received-month", "3"),
            ("received-year", "2025"),
            ("events[0].kind", "clarification_sought"),
            ("events[0]-day", "5"),
            ("events[0]-month", "3"),
            ("events[0]-year", "2025"),
        ]);
        let args = args_from(&form).unwrap().unwrap();
        assert_eq!(args.received, "2025-03-03");
        assert_eq!(args.events, ["clarification_sought:2025-03-05"]);
        assert!(args_from(&FormData::default()).is_none());
        let missing = FormData::from_pairs([("regime", "foi"), ("events[1]-day", "5")]);
        let err = args_from(&missing).unwrap().unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["received", "events[1].kind"]);
        let named = form_errors(Invalid::field("--event[2]", "x"));
        assert_eq!(named.errors[0].field, "events[2]");
    }
}
