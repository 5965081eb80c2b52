//! Any scalar as text, a number as the server wrote it: [`string`], [`option_string`], and
//! any JSON value as text: [`json_text`].

use std::marker::PhantomData;

use serde::Deserializer;
use serde_json::Value;

use super::raw::{FromJson, RAW_VALUE, TextOrValue, read};
use super::scalar::{Scalar, Text, float_is_exact, text};

/// A string, number or boolean, as text: a number as the server wrote it (`12.50`, `-0`,
/// `18446744073709551616`), whatever its size.
///
/// Through a deserializer that does not hand over a number's text (serde's buffer for
/// `#[serde(untagged)]` and `#[serde(flatten)]`), a float keeps its value but not its
/// spelling (`12.50` reads as `12.5`), and a float that may have lost digits on its way
/// there (past 2^53 or 15 significant digits: an integer beyond `u64` is one) is an error.
pub fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    text(deserializer)
}

/// [`string`], with `null` (or absence, with `#[serde(default)]`) as `None`.
pub fn option_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    read(deserializer, Text(PhantomData), true)
}

/// Any JSON value as text: a string's content, a number as the server wrote it (any size,
/// `12.50`), `true`, `false`, `null`, and an object or array as its JSON text (as written
/// when serde_json hands the text over, else as a `serde_json::Value` writes it).
///
/// For fields whose type is text but whose servers may send anything (a status text, a
/// timestamp): nothing fails to decode, and no number is rounded on the way.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Event {
///     #[serde(deserialize_with = "api_core::lenient::json_text")]
///     at: String,
/// }
/// let e: Event = serde_json::from_str(r#"{"at": 1700000000.123456789}"#)?;
/// assert_eq!(e.at, "1700000000.123456789");
/// let e: Event = serde_json::from_str(r#"{"at": {"unix": 17}}"#)?;
/// assert_eq!(e.at, r#"{"unix": 17}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn json_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_newtype_struct(RAW_VALUE, TextOrValue(JsonText))
}

struct JsonText;

impl FromJson for JsonText {
    type Out = String;

    fn text<E: serde::de::Error>(self, raw: &str) -> Result<String, E> {
        if raw.starts_with(['{', '[']) {
            return Ok(raw.to_owned());
        }
        // The common case, a string without escapes, is its text between the quotes: no
        // second parse (a page of flights reads two dates a record this way).
        // (A raw JSON string holds no bare quote; `[u8]::contains` is a memchr.)
        if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"'))
            && !inner.as_bytes().contains(&b'\\')
        {
            return Ok(inner.to_owned());
        }
        let scalar = Scalar {
            what: Text::<String>(PhantomData),
            optional: true,
        };
        Ok(scalar.on_raw(raw)?.unwrap_or_else(|| "null".to_owned()))
    }

    fn value<E: serde::de::Error>(self, value: Value) -> Result<String, E> {
        Ok(match value {
            Value::String(s) => s,
            Value::Number(n) => {
                // A float from serde's buffer (untagged, flatten) may have lost digits on
                // the way, as for `string`. (Inside an object or array it is not checked.)
                if let (false, false, Some(f)) = (n.is_u64(), n.is_i64(), n.as_f64()) {
                    float_is_exact(f).map_err(|r| Scalar::<Text<String>>::refused::<E>(r, f))?;
                }
                n.to_string()
            }
            other => other.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[test]
    fn reads_digits_as_their_value() {
        use crate::lenient::scalar::assert_reads_digits_as_their_value;
        assert_reads_digits_as_their_value(Text::<String>(PhantomData));
        assert_reads_digits_as_their_value(Text::<crate::Id>(PhantomData));
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
    fn the_widest_integers_make_ids_and_text() {
        for n in ["18446744073709551615", "-9223372036854775808", "0", "-1"] {
            let id: crate::Id = serde_json::from_str(n).expect("id");
            assert_eq!(&*id.text(), n);
            let text: String = string(&mut serde_json::Deserializer::from_str(n)).expect("text");
            assert_eq!(text, n);
        }
    }

    #[test]
    fn ids_as_map_keys_and_escaped_strings() {
        let json = r#"{"18446744073709551617": 1, "5001": 2, "a\u0062": 3}"#;
        let ids: BTreeMap<crate::Id, u8> = serde_json::from_str(json).expect("keys");
        let value: Value = serde_json::from_str(json).expect("value");
        let from_value: BTreeMap<crate::Id, u8> = serde_json::from_value(value).expect("keys");
        for ids in [ids, from_value] {
            let keys: Vec<String> = ids.keys().map(ToString::to_string).collect();
            assert_eq!(keys, ["18446744073709551617", "5001", "ab"]);
            assert_eq!(ids.keys().nth(1).and_then(crate::Id::as_u64), Some(5001));
        }
        let text: String =
            string(&mut serde_json::Deserializer::from_str(r#""\"x\"""#)).expect("escaped");
        assert_eq!(text, "\"x\"");
    }

    #[test]
    fn json_text_keeps_what_was_written() {
        #[derive(Debug, Deserialize)]
        struct T {
            #[serde(deserialize_with = "json_text")]
            v: String,
        }
        #[derive(Debug, Deserialize)]
        struct Flat {
            #[serde(flatten)]
            t: T,
        }
        for (raw, text, through_value, through_buffer) in [
            (
                "18446744073709551617",
                "18446744073709551617",
                "1.8446744073709552e+19",
                None,
            ),
            ("12.50", "12.50", "12.5", Some("12.5")),
            ("1e999", "1e999", "", None),
            ("-7", "-7", "-7", Some("-7")),
            ("null", "null", "null", Some("null")),
            ("true", "true", "true", Some("true")),
            (r#""a\"b""#, "a\"b", "a\"b", Some("a\"b")),
            (
                r#"{"b": 1, "a": [ ]}"#,
                r#"{"b": 1, "a": [ ]}"#,
                r#"{"a":[],"b":1}"#,
                Some(r#"{"a":[],"b":1}"#),
            ),
            ("[1, 2]", "[1, 2]", "[1,2]", Some("[1,2]")),
        ] {
            let json = format!(r#"{{"v": {raw}}}"#);
            let t: T = serde_json::from_str(&json).expect(raw);
            assert_eq!(t.v, text, "{raw}");
            if let Ok(value) = serde_json::from_str::<Value>(&json) {
                let t: T = serde_json::from_value(value).expect(raw);
                assert_eq!(t.v, through_value, "{raw}");
            }
            let flat = serde_json::from_str::<Flat>(&json).map(|f| f.t.v);
            match through_buffer {
                Some(text) => assert_eq!(flat.ok().as_deref(), Some(text), "{raw}"),
                None => assert!(flat.is_err(), "{raw}: {flat:?}"),
            }
        }
    }
}
