//! Netfinity's error bodies (the shared `JsonErrorDecoder`: Laravel, OAuth2, `{code, message}`).
#![no_main]

use api_core::JsonErrorDecoder;
use fuzz_support::Input;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let status = input.status();
    fuzz_support::decode_error(
        &JsonErrorDecoder,
        "netfinity",
        "send_sms",
        status,
        input.rest(),
    );
});
