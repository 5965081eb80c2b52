//! Netfinity delivery callbacks: `pingback::parse` and everything read off its result.
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
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
