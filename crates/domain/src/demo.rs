//! The demo partnerships, built only from the seed documents. Every record cites its seed;
//! where a seed gives no figure or date, the value is `None` and pages say "not stated".

use crate::authority::{Authority, AuthorityType, GssCode, Nation};
use crate::mou::{Mou, MouEnd, MouValue};
use crate::partnership::{Member, MemberRole, MemberStatus, Partnership};
use crate::seed::Seed;
use chrono::NaiveDate;

/// A council the demo needs: its register code, GSS code, names, type and region (facts of
/// the public register), and its abolition where it has been abolished.
struct DemoCouncil {
    code: &'static str,
    gss: &'static str,
    official_name: &'static str,
    short_name: &'static str,
    kind: AuthorityType,
    region: &'static str,
    abolished: Option<(NaiveDate, &'static [&'static str])>,
}

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid constant date"),
    }
}

const COUNCILS: [DemoCouncil; 14] = [
    DemoCouncil {
        code: "HRY",
        gss: "E09000014",
        official_name: "London Borough of Haringey",
        short_name: "Haringey",
        kind: AuthorityType::LondonBorough,
        region: "London",
        abolished: None,
    },
    DemoCouncil {
        code: "WFT",
        gss: "E09000031",
        official_name: "London Borough of Waltham Forest",
        short_name: "Waltham Forest",
        kind: AuthorityType::LondonBorough,
        region: "London",
        abolished: None,
    },
    DemoCouncil {
        code: "CAM",
        gss: "E10000003",
        official_name: "Cambridgeshire County Council",
        short_name: "Cambridgeshire",
        kind: AuthorityType::County,
        region: "East of England",
        abolished: None,
    },
    DemoCouncil {
        code: "NTH",
        gss: "E10000021",
        official_name: "Northamptonshire County Council",
        short_name: "Northamptonshire",
        kind: AuthorityType::County,
        region: "East Midlands",
        abolished: Some((date(2021, 4, 1), &["NNT", "WNT"])),
    },
    DemoCouncil {
        code: "SLG",
        gss: "E06000039",
        official_name: "Slough Borough Council",
        short_name: "Slough",
        kind: AuthorityType::Unitary,
        region: "South East",
        abolished: None,
    },
    DemoCouncil {
        code: "HPL",
        gss: "E06000001",
        official_name: "Hartlepool Borough Council",
        short_name: "Hartlepool",
        kind: AuthorityType::Unitary,
        region: "North East",
        abolished: None,
    },
    DemoCouncil {
        code: "DAL",
        gss: "E06000005",
        official_name: "Darlington Borough Council",
        short_name: "Darlington",
        kind: AuthorityType::Unitary,
        region: "North East",
        abolished: None,
    },
    DemoCouncil {
        code: "RCC",
        gss: "E06000003",
        official_name: "Redcar and Cleveland Borough Council",
        short_name: "Redcar and Cleveland",
        kind: AuthorityType::Unitary,
        region: "North East",
        abolished: None,
    },
    DemoCouncil {
        code: "BKM",
        gss: "E10000002",
        official_name: "Buckinghamshire County Council",
        short_name: "Buckinghamshire",
        kind: AuthorityType::County,
        region: "South East",
        abolished: Some((date(2020, 3, 31), &["BUC"])),
    },
    DemoCouncil {
        code: "HRW",
        gss: "E09000015",
        official_name: "London Borough of Harrow",
        short_name: "Harrow",
        kind: AuthorityType::LondonBorough,
        region: "London",
        abolished: None,
    },
    DemoCouncil {
        code: "BEN",
        gss: "E09000005",
        official_name: "London Borough of Brent",
        short_name: "Brent",
        kind: AuthorityType::LondonBorough,
        region: "London",
        abolished: None,
    },
    DemoCouncil {
        code: "HMF",
        gss: "E09000013",
        official_name: "London Borough of Hammersmith & Fulham",
        short_name: "Hammersmith and Fulham",
        kind: AuthorityType::LondonBorough,
        region: "London",
        abolished: None,
    },
    DemoCouncil {
        code: "WSM",
        gss: "E09000033",
        official_name: "City of Westminster",
        short_name: "Westminster",
        kind: AuthorityType::LondonBorough,
        region: "London",
        abolished: None,
    },
    DemoCouncil {
        code: "KEC",
        gss: "E09000020",
        official_name: "Royal Borough of Kensington and Chelsea",
        short_name: "Kensington and Chelsea",
        kind: AuthorityType::LondonBorough,
        region: "London",
        abolished: None,
    },
];

fn gss(code: &str) -> GssCode {
    GssCode::parse("gss", code).expect("demo GSS codes are valid constants")
}

