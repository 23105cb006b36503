//! The other reference files about councils: mid-year population estimates, budgets by service
//! category, and which councils border which. They join to the council register by GOV.UK slug
//! (population and budgets) or by register code (borders).

use crate::{Invalid, Money};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Slugs used by the population and budget files that are not the register's `gov-uk-slug`
/// for the same council, with the register code they mean. (The register either has no slug
/// for these councils, created after 2019, or spells it differently.)
pub const SLUG_ALIASES: [(&str, &str); 12] = [
    ("bournemouth-christchurch-and-poole", "BPC"),
    ("cumberland", "CBD"),
    ("dorset-ua", "DST"),
    ("durham", "DUR"),
    ("east-suffolk", "ESK"),
    ("folkestone-and-hythe", "SHE"),
    ("medway-towns", "MDW"),
    ("north-northamptonshire", "NNT"),
    ("st-helens", "SHN"),
    ("west-northamptonshire", "WNT"),
    ("west-suffolk", "WSK"),
    ("westmorland-and-furness", "WAF"),
];

/// The register code a slug means: the register's own slug first, then the aliases.
pub fn code_for_slug(slug: &str, register_slugs: &BTreeMap<String, String>) -> Option<String> {
    register_slugs.get(slug).cloned().or_else(|| {
        SLUG_ALIASES
            .iter()
            .find(|(s, _)| *s == slug)
            .map(|(_, code)| (*code).to_owned())
    })
}

/// A population file: `{year, source, populations: {slug: count}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationFile {
    /// The year of the estimate (mid-year).
    pub year: i32,
    /// Where the estimate comes from, as the file says.
    pub source: String,
    /// Population by council slug.
    pub populations: Vec<(String, u64)>,
}

fn json_line(text: &str, needle: &str) -> Option<u64> {
    text.find(needle).map(|i| text[..i].lines().count() as u64)
}

fn parse_json(text: &str, file: &str) -> Result<Value, Invalid> {
    serde_json::from_str(text).map_err(|e| {
        Invalid::field(file, format!("this is not valid JSON: {e}")).at_line(e.line() as u64)
    })
}

/// Parses a population file, all or nothing.
pub fn parse_population(text: &str) -> Result<PopulationFile, Invalid> {
    let root = parse_json(text, "population")?;
    let mut invalid = Invalid::new();
    let year = match root
        .get("year")
        .and_then(Value::as_i64)
        .and_then(|y| i32::try_from(y).ok())
    {
        Some(y) if (1990..=2100).contains(&y) => y,
        _ => {
            invalid.push("year", "must be the year of the estimate, such as 2024");
            0
        }
    };
    let source = root
        .get("source")
        .and_then(Value::as_str)
        .unwrap_or("not stated")
        .to_owned();
    let mut populations = Vec::new();
    match root.get("populations").and_then(Value::as_object) {
        None => invalid.push(
            "populations",
            "must be an object of council slugs and populations",
        ),
        Some(map) => {
            for (slug, value) in map {
                match value.as_u64() {
                    Some(n) if n > 0 => populations.push((slug.clone(), n)),
                    _ => {
                        let mut e = Invalid::field(
                            format!("populations.{slug}"),
                            "must be a whole number of people",
                        );
                        if let Some(line) = json_line(text, &format!("\"{slug}\"")) {
                            e = e.at_line(line);
                        }
                        invalid.extend(e);
                    }
                }
            }
        }
    }
    invalid.into_result().map(|()| PopulationFile {
        year,
        source,
        populations,
    })
}

/// One council's budget for one service category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    /// The council's slug.
    pub slug: String,
    /// The category's key, e.g. `central_services`.
    pub category: String,
    /// The category's label, e.g. "Central services".
    pub label: String,
    /// The budget for the category.
    pub amount: Money,
    /// The council's whole budget, as the file gives it.
    pub budget_total: Money,
}

