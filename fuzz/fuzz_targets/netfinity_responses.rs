//! Netfinity's success bodies: the accepted message.
#![no_main]

use fuzz_support::decode_model;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    decode_model::<netfinity::SmsAccepted>(data);
});
