//! Rows as the databases return them, and their conversion to domain values.

use crate::{Result, StoreError, StoredHoliday};
use accord_domain::audit::{AuditAction, AuditEntry, AuditRecord};
use accord_domain::authority::Centroid;
use accord_domain::mou::{MouEnd, MouEvent, MouValue};
use accord_domain::{
    Authority, AuthorityType, GssCode, Member, MemberRole, MemberStatus, Mou, Nation,
};
use chrono::{DateTime, NaiveDate, Utc};

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AuthorityRow {
    pub code: String,
    pub gss: Option<String>,
    pub official_name: String,
    pub short_name: String,
    pub kind: String,
    pub region: String,
    pub nation: String,
    pub population: Option<i64>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub successors: String,
    pub county: Option<String>,
    pub slug: Option<String>,
}

impl AuthorityRow {
    pub fn into_domain(self) -> Result<Authority> {
        Ok(Authority {
            gss: self
                .gss
                .as_deref()
                .map(|g| GssCode::parse("gss", g))
                .transpose()
                .map_err(|e| corrupt("authority gss", e))?,
            kind: AuthorityType::parse("kind", &self.kind)
                .map_err(|e| corrupt("authority kind", e))?,
            nation: Nation::parse("nation", &self.nation)
                .map_err(|e| corrupt("authority nation", e))?,
            population: self.population.and_then(|p| u64::try_from(p).ok()),
            centroid: self
                .lat
                .zip(self.long)
                .map(|(lat, long)| Centroid { lat, long }),
            successors: self
                .successors
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            code: self.code,
            official_name: self.official_name,
            short_name: self.short_name,
            region: self.region,
            start_date: self.start_date,
            end_date: self.end_date,
            county: self.county,
            slug: self.slug,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct HolidayRow {
    pub division: String,
    pub date: NaiveDate,
    pub title: String,
    pub notes: String,
    pub bunting: bool,
}

impl From<HolidayRow> for StoredHoliday {
    fn from(r: HolidayRow) -> Self {
        StoredHoliday {
            division: r.division,
            date: r.date,
            title: r.title,
            notes: r.notes,
            bunting: r.bunting,
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct PartnershipRow {
    pub id: i64,
    pub name: String,
    pub summary: String,
    pub source: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MemberRow {
    pub partnership_id: i64,
    pub authority_gss: String,
    pub role: String,
    pub status: String,
    pub joined: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
}

impl MemberRow {
    pub fn into_domain(self) -> Result<Member> {
        Ok(Member {
            authority: GssCode::parse("gss", &self.authority_gss)
                .map_err(|e| corrupt("member gss", e))?,
            role: MemberRole::parse("role", &self.role).map_err(|e| corrupt("member role", e))?,
            status: MemberStatus::parse("status", &self.status)
                .map_err(|e| corrupt("member status", e))?,
            joined: self.joined,
            left: self.left_on,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MouRow {
    pub agreed: Option<NaiveDate>,
    pub signed: Option<NaiveDate>,
    pub commencement: Option<NaiveDate>,
    pub end_kind: String,
    pub end_date: Option<NaiveDate>,
    pub end_event: Option<String>,
    pub legally_binding: bool,
    pub preferred_partner: bool,
    pub principles: String,
    pub mou_values: String,
    pub quarterly_review_by: Option<String>,
    pub annual_review_by: Option<String>,
    pub cost_sharing: String,
    pub source: Option<String>,
}

/// The columns an MOU's end is stored in.
pub(crate) fn end_columns(end: &MouEnd) -> (&'static str, Option<NaiveDate>, Option<&str>) {
    match end {
        MouEnd::Date { date } => ("date", Some(*date), None),
        MouEnd::Event { name, date } => ("event", Some(*date), Some(name.as_str())),
        MouEnd::Open => ("open", None, None),
    }
}

impl MouRow {
    pub fn into_domain(self, events: Vec<MouEvent>) -> Result<Mou> {
        let end = match (self.end_kind.as_str(), self.end_date, self.end_event) {
            ("date", Some(date), _) => MouEnd::Date { date },
            ("event", Some(date), Some(name)) => MouEnd::Event { name, date },
            ("open", _, _) => MouEnd::Open,
            (kind, ..) => return Err(corrupt("mou end", format!("kind {kind} without its date"))),
        };
        let values: Vec<MouValue> =
            serde_json::from_str(&self.mou_values).map_err(|e| corrupt("mou values", e))?;
        Ok(Mou {
            agreed: self.agreed,
            signed: self.signed,
            commencement: self.commencement,
            end,
            legally_binding: self.legally_binding,
            preferred_partner: self.preferred_partner,
            values,
            principles: self.principles,
            quarterly_review_by: self.quarterly_review_by,
            annual_review_by: self.annual_review_by,
            cost_sharing: self.cost_sharing,
            events,
            source: self.source,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MouEventRow {
    pub body: String,
}

impl MouEventRow {
    pub fn into_domain(self) -> Result<MouEvent> {
        serde_json::from_str(&self.body).map_err(|e| corrupt("mou event", e))
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AuditRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub record_kind: String,
    pub record_id: String,
    pub partnership_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub reason: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    pub fn into_domain(self) -> Result<AuditEntry> {
        let json = |text: Option<String>| -> Result<Option<serde_json::Value>> {
            text.map(|t| serde_json::from_str(&t).map_err(|e| corrupt("audit json", e)))
                .transpose()
        };
        Ok(AuditEntry {
            seq: self.seq,
            record: AuditRecord {
                at: self.at,
                actor_id: self.actor_id,
                actor: self.actor,
                action: AuditAction::from_slug(&self.action)
                    .ok_or_else(|| corrupt("audit action", &self.action))?,
                record_kind: self.record_kind,
                record_id: self.record_id,
                partnership_id: self.partnership_id,
                before: json(self.before_json)?,
                after: json(self.after_json)?,
                reason: self.reason,
            },
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub home_gss: Option<String>,
    pub admin: bool,
    pub disabled: bool,
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RoleAssignmentRow {
    pub user_id: i64,
    pub partnership_id: i64,
    pub role: String,
}

impl RoleAssignmentRow {
    pub fn into_domain(self) -> Result<accord_domain::access::RoleAssignment> {
        Ok(accord_domain::access::RoleAssignment {
            partnership_id: self.partnership_id,
            role: accord_domain::access::Role::parse("role", &self.role)
                .map_err(|e| corrupt("role assignment role", e))?,
        })
    }
}

impl UserRow {
    pub fn into_domain(
        self,
        role_assignments: Vec<accord_domain::access::RoleAssignment>,
    ) -> Result<accord_domain::access::UserAccount> {
        Ok(accord_domain::access::UserAccount {
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            home: self
                .home_gss
                .as_deref()
                .map(|g| GssCode::parse("gss", g))
                .transpose()
                .map_err(|e| corrupt("user home", e))?,
            admin: self.admin,
            disabled: self.disabled,
            role_assignments,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ApiTokenRow {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiTokenRow> for crate::ApiToken {
    fn from(r: ApiTokenRow) -> Self {
        crate::ApiToken {
            id: r.id,
            name: r.name,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}
