//! Opportunities: a partnership's list (filtered by phase, wave and status), each opportunity
//! with its status history, its offers to the preferred partners and their answers, and the
//! forms that raise and change them. Every change goes through the domain's rules
//! (`accord_domain::opportunity`): the status lifecycle and the preferred-partner rule.
//!
//! The gateway's pages are in [`assessment`] (an opportunity's ratings and outcome),
//! [`matrix`] (the Schedule 1 RAG matrix and the ranking) and [`criteria`] (the versions of
//! the criteria and rule); the service catalogue in [`super::services`].

pub mod assessment;
pub mod criteria;
pub mod matrix;

use accord_domain::access::{Action, Area, decide};
use accord_domain::authority::parse_date;
use accord_domain::gateway::{Outcome, Rating};
use accord_domain::mou::long_date;
use accord_domain::opportunity::{
    MAX_WAVE, NewOpportunity, NewOtherPartner, Opportunity, ResponseKind, Status, StatusKind,
    StatusRequest,
};
use accord_domain::{GssCode, Invalid};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::common::{council_name, render, source_note};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    Banner, ButtonKind, Choice, Column, Field, InputWidth, Rag, SummaryRow, Table, TagColour,
    button, button_link, date_input, error_summary, form, notification_banner, radios, rag, select,
    summary_list, table, tag, text_input, textarea,
};
use crate::error::WebError;
use crate::forms::{DateParts, FormData, refused};
use crate::guard::{self, Guard, GuardedRecord};
use crate::layout::Page;
use crate::opportunity_records::{
    self as records, CLASSIFICATIONS, Entry, Gateway, StoredOpportunity, decode_opportunity,
};
use crate::routes::Routes;

/// Every route of opportunities, the gateway, the RAG matrix and the service catalogue: pages
/// and the API.
pub fn routes(r: Routes) -> Routes {
    use crate::api::opportunities as api;
    use utoipa_axum::routes as api_routes;
    let read = Guard::Partnership(Area::Programme, Action::Read);
    let create = Guard::Partnership(Area::Programme, Action::Create);
    let show = Guard::Record(records::OPPORTUNITY, Action::Read);
    let change = Guard::Record(records::OPPORTUNITY, Action::Update);
    let rate = Guard::Partnership(Area::Assessment, Action::Create);
    let criteria_read = Guard::Partnership(Area::Partnership, Action::Read);
    let criteria_change = Guard::Partnership(Area::Partnership, Action::Update);
    let base = "/partnerships/{id}/opportunities";
    let one = "/partnerships/{id}/opportunities/{record_id}";
    let r = super::services::routes(r)
        .get(base, read, list)
        .post(base, create, create_opportunity)
        .get(&format!("{base}/new"), create, new_form)
        .get(&format!("{base}/matrix"), read, matrix::matrix)
        .get(&format!("{base}/matrix.csv"), read, matrix::matrix_csv)
        .get(&format!("{base}/matrix.svg"), read, matrix::matrix_svg)
        .get(&format!("{base}/ranking"), read, matrix::ranking)
        .get(one, show, show_page)
        .get(&format!("{one}/edit"), change, edit_form)
        .post(&format!("{one}/edit"), change, edit)
        .get(&format!("{one}/status"), change, status_form)
        .post(&format!("{one}/status"), change, change_status)
        .get(&format!("{one}/offer"), change, offer_form)
        .post(&format!("{one}/offer"), change, offer)
        .get(&format!("{one}/responses"), change, response_form)
        .post(&format!("{one}/responses"), change, respond)
        .get(&format!("{one}/other-partners"), change, other_partner_form)
        .post(
            &format!("{one}/other-partners"),
            change,
            record_other_partner,
        )
        .get(&format!("{one}/assessment"), show, assessment::assessment)
        .get(
            &format!("{one}/assessment/{{gss}}"),
            show,
            assessment::council,
        )
        .post(&format!("{one}/assessment/{{gss}}"), rate, assessment::rate)
        .get(
            "/partnerships/{id}/criteria",
            criteria_read,
            criteria::criteria,
        )
        .get(
            "/partnerships/{id}/criteria/new",
            criteria_change,
            criteria::new_form,
        )
        .post(
            "/partnerships/{id}/criteria",
            criteria_change,
            criteria::create,
        );
    r.api(read, api_routes!(api::list))
        .api(create, api_routes!(api::create))
        .api(read, api_routes!(api::matrix))
        .api(show, api_routes!(api::show))
        .api(change, api_routes!(api::update))
        .api(change, api_routes!(api::change_status))
        .api(change, api_routes!(api::offer))
        .api(change, api_routes!(api::respond))
        .api(change, api_routes!(api::record_other_partner))
        .api(show, api_routes!(api::assessment))
        .api(rate, api_routes!(api::rate))
        .api(criteria_read, api_routes!(api::criteria))
        .api(criteria_change, api_routes!(api::revise_criteria))
        .api(Guard::Public, api_routes!(api::services))
        .api(Guard::Admin, api_routes!(api::add_service))
        .api(Guard::Admin, api_routes!(api::update_service))
}

// ----- shared pieces -----

/// The address of a partnership's opportunities.
pub fn base(id: i64) -> String {
    format!("/partnerships/{id}/opportunities")
}

/// The address of one opportunity.
pub fn href(id: i64, record_id: i64) -> String {
    format!("/partnerships/{id}/opportunities/{record_id}")
}

/// A status as a tag: colour and words (never colour alone).
pub fn status_tag(status: &Status) -> Markup {
    let colour = match status.kind() {
        StatusKind::Identified => TagColour::Grey,
        StatusKind::OfferedToPreferredPartner => TagColour::Blue,
        StatusKind::Assessing => TagColour::Purple,
        StatusKind::Passed => TagColour::Green,
        StatusKind::PassedWithConditions => TagColour::Teal,
        StatusKind::Deferred => TagColour::Yellow,
        StatusKind::NotPursued => TagColour::Red,
        StatusKind::HandedToDelivery => TagColour::Default,
    };
    tag(status.kind().label(), colour)
}

/// A gateway outcome as a tag.
pub fn outcome_tag(outcome: Outcome) -> Markup {
    let colour = match outcome {
        Outcome::Pass => TagColour::Green,
        Outcome::PassWithConditions => TagColour::Yellow,
        Outcome::Fail => TagColour::Red,
    };
    tag(outcome.label(), colour)
}

