//! Pingback parsing and acknowledgement, on the documented payloads.

use netfinity::api_core::date::DateTime;
use netfinity::{SmsStatusCode, pingback};
use time::macros::datetime;

/// The envelope of docs.netfinity.bg api/communication/receiving ("uuid", "id", "service",
/// "timestamp", "payload"). Its `timestamp` is only "час и дата на генериране на
/// съобщението" there, with no format: the value here is our inference (RFC 3339, as Laravel
/// writes dates in JSON), not a documented example.
fn packet(code: i64, extra_payload: &str) -> String {
    format!(
        r#"{{"uuid":"a1b2","id":"123","service":"sms-notification","timestamp":"2020-12-31T21:59:59.000000Z",
            "payload":{{"status":{{"code":{code},"description":"text"}}{extra_payload}}}}}"#
    )
}

#[test]
fn every_documented_status_code() {
    use SmsStatusCode::*;
    let cases = [
        (201, Queued, false),
        (202, RemoteQueued, false),
        (203, DeliveredToSmsc, false),
        (204, Delivered, true),
        (301, Delayed, false),
        (400, RejectedFunds, true),
        (401, FloodProtection, true),
        (501, RejectedDestination, true),
        (502, InternalError, true),
        (503, RemoteFailed, true),
    ];
    for (code, expected, is_final) in cases {
        let event = pingback::parse(packet(code, "").as_bytes()).expect("documented packet");
        assert_eq!(event.payload.status.code, expected, "{code}");
        assert_eq!(event.payload.status.code.code(), code);
        assert_eq!(event.payload.status.code.is_final(), is_final, "{code}");
        assert_eq!(
            event.payload.status.code.is_failure(),
            is_final && code != 204,
            "{code}"
        );
    }
}

#[test]
fn unknown_codes_and_fields_are_kept_not_rejected() {
    let event = pingback::parse(packet(999, r#","rate":{"parts":2}"#).as_bytes()).expect("parsed");
    assert_eq!(event.payload.status.code, SmsStatusCode::Unknown(999));
    assert!(!event.payload.status.code.is_final());
    assert_eq!(event.payload.extra["rate"]["parts"], 2);
}

#[test]
fn the_documented_delayed_packet_with_its_voucher() {
    // The payload is api/smsnotification/process's "Delay" example, whose voucher `expires`
    // is "2020-12-31 23:59:59": that example date is the voucher's, not the envelope's
    // `timestamp` (api/communication/receiving gives that one no format). The envelope's
    // timestamp here is the sandbox's inferred RFC 3339 form.
    let body = br#"{"uuid":"a1b2","id":"123","service":"sms-notification","timestamp":"2020-12-31T21:59:59.000000Z",
        "payload":{"status":{"code":301,"description":"Delayed due to Insufficient funds"},
                   "meta":{"voucher":{"uuid":"v-9","expires":"2020-12-31 23:59:59"}}}}"#;
    let event = pingback::parse(body).expect("parsed");
    assert_eq!(event.uuid, "a1b2");
    assert_eq!(event.id.as_deref(), Some("123"));
    assert_eq!(event.service.as_deref(), Some("sms-notification"));
    let timestamp = event.timestamp.as_ref().expect("timestamp");
    assert_eq!(timestamp.as_str(), "2020-12-31T21:59:59.000000Z");
    assert_eq!(timestamp.get(), Ok(datetime!(2020-12-31 21:59:59 UTC)));
    assert_eq!(event.payload.status.code, SmsStatusCode::Delayed);
    assert_eq!(
        event.payload.status.description.as_deref(),
        Some("Delayed due to Insufficient funds")
    );
    let voucher = event
        .payload
        .meta
        .as_ref()
        .and_then(|m| m.voucher.as_ref())
        .expect("voucher");
    assert_eq!(voucher.uuid.as_deref(), Some("v-9"));
    let expires = voucher.expires.as_ref().expect("expires");
    assert_eq!(expires.as_str(), "2020-12-31 23:59:59");
    // No offset: the wall-clock reading, and no instant.
    assert_eq!(expires.local(), Ok(datetime!(2020-12-31 23:59:59)));
    assert!(expires.get().is_err_and(|e| e.is_missing_offset()));
}

#[test]
fn timestamps_are_kept_as_sent_whatever_their_form() {
    for (json, text, wall) in [
        // The voucher's documented form, should the envelope use it too.
        (
            r#""2020-12-31 23:59:59""#,
            "2020-12-31 23:59:59",
            Some(datetime!(2020-12-31 23:59:59)),
        ),
        (
            r#""2020-12-31T23:59:59""#,
            "2020-12-31T23:59:59",
            Some(datetime!(2020-12-31 23:59:59)),
        ),
        (
            r#""2020-12-31T23:59:59+02:00""#,
            "2020-12-31T23:59:59+02:00",
            Some(datetime!(2020-12-31 23:59:59)),
        ),
        (r#""yesterday""#, "yesterday", None),
        ("1609451999", "1609451999", None),
        // A float keeps its shortest round-trip form: 17 significant digits, 100 ns here.
        ("1609451999.123456789", "1609451999.1234567", None),
    ] {
        let body =
            format!(r#"{{"uuid":"u","timestamp":{json},"payload":{{"status":{{"code":204}}}}}}"#);
        let event = pingback::parse(body.as_bytes()).expect(json);
        let timestamp = event.timestamp.as_ref().expect("timestamp");
        assert_eq!(timestamp.as_str(), text, "{json}");
        assert_eq!(timestamp.local().ok(), wall, "{json}");
    }
    let zoned = pingback::parse(
        br#"{"uuid":"u","timestamp":"2020-12-31T23:59:59+02:00","payload":{"status":{"code":204}}}"#,
    )
    .expect("zoned");
    assert_eq!(
        zoned.timestamp.as_ref().map(DateTime::get),
        Some(Ok(datetime!(2020-12-31 23:59:59 +02:00)))
    );
}

#[test]
fn minimal_packet_and_acknowledgement() {
    let event =
        pingback::parse(br#"{"uuid":"u","payload":{"status":{"code":204}}}"#).expect("parsed");
    assert_eq!(event.id, None);
    assert_eq!(event.ack_json(), r#"{"uuid":"u"}"#);
    let event = pingback::parse(packet(204, "").as_bytes()).expect("parsed");
    assert_eq!(event.ack_json(), r#"{"uuid":"a1b2","id":"123"}"#);
}

#[test]
fn malformed_packets_are_errors_with_the_failing_path() {
    let error = pingback::parse(br#"{"payload":{"status":{"code":204}}}"#).expect_err("no uuid");
    assert!(error.message.contains("uuid"), "{error}");
    let error = pingback::parse(br#"{"uuid":"u","payload":{"status":{"code":"x"}}}"#)
        .expect_err("code not a number");
    assert_eq!(error.path, "payload.status.code");
    assert!(pingback::parse(b"<html>").is_err());
    assert!(pingback::parse(b"").is_err());
    assert!(
        pingback::parse(br#"{"uuid":"u","payload":{"status":{"code":204}}} trailing"#).is_err()
    );
}
