//! The bounds of `specs/flexiti.yaml`, refused before anything is sent (not even a token
//! request), with the structured error the generated checks give.

use api_core::validate::Rule;
use api_test_support::invalid;
use flexiti::{Client, Environment};
use wiremock::MockServer;

#[tokio::test]
async fn page_numbers_and_sizes_are_checked_before_sending() {
    let server = MockServer::start().await;
    let client = Client::builder()
        .client_id("flexitidemo")
        .client_secret("flexiti-test-secret-3f9d")
        .environment(Environment::custom(server.uri()))
        .build()
        .expect("client");
    // `page_number` ≥ 1 (pages are numbered from 1, INFERRED) and `page_size` ≥ 1.
    let page = invalid(
        client
            .list_authorizations()
            .page_number(0)
            .page_size(50)
            .send()
            .await,
    );
    assert_eq!(
        (page.field.as_str(), &page.rule, page.value.as_deref()),
        ("page_number", &Rule::Minimum(1), Some("0"))
    );
    let size = invalid(
        client
            .list_captures()
            .page_number(1)
            .page_size(0)
            .send()
            .await,
    );
    assert_eq!(
        (size.field.as_str(), &size.rule),
        ("page_size", &Rule::Minimum(1))
    );

    assert!(api_test_support::requests(&server).await.is_empty());
}