/// A rating as colour and letter, with its name for screen readers.
pub fn rating(rating: Rating) -> Markup {
    rag(match rating {
        Rating::Red => Rag::Red,
        Rating::Amber => Rag::Amber,
        Rating::Green => Rag::Green,
    })
}

/// Where an opportunity's assessment stands, in a few words.
pub fn gateway_summary(entry: &Entry) -> Markup {
    match &entry.gateway {
        Gateway::NotStarted => html! { span class="govuk-hint" { "Not rated" } },
        Gateway::Incomplete { rated, needed, .. } => {
            html! { span { (rated) " of " (needed) " ratings" } }
        }
        Gateway::Complete { report, .. } => html! {
            (outcome_tag(report.outcome)) " "
            span class="govuk-body-s" { "score " (format!("{:.2}", report.score)) }
        },
    }
}

/// A number, or "not stated".
pub fn number_or_not_stated(n: Option<u32>) -> Markup {
    html! {
        @match n {
            Some(n) => (n),
            None => span class="govuk-hint accord-not-stated" { (accord_domain::seed::NOT_STATED) },
        }
    }
}

fn classification_label(c: accord_domain::access::Classification) -> &'static str {
    CLASSIFICATIONS
        .iter()
        .find(|(k, _, _)| *k == c)
        .map_or(c.label(), |(_, label, _)| label)
}

fn classification_choices() -> Vec<Choice<'static>> {
    CLASSIFICATIONS
        .iter()
        .map(|(c, label, hint)| Choice::new(c.slug(), label).hint(hint))
        .collect()
}

/// The date a form gives, today when the boxes are left empty.
fn date_or_today(
    form: &FormData,
    name: &str,
    label: &str,
    today: chrono::NaiveDate,
    invalid: &mut Invalid,
) -> Option<chrono::NaiveDate> {
    let parts = form.date(name);
    if parts.is_empty() {
        return Some(today);
    }
    invalid.check(parts.parse(name, label))
}

fn parse_number(field: &str, text: &str, invalid: &mut Invalid) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            invalid.push(
                field,
                format!(
                    "Enter the {field} as a whole number from 1 to {MAX_WAVE}, or leave it blank"
                ),
            );
            None
        }
    }
}

/// Who makes a change, as the history records it.
fn by(viewer: &Viewer) -> String {
    viewer.change().actor
}

fn may_change(viewer: &Viewer, stored: &StoredOpportunity, today: chrono::NaiveDate) -> bool {
    decide(&viewer.actor, Action::Update, &stored.record.meta, today).is_allowed()
}

fn may_create(viewer: &Viewer, id: i64, today: chrono::NaiveDate) -> bool {
    super::common::may(viewer, Area::Programme, id, today)
}

fn page(title: impl Into<String>, id: i64, name: &str) -> Page {
    Page::new(title)
        .breadcrumb("Partnerships", "/")
        .breadcrumb(name.to_owned(), format!("/partnerships/{id}"))
        .breadcrumb("Opportunities", base(id))
        .section("/")
}

fn form_page(title: impl Into<String>, back: String, errors: &Invalid) -> Page {
    Page::new(title)
        .with_errors(errors)
        .back_link(back)
        .section("/")
}

// ----- the list -----

/// The filters of the list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    phase: String,
    #[serde(default)]
    wave: String,
    #[serde(default)]
    status: String,
}

/// One filter's choice: any, not stated, or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberFilter {
    Any,
    NotStated,
    Is(u32),
}

impl NumberFilter {
    fn parse(field: &str, text: &str, invalid: &mut Invalid) -> NumberFilter {
        match text.trim() {
            "" => NumberFilter::Any,
            "none" => NumberFilter::NotStated,
            t => match t.parse() {
                Ok(n) => NumberFilter::Is(n),
                Err(_) => {
                    invalid.push(field, format!("“{t}” is not a {field} number"));
                    NumberFilter::Any
                }
            },
        }
    }

    fn matches(self, value: Option<u32>) -> bool {
        match self {
            NumberFilter::Any => true,
            NumberFilter::NotStated => value.is_none(),
            NumberFilter::Is(n) => value == Some(n),
        }
    }
}

fn number_choices<'a>(values: &'a [String], all: &'a str) -> Vec<Choice<'a>> {
    let mut choices = vec![Choice::new("", all), Choice::new("none", "Not stated")];
    choices.extend(values.iter().map(|v| Choice::new(v, v)));
    choices
}

