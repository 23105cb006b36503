//! The memorandum of understanding (MOU) between partner councils and its clock: when it
//! started, when it ends (on a date, at an event such as local elections, or early by notice),
//! and when its next review is due.

use crate::{GssCode, Invalid, Partnership};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// How an MOU ends if nobody ends it early.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum MouEnd {
    /// On a fixed date.
    Date {
        /// The last day of the MOU is the day before this date; it has ended on this date.
        date: NaiveDate,
    },
    /// At an event, e.g. "the local elections of 2014" (MOU 8.3), on the event's date.
    Event {
        /// The event, in words.
        name: String,
        /// The date of the event.
        date: NaiveDate,
    },
    /// No end agreed.
    Open,
}

impl MouEnd {
    /// The date the MOU ends, if one is set.
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            MouEnd::Date { date } | MouEnd::Event { date, .. } => Some(*date),
            MouEnd::Open => None,
        }
    }

    /// The end in words: "22 May 2014 (the local elections of 2014)".
    pub fn describe(&self) -> String {
        match self {
            MouEnd::Date { date } => long_date(*date),
            MouEnd::Event { name, date } => format!("{} ({name})", long_date(*date)),
            MouEnd::Open => "no end date agreed".to_owned(),
        }
    }
}

/// Something that happened to an MOU after it was agreed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum MouEvent {
    /// Written notice of early termination by one party (MOU 8.3.1).
    Notice {
        /// The council that gave notice.
        given_by: GssCode,
        /// When the notice was given.
        given_on: NaiveDate,
        /// When the termination takes effect.
        effective: NaiveDate,
    },
    /// Extension by mutual agreement (MOU 8.2).
    Extension {
        /// When it was agreed.
        agreed_on: NaiveDate,
        /// The new end.
        new_end: MouEnd,
    },
    /// A variation of terms by mutual agreement (MOU 9.1.3).
    Variation {
        /// When it was agreed.
        agreed_on: NaiveDate,
        /// What changed.
        description: String,
    },
}

impl MouEvent {
    /// The date the event was recorded as happening.
    pub fn date(&self) -> NaiveDate {
        match self {
            MouEvent::Notice { given_on, .. } => *given_on,
            MouEvent::Extension { agreed_on, .. } | MouEvent::Variation { agreed_on, .. } => {
                *agreed_on
            }
        }
    }
}

/// A shared value (MOU 3.3), with what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MouValue {
    /// The value's name, e.g. "Transparency".
    pub name: String,
    /// What it means in the partnership.
    pub description: String,
}

/// The MOU of a partnership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mou {
    /// When the councils' executives agreed it.
    pub agreed: Option<NaiveDate>,
    /// When it was signed.
    pub signed: Option<NaiveDate>,
    /// When it commenced (MOU 8.1: from signature); `None` means "from signature, or from
    /// agreement when the signature date is not stated".
    pub commencement: Option<NaiveDate>,
    /// How it ends.
    pub end: MouEnd,
    /// Whether the parties intend it to be legally binding (MOU 1.3 says not).
    pub legally_binding: bool,
    /// Whether the members commit to be each other's preferred partner (MOU 1.1.1, 3.2.1).
    pub preferred_partner: bool,
    /// The shared values (MOU 3.3).
    pub values: Vec<MouValue>,
    /// The principles of joint working, as text.
    pub principles: String,
    /// Who reviews it quarterly (MOU 9.1.1), if anyone.
    pub quarterly_review_by: Option<String>,
    /// Who reviews it annually (MOU 9.1.2), if anyone.
    pub annual_review_by: Option<String>,
    /// How governance and programme costs are shared (MOU 7.1), in words.
    pub cost_sharing: String,
    /// Notices, extensions and variations, in the order recorded.
    pub events: Vec<MouEvent>,
    /// Where the record comes from, if not entered by a user.
    pub source: Option<String>,
}

/// Where an MOU stands on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum MouStatus {
    /// Agreed but not started.
    NotYetInForce,
    /// In force.
    InForce,
    /// Ended, and why.
    Ended {
        /// The date it ended.
        on: NaiveDate,
        /// Why, in words.
        reason: String,
    },
    /// Not enough dates are known to say.
    Unknown,
}

/// Which review is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewKind {
    /// The quarterly review (MOU 9.1.1).
    Quarterly,
    /// The annual review (MOU 9.1.2).
    Annual,
}

/// A review falling due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewDue {
    /// The date it is due.
    pub date: NaiveDate,
    /// Which reviews fall on that date (quarterly and annual can coincide).
    pub kinds: Vec<ReviewKind>,
    /// Who carries them out, in words.
    pub by: Vec<String>,
}

