//! Why a field of an answer is an `Option`. A user of a first-class SDK expects a field the
//! documents guarantee on a success answer to be a plain value; every field that stays
//! optional must say why (`x-optional: reason`, on the property or, for all its optional
//! properties, on the schema), and the reason ends up in the field's doc.
//!
//! Request-only schemas are exempt: their optional fields are optional inputs.

use std::collections::BTreeSet;

use super::spec::{AdditionalProperties, Response, Schema, Spec};

const SCHEMA_PREFIX: &str = "#/components/schemas/";
const RESPONSE_PREFIX: &str = "#/components/responses/";

/// The component schemas only ever sent: reachable from a request body or a parameter and
/// from no response. Everything else (answers, error bodies, and schemas no operation names,
/// such as webhook and pingback payloads) is decoded from what a server sends.
pub fn sent_only(spec: &Spec) -> BTreeSet<String> {
    let mut sent = Vec::new();
    let mut received = Vec::new();
    for (_, path) in spec.paths.iter() {
        for parameter in &path.parameters {
            sent.extend(parameter.schema.iter());
        }
        for (_, operation) in path.operations() {
            for parameter in &operation.parameters {
                sent.extend(parameter.schema.iter());
            }
            if let Some(body) = &operation.request_body {
                sent.extend(body.content.iter().filter_map(|(_, m)| m.schema.as_ref()));
            }
            for (_, response) in operation.responses.iter() {
                received.extend(response_schemas(spec, response));
            }
        }
    }
    for (_, response) in spec.components.responses.iter() {
        received.extend(response_schemas(spec, response));
    }
    let sent = reachable(spec, sent);
    let received = reachable(spec, received);
    sent.difference(&received).cloned().collect()
}

/// The reason a property of a decoded struct may be absent, or the error naming it.
pub fn reason<'a>(schema: &'a Schema, property: &'a Schema, at: &str) -> Result<&'a str, String> {
    match property
        .x_optional
        .as_deref()
        .or(schema.x_optional.as_deref())
    {
        Some(reason) if !reason.trim().is_empty() => Ok(reason.trim()),
        _ => Err(format!(
            "{at}: an optional field of a schema decoded from answers needs a reason: \
             `x-optional: <why the documents do not guarantee it>` on the property or on its \
             schema (or make it `required` when the documents guarantee it)"
        )),
    }
}

fn response_schemas<'a>(spec: &'a Spec, response: &'a Response) -> Vec<&'a Schema> {
    let response = match response.reference.as_deref() {
        Some(reference) => match reference
            .strip_prefix(RESPONSE_PREFIX)
            .and_then(|name| spec.components.responses.get(name))
        {
            Some(found) => found,
            None => return Vec::new(),
        },
        None => response,
    };
    response
        .content
        .iter()
        .filter_map(|(_, media)| media.schema.as_ref())
        .collect()
}

/// The component schemas `roots` name, directly or through properties, items and other
/// components.
fn reachable<'a>(spec: &'a Spec, mut stack: Vec<&'a Schema>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    while let Some(schema) = stack.pop() {
        if let Some(name) = schema
            .reference
            .as_deref()
            .and_then(|r| r.strip_prefix(SCHEMA_PREFIX))
            && found.insert(name.to_owned())
        {
            stack.extend(spec.components.schemas.get(name));
        }
        stack.extend(schema.properties.iter().map(|(_, p)| p));
        stack.extend(schema.items.as_deref());
        if let Some(AdditionalProperties::Schema(values)) = &schema.additional_properties {
            stack.push(values);
        }
    }
    found
}
