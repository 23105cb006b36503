//! Delivery (MOU Schedule 2): a project takes an opportunity that passed the gateway through
//! four stages — assess the potential value, define the overall strategy and plan, create the
//! shared-service design, build and deploy — with standard activities, engagement tracks
//! alongside, and Cabinet approval at every council as a gate.
//!
//! Every stage, phase and milestone carries a [`DatePlan`]: a baseline, a forecast and an
//! actual. [`DatePlan::slippage`] compares them and [`DatePlan::describe`] says it in words in
//! the style of the committee reports ("Phase 2 likely to slip from Jul to Sep 2011"). A
//! forecast that slips past the project's time tolerance is an [`Exception`], which escalates
//! to the Programme Board.

use crate::board::{BoardLevel, CabinetApprovals, EscalatedFrom, EscalationNotice};
use crate::mou::long_date;
use crate::{GssCode, Invalid, Money, Partnership};
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// The four stages of Schedule 2, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Assess the potential value.
    AssessValue,
    /// Define the overall strategy and plan (ends with Cabinet agreement at each council).
    DefineStrategy,
    /// Create the shared-service design.
    CreateDesign,
    /// Build and deploy the solution.
    BuildAndDeploy,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 4] = [
        Stage::AssessValue,
        Stage::DefineStrategy,
        Stage::CreateDesign,
        Stage::BuildAndDeploy,
    ];

    /// The stable name used in storage and the API.
    pub fn slug(self) -> &'static str {
        match self {
            Stage::AssessValue => "assess-value",
            Stage::DefineStrategy => "define-strategy",
            Stage::CreateDesign => "create-design",
            Stage::BuildAndDeploy => "build-and-deploy",
        }
    }

    /// The stage's name for pages.
    pub fn label(self) -> &'static str {
        match self {
            Stage::AssessValue => "Assess the potential value",
            Stage::DefineStrategy => "Define overall strategy and plan",
            Stage::CreateDesign => "Create the shared-service design",
            Stage::BuildAndDeploy => "Build and deploy the solution",
        }
    }

    /// Parses a slug.
    pub fn parse(field: &str, text: &str) -> Result<Stage, Invalid> {
        Stage::ALL
            .into_iter()
            .find(|s| s.slug().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                Invalid::field(
                    field,
                    format!(
                        "“{text}” is not a stage (assess-value, define-strategy, create-design or build-and-deploy)"
                    ),
                )
            })
    }

    /// The stage's position, 0 to 3.
    pub fn index(self) -> usize {
        match self {
            Stage::AssessValue => 0,
            Stage::DefineStrategy => 1,
            Stage::CreateDesign => 2,
            Stage::BuildAndDeploy => 3,
        }
    }

    /// The standard activities of the stage, as Schedule 2 lays them out.
    pub fn activities(self) -> &'static [&'static str] {
        match self {
            Stage::AssessValue => &[
                "Plan approach",
                "Agree strategic objectives",
                "Governance structure and management",
                "Baseline 'as is' analysis",
                "Gather internal data",
                "Input from key stakeholders",
                "High-level operating model",
                "Identify options",
                "High-level benefit assessment",
            ],
            Stage::DefineStrategy => &[
                "Scope and plan",
                "Decision on delivery models",
                "Options comparison",
                "Detailed business case",
                "High-level implementation plan",
                "Final report and stakeholder agreement",
                "Business case validation",
                "Agreement by Cabinet at each council",
            ],
            Stage::CreateDesign => &[
                "Identify accommodation requirements",
                "Design organisation structure",
                "Design processes",
                "Design training",
                "Technical architecture design",
                "Workforce transition planning",
                "KPIs and performance management framework",
                "Implementation plan finalised",
            ],
            Stage::BuildAndDeploy => &[
                "Accommodation",
                "Technology set-up where appropriate",
                "Change management",
                "Shared service centre build",
                "Organisation build",
                "Training build and delivery",
                "Implementation",
                "Performance management",
                "Benefit realisation review",
            ],
        }
    }

    /// Whether the standard plan puts the Cabinet gate at the end of this stage (Schedule 2:
    /// the business case is agreed by Cabinet at both councils before design begins).
    pub fn has_standard_gate(self) -> bool {
        self == Stage::DefineStrategy
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The engagement tracks that run alongside the stages (Schedule 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EngagementTrack {
    /// Elected members.
    Members,
    /// Directors and senior managers.
    DirectorsAndSeniorManagers,
    /// Staff.
    Staff,
    /// Trade unions.
    TradeUnions,
    /// Service users.
    ServiceUsers,
    /// Press and public affairs.
    PressAndPublicAffairs,
}

impl EngagementTrack {
    /// Every track, in the order Schedule 2 lists them.
    pub const ALL: [EngagementTrack; 6] = [
        EngagementTrack::Members,
        EngagementTrack::DirectorsAndSeniorManagers,
        EngagementTrack::Staff,
        EngagementTrack::TradeUnions,
        EngagementTrack::ServiceUsers,
        EngagementTrack::PressAndPublicAffairs,
    ];

    /// The track's name for pages.
    pub fn label(self) -> &'static str {
        match self {
            EngagementTrack::Members => "Members",
            EngagementTrack::DirectorsAndSeniorManagers => "Directors and senior managers",
            EngagementTrack::Staff => "Staff",
            EngagementTrack::TradeUnions => "Trade unions",
            EngagementTrack::ServiceUsers => "Service users",
            EngagementTrack::PressAndPublicAffairs => "Press and public affairs",
        }
    }

    /// The track's standard activities during a stage.
    pub fn activities(self, stage: Stage) -> &'static [&'static str] {
        use EngagementTrack as T;
        use Stage as S;
        match (self, stage) {
            (T::Members, S::AssessValue) => {
                &["Workshop with Members to assess appetite and develop principles"]
            }
            (T::Members, S::DefineStrategy) => &[
                "Options workshop with executive directors, heads of service and portfolio holders",
            ],
            (T::Members, S::CreateDesign | S::BuildAndDeploy) => {
                &["Progress reports to Management Board and Members"]
            }
            (T::DirectorsAndSeniorManagers, S::AssessValue) => {
                &["Engage directors and senior managers to develop ownership and set objectives"]
            }
            (T::DirectorsAndSeniorManagers, _) => &["On-going communication with senior managers"],
            (T::Staff, S::AssessValue) => {
                &["Communicate with staff to share vision and objectives"]
            }
            (T::Staff | T::TradeUnions, S::DefineStrategy) => {
                &["Consultation with staff and trade unions"]
            }
            (T::Staff, S::CreateDesign) => &[
                "Involve staff in the design process",
                "Inform staff of how they will be affected",
            ],
            (T::Staff, S::BuildAndDeploy) => &["On-going communication with staff"],
            (T::TradeUnions, S::AssessValue) => &["Engagement with trade unions"],
            (T::TradeUnions, S::CreateDesign | S::BuildAndDeploy) => {
                &["Continuing meetings with trade unions"]
            }
            (T::ServiceUsers, S::AssessValue | S::DefineStrategy) => {
                &["Engagement with service users where appropriate"]
            }
            (T::ServiceUsers, S::CreateDesign) => {
                &["Communication with service users where appropriate"]
            }
            (T::ServiceUsers, S::BuildAndDeploy) => &["On-going communication with service users"],
            (T::PressAndPublicAffairs, S::AssessValue) => {
                &["Press release to announce the intention to share services"]
            }
            (T::PressAndPublicAffairs, S::DefineStrategy) => {
                &["Public affairs activities on the Cabinet decision"]
            }
            (T::PressAndPublicAffairs, S::CreateDesign) => {
                &["Communication on progress and key milestones"]
            }
            (T::PressAndPublicAffairs, S::BuildAndDeploy) => &["On-going updates"],
        }
    }
}

/// How exactly a date is known. Committee reports often give only a month ("Sep 2011") or a
/// season ("mid 2012"); Accord keeps that vagueness rather than inventing a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum DatePrecision {
    /// An exact day.
    #[default]
    Day,
    /// A month ("Sep 2011"); stored as the first of the month.
    Month,
    /// Early in a month ("early Aug 2011"); stored as the first of the month.
    EarlyMonth,
    /// The end of a month ("end of Sep 2011"); stored as the first of the month.
    EndOfMonth,
    /// The middle of a year ("mid 2012"): June to August; stored as 1 July.
    MidYear,
    /// The end of a year ("end of 2011"); stored as 1 December.
    EndOfYear,
}

impl DatePrecision {
    /// The date as stored for this precision: the first of its month (1 July for mid-year,
    /// 1 December for end of year), so that equal vague dates compare equal.
    pub fn normalise(self, date: NaiveDate) -> NaiveDate {
        let first = |month: u32| NaiveDate::from_ymd_opt(date.year(), month, 1).unwrap_or(date);
        match self {
            DatePrecision::Day => date,
            DatePrecision::Month | DatePrecision::EarlyMonth | DatePrecision::EndOfMonth => {
                first(date.month())
            }
            DatePrecision::MidYear => first(7),
            DatePrecision::EndOfYear => first(12),
        }
    }

    /// The last day the date could mean: after it, the date has passed.
    pub fn period_end(self, date: NaiveDate) -> NaiveDate {
        let end_of_month = |d: NaiveDate| {
            d.with_day(1)
                .and_then(|f| f.checked_add_months(Months::new(1)))
                .and_then(|n| n.pred_opt())
                .unwrap_or(d)
        };
        match self {
            DatePrecision::Day => date,
            DatePrecision::Month | DatePrecision::EndOfMonth => end_of_month(date),
            DatePrecision::EarlyMonth => date.with_day(10).unwrap_or(date),
            DatePrecision::MidYear => NaiveDate::from_ymd_opt(date.year(), 8, 31).unwrap_or(date),
            DatePrecision::EndOfYear => {
                NaiveDate::from_ymd_opt(date.year(), 12, 31).unwrap_or(date)
            }
        }
    }

    /// The date in words at this precision: "21 Jul 2011", "Sep 2011", "early Aug 2011",
    /// "end of Sep 2011", "mid 2012", "end of 2011".
    pub fn label(self, date: NaiveDate) -> String {
        match self {
            DatePrecision::Day => format!("{} {}", date.day(), month_year(date)),
            DatePrecision::Month => month_year(date),
            DatePrecision::EarlyMonth => format!("early {}", month_year(date)),
            DatePrecision::EndOfMonth => format!("end of {}", month_year(date)),
            DatePrecision::MidYear => format!("mid {}", date.year()),
            DatePrecision::EndOfYear => format!("end of {}", date.year()),
        }
    }

    fn is_monthly(self) -> bool {
        !matches!(self, DatePrecision::Day)
    }
}

