//! The specs as the sandbox checks traffic against them: each request before its handler
//! (required headers, query parameters and body fields, types, bounds, enums, formats), each
//! answer in debug builds (declared status, content type, body), both by the schemas of
//! `specs/<provider>.yaml`.
//!
//! The specs come as `cargo xtask codegen` copies them (`src/generated/<provider>.json`:
//! paths and components, without prose), so this module is the same validator the
//! conformance test uses, and a test of your own can use it too:
//!
//! ```
//! use api_sandbox::schema::Spec;
//!
//! let spec = Spec::of("netfinity").expect("an emulated provider");
//! let send = spec.find("POST", "/sms/notification/send").expect("in the spec");
//! let problems = spec.check_answer(send, 200, Some("application/json"), b"not JSON");
//! assert_eq!(problems[0].to_string(), "body: not JSON (expected ident at line 1 column 2)");
//! ```

mod request;
mod validate;

use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

/// One operation of a spec.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Its `operationId`.
    pub id: String,
    /// Its method, upper case.
    pub method: String,
    /// Its path template (`/customers/{id}`).
    pub template: String,
    /// Its `responses`.
    pub responses: Value,
    /// Its `requestBody` (`Null` without one).
    pub request_body: Value,
    /// Its own parameters and its path item's.
    pub parameters: Vec<Value>,
}

/// A provider's spec: its components, to resolve `$ref`s, and its operations.
#[derive(Debug)]
pub struct Spec {
    /// The provider (`fl3xx`, `flexiti`, `fsflt`, `netfinity`).
    pub name: &'static str,
    /// The spec's `paths` and `components`, as JSON.
    pub root: Value,
    /// Every operation, in the spec's order.
    pub operations: Vec<Operation>,
}

/// One way a request or an answer departs from its spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// What it is about: a body property's path (`items[0].sku`; empty for the body itself),
    /// a header's or a query parameter's name, or `status` and `content-type` for an answer.
    pub field: String,
    /// Where it is.
    pub location: Location,
    /// The rule it breaks.
    pub rule: Rule,
    /// What is wrong, in words.
    pub message: String,
    /// The value that breaks it (`None` for one that is missing): some providers echo it.
    pub value: Option<Value>,
    /// The values the schema allows, for [`Rule::Enum`] (empty otherwise).
    pub allowed: Vec<Value>,
}

/// Where a [`Violation`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A header (for an answer: its content type).
    Header,
    /// A query parameter.
    Query,
    /// The body, or a property inside it.
    Body,
    /// An answer's status.
    Status,
}

/// The rule a [`Violation`] breaks, for an emulator to phrase its refusal as its provider
/// does.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Rule {
    /// A required value is missing.
    Required,
    /// A value of the wrong type: the type expected (`string`, `integer`, `number`,
    /// `boolean`, `array`, `object`), or `value` for a `null` where the schema takes none
    /// and a value that matches no `oneOf` choice.
    Type(&'static str),
    /// A value outside the schema's `enum`.
    Enum,
    /// A text or a list shorter than `minLength` or `minItems` (the bound).
    MinLength(f64),
    /// A text or a list longer than `maxLength` or `maxItems` (the bound).
    MaxLength(f64),
    /// A number under `minimum` (the bound).
    Minimum(f64),
    /// A number over `maximum` (the bound).
    Maximum(f64),
    /// A text that is not a `date` or `date-time`.
    Format,
    /// A property the schema does not declare (`additionalProperties: false`).
    Undeclared,
    /// A body that does not parse, a status the operation does not declare, or a content
    /// type it does not answer with.
    Other,
}

impl Violation {
    pub(crate) fn new(field: impl Into<String>, rule: Rule, message: impl Into<String>) -> Self {
        Violation {
            field: field.into(),
            location: Location::Body,
            rule,
            message: message.into(),
            value: None,
            allowed: Vec::new(),
        }
    }

    /// The same, about `value`.
    pub(crate) fn with_value(self, value: &Value) -> Self {
        Violation {
            value: Some(value.clone()),
            ..self
        }
    }

    /// The same, at `location`.
    pub(crate) fn at(self, location: Location) -> Self {
        Violation { location, ..self }
    }

    pub(crate) fn missing(field: impl Into<String>) -> Self {
        Violation::new(field, Rule::Required, "is required")
    }

    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Violation::new(field, Rule::Other, message)
    }
}

/// How a provider's framework reads the scalars of a request before its rules run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leniency {
    /// Numbers and booleans written as text pass (`"5"` for an integer, `"1"` for `true`):
    /// Laravel's `integer`, `numeric` and `boolean` rules, Jackson's scalar coercion.
    pub scalars_from_text: bool,
    /// Numbers and booleans pass where text is expected (`5` for a string): Jackson's
    /// coercion.
    pub text_from_scalars: bool,
    /// A blank string counts as absent (Laravel's `ConvertEmptyStringsToNull` and
    /// `TrimStrings` middleware).
    pub blank_is_absent: bool,
    /// A text `enum` matches in any case.
    pub enums_any_case: bool,
}

