//! Monte Carlo simulation of a net present value.
//!
//! # The model
//!
//! A [`Model`] is a sum of terms, each an uncertain amount times a weight:
//! `NPV = constant + Σ amount_k × weight_k`. A weight is either a fixed present-value
//! factor (a cost line: minus its discounted years and its optimism-bias uplift) or a
//! function of a go-live delay: the present value of the line's yearly profile shifted later
//! by the delay. The engine precomputes that present value for every whole-year shift, so a
//! term costs O(1) per iteration whatever the appraisal period. A fractional delay
//! `d = k + f` blends the shifts `k` and `k + 1` linearly: `(1 − f)·PV(k) + f·PV(k + 1)`,
//! which is the same as moving the fraction `f` of each year's amount into the next year.
//! Several terms may share one delay (one go-live for a project's savings lines).
//!
//! # Sampling
//!
//! The model is compiled into passes over a chunk of iterations, one per uncertain input,
//! eight iterations at a time in vector registers (see the `kernel` module): triangular
//! draws by their closed-form inverse CDF, PERT draws from the distribution's quantile
//! table, and a delayed term's weight from its table of whole-year shifts, exactly as above.
//! Each term's draw-dependent part is computed in single precision and added to a
//! double-precision NPV; the rounding error of an iteration's NPV is about 10⁻⁷ of the sum of
//! the terms' spreads, far below the histogram's resolution and Monte Carlo noise. Uniforms
//! have 24-bit resolution (steps of 6×10⁻⁸).
//!
//! # Reproducibility
//!
//! Iterations are processed in chunks of [`CHUNK_SIZE`]. Chunk `c` draws from its own random
//! stream derived from the seed and `c`, and per-chunk sums are merged in chunk order, so
//! the same seed gives bit-identical results whatever the number of threads. Each worker
//! thread takes the next chunk as soon as it is free, so the work splits evenly over the
//! cores. Convergence is checked between rounds of [`ROUND_CHUNKS`] chunks, so where a run
//! stops does not depend on the thread count either.
//!
//! # Memory and accuracy
//!
//! Memory does not grow with the number of iterations: each worker keeps one chunk's buffers
//! and one histogram, and per-chunk sums are merged round by round. Mean, standard
//! deviation, minimum, maximum and P(NPV > 0) are exact for the draws made (per-chunk
//! two-pass sums merged with Chan's formula). Percentiles come from a histogram of
//! [`HISTOGRAM_BINS`] bins spanning the model's exact bounds (every amount at its low or high
//! end, every delay at its worst), with linear interpolation inside a bin: a percentile is
//! within one bin width, `(upper bound − lower bound) / 65,536`, of the exact sample
//! percentile, and is clamped to the observed minimum and maximum.
//!
//! # Tornado
//!
//! The tornado is one-at-a-time: for each uncertain input, the NPV with that input at its
//! 10th and at its 90th percentile and every other input at its most likely value. Bars are
//! sorted by swing, largest first.

mod kernel;

use crate::distribution::Distribution;
use accord_domain::Invalid;
use kernel::{Program, SHIFT_WINDOW, Scratch};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};

/// Iterations per chunk: the unit of parallel work and of random streams.
pub const CHUNK_SIZE: usize = 4096;
/// Chunks per round when the run may stop at convergence.
pub const ROUND_CHUNKS: usize = 16;
/// Chunks per round otherwise: per-chunk sums are merged every round, so memory stays flat.
const LONG_ROUND_CHUNKS: u64 = 1024;
/// Bins of the percentile histogram.
pub const HISTOGRAM_BINS: usize = 1 << 16;
/// Points of the S-curve (cumulative distribution), from P0 to P100.
pub const S_CURVE_POINTS: usize = 101;

/// How a term's weight is found.
#[derive(Debug, Clone, PartialEq)]
pub enum Weight {
    /// A fixed factor (present value, sign and uplifts included).
    Fixed(f64),
    /// A factor that depends on a go-live delay in years.
    Delayed {
        /// Which of the model's delays applies.
        delay: usize,
        /// Years of delay always added (optimism bias on durations, a start part-way
        /// through a year).
        fixed_delay: f64,
        /// `by_shift[k]` is the factor when the line starts `k` whole years late; shifts
        /// past the end use the last entry.
        by_shift: Vec<f64>,
    },
}

