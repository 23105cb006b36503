//! The single points of contact's iCalendar feed: every open request's deadlines and every
//! pending internal review's due date, as all-day events. It names requests by reference
//! and subject, never by requester.

use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::WebError;

/// `GET /partnerships/{id}/requests/deadlines.ics`.
pub async fn feed(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let text = accord_app::requests::deadline_feed(&state.app, &viewer.caller(), id).await?;
    Ok((
        [
            (CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"request-deadlines.ics\"",
            ),
        ],
        text,
    )
        .into_response())
}
