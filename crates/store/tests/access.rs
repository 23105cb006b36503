//! Reads are filtered in SQL by the domain's `ReadScope`: for every actor and every kind of
//! record, in the generic table and in each typed table (the RAID log, the request register and
//! its requesters' personal data), the database returns exactly what `ReadScope::permits`
//! allows, on both backends.

// In tests a panic is a failure with a message, which is what unwrap gives.
#![allow(clippy::unwrap_used)]

use accord_domain::access::{
    Actor, Area, Classification, Embargo, ReadScope, RecordMeta, Role, RoleAssignment,
};
use accord_domain::authority::register;
use accord_domain::board::BoardLevel;
use accord_domain::gateway::{CriteriaSet, RatingInput, councils_of, rate};
use accord_domain::opportunity::list::OpportunityFilter;
use accord_domain::opportunity::{
    NewOpportunity, Opportunity, ResponseKind, Status, StatusRequest,
};
use accord_domain::raid::{Level, RaidDetail, RaidFilter, RaidItem, RaidStatus, RiskScore};
use accord_domain::request::{
    Channel, Context, DueDates, NewRequest, Protocol, Regime, Request, Requester,
};
use accord_domain::service::Service;
use accord_domain::working_days::{CalendarScope, HolidayTable};
use accord_domain::{GssCode, Member, MemberRole, MemberStatus, Partnership};
use accord_store::RaidPage;
use accord_store::gateway::OpportunityPage;
use accord_store::records::{DECISION_KIND, DECISION_MADE};
use accord_store::requests::{RequestFilter, RequestPage};
use accord_store::{Change, RecordInput, RecordQuery, Store, testing};
use chrono::NaiveDate;
use std::collections::BTreeSet;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn gss(s: &str) -> GssCode {
    GssCode::parse("gss", s).unwrap()
}

const HARINGEY: &str = "E09000014";
const WALTHAM_FOREST: &str = "E09000031";

async fn setup(store: &dyn Store) -> (i64, i64) {
    let text = "local-authority-code,official-name,nice-name,gss-code,start-date,end-date,replaced-by,nation,region,local-authority-type,county-la,pop-2020,lat,long
HRY,London Borough of Haringey,Haringey,E09000014,,,,England,London,LBO,,,,
WFT,London Borough of Waltham Forest,Waltham Forest,E09000031,,,,England,London,LBO,,,,
";
    let change = Change::by("test");
    store
        .import_authorities(&register::parse(text, |_| {}).unwrap(), &change, &|_| {})
        .await
        .unwrap();
    let member = |code| Member {
        authority: gss(code),
        role: MemberRole::Partner,
        status: MemberStatus::Active,
        joined: None,
        left: None,
    };
    let mut ids = Vec::new();
    for name in ["One", "Two"] {
        let p = Partnership {
            id: 0,
            name: name.into(),
            summary: String::new(),
            source: None,
            members: vec![member(HARINGEY), member(WALTHAM_FOREST)],
        };
        ids.push(store.create_partnership(&p, &change).await.unwrap());
    }
    (ids[0], ids[1])
}

/// Every valid combination of partnership, owner, class and embargo.
fn metas(p1: i64, p2: i64, today: NaiveDate) -> Vec<RecordMeta> {
    let mut out = Vec::new();
    for pid in [Some(p1), Some(p2), None] {
        for owner in [None, Some(HARINGEY), Some(WALTHAM_FOREST)] {
            for class in Classification::ALL {
                if class == Classification::Council && owner.is_none() {
                    continue;
                }
                let area = if class == Classification::Personal {
                    Area::Information
                } else {
                    Area::Programme
                };
                let embargoes: Vec<Option<Embargo>> = if class == Classification::Embargoed {
                    [today.pred_opt().unwrap(), today, today.succ_opt().unwrap()]
                        .into_iter()
                        .flat_map(|until| {
                            [
                                Classification::Published,
                                Classification::Partnership,
                                Classification::Council,
                            ]
                            .into_iter()
                            .filter(move |r| *r != Classification::Council || owner.is_some())
                            .map(move |release_to| {
                                Some(Embargo {
                                    until: Some(until),
                                    decision_id: None,
                                    release_to,
                                })
                            })
                        })
                        .collect()
                } else {
                    vec![None]
                };
                for embargo in embargoes {
                    out.push(RecordMeta {
                        area,
                        partnership_id: pid,
                        owner: owner.map(gss),
                        classification: class,
                        embargo,
                    });
                }
            }
        }
    }
    out
}

fn actors(p1: i64, p2: i64) -> Vec<(String, Actor)> {
    let mut out = vec![
        ("anonymous".to_owned(), Actor::anonymous()),
        (
            "admin".to_owned(),
            Actor {
                user_id: Some(1),
                home: None,
                admin: true,
                role_assignments: vec![],
            },
        ),
        (
            "signed in, no role".to_owned(),
            Actor {
                user_id: Some(2),
                home: Some(gss(HARINGEY)),
                admin: false,
                role_assignments: vec![],
            },
        ),
    ];
    for role in Role::ALL {
        for home in [HARINGEY, WALTHAM_FOREST] {
            out.push((
                format!("{role} of {home} in p1"),
                Actor {
                    user_id: Some(3),
                    home: Some(gss(home)),
                    admin: false,
                    role_assignments: vec![RoleAssignment {
                        partnership_id: p1,
                        role,
                    }],
                },
            ));
        }
        out.push((
            format!("{role} in p2 with no home council"),
            Actor {
                user_id: Some(4),
                home: None,
                admin: false,
                role_assignments: vec![RoleAssignment {
                    partnership_id: p2,
                    role,
                }],
            },
        ));
    }
    out.push((
        "officer in p1 and information in p2".to_owned(),
        Actor {
            user_id: Some(5),
            home: Some(gss(HARINGEY)),
            admin: false,
            role_assignments: vec![
                RoleAssignment {
                    partnership_id: p1,
                    role: Role::Officer,
                },
                RoleAssignment {
                    partnership_id: p2,
                    role: Role::Information,
                },
            ],
        },
    ));
    out
}

