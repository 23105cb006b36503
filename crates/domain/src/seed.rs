//! The source documents behind Accord's demo data. Every demo record names the document it
//! comes from, so a reader can check it.

/// A source document of the demo data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// Local press, late 2010: Haringey and Waltham Forest plan to share services.
    HaringeyWalthamForestAnnouncement,
    /// A councillor's blog: Buckinghamshire and Harrow (with Brent), and the tri-borough.
    BuckinghamshireHarrowBlog,
    /// Hartlepool Mail: "Collaboration work ongoing" (Hartlepool, Darlington, Redcar & Cleveland).
    TeesValleyCollaboration,
    /// Haringey Corporate Committee report, 21 July 2011, with the MOU and its schedules.
    HaringeyCorporateCommitteeReport,
    /// Trade press: "Counties to pioneer shared service plan" (Cambridgeshire, Northamptonshire, Slough).
    CountiesPioneerSharedServices,
}

impl Seed {
    /// The seed's number, as in its file name.
    pub fn number(self) -> &'static str {
        match self {
            Seed::HaringeyWalthamForestAnnouncement => "000",
            Seed::BuckinghamshireHarrowBlog => "001",
            Seed::TeesValleyCollaboration => "002",
            Seed::HaringeyCorporateCommitteeReport => "003",
            Seed::CountiesPioneerSharedServices => "004",
        }
    }

    /// A citation for pages: "Seed 003: Haringey Corporate Committee report, 21 July 2011".
    pub fn citation(self) -> String {
        let title = match self {
            Seed::HaringeyWalthamForestAnnouncement => {
                "press report of the Haringey and Waltham Forest shared-services plan"
            }
            Seed::BuckinghamshireHarrowBlog => {
                "blog post on Buckinghamshire, Harrow and the tri-borough"
            }
            Seed::TeesValleyCollaboration => "Hartlepool Mail, “Collaboration work ongoing”",
            Seed::HaringeyCorporateCommitteeReport => {
                "Haringey Corporate Committee report, 21 July 2011"
            }
            Seed::CountiesPioneerSharedServices => {
                "trade press, “Counties to pioneer shared service plan”"
            }
        };
        format!("Seed {}: {title}", self.number())
    }

    /// A citation with a place in the document: "Seed 003: … — Appendix B, project 1".
    pub fn at(self, place: &str) -> String {
        format!("{} — {place}", self.citation())
    }
}

/// What pages show where a source gives no figure.
pub const NOT_STATED: &str = "not stated";