/// A planned date: what was agreed (baseline), what is now expected (forecast) and what
/// happened (actual).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct DatePlan {
    /// The date agreed when the plan was approved.
    pub baseline: NaiveDate,
    /// The date now expected, when it differs from the baseline or has been re-confirmed.
    #[serde(default)]
    pub forecast: Option<NaiveDate>,
    /// The date it happened.
    #[serde(default)]
    pub actual: Option<NaiveDate>,
    /// How exactly the dates are known.
    #[serde(default)]
    pub precision: DatePrecision,
}

/// Where a dated item stands against its baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum Slippage {
    /// Not done; expected on its baseline.
    OnTrack {
        /// The date expected.
        due: NaiveDate,
    },
    /// Not done; expected later than its baseline.
    Slipping {
        /// The baseline.
        from: NaiveDate,
        /// The forecast.
        to: NaiveDate,
        /// How many days later.
        days: i64,
    },
    /// Not done; expected earlier than its baseline.
    Early {
        /// The baseline.
        from: NaiveDate,
        /// The forecast.
        to: NaiveDate,
        /// How many days earlier.
        days: i64,
    },
    /// Not done, and the date it was expected has passed.
    Overdue {
        /// The date it was expected (the forecast, or the baseline when there is none).
        due: NaiveDate,
        /// The baseline.
        baseline: NaiveDate,
        /// Days since the due date.
        days: i64,
    },
    /// Done on its baseline.
    DoneOnTime {
        /// When.
        on: NaiveDate,
    },
    /// Done after its baseline.
    DoneLate {
        /// The baseline.
        due: NaiveDate,
        /// When it was done.
        on: NaiveDate,
    },
    /// Done before its baseline.
    DoneEarly {
        /// The baseline.
        due: NaiveDate,
        /// When it was done.
        on: NaiveDate,
    },
}

impl DatePlan {
    /// A plan known to the day, with no forecast or actual yet.
    pub fn on(baseline: NaiveDate) -> DatePlan {
        DatePlan {
            baseline,
            forecast: None,
            actual: None,
            precision: DatePrecision::Day,
        }
    }

    /// A plan known to the month: `month(2011, 7)` is "Jul 2011".
    pub fn month(year: i32, month: u32) -> Option<DatePlan> {
        Some(DatePlan {
            baseline: NaiveDate::from_ymd_opt(year, month, 1)?,
            forecast: None,
            actual: None,
            precision: DatePrecision::Month,
        })
    }

    /// The date now expected or achieved: the actual, else the forecast, else the baseline.
    pub fn current(&self) -> NaiveDate {
        self.actual.or(self.forecast).unwrap_or(self.baseline)
    }

    /// Whether it has happened.
    pub fn is_done(&self) -> bool {
        self.actual.is_some()
    }

    fn compare(&self, a: NaiveDate, b: NaiveDate) -> Ordering {
        let p = self.precision;
        p.period_end(a).cmp(&p.period_end(b))
    }

    /// Where the item stands on `today`.
    pub fn slippage(&self, today: NaiveDate) -> Slippage {
        let baseline = self.baseline;
        if let Some(on) = self.actual {
            return match self.compare(on, baseline) {
                Ordering::Equal => Slippage::DoneOnTime { on },
                Ordering::Greater => Slippage::DoneLate { due: baseline, on },
                Ordering::Less => Slippage::DoneEarly { due: baseline, on },
            };
        }
        let due = self.forecast.unwrap_or(baseline);
        if today > self.precision.period_end(due) {
            return Slippage::Overdue {
                due,
                baseline,
                days: (today - self.precision.period_end(due)).num_days(),
            };
        }
        match self.compare(due, baseline) {
            Ordering::Equal => Slippage::OnTrack { due },
            Ordering::Greater => Slippage::Slipping {
                from: baseline,
                to: due,
                days: (due - baseline).num_days(),
            },
            Ordering::Less => Slippage::Early {
                from: baseline,
                to: due,
                days: (baseline - due).num_days(),
            },
        }
    }

    /// How many days the item is expected to finish after its baseline, for tolerance checks:
    /// the forecast (or baseline) against the baseline, and at least up to `today` when that
    /// date has passed without the item being done. `None` once it is done.
    pub fn forecast_slip_days(&self, today: NaiveDate) -> Option<i64> {
        if self.actual.is_some() {
            return None;
        }
        let due = self.forecast.unwrap_or(self.baseline);
        let expected = if today > self.precision.period_end(due) {
            today.max(due)
        } else {
            due
        };
        Some((expected - self.baseline).num_days())
    }

    /// The slippage in words, in the style of the committee reports. `done` is the verb for
    /// completion: "delivered" for stages and milestones, "started" for phases.
    ///
    /// The wording rules:
    /// - on track: "Phase 3 on track for mid 2012";
    /// - forecast later than baseline: "Phase 2 likely to slip from Jul to Sep 2011" — months
    ///   are named when the month changes, days only within one month ("from 12 to 19 Jul
    ///   2011"), and the year is written once when both dates share it;
    /// - forecast earlier: "… likely to be early: Jul 2011 rather than Sep 2011";
    /// - date passed, not done: "… overdue: due Sep 2011" (adding "(baseline Jul 2011)" when
    ///   it had already slipped);
    /// - done: "… delivered on time", "… delivered 2 weeks late", "… started 1 month early".
    ///   Differences under two weeks are counted in days, under eight weeks in weeks, and
    ///   beyond in months; dates known only to the month are counted in months.
    pub fn describe(&self, name: &str, done: &str, today: NaiveDate) -> String {
        let p = self.precision;
        match self.slippage(today) {
            Slippage::OnTrack { due } => format!("{name} on track for {}", p.label(due)),
            Slippage::Slipping { from, to, .. } => {
                format!("{name} likely to slip from {}", range_words(p, from, to))
            }
            Slippage::Early { from, to, .. } => format!(
                "{name} likely to be early: {} rather than {}",
                p.label(to),
                p.label(from)
            ),
            Slippage::Overdue { due, baseline, .. } => {
                if self.compare(due, baseline) == Ordering::Equal {
                    format!("{name} overdue: due {}", p.label(due))
                } else {
                    format!(
                        "{name} overdue: due {} (baseline {})",
                        p.label(due),
                        p.label(baseline)
                    )
                }
            }
            Slippage::DoneOnTime { .. } => format!("{name} {done} on time"),
            Slippage::DoneLate { due, on } => {
                format!("{name} {done} {} late", difference_words(p, due, on))
            }
            Slippage::DoneEarly { due, on } => {
                format!("{name} {done} {} early", difference_words(p, on, due))
            }
        }
    }

    fn validate(&self, field: &str, start: Option<NaiveDate>) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        if let Some(start) = start {
            for (name, date) in [("forecast", self.forecast), ("actual", self.actual)] {
                if let Some(date) = date
                    && self.precision.period_end(date) < start
                {
                    invalid.push(
                        format!("{field}{name}"),
                        format!(
                            "{} is before the project starts on {}",
                            self.precision.label(date),
                            long_date(start)
                        ),
                    );
                }
            }
        }
        invalid.into_result()
    }
}

/// "Jul": a month as the committee reports abbreviate it. Written by hand rather than with
/// chrono's formatter because report and timeline building call it thousands of times.
fn month_abbrev(date: NaiveDate) -> &'static str {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    MONTHS[date.month0() as usize]
}

/// "Jul 2011".
fn month_year(date: NaiveDate) -> String {
    format!("{} {}", month_abbrev(date), date.year())
}

/// "Jul to Sep 2011", "Dec 2011 to Feb 2012", "12 to 19 Jul 2011", "mid 2012 to end of 2012".
fn range_words(p: DatePrecision, from: NaiveDate, to: NaiveDate) -> String {
    let same_year = from.year() == to.year();
    let same_month = same_year && from.month() == to.month();
    match p {
        DatePrecision::Day if same_month => {
            format!("{} to {} {}", from.day(), to.day(), month_year(to))
        }
        DatePrecision::Day | DatePrecision::Month if same_year => {
            format!("{} to {}", month_abbrev(from), month_year(to))
        }
        DatePrecision::Day | DatePrecision::Month => {
            format!("{} to {}", month_year(from), month_year(to))
        }
        _ => format!("{} to {}", p.label(from), p.label(to)),
    }
}

/// "3 days", "2 weeks", "1 month": the gap from `earlier` to `later`.
fn difference_words(p: DatePrecision, earlier: NaiveDate, later: NaiveDate) -> String {
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    if p.is_monthly() {
        let months = i64::from(later.year() - earlier.year()) * 12 + i64::from(later.month())
            - i64::from(earlier.month());
        return plural(months.max(1), "month");
    }
    let days = (later - earlier).num_days();
    if days < 14 {
        plural(days, "day")
    } else if days < 56 {
        plural((days + 3) / 7, "week")
    } else {
        // An average month: 365.25 / 12 days; rounded to the nearest whole month.
        plural((days * 400 + 6087) / 12175, "month")
    }
}

/// The size of a project, which picks its indicative timetable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProjectSize {
    /// A small project (Schedule 2: school meals, transactional HR, legal, OD and learning,
    /// engineering design, audit).
    Small,
    /// A large project (Schedule 2: revenues and benefits, call centre, transactional back
    /// office).
    Large,
}

impl ProjectSize {
    /// The stable name used in storage, filters and the API.
    pub fn slug(self) -> &'static str {
        match self {
            ProjectSize::Small => "small",
            ProjectSize::Large => "large",
        }
    }
}

/// An indicative timetable: the length of each stage in months.
///
/// Schedule 2 gives, for small projects, about three months to assess the potential value and
/// define the strategy, then four to nine months to design, build and deploy. Its chart for
/// large projects did not survive, so the large template is Accord's own assumption (twice the
/// small one). Both are indicative only: the schedule says timetables depend on the operating
/// model, IT and accommodation, procurement, statutory consultation, Cabinet and scrutiny
/// timetables and resourcing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Template {
    /// Months for each of the four stages, in order.
    pub stage_months: [u32; 4],
    /// Months after deployment at which benefits are reviewed.
    pub review_after_months: u32,
}

impl Template {
    /// Small projects: 1 + 2 months to assess and define (the seed's "3 months"), then 2 + 4
    /// months to design and build (six, within the seed's "4–9 months"); benefits reviewed six
    /// months after deployment.
    pub const SMALL: Template = Template {
        stage_months: [1, 2, 2, 4],
        review_after_months: 6,
    };

    /// Large projects: Accord's indicative assumption, twice the small timetable (6 months to
    /// assess and define, 12 to design and build), as the seed's large-project chart is lost.
    pub const LARGE: Template = Template {
        stage_months: [2, 4, 4, 8],
        review_after_months: 6,
    };

    /// The template for a size.
    pub fn for_size(size: ProjectSize) -> Template {
        match size {
            ProjectSize::Small => Template::SMALL,
            ProjectSize::Large => Template::LARGE,
        }
    }

    /// A label for pages, so that nobody mistakes the dates for commitments.
    pub const LABEL: &'static str = "Indicative timetable (Schedule 2); depends on the operating model, IT, accommodation, procurement, consultation, Cabinet and scrutiny timetables and resourcing";

