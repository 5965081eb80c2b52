//! The bounds of `specs/netfinity.yaml` (schema `Sms`), refused before anything is sent,
//! with the structured error (field, rule, value, position) the generated checks give.

use api_core::validate::Rule;
use api_test_support::invalid;
use netfinity::{Client, Sms};
use wiremock::MockServer;

#[tokio::test]
async fn msisdn_text_and_id_bounds_are_checked_before_sending() {
    let server = MockServer::start().await;
    let client = Client::builder()
        .token("nf-test-token-7c1e")
        .base_url(format!("{}/v2", server.uri()))
        .rate_limit(None)
        .build()
        .expect("client");

    // `msisdn`: `^[0-9]{8,20}$` (8–20 digits, SEEN).
    let plus = invalid(client.send_sms(&Sms::new("+359881234567", "hi")).await);
    assert_eq!(
        (
            plus.field.as_str(),
            &plus.rule,
            plus.position,
            plus.value.as_deref()
        ),
        (
            "msisdn",
            &Rule::Pattern("^[0-9]{8,20}$"),
            Some(1),
            Some("+359881234567")
        )
    );
    // `text`: at most 160 characters (SEEN), and GSM 03.38 (hand-written).
    let long = invalid(
        client
            .send_sms(&Sms::new("359881234567", "a".repeat(161)))
            .await,
    );
    assert_eq!(
        (long.field.as_str(), &long.rule),
        ("text", &Rule::MaxLength(160))
    );
    let cyrillic = invalid(client.send_sms(&Sms::new("359881234567", "Здравей")).await);
    assert_eq!(
        (&cyrillic.rule, cyrillic.position),
        (&Rule::Custom("gsm-03.38"), Some(1))
    );
    // `id`: `^[A-Za-z0-9]{1,64}$`.
    let id = invalid(
        client
            .send_sms(&Sms::new("359881234567", "hi").with_id("order-42"))
            .await,
    );
    assert_eq!((id.field.as_str(), id.position), ("id", Some(6)));

    assert!(api_test_support::requests(&server).await.is_empty());
}
