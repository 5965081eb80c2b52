//! `crates/sandbox/src/generated/<name>.json`: what the sandbox validates requests and answers
//! against, taken from the spec: its paths (parameters, request bodies, responses) and
//! components, with what only a reader needs (descriptions, examples, titles, and the
//! extensions that only steer our generator) left out. The sandbox reads it with
//! `include_str!`, so it needs no YAML parser and no file outside its crate.

use serde_json::{Map, Value};

/// Keys that say nothing a validator checks.
const PROSE: &[&str] = &[
    "description",
    "summary",
    "example",
    "examples",
    "title",
    "externalDocs",
    "tags",
];

/// Extensions the sandbox reads: a leniently decoded number may come as text, a property
/// under an older name (`x-aliases`) is the property, and the enum values a request may not
/// send (`x-answer-only`).
const KEPT_EXTENSIONS: &[&str] = &[
    "x-deserialize-with",
    "x-serde-with",
    "x-aliases",
    "x-answer-only",
];

/// The JSON text (pretty, with a trailing newline) for the spec `yaml`.
pub fn sandbox_json(yaml: &str) -> Result<String, String> {
    let spec: Value = serde_norway::from_str(yaml).map_err(|e| e.to_string())?;
    let mut root = Map::new();
    for key in ["paths", "components"] {
        if let Some(value) = spec.get(key) {
            root.insert(key.to_owned(), strip(value));
        }
    }
    if let Some(Value::Object(components)) = root.get_mut("components") {
        components.remove("securitySchemes");
    }
    let mut text = serde_json::to_string_pretty(&Value::Object(root)).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

/// `value` without prose and generator-only extensions, at any depth. A property or
/// parameter that happens to be named like one of them stays: only keys of schema-like
/// objects are dropped, never the keys of `properties` or the names under `paths`.
fn strip(value: &Value) -> Value {
    strip_at(value, false)
}

fn strip_at(value: &Value, names: bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| names || keeps(key))
                .map(|(key, child)| {
                    // The children of these maps are keyed by names the spec chose.
                    let child_names = !names
                        && matches!(
                            key.as_str(),
                            "properties"
                                | "paths"
                                | "schemas"
                                | "parameters"
                                | "responses"
                                | "content"
                                | "headers"
                                | "requestBodies"
                        );
                    (key.clone(), strip_at(child, child_names))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| strip_at(v, false)).collect()),
        other => other.clone(),
    }
}

fn keeps(key: &str) -> bool {
    if key.starts_with("x-") {
        return KEPT_EXTENSIONS.contains(&key);
    }
    !PROSE.contains(&key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_goes_and_names_stay() {
        let yaml = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    post:\n      operationId: a\n      description: words\n      x-idempotency: safe\n      requestBody:\n        content:\n          application/json:\n            schema:\n              type: object\n              required: [description]\n              properties:\n                description: {type: string, description: text, maxLength: 3}\n                n: {type: string, x-serde-with: m, example: '1'}\n      responses:\n        '200': {description: ok}\n";
        let json: Value = serde_json::from_str(&sandbox_json(yaml).expect("json")).expect("JSON");
        let op = &json["paths"]["/a"]["post"];
        assert_eq!(op.get("description"), None);
        assert_eq!(op.get("x-idempotency"), None);
        assert_eq!(op["operationId"], "a");
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(
            schema["properties"]["description"],
            serde_json::json!({"type": "string", "maxLength": 3})
        );
        assert_eq!(
            schema["properties"]["n"],
            serde_json::json!({"type": "string", "x-serde-with": "m"})
        );
        assert_eq!(op["responses"]["200"], serde_json::json!({}));
        assert_eq!(json.get("info"), None);
    }
}
