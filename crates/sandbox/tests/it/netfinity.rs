//! The Netfinity emulator over real HTTP on loopback: every documented answer and pingback.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_sandbox::{NetfinityConfig, PingbackRecord, Sandbox, SandboxConfig};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode, Uri};
use axum::routing::post;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

const TOKEN: &str = "sandbox-netfinity-token";
const WAIT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------
// Helpers

/// A sandbox with fast pingbacks; `tweak` adjusts the Netfinity config.
async fn sandbox(tweak: impl FnOnce(&mut NetfinityConfig)) -> Sandbox {
    let mut netfinity = NetfinityConfig {
        pingback_delay: Duration::from_millis(10),
        pingback_retry_delay: Duration::from_millis(20),
        ..NetfinityConfig::default()
    };
    tweak(&mut netfinity);
    Sandbox::start(SandboxConfig {
        netfinity,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

fn send_url(sandbox: &Sandbox) -> String {
    format!("{}/sms/notification/send", sandbox.netfinity_url())
}

/// An answer: status, headers, body as JSON (Null when not JSON) and as text.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    headers: HeaderMap,
    json: Value,
    text: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One HTTP/1.1 exchange with exactly the given headers (plus `Host` and `Content-Length`):
/// no client adds an `Accept` of its own. Errors when nothing answers.
async fn call(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<Answer, String> {
    let uri: Uri = url.parse().map_err(|e| format!("{e}"))?;
    let authority = uri.authority().ok_or("no authority")?.clone();
    let stream = tokio::net::TcpStream::connect(authority.as_str())
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let mut request = Request::builder()
        .method(method)
        .uri(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header("host", authority.as_str());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Full::new(Bytes::from(body.to_owned())))
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok(Answer {
        status,
        headers,
        json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        text: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

async fn request(url: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    call("POST", url, headers, body)
        .await
        .expect("the sandbox answers")
}

/// Request headers, body, expected answer.
type Case406<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);

/// A well-formed send with `token`.
async fn send_as(sandbox: &Sandbox, token: &str, body: &Value) -> Answer {
    let auth = format!("Bearer {token}");
    request(
        &send_url(sandbox),
        &[
            ("authorization", auth.as_str()),
            ("accept", "application/json"),
            ("content-type", "application/json"),
        ],
        &body.to_string(),
    )
    .await
}

async fn send(sandbox: &Sandbox, body: &Value) -> Answer {
    send_as(sandbox, TOKEN, body).await
}

/// What a pingback receiver saw.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Value,
}

#[derive(Default)]
struct ReceiverState {
    received: Vec<Received>,
    /// Statuses to answer first, in order; 200 afterwards.
    script: VecDeque<u16>,
}

type Shared = Arc<Mutex<ReceiverState>>;

/// A pingback receiver on a free port: records every POST, answers the scripted statuses
/// and then 200 with `{"uuid":..,"id":..}`. Returns its URL.
async fn receiver(script: &[u16]) -> (String, Shared) {
    async fn receive(
        State(shared): State<Shared>,
        headers: HeaderMap,
        body: Bytes,
    ) -> (StatusCode, String) {
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let mut state = shared.lock().expect("lock");
        state.received.push(Received {
            headers,
            body: body.clone(),
        });
        match state.script.pop_front() {
            Some(code) => (
                StatusCode::from_u16(code).expect("valid status"),
                "not now".to_owned(),
            ),
            None => {
                // `{"uuid":..,"id":..}`, in that order; `id` only when the pingback had one.
                let uuid = body["uuid"].as_str().unwrap_or_default();
                let ack = match body["id"].as_str() {
                    Some(id) => format!(r#"{{"uuid":"{uuid}","id":"{id}"}}"#),
                    None => format!(r#"{{"uuid":"{uuid}"}}"#),
                };
                (StatusCode::OK, ack)
            }
        }
    }
    let shared = Shared::new(Mutex::new(ReceiverState {
        received: Vec::new(),
        script: script.iter().copied().collect(),
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/cb", listener.local_addr().expect("addr"));
    let app = Router::new()
        .route("/cb", post(receive))
        .with_state(shared.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, shared)
}

fn received(shared: &Shared) -> Vec<Received> {
    shared.lock().expect("lock").received.clone()
}

/// True for `YYYY-MM-DD HH:MM:SS`, the form of the docs' voucher example ("expires":
/// "2020-12-31 23:59:59", api/smsnotification/process).
fn is_voucher_expiry(value: &Value) -> bool {
    let Some(s) = value.as_str() else {
        return false;
    };
    s.len() == 19
        && s.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == ' ',
            13 | 16 => c == ':',
            _ => c.is_ascii_digit(),
        })
}

/// True for `YYYY-MM-DDTHH:MM:SS.ffffffZ`: the envelope's `timestamp`, which the docs give no
/// format (api/communication/receiving); ours is RFC 3339 as Laravel writes it in JSON.
fn is_timestamp(value: &Value) -> bool {
    let Some(s) = value.as_str() else {
        return false;
    };
    s.len() == 27
        && s.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == 'T',
            13 | 16 => c == ':',
            19 => c == '.',
            26 => c == 'Z',
            _ => c.is_ascii_digit(),
        })
}

fn is_uuid(value: &Value) -> bool {
    let Some(s) = value.as_str() else {
        return false;
    };
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
        && parts[2].starts_with('4')
}

/// The expected pingback body, with the timestamp taken from `actual` (after checking it).
fn expected_pingback(
    actual: &Value,
    uuid: &str,
    id: Option<&str>,
    code: u16,
    description: &str,
) -> Value {
    assert!(is_timestamp(&actual["timestamp"]), "timestamp: {actual}");
    json!({
        "uuid": uuid,
        "id": id,
        "service": "sms-notification",
        "timestamp": actual["timestamp"],
        "payload": {"status": {"code": code, "description": description}}
    })
}

fn codes(records: &[PingbackRecord]) -> Vec<u16> {
    records.iter().map(|r| r.code).collect()
}

// ---------------------------------------------------------------------------------------
// Accepted messages and delivery pingbacks

#[tokio::test]
async fn accepted_send_is_recorded_and_delivered_through_pingbacks() {
    let (url, shared) = receiver(&[]).await;
    let sandbox = sandbox(|c| c.callback_url = Some(url)).await;
    assert_eq!(
        sandbox.base_url(),
        format!("http://127.0.0.1:{}", sandbox.addr().port())
    );
    assert_eq!(
        sandbox.netfinity_url(),
        format!("{}/netfinity/v2", sandbox.base_url())
    );

    let body = r#"{"msisdn":"359881234567","text":"Your code is 1234 €","id":"order42"}"#;
    let answer = request(
        &send_url(&sandbox),
        &[
            ("authorization", "Bearer sandbox-netfinity-token"),
            ("accept", "application/json"),
            ("content-type", "application/json; charset=utf-8"),
            ("x-extra", "kept"),
        ],
        body,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.header("x-ratelimit-limit"), Some("60"));
    assert_eq!(answer.header("x-ratelimit-remaining"), Some("59"));
    assert!(is_uuid(&answer.json["uuid"]), "{}", answer.text);
    let uuid = answer.json["uuid"].as_str().expect("uuid").to_owned();
    assert_eq!(
        answer.text,
        format!(r#"{{"uuid":"{uuid}","id":"order42"}}"#)
    );

    let netfinity = sandbox.netfinity();
    let requests = netfinity.requests();
    assert_eq!(requests.len(), 1);
    let recorded = &requests[0];
    assert_eq!(recorded.method, "POST");
    assert_eq!(recorded.path, "/netfinity/v2/sms/notification/send");
    assert_eq!(recorded.status, 200);
    assert_eq!(recorded.body, body.as_bytes());
    assert_eq!(
        recorded.headers.get("authorization").map(String::as_str),
        Some("Bearer sandbox-netfinity-token")
    );
    assert_eq!(
        recorded.header("Content-Type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(recorded.header("x-extra"), Some("kept"));
    assert!(
        recorded
            .headers
            .keys()
            .all(|k| k == &k.to_ascii_lowercase())
    );

    let accepted = netfinity.accepted();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].uuid, uuid);
    assert_eq!(accepted[0].msisdn, "359881234567");
    assert_eq!(accepted[0].text, "Your code is 1234 €");
    assert_eq!(accepted[0].id.as_deref(), Some("order42"));

    assert!(netfinity.wait_for_pingbacks(4, WAIT).await);
    let got = received(&shared);
    let expected = [
        (201, "Queued"),
        (202, "Delivery queued in remote network"),
        (203, "Delivered to SMSC"),
        (204, "Delivered to end user"),
    ];
    assert_eq!(got.len(), 4);
    let records = netfinity.pingbacks();
    assert_eq!(codes(&records), [201, 202, 203, 204]);
    for ((event, record), (code, description)) in got.iter().zip(&records).zip(expected) {
        assert_eq!(
            event.headers.get("accept").map(|v| v.as_bytes()),
            Some(&b"application/json"[..])
        );
        assert_eq!(
            event.headers.get("content-type").map(|v| v.as_bytes()),
            Some(&b"application/json"[..])
        );
        assert_eq!(
            event.body,
            expected_pingback(&event.body, &uuid, Some("order42"), code, description)
        );
        assert_eq!(record.body, event.body);
        assert_eq!(record.uuid, uuid);
        assert_eq!(record.id.as_deref(), Some("order42"));
        assert_eq!(record.attempts, 1);
        assert!(record.acknowledged);
        assert_eq!(
            record.ack_body.as_deref(),
            Some(format!(r#"{{"uuid":"{uuid}","id":"order42"}}"#).as_str())
        );
    }
    // Nothing more follows the final 204.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(received(&shared).len(), 4);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn message_without_id_answers_null_id_and_pingbacks_carry_null() {
    let (url, shared) = receiver(&[]).await;
    let sandbox = sandbox(|c| c.callback_url = Some(url)).await;
    let answer = send(&sandbox, &json!({"msisdn": "0881234567", "text": "Hello"})).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let uuid = answer.json["uuid"].as_str().expect("uuid").to_owned();
    assert_eq!(answer.json, json!({"uuid": uuid, "id": null}));
    assert_eq!(sandbox.netfinity().accepted()[0].id, None);

    assert!(sandbox.netfinity().wait_for_pingbacks(4, WAIT).await);
    let first = &received(&shared)[0];
    assert_eq!(
        first.body,
        expected_pingback(&first.body, &uuid, None, 201, "Queued")
    );
    assert_eq!(
        sandbox.netfinity().pingbacks()[0].ack_body.as_deref(),
        Some(format!(r#"{{"uuid":"{uuid}"}}"#).as_str())
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn no_callback_url_means_no_pingbacks_until_one_is_set() {
    let (url, shared) = receiver(&[]).await;
    let sandbox = sandbox(|_| {}).await;
    let netfinity = sandbox.netfinity();
    let answer = send(&sandbox, &json!({"msisdn": "359881234567", "text": "one"})).await;
    assert_eq!(answer.status, 200);
    assert!(
        !netfinity
            .wait_for_pingbacks(1, Duration::from_millis(150))
            .await
    );
    assert!(netfinity.pingbacks().is_empty());

    netfinity.set_callback_url(Some(url));
    let answer = send(&sandbox, &json!({"msisdn": "359881234567", "text": "two"})).await;
    assert_eq!(answer.status, 200);
    assert!(netfinity.wait_for_pingbacks(4, WAIT).await);
    let uuid = answer.json["uuid"].as_str().expect("uuid");
    assert!(received(&shared).iter().all(|r| r.body["uuid"] == uuid));

    netfinity.set_callback_url(None);
    let answer = send(
        &sandbox,
        &json!({"msisdn": "359881234567", "text": "three"}),
    )
    .await;
    assert_eq!(answer.status, 200);
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(netfinity.pingbacks().len(), 4);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// 401, 403

#[tokio::test]
async fn missing_or_wrong_token_is_401_and_limited_token_is_403() {
    let sandbox = sandbox(|_| {}).await;
    let url = send_url(&sandbox);
    let body = json!({"msisdn": "359881234567", "text": "hi"}).to_string();
    let json_headers = [
        ("accept", "application/json"),
        ("content-type", "application/json"),
    ];

    let missing = request(&url, &json_headers, &body).await;
    for (auth, expected) in [
        (None, 401),
        (Some("Bearer wrong"), 401),
        (Some("Basic sandbox-netfinity-token"), 401),
        (Some("Bearer "), 401),
        (Some("sandbox-netfinity-token"), 401),
        (Some("Bearer sandbox-netfinity-no-sms"), 403),
    ] {
        let answer = match auth {
            None => missing.clone(),
            Some(auth) => {
                let mut headers = json_headers.to_vec();
                headers.push(("authorization", auth));
                request(&url, &headers, &body).await
            }
        };
        assert_eq!(answer.status, expected, "{auth:?}");
        let message = if expected == 401 {
            "Bearer token wrong"
        } else {
            "Token capabilities missing"
        };
        assert_eq!(
            answer.text,
            format!(r#"{{"message":"{message}"}}"#),
            "{auth:?}"
        );
        assert_eq!(answer.header("content-type"), Some("application/json"));
        // Rejected before the throttle: no rate limit headers.
        assert_eq!(answer.header("x-ratelimit-limit"), None, "{auth:?}");
    }
    // Auth comes first: a bad token with bad headers is still 401.
    let answer = request(&url, &[("authorization", "Bearer wrong")], "not json").await;
    assert_eq!(answer.status, 401);

    let requests = sandbox.netfinity().requests();
    assert_eq!(requests.len(), 7);
    assert_eq!(
        requests.iter().map(|r| r.status).collect::<Vec<_>>(),
        [401, 401, 401, 401, 401, 403, 401]
    );
    assert!(sandbox.netfinity().accepted().is_empty());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn no_limited_token_when_configured_off() {
    let sandbox = sandbox(|c| c.limited_token = None).await;
    let answer = send_as(
        &sandbox,
        "sandbox-netfinity-no-sms",
        &json!({"msisdn": "359881234567", "text": "hi"}),
    )
    .await;
    assert_eq!(answer.status, 401);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// 406

#[tokio::test]
async fn missing_headers_and_non_json_bodies_are_406() {
    let sandbox = sandbox(|_| {}).await;
    let url = send_url(&sandbox);
    let auth = ("authorization", "Bearer sandbox-netfinity-token");
    let good = json!({"msisdn": "359881234567", "text": "hi"}).to_string();
    let headers_missing = r#"{"message":"Request headers missing"}"#;
    let not_json = r#"{"message":"Request not in JSON format"}"#;

    let cases: Vec<Case406> = vec![
        // No Accept.
        (
            vec![auth, ("content-type", "application/json")],
            good.as_str(),
            headers_missing,
        ),
        (
            vec![
                auth,
                ("accept", "*/*"),
                ("content-type", "application/json"),
            ],
            good.as_str(),
            headers_missing,
        ),
        (
            vec![
                auth,
                ("accept", "application/*"),
                ("content-type", "application/json"),
            ],
            good.as_str(),
            headers_missing,
        ),
        // Accept that refuses JSON.
        (
            vec![
                auth,
                ("accept", "text/html"),
                ("content-type", "application/json"),
            ],
            good.as_str(),
            headers_missing,
        ),
        // No Content-Type.
        (
            vec![auth, ("accept", "application/json")],
            good.as_str(),
            headers_missing,
        ),
        // Wrong Content-Type.
        (
            vec![
                auth,
                ("accept", "application/json"),
                ("content-type", "text/plain"),
            ],
            good.as_str(),
            headers_missing,
        ),
        (
            vec![
                auth,
                ("accept", "application/json"),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            "msisdn=359881234567&text=hi",
            headers_missing,
        ),
        // Bodies that are not a JSON object.
        (
            vec![
                auth,
                ("accept", "application/json"),
                ("content-type", "application/json"),
            ],
            "msisdn=359881234567",
            not_json,
        ),
        (
            vec![
                auth,
                ("accept", "application/json"),
                ("content-type", "application/json"),
            ],
            "",
            not_json,
        ),
        (
            vec![
                auth,
                ("accept", "application/json"),
                ("content-type", "application/json"),
            ],
            r#"[{"msisdn":"359881234567","text":"hi"}]"#,
            not_json,
        ),
        (
            vec![
                auth,
                ("accept", "application/json"),
                ("content-type", "application/json"),
            ],
            r#"{"msisdn":"359881234567","#,
            not_json,
        ),
    ];
    for (i, (headers, body, expected)) in cases.iter().enumerate() {
        let answer = request(&url, headers, body).await;
        assert_eq!(answer.status, 406, "case {i}: {}", answer.text);
        assert_eq!(answer.text, *expected, "case {i}");
        assert_eq!(answer.header("x-ratelimit-limit"), Some("60"), "case {i}");
        assert_eq!(
            answer.header("x-ratelimit-remaining"),
            Some((59 - i).to_string().as_str()),
            "case {i}: every request past auth counts"
        );
    }

    // JSON among other types, and a UTF-8 charset, are fine.
    for accept in ["application/json", "text/html, application/json;q=0.5"] {
        let answer = request(
            &url,
            &[
                auth,
                ("accept", accept),
                ("content-type", "application/json;charset=UTF-8"),
            ],
            &json!({"msisdn": "359881234567", "text": accept}).to_string(),
        )
        .await;
        assert_eq!(answer.status, 200, "{accept}: {}", answer.text);
    }

    let first = &sandbox.netfinity().requests()[0];
    assert_eq!(first.header("accept"), None);
    assert_eq!(first.status, 406);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// 422

#[tokio::test]
async fn validation_errors_are_422_with_the_documented_body() {
    let sandbox = sandbox(|_| {}).await;
    let required_msisdn = "The msisdn field is required.";
    let digits = "The msisdn must be between 8 and 20 digits.";
    let required_text = "The text field is required.";
    let format = "The text format is invalid.";
    let max = "The text may not be greater than 160 characters.";
    let id_format = "The id format is invalid.";
    let ok_text = "hi";
    let cases = [
        (
            json!({"text": ok_text}),
            json!({"msisdn": [required_msisdn]}),
        ),
        (
            json!({"msisdn": null, "text": ok_text}),
            json!({"msisdn": [required_msisdn]}),
        ),
        (
            json!({"msisdn": "", "text": ok_text}),
            json!({"msisdn": [required_msisdn]}),
        ),
        (
            json!({"msisdn": "1234567", "text": ok_text}),
            json!({"msisdn": [digits]}),
        ),
        (
            json!({"msisdn": "123456789012345678901", "text": ok_text}),
            json!({"msisdn": [digits]}),
        ),
        (
            json!({"msisdn": "+359881234567", "text": ok_text}),
            json!({"msisdn": [digits]}),
        ),
        (
            json!({"msisdn": "35988123456a", "text": ok_text}),
            json!({"msisdn": [digits]}),
        ),
        (
            json!({"msisdn": 359881234567u64, "text": ok_text}),
            json!({"msisdn": [digits]}),
        ),
        (
            json!({"msisdn": "359881234567"}),
            json!({"text": [required_text]}),
        ),
        (
            json!({"msisdn": "359881234567", "text": ""}),
            json!({"text": [required_text]}),
        ),
        (
            json!({"msisdn": "359881234567", "text": "Здравей"}),
            json!({"text": [format]}),
        ),
        (
            json!({"msisdn": "359881234567", "text": "tab\there"}),
            json!({"text": [format]}),
        ),
        (
            json!({"msisdn": "359881234567", "text": "x".repeat(161)}),
            json!({"text": [max]}),
        ),
        (
            json!({"msisdn": "359881234567", "text": "😀".repeat(161)}),
            json!({"text": [format, max]}),
        ),
        (
            json!({"msisdn": "359881234567", "text": ok_text, "id": ""}),
            json!({"id": [id_format]}),
        ),
        (
            json!({"msisdn": "359881234567", "text": ok_text, "id": "order-42"}),
            json!({"id": [id_format]}),
        ),
        (
            json!({"msisdn": "359881234567", "text": ok_text, "id": "a".repeat(65)}),
            json!({"id": [id_format]}),
        ),
        (
            json!({"msisdn": "359881234567", "text": ok_text, "id": 42}),
            json!({"id": [id_format]}),
        ),
    ];
    for (body, errors) in &cases {
        let answer = send(&sandbox, body).await;
        assert_eq!(answer.status, 422, "{body}: {}", answer.text);
        assert_eq!(
            answer.json,
            json!({"message": "The given data was invalid.", "errors": errors}),
            "{body}"
        );
        assert_eq!(answer.header("x-ratelimit-limit"), Some("60"));
    }

    // Every failing field, in the order msisdn, text, id (exact bytes).
    let answer = send(
        &sandbox,
        &json!({"id": "no good", "text": "ж", "msisdn": "12"}),
    )
    .await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        answer.text,
        r#"{"message":"The given data was invalid.","errors":{"msisdn":["The msisdn must be between 8 and 20 digits."],"text":["The text format is invalid."],"id":["The id format is invalid."]}}"#
    );

    // The limits themselves are fine: 8 and 20 digits, 160 GSM characters (extension
    // characters count once), a 64-character id.
    for body in [
        json!({"msisdn": "12345678", "text": "x".repeat(160)}),
        json!({"msisdn": "12345678901234567890", "text": "€".repeat(160), "id": "A".repeat(64)}),
        json!({"msisdn": "359881234567", "text": "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà^{}\\[~]|", "id": null}),
    ] {
        let answer = send(&sandbox, &body).await;
        assert_eq!(answer.status, 200, "{body}: {}", answer.text);
    }
    assert_eq!(sandbox.netfinity().accepted().len(), 3);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// 429

#[tokio::test]
async fn throttle_answers_429_until_the_window_resets() {
    let sandbox = sandbox(|c| {
        c.limit = 2;
        c.window = Duration::from_secs(1);
    })
    .await;
    let msg = |n: u32| json!({"msisdn": "359881234567", "text": format!("message {n}")});

    // Wrong tokens do not count.
    assert_eq!(send_as(&sandbox, "wrong", &msg(0)).await.status, 401);

    let first = send(&sandbox, &msg(1)).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-ratelimit-limit"), Some("2"));
    assert_eq!(first.header("x-ratelimit-remaining"), Some("1"));
    // An invalid request counts too.
    let invalid = send(&sandbox, &json!({"msisdn": "1"})).await;
    assert_eq!(invalid.status, 422);
    assert_eq!(invalid.header("x-ratelimit-remaining"), Some("0"));

    let throttled = send(&sandbox, &msg(2)).await;
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.text, r#"{"message":"Too Many Attempts."}"#);
    assert_eq!(throttled.header("x-ratelimit-limit"), Some("2"));
    assert_eq!(throttled.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(throttled.header("retry-after"), Some("1"));
    // Still throttled: not counted, not accepted.
    assert_eq!(send(&sandbox, &msg(3)).await.status, 429);
    assert_eq!(sandbox.netfinity().accepted().len(), 1);

    sandbox.clock().advance(Duration::from_millis(1100));
    let again = send(&sandbox, &msg(4)).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.header("x-ratelimit-remaining"), Some("1"));
    assert_eq!(
        sandbox
            .netfinity()
            .requests()
            .iter()
            .map(|r| r.status)
            .collect::<Vec<_>>(),
        [401, 200, 422, 429, 429, 200]
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn retry_after_counts_whole_seconds_to_the_reset() {
    let sandbox = sandbox(|c| {
        c.limit = 1;
        c.window = Duration::from_secs(60);
    })
    .await;
    assert_eq!(
        send(&sandbox, &json!({"msisdn": "359881234567", "text": "a"}))
            .await
            .status,
        200
    );
    let throttled = send(&sandbox, &json!({"msisdn": "359881234567", "text": "b"})).await;
    assert_eq!(throttled.status, 429);
    let secs: u64 = throttled
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((59..=60).contains(&secs), "{secs}");
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Pingback outcomes

#[tokio::test]
async fn reused_id_and_repeated_text_get_a_flood_protection_pingback() {
    let (url, shared) = receiver(&[]).await;
    let sandbox = sandbox(|c| c.callback_url = Some(url)).await;
    let netfinity = sandbox.netfinity();

    let first = send(
        &sandbox,
        &json!({"msisdn": "359881234567", "text": "first", "id": "dup1"}),
    )
    .await;
    assert_eq!(first.status, 200);
    assert!(netfinity.wait_for_pingbacks(4, WAIT).await);

    // Same id, different number and text: accepted (200), then rejected by a pingback.
    let reused = send(
        &sandbox,
        &json!({"msisdn": "359887654321", "text": "second", "id": "dup1"}),
    )
    .await;
    assert_eq!(reused.status, 200);
    let reused_uuid = reused.json["uuid"].as_str().expect("uuid").to_owned();
    assert_ne!(reused_uuid, first.json["uuid"].as_str().expect("uuid"));
    assert!(netfinity.wait_for_pingbacks(5, WAIT).await);

    // Same text to the same number, no id.
    let repeated = send(
        &sandbox,
        &json!({"msisdn": "359881234567", "text": "first"}),
    )
    .await;
    assert_eq!(repeated.status, 200);
    let repeated_uuid = repeated.json["uuid"].as_str().expect("uuid").to_owned();
    assert!(netfinity.wait_for_pingbacks(6, WAIT).await);

    // The same text to another number is fine.
    let other = send(
        &sandbox,
        &json!({"msisdn": "359881111111", "text": "first"}),
    )
    .await;
    assert_eq!(other.status, 200);
    assert!(netfinity.wait_for_pingbacks(10, WAIT).await);

    let records = netfinity.pingbacks();
    assert_eq!(
        codes(&records),
        [201, 202, 203, 204, 401, 401, 201, 202, 203, 204]
    );
    let got = received(&shared);
    assert_eq!(
        got[4].body,
        expected_pingback(
            &got[4].body,
            &reused_uuid,
            Some("dup1"),
            401,
            "Rejected by Recipient protection"
        )
    );
    assert_eq!(
        got[5].body,
        expected_pingback(
            &got[5].body,
            &repeated_uuid,
            None,
            401,
            "Rejected by Recipient protection"
        )
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(received(&shared).len(), 10, "401 is final");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn rejected_destination_prefix_gets_501() {
    let (url, shared) = receiver(&[]).await;
    let sandbox = sandbox(|c| c.callback_url = Some(url)).await;
    let answer = send(
        &sandbox,
        &json!({"msisdn": "359000012345", "text": "hi", "id": "r1"}),
    )
    .await;
    assert_eq!(answer.status, 200);
    let uuid = answer.json["uuid"].as_str().expect("uuid").to_owned();
    assert!(sandbox.netfinity().wait_for_pingbacks(1, WAIT).await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let got = received(&shared);
    assert_eq!(got.len(), 1, "501 is final");
    assert_eq!(
        got[0].body,
        expected_pingback(&got[0].body, &uuid, Some("r1"), 501, "Rejected Destination")
    );
    assert_eq!(codes(&sandbox.netfinity().pingbacks()), [501]);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn insufficient_funds_prefix_gets_301_with_a_voucher_then_400() {
    let (url, shared) = receiver(&[]).await;
    let sandbox = sandbox(|c| c.callback_url = Some(url)).await;
    let answer = send(&sandbox, &json!({"msisdn": "359999912345", "text": "hi"})).await;
    assert_eq!(answer.status, 200);
    let uuid = answer.json["uuid"].as_str().expect("uuid").to_owned();
    assert!(sandbox.netfinity().wait_for_pingbacks(2, WAIT).await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let got = received(&shared);
    assert_eq!(got.len(), 2, "400 is final");

    let delayed = &got[0].body;
    let voucher = &delayed["payload"]["meta"]["voucher"];
    assert!(is_uuid(&voucher["uuid"]), "{delayed}");
    assert!(is_voucher_expiry(&voucher["expires"]), "{delayed}");
    // Both UTC; the voucher's validity lies after the packet was made.
    let expires = voucher["expires"].as_str().unwrap_or("").replace(' ', "T");
    assert!(expires.as_str() > delayed["timestamp"].as_str().unwrap_or(""));
    let mut expected = expected_pingback(
        delayed,
        &uuid,
        None,
        301,
        "Delayed due to Insufficient funds",
    );
    expected["payload"]["meta"] =
        json!({"voucher": {"uuid": voucher["uuid"], "expires": voucher["expires"]}});
    assert_eq!(*delayed, expected);

    assert_eq!(
        got[1].body,
        expected_pingback(&got[1].body, &uuid, None, 400, "Rejected Funds")
    );
    assert_eq!(codes(&sandbox.netfinity().pingbacks()), [301, 400]);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Pingback retries

#[tokio::test]
async fn pingback_is_retried_until_the_receiver_answers_200() {
    let (url, shared) = receiver(&[500, 500]).await;
    let sandbox = sandbox(|c| c.callback_url = Some(url)).await;
    let answer = send(
        &sandbox,
        &json!({"msisdn": "359000012345", "text": "hi", "id": "x1"}),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert!(sandbox.netfinity().wait_for_pingbacks(1, WAIT).await);
    let records = sandbox.netfinity().pingbacks();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].code, 501);
    assert_eq!(records[0].attempts, 3);
    assert!(records[0].acknowledged);
    let uuid = answer.json["uuid"].as_str().expect("uuid");
    assert_eq!(
        records[0].ack_body.as_deref(),
        Some(format!(r#"{{"uuid":"{uuid}","id":"x1"}}"#).as_str())
    );
    let got = received(&shared);
    assert_eq!(got.len(), 3);
    assert!(
        got.iter().all(|r| r.body == records[0].body),
        "the same body each time"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn pingback_gives_up_after_three_retries_and_the_next_one_follows() {
    // The first pingback (201) fails 4 times; the next ones are acknowledged.
    let (url, shared) = receiver(&[503, 500, 404, 201]).await;
    let sandbox = sandbox(|c| c.callback_url = Some(url)).await;
    let answer = send(&sandbox, &json!({"msisdn": "359881234567", "text": "hi"})).await;
    assert_eq!(answer.status, 200);
    assert!(sandbox.netfinity().wait_for_pingbacks(4, WAIT).await);
    let records = sandbox.netfinity().pingbacks();
    assert_eq!(codes(&records), [201, 202, 203, 204]);
    assert_eq!(records[0].attempts, 4);
    assert!(!records[0].acknowledged);
    assert_eq!(records[0].ack_body, None);
    assert!(
        records[1..]
            .iter()
            .all(|r| r.acknowledged && r.attempts == 1)
    );
    assert_eq!(received(&shared).len(), 7);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn unreachable_receiver_is_given_up() {
    // A port where nothing listens: connections are refused.
    let url = crate::common::refused_url("/cb");
    let sandbox = sandbox(|c| c.callback_url = Some(url)).await;
    let answer = send(&sandbox, &json!({"msisdn": "359000012345", "text": "hi"})).await;
    assert_eq!(answer.status, 200);
    assert!(sandbox.netfinity().wait_for_pingbacks(1, WAIT).await);
    let record = &sandbox.netfinity().pingbacks()[0];
    assert_eq!(
        (record.code, record.attempts, record.acknowledged),
        (501, 4, false)
    );
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Routing and lifecycle

#[tokio::test]
async fn other_methods_and_paths() {
    let sandbox = sandbox(|_| {}).await;
    let answer = call("GET", &send_url(&sandbox), &[], "")
        .await
        .expect("answer");
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("POST"));
    assert_eq!(
        answer.text,
        r#"{"message":"The GET method is not supported for this route. Supported methods: POST."}"#
    );
    let requests = sandbox.netfinity().requests();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].status),
        ("GET", 405)
    );

    let url = format!("{}/sms/other", sandbox.netfinity_url());
    let answer = request(&url, &[], "").await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.text, r#"{"message":"Not Found"}"#);
    // Every request under the prefix is recorded, as for the other providers.
    let requests = sandbox.netfinity().requests();
    assert_eq!(
        (
            requests.len(),
            requests[1].path.as_str(),
            requests[1].status
        ),
        (2, "/netfinity/v2/sms/other", 404)
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn shutdown_stops_the_server_and_pending_pingbacks() {
    let (url, shared) = receiver(&[]).await;
    let sandbox = sandbox(|c| {
        c.callback_url = Some(url);
        c.pingback_delay = Duration::from_millis(300);
    })
    .await;
    let base = sandbox.base_url();
    let netfinity = sandbox.netfinity();
    assert_eq!(
        send(&sandbox, &json!({"msisdn": "359881234567", "text": "hi"}))
            .await
            .status,
        200
    );
    sandbox.shutdown().await;
    assert!(
        call("GET", &base, &[], "").await.is_err(),
        "nothing listens any more"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(received(&shared).is_empty());
    assert!(netfinity.pingbacks().is_empty());
}

#[tokio::test]
async fn start_on_a_given_address() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = probe.local_addr().expect("addr");
    drop(probe);
    let sandbox = Sandbox::start_on(addr, SandboxConfig::default())
        .await
        .expect("start");
    assert_eq!(sandbox.addr(), addr);
    assert_eq!(sandbox.base_url(), format!("http://{addr}"));
    let answer = send(&sandbox, &json!({"msisdn": "359881234567", "text": "hi"})).await;
    assert_eq!(answer.status, 200);
    sandbox.shutdown().await;
}

/// Pingbacks an hour apart, and a receiver that fails the first try (retried 3 s later, as
/// documented): advancing the sandbox's clock brings each of them forward, with no sleeping.
#[tokio::test]
async fn the_clock_brings_scheduled_pingbacks_and_their_retries_forward() {
    let (url, shared) = receiver(&[500]).await;
    let sandbox = sandbox(|c| {
        c.callback_url = Some(url);
        c.pingback_delay = Duration::from_secs(3600);
        c.pingback_retry_delay = Duration::from_secs(3);
    })
    .await;
    let netfinity = sandbox.netfinity();
    let answer = send(
        &sandbox,
        &json!({"msisdn": "359881234567", "text": "clock"}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(
        !netfinity
            .wait_for_pingbacks(1, Duration::from_millis(30))
            .await
    );

    sandbox.clock().advance(Duration::from_secs(3600));
    // The first try is answered 500; its retry waits 3 s on the sandbox's clock.
    tokio::time::timeout(Duration::from_secs(2), async {
        while received(&shared).is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the first try, at once");
    assert!(netfinity.pingbacks().is_empty(), "its retry is 3 s away");
    sandbox.clock().advance(Duration::from_secs(3));
    assert!(
        netfinity
            .wait_for_pingbacks(1, Duration::from_secs(2))
            .await
    );
    let first = &netfinity.pingbacks()[0];
    assert_eq!(
        (first.code, first.attempts, first.acknowledged),
        (201, 2, true)
    );
    assert_eq!(received(&shared).len(), 2);
    sandbox.shutdown().await;
}
