//! Information-law requests handled jointly under the protocol (MOU Schedule 4): the register,
//! each request with its timeline and deadline working, the single points of contact's
//! caseload, quarterly statistics, the public disclosure log, an iCalendar feed of deadlines,
//! the public deadline calculator and the administrators' bank-holiday page.
//!
//! The pages and the API translate between HTTP and the use cases of
//! `accord_app::requests`, which hold every rule and every read.
//!
//! Who may do what: the register lives in `Area::Information`, so only the information role
//! (each council's single point of contact) logs and moves requests; everyone in the
//! partnership reads the register, and the requester, kept apart as personal data, is read by
//! the information role alone. The calculator and the disclosure log are public.

pub mod actions;
pub mod calculator;
pub mod caseload;
pub mod disclosure;
pub mod holidays;
pub mod ical;
pub mod register;
pub mod show;
pub mod statistics;

use accord_domain::access::{Action as Access, Area};
use accord_domain::mou::long_date;
use accord_domain::request::{Deadline, Deadlines, Flag, Stage, Timeliness, is_reference};
use accord_domain::working_days::Step;
use maud::{Markup, html};
use utoipa_axum::routes;

use crate::api::requests as api;
use crate::components::{TagColour, details, tag};
use crate::guard::Guard;
use crate::routes::Routes;

/// The record kind the request routes guard.
const REQUEST: &str = accord_app::requests::REQUEST_KIND;

/// Every route of the request register, its pages and its API. A request is addressed by its
/// reference (`/partnerships/1/requests/FOI-2026-0113`); the guard redirects an old address by
/// record id.
pub fn routes(r: Routes) -> Routes {
    let read = Guard::Partnership(Area::Information, Access::Read);
    let create = Guard::Partnership(Area::Information, Access::Create);
    // The caseload and the deadline feed are the single points of contact's tools: the same
    // right as working a request.
    let work = Guard::Partnership(Area::Information, Access::Update);
    let show = Guard::Record(REQUEST, Access::Read);
    let change = Guard::Record(REQUEST, Access::Update);
    r.get("/deadline-calculator", Guard::Public, calculator::page)
        .get("/admin/holidays", Guard::Admin, holidays::page)
        .post("/admin/holidays", Guard::Admin, holidays::add)
        .post(
            "/admin/holidays/{holiday_id}/remove",
            Guard::Admin,
            holidays::remove,
        )
        .get("/partnerships/{id}/requests", read, register::index)
        .get(
            "/partnerships/{id}/requests/new",
            create,
            register::new_form,
        )
        .post("/partnerships/{id}/requests", create, register::create)
        .get("/partnerships/{id}/requests/caseload", work, caseload::page)
        .get(
            "/partnerships/{id}/requests/statistics",
            read,
            statistics::page,
        )
        .get(
            "/partnerships/{id}/requests/statistics.csv",
            read,
            statistics::csv,
        )
        .get(
            "/partnerships/{id}/requests/deadlines.ics",
            work,
            ical::feed,
        )
        .get("/partnerships/{id}/disclosure-log", read, disclosure::page)
        .get("/partnerships/{id}/requests/{reference}", show, show::page)
        .get(
            "/partnerships/{id}/requests/{reference}/actions/{action}",
            change,
            show::action_form,
        )
        .post(
            "/partnerships/{id}/requests/{reference}/actions/{action}",
            change,
            show::action,
        )
        .get(
            "/partnerships/{id}/requests/{reference}/review",
            change,
            show::review_form,
        )
        .post(
            "/partnerships/{id}/requests/{reference}/review",
            change,
            show::review,
        )
        .get(
            "/partnerships/{id}/requests/{reference}/complaint",
            change,
            show::complaint_form,
        )
        .post(
            "/partnerships/{id}/requests/{reference}/complaint",
            change,
            show::complaint,
        )
        .api(Guard::Public, routes!(api::deadline))
        .api(read, routes!(api::list))
        .api(create, routes!(api::create))
        .api(read, routes!(api::statistics))
        .api(read, routes!(api::disclosure_log))
        .api(show, routes!(api::show))
        .api(change, routes!(api::action))
        .api(change, routes!(api::review))
        .api(change, routes!(api::complaint))
}

/// The address of a request's page: by its reference, or (for a reference an earlier release
/// accepted that cannot be an address) by its record id.
pub fn request_path(partnership_id: i64, reference: &str, record_id: i64) -> String {
    if is_reference(reference) {
        format!("/partnerships/{partnership_id}/requests/{reference}")
    } else {
        format!("/partnerships/{partnership_id}/requests/{record_id}")
    }
}

/// A stage as a tag: colour and words, never colour alone.
pub fn stage_tag(stage: Stage) -> Markup {
    let colour = match stage {
        Stage::Received | Stage::Forwarded => TagColour::Blue,
        Stage::Acknowledged | Stage::Drafting => TagColour::Default,
        Stage::AwaitingClarification | Stage::AwaitingFee => TagColour::Yellow,
        Stage::Consultation | Stage::CommsClearance => TagColour::Purple,
        Stage::ResponseSent => TagColour::Green,
        Stage::Closed => TagColour::Grey,
    };
    tag(stage.label(), colour)
}

