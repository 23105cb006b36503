//! Every route of the router, for every role and every classification of record, is allowed or
//! denied exactly as the access policy says. A route this test does not list fails it, so a new
//! route cannot ship without someone deciding who may use it.

#![allow(clippy::unwrap_used)]

mod support;

use accord_domain::GssCode;
use accord_domain::access::{
    Action, Actor, Area, Classification, Embargo, ReadScope, RecordMeta, Role, decide,
};
use accord_domain::finance::FinanceKind;
use accord_store::credentials::new_secret;
use accord_store::{Change, RecordInput, RecordQuery};
use accord_testkit::http::{Client, TestResponse};
use accord_web::routes::route_table;
use accord_web::{Guard, RouteEntry};
use axum::http::{Method, StatusCode};
use std::collections::BTreeMap;
use support::{TestApp, report_day};

/// Every route, with the guard the project has decided it needs. Adding a route means adding
/// it here, after deciding who may use it.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("GET", "/assets/{file}", "public"),
    ("GET", "/health", "public"),
    ("GET", "/ready", "public"),
    ("GET", "/api/openapi.json", "public"),
    ("GET", "/components", "public"),
    ("POST", "/components", "public"),
    ("GET", "/data-sources", "public"),
    ("GET", "/feedback", "public"),
    ("GET", "/licence", "public"),
    ("GET", "/sign-in", "public"),
    ("POST", "/sign-in", "public"),
    ("POST", "/sign-out", "signed-in"),
    ("GET", "/reset-passphrase/{code}", "public"),
    ("POST", "/reset-passphrase/{code}", "public"),
    ("GET", "/account", "signed-in"),
    ("GET", "/account/passphrase", "signed-in"),
    ("POST", "/account/passphrase", "signed-in"),
    ("GET", "/account/tokens", "signed-in"),
    ("POST", "/account/tokens", "signed-in"),
    ("POST", "/account/tokens/{token_id}/revoke", "signed-in"),
    ("GET", "/api/v1/me", "signed-in"),
    ("GET", "/admin/audit", "admin"),
    ("GET", "/admin/audit.csv", "admin"),
    ("GET", "/admin/users", "admin"),
    ("GET", "/admin/security", "admin"),
    ("GET", "/authorities", "public"),
    ("GET", "/authorities/{code}", "public"),
    ("GET", "/api/v1/authorities", "public"),
    ("GET", "/api/v1/authorities/{code}", "public"),
    ("GET", "/", "public"),
    ("GET", "/partnerships/new", "admin"),
    ("POST", "/partnerships", "admin"),
    ("GET", "/partnerships/{id}", "partnership/partnership/read"),
    (
        "GET",
        "/partnerships/{id}/edit",
        "partnership/partnership/update",
    ),
    (
        "POST",
        "/partnerships/{id}/edit",
        "partnership/partnership/update",
    ),
    (
        "GET",
        "/partnerships/{id}/history",
        "partnership/partnership/update",
    ),
    (
        "GET",
        "/partnerships/{id}/members/new",
        "partnership/partnership/update",
    ),
    (
        "POST",
        "/partnerships/{id}/members",
        "partnership/partnership/update",
    ),
    (
        "GET",
        "/partnerships/{id}/members/{gss}/edit",
        "partnership/partnership/update",
    ),
    (
        "POST",
        "/partnerships/{id}/members/{gss}",
        "partnership/partnership/update",
    ),
    (
        "GET",
        "/partnerships/{id}/mou",
        "partnership/partnership/read",
    ),
    (
        "GET",
        "/partnerships/{id}/mou/edit",
        "partnership/partnership/update",
    ),
    (
        "POST",
        "/partnerships/{id}/mou",
        "partnership/partnership/update",
    ),
    (
        "GET",
        "/partnerships/{id}/mou/events/new",
        "partnership/partnership/update",
    ),
    (
        "POST",
        "/partnerships/{id}/mou/events",
        "partnership/partnership/update",
    ),
    (
        "GET",
        "/partnerships/{id}/records/{record_id}/history",
        "record/*/read",
    ),
    ("GET", "/api/v1/partnerships", "public"),
    ("POST", "/api/v1/partnerships", "admin"),
    (
        "GET",
        "/api/v1/partnerships/{id}",
        "partnership/partnership/read",
    ),
    (
        "PATCH",
        "/api/v1/partnerships/{id}",
        "partnership/partnership/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/members",
        "partnership/partnership/update",
    ),
    (
        "PATCH",
        "/api/v1/partnerships/{id}/members/{gss}",
        "partnership/partnership/update",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/mou",
        "partnership/partnership/read",
    ),
    (
        "PUT",
        "/api/v1/partnerships/{id}/mou",
        "partnership/partnership/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/mou/events",
        "partnership/partnership/update",
    ), // Delivery and governance
    (
        "GET",
        "/partnerships/{id}/projects",
        "partnership/programme/read",
    ),
    (
        "GET",
        "/partnerships/{id}/projects/new",
        "partnership/programme/create",
    ),
    (
        "POST",
        "/partnerships/{id}/projects",
        "partnership/programme/create",
    ),
    (
        "GET",
        "/partnerships/{id}/projects/{reference}",
        "record/project/read",
    ),
    (
        "GET",
        "/partnerships/{id}/projects/{reference}/edit",
        "record/project/update",
    ),
    (
        "POST",
        "/partnerships/{id}/projects/{reference}/edit",
        "record/project/update",
    ),
    (
        "GET",
        "/partnerships/{id}/projects/{reference}/dates",
        "record/project/update",
    ),
    (
        "POST",
        "/partnerships/{id}/projects/{reference}/dates",
        "record/project/update",
    ),
    (
        "GET",
        "/partnerships/{id}/projects/{reference}/cabinet-approvals",
        "record/project/update",
    ),
    (
        "POST",
        "/partnerships/{id}/projects/{reference}/cabinet-approvals",
        "record/project/update",
    ),
    (
        "GET",
        "/partnerships/{id}/projects/{reference}/phases/new",
        "record/project/update",
    ),
    (
        "POST",
        "/partnerships/{id}/projects/{reference}/phases",
        "record/project/update",
    ),
    (
        "GET",
        "/partnerships/{id}/projects/{reference}/milestones/new",
        "record/project/update",
    ),
    (
        "POST",
        "/partnerships/{id}/projects/{reference}/milestones",
        "record/project/update",
    ),
    (
        "POST",
        "/partnerships/{id}/projects/{reference}/escalations",
        "record/project/update",
    ),
    (
        "GET",
        "/partnerships/{id}/projects/{reference}/highlight-reports",
        "record/project/read",
    ),
    (
        "GET",
        "/partnerships/{id}/projects/{reference}/highlight-reports/new",
        "record/project/update",
    ),
    (
        "POST",
        "/partnerships/{id}/projects/{reference}/highlight-reports",
        "record/project/update",
    ),
    (
        "GET",
        "/partnerships/{id}/projects/{reference}/highlight-reports/{number}",
        "record/project/read",
    ),
    (
        "GET",
        "/partnerships/{id}/projects/{reference}/highlight-reports/{number}/edit",
        "record/project/update",
    ),
    (
        "POST",
        "/partnerships/{id}/projects/{reference}/highlight-reports/{number}/edit",
        "record/project/update",
    ),
    (
        "POST",
        "/partnerships/{id}/projects/{reference}/highlight-reports/{number}/publish",
        "record/project/release",
    ),
    (
        "GET",
        "/partnerships/{id}/projects/{reference}/highlight-reports/{number}/versions/{version}",
        "record/project/read",
    ),
    (
        "GET",
        "/partnerships/{id}/highlight-reports/{record_id}",
        "record/highlight_report/read",
    ),
    (
        "GET",
        "/partnerships/{id}/highlight-reports/{record_id}/edit",
        "record/highlight_report/read",
    ),
    (
        "GET",
        "/partnerships/{id}/highlight-reports/{record_id}/versions/{version}",
        "record/highlight_report/read",
    ),
    (
        "GET",
        "/partnerships/{id}/timeline",
        "partnership/programme/read",
    ),
    (
        "GET",
        "/partnerships/{id}/progress-report",
        "partnership/programme/read",
    ),
    (
        "GET",
        "/partnerships/{id}/progress-report/versions",
        "partnership/programme/read",
    ),
    (
        "POST",
        "/partnerships/{id}/progress-report/versions",
        "partnership/programme/release",
    ),
    (
        "GET",
        "/partnerships/{id}/progress-report/versions/{reference}",
        "record/progress_report/read",
    ),
    (
        "GET",
        "/partnerships/{id}/progress-reports",
        "partnership/programme/read",
    ),
    (
        "POST",
        "/partnerships/{id}/progress-reports",
        "partnership/programme/release",
    ),
    (
        "GET",
        "/partnerships/{id}/progress-reports/{record_id}",
        "record/progress_report/read",
    ),
    (
        "GET",
        "/partnerships/{id}/calendar.ics",
        "partnership/programme/read",
    ),
    (
        "GET",
        "/partnerships/{id}/boards",
        "partnership/governance/read",
    ),
    (
        "POST",
        "/partnerships/{id}/boards",
        "partnership/governance/create",
    ),
    (
        "GET",
        "/partnerships/{id}/boards/{reference}",
        "record/board/read",
    ),
    (
        "GET",
        "/partnerships/{id}/boards/{reference}/schedule",
        "record/board/update",
    ),
    (
        "POST",
        "/partnerships/{id}/boards/{reference}/schedule",
        "record/board/update",
    ),
    (
        "GET",
        "/partnerships/{id}/boards/{reference}/meetings/new",
        "record/board/update",
    ),
    (
        "POST",
        "/partnerships/{id}/boards/{reference}/meetings",
        "record/board/update",
    ),
    (
        "GET",
        "/partnerships/{id}/boards/{reference}/members/new",
        "record/board/update",
    ),
    (
        "POST",
        "/partnerships/{id}/boards/{reference}/members",
        "record/board/update",
    ),
    (
        "GET",
        "/partnerships/{id}/boards/{reference}/rotation",
        "record/board/update",
    ),
    (
        "POST",
        "/partnerships/{id}/boards/{reference}/rotation",
        "record/board/update",
    ),
    (
        "GET",
        "/partnerships/{id}/boards/{reference}/meetings/{number}",
        "record/board/read",
    ),
    (
        "GET",
        "/partnerships/{id}/boards/{reference}/meetings/{number}/edit",
        "record/board/update",
    ),
    (
        "POST",
        "/partnerships/{id}/boards/{reference}/meetings/{number}/edit",
        "record/board/update",
    ),
    (
        "POST",
        "/partnerships/{id}/boards/{reference}/meetings/{number}/agenda",
        "record/board/update",
    ),
    (
        "GET",
        "/partnerships/{id}/boards/{reference}/meetings/{number}/minutes",
        "record/board/update",
    ),
    (
        "POST",
        "/partnerships/{id}/boards/{reference}/meetings/{number}/minutes",
        "record/board/update",
    ),
    (
        "GET",
        "/partnerships/{id}/boards/{reference}/papers/new",
        "record/board/update",
    ),
    (
        "POST",
        "/partnerships/{id}/boards/{reference}/papers",
        "record/board/update",
    ),
    (
        "GET",
        "/partnerships/{id}/boards/{reference}/decisions/new",
        "record/board/decide",
    ),
    (
        "POST",
        "/partnerships/{id}/boards/{reference}/decisions",
        "record/board/decide",
    ),
    (
        "GET",
        "/partnerships/{id}/papers/{record_id}",
        "record/paper/read",
    ),
    (
        "POST",
        "/partnerships/{id}/papers/{record_id}/release",
        "record/paper/release",
    ),
    (
        "GET",
        "/partnerships/{id}/decisions",
        "partnership/governance/read",
    ),
    (
        "GET",
        "/partnerships/{id}/decisions/{record_id}",
        "record/decision/read",
    ),
    (
        "POST",
        "/partnerships/{id}/decisions/{record_id}/cabinet-approvals",
        "record/decision/decide",
    ),
    (
        "GET",
        "/partnerships/{id}/raid",
        "partnership/programme/read",
    ),
    (
        "GET",
        "/partnerships/{id}/raid/new",
        "partnership/programme/create",
    ),
    (
        "POST",
        "/partnerships/{id}/raid",
        "partnership/programme/create",
    ),
    (
        "GET",
        "/partnerships/{id}/raid/{reference}",
        "record/raid/read",
    ),
    (
        "POST",
        "/partnerships/{id}/raid/{reference}/escalate",
        "record/raid/update",
    ),
    (
        "POST",
        "/partnerships/{id}/raid/{reference}/close",
        "record/raid/update",
    ),
    (
        "POST",
        "/partnerships/{id}/raid/{reference}/reopen",
        "record/raid/update",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/projects",
        "partnership/programme/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/projects",
        "partnership/programme/create",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/projects/{reference}",
        "record/project/read",
    ),
    (
        "PUT",
        "/api/v1/partnerships/{id}/projects/{reference}/details",
        "record/project/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/projects/{reference}/dates",
        "record/project/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/projects/{reference}/cabinet-approvals",
        "record/project/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/projects/{reference}/phases",
        "record/project/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/projects/{reference}/milestones",
        "record/project/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/projects/{reference}/escalations",
        "record/project/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/projects/{reference}/highlight-reports",
        "record/project/update",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/projects/{reference}/highlight-reports/{number}",
        "record/project/read",
    ),
    (
        "PUT",
        "/api/v1/partnerships/{id}/projects/{reference}/highlight-reports/{number}/draft",
        "record/project/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/projects/{reference}/highlight-reports/{number}/versions",
        "record/project/release",
    ),
    (
        "PUT",
        "/api/v1/partnerships/{id}/projects/{reference}/highlight-reports/{number}/versions/{version}",
        "record/project/update",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/highlight-reports/{record_id}",
        "record/highlight_report/read",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/timeline",
        "partnership/programme/read",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/progress-report",
        "partnership/programme/read",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/progress-report/versions",
        "partnership/programme/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/progress-report/versions",
        "partnership/programme/release",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/progress-report/versions/{reference}",
        "record/progress_report/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/progress-reports",
        "partnership/programme/release",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/progress-reports/{record_id}",
        "record/progress_report/read",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/boards",
        "partnership/governance/read",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/boards/{reference}",
        "record/board/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/boards/{reference}/schedule",
        "record/board/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/boards/{reference}/papers",
        "record/board/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/boards/{reference}/decisions",
        "record/board/decide",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/papers/{record_id}",
        "record/paper/read",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/decisions/{record_id}",
        "record/decision/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/decisions/{record_id}/cabinet-approvals",
        "record/decision/decide",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/raid",
        "partnership/programme/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/raid",
        "partnership/programme/create",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/raid/{reference}",
        "record/raid/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/raid/{reference}/escalations",
        "record/raid/update",
    ), // Finance: business cases, allocations, the savings ledger, funding awards (and the
    // addresses of earlier releases, which called funding grants).
    (
        "GET",
        "/partnerships/{id}/business-cases",
        "partnership/finance/read",
    ),
    (
        "POST",
        "/partnerships/{id}/business-cases",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/partnerships/{id}/business-cases/new",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/partnerships/{id}/business-cases/{reference}",
        "record/business_case/read",
    ),
    (
        "GET",
        "/partnerships/{id}/business-cases/{reference}/edit",
        "record/business_case/update",
    ),
    (
        "POST",
        "/partnerships/{id}/business-cases/{reference}/edit",
        "record/business_case/update",
    ),
    (
        "GET",
        "/partnerships/{id}/business-cases/{reference}/option",
        "record/business_case/update",
    ),
    (
        "POST",
        "/partnerships/{id}/business-cases/{reference}/option",
        "record/business_case/update",
    ),
    (
        "GET",
        "/partnerships/{id}/business-cases/{reference}/line",
        "record/business_case/update",
    ),
    (
        "POST",
        "/partnerships/{id}/business-cases/{reference}/line",
        "record/business_case/update",
    ),
    (
        "POST",
        "/partnerships/{id}/business-cases/{reference}/remove",
        "record/business_case/update",
    ),
    (
        "POST",
        "/partnerships/{id}/business-cases/{reference}/monte-carlo",
        "record/business_case/update",
    ),
    (
        "GET",
        "/partnerships/{id}/business-cases/{reference}/import",
        "record/business_case/update",
    ),
    (
        "POST",
        "/partnerships/{id}/business-cases/{reference}/import",
        "record/business_case/update",
    ),
    (
        "GET",
        "/partnerships/{id}/business-cases/{reference}/lines.csv",
        "record/business_case/read",
    ),
    (
        "GET",
        "/partnerships/{id}/business-cases/{reference}/lines.xlsx",
        "record/business_case/read",
    ),
    (
        "GET",
        "/partnerships/{id}/business-cases/{reference}/case.json",
        "record/business_case/read",
    ),
    (
        "GET",
        "/partnerships/{id}/business-cases/{reference}/delete",
        "record/business_case/delete",
    ),
    (
        "POST",
        "/partnerships/{id}/business-cases/{reference}/delete",
        "record/business_case/delete",
    ),
    (
        "GET",
        "/partnerships/{id}/allocations",
        "partnership/finance/read",
    ),
    (
        "POST",
        "/partnerships/{id}/allocations",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/partnerships/{id}/allocations/new",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/partnerships/{id}/allocations/{reference}",
        "record/allocation/read",
    ),
    (
        "GET",
        "/partnerships/{id}/allocations/{reference}/edit",
        "record/allocation/update",
    ),
    (
        "POST",
        "/partnerships/{id}/allocations/{reference}/edit",
        "record/allocation/update",
    ),
    (
        "POST",
        "/partnerships/{id}/allocations/{reference}/delete",
        "record/allocation/delete",
    ),
    (
        "GET",
        "/partnerships/{id}/savings",
        "partnership/finance/read",
    ),
    (
        "POST",
        "/partnerships/{id}/savings",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/partnerships/{id}/savings.csv",
        "partnership/finance/read",
    ),
    (
        "GET",
        "/partnerships/{id}/savings.xlsx",
        "partnership/finance/read",
    ),
    (
        "GET",
        "/partnerships/{id}/savings/new",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/partnerships/{id}/savings/import",
        "partnership/finance/create",
    ),
    (
        "POST",
        "/partnerships/{id}/savings/import",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/partnerships/{id}/savings/{reference}/edit",
        "record/saving/update",
    ),
    (
        "POST",
        "/partnerships/{id}/savings/{reference}/edit",
        "record/saving/update",
    ),
    (
        "POST",
        "/partnerships/{id}/savings/{reference}/delete",
        "record/saving/delete",
    ),
    (
        "GET",
        "/partnerships/{id}/funding",
        "partnership/finance/read",
    ),
    (
        "POST",
        "/partnerships/{id}/funding",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/partnerships/{id}/funding/new",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/partnerships/{id}/funding/{reference}",
        "record/funding_award/read",
    ),
    (
        "GET",
        "/partnerships/{id}/funding/{reference}/edit",
        "record/funding_award/update",
    ),
    (
        "POST",
        "/partnerships/{id}/funding/{reference}/edit",
        "record/funding_award/update",
    ),
    (
        "POST",
        "/partnerships/{id}/funding/{reference}/delete",
        "record/funding_award/delete",
    ),
    (
        "GET",
        "/partnerships/{id}/grants",
        "partnership/finance/read",
    ),
    (
        "POST",
        "/partnerships/{id}/grants",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/partnerships/{id}/grants/new",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/partnerships/{id}/grants/{reference}",
        "record/funding_award/read",
    ),
    (
        "GET",
        "/partnerships/{id}/grants/{reference}/edit",
        "record/funding_award/update",
    ),
    (
        "POST",
        "/partnerships/{id}/grants/{reference}/edit",
        "record/funding_award/update",
    ),
    (
        "POST",
        "/partnerships/{id}/grants/{reference}/delete",
        "record/funding_award/delete",
    ),
    ("POST", "/api/v1/appraise", "signed-in"),
    ("POST", "/api/v1/allocate", "signed-in"),
    (
        "GET",
        "/api/v1/partnerships/{id}/business-cases",
        "partnership/finance/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/business-cases",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/business-cases/{reference}",
        "record/business_case/read",
    ),
    (
        "PUT",
        "/api/v1/partnerships/{id}/business-cases/{reference}",
        "record/business_case/update",
    ),
    (
        "DELETE",
        "/api/v1/partnerships/{id}/business-cases/{reference}",
        "record/business_case/delete",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/allocations",
        "partnership/finance/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/allocations",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/allocations/{reference}",
        "record/allocation/read",
    ),
    (
        "PUT",
        "/api/v1/partnerships/{id}/allocations/{reference}",
        "record/allocation/update",
    ),
    (
        "DELETE",
        "/api/v1/partnerships/{id}/allocations/{reference}",
        "record/allocation/delete",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/savings",
        "partnership/finance/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/savings",
        "partnership/finance/create",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/savings/import",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/savings/summary",
        "partnership/finance/read",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/savings/{reference}",
        "record/saving/read",
    ),
    (
        "PUT",
        "/api/v1/partnerships/{id}/savings/{reference}",
        "record/saving/update",
    ),
    (
        "DELETE",
        "/api/v1/partnerships/{id}/savings/{reference}",
        "record/saving/delete",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/funding",
        "partnership/finance/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/funding",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/funding/{reference}",
        "record/funding_award/read",
    ),
    (
        "PUT",
        "/api/v1/partnerships/{id}/funding/{reference}",
        "record/funding_award/update",
    ),
    (
        "DELETE",
        "/api/v1/partnerships/{id}/funding/{reference}",
        "record/funding_award/delete",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/grants",
        "partnership/finance/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/grants",
        "partnership/finance/create",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/grants/{reference}",
        "record/funding_award/read",
    ),
    (
        "PUT",
        "/api/v1/partnerships/{id}/grants/{reference}",
        "record/funding_award/update",
    ),
    (
        "DELETE",
        "/api/v1/partnerships/{id}/grants/{reference}",
        "record/funding_award/delete",
    ),
    // Opportunities, the gateway, the RAG matrix and the service catalogue.
    ("GET", "/services", "public"),
    ("GET", "/services/new", "admin"),
    ("POST", "/services", "admin"),
    ("GET", "/services/{service_id}/edit", "admin"),
    ("POST", "/services/{service_id}", "admin"),
    (
        "GET",
        "/partnerships/{id}/opportunities",
        "partnership/programme/read",
    ),
    (
        "POST",
        "/partnerships/{id}/opportunities",
        "partnership/programme/create",
    ),
    (
        "GET",
        "/partnerships/{id}/opportunities/new",
        "partnership/programme/create",
    ),
    (
        "GET",
        "/partnerships/{id}/opportunities/matrix",
        "partnership/programme/read",
    ),
    (
        "GET",
        "/partnerships/{id}/opportunities/matrix.csv",
        "partnership/programme/read",
    ),
    (
        "GET",
        "/partnerships/{id}/opportunities/matrix.svg",
        "partnership/programme/read",
    ),
    (
        "GET",
        "/partnerships/{id}/opportunities/ranking",
        "partnership/programme/read",
    ),
    (
        "GET",
        "/partnerships/{id}/opportunities/{reference}",
        "record/opportunity/read",
    ),
    (
        "GET",
        "/partnerships/{id}/opportunities/{reference}/edit",
        "record/opportunity/update",
    ),
    (
        "POST",
        "/partnerships/{id}/opportunities/{reference}/edit",
        "record/opportunity/update",
    ),
    (
        "GET",
        "/partnerships/{id}/opportunities/{reference}/status",
        "record/opportunity/update",
    ),
    (
        "POST",
        "/partnerships/{id}/opportunities/{reference}/status",
        "record/opportunity/update",
    ),
    (
        "GET",
        "/partnerships/{id}/opportunities/{reference}/offer",
        "record/opportunity/update",
    ),
    (
        "POST",
        "/partnerships/{id}/opportunities/{reference}/offer",
        "record/opportunity/update",
    ),
    (
        "GET",
        "/partnerships/{id}/opportunities/{reference}/responses",
        "record/opportunity/update",
    ),
    (
        "POST",
        "/partnerships/{id}/opportunities/{reference}/responses",
        "record/opportunity/update",
    ),
    (
        "GET",
        "/partnerships/{id}/opportunities/{reference}/other-partners",
        "record/opportunity/update",
    ),
    (
        "POST",
        "/partnerships/{id}/opportunities/{reference}/other-partners",
        "record/opportunity/update",
    ),
    (
        "GET",
        "/partnerships/{id}/opportunities/{reference}/assessment",
        "record/opportunity/read",
    ),
    (
        "GET",
        "/partnerships/{id}/opportunities/{reference}/assessment/{gss}",
        "record/opportunity/read",
    ),
    (
        "POST",
        "/partnerships/{id}/opportunities/{reference}/assessment/{gss}",
        "partnership/assessment/create",
    ),
    (
        "GET",
        "/partnerships/{id}/criteria",
        "partnership/partnership/read",
    ),
    (
        "GET",
        "/partnerships/{id}/criteria/new",
        "partnership/partnership/update",
    ),
    (
        "POST",
        "/partnerships/{id}/criteria",
        "partnership/partnership/update",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/opportunities",
        "partnership/programme/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/opportunities",
        "partnership/programme/create",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/opportunities/matrix",
        "partnership/programme/read",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/opportunities/{reference}",
        "record/opportunity/read",
    ),
    (
        "PATCH",
        "/api/v1/partnerships/{id}/opportunities/{reference}",
        "record/opportunity/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/opportunities/{reference}/status",
        "record/opportunity/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/opportunities/{reference}/offer",
        "record/opportunity/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/opportunities/{reference}/responses",
        "record/opportunity/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/opportunities/{reference}/other-partners",
        "record/opportunity/update",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/opportunities/{reference}/assessment",
        "record/opportunity/read",
    ),
    (
        "PUT",
        "/api/v1/partnerships/{id}/opportunities/{reference}/assessment",
        "partnership/assessment/create",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/criteria",
        "partnership/partnership/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/criteria",
        "partnership/partnership/update",
    ),
    // Information requests (Schedule 4): the register is read in the partnership, worked by
    // the information role; the calculator is public; the holiday table is the
    // administrators'.
    ("GET", "/deadline-calculator", "public"),
    ("GET", "/admin/holidays", "admin"),
    ("POST", "/admin/holidays", "admin"),
    ("POST", "/admin/holidays/{holiday_id}/remove", "admin"),
    (
        "GET",
        "/partnerships/{id}/requests",
        "partnership/information/read",
    ),
    (
        "GET",
        "/partnerships/{id}/requests/new",
        "partnership/information/create",
    ),
    (
        "POST",
        "/partnerships/{id}/requests",
        "partnership/information/create",
    ),
    (
        "GET",
        "/partnerships/{id}/requests/caseload",
        "partnership/information/update",
    ),
    (
        "GET",
        "/partnerships/{id}/requests/statistics",
        "partnership/information/read",
    ),
    (
        "GET",
        "/partnerships/{id}/requests/statistics.csv",
        "partnership/information/read",
    ),
    (
        "GET",
        "/partnerships/{id}/requests/deadlines.ics",
        "partnership/information/update",
    ),
    (
        "GET",
        "/partnerships/{id}/disclosure-log",
        "partnership/information/read",
    ),
    (
        "GET",
        "/partnerships/{id}/requests/{reference}",
        "record/request/read",
    ),
    (
        "GET",
        "/partnerships/{id}/requests/{reference}/actions/{action}",
        "record/request/update",
    ),
    (
        "POST",
        "/partnerships/{id}/requests/{reference}/actions/{action}",
        "record/request/update",
    ),
    (
        "GET",
        "/partnerships/{id}/requests/{reference}/review",
        "record/request/update",
    ),
    (
        "POST",
        "/partnerships/{id}/requests/{reference}/review",
        "record/request/update",
    ),
    (
        "GET",
        "/partnerships/{id}/requests/{reference}/complaint",
        "record/request/update",
    ),
    (
        "POST",
        "/partnerships/{id}/requests/{reference}/complaint",
        "record/request/update",
    ),
    ("GET", "/api/v1/deadline", "public"),
    (
        "GET",
        "/api/v1/partnerships/{id}/requests",
        "partnership/information/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/requests",
        "partnership/information/create",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/requests/statistics",
        "partnership/information/read",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/disclosure-log",
        "partnership/information/read",
    ),
    (
        "GET",
        "/api/v1/partnerships/{id}/requests/{reference}",
        "record/request/read",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/requests/{reference}/actions",
        "record/request/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/requests/{reference}/review",
        "record/request/update",
    ),
    (
        "POST",
        "/api/v1/partnerships/{id}/requests/{reference}/complaint",
        "record/request/update",
    ),
    ("GET", "/api/v1/services", "public"),
    ("POST", "/api/v1/services", "admin"),
    ("PUT", "/api/v1/services/{service_id}", "admin"),
];

