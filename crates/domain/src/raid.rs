//! The RAID log: risks, assumptions, issues and dependencies, one log per partnership.
//!
//! Risks are scored on a 5×5 grid of probability × impact, before (inherent) and after
//! (residual) mitigation. Dependencies link projects and may not form a cycle. Items are held
//! at a board and escalate Projects Board → Programme Board → Senior Stakeholder Board, keeping
//! their history; an escalated item goes on the receiving board's next agenda
//! ([`escalation_agenda`]). [`RaidFilter`] selects items for pages and exports; [`heat_map`]
//! counts open risks per cell of the grid.

use crate::Invalid;
use crate::board::{
    AgendaItem, AgendaSource, Board, BoardLevel, EscalatedFrom, EscalationNotice, PlannedAgendaItem,
};
use crate::mou::long_date;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;

/// A point on a five-point scale, 1 (lowest) to 5 (highest). Only built by [`Level::new`] or
/// by deserialising a number in range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Level(u8);

impl Level {
    /// The lowest point.
    pub const MIN: Level = Level(1);
    /// The highest point.
    pub const MAX: Level = Level(5);

    /// A level from 1 to 5; `field` names the input in the error.
    pub fn new(field: &str, value: u8) -> Result<Level, Invalid> {
        if (1..=5).contains(&value) {
            Ok(Level(value))
        } else {
            Err(Invalid::field(
                field,
                format!("{value} is not on the scale; use 1 (lowest) to 5 (highest)"),
            ))
        }
    }

    /// The number, 1 to 5.
    pub fn get(self) -> u8 {
        self.0
    }

    /// The level as a probability: "Rare" to "Almost certain".
    pub fn probability_label(self) -> &'static str {
        ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"][usize::from(self.0 - 1)]
    }

    /// The level as an impact: "Negligible" to "Severe".
    pub fn impact_label(self) -> &'static str {
        ["Negligible", "Minor", "Moderate", "Major", "Severe"][usize::from(self.0 - 1)]
    }
}

impl TryFrom<u8> for Level {
    type Error = String;
    fn try_from(value: u8) -> Result<Level, String> {
        Level::new("level", value).map_err(|e| e.to_string())
    }
}

impl From<Level> for u8 {
    fn from(level: Level) -> u8 {
        level.0
    }
}

/// How a risk's score reads: the bands of the 5×5 grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskBand {
    /// Scores 1–4.
    Low,
    /// Scores 5–9.
    Medium,
    /// Scores 10–16.
    High,
    /// Scores 20–25.
    Critical,
}

impl RiskBand {
    /// The band of a score (1 to 25).
    pub fn of(score: u8) -> RiskBand {
        match score {
            0..=4 => RiskBand::Low,
            5..=9 => RiskBand::Medium,
            10..=16 => RiskBand::High,
            _ => RiskBand::Critical,
        }
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            RiskBand::Low => "Low",
            RiskBand::Medium => "Medium",
            RiskBand::High => "High",
            RiskBand::Critical => "Critical",
        }
    }
}

/// A risk's position on the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct RiskScore {
    /// How likely it is.
    pub probability: Level,
    /// How bad it would be.
    pub impact: Level,
}

impl RiskScore {
    /// Probability × impact, 1 to 25.
    pub fn score(self) -> u8 {
        self.probability.0 * self.impact.0
    }

    /// The band of the score.
    pub fn band(self) -> RiskBand {
        RiskBand::of(self.score())
    }
}

/// Which score of a risk to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ScoreBasis {
    /// Before mitigation.
    Inherent,
    /// After mitigation: what the programme lives with.
    #[default]
    Residual,
}

/// An action that reduces a risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Mitigation {
    /// What will be done.
    pub action: String,
    /// Who does it.
    #[serde(default)]
    pub owner: String,
    /// By when.
    #[serde(default)]
    pub due: Option<NaiveDate>,
    /// When it was done.
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
}

/// The kind of a RAID item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RaidKind {
    /// Something that may happen.
    Risk,
    /// Something taken as true for planning.
    Assumption,
    /// Something that has happened and needs resolving.
    Issue,
    /// One project needing another.
    Dependency,
}

impl RaidKind {
    /// Every kind, in RAID order.
    pub const ALL: [RaidKind; 4] = [
        RaidKind::Risk,
        RaidKind::Assumption,
        RaidKind::Issue,
        RaidKind::Dependency,
    ];

    /// The letter of references: R, A, I, D.
    pub fn letter(self) -> char {
        match self {
            RaidKind::Risk => 'R',
            RaidKind::Assumption => 'A',
            RaidKind::Issue => 'I',
            RaidKind::Dependency => 'D',
        }
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            RaidKind::Risk => "Risk",
            RaidKind::Assumption => "Assumption",
            RaidKind::Issue => "Issue",
            RaidKind::Dependency => "Dependency",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// What is particular to each kind of item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum RaidDetail {
    /// A risk.
    Risk {
        /// The score before mitigation.
        inherent: RiskScore,
        /// The score after mitigation; never above the inherent score.
        residual: RiskScore,
        /// When it would hit, if known.
        #[serde(default)]
        proximity: Option<NaiveDate>,
        /// What is done about it.
        #[serde(default)]
        mitigations: Vec<Mitigation>,
    },
    /// An assumption.
    Assumption {
        /// When it should be confirmed by.
        #[serde(default)]
        validate_by: Option<NaiveDate>,
        /// When it was confirmed.
        #[serde(default)]
        validated_on: Option<NaiveDate>,
    },
    /// An issue.
    Issue {
        /// How serious, 1 to 5.
        severity: Level,
        /// When it must be resolved by.
        #[serde(default)]
        resolve_by: Option<NaiveDate>,
    },
    /// A dependency: `from_project` needs something from `to_project`.
    Dependency {
        /// The project that depends.
        from_project: i64,
        /// The project depended on.
        to_project: i64,
        /// When it is needed.
        #[serde(default)]
        needed_by: Option<NaiveDate>,
    },
}

impl RaidDetail {
    /// The item's kind.
    pub fn kind(&self) -> RaidKind {
        match self {
            RaidDetail::Risk { .. } => RaidKind::Risk,
            RaidDetail::Assumption { .. } => RaidKind::Assumption,
            RaidDetail::Issue { .. } => RaidKind::Issue,
            RaidDetail::Dependency { .. } => RaidKind::Dependency,
        }
    }
}

/// Open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum RaidStatus {
    /// Being managed.
    #[default]
    Open,
    /// Resolved, passed or no longer relevant.
    Closed,
}

