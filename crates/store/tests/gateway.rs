//! The gateway's tables answer in SQL what the domain's rules answer in Rust, on both backends:
//! the list of opportunities filtered, sorted, paged and counted; every council's ratings read
//! back as written; and each assessment's tally — the combined rating of each criterion and
//! the outcome under its criteria set's rule — over generated programmes, for readers who see
//! different ratings. An instance of an earlier release, whose gateway records are JSON in the
//! generic table, moves them to the tables on connect without changing a record, a version or
//! the audit chain.

#![allow(clippy::unwrap_used)]

use accord_domain::access::{
    Actor, Area, Classification, ReadScope, RecordMeta, Role, RoleAssignment,
};
use accord_domain::audit::verify_chain;
use accord_domain::authority::register;
use accord_domain::gateway::{
    Combination, CouncilRatings, Counts, CriteriaSet, CriterionInput, RatingInput, RuleInput,
    combine, councils_of, rate, set_used,
};
use accord_domain::opportunity::list::{NumberFilter, OpportunityFilter, OpportunitySort};
use accord_domain::opportunity::{
    NewOpportunity, Opportunity, ProjectSize, ResponseKind, Status, StatusKind, StatusRequest,
};
use accord_domain::service::{Catalogue, Service};
use accord_domain::{GssCode, Member, MemberRole, MemberStatus, Partnership};
use accord_store::gateway::{
    GatewayTally, OpportunityCursor, OpportunityPage, StoredCouncilRatings, StoredCriteriaSet,
    StoredOpportunity,
};
use accord_store::{Change, RecordInput, Store, testing};
use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use std::collections::BTreeSet;
use std::sync::Arc;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn gss(code: &str) -> GssCode {
    GssCode::parse("gss", code).unwrap()
}

const COUNCILS: [&str; 4] = ["E09000014", "E09000031", "E09000010", "E09000012"];

/// A partnership of four London boroughs, so that majority and mean combinations of ratings
/// have more than two councils to combine.
async fn partnership(store: &dyn Store, name: &str) -> Partnership {
    let text = "local-authority-code,official-name,nice-name,gss-code,start-date,end-date,replaced-by,nation,region,local-authority-type,county-la,pop-2020,lat,long
HRY,London Borough of Haringey,Haringey,E09000014,,,,England,London,LBO,,,,
WFT,London Borough of Waltham Forest,Waltham Forest,E09000031,,,,England,London,LBO,,,,
ENF,London Borough of Enfield,Enfield,E09000010,,,,England,London,LBO,,,,
HCK,London Borough of Hackney,Hackney,E09000012,,,,England,London,LBO,,,,
";
    let change = Change::by("test");
    store
        .ensure_authorities(&register::parse(text, |_| {}).unwrap(), &change)
        .await
        .unwrap();
    let mut p = Partnership {
        id: 0,
        name: name.to_owned(),
        summary: String::new(),
        source: None,
        members: COUNCILS
            .iter()
            .map(|c| Member {
                authority: gss(c),
                role: MemberRole::Partner,
                status: MemberStatus::Active,
                joined: None,
                left: None,
            })
            .collect(),
    };
    p.id = store.create_partnership(&p, &change).await.unwrap();
    p
}

/// Service names with the cases "contains, in any case" and sorting must get right.
const NAMES: [&str; 8] = [
    "Payroll",
    "payroll administration",
    "Zoë's service",
    "İlkay street works",
    "Ærø ferries",
    "50% shared",
    "a_b services",
    "Legal Services",
];

/// One generated opportunity: how it is raised and answered, and how its councils rate it.
#[derive(Debug, Clone)]
struct Plan {
    name: usize,
    originating: usize,
    phase: Option<u32>,
    wave: Option<u32>,
    size: Option<bool>,
    /// Each other council's answer: none, accept or not ready.
    answers: [u8; 4],
    /// Deferred, with this many days to the re-evaluation date, instead of being assessed.
    deferred: Option<u32>,
    /// Which set the councils rate under (1 or 2).
    set: u32,
    /// Per council (by position in `COUNCILS`), per criterion: none, or R, A, G; and whether
    /// the council keeps its ratings to itself.
    ratings: [([u8; 6], bool); 4],
    /// A partner that accepted answers "not ready" after rating, so its ratings no longer
    /// count.
    withdraws: bool,
    /// Every council rates every criterion Green.
    all_green: bool,
}

