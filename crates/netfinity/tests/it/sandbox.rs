//! The client against the sandbox emulator: the whole flow, pingbacks included.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_sandbox::{NetfinityConfig, RecordedRequest, Sandbox, SandboxConfig};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use netfinity::{Client, Error, ErrorKind, Pingback, Sms, SmsStatusCode, pingback};

type Received = Arc<Mutex<Vec<Pingback>>>;

async fn receiver() -> (String, Received) {
    async fn receive(State(received): State<Received>, body: Bytes) -> String {
        let event = pingback::parse(&body).expect("the sandbox sends valid pingbacks");
        let ack = event.ack_json();
        received.lock().expect("lock").push(event);
        ack
    }
    let received = Received::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/cb", listener.local_addr().expect("addr"));
    let app = Router::new()
        .route("/cb", post(receive))
        .with_state(received.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

async fn sandbox(limit: u32, callback_url: Option<String>) -> (Sandbox, Client) {
    let config = SandboxConfig {
        netfinity: NetfinityConfig {
            limit,
            callback_url,
            pingback_delay: Duration::from_millis(10),
            ..NetfinityConfig::default()
        },
        ..Default::default()
    };
    let token = config.netfinity.token.clone();
    let sandbox = Sandbox::start(config).await.expect("sandbox");
    let client = Client::builder()
        .token(token)
        .base_url(sandbox.netfinity_url())
        .rate_limit(None)
        .build()
        .expect("client");
    (sandbox, client)
}

#[tokio::test]
async fn accepted_message_is_delivered_through_pingbacks() {
    let (url, received) = receiver().await;
    let (sandbox, client) = sandbox(60, Some(url)).await;
    let accepted = client
        .send_sms(&Sms::new("359881234567", "Your code is 1234").with_id("t1"))
        .await
        .expect("accepted");
    let uuid = accepted.uuid.clone().expect("the sandbox returns a uuid");
    assert_eq!(accepted.id.as_deref(), Some("t1"));
    let stored = sandbox.netfinity().accepted();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].msisdn, "359881234567");
    assert_eq!(stored[0].text, "Your code is 1234");

    assert!(
        sandbox
            .netfinity()
            .wait_for_pingbacks(4, Duration::from_secs(5))
            .await
    );
    let events = received.lock().expect("lock").clone();
    let codes: Vec<_> = events.iter().map(|e| e.payload.status.code).collect();
    assert_eq!(
        codes,
        [
            SmsStatusCode::Queued,
            SmsStatusCode::RemoteQueued,
            SmsStatusCode::DeliveredToSmsc,
            SmsStatusCode::Delivered
        ]
    );
    assert!(
        events
            .iter()
            .all(|e| e.uuid == uuid && e.id.as_deref() == Some("t1"))
    );
    let records = sandbox.netfinity().pingbacks();
    assert!(records.iter().all(|p| p.acknowledged));
    assert_eq!(
        records[0].ack_body.as_deref(),
        Some(format!(r#"{{"uuid":"{uuid}","id":"t1"}}"#).as_str())
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn wrong_token_and_throttle_are_typed_errors() {
    let (sandbox, client) = sandbox(1, None).await;
    let wrong = Client::builder()
        .token("not-the-token")
        .base_url(sandbox.netfinity_url())
        .build()
        .expect("client");
    let error = wrong
        .send_sms(&Sms::new("359881234567", "hi"))
        .await
        .expect_err("401");
    assert_eq!(error.kind(), Some(ErrorKind::Unauthorized));

    client
        .send_sms(&Sms::new("359881234567", "first"))
        .await
        .expect("within the limit");
    let error = client
        .send_sms(&Sms::new("359881234567", "second"))
        .await
        .expect_err("throttled");
    assert_eq!(error.kind(), Some(ErrorKind::TooManyRequests));
    let api = error.as_api().expect("api error");
    assert_eq!(api.rate_limit.and_then(|r| r.limit), Some(1));
    assert_eq!(api.rate_limit.and_then(|r| r.remaining), Some(0));
    assert!(api.retry_after.is_some_and(|d| d > Duration::from_secs(30)));
    // 401, accepted, 429: the throttled send was not repeated.
    assert_eq!(sandbox.netfinity().requests().len(), 3);

    // The server's pause now applies to every clone: a clone fails fast without a request.
    let clone = client.clone();
    match clone.send_sms(&Sms::new("359881234567", "third")).await {
        Err(Error::RateLimited { retry_after }) => assert!(retry_after > Duration::from_secs(30)),
        other => panic!("expected the shared pause, got {other:?}"),
    }
    assert_eq!(sandbox.netfinity().requests().len(), 3);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn limited_token_is_forbidden() {
    let (sandbox, _) = sandbox(60, None).await;
    let token = NetfinityConfig::default()
        .limited_token
        .expect("a limited token by default");
    let client = Client::builder()
        .token(token)
        .base_url(sandbox.netfinity_url())
        .build()
        .expect("client");
    let error = client
        .send_sms(&Sms::new("359881234567", "hi"))
        .await
        .expect_err("403");
    assert_eq!(error.kind(), Some(ErrorKind::Forbidden));
    assert_eq!(
        error.as_api().and_then(|a| a.message.as_deref()),
        Some("Token capabilities missing")
    );
    sandbox.shutdown().await;
}

/// A 429 injected through the sandbox's public fault API: the server cannot have acted, so
/// the client repeats the send once the `Retry-After` has passed, and the message goes once.
#[tokio::test]
async fn an_injected_429_is_waited_out_and_the_message_sent_once() {
    let (sandbox, client) = sandbox(60, None).await;
    sandbox.netfinity().faults().inject(
        api_sandbox::Fault::status(429)
            .header("retry-after", "0")
            .body(r#"{"message":"Too Many Attempts."}"#),
    );
    let accepted = client
        .send_sms(&Sms::new("359881234567", "after a 429"))
        .await
        .expect("sent after the 429");
    assert_eq!(accepted.attempts(), 2);
    assert_eq!(
        RecordedRequest::statuses(&sandbox.netfinity().requests()),
        [429, 200]
    );
    assert_eq!(sandbox.netfinity().accepted().len(), 1);
    assert_eq!(sandbox.netfinity().faults().pending(), 0);
    sandbox.shutdown().await;
}

/// The sandbox's trigger route, over plain HTTP: one pingback of a documented status, parsed
/// by this crate's own parser and acknowledged.
#[tokio::test]
async fn a_triggered_pingback_is_parsed_and_acknowledged() {
    let (url, received) = receiver().await;
    let (sandbox, _client) = sandbox(60, None).await;
    let request = serde_json::json!({"url": url, "code": 204, "uuid": "5b9c", "id": "order42"});
    let trigger = format!("{}/trigger/netfinity/pingback", sandbox.admin_url());
    let answer = api_test_support::post_json(&trigger, &request).await;
    assert_eq!(answer["acknowledged"], true);
    assert_eq!(answer["body"]["payload"]["status"]["code"], 204);
    let received = received.lock().map(|r| r.clone()).unwrap_or_default();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].payload.status.code, SmsStatusCode::Delivered);
    assert_eq!(received[0].id.as_deref(), Some("order42"));
    sandbox.shutdown().await;
}
