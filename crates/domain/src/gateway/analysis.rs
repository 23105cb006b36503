//! Scoring, ranking and sensitivity for a whole programme of opportunities, in exact integer
//! arithmetic.
//!
//! - **Flips.** For each opportunity, the smallest set of individual council ratings whose
//!   change gives a better outcome, and the smallest whose change gives a worse one. The
//!   outcome depends on the councils' ratings only through the combined rating of each
//!   criterion, and each combination rule is monotone, so the search is over target combined
//!   ratings per criterion, each with a known cost in council changes (see
//!   [`Combination::raise_cost`]): a small knapsack solved exactly by dynamic programming over
//!   the cost. Each change is then softened to the mildest rating that still flips the outcome.
//! - **Ranking.** Opportunities are ranked by score, best first. Ties are broken, in order, by:
//!   not being blocked by a critical Red or by too many criteria below Green; fewer Reds;
//!   fewer criteria below Green; the order the opportunities were given. None of these
//!   depends on the weights, so ties break the same way at every weight.
//! - **Weight intervals.** For each criterion's weight, the range of weights (all else fixed)
//!   within which the opportunity's outcome does not change, and the range within which its
//!   rank does not change. Weights are whole millionths, so ranges are given as the lowest and
//!   highest weight (inclusive) that keep the outcome or rank; one millionth outside, it
//!   changes. All opportunities share the total weight, so rank depends only on the points
//!   (unnormalised weighted sums). Ratings take three values, so as one weight moves the
//!   opportunities' points move in three slope groups; the first crossing with each group is
//!   found from the ranked order without comparing every pair.

use super::criteria::{Criteria, MICROS, Weight};
use super::rating::{Combination, Counts, Rating};
use super::rule::{Checks, GatewayRule, Outcome, Scale, rating};
use crate::Invalid;

/// The most councils one assessment may have: more than the 33 London councils, and small
/// enough that the flip search's tables stay a few megabytes.
pub const MAX_COUNCILS: usize = 40;

/// One opportunity's ratings: every council's rating of every criterion, criterion by
/// criterion (all councils for criterion 0, then criterion 1, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingMatrix {
    councils: usize,
    ratings: Vec<Rating>,
}

impl RatingMatrix {
    /// Builds a matrix for `criteria` × `councils` from ratings in criterion-major order.
    pub fn new(
        criteria: usize,
        councils: usize,
        ratings: Vec<Rating>,
    ) -> Result<RatingMatrix, Invalid> {
        if councils == 0 {
            return Err(Invalid::field("councils", "At least one council must rate"));
        }
        if councils > MAX_COUNCILS {
            return Err(Invalid::field(
                "councils",
                format!(
                    "{councils} councils is more than the {MAX_COUNCILS} an assessment may have"
                ),
            ));
        }
        if ratings.len() != criteria * councils {
            return Err(Invalid::field(
                "ratings",
                format!(
                    "{} ratings given; {criteria} criteria × {councils} councils needs {}",
                    ratings.len(),
                    criteria * councils
                ),
            ));
        }
        Ok(RatingMatrix { councils, ratings })
    }

    /// The number of councils.
    pub fn councils(&self) -> usize {
        self.councils
    }

    /// A council's rating of a criterion.
    pub fn get(&self, criterion: usize, council: usize) -> Rating {
        self.ratings[criterion * self.councils + council]
    }

    /// Every council's rating of one criterion.
    pub fn criterion(&self, criterion: usize) -> &[Rating] {
        &self.ratings[criterion * self.councils..(criterion + 1) * self.councils]
    }
}

/// One council's rating changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RatingChange {
    /// The criterion's position in the criteria set.
    pub criterion: usize,
    /// The council's position in the assessment.
    pub council: usize,
    /// The rating now.
    pub from: Rating,
    /// The rating that flips the outcome.
    pub to: Rating,
}

/// A smallest set of rating changes that gives another outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flip {
    /// The outcome after the changes.
    pub outcome: Outcome,
    /// The changes, by criterion then council.
    pub changes: Vec<RatingChange>,
}

/// The weights, from `low` to `high` inclusive, that keep something unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeightRange {
    /// The lowest weight that keeps it (0, or one millionth when every other weight is zero).
    pub low: Weight,
    /// The highest weight that keeps it; `None` when no weight above changes it.
    pub high: Option<Weight>,
}

impl WeightRange {
    /// Whether a weight lies in the range.
    pub fn contains(&self, weight: Weight) -> bool {
        self.low <= weight && self.high.is_none_or(|high| weight <= high)
    }
}

/// How far one criterion's weight can move before the outcome, or the rank, changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeightSensitivity {
    /// The weights that keep the outcome.
    pub outcome: WeightRange,
    /// The weights that keep the rank in the programme.
    pub rank: WeightRange,
}

