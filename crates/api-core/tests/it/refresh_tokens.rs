//! `OAuth2::refresh_tokens`: a token about to expire is renewed with the refresh token the
//! server issued (`grant_type=refresh_token`), and a refused refresh falls back to the client
//! credentials. On the wire.

use crate::common;

use api_core::{Auth, ClientAuthMethod, Method, OAuth2, Request, Transport};
use serde::Deserialize;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Debug, Deserialize)]
struct Me {
    #[allow(dead_code)] // decoded to check the answer is read
    id: String,
}

fn transport(server: &MockServer, refresh: bool) -> Transport {
    let oauth =
        OAuth2::client_credentials(&format!("{}/oauth/token", server.uri()), "id", "secret")
            .expect("absolute token URL")
            .client_auth(ClientAuthMethod::Body)
            .scopes(["merchant"])
            .refresh_tokens(refresh);
    common::builder(server)
        .auth(Auth::OAuth2(oauth.into()))
        .build()
        .expect("transport")
}

/// A token answer living 30 s (refreshed 60 s ahead: never fresh for a later call).
fn token(access: &str, refresh: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "access_token": access, "token_type": "bearer", "expires_in": 30, "refresh_token": refresh
    }))
}

async fn api(server: &MockServer) {
    Mock::given(path("/api/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "me"})))
        .mount(server)
        .await;
}

async fn token_bodies(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .expect("recording is on")
        .into_iter()
        .filter(|r| r.url.path() == "/oauth/token")
        .map(|r| String::from_utf8(r.body).expect("utf-8"))
        .collect()
}

async fn bearers(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .expect("recording is on")
        .into_iter()
        .filter(|r| r.url.path() == "/api/me")
        .filter_map(|r| {
            r.headers
                .get("authorization")
                .map(|v| v.to_str().expect("ASCII").to_owned())
        })
        .collect()
}

const CREDENTIALS: &str =
    "grant_type=client_credentials&scope=merchant&client_id=id&client_secret=secret";

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_with_its_refresh_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .respond_with(token("access-1", "refresh-1"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("refresh_token=refresh-1"))
        .respond_with(token("access-2", "refresh-2"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("refresh_token=refresh-2"))
        .respond_with(token("access-3", "refresh-3"))
        .mount(&server)
        .await;
    api(&server).await;
    let transport = transport(&server, true);
    for _ in 0..3 {
        transport
            .send::<Me>(Request::new(Method::GET, "/me"))
            .await
            .expect("authorized");
    }
    assert_eq!(
        token_bodies(&server).await,
        [
            CREDENTIALS.to_owned(),
            "grant_type=refresh_token&refresh_token=refresh-1&scope=merchant&client_id=id&client_secret=secret".to_owned(),
            "grant_type=refresh_token&refresh_token=refresh-2&scope=merchant&client_id=id&client_secret=secret".to_owned(),
        ]
    );
    assert_eq!(
        bearers(&server).await,
        ["Bearer access-1", "Bearer access-2", "Bearer access-3"]
    );
}

#[tokio::test]
async fn a_refused_refresh_falls_back_to_the_client_credentials() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .respond_with(token("access-1", "refresh-1"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_token", "error_description": "Invalid refresh token"
        })))
        .mount(&server)
        .await;
    api(&server).await;
    let transport = transport(&server, true);
    for _ in 0..2 {
        transport
            .send::<Me>(Request::new(Method::GET, "/me"))
            .await
            .expect("authorized");
    }
    let bodies = token_bodies(&server).await;
    assert_eq!(bodies.len(), 3, "{bodies:?}");
    assert!(bodies[1].starts_with("grant_type=refresh_token&refresh_token=refresh-1&"));
    assert_eq!(bodies[2], CREDENTIALS);
}

#[tokio::test]
async fn without_the_option_the_client_credentials_are_used_every_time() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token("access-1", "refresh-1"))
        .mount(&server)
        .await;
    api(&server).await;
    let transport = transport(&server, false);
    for _ in 0..2 {
        transport
            .send::<Me>(Request::new(Method::GET, "/me"))
            .await
            .expect("authorized");
    }
    assert_eq!(token_bodies(&server).await, [CREDENTIALS, CREDENTIALS]);
}
