//! After the response: internal review, complaints to the Information Commissioner and
//! decision notices, each with its own dates.

use super::Regime;
use crate::Invalid;
use crate::working_days::{Calendar, Step};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// The limits for an internal review under a regime, in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct ReviewRules {
    /// A review is accepted when asked for within this many working days of the response.
    pub request_within: u32,
    /// The target for deciding it.
    pub target: u32,
    /// The most it may take.
    pub at_most: u32,
    /// Whether the limits are statutory (EIR reg 11, FOISA s20–21) rather than guidance
    /// (the FOIA code of practice; subject access has no statutory review).
    pub statutory: bool,
}

impl ReviewRules {
    /// The rules for a regime.
    pub fn for_regime(regime: Regime) -> ReviewRules {
        match regime {
            Regime::Foi | Regime::Sar => ReviewRules {
                request_within: 40,
                target: 20,
                at_most: 40,
                statutory: false,
            },
            Regime::Eir => ReviewRules {
                request_within: 40,
                target: 20,
                at_most: 40,
                statutory: true,
            },
            Regime::Foisa => ReviewRules {
                request_within: 40,
                target: 20,
                at_most: 20,
                statutory: true,
            },
        }
    }
}

/// An internal review's dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct ReviewDeadlines {
    /// The last day a review could be asked for.
    pub request_by: NaiveDate,
    /// Whether this request for review came in time and must be accepted.
    pub accepted: bool,
    /// The target date for the decision.
    pub due: NaiveDate,
    /// The latest date for the decision.
    pub at_most: NaiveDate,
    /// The working for the latest date, from the day the review was asked for (day 0).
    pub working: Vec<Step>,
}

/// The dates of an internal review asked for on `requested` about a response sent on
/// `responded`.
pub fn review_deadlines(
    regime: Regime,
    responded: NaiveDate,
    requested: NaiveDate,
    calendar: &Calendar,
) -> Result<ReviewDeadlines, Invalid> {
    if requested < responded {
        return Err(Invalid::field(
            "requested",
            format!("{requested} is before the response of {responded}"),
        ));
    }
    let rules = ReviewRules::for_regime(regime);
    let beyond = || Invalid::field("requested", "beyond the end of the working-day calendar");
    let request_by = calendar
        .add_working_days(responded, rules.request_within)
        .ok_or_else(beyond)?;
    let due = calendar
        .add_working_days(requested, rules.target)
        .ok_or_else(beyond)?;
    let at_most = calendar
        .add_working_days(requested, rules.at_most)
        .ok_or_else(beyond)?;
    Ok(ReviewDeadlines {
        request_by,
        accepted: requested <= request_by,
        due,
        at_most,
        working: calendar.explain(requested, at_most, &[]),
    })
}

/// Where an internal review stands, for deciding whether a complaint can go to the
/// Information Commissioner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ReviewStatus {
    /// No review was asked for.
    NotRequested,
    /// Asked for and not yet decided.
    Pending {
        /// When it was asked for.
        requested: NaiveDate,
    },
    /// Decided.
    Decided {
        /// When it was asked for.
        requested: NaiveDate,
        /// When it was decided.
        decided: NaiveDate,
    },
}

/// Whether a complaint to the Information Commissioner can be made now, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct ComplaintEligibility {
    /// Whether the Commissioner would normally accept it today.
    pub allowed: bool,
    /// Why, in a sentence.
    pub reason: String,
    /// When a pending review will have taken more than 40 working days, opening the way to
    /// a complaint without it.
    pub allowed_from: Option<NaiveDate>,
}

/// The Commissioner normally takes a complaint after the internal review, and also when a
/// review has taken more than 40 working days.
pub fn complaint_eligibility(
    review: ReviewStatus,
    today: NaiveDate,
    calendar: &Calendar,
) -> ComplaintEligibility {
    match review {
        ReviewStatus::NotRequested => ComplaintEligibility {
            allowed: false,
            reason: "ask for an internal review first; the Commissioner normally expects one"
                .to_owned(),
            allowed_from: None,
        },
        ReviewStatus::Decided { decided, .. } => ComplaintEligibility {
            allowed: true,
            reason: format!("the internal review was decided on {decided}"),
            allowed_from: Some(decided),
        },
        ReviewStatus::Pending { requested } => {
            let day_forty = calendar.add_working_days(requested, 40);
            let allowed = day_forty.is_some_and(|d| today > d);
            ComplaintEligibility {
                allowed,
                reason: match day_forty {
                    Some(d) if allowed => format!(
                        "the internal review asked for on {requested} has taken more than 40 working days (day 40 was {d})"
                    ),
                    Some(d) => format!(
                        "the internal review asked for on {requested} is still within 40 working days (day 40 is {d})"
                    ),
                    None => "the review's 40 working days run past the calendar".to_owned(),
                },
                allowed_from: day_forty.and_then(|d| d.succ_opt()),
            }
        }
    }
}

