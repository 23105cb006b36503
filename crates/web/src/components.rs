//! The GOV.UK Design System's components, as maud functions.
//!
//! Each function renders the markup GOV.UK Frontend's own templates produce, so its styles and
//! scripts apply. Form fields take a [`Field`], built with a small builder, so a handler that
//! refuses a form can show it again with the values and the error message of each field:
//!
//! ```
//! use accord_domain::Invalid;
//! use accord_web::components::{Field, text_input};
//!
//! let errors = Invalid::field("name", "Enter the partnership’s name");
//! let html = text_input(&Field::new("name", "Partnership name").value("").errors(&errors));
//! assert!(html.into_string().contains("Enter the partnership’s name"));
//! ```
//!
//! Every component works without JavaScript.

use accord_domain::Invalid;
use maud::{Markup, PreEscaped, html};

use crate::forms::{CSRF_FIELD, DateParts};

// ---------------------------------------------------------------------------------------------
// Form fields
// ---------------------------------------------------------------------------------------------

/// A fixed width for a text input, in characters (GOV.UK's `govuk-input--width-N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputWidth {
    /// 2 characters.
    Chars2,
    /// 3 characters.
    Chars3,
    /// 4 characters.
    Chars4,
    /// 5 characters.
    Chars5,
    /// 10 characters.
    Chars10,
    /// 20 characters.
    Chars20,
    /// 30 characters.
    Chars30,
}

impl InputWidth {
    fn class(self) -> &'static str {
        match self {
            Self::Chars2 => "govuk-input--width-2",
            Self::Chars3 => "govuk-input--width-3",
            Self::Chars4 => "govuk-input--width-4",
            Self::Chars5 => "govuk-input--width-5",
            Self::Chars10 => "govuk-input--width-10",
            Self::Chars20 => "govuk-input--width-20",
            Self::Chars30 => "govuk-input--width-30",
        }
    }
}

/// One form field: its name (also its `id`), label, hint, current value and error message.
#[derive(Debug, Clone, Default)]
pub struct Field<'a> {
    /// The `name` of the control, which is also its `id` and the field named in errors.
    pub name: &'a str,
    /// The label (or, for groups of controls, the legend).
    pub label: &'a str,
    /// Hint text shown under the label.
    pub hint: Option<&'a str>,
    /// The value to show: what the user typed, so a refused form keeps it.
    pub value: &'a str,
    /// The error message shown inline, if the field was refused.
    pub error: Option<&'a str>,
    /// The `type` of an input; `text` when `None`.
    pub input_type: Option<&'a str>,
    /// A fixed width for a text input.
    pub width: Option<InputWidth>,
    /// The `autocomplete` attribute, for fields about the user.
    pub autocomplete: Option<&'a str>,
    /// Whether the label is the page's `<h1>` (a question page with one field).
    pub label_is_heading: bool,
    /// Whether to ask for digits (`inputmode="numeric"`, no spellcheck).
    pub numeric: bool,
    /// Rows of a textarea; 5 when `None`.
    pub rows: Option<u8>,
}

impl<'a> Field<'a> {
    /// A field with a name and a label.
    pub fn new(name: &'a str, label: &'a str) -> Self {
        Self {
            name,
            label,
            ..Self::default()
        }
    }

    /// Adds hint text.
    #[must_use]
    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    /// Sets the value shown.
    #[must_use]
    pub fn value(mut self, value: &'a str) -> Self {
        self.value = value;
        self
    }

    /// Sets the inline error message.
    #[must_use]
    pub fn error(mut self, message: Option<&'a str>) -> Self {
        self.error = message;
        self
    }

    /// Takes the inline error message for this field from a refusal, if it names the field.
    #[must_use]
    pub fn errors(mut self, errors: &'a Invalid) -> Self {
        self.error = errors.message_for(self.name);
        self
    }

    /// Sets the input `type` (`email`, `url`, `password`…).
    #[must_use]
    pub fn input_type(mut self, input_type: &'a str) -> Self {
        self.input_type = Some(input_type);
        self
    }

    /// Gives a text input a fixed width.
    #[must_use]
    pub fn width(mut self, width: InputWidth) -> Self {
        self.width = Some(width);
        self
    }

    /// Sets the `autocomplete` attribute.
    #[must_use]
    pub fn autocomplete(mut self, autocomplete: &'a str) -> Self {
        self.autocomplete = Some(autocomplete);
        self
    }

    /// Makes the label the page's heading.
    #[must_use]
    pub fn as_heading(mut self) -> Self {
        self.label_is_heading = true;
        self
    }

    /// Asks for digits: numeric keyboard on phones, no spellcheck.
    #[must_use]
    pub fn numeric(mut self) -> Self {
        self.numeric = true;
        self
    }

