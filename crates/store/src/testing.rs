//! Support for tests in every crate: a fresh database per test, on SQLite always and on
//! PostgreSQL when `ACCORD_TEST_DATABASE_URL` names a server.

pub mod legacy;

use crate::{Result, Store, connect};
use accord_domain::finance::FinanceKind;
use sqlx::Connection;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable naming the PostgreSQL server tests may use.
pub const TEST_DATABASE_URL: &str = "ACCORD_TEST_DATABASE_URL";

/// Set (to anything) to make tests fail when no PostgreSQL server is configured.
pub const REQUIRE_POSTGRES: &str = "ACCORD_REQUIRE_POSTGRES";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A URL for a new, empty SQLite database file in `dir`.
pub fn sqlite_url(dir: &std::path::Path) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "sqlite:{}",
        dir.join(format!("accord-test-{n}.db")).display()
    )
}

/// Creates a new, empty database on the server named by `server_url` and returns its URL.
/// Each call gets its own database, so tests running in parallel never see each other's data.
pub async fn postgres_url(server_url: &str) -> Result<String> {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = chrono::Utc::now().timestamp_subsec_nanos();
    let name = format!("accord_test_{}_{n}_{nanos}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(server_url).await?;
    // The name is built from digits and a fixed prefix above, so it is safe to splice.
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server_url, String::new()),
    };
    let base = match base.rfind('/') {
        Some(slash) if slash > base.find("://").map_or(0, |i| i + 2) => &base[..slash],
        _ => base,
    };
    Ok(format!("{base}/{name}{query}"))
}

/// The backends to run a test against: SQLite always, PostgreSQL when configured. Each
/// entry is a label for messages and a fresh store.
pub async fn stores(dir: &std::path::Path) -> Result<Vec<(&'static str, Arc<dyn Store>)>> {
    let mut stores = vec![("sqlite", connect(&sqlite_url(dir)).await?)];
    match std::env::var(TEST_DATABASE_URL) {
        Ok(server) if !server.trim().is_empty() => {
            stores.push(("postgres", connect(&postgres_url(&server).await?).await?));
        }
        // CI sets ACCORD_REQUIRE_POSTGRES so a run that silently skipped PostgreSQL fails.
        _ => assert!(
            std::env::var_os(REQUIRE_POSTGRES).is_none(),
            "{REQUIRE_POSTGRES} is set but {TEST_DATABASE_URL} is not: the PostgreSQL backend would go untested"
        ),
    }
    Ok(stores)
}

/// A scope that reads every record but requesters' personal data, as the system itself reads
/// for rules (numbering, cycles); for tests that check what is stored.
pub fn everything() -> accord_domain::access::ReadScope {
    accord_domain::access::ReadScope::of(&accord_domain::access::Actor {
        admin: true,
        ..accord_domain::access::Actor::anonymous()
    })
}

/// Runs statements on the database at `url` behind Accord's back: for tests that tamper with
/// the audit trail and check that verification notices. SQL lives only in this crate, so other
/// crates' tests come here for it.
pub async fn tamper(url: &str, statements: &[&str]) -> Result<()> {
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        for sql in statements {
            sqlx::query(sql).execute(&mut conn).await?;
        }
        conn.close().await?;
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        for sql in statements {
            sqlx::query(sql).execute(&mut conn).await?;
        }
        conn.close().await?;
    }
    Ok(())
}

/// Forgets that a data move ran in the database at `url`, so the next connect runs it again:
/// for tests that build a database as an earlier release left it.
pub async fn forget_data_move(url: &str, name: &str) -> Result<()> {
    let sql = "DELETE FROM data_upgrades WHERE name = $1";
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        sqlx::query(sql).bind(name).execute(&mut conn).await?;
        conn.close().await?;
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::query(sql).bind(name).execute(&mut conn).await?;
        conn.close().await?;
    }
    Ok(())
}

