//! The programme progress report (the "shared services project summary update" of the
//! Haringey report's Appendix B), built from the projects: per project, the scope of the
//! opportunity, the implementation activity with phases, dates and slippage in words,
//! potential cashable savings (or "TBA", or "not stated"), non-cashable benefits and outcome.
//!
//! [`demo_haringey_waltham_forest`] gives the fourteen Appendix B projects as Accord demo data,
//! each citing the seed; where the seed gives no date or figure — or its text is illegible —
//! the value is `None` or "not stated", never invented.

use crate::highlight_report::Snapshot;
use crate::project::{
    CashableSavings, DatePlan, DatePrecision, Milestone, MilestoneKind, Outcome, Phase,
    PhaseStatus, Project, ProjectSize, ScheduleLine,
};
use crate::seed::Seed;
use crate::{GssCode, Invalid, Money};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One project's entry in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ProgressEntry {
    /// Its position in the report, from 1.
    pub number: usize,
    /// The project's identity.
    pub project: i64,
    /// The project's name.
    pub name: String,
    /// The scope of the opportunity.
    pub opportunity: String,
    /// The implementation activity.
    pub implementation: String,
    /// Phases, stages and milestones with their dates and slippage in words.
    pub schedule: Vec<ScheduleLine>,
    /// Potential cashable savings.
    pub cashable_savings: CashableSavings,
    /// The same for print: "£100,000", "TBA", "not stated".
    pub cashable_savings_label: String,
    /// Anticipated non-cashable benefits.
    pub non_cashable_benefits: Vec<String>,
    /// Where the opportunity has got to.
    pub outcome: Outcome,
    /// The same in words.
    pub outcome_label: String,
    /// How many of its dates breach the project's tolerance.
    pub exceptions: usize,
    /// Where the record comes from, if it is demo or imported data.
    pub source: Option<String>,
}

/// The report's totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ProgressTotals {
    /// The sum of the stated cashable savings.
    pub stated_savings: Money,
    /// Projects with a stated amount.
    pub with_amount: usize,
    /// Projects whose savings are "TBA".
    pub tba: usize,
    /// Projects whose savings are not stated.
    pub not_stated: usize,
    /// Dates breaching tolerance, across all projects.
    pub exceptions: usize,
}

/// The programme progress report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ProgressReport {
    /// Its title.
    pub title: String,
    /// The date it reports as at: slippage is judged on this day.
    pub as_at: NaiveDate,
    /// One entry per project, in the order given.
    pub entries: Vec<ProgressEntry>,
    /// Totals.
    pub totals: ProgressTotals,
}

/// The report's title, as the Haringey report's Appendix B names it.
pub const TITLE: &str = "Shared services project summary update";

/// Builds the report from projects, in the order given, as at a date.
pub fn build(title: &str, projects: &[Project], as_at: NaiveDate) -> ProgressReport {
    let mut totals = ProgressTotals {
        stated_savings: Money::ZERO,
        with_amount: 0,
        tba: 0,
        not_stated: 0,
        exceptions: 0,
    };
    let entries = projects
        .iter()
        .enumerate()
        .map(|(i, project)| {
            let schedule = project.schedule_lines(as_at);
            let exceptions = schedule.iter().filter(|l| l.exception).count();
            totals.exceptions += exceptions;
            match project.cashable_savings {
                CashableSavings::Amount { amount } => {
                    totals.with_amount += 1;
                    // Saturate rather than overflow: no real programme comes near i64 pence.
                    totals.stated_savings = totals
                        .stated_savings
                        .checked_add(amount)
                        .unwrap_or(Money::from_pence(i64::MAX));
                }
                CashableSavings::Tba => totals.tba += 1,
                CashableSavings::NotStated => totals.not_stated += 1,
            }
            ProgressEntry {
                number: i + 1,
                project: project.id,
                name: project.name.clone(),
                opportunity: project.opportunity.clone(),
                implementation: project.implementation.clone(),
                schedule,
                cashable_savings: project.cashable_savings,
                cashable_savings_label: project.cashable_savings.label(),
                non_cashable_benefits: project.non_cashable_benefits.clone(),
                outcome: project.outcome.clone(),
                outcome_label: project.outcome.label(),
                exceptions,
                source: project.source.clone(),
            }
        })
        .collect();
    ProgressReport {
        title: title.to_owned(),
        as_at,
        entries,
        totals,
    }
}

