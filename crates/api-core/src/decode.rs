//! Turning response bytes into models and errors.
//!
//! Also the result, `Response` (the decoded value with the metadata callers sometimes need).

use std::ops::Deref;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, DecodeError, Error, FieldErrors};
use crate::rate_limit::RateLimitInfo;

/// A provider's reading of its own error bodies.
///
/// The transport first builds an [`ApiError`] from the status and headers alone; the decoder
/// then fills in what the body says and may change the kind (a 500 that is really a
/// validation failure, a 403 that is really a rate limit).
pub trait ErrorDecoder: Send + Sync + 'static {
    /// Refines `error` from the error `body`.
    fn decode_error(&self, error: &mut ApiError, body: &[u8]);

    /// Looks at a 2xx `body` before it is decoded: some APIs report failures inside a
    /// success status. Returns the error to raise instead, if any.
    fn check_success(&self, _status: StatusCode, _body: &[u8]) -> Option<ApiError> {
        None
    }
}

/// What `decoder` makes of an error answer: the [`ApiError`] of `provider`'s `operation`
/// for `status` and `body`, as the transport builds it before reading headers such as
/// `Retry-After`. For testing a decoder, and for writing one.
///
/// ```
/// use api_core::{ErrorKind, JsonErrorDecoder, StatusCode, decode_error_body};
///
/// let error = decode_error_body(
///     &JsonErrorDecoder,
///     "example",
///     "send",
///     StatusCode::UNPROCESSABLE_ENTITY,
///     br#"{"message":"The given data was invalid.","errors":{"to":["required"]}}"#,
/// );
/// assert_eq!(error.kind, ErrorKind::Validation);
/// assert_eq!(error.message.as_deref(), Some("The given data was invalid."));
/// ```
pub fn decode_error_body(
    decoder: &dyn ErrorDecoder,
    provider: &'static str,
    operation: &'static str,
    status: StatusCode,
    body: &[u8],
) -> ApiError {
    let mut error = ApiError::new(provider, operation, status);
    decoder.decode_error(&mut error, body);
    error
}

/// The common JSON error shapes: `{"message", "errors": {field: [..]}}` (Laravel),
/// `{"error", "error_description"}` (OAuth2) and `{"code", "message"}`: [`ErrorBody::apply`].
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonErrorDecoder;

impl ErrorDecoder for JsonErrorDecoder {
    fn decode_error(&self, error: &mut ApiError, body: &[u8]) {
        if let Some(parsed) = ErrorBody::parse(body) {
            parsed.apply(error);
        }
    }
}

/// An error body read once in the common JSON shapes, for [`JsonErrorDecoder`] and for the
/// providers' decoders that build on it: each takes the fields it reads the common way and
/// finds its own among [`other`](Self::other).
///
/// ```
/// use api_core::{ApiError, ErrorBody, StatusCode};
///
/// let body = br#"{"message":"Some inputs are wrong!","error":"wrong_inputs","field_errors":[{"param":"amount","msg":"required"}]}"#;
/// let parsed = ErrorBody::parse(body).expect("JSON");
/// let mut error = ApiError::new("example", "capture", StatusCode::BAD_REQUEST);
/// error.message = parsed.message.clone();
/// error.code = parsed.error_text();
/// error.field_errors = parsed.other.get("field_errors").map(api_core::field_errors).unwrap_or_default();
/// assert_eq!(error.field_errors["amount"], ["required"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ErrorBody {
    /// `message`.
    #[serde(default)]
    pub message: Option<String>,
    /// `error`: a code (`"wrong_inputs"`), an OAuth2 error, or a provider's own shape.
    #[serde(default)]
    pub error: Option<serde_json::Value>,
    /// `error_description` (OAuth2).
    #[serde(default)]
    pub error_description: Option<String>,
    /// `code`: text or a number.
    #[serde(default)]
    pub code: Option<serde_json::Value>,
    /// `errors`: per-field messages (see [`field_errors`]).
    #[serde(default)]
    pub errors: Option<serde_json::Value>,
    /// Every other top-level field.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl ErrorBody {
    /// The body as a JSON object; `None` when it is not one.
    pub fn parse(body: &[u8]) -> Option<ErrorBody> {
        serde_json::from_slice(body).ok()
    }

    /// `error` when it is a scalar (a code), as text.
    pub fn error_text(&self) -> Option<String> {
        self.error.as_ref().and_then(scalar_text)
    }

    /// `code` as text.
    pub fn code_text(&self) -> Option<String> {
        self.code.as_ref().and_then(scalar_text)
    }

    /// The per-field messages of `errors`.
    pub fn field_errors(&self) -> FieldErrors {
        self.errors.as_ref().map(field_errors).unwrap_or_default()
    }

    /// The common reading: the message from `message`, `error_description` or a string
    /// `error`; the code from `code`, else a string `error` beside a message; the field
    /// errors from `errors`.
    pub fn apply(&self, error: &mut ApiError) {
        let error_text = match &self.error {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        error.message = self
            .message
            .clone()
            .or_else(|| self.error_description.clone())
            .or_else(|| error_text.clone());
        error.code = self
            .code_text()
            .or(error_text.filter(|_| error.message.is_some()));
        if self.errors.is_some() {
            error.field_errors = self.field_errors();
        }
    }
}

