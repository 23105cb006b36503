//! The sampling kernel: a [`Model`] compiled into passes over a chunk of iterations.
//!
//! # Layout
//!
//! A chunk's NPVs live in one `f64` buffer (structure of arrays, 32 KiB for 4,096
//! iterations). Each uncertain input makes one pass over the chunk, eight iterations at a time
//! in vector registers: draw eight uniforms, turn them into eight standardised values, add
//! eight contributions. A go-live delay shared by several terms is drawn once into a second
//! buffer that its terms read.
//!
//! # Deviations in single precision
//!
//! Each term's contribution is split into a fixed part, summed once in `f64` into the
//! program's constant, and a deviation that depends on the draw. For an amount
//! `a = low + range·z` (z in `[0, 1]`) with a fixed weight `w` the deviation is
//! `w·range·z`; with a delayed weight `W(d) = W_ref + ΔW(d)`, where `W_ref` is the weight at
//! the smallest possible delay, it is `low·ΔW + range·W_ref·z + range·z·ΔW`. Deviations are
//! computed in `f32` and added to the `f64` buffer. Every `f32` quantity is bounded by the
//! term's own spread, never by its size, so the rounding error of an iteration's NPV is about
//! 10⁻⁷ of the sum of the terms' spreads: well under the percentile histogram's bin width
//! (1.5×10⁻⁵ of the same sum) and far under Monte Carlo noise.
//!
//! # Draws
//!
//! Each uniform is a 32-bit word of which the top 24 bits are used: `u = (w >> 8)·2⁻²⁴`
//! (steps of 6×10⁻⁸). A PERT table lookup takes its interval from the top 12 bits and the
//! position inside it from the next 12, so no float-to-integer conversion is needed. The
//! triangular inverse CDF is branch-free (both halves share one square root) so that eight
//! lanes go through it together.
//!
//! # Delayed weights
//!
//! A delayed term's weight is piecewise linear in the delay, with kinks at whole years. When
//! the delay can cross at most four whole years (the usual go-live slippage of a year or
//! two) it is computed in closed form as a sum of hinges, `s₀·(x − x₀) + Σⱼ Δsⱼ·max(x − j, 0)`,
//! with no memory lookups. Otherwise the whole-year shift below the delay is found by
//! rounding in the floating-point unit (adding `1.5·2²³`) and the weight is read from a
//! per-term table of (value, slope) pairs. Both give the interpolation between whole-year
//! shifts described in [`super`], exactly up to single-precision rounding.

use super::{Model, Weight};
use crate::distribution::{Distribution, PERT_TABLE_INTERVALS};
use crate::rng::Streams;
use wide::{CmpLt, f32x8, f64x4, i32x8, u32x8};

/// Iterations handled together in vector registers.
pub(super) const BLOCK: usize = 8;

/// Entries of a delayed term's table of whole-year shifts: the delay may span at most
/// `SHIFT_WINDOW − 1` years.
pub(super) const SHIFT_WINDOW: usize = 256;

/// A PERT table lookup reads its interval from 12 bits of the uniform word.
const TABLE_BITS: u32 = 12;
const _: () = assert!(PERT_TABLE_INTERVALS == 1 << TABLE_BITS);

/// `2⁻²⁴`: the step of the uniforms.
const UNIT: f32 = 1.0 / 16_777_216.0;

/// Adding this to a number in `[−0.5, 2²²)` rounds it to a whole number held in the low bits
/// of the sum's mantissa.
const ROUNDER: f32 = 12_582_912.0;

/// An uncertain input's inverse CDF on the standard range `[0, 1]`.
#[derive(Debug, Clone)]
enum Sampler {
    /// Triangular with its peak at `split` (the mode's place in the range).
    Triangular { split: f32 },
    /// PERT: the standard quantile table.
    Pert {
        table: Box<[f32; PERT_TABLE_INTERVALS + 1]>,
    },
}