#[tokio::test]
async fn sql_filtering_matches_the_policy_for_every_actor_and_record() {
    let dir = tempfile::tempdir().unwrap();
    let today = d(2011, 7, 21);
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let (p1, p2) = setup(&*store).await;
        let change = Change::by("test");
        let mut stored = Vec::new();
        for (i, meta) in metas(p1, p2, today).into_iter().enumerate() {
            let input = RecordInput::new(
                "paper",
                meta.clone(),
                format!("record {i}"),
                &serde_json::json!({"i": i}),
            )
            .unwrap();
            stored.push((store.insert_record(&input, &change).await.unwrap(), meta));
        }
        assert!(
            stored.len() > 100,
            "{backend}: the combinations cover the space"
        );
        for (name, actor) in actors(p1, p2) {
            let scope = ReadScope::of(&actor);
            let expected: BTreeSet<i64> = stored
                .iter()
                .filter(|(_, m)| scope.permits(m, today))
                .map(|(id, _)| *id)
                .collect();
            let mut got = BTreeSet::new();
            for pid in [Some(p1), Some(p2), None] {
                let query = RecordQuery {
                    kind: "paper".into(),
                    partnership_id: pid,
                    ..RecordQuery::default()
                };
                let rows = store.records(&query, &scope, today).await.unwrap();
                if pid.is_some() {
                    assert_eq!(
                        store.count_records(&query, &scope, today).await.unwrap(),
                        rows.len() as i64
                    );
                }
                got.extend(
                    rows.iter()
                        .filter(|r| r.meta.partnership_id == pid)
                        .map(|r| r.id),
                );
            }
            assert_eq!(got, expected, "{backend}: {name}");
            for (id, _) in &stored {
                let one = store.record(*id, &scope, today).await.unwrap();
                assert_eq!(
                    one.is_some(),
                    expected.contains(id),
                    "{backend}: {name}, record {id}"
                );
            }
        }
        store.close().await;
    }
}

/// An opportunity of partnership `p`, raised by Haringey, accepted by Waltham Forest and being
/// assessed, numbered `number`.
fn assessed_opportunity(p: &Partnership, number: u32) -> Opportunity {
    let mut o = Opportunity::raise(
        p,
        Service::parse("Legal Services", "legal").unwrap(),
        &NewOpportunity {
            scope: format!("Opportunity {number}"),
            originating: HARINGEY.into(),
            wave: None,
            phase: Some(number % 3 + 1),
            size: None,
        },
        d(2011, 1, 10),
        "test",
    )
    .unwrap();
    o.number = number;
    o.offer(p, d(2011, 1, 11), "test").unwrap();
    o.respond(
        &gss(WALTHAM_FOREST),
        ResponseKind::Accept,
        d(2011, 1, 12),
        "test",
        "",
    )
    .unwrap();
    o.change_status(&StatusRequest {
        to: Status::Assessing,
        on: d(2011, 1, 13),
        by: "test".into(),
        reason: String::new(),
        gateway: None,
    })
    .unwrap();
    o
}

