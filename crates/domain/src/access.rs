//! Who may see and change what. One policy decides every read and write: pages, the JSON API
//! and the CLI call [`decide`] (or filter reads through [`ReadScope`], which the store turns
//! into SQL), and never re-implement it.
//!
//! Councils sharing a programme share a lot, but not everything: a council's own drafts stay
//! with that council and the programme team; board material stays hidden until the decision it
//! informs (MOU 5.5); requesters' personal data is seen only by the information leads; viewers
//! (councillors, scrutiny) see released material; the public sees only what is published.

use crate::{GssCode, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A user's role in one partnership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The joint programme team: edits the partnership's records.
    Programme,
    /// Board members: read board material, record decisions.
    Board,
    /// Council officers: edit their own council's records, read the partnership's shared ones.
    Officer,
    /// Finance officers: business cases, the savings ledger, funding.
    Finance,
    /// The single point of contact for information requests.
    Information,
    /// Councillors and scrutiny: read released material.
    Viewer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [
        Role::Programme,
        Role::Board,
        Role::Officer,
        Role::Finance,
        Role::Information,
        Role::Viewer,
    ];

    /// The stable name used in storage, the CLI and the API.
    pub fn slug(self) -> &'static str {
        match self {
            Role::Programme => "programme",
            Role::Board => "board",
            Role::Officer => "officer",
            Role::Finance => "finance",
            Role::Information => "information",
            Role::Viewer => "viewer",
        }
    }

    /// A label for pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Programme => "Joint programme team",
            Role::Board => "Board member",
            Role::Officer => "Council officer",
            Role::Finance => "Finance officer",
            Role::Information => "Information governance lead",
            Role::Viewer => "Councillor or scrutiny (read only)",
        }
    }

    /// Parses a slug, naming the roles there are when it is not one.
    pub fn parse(field: &str, text: &str) -> Result<Role, Invalid> {
        Role::ALL.into_iter().find(|r| r.slug() == text.trim().to_ascii_lowercase()).ok_or_else(|| {
            Invalid::field(
                field,
                format!("“{text}” is not a role; the roles are programme, board, officer, finance, information and viewer"),
            )
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// Who may see a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Classification {
    /// Anyone, including the public.
    Published,
    /// Users with any role in the record's partnership.
    Partnership,
    /// The owning council's users and the programme team.
    Council,
    /// Hidden until a date or a decision, then released to its release class.
    Embargoed,
    /// Requesters' personal data: the information role only.
    Personal,
}

impl Classification {
    /// Every class, from most to least open.
    pub const ALL: [Classification; 5] = [
        Classification::Published,
        Classification::Partnership,
        Classification::Council,
        Classification::Embargoed,
        Classification::Personal,
    ];

    /// The stable name used in storage and the API.
    pub fn slug(self) -> &'static str {
        match self {
            Classification::Published => "published",
            Classification::Partnership => "partnership",
            Classification::Council => "council",
            Classification::Embargoed => "embargoed",
            Classification::Personal => "personal",
        }
    }

    /// A label for pages.
    pub fn label(self) -> &'static str {
        match self {
            Classification::Published => "Published",
            Classification::Partnership => "Partnership",
            Classification::Council => "Council only",
            Classification::Embargoed => "Embargoed",
            Classification::Personal => "Personal data",
        }
    }

    /// Parses a slug.
    pub fn parse(field: &str, text: &str) -> Result<Classification, Invalid> {
        Classification::ALL.into_iter().find(|c| c.slug() == text.trim()).ok_or_else(|| {
            Invalid::field(
                field,
                format!("“{text}” is not a classification; use published, partnership, council, embargoed or personal"),
            )
        })
    }
}

/// When an embargoed record is released, and to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Embargo {
    /// Released at the start of this day, if set.
    pub until: Option<NaiveDate>,
    /// Released when this decision is recorded, if set.
    pub decision_id: Option<i64>,
    /// The class it becomes when released.
    pub release_to: Classification,
}

impl Embargo {
    /// Checks that the embargo can end and ends somewhere other than an embargo.
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        if self.until.is_none() && self.decision_id.is_none() {
            invalid.push(
                "embargo_until",
                "An embargo needs a release date or the decision that releases it",
            );
        }
        if self.release_to == Classification::Embargoed {
            invalid.push(
                "release_to",
                "Choose who may see the record once it is released",
            );
        }
        invalid.into_result()
    }
}