    fn validate(&self) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        for (i, months) in self.stage_months.iter().enumerate() {
            if !(1..=36).contains(months) {
                invalid.push(
                    format!("stage_months[{i}]"),
                    format!("A stage lasts 1 to 36 months, not {months}"),
                );
            }
        }
        if self.review_after_months > 36 {
            invalid.push("review_after_months", "Review benefits within 36 months");
        }
        invalid.into_result()
    }
}

/// An activity of a stage, standard or added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Activity {
    /// What is to be done.
    pub name: String,
    /// The engagement track it belongs to; `None` for the stage's own work.
    #[serde(default)]
    pub track: Option<EngagementTrack>,
    /// When it was done.
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
}

/// One stage of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct StagePlan {
    /// Which stage.
    pub stage: Stage,
    /// When the stage completes. It starts when the previous one completes.
    pub due: DatePlan,
    /// Its activities, the engagement tracks' included.
    pub activities: Vec<Activity>,
    /// Cabinet approval at each council, when the stage ends at a gate.
    pub gate: Option<CabinetApprovals>,
}

/// Whether a phase has begun.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PhaseStatus {
    /// Not begun.
    #[default]
    Planned,
    /// Under way.
    Underway,
    /// Finished.
    Complete,
}

impl PhaseStatus {
    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            PhaseStatus::Planned => "planned",
            PhaseStatus::Underway => "underway",
            PhaseStatus::Complete => "complete",
        }
    }
}

/// A phase of a project: a step in how the shared service is introduced, such as economic
/// development's "closer joint working → shared service with a joint head → social enterprise".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Phase {
    /// Its number (1, 2, …), its order.
    pub number: u32,
    /// Its short name: "Phase 2", "Work stream 1".
    pub name: String,
    /// What it is.
    pub description: String,
    /// Planned, under way or complete.
    pub status: PhaseStatus,
    /// When it starts; `None` when no date is stated.
    pub start: Option<DatePlan>,
    /// Why it moved, or other notes.
    pub note: Option<String>,
}

/// What a milestone marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum MilestoneKind {
    /// Something delivered.
    #[default]
    Delivery,
    /// A decision or report due.
    Decision,
    /// A review (benefit realisation, year-end re-evaluation).
    Review,
}

/// A milestone of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Milestone {
    /// Its number within the project.
    pub number: u32,
    /// What it is: "Payroll control live".
    pub name: String,
    /// What it marks.
    pub kind: MilestoneKind,
    /// The stage it belongs to, if any.
    pub stage: Option<Stage>,
    /// The phase it belongs to, by number, if any.
    pub phase: Option<u32>,
    /// Its dates.
    pub due: DatePlan,
    /// Why it moved, or other notes.
    pub note: Option<String>,
}

/// A milestone as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct MilestoneInput {
    /// What it is.
    pub name: String,
    /// What it marks.
    #[serde(default)]
    pub kind: MilestoneKind,
    /// The stage it belongs to.
    #[serde(default)]
    pub stage: Option<Stage>,
    /// The phase it belongs to.
    #[serde(default)]
    pub phase: Option<u32>,
    /// Its dates.
    pub due: DatePlan,
    /// Notes.
    #[serde(default)]
    pub note: Option<String>,
}

/// A phase as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct PhaseInput {
    /// Its short name.
    pub name: String,
    /// What it is.
    #[serde(default)]
    pub description: String,
    /// Planned, under way or complete.
    #[serde(default)]
    pub status: PhaseStatus,
    /// When it starts.
    #[serde(default)]
    pub start: Option<DatePlan>,
    /// Notes.
    #[serde(default)]
    pub note: Option<String>,
}

/// Potential cashable savings as the progress report states them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum CashableSavings {
    /// A stated amount a year.
    Amount {
        /// The amount.
        amount: Money,
    },
    /// "TBA": to be assessed.
    Tba,
    /// The source gives no figure.
    #[default]
    NotStated,
}

impl CashableSavings {
    /// For pages: "£100,000", "TBA", "not stated".
    pub fn label(self) -> String {
        match self {
            CashableSavings::Amount { amount } => amount.whole_pounds(),
            CashableSavings::Tba => "TBA".to_owned(),
            CashableSavings::NotStated => crate::seed::NOT_STATED.to_owned(),
        }
    }

    /// The amount, when one is stated.
    pub fn amount(self) -> Option<Money> {
        match self {
            CashableSavings::Amount { amount } => Some(amount),
            _ => None,
        }
    }
}

/// Where an opportunity has got to (Appendix B's outcomes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Outcome {
    /// A shared service is being implemented.
    BeingImplemented,
    /// A business case is being developed.
    BusinessCaseInDevelopment,
    /// Still being evaluated.
    UnderEvaluation,
    /// No fully shared service; collaboration on parts of it instead.
    CollaborationOnly,
    /// Not pursued as a shared service; one council market-tests instead, the other as a
    /// possible future partner.
    NotPursuedMarketTesting,
    /// To be evaluated again later.
    ReEvaluate {
        /// When, in words: "at the end of the calendar year".
        when: String,
    },
    /// The source says nothing.
    #[default]
    NotStated,
}

impl Outcome {
    /// The stable name of each kind of outcome, in the order pages list them.
    pub const SLUGS: [&'static str; 7] = [
        "being-implemented",
        "business-case-in-development",
        "under-evaluation",
        "collaboration-only",
        "not-pursued-market-testing",
        "re-evaluate",
        "not-stated",
    ];

    /// The stable name of its kind, as storage, filters and forms name it.
    pub fn slug(&self) -> &'static str {
        match self {
            Outcome::BeingImplemented => "being-implemented",
            Outcome::BusinessCaseInDevelopment => "business-case-in-development",
            Outcome::UnderEvaluation => "under-evaluation",
            Outcome::CollaborationOnly => "collaboration-only",
            Outcome::NotPursuedMarketTesting => "not-pursued-market-testing",
            Outcome::ReEvaluate { .. } => "re-evaluate",
            Outcome::NotStated => "not-stated",
        }
    }

    /// The outcome a slug names, with `when` for a re-evaluation; `None` for an unknown slug.
    pub fn from_slug(slug: &str, when: String) -> Option<Outcome> {
        Some(match slug {
            "being-implemented" => Outcome::BeingImplemented,
            "business-case-in-development" => Outcome::BusinessCaseInDevelopment,
            "under-evaluation" => Outcome::UnderEvaluation,
            "collaboration-only" => Outcome::CollaborationOnly,
            "not-pursued-market-testing" => Outcome::NotPursuedMarketTesting,
            "re-evaluate" => Outcome::ReEvaluate { when },
            "not-stated" => Outcome::NotStated,
            _ => return None,
        })
    }

    /// In words for pages.
    pub fn label(&self) -> String {
        match self {
            Outcome::BeingImplemented => "Being implemented".to_owned(),
            Outcome::BusinessCaseInDevelopment => "Business case in development".to_owned(),
            Outcome::UnderEvaluation => "Under evaluation".to_owned(),
            Outcome::CollaborationOnly => {
                "Not a fully shared service: collaboration on parts of it".to_owned()
            }
            Outcome::NotPursuedMarketTesting => {
                "Not pursued as a shared service: market testing instead".to_owned()
            }
            Outcome::ReEvaluate { when } => format!("Re-evaluate {when}"),
            Outcome::NotStated => crate::seed::NOT_STATED.to_owned(),
        }
    }
}

/// Which dated item of a project an edit is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Target {
    /// A stage.
    Stage {
        /// Which.
        stage: Stage,
    },
    /// A phase, by number.
    Phase {
        /// Its number.
        number: u32,
    },
    /// A milestone, by number.
    Milestone {
        /// Its number.
        number: u32,
    },
}

/// A new project as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ProjectInput {
    /// Its name: usually the service ("Economic Development").
    pub name: String,
    /// Small or large: picks the indicative timetable.
    pub size: ProjectSize,
    /// When it starts.
    pub start: NaiveDate,
    /// The time tolerance in days: a forecast slip beyond it is an exception. Four weeks when
    /// not given.
    #[serde(default)]
    pub tolerance_days: Option<u32>,
    /// Stage lengths to use instead of the size's template.
    #[serde(default)]
    pub template: Option<Template>,
    /// The scope of the opportunity.
    #[serde(default)]
    pub opportunity: String,
    /// The opportunity record this project delivers, once the opportunity has passed the
    /// gateway and been handed to delivery.
    #[serde(default)]
    pub opportunity_id: Option<i64>,
}

/// A shared-service project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Project {
    /// The database identity (0 before it is stored).
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Small or large; `None` when the source does not say.
    pub size: Option<ProjectSize>,
    /// The councils taking part, whose Cabinets approve at the gates.
    pub councils: Vec<GssCode>,
    /// When it starts; `None` when the source does not say.
    pub start: Option<NaiveDate>,
    /// The time tolerance in days (four weeks by default).
    pub tolerance_days: u32,
    /// Its stages, in order; empty when no stage plan has been made.
    pub stages: Vec<StagePlan>,
    /// Its phases, in order.
    pub phases: Vec<Phase>,
    /// Its milestones.
    pub milestones: Vec<Milestone>,
    /// The scope of the opportunity (Appendix B's "Opportunity").
    pub opportunity: String,
    /// The opportunity record the project delivers, when it came through the gateway in
    /// Accord; `None` for projects entered directly or from a seed.
    #[serde(default)]
    pub opportunity_id: Option<i64>,
    /// What is being done (Appendix B's "Implementation activity").
    pub implementation: String,
    /// Potential cashable savings.
    pub cashable_savings: CashableSavings,
    /// Anticipated non-cashable benefits.
    pub non_cashable_benefits: Vec<String>,
    /// Where it has got to.
    pub outcome: Outcome,
    /// Where the record comes from (a seed citation), if it was not entered by a user.
    pub source: Option<String>,
}

/// A forecast that breaches a project's time tolerance. It escalates to the Programme Board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct Exception {
    /// The project.
    pub project: i64,
    /// The project's name.
    pub project_name: String,
    /// The stage, phase or milestone that breaches.
    pub item: String,
    /// Its baseline.
    pub baseline: NaiveDate,
    /// The date now expected.
    pub expected: NaiveDate,
    /// Days beyond the baseline.
    pub slip_days: i64,
    /// The project's tolerance.
    pub tolerance_days: u32,
    /// Where it escalates.
    pub escalate_to: BoardLevel,
    /// The slippage in words.
    pub words: String,
}

impl Exception {
    /// The exception as a notice to the receiving board, raised on `on`.
    pub fn notice(&self, on: NaiveDate) -> EscalationNotice {
        EscalationNotice {
            from: EscalatedFrom::Exception {
                project: self.project,
                item: self.item.clone(),
            },
            title: format!(
                "Exception: {} — {} ({} days beyond baseline; tolerance {} days)",
                self.project_name, self.words, self.slip_days, self.tolerance_days
            ),
            to: self.escalate_to,
            on,
        }
    }
}