/// The gateway's tables apply the same rule: every class of an opportunity and of a council's
/// ratings (a council-only draft stays with its council), for every actor, listed, counted,
/// read one by one, read as the matrix reads ratings and tallied, exactly as
/// `ReadScope::permits` says.
#[tokio::test]
async fn the_gateway_tables_filter_by_the_policy_too() {
    let dir = tempfile::tempdir().unwrap();
    let today = d(2011, 7, 21);
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let (p1, p2) = setup(&*store).await;
        let change = Change::by("test");
        let all_metas = metas(p1, p2, today);
        let mut tx = store.write().await.unwrap();
        // Every class of opportunity, and every class of a council's ratings of a published one.
        let mut opportunities: Vec<(i64, u32, RecordMeta)> = Vec::new();
        let mut ratings: Vec<(i64, i64, RecordMeta)> = Vec::new();
        let published_set = tx
            .insert_criteria_set(p1, &CriteriaSet::default(), &change)
            .await
            .unwrap();
        let second_set = tx
            .insert_criteria_set(p2, &CriteriaSet::default(), &change)
            .await
            .unwrap();
        for meta in all_metas.iter().filter(|m| m.partnership_id.is_some()) {
            let pid = meta.partnership_id.unwrap();
            let p = store.partnership(pid).await.unwrap().unwrap();
            let set = if pid == p1 {
                &published_set
            } else {
                &second_set
            };
            let number = tx.last_opportunity_number(pid).await.unwrap() + 1;
            let o = assessed_opportunity(&p, number);
            if meta.area == Area::Programme {
                let saved = tx.insert_opportunity(meta, &o, &change).await.unwrap();
                opportunities.push((pid, number, meta.clone()));
                assert_eq!(saved.version, 1);
            }
            // The ratings are Haringey's, of an opportunity anyone may read.
            let opportunity_meta = RecordMeta::published(Area::Programme, Some(pid));
            let saved = tx
                .insert_opportunity(
                    &opportunity_meta,
                    &assessed_opportunity(&p, number + 1),
                    &change,
                )
                .await
                .unwrap();
            opportunities.push((pid, number + 1, opportunity_meta));
            let councils = councils_of(&saved.opportunity, ToString::to_string);
            let inputs = vec![RatingInput {
                council: HARINGEY.into(),
                criterion: "Risk".into(),
                rating: "G".into(),
                rationale: "No obstacle".into(),
                evidence: None,
            }];
            let part = rate(
                &saved.opportunity,
                &set.set,
                &councils,
                &[],
                &inputs,
                d(2011, 2, 1),
                "test",
            )
            .unwrap()
            .pop()
            .unwrap();
            let ratings_meta = RecordMeta {
                area: Area::Assessment,
                ..meta.clone()
            };
            let stored = tx
                .insert_council_ratings(&ratings_meta, &saved, set, &part, &change)
                .await
                .unwrap();
            ratings.push((pid, stored.record_id, ratings_meta));
        }
        tx.commit().await.unwrap();
        assert!(
            ratings.len() > 40,
            "{backend}: the combinations cover the space"
        );
        let everything = OpportunityFilter::default();
        let page = OpportunityPage {
            limit: 1000,
            ..OpportunityPage::default()
        };
        for (name, actor) in actors(p1, p2) {
            let scope = ReadScope::of(&actor);
            for pid in [p1, p2] {
                let expected: BTreeSet<u32> = opportunities
                    .iter()
                    .filter(|(p, _, m)| *p == pid && scope.permits(m, today))
                    .map(|(_, n, _)| *n)
                    .collect();
                let got: BTreeSet<u32> = store
                    .opportunities(pid, &everything, &page, &scope, today)
                    .await
                    .unwrap()
                    .iter()
                    .map(|o| o.opportunity.number)
                    .collect();
                assert_eq!(got, expected, "{backend}: {name}, partnership {pid}");
                let count = store
                    .count_opportunities(pid, &everything, &scope, today)
                    .await
                    .unwrap();
                assert_eq!(count, expected.len() as i64, "{backend}: {name}");
                for (p, number, _) in opportunities.iter().filter(|(p, _, _)| *p == pid) {
                    let one = store.opportunity(*p, *number, &scope, today).await.unwrap();
                    assert_eq!(
                        one.is_some(),
                        expected.contains(number),
                        "{backend}: {name}, opportunity {number}"
                    );
                }
                let tallies: BTreeSet<i64> = store
                    .gateway_tallies(pid, None, &scope, today)
                    .await
                    .unwrap()
                    .iter()
                    .map(|t| t.opportunity_id)
                    .collect();
                assert_eq!(tallies.len(), expected.len(), "{backend}: {name}, tallies");
                let expected_ratings: BTreeSet<i64> = ratings
                    .iter()
                    .filter(|(p, _, m)| *p == pid && scope.permits(m, today))
                    .map(|(_, id, _)| *id)
                    .collect();
                let got_ratings: BTreeSet<i64> = store
                    .council_ratings(pid, None, &scope, today)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.record_id)
                    .collect();
                assert_eq!(
                    got_ratings, expected_ratings,
                    "{backend}: {name}, ratings in partnership {pid}"
                );
                // The tally counts only the ratings the reader may see.
                let rated: u32 = store
                    .gateway_tallies(pid, None, &scope, today)
                    .await
                    .unwrap()
                    .iter()
                    .map(|t| t.rated)
                    .sum();
                assert_eq!(rated as usize, expected_ratings.len(), "{backend}: {name}");
                let sets = store.criteria_sets(pid, &scope, today).await.unwrap();
                assert_eq!(sets.len(), 1, "{backend}: criteria sets are published");
            }
        }
        // Another council's draft stays with it: Waltham Forest's officer does not see
        // Haringey's council-only ratings, Haringey's does.
        let officer = |home: &str| {
            ReadScope::of(&Actor {
                user_id: Some(5),
                home: Some(gss(home)),
                admin: false,
                role_assignments: vec![RoleAssignment {
                    partnership_id: p1,
                    role: Role::Officer,
                }],
            })
        };
        let drafts = |scope: ReadScope| {
            let store = store.clone();
            async move {
                store
                    .council_ratings(p1, None, &scope, today)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|r| r.meta.classification == Classification::Council)
                    .map(|r| r.meta.owner.unwrap().to_string())
                    .collect::<BTreeSet<String>>()
            }
        };
        assert_eq!(
            drafts(officer(WALTHAM_FOREST)).await,
            BTreeSet::from([WALTHAM_FOREST.to_owned()]),
            "{backend}"
        );
        assert_eq!(
            drafts(officer(HARINGEY)).await,
            BTreeSet::from([HARINGEY.to_owned()]),
            "{backend}"
        );
        store.close().await;
    }
}

/// A RAID item numbered `number`, for the typed-table checks.
fn raid_item(number: u32, day: NaiveDate) -> RaidItem {
    let level = |n| Level::new("level", n).unwrap();
    RaidItem {
        number,
        title: format!("Risk {number}"),
        description: String::new(),
        owner: "Programme Director".into(),
        project: None,
        raised_on: day,
        status: RaidStatus::Open,
        closed: None,
        board: BoardLevel::Projects,
        escalations: Vec::new(),
        detail: RaidDetail::Risk {
            inherent: RiskScore {
                probability: level(3),
                impact: level(4),
            },
            residual: RiskScore {
                probability: level(2),
                impact: level(4),
            },
            proximity: None,
            mitigations: Vec::new(),
        },
    }
}

