//! No credential reaches a log line, a `Debug` or an error; spans carry the call's shape.

use crate::common;

use std::time::Duration;

use api_core::{Auth, Error, Method, OAuth2, Request, Transport};
use serde::Deserialize;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{builder, capture_logs, dead_port, fast_retry};

const KEY_ID: &str = "KEY-ID-s3cr3t-1";
const KEY_TOKEN: &str = "KEY-TOKEN-s3cr3t-2";
const BEARER: &str = "BEARER-s3cr3t-3";
const CLIENT_SECRET: &str = "CLIENT-SECRET-s3cr3t-4";
const ACCESS_TOKEN: &str = "ACCESS-s3cr3t-5";
/// `base64("client-id-123:CLIENT-SECRET-s3cr3t-4")`, as the Basic header would carry it.
const BASIC: &str = "Y2xpZW50LWlkLTEyMzpDTElFTlQtU0VDUkVULXMzY3IzdC00";
const SECRETS: [&str; 6] = [
    KEY_ID,
    KEY_TOKEN,
    BEARER,
    CLIENT_SECRET,
    ACCESS_TOKEN,
    BASIC,
];

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Customer {
    id: String,
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} leaks `{secret}`:\n{text}");
    }
}

async fn mount_api(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/api/customers/cust-42"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "cust-42"})),
        )
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/customers"))
        .respond_with(
            ResponseTemplate::new(422)
                .insert_header("X-Request-Id", "req-1")
                .set_body_json(serde_json::json!({
                    "message": "The given data was invalid.",
                    "errors": {"name": ["The name field is required."]},
                })),
        )
        .mount(server)
        .await;
    Mock::given(path("/api/flaky"))
        .respond_with(ResponseTemplate::new(503))
        .mount(server)
        .await;
    Mock::given(path("/api/private"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"message": "Unauthenticated."})),
        )
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": ACCESS_TOKEN,
            "token_type": "Bearer",
            "expires_in": 3600,
        })))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/bad-token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_client",
            "error_description": "Client authentication failed",
        })))
        .mount(server)
        .await;
}

fn get_customer() -> Request {
    Request::new(Method::GET, "/customers/{id}")
        .operation("get_customer")
        .path_param("id", "cust-42")
        .expect("param")
}

fn create_customer() -> Request {
    Request::new(Method::POST, "/customers")
        .operation("create_customer")
        .json(&serde_json::json!({"name": ""}))
        .expect("json")
}

