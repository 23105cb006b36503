//! Opportunities: a partnership's list (filtered, sorted and paged by the database), each
//! opportunity — addressed by its reference, `OPP-7` — with its status history, its offers to
//! the preferred partners and their answers, and the forms that raise and change them. The
//! handlers turn requests into calls of the use cases of `accord_app::gateway` and their
//! answers into pages; the rules are the domain's.
//!
//! The gateway's pages are in [`assessment`] (an opportunity's ratings and outcome),
//! [`matrix`] (the Schedule 1 RAG matrix and the ranking) and [`criteria`] (the criteria
//! sets); the service catalogue in [`super::services`].

pub mod assessment;
pub mod criteria;
pub mod matrix;

pub use crate::paging::query_form;
use accord_app::AppError;
use accord_app::gateway::opportunities::{
    self as use_case, Answer, GatewaySummary, RaiseOpportunity, StatusAsk,
};
use accord_app::gateway::{Entry, InProgramme, OPPORTUNITY_KIND, OpportunityEntry};
use accord_app::list::ListRequest;
use accord_domain::access::{Action, Area, Classification, RecordMeta, decide};
use accord_domain::authority::parse_date;
use accord_domain::gateway::{AssessmentState, Outcome, Rating};
use accord_domain::mou::long_date;
use accord_domain::opportunity::list::{NumberFilter, OpportunityFilter, OpportunitySort};
use accord_domain::opportunity::{
    DetailsChange, MAX_WAVE, NewOpportunity, NewOtherPartner, Opportunity, ProjectSize,
    ResponseKind, Status, StatusKind, parse_classification,
};
use accord_domain::{GssCode, Invalid};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::common::{render, source_note};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    Banner, ButtonKind, Choice, Column, Field, InputWidth, Rag, SummaryRow, Table, TagColour,
    button, button_link, date_input, error_summary, form, notification_banner, pagination, radios,
    rag, select, summary_list, table, tag, text_input, textarea,
};
use crate::error::WebError;
use crate::forms::{DateParts, FormData, refused};
use crate::guard::{Guard, GuardedRecord};
use crate::layout::Page;
use crate::routes::Routes;

/// Opportunities on one page of the list.
pub const PAGE_SIZE: u32 = 100;