/// Everything the gateway works out for one opportunity of a programme.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Pass, pass with conditions or fail.
    pub outcome: Outcome,
    /// The weighted score in 0..=1.
    pub score: f64,
    /// The exact score: points over `2 × total weight` (see the module documentation).
    pub points: i64,
    /// The combined rating of each criterion.
    pub combined: Vec<Rating>,
    /// The position in the programme, from 1 (best).
    pub rank: usize,
    /// The fewest changes that give a better outcome; `None` for a pass.
    pub better: Option<Flip>,
    /// The fewest changes that give a worse outcome; `None` for a fail, or when no change of
    /// ratings can make it fail (a zero threshold and no limits that ratings can break).
    pub worse: Option<Flip>,
    /// For each criterion, the weights that keep the outcome and the rank.
    pub weights: Vec<WeightSensitivity>,
}

/// Analyses every opportunity of a programme under one criteria set and rule: outcome, score,
/// rank, both flips and every weight interval. Refuses a matrix whose size does not match the
/// criteria (the field names the opportunity).
pub fn analyse(
    criteria: &Criteria,
    rule: &GatewayRule,
    matrices: &[RatingMatrix],
) -> Result<Vec<Analysis>, Invalid> {
    criteria.validate()?;
    let m = criteria.criteria.len();
    let mut invalid = Invalid::new();
    for (i, matrix) in matrices.iter().enumerate() {
        if matrix.ratings.len() != m * matrix.councils || matrix.councils > MAX_COUNCILS {
            invalid.push(
                format!("opportunities[{i}].ratings"),
                format!(
                    "has {} ratings for {m} criteria and {} councils",
                    matrix.ratings.len(),
                    matrix.councils
                ),
            );
        }
    }
    invalid.into_result()?;
    let scale = Scale::new(criteria, *rule);
    let n = matrices.len();

    // Combine and score.
    let mut counts = Vec::with_capacity(n * m);
    let mut levels = Vec::with_capacity(n * m);
    let mut checks = Vec::with_capacity(n);
    for matrix in matrices {
        let start = levels.len();
        for c in 0..m {
            let cell = Counts::of(matrix.criterion(c));
            counts.push(cell);
            levels.push(rule.combination.combine(cell).points());
        }
        checks.push(scale.check(&levels[start..]));
    }

    // Rank: points descending, then the weight-free tie-breaks.
    let tie: Vec<u64> = checks
        .iter()
        .enumerate()
        .map(|(p, c)| tie_key(c, rule, p))
        .collect();
    let mut order: Vec<u32> = (0..n).map(|p| p as u32).collect();
    order.sort_unstable_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        checks[b]
            .points
            .cmp(&checks[a].points)
            .then(tie[a].cmp(&tie[b]))
    });
    let mut rank = vec![0usize; n];
    for (position, &p) in order.iter().enumerate() {
        rank[p as usize] = position + 1;
    }

    let mut weights = outcome_ranges(&scale, &levels, &checks, m);
    let points: Vec<i64> = checks.iter().map(|c| c.points).collect();
    rank_ranges(&scale, &levels, &points, &tie, &order, m, &mut weights);

    let mut search = Search::default();
    let mut analyses = Vec::with_capacity(n);
    for (p, matrix) in matrices.iter().enumerate() {
        let own_levels = &levels[p * m..(p + 1) * m];
        let own_counts = &counts[p * m..(p + 1) * m];
        let opportunity = Opportunity {
            scale: &scale,
            matrix,
            counts: own_counts,
            levels: own_levels,
            checks: checks[p],
        };
        analyses.push(Analysis {
            outcome: checks[p].outcome,
            score: scale.score(checks[p].points),
            points: checks[p].points,
            combined: own_levels.iter().map(|&l| rating(l)).collect(),
            rank: rank[p],
            better: opportunity.better(&mut search),
            worse: opportunity.worse(&mut search),
            weights: weights[p * m..(p + 1) * m].to_vec(),
        });
    }
    Ok(analyses)
}

/// The weight-free tie-break key: not blocked before blocked, then fewer Reds, then fewer
/// criteria below Green, then the position given. Smaller ranks higher.
fn tie_key(checks: &Checks, rule: &GatewayRule, position: usize) -> u64 {
    let blocked = u64::from(checks.blocked(rule));
    (blocked << 56)
        | (u64::from(checks.reds.min(0xFF)) << 48)
        | (u64::from(checks.below_green.min(0xFF)) << 40)
        | (position as u64 & 0xFF_FFFF_FFFF)
}

/// The lowest weight a criterion may take: zero, unless every other weight is zero (the
/// score would be undefined).
fn lowest_weight(scale: &Scale, criterion: usize) -> i64 {
    if scale.total - scale.weights[criterion] > 0 {
        0
    } else {
        1
    }
}

