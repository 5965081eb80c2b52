//! Checks made before a message is sent, so that bad input never costs a request.

use api_core::validate::{Rule, Validate};
use api_core::{InvalidInput, Result};

use crate::gsm::first_non_gsm;
use crate::{SMS_ID_PATTERN, SMS_MSISDN_PATTERN, SMS_TEXT_LENGTHS, Sms};

// The bounds below are the spec's (`specs/netfinity.yaml`, schema `Sms`), read from the
// generated checks; only the GSM 03.38 alphabet is checked here, since a schema cannot say it.

/// Most characters in one message.
pub const MAX_TEXT_CHARS: usize = *SMS_TEXT_LENGTHS.end() as usize;
/// Fewest digits in an `msisdn`.
pub const MIN_MSISDN_DIGITS: usize = SMS_MSISDN_PATTERN.pieces[0].min as usize;
/// Most digits in an `msisdn`.
pub const MAX_MSISDN_DIGITS: usize = SMS_MSISDN_PATTERN.pieces[0].max as usize;
/// Most characters in a message `id`. The docs only say "alphanumeric"; 64 is our bound.
pub const MAX_ID_CHARS: usize = SMS_ID_PATTERN.pieces[0].max as usize;

impl Sms {
    /// Checks every field as the API will, naming the first problem: the spec's bounds
    /// (generated) and the GSM 03.38 alphabet of `text` (hand-written).
    ///
    /// ```
    /// use netfinity::Sms;
    /// let err = Sms::new("359881234567", "Здравей").validate().expect_err("Cyrillic");
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid `text`: character 'З' (U+0417) at position 1 is not in the GSM 03.38 alphabet"
    /// );
    /// ```
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] naming `msisdn`, `text` or `id`, with its
    /// [`Rule`](api_core::validate::Rule).
    pub fn validate(&self) -> Result<()> {
        // The spec's bounds, field by field (`msisdn`, `text`, `id`), then the alphabet: what
        // `Client::send_sms` checks, in the same order.
        Validate::validate(self)?;
        gsm_alphabet(&self.text)
    }
}

/// 8–20 ASCII digits (the spec's `pattern`).
pub fn validate_msisdn(msisdn: &str) -> Result<()> {
    api_core::validate::pattern("msisdn", msisdn, &SMS_MSISDN_PATTERN)
}

/// Non-empty, at most 160 characters (the spec's bounds), GSM 03.38 only.
pub fn validate_text(text: &str) -> Result<()> {
    gsm_alphabet(text)?;
    let (min, max) = (*SMS_TEXT_LENGTHS.start(), *SMS_TEXT_LENGTHS.end());
    api_core::validate::length("text", text, Some(min), Some(max))
}

/// Non-empty, ASCII alphanumeric, at most 64 characters (the spec's `pattern`).
pub fn validate_id(id: &str) -> Result<()> {
    api_core::validate::pattern("id", id, &SMS_ID_PATTERN)
}

/// The GSM 03.38 alphabet: hand-written, since no schema keyword states it.
pub(crate) fn gsm_alphabet(text: &str) -> Result<()> {
    match first_non_gsm(text) {
        None => Ok(()),
        Some((position, c)) => Err(InvalidInput::new(
            "text",
            Rule::Custom("gsm-03.38"),
            format!(
                "character {c:?} (U+{:04X}) at position {position} is not in the GSM 03.38 alphabet",
                u32::from(c)
            ),
        )
        .with_value(text)
        .at(position)
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_core::Error;

    fn message(result: Result<()>) -> String {
        match result {
            Err(Error::InvalidInput(e)) => format!("{}: {}", e.field, e.message),
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn msisdn_rules() {
        assert!(validate_msisdn("35988123").is_ok());
        assert!(validate_msisdn("00359881234567").is_ok());
        assert!(validate_msisdn(&"9".repeat(20)).is_ok());
        assert_eq!(
            message(validate_msisdn("3598812")),
            "msisdn: must match `^[0-9]{8,20}$` (8 to 20 of 0-9); 7 characters do not"
        );
        assert_eq!(
            message(validate_msisdn(&"9".repeat(21))),
            "msisdn: must match `^[0-9]{8,20}$` (8 to 20 of 0-9); found '9' at position 21"
        );
        assert_eq!(
            message(validate_msisdn("+359881234567")),
            "msisdn: must match `^[0-9]{8,20}$` (8 to 20 of 0-9); found '+' at position 1"
        );
        assert_eq!(
            message(validate_msisdn("359 88 123")),
            "msisdn: must match `^[0-9]{8,20}$` (8 to 20 of 0-9); found ' ' at position 4"
        );
        assert_eq!(
            message(validate_msisdn("")),
            "msisdn: must match `^[0-9]{8,20}$` (8 to 20 of 0-9); 0 characters do not"
        );
        assert_eq!(
            (
                MIN_MSISDN_DIGITS,
                MAX_MSISDN_DIGITS,
                MAX_TEXT_CHARS,
                MAX_ID_CHARS
            ),
            (8, 20, 160, 64)
        );
        assert!(validate_msisdn("٣٥٩٨٨١٢٣٤").is_err(), "non-ASCII digits");
    }

    #[test]
    fn text_rules() {
        assert!(validate_text("Your code is 1234. €5 off [today]!").is_ok());
        assert!(validate_text(&"a".repeat(160)).is_ok());
        assert!(
            validate_text(&"é".repeat(160)).is_ok(),
            "counts characters, not bytes"
        );
        assert_eq!(message(validate_text("")), "text: must not be empty");
        assert_eq!(
            message(validate_text(&"a".repeat(161))),
            "text: must be at most 160 characters"
        );
        assert_eq!(
            message(validate_text("Hi ✓")),
            "text: character '✓' (U+2713) at position 4 is not in the GSM 03.38 alphabet"
        );
    }

    #[test]
    fn id_rules() {
        assert!(validate_id("order42").is_ok());
        assert!(validate_id(&"a".repeat(64)).is_ok());
        assert_eq!(
            message(validate_id("")),
            "id: must match `^[A-Za-z0-9]{1,64}$` (1 to 64 of A-Z, a-z, 0-9); 0 characters do not"
        );
        assert_eq!(
            message(validate_id("order-42")),
            "id: must match `^[A-Za-z0-9]{1,64}$` (1 to 64 of A-Z, a-z, 0-9); found '-' at position 6"
        );
        assert_eq!(
            message(validate_id(&"a".repeat(65))),
            "id: must match `^[A-Za-z0-9]{1,64}$` (1 to 64 of A-Z, a-z, 0-9); found 'a' at position 65"
        );
    }

    #[test]
    fn a_message_reports_its_first_bad_field() {
        let sms = Sms::new("123", "ж").with_id("x-y");
        assert_eq!(
            message(sms.validate()),
            "msisdn: must match `^[0-9]{8,20}$` (8 to 20 of 0-9); 3 characters do not"
        );
        let sms = Sms::new("359881234567", "ok").with_id("x-y");
        assert!(message(sms.validate()).starts_with("id: "));
    }
}
