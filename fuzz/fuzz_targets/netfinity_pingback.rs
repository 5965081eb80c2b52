//! Netfinity delivery callbacks: `pingback::parse` and everything read off its result, its
//! dates included.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netfinity::pingback;

fuzz_target!(|data: &[u8]| {
    match pingback::parse(data) {
        Ok(event) => {
            let code = &event.payload.status.code;
            let _ = (code.is_final(), code.is_delivered(), code.is_failure());
            let ack = event.ack_json();
            // The acknowledgement is JSON whatever the pingback carried.
            assert!(
                serde_json::from_str::<serde_json::Value>(&ack).is_ok(),
                "{ack}"
            );
            let _ = format!("{event:?}");
            // The dates are read on demand: whatever the text, a value or a bounded error.
            let voucher = event.payload.meta.as_ref().and_then(|m| m.voucher.as_ref());
            let expires = voucher.and_then(|v| v.expires.as_ref());
            for date in [event.timestamp.as_ref(), expires].into_iter().flatten() {
                for error in [date.get().err(), date.local().err()].into_iter().flatten() {
                    let text = error.to_string();
                    assert!(text.len() <= 1024, "{} bytes", text.len());
                }
            }
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