/// The councils the demo partnerships involve. Only register facts are given (codes, names,
/// type, region, abolition); population and location are left to the imported register.
pub fn authorities() -> Vec<Authority> {
    COUNCILS
        .iter()
        .map(|c| Authority {
            code: c.code.to_owned(),
            gss: Some(gss(c.gss)),
            official_name: c.official_name.to_owned(),
            short_name: c.short_name.to_owned(),
            kind: c.kind,
            region: c.region.to_owned(),
            nation: Nation::England,
            population: None,
            centroid: None,
            start_date: None,
            end_date: c.abolished.map(|(d, _)| d),
            successors: c
                .abolished
                .map(|(_, s)| s.iter().map(|s| (*s).to_owned()).collect())
                .unwrap_or_default(),
            county: None,
            slug: None,
        })
        .collect()
}

/// A demo partnership with its MOU, if the seeds describe one.
#[derive(Debug, Clone)]
pub struct DemoPartnership {
    /// The partnership and its members.
    pub partnership: Partnership,
    /// Its MOU, where a seed gives one.
    pub mou: Option<Mou>,
}

fn member(code: &str, role: MemberRole, status: MemberStatus, joined: Option<NaiveDate>) -> Member {
    Member {
        authority: gss(code),
        role,
        status,
        joined,
        left: None,
    }
}

/// The date Haringey's and Waltham Forest's cabinets agreed the MOU (seed 003, 12.1).
pub const HWF_MOU_AGREED: NaiveDate = date(2010, 12, 21);

/// The local elections of 2014, at which the Haringey–Waltham Forest MOU ends (MOU 8.3).
pub const LOCAL_ELECTIONS_2014: NaiveDate = date(2014, 5, 22);

/// The name of the central demo partnership.
pub const HWF_NAME: &str = "Haringey – Waltham Forest Shared Services Preferred Partnership";

/// The five partnerships of the seeds.
pub fn partnerships() -> Vec<DemoPartnership> {
    use MemberRole::Partner;
    use MemberStatus::{Active, Pending};
    let hwf_source = Seed::HaringeyCorporateCommitteeReport.at("Appendix 1, the MOU");
    vec![
        DemoPartnership {
            partnership: Partnership {
                id: 0,
                name: HWF_NAME.to_owned(),
                summary: "Two neighbouring London boroughs agree to be each other's preferred partner for all shared-services opportunities, to improve and make resilient the services to residents and to deliver financial savings (MOU 1.1, 3.1).".to_owned(),
                source: Some(hwf_source.clone()),
                members: vec![
                    member("E09000014", Partner, Active, Some(HWF_MOU_AGREED)),
                    member("E09000031", Partner, Active, Some(HWF_MOU_AGREED)),
                ],
            },
            mou: Some(Mou {
                agreed: Some(HWF_MOU_AGREED),
                signed: None,
                commencement: None,
                end: MouEnd::Event { name: "the local elections of 2014".to_owned(), date: LOCAL_ELECTIONS_2014 },
                legally_binding: false,
                preferred_partner: true,
                values: hwf_values(),
                principles: HWF_PRINCIPLES.to_owned(),
                quarterly_review_by: Some("Senior Stakeholder Board (MOU 9.1.1)".to_owned()),
                annual_review_by: Some("the executives of both councils (MOU 9.1.2)".to_owned()),
                cost_sharing: "Governance costs, including the boards and the joint programme team, and programme costs from compatibility analysis to design are shared equally (MOU 7.1.1–7.1.2); implementation and running costs are apportioned per business case in each service's legal agreement (MOU 7.1.3).".to_owned(),
                events: vec![],
                source: Some(hwf_source),
            }),
        },
        DemoPartnership {
            partnership: Partnership {
                id: 0,
                name: "Cambridgeshire – Northamptonshire shared services, with Slough".to_owned(),
                summary: "Two county councils sharing transactional services — payroll, online payments, procurement, financial systems and HR — take on Slough, a unitary from another part of the country, as a third partner pending approval by Slough's cabinet. The door is left open for other councils to join later.".to_owned(),
                source: Some(Seed::CountiesPioneerSharedServices.citation()),
                members: vec![
                    member("E10000003", Partner, Active, None),
                    member("E10000021", Partner, Active, None),
                    member("E06000039", Partner, Pending, None),
                ],
            },
            mou: None,
        },
        DemoPartnership {
            partnership: Partnership {
                id: 0,
                name: "Hartlepool – Darlington – Redcar and Cleveland collaboration".to_owned(),
                summary: "Business plans for sharing children's, adult, corporate and environmental services, street lighting and waste disposal; first Hartlepool and Darlington, widened to include Redcar and Cleveland. Estimated savings £5m to £8m, not before 2013/14. Principles: each council keeps its identity and sovereignty with clear accountability; collaboration must deliver demonstrable benefits beyond working separately.".to_owned(),
                source: Some(Seed::TeesValleyCollaboration.citation()),
                members: vec![
                    member("E06000001", Partner, Active, None),
                    member("E06000005", Partner, Active, None),
                    member("E06000003", Partner, Active, None),
                ],
            },
            mou: None,
        },
        DemoPartnership {
            partnership: Partnership {
                id: 0,
                name: "Buckinghamshire – Harrow joint working, with Brent for procurement".to_owned(),
                summary: "A county council and a London borough, run by different parties, share HR including payroll and a team of lawyers; a joint procurement agreement also involves Brent.".to_owned(),
                source: Some(Seed::BuckinghamshireHarrowBlog.citation()),
                members: vec![
                    member("E10000002", Partner, Active, None),
                    member("E09000015", Partner, Active, None),
                    member("E09000005", Partner, Active, None),
                ],
            },
            mou: None,
        },
        DemoPartnership {
            partnership: Partnership {
                id: 0,
                name: "Tri-borough".to_owned(),
                summary: "Hammersmith and Fulham, Westminster, and Kensington and Chelsea: described in the source as going further than anywhere else in the country, though not yet near its full potential.".to_owned(),
                source: Some(Seed::BuckinghamshireHarrowBlog.citation()),
                members: vec![
                    member("E09000013", Partner, Active, None),
                    member("E09000033", Partner, Active, None),
                    member("E09000020", Partner, Active, None),
                ],
            },
            mou: None,
        },
    ]
}

