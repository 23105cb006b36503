//! An opportunity's assessment: every council's Red/Amber/Green rating of every criterion with
//! its reason, the combined ratings, the outcome with its reasons in plain words, the smallest
//! rating changes that would flip it either way, and how far each weight can move before the
//! outcome or the rank changes. Each council rates on its own page; its officers may rate only
//! for their own council (the programme team for any).

use accord_domain::access::{Action, Classification, decide};
use accord_domain::gateway::assessment::RangeReport;
use accord_domain::gateway::{
    AssessmentReport, Council, Counts, GatewayVersion, Rating, RatingInput,
};
use accord_domain::{GssCode, Invalid};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::{base, href, outcome_tag, rating};
use crate::AppState;
use crate::auth::Viewer;
use crate::components::{
    ButtonKind, Choice, Column, Field, SummaryRow, Table, TagColour, button, error_summary, form,
    radios, summary_list, table, tag, text_input, textarea,
};
use crate::error::WebError;
use crate::forms::{FormData, refused};
use crate::guard;
use crate::layout::Page;
use crate::opportunity_records::{self as records, Entry, Gateway, Programme, StoredPart};
use crate::pages::common::render;

/// The rule of a version in words.
pub fn rule_in_words(version: &GatewayVersion) -> Vec<String> {
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

/// Every rating of the entry's current version the reader may see, by criterion then council.
fn cell<'a>(
    entry: &'a Entry,
    criterion: &str,
    council: &GssCode,
) -> Option<&'a accord_domain::gateway::CouncilRating> {
    entry
        .current_parts()
        .find(|p| &p.part.council == council)
        .and_then(|p| p.part.rating_of(criterion))
}

/// The combined rating of one criterion when every council has rated it (as the reader sees
/// the ratings), else `None`.
pub fn combined_cell(entry: &Entry, version: &GatewayVersion, criterion: &str) -> Option<Rating> {
    if entry.councils.is_empty() {
        return None;
    }
    let mut counts = Counts::default();
    for council in &entry.councils {
        counts.add(cell(entry, criterion, &council.gss)?.rating);
    }
    Some(version.rule.combination.combine(counts))
}

