//! FlashStart's error bodies, and the conditions worth their own kind.
//!
//! - 401 `{"message": "invalid token or unauthorized admin"}` (no `code`);
//! - validation as HTTP **500** `{"code": 500, "message": ..., "errors": {field: [..]}}`:
//!   a [`ErrorKind::Validation`], not a server error, so it is never retried;
//! - 405 `{"code": 405, "message": "license already suspended", "error": []}`:
//!   [`LICENSE_ALREADY_SUSPENDED`] from `suspend_license`, [`LICENSE_ALREADY_ENABLED`] from
//!   `enable_license` (whose documented 405 carries the same text: the operation decides);
//! - the auth-token failure `{"code": 401, "content": []}`, whatever the HTTP status (even
//!   200): [`ErrorKind::Unauthorized`];
//! - a 404 from an operation whose path is only our guess: [`UNCONFIRMED_PATH`].

#[cfg(doc)]
use api_core::JsonErrorDecoder;
use api_core::{ApiError, ErrorBody, ErrorDecoder, ErrorKind, StatusCode};
use serde::Deserialize;

use crate::generated::operations::UNCONFIRMED_OPERATIONS;

/// Suspending a licence that is already suspended (HTTP 405).
pub const LICENSE_ALREADY_SUSPENDED: ErrorKind = ErrorKind::Provider("license_already_suspended");
/// Enabling a licence that is already active (HTTP 405).
pub const LICENSE_ALREADY_ENABLED: ErrorKind = ErrorKind::Provider("license_already_enabled");
/// A 404 from an operation whose path the public docs do not show (feature `unconfirmed`):
/// our guess of the path is wrong, or the operation does not exist.
pub const UNCONFIRMED_PATH: ErrorKind = ErrorKind::Provider("unconfirmed_path");

/// What FlashStart's bodies hold beyond the common reading of [`ErrorBody::apply`]
/// (`message`, `errors`, `code` as text): the envelope `code` as a number, the 405's `error`
/// (a field list, not the OAuth2 string the common reading takes there) and whether
/// `content` is the auth-token failure's empty array.
struct Extra<'a>(&'a ErrorBody);

impl Extra<'_> {
    /// The envelope's `code`, when it is a status-sized number (bare or quoted).
    fn code(&self) -> Option<u16> {
        self.0.code_text().and_then(|c| c.parse().ok())
    }

    /// `{"code": 401, "content": []}`: the customer cannot log in.
    fn is_auth_token_failure(&self) -> bool {
        self.code() == Some(401)
            && matches!(self.0.other.get("content"), Some(serde_json::Value::Array(items)) if items.is_empty())
    }
}

/// FlashStart's error decoder, as the [`Client`](crate::Client) plugs it into its transport;
/// public for a hand-built [`api_core::Transport`] and for the fuzz targets.
///
/// It builds on api-core's common reading ([`ErrorBody::apply`], as [`JsonErrorDecoder`]:
/// `message`, `code`, the `errors` field map), from one parse of the body, and adds
/// what is FlashStart's own: the `error` field list of a 405, the kinds below, and the
/// auth-token failure `{"code": 401, "content": []}` whatever the HTTP status.
#[derive(Debug, Clone, Copy, Default)]
pub struct FsfltErrors;

