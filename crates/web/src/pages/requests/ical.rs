//! The single points of contact's iCalendar feed: every open request's deadlines and every
//! pending internal review's due date, as all-day events. It names requests by reference
//! and subject, never by requester.

use accord_domain::calendar::{Calendar, CalendarEvent, request_events, write};
use accord_domain::request::InternalReview;
use accord_store::RecordQuery;
use accord_store::requests::{REQUEST_KIND, REVIEW_KIND, calendars, decode_request, open_statuses};
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::ops::protocol;
use crate::AppState;
use crate::auth::Viewer;
use crate::error::WebError;

/// `GET /partnerships/{id}/requests/deadlines.ics`.
pub async fn feed(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let p = super::register::partnership(&state, id).await?;
    let today = state.today();
    let scope = viewer.scope();
    let open = state
        .store
        .records(
            &RecordQuery {
                statuses: open_statuses(),
                ..RecordQuery::of(REQUEST_KIND, id)
            },
            &scope,
            today,
        )
        .await?;
    let calendars = calendars(&*state.store).await?;
    let protocol = protocol();
    let mut events = Vec::new();
    for record in &open {
        let request = decode_request(record)?;
        let calendar = calendars.get(request.calendar_scope());
        if let Ok(dates) = request.due_dates(calendar, &protocol) {
            events.extend(request_events(id, record.id, &request, &dates));
        }
    }
    let reviews = state
        .store
        .records(
            &RecordQuery {
                statuses: vec!["pending".to_owned()],
                ..RecordQuery::of(REVIEW_KIND, id)
            },
            &scope,
            today,
        )
        .await?;
    for record in &reviews {
        let review: InternalReview = record.decode()?;
        if let Some(due) = record.key_date {
            let mut event = CalendarEvent::on_day(
                format!("partnership-{id}-review-{}-due@accord", record.id),
                due,
                format!("{}: decision due", record.title),
            );
            event.description = Some(format!(
                "Internal review asked for on {}.",
                review.requested
            ));
            event.categories = vec!["Internal review".to_owned()];
            events.push(event);
        }
    }
    let text = write(
        &Calendar {
            name: format!("Information request deadlines – {}", p.name),
            events,
        },
        chrono::Utc::now().naive_utc(),
    )?;
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
