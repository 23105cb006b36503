//! The demo's service catalogue and the Haringey – Waltham Forest programme: the Schedule 1
//! services (phases 1 and 2) and the 14 Appendix B projects of seed 003 as opportunities, with
//! their real outcomes as the report states them (building cleaning not pursued, market testing
//! instead; legal services deferred to the end of the calendar year; communications not a full
//! shared service; …).
//!
//! The seed's RAG colours did not survive, so every rating here is **illustrative**: flagged so
//! in the record and in its reasons, and chosen to be consistent with the opportunity's
//! recorded outcome — every step goes through the domain's rules, so an opportunity recorded as
//! passed really passes the gateway. Where the report explains an outcome, the illustrative
//! ratings follow its words.
//!
//! Every step goes through the gateway's use cases, on the day the seed gives it. Loading twice
//! adds nothing: services are matched by name and opportunities by their service within the
//! partnership; the criteria are the built-in version 1, stored when first rated under.

use accord_app::gateway::assessment::{self, Rate};
use accord_app::gateway::opportunities::{self, Answer, RaiseOpportunity, StatusAsk};
use accord_app::gateway::services;
use accord_app::list::{ListRequest, MAX_LIMIT};
use accord_app::{App, AppError, Caller, Clock};
use accord_domain::access::Classification;
use accord_domain::gateway::{CriteriaSet, Outcome, RatingInput};
use accord_domain::opportunity::list::{OpportunityFilter, OpportunitySort};
use accord_domain::opportunity::{
    APPENDIX_B, NewOpportunity, ProjectSize, ResponseKind, Status, StatusKind,
};
use accord_domain::service::{Catalogue, SCHEDULE_1};
use accord_domain::{GssCode, demo};
use chrono::NaiveDate;

const HARINGEY: &str = "E09000014";
const WALTHAM_FOREST: &str = "E09000031";

/// The day of the Corporate Committee report, on which Appendix B gives each project's state.
const REPORT: NaiveDate = match NaiveDate::from_ymd_opt(2011, 7, 21) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// Who rates: one council, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    Haringey,
    WalthamForest,
    Both,
}

/// An illustrative rating below Green, with its reason.
type Override = (&'static str, By, char, &'static str);

/// How the demo rates one opportunity.
struct Plan {
    /// Ratings below Green; every other rating is Green.
    below_green: &'static [Override],
    /// Councils that have not rated yet (an evaluation still under way).
    not_rated: &'static [&'static str],
}

const ALL_GREEN: Plan = Plan {
    below_green: &[],
    not_rated: &[],
};