impl Weight {
    /// The factor for a sampled delay (ignored by fixed weights).
    #[inline]
    pub fn at(&self, sampled_delay: f64) -> f64 {
        match self {
            Weight::Fixed(w) => *w,
            Weight::Delayed {
                fixed_delay,
                by_shift,
                ..
            } => interpolate(by_shift, fixed_delay + sampled_delay),
        }
    }

    fn bounds(&self, delays: &[Delay]) -> (f64, f64) {
        match self {
            Weight::Fixed(w) => (*w, *w),
            Weight::Delayed {
                delay,
                fixed_delay,
                by_shift,
            } => {
                let d = &delays[*delay].distribution;
                let (from, to) = (fixed_delay + d.low(), fixed_delay + d.high());
                // The weight is piecewise linear in the delay, so its extremes are at the
                // ends or at whole-year knots in between.
                let mut lo = interpolate(by_shift, from).min(interpolate(by_shift, to));
                let mut hi = interpolate(by_shift, from).max(interpolate(by_shift, to));
                for (k, w) in by_shift.iter().enumerate() {
                    #[allow(clippy::cast_precision_loss)]
                    let year = k as f64;
                    if year > from && year < to {
                        lo = lo.min(*w);
                        hi = hi.max(*w);
                    }
                }
                (lo, hi)
            }
        }
    }
}

#[inline]
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]
fn interpolate(by_shift: &[f64], delay: f64) -> f64 {
    let last = by_shift.len().saturating_sub(1);
    if last == 0 {
        return by_shift.first().copied().unwrap_or(0.0);
    }
    let d = delay.clamp(0.0, last as f64);
    let k = (d as usize).min(last - 1);
    let f = d - k as f64;
    by_shift[k] + f * (by_shift[k + 1] - by_shift[k])
}

/// One term of the model: an amount times a weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// What the term is, for the tornado (e.g. "Share: HR savings").
    pub name: String,
    /// The uncertain amount.
    pub amount: Distribution,
    /// The factor the amount is multiplied by.
    pub weight: Weight,
}

/// A go-live delay in years, shared by the terms that refer to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delay {
    /// What the delay is, for the tornado.
    pub name: String,
    /// Its distribution (years; never negative).
    pub distribution: Distribution,
}

/// A linear NPV model to simulate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    /// A fixed part of the NPV.
    pub constant: f64,
    /// The terms.
    pub terms: Vec<Term>,
    /// The delays that terms refer to.
    pub delays: Vec<Delay>,
}

