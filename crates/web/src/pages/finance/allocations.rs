//! Apportionment pages: how a shared cost splits between partner councils under each method
//! — equal, proportional to a driver, Shapley, nucleolus and least core — side by side, in
//! plain words, with the core check (which groups of councils would be better off alone),
//! the coalition table and what changes when a council joins.

use accord_analytics::apportionment::{Coalition, Game};
use accord_analytics::coalition_model::{CoalitionModel, ModelInput, Penalty};
use accord_app::AppError;
use accord_app::finance::allocations::{
    self as api, AllocationBody, AllocationCommand, AllocationEntry,
};
use accord_app::finance::{AllocationFilter, Context, ListOrder, Visibility};
use accord_app::list::ListRequest;
use accord_domain::finance::Driver;
use accord_domain::{GssCode, Invalid};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use std::collections::{BTreeMap, HashMap};

use super::{
    PAGE_SIZE, council_names, form_version, name_of, number_field, page_link, page_number,
    percent_field, percent_text, pounds_field, pounds_text, query_form, refusal, version_field,
    visibility_field, visibility_from, with_status,
};
use crate::AppState;
use crate::api::finance::pounds;
use crate::auth::Viewer;
use crate::components::{
    Banner, ButtonKind, Choice, Column, Field, InputWidth, SummaryRow, Table, button, button_link,
    checkboxes, details, error_summary, form, notification_banner, pagination, radios, select,
    summary_list, table, text_input, textarea,
};
use crate::error::WebError;
use crate::forms::FormData;
use crate::guard::GuardedRecord;
use crate::layout::Page;
use crate::pages::common::{render, source_note};

fn base(id: i64) -> String {
    format!("/partnerships/{id}/allocations")
}

/// The allocation the route's guard found, as the reader may see it now.
async fn load(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    reference: Option<String>,
) -> Result<AllocationEntry, WebError> {
    Ok(api::get(
        &state.app,
        &viewer.caller(),
        id,
        &reference.unwrap_or_default(),
    )
    .await?)
}

async fn context(state: &AppState, viewer: &Viewer, id: i64) -> Result<Context, WebError> {
    Ok(accord_app::finance::context(&state.app, &viewer.caller(), id).await?)
}

/// The methods in the order the page shows them, with their column headings.
const METHODS: [(&str, &str); 5] = [
    ("equal", "Equal"),
    ("proportional", "Proportional"),
    ("shapley", "Shapley value"),
    ("nucleolus", "Nucleolus"),
    ("least_core", "Least core"),
];

/// `GET /partnerships/{id}/allocations`: a page of them, filtered and counted by the database.
pub async fn index(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let ctx = context(&state, &viewer, id).await?;
    let p = &ctx.partnership;
    let form_data = query_form(query.as_deref());
    let (filter, order, errors) = match crate::api::finance::allocations::filter_from(&form_data) {
        Ok((f, o)) => (f, o, Invalid::new()),
        Err(e) => (AllocationFilter::default(), ListOrder::Number, e),
    };
    let wanted = page_number(&form_data);
    let caller = viewer.caller();
    let mut listed = api::list(
        &state.app,
        &caller,
        id,
        &filter,
        order,
        &ListRequest::page(wanted, PAGE_SIZE),
    )
    .await?;
    let pages = listed.pages(PAGE_SIZE);
    if wanted > pages {
        listed = api::list(
            &state.app,
            &caller,
            id,
            &filter,
            order,
            &ListRequest::page(pages, PAGE_SIZE),
        )
        .await?;
    }
    let mut codes = ctx.members.clone();
    for e in &listed.items {
        codes.extend(
            e.value
                .councils
                .iter()
                .filter_map(|c| GssCode::parse("c", c).ok()),
        );
    }
    let names = council_names(&state, &codes).await?;
    let mut t = Table::new(
        format!("Allocations ({} matching)", listed.total),
        vec![
            Column::text("Reference"),
            Column::text("What is split"),
            Column::text("Councils"),
            Column::numeric("Cost of all together"),
            Column::text("Core"),
        ],
    );
    for e in &listed.items {
        let b = &e.value;
        t = t.row(vec![
            html! { (e.reference) },
            html! { a class="govuk-link" href=(format!("{}/{}", base(id), e.reference)) { (b.title) } @if b.illustrative.is_some() { br; span class="govuk-hint" { "Illustrative figures" } } },
            html! { (b.councils.iter().map(|c| name_of(&names, c)).collect::<Vec<_>>().join(", ")) },
            html! { @match &b.result { Some(r) => (pounds(r.grand_coalition_cost)), None => "" } },
            html! {
                @match b.result.as_ref().and_then(|r| r.core.as_ref()) {
                    Some(c) if c.empty => "Empty: no split satisfies every group",
                    Some(_) => "Not empty",
                    None => "",
                }
            },
        ]);
    }
    let labels: Vec<(String, String)> = ctx
        .members
        .iter()
        .map(|m| (m.to_string(), ctx.name_of(m.as_str()).to_owned()))
        .collect();
    let mut councils = vec![Choice::new("", "Any council")];
    councils.extend(labels.iter().map(|(v, t)| Choice::new(v, t)));
    let sorts = [
        Choice::new("reference", "Reference"),
        Choice::new("name", "Title"),
    ];
    let base_path = base(id);
    let filtered = ["council", "text"]
        .iter()
        .any(|f| !form_data.get(f).is_empty());
    let markup = render(
        &state,
        &viewer,
        Page::new(format!("Apportionment – {}", p.name))
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}"))
            .with_errors(&errors),
        html! {
            (error_summary(&errors))
            span class="govuk-caption-l" { (p.name) }
            h1 class="govuk-heading-xl" { "Apportionment of costs" }
            p class="govuk-body" {
                "Governance and programme costs are shared equally (MOU 7.1); implementation and running costs are apportioned per business case. "
                "Each allocation compares the ways of splitting a cost, so every finance director can defend their council’s share."
            }
            details class="govuk-details" open[filtered || !errors.is_empty()] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Filter the allocations" } }
                div class="govuk-details__text" {
                    form method="get" action=(base_path) novalidate {
                        (select(&Field::new("council", "Council").value(form_data.get("council")).errors(&errors), &councils))
                        (text_input(&Field::new("text", "Title or reference contains").value(form_data.get("text")).errors(&errors)))
                        (select(&Field::new("sort", "Order by").value(form_data.get("sort")).errors(&errors), &sorts))
                        (button("Filter", ButtonKind::Secondary))
                    }
                }
            }
            @if listed.items.is_empty() {
                p class="govuk-body" { "There are no allocations you can see" @if filtered { " that match" } "." }
            } @else {
                (table(&t))
                (pagination(wanted.min(pages), pages, |n| page_link(&base_path, &form_data, n)))
            }
            @if ctx.may_add {
                (button_link("Compare ways of splitting a cost", &format!("{}/new", base(id)), ButtonKind::Primary))
            }
        },
    );
    Ok(if errors.is_empty() {
        markup.into_response()
    } else {
        crate::forms::refused(markup)
    })
}

