//! `Retry-After`: delay-seconds or an HTTP date, relative to a fuzzed "now".
#![no_main]

use std::time::{Duration, SystemTime};

use api_core::{HeaderMap, HeaderValue, parse_retry_after, retry_after};
use fuzz_support::Input;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let offset = u64::from_le_bytes(std::array::from_fn(|_| input.byte()));
    // Any "now" a clock can report, 1970 to ~2554.
    let now = SystemTime::UNIX_EPOCH + Duration::from_nanos(offset);
    let Ok(value) = HeaderValue::from_bytes(input.rest()) else {
        return;
    };
    let parsed = parse_retry_after(&value, now);
    let mut headers = HeaderMap::new();
    headers.insert("retry-after", value);
    assert_eq!(retry_after(&headers, now), parsed);
});
