//! Paged lists whose envelope the docs do not show.

use std::ops::Deref;

use api_core::lenient::{Envelope, list_envelope};
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
        let Envelope { items, extra } = list_envelope(deserializer, LIST_KEYS)?;
        Ok(Page { items, extra })
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