/// The part of Accord a record belongs to; decides who may write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    /// The partnership itself: its details, members and MOU.
    Partnership,
    /// Opportunities, projects, milestones, the RAID log, highlight reports.
    Programme,
    /// Each council's own gateway ratings.
    Assessment,
    /// Boards, meetings, papers, decisions.
    Governance,
    /// Business cases, allocations, the savings ledger, funding awards.
    Finance,
    /// Information-law requests.
    Information,
    /// Users, roles and the audit trail.
    Administration,
}

/// What someone wants to do to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// See it.
    Read,
    /// Create it.
    Create,
    /// Change it.
    Update,
    /// Delete it.
    Delete,
    /// Release it from embargo early.
    Release,
    /// Record a decision (board material).
    Decide,
}

/// A user's role in a partnership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoleAssignment {
    /// The partnership.
    pub partnership_id: i64,
    /// The role.
    pub role: Role,
}

/// Whoever is asking: a signed-in user (or an API token acting as its user), or an anonymous
/// visitor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user, if signed in.
    pub user_id: Option<i64>,
    /// The user's home council.
    pub home: Option<GssCode>,
    /// An instance administrator.
    pub admin: bool,
    /// Roles per partnership (`grants` in earlier releases).
    #[serde(alias = "grants")]
    pub role_assignments: Vec<RoleAssignment>,
}

impl Actor {
    /// An anonymous visitor.
    pub fn anonymous() -> Self {
        Actor::default()
    }

    /// Whether signed in.
    pub fn is_signed_in(&self) -> bool {
        self.user_id.is_some()
    }

    /// Whether the actor has a role in a partnership.
    pub fn has(&self, partnership_id: i64, role: Role) -> bool {
        self.role_assignments
            .iter()
            .any(|g| g.partnership_id == partnership_id && g.role == role)
    }

    /// Whether the actor has any role in a partnership.
    pub fn is_in(&self, partnership_id: i64) -> bool {
        self.role_assignments
            .iter()
            .any(|g| g.partnership_id == partnership_id)
    }

    /// The partnerships in which the actor has any of `roles`.
    fn partnerships_with(&self, roles: &[Role]) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .role_assignments
            .iter()
            .filter(|g| roles.contains(&g.role))
            .map(|g| g.partnership_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// What the policy needs to know about a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordMeta {
    /// The part of Accord it belongs to.
    pub area: Area,
    /// The partnership it belongs to; `None` for instance-wide records.
    pub partnership_id: Option<i64>,
    /// The council that owns it, for council records.
    pub owner: Option<GssCode>,
    /// Its classification as stored.
    pub classification: Classification,
    /// Its embargo, when embargoed.
    pub embargo: Option<Embargo>,
}

impl RecordMeta {
    /// A published record of a partnership.
    pub fn published(area: Area, partnership_id: Option<i64>) -> Self {
        RecordMeta {
            area,
            partnership_id,
            owner: None,
            classification: Classification::Published,
            embargo: None,
        }
    }

    /// The class the record has on `today`: an embargo whose date has come has released it,
    /// even before the release is written down.
    pub fn effective_classification(&self, today: NaiveDate) -> Classification {
        match (&self.classification, &self.embargo) {
            (Classification::Embargoed, Some(e)) if e.until.is_some_and(|u| u <= today) => {
                e.release_to
            }
            (class, _) => *class,
        }
    }
}

/// The policy's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Decision {
    /// Allowed.
    Allow,
    /// Refused, with the reason in words (for logs and the 403 page, never revealing the
    /// record's content).
    Deny(String),
}

impl Decision {
    /// Whether allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allow)
    }
}

/// What an actor may read, in a form the store can turn into a `WHERE` clause. Built only by
/// [`ReadScope::of`], and [`ReadScope::permits`] is the same rule in Rust.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ReadScope {
    /// Instance administrators read everything but personal data.
    pub everything_but_personal: bool,
    /// Partnerships whose `partnership` records may be read.
    pub partnership: Vec<i64>,
    /// Partnerships whose `council` records of any council may be read (programme team).
    pub council_any: Vec<i64>,
    /// Partnerships whose `council` records of the actor's home council may be read.
    pub council_own: Vec<i64>,
    /// The actor's home council.
    pub home: Option<GssCode>,
    /// Partnerships whose embargoed records may be read before release.
    pub embargoed: Vec<i64>,
    /// Partnerships whose personal data may be read.
    pub personal: Vec<i64>,
}

