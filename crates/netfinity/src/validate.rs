//! Checks made before a message is sent, so that bad input never costs a request.

use api_core::{Error, Result};

use crate::Sms;
use crate::gsm::first_non_gsm;

/// Most characters in one message.
pub const MAX_TEXT_CHARS: usize = 160;
/// Fewest digits in an `msisdn`.
pub const MIN_MSISDN_DIGITS: usize = 8;
/// Most digits in an `msisdn`.
pub const MAX_MSISDN_DIGITS: usize = 20;
/// Most characters in a message `id`. The docs only say "alphanumeric"; 64 is our bound.
pub const MAX_ID_CHARS: usize = 64;

impl Sms {
    /// Checks every field as the API will, naming the first problem.
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
    /// [`Error::InvalidInput`] naming `msisdn`, `text` or `id`.
    pub fn validate(&self) -> Result<()> {
        validate_msisdn(&self.msisdn)?;
        validate_text(&self.text)?;
        if let Some(id) = &self.id {
            validate_id(id)?;
        }
        Ok(())
    }
}

/// 8–20 ASCII digits.
pub fn validate_msisdn(msisdn: &str) -> Result<()> {
    if let Some((i, c)) = msisdn
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_digit())
    {
        let hint = if c == '+' {
            " (drop the leading '+')"
        } else {
            ""
        };
        return Err(Error::invalid_input(
            "msisdn",
            format!(
                "must contain digits only; found {c:?} at position {}{hint}",
                i + 1
            ),
        ));
    }
    let digits = msisdn.len();
    if !(MIN_MSISDN_DIGITS..=MAX_MSISDN_DIGITS).contains(&digits) {
        return Err(Error::invalid_input(
            "msisdn",
            format!(
                "must be between {MIN_MSISDN_DIGITS} and {MAX_MSISDN_DIGITS} digits; got {digits}"
            ),
        ));
    }
    Ok(())
}

/// Non-empty, at most 160 characters, GSM 03.38 only.
pub fn validate_text(text: &str) -> Result<()> {
    if text.is_empty() {
        return Err(Error::invalid_input("text", "must not be empty"));
    }
    if let Some((position, c)) = first_non_gsm(text) {
        return Err(Error::invalid_input(
            "text",
            format!(
                "character {c:?} (U+{:04X}) at position {position} is not in the GSM 03.38 alphabet",
                u32::from(c)
            ),
        ));
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(Error::invalid_input(
            "text",
            format!("must be at most {MAX_TEXT_CHARS} characters; got {chars}"),
        ));
    }
    Ok(())
}

/// Non-empty, ASCII alphanumeric, at most 64 characters.
pub fn validate_id(id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::invalid_input("id", "must not be empty when given"));
    }
    if let Some((i, c)) = id
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
    {
        return Err(Error::invalid_input(
            "id",
            format!(
                "must be alphanumeric (A-Z, a-z, 0-9); found {c:?} at position {}",
                i + 1
            ),
        ));
    }
    if id.len() > MAX_ID_CHARS {
        return Err(Error::invalid_input(
            "id",
            format!(
                "must be at most {MAX_ID_CHARS} characters; got {}",
                id.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
            "msisdn: must be between 8 and 20 digits; got 7"
        );
        assert_eq!(
            message(validate_msisdn(&"9".repeat(21))),
            "msisdn: must be between 8 and 20 digits; got 21"
        );
        assert_eq!(
            message(validate_msisdn("+359881234567")),
            "msisdn: must contain digits only; found '+' at position 1 (drop the leading '+')"
        );
        assert_eq!(
            message(validate_msisdn("359 88 123")),
            "msisdn: must contain digits only; found ' ' at position 4"
        );
        assert_eq!(
            message(validate_msisdn("")),
            "msisdn: must be between 8 and 20 digits; got 0"
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
            "text: must be at most 160 characters; got 161"
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
        assert_eq!(message(validate_id("")), "id: must not be empty when given");
        assert_eq!(
            message(validate_id("order-42")),
            "id: must be alphanumeric (A-Z, a-z, 0-9); found '-' at position 6"
        );
        assert_eq!(
            message(validate_id(&"a".repeat(65))),
            "id: must be at most 64 characters; got 65"
        );
    }

    #[test]
    fn a_message_reports_its_first_bad_field() {
        let sms = Sms::new("123", "ж").with_id("x-y");
        assert_eq!(
            message(sms.validate()),
            "msisdn: must be between 8 and 20 digits; got 3"
        );
        let sms = Sms::new("359881234567", "ok").with_id("x-y");
        assert!(message(sms.validate()).starts_with("id: "));
    }
}
