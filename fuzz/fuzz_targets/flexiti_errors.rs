//! Flexiti's error bodies and codes.
#![no_main]

use flexiti::{ErrorCode, FlexitiErrors};
use fuzz_support::Input;
use libfuzzer_sys::fuzz_target;

/// A confirmed operation, an unconfirmed one (its errors carry a note) and none.
const OPERATIONS: [&str; 3] = ["capture_authorization", "refund_account", ""];

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let status = input.status();
    let operation = input.pick(&OPERATIONS);
    let body = input.rest();
    fuzz_support::decode_error(&FlexitiErrors, "flexiti", operation, status, body);
    // A code's wire text reads back as the same code (`wrong_input` is an alias of
    // `wrong_inputs`, so the text itself need not round-trip).
    let code = ErrorCode::parse(&String::from_utf8_lossy(body));
    assert_eq!(ErrorCode::parse(code.as_str()), code);
});