/// A valid body for a record of each kind a `Guard::Record` route names, so the handlers of
/// allowed requests can render it. Each feature adds its kinds.
fn fixture_body(kind: &str) -> Option<serde_json::Value> {
    match kind {
        // Routes for any kind are exercised with a plain record.
        "*" => Some(serde_json::json!({})),
        // A request at consultation, its draft about both councils, signed off by neither.
        "request" => Some(request_fixture()),
        "business_case" => Some(serde_json::json!({
            "case": {
                "name": "Fixture case",
                "councils": ["E09000014", "E09000031"],
                "options": [
                    {"name": "Status quo", "status_quo": true},
                    {"name": "Share", "costs": [{"name": "c", "kind": "one_off", "amount": 1000}],
                     "savings": [{"name": "s", "kind": "recurring", "amount": {"low": 100, "most_likely": 200, "high": 400}}]}
                ]
            }
        })),
        "allocation" => Some(serde_json::json!({
            "title": "Fixture allocation",
            "councils": ["E09000014", "E09000031"],
            "model": {"standalone": {"E09000014": 100.0, "E09000031": 80.0}, "shared_fixed_cost": 10.0},
            "driver": "population"
        })),
        "saving" => Some(serde_json::json!({
            "project": "Fixture project", "council": "E09000014", "financial_year": "2011/12",
            "planned": 1000000, "cashable": true, "recurrence": "recurring", "in_mtfs": true
        })),
        "funding_award" => Some(serde_json::json!({
            "name": "Fixture grant", "funder": "Funder",
            "tranches": [{"financial_year": "2011/12", "awarded": 35000000}]
        })),
        "opportunity" => Some(serde_json::json!({
            "id": 0,
            "partnership_id": 0,
            "service": { "id": 0, "name": "Fixture service", "category": "back-office" },
            "scope": "A fixture opportunity",
            "originating": "E09000014",
            "wave": null,
            "phase": 1,
            "size": null,
            "status": { "kind": "identified" },
            "history": [{
                "from": null,
                "to": { "kind": "identified" },
                "on": "2011-07-01",
                "by": "test",
                "reason": ""
            }],
            "offers": [],
            "other_partners": [],
            "source": null
        })),
        _ => delivery_fixture(kind),
    }
}