/// The default time tolerance: four weeks.
pub const DEFAULT_TOLERANCE_DAYS: u32 = 28;

/// The longest time tolerance: a year.
pub const MAX_TOLERANCE_DAYS: u32 = 366;

/// A project's reference: `P-7` for the seventh project planned in its partnership. Pages and
/// the API address a project by it, and it never changes.
pub fn reference(number: u32) -> String {
    format!("P-{number}")
}

/// The number a project reference names: `P-7`, `p-7` and `P7` all name project 7. `None`
/// when the text is not a project reference.
pub fn parse_reference(text: &str) -> Option<u32> {
    let text = text.trim();
    let rest = text.strip_prefix(['P', 'p'])?;
    let digits = rest.strip_prefix('-').unwrap_or(rest);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u32>().ok().filter(|n| *n > 0)
}

/// What a change to a project's details sets: everything but its plan and its dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ProjectDetails {
    /// Its name.
    pub name: String,
    /// The time tolerance in days; four weeks when not given.
    #[serde(default)]
    pub tolerance_days: Option<u32>,
    /// The scope of the opportunity.
    #[serde(default)]
    pub opportunity: String,
    /// The opportunity record the project delivers.
    #[serde(default)]
    pub opportunity_id: Option<i64>,
    /// What is being done.
    #[serde(default)]
    pub implementation: String,
    /// Potential cashable savings.
    #[serde(default)]
    pub cashable_savings: CashableSavings,
    /// Anticipated non-cashable benefits, one a line.
    #[serde(default)]
    pub non_cashable_benefits: Vec<String>,
    /// Where it has got to.
    #[serde(default)]
    pub outcome: Outcome,
}

impl Project {
    /// Plans a new project from the indicative template for its size: the four stages with
    /// baseline dates from `start`, their standard and engagement activities, the Cabinet gate
    /// at the end of "define overall strategy and plan" for every council that is a member of
    /// the partnership on `start`, and a benefit realisation review.
    pub fn plan(
        id: i64,
        input: ProjectInput,
        partnership: &Partnership,
    ) -> Result<Project, Invalid> {
        let mut invalid = Invalid::new();
        let name = input.name.trim().to_owned();
        if name.is_empty() {
            invalid.push("name", "Enter the project's name");
        } else if name.chars().count() > 200 {
            invalid.push("name", "The name must be 200 characters or fewer");
        }
        let template = input.template.unwrap_or(Template::for_size(input.size));
        if let Err(e) = template.validate() {
            invalid.extend(e.within("template."));
        }
        let tolerance_days = input.tolerance_days.unwrap_or(DEFAULT_TOLERANCE_DAYS);
        if tolerance_days > MAX_TOLERANCE_DAYS {
            invalid.push(
                "tolerance_days",
                "A time tolerance is at most a year (366 days)",
            );
        }
        let councils: Vec<GssCode> = partnership
            .members_on(input.start)
            .map(|m| m.authority.clone())
            .collect();
        if councils.len() < Partnership::MIN_MEMBERS {
            invalid.push(
                "start",
                format!(
                    "The partnership has fewer than two member councils on {}",
                    long_date(input.start)
                ),
            );
        }
        invalid.into_result()?;

        let mut stages = Vec::with_capacity(4);
        let mut end = input.start;
        for stage in Stage::ALL {
            end = add_months(end, template.stage_months[stage.index()])?;
            let mut activities: Vec<Activity> = stage
                .activities()
                .iter()
                .map(|a| Activity {
                    name: (*a).to_owned(),
                    track: None,
                    done_on: None,
                })
                .collect();
            for track in EngagementTrack::ALL {
                activities.extend(track.activities(stage).iter().map(|a| Activity {
                    name: (*a).to_owned(),
                    track: Some(track),
                    done_on: None,
                }));
            }
            stages.push(StagePlan {
                stage,
                due: DatePlan::on(end),
                activities,
                gate: stage
                    .has_standard_gate()
                    .then(|| CabinetApprovals::for_councils(&councils)),
            });
        }
        let review = add_months(end, template.review_after_months)?;
        Ok(Project {
            id,
            name,
            size: Some(input.size),
            councils,
            start: Some(input.start),
            tolerance_days,
            stages,
            phases: Vec::new(),
            milestones: vec![Milestone {
                number: 1,
                name: "Benefit realisation review".to_owned(),
                kind: MilestoneKind::Review,
                stage: Some(Stage::BuildAndDeploy),
                phase: None,
                due: DatePlan::on(review),
                note: Some("Indicative".to_owned()),
            }],
            opportunity: input.opportunity,
            opportunity_id: input.opportunity_id,
            implementation: String::new(),
            cashable_savings: CashableSavings::NotStated,
            non_cashable_benefits: Vec::new(),
            outcome: Outcome::BusinessCaseInDevelopment,
            source: None,
        })
    }

    /// A stage's plan.
    pub fn stage(&self, stage: Stage) -> Option<&StagePlan> {
        self.stages.iter().find(|s| s.stage == stage)
    }

    /// When a stage starts (baseline and current): when the previous stage completes, or the
    /// project's start for the first.
    pub fn stage_start(&self, stage: Stage) -> Option<(NaiveDate, NaiveDate)> {
        let position = self.stages.iter().position(|s| s.stage == stage)?;
        match position.checked_sub(1).and_then(|p| self.stages.get(p)) {
            Some(previous) => Some((previous.due.baseline, previous.due.current())),
            None => self.start.map(|s| (s, s)),
        }
    }

    fn plan_mut(&mut self, target: Target) -> Result<&mut DatePlan, Invalid> {
        match target {
            Target::Stage { stage } => self
                .stages
                .iter_mut()
                .find(|s| s.stage == stage)
                .map(|s| &mut s.due)
                .ok_or_else(|| {
                    Invalid::field("stage", format!("The project has no plan for “{stage}”"))
                }),
            Target::Phase { number } => self
                .phases
                .iter_mut()
                .find(|p| p.number == number)
                .and_then(|p| p.start.as_mut())
                .ok_or_else(|| Invalid::field("phase", format!("Phase {number} has no dates"))),
            Target::Milestone { number } => self
                .milestones
                .iter_mut()
                .find(|m| m.number == number)
                .map(|m| &mut m.due)
                .ok_or_else(|| {
                    Invalid::field(
                        "milestone",
                        format!("The project has no milestone {number}"),
                    )
                }),
        }
    }

    /// The dates of an item.
    pub fn plan_of(&self, target: Target) -> Option<&DatePlan> {
        match target {
            Target::Stage { stage } => self.stage(stage).map(|s| &s.due),
            Target::Phase { number } => self
                .phases
                .iter()
                .find(|p| p.number == number)
                .and_then(|p| p.start.as_ref()),
            Target::Milestone { number } => self
                .milestones
                .iter()
                .find(|m| m.number == number)
                .map(|m| &m.due),
        }
    }

    /// Sets (or clears) an item's forecast. A forecast before the project starts is refused,
    /// and nothing changes.
    pub fn set_forecast(
        &mut self,
        target: Target,
        forecast: Option<NaiveDate>,
    ) -> Result<(), Invalid> {
        let start = self.start;
        let plan = self.plan_mut(target)?;
        let mut changed = *plan;
        changed.forecast = forecast.map(|f| changed.precision.normalise(f));
        changed.validate("", start)?;
        *plan = changed;
        Ok(())
    }

    /// Records when a phase or milestone happened; for a stage, see [`Project::complete_stage`].
    pub fn record_actual(&mut self, target: Target, actual: NaiveDate) -> Result<(), Invalid> {
        if let Target::Stage { stage } = target {
            return self.complete_stage(stage, actual);
        }
        let start = self.start;
        let plan = self.plan_mut(target)?;
        let mut changed = *plan;
        changed.actual = Some(changed.precision.normalise(actual));
        changed.validate("", start)?;
        *plan = changed;
        if let Target::Phase { number } = target
            && let Some(phase) = self.phases.iter_mut().find(|p| p.number == number)
            && phase.status == PhaseStatus::Planned
        {
            phase.status = PhaseStatus::Underway;
        }
        Ok(())
    }

