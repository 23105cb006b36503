//! Red/Amber/Green ratings and how the councils' ratings of one criterion combine into one.

use crate::Invalid;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A council's rating of a criterion. Ordered from worst to best.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rating {
    /// Red: a serious obstacle to sharing.
    Red = 0,
    /// Amber: an obstacle that can be resolved.
    Amber = 1,
    /// Green: no obstacle.
    Green = 2,
}

impl Rating {
    /// Every rating, worst first.
    pub const ALL: [Rating; 3] = [Rating::Red, Rating::Amber, Rating::Green];

    /// Points in half units: Red 0, Amber 1, Green 2. The score scale is these halved
    /// (Green 1, Amber 0.5, Red 0); whole half-units keep the arithmetic exact.
    pub const fn points(self) -> u8 {
        self as u8
    }

    /// The rating with the given points (0, 1, 2); anything above 2 is Green.
    pub const fn from_points(points: u8) -> Rating {
        match points {
            0 => Rating::Red,
            1 => Rating::Amber,
            _ => Rating::Green,
        }
    }

    /// The value on the score scale: Green 1, Amber 0.5, Red 0.
    pub fn value(self) -> f64 {
        f64::from(self.points()) / 2.0
    }

    /// The letter pages show beside the colour (never colour alone): R, A or G.
    pub fn letter(self) -> char {
        match self {
            Rating::Red => 'R',
            Rating::Amber => 'A',
            Rating::Green => 'G',
        }
    }

    /// The name: Red, Amber or Green.
    pub fn label(self) -> &'static str {
        match self {
            Rating::Red => "Red",
            Rating::Amber => "Amber",
            Rating::Green => "Green",
        }
    }

    /// The stable name used in storage and JSON: red, amber or green.
    pub fn slug(self) -> &'static str {
        match self {
            Rating::Red => "red",
            Rating::Amber => "amber",
            Rating::Green => "green",
        }
    }

    /// Parses R, A or G, or the full name, ignoring case and surrounding spaces.
    pub fn parse(field: &str, text: &str) -> Result<Rating, Invalid> {
        let t = text.trim();
        Rating::ALL
            .into_iter()
            .find(|r| {
                t.eq_ignore_ascii_case(r.slug())
                    || (t.len() == 1 && t.eq_ignore_ascii_case(&r.letter().to_string()))
            })
            .ok_or_else(|| {
                Invalid::field(
                    field,
                    format!("“{text}” is not a rating; use R, A or G (Red, Amber or Green)"),
                )
            })
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Serialize for Rating {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.slug())
    }
}

impl<'de> Deserialize<'de> for Rating {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Rating::parse("rating", &text).map_err(serde::de::Error::custom)
    }
}

/// How many councils gave each rating to one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Councils that rated it Red.
    pub red: u16,
    /// Councils that rated it Amber.
    pub amber: u16,
    /// Councils that rated it Green.
    pub green: u16,
}

impl Counts {
    /// Counts the ratings.
    pub fn of(ratings: &[Rating]) -> Counts {
        let mut counts = Counts::default();
        for rating in ratings {
            counts.add(*rating);
        }
        counts
    }

    /// Adds one rating.
    pub fn add(&mut self, rating: Rating) {
        match rating {
            Rating::Red => self.red += 1,
            Rating::Amber => self.amber += 1,
            Rating::Green => self.green += 1,
        }
    }

    /// The number of councils.
    pub fn total(self) -> u16 {
        self.red + self.amber + self.green
    }

    /// Councils that rated it `level` or better.
    pub fn at_least(self, level: Rating) -> u16 {
        match level {
            Rating::Red => self.total(),
            Rating::Amber => self.amber + self.green,
            Rating::Green => self.green,
        }
    }

    /// The sum of the points (Red 0, Amber 1, Green 2).
    pub fn points(self) -> u32 {
        u32::from(self.amber) + 2 * u32::from(self.green)
    }
}

