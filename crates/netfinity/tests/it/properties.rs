//! Property tests of the message checks: each validator never panics and accepts exactly
//! what its documentation says, compared with a plain reference predicate.

use api_test_support::invalid_field as field;
use netfinity::{
    MAX_ID_CHARS, MAX_MSISDN_DIGITS, MAX_TEXT_CHARS, MIN_MSISDN_DIGITS, Sms, first_non_gsm, is_gsm,
    validate_id, validate_msisdn, validate_text,
};
use proptest::prelude::*;

/// Mostly plausible phone numbers, with the usual mistakes mixed in.
fn msisdn() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{0,24}",
        "\\+?[0-9 ()-]{6,22}",
        "[0-9٠-٩０-９]{6,22}",
        any::<String>(),
    ]
}

/// GSM text, extension characters, the GSM look-alikes that are not GSM, and anything.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9 .,!?@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉÄÖÑÜ§¿äöñüà\n\r]{0,170}",
        "[a-z€\\[\\]{}|~^\\\\]{0,170}",
        "[a-zЖжąłç✓😀`\t\u{1b}]{0,170}",
        any::<String>(),
    ]
}

fn id() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Za-z0-9]{0,70}", "[A-Za-z0-9_ -]{1,70}", any::<String>()]
}

proptest! {
    #![proptest_config(api_test_support::config(256))]

    /// 8–20 ASCII digits.
    #[test]
    fn msisdn_is_8_to_20_ascii_digits(value in msisdn()) {
        let expected = value.bytes().all(|b| b.is_ascii_digit())
            && (MIN_MSISDN_DIGITS..=MAX_MSISDN_DIGITS).contains(&value.len());
        let got = field(validate_msisdn(&value))?;
        prop_assert_eq!(got.is_none(), expected, "{:?}", value);
        if let Some(name) = got {
            prop_assert_eq!(name, "msisdn");
        }
    }

    /// Non-empty, GSM 03.38 only, at most 160 characters; the error names the first
    /// offending character at its 1-based character position.
    #[test]
    fn text_is_non_empty_gsm_of_at_most_160_characters(value in text()) {
        let expected = !value.is_empty()
            && value.chars().all(is_gsm)
            && value.chars().count() <= MAX_TEXT_CHARS;
        let result = validate_text(&value);
        let message = result.as_ref().err().map(ToString::to_string);
        let got = field(result)?;
        prop_assert_eq!(got.is_none(), expected, "{:?}", value);
        let offender = value.chars().enumerate().find(|(_, c)| !is_gsm(*c));
        prop_assert_eq!(first_non_gsm(&value), offender.map(|(i, c)| (i + 1, c)));
        if let (Some(message), Some((i, c)), false) = (message, offender, value.is_empty()) {
            let expected = format!("at position {} is not", i + 1);
            prop_assert!(message.contains(&expected) && message.contains(&format!("{c:?}")),
                "{}", message);
        }
    }

    /// Non-empty, ASCII alphanumeric, at most 64 characters.
    #[test]
    fn id_is_1_to_64_ascii_alphanumerics(value in id()) {
        let expected = !value.is_empty()
            && value.bytes().all(|b| b.is_ascii_alphanumeric())
            && value.len() <= MAX_ID_CHARS;
        let got = field(validate_id(&value))?;
        prop_assert_eq!(got.is_none(), expected, "{:?}", value);
    }

    /// A message is checked against the spec's bounds field by field (msisdn, text length,
    /// the optional id), then the text's alphabet.
    #[test]
    fn a_message_names_its_first_bad_field(
        number in msisdn(),
        body in text(),
        ident in proptest::option::of(id()),
    ) {
        let mut sms = Sms::new(number.clone(), body.clone());
        if let Some(i) = &ident {
            sms = sms.with_id(i.clone());
        }
        // The spec's bounds field by field, then the text's alphabet.
        let text_length = (1..=MAX_TEXT_CHARS).contains(&body.chars().count());
        let expected = if validate_msisdn(&number).is_err() {
            Some("msisdn")
        } else if !text_length {
            Some("text")
        } else if ident.as_deref().is_some_and(|i| validate_id(i).is_err()) {
            Some("id")
        } else if validate_text(&body).is_err() {
            Some("text")
        } else {
            None
        };
        let got = field(sms.validate())?;
        prop_assert_eq!(got.as_deref(), expected);
    }
}
