//! What the delivery and governance pages share: loading the partnership, naming councils,
//! reading the classification and dates of forms, and naming a project's dated items.

use accord_app::records::StoredRecord;
use accord_domain::access::{Action, Area, Classification, RecordMeta, decide};
use accord_domain::project::{DatePrecision, Project, Stage, Target};
use accord_domain::{Invalid, Partnership};
use maud::{Markup, html};

use crate::AppState;
use crate::auth::Viewer;
use crate::components::{Choice, Field, TagColour, radios, select, tag};
use crate::error::WebError;
use crate::forms::FormData;

/// The partnership of the path, or 404.
pub async fn partnership(state: &AppState, id: i64) -> Result<Partnership, WebError> {
    Ok(accord_app::partnership::get(&state.app, id).await?)
}

/// Whether the viewer may do `action` to a record with this metadata, to show or hide links
/// and buttons (the routes' guards are what enforce it).
pub fn may_do(
    viewer: &Viewer,
    action: Action,
    meta: &RecordMeta,
    today: chrono::NaiveDate,
) -> bool {
    decide(&viewer.actor, action, meta, today).is_allowed()
}

/// Whether the viewer may create records of an area in the partnership (shared, not owned by a
/// council), to show or hide links to forms.
pub fn may_create(
    viewer: &Viewer,
    area: Area,
    partnership_id: i64,
    today: chrono::NaiveDate,
) -> bool {
    may_do(
        viewer,
        Action::Create,
        &crate::delivery::meta(area, partnership_id, None, Classification::Partnership),
        today,
    )
}

/// The classifications a delivery record can be given in a form.
const CLASS_CHOICES: [(&str, &str, &str); 2] = [
    (
        "partnership",
        "Partnership",
        "Everyone with a role in the partnership, including councillors and scrutiny",
    ),
    ("published", "Published", "Anyone, including the public"),
];

/// Radios choosing who may see a new record.
pub fn classification_radios(name: &str, label: &str, value: &str, errors: &Invalid) -> Markup {
    let choices: Vec<Choice> = CLASS_CHOICES
        .iter()
        .map(|(v, t, h)| Choice::new(v, t).hint(h))
        .collect();
    let value = if value.is_empty() {
        "partnership"
    } else {
        value
    };
    radios(
        &Field::new(name, label).value(value).errors(errors),
        &choices,
    )
}

/// Reads a classification chosen with [`classification_radios`]; partnership when none.
pub fn classification(form: &FormData, name: &str) -> Result<Classification, Invalid> {
    match form.get(name).trim() {
        "" | "partnership" => Ok(Classification::Partnership),
        "published" => Ok(Classification::Published),
        other => Err(Invalid::field(
            name,
            format!("“{other}” is not a choice here: choose partnership or published"),
        )),
    }
}

/// A tag naming a record's classification.
pub fn classification_tag(record: &StoredRecord, today: chrono::NaiveDate) -> Markup {
    meta_tag(&record.meta, today)
}

/// The tag of the class a record with this metadata has today.
pub fn meta_tag(meta: &RecordMeta, today: chrono::NaiveDate) -> Markup {
    let class = meta.effective_classification(today);
    let colour = match class {
        Classification::Published => TagColour::Green,
        Classification::Partnership => TagColour::Blue,
        Classification::Council => TagColour::Purple,
        Classification::Embargoed => TagColour::Red,
        Classification::Personal => TagColour::Grey,
    };
    tag(class.label(), colour)
}

const PRECISIONS: [(&str, &str); 6] = [
    ("day", "The exact day"),
    ("month", "The month only"),
    ("early-month", "Early in the month"),
    ("end-of-month", "The end of the month"),
    ("mid-year", "The middle of the year"),
    ("end-of-year", "The end of the year"),
];

