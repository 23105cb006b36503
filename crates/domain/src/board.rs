//! Governance (MOU Schedule 3): the three boards, their meetings, agendas, papers, minutes
//! and decisions, and the Cabinet approvals a key decision needs at each council.
//!
//! Issues and risks escalate from the Projects Board to the Programme Board to the Senior
//! Stakeholder Board, so [`BoardLevel`] is ordered in that direction. Each board is chaired in
//! turn by the councils ([`Board::rotate_chairs`]). Meetings are generated from the board's
//! [`Cadence`] and can be edited afterwards. Board papers are embargoed until the decision they
//! inform is made (MOU 5.5); [`Paper::release_status`] says when that is.

use crate::mou::long_date;
use crate::{GssCode, Invalid, Partnership};
use chrono::{Datelike, Days, Months, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The three boards of Schedule 3, lowest first: the order in which issues and risks escalate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoardLevel {
    /// Programme and project managers: hands-on, day-to-day management of the programme.
    Projects,
    /// Director-level stakeholders: the high-level steering committee.
    Programme,
    /// Leaders, programme sponsors and portfolio holders: strategic direction.
    SeniorStakeholder,
}

impl BoardLevel {
    /// Every board, lowest first.
    pub const ALL: [BoardLevel; 3] = [
        BoardLevel::Projects,
        BoardLevel::Programme,
        BoardLevel::SeniorStakeholder,
    ];

    /// The stable name used in storage, URLs and the API.
    pub fn slug(self) -> &'static str {
        match self {
            BoardLevel::Projects => "projects",
            BoardLevel::Programme => "programme",
            BoardLevel::SeniorStakeholder => "senior-stakeholder",
        }
    }

    /// The board's name for pages: "Programme Board".
    pub fn name(self) -> &'static str {
        match self {
            BoardLevel::Projects => "Projects Board",
            BoardLevel::Programme => "Programme Board",
            BoardLevel::SeniorStakeholder => "Senior Stakeholder Board",
        }
    }

    /// Parses a slug.
    pub fn parse(field: &str, text: &str) -> Result<BoardLevel, Invalid> {
        BoardLevel::ALL
            .into_iter()
            .find(|b| b.slug().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                Invalid::field(
                    field,
                    format!("“{text}” is not a board (projects, programme or senior-stakeholder)"),
                )
            })
    }

    /// The board that issues and risks escalate to from this one; `None` at the top.
    pub fn above(self) -> Option<BoardLevel> {
        match self {
            BoardLevel::Projects => Some(BoardLevel::Programme),
            BoardLevel::Programme => Some(BoardLevel::SeniorStakeholder),
            BoardLevel::SeniorStakeholder => None,
        }
    }

    /// How often Schedule 3 says the board meets: monthly, fortnightly, weekly at first.
    pub fn standard_cadence(self) -> Cadence {
        match self {
            BoardLevel::Projects => Cadence::Weekly,
            BoardLevel::Programme => Cadence::Fortnightly,
            BoardLevel::SeniorStakeholder => Cadence::Monthly,
        }
    }

    /// The board's functions as Schedule 3 lists them, in brief.
    pub fn functions(self) -> &'static [&'static str] {
        match self {
            BoardLevel::Projects => &["Hands-on, day-to-day management of the programme"],
            BoardLevel::Programme => &[
                "High-level steering committee",
                "Strategic and complex operational decisions",
                "Issue and risk resolution (escalated from the Projects Board)",
                "Sign-off of communications",
                "Overall budget monitoring",
            ],
            BoardLevel::SeniorStakeholder => &[
                "Strategic direction",
                "Ensure all senior stakeholders are on board and up to date",
                "Issue and risk resolution (escalated from the Programme Board)",
            ],
        }
    }
}

impl fmt::Display for BoardLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How often a board meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "every")]
pub enum Cadence {
    /// Every seven days from the first meeting.
    Weekly,
    /// Every fourteen days from the first meeting.
    Fortnightly,
    /// Once a month on the same weekday of the month as the first meeting ("the second
    /// Tuesday"); a first meeting in the month's fifth week means "the last" such weekday.
    Monthly,
    /// Every `weeks` weeks, for a board that adjusts its frequency as needed.
    Weeks {
        /// The gap between meetings, in weeks (1 to 12).
        weeks: u32,
    },
}

impl Cadence {
    /// The cadence in words: "weekly", "every 3 weeks".
    pub fn describe(self) -> String {
        match self {
            Cadence::Weekly | Cadence::Weeks { weeks: 1 } => "weekly".to_owned(),
            Cadence::Fortnightly | Cadence::Weeks { weeks: 2 } => "fortnightly".to_owned(),
            Cadence::Monthly => "monthly".to_owned(),
            Cadence::Weeks { weeks } => format!("every {weeks} weeks"),
        }
    }

    fn validate(self) -> Result<(), Invalid> {
        match self {
            Cadence::Weeks { weeks } if !(1..=12).contains(&weeks) => Err(Invalid::field(
                "cadence",
                format!("A board meets every 1 to 12 weeks, not every {weeks}"),
            )),
            _ => Ok(()),
        }
    }

    /// The `k`th regular slot counting the first meeting as slot 0, before any move for a
    /// non-working day. `None` past the calendar's range.
    fn slot(self, first: NaiveDate, k: u32) -> Option<NaiveDate> {
        let weeks = |w: u32| first.checked_add_days(Days::new(7 * u64::from(w) * u64::from(k)));
        match self {
            Cadence::Weekly => weeks(1),
            Cadence::Fortnightly => weeks(2),
            Cadence::Weeks { weeks: w } => weeks(w),
            Cadence::Monthly => {
                let month = first.with_day(1)?.checked_add_months(Months::new(k))?;
                let ordinal = (first.day() - 1) / 7 + 1;
                if ordinal >= 5 {
                    last_weekday_of_month(month, first.weekday())
                } else {
                    NaiveDate::from_weekday_of_month_opt(
                        month.year(),
                        month.month(),
                        first.weekday(),
                        u8::try_from(ordinal).ok()?,
                    )
                }
            }
        }
    }
}

fn last_weekday_of_month(month_start: NaiveDate, weekday: Weekday) -> Option<NaiveDate> {
    let next_month = month_start.checked_add_months(Months::new(1))?;
    let mut day = next_month.pred_opt()?;
    while day.weekday() != weekday {
        day = day.pred_opt()?;
    }
    Some(day)
}

/// The most meetings one call generates: ten years of weekly meetings. A larger request is
/// almost certainly a mistyped year.
pub const MAX_GENERATED_MEETINGS: usize = 520;

/// The dates of a board's meetings from `first` until `until` (inclusive), one per regular
/// slot of `cadence`.
///
/// When `is_working_day` is given, a slot that falls on a non-working day moves to the next
/// working day before the following slot; if there is none (a long holiday), that meeting is
/// skipped. The predicate is passed in so that this module does not depend on the holiday
/// engine.
pub fn meeting_dates(
    cadence: Cadence,
    first: NaiveDate,
    until: NaiveDate,
    is_working_day: Option<&dyn Fn(NaiveDate) -> bool>,
) -> Result<Vec<NaiveDate>, Invalid> {
    cadence.validate()?;
    if until < first {
        return Err(Invalid::field(
            "until",
            format!(
                "{} is before the first meeting, {}",
                long_date(until),
                long_date(first)
            ),
        ));
    }
    let mut dates = Vec::new();
    let mut k = 0u32;
    while let Some(slot) = cadence.slot(first, k) {
        if slot > until {
            break;
        }
        if dates.len() >= MAX_GENERATED_MEETINGS {
            return Err(Invalid::field(
                "until",
                format!(
                    "That would schedule more than {MAX_GENERATED_MEETINGS} meetings; choose an earlier end date"
                ),
            ));
        }
        let next = cadence.slot(first, k + 1);
        match is_working_day {
            None => dates.push(slot),
            Some(works) => {
                let mut day = Some(slot);
                while let Some(d) = day {
                    if next.is_some_and(|n| d >= n) {
                        break;
                    }
                    if works(d) {
                        dates.push(d);
                        break;
                    }
                    day = d.succ_opt();
                }
            }
        }
        k += 1;
    }
    Ok(dates)
}