fn game_of(body: &AllocationBody) -> Option<Game> {
    match (&body.cost, &body.model) {
        (Some(table), _) => Game::from_table(body.councils.clone(), table).ok(),
        (None, Some(m)) => CoalitionModel::new(&body.councils, m).ok()?.game().ok(),
        _ => None,
    }
}

fn coalition_names(game: &Game, s: Coalition, names: &HashMap<String, String>) -> String {
    game.members(s)
        .iter()
        .map(|c| name_of(names, c).to_owned())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// `GET /partnerships/{id}/allocations/{reference}`.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let entry = load(&state, &viewer, id, record.reference).await?;
    let ctx = context(&state, &viewer, id).await?;
    allocation_page(&state, &viewer, &ctx, &entry, &Invalid::new()).await
}

/// An allocation with each method's split; `errors` are those of its delete form.
#[allow(clippy::too_many_lines)]
async fn allocation_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &Context,
    entry: &AllocationEntry,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let p = &ctx.partnership;
    let id = p.id;
    let reference = &entry.reference;
    let body = &entry.value;
    let mut codes = ctx.members.clone();
    codes.extend(
        body.councils
            .iter()
            .filter_map(|c| GssCode::parse("c", c).ok()),
    );
    let names = council_names(state, &codes).await?;
    let editor = entry.may_change;
    let figures = api::driver_figures(&state.app, body, body.driver).await?;
    let game = game_of(body);
    let result = body.result.as_ref();
    let methods: Vec<(&str, &str)> = METHODS
        .iter()
        .copied()
        .filter(|(m, _)| result.is_some_and(|r| r.allocations.contains_key(*m)))
        .collect();
    let proportional_heading = format!("Proportional to {}", body.driver.label().to_lowercase());
    let mut columns = vec![Column::text("Council"), Column::numeric("Alone")];
    for (m, h) in &methods {
        columns.push(Column::numeric(if *m == "proportional" {
            proportional_heading.as_str()
        } else {
            h
        }));
    }
    let mut side = Table::new(
        format!("Each council’s share of {} under each method", body.title),
        columns,
    );
    for (i, c) in body.councils.iter().enumerate() {
        let alone = game.as_ref().map(|g| g.cost(1 << i));
        let mut row = vec![
            html! { (name_of(&names, c)) },
            html! { @match alone { Some(a) => (pounds(a)), None => "" } },
        ];
        for (m, _) in &methods {
            let share = result
                .and_then(|r| r.allocations.get(*m))
                .and_then(|a| a.get(c))
                .copied();
            row.push(html! { @match share { Some(s) => (pounds(s)), None => "" } });
        }
        side = side.row(row);
    }
    if let Some(r) = result {
        let mut total = vec![
            html! { "All together" },
            html! { (pounds(r.grand_coalition_cost)) },
        ];
        for _ in &methods {
            total.push(html! { (pounds(r.grand_coalition_cost)) });
        }
        side = side.row(total);
    }
    let shapley_words: Vec<String> =
        match (result.and_then(|r| r.allocations.get("shapley")), &game) {
            (Some(sh), Some(g)) => body
                .councils
                .iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    let share = sh.get(c)?;
                    let alone = g.cost(1 << i);
                    Some(format!(
                        "{} pays {}, {} {} than running the service alone",
                        name_of(&names, c),
                        pounds(*share),
                        pounds((alone - share).abs()),
                        if alone >= *share { "less" } else { "more" }
                    ))
                })
                .collect(),
            _ => Vec::new(),
        };
    let excess = |x: &BTreeMap<String, f64>, s: Coalition, g: &Game| -> f64 {
        g.members(s)
            .iter()
            .map(|m| x.get(m).copied().unwrap_or(0.0))
            .sum::<f64>()
            - g.cost(s)
    };
    let model = body
        .model
        .as_ref()
        .and_then(|m| CoalitionModel::new(&body.councils, m).ok());
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) ", " (reference) }
        h1 class="govuk-heading-xl" { (body.title) }
        @if let Some(note) = &body.illustrative {
            (notification_banner(Banner::Important, "Illustrative figures", html! { p class="govuk-body" { (note) } }))
        }
        (source_note(body.source.as_deref()))
        (summary_list(&[
            SummaryRow::new("Councils", html! { (body.councils.iter().map(|c| name_of(&names, c)).collect::<Vec<_>>().join(", ")) }),
            SummaryRow::new("Joining later", html! {
                @if body.joining.is_empty() { "None" } @else { (body.joining.iter().map(|c| name_of(&names, c)).collect::<Vec<_>>().join(", ")) }
            }),
            SummaryRow::new("Coalition costs from", html! {
                @match &body.model {
                    Some(m) => {
                        "The coalition model: each council’s standalone cost, a shared fixed cost of " (pounds(m.shared_fixed_cost))
                        ", economies of scale of " (percent_text(m.economies_of_scale)) "%"
                        @if !m.incompatibility.is_empty() { ", and IT-incompatibility penalties between " (m.incompatibility.len()) " pairs" }
                    },
                    None => "A table of every group’s cost",
                }
            }),
            SummaryRow::new(format!("{} (driver of proportional shares)", body.driver.label()), html! {
                ul class="govuk-list" {
                    @for c in &body.councils {
                        li {
                            (name_of(&names, c)) ": "
                            @match figures.get(c).copied().flatten() {
                                Some((v, from)) => { (accord_domain::money::group_thousands(v.round().max(0.0) as u64)) @if from != "entered" { " (from Accord’s " (from) ")" } },
                                None => span class="govuk-hint" { (accord_domain::seed::NOT_STATED) " — enter it to see proportional shares" },
                            }
                        }
                    }
                }
            }),
            SummaryRow::new("Who can see it", html! { (entry.visibility.label()) }),
        ]))
        @if editor {
            div class="govuk-button-group" {
                (button_link("Change the figures", &format!("{}/{reference}/edit", base(id)), ButtonKind::Secondary))
            }
        }
        h2 class="govuk-heading-l" { "The methods side by side" }
        (table(&side.row_headers().scrollable()))
        h3 class="govuk-heading-m" { "In plain words" }
        ul class="govuk-list govuk-list--bullet" {
            li { strong { "Equal: " } "every council pays the same, as the MOU does for governance and programme costs. Simple, but a small council may pay more than going alone." }
            li { strong { "Proportional: " } "shares follow " (body.driver.label().to_lowercase()) ". Easy to explain; it ignores who brings the savings." }
            li { strong { "Shapley value: " } "each council pays its extra cost averaged over every order in which the councils could have joined. It rewards what each brings." }
            li { strong { "Nucleolus: " } "the split that makes the group of councils with the least to gain from staying as well off as possible, then the next group, and so on: the most stable split." }
            li { strong { "Least core: " } "the centre of the splits where no group gains more than ε by leaving; the same as the nucleolus whenever some split satisfies every group." }
        }
        @if !shapley_words.is_empty() {
            p class="govuk-body" { "Under the Shapley value: " (shapley_words.join("; ")) "." }
        }
        h2 class="govuk-heading-l" { "Would any group be better off alone?" }
        @match (result.and_then(|r| r.core.as_ref()), result.and_then(|r| r.least_core_epsilon)) {
            (Some(core), Some(eps)) => {
                @if core.empty {
                    p class="govuk-body" {
                        "No split satisfies every group of councils: whatever the split, some group would save by going alone (the core is empty). "
                        "The least-core ε is " (pounds(eps)) ": the least that the most tempted group gains by leaving, under the best split. The nucleolus is still the fairest compromise."
                    }
                } @else {
                    p class="govuk-body" {
                        "Some splits leave no group of councils better off alone (the core is not empty). The least-core ε is " (pounds(eps))
                        ": under the least-core split, every group pays at least " (pounds(-eps)) " less together than it would alone."
                    }
                }
                @for (m, h) in &methods {
                    @let blocking = core.blocking_by_method.get(*m).cloned().unwrap_or_default();
                    h3 class="govuk-heading-s" { (if *m == "proportional" { proportional_heading.as_str() } else { h }) }
                    @if blocking.is_empty() {
                        p class="govuk-body" { "No group would be better off alone." }
                    } @else {
                        ul class="govuk-list govuk-list--bullet" {
                            @for group in &blocking {
                                @let mask = group.iter().filter_map(|g| body.councils.iter().position(|c| c == g)).fold(0 as Coalition, |m, i| m | (1 << i));
                                li {
                                    (group.iter().map(|g| name_of(&names, g)).collect::<Vec<_>>().join(" + "))
                                    @if let (Some(g), Some(x)) = (&game, result.and_then(|r| r.allocations.get(*m))) {
                                        " would pay " (pounds(excess(x, mask, g))) " less on their own"
                                    }
                                }
                            }
                        }
                    }
                }
            },
            _ => p class="govuk-body" { "The core check runs for up to 25 councils." },
        }
        @if let Some(g) = &game {
            h2 class="govuk-heading-l" { "The coalition table" }
            p class="govuk-body" {
                @if model.is_some() {
                    "Each group’s cost comes from the documented model: the sum of its councils’ standalone costs, less economies of scale "
                    "(a share s·(1 − 1/k) of that sum for k councils), plus the shared fixed cost and the IT-incompatibility penalty of each pair inside."
                } @else {
                    "Each group’s cost as entered."
                }
            }
            (coalition_table(g, model.as_ref(), &names))
            @if (g.grand() as usize) > 64 { p class="govuk-body" { "The first 64 of " (g.grand()) " groups are shown." } }
        }
        @if let Some(j) = result.and_then(|r| r.joining.as_ref()) {
            h2 class="govuk-heading-l" { "What changes when " (body.joining.iter().map(|c| name_of(&names, c)).collect::<Vec<_>>().join(" and ")) " join" @if body.joining.len() == 1 { "s" } }
            @for (m, h) in &methods {
                @if let (Some(before), Some(after), Some(change)) = (j.before.get(*m), j.after.get(*m), j.change.get(*m)) {
                    (joining_table(if *m == "proportional" { proportional_heading.as_str() } else { h }, &body.councils, before, after, change, &names))
                }
            }
        }
        @if entry.may_delete {
            (form(&format!("{}/{reference}/delete", base(id)), &viewer.csrf, html! {
                (version_field(entry.version))
                input type="hidden" name="confirm" value="yes";
                (button("Delete this allocation", ButtonKind::Warning))
            }))
        }
        (details("The figures as JSON (for accord allocate)", html! {
            pre class="accord-json" { (serde_json::to_string_pretty(&serde_json::json!({
                "players": body.councils, "cost": body.cost, "model": body.model, "joining": body.joining, "driver": body.driver_used,
            })).unwrap_or_default()) }
        }))
    };
    Ok(render(
        state,
        viewer,
        Page::new(body.title.clone())
            .breadcrumb("Partnerships", "/")
            .breadcrumb(p.name.clone(), format!("/partnerships/{id}"))
            .breadcrumb("Apportionment", base(id))
            .with_errors(errors),
        content,
    ))
}

