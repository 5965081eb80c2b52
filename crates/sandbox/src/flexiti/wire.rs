//! The wire: query strings and bodies (JSON or form-encoded), field validation, money, dates,
//! and the three error body styles (POS, Online API, OAuth).

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;

pub(super) use super::fields::Fields;
pub(super) use crate::common::wire::{header, pairs, percent_decode};

/// The `message` of every `wrong_inputs` answer.
pub(super) const WRONG_INPUTS: &str = "Some inputs are wrong!";

/// What an endpoint answers: a reply, or an error.
pub(super) type Answer = Result<Reply, Problem>;

/// A finished answer, kept as bytes so that it can be stored and replayed byte for byte.
#[derive(Debug, Clone)]
pub(super) struct Reply {
    pub(super) status: StatusCode,
    content_type: &'static str,
    body: Bytes,
}

impl Reply {
    /// A JSON answer.
    pub(super) fn json(status: StatusCode, body: &impl Serialize) -> Reply {
        match serde_json::to_vec(body) {
            Ok(bytes) => Reply {
                status,
                content_type: "application/json",
                body: Bytes::from(bytes),
            },
            Err(_) => Reply {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                content_type: "text/plain",
                body: Bytes::new(),
            },
        }
    }

    /// An HTML page (what a browser would see).
    pub(super) fn html(status: StatusCode, body: String) -> Reply {
        Reply {
            status,
            content_type: "text/html; charset=utf-8",
            body: Bytes::from(body),
        }
    }

    pub(super) fn into_response(self) -> Response {
        (
            self.status,
            [(CONTENT_TYPE, HeaderValue::from_static(self.content_type))],
            self.body,
        )
            .into_response()
    }
}

/// One entry of `field_errors`.
#[derive(Debug, Clone, Serialize)]
pub(super) struct FieldError {
    pub(super) param: String,
    pub(super) msg: String,
    pub(super) value: Value,
}

/// An error, before it is rendered in the style of the API that answers it.
#[derive(Debug)]
pub(super) struct Problem {
    pub(super) status: StatusCode,
    pub(super) error: &'static str,
    pub(super) message: String,
    pub(super) field_errors: Vec<FieldError>,
    /// Rendered without `url` (the 401 and 403 of the security layer).
    pub(super) bare: bool,
}

/// How an error body looks.
#[derive(Debug, Clone, Copy)]
pub(super) enum Style<'a> {
    /// POS API: `{"url","message","error"[,"field_errors"]}`.
    Pos { url: &'a str },
    /// Online API: `{"code","error","error_description"}`.
    Online,
    /// The token endpoints: `{"error","error_description"}`.
    OAuth,
}

impl Problem {
    pub(super) fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> Self {
        Problem {
            status,
            error,
            message: message.into(),
            field_errors: Vec::new(),
            bare: false,
        }
    }

    /// 409 with a business error code.
    pub(super) fn conflict(error: &'static str, message: impl Into<String>) -> Self {
        Problem::new(StatusCode::CONFLICT, error, message)
    }

