//! The answers of the two Laravel APIs (FlashStart and Netfinity): `{"message": ...}` bodies
//! and Laravel's own 405 text.

use axum::http::header::ALLOW;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::wire::json_response;

/// `{"message": text}` with `status`.
pub(crate) fn message(status: StatusCode, text: &str) -> Response {
    json_response(status, &json!({ "message": text }))
}

/// Laravel's 405: the supported methods in the text and in `Allow`.
pub(crate) fn method_not_allowed(method: &Method, allowed: &[Method]) -> Response {
    let allowed: Vec<&str> = allowed.iter().map(Method::as_str).collect();
    let allowed = allowed.join(", ");
    let text = format!(
        "The {method} method is not supported for this route. Supported methods: {allowed}."
    );
    let mut response = message(StatusCode::METHOD_NOT_ALLOWED, &text);
    if let Ok(allow) = HeaderValue::from_str(&allowed) {
        response.headers_mut().insert(ALLOW, allow);
    }
    response
}