/// A JSON scalar as text (`"E42"` → `E42`, `42` → `42`); `None` for null, arrays, objects.
pub fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Reads field errors leniently, in the shapes providers use:
/// `{field: [msg, ..]}` and `{field: msg}` (Laravel), `[{"field"|"param", "message"|"msg"|
/// "defaultMessage"}, ..]` (Spring, Flexiti), or a bare `[msg, ..]` (kept under the field
/// name `""`, as is an item without a field).
///
/// ```
/// let fields = api_core::field_errors(&serde_json::json!(
///     [{"param": "email", "msg": "invalid"}, {"field": "unit", "message": "required"}, "oops"]
/// ));
/// assert_eq!(fields["email"], ["invalid"]);
/// assert_eq!(fields["unit"], ["required"]);
/// assert_eq!(fields[""], ["oops"]);
/// ```
pub fn field_errors(value: &serde_json::Value) -> FieldErrors {
    let mut out = FieldErrors::new();
    let mut push = |field: String, message: String| out.entry(field).or_default().push(message);
    match value {
        serde_json::Value::Object(map) => {
            for (field, v) in map {
                match v {
                    serde_json::Value::Array(items) => items
                        .iter()
                        .filter_map(scalar_text)
                        .for_each(|m| push(field.clone(), m)),
                    other => {
                        if let Some(m) = scalar_text(other) {
                            push(field.clone(), m);
                        }
                    }
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                let keyed =
                    |keys: &[&str]| keys.iter().find_map(|k| item.get(*k)).and_then(scalar_text);
                let message =
                    keyed(&["message", "msg", "defaultMessage"]).or_else(|| scalar_text(item));
                if let Some(message) = message {
                    push(keyed(&["field", "param"]).unwrap_or_default(), message);
                }
            }
        }
        _ => {}
    }
    out
}

/// Decodes a 2xx body straight from bytes, naming the failing field's path on error.
pub(crate) fn decode_body<T: DeserializeOwned>(
    provider: &'static str,
    operation: &'static str,
    status: StatusCode,
    body: &[u8],
    allow_empty: bool,
) -> Result<T, Error> {
    let bytes: &[u8] = if allow_empty && body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    // `DecodeError::new` cuts the texts: serde quotes the server's value in its message, and a
    // path holds the server's keys, either of which may be megabytes.
    let decode_error = |path: String, message: String| {
        Error::Decode(Box::new(DecodeError::new(
            provider, operation, status, path, message, body,
        )))
    };
    // Tracking the path costs an allocation per key on every body (measured: most of the
    // client's decoding overhead, docs/performance.md); bodies that fail are rare, so only
    // they are read a second time, with the path tracked.
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| decode_error(e.path().to_string(), e.inner().to_string()))?;
    deserializer
        .end()
        .map_err(|e| decode_error(".".to_owned(), e.to_string()))?;
    Ok(value)
}