fn request_fixture() -> serde_json::Value {
    use accord_domain::request::{
        Action, Channel, Context, Draft, NewRequest, Protocol, Regime, Request, Requester,
    };
    use accord_domain::working_days::{CalendarScope, HolidayTable};
    let calendar = HolidayTable::new().calendar(CalendarScope::UnitedKingdom);
    let protocol = Protocol::default();
    let day = |d| chrono::NaiveDate::from_ymd_opt(2011, 7, d).unwrap();
    let ctx = Context {
        today: day(21),
        calendar: &calendar,
        protocol: &protocol,
    };
    let councils = vec![
        GssCode::parse("g", "E09000014").unwrap(),
        GssCode::parse("g", "E09000031").unwrap(),
    ];
    let mut request = Request::receive(
        NewRequest {
            reference: "FIXTURE-1".into(),
            councils: councils.clone(),
            received_by: councils[0].clone(),
            channel: Channel::Email,
            received_at: day(11).and_hms_opt(9, 0, 0).unwrap(),
            requester: Requester {
                name: "Fixture requester".into(),
                contact: "fixture@example.invalid".into(),
            },
            summary: "A fixture".into(),
            regime: Regime::Foi,
        },
        &ctx,
    )
    .unwrap();
    for action in [
        Action::Forward { on: day(12) },
        Action::Acknowledge {
            on: day(12),
            lead: councils[0].clone(),
        },
        Action::StartDrafting { on: day(13) },
        Action::SubmitDraft {
            on: day(14),
            draft: Draft {
                discloses_about: councils.clone(),
                sensitive: true,
            },
        },
    ] {
        request = request.apply(&action, &ctx).unwrap();
    }
    request.take_requester();
    serde_json::to_value(&request).unwrap()
}

