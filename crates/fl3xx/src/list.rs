//! List answers: `{"data": [...]}` (seen for qualification lists, assumed elsewhere) or a bare
//! array (as v1 answers).

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// The items of a list answer, with any other top-level fields kept.
#[derive(Debug, Clone, PartialEq)]
pub struct List<T> {
    /// The items.
    pub data: Vec<T>,
    /// Other top-level fields (paging metadata, if the server sends any).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl<T> List<T> {
    /// The items.
    pub fn into_vec(self) -> Vec<T> {
        self.data
    }
}

impl<T> Deref for List<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.data
    }
}

impl<T> IntoIterator for List<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.data.into_iter()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A visitor rather than an untagged enum, so that a bad item keeps its error message.
        struct ListVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = List<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list: an array or an object with a `data` array")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut data = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(item) = seq.next_element()? {
                    data.push(item);
                }
                Ok(List {
                    data,
                    extra: serde_json::Map::new(),
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List<T>, A::Error> {
                let mut data = Vec::new();
                let mut extra = serde_json::Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "data" {
                        data = map.next_value()?;
                    } else {
                        extra.insert(key, map.next_value()?);
                    }
                }
                Ok(List { data, extra })
            }
        }

        deserializer.deserialize_any(ListVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_and_bare() {
        let l: List<u32> = serde_json::from_str(r#"{"data":[1,2],"total":2}"#).expect("wrapped");
        assert_eq!(
            (l.data.clone(), l.extra["total"].clone()),
            (vec![1, 2], 2.into())
        );
        let l: List<u32> = serde_json::from_str("[3]").expect("bare");
        assert_eq!(&*l, &[3]);
        let l: List<u32> = serde_json::from_str("{}").expect("empty");
        assert!(l.is_empty());
    }
}
