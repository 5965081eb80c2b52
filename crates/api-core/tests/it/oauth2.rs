//! OAuth2 client credentials on the wire: the token request, the cache, single flight, the
//! 401 replay and token endpoint failures.

use crate::common;

use std::time::Duration;

use api_core::{Auth, ClientAuthMethod, Error, ErrorKind, Method, OAuth2, Request, Transport};
use serde::Deserialize;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::builder;

const CLIENT_ID: &str = "client-id-123";
const CLIENT_SECRET: &str = "client-secret-XYZ";
/// `base64("client-id-123:client-secret-XYZ")`.
const BASIC: &str = "Basic Y2xpZW50LWlkLTEyMzpjbGllbnQtc2VjcmV0LVhZWg==";

#[derive(Debug, PartialEq, Deserialize)]
struct Me {
    id: String,
}

fn oauth(server: &MockServer) -> OAuth2 {
    OAuth2::client_credentials(
        &format!("{}/oauth/token", server.uri()),
        CLIENT_ID,
        CLIENT_SECRET,
    )
    .expect("absolute token URL")
    .scopes(["merchant"])
}

fn transport(server: &MockServer, oauth: OAuth2) -> Transport {
    builder(server)
        .auth(Auth::OAuth2(oauth.into()))
        .build()
        .expect("transport")
}

fn token(access_token: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
    }))
}

fn me() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "me"}))
}

/// The token endpoint answers `first` once, then `then`.
async fn token_endpoint(server: &MockServer, first: ResponseTemplate, then: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(then)
        .mount(server)
        .await;
}

/// Requests received on `path`.
async fn received_on(server: &MockServer, on: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .expect("recording is on")
        .into_iter()
        .filter(|r| r.url.path() == on)
        .collect()
}

fn header_of<'a>(request: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    request
        .headers
        .get(name)
        .map(|v| v.to_str().expect("ASCII header"))
}

#[tokio::test]
async fn token_request_is_a_basic_auth_form_post_and_the_token_is_cached() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token("access-1", 3600))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/me"))
        .and(header("Authorization", "Bearer access-1"))
        .respond_with(me())
        .expect(2)
        .mount(&server)
        .await;
    let transport = transport(&server, oauth(&server));

    for _ in 0..2 {
        let me = transport
            .send::<Me>(Request::new(Method::GET, "/me"))
            .await
            .expect("authorized");
        assert_eq!(me.id, "me");
    }

    let tokens = received_on(&server, "/oauth/token").await;
    assert_eq!(tokens.len(), 1);
    let t = &tokens[0];
    assert_eq!(t.method, Method::POST);
    assert_eq!(
        header_of(t, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(header_of(t, "authorization"), Some(BASIC));
    assert_eq!(header_of(t, "accept"), Some("application/json"));
    assert_eq!(header_of(t, "user-agent"), Some("api-core-tests/1.0"));
    assert_eq!(t.body, b"grant_type=client_credentials&scope=merchant");
    server.verify().await;
}

#[tokio::test]
async fn client_secret_post_puts_the_credentials_in_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token("access-1", 3600))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/me"))
        .and(header("Authorization", "Bearer access-1"))
        .respond_with(me())
        .expect(1)
        .mount(&server)
        .await;
    let transport = transport(
        &server,
        oauth(&server)
            .scopes(["merchant", "read"])
            .client_auth(ClientAuthMethod::Body),
    );

    transport
        .send::<Me>(Request::new(Method::GET, "/me"))
        .await
        .expect("authorized");

    let tokens = received_on(&server, "/oauth/token").await;
    assert_eq!(tokens.len(), 1);
    assert_eq!(header_of(&tokens[0], "authorization"), None);
    assert_eq!(
        String::from_utf8(tokens[0].body.clone()).expect("utf-8"),
        "grant_type=client_credentials&scope=merchant+read&client_id=client-id-123&client_secret=client-secret-XYZ"
    );
    server.verify().await;
}

