//! An opportunity's assessment: every council's Red/Amber/Green rating of every criterion with
//! its reason, the combined ratings, the outcome with its reasons in plain words, the smallest
//! rating changes that would flip it either way, and how far each weight can move before the
//! outcome or the rank changes. Each council rates on its own page; its officers may rate only
//! for their own council (the programme team for any).

use accord_app::gateway::assessment::{self as use_case, CouncilView, Rate};
use accord_app::gateway::{Entry, InProgramme, RatingsEntry};
use accord_domain::Invalid;
use accord_domain::gateway::assessment::RangeReport;
use accord_domain::gateway::{
    AssessmentReport, AssessmentState, Council, CriteriaSet, RatingInput,
};
use accord_domain::opportunity::parse_classification;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::{base, form_version, href, href_of, outcome_tag, rating, refusal};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Choice, Column, Field, SummaryRow, Table, TagColour, button, error_summary, form,
    radios, summary_list, table, tag, text_input, textarea,
};
use crate::error::WebError;
use crate::forms::FormData;
use crate::guard::GuardedRecord;
use crate::layout::Page;
use crate::pages::common::render;

/// The rule of a version in words.
pub fn rule_in_words(version: &CriteriaSet) -> Vec<String> {
    let rule = &version.rule;
    let mut words = vec![format!(
        "Each criterion’s rating is {}.",
        rule.combination.label()
    )];
    if rule.critical_red_fails {
        let critical: Vec<&str> = version
            .criteria
            .criteria
            .iter()
            .filter(|c| c.critical)
            .map(|c| c.name.as_str())
            .collect();
        if !critical.is_empty() {
            words.push(format!(
                "A Red on a critical criterion fails the gateway ({}).",
                critical.join(", ")
            ));
        }
    }
    words.push(format!(
        "The weighted score (Green 1, Amber 0.5, Red 0) must be at least {}.",
        rule.threshold
    ));
    match rule.max_ambers {
        Some(max) => words.push(format!(
            "At most {max} criteria may be below Green (Amber or Red)."
        )),
        None => words.push("There is no limit on criteria below Green.".to_owned()),
    }
    words.push(
        "Otherwise it passes; with a criterion below Green the pass has conditions.".to_owned(),
    );
    words
}

/// A weight range in words: "from 0 to 15", "from 0.5 upwards, without limit".
pub fn range_in_words(range: &RangeReport) -> String {
    match range.high {
        Some(high) if high == range.low => format!("only at {high}"),
        Some(high) => format!("from {} to {high}", range.low),
        None => format!("from {} upwards, without limit", range.low),
    }
}

/// The rank as an ordinal: 1st, 2nd, 3rd, 11th, 22nd.
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `GET …/{reference}/assessment`.
pub async fn assessment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    record: GuardedRecord,
) -> Result<Markup, WebError> {
    let reference = record.0.reference.clone().unwrap_or_default();
    let within = use_case::assessment(&state.app, &viewer.caller(), id, &reference).await?;
    Ok(assessment_page(&state, &viewer, &within, id))
}

