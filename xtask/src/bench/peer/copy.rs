//! The peer's copy of a spec: `specs/<provider>.yaml` as JSON, with the one change
//! progenitor needs that is its limitation, not a fault of the spec. Everything changed is
//! listed, and the list goes into the report.
//!
//! Progenitor takes one error type per operation (`assert!(response_types.len() <= 1)` in
//! `progenitor-impl`'s `extract_responses`, with a TODO to make an enum of them). An
//! operation whose error answers carry different bodies — Netfinity's 422 (the validation
//! errors by field) beside the `{message}` of its other errors, FlashStart's 401, 405 and
//! 500 — is valid OpenAPI and describes the API better than one merged body would, so the
//! specs keep them apart. The copy points every error answer of such an operation at one new
//! schema, `<Operation>PeerError`, an `anyOf` of the bodies it had: the same bodies are
//! accepted, and the success path (what the bench measures) is untouched.
//!
//! Progenitor also names each parameter by its name in snake case, whatever its location:
//! Flexiti's payment calculator takes the client id in the path (`{client_id}`, as every
//! Flexiti path) and again in the query (`clientId`, the API's name), and the generated method
//! has two arguments `client_id` (E0415, it does not compile). OpenAPI tells parameters apart
//! by name and location, so the spec is valid; the copy renames the path parameter of such an
//! operation (`{client_id}` → `{client_id_in_path}`), which changes nothing on the wire: a
//! path parameter's name is not sent.

use serde_json::{Map, Value, json};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Rewrites `spec` in place; answers one line per change.
pub fn peer_copy(spec: &mut Value) -> Result<Vec<String>, String> {
    let responses = spec
        .pointer("/components/responses")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut changes = Vec::new();
    let mut added: Vec<(String, Value)> = Vec::new();
    let parameters = spec
        .pointer("/components/parameters")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return Err("the spec has no paths".into());
    };
    let renamed: Vec<(String, String, Value, String)> = paths
        .iter()
        .filter_map(|(path, item)| rename_colliding(path, item, &parameters).transpose())
        .collect::<Result<_, _>>()?;
    for (old, new, item, change) in renamed {
        paths.remove(&old);
        paths.insert(new, item);
        changes.push(change);
    }
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            let Some(operation) = item.get_mut(method) else {
                continue;
            };
            let id = operation["operationId"]
                .as_str()
                .map_or_else(|| format!("{method} {path}"), str::to_owned);
            let Some(answers) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            if let Some((name, schema, change)) = merge_errors(&id, answers, &responses)? {
                changes.push(change);
                added.push((name, schema));
            }
        }
    }
    if !added.is_empty() {
        let schemas = spec
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
            .ok_or("the spec has no components.schemas")?;
        for (name, schema) in added {
            if schemas.insert(name.clone(), schema).is_some() {
                return Err(format!("components.schemas.{name} exists already"));
            }
        }
    }
    Ok(changes)
}

/// The error answers of one operation: when their bodies differ, each is pointed at one new
/// schema (returned with its name and the change's description).
fn merge_errors(
    id: &str,
    answers: &mut Map<String, Value>,
    shared: &Value,
) -> Result<Option<(String, Value, String)>, String> {
    // (status, the answer with its `$ref` followed, the body's schema if any)
    let mut errors: Vec<(String, Value, Option<Value>)> = Vec::new();
    for (status, answer) in answers.iter() {
        if status.starts_with('2') {
            continue;
        }
        let resolved = resolve(answer, shared)
            .ok_or_else(|| format!("{id}: the answer {status} has an unresolved $ref"))?;
        let body = body_schema(&resolved, id, status)?;
        errors.push((status.clone(), resolved, body));
    }
    let mut distinct: Vec<&Value> = Vec::new();
    for (_, _, body) in &errors {
        if let Some(body) = body
            && !distinct.contains(&body)
        {
            distinct.push(body);
        }
    }
    let bodiless: Vec<&str> = errors
        .iter()
        .filter(|(_, _, body)| body.is_none())
        .map(|(status, ..)| status.as_str())
        .collect();
    if distinct.len() + usize::from(!bodiless.is_empty()) <= 1 {
        return Ok(None);
    }
    if !bodiless.is_empty() {
        return Err(format!(
            "{id}: error answers {} have no body beside others that have one (not handled)",
            bodiless.join(", ")
        ));
    }
    let name = format!("{}PeerError", pascal(id));
    let merged = json!({
        "description": format!("Any error body of `{id}` (the peer's copy merges them: progenitor takes one error type per operation)."),
        "anyOf": distinct,
    });
    let described: Vec<String> = distinct
        .iter()
        .map(|body| {
            let statuses: Vec<&str> = errors
                .iter()
                .filter(|(_, _, b)| b.as_ref() == Some(*body))
                .map(|(status, ..)| status.as_str())
                .collect();
            format!("{} ({})", statuses.join("/"), schema_name(body))
        })
        .collect();
    let change = format!(
        "{id}: error answers {} point at one schema, {name} = anyOf of those bodies",
        described.join(", ")
    );
    for (status, mut resolved, _) in errors {
        let media = json!({ "schema": { "$ref": format!("#/components/schemas/{name}") } });
        resolved["content"] = json!({ "application/json": media });
        answers.insert(status, resolved);
    }
    Ok(Some((name, merged, change)))
}

