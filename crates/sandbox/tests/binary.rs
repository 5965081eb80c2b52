//! The `api-sandbox` binary end to end, as a test in another language would use it: started
//! as a process on `--port 0`, its address read from the banner's first line, driven with
//! plain HTTP only (health, a provider call, a fault, the clock, a signed FL3XX webhook to a
//! listener here, the recorded traffic), then stopped by a signal: it exits 0.
//!
//! The webhook's signature is checked with `api_core::signature::verify_hmac_sha256_hex`, the
//! check `fl3xx::webhook::verify` makes: this crate cannot depend on `fl3xx`, which
//! dev-depends on it (a cycle for `cargo xtask release`'s publish order). `fl3xx`'s own tests
//! verify the same admin route's delivery with `fl3xx::webhook::verify` itself
//! (`crates/fl3xx/tests/it/faults.rs`).

#[path = "it/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::json;

use common::call;

/// Long enough for a loaded CI machine to start a process; the tests never wait this long
/// when all is well (they wait for an event, not a time).
const PATIENCE: Duration = Duration::from_secs(30);

const JSON: [(&str, &str); 1] = [("content-type", "application/json")];

/// A running `api-sandbox`, killed if a test fails before stopping it.
struct Running {
    child: Child,
    /// Lines printed after the banner.
    lines: Receiver<String>,
    banner: Vec<String>,
    /// `http://127.0.0.1:PORT`, from the banner's first line.
    base: String,
}

/// The binary, with `args`, without any `API_SANDBOX_*` variable of the environment.
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_api-sandbox"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("API_SANDBOX_") {
            command.env_remove(name);
        }
    }
    command.args(args).stdin(Stdio::null());
    command
}

/// Starts the binary and reads its banner: up to the "Press Ctrl-C" line.
fn start(args: &[&str]) -> Running {
    let mut child = command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("its stdout");
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let mut banner = Vec::new();
    loop {
        let line = lines
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|e| panic!("no banner line after {banner:?}: {e}"));
        let last = line.starts_with("Press Ctrl-C");
        banner.push(line);
        if last {
            break;
        }
    }
    let base = banner[0]
        .strip_prefix("api-sandbox listening on ")
        .unwrap_or_else(|| panic!("the first line names the address: {banner:?}"))
        .to_owned();
    Running {
        child,
        lines,
        banner,
        base,
    }
}

