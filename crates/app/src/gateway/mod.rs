//! The compatibility gateway (MOU Schedule 1 and report 7.2.1): the service catalogue, a
//! partnership's opportunities and the offer of each to the preferred partners (MOU 3.2), the
//! criteria sets, each council's ratings, the assessment of each opportunity with its outcome,
//! the RAG matrix and the ranking.
//!
//! - [`services`]: the catalogue.
//! - [`opportunities`]: raising, changing, offering and answering; the paged list.
//! - [`criteria_sets`]: the versions of the criteria and rule.
//! - [`assessment`]: rating (every council of one submission in one transaction) and one
//!   opportunity's assessment.
//! - [`matrix`]: the programme as the RAG matrix (table, SVG, CSV) and the ranking.
//!
//! Reads that show the whole programme ([`programme`]) read every opportunity, every criteria
//! set and every council's ratings the caller may see once each — the ratings in one query over
//! their table — and let the domain combine, rank and explain them.

pub mod assessment;
pub mod criteria_sets;
pub mod matrix;
pub mod opportunities;
pub mod services;

use std::collections::HashMap;

use accord_domain::access::{Action, Area, Classification, RecordMeta};
use accord_domain::gateway::{
    AssessmentState, Council, CouncilRating, CouncilRatings, Counts, CriteriaSet, ProgrammeItem,
    Rating, assess_programme, councils_of, set_used,
};
use accord_domain::opportunity::Opportunity;
use accord_domain::opportunity::list::OpportunityFilter;
use accord_domain::{Authority, GssCode, Partnership};
use accord_store::gateway::{
    OpportunityPage, StoredCouncilRatings, StoredCriteriaSet, StoredOpportunity,
};

use crate::{App, AppError, Caller, Result};

pub use accord_store::gateway::{COUNCIL_RATINGS_KIND, OPPORTUNITY_KIND, SERVICE_KIND};

/// The most opportunities one programme read takes in (the matrix shows them all).
const PROGRAMME_LIMIT: i64 = 10_000;

/// An opportunity as its reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpportunityEntry {
    /// The record's id (its history is filed under it).
    pub record_id: i64,
    /// The version a change must name.
    pub version: i64,
    /// Who may see and change it.
    pub meta: RecordMeta,
    /// Its class today.
    pub classification: Classification,
    /// The opportunity.
    pub opportunity: Opportunity,
}

impl OpportunityEntry {
    fn of(stored: StoredOpportunity, today: chrono::NaiveDate) -> Self {
        OpportunityEntry {
            record_id: stored.record_id,
            version: stored.version,
            classification: stored.meta.effective_classification(today),
            meta: stored.meta,
            opportunity: stored.opportunity,
        }
    }

    /// Its reference: `OPP-7`.
    pub fn reference(&self) -> String {
        self.opportunity.reference()
    }
}

/// One council's ratings of an opportunity as their reader sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingsEntry {
    /// The record's id.
    pub record_id: i64,
    /// The version a change must name.
    pub version: i64,
    /// Who may see and change them.
    pub meta: RecordMeta,
    /// The ratings.
    pub ratings: CouncilRatings,
}

impl From<StoredCouncilRatings> for RatingsEntry {
    fn from(stored: StoredCouncilRatings) -> Self {
        RatingsEntry {
            record_id: stored.record_id,
            version: stored.version,
            meta: stored.meta,
            ratings: stored.ratings,
        }
    }
}

/// The councils a page names, by GSS code.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Names(HashMap<String, Authority>);

impl Names {
    /// A council's short name, or its code when it is not in the register.
    pub fn name(&self, code: &GssCode) -> String {
        self.0
            .get(code.as_str())
            .map_or_else(|| code.to_string(), |a| a.short_name.clone())
    }
}

/// The councils with these codes, as the register names them.
pub(crate) async fn names(app: &App, codes: Vec<GssCode>) -> Result<Names> {
    let mut found = HashMap::new();
    for code in codes {
        if found.contains_key(code.as_str()) {
            continue;
        }
        if let Some(authority) = app.store().authority(code.as_str()).await? {
            found.insert(code.as_str().to_owned(), authority);
        }
    }
    Ok(Names(found))
}

/// The partnership's member councils, named as the register names them.
pub async fn member_names(app: &App, caller: &Caller, partnership_id: i64) -> Result<Names> {
    caller.check(Action::Read, &programme_meta(partnership_id), app.today())?;
    let partnership = partnership(app, partnership_id).await?;
    let codes = partnership
        .members
        .iter()
        .map(|m| m.authority.clone())
        .collect();
    names(app, codes).await
}