// ---------------------------------------------------------------------------------------
// A decoded response with the metadata callers sometimes need.

/// A decoded 2xx response. Derefs to the value, so `response.field` reads the model.
#[derive(Debug, Clone)]
pub struct Response<T> {
    value: T,
    status: StatusCode,
    headers: HeaderMap,
    attempts: u32,
}

impl<T> Response<T> {
    pub(crate) fn new(value: T, status: StatusCode, headers: HeaderMap, attempts: u32) -> Self {
        Self {
            value,
            status,
            headers,
            attempts,
        }
    }

    /// The decoded value.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `X-RateLimit-*` headers, when the server sent them.
    pub fn rate_limit(&self) -> Option<RateLimitInfo> {
        RateLimitInfo::from_headers(&self.headers)
    }

    /// How many attempts the call took (1 when the first one succeeded).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Transforms the value, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            value: f(self.value),
            status: self.status,
            headers: self.headers,
            attempts: self.attempts,
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// The value of a response whose body carries nothing the caller needs: any JSON body, or
/// none, decodes into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NoContent;

impl<'de> serde::Deserialize<'de> for NoContent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer).map(|_| NoContent)
    }
}

/// A body that may carry a `T` or nothing: an empty body, `null` or `{}` decode as `None`
/// (for endpoints whose success body is optional while `T` has required fields).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrEmpty<T>(pub Option<T>);

