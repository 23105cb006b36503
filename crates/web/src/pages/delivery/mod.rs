//! Delivery pages: projects through the Schedule 2 process, highlight reports, the programme
//! progress report (Appendix B), the programme timeline and the calendar feed.

pub mod charts;
pub mod common;
pub mod projects;
pub mod reports;

use accord_domain::access::{Action, Area};
use utoipa_axum::routes;

use crate::api::delivery as api;
use crate::guard::Guard;
use crate::routes::Routes;

/// Every delivery route, pages and API.
pub fn routes(r: Routes) -> Routes {
    use Action::{Create, Read, Release, Update};
    let programme = |action| Guard::Partnership(Area::Programme, action);
    let project = |action| Guard::Record(crate::delivery::PROJECT, action);
    let highlight = |action| Guard::Record(crate::delivery::HIGHLIGHT_REPORT, action);
    let progress = |action| Guard::Record(crate::delivery::PROGRESS_REPORT, action);
    r
        // Projects, addressed by their references (`P-7`); an old address by record id is
        // redirected by the guard.
        .get(
            "/partnerships/{id}/projects",
            programme(Read),
            projects::list,
        )
        .get(
            "/partnerships/{id}/projects/new",
            programme(Create),
            projects::new_form,
        )
        .post(
            "/partnerships/{id}/projects",
            programme(Create),
            projects::create,
        )
        .get(
            "/partnerships/{id}/projects/{reference}",
            project(Read),
            projects::show,
        )
        .get(
            "/partnerships/{id}/projects/{reference}/edit",
            project(Update),
            projects::edit_form,
        )
        .post(
            "/partnerships/{id}/projects/{reference}/edit",
            project(Update),
            projects::edit,
        )
        .get(
            "/partnerships/{id}/projects/{reference}/dates",
            project(Update),
            projects::dates_form,
        )
        .post(
            "/partnerships/{id}/projects/{reference}/dates",
            project(Update),
            projects::save_dates,
        )
        .get(
            "/partnerships/{id}/projects/{reference}/cabinet-approvals",
            project(Update),
            projects::approval_form,
        )
        .post(
            "/partnerships/{id}/projects/{reference}/cabinet-approvals",
            project(Update),
            projects::record_approval,
        )
        .get(
            "/partnerships/{id}/projects/{reference}/phases/new",
            project(Update),
            projects::phase_form,
        )
        .post(
            "/partnerships/{id}/projects/{reference}/phases",
            project(Update),
            projects::add_phase,
        )
        .get(
            "/partnerships/{id}/projects/{reference}/milestones/new",
            project(Update),
            projects::milestone_form,
        )
        .post(
            "/partnerships/{id}/projects/{reference}/milestones",
            project(Update),
            projects::add_milestone,
        )
        .post(
            "/partnerships/{id}/projects/{reference}/escalations",
            project(Update),
            projects::escalate,
        )
        // Highlight reports, under their project by their number. The guard checks the
        // project; the use cases check the report's own class again.
        .get(
            "/partnerships/{id}/projects/{reference}/highlight-reports",
            project(Read),
            reports::highlight_list,
        )
        .get(
            "/partnerships/{id}/projects/{reference}/highlight-reports/new",
            project(Update),
            reports::highlight_new_form,
        )
        .post(
            "/partnerships/{id}/projects/{reference}/highlight-reports",
            project(Update),
            reports::highlight_create,
        )
        .get(
            "/partnerships/{id}/projects/{reference}/highlight-reports/{number}",
            project(Read),
            reports::highlight_show,
        )
        .get(
            "/partnerships/{id}/projects/{reference}/highlight-reports/{number}/edit",
            project(Update),
            reports::highlight_edit_form,
        )
        .post(
            "/partnerships/{id}/projects/{reference}/highlight-reports/{number}/edit",
            project(Update),
            reports::highlight_edit,
        )
        .post(
            "/partnerships/{id}/projects/{reference}/highlight-reports/{number}/publish",
            project(Release),
            reports::highlight_publish,
        )
        .get(
            "/partnerships/{id}/projects/{reference}/highlight-reports/{number}/versions/{version}",
            project(Read),
            reports::highlight_version,
        )
        // Old addresses of highlight reports, by record id: the guard redirects them.
        .get(
            "/partnerships/{id}/highlight-reports/{record_id}",
            highlight(Read),
            reports::old_highlight,
        )
        .get(
            "/partnerships/{id}/highlight-reports/{record_id}/edit",
            highlight(Read),
            reports::old_highlight,
        )
        .get(
            "/partnerships/{id}/highlight-reports/{record_id}/versions/{version}",
            highlight(Read),
            reports::old_highlight,
        )
        // The programme as a whole
        .get(
            "/partnerships/{id}/timeline",
            programme(Read),
            reports::timeline_page,
        )
        .get(
            "/partnerships/{id}/progress-report",
            programme(Read),
            reports::progress_live,
        )
        .get(
            "/partnerships/{id}/progress-report/versions",
            programme(Read),
            reports::progress_versions,
        )
        .post(
            "/partnerships/{id}/progress-report/versions",
            programme(Release),
            reports::publish_progress_form,
        )
        .get(
            "/partnerships/{id}/progress-report/versions/{reference}",
            progress(Read),
            reports::progress_version,
        )
        // One path for the progress report: the old `progress-reports` addresses redirect.
        .get(
            "/partnerships/{id}/progress-reports",
            programme(Read),
            reports::old_progress_versions,
        )
        .post(
            "/partnerships/{id}/progress-reports",
            programme(Release),
            reports::old_publish_progress,
        )
        .get(
            "/partnerships/{id}/progress-reports/{record_id}",
            progress(Read),
            reports::old_progress_version,
        )
        .get(
            "/partnerships/{id}/calendar.ics",
            programme(Read),
            reports::calendar_feed,
        )
        // The JSON API
        .api(programme(Read), routes!(api::list_projects))
        .api(programme(Create), routes!(api::create_project))
        .api(project(Read), routes!(api::show_project))
        .api(project(Update), routes!(api::edit_project))
        .api(project(Update), routes!(api::change_dates))
        .api(project(Update), routes!(api::project_cabinet_approval))
        .api(project(Update), routes!(api::add_phase))
        .api(project(Update), routes!(api::add_milestone))
        .api(project(Update), routes!(api::escalate_project))
        .api(project(Update), routes!(api::start_highlight_report))
        .api(project(Read), routes!(api::show_highlight_report))
        .api(project(Update), routes!(api::edit_highlight_draft))
        .api(project(Release), routes!(api::publish_highlight_report))
        .api(project(Update), routes!(api::resave_highlight_version))
        .api(highlight(Read), routes!(api::old_highlight_report))
        .api(programme(Read), routes!(api::timeline))
        .api(programme(Read), routes!(api::progress_report))
        .api(programme(Read), routes!(api::progress_versions))
        .api(programme(Release), routes!(api::publish_progress_report))
        .api(progress(Read), routes!(api::published_progress_report))
        .api(
            programme(Release),
            routes!(api::old_publish_progress_report),
        )
        .api(progress(Read), routes!(api::old_published_progress_report))
}
