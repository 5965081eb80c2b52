//! The sandbox's own routes over plain HTTP: its health with each provider's URL, and the
//! recorded traffic read back with the credentials redacted.

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
