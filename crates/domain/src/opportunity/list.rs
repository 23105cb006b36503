//! Which opportunities a list shows and in what order: the filter and the sort, as rules in
//! Rust. The store answers the same questions in SQL over its columns; a property test holds
//! the two to the same answers.

use super::{Opportunity, ProjectSize, StatusKind};
use crate::{GssCode, Invalid};
use chrono::NaiveDate;
use std::cmp::Ordering;

/// The longest text a list may search for.
pub const MAX_FILTER_TEXT: usize = 200;

/// A filter on a phase or a wave: any, not stated, or one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NumberFilter {
    /// Any value, or none.
    #[default]
    Any,
    /// Only where none is stated.
    NotStated,
    /// Only this number.
    Is(u32),
}

impl NumberFilter {
    /// Reads `""` (any), `none` (not stated) or a number; `field` names the input.
    pub fn parse(field: &str, text: &str) -> Result<NumberFilter, Invalid> {
        match text.trim() {
            "" => Ok(NumberFilter::Any),
            "none" => Ok(NumberFilter::NotStated),
            t => t
                .parse()
                .map(NumberFilter::Is)
                .map_err(|_| Invalid::field(field, format!("“{t}” is not a {field} number"))),
        }
    }

    /// Whether a value passes.
    pub fn matches(self, value: Option<u32>) -> bool {
        match self {
            NumberFilter::Any => true,
            NumberFilter::NotStated => value.is_none(),
            NumberFilter::Is(n) => value == Some(n),
        }
    }

    /// The filter as a query value: `""`, `none` or the number.
    pub fn text(self) -> String {
        match self {
            NumberFilter::Any => String::new(),
            NumberFilter::NotStated => "none".to_owned(),
            NumberFilter::Is(n) => n.to_string(),
        }
    }
}

/// Which opportunities of a programme a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpportunityFilter {
    /// By phase.
    pub phase: NumberFilter,
    /// By wave.
    pub wave: NumberFilter,
    /// Only this status.
    pub status: Option<StatusKind>,
    /// Only those raised by this council.
    pub originating: Option<GssCode>,
    /// Only this size.
    pub size: Option<ProjectSize>,
    /// Only those whose service, scope or reference contains this, in any case.
    pub text: Option<String>,
    /// Only deferred ones due to be evaluated again on or before this date.
    pub re_evaluate_by: Option<NaiveDate>,
}

impl OpportunityFilter {
    /// Checks the filter: a search of more than [`MAX_FILTER_TEXT`] characters is refused.
    pub fn prepare(&self) -> Result<(), Invalid> {
        if self
            .text
            .as_deref()
            .is_some_and(|t| t.trim().chars().count() > MAX_FILTER_TEXT)
        {
            return Err(Invalid::field(
                "text",
                format!("Search for {MAX_FILTER_TEXT} characters or fewer"),
            ));
        }
        Ok(())
    }

    /// The search text, trimmed and in lower case (Unicode lower-casing), when there is one:
    /// "contains, in any case" compares lower-cased text, in Rust and in SQL alike.
    pub fn needle(&self) -> Option<String> {
        self.text
            .as_deref()
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
    }

    /// Whether an opportunity passes.
    pub fn matches(&self, o: &Opportunity) -> bool {
        if !self.phase.matches(o.phase) || !self.wave.matches(o.wave) {
            return false;
        }
        if self.status.is_some_and(|s| s != o.status.kind())
            || self
                .originating
                .as_ref()
                .is_some_and(|g| g != &o.originating)
            || self.size.is_some_and(|s| Some(s) != o.size)
        {
            return false;
        }
        if let Some(by) = self.re_evaluate_by
            && o.status.re_evaluate().is_none_or(|d| d > by)
        {
            return false;
        }
        if let Some(needle) = self.needle() {
            let found = |hay: &str| hay.to_lowercase().contains(&needle);
            if !(found(&o.service.name) || found(&o.scope) || found(&o.reference())) {
                return false;
            }
        }
        true
    }
}

/// The order of a list. Every order ends with the reference's number, so it is total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OpportunitySort {
    /// By reference: the order they were raised in.
    #[default]
    Reference,
    /// By service name (lower-cased, by its characters' code points).
    Service,
    /// By status, in the lifecycle's order.
    Status,
    /// By phase, not stated last.
    Phase,
    /// By re-evaluation date, those without one last.
    ReEvaluation,
}

/// The phase a list sorts "not stated" under: after every phase there can be.
pub const PHASE_NOT_STATED: u32 = 1_000;

impl OpportunitySort {
    /// Every order, for forms.
    pub const ALL: [OpportunitySort; 5] = [
        OpportunitySort::Reference,
        OpportunitySort::Service,
        OpportunitySort::Status,
        OpportunitySort::Phase,
        OpportunitySort::ReEvaluation,
    ];