impl<'de, T: serde::de::DeserializeOwned> serde::Deserialize<'de> for OrEmpty<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // From the body's text, not a `serde_json::Value`: an id beyond `u64` keeps its
        // digits (lenient/empties.rs, `empty_or`).
        crate::lenient::empties::empty_or(
            deserializer,
            crate::lenient::empties::Empties {
                array: false,
                string: false,
            },
        )
        .map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn decoded(status: u16, body: &str) -> ApiError {
        let mut e = ApiError::new("p", "op", StatusCode::from_u16(status).expect("status"));
        JsonErrorDecoder.decode_error(&mut e, body.as_bytes());
        e
    }

    #[test]
    fn laravel_validation_body() {
        let e = decoded(
            422,
            r#"{"message":"The given data was invalid.","errors":{"msisdn":["The msisdn must be between 8 and 20 digits."],"text":["The text format is invalid."]}}"#,
        );
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(e.message.as_deref(), Some("The given data was invalid."));
        assert_eq!(
            e.field_errors["msisdn"],
            ["The msisdn must be between 8 and 20 digits."]
        );
        assert_eq!(e.field_errors["text"], ["The text format is invalid."]);
    }

    #[test]
    fn oauth_and_coded_bodies() {
        let e = decoded(
            400,
            r#"{"error":"invalid_client","error_description":"Bad secret"}"#,
        );
        assert_eq!(e.message.as_deref(), Some("Bad secret"));
        assert_eq!(e.code.as_deref(), Some("invalid_client"));
        let e = decoded(400, r#"{"code":1042,"message":"Nope"}"#);
        assert_eq!(
            (e.code.as_deref(), e.message.as_deref()),
            (Some("1042"), Some("Nope"))
        );
        let e = decoded(502, "<html>Bad gateway</html>");
        assert_eq!((e.code, e.message), (None, None));
    }

    #[test]
    fn decode_errors_name_the_field_path() {
        #[derive(Debug, Deserialize)]
        struct Inner {
            #[allow(dead_code)]
            code: u16,
        }
        #[derive(Debug, Deserialize)]
        struct Outer {
            #[allow(dead_code)]
            status: Inner,
        }
        let err = decode_body::<Outer>(
            "p",
            "op",
            StatusCode::OK,
            br#"{"status":{"code":"x"}}"#,
            false,
        )
        .expect_err("wrong type");
        let Error::Decode(e) = err else {
            panic!("expected a decode error, got {err:?}")
        };
        assert_eq!(e.path, "status.code");
        let err = decode_body::<Outer>(
            "p",
            "op",
            StatusCode::OK,
            br#"{"status":{"code":1}} x"#,
            false,
        )
        .expect_err("trailing bytes");
        assert!(matches!(err, Error::Decode(_)));
    }

    #[test]
    fn a_huge_string_where_a_number_is_expected_gives_a_bounded_decode_error() {
        #[derive(Debug, Deserialize)]
        struct Price {
            #[allow(dead_code)]
            amount: u32,
        }
        let huge = "9".repeat(1 << 20);
        let body = format!(r#"{{"amount":"{huge}"}}"#);
        let err = decode_body::<Price>("p", "op", StatusCode::OK, body.as_bytes(), false)
            .expect_err("a string is not a number");
        let display = err.to_string();
        let debug = format!("{err:?}");
        assert!(
            display.len() < 2 * DecodeError::TEXT_LIMIT,
            "{}",
            display.len()
        );
        assert!(debug.len() < Error::DEBUG_LIMIT, "{}", debug.len());
        let Error::Decode(e) = err else {
            panic!("expected a decode error, got {debug:.200}")
        };
        assert_eq!(e.path, "amount");
        assert!(
            e.message.len() <= DecodeError::TEXT_LIMIT,
            "{}",
            e.message.len()
        );
        // The start quotes the server's value; the end still says what was expected, where.
        assert!(
            e.message.starts_with("invalid type: string \"999"),
            "{}",
            e.message
        );
        assert!(
            e.message.ends_with(&format!(
                "\", expected u32 at line 1 column {}",
                body.len() - 1
            )),
            "{}",
            e.message
        );
        assert!(e.message.contains(" bytes]"), "{}", e.message);
        assert!(display.starts_with("p op: cannot decode the response at `amount`: invalid type"));

        // A key of 1 MiB in the path keeps the path's start.
        #[derive(Debug, Deserialize)]
        struct Outer {
            #[allow(dead_code)]
            prices: std::collections::HashMap<String, Price>,
        }
        let body = format!(r#"{{"prices":{{"{huge}":{{"amount":"x"}}}}}}"#);
        let err = decode_body::<Outer>("p", "op", StatusCode::OK, body.as_bytes(), false)
            .expect_err("a string is not a number");
        let Error::Decode(e) = err else {
            panic!("expected a decode error")
        };
        assert!(e.path.len() <= DecodeError::TEXT_LIMIT, "{}", e.path.len());
        assert!(e.path.starts_with("prices.999"), "{:.40}", e.path);
        assert!(e.to_string().len() < 2 * DecodeError::TEXT_LIMIT + 64);
    }

    #[test]
    fn empty_bodies_decode_as_an_empty_object_only_when_allowed() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Maybe {
            uuid: Option<String>,
        }
        let ok: Maybe = decode_body("p", "op", StatusCode::OK, b"", true).expect("empty allowed");
        assert_eq!(ok, Maybe { uuid: None });
        assert!(decode_body::<Maybe>("p", "op", StatusCode::OK, b"", false).is_err());
    }

    #[test]
    fn or_empty_is_none_for_nothing_and_the_value_otherwise() {
        use super::OrEmpty;
        #[derive(Debug, PartialEq, Deserialize)]
        struct Price {
            amount: u32,
        }
        for body in [&b""[..], b"{}", b"null"] {
            let decoded = decode_body::<OrEmpty<Price>>("p", "op", StatusCode::OK, body, true);
            assert_eq!(decoded.ok(), Some(OrEmpty(None)), "{body:?}");
        }
        let decoded =
            decode_body::<OrEmpty<Price>>("p", "op", StatusCode::OK, br#"{"amount":5}"#, true);
        assert_eq!(decoded.ok(), Some(OrEmpty(Some(Price { amount: 5 }))));
        assert!(
            decode_body::<OrEmpty<Price>>("p", "op", StatusCode::OK, br#"{"x":1}"#, true).is_err()
        );
    }

    #[test]
    fn no_content_accepts_any_body_or_none() {
        use super::NoContent;
        for body in [&b""[..], b"{}", b"[1,2]", b"\"ok\"", b"null"] {
            let decoded = decode_body::<NoContent>("p", "op", StatusCode::OK, body, true);
            assert_eq!(decoded.ok(), Some(NoContent), "{body:?}");
        }
    }
}
