//! Retry rules, timeouts and rate limits, proven by counting what reaches the server.

use crate::common;

use std::time::{Duration, Instant, SystemTime};

use api_core::{
    Error, ErrorKind, Method, RateLimit, Request, RetryConfig, StatusCode, Transport,
    TransportErrorKind,
};
use serde::Deserialize;
use tokio::net::TcpListener;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{RawServer, Reply, builder, capture_logs, dead_port, fast_retry, http_response};

#[derive(Debug, PartialEq, Deserialize)]
struct Item {
    id: String,
}

fn ok_body() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "ok"}))
}

async fn request_count(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .expect("recording is on")
        .len()
}

fn post() -> Request {
    Request::new(Method::POST, "/messages")
        .operation("send")
        .json(&serde_json::json!({"text": "hi"}))
        .expect("json")
}

/// Mounts `first` for the first matching request only, then `then` for the rest.
async fn first_then(server: &MockServer, first: ResponseTemplate, then: ResponseTemplate) {
    Mock::given(any())
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(any()).respond_with(then).mount(server).await;
}

// ---------------------------------------------------------------------------------------------
// Which failures are retried.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn get_is_retried_on_503_then_succeeds() {
    let server = MockServer::start().await;
    first_then(&server, ResponseTemplate::new(503), ok_body()).await;
    let transport = builder(&server).build().expect("transport");

    let response = transport
        .send::<Item>(Request::new(Method::GET, "/items/1"))
        .await
        .expect("second attempt succeeds");

    assert_eq!(response.attempts(), 2);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.into_inner(), Item { id: "ok".into() });
    let received = server.received_requests().await.expect("recording");
    assert_eq!(received.len(), 2);
    assert!(
        received
            .iter()
            .all(|r| r.method == Method::GET && r.url.path() == "/api/items/1")
    );
}

#[tokio::test]
async fn get_gives_up_after_max_attempts() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(503).set_body_json(serde_json::json!({"message": "down"})),
        )
        .expect(4)
        .mount(&server)
        .await;
    let transport = builder(&server)
        .retry(fast_retry(4))
        .build()
        .expect("transport");
    let budget_before = transport.retry_budget().available();

    let err = transport
        .send::<Item>(Request::new(Method::GET, "/items/1").operation("get_item"))
        .await
        .expect_err("always 503");

    assert_eq!(err.kind(), Some(ErrorKind::ServiceUnavailable));
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(err.to_string(), "test get_item failed with HTTP 503: down");
    // Three retries, five tokens each.
    assert_eq!(transport.retry_budget().available(), budget_before - 15);
    server.verify().await;
}

#[tokio::test]
async fn get_is_not_retried_on_500() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server).build().expect("transport");

    let err = transport
        .send::<Item>(Request::new(Method::GET, "/items/1"))
        .await
        .expect_err("500");

    assert_eq!(err.kind(), Some(ErrorKind::InternalServerError));
    server.verify().await;
}

#[tokio::test]
async fn post_is_not_retried_on_5xx() {
    for status in [500u16, 502, 503, 504] {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(status))
            .expect(1)
            .mount(&server)
            .await;
        let transport = builder(&server)
            .retry(fast_retry(5))
            .build()
            .expect("transport");

        let err = transport
            .send::<Item>(post())
            .await
            .expect_err("error status");

        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(request_count(&server).await, 1, "POST retried on {status}");
        server.verify().await;
    }
}