/// One step up the boards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Escalation {
    /// The board it left.
    pub from: BoardLevel,
    /// The board it went to.
    pub to: BoardLevel,
    /// When.
    pub on: NaiveDate,
    /// Who escalated it.
    pub by: String,
    /// Why.
    pub reason: String,
}

/// A RAID item as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct RaidInput {
    /// A one-line title.
    pub title: String,
    /// The detail.
    #[serde(default)]
    pub description: String,
    /// Who owns it.
    pub owner: String,
    /// The project it belongs to; `None` for the programme as a whole.
    #[serde(default)]
    pub project: Option<i64>,
    /// When it was raised.
    pub raised_on: NaiveDate,
    /// The board it is held at; the Projects Board unless said otherwise.
    #[serde(default)]
    pub board: Option<BoardLevel>,
    /// What is particular to its kind.
    pub detail: RaidDetail,
}

/// An item of the RAID log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct RaidItem {
    /// Its number in the log, never reused.
    pub number: u32,
    /// A one-line title.
    pub title: String,
    /// The detail.
    pub description: String,
    /// Who owns it.
    pub owner: String,
    /// The project it belongs to.
    pub project: Option<i64>,
    /// When it was raised.
    pub raised_on: NaiveDate,
    /// Open or closed.
    pub status: RaidStatus,
    /// When it was closed, and how it was resolved.
    pub closed: Option<Closure>,
    /// The board it is held at now.
    pub board: BoardLevel,
    /// Its escalations, oldest first.
    pub escalations: Vec<Escalation>,
    /// What is particular to its kind.
    pub detail: RaidDetail,
}

/// How an item was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Closure {
    /// When.
    pub on: NaiveDate,
    /// How it was resolved.
    pub resolution: String,
}

impl RaidItem {
    /// Its kind.
    pub fn kind(&self) -> RaidKind {
        self.detail.kind()
    }

    /// Its reference: "R12", "I3".
    pub fn reference(&self) -> String {
        format!("{}{}", self.kind().letter(), self.number)
    }

    /// A risk's score on the given basis; `None` for other kinds.
    pub fn risk_score(&self, basis: ScoreBasis) -> Option<RiskScore> {
        match (&self.detail, basis) {
            (RaidDetail::Risk { inherent, .. }, ScoreBasis::Inherent) => Some(*inherent),
            (RaidDetail::Risk { residual, .. }, ScoreBasis::Residual) => Some(*residual),
            _ => None,
        }
    }

    /// The notice that puts it on its board's agenda, if it was escalated and is open.
    pub fn escalation_notice(&self) -> Option<EscalationNotice> {
        if self.status != RaidStatus::Open {
            return None;
        }
        let last = self.escalations.last()?;
        Some(EscalationNotice {
            from: EscalatedFrom::Raid {
                number: self.number,
            },
            title: format!(
                "Escalated {} {}: {} (from the {})",
                self.kind().label().to_lowercase(),
                self.reference(),
                self.title,
                last.from.name()
            ),
            to: last.to,
            on: last.on,
        })
    }
}

/// A partnership's RAID log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub struct RaidLog {
    /// The items, in number order.
    pub items: Vec<RaidItem>,
    /// The highest number given so far.
    pub last_number: u32,
}

fn check_input(input: &RaidInput) -> Result<(), Invalid> {
    let mut invalid = Invalid::new();
    if input.title.trim().is_empty() {
        invalid.push("title", "Enter a title");
    } else if input.title.chars().count() > 300 {
        invalid.push("title", "The title must be 300 characters or fewer");
    }
    if input.owner.trim().is_empty() {
        invalid.push("owner", "Enter who owns it");
    }
    match &input.detail {
        RaidDetail::Risk {
            inherent,
            residual,
            mitigations,
            ..
        } => {
            if residual.score() > inherent.score() {
                invalid.push(
                    "detail.residual",
                    format!(
                        "The residual score ({}) cannot be above the inherent score ({}): mitigation does not make a risk worse",
                        residual.score(),
                        inherent.score()
                    ),
                );
            }
            for (i, m) in mitigations.iter().enumerate() {
                if m.action.trim().is_empty() {
                    invalid.push(
                        format!("detail.mitigations[{i}].action"),
                        "Enter the mitigating action",
                    );
                }
            }
        }
        RaidDetail::Dependency {
            from_project,
            to_project,
            ..
        } if from_project == to_project => {
            invalid.push("detail.to_project", "A project cannot depend on itself");
        }
        _ => {}
    }
    invalid.into_result()
}

impl RaidLog {
    /// An empty log.
    pub fn new() -> RaidLog {
        RaidLog::default()
    }

    /// An item by number.
    pub fn get(&self, number: u32) -> Option<&RaidItem> {
        self.items.iter().find(|i| i.number == number)
    }

    fn index(&self, number: u32) -> Result<usize, Invalid> {
        self.items
            .iter()
            .position(|i| i.number == number)
            .ok_or_else(|| Invalid::field("number", format!("The RAID log has no item {number}")))
    }

    /// Adds an item; returns its number. A dependency that would close a cycle of projects is
    /// refused, naming the cycle by project identity ("project 3 → project 5 → project 3").
    pub fn add(&mut self, input: RaidInput) -> Result<u32, Invalid> {
        self.add_named(input, |id| format!("project {id}"))
    }

    /// As [`RaidLog::add`], naming projects in a refusal with `name_of`.
    pub fn add_named(
        &mut self,
        input: RaidInput,
        name_of: impl Fn(i64) -> String,
    ) -> Result<u32, Invalid> {
        check_input(&input)?;
        self.check_cycle(&input.detail, None, &name_of)?;
        let number = self
            .last_number
            .max(self.items.iter().map(|i| i.number).max().unwrap_or(0))
            + 1;
        self.last_number = number;
        self.items.push(RaidItem {
            number,
            title: input.title.trim().to_owned(),
            description: input.description,
            owner: input.owner.trim().to_owned(),
            project: input.project,
            raised_on: input.raised_on,
            status: RaidStatus::Open,
            closed: None,
            board: input.board.unwrap_or(BoardLevel::Projects),
            escalations: Vec::new(),
            detail: input.detail,
        });
        Ok(number)
    }