impl Sampler {
    /// The sampler of a distribution with a spread, with its `(low, range)`.
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    fn of(distribution: &Distribution) -> Option<(Sampler, f64, f64)> {
        match distribution {
            Distribution::Fixed(_) => None,
            Distribution::Triangular { low, mode, high } => {
                let range = high - low;
                let split = if range > 0.0 {
                    ((mode - low) / range).clamp(0.0, 1.0)
                } else {
                    0.5
                };
                Some((
                    Sampler::Triangular {
                        split: split as f32,
                    },
                    *low,
                    range,
                ))
            }
            Distribution::Pert {
                low, high, table, ..
            } => {
                let n = PERT_TABLE_INTERVALS;
                // Tables built by `Distribution::new` have exactly this size and are copied;
                // others are resampled.
                let standard: Box<[f32; PERT_TABLE_INTERVALS + 1]> = if table.len() == n + 1 {
                    Box::new(std::array::from_fn(|j| table[j] as f32))
                } else {
                    Box::new(std::array::from_fn(|j| {
                        distribution_table_at(table, j as f64 / n as f64)
                    }))
                };
                Some((Sampler::Pert { table: standard }, *low, high - low))
            }
        }
    }
}

/// A standard quantile table read at `u`, whatever its length (the engine's own tables have
/// exactly `PERT_TABLE_INTERVALS` intervals, so this is then an exact copy).
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]
fn distribution_table_at(table: &[f64], u: f64) -> f32 {
    let Some(intervals) = table.len().checked_sub(1).filter(|&n| n > 0) else {
        return table.first().copied().unwrap_or(0.0) as f32;
    };
    let x = (u * intervals as f64).clamp(0.0, intervals as f64);
    let i = (x as usize).min(intervals - 1);
    let f = x - i as f64;
    (table[i] + f * (table[i + 1] - table[i])) as f32
}

/// Draws standard values from uniform words.
trait Standard {
    fn sample(&self, w: u32x8) -> f32x8;
}

/// The branch-free triangular inverse CDF on `[0, 1]` with its peak at `split`.
struct Triangular {
    split: f32x8,
    right: f32x8,
}

impl Standard for Triangular {
    #[inline(always)]
    fn sample(&self, w: u32x8) -> f32x8 {
        let u = as_i32(w >> 8_u32).round_float() * UNIT;
        let is_left = u.cmp_lt(self.split);
        let s = is_left.blend(u * self.split, (f32x8::ONE - u) * self.right);
        let r = s.sqrt();
        is_left.blend(r, f32x8::ONE - r)
    }
}

/// A PERT quantile table with linear interpolation.
struct Table<'a> {
    table: &'a [f32; PERT_TABLE_INTERVALS + 1],
}

impl Standard for Table<'_> {
    #[inline(always)]
    fn sample(&self, w: u32x8) -> f32x8 {
        const FRACTION: f32 = 1.0 / (1 << TABLE_BITS) as f32;
        let mask = (1 << TABLE_BITS) - 1;
        let f = as_i32((w >> 8_u32) & u32x8::splat(mask)).round_float() * FRACTION;
        let index = (w >> (32 - TABLE_BITS)).to_array();
        let mut lo = [0.0_f32; BLOCK];
        let mut hi = [0.0_f32; BLOCK];
        for ((l, h), &i) in lo.iter_mut().zip(&mut hi).zip(&index) {
            // The mask proves the index in bounds (it is already below 2¹²).
            let i = i as usize & (PERT_TABLE_INTERVALS - 1);
            *l = self.table[i];
            *h = self.table[i + 1];
        }
        let lo = f32x8::from(lo);
        lo + f * (f32x8::from(hi) - lo)
    }
}

/// Reinterprets unsigned lanes below 2³¹ as signed ones (for the integer-to-float conversion,
/// which SSE2 has only for signed lanes).
#[inline(always)]
#[allow(clippy::cast_possible_wrap)]
fn as_i32(w: u32x8) -> i32x8 {
    i32x8::from(w.to_array().map(|x| x as i32))
}

/// Adds eight single-precision deviations to eight NPVs.
#[inline(always)]
fn accumulate(npv: &mut [f64; BLOCK], deviation: f32x8) {
    let d = deviation.to_array();
    let lo = f64x4::from([npv[0], npv[1], npv[2], npv[3]])
        + f64x4::from([d[0], d[1], d[2], d[3]].map(f64::from));
    let hi = f64x4::from([npv[4], npv[5], npv[6], npv[7]])
        + f64x4::from([d[4], d[5], d[6], d[7]].map(f64::from));
    let (lo, hi) = (lo.to_array(), hi.to_array());
    npv[..4].copy_from_slice(&lo);
    npv[4..].copy_from_slice(&hi);
}

