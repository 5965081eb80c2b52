//! Decoding what providers document loosely: numbers sent as strings (and the reverse),
//! empty arrays where an object or nothing was meant.
//!
//! Use them as `#[serde(deserialize_with = "api_core::lenient::u64")]` (or from generated
//! models through `x-rust-type`).
//!
//! ```
//! #[derive(serde::Deserialize)]
//! struct Licence {
//!     #[serde(deserialize_with = "api_core::lenient::string")]
//!     id: String,
//!     #[serde(deserialize_with = "api_core::lenient::u64")]
//!     months: u64,
//! }
//! let l: Licence = serde_json::from_str(r#"{"id": 108501, "months": "12"}"#)?;
//! assert_eq!((l.id.as_str(), l.months), ("108501", 12));
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::marker::PhantomData;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

// The readers below visit the scalar directly instead of going through a
// `serde_json::Value` (an allocation and a copy per field: measured in docs/performance.md).

/// A string, number or boolean, as text.
pub fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    text(deserializer)
}

/// [`string`] into any [`Textual`]: `api_core::Id` reads its inline string with it, so a
/// numeric id never goes through a `String`.
#[inline]
pub(crate) fn text<'de, D: Deserializer<'de>, T: Textual>(deserializer: D) -> Result<T, D::Error> {
    deserializer
        .deserialize_any(Scalar {
            what: Text(PhantomData),
            optional: false,
        })?
        .ok_or_else(|| D::Error::custom("expected text, found null"))
}

/// [`string`], with `null` (or absence, with `#[serde(default)]`) as `None`.
pub fn option_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_any(Scalar {
        what: Text(PhantomData),
        optional: true,
    })
}

/// A non-negative integer written as a number or as a numeric string (`12`, `"12"`).
pub fn u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    deserializer
        .deserialize_any(Scalar {
            what: Whole,
            optional: false,
        })?
        .ok_or_else(|| D::Error::custom("expected a whole number, found null"))
}

/// [`u64()`], with `null` and `""` as `None`.
pub fn option_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    deserializer.deserialize_any(Scalar {
        what: Whole,
        optional: true,
    })
}

/// A number written as a number or as a numeric string (`0.5`, `"0.5"`). Not for money:
/// use `api_core::money` (feature `money`).
pub fn f64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    deserializer
        .deserialize_any(Scalar {
            what: Real,
            optional: false,
        })?
        .ok_or_else(|| D::Error::custom("expected a number, found null"))
}

/// What a [`Scalar`] reads.
trait Reading: Copy {
    type Out;
    /// Names the expected value in errors.
    const EXPECTED: &'static str;
    fn text(self, text: &str) -> Option<Self::Out>;
    fn unsigned(self, n: u64) -> Option<Self::Out>;
    fn signed(self, n: i64) -> Option<Self::Out>;
    fn real(self, n: f64) -> Option<Self::Out>;
    fn boolean(self, b: bool) -> Option<Self::Out>;
    /// Whether an optional reading takes this text as none (`""` for numbers).
    fn blank(self, _text: &str) -> bool {
        false
    }
}

/// What [`Text`] builds: a `String`, or an `api_core::Id` (which keeps a number as one).
pub(crate) trait Textual: for<'a> From<&'a str> + From<String> {
    // `itoa` writes on the stack: ids arrive as numbers by the thousand in list pages, and
    // the formatting machinery of `to_string` costs more than the allocation.
    fn unsigned(n: u64) -> Self {
        Self::from(itoa::Buffer::new().format(n))
    }
    fn signed(n: i64) -> Self {
        Self::from(itoa::Buffer::new().format(n))
    }
}

impl Textual for String {}

/// Reads a scalar as text of type `T`.
struct Text<T>(PhantomData<fn() -> T>);

// Not derived: the derive would ask `T: Copy`.
impl<T> Clone for Text<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Text<T> {}

impl<T: Textual> Reading for Text<T> {
    type Out = T;
    const EXPECTED: &'static str = "text";
    fn text(self, text: &str) -> Option<T> {
        Some(T::from(text))
    }
    fn unsigned(self, n: u64) -> Option<T> {
        Some(T::unsigned(n))
    }
    fn signed(self, n: i64) -> Option<T> {
        Some(T::signed(n))
    }
    fn real(self, n: f64) -> Option<T> {
        // As `serde_json::Number` writes it (`1.0`, not `1`).
        serde_json::Number::from_f64(n).map(|n| T::from(n.to_string()))
    }
    fn boolean(self, b: bool) -> Option<T> {
        Some(T::from(if b { "true" } else { "false" }))
    }
}

#[derive(Clone, Copy)]
struct Whole;

impl Reading for Whole {
    type Out = u64;
    const EXPECTED: &'static str = "a whole number";
    fn text(self, text: &str) -> Option<u64> {
        text.trim().parse().ok()
    }
    fn unsigned(self, n: u64) -> Option<u64> {
        Some(n)
    }
    fn signed(self, n: i64) -> Option<u64> {
        u64::try_from(n).ok()
    }
    fn real(self, _: f64) -> Option<u64> {
        None
    }
    fn boolean(self, _: bool) -> Option<u64> {
        None
    }
    fn blank(self, text: &str) -> bool {
        text.trim().is_empty()
    }
}

#[derive(Clone, Copy)]
struct Real;

