//! A request the spec's schemas refuse, answered as the provider would: with every problem at
//! once. The real APIs validate a request in one pass (Laravel's validator, Spring's
//! `@Valid`, express-validator), so a request that breaks a schema rule and a rule only the
//! emulator knows (an unknown customer, a field required unless another is set, an
//! alphabet) gets both. The emulator's own answer is worked out on a scratch copy of its
//! state, so nothing it does there happens; when that answer is its validation refusal,
//! the schema's problems join it for the fields it does not name, in the provider's words.

use axum::body::to_bytes;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::routes::MAX_BODY_BYTES;

/// An answer's status and JSON body (`Null` for an empty or non-JSON body).
pub(crate) async fn read_json(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let body = to_bytes(response.into_body(), MAX_BODY_BYTES)
        .await
        .unwrap_or_default();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Whether `field` is among `named`, or inside one of them, or holds one of them
/// (`financing_option` and `financing_option.plan_id` are about the same input).
pub(crate) fn named<'a>(mut named: impl Iterator<Item = &'a str>, field: &str) -> bool {
    let within = |outer: &str, inner: &str| {
        inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    };
    named.any(|name| within(name, field) || within(field, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_and_its_parts_are_the_same_input() {
        let names = ["financing_option.plan_id", "amount", "items[0]"];
        for field in ["financing_option", "amount", "items", "items[0].sku"] {
            assert!(named(names.into_iter(), field), "{field}");
        }
        for field in ["financing", "amounts", "item"] {
            assert!(!named(names.into_iter(), field), "{field}");
        }
    }
}
