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
//! Loading twice adds nothing: services are matched by name, opportunities by their service
//! within the partnership, and the criteria by the partnership having a version.

use accord_domain::access::{Actor, Classification, ReadScope};
use accord_domain::gateway::{
    CouncilAssessment, GatewayVersion, RatingInput, combine, councils_of, rate,
};
use accord_domain::opportunity::{
    APPENDIX_B, NewOpportunity, Opportunity, ProjectSize, ResponseKind, Status, StatusKind,
    StatusRequest,
};
use accord_domain::service::{Catalogue, SCHEDULE_1, Service};
use accord_domain::{GssCode, demo};
use accord_store::{Change, RecordQuery, Store};
use accord_web::opportunity_records as records;
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

fn name_of(code: &GssCode) -> String {
    match code.as_str() {
        HARINGEY => "Haringey".to_owned(),
        WALTHAM_FOREST => "Waltham Forest".to_owned(),
        other => other.to_owned(),
    }
}

/// The illustrative ratings of an item, every criterion of the version for every council
/// that has rated.
fn ratings(item: &Item, version: &GatewayVersion, councils: &[GssCode]) -> Vec<RatingInput> {
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

/// Loads the catalogue and the Haringey – Waltham Forest programme into `store`.
pub async fn load(store: &dyn Store, hwf: i64) -> anyhow::Result<Loaded> {
    let change = Change::by(super::DEMO_ACTOR)
        .because("demo data from seed 003 (Schedule 1 and Appendix B); ratings illustrative");
    let scope = ReadScope::of(&Actor {
        admin: true,
        ..Actor::default()
    });
    let today = chrono::Utc::now().date_naive();
    let mut loaded = Loaded::default();

    // The catalogue, by name.
    let existing = store
        .records(
            &RecordQuery {
                kind: records::SERVICE.to_owned(),
                ..RecordQuery::default()
            },
            &scope,
            today,
        )
        .await?;
    let mut catalogue = Catalogue {
        services: existing
            .iter()
            .map(|r| {
                let mut s: Service = r.decode()?;
                s.id = r.id;
                Ok(s)
            })
            .collect::<anyhow::Result<Vec<Service>>>()?,
    };
    for service in Catalogue::seeded().services {
        if catalogue.find(&service.name).is_some() {
            continue;
        }
        let id = store
            .insert_record(&records::service_input(&service)?, &change)
            .await?;
        catalogue.services.push(Service { id, ..service });
        loaded.services += 1;
    }

    // The criteria: the report's eleven, version 1.
    let versions = store
        .records(&RecordQuery::of(records::CRITERIA, hwf), &scope, today)
        .await?;
    let version = match versions.first() {
        Some(record) => record.decode::<GatewayVersion>()?,
        None => {
            let version = GatewayVersion::default();
            store
                .insert_record(&records::version_input(hwf, &version)?, &change)
                .await?;
            version
        }
    };

    // The opportunities, by service.
    let partnership = store
        .partnership(hwf)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo partnership {hwf} is missing"))?;
    let present: Vec<String> = store
        .records(&RecordQuery::of(records::OPPORTUNITY, hwf), &scope, today)
        .await?
        .into_iter()
        .map(|r| r.title.to_lowercase())
        .collect();
    let mou = demo::HWF_MOU_AGREED;
    for item in items() {
        if present.contains(&item.service.to_lowercase()) {
            continue;
        }
        let service = catalogue
            .find(item.service)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("{} is not in the catalogue", item.service))?;
        let originating = item.originating.unwrap_or(HARINGEY);
        let mut o = Opportunity::raise(
            &partnership,
            service,
            &NewOpportunity {
                scope: item.scope.clone(),
                originating: originating.to_owned(),
                wave: item.phase,
                phase: item.phase,
                size: item.size.map(str::to_owned),
            },
            mou,
            super::DEMO_ACTOR,
        )?;
        o.source = Some(item.source.clone());
        if let Some(first) = o.history.first_mut() {
            first.reason = if item.originating.is_some() {
                "The date it was raised is not stated; shown as the day the MOU was agreed."
                    .to_owned()
            } else {
                "The council that raised it and the date are not stated; shown as Haringey (whose report it is) on the day the MOU was agreed.".to_owned()
            };
        }
        let mut parts: Vec<CouncilAssessment> = Vec::new();
        if item.status.kind() != StatusKind::Identified {
            o.offer(&partnership, mou, super::DEMO_ACTOR)?;
            let partner = gss(if originating == HARINGEY {
                WALTHAM_FOREST
            } else {
                HARINGEY
            })?;
            o.respond(
                &partner,
                ResponseKind::Accept,
                mou,
                super::DEMO_ACTOR,
                "Both councils agreed to be each other's preferred partner for the MOU's services (MOU 3.2).",
            )?;
            o.change_status(&request(Status::Assessing, mou, String::new(), None))?;
            let councils = councils_of(&o, name_of);
            let codes: Vec<GssCode> = councils.iter().map(|c| c.gss.clone()).collect();
            parts = rate(
                &o,
                &version,
                &councils,
                &[],
                &ratings(&item, &version, &codes),
                REPORT,
                super::DEMO_ACTOR,
            )?;
            for part in &mut parts {
                part.illustrative = true;
            }
            let outcome = combine(&version, councils, &parts)
                .ok()
                .map(|a| a.report())
                .transpose()?
                .map(|r| r.outcome);
            let reported = format!(
                "As reported to the Corporate Committee on 21 July 2011: {}",
                item.outcome
            );
            let steps: Vec<Status> = match item.status.kind() {
                StatusKind::HandedToDelivery => vec![
                    match outcome {
                        Some(accord_domain::gateway::Outcome::Pass) => Status::Passed,
                        _ => Status::PassedWithConditions,
                    },
                    Status::HandedToDelivery,
                ],
                StatusKind::Assessing => vec![],
                _ => vec![item.status.clone()],
            };
            for step in steps {
                o.change_status(&request(step, REPORT, reported.clone(), outcome))?;
            }
        }
        let meta = records::opportunity_meta(hwf, &o.originating, Classification::Published);
        let id = store
            .insert_record(&records::opportunity_input(meta, &o)?, &change)
            .await?;
        o.id = id;
        for part in &parts {
            // The ratings are illustrative, so they stay within the partnership.
            let meta = records::part_meta(hwf, &part.council, Classification::Partnership);
            store
                .insert_record(&records::part_input(meta, &o, part)?, &change)
                .await?;
        }
        loaded.opportunities += 1;
    }
    Ok(loaded)
}

fn request(
    to: Status,
    on: NaiveDate,
    reason: String,
    gateway: Option<accord_domain::gateway::Outcome>,
) -> StatusRequest {
    StatusRequest {
        to,
        on,
        by: super::DEMO_ACTOR.to_owned(),
        reason,
        gateway,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_the_demo_rates_below_green_names_a_default_criterion() {
        let version = GatewayVersion::default();
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
