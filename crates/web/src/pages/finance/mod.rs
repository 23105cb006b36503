//! The finance pages of a partnership: business cases with their appraisal, the apportionment
//! of costs between councils, the savings ledger and external funding; and their JSON API.

pub mod allocations;
pub mod business_cases;
pub mod charts;
pub mod grants;
pub mod lines;
pub mod savings;

use accord_domain::access::{Action, Area};
use accord_domain::{GssCode, Invalid, Money};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use maud::{Markup, html};
use std::collections::HashMap;
use utoipa_axum::routes;

use crate::api::finance::Visibility;
use crate::api::{allocations as api_allocations, business_cases as api_cases};
use crate::api::{grants as api_grants, savings as api_savings};
use crate::components::{Choice, Field, radios};
use crate::error::WebError;
use crate::forms::FormData;
use crate::guard::Guard;
use crate::routes::Routes;

/// Every finance page and API route.
pub fn routes(r: Routes) -> Routes {
    use Action::{Create, Delete, Read, Update};
    let read = Guard::Partnership(Area::Finance, Read);
    let create = Guard::Partnership(Area::Finance, Create);
    let signed_in = Guard::SignedIn;
    let case = |a| Guard::Record(api_cases::KIND, a);
    let allocation = |a| Guard::Record(api_allocations::KIND, a);
    let saving = |a| Guard::Record(api_savings::KIND, a);
    let grant = |a| Guard::Record(api_grants::KIND, a);
    let bc = "/partnerships/{id}/business-cases";
    let one = "/partnerships/{id}/business-cases/{record_id}";
    r
        // Business cases
        .get(bc, read, business_cases::index)
        .post(bc, create, business_cases::create)
        .get(&format!("{bc}/new"), create, business_cases::new_form)
        .get(one, case(Read), business_cases::show)
        .get(
            &format!("{one}/edit"),
            case(Update),
            business_cases::edit_form,
        )
        .post(&format!("{one}/edit"), case(Update), business_cases::edit)
        .get(
            &format!("{one}/option"),
            case(Update),
            business_cases::option_form,
        )
        .post(
            &format!("{one}/option"),
            case(Update),
            business_cases::save_option,
        )
        .get(
            &format!("{one}/line"),
            case(Update),
            business_cases::line_form,
        )
        .post(
            &format!("{one}/line"),
            case(Update),
            business_cases::save_line,
        )
        .post(
            &format!("{one}/remove"),
            case(Update),
            business_cases::remove,
        )
        .get(
            &format!("{one}/import"),
            case(Update),
            business_cases::import_form,
        )
        .post(
            &format!("{one}/import"),
            case(Update),
            business_cases::import,
        )
        .get(
            &format!("{one}/lines.csv"),
            case(Read),
            business_cases::export_csv,
        )
        .get(
            &format!("{one}/lines.xlsx"),
            case(Read),
            business_cases::export_xlsx,
        )
        .get(
            &format!("{one}/case.json"),
            case(Read),
            business_cases::case_json,
        )
        .get(
            &format!("{one}/delete"),
            case(Delete),
            business_cases::delete_form,
        )
        .post(
            &format!("{one}/delete"),
            case(Delete),
            business_cases::delete,
        )
        // Allocations
        .get("/partnerships/{id}/allocations", read, allocations::index)
        .post(
            "/partnerships/{id}/allocations",
            create,
            allocations::create,
        )
        .get(
            "/partnerships/{id}/allocations/new",
            create,
            allocations::new_form,
        )
        .get(
            "/partnerships/{id}/allocations/{record_id}",
            allocation(Read),
            allocations::show,
        )
        .get(
            "/partnerships/{id}/allocations/{record_id}/edit",
            allocation(Update),
            allocations::edit_form,
        )
        .post(
            "/partnerships/{id}/allocations/{record_id}/edit",
            allocation(Update),
            allocations::edit,
        )
        .post(
            "/partnerships/{id}/allocations/{record_id}/delete",
            allocation(Delete),
            allocations::delete,
        )
        // The savings ledger
        .get("/partnerships/{id}/savings", read, savings::index)
        .post("/partnerships/{id}/savings", create, savings::create)
        .get("/partnerships/{id}/savings.csv", read, savings::export_csv)
        .get(
            "/partnerships/{id}/savings.xlsx",
            read,
            savings::export_xlsx,
        )
        .get("/partnerships/{id}/savings/new", create, savings::new_form)
        .get(
            "/partnerships/{id}/savings/import",
            create,
            savings::import_form,
        )
        .post("/partnerships/{id}/savings/import", create, savings::import)
        .get(
            "/partnerships/{id}/savings/{record_id}/edit",
            saving(Update),
            savings::edit_form,
        )
        .post(
            "/partnerships/{id}/savings/{record_id}/edit",
            saving(Update),
            savings::edit,
        )
        .post(
            "/partnerships/{id}/savings/{record_id}/delete",
            saving(Delete),
            savings::delete,
        )
        // External funding
        .get("/partnerships/{id}/grants", read, grants::index)
        .post("/partnerships/{id}/grants", create, grants::create)
        .get("/partnerships/{id}/grants/new", create, grants::new_form)
        .get(
            "/partnerships/{id}/grants/{record_id}",
            grant(Read),
            grants::show,
        )
        .get(
            "/partnerships/{id}/grants/{record_id}/edit",
            grant(Update),
            grants::edit_form,
        )
        .post(
            "/partnerships/{id}/grants/{record_id}/edit",
            grant(Update),
            grants::edit,
        )
        .post(
            "/partnerships/{id}/grants/{record_id}/delete",
            grant(Delete),
            grants::delete,
        )
        // The API
        .api(signed_in, routes!(api_cases::appraise_only))
        .api(signed_in, routes!(api_allocations::allocate_only))
        .api(read, routes!(api_cases::list))
        .api(create, routes!(api_cases::create))
        .api(case(Read), routes!(api_cases::show))
        .api(case(Update), routes!(api_cases::replace))
        .api(case(Delete), routes!(api_cases::delete))
        .api(read, routes!(api_allocations::list))
        .api(create, routes!(api_allocations::create))
        .api(allocation(Read), routes!(api_allocations::show))
        .api(allocation(Update), routes!(api_allocations::replace))
        .api(allocation(Delete), routes!(api_allocations::delete))
        .api(read, routes!(api_savings::list))
        .api(create, routes!(api_savings::create))
        .api(create, routes!(api_savings::import_file))
        .api(saving(Read), routes!(api_savings::show))
        .api(saving(Update), routes!(api_savings::replace))
        .api(saving(Delete), routes!(api_savings::delete))
        .api(read, routes!(api_grants::list))
        .api(create, routes!(api_grants::create))
        .api(grant(Read), routes!(api_grants::show))
        .api(grant(Update), routes!(api_grants::replace))
        .api(grant(Delete), routes!(api_grants::delete))
}

