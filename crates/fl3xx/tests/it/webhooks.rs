//! Receiving deliveries: `webhook::verify` over the raw body (HMAC-SHA256, hex), then the
//! decoded notification; and the HMAC itself against RFC 4231.

use api_core::signature::{hmac_sha256_hex, verify_hmac_sha256_hex};
use fl3xx::webhook::{self, SIGNATURE_HEADER, WebhookError};
use fl3xx::{Id, WebhookEventType, WebhookNotification, WebhookResourceType};
use serde_json::json;

const KEY: &[u8] = b"whsec-fl3xx-test-5b1d";

const BODY: &[u8] = br#"{"eventId":"7f0c2a9e-1b3d-4c5e-8f60-0a1b2c3d4e5f","resourceId":5001,"operatorUuid":"op-uuid-1","event":"FLIGHT_TIME_UPDATE","timestamp":1705314600000,"resourceType":"FLIGHT"}"#;

fn signed(body: &[u8]) -> String {
    hmac_sha256_hex(KEY, body)
}

fn malformed(result: Result<WebhookNotification, WebhookError>) -> (String, String) {
    match result {
        Err(WebhookError::Malformed { path, message }) => (path, message),
        other => panic!("expected a malformed notification, got {other:?}"),
    }
}

#[test]
fn a_signed_delivery_decodes_exactly() {
    let signature = signed(BODY);
    assert_eq!(signature.len(), 64);
    assert!(
        signature
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
        "lower-case hex: {signature}"
    );
    let event = webhook::verify(BODY, Some(&signature), KEY).expect("verified");
    assert_eq!(
        event,
        WebhookNotification {
            event_id: "7f0c2a9e-1b3d-4c5e-8f60-0a1b2c3d4e5f".into(),
            resource_id: Id::from(5001u64),
            operator_uuid: Some("op-uuid-1".into()),
            event: WebhookEventType::FlightTimeUpdate,
            timestamp: Some(1_705_314_600_000),
            resource_type: Some(WebhookResourceType::Flight),
            extra: serde_json::Map::new(),
        }
    );
    // The number arrives as the same id v2 writes as a string.
    assert_eq!(event.resource_id, Id::from("5001"));
    assert_eq!(&*event.resource_id.text(), "5001");
    assert!(event.event.is_subscribable());
    assert_eq!(SIGNATURE_HEADER, "X-Webhook-Signature");
}

#[test]
fn upper_case_hex_and_surrounding_whitespace_are_accepted() {
    let signature = signed(BODY);
    let upper = signature.to_uppercase();
    assert_ne!(upper, signature);
    let event = webhook::verify(BODY, Some(&upper), KEY).expect("upper case");
    assert_eq!(event.resource_id, Id::from("5001"));
    webhook::verify(BODY, Some(&format!(" {signature}\n")), KEY).expect("trimmed");
}

