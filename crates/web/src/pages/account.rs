//! Signing in and out, the account page, passphrases and API tokens.

use accord_domain::Invalid;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use std::net::SocketAddr;

use super::common::render;
use crate::AppState;
use crate::auth::{self, SignInRefusal, Viewer};
use crate::components::{
    Banner, ButtonKind, Column, Field, SummaryRow, Table, button, error_summary, form,
    notification_banner, summary_list, table, text_input,
};
use crate::error::WebError;
use crate::forms::{FormData, refused};
use crate::layout::Page;

/// Where to go after signing in.
#[derive(Debug, Default, Deserialize)]
pub struct Next {
    #[serde(default)]
    next: Option<String>,
}

/// Only paths on this site, so a crafted link cannot send people elsewhere after sign-in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn sign_in_page(
    state: &AppState,
    viewer: &Viewer,
    email: &str,
    next: &str,
    errors: &Invalid,
    notice: Option<&str>,
) -> Markup {
    let action = format!("/sign-in?next={}", crate::guard::urlencode(next));
    render(
        state,
        viewer,
        Page::new("Sign in").with_errors(errors),
        html! {
            div class="govuk-grid-row" {
                div class="govuk-grid-column-two-thirds" {
                    (error_summary(errors))
                    @if let Some(notice) = notice {
                        (notification_banner(Banner::Important, "Important", html! { p class="govuk-notification-banner__heading" { (notice) } }))
                    }
                    h1 class="govuk-heading-xl" { "Sign in" }
                    (form(&action, &viewer.csrf, html! {
                        (text_input(&Field::new("email", "Email address").input_type("email").autocomplete("username").value(email).errors(errors)))
                        (text_input(&Field::new("passphrase", "Passphrase").input_type("password").autocomplete("current-password").errors(errors)))
                        (button("Sign in", ButtonKind::Primary))
                    }))
                    p class="govuk-body" {
                        "If you have forgotten your passphrase, ask your administrator for a reset link."
                    }
                    @if state.config.demo {
                        (demo_accounts())
                    }
                }
            }
        },
    )
}

fn demo_accounts() -> Markup {
    html! {
        h2 class="govuk-heading-m" { "Demo accounts" }
        p class="govuk-body" { "Every demo account’s passphrase is “demo passphrase for accord”." }
        ul class="govuk-list govuk-list--bullet" {
            li { "admin@demo.accord.test — instance administrator" }
            li { "programme@haringey.demo.accord.test — joint programme team" }
            li { "board@walthamforest.demo.accord.test — board member" }
            li { "officer@haringey.demo.accord.test, officer@walthamforest.demo.accord.test — council officers" }
            li { "finance@haringey.demo.accord.test — finance officer" }
            li { "information@haringey.demo.accord.test, information@walthamforest.demo.accord.test — information governance leads (single points of contact)" }
            li { "councillor@haringey.demo.accord.test — councillor, scrutiny (read only)" }
        }
    }
}

/// `GET /sign-in`.
pub async fn sign_in_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(next): Query<Next>,
) -> Markup {
    let next = safe_next(next.next.as_deref());
    let notice = (next != "/").then_some("Sign in to see that page.");
    sign_in_page(&state, &viewer, "", &next, &Invalid::new(), notice)
}

/// `POST /sign-in`.
pub async fn sign_in(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(next): Query<Next>,
    headers: HeaderMap,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    form_data: FormData,
) -> Result<Response, WebError> {
    let next = safe_next(next.next.as_deref());
    let email = form_data.get("email").trim();
    let passphrase = form_data.get("passphrase");
    let mut errors = Invalid::new();
    if email.is_empty() {
        errors.push("email", "Enter your email address");
    }
    if passphrase.is_empty() {
        errors.push("passphrase", "Enter your passphrase");
    }
    if !errors.is_empty() {
        return Ok(refused(sign_in_page(
            &state, &viewer, email, &next, &errors, None,
        )));
    }
    let address = auth::client_address(&state.config, (&headers, connect.as_ref().map(|c| &c.0)));
    match auth::sign_in(&state, email, passphrase, &address).await? {
        Ok(signed_in) => {
            let mut response = Redirect::to(&next).into_response();
            // Rotation: any session the browser had is ended; the new one has a new id.
            if let Some(old) = auth::session_secret(&state.config, &headers) {
                accord_app::identity::sign_out(&state.app, &viewer.caller(), &old).await?;
            }
            for cookie in auth::session_cookies(&state.config, &headers, &signed_in.session) {
                response.headers_mut().append(SET_COOKIE, cookie);
            }
            Ok(response)
        }
        Err(SignInRefusal::Wrong) => {
            let errors = Invalid::field("email", "Enter a correct email address and passphrase");
            Ok((
                StatusCode::UNAUTHORIZED,
                sign_in_page(&state, &viewer, email, &next, &errors, None),
            )
                .into_response())
        }
        Err(SignInRefusal::Throttled) => {
            let errors = Invalid::field(
                "email",
                format!(
                    "There have been too many attempts to sign in. Wait {} minutes, then try again",
                    accord_domain::access::THROTTLE_MINUTES
                ),
            );
            Ok((
                StatusCode::TOO_MANY_REQUESTS,
                sign_in_page(&state, &viewer, email, &next, &errors, None),
            )
                .into_response())
        }
    }
}

