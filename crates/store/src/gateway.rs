//! The compatibility gateway's tables: the service catalogue, opportunities with their offers,
//! criteria sets with their criteria, and each council's ratings, one row per rating.
//!
//! Lists of opportunities are filtered, sorted, counted and paged in SQL. The matrix reads
//! every rating of a partnership the reader may see in one query over `ratings`; the tally of
//! each assessment (the combined rating of each criterion, how many ratings are given, the
//! weighted points and the outcome under the rule) is a query too. Writes go through a
//! [`crate::WriteTx`], one transaction per use case, each audited as its record.

use crate::backend::{Bind, bind_all};
use crate::records::{StoredRecord, meta_from_columns};
use crate::scope::visible;
use crate::write::{Header, PgWrite, SqliteWrite};
use crate::{Change, PgStore, Result, SqliteStore, StoreError};
use accord_domain::access::{Area, ReadScope, RecordMeta};
use accord_domain::audit::AuditAction;
use accord_domain::gateway::{
    Combination, CouncilRating, CouncilRatings, Criteria, CriteriaSet, Criterion, GatewayRule,
    Outcome, Rating, Threshold, Weight,
};
use accord_domain::opportunity::list::{
    NumberFilter, OpportunityFilter, OpportunitySort, PHASE_NOT_STATED, SortKey, last_date,
};
use accord_domain::opportunity::{
    Offer, Opportunity, OtherPartner, PartnerResponse, ProjectSize, Status, StatusChange,
    StatusKind,
};
use accord_domain::service::{Service, ServiceCategory};
use accord_domain::{GssCode, Invalid};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use std::collections::HashMap;

/// The kind of a catalogue entry's record.
pub const SERVICE_KIND: &str = "service";
/// The kind of an opportunity's record.
pub const OPPORTUNITY_KIND: &str = "opportunity";
/// The kind of a criteria set's record (the name an earlier release gave it, kept so its
/// history stays filed under it).
pub const CRITERIA_SET_KIND: &str = "criteria";
/// The kind of the record of one council's ratings of one opportunity under one criteria set
/// (the name an earlier release gave it, kept so its history stays filed under it).
pub const COUNCIL_RATINGS_KIND: &str = "assessment";

/// A catalogue entry as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredService {
    /// The record's id; also the service's `id`.
    pub record_id: i64,
    /// Increases with every change; a change names the version it was made from.
    pub version: i64,
    /// The service.
    pub service: Service,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// An opportunity as stored, with what its reader and a later change need.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredOpportunity {
    /// The record's id (its history is filed under it); also the opportunity's `id`.
    pub record_id: i64,
    /// Increases with every change; a change names the version it was made from.
    pub version: i64,
    /// Who may see and change it: the programme's, owned by the originating council.
    pub meta: RecordMeta,
    /// The opportunity.
    pub opportunity: Opportunity,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A criteria set as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCriteriaSet {
    /// The record's id, which ratings refer to.
    pub record_id: i64,
    /// The record's version (a set never changes once published, so it stays 1).
    pub version: i64,
    /// The set.
    pub set: CriteriaSet,
    /// When it was stored.
    pub updated_at: DateTime<Utc>,
}

/// One council's ratings of one opportunity under one criteria set, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCouncilRatings {
    /// The record's id (its history is filed under it).
    pub record_id: i64,
    /// Increases with every change; a change names the version it was made from.
    pub version: i64,
    /// Who may see and change them: the rating council owns them.
    pub meta: RecordMeta,
    /// The opportunity's record id.
    pub opportunity_id: i64,
    /// The criteria set's record id.
    pub criteria_set_id: i64,
    /// The ratings.
    pub ratings: CouncilRatings,
    /// When they last changed.
    pub updated_at: DateTime<Utc>,
}

/// Where a keyset page of opportunities starts: after the opportunity with this sort key and
/// number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpportunityCursor {
    /// The sort key of the last opportunity of the page before.
    pub key: SortKey,
    /// Its number.
    pub number: u32,
}

/// Which page of a filtered list of opportunities to read, in which order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpportunityPage {
    /// The order.
    pub sort: OpportunitySort,
    /// Only those after this one (a keyset cursor: deep pages cost what the first does).
    pub after: Option<OpportunityCursor>,
    /// Skip this many (for pages addressed by their number).
    pub offset: i64,
    /// At most this many.
    pub limit: i64,
}

/// The phases and waves a programme's opportunities use, for the list's filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpportunityFacets {
    /// Every phase stated, in order.
    pub phases: Vec<u32>,
    /// Every wave stated, in order.
    pub waves: Vec<u32>,
}

/// The database's tally of one opportunity's assessment, over the ratings its reader may see:
/// the criteria set it uses, how many ratings are given and needed, each criterion's combined
/// rating and, when every assessing council has rated every criterion, the weighted points
/// and the outcome under the set's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayTally {
    /// The opportunity's record id.
    pub opportunity_id: i64,
    /// The version of the criteria set its assessment uses; `None` when the partnership has
    /// stored no set and nothing is rated (the built-in default applies).
    pub criteria_version: Option<u32>,
    /// The councils that rate it: the originating council and every partner that accepted.
    pub councils: u32,
    /// Ratings given by those councils under the set.
    pub rated: u32,
    /// Ratings needed: criteria × councils.
    pub needed: u32,
    /// Each criterion's combined rating, in the set's order; `None` where not every council
    /// has rated it.
    pub combined: Vec<Option<Rating>>,
    /// The weighted points (weight in millionths × Red 0, Amber 1, Green 2), when complete.
    pub points: Option<i64>,
    /// The set's total weight in millionths.
    pub total_weight: i64,
    /// The outcome, when complete.
    pub outcome: Option<Outcome>,
    /// Whether any council's ratings the reader sees under the set are illustrative.
    pub illustrative: bool,
}

/// Reading the gateway.
#[async_trait]
pub trait GatewayStore: Send + Sync {
    /// The catalogue, in the order services were added.
    async fn services(&self) -> Result<Vec<StoredService>>;

    /// At most `limit` services of the catalogue after the record `after`, in the order they
    /// were added.
    async fn services_page(&self, after: Option<i64>, limit: i64) -> Result<Vec<StoredService>>;

    /// How many services the catalogue holds.
    async fn count_services(&self) -> Result<i64>;

