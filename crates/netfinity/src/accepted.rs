//! The answer to an accepted send.

use serde::{Deserialize, Deserializer};

/// What the API answered when it accepted a message (HTTP 200).
///
/// The documentation does not show this body. We expect Netfinity's `uuid` (the identifier
/// every pingback carries) and your `id`, and keep the whole body in [`SmsAccepted::raw`]:
/// an empty body, another shape, or extra fields all decode without error.
///
/// Accepted means "queued for processing", not delivered: delivery is reported by pingbacks.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct SmsAccepted {
    /// Netfinity's identifier of the request, when the body carries one.
    pub uuid: Option<String>,
    /// Your identifier, when the body echoes it.
    pub id: Option<String>,
    /// The body as received (`{}` when it was empty).
    pub raw: serde_json::Value,
}

impl<'de> Deserialize<'de> for SmsAccepted {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = serde_json::Value::deserialize(deserializer)?;
        let text = |key: &str| raw.get(key).and_then(api_core::scalar_text);
        Ok(Self {
            uuid: text("uuid"),
            id: text("id"),
            raw,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_any_json_body() {
        let a: SmsAccepted =
            serde_json::from_str(r#"{"uuid":"u-1","id":"123","queued":true}"#).expect("object");
        assert_eq!(a.uuid.as_deref(), Some("u-1"));
        assert_eq!(a.id.as_deref(), Some("123"));
        assert_eq!(a.raw["queued"], true);
        let a: SmsAccepted = serde_json::from_str(r#"{"id":123,"uuid":null}"#).expect("number id");
        assert_eq!((a.uuid, a.id.as_deref()), (None, Some("123")));
        let a: SmsAccepted = serde_json::from_str(r#""OK""#).expect("string");
        assert_eq!((a.uuid, a.id), (None, None));
        let a: SmsAccepted = serde_json::from_str("[]").expect("array");
        assert_eq!(a.raw, serde_json::json!([]));
    }
}