/// Delivery and governance records: a planned project, a board with meeting 1, a paper, a
/// key decision, a RAID risk, a highlight report with version 1 and a published progress
/// report.
fn delivery_fixture(kind: &str) -> Option<serde_json::Value> {
    use accord_domain::board::{
        Board, BoardLevel, CabinetApprovals, Decision, MeetingInput, Paper, PaperRelease,
    };
    use accord_domain::project::{Project, ProjectInput, ProjectSize};
    use accord_domain::raid::{Level, RaidDetail, RaidInput, RaidLog, RiskScore};
    use accord_domain::{Member, MemberRole, MemberStatus, Partnership, progress_report};
    let day = support::report_day();
    let councils: Vec<GssCode> = ["E09000014", "E09000031"]
        .iter()
        .map(|c| GssCode::parse("g", c).unwrap())
        .collect();
    let partnership = Partnership {
        id: 1,
        name: "Fixture".into(),
        summary: String::new(),
        source: None,
        members: councils
            .iter()
            .map(|c| Member {
                authority: c.clone(),
                role: MemberRole::Partner,
                status: MemberStatus::Active,
                joined: None,
                left: None,
            })
            .collect(),
    };
    let value = match kind {
        "project" => serde_json::to_value(
            Project::plan(
                0,
                ProjectInput {
                    name: "Fixture project".into(),
                    size: ProjectSize::Small,
                    start: day,
                    tolerance_days: None,
                    template: None,
                    opportunity: String::new(),
                    opportunity_id: None,
                },
                &partnership,
            )
            .unwrap(),
        ),
        "board" => {
            let mut board = Board::new(BoardLevel::Programme, &partnership, day).unwrap();
            board
                .add_meeting(MeetingInput {
                    date: day.succ_opt().unwrap(),
                    start_time: None,
                    duration_minutes: None,
                    location: None,
                })
                .unwrap();
            serde_json::to_value(board)
        }
        "paper" => Ok(serde_json::json!({
            "meeting": 1,
            "paper": serde_json::to_value(Paper {
                number: 1,
                title: "Fixture paper".into(),
                author: "Programme Director".into(),
                informs: None,
                release: PaperRelease::Embargoed,
            }).unwrap(),
            "summary": "A paper."
        })),
        "decision" => serde_json::to_value(Decision {
            number: 1,
            meeting: None,
            taken_on: day,
            title: "Fixture decision".into(),
            text: String::new(),
            cabinet: Some(CabinetApprovals::for_councils(&councils)),
        }),
        "raid" => {
            let mut log = RaidLog::new();
            let level = |n| Level::new("l", n).unwrap();
            log.add(RaidInput {
                title: "Fixture risk".into(),
                description: String::new(),
                owner: "Programme Director".into(),
                project: None,
                raised_on: day,
                board: None,
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
            })
            .unwrap();
            serde_json::to_value(&log.items[0])
        }
        "highlight_report" => {
            serde_json::to_value(accord_domain::highlight_report::demo_published().unwrap())
        }
        "progress_report" => serde_json::to_value(
            progress_report::publish(
                progress_report::demo_report(),
                1,
                progress_report::demo_as_at(),
            )
            .unwrap(),
        ),
        _ => return None,
    };
    Some(value.unwrap())
}