/// A source of uniform words for one input after another.
pub(super) trait Uniforms {
    /// Prepares the draws of the next input (`blocks` blocks of eight).
    fn start(&mut self, blocks: usize);
    /// The next eight words of the current input.
    fn block(&mut self) -> u32x8;
}

impl Uniforms for Streams {
    #[inline(always)]
    fn start(&mut self, _blocks: usize) {}

    #[inline(always)]
    fn block(&mut self) -> u32x8 {
        self.next_block()
    }
}

/// Latin hypercube draws: each input's `len` words in a chunk fall one in each of `len`
/// equal strata, in random order.
pub(super) struct Stratified<'a> {
    pub(super) streams: Streams,
    pub(super) len: usize,
    pub(super) words: &'a mut Vec<[u32; BLOCK]>,
    pub(super) order: &'a mut Vec<u32>,
    pub(super) next: usize,
}

impl Uniforms for Stratified<'_> {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    fn start(&mut self, blocks: usize) {
        self.words.clear();
        for _ in 0..blocks {
            self.words.push(self.streams.next_block().to_array());
        }
        let len = self.len.min(blocks * BLOCK);
        self.order.clear();
        self.order.extend(0..u32::try_from(len).unwrap_or(u32::MAX));
        // Fisher–Yates, eight swaps per step of the generator. Each index is a 32-bit word
        // scaled by multiply-shift (Lemire) without rejection: the bias, below
        // len / 2³² ≈ 10⁻⁶, is far under Monte Carlo noise.
        let mut spare = [0_u32; BLOCK];
        let mut used = BLOCK;
        for i in (1..len).rev() {
            if used == BLOCK {
                spare = self.streams.next_block().to_array();
                used = 0;
            }
            let j = (u64::from(spare[used]) * (i as u64 + 1)) >> 32;
            used += 1;
            self.order.swap(i, j as usize);
        }
        // Word k of the input lies in stratum order[k]: (stratum + u) / len, scaled to 2³².
        let scale = 4_294_967_296.0 / len as f64;
        for (k, &stratum) in self.order.iter().enumerate() {
            let w = &mut self.words[k / BLOCK][k % BLOCK];
            let u = f64::from(*w) / 4_294_967_296.0;
            *w = ((f64::from(stratum) + u) * scale) as u32;
        }
        self.next = 0;
    }

    #[inline(always)]
    fn block(&mut self) -> u32x8 {
        let w = self.words.get(self.next).copied().unwrap_or_default();
        self.next += 1;
        u32x8::from(w)
    }
}

/// A term whose weight does not depend on a random delay.
#[derive(Debug, Clone)]
struct Plain {
    sampler: Sampler,
    /// `weight × range`: the deviation is `scale × z`.
    scale: f32,
}

/// A term weighted by a function of a random delay.
#[derive(Debug, Clone)]
struct Delayed {
    /// The amount's sampler, when the amount is uncertain.
    amount: Option<Sampler>,
    /// Added to the delay to place it in the shift table's window.
    offset: f32,
    /// The largest position in the window (the delay's largest value, or the last shift).
    top: f32,
    /// `W − W_ref` as a function of the position in the window.
    shifts: Shifts,
    /// The amount's low end: the deviation is `a·ΔW + z·(b + c·ΔW)`.
    a: f32,
    /// `range × W_ref`.
    b: f32,
    /// The amount's range.
    c: f32,
}

/// A delayed term's weight, less its value at the smallest delay, as a function of the
/// position `x` in its window of whole-year shifts: piecewise linear with kinks at whole
/// numbers.
#[derive(Debug, Clone)]
enum Shifts {
    /// `(W(k₀ + i) − W_ref, W(k₀ + i + 1) − W(k₀ + i))` for each whole-year shift, read by
    /// the whole part of `x`.
    Table(Box<[[f32; 2]; SHIFT_WINDOW]>),
    /// When the delay crosses at most [`MAX_HINGES`] whole years, the same function in
    /// closed form (no table lookups): `slope·(x − start) + Σⱼ kinks[j − 1]·max(x − j, 0)`.
    Hinges {
        start: f32,
        slope: f32,
        kinks: Vec<f32>,
    },
}