/// Refuses a date after `today` for something recorded as having happened (a decision taken,
/// a Cabinet approval given): a log records what was done, and an approval dated in the future
/// would release the papers it embargoes before the decision is really made.
pub fn check_recorded_on(field: &str, on: NaiveDate, today: NaiveDate) -> Result<(), Invalid> {
    if on > today {
        return Err(Invalid::field(
            field,
            format!(
                "{} is in the future; record it on or after the day it happens",
                long_date(on)
            ),
        ));
    }
    Ok(())
}

/// Cabinet approvals a decision needs: one from each council of the partnership (Schedule 3:
/// "Key decisions to be taken by Cabinet"; Schedule 2: "Agreement by Cabinet at both
/// Councils"). Each council keeps its own sovereignty (MOU 5.8), so the decision is only made
/// once every council has approved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct CabinetApprovals {
    /// One entry per council that must approve, in the partnership's order.
    pub approvals: Vec<CabinetApproval>,
}

/// One council's Cabinet approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct CabinetApproval {
    /// The council.
    pub council: GssCode,
    /// The date its Cabinet approved, once it has.
    pub approved_on: Option<NaiveDate>,
}

impl CabinetApprovals {
    /// Approvals needed from each of these councils, none given yet.
    pub fn for_councils(councils: &[GssCode]) -> CabinetApprovals {
        CabinetApprovals {
            approvals: councils
                .iter()
                .map(|c| CabinetApproval {
                    council: c.clone(),
                    approved_on: None,
                })
                .collect(),
        }
    }

    /// Records the date a council's Cabinet approved. A council outside the partnership is
    /// refused, and nothing changes.
    pub fn record(&mut self, council: &GssCode, on: NaiveDate) -> Result<(), Invalid> {
        let Some(entry) = self.approvals.iter_mut().find(|a| &a.council == council) else {
            return Err(Invalid::field(
                "council",
                format!(
                    "{council} is not a member of this partnership, so its Cabinet cannot approve this"
                ),
            ));
        };
        entry.approved_on = Some(on);
        Ok(())
    }

    /// Councils whose approval is still outstanding.
    pub fn outstanding(&self) -> impl Iterator<Item = &GssCode> {
        self.approvals
            .iter()
            .filter(|a| a.approved_on.is_none())
            .map(|a| &a.council)
    }

    /// Whether every council has approved.
    pub fn is_complete(&self) -> bool {
        self.approvals.iter().all(|a| a.approved_on.is_some())
    }

    /// The date the last council approved: the date the decision was made. `None` while any
    /// approval is outstanding.
    pub fn completed_on(&self) -> Option<NaiveDate> {
        self.approvals
            .iter()
            .map(|a| a.approved_on)
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .max()
    }

    /// A refusal naming the councils whose approval is outstanding, for `field`.
    pub fn outstanding_error(&self, field: &str, what: &str) -> Invalid {
        let names: Vec<&str> = self.outstanding().map(GssCode::as_str).collect();
        Invalid::field(
            field,
            format!(
                "{what} needs Cabinet approval at every council; still outstanding at {}",
                names.join(", ")
            ),
        )
    }
}

/// A person who sits on a board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct BoardMember {
    /// The person's name, or the post when the source names only the post.
    pub name: String,
    /// Their part on the board: "Programme Sponsor", "Portfolio Holder for Shared Services".
    pub role: String,
    /// The council they represent; `None` for a joint post (the joint programme director).
    pub council: Option<GssCode>,
}

/// Whether a meeting is still to happen, took place or was called off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum MeetingStatus {
    /// In the schedule.
    #[default]
    Scheduled,
    /// Took place.
    Held,
    /// Called off; it keeps its number but no longer counts in the chair rotation.
    Cancelled,
}

/// Where an agenda item comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum AgendaSource {
    /// A standing item (apologies, minutes of the last meeting, any other business).
    Standing,
    /// A paper of the meeting, by its number.
    Paper {
        /// The paper's number within the meeting.
        paper: u32,
    },
    /// An item escalated to this board.
    Escalation {
        /// What was escalated.
        from: EscalatedFrom,
    },
    /// Anything else the chair adds.
    Other,
}

/// Something escalated to a board: a RAID item, or a project's tolerance exception.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum EscalatedFrom {
    /// A RAID log item, by its number.
    Raid {
        /// The item's number in the partnership's RAID log.
        number: u32,
    },
    /// A forecast that breaches a project's time tolerance.
    Exception {
        /// The project's identity.
        project: i64,
        /// The stage, phase or milestone that breaches, as named in the project.
        item: String,
    },
}

/// Something escalated to a board on a date: it belongs on the receiving board's next agenda
/// (see [`crate::raid::escalation_agenda`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct EscalationNotice {
    /// What was escalated.
    pub from: EscalatedFrom,
    /// The agenda title.
    pub title: String,
    /// The receiving board.
    pub to: BoardLevel,
    /// When it was escalated.
    pub on: NaiveDate,
}

/// One item of a meeting's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct AgendaItem {
    /// The item's title as printed on the agenda.
    pub title: String,
    /// Where it comes from.
    pub source: AgendaSource,
}

/// When a board paper may be shared beyond the board.
///
/// MOU 5.5: documents must not be disclosed ahead of the formal decision they relate to, so a
/// paper is embargoed by default. Who may read an embargoed paper is decided elsewhere (access
/// control); this records only the paper's own release state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum PaperRelease {
    /// Embargoed until the decision it informs is made (or until released by hand when it
    /// informs no recorded decision).
    #[default]
    Embargoed,
    /// Released by the board before or without a decision ("agreement by the relevant body to
    /// circulate the information more widely", MOU 5.5).
    Released {
        /// When it was released.
        on: NaiveDate,
    },
    /// Never released by Accord: it holds exempt information (personal data, commercial
    /// confidences); any disclosure is decided case by case.
    Exempt {
        /// Why, in words.
        reason: String,
    },
}

/// Whether a paper may be shared on a given day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum ReleaseStatus {
    /// It may be published.
    Public {
        /// Since when.
        since: NaiveDate,
    },
    /// Not yet: the reason in words ("until decision 4 is made").
    Embargoed {
        /// Why, in words.
        until: String,
    },
    /// Not published by Accord.
    Exempt {
        /// Why, in words.
        reason: String,
    },
}

/// A paper presented to a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Paper {
    /// Its number within the meeting (1, 2, …), assigned when added.
    #[serde(default)]
    pub number: u32,
    /// Its title.
    pub title: String,
    /// Who wrote or presents it.
    pub author: String,
    /// The decision it informs, by its number in the board's decisions log.
    #[serde(default)]
    pub informs: Option<u32>,
    /// Its release state; embargoed unless said otherwise.
    #[serde(default)]
    pub release: PaperRelease,
}