    /// A page of the opportunities matching `filter` that `scope` may read on `today`.
    async fn opportunities(
        &self,
        partnership_id: i64,
        filter: &OpportunityFilter,
        page: &OpportunityPage,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredOpportunity>>;

    /// How many opportunities match `filter` for `scope`.
    async fn count_opportunities(
        &self,
        partnership_id: i64,
        filter: &OpportunityFilter,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<i64>;

    /// The phases and waves of the opportunities `scope` may read.
    async fn opportunity_facets(
        &self,
        partnership_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<OpportunityFacets>;

    /// One opportunity by its number, if `scope` may read it.
    async fn opportunity(
        &self,
        partnership_id: i64,
        number: u32,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Option<StoredOpportunity>>;

    /// The partnership and number of the opportunity with this record id (old addresses named
    /// opportunities by record id).
    async fn opportunity_number(&self, record_id: i64) -> Result<Option<(i64, u32)>>;

    /// The partnership's criteria sets `scope` may read, oldest first.
    async fn criteria_sets(
        &self,
        partnership_id: i64,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredCriteriaSet>>;

    /// Every council's ratings in the partnership (or of one opportunity) that `scope` may
    /// read, in one query over the ratings.
    async fn council_ratings(
        &self,
        partnership_id: i64,
        opportunity_id: Option<i64>,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<StoredCouncilRatings>>;

    /// The tally of the assessment of every opportunity of the partnership `scope` may read
    /// (or of those in `opportunity_ids`), over the ratings it may read.
    async fn gateway_tallies(
        &self,
        partnership_id: i64,
        opportunity_ids: Option<&[i64]>,
        scope: &ReadScope,
        today: NaiveDate,
    ) -> Result<Vec<GatewayTally>>;
}

/// Changing the gateway, inside a [`crate::WriteTx`].
#[async_trait]
pub trait GatewayTx: Send {
    /// The whole catalogue, to change it (names are unique in it).
    async fn services_for_change(&mut self) -> Result<Vec<StoredService>>;

    /// Writes a new catalogue entry with its audit entry.
    async fn insert_service(&mut self, service: &Service, change: &Change)
    -> Result<StoredService>;

    /// Writes a changed catalogue entry from the version `from` was read at, with its audit
    /// entry; [`StoreError::Conflict`] when someone changed it since.
    async fn update_service(
        &mut self,
        from: &StoredService,
        service: &Service,
        change: &Change,
    ) -> Result<StoredService>;

    /// The highest number of the partnership's opportunities (0 when it has none), whoever
    /// may see them: the next opportunity's number follows it.
    async fn last_opportunity_number(&mut self, partnership_id: i64) -> Result<u32>;

    /// An opportunity by number, to change it.
    async fn opportunity_for_change(
        &mut self,
        partnership_id: i64,
        number: u32,
    ) -> Result<Option<StoredOpportunity>>;

    /// Writes a new opportunity (its number already given) with its audit entry.
    async fn insert_opportunity(
        &mut self,
        meta: &RecordMeta,
        opportunity: &Opportunity,
        change: &Change,
    ) -> Result<StoredOpportunity>;

    /// Writes a changed opportunity from the version `from` was read at, with its audit entry;
    /// [`StoreError::Conflict`] when someone changed it since.
    async fn update_opportunity(
        &mut self,
        from: &StoredOpportunity,
        opportunity: &Opportunity,
        change: &Change,
    ) -> Result<StoredOpportunity>;

    /// The partnership's criteria sets, oldest first, whoever may see them.
    async fn criteria_sets_for_change(
        &mut self,
        partnership_id: i64,
    ) -> Result<Vec<StoredCriteriaSet>>;

    /// Writes a new criteria set with its audit entry.
    async fn insert_criteria_set(
        &mut self,
        partnership_id: i64,
        set: &CriteriaSet,
        change: &Change,
    ) -> Result<StoredCriteriaSet>;

    /// Every council's ratings of an opportunity, under every set, whoever may see them.
    async fn council_ratings_for_change(
        &mut self,
        opportunity_id: i64,
    ) -> Result<Vec<StoredCouncilRatings>>;

    /// Writes a council's first ratings of an opportunity under a set, with the audit entry.
    async fn insert_council_ratings(
        &mut self,
        meta: &RecordMeta,
        opportunity: &StoredOpportunity,
        set: &StoredCriteriaSet,
        ratings: &CouncilRatings,
        change: &Change,
    ) -> Result<StoredCouncilRatings>;

    /// Writes a council's changed ratings from the version `from` was read at (with `meta`,
    /// which may change their class), with the audit entry; [`StoreError::Conflict`] when
    /// someone changed them since.
    async fn update_council_ratings(
        &mut self,
        from: &StoredCouncilRatings,
        meta: &RecordMeta,
        opportunity: &StoredOpportunity,
        set: &StoredCriteriaSet,
        ratings: &CouncilRatings,
        change: &Change,
    ) -> Result<StoredCouncilRatings>;
}

// ----- rows and their conversion to the domain's types -----

fn slug<T: serde::de::DeserializeOwned>(text: &str) -> std::result::Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| format!("“{text}” is not a known value"))
}

fn gss(field: &str, text: &str) -> std::result::Result<GssCode, String> {
    GssCode::parse(field, text).map_err(|e| e.to_string())
}

fn small(what: &str, value: i32) -> std::result::Result<u32, String> {
    u32::try_from(value).map_err(|_| format!("{what} {value} is negative"))
}

/// The access columns every header carries.
#[derive(Debug, sqlx::FromRow)]
struct MetaColumns {
    area: String,
    owner_gss: Option<String>,
    classification: String,
    embargo_until: Option<NaiveDate>,
    embargo_decision_id: Option<i64>,
    release_class: Option<String>,
}

impl MetaColumns {
    fn meta(&self, partnership_id: Option<i64>) -> std::result::Result<RecordMeta, String> {
        meta_from_columns(
            &self.area,
            partnership_id,
            self.owner_gss.as_deref(),
            &self.classification,
            self.embargo_until,
            self.embargo_decision_id,
            self.release_class.as_deref(),
        )
    }
}

const META: &str = "r.area, r.owner_gss, r.classification, r.embargo_until, r.embargo_decision_id, \
     r.release_class, r.version, r.created_at, r.updated_at";

const SERVICE_COLUMNS: &str = "s.record_id, s.name, s.category, r.version, r.updated_at";

#[derive(Debug, sqlx::FromRow)]
struct ServiceRow {
    record_id: i64,
    name: String,
    category: String,
    version: i64,
    updated_at: DateTime<Utc>,
}

impl ServiceRow {
    fn into_stored(self) -> Result<StoredService> {
        let id = self.record_id;
        let category: ServiceCategory = slug(&self.category)
            .map_err(|e| StoreError::Corrupt(format!("service record {id}: {e}")))?;
        Ok(StoredService {
            record_id: id,
            version: self.version,
            service: Service {
                id,
                name: self.name,
                category,
            },
            updated_at: self.updated_at,
        })
    }
}

const OPPORTUNITY_COLUMNS: &str = "o.record_id, o.partnership_id, o.number, o.service_id, o.service_name, \
     o.service_category, o.scope, o.originating_gss, o.wave, o.phase, o.size, o.status, o.status_reason, \
     o.re_evaluate, o.history, o.other_partners, o.source";

#[derive(Debug, sqlx::FromRow)]
struct OpportunityRow {
    record_id: i64,
    partnership_id: i64,
    number: i32,
    service_id: Option<i64>,
    service_name: String,
    service_category: String,
    scope: String,
    originating_gss: String,
    wave: Option<i32>,
    phase: Option<i32>,
    size: Option<String>,
    status: String,
    status_reason: Option<String>,
    re_evaluate: Option<NaiveDate>,
    history: Json<Vec<StatusChange>>,
    other_partners: Json<Vec<OtherPartner>>,
    source: Option<String>,
    #[sqlx(flatten)]
    meta: MetaColumns,
    version: i64,
    #[allow(dead_code)]
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Debug, sqlx::FromRow)]
struct OfferRow {
    opportunity_id: i64,
    partner_gss: String,
    offered_on: NaiveDate,
    responses: Json<Vec<PartnerResponse>>,
}

impl OpportunityRow {
    fn into_stored(self, offers: Vec<Offer>) -> Result<StoredOpportunity> {
        let id = self.record_id;
        self.decode(offers)
            .map_err(|e| StoreError::Corrupt(format!("opportunity record {id}: {e}")))
    }

    fn decode(self, offers: Vec<Offer>) -> std::result::Result<StoredOpportunity, String> {
        let meta = self.meta.meta(Some(self.partnership_id))?;
        let status = match slug::<StatusKind>(&self.status)? {
            StatusKind::Identified => Status::Identified,
            StatusKind::OfferedToPreferredPartner => Status::OfferedToPreferredPartner,
            StatusKind::Assessing => Status::Assessing,
            StatusKind::Passed => Status::Passed,
            StatusKind::PassedWithConditions => Status::PassedWithConditions,
            StatusKind::Deferred => Status::Deferred {
                re_evaluate: self.re_evaluate.ok_or("a deferral without its date")?,
            },
            StatusKind::NotPursued => Status::NotPursued {
                reason: self.status_reason.unwrap_or_default(),
            },
            StatusKind::HandedToDelivery => Status::HandedToDelivery,
        };
        let opportunity = Opportunity {
            id: self.record_id,
            partnership_id: self.partnership_id,
            number: small("number", self.number)?,
            service: Service {
                id: self.service_id.unwrap_or(0),
                name: self.service_name,
                category: slug(&self.service_category)?,
            },
            scope: self.scope,
            originating: gss("originating", &self.originating_gss)?,
            wave: self.wave.map(|w| small("wave", w)).transpose()?,
            phase: self.phase.map(|p| small("phase", p)).transpose()?,
            size: self.size.as_deref().map(slug::<ProjectSize>).transpose()?,
            status,
            history: self.history.0,
            offers,
            other_partners: self.other_partners.0,
            source: self.source,
        };
        Ok(StoredOpportunity {
            record_id: self.record_id,
            version: self.version,
            meta,
            opportunity,
            updated_at: self.updated_at,
        })
    }
}

const SET_COLUMNS: &str = "s.record_id, s.partnership_id, s.version AS set_version, s.published_on, \
     s.published_by, s.note, s.combination, s.critical_red_fails, s.threshold_micros, s.max_below_green, \
     r.version, r.updated_at";

#[derive(Debug, sqlx::FromRow)]
struct SetRow {
    record_id: i64,
    #[allow(dead_code)]
    partnership_id: i64,
    set_version: i32,
    published_on: Option<NaiveDate>,
    published_by: String,
    note: String,
    combination: String,
    critical_red_fails: bool,
    threshold_micros: i64,
    max_below_green: Option<i32>,
    version: i64,
    updated_at: DateTime<Utc>,
}

#[derive(Debug, sqlx::FromRow)]
struct CriterionRow {
    criteria_set_id: i64,
    name: String,
    weight_micros: i64,
    critical: bool,
}

impl SetRow {
    fn into_stored(self, criteria: Vec<Criterion>) -> Result<StoredCriteriaSet> {
        let id = self.record_id;
        self.decode(criteria)
            .map_err(|e| StoreError::Corrupt(format!("criteria set record {id}: {e}")))
    }

    fn decode(self, criteria: Vec<Criterion>) -> std::result::Result<StoredCriteriaSet, String> {
        let threshold =
            u64::try_from(self.threshold_micros).map_err(|_| "a negative threshold".to_owned())?;
        let set = CriteriaSet {
            criteria: Criteria {
                version: small("version", self.set_version)?,
                criteria,
            },
            rule: GatewayRule {
                combination: Combination::parse("combination", &self.combination)
                    .map_err(|e| e.to_string())?,
                critical_red_fails: self.critical_red_fails,
                threshold: Threshold::from_micros(threshold),
                max_ambers: self
                    .max_below_green
                    .map(|n| small("max_below_green", n))
                    .transpose()?,
            },
            on: self.published_on,
            by: self.published_by,
            note: self.note,
        };
        set.validate().map_err(|e| e.to_string())?;
        Ok(StoredCriteriaSet {
            record_id: self.record_id,
            version: self.version,
            set,
            updated_at: self.updated_at,
        })
    }
}

impl CriterionRow {
    fn decode(self) -> std::result::Result<Criterion, String> {
        Ok(Criterion {
            name: self.name,
            weight: Weight::from_micros(
                u64::try_from(self.weight_micros).map_err(|_| "a negative weight".to_owned())?,
            ),
            critical: self.critical,
        })
    }
}

const RATINGS_COLUMNS: &str = "c.record_id, c.partnership_id, c.opportunity_id, c.criteria_set_id, \
     s.version AS set_version, c.council_gss, c.rated_on, c.rated_by, c.illustrative, \
     g.position, g.rating, g.rationale, g.evidence, k.name AS criterion";

/// One rating with its council's ratings record, as the ratings query returns it (the record
/// columns repeat on every rating of the record).
#[derive(Debug, sqlx::FromRow)]
struct RatingRow {
    record_id: i64,
    partnership_id: i64,
    opportunity_id: i64,
    criteria_set_id: i64,
    set_version: i32,
    council_gss: String,
    rated_on: NaiveDate,
    rated_by: String,
    illustrative: bool,
    position: Option<i32>,
    rating: Option<String>,
    rationale: Option<String>,
    evidence: Option<String>,
    criterion: Option<String>,
    #[sqlx(flatten)]
    meta: MetaColumns,
    version: i64,
    #[allow(dead_code)]
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Groups rating rows (ordered by record, then criterion) into each council's ratings.
fn group_ratings(rows: Vec<RatingRow>) -> Result<Vec<StoredCouncilRatings>> {
    let mut out: Vec<StoredCouncilRatings> = Vec::new();
    for row in rows {
        let id = row.record_id;
        let corrupt = |e: String| StoreError::Corrupt(format!("ratings record {id}: {e}"));
        let council = gss("council", &row.council_gss).map_err(corrupt)?;
        if out.last().is_none_or(|last| last.record_id != id) {
            out.push(StoredCouncilRatings {
                record_id: id,
                version: row.version,
                meta: row.meta.meta(Some(row.partnership_id)).map_err(corrupt)?,
                opportunity_id: row.opportunity_id,
                criteria_set_id: row.criteria_set_id,
                ratings: CouncilRatings {
                    criteria_version: small("version", row.set_version).map_err(corrupt)?,
                    council: council.clone(),
                    ratings: Vec::new(),
                    on: row.rated_on,
                    by: row.rated_by.clone(),
                    illustrative: row.illustrative,
                },
                updated_at: row.updated_at,
            });
        }
        let (Some(_), Some(rating), Some(rationale), Some(criterion)) =
            (row.position, row.rating, row.rationale, row.criterion)
        else {
            continue;
        };
        let rating = Rating::parse("rating", &rating).map_err(|e| corrupt(e.to_string()))?;
        if let Some(last) = out.last_mut() {
            last.ratings.ratings.push(CouncilRating {
                council,
                criterion,
                rating,
                rationale,
                evidence: row.evidence,
            });
        }
    }
    Ok(out)
}

// ----- what is written -----

/// The header of a catalogue entry's record: published, instance-wide, its category as the
/// status.
fn service_header<'a>(meta: &'a RecordMeta, service: &'a Service) -> Header<'a> {
    Header {
        kind: SERVICE_KIND,
        meta,
        parent_id: None,
        reference: None,
        title: &service.name,
        status: Some(service.category.slug()),
        key_date: None,
    }
}

fn service_meta() -> RecordMeta {
    RecordMeta::published(Area::Programme, None)
}

/// The header of an opportunity's record: its service's name as the title, its status, a
/// deferral's date as the key date.
fn opportunity_header<'a>(
    meta: &'a RecordMeta,
    opportunity: &'a Opportunity,
    reference: &'a str,
) -> Header<'a> {
    Header {
        kind: OPPORTUNITY_KIND,
        meta,
        parent_id: None,
        reference: Some(reference),
        title: &opportunity.service.name,
        status: Some(opportunity.status.kind().slug()),
        key_date: opportunity.status.re_evaluate(),
    }
}

/// The record of a criteria set: published (the rules of the gateway are no secret), in the
/// partnership's own area (the programme team keeps it).
fn set_meta(partnership_id: i64) -> RecordMeta {
    RecordMeta::published(Area::Partnership, Some(partnership_id))
}

fn set_title(set: &CriteriaSet) -> String {
    format!("Criteria set, version {}", set.version())
}

fn ratings_title(opportunity: &Opportunity, ratings: &CouncilRatings) -> String {
    format!(
        "{}: {}’s ratings (version {})",
        opportunity.service.name, ratings.council, ratings.criteria_version
    )
}

/// The header of a council's ratings: a child of the opportunity, owned by the council, its
/// criteria set's version as the status and the day it last rated as the key date.
fn ratings_header<'a>(
    meta: &'a RecordMeta,
    opportunity_id: i64,
    title: &'a str,
    version: &'a str,
    on: NaiveDate,
) -> Header<'a> {
    Header {
        kind: COUNCIL_RATINGS_KIND,
        meta,
        parent_id: Some(opportunity_id),
        reference: None,
        title,
        status: Some(version),
        key_date: Some(on),
    }
}

