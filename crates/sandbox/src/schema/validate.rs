//! A small validator of JSON values against the specs' schemas: `$ref`, `allOf`, `oneOf`,
//! `anyOf`, `type`, `nullable`, `required`, `properties`, `additionalProperties`, `items`,
//! `enum`, lengths and bounds, `date`/`date-time` formats: the subset of OpenAPI 3.0 that
//! `specs/*.yaml` use (`cargo xtask codegen` refuses the rest).

use serde_json::{Map, Value};

use super::{Spec, Violation};

impl Spec {
    /// Validates `value` at `path` (`""` for the root) against `schema`, appending
    /// violations to `out`.
    pub fn validate(&self, schema: &Value, value: &Value, path: &str, out: &mut Vec<Violation>) {
        let schema = self.resolve(schema);
        if value.is_null() {
            if schema.get("nullable") != Some(&Value::Bool(true)) && has_constraints(schema) {
                out.push(Violation::invalid(
                    path,
                    "null, but the schema is not nullable",
                ));
            }
            return;
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for part in all {
                self.validate(part, value, path, out);
            }
        }
        for (keyword, exactly_one) in [("oneOf", true), ("anyOf", false)] {
            if let Some(choices) = schema.get(keyword).and_then(Value::as_array) {
                let matching = choices
                    .iter()
                    .filter(|choice| {
                        let mut scratch = Vec::new();
                        self.validate(choice, value, path, &mut scratch);
                        scratch.is_empty()
                    })
                    .count();
                if matching == 0 || (exactly_one && matching > 1) {
                    out.push(Violation::invalid(
                        path,
                        format!("matches {matching} of the {keyword} schemas: {value}"),
                    ));
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
            if !ok && !lenient {
                out.push(Violation::invalid(
                    path,
                    format!("expected {kind}, got {value}"),
                ));
                return;
            }
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array)
            && !options.contains(value)
        {
            let options: Vec<String> = options.iter().map(Value::to_string).collect();
            out.push(Violation::invalid(
                path,
                format!("{value} is not one of {}", options.join(", ")),
            ));
        }
        match value {
            Value::Object(map) => self.validate_object(schema, map, path, out),
            Value::Array(items) => {
                if let Some(item) = schema.get("items") {
                    for (i, v) in items.iter().enumerate() {
                        self.validate(item, v, &format!("{path}[{i}]"), out);
                    }
                }
                bound(
                    schema,
                    "minItems",
                    "maxItems",
                    items.len() as f64,
                    path,
                    out,
                );
            }
            Value::String(text) => {
                let chars = text.chars().count() as f64;
                bound(schema, "minLength", "maxLength", chars, path, out);
                match schema.get("format").and_then(Value::as_str) {
                    Some("date-time") if !looks_like_date_time(text) => {
                        out.push(Violation::invalid(
                            path,
                            format!("{text:?} is not a date-time"),
                        ));
                    }
                    Some("date") if !looks_like_date(text) => {
                        out.push(Violation::invalid(path, format!("{text:?} is not a date")));
                    }
                    _ => {}
                }
            }
            Value::Number(n) => {
                if let Some(n) = n.as_f64() {
                    bound(schema, "minimum", "maximum", n, path, out);
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
        for name in &required {
            if !map.contains_key(*name) {
                out.push(Violation::missing(child(path, name)));
            }
        }
        for (key, v) in map {
            let at = child(path, key);
            // Spring and Jackson write an absent optional value as `null`, and every client
            // decodes it as absent: only a required property's null must be `nullable`.
            if v.is_null() && !required.contains(&key.as_str()) {
                continue;
            }
            if let Some(property) = properties.and_then(|p| p.get(key)) {
                self.validate(property, v, &at, out);
                continue;
            }
            match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => {
                    out.push(Violation::invalid(&at, "not a declared property"));
                }
                Some(extra @ Value::Object(_)) => self.validate(extra, v, &at, out),
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

fn bound(schema: &Value, min: &str, max: &str, n: f64, path: &str, out: &mut Vec<Violation>) {
    if let Some(low) = schema.get(min).and_then(Value::as_f64)
        && n < low
    {
        out.push(Violation::invalid(
            path,
            format!("{n} is under {min} {low}"),
        ));
    }
    if let Some(high) = schema.get(max).and_then(Value::as_f64)
        && n > high
    {
        out.push(Violation::invalid(
            path,
            format!("{n} is over {max} {high}"),
        ));
    }
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
