//! FL3XX's error bodies, including the fair-use 403.
#![no_main]

use fl3xx::Fl3xxErrors;
use fuzz_support::Input;
use libfuzzer_sys::fuzz_target;

/// A confirmed operation, an unconfirmed one (its errors carry a note) and none.
const OPERATIONS: [&str; 3] = ["list_flights", "delete_fuel_prices_bulk", ""];

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let status = input.status();
    let operation = input.pick(&OPERATIONS);
    fuzz_support::decode_error(&Fl3xxErrors, "fl3xx", operation, status, input.rest());
});
