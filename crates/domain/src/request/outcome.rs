//! How a request ended: the outcome, the exemptions and exceptions relied on, and whether it
//! was answered in time.

use super::Regime;
use crate::Invalid;
use serde::{Deserialize, Serialize};

/// The outcome of a request, in the government's FOI statistics categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// All the information requested was released.
    GrantedInFull,
    /// Some was released and some withheld.
    PartiallyWithheld,
    /// All of it was withheld.
    WithheldInFull,
    /// The council does not hold the information.
    NotHeld,
    /// The request lapsed (a fee unpaid, a clarification never given).
    Lapsed,
    /// The requester withdrew it.
    Withdrawn,
}

impl Outcome {
    /// Every outcome, in the statistics' column order.
    pub const ALL: [Outcome; 6] = [
        Outcome::GrantedInFull,
        Outcome::PartiallyWithheld,
        Outcome::WithheldInFull,
        Outcome::NotHeld,
        Outcome::Lapsed,
        Outcome::Withdrawn,
    ];

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::GrantedInFull => "Granted in full",
            Outcome::PartiallyWithheld => "Partially withheld",
            Outcome::WithheldInFull => "Withheld in full",
            Outcome::NotHeld => "Information not held",
            Outcome::Lapsed => "Lapsed",
            Outcome::Withdrawn => "Withdrawn",
        }
    }

    /// Whether any information was released, which is what needs both councils' sign-off
    /// and can go in the disclosure log.
    pub fn discloses(self) -> bool {
        matches!(self, Outcome::GrantedInFull | Outcome::PartiallyWithheld)
    }

    /// Whether the outcome must cite at least one exemption or exception.
    pub fn needs_exemption(self) -> bool {
        matches!(self, Outcome::PartiallyWithheld | Outcome::WithheldInFull)
    }

    /// Whether the request ended without an answer (lapsed or withdrawn), so timeliness
    /// does not apply.
    pub fn ended_unanswered(self) -> bool {
        matches!(self, Outcome::Lapsed | Outcome::Withdrawn)
    }
}

/// Whether a response came in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// By the statutory due date.
    InTime,
    /// After it, but within a validly claimed extension.
    WithinExtension,
    /// Late.
    Late,
}

impl Timeliness {
    /// Every value, in the statistics' column order.
    pub const ALL: [Timeliness; 3] = [
        Timeliness::InTime,
        Timeliness::WithinExtension,
        Timeliness::Late,
    ];

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            Timeliness::InTime => "In time",
            Timeliness::WithinExtension => "Within a permitted extension",
            Timeliness::Late => "Late",
        }
    }
}

/// Whether an exemption needs the public-interest test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExemptionClass {
    /// No public-interest test.
    Absolute,
    /// Withheld only when the public interest in withholding outweighs that in disclosing.
    Qualified,
}

/// One exemption (FOIA) or exception (EIR) in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct Exemption {
    /// The citation as written in a refusal notice: "s43" or "reg 12(5)(e)".
    pub code: &'static str,
    /// The regime it belongs to.
    pub regime: Regime,
    /// What it protects.
    pub title: &'static str,
    /// Absolute or qualified.
    pub class: ExemptionClass,
}

const fn foi(code: &'static str, title: &'static str, class: ExemptionClass) -> Exemption {
    Exemption {
        code,
        regime: Regime::Foi,
        title,
        class,
    }
}

const fn eir(code: &'static str, title: &'static str) -> Exemption {
    Exemption {
        code,
        regime: Regime::Eir,
        title,
        class: ExemptionClass::Qualified,
    }
}

use ExemptionClass::{Absolute, Qualified};