/// The area records of each kind belong to, where it is not the programme's.
const FIXTURE_AREAS: &[(&str, Area)] = &[
    ("request", Area::Information),
    ("board", Area::Governance),
    ("paper", Area::Governance),
    ("decision", Area::Governance),
    ("business_case", Area::Finance),
    ("allocation", Area::Finance),
    ("saving", Area::Finance),
    ("funding_award", Area::Finance),
];

fn fixture_area(kind: &str) -> Area {
    FIXTURE_AREAS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(Area::Programme, |(_, area)| *area)
}

fn slug(value: impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn describe(guard: Guard) -> String {
    match guard {
        Guard::Public => "public".into(),
        Guard::SignedIn => "signed-in".into(),
        Guard::Admin => "admin".into(),
        Guard::Partnership(area, action) => format!("partnership/{}/{}", slug(area), slug(action)),
        Guard::Record(kind, action) => format!("record/{kind}/{}", slug(action)),
    }
}

#[test]
fn every_route_is_known_and_classified_as_decided() {
    let table = route_table();
    let mut problems = Vec::new();
    for RouteEntry {
        method,
        path,
        guard,
    } in &table
    {
        match EXPECTED.iter().find(|(m, p, _)| m == method && p == path) {
            None => problems.push(format!("{method} {path} ({}) is not in this test's table: decide who may use it and add it", describe(*guard))),
            Some((_, _, expected)) if *expected != describe(*guard) => {
                problems.push(format!("{method} {path} is guarded as {}, but the table says {expected}", describe(*guard)));
            }
            Some(_) => {}
        }
    }
    for (method, path, _) in EXPECTED {
        if !table.iter().any(|r| r.method == *method && r.path == *path) {
            problems.push(format!(
                "{method} {path} is in the table but not in the router"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Someone asking: how they authenticate and what the policy knows about them.
struct Who {
    name: String,
    actor: Actor,
    user_id: Option<i64>,
}

async fn people(app: &TestApp, hwf: i64, other: i64) -> Vec<Who> {
    let mut out = vec![Who {
        name: "anonymous".into(),
        actor: Actor::anonymous(),
        user_id: None,
    }];
    for email in support::demo_emails() {
        let (user, _) = app.store.user_credentials(email).await.unwrap().unwrap();
        out.push(Who {
            name: email.to_owned(),
            actor: user.actor(),
            user_id: Some(user.id),
        });
    }
    // A programme manager of another partnership: their role gives them nothing here.
    let id = app
        .store
        .create_user(
            &accord_store::NewUser {
                email: "programme@elsewhere.test".into(),
                display_name: "Elsewhere".into(),
                home: Some(GssCode::parse("g", "E10000003").unwrap()),
                passphrase_hash: accord_store::credentials::hash_passphrase(
                    "a passphrase for elsewhere",
                ),
                admin: false,
            },
            &Change::by("test"),
        )
        .await
        .unwrap();
    app.store
        .assign_role(
            id,
            accord_domain::access::RoleAssignment {
                partnership_id: other,
                role: Role::Programme,
            },
            &Change::by("test"),
        )
        .await
        .unwrap();
    let user = app.store.user(id).await.unwrap().unwrap();
    out.push(Who {
        name: "programme of another partnership".into(),
        actor: user.actor(),
        user_id: Some(id),
    });
    assert!(out.iter().any(|w| w.actor.has(hwf, Role::Viewer)));
    out
}

/// Stores a fixture record of `kind` with `meta`, as its capability stores records, and
/// returns the path parameters that name it (its reference and its record id, for kinds with
/// references). Each kind with a table of its own has its arm here; the rest are written to
/// the generic table.
async fn store_fixture(
    app: &TestApp,
    kind: &str,
    hwf: i64,
    meta: &RecordMeta,
    label: &str,
    body: &serde_json::Value,
) -> Vec<(&'static str, String)> {
    use accord_store::delivery::{HIGHLIGHT_KIND, PROGRESS_KIND, PROJECT_KIND};
    let change = Change::by("test");
    match kind {
        accord_store::raid::RAID_KIND => {
            // RAID items live in a table of their own, numbered in the log.
            let mut item: accord_domain::raid::RaidItem =
                serde_json::from_value(body.clone()).unwrap();
            let mut tx = app.store.write().await.unwrap();
            item.number = tx.raid_rules_view(hwf).await.unwrap().last_number + 1;
            let stored = tx.insert_raid_item(meta, &item, &change).await.unwrap();
            tx.commit().await.unwrap();
            vec![
                ("reference", stored.item.reference()),
                ("record_id", stored.record_id.to_string()),
            ]
        }
        PROJECT_KIND => {
            // A project, numbered in the partnership, with highlight report 1 (published once,
            // with the project's class) for the routes under it.
            let (project, report) = fixture_project(app, hwf, meta, body).await;
            vec![
                ("reference", project.reference()),
                ("record_id", project.record_id.to_string()),
                ("number", report.number.to_string()),
            ]
        }
        HIGHLIGHT_KIND => {
            let (_, report) =
                fixture_project(app, hwf, meta, &fixture_body(PROJECT_KIND).unwrap()).await;
            vec![("record_id", report.record_id.to_string())]
        }
        PROGRESS_KIND => {
            use accord_domain::highlight_report::Snapshot;
            use accord_domain::progress_report::{ProgressReport, publish};
            let snapshot: Snapshot<ProgressReport> = serde_json::from_value(body.clone()).unwrap();
            let mut tx = app.store.write().await.unwrap();
            let version = tx.last_progress_version(hwf).await.unwrap() + 1;
            let snapshot =
                publish(snapshot.content().clone(), version, snapshot.published_on()).unwrap();
            let stored = tx
                .insert_progress_report(meta, &snapshot, &change)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            vec![
                ("reference", version.to_string()),
                ("record_id", stored.record_id.to_string()),
            ]
        }
        accord_store::requests::REQUEST_KIND => {
            // Requests live in the register's tables, each with its own reference and its
            // requester kept apart as personal data.
            let mut request: accord_domain::request::Request =
                serde_json::from_value(body.clone()).unwrap();
            let mut tx = app.store.write().await.unwrap();
            let number = tx.last_request_number(hwf).await.unwrap() + 1;
            request.reference = format!("FIXTURE-{number}");
            let calendar =
                accord_domain::working_days::HolidayTable::new().calendar(request.calendar_scope());
            let dates = request
                .due_dates(&calendar, &accord_domain::request::Protocol::default())
                .unwrap();
            let change = Change::by("test");
            let stored = tx
                .insert_request(meta, number, &request, &dates, &change)
                .await
                .unwrap();
            let requester = accord_domain::request::Requester {
                name: "Fixture requester".into(),
                contact: "fixture@example.invalid".into(),
            };
            tx.insert_requester(&stored, &requester, &change)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            vec![("reference", stored.request.reference)]
        }
        // Finance records live in tables of their own, numbered in their partnership.
        "business_case" => {
            use accord_store::finance::business_cases::BusinessCaseRecord;
            let case = body["case"].clone();
            let record = BusinessCaseRecord {
                name: format!("{label} fixture"),
                stage: None,
                decision: accord_domain::finance::CaseDecision::NotClear,
                councils: ["E09000014", "E09000031"]
                    .iter()
                    .map(|c| GssCode::parse("c", c).unwrap())
                    .collect(),
                opportunity_record_id: None,
                base_year: None,
                appraisal_years: 10,
                preferred_option: None,
                financial_npv: None,
                projected_saving: None,
                illustrative: None,
                source: None,
                case,
                appraisal: None,
            };
            let mut tx = app.store.write().await.unwrap();
            let stored = tx
                .insert_business_case(meta, &record, &Change::by("test"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            vec![(
                "reference",
                FinanceKind::BusinessCase.reference(stored.number),
            )]
        }
        "allocation" => {
            use accord_store::finance::allocations::{AllocationRecord, CoreStatus, inputs_of};
            let record = AllocationRecord {
                title: format!("{label} fixture"),
                business_case_record_id: None,
                councils: ["E09000014", "E09000031"]
                    .iter()
                    .map(|c| GssCode::parse("c", c).unwrap())
                    .collect(),
                joining: Vec::new(),
                driver: accord_domain::finance::Driver::Population,
                status: CoreStatus::NotComputed,
                illustrative: None,
                source: None,
                inputs: inputs_of(None, Some(body["model"].clone()), None, None),
                driver_used: None,
                result: None,
            };
            let mut tx = app.store.write().await.unwrap();
            let stored = tx
                .insert_allocation(meta, &record, &Change::by("test"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            vec![(
                "reference",
                FinanceKind::Allocation.reference(stored.number),
            )]
        }
        "saving" => {
            let saving: accord_domain::finance::saving::Saving =
                serde_json::from_value(body.clone()).unwrap();
            let mut tx = app.store.write().await.unwrap();
            let stored = tx
                .insert_saving(meta, &saving, &Change::by("test"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            vec![("reference", FinanceKind::Saving.reference(stored.number))]
        }
        "funding_award" => {
            let award: accord_domain::finance::funding::FundingAward =
                serde_json::from_value(body.clone()).unwrap();
            let mut tx = app.store.write().await.unwrap();
            let stored = tx
                .insert_funding_award(meta, &award, &Change::by("test"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            vec![(
                "reference",
                FinanceKind::FundingAward.reference(stored.number),
            )]
        }
        accord_store::gateway::OPPORTUNITY_KIND => {
            // Opportunities live in a table of their own, numbered in the programme.
            let mut opportunity: accord_domain::opportunity::Opportunity =
                serde_json::from_value(body.clone()).unwrap();
            let mut tx = app.store.write().await.unwrap();
            opportunity.number = tx.last_opportunity_number(hwf).await.unwrap() + 1;
            opportunity.partnership_id = hwf;
            let stored = tx
                .insert_opportunity(meta, &opportunity, &Change::by("test"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            vec![("reference", stored.opportunity.reference())]
        }
        accord_store::governance::BOARD_KIND => {
            // A partnership has one board of each level: this one replaces the last.
            let mut tx = app.store.write().await.unwrap();
            let board: accord_domain::board::Board = serde_json::from_value(body.clone()).unwrap();
            for old in tx.boards_for_change(hwf).await.unwrap() {
                if old.board.level == board.level {
                    drop(tx);
                    app.store
                        .delete_record(old.record_id, &Change::by("test"))
                        .await
                        .unwrap();
                    tx = app.store.write().await.unwrap();
                }
            }
            let stored = tx
                .insert_board(meta, &board, &Change::by("test"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            vec![("reference", stored.board.level.slug().to_owned())]
        }
        accord_store::governance::PAPER_KIND | accord_store::records::DECISION_KIND => {
            // Filed with the partnership's Projects Board, numbered after what it holds.
            let mut tx = app.store.write().await.unwrap();
            let parent = tx
                .boards_for_change(hwf)
                .await
                .unwrap()
                .into_iter()
                .find(|b| b.board.level == accord_domain::board::BoardLevel::Projects)
                .unwrap();
            let (_, papers, decisions) = tx.full_board(parent.record_id).await.unwrap().unwrap();
            let id = if kind == accord_store::governance::PAPER_KIND {
                let mut paper: accord_store::governance::PaperBody =
                    serde_json::from_value(body.clone()).unwrap();
                paper.paper.number = papers.len() as u32 + 1;
                tx.insert_paper(meta, parent.record_id, &paper, None, &Change::by("test"))
                    .await
                    .unwrap()
                    .record_id
            } else {
                let mut decision: accord_domain::board::Decision =
                    serde_json::from_value(body.clone()).unwrap();
                decision.number = decisions.len() as u32 + 1;
                tx.insert_decision(meta, parent.record_id, &decision, &Change::by("test"))
                    .await
                    .unwrap()
                    .record_id
            };
            tx.commit().await.unwrap();
            vec![("record_id", id.to_string())]
        }
        _ => {
            let input =
                RecordInput::new(kind, meta.clone(), format!("{label} fixture"), body).unwrap();
            let id = app.store.insert_record(&input, &change).await.unwrap();
            vec![("record_id", id.to_string())]
        }
    }
}

/// A fixture project stored with `meta`, and its highlight report 1, published once.
async fn fixture_project(
    app: &TestApp,
    hwf: i64,
    meta: &RecordMeta,
    body: &serde_json::Value,
) -> (
    accord_store::delivery::StoredProject,
    accord_store::delivery::StoredHighlight,
) {
    let project: accord_domain::project::Project = serde_json::from_value(body.clone()).unwrap();
    let change = Change::by("test");
    let mut tx = app.store.write().await.unwrap();
    let number = tx.last_project_number(hwf).await.unwrap() + 1;
    let stored = tx
        .insert_project(meta, number, &project, &change)
        .await
        .unwrap();
    let draft = accord_domain::highlight_report::demo_published()
        .unwrap()
        .draft
        .clone();
    let mut report =
        accord_domain::highlight_report::HighlightReport::new(&stored.project, draft).unwrap();
    report
        .publish(&stored.project, support::report_day())
        .unwrap();
    let highlight = tx
        .insert_highlight(&stored, meta, 1, &report, &change)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (stored, highlight)
}

/// The classifications a fixture record is stored with, in the Haringey–Waltham Forest
/// partnership.
fn fixture_metas(kind: &str, hwf: i64, today: chrono::NaiveDate) -> Vec<(String, RecordMeta)> {
    let area = fixture_area(kind);
    let haringey = GssCode::parse("g", "E09000014").unwrap();
    let waltham = GssCode::parse("g", "E09000031").unwrap();
    let base = |class, owner: Option<&GssCode>| RecordMeta {
        area,
        partnership_id: Some(hwf),
        owner: owner.cloned(),
        classification: class,
        embargo: None,
    };
    let mut metas = vec![
        (
            "published".to_owned(),
            base(Classification::Published, None),
        ),
        (
            "partnership".to_owned(),
            base(Classification::Partnership, Some(&haringey)),
        ),
        (
            "council of Haringey".to_owned(),
            base(Classification::Council, Some(&haringey)),
        ),
        (
            "council of Waltham Forest".to_owned(),
            base(Classification::Council, Some(&waltham)),
        ),
    ];
    let mut embargoed = base(Classification::Embargoed, None);
    embargoed.embargo = Some(Embargo {
        until: today.succ_opt(),
        decision_id: None,
        release_to: Classification::Published,
    });
    metas.push(("embargoed".to_owned(), embargoed));
    if area == Area::Information {
        metas.push(("personal".to_owned(), base(Classification::Personal, None)));
    }
    metas
}

fn fill(path: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = path.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

async fn client_for(app: &TestApp, who: &Who, api: bool) -> Client {
    let Some(user_id) = who.user_id else {
        return app.anonymous();
    };
    if api {
        let (token, digest) = new_secret("accord_pat_");
        app.store
            .create_api_token(user_id, "route test", &digest, &Change::by("test"))
            .await
            .unwrap();
        return app.anonymous().with_token(&token);
    }
    // A session made directly, as signing in would make it, so a route that ends the session
    // (signing out) cannot affect the next request.
    let (session, digest) = new_secret("");
    app.store
        .create_session(
            &digest,
            user_id,
            chrono::Utc::now() + chrono::Duration::hours(1),
            &Change::by("test"),
        )
        .await
        .unwrap();
    app.anonymous().with_cookie("accord_session", &session)
}

async fn call(client: &mut Client, method: &str, path: &str) -> TestResponse {
    let api = path.starts_with("/api/");
    match method {
        "GET" => client.get(path).await,
        m if api => {
            client
                .send_json(
                    Method::from_bytes(m.as_bytes()).unwrap(),
                    path,
                    &serde_json::json!({}),
                )
                .await
        }
        "POST" => client.post_form(path, &[]).await,
        m => panic!("no page route should use {m}"),
    }
}

/// Whether a response means "you may not": a refusal, a request to sign in, or (for records
/// and partnerships) not being told the thing exists.
fn refused(response: &TestResponse, not_found_is_refusal: bool) -> bool {
    let to_sign_in = response.status == StatusCode::SEE_OTHER
        && response.header("location").starts_with("/sign-in");
    to_sign_in
        || response.status == StatusCode::UNAUTHORIZED
        || response.status == StatusCode::FORBIDDEN
        || (not_found_is_refusal && response.status == StatusCode::NOT_FOUND)
}

#[tokio::test]
async fn every_route_allows_and_denies_each_role_and_classification_as_the_policy_says() {
    let today = report_day();
    let app = TestApp::demo(today).await;
    let hwf = app.hwf().await;
    let other = app
        .store
        .partnerships()
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .find(|id| *id != hwf)
        .unwrap();
    let who = people(&app, hwf, other).await;
    let mut values: BTreeMap<&str, String> = BTreeMap::new();
    values.insert("id", hwf.to_string());
    values.insert("gss", "E09000014".into());
    values.insert("code", "E09000014".into());
    values.insert("file", "accord.css".into());
    values.insert("token_id", "999999".into());
    values.insert("action", "forward".into());
    values.insert("holiday_id", "999999".into());
    values.insert("number", "1".into());
    values.insert("version", "1".into());
    // Routes that name a record without a record guard (a catalogue entry; the opportunity a
    // council rates, whose guard is the rating area) use the demo's first one.
    let everything = ReadScope::of(&Actor {
        admin: true,
        ..Actor::default()
    });
    for (name, kind, partnership) in [
        ("service_id", "service", None),
        ("reference", "opportunity", Some(hwf)),
    ] {
        let query = RecordQuery {
            kind: kind.to_owned(),
            partnership_id: partnership,
            limit: 1,
            ..RecordQuery::default()
        };
        let first = app.store.records(&query, &everything, today).await.unwrap();
        let key = match &first[0].reference {
            Some(reference) => reference.clone(),
            None => first[0].id.to_string(),
        };
        values.insert(name, key);
    }

    let mut failures = Vec::new();
    let mut checked = 0;
    for route in route_table() {
        let api = route.path.starts_with("/api/");
        let cases: Vec<(String, Option<RecordMeta>, BTreeMap<&str, String>)> = match route.guard {
            Guard::Record(kind, _) => {
                let body = fixture_body(kind).unwrap_or_else(|| {
                    panic!(
                        "{} {}: add a fixture body for records of kind {kind}",
                        route.method, route.path
                    )
                });
                // Fixtures are stored as each case is walked: a board of a level is unique in
                // its partnership, so a board fixture replaces the one before it.
                let _ = body;
                fixture_metas(kind, hwf, today)
                    .into_iter()
                    .map(|(label, meta)| (label, Some(meta), values.clone()))
                    .collect()
            }
            _ => vec![("-".to_owned(), None, values.clone())],
        };
        for (label, meta, v) in &cases {
            let mut v = v.clone();
            if let (Guard::Record(kind, _), Some(meta)) = (route.guard, meta) {
                let stored_kind = if kind == "*" { "paper" } else { kind };
                let body = fixture_body(stored_kind).unwrap();
                for (name, key) in store_fixture(&app, stored_kind, hwf, meta, label, &body).await {
                    v.insert(name, key);
                }
            }
            let path = fill(&route.path, &v);
            for w in &who {
                let expected = match route.guard {
                    Guard::Public => true,
                    Guard::SignedIn => w.user_id.is_some(),
                    Guard::Admin => w.actor.admin,
                    Guard::Partnership(area, action) => {
                        let meta = if action == Action::Read {
                            RecordMeta::published(area, Some(hwf))
                        } else {
                            RecordMeta {
                                area,
                                partnership_id: Some(hwf),
                                owner: w.actor.home.clone(),
                                classification: Classification::Partnership,
                                embargo: None,
                            }
                        };
                        decide(&w.actor, action, &meta, today).is_allowed()
                    }
                    Guard::Record(_, action) => {
                        let meta = meta.as_ref().unwrap();
                        decide(&w.actor, Action::Read, meta, today).is_allowed()
                            && decide(&w.actor, action, meta, today).is_allowed()
                    }
                };
                let mut client = client_for(&app, w, api).await;
                let response = call(&mut client, &route.method, &path).await;
                let not_found_is_refusal =
                    matches!(route.guard, Guard::Partnership(..) | Guard::Record(..));
                let was_refused = refused(&response, not_found_is_refusal);
                checked += 1;
                if expected == was_refused {
                    failures.push(format!(
                        "{} {path} [{label}] as {}: expected {}, got {}",
                        route.method,
                        w.name,
                        if expected { "allowed" } else { "denied" },
                        response.status
                    ));
                } else if expected && response.status.is_server_error() {
                    failures.push(format!(
                        "{} {path} [{label}] as {}: allowed but failed with {}",
                        route.method, w.name, response.status
                    ));
                }
            }
        }
    }
    assert!(checked > 400, "only {checked} requests were checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
