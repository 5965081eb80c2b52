//! A request against its operation: headers, query parameters and body, as a provider's
//! validation layer would see them before the operation runs.

use axum::http::HeaderMap;
use serde_json::{Map, Value};

use super::{Operation, Spec, Violation, media_type};
use crate::common::wire::{header, pairs};

impl Spec {
    /// Every way a request departs from `op`'s parameters and request body: a required
    /// header, query parameter or body property missing, or one whose value breaks its
    /// schema (type, bounds, lengths, enum, format). Path parameters are the router's: a
    /// path that matches the template has them. Properties the schema does not declare are
    /// let through, as the providers' frameworks ignore them.
    pub fn check_request(
        &self,
        op: &Operation,
        headers: &HeaderMap,
        query: Option<&str>,
        body: &[u8],
    ) -> Vec<Violation> {
        let mut out = Vec::new();
        let query = pairs(query.unwrap_or(""));
        for parameter in &op.parameters {
            let parameter = self.resolve(parameter);
            let Some(name) = parameter["name"].as_str() else {
                continue;
            };
            let value = match parameter["in"].as_str() {
                Some("header") => header(headers, name),
                Some("query") => query
                    .iter()
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| value.as_str()),
                _ => continue,
            };
            match value {
                None if parameter["required"] == true => out.push(Violation::missing(name)),
                None => {}
                Some(text) => {
                    let schema = self.resolve(&parameter["schema"]);
                    self.validate(schema, &typed(self, schema, text), name, &mut out);
                }
            }
        }
        self.check_body(op, headers, body, &mut out);
        out
    }

    fn check_body(
        &self,
        op: &Operation,
        headers: &HeaderMap,
        body: &[u8],
        out: &mut Vec<Violation>,
    ) {
        let request_body = self.resolve(&op.request_body);
        let Some(content) = request_body["content"].as_object() else {
            return;
        };
        let sent = header(headers, "content-type").map(media_type);
        if body.iter().all(u8::is_ascii_whitespace) {
            if request_body["required"] == true {
                out.push(Violation::missing(""));
            }
            return;
        }
        let form = "application/x-www-form-urlencoded";
        let (media, value) = match sent.as_deref() {
            Some(media) if media == form && content.contains_key(form) => {
                let schema = self.resolve(&content[form]["schema"]);
                (form, form_object(self, schema, body))
            }
            // Anything else is read as JSON, as the providers' frameworks do when the body
            // looks like it: a missing or wrong content type is not what this checks.
            _ => match serde_json::from_slice::<Value>(body) {
                Ok(value) => ("application/json", value),
                Err(e) => {
                    out.push(Violation::invalid("", format!("not JSON ({e})")));
                    return;
                }
            },
        };
        let Some(schema) = content.get(media).map(|m| &m["schema"]) else {
            return;
        };
        self.validate(schema, &value, "", out);
    }
}

/// A parameter's or a form field's text as the JSON value its schema expects, when it reads
/// as one (`"5"` as 5 for an integer); otherwise the text, which the schema then refuses.
fn typed(spec: &Spec, schema: &Value, text: &str) -> Value {
    let schema = spec.resolve(schema);
    let parsed = match schema["type"].as_str() {
        Some("integer") => text.parse::<i64>().ok().map(Value::from),
        Some("number") => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        Some("boolean") => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(text.to_owned()))
}

/// A form body as an object of its fields (the first of a repeated name), each typed by its
/// property's schema.
fn form_object(spec: &Spec, schema: &Value, body: &[u8]) -> Value {
    let properties = &spec.resolve(schema)["properties"];
    let mut object = Map::new();
    for (name, text) in pairs(&String::from_utf8_lossy(body)) {
        if object.contains_key(&name) {
            continue;
        }
        let value = typed(spec, &properties[name.as_str()], &text);
        object.insert(name, value);
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn a_body_field_left_out_or_of_the_wrong_type_is_named() {
        let spec = Spec::of("netfinity").expect("known");
        let send = spec.operation("send_sms").expect("in the spec");
        let json = headers(&[("content-type", "application/json")]);
        let problems = spec.check_request(send, &json, None, br#"{"text": "hi"}"#);
        assert!(
            problems.contains(&Violation::missing("msisdn")),
            "{problems:?}"
        );
        let problems = spec.check_request(
            send,
            &json,
            None,
            br#"{"msisdn": 359881234567, "text": "hi"}"#,
        );
        assert!(
            problems.iter().any(|p| p.field == "msisdn" && !p.missing),
            "{problems:?}"
        );
        assert_eq!(
            spec.check_request(send, &json, None, b"{"),
            [Violation::invalid(
                "",
                "not JSON (EOF while parsing an object at line 1 column 1)"
            )]
        );
        assert_eq!(
            spec.check_request(send, &json, None, b" "),
            [Violation::missing("")]
        );
    }
}
