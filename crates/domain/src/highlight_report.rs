//! Highlight reports: each project's periodic status, and published snapshots.
//!
//! A report rates delivery confidence on the five-point Gateway scale and time, cost, scope and
//! benefits on Red/Amber/Green, with a narrative, next steps and items for escalation.
//! Publishing freezes it as a [`Snapshot`]: the report's content *and* the project data it
//! shows (name, schedule lines with their slippage words as on the publish date), so a
//! published report never shows live data. A snapshot cannot change: later edits make a new
//! version, and a stored snapshot whose content no longer matches its digest is refused.

use crate::Invalid;
use crate::mou::long_date;
use crate::project::{Project, ScheduleLine};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// Red, Amber or Green.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rag {
    /// On track.
    Green,
    /// Needs attention.
    Amber,
    /// In trouble.
    Red,
}

impl Rag {
    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            Rag::Green => "Green",
            Rag::Amber => "Amber",
            Rag::Red => "Red",
        }
    }
}

/// Delivery confidence on the five-point Gateway scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// Successful delivery highly likely.
    Green,
    /// Successful delivery probable; attention needed.
    AmberGreen,
    /// Successful delivery feasible; significant issues.
    Amber,
    /// Successful delivery in doubt.
    AmberRed,
    /// Successful delivery appears unachievable.
    Red,
}

impl Confidence {
    /// Every point, best first.
    pub const ALL: [Confidence; 5] = [
        Confidence::Green,
        Confidence::AmberGreen,
        Confidence::Amber,
        Confidence::AmberRed,
        Confidence::Red,
    ];

    /// In words: "Amber/Green".
    pub fn label(self) -> &'static str {
        match self {
            Confidence::Green => "Green",
            Confidence::AmberGreen => "Amber/Green",
            Confidence::Amber => "Amber",
            Confidence::AmberRed => "Amber/Red",
            Confidence::Red => "Red",
        }
    }

    /// On the three-point scale, for readers who ask for it. The two mixed ratings show as
    /// Amber: each says "some concern", which is what Amber means on three points, so the
    /// three-point view neither hides a concern nor raises an alarm the five-point rating did
    /// not.
    pub fn three_point(self) -> Rag {
        match self {
            Confidence::Green => Rag::Green,
            Confidence::AmberGreen | Confidence::Amber | Confidence::AmberRed => Rag::Amber,
            Confidence::Red => Rag::Red,
        }
    }

    /// The label on the scale asked for.
    pub fn shown(self, three_point: bool) -> &'static str {
        if three_point {
            self.three_point().label()
        } else {
            self.label()
        }
    }
}

/// A highlight report as written, before publishing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct HighlightDraft {
    /// The first day of the period reported on.
    pub period_start: NaiveDate,
    /// The last day of the period.
    pub period_end: NaiveDate,
    /// Delivery confidence.
    pub confidence: Confidence,
    /// Time.
    pub time: Rag,
    /// Cost.
    pub cost: Rag,
    /// Scope.
    pub scope: Rag,
    /// Benefits.
    pub benefits: Rag,
    /// What happened in the period.
    pub narrative: String,
    /// What happens next.
    #[serde(default)]
    pub next_steps: Vec<String>,
    /// Items the board is asked to resolve.
    #[serde(default)]
    pub escalations: Vec<String>,
    /// Who wrote it.
    pub author: String,
}

impl HighlightDraft {
    fn validate(&self) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        if self.period_end < self.period_start {
            invalid.push(
                "period_end",
                format!(
                    "{} is before the period's start, {}",
                    long_date(self.period_end),
                    long_date(self.period_start)
                ),
            );
        }
        if self.narrative.trim().is_empty() {
            invalid.push("narrative", "Say what happened in the period");
        }
        if self.author.trim().is_empty() {
            invalid.push("author", "Say who wrote the report");
        }
        for (field, list) in [
            ("next_steps", &self.next_steps),
            ("escalations", &self.escalations),
        ] {
            for (i, line) in list.iter().enumerate() {
                if line.trim().is_empty() {
                    invalid.push(
                        format!("{field}[{i}]"),
                        "Remove the empty line or fill it in",
                    );
                }
            }
        }
        invalid.into_result()
    }
}

