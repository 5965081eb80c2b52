//! The answers of the two Laravel APIs (FlashStart and Netfinity): `{"message": ...}` bodies,
//! Laravel's own 405 text, and its validation messages for what a spec's schema refuses.

use axum::http::header::ALLOW;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use super::wire::json_response;
use crate::schema::{Rule, Violation};

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

/// The `errors` object of a Laravel validation answer: each failing field with its messages,
/// in the order the fields were checked.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Errors(Vec<(String, Vec<String>)>);

impl Errors {
    pub(crate) fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let (field, message) = (field.into(), message.into());
        match self.0.iter_mut().find(|(f, _)| *f == field) {
            Some((_, messages)) => messages.push(message),
            None => self.0.push((field, vec![message])),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The errors for what a spec's schema refuses (`violations`), each field by Laravel's
    /// dotted name (`items.0.sku`) with the API's message.
    pub(crate) fn of(violations: &[Violation], style: Style) -> Errors {
        let mut errors = Errors::default();
        for violation in violations {
            let field = dotted(&violation.field);
            errors.add(field.clone(), style.phrase(&field, violation));
        }
        errors
    }
}

impl Errors {
    /// The emulator's own `errors` (a validation answer's object), then these for the fields
    /// it does not name.
    pub(crate) fn under(self, own: &serde_json::Map<String, Value>) -> Errors {
        let mut merged = Errors::default();
        for (field, messages) in own {
            for message in messages.as_array().into_iter().flatten() {
                merged.add(field.clone(), message.as_str().unwrap_or_default());
            }
        }
        for (field, messages) in self.0 {
            if !super::refusal::named(own.keys().map(String::as_str), &field) {
                merged.0.push((field, messages));
            }
        }
        merged
    }
}

/// Whose messages a Laravel API sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Laravel's default English (Netfinity).
    Laravel,
    /// FlashStart's: Laravel's in lower case without the full stop, and its own message for
    /// a value outside a list (documented for `lang`).
    FlashStart,
}

impl Style {
    fn phrase(self, field: &str, violation: &Violation) -> String {
        let message = phrase(field, violation.rule);
        match (self, violation.rule) {
            (Style::Laravel, _) => message,
            (Style::FlashStart, Rule::Enum) => {
                let allowed: Vec<String> = violation
                    .allowed
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_ascii_lowercase)
                    .collect();
                format!(
                    "the {} must be one of the following types: {}",
                    field.replace('_', " "),
                    allowed.join(", ")
                )
            }
            (Style::FlashStart, _) => {
                let message = message.trim_end_matches('.');
                let mut chars = message.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_lowercase().to_string() + chars.as_str()
                })
            }
        }
    }
}

impl Serialize for Errors {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (field, messages) in &self.0 {
            map.serialize_entry(field, messages)?;
        }
        map.end()
    }
}

/// `items[0].sku` as Laravel names it, `items.0.sku`; the body itself is `body`.
fn dotted(path: &str) -> String {
    if path.is_empty() {
        return "body".to_owned();
    }
    path.replace('[', ".").replace(']', "")
}

/// Laravel's message for `rule` broken by `field` (its attribute name: `_` read as a space).
fn phrase(field: &str, rule: Rule) -> String {
    let attribute = field.replace('_', " ");
    match rule {
        Rule::Required => format!("The {attribute} field is required."),
        Rule::Type("integer") => format!("The {attribute} must be an integer."),
        Rule::Type("number") => format!("The {attribute} must be a number."),
        Rule::Type("string") => format!("The {attribute} must be a string."),
        Rule::Type("boolean") => format!("The {attribute} field must be true or false."),
        Rule::Type("array" | "object") => format!("The {attribute} must be an array."),
        Rule::Enum => format!("The selected {attribute} is invalid."),
        Rule::MinLength(n) => format!("The {attribute} must be at least {n} characters."),
        Rule::MaxLength(n) => format!("The {attribute} may not be greater than {n} characters."),
        Rule::Minimum(n) => format!("The {attribute} must be at least {n}."),
        Rule::Maximum(n) => format!("The {attribute} may not be greater than {n}."),
        Rule::Format => format!("The {attribute} is not a valid date."),
        _ => format!("The {attribute} is invalid."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_read_as_laravel_writes_them() {
        let violations = [
            Violation::missing("msisdn"),
            Violation::new("text", Rule::MaxLength(160.0), "161 is over maxLength 160"),
            Violation::new(
                "items[0].unit_price",
                Rule::Type("number"),
                "expected number",
            ),
            Violation::new("text", Rule::Type("string"), "expected string"),
        ];
        let errors = serde_json::to_value(Errors::of(&violations, Style::Laravel)).expect("a map");
        assert_eq!(
            errors,
            json!({
                "msisdn": ["The msisdn field is required."],
                "text": [
                    "The text may not be greater than 160 characters.",
                    "The text must be a string."
                ],
                "items.0.unit_price": ["The items.0.unit price must be a number."]
            })
        );
        let lower =
            serde_json::to_value(Errors::of(&violations[..1], Style::FlashStart)).expect("a map");
        assert_eq!(lower, json!({"msisdn": ["the msisdn field is required"]}));
    }
}
