//! `OAuth2::token_header`: a header a provider requires on its token endpoint (Flexiti's
//! `x-reference-id`), on the wire: computed afresh for every token request, never sent on the
//! calls themselves, and a bad value fails before anything is sent.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use api_core::{Auth, Error, HeaderName, Method, OAuth2, Request, Transport};
use serde::Deserialize;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Debug, Deserialize)]
struct Me {
    #[allow(dead_code)] // decoded to check the answer is read
    id: String,
}

fn oauth(server: &MockServer) -> OAuth2 {
    OAuth2::client_credentials(&format!("{}/oauth/token", server.uri()), "id", "secret")
        .expect("absolute token URL")
}

fn transport(server: &MockServer, oauth: OAuth2) -> Transport {
    common::builder(server)
        .auth(Auth::OAuth2(oauth.into()))
        .build()
        .expect("transport")
}

/// Tokens that live 30 s, refreshed 60 s ahead: every call asks for a new one.
async fn short_tokens(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "tok", "token_type": "Bearer", "expires_in": 30
        })))
        .mount(server)
        .await;
    Mock::given(path("/api/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "me"})))
        .mount(server)
        .await;
}

async fn headers_on(server: &MockServer, on: &str, name: &str) -> Vec<Option<String>> {
    server
        .received_requests()
        .await
        .expect("recording is on")
        .into_iter()
        .filter(|r| r.url.path() == on)
        .map(|r| {
            let all: Vec<_> = r.headers.get_all(name).iter().collect();
            assert!(all.len() <= 1, "one {name} header, got {all:?}");
            all.first().map(|v| v.to_str().expect("ASCII").to_owned())
        })
        .collect()
}

#[tokio::test]
async fn each_token_request_carries_a_fresh_value_and_calls_do_not() {
    let server = MockServer::start().await;
    short_tokens(&server).await;
    let next = Arc::new(AtomicU64::new(1));
    let counter = next.clone();
    let oauth = oauth(&server)
        .token_header(HeaderName::from_static("x-reference-id"), move || {
            format!("ref-{}", counter.fetch_add(1, Ordering::Relaxed))
        })
        .token_header(HeaderName::from_static("x-fixed"), || "same".to_owned());
    let transport = transport(&server, oauth);
    for _ in 0..2 {
        transport
            .send::<Me>(Request::new(Method::GET, "/me"))
            .await
            .expect("authorized");
    }
    assert_eq!(
        headers_on(&server, "/oauth/token", "x-reference-id").await,
        [Some("ref-1".to_owned()), Some("ref-2".to_owned())]
    );
    assert_eq!(
        headers_on(&server, "/oauth/token", "x-fixed").await,
        [Some("same".to_owned()), Some("same".to_owned())]
    );
    assert_eq!(
        headers_on(&server, "/api/me", "x-reference-id").await,
        [None, None],
        "the token header is the token request's only"
    );
}

#[tokio::test]
async fn a_second_header_of_the_same_name_replaces_the_first() {
    let server = MockServer::start().await;
    short_tokens(&server).await;
    let oauth = oauth(&server)
        .token_header(HeaderName::from_static("x-reference-id"), || "a".to_owned())
        .token_header(HeaderName::from_static("x-reference-id"), || "b".to_owned());
    assert!(format!("{oauth:?}").contains("x-reference-id"));
    transport(&server, oauth)
        .send::<Me>(Request::new(Method::GET, "/me"))
        .await
        .expect("authorized");
    assert_eq!(
        headers_on(&server, "/oauth/token", "x-reference-id").await,
        [Some("b".to_owned())]
    );
}

#[tokio::test]
async fn a_value_that_is_not_a_header_value_fails_before_the_token_request() {
    let server = MockServer::start().await;
    short_tokens(&server).await;
    let oauth = oauth(&server).token_header(HeaderName::from_static("x-reference-id"), || {
        "line\nbreak".to_owned()
    });
    let err = transport(&server, oauth)
        .send::<Me>(Request::new(Method::GET, "/me"))
        .await
        .expect_err("no token");
    let Error::Auth(message) = &err else {
        panic!("expected an auth error, got {err:?}");
    };
    assert!(message.contains("x-reference-id"), "{message}");
    assert!(
        server
            .received_requests()
            .await
            .expect("recording is on")
            .is_empty()
    );
}