    /// Records that a stage completed on `on`. Refused — and nothing changes — when an earlier
    /// stage has not completed, when the date is before the project's start or the previous
    /// stage's completion, or when the stage ends at a Cabinet gate and any council's approval
    /// is not recorded or is dated after `on`.
    pub fn complete_stage(&mut self, stage: Stage, on: NaiveDate) -> Result<(), Invalid> {
        let position = self
            .stages
            .iter()
            .position(|s| s.stage == stage)
            .ok_or_else(|| {
                Invalid::field("stage", format!("The project has no plan for “{stage}”"))
            })?;
        if let Some(start) = self.start
            && on < start
        {
            return Err(Invalid::field(
                "actual",
                format!(
                    "{} is before the project starts on {}",
                    long_date(on),
                    long_date(start)
                ),
            ));
        }
        if let Some(previous) = position.checked_sub(1).and_then(|p| self.stages.get(p)) {
            match previous.due.actual {
                None => {
                    return Err(Invalid::field(
                        "stage",
                        format!("“{}” must complete before “{stage}” can", previous.stage),
                    ));
                }
                Some(done) if on < done => {
                    return Err(Invalid::field(
                        "actual",
                        format!(
                            "{} is before “{}” completed on {}",
                            long_date(on),
                            previous.stage,
                            long_date(done)
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        let plan = &self.stages[position];
        if let Some(gate) = &plan.gate {
            if !gate.is_complete() {
                return Err(gate.outstanding_error("stage", &format!("Completing “{stage}”")));
            }
            if let Some(last) = gate.completed_on()
                && on < last
            {
                return Err(Invalid::field(
                    "actual",
                    format!(
                        "“{stage}” cannot complete on {}, before the last Cabinet approval on {}",
                        long_date(on),
                        long_date(last)
                    ),
                ));
            }
        }
        self.stages[position].due.actual = Some(on);
        Ok(())
    }

    /// Records the date a council's Cabinet approved at a stage's gate. A council outside the
    /// partnership, or a stage without a gate, is refused.
    pub fn record_cabinet_approval(
        &mut self,
        stage: Stage,
        council: &GssCode,
        on: NaiveDate,
    ) -> Result<(), Invalid> {
        let plan = self
            .stages
            .iter_mut()
            .find(|s| s.stage == stage)
            .ok_or_else(|| {
                Invalid::field("stage", format!("The project has no plan for “{stage}”"))
            })?;
        let gate = plan.gate.as_mut().ok_or_else(|| {
            Invalid::field("stage", format!("“{stage}” does not end at a Cabinet gate"))
        })?;
        gate.record(council, on)
    }

    /// Puts a Cabinet gate at the end of a stage (a partnership may want more than one).
    pub fn add_gate(&mut self, stage: Stage) -> Result<(), Invalid> {
        let councils = self.councils.clone();
        let plan = self
            .stages
            .iter_mut()
            .find(|s| s.stage == stage)
            .ok_or_else(|| {
                Invalid::field("stage", format!("The project has no plan for “{stage}”"))
            })?;
        if plan.due.actual.is_some() {
            return Err(Invalid::field(
                "stage",
                format!("“{stage}” has already completed"),
            ));
        }
        plan.gate
            .get_or_insert_with(|| CabinetApprovals::for_councils(&councils));
        Ok(())
    }

    /// Adds a phase at the end. Returns its number.
    pub fn add_phase(&mut self, input: PhaseInput) -> Result<u32, Invalid> {
        let mut invalid = Invalid::new();
        if input.name.trim().is_empty() {
            invalid.push("name", "Enter the phase's name");
        }
        if let Some(start) = &input.start
            && let Err(e) = start.validate("start.", self.start)
        {
            invalid.extend(e);
        }
        invalid.into_result()?;
        let number = self.phases.iter().map(|p| p.number).max().unwrap_or(0) + 1;
        self.phases.push(Phase {
            number,
            name: input.name,
            description: input.description,
            status: input.status,
            start: input.start.map(normalised),
            note: input.note,
        });
        Ok(number)
    }

    /// Adds a milestone. Returns its number.
    pub fn add_milestone(&mut self, input: MilestoneInput) -> Result<u32, Invalid> {
        let mut invalid = Invalid::new();
        if input.name.trim().is_empty() {
            invalid.push("name", "Enter the milestone's name");
        }
        if let Some(phase) = input.phase
            && !self.phases.iter().any(|p| p.number == phase)
        {
            invalid.push("phase", format!("The project has no phase {phase}"));
        }
        if let Err(e) = input.due.validate("due.", self.start) {
            invalid.extend(e);
        }
        invalid.into_result()?;
        let number = self.milestones.iter().map(|m| m.number).max().unwrap_or(0) + 1;
        self.milestones.push(Milestone {
            number,
            name: input.name,
            kind: input.kind,
            stage: input.stage,
            phase: input.phase,
            due: normalised(input.due),
            note: input.note,
        });
        Ok(number)
    }

    /// Every dated item: stages, phases with dates, milestones, in that order, with its name.
    pub fn dated_items(&self) -> impl Iterator<Item = (Target, String, &DatePlan)> {
        let stages = self.stages.iter().map(|s| {
            (
                Target::Stage { stage: s.stage },
                s.stage.label().to_owned(),
                &s.due,
            )
        });
        let phases = self.phases.iter().filter_map(|p| {
            p.start
                .as_ref()
                .map(|d| (Target::Phase { number: p.number }, p.name.clone(), d))
        });
        let milestones = self.milestones.iter().map(|m| {
            (
                Target::Milestone { number: m.number },
                m.name.clone(),
                &m.due,
            )
        });
        stages.chain(phases).chain(milestones)
    }

    /// The forecasts that breach the project's time tolerance on `today`: each slips (or, past
    /// its date and not done, has slipped at least to today) more than `tolerance_days` beyond
    /// its baseline. Each escalates to the Programme Board.
    pub fn exceptions(&self, today: NaiveDate) -> Vec<Exception> {
        let tolerance = i64::from(self.tolerance_days);
        self.dated_items()
            .filter_map(|(target, name, plan)| {
                let slip = plan.forecast_slip_days(today)?;
                (slip > tolerance).then(|| Exception {
                    project: self.id,
                    project_name: self.name.clone(),
                    item: name.clone(),
                    baseline: plan.baseline,
                    expected: plan.baseline + chrono::Duration::days(slip),
                    slip_days: slip,
                    tolerance_days: self.tolerance_days,
                    escalate_to: BoardLevel::Programme,
                    words: plan.describe(&name, done_verb(target), today),
                })
            })
            .collect()
    }

    /// Checks the project as a whole, e.g. after loading or a bulk import: a name, at least
    /// two councils, and no forecast or actual before the start.
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        if self.name.trim().is_empty() {
            invalid.push("name", "Enter the project's name");
        }
        if self.councils.len() < Partnership::MIN_MEMBERS {
            invalid.push("councils", "A project needs at least two councils");
        }
        if self.tolerance_days > MAX_TOLERANCE_DAYS {
            invalid.push(
                "tolerance_days",
                "A time tolerance is at most a year (366 days)",
            );
        }
        // Items are named by their numbers (and stages by their names) in addresses, forms and
        // escalations, so no two may share one.
        let mut stages: Vec<Stage> = self.stages.iter().map(|s| s.stage).collect();
        stages.sort();
        if stages.windows(2).any(|w| w[0] == w[1]) {
            invalid.push("stages", "A stage is planned twice");
        }
        for (field, mut numbers) in [
            (
                "phases",
                self.phases.iter().map(|p| p.number).collect::<Vec<u32>>(),
            ),
            (
                "milestones",
                self.milestones.iter().map(|m| m.number).collect(),
            ),
        ] {
            numbers.sort_unstable();
            if numbers.first() == Some(&0) {
                invalid.push(field, format!("The {field} are numbered from 1"));
            }
            if numbers.windows(2).any(|w| w[0] == w[1]) {
                invalid.push(field, format!("Two of the {field} have the same number"));
            }
        }
        for (target, _, plan) in self.dated_items() {
            if let Err(e) = plan.validate("", self.start) {
                let prefix = match target {
                    Target::Stage { stage } => format!("stages.{}.", stage.slug()),
                    Target::Phase { number } => format!("phases.{number}.start."),
                    Target::Milestone { number } => format!("milestones.{number}.due."),
                };
                invalid.extend(e.within(&prefix));
            }
        }
        invalid.into_result()
    }
}

impl Project {
    /// Its details as an edit would set them, for forms that start from what is stored.
    pub fn details(&self) -> ProjectDetails {
        ProjectDetails {
            name: self.name.clone(),
            tolerance_days: Some(self.tolerance_days),
            opportunity: self.opportunity.clone(),
            opportunity_id: self.opportunity_id,
            implementation: self.implementation.clone(),
            cashable_savings: self.cashable_savings,
            non_cashable_benefits: self.non_cashable_benefits.clone(),
            outcome: self.outcome.clone(),
        }
    }

    /// Changes the project's details. A missing name, a tolerance beyond a year, a
    /// re-evaluation without its date in words, or an empty benefit is refused, naming its
    /// field, and nothing changes.
    pub fn edit(&mut self, details: ProjectDetails) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        let name = details.name.trim();
        if name.is_empty() {
            invalid.push("name", "Enter the project’s name");
        } else if name.chars().count() > 200 {
            invalid.push("name", "The name must be 200 characters or fewer");
        }
        let tolerance_days = details.tolerance_days.unwrap_or(DEFAULT_TOLERANCE_DAYS);
        if tolerance_days > MAX_TOLERANCE_DAYS {
            invalid.push(
                "tolerance_days",
                "Enter the tolerance as a whole number of days, at most 366",
            );
        }
        if let Outcome::ReEvaluate { when } = &details.outcome
            && when.trim().is_empty()
        {
            invalid.push("re_evaluate_when", "Say when it is to be evaluated again");
        }
        for (i, benefit) in details.non_cashable_benefits.iter().enumerate() {
            if benefit.trim().is_empty() {
                invalid.push(
                    format!("non_cashable_benefits[{i}]"),
                    "Remove the empty line or fill it in",
                );
            }
        }
        invalid.into_result()?;
        self.name = name.to_owned();
        self.tolerance_days = tolerance_days;
        self.opportunity = details.opportunity.trim().to_owned();
        self.opportunity_id = details.opportunity_id;
        self.implementation = details.implementation.trim().to_owned();
        self.cashable_savings = details.cashable_savings;
        self.non_cashable_benefits = details
            .non_cashable_benefits
            .iter()
            .map(|b| b.trim().to_owned())
            .collect();
        self.outcome = match details.outcome {
            Outcome::ReEvaluate { when } => Outcome::ReEvaluate {
                when: when.trim().to_owned(),
            },
            other => other,
        };
        Ok(())
    }

    /// Sets an item's forecast (or clears it) and, when given, records when it happened, with
    /// the rules of [`Project::set_forecast`] and [`Project::record_actual`]: a forecast before
    /// the project starts is refused, and a stage completes only in order and after its
    /// Cabinet gate. A refusal changes nothing.
    pub fn change_dates(
        &mut self,
        target: Target,
        forecast: Option<NaiveDate>,
        actual: Option<NaiveDate>,
    ) -> Result<(), Invalid> {
        let mut changed = self.clone();
        changed.set_forecast(target, forecast)?;
        if let Some(actual) = actual
            && changed.plan_of(target).and_then(|p| p.actual) != Some(actual)
        {
            changed.record_actual(target, actual)?;
        }
        *self = changed;
        Ok(())
    }

    /// Records a council's Cabinet approval at a stage's gate on `on`, as recorded on `today`:
    /// an approval dated in the future, a council outside the partnership or a stage without a
    /// gate is refused, and nothing changes.
    pub fn approve_at_gate(
        &mut self,
        stage: Stage,
        council: &GssCode,
        on: NaiveDate,
        today: NaiveDate,
    ) -> Result<(), Invalid> {
        crate::board::check_recorded_on("approved_on", on, today)?;
        let mut changed = self.clone();
        changed.record_cabinet_approval(stage, council, on)?;
        *self = changed;
        Ok(())
    }

    /// The exceptions of `today` not yet escalated (each item is escalated once), as notices
    /// to the receiving board dated `today`. `escalated` names the items already escalated.
    pub fn new_escalations(&self, escalated: &[String], today: NaiveDate) -> Vec<EscalationNotice> {
        let mut seen: Vec<String> = escalated.to_vec();
        let mut out = Vec::new();
        for exception in self.exceptions(today) {
            // Two items of one name are one escalation: the board sees the item by its name.
            if seen.contains(&exception.item) {
                continue;
            }
            seen.push(exception.item.clone());
            out.push(exception.notice(today));
        }
        out
    }
}

/// Which projects a list shows. The store answers it in SQL; [`ProjectFilter::matches`] is the
/// same rule in Rust, which the store's tests hold it to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    /// Only projects whose name contains this, in any case.
    pub text: Option<String>,
    /// Only projects with this outcome (its slug: `being-implemented`, …).
    pub outcome: Option<String>,
    /// Only projects of this size.
    pub size: Option<ProjectSize>,
    /// Only projects with a date beyond their time tolerance on the day of the list.
    pub beyond_tolerance: bool,
    /// Only projects with a stage, phase or milestone not yet done that is expected (its
    /// forecast, else its baseline) between these two days, inclusive.
    pub due: Option<(NaiveDate, NaiveDate)>,
}

impl ProjectFilter {
    /// Checks the filter: a search of at most 200 characters, a known outcome, and a period
    /// that does not end before it starts.
    pub fn prepare(&self) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        if self
            .text
            .as_deref()
            .is_some_and(|t| t.trim().chars().count() > 200)
        {
            invalid.push("text", "Search for at most 200 characters");
        }
        if let Some(outcome) = self.outcome.as_deref()
            && !Outcome::SLUGS.contains(&outcome)
        {
            invalid.push("outcome", format!("“{outcome}” is not an outcome"));
        }
        if let Some((from, to)) = self.due
            && to < from
        {
            invalid.push(
                "due_to",
                format!(
                    "{} is before {}, where the period starts",
                    long_date(to),
                    long_date(from)
                ),
            );
        }
        invalid.into_result()
    }

    /// Whether a project passes the filter on `today`.
    pub fn matches(&self, project: &Project, today: NaiveDate) -> bool {
        if let Some(text) = self
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            && !project.name.to_lowercase().contains(&text.to_lowercase())
        {
            return false;
        }
        if self
            .outcome
            .as_deref()
            .is_some_and(|o| o != project.outcome.slug())
        {
            return false;
        }
        if self.size.is_some() && self.size != project.size {
            return false;
        }
        if self.beyond_tolerance && project.exceptions(today).is_empty() {
            return false;
        }
        if let Some((from, to)) = self.due
            && !project.dated_items().any(|(_, _, plan)| {
                plan.actual.is_none()
                    && (from..=to).contains(&plan.forecast.unwrap_or(plan.baseline))
            })
        {
            return false;
        }
        true
    }
}

/// One line of a project's schedule as reports print it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct ScheduleLine {
    /// Stage, phase, milestone or review.
    pub kind: TimelineKind,
    /// Its name.
    pub label: String,
    /// Its current date at its precision ("Sep 2011"); `None` when no date is stated.
    pub date: Option<String>,
    /// Where it stands, in words ("Phase 2 likely to slip from Jul to Sep 2011").
    pub words: String,
    /// Whether it breaches the project's tolerance.
    pub exception: bool,
}

impl Project {
    /// The project's stages, phases and milestones as report lines on `today`. A phase with no
    /// date is still listed, with its status ("Phase 1 underway").
    pub fn schedule_lines(&self, today: NaiveDate) -> Vec<ScheduleLine> {
        let tolerance = i64::from(self.tolerance_days);
        let line = |kind, label: &str, target, plan: &DatePlan| ScheduleLine {
            kind,
            label: label.to_owned(),
            date: Some(plan.precision.label(plan.current())),
            words: plan.describe(label, done_verb(target), today),
            exception: plan
                .forecast_slip_days(today)
                .is_some_and(|s| s > tolerance),
        };
        let mut lines =
            Vec::with_capacity(self.stages.len() + self.phases.len() + self.milestones.len());
        for stage in &self.stages {
            lines.push(line(
                TimelineKind::Stage,
                stage.stage.label(),
                Target::Stage { stage: stage.stage },
                &stage.due,
            ));
        }
        for phase in &self.phases {
            match &phase.start {
                Some(plan) => lines.push(line(
                    TimelineKind::Phase,
                    &phase.name,
                    Target::Phase {
                        number: phase.number,
                    },
                    plan,
                )),
                None => lines.push(ScheduleLine {
                    kind: TimelineKind::Phase,
                    label: phase.name.clone(),
                    date: None,
                    words: format!("{} {}", phase.name, phase.status.label()),
                    exception: false,
                }),
            }
        }
        for milestone in &self.milestones {
            let kind = if milestone.kind == MilestoneKind::Review {
                TimelineKind::Review
            } else {
                TimelineKind::Milestone
            };
            lines.push(line(
                kind,
                &milestone.name,
                Target::Milestone {
                    number: milestone.number,
                },
                &milestone.due,
            ));
        }
        lines
    }
}

/// "delivered" for stages and milestones, "started" for phases (a phase's date is its start).
pub fn done_verb(target: Target) -> &'static str {
    match target {
        Target::Phase { .. } => "started",
        Target::Stage { .. } | Target::Milestone { .. } => "delivered",
    }
}

