//! UK councils ("authorities"): identity, type and lifetime, and the register file format.

use crate::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A GSS (Government Statistical Service) code such as `E09000014`: a nation letter and eight
/// digits. Only built by [`GssCode::parse`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GssCode(String);

impl GssCode {
    /// Parses a code, accepting lower case and surrounding spaces. `field` names the input in
    /// the error.
    pub fn parse(field: &str, text: &str) -> Result<GssCode, Invalid> {
        let code = text.trim().to_ascii_uppercase();
        let mut chars = code.chars();
        let nation_ok = matches!(chars.next(), Some('E' | 'N' | 'S' | 'W'));
        if code.len() == 9 && nation_ok && chars.all(|c| c.is_ascii_digit()) {
            Ok(GssCode(code))
        } else {
            Err(Invalid::field(
                field,
                format!(
                    "“{text}” is not a GSS code; a GSS code is E, N, S or W then eight digits, like E09000014"
                ),
            ))
        }
    }

    /// The code as written, e.g. `E09000014`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The nation the code belongs to, from its first letter.
    pub fn nation(&self) -> Nation {
        match self.0.as_bytes().first() {
            Some(b'W') => Nation::Wales,
            Some(b'S') => Nation::Scotland,
            Some(b'N') => Nation::NorthernIreland,
            _ => Nation::England,
        }
    }
}

impl fmt::Display for GssCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for GssCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for GssCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        GssCode::parse("gss", &text).map_err(serde::de::Error::custom)
    }
}

/// The four nations of the UK: each has its own bank holidays and information law.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Nation {
    /// England.
    England,
    /// Wales.
    Wales,
    /// Scotland.
    Scotland,
    /// Northern Ireland.
    NorthernIreland,
}

impl Nation {
    /// Every nation, in the order the register lists them.
    pub const ALL: [Nation; 4] = [
        Nation::England,
        Nation::Wales,
        Nation::Scotland,
        Nation::NorthernIreland,
    ];

    /// The name as written in the register and on pages.
    pub fn name(self) -> &'static str {
        match self {
            Nation::England => "England",
            Nation::Wales => "Wales",
            Nation::Scotland => "Scotland",
            Nation::NorthernIreland => "Northern Ireland",
        }
    }

    /// Parses the register's spelling.
    pub fn parse(field: &str, text: &str) -> Result<Nation, Invalid> {
        Nation::ALL
            .into_iter()
            .find(|n| n.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                Invalid::field(
                    field,
                    format!(
                        "“{text}” is not a UK nation (England, Wales, Scotland, Northern Ireland)"
                    ),
                )
            })
    }
}

/// What kind of council an authority is. Drives which services it runs (a district does not
/// run children's services) and therefore which partners are like-for-like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthorityType {
    /// A London borough (register `LBO`).
    LondonBorough,
    /// A shire county council (`CTY`).
    County,
    /// A non-metropolitan district council (`NMD`).
    District,
    /// A unitary authority in England (`UA`).
    Unitary,
    /// A metropolitan district (`MD`).
    MetropolitanDistrict,
    /// A Scottish council (`SCO`).
    ScottishCouncil,
    /// A Welsh principal council (`WPA`).
    WelshCouncil,
    /// A Northern Ireland district council (`NID`).
    NorthernIrelandCouncil,
    /// A combined authority (`COMB`).
    CombinedAuthority,
    /// The Greater London Authority (`SRA`).
    StrategicRegionalAuthority,
    /// The City of London Corporation (`CC`).
    CityCorporation,
}

impl AuthorityType {
    /// Every type, for forms and filters.
    pub const ALL: [AuthorityType; 11] = [
        AuthorityType::LondonBorough,
        AuthorityType::County,
        AuthorityType::District,
        AuthorityType::Unitary,
        AuthorityType::MetropolitanDistrict,
        AuthorityType::ScottishCouncil,
        AuthorityType::WelshCouncil,
        AuthorityType::NorthernIrelandCouncil,
        AuthorityType::CombinedAuthority,
        AuthorityType::StrategicRegionalAuthority,
        AuthorityType::CityCorporation,
    ];