fn plan_strategy() -> impl Strategy<Value = Plan> {
    // Mostly Green, so that some assessments pass; sometimes not rated.
    let letter = prop_oneof![1 => Just(0u8), 1 => Just(1), 2 => Just(2), 8 => Just(3)];
    let council = (prop::array::uniform6(letter), any::<bool>());
    (
        (
            0usize..NAMES.len(),
            0usize..4,
            prop::option::of(1u32..4),
            prop::option::of(1u32..3),
            prop::option::of(any::<bool>()),
        ),
        prop::array::uniform4(0u8..3),
        prop::option::weighted(0.15, 1u32..400),
        1u32..=2,
        prop::array::uniform4(council),
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(
                (name, originating, phase, wave, size),
                answers,
                deferred,
                set,
                ratings,
                withdraws,
                all_green,
            )| {
                Plan {
                    name,
                    originating,
                    phase,
                    wave,
                    size,
                    answers,
                    deferred,
                    set,
                    ratings,
                    withdraws,
                    all_green,
                }
            },
        )
}

fn rule_strategy() -> impl Strategy<Value = (Vec<CriterionInput>, RuleInput)> {
    (
        prop::collection::vec((0u32..4, any::<bool>()), 3..=6),
        0usize..3,
        any::<bool>(),
        0u32..=10,
        prop::option::of(0i64..4),
    )
        .prop_map(
            |(weights, combination, critical_red_fails, threshold, max)| {
                let criteria = weights
                    .iter()
                    .enumerate()
                    .map(|(i, (w, critical))| CriterionInput {
                        name: format!("Criterion {i}"),
                        // At least one weight above zero.
                        weight: if i == 0 {
                            f64::from(*w + 1)
                        } else {
                            f64::from(*w) / 2.0
                        },
                        critical: *critical,
                    })
                    .collect();
                let rule = RuleInput {
                    combination: Some(Combination::ALL[combination].slug().to_owned()),
                    critical_red_fails: Some(critical_red_fails),
                    threshold: Some(f64::from(threshold) / 10.0),
                    max_ambers: Some(max),
                };
                (criteria, rule)
            },
        )
}

fn meta_of(pid: i64, owner: &GssCode, classification: Classification, area: Area) -> RecordMeta {
    RecordMeta {
        area,
        partnership_id: Some(pid),
        owner: Some(owner.clone()),
        classification,
        embargo: None,
    }
}

fn request(to: Status, on: NaiveDate) -> StatusRequest {
    StatusRequest {
        to,
        on,
        by: "test".into(),
        reason: String::new(),
        gateway: None,
    }
}

