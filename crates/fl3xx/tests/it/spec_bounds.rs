//! The bounds of `specs/fl3xx.yaml`, refused before anything is sent, with the structured
//! error (field, rule, value) the generated checks give.

use api_core::date::Date;
use api_core::validate::Rule;
use api_test_support::invalid;
use fl3xx::{CreateCrewQualification, Fl3xx, FlightWindow};
use time::macros::datetime;
use wiremock::MockServer;

#[tokio::test]
async fn page_sizes_dates_and_v1_limits_are_checked_before_sending() {
    let server = MockServer::start().await;
    let op = Fl3xx::builder()
        .client_id("fl3xx-test-client-5e2a")
        .base_url(server.uri())
        .build()
        .expect("partner")
        .for_operator("fl3xx-test-token-acme-91")
        .expect("operator");
    let window = FlightWindow::new(
        datetime!(2024-01-15 0:00 UTC),
        datetime!(2024-01-16 0:00 UTC),
    )
    .expect("window");

    // `limit`: minimum 10, maximum 50 (SEEN: "Page size, 10 to 50").
    let high = invalid(op.list_flights(window).limit(51).offset(0).send().await);
    assert_eq!(
        (high.field.as_str(), &high.rule, high.value.as_deref()),
        ("limit", &Rule::Maximum(50), Some("51"))
    );
    let low = invalid(op.list_flights(window).limit(9).offset(0).send().await);
    assert_eq!(low.rule, Rule::Minimum(10));
    assert_eq!(low.message, "must be at least 10; got 9");

    // v1 accounts: `limit` 1–1000 (our bound, INFERRED in the spec).
    let v1 = invalid(
        op.v1()
            .v1_list_accounts()
            .limit(1001)
            .offset(0)
            .send()
            .await,
    );
    assert_eq!(
        (v1.field.as_str(), &v1.rule),
        ("limit", &Rule::Maximum(1000))
    );

    // A request's date must be a real day (`format: date`).
    let new = CreateCrewQualification {
        crew_id: "77".into(),
        qualification_type_id: "QT-3".into(),
        license_number: None,
        issuing_authority: None,
        country: None,
        issue_date: Some(Date::from_text("2023-02-29")),
        expiry_date: None,
        training_start_date: None,
        notes: None,
        is_pilot_in_command: None,
        base_month: None,
    };
    let date = invalid(op.create_crew_qualification(&new).send().await);
    assert_eq!(
        (date.field.as_str(), &date.rule, date.value.as_deref()),
        ("issueDate", &Rule::Format("date"), Some("2023-02-29"))
    );

    assert!(api_test_support::requests(&server).await.is_empty());
}