/// The MOU's clock as seen on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MouClock {
    /// The day the clock was read.
    pub today: NaiveDate,
    /// The status on that day.
    pub status: MouStatus,
    /// When it commenced, as far as known.
    pub starts: Option<NaiveDate>,
    /// When it ends or ended, after notices and extensions.
    pub ends: Option<NaiveDate>,
    /// Why it ends then, in words.
    pub ends_because: String,
    /// Days from `today` to `ends` (negative once past).
    pub days_to_end: Option<i64>,
    /// The next review on or after `today`, while the MOU is in force.
    pub next_review: Option<ReviewDue>,
    /// The most recent review date before `today`.
    pub last_review: Option<ReviewDue>,
}

impl Mou {
    /// The date from which the MOU runs: commencement, else signature, else agreement.
    pub fn starts(&self) -> Option<NaiveDate> {
        self.commencement.or(self.signed).or(self.agreed)
    }

    /// The end after extensions (the latest agreed extension replaces the original end) and
    /// notices (the earliest effective notice ends it sooner), with the reason in words.
    pub fn effective_end(&self) -> (Option<NaiveDate>, String) {
        let mut end = self.end.clone();
        let mut extended = None;
        for event in &self.events {
            if let MouEvent::Extension { agreed_on, new_end } = event {
                end = new_end.clone();
                extended = Some(*agreed_on);
            }
        }
        let planned = end.date();
        let mut reason = match (&end, extended) {
            (MouEnd::Open, _) => "no end date agreed".to_owned(),
            (_, Some(agreed)) => format!(
                "ends {} as extended on {}",
                end.describe(),
                long_date(agreed)
            ),
            (_, None) => format!("ends {}", end.describe()),
        };
        let notice = self
            .events
            .iter()
            .filter_map(|e| match e {
                MouEvent::Notice {
                    given_by,
                    given_on,
                    effective,
                } => Some((*effective, given_by, *given_on)),
                _ => None,
            })
            .min_by_key(|(effective, _, _)| *effective);
        match notice {
            Some((effective, by, given)) if planned.is_none_or(|p| effective < p) => {
                reason = format!(
                    "terminated by written notice from {by} given on {}",
                    long_date(given)
                );
                (Some(effective), reason)
            }
            _ => (planned, reason),
        }
    }