impl ReadScope {
    /// The read rights of an actor.
    pub fn of(actor: &Actor) -> Self {
        use Role::*;
        ReadScope {
            everything_but_personal: actor.admin,
            partnership: actor.partnerships_with(&Role::ALL),
            council_any: actor.partnerships_with(&[Programme]),
            council_own: if actor.home.is_some() {
                actor.partnerships_with(&[Board, Officer, Finance, Information])
            } else {
                Vec::new()
            },
            home: actor.home.clone(),
            embargoed: actor.partnerships_with(&[Programme, Board]),
            personal: actor.partnerships_with(&[Information]),
        }
    }

    /// Whether a record with this metadata may be read on `today`.
    pub fn permits(&self, meta: &RecordMeta, today: NaiveDate) -> bool {
        let class = meta.effective_classification(today);
        if class == Classification::Published {
            return true;
        }
        let Some(pid) = meta.partnership_id else {
            // Instance-wide records that are not published are for administrators.
            return self.everything_but_personal && class != Classification::Personal;
        };
        if self.everything_but_personal && class != Classification::Personal {
            return true;
        }
        match class {
            Classification::Published => true,
            Classification::Partnership => self.partnership.contains(&pid),
            Classification::Council => {
                self.council_any.contains(&pid)
                    || (self.council_own.contains(&pid)
                        && meta.owner.is_some()
                        && meta.owner == self.home)
            }
            Classification::Embargoed => self.embargoed.contains(&pid),
            Classification::Personal => self.personal.contains(&pid),
        }
    }
}

/// Decides whether an actor may do something to a record on `today`.
///
/// Reads follow [`ReadScope`]. Writes need the right role for the record's area, and the actor
/// must be able to read the record: nobody edits what they may not see.
pub fn decide(actor: &Actor, action: Action, meta: &RecordMeta, today: NaiveDate) -> Decision {
    let readable = ReadScope::of(actor).permits(meta, today);
    if action == Action::Read {
        return if readable {
            Decision::Allow
        } else {
            Decision::Deny("this record is not shared with you".to_owned())
        };
    }
    if !actor.is_signed_in() {
        return Decision::Deny("sign in to make changes".to_owned());
    }
    if !readable && action != Action::Create {
        return Decision::Deny("this record is not shared with you".to_owned());
    }
    if meta.classification == Classification::Personal && meta.area != Area::Information {
        return Decision::Deny("personal data belongs in information requests only".to_owned());
    }
    if actor.admin && meta.area != Area::Information {
        return Decision::Allow;
    }
    let Some(pid) = meta.partnership_id else {
        return Decision::Deny("only an administrator can change instance-wide records".to_owned());
    };
    let has = |role| actor.has(pid, role);
    let own_council = meta.owner.is_some() && meta.owner == actor.home;
    let shared = meta.owner.is_none();
    let allowed = match (meta.area, action) {
        (_, Action::Read) => true,
        (Area::Administration, _) => false,
        (Area::Partnership, _) => has(Role::Programme),
        (Area::Governance, Action::Decide) => has(Role::Board) || has(Role::Programme),
        (Area::Governance, Action::Release) => has(Role::Programme) || has(Role::Board),
        (Area::Governance, _) => {
            has(Role::Programme) || (has(Role::Board) && action != Action::Delete)
        }
        (_, Action::Decide) => false,
        (Area::Programme, Action::Release) => has(Role::Programme),
        (Area::Programme, _) => has(Role::Programme) || (has(Role::Officer) && own_council),
        (Area::Assessment, _) => {
            has(Role::Programme) || ((has(Role::Officer) || has(Role::Board)) && own_council)
        }
        (Area::Finance, Action::Release) => has(Role::Programme),
        (Area::Finance, _) => {
            has(Role::Programme) && shared || has(Role::Finance) && (shared || own_council)
        }
        (Area::Information, _) => has(Role::Information),
    };
    if allowed {
        Decision::Allow
    } else {
        Decision::Deny("your role in this partnership does not allow this change".to_owned())
    }
}