/// Creates a partnership of the London Boroughs of Haringey and Waltham Forest (importing the
/// two councils first if the register lacks them) and returns its id.
pub async fn two_council_partnership(store: &dyn Store, name: &str) -> Result<i64> {
    use accord_domain::{Authority, GssCode, Member, MemberRole, MemberStatus, Partnership};
    let text = "local-authority-code,official-name,nice-name,gss-code,start-date,end-date,replaced-by,nation,region,local-authority-type,county-la,pop-2020,lat,long
HRY,London Borough of Haringey,Haringey,E09000014,,,,England,London,LBO,,,,
WFT,London Borough of Waltham Forest,Waltham Forest,E09000031,,,,England,London,LBO,,,,
";
    let change = crate::Change::by("test");
    let councils: Vec<Authority> = accord_domain::authority::register::parse(text, |_| {})?;
    store.ensure_authorities(&councils, &change).await?;
    let member = |code: &str| -> Result<Member> {
        Ok(Member {
            authority: GssCode::parse("gss", code)?,
            role: MemberRole::Partner,
            status: MemberStatus::Active,
            joined: None,
            left: None,
        })
    };
    let p = Partnership {
        id: 0,
        name: name.to_owned(),
        summary: String::new(),
        source: None,
        members: vec![member("E09000014")?, member("E09000031")?],
    };
    store.create_partnership(&p, &change).await
}

