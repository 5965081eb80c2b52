//! The sandbox's own routes over plain HTTP: its health with each provider's URL, and the
//! recorded traffic read back with the credentials redacted; faults and revoked credentials
//! on demand.

use api_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;

use crate::common::call;

#[tokio::test]
async fn health_and_recorded_traffic_without_credentials() {
    let config = SandboxConfig::default();
    let sandbox = Sandbox::start(config.clone()).await.expect("sandbox");
    let health = call("GET", &format!("{}/health", sandbox.admin_url()), &[], "").await;
    assert_eq!(health.status, 200, "{}", health.text);
    assert_eq!(
        health.json,
        json!({
            "status": "ok",
            "providers": {
                "netfinity": sandbox.netfinity_url(),
                "fsflt": sandbox.fsflt_url(),
                "fl3xx": sandbox.fl3xx_url(),
                "flexiti": sandbox.flexiti_url(),
            }
        })
    );

    let key = config.fsflt.api_key.as_str();
    let url = format!("{}/customerarea/directory/currencies", sandbox.fsflt_url());
    let answer = call("GET", &url, &[("x-api-key", key)], "").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let recorded = call(
        "GET",
        &format!("{}/requests/fsflt", sandbox.admin_url()),
        &[],
        "",
    )
    .await;
    assert_eq!(recorded.status, 200, "{}", recorded.text);
    assert_eq!(recorded.json[0]["method"], "GET");
    assert_eq!(
        recorded.json[0]["path"],
        "/fsflt/customerarea/directory/currencies"
    );
    assert_eq!(recorded.json[0]["status"], 200);
    assert_eq!(recorded.json[0]["headers"]["x-api-key"], "[redacted]");
    assert!(!recorded.text.contains(key), "{}", recorded.text);

    let unknown = call(
        "GET",
        &format!("{}/requests/acme", sandbox.admin_url()),
        &[],
        "",
    )
    .await;
    assert_eq!(unknown.status, 404);
    sandbox.shutdown().await;
}

/// The clock moved over HTTP: a Flexiti token issued before is past its 20 minutes after, and
/// the answer says how far ahead the clock is. A body without `advance_ms` is refused.
#[tokio::test]
async fn the_clock_advanced_over_http_expires_a_token() {
    let config = SandboxConfig::default();
    let sandbox = Sandbox::start(config.clone()).await.expect("sandbox");
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        config.flexiti.client_id, config.flexiti.client_secret
    );
    let token_url = format!("{}/flexiti/pos-api/v2.5/oauth/token", sandbox.flexiti_url());
    let issued = call(
        "POST",
        &token_url,
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("x-reference-id", "clock-1"),
        ],
        &form,
    )
    .await;
    assert_eq!(issued.status, 200, "{}", issued.text);
    let bearer = format!(
        "Bearer {}",
        issued.json["access_token"].as_str().unwrap_or("")
    );
    let i18n = format!(
        "{}/flexiti/pos-api/v2.5/client-id/{}/i18n",
        sandbox.flexiti_url(),
        config.flexiti.client_id
    );
    let headers = [
        ("authorization", bearer.as_str()),
        ("x-reference-id", "clock-2"),
    ];
    assert_eq!(call("GET", &i18n, &headers, "").await.status, 200);

    let clock = format!("{}/clock", sandbox.admin_url());
    let json = [("content-type", "application/json")];
    let moved = call("POST", &clock, &json, r#"{"advance_ms": 1260000}"#).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.json, json!({"offset_ms": 1_260_000}));
    assert_eq!(sandbox.clock().offset().as_secs(), 1260);
    let expired = call("GET", &i18n, &headers, "").await;
    assert_eq!(expired.status, 401, "{}", expired.text);

    let refused = call("POST", &clock, &json, r#"{"advance": 5}"#).await;
    assert_eq!(refused.status, 400);
    assert_eq!(sandbox.clock().offset().as_secs(), 1260);
    sandbox.shutdown().await;
}

/// One raw HTTP/1.1 exchange on its own connection (`Connection: close`): every byte the
/// sandbox sent before it closed the connection, and how long that took.
async fn raw(sandbox: &Sandbox, request: String) -> (Vec<u8>, std::time::Duration) {
    use std::io::{Read, Write};
    let addr = sandbox.addr();
    tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let mut stream = std::net::TcpStream::connect(addr).expect("connects");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .expect("a timeout");
        stream.write_all(request.as_bytes()).expect("sent");
        let mut received = Vec::new();
        // A reset after the last byte is as good as the end here: what was read is kept.
        let _ = stream.read_to_end(&mut received);
        (received, started.elapsed())
    })
    .await
    .expect("the exchange ran")
}