/// Everything a published highlight report shows, frozen on its publish date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct HighlightContent {
    /// The project's identity.
    pub project: i64,
    /// The project's name when published.
    pub project_name: String,
    /// The report as written.
    pub report: HighlightDraft,
    /// The project's schedule as it stood on the publish date.
    pub schedule: Vec<ScheduleLine>,
    /// Potential cashable savings when published ("£100,000", "TBA").
    pub cashable_savings: String,
}

impl HighlightContent {
    /// The report as plain text (for e-mail and the CLI); pages render the same content as
    /// HTML. Confidence is shown on three points when `three_point` is set.
    pub fn render_text(&self, three_point: bool) -> String {
        let r = &self.report;
        let mut out = String::new();
        let _ = writeln!(out, "Highlight report: {}", self.project_name);
        let _ = writeln!(
            out,
            "Period: {} to {}",
            long_date(r.period_start),
            long_date(r.period_end)
        );
        let _ = writeln!(
            out,
            "Delivery confidence: {}",
            r.confidence.shown(three_point)
        );
        let _ = writeln!(
            out,
            "Time: {}; cost: {}; scope: {}; benefits: {}",
            r.time.label(),
            r.cost.label(),
            r.scope.label(),
            r.benefits.label()
        );
        let _ = writeln!(out, "Potential cashable savings: {}", self.cashable_savings);
        let _ = writeln!(out, "\n{}", r.narrative.trim());
        for (title, lines) in [
            (
                "Schedule",
                self.schedule
                    .iter()
                    .map(|l| l.words.as_str())
                    .collect::<Vec<_>>(),
            ),
            (
                "Next steps",
                r.next_steps.iter().map(String::as_str).collect(),
            ),
            (
                "For escalation",
                r.escalations.iter().map(String::as_str).collect(),
            ),
        ] {
            if !lines.is_empty() {
                let _ = writeln!(out, "\n{title}:");
                for line in lines {
                    let _ = writeln!(out, "- {line}");
                }
            }
        }
        let _ = writeln!(out, "\nAuthor: {}", r.author);
        out
    }
}

/// A published, immutable version of a report.
///
/// Its fields are private: it is made only by publishing, or by loading a stored record whose
/// digest still matches ([`Snapshot::from_record`]), so no code path can change it. Pages
/// render [`Snapshot::content`] alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "snake_case",
    try_from = "SnapshotRecord<T>",
    bound(
        serialize = "T: Serialize",
        deserialize = "T: Serialize + DeserializeOwned + Clone"
    )
)]
pub struct Snapshot<T> {
    version: u32,
    published_on: NaiveDate,
    content: T,
    digest: String,
}

/// A snapshot as stored: the same fields, public, to be checked by [`Snapshot::from_record`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct SnapshotRecord<T> {
    /// The version number, from 1.
    pub version: u32,
    /// When it was published.
    pub published_on: NaiveDate,
    /// The frozen content.
    pub content: T,
    /// The SHA-256 digest of version, date and content, in hex.
    pub digest: String,
}