/// The typed tables apply the same rule: every record class of a RAID item, for every actor,
/// listed, counted, mapped and read one by one exactly as `ReadScope::permits` says.
#[tokio::test]
async fn typed_tables_filter_by_the_policy_too() {
    let dir = tempfile::tempdir().unwrap();
    let today = d(2011, 7, 21);
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let (p1, p2) = setup(&*store).await;
        let change = Change::by("test");
        let mut stored = Vec::new();
        let metas: Vec<RecordMeta> = metas(p1, p2, today)
            .into_iter()
            .filter(|m| m.partnership_id.is_some() && m.area == Area::Programme)
            .collect();
        let mut tx = store.write().await.unwrap();
        for meta in metas {
            let pid = meta.partnership_id.unwrap();
            let number = tx.raid_rules_view(pid).await.unwrap().last_number + 1;
            let item = tx
                .insert_raid_item(&meta, &raid_item(number, today), &change)
                .await
                .unwrap();
            stored.push((pid, number, meta));
            assert_eq!(item.version, 1);
        }
        tx.commit().await.unwrap();
        assert!(
            stored.len() > 40,
            "{backend}: the combinations cover the space"
        );
        let everything = RaidFilter::default();
        let page = RaidPage {
            limit: 1000,
            ..RaidPage::default()
        };
        for (name, actor) in actors(p1, p2) {
            let scope = ReadScope::of(&actor);
            for pid in [p1, p2] {
                let expected: BTreeSet<u32> = stored
                    .iter()
                    .filter(|(p, _, m)| *p == pid && scope.permits(m, today))
                    .map(|(_, n, _)| *n)
                    .collect();
                let got: BTreeSet<u32> = store
                    .raid_items(pid, &everything, &page, &scope, today)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.item.number)
                    .collect();
                assert_eq!(got, expected, "{backend}: {name}, partnership {pid}");
                let (count, map) = store
                    .raid_summary(pid, &everything, &scope, today)
                    .await
                    .unwrap();
                assert_eq!(count, expected.len() as i64, "{backend}: {name}");
                assert_eq!(map.total() as usize, expected.len(), "{backend}: {name}");
                for (p, number, _) in stored.iter().filter(|(p, _, _)| *p == pid) {
                    let one = store.raid_item(*p, *number, &scope, today).await.unwrap();
                    assert_eq!(
                        one.is_some(),
                        expected.contains(number),
                        "{backend}: {name}, item {number}"
                    );
                }
            }
        }
        // Papers, each class in turn, filed with a published board of each partnership.
        let mut tx = store.write().await.unwrap();
        let mut boards = Vec::new();
        for pid in [p1, p2] {
            let partnership = store.partnership(pid).await.unwrap().unwrap();
            let board = accord_domain::board::Board::new(
                accord_domain::board::BoardLevel::Programme,
                &partnership,
                today,
            )
            .unwrap();
            let meta = RecordMeta::published(Area::Governance, Some(pid));
            boards.push(tx.insert_board(&meta, &board, &change).await.unwrap());
        }
        let mut papers = Vec::new();
        for (n, mut meta) in stored.iter().map(|(_, _, m)| m.clone()).enumerate() {
            meta.area = Area::Governance;
            let board = boards
                .iter()
                .find(|b| b.meta.partnership_id == meta.partnership_id)
                .unwrap();
            let body = accord_store::governance::PaperBody {
                meeting: 1,
                paper: accord_domain::board::Paper {
                    number: u32::try_from(n).unwrap() + 1,
                    title: format!("Paper {n}"),
                    author: "Programme Director".into(),
                    informs: None,
                    release: accord_domain::board::PaperRelease::Embargoed,
                },
                summary: String::new(),
            };
            let paper = tx
                .insert_paper(&meta, board.record_id, &body, None, &change)
                .await
                .unwrap();
            papers.push((board.record_id, paper.record_id, meta));
        }
        tx.commit().await.unwrap();
        for (name, actor) in actors(p1, p2) {
            let scope = ReadScope::of(&actor);
            for board in &boards {
                let expected: BTreeSet<i64> = papers
                    .iter()
                    .filter(|(b, _, m)| *b == board.record_id && scope.permits(m, today))
                    .map(|(_, id, _)| *id)
                    .collect();
                let got: BTreeSet<i64> = store
                    .papers(board.record_id, &scope, today)
                    .await
                    .unwrap()
                    .iter()
                    .map(|p| p.record_id)
                    .collect();
                assert_eq!(got, expected, "{backend}: papers for {name}");
            }
        }
        store.close().await;
    }
}

