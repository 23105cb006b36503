//! The front-end assets, embedded in the binary and served under `/assets/…`.
//!
//! Pages link to the hashed URLs ([`ACCORD_CSS`], [`ACCORD_JS`], [`FAVICON_SVG`]), which never
//! change content, so browsers may keep them for a year. The plain names (`/assets/accord.css`)
//! are served too, for tools and people typing them, but must be revalidated with their ETag.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// The file's plain name, such as `accord.css`.
    pub name: &'static str,
    /// The name with the content hash, such as `accord.0123456789abcdef.css`.
    pub hashed_name: &'static str,
    /// The first 16 hex digits of the SHA-256 of the content.
    pub hash: &'static str,
    /// The `Content-Type` to serve it with.
    pub content_type: &'static str,
    /// The content.
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// A year: the longest lifetime caches honour, for URLs whose content never changes.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Finds an asset by its hashed or plain name; `true` when the name was the hashed one.
pub fn find(file: &str) -> Option<(&'static Asset, bool)> {
    ASSETS.iter().find_map(|asset| {
        if asset.hashed_name == file {
            Some((asset, true))
        } else if asset.name == file {
            Some((asset, false))
        } else {
            None
        }
    })
}

/// `GET /assets/{file}`.
pub async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Result<Response, WebError> {
    let (asset, hashed) = find(&file).ok_or(WebError::NotFound)?;
    let etag = format!("\"{}\"", asset.hash);
    let cache_control = if hashed { IMMUTABLE } else { "no-cache" };
    let fresh = headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag
        });
    let etag = HeaderValue::from_str(&etag).map_err(|e| WebError::Internal(e.into()))?;
    let cache_headers = [
        (ETAG, etag),
        (CACHE_CONTROL, HeaderValue::from_static(cache_control)),
    ];
    if fresh {
        return Ok((StatusCode::NOT_MODIFIED, cache_headers).into_response());
    }
    Ok((
        cache_headers,
        [(CONTENT_TYPE, HeaderValue::from_static(asset.content_type))],
        asset.bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_found_by_both_names_and_urls_carry_the_hash() {
        assert_eq!(ASSETS.len(), 3);
        for asset in ASSETS {
            assert!(!asset.bytes.is_empty(), "{} is empty", asset.name);
            assert!(asset.hashed_name.contains(asset.hash));
            assert!(matches!(find(asset.name), Some((a, false)) if a.name == asset.name));
            assert!(matches!(find(asset.hashed_name), Some((a, true)) if a.name == asset.name));
        }
        for url in [ACCORD_CSS, ACCORD_JS, FAVICON_SVG] {
            let file = url
                .strip_prefix("/assets/")
                .expect("asset URLs live under /assets/");
            assert!(matches!(find(file), Some((_, true))), "{url} is not served");
        }
        assert!(find("missing.css").is_none());
    }

    #[test]
    fn stylesheet_uses_no_gov_uk_font_and_no_crown() {
        let (css, _) = find("accord.css").expect("the stylesheet is embedded");
        let css = std::str::from_utf8(css.bytes).expect("the stylesheet is UTF-8");
        assert!(!css.contains("GDS Transport"));
        assert!(!css.contains("@font-face"));
        assert!(!css.contains("crest.svg") && !css.contains("crown.svg"));
        assert!(css.contains("font-family:arial,sans-serif"));
    }
}
