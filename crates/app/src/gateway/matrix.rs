//! The RAG matrix (the Schedule 1 view): services down, criteria across, grouped by criteria
//! set (the current one first) and by phase; each cell the combined rating of a criterion;
//! the same as an SVG drawing and as CSV; and the programme ranked by gateway score.
//!
//! The matrix reads every opportunity's ratings of the partnership the caller may see, in one
//! query over the ratings, and the domain works out every assessment at once.

use std::fmt::Write as _;

use accord_domain::gateway::{CriteriaSet, Outcome, Rating};

use super::{Entry, Programme, programme};
use crate::{App, AppError, Caller, Result};

/// The opportunities assessed under one criteria set, by phase (phase order, "not stated"
/// last); each row an index into the programme's entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetGroup {
    /// The set's version.
    pub version: u32,
    /// Per phase, the rows.
    pub phases: Vec<(Option<u32>, Vec<usize>)>,
}

/// The matrix: the programme, grouped.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// The programme.
    pub programme: Programme,
    /// The groups, the current set's first, then older ones, newest first.
    pub groups: Vec<SetGroup>,
}

impl Matrix {
    /// The criteria set of a group.
    pub fn set(&self, group: &SetGroup) -> Option<&CriteriaSet> {
        self.programme.set(group.version)
    }

    /// An entry by index.
    pub fn entry(&self, index: usize) -> &Entry {
        &self.programme.entries[index]
    }

    /// Every group with its set, skipping any whose set is unknown.
    pub fn with_sets(&self) -> impl Iterator<Item = (&SetGroup, &CriteriaSet)> {
        self.groups
            .iter()
            .filter_map(|g| self.set(g).map(|s| (g, s)))
    }
}

/// Groups a programme's opportunities for the matrix.
pub fn group(programme: &Programme) -> Vec<SetGroup> {
    let current = programme.current().version();
    let mut numbers: Vec<u32> = programme.entries.iter().map(|e| e.set).collect();
    numbers.sort_unstable();
    numbers.dedup();
    // The current set first, then older ones, newest first.
    numbers.sort_by_key(|n| (*n != current, std::cmp::Reverse(*n)));
    if numbers.is_empty() {
        numbers.push(current);
    }
    numbers
        .into_iter()
        .filter(|n| programme.set(*n).is_some())
        .map(|version| {
            let mut phases: Vec<Option<u32>> = programme
                .entries
                .iter()
                .filter(|e| e.set == version)
                .map(|e| e.opportunity().phase)
                .collect();
            phases.sort_by_key(|p| (p.is_none(), *p));
            phases.dedup();
            let phases = phases
                .into_iter()
                .map(|phase| {
                    let rows = programme
                        .entries
                        .iter()
                        .enumerate()
                        .filter(|(_, e)| e.set == version && e.opportunity().phase == phase)
                        .map(|(i, _)| i)
                        .collect();
                    (phase, rows)
                })
                .collect();
            SetGroup { version, phases }
        })
        .collect()
}

/// The RAG matrix of a partnership's programme, as the caller sees it.
pub async fn matrix(app: &App, caller: &Caller, partnership_id: i64) -> Result<Matrix> {
    let programme = programme(app, caller, partnership_id).await?;
    let groups = group(&programme);
    Ok(Matrix { programme, groups })
}

/// The heading of a phase's rows.
pub fn phase_title(phase: Option<u32>) -> String {
    match phase {
        Some(n) => format!("Phase {n} services"),
        None => "Services with no phase stated".to_owned(),
    }
}

// ----- SVG -----