/// The most whole years a delay may cross for its weight to be computed in closed form.
const MAX_HINGES: usize = 4;

impl Shifts {
    /// The weight `at(k)` of each whole-year shift `k`, read from shift `first` on, less
    /// `reference` (its value at the smallest delay `from`); positions run up to `top`.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    fn new(
        at: &impl Fn(usize) -> f64,
        first: usize,
        from: f64,
        top: f64,
        reference: f64,
        max_hinges: usize,
    ) -> Self {
        // Whole numbers strictly inside (start, top): where the slope may change.
        let kinks = (top.ceil() as usize).saturating_sub(1);
        let slope = |j: usize| at(first + j + 1) - at(first + j);
        if kinks <= max_hinges {
            Shifts::Hinges {
                start: (from - first as f64) as f32,
                slope: slope(0) as f32,
                kinks: (1..=kinks)
                    .map(|j| (slope(j) - slope(j - 1)) as f32)
                    .collect(),
            }
        } else {
            Shifts::Table(Box::new(std::array::from_fn(|i| {
                let k = first + i;
                [(at(k) - reference) as f32, (at(k + 1) - at(k)) as f32]
            })))
        }
    }

    /// `W − W_ref` at eight positions (the passes pick the form once per term instead).
    #[cfg(test)]
    fn at(&self, x: f32x8) -> f32x8 {
        match self {
            Shifts::Table(table) => ShiftTable(table).at(x),
            Shifts::Hinges {
                start,
                slope,
                kinks,
            } => Hinges {
                start: *start,
                slope: *slope,
                kinks,
            }
            .at(x),
        }
    }
}

/// A random delay and the terms it moves.
#[derive(Debug, Clone)]
struct Group {
    sampler: Sampler,
    low: f32,
    range: f32,
    terms: Vec<Delayed>,
}

/// The window of whole-year shifts a delayed term can reach: the first shift `k₀` and the
/// delay (plus its fixed part) clamped to the table, at its smallest and largest.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]
pub(super) fn shift_window(
    fixed_delay: f64,
    by_shift: &[f64],
    delay: &Distribution,
) -> (usize, f64, f64) {
    let last = by_shift.len().saturating_sub(1) as f64;
    let from = (fixed_delay + delay.low()).clamp(0.0, last);
    let to = (fixed_delay + delay.high()).clamp(0.0, last);
    let first = if from.is_finite() { from.floor() } else { 0.0 };
    (first as usize, from, to)
}

/// A model compiled for sampling.
#[derive(Debug, Clone)]
pub(super) struct Program {
    /// The NPV when every deviation is zero.
    constant: f64,
    plain: Vec<Plain>,
    groups: Vec<Group>,
}

/// Per-worker buffers, reused from chunk to chunk.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    npv: Vec<[f64; BLOCK]>,
    delay: Vec<[f32; BLOCK]>,
    words: Vec<[u32; BLOCK]>,
    order: Vec<u32>,
}