impl Paper {
    /// Whether the paper may be shared on `on`, given the board's decisions log.
    ///
    /// An embargoed paper becomes public when the decision it informs is made: for a key
    /// decision, when the last council's Cabinet approves it.
    pub fn release_status(&self, decisions: &[Decision], on: NaiveDate) -> ReleaseStatus {
        match &self.release {
            PaperRelease::Released { on: since } if *since <= on => {
                ReleaseStatus::Public { since: *since }
            }
            PaperRelease::Released { on: since } => ReleaseStatus::Embargoed {
                until: format!("until its release on {}", long_date(*since)),
            },
            PaperRelease::Exempt { reason } => ReleaseStatus::Exempt {
                reason: reason.clone(),
            },
            PaperRelease::Embargoed => {
                let Some(number) = self.informs else {
                    return ReleaseStatus::Embargoed {
                        until: "until the board releases it".to_owned(),
                    };
                };
                let made = decisions
                    .iter()
                    .find(|d| d.number == number)
                    .and_then(Decision::made_on);
                match made {
                    Some(made) if made <= on => ReleaseStatus::Public { since: made },
                    _ => ReleaseStatus::Embargoed {
                        until: format!("until decision {number} is made"),
                    },
                }
            }
        }
    }
}

/// The record of a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Minutes {
    /// Who attended.
    pub present: Vec<String>,
    /// Who sent apologies.
    #[serde(default)]
    pub apologies: Vec<String>,
    /// The record of discussion and actions.
    pub text: String,
    /// When the board approved them as a correct record (normally at its next meeting).
    #[serde(default)]
    pub approved_on: Option<NaiveDate>,
}

/// A meeting of a board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Meeting {
    /// Its number within the board (1, 2, …), never reused.
    pub number: u32,
    /// Its date.
    pub date: NaiveDate,
    /// Its start time (UK local time), once set; without one it is an all-day entry.
    pub start_time: Option<NaiveTime>,
    /// How long it is planned to last, in minutes.
    pub duration_minutes: u32,
    /// Where it is held.
    pub location: Option<String>,
    /// The council whose programme sponsor chairs it.
    pub chair: Option<GssCode>,
    /// Scheduled, held or cancelled.
    pub status: MeetingStatus,
    /// The agenda, in order.
    pub agenda: Vec<AgendaItem>,
    /// The papers, in order.
    pub papers: Vec<Paper>,
    /// The minutes, once written.
    pub minutes: Option<Minutes>,
}

/// A decision in a board's decisions log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Decision {
    /// Its number in the log (1, 2, …).
    pub number: u32,
    /// The meeting that took it, if it was taken at a meeting.
    pub meeting: Option<u32>,
    /// When the board took it.
    pub taken_on: NaiveDate,
    /// What was decided, in a line.
    pub title: String,
    /// The decision in full.
    pub text: String,
    /// For a key decision: the Cabinet approval it needs at each council, and the dates given.
    pub cabinet: Option<CabinetApprovals>,
}

impl Decision {
    /// The date the decision was made: the board's date, or for a key decision the date the
    /// last council's Cabinet approved it. `None` while an approval is outstanding.
    pub fn made_on(&self) -> Option<NaiveDate> {
        match &self.cabinet {
            None => Some(self.taken_on),
            Some(cabinet) => cabinet.completed_on(),
        }
    }

    /// Whether it needs Cabinet approval at each council.
    pub fn is_key(&self) -> bool {
        self.cabinet.is_some()
    }
}

/// A decision as entered, before it is numbered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct DecisionInput {
    /// The meeting that took it, if any.
    #[serde(default)]
    pub meeting: Option<u32>,
    /// When the board took it.
    pub taken_on: NaiveDate,
    /// What was decided, in a line.
    pub title: String,
    /// The decision in full.
    #[serde(default)]
    pub text: String,
    /// Whether it is a key decision that needs Cabinet approval at each council.
    #[serde(default)]
    pub key: bool,
}

/// A meeting as entered by hand, outside the generated schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct MeetingInput {
    /// Its date.
    pub date: NaiveDate,
    /// Its start time (UK local time).
    #[serde(default)]
    pub start_time: Option<NaiveTime>,
    /// How long it lasts, in minutes; the board's default when absent.
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    /// Where it is held.
    #[serde(default)]
    pub location: Option<String>,
}

/// One line of a meeting's agenda as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgendaLine {
    /// An item stored with the meeting (standing items, items the chair added, and escalated
    /// items kept when the meeting was minuted).
    Item(AgendaItem),
    /// A paper the reader may see.
    Paper {
        /// The paper's record.
        record_id: i64,
        /// The paper's number in the meeting.
        number: u32,
        /// Its title.
        title: String,
    },
    /// An item escalated to the board since its previous meeting.
    Escalated(AgendaItem),
}

impl AgendaLine {
    /// The line's title.
    pub fn title(&self) -> &str {
        match self {
            AgendaLine::Item(item) | AgendaLine::Escalated(item) => &item.title,
            AgendaLine::Paper { title, .. } => title,
        }
    }
}

/// A paper as an agenda places it: its record, the meeting it goes to, and the paper.
#[derive(Debug, Clone, Copy)]
pub struct AgendaPaper<'a> {
    /// The paper's record.
    pub record_id: i64,
    /// The number of the meeting it is presented to.
    pub meeting: u32,
    /// The paper.
    pub paper: &'a Paper,
}

/// A meeting's agenda for a reader: the items stored with it, the papers the reader may see,
/// and — while the meeting is still to be held — the items escalated to it, each on the
/// receiving board's first meeting after the day it was escalated (see
/// [`crate::raid::escalation_agenda`]). A held meeting's agenda is what was kept when it was
/// minuted, so it never changes afterwards.
pub fn agenda(
    board: &Board,
    meeting: &Meeting,
    papers: &[AgendaPaper<'_>],
    all_boards: &[Board],
    notices: &[EscalationNotice],
) -> Vec<AgendaLine> {
    let mut lines: Vec<AgendaLine> = meeting
        .agenda
        .iter()
        .filter(|i| !matches!(i.source, AgendaSource::Paper { .. }))
        .cloned()
        .map(AgendaLine::Item)
        .collect();
    for paper in papers.iter().filter(|p| p.meeting == meeting.number) {
        lines.push(AgendaLine::Paper {
            record_id: paper.record_id,
            number: paper.paper.number,
            title: paper.paper.title.clone(),
        });
    }
    if meeting.status != MeetingStatus::Held {
        for planned in crate::raid::escalation_agenda(all_boards, notices).items {
            if planned.board == board.level
                && planned.meeting == meeting.number
                && !meeting
                    .agenda
                    .iter()
                    .any(|i| i.source == planned.item.source)
            {
                lines.push(AgendaLine::Escalated(planned.item));
            }
        }
    }
    lines
}

/// One of a partnership's boards, with its meetings and decisions log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Board {
    /// Which of the three boards it is.
    pub level: BoardLevel,
    /// Its name; the standard name unless the partnership uses another.
    pub name: String,
    /// How often it meets.
    pub cadence: Cadence,
    /// The councils of the partnership, whose Cabinets approve key decisions.
    pub councils: Vec<GssCode>,
    /// The order in which the councils chair it.
    pub chair_rotation: Vec<GssCode>,
    /// How many consecutive meetings each council chairs before the next takes over.
    pub meetings_per_chair: u32,
    /// Usual meeting length in minutes, for new meetings.
    pub default_duration_minutes: u32,
    /// Who sits on it.
    pub members: Vec<BoardMember>,
    /// Its meetings, in date order.
    pub meetings: Vec<Meeting>,
    /// The highest meeting number given so far, so that numbers are never reused even when
    /// an empty scheduled meeting is replaced.
    pub last_meeting_number: u32,
    /// Its decisions log, in order.
    pub decisions: Vec<Decision>,
    /// Where the record comes from (a seed citation), if it was not entered by a user.
    pub source: Option<String>,
}

