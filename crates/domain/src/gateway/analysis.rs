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

use super::criteria::{CriteriaSet, MICROS, Weight};
use super::rating::{Combination, Counts, Rating};
use super::rule::{Checks, GatewayRule, Outcome, Scale, rating};
use crate::Invalid;

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
        if councils > usize::from(u16::MAX) {
            return Err(Invalid::field("councils", "Too many councils"));
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
    criteria: &CriteriaSet,
    rule: &GatewayRule,
    matrices: &[RatingMatrix],
) -> Result<Vec<Analysis>, Invalid> {
    criteria.validate()?;
    let m = criteria.criteria.len();
    let mut invalid = Invalid::new();
    for (i, matrix) in matrices.iter().enumerate() {
        if matrix.ratings.len() != m * matrix.councils {
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

/// The weight-free tie-break key: blocked first-last, then Reds, then criteria below Green,
/// then the position given. Smaller ranks higher.
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
/// slope group cross one opportunity, nearest first.
struct Crossings<'a> {
    group: &'a [u32],
    /// The next element to look at, or `None` when the stream is exhausted.
    next: Option<usize>,
    /// Walking forward (towards lower-ranked) or backward.
    forward: bool,
    /// How fast the difference in points changes per millionth, as the stream sees it.
    slope: i64,
    /// +1 for opportunities that overtake, −1 for ones that fall behind.
    sign: i32,
}

impl Crossings<'_> {
    fn peek(&self, points: &[i64], tie: &[u64], p: usize) -> Option<i64> {
        let q = self.group[self.next?] as usize;
        let gap = points[q] - points[p];
        Some(if self.sign > 0 {
            // q is behind p (gap ≤ 0) and gains `slope` per step: it is ahead once the gap is
            // positive, or zero with q winning the tie.
            let need = -gap;
            if tie[q] < tie[p] {
                div_ceil(need, self.slope)
            } else {
                need / self.slope + 1
            }
        } else {
            // q is ahead (gap ≥ 0) and loses `slope` per step: it is behind once the gap is
            // negative, or zero with p winning the tie.
            if tie[q] > tie[p] {
                div_ceil(gap, self.slope)
            } else {
                gap / self.slope + 1
            }
        })
    }

    fn advance(&mut self) {
        self.next = match self.next {
            Some(i) if self.forward => (i + 1 < self.group.len()).then_some(i + 1),
            Some(i) => i.checked_sub(1),
            None => None,
        };
    }
}

fn div_ceil(a: i64, b: i64) -> i64 {
    // Both are non-negative here (a ≥ 0, b > 0).
    (a + b - 1) / b
}

/// The first weight change (in millionths, in the direction `direction`) at which the rank of
/// `p` differs from its rank now, up to `limit` millionths; `None` if there is none.
#[allow(clippy::too_many_arguments)]
fn first_rank_change(
    groups: &[Vec<u32>; 3],
    split: [usize; 3],
    own: usize,
    direction: i64,
    points: &[i64],
    tie: &[u64],
    p: usize,
    limit: Option<i64>,
) -> Option<i64> {
    let mut streams: Vec<Crossings<'_>> = Vec::with_capacity(2);
    for (g, group) in groups.iter().enumerate() {
        let slope = (g as i64 - own as i64) * direction;
        if slope > 0 {
            // Gaining on p: the nearest ones behind p come first.
            let next = (split[g] < group.len()).then_some(split[g]);
            streams.push(Crossings {
                group,
                next,
                forward: true,
                slope,
                sign: 1,
            });
        } else if slope < 0 {
            // Losing on p: the nearest ones ahead of p come first.
            let next = split[g].checked_sub(1);
            streams.push(Crossings {
                group,
                next,
                forward: false,
                slope: -slope,
                sign: -1,
            });
        }
    }
    let mixed = streams.len() == 2 && streams[0].sign != streams[1].sign;
    let within = |t: i64| limit.is_none_or(|l| t <= l);
    if !mixed {
        // Every crossing moves the rank the same way: the first one changes it.
        let first = streams
            .iter()
            .filter_map(|s| s.peek(points, tie, p))
            .min()?;
        return within(first).then_some(first);
    }
    // Overtakings and fallings-behind can cancel out at the same weight; walk them in order
    // until the count differs.
    let mut balance = 0i32;
    loop {
        let t = streams
            .iter()
            .filter_map(|s| s.peek(points, tie, p))
            .min()?;
        if !within(t) {
            return None;
        }
        for stream in &mut streams {
            while stream.peek(points, tie, p) == Some(t) {
                balance += stream.sign;
                stream.advance();
            }
        }
        if balance != 0 {
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
            let up = first_rank_change(&groups, seen, own, 1, points, tie, p, None);
            let down =
                first_rank_change(&groups, seen, own, -1, points, tie, p, Some(x - low_bound));
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
    best: Vec<i64>,
    next: Vec<i64>,
    choices: Vec<u16>,
    targets: Vec<(usize, Rating)>,
    ratings: Vec<Rating>,
    levels: Vec<u8>,
    pairs: Vec<(usize, Rating)>,
}

const UNREACHABLE: i64 = -1;

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
    /// and the points reaching the threshold. Dynamic programming over the criteria below
    /// Green with state (criteria made Green, capped at the number needed; cost), keeping the
    /// most points gained. The cost bound doubles until a solution fits; making every
    /// criterion Green always passes, so it ends.
    fn cheapest_pass(&self, search: &mut Search) {
        let rule = &self.scale.rule;
        let need_greens =
            rule.max_ambers
                .map_or(0, |max| self.checks.below_green.saturating_sub(max)) as usize;
        let deficit = (self.scale.need - self.checks.points).max(0);
        struct Item {
            c: usize,
            forced: bool,
            amber: Option<(usize, i64)>,
            green: (usize, i64),
        }
        let items: Vec<Item> = self
            .levels
            .iter()
            .enumerate()
            .filter(|(_, l)| **l < 2)
            .map(|(c, &level)| {
                let w = self.scale.weights[c];
                Item {
                    c,
                    forced: level == 0 && self.scale.critical[c] && rule.critical_red_fails,
                    amber: (level == 0)
                        .then(|| (usize::from(self.raise_cost(c, Rating::Amber)), w)),
                    green: (
                        usize::from(self.raise_cost(c, Rating::Green)),
                        w * i64::from(2 - level),
                    ),
                }
            })
            .collect();
        let all_green: usize = items.iter().map(|it| it.green.0).sum();
        let js = need_greens + 1;
        let mut cap = all_green.min(8);
        loop {
            let ks = cap + 1;
            let states = js * ks;
            search.best.clear();
            search.best.resize(states, UNREACHABLE);
            search.best[0] = 0;
            search.choices.clear();
            search.choices.resize(states * items.len(), 0);
            for (n, item) in items.iter().enumerate() {
                search.next.clear();
                search.next.resize(states, UNREACHABLE);
                let choices = &mut search.choices[n * states..(n + 1) * states];
                for j in 0..js {
                    for k in 0..ks {
                        let gained = search.best[j * ks + k];
                        if gained == UNREACHABLE {
                            continue;
                        }
                        // Choice code: option (0 keep, 1 Amber, 2 Green) and the previous j.
                        let mut offer = |j2: usize, k2: usize, value: i64, option: u16| {
                            if k2 < ks && value > search.next[j2 * ks + k2] {
                                search.next[j2 * ks + k2] = value;
                                choices[j2 * ks + k2] = option | ((j as u16) << 2);
                            }
                        };
                        if !item.forced {
                            offer(j, k, gained, 0);
                        }
                        if let Some((cost, gain)) = item.amber {
                            offer(j, k + cost, gained + gain, 1);
                        }
                        let (cost, gain) = item.green;
                        offer((j + 1).min(need_greens), k + cost, gained + gain, 2);
                    }
                }
                std::mem::swap(&mut search.best, &mut search.next);
            }
            let row = need_greens * ks;
            if let Some(k) = (0..ks).find(|&k| search.best[row + k] >= deficit) {
                // Walk the choices back from the last criterion.
                let (mut j, mut k) = (need_greens, k);
                for (n, item) in items.iter().enumerate().rev() {
                    let code = search.choices[n * states + j * ks + k];
                    let option = code & 3;
                    let previous_j = usize::from(code >> 2);
                    match option {
                        1 => {
                            search.targets.push((item.c, Rating::Amber));
                            k -= item.amber.map_or(0, |a| a.0);
                        }
                        2 => {
                            search.targets.push((item.c, Rating::Green));
                            k -= item.green.0;
                        }
                        _ => {}
                    }
                    j = previous_j;
                }
                return;
            }
            if cap >= all_green {
                // Unreachable: all Green always passes. Fall back to it rather than panic.
                search.targets.clear();
                search
                    .targets
                    .extend(items.iter().map(|it| (it.c, Rating::Green)));
                return;
            }
            cap = (cap * 2).min(all_green);
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