/// A user account as the rest of Accord sees it (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAccount {
    /// The database identity.
    pub id: i64,
    /// The sign-in email, lower case.
    pub email: String,
    /// The name shown on pages and in the audit trail.
    pub display_name: String,
    /// The council the user works for.
    pub home: Option<GssCode>,
    /// An instance administrator.
    pub admin: bool,
    /// A disabled account cannot sign in and its API tokens stop working.
    pub disabled: bool,
    /// Roles per partnership (`grants` in earlier releases).
    #[serde(alias = "grants")]
    pub role_assignments: Vec<RoleAssignment>,
}

impl UserAccount {
    /// The actor this user is when signed in (or acting through one of their API tokens).
    pub fn actor(&self) -> Actor {
        if self.disabled {
            return Actor::anonymous();
        }
        Actor {
            user_id: Some(self.id),
            home: self.home.clone(),
            admin: self.admin,
            role_assignments: self.role_assignments.clone(),
        }
    }
}

/// Checks and normalises an email address: trimmed, lower case, one `@` with text either side
/// and a dot in the domain. Deliverability is not checked here.
pub fn parse_email(field: &str, text: &str) -> Result<String, Invalid> {
    let email = text.trim().to_lowercase();
    let ok = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(email)
    } else {
        Err(Invalid::field(
            field,
            "Enter an email address in the correct format, like name@council.gov.uk",
        ))
    }
}

/// Sign-in throttling: how many wrong passphrases in a row an account may have, and an
/// address across accounts, before further attempts are refused for [`THROTTLE_MINUTES`].
/// The tenth wrong attempt in a row on an account is refused.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 9;

/// Failures from one address, across accounts, before it is throttled (guessing many accounts).
pub const MAX_FAILURES_PER_ADDRESS: i64 = 50;

/// How long a throttle lasts after the last failure.
pub const THROTTLE_MINUTES: i64 = 15;

/// Whether a sign-in attempt must be refused, given the recent failures for its account and
/// its address.
pub fn is_throttled(account_failures: i64, address_failures: i64) -> bool {
    account_failures >= MAX_FAILURES_PER_ACCOUNT || address_failures >= MAX_FAILURES_PER_ADDRESS
}

/// The shortest passphrase Accord accepts. NCSC guidance: length, not composition rules.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// The longest: long enough for any passphrase, short enough to bound hashing work.
pub const MAX_PASSPHRASE_CHARS: usize = 256;

