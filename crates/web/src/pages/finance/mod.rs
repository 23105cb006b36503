//! The finance pages of a partnership: business cases with their appraisal, the apportionment
//! of costs between councils, the savings ledger and external funding; and their JSON API.
//! Every handler translates HTTP to a use case of `accord_app::finance` and its answer back.

pub mod allocations;
pub mod business_cases;
pub mod charts;
pub mod funding;
pub mod lines;
pub mod savings;

pub use crate::paging::query_form;
use accord_app::AppError;
use accord_app::finance::Visibility;
use accord_domain::access::{Action, Area};
use accord_domain::{Invalid, Money};
use axum::body::Bytes;
use axum::extract::{FromRequest, OriginalUri, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use std::collections::HashMap;
use utoipa_axum::routes;

use crate::api::finance::{
    allocations as api_allocations, business_cases as api_cases, funding as api_funding,
    savings as api_savings,
};
use crate::components::{Choice, Field, radios};
use crate::error::WebError;
use crate::forms::FormData;
use crate::guard::Guard;
use crate::routes::Routes;

use accord_app::finance::{ALLOCATION_KIND as ALLOCATION, BUSINESS_CASE_KIND as BUSINESS_CASE};
use accord_app::finance::{FUNDING_AWARD_KIND as FUNDING_AWARD, SAVING_KIND as SAVING};

/// Every finance page and API route.
pub fn routes(r: Routes) -> Routes {
    use Action::{Create, Delete, Read, Update};
    let read = Guard::Partnership(Area::Finance, Read);
    let create = Guard::Partnership(Area::Finance, Create);
    let signed_in = Guard::SignedIn;
    let case = |a| Guard::Record(BUSINESS_CASE, a);
    let allocation = |a| Guard::Record(ALLOCATION, a);
    let saving = |a| Guard::Record(SAVING, a);
    let award = |a| Guard::Record(FUNDING_AWARD, a);
    let bc = "/partnerships/{id}/business-cases";
    let one = "/partnerships/{id}/business-cases/{reference}";
    let r = r
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
        .post(
            &format!("{one}/monte-carlo"),
            case(Update),
            business_cases::run_monte_carlo,
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
            "/partnerships/{id}/allocations/{reference}",
            allocation(Read),
            allocations::show,
        )
        .get(
            "/partnerships/{id}/allocations/{reference}/edit",
            allocation(Update),
            allocations::edit_form,
        )
        .post(
            "/partnerships/{id}/allocations/{reference}/edit",
            allocation(Update),
            allocations::edit,
        )
        .post(
            "/partnerships/{id}/allocations/{reference}/delete",
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
            "/partnerships/{id}/savings/{reference}/edit",
            saving(Update),
            savings::edit_form,
        )
        .post(
            "/partnerships/{id}/savings/{reference}/edit",
            saving(Update),
            savings::edit,
        )
        .post(
            "/partnerships/{id}/savings/{reference}/delete",
            saving(Delete),
            savings::delete,
        )
        // External funding
        .get("/partnerships/{id}/funding", read, funding::index)
        .post("/partnerships/{id}/funding", create, funding::create)
        .get("/partnerships/{id}/funding/new", create, funding::new_form)
        .get(
            "/partnerships/{id}/funding/{reference}",
            award(Read),
            funding::show,
        )
        .get(
            "/partnerships/{id}/funding/{reference}/edit",
            award(Update),
            funding::edit_form,
        )
        .post(
            "/partnerships/{id}/funding/{reference}/edit",
            award(Update),
            funding::edit,
        )
        .post(
            "/partnerships/{id}/funding/{reference}/delete",
            award(Delete),
            funding::delete,
        )
        // Addresses of earlier releases, which called funding "grants": moved for good, with
        // the guards of the addresses they moved to.
        .get("/partnerships/{id}/grants", read, moved)
        .post("/partnerships/{id}/grants", create, moved)
        .get("/partnerships/{id}/grants/new", create, moved)
        .get("/partnerships/{id}/grants/{reference}", award(Read), moved)
        .get(
            "/partnerships/{id}/grants/{reference}/edit",
            award(Update),
            moved,
        )
        .post(
            "/partnerships/{id}/grants/{reference}/edit",
            award(Update),
            moved,
        )
        .post(
            "/partnerships/{id}/grants/{reference}/delete",
            award(Delete),
            moved,
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
        .api(read, routes!(api_savings::summary))
        .api(create, routes!(api_savings::create))
        .api(create, routes!(api_savings::import_file))
        .api(saving(Read), routes!(api_savings::show))
        .api(saving(Update), routes!(api_savings::replace))
        .api(saving(Delete), routes!(api_savings::delete))
        .api(read, routes!(api_funding::list))
        .api(create, routes!(api_funding::create))
        .api(award(Read), routes!(api_funding::show))
        .api(award(Update), routes!(api_funding::replace))
        .api(award(Delete), routes!(api_funding::delete));
    api_funding::moved_routes(r, read, create, award)
}

/// An address of an earlier release that called funding "grants": permanently moved (308,
/// so a form sent there is sent on as it was) to the same address under `funding`.
pub async fn moved(OriginalUri(uri): OriginalUri) -> Response {
    let path = uri.path().replacen("/grants", "/funding", 1);
    let target = match uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path,
    };
    Redirect::permanent(&target).into_response()
}

/// The version a form was filled from, if it says.
pub fn form_version(form: &FormData) -> Result<Option<i64>, Invalid> {
    match form.get("version").trim() {
        "" => Ok(None),
        text => text.parse::<i64>().map(Some).map_err(|_| {
            Invalid::field(
                "version",
                "The form is damaged: reload the page and try again",
            )
        }),
    }
}

/// The version input a form carries, so a change is made from the version the page showed.
pub fn version_field(version: i64) -> Markup {
    html! { input type="hidden" id="version" name="version" value=(version); }
}

/// How a refused change is shown on its form: with the problems (422), or, when someone else
/// changed the record since it was read, with the conflict on the form's version (409).
/// Anything else is an error page.
pub fn refusal(error: AppError) -> Result<(StatusCode, Invalid), WebError> {
    match error {
        AppError::Invalid(errors) => Ok((StatusCode::UNPROCESSABLE_ENTITY, errors)),
        AppError::Conflict(message) => {
            Ok((StatusCode::CONFLICT, Invalid::field("version", message)))
        }
        other => Err(other.into()),
    }
}

/// A page with its status: a form refused (422), or a change in conflict (409).
pub fn with_status(status: StatusCode, page: Markup) -> Response {
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        crate::forms::refused(page)
    } else {
        (status, page).into_response()
    }
}