/// A record's value as Accord reads it today, whichever table holds it: the domain value of a
/// kind with a table of its own, serialised, or the body of a record of the generic table.
/// For tests that compare what a database holds with what an earlier release wrote.
pub async fn record_value(
    store: &dyn Store,
    kind: &str,
    id: i64,
    scope: &accord_domain::access::ReadScope,
    today: chrono::NaiveDate,
) -> Result<Option<serde_json::Value>> {
    match kind {
        crate::raid::RAID_KIND => {
            let Some((partnership, number)) = store.raid_number(id).await? else {
                return Ok(None);
            };
            Ok(store
                .raid_item(partnership, number, scope, today)
                .await?
                .map(|s| json(&s.item)))
        }
        crate::delivery::PROJECT_KIND => Ok(store
            .project_by_id(id, scope, today)
            .await?
            .map(|s| project_value(s.project))),
        crate::delivery::ESCALATION_KIND => Ok(store
            .escalation_by_id(id, scope, today)
            .await?
            .map(|s| json(&s.notice))),
        crate::delivery::HIGHLIGHT_KIND => Ok(store
            .highlight_by_id(id, scope, today)
            .await?
            .map(|s| json(&s.report))),
        crate::delivery::PROGRESS_KIND => Ok(store
            .progress_by_id(id, scope, today)
            .await?
            .map(|s| json(&s.snapshot))),
        crate::governance::BOARD_KIND => {
            Ok(store.board(id, scope, today).await?.map(|b| json(&b.board)))
        }
        crate::governance::PAPER_KIND => {
            Ok(store.paper(id, scope, today).await?.map(|p| json(&p.body)))
        }
        crate::records::DECISION_KIND => Ok(store
            .decision(id, scope, today)
            .await?
            .map(|d| json(&d.decision))),
        crate::gateway::SERVICE_KIND => Ok(store
            .services()
            .await?
            .into_iter()
            .find(|s| s.record_id == id)
            .map(|s| json(&without_identity_service(s.service)))),
        crate::gateway::OPPORTUNITY_KIND => {
            let Some((partnership, number)) = store.opportunity_number(id).await? else {
                return Ok(None);
            };
            Ok(store
                .opportunity(partnership, number, scope, today)
                .await?
                .map(|s| json(&without_identity_opportunity(s.opportunity))))
        }
        crate::gateway::CRITERIA_SET_KIND => {
            let Some(partnership) = header_partnership(store, id, scope, today).await? else {
                return Ok(None);
            };
            Ok(store
                .criteria_sets(partnership, scope, today)
                .await?
                .into_iter()
                .find(|s| s.record_id == id)
                .map(|s| json(&s.set)))
        }
        crate::gateway::COUNCIL_RATINGS_KIND => {
            let Some(header) = store.record(id, scope, today).await? else {
                return Ok(None);
            };
            let (Some(partnership), Some(opportunity)) =
                (header.meta.partnership_id, header.parent_id)
            else {
                return Ok(None);
            };
            Ok(store
                .council_ratings(partnership, Some(opportunity), scope, today)
                .await?
                .into_iter()
                .find(|r| r.record_id == id)
                .map(|r| json(&r.ratings)))
        }
        crate::finance::BUSINESS_CASE_KIND => {
            let Some((partnership, number)) =
                finance_number(store, id, FinanceKind::BusinessCase, scope, today).await?
            else {
                return Ok(None);
            };
            Ok(store
                .business_case(partnership, number, scope, today)
                .await?
                .map(|s| case_json(&s.value)))
        }
        crate::finance::ALLOCATION_KIND => {
            let Some((partnership, number)) =
                finance_number(store, id, FinanceKind::Allocation, scope, today).await?
            else {
                return Ok(None);
            };
            Ok(store
                .allocation(partnership, number, scope, today)
                .await?
                .map(|s| allocation_json(&s.value)))
        }
        crate::finance::SAVING_KIND => {
            let Some((partnership, number)) =
                finance_number(store, id, FinanceKind::Saving, scope, today).await?
            else {
                return Ok(None);
            };
            Ok(store
                .saving(partnership, number, scope, today)
                .await?
                .map(|s| json(&s.value)))
        }
        crate::finance::FUNDING_AWARD_KIND | crate::finance::FORMER_FUNDING_AWARD_KIND => {
            let Some((partnership, number)) =
                finance_number(store, id, FinanceKind::FundingAward, scope, today).await?
            else {
                return Ok(None);
            };
            Ok(store
                .funding_award(partnership, number, scope, today)
                .await?
                .map(|s| json(&s.value)))
        }
        crate::requests::REQUEST_KIND => {
            let Some(header) = store.record(id, scope, today).await? else {
                return Ok(None);
            };
            let (Some(partnership), Some(reference)) =
                (header.meta.partnership_id, header.reference.as_deref())
            else {
                return Ok(None);
            };
            Ok(store
                .request(partnership, reference, scope, today)
                .await?
                .map(|s| json(&s.request)))
        }
        crate::requests::REQUESTER_KIND => {
            let Some(parent) = parent_of(store, id, scope, today).await? else {
                return Ok(None);
            };
            Ok(store
                .requester(parent, scope, today)
                .await?
                .map(|r| json(&r)))
        }
        crate::requests::REVIEW_KIND => {
            let Some(parent) = parent_of(store, id, scope, today).await? else {
                return Ok(None);
            };
            Ok(store
                .review(parent, scope, today)
                .await?
                .filter(|r| r.record_id == id)
                .map(|r| json(&r.review)))
        }
        crate::requests::COMPLAINT_KIND => {
            let Some(parent) = parent_of(store, id, scope, today).await? else {
                return Ok(None);
            };
            Ok(store
                .complaint(parent, scope, today)
                .await?
                .filter(|c| c.record_id == id)
                .map(|c| json(&c.complaint)))
        }
        crate::requests::DISCLOSURE_KIND => {
            let Some(partnership) = header_partnership(store, id, scope, today).await? else {
                return Ok(None);
            };
            let page = crate::requests::DisclosurePage {
                before: None,
                offset: 0,
                limit: i64::MAX,
            };
            Ok(store
                .disclosures(partnership, &page, scope, today)
                .await?
                .into_iter()
                .find(|d| d.record_id == id)
                .map(|d| json(&d.entry)))
        }
        crate::holidays::PROCLAIMED_HOLIDAY_KIND => Ok(store
            .proclaimed_holidays(scope, today)
            .await?
            .into_iter()
            .find(|p| p.record_id == id)
            .map(|p| json(&p.holiday))),
        _ => Ok(store.record(id, scope, today).await?.map(|r| r.body)),
    }
}