    /// The register's code for the type.
    pub fn register_code(self) -> &'static str {
        match self {
            AuthorityType::LondonBorough => "LBO",
            AuthorityType::County => "CTY",
            AuthorityType::District => "NMD",
            AuthorityType::Unitary => "UA",
            AuthorityType::MetropolitanDistrict => "MD",
            AuthorityType::ScottishCouncil => "SCO",
            AuthorityType::WelshCouncil => "WPA",
            AuthorityType::NorthernIrelandCouncil => "NID",
            AuthorityType::CombinedAuthority => "COMB",
            AuthorityType::StrategicRegionalAuthority => "SRA",
            AuthorityType::CityCorporation => "CC",
        }
    }

    /// A name for pages.
    pub fn label(self) -> &'static str {
        match self {
            AuthorityType::LondonBorough => "London borough",
            AuthorityType::County => "County council",
            AuthorityType::District => "District council",
            AuthorityType::Unitary => "Unitary authority",
            AuthorityType::MetropolitanDistrict => "Metropolitan district",
            AuthorityType::ScottishCouncil => "Scottish council",
            AuthorityType::WelshCouncil => "Welsh council",
            AuthorityType::NorthernIrelandCouncil => "Northern Ireland council",
            AuthorityType::CombinedAuthority => "Combined authority",
            AuthorityType::StrategicRegionalAuthority => "Strategic regional authority",
            AuthorityType::CityCorporation => "City corporation",
        }
    }

    /// The stable name used in the database and the API (`london-borough`).
    pub fn slug(self) -> &'static str {
        match self {
            AuthorityType::LondonBorough => "london-borough",
            AuthorityType::County => "county",
            AuthorityType::District => "district",
            AuthorityType::Unitary => "unitary",
            AuthorityType::MetropolitanDistrict => "metropolitan-district",
            AuthorityType::ScottishCouncil => "scottish-council",
            AuthorityType::WelshCouncil => "welsh-council",
            AuthorityType::NorthernIrelandCouncil => "northern-ireland-council",
            AuthorityType::CombinedAuthority => "combined-authority",
            AuthorityType::StrategicRegionalAuthority => "strategic-regional-authority",
            AuthorityType::CityCorporation => "city-corporation",
        }
    }

    /// Parses a register code (`LBO`) or a slug (`london-borough`).
    pub fn parse(field: &str, text: &str) -> Result<AuthorityType, Invalid> {
        let t = text.trim();
        AuthorityType::ALL
            .into_iter()
            .find(|k| k.register_code().eq_ignore_ascii_case(t) || k.slug() == t)
            .ok_or_else(|| {
                Invalid::field(
                    field,
                    format!("“{text}” is not a council type the register uses (LBO, CTY, NMD, UA, MD, SCO, WPA, NID, COMB, SRA, CC)"),
                )
            })
    }

    /// Whether councils of this type are principal councils that deliver services (rather than
    /// combined or strategic bodies).
    pub fn is_principal_council(self) -> bool {
        !matches!(
            self,
            AuthorityType::CombinedAuthority | AuthorityType::StrategicRegionalAuthority
        )
    }
}

/// A point on the map (WGS84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Centroid {
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub long: f64,
}

/// A UK council as the register describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Authority {
    /// The register's three-letter code (`HRY`): every council has one, current or abolished.
    pub code: String,
    /// The GSS code. Every current council has one; some abolished ones never did.
    pub gss: Option<GssCode>,
    /// The official name, e.g. "London Borough of Haringey".
    pub official_name: String,
    /// The name people use, e.g. "Haringey".
    pub short_name: String,
    /// The kind of council.
    pub kind: AuthorityType,
    /// The English region, or the nation's name outside England.
    pub region: String,
    /// The nation.
    pub nation: Nation,
    /// Population (the register's 2020 estimate unless a later source was imported).
    pub population: Option<u64>,
    /// The centroid, where the register's is trustworthy (not for counties: see data/README.md).
    pub centroid: Option<Centroid>,
    /// When the council came into being, if the register says.
    pub start_date: Option<NaiveDate>,
    /// When the council was abolished, if it was.
    pub end_date: Option<NaiveDate>,
    /// The register codes of the councils that replaced it.
    pub successors: Vec<String>,
    /// For a district, the register code of its county.
    pub county: Option<String>,
    /// The register's URL slug on GOV.UK, used to join budget and population files.
    pub slug: Option<String>,
}

