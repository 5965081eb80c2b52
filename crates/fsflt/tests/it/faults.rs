//! The client against the sandbox with faults injected through its public API.

use api_sandbox::{Fault, Sandbox, SandboxConfig};
use fsflt::{AuthTokenRequest, Client, CustomerCode, ErrorKind, NewCustomer};

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
    let statuses: Vec<u16> = sandbox
        .fsflt()
        .requests()
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [429, 200]);
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
