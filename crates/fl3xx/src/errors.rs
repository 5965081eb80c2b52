//! FL3XX's error bodies and its fair-use 403.
//!
//! The bodies are not documented; FL3XX runs Spring, so `{status, error, message, path}` is
//! read when present (INFERRED), with validation errors either as a `{field: [msg]}` map or a
//! `[{field, message}]` list. A 403 is a permissions failure unless its body speaks of a
//! rate limit or the fair-use policy: then it is [`ErrorKind::TooManyRequests`], its wait is
//! the `Retry-After` header or [`FAIR_USE_INTERVAL`], and every call through the same
//! operator connection is held back that long instead of hammering the server.

use std::time::Duration;

use api_core::{ApiError, ErrorBody, ErrorDecoder, ErrorKind, StatusCode};

/// FL3XX's fair-use policy: one request every 10 minutes for frequent requests.
pub const FAIR_USE_INTERVAL: Duration = Duration::from_secs(600);

fn speaks_of_rate_limit(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    [
        "rate limit",
        "fair use",
        "fair-use",
        "too many requests",
        "throttl",
    ]
    .iter()
    .any(|needle| text.contains(needle))
}

/// FL3XX's error decoder, as every client of this crate plugs it into its transport; public
/// for a hand-built [`api_core::Transport`] and for the fuzz targets.
///
/// It reads the body once with api-core's [`ErrorBody`] and differs from the common reading
/// ([`api_core::JsonErrorDecoder`]) only where Spring does: `error` is the status's reason
/// phrase (`"Forbidden"`), a fallback message and never a code.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fl3xxErrors;

impl ErrorDecoder for Fl3xxErrors {
    fn decode_error(&self, error: &mut ApiError, body: &[u8]) {
        let parsed = ErrorBody::parse(body);
        if let Some(body) = &parsed {
            error.message = body.message.clone().or_else(|| body.error_text());
            error.code = body.code_text();
            if body.errors.is_some() {
                error.field_errors = body.field_errors();
            }
        }
        if error.status == StatusCode::FORBIDDEN {
            let text = parsed
                .as_ref()
                .and_then(|b| b.message.clone())
                .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
            if speaks_of_rate_limit(&text) {
                error.kind = ErrorKind::TooManyRequests;
                // The transport replaces this with the server's Retry-After when it sends one.
                error.retry_after = Some(FAIR_USE_INTERVAL);
            }
        }
        if error.status == StatusCode::TOO_MANY_REQUESTS && error.retry_after.is_none() {
            error.retry_after = Some(FAIR_USE_INTERVAL);
        }
        let unconfirmed = crate::spec::OPERATIONS
            .iter()
            .any(|op| op.id == error.operation && op.unconfirmed);
        if unconfirmed {
            // Say so: the failure may be our guess of the path or body, not the caller's input.
            error.add_note(&format!(
                "(`{}` is unconfirmed: its path or body is our guess)",
                error.operation
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(status: u16, body: &str) -> ApiError {
        api_test_support::decoded(&Fl3xxErrors, "fl3xx", "list_flights", status, body)
    }

    #[test]
    fn the_two_meanings_of_403() {
        let e = decoded(
            403,
            r#"{"status":403,"error":"Forbidden","message":"Rate limit exceeded: fair use policy","path":"/api/v2/flights"}"#,
        );
        assert_eq!(e.kind, ErrorKind::TooManyRequests);
        assert_eq!(e.retry_after, Some(FAIR_USE_INTERVAL));
        assert_eq!(
            e.message.as_deref(),
            Some("Rate limit exceeded: fair use policy")
        );
        let e = decoded(
            403,
            r#"{"status":403,"error":"Forbidden","message":"Access denied: partner permission missing"}"#,
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert_eq!(e.retry_after, None);
        let e = decoded(403, "Too many requests, slow down");
        assert_eq!(e.kind, ErrorKind::TooManyRequests);
    }

    #[test]
    fn spring_bodies_and_validation_lists() {
        let e = decoded(
            422,
            r#"{"status":422,"error":"Unprocessable Entity","message":"Validation failed","errors":[{"field":"currency","message":"must be EUR or USD"},{"field":"unit","message":"must not be null"}]}"#,
        );
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(e.message.as_deref(), Some("Validation failed"));
        assert_eq!(e.field_errors["currency"], ["must be EUR or USD"]);
        assert_eq!(e.field_errors["unit"], ["must not be null"]);
        let e = decoded(
            404,
            r#"{"status":404,"error":"Not Found","path":"/api/v2/x"}"#,
        );
        assert_eq!(
            (e.kind, e.message.as_deref()),
            (ErrorKind::NotFound, Some("Not Found"))
        );
        let e = decoded(504, "<html>gateway timeout</html>");
        assert_eq!((e.kind, e.message), (ErrorKind::GatewayTimeout, None));
    }

    #[test]
    fn errors_of_confirmed_operations_carry_no_note() {
        // Documented since the bulk delete's body alone became the guess (the transport says
        // so when a body was sent: api-core's `unconfirmed_body`).
        let mut e = ApiError::new("fl3xx", "delete_fuel_prices_bulk", StatusCode::BAD_REQUEST);
        Fl3xxErrors.decode_error(&mut e, br#"{"message":"ids: unknown field"}"#);
        assert_eq!(e.message.as_deref(), Some("ids: unknown field"));
    }
}