fn assessment_page(state: &AppState, viewer: &Viewer, within: &InProgramme, id: i64) -> Markup {
    let programme = &within.programme;
    let entry = within.entry();
    let today = state.today();
    let o = entry.opportunity();
    let version = programme.set(entry.set).cloned().unwrap_or_default();
    let one = href_of(id, o);
    let assessing = o.status.kind() == accord_domain::opportunity::StatusKind::Assessing;
    let caller = viewer.caller();
    let mut ratings = Table::new(
        format!(
            "Ratings under version {} of the criteria",
            version.version()
        ),
        std::iter::once(Column::text("Criterion"))
            .chain(entry.councils.iter().map(|c| Column::text(c.name.clone())))
            .chain(std::iter::once(Column::text("Combined")))
            .collect(),
    );
    for (i, criterion) in version.criteria.criteria.iter().enumerate() {
        let mut row = vec![html! {
            span id={ "criterion-" (i) } { (criterion.name) }
            br;
            span class="govuk-body-s" {
                "weight " (criterion.weight)
                @if criterion.critical { ", critical" }
            }
        }];
        for council in &entry.councils {
            row.push(match entry.cell(&criterion.name, &council.gss) {
                Some(r) => html! {
                    (rating(r.rating))
                    p class="govuk-body-s accord-rating__rationale" { (r.rationale) }
                    @if let Some(evidence) = &r.evidence {
                        @if evidence.starts_with("https://") || evidence.starts_with("http://") {
                            a class="govuk-link govuk-body-s" href=(evidence) rel="noreferrer noopener" { "Evidence" span class="govuk-visually-hidden" { " for " (council.name) "’s rating of " (criterion.name) } }
                        } @else {
                            p class="govuk-body-s" { "Evidence: " (evidence) }
                        }
                    }
                },
                None => html! { span class="govuk-hint" { "Not rated" } },
            });
        }
        row.push(match entry.combined(&version, &criterion.name) {
            Some(r) => rating(r),
            None => html! { span class="govuk-hint" { "Not yet" } },
        });
        ratings = ratings.row(row);
    }
    let content = html! {
        span class="govuk-caption-l" { (o.service.name) " · " (o.reference()) }
        h1 class="govuk-heading-xl" { "Compatibility assessment" }
        @if entry.illustrative() {
            p class="govuk-body" {
                (tag("Illustrative", TagColour::Yellow))
                " These ratings are illustrative: the colours of the source’s Schedule 1 matrix did not survive, so the demonstration shows ratings consistent with each opportunity’s recorded outcome."
            }
        }
        @if !assessing {
            p class="govuk-body" {
                "The opportunity is " (o.status.describe()) ": ratings are recorded only while it is being assessed."
            }
        }
        (summary_list(&[
            SummaryRow::new("Criteria used", html! {
                "Version " (version.version())
                @if version.version() != programme.current().version() {
                    " (the partnership’s current version is " (programme.current().version()) ")"
                }
                br;
                a class="govuk-link" href={ "/partnerships/" (id) "/criteria" } { "See the criteria and their versions" }
            }),
            SummaryRow::new("The rule", html! {
                ul class="govuk-list" { @for line in rule_in_words(&version) { li { (line) } } }
            }),
        ]))
        @match &entry.state {
            AssessmentState::Complete { report, .. } => { (report_section(report, entry, &version)) },
            AssessmentState::Incomplete { rated, needed, missing } => {
                h2 class="govuk-heading-l" { "Outcome" }
                p class="govuk-body" { (rated) " of " (needed) " ratings given: the outcome is known once every council has rated every criterion." }
                details class="govuk-details" {
                    summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Ratings still missing" } }
                    div class="govuk-details__text" {
                        ul class="govuk-list govuk-list--bullet" {
                            @for e in missing.errors.iter().take(60) { li { (e.message) } }
                        }
                    }
                }
            },
            AssessmentState::NotStarted => {
                h2 class="govuk-heading-l" { "Outcome" }
                p class="govuk-body" { "No council has rated it yet." }
            },
        }
        h2 class="govuk-heading-l" id="ratings" { "Ratings and their reasons" }
        div class="accord-table-scroll" role="region" aria-label="Ratings and their reasons" tabindex="0" {
            (table(&ratings.row_headers()))
        }
        h2 class="govuk-heading-m" { "Each council’s ratings" }
        @if entry.councils.is_empty() {
            p class="govuk-body" { "No council rates it yet." }
        }
        ul class="govuk-list" {
            @for council in &entry.councils {
                li {
                    a class="govuk-link" href={ (one) "/assessment/" (council.gss) } {
                        @if assessing && use_case::may_rate(&caller, programme, entry, &council.gss, entry.set, today) { "Rate for " (council.name) }
                        @else { (council.name) "’s ratings" }
                    }
                }
            }
        }
        p class="govuk-body" { "The councils that rate are the council that raised it and every preferred partner that accepted the offer." }
        p class="govuk-body" {
            a class="govuk-link" href=(one) { "Back to the opportunity" } " · "
            a class="govuk-link" href={ (base(id)) "/matrix" } { "The RAG matrix" } " · "
            a class="govuk-link" href={ (base(id)) "/ranking" } { "The ranking" }
        }
    };
    render(
        state,
        viewer,
        Page::new(format!("Compatibility assessment – {}", o.service.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(
                programme.partnership.name.clone(),
                format!("/partnerships/{id}"),
            )
            .breadcrumb("Opportunities", base(id))
            .breadcrumb(o.service.name.clone(), one.clone())
            .section("/"),
        content,
    )
}

fn report_section(report: &AssessmentReport, entry: &Entry, version: &CriteriaSet) -> Markup {
    let mut weights = Table::new(
        "How far each weight can move (the other weights unchanged)",
        vec![
            Column::text("Criterion"),
            Column::numeric("Weight now"),
            Column::text("The outcome stays for weights"),
            Column::text("The rank stays for weights"),
        ],
    );
    for w in &report.weights {
        weights = weights.row(vec![
            html! { (w.criterion) },
            html! { (w.weight) },
            html! { (range_in_words(&w.outcome)) },
            html! { (range_in_words(&w.rank)) },
        ]);
    }
    let ranked = entry.state.report().map_or(1, |r| r.rank);
    html! {
        h2 class="govuk-heading-l" id="outcome" { "Outcome" }
        div class="accord-outcome" {
            p class="govuk-body-l" {
                (outcome_tag(report.outcome))
                " Weighted score " strong { (format!("{:.3}", report.score)) }
                ", ranked " (super::assessment::ordinal(ranked)) " of the programme’s assessments under version " (version.version()) "."
            }
        }
        h3 class="govuk-heading-m" { "Why" }
        ul class="govuk-list govuk-list--bullet" { @for reason in &report.reasons { li { (reason) } } }
        @if !report.conditions.is_empty() {
            h3 class="govuk-heading-m" { "Conditions of the pass" }
            ul class="govuk-list govuk-list--bullet" { @for c in &report.conditions { li { (c) } } }
        }
        h3 class="govuk-heading-m" { "How close it is to another outcome" }
        ul class="govuk-list govuk-list--bullet" {
            li {
                @match &report.flips.better {
                    Some(flip) => { "Better: " (flip.description) "." },
                    None => "Better: none — it already passes with every criterion Green.",
                }
            }
            li {
                @match &report.flips.worse {
                    Some(flip) => { "Worse: " (flip.description) "." },
                    None => @if report.outcome == accord_domain::gateway::Outcome::Fail {
                        "Worse: none — it already fails."
                    } @else {
                        "Worse: no change of ratings can make it fail under this rule."
                    },
                }
            }
        }
        div class="accord-table-scroll" role="region" aria-label="How far each weight can move" tabindex="0" {
            (table(&weights.row_headers()))
        }
        p class="govuk-body-s" { "Weights are relative. Each range is exact: one millionth beyond either end, the outcome (or the rank) changes." }
    }
}

// ----- one council's ratings -----

/// The query of a council's rating page: the version to rate under, when not the one the
/// assessment uses (to start again under the partnership's current criteria).
#[derive(Debug, Default, Deserialize)]
pub struct RateQuery {
    #[serde(default)]
    version: Option<u32>,
}

fn rating_choices() -> Vec<Choice<'static>> {
    vec![
        Choice::new("red", "Red (R)").hint("A serious obstacle to sharing"),
        Choice::new("amber", "Amber (A)").hint("An obstacle that can be resolved"),
        Choice::new("green", "Green (G)").hint("No obstacle"),
    ]
}

fn council_page(
    state: &AppState,
    viewer: &Viewer,
    view: &CouncilView,
    gss: &str,
    form_data: Option<&FormData>,
    errors: &Invalid,
) -> Markup {
    let programme = &view.within.programme;
    let entry = view.within.entry();
    let version = &view.set;
    let id = programme.partnership.id;
    let o = entry.opportunity();
    let one = href_of(id, o);
    let council = view.council.as_ref();
    let title = match council {
        Some(c) => format!("{}’s ratings", c.name),
        None => "A council’s ratings".to_owned(),
    };
    let part = view.part.as_ref();
    let assessing = o.status.kind() == accord_domain::opportunity::StatusKind::Assessing;
    // The values shown: what was just typed, else what is stored.
    let mut values = FormData::default();
    if let Some(p) = part {
        for (i, criterion) in version.criteria.criteria.iter().enumerate() {
            if let Some(r) = p.ratings.rating_of(&criterion.name) {
                values.set(&format!("ratings[{i}].rating"), r.rating.slug());
                values.set(&format!("ratings[{i}].rationale"), &r.rationale);
                values.set(
                    &format!("ratings[{i}].evidence"),
                    r.evidence.as_deref().unwrap_or(""),
                );
            }
        }
        values.set("classification", p.meta.classification.slug());
    }
    let values = form_data.cloned().unwrap_or(values);
    let names: Vec<(String, String, String, String, String)> = version
        .criteria
        .criteria
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                format!("ratings[{i}].rating"),
                format!(
                    "{}{} — weight {}",
                    c.name,
                    if c.critical { " (critical)" } else { "" },
                    c.weight
                ),
                format!("ratings[{i}].rationale"),
                format!("ratings[{i}].evidence"),
                format!("Why this rating for {}", c.name),
            )
        })
        .collect();
    let classification = if values.get("classification").is_empty() {
        "partnership"
    } else {
        values.get("classification")
    };
    let read = part.map_or(0, |p| p.version);
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (o.service.name) " · " (o.reference()) " – version " (version.version()) " of the criteria" }
        h1 class="govuk-heading-xl" { (title) }
        @match council {
            None => {
                p class="govuk-body" {
                    (gss.trim()) " does not rate this opportunity: the councils that rate are the council that raised it and every preferred partner that accepted."
                }
            },
            Some(c) => {
                @if part.is_some_and(|p| p.ratings.illustrative) {
                    p class="govuk-body" { (tag("Illustrative", TagColour::Yellow)) " These ratings are illustrative." }
                }
                @if view.editable {
                    p class="govuk-body" { "Rate each criterion Red, Amber or Green with the reason. A criterion left unrated can be rated later; the outcome is known once every council has rated every criterion." }
                    (form(&format!("{one}/assessment/{}", c.gss), &viewer.csrf, html! {
                        input type="hidden" name="criteria_version" value=(version.version());
                        input type="hidden" name="version" value=(read);
                        @for (rating_name, legend, rationale_name, evidence_name, why) in &names {
                            div class="accord-rating-question" {
                                (radios(&Field::new(rating_name, legend).value(values.get(rating_name)).errors(errors), &rating_choices()))
                                (textarea(&Field::new(rationale_name, why).value(values.get(rationale_name)).errors(errors).rows(2)))
                                (text_input(&Field::new(evidence_name, "Link to the evidence (optional)").value(values.get(evidence_name)).errors(errors)))
                            }
                        }
                        (radios(&Field::new("classification", "Who may see these ratings").value(classification).errors(errors), &super::classification_choices()))
                        (button("Save the ratings", ButtonKind::Primary))
                    }))
                } @else {
                    @if !assessing {
                        p class="govuk-body" { "The opportunity is " (o.status.describe()) ": ratings are recorded only while it is being assessed." }
                    }
                    (readonly_table(c, part, version))
                }
            },
        }
        @if version.version() != programme.current().version() && assessing {
            p class="govuk-body" {
                "These ratings use version " (version.version()) "; the partnership’s current criteria are version " (programme.current().version()) ". "
                a class="govuk-link" href={ (one) "/assessment/" (gss.trim()) "?version=" (programme.current().version()) } { "Rate under the current version instead" }
            }
        }
        p class="govuk-body" { a class="govuk-link" href={ (one) "/assessment" } { "Back to the assessment" } }
    };
    render(
        state,
        viewer,
        Page::new(format!("{title} – {}", o.service.name))
            .with_errors(errors)
            .back_link(format!("{one}/assessment"))
            .section("/"),
        content,
    )
}

