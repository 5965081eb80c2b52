//! Regression tests for issue #16: a misbehaving server must not panic a client, poison it,
//! corrupt a value, outlast a deadline, or make it repeat a side effect. Each test names the
//! item of the issue it holds.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use api_core::{
    Auth, DEFAULT_MAX_SERVER_PAUSE, Error, ErrorKind, Idempotency, Method, OAuth2, Request,
    RetryConfig, Transport,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Item {
    id: String,
}

fn item() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "a1"}))
}

fn oauth_transport(server: &MockServer) -> api_core::TransportBuilder {
    let oauth =
        OAuth2::client_credentials(&format!("{}/oauth/token", server.uri()), "id", "secret")
            .expect("token url");
    common::builder(server).auth(Auth::OAuth2(oauth.into()))
}

async fn requests_to(server: &MockServer, to: &str) -> usize {
    server
        .received_requests()
        .await
        .expect("recording")
        .iter()
        .filter(|r| r.url.path() == to)
        .count()
}

// 1. A token lifetime beyond the clock.
#[tokio::test]
async fn a_token_lifetime_beyond_the_clock_is_kept_for_a_day_not_a_panic() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"access_token":"t","token_type":"bearer","expires_in":18446744073709551615}"#,
            "application/json",
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/items/1"))
        .respond_with(item())
        .mount(&server)
        .await;
    let transport = oauth_transport(&server).build().expect("transport");
    for _ in 0..2 {
        let item = transport
            .send::<Item>(Request::new(Method::GET, "/items/1"))
            .await
            .expect("no panic, and the token works");
        assert_eq!(item.into_inner(), Item { id: "a1".into() });
    }
    // One token for both calls: the lifetime was kept (at MAX_TOKEN_LIFETIME), not dropped.
    server.verify().await;
}

// 2. A server's wait beyond the clock, with a caller who accepts any wait.
#[tokio::test]
async fn retry_after_beyond_the_clock_with_an_unbounded_max_wait_is_no_panic() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(503).insert_header("Retry-After", "18446744073709551615"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let transport = common::builder(&server)
        .retry(RetryConfig {
            max_rate_limit_wait: Duration::MAX,
            ..common::fast_retry(3)
        })
        .call_timeout(Duration::from_secs(2))
        .build()
        .expect("transport");
    let started = Instant::now();
    let error = transport
        .send::<Item>(Request::new(Method::GET, "/items/1"))
        .await
        .expect_err("503");
    // The wait is cut to the ceiling, which the call's deadline cannot hold: the error at once.
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.retry_after(), Some(DEFAULT_MAX_SERVER_PAUSE));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    server.verify().await;
}

// 4. One header must not poison every clone for decades.
async fn a_huge_pause_lasts_at_most_the_ceiling(retry_after: &str) {
    let server = MockServer::start().await;
    Mock::given(path("/api/items/1"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", retry_after))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/items/1"))
        .respond_with(item())
        .mount(&server)
        .await;
    let ceiling = Duration::from_millis(400);
    let transport = common::builder(&server)
        .retry(common::fast_retry(1))
        .max_server_pause(ceiling)
        .build()
        .expect("transport");
    let error = transport
        .send::<Item>(Request::new(Method::GET, "/items/1"))
        .await
        .expect_err("429");
    assert_eq!(error.kind(), Some(ErrorKind::TooManyRequests));
    assert_eq!(error.retry_after(), Some(ceiling), "{retry_after}");
    // A clone waits out the rest of the (cut) pause, then reaches the healthy server.
    let clone = transport.clone();
    let started = Instant::now();
    let item = clone
        .send::<Item>(Request::new(Method::GET, "/items/1"))
        .await
        .expect("the server is healthy again");
    assert_eq!(item.into_inner(), Item { id: "a1".into() });
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
    assert_eq!(requests_to(&server, "/api/items/1").await, 2);
}

#[tokio::test]
async fn retry_after_of_31_years_pauses_every_clone_only_up_to_the_ceiling() {
    a_huge_pause_lasts_at_most_the_ceiling("999999999").await;
}