/// The record a record's header files it under (a requester's request).
async fn parent_of(
    store: &dyn Store,
    id: i64,
    scope: &accord_domain::access::ReadScope,
    today: chrono::NaiveDate,
) -> Result<Option<i64>> {
    Ok(store
        .record(id, scope, today)
        .await?
        .and_then(|r| r.parent_id))
}

/// The partnership a record's header files it under.
async fn header_partnership(
    store: &dyn Store,
    id: i64,
    scope: &accord_domain::access::ReadScope,
    today: chrono::NaiveDate,
) -> Result<Option<i64>> {
    Ok(store
        .record(id, scope, today)
        .await?
        .and_then(|r| r.meta.partnership_id))
}

/// A catalogue entry without its storage identity, which lives in the header (an earlier
/// release wrote `id: 0` into the body and took the id from the row).
fn without_identity_service(
    service: accord_domain::service::Service,
) -> accord_domain::service::Service {
    accord_domain::service::Service { id: 0, ..service }
}

/// An opportunity without its storage identity and number, which live in the header (its id
/// and reference): an earlier release wrote `id: 0` and no number into the body.
fn without_identity_opportunity(
    opportunity: accord_domain::opportunity::Opportunity,
) -> accord_domain::opportunity::Opportunity {
    accord_domain::opportunity::Opportunity {
        id: 0,
        number: 0,
        ..opportunity
    }
}

/// The kind records an earlier release wrote as `kind` have today: funding kept as `grant`
/// is a `funding_award`; every other kind kept its name.
pub fn current_kind(kind: &str) -> &str {
    match kind {
        crate::finance::FORMER_FUNDING_AWARD_KIND => crate::finance::FUNDING_AWARD_KIND,
        other => other,
    }
}

/// The partnership and number of the finance record `id` of `kind`, from its header's
/// reference.
async fn finance_number(
    store: &dyn Store,
    id: i64,
    kind: FinanceKind,
    scope: &accord_domain::access::ReadScope,
    today: chrono::NaiveDate,
) -> Result<Option<(i64, u32)>> {
    let Some(header) = store.record(id, scope, today).await? else {
        return Ok(None);
    };
    Ok(header
        .meta
        .partnership_id
        .zip(header.reference.as_deref().and_then(|r| kind.parse(r))))
}

/// Every field of a business case, the columns beside its JSON included.
fn case_json(case: &crate::finance::business_cases::BusinessCaseRecord) -> serde_json::Value {
    serde_json::json!({
        "body": case.body(),
        "name": case.name,
        "stage": case.stage,
        "decision": case.decision,
        "councils": case.councils,
        "opportunity_record_id": case.opportunity_record_id,
        "base_year": case.base_year,
        "appraisal_years": case.appraisal_years,
        "preferred_option": case.preferred_option,
        "financial_npv": case.financial_npv,
    })
}

/// Every field of an allocation, the columns beside its JSON included.
fn allocation_json(
    allocation: &crate::finance::allocations::AllocationRecord,
) -> serde_json::Value {
    serde_json::json!({
        "body": allocation.body(),
        "title": allocation.title,
        "business_case_record_id": allocation.business_case_record_id,
        "councils": allocation.councils,
        "joining": allocation.joining,
        "driver": allocation.driver,
        "status": allocation.status,
    })
}

