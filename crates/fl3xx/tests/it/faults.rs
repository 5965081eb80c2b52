//! The client against the sandbox with faults injected through its public API: FL3XX's
//! fair-use 403 and a permission 403, a subscription created and its answer lost, a read cut
//! short, a slow body, and an operator token revoked.

use api_core::TransportErrorKind;
use api_sandbox::{Fault, FaultKind, RecordedRequest, Sandbox, SandboxConfig};
use api_test_support::assert_transport;
use fl3xx::{CreateWebhookSubscription, ErrorKind, Fl3xx, OperatorClient, WebhookEventType};

async fn start() -> (Sandbox, OperatorClient) {
    let config = SandboxConfig::default();
    let sandbox = Sandbox::start(config.clone()).await.expect("sandbox");
    let token = config.fl3xx.tokens.first().cloned().expect("a token");
    let operator = Fl3xx::builder()
        .client_id(&config.fl3xx.client_id)
        .base_url(sandbox.fl3xx_url())
        .build()
        .expect("partner")
        .for_operator(token)
        .expect("operator");
    (sandbox, operator)
}

/// The sandbox stores the subscription, then closes the connection without an answer. A
/// subscription (a POST, no idempotency key) must not be sent again (a second one would
/// deliver every event twice); the client says the request may have gone
/// (`Transport(Request)`), and the operator has exactly one subscription.
#[tokio::test]
async fn a_subscription_created_then_its_answer_lost_is_not_created_again() {
    let (sandbox, operator) = start().await;
    sandbox
        .fl3xx()
        .faults()
        .inject(Fault::drop_after_handling().on_path("/webhooks/subscriptions"));
    let error = operator
        .create_webhook_subscription(&CreateWebhookSubscription::new(
            WebhookEventType::FlightTimeUpdate,
            "https://hooks.example.com/fl3xx",
            "my-signing-key",
        ))
        .send()
        .await
        .expect_err("no answer");
    assert_transport(&error, TransportErrorKind::Request);
    let posts: Vec<(u16, Option<FaultKind>)> = sandbox
        .fl3xx()
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| (r.status, r.fault))
        .collect();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].1, Some(FaultKind::DropAfterHandling));
    assert!((200..300).contains(&posts[0].0), "{posts:?}");

    let subscriptions = operator
        .list_webhook_subscriptions()
        .send()
        .await
        .expect("the list");
    assert_eq!(subscriptions.items.len(), 1);
    assert_eq!(
        subscriptions.items[0].callback_url,
        "https://hooks.example.com/fl3xx"
    );
    sandbox.shutdown().await;
}

/// A read whose answer is cut short of its `Content-Length` is safe to repeat: the client
/// reads the airport on its second attempt.
#[tokio::test]
async fn a_read_cut_short_is_repeated() {
    let (sandbox, operator) = start().await;
    sandbox.fl3xx().faults().inject(Fault::truncated(12));
    let airport = operator
        .get_airport("LOWW")
        .send()
        .await
        .expect("the second attempt");
    assert_eq!(airport.icao.as_deref(), Some("LOWW"));
    let faults: Vec<Option<FaultKind>> =
        sandbox.fl3xx().requests().iter().map(|r| r.fault).collect();
    assert_eq!(faults, [Some(FaultKind::Truncated), None]);
    sandbox.shutdown().await;
}

/// An answer whose body arrives 8 bytes at a time over 30 ms, within the request timeout, is
/// read whole, once.
#[tokio::test]
async fn a_slow_body_within_the_timeout_is_read_whole() {
    let (sandbox, operator) = start().await;
    sandbox
        .fl3xx()
        .faults()
        .inject(Fault::slow_body(std::time::Duration::from_millis(30)).chunk_bytes(8));
    let started = std::time::Instant::now();
    let airport = operator.get_airport("LOWW").send().await.expect("slowly");
    assert!(started.elapsed() >= std::time::Duration::from_millis(30));
    assert_eq!(airport.icao.as_deref(), Some("LOWW"));
    let faults: Vec<Option<FaultKind>> =
        sandbox.fl3xx().requests().iter().map(|r| r.fault).collect();
    assert_eq!(faults, [Some(FaultKind::SlowBody)]);
    sandbox.shutdown().await;
}

