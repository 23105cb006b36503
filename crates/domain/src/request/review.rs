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

/// How an internal review ended, in the government's FOI statistics categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// The original response stands in full.
    Upheld,
    /// Part of the original response stands; more is released.
    PartiallyUpheld,
    /// The original response is reversed.
    Overturned,
}

impl ReviewOutcome {
    /// Every outcome.
    pub const ALL: [ReviewOutcome; 3] = [
        ReviewOutcome::Upheld,
        ReviewOutcome::PartiallyUpheld,
        ReviewOutcome::Overturned,
    ];

    /// The stored and API name.
    pub fn slug(self) -> &'static str {
        match self {
            ReviewOutcome::Upheld => "upheld",
            ReviewOutcome::PartiallyUpheld => "partially_upheld",
            ReviewOutcome::Overturned => "overturned",
        }
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            ReviewOutcome::Upheld => "Original decision upheld",
            ReviewOutcome::PartiallyUpheld => "Original decision upheld in part",
            ReviewOutcome::Overturned => "Original decision overturned",
        }
    }

    /// Parses a slug.
    pub fn parse(field: &str, text: &str) -> Result<ReviewOutcome, Invalid> {
        ReviewOutcome::ALL
            .into_iter()
            .find(|o| o.slug() == text.trim())
            .ok_or_else(|| {
                Invalid::field(
                    field,
                    "Choose upheld, partially upheld or overturned as the review's outcome",
                )
            })
    }
}

fn not_after_today(field: &str, date: NaiveDate, today: NaiveDate) -> Result<(), Invalid> {
    if date > today {
        Err(Invalid::field(
            field,
            format!("{date} is in the future (today is {today})"),
        ))
    } else {
        Ok(())
    }
}

/// An internal review of a response, as the register keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct InternalReview {
    /// When the requester asked for it.
    pub requested: NaiveDate,
    /// When it was decided.
    #[serde(default)]
    pub decided: Option<NaiveDate>,
    /// How it ended.
    #[serde(default)]
    pub outcome: Option<ReviewOutcome>,
}

impl InternalReview {
    /// A review asked for on `requested` about a response sent on `responded`. Refused when
    /// it is dated before the response or after today. A request for review made after the
    /// window closed is still recorded ([`review_deadlines`] says it need not be accepted).
    pub fn request(
        responded: NaiveDate,
        requested: NaiveDate,
        today: NaiveDate,
    ) -> Result<InternalReview, Invalid> {
        not_after_today("requested", requested, today)?;
        if requested < responded {
            return Err(Invalid::field(
                "requested",
                format!("{requested} is before the response of {responded}"),
            ));
        }
        Ok(InternalReview {
            requested,
            decided: None,
            outcome: None,
        })
    }

    /// The review decided on `decided`. Refused when it was already decided, or the date is
    /// before the request for review or after today.
    pub fn decide(
        &self,
        decided: NaiveDate,
        outcome: ReviewOutcome,
        today: NaiveDate,
    ) -> Result<InternalReview, Invalid> {
        if let Some(on) = self.decided {
            return Err(Invalid::field(
                "decided",
                format!("the review was already decided on {on}"),
            ));
        }
        not_after_today("decided", decided, today)?;
        if decided < self.requested {
            return Err(Invalid::field(
                "decided",
                format!(
                    "{decided} is before the review was asked for on {}",
                    self.requested
                ),
            ));
        }
        Ok(InternalReview {
            decided: Some(decided),
            outcome: Some(outcome),
            ..*self
        })
    }

    /// Where it stands, for [`complaint_eligibility`].
    pub fn status(&self) -> ReviewStatus {
        match self.decided {
            Some(decided) => ReviewStatus::Decided {
                requested: self.requested,
                decided,
            },
            None => ReviewStatus::Pending {
                requested: self.requested,
            },
        }
    }
}

/// A complaint to the Information Commissioner about a request, and the decision notice
/// that ends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Complaint {
    /// When the Commissioner told the council of the complaint.
    pub lodged: NaiveDate,
    /// The Commissioner's case reference.
    pub reference: String,
    /// The decision notice, once issued.
    #[serde(default)]
    pub decision_notice: Option<DecisionNotice>,
}