/// `POST /sign-out`.
pub async fn sign_out(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if let Some(session) = auth::session_secret(&state.config, &headers) {
        accord_app::identity::sign_out(&state.app, &viewer.caller(), &session).await?;
    }
    let mut response = Redirect::to("/").into_response();
    for cookie in auth::cleared_cookies(&state.config, &headers) {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    Ok(response)
}

fn signed_in_user(viewer: &Viewer) -> Result<&accord_domain::access::UserAccount, WebError> {
    viewer.user.as_ref().ok_or(WebError::Unauthorised)
}

/// `GET /account`.
pub async fn account(State(state): State<AppState>, viewer: Viewer) -> Result<Markup, WebError> {
    let user = signed_in_user(&viewer)?;
    let mut roles = Table::new(
        "Your roles",
        vec![Column::text("Partnership"), Column::text("Role")],
    );
    for g in &user.role_assignments {
        let name = match accord_app::partnership::get(&state.app, g.partnership_id).await {
            Ok(p) => p.name,
            Err(accord_app::AppError::NotFound(_)) => g.partnership_id.to_string(),
            Err(e) => return Err(e.into()),
        };
        roles = roles.row(vec![
            html! { a class="govuk-link" href={ "/partnerships/" (g.partnership_id) } { (name) } },
            html! { (g.role.label()) },
        ]);
    }
    let home = match &user.home {
        Some(g) => accord_app::authorities::find(&state.app, g.as_str())
            .await?
            .map_or_else(|| g.to_string(), |a| a.official_name),
        None => "None".to_owned(),
    };
    Ok(render(
        &state,
        &viewer,
        Page::new("Your account"),
        html! {
            h1 class="govuk-heading-xl" { "Your account" }
            (summary_list(&[
                SummaryRow::new("Name", html! { (user.display_name) }),
                SummaryRow::new("Email", html! { (user.email) }),
                SummaryRow::new("Council", html! { (home) }),
                SummaryRow::new("Administrator", html! { @if user.admin { "Yes" } @else { "No" } }),
                SummaryRow::new("Passphrase", html! { "Set" }).action("Change", "/account/passphrase", "your passphrase"),
            ]))
            @if user.role_assignments.is_empty() {
                p class="govuk-body" { "You have no role in any partnership yet." }
            } @else {
                (table(&roles))
            }
            p class="govuk-body" { a class="govuk-link" href="/account/tokens" { "API tokens" } }
        },
    ))
}

fn passphrase_page(state: &AppState, viewer: &Viewer, errors: &Invalid) -> Markup {
    render(
        state,
        viewer,
        Page::new("Change your passphrase")
            .with_errors(errors)
            .back_link("/account"),
        html! {
            (error_summary(errors))
            h1 class="govuk-heading-xl" { "Change your passphrase" }
            (form("/account/passphrase", &viewer.csrf, html! {
                (text_input(&Field::new("current", "Current passphrase").input_type("password").autocomplete("current-password").errors(errors)))
                (text_input(&Field::new("passphrase", "New passphrase").hint("At least 12 characters. Three random words work well.").input_type("password").autocomplete("new-password").errors(errors)))
                (button("Change passphrase", ButtonKind::Primary))
            }))
        },
    )
}

/// `GET /account/passphrase`.
pub async fn passphrase_form(State(state): State<AppState>, viewer: Viewer) -> Markup {
    passphrase_page(&state, &viewer, &Invalid::new())
}

/// `POST /account/passphrase`: changing it ends every session, this one included.
pub async fn change_passphrase(
    State(state): State<AppState>,
    viewer: Viewer,
    form_data: FormData,
) -> Result<Response, WebError> {
    signed_in_user(&viewer)?;
    match accord_app::identity::change_passphrase(
        &state.app,
        &viewer.caller(),
        form_data.get("current"),
        form_data.get("passphrase"),
    )
    .await
    {
        Ok(()) => {}
        Err(accord_app::AppError::Invalid(errors)) => {
            return Ok(refused(passphrase_page(&state, &viewer, &errors)));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to("/sign-in?next=/account").into_response())
}

async fn tokens_page(
    state: &AppState,
    viewer: &Viewer,
    created: Option<&str>,
    errors: &Invalid,
) -> Result<Markup, WebError> {
    signed_in_user(viewer)?;
    let tokens = accord_app::identity::api_tokens(&state.app, &viewer.caller()).await?;
    let mut list = Table::new(
        "Your API tokens",
        vec![
            Column::text("Name"),
            Column::text("Created"),
            Column::text("Last used"),
            Column::text("Status"),
        ],
    );
    for t in &tokens {
        list = list.row(vec![
            html! { (t.name) },
            html! { (t.created_at.format("%-d %B %Y")) },
            html! { @match t.last_used_at { Some(u) => (u.format("%-d %B %Y")), None => "Never" } },
            html! {
                @match t.revoked_at {
                    Some(r) => { "Revoked " (r.format("%-d %B %Y")) },
                    None => (form(&format!("/account/tokens/{}/revoke", t.id), &viewer.csrf, html! {
                        button type="submit" class="govuk-button govuk-button--warning govuk-!-margin-bottom-0" data-module="govuk-button" {
                            "Revoke" span class="govuk-visually-hidden" { " " (t.name) }
                        }
                    })),
                }
            },
        ]);
    }
    Ok(render(
        state,
        viewer,
        Page::new("API tokens")
            .with_errors(errors)
            .back_link("/account"),
        html! {
            (error_summary(errors))
            @if let Some(token) = created {
                (notification_banner(Banner::Success, "Success", html! {
                    h3 class="govuk-notification-banner__heading" { "Your new API token" }
                    p class="govuk-body" { "Copy it now: it is shown only once. It acts with your permissions." }
                    p class="govuk-body" { code class="accord-token" { (token) } }
                }))
            }
            h1 class="govuk-heading-xl" { "API tokens" }
            p class="govuk-body" {
                "A token lets a program use Accord’s API as you: send it as "
                code { "Authorization: Bearer <token>" } ". "
                a class="govuk-link" href="/api/openapi.json" { "The API is described in OpenAPI" } "."
            }
            @if !tokens.is_empty() { (table(&list)) }
            (form("/account/tokens", &viewer.csrf, html! {
                (text_input(&Field::new("name", "Name of a new token").hint("What it is for, such as “monthly savings report”").errors(errors)))
                (button("Create token", ButtonKind::Secondary))
            }))
        },
    ))
}

/// `GET /account/tokens`.
pub async fn tokens(State(state): State<AppState>, viewer: Viewer) -> Result<Markup, WebError> {
    tokens_page(&state, &viewer, None, &Invalid::new()).await
}

/// `POST /account/tokens`.
pub async fn create_token(
    State(state): State<AppState>,
    viewer: Viewer,
    form_data: FormData,
) -> Result<Response, WebError> {
    signed_in_user(&viewer)?;
    match accord_app::identity::create_api_token(
        &state.app,
        &viewer.caller(),
        form_data.get("name"),
    )
    .await
    {
        Ok(token) => Ok(tokens_page(&state, &viewer, Some(&token), &Invalid::new())
            .await?
            .into_response()),
        Err(accord_app::AppError::Invalid(e)) => {
            Ok(refused(tokens_page(&state, &viewer, None, &e).await?))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /account/tokens/{token_id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token_id): Path<i64>,
) -> Result<Response, WebError> {
    signed_in_user(&viewer)?;
    accord_app::identity::revoke_api_token(&state.app, &viewer.caller(), token_id).await?;
    Ok(Redirect::to("/account/tokens").into_response())
}

fn reset_page(state: &AppState, viewer: &Viewer, code: &str, errors: &Invalid) -> Markup {
    render(
        state,
        viewer,
        Page::new("Set a new passphrase").with_errors(errors),
        html! {
            (error_summary(errors))
            h1 class="govuk-heading-xl" { "Set a new passphrase" }
            (form(&format!("/reset-passphrase/{code}"), &viewer.csrf, html! {
                (text_input(&Field::new("passphrase", "New passphrase").hint("At least 12 characters. Three random words work well.").input_type("password").autocomplete("new-password").errors(errors)))
                (button("Set passphrase", ButtonKind::Primary))
            }))
        },
    )
}

/// `GET /reset-passphrase/{code}`.
pub async fn reset_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Markup {
    reset_page(&state, &viewer, &code, &Invalid::new())
}

/// `POST /reset-passphrase/{code}`: the code works once, before it expires.
pub async fn reset(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    form_data: FormData,
) -> Result<Response, WebError> {
    let passphrase = form_data.get("passphrase");
    match accord_app::identity::reset_passphrase(&state.app, &code, passphrase).await {
        Err(accord_app::AppError::Invalid(errors)) => {
            Ok(refused(reset_page(&state, &viewer, &code, &errors)))
        }
        Err(e) => Err(e.into()),
        Ok(true) => Ok(Redirect::to("/sign-in").into_response()),
        Ok(false) => {
            let errors = Invalid::field(
                "passphrase",
                "This reset link has expired or has been used. Ask your administrator for a new one",
            );
            Ok(refused(reset_page(&state, &viewer, &code, &errors)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        let cases = [
            (Some("/partnerships/1"), "/partnerships/1"),
            (Some("//evil.example"), "/"),
            (Some("https://evil.example"), "/"),
            (Some("/\\evil.example"), "/"),
            (None, "/"),
        ];
        for (next, expected) in cases {
            assert_eq!(safe_next(next), expected, "{next:?}");
        }
    }
}