#[tokio::test]
async fn retry_after_in_the_year_9999_pauses_every_clone_only_up_to_the_ceiling() {
    a_huge_pause_lasts_at_most_the_ceiling("Fri, 31 Dec 9999 23:59:59 GMT").await;
}

#[tokio::test]
async fn the_default_ceiling_is_five_minutes_and_fl3xx_style_waits_can_raise_it() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "600"))
        .mount(&server)
        .await;
    for (ceiling, expected) in [
        (None, DEFAULT_MAX_SERVER_PAUSE),
        (Some(Duration::from_secs(660)), Duration::from_secs(600)),
    ] {
        let mut builder = common::builder(&server).retry(common::fast_retry(1));
        if let Some(ceiling) = ceiling {
            builder = builder.max_server_pause(ceiling);
        }
        let transport = builder.build().expect("transport");
        let error = transport
            .send::<Item>(Request::new(Method::GET, "/items/1"))
            .await
            .expect_err("429");
        assert_eq!(error.retry_after(), Some(expected));
    }
}

// 5. The call deadline covers the token fetch.
#[tokio::test]
async fn the_call_deadline_covers_a_slow_token_fetch() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": "t", "expires_in": 1200}))
                .set_delay(Duration::from_secs(4)),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/items/1"))
        .respond_with(item())
        .mount(&server)
        .await;
    let transport = oauth_transport(&server)
        .request_timeout(Duration::from_secs(5))
        .call_timeout(Duration::from_secs(1))
        .build()
        .expect("transport");
    let started = Instant::now();
    let error = transport
        .send::<Item>(Request::new(Method::GET, "/items/1"))
        .await
        .expect_err("the token comes too late");
    let took = started.elapsed();
    assert!(
        matches!(error, Error::Timeout { what: "call", elapsed } if elapsed >= Duration::from_secs(1)),
        "{error:?}"
    );
    assert!(took < Duration::from_millis(1500), "{took:?}");
    assert_eq!(requests_to(&server, "/api/items/1").await, 0);
}

// 8. A call's timeout says how long the call ran, not its last attempt.
#[tokio::test]
async fn a_call_timeout_reports_the_calls_whole_time() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(item().set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;
    let transport = common::builder(&server)
        .request_timeout(Duration::from_millis(600))
        .call_timeout(Duration::from_millis(1000))
        .build()
        .expect("transport");
    let error = transport
        .send::<Item>(Request::new(Method::GET, "/items/1"))
        .await
        .expect_err("too slow");
    let Error::Timeout { what, elapsed } = error else {
        panic!("{error:?}");
    };
    assert_eq!(what, "call");
    // Two attempts: 600 ms, then the 400 ms left of the call.
    assert!(
        elapsed >= Duration::from_millis(1000) && elapsed < Duration::from_millis(1500),
        "{elapsed:?}"
    );
    assert_eq!(requests_to(&server, "/api/items/1").await, 2);
}

// 8 and 9. Redirect loops and side effects.
#[tokio::test]
async fn a_side_effect_is_not_sent_again_through_a_307() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/sms"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", "/api/sms"))
        .mount(&server)
        .await;
    let transport = common::builder(&server).build().expect("transport");
    let error = transport
        .send::<Item>(
            Request::new(Method::POST, "/sms")
                .idempotency(Idempotency::SideEffect)
                .json(&serde_json::json!({"text": "once"}))
                .expect("json"),
        )
        .await
        .expect_err("not followed");
    let api = error.as_api().expect("an API error");
    assert_eq!(api.kind, ErrorKind::RedirectRefused);
    assert_eq!(
        api.message.as_deref(),
        Some(
            "did not follow the redirect to /api/sms: it would send this request a second \
             time, and it has a side effect and no idempotency key"
        )
    );
    assert_eq!(requests_to(&server, "/api/sms").await, 1, "sent once");
}