impl Running {
    /// Sends `signal` (`TERM`, `INT`), waits for the exit polling every 20 ms, and answers
    /// the exit status, how long it took and what was printed after the banner.
    fn stop(mut self, signal: &str) -> (ExitStatus, Duration, Vec<String>) {
        let sent = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -{signal}: {sent}");
        let asked = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("the child's status") {
                break status;
            }
            assert!(
                asked.elapsed() < PATIENCE,
                "still running after SIG{signal}"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let took = asked.elapsed();
        // Its stdout is closed now: the reader ends and the channel disconnects.
        let rest = std::iter::from_fn(|| self.lines.recv_timeout(PATIENCE).ok()).collect();
        (status, took, rest)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // After `stop` the child is gone and this is a no-op.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a webhook receiver got: the headers and the raw body.
type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A tiny webhook receiver on a free loopback port: `POST /hook` keeps what it got and
/// answers 200. Answers the hook's URL.
async fn receiver(received: Received) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let received = received.clone();
            async move {
                if let Ok(mut received) = received.lock() {
                    received.push((headers, body));
                }
                axum::http::StatusCode::OK
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_over_plain_http_then_sigterm() {
    let running = start(&["--port", "0"]);
    let base = running.base.clone();
    let admin = format!("{base}/_sandbox");
    let banner = running.banner.join("\n");
    for expected in [
        format!("admin      {admin} "),
        format!("netfinity  {base}/netfinity/v2"),
        "  token          sandbox-netfinity-token".to_owned(),
        format!("fsflt      {base}/fsflt"),
        "  X-API-KEY      sandbox-fsflt-key".to_owned(),
        format!("fl3xx      {base}/fl3xx"),
        "  X-Auth-Token   sandbox-fl3xx-operator-a (operator with".to_owned(),
        format!("flexiti    {base}/flexiti-sandbox"),
        "  client secret  sandbox-flexiti-secret".to_owned(),
    ] {
        assert!(banner.contains(&expected), "{expected:?} not in:\n{banner}");
    }

    let health = call("GET", &format!("{admin}/health"), &[], "").await;
    assert_eq!(health.status, 200, "{}", health.text);
    assert_eq!(health.json["status"], "ok");
    assert_eq!(health.json["providers"]["fsflt"], format!("{base}/fsflt"));

    // A provider call, then the same call answered by an injected fault, once.
    let currencies = format!("{base}/fsflt/customerarea/directory/currencies");
    let key = [("x-api-key", "sandbox-fsflt-key")];
    let listed = call("GET", &currencies, &key, "").await;
    assert_eq!((listed.status, &listed.json["code"]), (200, &json!(200)));
    let fault = json!({
        "status": 503,
        "headers": {"retry-after": "1"},
        "body": "{\"message\":\"down for maintenance\"}",
    });
    let faults = format!("{admin}/faults/fsflt");
    let injected = call("POST", &faults, &JSON, &fault.to_string()).await;
    assert_eq!(injected.status, 201, "{}", injected.text);
    let faulted = call("GET", &currencies, &key, "").await;
    assert_eq!(faulted.status, 503, "{}", faulted.text);
    assert_eq!(faulted.header("retry-after"), Some("1"));
    assert_eq!(faulted.json, json!({"message": "down for maintenance"}));
    assert_eq!(call("GET", &currencies, &key, "").await.status, 200);

    // The clock: a Flexiti token issued now is past its 20 minutes once the clock moves 21.
    let token_url = format!("{base}/flexiti-sandbox/flexiti/pos-api/v2.5/oauth/token");
    let form = "grant_type=client_credentials&client_id=sandbox-flexiti\
                &client_secret=sandbox-flexiti-secret";
    let form_type = ("content-type", "application/x-www-form-urlencoded");
    let issued = call(
        "POST",
        &token_url,
        &[form_type, ("x-reference-id", "e2e-1")],
        form,
    )
    .await;
    assert_eq!(issued.status, 200, "{}", issued.text);
    let bearer = format!(
        "Bearer {}",
        issued.json["access_token"].as_str().unwrap_or("")
    );
    let i18n =
        format!("{base}/flexiti-sandbox/flexiti/pos-api/v2.5/client-id/sandbox-flexiti/i18n");
    let headers = [
        ("authorization", bearer.as_str()),
        ("x-reference-id", "e2e-2"),
    ];
    assert_eq!(call("GET", &i18n, &headers, "").await.status, 200);
    let clock = format!("{admin}/clock");
    let moved = call("POST", &clock, &JSON, r#"{"advance_ms": 1260000}"#).await;
    assert_eq!(
        moved.json,
        json!({"offset_ms": 1_260_000}),
        "{}",
        moved.text
    );
    let expired = call("GET", &i18n, &headers, "").await;
    assert_eq!(expired.status, 401, "{}", expired.text);

    // A signed FL3XX webhook, now, to a listener here.
    let received = Received::default();
    let hook = receiver(received.clone()).await;
    let trigger = json!({
        "url": hook,
        "key": "e2e-signing-key",
        "event": "FLIGHT_TIME_UPDATE",
        "resource_id": 5001,
    });
    let url = format!("{admin}/trigger/fl3xx/webhook");
    let delivered = call("POST", &url, &JSON, &trigger.to_string()).await;
    assert_eq!(delivered.status, 200, "{}", delivered.text);
    assert_eq!(
        (&delivered.json["status"], &delivered.json["attempts"]),
        (&json!(200), &json!(1))
    );
    let received = received.lock().map(|r| r.clone()).unwrap_or_default();
    assert_eq!(received.len(), 1);
    let (headers, body) = &received[0];
    let signature = headers
        .get("x-webhook-signature")
        .and_then(|v| v.to_str().ok())
        .expect("X-Webhook-Signature");
    assert!(api_core::signature::verify_hmac_sha256_hex(
        b"e2e-signing-key",
        body,
        signature
    ));
    assert!(!api_core::signature::verify_hmac_sha256_hex(
        b"another-key",
        body,
        signature
    ));
    let notification: serde_json::Value = serde_json::from_slice(body).expect("JSON");
    assert_eq!(notification["event"], "FLIGHT_TIME_UPDATE");
    assert_eq!(notification["resourceId"], 5001);
    assert_eq!(notification["resourceType"], "FLIGHT");
    assert!(notification["eventId"].is_string(), "{notification}");

    // The recorded traffic, credentials redacted: the call, the fault, the call again.
    let recorded = call("GET", &format!("{admin}/requests/fsflt"), &[], "").await;
    assert_eq!(recorded.status, 200, "{}", recorded.text);
    let statuses: Vec<_> = recorded
        .json
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(statuses, [json!(200), json!(503), json!(200)]);
    assert_eq!(recorded.json[1]["headers"]["x-api-key"], "[redacted]");
    assert!(
        !recorded.text.contains("sandbox-fsflt-key"),
        "{}",
        recorded.text
    );

    let (status, took, rest) = running.stop("TERM");
    assert!(status.success(), "{status}");
    assert!(took < Duration::from_secs(2), "stopped after {took:?}");
    assert_eq!(rest, ["api-sandbox: SIGTERM, stopping"]);
}

/// Ctrl-C in a terminal: the same clean stop.
#[cfg(unix)]
#[test]
fn sigint_stops_it_cleanly() {
    let running = start(&["--port", "0", "--fsflt-key", "from-a-flag"]);
    assert!(
        running
            .banner
            .contains(&"  X-API-KEY      from-a-flag".to_owned()),
        "{:?}",
        running.banner
    );
    let (status, took, rest) = running.stop("INT");
    assert!(status.success(), "{status}");
    assert!(took < Duration::from_secs(2), "stopped after {took:?}");
    assert_eq!(rest, ["api-sandbox: SIGINT, stopping"]);
}

/// `--help` exits 0 and names the default port; a bad flag exits 2; a port in use exits 1,
/// saying so.
#[test]
fn help_bad_flags_and_a_taken_port() {
    let help = command(&["--help"]).output().expect("runs");
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(help.status.success(), "{}", help.status);
    assert!(text.contains("[default: 11011]"), "{text}");
    assert!(text.contains("--fl3xx-token <T>"), "{text}");

    let bad = command(&["--nope"]).output().expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--nope"));

    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let refused = command(&["--port", &port]).output().expect("runs");
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("cannot listen on 127.0.0.1:"), "{stderr}");
}