const HWF_PRINCIPLES: &str = "The boroughs will be each other's preferred partner for all shared services opportunities: where either assesses a service as appropriate for sharing, it seeks agreement with the other first (3.2.1). If either is not ready or able to share, or has an existing partner, each may seek other partners (3.2.2), and any such arrangement should allow the other borough to join at a future date (3.2.3). Services with no current proposal are aligned — structures, scope, procurement cycles, business processes, IT — to make future sharing viable (3.2.4). There is no preferred delivery vehicle (3.1.2).";

fn hwf_values() -> Vec<MouValue> {
    [
        ("Innovation", "seeking innovative and imaginative solutions to improve service delivery and create resilience"),
        ("Challenge", "being open to challenge from each other as well as by regional and national bodies"),
        ("Best practice", "utilising best, and “next/future practice” approaches to procurement"),
        ("Best fit", "adopting a “best fit” approach to seeking solutions"),
        ("Partnership", "developing positive and effective partnership working across the partner bodies"),
        ("Accountability", "achieved through delivery of agreed outcomes within a sound governance framework"),
        ("Transparency", "making open and clear decisions and demonstrating the improvements and savings made from shared services to residents and scrutiny bodies within each Council"),
        ("Information sharing", "sharing information and seeking to keep each other informed whilst respecting legal obligations of confidentiality and data protection"),
    ]
    .into_iter()
    .map(|(name, description)| MouValue { name: name.to_owned(), description: description.to_owned() })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_records_are_valid_and_cite_their_seed() {
        let known: Vec<_> = authorities().into_iter().map(|a| a.gss.unwrap()).collect();
        for authority in authorities() {
            authority.validate().unwrap();
        }
        let demo = partnerships();
        assert_eq!(demo.len(), 5);
        for d in &demo {
            d.partnership.validate().unwrap();
            assert!(
                d.partnership
                    .source
                    .as_deref()
                    .unwrap_or("")
                    .starts_with("Seed 00"),
                "{}",
                d.partnership.name
            );
            for m in &d.partnership.members {
                assert!(
                    known.contains(&m.authority),
                    "{} is not among the demo councils",
                    m.authority
                );
            }
            if let Some(mou) = &d.mou {
                mou.validate(&d.partnership).unwrap();
            }
        }
    }

    #[test]
    fn haringey_waltham_forest_mou_ends_at_the_2014_elections() {
        let hwf = &partnerships()[0];
        let mou = hwf.mou.as_ref().unwrap();
        assert_eq!(mou.end.date(), Some(date(2014, 5, 22)));
        assert!(!mou.legally_binding);
        assert_eq!(mou.values.len(), 8);
        let clock = mou.clock(date(2011, 7, 21));
        assert_eq!(clock.next_review.unwrap().date, date(2011, 9, 21));
    }

    #[test]
    fn figures_the_seeds_do_not_give_are_not_invented() {
        for d in partnerships().iter().skip(1) {
            assert!(d.mou.is_none());
            assert!(
                d.partnership.members.iter().all(|m| m.joined.is_none()),
                "{}",
                d.partnership.name
            );
        }
        assert!(authorities().iter().all(|a| a.population.is_none()));
    }
}