/// A Netfinity send as raw HTTP/1.1, with the sandbox's token.
fn raw_send(sandbox: &Sandbox, token: &str, text: &str) -> String {
    let body = json!({"msisdn": "359881234567", "text": text}).to_string();
    format!(
        "POST /netfinity/v2/sms/notification/send HTTP/1.1\r\nhost: {}\r\n\
         authorization: Bearer {token}\r\naccept: application/json\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        sandbox.addr(),
        body.len()
    )
}

/// The head (up to the blank line) and the body of a raw answer.
fn split(answer: &[u8]) -> (String, &[u8]) {
    let at = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(answer.len(), |at| at + 4);
    let (head, body) = answer.split_at(at);
    (String::from_utf8_lossy(head).to_lowercase(), body)
}

/// Every fault kind injected over HTTP, each met by one Netfinity send read byte by byte off
/// the socket: the latency delays a whole answer; the slow body comes whole, late; the
/// truncated answer promises more bytes than it sends before the connection closes; the two
/// drops close the connection without a byte, the second after the SMS was accepted. The
/// recorded requests name each fault; a malformed fault is refused with the reason.
#[tokio::test]
async fn every_fault_kind_over_http_as_the_socket_sees_it() {
    let config = SandboxConfig::default();
    let sandbox = Sandbox::start(config.clone()).await.expect("sandbox");
    let token = config.netfinity.token.as_str();
    let faults = format!("{}/faults/netfinity", sandbox.admin_url());
    let json_type = [("content-type", "application/json")];
    let inject = |spec: serde_json::Value| {
        let faults = faults.clone();
        async move {
            let answer = call("POST", &faults, &json_type, &spec.to_string()).await;
            assert_eq!(answer.status, 201, "{spec}: {}", answer.text);
        }
    };

    inject(json!({"kind": "latency", "delay_ms": 30})).await;
    let (answer, took) = raw(&sandbox, raw_send(&sandbox, token, "late")).await;
    let (head, body) = split(&answer);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(took >= std::time::Duration::from_millis(30), "{took:?}");
    let sent: serde_json::Value = serde_json::from_slice(body).expect("a whole JSON body");
    assert!(sent["uuid"].is_string(), "{sent}");

    inject(json!({"kind": "slow_body", "over_ms": 40, "chunk_bytes": 8})).await;
    let (answer, took) = raw(&sandbox, raw_send(&sandbox, token, "slow")).await;
    let (head, body) = split(&answer);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains(&format!("content-length: {}\r\n", body.len())),
        "{head}"
    );
    assert!(took >= std::time::Duration::from_millis(40), "{took:?}");
    serde_json::from_slice::<serde_json::Value>(body).expect("a whole JSON body");

    inject(json!({"kind": "truncated", "keep_bytes": 10})).await;
    let (answer, _) = raw(&sandbox, raw_send(&sandbox, token, "cut")).await;
    let (head, body) = split(&answer);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    let promised: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("a content-length");
    assert_eq!(body.len(), 10, "{}", String::from_utf8_lossy(body));
    assert!(promised > 10, "{head}");

    inject(json!({"kind": "drop_before_handling"})).await;
    let (answer, _) = raw(&sandbox, raw_send(&sandbox, token, "never")).await;
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
    assert_eq!(sandbox.netfinity().accepted().len(), 3);

    inject(json!({"kind": "drop_after_handling"})).await;
    let (answer, _) = raw(&sandbox, raw_send(&sandbox, token, "lost")).await;
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
    let accepted = sandbox.netfinity().accepted();
    assert_eq!(accepted.len(), 4);
    assert_eq!(accepted[3].text, "lost");

    let recorded = call(
        "GET",
        &format!("{}/requests/netfinity", sandbox.admin_url()),
        &[],
        "",
    )
    .await;
    let seen: Vec<(serde_json::Value, serde_json::Value)> = recorded
        .json
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| (r["fault"].clone(), r["status"].clone()))
        .collect();
    assert_eq!(
        seen,
        [
            (json!("latency"), json!(200)),
            (json!("slow_body"), json!(200)),
            (json!("truncated"), json!(200)),
            (json!("drop_before_handling"), json!(0)),
            (json!("drop_after_handling"), json!(200)),
        ]
    );

    for (spec, reason) in [
        (json!({"kind": "latency"}), "`delay_ms` is required"),
        (json!({"kind": "reset"}), "`kind` is one of"),
        (
            json!({"kind": "truncated", "keep_bytes": 3, "status": 200}),
            "only for",
        ),
    ] {
        let refused = call("POST", &faults, &json_type, &spec.to_string()).await;
        assert_eq!(refused.status, 400, "{spec}");
        let message = refused.json["message"].as_str().unwrap_or("");
        assert!(message.contains(reason), "{spec}: {message}");
    }
    assert_eq!(sandbox.netfinity().faults().pending(), 0);
    sandbox.shutdown().await;
}

