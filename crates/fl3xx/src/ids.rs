//! Ids: strings in API v2, numbers in webhook deliveries and API v1.

/// An FL3XX id (flight, subscription, permit, qualification, ...). v2 sends ids as strings,
/// webhooks and v1 as numbers; both decode into the same text, which is sent as a string.
pub use api_core::{Id, IdText};

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
