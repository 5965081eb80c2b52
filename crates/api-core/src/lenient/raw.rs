//! The raw-text machinery: asking serde_json for a value's JSON text as written, so that a
//! number keeps every digit, with a fallback for every deserializer that does not hand it over.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::scalar::{Reading, Refusal, Scalar};

/// The newtype-struct name for which serde_json's deserializers hand over a value's JSON
/// text: a map of one entry whose value is the text (serde_json's `raw.rs`, `TOKEN`; it is
/// how `serde_json::value::RawValue` decodes, with the `raw_value` feature). Its `Value`
/// deserializers hand over the value written out again.
///
/// The name is private to serde_json. Any other deserializer (serde's buffer for untagged
/// enums and `flatten`, a `serde_json` without the feature, other formats) calls
/// `visit_newtype_struct` instead, and the readers fall back to `deserialize_any`, where a
/// float that may have lost digits is refused
/// ([`float_is_exact`](super::scalar::float_is_exact)), never rounded. Were serde_json to
/// rename it, JSON would take that path too: the test `the_raw_text_token_still_works` would
/// then fail.
pub(super) const RAW_VALUE: &str = "$serde_json::private::RawValue";

/// Reads one scalar as `what` from its JSON text when the deserializer hands it over, else
/// through `deserialize_any`; `null` is `None` when `optional`, an error otherwise.
#[inline]
pub(crate) fn read<'de, D: Deserializer<'de>, R: Reading>(
    deserializer: D,
    what: R,
    optional: bool,
) -> Result<Option<R::Out>, D::Error> {
    deserializer.deserialize_newtype_struct(RAW_VALUE, Exact(Scalar { what, optional }))
}

/// [`Scalar`], asked for through [`RAW_VALUE`]: serde_json answers with a map holding the
/// value's text; other deserializers with `visit_newtype_struct` (read the value as usual) or,
/// when they treat a newtype struct as any value, with the value itself.
struct Exact<R>(Scalar<R>);

impl<'de, R: Reading> serde::de::Visitor<'de> for Exact<R> {
    type Value = Option<R::Out>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(R::EXPECTED)
    }

    #[inline]
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        if map.next_key_seed(RawKey)? != Some(true) {
            return Err(Scalar::<R>::refused(Refusal::Mismatch, "an object"));
        }
        let raw = map.next_value_seed(RawText)?;
        // Read here rather than inside `next_value_seed`: an error then names the field, not
        // the field plus serde_json's private key (serde_path_to_error tracks keys).
        self.0.on_raw(&raw)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self.0)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.visit_str(v)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.0.visit_u64(v)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.0.visit_i64(v)
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Self::Value, E> {
        self.0.visit_u128(v)
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Self::Value, E> {
        self.0.visit_i128(v)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.0.visit_f64(v)
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.0.visit_bool(v)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(d)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(a)
    }
}

/// The key of serde_json's raw-text map: `true` when it is [`RAW_VALUE`].
struct RawKey;

impl<'de> serde::de::DeserializeSeed<'de> for RawKey {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RawKey {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == RAW_VALUE)
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<bool, E> {
        Ok(false)
    }
}

/// The value of serde_json's raw-text map: borrowed from the input when read from a slice or
/// a `str` (no copy), owned when read from a reader or written out from a `Value`.
struct RawText;