/// Parses a budgets-by-category file (`{categories: [{cat, label, councils: [{slug, amount,
/// budgetTotal, …}]}]}`, amounts in £ thousands), all or nothing.
pub fn parse_budgets(text: &str) -> Result<Vec<BudgetLine>, Invalid> {
    let root = parse_json(text, "budgets")?;
    let mut invalid = Invalid::new();
    let mut lines = Vec::new();
    let Some(categories) = root.get("categories").and_then(Value::as_array) else {
        return Err(Invalid::field(
            "categories",
            "must be a list of service categories",
        ));
    };
    // Net budgets can be below zero (a service that earns more than it costs), so only a
    // missing or non-numeric amount is refused.
    let thousands = |v: Option<&Value>| {
        v.and_then(Value::as_f64)
            .filter(|x| x.is_finite())
            .and_then(|x| Money::from_pounds_f64(x * 1000.0))
    };
    for (i, category) in categories.iter().enumerate() {
        let key = category
            .get("cat")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let label = category.get("label").and_then(Value::as_str).unwrap_or(key);
        if key.is_empty() {
            invalid.push(format!("categories[{i}].cat"), "must name the category");
            continue;
        }
        let Some(councils) = category.get("councils").and_then(Value::as_array) else {
            invalid.push(
                format!("categories[{i}].councils"),
                "must be a list of councils",
            );
            continue;
        };
        for (j, council) in councils.iter().enumerate() {
            let field = format!("categories[{i}].councils[{j}]");
            let slug = council
                .get("slug")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match (
                slug.is_empty(),
                thousands(council.get("amount")),
                thousands(council.get("budgetTotal")),
            ) {
                (false, Some(amount), Some(budget_total)) => lines.push(BudgetLine {
                    slug: slug.to_owned(),
                    category: key.to_owned(),
                    label: label.to_owned(),
                    amount,
                    budget_total,
                }),
                (true, ..) => invalid.push(format!("{field}.slug"), "must name the council"),
                (_, None, _) => invalid.push(
                    format!("{field}.amount"),
                    "must be an amount in £ thousands",
                ),
                (_, _, None) => invalid.push(
                    format!("{field}.budgetTotal"),
                    "must be an amount in £ thousands",
                ),
            }
        }
    }
    invalid.into_result().map(|()| lines)
}

/// Parses the borders file (`local-authority-code,overlap` with `|`-separated codes), all or
/// nothing, keeping only pairs between councils in `known` whose rows the caveats trust:
/// counties and combined authorities are left out (their rows are corrupt in the source; county
/// borders are derived from their districts by [`county_borders`]).
pub fn parse_neighbours(
    text: &str,
    trusted: &BTreeSet<String>,
    known: &BTreeSet<String>,
) -> Result<BTreeSet<(String, String)>, Invalid> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Invalid::field("header", e.to_string()).at_line(1))?
        .clone();
    let code_at = headers.iter().position(|h| h == "local-authority-code");
    let overlap_at = headers.iter().position(|h| h == "overlap");
    let (Some(code_at), Some(overlap_at)) = (code_at, overlap_at) else {
        return Err(Invalid::field(
            "header",
            "needs the columns local-authority-code and overlap",
        )
        .at_line(1));
    };
    let mut invalid = Invalid::new();
    let mut pairs = BTreeSet::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                invalid.extend(Invalid::field("row", e.to_string()).at_line(line));
                continue;
            }
        };
        let code = record.get(code_at).unwrap_or_default().trim();
        if !known.contains(code) {
            invalid.extend(
                Invalid::field(
                    "local-authority-code",
                    format!("{code} is not in the council register"),
                )
                .at_line(line),
            );
            continue;
        }
        if !trusted.contains(code) {
            continue;
        }
        for other in record
            .get(overlap_at)
            .unwrap_or_default()
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if !known.contains(other) {
                invalid.extend(
                    Invalid::field("overlap", format!("{other} is not in the council register"))
                        .at_line(line),
                );
            } else if trusted.contains(other) && other != code {
                let pair = if code < other {
                    (code.to_owned(), other.to_owned())
                } else {
                    (other.to_owned(), code.to_owned())
                };
                pairs.insert(pair);
            }
        }
    }
    invalid.into_result().map(|()| pairs)
}