/// One opportunity of a programme with its councils' ratings and its assessment.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The opportunity.
    pub opportunity: OpportunityEntry,
    /// The councils that rate it, named.
    pub councils: Vec<Council>,
    /// Every council's ratings the reader may see, under every set.
    pub parts: Vec<RatingsEntry>,
    /// The version of the criteria set its assessment uses: the latest it has ratings under,
    /// or the partnership's current one when it has none.
    pub set: u32,
    /// Its assessment under that set.
    pub state: AssessmentState,
}

impl Entry {
    /// The opportunity.
    pub fn opportunity(&self) -> &Opportunity {
        &self.opportunity.opportunity
    }

    /// The councils' ratings under the set the assessment uses.
    pub fn current_parts(&self) -> impl Iterator<Item = &RatingsEntry> {
        self.parts
            .iter()
            .filter(move |p| p.ratings.criteria_version == self.set)
    }

    /// A council's ratings under a set.
    pub fn part(&self, council: &GssCode, set: u32) -> Option<&RatingsEntry> {
        self.parts
            .iter()
            .find(|p| &p.ratings.council == council && p.ratings.criteria_version == set)
    }

    /// Whether any rating it shows is illustrative.
    pub fn illustrative(&self) -> bool {
        self.current_parts().any(|p| p.ratings.illustrative)
    }

    /// A council's rating of a criterion under the set the assessment uses.
    pub fn cell(&self, criterion: &str, council: &GssCode) -> Option<&CouncilRating> {
        self.part(council, self.set)
            .and_then(|p| p.ratings.rating_of(criterion))
    }

    /// The combined rating of a criterion when every council has rated it (as the reader sees
    /// the ratings), else `None`.
    pub fn combined(&self, set: &CriteriaSet, criterion: &str) -> Option<Rating> {
        if self.councils.is_empty() {
            return None;
        }
        let mut counts = Counts::default();
        for council in &self.councils {
            counts.add(self.cell(criterion, &council.gss)?.rating);
        }
        Some(set.rule.combination.combine(counts))
    }

