//! The compatibility gateway (MOU Schedule 1): criteria, Red/Amber/Green ratings, how the
//! councils' ratings combine, the gateway rule, and the sensitivity of every outcome — how
//! few rating changes would flip it, and how far each weight can move before the outcome or
//! the opportunity's rank changes.
//!
//! The score scale is Green 1, Amber 0.5, Red 0; the weighted score is the weighted mean of
//! the combined ratings, in 0..=1. Internally the gateway counts in whole half-units and
//! millionths of a weight, so scores, ties and interval ends are exact.
//!
//! - [`criteria`]: [`Criteria`] (a numbered list), [`Criterion`], [`Weight`], [`Threshold`].
//! - [`rating`]: [`Rating`], [`Combination`].
//! - [`rule`]: [`GatewayRule`] and its defaults, [`Outcome`].
//! - [`assessment`]: [`Assessment`] (validated ratings with reasons) and the explained
//!   [`AssessmentReport`].
//! - [`analysis`]: the programme engine: [`analyse`] scores, ranks and finds flips and weight
//!   ranges for thousands of opportunities at once.
//! - [`criteria_set`]: the gateway as a partnership keeps it: numbered [`CriteriaSet`]s (the
//!   criteria with their weights and the rule), each council's ratings ([`CouncilRatings`]),
//!   combined into an [`Assessment`], and a programme's assessments worked out together
//!   ([`assess_programme`]).
//! - [`cli`]: `accord assess FILE.json`.

pub mod analysis;
pub mod assessment;
pub mod cli;
pub mod criteria;
pub mod criteria_set;
pub mod rating;
pub mod rule;

pub use analysis::{
    Analysis, Flip, MAX_COUNCILS, RatingChange, RatingMatrix, WeightRange, WeightSensitivity,
    analyse,
};
pub use assessment::{
    Assessment, AssessmentReport, Council, CouncilInput, CouncilRating, RatingInput, check_rating,
    report_programme,
};
pub use criteria::{Criteria, Criterion, CriterionInput, Threshold, Weight};
pub use criteria_set::{
    AssessmentState, CouncilRatings, CriteriaSet, ProgrammeItem, assess_programme, combine,
    councils_of, rate, set_used,
};
pub use rating::{Combination, Counts, Rating};
pub use rule::{GatewayRule, Outcome, RuleInput};