/// One success and the failures each credential kind can meet, everything logged at TRACE.
#[tokio::test]
async fn credentials_never_reach_logs_debug_or_errors() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start().await;
    mount_api(&server).await;
    let oauth = |token_path: &str| {
        OAuth2::client_credentials(
            &format!("{}{token_path}", server.uri()),
            "client-id-123",
            CLIENT_SECRET,
        )
        .expect("token URL")
        .scopes(["merchant"])
    };
    let transports = [
        builder(&server)
            .auth(
                Auth::api_keys([
                    ("X-Api-Client-Id", KEY_ID.to_owned()),
                    ("X-Auth-Token", KEY_TOKEN.to_owned()),
                ])
                .expect("names"),
            )
            .build()
            .expect("transport"),
        builder(&server)
            .auth(Auth::bearer(BEARER))
            .build()
            .expect("transport"),
        builder(&server)
            .auth(Auth::OAuth2(oauth("/oauth/token").into()))
            .build()
            .expect("transport"),
    ];
    let mut errors: Vec<Error> = Vec::new();

    for transport in &transports {
        let customer = transport
            .send::<Customer>(get_customer())
            .await
            .expect("success");
        assert_eq!(customer.id, "cust-42");
        for request in [
            create_customer(),
            Request::new(Method::GET, "/flaky").operation("flaky"),
            Request::new(Method::GET, "/private").operation("private"),
        ] {
            errors.push(
                transport
                    .send::<Customer>(request)
                    .await
                    .expect_err("failure"),
            );
        }
    }
    // The token endpoint refuses the client.
    let rejected = builder(&server)
        .auth(Auth::OAuth2(oauth("/oauth/bad-token").into()))
        .build()
        .expect("transport");
    errors.push(
        rejected
            .send::<Customer>(get_customer())
            .await
            .expect_err("no token"),
    );
    // Nothing listens.
    let unreachable = Transport::builder("test", &format!("http://127.0.0.1:{}", dead_port()))
        .auth(Auth::api_key("X-Auth-Token", KEY_TOKEN).expect("name"))
        .retry(fast_retry(2))
        .build()
        .expect("transport");
    errors.push(
        unreachable
            .send::<Customer>(get_customer())
            .await
            .expect_err("refused"),
    );

    // The calls really carried the credentials...
    let received = server.received_requests().await.expect("recording");
    let wire = format!(
        "{:?}",
        received.iter().map(|r| &r.headers).collect::<Vec<_>>()
    );
    for secret in [KEY_ID, KEY_TOKEN, BEARER, ACCESS_TOKEN, BASIC] {
        assert!(wire.contains(secret), "`{secret}` was never sent");
    }
    // ...but no log line, Debug or error shows them.
    let logs = logs.contents();
    assert!(logs.contains("retrying"), "{logs}");
    assert!(logs.contains("oauth2 token response"), "{logs}");
    assert_no_secret("the logs", &logs);
    for transport in transports.iter().chain([&rejected, &unreachable]) {
        assert_no_secret("a transport's Debug", &format!("{transport:?}"));
        assert_no_secret("a transport's Debug", &format!("{transport:#?}"));
    }
    assert_eq!(errors.len(), 11);
    for error in &errors {
        assert_no_secret("an error's Display", &error.to_string());
        assert_no_secret("an error's Debug", &format!("{error:?}"));
    }
    assert!(matches!(&errors[9], Error::Auth(m) if m.contains("invalid_client")));
    assert!(matches!(&errors[10], Error::Transport(_)));
}

/// The call's span names the provider, operation, method and path template (never the ids),
/// and records the status and the number of attempts.
#[tokio::test]
async fn the_span_records_the_call() {
    let (logs, _guard) = capture_logs();
    let server = MockServer::start().await;
    mount_api(&server).await;
    let transport = builder(&server)
        .retry(fast_retry(3))
        .request_timeout(Duration::from_secs(5))
        .build()
        .expect("transport");

    transport
        .send::<Customer>(get_customer())
        .await
        .expect("success");
    transport
        .send::<Customer>(Request::new(Method::GET, "/flaky").operation("flaky"))
        .await
        .expect_err("503");
    transport
        .send::<Customer>(create_customer())
        .await
        .expect_err("422");

    let logs = logs.contents();
    let closes: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("api.call{") && l.contains("close"))
        .collect();
    assert_eq!(closes.len(), 3, "{logs}");
    let expect = [
        [
            "provider=\"test\"",
            "operation=\"get_customer\"",
            "method=GET",
            "path=\"/customers/{id}\"",
            "attempts=1",
            "status=200",
        ],
        [
            "provider=\"test\"",
            "operation=\"flaky\"",
            "method=GET",
            "path=\"/flaky\"",
            "attempts=3",
            "status=503",
        ],
        [
            "provider=\"test\"",
            "operation=\"create_customer\"",
            "method=POST",
            "path=\"/customers\"",
            "attempts=1",
            "status=422",
        ],
    ];
    for (line, fields) in closes.iter().zip(expect) {
        for field in fields {
            assert!(line.contains(field), "`{field}` missing from {line}");
        }
        assert!(line.contains("elapsed_ms="), "{line}");
        // The fmt layer appends re-recorded fields: a one-attempt call never shows a second.
        if fields.contains(&"attempts=1") {
            assert!(!line.contains("attempts=2"), "{line}");
        }
        assert!(!line.contains("cust-42"), "the span holds an id: {line}");
    }
    // Each retry is logged inside the span with the error that caused it.
    let retries: Vec<&str> = logs.lines().filter(|l| l.contains("retrying")).collect();
    assert_eq!(retries.len(), 2, "{logs}");
    for line in retries {
        assert!(line.contains("api.call{"), "{line}");
        assert!(line.contains("test flaky failed with HTTP 503"), "{line}");
    }
}