/// An operator token revoked in FL3XX (the sandbox's `revoke_token`): the 401 is the answer
/// at once, never repeated, and the error shows no part of the token.
#[tokio::test]
async fn a_revoked_operator_token_is_unauthorized_at_once() {
    let (sandbox, operator) = start().await;
    let token = SandboxConfig::default().fl3xx.tokens[0].clone();
    operator
        .get_airport("LOWW")
        .send()
        .await
        .expect("the token works");
    assert!(sandbox.fl3xx().revoke_token(&token));

    let error = operator
        .get_airport("LOWW")
        .send()
        .await
        .expect_err("revoked");
    // The sandbox's Spring body for a wrong client id or token (its README, "FL3XX").
    let statuses = RecordedRequest::statuses(&sandbox.fl3xx().requests());
    api_test_support::assert_refused_at_once(
        &error,
        "Invalid client id or token",
        &token,
        &statuses,
    );
    sandbox.shutdown().await;
}

/// FL3XX's fair-use 403 (its Spring body) and a plain 429 (as a gateway in front of it may
/// answer), each with `Retry-After: 0`: read as a rate limit, waited out, and the call
/// repeated.
#[tokio::test]
async fn an_injected_fair_use_403_or_429_is_waited_out() {
    let fair_use =
        r#"{"status":403,"error":"Forbidden","message":"Rate limit exceeded: fair use policy"}"#;
    for (status, body) in [(403, fair_use), (429, "")] {
        let (sandbox, operator) = start().await;
        sandbox
            .fl3xx()
            .faults()
            .inject(Fault::status(status).header("retry-after", "0").body(body));
        let airport = operator
            .get_airport("LOWW")
            .send()
            .await
            .expect("after the refusal");
        assert_eq!(airport.icao.as_deref(), Some("LOWW"));
        assert_eq!(
            RecordedRequest::statuses(&sandbox.fl3xx().requests()),
            [status, 200]
        );
        sandbox.shutdown().await;
    }
}

/// A permissions 403 is not a rate limit: answered at once, not repeated.
#[tokio::test]
async fn an_injected_permission_403_is_the_answer() {
    let (sandbox, operator) = start().await;
    sandbox.fl3xx().faults().inject(
        Fault::status(403).body(r#"{"status":403,"error":"Forbidden","message":"Access denied"}"#),
    );
    let error = operator.get_airport("LOWW").send().await.expect_err("403");
    assert_eq!(error.kind(), Some(ErrorKind::Forbidden));
    assert_eq!(sandbox.fl3xx().requests().len(), 1);
    sandbox.shutdown().await;
}

/// The sandbox's trigger route, over plain HTTP: one signed delivery of a documented event to
/// a receiver that verifies it with `fl3xx::webhook::verify`.
#[tokio::test]
async fn a_triggered_webhook_is_verified_by_the_crates_verifier() {
    use std::sync::{Arc, Mutex};

    type Seen = Arc<Mutex<Vec<Result<fl3xx::WebhookNotification, String>>>>;
    async fn receive(
        axum::extract::State(seen): axum::extract::State<Seen>,
        headers: axum::http::HeaderMap,
        body: axum::body::Bytes,
    ) -> axum::http::StatusCode {
        let signature = headers
            .get(fl3xx::webhook::SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok());
        let verified = fl3xx::webhook::verify(&body, signature, b"trigger-key");
        let status = if verified.is_ok() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNAUTHORIZED
        };
        if let Ok(mut seen) = seen.lock() {
            seen.push(verified.map_err(|e| e.to_string()));
        }
        status
    }
    let seen = Seen::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hook = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(seen.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let (sandbox, _operator) = start().await;
    let request = serde_json::json!({
        "url": hook,
        "key": "trigger-key",
        "event": "FLIGHT_FBO_ASSIGNMENT",
        "resource_id": 5001
    });
    let trigger = format!("{}/trigger/fl3xx/webhook", sandbox.admin_url());
    let answer = api_test_support::post_json(&trigger, &request).await;
    assert_eq!(
        (answer["status"].as_u64(), answer["attempts"].as_u64()),
        (Some(200), Some(1))
    );
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    let event = seen[0].as_ref().expect("verified");
    assert_eq!(event.event, fl3xx::WebhookEventType::FlightFboAssignment);
    assert_eq!(event.resource_id.as_u64(), Some(5001));
    sandbox.shutdown().await;
}