    /// Sets the number of rows of a textarea.
    #[must_use]
    pub fn rows(mut self, rows: u8) -> Self {
        self.rows = Some(rows);
        self
    }

    fn hint_id(&self) -> String {
        format!("{}-hint", self.name)
    }

    fn error_id(&self) -> String {
        format!("{}-error", self.name)
    }

    /// The ids the control is described by: its hint and its error message.
    fn described_by(&self) -> Option<String> {
        let ids: Vec<String> = [
            self.hint.map(|_| self.hint_id()),
            self.error.map(|_| self.error_id()),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }

    fn group_class(&self) -> &'static str {
        if self.error.is_some() {
            "govuk-form-group govuk-form-group--error"
        } else {
            "govuk-form-group"
        }
    }
}

/// One option of a select, radios or checkboxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice<'a> {
    /// The submitted value.
    pub value: &'a str,
    /// The text shown.
    pub text: &'a str,
    /// Hint text for this option (radios and checkboxes only).
    pub hint: Option<&'a str>,
}

impl<'a> Choice<'a> {
    /// An option with a value and its text.
    pub fn new(value: &'a str, text: &'a str) -> Self {
        Self {
            value,
            text,
            hint: None,
        }
    }

    /// Adds hint text under the option.
    #[must_use]
    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }
}

fn label(field: &Field<'_>, for_id: &str) -> Markup {
    if field.label_is_heading {
        html! {
            h1 class="govuk-label-wrapper" {
                label class="govuk-label govuk-label--l" for=(for_id) { (field.label) }
            }
        }
    } else {
        html! { label class="govuk-label" for=(for_id) { (field.label) } }
    }
}

fn hint(field: &Field<'_>) -> Markup {
    html! {
        @if let Some(hint) = field.hint {
            div id=(field.hint_id()) class="govuk-hint" { (hint) }
        }
    }
}

/// An inline error message, with the visually hidden "Error:" prefix GOV.UK uses.
pub fn error_message(id: &str, message: &str) -> Markup {
    html! {
        p id=(id) class="govuk-error-message" {
            span class="govuk-visually-hidden" { "Error:" }
            " " (message)
        }
    }
}

fn field_error(field: &Field<'_>) -> Markup {
    html! {
        @if let Some(message) = field.error {
            (error_message(&field.error_id(), message))
        }
    }
}

fn legend(field: &Field<'_>) -> Markup {
    if field.label_is_heading {
        html! {
            legend class="govuk-fieldset__legend govuk-fieldset__legend--l" {
                h1 class="govuk-fieldset__heading" { (field.label) }
            }
        }
    } else {
        html! { legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { (field.label) } }
    }
}

/// A text input with its label, hint and error message.
pub fn text_input(field: &Field<'_>) -> Markup {
    let mut classes = String::from("govuk-input");
    if let Some(width) = field.width {
        classes.push(' ');
        classes.push_str(width.class());
    }
    if field.error.is_some() {
        classes.push_str(" govuk-input--error");
    }
    html! {
        div class=(field.group_class()) {
            (label(field, field.name))
            (hint(field))
            (field_error(field))
            input class=(classes) id=(field.name) name=(field.name)
                type=(field.input_type.unwrap_or("text")) value=(field.value)
                aria-describedby=[field.described_by()]
                autocomplete=[field.autocomplete]
                inputmode=[field.numeric.then_some("numeric")]
                spellcheck=[field.numeric.then_some("false")];
        }
    }
}

/// A textarea with its label, hint and error message.
pub fn textarea(field: &Field<'_>) -> Markup {
    let classes = if field.error.is_some() {
        "govuk-textarea govuk-textarea--error"
    } else {
        "govuk-textarea"
    };
    html! {
        div class=(field.group_class()) {
            (label(field, field.name))
            (hint(field))
            (field_error(field))
            textarea class=(classes) id=(field.name) name=(field.name)
                rows=(field.rows.unwrap_or(5))
                aria-describedby=[field.described_by()]
                autocomplete=[field.autocomplete] { (field.value) }
        }
    }
}

/// A select; the option whose value equals the field's value is selected.
pub fn select(field: &Field<'_>, choices: &[Choice<'_>]) -> Markup {
    let classes = if field.error.is_some() {
        "govuk-select govuk-select--error"
    } else {
        "govuk-select"
    };
    html! {
        div class=(field.group_class()) {
            (label(field, field.name))
            (hint(field))
            (field_error(field))
            select class=(classes) id=(field.name) name=(field.name)
                aria-describedby=[field.described_by()] {
                @for choice in choices {
                    option value=(choice.value) selected[choice.value == field.value] { (choice.text) }
                }
            }
        }
    }
}

/// The `id` of the `index`th control of a group: the first carries the field's name, so the
/// error summary's link `#name` lands on it.
fn item_id(name: &str, index: usize) -> String {
    if index == 0 {
        name.to_owned()
    } else {
        format!("{name}-{}", index + 1)
    }
}