/// `GET /partnerships/{id}/opportunities`.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(query): Query<ListQuery>,
) -> Result<Markup, WebError> {
    let programme = records::programme(&state, &viewer, id).await?;
    let today = state.today();
    let mut invalid = Invalid::new();
    let phase = NumberFilter::parse("phase", &query.phase, &mut invalid);
    let wave = NumberFilter::parse("wave", &query.wave, &mut invalid);
    let status = if query.status.trim().is_empty() {
        None
    } else {
        invalid.check(StatusKind::parse("status", &query.status))
    };
    let shown: Vec<&Entry> = programme
        .entries
        .iter()
        .filter(|e| phase.matches(e.opportunity().phase))
        .filter(|e| wave.matches(e.opportunity().wave))
        .filter(|e| status.is_none_or(|s| e.opportunity().status.kind() == s))
        .collect();
    let numbers = |f: fn(&Opportunity) -> Option<u32>| {
        let mut n: Vec<u32> = programme
            .entries
            .iter()
            .filter_map(|e| f(e.opportunity()))
            .collect();
        n.sort_unstable();
        n.dedup();
        n
    };
    let phases: Vec<String> = numbers(|o| o.phase).iter().map(u32::to_string).collect();
    let waves: Vec<String> = numbers(|o| o.wave).iter().map(u32::to_string).collect();
    let mut status_choices = vec![Choice::new("", "Any status")];
    status_choices.extend(
        StatusKind::ALL
            .iter()
            .map(|k| Choice::new(k.slug(), k.label())),
    );
    let mut listing = Table::new(
        format!(
            "{} of {} opportunities",
            shown.len(),
            programme.entries.len()
        ),
        vec![
            Column::text("Service"),
            Column::numeric("Phase"),
            Column::numeric("Wave"),
            Column::text("Raised by"),
            Column::text("Status"),
            Column::text("Gateway"),
        ],
    );
    for entry in &shown {
        let o = entry.opportunity();
        listing = listing.row(vec![
            html! { a class="govuk-link" href=(href(id, o.id)) { (o.service.name) } },
            number_or_not_stated(o.phase),
            number_or_not_stated(o.wave),
            html! { (programme.name(&o.originating)) },
            status_tag(&o.status),
            gateway_summary(entry),
        ]);
    }
    let name = &programme.partnership.name;
    let content = html! {
        (error_summary(&invalid))
        span class="govuk-caption-l" { (name) }
        h1 class="govuk-heading-xl" { "Opportunities" }
        p class="govuk-body" {
            "The services the councils are testing for sharing: each is offered to the preferred partners first (MOU 3.2.1), "
            "then rated against the compatibility criteria."
        }
        ul class="govuk-list" {
            li { a class="govuk-link" href={ (base(id)) "/matrix" } { "The RAG matrix (Schedule 1 view)" } }
            li { a class="govuk-link" href={ (base(id)) "/ranking" } { "The programme ranked by gateway score" } }
            li { a class="govuk-link" href={ "/partnerships/" (id) "/criteria" } { "The criteria and the gateway rule" } }
            li { a class="govuk-link" href="/services" { "The service catalogue" } }
        }
        @if may_create(&viewer, id, today) {
            (button_link("Raise an opportunity", &format!("{}/new", base(id)), ButtonKind::Secondary))
        }
        form method="get" action=(base(id)) novalidate class="accord-opportunity-filters" {
            div class="accord-opportunity-filters__fields" {
                (select(&Field::new("phase", "Phase").value(query.phase.trim()).errors(&invalid), &number_choices(&phases, "Any phase")))
                (select(&Field::new("wave", "Wave").value(query.wave.trim()).errors(&invalid), &number_choices(&waves, "Any wave")))
                (select(&Field::new("status", "Status").value(query.status.trim()).errors(&invalid), &status_choices))
            }
            (button("Filter", ButtonKind::Secondary))
        }
        @if shown.is_empty() {
            p class="govuk-body" { "No opportunity matches." }
        } @else {
            (table(&listing.row_headers()))
        }
    };
    Ok(render(
        &state,
        &viewer,
        Page::new(format!("Opportunities – {name}"))
            .with_errors(&invalid)
            .breadcrumb("Partnerships", "/")
            .breadcrumb(name.clone(), format!("/partnerships/{id}"))
            .section("/"),
        content,
    ))
}

// ----- raising an opportunity -----

async fn opportunity_form_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    form_data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let partnership = records::partnership(state, id).await?;
    let catalogue = records::catalogue(state, viewer).await?;
    let names = super::common::councils(state, &super::common::member_codes(&partnership)).await?;
    let today = state.today();
    let mut services = vec![Choice::new("", "Choose a service")];
    let service_ids: Vec<(String, String)> = catalogue
        .services
        .iter()
        .map(|s| {
            (
                s.id.to_string(),
                format!("{} ({})", s.name, s.category.label()),
            )
        })
        .collect();
    services.extend(service_ids.iter().map(|(v, t)| Choice::new(v, t)));
    let member_names: Vec<(String, String)> = partnership
        .members_on(today)
        .map(|m| (m.authority.to_string(), council_name(&names, &m.authority)))
        .collect();
    let mut councils = vec![Choice::new("", "Choose a council")];
    councils.extend(member_names.iter().map(|(v, t)| Choice::new(v, t)));
    let classification = if form_data.get("classification").is_empty() {
        "partnership"
    } else {
        form_data.get("classification")
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (partnership.name) }
        h1 class="govuk-heading-xl" { "Raise an opportunity" }
        @if catalogue.services.is_empty() {
            p class="govuk-body" {
                "The service catalogue is empty: an administrator adds services on "
                a class="govuk-link" href="/services" { "the catalogue page" } "."
            }
        }
        (form(&base(id), &viewer.csrf, html! {
            (select(&Field::new("service_id", "Service").hint("From the service catalogue").value(form_data.get("service_id")).errors(errors), &services))
            (textarea(&Field::new("scope", "Scope of the opportunity").hint("What would be shared, and why now").value(form_data.get("scope")).errors(errors).rows(4)))
            (select(&Field::new("originating", "Council raising it").hint("It is offered to the other member councils first, as its preferred partners").value(form_data.get("originating")).errors(errors), &councils))
            (text_input(&Field::new("phase", "Phase (optional)").value(form_data.get("phase")).errors(errors).width(InputWidth::Chars2).numeric()))
            (text_input(&Field::new("wave", "Wave (optional)").value(form_data.get("wave")).errors(errors).width(InputWidth::Chars2).numeric()))
            (radios(&Field::new("size", "Size").hint("Drives the delivery timetable: four to nine months to build and deploy a small project, longer for a large one").value(form_data.get("size")).errors(errors), &[
                Choice::new("small", "Small"),
                Choice::new("large", "Large"),
                Choice::new("", "Not known yet"),
            ]))
            (radios(&Field::new("classification", "Who may see it").value(classification).errors(errors), &classification_choices()))
            (button("Raise the opportunity", ButtonKind::Primary))
        }))
    };
    Ok(render(
        state,
        viewer,
        form_page("Raise an opportunity", base(id), errors),
        content,
    ))
}

/// `GET /partnerships/{id}/opportunities/new`.
pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    opportunity_form_page(&state, &viewer, id, &FormData::default(), &Invalid::new()).await
}

/// What raising an opportunity needs, from a form or the API.
#[derive(Debug, Clone)]
pub struct Raise {
    /// The catalogue service's id, as typed.
    pub service_id: String,
    /// The domain's input.
    pub input: NewOpportunity,
    /// `partnership` (default), `council` or `published`.
    pub classification: String,
}

/// Raises an opportunity for the pages and the API: the domain checks it, the policy checks
/// the caller may raise it for the originating council, then it is stored.
pub async fn raise(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    raise: &Raise,
) -> Result<i64, WebError> {
    let partnership = records::partnership(state, id).await?;
    let catalogue = records::catalogue(state, viewer).await?;
    let mut invalid = Invalid::new();
    let service = match raise.service_id.trim().parse::<i64>() {
        Ok(sid) => catalogue.services.iter().find(|s| s.id == sid).cloned(),
        Err(_) => None,
    };
    if service.is_none() {
        invalid.push(
            "service_id",
            if raise.service_id.trim().is_empty() {
                "Choose a service from the catalogue".to_owned()
            } else {
                format!(
                    "“{}” is not a service in the catalogue",
                    raise.service_id.trim()
                )
            },
        );
    }
    let classification = invalid.check(records::parse_classification(
        "classification",
        &raise.classification,
    ));
    let today = state.today();
    let placeholder = accord_domain::service::Service {
        id: 0,
        name: String::new(),
        category: accord_domain::service::ServiceCategory::BackOffice,
    };
    let opportunity = invalid.check(Opportunity::raise(
        &partnership,
        service.clone().unwrap_or(placeholder),
        &raise.input,
        today,
        &by(viewer),
    ));
    invalid.into_result()?;
    let (Some(opportunity), Some(classification)) = (opportunity, classification) else {
        return Err(Invalid::field("scope", "could not be read").into());
    };
    let meta = records::opportunity_meta(id, &opportunity.originating, classification);
    guard::check(viewer, Action::Create, &meta, today)?;
    let input = records::opportunity_input(meta, &opportunity)?;
    Ok(state.store.insert_record(&input, &viewer.change()).await?)
}