#[tokio::test]
async fn post_with_an_idempotency_key_is_retried_on_503_with_the_same_body() {
    let server = MockServer::start().await;
    first_then(&server, ResponseTemplate::new(503), ok_body()).await;
    let transport = builder(&server).build().expect("transport");

    let response = transport
        .send::<Item>(post().idempotency_key("key-1"))
        .await
        .expect("retried");

    assert_eq!(response.attempts(), 2);
    let received = server.received_requests().await.expect("recording");
    assert_eq!(received.len(), 2);
    for r in &received {
        assert_eq!(r.method, Method::POST);
        assert_eq!(r.body, br#"{"text":"hi"}"#);
    }
}

#[tokio::test]
async fn put_is_retried_on_502() {
    let server = MockServer::start().await;
    first_then(&server, ResponseTemplate::new(502), ok_body()).await;
    let transport = builder(&server).build().expect("transport");

    let response = transport
        .send::<Item>(
            Request::new(Method::PUT, "/items/1")
                .json(&serde_json::json!({"a": 1}))
                .expect("json"),
        )
        .await
        .expect("retried");

    assert_eq!(response.attempts(), 2);
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn post_is_retried_on_429_after_retry_after_seconds() {
    let server = MockServer::start().await;
    first_then(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", "1"),
        ok_body(),
    )
    .await;
    let transport = builder(&server).build().expect("transport");

    let started = Instant::now();
    let response = transport
        .send::<Item>(post())
        .await
        .expect("retried after 1 s");

    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(response.attempts(), 2);
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn post_is_retried_on_429_with_retry_after_zero() {
    let server = MockServer::start().await;
    first_then(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", "0"),
        ok_body(),
    )
    .await;
    let transport = builder(&server).build().expect("transport");

    let response = transport.send::<Item>(post()).await.expect("retried");

    assert_eq!(response.attempts(), 2);
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date() {
    // A date in the past means "now": retried at once.
    let server = MockServer::start().await;
    let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(3600));
    first_then(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", past.as_str()),
        ok_body(),
    )
    .await;
    let transport = builder(&server).build().expect("transport");
    let started = Instant::now();
    let response = transport.send::<Item>(post()).await.expect("retried");
    assert_eq!(response.attempts(), 2);
    assert!(started.elapsed() < Duration::from_secs(1));

    // A date an hour ahead is beyond the 30 s maximum wait: returned at once, with the wait
    // cut to the 5-minute ceiling on what one answer can impose.
    let server = MockServer::start().await;
    let future = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", future.as_str()))
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server).build().expect("transport");
    let err = transport
        .send::<Item>(post())
        .await
        .expect_err("too long a wait");
    let wait = err.retry_after().expect("retry_after from the date");
    assert_eq!(wait, api_core::DEFAULT_MAX_SERVER_PAUSE);
    assert_eq!(err.kind(), Some(ErrorKind::TooManyRequests));
    server.verify().await;
}

#[tokio::test]
async fn retry_after_beyond_max_wait_is_returned_at_once_and_pauses_clones() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "120")
                .insert_header("X-RateLimit-Remaining", "0")
                .set_body_json(serde_json::json!({"message": "Too Many Attempts."})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server).build().expect("transport");
    let clone = transport.clone();

    let started = Instant::now();
    let err = transport.send::<Item>(post()).await.expect_err("429");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(err.is_rate_limited());
    assert_eq!(err.kind(), Some(ErrorKind::TooManyRequests));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(
        err.as_api()
            .and_then(|e| e.rate_limit)
            .and_then(|r| r.remaining),
        Some(0)
    );
    assert_eq!(
        err.to_string(),
        "test send failed with HTTP 429: Too Many Attempts. (retry after 120s)"
    );

    // The clone shares the limiter: it fails fast without sending anything.
    let err = clone
        .send::<Item>(Request::new(Method::GET, "/items"))
        .await
        .expect_err("paused");
    let Error::RateLimited { retry_after } = err else {
        panic!("expected the client-side rate limit, got {err:?}")
    };
    assert!(retry_after > Duration::from_secs(118) && retry_after <= Duration::from_secs(120));
    assert!(started.elapsed() < Duration::from_secs(1));
    server.verify().await;
}

#[tokio::test]
async fn a_429_pause_makes_a_clone_wait() {
    let server = MockServer::start().await;
    Mock::given(path("/api/limited"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/items"))
        .respond_with(ok_body())
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server)
        .retry(RetryConfig {
            max_attempts: 1,
            ..fast_retry(1)
        })
        .build()
        .expect("transport");

    let err = transport
        .send::<Item>(Request::new(Method::GET, "/limited"))
        .await
        .expect_err("429, no retries");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));

    let started = Instant::now();
    let item = transport
        .clone()
        .send::<Item>(Request::new(Method::GET, "/items"))
        .await
        .expect("after the pause");
    assert_eq!(item.id, "ok");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    server.verify().await;
}

