//! Accord's numeric engines: Green Book appraisal of business cases, Monte Carlo risk
//! analysis, and fair apportionment of a partnership's costs and savings.
//!
//! The engines are pure (no I/O) and use every core through rayon. Money is carried as
//! `f64` pounds inside the engines, as `accord_domain::money` allows for simulation, and
//! rounded to the penny at the edges.
//!
//! - [`discounting`]: the Green Book discount schedule.
//! - [`distribution`]: three-point estimates, triangular and PERT distributions.
//! - [`monte_carlo`]: the simulation engine (seeded, chunked, flat memory).
//! - [`business_case`]: options, cost and savings lines, NPV, BCR, payback, per-council NPV.
//! - [`apportionment`]: equal and proportional splits, Shapley value, nucleolus, least core,
//!   core check.
//! - [`coalition_model`]: coalition costs derived from standalone and shared costs.
//! - [`cli`]: the JSON entry points behind `accord appraise` and `accord allocate`.

pub mod apportionment;
pub mod business_case;
pub mod cli;
pub mod coalition_model;
pub mod discounting;
pub mod distribution;
pub mod monte_carlo;
mod rng;