const CELL: u32 = 30;
const ROW: u32 = 34;
const LABEL_WIDTH: u32 = 300;
const HEADER: u32 = 190;
const GROUP: u32 = 36;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// The matrix as SVG: a square per rating with its letter, so it reads without colour. The
/// drawing's title and description summarise it; its full text alternative is the matrix's
/// tables. Rows are groups moved into place, so each square needs only its column. Drawn for
/// a page (`standalone` false), the page's stylesheet colours it; as a file, which no
/// stylesheet reaches, it carries the XML namespace and its colours and fonts as attributes.
pub fn svg(matrix: &Matrix, standalone: bool) -> String {
    let programme = &matrix.programme;
    let columns = matrix
        .with_sets()
        .map(|(_, s)| s.criteria.criteria.len())
        .max()
        .unwrap_or(0) as u32;
    let width = LABEL_WIDTH + columns * CELL + 200;
    let mut height = 10;
    for (group, _) in matrix.with_sets() {
        height += HEADER;
        for (_, rows) in &group.phases {
            height += GROUP + rows.len() as u32 * ROW;
        }
    }
    let rated = programme
        .entries
        .iter()
        .filter(|e| e.state.report().is_some())
        .count();
    let mut out = String::with_capacity(1000 + programme.entries.len() * 1200);
    let (xmlns, font, bold) = if standalone {
        (
            r#" xmlns="http://www.w3.org/2000/svg""#,
            r#" font-family="arial, sans-serif" font-size="14""#,
            r#" font-family="arial, sans-serif" font-size="14" font-weight="bold" text-anchor="middle""#,
        )
    } else {
        ("", "", "")
    };
    let _ = write!(
        out,
        r#"<svg{xmlns} class="accord-chart accord-matrix-svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="matrix-svg-title matrix-svg-desc"><title id="matrix-svg-title">RAG matrix of {}</title><desc id="matrix-svg-desc">{} opportunities, {rated} with a complete assessment: each row a service, each column a criterion, each cell the combined rating as a coloured square with its letter R, A or G; a dash where not every council has rated it.</desc>"#,
        escape(&programme.partnership.name),
        programme.entries.len(),
    );
    let mut y = 10;
    for (group, set) in matrix.with_sets() {
        let criteria = &set.criteria.criteria;
        let outcome_x = LABEL_WIDTH + criteria.len() as u32 * CELL + 10;
        // Criteria names, turned so they fit over narrow columns.
        let base_y = y + HEADER - 8;
        for (i, c) in criteria.iter().enumerate() {
            let x = LABEL_WIDTH + i as u32 * CELL + CELL / 2;
            let _ = write!(
                out,
                r#"<text x="{x}" y="{base_y}" transform="rotate(-60 {x} {base_y})"{font}>{}{}</text>"#,
                escape(&shorten(&c.name, 24)),
                if c.critical { " *" } else { "" },
            );
        }
        let _ = write!(
            out,
            r#"<text x="{outcome_x}" y="{base_y}"{font}>Outcome</text>"#
        );
        y += HEADER;
        for (phase, rows) in &group.phases {
            let _ = write!(
                out,
                r#"<text class="accord-matrix-svg__group" x="0" y="{}"{}>{}</text>"#,
                y + GROUP - 12,
                if standalone {
                    r#" font-family="arial, sans-serif" font-size="16" font-weight="bold""#
                } else {
                    ""
                },
                escape(&phase_title(*phase)),
            );
            y += GROUP;
            for &index in rows {
                let entry = matrix.entry(index);
                let _ = write!(
                    out,
                    r#"<g transform="translate(0 {y})"><text x="0" y="22"{font}>{}</text><g class="accord-matrix-svg__letters">"#,
                    escape(&shorten(&entry.opportunity().service.name, 38)),
                );
                for (i, c) in criteria.iter().enumerate() {
                    let r = entry.combined(set, &c.name);
                    let (modifier, fill, text) = match r {
                        // GOV.UK's red, orange, green and a light grey.
                        Some(Rating::Red) => ("red", "#d4351c", "#ffffff"),
                        Some(Rating::Amber) => ("amber", "#f47738", "#0b0c0c"),
                        Some(Rating::Green) => ("green", "#00703c", "#ffffff"),
                        None => ("none", "#f3f2f1", "#0b0c0c"),
                    };
                    let x = LABEL_WIDTH + i as u32 * CELL;
                    let (rect_colour, text_colour) = if standalone {
                        (
                            format!(r##" fill="{fill}" stroke="#0b0c0c""##),
                            format!(r#" fill="{text}"{bold}"#),
                        )
                    } else {
                        (String::new(), String::new())
                    };
                    let _ = write!(
                        out,
                        r#"<rect class="accord-matrix-svg__cell--{modifier}" x="{}" y="3" width="{}" height="{}"{rect_colour}/><text x="{}" y="22"{text_colour}>{}</text>"#,
                        x + 2,
                        CELL - 4,
                        ROW - 6,
                        x + CELL / 2,
                        r.map_or('–', Rating::letter),
                    );
                }
                let outcome = entry
                    .state
                    .report()
                    .map_or("not complete", |r| r.outcome.label());
                let _ = write!(
                    out,
                    r#"</g><text x="{outcome_x}" y="22"{font}>{outcome}</text></g>"#
                );
                y += ROW;
            }
        }
    }
    out.push_str("</svg>");
    out
}

/// The RAG matrix of a partnership's programme as an SVG file.
pub async fn matrix_svg(app: &App, caller: &Caller, partnership_id: i64) -> Result<String> {
    Ok(svg(&matrix(app, caller, partnership_id).await?, true))
}

// ----- CSV -----

/// A cell safe to open in a spreadsheet: text that a spreadsheet would run as a formula is
/// prefixed with an apostrophe.
fn safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The matrix as CSV: one row per opportunity, one column per criterion (R, A, G, or empty
/// where not every council has rated it); a blank line between criteria sets.
pub fn csv(matrix: &Matrix) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let most = matrix
        .with_sets()
        .map(|(_, s)| s.criteria.criteria.len())
        .max()
        .unwrap_or(0);
    for (n, (group, set)) in matrix.with_sets().enumerate() {
        if n > 0 {
            writer.write_record(std::iter::empty::<&str>())?;
        }
        let mut header: Vec<String> = [
            "phase",
            "wave",
            "service",
            "category",
            "status",
            "criteria_version",
            "outcome",
            "score",
            "rank",
            "illustrative",
            "reference",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        header.extend(set.criteria.criteria.iter().map(|c| safe(&c.name)));
        header.resize(11 + most, String::new());
        writer.write_record(&header)?;
        for (_, rows) in &group.phases {
            for &index in rows {
                let entry = matrix.entry(index);
                let o = entry.opportunity();
                let report = entry.state.report();
                let mut row = vec![
                    o.phase.map(|n| n.to_string()).unwrap_or_default(),
                    o.wave.map(|n| n.to_string()).unwrap_or_default(),
                    safe(&o.service.name),
                    o.service.category.label().to_owned(),
                    safe(&o.status.describe()),
                    set.version().to_string(),
                    report
                        .map(|r| r.outcome.slug().to_owned())
                        .unwrap_or_default(),
                    report
                        .map(|r| format!("{:.4}", r.score))
                        .unwrap_or_default(),
                    report.map(|r| r.rank.to_string()).unwrap_or_default(),
                    if entry.illustrative() { "yes" } else { "no" }.to_owned(),
                    o.reference(),
                ];
                row.extend(set.criteria.criteria.iter().map(|c| {
                    entry
                        .combined(set, &c.name)
                        .map(|r| r.letter().to_string())
                        .unwrap_or_default()
                }));
                row.resize(11 + most, String::new());
                writer.write_record(&row)?;
            }
        }
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// The RAG matrix of a partnership's programme as a CSV file.
pub async fn matrix_csv(app: &App, caller: &Caller, partnership_id: i64) -> Result<Vec<u8>> {
    let matrix = matrix(app, caller, partnership_id).await?;
    csv(&matrix).map_err(|e| AppError::Internal(e.into()))
}

// ----- the ranking -----

/// The programme ranked: per criteria set, every complete assessment by rank.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// The matrix it is drawn from.
    pub matrix: Matrix,
    /// Per set (the current first), the ranked entries' indexes, best first.
    pub sections: Vec<(u32, Vec<usize>)>,
    /// The entries whose assessment is not complete.
    pub unranked: Vec<usize>,
    /// How many complete assessments pass (with or without conditions).
    pub passes: usize,
}

/// Every complete assessment ranked by score under its criteria set, with how close each is to
/// another outcome.
pub async fn ranking(app: &App, caller: &Caller, partnership_id: i64) -> Result<Ranking> {
    let matrix = matrix(app, caller, partnership_id).await?;
    let entries = &matrix.programme.entries;
    let mut sections = Vec::new();
    for group in &matrix.groups {
        let mut ranked: Vec<usize> = (0..entries.len())
            .filter(|&i| entries[i].set == group.version && entries[i].state.report().is_some())
            .collect();
        ranked.sort_by_key(|&i| entries[i].state.report().map_or(usize::MAX, |r| r.rank));
        if !ranked.is_empty() {
            sections.push((group.version, ranked));
        }
    }
    let unranked = (0..entries.len())
        .filter(|&i| entries[i].state.report().is_none())
        .collect();
    let passes = entries
        .iter()
        .filter(|e| e.state.outcome().is_some_and(|o| o != Outcome::Fail))
        .count();
    Ok(Ranking {
        matrix,
        sections,
        unranked,
        passes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_defused() {
        let cases = [
            ("Legal Services", "Legal Services"),
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("-2", "'-2"),
        ];
        for (text, expected) in cases {
            assert_eq!(safe(text), expected);
        }
    }

    #[test]
    fn svg_text_is_escaped() {
        assert_eq!(
            escape("R&D <b>\"x\"</b>"),
            "R&amp;D &lt;b&gt;&quot;x&quot;&lt;/b&gt;"
        );
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