/// Timeliness as a tag.
pub fn timeliness_tag(t: Timeliness) -> Markup {
    let colour = match t {
        Timeliness::InTime => TagColour::Green,
        Timeliness::WithinExtension => TagColour::Yellow,
        Timeliness::Late => TagColour::Red,
    };
    tag(t.label(), colour)
}

/// A date as GOV.UK writes it, or a phrase when there is none.
pub fn date_or(date: Option<chrono::NaiveDate>, none: &str) -> Markup {
    html! {
        @match date {
            Some(d) => (long_date(d)),
            None => span class="govuk-hint" { (none) },
        }
    }
}

/// The working of one computed date: every day from the start to the due date, counted or
/// skipped and why, in a table revealed on demand.
pub fn working(label: &str, deadline: &Deadline) -> Markup {
    let counted = deadline
        .working
        .iter()
        .filter(|s| matches!(s, Step::Counted { .. }))
        .count();
    let skipped = deadline.working.len() - counted;
    html! {
        p class="govuk-body" { strong { (label) ": " (long_date(deadline.due)) } br; (deadline.rule) }
        @for note in &deadline.notes { p class="govuk-body-s" { (note) } }
        @if !deadline.working.is_empty() {
            (details(&format!("Show the working for {} ({counted} days counted, {skipped} skipped)", label.to_lowercase()), html! {
                table class="govuk-table accord-requests-working" {
                    caption class="govuk-table__caption govuk-table__caption--s" { "Working: " (label.to_lowercase()) ", counted from " (long_date(deadline.start)) }
                    thead class="govuk-table__head" {
                        tr class="govuk-table__row" {
                            th scope="col" class="govuk-table__header" { "Date" }
                            th scope="col" class="govuk-table__header" { "Counted" }
                            th scope="col" class="govuk-table__header" { "Day or reason skipped" }
                        }
                    }
                    tbody class="govuk-table__body" {
                        @for step in &deadline.working {
                            @match step {
                                Step::Counted { date, day } => {
                                    tr class="govuk-table__row" {
                                        th scope="row" class="govuk-table__header" { (date.format("%a %-d %b %Y")) }
                                        td class="govuk-table__cell" { "Yes" }
                                        td class="govuk-table__cell" { "Day " (day) }
                                    }
                                },
                                Step::Skipped { date, reason } => {
                                    tr class="govuk-table__row accord-requests-working__skipped" {
                                        th scope="row" class="govuk-table__header" { (date.format("%a %-d %b %Y")) }
                                        td class="govuk-table__cell" { "No" }
                                        td class="govuk-table__cell" { (reason) }
                                    }
                                },
                            }
                        }
                    }
                }
            }))
        }
    }
}

/// The dates of a request's deadlines with their working, and the clock's flags.
pub fn deadlines_panel(d: &Deadlines) -> Markup {
    html! {
        @if !d.flags.is_empty() {
            div class="govuk-warning-text" {
                span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                strong class="govuk-warning-text__text" {
                    span class="govuk-visually-hidden" { "Warning" }
                    ul class="govuk-list" {
                        @for f in &d.flags { li { (flag_text(f)) } }
                    }
                }
            }
        }
        @match &d.statutory {
            Some(s) => (working("Statutory due date", s)),
            None => p class="govuk-body" { "The clock is stopped: there is no due date until the requester replies." },
        }
        @if let Some(e) = &d.extended { (working("Extended due date", e)) }
        @if let Some(t) = &d.internal_target { (working("Internal target", t)) }
        @if let Some(pay_by) = d.fee_pay_by {
            p class="govuk-body" { "The fee must be paid by " (long_date(pay_by)) ", or the request lapses." }
        }
        @if let Some(t) = d.timeliness { p class="govuk-body" { "Timeliness: " (timeliness_tag(t)) } }
    }
}

/// A clock flag in words, with GOV.UK dates.
pub fn flag_text(flag: &Flag) -> String {
    flag.message()
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_domain::request::{Protocol, Regime, deadlines_with};
    use accord_domain::working_days::{CalendarScope, HolidayTable};

    #[test]
    fn the_working_lists_every_day_with_its_reason() {
        let calendar = HolidayTable::new().calendar(CalendarScope::UnitedKingdom);
        let received = chrono::NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
        let d =
            deadlines_with(Regime::Foi, received, &[], &calendar, &Protocol::default()).unwrap();
        let html = deadlines_panel(&d).into_string();
        assert!(html.contains("1 April 2025"), "{html}");
        assert!(html.contains("St Patrick’s Day, Northern Ireland"));
        assert!(html.contains("Day 20"));
        assert!(html.contains("20 days counted, 9 skipped"));
    }
}