/// Writes a generated programme through the write transaction, as the use cases write it.
async fn write_programme(
    store: &dyn Store,
    p: &Partnership,
    plans: &[Plan],
    second: &(Vec<CriterionInput>, RuleInput),
) -> (Vec<StoredCriteriaSet>, Vec<StoredOpportunity>) {
    let change = Change::by("test");
    let mut tx = store.write().await.unwrap();
    // The catalogue is the instance's: each generated programme uses the same services.
    let existing = tx.services_for_change().await.unwrap();
    let mut services = Vec::new();
    for name in NAMES {
        let service = match existing.iter().find(|s| s.service.name == name) {
            Some(s) => s.service.clone(),
            None => {
                let service = Service::parse(name, "back-office").unwrap();
                tx.insert_service(&service, &change).await.unwrap().service
            }
        };
        services.push(service);
    }
    let v1 = CriteriaSet::default();
    let v2 = v1
        .revise(&second.0, &second.1, d(2011, 2, 1), "test", "generated")
        .unwrap();
    let sets = vec![
        tx.insert_criteria_set(p.id, &v1, &change).await.unwrap(),
        tx.insert_criteria_set(p.id, &v2, &change).await.unwrap(),
    ];
    let mut stored = Vec::new();
    for plan in plans {
        let originating = gss(COUNCILS[plan.originating]);
        let mut o = Opportunity::raise(
            p,
            services[plan.name].clone(),
            &NewOpportunity {
                scope: format!("Share {} across the councils", NAMES[plan.name]),
                originating: originating.to_string(),
                wave: plan.wave,
                phase: plan.phase,
                size: plan
                    .size
                    .map(|large| if large { "large" } else { "small" }.to_owned()),
            },
            d(2011, 1, 10),
            "test",
        )
        .unwrap();
        o.number = tx.last_opportunity_number(p.id).await.unwrap() + 1;
        let offered = plan.answers.iter().any(|a| *a > 0) || plan.deferred.is_some();
        if offered {
            o.offer(p, d(2011, 1, 11), "test").unwrap();
            for (i, code) in COUNCILS.iter().enumerate() {
                let kind = match plan.answers[i] {
                    1 => ResponseKind::Accept,
                    2 => ResponseKind::NotReady,
                    _ => continue,
                };
                if i != plan.originating {
                    o.respond(&gss(code), kind, d(2011, 1, 12), "test", "")
                        .unwrap();
                }
            }
        }
        let mut parts: Vec<CouncilRatings> = Vec::new();
        let mut classes: Vec<Classification> = Vec::new();
        if let Some(days) = plan.deferred {
            o.change_status(&request(
                Status::Deferred {
                    re_evaluate: d(2011, 7, 1) + chrono::Duration::days(i64::from(days)),
                },
                d(2011, 1, 20),
            ))
            .unwrap();
        } else if o.has_acceptance() {
            o.change_status(&request(Status::Assessing, d(2011, 1, 13)))
                .unwrap();
            let set = &sets[plan.set as usize - 1].set;
            let councils = councils_of(&o, ToString::to_string);
            for council in &councils {
                let k = COUNCILS
                    .iter()
                    .position(|c| *c == council.gss.as_str())
                    .unwrap();
                let (mut letters, own) = plan.ratings[k];
                if plan.all_green {
                    letters = [3; 6];
                }
                let inputs: Vec<RatingInput> = set
                    .criteria
                    .criteria
                    .iter()
                    .zip(letters)
                    .filter(|(_, l)| *l > 0)
                    .map(|(c, l)| RatingInput {
                        council: council.gss.to_string(),
                        criterion: c.name.clone(),
                        rating: ["R", "A", "G"][usize::from(l - 1)].to_owned(),
                        rationale: format!("{} on {}", council.gss, c.name),
                        evidence: None,
                    })
                    .collect();
                if inputs.is_empty() {
                    continue;
                }
                let mut rated =
                    rate(&o, set, &councils, &parts, &inputs, d(2011, 2, 2), "test").unwrap();
                for part in &mut rated {
                    part.illustrative = (k + plan.name) % 3 == 0;
                }
                parts.extend(rated);
                classes.push(if own {
                    Classification::Council
                } else {
                    Classification::Partnership
                });
            }
            if plan.withdraws
                && let Some(partner) = o
                    .offers
                    .iter()
                    .find(|x| x.accepted())
                    .map(|x| x.partner.clone())
            {
                o.respond(&partner, ResponseKind::NotReady, d(2011, 3, 1), "test", "")
                    .unwrap();
            }
        }
        let meta = meta_of(
            p.id,
            &originating,
            Classification::Partnership,
            Area::Programme,
        );
        let saved = tx.insert_opportunity(&meta, &o, &change).await.unwrap();
        assert_eq!(saved.opportunity.reference(), o.reference());
        for (part, class) in parts.iter().zip(classes) {
            let set = &sets[part.criteria_version as usize - 1];
            let meta = meta_of(p.id, &part.council, class, Area::Assessment);
            tx.insert_council_ratings(&meta, &saved, set, part, &change)
                .await
                .unwrap();
        }
        // A change to the opportunity after it was rated keeps its ratings.
        let mut revised = saved.opportunity.clone();
        revised.scope.push_str(" (revised)");
        let saved = tx
            .update_opportunity(&saved, &revised, &change)
            .await
            .unwrap();
        assert_eq!(saved.version, 2);
        stored.push(saved);
    }
    tx.commit().await.unwrap();
    (sets, stored)
}

fn readers(pid: i64) -> Vec<(&'static str, ReadScope)> {
    let user = |home: Option<&str>, role| {
        ReadScope::of(&Actor {
            user_id: Some(7),
            home: home.map(gss),
            admin: false,
            role_assignments: vec![RoleAssignment {
                partnership_id: pid,
                role,
            }],
        })
    };
    vec![
        ("everything", testing::everything()),
        ("Haringey officer", user(Some(COUNCILS[0]), Role::Officer)),
        ("Enfield officer", user(Some(COUNCILS[2]), Role::Officer)),
        ("councillor", user(Some(COUNCILS[1]), Role::Viewer)),
        ("anonymous", ReadScope::of(&Actor::anonymous())),
    ]
}