impl Model {
    /// The NPV when each amount and each delay takes the value given by `amount_at` and
    /// `delay_at` (called with the term or delay index and its distribution).
    pub fn evaluate(
        &self,
        amount_at: impl Fn(usize, &Distribution) -> f64,
        delay_at: impl Fn(usize, &Distribution) -> f64,
    ) -> f64 {
        let delays: Vec<f64> = self
            .delays
            .iter()
            .enumerate()
            .map(|(i, d)| delay_at(i, &d.distribution))
            .collect();
        self.constant
            + self
                .terms
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let d = match t.weight {
                        Weight::Delayed { delay, .. } => delays[delay],
                        Weight::Fixed(_) => 0.0,
                    };
                    amount_at(i, &t.amount) * t.weight.at(d)
                })
                .sum::<f64>()
    }

    /// The NPV with every input at its most likely value.
    pub fn most_likely(&self) -> f64 {
        self.evaluate(|_, d| d.mode(), |_, d| d.mode())
    }

    /// Whether any input is uncertain.
    pub fn is_uncertain(&self) -> bool {
        self.terms.iter().any(|t| !t.amount.is_fixed())
            || self.delays.iter().any(|d| !d.distribution.is_fixed())
    }

    /// Lower and upper bounds of the NPV over every possible draw.
    pub fn bounds(&self) -> (f64, f64) {
        let mut lo = self.constant;
        let mut hi = self.constant;
        for t in &self.terms {
            let (w_lo, w_hi) = t.weight.bounds(&self.delays);
            let corners = [
                t.amount.low() * w_lo,
                t.amount.low() * w_hi,
                t.amount.high() * w_lo,
                t.amount.high() * w_hi,
            ];
            lo += corners.iter().copied().fold(f64::INFINITY, f64::min);
            hi += corners.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        }
        (lo, hi)
    }

    fn check(&self) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        for (i, t) in self.terms.iter().enumerate() {
            if let Weight::Delayed {
                delay, by_shift, ..
            } = &t.weight
            {
                if *delay >= self.delays.len() {
                    invalid.push(format!("terms[{i}].delay"), "refers to no delay");
                }
                if by_shift.is_empty() {
                    invalid.push(format!("terms[{i}].by_shift"), "is empty");
                }
            }
        }
        for (i, d) in self.delays.iter().enumerate() {
            if d.distribution.low() < 0.0 {
                invalid.push(format!("delays[{i}]"), "a delay cannot be negative");
            }
        }
        invalid.into_result()?;
        let mut invalid = Invalid::new();
        for t in &self.terms {
            if let Weight::Delayed {
                delay,
                fixed_delay,
                by_shift,
            } = &t.weight
            {
                let (first, _, to) =
                    kernel::shift_window(*fixed_delay, by_shift, &self.delays[*delay].distribution);
                #[allow(clippy::cast_precision_loss)]
                let span = to - first as f64;
                if span > (SHIFT_WINDOW - 1) as f64 {
                    invalid.push(
                        format!("delays[{delay}]"),
                        format!(
                            "the delay may range over {span:.0} years; at most {} are supported",
                            SHIFT_WINDOW - 1
                        ),
                    );
                }
            }
        }
        invalid.into_result()
    }

    /// The one-at-a-time tornado (see the module documentation).
    pub fn tornado(&self) -> Vec<TornadoBar> {
        let mut bars = Vec::new();
        for (i, t) in self.terms.iter().enumerate() {
            if t.amount.is_fixed() {
                continue;
            }
            let at = |u: f64| {
                self.evaluate(
                    |j, d| if j == i { d.quantile(u) } else { d.mode() },
                    |_, d| d.mode(),
                )
            };
            bars.push(TornadoBar::new(&t.name, at(0.1), at(0.9)));
        }
        for (i, delay) in self.delays.iter().enumerate() {
            if delay.distribution.is_fixed() {
                continue;
            }
            let at = |u: f64| {
                self.evaluate(
                    |_, d| d.mode(),
                    |j, d| if j == i { d.quantile(u) } else { d.mode() },
                )
            };
            bars.push(TornadoBar::new(&delay.name, at(0.1), at(0.9)));
        }
        bars.sort_by(|a, b| b.swing.total_cmp(&a.swing).then(a.input.cmp(&b.input)));
        bars
    }
}

/// One bar of a tornado chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct TornadoBar {
    /// The input that moves.
    pub input: String,
    /// NPV with the input at its 10th percentile, others at their most likely value.
    pub npv_at_p10: f64,
    /// NPV with the input at its 90th percentile, others at their most likely value.
    pub npv_at_p90: f64,
    /// `|npv_at_p90 − npv_at_p10|`.
    pub swing: f64,
}

impl TornadoBar {
    fn new(input: &str, npv_at_p10: f64, npv_at_p90: f64) -> Self {
        TornadoBar {
            input: input.to_owned(),
            npv_at_p10,
            npv_at_p90,
            swing: (npv_at_p90 - npv_at_p10).abs(),
        }
    }
}

/// When to stop early.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Convergence {
    /// Stop once the standard error of the mean NPV is at or below this many pounds.
    pub standard_error: f64,
    /// Never stop before this many iterations.
    #[serde(default = "default_min_iterations")]
    pub min_iterations: u64,
}

fn default_min_iterations() -> u64 {
    10_000
}

/// How to run a simulation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields, default)]
pub struct Settings {
    /// The most iterations to run (default 10,000).
    pub iterations: u64,
    /// The seed; the same seed gives the same results (default 1).
    pub seed: u64,
    /// Latin hypercube sampling: each input's draws are stratified within each chunk.
    pub latin_hypercube: bool,
    /// Stop early once the mean is known well enough.
    pub convergence: Option<Convergence>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            iterations: 10_000,
            seed: 1,
            latin_hypercube: false,
            convergence: None,
        }
    }
}

/// A point of the S-curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct CurvePoint {
    /// The probability that the NPV is at or below `npv`.
    pub probability: f64,
    /// The NPV.
    pub npv: f64,
}