/// Every route of opportunities, the gateway, the RAG matrix and the service catalogue: pages
/// and the API.
pub fn routes(r: Routes) -> Routes {
    use crate::api::opportunities as api;
    use utoipa_axum::routes as api_routes;
    let read = Guard::Partnership(Area::Programme, Action::Read);
    let create = Guard::Partnership(Area::Programme, Action::Create);
    let show = Guard::Record(OPPORTUNITY_KIND, Action::Read);
    let change = Guard::Record(OPPORTUNITY_KIND, Action::Update);
    let rate = Guard::Partnership(Area::Assessment, Action::Create);
    let criteria_read = Guard::Partnership(Area::Partnership, Action::Read);
    let criteria_change = Guard::Partnership(Area::Partnership, Action::Update);
    let base = "/partnerships/{id}/opportunities";
    let one = "/partnerships/{id}/opportunities/{reference}";
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

/// The address of one opportunity, by its reference.
pub fn href(id: i64, reference: &str) -> String {
    format!("/partnerships/{id}/opportunities/{reference}")
}

/// The address of an opportunity.
pub fn href_of(id: i64, o: &Opportunity) -> String {
    href(id, &o.reference())
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
    match &entry.state {
        AssessmentState::NotStarted => html! { span class="govuk-hint" { "Not rated" } },
        AssessmentState::Incomplete { rated, needed, .. } => {
            html! { span { (rated) " of " (needed) " ratings" } }
        }
        AssessmentState::Complete { report, .. } => html! {
            (outcome_tag(report.outcome)) " "
            span class="govuk-body-s" { "score " (format!("{:.2}", report.score)) }
        },
    }
}

/// The same few words from the database's tally, for the list.
fn tally_summary(gateway: &GatewaySummary) -> Markup {
    match (gateway.outcome, gateway.score) {
        (Some(outcome), Some(score)) => html! {
            (outcome_tag(outcome)) " "
            span class="govuk-body-s" { "score " (format!("{score:.2}")) }
        },
        _ if gateway.rated == 0 => html! { span class="govuk-hint" { "Not rated" } },
        _ => html! { span { (gateway.rated) " of " (gateway.needed) " ratings" } },
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

/// The classifications a user may give an opportunity or a council's ratings, with labels.
pub const CLASSIFICATIONS: [(Classification, &str, &str); 3] = [
    (
        Classification::Partnership,
        "Partnership",
        "Everyone with a role in the partnership, councillors included",
    ),
    (
        Classification::Council,
        "Council only (a draft)",
        "The owning council’s users and the programme team",
    ),
    (
        Classification::Published,
        "Published",
        "Anyone, including the public",
    ),
];

fn classification_label(c: Classification) -> &'static str {
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

/// The date a form gives, `None` (today) when the boxes are left empty.
fn date_of(
    form: &FormData,
    name: &str,
    label: &str,
    invalid: &mut Invalid,
) -> Option<chrono::NaiveDate> {
    let parts = form.date(name);
    if parts.is_empty() {
        return None;
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

/// Whether the caller's policy allows an action on a record: to show or hide links to forms
/// (the routes' guards and the use cases are what enforce it).
fn may(viewer: &Viewer, action: Action, meta: &RecordMeta, today: chrono::NaiveDate) -> bool {
    decide(&viewer.actor, action, meta, today).is_allowed()
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

/// The version a form was filled from, if it says.
pub(crate) fn form_version(form_data: &FormData) -> Result<Option<i64>, Invalid> {
    match form_data.get("version").trim() {
        "" => Ok(None),
        text => text.parse::<i64>().map(Some).map_err(|_| {
            Invalid::field(
                "version",
                "The form is damaged: reload the page and try again",
            )
        }),
    }
}

/// How a refused change is shown on its form: refused input with 422 and the fields named, a
/// change made from a version someone has since replaced with 409 and the summary on the
/// `version` field; anything else is an error page.
pub(crate) fn refusal(error: AppError) -> Result<(StatusCode, Invalid), WebError> {
    match error {
        AppError::Invalid(errors) => Ok((StatusCode::UNPROCESSABLE_ENTITY, errors)),
        AppError::Conflict(message) => {
            Ok((StatusCode::CONFLICT, Invalid::field("version", message)))
        }
        other => Err(other.into()),
    }
}

/// The reference the guard resolved (by reference, or by an old address's record id).
fn guarded_reference(record: &GuardedRecord) -> String {
    record.0.reference.clone().unwrap_or_default()
}

// ----- the list -----

/// Reads the list's filter and order from a query.
pub fn filter_from(form: &FormData) -> Result<(OpportunityFilter, OpportunitySort), Invalid> {
    let mut invalid = Invalid::new();
    let phase = invalid
        .check(NumberFilter::parse("phase", form.get("phase")))
        .unwrap_or_default();
    let wave = invalid
        .check(NumberFilter::parse("wave", form.get("wave")))
        .unwrap_or_default();
    let status = match form.get("status").trim() {
        "" => None,
        text => invalid.check(StatusKind::parse("status", text)),
    };
    let originating = match form.get("originating").trim() {
        "" => None,
        text => invalid.check(GssCode::parse("originating", text)),
    };
    let size = match form.get("size").trim() {
        "" => None,
        text => invalid.check(ProjectSize::parse("size", text)),
    };
    let re_evaluate_by = match form.get("re_evaluate_by").trim() {
        "" => None,
        text => invalid.check(parse_date("re_evaluate_by", text)),
    };
    let text = Some(form.get("text").trim().to_owned()).filter(|t| !t.is_empty());
    let sort = invalid
        .check(OpportunitySort::parse("sort", form.get("sort")))
        .unwrap_or_default();
    let filter = OpportunityFilter {
        phase,
        wave,
        status,
        originating,
        size,
        text,
        re_evaluate_by,
    };
    if let Err(e) = filter.prepare() {
        invalid.extend(e);
    }
    invalid.into_result()?;
    Ok((filter, sort))
}

fn number_choices<'a>(values: &'a [String], all: &'a str) -> Vec<Choice<'a>> {
    let mut choices = vec![Choice::new("", all), Choice::new("none", "Not stated")];
    choices.extend(values.iter().map(|v| Choice::new(v, v)));
    choices
}

/// The query fields the list keeps from page to page.
const LIST_FIELDS: [&str; 8] = [
    "phase",
    "wave",
    "status",
    "originating",
    "size",
    "text",
    "re_evaluate_by",
    "sort",
];

/// `GET /partnerships/{id}/opportunities`: one page of the list, filtered, sorted, counted and
/// tallied by the database.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let form_data = query_form(query.as_deref());
    let (filter, sort, invalid) = match filter_from(&form_data) {
        Ok((f, s)) => (f, s, Invalid::new()),
        Err(e) => (OpportunityFilter::default(), OpportunitySort::default(), e),
    };
    let wanted = form_data.get("page").parse::<u32>().unwrap_or(1).max(1);
    let caller = viewer.caller();
    let mut listed = use_case::list(
        &state.app,
        &caller,
        id,
        &filter,
        sort,
        &ListRequest::page(wanted, PAGE_SIZE),
    )
    .await?;
    let pages = listed.page.pages(PAGE_SIZE);
    if wanted > pages {
        // A page beyond the end (the list shrank, or a hand-made address) shows the last.
        listed = use_case::list(
            &state.app,
            &caller,
            id,
            &filter,
            sort,
            &ListRequest::page(pages, PAGE_SIZE),
        )
        .await?;
    }
    let current = wanted.min(pages);
    let today = state.today();
    let phases: Vec<String> = listed.facets.phases.iter().map(u32::to_string).collect();
    let waves: Vec<String> = listed.facets.waves.iter().map(u32::to_string).collect();
    let mut status_choices = vec![Choice::new("", "Any status")];
    status_choices.extend(
        StatusKind::ALL
            .iter()
            .map(|k| Choice::new(k.slug(), k.label())),
    );
    let members: Vec<(String, String)> = listed
        .partnership
        .members
        .iter()
        .map(|m| (m.authority.to_string(), listed.names.name(&m.authority)))
        .collect();
    let mut council_choices = vec![Choice::new("", "Any council")];
    council_choices.extend(members.iter().map(|(v, t)| Choice::new(v, t)));
    let size_choices = [
        Choice::new("", "Any size"),
        Choice::new("small", "Small"),
        Choice::new("large", "Large"),
    ];
    let sort_choices: Vec<Choice> = OpportunitySort::ALL
        .iter()
        .map(|s| Choice::new(s.slug(), s.label()))
        .collect();
    let mut listing = Table::new(
        format!("{} of {} opportunities", listed.page.total, listed.all),
        vec![
            Column::text("Reference"),
            Column::text("Service"),
            Column::numeric("Phase"),
            Column::numeric("Wave"),
            Column::text("Raised by"),
            Column::text("Status"),
            Column::text("Gateway"),
        ],
    );
    for item in &listed.page.items {
        let o = &item.entry.opportunity;
        listing = listing.row(vec![
            html! { a class="govuk-link" href=(href_of(id, o)) { (o.reference()) } },
            html! { (o.service.name) },
            number_or_not_stated(o.phase),
            number_or_not_stated(o.wave),
            html! { (listed.names.name(&o.originating)) },
            status_tag(&o.status),
            tally_summary(&item.gateway),
        ]);
    }
    let page_href = |n: u32| {
        let mut pairs: Vec<(String, String)> = LIST_FIELDS
            .iter()
            .filter(|f| !form_data.get(f).is_empty())
            .map(|f| ((*f).to_owned(), form_data.get(f).to_owned()))
            .collect();
        pairs.push(("page".into(), n.to_string()));
        format!(
            "{}?{}",
            base(id),
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    let name = &listed.partnership.name;
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
                (select(&Field::new("phase", "Phase").value(form_data.get("phase").trim()).errors(&invalid), &number_choices(&phases, "Any phase")))
                (select(&Field::new("wave", "Wave").value(form_data.get("wave").trim()).errors(&invalid), &number_choices(&waves, "Any wave")))
                (select(&Field::new("status", "Status").value(form_data.get("status").trim()).errors(&invalid), &status_choices))
                (select(&Field::new("originating", "Raised by").value(form_data.get("originating").trim()).errors(&invalid), &council_choices))
                (select(&Field::new("size", "Size").value(form_data.get("size").trim()).errors(&invalid), &size_choices))
                (text_input(&Field::new("text", "Service, scope or reference contains").value(form_data.get("text")).errors(&invalid)))
                (select(&Field::new("sort", "Order").value(sort.slug()).errors(&invalid), &sort_choices))
            }
            (button("Filter", ButtonKind::Secondary))
        }
        @if listed.page.items.is_empty() {
            p class="govuk-body" { "No opportunity matches." }
        } @else {
            (table(&listing.row_headers()))
            (pagination(current, pages, page_href))
        }
    };
    let markup = render(
        &state,
        &viewer,
        Page::new(format!("Opportunities – {name}"))
            .with_errors(&invalid)
            .breadcrumb("Partnerships", "/")
            .breadcrumb(name.clone(), format!("/partnerships/{id}"))
            .section("/"),
        content,
    );
    if invalid.is_empty() {
        Ok(markup.into_response())
    } else {
        Ok(refused(markup))
    }
}

// ----- raising an opportunity -----

async fn opportunity_form_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    form_data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let choices = use_case::raise_choices(&state.app, &viewer.caller(), id).await?;
    let mut services = vec![Choice::new("", "Choose a service")];
    let service_ids: Vec<(String, String)> = choices
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
    let member_names: Vec<(String, String)> = choices
        .members
        .iter()
        .map(|(code, name)| (code.to_string(), name.clone()))
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
        span class="govuk-caption-l" { (choices.partnership.name) }
        h1 class="govuk-heading-xl" { "Raise an opportunity" }
        @if choices.services.is_empty() {
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
    let classification = invalid.check(parse_classification(
        "classification",
        form_data.get("classification"),
    ));
    if form_data.get("originating").trim().is_empty() {
        invalid.push("originating", "Choose the council raising it");
    }
    if let (true, Some(classification)) = (invalid.is_empty(), classification) {
        let command = RaiseOpportunity {
            service_id: form_data.get("service_id").to_owned(),
            input: NewOpportunity {
                scope: form_data.get("scope").to_owned(),
                originating: form_data.get("originating").to_owned(),
                wave,
                phase,
                size: Some(form_data.get("size").to_owned()),
            },
            classification,
            source: None,
            note: String::new(),
        };
        match use_case::raise(&state.app, &viewer.caller(), id, command).await {
            Ok(entry) => return Ok(Redirect::to(&href(id, &entry.reference())).into_response()),
            Err(AppError::Invalid(e)) => invalid.extend(e),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(refused(
        opportunity_form_page(&state, &viewer, id, &form_data, &invalid).await?,
    ))
}

// ----- one opportunity -----

/// `GET /partnerships/{id}/opportunities/{reference}`.
pub async fn show_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
) -> Result<Markup, WebError> {
    let reference = guarded_reference(&record);
    let within =
        accord_app::gateway::in_programme(&state.app, &viewer.caller(), id, &reference).await?;
    let programme = &within.programme;
    let entry = within.entry();
    let today = state.today();
    let o = entry.opportunity();
    let editor = may(&viewer, Action::Update, &entry.opportunity.meta, today);
    let one = href_of(id, o);
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
        span class="govuk-caption-l" { (programme.partnership.name) " · " (o.reference()) }
        h1 class="govuk-heading-xl" { (o.service.name) }
        p class="govuk-body" { (status_tag(&o.status)) }
        (source_note(o.source.as_deref()))
        (summary_list(&[
            SummaryRow::new("Reference", html! { (o.reference()) }),
            SummaryRow::new("Status", html! { (o.status.describe()) }),
            SummaryRow::new("Scope", html! { (o.scope) }),
            SummaryRow::new("Service category", html! { (o.service.category.label()) }),
            SummaryRow::new("Raised by", html! { (name(&o.originating)) }),
            SummaryRow::new("Phase", number_or_not_stated(o.phase)),
            SummaryRow::new("Wave", number_or_not_stated(o.wave)),
            SummaryRow::new("Size", html! {
                @match o.size { Some(size) => (size.slug()), None => span class="govuk-hint accord-not-stated" { (accord_domain::seed::NOT_STATED) } }
            }),
            SummaryRow::new("Who may see it", html! { (classification_label(entry.opportunity.classification)) }),
        ]))
        @if editor {
            div class="govuk-button-group" {
                (button_link("Change the status", &format!("{one}/status"), ButtonKind::Primary))
                (button_link("Change the scope, phase or size", &format!("{one}/edit"), ButtonKind::Secondary))
            }
        }

        h2 class="govuk-heading-l" id="gateway" { "Compatibility gateway" }
        (gateway_section(&within, id))

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
            a class="govuk-link" href={ "/partnerships/" (id) "/records/" (entry.opportunity.record_id) "/history" } { "See every change to this record in the audit trail" }
        }
    };
    Ok(render(
        &state,
        &viewer,
        page(
            format!("{} – {}", o.service.name, o.reference()),
            id,
            &programme.partnership.name,
        ),
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

fn gateway_section(within: &InProgramme, id: i64) -> Markup {
    let programme = &within.programme;
    let entry = within.entry();
    let o = entry.opportunity();
    let link = format!("{}/assessment", href_of(id, o));
    html! {
        @match &entry.state {
            AssessmentState::NotStarted => {
                p class="govuk-body" { "No council has rated it yet against version " (entry.set) " of the criteria." }
            },
            AssessmentState::Incomplete { rated, needed, .. } => {
                p class="govuk-body" { (rated) " of " (needed) " ratings given under version " (entry.set) " of the criteria: the outcome is known once every council has rated every criterion." }
            },
            AssessmentState::Complete { report, .. } => {
                p class="govuk-body" { "Outcome: " (outcome_tag(report.outcome)) " with a weighted score of " (format!("{:.2}", report.score))
                    ", ranked " (report.rank) " in the programme under version " (entry.set) "." }
                ul class="govuk-list govuk-list--bullet" {
                    @for reason in &report.reasons { li { (reason) } }
                }
            },
        }
        @if entry.illustrative() {
            p class="govuk-body" { (tag("Illustrative", TagColour::Yellow)) " The ratings are illustrative: the source’s RAG colours did not survive." }
        }
        @if programme.current().version() != entry.set {
            p class="govuk-body" { "The partnership’s current criteria are version " (programme.current().version()) "." }
        }
        p class="govuk-body" { a class="govuk-link" href=(link) { "See the ratings, the reasons and how close the outcome is to changing" } }
    }
}

/// The opportunity a changing form is about, as it is now.
async fn current(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    reference: &str,
) -> Result<OpportunityEntry, WebError> {
    Ok(use_case::opportunity(&state.app, &viewer.caller(), id, reference).await?)
}

/// Where a changing form goes back to: an opportunity, at an anchor of its page.
struct Back<'a> {
    id: i64,
    reference: &'a str,
    anchor: &'a str,
}

/// After a change made on a form: back to the opportunity (at the anchor), or the form again
/// with what went wrong — the typed values for refused input, the opportunity as it is now
/// for a change made from a stale version.
async fn after<F>(
    state: &AppState,
    viewer: &Viewer,
    back: Back<'_>,
    result: Result<OpportunityEntry, AppError>,
    form_data: &FormData,
    page: F,
) -> Result<Response, WebError>
where
    F: Fn(&OpportunityEntry, &FormData, &Invalid) -> Markup,
{
    let (status, errors) = match result {
        Ok(entry) => {
            return Ok(Redirect::to(&format!(
                "{}{}",
                href(back.id, &entry.reference()),
                back.anchor
            ))
            .into_response());
        }
        Err(e) => refusal(e)?,
    };
    let entry = current(state, viewer, back.id, back.reference).await?;
    let shown = if status == StatusCode::CONFLICT {
        FormData::default()
    } else {
        form_data.clone()
    };
    Ok((status, page(&entry, &shown, &errors)).into_response())
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
    entry: &OpportunityEntry,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let o = &entry.opportunity;
    let form_data = if form_data.pairs().is_empty() {
        edit_data(o)
    } else {
        form_data.clone()
    };
    let action = format!("{}/edit", href_of(id, o));
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (o.service.name) " · " (o.reference()) }
        h1 class="govuk-heading-xl" { "Change the scope, phase or size" }
        (form(&action, &viewer.csrf, html! {
            input type="hidden" name="version" value=(entry.version);
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
        form_page("Change the scope, phase or size", href_of(id, o), errors),
        content,
    )
}

/// `GET …/{reference}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
) -> Result<Markup, WebError> {
    let entry = current(&state, &viewer, id, &guarded_reference(&record)).await?;
    Ok(edit_page(
        &state,
        &viewer,
        id,
        &entry,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// `POST …/{reference}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let reference = guarded_reference(&record);
    let mut invalid = Invalid::new();
    let phase = parse_number("phase", form_data.get("phase"), &mut invalid);
    let wave = parse_number("wave", form_data.get("wave"), &mut invalid);
    let version = invalid.check(form_version(&form_data)).flatten();
    let result = if invalid.is_empty() {
        use_case::change_details(
            &state.app,
            &viewer.caller(),
            id,
            &reference,
            version,
            &DetailsChange {
                scope: Some(form_data.get("scope").to_owned()),
                phase: Some(phase),
                wave: Some(wave),
                size: Some(form_data.get("size").to_owned()),
            },
            form_data.get("reason"),
        )
        .await
    } else {
        Err(AppError::Invalid(invalid))
    };
    after(
        &state,
        &viewer,
        Back {
            id,
            reference: &reference,
            anchor: "",
        },
        result,
        &form_data,
        |e, f, errors| edit_page(&state, &viewer, id, e, f, errors),
    )
    .await
}

// ----- the status -----

fn status_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    outcome: Option<Outcome>,
    entry: &OpportunityEntry,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let o = &entry.opportunity;
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
    let action = format!("{}/status", href_of(id, o));
    let on = if form_data.date("on").is_empty() {
        DateParts::from_date(state.today())
    } else {
        form_data.date("on")
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (o.service.name) " · " (o.reference()) }
        h1 class="govuk-heading-xl" { "Change the status" }
        p class="govuk-body" { "Now: " (status_tag(&o.status)) " " (o.status.describe()) }
        p class="govuk-body" id="gateway" {
            "Gateway outcome: "
            @match outcome { Some(outcome) => (outcome_tag(outcome)), None => "no complete assessment" }
        }
        @if next.is_empty() {
            p class="govuk-body" { "An opportunity that is " (o.status.kind().label()) " cannot change status any more." }
        } @else {
            (form(&action, &viewer.csrf, html! {
                input type="hidden" name="version" value=(entry.version);
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
        form_page("Change the status", href_of(id, o), errors),
        content,
    )
}

/// `GET …/{reference}/status`.
pub async fn status_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
) -> Result<Markup, WebError> {
    let reference = guarded_reference(&record);
    let entry = current(&state, &viewer, id, &reference).await?;
    let outcome = use_case::outcome(&state.app, &viewer.caller(), id, &reference).await?;
    Ok(status_page(
        &state,
        &viewer,
        id,
        outcome,
        &entry,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// `POST …/{reference}/status`.
pub async fn change_status(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let reference = guarded_reference(&record);
    let mut invalid = Invalid::new();
    let on = date_of(&form_data, "on", "the date of the change", &mut invalid);
    let re_evaluate = date_of(
        &form_data,
        "re_evaluate",
        "the date to evaluate it again",
        &mut invalid,
    );
    let version = invalid.check(form_version(&form_data)).flatten();
    let result = if invalid.is_empty() {
        use_case::change_status(
            &state.app,
            &viewer.caller(),
            id,
            &reference,
            version,
            &StatusAsk {
                to: form_data.get("to").to_owned(),
                on,
                re_evaluate,
                reason: form_data.get("reason").to_owned(),
            },
        )
        .await
    } else {
        Err(AppError::Invalid(invalid))
    };
    let outcome = use_case::outcome(&state.app, &viewer.caller(), id, &reference).await?;
    after(
        &state,
        &viewer,
        Back {
            id,
            reference: &reference,
            anchor: "",
        },
        result,
        &form_data,
        |e, f, errors| status_page(&state, &viewer, id, outcome, e, f, errors),
    )
    .await
}

// ----- offering to the preferred partners -----

fn offer_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    entry: &OpportunityEntry,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let o = &entry.opportunity;
    let on = if form_data.date("on").is_empty() {
        DateParts::from_date(state.today())
    } else {
        form_data.date("on")
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (o.service.name) " · " (o.reference()) }
        h1 class="govuk-heading-xl" { "Offer to the preferred partners" }
        p class="govuk-body" {
            "The opportunity is offered to every other member council, as the MOU asks (3.2.1). "
            "Record each council’s answer when it gives one."
        }
        (form(&format!("{}/offer", href_of(id, o)), &viewer.csrf, html! {
            input type="hidden" name="version" value=(entry.version);
            (date_input(&Field::new("on", "Date of the offer").errors(errors), &on))
            (button("Offer it", ButtonKind::Primary))
        }))
    };
    render(
        state,
        viewer,
        form_page("Offer to the preferred partners", href_of(id, o), errors),
        content,
    )
}

/// `GET …/{reference}/offer`.
pub async fn offer_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
) -> Result<Markup, WebError> {
    let entry = current(&state, &viewer, id, &guarded_reference(&record)).await?;
    Ok(offer_page(
        &state,
        &viewer,
        id,
        &entry,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// `POST …/{reference}/offer`.
pub async fn offer(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let reference = guarded_reference(&record);
    let mut invalid = Invalid::new();
    let on = date_of(&form_data, "on", "the date of the offer", &mut invalid);
    let version = invalid.check(form_version(&form_data)).flatten();
    let result = if invalid.is_empty() {
        use_case::offer(&state.app, &viewer.caller(), id, &reference, version, on).await
    } else {
        Err(AppError::Invalid(invalid))
    };
    after(
        &state,
        &viewer,
        Back {
            id,
            reference: &reference,
            anchor: "#partners",
        },
        result,
        &form_data,
        |e, f, errors| offer_page(&state, &viewer, id, e, f, errors),
    )
    .await
}

// ----- a preferred partner's answer -----

fn response_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    entry: &OpportunityEntry,
    names: &accord_app::gateway::Names,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let o = &entry.opportunity;
    let partners: Vec<(String, String)> = o
        .offers
        .iter()
        .map(|x| (x.partner.to_string(), names.name(&x.partner)))
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
        span class="govuk-caption-l" { (o.service.name) " · " (o.reference()) }
        h1 class="govuk-heading-xl" { "Record a partner’s answer" }
        @if o.offers.is_empty() {
            p class="govuk-body" { "The opportunity has not been offered to the preferred partners yet." }
        } @else {
            (form(&format!("{}/responses", href_of(id, o)), &viewer.csrf, html! {
                input type="hidden" name="version" value=(entry.version);
                (select(&Field::new("partner", "Preferred partner").value(form_data.get("partner")).errors(errors), &partner_choices))
                (radios(&Field::new("kind", "Answer").value(form_data.get("kind")).errors(errors), &kinds))
                (date_input(&Field::new("on", "Date of the answer").errors(errors), &on))
                (textarea(&Field::new("note", "What the partner said (optional)").value(form_data.get("note")).errors(errors).rows(3)))
                (button("Record the answer", ButtonKind::Primary))
            }))
        }
    };
    render(
        state,
        viewer,
        form_page("Record a partner’s answer", href_of(id, o), errors),
        content,
    )
}

/// The member councils, named, for the answer form (offers go to members).
async fn offer_names(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<accord_app::gateway::Names, WebError> {
    Ok(accord_app::gateway::member_names(&state.app, &viewer.caller(), id).await?)
}

/// `GET …/{reference}/responses`.
pub async fn response_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
) -> Result<Markup, WebError> {
    let entry = current(&state, &viewer, id, &guarded_reference(&record)).await?;
    let names = offer_names(&state, &viewer, id).await?;
    Ok(response_page(
        &state,
        &viewer,
        id,
        &entry,
        &names,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// `POST …/{reference}/responses`.
pub async fn respond(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let reference = guarded_reference(&record);
    let mut invalid = Invalid::new();
    let on = date_of(&form_data, "on", "the date of the answer", &mut invalid);
    let version = invalid.check(form_version(&form_data)).flatten();
    let result = if invalid.is_empty() {
        use_case::respond(
            &state.app,
            &viewer.caller(),
            id,
            &reference,
            version,
            &Answer {
                partner: form_data.get("partner").to_owned(),
                kind: form_data.get("kind").to_owned(),
                on,
                note: form_data.get("note").to_owned(),
            },
        )
        .await
    } else {
        Err(AppError::Invalid(invalid))
    };
    if let Ok(entry) = &result {
        return Ok(
            Redirect::to(&format!("{}#partners", href(id, &entry.reference()))).into_response(),
        );
    }
    let names = offer_names(&state, &viewer, id).await?;
    after(
        &state,
        &viewer,
        Back {
            id,
            reference: &reference,
            anchor: "#partners",
        },
        result,
        &form_data,
        |e, f, errors| response_page(&state, &viewer, id, e, &names, f, errors),
    )
    .await
}

// ----- another partner (the preferred-partner rule) -----

fn other_partner_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    entry: &OpportunityEntry,
    form_data: &FormData,
    errors: &Invalid,
) -> Markup {
    let o = &entry.opportunity;
    let on = if form_data.date("on").is_empty() {
        DateParts::from_date(state.today())
    } else {
        form_data.date("on")
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (o.service.name) " · " (o.reference()) }
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
        (form(&format!("{}/other-partners", href_of(id, o)), &viewer.csrf, html! {
            input type="hidden" name="version" value=(entry.version);
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
        form_page("Record another partner", href_of(id, o), errors),
        content,
    )
}

/// `GET …/{reference}/other-partners`.
pub async fn other_partner_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
) -> Result<Markup, WebError> {
    let entry = current(&state, &viewer, id, &guarded_reference(&record)).await?;
    Ok(other_partner_page(
        &state,
        &viewer,
        id,
        &entry,
        &FormData::default(),
        &Invalid::new(),
    ))
}

/// `POST …/{reference}/other-partners`.
pub async fn record_other_partner(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
    form_data: FormData,
) -> Result<Response, WebError> {
    let reference = guarded_reference(&record);
    let mut invalid = Invalid::new();
    let on = date_of(
        &form_data,
        "on",
        "the date of the arrangement",
        &mut invalid,
    )
    .unwrap_or_else(|| state.today());
    let version = invalid.check(form_version(&form_data)).flatten();
    let result = if invalid.is_empty() {
        use_case::record_other_partner(
            &state.app,
            &viewer.caller(),
            id,
            &reference,
            version,
            &NewOtherPartner {
                name: form_data.get("name").to_owned(),
                authority: Some(form_data.get("authority").to_owned()),
                on: on.to_string(),
                note: form_data.get("note").to_owned(),
            },
        )
        .await
    } else {
        Err(AppError::Invalid(invalid))
    };
    after(
        &state,
        &viewer,
        Back {
            id,
            reference: &reference,
            anchor: "#partners",
        },
        result,
        &form_data,
        |e, f, errors| other_partner_page(&state, &viewer, id, e, f, errors),
    )
    .await
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