/// `POST /partnerships/{id}/opportunities`.
pub async fn create_opportunity(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    form_data: FormData,
) -> Result<Response, WebError> {
    let mut invalid = Invalid::new();
    let wave = parse_number("wave", form_data.get("wave"), &mut invalid);
    let phase = parse_number("phase", form_data.get("phase"), &mut invalid);
    let request = Raise {
        service_id: form_data.get("service_id").to_owned(),
        input: NewOpportunity {
            scope: form_data.get("scope").to_owned(),
            originating: form_data.get("originating").to_owned(),
            wave,
            phase,
            size: Some(form_data.get("size").to_owned()),
        },
        classification: form_data.get("classification").to_owned(),
    };
    if form_data.get("originating").trim().is_empty() {
        invalid.push("originating", "Choose the council raising it");
    }
    if invalid.is_empty() {
        match raise(&state, &viewer, id, &request).await {
            Ok(record_id) => return Ok(Redirect::to(&href(id, record_id)).into_response()),
            Err(WebError::Unprocessable(e)) => invalid.extend(e),
            Err(e) => return Err(e),
        }
    }
    Ok(refused(
        opportunity_form_page(&state, &viewer, id, &form_data, &invalid).await?,
    ))
}

// ----- one opportunity -----

/// `GET /partnerships/{id}/opportunities/{record_id}`.
pub async fn show_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
) -> Result<Markup, WebError> {
    let programme = records::programme(&state, &viewer, id).await?;
    let entry = programme.entry(record_id).ok_or(WebError::NotFound)?;
    let today = state.today();
    let o = entry.opportunity();
    let stored = &entry.stored;
    let editor = may_change(&viewer, stored, today);
    let one = href(id, record_id);
    let name = |g: &GssCode| programme.name(g);
    let mut history = Table::new(
        "Status history",
        vec![
            Column::text("Date"),
            Column::text("Change"),
            Column::text("Why"),
            Column::text("By"),
        ],
    );
    for change in o.history.iter().rev() {
        history = history.row(vec![
            html! { (long_date(change.on)) },
            html! {
                @match &change.from {
                    None => { "Raised: " (change.to.describe()) },
                    Some(from) => { "From " (from.kind().label()) " to " (change.to.describe()) },
                }
            },
            html! {
                @if change.reason.is_empty() { span class="govuk-hint" { "No reason given" } }
                @else { (change.reason) }
            },
            html! { (change.by) },
        ]);
    }
    let content = html! {
        span class="govuk-caption-l" { (programme.partnership.name) }
        h1 class="govuk-heading-xl" { (o.service.name) }
        p class="govuk-body" { (status_tag(&o.status)) }
        (source_note(o.source.as_deref()))
        (summary_list(&[
            SummaryRow::new("Status", html! { (o.status.describe()) }),
            SummaryRow::new("Scope", html! { (o.scope) }),
            SummaryRow::new("Service category", html! { (o.service.category.label()) }),
            SummaryRow::new("Raised by", html! { (name(&o.originating)) }),
            SummaryRow::new("Phase", number_or_not_stated(o.phase)),
            SummaryRow::new("Wave", number_or_not_stated(o.wave)),
            SummaryRow::new("Size", html! {
                @match o.size { Some(size) => (size.slug()), None => span class="govuk-hint accord-not-stated" { (accord_domain::seed::NOT_STATED) } }
            }),
            SummaryRow::new("Who may see it", html! { (classification_label(stored.record.meta.classification)) }),
        ]))
        @if editor {
            div class="govuk-button-group" {
                (button_link("Change the status", &format!("{one}/status"), ButtonKind::Primary))
                (button_link("Change the scope, phase or size", &format!("{one}/edit"), ButtonKind::Secondary))
            }
        }

        h2 class="govuk-heading-l" id="gateway" { "Compatibility gateway" }
        (gateway_section(&programme, entry, id))

        h2 class="govuk-heading-l" id="partners" { "Preferred partners" }
        p class="govuk-body" {
            "Under the MOU (3.2.1–3.2.3) an opportunity is offered to the preferred partners first. "
            "Only when every one of them has declined may the council record another partner, and that arrangement must "
            "stay open for the preferred partners to join later."
        }
        (offers_section(o, &name))
        @if editor {
            div class="govuk-button-group" {
                @if matches!(o.status.kind(), StatusKind::Identified | StatusKind::Deferred)
                    && programme.partnership.members_on(today).any(|m| m.authority != o.originating && !o.offers.iter().any(|x| x.partner == m.authority)) {
                    (button_link("Offer to the preferred partners", &format!("{one}/offer"), ButtonKind::Secondary))
                }
                @if !o.offers.is_empty() {
                    (button_link("Record a partner’s answer", &format!("{one}/responses"), ButtonKind::Secondary))
                }
                (button_link("Record another partner", &format!("{one}/other-partners"), ButtonKind::Secondary))
            }
        }
        @if !o.other_partners.is_empty() {
            h3 class="govuk-heading-m" { "Other partners" }
            @for other in &o.other_partners {
                div class="govuk-inset-text" {
                    p class="govuk-body" {
                        strong { (other.name) }
                        @if let Some(code) = &other.authority { " (" (name(code)) ")" }
                        ", recorded on " (long_date(other.on)) " by " (other.by)
                    }
                    @if !other.note.is_empty() { p class="govuk-body" { (other.note) } }
                    p class="govuk-body" {
                        (tag("Open for the preferred partner to join later", TagColour::Blue)) " "
                        "Open to " (other.open_to.iter().map(&name).collect::<Vec<_>>().join(" and ")) " (MOU 3.2.3)."
                    }
                }
            }
        }

        h2 class="govuk-heading-l" { "History" }
        (table(&history))
        p class="govuk-body" {
            a class="govuk-link" href={ "/partnerships/" (id) "/records/" (record_id) "/history" } { "See every change to this record in the audit trail" }
        }
    };
    Ok(render(
        &state,
        &viewer,
        page(o.service.name.clone(), id, &programme.partnership.name),
        content,
    ))
}