#[tokio::test]
async fn a_token_expiring_within_refresh_ahead_is_refreshed_on_the_next_call() {
    let server = MockServer::start().await;
    // 30 s of life, refreshed 60 s ahead (the default): never fresh for a later call.
    token_endpoint(&server, token("access-1", 30), token("access-2", 30)).await;
    Mock::given(path("/api/me"))
        .respond_with(me())
        .expect(2)
        .mount(&server)
        .await;
    let transport = transport(&server, oauth(&server));

    for _ in 0..2 {
        transport
            .send::<Me>(Request::new(Method::GET, "/me"))
            .await
            .expect("authorized");
    }

    assert_eq!(received_on(&server, "/oauth/token").await.len(), 2);
    let calls = received_on(&server, "/api/me").await;
    let bearers: Vec<_> = calls
        .iter()
        .map(|r| header_of(r, "authorization"))
        .collect();
    assert_eq!(bearers, [Some("Bearer access-1"), Some("Bearer access-2")]);
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_calls_fetch_one_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token("access-1", 3600).set_delay(Duration::from_millis(100)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/me"))
        .and(header("Authorization", "Bearer access-1"))
        .respond_with(me())
        .expect(200)
        .mount(&server)
        .await;
    let transport = transport(&server, oauth(&server));

    let calls: Vec<_> = (0..200)
        .map(|_| {
            let transport = transport.clone();
            tokio::spawn(async move {
                transport
                    .send::<Me>(Request::new(Method::GET, "/me"))
                    .await
                    .map(|r| r.into_inner())
            })
        })
        .collect();
    for call in calls {
        assert_eq!(
            call.await.expect("task").expect("authorized"),
            Me { id: "me".into() }
        );
    }

    assert_eq!(received_on(&server, "/oauth/token").await.len(), 1);
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_a_token_that_lives_less_than_refresh_ahead() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token("access-1", 30).set_delay(Duration::from_millis(100)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/me"))
        .and(header("Authorization", "Bearer access-1"))
        .respond_with(me())
        .expect(20)
        .mount(&server)
        .await;
    let transport = transport(&server, oauth(&server));

    let calls: Vec<_> = (0..20)
        .map(|_| {
            let transport = transport.clone();
            tokio::spawn(async move {
                transport
                    .send::<Me>(Request::new(Method::GET, "/me"))
                    .await
                    .map(|r| r.into_inner())
            })
        })
        .collect();
    for call in calls {
        call.await.expect("task").expect("authorized");
    }

    // Callers that queued behind the fetch use its token instead of fetching one each.
    assert_eq!(received_on(&server, "/oauth/token").await.len(), 1);
    server.verify().await;
}

#[tokio::test]
async fn a_401_refreshes_the_token_and_replays_once_even_for_post() {
    let server = MockServer::start().await;
    token_endpoint(&server, token("revoked", 3600), token("access-2", 3600)).await;
    Mock::given(path("/api/messages"))
        .and(header("Authorization", "Bearer revoked"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"message": "Unauthenticated."})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/messages"))
        .and(header("Authorization", "Bearer access-2"))
        .respond_with(me())
        .expect(1)
        .mount(&server)
        .await;
    let transport = transport(&server, oauth(&server));

    let response = transport
        .send::<Me>(
            Request::new(Method::POST, "/messages")
                .json(&serde_json::json!({"text": "hi"}))
                .expect("json"),
        )
        .await
        .expect("replayed with a new token");

    // The replay is not a retry.
    assert_eq!(response.attempts(), 1);
    assert_eq!(received_on(&server, "/oauth/token").await.len(), 2);
    let calls = received_on(&server, "/api/messages").await;
    assert_eq!(calls.len(), 2);
    assert!(calls.iter().all(|c| c.body == br#"{"text":"hi"}"#));
    server.verify().await;
}

#[tokio::test]
async fn a_second_401_after_the_replay_is_returned() {
    let server = MockServer::start().await;
    token_endpoint(&server, token("access-1", 3600), token("access-2", 3600)).await;
    Mock::given(path("/api/me"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"message": "Unauthenticated."})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let transport = transport(&server, oauth(&server));

    let err = transport
        .send::<Me>(Request::new(Method::GET, "/me").operation("me"))
        .await
        .expect_err("still unauthorized");

    assert_eq!(err.kind(), Some(ErrorKind::Unauthorized));
    assert_eq!(
        err.to_string(),
        "test me failed with HTTP 401: Unauthenticated."
    );
    assert_eq!(received_on(&server, "/oauth/token").await.len(), 2);
    let bearers: Vec<_> = received_on(&server, "/api/me")
        .await
        .iter()
        .map(|r| header_of(r, "authorization").map(str::to_owned))
        .collect();
    assert_eq!(
        bearers,
        [
            Some("Bearer access-1".to_owned()),
            Some("Bearer access-2".to_owned())
        ]
    );
    server.verify().await;
}

#[tokio::test]
async fn token_endpoint_rejection_is_an_auth_error_without_the_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"error": "invalid_client"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/me"))
        .respond_with(me())
        .expect(0)
        .mount(&server)
        .await;
    let transport = transport(&server, oauth(&server));

    let err = transport
        .send::<Me>(Request::new(Method::GET, "/me"))
        .await
        .expect_err("no token");

    let Error::Auth(message) = &err else {
        panic!("expected an auth error, got {err:?}")
    };
    assert_eq!(message, "token endpoint answered HTTP 401 (invalid_client)");
    assert_eq!(
        err.to_string(),
        "authentication failed: token endpoint answered HTTP 401 (invalid_client)"
    );
    assert!(!err.is_retryable());
    for text in [
        err.to_string(),
        format!("{err:?}"),
        format!("{transport:?}"),
    ] {
        assert!(!text.contains(CLIENT_SECRET), "{text}");
        assert!(!text.contains(&BASIC[6..]), "{text}");
    }
    server.verify().await;
}