/// The visibility radios of a finance form.
pub fn visibility_field(value: &str, errors: &Invalid) -> Markup {
    let choices: Vec<Choice> = Visibility::ALL
        .iter()
        .map(|v| Choice::new(v.slug(), v.label()))
        .collect();
    radios(
        &Field::new("visibility", "Who can see it")
            .hint("Councillors and scrutiny see released and published records; residents see published ones")
            .value(value)
            .errors(errors),
        &choices,
    )
}

/// Reads the visibility radios.
pub fn visibility_from(form: &FormData, invalid: &mut Invalid) -> Option<Visibility> {
    invalid.check(Visibility::parse("visibility", form.get("visibility")))
}

/// Reads an amount of money typed as officers write it (`£75,000`, `£350k`) as pounds;
/// `None` when blank.
pub fn pounds_field(form: &FormData, name: &str, invalid: &mut Invalid) -> Option<f64> {
    let text = form.get(name).trim();
    if text.is_empty() {
        return None;
    }
    invalid
        .check(Money::parse(name, text))
        .map(Money::pounds_f64)
}

/// Reads a money field into `Money`; `None` when blank.
pub fn money_field(form: &FormData, name: &str, invalid: &mut Invalid) -> Option<Money> {
    let text = form.get(name).trim();
    if text.is_empty() {
        return None;
    }
    invalid.check(Money::parse(name, text))
}

/// Reads a number (`2.5`, `1,000`); `None` when blank.
pub fn number_field(form: &FormData, name: &str, invalid: &mut Invalid) -> Option<f64> {
    let text = form.get(name).trim().replace(',', "");
    if text.is_empty() {
        return None;
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            invalid.push(name, format!("“{}” is not a number", form.get(name).trim()));
            None
        }
    }
}

/// Reads a percentage (`41`, `41%`) as a fraction; `None` when blank.
pub fn percent_field(form: &FormData, name: &str, invalid: &mut Invalid) -> Option<f64> {
    let text = form
        .get(name)
        .trim()
        .trim_end_matches('%')
        .trim()
        .replace(',', "");
    if text.is_empty() {
        return None;
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v / 100.0),
        _ => {
            invalid.push(
                name,
                format!("“{}” is not a percentage", form.get(name).trim()),
            );
            None
        }
    }
}

