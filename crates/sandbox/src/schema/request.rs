//! A request against its operation: headers, query parameters and body, as a provider's
//! validation layer would see them before the operation runs.

use axum::http::HeaderMap;
use serde_json::{Map, Value};

use super::{Leniency, Location, Operation, Spec, Violation, media_type};
use crate::common::wire::{header, pairs};

impl Spec {
    /// Every way a request departs from `op`'s parameters and request body: a required
    /// header, query parameter or body property missing, or one whose value breaks its
    /// schema (type, bounds, lengths, enum, format). Path parameters are the router's: a
    /// path that matches the template has them. Properties the schema does not declare are
    /// let through, as the providers' frameworks ignore them; patterns are left to the
    /// handlers, which phrase them as their provider does. `leniency` says how the
    /// provider's framework reads scalars.
    pub fn check_request(
        &self,
        op: &Operation,
        headers: &HeaderMap,
        query: Option<&str>,
        body: &[u8],
        leniency: Leniency,
    ) -> Vec<Violation> {
        let mut out = Vec::new();
        let query = pairs(query.unwrap_or(""));
        for parameter in &op.parameters {
            let parameter = self.resolve(parameter);
            let Some(name) = parameter["name"].as_str() else {
                continue;
            };
            let (location, value) = match parameter["in"].as_str() {
                Some("header") => (Location::Header, header(headers, name)),
                Some("query") => {
                    let value = query.iter().find(|(key, _)| key == name);
                    (Location::Query, value.map(|(_, value)| value.as_str()))
                }
                _ => continue,
            };
            let start = out.len();
            match value {
                None if parameter["required"] == true => out.push(Violation::missing(name)),
                None => {}
                Some(text) => {
                    let schema = self.resolve(&parameter["schema"]);
                    let value = typed(self, schema, text);
                    self.validate_as(schema, &value, name, leniency, &mut out);
                    // A parameter is text on the wire: the provider echoes the text.
                    for violation in &mut out[start..] {
                        violation.value = Some(Value::String(text.to_owned()));
                    }
                }
            }
            for violation in &mut out[start..] {
                violation.location = location;
            }
        }
        self.check_body(op, headers, body, leniency, &mut out);
        out
    }

