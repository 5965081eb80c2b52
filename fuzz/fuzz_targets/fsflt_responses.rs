//! FlashStart's success bodies, each inside the `{code, content}` envelope.
#![no_main]

use fsflt::{
    AssignedLicense, AuthToken, AvailableLicense, CreatedCustomer, CustomerSummary, DemoLicense,
    DirectoryEntry, Envelope,
};
use fuzz_support::{Input, decode_model};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let model = input.byte();
    let body = input.rest();
    match model % 9 {
        0 => decode_model::<Envelope<AuthToken>>(body),
        1 => decode_model::<Envelope<CreatedCustomer>>(body),
        2 => decode_model::<Envelope<Vec<AvailableLicense>>>(body),
        3 => decode_model::<Envelope<DemoLicense>>(body),
        4 => decode_model::<Envelope<AssignedLicense>>(body),
        5 => decode_model::<Envelope<CustomerSummary>>(body),
        6 => decode_model::<Envelope<Vec<CustomerSummary>>>(body),
        7 => decode_model::<Envelope<Vec<DirectoryEntry>>>(body),
        _ => decode_model::<Envelope<String>>(body),
    }
});
