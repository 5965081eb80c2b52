//! The client against the sandbox with faults injected through its public API.

use api_sandbox::{Fault, Sandbox, SandboxConfig};
use fl3xx::{ErrorKind, Fl3xx, OperatorClient};

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

/// FL3XX's fair-use 403 (its Spring body) with `Retry-After: 0`: read as a rate limit, waited
/// out, and the call repeated.
#[tokio::test]
async fn an_injected_fair_use_403_is_waited_out() {
    let (sandbox, operator) = start().await;
    sandbox
        .fl3xx()
        .faults()
        .inject(Fault::status(403).header("retry-after", "0").body(
        r#"{"status":403,"error":"Forbidden","message":"Rate limit exceeded: fair use policy"}"#,
    ));
    let airport = operator
        .get_airport("LOWW")
        .send()
        .await
        .expect("after the 403");
    assert_eq!(airport.icao.as_deref(), Some("LOWW"));
    let statuses: Vec<u16> = sandbox
        .fl3xx()
        .requests()
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [403, 200]);
    sandbox.shutdown().await;
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
    api_core::tls::install_default_provider();
    let http = api_core::reqwest::Client::new();
    let request = serde_json::json!({
        "url": hook,
        "key": "trigger-key",
        "event": "FLIGHT_FBO_ASSIGNMENT",
        "resource_id": 5001
    });
    let bytes = http
        .post(format!("{}/trigger/fl3xx/webhook", sandbox.admin_url()))
        .header("content-type", "application/json")
        .body(request.to_string())
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("an answer");
    let answer: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
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