fn normalised(plan: DatePlan) -> DatePlan {
    let p = plan.precision;
    DatePlan {
        baseline: p.normalise(plan.baseline),
        forecast: plan.forecast.map(|d| p.normalise(d)),
        actual: plan.actual.map(|d| p.normalise(d)),
        precision: p,
    }
}

fn add_months(date: NaiveDate, months: u32) -> Result<NaiveDate, Invalid> {
    date.checked_add_months(Months::new(months))
        .ok_or_else(|| Invalid::field("start", "The timetable runs past the calendar's end"))
}

/// What a row of the programme timeline shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimelineKind {
    /// A stage: a bar from its start to its completion.
    Stage,
    /// A phase: a bar from its start to the next phase's start (a point for the last).
    Phase,
    /// A milestone: a point.
    Milestone,
    /// A review date: a point.
    Review,
}

/// One row of the programme timeline (Gantt): what the chart and its text table show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct TimelineRow {
    /// The project.
    pub project: i64,
    /// The project's name.
    pub project_name: String,
    /// The stage, phase or milestone.
    pub label: String,
    /// What kind of row.
    pub kind: TimelineKind,
    /// Baseline start (the same as the end for points).
    pub baseline_start: NaiveDate,
    /// Baseline end.
    pub baseline_end: NaiveDate,
    /// Current start: actual or forecast.
    pub current_start: NaiveDate,
    /// Current end: actual, else forecast, else baseline.
    pub current_end: NaiveDate,
    /// Whether it is done.
    pub done: bool,
    /// The current date in words at its precision ("Sep 2011").
    pub date_label: String,
    /// The baseline in words at its precision ("Jul 2011"): the stage's completion, the
    /// phase's start, the milestone's date.
    pub baseline_label: String,
    /// The slippage in words.
    pub words: String,
    /// Whether it breaches the project's tolerance.
    pub exception: bool,
}

/// The programme timeline: every project's stages, phases and milestones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct Timeline {
    /// The day the timeline is drawn for (the "today" line).
    pub today: NaiveDate,
    /// The earliest date on it.
    pub first: Option<NaiveDate>,
    /// The latest date on it.
    pub last: Option<NaiveDate>,
    /// The rows, project by project.
    pub rows: Vec<TimelineRow>,
}