fn to_body<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// `text` in lower case with `LIKE`'s wildcards escaped, wrapped for "contains".
fn contains_pattern(lower: &str) -> String {
    let mut pattern = String::from("%");
    for c in lower.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

fn push(binds: &mut Vec<Bind>, value: Bind) -> String {
    binds.push(value);
    format!("${}", binds.len())
}

/// The conditions of a filter on opportunities (alias `o`), with their binds.
fn filter_where(filter: &OpportunityFilter, binds: &mut Vec<Bind>) -> String {
    let mut conditions = Vec::new();
    for (column, value) in [("o.phase", filter.phase), ("o.wave", filter.wave)] {
        match value {
            NumberFilter::Any => {}
            NumberFilter::NotStated => conditions.push(format!("{column} IS NULL")),
            NumberFilter::Is(n) => {
                let p = push(binds, Bind::Int(i64::from(n)));
                conditions.push(format!("{column} = {p}"));
            }
        }
    }
    if let Some(status) = filter.status {
        let p = push(binds, Bind::Text(status.slug().to_owned()));
        conditions.push(format!("o.status = {p}"));
    }
    if let Some(originating) = &filter.originating {
        let p = push(binds, Bind::Text(originating.as_str().to_owned()));
        conditions.push(format!("o.originating_gss = {p}"));
    }
    if let Some(size) = filter.size {
        let p = push(binds, Bind::Text(size.slug().to_owned()));
        conditions.push(format!("o.size = {p}"));
    }
    if let Some(by) = filter.re_evaluate_by {
        let p = push(binds, Bind::Date(by));
        conditions.push(format!(
            "o.re_evaluate IS NOT NULL AND o.re_evaluate <= {p}"
        ));
    }
    if let Some(needle) = filter.needle() {
        let p = push(binds, Bind::Text(contains_pattern(&needle)));
        conditions.push(format!(
            "(o.service_search LIKE {p} ESCAPE '\\' OR o.scope_search LIKE {p} ESCAPE '\\' \
             OR lower(o.reference) LIKE {p} ESCAPE '\\')"
        ));
    }
    if conditions.is_empty() {
        "1 = 1".to_owned()
    } else {
        conditions.join(" AND ")
    }
}

/// The SQL expression an order sorts by before the number, as [`OpportunitySort::key`] does
/// in Rust.
fn sort_expression(sort: OpportunitySort) -> Option<String> {
    match sort {
        OpportunitySort::Reference => None,
        OpportunitySort::Service => Some("o.service_search".to_owned()),
        OpportunitySort::Status => {
            let arms: Vec<String> = StatusKind::ALL
                .iter()
                .enumerate()
                .map(|(i, k)| format!("WHEN '{}' THEN {i}", k.slug()))
                .collect();
            Some(format!("(CASE o.status {} END)", arms.join(" ")))
        }
        OpportunitySort::Phase => Some(format!("COALESCE(o.phase, {PHASE_NOT_STATED})")),
        OpportunitySort::ReEvaluation => {
            Some(format!("COALESCE(o.re_evaluate, '{}')", last_date()))
        }
    }
}

/// The condition of a keyset page: after `cursor` in the order `sort`.
fn after_where(sort: OpportunitySort, cursor: &OpportunityCursor, binds: &mut Vec<Bind>) -> String {
    let key = match (&cursor.key, sort_expression(sort)) {
        (SortKey::Text(t), Some(e)) => Some((e, Bind::Text(t.clone()))),
        (SortKey::Number(n), Some(e)) => Some((e, Bind::Int(i64::from(*n)))),
        (SortKey::Date(d), Some(e)) => Some((e, Bind::Date(*d))),
        _ => None,
    };
    match key {
        Some((expression, value)) => {
            let k = push(binds, value);
            let n = push(binds, Bind::Int(i64::from(cursor.number)));
            format!("({expression} > {k} OR ({expression} = {k} AND o.number > {n}))")
        }
        None => {
            let n = push(binds, Bind::Int(i64::from(cursor.number)));
            format!("o.number > {n}")
        }
    }
}

fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The common part of the tally queries: the opportunities the reader may see, the councils
/// that rate each, the ratings the reader may see, the set each assessment uses, and each
/// criterion's counts and combined level (Red 0, Amber 1, Green 2; NULL until every council
/// has rated it), as the domain's [`Combination::combine`] works it out.
///
/// Values are spliced in rather than bound, as in [`visible`]: integers and a date checked
/// by their types.
fn tally_ctes(scope: &ReadScope, today: NaiveDate, ids: Option<&[i64]>) -> String {
    let only = match ids {
        Some([]) => " AND 1 = 0".to_owned(),
        Some(ids) => format!(" AND o.record_id IN ({})", id_list(ids)),
        None => String::new(),
    };
    format!(
        "WITH opp AS (\
            SELECT o.record_id, o.originating_gss FROM opportunities o JOIN records r ON r.id = o.record_id \
            WHERE o.partnership_id = $1 AND {opp_visible}{only}), \
         assessing AS (\
            SELECT record_id AS opportunity_id, originating_gss AS council_gss FROM opp \
            UNION \
            SELECT f.opportunity_id, f.partner_gss FROM opportunity_offers f JOIN opp ON opp.record_id = f.opportunity_id \
            WHERE f.answer = 'accept'), \
         councils AS (SELECT opportunity_id, COUNT(*) AS n FROM assessing GROUP BY opportunity_id), \
         seen AS (\
            SELECT g.opportunity_id, g.criteria_set_id, g.council_gss, g.position, g.rating \
            FROM ratings g JOIN records h ON h.id = g.council_ratings_id \
            WHERE g.partnership_id = $1 AND {ratings_visible}), \
         used AS (\
            SELECT opp.record_id AS opportunity_id, COALESCE(\
                (SELECT MAX(s.version) FROM seen JOIN criteria_sets s ON s.record_id = seen.criteria_set_id \
                 WHERE seen.opportunity_id = opp.record_id), \
                (SELECT MAX(s.version) FROM criteria_sets s WHERE s.partnership_id = $1)) AS version \
            FROM opp), \
         shown AS (\
            SELECT c.opportunity_id, c.criteria_set_id, c.illustrative FROM council_ratings c \
            JOIN records h ON h.id = c.record_id WHERE c.partnership_id = $1 AND {ratings_visible}), \
         sets AS (\
            SELECT u.opportunity_id, u.version, s.record_id AS set_id, s.combination, s.critical_red_fails, \
                s.threshold_micros, s.max_below_green \
            FROM used u LEFT JOIN criteria_sets s ON s.partnership_id = $1 AND s.version = u.version), \
         cells AS (\
            SELECT t.opportunity_id, k.position, k.weight_micros, k.critical, \
                SUM(CASE WHEN v.rating = 'red' THEN 1 ELSE 0 END) AS red, \
                SUM(CASE WHEN v.rating = 'amber' THEN 1 ELSE 0 END) AS amber, \
                SUM(CASE WHEN v.rating = 'green' THEN 1 ELSE 0 END) AS green \
            FROM sets t JOIN criteria k ON k.criteria_set_id = t.set_id \
            LEFT JOIN (SELECT seen.opportunity_id, seen.criteria_set_id, seen.position, seen.rating FROM seen \
                JOIN assessing a ON a.opportunity_id = seen.opportunity_id AND a.council_gss = seen.council_gss) v \
              ON v.opportunity_id = t.opportunity_id AND v.criteria_set_id = t.set_id AND v.position = k.position \
            GROUP BY t.opportunity_id, k.position, k.weight_micros, k.critical), \
         levels AS (\
            SELECT c.opportunity_id, c.position, c.weight_micros, c.critical, c.red + c.amber + c.green AS given, \
              CASE WHEN c.red + c.amber + c.green < n.n THEN NULL \
                WHEN t.combination = 'worst' THEN \
                  CASE WHEN c.red > 0 THEN 0 WHEN c.amber > 0 THEN 1 ELSE 2 END \
                WHEN t.combination = 'majority' THEN \
                  CASE WHEN 2 * c.green > n.n THEN 2 WHEN 2 * (c.amber + c.green) > n.n THEN 1 ELSE 0 END \
                ELSE \
                  CASE WHEN 2 * (c.amber + 2 * c.green) > 3 * n.n THEN 2 \
                    WHEN 2 * (c.amber + 2 * c.green) > n.n THEN 1 ELSE 0 END \
              END AS level \
            FROM cells c JOIN sets t ON t.opportunity_id = c.opportunity_id \
            JOIN councils n ON n.opportunity_id = c.opportunity_id) ",
        opp_visible = visible(scope, today, "r"),
        ratings_visible = visible(scope, today, "h"),
    )
}

#[derive(Debug, sqlx::FromRow)]
struct TallyRow {
    opportunity_id: i64,
    version: Option<i32>,
    councils: i64,
    rated: i64,
    criteria: i64,
    points: i64,
    total_weight: i64,
    illustrative: i32,
    outcome: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct LevelRow {
    opportunity_id: i64,
    position: i32,
    level: Option<i32>,
}

/// The tally per opportunity, with the outcome under the rule worked out as the domain's rule
/// does: a critical Red (when the rule says so), too many criteria below Green, or points
/// short of the threshold fail; otherwise a criterion below Green makes it a pass with
/// conditions. `points × 10⁶ < 2 × threshold × total` is the domain's comparison in whole
/// millionths.
const TALLY_SELECT: &str = "SELECT q.opportunity_id, q.version, q.councils, q.rated, q.criteria, q.points, q.total_weight, \
       CASE WHEN EXISTS (SELECT 1 FROM shown WHERE shown.opportunity_id = q.opportunity_id \
         AND shown.criteria_set_id = q.set_id AND shown.illustrative) THEN 1 ELSE 0 END AS illustrative, \
       CASE WHEN q.criteria = 0 OR q.incomplete > 0 THEN NULL \
         WHEN (q.critical_red_fails AND q.critical_reds > 0) \
           OR (q.max_below_green IS NOT NULL AND q.below_green > q.max_below_green) \
           OR q.points * 1000000 < 2 * q.threshold_micros * q.total_weight THEN 'fail' \
         WHEN q.below_green > 0 THEN 'pass-with-conditions' \
         ELSE 'pass' END AS outcome \
     FROM (SELECT t.opportunity_id, t.version, t.set_id, n.n AS councils, t.critical_red_fails, t.threshold_micros, t.max_below_green, \
         CAST(COALESCE(SUM(l.given), 0) AS BIGINT) AS rated, \
         CAST(COUNT(l.position) AS BIGINT) AS criteria, \
         CAST(COALESCE(SUM(CASE WHEN l.level IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS incomplete, \
         CAST(COALESCE(SUM(l.weight_micros * l.level), 0) AS BIGINT) AS points, \
         CAST(COALESCE(SUM(l.weight_micros), 0) AS BIGINT) AS total_weight, \
         CAST(COALESCE(SUM(CASE WHEN l.level = 0 AND l.critical THEN 1 ELSE 0 END), 0) AS BIGINT) AS critical_reds, \
         CAST(COALESCE(SUM(CASE WHEN l.level < 2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS below_green \
       FROM sets t JOIN councils n ON n.opportunity_id = t.opportunity_id \
       LEFT JOIN levels l ON l.opportunity_id = t.opportunity_id \
       GROUP BY t.opportunity_id, t.version, t.set_id, n.n, t.critical_red_fails, t.threshold_micros, t.max_below_green) q \
     ORDER BY q.opportunity_id";

fn tallies_of(rows: Vec<TallyRow>, levels: Vec<LevelRow>) -> Result<Vec<GatewayTally>> {
    let mut cells: HashMap<i64, Vec<(i32, Option<i32>)>> = HashMap::new();
    for l in levels {
        cells
            .entry(l.opportunity_id)
            .or_default()
            .push((l.position, l.level));
    }
    let count = |what: &str, n: i64| {
        u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("a tally of {n} {what}")))
    };
    rows.into_iter()
        .map(|row| {
            let councils = count("councils", row.councils)?;
            let criteria = count("criteria", row.criteria)?;
            let mut combined = vec![None; criteria as usize];
            for (position, level) in cells.remove(&row.opportunity_id).unwrap_or_default() {
                if let Some(cell) = usize::try_from(position)
                    .ok()
                    .and_then(|p| combined.get_mut(p))
                {
                    *cell = level
                        .and_then(|l| u8::try_from(l).ok())
                        .map(Rating::from_points);
                }
            }
            let outcome = row
                .outcome
                .as_deref()
                .map(|o| {
                    slug::<Outcome>(o).map_err(|e| {
                        StoreError::Corrupt(format!("opportunity {}: {e}", row.opportunity_id))
                    })
                })
                .transpose()?;
            Ok(GatewayTally {
                opportunity_id: row.opportunity_id,
                criteria_version: row.version.and_then(|v| u32::try_from(v).ok()),
                councils,
                rated: count("ratings", row.rated)?,
                needed: councils.saturating_mul(criteria),
                combined,
                points: outcome.is_some().then_some(row.points),
                total_weight: row.total_weight,
                outcome,
                illustrative: row.illustrative != 0,
            })
        })
        .collect()
}