/// The finance tables apply the same rule: every record class of a business case, an
/// allocation, a ledger line and a funding award, for every actor, listed, counted, summed and
/// read one by one exactly as `ReadScope::permits` says. A council's draft stays with its
/// council.
#[tokio::test]
async fn finance_tables_filter_by_the_policy_too() {
    use accord_domain::finance::funding::{ConditionStatus, FundingAward, Tranche};
    use accord_domain::finance::saving::{Recurrence, Saving};
    use accord_domain::{FinancialYear, Money};
    use accord_store::finance::Page;
    use accord_store::finance::allocations::{AllocationRecord, CoreStatus};
    use accord_store::finance::business_cases::BusinessCaseRecord;
    use accord_store::finance::savings::{SavingsPage, TotalsBy};
    let dir = tempfile::tempdir().unwrap();
    let today = d(2011, 7, 21);
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let (p1, p2) = setup(&*store).await;
        let change = Change::by("test");
        let councils = vec![gss(HARINGEY), gss(WALTHAM_FOREST)];
        let year = FinancialYear::starting(2012).unwrap();
        let metas: Vec<RecordMeta> = metas(p1, p2, today)
            .into_iter()
            .filter(|m| m.partnership_id.is_some() && m.classification != Classification::Personal)
            .map(|m| RecordMeta {
                area: Area::Finance,
                ..m
            })
            .collect();
        // (partnership, number, meta) of each kind's rows, in the order written.
        let mut stored = Vec::new();
        let mut tx = store.write().await.unwrap();
        for meta in &metas {
            let case = BusinessCaseRecord {
                name: "Case".into(),
                stage: None,
                decision: accord_domain::finance::CaseDecision::NotClear,
                councils: councils.clone(),
                opportunity_record_id: None,
                base_year: None,
                appraisal_years: 10,
                preferred_option: None,
                financial_npv: None,
                projected_saving: None,
                illustrative: None,
                source: None,
                case: serde_json::json!({"name": "Case"}),
                appraisal: None,
            };
            let number = tx
                .insert_business_case(meta, &case, &change)
                .await
                .unwrap()
                .number;
            let allocation = AllocationRecord {
                title: "Split".into(),
                business_case_record_id: None,
                councils: councils.clone(),
                joining: Vec::new(),
                driver: accord_domain::finance::Driver::Population,
                status: CoreStatus::NotComputed,
                illustrative: None,
                source: None,
                inputs: serde_json::json!({}),
                driver_used: None,
                result: None,
            };
            assert_eq!(
                tx.insert_allocation(meta, &allocation, &change)
                    .await
                    .unwrap()
                    .number,
                number
            );
            let saving = Saving {
                project: "Payroll".into(),
                project_record_id: None,
                milestone: None,
                council: meta.owner.clone().unwrap_or_else(|| gss(HARINGEY)),
                financial_year: year,
                planned: Money::from_pence(100),
                forecast: None,
                achieved: None,
                cashable: true,
                recurrence: Recurrence::Recurring,
                brag: None,
                in_mtfs: true,
                note: None,
                source: None,
            };
            assert_eq!(
                tx.insert_saving(meta, &saving, &change)
                    .await
                    .unwrap()
                    .number,
                number
            );
            let award = FundingAward {
                name: "Award".into(),
                funder: "Funder".into(),
                purpose: String::new(),
                business_case_record_id: None,
                tranches: vec![Tranche {
                    financial_year: year,
                    awarded: Money::from_pence(100),
                    condition: None,
                    condition_status: ConditionStatus::None,
                    drawn: None,
                    spent: None,
                }],
                source: None,
            };
            assert_eq!(
                tx.insert_funding_award(meta, &award, &change)
                    .await
                    .unwrap()
                    .number,
                number
            );
            stored.push((meta.partnership_id.unwrap(), number, meta.clone()));
        }
        tx.commit().await.unwrap();
        assert!(
            stored.len() > 40,
            "{backend}: the combinations cover the space"
        );
        let page = Page {
            limit: 1000,
            ..Page::default()
        };
        let ledger_page = SavingsPage {
            limit: 1000,
            ..SavingsPage::default()
        };
        for (name, actor) in actors(p1, p2) {
            let scope = ReadScope::of(&actor);
            for pid in [p1, p2] {
                let expected: BTreeSet<u32> = stored
                    .iter()
                    .filter(|(p, _, m)| *p == pid && scope.permits(m, today))
                    .map(|(_, n, _)| *n)
                    .collect();
                let numbers = |n: Vec<u32>| n.into_iter().collect::<BTreeSet<u32>>();
                let cases = store
                    .business_cases(pid, &Default::default(), &page, &scope, today)
                    .await
                    .unwrap();
                assert_eq!(
                    numbers(cases.iter().map(|s| s.number).collect()),
                    expected,
                    "{backend}: {name}, cases"
                );
                let allocations = store
                    .allocations(pid, &Default::default(), &page, &scope, today)
                    .await
                    .unwrap();
                assert_eq!(
                    numbers(allocations.iter().map(|s| s.number).collect()),
                    expected,
                    "{backend}: {name}, allocations"
                );
                let lines = store
                    .savings(pid, &Default::default(), &ledger_page, &[], &scope, today)
                    .await
                    .unwrap();
                assert_eq!(
                    numbers(lines.iter().map(|s| s.line.number).collect()),
                    expected,
                    "{backend}: {name}, ledger"
                );
                let awards = store
                    .funding_awards(pid, &Default::default(), &page, &scope, today)
                    .await
                    .unwrap();
                assert_eq!(
                    numbers(awards.iter().map(|s| s.number).collect()),
                    expected,
                    "{backend}: {name}, funding"
                );
                let n = expected.len() as i64;
                assert_eq!(
                    store
                        .count_business_cases(pid, &Default::default(), &scope, today)
                        .await
                        .unwrap(),
                    n
                );
                assert_eq!(
                    store
                        .count_allocations(pid, &Default::default(), &scope, today)
                        .await
                        .unwrap(),
                    n
                );
                assert_eq!(
                    store
                        .count_savings(pid, &Default::default(), &[], &scope, today)
                        .await
                        .unwrap(),
                    n
                );
                assert_eq!(
                    store
                        .count_funding_awards(pid, &Default::default(), &scope, today)
                        .await
                        .unwrap(),
                    n
                );
                let totals = store
                    .savings_totals(
                        pid,
                        &Default::default(),
                        &[],
                        TotalsBy::Everything,
                        &scope,
                        today,
                    )
                    .await
                    .unwrap();
                assert_eq!(
                    totals[0].total.planned,
                    Money::from_pence(100 * n),
                    "{backend}: {name}, sums"
                );
                let funding = store
                    .funding_totals(pid, &Default::default(), &scope, today)
                    .await
                    .unwrap();
                let all = funding
                    .iter()
                    .find(|(a, _)| a.is_none())
                    .map_or(Money::ZERO, |(_, s)| s.awarded);
                assert_eq!(
                    all,
                    Money::from_pence(100 * n),
                    "{backend}: {name}, funding sums"
                );
                for (p, number, meta) in stored.iter().filter(|(p, _, _)| *p == pid) {
                    let visible = expected.contains(number);
                    assert_eq!(
                        store
                            .business_case(*p, *number, &scope, today)
                            .await
                            .unwrap()
                            .is_some(),
                        visible
                    );
                    assert_eq!(
                        store
                            .allocation(*p, *number, &scope, today)
                            .await
                            .unwrap()
                            .is_some(),
                        visible
                    );
                    assert_eq!(
                        store
                            .saving(*p, *number, &scope, today)
                            .await
                            .unwrap()
                            .is_some(),
                        visible,
                        "{backend}: {name}, line {number}"
                    );
                    assert_eq!(
                        store
                            .funding_award(*p, *number, &scope, today)
                            .await
                            .unwrap()
                            .is_some(),
                        visible
                    );
                    // A council's draft line: only its council (and those who see every
                    // council's) read it.
                    let effective = meta.effective_classification(today);
                    if visible
                        && effective == Classification::Council
                        && !scope.everything_but_personal
                        && !scope.council_any.contains(p)
                    {
                        assert_eq!(
                            meta.owner, actor.home,
                            "{backend}: {name} reads another council's draft"
                        );
                    }
                }
            }
        }
        store.close().await;
    }
}

