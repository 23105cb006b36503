//! An iCalendar (RFC 5545) writer for a partnership's feed: board meetings, project stages,
//! phases and milestones, and MOU review dates, so that board members can subscribe from
//! Outlook or any calendar.
//!
//! The writer escapes TEXT values (backslash, semicolon, comma and line breaks), folds content
//! lines at 75 octets without splitting a UTF-8 character, and ends every line with CRLF.
//! Timed events are given in UK local time and written in UTC, so no VTIMEZONE is needed.

use crate::Invalid;
use crate::board::{Board, Meeting, MeetingStatus};
use crate::mou::ReviewDue;
use crate::project::{DatePlan, DatePrecision, MilestoneKind, Project, Target, done_verb};
use chrono::{Datelike, Days, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

/// When an event happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum EventTime {
    /// Whole days, from `first` to `last` inclusive.
    AllDay {
        /// The first day.
        first: NaiveDate,
        /// The last day.
        last: NaiveDate,
    },
    /// A start in UK local time and a length.
    Timed {
        /// The start, UK local time.
        start: NaiveDateTime,
        /// How long, in minutes.
        minutes: u32,
    },
}

/// One event of a feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct CalendarEvent {
    /// A stable, unique identity, so that a calendar updates the event rather than adding a
    /// second one when the feed is read again.
    pub uid: String,
    /// When.
    pub time: EventTime,
    /// The title.
    pub summary: String,
    /// More detail.
    pub description: Option<String>,
    /// Where.
    pub location: Option<String>,
    /// Categories, for calendar filters.
    pub categories: Vec<String>,
    /// Whether it was called off (kept in the feed so that subscribers see the cancellation).
    pub cancelled: bool,
}

impl CalendarEvent {
    /// An all-day event on one day.
    pub fn on_day(uid: String, date: NaiveDate, summary: String) -> CalendarEvent {
        CalendarEvent {
            uid,
            time: EventTime::AllDay {
                first: date,
                last: date,
            },
            summary,
            description: None,
            location: None,
            categories: Vec::new(),
            cancelled: false,
        }
    }

    fn validate(&self) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        if self.uid.trim().is_empty() || self.uid.chars().any(char::is_control) {
            invalid.push(
                "uid",
                "An event needs an identity without control characters",
            );
        }
        if self.summary.trim().is_empty() {
            invalid.push("summary", "An event needs a title");
        }
        match self.time {
            EventTime::AllDay { first, last } if last < first => {
                invalid.push("time.last", "The last day is before the first");
            }
            EventTime::Timed { minutes: 0, .. } => {
                invalid.push("time.minutes", "A timed event lasts at least a minute");
            }
            _ => {}
        }
        invalid.into_result()
    }
}

/// A calendar: a named list of events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Calendar {
    /// The name calendars show for the subscription.
    pub name: String,
    /// The events.
    pub events: Vec<CalendarEvent>,
}

/// The product identifier written in every feed.
pub const PRODUCT_ID: &str = "-//Accord//Accord shared services//EN";

/// The longest content line, in octets, before folding (RFC 5545 section 3.1).
pub const MAX_LINE_OCTETS: usize = 75;

/// Escapes a TEXT value (RFC 5545 section 3.3.11): backslash, semicolon and comma are
/// escaped, every line break becomes `\n`, and other control characters (which TEXT may not
/// hold) become spaces.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Writes one content line, folded so that no line exceeds 75 octets (a continuation line's
/// leading space counts) and no UTF-8 character is split, ending in CRLF.
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// The start of British Summer Time in a year: 01:00 UTC on the last Sunday of March (the rule
/// in force since 1996).
fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let mut day = next.pred_opt()?;
    while day.weekday() != Weekday::Sun {
        day = day.pred_opt()?;
    }
    Some(day)
}

/// Converts UK local time to UTC. British Summer Time (UTC+1) runs from 01:00 UTC on the last
/// Sunday of March to 01:00 UTC on the last Sunday of October (the rule since 1996). The hour
/// that does not exist in spring is read as summer time; the hour that happens twice in autumn
/// is read as the second, GMT.
pub fn london_to_utc(local: NaiveDateTime) -> NaiveDateTime {
    let year = local.date().year();
    let one = NaiveTime::from_hms_opt(1, 0, 0).unwrap_or_default();
    let (Some(spring), Some(autumn)) = (last_sunday(year, 3), last_sunday(year, 10)) else {
        return local;
    };
    let summer = local >= spring.and_time(one) && local < autumn.and_time(one);
    if summer {
        local - Duration::hours(1)
    } else {
        local
    }
}