fn coalition_table(
    g: &Game,
    model: Option<&CoalitionModel>,
    names: &HashMap<String, String>,
) -> Markup {
    let columns = if model.is_some() {
        vec![
            Column::text("Group"),
            Column::numeric("Standalone costs"),
            Column::numeric("Economies of scale"),
            Column::numeric("Shared fixed cost"),
            Column::numeric("IT penalties"),
            Column::numeric("Cost"),
        ]
    } else {
        vec![Column::text("Group"), Column::numeric("Cost")]
    };
    let mut t = Table::new(
        "What each group of councils would pay to run the service together",
        columns,
    );
    for s in (1..=g.grand()).take(64) {
        let row = match model {
            Some(m) => {
                let b = m.breakdown(u128::from(s));
                vec![
                    html! { (coalition_names(g, s, names)) },
                    html! { (pounds(b.standalone)) },
                    html! { (pounds(-b.economies)) },
                    html! { (pounds(b.shared_fixed_cost)) },
                    html! { (pounds(b.penalties)) },
                    html! { (pounds(b.total)) },
                ]
            }
            None => vec![
                html! { (coalition_names(g, s, names)) },
                html! { (pounds(g.cost(s))) },
            ],
        };
        t = t.row(row);
    }
    table(&t.row_headers().scrollable())
}