/// Delivery's tables apply the same rule: every record class of a project, an escalation, a
/// highlight report and a published progress report, for every actor, listed, counted and read
/// one by one exactly as `ReadScope::permits` says.
#[tokio::test]
async fn delivery_tables_filter_by_the_policy_too() {
    use accord_domain::highlight_report::HighlightReport;
    use accord_domain::progress_report;
    use accord_domain::project::ProjectFilter;
    use accord_store::delivery::ProjectPage;
    let dir = tempfile::tempdir().unwrap();
    let today = progress_report::demo_as_at();
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let (p1, p2) = setup(&*store).await;
        let change = Change::by("test");
        let metas: Vec<RecordMeta> = metas(p1, p2, today)
            .into_iter()
            .filter(|m| m.partnership_id.is_some() && m.area == Area::Programme)
            .collect();
        // Economic development: a phase beyond tolerance on the day, so it has an escalation.
        let project = progress_report::demo_haringey_waltham_forest().remove(0);
        let draft = accord_domain::highlight_report::demo_published()
            .unwrap()
            .draft;
        let mut stored = Vec::new();
        let mut tx = store.write().await.unwrap();
        for meta in metas {
            let pid = meta.partnership_id.unwrap();
            let number = tx.last_project_number(pid).await.unwrap() + 1;
            let p = tx
                .insert_project(&meta, number, &project, &change)
                .await
                .unwrap();
            let notice = p.project.exceptions(today)[0].notice(today);
            let e = tx.insert_escalation(&p, &notice, &change).await.unwrap();
            let mut report = HighlightReport::new(&p.project, draft.clone()).unwrap();
            report.publish(&p.project, today).unwrap();
            tx.insert_highlight(&p, &meta, 1, &report, &change)
                .await
                .unwrap();
            let version = tx.last_progress_version(pid).await.unwrap() + 1;
            let snapshot = progress_report::publish(
                progress_report::build("Update", std::slice::from_ref(&p.project), today),
                version,
                today,
            )
            .unwrap();
            let r = tx
                .insert_progress_report(&meta, &snapshot, &change)
                .await
                .unwrap();
            stored.push((
                pid,
                number,
                p.record_id,
                e.record_id,
                version,
                r.record_id,
                meta,
            ));
        }
        tx.commit().await.unwrap();
        assert!(
            stored.len() > 40,
            "{backend}: the combinations cover the space"
        );
        let everything = ProjectFilter::default();
        let page = ProjectPage {
            limit: 1000,
            ..ProjectPage::default()
        };
        for (name, actor) in actors(p1, p2) {
            let scope = ReadScope::of(&actor);
            for pid in [p1, p2] {
                let mine: Vec<_> = stored.iter().filter(|s| s.0 == pid).collect();
                let expected: BTreeSet<u32> = mine
                    .iter()
                    .filter(|s| scope.permits(&s.6, today))
                    .map(|s| s.1)
                    .collect();
                let listed: BTreeSet<u32> = store
                    .projects(pid, &everything, &page, &scope, today)
                    .await
                    .unwrap()
                    .iter()
                    .map(|p| p.number)
                    .collect();
                assert_eq!(listed, expected, "{backend}: {name}, partnership {pid}");
                let count = store
                    .count_projects(pid, &everything, &scope, today)
                    .await
                    .unwrap();
                assert_eq!(count, expected.len() as i64, "{backend}: {name}");
                let programme: BTreeSet<u32> = store
                    .programme(pid, &scope, today)
                    .await
                    .unwrap()
                    .iter()
                    .map(|p| p.number)
                    .collect();
                assert_eq!(programme, expected, "{backend}: {name}, programme");
                let escalated: BTreeSet<i64> = store
                    .escalations(pid, &scope, today)
                    .await
                    .unwrap()
                    .iter()
                    .map(|e| e.project_id)
                    .collect();
                let want: BTreeSet<i64> = mine
                    .iter()
                    .filter(|s| scope.permits(&s.6, today))
                    .map(|s| s.2)
                    .collect();
                assert_eq!(escalated, want, "{backend}: {name}, escalations");
                let versions: BTreeSet<u32> = store
                    .progress_reports(pid, &scope, today)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.version)
                    .collect();
                let want: BTreeSet<u32> = mine
                    .iter()
                    .filter(|s| scope.permits(&s.6, today))
                    .map(|s| s.4)
                    .collect();
                assert_eq!(versions, want, "{backend}: {name}, progress reports");
                for (_, number, project_id, escalation, version, report, meta) in &mine {
                    let may = scope.permits(meta, today);
                    let what = format!("{backend}: {name}, project {number}");
                    let one = store.project(pid, *number, &scope, today).await.unwrap();
                    assert_eq!(one.is_some(), may, "{what}");
                    let by_id = store
                        .project_by_id(*project_id, &scope, today)
                        .await
                        .unwrap();
                    assert_eq!(by_id.is_some(), may, "{what}");
                    let e = store
                        .escalation_by_id(*escalation, &scope, today)
                        .await
                        .unwrap();
                    assert_eq!(e.is_some(), may, "{what}: escalation");
                    let e = store
                        .project_escalations(*project_id, &scope, today)
                        .await
                        .unwrap();
                    assert_eq!(e.len(), usize::from(may), "{what}: its escalations");
                    let h = store
                        .highlight_reports(*project_id, &scope, today)
                        .await
                        .unwrap();
                    assert_eq!(h.len(), usize::from(may), "{what}: highlight reports");
                    let h = store
                        .highlight_report(*project_id, 1, &scope, today)
                        .await
                        .unwrap();
                    assert_eq!(h.is_some(), may, "{what}: highlight report 1");
                    let r = store
                        .progress_report(pid, *version, &scope, today)
                        .await
                        .unwrap();
                    assert_eq!(r.is_some(), may, "{what}: progress report");
                    let r = store.progress_by_id(*report, &scope, today).await.unwrap();
                    assert_eq!(r.is_some(), may, "{what}: progress report by id");
                }
            }
        }
        store.close().await;
    }
}

