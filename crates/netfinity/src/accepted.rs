//! The answer to an accepted send.

use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// What the API answered when it accepted a message (HTTP 200).
///
/// The documentation does not show this body. We expect Netfinity's `uuid` (the identifier
/// every pingback carries) and your `id`, and keep the whole body as received
/// ([`SmsAccepted::raw`]): an empty body, another shape, or extra fields all decode without
/// error.
///
/// Accepted means "queued for processing", not delivered: delivery is reported by pingbacks.
///
/// ```
/// let accepted: netfinity::SmsAccepted =
///     serde_json::from_str(r#"{"uuid": "u-1", "id": 123, "queued": true}"#)?;
/// assert_eq!(accepted.uuid.as_deref(), Some("u-1"));
/// assert_eq!(accepted.id.as_deref(), Some("123"));
/// assert_eq!(accepted.raw()["queued"], true);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct SmsAccepted {
    /// Netfinity's identifier of the request, when the body carries one.
    pub uuid: Option<String>,
    /// Your identifier, when the body echoes it.
    pub id: Option<String>,
    // The body's text, read into a `Value` only when asked: building one for every send
    // cost 3-4% of the client's throughput (docs/performance.md).
    raw: Box<RawValue>,
    /// How many times the client sent the message (1 when decoded outside the client).
    attempts: u32,
}

/// What to match a message's pingbacks by ([`SmsAccepted::track`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Track<'a> {
    /// Netfinity's `uuid` of this answer: the message was sent once, so the pingbacks that
    /// carry this `uuid` are the message's.
    Uuid(&'a str),
    /// The `id` you gave the message: it was sent more than once (after a timeout or a
    /// 502/503/504; only a message with an `id` is), so this answer's `uuid` may be the
    /// repeat's. When the first send went through, its `uuid` was lost with its answer: it is
    /// delivered, while the repeat's pingback is the flood-protection 401. Every pingback
    /// echoes your `id`.
    Id,
    /// Neither: the answer carried no `uuid`.
    Nothing,
}

impl SmsAccepted {
    /// What to match this message's pingbacks by: the `uuid` when the client sent the
    /// message once, your `id` when it sent it again (see [`Track::Id`]).
    ///
    /// ```
    /// let accepted: netfinity::SmsAccepted = serde_json::from_str(r#"{"uuid": "u-1"}"#)?;
    /// assert_eq!(accepted.track(), netfinity::Track::Uuid("u-1"));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn track(&self) -> Track<'_> {
        match &self.uuid {
            _ if self.attempts > 1 => Track::Id,
            Some(uuid) => Track::Uuid(uuid),
            None => Track::Nothing,
        }
    }

    /// How many times the client sent the message for this answer.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Records how many times the client sent the message for this answer.
    pub(crate) fn sent(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// The body as received (`{}` when it was empty), decoded.
    pub fn raw(&self) -> serde_json::Value {
        // Valid JSON by construction: it was read as a JSON value.
        serde_json::from_str(self.raw.get()).unwrap_or_default()
    }

    /// The body as received (`{}` when it was empty), as JSON text.
    pub fn raw_json(&self) -> &str {
        self.raw.get()
    }
}

impl Default for SmsAccepted {
    fn default() -> Self {
        Self {
            uuid: None,
            id: None,
            raw: empty_object(),
            attempts: 1,
        }
    }
}

fn empty_object() -> Box<RawValue> {
    RawValue::from_string("{}".to_owned()).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

impl PartialEq for SmsAccepted {
    fn eq(&self, other: &Self) -> bool {
        (&self.uuid, &self.id, self.raw.get()) == (&other.uuid, &other.id, other.raw.get())
    }
}

impl fmt::Debug for SmsAccepted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsAccepted")
            .field("uuid", &self.uuid)
            .field("id", &self.id)
            .field("raw", &self.raw.get())
            .finish()
    }
}

impl<'de> Deserialize<'de> for SmsAccepted {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// The two fields we read; anything else in the body is skipped.
        #[derive(Deserialize)]
        struct Known {
            #[serde(default)]
            uuid: Option<Scalar>,
            #[serde(default)]
            id: Option<Scalar>,
        }
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        // Another shape (a string, an array) has neither.
        let known = serde_json::from_str(raw.get()).unwrap_or(Known {
            uuid: None,
            id: None,
        });
        Ok(Self {
            uuid: known.uuid.and_then(|s| s.0),
            id: known.id.and_then(|s| s.0),
            raw,
            attempts: 1,
        })
    }
}