impl Board {
    /// A board of a partnership with its Schedule 3 cadence, chaired in turn by the councils
    /// that are members on `on`, in the order the partnership lists them.
    pub fn new(
        level: BoardLevel,
        partnership: &Partnership,
        on: NaiveDate,
    ) -> Result<Board, Invalid> {
        let councils: Vec<GssCode> = partnership
            .members_on(on)
            .map(|m| m.authority.clone())
            .collect();
        if councils.len() < Partnership::MIN_MEMBERS {
            return Err(Invalid::field(
                "partnership",
                format!(
                    "A board needs a partnership of at least two councils on {}",
                    long_date(on)
                ),
            ));
        }
        Ok(Board {
            level,
            name: level.name().to_owned(),
            cadence: level.standard_cadence(),
            chair_rotation: councils.clone(),
            councils,
            meetings_per_chair: 1,
            default_duration_minutes: 90,
            members: Vec::new(),
            meetings: Vec::new(),
            last_meeting_number: 0,
            decisions: Vec::new(),
            source: None,
        })
    }

    /// The three boards of Schedule 3 for a partnership.
    pub fn standard_three(partnership: &Partnership, on: NaiveDate) -> Result<[Board; 3], Invalid> {
        Ok([
            Board::new(BoardLevel::SeniorStakeholder, partnership, on)?,
            Board::new(BoardLevel::Programme, partnership, on)?,
            Board::new(BoardLevel::Projects, partnership, on)?,
        ])
    }

    fn check_council(&self, field: &str, council: &GssCode) -> Result<(), Invalid> {
        if self.councils.contains(council) {
            Ok(())
        } else {
            Err(Invalid::field(
                field,
                format!("{council} is not a member of this partnership"),
            ))
        }
    }