    /// Replaces an item's content, keeping its number, board, escalations and status. The
    /// board is not editable here: it changes only by escalation, so the history stays true.
    pub fn update(
        &mut self,
        number: u32,
        input: RaidInput,
        name_of: impl Fn(i64) -> String,
    ) -> Result<(), Invalid> {
        let index = self.index(number)?;
        check_input(&input)?;
        if input.detail.kind() != self.items[index].kind() {
            return Err(Invalid::field(
                "detail.kind",
                "An item keeps its kind; close it and raise a new one instead",
            ));
        }
        self.check_cycle(&input.detail, Some(number), &name_of)?;
        let item = &mut self.items[index];
        item.title = input.title.trim().to_owned();
        item.description = input.description;
        item.owner = input.owner.trim().to_owned();
        item.project = input.project;
        item.raised_on = input.raised_on;
        item.detail = input.detail;
        Ok(())
    }

    /// The open dependencies as edges (depending project → project depended on), leaving out
    /// item `except`.
    fn edges(&self, except: Option<u32>) -> BTreeMap<i64, Vec<i64>> {
        let mut edges: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for item in &self.items {
            if item.status != RaidStatus::Open || Some(item.number) == except {
                continue;
            }
            if let RaidDetail::Dependency {
                from_project,
                to_project,
                ..
            } = item.detail
            {
                edges.entry(from_project).or_default().push(to_project);
            }
        }
        edges
    }

    fn check_cycle(
        &self,
        detail: &RaidDetail,
        except: Option<u32>,
        name_of: &impl Fn(i64) -> String,
    ) -> Result<(), Invalid> {
        let RaidDetail::Dependency {
            from_project,
            to_project,
            ..
        } = *detail
        else {
            return Ok(());
        };
        let Some(path) = find_path(&self.edges(except), to_project, from_project) else {
            return Ok(());
        };
        let mut cycle = vec![from_project];
        cycle.extend(path);
        let words: Vec<String> = cycle.iter().map(|&id| name_of(id)).collect();
        Err(Invalid::field(
            "detail.to_project",
            format!(
                "This dependency would create a cycle: {}",
                words.join(" → ")
            ),
        ))
    }

    /// Escalates an item to the board above its current one; returns the receiving board.
    /// Refused — and nothing changes — for an unknown or closed item, an item already at the
    /// top board, a date before it was raised or last escalated, or no reason.
    pub fn escalate(
        &mut self,
        number: u32,
        on: NaiveDate,
        by: &str,
        reason: &str,
    ) -> Result<BoardLevel, Invalid> {
        let index = self.index(number)?;
        let item = &self.items[index];
        if item.status == RaidStatus::Closed {
            return Err(Invalid::field(
                "number",
                format!(
                    "{} is closed; reopen it before escalating",
                    item.reference()
                ),
            ));
        }
        let Some(to) = item.board.above() else {
            return Err(Invalid::field(
                "board",
                format!(
                    "{} is already at the {}, the top board; nothing is above it",
                    item.reference(),
                    item.board.name()
                ),
            ));
        };
        let since = item.escalations.last().map_or(item.raised_on, |e| e.on);
        if on < since {
            return Err(Invalid::field(
                "on",
                format!(
                    "{} is before {} was raised or last escalated, on {}",
                    long_date(on),
                    item.reference(),
                    long_date(since)
                ),
            ));
        }
        if reason.trim().is_empty() {
            return Err(Invalid::field("reason", "Say why it is escalated"));
        }
        if by.trim().is_empty() {
            return Err(Invalid::field("by", "Say who escalates it"));
        }
        let item = &mut self.items[index];
        item.escalations.push(Escalation {
            from: item.board,
            to,
            on,
            by: by.trim().to_owned(),
            reason: reason.trim().to_owned(),
        });
        item.board = to;
        Ok(to)
    }

    /// Closes an item.
    pub fn close(&mut self, number: u32, on: NaiveDate, resolution: &str) -> Result<(), Invalid> {
        let index = self.index(number)?;
        let item = &mut self.items[index];
        if item.status == RaidStatus::Closed {
            return Err(Invalid::field(
                "number",
                format!("{} is already closed", item.reference()),
            ));
        }
        if on < item.raised_on {
            return Err(Invalid::field(
                "on",
                format!("{} is before it was raised", long_date(on)),
            ));
        }
        if resolution.trim().is_empty() {
            return Err(Invalid::field("resolution", "Say how it was resolved"));
        }
        item.status = RaidStatus::Closed;
        item.closed = Some(Closure {
            on,
            resolution: resolution.trim().to_owned(),
        });
        Ok(())
    }

    /// Reopens a closed item. A dependency that would now close a cycle stays closed.
    pub fn reopen(&mut self, number: u32) -> Result<(), Invalid> {
        let index = self.index(number)?;
        let detail = self.items[index].detail.clone();
        self.check_cycle(&detail, Some(number), &|id| format!("project {id}"))?;
        let item = &mut self.items[index];
        item.status = RaidStatus::Open;
        item.closed = None;
        Ok(())
    }

    /// The notices that put escalated open items on their boards' agendas.
    pub fn escalation_notices(&self) -> Vec<EscalationNotice> {
        self.items
            .iter()
            .filter_map(RaidItem::escalation_notice)
            .collect()
    }
}

/// A path `from` → … → `to` along `edges`, found breadth first (so it is a shortest one).
fn find_path(edges: &BTreeMap<i64, Vec<i64>>, from: i64, to: i64) -> Option<Vec<i64>> {
    let mut parent: BTreeMap<i64, i64> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    let mut seen = std::collections::BTreeSet::from([from]);
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut path = vec![to];
            let mut at = to;
            while let Some(&p) = parent.get(&at) {
                path.push(p);
                at = p;
            }
            path.reverse();
            return Some(path);
        }
        for &next in edges.get(&node).into_iter().flatten() {
            if seen.insert(next) {
                parent.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
}

/// Where escalated items go: the receiving board's next meeting after the escalation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct EscalationAgenda {
    /// Items for meetings' agendas (pass them to [`Board::merge_agenda`]).
    pub items: Vec<PlannedAgendaItem>,
    /// Notices for which the receiving board has no meeting scheduled after the escalation.
    pub unplaced: Vec<EscalationNotice>,
}

