//! The send endpoint's validation rules and their Laravel-style messages.

use serde::Serialize;
use serde_json::{Map, Value};

use super::gsm::is_gsm;

/// Fewest digits in an `msisdn`.
const MIN_MSISDN_DIGITS: usize = 8;
/// Most digits in an `msisdn`.
const MAX_MSISDN_DIGITS: usize = 20;
/// Most characters in a `text`.
const MAX_TEXT_CHARS: usize = 160;
/// Most characters in an `id` (the docs only say "alphanumeric"; the bound is ours).
const MAX_ID_CHARS: usize = 64;

const MSISDN_REQUIRED: &str = "The msisdn field is required.";
const MSISDN_DIGITS: &str = "The msisdn must be between 8 and 20 digits.";
const TEXT_REQUIRED: &str = "The text field is required.";
const TEXT_FORMAT: &str = "The text format is invalid.";
const TEXT_MAX: &str = "The text may not be greater than 160 characters.";
const ID_FORMAT: &str = "The id format is invalid.";

/// A message that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Message {
    pub(super) msisdn: String,
    pub(super) text: String,
    pub(super) id: Option<String>,
}

/// The `errors` object of a 422 answer: the failing fields, in the order msisdn, text, id.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub(super) struct FieldErrors {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    msisdn: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    text: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    id: Vec<&'static str>,
}

/// Checks the fields of a request body.
///
/// `null` counts as missing; an empty `msisdn` or `text` fails "required" (an empty `id`
/// fails its format). A bad `text` can fail twice: format first, then length.
pub(super) fn validate(body: &Map<String, Value>) -> Result<Message, FieldErrors> {
    let mut errors = FieldErrors::default();
    let msisdn = match body.get("msisdn") {
        None | Some(Value::Null) => {
            errors.msisdn.push(MSISDN_REQUIRED);
            None
        }
        Some(Value::String(s)) if s.is_empty() => {
            errors.msisdn.push(MSISDN_REQUIRED);
            None
        }
        Some(Value::String(s))
            if (MIN_MSISDN_DIGITS..=MAX_MSISDN_DIGITS).contains(&s.len())
                && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Some(s.clone())
        }
        Some(_) => {
            errors.msisdn.push(MSISDN_DIGITS);
            None
        }
    };
    let text = match body.get("text") {
        None | Some(Value::Null) => {
            errors.text.push(TEXT_REQUIRED);
            None
        }
        Some(Value::String(s)) if s.is_empty() => {
            errors.text.push(TEXT_REQUIRED);
            None
        }
        Some(Value::String(s)) => {
            if !s.chars().all(is_gsm) {
                errors.text.push(TEXT_FORMAT);
            }
            if s.chars().count() > MAX_TEXT_CHARS {
                errors.text.push(TEXT_MAX);
            }
            errors.text.is_empty().then(|| s.clone())
        }
        Some(_) => {
            errors.text.push(TEXT_FORMAT);
            None
        }
    };
    let id = match body.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s))
            if !s.is_empty()
                && s.len() <= MAX_ID_CHARS
                && s.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            Some(s.clone())
        }
        Some(_) => {
            errors.id.push(ID_FORMAT);
            None
        }
    };
    match (msisdn, text) {
        (Some(msisdn), Some(text)) if errors.id.is_empty() => Ok(Message { msisdn, text, id }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(body: Value) -> Result<Message, Value> {
        let Value::Object(map) = body else {
            panic!("test bodies are objects")
        };
        validate(&map).map_err(|e| serde_json::to_value(e).expect("serializes"))
    }

    #[test]
    fn accepts_a_valid_message() {
        assert_eq!(
            check(json!({"msisdn": "359881234567", "text": "Hi €", "id": "a1"})),
            Ok(Message {
                msisdn: "359881234567".into(),
                text: "Hi €".into(),
                id: Some("a1".into())
            })
        );
        let long = "x".repeat(160);
        assert!(check(json!({"msisdn": "12345678", "text": long, "id": null})).is_ok());
    }

    #[test]
    fn reports_every_failing_field_in_order() {
        assert_eq!(
            check(json!({})),
            Err(json!({"msisdn": [MSISDN_REQUIRED], "text": [TEXT_REQUIRED]}))
        );
        assert_eq!(
            check(json!({"msisdn": "+359881234567", "text": "", "id": "a-1"})),
            Err(json!({"msisdn": [MSISDN_DIGITS], "text": [TEXT_REQUIRED], "id": [ID_FORMAT]}))
        );
        assert_eq!(
            check(json!({"msisdn": 359881234567u64, "text": 5, "id": ""})),
            Err(json!({"msisdn": [MSISDN_DIGITS], "text": [TEXT_FORMAT], "id": [ID_FORMAT]}))
        );
        let long_cyrillic = "ж".repeat(161);
        assert_eq!(
            check(json!({"msisdn": "1234567", "text": long_cyrillic, "id": "a".repeat(65)})),
            Err(json!({
                "msisdn": [MSISDN_DIGITS],
                "text": [TEXT_FORMAT, TEXT_MAX],
                "id": [ID_FORMAT]
            }))
        );
    }
}
