//! Response size limits, same-origin-only redirects and base URL checks.

use crate::common;

use api_core::{Auth, Error, ErrorKind, Method, OAuth2, Request, StatusCode, Transport};
use serde::Deserialize;
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{RawServer, Reply, builder, chunked_response};

#[derive(Debug, PartialEq, Deserialize)]
struct Item {
    id: String,
}

fn key_auth() -> Auth {
    Auth::api_key("X-Auth-Token", "token-456").expect("valid header name")
}

// ---------------------------------------------------------------------------------------------
// Response size.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn body_over_the_limit_with_content_length() {
    let server = MockServer::start().await;
    let body = format!(r#"{{"id":"{}"}}"#, "x".repeat(2048));
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server)
        .max_response_bytes(1024)
        .build()
        .expect("transport");

    let err = transport
        .send::<Item>(Request::new(Method::GET, "/items/1"))
        .await
        .expect_err("too large");

    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 1024 }),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "response body exceeds the 1024-byte limit");
    server.verify().await; // not retried
}

#[tokio::test]
async fn error_body_over_the_limit_is_too_large_as_well() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500).set_body_string("e".repeat(4096)))
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server)
        .max_response_bytes(1024)
        .build()
        .expect("transport");

    let err = transport
        .send::<Item>(Request::new(Method::GET, "/items/1"))
        .await
        .expect_err("too large");

    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 1024 }),
        "{err:?}"
    );
    server.verify().await;
}

#[tokio::test]
async fn chunked_body_over_the_limit_without_content_length() {
    let body = format!(r#"{{"id":"{}"}}"#, "x".repeat(2048));
    let server =
        RawServer::start(move |_| Reply::Bytes(chunked_response(body.as_bytes(), 300))).await;
    let transport = Transport::builder("test", &server.uri())
        .max_response_bytes(1024)
        .build()
        .expect("transport");

    let err = transport
        .send::<Item>(Request::new(Method::GET, "/items/1"))
        .await
        .expect_err("too large");

    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 1024 }),
        "{err:?}"
    );
    assert_eq!(server.connections(), 1);
    let request = String::from_utf8(server.requests().remove(0)).expect("utf-8");
    assert!(
        request.starts_with("GET /items/1 HTTP/1.1\r\n"),
        "{request}"
    );
}

#[tokio::test]
async fn chunked_body_of_exactly_the_limit_is_read() {
    // `{"id":"xxx…"}` of exactly 1024 bytes.
    let id = "x".repeat(1024 - r#"{"id":""}"#.len());
    let body = format!(r#"{{"id":"{id}"}}"#);
    assert_eq!(body.len(), 1024);
    let server =
        RawServer::start(move |_| Reply::Bytes(chunked_response(body.as_bytes(), 300))).await;
    let transport = Transport::builder("test", &server.uri())
        .max_response_bytes(1024)
        .build()
        .expect("transport");

    let item = transport
        .send::<Item>(Request::new(Method::GET, "/items/1"))
        .await
        .expect("at the limit");

    assert_eq!(item.into_inner(), Item { id });
}

// ---------------------------------------------------------------------------------------------
// Redirects.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn redirect_to_another_origin_is_refused() {
    let api = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let target = format!("{}/steal", elsewhere.uri());
    Mock::given(path("/api/items/1"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", target.as_str()))
        .expect(1)
        .mount(&api)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let transport = builder(&api).auth(key_auth()).build().expect("transport");

    let err = transport
        .send::<Item>(Request::new(Method::GET, "/items/1").operation("get_item"))
        .await
        .expect_err("refused");

    let e = err.as_api().expect("an API error");
    assert_eq!(e.kind, ErrorKind::RedirectRefused);
    assert_eq!(e.status, StatusCode::FOUND);
    assert_eq!(
        e.message.as_deref(),
        Some(
            format!(
                "refused to follow a redirect to {target}: it leaves the API's origin, and \
                 credentials are never sent to another host or over plain http"
            )
            .as_str()
        )
    );
    assert!(!err.is_retryable());
    assert!(
        elsewhere
            .received_requests()
            .await
            .expect("recording")
            .is_empty(),
        "the other origin was contacted"
    );
    api.verify().await;
    elsewhere.verify().await;
}

#[tokio::test]
async fn redirect_to_another_host_name_on_the_same_port_is_refused_for_post() {
    // `localhost` and `127.0.0.1` reach the same server but are different origins.
    let api = MockServer::start().await;
    let port = api.address().port();
    Mock::given(any())
        .respond_with(ResponseTemplate::new(307).insert_header(
            "Location",
            format!("http://localhost:{port}/api/messages").as_str(),
        ))
        .expect(1)
        .mount(&api)
        .await;
    let transport = builder(&api).auth(key_auth()).build().expect("transport");

    let err = transport
        .send::<Item>(
            Request::new(Method::POST, "/messages")
                .json(&serde_json::json!({"text": "hi"}))
                .expect("json"),
        )
        .await
        .expect_err("refused");

    assert_eq!(err.kind(), Some(ErrorKind::RedirectRefused));
    assert_eq!(err.status(), Some(StatusCode::TEMPORARY_REDIRECT));
    let received = api.received_requests().await.expect("recording");
    assert_eq!(received.len(), 1);
    let host = received[0].headers.get("host").expect("Host header");
    assert_eq!(host.to_str().expect("ascii"), format!("127.0.0.1:{port}"));
    api.verify().await;
}

#[tokio::test]
async fn same_origin_redirect_is_followed_with_the_key_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/old"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", "/api/new"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/new"))
        .and(header("X-Auth-Token", "token-456"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "moved"})))
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server)
        .auth(key_auth())
        .build()
        .expect("transport");

    let response = transport
        .send::<Item>(Request::new(Method::GET, "/old"))
        .await
        .expect("followed");

    assert_eq!(response.attempts(), 1);
    assert_eq!(response.into_inner(), Item { id: "moved".into() });
    let received = server.received_requests().await.expect("recording");
    let seen: Vec<_> = received
        .iter()
        .map(|r| {
            (
                r.url.path().to_owned(),
                r.headers
                    .get("x-auth-token")
                    .map(|v| v.to_str().expect("ascii").to_owned()),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("/api/old".to_owned(), Some("token-456".to_owned())),
            ("/api/new".to_owned(), Some("token-456".to_owned())),
        ]
    );
}

