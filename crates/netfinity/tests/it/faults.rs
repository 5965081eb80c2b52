//! The client against the sandbox with faults injected through its public API: an answer
//! lost after the SMS was accepted, an answer cut short, an answer too late, and a token
//! revoked in the panel.

use std::time::Duration;

use api_core::TransportErrorKind;
use api_sandbox::{Fault, FaultKind, RecordedRequest, Sandbox, SandboxConfig};
use api_test_support::assert_transport;
use netfinity::{Client, Error, Sms};

async fn start() -> (Sandbox, Client, String) {
    let config = SandboxConfig::default();
    let token = config.netfinity.token.clone();
    let sandbox = Sandbox::start(config).await.expect("sandbox");
    let client = Client::builder()
        .token(token.clone())
        .base_url(sandbox.netfinity_url())
        .rate_limit(None)
        .build()
        .expect("client");
    (sandbox, client, token)
}

/// The sandbox accepts the SMS (it will be delivered), then closes the connection without an
/// answer. A send without an `id` has no key to make a repeat harmless: the client must not
/// send it again, and says the request may have gone (`Transport(Request)`), not that it
/// failed.
#[tokio::test]
async fn an_sms_accepted_then_its_answer_lost_is_not_sent_again() {
    let (sandbox, client, _) = start().await;
    sandbox
        .netfinity()
        .faults()
        .inject(Fault::drop_after_handling());
    let error = client
        .send_sms(&Sms::new("359881234567", "Your code is 1234"))
        .await
        .expect_err("no answer");
    assert_transport(&error, TransportErrorKind::Request);
    let requests = sandbox.netfinity().requests();
    let seen: Vec<(u16, Option<FaultKind>)> =
        requests.iter().map(|r| (r.status, r.fault)).collect();
    assert_eq!(seen, [(200, Some(FaultKind::DropAfterHandling))]);
    let accepted = sandbox.netfinity().accepted();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].text, "Your code is 1234");
    sandbox.shutdown().await;
}

/// The sandbox accepts the SMS and sends its answer's head with the full `Content-Length`,
/// then 5 bytes of the body and the end of the connection: the body could not be read
/// (`Transport(Body)`), and the send is not repeated.
#[tokio::test]
async fn an_answer_cut_short_is_a_body_error_and_not_sent_again() {
    let (sandbox, client, _) = start().await;
    sandbox.netfinity().faults().inject(Fault::truncated(5));
    let error = client
        .send_sms(&Sms::new("359881234567", "cut short"))
        .await
        .expect_err("a cut body");
    assert_transport(&error, TransportErrorKind::Body);
    assert_eq!(sandbox.netfinity().requests().len(), 1);
    assert_eq!(sandbox.netfinity().accepted().len(), 1);
    sandbox.shutdown().await;
}

/// The sandbox accepts the SMS and holds its answer for 50 ms, past the client's 20 ms
/// request timeout: the attempt times out (`Timeout` of the `"request"`), and the send,
/// which may have gone (it did), is not repeated.
#[tokio::test]
async fn a_late_answer_past_the_request_timeout_is_not_sent_again() {
    let (sandbox, _, token) = start().await;
    let client = Client::builder()
        .token(token)
        .base_url(sandbox.netfinity_url())
        .rate_limit(None)
        .configure(|t| t.request_timeout(Duration::from_millis(20)))
        .build()
        .expect("client");
    sandbox
        .netfinity()
        .faults()
        .inject(Fault::latency(Duration::from_millis(50)));
    let error = client
        .send_sms(&Sms::new("359881234567", "late"))
        .await
        .expect_err("timed out");
    assert!(
        matches!(
            error,
            Error::Timeout {
                what: "request",
                ..
            }
        ),
        "{error:?}"
    );
    let faults: Vec<Option<FaultKind>> = sandbox
        .netfinity()
        .requests()
        .iter()
        .map(|r| r.fault)
        .collect();
    assert_eq!(faults, [Some(FaultKind::Latency)]);
    assert_eq!(sandbox.netfinity().accepted().len(), 1);
    sandbox.shutdown().await;
}

/// A token revoked in Netfinity's panel (the sandbox's `revoke_token`): the documented 401 is
/// the answer at once, never repeated, and the error shows no part of the token.
#[tokio::test]
async fn a_revoked_token_is_unauthorized_at_once() {
    let (sandbox, client, token) = start().await;
    client
        .send_sms(&Sms::new("359881234567", "before"))
        .await
        .expect("the token works");
    assert!(sandbox.netfinity().revoke_token(&token));

    let error = client
        .send_sms(&Sms::new("359881234567", "after"))
        .await
        .expect_err("revoked");
    let statuses = RecordedRequest::statuses(&sandbox.netfinity().requests());
    api_test_support::assert_refused_at_once(&error, "Bearer token wrong", &token, &statuses);
    sandbox.shutdown().await;
}