    /// Adds a member. A council outside the partnership is refused.
    pub fn add_member(&mut self, member: BoardMember) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        if member.name.trim().is_empty() {
            invalid.push("name", "Enter the member's name or post");
        }
        if member.role.trim().is_empty() {
            invalid.push("role", "Enter the member's part on the board");
        }
        if let Some(council) = &member.council
            && let Err(e) = self.check_council("council", council)
        {
            invalid.extend(e);
        }
        invalid.into_result()?;
        self.members.push(member);
        Ok(())
    }

    /// Sets the chair order and how many meetings each chair holds, then re-rotates the chairs
    /// of meetings not yet held. Every council must appear exactly once.
    pub fn set_chair_rotation(
        &mut self,
        order: Vec<GssCode>,
        meetings_per_chair: u32,
    ) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        for (i, council) in order.iter().enumerate() {
            if let Err(e) = self.check_council(&format!("chair_rotation[{i}]"), council) {
                invalid.extend(e);
            }
            if order[..i].contains(council) {
                invalid.push(
                    format!("chair_rotation[{i}]"),
                    format!("{council} appears twice in the rotation"),
                );
            }
        }
        for council in &self.councils {
            if !order.contains(council) {
                invalid.push(
                    "chair_rotation",
                    format!("{council} is missing: every council takes its turn in the chair"),
                );
            }
        }
        if meetings_per_chair == 0 {
            invalid.push(
                "meetings_per_chair",
                "Each chair holds at least one meeting",
            );
        }
        invalid.into_result()?;
        self.chair_rotation = order;
        self.meetings_per_chair = meetings_per_chair;
        self.rotate_chairs();
        Ok(())
    }

    /// The council whose turn it is to chair the `index`th meeting (0-based, cancelled meetings
    /// not counted).
    pub fn chair_for(&self, index: usize) -> Option<&GssCode> {
        if self.chair_rotation.is_empty() {
            return None;
        }
        let per = usize::try_from(self.meetings_per_chair.max(1)).unwrap_or(1);
        self.chair_rotation
            .get((index / per) % self.chair_rotation.len())
    }

    /// Assigns chairs in rotation to every meeting not yet held, counting held meetings so the
    /// turn carries on from them; cancelled meetings do not take a turn.
    pub fn rotate_chairs(&mut self) {
        self.sort_meetings();
        let mut index = 0;
        let chairs: Vec<Option<GssCode>> = self
            .meetings
            .iter()
            .map(|m| {
                if m.status == MeetingStatus::Cancelled {
                    return None;
                }
                let chair = self.chair_for(index).cloned();
                index += 1;
                chair
            })
            .collect();
        for (meeting, chair) in self.meetings.iter_mut().zip(chairs) {
            match meeting.status {
                MeetingStatus::Scheduled => meeting.chair = chair,
                MeetingStatus::Cancelled => meeting.chair = None,
                MeetingStatus::Held => {}
            }
        }
    }

    fn sort_meetings(&mut self) {
        self.meetings
            .sort_by_key(|m| (m.date, m.start_time, m.number));
    }

    fn next_meeting_number(&mut self) -> u32 {
        let highest = self.meetings.iter().map(|m| m.number).max().unwrap_or(0);
        self.last_meeting_number = self.last_meeting_number.max(highest) + 1;
        self.last_meeting_number
    }

    fn blank_meeting(&self, number: u32, date: NaiveDate) -> Meeting {
        Meeting {
            number,
            date,
            start_time: None,
            duration_minutes: self.default_duration_minutes,
            location: None,
            chair: None,
            status: MeetingStatus::Scheduled,
            agenda: Vec::new(),
            papers: Vec::new(),
            minutes: None,
        }
    }

    /// Generates meetings from the board's cadence between `first` and `until` (see
    /// [`meeting_dates`]), replacing any scheduled (not held, not cancelled) meeting from
    /// `first` on that has no agenda, papers or minutes yet, and rotates the chairs.
    /// Returns the numbers of the new meetings.
    pub fn schedule(
        &mut self,
        first: NaiveDate,
        until: NaiveDate,
        is_working_day: Option<&dyn Fn(NaiveDate) -> bool>,
    ) -> Result<Vec<u32>, Invalid> {
        let dates = meeting_dates(self.cadence, first, until, is_working_day)?;
        self.meetings.retain(|m| {
            !(m.date >= first
                && m.status == MeetingStatus::Scheduled
                && m.agenda.is_empty()
                && m.papers.is_empty()
                && m.minutes.is_none())
        });
        let mut numbers = Vec::with_capacity(dates.len());
        for date in dates {
            if self
                .meetings
                .iter()
                .any(|m| m.date == date && m.status != MeetingStatus::Cancelled)
            {
                continue;
            }
            let number = self.next_meeting_number();
            let meeting = self.blank_meeting(number, date);
            self.meetings.push(meeting);
            numbers.push(number);
        }
        self.rotate_chairs();
        Ok(numbers)
    }

    /// Changes the cadence (Schedule 3: the Projects Board adjusts its frequency as needed)
    /// and regenerates the schedule from `from`.
    pub fn change_cadence(
        &mut self,
        cadence: Cadence,
        from: NaiveDate,
        until: NaiveDate,
        is_working_day: Option<&dyn Fn(NaiveDate) -> bool>,
    ) -> Result<Vec<u32>, Invalid> {
        cadence.validate()?;
        let before = self.clone();
        self.cadence = cadence;
        match self.schedule(from, until, is_working_day) {
            Ok(numbers) => Ok(numbers),
            Err(e) => {
                *self = before;
                Err(e)
            }
        }
    }

    /// Adds a meeting by hand (an extraordinary meeting). Returns its number.
    pub fn add_meeting(&mut self, input: MeetingInput) -> Result<u32, Invalid> {
        if input.duration_minutes == Some(0) {
            return Err(Invalid::field(
                "duration_minutes",
                "A meeting lasts at least a minute",
            ));
        }
        let number = self.next_meeting_number();
        let mut meeting = self.blank_meeting(number, input.date);
        meeting.start_time = input.start_time;
        meeting.location = input.location;
        if let Some(duration) = input.duration_minutes {
            meeting.duration_minutes = duration;
        }
        self.meetings.push(meeting);
        self.rotate_chairs();
        Ok(number)
    }

    /// A meeting by number.
    pub fn meeting(&self, number: u32) -> Option<&Meeting> {
        self.meetings.iter().find(|m| m.number == number)
    }

    fn meeting_mut(&mut self, number: u32) -> Result<&mut Meeting, Invalid> {
        self.meetings
            .iter_mut()
            .find(|m| m.number == number)
            .ok_or_else(|| Invalid::field("meeting", format!("This board has no meeting {number}")))
    }

    /// Moves a scheduled meeting to another date (and time). Held meetings cannot move.
    pub fn move_meeting(
        &mut self,
        number: u32,
        date: NaiveDate,
        start_time: Option<NaiveTime>,
    ) -> Result<(), Invalid> {
        let meeting = self.meeting_mut(number)?;
        if meeting.status != MeetingStatus::Scheduled {
            return Err(Invalid::field(
                "date",
                format!("Meeting {number} has been held or cancelled and cannot move"),
            ));
        }
        meeting.date = date;
        meeting.start_time = start_time;
        self.rotate_chairs();
        Ok(())
    }

    /// Cancels a scheduled meeting; the later meetings take its turn in the chair rotation.
    pub fn cancel_meeting(&mut self, number: u32) -> Result<(), Invalid> {
        let meeting = self.meeting_mut(number)?;
        if meeting.status == MeetingStatus::Held {
            return Err(Invalid::field(
                "status",
                format!("Meeting {number} has been held and cannot be cancelled"),
            ));
        }
        meeting.status = MeetingStatus::Cancelled;
        self.rotate_chairs();
        Ok(())
    }

    /// Sets the chair of one scheduled meeting by hand (a swap between the councils).
    pub fn set_chair(&mut self, number: u32, council: GssCode) -> Result<(), Invalid> {
        self.check_council("chair", &council)?;
        let meeting = self.meeting_mut(number)?;
        if meeting.status != MeetingStatus::Scheduled {
            return Err(Invalid::field(
                "chair",
                format!("Meeting {number} has been held or cancelled"),
            ));
        }
        meeting.chair = Some(council);
        Ok(())
    }

    /// Records that a meeting took place, with its minutes.
    pub fn record_minutes(&mut self, number: u32, minutes: Minutes) -> Result<(), Invalid> {
        if minutes.text.trim().is_empty() {
            return Err(Invalid::field("text", "Enter the minutes"));
        }
        let meeting = self.meeting_mut(number)?;
        if meeting.status == MeetingStatus::Cancelled {
            return Err(Invalid::field(
                "meeting",
                format!("Meeting {number} was cancelled"),
            ));
        }
        if let Some(approved) = minutes.approved_on
            && approved < meeting.date
        {
            return Err(Invalid::field(
                "approved_on",
                "Minutes cannot be approved before the meeting they record",
            ));
        }
        meeting.status = MeetingStatus::Held;
        meeting.minutes = Some(minutes);
        Ok(())
    }

    /// Adds an item to a meeting's agenda.
    pub fn add_agenda_item(&mut self, number: u32, item: AgendaItem) -> Result<(), Invalid> {
        if item.title.trim().is_empty() {
            return Err(Invalid::field("title", "Enter the agenda item's title"));
        }
        self.meeting_mut(number)?.agenda.push(item);
        Ok(())
    }

    /// Adds items to meetings' agendas (from [`crate::raid::escalation_agenda`]), skipping any
    /// already on that agenda, so that running it twice adds nothing. Returns how many were
    /// added. Items for meetings this board does not have are ignored.
    pub fn merge_agenda(&mut self, items: &[PlannedAgendaItem]) -> usize {
        let mut added = 0;
        for planned in items.iter().filter(|p| p.board == self.level) {
            if let Some(meeting) = self
                .meetings
                .iter_mut()
                .find(|m| m.number == planned.meeting)
                && !meeting
                    .agenda
                    .iter()
                    .any(|i| i.source == planned.item.source)
            {
                meeting.agenda.push(planned.item.clone());
                added += 1;
            }
        }
        added
    }

    /// Adds a paper to a meeting, numbering it, and puts it on the agenda. A paper that informs
    /// a decision not in the log is refused. Returns its number.
    pub fn add_paper(&mut self, meeting: u32, mut paper: Paper) -> Result<u32, Invalid> {
        let mut invalid = Invalid::new();
        if paper.title.trim().is_empty() {
            invalid.push("title", "Enter the paper's title");
        }
        if paper.author.trim().is_empty() {
            invalid.push("author", "Enter who wrote or presents the paper");
        }
        if let Some(decision) = paper.informs
            && !self.decisions.iter().any(|d| d.number == decision)
        {
            invalid.push(
                "informs",
                format!("The decisions log has no decision {decision}"),
            );
        }
        invalid.into_result()?;
        let target = self.meeting_mut(meeting)?;
        let number = target.papers.iter().map(|p| p.number).max().unwrap_or(0) + 1;
        paper.number = number;
        target.agenda.push(AgendaItem {
            title: paper.title.clone(),
            source: AgendaSource::Paper { paper: number },
        });
        target.papers.push(paper);
        Ok(number)
    }

    /// Links a paper to the decision it informs (a paper is often written before the decision
    /// is logged).
    pub fn link_paper(&mut self, meeting: u32, paper: u32, decision: u32) -> Result<(), Invalid> {
        if !self.decisions.iter().any(|d| d.number == decision) {
            return Err(Invalid::field(
                "informs",
                format!("The decisions log has no decision {decision}"),
            ));
        }
        let target = self.meeting_mut(meeting)?;
        let paper = target
            .papers
            .iter_mut()
            .find(|p| p.number == paper)
            .ok_or_else(|| {
                Invalid::field("paper", format!("Meeting {meeting} has no paper {paper}"))
            })?;
        paper.informs = Some(decision);
        Ok(())
    }

    /// Records a decision in the log. A key decision needs Cabinet approval at each council.
    /// Returns its number.
    pub fn record_decision(&mut self, input: DecisionInput) -> Result<u32, Invalid> {
        let mut invalid = Invalid::new();
        if input.title.trim().is_empty() {
            invalid.push("title", "Enter what was decided");
        }
        if let Some(meeting) = input.meeting {
            match self.meeting(meeting) {
                None => invalid.push("meeting", format!("This board has no meeting {meeting}")),
                Some(m) if m.date != input.taken_on => invalid.push(
                    "taken_on",
                    format!(
                        "Meeting {meeting} was on {}, not {}",
                        long_date(m.date),
                        long_date(input.taken_on)
                    ),
                ),
                Some(_) => {}
            }
        }
        invalid.into_result()?;
        let number = self.decisions.iter().map(|d| d.number).max().unwrap_or(0) + 1;
        self.decisions.push(Decision {
            number,
            meeting: input.meeting,
            taken_on: input.taken_on,
            title: input.title,
            text: input.text,
            cabinet: input
                .key
                .then(|| CabinetApprovals::for_councils(&self.councils)),
        });
        Ok(number)
    }

    /// Records the date a council's Cabinet approved a key decision. A council outside the
    /// partnership, a decision that is not key, or an approval dated before the board took the
    /// decision is refused, and nothing changes.
    pub fn record_cabinet_approval(
        &mut self,
        decision: u32,
        council: &GssCode,
        on: NaiveDate,
    ) -> Result<(), Invalid> {
        let entry = self
            .decisions
            .iter_mut()
            .find(|d| d.number == decision)
            .ok_or_else(|| {
                Invalid::field(
                    "decision",
                    format!("The decisions log has no decision {decision}"),
                )
            })?;
        if on < entry.taken_on {
            return Err(Invalid::field(
                "approved_on",
                format!(
                    "{} is before the board took the decision on {}",
                    long_date(on),
                    long_date(entry.taken_on)
                ),
            ));
        }
        let Some(cabinet) = entry.cabinet.as_mut() else {
            return Err(Invalid::field(
                "decision",
                format!("Decision {decision} is not a key decision; it needs no Cabinet approval"),
            ));
        };
        cabinet.record(council, on)
    }

    /// The next meeting not cancelled, strictly after `after`.
    pub fn next_meeting_after(&self, after: NaiveDate) -> Option<&Meeting> {
        self.meetings
            .iter()
            .filter(|m| m.status != MeetingStatus::Cancelled && m.date > after)
            .min_by_key(|m| (m.date, m.start_time, m.number))
    }
}

