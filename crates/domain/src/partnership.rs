//! Shared-services partnerships and their members.

use crate::{GssCode, Invalid};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The part a council plays in a partnership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MemberRole {
    /// Leads the programme (employs the programme director, chairs first).
    Lead,
    /// Hosts a shared service for the others.
    Host,
    /// An equal partner.
    Partner,
}

impl MemberRole {
    /// Every role, for forms.
    pub const ALL: [MemberRole; 3] = [MemberRole::Lead, MemberRole::Host, MemberRole::Partner];

    /// The stable name used in storage and the API.
    pub fn slug(self) -> &'static str {
        match self {
            MemberRole::Lead => "lead",
            MemberRole::Host => "host",
            MemberRole::Partner => "partner",
        }
    }

    /// A label for pages.
    pub fn label(self) -> &'static str {
        match self {
            MemberRole::Lead => "Lead council",
            MemberRole::Host => "Host council",
            MemberRole::Partner => "Partner",
        }
    }

    /// Parses a slug.
    pub fn parse(field: &str, text: &str) -> Result<MemberRole, Invalid> {
        MemberRole::ALL
            .into_iter()
            .find(|r| r.slug().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                Invalid::field(
                    field,
                    format!("“{text}” is not a member role (lead, host or partner)"),
                )
            })
    }
}

/// Whether a council's membership has been approved by its executive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum MemberStatus {
    /// A full member.
    #[default]
    Active,
    /// Agreed in principle, waiting for the council's cabinet (Slough, seed 004).
    Pending,
}

impl MemberStatus {
    /// The stable name used in storage and the API.
    pub fn slug(self) -> &'static str {
        match self {
            MemberStatus::Active => "active",
            MemberStatus::Pending => "pending",
        }
    }

    /// Parses a slug.
    pub fn parse(field: &str, text: &str) -> Result<MemberStatus, Invalid> {
        match text.trim() {
            "active" => Ok(MemberStatus::Active),
            "pending" => Ok(MemberStatus::Pending),
            _ => Err(Invalid::field(
                field,
                format!("“{text}” is not a membership status (active or pending)"),
            )),
        }
    }
}

/// A council's membership of a partnership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The council.
    pub authority: GssCode,
    /// Its part in the partnership.
    pub role: MemberRole,
    /// Active, or pending its cabinet's approval.
    #[serde(default)]
    pub status: MemberStatus,
    /// When it joined; `None` when the source does not state it.
    pub joined: Option<NaiveDate>,
    /// When it left, if it has.
    pub left: Option<NaiveDate>,
}

impl Member {
    /// Whether the council was a member on `date`. A join date the sources do not state counts
    /// as "from the start"; a pending member is not yet a member.
    pub fn is_member_on(&self, date: NaiveDate) -> bool {
        self.status == MemberStatus::Active
            && self.joined.is_none_or(|j| j <= date)
            && self.left.is_none_or(|l| date < l)
    }

    /// Checks the member's own dates.
    pub fn validate(&self) -> Result<(), Invalid> {
        if let (Some(joined), Some(left)) = (self.joined, self.left)
            && left < joined
        {
            return Err(Invalid::field(
                "left",
                format!("{left} is before the date the council joined, {joined}"),
            ));
        }
        Ok(())
    }
}

/// A shared-services partnership: two or more councils that agree to be each other's
/// preferred partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partnership {
    /// The database identity (0 before it is stored).
    pub id: i64,
    /// The partnership's name.
    pub name: String,
    /// What it is for, in a sentence or two.
    pub summary: String,
    /// Where the record comes from (e.g. a seed document), if it was not entered by a user.
    pub source: Option<String>,
    /// Its members, current and past.
    pub members: Vec<Member>,
}

impl Partnership {
    /// The fewest councils a partnership can have.
    pub const MIN_MEMBERS: usize = 2;

