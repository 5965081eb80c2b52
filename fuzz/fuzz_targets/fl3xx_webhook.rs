//! FL3XX webhooks: the signature check and the notification decoder.
//!
//! Input: `signing key \n signature header \n body`. The body is also checked under its true
//! signature, so the decoder runs on every body, not only on the rare correct guess.
#![no_main]

use api_core::signature::hmac_sha256_hex;
use fl3xx::webhook::{self, WebhookError};
use fuzz_support::Input;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let key = input.line();
    let signature = String::from_utf8_lossy(input.line()).into_owned();
    let body = input.rest();

    match webhook::verify(body, Some(&signature), key) {
        Err(WebhookError::BadSignature) => {}
        other => {
            // Accepted only when the header really is the body's signature.
            assert!(
                signature
                    .trim()
                    .eq_ignore_ascii_case(&hmac_sha256_hex(key, body)),
                "accepted a wrong signature: {other:?}"
            );
        }
    }
    assert_eq!(
        webhook::verify(body, None, key),
        Err(WebhookError::MissingSignature)
    );
    let signed = webhook::verify(body, Some(&hmac_sha256_hex(key, body)), key);
    assert_eq!(signed, webhook::parse(body));
    if let Err(error) = signed {
        assert!(!matches!(error, WebhookError::BadSignature));
        let _ = error.to_string();
    }
});