/// A decision notice from the Information Commissioner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct DecisionNotice {
    /// The date of the notice.
    pub issued: NaiveDate,
    /// Calendar days the notice gives to take its steps, if it orders any (usually 35).
    #[serde(default)]
    pub steps_within_days: Option<u32>,
}

/// A decision notice's own dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct DecisionNoticeDates {
    /// The last day to appeal to the First-tier Tribunal: 28 days after the notice.
    pub appeal_by: NaiveDate,
    /// The day the ordered steps must be taken by, if any were ordered.
    pub steps_by: Option<NaiveDate>,
}

impl DecisionNotice {
    /// The notice's dates.
    pub fn dates(&self) -> Result<DecisionNoticeDates, Invalid> {
        let add = |days: u32| {
            self.issued
                .checked_add_days(Days::new(u64::from(days)))
                .ok_or_else(|| Invalid::field("issued", "too far in the future"))
        };
        Ok(DecisionNoticeDates {
            appeal_by: add(28)?,
            steps_by: self.steps_within_days.map(add).transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::working_days::{CalendarScope, HolidayTable};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn review_windows_and_due_dates() {
        let uk = HolidayTable::new().calendar(CalendarScope::UnitedKingdom);
        let scot = HolidayTable::new().calendar(CalendarScope::Scotland);
        // Response 2025-04-01. The UK calendar skips Good Friday, Easter Monday, both May
        // holidays and (in July) the Twelfth's substitute day; Scotland's skips no Easter
        // Monday, so its 40th working day comes a working day sooner.
        let cases = [
            (
                Regime::Foi,
                &uk,
                d(2025, 4, 1),
                d(2025, 4, 10),
                d(2025, 6, 2),
                true,
                d(2025, 5, 13),
                d(2025, 6, 11),
            ),
            (
                Regime::Foi,
                &uk,
                d(2025, 4, 1),
                d(2025, 6, 2),
                d(2025, 6, 2),
                true,
                d(2025, 6, 30),
                d(2025, 7, 29),
            ),
            (
                Regime::Foi,
                &uk,
                d(2025, 4, 1),
                d(2025, 6, 3),
                d(2025, 6, 2),
                false,
                d(2025, 7, 1),
                d(2025, 7, 30),
            ),
            (
                Regime::Foisa,
                &scot,
                d(2025, 4, 1),
                d(2025, 4, 10),
                d(2025, 5, 30),
                true,
                d(2025, 5, 12),
                d(2025, 5, 12),
            ),
        ];
        for (regime, calendar, responded, requested, request_by, accepted, due, at_most) in cases {
            let r = review_deadlines(regime, responded, requested, calendar).unwrap();
            assert_eq!(
                (r.request_by, r.accepted, r.due, r.at_most),
                (request_by, accepted, due, at_most),
                "{regime:?} {requested}"
            );
        }
        assert!(review_deadlines(Regime::Foi, d(2025, 4, 1), d(2025, 3, 1), &uk).is_err());
    }

    #[test]
    fn complaints_wait_for_review_or_forty_working_days() {
        let uk = HolidayTable::new().calendar(CalendarScope::UnitedKingdom);
        let cases = [
            (ReviewStatus::NotRequested, d(2025, 9, 1), false),
            (
                ReviewStatus::Decided {
                    requested: d(2025, 4, 10),
                    decided: d(2025, 5, 1),
                },
                d(2025, 5, 2),
                true,
            ),
            (
                ReviewStatus::Pending {
                    requested: d(2025, 4, 10),
                },
                d(2025, 6, 11),
                false,
            ),
            (
                ReviewStatus::Pending {
                    requested: d(2025, 4, 10),
                },
                d(2025, 6, 12),
                true,
            ),
        ];
        for (status, today, allowed) in cases {
            assert_eq!(
                complaint_eligibility(status, today, &uk).allowed,
                allowed,
                "{status:?} {today}"
            );
        }
    }

    #[test]
    fn decision_notice_dates() {
        let notice = DecisionNotice {
            issued: d(2025, 3, 10),
            steps_within_days: Some(35),
        };
        let dates = notice.dates().unwrap();
        assert_eq!(dates.appeal_by, d(2025, 4, 7));
        assert_eq!(dates.steps_by, Some(d(2025, 4, 14)));
    }
}