fn utc_stamp(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Writes a calendar as RFC 5545 text. `stamp` is when the feed is generated (UTC), written as
/// every event's DTSTAMP; it is passed in so that the output depends on nothing but the input.
pub fn write(calendar: &Calendar, stamp: NaiveDateTime) -> Result<String, Invalid> {
    let mut invalid = Invalid::new();
    for (i, event) in calendar.events.iter().enumerate() {
        if let Err(e) = event.validate() {
            invalid.extend(e.within(&format!("events[{i}].")));
        }
        if calendar.events[..i].iter().any(|e| e.uid == event.uid) {
            invalid.push(
                format!("events[{i}].uid"),
                format!("“{}” is used twice", event.uid),
            );
        }
    }
    invalid.into_result()?;

    let mut out = String::with_capacity(256 + calendar.events.len() * 320);
    push_line(&mut out, "BEGIN:VCALENDAR");
    push_line(&mut out, "VERSION:2.0");
    push_line(&mut out, &format!("PRODID:{PRODUCT_ID}"));
    push_line(&mut out, "CALSCALE:GREGORIAN");
    push_line(&mut out, "METHOD:PUBLISH");
    push_line(
        &mut out,
        &format!("X-WR-CALNAME:{}", escape_text(&calendar.name)),
    );
    let stamp = utc_stamp(stamp);
    for event in &calendar.events {
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:{}", escape_text(&event.uid)));
        push_line(&mut out, &format!("DTSTAMP:{stamp}"));
        match event.time {
            EventTime::AllDay { first, last } => {
                // DTEND of an all-day event is the day after the last (exclusive).
                let end = last.checked_add_days(Days::new(1)).unwrap_or(last);
                push_line(
                    &mut out,
                    &format!("DTSTART;VALUE=DATE:{}", first.format("%Y%m%d")),
                );
                push_line(
                    &mut out,
                    &format!("DTEND;VALUE=DATE:{}", end.format("%Y%m%d")),
                );
                push_line(&mut out, "TRANSP:TRANSPARENT");
            }
            EventTime::Timed { start, minutes } => {
                let start_utc = london_to_utc(start);
                let end_utc = start_utc + Duration::minutes(i64::from(minutes));
                push_line(&mut out, &format!("DTSTART:{}", utc_stamp(start_utc)));
                push_line(&mut out, &format!("DTEND:{}", utc_stamp(end_utc)));
            }
        }
        push_line(
            &mut out,
            &format!("SUMMARY:{}", escape_text(&event.summary)),
        );
        if let Some(description) = &event.description {
            push_line(
                &mut out,
                &format!("DESCRIPTION:{}", escape_text(description)),
            );
        }
        if let Some(location) = &event.location {
            push_line(&mut out, &format!("LOCATION:{}", escape_text(location)));
        }
        if !event.categories.is_empty() {
            let list: Vec<String> = event.categories.iter().map(|c| escape_text(c)).collect();
            push_line(&mut out, &format!("CATEGORIES:{}", list.join(",")));
        }
        if event.cancelled {
            push_line(&mut out, "STATUS:CANCELLED");
        }
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    Ok(out)
}

/// A board meeting as an event. Agenda and paper titles are left out: papers may be embargoed
/// until their decision (MOU 5.5), and a feed is read outside Accord's access control.
pub fn meeting_event(partnership: i64, board: &Board, meeting: &Meeting) -> CalendarEvent {
    let time = match meeting.start_time {
        Some(t) => EventTime::Timed {
            start: meeting.date.and_time(t),
            minutes: meeting.duration_minutes.max(1),
        },
        None => EventTime::AllDay {
            first: meeting.date,
            last: meeting.date,
        },
    };
    let mut description = format!("{} meeting {}.", board.name, meeting.number);
    if let Some(chair) = &meeting.chair {
        description.push_str(&format!(" Chaired by {chair}."));
    }
    CalendarEvent {
        uid: format!(
            "partnership-{partnership}-board-{}-meeting-{}@accord",
            board.level.slug(),
            meeting.number
        ),
        time,
        summary: format!("{}: meeting {}", board.name, meeting.number),
        description: Some(description),
        location: meeting.location.clone(),
        categories: vec!["Board meeting".to_owned(), board.name.clone()],
        cancelled: meeting.status == MeetingStatus::Cancelled,
    }
}

/// The days a vague date covers: a month for "Sep 2011", June to August for "mid 2012".
fn span(plan: &DatePlan) -> (NaiveDate, NaiveDate) {
    let date = plan.current();
    let p = plan.precision;
    let end = p.period_end(date);
    let first = match p {
        DatePrecision::Day => date,
        DatePrecision::EndOfMonth => end - Duration::days(9),
        DatePrecision::MidYear => NaiveDate::from_ymd_opt(date.year(), 6, 1).unwrap_or(date),
        _ => p.normalise(date),
    };
    (first.min(end), end)
}

/// A project's stages, phases and milestones as all-day events on their current dates (the
/// actual, else the forecast, else the baseline); a date known only to the month spans the
/// month. The description gives the slippage in words as on `today`.
pub fn project_events(partnership: i64, project: &Project, today: NaiveDate) -> Vec<CalendarEvent> {
    project
        .dated_items()
        .map(|(target, name, plan)| {
            let (key, category) = match target {
                Target::Stage { stage } => (format!("stage-{}", stage.slug()), "Stage"),
                Target::Phase { number } => (format!("phase-{number}"), "Phase"),
                Target::Milestone { number } => {
                    let kind = project
                        .milestones
                        .iter()
                        .find(|m| m.number == number)
                        .map_or(MilestoneKind::Delivery, |m| m.kind);
                    let category = match kind {
                        MilestoneKind::Review => "Review",
                        MilestoneKind::Decision => "Decision",
                        MilestoneKind::Delivery => "Milestone",
                    };
                    (format!("milestone-{number}"), category)
                }
            };
            let (first, last) = span(plan);
            CalendarEvent {
                uid: format!(
                    "partnership-{partnership}-project-{}-{key}@accord",
                    project.id
                ),
                time: EventTime::AllDay { first, last },
                summary: format!("{}: {name}", project.name),
                description: Some(format!(
                    "{}. Baseline {}.",
                    plan.describe(&name, done_verb(target), today),
                    plan.precision.label(plan.baseline)
                )),
                location: None,
                categories: vec![category.to_owned(), project.name.clone()],
                cancelled: false,
            }
        })
        .collect()
}

/// MOU review dates (quarterly and annual, MOU 9.1) as all-day events.
pub fn review_events(partnership: i64, reviews: &[ReviewDue]) -> Vec<CalendarEvent> {
    reviews
        .iter()
        .map(|review| {
            let mut event = CalendarEvent::on_day(
                format!(
                    "partnership-{partnership}-mou-review-{}@accord",
                    review.date.format("%Y%m%d")
                ),
                review.date,
                "MOU review due".to_owned(),
            );
            event.description = Some(format!("Review by {}.", review.by.join("; ")));
            event.categories = vec!["MOU review".to_owned()];
            event
        })
        .collect()
}

/// An open information request's deadlines as all-day events, for the single points of
/// contact's feed: the forwarding target while it waits to be forwarded, the internal target,
/// the statutory due date and any extended one. `id` is the request's record; the summary
/// holds the reference and what was asked for, never the requester.
pub fn request_events(
    partnership: i64,
    id: i64,
    request: &crate::request::Request,
    dates: &crate::request::DueDates,
) -> Vec<CalendarEvent> {
    if !request.is_open() {
        return Vec::new();
    }
    let mut events = Vec::new();
    let mut push = |what: &str, slug: &str, date: Option<NaiveDate>| {
        if let Some(date) = date {
            let mut event = CalendarEvent::on_day(
                format!("partnership-{partnership}-request-{id}-{slug}@accord"),
                date,
                format!("{}: {what}", request.reference),
            );
            event.description = Some(format!(
                "{} ({}). Stage: {}.",
                request.summary,
                request.regime.name(),
                request.stage.label().to_lowercase()
            ));
            event.categories = vec![
                "Information request".to_owned(),
                request.regime.slug().to_uppercase(),
            ];
            events.push(event);
        }
    };
    if request.stage == crate::request::Stage::Received {
        push(
            "forward to the single point of contact",
            "forward",
            Some(request.forwarding_due),
        );
    }
    push("internal target", "target", dates.internal_target);
    push("statutory due date", "due", dates.statutory);
    push("extended due date", "extended", dates.extended);
    events
}

/// A partnership's feed: every board meeting, every dated project item and the MOU reviews.
pub fn partnership_calendar(
    partnership: i64,
    name: &str,
    boards: &[Board],
    projects: &[Project],
    reviews: &[ReviewDue],
    today: NaiveDate,
) -> Calendar {
    let mut events = Vec::new();
    for board in boards {
        events.extend(
            board
                .meetings
                .iter()
                .map(|m| meeting_event(partnership, board, m)),
        );
    }
    for project in projects {
        events.extend(project_events(partnership, project, today));
    }
    events.extend(review_events(partnership, reviews));
    Calendar {
        name: name.to_owned(),
        events,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::{Board, BoardLevel, MeetingInput};
    use crate::progress_report::{demo_as_at, demo_haringey_waltham_forest};
    use crate::{GssCode, Member, MemberRole, MemberStatus, Partnership};
    use icalendar::parser::{read_calendar, unfold};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(y: i32, m: u32, day: u32, h: u32, min: u32) -> NaiveDateTime {
        d(y, m, day).and_hms_opt(h, min, 0).unwrap()
    }

    fn stamp() -> NaiveDateTime {
        t(2011, 7, 21, 9, 0)
    }

    #[test]
    fn an_open_request_s_deadlines_are_events_without_the_requester() {
        use crate::request::{Channel, Context, NewRequest, Protocol, Regime, Request, Requester};
        use crate::working_days::{CalendarScope, HolidayTable};
        let calendar = HolidayTable::new().calendar(CalendarScope::UnitedKingdom);
        let protocol = Protocol::default();
        let ctx = Context {
            today: d(2025, 3, 3),
            calendar: &calendar,
            protocol: &protocol,
        };
        let code = |c| GssCode::parse("gss", c).unwrap();
        let request = Request::receive(
            NewRequest {
                reference: "FOI-2025-0001".into(),
                councils: vec![code("E09000014"), code("E09000031")],
                received_by: code("E09000014"),
                channel: Channel::Email,
                received_at: t(2025, 3, 3, 9, 0),
                requester: Requester {
                    name: "Ann Example".into(),
                    contact: "ann@example.invalid".into(),
                },
                summary: "Costs, savings; and staff".into(),
                regime: Regime::Foi,
            },
            &ctx,
        )
        .unwrap();
        let dates = request.due_dates(&calendar, &protocol).unwrap();
        let events = request_events(7, 42, &request, &dates);
        let summaries: Vec<(&str, NaiveDate)> = events
            .iter()
            .map(|e| match e.time {
                EventTime::AllDay { first, .. } => (e.summary.as_str(), first),
                EventTime::Timed { .. } => panic!("all-day events only"),
            })
            .collect();
        assert_eq!(
            summaries,
            [
                (
                    "FOI-2025-0001: forward to the single point of contact",
                    d(2025, 3, 5)
                ),
                ("FOI-2025-0001: internal target", d(2025, 3, 25)),
                ("FOI-2025-0001: statutory due date", d(2025, 4, 1)),
            ]
        );
        let text = write(
            &Calendar {
                name: "Deadlines".into(),
                events,
            },
            stamp(),
        )
        .unwrap();
        assert!(!text.contains("Ann") && !text.contains("example.invalid"));
        let parsed = parse(&text);
        assert_eq!(parsed.len(), 3);
        assert!(text.contains("UID:partnership-7-request-42-due@accord"));
    }

    /// Parses with the `icalendar` crate and returns, per event, its properties (name, value,
    /// parameters). The parser unfolds lines and unescapes TEXT values itself.
    /// A parsed property: name, value, parameters.
    type Prop = (String, String, Vec<(String, String)>);

    fn parse(text: &str) -> Vec<Vec<Prop>> {
        let unfolded = unfold(text);
        let calendar =
            read_calendar(&unfolded).unwrap_or_else(|e| panic!("does not parse: {e}\n{text}"));
        assert!(
            calendar
                .properties
                .iter()
                .any(|p| p.name == "VERSION" && p.val == "2.0")
        );
        calendar
            .components
            .iter()
            .filter(|c| c.name == "VEVENT")
            .map(|c| {
                c.properties
                    .iter()
                    .map(|p| {
                        (
                            p.name.as_str().to_owned(),
                            p.val.as_str().to_owned(),
                            p.params
                                .iter()
                                .map(|q| {
                                    (
                                        q.key.as_str().to_owned(),
                                        q.val
                                            .as_ref()
                                            .map(|v| v.as_str().to_owned())
                                            .unwrap_or_default(),
                                    )
                                })
                                .collect(),
                        )
                    })
                    .collect()
            })
            .collect()
    }

    fn prop<'a>(event: &'a [Prop], name: &str) -> &'a str {
        &event
            .iter()
            .find(|p| p.0 == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .1
    }

    fn check_lines(text: &str) {
        assert!(text.ends_with("\r\n"));
        for line in text.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(
                line.len() <= MAX_LINE_OCTETS,
                "{} octets: {line:?}",
                line.len()
            );
            assert!(
                !line.contains('\n') && !line.contains('\r'),
                "bare line break in {line:?}"
            );
        }
        assert!(!text.replace("\r\n", "").contains('\n'), "LF without CR");
    }

    #[test]
    fn escaping_survives_a_real_parser() {
        let cases = [
            "Plain",
            "Commas, semicolons; and back\\slashes",
            "Two\nlines\r\nand a CR\ronly",
            "Ends with a backslash \\",
            "Already escaped \\n stays literal",
            "Tab\tkept, bell\u{7} dropped",
        ];
        for summary in cases {
            let mut event =
                CalendarEvent::on_day("u1@accord".into(), d(2011, 7, 21), summary.into());
            event.description = Some(summary.into());
            event.categories = vec!["A, with comma".into(), "B;semi".into()];
            let text = write(
                &Calendar {
                    name: "Test".into(),
                    events: vec![event],
                },
                stamp(),
            )
            .unwrap();
            check_lines(&text);
            let events = parse(&text);
            let expected = summary
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .replace('\u{7}', " ");
            assert_eq!(prop(&events[0], "SUMMARY"), expected, "{summary:?}");
            assert_eq!(prop(&events[0], "DESCRIPTION"), expected);
            assert!(
                text.contains("CATEGORIES:A\\, with comma,B\\;semi\r\n"),
                "{text}"
            );
        }
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let cases = [
            "x".repeat(74),
            "x".repeat(75),
            "x".repeat(76),
            "x".repeat(500),
            // Two-, three- and four-byte characters placed across the fold points.
            format!("{}é{}", "x".repeat(66), "é".repeat(80)),
            format!("{}€{}", "y".repeat(65), "€".repeat(60)),
            "😀".repeat(70),
            "Haringey – Waltham Forest: “Phase 2 likely to slip from Jul to Sep 2011”, £100,000; "
                .repeat(4),
            format!("{}\\,", "z".repeat(64)),
        ];
        for summary in cases {
            let event =
                CalendarEvent::on_day("fold@accord".into(), d(2011, 7, 21), summary.clone());
            let text = write(
                &Calendar {
                    name: "Folding".into(),
                    events: vec![event],
                },
                stamp(),
            )
            .unwrap();
            check_lines(&text);
            let events = parse(&text);
            assert_eq!(prop(&events[0], "SUMMARY"), summary);
        }
    }

    #[test]
    fn meetings_are_timed_in_utc_and_milestones_span_their_precision() {
        let p = Partnership {
            id: 7,
            name: "Haringey – Waltham Forest".into(),
            summary: String::new(),
            source: None,
            members: ["E09000014", "E09000031"]
                .iter()
                .map(|c| Member {
                    authority: GssCode::parse("gss", c).unwrap(),
                    role: MemberRole::Lead,
                    status: MemberStatus::Active,
                    joined: None,
                    left: None,
                })
                .collect(),
        };
        let mut board = Board::new(BoardLevel::Programme, &p, d(2011, 1, 1)).unwrap();
        let summer = board
            .add_meeting(MeetingInput {
                date: d(2011, 7, 26),
                start_time: NaiveTime::from_hms_opt(14, 0, 0),
                duration_minutes: Some(90),
                location: Some("Civic Centre, Wood Green; Room 1".into()),
            })
            .unwrap();
        let winter = board
            .add_meeting(MeetingInput {
                date: d(2011, 12, 6),
                start_time: NaiveTime::from_hms_opt(10, 0, 0),
                duration_minutes: None,
                location: None,
            })
            .unwrap();
        board
            .add_meeting(MeetingInput {
                date: d(2011, 8, 9),
                start_time: None,
                duration_minutes: None,
                location: None,
            })
            .unwrap();
        board.cancel_meeting(3).unwrap();
        let projects = demo_haringey_waltham_forest();
        let calendar = partnership_calendar(
            7,
            "Shared services",
            std::slice::from_ref(&board),
            &projects,
            &[],
            demo_as_at(),
        );
        let text = write(&calendar, stamp()).unwrap();
        check_lines(&text);
        let events = parse(&text);
        assert_eq!(events.len(), calendar.events.len());

        let by_uid = |uid: &str| {
            events
                .iter()
                .find(|e| prop(e, "UID") == uid)
                .unwrap_or_else(|| panic!("{uid}"))
        };
        let m = by_uid(&format!(
            "partnership-7-board-programme-meeting-{summer}@accord"
        ));
        assert_eq!(
            prop(m, "DTSTART"),
            "20110726T130000Z",
            "14:00 BST is 13:00 UTC"
        );
        assert_eq!(prop(m, "DTEND"), "20110726T143000Z");
        assert_eq!(prop(m, "LOCATION"), "Civic Centre, Wood Green; Room 1");
        assert_eq!(prop(m, "DTSTAMP"), "20110721T090000Z");
        let w = by_uid(&format!(
            "partnership-7-board-programme-meeting-{winter}@accord"
        ));
        assert_eq!(prop(w, "DTSTART"), "20111206T100000Z", "10:00 GMT");
        assert_eq!(
            prop(w, "DTEND"),
            "20111206T113000Z",
            "the board's 90 minutes"
        );
        let c = by_uid("partnership-7-board-programme-meeting-3@accord");
        assert_eq!(prop(c, "STATUS"), "CANCELLED");
        assert_eq!(prop(c, "DTSTART"), "20110809");

        // Phase 2 of economic development: forecast Sep 2011, spanning the month.
        let phase = by_uid("partnership-7-project-1-phase-2@accord");
        assert_eq!(prop(phase, "DTSTART"), "20110901");
        assert!(
            phase
                .iter()
                .any(|p| p.0 == "DTSTART" && p.2 == vec![("VALUE".to_owned(), "DATE".to_owned())])
        );
        assert_eq!(prop(phase, "DTEND"), "20111001", "exclusive end");
        assert_eq!(prop(phase, "SUMMARY"), "Economic Development: Phase 2");
        assert_eq!(
            prop(phase, "DESCRIPTION"),
            "Phase 2 likely to slip from Jul to Sep 2011. Baseline Jul 2011."
        );
        let review = by_uid("partnership-7-project-13-milestone-1@accord");
        assert_eq!(prop(review, "CATEGORIES"), "Review,Legal Services");
    }

    #[test]
    fn london_time_follows_british_summer_time() {
        let cases = [
            (t(2011, 3, 27, 0, 59), t(2011, 3, 27, 0, 59)),
            (t(2011, 3, 27, 2, 0), t(2011, 3, 27, 1, 0)),
            (t(2011, 7, 26, 14, 0), t(2011, 7, 26, 13, 0)),
            (t(2011, 10, 30, 0, 30), t(2011, 10, 29, 23, 30)),
            (t(2011, 10, 30, 1, 30), t(2011, 10, 30, 1, 30)),
            (t(2011, 12, 6, 10, 0), t(2011, 12, 6, 10, 0)),
            (t(2014, 3, 30, 9, 0), t(2014, 3, 30, 8, 0)),
        ];
        for (local, utc) in cases {
            assert_eq!(london_to_utc(local), utc, "{local}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_round_trips_through_a_real_parser(body in "[a-zA-Z0-9 é€😀–,;:\\\\\n\"]{0,300}") {
            let summary = format!("S{body}");
            let event = CalendarEvent::on_day("prop@accord".into(), d(2011, 7, 21), summary.clone());
            let text = write(&Calendar { name: "Property".into(), events: vec![event] }, stamp()).unwrap();
            check_lines(&text);
            let events = parse(&text);
            proptest::prop_assert_eq!(prop(&events[0], "SUMMARY"), summary.as_str());
        }
    }

    #[test]
    fn bad_events_are_refused() {
        let mut a = CalendarEvent::on_day("same@accord".into(), d(2011, 7, 21), "A".into());
        a.time = EventTime::AllDay {
            first: d(2011, 7, 21),
            last: d(2011, 7, 20),
        };
        let b = CalendarEvent::on_day("same@accord".into(), d(2011, 7, 21), " ".into());
        let c = CalendarEvent {
            time: EventTime::Timed {
                start: t(2011, 7, 21, 9, 0),
                minutes: 0,
            },
            ..CalendarEvent::on_day("x\ny".into(), d(2011, 7, 21), "C".into())
        };
        let err = write(
            &Calendar {
                name: "Bad".into(),
                events: vec![a, b, c],
            },
            stamp(),
        )
        .unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "events[0].time.last",
                "events[1].summary",
                "events[1].uid",
                "events[2].uid",
                "events[2].time.minutes"
            ]
        );
    }
}