/// A select of how exactly a date is known.
pub fn precision_select(name: &str, value: &str, errors: &Invalid) -> Markup {
    let choices: Vec<Choice> = PRECISIONS.iter().map(|(v, t)| Choice::new(v, t)).collect();
    select(
        &Field::new(name, "How exactly is the date known?")
            .hint("Committee reports often give only a month (“Sep 2011”) or “mid 2012”; Accord keeps that rather than inventing a day")
            .value(if value.is_empty() { "day" } else { value })
            .errors(errors),
        &choices,
    )
}

/// Reads a precision chosen with [`precision_select`]; the exact day when none.
pub fn precision(form: &FormData, name: &str) -> Result<DatePrecision, Invalid> {
    let text = form.get(name);
    if text.trim().is_empty() {
        return Ok(DatePrecision::Day);
    }
    crate::delivery::parse_slug(name, text, "a way a date can be known")
}

/// The stable name of a dated item in URLs and forms: `stage-define-strategy`, `phase-2`,
/// `milestone-3`.
pub fn target_slug(target: Target) -> String {
    match target {
        Target::Stage { stage } => format!("stage-{}", stage.slug()),
        Target::Phase { number } => format!("phase-{number}"),
        Target::Milestone { number } => format!("milestone-{number}"),
    }
}

/// Reads a dated item's name written by [`target_slug`].
pub fn parse_target(field: &str, text: &str) -> Result<Target, Invalid> {
    let text = text.trim();
    let refuse = || {
        Invalid::field(
            field,
            format!("“{text}” is not a stage, phase or milestone of this project"),
        )
    };
    if let Some(stage) = text.strip_prefix("stage-") {
        return Stage::parse(field, stage).map(|stage| Target::Stage { stage });
    }
    let number = |rest: &str| rest.parse::<u32>().map_err(|_| refuse());
    if let Some(rest) = text.strip_prefix("phase-") {
        return Ok(Target::Phase {
            number: number(rest)?,
        });
    }
    if let Some(rest) = text.strip_prefix("milestone-") {
        return Ok(Target::Milestone {
            number: number(rest)?,
        });
    }
    Err(refuse())
}

/// The name of a dated item of a project.
pub fn target_name(project: &Project, target: Target) -> Option<String> {
    match target {
        Target::Stage { stage } => project.stage(stage).map(|s| s.stage.label().to_owned()),
        Target::Phase { number } => project
            .phases
            .iter()
            .find(|p| p.number == number)
            .map(|p| p.name.clone()),
        Target::Milestone { number } => project
            .milestones
            .iter()
            .find(|m| m.number == number)
            .map(|m| m.name.clone()),
    }
}

/// Text with line breaks kept, as paragraphs.
pub fn paragraphs(text: &str) -> Markup {
    html! {
        @for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            p class="govuk-body" { (para) }
        }
    }
}

/// The lines of a textarea, trimmed, empty ones left out.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The version a form was filled from, if it says.
pub fn form_version(form_data: &FormData) -> Result<Option<i64>, Invalid> {
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

/// A use case's refusal as what a form shows: the errors and the status to answer with (422
/// for bad input, 409 with the error on `version` when someone changed the record since the
/// form was filled), or the error to return when it is neither.
pub fn form_refusal(
    error: accord_app::AppError,
) -> Result<(axum::http::StatusCode, Invalid), WebError> {
    match error {
        accord_app::AppError::Invalid(errors) => {
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, errors))
        }
        accord_app::AppError::Conflict(message) => Ok((
            axum::http::StatusCode::CONFLICT,
            Invalid::field("version", message),
        )),
        other => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dated_items_are_named_both_ways() {
        let cases = [
            Target::Stage {
                stage: Stage::DefineStrategy,
            },
            Target::Phase { number: 2 },
            Target::Milestone { number: 13 },
        ];
        for target in cases {
            assert_eq!(parse_target("item", &target_slug(target)), Ok(target));
        }
        for bad in [
            "",
            "stage-",
            "phase-x",
            "milestone--1",
            "gate-1",
            "stage-build",
        ] {
            assert!(parse_target("item", bad).is_err(), "{bad}");
        }
    }
}