impl Authority {
    /// Whether the council exists on a date.
    pub fn exists_on(&self, date: NaiveDate) -> bool {
        self.start_date.is_none_or(|s| s <= date) && self.end_date.is_none_or(|e| date < e)
    }

    /// Whether the council still exists (has no end date).
    pub fn is_current(&self) -> bool {
        self.end_date.is_none()
    }

    /// Checks the invariants a record must meet before it is stored.
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut invalid = Invalid::new();
        if self.code.len() < 2
            || self.code.len() > 8
            || !self
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            invalid.push(
                "local-authority-code",
                format!(
                    "“{}” is not a register code (two to eight letters, digits or hyphens)",
                    self.code
                ),
            );
        }
        if self.official_name.trim().is_empty() {
            invalid.push("official-name", "must not be empty");
        }
        if self.short_name.trim().is_empty() {
            invalid.push("nice-name", "must not be empty");
        }
        if self.gss.is_none() && self.is_current() {
            invalid.push("gss-code", "a current council must have a GSS code");
        }
        if let (Some(start), Some(end)) = (self.start_date, self.end_date)
            && end < start
        {
            invalid.push(
                "end-date",
                format!("{end} is before the start date {start}"),
            );
        }
        if let Some(gss) = &self.gss
            && gss.nation() != self.nation
        {
            invalid.push(
                "nation",
                format!(
                    "{} does not match the GSS code {gss}, which is in {}",
                    self.nation.name(),
                    gss.nation().name()
                ),
            );
        }
        invalid.into_result()
    }
}

/// Parses a date written `YYYY-MM-DD`, naming `field` in the error.
pub fn parse_date(field: &str, text: &str) -> Result<NaiveDate, Invalid> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Invalid::field(
            field,
            format!("“{text}” is not a date; write it as YYYY-MM-DD, like 2010-12-21"),
        )
    })
}

/// Parses an optional `YYYY-MM-DD` date: empty text is `None`.
pub fn parse_optional_date(field: &str, text: &str) -> Result<Option<NaiveDate>, Invalid> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(field, text).map(Some)
    }
}

/// The register format: mySociety's `uk_local_authorities.csv`.
pub mod register {
    use super::*;

    /// The columns the importer reads; the file may have more.
    pub const REQUIRED_COLUMNS: [&str; 14] = [
        "local-authority-code",
        "official-name",
        "nice-name",
        "gss-code",
        "start-date",
        "end-date",
        "replaced-by",
        "nation",
        "region",
        "local-authority-type",
        "county-la",
        "pop-2020",
        "lat",
        "long",
    ];

    /// Columns read when the file has them.
    pub const OPTIONAL_COLUMNS: [&str; 1] = ["gov-uk-slug"];

