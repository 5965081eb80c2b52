//! The client against the sandbox with faults injected through its public API: a 429 waited
//! out, an outage, a token expired on the sandbox's clock, a capture and an account closure
//! whose answers were lost after the sandbox acted.

use std::str::FromStr;

use api_core::TransportErrorKind;
use api_sandbox::{Fault, FaultKind, Sandbox, SandboxConfig};
use flexiti::api_core::money::Decimal;
use flexiti::{
    AuthorizationRequest, CaptureRequest, Client, CustomerKey, Environment, Error, ErrorKind,
    FinancingOption, Id,
};

const ACCOUNT: &str = "20076677";

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).expect("decimal")
}

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

/// The sandbox captures, then closes the connection without an answer. A capture carries an
/// `x-idempotency-key`, so api-core's policy sends it again with the same key (by design: see
/// docs/providers/flexiti.md, "Idempotency keys"); the sandbox replays the first answer for
/// that key, so the money moves once and the call succeeds. Two requests, one key, one
/// capture: a resend is safe here only because the key is honoured.
#[tokio::test]
async fn a_capture_whose_answer_was_lost_is_resent_with_its_key_and_captured_once() {
    let (sandbox, client) = start().await;
    let auth = client
        .create_authorization(&AuthorizationRequest::new(
            Id::from(ACCOUNT),
            dec("100.00"),
            FinancingOption::promotional(101, Some(12)),
        ))
        .send()
        .await
        .expect("authorize")
        .into_inner();
    let auth_id = auth.authorization_id.expect("an authorization id");
    sandbox
        .flexiti()
        .faults()
        .inject(Fault::drop_after_handling().on_path("/capture"));

    let capture = client
        .capture_authorization(&auth_id, &CaptureRequest::new(dec("60.00")))
        .send()
        .await
        .expect("the replayed capture")
        .into_inner();
    assert_eq!(capture.remaining_authorization_amount, Some(dec("40")));
    let recorded = sandbox.flexiti().requests();
    let captures: Vec<_> = recorded
        .iter()
        .filter(|r| r.path.ends_with("/capture"))
        .collect();
    let seen: Vec<(u16, Option<FaultKind>)> =
        captures.iter().map(|r| (r.status, r.fault)).collect();
    assert_eq!(
        seen,
        [(200, Some(FaultKind::DropAfterHandling)), (200, None)]
    );
    let key = captures[0].header("x-idempotency-key").expect("a key");
    assert_eq!(captures[1].header("x-idempotency-key"), Some(key));
    assert_eq!(sandbox.flexiti().idempotency_key_count(key), 2);
    let now = client
        .get_authorization(&auth_id)
        .send()
        .await
        .expect("the authorization")
        .into_inner();
    assert_eq!(now.remaining_authorization_amount, Some(dec("40")));
    assert_eq!(
        sandbox.flexiti().account_balance(ACCOUNT).as_deref(),
        Some("4900.00")
    );
    sandbox.shutdown().await;
}

/// The sandbox closes the account, then the connection, without an answer. A closure has no
/// idempotency key: the client must not send it again, and says the request may have gone
/// (`Transport(Request)`); the account is closed.
#[tokio::test]
async fn an_account_closed_then_its_answer_lost_is_not_closed_again() {
    let (sandbox, client) = start().await;
    sandbox
        .flexiti()
        .faults()
        .inject(Fault::drop_after_handling().on_path("/close"));
    let error = client
        .close_account(ACCOUNT)
        .send()
        .await
        .expect_err("no answer");
    match &error {
        Error::Transport(transport) => assert_eq!(transport.kind, TransportErrorKind::Request),
        other => panic!("expected a transport error, got {other:?}"),
    }
    let closes: Vec<(u16, Option<FaultKind>)> = sandbox
        .flexiti()
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/close"))
        .map(|r| (r.status, r.fault))
        .collect();
    assert_eq!(closes, [(200, Some(FaultKind::DropAfterHandling))]);
    // The sandbox answers a closed account's lookup as Flexiti does: not active.
    let closed = client
        .lookup_customer_by(&CustomerKey::Account(Id::from(ACCOUNT)))
        .send()
        .await
        .expect_err("closed");
    assert_eq!(closed.kind(), Some(ErrorKind::Conflict));
    assert_eq!(
        closed.as_api().and_then(|a| a.message.as_deref()),
        Some("User is not active")
    );
    sandbox.shutdown().await;
}
