//! Paged lists whose envelope the docs do not show.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// One page of a list. The envelope is not documented: a bare array decodes, and so does an
/// object whose list is under `data`, `items`, `content`, `results`, `authorizations` or
/// `captures`; every other field (totals, page numbers) is kept in `extra`.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The other top-level fields.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

const LIST_KEYS: &[&str] = &[
    "data",
    "items",
    "content",
    "results",
    "authorizations",
    "captures",
];

impl<T> Deref for Page<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PageVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for PageVisitor<T> {
            type Value = Page<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list: an array, or an object holding one")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Page<T>, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Page {
                    items,
                    extra: serde_json::Map::new(),
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Page<T>, A::Error> {
                let mut items = Vec::new();
                let mut extra = serde_json::Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    if LIST_KEYS.contains(&key.as_str()) {
                        items = map.next_value()?;
                    } else {
                        extra.insert(key, map.next_value()?);
                    }
                }
                Ok(Page { items, extra })
            }
        }

        deserializer.deserialize_any(PageVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes() {
        let p: Page<u8> =
            serde_json::from_str(r#"{"authorizations":[1,2],"total":2}"#).expect("named");
        assert_eq!(
            (p.items.clone(), p.extra["total"].clone()),
            (vec![1, 2], 2.into())
        );
        let p: Page<u8> = serde_json::from_str("[3]").expect("bare");
        assert_eq!(&*p, &[3]);
        let p: Page<u8> = serde_json::from_str(r#"{"data":[4]}"#).expect("data");
        assert_eq!(&*p, &[4]);
    }
}