/// The illustrative ratings of each opportunity, by service.
fn plan(service: &str) -> Plan {
    use By::{Both, Haringey, WalthamForest};
    let below: &'static [Override] = match service {
        // Appendix B, in its words where it gives reasons.
        "Economic Development" => &[
            (
                "Staffing Arrangements",
                Haringey,
                'A',
                "Potential staffing issues must go back to Haringey's Corporate Committee (Appendix B, project 1).",
            ),
            (
                "Delivery Timescales",
                Both,
                'A',
                "Phase 2 is likely to slip from July to September 2011 (Appendix B, project 1).",
            ),
        ],
        "Human Resources Shared Service Centre" => &[(
            "Business Processes",
            Both,
            'A',
            "Simplified, standardised processes are still to be designed in the three work streams (Appendix B, project 2).",
        )],
        "Regulatory Services" => &[
            (
                "Organisational Issues",
                Both,
                'A',
                "The wider consortium fell through when Redbridge withdrew (Appendix B, project 4).",
            ),
            (
                "Delivery Timescales",
                Both,
                'A',
                "The scope is to be decided by the end of July 2011 (Appendix B, project 4).",
            ),
        ],
        "Building Cleaning" => &[
            (
                "Cost Sharing/VFM",
                Both,
                'R',
                "No substantial case for an integrated shared service: market testing is expected to give the saving (Appendix B, project 5).",
            ),
            (
                "Business Processes",
                Haringey,
                'A',
                "Haringey is moving to an outsourced service through market testing (Appendix B, project 5).",
            ),
        ],
        "Audit and Insurance Services" => &[
            (
                "Cost Sharing/VFM",
                Both,
                'A',
                "Uncertain whether there is a substantial case for a fully integrated service (Appendix B, project 6).",
            ),
            (
                "Organisational Issues",
                Both,
                'A',
                "Integration depends on staff becoming more aligned over the short to medium term (Appendix B, project 6).",
            ),
            (
                "Ease of Implementation",
                Both,
                'A',
                "Collaboration is to start in parts of audit only (Appendix B, project 6).",
            ),
        ],
        "Contact Centre" => &[
            (
                "IT Compatibility",
                Both,
                'A',
                "IT infrastructure is being evaluated in the pre-business case (Appendix B, project 7).",
            ),
            (
                "Cost Sharing/VFM",
                Both,
                'A',
                "Costs and investment requirements are being assessed (Appendix B, project 7).",
            ),
            (
                "Risk",
                Both,
                'A',
                "Longer-term options with third parties are being market tested in parallel (Appendix B, project 7).",
            ),
        ],
        "Policy and Performance" => &[(
            "Staffing Arrangements",
            Haringey,
            'A',
            "Both councils have planned significant reductions in these services (Appendix B, project 10).",
        )],
        "Communications" => &[(
            "Strategic Fit",
            Haringey,
            'R',
            "The importance of the communication service to the council: a fully shared service is not desirable (Appendix B, project 11).",
        )],
        "School Meals" => &[
            (
                "Business Processes",
                Both,
                'R',
                "Gaps in alignment around pricing policies and the trading model (Appendix B, project 12).",
            ),
            (
                "Cost Sharing/VFM",
                Both,
                'R',
                "Unclear whether there is a substantial case; the financial structures differ (Appendix B, project 12).",
            ),
            (
                "Organisational Issues",
                Both,
                'A',
                "Schools are the customers, in a volatile market (Appendix B, project 12).",
            ),
        ],
        "Legal Services" => &[
            (
                "Staffing Arrangements",
                Haringey,
                'A',
                "Management vacancies in Haringey (Appendix B, project 13).",
            ),
            (
                "Service Standards",
                Both,
                'A',
                "Key differences in the size of the two services (Appendix B, project 13).",
            ),
            (
                "Cost Sharing/VFM",
                Both,
                'A',
                "Key differences in costs (Appendix B, project 13).",
            ),
            (
                "Business Processes",
                Both,
                'A',
                "Key differences in client demand (Appendix B, project 13).",
            ),
            (
                "Organisational Issues",
                Both,
                'A',
                "Each council is to address the differences before a further evaluation (Appendix B, project 13).",
            ),
        ],
        // Schedule 1 services: the report says nothing of their ratings.
        "Revenues and Benefits" => &[
            (
                "IT Compatibility",
                Both,
                'A',
                "A large transactional service on each council's own systems.",
            ),
            (
                "Delivery Timescales",
                Both,
                'A',
                "A wave 1 large project (Schedule 2): longer than four to nine months.",
            ),
        ],
        "Call Centre" => &[(
            "Business Processes",
            Both,
            'A',
            "Opening hours and scripts differ between the councils.",
        )],
        "PCN (Parking) Processing" => &[(
            "IT Compatibility",
            Both,
            'A',
            "Separate parking systems to bring together.",
        )],
        "Finance Processing" => &[(
            "IT Compatibility",
            Both,
            'A',
            "The councils' ERP contracts expire in November 2012 and February 2013 (Appendix B, project 9).",
        )],
        "Audit" => &[(
            "Organisational Issues",
            Both,
            'A',
            "Both audit services have been reduced (Appendix B, project 6).",
        )],
        "Adult Education" => &[(
            "Political alignment",
            WalthamForest,
            'A',
            "Priorities for adult learning differ.",
        )],
        "Development Control" => &[(
            "Service Standards",
            Both,
            'A',
            "Different local plans and service standards.",
        )],
        "Regeneration" => &[(
            "Strategic Fit",
            Both,
            'A',
            "Each council's regeneration areas are its own.",
        )],
        "CCTV Services" => &[(
            "Risk",
            Both,
            'A',
            "Data-sharing arrangements would be needed.",
        )],
        "Facility Management" => &[(
            "Cost Sharing/VFM",
            Both,
            'A',
            "Accommodation is reviewed jointly first (report 7.5.1).",
        )],
        "Property Services" => &[
            (
                "Organisational Issues",
                Both,
                'A',
                "Each council's estate strategy is its own.",
            ),
            (
                "Ease of Implementation",
                Both,
                'A',
                "Depends on the joint accommodation review (report 7.5.1).",
            ),
        ],
        "Youth Offending Team" => &[
            (
                "Political alignment",
                Both,
                'A',
                "A statutory service with each council's own partnership board.",
            ),
            ("Risk", Both, 'A', "Safeguarding risk in any change."),
            (
                "Staffing Arrangements",
                Both,
                'A',
                "Specialist staff in short supply.",
            ),
        ],
        "Performance" | "Policy" => &[(
            "Staffing Arrangements",
            Both,
            'A',
            "Both councils are reducing these teams.",
        )],
        _ => &[],
    };
    let not_rated: &'static [&'static str] = match service {
        // "Evaluation under way": Waltham Forest has not rated yet.
        "Policy and Performance" => &[WALTHAM_FOREST],
        _ => &[],
    };
    if below.is_empty() && not_rated.is_empty() {
        return ALL_GREEN;
    }
    Plan {
        below_green: below,
        not_rated,
    }
}