impl Program {
    /// Compiles a checked model (see [`Model::check`]).
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    pub(super) fn new(model: &Model) -> Self {
        let mut constant = model.constant;
        let mut plain = Vec::new();
        let mut groups: Vec<Option<Group>> = model
            .delays
            .iter()
            .map(|d| {
                Sampler::of(&d.distribution).map(|(sampler, low, range)| Group {
                    sampler,
                    low: low as f32,
                    range: range as f32,
                    terms: Vec::new(),
                })
            })
            .collect();
        for term in &model.terms {
            let amount = Sampler::of(&term.amount);
            let (low, range) = amount
                .as_ref()
                .map_or((term.amount.mode(), 0.0), |(_, low, range)| (*low, *range));
            let fixed_weight = match &term.weight {
                Weight::Fixed(w) => Some(*w),
                Weight::Delayed { delay, .. } => match groups.get(*delay) {
                    Some(Some(_)) => None,
                    _ => Some(
                        term.weight.at(model
                            .delays
                            .get(*delay)
                            .map_or(0.0, |d| d.distribution.mode())),
                    ),
                },
            };
            if let Some(w) = fixed_weight {
                constant += w * low;
                if let Some((sampler, _, _)) = amount {
                    plain.push(Plain {
                        sampler,
                        scale: (w * range) as f32,
                    });
                }
                continue;
            }
            let Weight::Delayed {
                delay,
                fixed_delay,
                by_shift,
            } = &term.weight
            else {
                continue;
            };
            let Some(Some(group)) = groups.get_mut(*delay) else {
                continue;
            };
            let distribution = &model.delays[*delay].distribution;
            let (first, from, to) = shift_window(*fixed_delay, by_shift, distribution);
            let last = by_shift.len().saturating_sub(1);
            let at = |k: usize| by_shift.get(k.min(last)).copied().unwrap_or(0.0);
            let reference = term.weight.at(from - fixed_delay);
            let top = (to - first as f64).min((SHIFT_WINDOW - 1) as f64);
            let shifts = Shifts::new(&at, first, from, top, reference, MAX_HINGES);
            constant += low * reference;
            group.terms.push(Delayed {
                amount: amount.map(|(sampler, _, _)| sampler),
                offset: (fixed_delay - first as f64) as f32,
                top: top as f32,
                shifts,
                a: low as f32,
                b: (range * reference) as f32,
                c: range as f32,
            });
        }
        Program {
            constant,
            plain,
            groups: groups
                .into_iter()
                .flatten()
                .filter(|g| !g.terms.is_empty())
                .collect(),
        }
    }

    /// Runs chunk `chunk` (`len` iterations) and returns its NPVs. Inputs draw in model
    /// order: the terms without a random delay, then each random delay followed by the
    /// uncertain amounts of its terms.
    pub(super) fn run_chunk<'s>(
        &self,
        scratch: &'s mut Scratch,
        seed: u64,
        latin_hypercube: bool,
        chunk: u64,
        len: usize,
    ) -> &'s [f64] {
        let blocks = len.div_ceil(BLOCK);
        let Scratch {
            npv,
            delay,
            words,
            order,
        } = scratch;
        npv.clear();
        npv.resize(blocks, [self.constant; BLOCK]);
        delay.clear();
        delay.resize(blocks, [0.0; BLOCK]);
        let streams = Streams::for_chunk(seed, chunk);
        if latin_hypercube {
            let mut draws = Stratified {
                streams,
                len,
                words,
                order,
                next: 0,
            };
            self.passes(&mut draws, npv, delay);
        } else {
            let mut draws = streams;
            self.passes(&mut draws, npv, delay);
        }
        &npv.as_flattened()[..len]
    }

    fn passes<U: Uniforms>(
        &self,
        draws: &mut U,
        npv: &mut [[f64; BLOCK]],
        delay: &mut [[f32; BLOCK]],
    ) {
        let blocks = npv.len();
        for term in &self.plain {
            draws.start(blocks);
            match &term.sampler {
                Sampler::Triangular { split } => {
                    plain_pass(draws, &triangular(*split), term.scale, npv);
                }
                Sampler::Pert { table } => plain_pass(draws, &Table { table }, term.scale, npv),
            }
        }
        for group in &self.groups {
            draws.start(blocks);
            match &group.sampler {
                Sampler::Triangular { split } => {
                    delay_pass(draws, &triangular(*split), group.low, group.range, delay);
                }
                Sampler::Pert { table } => {
                    delay_pass(draws, &Table { table }, group.low, group.range, delay);
                }
            }
            for term in &group.terms {
                match &term.shifts {
                    Shifts::Table(table) => {
                        delayed_term(draws, &ShiftTable(table), term, delay, npv);
                    }
                    Shifts::Hinges {
                        start,
                        slope,
                        kinks,
                    } => {
                        let weight = Hinges {
                            start: *start,
                            slope: *slope,
                            kinks,
                        };
                        delayed_term(draws, &weight, term, delay, npv);
                    }
                }
            }
        }
    }
}

