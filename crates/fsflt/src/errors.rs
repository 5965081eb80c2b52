//! FlashStart's error bodies, and the conditions worth their own kind.
//!
//! - 401 `{"message": "invalid token or unauthorized admin"}` (no `code`);
//! - validation as HTTP **500** `{"code": 500, "message": ..., "errors": {field: [..]}}`:
//!   a [`ErrorKind::Validation`], not a server error, so it is never retried;
//! - 405 `{"code": 405, "message": "license already suspended", "error": []}`:
//!   [`LICENSE_ALREADY_SUSPENDED`] (and its mirror [`LICENSE_ALREADY_ENABLED`]);
//! - the auth-token failure `{"code": 401, "content": []}`, whatever the HTTP status (even
//!   200): [`ErrorKind::Unauthorized`];
//! - a 404 from an operation whose path is only our guess: [`UNCONFIRMED_PATH`].

use api_core::{ApiError, ErrorDecoder, ErrorKind, StatusCode};
use serde::Deserialize;

use crate::generated::operations::UNCONFIRMED_OPERATIONS;

/// Suspending a licence that is already suspended (HTTP 405).
pub const LICENSE_ALREADY_SUSPENDED: ErrorKind = ErrorKind::Provider("license_already_suspended");
/// Enabling a licence that is already active (HTTP 405).
pub const LICENSE_ALREADY_ENABLED: ErrorKind = ErrorKind::Provider("license_already_enabled");
/// A 404 from an operation whose path the public docs do not show (feature `unconfirmed`):
/// our guess of the path is wrong, or the operation does not exist.
pub const UNCONFIRMED_PATH: ErrorKind = ErrorKind::Provider("unconfirmed_path");

/// Every shape FlashStart uses, all fields optional.
#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    errors: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    content: Option<serde_json::Value>,
}

impl Body {
    fn code(&self) -> Option<u16> {
        self.code
            .as_ref()
            .and_then(api_core::scalar_text)
            .and_then(|c| c.parse().ok())
    }

    /// `{"code": 401, "content": []}`: the customer cannot log in.
    fn is_auth_token_failure(&self) -> bool {
        self.code() == Some(401)
            && self
                .content
                .as_ref()
                .is_some_and(|c| c.as_array().is_some_and(Vec::is_empty) || c.is_null())
    }
}

/// FlashStart's error decoder, as the [`Client`](crate::Client) plugs it into its transport;
/// public for a hand-built [`api_core::Transport`] and for the fuzz targets.
#[derive(Debug, Clone, Copy, Default)]
pub struct FsfltErrors;

impl FsfltErrors {
    fn refine(error: &mut ApiError, body: &Body) {
        error.message = body.message.clone();
        error.code = body.code().map(|c| c.to_string());
        for map in [&body.errors, &body.error].into_iter().flatten() {
            error.field_errors.extend(api_core::field_errors(map));
        }
        let text = body
            .message
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let envelope_code = body.code();
        error.kind = if body.is_auth_token_failure() {
            ErrorKind::Unauthorized
        } else if !error.field_errors.is_empty()
            && (error.status == StatusCode::INTERNAL_SERVER_ERROR || envelope_code == Some(500))
        {
            ErrorKind::Validation
        } else if text.contains("already suspended") {
            LICENSE_ALREADY_SUSPENDED
        } else if text.contains("already enabled") || text.contains("already active") {
            LICENSE_ALREADY_ENABLED
        } else if let Some(code) = envelope_code.filter(|_| error.status.is_success()) {
            StatusCode::from_u16(code)
                .map(ErrorKind::from_status)
                .unwrap_or(ErrorKind::Other)
        } else {
            error.kind.clone()
        };
    }
}

impl ErrorDecoder for FsfltErrors {
    fn decode_error(&self, error: &mut ApiError, body: &[u8]) {
        if let Ok(parsed) = serde_json::from_slice::<Body>(body) {
            Self::refine(error, &parsed);
        }
        if error.status == StatusCode::NOT_FOUND
            && error.kind == ErrorKind::NotFound
            && UNCONFIRMED_OPERATIONS.contains(&error.operation)
        {
            error.kind = UNCONFIRMED_PATH;
            error.message = Some(format!(
                "this path is unconfirmed: the public documentation describes `{}` but does not \
                 show its path, and our guess answered 404",
                error.operation
            ));
        }
    }

    fn check_success(&self, status: StatusCode, body: &[u8]) -> Option<ApiError> {
        // Only the envelope's `code` is read here; `content` is skipped without allocating.
        #[derive(Deserialize)]
        struct Probe {
            #[serde(default)]
            code: Option<serde_json::Value>,
        }
        let code = serde_json::from_slice::<Probe>(body)
            .ok()?
            .code
            .as_ref()
            .and_then(api_core::scalar_text)
            .and_then(|c| c.parse::<u16>().ok())?;
        if (200..300).contains(&code) {
            return None;
        }
        // The provider and operation are filled in by the transport.
        let mut error = ApiError::new("fsflt", "", status);
        self.decode_error(&mut error, body);
        Some(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(status: u16, operation: &'static str, body: &str) -> ApiError {
        let mut e = ApiError::new(
            "fsflt",
            operation,
            StatusCode::from_u16(status).expect("status"),
        );
        FsfltErrors.decode_error(&mut e, body.as_bytes());
        e
    }

    #[test]
    fn documented_bodies() {
        let e = decoded(
            401,
            "assign_license",
            r#"{"message":"invalid token or unauthorized admin"}"#,
        );
        assert_eq!(e.kind, ErrorKind::Unauthorized);
        assert_eq!(
            e.message.as_deref(),
            Some("invalid token or unauthorized admin")
        );

        let e = decoded(
            500,
            "available_licenses",
            r#"{"code":500,"message":"the given data was invalid","errors":{"lang":["the lang must be one of the following types: en, it, es, de"]}}"#,
        );
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(e.code.as_deref(), Some("500"));
        assert_eq!(
            e.field_errors["lang"],
            ["the lang must be one of the following types: en, it, es, de"]
        );
        assert!(!api_core::Error::from(e).is_retryable());

        let e = decoded(
            405,
            "suspend_license",
            r#"{"code":405,"message":"license already suspended","error":[]}"#,
        );
        assert_eq!(e.kind, LICENSE_ALREADY_SUSPENDED);
        assert!(e.field_errors.is_empty());

        let e = decoded(404, "get_auth_token", r#"{"code":401,"content":[]}"#);
        assert_eq!(e.kind, ErrorKind::Unauthorized);

        let e = decoded(500, "assign_license", "<html>oops</html>");
        assert_eq!(e.kind, ErrorKind::InternalServerError);
    }

    #[test]
    fn failures_inside_a_200_are_errors() {
        let e = FsfltErrors
            .check_success(StatusCode::OK, br#"{"code":401,"content":[]}"#)
            .expect("an auth failure");
        assert_eq!(e.kind, ErrorKind::Unauthorized);
        assert!(
            FsfltErrors
                .check_success(StatusCode::OK, br#"{"code":200,"content":{"token":"t"}}"#)
                .is_none()
        );
        assert!(FsfltErrors.check_success(StatusCode::OK, b"[]").is_none());
    }
}
