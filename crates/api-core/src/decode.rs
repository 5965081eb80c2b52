//! Turning response bytes into models and errors.

use reqwest::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, DecodeError, Error, FieldErrors};

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
/// `{"error", "error_description"}` (OAuth2) and `{"code", "message"}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonErrorDecoder;

#[derive(Deserialize)]
struct CommonErrorBody {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    errors: Option<serde_json::Value>,
}

impl ErrorDecoder for JsonErrorDecoder {
    fn decode_error(&self, error: &mut ApiError, body: &[u8]) {
        let Ok(parsed) = serde_json::from_slice::<CommonErrorBody>(body) else {
            return;
        };
        let error_text = match parsed.error {
            Some(serde_json::Value::String(s)) => Some(s),
            _ => None,
        };
        error.message = parsed
            .message
            .or(parsed.error_description)
            .or_else(|| error_text.clone());
        error.code = parsed
            .code
            .and_then(|c| scalar_text(&c))
            .or(error_text.filter(|_| error.message.is_some()));
        if let Some(errors) = parsed.errors {
            error.field_errors = field_errors(&errors);
        }
    }
}

/// The two fields most JSON error bodies carry, for a provider's own [`ErrorDecoder`] to
/// read beside its own fields (`#[serde(flatten)]`): `message`, a text, and `error`, a code
/// or a text (Spring and OAuth2 both send it), a string or a number.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Body {
///     #[serde(flatten)]
///     base: api_core::ErrorBodyBase,
///     #[serde(default)]
///     errors: Option<serde_json::Value>,
/// }
/// let body: Body = serde_json::from_str(r#"{"error": 42, "message": "no", "errors": []}"#)?;
/// assert_eq!(body.base.message.as_deref(), Some("no"));
/// assert_eq!(body.base.error_text().as_deref(), Some("42"));
/// assert!(body.errors.is_some());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[non_exhaustive]
pub struct ErrorBodyBase {
    /// `message`, when a string.
    #[serde(default)]
    pub message: Option<String>,
    /// `error`, whatever its JSON type.
    #[serde(default)]
    pub error: Option<serde_json::Value>,
}

impl ErrorBodyBase {
    /// `error` as text, when a scalar ([`scalar_text`]).
    pub fn error_text(&self) -> Option<String> {
        self.error.as_ref().and_then(scalar_text)
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
        use crate::response::OrEmpty;
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
        use crate::response::NoContent;
        for body in [&b""[..], b"{}", b"[1,2]", b"\"ok\"", b"null"] {
            let decoded = decode_body::<NoContent>("p", "op", StatusCode::OK, body, true);
            assert_eq!(decoded.ok(), Some(NoContent), "{body:?}");
        }
    }
}
