//! `X-RateLimit-Limit`, `-Remaining` and `-Reset`, one value a line.
#![no_main]

use api_core::{HeaderMap, HeaderValue, RateLimitInfo};
use fuzz_support::Input;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 3] = [
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
];

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mut headers = HeaderMap::new();
    let mut expected = [None; 3];
    for (name, slot) in NAMES.iter().zip(&mut expected) {
        let raw = input.line();
        if let Ok(value) = HeaderValue::from_bytes(raw) {
            headers.append(*name, value);
            // A number, padded or not, is read; anything else is absent (non-ASCII values are
            // not text to `HeaderValue::to_str`).
            *slot = std::str::from_utf8(raw)
                .ok()
                .filter(|v| v.is_ascii())
                .and_then(|v| v.trim().parse::<u64>().ok());
        }
    }
    let info = RateLimitInfo::from_headers(&headers);
    match info {
        Some(info) => {
            assert_eq!([info.limit, info.remaining, info.reset], expected);
            // The reset as a wait, from any clock reading: never a panic.
            let now = std::time::SystemTime::UNIX_EPOCH
                + std::time::Duration::from_secs(u64::from(input.byte()) << 24);
            let _ = info.reset_after(now);
        }
        None => assert_eq!(expected, [None; 3]),
    }
});
