//! Identifiers that servers send as strings in one place and numbers in another.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An id kept as text: decodes from a JSON string or number (`"5001"` and `5001` are the same
/// id) and is sent as a string. Providers re-export it under their own name.
///
/// ```
/// let a: api_core::Id = serde_json::from_str("5001")?;
/// let b: api_core::Id = serde_json::from_str("\"5001\"")?;
/// assert_eq!(a, b);
/// assert_eq!(serde_json::to_string(&a)?, "\"5001\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(String);

impl Id {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Id {
    fn from(id: &str) -> Self {
        Self(id.to_owned())
    }
}

impl From<String> for Id {
    fn from(id: String) -> Self {
        Self(id)
    }
}

impl From<u64> for Id {
    fn from(id: u64) -> Self {
        Self(id.to_string())
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
        crate::lenient::string(deserializer).map(Self)
    }
}
