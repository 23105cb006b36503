//! The Monte Carlo charts of a business case, drawn on the server as inline SVG: the S-curve
//! (how likely the NPV is to be at most each value) and the tornado (which inputs move the
//! NPV most). Each chart has a title and a description for screen readers, and the page
//! gives the same figures in a table.

use accord_analytics::monte_carlo::{CurvePoint, TornadoBar};
use maud::{Markup, html};

use crate::api::finance::pounds;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 48.0;

/// Pounds in thousands for axis labels: "£632k", "-£1.2m".
fn short_pounds(value: f64) -> String {
    let sign = if value < 0.0 { "-" } else { "" };
    let v = value.abs();
    if v >= 1_000_000.0 {
        format!("{sign}£{:.1}m", v / 1_000_000.0)
    } else if v >= 1_000.0 {
        format!("{sign}£{:.0}k", v / 1_000.0)
    } else {
        format!("{sign}£{v:.0}")
    }
}

/// Five evenly spaced ticks from `lo` to `hi`.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    (0..5)
        .map(|i| lo + (hi - lo) * f64::from(i) / 4.0)
        .collect()
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if (hi - lo).abs() < 1e-9 {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    }
}

/// The S-curve: NPV across, cumulative probability up. `id` makes the element ids unique on
/// the page.
pub fn s_curve(id: &str, option: &str, measure: &str, points: &[CurvePoint]) -> Markup {
    let (lo, hi) = range(points.iter().map(|p| p.npv).chain([0.0]));
    let x = |v: f64| LEFT + (v - lo) / (hi - lo) * (WIDTH - LEFT - RIGHT);
    let y = |p: f64| TOP + (1.0 - p) * (HEIGHT - TOP - BOTTOM);
    let line: Vec<String> = points
        .iter()
        .map(|p| format!("{:.1},{:.1}", x(p.npv), y(p.probability)))
        .collect();
    let at = |q: f64| {
        points
            .iter()
            .min_by(|a, b| {
                (a.probability - q)
                    .abs()
                    .total_cmp(&(b.probability - q).abs())
            })
            .map_or(0.0, |p| p.npv)
    };
    let below_zero = points
        .iter()
        .filter(|p| p.npv <= 0.0)
        .map(|p| p.probability)
        .fold(0.0_f64, f64::max);
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    html! {
        svg class="accord-chart" viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img"
            aria-labelledby=(format!("{title_id} {desc_id}")) {
            title id=(title_id) { "S-curve of the " (measure) " of " (option) }
            desc id=(desc_id) {
                "The chance that the " (measure) " is at most each value. Half the runs give at most "
                (pounds(at(0.5))) "; one in ten at most " (pounds(at(0.1))) "; nine in ten at most "
                (pounds(at(0.9))) ". About " (format!("{:.0}%", 100.0 * below_zero)) " of runs are at or below zero."
            }
            @for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
                line class="accord-chart__gridline" x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y(t)) y2=(y(t)) {}
                text class="accord-chart__label accord-chart__label--end" x=(LEFT - 6.0) y=(y(t) + 5.0) { (format!("{:.0}%", t * 100.0)) }
            }
            @for v in ticks(lo, hi) {
                line class="accord-chart__tick" x1=(x(v)) x2=(x(v)) y1=(HEIGHT - BOTTOM) y2=(HEIGHT - BOTTOM + 5.0) {}
                text class="accord-chart__label accord-chart__label--middle" x=(x(v)) y=(HEIGHT - BOTTOM + 22.0) { (short_pounds(v)) }
            }
            @if lo < 0.0 && hi > 0.0 {
                line class="accord-chart__axis" x1=(x(0.0)) x2=(x(0.0)) y1=(TOP) y2=(HEIGHT - BOTTOM) {}
            }
            line class="accord-chart__axis" x1=(LEFT) x2=(WIDTH - RIGHT) y1=(HEIGHT - BOTTOM) y2=(HEIGHT - BOTTOM) {}
            line class="accord-chart__axis" x1=(LEFT) x2=(LEFT) y1=(TOP) y2=(HEIGHT - BOTTOM) {}
            polyline class="accord-chart__line accord-chart__line--1" points=(line.join(" ")) {}
            text class="accord-chart__label accord-chart__label--middle" x=((LEFT + WIDTH - RIGHT) / 2.0) y=(HEIGHT - 6.0) { (measure) " (£)" }
        }
    }
}

