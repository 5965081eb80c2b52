//! The bounds of `specs/fsflt.yaml`, refused before anything is sent, with the structured
//! error (field, rule, value) the generated checks give.

use api_core::validate::Rule;
use api_test_support::invalid;
use fsflt::{AvailableLicensesRequest, Client, CustomerCode, NewCustomer};
use wiremock::MockServer;

#[tokio::test]
async fn passwords_and_codes_are_checked_before_sending() {
    let server = MockServer::start().await;
    let client = Client::builder()
        .api_key("fsflt-test-key-91ab")
        .base_url(server.uri())
        .build()
        .expect("client");

    // `password`: 8–15 characters; a secret, so its value is not quoted.
    let customer = NewCustomer::new("a@example.com", "short", "Rossi", "IT", 3);
    let password = invalid(client.create_customer(&customer).send().await);
    assert_eq!(
        (
            password.field.as_str(),
            &password.rule,
            password.value.as_deref()
        ),
        ("password", &Rule::MinLength(8), None)
    );
    assert!(!format!("{password:?}").contains("short"));
    // `country_code`: `^[A-Z]{2}$`.
    let customer = NewCustomer::new("a@example.com", "s3cretpass", "Rossi", "it", 3);
    let country = invalid(client.create_customer(&customer).send().await);
    assert_eq!(
        (country.field.as_str(), &country.rule, country.position),
        ("country_code", &Rule::Pattern("^[A-Z]{2}$"), Some(1))
    );
    // `currency_code`: `^[A-Z]{3}$`.
    let mut query = AvailableLicensesRequest::for_customer(CustomerCode::from(1001));
    query.currency_code = Some("EURO".into());
    let currency = invalid(client.available_licenses(&query).send().await);
    assert_eq!(
        (
            currency.field.as_str(),
            currency.position,
            currency.value.as_deref()
        ),
        ("currency_code", Some(4), Some("EURO"))
    );

    assert!(api_test_support::requests(&server).await.is_empty());
}