impl Complaint {
    /// A complaint notified on `lodged` about a response sent on `responded`. Refused when
    /// dated before the response or after today, or without the Commissioner's reference.
    pub fn lodge(
        responded: NaiveDate,
        lodged: NaiveDate,
        reference: &str,
        today: NaiveDate,
    ) -> Result<Complaint, Invalid> {
        let mut invalid = Invalid::new();
        invalid.check(not_after_today("lodged", lodged, today));
        if lodged < responded {
            invalid.push(
                "lodged",
                format!("{lodged} is before the response of {responded}"),
            );
        }
        if reference.trim().is_empty() {
            invalid.push("reference", "Enter the Commissioner's case reference");
        }
        invalid.into_result()?;
        Ok(Complaint {
            lodged,
            reference: reference.trim().to_owned(),
            decision_notice: None,
        })
    }

    /// The complaint with its decision notice. Refused when a notice is already recorded, or
    /// it is dated before the complaint or after today.
    pub fn record_notice(
        &self,
        notice: DecisionNotice,
        today: NaiveDate,
    ) -> Result<Complaint, Invalid> {
        if let Some(existing) = &self.decision_notice {
            return Err(Invalid::field(
                "issued",
                format!(
                    "a decision notice of {} is already recorded",
                    existing.issued
                ),
            ));
        }
        not_after_today("issued", notice.issued, today)?;
        if notice.issued < self.lodged {
            return Err(Invalid::field(
                "issued",
                format!(
                    "{} is before the complaint of {}",
                    notice.issued, self.lodged
                ),
            ));
        }
        notice.dates()?;
        Ok(Complaint {
            decision_notice: Some(notice),
            ..self.clone()
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

    #[test]
    fn reviews_are_dated_after_the_response_and_decided_once() {
        let today = d(2025, 6, 30);
        let responded = d(2025, 4, 1);
        let cases = [
            (d(2025, 4, 10), None),
            (d(2025, 4, 1), None),
            (d(2025, 3, 31), Some("before the response")),
            (d(2025, 7, 1), Some("in the future")),
        ];
        for (requested, refusal) in cases {
            match (
                InternalReview::request(responded, requested, today),
                refusal,
            ) {
                (Ok(r), None) => assert_eq!(
                    r.status(),
                    ReviewStatus::Pending { requested },
                    "{requested}"
                ),
                (Err(e), Some(message)) => {
                    assert!(e.to_string().contains(message), "{requested}: {e}");
                }
                (other, _) => panic!("{requested}: {other:?}"),
            }
        }
        let review = InternalReview::request(responded, d(2025, 4, 10), today).unwrap();
        assert!(
            review
                .decide(d(2025, 4, 9), ReviewOutcome::Upheld, today)
                .is_err()
        );
        assert!(
            review
                .decide(d(2025, 7, 1), ReviewOutcome::Upheld, today)
                .is_err()
        );
        let decided = review
            .decide(d(2025, 5, 1), ReviewOutcome::PartiallyUpheld, today)
            .unwrap();
        assert_eq!(
            decided.status(),
            ReviewStatus::Decided {
                requested: d(2025, 4, 10),
                decided: d(2025, 5, 1)
            }
        );
        let again = decided.decide(d(2025, 5, 2), ReviewOutcome::Upheld, today);
        assert!(again.unwrap_err().to_string().contains("already decided"));
        for outcome in ReviewOutcome::ALL {
            assert_eq!(ReviewOutcome::parse("outcome", outcome.slug()), Ok(outcome));
        }
        assert!(ReviewOutcome::parse("outcome", "").is_err());
    }

    #[test]
    fn complaints_and_decision_notices_have_their_own_dates() {
        let today = d(2025, 9, 30);
        let responded = d(2025, 4, 1);
        let refused = Complaint::lodge(responded, d(2025, 3, 1), " ", today).unwrap_err();
        let fields: Vec<&str> = refused.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lodged", "reference"]);
        let complaint = Complaint::lodge(responded, d(2025, 6, 20), "IC-123-A4B5", today).unwrap();
        assert_eq!(complaint.reference, "IC-123-A4B5");
        let early = DecisionNotice {
            issued: d(2025, 6, 19),
            steps_within_days: None,
        };
        assert!(complaint.record_notice(early, today).is_err());
        let notice = DecisionNotice {
            issued: d(2025, 9, 1),
            steps_within_days: Some(35),
        };
        let decided = complaint.record_notice(notice, today).unwrap();
        assert_eq!(decided.decision_notice, Some(notice));
        assert!(decided.record_notice(notice, today).is_err());
    }
}
