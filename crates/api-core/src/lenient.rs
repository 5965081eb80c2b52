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

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::decode::scalar_text;

/// A string, number or boolean, as text.
pub fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let value = Value::deserialize(deserializer)?;
    scalar_text(&value).ok_or_else(|| D::Error::custom(format!("expected text, found {value}")))
}

/// [`string`], with `null` (or absence, with `#[serde(default)]`) as `None`.
pub fn option_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        value => scalar_text(&value)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("expected text, found {value}"))),
    }
}

/// A non-negative integer written as a number or as a numeric string (`12`, `"12"`).
pub fn u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let value = Value::deserialize(deserializer)?;
    as_u64(&value)
        .ok_or_else(|| D::Error::custom(format!("expected a whole number, found {value}")))
}

/// [`u64()`], with `null` and `""` as `None`.
pub fn option_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        value => as_u64(&value)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("expected a whole number, found {value}"))),
    }
}

/// A number written as a number or as a numeric string (`0.5`, `"0.5"`). Not for money:
/// use `api_core::money` (feature `money`).
pub fn f64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value = Value::deserialize(deserializer)?;
    match &value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| D::Error::custom(format!("expected a number, found {value}")))
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

fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
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
}