#[tokio::test]
async fn client_side_pace_spaces_requests_across_clones() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok_body())
        .expect(4)
        .mount(&server)
        .await;
    let transport = builder(&server)
        .rate_limit(RateLimit::per_second(10))
        .build()
        .expect("transport");
    let clone = transport.clone();

    let started = Instant::now();
    for i in 0..4 {
        let t = if i % 2 == 0 { &transport } else { &clone };
        t.send::<Item>(Request::new(Method::GET, "/items"))
            .await
            .expect("paced");
    }
    let elapsed = started.elapsed();

    // One request at once, then one every 100 ms.
    assert!(elapsed >= Duration::from_millis(290), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    server.verify().await;
}

#[tokio::test]
async fn client_side_pace_fails_fast_beyond_max_wait() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok_body())
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server)
        .rate_limit(RateLimit::per_second(1))
        .retry(RetryConfig {
            max_rate_limit_wait: Duration::from_millis(100),
            ..fast_retry(3)
        })
        .build()
        .expect("transport");

    transport
        .send::<Item>(Request::new(Method::GET, "/items"))
        .await
        .expect("first is free");
    let started = Instant::now();
    let err = transport
        .send::<Item>(Request::new(Method::GET, "/items"))
        .await
        .expect_err("the next slot is a second away");

    assert!(started.elapsed() < Duration::from_millis(100));
    assert!(err.is_rate_limited());
    let Error::RateLimited { retry_after } = err else {
        panic!("expected the client-side rate limit, got {err:?}")
    };
    assert!(
        retry_after > Duration::from_millis(800) && retry_after <= Duration::from_secs(1),
        "{retry_after:?}"
    );
    server.verify().await;
}

// ---------------------------------------------------------------------------------------------
// Connection failures.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn refused_connection_is_a_connect_error_retried_even_for_post() {
    let (logs, _guard) = capture_logs();
    let transport = Transport::builder("test", &format!("http://127.0.0.1:{}", dead_port()))
        .retry(fast_retry(3))
        .build()
        .expect("transport");

    let err = transport
        .send::<Item>(post())
        .await
        .expect_err("nothing listens");

    let Error::Transport(e) = &err else {
        panic!("expected a transport error, got {err:?}")
    };
    assert_eq!(e.kind, TransportErrorKind::Connect);
    assert_eq!((e.provider, e.operation), ("test", "send"));
    assert!(
        err.to_string()
            .starts_with("test send: connection failed: "),
        "{err}"
    );
    // The span shows three attempts; two "retrying" events came before the last one.
    let logs = logs.contents();
    assert_eq!(logs.matches("retrying").count(), 2, "{logs}");
    assert!(logs.contains("attempts=3"), "{logs}");
}

#[tokio::test]
async fn post_reaches_a_server_that_starts_listening_late() {
    let port = dead_port();
    let transport = Transport::builder("test", &format!("http://127.0.0.1:{port}"))
        .retry(RetryConfig {
            max_attempts: 40,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(50),
            max_rate_limit_wait: Duration::from_secs(1),
        })
        .build()
        .expect("transport");
    let late = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("rebind the port");
        RawServer::serve(listener, |_| {
            Reply::Bytes(http_response(
                "200 OK",
                "application/json",
                br#"{"id":"late"}"#,
            ))
        })
    });

    let response = transport
        .send::<Item>(post())
        .await
        .expect("reached once listening");
    let server = late.await.expect("listener task");

    assert!(response.attempts() >= 2, "{}", response.attempts());
    assert_eq!(response.into_inner(), Item { id: "late".into() });
    // Refused attempts never reached it: the POST arrived exactly once.
    assert_eq!(server.connections(), 1);
    let request = String::from_utf8(server.requests().remove(0)).expect("utf-8");
    assert!(
        request.starts_with("POST /messages HTTP/1.1\r\n"),
        "{request}"
    );
    assert!(request.ends_with("\r\n\r\n{\"text\":\"hi\"}"), "{request}");
}