fn outcome_ranges(
    scale: &Scale,
    levels: &[u8],
    checks: &[Checks],
    m: usize,
) -> Vec<WeightSensitivity> {
    let mut out = Vec::with_capacity(levels.len());
    let threshold = i128::from(scale.rule.threshold.micros());
    let micros = i128::from(MICROS);
    for (p, check) in checks.iter().enumerate() {
        let blocked = check.blocked(&scale.rule);
        // Slack against the threshold: passes it while slack ≥ 0.
        let slack = micros * i128::from(check.points) - 2 * threshold * i128::from(scale.total);
        for i in 0..m {
            let x = i128::from(scale.weights[i]);
            let low_bound = i128::from(lowest_weight(scale, i));
            let range = if blocked {
                // Failing for a reason weights cannot change.
                (low_bound, None)
            } else {
                // Each millionth of weight moves the slack by this much.
                let slope = micros * i128::from(levels[p * m + i]) - 2 * threshold;
                let passing = slack >= 0;
                let high = if passing && slope < 0 {
                    Some(x + slack / -slope)
                } else if !passing && slope > 0 {
                    Some(x + ceil_div(-slack, slope) - 1)
                } else {
                    None
                };
                let low = if passing && slope > 0 {
                    x - slack / slope
                } else if !passing && slope < 0 {
                    x - ceil_div(-slack, -slope) + 1
                } else {
                    low_bound
                };
                (low.max(low_bound), high)
            };
            out.push(WeightSensitivity {
                outcome: weight_range(range),
                rank: weight_range((low_bound, None)),
            });
        }
    }
    out
}

/// ⌈a ÷ b⌉ for a ≥ 0, b > 0.
fn ceil_div(a: i128, b: i128) -> i128 {
    (a + b - 1) / b
}

fn weight_range((low, high): (i128, Option<i128>)) -> WeightRange {
    let to_weight = |v: i128| Weight::from_micros(u64::try_from(v.max(0)).unwrap_or(u64::MAX));
    WeightRange {
        low: to_weight(low),
        high: high.map(to_weight),
    }
}

/// A stream of the weight changes (in millionths, increasing) at which opportunities of one
/// slope group cross one opportunity, nearest first. Position `k` of the stream is
/// `group[start + k]` walking forward (towards lower-ranked ones) or `group[start - k]`
/// walking backward.
struct Crossings<'a> {
    group: &'a [u32],
    start: usize,
    forward: bool,
    /// How many elements the stream has, and how many have been passed.
    len: usize,
    passed: usize,
    /// How fast the difference in points changes per millionth, as the stream sees it.
    slope: i64,
    /// +1 for opportunities that overtake, −1 for ones that fall behind.
    sign: i32,
}

/// What the crossing streams compare against: everyone's points and tie keys, and `p`.
struct Focus<'a> {
    points: &'a [i64],
    tie: &'a [u64],
    p: usize,
}

impl Crossings<'_> {
    /// The weight change at which the stream's `k`-th opportunity crosses `p`.
    fn at(&self, k: usize, focus: &Focus<'_>) -> i64 {
        let index = if self.forward {
            self.start + k
        } else {
            self.start - k
        };
        let q = self.group[index] as usize;
        let p = focus.p;
        let gap = focus.points[q] - focus.points[p];
        if self.sign > 0 {
            // q is behind p (gap ≤ 0) and gains `slope` per step: it is ahead once the gap is
            // positive, or zero with q winning the tie.
            let need = -gap;
            if focus.tie[q] < focus.tie[p] {
                div_ceil(need, self.slope)
            } else {
                div_floor(need, self.slope) + 1
            }
        } else if focus.tie[q] > focus.tie[p] {
            // q is ahead (gap ≥ 0) and loses `slope` per step: it is behind once the gap is
            // negative, or zero with p winning the tie.
            div_ceil(gap, self.slope)
        } else {
            div_floor(gap, self.slope) + 1
        }
    }

    fn peek(&self, focus: &Focus<'_>) -> Option<i64> {
        (self.passed < self.len).then(|| self.at(self.passed, focus))
    }

    /// Passes every crossing at weight change `t` and returns how many there were. Crossing
    /// points never decrease along the stream, and with discrete ratings many opportunities
    /// share one, so the run's end is found by galloping then bisecting rather than one by
    /// one.
    fn pass(&mut self, t: i64, focus: &Focus<'_>) -> usize {
        let first = self.passed;
        if first >= self.len || self.at(first, focus) != t {
            return 0;
        }
        // `last` is known to cross at t; `beyond` is known not to (or is past the end).
        let mut last = first;
        let mut step = 1;
        let mut beyond = loop {
            let probe = last + step;
            if probe >= self.len {
                break self.len;
            }
            if self.at(probe, focus) != t {
                break probe;
            }
            last = probe;
            step *= 2;
        };
        while beyond - last > 1 {
            let middle = last + (beyond - last) / 2;
            if self.at(middle, focus) == t {
                last = middle;
            } else {
                beyond = middle;
            }
        }
        self.passed = last + 1;
        last + 1 - first
    }
}