    /// The councils' reasons for one criterion, in one line, each cut to `limit` characters.
    pub fn reasons_line(&self, criterion: &str, limit: usize) -> String {
        self.councils
            .iter()
            .filter_map(|c| {
                self.cell(criterion, &c.gss).map(|r| {
                    let mut text: String = r.rationale.chars().take(limit).collect();
                    if r.rationale.chars().count() > limit {
                        text.push('…');
                    }
                    format!("{}: {} — {text}", c.name, r.rating)
                })
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A partnership's programme of opportunities as one reader sees it.
#[derive(Debug, Clone)]
pub struct Programme {
    /// The partnership.
    pub partnership: Partnership,
    /// The councils named anywhere in it.
    pub names: Names,
    /// The criteria sets, oldest first (never empty: version 1 is the built-in default until
    /// the partnership stores its own).
    pub sets: Vec<CriteriaSet>,
    /// The opportunities, by reference.
    pub entries: Vec<Entry>,
}

impl Programme {
    /// The current criteria set.
    pub fn current(&self) -> &CriteriaSet {
        // `sets` always holds version 1 at least.
        self.sets.last().unwrap_or_else(|| default_set())
    }

    /// A criteria set by version.
    pub fn set(&self, version: u32) -> Option<&CriteriaSet> {
        self.sets.iter().find(|s| s.version() == version)
    }

    /// A council's short name.
    pub fn name(&self, gss: &GssCode) -> String {
        self.names.name(gss)
    }

    /// An opportunity by its reference.
    pub fn entry(&self, reference: &str) -> Option<&Entry> {
        let number = accord_domain::opportunity::parse_reference(reference)?;
        self.entries
            .iter()
            .find(|e| e.opportunity().number == number)
    }
}

/// Version 1, for the (impossible) programme without sets.
fn default_set() -> &'static CriteriaSet {
    static DEFAULT: std::sync::OnceLock<CriteriaSet> = std::sync::OnceLock::new();
    DEFAULT.get_or_init(CriteriaSet::default)
}

/// The criteria sets as pages show them: the stored ones, with the built-in version 1 first
/// when the partnership has not stored it.
pub(crate) fn with_default(stored: Vec<StoredCriteriaSet>) -> Vec<CriteriaSet> {
    let mut sets: Vec<CriteriaSet> = stored.into_iter().map(|s| s.set).collect();
    if !sets.iter().any(|s| s.version() == 1) {
        sets.insert(0, CriteriaSet::default());
    }
    sets.sort_by_key(CriteriaSet::version);
    sets
}

/// The partnership, or not found.
pub(crate) async fn partnership(app: &App, partnership_id: i64) -> Result<Partnership> {
    app.store()
        .partnership(partnership_id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("partnership {partnership_id}")))
}

/// What any reader of a partnership's programme may read: the programme itself is published;
/// what is in it is filtered record by record.
pub(crate) fn programme_meta(partnership_id: i64) -> RecordMeta {
    RecordMeta::published(Area::Programme, Some(partnership_id))
}

/// Loads a partnership's programme for a reader: every opportunity and every council's ratings
/// they may see, the criteria sets, and each assessment worked out, ranked under its set.
pub async fn programme(app: &App, caller: &Caller, partnership_id: i64) -> Result<Programme> {
    let today = app.today();
    caller.check(Action::Read, &programme_meta(partnership_id), today)?;
    let partnership = partnership(app, partnership_id).await?;
    let scope = caller.scope();
    let store = app.store();
    let opportunities = store
        .opportunities(
            partnership_id,
            &OpportunityFilter::default(),
            &OpportunityPage {
                limit: PROGRAMME_LIMIT,
                ..OpportunityPage::default()
            },
            &scope,
            today,
        )
        .await?;
    let sets = with_default(store.criteria_sets(partnership_id, &scope, today).await?);
    let mut parts: HashMap<i64, Vec<RatingsEntry>> = HashMap::new();
    for stored in store
        .council_ratings(partnership_id, None, &scope, today)
        .await?
    {
        parts
            .entry(stored.opportunity_id)
            .or_default()
            .push(stored.into());
    }
    let mut codes: Vec<GssCode> = partnership
        .members
        .iter()
        .map(|m| m.authority.clone())
        .collect();
    for o in &opportunities {
        codes.push(o.opportunity.originating.clone());
        codes.extend(o.opportunity.offers.iter().map(|x| x.partner.clone()));
    }
    let names = names(app, codes).await?;
    let current = sets.last().map_or(1, CriteriaSet::version);
    let mut entries: Vec<Entry> = opportunities
        .into_iter()
        .map(|stored| {
            let parts = parts.remove(&stored.record_id).unwrap_or_default();
            let councils = councils_of(&stored.opportunity, |g| names.name(g));
            let ratings: Vec<CouncilRatings> = parts.iter().map(|p| p.ratings.clone()).collect();
            Entry {
                opportunity: OpportunityEntry::of(stored, today),
                councils,
                set: set_used(&ratings, current),
                parts,
                state: AssessmentState::NotStarted,
            }
        })
        .collect();
    let ratings: Vec<Vec<CouncilRatings>> = entries
        .iter()
        .map(|e| e.parts.iter().map(|p| p.ratings.clone()).collect())
        .collect();
    let items: Vec<ProgrammeItem<'_>> = entries
        .iter()
        .zip(&ratings)
        .map(|(e, parts)| ProgrammeItem {
            set: e.set,
            councils: &e.councils,
            parts,
        })
        .collect();
    let states = assess_programme(&sets, &items)?;
    for (entry, state) in entries.iter_mut().zip(states) {
        entry.state = state;
    }
    Ok(Programme {
        partnership,
        names,
        sets,
        entries,
    })
}

/// A programme and one of its opportunities.
#[derive(Debug, Clone)]
pub struct InProgramme {
    /// The programme.
    pub programme: Programme,
    index: usize,
}

impl InProgramme {
    /// The opportunity with its assessment.
    pub fn entry(&self) -> &Entry {
        &self.programme.entries[self.index]
    }
}

/// The programme with the opportunity a reference names, if the caller may read it (its rank
/// and the partnership's current set need the whole programme).
pub async fn in_programme(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
) -> Result<InProgramme> {
    let programme = programme(app, caller, partnership_id).await?;
    let number = accord_domain::opportunity::parse_reference(reference)
        .ok_or_else(|| AppError::not_found(format!("opportunity {reference}")))?;
    let index = programme
        .entries
        .iter()
        .position(|e| e.opportunity().number == number)
        .ok_or_else(|| AppError::not_found(format!("opportunity {reference}")))?;
    Ok(InProgramme { programme, index })
}
