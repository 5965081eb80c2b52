//! Checks made before a message is sent, so that bad input never costs a request.
//!
//! The alphabet itself (GSM 03.38 and its extension table) is at the end.

use crate::{SMS_ID_PATTERN, SMS_MSISDN_PATTERN, SMS_TEXT_LENGTHS, Sms};
use api_core::validate::{Rule, Validate};
use api_core::{InvalidInput, Result};

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

// ---------------------------------------------------------------------------------------
// The GSM 03.38 alphabet (the default 7-bit SMS alphabet) and its extension table.

/// Characters of the basic table, in table order.
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1b}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// Characters of the extension table (each is sent as escape + one septet; Netfinity
/// converts them to one-character look-alikes).
const EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// The ASCII members of both tables, indexed by code point, built from the tables themselves.
/// A search of the tables per character cost ~250 instructions; a message is mostly ASCII.
const ASCII: [bool; 128] = {
    let mut table = [false; 128];
    // A byte below 0x80 in UTF-8 is always a whole ASCII character, never part of another.
    let mut i = 0;
    while i < BASIC.len() {
        if BASIC.as_bytes()[i] < 0x80 {
            table[BASIC.as_bytes()[i] as usize] = true;
        }
        i += 1;
    }
    let mut i = 0;
    while i < EXTENSION.len() {
        if EXTENSION.as_bytes()[i] < 0x80 {
            table[EXTENSION.as_bytes()[i] as usize] = true;
        }
        i += 1;
    }
    // The escape character itself is not a printable character of a message.
    table[0x1b] = false;
    table
};

/// True when `c` can be sent in the GSM 03.38 alphabet (basic or extension table).
pub fn is_gsm(c: char) -> bool {
    match ASCII.get(c as usize) {
        Some(&ascii) => ascii,
        // The non-ASCII characters of `BASIC` and `EXTENSION` (a test checks the two agree).
        None => matches!(
            c,
            '£' | '¥'
                | 'è'
                | 'é'
                | 'ù'
                | 'ì'
                | 'ò'
                | 'Ç'
                | 'Ø'
                | 'ø'
                | 'Å'
                | 'å'
                | 'Δ'
                | 'Φ'
                | 'Γ'
                | 'Λ'
                | 'Ω'
                | 'Π'
                | 'Ψ'
                | 'Σ'
                | 'Θ'
                | 'Ξ'
                | 'Æ'
                | 'æ'
                | 'ß'
                | 'É'
                | '¤'
                | '¡'
                | 'Ä'
                | 'Ö'
                | 'Ñ'
                | 'Ü'
                | '§'
                | '¿'
                | 'ä'
                | 'ö'
                | 'ñ'
                | 'ü'
                | 'à'
                | '€'
        ),
    }
}

/// The first character of `text` outside the GSM alphabet, with its 1-based position.
pub fn first_non_gsm(text: &str) -> Option<(usize, char)> {
    // Most texts are ASCII: a byte each, looked up in the table without decoding.
    if text
        .bytes()
        .all(|b| ASCII.get(usize::from(b)) == Some(&true))
    {
        return None;
    }
    text.chars()
        .enumerate()
        .find(|(_, c)| !is_gsm(*c))
        .map(|(i, c)| (i + 1, c))
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

#[cfg(test)]
mod gsm_tests {
    use super::*;

    #[test]
    fn tables_have_the_standard_sizes() {
        assert_eq!(BASIC.chars().count(), 128);
        assert_eq!(EXTENSION.chars().count(), 10);
    }

    #[test]
    fn lookup_matches_the_tables_for_every_character() {
        // The definition: a member of either table, the escape character excepted.
        let by_search = |c: char| c != '\u{1b}' && (BASIC.contains(c) || EXTENSION.contains(c));
        // Every GSM character is below U+20AC (€); the rest of the BMP and a few astral
        // characters check that nothing else slips in.
        let astral = ['\u{10000}', '\u{1F600}', '\u{10FFFF}'];
        for c in ('\0'..='\u{FFFF}').chain(astral) {
            assert_eq!(is_gsm(c), by_search(c), "{c:?} (U+{:04X})", c as u32);
        }
        assert_eq!(('\0'..='\u{FFFF}').filter(|&c| is_gsm(c)).count(), 127 + 10);
    }

    #[test]
    fn classifies_characters() {
        for c in "Hello, World! 0-9 @£$¥ èéùìò ÄÖÑÜ§¿äöñüà ΔΦΓΛΩΠΨΣΘΞ €[]{}|~^\\\n\r".chars()
        {
            assert!(is_gsm(c), "{c:?}");
        }
        for c in "жЖ`ąłç✓😀\u{1b}\t".chars() {
            assert!(!is_gsm(c), "{c:?}");
        }
    }

    #[test]
    fn finds_the_first_offender_by_character_position() {
        assert_eq!(first_non_gsm("Здравей"), Some((1, 'З')));
        assert_eq!(first_non_gsm("Hi é ok ж"), Some((9, 'ж')));
        assert_eq!(first_non_gsm("plain"), None);
        // The ASCII path (a byte each) agrees with the character lookup.
        for c in ('\0'..='\u{7f}').chain(['é', 'ж']) {
            let expected = (!is_gsm(c)).then_some((3, c));
            assert_eq!(first_non_gsm(&format!("ok{c}!")), expected, "{c:?}");
        }
    }
}