fn digest_of<T: Serialize>(
    version: u32,
    published_on: NaiveDate,
    content: &T,
) -> Result<String, Invalid> {
    let bytes = serde_json::to_vec(&(version, published_on, content))
        .map_err(|e| Invalid::field("content", format!("The report cannot be serialised: {e}")))?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

impl<T: Serialize + DeserializeOwned + Clone> Snapshot<T> {
    /// Freezes content as a version published on a date.
    pub fn freeze(
        version: u32,
        published_on: NaiveDate,
        content: T,
    ) -> Result<Snapshot<T>, Invalid> {
        let digest = digest_of(version, published_on, &content)?;
        Ok(Snapshot {
            version,
            published_on,
            content,
            digest,
        })
    }

    /// Rebuilds a stored snapshot. Refused when its content, version or date no longer match
    /// the digest taken when it was published: a published snapshot cannot be changed.
    pub fn from_record(record: SnapshotRecord<T>) -> Result<Snapshot<T>, Invalid> {
        let digest = digest_of(record.version, record.published_on, &record.content)?;
        if digest != record.digest {
            return Err(Invalid::field(
                "content",
                format!(
                    "Version {} was published on {} and cannot be changed; edit the draft and publish a new version",
                    record.version,
                    long_date(record.published_on)
                ),
            ));
        }
        Ok(Snapshot {
            version: record.version,
            published_on: record.published_on,
            content: record.content,
            digest,
        })
    }

    /// The record to store.
    pub fn to_record(&self) -> SnapshotRecord<T> {
        SnapshotRecord {
            version: self.version,
            published_on: self.published_on,
            content: self.content.clone(),
            digest: self.digest.clone(),
        }
    }

    /// The version number, from 1.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// When it was published.
    pub fn published_on(&self) -> NaiveDate {
        self.published_on
    }

    /// The frozen content: all that a page of the published version may show.
    pub fn content(&self) -> &T {
        &self.content
    }

    /// The digest that seals it (hex SHA-256).
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The content as JSON: the bytes a page or export of this version is built from. The same
    /// every time, whatever has happened to the live data since.
    pub fn rendered(&self) -> String {
        serde_json::to_string(&self.content).unwrap_or_default()
    }
}

impl<T: Serialize + DeserializeOwned + Clone> TryFrom<SnapshotRecord<T>> for Snapshot<T> {
    type Error = String;
    fn try_from(record: SnapshotRecord<T>) -> Result<Snapshot<T>, String> {
        Snapshot::from_record(record).map_err(|e| e.to_string())
    }
}

/// A highlight report's reference: its project's reference and its number among that
/// project's reports, `P-7/2`. Addresses carry the two apart:
/// `/partnerships/{id}/projects/P-7/highlight-reports/2`.
pub fn reference(project: &str, number: u32) -> String {
    format!("{project}/{number}")
}

/// The parts of a highlight report's reference: the project's reference and the number.
pub fn parse_reference(text: &str) -> Option<(&str, u32)> {
    let (project, number) = text.trim().rsplit_once('/')?;
    let number = number.parse::<u32>().ok().filter(|n| *n > 0)?;
    Some((project, number))
}

/// A report's title in lists and the audit trail: the project and the period it covers, as
/// written when the report was started ("Economic Development: 1 July 2011 to 21 July 2011").
pub fn title(project_name: &str, draft: &HighlightDraft) -> String {
    format!(
        "{}: {} to {}",
        project_name,
        long_date(draft.period_start),
        long_date(draft.period_end)
    )
}

/// A project's highlight report for one period: the draft being written and every published
/// version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct HighlightReport {
    /// The project's identity.
    pub project: i64,
    /// The current draft; after publishing, edits to it make the next version.
    pub draft: HighlightDraft,
    versions: Vec<Snapshot<HighlightContent>>,
}

impl HighlightReport {
    /// Starts a report for a project.
    pub fn new(project: &Project, draft: HighlightDraft) -> Result<HighlightReport, Invalid> {
        draft.validate()?;
        Ok(HighlightReport {
            project: project.id,
            draft,
            versions: Vec::new(),
        })
    }

    /// Rebuilds a stored report, checking each version's digest and that versions run 1, 2, …
    /// with publish dates in order.
    pub fn restore(
        project: i64,
        draft: HighlightDraft,
        versions: Vec<SnapshotRecord<HighlightContent>>,
    ) -> Result<HighlightReport, Invalid> {
        let mut checked: Vec<Snapshot<HighlightContent>> = Vec::with_capacity(versions.len());
        for (i, record) in versions.into_iter().enumerate() {
            let snapshot =
                Snapshot::from_record(record).map_err(|e| e.within(&format!("versions[{i}].")))?;
            let expected = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if snapshot.version != expected {
                return Err(Invalid::field(
                    format!("versions[{i}].version"),
                    format!("Expected version {expected}, found {}", snapshot.version),
                ));
            }
            if checked
                .last()
                .is_some_and(|p| p.published_on > snapshot.published_on)
            {
                return Err(Invalid::field(
                    format!("versions[{i}].published_on"),
                    "Versions must be published in date order",
                ));
            }
            checked.push(snapshot);
        }
        Ok(HighlightReport {
            project,
            draft,
            versions: checked,
        })
    }