/// Publishes a report as an immutable snapshot (see [`Snapshot`]): pages of a published
/// report show only this frozen content.
pub fn publish(
    report: ProgressReport,
    version: u32,
    on: NaiveDate,
) -> Result<Snapshot<ProgressReport>, Invalid> {
    if version == 0 {
        return Err(Invalid::field("version", "Versions are numbered from 1"));
    }
    if on < report.as_at {
        return Err(Invalid::field(
            "published_on",
            "A report cannot be published before the date it reports as at",
        ));
    }
    Snapshot::freeze(version, on, report)
}

/// A published version's title in lists and the audit trail: "Shared services project summary
/// update (version 2, published 21 August 2011)".
pub fn version_title(snapshot: &Snapshot<ProgressReport>) -> String {
    format!(
        "{} (version {}, published {})",
        snapshot.content().title,
        snapshot.version(),
        crate::mou::long_date(snapshot.published_on())
    )
}

/// The date of the Haringey Corporate Committee report that holds Appendix B.
pub fn demo_as_at() -> NaiveDate {
    NaiveDate::from_ymd_opt(2011, 7, 21).unwrap_or_default()
}

/// The demo report: the fourteen Appendix B projects as at 21 July 2011.
pub fn demo_report() -> ProgressReport {
    build(
        "Shared services project summary update (demo data from seed 003)",
        &demo_haringey_waltham_forest(),
        demo_as_at(),
    )
}

fn month(year: i32, month: u32, precision: DatePrecision) -> DatePlan {
    let baseline = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
    DatePlan {
        baseline: precision.normalise(baseline),
        forecast: None,
        actual: None,
        precision,
    }
}

fn phase(
    number: u32,
    name: &str,
    description: &str,
    status: PhaseStatus,
    start: Option<DatePlan>,
) -> Phase {
    Phase {
        number,
        name: name.to_owned(),
        description: description.to_owned(),
        status,
        start,
        note: None,
    }
}

