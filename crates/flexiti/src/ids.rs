//! Identifiers that arrive as numbers or strings, and the GUIDs the client makes.

use std::fmt;

pub use api_core::IdText;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An account number, customer id, authorization id, capture id... Flexiti documents them
/// as numbers and sends some as strings (`"20076677"`); both decode. A digits-only id is sent
/// back as a JSON number, as documented; any other as a string (business authorised users'
/// customer ids look like `"123-4"`).
// `api_core::Id` with another `Serialize`: decoding, equality, order and hash are its own.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(api_core::Id);

impl Id {
    /// The id's text, without an allocation for a numeric id (a `&str` through `Deref`).
    pub fn text(&self) -> IdText<'_> {
        self.0.text()
    }

    /// The id as a number, when its text is the decimal digits of a `u64` (no sign, no
    /// leading zero): such an id is sent as a JSON number.
    pub fn as_u64(&self) -> Option<u64> {
        self.0.as_u64()
    }
}

impl From<&str> for Id {
    fn from(id: &str) -> Self {
        Self(api_core::Id::from(id))
    }
}

impl From<String> for Id {
    fn from(id: String) -> Self {
        Self(api_core::Id::from(id))
    }
}

impl From<u64> for Id {
    fn from(id: u64) -> Self {
        Self(api_core::Id::from(id))
    }
}

// By hand: the derive would print the inner `Id` too (`Id(Id("5001"))`).
impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Only canonical digits are a number: `0042` and `+42` stay text, as they came.
        match self.as_u64() {
            Some(number) => serializer.serialize_u64(number),
            None => serializer.serialize_str(&self.text()),
        }
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        api_core::Id::deserialize(deserializer).map(Self)
    }
}

/// A random version-4 GUID in its 32-character form (no hyphens): the docs ask for a GUID and
/// type `x-reference-id` as ASCII(32), which the hyphenated form would exceed.
pub(crate) fn guid() -> String {
    let mut bytes = [0u8; 16];
    bytes.iter_mut().for_each(|b| *b = fastrand::u8(..));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The PIN `verify` answers: a number for security-question, bypass and override formats, a
/// status text (`"verification_sent_to_sms"`) when the PIN went to the customer by SMS or
/// e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerificationCode {
    /// The PIN itself.
    Pin(u64),
    /// The PIN was sent to the customer; the text says how.
    Sent(String),
}

impl VerificationCode {
    /// The PIN, when the answer carries it.
    pub fn pin(&self) -> Option<u64> {
        match self {
            Self::Pin(pin) => Some(*pin),
            Self::Sent(_) => None,
        }
    }
}

impl Serialize for VerificationCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Pin(pin) => serializer.serialize_u64(*pin),
            Self::Sent(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de> Deserialize<'de> for VerificationCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // The value as the text the server wrote: through a `serde_json::Value`, a number
        // beyond `u64` lost its digits (`1.8446744073709552e+19`).
        let text = api_core::lenient::json_text(deserializer)?;
        Ok(match text.parse::<u64>() {
            Ok(pin) => Self::Pin(pin),
            Err(_) => Self::Sent(text),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_decode_both_and_encode_as_documented() {
        let id: Id = api_test_support::string_or_number("20076677");
        assert_eq!(api_test_support::json(&id), "20076677");
        for text in ["123-4", "0042", "+42"] {
            assert_eq!(
                api_test_support::json(&Id::from(text)),
                format!("\"{text}\"")
            );
        }
    }

    #[test]
    fn ids_read_print_and_compare_as_their_text() {
        let id = Id::from(20076677u64);
        assert_eq!(id, Id::from("20076677"));
        assert_eq!(id, Id::from(String::from("20076677")));
        assert_eq!(
            (&*id.text(), id.to_string(), id.as_u64()),
            ("20076677", "20076677".into(), Some(20076677))
        );
        assert_eq!(format!("{id:?}"), r#"Id("20076677")"#);
        assert!(Id::from("123-4") < Id::from("20076677"));
        let err = serde_json::from_str::<Id>("null").expect_err("null");
        assert!(
            err.to_string().starts_with("expected text, found null"),
            "{err}"
        );
    }

    #[test]
    fn verification_codes() {
        let pin: VerificationCode = serde_json::from_str("24856785").expect("number");
        assert_eq!(pin.pin(), Some(24856785));
        let sent: VerificationCode =
            serde_json::from_str("\"verification_sent_to_sms\"").expect("text");
        assert_eq!(
            sent,
            VerificationCode::Sent("verification_sent_to_sms".into())
        );
        for (json, code) in [
            ("\"0042\"", VerificationCode::Pin(42)),
            ("null", VerificationCode::Sent("null".into())),
            (
                "18446744073709551617",
                VerificationCode::Sent("18446744073709551617".into()),
            ),
            ("12.50", VerificationCode::Sent("12.50".into())),
            ("{\"a\": 1}", VerificationCode::Sent("{\"a\": 1}".into())),
        ] {
            let decoded: VerificationCode = serde_json::from_str(json).expect(json);
            assert_eq!(decoded, code, "{json}");
        }
    }

    #[test]
    fn guids_are_version_4() {
        let g = guid();
        assert_eq!(g.len(), 32);
        assert!(g.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(&g[12..13], "4");
        assert!(matches!(&g[16..17], "8" | "9" | "a" | "b"), "{g}");
        assert_ne!(guid(), guid());
    }
}
