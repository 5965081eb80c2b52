//! List answers: `{"data": [...]}` (seen for qualification lists, assumed elsewhere) or a bare
//! array (as v1 answers).

use std::ops::Deref;

use api_core::lenient::{Envelope, list_envelope};
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
        let Envelope { items, extra } = list_envelope(deserializer, &["data"])?;
        Ok(List { data: items, extra })
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
