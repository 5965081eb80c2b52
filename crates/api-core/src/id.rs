//! Identifiers that servers send as strings in one place and numbers in another.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smol_str::SmolStr;

/// An id kept as text: decodes from a JSON string or number (`"5001"` and `5001` are the same
/// id) and is sent as a string. Providers re-export it under their own name. Equality, order
/// and hash are the text's.
///
/// ```
/// let a: api_core::Id = serde_json::from_str("5001")?;
/// let b: api_core::Id = serde_json::from_str("\"5001\"")?;
/// assert_eq!(a, b);
/// assert_eq!(serde_json::to_string(&a)?, "\"5001\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
// `SmolStr` keeps up to 23 bytes (any numeric id) inline: a list page holds thousands of ids,
// and a `String` would cost an allocation each. Its `Debug`, `Eq`, `Ord` and `Hash` are the
// `str`'s, so the derived ones are those of the text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(SmolStr);

impl Id {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Id {
    fn from(id: &str) -> Self {
        Self(SmolStr::new(id))
    }
}

impl From<String> for Id {
    fn from(id: String) -> Self {
        Self(SmolStr::from(id))
    }
}

impl From<u64> for Id {
    fn from(id: u64) -> Self {
        Self(SmolStr::new(itoa::Buffer::new().format(id)))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Straight into the `SmolStr`: no `String` on the way.
        crate::lenient::text(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn equality_order_hash_and_debug_are_the_texts() {
        let long = "an-id-longer-than-twenty-three-bytes";
        for text in ["5001", "18446744073709551615", "", long] {
            let id = Id::from(text);
            assert_eq!(id, Id::from(text.to_owned()));
            assert_eq!((id.as_str(), id.to_string()), (text, text.to_owned()));
            assert_eq!(format!("{id:?}"), format!("Id({text:?})"));
            let hasher = std::collections::hash_map::RandomState::new();
            assert_eq!(hasher.hash_one(&id), hasher.hash_one(text), "{text}");
        }
        assert_eq!(Id::from(u64::MAX), Id::from("18446744073709551615"));
        assert_eq!(Id::from(0), Id::from("0"));
        // As strings: "10" < "9".
        assert!(Id::from(10) < Id::from(9));
        let id: Id = serde_json::from_str(&format!("{long:?}")).expect("long");
        assert_eq!(id.as_str(), long);
        let id: Id = serde_json::from_str("-42").expect("negative");
        assert_eq!(id.as_str(), "-42");
    }
}