fn unique_violation(error: sqlx::Error, what: impl FnOnce() -> StoreError) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => what(),
        _ => StoreError::Database(error),
    }
}

fn partnership_of(meta: &RecordMeta, what: &str) -> Result<i64> {
    meta.partnership_id.ok_or_else(|| {
        Invalid::field("partnership", format!("{what} belongs to a partnership")).into()
    })
}

fn criterion_position(set: &CriteriaSet, name: &str) -> Result<i32> {
    set.criteria
        .index_of(name)
        .and_then(|p| i32::try_from(p).ok())
        .ok_or_else(|| {
            Invalid::field(
                "criterion",
                format!(
                    "“{name}” is not a criterion of version {} of the criteria",
                    set.version()
                ),
            )
            .into()
        })
}

macro_rules! gateway_impl {
    ($store:ident, $write:ident, $conn:ty) => {
        impl $store {
            async fn load_services(conn: &mut $conn, condition: &str, binds: Vec<Bind>) -> Result<Vec<StoredService>> {
                let sql = format!(
                    "SELECT {SERVICE_COLUMNS} FROM services s JOIN records r ON r.id = s.record_id WHERE {condition} ORDER BY s.record_id"
                );
                let rows: Vec<ServiceRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                rows.into_iter().map(ServiceRow::into_stored).collect()
            }

            async fn write_service_row(conn: &mut $conn, record_id: i64, service: &Service, replace: bool) -> Result<()> {
                let sql = if replace {
                    "UPDATE services SET name = $2, name_key = $3, category = $4 WHERE record_id = $1"
                } else {
                    "INSERT INTO services (record_id, name, name_key, category) VALUES ($1, $2, $3, $4)"
                };
                sqlx::query(sql)
                    .bind(record_id)
                    .bind(service.name.trim())
                    .bind(service.name.trim().to_ascii_lowercase())
                    .bind(service.category.slug())
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| unique_violation(e, || Invalid::field("name", format!("“{}” is already in the catalogue", service.name.trim())).into()))?;
                Ok(())
            }

            async fn load_offers(conn: &mut $conn, ids: &[i64]) -> Result<HashMap<i64, Vec<Offer>>> {
                let mut out: HashMap<i64, Vec<Offer>> = HashMap::new();
                if ids.is_empty() {
                    return Ok(out);
                }
                // The ids are integers, so they are safe to splice.
                let sql = format!(
                    "SELECT opportunity_id, partner_gss, offered_on, responses FROM opportunity_offers \
                     WHERE opportunity_id IN ({}) ORDER BY opportunity_id, position",
                    id_list(ids)
                );
                let rows: Vec<OfferRow> = sqlx::query_as(&sql).fetch_all(&mut *conn).await?;
                for row in rows {
                    let partner = gss("partner", &row.partner_gss).map_err(|e| {
                        StoreError::Corrupt(format!("opportunity record {}: {e}", row.opportunity_id))
                    })?;
                    out.entry(row.opportunity_id).or_default().push(Offer {
                        partner,
                        offered_on: row.offered_on,
                        responses: row.responses.0,
                    });
                }
                Ok(out)
            }

            async fn load_opportunities(conn: &mut $conn, condition: &str, binds: Vec<Bind>) -> Result<Vec<StoredOpportunity>> {
                let sql = format!(
                    "SELECT {OPPORTUNITY_COLUMNS}, {META} FROM opportunities o JOIN records r ON r.id = o.record_id WHERE {condition}"
                );
                let rows: Vec<OpportunityRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                let ids: Vec<i64> = rows.iter().map(|r| r.record_id).collect();
                let mut offers = Self::load_offers(conn, &ids).await?;
                rows.into_iter()
                    .map(|row| {
                        let own = offers.remove(&row.record_id).unwrap_or_default();
                        row.into_stored(own)
                    })
                    .collect()
            }

            /// Writes an opportunity's row and its offers (a new one, or over the old one).
            async fn write_opportunity_row(
                conn: &mut $conn,
                record_id: i64,
                partnership_id: i64,
                opportunity: &Opportunity,
                replace: bool,
            ) -> Result<()> {
                // The row is updated in place, not replaced: the councils' ratings refer to it.
                if replace {
                    sqlx::query("DELETE FROM opportunity_offers WHERE opportunity_id = $1")
                        .bind(record_id)
                        .execute(&mut *conn)
                        .await?;
                }
                let (Some(raised_on), Some(last_changed)) = (opportunity.raised_on(), opportunity.last_changed()) else {
                    return Err(Invalid::field("history", "An opportunity's history records it being raised").into());
                };
                // A catalogue entry that has gone leaves the name the opportunity was raised with.
                let service_id = match opportunity.service.id {
                    0 => None,
                    id => {
                        let found: Option<(i64,)> = sqlx::query_as("SELECT record_id FROM services WHERE record_id = $1")
                            .bind(id)
                            .fetch_optional(&mut *conn)
                            .await?;
                        found.map(|(id,)| id)
                    }
                };
                let reference = opportunity.reference();
                let sql = if replace {
                    "UPDATE opportunities SET partnership_id = $2, number = $3, reference = $4, service_id = $5, \
                     service_name = $6, service_category = $7, service_search = $8, scope = $9, scope_search = $10, \
                     originating_gss = $11, wave = $12, phase = $13, size = $14, status = $15, status_reason = $16, \
                     re_evaluate = $17, raised_on = $18, last_changed = $19, history = $20, other_partners = $21, \
                     source = $22 WHERE record_id = $1"
                } else {
                    "INSERT INTO opportunities (record_id, partnership_id, number, reference, service_id, service_name, \
                     service_category, service_search, scope, scope_search, originating_gss, wave, phase, size, status, \
                     status_reason, re_evaluate, raised_on, last_changed, history, other_partners, source) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"
                };
                sqlx::query(sql)
                .bind(record_id)
                .bind(partnership_id)
                .bind(i64::from(opportunity.number))
                .bind(&reference)
                .bind(service_id)
                .bind(&opportunity.service.name)
                .bind(opportunity.service.category.slug())
                .bind(opportunity.service.name.to_lowercase())
                .bind(&opportunity.scope)
                .bind(opportunity.scope.to_lowercase())
                .bind(opportunity.originating.as_str())
                .bind(opportunity.wave.map(i64::from))
                .bind(opportunity.phase.map(i64::from))
                .bind(opportunity.size.map(|s| s.slug()))
                .bind(opportunity.status.kind().slug())
                .bind(opportunity.status.reason())
                .bind(opportunity.status.re_evaluate())
                .bind(raised_on)
                .bind(last_changed)
                .bind(Json(&opportunity.history))
                .bind(Json(&opportunity.other_partners))
                .bind(&opportunity.source)
                .execute(&mut *conn)
                .await
                .map_err(|e| unique_violation(e, || StoreError::Conflict(format!(
                    "{reference} is already taken in this programme; raise the opportunity again"
                ))))?;
                for (position, offer) in opportunity.offers.iter().enumerate() {
                    let latest = offer.latest();
                    sqlx::query(
                        "INSERT INTO opportunity_offers (opportunity_id, position, partner_gss, offered_on, answer, answered_on, responses) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(record_id)
                    .bind(i64::try_from(position).unwrap_or(i64::MAX))
                    .bind(offer.partner.as_str())
                    .bind(offer.offered_on)
                    .bind(latest.map(|r| r.kind.slug()))
                    .bind(latest.map(|r| r.on))
                    .bind(Json(&offer.responses))
                    .execute(&mut *conn)
                    .await?;
                }
                Ok(())
            }

            async fn load_sets(conn: &mut $conn, condition: &str, binds: Vec<Bind>) -> Result<Vec<StoredCriteriaSet>> {
                let sql = format!(
                    "SELECT {SET_COLUMNS} FROM criteria_sets s JOIN records r ON r.id = s.record_id WHERE {condition} ORDER BY s.version"
                );
                let rows: Vec<SetRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let ids: Vec<i64> = rows.iter().map(|r| r.record_id).collect();
                let sql = format!(
                    "SELECT criteria_set_id, name, weight_micros, critical FROM criteria \
                     WHERE criteria_set_id IN ({}) ORDER BY criteria_set_id, position",
                    id_list(&ids)
                );
                let criteria: Vec<CriterionRow> = sqlx::query_as(&sql).fetch_all(&mut *conn).await?;
                let mut by_set: HashMap<i64, Vec<Criterion>> = HashMap::new();
                for row in criteria {
                    let id = row.criteria_set_id;
                    let criterion = row.decode().map_err(|e| StoreError::Corrupt(format!("criteria set record {id}: {e}")))?;
                    by_set.entry(id).or_default().push(criterion);
                }
                rows.into_iter()
                    .map(|row| {
                        let own = by_set.remove(&row.record_id).unwrap_or_default();
                        row.into_stored(own)
                    })
                    .collect()
            }

            async fn write_set_rows(conn: &mut $conn, record_id: i64, partnership_id: i64, set: &CriteriaSet) -> Result<()> {
                let rule = &set.rule;
                sqlx::query(
                    "INSERT INTO criteria_sets (record_id, partnership_id, version, published_on, published_by, note, \
                     combination, critical_red_fails, threshold_micros, max_below_green) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(record_id)
                .bind(partnership_id)
                .bind(i64::from(set.version()))
                .bind(set.on)
                .bind(&set.by)
                .bind(&set.note)
                .bind(rule.combination.slug())
                .bind(rule.critical_red_fails)
                .bind(i64::try_from(rule.threshold.micros()).unwrap_or(i64::MAX))
                .bind(rule.max_ambers.map(i64::from))
                .execute(&mut *conn)
                .await
                .map_err(|e| unique_violation(e, || StoreError::Conflict(format!(
                    "version {} of the criteria is already published; make the new version again",
                    set.version()
                ))))?;
                for (position, c) in set.criteria.criteria.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO criteria (criteria_set_id, position, name, name_key, weight_micros, critical) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(record_id)
                    .bind(i64::try_from(position).unwrap_or(i64::MAX))
                    .bind(&c.name)
                    .bind(c.name.to_ascii_lowercase())
                    .bind(i64::try_from(c.weight.micros()).unwrap_or(i64::MAX))
                    .bind(c.critical)
                    .execute(&mut *conn)
                    .await?;
                }
                Ok(())
            }

            /// Stores a criteria set's header and rows, without an audit entry (the caller
            /// writes it, or — for a data move — writes none).
            async fn store_set(conn: &mut $conn, partnership_id: i64, set: &CriteriaSet, change: &Change) -> Result<(i64, StoredRecord)> {
                let meta = set_meta(partnership_id);
                let title = set_title(set);
                let version = set.version().to_string();
                let header = Header {
                    kind: CRITERIA_SET_KIND,
                    meta: &meta,
                    parent_id: None,
                    reference: None,
                    title: &title,
                    status: Some(&version),
                    key_date: set.on,
                };
                let id = Self::insert_header(conn, &header, change).await?;
                Self::write_set_rows(conn, id, partnership_id, set).await?;
                Ok((id, header.snapshot(id, 1, (change.at, change.at), to_body(set))))
            }

            async fn load_ratings(conn: &mut $conn, condition: &str, binds: Vec<Bind>) -> Result<Vec<StoredCouncilRatings>> {
                let sql = format!(
                    "SELECT {RATINGS_COLUMNS}, {META} FROM council_ratings c \
                     JOIN records r ON r.id = c.record_id \
                     JOIN criteria_sets s ON s.record_id = c.criteria_set_id \
                     LEFT JOIN ratings g ON g.council_ratings_id = c.record_id \
                     LEFT JOIN criteria k ON k.criteria_set_id = g.criteria_set_id AND k.position = g.position \
                     WHERE {condition} ORDER BY c.record_id, g.position"
                );
                let rows: Vec<RatingRow> = bind_all!(sqlx::query_as(&sql), binds).fetch_all(&mut *conn).await?;
                group_ratings(rows)
            }

            /// Writes a council's ratings rows (a new record's, or over the old ones).
            async fn write_ratings_rows(
                conn: &mut $conn,
                record_id: i64,
                partnership_id: i64,
                opportunity_id: i64,
                set: &StoredCriteriaSet,
                ratings: &CouncilRatings,
                replace: bool,
            ) -> Result<()> {
                if replace {
                    sqlx::query("DELETE FROM ratings WHERE council_ratings_id = $1")
                        .bind(record_id)
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("UPDATE council_ratings SET rated_on = $2, rated_by = $3, illustrative = $4 WHERE record_id = $1")
                        .bind(record_id)
                        .bind(ratings.on)
                        .bind(&ratings.by)
                        .bind(ratings.illustrative)
                        .execute(&mut *conn)
                        .await?;
                } else {
                    sqlx::query(
                        "INSERT INTO council_ratings (record_id, partnership_id, opportunity_id, criteria_set_id, council_gss, \
                         rated_on, rated_by, illustrative) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(record_id)
                    .bind(partnership_id)
                    .bind(opportunity_id)
                    .bind(set.record_id)
                    .bind(ratings.council.as_str())
                    .bind(ratings.on)
                    .bind(&ratings.by)
                    .bind(ratings.illustrative)
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| unique_violation(e, || StoreError::Conflict(format!(
                        "{} has rated this opportunity under version {} since you opened it; rate again",
                        ratings.council, ratings.criteria_version
                    ))))?;
                }
                for r in &ratings.ratings {
                    sqlx::query(
                        "INSERT INTO ratings (council_ratings_id, partnership_id, opportunity_id, criteria_set_id, council_gss, \
                         position, rating, rationale, evidence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(record_id)
                    .bind(partnership_id)
                    .bind(opportunity_id)
                    .bind(set.record_id)
                    .bind(ratings.council.as_str())
                    .bind(criterion_position(&set.set, &r.criterion)?)
                    .bind(r.rating.slug())
                    .bind(&r.rationale)
                    .bind(&r.evidence)
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| unique_violation(e, || Invalid::field(
                        "ratings",
                        format!("{} rates {} twice", ratings.council, r.criterion),
                    ).into()))?;
                }
                Ok(())
            }

            /// Moves the gateway's records of an earlier release from the generic table into
            /// the gateway's tables: run once, when an instance of an earlier release upgrades.
            /// Each record keeps its id, version and history; opportunities are numbered in each
            /// partnership in the order they were raised. No audit entry is written.
            pub(crate) async fn upgrade_gateway(conn: &mut $conn) -> Result<u64> {
                let change = Change::by("accord upgrade");
                let mut moved = 0u64;
                let corrupt = |kind: &str, id: i64, e: &dyn std::fmt::Display| StoreError::Corrupt(format!("{kind} record {id}: {e}"));

                let rows: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT id, body FROM records WHERE kind = $1 AND body <> 'null' ORDER BY id",
                )
                .bind(SERVICE_KIND)
                .fetch_all(&mut *conn)
                .await?;
                for (id, body) in &rows {
                    let service: Service = serde_json::from_str(body).map_err(|e| corrupt("service", *id, &e))?;
                    Self::write_service_row(conn, *id, &service, false).await?;
                    Self::empty_body(conn, *id, None).await?;
                }
                moved += rows.len() as u64;

                let rows: Vec<(i64, Option<i64>, String)> = sqlx::query_as(
                    "SELECT id, partnership_id, body FROM records WHERE kind = $1 AND body <> 'null' ORDER BY id",
                )
                .bind(CRITERIA_SET_KIND)
                .fetch_all(&mut *conn)
                .await?;
                for (id, partnership_id, body) in &rows {
                    let set: CriteriaSet = serde_json::from_str(body).map_err(|e| corrupt("criteria", *id, &e))?;
                    let pid = partnership_id.ok_or_else(|| corrupt("criteria", *id, &"belongs to no partnership"))?;
                    Self::write_set_rows(conn, *id, pid, &set).await?;
                    Self::empty_body(conn, *id, None).await?;
                }
                moved += rows.len() as u64;

                let rows: Vec<(i64, Option<i64>, String)> = sqlx::query_as(
                    "SELECT id, partnership_id, body FROM records WHERE kind = $1 AND body <> 'null' ORDER BY partnership_id, id",
                )
                .bind(OPPORTUNITY_KIND)
                .fetch_all(&mut *conn)
                .await?;
                let mut numbers: HashMap<i64, u32> = HashMap::new();
                for (id, partnership_id, body) in &rows {
                    let mut opportunity: Opportunity = serde_json::from_str(body).map_err(|e| corrupt("opportunity", *id, &e))?;
                    let pid = partnership_id.ok_or_else(|| corrupt("opportunity", *id, &"belongs to no partnership"))?;
                    let next = match numbers.get(&pid) {
                        Some(n) => n + 1,
                        None => {
                            let (last,): (Option<i64>,) = sqlx::query_as(
                                "SELECT CAST(MAX(number) AS BIGINT) FROM opportunities WHERE partnership_id = $1",
                            )
                            .bind(pid)
                            .fetch_one(&mut *conn)
                            .await?;
                            last.and_then(|n| u32::try_from(n).ok()).unwrap_or(0) + 1
                        }
                    };
                    numbers.insert(pid, next);
                    opportunity.number = next;
                    opportunity.id = *id;
                    opportunity.partnership_id = pid;
                    Self::write_opportunity_row(conn, *id, pid, &opportunity, false).await?;
                    Self::empty_body(conn, *id, Some(&opportunity.reference())).await?;
                }
                moved += rows.len() as u64;

                let rows: Vec<(i64, Option<i64>, Option<i64>, String)> = sqlx::query_as(
                    "SELECT id, partnership_id, parent_id, body FROM records WHERE kind = $1 AND body <> 'null' ORDER BY id",
                )
                .bind(COUNCIL_RATINGS_KIND)
                .fetch_all(&mut *conn)
                .await?;
                for (id, partnership_id, parent_id, body) in &rows {
                    let ratings: CouncilRatings = serde_json::from_str(body).map_err(|e| corrupt("assessment", *id, &e))?;
                    let pid = partnership_id.ok_or_else(|| corrupt("assessment", *id, &"belongs to no partnership"))?;
                    let opportunity_id = parent_id.ok_or_else(|| corrupt("assessment", *id, &"belongs to no opportunity"))?;
                    let found: Option<(i64,)> = sqlx::query_as("SELECT record_id FROM opportunities WHERE record_id = $1")
                        .bind(opportunity_id)
                        .fetch_optional(&mut *conn)
                        .await?;
                    if found.is_none() {
                        return Err(corrupt("assessment", *id, &format!("its opportunity {opportunity_id} is not an opportunity")));
                    }
                    let version = ratings.criteria_version;
                    let mut sets = Self::load_sets(
                        conn,
                        "s.partnership_id = $1 AND s.version = $2",
                        vec![Bind::Int(pid), Bind::Int(i64::from(version))],
                    )
                    .await?;
                    let set = match sets.pop() {
                        Some(set) => set,
                        // The earlier release used the built-in version 1 without storing it; it
                        // is stored now, as the set these ratings were made under.
                        None if version == 1 => {
                            let set = CriteriaSet::default();
                            let (record_id, _) = Self::store_set(conn, pid, &set, &change).await?;
                            StoredCriteriaSet { record_id, version: 1, set, updated_at: change.at }
                        }
                        None => {
                            return Err(corrupt("assessment", *id, &format!("version {version} of the criteria is not stored")));
                        }
                    };
                    Self::write_ratings_rows(conn, *id, pid, opportunity_id, &set, &ratings, false).await?;
                    Self::empty_body(conn, *id, None).await?;
                }
                moved += rows.len() as u64;
                Ok(moved)
            }

            async fn empty_body(conn: &mut $conn, id: i64, reference: Option<&str>) -> Result<()> {
                sqlx::query("UPDATE records SET body = 'null', reference = COALESCE($2, reference) WHERE id = $1")
                    .bind(id)
                    .bind(reference)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }
        }

        #[async_trait]
        impl GatewayStore for $store {
            async fn services(&self) -> Result<Vec<StoredService>> {
                let mut conn = self.pool.acquire().await?;
                Self::load_services(&mut conn, "1 = 1", Vec::new()).await
            }

            async fn services_page(&self, after: Option<i64>, limit: i64) -> Result<Vec<StoredService>> {
                let sql = format!(
                    "SELECT {SERVICE_COLUMNS} FROM services s JOIN records r ON r.id = s.record_id \
                     WHERE s.record_id > $1 ORDER BY s.record_id LIMIT $2"
                );
                let rows: Vec<ServiceRow> = sqlx::query_as(&sql)
                    .bind(after.unwrap_or(0))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map(ServiceRow::into_stored).collect()
            }

            async fn count_services(&self) -> Result<i64> {
                let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM services")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(count)
            }

            async fn opportunities(
                &self,
                partnership_id: i64,
                filter: &OpportunityFilter,
                page: &OpportunityPage,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<StoredOpportunity>> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let mut condition = format!(
                    "o.partnership_id = $1 AND {} AND {}",
                    filter_where(filter, &mut binds),
                    visible(scope, today, "r")
                );
                if let Some(after) = &page.after {
                    condition.push_str(&format!(" AND {}", after_where(page.sort, after, &mut binds)));
                }
                let order = match sort_expression(page.sort) {
                    Some(e) => format!("{e}, o.number"),
                    None => "o.number".to_owned(),
                };
                let limit = page.limit.clamp(1, 10_000);
                condition.push_str(&format!(" ORDER BY {order} LIMIT {limit} OFFSET {}", page.offset.max(0)));
                let mut conn = self.pool.acquire().await?;
                Self::load_opportunities(&mut conn, &condition, binds).await
            }

            async fn count_opportunities(
                &self,
                partnership_id: i64,
                filter: &OpportunityFilter,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<i64> {
                let mut binds = vec![Bind::Int(partnership_id)];
                let sql = format!(
                    "SELECT COUNT(*) FROM opportunities o JOIN records r ON r.id = o.record_id \
                     WHERE o.partnership_id = $1 AND {} AND {}",
                    filter_where(filter, &mut binds),
                    visible(scope, today, "r")
                );
                let (count,): (i64,) = bind_all!(sqlx::query_as(&sql), binds).fetch_one(&self.pool).await?;
                Ok(count)
            }

            async fn opportunity_facets(
                &self,
                partnership_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<OpportunityFacets> {
                let mut facets = OpportunityFacets::default();
                for (column, out) in [("phase", &mut facets.phases), ("wave", &mut facets.waves)] {
                    let sql = format!(
                        "SELECT DISTINCT o.{column} FROM opportunities o JOIN records r ON r.id = o.record_id \
                         WHERE o.partnership_id = $1 AND o.{column} IS NOT NULL AND {} ORDER BY o.{column}",
                        visible(scope, today, "r")
                    );
                    let rows: Vec<(i32,)> = sqlx::query_as(&sql).bind(partnership_id).fetch_all(&self.pool).await?;
                    out.extend(rows.into_iter().filter_map(|(n,)| u32::try_from(n).ok()));
                }
                Ok(facets)
            }

            async fn opportunity(
                &self,
                partnership_id: i64,
                number: u32,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Option<StoredOpportunity>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("o.partnership_id = $1 AND o.number = $2 AND {}", visible(scope, today, "r"));
                Ok(Self::load_opportunities(&mut conn, &condition, vec![Bind::Int(partnership_id), Bind::Int(i64::from(number))])
                    .await?
                    .pop())
            }

            async fn opportunity_number(&self, record_id: i64) -> Result<Option<(i64, u32)>> {
                let row: Option<(i64, i32)> =
                    sqlx::query_as("SELECT partnership_id, number FROM opportunities WHERE record_id = $1")
                        .bind(record_id)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.and_then(|(p, n)| u32::try_from(n).ok().map(|n| (p, n))))
            }

            async fn criteria_sets(
                &self,
                partnership_id: i64,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<StoredCriteriaSet>> {
                let mut conn = self.pool.acquire().await?;
                let condition = format!("s.partnership_id = $1 AND {}", visible(scope, today, "r"));
                Self::load_sets(&mut conn, &condition, vec![Bind::Int(partnership_id)]).await
            }

            async fn council_ratings(
                &self,
                partnership_id: i64,
                opportunity_id: Option<i64>,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<StoredCouncilRatings>> {
                let mut conn = self.pool.acquire().await?;
                let mut binds = vec![Bind::Int(partnership_id)];
                let mut condition = format!("c.partnership_id = $1 AND {}", visible(scope, today, "r"));
                if let Some(id) = opportunity_id {
                    condition.push_str(&format!(" AND c.opportunity_id = {}", push(&mut binds, Bind::Int(id))));
                }
                Self::load_ratings(&mut conn, &condition, binds).await
            }

            async fn gateway_tallies(
                &self,
                partnership_id: i64,
                opportunity_ids: Option<&[i64]>,
                scope: &ReadScope,
                today: NaiveDate,
            ) -> Result<Vec<GatewayTally>> {
                let ctes = tally_ctes(scope, today, opportunity_ids);
                let mut conn = self.pool.acquire().await?;
                let rows: Vec<TallyRow> = sqlx::query_as(&format!("{ctes}{TALLY_SELECT}"))
                    .bind(partnership_id)
                    .fetch_all(&mut *conn)
                    .await?;
                let levels: Vec<LevelRow> = sqlx::query_as(&format!(
                    "{ctes}SELECT opportunity_id, position, level FROM levels ORDER BY opportunity_id, position"
                ))
                .bind(partnership_id)
                .fetch_all(&mut *conn)
                .await?;
                tallies_of(rows, levels)
            }
        }

        #[async_trait]
        impl GatewayTx for $write {
            async fn services_for_change(&mut self) -> Result<Vec<StoredService>> {
                $store::load_services(&mut self.tx, "1 = 1", Vec::new()).await
            }

            async fn insert_service(&mut self, service: &Service, change: &Change) -> Result<StoredService> {
                let meta = service_meta();
                let header = service_header(&meta, service);
                let id = $store::insert_header(&mut self.tx, &header, change).await?;
                $store::write_service_row(&mut self.tx, id, service, false).await?;
                let stored = Service { id, ..service.clone() };
                let after = header.snapshot(id, 1, (change.at, change.at), to_body(&stored));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(StoredService { record_id: id, version: 1, service: stored, updated_at: change.at })
            }

            async fn update_service(&mut self, from: &StoredService, service: &Service, change: &Change) -> Result<StoredService> {
                let meta = service_meta();
                let what = format!("The service “{}”", from.service.name);
                let stored = Service { id: from.record_id, ..service.clone() };
                let before_header = service_header(&meta, &from.service);
                let after_header = service_header(&meta, &stored);
                let (version, created_at) =
                    $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &what, change).await?;
                $store::write_service_row(&mut self.tx, from.record_id, &stored, true).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created_at, from.updated_at), to_body(&from.service));
                let after = after_header.snapshot(from.record_id, version, (created_at, change.at), to_body(&stored));
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                Ok(StoredService { record_id: from.record_id, version, service: stored, updated_at: change.at })
            }

            async fn last_opportunity_number(&mut self, partnership_id: i64) -> Result<u32> {
                let (last,): (Option<i64>,) =
                    sqlx::query_as("SELECT CAST(MAX(number) AS BIGINT) FROM opportunities WHERE partnership_id = $1")
                        .bind(partnership_id)
                        .fetch_one(&mut *self.tx)
                        .await?;
                Ok(last.and_then(|n| u32::try_from(n).ok()).unwrap_or(0))
            }

            async fn opportunity_for_change(&mut self, partnership_id: i64, number: u32) -> Result<Option<StoredOpportunity>> {
                Ok($store::load_opportunities(
                    &mut self.tx,
                    "o.partnership_id = $1 AND o.number = $2",
                    vec![Bind::Int(partnership_id), Bind::Int(i64::from(number))],
                )
                .await?
                .pop())
            }

            async fn insert_opportunity(&mut self, meta: &RecordMeta, opportunity: &Opportunity, change: &Change) -> Result<StoredOpportunity> {
                let partnership_id = partnership_of(meta, "An opportunity")?;
                let reference = opportunity.reference();
                let header = opportunity_header(meta, opportunity, &reference);
                let id = $store::insert_header(&mut self.tx, &header, change)
                    .await
                    .map_err(|e| match e {
                        StoreError::Database(db) => unique_violation(db, || StoreError::Conflict(format!(
                            "{reference} is already taken in this programme; raise the opportunity again"
                        ))),
                        other => other,
                    })?;
                let stored = Opportunity { id, partnership_id, ..opportunity.clone() };
                $store::write_opportunity_row(&mut self.tx, id, partnership_id, &stored, false).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), to_body(&stored));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(StoredOpportunity { record_id: id, version: 1, meta: meta.clone(), opportunity: stored, updated_at: change.at })
            }

            async fn update_opportunity(&mut self, from: &StoredOpportunity, opportunity: &Opportunity, change: &Change) -> Result<StoredOpportunity> {
                let partnership_id = partnership_of(&from.meta, "An opportunity")?;
                let reference = from.opportunity.reference();
                let what = format!("{reference} ({})", from.opportunity.service.name);
                let stored = Opportunity {
                    id: from.record_id,
                    partnership_id,
                    number: from.opportunity.number,
                    ..opportunity.clone()
                };
                let before_header = opportunity_header(&from.meta, &from.opportunity, &reference);
                let after_header = opportunity_header(&from.meta, &stored, &reference);
                let (version, created_at) =
                    $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &what, change).await?;
                $store::write_opportunity_row(&mut self.tx, from.record_id, partnership_id, &stored, true).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created_at, from.updated_at), to_body(&from.opportunity));
                let after = after_header.snapshot(from.record_id, version, (created_at, change.at), to_body(&stored));
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                Ok(StoredOpportunity { record_id: from.record_id, version, meta: from.meta.clone(), opportunity: stored, updated_at: change.at })
            }

            async fn criteria_sets_for_change(&mut self, partnership_id: i64) -> Result<Vec<StoredCriteriaSet>> {
                $store::load_sets(&mut self.tx, "s.partnership_id = $1", vec![Bind::Int(partnership_id)]).await
            }

            async fn insert_criteria_set(&mut self, partnership_id: i64, set: &CriteriaSet, change: &Change) -> Result<StoredCriteriaSet> {
                let (id, after) = $store::store_set(&mut self.tx, partnership_id, set, change).await?;
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(StoredCriteriaSet { record_id: id, version: 1, set: set.clone(), updated_at: change.at })
            }

            async fn council_ratings_for_change(&mut self, opportunity_id: i64) -> Result<Vec<StoredCouncilRatings>> {
                $store::load_ratings(&mut self.tx, "c.opportunity_id = $1", vec![Bind::Int(opportunity_id)]).await
            }

            async fn insert_council_ratings(
                &mut self,
                meta: &RecordMeta,
                opportunity: &StoredOpportunity,
                set: &StoredCriteriaSet,
                ratings: &CouncilRatings,
                change: &Change,
            ) -> Result<StoredCouncilRatings> {
                let partnership_id = partnership_of(meta, "A council's ratings")?;
                let title = ratings_title(&opportunity.opportunity, ratings);
                let version = ratings.criteria_version.to_string();
                let header = ratings_header(meta, opportunity.record_id, &title, &version, ratings.on);
                let id = $store::insert_header(&mut self.tx, &header, change).await?;
                $store::write_ratings_rows(&mut self.tx, id, partnership_id, opportunity.record_id, set, ratings, false).await?;
                let after = header.snapshot(id, 1, (change.at, change.at), to_body(ratings));
                $store::audit_record(&mut self.tx, change, AuditAction::Create, None, Some(&after)).await?;
                Ok(StoredCouncilRatings {
                    record_id: id,
                    version: 1,
                    meta: meta.clone(),
                    opportunity_id: opportunity.record_id,
                    criteria_set_id: set.record_id,
                    ratings: ratings.clone(),
                    updated_at: change.at,
                })
            }

            async fn update_council_ratings(
                &mut self,
                from: &StoredCouncilRatings,
                meta: &RecordMeta,
                opportunity: &StoredOpportunity,
                set: &StoredCriteriaSet,
                ratings: &CouncilRatings,
                change: &Change,
            ) -> Result<StoredCouncilRatings> {
                let partnership_id = partnership_of(meta, "A council's ratings")?;
                let what = format!("{}’s ratings of {}", from.ratings.council, opportunity.opportunity.reference());
                let title = ratings_title(&opportunity.opportunity, ratings);
                let before_title = ratings_title(&opportunity.opportunity, &from.ratings);
                let version_text = ratings.criteria_version.to_string();
                let before_header = ratings_header(&from.meta, opportunity.record_id, &before_title, &version_text, from.ratings.on);
                let after_header = ratings_header(meta, opportunity.record_id, &title, &version_text, ratings.on);
                let (version, created_at) =
                    $store::update_header(&mut self.tx, from.record_id, from.version, &after_header, &what, change).await?;
                $store::write_ratings_rows(&mut self.tx, from.record_id, partnership_id, opportunity.record_id, set, ratings, true).await?;
                let before = before_header.snapshot(from.record_id, from.version, (created_at, from.updated_at), to_body(&from.ratings));
                let after = after_header.snapshot(from.record_id, version, (created_at, change.at), to_body(ratings));
                $store::audit_record(&mut self.tx, change, AuditAction::Update, Some(&before), Some(&after)).await?;
                Ok(StoredCouncilRatings {
                    record_id: from.record_id,
                    version,
                    meta: meta.clone(),
                    opportunity_id: opportunity.record_id,
                    criteria_set_id: set.record_id,
                    ratings: ratings.clone(),
                    updated_at: change.at,
                })
            }
        }
    };
}

gateway_impl!(SqliteStore, SqliteWrite, sqlx::SqliteConnection);
gateway_impl!(PgStore, PgWrite, sqlx::PgConnection);