/// The three boards of the Haringey (E09000014) – Waltham Forest (E09000031) partnership as
/// Schedule 3 of seed 003 sets them out: cadence, members by post and council, chairs rotating
/// between the councils.
///
/// Members are listed by post, not by name. The seed does not say which council chairs first,
/// so the rotation follows the partnership's order (Haringey, then Waltham Forest); it states
/// no meeting dates, so no meetings are scheduled.
pub fn demo_haringey_waltham_forest() -> Vec<Board> {
    let councils: Vec<GssCode> = ["E09000014", "E09000031"]
        .iter()
        .filter_map(|c| GssCode::parse("council", c).ok())
        .collect();
    let member = |role: &str, council: Option<&GssCode>| BoardMember {
        name: role.to_owned(),
        role: role.to_owned(),
        council: council.cloned(),
    };
    let each = |roles: &[&str]| -> Vec<BoardMember> {
        councils
            .iter()
            .flat_map(|c| roles.iter().map(move |r| (r, c)))
            .map(|(r, c)| member(r, Some(c)))
            .collect()
    };
    let (haringey, waltham_forest) = (councils.first(), councils.get(1));
    let board = |level: BoardLevel, members: Vec<BoardMember>| Board {
        level,
        name: level.name().to_owned(),
        cadence: level.standard_cadence(),
        councils: councils.clone(),
        chair_rotation: councils.clone(),
        meetings_per_chair: 1,
        default_duration_minutes: 90,
        members,
        meetings: Vec::new(),
        last_meeting_number: 0,
        decisions: Vec::new(),
        source: Some(crate::seed::Seed::HaringeyCorporateCommitteeReport.at("Schedule 3")),
    };
    let mut senior = each(&["Programme Sponsor", "Council Leader"]);
    senior.push(member(
        "Portfolio Holder for Shared Services",
        waltham_forest,
    ));
    senior.push(member(
        "Portfolio Holder for Finance and Sustainability",
        haringey,
    ));
    senior.push(member("Programme Director (supporting)", None));
    let mut programme = each(&[
        "Programme Sponsor",
        "Portfolio Holder for Shared Services",
        "Director representing Corporate Resources (finance, HR, IT, property)",
        "Legal representative (democratic services and governance)",
        "Communications representative",
        "Directors of the services proposed for sharing",
    ]);
    programme.push(member(
        "Capital Ambition representative (on invitation)",
        None,
    ));
    programme.push(member("Programme Director (supporting)", None));
    let mut projects = vec![member("Programme Director (joint)", None)];
    projects.extend(each(&["Programme Manager"]));
    projects.push(member(
        "Project Manager for each service project (joint or from the lead council)",
        None,
    ));
    projects.push(member(
        "Capital Ambition representative (early stages, on invitation)",
        None,
    ));
    vec![
        board(BoardLevel::SeniorStakeholder, senior),
        board(BoardLevel::Programme, programme),
        board(BoardLevel::Projects, projects),
    ]
}