fn offers_section(o: &Opportunity, name: &dyn Fn(&GssCode) -> String) -> Markup {
    if o.offers.is_empty() {
        return html! { p class="govuk-body" { "Not offered to the preferred partners yet." } };
    }
    let mut offers = Table::new(
        "Offers and answers",
        vec![
            Column::text("Preferred partner"),
            Column::text("Offered"),
            Column::text("Answer"),
            Column::text("Answered"),
            Column::text("Note"),
        ],
    );
    for offer in &o.offers {
        let earlier = offer.responses.len().saturating_sub(1);
        offers = offers.row(vec![
            html! { (name(&offer.partner)) },
            html! { (long_date(offer.offered_on)) },
            html! {
                @match offer.latest() {
                    Some(r) => {
                        (tag(r.kind.label(), if r.kind.declines() { TagColour::Orange } else { TagColour::Green }))
                        @if earlier > 0 { br; span class="govuk-body-s" { "(" (earlier) " earlier answer" @if earlier > 1 { "s" } ")" } }
                    },
                    None => span class="govuk-hint" { "No answer yet" },
                }
            },
            html! { @if let Some(r) = offer.latest() { (long_date(r.on)) } },
            html! { @if let Some(r) = offer.latest() { (r.note) } },
        ]);
    }
    table(&offers.row_headers())
}

fn gateway_section(programme: &records::Programme, entry: &Entry, id: i64) -> Markup {
    let o = entry.opportunity();
    let link = format!("{}/assessment", href(id, o.id));
    html! {
        @match &entry.gateway {
            Gateway::NotStarted => {
                p class="govuk-body" { "No council has rated it yet against version " (entry.version) " of the criteria." }
            },
            Gateway::Incomplete { rated, needed, .. } => {
                p class="govuk-body" { (rated) " of " (needed) " ratings given under version " (entry.version) " of the criteria: the outcome is known once every council has rated every criterion." }
            },
            Gateway::Complete { report, .. } => {
                p class="govuk-body" { "Outcome: " (outcome_tag(report.outcome)) " with a weighted score of " (format!("{:.2}", report.score))
                    ", ranked " (report.rank) " in the programme under version " (entry.version) "." }
                ul class="govuk-list govuk-list--bullet" {
                    @for reason in &report.reasons { li { (reason) } }
                }
            },
        }
        @if entry.illustrative() {
            p class="govuk-body" { (tag("Illustrative", TagColour::Yellow)) " The ratings are illustrative: the source’s RAG colours did not survive." }
        }
        @if programme.current().version() != entry.version {
            p class="govuk-body" { "The partnership’s current criteria are version " (programme.current().version()) "." }
        }
        p class="govuk-body" { a class="govuk-link" href=(link) { "See the ratings, the reasons and how close the outcome is to changing" } }
    }
}

// ----- changing the scope, phase, wave and size -----

fn edit_data(o: &Opportunity) -> FormData {
    FormData::from_pairs([
        ("scope", o.scope.clone()),
        ("phase", o.phase.map(|n| n.to_string()).unwrap_or_default()),
        ("wave", o.wave.map(|n| n.to_string()).unwrap_or_default()),
        (
            "size",
            o.size.map(|s| s.slug().to_owned()).unwrap_or_default(),
        ),
    ])
}

