//! Ids: strings in API v2, numbers in webhook deliveries and API v1.

/// An FL3XX id (flight, subscription, permit, qualification, ...). v2 sends ids as strings,
/// webhooks and v1 as numbers; both decode into the same text, which is sent as a string.
pub use api_core::{Id, IdText};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_numbers_are_one_id() {
        let id: Id = api_test_support::string_or_number("5001");
        assert_eq!(api_test_support::json(&id), "\"5001\"");
    }
}
