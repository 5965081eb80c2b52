//! Optional values that some servers send as `[]`, `{}` or `""` when there is none:
//! [`empty_as_none`].

use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::raw::{FromJson, RAW_VALUE, TextOrValue};

/// An optional value that some servers send as `[]` (or `{}`, `""`, `null`) when there is
/// none: all of those are `None`.
pub fn empty_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    empty_or(
        deserializer,
        Empties {
            array: true,
            string: true,
        },
    )
}

/// Which values [`empty_or`] reads as none, besides `null` and `{}`.
#[derive(Clone, Copy)]
pub(crate) struct Empties {
    /// `[]`.
    pub(crate) array: bool,
    /// `""`.
    pub(crate) string: bool,
}

impl Empties {
    fn value(self, value: &Value) -> bool {
        match value {
            Value::Null => true,
            Value::Object(o) => o.is_empty(),
            Value::Array(a) => self.array && a.is_empty(),
            Value::String(s) => self.string && s.is_empty(),
            _ => false,
        }
    }

    /// The same test on a value's JSON text (`[ ]` is empty too).
    fn raw(self, raw: &str) -> bool {
        let blank_inside = |open: char, close: char| {
            raw.strip_prefix(open)
                .and_then(|r| r.strip_suffix(close))
                .is_some_and(|inside| inside.trim().is_empty())
        };
        raw == "null"
            || blank_inside('{', '}')
            || (self.array && blank_inside('[', ']'))
            || (self.string && raw == "\"\"")
    }

    fn decode<T: DeserializeOwned, E: serde::de::Error>(
        self,
        value: Value,
    ) -> Result<Option<T>, E> {
        if self.value(&value) {
            return Ok(None);
        }
        serde_json::from_value(value).map(Some).map_err(E::custom)
    }
}

/// A `T`, or `None` for a value `empties` calls empty. It needs a look at the value before
/// decoding it: from serde_json, that look is at the value's text, and `T` is decoded from
/// the text, so its numbers keep their digits (a `serde_json::Value` in between would hold an
/// integer beyond `u64` as an `f64`: an id `18446744073709551617` became
/// `1.8446744073709552e+19`). From any other deserializer, through a `Value`.
pub(crate) fn empty_or<'de, D, T>(deserializer: D, empties: Empties) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    deserializer.deserialize_newtype_struct(
        RAW_VALUE,
        TextOrValue(EmptyOr {
            empties,
            marker: PhantomData,
        }),
    )
}

struct EmptyOr<T> {
    empties: Empties,
    marker: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> FromJson for EmptyOr<T> {
    type Out = Option<T>;

    fn text<E: serde::de::Error>(self, raw: &str) -> Result<Option<T>, E> {
        if self.empties.raw(raw) {
            return Ok(None);
        }
        serde_json::from_str(raw).map(Some).map_err(E::custom)
    }

    fn value<E: serde::de::Error>(self, value: Value) -> Result<Option<T>, E> {
        self.empties.decode(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[test]
    fn empty_as_none_keeps_the_digits_of_what_is_not_empty() {
        #[derive(Debug, Deserialize)]
        struct T {
            #[serde(default, deserialize_with = "empty_as_none")]
            v: Option<BTreeMap<String, crate::Id>>,
        }
        for json in [
            r#"{"v": null}"#,
            r#"{"v": []}"#,
            r#"{"v": [ ]}"#,
            r#"{"v": {}}"#,
            r#"{"v": { }}"#,
            r#"{"v": ""}"#,
            "{}",
        ] {
            let t: T = serde_json::from_str(json).expect(json);
            assert!(t.v.is_none(), "{json}");
            let t: T = serde_json::from_value(serde_json::from_str(json).expect(json)).expect(json);
            assert!(t.v.is_none(), "{json}");
        }
        let t: T = serde_json::from_str(r#"{"v": {"a": 18446744073709551617}}"#).expect("id");
        let ids = t.v.expect("some");
        assert_eq!(
            ids.get("a").map(ToString::to_string).as_deref(),
            Some("18446744073709551617")
        );
        let error = serde_json::from_str::<T>(r#"{"v": [1]}"#).expect_err("array");
        assert!(
            error.to_string().starts_with("invalid type: sequence"),
            "{error}"
        );
        // Through serde's buffer (`flatten`), as before: through a `Value`.
        #[derive(Debug, Deserialize)]
        struct Outer {
            #[serde(flatten)]
            t: T,
        }
        let outer: Outer = serde_json::from_str(r#"{"v": []}"#).expect("flatten");
        assert!(outer.t.v.is_none());
        let outer: Outer = serde_json::from_str(r#"{"v": {"a": 5}}"#).expect("flatten");
        assert_eq!(
            outer
                .t
                .v
                .expect("some")
                .get("a")
                .and_then(crate::Id::as_u64),
            Some(5)
        );
    }
}