#[test]
fn a_tampered_body_is_a_bad_signature() {
    let signature = signed(BODY);
    let tampered = String::from_utf8_lossy(BODY).replace("5001", "5002");
    assert_eq!(
        webhook::verify(tampered.as_bytes(), Some(&signature), KEY),
        Err(WebhookError::BadSignature)
    );
    // One byte more (a trailing newline) is another body too.
    let mut longer = BODY.to_vec();
    longer.push(b'\n');
    assert_eq!(
        webhook::verify(&longer, Some(&signature), KEY),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn a_wrong_key_or_a_garbled_signature_is_a_bad_signature() {
    let other = hmac_sha256_hex(b"another-key", BODY);
    assert_eq!(
        webhook::verify(BODY, Some(&other), KEY),
        Err(WebhookError::BadSignature)
    );
    let signature = signed(BODY);
    for bad in [
        "",
        "zz",
        &signature[..62],
        &format!("{signature}00"),
        &format!("sha256={signature}"),
    ] {
        assert_eq!(
            webhook::verify(BODY, Some(bad), KEY),
            Err(WebhookError::BadSignature),
            "{bad:?}"
        );
    }
    assert_eq!(
        WebhookError::BadSignature.to_string(),
        "the X-Webhook-Signature signature does not match"
    );
}

#[test]
fn a_missing_header_is_missing_signature() {
    assert_eq!(
        webhook::verify(BODY, None, KEY),
        Err(WebhookError::MissingSignature)
    );
    assert_eq!(
        WebhookError::MissingSignature.to_string(),
        "the X-Webhook-Signature header is missing"
    );
}

#[test]
fn the_signature_is_checked_before_the_body_is_read() {
    let garbage = b"{not json";
    assert_eq!(
        webhook::verify(garbage, Some(&signed(BODY)), KEY),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn a_signed_body_that_is_not_a_notification_is_malformed_with_a_path() {
    let wrong_type = br#"{"eventId":"e-1","resourceId":{"id":5001},"event":"FLIGHT_CREATE"}"#;
    let (path, message) = malformed(webhook::verify(wrong_type, Some(&signed(wrong_type)), KEY));
    assert_eq!(path, "resourceId", "{message}");

    let missing = br#"{"eventId":"e-1","resourceId":5001}"#;
    let (path, message) = malformed(webhook::verify(missing, Some(&signed(missing)), KEY));
    assert_eq!(path, ".");
    assert!(message.contains("missing field `event`"), "{message}");

    let broken = br#"{"eventId":"e-1","resourceId":"#;
    let (path, message) = malformed(webhook::verify(broken, Some(&signed(broken)), KEY));
    assert_eq!(path, "resourceId", "{message}");
    assert!(message.contains("EOF"), "{message}");

    let trailing = [BODY, b" {}"].concat();
    let (path, message) = malformed(webhook::verify(&trailing, Some(&signed(&trailing)), KEY));
    assert_eq!(path, ".");
    assert!(message.starts_with("trailing characters"), "{message}");

    let error = WebhookError::Malformed {
        path: "resourceId".into(),
        message: "invalid type".into(),
    };
    assert_eq!(
        error.to_string(),
        "invalid notification at `resourceId`: invalid type"
    );
}

#[test]
fn unknown_event_types_and_fields_are_kept() {
    let body = br#"{"eventId":"e-9","resourceId":"77","event":"FLIGHT_TELEPORT","resourceType":"TELEPORTER","newField":[1,2]}"#;
    let event = webhook::verify(body, Some(&signed(body)), KEY).expect("verified");
    assert_eq!(
        event.event,
        WebhookEventType::Unknown("FLIGHT_TELEPORT".into())
    );
    assert!(!event.event.is_group());
    // A name the crate does not know yet may be subscribed to (issue #21).
    assert!(event.event.is_subscribable());
    assert_eq!(
        event.resource_type,
        Some(WebhookResourceType::Unknown("TELEPORTER".into()))
    );
    assert_eq!(event.resource_id, Id::from("77"));
    assert_eq!(event.operator_uuid, None);
    assert_eq!(event.timestamp, None);
    assert_eq!(event.extra["newField"], json!([1, 2]));
    // Sent on (e.g. to a queue), the unknown values survive as received.
    let again = serde_json::to_value(&event).expect("json");
    assert_eq!(again["event"], json!("FLIGHT_TELEPORT"));
    assert_eq!(again["newField"], json!([1, 2]));
}

#[test]
fn group_events_decode_but_are_not_subscribable() {
    let groups = [
        ("FLIGHT_UPDATE", WebhookEventType::FlightUpdate),
        (
            "FLIGHT_PASSENGER_UPDATE",
            WebhookEventType::FlightPassengerUpdate,
        ),
        ("FLIGHT_PERMIT_UPDATE", WebhookEventType::FlightPermitUpdate),
        (
            "FLIGHT_SLOT_PPR_UPDATE",
            WebhookEventType::FlightSlotPprUpdate,
        ),
        ("FLIGHT_FBO_UPDATE", WebhookEventType::FlightFboUpdate),
        (
            "FLIGHT_TRANSPORT_UPDATE",
            WebhookEventType::FlightTransportUpdate,
        ),
        ("FLIGHT_HOTEL_UPDATE", WebhookEventType::FlightHotelUpdate),
    ];
    for (name, expected) in groups {
        let body = format!(
            r#"{{"eventId":"g-1","resourceId":5001,"event":"{name}","resourceType":"FLIGHT"}}"#
        );
        let event =
            webhook::verify(body.as_bytes(), Some(&signed(body.as_bytes())), KEY).expect(name);
        assert_eq!(event.event, expected);
        assert!(event.event.is_group(), "{name}");
        assert!(!event.event.is_subscribable(), "{name}");
        assert_eq!(event.event.to_string(), name);
    }
    let subscribable = [
        "FLIGHT_CREATE",
        "FLIGHT_CANCEL",
        "FLIGHT_TIME_UPDATE",
        "FLIGHT_AIRCRAFT_UPDATE",
        "FLIGHT_AIRPORT_UPDATE",
        "FLIGHT_POST_FLIGHT_STATUS",
        "FLIGHT_MOVEMENT_UPDATE",
        "FLIGHT_PAX_COUNT_UPDATE",
        "FLIGHT_PAX_LIST_UPDATE",
        "FLIGHT_PERMIT_ASSIGNMENT",
        "FLIGHT_PERMIT_UNASSIGNMENT",
        "FLIGHT_SLOT_PPR_ASSIGNMENT",
        "FLIGHT_SLOT_PPR_UNASSIGNMENT",
        // 2.4.0, SEEN in reference/v2/webhooks.md's group events.
        "FLIGHT_FBO_ASSIGNMENT",
        "FLIGHT_FBO_UNASSIGNMENT",
        "FLIGHT_TRANSPORT_ASSIGNMENT",
        "FLIGHT_TRANSPORT_UNASSIGNMENT",
    ];
    for name in subscribable {
        let event = WebhookEventType::from(name);
        assert!(
            event.is_subscribable() && !event.is_group(),
            "{name} can be subscribed to"
        );
        assert_eq!(event.as_str(), name);
    }
}

#[test]
fn parse_skips_the_signature_for_stored_bodies() {
    let event = webhook::parse(BODY).expect("parsed");
    assert_eq!(event.event, WebhookEventType::FlightTimeUpdate);
    assert_eq!(event.resource_id, Id::from("5001"));
}

/// RFC 4231 §4.2, test case 1: key = 20 bytes of 0x0b, data = "Hi There".
#[test]
fn rfc4231_test_case_1() {
    let key = [0x0b_u8; 20];
    let expected = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
    assert_eq!(hmac_sha256_hex(&key, b"Hi There"), expected);
    assert!(verify_hmac_sha256_hex(&key, b"Hi There", expected));
    assert!(!verify_hmac_sha256_hex(&key, b"Hi there", expected));
}

/// RFC 4231 §4.7, test case 6: a key longer than the block size (131 bytes of 0xaa).
#[test]
fn rfc4231_test_case_6() {
    let key = [0xaa_u8; 131];
    let data = b"Test Using Larger Than Block-Size Key - Hash Key First";
    let expected = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
    assert_eq!(hmac_sha256_hex(&key, data), expected);
    assert!(verify_hmac_sha256_hex(&key, data, &expected.to_uppercase()));
}
