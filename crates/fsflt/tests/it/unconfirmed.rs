//! The operations behind the `unconfirmed` feature: their guessed paths on the wire, and a 404
//! reported as an unconfirmed path.
#![cfg(feature = "unconfirmed")]

use fsflt::{
    Client, CustomerCode, CustomerDetailsRequest, CustomerLicenseRequest, LicenseId,
    SetPasswordRequest, UNCONFIRMED_PATH,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_404_says_the_path_is_unconfirmed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})))
        .mount(&server)
        .await;
    let client = client(&server).await;
    let error = client.list_customers().send().await.expect_err("404");
    assert_eq!(error.kind(), Some(UNCONFIRMED_PATH));
    assert_eq!(
        error.to_string(),
        "fsflt list_customers failed with HTTP 404: this path is unconfirmed: the public \
         documentation describes `list_customers` but does not show its path, and our guess \
         answered 404"
    );
    for result in [
        client.currencies().send().await,
        client.countries().send().await,
        client.industries().send().await,
        client.license_versions().send().await,
    ] {
        assert_eq!(result.expect_err("404").kind(), Some(UNCONFIRMED_PATH));
    }
    let paths: Vec<String> = server
        .received_requests()
        .await
        .expect("recorded")
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "/customerarea/customers/list",
            "/customerarea/directory/currencies",
            "/customerarea/directory/countries",
            "/customerarea/directory/industries",
            "/customerarea/directory/licenses/versions",
        ]
    );
}

#[tokio::test]
async fn guessed_operations_send_the_documented_parameters() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/customerarea/customers/password"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"code": 200, "content": "ok"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/customerarea/customers/license"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"code": 200, "content": "done"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/customerarea/customers/details"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 200, "content": {"customer_code": "1001", "customer_name": "Rossi", "vat": "IT1"}}),
        ))
        .mount(&server)
        .await;
    let client = client(&server).await;
    let customer = CustomerCode::from(1001);
    assert_eq!(
        client
            .set_customer_password(&SetPasswordRequest::new(customer, "s3cretpass"))
            .send()
            .await
            .expect("set")
            .as_str(),
        "ok"
    );
    assert!(
        client
            .set_customer_password(&SetPasswordRequest::new(customer, "short"))
            .send()
            .await
            .is_err()
    );
    client
        .customer_license_action(&CustomerLicenseRequest::new(customer, &LicenseId::from(5)))
        .send()
        .await
        .expect("action");
    let mut details = CustomerDetailsRequest::for_customer(customer);
    details.lang = Some(fsflt::Lang::It);
    let details = client
        .customer_details(&details)
        .send()
        .await
        .expect("details");
    assert_eq!(details.customer_code, Some(customer));
    assert_eq!(details.customer_name.as_deref(), Some("Rossi"));
    assert_eq!(details.extra["vat"], "IT1");

    let bodies: Vec<serde_json::Value> = server
        .received_requests()
        .await
        .expect("recorded")
        .iter()
        .map(|r| serde_json::from_slice(&r.body).expect("json"))
        .collect();
    assert_eq!(
        bodies,
        [
            json!({"customer_code": "1001", "password": "s3cretpass"}),
            json!({"customer_code": "1001", "license_id": "5"}),
            json!({"customer_code": "1001", "lang": "IT"}),
        ]
    );
}
