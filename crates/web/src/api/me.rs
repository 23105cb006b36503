//! `GET /api/v1/me`: who the token (or session) belongs to, and what they may do.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Viewer;
use crate::error::WebError;

/// A role in a partnership.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleOut {
    /// The partnership's id.
    pub partnership_id: i64,
    /// programme, board, officer, finance, information or viewer.
    pub role: String,
}

/// The caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeOut {
    /// The user's id.
    pub id: i64,
    /// Their email.
    pub email: String,
    /// Their name.
    pub display_name: String,
    /// Their council's GSS code.
    pub council: Option<String>,
    /// An instance administrator.
    pub admin: bool,
    /// Their roles.
    pub roles: Vec<RoleOut>,
}

/// Who the caller is.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "users",
    responses(
        (status = 200, description = "The caller", body = MeOut),
        (status = 401, description = "No valid API token", body = crate::error::ErrorResponse),
    ),
    security(("token" = [])),
)]
pub async fn me(viewer: Viewer) -> Result<Json<MeOut>, WebError> {
    let user = viewer.user.ok_or(WebError::Unauthorised)?;
    Ok(Json(MeOut {
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        council: user.home.map(|g| g.to_string()),
        admin: user.admin,
        roles: user
            .role_assignments
            .iter()
            .map(|g| RoleOut {
                partnership_id: g.partnership_id,
                role: g.role.slug().to_owned(),
            })
            .collect(),
    }))
}