#[tokio::test]
async fn a_redirect_loop_stops() {
    let server = MockServer::start().await;
    Mock::given(path("/api/loop"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", "/api/loop"))
        .mount(&server)
        .await;
    let transport = builder(&server).build().expect("transport");

    let err = transport
        .send::<Item>(Request::new(Method::GET, "/loop"))
        .await
        .expect_err("loop");

    assert_eq!(err.kind(), Some(ErrorKind::RedirectRefused));
    // The original request and five followed redirects.
    assert_eq!(
        server.received_requests().await.expect("recording").len(),
        6
    );
}

// ---------------------------------------------------------------------------------------------
// Base URL checks.
// ---------------------------------------------------------------------------------------------

#[test]
fn plain_http_to_a_remote_host_is_a_config_error() {
    let err = Transport::builder("test", "http://api.example.com/v2")
        .build()
        .expect_err("insecure");
    let Error::Config(message) = &err else {
        panic!("expected a config error, got {err:?}")
    };
    assert!(
        message.starts_with("refusing plain http:// to `api.example.com`"),
        "{message}"
    );

    assert!(
        Transport::builder("test", "http://api.example.com/v2")
            .allow_insecure_http(true)
            .build()
            .is_ok()
    );
    for local in [
        "http://127.0.0.1:1/v2",
        "http://localhost:1",
        "http://[::1]:1/",
    ] {
        assert!(Transport::builder("test", local).build().is_ok(), "{local}");
    }
    assert!(matches!(
        Transport::builder("test", "https://api.example.com/v2?x=1").build(),
        Err(Error::Config(_))
    ));
}

#[test]
fn plain_http_token_url_to_a_remote_host_is_a_config_error() {
    // The client secret goes to the token URL: it gets the same check as the base URL.
    let oauth = OAuth2::client_credentials("http://auth.example.com/oauth/token", "id", "secret")
        .expect("absolute URL");
    let err = Transport::builder("test", "https://api.example.com/v2")
        .auth(Auth::OAuth2(oauth.into()))
        .build()
        .expect_err("insecure token URL");
    let Error::Config(message) = &err else {
        panic!("expected a config error, got {err:?}")
    };
    assert!(message.contains("auth.example.com"), "{message}");

    for ok in [
        "https://auth.example.com/oauth/token",
        "http://127.0.0.1:9/oauth/token",
    ] {
        let oauth = OAuth2::client_credentials(ok, "id", "secret").expect("absolute URL");
        assert!(
            Transport::builder("test", "https://api.example.com/v2")
                .auth(Auth::OAuth2(oauth.into()))
                .build()
                .is_ok(),
            "{ok}"
        );
    }
    let oauth = OAuth2::client_credentials("http://auth.example.com/oauth/token", "id", "secret")
        .expect("absolute URL");
    assert!(
        Transport::builder("test", "https://api.example.com/v2")
            .auth(Auth::OAuth2(oauth.into()))
            .allow_insecure_http(true)
            .build()
            .is_ok()
    );
}
