//! List answers whose envelope a provider documents loosely: a bare array, or an object with
//! the list under one of a few keys and other top-level fields (totals, page numbers) beside
//! it.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::{Deserialize, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// The items of a list answer, and the other top-level fields of its envelope (empty for a
/// bare array).
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope<T> {
    /// The items.
    pub items: Vec<T>,
    /// The other top-level fields.
    pub extra: Map<String, Value>,
}

/// Reads a list answer: a bare array, or an object whose list is under one of `keys` (an
/// object without any of them is an empty list); every other field goes to `extra`.
///
/// A visitor rather than an untagged enum, so that a bad item keeps its error message.
///
/// ```
/// use api_core::lenient::{Envelope, list_envelope};
///
/// let mut json = serde_json::Deserializer::from_str(r#"{"items": [1, 2], "total": 2}"#);
/// let page: Envelope<u8> = list_envelope(&mut json, &["data", "items"])?;
/// assert_eq!((page.items, page.extra["total"].clone()), (vec![1, 2], 2.into()));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn list_envelope<'de, D, T>(
    deserializer: D,
    keys: &'static [&'static str],
) -> Result<Envelope<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_any(EnvelopeVisitor {
        keys,
        item: PhantomData,
    })
}

struct EnvelopeVisitor<T> {
    keys: &'static [&'static str],
    item: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for EnvelopeVisitor<T> {
    type Value = Envelope<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list: an array, or an object with the array under ")?;
        for (i, key) in self.keys.iter().enumerate() {
            if i > 0 {
                f.write_str(" or ")?;
            }
            write!(f, "`{key}`")?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Envelope<T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Envelope {
            items,
            extra: Map::new(),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<T>, A::Error> {
        let mut items = Vec::new();
        let mut extra = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if self.keys.contains(&key.as_str()) {
                items = map.next_value()?;
            } else {
                extra.insert(key, map.next_value()?);
            }
        }
        Ok(Envelope { items, extra })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str, keys: &'static [&'static str]) -> serde_json::Result<Envelope<u8>> {
        list_envelope(&mut serde_json::Deserializer::from_str(json), keys)
    }

    #[test]
    fn bare_wrapped_and_empty() {
        let e = read(r#"{"results":[1,2],"total":2}"#, &["data", "results"]).expect("wrapped");
        assert_eq!((e.items, e.extra["total"].clone()), (vec![1, 2], 2.into()));
        let e = read("[3]", &["data"]).expect("bare");
        assert_eq!((e.items, e.extra.is_empty()), (vec![3], true));
        let e = read(r#"{"items":[4]}"#, &["data"]).expect("another key is extra");
        assert_eq!((e.items.is_empty(), e.extra.len()), (true, 1));
    }

    #[test]
    fn a_bad_item_or_scalar_is_an_error() {
        assert!(read(r#"{"data":[1,"x"]}"#, &["data"]).is_err());
        let error = read("7", &["data", "items"]).expect_err("a number");
        assert!(error.to_string().contains("`data` or `items`"), "{error}");
    }
}