/// How the councils' ratings of a criterion combine into the criterion's rating. Every rule
/// here is monotone — a council raising its rating never lowers the combined one — which is
/// what makes "the smallest set of changes that flips the outcome" well defined and fast to
/// find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Combination {
    /// The worst of the councils' ratings: one council's Red makes the criterion Red. The
    /// default, because a shared service needs every partner able to share it.
    #[default]
    Worst,
    /// The best rating that more than half of the councils give or better (the lower median):
    /// Green if a majority rate it Green, else Amber if a majority rate it Amber or Green, else
    /// Red. With two councils a majority is both, so this equals `worst`.
    Majority,
    /// The mean on the score scale rounded to the nearest rating, a tie going to the worse
    /// one: a mean of 0.25 or less is Red, above 0.75 is Green, Amber between.
    Mean,
}

impl Combination {
    /// Every combination, for forms.
    pub const ALL: [Combination; 3] =
        [Combination::Worst, Combination::Majority, Combination::Mean];

    /// The stable name used in storage and JSON.
    pub fn slug(self) -> &'static str {
        match self {
            Combination::Worst => "worst",
            Combination::Majority => "majority",
            Combination::Mean => "mean",
        }
    }

    /// A description for pages.
    pub fn label(self) -> &'static str {
        match self {
            Combination::Worst => "the worst of the councils' ratings",
            Combination::Majority => "the rating a majority of the councils give or better",
            Combination::Mean => "the councils' mean rating, rounded down at a tie",
        }
    }

    /// Parses a slug.
    pub fn parse(field: &str, text: &str) -> Result<Combination, Invalid> {
        Combination::ALL
            .into_iter()
            .find(|c| c.slug().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                Invalid::field(
                    field,
                    format!(
                        "“{text}” is not a way to combine ratings; use worst, majority or mean"
                    ),
                )
            })
    }

    /// The combined rating of a criterion from its counts. `counts` must hold at least one
    /// rating; with none the criterion is Red.
    pub fn combine(self, counts: Counts) -> Rating {
        let n = u32::from(counts.total());
        match self {
            Combination::Worst => {
                if counts.red > 0 || n == 0 {
                    Rating::Red
                } else if counts.amber > 0 {
                    Rating::Amber
                } else {
                    Rating::Green
                }
            }
            Combination::Majority => {
                if 2 * u32::from(counts.green) > n {
                    Rating::Green
                } else if 2 * u32::from(counts.at_least(Rating::Amber)) > n {
                    Rating::Amber
                } else {
                    Rating::Red
                }
            }
            Combination::Mean => {
                let sum = counts.points();
                if 2 * sum > 3 * n {
                    Rating::Green
                } else if 2 * sum > n {
                    Rating::Amber
                } else {
                    Rating::Red
                }
            }
        }
    }

    /// The fewest councils whose ratings must rise for the combined rating to be `level` or
    /// better.
    pub fn raise_cost(self, counts: Counts, level: Rating) -> u16 {
        let n = counts.total();
        match self {
            Combination::Worst => n - counts.at_least(level),
            Combination::Majority => (n / 2 + 1).saturating_sub(counts.at_least(level)),
            Combination::Mean => {
                let target = match level {
                    Rating::Red => return 0,
                    Rating::Amber => u32::from(n) / 2 + 1,
                    Rating::Green => 3 * u32::from(n) / 2 + 1,
                };
                // Raising a Red to Green adds two points, an Amber one: Reds first.
                let deficit = target.saturating_sub(counts.points());
                let reds = u32::from(counts.red);
                let cost = if 2 * reds >= deficit {
                    deficit.div_ceil(2)
                } else {
                    reds + (deficit - 2 * reds)
                };
                u16::try_from(cost).unwrap_or(u16::MAX)
            }
        }
    }

    /// The fewest councils whose ratings must fall for the combined rating to be `level` or
    /// worse.
    pub fn lower_cost(self, counts: Counts, level: Rating) -> u16 {
        let n = counts.total();
        match self {
            Combination::Worst => u16::from(self.combine(counts) > level),
            Combination::Majority => match level {
                Rating::Green => 0,
                Rating::Amber => counts.green.saturating_sub(n / 2),
                Rating::Red => counts.at_least(Rating::Amber).saturating_sub(n / 2),
            },
            Combination::Mean => {
                let ceiling = match level {
                    Rating::Green => return 0,
                    Rating::Amber => 3 * u32::from(n) / 2,
                    Rating::Red => u32::from(n) / 2,
                };
                // Lowering a Green to Red takes two points off, an Amber one: Greens first.
                let excess = counts.points().saturating_sub(ceiling);
                let greens = u32::from(counts.green);
                let cost = if 2 * greens >= excess {
                    excess.div_ceil(2)
                } else {
                    greens + (excess - 2 * greens)
                };
                u16::try_from(cost).unwrap_or(u16::MAX)
            }
        }
    }

    /// Which councils change, and to what, to make the combined rating `level` or better at
    /// the cost [`Combination::raise_cost`] gives. Pushes `(council, new rating)` pairs.
    /// Deterministic: the councils closest to the level first, then in council order.
    pub(crate) fn raise_changes(
        self,
        ratings: &[Rating],
        level: Rating,
        out: &mut Vec<(usize, Rating)>,
    ) {
        let cost = usize::from(self.raise_cost(Counts::of(ratings), level));
        let (order, target) = match self {
            // Councils below the level, highest first: the smallest moves.
            Combination::Worst | Combination::Majority => ([Rating::Amber, Rating::Red], level),
            // The largest gains first: Reds to Green, then Ambers to Green. The caller softens
            // each change to the mildest one that still does the job.
            Combination::Mean => ([Rating::Red, Rating::Amber], Rating::Green),
        };
        let mut pushed = 0;
        for from in order {
            if from >= level {
                continue;
            }
            for (council, _) in ratings.iter().enumerate().filter(|(_, r)| **r == from) {
                if pushed == cost {
                    return;
                }
                out.push((council, target));
                pushed += 1;
            }
        }
    }

    /// Which councils change, and to what, to make the combined rating `level` or worse at the
    /// cost [`Combination::lower_cost`] gives. Pushes `(council, new rating)` pairs.
    pub(crate) fn lower_changes(
        self,
        ratings: &[Rating],
        level: Rating,
        out: &mut Vec<(usize, Rating)>,
    ) {
        let cost = usize::from(self.lower_cost(Counts::of(ratings), level));
        let mut pushed = 0;
        let order: [Rating; 2] = match self {
            // Councils above the level, lowest first: the smallest moves.
            Combination::Worst | Combination::Majority => [Rating::Amber, Rating::Green],
            // The largest drops first; the caller softens them.
            Combination::Mean => [Rating::Green, Rating::Amber],
        };
        let target = match self {
            Combination::Mean => Rating::Red,
            _ => level,
        };
        for from in order {
            if from <= level {
                continue;
            }
            for (council, _) in ratings.iter().enumerate().filter(|(_, r)| **r == from) {
                if pushed == cost {
                    return;
                }
                out.push((council, target));
                pushed += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Rating::{Amber as A, Green as G, Red as R};

    #[test]
    fn ratings_parse_letters_and_names_and_refuse_anything_else() {
        let cases = [
            ("R", Ok(R)),
            ("a", Ok(A)),
            (" green ", Ok(G)),
            ("Amber", Ok(A)),
            ("B", Err(())),
            ("", Err(())),
            ("GG", Err(())),
            ("amber/green", Err(())),
        ];
        for (text, expected) in cases {
            let got = Rating::parse("rating", text);
            match expected {
                Ok(r) => assert_eq!(got, Ok(r), "{text:?}"),
                Err(()) => {
                    let err = got.unwrap_err();
                    assert_eq!(err.errors[0].field, "rating");
                    assert!(err.errors[0].message.contains("use R, A or G"));
                }
            }
        }
    }

    #[test]
    fn combinations_follow_their_definitions() {
        use Combination::{Majority, Mean, Worst};
        let cases: [(&[Rating], [Rating; 3]); 10] = [
            // ratings, [worst, majority, mean]
            (&[G, G], [G, G, G]),
            (&[G, A], [A, A, A]),
            (&[G, R], [R, R, A]), // mean 0.5 is Amber
            (&[A, A], [A, A, A]),
            (&[G, G, R], [R, G, A]),
            (&[G, A, R], [R, A, A]),
            (&[G, R, R], [R, R, A]), // mean 0.33 is nearer Amber
            (&[G, G, G, A], [A, G, G]),
            (&[G, G, A, A], [A, A, A]),
            (&[R], [R, R, R]),
        ];
        for (ratings, expected) in cases {
            let counts = Counts::of(ratings);
            let got = [
                Worst.combine(counts),
                Majority.combine(counts),
                Mean.combine(counts),
            ];
            assert_eq!(got, expected, "{ratings:?}");
        }
    }

    /// Brute force: the cost functions equal the fewest changes over every way of changing
    /// the ratings, and the chosen changes reach the level at that cost.
    #[test]
    fn costs_are_the_fewest_changes() {
        for n in 1..=5usize {
            let total = 3usize.pow(n as u32);
            let all: Vec<Vec<Rating>> = (0..total)
                .map(|mut code| {
                    (0..n)
                        .map(|_| {
                            let r = Rating::from_points((code % 3) as u8);
                            code /= 3;
                            r
                        })
                        .collect()
                })
                .collect();
            for combination in Combination::ALL {
                for from in &all {
                    for level in Rating::ALL {
                        let distance =
                            |to: &Vec<Rating>| from.iter().zip(to).filter(|(a, b)| a != b).count();
                        let best_up = all
                            .iter()
                            .filter(|to| combination.combine(Counts::of(to)) >= level)
                            .map(distance)
                            .min()
                            .unwrap();
                        let best_down = all
                            .iter()
                            .filter(|to| combination.combine(Counts::of(to)) <= level)
                            .map(distance)
                            .min()
                            .unwrap();
                        let counts = Counts::of(from);
                        assert_eq!(
                            usize::from(combination.raise_cost(counts, level)),
                            best_up,
                            "{combination:?} {from:?} up to {level:?}"
                        );
                        assert_eq!(
                            usize::from(combination.lower_cost(counts, level)),
                            best_down,
                            "{combination:?} {from:?} down to {level:?}"
                        );
                        for (up, expected) in [(true, best_up), (false, best_down)] {
                            let mut changes = Vec::new();
                            if up {
                                combination.raise_changes(from, level, &mut changes);
                            } else {
                                combination.lower_changes(from, level, &mut changes);
                            }
                            assert_eq!(changes.len(), expected);
                            let mut to = from.clone();
                            for (council, rating) in changes {
                                to[council] = rating;
                            }
                            let combined = combination.combine(Counts::of(&to));
                            assert!(
                                if up {
                                    combined >= level
                                } else {
                                    combined <= level
                                },
                                "{combination:?} {from:?} -> {to:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn combinations_are_monotone() {
        for n in 1..=5u16 {
            for red in 0..=n {
                for amber in 0..=(n - red) {
                    let counts = Counts {
                        red,
                        amber,
                        green: n - red - amber,
                    };
                    for c in Combination::ALL {
                        let base = c.combine(counts);
                        if red > 0 {
                            let up = Counts {
                                red: red - 1,
                                amber: amber + 1,
                                ..counts
                            };
                            assert!(c.combine(up) >= base);
                        }
                        if amber > 0 {
                            let up = Counts {
                                amber: amber - 1,
                                green: counts.green + 1,
                                ..counts
                            };
                            assert!(c.combine(up) >= base);
                        }
                    }
                }
            }
        }
    }
}
