//! Delivery and governance pages: projects through the Schedule 2 process, the three boards of
//! Schedule 3 with their meetings, papers and decisions, the RAID log, highlight reports, the
//! programme progress report (Appendix B), the programme timeline and the calendar feed.

pub mod boards;
pub mod charts;
pub mod common;
pub mod projects;
pub mod raid;
pub mod reports;

use accord_domain::access::{Action, Area};
use utoipa_axum::routes;

use crate::api::delivery as api;
use crate::guard::Guard;
use crate::routes::Routes;

/// Every delivery and governance route, pages and API.
pub fn routes(r: Routes) -> Routes {
    use Action::{Create, Decide, Read, Release, Update};
    let programme = |action| Guard::Partnership(Area::Programme, action);
    let governance = |action| Guard::Partnership(Area::Governance, action);
    let project = |action| Guard::Record(crate::delivery::PROJECT, action);
    let board = |action| Guard::Record(crate::delivery::BOARD, action);
    let paper = |action| Guard::Record(crate::delivery::PAPER, action);
    let decision = |action| Guard::Record(crate::delivery::DECISION, action);
    let raid_item = |action| Guard::Record(accord_store::raid::RAID_KIND, action);
    let highlight = |action| Guard::Record(crate::delivery::HIGHLIGHT_REPORT, action);
    let progress = |action| Guard::Record(crate::delivery::PROGRESS_REPORT, action);
    r
        // Projects
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
            "/partnerships/{id}/projects/{record_id}",
            project(Read),
            projects::show,
        )
        .get(
            "/partnerships/{id}/projects/{record_id}/edit",
            project(Update),
            projects::edit_form,
        )
        .post(
            "/partnerships/{id}/projects/{record_id}/edit",
            project(Update),
            projects::edit,
        )
        .get(
            "/partnerships/{id}/projects/{record_id}/dates",
            project(Update),
            projects::dates_form,
        )
        .post(
            "/partnerships/{id}/projects/{record_id}/dates",
            project(Update),
            projects::save_dates,
        )
        .get(
            "/partnerships/{id}/projects/{record_id}/cabinet-approvals",
            project(Update),
            projects::approval_form,
        )
        .post(
            "/partnerships/{id}/projects/{record_id}/cabinet-approvals",
            project(Update),
            projects::record_approval,
        )
        .get(
            "/partnerships/{id}/projects/{record_id}/phases/new",
            project(Update),
            projects::phase_form,
        )
        .post(
            "/partnerships/{id}/projects/{record_id}/phases",
            project(Update),
            projects::add_phase,
        )
        .get(
            "/partnerships/{id}/projects/{record_id}/milestones/new",
            project(Update),
            projects::milestone_form,
        )
        .post(
            "/partnerships/{id}/projects/{record_id}/milestones",
            project(Update),
            projects::add_milestone,
        )
        .post(
            "/partnerships/{id}/projects/{record_id}/escalations",
            project(Update),
            projects::escalate,
        )
        // Highlight reports
        .get(
            "/partnerships/{id}/projects/{record_id}/highlight-reports",
            project(Read),
            reports::highlight_list,
        )
        .get(
            "/partnerships/{id}/projects/{record_id}/highlight-reports/new",
            project(Update),
            reports::highlight_new_form,
        )
        .post(
            "/partnerships/{id}/projects/{record_id}/highlight-reports",
            project(Update),
            reports::highlight_create,
        )
        .get(
            "/partnerships/{id}/highlight-reports/{record_id}",
            highlight(Read),
            reports::highlight_show,
        )
        .get(
            "/partnerships/{id}/highlight-reports/{record_id}/edit",
            highlight(Update),
            reports::highlight_edit_form,
        )
        .post(
            "/partnerships/{id}/highlight-reports/{record_id}/edit",
            highlight(Update),
            reports::highlight_edit,
        )
        .post(
            "/partnerships/{id}/highlight-reports/{record_id}/publish",
            highlight(Release),
            reports::highlight_publish,
        )
        .get(
            "/partnerships/{id}/highlight-reports/{record_id}/versions/{version}",
            highlight(Read),
            reports::highlight_version,
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
            "/partnerships/{id}/progress-reports",
            programme(Read),
            reports::progress_versions,
        )
        .post(
            "/partnerships/{id}/progress-reports",
            programme(Release),
            reports::publish_progress_form,
        )
        .get(
            "/partnerships/{id}/progress-reports/{record_id}",
            progress(Read),
            reports::progress_version,
        )
        .get(
            "/partnerships/{id}/calendar.ics",
            programme(Read),
            reports::calendar_feed,
        )
        // Boards, meetings, papers and decisions
        .get("/partnerships/{id}/boards", governance(Read), boards::list)
        .post(
            "/partnerships/{id}/boards",
            governance(Create),
            boards::create_standard,
        )
        .get(
            "/partnerships/{id}/boards/{record_id}",
            board(Read),
            boards::show,
        )
        .get(
            "/partnerships/{id}/boards/{record_id}/schedule",
            board(Update),
            boards::schedule_form,
        )
        .post(
            "/partnerships/{id}/boards/{record_id}/schedule",
            board(Update),
            boards::schedule,
        )
        .get(
            "/partnerships/{id}/boards/{record_id}/meetings/new",
            board(Update),
            boards::meeting_form,
        )
        .post(
            "/partnerships/{id}/boards/{record_id}/meetings",
            board(Update),
            boards::add_meeting,
        )
        .get(
            "/partnerships/{id}/boards/{record_id}/members/new",
            board(Update),
            boards::member_form,
        )
        .post(
            "/partnerships/{id}/boards/{record_id}/members",
            board(Update),
            boards::add_member,
        )
        .get(
            "/partnerships/{id}/boards/{record_id}/rotation",
            board(Update),
            boards::rotation_form,
        )
        .post(
            "/partnerships/{id}/boards/{record_id}/rotation",
            board(Update),
            boards::set_rotation,
        )
        .get(
            "/partnerships/{id}/boards/{record_id}/meetings/{number}",
            board(Read),
            boards::meeting,
        )
        .get(
            "/partnerships/{id}/boards/{record_id}/meetings/{number}/edit",
            board(Update),
            boards::move_form,
        )
        .post(
            "/partnerships/{id}/boards/{record_id}/meetings/{number}/edit",
            board(Update),
            boards::move_meeting,
        )
        .post(
            "/partnerships/{id}/boards/{record_id}/meetings/{number}/agenda",
            board(Update),
            boards::add_agenda_item,
        )
        .get(
            "/partnerships/{id}/boards/{record_id}/meetings/{number}/minutes",
            board(Update),
            boards::minutes_form,
        )
        .post(
            "/partnerships/{id}/boards/{record_id}/meetings/{number}/minutes",
            board(Update),
            boards::record_minutes,
        )
        .get(
            "/partnerships/{id}/boards/{record_id}/papers/new",
            board(Update),
            boards::paper_form,
        )
        .post(
            "/partnerships/{id}/boards/{record_id}/papers",
            board(Update),
            boards::add_paper,
        )
        .get(
            "/partnerships/{id}/boards/{record_id}/decisions/new",
            board(Decide),
            boards::decision_form,
        )
        .post(
            "/partnerships/{id}/boards/{record_id}/decisions",
            board(Decide),
            boards::add_decision,
        )
        .get(
            "/partnerships/{id}/papers/{record_id}",
            paper(Read),
            boards::paper,
        )
        .post(
            "/partnerships/{id}/papers/{record_id}/release",
            paper(Release),
            boards::release_paper,
        )
        .get(
            "/partnerships/{id}/decisions",
            governance(Read),
            boards::decisions_log,
        )
        .get(
            "/partnerships/{id}/decisions/{record_id}",
            decision(Read),
            boards::decision,
        )
        .post(
            "/partnerships/{id}/decisions/{record_id}/cabinet-approvals",
            decision(Decide),
            boards::add_approval,
        )
        // The RAID log
        .get("/partnerships/{id}/raid", programme(Read), raid::list)
        .get(
            "/partnerships/{id}/raid/new",
            programme(Create),
            raid::new_form,
        )
        .post("/partnerships/{id}/raid", programme(Create), raid::create)
        .get(
            "/partnerships/{id}/raid/{reference}",
            raid_item(Read),
            raid::show,
        )
        .post(
            "/partnerships/{id}/raid/{reference}/escalate",
            raid_item(Update),
            raid::escalate,
        )
        .post(
            "/partnerships/{id}/raid/{reference}/close",
            raid_item(Update),
            raid::close,
        )
        .post(
            "/partnerships/{id}/raid/{reference}/reopen",
            raid_item(Update),
            raid::reopen,
        )
        // The JSON API
        .api(programme(Read), routes!(api::list_projects))
        .api(programme(Create), routes!(api::create_project))
        .api(project(Read), routes!(api::show_project))
        .api(project(Update), routes!(api::change_dates))
        .api(project(Update), routes!(api::project_cabinet_approval))
        .api(project(Update), routes!(api::add_phase))
        .api(project(Update), routes!(api::add_milestone))
        .api(project(Update), routes!(api::start_highlight_report))
        .api(programme(Read), routes!(api::timeline))
        .api(programme(Read), routes!(api::progress_report))
        .api(programme(Release), routes!(api::publish_progress_report))
        .api(progress(Read), routes!(api::published_progress_report))
        .api(highlight(Read), routes!(api::show_highlight_report))
        .api(highlight(Update), routes!(api::edit_highlight_draft))
        .api(highlight(Release), routes!(api::publish_highlight_report))
        .api(highlight(Update), routes!(api::resave_highlight_version))
        .api(governance(Read), routes!(api::list_boards))
        .api(board(Read), routes!(api::show_board))
        .api(board(Update), routes!(api::schedule_meetings))
        .api(board(Update), routes!(api::file_paper))
        .api(board(Decide), routes!(api::record_decision))
        .api(paper(Read), routes!(api::show_paper))
        .api(decision(Read), routes!(api::show_decision))
        .api(decision(Decide), routes!(api::decision_cabinet_approval))
        .api(programme(Read), routes!(api::list_raid))
        .api(programme(Create), routes!(api::raise_raid))
        .api(raid_item(Read), routes!(api::show_raid))
        .api(raid_item(Update), routes!(api::escalate_raid))
}
