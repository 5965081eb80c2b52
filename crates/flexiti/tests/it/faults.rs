//! The client against the sandbox with faults injected through its public API.

use api_sandbox::{Fault, Sandbox, SandboxConfig};
use flexiti::{Client, CustomerKey, Environment, ErrorKind, Id};

async fn start() -> (Sandbox, Client) {
    let config = SandboxConfig::default();
    let sandbox = Sandbox::start(config.clone()).await.expect("sandbox");
    let client = Client::builder()
        .client_id(&config.flexiti.client_id)
        .client_secret(&config.flexiti.client_secret)
        .environment(Environment::custom(sandbox.flexiti_url()))
        .build()
        .expect("client");
    (sandbox, client)
}

/// A 429 on the lookup (not on the token request: the fault names the path) is waited out.
#[tokio::test]
async fn an_injected_429_is_waited_out() {
    let (sandbox, client) = start().await;
    sandbox.flexiti().faults().inject(
        Fault::status(429)
            .header("retry-after", "0")
            .on_path("/customers/lookup"),
    );
    let customer = client
        .lookup_customer_by(&CustomerKey::Account(Id::from("20076677")))
        .send()
        .await
        .expect("after the 429");
    assert_eq!(customer.account_number, Some(Id::from("20076677")));
    let lookups: Vec<u16> = sandbox
        .flexiti()
        .requests()
        .iter()
        .filter(|r| r.path.contains("/customers/lookup"))
        .map(|r| r.status)
        .collect();
    assert_eq!(lookups, [429, 200]);
    sandbox.shutdown().await;
}

/// A 503 answered to every attempt: the client gives up after its attempts with the 503.
#[tokio::test]
async fn an_injected_outage_ends_with_its_503() {
    let (sandbox, client) = start().await;
    sandbox.flexiti().faults().inject(
        Fault::status(503)
            .header("retry-after", "0")
            .on_path("/customers/lookup")
            .times(10),
    );
    let error = client
        .lookup_customer_by(&CustomerKey::Account(Id::from("20076677")))
        .max_attempts(2)
        .send()
        .await
        .expect_err("down");
    assert_eq!(error.kind(), Some(ErrorKind::ServiceUnavailable));
    assert_eq!(sandbox.flexiti().faults().pending(), 8);
    sandbox.shutdown().await;
}

/// The sandbox's clock moves past the token's 20 minutes while the client's own clock still
/// counts it live: the next call gets the sandbox's 401, the client drops its token, fetches a
/// new one (the refresh grant is refused for an expired token, so by client credentials) and
/// the call succeeds, once.
#[tokio::test]
async fn a_token_expired_on_the_sandbox_clock_is_replaced_once() {
    let (sandbox, client) = start().await;
    let key = CustomerKey::Account(Id::from("20076677"));
    client.lookup_customer_by(&key).send().await.expect("first");
    sandbox
        .clock()
        .advance(std::time::Duration::from_secs(21 * 60));

    let customer = client.lookup_customer_by(&key).send().await.expect("after");
    assert_eq!(customer.account_number, Some(Id::from("20076677")));
    let recorded = sandbox.flexiti().requests();
    let seen: Vec<(&str, u16)> = recorded
        .iter()
        .map(|r| (r.path.rsplit('/').next().unwrap_or(""), r.status))
        .collect();
    assert_eq!(
        seen,
        [
            ("token", 200),
            ("lookup", 200),
            ("lookup", 401),
            ("token", 200),
            ("lookup", 200)
        ]
    );
    let second_token = String::from_utf8_lossy(&recorded[3].body);
    assert!(
        second_token.contains("grant_type=client_credentials"),
        "{second_token}"
    );
    sandbox.shutdown().await;
}