/// FOIA Part II exemptions s21–s44 and the EIR exceptions in reg 12(4) and 12(5). All EIR
/// exceptions are subject to the public-interest test (reg 12(1)(b)).
pub const CATALOGUE: &[Exemption] = &[
    foi("s21", "Information accessible by other means", Absolute),
    foi(
        "s22",
        "Information intended for future publication",
        Qualified,
    ),
    foi("s22A", "Research", Qualified),
    foi(
        "s23",
        "Information supplied by, or relating to, bodies dealing with security matters",
        Absolute,
    ),
    foi("s24", "National security", Qualified),
    foi("s26", "Defence", Qualified),
    foi("s27", "International relations", Qualified),
    foi("s28", "Relations within the United Kingdom", Qualified),
    foi("s29", "The economy", Qualified),
    foi(
        "s30",
        "Investigations and proceedings conducted by public authorities",
        Qualified,
    ),
    foi("s31", "Law enforcement", Qualified),
    foi("s32", "Court records", Absolute),
    foi("s33", "Audit functions", Qualified),
    foi("s34", "Parliamentary privilege", Absolute),
    foi("s35", "Formulation of government policy", Qualified),
    foi(
        "s36",
        "Prejudice to effective conduct of public affairs",
        Qualified,
    ),
    foi(
        "s37",
        "Communications with His Majesty and honours",
        Qualified,
    ),
    foi("s38", "Health and safety", Qualified),
    foi("s39", "Environmental information", Qualified),
    foi("s40(1)", "Personal data of the requester", Absolute),
    foi(
        "s40(2)",
        "Personal data of others, where disclosure would breach the data-protection principles",
        Absolute,
    ),
    foi("s41", "Information provided in confidence", Absolute),
    foi("s42", "Legal professional privilege", Qualified),
    foi("s43", "Commercial interests", Qualified),
    foi("s44", "Prohibitions on disclosure", Absolute),
    eir("reg 12(4)(a)", "Information not held"),
    eir("reg 12(4)(b)", "Manifestly unreasonable request"),
    eir("reg 12(4)(c)", "Request formulated in too general a manner"),
    eir(
        "reg 12(4)(d)",
        "Material in the course of completion, unfinished documents or incomplete data",
    ),
    eir("reg 12(4)(e)", "Internal communications"),
    eir(
        "reg 12(5)(a)",
        "International relations, defence, national security or public safety",
    ),
    eir(
        "reg 12(5)(b)",
        "The course of justice, fair trial and inquiries",
    ),
    eir("reg 12(5)(c)", "Intellectual property rights"),
    eir("reg 12(5)(d)", "Confidentiality of proceedings"),
    eir(
        "reg 12(5)(e)",
        "Confidentiality of commercial or industrial information",
    ),
    eir(
        "reg 12(5)(f)",
        "Interests of the person who provided the information",
    ),
    eir("reg 12(5)(g)", "Protection of the environment"),
];

/// Looks up an exemption by code for a regime, accepting "43", "s43", "section 43",
/// "12(5)(e)" and "reg 12(5)(e)".
pub fn exemption(field: &str, regime: Regime, text: &str) -> Result<&'static Exemption, Invalid> {
    let cleaned = text
        .trim()
        .to_ascii_lowercase()
        .replace("section", "")
        .replace("regulation", "")
        .replace("reg", "")
        .replace(' ', "");
    let cleaned = cleaned.trim_start_matches('s');
    CATALOGUE
        .iter()
        .filter(|e| e.regime == regime)
        .find(|e| {
            let code = e
                .code
                .to_ascii_lowercase()
                .replace("reg", "")
                .replace(' ', "");
            code.trim_start_matches('s') == cleaned
        })
        .ok_or_else(|| {
            let what = match regime {
                Regime::Foi => "a FOIA exemption (s21 to s44)",
                Regime::Eir => "an EIR exception (reg 12(4)(a)–(e) or 12(5)(a)–(g))",
                Regime::Foisa | Regime::Sar => "in Accord's catalogue, which covers FOIA and EIR",
            };
            Invalid::field(field, format!("“{text}” is not {what}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_exemptions_are_the_ones_the_act_names() {
        let absolute: Vec<&str> = CATALOGUE
            .iter()
            .filter(|e| e.class == ExemptionClass::Absolute)
            .map(|e| e.code)
            .collect();
        assert_eq!(
            absolute,
            ["s21", "s23", "s32", "s34", "s40(1)", "s40(2)", "s41", "s44"]
        );
        assert_eq!(
            CATALOGUE.iter().filter(|e| e.regime == Regime::Eir).count(),
            12
        );
    }

    #[test]
    fn looks_up_codes_written_many_ways() {
        let cases = [
            (Regime::Foi, "43", Some("s43")),
            (Regime::Foi, "S43", Some("s43")),
            (Regime::Foi, "section 40(2)", Some("s40(2)")),
            (Regime::Foi, "s22a", Some("s22A")),
            (Regime::Eir, "12(5)(e)", Some("reg 12(5)(e)")),
            (Regime::Eir, "Regulation 12(4)(a)", Some("reg 12(4)(a)")),
            (Regime::Foi, "s25", None),
            (Regime::Eir, "s43", None),
            (Regime::Foisa, "s43", None),
        ];
        for (regime, text, expected) in cases {
            let got = exemption("exemptions", regime, text).ok().map(|e| e.code);
            assert_eq!(got, expected, "{regime:?} {text}");
        }
    }
}