fn joining_table(
    heading: &str,
    councils: &[String],
    before: &BTreeMap<String, f64>,
    after: &BTreeMap<String, f64>,
    change: &BTreeMap<String, f64>,
    names: &HashMap<String, String>,
) -> Markup {
    let mut t = Table::new(
        format!("{heading}: before and after"),
        vec![
            Column::text("Council"),
            Column::numeric("Before"),
            Column::numeric("After"),
            Column::numeric("Change"),
        ],
    );
    for c in councils {
        t = t.row(vec![
            html! { (name_of(names, c)) },
            html! { @match before.get(c) { Some(v) => (pounds(*v)), None => "Not yet a member" } },
            html! { @match after.get(c) { Some(v) => (pounds(*v)), None => "" } },
            html! {
                @match change.get(c) {
                    Some(v) => (if *v <= 0.0 { format!("{} less", pounds(-v)) } else { format!("{} more", pounds(*v)) }),
                    None => "",
                }
            },
        ]);
    }
    table(&t.row_headers())
}

// ----- the form -----

fn pair_field(a: &str, b: &str) -> String {
    format!("penalty_{a}_{b}")
}

fn body_data(b: &AllocationBody, visibility: Visibility) -> FormData {
    let mut pairs: Vec<(String, String)> = vec![
        ("title".into(), b.title.clone()),
        (
            "business_case_record_id".into(),
            b.business_case_record_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
        ),
        ("driver".into(), b.driver.slug().into()),
        (
            "illustrative".into(),
            b.illustrative.clone().unwrap_or_default(),
        ),
        ("visibility".into(), visibility.slug().into()),
    ];
    for c in &b.councils {
        pairs.push(("councils".into(), c.clone()));
    }
    for c in &b.joining {
        pairs.push(("joining".into(), c.clone()));
    }
    match (&b.model, &b.cost) {
        (Some(m), _) => {
            pairs.push(("source".into(), "model".into()));
            for (c, v) in &m.standalone {
                pairs.push((format!("standalone_{c}"), pounds_text(*v)));
            }
            pairs.push(("shared_fixed_cost".into(), pounds_text(m.shared_fixed_cost)));
            pairs.push((
                "economies_of_scale".into(),
                percent_text(m.economies_of_scale),
            ));
            for pen in &m.incompatibility {
                pairs.push((
                    pair_field(&pen.between[0], &pen.between[1]),
                    pounds_text(pen.cost),
                ));
            }
        }
        (None, Some(t)) => {
            pairs.push(("source".into(), "table".into()));
            pairs.push((
                "table".into(),
                t.iter()
                    .map(|(k, v)| format!("{}: {}", k.replace('+', " + "), pounds_text(*v)))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ));
        }
        _ => {}
    }
    for (d, figures) in &b.drivers {
        for (c, v) in figures {
            pairs.push((format!("driver_{}_{c}", d.slug()), format!("{v}")));
        }
    }
    if let Some(s) = &b.split {
        for (c, v) in s {
            pairs.push((format!("split_{c}"), pounds_text(*v)));
        }
    }
    FormData::from_pairs(pairs)
}

