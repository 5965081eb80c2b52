//! A small validator of JSON values against the specs' schemas: `$ref`, `allOf`, `oneOf`,
//! `anyOf`, `type`, `nullable`, `required`, `properties`, `additionalProperties`, `items`,
//! `enum`, lengths and bounds, `date`/`date-time` formats: the subset of OpenAPI 3.0 that
//! `specs/*.yaml` use (`cargo xtask codegen` refuses the rest).

use serde_json::{Map, Value};

use super::{Leniency, Rule, Spec, Violation};

impl Spec {
    /// Validates `value` at `path` (`""` for the root) against `schema`, appending
    /// violations to `out`.
    pub fn validate(&self, schema: &Value, value: &Value, path: &str, out: &mut Vec<Violation>) {
        self.validate_as(schema, value, path, Leniency::STRICT, out);
    }

    /// [`Spec::validate`], reading scalars as a provider's framework does.
    pub(crate) fn validate_as(
        &self,
        schema: &Value,
        value: &Value,
        path: &str,
        leniency: Leniency,
        out: &mut Vec<Violation>,
    ) {
        let schema = self.resolve(schema);
        if value.is_null() {
            if schema.get("nullable") != Some(&Value::Bool(true)) && has_constraints(schema) {
                let message = "null, but the schema is not nullable";
                out.push(
                    Violation::new(path, Rule::Type(json_type(schema)), message).with_value(value),
                );
            }
            return;
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for part in all {
                self.validate_as(part, value, path, leniency, out);
            }
        }
        for (keyword, exactly_one) in [("oneOf", true), ("anyOf", false)] {
            if let Some(choices) = schema.get(keyword).and_then(Value::as_array) {
                let matching = |leniency| {
                    choices
                        .iter()
                        .filter(|choice| {
                            let mut scratch = Vec::new();
                            self.validate_as(choice, value, path, leniency, &mut scratch);
                            scratch.is_empty()
                        })
                        .count()
                };
                // The value as it is picks its choice; only a value no choice takes as it is
                // may pass by the framework's leniency (`5` is a number, not also a string).
                let strict = matching(Leniency::STRICT);
                let matched = match strict {
                    0 if leniency != Leniency::STRICT => matching(leniency).min(1),
                    n => n,
                };
                if matched == 0 || (exactly_one && matched > 1) {
                    let message = format!("matches {matched} of the {keyword} schemas: {value}");
                    out.push(Violation::new(path, Rule::Type("value"), message).with_value(value));
                }
            }
        }
        if let Some(kind) = schema.get("type").and_then(Value::as_str) {
            let ok = match kind {
                "object" => value.is_object(),
                "array" => value.is_array(),
                "string" => value.is_string(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "boolean" => value.is_boolean(),
                _ => true,
            };
            // A leniently decoded number (`x-deserialize-with`, `x-serde-with`) may come as text.
            let lenient = matches!(kind, "integer" | "number")
                && (schema.get("x-deserialize-with").is_some()
                    || schema.get("x-serde-with").is_some())
                && value
                    .as_str()
                    .is_some_and(|t| t.trim().parse::<f64>().is_ok());
            if !ok && !lenient && !leniency.accepts(kind, value) {
                let message = format!("expected {kind}, got {value}");
                out.push(
                    Violation::new(path, Rule::Type(json_type(schema)), message).with_value(value),
                );
                return;
            }
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array)
            && !leniency.one_of(options, value)
        {
            let listed: Vec<String> = options.iter().map(Value::to_string).collect();
            let message = format!("{value} is not one of {}", listed.join(", "));
            let violation = Violation::new(path, Rule::Enum, message).with_value(value);
            out.push(Violation {
                allowed: options.clone(),
                ..violation
            });
        }
        match value {
            Value::Object(map) => self.validate_object(schema, map, path, leniency, out),
            Value::Array(items) => {
                if let Some(item) = schema.get("items") {
                    for (i, v) in items.iter().enumerate() {
                        self.validate_as(item, v, &format!("{path}[{i}]"), leniency, out);
                    }
                }
                bound(
                    schema,
                    ["minItems", "maxItems"],
                    items.len() as f64,
                    path,
                    out,
                    value,
                );
            }
            Value::String(text) => {
                let chars = text.chars().count() as f64;
                bound(schema, ["minLength", "maxLength"], chars, path, out, value);
                match schema.get("format").and_then(Value::as_str) {
                    Some("date-time") if !looks_like_date_time(text) => {
                        let message = format!("{text:?} is not a date-time");
                        out.push(Violation::new(path, Rule::Format, message).with_value(value));
                    }
                    Some("date") if !looks_like_date(text) => {
                        let message = format!("{text:?} is not a date");
                        out.push(Violation::new(path, Rule::Format, message).with_value(value));
                    }
                    _ => {}
                }
            }
            Value::Number(n) => {
                if let Some(n) = n.as_f64() {
                    bound(schema, ["minimum", "maximum"], n, path, out, value);
                }
            }
            _ => {}
        }
    }

    fn validate_object(
        &self,
        schema: &Value,
        map: &Map<String, Value>,
        path: &str,
        leniency: Leniency,
        out: &mut Vec<Violation>,
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        // A framework that reads a blank as absent refuses a required null or blank as
        // missing; otherwise a required null meets the property's `nullable`.
        let missing = |v: &Value| leniency.blank_is_absent && leniency.absent(v);
        // A property may come under an older name its schema lists (`x-aliases`).
        let aliases = |name: &str| -> Vec<&str> {
            let property = properties
                .and_then(|p| p.get(name))
                .map(|p| self.resolve(p));
            property
                .and_then(|p| p.get("x-aliases"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect()
        };
        for name in &required {
            let mut names = std::iter::once(*name).chain(aliases(name));
            if names.all(|n| map.get(n).is_none_or(missing)) {
                out.push(Violation::missing(child(path, name)));
            }
        }
        for (key, v) in map {
            let at = child(path, key);
            // Spring and Jackson write an absent optional value as `null`, and every client
            // decodes it as absent: only a required property's null must be `nullable`.
            if leniency.absent(v) && (missing(v) || !required.contains(&key.as_str())) {
                continue;
            }
            let declared = properties.and_then(|p| {
                p.get(key).or_else(|| {
                    p.iter()
                        .find(|(name, _)| aliases(name).contains(&key.as_str()))
                        .map(|(_, property)| property)
                })
            });
            if let Some(property) = declared {
                self.validate_as(property, v, &at, leniency, out);
                continue;
            }
            match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => {
                    out.push(Violation::new(
                        &at,
                        Rule::Undeclared,
                        "not a declared property",
                    ));
                }
                Some(extra @ Value::Object(_)) => self.validate_as(extra, v, &at, leniency, out),
                _ => {}
            }
        }
    }
}

/// The path of `key` inside `path`.
fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Whether a schema says anything about its value (an empty schema accepts `null` too).
fn has_constraints(schema: &Value) -> bool {
    [
        "type",
        "properties",
        "items",
        "enum",
        "allOf",
        "oneOf",
        "anyOf",
    ]
    .iter()
    .any(|k| schema.get(*k).is_some())
}

/// `n` (a length, a count or a number) against the schema's `[min, max]` keywords.
fn bound(
    schema: &Value,
    [min, max]: [&str; 2],
    n: f64,
    path: &str,
    out: &mut Vec<Violation>,
    value: &Value,
) {
    let lengths = min != "minimum";
    if let Some(low) = schema.get(min).and_then(Value::as_f64)
        && n < low
    {
        let rule = if lengths {
            Rule::MinLength(low)
        } else {
            Rule::Minimum(low)
        };
        out.push(Violation::new(path, rule, format!("{n} is under {min} {low}")).with_value(value));
    }
    if let Some(high) = schema.get(max).and_then(Value::as_f64)
        && n > high
    {
        let rule = if lengths {
            Rule::MaxLength(high)
        } else {
            Rule::Maximum(high)
        };
        out.push(Violation::new(path, rule, format!("{n} is over {max} {high}")).with_value(value));
    }
}

/// The schema's JSON type, as a [`Rule::Type`] names it (`value` for none or another).
fn json_type(schema: &Value) -> &'static str {
    const TYPES: [&str; 6] = ["object", "array", "string", "integer", "number", "boolean"];
    let kind = schema.get("type").and_then(Value::as_str);
    TYPES
        .into_iter()
        .find(|t| Some(*t) == kind)
        .unwrap_or("value")
}

/// `YYYY-MM-DD`.
fn looks_like_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// `YYYY-MM-DDTHH:MM` and more (seconds, fraction, offset): loosely RFC 3339.
fn looks_like_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 16
        && text.get(..10).is_some_and(looks_like_date)
        && matches!(b[10], b'T' | b't' | b' ')
        && b[13] == b':'
}