fn edit_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    stored: &StoredOpportunity,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let o = &stored.opportunity;
    let action = format!("{}/edit", href(id, o.id));
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (o.service.name) }
        h1 class="govuk-heading-xl" { "Change the scope, phase or size" }
        (form(&action, &viewer.csrf, html! {
            input type="hidden" name="version" value=(stored.record.version);
            (textarea(&Field::new("scope", "Scope of the opportunity").value(form_data.get("scope")).errors(errors).rows(4)))
            (text_input(&Field::new("phase", "Phase (optional)").value(form_data.get("phase")).errors(errors).width(InputWidth::Chars2).numeric()))
            (text_input(&Field::new("wave", "Wave (optional)").value(form_data.get("wave")).errors(errors).width(InputWidth::Chars2).numeric()))
            (radios(&Field::new("size", "Size").value(form_data.get("size")).errors(errors), &[
                Choice::new("small", "Small"),
                Choice::new("large", "Large"),
                Choice::new("", "Not known yet"),
            ]))
            (super::partnerships::reason_field(form_data.get("reason"), errors))
            (button("Save changes", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        form_page("Change the scope, phase or size", href(id, o.id), errors),
        content,
    )
}

/// `GET …/{record_id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let stored = decode_opportunity(record)?;
    let data = edit_data(&stored.opportunity);
    Ok(edit_page(
        &state,
        &viewer,
        id,
        &stored,
        &data,
        &Invalid::new(),
    ))
}

/// The scope, phase, wave and size of an opportunity, checked as raising it checks them.
pub fn apply_details(
    o: &mut Opportunity,
    scope: Option<&str>,
    phase: Option<Option<u32>>,
    wave: Option<Option<u32>>,
    size: Option<&str>,
) -> Result<(), Invalid> {
    let mut invalid = Invalid::new();
    if let Some(scope) = scope {
        let scope = scope.trim();
        if scope.is_empty() {
            invalid.push("scope", "Describe what would be shared");
        } else if scope.chars().count() > accord_domain::opportunity::MAX_SCOPE {
            invalid.push(
                "scope",
                format!(
                    "The scope must be {} characters or fewer",
                    accord_domain::opportunity::MAX_SCOPE
                ),
            );
        } else {
            o.scope = scope.to_owned();
        }
    }
    for (field, value, slot) in [("phase", phase, &mut o.phase), ("wave", wave, &mut o.wave)] {
        if let Some(value) = value {
            match value {
                Some(n) if n == 0 || n > MAX_WAVE => invalid.push(
                    field,
                    format!("{n} is not a {field} number; use 1 to {MAX_WAVE}"),
                ),
                other => *slot = other,
            }
        }
    }
    if let Some(size) = size {
        match size.trim() {
            "" => o.size = None,
            text => {
                if let Some(s) =
                    invalid.check(accord_domain::opportunity::ProjectSize::parse("size", text))
                {
                    o.size = Some(s);
                }
            }
        }
    }
    invalid.into_result()
}

fn version_of(form: &FormData) -> Option<i64> {
    form.get("version").trim().parse().ok()
}

/// `POST …/{record_id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let stored = decode_opportunity(record)?;
    let mut o = stored.opportunity.clone();
    let mut invalid = Invalid::new();
    let phase = parse_number("phase", form_data.get("phase"), &mut invalid);
    let wave = parse_number("wave", form_data.get("wave"), &mut invalid);
    if invalid.is_empty()
        && let Err(e) = apply_details(
            &mut o,
            Some(form_data.get("scope")),
            Some(phase),
            Some(wave),
            Some(form_data.get("size")),
        )
    {
        invalid.extend(e);
    }
    if invalid.is_empty() {
        match records::save_opportunity(
            &state,
            &viewer,
            &stored.record,
            &o,
            version_of(&form_data),
            form_data.get("reason"),
        )
        .await
        {
            Ok(()) => return Ok(Redirect::to(&href(id, o.id)).into_response()),
            Err(WebError::Unprocessable(e)) => invalid.extend(e),
            Err(e) => return Err(e),
        }
    }
    Ok(refused(edit_page(
        &state, &viewer, id, &stored, &form_data, &invalid,
    )))
}

// ----- the status -----

fn status_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    entry_outcome: Option<Outcome>,
    stored: &StoredOpportunity,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let o = &stored.opportunity;
    let next: Vec<StatusKind> = o
        .status
        .kind()
        .next()
        .iter()
        .copied()
        .filter(|k| *k != StatusKind::OfferedToPreferredPartner)
        .collect();
    let hints: Vec<(StatusKind, String)> = next
        .iter()
        .map(|k| {
            let hint = match k {
                StatusKind::Assessing => "The councils rate it against the criteria; a preferred partner must have accepted",
                StatusKind::Passed => "Needs a complete assessment whose outcome is Pass",
                StatusKind::PassedWithConditions => "Needs a complete assessment whose outcome is Pass or Pass with conditions",
                StatusKind::Deferred => "Give the date to evaluate it again",
                StatusKind::NotPursued => "Give the reason, such as “market testing instead”; this is final",
                StatusKind::HandedToDelivery => "It becomes a project of the delivery programme",
                _ => "",
            };
            (*k, hint.to_owned())
        })
        .collect();
    let choices: Vec<Choice> = hints
        .iter()
        .map(|(k, h)| Choice::new(k.slug(), k.label()).hint(h))
        .collect();
    let action = format!("{}/status", href(id, o.id));
    let on = if form_data.date("on").is_empty() {
        DateParts::from_date(state.today())
    } else {
        form_data.date("on")
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (o.service.name) }
        h1 class="govuk-heading-xl" { "Change the status" }
        p class="govuk-body" { "Now: " (status_tag(&o.status)) " " (o.status.describe()) }
        p class="govuk-body" id="gateway" {
            "Gateway outcome: "
            @match entry_outcome { Some(outcome) => (outcome_tag(outcome)), None => "no complete assessment" }
        }
        @if next.is_empty() {
            p class="govuk-body" { "An opportunity that is " (o.status.kind().label()) " cannot change status any more." }
        } @else {
            (form(&action, &viewer.csrf, html! {
                input type="hidden" name="version" value=(stored.record.version);
                (radios(&Field::new("to", "New status").value(form_data.get("to")).errors(errors), &choices))
                (date_input(&Field::new("on", "Date of the change").errors(errors), &on))
                (date_input(&Field::new("re_evaluate", "Date to evaluate it again (if deferring)").errors(errors), &form_data.date("re_evaluate")))
                (textarea(&Field::new("reason", "Why").hint("Required when it is not pursued; kept in the status history").value(form_data.get("reason")).errors(errors).rows(3)))
                (button("Change the status", ButtonKind::Primary))
            }))
        }
    };
    render(
        state,
        viewer,
        form_page("Change the status", href(id, o.id), errors),
        content,
    )
}

async fn outcome_of(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    record_id: i64,
) -> Result<Option<Outcome>, WebError> {
    let programme = records::programme(state, viewer, id).await?;
    Ok(programme
        .entry(record_id)
        .and_then(|e| e.gateway.report().map(|r| r.outcome)))
}