    /// Replaces the draft. Published versions are untouched.
    pub fn edit(&mut self, draft: HighlightDraft) -> Result<(), Invalid> {
        draft.validate()?;
        self.draft = draft;
        Ok(())
    }

    /// Publishes the draft as the next version on `on`, freezing with it the project's name,
    /// savings and schedule as they stand on that date. Refused for another project's data, or
    /// a date before the period starts or before the last version.
    pub fn publish(
        &mut self,
        project: &Project,
        on: NaiveDate,
    ) -> Result<&Snapshot<HighlightContent>, Invalid> {
        if project.id != self.project {
            return Err(Invalid::field(
                "project",
                "This report belongs to another project",
            ));
        }
        self.draft.validate()?;
        if on < self.draft.period_start {
            return Err(Invalid::field(
                "published_on",
                format!(
                    "{} is before the period starts on {}",
                    long_date(on),
                    long_date(self.draft.period_start)
                ),
            ));
        }
        if let Some(last) = self.versions.last()
            && on < last.published_on
        {
            return Err(Invalid::field(
                "published_on",
                format!(
                    "{} is before version {} was published on {}",
                    long_date(on),
                    last.version,
                    long_date(last.published_on)
                ),
            ));
        }
        let content = HighlightContent {
            project: project.id,
            project_name: project.name.clone(),
            report: self.draft.clone(),
            schedule: project.schedule_lines(on),
            cashable_savings: project.cashable_savings.label(),
        };
        let version = u32::try_from(self.versions.len() + 1).unwrap_or(u32::MAX);
        let snapshot = Snapshot::freeze(version, on, content)?;
        let index = self.versions.len();
        self.versions.push(snapshot);
        Ok(&self.versions[index])
    }

    /// Every published version, oldest first.
    pub fn versions(&self) -> &[Snapshot<HighlightContent>] {
        &self.versions
    }

    /// The latest published version.
    pub fn latest(&self) -> Option<&Snapshot<HighlightContent>> {
        self.versions.last()
    }

    /// A published version by number.
    pub fn version(&self, version: u32) -> Option<&Snapshot<HighlightContent>> {
        self.versions.iter().find(|s| s.version == version)
    }

    /// Whether the draft differs from the latest published version.
    pub fn has_unpublished_changes(&self) -> bool {
        self.latest().is_none_or(|s| s.content.report != self.draft)
    }

    /// Saves a version again, as a store does on retry. Accepted only when it is identical to
    /// the version already published; any change is refused and nothing changes.
    pub fn resave_version(
        &mut self,
        record: SnapshotRecord<HighlightContent>,
    ) -> Result<(), Invalid> {
        let version = record.version;
        let Some(existing) = self.version(version) else {
            return Err(Invalid::field(
                "version",
                format!("Version {version} has not been published; publish the draft instead"),
            ));
        };
        if existing.to_record() != record {
            return Err(Invalid::field(
                "content",
                format!(
                    "Version {version} was published on {} and cannot be changed; edit the draft and publish a new version",
                    long_date(existing.published_on)
                ),
            ));
        }
        Ok(())
    }
}

