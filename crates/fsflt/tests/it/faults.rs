//! The client against the sandbox with faults injected through its public API: a 429 waited
//! out or returned, answers lost after the licence was assigned or the customer created, and
//! an API key revoked in the panel.

use api_sandbox::{Fault, FaultKind, RecordedRequest, Sandbox, SandboxConfig};
use api_test_support::assert_transport;
use fsflt::{
    AssignRequest, AuthTokenRequest, AvailableLicensesRequest, Client, CustomerCode, ErrorKind,
    NewCustomer,
};

async fn start() -> (Sandbox, Client) {
    let config = SandboxConfig::default();
    let sandbox = Sandbox::start(config.clone()).await.expect("sandbox");
    let client = Client::builder()
        .api_key(&config.fsflt.api_key)
        .base_url(sandbox.fsflt_url())
        .build()
        .expect("client");
    (sandbox, client)
}

/// A 429 (with `Retry-After: 0`) means the server did not act: even a side effect is
/// repeated, and the customer is created once.
#[tokio::test]
async fn an_injected_429_is_retried_and_the_customer_created_once() {
    let (sandbox, client) = start().await;
    sandbox
        .fsflt()
        .faults()
        .inject(Fault::status(429).header("retry-after", "0"));
    let new = NewCustomer::new("it@rossi.example", "s3cretpass", "Rossi", "IT", 1);
    let created = client
        .create_customer(&new)
        .send()
        .await
        .expect("after the 429");
    assert_eq!(sandbox.fsflt().customers().len(), 1);
    assert_eq!(
        sandbox.fsflt().customers()[0].customer_code,
        created.customer_code.get()
    );
    assert_eq!(
        RecordedRequest::statuses(&sandbox.fsflt().requests()),
        [429, 200]
    );
    sandbox.shutdown().await;
}

/// Past the client's own limit on waits, a `Retry-After` is returned as the error.
#[tokio::test]
async fn a_retry_after_beyond_the_wait_limit_is_the_answer() {
    let (sandbox, client) = start().await;
    sandbox
        .fsflt()
        .faults()
        .inject(Fault::status(429).header("retry-after", "3600"));
    let request = AuthTokenRequest::for_customer(CustomerCode::from(1001));
    let error = client
        .get_auth_token(&request)
        .max_wait(std::time::Duration::from_secs(1))
        .send()
        .await
        .expect_err("not waited out");
    assert_eq!(error.kind(), Some(ErrorKind::TooManyRequests));
    assert_eq!(sandbox.fsflt().requests().len(), 1);
    sandbox.shutdown().await;
}

/// The sandbox assigns the licence, then closes the connection without an answer. An
/// assignment has no idempotency key: the client must not send it again (a second licence
/// would be billed), and says the request may have gone (`Transport(Request)`).
#[tokio::test]
async fn a_licence_assigned_then_its_answer_lost_is_not_assigned_again() {
    let (sandbox, client) = start().await;
    let new = NewCustomer::new("it@rossi.example", "s3cretpass", "Rossi", "IT", 1);
    let customer = client
        .create_customer(&new)
        .send()
        .await
        .expect("created")
        .customer_code;
    let offers = client
        .available_licenses(&AvailableLicensesRequest::for_customer(customer))
        .send()
        .await
        .expect("offers");
    let offer = offers.first().expect("an offer");
    sandbox
        .fsflt()
        .faults()
        .inject(Fault::drop_after_handling().on_path("/licenses/assign"));

    let error = client
        .assign_license(&AssignRequest::new(
            customer,
            &offer.license_code,
            "Head office",
        ))
        .send()
        .await
        .expect_err("no answer");
    assert_transport(&error, api_core::TransportErrorKind::Request);
    let assignments: Vec<(u16, Option<FaultKind>)> = sandbox
        .fsflt()
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/licenses/assign"))
        .map(|r| (r.status, r.fault))
        .collect();
    assert_eq!(assignments, [(200, Some(FaultKind::DropAfterHandling))]);
    let licences = sandbox.fsflt().licences();
    assert_eq!(licences.len(), 1);
    assert_eq!(licences[0].license_code, offer.license_code);
    assert_eq!(licences[0].customer_code, customer.get());
    sandbox.shutdown().await;
}

/// The same for a customer creation: created once, not repeated, `Transport(Request)`.
#[tokio::test]
async fn a_customer_created_then_its_answer_lost_is_not_created_again() {
    let (sandbox, client) = start().await;
    sandbox
        .fsflt()
        .faults()
        .inject(Fault::drop_after_handling());
    let new = NewCustomer::new("it@rossi.example", "s3cretpass", "Rossi", "IT", 1);
    let error = client
        .create_customer(&new)
        .send()
        .await
        .expect_err("no answer");
    assert_transport(&error, api_core::TransportErrorKind::Request);
    assert_eq!(sandbox.fsflt().requests().len(), 1);
    let customers = sandbox.fsflt().customers();
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0].email, "it@rossi.example");
    sandbox.shutdown().await;
}

/// An API key revoked in FlashStart's reseller panel (the sandbox's `revoke_api_key`): the
/// documented 401 is the answer at once, never repeated, and the error shows no part of the
/// key.
#[tokio::test]
async fn a_revoked_api_key_is_unauthorized_at_once() {
    let config = SandboxConfig::default();
    let key = config.fsflt.api_key.clone();
    let (sandbox, client) = start().await;
    let new = NewCustomer::new("it@rossi.example", "s3cretpass", "Rossi", "IT", 1);
    let customer = client
        .create_customer(&new)
        .send()
        .await
        .expect("the key works")
        .customer_code;
    assert!(sandbox.fsflt().revoke_api_key(&key));

    let error = client
        .get_auth_token(&AuthTokenRequest::for_customer(customer))
        .send()
        .await
        .expect_err("revoked");
    let statuses = RecordedRequest::statuses(&sandbox.fsflt().requests());
    api_test_support::assert_refused_at_once(
        &error,
        "invalid token or unauthorized admin",
        &key,
        &statuses,
    );
    sandbox.shutdown().await;
}
