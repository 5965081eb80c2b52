//! Decoding what providers document loosely: numbers sent as strings (and the reverse),
//! empty arrays where an object or nothing was meant. (List answers in a loose envelope are
//! [`List`](crate::List)s.)
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

// One file per family of public readers: `string`, `option_string` and `json_text`
// (text.rs); `u64`, `option_u64` and `f64` (numbers.rs); `empty_as_none` (empties.rs). They
// share one scalar reader (scalar.rs, with the reading as text that ids use too) and the
// raw-text machinery (raw.rs).
//
// The readers visit the scalar directly instead of going through a
// `serde_json::Value` (an allocation and a copy per field: measured in docs/performance.md).
//
// They first ask serde_json for the value's JSON text as written (`RAW_VALUE`): without
// serde_json's `arbitrary_precision` feature (which changes number handling for every crate
// in a user's build and breaks untagged enums), `deserialize_any` hands an integer beyond
// `u64`/`i64` to a visitor as an `f64`, and the digits are gone before any visitor sees
// them (2^64 and 2^64 + 1 are the same `f64`). From the text, a number becomes an id, a
// `u64` or an amount with every digit the server wrote, or a typed error.

// The public readers are re-exported here; the rest of the crate names the file of what it
// builds on (`Id` on `scalar`'s `text`, `money` on `scalar` and `raw`, `OrEmpty` on
// `empties`, dates on `scalar`'s `Shown`).
pub(crate) mod empties;
mod numbers;
pub(crate) mod raw;
pub(crate) mod scalar;
mod text;

pub use self::empties::empty_as_none;
pub use self::numbers::{f64, option_u64, u64};
pub use self::text::{json_text, option_string, string};

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
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