fn from_form(
    form: &FormData,
    members: &[GssCode],
    resolve: &dyn Fn(&str) -> Option<GssCode>,
    old: Option<&AllocationBody>,
) -> Result<(AllocationBody, Visibility), Invalid> {
    let mut invalid = Invalid::new();
    let title = form.get("title").trim().to_owned();
    if title.is_empty() {
        invalid.push(
            "title",
            "Enter what is being split, such as “Payroll running costs over ten years”",
        );
    }
    let chosen: Vec<String> = form
        .all("councils")
        .iter()
        .map(|s| s.trim().to_owned())
        .collect();
    for c in &chosen {
        if !GssCode::parse("councils", c)
            .ok()
            .is_some_and(|g| members.contains(&g))
        {
            invalid.push(
                "councils",
                format!("“{c}” is not a member council of this partnership"),
            );
        }
    }
    let councils: Vec<String> = members
        .iter()
        .map(ToString::to_string)
        .filter(|m| chosen.contains(m))
        .collect();
    if councils.len() < 2 {
        invalid.push("councils", "Choose at least two councils");
    }
    let joining: Vec<String> = form
        .all("joining")
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|j| councils.contains(j))
        .collect();
    // Those joining later come last, so the earlier councils' game is the first players'.
    let mut ordered: Vec<String> = councils
        .iter()
        .filter(|c| !joining.contains(c))
        .cloned()
        .collect();
    ordered.extend(joining.iter().cloned());
    let (cost, model) = match form.get("source") {
        "table" => {
            let mut table = BTreeMap::new();
            for (n, line) in form
                .get("table")
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let Some((who, amount)) = line.rsplit_once([':', '=']) else {
                    invalid.push(
                        "table",
                        format!(
                            "Line {}: write the councils joined by +, a colon, then the cost",
                            n + 1
                        ),
                    );
                    continue;
                };
                let mut key = Vec::new();
                for name in who.split('+').map(str::trim) {
                    match resolve(name)
                        .map(|c| c.to_string())
                        .filter(|c| ordered.contains(c))
                    {
                        Some(c) => key.push(c),
                        None => invalid.push(
                            "table",
                            format!("Line {}: “{name}” is not one of the councils chosen", n + 1),
                        ),
                    }
                }
                match accord_domain::Money::parse("table", amount.trim()) {
                    Ok(m) => {
                        table.insert(key.join("+"), m.pounds_f64());
                    }
                    Err(_) => invalid.push(
                        "table",
                        format!(
                            "Line {}: “{}” is not an amount of money",
                            n + 1,
                            amount.trim()
                        ),
                    ),
                }
            }
            if table.is_empty() {
                invalid.push("table", "Enter each group’s cost, one group a line");
            }
            (Some(table), None)
        }
        "model" => {
            let mut standalone = BTreeMap::new();
            for c in &ordered {
                let field = format!("standalone_{c}");
                match pounds_field(form, &field, &mut invalid) {
                    Some(v) => {
                        standalone.insert(c.clone(), v);
                    }
                    None if form.get(&field).trim().is_empty() => invalid.push(
                        field,
                        "Enter what the council would pay to run the service alone",
                    ),
                    None => {}
                }
            }
            let shared_fixed_cost =
                pounds_field(form, "shared_fixed_cost", &mut invalid).unwrap_or(0.0);
            let economies_of_scale =
                percent_field(form, "economies_of_scale", &mut invalid).unwrap_or(0.0);
            let mut incompatibility = Vec::new();
            for (i, a) in ordered.iter().enumerate() {
                for b in &ordered[i + 1..] {
                    let (x, y) = if a < b { (a, b) } else { (b, a) };
                    if let Some(cost) = pounds_field(form, &pair_field(x, y), &mut invalid) {
                        incompatibility.push(Penalty {
                            between: [x.clone(), y.clone()],
                            cost,
                        });
                    }
                }
            }
            (
                None,
                Some(ModelInput {
                    standalone,
                    shared_fixed_cost,
                    economies_of_scale,
                    incompatibility,
                }),
            )
        }
        _ => {
            invalid.push("source", "Choose where the groups’ costs come from");
            (None, None)
        }
    };
    let driver = invalid.check(Driver::parse("driver", form.get("driver")));
    let mut drivers: BTreeMap<Driver, BTreeMap<String, f64>> = BTreeMap::new();
    for d in Driver::ALL {
        for c in &ordered {
            let field = format!("driver_{}_{c}", d.slug());
            if let Some(v) = number_field(form, &field, &mut invalid) {
                if v < 0.0 {
                    invalid.push(field, "Enter a figure, zero or more");
                } else {
                    drivers.entry(d).or_default().insert(c.clone(), v);
                }
            }
        }
    }
    let mut split = BTreeMap::new();
    for c in &ordered {
        if let Some(v) = pounds_field(form, &format!("split_{c}"), &mut invalid) {
            split.insert(c.clone(), v);
        }
    }
    let split = if split.is_empty() {
        None
    } else {
        if split.len() != ordered.len() {
            invalid.push(
                "split",
                "Give every council’s share of a proposed split, or none",
            );
        }
        Some(split)
    };
    let business_case_record_id = form
        .get("business_case_record_id")
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0);
    let visibility = visibility_from(form, &mut invalid);
    invalid.into_result()?;
    Ok((
        AllocationBody {
            title,
            business_case_record_id,
            councils: ordered,
            joining,
            cost,
            model,
            driver: driver.unwrap_or(Driver::Population),
            drivers,
            split,
            illustrative: Some(form.get("illustrative").trim().to_owned())
                .filter(|s| !s.is_empty()),
            source: old.and_then(|o| o.source.clone()),
            driver_used: None,
            result: None,
        },
        visibility.unwrap_or_default(),
    ))
}