#[tokio::test]
async fn embargoes_release_on_their_date_or_decision_and_the_release_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let today = d(2011, 7, 21);
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let (p1, _) = setup(&*store).await;
        let change = Change::by("programme@haringey.gov.uk");
        let decision_meta = RecordMeta::published(Area::Governance, Some(p1));
        let decision = RecordInput::new(
            DECISION_KIND,
            decision_meta,
            "Approve the HR shared service",
            &serde_json::json!({}),
        )
        .unwrap()
        .status("pending");
        let decision_id = store.insert_record(&decision, &change).await.unwrap();
        let embargoed = |embargo: Embargo| RecordMeta {
            area: Area::Governance,
            partnership_id: Some(p1),
            owner: None,
            classification: Classification::Embargoed,
            embargo: Some(embargo),
        };
        let paper = RecordInput::new(
            "paper",
            embargoed(Embargo {
                until: None,
                decision_id: Some(decision_id),
                release_to: Classification::Published,
            }),
            "HR business case",
            &serde_json::json!({}),
        )
        .unwrap();
        let paper_id = store.insert_record(&paper, &change).await.unwrap();
        let dated = RecordInput::new(
            "paper",
            embargoed(Embargo {
                until: Some(d(2011, 8, 1)),
                decision_id: None,
                release_to: Classification::Partnership,
            }),
            "Dated paper",
            &serde_json::json!({}),
        )
        .unwrap();
        let dated_id = store.insert_record(&dated, &change).await.unwrap();

        let viewer = ReadScope::of(&Actor {
            user_id: Some(9),
            home: None,
            admin: false,
            role_assignments: vec![RoleAssignment {
                partnership_id: p1,
                role: Role::Viewer,
            }],
        });
        let anonymous = ReadScope::of(&Actor::anonymous());
        assert!(
            store
                .record(paper_id, &viewer, today)
                .await
                .unwrap()
                .is_none(),
            "{backend}"
        );
        assert!(
            store
                .record(paper_id, &anonymous, today)
                .await
                .unwrap()
                .is_none(),
            "{backend}"
        );
        assert!(
            store
                .record(dated_id, &viewer, today)
                .await
                .unwrap()
                .is_none(),
            "{backend}"
        );

        // Recording the decision releases the paper in the same transaction.
        let mut made = store
            .record(decision_id, &viewer, today)
            .await
            .unwrap()
            .unwrap()
            .to_input();
        made.status = Some(DECISION_MADE.into());
        store
            .update_record(decision_id, Some(1), &made, &change)
            .await
            .unwrap();
        let released = store
            .record(paper_id, &anonymous, today)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            released.meta.classification,
            Classification::Published,
            "{backend}"
        );

        // The dated paper is visible from its date, before and after the sweep writes it down.
        assert!(
            store
                .record(dated_id, &viewer, d(2011, 8, 1))
                .await
                .unwrap()
                .is_some(),
            "{backend}"
        );
        assert_eq!(
            store
                .release_embargoes(d(2011, 7, 31), &change)
                .await
                .unwrap(),
            0,
            "{backend}"
        );
        assert_eq!(
            store
                .release_embargoes(d(2011, 8, 1), &change)
                .await
                .unwrap(),
            1,
            "{backend}"
        );
        assert!(
            store
                .record(dated_id, &viewer, today)
                .await
                .unwrap()
                .is_some(),
            "{backend}: released for good"
        );
        assert!(
            store
                .record(dated_id, &anonymous, today)
                .await
                .unwrap()
                .is_none(),
            "{backend}: released to the partnership only"
        );

        let releases = store
            .audit_entries(
                &accord_store::AuditFilter {
                    action: Some(accord_domain::audit::AuditAction::Release),
                    ..Default::default()
                },
                10,
                0,
            )
            .await
            .unwrap();
        assert_eq!(releases.len(), 2, "{backend}");
        assert!(
            releases.iter().all(|e| e
                .record
                .reason
                .as_deref()
                .unwrap_or("")
                .starts_with("embargo ended")),
            "{backend}"
        );

        // A stale version is refused and changes nothing.
        let mut stale = released.to_input();
        stale.title = "changed".into();
        assert!(
            store
                .update_record(paper_id, Some(1), &stale, &change)
                .await
                .is_err(),
            "{backend}"
        );
        assert_eq!(
            store
                .record(paper_id, &anonymous, today)
                .await
                .unwrap()
                .unwrap()
                .title,
            "HR business case"
        );
        store.close().await;
    }
}

/// A request numbered `number`, received on `day`, with its requester taken out.
fn request(number: u32, day: NaiveDate) -> (Request, Requester, DueDates) {
    let calendar = HolidayTable::new().calendar(CalendarScope::UnitedKingdom);
    let protocol = Protocol::default();
    let ctx = Context {
        today: day,
        calendar: &calendar,
        protocol: &protocol,
    };
    let mut request = Request::receive(
        NewRequest {
            reference: format!("FOI-2011-{number:04}"),
            councils: vec![gss(HARINGEY), gss(WALTHAM_FOREST)],
            received_by: gss(WALTHAM_FOREST),
            channel: Channel::Email,
            received_at: day.and_hms_opt(9, 0, 0).unwrap(),
            requester: Requester {
                name: format!("Requester {number} (fictitious)"),
                contact: format!("requester-{number}@example.invalid"),
            },
            summary: format!("Request {number}"),
            regime: Regime::Foi,
        },
        &ctx,
    )
    .unwrap();
    let requester = request.take_requester();
    let dates = request.due_dates(&calendar, &protocol).unwrap();
    (request, requester, dates)
}

