//! An OpenAPI 3.0 description read as JSON, and a small validator of responses against it:
//! declared status, content type, and the body against the schema (`$ref`, `allOf`, `oneOf`,
//! `anyOf`, `type`, `nullable`, `required`, `properties`, `additionalProperties`, `items`,
//! `enum`, lengths and bounds, `date`/`date-time` formats).

use serde_json::{Map, Value};

/// One operation of a spec.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub template: String,
    pub responses: Value,
    /// The operation's `requestBody` (`Null` without one).
    pub request_body: Value,
    /// The operation's own parameters and its path item's.
    pub parameters: Vec<Value>,
}

/// A loaded spec.
pub struct Spec {
    pub name: &'static str,
    pub root: Value,
    pub operations: Vec<Operation>,
}

impl Spec {
    /// Reads `specs/<name>.yaml` from the workspace.
    pub fn load(name: &'static str) -> Spec {
        let path = format!("{}/../../specs/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let root: Value =
            serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path} is not YAML: {e}"));
        let mut operations = Vec::new();
        for (template, item) in root["paths"].as_object().expect("paths") {
            let shared = item["parameters"].as_array().cloned().unwrap_or_default();
            for (method, op) in item.as_object().expect("path item") {
                if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                    continue;
                }
                let mut parameters = shared.clone();
                parameters.extend(op["parameters"].as_array().cloned().unwrap_or_default());
                operations.push(Operation {
                    id: op["operationId"].as_str().expect("operationId").to_owned(),
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

    /// The required properties of `op`'s JSON request body, when it has one.
    pub fn required_body_fields(&self, op: &Operation) -> Vec<String> {
        let schema = &op.request_body["content"]["application/json"]["schema"];
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

    /// The names of `op`'s required header parameters.
    pub fn required_headers(&self, op: &Operation) -> Vec<String> {
        op.parameters
            .iter()
            .map(|p| self.resolve(p))
            .filter(|p| p["in"] == "header" && p["required"] == true)
            .filter_map(|p| p["name"].as_str())
            .map(str::to_ascii_lowercase)
            .collect()
    }

    /// Follows `$ref`s (local ones only, as the specs use).
    pub fn resolve<'a>(&'a self, mut value: &'a Value) -> &'a Value {
        while let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            let pointer = reference.trim_start_matches('#');
            value = self
                .root
                .pointer(pointer)
                .unwrap_or_else(|| panic!("{}: unresolved $ref {reference}", self.name));
        }
        value
    }

    /// Every way `answer` departs from what `op` declares.
    pub fn check(
        &self,
        op: &Operation,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Vec<String> {
        let mut out = Vec::new();
        let Some(response) = op
            .responses
            .get(status.to_string())
            .or_else(|| op.responses.get("default"))
        else {
            out.push(format!("status {status} is not declared"));
            return out;
        };
        let response = self.resolve(response);
        // No declared content: the clients ignore whatever body comes.
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            return out;
        };
        let essence = content_type.map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or(ct)
                .trim()
                .to_ascii_lowercase()
        });
        let media = essence.as_deref().and_then(|ct| content.get(ct));
        let Some(media) = media else {
            // An empty body is allowed where the spec says so (`x-empty-response`).
            if body.is_empty() {
                return out;
            }
            out.push(format!(
                "content type {content_type:?}, declared: {:?}",
                content.keys().collect::<Vec<_>>()
            ));
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
                out.push(format!("$: not JSON ({e})"));
                return out;
            }
        };
        // `x-envelope`: every success body is `{"code", "content"}`; the schema is `content`'s.
        if self.root.get("x-envelope").is_some() && (200..300).contains(&status) {
            match value.get("code") {
                Some(code) if code.is_i64() => {}
                other => out.push(format!(
                    "$.code: expected the envelope's integer, got {other:?}"
                )),
            }
            match value.get("content") {
                Some(content) => self.validate(schema, content, "$.content", &mut out),
                None => out.push("$: the envelope has no content".to_owned()),
            }
        } else {
            self.validate(schema, &value, "$", &mut out);
        }
        out
    }

    /// Validates `value` at `path` against `schema`, appending violations.
    pub fn validate(&self, schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
        let schema = self.resolve(schema);
        if value.is_null() {
            if schema.get("nullable") != Some(&Value::Bool(true)) && has_constraints(schema) {
                out.push(format!("{path}: null, but the schema is not nullable"));
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
                    out.push(format!(
                        "{path}: matches {matching} of the {keyword} schemas: {value}"
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
                out.push(format!("{path}: expected {kind}, got {value}"));
                return;
            }
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array)
            && !options.contains(value)
        {
            out.push(format!("{path}: {value} is not one of {options:?}"));
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
                        out.push(format!("{path}: {text:?} is not a date-time"));
                    }
                    Some("date") if !looks_like_date(text) => {
                        out.push(format!("{path}: {text:?} is not a date"));
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
        out: &mut Vec<String>,
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !map.contains_key(name) {
                out.push(format!("{path}: the required property {name:?} is missing"));
            }
        }
        let required = |key: &str| {
            schema
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|n| n == key))
        };
        for (key, v) in map {
            let child = format!("{path}.{key}");
            // Spring and Jackson write an absent optional value as `null`, and every client
            // decodes it as absent: only a required property's null must be `nullable`.
            if v.is_null() && !required(key) {
                continue;
            }
            if let Some(property) = properties.and_then(|p| p.get(key)) {
                self.validate(property, v, &child, out);
                continue;
            }
            match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => {
                    out.push(format!("{child}: not a declared property"));
                }
                Some(extra @ Value::Object(_)) => self.validate(extra, v, &child, out),
                _ => {}
            }
        }
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

fn bound(schema: &Value, min: &str, max: &str, n: f64, path: &str, out: &mut Vec<String>) {
    if let Some(low) = schema.get(min).and_then(Value::as_f64)
        && n < low
    {
        out.push(format!("{path}: {n} is under {min} {low}"));
    }
    if let Some(high) = schema.get(max).and_then(Value::as_f64)
        && n > high
    {
        out.push(format!("{path}: {n} is over {max} {high}"));
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
    text.len() >= 16
        && text.get(..10).is_some_and(looks_like_date)
        && matches!(text.as_bytes()[10], b'T' | b't' | b' ')
        && text.as_bytes()[13] == b':'
}