/// `GET …/{record_id}/status`.
pub async fn status_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let stored = decode_opportunity(record)?;
    let outcome = outcome_of(&state, &viewer, id, record_id).await?;
    Ok(status_page(
        &state,
        &viewer,
        id,
        outcome,
        &stored,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// A status change as a form or the API asks for it.
#[derive(Debug, Clone, Default)]
pub struct StatusAsk {
    /// The status's slug.
    pub to: String,
    /// When, if not today.
    pub on: Option<chrono::NaiveDate>,
    /// The re-evaluation date of a deferral.
    pub re_evaluate: Option<chrono::NaiveDate>,
    /// Why (the reason of a status "not pursued").
    pub reason: String,
}

/// Changes an opportunity's status through the domain's lifecycle, with the outcome of its
/// assessment as the reader sees it. Returns the changed opportunity.
pub async fn apply_status(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    stored: &StoredOpportunity,
    ask: &StatusAsk,
    version: Option<i64>,
) -> Result<Opportunity, WebError> {
    let mut invalid = Invalid::new();
    let kind = if ask.to.trim().is_empty() {
        invalid.push("to", "Choose the new status");
        None
    } else {
        invalid.check(StatusKind::parse("to", &ask.to))
    };
    let to = match kind {
        Some(StatusKind::Identified) => Some(Status::Identified),
        Some(StatusKind::OfferedToPreferredPartner) => Some(Status::OfferedToPreferredPartner),
        Some(StatusKind::Assessing) => Some(Status::Assessing),
        Some(StatusKind::Passed) => Some(Status::Passed),
        Some(StatusKind::PassedWithConditions) => Some(Status::PassedWithConditions),
        Some(StatusKind::HandedToDelivery) => Some(Status::HandedToDelivery),
        Some(StatusKind::NotPursued) => Some(Status::NotPursued {
            reason: ask.reason.clone(),
        }),
        Some(StatusKind::Deferred) => match ask.re_evaluate {
            Some(re_evaluate) => Some(Status::Deferred { re_evaluate }),
            None => {
                invalid.push("re_evaluate", "Enter the date to evaluate it again");
                None
            }
        },
        None => None,
    };
    invalid.into_result()?;
    let Some(to) = to else {
        return Err(Invalid::field("to", "Choose the new status").into());
    };
    let gateway = outcome_of(state, viewer, id, stored.record.id).await?;
    let reason = if to.kind() == StatusKind::NotPursued {
        String::new()
    } else {
        ask.reason.clone()
    };
    let mut o = stored.opportunity.clone();
    o.change_status(&StatusRequest {
        to,
        on: ask.on.unwrap_or_else(|| state.today()),
        by: by(viewer),
        reason,
        gateway,
    })?;
    records::save_opportunity(state, viewer, &stored.record, &o, version, &ask.reason).await?;
    Ok(o)
}

/// `POST …/{record_id}/status`.
pub async fn change_status(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let stored = decode_opportunity(record)?;
    let mut invalid = Invalid::new();
    let today = state.today();
    let on = date_or_today(
        &form_data,
        "on",
        "the date of the change",
        today,
        &mut invalid,
    );
    let re_evaluate = if form_data.date("re_evaluate").is_empty() {
        None
    } else {
        invalid.check(
            form_data
                .date("re_evaluate")
                .parse("re_evaluate", "the date to evaluate it again"),
        )
    };
    let ask = StatusAsk {
        to: form_data.get("to").to_owned(),
        on,
        re_evaluate,
        reason: form_data.get("reason").to_owned(),
    };
    if invalid.is_empty() {
        match apply_status(&state, &viewer, id, &stored, &ask, version_of(&form_data)).await {
            Ok(_) => return Ok(Redirect::to(&href(id, record_id)).into_response()),
            Err(WebError::Unprocessable(e)) => invalid.extend(e),
            Err(e) => return Err(e),
        }
    }
    let outcome = outcome_of(&state, &viewer, id, record_id).await?;
    Ok(refused(status_page(
        &state, &viewer, id, outcome, &stored, &form_data, &invalid,
    )))
}

// ----- offering to the preferred partners -----

fn offer_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    stored: &StoredOpportunity,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let o = &stored.opportunity;
    let on = if form_data.date("on").is_empty() {
        DateParts::from_date(state.today())
    } else {
        form_data.date("on")
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (o.service.name) }
        h1 class="govuk-heading-xl" { "Offer to the preferred partners" }
        p class="govuk-body" {
            "The opportunity is offered to every other member council, as the MOU asks (3.2.1). "
            "Record each council’s answer when it gives one."
        }
        (form(&format!("{}/offer", href(id, o.id)), &viewer.csrf, html! {
            input type="hidden" name="version" value=(stored.record.version);
            (date_input(&Field::new("on", "Date of the offer").errors(errors), &on))
            (button("Offer it", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        form_page("Offer to the preferred partners", href(id, o.id), errors),
        content,
    )
}

/// `GET …/{record_id}/offer`.
pub async fn offer_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let stored = decode_opportunity(record)?;
    Ok(offer_page(
        &state,
        &viewer,
        id,
        &stored,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// Offers an opportunity to its preferred partners (the domain decides who they are).
pub async fn apply_offer(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    stored: &StoredOpportunity,
    on: chrono::NaiveDate,
    version: Option<i64>,
) -> Result<Opportunity, WebError> {
    let partnership = records::partnership(state, id).await?;
    let mut o = stored.opportunity.clone();
    o.offer(&partnership, on, &by(viewer))?;
    records::save_opportunity(state, viewer, &stored.record, &o, version, "").await?;
    Ok(o)
}

/// `POST …/{record_id}/offer`.
pub async fn offer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let stored = decode_opportunity(record)?;
    let mut invalid = Invalid::new();
    let on = date_or_today(
        &form_data,
        "on",
        "the date of the offer",
        state.today(),
        &mut invalid,
    );
    if let (true, Some(on)) = (invalid.is_empty(), on) {
        match apply_offer(&state, &viewer, id, &stored, on, version_of(&form_data)).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("{}#partners", href(id, record_id))).into_response()
                );
            }
            Err(WebError::Unprocessable(e)) => invalid.extend(e),
            Err(e) => return Err(e),
        }
    }
    Ok(refused(offer_page(
        &state, &viewer, id, &stored, &form_data, &invalid,
    )))
}

// ----- a preferred partner's answer -----

async fn response_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    stored: &StoredOpportunity,
    form_data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let o = &stored.opportunity;
    let names = super::common::councils(
        state,
        &o.offers
            .iter()
            .map(|x| x.partner.clone())
            .collect::<Vec<_>>(),
    )
    .await?;
    let partners: Vec<(String, String)> = o
        .offers
        .iter()
        .map(|x| (x.partner.to_string(), council_name(&names, &x.partner)))
        .collect();
    let mut partner_choices = vec![Choice::new("", "Choose a council")];
    partner_choices.extend(partners.iter().map(|(v, t)| Choice::new(v, t)));
    let kinds: Vec<Choice> = ResponseKind::ALL
        .iter()
        .map(|k| {
            Choice::new(k.slug(), k.label()).hint(match k {
                ResponseKind::Accept => {
                    "It wants to share the service: the councils then assess it together"
                }
                ResponseKind::NotReady => "It is not ready or able to share the service now",
                ResponseKind::HasAnotherPartner => {
                    "It already shares the service with another partner"
                }
            })
        })
        .collect();
    let on = if form_data.date("on").is_empty() {
        DateParts::from_date(state.today())
    } else {
        form_data.date("on")
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (o.service.name) }
        h1 class="govuk-heading-xl" { "Record a partner’s answer" }
        @if o.offers.is_empty() {
            p class="govuk-body" { "The opportunity has not been offered to the preferred partners yet." }
        } @else {
            (form(&format!("{}/responses", href(id, o.id)), &viewer.csrf, html! {
                input type="hidden" name="version" value=(stored.record.version);
                (select(&Field::new("partner", "Preferred partner").value(form_data.get("partner")).errors(errors), &partner_choices))
                (radios(&Field::new("kind", "Answer").value(form_data.get("kind")).errors(errors), &kinds))
                (date_input(&Field::new("on", "Date of the answer").errors(errors), &on))
                (textarea(&Field::new("note", "What the partner said (optional)").value(form_data.get("note")).errors(errors).rows(3)))
                (button("Record the answer", ButtonKind::Primary))
            }))
        }
    };
    Ok(render(
        state,
        viewer,
        form_page("Record a partner’s answer", href(id, o.id), errors),
        content,
    ))
}