fn readonly_table(council: &Council, part: Option<&RatingsEntry>, version: &CriteriaSet) -> Markup {
    let mut shown = Table::new(
        format!("{}’s ratings", council.name),
        vec![
            Column::text("Criterion"),
            Column::text("Rating"),
            Column::text("Reason"),
        ],
    );
    for criterion in &version.criteria.criteria {
        let r = part.and_then(|p| p.ratings.rating_of(&criterion.name));
        shown = shown.row(vec![
            html! { (criterion.name) },
            html! { @match r { Some(r) => (rating(r.rating)), None => span class="govuk-hint" { "Not rated" } } },
            html! { @if let Some(r) = r { (r.rationale) } },
        ]);
    }
    table(&shown.row_headers())
}

/// `GET …/{reference}/assessment/{gss}`: a council's ratings, with the form to rate when the
/// reader may rate for it.
pub async fn council(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _, gss)): Path<(i64, String, String)>,
    Query(query): Query<RateQuery>,
    record: GuardedRecord,
) -> Result<Markup, WebError> {
    let reference = record.0.reference.clone().unwrap_or_default();
    let view = use_case::council(
        &state.app,
        &viewer.caller(),
        id,
        &reference,
        &gss,
        query.version,
    )
    .await?;
    Ok(council_page(
        &state,
        &viewer,
        &view,
        &gss,
        None,
        &Invalid::new(),
    ))
}

