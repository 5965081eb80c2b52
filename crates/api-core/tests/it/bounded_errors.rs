//! What a misbehaving server can make an error print (issue #16): megabytes of text in an
//! error body, where a number is expected, or in a token endpoint's answer give errors whose
//! `Display` and `Debug` stay within `Error::DISPLAY_LIMIT` and `Error::DEBUG_LIMIT`; and a
//! transport failure says why, not only "error sending request".

use crate::common;

use api_core::{
    ApiError, Auth, DecodeError, Error, Method, OAuth2, Request, RetryConfig, Transport,
    TransportErrorKind,
};
use serde::Deserialize;
use wiremock::matchers::{any, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{RawServer, Reply, builder, http_response};

const MIB: usize = 1 << 20;

#[derive(Debug, Deserialize)]
struct Price {
    #[allow(dead_code)]
    amount: u32,
}

/// `error`'s `Display`, `{:?}` and `{:#?}`, each asserted within its limit.
fn assert_bounded(error: &Error) -> (String, String) {
    let display = error.to_string();
    assert!(
        display.len() <= Error::DISPLAY_LIMIT,
        "Display is {} bytes",
        display.len()
    );
    let debug = format!("{error:?}");
    let pretty = format!("{error:#?}");
    for text in [&debug, &pretty] {
        assert!(
            text.len() <= Error::DEBUG_LIMIT,
            "Debug is {} bytes",
            text.len()
        );
    }
    (display, debug)
}

/// A 422 whose message and field error are 1 MiB each (under the default 16 MiB body limit).
async fn huge_422() -> MockServer {
    let server = MockServer::start().await;
    let body = serde_json::json!({
        "message": format!("Start of the message {}", "m".repeat(MIB)),
        "errors": {"msisdn": [format!("Start of the field error {}", "f".repeat(MIB))]},
    });
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(422)
                .insert_header("X-Request-Id", "req-1")
                .set_body_json(body),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_1_mib_422_gives_a_bounded_error() {
    let server = huge_422().await;
    let transport = builder(&server).build().expect("transport");

    let err = transport
        .send::<Price>(Request::new(Method::POST, "/messages").operation("send"))
        .await
        .expect_err("422");

    let (display, debug) = assert_bounded(&err);
    assert!(
        display.starts_with("test send failed with HTTP 422: Start of the message mmm"),
        "{display:.200}"
    );
    assert!(display.contains("; msisdn: Start of the field error fff"));
    assert!(display.contains(" bytes]"), "the cut is marked");
    assert!(
        debug.starts_with("Api(ApiError { provider: \"test\", operation: \"send\""),
        "{debug:.200}"
    );
    assert!(debug.contains("request_id: Some(\"req-1\")"));
    let api = err.as_api().expect("an API error");
    assert_eq!(api.request_id.as_deref(), Some("req-1"));
}

/// The stored texts, not only their printing, once the transport's `complete()` calls
/// `ApiError::bound` after the provider's decoder.
#[tokio::test]
async fn a_1_mib_422_is_stored_bounded() {
    let server = huge_422().await;
    let transport = builder(&server).build().expect("transport");

    let err = transport
        .send::<Price>(Request::new(Method::POST, "/messages").operation("send"))
        .await
        .expect_err("422");

    let api = err.as_api().expect("an API error");
    let message = api.message.as_deref().unwrap_or_default();
    assert!(message.len() <= ApiError::TEXT_LIMIT, "{}", message.len());
    assert!(message.starts_with("Start of the message mmm"));
    let field = &api.field_errors["msisdn"];
    assert!(field[0].len() <= ApiError::TEXT_LIMIT, "{}", field[0].len());
    assert!(api.body_excerpt.len() <= ApiError::EXCERPT_LIMIT + '…'.len_utf8());
}

#[tokio::test]
async fn a_1_mib_string_where_a_number_is_expected_gives_a_bounded_decode_error() {
    let server = MockServer::start().await;
    let body = format!(r#"{{"amount":"{}"}}"#, "9".repeat(MIB));
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(&server)
        .await;
    let transport = builder(&server).build().expect("transport");

    let err = transport
        .send::<Price>(Request::new(Method::GET, "/prices/1").operation("get_price"))
        .await
        .expect_err("a string is not a number");

    let (display, _) = assert_bounded(&err);
    assert!(
        display.starts_with(
            "test get_price: cannot decode the response at `amount`: invalid type: string \"999"
        ),
        "{display:.200}"
    );
    // The end of serde's message is kept: what it expected, and where.
    assert!(display.contains(" bytes] …999"), "{display}");
    assert!(
        display.ends_with("999\", expected u32 at line 1 column 1048588"),
        "{display}"
    );
    let Error::Decode(e) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert!(e.message.len() <= DecodeError::TEXT_LIMIT);
}

#[tokio::test]
async fn a_token_endpoints_1_mib_description_gives_a_bounded_auth_error() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "invalid_client",
            "error_description": format!("Start of the description {}", "d".repeat(MIB)),
        })))
        .mount(&server)
        .await;
    let oauth =
        OAuth2::client_credentials(&format!("{}/oauth/token", server.uri()), "client", "secret")
            .expect("absolute token URL");
    let transport = builder(&server)
        .auth(Auth::OAuth2(oauth.into()))
        .build()
        .expect("transport");

    let err = transport
        .send::<Price>(Request::new(Method::GET, "/prices/1"))
        .await
        .expect_err("no token");

    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    let (display, debug) = assert_bounded(&err);
    assert!(display.len() <= Error::TEXT_LIMIT + 64, "{}", display.len());
    assert!(debug.len() <= Error::TEXT_LIMIT + 64, "{}", debug.len());
    assert!(
        display.starts_with(
            "authentication failed: token endpoint answered HTTP 400 (invalid_client: Start of the description ddd"
        ),
        "{display:.200}"
    );
}

#[tokio::test]
async fn a_rejected_response_head_says_why() {
    // A header line without a colon: hyper refuses the response head.
    let server = RawServer::start(|_| {
        let mut reply = b"HTTP/1.1 200 OK\r\nthis is not a header\r\n".to_vec();
        reply.extend_from_slice(&http_response("200 OK", "application/json", b"{}")[17..]);
        Reply::Bytes(reply)
    })
    .await;
    let transport = Transport::builder("test", &server.uri())
        .retry(RetryConfig::disabled())
        .build()
        .expect("transport");

    let err = transport
        .send::<Price>(Request::new(Method::GET, "/prices/1").operation("get_price"))
        .await
        .expect_err("an invalid head");

    let Error::Transport(e) = &err else {
        panic!("expected a transport error, got {err:?}")
    };
    assert_eq!(e.kind, TransportErrorKind::Request);
    let (display, _) = assert_bounded(&err);
    // reqwest's own text, then hyper's reason behind it.
    assert!(
        display.starts_with("test get_price: request failed: error sending request"),
        "{display}"
    );
    assert!(display.contains("invalid HTTP header parsed"), "{display}");
}