/// What the domain makes of one opportunity's ratings as a reader sees them: the version its
/// assessment uses, ratings given and needed, each criterion's combined rating where every
/// council has rated it, and the outcome and score when complete.
fn expected_tally(
    o: &Opportunity,
    sets: &[StoredCriteriaSet],
    visible: &[CouncilRatings],
) -> (
    u32,
    u32,
    u32,
    Vec<Option<accord_domain::gateway::Rating>>,
    Option<(accord_domain::gateway::Outcome, f64)>,
    bool,
) {
    let version = set_used(visible, sets.last().unwrap().set.version());
    let set = &sets[version as usize - 1].set;
    let councils = councils_of(o, ToString::to_string);
    let under: Vec<CouncilRatings> = visible
        .iter()
        .filter(|p| p.criteria_version == version)
        .cloned()
        .collect();
    let counted: Vec<&CouncilRatings> = under
        .iter()
        .filter(|p| councils.iter().any(|c| c.gss == p.council))
        .collect();
    let rated = counted.iter().map(|p| p.ratings.len()).sum::<usize>() as u32;
    let needed = (set.criteria.criteria.len() * councils.len()) as u32;
    let combined = set
        .criteria
        .criteria
        .iter()
        .map(|c| {
            let mut counts = Counts::default();
            for council in &councils {
                let part = counted.iter().find(|p| p.council == council.gss)?;
                counts.add(part.rating_of(&c.name)?.rating);
            }
            Some(set.rule.combination.combine(counts))
        })
        .collect();
    let outcome = combine(set, councils, &under)
        .ok()
        .map(|a| a.report().unwrap())
        .map(|r| (r.outcome, r.score));
    let illustrative = under.iter().any(|p| p.illustrative);
    (version, rated, needed, combined, outcome, illustrative)
}

#[test]
fn sql_tallies_lists_and_ratings_match_the_domain() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stores = runtime.block_on(testing::stores(dir.path())).unwrap();
    for (backend, store) in stores {
        let store: Arc<dyn Store> = store;
        let today = d(2011, 7, 21);
        // Several generated programmes, each checked for every reader.
        let mut runner = TestRunner::deterministic();
        let mut seen_outcomes = BTreeSet::new();
        let mut incomplete = 0;
        for round in 0..4 {
            let plans: Vec<Plan> = (0..40)
                .map(|_| plan_strategy().new_tree(&mut runner).unwrap().current())
                .collect();
            let second = rule_strategy().new_tree(&mut runner).unwrap().current();
            let (p, sets, stored) = runtime.block_on(async {
                let p = partnership(&*store, &format!("Generated {round}")).await;
                let (sets, stored) = write_programme(&*store, &p, &plans, &second).await;
                (p, sets, stored)
            });
            for (reader, scope) in readers(p.id) {
                let (tallies, ratings) = runtime.block_on(async {
                    (
                        store
                            .gateway_tallies(p.id, None, &scope, today)
                            .await
                            .unwrap(),
                        store
                            .council_ratings(p.id, None, &scope, today)
                            .await
                            .unwrap(),
                    )
                });
                let shown: Vec<&StoredOpportunity> = stored
                    .iter()
                    .filter(|o| scope.permits(&o.meta, today))
                    .collect();
                assert_eq!(tallies.len(), shown.len(), "{backend} {reader}");
                for o in shown {
                    let visible: Vec<CouncilRatings> = ratings
                        .iter()
                        .filter(|r| r.opportunity_id == o.record_id)
                        .map(|r: &StoredCouncilRatings| r.ratings.clone())
                        .collect();
                    let tally: &GatewayTally = tallies
                        .iter()
                        .find(|t| t.opportunity_id == o.record_id)
                        .unwrap();
                    let (version, rated, needed, combined, outcome, illustrative) =
                        expected_tally(&o.opportunity, &sets, &visible);
                    let what = format!("{backend} round {round}, {reader}, {o:?}");
                    assert_eq!(tally.criteria_version, Some(version), "{what}");
                    assert_eq!((tally.rated, tally.needed), (rated, needed), "{what}");
                    assert_eq!(tally.combined, combined, "{what}");
                    assert_eq!(tally.illustrative, illustrative, "{what}");
                    let got = tally.outcome.map(|outcome| {
                        let points = tally.points.unwrap();
                        (outcome, points as f64 / (2.0 * tally.total_weight as f64))
                    });
                    assert_eq!(got, outcome, "{what}");
                    match outcome {
                        Some((o, _)) => {
                            seen_outcomes.insert(o);
                        }
                        None if rated > 0 => incomplete += 1,
                        None => {}
                    }
                }
            }
            // Every rating the writer stored reads back, for a reader who sees them all.
            let all = runtime
                .block_on(store.council_ratings(p.id, None, &testing::everything(), today))
                .unwrap();
            for part in &all {
                let mine = runtime
                    .block_on(store.council_ratings(
                        p.id,
                        Some(part.opportunity_id),
                        &testing::everything(),
                        today,
                    ))
                    .unwrap();
                assert!(mine.contains(part), "{backend}");
                assert!(!part.ratings.ratings.is_empty(), "{backend}");
            }
            // A reader sees another council's draft only with the programme team's reach.
            let haringey = &readers(p.id)[1].1;
            let seen = runtime
                .block_on(store.council_ratings(p.id, None, haringey, today))
                .unwrap();
            assert!(
                seen.iter()
                    .all(|r| r.meta.classification != Classification::Council
                        || r.ratings.council.as_str() == COUNCILS[0]),
                "{backend}: another council's draft leaked"
            );
            if round == 0 {
                check_lists(&runtime, &*store, &p, &stored, backend);
            }
        }
        // The generated programmes reach every outcome, and incomplete assessments too.
        assert_eq!(seen_outcomes.len(), 3, "{backend}: {seen_outcomes:?}");
        assert!(incomplete > 0, "{backend}");
        runtime.block_on(store.close());
    }
}

