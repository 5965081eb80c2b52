//! An OAuth2 token endpoint's answer: any status, any body, any moment of asking. It must
//! give a token or a bounded `Auth` error, never panic, and never an expiry before the
//! request or more than `MAX_TOKEN_LIFETIME` after it.
#![no_main]

use std::time::{Duration, SystemTime};

use api_core::{AccessToken, Error, MAX_TOKEN_LIFETIME, StatusCode};
use fuzz_support::Input;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let offset = u64::from_le_bytes(std::array::from_fn(|_| input.byte()));
    // Any "now" a clock can report, 1970 to ~2554.
    let requested_at = SystemTime::UNIX_EPOCH + Duration::from_nanos(offset);
    let code = 100 + u16::from(input.byte()) % 500;
    let Ok(status) = StatusCode::from_u16(code) else {
        return;
    };
    match AccessToken::from_token_answer(status, input.rest(), requested_at) {
        Ok(token) => {
            assert!(status.is_success());
            let expires_at = token.expires_at();
            assert!(expires_at >= requested_at);
            assert!(expires_at <= requested_at + MAX_TOKEN_LIFETIME);
        }
        Err(Error::Auth(message)) => assert!(message.len() <= 1024, "{}", message.len()),
        Err(other) => panic!("not an Auth error: {other:?}"),
    }
});