/// `GET …/{record_id}/responses`.
pub async fn response_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let stored = decode_opportunity(record)?;
    response_page(
        &state,
        &viewer,
        id,
        &stored,
        &FormData::default(),
        &Invalid::new(),
    )
    .await
}

/// A preferred partner's answer as a form or the API gives it.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    /// The partner's GSS code.
    pub partner: String,
    /// The answer's slug.
    pub kind: String,
    /// When, if not today.
    pub on: Option<chrono::NaiveDate>,
    /// What it said.
    pub note: String,
}

/// Records a preferred partner's answer through the domain.
pub async fn apply_answer(
    state: &AppState,
    viewer: &Viewer,
    stored: &StoredOpportunity,
    answer: &Answer,
    version: Option<i64>,
) -> Result<Opportunity, WebError> {
    let mut invalid = Invalid::new();
    let partner = if answer.partner.trim().is_empty() {
        invalid.push("partner", "Choose the council that answered");
        None
    } else {
        invalid.check(GssCode::parse("partner", &answer.partner))
    };
    let kind = if answer.kind.trim().is_empty() {
        invalid.push("kind", "Choose the answer");
        None
    } else {
        invalid.check(ResponseKind::parse("kind", &answer.kind))
    };
    invalid.into_result()?;
    let (Some(partner), Some(kind)) = (partner, kind) else {
        return Err(Invalid::field("kind", "could not be read").into());
    };
    let mut o = stored.opportunity.clone();
    o.respond(
        &partner,
        kind,
        answer.on.unwrap_or_else(|| state.today()),
        &by(viewer),
        &answer.note,
    )?;
    records::save_opportunity(state, viewer, &stored.record, &o, version, &answer.note).await?;
    Ok(o)
}

/// `POST …/{record_id}/responses`.
pub async fn respond(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let stored = decode_opportunity(record)?;
    let mut invalid = Invalid::new();
    let on = date_or_today(
        &form_data,
        "on",
        "the date of the answer",
        state.today(),
        &mut invalid,
    );
    let answer = Answer {
        partner: form_data.get("partner").to_owned(),
        kind: form_data.get("kind").to_owned(),
        on,
        note: form_data.get("note").to_owned(),
    };
    if invalid.is_empty() {
        match apply_answer(&state, &viewer, &stored, &answer, version_of(&form_data)).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("{}#partners", href(id, record_id))).into_response()
                );
            }
            Err(WebError::Unprocessable(e)) => invalid.extend(e),
            Err(e) => return Err(e),
        }
    }
    Ok(refused(
        response_page(&state, &viewer, id, &stored, &form_data, &invalid).await?,
    ))
}

// ----- another partner (the preferred-partner rule) -----

fn other_partner_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    stored: &StoredOpportunity,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let o = &stored.opportunity;
    let on = if form_data.date("on").is_empty() {
        DateParts::from_date(state.today())
    } else {
        form_data.date("on")
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (o.service.name) }
        h1 class="govuk-heading-xl" { "Record another partner" }
        (notification_banner(Banner::Important, "The preferred-partner rule (MOU 3.2.1–3.2.3)", html! {
            p class="govuk-body" {
                "Another partner can be recorded only after the opportunity was offered to every preferred partner and every one of them declined. "
                "The arrangement is recorded as open for the preferred partners to join later."
            }
        }))
        p class="govuk-body" id="partners" {
            @if o.offers.is_empty() { "Not offered to the preferred partners yet." }
            @else {
                @for offer in &o.offers {
                    (offer.partner) ": "
                    @match offer.latest() { Some(r) => { (r.kind.label()) " on " (long_date(r.on)) }, None => "no answer yet" }
                    ". "
                }
            }
        }
        (form(&format!("{}/other-partners", href(id, o.id)), &viewer.csrf, html! {
            input type="hidden" name="version" value=(stored.record.version);
            (text_input(&Field::new("name", "The other partner").hint("A council, a consortium or a company").value(form_data.get("name")).errors(errors)))
            (text_input(&Field::new("authority", "Its GSS code, if it is a council (optional)").hint("For example, E09000026").value(form_data.get("authority")).errors(errors).width(InputWidth::Chars10)))
            (date_input(&Field::new("on", "Date of the arrangement").errors(errors), &on))
            (textarea(&Field::new("note", "Details (optional)").value(form_data.get("note")).errors(errors).rows(3)))
            (button("Record the partner", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        form_page("Record another partner", href(id, o.id), errors),
        content,
    )
}

/// `GET …/{record_id}/other-partners`.
pub async fn other_partner_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let stored = decode_opportunity(record)?;
    Ok(other_partner_page(
        &state,
        &viewer,
        id,
        &stored,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// Records another partner; the domain's preferred-partner rule decides whether it may be.
pub async fn apply_other_partner(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    stored: &StoredOpportunity,
    input: &NewOtherPartner,
    version: Option<i64>,
) -> Result<Opportunity, WebError> {
    let partnership = records::partnership(state, id).await?;
    let mut o = stored.opportunity.clone();
    o.record_other_partner(&partnership, input, &by(viewer))?;
    records::save_opportunity(state, viewer, &stored.record, &o, version, &input.note).await?;
    Ok(o)
}

/// `POST …/{record_id}/other-partners`.
pub async fn record_other_partner(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
    GuardedRecord(record): GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let stored = decode_opportunity(record)?;
    let mut invalid = Invalid::new();
    let on = date_or_today(
        &form_data,
        "on",
        "the date of the arrangement",
        state.today(),
        &mut invalid,
    );
    let input = NewOtherPartner {
        name: form_data.get("name").to_owned(),
        authority: Some(form_data.get("authority").to_owned()),
        on: on.map(|d| d.to_string()).unwrap_or_default(),
        note: form_data.get("note").to_owned(),
    };
    if invalid.is_empty() {
        match apply_other_partner(&state, &viewer, id, &stored, &input, version_of(&form_data))
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("{}#partners", href(id, record_id))).into_response()
                );
            }
            Err(WebError::Unprocessable(e)) => invalid.extend(e),
            Err(e) => return Err(e),
        }
    }
    Ok(refused(other_partner_page(
        &state, &viewer, id, &stored, &form_data, &invalid,
    )))
}

/// Parses an optional `YYYY-MM-DD` date from the API.
pub fn optional_date(
    field: &str,
    text: Option<&str>,
) -> Result<Option<chrono::NaiveDate>, Invalid> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => parse_date(field, t).map(Some),
    }
}