/// One published highlight report for the demo: economic development (project 1 of
/// [`crate::progress_report::demo_haringey_waltham_forest`]) for July 2011, published on the
/// date of seed 003. The facts in it are the seed's; the ratings are illustrative and the
/// narrative says so.
pub fn demo_published() -> Result<HighlightReport, Invalid> {
    let projects = crate::progress_report::demo_haringey_waltham_forest();
    let project = projects
        .first()
        .ok_or_else(|| Invalid::field("project", "The demo has no projects"))?;
    let date = |m, d| NaiveDate::from_ymd_opt(2011, m, d).unwrap_or_default();
    let mut report = HighlightReport::new(
        project,
        HighlightDraft {
            period_start: date(7, 1),
            period_end: date(7, 21),
            confidence: Confidence::AmberGreen,
            time: Rag::Amber,
            cost: Rag::Green,
            scope: Rag::Green,
            benefits: Rag::Green,
            narrative: "Illustrative ratings. Phase 1 (closer joint working to develop the business case) is under way. Phase 2 (a shared service with a joint head) is likely to slip from July to September 2011 because a further report on potential staffing issues must go to Haringey's Corporate Committee.".to_owned(),
            next_steps: vec![
                "Report to Haringey's Corporate Committee on potential staffing issues".to_owned(),
                "Plan phase 3 (a social enterprise) for mid 2012".to_owned(),
            ],
            escalations: Vec::new(),
            author: "Programme Manager (illustrative)".to_owned(),
        },
    )?;
    report.publish(project, crate::progress_report::demo_as_at())?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::DatePlan;
    use crate::project::{PhaseInput, PhaseStatus, ProjectInput, ProjectSize, Target};
    use crate::{GssCode, Member, MemberRole, MemberStatus, Partnership};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn project() -> Project {
        let partnership = Partnership {
            id: 1,
            name: "Haringey – Waltham Forest".into(),
            summary: String::new(),
            source: None,
            members: ["E09000014", "E09000031"]
                .iter()
                .map(|c| Member {
                    authority: GssCode::parse("gss", c).unwrap(),
                    role: MemberRole::Partner,
                    status: MemberStatus::Active,
                    joined: None,
                    left: None,
                })
                .collect(),
        };
        let mut p = Project::plan(
            1,
            ProjectInput {
                name: "Economic Development".into(),
                size: ProjectSize::Small,
                start: d(2011, 4, 1),
                tolerance_days: None,
                template: None,
                opportunity: String::new(),
                opportunity_id: None,
            },
            &partnership,
        )
        .unwrap();
        p.add_phase(PhaseInput {
            name: "Phase 2".into(),
            description: "Shared service with a joint head".into(),
            status: PhaseStatus::Planned,
            start: DatePlan::month(2011, 7),
            note: None,
        })
        .unwrap();
        p
    }

    fn draft() -> HighlightDraft {
        HighlightDraft {
            period_start: d(2011, 7, 1),
            period_end: d(2011, 7, 31),
            confidence: Confidence::AmberGreen,
            time: Rag::Amber,
            cost: Rag::Green,
            scope: Rag::Green,
            benefits: Rag::Green,
            narrative: "Business case agreed by both management teams.".into(),
            next_steps: vec!["Report to Corporate Committee on staffing".into()],
            escalations: vec![],
            author: "Project Manager".into(),
        }
    }

    #[test]
    fn confidence_stores_five_points_and_shows_three_when_asked() {
        let cases = [
            (Confidence::Green, "Green", Rag::Green),
            (Confidence::AmberGreen, "Amber/Green", Rag::Amber),
            (Confidence::Amber, "Amber", Rag::Amber),
            (Confidence::AmberRed, "Amber/Red", Rag::Amber),
            (Confidence::Red, "Red", Rag::Red),
        ];
        for (c, five, three) in cases {
            assert_eq!(c.shown(false), five);
            assert_eq!(c.three_point(), three);
            assert_eq!(c.shown(true), three.label());
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<Confidence>(&json).unwrap(), c);
        }
        assert_eq!(
            serde_json::to_string(&Confidence::AmberGreen).unwrap(),
            "\"amber-green\""
        );
    }

    #[test]
    fn a_published_report_never_shows_live_data() {
        let mut p = project();
        let mut report = HighlightReport::new(&p, draft()).unwrap();
        let first = report.publish(&p, d(2011, 8, 2)).unwrap().clone();
        let rendered = first.rendered();
        let text = first.content().render_text(false);
        assert!(text.contains("Phase 2 overdue: due Jul 2011"), "{text}");
        assert!(text.contains("Delivery confidence: Amber/Green"));

        // The live data moves on: renamed, re-forecast, new draft published as version 2.
        p.name = "Economic Development and Regeneration".into();
        p.set_forecast(Target::Phase { number: 1 }, Some(d(2011, 9, 1)))
            .unwrap();
        let mut second = draft();
        second.confidence = Confidence::Amber;
        second.narrative = "Phase 2 moved to September.".into();
        report.edit(second).unwrap();
        assert!(report.has_unpublished_changes());
        let v2 = report.publish(&p, d(2011, 8, 9)).unwrap().clone();

        let v1 = report.version(1).unwrap();
        assert_eq!(
            v1.rendered(),
            rendered,
            "byte-identical after the data changed"
        );
        assert_eq!(v1.content().render_text(false), text);
        assert_eq!(v1, &first);
        assert!(v2.content().project_name.contains("Regeneration"));
        assert!(
            v2.content()
                .schedule
                .iter()
                .any(|l| l.words == "Phase 2 likely to slip from Jul to Sep 2011"),
            "{:?}",
            v2.content().schedule
        );
        assert_eq!(report.versions().len(), 2);
    }

    #[test]
    fn a_change_to_a_published_snapshot_is_refused() {
        let p = project();
        let mut report = HighlightReport::new(&p, draft()).unwrap();
        report.publish(&p, d(2011, 8, 2)).unwrap();
        let before = report.clone();
        let original = report.version(1).unwrap().to_record();

        // Re-saving the identical version is fine (a retried write).
        report.resave_version(original.clone()).unwrap();

        let mut changed = original.clone();
        changed.content.report.confidence = Confidence::Green;
        let err = report.resave_version(changed.clone()).unwrap_err();
        assert_eq!(err.errors[0].field, "content");
        assert!(err.errors[0].message.contains("cannot be changed"), "{err}");
        assert_eq!(report, before);

        // A tampered stored record does not load, through the API or through JSON.
        assert!(Snapshot::from_record(changed.clone()).is_err());
        let mut json: serde_json::Value = serde_json::to_value(report.version(1).unwrap()).unwrap();
        json["content"]["report"]["narrative"] = "Rewritten".into();
        assert!(serde_json::from_value::<Snapshot<HighlightContent>>(json).is_err());
        let mut redated = original.clone();
        redated.published_on = d(2011, 8, 1);
        assert!(Snapshot::from_record(redated).is_err());
        // The untouched record loads.
        let json = serde_json::to_string(report.version(1).unwrap()).unwrap();
        let back: Snapshot<HighlightContent> = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, report.version(1).unwrap());

        // Restoring checks every version.
        let restored = HighlightReport::restore(1, draft(), vec![original.clone()]).unwrap();
        assert_eq!(restored, report);
        let err = HighlightReport::restore(1, draft(), vec![changed]).unwrap_err();
        assert_eq!(err.errors[0].field, "versions[0].content");
        assert!(
            report
                .resave_version(SnapshotRecord {
                    version: 9,
                    ..original
                })
                .is_err()
        );
    }

    #[test]
    fn demo_report_is_published_with_the_seed_slippage() {
        let report = demo_published().unwrap();
        let v1 = report.latest().unwrap();
        assert_eq!(v1.published_on(), d(2011, 7, 21));
        let text = v1.content().render_text(true);
        assert!(
            text.contains("Phase 2 likely to slip from Jul to Sep 2011"),
            "{text}"
        );
        assert!(text.contains("Delivery confidence: Amber"));
        assert!(text.contains("£100,000"));
    }

    #[test]
    fn publishing_checks_dates_and_project() {
        let p = project();
        let mut report = HighlightReport::new(&p, draft()).unwrap();
        let cases = [(d(2011, 6, 30), "published_on")];
        for (on, field) in cases {
            assert_eq!(report.publish(&p, on).unwrap_err().errors[0].field, field);
        }
        report.publish(&p, d(2011, 8, 9)).unwrap();
        assert_eq!(
            report.publish(&p, d(2011, 8, 2)).unwrap_err().errors[0].field,
            "published_on"
        );
        let mut other = p.clone();
        other.id = 2;
        assert_eq!(
            report.publish(&other, d(2011, 8, 10)).unwrap_err().errors[0].field,
            "project"
        );
        assert_eq!(report.versions().len(), 1);

        let mut bad = draft();
        bad.period_end = d(2011, 6, 1);
        bad.narrative = " ".into();
        bad.next_steps.push(String::new());
        let err = HighlightReport::new(&p, bad).unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["period_end", "narrative", "next_steps[1]"]);
    }
}