impl Leniency {
    /// Every value as the schema types it.
    pub const STRICT: Leniency = Leniency {
        scalars_from_text: false,
        text_from_scalars: false,
        blank_is_absent: false,
        enums_any_case: false,
    };

    /// Laravel's validation (Netfinity): its `integer`, `numeric`, `boolean`, `in` and
    /// `digits_between` rules take numbers as text and text as numbers; only `string`
    /// refuses a number, and which rules the APIs use is not documented (INFERRED).
    pub const LARAVEL: Leniency = Leniency {
        scalars_from_text: true,
        text_from_scalars: true,
        blank_is_absent: true,
        enums_any_case: false,
    };

    /// FlashStart: Laravel's, with `lang` (its one text enum) in any case, since its
    /// validation message lists the values in lower case and its docs show `EN`.
    pub const FLASHSTART: Leniency = Leniency {
        enums_any_case: true,
        ..Leniency::LARAVEL
    };

    /// Spring and Jackson (FL3XX): numbers and booleans from text and text from them, a
    /// blank string kept.
    pub const JACKSON: Leniency = Leniency {
        scalars_from_text: true,
        text_from_scalars: true,
        blank_is_absent: false,
        enums_any_case: false,
    };

    /// Whether `value` passes as the schema's `kind` (a JSON type) only by this leniency.
    pub(crate) fn accepts(self, kind: &str, value: &Value) -> bool {
        if kind == "string" {
            return self.text_from_scalars && (value.is_number() || value.is_boolean());
        }
        let Some(text) = value.as_str().filter(|_| self.scalars_from_text) else {
            return false;
        };
        let text = text.trim();
        match kind {
            "integer" => text.parse::<i64>().is_ok(),
            "number" => text.parse::<f64>().is_ok_and(f64::is_finite),
            "boolean" => matches!(text, "0" | "1" | "true" | "false"),
            _ => false,
        }
    }

    /// Whether `value` is one of `options`, in any case where that is allowed.
    pub(crate) fn one_of(self, options: &[Value], value: &Value) -> bool {
        options.contains(value)
            || (self.enums_any_case
                && value.as_str().is_some_and(|text| {
                    options
                        .iter()
                        .filter_map(Value::as_str)
                        .any(|option| option.eq_ignore_ascii_case(text))
                }))
    }

    /// Whether `value` counts as absent: `null`, or a blank string where it is.
    pub(crate) fn absent(self, value: &Value) -> bool {
        match value {
            Value::Null => true,
            Value::String(text) => self.blank_is_absent && text.trim().is_empty(),
            _ => false,
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = if self.field.is_empty() {
            "body"
        } else {
            &self.field
        };
        write!(f, "{field}: {}", self.message)
    }
}

/// The providers and their specs, as codegen copied them.
const SPECS: [(&str, &str); 4] = [
    ("fl3xx", include_str!("../generated/fl3xx.json")),
    ("flexiti", include_str!("../generated/flexiti.json")),
    ("fsflt", include_str!("../generated/fsflt.json")),
    ("netfinity", include_str!("../generated/netfinity.json")),
];

impl Spec {
    /// The spec of an emulated provider, read once; `None` for another name.
    pub fn of(provider: &str) -> Option<&'static Spec> {
        static LOADED: [OnceLock<Spec>; 4] = [const { OnceLock::new() }; 4];
        let index = SPECS.iter().position(|(name, _)| *name == provider)?;
        let (name, text) = SPECS[index];
        Some(LOADED[index].get_or_init(|| Spec::parse(name, text)))
    }