/// Puts each escalated item on the agenda of the receiving board's first meeting after the day
/// it was escalated (a meeting on the same day has already issued its agenda). Cancelled
/// meetings are passed over.
pub fn escalation_agenda(boards: &[Board], notices: &[EscalationNotice]) -> EscalationAgenda {
    let mut agenda = EscalationAgenda {
        items: Vec::new(),
        unplaced: Vec::new(),
    };
    for notice in notices {
        let meeting = boards
            .iter()
            .filter(|b| b.level == notice.to)
            .find_map(|b| b.next_meeting_after(notice.on));
        match meeting {
            Some(meeting) => agenda.items.push(PlannedAgendaItem {
                board: notice.to,
                meeting: meeting.number,
                item: AgendaItem {
                    title: notice.title.clone(),
                    source: AgendaSource::Escalation {
                        from: notice.from.clone(),
                    },
                },
            }),
            None => agenda.unplaced.push(notice.clone()),
        }
    }
    agenda
}

/// Open risks counted per cell of the 5×5 grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct HeatMap {
    /// Which score was counted.
    pub basis: ScoreBasis,
    /// `counts[probability - 1][impact - 1]`.
    pub counts: [[u32; 5]; 5],
}

/// One cell of the heat map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct HeatCell {
    /// Probability, 1 to 5.
    pub probability: u8,
    /// Impact, 1 to 5.
    pub impact: u8,
    /// Probability × impact.
    pub score: u8,
    /// The band of the score.
    pub band: RiskBand,
    /// How many open risks sit here.
    pub count: u32,
}

impl HeatMap {
    /// The count for a cell.
    pub fn count(&self, probability: Level, impact: Level) -> u32 {
        self.counts[usize::from(probability.0 - 1)][usize::from(impact.0 - 1)]
    }

    /// Every cell, highest probability first (the top row of the chart), impact rising.
    pub fn cells(&self) -> impl Iterator<Item = HeatCell> + '_ {
        (1..=5u8).rev().flat_map(move |p| {
            (1..=5u8).map(move |i| HeatCell {
                probability: p,
                impact: i,
                score: p * i,
                band: RiskBand::of(p * i),
                count: self.counts[usize::from(p - 1)][usize::from(i - 1)],
            })
        })
    }

    /// How many risks are counted.
    pub fn total(&self) -> u32 {
        self.counts.iter().flatten().sum()
    }
}

/// Counts the open risks among `items` per cell, on the inherent or residual score.
pub fn heat_map<'a>(items: impl IntoIterator<Item = &'a RaidItem>, basis: ScoreBasis) -> HeatMap {
    let mut counts = [[0u32; 5]; 5];
    for item in items {
        if item.status != RaidStatus::Open {
            continue;
        }
        if let Some(score) = item.risk_score(basis) {
            counts[usize::from(score.probability.0 - 1)][usize::from(score.impact.0 - 1)] += 1;
        }
    }
    HeatMap { basis, counts }
}

/// A selection of RAID items. Every condition given must hold; an empty filter selects all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", deny_unknown_fields, default)]
pub struct RaidFilter {
    /// Kinds to include; empty for all.
    pub kinds: Vec<RaidKind>,
    /// Open or closed only.
    pub status: Option<RaidStatus>,
    /// Owner contains this text (any case).
    pub owner: Option<String>,
    /// Lowest score, 1 to 25. Scores are risks' only, so a score range selects risks only.
    pub min_score: Option<u8>,
    /// Highest score, 1 to 25.
    pub max_score: Option<u8>,
    /// Which score the range is on.
    pub score_basis: ScoreBasis,
    /// Held at this board.
    pub board: Option<BoardLevel>,
    /// Belonging to this project.
    pub project: Option<i64>,
    /// Title, description or reference contains this text (any case).
    pub text: Option<String>,
}

/// A filter checked and prepared for fast matching: built once by [`RaidFilter::prepare`],
/// applied to many items.
#[derive(Debug, Clone)]
pub struct PreparedFilter {
    kinds: u8,
    status: Option<RaidStatus>,
    owner: Option<Needle>,
    scores: Option<(u8, u8)>,
    basis: ScoreBasis,
    board: Option<BoardLevel>,
    project: Option<i64>,
    text: Option<Needle>,
}

/// Text to find in any case: both it and the text searched are compared in lower case
/// (Unicode lower-casing), the same rule the store applies in SQL to its lower-cased columns.
#[derive(Debug, Clone)]
struct Needle {
    lower: String,
}

impl Needle {
    fn new(text: &str) -> Option<Needle> {
        let lower = text.trim().to_lowercase();
        (!lower.is_empty()).then_some(Needle { lower })
    }

    fn found_in(&self, hay: &str) -> bool {
        hay.to_lowercase().contains(&self.lower)
    }
}

/// The longest text a filter may search for.
pub const MAX_FILTER_TEXT: usize = 200;

impl RaidFilter {
    /// Checks the filter and prepares it. A score outside 1–25 or a range the wrong way round
    /// is refused.
    pub fn prepare(&self) -> Result<PreparedFilter, Invalid> {
        let mut invalid = Invalid::new();
        for (field, value) in [("min_score", self.min_score), ("max_score", self.max_score)] {
            if let Some(v) = value
                && !(1..=25).contains(&v)
            {
                invalid.push(
                    field,
                    format!("{v} is not a score; scores run from 1 to 25"),
                );
            }
        }
        if let (Some(min), Some(max)) = (self.min_score, self.max_score)
            && min > max
        {
            invalid.push(
                "max_score",
                format!("{max} is below the lowest score asked for, {min}"),
            );
        }
        for (field, text) in [("owner", &self.owner), ("text", &self.text)] {
            if text
                .as_deref()
                .is_some_and(|t| t.trim().chars().count() > MAX_FILTER_TEXT)
            {
                invalid.push(
                    field,
                    format!("Search for {MAX_FILTER_TEXT} characters or fewer"),
                );
            }
        }
        invalid.into_result()?;
        let scores = (self.min_score.is_some() || self.max_score.is_some())
            .then(|| (self.min_score.unwrap_or(1), self.max_score.unwrap_or(25)));
        Ok(PreparedFilter {
            kinds: self.kinds.iter().fold(0, |bits, k| bits | k.bit()),
            status: self.status,
            owner: self.owner.as_deref().and_then(Needle::new),
            scores,
            basis: self.score_basis,
            board: self.board,
            project: self.project,
            text: self.text.as_deref().and_then(Needle::new),
        })
    }

