//! Identifiers the API spells inconsistently: numbers in some bodies, strings in others.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A customer's code. The API sends it as a number (`{"customer_code": 1}`) in some bodies and
/// expects a string in others; this type decodes both and is converted to each endpoint's
/// documented spelling by the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerCode(u64);

impl CustomerCode {
    /// The code as a number.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl From<u64> for CustomerCode {
    fn from(code: u64) -> Self {
        Self(code)
    }
}

impl fmt::Display for CustomerCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for CustomerCode {
    // Where an endpoint documents a number; string-typed endpoints get `to_string()`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for CustomerCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        api_core::lenient::u64(deserializer).map(Self)
    }
}

/// A licence's id: a number in the demo answer (`108501`), a string in the assign answer
/// (`"13343"`). Both are one id, sent as text (the suspend and enable bodies document a
/// string); [`IdText`] is its text.
pub type LicenseId = api_core::Id;

pub use api_core::IdText;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_decode_and_each_encodes_as_documented() {
        let a: CustomerCode = serde_json::from_str("1001").expect("number");
        let b: CustomerCode = serde_json::from_str("\"1001\"").expect("string");
        assert_eq!((a, b.get()), (CustomerCode::from(1001), 1001));
        assert_eq!(serde_json::to_string(&a).expect("json"), "1001");
        let l: LicenseId = serde_json::from_str("108501").expect("number");
        let m: LicenseId = serde_json::from_str("\"13343\"").expect("string");
        assert_eq!((&*l.text(), &*m.text()), ("108501", "13343"));
        assert_eq!(serde_json::to_string(&l).expect("json"), "\"108501\"");
        assert!(serde_json::from_str::<CustomerCode>("\"abc\"").is_err());
    }
}