    /// Validates the MOU's own dates and events against the partnership it belongs to.
    pub fn validate(&self, partnership: &Partnership) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        if let (Some(agreed), Some(signed)) = (self.agreed, self.signed)
            && signed < agreed
        {
            invalid.push(
                "signed",
                format!("{signed} is before the MOU was agreed on {agreed}"),
            );
        }
        let starts = self.starts();
        if let (Some(start), Some(end)) = (starts, self.end.date())
            && end <= start
        {
            invalid.push(
                "end_date",
                format!("the MOU would end on {end}, which is not after it starts on {start}"),
            );
        }
        if let MouEnd::Event { name, .. } = &self.end
            && name.trim().is_empty()
        {
            invalid.push(
                "end_event",
                "Name the event at which the MOU ends, e.g. the local elections of 2014",
            );
        }
        // Each event is checked against the MOU as it stood when the event was recorded.
        let mut so_far = Mou {
            events: Vec::new(),
            ..self.clone()
        };
        for (i, event) in self.events.iter().enumerate() {
            let checked = so_far.validate_event(event, partnership);
            so_far.events.push(event.clone());
            if let Err(e) = checked {
                invalid.extend(e.within(&format!("events[{i}].")));
            }
        }
        invalid.into_result()
    }

    /// Validates one event before it is recorded: notice only from a member, effective no
    /// earlier than given, no event before the MOU starts, extensions that move the end later.
    pub fn validate_event(
        &self,
        event: &MouEvent,
        partnership: &Partnership,
    ) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        if let Some(start) = self.starts()
            && event.date() < start
        {
            invalid.push(
                "date",
                format!("{} is before the MOU started on {start}", event.date()),
            );
        }
        match event {
            MouEvent::Notice {
                given_by,
                given_on,
                effective,
            } => {
                if !partnership.is_member_on(given_by, *given_on) {
                    invalid.push("given_by", format!("{given_by} was not a member of {partnership} on {given_on}, so it cannot give notice"));
                }
                if effective < given_on {
                    invalid.push("effective", format!("notice cannot take effect on {effective}, before it was given on {given_on}"));
                }
            }
            MouEvent::Extension { new_end, .. } => match (new_end.date(), self.effective_end().0) {
                (Some(new), Some(current)) if new <= current => {
                    invalid.push("new_end", format!("an extension must end after the current end, {current}; {new} is not later"));
                }
                _ => {}
            },
            MouEvent::Variation { description, .. } => {
                if description.trim().is_empty() {
                    invalid.push("description", "Describe what the variation changes");
                }
            }
        }
        invalid.into_result()
    }

    /// Reads the clock on `today`.
    pub fn clock(&self, today: NaiveDate) -> MouClock {
        let starts = self.starts();
        let (ends, ends_because) = self.effective_end();
        let status = match (starts, ends) {
            (_, Some(end)) if today >= end => MouStatus::Ended {
                on: end,
                reason: ends_because.clone(),
            },
            (Some(start), _) if today < start => MouStatus::NotYetInForce,
            (Some(_), _) => MouStatus::InForce,
            (None, _) => MouStatus::Unknown,
        };
        let reviews = |from: NaiveDate, to: Option<NaiveDate>| self.reviews_between(from, to);
        let next_review = match status {
            MouStatus::InForce | MouStatus::NotYetInForce => {
                reviews(today, ends).into_iter().next()
            }
            _ => None,
        };
        let last_review = starts.and_then(|s| {
            let upto = ends.map_or(today, |e| e.min(today));
            reviews(s, Some(upto)).into_iter().last()
        });
        MouClock {
            today,
            status,
            starts,
            ends,
            ends_because,
            days_to_end: ends.map(|e| (e - today).num_days()),
            next_review,
            last_review,
        }
    }

    /// Every review due on or after `from` and strictly before `to` (or for the next ten years
    /// when there is no end), counted in whole months from the start.
    pub fn reviews_between(&self, from: NaiveDate, to: Option<NaiveDate>) -> Vec<ReviewDue> {
        let Some(start) = self.starts() else {
            return Vec::new();
        };
        let limit = to.unwrap_or_else(|| from.checked_add_months(Months::new(120)).unwrap_or(from));
        let mut out = Vec::new();
        // Month offsets from the start; clamping to month ends (31 Jan + 1 month = 28 Feb) is
        // computed from the start each time so the dates do not drift.
        for months in (3..).step_by(3) {
            let Some(date) = start.checked_add_months(Months::new(months)) else {
                break;
            };
            if date >= limit {
                break;
            }
            if date < from {
                continue;
            }
            let mut kinds = Vec::new();
            let mut by = Vec::new();
            if let Some(who) = &self.quarterly_review_by {
                kinds.push(ReviewKind::Quarterly);
                by.push(who.clone());
            }
            if months % 12 == 0
                && let Some(who) = &self.annual_review_by
            {
                kinds.push(ReviewKind::Annual);
                by.push(who.clone());
            }
            if !kinds.is_empty() {
                out.push(ReviewDue { date, kinds, by });
            }
        }
        out
    }
}