/// Shows the engine's refusals on the form's fields, naming councils by name.
fn for_form(e: Invalid, names: &HashMap<String, String>) -> Invalid {
    let mut out = Invalid::new();
    for err in e.errors {
        let field = match err.field.as_str() {
            f if f.starts_with("cost") => "table".to_owned(),
            f if f.starts_with("model.standalone.") => {
                format!("standalone_{}", &f["model.standalone.".len()..])
            }
            "model.standalone" => "source".to_owned(),
            "model.shared_fixed_cost" => "shared_fixed_cost".to_owned(),
            "model.economies_of_scale" => "economies_of_scale".to_owned(),
            f if f.starts_with("model.incompatibility") => "source".to_owned(),
            f if f.starts_with("councils") || f.starts_with("players") => "councils".to_owned(),
            f if f.starts_with("joining") => "joining".to_owned(),
            f if f.starts_with("split") => "split".to_owned(),
            f if f.starts_with("driver") => "driver".to_owned(),
            other => other.to_owned(),
        };
        let mut message = err.message;
        for (code, name) in names {
            message = message.replace(code.as_str(), name);
        }
        out.push(field, message);
    }
    out
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    ctx: &Context,
    entry: Option<&AllocationEntry>,
    data: &FormData,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    let p = &ctx.partnership;
    let id = p.id;
    let members = &ctx.members;
    let labels: Vec<(String, String)> = members
        .iter()
        .map(|m| (m.to_string(), ctx.name_of(m.as_str()).to_owned()))
        .collect();
    let choices: Vec<Choice> = labels.iter().map(|(v, t)| Choice::new(v, t)).collect();
    let cases =
        accord_app::finance::business_cases::choices(&state.app, &viewer.caller(), id).await?;
    let mut case_options = vec![("".to_owned(), "None".to_owned())];
    case_options.extend(cases.iter().map(|(record_id, reference, name)| {
        (record_id.to_string(), format!("{reference}: {name}"))
    }));
    let case_choices: Vec<Choice> = case_options
        .iter()
        .map(|(v, t)| Choice::new(v, t))
        .collect();
    let sources = [
        Choice::new(
            "model",
            "The coalition model: standalone costs, a shared fixed cost, economies of scale and IT penalties",
        ),
        Choice::new("table", "A table of every group’s cost"),
    ];
    let drivers: Vec<Choice> = Driver::ALL
        .iter()
        .map(|d| Choice::new(d.slug(), d.label()))
        .collect();
    let mut held: HashMap<(Driver, String), Option<f64>> = HashMap::new();
    for m in members {
        for d in [Driver::Population, Driver::Budget] {
            let figure = api::held(&state.app, m.as_str(), d).await?.map(|(v, _)| v);
            held.insert((d, m.to_string()), figure);
        }
    }
    let (title, action) = match entry {
        Some(e) => (
            "Change an allocation",
            format!("{}/{}/edit", base(id), e.reference),
        ),
        None => ("Compare ways of splitting a cost", base(id)),
    };
    let content = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (p.name) }
        h1 class="govuk-heading-xl" { (title) }
        (form(&action, &viewer.csrf, html! {
            @if let Some(e) = entry { (version_field(data.get("version").parse().unwrap_or(e.version))) }
            (text_input(&Field::new("title", "What is being split").hint("For example, “Transactional services: running costs over ten years”").value(data.get("title")).errors(errors)))
            (select(&Field::new("business_case_record_id", "The business case the costs come from (optional)").value(data.get("business_case_record_id")).errors(errors), &case_choices))
            (checkboxes(&Field::new("councils", "Councils").errors(errors), &choices, &data.all("councils")))
            (checkboxes(&Field::new("joining", "Councils joining later (optional)").hint("Each method is also worked out without them, to show what changes when they join").errors(errors), &choices, &data.all("joining")))
            (radios(&Field::new("source", "Where the groups’ costs come from").value(data.get("source")).errors(errors), &sources))
            fieldset class="govuk-fieldset" {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "The coalition model" }
                @for (code, name) in &labels {
                    @let f = format!("standalone_{code}");
                    (text_input(&Field::new(&f, &format!("{name}: cost of running the service alone (£)")).value(data.get(&f)).errors(errors).width(InputWidth::Chars10)))
                }
                (text_input(&Field::new("shared_fixed_cost", "Shared fixed cost of any joint arrangement (£)").hint("A programme team, governance, a shared platform").value(data.get("shared_fixed_cost")).errors(errors).width(InputWidth::Chars10)))
                (text_input(&Field::new("economies_of_scale", "Economies of scale (%)").hint("The share of their combined running cost a very large partnership would save; a pair saves half of it").value(data.get("economies_of_scale")).errors(errors).numeric().width(InputWidth::Chars5)))
                @for (i, (a, an)) in labels.iter().enumerate() {
                    @for (b, bn) in &labels[i + 1..] {
                        @let (x, y) = if a < b { (a, b) } else { (b, a) };
                        @let f = pair_field(x, y);
                        (text_input(&Field::new(&f, &format!("IT-incompatibility penalty between {an} and {bn} (£, optional)")).value(data.get(&f)).errors(errors).width(InputWidth::Chars10)))
                    }
                }
            }
            (textarea(&Field::new("table", "Or: every group’s cost").hint("One group a line: the councils joined by +, a colon, then the cost, like “Cambridgeshire + Slough: £420,000”. Every group needs a line.").value(data.get("table")).errors(errors).rows(8)))
            (radios(&Field::new("driver", "Proportional shares follow").value(data.get("driver")).errors(errors), &drivers))
            fieldset class="govuk-fieldset" {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "Driver figures" }
                div class="govuk-hint" { "Accord holds population and budgets where they were imported; transactions and headcount are not held. A figure left blank that Accord does not hold is not stated." }
                @for d in Driver::ALL {
                    @for (code, name) in &labels {
                        @let f = format!("driver_{}_{code}", d.slug());
                        @let hint = match held.get(&(d, code.clone())) {
                            Some(Some(v)) => format!("Accord holds {}; leave blank to use it", accord_domain::money::group_thousands(v.round().max(0.0) as u64)),
                            Some(None) => format!("Accord does not hold it ({}): enter it", accord_domain::seed::NOT_STATED),
                            None => format!("Not held in Accord ({}): enter it", accord_domain::seed::NOT_STATED),
                        };
                        @let label = format!("{name}: {}", d.label().to_lowercase());
                        (text_input(&Field::new(&f, &label).hint(&hint).value(data.get(&f)).errors(errors).numeric().width(InputWidth::Chars10)))
                    }
                }
            }
            fieldset class="govuk-fieldset" {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "A proposed split to check (optional)" }
                @if let Some(m) = errors.message_for("split") { (crate::components::error_message("split-error", m)) }
                @for (code, name) in &labels {
                    @let f = format!("split_{code}");
                    (text_input(&Field::new(&f, &format!("{name} pays (£)")).value(data.get(&f)).errors(errors).width(InputWidth::Chars10)))
                }
            }
            (textarea(&Field::new("illustrative", "What is illustrative (optional)").hint("Say which figures are not from a source").value(data.get("illustrative")).errors(errors).rows(3)))
            (visibility_field(data.get("visibility"), errors))
            (button("Compare the methods", ButtonKind::Primary))
        }))
    };
    Ok(render(
        state,
        viewer,
        Page::new(title).with_errors(errors).back_link(base(id)),
        content,
    ))
}

