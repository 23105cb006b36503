//! The service catalogue, opportunities, the gateway's versions and the councils' ratings as
//! classified records: reading them for one reader (filtered in SQL by the reader's scope) and
//! writing them, for the pages and the API alike. The rules are the domain's; this module only
//! moves values between the records table and the domain types.
//!
//! Record kinds and their bodies:
//! - `service`: an instance-wide catalogue entry ([`Service`]), published, changed only by
//!   administrators.
//! - `opportunity`: an [`Opportunity`] of a partnership, owned by its originating council; its
//!   status (slug) is the record's status, a deferral's re-evaluation date its key date.
//! - `criteria`: one [`GatewayVersion`] of a partnership (criteria and rule), published.
//! - `assessment`: one council's ratings of one opportunity under one version
//!   ([`CouncilAssessment`]), a child of the opportunity, owned by the rating council.

use accord_domain::access::{Action, Area, Classification, RecordMeta};
use accord_domain::gateway::{
    Assessment, AssessmentReport, Council, CouncilAssessment, GatewayVersion, combine, councils_of,
    report_programme,
};
use accord_domain::opportunity::Opportunity;
use accord_domain::service::{Catalogue, Service};
use accord_domain::{Authority, GssCode, Invalid, Partnership};
use accord_store::{RecordInput, RecordQuery, StoredRecord};
use std::collections::HashMap;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::WebError;
use crate::pages::common::{council_name, councils};

/// The kind of a catalogue entry.
pub const SERVICE: &str = "service";
/// The kind of an opportunity.
pub const OPPORTUNITY: &str = "opportunity";
/// The kind of a version of a partnership's gateway.
pub const CRITERIA: &str = "criteria";
/// The kind of one council's ratings of an opportunity.
pub const ASSESSMENT: &str = "assessment";

/// The classifications a user may give an opportunity or a council's ratings, with labels.
pub const CLASSIFICATIONS: [(Classification, &str, &str); 3] = [
    (
        Classification::Partnership,
        "Partnership",
        "Everyone with a role in the partnership, councillors included",
    ),
    (
        Classification::Council,
        "Council only (a draft)",
        "The owning council’s users and the programme team",
    ),
    (
        Classification::Published,
        "Published",
        "Anyone, including the public",
    ),
];

/// Parses the classification a form or the API gives; empty means `partnership`. Embargoes
/// and personal data do not apply to opportunities or ratings.
pub fn parse_classification(field: &str, text: &str) -> Result<Classification, Invalid> {
    if text.trim().is_empty() {
        return Ok(Classification::Partnership);
    }
    CLASSIFICATIONS
        .iter()
        .map(|(c, _, _)| *c)
        .find(|c| c.slug() == text.trim())
        .ok_or_else(|| {
            Invalid::field(
                field,
                format!(
                    "“{text}” is not a classification here; use partnership, council or published"
                ),
            )
        })
}

// ----- the service catalogue -----

fn service_meta() -> RecordMeta {
    RecordMeta::published(Area::Programme, None)
}

/// The record of a catalogue entry: published, instance-wide, its category as the status.
pub fn service_input(service: &Service) -> accord_store::Result<RecordInput> {
    Ok(
        RecordInput::new(SERVICE, service_meta(), service.name.clone(), service)?
            .status(service.category.slug()),
    )
}

/// The catalogue, in the order services were added, each with its record id as its id.
pub async fn catalogue(state: &AppState, viewer: &Viewer) -> Result<Catalogue, WebError> {
    let query = RecordQuery {
        kind: SERVICE.to_owned(),
        ..RecordQuery::default()
    };
    let records = state
        .store
        .records(&query, &viewer.scope(), state.today())
        .await?;
    let mut services = Vec::with_capacity(records.len());
    for record in records {
        if record.meta.partnership_id.is_some() {
            continue;
        }
        let mut service: Service = record.decode()?;
        service.id = record.id;
        services.push(service);
    }
    Ok(Catalogue { services })
}

/// Adds a service to the catalogue; the domain refuses a name already there.
pub async fn add_service(
    state: &AppState,
    viewer: &Viewer,
    service: Service,
) -> Result<i64, WebError> {
    let mut catalogue = catalogue(state, viewer).await?;
    let added = catalogue.add(service)?.clone();
    let input = service_input(&added)?;
    Ok(state.store.insert_record(&input, &viewer.change()).await?)
}

