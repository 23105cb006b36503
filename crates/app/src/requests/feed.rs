//! The single points of contact's iCalendar feed: every open request's deadlines and every
//! pending internal review's due date, as all-day events. It names requests by reference and
//! subject, never by requester.

use accord_domain::access::Action;
use accord_domain::calendar::{Calendar, CalendarEvent, request_events, write};

use super::{partnership, register_meta};
use crate::{App, Caller, Result};

/// The partnership's deadline feed as iCalendar text, of what the caller may read.
pub async fn deadline_feed(app: &App, caller: &Caller, partnership_id: i64) -> Result<String> {
    let today = app.today();
    caller.check(
        Action::Update,
        &register_meta(partnership_id, caller, Action::Update),
        today,
    )?;
    let view = partnership(app, partnership_id).await?;
    let scope = caller.scope();
    let store = app.store();
    let mut events = Vec::new();
    for stored in store.open_requests(partnership_id, &scope, today).await? {
        events.extend(request_events(
            partnership_id,
            stored.record_id,
            &stored.request,
            &stored.dates,
        ));
    }
    for (review, reference) in store.pending_reviews(partnership_id, &scope, today).await? {
        let Some(due) = review.due else { continue };
        let mut event = CalendarEvent::on_day(
            format!(
                "partnership-{partnership_id}-review-{}-due@accord",
                review.record_id
            ),
            due,
            format!("Internal review of {reference}: decision due"),
        );
        event.description = Some(format!(
            "Internal review asked for on {}.",
            review.review.requested
        ));
        event.categories = vec!["Internal review".to_owned()];
        events.push(event);
    }
    Ok(write(
        &Calendar {
            name: format!("Information request deadlines – {}", view.partnership.name),
            events,
        },
        chrono::Utc::now().naive_utc(),
    )?)
}