impl Reading for Real {
    type Out = f64;
    const EXPECTED: &'static str = "a number";
    fn text(self, text: &str) -> Option<f64> {
        text.trim().parse().ok()
    }
    fn unsigned(self, n: u64) -> Option<f64> {
        Some(n as f64)
    }
    fn signed(self, n: i64) -> Option<f64> {
        Some(n as f64)
    }
    fn real(self, n: f64) -> Option<f64> {
        Some(n)
    }
    fn boolean(self, _: bool) -> Option<f64> {
        None
    }
}

/// Reads one scalar; `null` is `None` when `optional`, an error otherwise.
struct Scalar<R> {
    what: R,
    optional: bool,
}

impl<R: Reading> Scalar<R> {
    fn found<E: serde::de::Error>(&self, found: impl std::fmt::Display) -> E {
        E::custom(format!("expected {}, found {found}", R::EXPECTED))
    }
}

impl<'de, R: Reading> serde::de::Visitor<'de> for Scalar<R> {
    type Value = Option<R::Out>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(R::EXPECTED)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if self.optional && self.what.blank(v) {
            return Ok(None);
        }
        match self.what.text(v) {
            Some(out) => Ok(Some(out)),
            None => Err(self.found(Value::String(v.to_owned()))),
        }
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.what.unsigned(v).map(Some).ok_or_else(|| self.found(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.what.signed(v).map(Some).ok_or_else(|| self.found(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.what.real(v).map(Some).ok_or_else(|| self.found(v))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.what.boolean(v).map(Some).ok_or_else(|| self.found(v))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        if self.optional {
            Ok(None)
        } else {
            Err(self.found("null"))
        }
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self.found("an array"))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self.found("an object"))
    }
}

/// An optional value that some servers send as `[]` (or `{}`, `""`, `null`) when there is
/// none: all of those are `None`.
pub fn empty_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    let empty = match &value {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    };
    if empty {
        return Ok(None);
    }
    serde_json::from_value(value)
        .map(Some)
        .map_err(D::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize)]
    struct All {
        #[serde(deserialize_with = "string")]
        s: String,
        #[serde(default, deserialize_with = "option_string")]
        os: Option<String>,
        #[serde(deserialize_with = "u64")]
        n: u64,
        #[serde(default, deserialize_with = "option_u64")]
        on: Option<u64>,
        #[serde(deserialize_with = "f64")]
        f: f64,
        #[serde(default, deserialize_with = "empty_as_none")]
        map: Option<BTreeMap<String, Vec<String>>>,
    }

    #[test]
    fn accepts_both_spellings() {
        let a: All = serde_json::from_str(
            r#"{"s": 13343, "os": "x", "n": "1", "on": "", "f": "0.5", "map": []}"#,
        )
        .expect("lenient");
        assert_eq!(
            (a.s.as_str(), a.os.as_deref(), a.n, a.on, a.f, a.map),
            ("13343", Some("x"), 1, None, 0.5, None)
        );
        let a: All = serde_json::from_str(
            r#"{"s": "13343", "n": 7, "on": 3, "f": 1, "map": {"lang": ["bad"]}}"#,
        )
        .expect("lenient");
        assert_eq!((a.os, a.on, a.f), (None, Some(3), 1.0));
        assert_eq!(a.map.expect("map")["lang"], ["bad"]);
    }

    #[test]
    fn scalars_read_as_text_as_json_writes_them() {
        #[derive(Debug, Deserialize)]
        struct T {
            #[serde(deserialize_with = "string")]
            s: String,
            #[serde(default, deserialize_with = "option_string")]
            o: Option<String>,
        }
        for (json, s, o) in [
            (r#"{"s": 1.0, "o": null}"#, "1.0", None),
            (r#"{"s": -7, "o": true}"#, "-7", Some("true")),
            (
                r#"{"s": "x\u00e9", "o": 18446744073709551615}"#,
                "xé",
                Some("18446744073709551615"),
            ),
        ] {
            let t: T = serde_json::from_str(json).expect(json);
            assert_eq!((t.s.as_str(), t.o.as_deref()), (s, o), "{json}");
        }
        let err = serde_json::from_str::<T>(r#"{"s": null}"#).expect_err("null text");
        assert!(
            err.to_string().starts_with("expected text, found null"),
            "{err}"
        );
        let err = serde_json::from_str::<T>(r#"{"s": {}}"#).expect_err("object");
        assert!(
            err.to_string()
                .starts_with("expected text, found an object"),
            "{err}"
        );
    }

    #[test]
    fn integers_as_text() {
        for n in [0, 7, 10, 4711, -1, -987_654_321, i64::MIN, i64::MAX] {
            let text: String = string(serde_json::json!(n)).expect("i64");
            assert_eq!(text, n.to_string());
        }
        let text: String = string(serde_json::json!(u64::MAX)).expect("u64");
        assert_eq!(text, u64::MAX.to_string());
    }

    #[test]
    fn rejects_what_cannot_be_read() {
        for json in [
            r#"{"s": [], "n": 1, "f": 1}"#,
            r#"{"s": "a", "n": "one", "f": 1}"#,
            r#"{"s": "a", "n": -1, "f": 1}"#,
            r#"{"s": "a", "n": 1, "f": "x"}"#,
        ] {
            assert!(serde_json::from_str::<All>(json).is_err(), "{json}");
        }
    }

    #[test]
    fn the_widest_integers_make_ids_and_text() {
        for n in ["18446744073709551615", "-9223372036854775808", "0", "-1"] {
            let id: crate::Id = serde_json::from_str(n).expect("id");
            assert_eq!(&*id.text(), n);
            let text: String = string(&mut serde_json::Deserializer::from_str(n)).expect("text");
            assert_eq!(text, n);
        }
    }
}