/// Renames or recategorises a service; the domain refuses a name another service has.
pub async fn update_service(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    name: &str,
    category: &str,
) -> Result<(), WebError> {
    let mut catalogue = catalogue(state, viewer).await?;
    let index = catalogue
        .services
        .iter()
        .position(|s| s.id == id)
        .ok_or(WebError::NotFound)?;
    let mut invalid = Invalid::new();
    let category = invalid.check(accord_domain::service::ServiceCategory::parse(
        "category", category,
    ));
    if name.trim().is_empty() {
        invalid.push("name", "Enter the service’s name");
    }
    invalid.into_result()?;
    let Some(category) = category else {
        return Err(Invalid::field("category", "could not be read").into());
    };
    catalogue.update(index, name, category)?;
    let input = service_input(&catalogue.services[index])?;
    state
        .store
        .update_record(id, None, &input, &viewer.change())
        .await?;
    Ok(())
}

// ----- opportunities -----

/// An opportunity as stored, with the record it came from.
#[derive(Debug, Clone)]
pub struct StoredOpportunity {
    /// The record (metadata, version).
    pub record: StoredRecord,
    /// The opportunity, its id the record's.
    pub opportunity: Opportunity,
}

/// Decodes an opportunity record.
pub fn decode_opportunity(record: StoredRecord) -> Result<StoredOpportunity, WebError> {
    let mut opportunity: Opportunity = record.decode()?;
    opportunity.id = record.id;
    if let Some(pid) = record.meta.partnership_id {
        opportunity.partnership_id = pid;
    }
    Ok(StoredOpportunity {
        record,
        opportunity,
    })
}

/// The record to write for an opportunity: its status and deferral date as columns.
pub fn opportunity_input(
    meta: RecordMeta,
    opportunity: &Opportunity,
) -> Result<RecordInput, WebError> {
    let key_date = match &opportunity.status {
        accord_domain::opportunity::Status::Deferred { re_evaluate } => Some(*re_evaluate),
        _ => None,
    };
    Ok(RecordInput::new(
        OPPORTUNITY,
        meta,
        opportunity.service.name.clone(),
        opportunity,
    )?
    .status(opportunity.status.kind().slug())
    .key_date(key_date))
}

/// The metadata of a new opportunity: the programme's, owned by the originating council.
pub fn opportunity_meta(
    partnership_id: i64,
    originating: &GssCode,
    classification: Classification,
) -> RecordMeta {
    RecordMeta {
        area: Area::Programme,
        partnership_id: Some(partnership_id),
        owner: Some(originating.clone()),
        classification,
        embargo: None,
    }
}

/// Writes a changed opportunity back, refusing it if someone changed the record since it was
/// read (`version`).
pub async fn save_opportunity(
    state: &AppState,
    viewer: &Viewer,
    stored: &StoredRecord,
    opportunity: &Opportunity,
    version: Option<i64>,
    reason: &str,
) -> Result<(), WebError> {
    let input = opportunity_input(stored.meta.clone(), opportunity)?;
    state
        .store
        .update_record(stored.id, version, &input, &viewer.change().because(reason))
        .await?;
    Ok(())
}

/// The partnership, or 404.
pub async fn partnership(state: &AppState, id: i64) -> Result<Partnership, WebError> {
    state.store.partnership(id).await?.ok_or(WebError::NotFound)
}

/// A visible opportunity of a partnership by id, or 404.
pub async fn opportunity(
    state: &AppState,
    viewer: &Viewer,
    partnership_id: i64,
    id: i64,
) -> Result<StoredOpportunity, WebError> {
    match state
        .store
        .record(id, &viewer.scope(), state.today())
        .await?
    {
        Some(record)
            if record.kind == OPPORTUNITY && record.meta.partnership_id == Some(partnership_id) =>
        {
            decode_opportunity(record)
        }
        _ => Err(WebError::NotFound),
    }
}

// ----- gateway versions -----

/// The partnership's gateway versions, oldest first. Version 1 is the built-in default until
/// the partnership stores its own.
pub async fn versions(
    state: &AppState,
    viewer: &Viewer,
    partnership_id: i64,
) -> Result<Vec<GatewayVersion>, WebError> {
    let records = state
        .store
        .records(
            &RecordQuery::of(CRITERIA, partnership_id),
            &viewer.scope(),
            state.today(),
        )
        .await?;
    let mut versions: Vec<GatewayVersion> = Vec::with_capacity(records.len() + 1);
    for record in &records {
        versions.push(record.decode()?);
    }
    if !versions.iter().any(|v| v.version() == 1) {
        versions.push(GatewayVersion::default());
    }
    versions.sort_by_key(GatewayVersion::version);
    Ok(versions)
}