/// A date as GOV.UK writes it: "22 May 2014".
pub fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Member, MemberRole, MemberStatus};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn gss(s: &str) -> GssCode {
        GssCode::parse("gss", s).unwrap()
    }

    fn haringey_waltham_forest() -> (Partnership, Mou) {
        let member = |code| Member {
            authority: gss(code),
            role: MemberRole::Partner,
            status: MemberStatus::Active,
            joined: Some(d(2010, 12, 21)),
            left: None,
        };
        let p = Partnership {
            id: 1,
            name: "Haringey – Waltham Forest".into(),
            summary: String::new(),
            source: None,
            members: vec![member("E09000014"), member("E09000031")],
        };
        let mou = Mou {
            agreed: Some(d(2010, 12, 21)),
            signed: None,
            commencement: None,
            end: MouEnd::Event {
                name: "the local elections of 2014".into(),
                date: d(2014, 5, 22),
            },
            legally_binding: false,
            preferred_partner: true,
            values: vec![],
            principles: String::new(),
            quarterly_review_by: Some("Senior Stakeholder Board".into()),
            annual_review_by: Some("the executives of both councils".into()),
            cost_sharing: "equal".into(),
            events: vec![],
            source: None,
        };
        (p, mou)
    }

    #[test]
    fn clock_reads_status_days_and_next_review() {
        let (_, mou) = haringey_waltham_forest();
        let cases = [
            // today, status, days to end, next review
            (d(2010, 12, 1), "not-yet", Some(1268), Some(d(2011, 3, 21))),
            (d(2011, 7, 21), "in-force", Some(1036), Some(d(2011, 9, 21))),
            (d(2011, 9, 21), "in-force", Some(974), Some(d(2011, 9, 21))),
            (d(2014, 5, 21), "in-force", Some(1), None),
            (d(2014, 5, 22), "ended", Some(0), None),
            (d(2026, 11, 22), "ended", Some(-4567), None),
        ];
        for (today, status, days, next) in cases {
            let clock = mou.clock(today);
            let got = match clock.status {
                MouStatus::NotYetInForce => "not-yet",
                MouStatus::InForce => "in-force",
                MouStatus::Ended { .. } => "ended",
                MouStatus::Unknown => "unknown",
            };
            assert_eq!(got, status, "{today}");
            assert_eq!(clock.days_to_end, days, "{today}");
            assert_eq!(clock.next_review.map(|r| r.date), next, "{today}");
        }
    }

    #[test]
    fn annual_review_coincides_with_every_fourth_quarterly() {
        let (_, mou) = haringey_waltham_forest();
        let reviews = mou.reviews_between(d(2011, 1, 1), Some(d(2012, 1, 1)));
        let got: Vec<_> = reviews.iter().map(|r| (r.date, r.kinds.clone())).collect();
        assert_eq!(
            got,
            vec![
                (d(2011, 3, 21), vec![ReviewKind::Quarterly]),
                (d(2011, 6, 21), vec![ReviewKind::Quarterly]),
                (d(2011, 9, 21), vec![ReviewKind::Quarterly]),
                (
                    d(2011, 12, 21),
                    vec![ReviewKind::Quarterly, ReviewKind::Annual]
                ),
            ]
        );
        let (_, mut mou) = haringey_waltham_forest();
        mou.agreed = Some(d(2011, 1, 31));
        let dates: Vec<_> = mou
            .reviews_between(d(2011, 1, 31), Some(d(2011, 12, 31)))
            .iter()
            .map(|r| r.date)
            .collect();
        assert_eq!(
            dates,
            vec![d(2011, 4, 30), d(2011, 7, 31), d(2011, 10, 31)],
            "month ends clamp without drifting"
        );
    }

    #[test]
    fn notice_ends_early_and_extension_moves_the_end() {
        let (p, mut mou) = haringey_waltham_forest();
        let extension = MouEvent::Extension {
            agreed_on: d(2014, 3, 1),
            new_end: MouEnd::Date {
                date: d(2016, 3, 31),
            },
        };
        mou.validate_event(&extension, &p).unwrap();
        mou.events.push(extension);
        assert_eq!(mou.effective_end().0, Some(d(2016, 3, 31)));
        let notice = MouEvent::Notice {
            given_by: gss("E09000031"),
            given_on: d(2015, 1, 5),
            effective: d(2015, 4, 1),
        };
        mou.validate_event(&notice, &p).unwrap();
        mou.events.push(notice);
        let clock = mou.clock(d(2015, 6, 1));
        assert_eq!(clock.ends, Some(d(2015, 4, 1)));
        assert!(clock.ends_because.contains("written notice from E09000031"));
        assert!(matches!(clock.status, MouStatus::Ended { .. }));
    }

    #[test]
    fn refuses_bad_events() {
        let (p, mou) = haringey_waltham_forest();
        let cases = [
            (
                MouEvent::Notice {
                    given_by: gss("E06000039"),
                    given_on: d(2012, 1, 1),
                    effective: d(2012, 4, 1),
                },
                "given_by",
            ),
            (
                MouEvent::Notice {
                    given_by: gss("E09000014"),
                    given_on: d(2012, 1, 1),
                    effective: d(2011, 4, 1),
                },
                "effective",
            ),
            (
                MouEvent::Extension {
                    agreed_on: d(2013, 1, 1),
                    new_end: MouEnd::Date {
                        date: d(2013, 6, 1),
                    },
                },
                "new_end",
            ),
            (
                MouEvent::Variation {
                    agreed_on: d(2009, 1, 1),
                    description: "x".into(),
                },
                "date",
            ),
        ];
        for (event, field) in cases {
            let err = mou.validate_event(&event, &p).unwrap_err();
            assert_eq!(err.errors[0].field, field, "{event:?}");
        }
    }

    #[test]
    fn refuses_an_mou_ending_before_it_starts() {
        let (p, mut mou) = haringey_waltham_forest();
        mou.end = MouEnd::Date {
            date: d(2010, 1, 1),
        };
        assert_eq!(mou.validate(&p).unwrap_err().errors[0].field, "end_date");
    }
}