impl FsfltErrors {
    fn refine(error: &mut ApiError, body: &Extra<'_>) {
        // The common reading takes a string `error` as the message; a list or map is fields.
        if let Some(list) = body.0.error.as_ref().filter(|e| !e.is_string()) {
            error.field_errors.extend(api_core::field_errors(list));
        }
        let text = error
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
        } else if error.status == StatusCode::METHOD_NOT_ALLOWED
            && error.operation == crate::spec::ENABLE_LICENSE.id
        {
            // The document's 405 for `enable` reads "license already suspended" (seed 003,
            // the same example as `suspend`'s): for this operation any 405 is the mirror case.
            LICENSE_ALREADY_ENABLED
        } else if (error.status == StatusCode::METHOD_NOT_ALLOWED
            && error.operation == crate::spec::SUSPEND_LICENSE.id)
            || text.contains("already suspended")
        {
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
        if let Some(parsed) = ErrorBody::parse(body) {
            parsed.apply(error);
            Self::refine(error, &Extra(&parsed));
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
        // FlashStart writes `code` first: a 2xx there settles it without reading the rest
        // (reading a whole page a second time cost ~2,500 instructions per licence). The full
        // probe below would agree: a second `code` key makes it fail, which is also success.
        if leading_code(body).is_some_and(|code| (200..300).contains(&code)) {
            return None;
        }
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

/// The envelope's `code` when the body opens with it, as in `{"code":200,` or
/// `{ "code" : "200" }`: digits, bare or quoted, that fit a `u16`. `None` for any other
/// opening (another key first, an escaped key, a sign, a fraction...): the caller then reads
/// the whole body.
fn leading_code(body: &[u8]) -> Option<u16> {
    fn skip_whitespace(bytes: &[u8]) -> &[u8] {
        let start = bytes
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .unwrap_or(bytes.len());
        &bytes[start..]
    }
    let rest = skip_whitespace(body).strip_prefix(b"{")?;
    let rest = skip_whitespace(rest).strip_prefix(b"\"code\"")?;
    let rest = skip_whitespace(rest).strip_prefix(b":")?;
    let rest = skip_whitespace(rest);
    let (rest, quoted) = match rest.strip_prefix(b"\"") {
        Some(inner) => (inner, true),
        None => (rest, false),
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (number, mut rest) = rest.split_at(digits);
    if quoted {
        rest = rest.strip_prefix(b"\"")?;
    }
    // The value must end here: `200.5`, `2e2` or `"200x"` are not a plain code.
    if !matches!(skip_whitespace(rest).first(), Some(b',' | b'}')) {
        return None;
    }
    std::str::from_utf8(number).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(status: u16, operation: &'static str, body: &str) -> ApiError {
        api_test_support::decoded(&FsfltErrors, "fsflt", operation, status, body)
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
    fn what_json_error_decoder_does_not_read_is_still_decoded() {
        // The 405's `error` as a field list (`JsonErrorDecoder` reads only a string there).
        let e = decoded(
            405,
            "enable_license",
            r#"{"code":405,"message":"license already enabled","error":{"license_id":["is active"]}}"#,
        );
        assert_eq!(e.kind, LICENSE_ALREADY_ENABLED);
        assert_eq!(e.code.as_deref(), Some("405"));
        assert_eq!(e.field_errors["license_id"], ["is active"]);
        // A validation 500 with both maps keeps the fields of each.
        let e = decoded(
            500,
            "assign_license",
            r#"{"code":"500","message":"the given data was invalid","errors":{"license_info":["bad"]},"error":[{"field":"lang","message":"unknown"}]}"#,
        );
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(e.field_errors["license_info"], ["bad"]);
        assert_eq!(e.field_errors["lang"], ["unknown"]);
        // A 401 envelope is the auth-token failure only with an empty `content`.
        for (body, unauthorized) in [
            (r#"{"code":401,"content":[]}"#, true),
            (r#"{"content":[],"code":"401"}"#, true),
            (r#"{"code":401,"content":[1]}"#, false),
            (r#"{"code":401,"content":{}}"#, false),
            (r#"{"code":401,"content":null}"#, false),
            (r#"{"code":401}"#, false),
            (r#"{"code":400,"content":[]}"#, false),
        ] {
            let e = decoded(404, "get_auth_token", body);
            assert_eq!(e.kind == ErrorKind::Unauthorized, unauthorized, "{body}");
        }
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

    #[test]
    fn reads_a_leading_code_only() {
        assert_eq!(leading_code(br#"{"code":200,"content":[]}"#), Some(200));
        assert_eq!(leading_code(br#"{"code":401,"content":[]}"#), Some(401));
        assert_eq!(
            leading_code(b" \r\n{\n\t\"code\" :  204\n,\"content\":{}}"),
            Some(204)
        );
        assert_eq!(leading_code(br#"{"code":"200","content":[]}"#), Some(200));
        assert_eq!(leading_code(br#"{ "code" : "401" }"#), Some(401));
        assert_eq!(leading_code(br#"{"code":200}"#), Some(200));
        for not_leading in [
            r#"{"content":[],"code":200}"#,
            r#"{"\u0063ode":200}"#,
            r#"{"codes":200}"#,
            r#"{"code":-200}"#,
            r#"{"code":200.5}"#,
            r#"{"code":2e2}"#,
            r#"{"code":"200x"}"#,
            r#"{"code":"200}"#,
            r#"{"code":70000}"#,
            r#"{"code":}"#,
            r#"{"code":200"#,
            r#"{"code":null}"#,
            "[]",
            "",
        ] {
            assert_eq!(leading_code(not_leading.as_bytes()), None, "{not_leading}");
        }
    }

    #[test]
    fn check_success_is_the_same_with_or_without_the_fast_path() {
        // (body, is an error) — the verdict of the full probe for each shape.
        let cases: [(&str, bool); 12] = [
            (r#"{"code":200,"content":{"token":"t"}}"#, false),
            (r#"{"code":"201","content":[]}"#, false),
            ("{\n  \"code\": 200,\n  \"content\": []\n}", false),
            (r#"{"code":401,"content":[]}"#, true),
            (r#"{ "code" : "401", "content" : [] }"#, true),
            (r#"{"content":[],"code":401}"#, true),
            (r#"{"content":[],"code":200}"#, false),
            (r#"{"code":200.0,"content":[]}"#, false),
            // Not JSON after the code, or a repeated `code`: the full probe fails, so success.
            (r#"{"code":401,"content":["#, false),
            (r#"{"code":200,"code":401}"#, false),
            (r#"{"code":401,"code":200}"#, false),
            (r#"{"message":"ok"}"#, false),
        ];
        for (body, is_error) in cases {
            let verdict = FsfltErrors.check_success(StatusCode::OK, body.as_bytes());
            assert_eq!(verdict.is_some(), is_error, "{body}");
        }
        let e = FsfltErrors
            .check_success(StatusCode::OK, br#"{ "code" : "401", "content" : [] }"#)
            .expect("an auth failure");
        assert_eq!(e.kind, ErrorKind::Unauthorized);
        assert_eq!(e.code.as_deref(), Some("401"));
        let e = FsfltErrors
            .check_success(
                StatusCode::OK,
                br#"{"content":[],"code":405,"message":"license already suspended"}"#,
            )
            .expect("a failure");
        assert_eq!(e.kind, LICENSE_ALREADY_SUSPENDED);
    }

    fn huge(start: &str, fill: &str) -> String {
        format!("{start} {}", fill.repeat(1 << 20))
    }

    #[test]
    fn a_failure_inside_a_2xx_with_a_1_mib_message_prints_bounded() {
        let body = serde_json::json!({
            "code": 405,
            "content": [],
            "message": huge("license already suspended", "m"),
        })
        .to_string();
        let e = FsfltErrors
            .check_success(StatusCode::OK, body.as_bytes())
            .expect("a failure");
        assert_eq!(e.kind, LICENSE_ALREADY_SUSPENDED);
        let display = e.to_string();
        assert!(
            display.len() <= api_core::Error::DISPLAY_LIMIT,
            "{}",
            display.len()
        );
        assert!(
            display.contains(": license already suspended mmm"),
            "{display:.200}"
        );
        assert!(format!("{e:?}").len() <= api_core::Error::DEBUG_LIMIT);
    }
}