/// The record of a version of a partnership's gateway: published (the rules of the gateway
/// are no secret), in the partnership's own area (the programme team keeps it).
pub fn version_input(
    partnership_id: i64,
    version: &GatewayVersion,
) -> accord_store::Result<RecordInput> {
    Ok(RecordInput::new(
        CRITERIA,
        RecordMeta::published(Area::Partnership, Some(partnership_id)),
        format!("Gateway criteria and rule, version {}", version.version()),
        version,
    )?
    .status(version.version().to_string())
    .key_date(version.on))
}

/// Stores a new version of a partnership's gateway (published: the rules of the gateway are
/// no secret).
pub async fn save_version(
    state: &AppState,
    viewer: &Viewer,
    partnership_id: i64,
    version: &GatewayVersion,
) -> Result<i64, WebError> {
    let input = version_input(partnership_id, version)?;
    crate::guard::check(viewer, Action::Create, &input.meta, state.today())?;
    Ok(state
        .store
        .insert_record(&input, &viewer.change().because(version.note.clone()))
        .await?)
}

// ----- the councils' ratings -----

/// One council's ratings as stored.
#[derive(Debug, Clone)]
pub struct StoredPart {
    /// The record.
    pub record: StoredRecord,
    /// The ratings.
    pub part: CouncilAssessment,
}

/// The metadata of a council's ratings.
pub fn part_meta(
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

/// The record of a council's ratings.
pub fn part_input(
    meta: RecordMeta,
    opportunity: &Opportunity,
    part: &CouncilAssessment,
) -> accord_store::Result<RecordInput> {
    Ok(RecordInput::new(
        ASSESSMENT,
        meta,
        format!(
            "{}: {}’s ratings (version {})",
            opportunity.service.name, part.council, part.criteria_version
        ),
        part,
    )?
    .parent(opportunity.id)
    .status(part.criteria_version.to_string())
    .key_date(Some(part.on)))
}

/// Every council's ratings the reader may see in a partnership, by opportunity id.
pub async fn parts(
    state: &AppState,
    viewer: &Viewer,
    partnership_id: i64,
    opportunity_id: Option<i64>,
) -> Result<HashMap<i64, Vec<StoredPart>>, WebError> {
    let query = RecordQuery {
        parent_id: opportunity_id,
        ..RecordQuery::of(ASSESSMENT, partnership_id)
    };
    let records = state
        .store
        .records(&query, &viewer.scope(), state.today())
        .await?;
    let mut out: HashMap<i64, Vec<StoredPart>> = HashMap::new();
    for record in records {
        let Some(parent) = record.parent_id else {
            continue;
        };
        let part: CouncilAssessment = record.decode()?;
        out.entry(parent)
            .or_default()
            .push(StoredPart { record, part });
    }
    Ok(out)
}

// ----- the programme: opportunities with their gateway results -----

/// Where an opportunity's assessment stands, for one reader.
#[derive(Debug, Clone)]
pub enum Gateway {
    /// No council has rated it under the version it uses.
    NotStarted,
    /// Some ratings are missing (or not visible to the reader).
    Incomplete {
        /// Ratings given.
        rated: usize,
        /// Ratings needed.
        needed: usize,
        /// What is missing, in words.
        missing: Invalid,
    },
    /// Every council rated every criterion.
    Complete {
        /// The assessment.
        assessment: Box<Assessment>,
        /// The gateway's report, ranked among the programme's assessments under the same
        /// version.
        report: Box<AssessmentReport>,
    },
}

impl Gateway {
    /// The report, when complete.
    pub fn report(&self) -> Option<&AssessmentReport> {
        match self {
            Gateway::Complete { report, .. } => Some(report),
            _ => None,
        }
    }
}

/// An opportunity with its councils' ratings and gateway result.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The opportunity and its record.
    pub stored: StoredOpportunity,
    /// The councils that rate it, named.
    pub councils: Vec<Council>,
    /// Every council's ratings the reader may see, every version.
    pub parts: Vec<StoredPart>,
    /// The gateway version its assessment uses: the latest one it has ratings under, or the
    /// partnership's current one when it has none.
    pub version: u32,
    /// Its assessment under that version.
    pub gateway: Gateway,
}

impl Entry {
    /// The opportunity.
    pub fn opportunity(&self) -> &Opportunity {
        &self.stored.opportunity
    }

    /// The parts under the version the assessment uses.
    pub fn current_parts(&self) -> impl Iterator<Item = &StoredPart> {
        self.parts
            .iter()
            .filter(move |p| p.part.criteria_version == self.version)
    }

    /// Whether any rating it shows is illustrative.
    pub fn illustrative(&self) -> bool {
        self.current_parts().any(|p| p.part.illustrative)
    }
}