/// One delayed term's pass, by the form of its amount.
fn delayed_term<U: Uniforms, D: DeltaWeight>(
    draws: &mut U,
    weight: &D,
    term: &Delayed,
    delay: &[[f32; BLOCK]],
    npv: &mut [[f64; BLOCK]],
) {
    match &term.amount {
        None => delayed_fixed_pass(weight, term, delay, npv),
        Some(sampler) => {
            draws.start(npv.len());
            match sampler {
                Sampler::Triangular { split } => {
                    delayed_pass(draws, &triangular(*split), weight, term, delay, npv);
                }
                Sampler::Pert { table } => {
                    delayed_pass(draws, &Table { table }, weight, term, delay, npv);
                }
            }
        }
    }
}

fn triangular(split: f32) -> Triangular {
    Triangular {
        split: f32x8::splat(split),
        right: f32x8::splat(1.0 - split),
    }
}

/// `npv += scale × z` for a term with a fixed weight.
#[inline(never)]
fn plain_pass<U: Uniforms, S: Standard>(
    draws: &mut U,
    sampler: &S,
    scale: f32,
    npv: &mut [[f64; BLOCK]],
) {
    let scale = f32x8::splat(scale);
    for n in npv {
        let z = sampler.sample(draws.block());
        accumulate(n, z * scale);
    }
}

/// Draws a delay: `low + range × z` years.
#[inline(never)]
fn delay_pass<U: Uniforms, S: Standard>(
    draws: &mut U,
    sampler: &S,
    low: f32,
    range: f32,
    delay: &mut [[f32; BLOCK]],
) {
    let (low, range) = (f32x8::splat(low), f32x8::splat(range));
    for d in delay {
        *d = (low + range * sampler.sample(draws.block())).to_array();
    }
}

impl Delayed {
    /// The positions of eight delays in the window.
    #[inline(always)]
    fn position(&self, delay: &[f32; BLOCK]) -> f32x8 {
        (f32x8::from(*delay) + self.offset)
            .max(f32x8::ZERO)
            .min(f32x8::splat(self.top))
    }
}

/// `W − W_ref` at eight positions in a delayed term's window.
trait DeltaWeight {
    fn at(&self, x: f32x8) -> f32x8;
}

/// The table form of [`Shifts`].
struct ShiftTable<'a>(&'a [[f32; 2]; SHIFT_WINDOW]);

impl DeltaWeight for ShiftTable<'_> {
    #[inline(always)]
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    fn at(&self, x: f32x8) -> f32x8 {
        // x − 0.5 rounded half to even is ⌊x⌋, or ⌊x⌋ − 1 when x is whole (then the
        // fraction is 1, which interpolates to the same value).
        let rounded = (x - 0.5) + ROUNDER;
        let fraction = x - (rounded - ROUNDER);
        let bits = rounded.to_array().map(f32::to_bits);
        let mut value = [0.0_f32; BLOCK];
        let mut slope = [0.0_f32; BLOCK];
        for ((v, s), b) in value.iter_mut().zip(&mut slope).zip(bits) {
            let k = b.wrapping_sub(ROUNDER.to_bits()) as usize & (SHIFT_WINDOW - 1);
            [*v, *s] = self.0[k];
        }
        f32x8::from(value) + fraction * f32x8::from(slope)
    }
}

/// The closed form of [`Shifts`].
struct Hinges<'a> {
    start: f32,
    slope: f32,
    kinks: &'a [f32],
}

impl DeltaWeight for Hinges<'_> {
    #[inline(always)]
    #[allow(clippy::cast_precision_loss)]
    fn at(&self, x: f32x8) -> f32x8 {
        let mut w = (x - self.start) * self.slope;
        for (j, &kink) in self.kinks.iter().enumerate() {
            w += (x - (j + 1) as f32).max(f32x8::ZERO) * kink;
        }
        w
    }
}

/// `npv += a·ΔW + z·(b + c·ΔW)` for a term with an uncertain amount and a random delay.
#[inline(never)]
fn delayed_pass<U: Uniforms, S: Standard, D: DeltaWeight>(
    draws: &mut U,
    sampler: &S,
    weight: &D,
    term: &Delayed,
    delay: &[[f32; BLOCK]],
    npv: &mut [[f64; BLOCK]],
) {
    let (a, b, c) = (
        f32x8::splat(term.a),
        f32x8::splat(term.b),
        f32x8::splat(term.c),
    );
    for (n, d) in npv.iter_mut().zip(delay) {
        let dw = weight.at(term.position(d));
        let z = sampler.sample(draws.block());
        accumulate(n, a * dw + z * (b + c * dw));
    }
}