/// Reads the rating form: the criteria a rating or a reason was given for. Returns the inputs
/// and, for each, the criterion's position, so refusals name the form's fields.
fn ratings_from_form(
    form: &FormData,
    version: &CriteriaSet,
    gss: &str,
) -> (Vec<RatingInput>, Vec<usize>) {
    let mut inputs = Vec::new();
    let mut positions = Vec::new();
    for (i, criterion) in version.criteria.criteria.iter().enumerate() {
        let rating = form.get(&format!("ratings[{i}].rating"));
        let rationale = form.get(&format!("ratings[{i}].rationale"));
        let evidence = form.get(&format!("ratings[{i}].evidence"));
        if rating.trim().is_empty() && rationale.trim().is_empty() && evidence.trim().is_empty() {
            continue;
        }
        inputs.push(RatingInput {
            council: gss.to_owned(),
            criterion: criterion.name.clone(),
            rating: rating.to_owned(),
            rationale: rationale.to_owned(),
            evidence: Some(evidence.to_owned()),
        });
        positions.push(i);
    }
    (inputs, positions)
}

/// Renames `ratings[j].x` (the j-th input) to `ratings[i].x` (the i-th criterion of the form).
fn to_form_fields(invalid: Invalid, positions: &[usize]) -> Invalid {
    let mut out = Invalid::new();
    for e in invalid.errors {
        let field = e
            .field
            .strip_prefix("ratings[")
            .and_then(|rest| rest.split_once("]."))
            .and_then(|(j, name)| {
                let j: usize = j.parse().ok()?;
                positions.get(j).map(|i| format!("ratings[{i}].{name}"))
            })
            .unwrap_or(e.field);
        out.push(field, e.message);
    }
    out
}

