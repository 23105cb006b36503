//! An opportunity's assessment: every council's Red/Amber/Green rating of every criterion with
//! its reason, combined into the outcome with its reasons, flips and weight ranges; and rating.
//!
//! Rating takes one submission for one council or several and writes all of it in one
//! transaction or none of it: the domain checks every rating first, the policy is asked for
//! every council's ratings before anything is written, and a council whose ratings changed
//! since the caller read them refuses the whole submission.

use accord_domain::access::{Action, Area, Classification, RecordMeta, decide};
use accord_domain::gateway::{
    self, CouncilRatings, CriteriaSet, RatingInput, councils_of, set_used,
};
use accord_domain::opportunity::{CLASSIFICATIONS, parse_reference};
use accord_domain::{GssCode, Invalid};
use accord_store::gateway::{StoredCouncilRatings, StoredCriteriaSet};

use super::{InProgramme, Programme, RatingsEntry, in_programme, names};
use crate::{App, AppError, Caller, Result};

/// An opportunity's assessment as its reader sees it, within its programme.
pub async fn assessment(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
) -> Result<InProgramme> {
    in_programme(app, caller, partnership_id, reference).await
}

/// The metadata of a council's new ratings.
pub fn ratings_meta(
    partnership_id: i64,
    council: &GssCode,
    classification: Classification,
) -> RecordMeta {
    RecordMeta {
        area: Area::Assessment,
        partnership_id: Some(partnership_id),
        owner: Some(council.clone()),
        classification,
        embargo: None,
    }
}

/// Whether the caller may rate for a council under a set: change its ratings there, or make
/// them (its officers rate for their own council, the programme team for any).
pub fn may_rate(
    caller: &Caller,
    programme: &Programme,
    entry: &super::Entry,
    council: &GssCode,
    set: u32,
    today: chrono::NaiveDate,
) -> bool {
    if caller.system.is_some() {
        return true;
    }
    match entry.part(council, set) {
        Some(part) => decide(&caller.actor, Action::Update, &part.meta, today).is_allowed(),
        None => decide(
            &caller.actor,
            Action::Create,
            &ratings_meta(
                programme.partnership.id,
                council,
                Classification::Partnership,
            ),
            today,
        )
        .is_allowed(),
    }
}

/// One council's ratings under a set, as the page that shows (and lets the caller change)
/// them needs: the programme, the opportunity, the set, the council if it rates the
/// opportunity, and its ratings if it has rated.
#[derive(Debug, Clone)]
pub struct CouncilView {
    /// The programme and the opportunity.
    pub within: InProgramme,
    /// The set the ratings are under.
    pub set: CriteriaSet,
    /// The council, if it rates the opportunity.
    pub council: Option<accord_domain::gateway::Council>,
    /// Its ratings under the set, if it has rated.
    pub part: Option<RatingsEntry>,
    /// Whether the caller may rate for it now (the opportunity being assessed).
    pub editable: bool,
}

/// A council's ratings of an opportunity under a set (the one its assessment uses unless
/// `version` says another), if the caller may read the opportunity.
pub async fn council(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    gss: &str,
    version: Option<u32>,
) -> Result<CouncilView> {
    let within = in_programme(app, caller, partnership_id, reference).await?;
    let (set, council, part, editable) = {
        let programme = &within.programme;
        let entry = within.entry();
        let number = version.unwrap_or(entry.set);
        let set = programme
            .set(number)
            .cloned()
            .ok_or_else(|| AppError::not_found(format!("version {number} of the criteria")))?;
        let council = entry
            .councils
            .iter()
            .find(|c| c.gss.as_str().eq_ignore_ascii_case(gss.trim()))
            .cloned();
        let part = council
            .as_ref()
            .and_then(|c| entry.part(&c.gss, number))
            .cloned();
        let assessing = entry.opportunity().check_can_be_assessed().is_ok();
        let editable = council.as_ref().is_some_and(|c| {
            assessing && may_rate(caller, programme, entry, &c.gss, number, app.today())
        });
        (set, council, part, editable)
    };
    Ok(CouncilView {
        within,
        set,
        council,
        part,
        editable,
    })
}

/// Ratings to record, for one council or several.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rate {
    /// The version of the criteria set to rate under; the one the assessment uses when
    /// `None`.
    pub version: Option<u32>,
    /// Who may see the councils' ratings; unchanged (or `partnership` for new ones) when
    /// `None`.
    pub classification: Option<Classification>,
    /// The ratings.
    pub inputs: Vec<RatingInput>,
    /// For each council, the version of its ratings the caller read (0 when it had none):
    /// ratings changed since are refused.
    pub from_versions: Vec<(String, i64)>,
    /// Marks the ratings illustrative (made up for a demonstration, not the councils' view);
    /// only Accord itself may.
    pub illustrative: bool,
}

/// What a submission changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Rated {
    /// The version of the criteria set rated under.
    pub version: u32,
    /// Each council's ratings as written.
    pub parts: Vec<RatingsEntry>,
}