fn filter_strategy() -> impl Strategy<Value = OpportunityFilter> {
    let needle = prop::sample::select(vec![
        "", "pay", "PAY", "zoë", "ZOË", "i", "İ", "%", "_", "a_b", "opp-1", "OPP-2", "ærø",
        "services", "share",
    ]);
    let number = prop_oneof![
        Just(NumberFilter::Any),
        Just(NumberFilter::NotStated),
        (1u32..4).prop_map(NumberFilter::Is),
    ];
    (
        number.clone(),
        number,
        prop::option::of(prop::sample::select(StatusKind::ALL.to_vec())),
        prop::option::of(0usize..4),
        prop::option::of(any::<bool>()),
        needle,
        prop::option::of(0u32..500),
    )
        .prop_map(
            |(phase, wave, status, originating, size, text, by)| OpportunityFilter {
                phase,
                wave,
                status,
                originating: originating.map(|i| gss(COUNCILS[i])),
                size: size.map(|large| {
                    if large {
                        ProjectSize::Large
                    } else {
                        ProjectSize::Small
                    }
                }),
                text: Some(text.to_owned()).filter(|t| !t.is_empty()),
                re_evaluate_by: by
                    .map(|days| d(2011, 7, 1) + chrono::Duration::days(i64::from(days))),
            },
        )
}