/// A field's value as `api_core::scalar_text` gives it (a string as is, a number or a bool
/// as its JSON text, `None` for null, an array or an object), read without building a
/// `serde_json::Value` first.
struct Scalar(Option<String>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};

        struct Text;

        impl<'de> Visitor<'de> for Text {
            type Value = Scalar;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_owned())))
            }

            fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar(Some(v)))
            }

            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }

            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(Some(serde_json::Number::from(v).to_string())))
            }

            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(Some(serde_json::Number::from(v).to_string())))
            }

            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                // As a `serde_json::Value` keeps it: a number unless not finite (then null).
                Ok(Scalar(
                    serde_json::Number::from_f64(v).map(|n| n.to_string()),
                ))
            }

            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }

            fn visit_none<E>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar(None))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar(None))
            }
        }

        deserializer.deserialize_any(Text)
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
        assert_eq!(a.raw()["queued"], true);
        assert_eq!(a.raw_json(), r#"{"uuid":"u-1","id":"123","queued":true}"#);
        let a: SmsAccepted = serde_json::from_str(r#"{"id":123,"uuid":null}"#).expect("number id");
        assert_eq!((a.uuid, a.id.as_deref()), (None, Some("123")));
        let a: SmsAccepted =
            serde_json::from_str(r#"{"id":{"nested":1},"uuid":"u-2"}"#).expect("object id");
        assert_eq!((a.uuid.as_deref(), a.id), (Some("u-2"), None));
        let a: SmsAccepted = serde_json::from_str(r#""OK""#).expect("string");
        assert_eq!((a.uuid, a.id), (None, None));
        let a: SmsAccepted = serde_json::from_str("[]").expect("array");
        assert_eq!(a.raw(), serde_json::json!([]));
    }

    #[test]
    fn reads_each_field_as_scalar_text_of_its_value_does() {
        // What the fields were read as before: a `serde_json::Value`, then `scalar_text`.
        #[derive(Deserialize)]
        struct Known {
            #[serde(default)]
            uuid: Option<serde_json::Value>,
            #[serde(default)]
            id: Option<serde_json::Value>,
        }
        let text = |v: Option<serde_json::Value>| v.and_then(|v| api_core::scalar_text(&v));
        let values = [
            r#""u-1""#,
            r#""""#,
            r#""é\n\u00e9""#,
            "0",
            "123",
            "-7",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775809",
            "1.5",
            "1e3",
            "-0.0",
            "1E400",
            "true",
            "false",
            "null",
            "[]",
            "[1,[2]]",
            "{}",
            r#"{"a":{"b":[1]}}"#,
        ];
        for value in values {
            for body in [
                format!(r#"{{"uuid":{value},"id":{value},"x":1}}"#),
                format!(r#"{{"uuid":{value},"uuid":1}}"#),
                format!("[{value},{value}]"),
                format!("[{value}]"),
            ] {
                let expected = serde_json::from_str::<Known>(&body)
                    .map_or((None, None), |k| (text(k.uuid), text(k.id)));
                let Ok(a) = serde_json::from_str::<SmsAccepted>(&body) else {
                    // Not JSON to either (a number beyond f64).
                    assert!(
                        serde_json::from_str::<serde_json::Value>(&body).is_err(),
                        "{body}"
                    );
                    continue;
                };
                assert_eq!((a.uuid, a.id), expected, "{body}");
            }
        }
    }

    #[test]
    fn default_equality_and_debug() {
        let empty = SmsAccepted::default();
        assert_eq!(empty.raw(), serde_json::json!({}));
        let decoded: SmsAccepted = serde_json::from_str("{}").expect("empty object");
        assert_eq!(decoded, empty);
        assert_ne!(
            serde_json::from_str::<SmsAccepted>(r#"{"x":1}"#).expect("object"),
            empty
        );
        assert_eq!(
            format!("{empty:?}"),
            r#"SmsAccepted { uuid: None, id: None, raw: "{}" }"#
        );
    }
}