/// ⌈a ÷ b⌉ for a ≥ 0 and b, a rating slope, 1 or 2: shifts rather than divisions, as this
/// runs for every crossing looked at.
fn div_ceil(a: i64, b: i64) -> i64 {
    match b {
        1 => a,
        2 => (a + 1) >> 1,
        _ => (a + b - 1) / b,
    }
}

/// ⌊a ÷ b⌋ for a ≥ 0 and b, a rating slope, 1 or 2.
fn div_floor(a: i64, b: i64) -> i64 {
    match b {
        1 => a,
        2 => a >> 1,
        _ => a / b,
    }
}

/// The first weight change (in millionths, in the direction `direction`) at which the rank of
/// `focus.p` differs from its rank now, up to `limit` millionths; `None` if there is none.
fn first_rank_change(
    groups: &[Vec<u32>; 3],
    split: [usize; 3],
    own: usize,
    direction: i64,
    focus: &Focus<'_>,
    limit: Option<i64>,
) -> Option<i64> {
    let mut streams: [Option<Crossings<'_>>; 2] = [None, None];
    let mut count = 0;
    for (g, group) in groups.iter().enumerate() {
        let slope = (g as i64 - own as i64) * direction;
        let stream = if slope > 0 {
            // Gaining on p: the nearest ones behind p come first.
            Crossings {
                group,
                start: split[g],
                forward: true,
                len: group.len() - split[g],
                passed: 0,
                slope,
                sign: 1,
            }
        } else if slope < 0 {
            // Losing on p: the nearest ones ahead of p come first.
            Crossings {
                group,
                start: split[g].saturating_sub(1),
                forward: false,
                len: split[g],
                passed: 0,
                slope: -slope,
                sign: -1,
            }
        } else {
            continue;
        };
        streams[count] = Some(stream);
        count += 1;
    }
    let within = |t: i64| limit.is_none_or(|l| t <= l);
    let first = |streams: &[Option<Crossings<'_>>; 2]| {
        streams.iter().flatten().filter_map(|s| s.peek(focus)).min()
    };
    let mixed = match &streams {
        [Some(a), Some(b)] => a.sign != b.sign,
        _ => false,
    };
    if !mixed {
        // Every crossing moves the rank the same way: the first one changes it.
        let t = first(&streams)?;
        return within(t).then_some(t);
    }
    // Overtakings and fallings-behind can cancel out at the same weight; walk the distinct
    // crossing points in order until the count differs. The balance is zero at the top of
    // the loop, so when one side crosses first, that crossing changes the rank: counting is
    // needed only when both sides cross at the same point.
    let [Some(a), Some(b)] = &mut streams else {
        return None;
    };
    loop {
        let t = match (a.peek(focus), b.peek(focus)) {
            (None, None) => return None,
            (Some(t), None) | (None, Some(t)) => return within(t).then_some(t),
            (Some(ta), Some(tb)) if ta != tb => {
                let t = ta.min(tb);
                return within(t).then_some(t);
            }
            (Some(t), Some(_)) => t,
        };
        if !within(t) {
            return None;
        }
        if a.pass(t, focus) != b.pass(t, focus) {
            return Some(t);
        }
    }
}

fn rank_ranges(
    scale: &Scale,
    levels: &[u8],
    points: &[i64],
    tie: &[u64],
    order: &[u32],
    m: usize,
    out: &mut [WeightSensitivity],
) {
    let mut groups: [Vec<u32>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for i in 0..m {
        for group in &mut groups {
            group.clear();
        }
        for &p in order {
            groups[usize::from(levels[p as usize * m + i])].push(p);
        }
        let x = scale.weights[i];
        let low_bound = lowest_weight(scale, i);
        let mut seen = [0usize; 3];
        for &p in order {
            let p = p as usize;
            let own = usize::from(levels[p * m + i]);
            let focus = Focus { points, tie, p };
            let up = first_rank_change(&groups, seen, own, 1, &focus, None);
            let down = first_rank_change(&groups, seen, own, -1, &focus, Some(x - low_bound));
            let high = up.map(|t| i128::from(x) + i128::from(t) - 1);
            let low = down.map_or(i128::from(low_bound), |t| i128::from(x) - i128::from(t) + 1);
            out[p * m + i].rank = weight_range((low, high));
            seen[own] += 1;
        }
    }
}

/// One opportunity, as the flip search sees it.
struct Opportunity<'a> {
    scale: &'a Scale,
    matrix: &'a RatingMatrix,
    counts: &'a [Counts],
    levels: &'a [u8],
    checks: Checks,
}

/// Buffers reused from one opportunity to the next.
#[derive(Default)]
struct Search {
    items: Vec<Item>,
    layers: Vec<i64>,
    small: Vec<i16>,
    best: Vec<i64>,
    next: Vec<i64>,
    choices: Vec<u16>,
    targets: Vec<(usize, Rating)>,
    ratings: Vec<Rating>,
    levels: Vec<u8>,
    pairs: Vec<(usize, Rating)>,
}

/// A state no choice reaches. Far below any real value, so adding a gain keeps it below zero
/// and the maxima need no branch.
const UNREACHABLE: i64 = i64::MIN / 4;

/// A criterion below Green, as the pass search sees it.
struct Item {
    c: usize,
    /// A critical Red that must be lifted.
    forced: bool,
    /// Cost and points gained to make it Amber (from Red only).
    amber: Option<(usize, i64)>,
    /// Cost and points gained to make it Green.
    green: (usize, i64),
}

/// Points gained in the pass search: 16-bit when they fit, 64-bit otherwise.
trait Gain: Copy + Ord + std::ops::Add<Output = Self> {
    /// A state no choice reaches: negative enough that adding every gain keeps it negative.
    const UNREACHABLE: Self;
    const ZERO: Self;
    fn from_units(units: i64) -> Self;
}

impl Gain for i16 {
    const UNREACHABLE: Self = i16::MIN / 2;
    const ZERO: Self = 0;
    fn from_units(units: i64) -> Self {
        // The caller uses i16 only when every sum of gains is at most i16::MAX / 4.
        i16::try_from(units).unwrap_or(i16::MAX / 4)
    }
}

impl Gain for i64 {
    const UNREACHABLE: Self = UNREACHABLE;
    const ZERO: Self = 0;
    fn from_units(units: i64) -> Self {
        units
    }
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

/// `to[k] = max(to[k], from[k] + gain)`: one option of the knapsack, shifted by its cost by
/// the caller's slicing.
fn raise_into<T: Gain>(to: &mut [T], from: &[T], gain: T) {
    for (t, &f) in to.iter_mut().zip(from) {
        *t = (*t).max(f + gain);
    }
}

/// The pass search's table: for each criterion below Green in turn, and each state (criteria
/// made Green, capped at `need_greens`; cost up to `cap`), the most points gained, in units of
/// `unit`. Every layer is kept so the choices are read back from the values. Pushes the
/// chosen targets and returns whether `wanted` points were reached within the cap.
fn pass_table<T: Gain>(
    items: &[Item],
    unit: i64,
    need_greens: usize,
    wanted: i64,
    cap: usize,
    layers: &mut Vec<T>,
    targets: &mut Vec<(usize, Rating)>,
) -> bool {
    let js = need_greens + 1;
    let ks = cap + 1;
    let states = js * ks;
    let size = states * (items.len() + 1);
    if layers.len() < size {
        layers.resize(size, T::UNREACHABLE);
    }
    let gain = |points: i64| T::from_units(points / unit);
    layers[..states].fill(T::UNREACHABLE);
    layers[0] = T::ZERO;
    for (n, item) in items.iter().enumerate() {
        let (before, after) = layers.split_at_mut((n + 1) * states);
        let old = &before[n * states..];
        let new = &mut after[..states];
        if item.forced {
            new.fill(T::UNREACHABLE);
        } else {
            new.copy_from_slice(old);
        }
        for j in 0..js {
            let from = &old[j * ks..(j + 1) * ks];
            if let Some((cost, points)) = item.amber
                && cost < ks
            {
                raise_into(
                    &mut new[j * ks + cost..(j + 1) * ks],
                    &from[..ks - cost],
                    gain(points),
                );
            }
            let (cost, points) = item.green;
            if cost < ks {
                let j2 = (j + 1).min(need_greens);
                raise_into(
                    &mut new[j2 * ks + cost..(j2 + 1) * ks],
                    &from[..ks - cost],
                    gain(points),
                );
            }
        }
    }
    let wanted = T::from_units(wanted);
    let last = &layers[items.len() * states..(items.len() + 1) * states];
    let Some(mut k) = (0..ks).find(|&k| last[need_greens * ks + k] >= wanted) else {
        return false;
    };
    // Read the choices back, last criterion first. Values on the chosen path are real
    // (not negative), so comparing them with an unreachable state's value never matches.
    let mut j = need_greens;
    for (n, item) in items.iter().enumerate().rev() {
        let value = layers[(n + 1) * states + j * ks + k];
        let old = &layers[n * states..(n + 1) * states];
        if !item.forced && old[j * ks + k] == value {
            continue;
        }
        if let Some((cost, points)) = item.amber
            && cost <= k
            && old[j * ks + k - cost] + gain(points) == value
        {
            targets.push((item.c, Rating::Amber));
            k -= cost;
            continue;
        }
        let (cost, points) = item.green;
        targets.push((item.c, Rating::Green));
        // The state before: one fewer Green, or the same when the count was capped.
        let candidates = [j.checked_sub(1), (j == need_greens).then_some(j)];
        j = candidates
            .into_iter()
            .flatten()
            .find(|&j0| cost <= k && old[j0 * ks + k - cost] + gain(points) == value)
            .unwrap_or(0);
        k = k.saturating_sub(cost);
    }
    true
}

/// A feasible way to pass, found greedily, with its cost and a lower bound on the cost of any
/// way to pass. Greedy: lift the critical Reds to Amber, make the cheapest criteria Green
/// until few enough are below Green, then take the upgrades that gain the most points per
/// change until the threshold is reached. Everything Green always passes, so it ends.
///
/// The bound: any way to pass lifts every critical Red and makes at least the needed number
/// of criteria Green, which costs at least the first two greedy steps. When the greedy way
/// needs nothing more, it is a smallest one.
fn greedy_pass(
    items: &[Item],
    need_greens: usize,
    deficit: i64,
) -> (usize, usize, Vec<(usize, Rating)>) {
    // Per item: 0 stays, 1 Amber, 2 Green.
    let mut chosen: Vec<u8> = items.iter().map(|it| u8::from(it.forced)).collect();
    let cost_of = |it: &Item, level: u8| match level {
        1 => it.amber.map_or(0, |a| a.0),
        2 => it.green.0,
        _ => 0,
    };
    let gain_of = |it: &Item, level: u8| match level {
        1 => it.amber.map_or(0, |a| a.1),
        2 => it.green.1,
        _ => 0,
    };
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&n| {
        (
            items[n]
                .green
                .0
                .saturating_sub(cost_of(&items[n], chosen[n])),
            n,
        )
    });
    for &n in order.iter().take(need_greens) {
        chosen[n] = 2;
    }
    let lower_bound: usize = items
        .iter()
        .zip(&chosen)
        .map(|(it, &l)| cost_of(it, l))
        .sum();
    let mut gained: i64 = items
        .iter()
        .zip(&chosen)
        .map(|(it, &l)| gain_of(it, l))
        .sum();
    while gained < deficit {
        // The upgrade with the most points per extra change.
        let best = items
            .iter()
            .enumerate()
            .filter(|(n, _)| chosen[*n] < 2)
            .flat_map(|(n, it)| {
                let now = chosen[n];
                [1u8, 2]
                    .into_iter()
                    .filter(move |&l| l > now && (l == 2 || it.amber.is_some()))
                    .map(move |l| (n, l))
            })
            .max_by(|&(a, la), &(b, lb)| {
                let extra = |n: usize, l: u8| {
                    let it = &items[n];
                    (
                        gain_of(it, l) - gain_of(it, chosen[n]),
                        (cost_of(it, l) - cost_of(it, chosen[n])).max(1) as i64,
                    )
                };
                let (ga, ca) = extra(a, la);
                let (gb, cb) = extra(b, lb);
                (i128::from(ga) * i128::from(cb)).cmp(&(i128::from(gb) * i128::from(ca)))
            });
        let Some((n, level)) = best else { break };
        gained += gain_of(&items[n], level) - gain_of(&items[n], chosen[n]);
        chosen[n] = level;
    }
    if gained < deficit {
        chosen.fill(2);
    }
    let cost = items
        .iter()
        .zip(&chosen)
        .map(|(it, &l)| cost_of(it, l))
        .sum();
    let targets = items
        .iter()
        .zip(&chosen)
        .filter(|(_, l)| **l > 0)
        .map(|(it, &l)| (it.c, if l == 2 { Rating::Green } else { Rating::Amber }))
        .collect();
    (cost, lower_bound, targets)
}

impl Opportunity<'_> {
    fn combination(&self) -> Combination {
        self.scale.rule.combination
    }

    fn raise_cost(&self, c: usize, level: Rating) -> u16 {
        self.combination().raise_cost(self.counts[c], level)
    }

    fn lower_cost(&self, c: usize, level: Rating) -> u16 {
        self.combination().lower_cost(self.counts[c], level)
    }

    /// The fewest changes to a better outcome.
    fn better(&self, search: &mut Search) -> Option<Flip> {
        search.targets.clear();
        match self.checks.outcome {
            Outcome::Pass => return None,
            Outcome::PassWithConditions => {
                // Only every criterion Green is better.
                for (c, &level) in self.levels.iter().enumerate() {
                    if level < 2 {
                        search.targets.push((c, Rating::Green));
                    }
                }
            }
            Outcome::Fail => self.cheapest_pass(search),
        }
        Some(self.flip(search, true))
    }

    /// Chooses target ratings (raises only) for the fewest changes that pass the rule: every
    /// critical Red lifted (when the rule says so), at most `max_ambers` criteria below Green,
    /// and the points reaching the threshold.
    ///
    /// A greedy pass gives a feasible cost first; then dynamic programming over the criteria
    /// below Green, with state (criteria made Green, capped at the number needed; cost up to
    /// the greedy cost), keeps the most points gained. Every layer is kept, so the choices
    /// are read back from the values and the inner loops are plain maxima over slices.
    fn cheapest_pass(&self, search: &mut Search) {
        let rule = &self.scale.rule;
        let need_greens =
            rule.max_ambers
                .map_or(0, |max| self.checks.below_green.saturating_sub(max)) as usize;
        let deficit = (self.scale.need - self.checks.points).max(0);
        search.items.clear();
        for (c, &level) in self.levels.iter().enumerate() {
            if level == 2 {
                continue;
            }
            let w = self.scale.weights[c];
            search.items.push(Item {
                c,
                forced: level == 0 && self.scale.critical[c] && rule.critical_red_fails,
                amber: (level == 0).then(|| (usize::from(self.raise_cost(c, Rating::Amber)), w)),
                green: (
                    usize::from(self.raise_cost(c, Rating::Green)),
                    w * i64::from(2 - level),
                ),
            });
        }
        let items = &search.items;
        let (cap, lower_bound, greedy_targets) = greedy_pass(items, need_greens, deficit);
        if cap == lower_bound {
            // The greedy choice costs no more than any solution can: it is a smallest one.
            search.targets.extend(greedy_targets);
            return;
        }
        // Gains are multiples of the weights' common divisor; in those units they are usually
        // small enough for 16-bit arithmetic, which runs eight states per instruction.
        let unit = items
            .iter()
            .fold(0i64, |g, it| gcd(g, it.amber.map_or(it.green.1, |a| a.1)));
        let unit = unit.max(1);
        let total: i64 = items.iter().map(|it| it.green.1 / unit).sum();
        let wanted = (deficit + unit - 1) / unit;
        let solved = if total <= i64::from(i16::MAX / 4) {
            pass_table::<i16>(
                items,
                unit,
                need_greens,
                wanted,
                cap,
                &mut search.small,
                &mut search.targets,
            )
        } else {
            pass_table::<i64>(
                items,
                unit,
                need_greens,
                wanted,
                cap,
                &mut search.layers,
                &mut search.targets,
            )
        };
        if !solved {
            // Unreachable: the greedy cost is feasible. Fall back to all Green, which always
            // passes, rather than panic.
            search.targets.clear();
            search
                .targets
                .extend(items.iter().map(|it| (it.c, Rating::Green)));
        }
    }

    /// The fewest changes to a worse outcome.
    fn worse(&self, search: &mut Search) -> Option<Flip> {
        search.targets.clear();
        match self.checks.outcome {
            Outcome::Fail => return None,
            Outcome::Pass => {
                // Any criterion below Green is worse: the cheapest one.
                let c = (0..self.levels.len())
                    .min_by_key(|&c| (self.lower_cost(c, Rating::Amber), c))?;
                search.targets.push((c, Rating::Amber));
            }
            Outcome::PassWithConditions => {
                if !self.cheapest_fail(search) {
                    return None;
                }
            }
        }
        Some(self.flip(search, false))
    }

    /// Chooses target ratings (lowers only) for the fewest changes that fail the rule. Failing
    /// needs any one part of the rule to fail, so the answer is the cheapest of: a critical
    /// criterion made Red; enough Green criteria made Amber to pass the limit; the points
    /// brought below the threshold (a knapsack over the cost). Returns false when no change
    /// of ratings can fail it.
    fn cheapest_fail(&self, search: &mut Search) -> bool {
        let rule = &self.scale.rule;
        let m = self.levels.len();
        let mut best: Option<(usize, Vec<(usize, Rating)>)> = None;
        fn consider(
            best: &mut Option<(usize, Vec<(usize, Rating)>)>,
            cost: usize,
            targets: Vec<(usize, Rating)>,
        ) {
            if best.as_ref().is_none_or(|(b, _)| cost < *b) {
                *best = Some((cost, targets));
            }
        }
        if rule.critical_red_fails
            && let Some(c) = (0..m)
                .filter(|&c| self.scale.critical[c])
                .min_by_key(|&c| (self.lower_cost(c, Rating::Red), c))
        {
            consider(
                &mut best,
                usize::from(self.lower_cost(c, Rating::Red)),
                vec![(c, Rating::Red)],
            );
        }
        if let Some(max) = rule.max_ambers {
            let more = (max + 1).saturating_sub(self.checks.below_green) as usize;
            let mut greens: Vec<(u16, usize)> = (0..m)
                .filter(|&c| self.levels[c] == 2)
                .map(|c| (self.lower_cost(c, Rating::Amber), c))
                .collect();
            if greens.len() >= more {
                greens.sort_unstable();
                let cost = greens[..more].iter().map(|(k, _)| usize::from(*k)).sum();
                consider(
                    &mut best,
                    cost,
                    greens[..more]
                        .iter()
                        .map(|&(_, c)| (c, Rating::Amber))
                        .collect(),
                );
            }
        }
        // Points: drop at least `excess` points below the threshold.
        let excess = self.checks.points - self.scale.need + 1;
        let max_drop: i64 = (0..m)
            .map(|c| self.scale.weights[c] * i64::from(self.levels[c]))
            .sum();
        if excess > 0 && max_drop >= excess {
            let cap = match &best {
                Some((b, _)) => b.saturating_sub(1),
                None => (0..m)
                    .map(|c| usize::from(self.lower_cost(c, Rating::Red)))
                    .sum(),
            };
            if let Some((cost, targets)) = self.cheapest_drop(excess, cap, search) {
                consider(&mut best, cost, targets);
            }
        }
        match best {
            Some((_, targets)) => {
                search.targets.clear();
                search.targets.extend(targets);
                true
            }
            None => false,
        }
    }

    /// The fewest changes (at most `cap`) that take at least `excess` points off, as a
    /// multiple-choice knapsack over the cost: each criterion stays, drops to Amber or drops
    /// to Red.
    fn cheapest_drop(
        &self,
        excess: i64,
        cap: usize,
        search: &mut Search,
    ) -> Option<(usize, Vec<(usize, Rating)>)> {
        let m = self.levels.len();
        let ks = cap + 1;
        search.best.clear();
        search.best.resize(ks, UNREACHABLE);
        search.best[0] = 0;
        search.choices.clear();
        search.choices.resize(ks * m, 0);
        for c in 0..m {
            let level = self.levels[c];
            search.next.clear();
            search.next.extend_from_slice(&search.best);
            if level == 0 {
                continue;
            }
            let w = self.scale.weights[c];
            let mut options: [(usize, i64, u16); 2] = [(usize::MAX, 0, 0); 2];
            if level == 2 {
                options[0] = (usize::from(self.lower_cost(c, Rating::Amber)), w, 1);
            }
            options[1] = (
                usize::from(self.lower_cost(c, Rating::Red)),
                w * i64::from(level),
                2,
            );
            let choices = &mut search.choices[c * ks..(c + 1) * ks];
            for k in 0..ks {
                let dropped = search.best[k];
                if dropped == UNREACHABLE {
                    continue;
                }
                for &(cost, drop, code) in &options {
                    if cost == usize::MAX || k + cost >= ks {
                        continue;
                    }
                    let value = dropped + drop;
                    if value > search.next[k + cost] {
                        search.next[k + cost] = value;
                        choices[k + cost] = code;
                    }
                }
            }
            std::mem::swap(&mut search.best, &mut search.next);
        }
        let mut k = (0..ks).find(|&k| search.best[k] >= excess)?;
        let cost = k;
        let mut targets = Vec::new();
        for c in (0..m).rev() {
            match search.choices[c * ks + k] {
                1 => {
                    targets.push((c, Rating::Amber));
                    k -= usize::from(self.lower_cost(c, Rating::Amber));
                }
                2 => {
                    targets.push((c, Rating::Red));
                    k -= usize::from(self.lower_cost(c, Rating::Red));
                }
                _ => {}
            }
        }
        Some((cost, targets))
    }

    /// Turns target combined ratings into council changes, softens each change to the
    /// mildest rating that keeps the new outcome on the same side, and reports the result.
    fn flip(&self, search: &mut Search, better: bool) -> Flip {
        let combination = self.combination();
        let councils = self.matrix.councils;
        search.targets.sort_unstable_by_key(|t| t.0);
        let mut changes: Vec<RatingChange> = Vec::new();
        for &(c, level) in &search.targets {
            search.pairs.clear();
            let ratings = self.matrix.criterion(c);
            if better {
                combination.raise_changes(ratings, level, &mut search.pairs);
            } else {
                combination.lower_changes(ratings, level, &mut search.pairs);
            }
            search.pairs.sort_unstable_by_key(|p| p.0);
            changes.extend(search.pairs.iter().map(|&(council, to)| RatingChange {
                criterion: c,
                council,
                from: ratings[council],
                to,
            }));
        }
        // Apply every change to a copy, then soften one change at a time.
        search.ratings.clear();
        search.ratings.extend_from_slice(&self.matrix.ratings);
        for change in &changes {
            search.ratings[change.criterion * councils + change.council] = change.to;
        }
        search.levels.clear();
        search.levels.extend_from_slice(self.levels);
        for change in &changes {
            let c = change.criterion;
            let cell = &search.ratings[c * councils..(c + 1) * councils];
            search.levels[c] = combination.combine(Counts::of(cell)).points();
        }
        let original = self.checks.outcome;
        let flipped = |outcome: Outcome| {
            if better {
                outcome > original
            } else {
                outcome < original
            }
        };
        for change in &mut changes {
            let index = change.criterion * councils + change.council;
            let c = change.criterion;
            let milder: &[Rating] = match (better, change.from, change.to) {
                (true, Rating::Red, Rating::Green) | (false, Rating::Green, Rating::Red) => {
                    &[Rating::Amber]
                }
                _ => &[],
            };
            for &candidate in milder {
                search.ratings[index] = candidate;
                let cell = &search.ratings[c * councils..(c + 1) * councils];
                let before = search.levels[c];
                search.levels[c] = combination.combine(Counts::of(cell)).points();
                if flipped(self.scale.check(&search.levels).outcome) {
                    change.to = candidate;
                    break;
                }
                search.ratings[index] = change.to;
                search.levels[c] = before;
            }
        }
        Flip {
            outcome: self.scale.check(&search.levels).outcome,
            changes,
        }
    }
}
