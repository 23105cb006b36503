//! Governance pages (Schedule 3): the three boards with their meetings, papers and decisions,
//! and the RAID log with its escalations and heat map.

pub mod boards;
pub mod common;
pub mod raid;

use accord_domain::access::{Action, Area};
use utoipa_axum::routes;

use crate::api::governance as api;
use crate::guard::Guard;
use crate::routes::Routes;

/// Every governance route, pages and API.
pub fn routes(r: Routes) -> Routes {
    use Action::{Create, Decide, Read, Release, Update};
    let programme = |action| Guard::Partnership(Area::Programme, action);
    let governance = |action| Guard::Partnership(Area::Governance, action);
    let board = |action| Guard::Record(crate::delivery::BOARD, action);
    let paper = |action| Guard::Record(crate::delivery::PAPER, action);
    let decision = |action| Guard::Record(crate::delivery::DECISION, action);
    let raid_item = |action| Guard::Record(accord_app::governance::raid::KIND, action);
    r
        // Boards, meetings, papers and decisions
        .get("/partnerships/{id}/boards", governance(Read), boards::list)
        .post(
            "/partnerships/{id}/boards",
            governance(Create),
            boards::create_standard,
        )
        .get(
            "/partnerships/{id}/boards/{reference}",
            board(Read),
            boards::show,
        )
        .get(
            "/partnerships/{id}/boards/{reference}/schedule",
            board(Update),
            boards::schedule_form,
        )
        .post(
            "/partnerships/{id}/boards/{reference}/schedule",
            board(Update),
            boards::schedule,
        )
        .get(
            "/partnerships/{id}/boards/{reference}/meetings/new",
            board(Update),
            boards::meeting_form,
        )
        .post(
            "/partnerships/{id}/boards/{reference}/meetings",
            board(Update),
            boards::add_meeting,
        )
        .get(
            "/partnerships/{id}/boards/{reference}/members/new",
            board(Update),
            boards::member_form,
        )
        .post(
            "/partnerships/{id}/boards/{reference}/members",
            board(Update),
            boards::add_member,
        )
        .get(
            "/partnerships/{id}/boards/{reference}/rotation",
            board(Update),
            boards::rotation_form,
        )
        .post(
            "/partnerships/{id}/boards/{reference}/rotation",
            board(Update),
            boards::set_rotation,
        )
        .get(
            "/partnerships/{id}/boards/{reference}/meetings/{number}",
            board(Read),
            boards::meeting,
        )
        .get(
            "/partnerships/{id}/boards/{reference}/meetings/{number}/edit",
            board(Update),
            boards::move_form,
        )
        .post(
            "/partnerships/{id}/boards/{reference}/meetings/{number}/edit",
            board(Update),
            boards::move_meeting,
        )
        .post(
            "/partnerships/{id}/boards/{reference}/meetings/{number}/agenda",
            board(Update),
            boards::add_agenda_item,
        )
        .get(
            "/partnerships/{id}/boards/{reference}/meetings/{number}/minutes",
            board(Update),
            boards::minutes_form,
        )
        .post(
            "/partnerships/{id}/boards/{reference}/meetings/{number}/minutes",
            board(Update),
            boards::record_minutes,
        )
        .get(
            "/partnerships/{id}/boards/{reference}/papers/new",
            board(Update),
            boards::paper_form,
        )
        .post(
            "/partnerships/{id}/boards/{reference}/papers",
            board(Update),
            boards::add_paper,
        )
        .get(
            "/partnerships/{id}/boards/{reference}/decisions/new",
            board(Decide),
            boards::decision_form,
        )
        .post(
            "/partnerships/{id}/boards/{reference}/decisions",
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