/// A body an earlier release wrote, read as today's domain type of its kind and serialised
/// again (so fields it left to their defaults compare equal); unchanged for kinds still kept
/// as JSON.
pub fn normalise(kind: &str, body: &serde_json::Value) -> Result<serde_json::Value> {
    let corrupt = |e: serde_json::Error| crate::StoreError::Corrupt(format!("{kind}: {e}"));
    match kind {
        crate::raid::RAID_KIND => {
            let item: accord_domain::raid::RaidItem =
                serde_json::from_value(body.clone()).map_err(corrupt)?;
            Ok(json(&item))
        }
        crate::delivery::PROJECT_KIND => {
            let project: accord_domain::project::Project =
                serde_json::from_value(body.clone()).map_err(corrupt)?;
            Ok(project_value(project))
        }
        crate::delivery::ESCALATION_KIND => {
            let notice: accord_domain::board::EscalationNotice =
                serde_json::from_value(body.clone()).map_err(corrupt)?;
            Ok(json(&notice))
        }
        crate::delivery::HIGHLIGHT_KIND => {
            let report: accord_domain::highlight_report::HighlightReport =
                serde_json::from_value(body.clone()).map_err(corrupt)?;
            Ok(json(&report))
        }
        crate::delivery::PROGRESS_KIND => {
            let snapshot: accord_domain::highlight_report::Snapshot<
                accord_domain::progress_report::ProgressReport,
            > = serde_json::from_value(body.clone()).map_err(corrupt)?;
            Ok(json(&snapshot))
        }
        crate::governance::BOARD_KIND => {
            let board: accord_domain::board::Board =
                serde_json::from_value(body.clone()).map_err(corrupt)?;
            Ok(json(&board))
        }
        crate::governance::PAPER_KIND => {
            let paper: crate::governance::PaperBody =
                serde_json::from_value(body.clone()).map_err(corrupt)?;
            Ok(json(&paper))
        }
        crate::records::DECISION_KIND => {
            let decision: accord_domain::board::Decision =
                serde_json::from_value(body.clone()).map_err(corrupt)?;
            Ok(json(&decision))
        }
        crate::gateway::SERVICE_KIND => {
            let service: accord_domain::service::Service =
                serde_json::from_value(body.clone()).map_err(corrupt)?;
            Ok(json(&without_identity_service(service)))
        }
        crate::gateway::OPPORTUNITY_KIND => {
            let opportunity: accord_domain::opportunity::Opportunity =
                serde_json::from_value(body.clone()).map_err(corrupt)?;
            Ok(json(&without_identity_opportunity(opportunity)))
        }
        crate::gateway::CRITERIA_SET_KIND => {
            let set: accord_domain::gateway::CriteriaSet =
                serde_json::from_value(body.clone()).map_err(corrupt)?;
            Ok(json(&set))
        }
        crate::gateway::COUNCIL_RATINGS_KIND => {
            let ratings: accord_domain::gateway::CouncilRatings =
                serde_json::from_value(body.clone()).map_err(corrupt)?;
            Ok(json(&ratings))
        }
        crate::finance::BUSINESS_CASE_KIND => {
            let case =
                crate::finance::business_cases::BusinessCaseRecord::from_earlier(&body.to_string())
                    .map_err(|e| crate::StoreError::Corrupt(format!("{kind}: {e}")))?;
            Ok(case_json(&case))
        }
        crate::finance::ALLOCATION_KIND => {
            let allocation =
                crate::finance::allocations::AllocationRecord::from_earlier(&body.to_string())
                    .map_err(|e| crate::StoreError::Corrupt(format!("{kind}: {e}")))?;
            Ok(allocation_json(&allocation))
        }
        crate::finance::SAVING_KIND => {
            let saving: accord_domain::finance::saving::Saving =
                serde_json::from_value(body.clone()).map_err(corrupt)?;
            Ok(json(&saving))
        }
        crate::finance::FUNDING_AWARD_KIND | crate::finance::FORMER_FUNDING_AWARD_KIND => {
            let award: accord_domain::finance::funding::FundingAward =
                serde_json::from_value(body.clone()).map_err(corrupt)?;
            Ok(json(&award))
        }
        // The requester was always kept apart from its request, never in its value.
        crate::requests::REQUEST_KIND => {
            let mut request: accord_domain::request::Request =
                serde_json::from_value(body.clone()).map_err(corrupt)?;
            request.take_requester();
            Ok(json(&request))
        }
        _ => Ok(body.clone()),
    }
}

/// A project compared without its `id`: release 0.1 wrote whatever id the project had when
/// saved (0, or a seed's own numbering) and replaced it with the record's on every read, so
/// the stored number was never part of the value.
fn project_value(mut project: accord_domain::project::Project) -> serde_json::Value {
    project.id = 0;
    json(&project)
}

fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}