/// `npv += a·ΔW` for a fixed amount moved by a random delay.
#[inline(never)]
fn delayed_fixed_pass<D: DeltaWeight>(
    weight: &D,
    term: &Delayed,
    delay: &[[f32; BLOCK]],
    npv: &mut [[f64; BLOCK]],
) {
    let a = f32x8::splat(term.a);
    for (n, d) in npv.iter_mut().zip(delay) {
        accumulate(n, a * weight.at(term.position(d)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::Shape;
    use crate::monte_carlo::{Delay, Term};

    fn term(amount: Distribution, weight: Weight) -> Term {
        Term {
            name: "t".into(),
            amount,
            weight,
        }
    }

    fn delayed(delay: usize, fixed_delay: f64, by_shift: &[f64]) -> Weight {
        Weight::Delayed {
            delay,
            fixed_delay,
            by_shift: by_shift.to_vec(),
        }
    }

    /// Every kind of term: fixed and delayed weights, triangular, PERT and fixed amounts,
    /// triangular and PERT delays, a delay shared by two terms and one that is fixed.
    fn model() -> Model {
        let tri = |l, m, h| Distribution::new(l, m, h, Shape::Triangular);
        let pert = |l, m, h| Distribution::new(l, m, h, Shape::Pert);
        let shifts = [8.0, 7.2, 5.5, 3.0, 1.0, 0.0];
        let long: Vec<f64> = (0..12).map(|k| 0.9_f64.powi(k) * 8.0).collect();
        Model {
            constant: 1000.0,
            terms: vec![
                term(tri(100.0, 150.0, 300.0), Weight::Fixed(-1.2)),
                term(pert(20.0, 40.0, 70.0), delayed(0, 0.3, &shifts)),
                term(Distribution::Fixed(10.0), delayed(0, 0.0, &[5.0, 4.0, 3.0])),
                term(tri(5.0, 5.0, 9.0), delayed(1, 1.7, &shifts)),
                term(pert(1.0, 2.0, 2.5), Weight::Fixed(3.0)),
                term(tri(1.0, 2.0, 4.0), delayed(2, 0.5, &shifts)),
                term(pert(2.0, 3.0, 3.5), delayed(3, 0.0, &long)),
            ],
            delays: vec![
                Delay {
                    name: "a".into(),
                    distribution: tri(0.0, 0.5, 2.5),
                },
                Delay {
                    name: "b".into(),
                    distribution: pert(0.5, 1.0, 4.0),
                },
                Delay {
                    name: "c".into(),
                    distribution: Distribution::Fixed(0.75),
                },
                Delay {
                    name: "d".into(),
                    distribution: tri(0.0, 1.0, 9.0),
                },
            ],
        }
    }

    /// The uniform a word stands for.
    fn uniform(w: u32) -> f64 {
        f64::from(w >> 8) / 16_777_216.0
    }

    #[test]
    fn a_chunk_is_the_model_evaluated_at_its_draws() {
        let model = model();
        let program = Program::new(&model);
        let mut scratch = Scratch::default();
        let (seed, chunk, len) = (11, 5, 1003);
        let npv = program
            .run_chunk(&mut scratch, seed, false, chunk, len)
            .to_vec();
        // Replay the draws in the documented order: terms without a random delay (0 and
        // 4), then delay 0 with the uncertain amount of its terms (term 1; term 2 is
        // fixed), then delay 1 with term 3, then delay 3 with term 6 (whose delay crosses
        // nine whole years, so its weight is read from the shift table). Delay 2 is fixed,
        // so term 5 counts as plain and draws with the first group.
        let mut streams = Streams::for_chunk(seed, chunk);
        let mut draw = || -> Vec<f64> {
            (0..len.div_ceil(BLOCK))
                .flat_map(|_| streams.next_block().to_array())
                .map(uniform)
                .collect()
        };
        let (u0, u4, u5) = (draw(), draw(), draw());
        let (d0, u1) = (draw(), draw());
        let (d1, u3) = (draw(), draw());
        let (d3, u6) = (draw(), draw());
        let spread: f64 =
            200.0 * 1.2 + 50.0 * 8.0 + 10.0 * 8.0 + 4.0 * 8.0 + 1.5 * 3.0 + 3.0 * 8.0 + 3.5 * 8.0;
        for (i, &got) in npv.iter().enumerate() {
            let amounts = [u0[i], u1[i], 0.0, u3[i], u4[i], u5[i], u6[i]];
            let delays = [d0[i], d1[i], 0.0, d3[i]];
            let exact = model.evaluate(|t, d| d.quantile(amounts[t]), |k, d| d.quantile(delays[k]));
            assert!(
                (got - exact).abs() < 1e-6 * spread,
                "iteration {i}: {got} vs {exact}"
            );
        }
    }

    #[test]
    fn a_quantile_table_of_another_length_is_resampled() {
        let table: Vec<f64> = (0..=8).map(|j| (f64::from(j) / 8.0).powi(2)).collect();
        let amount = Distribution::Pert {
            low: 10.0,
            mode: 12.0,
            high: 20.0,
            table: table.into(),
        };
        let model = Model {
            constant: 0.0,
            terms: vec![term(amount.clone(), Weight::Fixed(2.0))],
            delays: vec![],
        };
        let npv = Program::new(&model)
            .run_chunk(&mut Scratch::default(), 4, false, 0, 64)
            .to_vec();
        let mut streams = Streams::for_chunk(4, 0);
        let u: Vec<f64> = (0..8)
            .flat_map(|_| streams.next_block().to_array())
            .map(uniform)
            .collect();
        for (got, u) in npv.iter().zip(u) {
            let exact = 2.0 * amount.quantile(u);
            assert!((got - exact).abs() < 1e-5, "{got} vs {exact}");
        }
    }

    #[test]
    fn latin_hypercube_words_fill_every_stratum_once() {
        for len in [4096, 1003] {
            let (mut words, mut order) = (Vec::new(), Vec::new());
            let mut draws = Stratified {
                streams: Streams::for_chunk(3, 0),
                len,
                words: &mut words,
                order: &mut order,
                next: 0,
            };
            for _ in 0..2 {
                let blocks = len.div_ceil(BLOCK);
                draws.start(blocks);
                let mut strata: Vec<usize> = (0..blocks)
                    .flat_map(|_| draws.block().to_array())
                    .take(len)
                    .map(|w| (uniform(w) * len as f64) as usize)
                    .collect();
                strata.sort_unstable();
                assert_eq!(strata, (0..len).collect::<Vec<_>>(), "{len}");
            }
        }
    }

    #[test]
    fn whole_year_shifts_are_found_at_and_between_knots() {
        let by_shift = [10.0, 6.0, 1.0, 0.5, 0.5, 0.2];
        let weight = delayed(0, 0.0, &by_shift);
        let at = |k: usize| by_shift[k.min(by_shift.len() - 1)];
        let cases = [
            // (first whole shift, smallest and largest delay)
            (0, 0.0, 3.0),
            (0, 0.4, 4.6),
            (1, 1.25, 5.0),
        ];
        for (first, from, to) in cases {
            let reference = weight.at(from);
            for max_hinges in [MAX_HINGES, 0] {
                let shifts =
                    Shifts::new(&at, first, from, to - first as f64, reference, max_hinges);
                let hinged = matches!(shifts, Shifts::Hinges { .. });
                assert_eq!(hinged, max_hinges > 0, "{first} {from} {to}");
                for block in [[0.0, 0.25, 1.0, 1.5, 2.0, 2.999, 3.0, 7.0], [0.5; BLOCK]] {
                    let delays = block.map(|d: f32| d.clamp(from as f32, to as f32));
                    let x = (f32x8::from(delays) - first as f32).max(f32x8::ZERO);
                    let got = shifts.at(x).to_array();
                    for (d, g) in delays.iter().zip(got) {
                        let exact = weight.at(f64::from(*d)) - reference;
                        assert!(
                            (f64::from(g) - exact).abs() < 1e-5,
                            "{first} {from} {to} hinged {hinged}, delay {d}: {g} vs {exact}"
                        );
                    }
                }
            }
        }
    }
}