/// A path whose path parameter has the snake-case name of another parameter of one of its
/// operations: the path with that parameter renamed `<name>_in_path` (template, item), and
/// the change. `None` when nothing collides.
fn rename_colliding(
    path: &str,
    item: &Value,
    shared: &Value,
) -> Result<Option<(String, String, Value, String)>, String> {
    let follow = |parameter: &Value| -> Result<Value, String> {
        match parameter.get("$ref").and_then(Value::as_str) {
            None => Ok(parameter.clone()),
            Some(reference) => reference
                .strip_prefix("#/components/parameters/")
                .and_then(|name| shared.get(name))
                .cloned()
                .ok_or_else(|| format!("{path}: unresolved parameter $ref {reference}")),
        }
    };
    let own: Vec<Value> = item["parameters"]
        .as_array()
        .map(|list| list.iter().map(follow).collect::<Result<_, _>>())
        .transpose()?
        .unwrap_or_default();
    for method in METHODS {
        let Some(operation) = item.get(method) else {
            continue;
        };
        let theirs: Vec<Value> = operation["parameters"]
            .as_array()
            .map(|list| list.iter().map(follow).collect::<Result<_, _>>())
            .transpose()?
            .unwrap_or_default();
        let all: Vec<&Value> = own.iter().chain(&theirs).collect();
        for parameter in &all {
            let (Some(name), Some("path")) = (parameter["name"].as_str(), parameter["in"].as_str())
            else {
                continue;
            };
            let Some(other) = all.iter().find(|p| {
                p["in"].as_str() != Some("path")
                    && p["name"].as_str().is_some_and(|n| snake(n) == snake(name))
            }) else {
                continue;
            };
            let new_name = format!("{name}_in_path");
            let new_path = path.replace(&format!("{{{name}}}"), &format!("{{{new_name}}}"));
            let mut item = item.clone();
            let rename = |list: &mut Value| -> Result<(), String> {
                for parameter in list.as_array_mut().into_iter().flatten() {
                    let resolved = follow(parameter)?;
                    if resolved["in"] == "path" && resolved["name"] == name {
                        let mut renamed = resolved;
                        renamed["name"] = json!(new_name);
                        *parameter = renamed;
                    }
                }
                Ok(())
            };
            rename(&mut item["parameters"])?;
            for method in METHODS {
                if let Some(operation) = item.get_mut(method) {
                    rename(&mut operation["parameters"])?;
                }
            }
            let change = format!(
                "{path}: the path parameter `{name}` is renamed `{new_name}` (progenitor would \
                 name it and the {} parameter `{}` alike)",
                other["in"].as_str().unwrap_or("other"),
                other["name"].as_str().unwrap_or("?"),
            );
            return Ok(Some((path.to_owned(), new_path, item, change)));
        }
    }
    Ok(None)
}

/// A parameter's name in snake case, as progenitor makes an argument of it.
fn snake(name: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(if c == '-' {
            '_'
        } else {
            c.to_ascii_lowercase()
        });
    }
    out
}

/// `answer` with a `#/components/responses/...` reference followed.
fn resolve(answer: &Value, shared: &Value) -> Option<Value> {
    match answer.get("$ref").and_then(Value::as_str) {
        None => Some(answer.clone()),
        Some(reference) => {
            let name = reference.strip_prefix("#/components/responses/")?;
            shared.get(name).cloned()
        }
    }
}

/// The schema of an answer's JSON body; `None` without a body.
fn body_schema(answer: &Value, id: &str, status: &str) -> Result<Option<Value>, String> {
    let Some(content) = answer.get("content").and_then(Value::as_object) else {
        return Ok(None);
    };
    match content.len() {
        0 => Ok(None),
        1 => Ok(content
            .values()
            .next()
            .and_then(|media| media.get("schema"))
            .cloned()),
        n => Err(format!(
            "{id}: the answer {status} has {n} media types (not handled)"
        )),
    }
}