    fn check_body(
        &self,
        op: &Operation,
        headers: &HeaderMap,
        body: &[u8],
        leniency: Leniency,
        out: &mut Vec<Violation>,
    ) {
        let request_body = self.resolve(&op.request_body);
        let Some(content) = request_body["content"].as_object() else {
            return;
        };
        let sent = header(headers, "content-type").map(media_type);
        if body.iter().all(u8::is_ascii_whitespace) {
            // Laravel reads no body as no fields: each required one is missing.
            if leniency.blank_is_absent
                && let Some(media) = content.get("application/json")
            {
                let empty = Value::Object(Map::new());
                self.validate_as(&media["schema"], &empty, "", leniency, out);
            } else if request_body["required"] == true {
                out.push(Violation::missing(""));
            }
            return;
        }
        let form = "application/x-www-form-urlencoded";
        // A content type the operation does not take is the handler's to refuse (415, 406).
        if sent
            .as_deref()
            .is_some_and(|sent| !content.contains_key(sent) && !sent.ends_with("json"))
        {
            return;
        }
        let (media, value) = match sent.as_deref() {
            Some(media) if media == form && content.contains_key(form) => {
                let schema = self.resolve(&content[form]["schema"]);
                (form, form_object(self, schema, body))
            }
            // Anything else is read as JSON, as the providers' frameworks do when the body
            // looks like it: a missing or wrong content type is not what this checks.
            _ => match serde_json::from_slice::<Value>(body) {
                // Laravel reads a body that is not an object as no fields.
                Ok(value) if leniency.blank_is_absent && !value.is_object() => {
                    ("application/json", Value::Object(Map::new()))
                }
                Ok(value) => ("application/json", value),
                Err(_) if leniency.blank_is_absent => {
                    ("application/json", Value::Object(Map::new()))
                }
                Err(e) => {
                    out.push(Violation::invalid("", format!("not JSON ({e})")));
                    return;
                }
            },
        };
        let Some(schema) = content.get(media).map(|m| &m["schema"]) else {
            return;
        };
        self.validate_as(schema, &value, "", leniency, out);
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
    use crate::schema::Rule;

    fn json() -> HeaderMap {
        let mut headers = HeaderMap::new();
        let json = HeaderValue::from_static("application/json");
        headers.insert(axum::http::header::CONTENT_TYPE, json);
        headers
    }

    #[test]
    fn a_body_field_left_out_or_of_the_wrong_type_is_named() {
        let spec = Spec::of("netfinity").expect("known");
        let send = spec.operation("send_sms").expect("in the spec");
        let json = json();
        let check = |body: &[u8], leniency| spec.check_request(send, &json, None, body, leniency);
        let strict = Leniency::STRICT;
        assert_eq!(
            check(br#"{"text": "hi"}"#, strict),
            [Violation::missing("msisdn")]
        );
        assert_eq!(
            check(br#"{"msisdn": 359881234567, "text": "hi"}"#, strict),
            [Violation::new(
                "msisdn",
                Rule::Type("string"),
                "expected string, got 359881234567"
            )
            .with_value(&serde_json::json!(359881234567_u64))]
        );
        let long = format!(
            r#"{{"msisdn": "359881234567", "text": "{}"}}"#,
            "a".repeat(161)
        );
        assert_eq!(
            check(long.as_bytes(), strict),
            [
                Violation::new("text", Rule::MaxLength(160.0), "161 is over maxLength 160")
                    .with_value(&Value::String("a".repeat(161)))
            ]
        );
        assert_eq!(
            check(b"{", strict),
            [Violation::invalid(
                "",
                "not JSON (EOF while parsing an object at line 1 column 1)"
            )]
        );
        assert_eq!(check(b" ", strict), [Violation::missing("")]);
    }

    #[test]
    fn laravel_reads_a_blank_as_absent_and_null_as_missing() {
        let spec = Spec::of("netfinity").expect("known");
        let send = spec.operation("send_sms").expect("in the spec");
        let json = json();
        let check = |body: &[u8], leniency| spec.check_request(send, &json, None, body, leniency);
        let blank = br#"{"msisdn": "  ", "text": null, "id": ""}"#;
        assert_eq!(
            check(blank, Leniency::LARAVEL),
            [Violation::missing("msisdn"), Violation::missing("text")]
        );
        let strict = check(blank, Leniency::STRICT);
        assert!(
            strict.contains(
                &Violation::new(
                    "text",
                    Rule::Type("string"),
                    "null, but the schema is not nullable"
                )
                .with_value(&Value::Null)
            ),
            "{strict:?}"
        );
    }

    #[test]
    fn query_parameters_are_read_as_their_schema_types() {
        let spec = Spec::of("fl3xx").expect("known");
        let flights = spec.operation("list_flights").expect("in the spec");
        let none = HeaderMap::new();
        let check = |query| spec.check_request(flights, &none, Some(query), b"", Leniency::JACKSON);
        assert_eq!(
            check("limit=10"),
            [Violation::missing("filter").at(Location::Query)]
        );
        let text = |t: &str| Value::String(t.to_owned());
        assert_eq!(
            check("filter=x&limit=ten"),
            [Violation::new(
                "limit",
                Rule::Type("integer"),
                "expected integer, got \"ten\""
            )
            .at(Location::Query)
            .with_value(&text("ten"))]
        );
        assert_eq!(
            check("filter=x&limit=51&offset=-1"),
            [
                Violation::new("limit", Rule::Maximum(50.0), "51 is over maximum 50")
                    .at(Location::Query)
                    .with_value(&text("51")),
                Violation::new("offset", Rule::Minimum(0.0), "-1 is under minimum 0")
                    .at(Location::Query)
                    .with_value(&text("-1")),
            ]
        );
        assert_eq!(check("filter=x&limit=50&offset=0"), []);
    }
}
