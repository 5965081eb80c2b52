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
