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
