//! Reading request fields, and the Laravel-style `errors` object of a 500 answer.
//!
//! Like Laravel's default middleware, a string that is empty after trimming counts as absent
//! (`null`), and so does `null` itself.

use serde_json::{Map, Value};

use super::catalogue::Currency;

/// The languages the API knows, upper-cased.
const LANGS: [&str; 4] = ["EN", "IT", "ES", "DE"];

pub(super) const LANG_INVALID: &str = "the lang must be one of the following types: en, it, es, de";
pub(super) const CURRENCY_INVALID: &str = "the selected currency code is invalid";

/// A request body: a JSON object; anything else (no body, invalid JSON, an array) reads as
/// an empty object, so that required fields fail as missing.
#[derive(Debug, Default)]
pub(super) struct Body(Map<String, Value>);

impl Body {
    pub(super) fn parse(bytes: &[u8]) -> Body {
        match serde_json::from_slice(bytes) {
            Ok(Value::Object(map)) => Body(map),
            _ => Body::default(),
        }
    }

    /// A field's value; `None` when missing, `null` or a blank string.
    pub(super) fn get(&self, field: &str) -> Option<&Value> {
        match self.0.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(value) => Some(value),
        }
    }
}

pub(super) use crate::common::laravel::Errors;

/// The FlashStart phrasing of the checks below (Laravel's messages, lower case, no stop).
impl Errors {
    /// "the {attribute} field is required".
    pub(super) fn required(&mut self, field: &'static str) {
        self.add(field, format!("the {} field is required", attribute(field)));
    }

    /// A required field: missing → "required".
    pub(super) fn require<'a>(&mut self, body: &'a Body, field: &'static str) -> Option<&'a Value> {
        let value = body.get(field);
        if value.is_none() {
            self.required(field);
        }
        value
    }

    /// A required string field.
    pub(super) fn required_string(&mut self, body: &Body, field: &'static str) -> Option<String> {
        let value = self.require(body, field);
        self.string(value, field)
    }

    /// An optional string field.
    pub(super) fn optional_string(&mut self, body: &Body, field: &'static str) -> Option<String> {
        self.string(body.get(field), field)
    }

    /// A string field (required or not): another JSON type → "must be a string".
    pub(super) fn string(&mut self, value: Option<&Value>, field: &'static str) -> Option<String> {
        match value? {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.add(field, format!("the {} must be a string", attribute(field)));
                None
            }
        }
    }

    /// An integer field (a JSON number or a string of digits): else "must be an integer".
    pub(super) fn integer(&mut self, value: Option<&Value>, field: &'static str) -> Option<u64> {
        let value = value?;
        let parsed = integer(value);
        if parsed.is_none() {
            self.add(
                field,
                format!("the {} must be an integer", attribute(field)),
            );
        }
        parsed
    }

    /// A boolean field (`true`, `false`, `0`, `1`, `"0"`, `"1"`, `"true"`, `"false"`): else
    /// "must be true or false".
    pub(super) fn boolean(&mut self, body: &Body, field: &'static str) -> Option<bool> {
        let parsed = match body.get(field)? {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => match n.as_u64() {
                Some(0) => Some(false),
                Some(1) => Some(true),
                _ => None,
            },
            Value::String(s) => match s.as_str() {
                "0" | "false" => Some(false),
                "1" | "true" => Some(true),
                _ => None,
            },
            _ => None,
        };
        if parsed.is_none() {
            let message = format!("the {} field must be true or false", attribute(field));
            self.add(field, message);
        }
        parsed
    }

    /// The optional `lang`, upper-cased: one of EN, IT, ES, DE (case-insensitive).
    pub(super) fn lang(&mut self, body: &Body) -> Option<String> {
        let value = body.get("lang")?;
        let lang = value
            .as_str()
            .map(str::to_ascii_uppercase)
            .filter(|l| LANGS.contains(&l.as_str()));
        if lang.is_none() {
            self.add("lang", LANG_INVALID);
        }
        lang
    }

    /// The optional `currency_code` (default EUR): EUR or USD, case-insensitive.
    pub(super) fn currency(&mut self, body: &Body) -> Currency {
        let Some(value) = body.get("currency_code") else {
            return Currency::default();
        };
        match value.as_str().and_then(Currency::parse) {
            Some(currency) => currency,
            None => {
                self.add("currency_code", CURRENCY_INVALID);
                Currency::default()
            }
        }
    }
}

/// A non-negative integer: a JSON number, or a string of ASCII digits.
pub(super) fn integer(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    }
}

/// A field name as messages spell it: `customer_code` → `customer code`.
fn attribute(field: &str) -> String {
    field.replace('_', " ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(value: Value) -> Body {
        Body::parse(value.to_string().as_bytes())
    }

    #[test]
    fn blank_and_null_fields_are_absent() {
        let b = body(json!({"a": null, "b": "  ", "c": "x", "d": 0}));
        assert!(b.get("a").is_none());
        assert!(b.get("b").is_none());
        assert!(b.get("missing").is_none());
        assert_eq!(b.get("c"), Some(&json!("x")));
        assert_eq!(b.get("d"), Some(&json!(0)));
        assert!(Body::parse(b"not json").get("c").is_none());
        assert!(Body::parse(b"[1]").get("c").is_none());
    }

    #[test]
    fn reads_integers() {
        assert_eq!(integer(&json!(1001)), Some(1001));
        assert_eq!(integer(&json!("1001")), Some(1001));
        for bad in [json!(-1), json!(1.5), json!("10a"), json!(""), json!(true)] {
            assert_eq!(integer(&bad), None, "{bad}");
        }
    }

    #[test]
    fn collects_errors_in_order_as_a_map() {
        let b = body(json!({"lang": "fr", "flag": "yes", "n": "x"}));
        let mut errors = Errors::default();
        errors.require(&b, "email");
        assert_eq!(errors.lang(&b), None);
        assert_eq!(errors.boolean(&b, "flag"), None);
        assert_eq!(errors.integer(b.get("n"), "n"), None);
        assert_eq!(
            errors.currency(&body(json!({"currency_code": "usd"}))),
            Currency::Usd
        );
        let text = serde_json::to_string(&errors).unwrap_or_default();
        assert_eq!(
            text,
            r#"{"email":["the email field is required"],"lang":["the lang must be one of the following types: en, it, es, de"],"flag":["the flag field must be true or false"],"n":["the n must be an integer"]}"#
        );
    }
}