    /// Members on a date.
    pub fn members_on(&self, date: NaiveDate) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(move |m| m.is_member_on(date))
    }

    /// The membership of a council, if it has one.
    pub fn member(&self, authority: &GssCode) -> Option<&Member> {
        self.members.iter().find(|m| &m.authority == authority)
    }

    /// Whether a council was a member on a date.
    pub fn is_member_on(&self, authority: &GssCode, date: NaiveDate) -> bool {
        self.member(authority).is_some_and(|m| m.is_member_on(date))
    }

    /// Validates the partnership as a whole: a name, at least two councils, no council twice,
    /// each member's dates in order.
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        if self.name.trim().is_empty() {
            invalid.push("name", "Enter the partnership's name");
        } else if self.name.chars().count() > 200 {
            invalid.push("name", "The name must be 200 characters or fewer");
        }
        if self.members.len() < Self::MIN_MEMBERS {
            invalid.push(
                "members",
                "A partnership needs at least two member councils",
            );
        }
        for (i, member) in self.members.iter().enumerate() {
            if let Err(e) = member.validate() {
                invalid.extend(e.within(&format!("members[{i}].")));
            }
            if self.members[..i]
                .iter()
                .any(|m| m.authority == member.authority)
            {
                invalid.push(
                    format!("members[{i}].authority"),
                    format!(
                        "{} is already a member of this partnership",
                        member.authority
                    ),
                );
            }
        }
        invalid.into_result()
    }

    /// Adds a council that joins (or is recorded) later. Refuses a council that is already a
    /// member, and leaves the partnership unchanged when it refuses.
    pub fn add_member(&mut self, member: Member) -> Result<(), Invalid> {
        member.validate()?;
        if self.member(&member.authority).is_some() {
            return Err(Invalid::field(
                "authority",
                format!(
                    "{} is already a member of this partnership",
                    member.authority
                ),
            ));
        }
        self.members.push(member);
        Ok(())
    }

    /// Records that a council left on a date.
    pub fn record_leaving(&mut self, authority: &GssCode, left: NaiveDate) -> Result<(), Invalid> {
        let Some(member) = self.members.iter_mut().find(|m| &m.authority == authority) else {
            return Err(Invalid::field(
                "authority",
                format!("{authority} is not a member of this partnership"),
            ));
        };
        let mut changed = member.clone();
        changed.left = Some(left);
        changed.validate()?;
        *member = changed;
        Ok(())
    }
}

impl fmt::Display for Partnership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn gss(s: &str) -> GssCode {
        GssCode::parse("gss", s).unwrap()
    }

    fn member(code: &str, joined: Option<NaiveDate>, left: Option<NaiveDate>) -> Member {
        Member {
            authority: gss(code),
            role: MemberRole::Partner,
            status: MemberStatus::Active,
            joined,
            left,
        }
    }

    fn hartlepool_darlington() -> Partnership {
        Partnership {
            id: 0,
            name: "Hartlepool – Darlington".into(),
            summary: String::new(),
            source: None,
            members: vec![
                member("E06000001", Some(d(2011, 11, 1)), None),
                member("E06000005", Some(d(2011, 11, 1)), None),
            ],
        }
    }

    #[test]
    fn membership_on_a_date_follows_joining_and_leaving() {
        let mut p = hartlepool_darlington();
        p.add_member(member("E06000003", Some(d(2012, 6, 1)), None))
            .unwrap();
        p.record_leaving(&gss("E06000005"), d(2014, 4, 1)).unwrap();
        let on = |date| {
            p.members_on(date)
                .map(|m| m.authority.as_str().to_owned())
                .collect::<Vec<_>>()
        };
        let cases = [
            (d(2011, 10, 31), vec![]),
            (d(2011, 11, 1), vec!["E06000001", "E06000005"]),
            (d(2012, 6, 1), vec!["E06000001", "E06000005", "E06000003"]),
            (d(2014, 3, 31), vec!["E06000001", "E06000005", "E06000003"]),
            (d(2014, 4, 1), vec!["E06000001", "E06000003"]),
        ];
        for (date, expected) in cases {
            assert_eq!(on(date), expected, "{date}");
        }
    }

    #[test]
    fn pending_members_are_not_yet_members() {
        let mut p = hartlepool_darlington();
        let mut slough = member("E06000039", None, None);
        slough.status = MemberStatus::Pending;
        p.add_member(slough).unwrap();
        assert_eq!(p.members_on(d(2030, 1, 1)).count(), 2);
    }

    #[test]
    fn refuses_a_member_added_twice_and_changes_nothing() {
        let mut p = hartlepool_darlington();
        let before = p.clone();
        let err = p.add_member(member("E06000001", None, None)).unwrap_err();
        assert_eq!(err.errors[0].field, "authority");
        assert_eq!(p, before);
    }

    #[test]
    fn refuses_leaving_before_joining_and_changes_nothing() {
        let mut p = hartlepool_darlington();
        let before = p.clone();
        let err = p
            .record_leaving(&gss("E06000001"), d(2010, 1, 1))
            .unwrap_err();
        assert_eq!(err.errors[0].field, "left");
        assert_eq!(p, before);
        let err = p
            .record_leaving(&gss("E09000014"), d(2013, 1, 1))
            .unwrap_err();
        assert_eq!(err.errors[0].field, "authority");
    }

    #[test]
    fn validate_names_each_problem() {
        let p = Partnership {
            id: 0,
            name: " ".into(),
            summary: String::new(),
            source: None,
            members: vec![member(
                "E06000001",
                Some(d(2012, 1, 1)),
                Some(d(2011, 1, 1)),
            )],
        };
        let err = p.validate().unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "members", "members[0].left"]);
    }
}