#[tokio::test]
async fn a_side_effect_with_an_idempotency_key_follows_a_307_with_its_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/sms"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", "/api/sms/v2"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/sms/v2"))
        .and(wiremock::matchers::body_json(
            serde_json::json!({"text": "once"}),
        ))
        .and(wiremock::matchers::header("idempotency-key", "k-1"))
        .and(wiremock::matchers::header("x-api-key", "key-1"))
        .respond_with(item())
        .expect(1)
        .mount(&server)
        .await;
    let transport = common::builder(&server)
        .auth(Auth::api_key("x-api-key", "key-1").expect("header"))
        .build()
        .expect("transport");
    let response = transport
        .send::<Item>(
            Request::new(Method::POST, "/sms")
                .idempotency(Idempotency::SideEffect)
                .idempotency_key("k-1")
                .header(
                    api_core::HeaderName::from_static("idempotency-key"),
                    api_core::HeaderValue::from_static("k-1"),
                )
                .json(&serde_json::json!({"text": "once"}))
                .expect("json"),
        )
        .await
        .expect("followed");
    assert_eq!(response.into_inner(), Item { id: "a1".into() });
    server.verify().await;
}

#[tokio::test]
async fn a_same_origin_redirect_loop_says_it_is_a_loop() {
    let server = MockServer::start().await;
    Mock::given(path("/api/loop"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", "/api/loop"))
        .mount(&server)
        .await;
    let transport = common::builder(&server)
        .retry(common::fast_retry(1))
        .build()
        .expect("transport");
    let error = transport
        .send::<Item>(Request::new(Method::GET, "/loop"))
        .await
        .expect_err("loop");
    assert_eq!(
        error.as_api().and_then(|e| e.message.as_deref()),
        Some(
            "stopped after 5 redirects within the API's origin (the next one to /api/loop): a \
             redirect loop"
        )
    );
    assert_eq!(requests_to(&server, "/api/loop").await, 6);
}

/// A server that answers every request with an endless stream of `100 Continue` heads, and
/// records when the client hung up.
struct EndlessContinue {
    uri: String,
    written: Arc<AtomicU64>,
    hung_up: Arc<AtomicBool>,
}

async fn endless_continue() -> EndlessContinue {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let uri = format!("http://{}", listener.local_addr().expect("addr"));
    let written = Arc::new(AtomicU64::new(0));
    let hung_up = Arc::new(AtomicBool::new(false));
    let (w, h) = (written.clone(), hung_up.clone());
    tokio::spawn(async move {
        let Ok((mut stream, _)) = listener.accept().await else {
            return;
        };
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf).await;
        let chunk = b"HTTP/1.1 100 Continue\r\n\r\n".repeat(1000);
        let started = Instant::now();
        // Bounded: at most 20 s, whatever the client does.
        while started.elapsed() < Duration::from_secs(20) {
            if stream.write_all(&chunk).await.is_err() {
                h.store(true, Ordering::SeqCst);
                return;
            }
            w.fetch_add(chunk.len() as u64, Ordering::SeqCst);
        }
    });
    EndlessContinue {
        uri,
        written,
        hung_up,
    }
}

// 7. An endless stream of `100 Continue`.
//
// hyper skips informational heads inside its read loop, so the call's own timer is what ends
// the attempt; dropping the attempt's future tells hyper's connection task to close the
// connection, which it does once its current poll ends (tokio's cooperative budget bounds a
// poll to 128 socket reads). The call returns at its deadline; the connection closes soon
// after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_stream_of_100_continue_ends_at_the_request_timeout_and_drops_the_connection() {
    let server = endless_continue().await;
    let transport = Transport::builder("test", &server.uri)
        .retry(common::fast_retry(1))
        .request_timeout(Duration::from_secs(1))
        .build()
        .expect("transport");
    let started = Instant::now();
    let error = transport
        .send::<Item>(Request::new(Method::GET, "/items"))
        .await
        .expect_err("no answer ever comes");
    let took = started.elapsed();
    assert!(
        matches!(
            error,
            Error::Timeout {
                what: "request",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(took < Duration::from_millis(1500), "{took:?}");
    let ended = Instant::now();
    while !server.hung_up.load(Ordering::SeqCst) && ended.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        server.hung_up.load(Ordering::SeqCst),
        "the connection was still open {:?} after the timeout ({} bytes written)",
        ended.elapsed(),
        server.written.load(Ordering::SeqCst)
    );
}
