//! Information-law requests handled jointly under the partnership's protocol (MOU
//! Schedule 4): the regimes and their clocks, the register's workflow and its gates,
//! internal reviews and complaints, and the quarterly statistics.
//!
//! Everything here is pure: the caller passes "today" and the working-day [`Calendar`] of
//! the request's regime (see [`Regime::calendar_scope`]), built once from the holiday table.
//!
//! [`Calendar`]: crate::working_days::Calendar

pub mod cli;
pub mod clock;
pub mod outcome;
pub mod regime;
pub mod review;
pub mod statistics;
pub mod workflow;

pub use clock::{
    ClockEvent, Deadline, Deadlines, DueDates, EventKind, Flag, deadlines, deadlines_with,
    due_dates,
};
pub use outcome::{CATALOGUE, Exemption, ExemptionClass, Outcome, Timeliness};
pub use regime::{Limit, Regime};
pub use review::{
    Complaint, ComplaintEligibility, DecisionNotice, InternalReview, ReviewDeadlines,
    ReviewOutcome, ReviewStatus, complaint_eligibility, review_deadlines,
};
pub use statistics::{
    Quarter, QuarterStatistics, StatisticsRecord, statistics, statistics_counted, statistics_csv,
};
pub use workflow::{
    Action, Attention, Channel, Context, DisclosureLogEntry, Draft, HistoryEntry, NewRequest,
    REFERENCE_CHARS, Request, Requester, Response, ResponseInput, ResponsePart, SignOff, Stage,
    WorkflowFlag, check_reference, is_reference, numbered_reference,
};

use serde::{Deserialize, Serialize};

/// The protocol's own targets, agreed by the Programme Board (MOU Schedule 4, 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Protocol {
    /// Working days within which a request must reach the single point of contact
    /// (Schedule 4, 5(b): "within two days of receipt").
    pub forwarding_days: u32,
    /// Working days before the statutory due date that the internal target falls, to leave
    /// time for the other council's sign-off and communications clearance.
    pub sign_off_margin_days: u32,
    /// A request is "due soon" on a caseload within this many working days of its date.
    pub due_soon_days: u32,
}

impl Default for Protocol {
    fn default() -> Protocol {
        Protocol {
            forwarding_days: 2,
            sign_off_margin_days: 5,
            due_soon_days: 5,
        }
    }
}