    /// 404 `not_found`.
    pub(super) fn not_found(message: impl Into<String>) -> Self {
        Problem::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 409 `wrong_inputs` with `field_errors`.
    pub(super) fn wrong_inputs(field_errors: Vec<FieldError>) -> Self {
        Problem {
            field_errors,
            ..Problem::conflict("wrong_inputs", WRONG_INPUTS)
        }
    }

    /// 409 `wrong_inputs` for one field.
    pub(super) fn wrong_input(param: &str, msg: &str, value: Value) -> Self {
        Problem::wrong_inputs(vec![FieldError {
            param: param.to_owned(),
            msg: msg.to_owned(),
            value,
        }])
    }

    /// 400 of the token endpoints.
    pub(super) fn oauth(error: &'static str, description: impl Into<String>) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, error, description)
    }

    pub(super) fn render(self, style: Style<'_>) -> Reply {
        match style {
            Style::Pos { url } => {
                #[derive(Serialize)]
                struct Body<'a> {
                    #[serde(skip_serializing_if = "Option::is_none")]
                    url: Option<&'a str>,
                    message: &'a str,
                    error: &'a str,
                    #[serde(skip_serializing_if = "<[_]>::is_empty")]
                    field_errors: &'a [FieldError],
                }
                let body = Body {
                    url: (!self.bare).then_some(url),
                    message: &self.message,
                    error: self.error,
                    field_errors: &self.field_errors,
                };
                Reply::json(self.status, &body)
            }
            Style::Online => {
                #[derive(Serialize)]
                struct Body<'a> {
                    code: u16,
                    error: &'a str,
                    error_description: String,
                }
                let description = if self.field_errors.is_empty() {
                    self.message
                } else {
                    let fields: Vec<String> = self
                        .field_errors
                        .iter()
                        .map(|f| format!("{} {}", f.param, f.msg))
                        .collect();
                    fields.join("; ")
                };
                let body = Body {
                    code: self.status.as_u16(),
                    error: self.error,
                    error_description: description,
                };
                Reply::json(self.status, &body)
            }
            Style::OAuth => {
                #[derive(Serialize)]
                struct Body<'a> {
                    error: &'a str,
                    error_description: &'a str,
                }
                let body = Body {
                    error: self.error,
                    error_description: &self.message,
                };
                Reply::json(self.status, &body)
            }
        }
    }
}

/// HTTP 200 with `body`.
pub(super) fn ok(body: &impl Serialize) -> Answer {
    Ok(Reply::json(StatusCode::OK, body))
}

// ---------------------------------------------------------------------------------------
// Requests

/// The media type of a request, lower-cased, without parameters; empty when absent.
pub(super) fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// True for `application/x-www-form-urlencoded`.
pub(super) fn is_form(headers: &HeaderMap) -> bool {
    media_type(headers) == "application/x-www-form-urlencoded"
}