/// Builds the programme timeline for `today`.
pub fn timeline(projects: &[Project], today: NaiveDate) -> Timeline {
    let mut rows = Vec::with_capacity(
        projects
            .iter()
            .map(|p| p.stages.len() + p.phases.len() + p.milestones.len())
            .sum(),
    );
    for project in projects {
        let tolerance = i64::from(project.tolerance_days);
        let breach = |plan: &DatePlan| {
            plan.forecast_slip_days(today)
                .is_some_and(|s| s > tolerance)
        };
        let row = |label: &str, kind, target, plan: &DatePlan, start: (NaiveDate, NaiveDate)| {
            TimelineRow {
                project: project.id,
                project_name: project.name.clone(),
                label: label.to_owned(),
                kind,
                baseline_start: start.0,
                baseline_end: plan.baseline,
                current_start: start.1,
                current_end: plan.current(),
                done: plan.is_done(),
                date_label: plan.precision.label(plan.current()),
                baseline_label: plan.precision.label(plan.baseline),
                words: plan.describe(label, done_verb(target), today),
                exception: breach(plan),
            }
        };
        let mut previous: Option<(NaiveDate, NaiveDate)> = project.start.map(|s| (s, s));
        for stage in &project.stages {
            let start = previous.unwrap_or((stage.due.baseline, stage.due.current()));
            rows.push(row(
                stage.stage.label(),
                TimelineKind::Stage,
                Target::Stage { stage: stage.stage },
                &stage.due,
                start,
            ));
            previous = Some((stage.due.baseline, stage.due.current()));
        }
        let dated: Vec<&Phase> = project
            .phases
            .iter()
            .filter(|p| p.start.is_some())
            .collect();
        for (i, phase) in dated.iter().enumerate() {
            let Some(plan) = phase.start.as_ref() else {
                continue;
            };
            let mut r = row(
                &phase.name,
                TimelineKind::Phase,
                Target::Phase {
                    number: phase.number,
                },
                plan,
                (plan.baseline, plan.current()),
            );
            // A phase runs until the next one starts.
            if let Some(next) = dated.get(i + 1).and_then(|n| n.start.as_ref()) {
                r.baseline_end = next.baseline.max(plan.baseline);
                r.current_end = next.current().max(plan.current());
            } else {
                r.baseline_end = plan.baseline;
                r.current_end = plan.current();
            }
            rows.push(r);
        }
        for milestone in &project.milestones {
            let kind = if milestone.kind == MilestoneKind::Review {
                TimelineKind::Review
            } else {
                TimelineKind::Milestone
            };
            let d = &milestone.due;
            rows.push(row(
                &milestone.name,
                kind,
                Target::Milestone {
                    number: milestone.number,
                },
                d,
                (d.baseline, d.current()),
            ));
        }
    }
    let first = rows
        .iter()
        .map(|r| r.baseline_start.min(r.current_start))
        .min();
    let last = rows.iter().map(|r| r.baseline_end.max(r.current_end)).max();
    Timeline {
        today,
        first,
        last,
        rows,
    }
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

    const HARINGEY: &str = "E09000014";
    const WALTHAM_FOREST: &str = "E09000031";

    fn partnership() -> Partnership {
        Partnership {
            id: 1,
            name: "Haringey – Waltham Forest".into(),
            summary: String::new(),
            source: None,
            members: [HARINGEY, WALTHAM_FOREST]
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

    fn small(start: NaiveDate) -> Project {
        Project::plan(
            7,
            ProjectInput {
                name: "Legal Services".into(),
                size: ProjectSize::Small,
                start,
                tolerance_days: None,
                template: None,
                opportunity: String::new(),
                opportunity_id: None,
            },
            &partnership(),
        )
        .unwrap()
    }

    fn plan(
        baseline: NaiveDate,
        forecast: Option<NaiveDate>,
        actual: Option<NaiveDate>,
        precision: DatePrecision,
    ) -> DatePlan {
        DatePlan {
            baseline,
            forecast,
            actual,
            precision,
        }
    }

    #[test]
    fn slippage_in_words() {
        use DatePrecision::{Day, EndOfYear, MidYear, Month};
        let today = d(2011, 7, 21);
        let cases = [
            // The seed's own sentence.
            (
                plan(d(2011, 7, 1), Some(d(2011, 9, 1)), None, Month),
                "Phase 2 likely to slip from Jul to Sep 2011",
            ),
            (
                plan(d(2011, 12, 1), Some(d(2012, 2, 1)), None, Month),
                "Phase 2 likely to slip from Dec 2011 to Feb 2012",
            ),
            (
                plan(d(2011, 8, 12), Some(d(2011, 8, 19)), None, Day),
                "Phase 2 likely to slip from 12 to 19 Aug 2011",
            ),
            (
                plan(d(2011, 8, 29), Some(d(2011, 9, 5)), None, Day),
                "Phase 2 likely to slip from Aug to Sep 2011",
            ),
            (
                plan(d(2012, 7, 1), Some(d(2013, 7, 1)), None, MidYear),
                "Phase 2 likely to slip from mid 2012 to mid 2013",
            ),
            (
                plan(d(2011, 9, 1), Some(d(2011, 7, 1)), None, Month),
                "Phase 2 likely to be early: Jul 2011 rather than Sep 2011",
            ),
            (
                plan(d(2012, 7, 1), None, None, MidYear),
                "Phase 2 on track for mid 2012",
            ),
            (
                plan(d(2011, 12, 1), None, None, EndOfYear),
                "Phase 2 on track for end of 2011",
            ),
            (
                plan(d(2011, 9, 30), Some(d(2011, 9, 30)), None, Day),
                "Phase 2 on track for 30 Sep 2011",
            ),
            // Within the same month a month-precision forecast is still on track.
            (
                plan(d(2011, 7, 1), Some(d(2011, 7, 1)), None, Month),
                "Phase 2 on track for Jul 2011",
            ),
            (
                plan(d(2011, 6, 1), None, None, Month),
                "Phase 2 overdue: due Jun 2011",
            ),
            (
                plan(d(2011, 6, 1), Some(d(2011, 7, 10)), None, Day),
                "Phase 2 overdue: due 10 Jul 2011 (baseline 1 Jun 2011)",
            ),
            (
                plan(d(2011, 6, 1), None, Some(d(2011, 6, 1)), Month),
                "Phase 2 delivered on time",
            ),
            (
                plan(d(2011, 6, 1), None, Some(d(2011, 6, 3)), Day),
                "Phase 2 delivered 2 days late",
            ),
            (
                plan(d(2011, 6, 1), None, Some(d(2011, 6, 2)), Day),
                "Phase 2 delivered 1 day late",
            ),
            (
                plan(d(2011, 6, 1), None, Some(d(2011, 6, 15)), Day),
                "Phase 2 delivered 2 weeks late",
            ),
            (
                plan(d(2011, 6, 1), None, Some(d(2011, 7, 20)), Day),
                "Phase 2 delivered 7 weeks late",
            ),
            (
                plan(d(2011, 6, 1), None, Some(d(2011, 7, 27)), Day),
                "Phase 2 delivered 2 months late",
            ),
            (
                plan(d(2011, 6, 1), None, Some(d(2011, 5, 29)), Day),
                "Phase 2 delivered 3 days early",
            ),
            (
                plan(d(2011, 6, 1), None, Some(d(2011, 9, 1)), Month),
                "Phase 2 delivered 3 months late",
            ),
            (
                plan(d(2011, 6, 1), None, Some(d(2011, 5, 1)), Month),
                "Phase 2 delivered 1 month early",
            ),
        ];
        for (plan, expected) in cases {
            assert_eq!(
                plan.describe("Phase 2", "delivered", today),
                expected,
                "{plan:?}"
            );
        }
    }

    #[test]
    fn tolerance_turns_a_forecast_breach_into_an_exception() {
        let start = d(2011, 7, 1);
        let today = d(2011, 7, 21);
        // Tolerance 28 days; the assess stage is due 1 Aug 2011.
        let cases: [(Option<NaiveDate>, Option<NaiveDate>, NaiveDate, bool); 7] = [
            (None, None, today, false),
            (Some(d(2011, 8, 29)), None, today, false), // 28 days: at tolerance
            (Some(d(2011, 8, 30)), None, today, true),  // 29 days: beyond
            (Some(d(2011, 7, 25)), None, today, false), // early
            (Some(d(2011, 9, 30)), Some(d(2011, 9, 30)), today, false), // done: history, not an exception
            (None, None, d(2011, 8, 29), false),                        // overdue by 28 days
            (None, None, d(2011, 8, 30), true), // overdue by 29 days: breach without a forecast
        ];
        for (forecast, actual, today, breach) in cases {
            let mut p = small(start);
            p.stages[0].due.forecast = forecast;
            p.stages[0].due.actual = actual;
            let exceptions = p.exceptions(today);
            let assess: Vec<_> = exceptions
                .iter()
                .filter(|e| e.item == Stage::AssessValue.label())
                .collect();
            assert_eq!(
                assess.len(),
                usize::from(breach),
                "{forecast:?} {actual:?} {today}"
            );
            if let Some(e) = assess.first() {
                assert_eq!(e.escalate_to, BoardLevel::Programme);
                let notice = e.notice(today);
                assert_eq!(notice.to, BoardLevel::Programme);
                assert!(notice.title.contains("Legal Services"), "{}", notice.title);
            }
        }
    }

    #[test]
    fn a_project_keeps_the_opportunity_it_delivers() {
        let input: ProjectInput = serde_json::from_value(serde_json::json!({
            "name": "Legal Services",
            "size": "small",
            "start": "2011-09-01",
            "opportunity_id": 42
        }))
        .unwrap();
        let project = Project::plan(7, input, &partnership()).unwrap();
        assert_eq!(project.opportunity_id, Some(42));
        // Stored projects from before the link existed still load.
        let mut json = serde_json::to_value(&project).unwrap();
        json.as_object_mut().unwrap().remove("opportunity_id");
        let loaded: Project = serde_json::from_value(json).unwrap();
        assert_eq!(loaded.opportunity_id, None);
    }

    #[test]
    fn templates_generate_indicative_dates() {
        let start = d(2011, 7, 1);
        let cases = [
            (
                ProjectSize::Small,
                [d(2011, 8, 1), d(2011, 10, 1), d(2011, 12, 1), d(2012, 4, 1)],
                d(2012, 10, 1),
            ),
            (
                ProjectSize::Large,
                [d(2011, 9, 1), d(2012, 1, 1), d(2012, 5, 1), d(2013, 1, 1)],
                d(2013, 7, 1),
            ),
        ];
        for (size, ends, review) in cases {
            let mut input = ProjectInput {
                name: "Revenues and Benefits".into(),
                size,
                start,
                tolerance_days: Some(14),
                template: None,
                opportunity: String::new(),
                opportunity_id: None,
            };
            input.size = size;
            let p = Project::plan(1, input, &partnership()).unwrap();
            let got: Vec<_> = p.stages.iter().map(|s| s.due.baseline).collect();
            assert_eq!(got, ends, "{size:?}");
            assert_eq!(p.milestones[0].due.baseline, review);
            assert_eq!(p.milestones[0].kind, MilestoneKind::Review);
            assert_eq!(p.tolerance_days, 14);
            // The gate sits at the end of "define overall strategy and plan", for both councils.
            let gated: Vec<_> = p
                .stages
                .iter()
                .filter(|s| s.gate.is_some())
                .map(|s| s.stage)
                .collect();
            assert_eq!(gated, vec![Stage::DefineStrategy]);
            assert_eq!(p.stages[1].gate.as_ref().unwrap().approvals.len(), 2);
            // Standard activities and every engagement track are there.
            assert!(
                p.stages[0]
                    .activities
                    .iter()
                    .any(|a| a.name == "Baseline 'as is' analysis")
            );
            assert!(
                p.stages[3]
                    .activities
                    .iter()
                    .any(|a| a.name == "Benefit realisation review")
            );
            for track in EngagementTrack::ALL {
                for stage in &p.stages {
                    assert!(
                        stage.activities.iter().any(|a| a.track == Some(track)),
                        "{track:?} in {:?}",
                        stage.stage
                    );
                }
            }
        }
        // Small: about three months to assess and define, then 4–9 months to design and build.
        let s = Template::SMALL.stage_months;
        assert_eq!(s[0] + s[1], 3);
        assert!((4..=9).contains(&(s[2] + s[3])));
    }

    #[test]
    fn forecasts_before_the_start_are_refused() {
        let mut p = small(d(2011, 7, 1));
        let before = p.clone();
        let err = p
            .set_forecast(
                Target::Stage {
                    stage: Stage::AssessValue,
                },
                Some(d(2011, 6, 30)),
            )
            .unwrap_err();
        assert_eq!(err.errors[0].field, "forecast");
        assert!(
            err.errors[0].message.contains("before the project starts"),
            "{err}"
        );
        assert_eq!(p, before);
        let err = p
            .add_milestone(MilestoneInput {
                name: "Early".into(),
                kind: MilestoneKind::Delivery,
                stage: None,
                phase: None,
                due: DatePlan {
                    baseline: d(2011, 8, 1),
                    forecast: Some(d(2011, 5, 1)),
                    actual: None,
                    precision: DatePrecision::Day,
                },
                note: None,
            })
            .unwrap_err();
        assert_eq!(err.errors[0].field, "due.forecast");
        assert_eq!(p, before);
        p.set_forecast(
            Target::Stage {
                stage: Stage::AssessValue,
            },
            Some(d(2011, 8, 15)),
        )
        .unwrap();
        assert_eq!(p.stages[0].due.forecast, Some(d(2011, 8, 15)));
        let err = p
            .set_forecast(Target::Milestone { number: 9 }, Some(d(2011, 8, 15)))
            .unwrap_err();
        assert_eq!(err.errors[0].field, "milestone");
    }

    #[test]
    fn the_cabinet_gate_holds_a_stage_until_every_council_approves() {
        let mut p = small(d(2011, 7, 1));
        let define = Stage::DefineStrategy;
        // Stages complete in order.
        let err = p.complete_stage(define, d(2011, 10, 1)).unwrap_err();
        assert_eq!(err.errors[0].field, "stage");
        p.complete_stage(Stage::AssessValue, d(2011, 8, 1)).unwrap();

        type Case<'a> = (&'a [(&'a str, NaiveDate)], NaiveDate, Result<(), &'a str>);
        let cases: [Case; 4] = [
            (&[], d(2011, 10, 1), Err("stage")),
            (&[(HARINGEY, d(2011, 9, 20))], d(2011, 10, 1), Err("stage")),
            (
                &[(HARINGEY, d(2011, 9, 20)), (WALTHAM_FOREST, d(2011, 10, 4))],
                d(2011, 10, 1),
                Err("actual"),
            ),
            (
                &[(HARINGEY, d(2011, 9, 20)), (WALTHAM_FOREST, d(2011, 9, 27))],
                d(2011, 10, 1),
                Ok(()),
            ),
        ];
        for (approvals, on, expected) in cases {
            let mut q = p.clone();
            for (council, date) in approvals {
                q.record_cabinet_approval(define, &gss(council), *date)
                    .unwrap();
            }
            let before = q.clone();
            let got = q.complete_stage(define, on);
            match expected {
                Ok(()) => {
                    got.unwrap();
                    assert_eq!(q.stages[1].due.actual, Some(on));
                }
                Err(field) => {
                    let err = got.unwrap_err();
                    assert_eq!(err.errors[0].field, field, "{approvals:?}: {err}");
                    assert_eq!(q, before, "a refusal changes nothing");
                }
            }
        }
        // The message names the councils still outstanding.
        let err = p.complete_stage(define, d(2011, 10, 1)).unwrap_err();
        assert!(
            err.errors[0].message.contains(HARINGEY)
                && err.errors[0].message.contains(WALTHAM_FOREST)
        );
        // A council outside the partnership is refused.
        let before = p.clone();
        let err = p
            .record_cabinet_approval(define, &gss("E09000002"), d(2011, 9, 20))
            .unwrap_err();
        assert_eq!(err.errors[0].field, "council");
        assert_eq!(p, before);
        // A stage without a gate has no approvals to record.
        let err = p
            .record_cabinet_approval(Stage::CreateDesign, &gss(HARINGEY), d(2011, 9, 20))
            .unwrap_err();
        assert_eq!(err.errors[0].field, "stage");
    }

    #[test]
    fn phases_carry_their_own_dates_and_feed_the_timeline() {
        let mut p = small(d(2011, 4, 1));
        p.add_phase(PhaseInput {
            name: "Phase 1".into(),
            description: "Closer joint working".into(),
            status: PhaseStatus::Underway,
            start: None,
            note: None,
        })
        .unwrap();
        let two = p
            .add_phase(PhaseInput {
                name: "Phase 2".into(),
                description: "Shared service with a joint head".into(),
                status: PhaseStatus::Planned,
                start: DatePlan::month(2011, 7),
                note: None,
            })
            .unwrap();
        p.add_phase(PhaseInput {
            name: "Phase 3".into(),
            description: "Social enterprise".into(),
            status: PhaseStatus::Planned,
            start: Some(DatePlan {
                baseline: d(2012, 7, 1),
                forecast: None,
                actual: None,
                precision: DatePrecision::MidYear,
            }),
            note: None,
        })
        .unwrap();
        p.set_forecast(Target::Phase { number: two }, Some(d(2011, 9, 14)))
            .unwrap();
        assert_eq!(
            p.phases[1].start.unwrap().forecast,
            Some(d(2011, 9, 1)),
            "kept to the month"
        );
        let t = timeline(std::slice::from_ref(&p), d(2011, 7, 21));
        let phase_rows: Vec<_> = t
            .rows
            .iter()
            .filter(|r| r.kind == TimelineKind::Phase)
            .collect();
        assert_eq!(phase_rows.len(), 2, "phase 1 has no date");
        assert_eq!(
            phase_rows[0].words,
            "Phase 2 likely to slip from Jul to Sep 2011"
        );
        assert_eq!(
            phase_rows[0].current_end,
            d(2012, 7, 1),
            "runs to the next phase"
        );
        assert!(phase_rows[0].exception, "62 days is beyond four weeks");
        // A phase's bar runs to the next phase, but its baseline is its own start.
        assert_eq!(
            (
                phase_rows[0].baseline_label.as_str(),
                phase_rows[0].date_label.as_str()
            ),
            ("Jul 2011", "Sep 2011")
        );
        assert_eq!(
            t.rows
                .iter()
                .filter(|r| r.kind == TimelineKind::Stage)
                .count(),
            4
        );
        assert_eq!(t.first, Some(d(2011, 4, 1)));
        // Starting a phase marks it under way.
        p.record_actual(Target::Phase { number: two }, d(2011, 9, 5))
            .unwrap();
        assert_eq!(p.phases[1].status, PhaseStatus::Underway);
        assert_eq!(
            p.phases[1]
                .start
                .unwrap()
                .describe("Phase 2", "started", d(2011, 9, 21)),
            "Phase 2 started 2 months late"
        );
    }

    #[test]
    fn bad_project_input_names_the_fields() {
        let input = ProjectInput {
            name: " ".into(),
            size: ProjectSize::Small,
            start: d(2011, 7, 1),
            tolerance_days: Some(400),
            template: Some(Template {
                stage_months: [0, 2, 2, 40],
                review_after_months: 6,
            }),
            opportunity: String::new(),
            opportunity_id: None,
        };
        let err = Project::plan(1, input, &partnership()).unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "name",
                "template.stage_months[0]",
                "template.stage_months[3]",
                "tolerance_days"
            ]
        );
        assert!(
            serde_json::from_str::<ProjectInput>(
                r#"{"name":"x","size":"small","start":"2011-07-01","budget":3}"#
            )
            .is_err()
        );
    }

    fn precision(i: u8) -> DatePrecision {
        [
            DatePrecision::Day,
            DatePrecision::Month,
            DatePrecision::EarlyMonth,
            DatePrecision::EndOfMonth,
            DatePrecision::MidYear,
            DatePrecision::EndOfYear,
        ][usize::from(i % 6)]
    }

    proptest::proptest! {
        #[test]
        fn slippage_words_agree_with_the_dates(
            base in 0i64..4000, f in proptest::option::of(-400i64..400), a in proptest::option::of(-400i64..400),
            t in 0i64..5000, p in 0u8..6,
        ) {
            let day = |n: i64| d(2010, 1, 1) + chrono::Duration::days(n);
            let precision = precision(p);
            let plan = normalised(DatePlan {
                baseline: day(base),
                forecast: f.map(|f| day(base + f)),
                actual: a.map(|a| day(base + a)),
                precision,
            });
            let today = day(t);
            let words = plan.describe("Item", "delivered", today);
            proptest::prop_assert!(words.starts_with("Item "));
            let end = |x| precision.period_end(x);
            match plan.slippage(today) {
                Slippage::DoneOnTime { .. } => proptest::prop_assert_eq!(end(plan.actual.unwrap()), end(plan.baseline)),
                Slippage::DoneLate { .. } => proptest::prop_assert!(words.ends_with(" late")),
                Slippage::DoneEarly { .. } => proptest::prop_assert!(words.ends_with(" early")),
                Slippage::Slipping { from, to, .. } => {
                    proptest::prop_assert!(end(to) > end(from));
                    proptest::prop_assert!(words.contains("likely to slip"));
                }
                Slippage::Early { from, to, .. } => proptest::prop_assert!(end(to) < end(from)),
                Slippage::OnTrack { due } => proptest::prop_assert!(today <= end(due)),
                Slippage::Overdue { due, .. } => proptest::prop_assert!(today > end(due)),
            }
            // Tolerance: an item not done breaches only when its expected date is beyond it.
            if let Some(slip) = plan.forecast_slip_days(today) {
                proptest::prop_assert!(plan.actual.is_none());
                proptest::prop_assert!(slip >= (plan.forecast.unwrap_or(plan.baseline) - plan.baseline).num_days());
            }
        }
    }

    #[test]
    fn references_name_projects_by_number() {
        assert_eq!(reference(7), "P-7");
        for (text, number) in [
            ("P-7", Some(7)),
            ("p-7", Some(7)),
            ("P7", Some(7)),
            (" P-007 ", Some(7)),
            ("P-0", None),
            ("P-", None),
            ("P--7", None),
            ("R7", None),
            ("7", None),
            ("P-7a", None),
            ("P-99999999999", None),
        ] {
            assert_eq!(parse_reference(text), number, "{text}");
        }
        for n in [1, 2, 10, 4_000_000] {
            assert_eq!(parse_reference(&reference(n)), Some(n));
        }
    }

    #[test]
    fn an_edit_names_each_bad_field_and_changes_nothing() {
        let mut p = small(d(2011, 7, 1));
        let before = p.clone();
        let err = p
            .edit(ProjectDetails {
                name: " ".into(),
                tolerance_days: Some(400),
                outcome: Outcome::ReEvaluate { when: " ".into() },
                non_cashable_benefits: vec!["Resilience".into(), "".into()],
                ..before.details()
            })
            .unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "tolerance_days",
                "re_evaluate_when",
                "non_cashable_benefits[1]"
            ]
        );
        assert_eq!(p, before);
        p.edit(ProjectDetails {
            name: " Legal and Democratic Services ".into(),
            tolerance_days: None,
            cashable_savings: CashableSavings::Tba,
            ..before.details()
        })
        .unwrap();
        assert_eq!(p.name, "Legal and Democratic Services");
        assert_eq!(p.tolerance_days, DEFAULT_TOLERANCE_DAYS);
        assert_eq!(p.cashable_savings, CashableSavings::Tba);
        assert_eq!(p.stages, before.stages, "the plan is untouched");
    }

    #[test]
    fn each_exception_escalates_once() {
        let mut p = small(d(2011, 7, 1));
        p.stages[0].due.forecast = Some(d(2011, 10, 1));
        p.milestones[0].name = Stage::AssessValue.label().to_owned();
        p.milestones[0].due.forecast = Some(d(2013, 10, 1));
        let today = d(2011, 7, 21);
        assert_eq!(p.exceptions(today).len(), 2);
        let new = p.new_escalations(&[], today);
        assert_eq!(new.len(), 1, "two items of one name escalate once");
        assert!(
            p.new_escalations(&[Stage::AssessValue.label().to_owned()], today)
                .is_empty()
        );
    }

    #[test]
    fn filters_check_their_fields() {
        let bad = ProjectFilter {
            text: Some("x".repeat(201)),
            outcome: Some("finished".into()),
            due: Some((d(2011, 8, 1), d(2011, 7, 1))),
            ..ProjectFilter::default()
        };
        let err = bad.prepare().unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["text", "outcome", "due_to"]);
        let p = small(d(2011, 7, 1));
        let today = d(2011, 7, 21);
        let cases = [
            (ProjectFilter::default(), true),
            (
                ProjectFilter {
                    text: Some("legal".into()),
                    ..ProjectFilter::default()
                },
                true,
            ),
            (
                ProjectFilter {
                    text: Some("audit".into()),
                    ..ProjectFilter::default()
                },
                false,
            ),
            (
                ProjectFilter {
                    outcome: Some("business-case-in-development".into()),
                    size: Some(ProjectSize::Small),
                    ..ProjectFilter::default()
                },
                true,
            ),
            (
                ProjectFilter {
                    beyond_tolerance: true,
                    ..ProjectFilter::default()
                },
                false,
            ),
            (
                ProjectFilter {
                    due: Some((d(2011, 8, 1), d(2011, 8, 31))),
                    ..ProjectFilter::default()
                },
                true,
            ),
            (
                ProjectFilter {
                    due: Some((d(2011, 9, 1), d(2011, 9, 30))),
                    ..ProjectFilter::default()
                },
                false,
            ),
        ];
        for (filter, expected) in cases {
            assert_eq!(filter.matches(&p, today), expected, "{filter:?}");
        }
    }

    #[test]
    fn savings_and_outcomes_in_words() {
        let cases = [
            (
                CashableSavings::Amount {
                    amount: Money::from_pounds(100_000),
                },
                "£100,000",
            ),
            (CashableSavings::Tba, "TBA"),
            (CashableSavings::NotStated, "not stated"),
        ];
        for (savings, label) in cases {
            assert_eq!(savings.label(), label);
        }
        assert_eq!(
            Outcome::ReEvaluate {
                when: "at the end of the calendar year".into()
            }
            .label(),
            "Re-evaluate at the end of the calendar year"
        );
    }
}