impl<'de> serde::de::DeserializeSeed<'de> for RawText {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RawText {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a value's JSON text")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// What [`TextOrValue`] makes of a value's JSON text, or of the `Value` a deserializer that
/// does not hand the text over gives.
pub(super) trait FromJson {
    type Out;
    fn text<E: serde::de::Error>(self, raw: &str) -> Result<Self::Out, E>;
    fn value<E: serde::de::Error>(self, value: Value) -> Result<Self::Out, E>;
}

/// Asks for a value's JSON text through [`RAW_VALUE`]; a deserializer that does not hand it
/// over gives a `serde_json::Value` instead.
pub(super) struct TextOrValue<F>(pub(super) F);

impl<'de, F: FromJson> serde::de::Visitor<'de> for TextOrValue<F> {
    type Value = F::Out;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let first = match map.next_key_seed(KeyOrRaw)? {
            Some(Key::Raw) => {
                let raw = map.next_value_seed(RawText)?;
                return self.0.text(&raw);
            }
            Some(Key::Name(name)) => Some(name),
            None => None,
        };
        // A deserializer that hands over a newtype struct as any value, and this is a map.
        let mut object = serde_json::Map::new();
        if let Some(name) = first {
            object.insert(name, map.next_value()?);
            while let Some((name, value)) = map.next_entry::<String, Value>()? {
                object.insert(name, value);
            }
        }
        self.0.value(Value::Object(object))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.value(Value::deserialize(d)?)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.value(Value::deserialize(d)?)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let value = Value::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
        self.0.value(value)
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.0.value(Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.0.value(Value::from(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.0.value(Value::from(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.0.value(Value::from(v))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.value(Value::from(v))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.0.value(Value::Null)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.0.value(Value::Null)
    }
}

/// A map's first key, for [`TextOrValue`]: serde_json's raw-text key or any other.
enum Key {
    Raw,
    Name(String),
}

struct KeyOrRaw;

impl<'de> serde::de::DeserializeSeed<'de> for KeyOrRaw {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeyOrRaw {
    type Value = Key;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(if v == RAW_VALUE {
            Key::Raw
        } else {
            Key::Name(v.to_owned())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lenient::{f64, string, u64};

    /// Guards serde_json's private `RAW_VALUE` name: were it renamed or dropped, an integer
    /// beyond `u64` would reach the readers as a float and be refused, and this would fail.
    #[test]
    fn the_raw_text_token_still_works() {
        #[derive(Deserialize)]
        struct T {
            id: crate::Id,
        }
        let json = r#"{"id": 18446744073709551617}"#;
        let from_slice: T = serde_json::from_slice(json.as_bytes()).expect("slice");
        let from_str: T = serde_json::from_str(json).expect("str");
        let from_reader: T = serde_json::from_reader(json.as_bytes()).expect("reader");
        for t in [from_slice, from_str, from_reader] {
            assert_eq!(&*t.id.text(), "18446744073709551617");
        }
    }

    #[test]
    fn an_error_names_the_field_not_serde_jsons_private_key() {
        #[derive(Debug, Deserialize)]
        struct T {
            #[expect(dead_code, reason = "only the error is read")]
            #[serde(deserialize_with = "u64")]
            n: u64,
        }
        let json = br#"{"n": 18446744073709551616}"#;
        let mut deserializer = serde_json::Deserializer::from_slice(json);
        let error = serde_path_to_error::deserialize::<_, T>(&mut deserializer).expect_err("big");
        assert_eq!(error.path().to_string(), "n");
        assert!(
            error
                .inner()
                .to_string()
                .starts_with("expected a whole number, found 18446744073709551616: more than"),
            "{error}"
        );
    }

    #[test]
    fn other_deserializers_take_the_usual_path() {
        use serde::de::IntoDeserializer;
        use serde::de::value::Error;
        let text: String =
            string(IntoDeserializer::<Error>::into_deserializer(12u64)).expect("u64");
        assert_eq!(text, "12");
        let text: String = string(IntoDeserializer::<Error>::into_deserializer(
            u128::from(u64::MAX) + 1,
        ))
        .expect("u128");
        assert_eq!(text, "18446744073709551616");
        let n = u64(IntoDeserializer::<Error>::into_deserializer(
            u128::from(u64::MAX) + 1,
        ))
        .expect_err("u128");
        assert!(n.to_string().ends_with("more than a u64 holds"), "{n}");
        let n = f64(IntoDeserializer::<Error>::into_deserializer(f64::NAN)).expect_err("nan");
        assert_eq!(
            n.to_string(),
            "expected a number, found NaN: not a finite number"
        );
        let id = string(IntoDeserializer::<Error>::into_deserializer(
            18_446_744_073_709_551_616f64,
        ))
        .expect_err("2^64");
        assert!(id.to_string().contains("may have lost digits"), "{id}");
    }
}