    /// The items that match, in log order.
    pub fn apply<'a>(&self, items: &'a [RaidItem]) -> Result<Vec<&'a RaidItem>, Invalid> {
        let prepared = self.prepare()?;
        Ok(prepared.apply(items))
    }
}

impl PreparedFilter {
    /// Whether an item matches.
    pub fn matches(&self, item: &RaidItem) -> bool {
        if self.kinds != 0 && self.kinds & item.kind().bit() == 0 {
            return false;
        }
        if self.status.is_some_and(|s| s != item.status)
            || self.board.is_some_and(|b| b != item.board)
            || self.project.is_some_and(|p| Some(p) != item.project)
        {
            return false;
        }
        if let Some((min, max)) = self.scores {
            match item.risk_score(self.basis) {
                Some(score) if (min..=max).contains(&score.score()) => {}
                _ => return false,
            }
        }
        if let Some(owner) = &self.owner
            && !owner.found_in(&item.owner)
        {
            return false;
        }
        if let Some(text) = &self.text
            && !(text.found_in(&item.title)
                || text.found_in(&item.description)
                || text.found_in(&item.reference()))
        {
            return false;
        }
        true
    }

    /// The items that match, in log order.
    pub fn apply<'a>(&self, items: &'a [RaidItem]) -> Vec<&'a RaidItem> {
        items.iter().filter(|i| self.matches(i)).collect()
    }
}

/// A few illustrative RAID items for the Haringey – Waltham Forest demo, built on situations
/// seed 003's Appendix B describes. The situations are the seed's; the items, owners and scores
/// are illustrative, and each description says so. Project ids follow
/// [`crate::progress_report::demo_haringey_waltham_forest`].
pub fn demo_illustrative() -> RaidLog {
    let raised = NaiveDate::from_ymd_opt(2011, 7, 21).unwrap_or_default();
    let score = |p: u8, i: u8| RiskScore {
        probability: Level(p.clamp(1, 5)),
        impact: Level(i.clamp(1, 5)),
    };
    let item =
        |title: &str, description: &str, owner: &str, project: Option<i64>, detail| RaidInput {
            title: title.to_owned(),
            description: format!("Illustrative, based on seed 003, Appendix B: {description}"),
            owner: owner.to_owned(),
            project,
            raised_on: raised,
            board: None,
            detail,
        };
    let inputs = [
        item(
            "Economic development phase 2 slips again",
            "phase 2 has moved from July to September 2011 for a further staffing report to Haringey's Corporate Committee.",
            "Project Manager, Economic Development",
            Some(1),
            RaidDetail::Risk {
                inherent: score(3, 3),
                residual: score(2, 3),
                proximity: NaiveDate::from_ymd_opt(2011, 9, 1),
                mitigations: vec![Mitigation {
                    action: "Agree the staffing report's timetable with Democratic Services"
                        .to_owned(),
                    owner: "Programme Manager (LBH)".to_owned(),
                    due: None,
                    done_on: None,
                }],
            },
        ),
        item(
            "ERP support contracts expire before a shared solution is in place",
            "the existing SAP support contracts expire in November 2012 and February 2013.",
            "Programme Director",
            Some(9),
            RaidDetail::Risk {
                inherent: score(3, 5),
                residual: score(2, 5),
                proximity: NaiveDate::from_ymd_opt(2012, 11, 1),
                mitigations: Vec::new(),
            },
        ),
        item(
            "Wider back-office sharing depends on a shared ERP",
            "a shared ERP is described as a key enabler to sharing more back-office services.",
            "Programme Director",
            Some(2),
            RaidDetail::Dependency {
                from_project: 2,
                to_project: 9,
                needed_by: None,
            },
        ),
        item(
            "Capital Ambition funding for 2012/13 follows satisfactory progress",
            "£400k for 2012/13 was awarded subject to satisfactory progress.",
            "Programme Director",
            None,
            RaidDetail::Assumption {
                validate_by: NaiveDate::from_ymd_opt(2012, 3, 31),
                validated_on: None,
            },
        ),
        item(
            "School meals: pricing, trading model and financial structure differ",
            "a preliminary review found gaps in alignment between the two services.",
            "Project Manager, School Meals",
            Some(12),
            RaidDetail::Issue {
                severity: Level(3),
                resolve_by: None,
            },
        ),
    ];
    let mut log = RaidLog::new();
    for input in inputs {
        // The inputs above are valid by construction; a refusal would leave the item out
        // rather than stop the demo.
        let _ = log.add(input);
    }
    log
}

/// Reads an item's reference as people write it: "R12", "r12", "R-012" or "R 12" all name
/// risk 12. Returns the kind and the number; `None` for anything else.
pub fn parse_reference(text: &str) -> Option<(RaidKind, u32)> {
    let text = text.trim();
    let mut chars = text.chars();
    let letter = chars.next()?.to_ascii_uppercase();
    let kind = RaidKind::ALL.into_iter().find(|k| k.letter() == letter)?;
    let digits = chars.as_str().trim_start_matches(['-', ' ']);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: u32 = digits.parse().ok()?;
    (number > 0).then_some((kind, number))
}