/// Records ratings of an opportunity for one council or several, all in one transaction.
///
/// Refused, with nothing written: an opportunity not being assessed, a rating that is not R/A/G
/// for a criterion of the set by an assessing council with its reason (fields
/// `ratings[i].…`), a set that does not exist (`criteria_version`), a classification that does
/// not apply (`classification`), a council the caller may not rate for (forbidden), a
/// council's ratings changed since the caller read them (conflict).
pub async fn rate(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    reference: &str,
    command: &Rate,
) -> Result<Rated> {
    let today = app.today();
    let change = caller.change();
    if let Some(classification) = command.classification
        && !CLASSIFICATIONS.contains(&classification)
    {
        return Err(Invalid::field(
            "classification",
            format!(
                "“{}” is not a classification here; use partnership, council or published",
                classification.slug()
            ),
        )
        .into());
    }
    if command.illustrative && caller.system.is_none() {
        return Err(AppError::Forbidden(
            "You cannot do this: only Accord's own demonstration marks ratings illustrative."
                .to_owned(),
        ));
    }
    let not_found = || AppError::not_found(format!("opportunity {reference}"));
    let number = parse_reference(reference).ok_or_else(not_found)?;
    let mut tx = app.store().write().await?;
    let opportunity = tx
        .opportunity_for_change(partnership_id, number)
        .await?
        .ok_or_else(not_found)?;
    if !caller.scope().permits(&opportunity.meta, today) {
        return Err(not_found());
    }
    let stored: Vec<StoredCouncilRatings> =
        tx.council_ratings_for_change(opportunity.record_id).await?;
    let scope = caller.scope();
    let visible: Vec<CouncilRatings> = stored
        .iter()
        .filter(|p| scope.permits(&p.meta, today))
        .map(|p| p.ratings.clone())
        .collect();
    let mut sets: Vec<StoredCriteriaSet> = tx.criteria_sets_for_change(partnership_id).await?;
    let current = sets.last().map_or(1, |s| s.set.version());
    let version = command
        .version
        .unwrap_or_else(|| set_used(&visible, current));
    let set = match sets.iter().position(|s| s.set.version() == version) {
        Some(i) => sets.swap_remove(i),
        // The built-in version 1 is stored the first time a partnership rates under it.
        None if version == 1 => {
            tx.insert_criteria_set(
                partnership_id,
                &CriteriaSet::default(),
                &change
                    .clone()
                    .because("The built-in criteria, stored when first rated under"),
            )
            .await?
        }
        None => {
            return Err(Invalid::field(
                "criteria_version",
                format!(
                    "There is no version {version} of the criteria; the current one is {current}"
                ),
            )
            .into());
        }
    };
    let codes = councils_of(&opportunity.opportunity, ToString::to_string)
        .into_iter()
        .map(|c| c.gss)
        .collect();
    let names = names(app, codes).await?;
    let councils = councils_of(&opportunity.opportunity, |g| names.name(g));
    let parts: Vec<CouncilRatings> = stored.iter().map(|p| p.ratings.clone()).collect();
    let changed = gateway::rate(
        &opportunity.opportunity,
        &set.set,
        &councils,
        &parts,
        &command.inputs,
        today,
        &change.actor,
    )?;
    // Every council's write is checked before any is made.
    let mut writes = Vec::with_capacity(changed.len());
    for mut part in changed {
        part.illustrative = command.illustrative;
        let existing = stored
            .iter()
            .find(|p| p.ratings.council == part.council && p.ratings.criteria_version == version);
        let read = command
            .from_versions
            .iter()
            .find(|(c, _)| c.trim().eq_ignore_ascii_case(part.council.as_str()))
            .map(|(_, v)| *v);
        let now = existing.map_or(0, |p| p.version);
        if let Some(read) = read
            && read != now
        {
            return Err(AppError::Conflict(format!(
                "{}’s ratings of {} changed since you opened them (you had version {read}; they are now at version {now}). \
                 The page shows them as they are now: rate again if it is still needed",
                names.name(&part.council),
                opportunity.opportunity.reference()
            )));
        }
        let meta = match existing {
            Some(p) => {
                caller.check(Action::Update, &p.meta, today)?;
                let mut meta = p.meta.clone();
                if let Some(c) = command.classification {
                    meta.classification = c;
                }
                caller.check(Action::Update, &meta, today)?;
                meta
            }
            None => {
                let meta = ratings_meta(
                    partnership_id,
                    &part.council,
                    command
                        .classification
                        .unwrap_or(Classification::Partnership),
                );
                caller.check(Action::Create, &meta, today)?;
                meta
            }
        };
        writes.push((existing, meta, part));
    }
    let mut written = Vec::with_capacity(writes.len());
    for (existing, meta, part) in writes {
        let saved = match existing {
            Some(from) => {
                tx.update_council_ratings(from, &meta, &opportunity, &set, &part, &change)
                    .await?
            }
            None => {
                tx.insert_council_ratings(&meta, &opportunity, &set, &part, &change)
                    .await?
            }
        };
        written.push(saved.into());
    }
    tx.commit().await?;
    Ok(Rated {
        version,
        parts: written,
    })
}