/// The register's tables apply the same rule: every record class of a request, for every
/// actor, listed, counted, aggregated and read one by one exactly as `ReadScope::permits` says;
/// and a request's requester (classified `personal`) only for those who may read personal data.
#[tokio::test]
async fn the_request_tables_filter_by_the_policy_too() {
    let dir = tempfile::tempdir().unwrap();
    let today = d(2011, 7, 21);
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let (p1, p2) = setup(&*store).await;
        let change = Change::by("test");
        let mut stored = Vec::new();
        let metas: Vec<RecordMeta> = metas(p1, p2, today)
            .into_iter()
            .filter(|m| m.partnership_id.is_some())
            .map(|m| RecordMeta {
                area: Area::Information,
                ..m
            })
            .collect();
        let mut tx = store.write().await.unwrap();
        for meta in metas {
            let pid = meta.partnership_id.unwrap();
            let number = tx.last_request_number(pid).await.unwrap() + 1;
            let (request, requester, dates) = request(number, d(2011, 7, 1));
            let saved = tx
                .insert_request(&meta, number, &request, &dates, &change)
                .await
                .unwrap();
            tx.insert_requester(&saved, &requester, &change)
                .await
                .unwrap();
            stored.push((pid, saved, meta));
        }
        tx.commit().await.unwrap();
        assert!(
            stored.len() > 40,
            "{backend}: the combinations cover the space"
        );
        let personal = |pid| RecordMeta {
            area: Area::Information,
            partnership_id: Some(pid),
            owner: None,
            classification: Classification::Personal,
            embargo: None,
        };
        let everything = RequestFilter::default();
        let page = RequestPage {
            limit: 1000,
            ..RequestPage::default()
        };
        for (name, actor) in actors(p1, p2) {
            let scope = ReadScope::of(&actor);
            for pid in [p1, p2] {
                let expected: BTreeSet<u32> = stored
                    .iter()
                    .filter(|(p, _, m)| *p == pid && scope.permits(m, today))
                    .map(|(_, s, _)| s.number)
                    .collect();
                let got: BTreeSet<u32> = store
                    .request_summaries(pid, &everything, &page, &scope, today)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.number)
                    .collect();
                assert_eq!(got, expected, "{backend}: {name}, partnership {pid}");
                let count = store
                    .count_requests(pid, &everything, &scope, today)
                    .await
                    .unwrap();
                assert_eq!(count, expected.len() as i64, "{backend}: {name}");
                let counted: u32 = store
                    .request_statistics(pid, &scope, today)
                    .await
                    .unwrap()
                    .iter()
                    .map(|g| g.count)
                    .sum();
                assert_eq!(counted as usize, expected.len(), "{backend}: {name}");
                let open = store.open_requests(pid, &scope, today).await.unwrap().len();
                assert_eq!(open, expected.len(), "{backend}: {name}");
                let sees_requesters = scope.permits(&personal(pid), today);
                for (p, saved, _) in stored.iter().filter(|(p, _, _)| *p == pid) {
                    let one = store
                        .request(*p, &saved.request.reference, &scope, today)
                        .await
                        .unwrap();
                    assert_eq!(
                        one.is_some(),
                        expected.contains(&saved.number),
                        "{backend}: {name}, request {}",
                        saved.number
                    );
                    let requester = store
                        .requester(saved.record_id, &scope, today)
                        .await
                        .unwrap();
                    assert_eq!(
                        requester.is_some(),
                        sees_requesters,
                        "{backend}: {name}, requester of {}",
                        saved.number
                    );
                }
            }
        }
        store.close().await;
    }
}

/// The request register and the RAID log count, group and page on a copy of their header's
/// access columns: the copy is taken when a row is written and follows every change of the
/// header, so an embargo released by a decision shows in the totals at once, on both backends.
#[tokio::test]
async fn the_registers_copy_of_their_headers_access_follows_it() {
    let dir = tempfile::tempdir().unwrap();
    let today = d(2011, 7, 21);
    for (backend, store) in testing::stores(dir.path()).await.unwrap() {
        let (p1, _) = setup(&*store).await;
        let change = Change::by("programme@haringey.gov.uk");
        let decision = RecordInput::new(
            DECISION_KIND,
            RecordMeta::published(Area::Governance, Some(p1)),
            "Publish the register",
            &serde_json::json!({}),
        )
        .unwrap()
        .status("pending");
        let decision_id = store.insert_record(&decision, &change).await.unwrap();
        let embargoed = |area| RecordMeta {
            area,
            partnership_id: Some(p1),
            owner: None,
            classification: Classification::Embargoed,
            embargo: Some(Embargo {
                until: None,
                decision_id: Some(decision_id),
                release_to: Classification::Published,
            }),
        };
        let mut tx = store.write().await.unwrap();
        let (request, _, dates) = request(1, d(2011, 7, 1));
        tx.insert_request(&embargoed(Area::Information), 1, &request, &dates, &change)
            .await
            .unwrap();
        tx.insert_raid_item(&embargoed(Area::Programme), &raid_item(1, today), &change)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let anonymous = ReadScope::of(&Actor::anonymous());
        let counts = async || {
            let requests = store
                .count_requests(p1, &RequestFilter::default(), &anonymous, today)
                .await
                .unwrap();
            let grouped: u32 = store
                .request_statistics(p1, &anonymous, today)
                .await
                .unwrap()
                .iter()
                .map(|g| g.count)
                .sum();
            let (raid, _) = store
                .raid_summary(p1, &RaidFilter::default(), &anonymous, today)
                .await
                .unwrap();
            (requests, grouped, raid)
        };
        assert_eq!(counts().await, (0, 0, 0), "{backend}: embargoed");

        let mut made = store
            .record(decision_id, &anonymous, today)
            .await
            .unwrap()
            .unwrap()
            .to_input();
        made.status = Some(DECISION_MADE.into());
        store
            .update_record(decision_id, Some(1), &made, &change)
            .await
            .unwrap();
        assert_eq!(
            counts().await,
            (1, 1, 1),
            "{backend}: released by the decision"
        );
        store.close().await;
    }
}