impl fmt::Display for RaidItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.reference(), self.title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::{Board, MeetingStatus};
    use crate::{GssCode, Member, MemberRole, MemberStatus, Partnership};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn level(n: u8) -> Level {
        Level::new("level", n).unwrap()
    }

    #[test]
    fn references_read_as_people_write_them() {
        let cases = [
            ("R12", Some((RaidKind::Risk, 12))),
            ("r12", Some((RaidKind::Risk, 12))),
            ("R-012", Some((RaidKind::Risk, 12))),
            (" I 3 ", Some((RaidKind::Issue, 3))),
            ("A1", Some((RaidKind::Assumption, 1))),
            ("D40", Some((RaidKind::Dependency, 40))),
            ("R0", None),
            ("X12", None),
            ("R", None),
            ("R1a", None),
            ("12", None),
            ("R99999999999", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_reference(text), expected, "{text:?}");
        }
    }

    fn risk(title: &str, inherent: (u8, u8), residual: (u8, u8)) -> RaidInput {
        RaidInput {
            title: title.into(),
            description: String::new(),
            owner: "Programme Manager".into(),
            project: Some(1),
            raised_on: d(2011, 7, 1),
            board: None,
            detail: RaidDetail::Risk {
                inherent: RiskScore {
                    probability: level(inherent.0),
                    impact: level(inherent.1),
                },
                residual: RiskScore {
                    probability: level(residual.0),
                    impact: level(residual.1),
                },
                proximity: None,
                mitigations: vec![],
            },
        }
    }

    fn dependency(from: i64, to: i64) -> RaidInput {
        RaidInput {
            title: format!("{from} needs {to}"),
            description: String::new(),
            owner: "Programme Director".into(),
            project: Some(from),
            raised_on: d(2011, 7, 1),
            board: None,
            detail: RaidDetail::Dependency {
                from_project: from,
                to_project: to,
                needed_by: None,
            },
        }
    }

    #[test]
    fn levels_and_bands() {
        assert!(Level::new("probability", 0).is_err());
        assert!(Level::new("probability", 6).is_err());
        assert!(serde_json::from_str::<Level>("6").is_err());
        assert_eq!(serde_json::from_str::<Level>("3").unwrap(), level(3));
        let cases = [
            (1, RiskBand::Low),
            (4, RiskBand::Low),
            (5, RiskBand::Medium),
            (9, RiskBand::Medium),
            (10, RiskBand::High),
            (16, RiskBand::High),
            (20, RiskBand::Critical),
            (25, RiskBand::Critical),
        ];
        for (score, band) in cases {
            assert_eq!(RiskBand::of(score), band, "{score}");
        }
    }

    #[test]
    fn residual_above_inherent_is_refused() {
        let mut log = RaidLog::new();
        let err = log.add(risk("Staff turnover", (2, 3), (3, 3))).unwrap_err();
        assert_eq!(err.errors[0].field, "detail.residual");
        assert!(log.items.is_empty());
        assert_eq!(log.add(risk("Staff turnover", (4, 4), (2, 4))).unwrap(), 1);
        assert_eq!(log.get(1).unwrap().reference(), "R1");
    }

    #[test]
    fn dependency_cycles_are_refused_naming_the_cycle() {
        let mut log = RaidLog::new();
        log.add(dependency(2, 9)).unwrap(); // HR needs One SAP
        log.add(dependency(9, 7)).unwrap();
        let names = |id: i64| match id {
            2 => "HR Shared Service Centre".to_owned(),
            7 => "Contact Centre".to_owned(),
            9 => "One SAP solution".to_owned(),
            _ => format!("project {id}"),
        };
        let cases: [(i64, i64, Option<&str>); 5] = [
            (
                7,
                2,
                Some(
                    "This dependency would create a cycle: Contact Centre → HR Shared Service Centre → One SAP solution → Contact Centre",
                ),
            ),
            (
                9,
                2,
                Some(
                    "This dependency would create a cycle: One SAP solution → HR Shared Service Centre → One SAP solution",
                ),
            ),
            (3, 3, Some("A project cannot depend on itself")),
            (2, 7, None), // a second route, not a cycle
            (7, 4, None),
        ];
        for (from, to, refusal) in cases {
            let before = log.clone();
            match (log.add_named(dependency(from, to), names), refusal) {
                (Ok(_), None) => {}
                (Err(err), Some(message)) => {
                    assert_eq!(err.errors[0].field, "detail.to_project");
                    assert_eq!(err.errors[0].message, message);
                    assert_eq!(log, before, "a refusal changes nothing");
                }
                (got, want) => panic!("{from} → {to}: got {got:?}, wanted {want:?}"),
            }
        }
        // A closed dependency no longer counts, and cannot be reopened into a cycle.
        log.close(2, d(2011, 8, 1), "Delivered").unwrap();
        log.close(3, d(2011, 8, 1), "Delivered").unwrap();
        let n = log.add(dependency(7, 2)).unwrap();
        let err = log.reopen(2).unwrap_err();
        assert!(err.errors[0].message.contains("cycle"), "{err}");
        assert_eq!(log.get(n).unwrap().status, RaidStatus::Open);
    }

    #[test]
    fn escalation_climbs_the_boards_and_stops_at_the_top() {
        let mut log = RaidLog::new();
        let n = log
            .add(risk(
                "ERP contracts expire before a shared system is ready",
                (4, 5),
                (3, 5),
            ))
            .unwrap();
        let cases = [
            (d(2011, 8, 1), Ok(BoardLevel::Programme)),
            (d(2011, 7, 30), Err("on")), // before the last escalation
            (d(2011, 9, 1), Ok(BoardLevel::SeniorStakeholder)),
            (d(2011, 10, 1), Err("board")), // nothing above the top board
        ];
        for (on, expected) in cases {
            let before = log.clone();
            match (
                log.escalate(
                    n,
                    on,
                    "Programme Director",
                    "Needs a decision across both councils",
                ),
                expected,
            ) {
                (Ok(to), Ok(want)) => assert_eq!(to, want),
                (Err(err), Err(field)) => {
                    assert_eq!(err.errors[0].field, field, "{err}");
                    assert_eq!(log, before);
                }
                (got, want) => panic!("{on}: got {got:?}, wanted {want:?}"),
            }
        }
        let item = log.get(n).unwrap();
        assert_eq!(item.board, BoardLevel::SeniorStakeholder);
        let history: Vec<_> = item
            .escalations
            .iter()
            .map(|e| (e.from, e.to, e.on))
            .collect();
        assert_eq!(
            history,
            vec![
                (BoardLevel::Projects, BoardLevel::Programme, d(2011, 8, 1)),
                (
                    BoardLevel::Programme,
                    BoardLevel::SeniorStakeholder,
                    d(2011, 9, 1)
                ),
            ]
        );
        let err = log.escalate(n, d(2011, 10, 1), "x", "y").unwrap_err();
        assert!(err.errors[0].message.contains("top board"), "{err}");
        // A closed item is not escalated.
        let m = log.add(risk("Closed one", (2, 2), (1, 1))).unwrap();
        log.close(m, d(2011, 7, 2), "Passed").unwrap();
        assert_eq!(
            log.escalate(m, d(2011, 7, 3), "x", "y").unwrap_err().errors[0].field,
            "number"
        );
    }

    fn partnership() -> Partnership {
        Partnership {
            id: 1,
            name: "Haringey – Waltham Forest".into(),
            summary: String::new(),
            source: None,
            members: ["E09000014", "E09000031"]
                .iter()
                .map(|c| Member {
                    authority: GssCode::parse("gss", c).unwrap(),
                    role: MemberRole::Partner,
                    status: MemberStatus::Active,
                    joined: None,
                    left: None,
                })
                .collect(),
        }
    }

    #[test]
    fn escalated_items_go_on_the_receiving_boards_next_agenda() {
        let p = partnership();
        let mut boards = Board::standard_three(&p, d(2011, 1, 1)).unwrap();
        // Programme Board: fortnightly on Tuesdays from 2 Aug 2011.
        boards[1]
            .schedule(d(2011, 8, 2), d(2011, 10, 31), None)
            .unwrap();
        // Senior Stakeholder Board: monthly, second Tuesday.
        boards[0]
            .schedule(d(2011, 8, 9), d(2011, 12, 31), None)
            .unwrap();
        boards[1].cancel_meeting(2).unwrap(); // 16 Aug

        let mut log = RaidLog::new();
        let a = log.add(risk("A", (3, 3), (3, 3))).unwrap();
        let b = log.add(risk("B", (3, 3), (3, 3))).unwrap();
        let c = log.add(risk("C", (3, 3), (3, 3))).unwrap();
        let e = log.add(risk("D", (3, 3), (3, 3))).unwrap();
        log.escalate(a, d(2011, 8, 1), "PM", "Needs steer").unwrap(); // → PB 2 Aug
        log.escalate(b, d(2011, 8, 2), "PM", "Needs steer").unwrap(); // same day: → PB 30 Aug (16 Aug cancelled)
        log.escalate(c, d(2011, 8, 1), "PM", "Needs steer").unwrap();
        log.escalate(c, d(2011, 8, 3), "PD", "Cross-council")
            .unwrap(); // → SSB 9 Aug
        log.escalate(e, d(2011, 10, 20), "PM", "Late").unwrap(); // no PB meeting after 20 Oct... until 25 Oct
        log.close(e, d(2011, 10, 21), "Resolved").unwrap(); // closed: no agenda item

        let agenda = escalation_agenda(&boards, &log.escalation_notices());
        let placed: Vec<_> = agenda
            .items
            .iter()
            .map(|i| {
                let board = boards.iter().find(|b| b.level == i.board).unwrap();
                (
                    i.item.source.clone(),
                    i.board,
                    board.meeting(i.meeting).unwrap().date,
                )
            })
            .collect();
        let raid = |number| AgendaSource::Escalation {
            from: EscalatedFrom::Raid { number },
        };
        assert_eq!(
            placed,
            vec![
                (raid(a), BoardLevel::Programme, d(2011, 8, 2)),
                (raid(b), BoardLevel::Programme, d(2011, 8, 30)),
                (raid(c), BoardLevel::SeniorStakeholder, d(2011, 8, 9)),
            ]
        );
        assert!(agenda.unplaced.is_empty());

        // Merging is idempotent.
        let [ssb, pb, _] = &mut boards;
        assert_eq!(pb.merge_agenda(&agenda.items), 2);
        assert_eq!(pb.merge_agenda(&agenda.items), 0);
        assert_eq!(ssb.merge_agenda(&agenda.items), 1);
        assert_eq!(
            pb.meeting(1).unwrap().agenda[0].title,
            "Escalated risk R1: A (from the Projects Board)"
        );
        assert_eq!(pb.meeting(2).unwrap().status, MeetingStatus::Cancelled);

        // With no meeting of the receiving board after the escalation, the notice is unplaced.
        let late = log.add(risk("Late", (3, 3), (3, 3))).unwrap();
        log.escalate(late, d(2011, 12, 1), "PM", "Late").unwrap();
        let agenda = escalation_agenda(&boards, &log.escalation_notices());
        assert_eq!(agenda.unplaced.len(), 1);
        assert_eq!(
            agenda.unplaced[0].from,
            EscalatedFrom::Raid { number: late }
        );
    }

    #[test]
    fn a_tolerance_exception_goes_on_the_programme_boards_next_agenda() {
        use crate::project::{Project, ProjectInput, ProjectSize, Stage, Target};
        let p = partnership();
        let mut project = Project::plan(
            5,
            ProjectInput {
                name: "Legal Services".into(),
                size: ProjectSize::Small,
                start: d(2011, 7, 1),
                tolerance_days: Some(28),
                template: None,
                opportunity: String::new(),
                opportunity_id: None,
            },
            &p,
        )
        .unwrap();
        project
            .set_forecast(
                Target::Stage {
                    stage: Stage::AssessValue,
                },
                Some(d(2011, 9, 15)),
            )
            .unwrap();
        let today = d(2011, 8, 3);
        let notices: Vec<_> = project
            .exceptions(today)
            .iter()
            .map(|e| e.notice(today))
            .collect();
        assert_eq!(notices.len(), 1);
        let mut boards = Board::standard_three(&p, d(2011, 1, 1)).unwrap();
        boards[1]
            .schedule(d(2011, 8, 2), d(2011, 9, 30), None)
            .unwrap();
        let agenda = escalation_agenda(&boards, &notices);
        assert_eq!(agenda.items.len(), 1);
        let placed = &agenda.items[0];
        assert_eq!(placed.board, BoardLevel::Programme);
        assert_eq!(
            boards[1].meeting(placed.meeting).unwrap().date,
            d(2011, 8, 16)
        );
        assert_eq!(
            placed.item.source,
            AgendaSource::Escalation {
                from: EscalatedFrom::Exception {
                    project: 5,
                    item: Stage::AssessValue.label().into()
                }
            }
        );
        assert!(
            placed
                .item
                .title
                .contains("likely to slip from Aug to Sep 2011"),
            "{}",
            placed.item.title
        );
    }

    #[test]
    fn heat_map_counts_open_risks_per_cell() {
        let mut log = RaidLog::new();
        log.add(risk("a", (4, 5), (2, 5))).unwrap();
        log.add(risk("b", (4, 5), (2, 3))).unwrap();
        log.add(risk("c", (1, 1), (1, 1))).unwrap();
        let closed = log.add(risk("d", (4, 5), (2, 5))).unwrap();
        log.close(closed, d(2011, 8, 1), "Passed").unwrap();
        log.add(dependency(1, 2)).unwrap();
        let inherent = heat_map(&log.items, ScoreBasis::Inherent);
        let residual = heat_map(&log.items, ScoreBasis::Residual);
        let cases = [
            (&inherent, (4, 5), 2),
            (&inherent, (1, 1), 1),
            (&inherent, (2, 5), 0),
            (&residual, (2, 5), 1),
            (&residual, (2, 3), 1),
            (&residual, (4, 5), 0),
        ];
        for (map, (p, i), count) in cases {
            assert_eq!(
                map.count(level(p), level(i)),
                count,
                "{:?} {p}×{i}",
                map.basis
            );
        }
        assert_eq!(inherent.total(), 3);
        let cells: Vec<_> = residual.cells().collect();
        assert_eq!(cells.len(), 25);
        assert_eq!((cells[0].probability, cells[0].impact), (5, 1));
        assert_eq!(cells.iter().map(|c| c.count).sum::<u32>(), 3);
    }

    #[test]
    fn filters_select_by_every_condition() {
        let mut log = RaidLog::new();
        let mut a = risk("Payroll go-live slips", (4, 4), (3, 4));
        a.owner = "Head of HR (LBH)".into();
        log.add(a).unwrap();
        let mut b = risk("Union consultation takes longer", (3, 3), (2, 2));
        b.description = "Staff side asks for more time — Ünïcode".into();
        b.project = Some(3);
        log.add(b).unwrap();
        log.add(dependency(2, 9)).unwrap();
        let n = log
            .add(risk("Procurement challenge", (5, 5), (5, 4)))
            .unwrap();
        log.escalate(n, d(2011, 8, 1), "PM", "Legal risk").unwrap();

        let titles = |f: RaidFilter| -> Vec<String> {
            f.apply(&log.items)
                .unwrap()
                .iter()
                .map(|i| i.title.clone())
                .collect()
        };
        let cases: [(RaidFilter, Vec<&str>); 9] = [
            (
                RaidFilter::default(),
                vec![
                    "Payroll go-live slips",
                    "Union consultation takes longer",
                    "2 needs 9",
                    "Procurement challenge",
                ],
            ),
            (
                RaidFilter {
                    kinds: vec![RaidKind::Dependency],
                    ..Default::default()
                },
                vec!["2 needs 9"],
            ),
            (
                RaidFilter {
                    owner: Some("head OF hr".into()),
                    ..Default::default()
                },
                vec!["Payroll go-live slips"],
            ),
            (
                RaidFilter {
                    min_score: Some(12),
                    ..Default::default()
                },
                vec!["Payroll go-live slips", "Procurement challenge"],
            ),
            (
                RaidFilter {
                    min_score: Some(12),
                    max_score: Some(16),
                    score_basis: ScoreBasis::Inherent,
                    ..Default::default()
                },
                vec!["Payroll go-live slips"],
            ),
            (
                RaidFilter {
                    board: Some(BoardLevel::Programme),
                    ..Default::default()
                },
                vec!["Procurement challenge"],
            ),
            (
                RaidFilter {
                    project: Some(3),
                    ..Default::default()
                },
                vec!["Union consultation takes longer"],
            ),
            (
                RaidFilter {
                    text: Some("ünïCODE".into()),
                    ..Default::default()
                },
                vec!["Union consultation takes longer"],
            ),
            (
                RaidFilter {
                    text: Some("r4".into()),
                    status: Some(RaidStatus::Open),
                    ..Default::default()
                },
                vec!["Procurement challenge"],
            ),
        ];
        for (filter, expected) in cases {
            assert_eq!(titles(filter.clone()), expected, "{filter:?}");
        }
        let cases = [
            (
                RaidFilter {
                    min_score: Some(0),
                    ..Default::default()
                },
                "min_score",
            ),
            (
                RaidFilter {
                    max_score: Some(26),
                    ..Default::default()
                },
                "max_score",
            ),
            (
                RaidFilter {
                    min_score: Some(10),
                    max_score: Some(5),
                    ..Default::default()
                },
                "max_score",
            ),
        ];
        for (filter, field) in cases {
            assert_eq!(filter.apply(&log.items).unwrap_err().errors[0].field, field);
        }
        let parsed: RaidFilter =
            serde_json::from_str(r#"{"kinds":["risk","issue"],"min_score":10}"#).unwrap();
        assert_eq!(parsed.kinds, vec![RaidKind::Risk, RaidKind::Issue]);
        assert!(serde_json::from_str::<RaidFilter>(r#"{"colour":"red"}"#).is_err());
    }

    #[test]
    fn illustrative_demo_is_labelled_and_complete() {
        let log = demo_illustrative();
        assert_eq!(log.items.len(), 5);
        assert!(
            log.items
                .iter()
                .all(|i| i.description.starts_with("Illustrative"))
        );
        let kinds: Vec<_> = log.items.iter().map(RaidItem::kind).collect();
        assert_eq!(
            kinds,
            vec![
                RaidKind::Risk,
                RaidKind::Risk,
                RaidKind::Dependency,
                RaidKind::Assumption,
                RaidKind::Issue
            ]
        );
    }

    #[test]
    fn input_round_trips_as_json() {
        let json = r#"{
            "title": "Payroll go-live slips",
            "owner": "Head of HR",
            "raised_on": "2011-07-01",
            "detail": {"kind": "risk", "inherent": {"probability": 4, "impact": 4}, "residual": {"probability": 3, "impact": 4}}
        }"#;
        let input: RaidInput = serde_json::from_str(json).unwrap();
        let mut log = RaidLog::new();
        log.add(input).unwrap();
        let back: RaidLog = serde_json::from_str(&serde_json::to_string(&log).unwrap()).unwrap();
        assert_eq!(back, log);
        let bad = json.replace("\"probability\": 4", "\"probability\": 9");
        assert!(serde_json::from_str::<RaidInput>(&bad).is_err());
    }
}