/// The list's filters, orders, pages (numbered and keyset) and counts against the domain's.
fn check_lists(
    runtime: &tokio::runtime::Runtime,
    store: &dyn Store,
    p: &Partnership,
    stored: &[StoredOpportunity],
    backend: &str,
) {
    let scope = testing::everything();
    let today = d(2011, 7, 21);
    let all: Vec<&Opportunity> = stored.iter().map(|s| &s.opportunity).collect();
    let mut runner = TestRunner::new(Config {
        cases: 128,
        ..Config::default()
    });
    runner
        .run(
            &(
                filter_strategy(),
                prop::sample::select(OpportunitySort::ALL.to_vec()),
                1i64..15,
                0i64..20,
            ),
            |(filter, sort, limit, offset)| {
                let mut expected: Vec<&Opportunity> =
                    all.iter().copied().filter(|o| filter.matches(o)).collect();
                expected.sort_by(|a, b| sort.compare(a, b));
                let numbers = |items: &[StoredOpportunity]| -> Vec<u32> {
                    items.iter().map(|s| s.opportunity.number).collect()
                };
                let (page, count) = runtime.block_on(async {
                    let page = store
                        .opportunities(
                            p.id,
                            &filter,
                            &OpportunityPage {
                                sort,
                                after: None,
                                offset,
                                limit,
                            },
                            &scope,
                            today,
                        )
                        .await
                        .unwrap();
                    let count = store
                        .count_opportunities(p.id, &filter, &scope, today)
                        .await
                        .unwrap();
                    (page, count)
                });
                let want: Vec<u32> = expected
                    .iter()
                    .skip(offset as usize)
                    .take(limit as usize)
                    .map(|o| o.number)
                    .collect();
                prop_assert_eq!(
                    numbers(&page),
                    want,
                    "{}: {:?} by {:?}",
                    backend,
                    filter,
                    sort
                );
                prop_assert_eq!(count, expected.len() as i64, "{}: count", backend);
                // The keyset page after the `offset`-th opportunity of the order.
                if let Some(cursor) = expected.get(offset as usize) {
                    let after = runtime
                        .block_on(store.opportunities(
                            p.id,
                            &filter,
                            &OpportunityPage {
                                sort,
                                after: Some(OpportunityCursor {
                                    key: sort.key(cursor),
                                    number: cursor.number,
                                }),
                                offset: 0,
                                limit,
                            },
                            &scope,
                            today,
                        ))
                        .unwrap();
                    let want: Vec<u32> = expected
                        .iter()
                        .skip(offset as usize + 1)
                        .take(limit as usize)
                        .map(|o| o.number)
                        .collect();
                    prop_assert_eq!(numbers(&after), want, "{}: keyset by {:?}", backend, sort);
                }
                for s in &page {
                    prop_assert_eq!(&s.opportunity, all[s.opportunity.number as usize - 1]);
                }
                Ok(())
            },
        )
        .unwrap();
    // The facets are the phases and waves in use.
    let facets = runtime
        .block_on(store.opportunity_facets(p.id, &scope, today))
        .unwrap();
    let phases: BTreeSet<u32> = all.iter().filter_map(|o| o.phase).collect();
    let waves: BTreeSet<u32> = all.iter().filter_map(|o| o.wave).collect();
    assert_eq!(
        facets.phases,
        phases.into_iter().collect::<Vec<_>>(),
        "{backend}"
    );
    assert_eq!(
        facets.waves,
        waves.into_iter().collect::<Vec<_>>(),
        "{backend}"
    );
}