/// A fraction as a percentage for a form field (`0.41` → `41`, `0.035` → `3.5`), to at most
/// four decimal places so floating-point noise never shows.
pub fn percent_text(fraction: f64) -> String {
    let text = format!("{:.4}", fraction * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// Pounds for a form field (`631660.53` → `631,660.53`).
pub fn pounds_text(pounds: f64) -> String {
    Money::from_pounds_f64(pounds).map_or_else(String::new, |m| m.to_string())
}

/// The councils' short names by GSS code, for pages.
pub async fn council_names(
    state: &crate::AppState,
    codes: &[GssCode],
) -> Result<HashMap<String, String>, WebError> {
    let found = crate::pages::common::councils(state, codes).await?;
    Ok(codes
        .iter()
        .map(|c| {
            (
                c.as_str().to_owned(),
                found
                    .get(c.as_str())
                    .map_or_else(|| c.to_string(), |a| a.short_name.clone()),
            )
        })
        .collect())
}

/// A council's name from a map built by [`council_names`], or the text itself.
pub fn name_of<'a>(names: &'a HashMap<String, String>, code: &'a str) -> &'a str {
    names.get(code).map_or(code, String::as_str)
}

/// An uploaded file and the other fields of a `multipart/form-data` form. A form sent some
/// other way (or without a file) gives no file, so the handler can ask for one.
#[derive(Debug, Default)]
pub struct Upload {
    /// The fields other than the file.
    pub form: FormData,
    /// The file's name and content.
    pub file: Option<(String, Bytes)>,
}

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, WebError> {
        let multipart = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("multipart/form-data"));
        if !multipart {
            let form = FormData::from_request(request, state).await?;
            return Ok(Upload { form, file: None });
        }
        let mut parts = axum::extract::Multipart::from_request(request, state)
            .await
            .map_err(|e| WebError::Unprocessable(Invalid::field("file", e.body_text())))?;
        let mut fields = Vec::new();
        let mut file = None;
        while let Some(field) = parts
            .next_field()
            .await
            .map_err(|e| WebError::Unprocessable(Invalid::field("file", e.body_text())))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field
                .bytes()
                .await
                .map_err(|e| WebError::Unprocessable(Invalid::field("file", e.body_text())))?;
            match file_name {
                Some(f) if name == "file" => {
                    if !bytes.is_empty() {
                        file = Some((f, bytes));
                    }
                }
                _ => fields.push((name, String::from_utf8_lossy(&bytes).into_owned())),
            }
        }
        Ok(Upload {
            form: FormData::from_pairs(fields),
            file,
        })
    }
}

/// A form that uploads a file. The CSRF token travels in the address, because the check
/// reads only URL-encoded bodies.
pub fn upload_form(action: &str, csrf: &str, body: Markup) -> Markup {
    html! {
        form method="post" action=(format!("{action}?{}={}", crate::forms::CSRF_FIELD, crate::guard::urlencode(csrf))) enctype="multipart/form-data" novalidate {
            (body)
        }
    }
}

/// A file download.
pub fn download(
    bytes: Vec<u8>,
    content_type: &'static str,
    file_name: &str,
) -> axum::response::Response {
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::response::IntoResponse;
    let disposition = format!("attachment; filename=\"{}\"", file_name.replace('"', ""));
    (
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// A file name made of the letters and digits of a title.
pub fn file_stem(title: &str) -> String {
    let stem: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let parts: Vec<&str> = stem.split('-').filter(|s| !s.is_empty()).collect();
    let joined = parts.join("-");
    if joined.is_empty() {
        "export".to_owned()
    } else {
        joined.chars().take(60).collect()
    }
}

/// The MIME type of XLSX workbooks.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The MIME type of CSV files.
pub const CSV: &str = "text/csv; charset=utf-8";

/// A delete form says it means it: a bare request changes nothing.
pub fn confirmed(form: &FormData) -> Result<(), WebError> {
    if form.get("confirm") == "yes" {
        Ok(())
    } else {
        Err(Invalid::field("confirm", "Confirm that you want to delete it").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_read_as_typed() {
        let cases = [
            (0.035, "3.5"),
            (0.41, "41"),
            (0.0, "0"),
            (1.0, "100"),
            (0.123_456, "12.3456"),
            (0.8, "80"),
        ];
        for (fraction, text) in cases {
            assert_eq!(percent_text(fraction), text);
        }
        let mut invalid = Invalid::new();
        let form = FormData::from_pairs([("p", "41%"), ("q", "lots")]);
        assert_eq!(percent_field(&form, "p", &mut invalid), Some(0.41));
        assert_eq!(percent_field(&form, "q", &mut invalid), None);
        assert_eq!(invalid.errors[0].field, "q");
    }
}