/// What a simulation found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Summary {
    /// Iterations run.
    pub iterations: u64,
    /// Whether the run stopped because the standard error reached the target (`None` when
    /// no target was set).
    pub converged: Option<bool>,
    /// Mean NPV.
    pub mean: f64,
    /// Standard deviation of the NPV.
    pub std_dev: f64,
    /// Standard error of the mean.
    pub standard_error: f64,
    /// Smallest NPV drawn.
    pub min: f64,
    /// Largest NPV drawn.
    pub max: f64,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// The share of iterations with NPV above zero.
    pub probability_positive: f64,
    /// The cumulative distribution at each whole percent, for an S-curve chart.
    pub s_curve: Vec<CurvePoint>,
    /// The inputs that drive the spread, largest swing first.
    pub tornado: Vec<TornadoBar>,
}

/// Runs a simulation. `progress(done, total)` is called from worker threads after each
/// chunk; `total` is the most iterations the run may take.
pub fn simulate(
    model: &Model,
    settings: &Settings,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Summary, Invalid> {
    model.check()?;
    if settings.iterations == 0 {
        return Err(Invalid::field(
            "iterations",
            "must be at least 1; 10,000 is a sensible start",
        ));
    }
    if let Some(c) = settings.convergence
        && !(c.standard_error.is_finite() && c.standard_error > 0.0)
    {
        return Err(Invalid::field(
            "convergence.standard_error",
            "must be a positive number of pounds",
        ));
    }
    let plan = Plan::new(model);
    let total = settings.iterations;
    let chunk = CHUNK_SIZE as u64;
    let chunks = total.div_ceil(chunk);
    let round = if settings.convergence.is_some() {
        ROUND_CHUNKS as u64
    } else {
        LONG_ROUND_CHUNKS
    };
    let threads = u64::try_from(rayon::current_num_threads()).unwrap_or(1);
    let mut workers: Vec<Worker> = (0..threads.clamp(1, chunks))
        .map(|_| Worker::new(&plan))
        .collect();
    let done = AtomicU64::new(0);
    let mut m = Moments::EMPTY;
    let mut converged = settings.convergence.map(|_| false);
    let mut next = 0;
    while next < chunks {
        let end = (next + round).min(chunks);
        // Each worker takes the next chunk as soon as it is free; which worker runs which
        // chunk does not matter, because results are merged in chunk order below.
        let cursor = AtomicU64::new(next);
        workers.par_iter_mut().for_each(|worker| {
            loop {
                let c = cursor.fetch_add(1, Ordering::Relaxed);
                if c >= end {
                    break;
                }
                let len = usize::try_from(chunk.min(total - c * chunk)).unwrap_or(CHUNK_SIZE);
                worker.run(&plan, settings, c, len);
                let now = done.fetch_add(len as u64, Ordering::Relaxed) + len as u64;
                progress(now, total);
            }
        });
        let mut finished: Vec<(u64, Moments)> = workers
            .iter_mut()
            .flat_map(|w| w.moments.drain(..))
            .collect();
        finished.sort_by_key(|(c, _)| *c);
        for (_, chunk_moments) in &finished {
            m = m.merge(chunk_moments);
        }
        next = end;
        if let Some(target) = settings.convergence
            && m.count >= target.min_iterations
            && m.standard_error() <= target.standard_error
        {
            converged = Some(true);
            break;
        }
    }
    let mut histogram = workers
        .first_mut()
        .map(|w| std::mem::take(&mut w.histogram))
        .unwrap_or_default();
    for w in workers.iter().skip(1) {
        for (h, c) in histogram.iter_mut().zip(&w.histogram) {
            *h += c;
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let probabilities: Vec<f64> = (0..S_CURVE_POINTS)
        .map(|k| k as f64 / (S_CURVE_POINTS - 1) as f64)
        .chain([0.1, 0.5, 0.9])
        .collect();
    let npv = plan.percentiles(&histogram, &m, &probabilities);
    let s_curve = probabilities
        .iter()
        .zip(&npv)
        .take(S_CURVE_POINTS)
        .map(|(&probability, &npv)| CurvePoint { probability, npv })
        .collect();
    let (p10, p50, p90) = (
        npv[S_CURVE_POINTS],
        npv[S_CURVE_POINTS + 1],
        npv[S_CURVE_POINTS + 2],
    );
    #[allow(clippy::cast_precision_loss)]
    let probability_positive = m.positive as f64 / m.count.max(1) as f64;
    Ok(Summary {
        iterations: m.count,
        converged,
        mean: m.mean,
        std_dev: m.std_dev(),
        standard_error: m.standard_error(),
        min: m.min,
        max: m.max,
        p10,
        p50,
        p90,
        probability_positive,
        s_curve,
        tornado: model.tornado(),
    })
}

/// Count, mean and sum of squared deviations of a set of draws, with extremes.
#[derive(Debug, Clone, Copy)]
struct Moments {
    count: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
    positive: u64,
}

impl Moments {
    fn of(values: &[f64]) -> Self {
        #[allow(clippy::cast_precision_loss)]
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let m2 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        Moments {
            count: values.len() as u64,
            mean,
            m2,
            min: values.iter().copied().fold(f64::INFINITY, f64::min),
            max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            positive: values.iter().filter(|v| **v > 0.0).count() as u64,
        }
    }

    /// No draws.
    const EMPTY: Moments = Moments {
        count: 0,
        mean: 0.0,
        m2: 0.0,
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
        positive: 0,
    };

    /// Chan et al.'s pairwise merge; the engine applies it in chunk order.
    fn merge(self, m: &Moments) -> Moments {
        if m.count == 0 {
            return self;
        }
        #[allow(clippy::cast_precision_loss)]
        let (na, nb) = (self.count as f64, m.count as f64);
        let n = na + nb;
        let delta = m.mean - self.mean;
        Moments {
            count: self.count + m.count,
            mean: self.mean + delta * nb / n,
            m2: self.m2 + m.m2 + delta * delta * na * nb / n,
            min: self.min.min(m.min),
            max: self.max.max(m.max),
            positive: self.positive + m.positive,
        }
    }

    fn std_dev(&self) -> f64 {
        if self.count < 2 {
            return 0.0;
        }
        #[allow(clippy::cast_precision_loss)]
        let n = self.count as f64;
        (self.m2 / (n - 1.0)).sqrt()
    }

    fn standard_error(&self) -> f64 {
        if self.count < 2 {
            return f64::INFINITY;
        }
        #[allow(clippy::cast_precision_loss)]
        let n = self.count as f64;
        self.std_dev() / n.sqrt()
    }
}

/// One worker thread's buffers and partial results, kept for the whole run.
struct Worker {
    scratch: Scratch,
    histogram: Vec<u64>,
    moments: Vec<(u64, Moments)>,
}

impl Worker {
    fn new(plan: &Plan) -> Self {
        Worker {
            scratch: Scratch::default(),
            histogram: vec![0; if plan.spread > 0.0 { HISTOGRAM_BINS } else { 0 }],
            moments: Vec::new(),
        }
    }

    fn run(&mut self, plan: &Plan, settings: &Settings, chunk: u64, len: usize) {
        let npv = plan.program.run_chunk(
            &mut self.scratch,
            settings.seed,
            settings.latin_hypercube,
            chunk,
            len,
        );
        if plan.spread > 0.0 {
            #[allow(clippy::cast_precision_loss)]
            let scale = HISTOGRAM_BINS as f64 / plan.spread;
            let last = HISTOGRAM_BINS - 1;
            for &v in npv {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let bin = (((v - plan.lower) * scale).max(0.0) as usize).min(last);
                if let Some(h) = self.histogram.get_mut(bin) {
                    *h += 1;
                }
            }
        }
        self.moments.push((chunk, Moments::of(npv)));
    }
}

/// The model compiled for sampling, with the histogram's range.
struct Plan {
    program: Program,
    lower: f64,
    spread: f64,
}

impl Plan {
    fn new(model: &Model) -> Self {
        let (lower, upper) = model.bounds();
        Plan {
            program: Program::new(model),
            lower,
            spread: (upper - lower).max(0.0),
        }
    }

    /// The percentiles at `probabilities` (ascending), in one walk of the histogram.
    fn percentiles(&self, histogram: &[u64], m: &Moments, probabilities: &[f64]) -> Vec<f64> {
        let mut order: Vec<usize> = (0..probabilities.len()).collect();
        order.sort_by(|&a, &b| probabilities[a].total_cmp(&probabilities[b]));
        let mut out = vec![0.0; probabilities.len()];
        #[allow(clippy::cast_precision_loss)]
        let width = self.spread / HISTOGRAM_BINS as f64;
        #[allow(clippy::cast_precision_loss)]
        let count = m.count as f64;
        let mut bins = histogram.iter().enumerate();
        // The bin being read, with the count of draws below it and in it.
        let mut current: Option<(usize, f64, f64)> = None;
        let mut below = 0.0;
        for i in order {
            let q = probabilities[i];
            out[i] = if m.count == 0 {
                0.0
            } else if q <= 0.0 {
                m.min
            } else if self.spread <= 0.0 {
                m.mean
            } else if q >= 1.0 {
                m.max
            } else {
                let target = q * count;
                while !matches!(current, Some((_, b, c)) if b + c >= target) {
                    if let Some((_, b, c)) = current {
                        below = b + c;
                    }
                    match bins.next() {
                        #[allow(clippy::cast_precision_loss)]
                        Some((k, &c)) => current = Some((k, below, c as f64)),
                        None => break,
                    }
                }
                match current {
                    #[allow(clippy::cast_precision_loss)]
                    Some((k, b, c)) if c > 0.0 && b + c >= target => {
                        let x = self.lower + width * (k as f64 + (target - b) / c);
                        x.clamp(m.min, m.max)
                    }
                    _ => m.max,
                }
            };
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::Shape;

    fn single(amount: Distribution) -> Model {
        Model {
            constant: 0.0,
            terms: vec![Term {
                name: "x".into(),
                amount,
                weight: Weight::Fixed(1.0),
            }],
            delays: vec![],
        }
    }

    #[test]
    fn interpolation_blends_whole_year_shifts() {
        let by_shift = [10.0, 6.0, 1.0];
        let cases = [
            (0.0, 10.0),
            (0.25, 9.0),
            (1.0, 6.0),
            (1.5, 3.5),
            (2.0, 1.0),
            (9.0, 1.0),
        ];
        for (d, expected) in cases {
            assert!((interpolate(&by_shift, d) - expected).abs() < 1e-12, "{d}");
        }
    }

    #[test]
    fn triangular_percentiles_match_analytic_quantiles() {
        let dist = Distribution::new(100.0, 150.0, 300.0, Shape::Triangular);
        for latin_hypercube in [false, true] {
            let settings = Settings {
                iterations: 400_000,
                seed: 9,
                latin_hypercube,
                convergence: None,
            };
            let s = simulate(&single(dist.clone()), &settings, &|_, _| {}).unwrap();
            for (got, q) in [(s.p10, 0.1), (s.p50, 0.5), (s.p90, 0.9)] {
                let exact = dist.quantile(q);
                assert!(
                    (got - exact).abs() < 0.5,
                    "{latin_hypercube} q{q}: {got} vs {exact}"
                );
            }
            assert!((s.mean - dist.mean()).abs() < 0.3, "{}", s.mean);
            assert_eq!(s.iterations, 400_000);
        }
    }

    #[test]
    fn same_seed_same_bits_whatever_the_thread_count() {
        let model = Model {
            constant: -50.0,
            terms: vec![
                Term {
                    name: "a".into(),
                    amount: Distribution::new(1.0, 2.0, 5.0, Shape::Pert),
                    weight: Weight::Delayed {
                        delay: 0,
                        fixed_delay: 0.2,
                        by_shift: vec![30.0, 20.0, 10.0, 0.0],
                    },
                },
                Term {
                    name: "b".into(),
                    amount: Distribution::new(1.0, 2.0, 3.0, Shape::Triangular),
                    weight: Weight::Fixed(-3.0),
                },
            ],
            delays: vec![Delay {
                name: "slip".into(),
                distribution: Distribution::new(0.0, 0.5, 2.0, Shape::Triangular),
            }],
        };
        let settings = Settings {
            iterations: 50_000,
            seed: 3,
            ..Settings::default()
        };
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| simulate(&model, &settings, &|_, _| {}).unwrap())
        };
        let one = run(1);
        let three = run(3);
        assert_eq!(one.mean.to_bits(), three.mean.to_bits());
        assert_eq!(one.std_dev.to_bits(), three.std_dev.to_bits());
        assert_eq!(one.p50.to_bits(), three.p50.to_bits());
        assert_eq!(one, three);
        let other_seed = simulate(
            &model,
            &Settings {
                seed: 4,
                ..settings
            },
            &|_, _| {},
        )
        .unwrap();
        assert_ne!(one.mean.to_bits(), other_seed.mean.to_bits());
        // Latin hypercube draws and a stop at convergence keep the same guarantee.
        for settings in [
            Settings {
                latin_hypercube: true,
                ..settings
            },
            Settings {
                iterations: 1_000_000,
                convergence: Some(Convergence {
                    standard_error: 0.05,
                    min_iterations: 1000,
                }),
                ..settings
            },
        ] {
            let run = |threads| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| simulate(&model, &settings, &|_, _| {}).unwrap())
            };
            assert_eq!(run(1), run(3));
        }
    }

    #[test]
    fn stops_at_convergence_and_reports_progress() {
        let model = single(Distribution::new(0.0, 1.0, 2.0, Shape::Triangular));
        let settings = Settings {
            iterations: 10_000_000,
            seed: 1,
            latin_hypercube: false,
            convergence: Some(Convergence {
                standard_error: 0.001,
                min_iterations: 1000,
            }),
        };
        let last = AtomicU64::new(0);
        let s = simulate(&model, &settings, &|done, total| {
            assert_eq!(total, 10_000_000);
            last.fetch_max(done, Ordering::Relaxed);
        })
        .unwrap();
        assert_eq!(s.converged, Some(true));
        assert!(s.standard_error <= 0.001);
        assert!(s.iterations < 10_000_000);
        assert_eq!(last.load(Ordering::Relaxed), s.iterations);
    }

    #[test]
    fn tornado_ranks_the_widest_input_first() {
        let model = Model {
            constant: 0.0,
            terms: vec![
                Term {
                    name: "narrow".into(),
                    amount: Distribution::new(9.0, 10.0, 11.0, Shape::Triangular),
                    weight: Weight::Fixed(1.0),
                },
                Term {
                    name: "wide".into(),
                    amount: Distribution::new(0.0, 10.0, 20.0, Shape::Triangular),
                    weight: Weight::Fixed(-1.0),
                },
            ],
            delays: vec![],
        };
        let bars = model.tornado();
        assert_eq!(bars[0].input, "wide");
        assert!(bars[0].npv_at_p10 > bars[0].npv_at_p90);
        assert!((bars[1].swing - (2.0 - 2.0 * 0.2_f64.sqrt())).abs() < 1e-9);
    }

    #[test]
    fn refuses_a_delay_spanning_more_years_than_the_shift_table() {
        let model = Model {
            constant: 0.0,
            terms: vec![Term {
                name: "s".into(),
                amount: Distribution::Fixed(1.0),
                weight: Weight::Delayed {
                    delay: 0,
                    fixed_delay: 0.0,
                    by_shift: (0..400).map(f64::from).collect(),
                },
            }],
            delays: vec![Delay {
                name: "slip".into(),
                distribution: Distribution::new(0.0, 1.0, 300.0, Shape::Triangular),
            }],
        };
        let err = simulate(&model, &Settings::default(), &|_, _| {}).unwrap_err();
        assert_eq!(err.errors[0].field, "delays[0]");
        // The same delay over a 200-year appraisal is clamped to the table and accepted.
        let mut short = model.clone();
        short.terms[0].weight = Weight::Delayed {
            delay: 0,
            fixed_delay: 0.0,
            by_shift: (0..203).map(f64::from).collect(),
        };
        assert!(simulate(&short, &Settings::default(), &|_, _| {}).is_ok());
    }

    #[test]
    fn deterministic_model_has_no_spread() {
        let s = simulate(
            &single(Distribution::Fixed(5.0)),
            &Settings::default(),
            &|_, _| {},
        )
        .unwrap();
        assert_eq!(
            (s.p10, s.p50, s.p90, s.min, s.max),
            (5.0, 5.0, 5.0, 5.0, 5.0)
        );
        assert!((s.probability_positive - 1.0).abs() < f64::EPSILON);
        assert!(
            simulate(
                &single(Distribution::Fixed(5.0)),
                &Settings {
                    iterations: 0,
                    ..Settings::default()
                },
                &|_, _| {}
            )
            .is_err()
        );
    }
}