/// An agenda item planned for a given board's meeting (see
/// [`crate::raid::escalation_agenda`] and [`Board::merge_agenda`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct PlannedAgendaItem {
    /// The receiving board.
    pub board: BoardLevel,
    /// The meeting's number within that board.
    pub meeting: u32,
    /// The item.
    pub item: AgendaItem,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Member, MemberRole, MemberStatus};

    #[test]
    fn recorded_dates_cannot_be_in_the_future() {
        let today = d(2011, 7, 21);
        let cases = [
            (d(2011, 7, 20), true),
            (d(2011, 7, 21), true),
            (d(2011, 7, 22), false),
            (d(2012, 1, 1), false),
        ];
        for (on, ok) in cases {
            let result = check_recorded_on("approved_on", on, today);
            assert_eq!(result.is_ok(), ok, "{on}");
            if let Err(e) = result {
                assert!(
                    e.message_for("approved_on")
                        .is_some_and(|m| m.contains("future"))
                );
            }
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn gss(s: &str) -> GssCode {
        GssCode::parse("gss", s).unwrap()
    }

    pub(crate) fn partnership(codes: &[&str]) -> Partnership {
        Partnership {
            id: 1,
            name: "Test partnership".into(),
            summary: String::new(),
            source: None,
            members: codes
                .iter()
                .map(|c| Member {
                    authority: gss(c),
                    role: MemberRole::Partner,
                    status: MemberStatus::Active,
                    joined: None,
                    left: None,
                })
                .collect(),
        }
    }

    const HARINGEY: &str = "E09000014";
    const WALTHAM_FOREST: &str = "E09000031";

    #[test]
    fn schedule_follows_the_cadence() {
        let cases = [
            (
                Cadence::Weekly,
                d(2011, 7, 4),
                d(2011, 7, 25),
                vec![
                    d(2011, 7, 4),
                    d(2011, 7, 11),
                    d(2011, 7, 18),
                    d(2011, 7, 25),
                ],
            ),
            (
                Cadence::Fortnightly,
                d(2011, 7, 5),
                d(2011, 8, 16),
                vec![d(2011, 7, 5), d(2011, 7, 19), d(2011, 8, 2), d(2011, 8, 16)],
            ),
            (
                Cadence::Weeks { weeks: 3 },
                d(2011, 7, 5),
                d(2011, 8, 15),
                vec![d(2011, 7, 5), d(2011, 7, 26)],
            ),
            // Second Tuesday of each month.
            (
                Cadence::Monthly,
                d(2011, 7, 12),
                d(2011, 10, 31),
                vec![
                    d(2011, 7, 12),
                    d(2011, 8, 9),
                    d(2011, 9, 13),
                    d(2011, 10, 11),
                ],
            ),
            // A first meeting in the fifth week means the last such weekday.
            (
                Cadence::Monthly,
                d(2011, 8, 31),
                d(2011, 11, 30),
                vec![
                    d(2011, 8, 31),
                    d(2011, 9, 28),
                    d(2011, 10, 26),
                    d(2011, 11, 30),
                ],
            ),
            // Same day only.
            (
                Cadence::Monthly,
                d(2011, 1, 3),
                d(2011, 1, 3),
                vec![d(2011, 1, 3)],
            ),
        ];
        for (cadence, first, until, expected) in cases {
            assert_eq!(
                meeting_dates(cadence, first, until, None).unwrap(),
                expected,
                "{cadence:?} from {first}"
            );
        }
    }

    #[test]
    fn non_working_days_move_the_meeting_or_skip_it() {
        // 29 Aug 2011 was the summer bank holiday; 26 Dec 2011 to 2 Jan 2012 a long closure.
        let closed = |date: NaiveDate| {
            date == d(2011, 8, 29) || (d(2011, 12, 24) <= date && date <= d(2012, 1, 2))
        };
        let works = move |date: NaiveDate| {
            !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !closed(date)
        };
        let cases = [
            (
                Cadence::Weekly,
                d(2011, 8, 22),
                d(2011, 9, 5),
                vec![d(2011, 8, 22), d(2011, 8, 30), d(2011, 9, 5)],
            ),
            // The 26 Dec meeting has no working day before 2 Jan's slot, which itself moves.
            (
                Cadence::Weekly,
                d(2011, 12, 19),
                d(2012, 1, 9),
                vec![d(2011, 12, 19), d(2012, 1, 3), d(2012, 1, 9)],
            ),
        ];
        for (cadence, first, until, expected) in cases {
            assert_eq!(
                meeting_dates(cadence, first, until, Some(&works)).unwrap(),
                expected,
                "{cadence:?} from {first}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn generated_schedules_are_ordered_in_range_and_on_working_days(
            start in 0i64..3000, span in 0i64..400, cadence in 0u8..5, closed in 0u32..7,
        ) {
            let first = d(2010, 1, 1) + chrono::Duration::days(start);
            let until = first + chrono::Duration::days(span);
            let cadence = [Cadence::Weekly, Cadence::Fortnightly, Cadence::Monthly, Cadence::Weeks { weeks: 3 }, Cadence::Weeks { weeks: 12 }][usize::from(cadence)];
            // Weekends closed, and one more weekday of every week.
            let works = move |date: NaiveDate| {
                let n = date.weekday().num_days_from_monday();
                n < 5 && n != closed
            };
            let dates = meeting_dates(cadence, first, until, Some(&works)).unwrap();
            proptest::prop_assert!(dates.windows(2).all(|w| w[0] < w[1]));
            proptest::prop_assert!(dates.iter().all(|&x| works(x) && x >= first));
            let plain = meeting_dates(cadence, first, until, None).unwrap();
            proptest::prop_assert!(plain.iter().all(|&x| x <= until));
            proptest::prop_assert!(dates.len() <= plain.len());
        }
    }

    #[test]
    fn schedule_refuses_bad_ranges() {
        let cases = [
            (Cadence::Weekly, d(2011, 7, 4), d(2011, 7, 3), "until"),
            (Cadence::Weekly, d(2011, 7, 4), d(2031, 7, 3), "until"),
            (
                Cadence::Weeks { weeks: 0 },
                d(2011, 7, 4),
                d(2011, 8, 3),
                "cadence",
            ),
            (
                Cadence::Weeks { weeks: 13 },
                d(2011, 7, 4),
                d(2011, 8, 3),
                "cadence",
            ),
        ];
        for (cadence, first, until, field) in cases {
            let err = meeting_dates(cadence, first, until, None).unwrap_err();
            assert_eq!(err.errors[0].field, field, "{cadence:?} {first} {until}");
        }
    }

    fn chairs(board: &Board) -> Vec<(u32, Option<&str>)> {
        board
            .meetings
            .iter()
            .map(|m| (m.number, m.chair.as_ref().map(GssCode::as_str)))
            .collect()
    }

    #[test]
    fn chairs_rotate_between_the_councils() {
        let p = partnership(&[HARINGEY, WALTHAM_FOREST, "E09000002"]);
        let h = Some(HARINGEY);
        let w = Some(WALTHAM_FOREST);
        let b = Some("E09000002");
        let cases = [(1, vec![h, w, b, h, w, b]), (2, vec![h, h, w, w, b, b])];
        for (per, expected) in cases {
            let mut board = Board::new(BoardLevel::Programme, &p, d(2011, 1, 1)).unwrap();
            board
                .set_chair_rotation(board.councils.clone(), per)
                .unwrap();
            board.schedule(d(2011, 7, 5), d(2011, 9, 13), None).unwrap();
            let got: Vec<_> = chairs(&board).into_iter().map(|(_, c)| c).collect();
            assert_eq!(got, expected, "{per} meetings per chair");
        }
    }

    #[test]
    fn cancelling_passes_the_turn_on_and_held_meetings_keep_their_chair() {
        let p = partnership(&[HARINGEY, WALTHAM_FOREST]);
        let mut board = Board::new(BoardLevel::SeniorStakeholder, &p, d(2011, 1, 1)).unwrap();
        board
            .schedule(d(2011, 7, 12), d(2011, 11, 30), None)
            .unwrap();
        board
            .record_minutes(
                1,
                Minutes {
                    present: vec!["Programme Sponsor (LBH)".into()],
                    apologies: vec![],
                    text: "Agreed the programme plan.".into(),
                    approved_on: None,
                },
            )
            .unwrap();
        board.cancel_meeting(2).unwrap();
        assert_eq!(
            chairs(&board),
            vec![
                (1, Some(HARINGEY)),
                (2, None),
                (3, Some(WALTHAM_FOREST)),
                (4, Some(HARINGEY)),
                (5, Some(WALTHAM_FOREST)),
            ]
        );
        // Swapping the order later does not rewrite the chair of a meeting already held.
        board
            .set_chair_rotation(vec![gss(WALTHAM_FOREST), gss(HARINGEY)], 1)
            .unwrap();
        assert_eq!(board.meeting(1).unwrap().chair, Some(gss(HARINGEY)));
        assert_eq!(board.meeting(3).unwrap().chair, Some(gss(HARINGEY)));
        assert_eq!(board.meeting(4).unwrap().chair, Some(gss(WALTHAM_FOREST)));
    }

    #[test]
    fn rotation_must_name_every_council_once() {
        let p = partnership(&[HARINGEY, WALTHAM_FOREST]);
        let mut board = Board::new(BoardLevel::Programme, &p, d(2011, 1, 1)).unwrap();
        let before = board.clone();
        let cases = [
            (vec![gss(HARINGEY)], 1, "chair_rotation"),
            (
                vec![gss(HARINGEY), gss(HARINGEY), gss(WALTHAM_FOREST)],
                1,
                "chair_rotation[1]",
            ),
            (
                vec![gss(HARINGEY), gss("E09000002"), gss(WALTHAM_FOREST)],
                1,
                "chair_rotation[1]",
            ),
            (
                vec![gss(HARINGEY), gss(WALTHAM_FOREST)],
                0,
                "meetings_per_chair",
            ),
        ];
        for (order, per, field) in cases {
            let err = board.set_chair_rotation(order.clone(), per).unwrap_err();
            assert_eq!(err.errors[0].field, field, "{order:?}");
            assert_eq!(board, before);
        }
    }

    #[test]
    fn schedule_is_editable_and_regeneration_keeps_meetings_with_business() {
        let p = partnership(&[HARINGEY, WALTHAM_FOREST]);
        let mut board = Board::new(BoardLevel::Projects, &p, d(2011, 1, 1)).unwrap();
        board.schedule(d(2011, 7, 4), d(2011, 8, 15), None).unwrap();
        assert_eq!(board.meetings.len(), 7);
        board
            .move_meeting(2, d(2011, 7, 12), NaiveTime::from_hms_opt(10, 0, 0))
            .unwrap();
        board
            .add_agenda_item(
                5,
                AgendaItem {
                    title: "Highlight reports".into(),
                    source: AgendaSource::Standing,
                },
            )
            .unwrap();
        // Weekly at first, then fortnightly from the end of July: the empty meetings after
        // that date are replaced, the one with business is kept, and numbers are not reused.
        board
            .change_cadence(Cadence::Fortnightly, d(2011, 7, 27), d(2011, 8, 31), None)
            .unwrap();
        let dates: Vec<_> = board.meetings.iter().map(|m| (m.number, m.date)).collect();
        assert_eq!(
            dates,
            vec![
                (1, d(2011, 7, 4)),
                (2, d(2011, 7, 12)),
                (3, d(2011, 7, 18)),
                (4, d(2011, 7, 25)),
                (8, d(2011, 7, 27)),
                (5, d(2011, 8, 1)),
                (9, d(2011, 8, 10)),
                (10, d(2011, 8, 24)),
            ]
        );
        assert_eq!(board.meeting(5).unwrap().agenda.len(), 1);
        assert_eq!(board.cadence, Cadence::Fortnightly);
        let before = board.clone();
        assert!(
            board
                .change_cadence(
                    Cadence::Weeks { weeks: 20 },
                    d(2011, 9, 1),
                    d(2011, 12, 1),
                    None
                )
                .is_err()
        );
        assert_eq!(board, before);
    }

    #[test]
    fn key_decisions_need_every_cabinet_and_refuse_outsiders() {
        let p = partnership(&[HARINGEY, WALTHAM_FOREST]);
        let mut board = Board::new(BoardLevel::SeniorStakeholder, &p, d(2011, 1, 1)).unwrap();
        let n = board
            .record_decision(DecisionInput {
                meeting: None,
                taken_on: d(2011, 9, 1),
                title: "Create a joint HR shared service".into(),
                text: String::new(),
                key: true,
            })
            .unwrap();
        let made = |b: &Board| b.decisions[0].made_on();
        assert_eq!(made(&board), None);
        let before = board.clone();
        let cases = [
            ("E09000002", d(2011, 9, 20), "council"),
            (HARINGEY, d(2011, 8, 1), "approved_on"),
        ];
        for (council, on, field) in cases {
            let err = board
                .record_cabinet_approval(n, &gss(council), on)
                .unwrap_err();
            assert_eq!(err.errors[0].field, field);
            assert_eq!(board, before, "a refusal changes nothing");
        }
        board
            .record_cabinet_approval(n, &gss(HARINGEY), d(2011, 9, 20))
            .unwrap();
        assert_eq!(made(&board), None);
        board
            .record_cabinet_approval(n, &gss(WALTHAM_FOREST), d(2011, 9, 27))
            .unwrap();
        assert_eq!(made(&board), Some(d(2011, 9, 27)));
    }

    #[test]
    fn papers_are_embargoed_until_the_decision_is_made() {
        let p = partnership(&[HARINGEY, WALTHAM_FOREST]);
        let mut board = Board::new(BoardLevel::Programme, &p, d(2011, 1, 1)).unwrap();
        board.schedule(d(2011, 9, 6), d(2011, 9, 6), None).unwrap();
        let plain = board
            .record_decision(DecisionInput {
                meeting: Some(1),
                taken_on: d(2011, 9, 6),
                title: "Agree the communications plan".into(),
                text: String::new(),
                key: false,
            })
            .unwrap();
        let key = board
            .record_decision(DecisionInput {
                meeting: Some(1),
                taken_on: d(2011, 9, 6),
                title: "Recommend the HR business case to both Cabinets".into(),
                text: String::new(),
                key: true,
            })
            .unwrap();
        let paper = |informs, release| Paper {
            number: 0,
            title: "Paper".into(),
            author: "Programme Director".into(),
            informs,
            release,
        };
        board
            .record_cabinet_approval(key, &gss(HARINGEY), d(2011, 9, 20))
            .unwrap();
        board
            .record_cabinet_approval(key, &gss(WALTHAM_FOREST), d(2011, 9, 27))
            .unwrap();
        let public = |since| ReleaseStatus::Public { since };
        let cases = [
            (
                paper(Some(plain), PaperRelease::Embargoed),
                d(2011, 9, 5),
                false,
            ),
            (
                paper(Some(plain), PaperRelease::Embargoed),
                d(2011, 9, 6),
                true,
            ),
            (
                paper(Some(key), PaperRelease::Embargoed),
                d(2011, 9, 26),
                false,
            ),
            (
                paper(Some(key), PaperRelease::Embargoed),
                d(2011, 9, 27),
                true,
            ),
            (paper(None, PaperRelease::Embargoed), d(2030, 1, 1), false),
            (
                paper(None, PaperRelease::Released { on: d(2011, 9, 10) }),
                d(2011, 9, 10),
                true,
            ),
            (
                paper(None, PaperRelease::Released { on: d(2011, 9, 10) }),
                d(2011, 9, 9),
                false,
            ),
            (
                paper(
                    Some(plain),
                    PaperRelease::Exempt {
                        reason: "personal data".into(),
                    },
                ),
                d(2030, 1, 1),
                false,
            ),
        ];
        for (paper, on, is_public) in cases {
            let status = paper.release_status(&board.decisions, on);
            assert_eq!(
                matches!(status, ReleaseStatus::Public { .. }),
                is_public,
                "{paper:?} on {on}: {status:?}"
            );
        }
        assert_eq!(
            paper(Some(key), PaperRelease::Embargoed)
                .release_status(&board.decisions, d(2012, 1, 1)),
            public(d(2011, 9, 27))
        );
        // Papers are embargoed by default when entered as JSON.
        let parsed: Paper =
            serde_json::from_str(r#"{"title":"Business case","author":"Finance"}"#).unwrap();
        assert_eq!(parsed.release, PaperRelease::Embargoed);
        assert!(serde_json::from_str::<Paper>(r#"{"title":"x","author":"y","colour":1}"#).is_err());
    }

    #[test]
    fn members_and_papers_are_checked() {
        let p = partnership(&[HARINGEY, WALTHAM_FOREST]);
        let mut board = Board::new(BoardLevel::Programme, &p, d(2011, 1, 1)).unwrap();
        board.schedule(d(2011, 9, 6), d(2011, 9, 6), None).unwrap();
        let err = board
            .add_member(BoardMember {
                name: "Legal representative".into(),
                role: "Legal".into(),
                council: Some(gss("E09000002")),
            })
            .unwrap_err();
        assert_eq!(err.errors[0].field, "council");
        let err = board
            .add_paper(
                1,
                Paper {
                    number: 0,
                    title: "Budget monitoring".into(),
                    author: "Finance".into(),
                    informs: Some(9),
                    release: PaperRelease::Embargoed,
                },
            )
            .unwrap_err();
        assert_eq!(err.errors[0].field, "informs");
        let n = board
            .add_paper(
                1,
                Paper {
                    number: 0,
                    title: "Budget monitoring".into(),
                    author: "Finance".into(),
                    informs: None,
                    release: PaperRelease::Embargoed,
                },
            )
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(
            board.meeting(1).unwrap().agenda[0].source,
            AgendaSource::Paper { paper: 1 }
        );
    }

    #[test]
    fn demo_boards_follow_schedule_3() {
        let boards = demo_haringey_waltham_forest();
        let cadences: Vec<_> = boards
            .iter()
            .map(|b| (b.level, b.cadence.describe()))
            .collect();
        assert_eq!(
            cadences,
            vec![
                (BoardLevel::SeniorStakeholder, "monthly".to_owned()),
                (BoardLevel::Programme, "fortnightly".to_owned()),
                (BoardLevel::Projects, "weekly".to_owned()),
            ]
        );
        for board in &boards {
            for council in [HARINGEY, WALTHAM_FOREST] {
                assert!(
                    board
                        .members
                        .iter()
                        .any(|m| m.council == Some(gss(council))),
                    "{} has a member from {council}",
                    board.name
                );
            }
            assert_eq!(board.chair_rotation.len(), 2);
            assert!(
                board.meetings.is_empty(),
                "the seed states no meeting dates"
            );
        }
        let mut ssb = boards[0].clone();
        ssb.schedule(d(2011, 7, 12), d(2011, 9, 30), None).unwrap();
        let chairs: Vec<_> = ssb.meetings.iter().map(|m| m.chair.clone()).collect();
        assert_eq!(
            chairs,
            vec![
                Some(gss(HARINGEY)),
                Some(gss(WALTHAM_FOREST)),
                Some(gss(HARINGEY))
            ]
        );
    }

    #[test]
    fn escalation_goes_up_one_board_and_stops_at_the_top() {
        let cases = [
            (BoardLevel::Projects, Some(BoardLevel::Programme)),
            (BoardLevel::Programme, Some(BoardLevel::SeniorStakeholder)),
            (BoardLevel::SeniorStakeholder, None),
        ];
        for (from, to) in cases {
            assert_eq!(from.above(), to);
            assert_eq!(BoardLevel::parse("board", from.slug()).unwrap(), from);
        }
        assert!(BoardLevel::parse("board", "cabinet").is_err());
    }
}