#[tokio::test]
async fn an_earlier_release_moves_its_gateway_records_on_connect() {
    let dir = tempfile::tempdir().unwrap();
    let url = testing::sqlite_url(dir.path());
    let store = accord_store::connect(&url).await.unwrap();
    let p = partnership(&*store, "Earlier release").await;
    let change = Change::by("test");
    // As the earlier release wrote them: JSON bodies in the generic table, some changed since.
    let published = RecordMeta::published(Area::Programme, None);
    let mut services = Vec::new();
    for service in Catalogue::seeded().services.into_iter().take(3) {
        let input = RecordInput::new("service", published.clone(), service.name.clone(), &service)
            .unwrap()
            .status(service.category.slug());
        let id = store.insert_record(&input, &change).await.unwrap();
        services.push(Service { id, ..service });
    }
    // Version 2 stored; version 1 was the built-in default, never stored.
    let v2 = CriteriaSet::default()
        .revise(
            &CriteriaSet::default().criteria.to_inputs(),
            &RuleInput {
                threshold: Some(0.8),
                ..RuleInput::default()
            },
            d(2011, 3, 1),
            "pd",
            "stricter",
        )
        .unwrap();
    let set_input = RecordInput::new(
        "criteria",
        RecordMeta::published(Area::Partnership, Some(p.id)),
        "Gateway criteria and rule, version 2",
        &v2,
    )
    .unwrap()
    .status("2");
    let set_id = store.insert_record(&set_input, &change).await.unwrap();
    let haringey = gss(COUNCILS[0]);
    let mut opportunity_ids = Vec::new();
    let mut expected: Vec<Opportunity> = Vec::new();
    for (i, service) in services.iter().enumerate() {
        let mut o = Opportunity::raise(
            &p,
            service.clone(),
            &NewOpportunity {
                scope: format!("Opportunity {i}"),
                originating: haringey.to_string(),
                wave: Some(1),
                phase: None,
                size: None,
            },
            d(2011, 1, 10),
            "pd",
        )
        .unwrap();
        let meta = meta_of(
            p.id,
            &haringey,
            Classification::Partnership,
            Area::Programme,
        );
        let input = RecordInput::new("opportunity", meta.clone(), service.name.clone(), &o)
            .unwrap()
            .status("identified");
        let id = store.insert_record(&input, &change).await.unwrap();
        o.id = id;
        o.offer(&p, d(2011, 1, 11), "pd").unwrap();
        o.respond(
            &gss(COUNCILS[1]),
            ResponseKind::Accept,
            d(2011, 1, 12),
            "pd",
            "",
        )
        .unwrap();
        o.change_status(&request(Status::Assessing, d(2011, 1, 13)))
            .unwrap();
        let input = RecordInput::new("opportunity", meta, service.name.clone(), &o)
            .unwrap()
            .status("assessing");
        store
            .update_record(id, Some(1), &input, &change)
            .await
            .unwrap();
        opportunity_ids.push(id);
        expected.push(o);
    }
    // Haringey rated the first under the built-in version 1 and the second under version 2.
    let mut part_ids = Vec::new();
    for (o, set) in [
        (&expected[0], CriteriaSet::default()),
        (&expected[1], v2.clone()),
    ] {
        let councils = councils_of(o, ToString::to_string);
        let inputs: Vec<RatingInput> = set
            .criteria
            .criteria
            .iter()
            .map(|c| RatingInput {
                council: haringey.to_string(),
                criterion: c.name.clone(),
                rating: "A".into(),
                rationale: "Needs work".into(),
                evidence: Some("https://example.org/evidence".into()),
            })
            .collect();
        let part = rate(o, &set, &councils, &[], &inputs, d(2011, 2, 1), "officer")
            .unwrap()
            .pop()
            .unwrap();
        let meta = meta_of(p.id, &haringey, Classification::Council, Area::Assessment);
        let input = RecordInput::new("assessment", meta, "ratings", &part)
            .unwrap()
            .parent(o.id)
            .status(set.version().to_string());
        part_ids.push((store.insert_record(&input, &change).await.unwrap(), part));
    }
    let (head, _) = store.audit_head().await.unwrap();
    store.close().await;
    testing::forget_data_move(&url, "gateway").await.unwrap();

    let store = accord_store::connect(&url).await.unwrap();
    let scope = testing::everything();
    let today = d(2011, 7, 21);
    let catalogue = store.services().await.unwrap();
    assert_eq!(
        catalogue
            .iter()
            .map(|s| s.service.clone())
            .collect::<Vec<_>>(),
        services
    );
    for (n, id) in opportunity_ids.iter().enumerate() {
        let number = u32::try_from(n).unwrap() + 1;
        let moved = store
            .opportunity(p.id, number, &scope, today)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(moved.record_id, *id);
        assert_eq!(moved.version, 2, "the version is kept");
        assert_eq!(
            moved.opportunity,
            Opportunity {
                number,
                id: *id,
                partnership_id: p.id,
                ..expected[n].clone()
            }
        );
        let header = store.record(*id, &scope, today).await.unwrap().unwrap();
        assert_eq!(
            header.reference.as_deref(),
            Some(format!("OPP-{number}").as_str())
        );
        assert_eq!(header.body, serde_json::Value::Null);
    }
    let sets = store.criteria_sets(p.id, &scope, today).await.unwrap();
    let versions: Vec<u32> = sets.iter().map(|s| s.set.version()).collect();
    assert_eq!(versions, [1, 2], "the built-in version 1 is stored");
    assert_eq!(sets[1].record_id, set_id);
    assert_eq!(sets[1].set, v2);
    let ratings = store
        .council_ratings(p.id, None, &scope, today)
        .await
        .unwrap();
    assert_eq!(ratings.len(), 2);
    for (stored, (id, part)) in ratings.iter().zip(&part_ids) {
        assert_eq!(stored.record_id, *id);
        assert_eq!(&stored.ratings, part);
        assert_eq!(stored.meta.classification, Classification::Council);
    }
    // The tally reads the moved ratings: Haringey rated, Waltham Forest has not.
    let tallies = store
        .gateway_tallies(p.id, None, &scope, today)
        .await
        .unwrap();
    assert_eq!(tallies[0].criteria_version, Some(1));
    assert_eq!((tallies[0].rated, tallies[0].needed), (11, 22));
    assert_eq!(tallies[1].criteria_version, Some(2));
    // The move wrote no audit entry and the chain still verifies.
    let (after, _) = store.audit_head().await.unwrap();
    assert_eq!(after, head);
    let chain = store.audit_chain(0, 100_000).await.unwrap();
    assert!(verify_chain(&chain, 0, accord_domain::audit::GENESIS_HASH.to_owned()).is_ok());
    store.close().await;
}