/// `GET /partnerships/{id}/allocations/new`.
pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Markup, WebError> {
    let ctx = context(&state, &viewer, id).await?;
    let mut pairs: Vec<(String, String)> = vec![
        ("source".into(), "model".into()),
        ("driver".into(), "population".into()),
        ("visibility".into(), "council".into()),
        ("economies_of_scale".into(), "0".into()),
    ];
    pairs.extend(
        ctx.members
            .iter()
            .map(|m| ("councils".to_owned(), m.to_string())),
    );
    form_page(
        &state,
        &viewer,
        &ctx,
        None,
        &FormData::from_pairs(pairs),
        &Invalid::new(),
    )
    .await
}

/// How the use case's refusal is shown on the form.
fn shown_refusal(
    e: AppError,
    names: &HashMap<String, String>,
) -> Result<(StatusCode, Invalid), WebError> {
    let (status, invalid) = refusal(e)?;
    Ok((status, for_form(invalid, names)))
}

/// `POST /partnerships/{id}/allocations`.
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    data: FormData,
) -> Result<Response, WebError> {
    let ctx = context(&state, &viewer, id).await?;
    let resolve = accord_app::finance::council_resolver(&state.app, &ctx.members).await?;
    let (status, errors) = match from_form(&data, &ctx.members, &resolve, None) {
        Ok((body, visibility)) => {
            match api::create(
                &state.app,
                &viewer.caller(),
                id,
                AllocationCommand { body, visibility },
            )
            .await
            {
                Ok(entry) => {
                    return Ok(
                        Redirect::to(&format!("{}/{}", base(id), entry.reference)).into_response()
                    );
                }
                Err(e) => shown_refusal(e, &ctx.names)?,
            }
        }
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    Ok(with_status(
        status,
        form_page(&state, &viewer, &ctx, None, &data, &errors).await?,
    ))
}

fn entry_data(entry: &AllocationEntry) -> FormData {
    let mut data = body_data(&entry.value, entry.visibility);
    data.set("version", &entry.version.to_string());
    data
}

/// `GET /partnerships/{id}/allocations/{reference}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
) -> Result<Markup, WebError> {
    let entry = load(&state, &viewer, id, record.reference).await?;
    let ctx = context(&state, &viewer, id).await?;
    form_page(
        &state,
        &viewer,
        &ctx,
        Some(&entry),
        &entry_data(&entry),
        &Invalid::new(),
    )
    .await
}