/// Checks a new passphrase: at least 12 characters and no composition rules (NCSC), plus a
/// refusal of the trivially guessable.
pub fn check_passphrase(field: &str, passphrase: &str, email: &str) -> Result<(), Invalid> {
    let chars = passphrase.chars().count();
    if chars < MIN_PASSPHRASE_CHARS {
        return Err(Invalid::field(
            field,
            format!(
                "Use a passphrase of at least {MIN_PASSPHRASE_CHARS} characters: three random words work well"
            ),
        ));
    }
    if chars > MAX_PASSPHRASE_CHARS {
        return Err(Invalid::field(
            field,
            format!("Use a passphrase of at most {MAX_PASSPHRASE_CHARS} characters"),
        ));
    }
    let lower = passphrase.to_lowercase();
    let distinct = {
        let mut c: Vec<char> = lower.chars().collect();
        c.sort_unstable();
        c.dedup();
        c.len()
    };
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if distinct < 4
        || (!local.is_empty() && lower.contains(&local) && local.len() * 2 >= lower.len())
        || lower.contains("password")
    {
        return Err(Invalid::field(
            field,
            "That passphrase is too easy to guess: try three random words",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: i64 = 1;
    const OTHER: i64 = 2;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn gss(s: &str) -> GssCode {
        GssCode::parse("gss", s).unwrap()
    }

    const HARINGEY: &str = "E09000014";
    const WALTHAM_FOREST: &str = "E09000031";

    fn user(role: Role, home: &str) -> Actor {
        Actor {
            user_id: Some(7),
            home: Some(gss(home)),
            admin: false,
            role_assignments: vec![RoleAssignment {
                partnership_id: P,
                role,
            }],
        }
    }

    fn meta(area: Area, class: Classification, owner: Option<&str>) -> RecordMeta {
        RecordMeta {
            area,
            partnership_id: Some(P),
            owner: owner.map(gss),
            classification: class,
            embargo: (class == Classification::Embargoed).then_some(Embargo {
                until: Some(d(2011, 9, 1)),
                decision_id: None,
                release_to: Classification::Published,
            }),
        }
    }

    #[test]
    fn read_rights_by_role_and_class() {
        use Classification::*;
        let today = d(2011, 7, 21);
        // (actor, class, owner, may read)
        let anon = Actor::anonymous();
        let cases: Vec<(&str, Actor, Classification, Option<&str>, bool)> = vec![
            (
                "anonymous sees published",
                anon.clone(),
                Published,
                None,
                true,
            ),
            (
                "anonymous never sees partnership records",
                anon.clone(),
                Partnership,
                None,
                false,
            ),
            (
                "anonymous never sees embargoed",
                anon,
                Embargoed,
                None,
                false,
            ),
            (
                "viewer sees partnership records",
                user(Role::Viewer, HARINGEY),
                Partnership,
                None,
                true,
            ),
            (
                "viewer does not see embargoed",
                user(Role::Viewer, HARINGEY),
                Embargoed,
                None,
                false,
            ),
            (
                "viewer does not see own council's drafts",
                user(Role::Viewer, HARINGEY),
                Council,
                Some(HARINGEY),
                false,
            ),
            (
                "officer sees own council's drafts",
                user(Role::Officer, HARINGEY),
                Council,
                Some(HARINGEY),
                true,
            ),
            (
                "officer does not see the other council's drafts",
                user(Role::Officer, WALTHAM_FOREST),
                Council,
                Some(HARINGEY),
                false,
            ),
            (
                "programme sees every council's drafts",
                user(Role::Programme, WALTHAM_FOREST),
                Council,
                Some(HARINGEY),
                true,
            ),
            (
                "board sees embargoed board material",
                user(Role::Board, HARINGEY),
                Embargoed,
                None,
                true,
            ),
            (
                "programme sees embargoed",
                user(Role::Programme, HARINGEY),
                Embargoed,
                None,
                true,
            ),
            (
                "officer does not see embargoed",
                user(Role::Officer, HARINGEY),
                Embargoed,
                None,
                false,
            ),
            (
                "information sees personal data",
                user(Role::Information, HARINGEY),
                Personal,
                None,
                true,
            ),
            (
                "programme does not see personal data",
                user(Role::Programme, HARINGEY),
                Personal,
                None,
                false,
            ),
            (
                "viewer does not see personal data",
                user(Role::Viewer, HARINGEY),
                Personal,
                None,
                false,
            ),
        ];
        for (name, actor, class, owner, expected) in cases {
            let m = meta(Area::Programme, class, owner);
            assert_eq!(
                decide(&actor, Action::Read, &m, today).is_allowed(),
                expected,
                "{name}"
            );
            assert_eq!(ReadScope::of(&actor).permits(&m, today), expected, "{name}");
        }
    }

    #[test]
    fn roles_in_another_partnership_give_nothing_here() {
        let actor = Actor {
            user_id: Some(1),
            home: Some(gss(HARINGEY)),
            admin: false,
            role_assignments: vec![RoleAssignment {
                partnership_id: OTHER,
                role: Role::Programme,
            }],
        };
        let today = d(2011, 7, 21);
        for class in [
            Classification::Partnership,
            Classification::Council,
            Classification::Embargoed,
        ] {
            assert!(
                !decide(
                    &actor,
                    Action::Read,
                    &meta(Area::Programme, class, Some(HARINGEY)),
                    today
                )
                .is_allowed()
            );
        }
        assert!(
            !decide(
                &actor,
                Action::Update,
                &meta(Area::Programme, Classification::Published, None),
                today
            )
            .is_allowed()
        );
    }

    #[test]
    fn embargo_releases_on_its_date() {
        let m = meta(Area::Governance, Classification::Embargoed, None);
        let viewer = user(Role::Viewer, HARINGEY);
        assert!(!decide(&viewer, Action::Read, &m, d(2011, 8, 31)).is_allowed());
        assert!(decide(&viewer, Action::Read, &m, d(2011, 9, 1)).is_allowed());
        assert!(decide(&Actor::anonymous(), Action::Read, &m, d(2011, 9, 1)).is_allowed());
    }

    #[test]
    fn write_rights_by_area_and_role() {
        use Area::*;
        use Classification::Partnership as Shared;
        let today = d(2011, 7, 21);
        let cases: Vec<(&str, Actor, Area, Action, Option<&str>, bool)> = vec![
            (
                "programme edits the partnership",
                user(Role::Programme, HARINGEY),
                Area::Partnership,
                Action::Update,
                None,
                true,
            ),
            (
                "officer cannot edit the partnership",
                user(Role::Officer, HARINGEY),
                Area::Partnership,
                Action::Update,
                None,
                false,
            ),
            (
                "officer edits own council's programme record",
                user(Role::Officer, HARINGEY),
                Programme,
                Action::Update,
                Some(HARINGEY),
                true,
            ),
            (
                "officer cannot edit the other council's",
                user(Role::Officer, WALTHAM_FOREST),
                Programme,
                Action::Update,
                Some(HARINGEY),
                false,
            ),
            (
                "officer rates for own council",
                user(Role::Officer, HARINGEY),
                Assessment,
                Action::Create,
                Some(HARINGEY),
                true,
            ),
            (
                "officer cannot rate for the other council",
                user(Role::Officer, HARINGEY),
                Assessment,
                Action::Create,
                Some(WALTHAM_FOREST),
                false,
            ),
            (
                "board records decisions",
                user(Role::Board, HARINGEY),
                Governance,
                Action::Decide,
                None,
                true,
            ),
            (
                "viewer cannot record decisions",
                user(Role::Viewer, HARINGEY),
                Governance,
                Action::Decide,
                None,
                false,
            ),
            (
                "officer cannot record decisions",
                user(Role::Officer, HARINGEY),
                Governance,
                Action::Decide,
                None,
                false,
            ),
            (
                "finance edits shared finance records",
                user(Role::Finance, HARINGEY),
                Finance,
                Action::Update,
                None,
                true,
            ),
            (
                "finance edits own council's ledger",
                user(Role::Finance, HARINGEY),
                Finance,
                Action::Update,
                Some(HARINGEY),
                true,
            ),
            (
                "officer cannot edit finance",
                user(Role::Officer, HARINGEY),
                Finance,
                Action::Update,
                None,
                false,
            ),
            (
                "information edits requests",
                user(Role::Information, HARINGEY),
                Information,
                Action::Update,
                None,
                true,
            ),
            (
                "programme cannot edit requests",
                user(Role::Programme, HARINGEY),
                Information,
                Action::Update,
                None,
                false,
            ),
            (
                "viewer edits nothing",
                user(Role::Viewer, HARINGEY),
                Programme,
                Action::Update,
                None,
                false,
            ),
            (
                "anonymous edits nothing",
                Actor::anonymous(),
                Programme,
                Action::Create,
                None,
                false,
            ),
        ];
        for (name, actor, area, action, owner, expected) in cases {
            let m = meta(area, Shared, owner);
            assert_eq!(
                decide(&actor, action, &m, today).is_allowed(),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn administrators_read_all_but_personal_data() {
        let admin = Actor {
            user_id: Some(1),
            home: None,
            admin: true,
            role_assignments: vec![],
        };
        let today = d(2011, 7, 21);
        assert!(
            decide(
                &admin,
                Action::Read,
                &meta(Area::Programme, Classification::Council, Some(HARINGEY)),
                today
            )
            .is_allowed()
        );
        assert!(
            !decide(
                &admin,
                Action::Read,
                &meta(Area::Information, Classification::Personal, None),
                today
            )
            .is_allowed()
        );
        assert!(
            !decide(
                &admin,
                Action::Update,
                &meta(Area::Information, Classification::Partnership, None),
                today
            )
            .is_allowed()
        );
    }

    #[test]
    fn passphrases_need_length_not_composition() {
        let cases = [
            ("correct horse battery", true),
            ("alllowercaseletters", true),
            ("short", false),
            ("aaaaaaaaaaaaaaaa", false),
            ("mypassword123", false),
            ("jane.smithjane.smith", false),
        ];
        for (passphrase, ok) in cases {
            assert_eq!(
                check_passphrase("password", passphrase, "jane.smith@haringey.gov.uk").is_ok(),
                ok,
                "{passphrase}"
            );
        }
        assert!(
            Role::parse("role", "chief").unwrap_err().errors[0]
                .message
                .contains("programme, board")
        );
        for (email, ok) in [
            (" Jane.Smith@Haringey.gov.uk ", true),
            ("no-at-sign", false),
            ("a@b", false),
            ("a b@c.uk", false),
            ("@c.uk", false),
        ] {
            assert_eq!(parse_email("email", email).is_ok(), ok, "{email}");
        }
        assert_eq!(parse_email("email", " Jane@X.ORG ").unwrap(), "jane@x.org");
    }
}