/// The tornado: one bar per input from the NPV with that input at its P10 to the NPV at its
/// P90, the others at their most likely values; the widest first.
pub fn tornado(id: &str, option: &str, base: f64, bars: &[TornadoBar]) -> Markup {
    let shown: Vec<&TornadoBar> = bars.iter().take(12).collect();
    let (lo, hi) = range(
        shown
            .iter()
            .flat_map(|b| [b.npv_at_p10, b.npv_at_p90])
            .chain([base]),
    );
    let label_width = 200.0;
    let row = 28.0;
    #[allow(clippy::cast_precision_loss)]
    let height = TOP + BOTTOM + row * shown.len().max(1) as f64;
    let x = |v: f64| label_width + (v - lo) / (hi - lo) * (WIDTH - label_width - RIGHT);
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let truncate = |s: &str| {
        if s.chars().count() > 28 {
            format!("{}…", s.chars().take(27).collect::<String>())
        } else {
            s.to_owned()
        }
    };
    html! {
        svg class="accord-chart" viewBox=(format!("0 0 {WIDTH} {height}")) role="img"
            aria-labelledby=(format!("{title_id} {desc_id}")) {
            title id=(title_id) { "Tornado chart of what drives the NPV of " (option) }
            desc id=(desc_id) {
                "Each bar runs from the NPV with one input at its 10th percentile to the NPV with it at its 90th, the others at their most likely values. "
                @if let Some(top) = shown.first() {
                    "The input that moves the NPV most is " (top.input) ", by " (pounds(top.swing)) "."
                }
            }
            @for (i, b) in shown.iter().enumerate() {
                @let y = TOP + row * i as f64;
                @let (a, z) = (b.npv_at_p10.min(b.npv_at_p90), b.npv_at_p10.max(b.npv_at_p90));
                text class="accord-chart__label accord-chart__label--end" x=(label_width - 8.0) y=(y + 18.0) { (truncate(&b.input)) }
                rect class=(if b.npv_at_p90 >= b.npv_at_p10 { "accord-chart__bar--1" } else { "accord-chart__bar--2" })
                    x=(x(a)) y=(y + 4.0) width=((x(z) - x(a)).max(1.0)) height=(row - 8.0) {}
            }
            line class="accord-chart__axis" x1=(x(base)) x2=(x(base)) y1=(TOP) y2=(height - BOTTOM) {}
            @for v in ticks(lo, hi) {
                line class="accord-chart__tick" x1=(x(v)) x2=(x(v)) y1=(height - BOTTOM) y2=(height - BOTTOM + 5.0) {}
                text class="accord-chart__label accord-chart__label--middle" x=(x(v)) y=(height - BOTTOM + 22.0) { (short_pounds(v)) }
            }
            line class="accord-chart__axis" x1=(label_width) x2=(WIDTH - RIGHT) y1=(height - BOTTOM) y2=(height - BOTTOM) {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_carry_a_text_alternative_and_no_inline_style() {
        let points: Vec<CurvePoint> = (0..=100)
            .map(|i| CurvePoint {
                probability: f64::from(i) / 100.0,
                npv: -100_000.0 + 5_000.0 * f64::from(i),
            })
            .collect();
        let html = s_curve("c1", "Share", "financial NPV", &points).into_string();
        assert!(html.contains(r#"aria-labelledby="c1-title c1-desc""#));
        assert!(html.contains("S-curve of the financial NPV of Share"));
        assert!(html.contains("Half the runs give at most £150,000"));
        assert!(!html.contains("style="));
        let bars = vec![TornadoBar {
            input: "Share: HR saving".into(),
            npv_at_p10: 100.0,
            npv_at_p90: 900.0,
            swing: 800.0,
        }];
        let html = tornado("t1", "Share", 500.0, &bars).into_string();
        assert!(html.contains("moves the NPV most is Share: HR saving, by £800"));
        assert!(html.contains("<rect"));
        assert!(!html.contains("style="));
        assert_eq!(short_pounds(-1_250_000.0), "-£1.2m");
        assert_eq!(short_pounds(632_000.0), "£632k");
    }
}