/// One opportunity of the demo programme.
struct Item {
    service: &'static str,
    scope: String,
    originating: Option<&'static str>,
    phase: Option<u32>,
    size: Option<&'static str>,
    status: Status,
    /// The report's words on its outcome, for the history.
    outcome: String,
    source: String,
}

fn items() -> Vec<Item> {
    let schedule = |name: &str| {
        SCHEDULE_1
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    };
    let mut items: Vec<Item> = APPENDIX_B
        .iter()
        .map(|p| {
            let listed = schedule(p.service);
            Item {
                service: p.service,
                scope: p.scope.to_owned(),
                originating: p.originating,
                phase: listed.map(|s| u32::from(s.phase)),
                size: listed.and_then(|s| s.size).map(ProjectSize::slug),
                status: p.status(),
                outcome: p.outcome.to_owned(),
                source: p.citation(),
            }
        })
        .collect();
    for s in &SCHEDULE_1 {
        if items.iter().any(|i| i.service.eq_ignore_ascii_case(s.name)) {
            continue;
        }
        items.push(Item {
            service: s.name,
            scope: format!(
                "Listed in MOU Schedule 1 among the phase {} services to be tested against the compatibility criteria{}; the report gives no further scope.",
                s.phase,
                s.group.map(|g| format!(" (under “{g}”)")).unwrap_or_default()
            ),
            originating: None,
            phase: Some(u32::from(s.phase)),
            size: s.size.map(ProjectSize::slug),
            status: Status::Assessing,
            outcome: "Under compatibility analysis (MOU 4.2); the report states no outcome.".to_owned(),
            source: s.citation(),
        });
    }
    items
}

fn gss(code: &str) -> anyhow::Result<GssCode> {
    Ok(GssCode::parse("gss", code)?)
}

/// The illustrative ratings of an item, every criterion of the version for every council
/// that has rated.
fn ratings(item: &Item, version: &CriteriaSet, councils: &[GssCode]) -> Vec<RatingInput> {
    let plan = plan(item.service);
    let mut inputs = Vec::new();
    for council in councils {
        if plan.not_rated.contains(&council.as_str()) {
            continue;
        }
        for criterion in &version.criteria.criteria {
            let below = plan.below_green.iter().find(|(name, by, _, _)| {
                *name == criterion.name
                    && match by {
                        By::Both => true,
                        By::Haringey => council.as_str() == HARINGEY,
                        By::WalthamForest => council.as_str() == WALTHAM_FOREST,
                    }
            });
            let (rating, rationale) = match below {
                Some((_, _, letter, why)) => (letter.to_string(), format!("Illustrative: {why}")),
                None => (
                    "G".to_owned(),
                    "Illustrative: no obstacle assumed; the colour of the source's Schedule 1 matrix did not survive.".to_owned(),
                ),
            };
            inputs.push(RatingInput {
                council: council.to_string(),
                criterion: criterion.name.clone(),
                rating,
                rationale,
                evidence: None,
            });
        }
    }
    inputs
}

/// What loading the programme did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loaded {
    /// Catalogue services added.
    pub services: u64,
    /// Opportunities added.
    pub opportunities: u64,
}

/// The use cases' answer to a step of the demo, with what it was doing.
fn step<T>(result: Result<T, AppError>, what: &str) -> anyhow::Result<T> {
    result.map_err(|e| anyhow::anyhow!("the demo could not {what}: {e}"))
}