    /// The stable name used in queries.
    pub fn slug(self) -> &'static str {
        match self {
            OpportunitySort::Reference => "reference",
            OpportunitySort::Service => "service",
            OpportunitySort::Status => "status",
            OpportunitySort::Phase => "phase",
            OpportunitySort::ReEvaluation => "re-evaluation",
        }
    }

    /// A label for pages.
    pub fn label(self) -> &'static str {
        match self {
            OpportunitySort::Reference => "Reference (the order raised)",
            OpportunitySort::Service => "Service",
            OpportunitySort::Status => "Status",
            OpportunitySort::Phase => "Phase",
            OpportunitySort::ReEvaluation => "Date to evaluate again",
        }
    }

    /// Reads a slug; empty is the default order.
    pub fn parse(field: &str, text: &str) -> Result<OpportunitySort, Invalid> {
        if text.trim().is_empty() {
            return Ok(OpportunitySort::default());
        }
        OpportunitySort::ALL
            .into_iter()
            .find(|s| s.slug() == text.trim())
            .ok_or_else(|| {
                let slugs: Vec<&str> = OpportunitySort::ALL.iter().map(|s| s.slug()).collect();
                Invalid::field(
                    field,
                    format!(
                        "“{text}” is not an order of the list; use one of {}",
                        slugs.join(", ")
                    ),
                )
            })
    }

    /// The key an opportunity sorts by, before its number.
    pub fn key(self, o: &Opportunity) -> SortKey {
        match self {
            OpportunitySort::Reference => SortKey::None,
            OpportunitySort::Service => SortKey::Text(o.service.name.to_lowercase()),
            OpportunitySort::Status => SortKey::Number(status_position(o.status.kind())),
            OpportunitySort::Phase => SortKey::Number(o.phase.unwrap_or(PHASE_NOT_STATED)),
            OpportunitySort::ReEvaluation => {
                SortKey::Date(o.status.re_evaluate().unwrap_or_else(last_date))
            }
        }
    }

    /// Compares two opportunities in this order.
    pub fn compare(self, a: &Opportunity, b: &Opportunity) -> Ordering {
        self.key(a).cmp(&self.key(b)).then(a.number.cmp(&b.number))
    }
}

/// The date a list sorts "no re-evaluation date" under: the last day a date column holds on
/// every database Accord runs on.
pub fn last_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// A status's position in the lifecycle, from 0.
pub fn status_position(kind: StatusKind) -> u32 {
    StatusKind::ALL
        .iter()
        .position(|k| *k == kind)
        .and_then(|p| u32::try_from(p).ok())
        .unwrap_or(u32::MAX)
}

/// What an opportunity sorts by, before its number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    /// The reference order: the number alone.
    None,
    /// A text (a lower-cased service name).
    Text(String),
    /// A number (a status's position, a phase).
    Number(u32),
    /// A date.
    Date(NaiveDate),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opportunity::{NewOpportunity, Status};
    use crate::service::Service;
    use crate::{Member, MemberRole, MemberStatus, Partnership};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn raised(number: u32, service: &str, phase: Option<u32>) -> Opportunity {
        let p = Partnership {
            id: 1,
            name: "P".into(),
            summary: String::new(),
            source: None,
            members: vec![Member {
                authority: GssCode::parse("g", "E09000014").unwrap(),
                role: MemberRole::Partner,
                status: MemberStatus::Active,
                joined: None,
                left: None,
            }],
        };
        let mut o = Opportunity::raise(
            &p,
            Service::parse(service, "legal").unwrap(),
            &NewOpportunity {
                scope: format!("Share {service}"),
                originating: "E09000014".into(),
                wave: None,
                phase,
                size: None,
            },
            d(2011, 7, 1),
            "pd",
        )
        .unwrap();
        o.number = number;
        o
    }

    #[test]
    fn filters_match_phase_status_text_and_dates() {
        let mut deferred = raised(3, "Legal Services", None);
        deferred.status = Status::Deferred {
            re_evaluate: d(2011, 12, 31),
        };
        let all = [
            raised(1, "Payroll", Some(1)),
            raised(2, "Zoë's service", Some(2)),
            deferred,
        ];
        let cases: [(OpportunityFilter, &[u32]); 6] = [
            (OpportunityFilter::default(), &[1, 2, 3]),
            (
                OpportunityFilter {
                    phase: NumberFilter::NotStated,
                    ..OpportunityFilter::default()
                },
                &[3],
            ),
            (
                OpportunityFilter {
                    text: Some(" ZOË ".into()),
                    ..OpportunityFilter::default()
                },
                &[2],
            ),
            (
                OpportunityFilter {
                    text: Some("opp-1".into()),
                    ..OpportunityFilter::default()
                },
                &[1],
            ),
            (
                OpportunityFilter {
                    re_evaluate_by: Some(d(2011, 12, 31)),
                    ..OpportunityFilter::default()
                },
                &[3],
            ),
            (
                OpportunityFilter {
                    status: Some(StatusKind::Identified),
                    phase: NumberFilter::Is(2),
                    ..OpportunityFilter::default()
                },
                &[2],
            ),
        ];
        for (filter, expected) in cases {
            let got: Vec<u32> = all
                .iter()
                .filter(|o| filter.matches(o))
                .map(|o| o.number)
                .collect();
            assert_eq!(got, expected, "{filter:?}");
        }
        let long = OpportunityFilter {
            text: Some("x".repeat(201)),
            ..OpportunityFilter::default()
        };
        assert_eq!(long.prepare().unwrap_err().errors[0].field, "text");
    }

    #[test]
    fn sorts_end_with_the_number_and_put_not_stated_last() {
        let a = raised(1, "b", None);
        let b = raised(2, "A", Some(3));
        let c = raised(3, "a", Some(3));
        let order = |sort: OpportunitySort| {
            let mut all = [&a, &b, &c];
            all.sort_by(|x, y| sort.compare(x, y));
            all.iter().map(|o| o.number).collect::<Vec<_>>()
        };
        assert_eq!(order(OpportunitySort::Reference), [1, 2, 3]);
        assert_eq!(order(OpportunitySort::Service), [2, 3, 1]);
        assert_eq!(order(OpportunitySort::Phase), [2, 3, 1]);
        for (text, sort) in [
            ("", OpportunitySort::Reference),
            ("status", OpportunitySort::Status),
        ] {
            assert_eq!(OpportunitySort::parse("sort", text).unwrap(), sort);
        }
        assert_eq!(
            OpportunitySort::parse("sort", "size").unwrap_err().errors[0].field,
            "sort"
        );
    }
}