#[tokio::test]
async fn a_connection_dropped_after_sending_is_not_retried_for_post() {
    let server = RawServer::start(|_| Reply::Close).await;
    let transport = Transport::builder("test", &server.uri())
        .retry(fast_retry(3))
        .build()
        .expect("transport");

    let err = transport.send::<Item>(post()).await.expect_err("no answer");

    let Error::Transport(e) = &err else {
        panic!("expected a transport error, got {err:?}")
    };
    assert_eq!(e.kind, TransportErrorKind::Request);
    assert_eq!(server.connections(), 1);

    // A GET may be repeated: three attempts.
    let err = transport
        .send::<Item>(Request::new(Method::GET, "/items"))
        .await
        .expect_err("no answer");
    assert!(
        matches!(&err, Error::Transport(e) if e.kind == TransportErrorKind::Request),
        "{err:?}"
    );
    assert_eq!(server.connections(), 4);
}

// ---------------------------------------------------------------------------------------------
// Timeouts.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn post_stalling_past_the_request_timeout_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ok_body().set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let transport = builder(&server)
        .request_timeout(Duration::from_millis(200))
        .build()
        .expect("transport");

    let started = Instant::now();
    let err = transport.send::<Item>(post()).await.expect_err("stalled");

    let Error::Timeout { what, elapsed } = err else {
        panic!("expected a timeout, got {err:?}")
    };
    assert_eq!(what, "request");
    assert!(
        elapsed >= Duration::from_millis(200) && elapsed < Duration::from_secs(1),
        "{elapsed:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn get_stalling_past_the_request_timeout_is_retried() {
    let server = MockServer::start().await;
    first_then(
        &server,
        ok_body().set_delay(Duration::from_secs(3)),
        ok_body(),
    )
    .await;
    let transport = builder(&server)
        .request_timeout(Duration::from_millis(200))
        .build()
        .expect("transport");

    let response = transport
        .send::<Item>(Request::new(Method::GET, "/items/1"))
        .await
        .expect("second attempt is fast");

    assert_eq!(response.attempts(), 2);
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn the_call_deadline_counts_the_wait_for_the_limiter() {
    let server = MockServer::start().await;
    first_then(
        &server,
        ok_body(),
        ok_body().set_delay(Duration::from_secs(3)),
    )
    .await;
    let transport = builder(&server)
        .rate_limit(RateLimit::per_second(2))
        .retry(fast_retry(1))
        .request_timeout(Duration::from_secs(5))
        .call_timeout(Duration::from_millis(700))
        .build()
        .expect("transport");
    transport
        .send::<Item>(Request::new(Method::GET, "/items/1"))
        .await
        .expect("the first slot is free");

    let started = Instant::now();
    let err = transport
        .send::<Item>(Request::new(Method::GET, "/items/1"))
        .await
        .expect_err("the server stalls");
    let total = started.elapsed();

    // About 500 ms for the next slot, then what is left of the 700 ms: the attempt is cut
    // at the call's deadline, not 700 ms after it started, and the error tells the call's
    // whole time.
    let Error::Timeout { what, elapsed } = err else {
        panic!("expected a timeout, got {err:?}")
    };
    assert_eq!(what, "call");
    assert!(
        elapsed >= Duration::from_millis(700) && elapsed < Duration::from_millis(1000),
        "{elapsed:?}"
    );
    assert!(
        total >= Duration::from_millis(650) && total < Duration::from_millis(1000),
        "{total:?}"
    );
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn call_timeout_bounds_all_attempts() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ok_body().set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let transport = builder(&server)
        .retry(fast_retry(10))
        .request_timeout(Duration::from_millis(150))
        .call_timeout(Duration::from_millis(400))
        .build()
        .expect("transport");

    let started = Instant::now();
    let err = transport
        .send::<Item>(Request::new(Method::GET, "/items/1"))
        .await
        .expect_err("every attempt stalls");
    let total = started.elapsed();

    let Error::Timeout { what, .. } = err else {
        panic!("expected a timeout, got {err:?}")
    };
    assert_eq!(what, "call");
    assert!(
        total >= Duration::from_millis(400) && total < Duration::from_millis(800),
        "{total:?}"
    );
    // Two full attempts (150 ms each) and a third cut short by the call's deadline.
    assert_eq!(request_count(&server).await, 3);
}