/// A partnership's programme of opportunities as one reader sees it.
#[derive(Debug, Clone)]
pub struct Programme {
    /// The partnership.
    pub partnership: Partnership,
    /// The councils named anywhere in it, by GSS code.
    pub names: HashMap<String, Authority>,
    /// The gateway versions, oldest first (never empty).
    pub versions: Vec<GatewayVersion>,
    /// The opportunities, in the order they were raised.
    pub entries: Vec<Entry>,
}

impl Programme {
    /// The current gateway version.
    pub fn current(&self) -> &GatewayVersion {
        // `versions` always holds version 1 at least.
        self.versions.last().unwrap_or_else(|| default_version())
    }

    /// A version by number.
    pub fn version(&self, number: u32) -> Option<&GatewayVersion> {
        self.versions.iter().find(|v| v.version() == number)
    }

    /// A council's short name.
    pub fn name(&self, gss: &GssCode) -> String {
        council_name(&self.names, gss)
    }

    /// An opportunity by id.
    pub fn entry(&self, id: i64) -> Option<&Entry> {
        self.entries.iter().find(|e| e.stored.record.id == id)
    }
}

/// Version 1, for the (impossible) programme without versions.
fn default_version() -> &'static GatewayVersion {
    static DEFAULT: std::sync::OnceLock<GatewayVersion> = std::sync::OnceLock::new();
    DEFAULT.get_or_init(GatewayVersion::default)
}

/// Loads a partnership's programme for a reader: every opportunity they may see, every rating
/// they may see, and the gateway's result for each, ranked under each version.
pub async fn programme(
    state: &AppState,
    viewer: &Viewer,
    partnership_id: i64,
) -> Result<Programme, WebError> {
    let partnership = partnership(state, partnership_id).await?;
    let records = state
        .store
        .records(
            &RecordQuery::of(OPPORTUNITY, partnership_id),
            &viewer.scope(),
            state.today(),
        )
        .await?;
    let mut opportunities = Vec::with_capacity(records.len());
    for record in records {
        opportunities.push(decode_opportunity(record)?);
    }
    let mut parts = parts(state, viewer, partnership_id, None).await?;
    let versions = versions(state, viewer, partnership_id).await?;
    let mut codes: Vec<GssCode> = super::pages::common::member_codes(&partnership);
    for o in &opportunities {
        codes.push(o.opportunity.originating.clone());
        codes.extend(o.opportunity.offers.iter().map(|x| x.partner.clone()));
    }
    codes.sort();
    codes.dedup();
    let names = councils(state, &codes).await?;
    let entries = opportunities
        .into_iter()
        .map(|stored| {
            let parts = parts.remove(&stored.record.id).unwrap_or_default();
            let councils = councils_of(&stored.opportunity, |g| council_name(&names, g));
            let version = parts
                .iter()
                .map(|p| p.part.criteria_version)
                .max()
                .unwrap_or_else(|| versions.last().map_or(1, GatewayVersion::version));
            Entry {
                stored,
                councils,
                parts,
                version,
                gateway: Gateway::NotStarted,
            }
        })
        .collect();
    let mut programme = Programme {
        partnership,
        names,
        versions,
        entries,
    };
    assess(&mut programme)?;
    Ok(programme)
}

/// Works out every entry's gateway result: combined when complete, then ranked with the
/// other complete assessments under the same version (a rank compares scores on one scale).
fn assess(programme: &mut Programme) -> Result<(), WebError> {
    let mut complete: HashMap<u32, Vec<(usize, Assessment)>> = HashMap::new();
    for (index, entry) in programme.entries.iter_mut().enumerate() {
        let Some(version) = programme
            .versions
            .iter()
            .find(|v| v.version() == entry.version)
        else {
            continue;
        };
        let visible: Vec<CouncilAssessment> =
            entry.current_parts().map(|p| p.part.clone()).collect();
        if visible.is_empty() {
            continue;
        }
        match combine(version, entry.councils.clone(), &visible) {
            Ok(assessment) => complete
                .entry(entry.version)
                .or_default()
                .push((index, assessment)),
            Err(missing) => {
                let needed = version.criteria.criteria.len() * entry.councils.len();
                let rated = visible
                    .iter()
                    .filter(|p| entry.councils.iter().any(|c| c.gss == p.council))
                    .map(|p| p.ratings.len())
                    .sum();
                entry.gateway = Gateway::Incomplete {
                    rated,
                    needed,
                    missing,
                };
            }
        }
    }
    for (_, group) in complete {
        let assessments: Vec<Assessment> = group.iter().map(|(_, a)| a.clone()).collect();
        let reports = report_programme(&assessments)?;
        for ((index, assessment), report) in group.into_iter().zip(reports) {
            programme.entries[index].gateway = Gateway::Complete {
                assessment: Box::new(assessment),
                report: Box::new(report),
            };
        }
    }
    Ok(())
}