/// `POST …/{reference}/assessment/{gss}`: one council's ratings, in one transaction.
pub async fn rate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, key, gss)): Path<(i64, String, String)>,
    form_data: FormData,
) -> Result<Response, WebError> {
    let caller = viewer.caller();
    // The route's guard is the rating area; the use case finds the opportunity, by its
    // reference or by an old address's record id.
    let reference =
        accord_app::gateway::opportunities::canonical_reference(&state.app, &caller, id, &key)
            .await?;
    let mut invalid = Invalid::new();
    let number = match form_data.get("criteria_version").trim() {
        "" => None,
        text => match text.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                invalid.push(
                    "criteria_version",
                    format!("There is no version {text} of the criteria"),
                );
                None
            }
        },
    };
    // The criteria set the form was filled under: only the sets are read before rating (the
    // form names its set; an old form that does not is read as the assessment's set).
    let version = match number {
        Some(n) => {
            let sets =
                accord_app::gateway::criteria_sets::criteria_sets(&state.app, &caller, id).await?;
            match sets.sets.into_iter().find(|s| s.version() == n) {
                Some(v) => v,
                None => {
                    invalid.push(
                        "criteria_version",
                        format!("There is no version {n} of the criteria"),
                    );
                    CriteriaSet::default()
                }
            }
        }
        None => {
            use_case::council(&state.app, &caller, id, &reference, &gss, None)
                .await?
                .set
        }
    };
    let classification = invalid.check(parse_classification(
        "classification",
        form_data.get("classification"),
    ));
    let read = invalid.check(form_version(&form_data)).flatten();
    let (inputs, positions) = ratings_from_form(&form_data, &version, &gss);
    let result = if invalid.is_empty() {
        let command = Rate {
            version: Some(version.version()),
            classification: classification.filter(|_| !form_data.get("classification").is_empty()),
            inputs,
            from_versions: read
                .map(|v| vec![(gss.trim().to_owned(), v)])
                .unwrap_or_default(),
            illustrative: false,
        };
        use_case::rate(&state.app, &caller, id, &reference, &command).await
    } else {
        Err(accord_app::AppError::Invalid(invalid))
    };
    let (status, errors) = match result {
        Ok(_) => {
            return Ok(
                Redirect::to(&format!("{}/assessment", href(id, &reference))).into_response(),
            );
        }
        Err(e) => refusal(e)?,
    };
    let errors = to_form_fields(errors, &positions);
    // A refused form keeps what was typed; a conflict shows the ratings as they are now.
    let view = use_case::council(
        &state.app,
        &caller,
        id,
        &reference,
        &gss,
        Some(version.version()),
    )
    .await?;
    let typed = (status != axum::http::StatusCode::CONFLICT).then_some(&form_data);
    Ok((
        status,
        council_page(&state, &viewer, &view, &gss, typed, &errors),
    )
        .into_response())
}