/// `POST /partnerships/{id}/allocations/{reference}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    data: FormData,
) -> Result<Response, WebError> {
    let entry = load(&state, &viewer, id, record.reference).await?;
    let ctx = context(&state, &viewer, id).await?;
    let resolve = accord_app::finance::council_resolver(&state.app, &ctx.members).await?;
    let (status, errors) = match (
        from_form(&data, &ctx.members, &resolve, Some(&entry.value)),
        form_version(&data),
    ) {
        (Ok((body, visibility)), Ok(version)) => {
            let command = AllocationCommand { body, visibility };
            match api::change(
                &state.app,
                &viewer.caller(),
                id,
                &entry.reference,
                command,
                version,
            )
            .await
            {
                Ok(saved) => {
                    return Ok(
                        Redirect::to(&format!("{}/{}", base(id), saved.reference)).into_response()
                    );
                }
                Err(e) => shown_refusal(e, &ctx.names)?,
            }
        }
        (Err(e), _) | (_, Err(e)) => (StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    // A conflict shows the allocation as it is now, to change again.
    let shown = if status == StatusCode::CONFLICT {
        entry_data(&entry)
    } else {
        data
    };
    Ok(with_status(
        status,
        form_page(&state, &viewer, &ctx, Some(&entry), &shown, &errors).await?,
    ))
}

/// `POST /partnerships/{id}/allocations/{reference}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, _)): Path<(i64, String)>,
    GuardedRecord(record): GuardedRecord,
    data: FormData,
) -> Result<Response, WebError> {
    super::confirmed(&data)?;
    let entry = load(&state, &viewer, id, record.reference).await?;
    let result = match form_version(&data) {
        Ok(version) => {
            api::delete(&state.app, &viewer.caller(), id, &entry.reference, version).await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&base(id)).into_response()),
        Err(e) => {
            let (status, errors) = refusal(e)?;
            let ctx = context(&state, &viewer, id).await?;
            Ok(with_status(
                status,
                allocation_page(&state, &viewer, &ctx, &entry, &errors).await?,
            ))
        }
    }
}