fn milestone(
    number: u32,
    name: &str,
    kind: MilestoneKind,
    due: DatePlan,
    phase: Option<u32>,
) -> Milestone {
    Milestone {
        number,
        name: name.to_owned(),
        kind,
        stage: None,
        phase,
        due,
        note: None,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The fourteen projects of Appendix B of the Haringey Corporate Committee report of 21 July
/// 2011 (seed 003), for the Haringey (E09000014) – Waltham Forest (E09000031) partnership.
///
/// Text is summarised from the seed, never copied at length. Savings are as the seed states
/// them: £100,000 economic development, £100,000 HR shared service centre, £150,000 OD and
/// learning, £75,000 planning and building control back office, "TBA" where it says TBA, and
/// "not stated" where the column is empty or illegible in the seed's text (regulatory
/// services, building cleaning, school meals, legal and electoral services). Sizes come from
/// Schedule 2's wave 1 lists where the project is named there; otherwise `None`. No project
/// has a start date or a stage plan: the seed states neither. Ids are 1 to 14, as numbered in
/// the appendix.
pub fn demo_haringey_waltham_forest() -> Vec<Project> {
    let councils: Vec<GssCode> = ["E09000014", "E09000031"]
        .iter()
        .filter_map(|c| GssCode::parse("council", c).ok())
        .collect();
    let source = |n: u32| {
        Some(Seed::HaringeyCorporateCommitteeReport.at(&format!("Appendix B, project {n}")))
    };
    let base = |id: i64, name: &str, size: Option<ProjectSize>| Project {
        id,
        name: name.to_owned(),
        size,
        councils: councils.clone(),
        start: None,
        tolerance_days: crate::project::DEFAULT_TOLERANCE_DAYS,
        stages: Vec::new(),
        phases: Vec::new(),
        milestones: Vec::new(),
        opportunity: String::new(),
        opportunity_id: None,
        implementation: String::new(),
        cashable_savings: CashableSavings::NotStated,
        non_cashable_benefits: Vec::new(),
        outcome: Outcome::NotStated,
        source: source(u32::try_from(id).unwrap_or_default()),
    };
    let pounds = |p: i64| CashableSavings::Amount {
        amount: Money::from_pounds(p),
    };
    use DatePrecision::{EarlyMonth, EndOfMonth, EndOfYear, MidYear, Month};
    use MilestoneKind::{Decision, Delivery, Review};
    use PhaseStatus::{Planned, Underway};

    let mut economic = base(1, "Economic Development", None);
    economic.opportunity = "Both boroughs planned restructurings to cut costs; joining the services instead gives more resilience and better use of the resources left across both.".into();
    economic.implementation = "Being implemented in three phases. Phase 2 is likely to slip because a further report on potential staffing issues must go to Haringey's Corporate Committee.".into();
    let mut phase2 = month(2011, 7, Month);
    phase2.forecast = Some(month(2011, 9, Month).baseline);
    economic.phases = vec![
        phase(
            1,
            "Phase 1",
            "Closer joint working across the two boroughs to develop the business case for a shared service",
            Underway,
            None,
        ),
        Phase {
            note: Some(
                "Further report to Haringey's Corporate Committee on potential staffing issues"
                    .into(),
            ),
            ..phase(
                2,
                "Phase 2",
                "Shared service with a joint head overseeing commissioning, with a commissioning lead in each borough",
                Planned,
                Some(phase2),
            )
        },
        phase(
            3,
            "Phase 3",
            "Single strategic service outsourced into a social enterprise",
            Planned,
            Some(month(2012, 7, MidYear)),
        ),
    ];
    economic.cashable_savings = pounds(100_000);
    economic.non_cashable_benefits = strings(&[
        "Adding value to the service",
        "Providing continuity and resilience",
    ]);
    economic.outcome = Outcome::BeingImplemented;

    let mut hr = base(
        2,
        "Human Resources Shared Services Centre",
        Some(ProjectSize::Small),
    );
    hr.opportunity = "HR officers in both boroughs were already looking at sharing services for efficiency and resilience; the MOU gave the work a structure and momentum.".into();
    hr.implementation = "Being implemented in three work streams.".into();
    hr.phases = vec![
        phase(
            1,
            "Work stream 1",
            "Shared delivery model for payroll control, recruitment administration and HR metrics",
            Underway,
            None,
        ),
        phase(
            2,
            "Work stream 2",
            "Develop and implement a shared HR advisory service",
            Underway,
            None,
        ),
        phase(
            3,
            "Work stream 3",
            "Develop and implement shared payroll administration and employee records",
            Underway,
            None,
        ),
    ];
    hr.milestones = vec![
        milestone(
            1,
            "Payroll control live",
            Delivery,
            month(2011, 6, Month),
            Some(1),
        ),
        milestone(
            2,
            "Recruitment administration live",
            Delivery,
            month(2011, 9, Month),
            Some(1),
        ),
        milestone(
            3,
            "Single specification (blueprint) for the joint HR shared service",
            Decision,
            month(2011, 9, Month),
            None,
        ),
        milestone(
            4,
            "Final business case for the joint HR shared service",
            Decision,
            month(2011, 9, Month),
            None,
        ),
    ];
    hr.cashable_savings = pounds(100_000);
    hr.non_cashable_benefits = strings(&[
        "More responsive to customer needs",
        "More efficient, higher service quality through simplified, standardised processes",
    ]);
    hr.outcome = Outcome::BeingImplemented;

    let mut od = base(3, "OD & Learning", Some(ProjectSize::Small));
    od.opportunity = "Management vacancies at Waltham Forest and Haringey's halved resources led to sharing the management of the service at once, planning for a full shared service later.".into();
    od.implementation =
        "Joint interim management arrangements were agreed and introduced in June 2011.".into();
    od.phases = vec![
        phase(
            1,
            "Commissioning",
            "Commissioning of council-wide management and skills development, e-learning and adults' OD and learning",
            Underway,
            None,
        ),
        phase(
            2,
            "Framework agreements",
            "Making the most of current and future framework agreements for OD and learning",
            Underway,
            None,
        ),
        phase(
            3,
            "Management roles framework",
            "Developing a management roles framework, tools and competencies",
            Underway,
            None,
        ),
    ];
    let mut interim = month(2011, 6, Month);
    interim.actual = Some(interim.baseline);
    od.milestones = vec![milestone(
        1,
        "Joint interim management arrangements",
        Delivery,
        interim,
        None,
    )];
    od.cashable_savings = pounds(150_000);
    od.non_cashable_benefits = strings(&[
        "Ability to offer otherwise unsustainable services",
        "Co-ordinated management activity across the two boroughs",
    ]);
    od.outcome = Outcome::BeingImplemented;

    let mut regulatory = base(4, "Regulatory Services (including Trading Standards)", None);
    regulatory.opportunity = "An outline business case for a multi-borough trading standards consortium through East London Solutions stalled when Redbridge withdrew; a business case for regulatory services, now including trading standards, is being developed.".into();
    regulatory.implementation =
        "A decision on what a shared service could cover, then a proposed way forward.".into();
    regulatory.milestones = vec![
        milestone(
            1,
            "Decision on the scope of a shared service",
            Decision,
            month(2011, 7, EndOfMonth),
            None,
        ),
        milestone(
            2,
            "Proposed way forward agreed",
            Decision,
            month(2011, 8, EarlyMonth),
            None,
        ),
    ];
    regulatory.non_cashable_benefits = strings(&[
        "Providing continuity and resilience of services",
        "Securing cost savings and sustainable efficiencies",
    ]);
    regulatory.outcome = Outcome::BusinessCaseInDevelopment;

    let mut cleaning = base(5, "Building Cleaning", None);
    cleaning.opportunity = "Haringey planned to cut the cost of building cleaning by market testing; Waltham Forest faces similar pressures.".into();
    cleaning.implementation = "A preliminary review found no substantial case for an integrated shared service. Haringey market-tests before a formal procurement to outsource cleaning, supported by Waltham Forest, which is named as a possible future partner.".into();
    cleaning.milestones = vec![milestone(
        1,
        "Haringey begins market testing",
        Delivery,
        month(2011, 7, Month),
        None,
    )];
    cleaning.non_cashable_benefits = strings(&["Gaining competitive advantage"]);
    cleaning.outcome = Outcome::NotPursuedMarketTesting;

    let mut audit = base(6, "Audit and Insurance Services", Some(ProjectSize::Small));
    audit.opportunity = "Both boroughs have reduced their audit establishments; sharing could make further savings in both.".into();
    audit.implementation = "It is uncertain whether there is a substantial case for a fully integrated service now. Integration or collaboration will be considered in risk management and insurance, major counter-fraud initiatives and automatic systems audit, with joint audit programmes and fuller integration possible later.".into();
    audit.cashable_savings = CashableSavings::Tba;
    audit.non_cashable_benefits = strings(&[
        "Raising quality and adding value to existing services",
        "A co-ordinated approach to major fraud initiatives, such as joint work on tenancy fraud",
    ]);
    audit.outcome = Outcome::UnderEvaluation;

    let mut contact = base(7, "Contact Centre", Some(ProjectSize::Large));
    contact.opportunity = "Both boroughs run call centres; sharing the service was identified as a future opportunity.".into();
    contact.implementation = "A single contact centre as a stand-alone operation is being explored, with market testing of longer-term third-party options in parallel. A pre-business case (IT infrastructure, accommodation, costs, investment) is being prepared.".into();
    contact.milestones = vec![milestone(
        1,
        "Pre-business case produced",
        Decision,
        month(2011, 9, EndOfMonth),
        None,
    )];
    contact.cashable_savings = CashableSavings::Tba;
    contact.non_cashable_benefits = strings(&[
        "Leveraging transformation",
        "Raising quality and adding value to existing services",
        "Securing cost savings",
        "Releasing staff time for more customer-facing activities",
    ]);
    contact.outcome = Outcome::BusinessCaseInDevelopment;

    let mut planning = base(8, "Planning & Building Control Back Office Services", None);
    planning.opportunity = "Both boroughs run separate building control functions and back offices; bringing them together offers savings.".into();
    planning.implementation = "A joint review agreed to pursue a shared service covering back-office management and building control, with a draft business case to follow. Land charges and professional planning may be considered in due course.".into();
    planning.milestones = vec![milestone(
        1,
        "Draft business case",
        Decision,
        month(2011, 8, Month),
        None,
    )];
    planning.cashable_savings = pounds(75_000);
    planning.non_cashable_benefits = strings(&[
        "Raising quality and adding value to existing services",
        "Securing cost savings and sustainable efficiencies",
    ]);
    planning.outcome = Outcome::BusinessCaseInDevelopment;

    let mut sap = base(9, "One SAP Solution", None);
    sap.opportunity = "Both boroughs use SAP as their ERP system (finance, HR, procurement, customer relationship management) with the same provider; a shared ERP is a key enabler for sharing more back-office services.".into();
    sap.implementation = "Options for a shared solution are being explored under the pan-London Project Athena, with separate managed-service contracts as a fall-back. A full report on procurement goes to both boroughs' procurement decision-making bodies.".into();
    sap.milestones = vec![
        milestone(
            1,
            "First existing ERP support contract expires",
            Delivery,
            month(2012, 11, Month),
            None,
        ),
        milestone(
            2,
            "Second existing ERP support contract expires",
            Delivery,
            month(2013, 2, Month),
            None,
        ),
    ];
    sap.cashable_savings = CashableSavings::Tba;
    sap.non_cashable_benefits = strings(&[
        "Improving the scalability of systems",
        "More up-to-date systems",
        "A platform for greater integration of back-office functions",
    ]);
    sap.outcome = Outcome::UnderEvaluation;

    let mut policy = base(10, "Policy and Performance", None);
    policy.opportunity = "Both councils have made or plan significant reductions in these services; sharing is being evaluated.".into();
    policy.cashable_savings = CashableSavings::Tba;
    policy.non_cashable_benefits = strings(&[
        "Providing continuity and resilience of services",
        "Securing cost savings and sustainable efficiencies",
    ]);
    policy.outcome = Outcome::UnderEvaluation;

    let mut comms = base(11, "Communications", None);
    comms.opportunity = "Both councils provide communication and consultation services; the potential for sharing was evaluated.".into();
    comms.implementation = "A fully shared service was judged not desirable; shared commissioning of print and design for marketing, and joint consultation programmes, are being considered.".into();
    comms.cashable_savings = CashableSavings::Tba;
    comms.non_cashable_benefits = strings(&[
        "Securing cost savings and sustainable efficiencies",
        "Continuity and resilience of services",
    ]);
    comms.outcome = Outcome::CollaborationOnly;

    let mut meals = base(12, "School Meals", Some(ProjectSize::Small));
    meals.opportunity = "Both boroughs provide school meals in a volatile market where schools are the customers; greater resilience and cost sharing were explored.".into();
    meals.implementation = "A preliminary review found gaps in alignment of pricing policies, trading model and financial structure; it is unclear whether there is a substantial case for an integrated service.".into();
    meals.outcome = Outcome::ReEvaluate {
        when: "at the members' challenge session".into(),
    };

    let mut legal = base(13, "Legal Services", Some(ProjectSize::Small));
    legal.opportunity = "Management vacancies in Haringey and legal shared-service models elsewhere led to the opportunity being considered.".into();
    legal.implementation = "An initial evaluation found key differences in size, costs and client demand; each borough addresses these before a further evaluation.".into();
    legal.milestones = vec![Milestone {
        note: Some(
            "The seed says \"the end of the calendar year\"; its report is dated 21 July 2011"
                .into(),
        ),
        ..milestone(
            1,
            "Further evaluation of the opportunity",
            Review,
            month(2011, 12, EndOfYear),
            None,
        )
    }];
    legal.outcome = Outcome::ReEvaluate {
        when: "at the end of the calendar year".into(),
    };

    let mut electoral = base(14, "Electoral Services", None);
    electoral.opportunity =
        "Management vacancies in Waltham Forest led to considering sharing the service.".into();

    vec![
        economic, hr, od, regulatory, cleaning, audit, contact, planning, sap, policy, comms,
        meals, legal, electoral,
    ]
}

// The demo's figures and dates are checked against the facts of Appendix B in
// `tests/appendix_b.rs`.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::timeline;

    #[test]
    fn demo_report_reads_like_appendix_b() {
        let report = demo_report();
        let economic = &report.entries[0];
        let words: Vec<_> = economic.schedule.iter().map(|l| l.words.as_str()).collect();
        assert_eq!(
            words,
            vec![
                "Phase 1 underway",
                "Phase 2 likely to slip from Jul to Sep 2011",
                "Phase 3 on track for mid 2012",
            ]
        );
        assert_eq!(economic.cashable_savings_label, "£100,000");
        assert_eq!(report.entries[5].cashable_savings_label, "TBA");
        assert_eq!(report.entries[13].cashable_savings_label, "not stated");
        assert_eq!(
            report.entries[12].outcome_label,
            "Re-evaluate at the end of the calendar year"
        );
        assert_eq!(
            report.entries[4].outcome_label,
            "Not pursued as a shared service: market testing instead"
        );
        let od = &report.entries[2].schedule[3];
        assert_eq!(
            od.words,
            "Joint interim management arrangements delivered on time"
        );
        // Phase 2's two-month slip is beyond the default four-week tolerance.
        assert!(economic.schedule[1].exception);
        // The timeline has the dated items.
        let t = timeline(&demo_haringey_waltham_forest(), demo_as_at());
        assert!(
            t.rows
                .iter()
                .any(|r| r.label == "Second existing ERP support contract expires")
        );
    }

    #[test]
    fn a_published_progress_report_is_frozen() {
        let mut projects = demo_haringey_waltham_forest();
        let published = publish(build("Update", &projects, demo_as_at()), 1, demo_as_at()).unwrap();
        let rendered = published.rendered();
        projects[0].cashable_savings = CashableSavings::Tba;
        projects[0].name = "Renamed".into();
        let live = build("Update", &projects, demo_as_at());
        assert_ne!(&live, published.content());
        assert_eq!(published.rendered(), rendered);
        assert!(publish(live.clone(), 0, demo_as_at()).is_err());
        assert!(publish(live, 2, NaiveDate::from_ymd_opt(2011, 7, 20).unwrap()).is_err());
    }
}