/// A schema's component name, or "an inline schema".
fn schema_name(schema: &Value) -> String {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .map_or_else(|| "an inline schema".to_owned(), str::to_owned)
}

/// `send_sms` → `SendSms`.
fn pascal(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Value {
        json!({
            "paths": {
                "/send": {"post": {"operationId": "send_sms", "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ok"}}}},
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "422": {"description": "invalid", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Invalid"}}}},
                    "429": {"description": "slow down", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                }}},
                "/one": {"get": {"operationId": "one", "responses": {
                    "200": {"description": "ok"},
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                    "500": {"description": "down", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                }}}
            },
            "components": {
                "schemas": {"Ok": {}, "Error": {}, "Invalid": {}},
                "responses": {"Unauthorized": {"description": "no", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}
            }
        })
    }

    #[test]
    fn different_error_bodies_share_one_schema_in_the_copy() {
        let mut copy = spec();
        let changes = peer_copy(&mut copy).expect("copied");
        assert_eq!(
            changes,
            [
                "send_sms: error answers 401/429 (Error), 422 (Invalid) point at one schema, \
              SendSmsPeerError = anyOf of those bodies"
            ]
        );
        let merged = &copy["components"]["schemas"]["SendSmsPeerError"]["anyOf"];
        assert_eq!(
            merged,
            &json!([{"$ref": "#/components/schemas/Error"}, {"$ref": "#/components/schemas/Invalid"}])
        );
        let answers = &copy["paths"]["/send"]["post"]["responses"];
        for status in ["401", "422", "429"] {
            assert_eq!(
                answers[status]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/SendSmsPeerError",
                "{status}"
            );
        }
        // The shared response is followed, not changed; the success answer is untouched.
        assert_eq!(answers["401"]["description"], "no");
        assert_eq!(
            copy["components"]["responses"],
            spec()["components"]["responses"]
        );
        assert_eq!(
            answers["200"],
            spec()["paths"]["/send"]["post"]["responses"]["200"]
        );
        // One error body: nothing to do.
        assert_eq!(copy["paths"]["/one"], spec()["paths"]["/one"]);
    }

    #[test]
    fn a_path_parameter_named_like_a_query_parameter_is_renamed_in_the_copy() {
        let mut copy = json!({
            "paths": {
                "/c/{client_id}/calc": {
                    "parameters": [{"$ref": "#/components/parameters/ClientId"}],
                    "get": {"operationId": "calc", "parameters": [
                        {"name": "clientId", "in": "query", "required": true}
                    ], "responses": {}}
                },
                "/c/{client_id}/other": {
                    "parameters": [{"$ref": "#/components/parameters/ClientId"}],
                    "get": {"operationId": "other", "responses": {}}
                }
            },
            "components": {"schemas": {}, "parameters": {"ClientId": {"name": "client_id", "in": "path", "required": true}}}
        });
        let changes = peer_copy(&mut copy).expect("copied");
        assert_eq!(
            changes,
            [
                "/c/{client_id}/calc: the path parameter `client_id` is renamed `client_id_in_path` \
              (progenitor would name it and the query parameter `clientId` alike)"
            ]
        );
        let item = &copy["paths"]["/c/{client_id_in_path}/calc"];
        assert_eq!(item["parameters"][0]["name"], "client_id_in_path");
        assert_eq!(item["get"]["parameters"][0]["name"], "clientId");
        assert!(copy["paths"].get("/c/{client_id}/calc").is_none());
        // Without a collision the path stays as it was, its parameter shared.
        assert_eq!(
            copy["paths"]["/c/{client_id}/other"]["parameters"][0]["$ref"],
            "#/components/parameters/ClientId"
        );
        assert_eq!(snake("clientId"), "client_id");
        assert_eq!(snake("x-reference-id"), "x_reference_id");
    }

    #[test]
    fn what_is_not_handled_is_an_error() {
        let mut bodiless = spec();
        bodiless["paths"]["/send"]["post"]["responses"]["404"] = json!({"description": "gone"});
        let error = peer_copy(&mut bodiless).expect_err("a bodiless error beside bodies");
        assert!(
            error.contains("send_sms: error answers 404 have no body"),
            "{error}"
        );
        let mut dangling = spec();
        dangling["components"]["responses"] = json!({});
        let error = peer_copy(&mut dangling).expect_err("a dangling $ref");
        assert!(error.contains("unresolved $ref"), "{error}");
        assert_eq!(pascal("get_auth_token"), "GetAuthToken");
    }
}