/// Loads the catalogue and the Haringey – Waltham Forest programme, through the same use
/// cases as the pages, each step on the day the seed gives it.
pub async fn load(app: &App, hwf: i64) -> anyhow::Result<Loaded> {
    let caller = Caller::system(super::DEMO_ACTOR);
    let mut loaded = Loaded::default();

    // The catalogue, by name.
    let existing = step(
        services::catalogue(app, &caller).await,
        "read the catalogue",
    )?;
    let mut catalogue = Catalogue {
        services: existing.into_iter().map(|s| s.service).collect(),
    };
    for service in Catalogue::seeded().services {
        if catalogue.find(&service.name).is_some() {
            continue;
        }
        let added = step(
            services::add(app, &caller, &service.name, service.category.slug()).await,
            "add a service",
        )?;
        catalogue.services.push(added.service);
        loaded.services += 1;
    }

    // The opportunities, by service.
    let listed = step(
        opportunities::list(
            app,
            &caller,
            hwf,
            &OpportunityFilter::default(),
            OpportunitySort::default(),
            &ListRequest::page(1, MAX_LIMIT),
        )
        .await,
        "list the opportunities",
    )?;
    let present: Vec<String> = listed
        .page
        .items
        .iter()
        .map(|o| o.entry.opportunity.service.name.to_lowercase())
        .collect();
    let mou = app.clone().with_clock(Clock::Fixed(demo::HWF_MOU_AGREED));
    let report = app.clone().with_clock(Clock::Fixed(REPORT));
    let version = CriteriaSet::default();
    for item in items() {
        if present.contains(&item.service.to_lowercase()) {
            continue;
        }
        let service = catalogue
            .find(item.service)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("{} is not in the catalogue", item.service))?;
        let originating = item.originating.unwrap_or(HARINGEY);
        let note = if item.originating.is_some() {
            "The date it was raised is not stated; shown as the day the MOU was agreed."
        } else {
            "The council that raised it and the date are not stated; shown as Haringey (whose report it is) on the day the MOU was agreed."
        };
        let raised = step(
            opportunities::raise(
                &mou,
                &caller,
                hwf,
                RaiseOpportunity {
                    service_id: service.id.to_string(),
                    input: NewOpportunity {
                        scope: item.scope.clone(),
                        originating: originating.to_owned(),
                        wave: item.phase,
                        phase: item.phase,
                        size: item.size.map(str::to_owned),
                    },
                    classification: Classification::Published,
                    source: Some(item.source.clone()),
                    note: note.to_owned(),
                },
            )
            .await,
            "raise an opportunity",
        )?;
        let reference = raised.reference();
        loaded.opportunities += 1;
        if item.status.kind() == StatusKind::Identified {
            continue;
        }
        step(
            opportunities::offer(&mou, &caller, hwf, &reference, None, None).await,
            "offer an opportunity",
        )?;
        let partner = if originating == HARINGEY {
            WALTHAM_FOREST
        } else {
            HARINGEY
        };
        step(
            opportunities::respond(
                &mou,
                &caller,
                hwf,
                &reference,
                None,
                &Answer {
                    partner: partner.to_owned(),
                    kind: ResponseKind::Accept.slug().to_owned(),
                    on: None,
                    note: "Both councils agreed to be each other's preferred partner for the MOU's services (MOU 3.2).".to_owned(),
                },
            )
            .await,
            "record a partner's answer",
        )?;
        step(
            opportunities::change_status(
                &mou,
                &caller,
                hwf,
                &reference,
                None,
                &StatusAsk {
                    to: StatusKind::Assessing.slug().to_owned(),
                    ..StatusAsk::default()
                },
            )
            .await,
            "start an assessment",
        )?;
        // Both councils' illustrative ratings, in one submission.
        let codes = [gss(originating)?, gss(partner)?];
        step(
            assessment::rate(
                &report,
                &caller,
                hwf,
                &reference,
                &Rate {
                    version: Some(version.version()),
                    classification: Some(Classification::Partnership),
                    inputs: ratings(&item, &version, &codes),
                    from_versions: Vec::new(),
                    illustrative: true,
                },
            )
            .await,
            "rate an opportunity",
        )?;
        let outcome = step(
            opportunities::outcome(&report, &caller, hwf, &reference).await,
            "read an outcome",
        )?;
        let reported = format!(
            "As reported to the Corporate Committee on 21 July 2011: {}",
            item.outcome
        );
        let steps: Vec<Status> = match item.status.kind() {
            StatusKind::HandedToDelivery => vec![
                match outcome {
                    Some(Outcome::Pass) => Status::Passed,
                    _ => Status::PassedWithConditions,
                },
                Status::HandedToDelivery,
            ],
            StatusKind::Assessing => vec![],
            _ => vec![item.status.clone()],
        };
        for status in steps {
            // A dropped opportunity's reason is its status; other changes note the report.
            let reason = match &status {
                Status::NotPursued { reason } => reason.clone(),
                _ => reported.clone(),
            };
            step(
                opportunities::change_status(
                    &report,
                    &caller,
                    hwf,
                    &reference,
                    None,
                    &StatusAsk {
                        to: status.kind().slug().to_owned(),
                        on: None,
                        re_evaluate: status.re_evaluate(),
                        reason,
                    },
                )
                .await,
                "record an outcome",
            )?;
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_the_demo_rates_below_green_names_a_default_criterion() {
        let version = CriteriaSet::default();
        for item in items() {
            for (criterion, _, letter, _) in plan(item.service).below_green {
                assert!(
                    version.criteria.index_of(criterion).is_some(),
                    "{}: {criterion}",
                    item.service
                );
                assert!(matches!(letter, 'R' | 'A'), "{}", item.service);
            }
        }
        // The 14 Appendix B projects and the Schedule 1 services not among them.
        assert_eq!(items().len(), 14 + 17);
    }
}
