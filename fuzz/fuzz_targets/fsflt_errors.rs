//! FlashStart's error bodies, and its failures inside a 2xx envelope (`check_success`).
#![no_main]

use fsflt::FsfltErrors;
use fuzz_support::Input;
use libfuzzer_sys::fuzz_target;

/// A confirmed operation, an unconfirmed one (its 404 reads differently) and none.
const OPERATIONS: [&str; 3] = ["create_customer", "list_customers", ""];

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let status = input.status();
    let operation = input.pick(&OPERATIONS);
    fuzz_support::decode_error(&FsfltErrors, "fsflt", operation, status, input.rest());
});