/// A credential revoked over HTTP gets its emulator's own 401 from then on; an unknown one
/// is reported as such.
#[tokio::test]
async fn a_token_revoked_over_http_is_refused() {
    let config = SandboxConfig::default();
    let sandbox = Sandbox::start(config.clone()).await.expect("sandbox");
    let token = config.netfinity.token.as_str();
    let revoke = format!("{}/revoke/netfinity", sandbox.admin_url());
    let json_type = [("content-type", "application/json")];
    let (before, _) = raw(&sandbox, raw_send(&sandbox, token, "before")).await;
    assert!(split(&before).0.starts_with("http/1.1 200"));

    let body = json!({ "credential": token }).to_string();
    let revoked = call("POST", &revoke, &json_type, &body).await;
    assert_eq!(revoked.json, json!({"revoked": true}), "{}", revoked.text);
    let (after, _) = raw(&sandbox, raw_send(&sandbox, token, "after")).await;
    let (head, body) = split(&after);
    assert!(head.starts_with("http/1.1 401"), "{head}");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(body).ok(),
        Some(json!({"message": "Bearer token wrong"}))
    );

    let unknown = json!({ "credential": "never-issued" }).to_string();
    let answer = call("POST", &revoke, &json_type, &unknown).await;
    assert_eq!(answer.json, json!({"revoked": false}));
    let missing = call("POST", &revoke, &json_type, "{}").await;
    assert_eq!(missing.status, 400);
    sandbox.shutdown().await;
}

/// `POST /_sandbox/reset` forgets the recorded traffic, pending faults and revoked
/// credentials, and the data: a customer created before is unknown after.
#[tokio::test]
async fn a_reset_over_http_brings_back_the_starting_state() {
    let config = SandboxConfig::default();
    let sandbox = Sandbox::start(config.clone()).await.expect("sandbox");
    let key = config.fsflt.api_key.as_str();
    let admin = sandbox.admin_url();
    let json = [("content-type", "application/json")];
    let currencies = format!("{}/customerarea/directory/currencies", sandbox.fsflt_url());
    assert_eq!(
        call("GET", &currencies, &[("x-api-key", key)], "")
            .await
            .status,
        200
    );
    let revoked = call(
        "POST",
        &format!("{admin}/revoke/fsflt"),
        &json,
        &format!(r#"{{"credential": "{key}"}}"#),
    )
    .await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    let fault = call(
        "POST",
        &format!("{admin}/faults/fsflt"),
        &json,
        r#"{"status": 503}"#,
    )
    .await;
    assert_eq!(fault.status, 201, "{}", fault.text);

    let reset = call("POST", &format!("{admin}/reset"), &[], "").await;
    assert_eq!(reset.status, 200, "{}", reset.text);
    assert_eq!(
        reset.json,
        json!({"reset": ["netfinity", "fsflt", "fl3xx", "flexiti"]})
    );
    let recorded = call("GET", &format!("{admin}/requests/fsflt"), &[], "").await;
    assert_eq!(recorded.json, json!([]));
    // The fault is gone and the key is accepted again.
    assert_eq!(
        call("GET", &currencies, &[("x-api-key", key)], "")
            .await
            .status,
        200
    );
    assert_eq!(sandbox.fsflt().faults().pending(), 0);

    let one = call("POST", &format!("{admin}/reset/fsflt"), &[], "").await;
    assert_eq!(one.json, json!({"reset": ["fsflt"]}));
    let unknown = call("POST", &format!("{admin}/reset/acme"), &[], "").await;
    assert_eq!(unknown.status, 404);
    sandbox.shutdown().await;
}

/// `Sandbox::reset` in Rust: FL3XX's seeded flights come back as they were.
#[tokio::test]
async fn reset_restores_the_seeded_data() {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let operator = "sandbox-fl3xx-operator-a";
    let fl3xx = sandbox.fl3xx();
    // Each flight's id and estimated blocks-off time (`updatedAt` is the time of the reset).
    let times = || -> Vec<(String, String)> {
        fl3xx
            .flights(operator)
            .iter()
            .map(|f| {
                (
                    f["flightId"].as_str().unwrap_or("").to_owned(),
                    f["blocksOffEstimatedDateTime"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned(),
                )
            })
            .collect()
    };
    let before = times();
    let first: u64 = before[0].0.parse().expect("a flight id");
    assert!(fl3xx.update_flight_time(operator, first, 45));
    assert_ne!(times(), before);
    sandbox.reset();
    assert_eq!(times(), before);
    assert!(fl3xx.requests().is_empty());
    sandbox.shutdown().await;
}