    /// Parses a whole register file. All-or-nothing: any bad row refuses the file, and the
    /// error lists every problem with its line number (line 1 is the header).
    ///
    /// `progress` is called after each row with the number of rows read so far.
    pub fn parse(text: &str, mut progress: impl FnMut(u64)) -> Result<Vec<Authority>, Invalid> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| {
                Invalid::field("header", format!("cannot read the header row: {e}")).at_line(1)
            })?
            .clone();
        let mut invalid = Invalid::new();
        let mut index = std::collections::HashMap::new();
        for column in REQUIRED_COLUMNS {
            match headers.iter().position(|h| h.trim() == column) {
                Some(i) => {
                    index.insert(column, i);
                }
                None => invalid.push(column, "this column is missing from the header row"),
            }
        }
        if !invalid.is_empty() {
            return Err(invalid.at_line(1));
        }
        for column in OPTIONAL_COLUMNS {
            if let Some(i) = headers.iter().position(|h| h.trim() == column) {
                index.insert(column, i);
            }
        }
        let mut authorities = Vec::new();
        let mut seen_codes = std::collections::HashMap::new();
        let mut seen_gss = std::collections::HashMap::new();
        for (i, record) in reader.records().enumerate() {
            let line = i as u64 + 2;
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    invalid.extend(
                        Invalid::field("row", format!("cannot read this row: {e}")).at_line(line),
                    );
                    continue;
                }
            };
            for (column, value) in headers.iter().zip(record.iter()) {
                if let Err(e) = crate::text::check(column.trim(), value) {
                    invalid.extend(e.at_line(line));
                }
            }
            let get = |column: &str| index.get(column).and_then(|i| record.get(*i)).unwrap_or("");
            let code = get("local-authority-code").trim();
            if let Some(first) = seen_codes.insert(code.to_owned(), line) {
                invalid.extend(
                    Invalid::field(
                        "local-authority-code",
                        format!("{code} is also on line {first}"),
                    )
                    .at_line(line),
                );
            }
            let gss = get("gss-code").trim().to_ascii_uppercase();
            if !gss.is_empty()
                && let Some(first) = seen_gss.insert(gss.clone(), line)
            {
                invalid.extend(
                    Invalid::field("gss-code", format!("{gss} is also on line {first}"))
                        .at_line(line),
                );
            }
            match parse_row(get) {
                Ok(authority) => authorities.push(authority),
                Err(e) => invalid.extend(e.at_line(line)),
            }
            progress(line - 1);
        }
        invalid.into_result().map(|()| authorities)
    }

    fn parse_row<'a>(get: impl Fn(&str) -> &'a str) -> Result<Authority, Invalid> {
        let mut invalid = Invalid::new();
        let gss_text = get("gss-code");
        let gss = if gss_text.trim().is_empty() {
            None
        } else {
            invalid.check(GssCode::parse("gss-code", gss_text))
        };
        let kind = invalid.check(AuthorityType::parse(
            "local-authority-type",
            get("local-authority-type"),
        ));
        let nation = invalid.check(Nation::parse("nation", get("nation")));
        let start_date = invalid
            .check(parse_optional_date("start-date", get("start-date")))
            .flatten();
        let end_date = invalid
            .check(parse_optional_date("end-date", get("end-date")))
            .flatten();
        let population = parse_number("pop-2020", get("pop-2020"), &mut invalid).and_then(|p| {
            if p < 0.0 {
                invalid.push("pop-2020", format!("{p} is not a population"));
            }
            // Populations are far below 2^52, so the conversion is exact.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Some(p.round() as u64).filter(|_| p >= 0.0)
        });
        let lat = parse_number("lat", get("lat"), &mut invalid);
        let long = parse_number("long", get("long"), &mut invalid);
        if let Some(lat) = lat
            && !(49.0..=61.5).contains(&lat)
        {
            invalid.push("lat", format!("{lat} is not a latitude in the UK"));
        }
        let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let (Some(kind), Some(nation)) = (kind, nation) else {
            return Err(invalid);
        };
        // County centroids in the register are wrong (see the data notes); a county's
        // location is better left unknown than shown in the wrong place.
        let centroid = match (lat, long) {
            (Some(lat), Some(long)) if kind != AuthorityType::County => {
                Some(Centroid { lat, long })
            }
            _ => None,
        };
        let authority = Authority {
            code: get("local-authority-code").trim().to_owned(),
            gss,
            official_name: get("official-name").trim().to_owned(),
            short_name: get("nice-name").trim().to_owned(),
            kind,
            region: get("region").trim().to_owned(),
            nation,
            population,
            centroid,
            start_date,
            end_date,
            successors: get("replaced-by")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            county: optional(get("county-la")),
            slug: optional(get("gov-uk-slug")),
        };
        // Whole-record checks only make sense once every field has parsed.
        invalid.into_result()?;
        authority.validate().map(|()| authority)
    }

    fn parse_number(field: &str, text: &str, invalid: &mut Invalid) -> Option<f64> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                invalid.push(field, format!("“{text}” is not a number"));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gss_codes_are_a_nation_letter_and_eight_digits() {
        let good = [
            ("E09000014", Nation::England),
            (" e09000031 ", Nation::England),
            ("W06000015", Nation::Wales),
            ("S12000033", Nation::Scotland),
            ("N09000002", Nation::NorthernIreland),
        ];
        for (text, nation) in good {
            assert_eq!(
                GssCode::parse("gss", text).unwrap().nation(),
                nation,
                "{text}"
            );
        }
        for text in [
            "",
            "E0900001",
            "E090000145",
            "X09000014",
            "E0900001A",
            "HRY",
            "E09 000014",
        ] {
            let err = GssCode::parse("gss", text).unwrap_err();
            assert_eq!(err.errors[0].field, "gss", "{text}");
        }
    }

    const HEADER: &str = "local-authority-code,official-name,nice-name,gss-code,start-date,end-date,replaced-by,nation,region,local-authority-type,county-la,pop-2020,lat,long,extra";

    #[test]
    fn register_parses_current_and_abolished_councils() {
        let text = format!(
            "{HEADER}\n\
             HRY,London Borough of Haringey,Haringey,E09000014,,,,England,London,LBO,,266357.0,51.58,-0.11,x\n\
             NTH,Northamptonshire County Council,Northamptonshire,E10000021,,2021-04-01,\"NNT,WNT\",England,East Midlands,CTY,,,52.2,-0.9,y\n\
             OLD,Old District Council,Old,,1974-04-01,2009-04-01,NEW,England,North East,NMD,DUR,,,,z\n"
        );
        let mut seen = 0;
        let rows = register::parse(&text, |n| seen = n).unwrap();
        assert_eq!(seen, 3);
        assert_eq!(rows[0].gss.as_ref().unwrap().as_str(), "E09000014");
        assert_eq!(rows[0].population, Some(266_357));
        assert!(rows[0].centroid.is_some());
        assert_eq!(rows[1].successors, vec!["NNT", "WNT"]);
        assert!(rows[1].centroid.is_none(), "county centroids are dropped");
        assert!(!rows[1].is_current());
        assert_eq!(rows[2].gss, None);
        assert_eq!(rows[2].county.as_deref(), Some("DUR"));
    }

    #[test]
    fn register_errors_name_line_and_column() {
        let text = format!(
            "{HEADER}\n\
             HRY,London Borough of Haringey,Haringey,E09000014,,,,England,London,LBO,,1,51.5,-0.1,x\n\
             BAD,Bad Council,Bad,E0900,,,,England,London,LBO,,1,51.5,-0.1,x\n\
             NOG,No Gss Council,NoGss,,,,,England,London,XYZ,,,,,x\n\
             HRY,Duplicate,Dup,E09000099,2010-01-01,2009-01-01,,England,London,LBO,,,,,x\n"
        );
        let err = register::parse(&text, |_| {}).unwrap_err();
        let got: Vec<(Option<u64>, &str)> = err
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some(3), "gss-code"),
                (Some(4), "local-authority-type"),
                (Some(5), "local-authority-code"),
                (Some(5), "end-date"),
            ]
        );
    }

    #[test]
    fn a_control_character_in_the_register_is_refused_with_its_line_and_column() {
        let text = format!(
            "{HEADER}\n\
             HRY,London Borough of Haringey,Haringey,E09000014,,,,England,London,LBO,,1,51.5,-0.1,x\n\
             WFT,London Borough of Waltham\0 Forest,Waltham Forest,E09000031,,,,England,London,LBO,,1,51.5,-0.1,x\n"
        );
        let err = register::parse(&text, |_| {}).unwrap_err();
        let got: Vec<(Option<u64>, &str)> = err
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(got, vec![(Some(3), "official-name")]);
        assert!(err.errors[0].message.contains("U+0000"));
    }

    #[test]
    fn register_requires_its_columns() {
        let err = register::parse("local-authority-code,official-name\nHRY,Haringey\n", |_| {})
            .unwrap_err();
        assert!(err.errors.iter().all(|e| e.line == Some(1)));
        assert!(err.errors.iter().any(|e| e.field == "gss-code"));
    }
}