fn choice_group(
    field: &Field<'_>,
    choices: &[Choice<'_>],
    kind: &str,
    checked: impl Fn(&str) -> bool,
) -> Markup {
    html! {
        div class=(field.group_class()) {
            fieldset class="govuk-fieldset" aria-describedby=[field.described_by()] {
                (legend(field))
                (hint(field))
                (field_error(field))
                div class=(format!("govuk-{kind}")) data-module=(format!("govuk-{kind}")) {
                    @for (index, choice) in choices.iter().enumerate() {
                        @let id = item_id(field.name, index);
                        @let hint_id = format!("{id}-item-hint");
                        div class=(format!("govuk-{kind}__item")) {
                            input class=(format!("govuk-{kind}__input")) id=(id) name=(field.name)
                                type=(if kind == "radios" { "radio" } else { "checkbox" })
                                value=(choice.value) checked[checked(choice.value)]
                                aria-describedby=[choice.hint.map(|_| hint_id.as_str())];
                            label class=(format!("govuk-label govuk-{kind}__label")) for=(id) { (choice.text) }
                            @if let Some(text) = choice.hint {
                                div id=(hint_id) class=(format!("govuk-hint govuk-{kind}__hint")) { (text) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Radios in a fieldset; the choice whose value equals the field's value is checked.
pub fn radios(field: &Field<'_>, choices: &[Choice<'_>]) -> Markup {
    choice_group(field, choices, "radios", |value| value == field.value)
}

/// Checkboxes in a fieldset; the choices whose values are in `checked` are checked.
pub fn checkboxes(field: &Field<'_>, choices: &[Choice<'_>], checked: &[&str]) -> Markup {
    choice_group(field, choices, "checkboxes", |value| {
        checked.contains(&value)
    })
}

/// GOV.UK's date input: day, month and year in three boxes, in a fieldset.
///
/// The boxes are named `{name}-day`, `{name}-month` and `{name}-year` (read them back with
/// [`crate::forms::FormData::date`]); the day box's `id` is the field's name, so the error
/// summary's link lands on it. The field's `value` is not used: `parts` holds what was typed.
pub fn date_input(field: &Field<'_>, parts: &DateParts) -> Markup {
    let input_class = |width: &str| {
        let mut class = format!("govuk-input govuk-date-input__input {width}");
        if field.error.is_some() {
            class.push_str(" govuk-input--error");
        }
        class
    };
    let boxes = [
        ("day", "Day", parts.day.as_str(), "govuk-input--width-2"),
        (
            "month",
            "Month",
            parts.month.as_str(),
            "govuk-input--width-2",
        ),
        ("year", "Year", parts.year.as_str(), "govuk-input--width-4"),
    ];
    html! {
        div class=(field.group_class()) {
            fieldset class="govuk-fieldset" role="group" aria-describedby=[field.described_by()] {
                (legend(field))
                (hint(field))
                (field_error(field))
                div class="govuk-date-input" {
                    @for (index, (part, text, value, width)) in boxes.iter().enumerate() {
                        @let id = if index == 0 { field.name.to_owned() } else { format!("{}-{part}", field.name) };
                        div class="govuk-date-input__item" {
                            div class="govuk-form-group" {
                                label class="govuk-label govuk-date-input__label" for=(id) { (text) }
                                input class=(input_class(width)) id=(id)
                                    name=(format!("{}-{part}", field.name)) type="text"
                                    inputmode="numeric" value=(value);
                            }
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Forms
// ---------------------------------------------------------------------------------------------

/// A form that posts to `action`, carrying the CSRF token in a hidden field.
///
/// `novalidate` turns off the browser's own checks: the server's messages are the ones GOV.UK
/// patterns and screen readers expect.
pub fn form(action: &str, csrf_token: &str, body: Markup) -> Markup {
    html! {
        form method="post" action=(action) novalidate {
            input type="hidden" name=(CSRF_FIELD) value=(csrf_token);
            (body)
        }
    }
}

/// The error summary for a refused form: one link per problem to its field. Renders nothing
/// when there is no problem, so pages can always call it.
pub fn error_summary(errors: &Invalid) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="govuk-error-summary" data-module="govuk-error-summary" {
                div role="alert" {
                    h2 class="govuk-error-summary__title" { "There is a problem" }
                    div class="govuk-error-summary__body" {
                        ul class="govuk-list govuk-error-summary__list" {
                            @for error in &errors.errors {
                                li {
                                    a href=(format!("#{}", error.field)) {
                                        @if let Some(line) = error.line { "Line " (line) ": " }
                                        (error.message)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// How a button looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ButtonKind {
    /// The main action of the page.
    #[default]
    Primary,
    /// Other actions.
    Secondary,
    /// Actions with serious, destructive consequences.
    Warning,
}

impl ButtonKind {
    fn class(self) -> &'static str {
        match self {
            Self::Primary => "govuk-button",
            Self::Secondary => "govuk-button govuk-button--secondary",
            Self::Warning => "govuk-button govuk-button--warning",
        }
    }
}

/// A submit button.
pub fn button(text: &str, kind: ButtonKind) -> Markup {
    html! {
        button type="submit" class=(kind.class()) data-module="govuk-button" { (text) }
    }
}

/// A link that looks like a button.
pub fn button_link(text: &str, href: &str, kind: ButtonKind) -> Markup {
    html! {
        a href=(href) role="button" draggable="false" class=(kind.class()) data-module="govuk-button" { (text) }
    }
}

/// The start button, at the start of a journey.
pub fn start_button(text: &str, href: &str) -> Markup {
    html! {
        a href=(href) role="button" draggable="false" class="govuk-button govuk-button--start" data-module="govuk-button" {
            (text)
            svg class="govuk-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19"
                viewBox="0 0 33 40" aria-hidden="true" focusable="false" {
                path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z" {}
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Navigation
// ---------------------------------------------------------------------------------------------

/// One breadcrumb.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crumb {
    /// The link text.
    pub text: String,
    /// Where it goes.
    pub href: String,
}

/// Breadcrumbs: the pages above this one, from the home page down.
pub fn breadcrumbs(crumbs: &[Crumb]) -> Markup {
    html! {
        nav class="govuk-breadcrumbs" aria-label="Breadcrumb" {
            ol class="govuk-breadcrumbs__list" {
                @for crumb in crumbs {
                    li class="govuk-breadcrumbs__list-item" {
                        a class="govuk-breadcrumbs__link" href=(crumb.href) { (crumb.text) }
                    }
                }
            }
        }
    }
}

/// A back link.
pub fn back_link(href: &str) -> Markup {
    html! { a href=(href) class="govuk-back-link" { "Back" } }
}

/// Pagination for page `current` of `total` (both counted from 1); `href` gives each page's URL.
///
/// Shows the first and last pages, the current page and its neighbours, and an ellipsis for
/// each gap, as GOV.UK recommends. Renders nothing when there is a single page.
pub fn pagination(current: u32, total: u32, href: impl Fn(u32) -> String) -> Markup {
    let current = current.clamp(1, total.max(1));
    let mut items: Vec<Option<u32>> = Vec::new();
    for number in 1..=total {
        let near = number == 1 || number == total || number.abs_diff(current) <= 1;
        if near {
            items.push(Some(number));
        } else if items.last().is_some_and(Option::is_some) {
            items.push(None);
        }
    }
    let previous_icon = PreEscaped(
        r#"<svg class="govuk-pagination__icon govuk-pagination__icon--prev" xmlns="http://www.w3.org/2000/svg" height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13"><path d="m6.5938-0.0078125-6.7266 6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984l4.2931-4.293-1.414-1.414z"></path></svg>"#,
    );
    let next_icon = PreEscaped(
        r#"<svg class="govuk-pagination__icon govuk-pagination__icon--next" xmlns="http://www.w3.org/2000/svg" height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13"><path d="m8.107-0.0078125-1.4136 1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492 6.7441-6.4062-6.7246-6.7266z"></path></svg>"#,
    );
    html! {
        @if total > 1 {
            nav class="govuk-pagination" aria-label="Pagination" {
                @if current > 1 {
                    div class="govuk-pagination__prev" {
                        a class="govuk-link govuk-pagination__link" href=(href(current - 1)) rel="prev" {
                            (previous_icon)
                            span class="govuk-pagination__link-title" {
                                "Previous" span class="govuk-visually-hidden" { " page" }
                            }
                        }
                    }
                }
                ul class="govuk-pagination__list" {
                    @for item in &items {
                        @match item {
                            Some(number) if *number == current => {
                                li class="govuk-pagination__item govuk-pagination__item--current" {
                                    a class="govuk-link govuk-pagination__link" href=(href(*number))
                                        aria-label=(format!("Page {number}")) aria-current="page" { (number) }
                                }
                            }
                            Some(number) => {
                                li class="govuk-pagination__item" {
                                    a class="govuk-link govuk-pagination__link" href=(href(*number))
                                        aria-label=(format!("Page {number}")) { (number) }
                                }
                            }
                            None => {
                                li class="govuk-pagination__item govuk-pagination__item--ellipsis" { "⋯" }
                            }
                        }
                    }
                }
                @if current < total {
                    div class="govuk-pagination__next" {
                        a class="govuk-link govuk-pagination__link" href=(href(current + 1)) rel="next" {
                            span class="govuk-pagination__link-title" {
                                "Next" span class="govuk-visually-hidden" { " page" }
                            }
                            (next_icon)
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Content
// ---------------------------------------------------------------------------------------------

/// One row of a summary list.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    /// The key (left column).
    pub key: String,
    /// The value.
    pub value: Markup,
    /// Links such as "Change", each with the hidden text that says what it changes.
    pub actions: Vec<SummaryAction>,
}

/// A link at the end of a summary list row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryAction {
    /// The visible text ("Change").
    pub text: String,
    /// Where it goes.
    pub href: String,
    /// Text for screen readers that completes the visible text ("members").
    pub hidden_text: String,
}

impl SummaryRow {
    /// A row with a key and a value.
    pub fn new(key: impl Into<String>, value: Markup) -> Self {
        Self {
            key: key.into(),
            value,
            actions: Vec::new(),
        }
    }

    /// Adds a link at the end of the row.
    #[must_use]
    pub fn action(
        mut self,
        text: impl Into<String>,
        href: impl Into<String>,
        hidden_text: impl Into<String>,
    ) -> Self {
        self.actions.push(SummaryAction {
            text: text.into(),
            href: href.into(),
            hidden_text: hidden_text.into(),
        });
        self
    }
}

/// A summary list of keys and values.
pub fn summary_list(rows: &[SummaryRow]) -> Markup {
    let any_actions = rows.iter().any(|row| !row.actions.is_empty());
    html! {
        dl class="govuk-summary-list" {
            @for row in rows {
                div class=(if any_actions && row.actions.is_empty() {
                    "govuk-summary-list__row govuk-summary-list__row--no-actions"
                } else {
                    "govuk-summary-list__row"
                }) {
                    dt class="govuk-summary-list__key" { (row.key) }
                    dd class="govuk-summary-list__value" { (row.value) }
                    @if row.actions.len() == 1 {
                        dd class="govuk-summary-list__actions" { (summary_action(&row.actions[0])) }
                    } @else if !row.actions.is_empty() {
                        dd class="govuk-summary-list__actions" {
                            ul class="govuk-summary-list__actions-list" {
                                @for action in &row.actions {
                                    li class="govuk-summary-list__actions-list-item" { (summary_action(action)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn summary_action(action: &SummaryAction) -> Markup {
    html! {
        a class="govuk-link" href=(action.href) {
            (action.text) span class="govuk-visually-hidden" { " " (action.hidden_text) }
        }
    }
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The header text.
    pub text: String,
    /// Whether the column holds numbers (right-aligned, tabular figures).
    pub numeric: bool,
}

impl Column {
    /// A column of text.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            numeric: false,
        }
    }

    /// A column of numbers.
    pub fn numeric(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            numeric: true,
        }
    }
}

/// A table with a caption and column headers.
#[derive(Debug, Clone)]
pub struct Table {
    /// The caption: what the table shows. Also names the scrolling region of wide tables.
    pub caption: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows: one `Markup` per column.
    pub rows: Vec<Vec<Markup>>,
    /// Whether the first cell of each row is that row's header (`<th scope="row">`).
    pub first_cell_is_header: bool,
    /// Whether the table may be wider than the page: it then scrolls in its own region.
    pub scrollable: bool,
}

impl Table {
    /// An empty table with a caption and its columns.
    pub fn new(caption: impl Into<String>, columns: Vec<Column>) -> Self {
        Self {
            caption: caption.into(),
            columns,
            rows: Vec::new(),
            first_cell_is_header: false,
            scrollable: false,
        }
    }

    /// Adds a row.
    #[must_use]
    pub fn row(mut self, cells: Vec<Markup>) -> Self {
        self.rows.push(cells);
        self
    }

    /// Makes the first cell of each row its header.
    #[must_use]
    pub fn row_headers(mut self) -> Self {
        self.first_cell_is_header = true;
        self
    }

    /// Lets a wide table scroll sideways in its own, keyboard-focusable region.
    #[must_use]
    pub fn scrollable(mut self) -> Self {
        self.scrollable = true;
        self
    }
}

/// Renders a [`Table`].
pub fn table(table: &Table) -> Markup {
    let header_class = |numeric: bool| {
        if numeric {
            "govuk-table__header govuk-table__header--numeric"
        } else {
            "govuk-table__header"
        }
    };
    let rendered = html! {
        table class="govuk-table" {
            caption class="govuk-table__caption govuk-table__caption--m" { (table.caption) }
            thead class="govuk-table__head" {
                tr class="govuk-table__row" {
                    @for column in &table.columns {
                        th scope="col" class=(header_class(column.numeric)) { (column.text) }
                    }
                }
            }
            tbody class="govuk-table__body" {
                @for row in &table.rows {
                    tr class="govuk-table__row" {
                        @for (index, cell) in row.iter().enumerate() {
                            @let numeric = table.columns.get(index).is_some_and(|c| c.numeric);
                            @if index == 0 && table.first_cell_is_header {
                                th scope="row" class=(header_class(numeric)) { (cell) }
                            } @else if numeric {
                                td class="govuk-table__cell govuk-table__cell--numeric" { (cell) }
                            } @else {
                                td class="govuk-table__cell" { (cell) }
                            }
                        }
                    }
                }
            }
        }
    };
    if table.scrollable {
        html! {
            div class="accord-table-scroll" role="region" aria-label=(table.caption) tabindex="0" {
                (rendered)
            }
        }
    } else {
        rendered
    }
}

/// The colours a tag can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagColour {
    /// GOV.UK's default (blue).
    Default,
    /// Grey, for inactive or closed.
    Grey,
    /// Green, for done or on track.
    Green,
    /// Teal.
    Teal,
    /// Blue (light).
    Blue,
    /// Purple.
    Purple,
    /// Magenta.
    Magenta,
    /// Red, for overdue or refused.
    Red,
    /// Orange, for needing attention.
    Orange,
    /// Yellow.
    Yellow,
}

/// A tag: a short status label.
pub fn tag(text: &str, colour: TagColour) -> Markup {
    let class = match colour {
        TagColour::Default => "govuk-tag",
        TagColour::Grey => "govuk-tag govuk-tag--grey",
        TagColour::Green => "govuk-tag govuk-tag--green",
        TagColour::Teal => "govuk-tag govuk-tag--teal",
        TagColour::Blue => "govuk-tag govuk-tag--blue",
        TagColour::Purple => "govuk-tag govuk-tag--purple",
        TagColour::Magenta => "govuk-tag govuk-tag--magenta",
        TagColour::Red => "govuk-tag govuk-tag--red",
        TagColour::Orange => "govuk-tag govuk-tag--orange",
        TagColour::Yellow => "govuk-tag govuk-tag--yellow",
    };
    html! { strong class=(class) { (text) } }
}

/// A RAG (or BRAG, or five-point delivery-confidence) rating as a cell's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rag {
    /// Red.
    Red,
    /// Amber/Red (delivery confidence).
    AmberRed,
    /// Amber.
    Amber,
    /// Amber/Green (delivery confidence).
    AmberGreen,
    /// Green.
    Green,
    /// Blue: delivered (BRAG savings tracking).
    Blue,
}

impl Rag {
    /// The letter(s) shown: "R", "A/R", "A", "A/G", "G", "B".
    pub fn letter(self) -> &'static str {
        match self {
            Self::Red => "R",
            Self::AmberRed => "A/R",
            Self::Amber => "A",
            Self::AmberGreen => "A/G",
            Self::Green => "G",
            Self::Blue => "B",
        }
    }

    /// The full name, read out by screen readers.
    pub fn name(self) -> &'static str {
        match self {
            Self::Red => "Red",
            Self::AmberRed => "Amber/Red",
            Self::Amber => "Amber",
            Self::AmberGreen => "Amber/Green",
            Self::Green => "Green",
            Self::Blue => "Blue",
        }
    }

    fn modifier(self) -> &'static str {
        match self {
            Self::Red => "accord-rag--red",
            Self::AmberRed => "accord-rag--amber-red",
            Self::Amber => "accord-rag--amber",
            Self::AmberGreen => "accord-rag--amber-green",
            Self::Green => "accord-rag--green",
            Self::Blue => "accord-rag--blue",
        }
    }
}

/// A rating shown as colour and letter, never colour alone; screen readers hear its name.
pub fn rag(rating: Rag) -> Markup {
    html! {
        span class=(format!("accord-rag {}", rating.modifier())) {
            span class="accord-rag__letter" aria-hidden="true" { (rating.letter()) }
            span class="govuk-visually-hidden" { (rating.name()) }
        }
    }
}

/// Which notification banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Banner {
    /// Something the user needs to know about the page ("Important").
    Important,
    /// The outcome of what the user just did ("Success").
    Success,
}

/// A notification banner. At most one of each kind per page: its title's `id` is fixed.
pub fn notification_banner(kind: Banner, heading: &str, body: Markup) -> Markup {
    let (class, role, title, id) = match kind {
        Banner::Important => (
            "govuk-notification-banner",
            "region",
            "Important",
            "important-banner-title",
        ),
        Banner::Success => (
            "govuk-notification-banner govuk-notification-banner--success",
            "alert",
            "Success",
            "success-banner-title",
        ),
    };
    html! {
        div class=(class) role=(role) aria-labelledby=(id) data-module="govuk-notification-banner" {
            div class="govuk-notification-banner__header" {
                h2 class="govuk-notification-banner__title" id=(id) { (title) }
            }
            div class="govuk-notification-banner__content" {
                p class="govuk-notification-banner__heading" { (heading) }
                (body)
            }
        }
    }
}

/// Inset text: a quotation, an example or extra information set apart.
pub fn inset_text(content: Markup) -> Markup {
    html! { div class="govuk-inset-text" { (content) } }
}

/// Details: content revealed on demand (a native `<details>`, so no script is needed).
pub fn details(summary: &str, content: Markup) -> Markup {
    html! {
        details class="govuk-details" {
            summary class="govuk-details__summary" {
                span class="govuk-details__summary-text" { (summary) }
            }
            div class="govuk-details__text" { (content) }
        }
    }
}

/// A confirmation panel, at the end of a transaction. Its title is the page's `<h1>`.
pub fn panel(title: &str, body: Markup) -> Markup {
    html! {
        div class="govuk-panel govuk-panel--confirmation" {
            h1 class="govuk-panel__title" { (title) }
            div class="govuk-panel__body" { (body) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(markup: Markup) -> String {
        markup.into_string()
    }

    #[test]
    fn text_input_describes_itself_by_hint_and_error() {
        let cases: [(Field<'_>, &[&str], &[&str]); 4] = [
            (
                Field::new("name", "Name"),
                &[
                    r#"<label class="govuk-label" for="name">Name</label>"#,
                    r#"id="name" name="name" type="text" value="""#,
                ],
                &[
                    "aria-describedby",
                    "govuk-input--error",
                    "govuk-form-group--error",
                ],
            ),
            (
                Field::new("name", "Name").hint("As on the MOU"),
                &[
                    r#"<div id="name-hint" class="govuk-hint">As on the MOU</div>"#,
                    r#"aria-describedby="name-hint""#,
                ],
                &["govuk-input--error"],
            ),
            (
                Field::new("name", "Name")
                    .hint("h")
                    .error(Some("Enter a name"))
                    .value("<x>"),
                &[
                    r#"class="govuk-form-group govuk-form-group--error""#,
                    r#"<p id="name-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> Enter a name</p>"#,
                    r#"class="govuk-input govuk-input--error""#,
                    r#"aria-describedby="name-hint name-error""#,
                    r#"value="&lt;x&gt;""#,
                ],
                &["<x>"],
            ),
            (
                Field::new("year", "Year")
                    .numeric()
                    .width(InputWidth::Chars4),
                &[
                    r#"class="govuk-input govuk-input--width-4""#,
                    r#"inputmode="numeric""#,
                    r#"spellcheck="false""#,
                ],
                &["aria-describedby"],
            ),
        ];
        for (field, present, absent) in cases {
            let html = render(text_input(&field));
            for expected in present {
                assert!(html.contains(expected), "missing {expected} in {html}");
            }
            for unexpected in absent {
                assert!(
                    !html.contains(unexpected),
                    "unexpected {unexpected} in {html}"
                );
            }
        }
    }

    #[test]
    fn errors_from_a_refusal_land_on_the_named_field_only() {
        let mut invalid = Invalid::field("name", "Enter a name");
        invalid.push("members[0].joined", "Enter the date the council joined");
        let name = render(text_input(&Field::new("name", "Name").errors(&invalid)));
        let other = render(text_input(&Field::new("other", "Other").errors(&invalid)));
        assert!(name.contains("Enter a name"));
        assert!(!other.contains("govuk-error-message"));

        let summary = render(error_summary(&invalid));
        assert!(summary.contains(r##"<a href="#name">Enter a name</a>"##));
        assert!(summary.contains(r##"<a href="#members[0].joined">"##));
        assert!(summary.contains("There is a problem"));
        assert_eq!(render(error_summary(&Invalid::new())), "");

        let with_line = Invalid::field("gss_code", "Enter a GSS code").at_line(7);
        assert!(render(error_summary(&with_line)).contains("Line 7: Enter a GSS code"));
    }

    #[test]
    fn choices_check_the_current_values_and_link_their_hints() {
        let choices = [
            Choice::new("lead", "Lead").hint("Runs the partnership"),
            Choice::new("partner", "Partner"),
        ];
        let html = render(radios(
            &Field::new("role", "Role")
                .value("partner")
                .error(Some("Choose a role")),
            &choices,
        ));
        assert!(html.contains(
            r#"id="role" name="role" type="radio" value="lead" aria-describedby="role-item-hint""#
        ));
        assert!(html.contains(r#"id="role-2" name="role" type="radio" value="partner" checked"#));
        assert!(
            html.contains(r#"<fieldset class="govuk-fieldset" aria-describedby="role-error">"#)
        );

        let html = render(checkboxes(
            &Field::new("kinds", "Kinds"),
            &choices,
            &["lead", "partner"],
        ));
        assert_eq!(html.matches(" checked").count(), 2);
        assert!(html.contains(r#"type="checkbox""#));

        let html = render(select(&Field::new("role", "Role").value("lead"), &choices));
        assert!(html.contains(r#"<option value="lead" selected>Lead</option>"#));
        assert!(html.contains(r#"<option value="partner">Partner</option>"#));
    }

    #[test]
    fn date_input_has_three_named_boxes_and_the_day_carries_the_field_id() {
        let parts = DateParts::new("21", "12", "2010");
        let html = render(date_input(
            &Field::new("signed", "Date signed").hint("For example, 21 12 2010"),
            &parts,
        ));
        for expected in [
            r#"role="group" aria-describedby="signed-hint""#,
            r#"for="signed">Day</label>"#,
            r#"id="signed" name="signed-day" type="text" inputmode="numeric" value="21""#,
            r#"id="signed-month" name="signed-month" type="text" inputmode="numeric" value="12""#,
            r#"id="signed-year" name="signed-year" type="text" inputmode="numeric" value="2010""#,
        ] {
            assert!(html.contains(expected), "missing {expected} in {html}");
        }
    }

    #[test]
    fn form_carries_the_csrf_field_and_lets_the_server_validate() {
        let html = render(form("/partnerships", "t0k3n", html! { "body" }));
        assert!(html.starts_with(r#"<form method="post" action="/partnerships" novalidate>"#));
        assert!(html.contains(r#"<input type="hidden" name="csrf_token" value="t0k3n">"#));
    }

    #[test]
    fn pagination_keeps_ends_and_neighbours_with_ellipses() {
        let cases: [(u32, u32, &str); 6] = [
            (1, 1, ""),
            (1, 3, "1* 2 3 >"),
            (2, 3, "< 1 2* 3 >"),
            (5, 10, "< 1 … 4 5* 6 … 10 >"),
            (1, 10, "1* 2 … 10 >"),
            (10, 10, "< 1 … 9 10*"),
        ];
        for (current, total, expected) in cases {
            let html = render(pagination(current, total, |n| format!("?page={n}")));
            let mut seen = Vec::new();
            if html.contains(r#"rel="prev""#) {
                seen.push("<".to_owned());
            }
            for piece in html.split("<li class=\"govuk-pagination__item").skip(1) {
                if piece.starts_with(" govuk-pagination__item--ellipsis") {
                    seen.push("…".to_owned());
                } else {
                    let number = piece
                        .split("aria-label=\"Page ")
                        .nth(1)
                        .and_then(|s| s.split('"').next())
                        .unwrap();
                    let star = if piece.starts_with(" govuk-pagination__item--current") {
                        "*"
                    } else {
                        ""
                    };
                    seen.push(format!("{number}{star}"));
                }
            }
            if html.contains(r#"rel="next""#) {
                seen.push(">".to_owned());
            }
            assert_eq!(seen.join(" "), expected, "page {current} of {total}");
        }
    }

    #[test]
    fn rag_shows_colour_letter_and_name() {
        let cases = [
            (Rag::Red, "accord-rag--red", "R", "Red"),
            (
                Rag::AmberGreen,
                "accord-rag--amber-green",
                "A/G",
                "Amber/Green",
            ),
            (Rag::Blue, "accord-rag--blue", "B", "Blue"),
        ];
        for (rating, class, letter, name) in cases {
            let html = render(rag(rating));
            assert!(html.contains(class));
            assert!(html.contains(&format!(r#"aria-hidden="true">{letter}</span>"#)));
            assert!(html.contains(&format!(r#"govuk-visually-hidden">{name}</span>"#)));
        }
    }

    #[test]
    fn tables_mark_numeric_columns_row_headers_and_scroll_regions() {
        let html = render(table(
            &Table::new(
                "Savings by year",
                vec![Column::text("Year"), Column::numeric("Saving")],
            )
            .row(vec![html! { "2011/12" }, html! { "£100,000.00" }])
            .row_headers()
            .scrollable(),
        ));
        assert!(html.starts_with(r#"<div class="accord-table-scroll" role="region" aria-label="Savings by year" tabindex="0">"#));
        assert!(html.contains(r#"<th scope="col" class="govuk-table__header govuk-table__header--numeric">Saving</th>"#));
        assert!(html.contains(r#"<th scope="row" class="govuk-table__header">2011/12</th>"#));
        assert!(html.contains(
            r#"<td class="govuk-table__cell govuk-table__cell--numeric">£100,000.00</td>"#
        ));
    }

    #[test]
    fn summary_list_rows_without_actions_are_marked_when_others_have_them() {
        let html = render(summary_list(&[
            SummaryRow::new("Name", html! { "Haringey" }).action("Change", "/edit", "name"),
            SummaryRow::new("Code", html! { "E09000014" }),
        ]));
        assert!(html.contains(r#"<a class="govuk-link" href="/edit">Change<span class="govuk-visually-hidden"> name</span></a>"#));
        assert!(html.contains("govuk-summary-list__row--no-actions"));
    }
}