/// The number of the page asked for (from 1), from a list's query.
pub fn page_number(form: &FormData) -> u32 {
    form.get("page").trim().parse::<u32>().unwrap_or(1).max(1)
}

/// A query string kept for the links of a list's pages, without its page.
pub fn page_link(base: &str, form: &FormData, page: u32) -> String {
    let mut pairs: Vec<(String, String)> = form
        .pairs()
        .iter()
        .filter(|(k, v)| k != "page" && !v.is_empty())
        .cloned()
        .collect();
    pairs.push(("page".into(), page.to_string()));
    format!(
        "{base}?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

/// Reads a list's order from its query: `sort` is `reference` (the default) or `name`.
pub fn order_from(form: &FormData, invalid: &mut Invalid) -> accord_app::finance::ListOrder {
    use accord_app::finance::ListOrder;
    match form.get("sort").trim() {
        "" | "reference" => ListOrder::Number,
        "name" => ListOrder::Name,
        other => {
            invalid.push(
                "sort",
                format!("“{other}” is not an order: choose reference or name"),
            );
            ListOrder::Number
        }
    }
}

/// Items shown on one page of a finance list.
pub const PAGE_SIZE: u32 = 50;

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
    codes: &[accord_domain::GssCode],
) -> Result<HashMap<String, String>, WebError> {
    Ok(accord_app::finance::council_names(&state.app, codes).await?)
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
