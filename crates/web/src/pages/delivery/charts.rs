//! The delivery charts, drawn on the server as inline SVG with classes (no inline styles, which
//! the Content-Security-Policy forbids): the risk heat map and the programme timeline (Gantt).
//! Each has a text alternative and is followed by a table of the same figures.

use accord_domain::mou::long_date;
use accord_domain::project::{Timeline, TimelineKind};
use accord_domain::raid::{HeatMap, Level, RiskBand, ScoreBasis};
use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};
use std::fmt::Write as _;

fn band_class(band: RiskBand) -> &'static str {
    match band {
        RiskBand::Low => "accord-heat__cell accord-heat__cell--low",
        RiskBand::Medium => "accord-heat__cell accord-heat__cell--medium",
        RiskBand::High => "accord-heat__cell accord-heat__cell--high",
        RiskBand::Critical => "accord-heat__cell accord-heat__cell--critical",
    }
}

fn level(n: u8) -> Level {
    Level::new("level", n).unwrap_or(Level::MIN)
}

/// The risk heat map: open risks per cell of the 5 × 5 grid, probability up, impact across,
/// each cell's band named by its class and its count written in it; then the same counts in a
/// table.
pub fn heat_map_chart(map: &HeatMap) -> Markup {
    const LEFT: u32 = 170;
    const TOP: u32 = 34;
    const CELL_W: u32 = 90;
    const CELL_H: u32 = 56;
    let basis = match map.basis {
        ScoreBasis::Residual => "residual",
        ScoreBasis::Inherent => "inherent",
    };
    let width = LEFT + CELL_W * 5 + 10;
    let height = TOP + CELL_H * 5 + 70;
    let cells: Vec<_> = map.cells().collect();
    html! {
        figure class="accord-figure" {
            svg class="accord-chart accord-heat" viewBox={ "0 0 " (width) " " (height) } role="img"
                aria-labelledby="heat-map-title heat-map-desc" xmlns="http://www.w3.org/2000/svg" {
                title id="heat-map-title" { "Risk heat map (" (basis) " scores)" }
                desc id="heat-map-desc" {
                    (map.total()) " open risks by probability and impact. The table below the chart gives every count."
                }
                @for cell in &cells {
                    @let x = LEFT + CELL_W * u32::from(cell.impact - 1);
                    @let y = TOP + CELL_H * u32::from(5 - cell.probability);
                    rect class=(band_class(cell.band)) x=(x) y=(y) width=(CELL_W) height=(CELL_H) {}
                    text class="accord-heat__count" x=(x + CELL_W / 2) y=(y + CELL_H / 2 + 7) { (cell.count) }
                }
                @for p in (1..=5u8).rev() {
                    text class="accord-chart__label accord-chart__label--end" x=(LEFT - 8)
                        y=(TOP + CELL_H * u32::from(5 - p) + CELL_H / 2 + 5) {
                        (p) " " (level(p).probability_label())
                    }
                }
                @for i in 1..=5u8 {
                    text class="accord-chart__label accord-chart__label--middle"
                        x=(LEFT + CELL_W * u32::from(i - 1) + CELL_W / 2) y=(TOP + CELL_H * 5 + 22) {
                        (i) " " (level(i).impact_label())
                    }
                }
                text class="accord-chart__label accord-chart__label--middle" x=(LEFT + CELL_W * 5 / 2) y=(TOP + CELL_H * 5 + 52) { "Impact" }
                text class="accord-chart__label accord-chart__label--end" x=(LEFT - 8) y="20" { "Probability" }
            }
            figcaption class="govuk-body-s" {
                "Cell colours show the band: green low (1–4), yellow medium (5–9), orange high (10–16), red critical (20–25)."
            }
        }
        table class="govuk-table" {
            caption class="govuk-table__caption govuk-table__caption--m" { "Open risks by probability and impact (" (basis) " scores)" }
            thead class="govuk-table__head" {
                tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Probability" }
                    @for i in 1..=5u8 {
                        th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Impact " (i) " " (level(i).impact_label()) }
                    }
                }
            }
            tbody class="govuk-table__body" {
                @for p in (1..=5u8).rev() {
                    tr class="govuk-table__row" {
                        th scope="row" class="govuk-table__header" { (p) " " (level(p).probability_label()) }
                        @for i in 1..=5u8 {
                            @let band = RiskBand::of(p * i);
                            td class="govuk-table__cell govuk-table__cell--numeric" {
                                (map.count(level(p), level(i)))
                                span class="govuk-hint accord-heat__band" { " " (band.label()) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Days from `first` to `date`, as a position across a chart of `width` pixels covering
/// `span` days.
fn x_of(first: NaiveDate, span: i64, width: i64, date: NaiveDate) -> i64 {
    (date - first).num_days() * width / span.max(1)
}

const GANTT_LABEL: i64 = 320;
const GANTT_WIDTH: i64 = 880;
const GANTT_ROW: i64 = 20;
const GANTT_TOP: i64 = 36;

/// The programme timeline: one row per stage, phase and milestone, grouped by project; a thin
/// bar for the baseline and a thicker one for the forecast (or actual), points for milestones,
/// rows beyond tolerance marked, and a line for today. Followed by a table of the same rows.
///
/// The SVG is written straight into a string: a programme of 200 projects draws thousands of
/// shapes, and this keeps the page well inside its time budget.
pub fn gantt_chart(timeline: &Timeline) -> Markup {
    let (Some(first), Some(last)) = (timeline.first, timeline.last) else {
        return html! { p class="govuk-body" { "No project has dates to draw." } };
    };
    let first = first.min(timeline.today);
    let last = last.max(timeline.today);
    // Start at the first of the month so the month ticks fall on whole months.
    let first = first.with_day(1).unwrap_or(first);
    let span = (last - first).num_days().max(1) + 1;
    let mut project_rows = 0i64;
    let mut previous: Option<i64> = None;
    for row in &timeline.rows {
        if previous != Some(row.project) {
            project_rows += 1;
            previous = Some(row.project);
        }
    }
    let rows = timeline.rows.len() as i64 + project_rows;
    let height = GANTT_TOP + rows * GANTT_ROW + 10;
    let width = GANTT_LABEL + GANTT_WIDTH + 20;
    let x = |d: NaiveDate| GANTT_LABEL + x_of(first, span, GANTT_WIDTH, d);
    let mut svg = String::with_capacity(timeline.rows.len() * 420 + 4096);
    let _ = write!(
        svg,
        r#"<svg class="accord-chart accord-gantt" viewBox="0 0 {width} {height}" role="img" aria-labelledby="gantt-title gantt-desc" xmlns="http://www.w3.org/2000/svg"><title id="gantt-title">Programme timeline: baseline against forecast</title><desc id="gantt-desc">{} rows from {} to {}; today is {}. The table below the chart gives every row.</desc>"#,
        timeline.rows.len(),
        long_date(first),
        long_date(last),
        long_date(timeline.today),
    );
    // Year and month ticks along the top.
    let mut tick = first;
    while tick <= last {
        let tx = x(tick);
        // The first tick names its year only when the next January is far enough away.
        let room = tick != first
            || NaiveDate::from_ymd_opt(tick.year() + 1, 1, 1).is_none_or(|jan| x(jan) - tx > 48);
        if tick.month() == 1 || (tick == first && room) {
            let _ = write!(
                svg,
                r#"<line class="accord-chart__gridline" x1="{tx}" y1="{}" x2="{tx}" y2="{}"></line><text class="accord-chart__label" x="{}" y="16">{}</text>"#,
                GANTT_TOP - 12,
                height,
                tx + 3,
                tick.year()
            );
        } else {
            let _ = write!(
                svg,
                r#"<line class="accord-chart__tick" x1="{tx}" y1="{}" x2="{tx}" y2="{}"></line>"#,
                GANTT_TOP - 8,
                GANTT_TOP - 2
            );
        }
        match tick.checked_add_months(chrono::Months::new(1)) {
            Some(next) => tick = next,
            None => break,
        }
    }
    let mut y = GANTT_TOP;
    let mut previous: Option<i64> = None;
    for row in &timeline.rows {
        if previous != Some(row.project) {
            previous = Some(row.project);
            let _ = write!(
                svg,
                r#"<text class="accord-chart__label accord-gantt__project" x="0" y="{}">"#,
                y + 15
            );
            escape_into(&mut svg, &truncate(&row.project_name, 40));
            svg.push_str("</text>");
            y += GANTT_ROW;
        }
        let _ = write!(
            svg,
            r#"<text class="accord-chart__label accord-gantt__item" x="12" y="{}">"#,
            y + 14
        );
        escape_into(&mut svg, &truncate(&row.label, 44));
        svg.push_str("</text>");
        let state = if row.exception {
            " accord-gantt__current--exception"
        } else if row.done {
            " accord-gantt__current--done"
        } else {
            ""
        };
        match row.kind {
            TimelineKind::Stage | TimelineKind::Phase
                if row.baseline_end > row.baseline_start || row.current_end > row.current_start =>
            {
                let (bx1, bx2) = (x(row.baseline_start), x(row.baseline_end));
                let (cx1, cx2) = (x(row.current_start), x(row.current_end));
                let _ = write!(
                    svg,
                    r#"<rect class="accord-gantt__baseline" x="{bx1}" y="{}" width="{}" height="4"></rect><rect class="accord-gantt__current{state}" x="{cx1}" y="{}" width="{}" height="9"></rect>"#,
                    y + 14,
                    (bx2 - bx1).max(2),
                    y + 3,
                    (cx2 - cx1).max(2),
                );
            }
            _ => {
                let bx = x(row.baseline_end);
                let cx = x(row.current_end);
                let my = y + 10;
                let _ = write!(
                    svg,
                    r#"<path class="accord-gantt__baseline-point" d="M{} {my}l5 -5l5 5l-5 5z"></path><path class="accord-gantt__point{state}" d="M{} {my}l6 -6l6 6l-6 6z"></path>"#,
                    bx - 5,
                    cx - 6,
                );
            }
        }
        y += GANTT_ROW;
    }
    let today = x(timeline.today);
    let _ = write!(
        svg,
        r#"<line class="accord-gantt__today" x1="{today}" y1="{}" x2="{today}" y2="{height}"></line><text class="accord-chart__label accord-gantt__today-label" x="{}" y="30">Today</text></svg>"#,
        GANTT_TOP - 6,
        today + 3
    );
    html! {
        figure class="accord-figure" {
            div class="accord-gantt-scroll" role="region" aria-label="Programme timeline chart" tabindex="0" {
                (maud::PreEscaped(svg))
            }
            figcaption class="govuk-body-s" {
                "Thin grey bars and hollow points are baselines; thick bars and filled points are the forecast or actual. "
                "Red marks a date beyond its project’s time tolerance, green one that is done. The vertical line is today."
            }
        }
    }
}

/// The timeline's rows as a table: the text alternative of the chart.
pub fn gantt_table(timeline: &Timeline) -> Markup {
    html! {
        div class="accord-table-scroll" role="region" aria-label="Programme timeline table" tabindex="0" {
            table class="govuk-table" {
                caption class="govuk-table__caption govuk-table__caption--m" { "Programme timeline" }
                thead class="govuk-table__head" {
                    tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Project" }
                        th scope="col" class="govuk-table__header" { "Stage, phase or milestone" }
                        th scope="col" class="govuk-table__header" { "Baseline" }
                        th scope="col" class="govuk-table__header" { "Forecast or actual" }
                        th scope="col" class="govuk-table__header" { "Where it stands" }
                    }
                }
                tbody class="govuk-table__body" {
                    @for row in &timeline.rows {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" { (row.project_name) }
                            th scope="row" class="govuk-table__header" { (row.label) }
                            td class="govuk-table__cell" { (row.baseline_label) }
                            td class="govuk-table__cell" { (row.date_label) }
                            td class="govuk-table__cell" {
                                (row.words)
                                @if row.exception { strong class="accord-gantt__flag" { " Beyond tolerance" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn truncate(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(chars.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Writes text escaped for XML into `out`.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_domain::project::TimelineRow;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_gantt_escapes_names_and_draws_a_today_line() {
        let row = TimelineRow {
            project: 1,
            project_name: "Legal <& Democratic>".into(),
            label: "Phase \"2\"".into(),
            kind: TimelineKind::Phase,
            baseline_start: d(2011, 7, 1),
            baseline_end: d(2011, 9, 1),
            current_start: d(2011, 9, 1),
            current_end: d(2011, 11, 1),
            done: false,
            date_label: "Sep 2011".into(),
            baseline_label: "Jul 2011".into(),
            words: "Phase 2 likely to slip from Jul to Sep 2011".into(),
            exception: true,
        };
        let timeline = Timeline {
            today: d(2011, 7, 21),
            first: Some(d(2011, 7, 1)),
            last: Some(d(2011, 11, 1)),
            rows: vec![row],
        };
        let svg = gantt_chart(&timeline).into_string();
        assert!(svg.contains("Legal &lt;&amp; Democratic&gt;"));
        assert!(svg.contains("Phase &quot;2&quot;"));
        assert!(svg.contains("accord-gantt__today"));
        assert!(svg.contains("accord-gantt__current--exception"));
        assert!(!svg.contains("style="));
        let table = gantt_table(&timeline).into_string();
        assert!(table.contains("Beyond tolerance"));
    }
}