/// True for `application/json` and `application/*+json`.
pub(super) fn is_json(headers: &HeaderMap) -> bool {
    let mime = media_type(headers);
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Pairs as a JSON object of strings (the first value of a repeated name wins); a dotted
/// name (`financing_option.plan_id`) becomes a nested object.
pub(super) fn pairs_to_object(pairs: Vec<(String, String)>) -> Map<String, Value> {
    fn insert(target: &mut Map<String, Value>, path: &[&str], value: String) {
        match path {
            [] => {}
            [last] => {
                target
                    .entry((*last).to_owned())
                    .or_insert(Value::String(value));
            }
            [first, rest @ ..] => {
                let entry = target
                    .entry((*first).to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(inner) = entry {
                    insert(inner, rest, value);
                }
            }
        }
    }
    let mut object = Map::new();
    for (name, value) in pairs {
        let path: Vec<&str> = name.split('.').collect();
        insert(&mut object, &path, value);
    }
    object
}

/// The body of a POS or Online request as a JSON object: JSON, or form-encoded fields (all
/// strings). An empty body is `{}`.
pub(super) fn body_object(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, Problem> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    if is_form(headers) {
        return Ok(pairs_to_object(pairs(&String::from_utf8_lossy(body))));
    }
    if !is_json(headers) {
        let shown = match media_type(headers) {
            mime if mime.is_empty() => "none".to_owned(),
            mime => mime,
        };
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("Content type '{shown}' not supported"),
        ));
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(Problem::wrong_input(
            "body",
            "must be a JSON object",
            Value::Null,
        )),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(super) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Money, dates, ids

/// `"12"`, `"12.3"` or `"12.34"` (a leading `-` allowed) in cents; `None` for anything else
/// (more decimals, exponents, too many digits).
pub(super) fn parse_cents(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 13 || fraction.len() > 2 || !all_digits(whole) {
        return None;
    }
    if !all_digits(fraction) || (digits.contains('.') && fraction.is_empty()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    let cents = whole * 100 + fraction;
    Some(if negative { -cents } else { cents })
}

/// Cents as `"1234.56"`.
pub(super) fn money_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Cents as a JSON number (`1234.56`; a whole amount prints as `100.0`).
pub(super) fn money(cents: i64) -> Value {
    // The nearest double to cents/100 prints as the 2-place decimal (shortest round trip).
    serde_json::Number::from_f64(cents as f64 / 100.0).map_or(Value::Null, Value::Number)
}

/// `numerator / denominator` rounded half up (both non-negative).
pub(super) fn div_round(numerator: i64, denominator: i64) -> i64 {
    (2 * numerator + denominator) / (2 * denominator)
}

/// `YYYY-MM-DD`.
pub(super) fn parse_date(text: &str) -> Option<time::Date> {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// The sandbox clock's now, UTC, to the millisecond.
pub(super) fn now_ms(clock: &crate::Clock) -> OffsetDateTime {
    let now = clock.utc();
    now.replace_millisecond(now.millisecond()).unwrap_or(now)
}

/// `YYYY-MM-DDTHH:mm:ss.SSSZ`, in UTC.
pub(super) fn format_time(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        ))
        .unwrap_or_default()
}

/// `n` random lower-case hex digits.
pub(super) fn random_hex(n: usize) -> String {
    (0..n)
        .map(|_| char::from(b"0123456789abcdef"[fastrand::usize(..16)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_amounts() {
        assert_eq!(parse_cents("12"), Some(1200));
        assert_eq!(parse_cents("12.3"), Some(1230));
        assert_eq!(parse_cents("12.34"), Some(1234));
        assert_eq!(parse_cents("-0.5"), Some(-50));
        assert_eq!(parse_cents("0.01"), Some(1));
        for bad in [
            "",
            "12.",
            ".5",
            "1.234",
            "1e3",
            "12a",
            "1,00",
            "99999999999999",
        ] {
            assert_eq!(parse_cents(bad), None, "{bad}");
        }
    }

    #[test]
    fn prints_money() {
        assert_eq!(money_text(123_456), "1234.56");
        assert_eq!(money_text(5), "0.05");
        assert_eq!(money_text(-150), "-1.50");
        assert_eq!(money(8333).to_string(), "83.33");
        assert_eq!(money(10_000).to_string(), "100.0");
        assert_eq!(money(1).to_string(), "0.01");
        assert_eq!(div_round(100_000, 12), 8333);
        assert_eq!(div_round(49_900, 3), 16633);
        assert_eq!(div_round(5, 2), 3);
    }

    #[test]
    fn forms_nest_dotted_names() {
        let object = pairs_to_object(pairs(
            "a=1&financing_option.plan_id=101&financing_option.term=12&a=2&b=x+y%21",
        ));
        assert_eq!(
            Value::Object(object),
            json!({"a": "1", "b": "x y!", "financing_option": {"plan_id": "101", "term": "12"}})
        );
    }

    #[test]
    fn validates_fields() {
        let object = json!({"amount": "10.005", "flag": "yes", "n": "0", "nested": {"t": "Deposit"}, "blank": " "});
        let object = object.as_object().expect("object");
        let mut fields = Fields::new(object);
        assert_eq!(fields.amount("amount", true), None);
        assert_eq!(fields.boolean("flag", true), None);
        assert_eq!(fields.integer("n", true), None);
        assert_eq!(
            fields.choice("nested.t", true, &["deposit"]),
            Some("deposit")
        );
        assert_eq!(fields.string("blank", true, 5), None);
        let Err(problem) = fields.finish() else {
            panic!("fails")
        };
        let params: Vec<&str> = problem
            .field_errors
            .iter()
            .map(|f| f.param.as_str())
            .collect();
        assert_eq!(params, ["amount", "flag", "n", "blank"]);
        assert_eq!(problem.field_errors[3].msg, "required");
    }

    #[test]
    fn random_hex_has_its_length() {
        assert_eq!(random_hex(40).len(), 40);
    }
}
