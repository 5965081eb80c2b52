//! The `{"code": 200, "content": ...}` envelope around every success body.

use serde::{Deserialize, Deserializer};

/// A decoded envelope. The client unwraps it: callers get the `content`.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope<T> {
    /// The envelope's own status code (`200` on success), when present.
    pub code: Option<u64>,
    /// The payload.
    pub content: T,
}

impl<T> Envelope<T> {
    /// The payload.
    pub fn into_content(self) -> T {
        self.content
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Envelope<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire<T> {
            #[serde(default, deserialize_with = "api_core::lenient::option_u64")]
            code: Option<u64>,
            content: T,
        }
        let wire = Wire::<T>::deserialize(deserializer)?;
        Ok(Self {
            code: wire.code,
            content: wire.content,
        })
    }
}
