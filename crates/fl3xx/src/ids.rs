//! Ids: strings in API v2, numbers in webhook deliveries and API v1.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An FL3XX id (flight, subscription, permit, qualification, ...). v2 sends ids as strings,
/// webhooks and v1 as numbers; both decode into the same text, which is sent as a string.
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
        api_core::lenient::string(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_numbers_are_one_id() {
        let a: Id = serde_json::from_str("\"5001\"").expect("string");
        let b: Id = serde_json::from_str("5001").expect("number");
        assert_eq!(a, b);
        assert_eq!(serde_json::to_string(&b).expect("json"), "\"5001\"");
    }
}