/// Borders of counties, derived from their districts: a county borders a council when one of
/// its districts does (and two counties border when districts of each do). `county_of` maps a
/// district's code to its county's.
pub fn county_borders(
    pairs: &BTreeSet<(String, String)>,
    county_of: &BTreeMap<String, String>,
) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let mut add = |a: &str, b: &str| {
        if a != b {
            out.insert(if a < b {
                (a.to_owned(), b.to_owned())
            } else {
                (b.to_owned(), a.to_owned())
            });
        }
    };
    for (a, b) in pairs {
        let (ca, cb) = (county_of.get(a), county_of.get(b));
        // A county contains its own districts; it borders only councils outside it.
        if let Some(ca) = ca
            && cb != Some(ca)
        {
            add(ca, b);
        }
        if let Some(cb) = cb
            && ca != Some(cb)
        {
            add(a, cb);
        }
        if let (Some(ca), Some(cb)) = (ca, cb) {
            add(ca, cb);
        }
    }
    out.retain(|pair| !pairs.contains(pair));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_files_are_read_whole_or_refused_by_line() {
        let good = r#"{"year": 2024, "source": "ONS", "populations": {"haringey": 264000, "durham": 528000}}"#;
        let file = parse_population(good).unwrap();
        assert_eq!(file.year, 2024);
        assert_eq!(file.populations.len(), 2);
        let bad = "{\"year\": 2024,\n \"populations\": {\n \"haringey\": -1,\n \"x\": \"many\"}}";
        let err = parse_population(bad).unwrap_err();
        let got: Vec<_> = err
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("populations.haringey", Some(3)),
                ("populations.x", Some(4))
            ]
        );
        assert_eq!(parse_population("{").unwrap_err().errors[0].line, Some(1));
    }

    #[test]
    fn slugs_map_to_register_codes_with_aliases() {
        let register: BTreeMap<String, String> = [("haringey".to_owned(), "HRY".to_owned())].into();
        assert_eq!(code_for_slug("haringey", &register).as_deref(), Some("HRY"));
        assert_eq!(code_for_slug("durham", &register).as_deref(), Some("DUR"));
        assert_eq!(code_for_slug("atlantis", &register), None);
    }

    #[test]
    fn budgets_are_in_thousands_of_pounds() {
        let text = r#"{"categories": [{"cat": "central_services", "label": "Central services", "councils": [{"slug": "haringey", "amount": 12345.5, "budgetTotal": 1000000}]}]}"#;
        let lines = parse_budgets(text).unwrap();
        assert_eq!(lines[0].amount, Money::from_pounds(12_345_500));
        assert_eq!(lines[0].budget_total, Money::from_pounds(1_000_000_000));
        let bad = r#"{"categories": [{"cat": "x", "councils": [{"slug": "", "amount": 1, "budgetTotal": 1}, {"slug": "a", "amount": "lots", "budgetTotal": 1}, {"slug": "b", "amount": -5, "budgetTotal": 1}]}]}"#;
        let err = parse_budgets(bad).unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "categories[0].councils[0].slug",
                "categories[0].councils[1].amount"
            ]
        );
    }

    #[test]
    fn borders_keep_trusted_rows_and_derive_counties_from_districts() {
        let known: BTreeSet<String> = ["HRY", "WFT", "ENF", "KEN", "DAR", "SEV"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let trusted: BTreeSet<String> = ["HRY", "WFT", "ENF", "DAR", "SEV"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let text = "local-authority-code,overlap\nHRY,WFT|ENF\nWFT,HRY\nKEN,HRY\nDAR,SEV\n";
        let pairs = parse_neighbours(text, &trusted, &known).unwrap();
        assert_eq!(pairs.len(), 3);
        assert!(pairs.contains(&("HRY".to_owned(), "WFT".to_owned())));
        let county_of: BTreeMap<String, String> = [
            ("DAR".to_owned(), "KEN".to_owned()),
            ("SEV".to_owned(), "KEN".to_owned()),
        ]
        .into();
        let counties = county_borders(&pairs, &county_of);
        assert!(
            counties.is_empty(),
            "two districts of one county do not make it border itself"
        );
        let err = parse_neighbours("local-authority-code,overlap\nZZZ,HRY\n", &trusted, &known)
            .unwrap_err();
        assert_eq!(
            (err.errors[0].field.as_str(), err.errors[0].line),
            ("local-authority-code", Some(2))
        );
    }
}