/// The councils' reasons for one criterion, in one line (for the matrix's hover text).
pub fn reasons_line(entry: &Entry, criterion: &str, limit: usize) -> String {
    entry
        .councils
        .iter()
        .filter_map(|c| {
            cell(entry, criterion, &c.gss).map(|r| {
                let mut text: String = r.rationale.chars().take(limit).collect();
                if r.rationale.chars().count() > limit {
                    text.push('…');
                }
                format!("{}: {} — {text}", c.name, r.rating)
            })
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn may_rate(viewer: &Viewer, entry: &Entry, council: &GssCode, today: chrono::NaiveDate) -> bool {
    let pid = entry.opportunity().partnership_id;
    match entry.current_parts().find(|p| &p.part.council == council) {
        Some(part) => decide(&viewer.actor, Action::Update, &part.record.meta, today).is_allowed(),
        None => decide(
            &viewer.actor,
            Action::Create,
            &records::part_meta(pid, council, Classification::Partnership),
            today,
        )
        .is_allowed(),
    }
}

fn load_entry(programme: &Programme, record_id: i64) -> Result<&Entry, WebError> {
    programme.entry(record_id).ok_or(WebError::NotFound)
}

/// `GET …/{record_id}/assessment`.
pub async fn assessment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id)): Path<(i64, i64)>,
) -> Result<Markup, WebError> {
    let programme = records::programme(&state, &viewer, id).await?;
    let entry = load_entry(&programme, record_id)?;
    let today = state.today();
    let o = entry.opportunity();
    let version = programme
        .version(entry.version)
        .cloned()
        .unwrap_or_default();
    let one = href(id, o.id);
    let assessing = o.status.kind() == accord_domain::opportunity::StatusKind::Assessing;
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
            row.push(match cell(entry, &criterion.name, &council.gss) {
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
        row.push(match combined_cell(entry, &version, &criterion.name) {
            Some(r) => rating(r),
            None => html! { span class="govuk-hint" { "Not yet" } },
        });
        ratings = ratings.row(row);
    }
    let content = html! {
        span class="govuk-caption-l" { (o.service.name) }
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
        @match &entry.gateway {
            Gateway::Complete { report, .. } => { (report_section(report, entry, &version)) },
            Gateway::Incomplete { rated, needed, missing } => {
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
            Gateway::NotStarted => {
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
                        @if assessing && may_rate(&viewer, entry, &council.gss, today) { "Rate for " (council.name) }
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
    Ok(render(
        &state,
        &viewer,
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
    ))
}

fn report_section(report: &AssessmentReport, entry: &Entry, version: &GatewayVersion) -> Markup {
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
    let ranked = entry.gateway.report().map_or(1, |r| r.rank);
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

fn council_of<'a>(entry: &'a Entry, gss: &str) -> Option<&'a Council> {
    entry
        .councils
        .iter()
        .find(|c| c.gss.as_str().eq_ignore_ascii_case(gss.trim()))
}

fn rating_choices() -> Vec<Choice<'static>> {
    vec![
        Choice::new("red", "Red (R)").hint("A serious obstacle to sharing"),
        Choice::new("amber", "Amber (A)").hint("An obstacle that can be resolved"),
        Choice::new("green", "Green (G)").hint("No obstacle"),
    ]
}

#[allow(clippy::too_many_arguments)]
fn council_page(
    state: &AppState,
    viewer: &Viewer,
    programme: &Programme,
    entry: &Entry,
    gss: &str,
    version: &GatewayVersion,
    form_data: Option<&FormData>,
    errors: &Invalid,
) -> Markup {
    let id = programme.partnership.id;
    let o = entry.opportunity();
    let one = href(id, o.id);
    let today = state.today();
    let council = council_of(entry, gss);
    let title = match council {
        Some(c) => format!("{}’s ratings", c.name),
        None => "A council’s ratings".to_owned(),
    };
    let part: Option<&StoredPart> = council.and_then(|c| {
        entry
            .parts
            .iter()
            .find(|p| p.part.council == c.gss && p.part.criteria_version == version.version())
    });
    let assessing = o.status.kind() == accord_domain::opportunity::StatusKind::Assessing;
    let editable = council.is_some_and(|c| {
        assessing
            && match part {
                Some(p) => {
                    decide(&viewer.actor, Action::Update, &p.record.meta, today).is_allowed()
                }
                None => decide(
                    &viewer.actor,
                    Action::Create,
                    &records::part_meta(id, &c.gss, Classification::Partnership),
                    today,
                )
                .is_allowed(),
            }
    });
    // The values shown: what was just typed, else what is stored.
    let mut values = FormData::default();
    if let Some(p) = part {
        for (i, criterion) in version.criteria.criteria.iter().enumerate() {
            if let Some(r) = p.part.rating_of(&criterion.name) {
                values.set(&format!("ratings[{i}].rating"), r.rating.slug());
                values.set(&format!("ratings[{i}].rationale"), &r.rationale);
                values.set(
                    &format!("ratings[{i}].evidence"),
                    r.evidence.as_deref().unwrap_or(""),
                );
            }
        }
        values.set("classification", p.record.meta.classification.slug());
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
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (o.service.name) " – version " (version.version()) " of the criteria" }
        h1 class="govuk-heading-xl" { (title) }
        @match council {
            None => {
                p class="govuk-body" {
                    (gss.trim()) " does not rate this opportunity: the councils that rate are the council that raised it and every preferred partner that accepted."
                }
            },
            Some(c) => {
                @if part.is_some_and(|p| p.part.illustrative) {
                    p class="govuk-body" { (tag("Illustrative", TagColour::Yellow)) " These ratings are illustrative." }
                }
                @if editable {
                    p class="govuk-body" { "Rate each criterion Red, Amber or Green with the reason. A criterion left unrated can be rated later; the outcome is known once every council has rated every criterion." }
                    (form(&format!("{one}/assessment/{}", c.gss), &viewer.csrf, html! {
                        input type="hidden" name="criteria_version" value=(version.version());
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

fn readonly_table(
    council: &Council,
    part: Option<&StoredPart>,
    version: &GatewayVersion,
) -> Markup {
    let mut shown = Table::new(
        format!("{}’s ratings", council.name),
        vec![
            Column::text("Criterion"),
            Column::text("Rating"),
            Column::text("Reason"),
        ],
    );
    for criterion in &version.criteria.criteria {
        let r = part.and_then(|p| p.part.rating_of(&criterion.name));
        shown = shown.row(vec![
            html! { (criterion.name) },
            html! { @match r { Some(r) => (rating(r.rating)), None => span class="govuk-hint" { "Not rated" } } },
            html! { @if let Some(r) = r { (r.rationale) } },
        ]);
    }
    table(&shown.row_headers())
}

/// `GET …/{record_id}/assessment/{gss}`: a council's ratings, with the form to rate when the
/// reader may rate for it.
pub async fn council(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id, gss)): Path<(i64, i64, String)>,
    Query(query): Query<RateQuery>,
) -> Result<Markup, WebError> {
    let programme = records::programme(&state, &viewer, id).await?;
    let entry = load_entry(&programme, record_id)?;
    let number = query.version.unwrap_or(entry.version);
    let version = programme
        .version(number)
        .cloned()
        .ok_or(WebError::NotFound)?;
    Ok(council_page(
        &state,
        &viewer,
        &programme,
        entry,
        &gss,
        &version,
        None,
        &Invalid::new(),
    ))
}

/// Ratings as the pages and the API give them.
#[derive(Debug, Clone, Default)]
pub struct Ratings {
    /// The version to rate under; the one the assessment uses when `None`.
    pub version: Option<u32>,
    /// Who may see the councils' ratings; unchanged (or `partnership` for new ones) when `None`.
    pub classification: Option<Classification>,
    /// The ratings.
    pub inputs: Vec<RatingInput>,
}

/// Records ratings through the domain's rules and the access policy: the opportunity must be
/// being assessed, every rating must be R/A/G for a criterion of the version by an assessing
/// council with a reason, and the caller must be allowed to rate for every council it rates
/// for. Nothing is written unless all of that holds.
pub async fn apply_ratings(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    record_id: i64,
    ratings: &Ratings,
) -> Result<(), WebError> {
    let programme = records::programme(state, viewer, id).await?;
    let entry = load_entry(&programme, record_id)?;
    let today = state.today();
    let number = ratings.version.unwrap_or(entry.version);
    let Some(version) = programme.version(number) else {
        return Err(Invalid::field(
            "criteria_version",
            format!(
                "There is no version {number} of the criteria; the current one is {}",
                programme.current().version()
            ),
        )
        .into());
    };
    let parts: Vec<_> = entry.parts.iter().map(|p| p.part.clone()).collect();
    let changed = accord_domain::gateway::rate(
        entry.opportunity(),
        version,
        &entry.councils,
        &parts,
        &ratings.inputs,
        today,
        &viewer.change().actor,
    )?;
    // Check every write against the policy before making any.
    let mut writes = Vec::with_capacity(changed.len());
    for part in changed {
        let stored = entry
            .parts
            .iter()
            .find(|p| p.part.council == part.council && p.part.criteria_version == number);
        let (meta, existing) = match stored {
            Some(p) => {
                guard::check(viewer, Action::Update, &p.record.meta, today)?;
                let mut meta = p.record.meta.clone();
                if let Some(c) = ratings.classification {
                    meta.classification = c;
                }
                (meta, Some(p.record.id))
            }
            None => (
                records::part_meta(
                    id,
                    &part.council,
                    ratings
                        .classification
                        .unwrap_or(Classification::Partnership),
                ),
                None,
            ),
        };
        guard::check(
            viewer,
            if existing.is_some() {
                Action::Update
            } else {
                Action::Create
            },
            &meta,
            today,
        )?;
        writes.push((
            existing,
            records::part_input(meta, entry.opportunity(), &part)?,
        ));
    }
    for (existing, input) in writes {
        match existing {
            Some(record) => {
                state
                    .store
                    .update_record(record, None, &input, &viewer.change())
                    .await?;
            }
            None => {
                state.store.insert_record(&input, &viewer.change()).await?;
            }
        }
    }
    Ok(())
}

/// Reads the rating form: the criteria a rating or a reason was given for. Returns the inputs
/// and, for each, the criterion's position, so refusals name the form's fields.
fn ratings_from_form(
    form: &FormData,
    version: &GatewayVersion,
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

/// `POST …/{record_id}/assessment/{gss}`.
pub async fn rate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, record_id, gss)): Path<(i64, i64, String)>,
    form_data: FormData,
) -> Result<Response, WebError> {
    let programme = records::programme(&state, &viewer, id).await?;
    let entry = load_entry(&programme, record_id)?;
    let mut invalid = Invalid::new();
    let number = match form_data.get("criteria_version").trim() {
        "" => entry.version,
        text => text.parse().unwrap_or(0),
    };
    let version = match programme.version(number) {
        Some(v) => v.clone(),
        None => {
            invalid.push(
                "criteria_version",
                format!("There is no version {number} of the criteria"),
            );
            programme
                .version(entry.version)
                .cloned()
                .unwrap_or_default()
        }
    };
    let classification = invalid.check(records::parse_classification(
        "classification",
        form_data.get("classification"),
    ));
    let (inputs, positions) = ratings_from_form(&form_data, &version, &gss);
    if invalid.is_empty() {
        let ratings = Ratings {
            version: Some(version.version()),
            classification,
            inputs,
        };
        match apply_ratings(&state, &viewer, id, record_id, &ratings).await {
            Ok(()) => {
                return Ok(
                    Redirect::to(&format!("{}/assessment", href(id, record_id))).into_response()
                );
            }
            Err(WebError::Unprocessable(e)) => invalid.extend(to_form_fields(e, &positions)),
            Err(e) => return Err(e),
        }
    }
    Ok(refused(council_page(
        &state,
        &viewer,
        &programme,
        entry,
        &gss,
        &version,
        Some(&form_data),
        &invalid,
    )))
}