    /// Reads a spec as codegen writes it. The text is generated and compiled in, and a test
    /// reads each one: a failure here is a codegen bug, never input.
    fn parse(name: &'static str, text: &str) -> Spec {
        let root: Value = serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("src/generated/{name}.json is not JSON: {e}"));
        let mut operations = Vec::new();
        for (template, item) in root["paths"].as_object().into_iter().flatten() {
            let shared = item["parameters"].as_array().cloned().unwrap_or_default();
            for (method, op) in item.as_object().into_iter().flatten() {
                if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                    continue;
                }
                let mut parameters = shared.clone();
                parameters.extend(op["parameters"].as_array().cloned().unwrap_or_default());
                operations.push(Operation {
                    id: op["operationId"].as_str().unwrap_or_default().to_owned(),
                    method: method.to_uppercase(),
                    template: template.clone(),
                    responses: op["responses"].clone(),
                    request_body: op["requestBody"].clone(),
                    parameters,
                });
            }
        }
        Spec {
            name,
            root,
            operations,
        }
    }

    /// The operation serving `method` on `path` (no query), by its template.
    pub fn find(&self, method: &str, path: &str) -> Option<&Operation> {
        let segments: Vec<&str> = path.split('/').collect();
        self.operations.iter().find(|op| {
            let template: Vec<&str> = op.template.split('/').collect();
            op.method == method
                && template.len() == segments.len()
                && template.iter().zip(&segments).all(|(t, s)| {
                    (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s
                })
        })
    }

    /// The operation whose `operationId` is `id`.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == id)
    }

    /// The required properties of `op`'s JSON request body, when it has one.
    pub fn required_body_fields(&self, op: &Operation) -> Vec<String> {
        let schema = &self.resolve(&op.request_body)["content"]["application/json"]["schema"];
        if schema.is_null() {
            return Vec::new();
        }
        self.resolve(schema)["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    }

    /// The names of `op`'s required header parameters, lower case.
    pub fn required_headers(&self, op: &Operation) -> Vec<String> {
        op.parameters
            .iter()
            .map(|p| self.resolve(p))
            .filter(|p| p["in"] == "header" && p["required"] == true)
            .filter_map(|p| p["name"].as_str())
            .map(str::to_ascii_lowercase)
            .collect()
    }

    /// Follows local `$ref`s (the only kind the specs use); an unresolved one is `Null`.
    pub fn resolve<'a>(&'a self, mut value: &'a Value) -> &'a Value {
        static NULL: Value = Value::Null;
        while let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            let pointer = reference.trim_start_matches('#');
            value = self.root.pointer(pointer).unwrap_or(&NULL);
        }
        value
    }

    /// Every way an answer departs from what `op` declares: its status, content type and
    /// body.
    pub fn check_answer(
        &self,
        op: &Operation,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Vec<Violation> {
        let mut out = Vec::new();
        let Some(response) = op
            .responses
            .get(status.to_string())
            .or_else(|| op.responses.get("default"))
        else {
            let message = format!("{status} is not declared");
            out.push(Violation::invalid("status", message).at(Location::Status));
            return out;
        };
        let response = self.resolve(response);
        // No declared content: the clients ignore whatever body comes.
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            return out;
        };
        let essence = content_type.map(media_type);
        let Some(media) = essence.as_deref().and_then(|ct| content.get(ct)) else {
            // An empty body is allowed where the spec says so (`x-empty-response`).
            if !body.is_empty() {
                let declared: Vec<&str> = content.keys().map(String::as_str).collect();
                let message = format!("{content_type:?}, declared: {}", declared.join(", "));
                out.push(Violation::invalid("content-type", message).at(Location::Header));
            }
            return out;
        };
        let Some(schema) = media.get("schema") else {
            return out;
        };
        if !essence.as_deref().is_some_and(|ct| ct.ends_with("json")) {
            return out;
        }
        let value = match serde_json::from_slice::<Value>(body) {
            Ok(value) => value,
            Err(e) => {
                out.push(Violation::invalid("", format!("not JSON ({e})")));
                return out;
            }
        };
        self.validate(schema, &value, "", &mut out);
        out
    }
}

/// A content type's essence: `application/json` of `application/json; charset=utf-8`.
fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or(content_type)
        .trim()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_reads_and_has_its_operations() {
        for (name, _) in SPECS {
            let spec = Spec::of(name).expect("known");
            assert!(!spec.operations.is_empty(), "{name}");
            assert!(spec.operations.iter().all(|op| !op.id.is_empty()), "{name}");
        }
        assert!(Spec::of("other").is_none());
    }

    #[test]
    fn answers_are_checked_against_the_schema() {
        let spec = Spec::of("netfinity").expect("known");
        let send = spec.operation("send_sms").expect("in the spec");
        let problems = spec.check_answer(send, 599, None, b"");
        assert_eq!(problems[0].to_string(), "status: 599 is not declared");
        let ct = Some("application/json; charset=utf-8");
        let problems = spec.check_answer(send, 422, ct, br#"{"message": 5}"#);
        assert_eq!(
            problems,
            [
                Violation::new("message", Rule::Type("string"), "expected string, got 5")
                    .with_value(&5.into())
            ]
        );

        // FlashStart's spec describes each answer whole, its `{code, content}` envelope
        // included: the content alone is not the answer.
        let spec = Spec::of("fsflt").expect("known");
        let suspend = spec.operation("suspend_license").expect("in the spec");
        let whole = br#"{"code": 200, "content": "license suspended successfully"}"#;
        assert_eq!(spec.check_answer(suspend, 200, ct, whole), []);
        let bare = spec.check_answer(suspend, 200, ct, br#""license suspended successfully""#);
        assert_eq!(bare.len(), 1, "{bare:?}");
        assert_eq!(bare[0].rule, Rule::Type("object"), "{bare:?}");
        let no_content = spec.check_answer(suspend, 200, ct, br#"{"code": 200}"#);
        assert_eq!(no_content, [Violation::missing("content")]);
    }
}
