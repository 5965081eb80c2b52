//! An interceptor signs each request, and a server that checks the signature accepts it;
//! credentials stay hidden unless asked for by name.

use std::sync::{Arc, Mutex};

use api_core::{
    Auth, HeaderName, HeaderValue, Interceptor, Method, Operation, OutgoingRequest,
    ReceivedResponse, Request,
};
use wiremock::{Match, Mock, MockServer, ResponseTemplate};

use crate::common;

const KEY: &[u8] = b"signing-key";

/// Signs the method, path and body with HMAC-SHA256 in `x-signature`, and notes what it saw.
#[derive(Default)]
struct Signer {
    seen: Arc<Mutex<Vec<String>>>,
}

impl Interceptor for Signer {
    fn before_send(&self, request: &mut OutgoingRequest<'_>) -> api_core::Result<()> {
        let text = format!(
            "{} {}\n{}",
            request.method(),
            request.url().path(),
            String::from_utf8_lossy(request.body().unwrap_or_default())
        );
        let signature = api_core::signature::hmac_sha256_hex(KEY, text.as_bytes());
        let value = HeaderValue::from_str(&signature)
            .map_err(|_| api_core::Error::Config("not a header value".into()))?;
        request.set_header(HeaderName::from_static("x-signature"), value);
        let key_hidden = request.header("x-api-key").is_none();
        let key_asked = request
            .credential("x-api-key")
            .is_some_and(|v| v.as_bytes() == b"k-123");
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(format!(
                "send {} key hidden {key_hidden} key on request {key_asked}",
                request.operation()
            ));
        }
        Ok(())
    }

    fn after_receive(&self, response: &ReceivedResponse<'_>) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(format!(
                "received {} {} {}",
                response.operation,
                response.status.as_u16(),
                String::from_utf8_lossy(response.body)
            ));
        }
    }
}

/// The server's side: the signature over what arrived.
struct SignedBy;

impl Match for SignedBy {
    fn matches(&self, request: &wiremock::Request) -> bool {
        let text = format!(
            "{} {}\n{}",
            request.method,
            request.url.path(),
            String::from_utf8_lossy(&request.body)
        );
        request
            .headers
            .get("x-signature")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|sent| {
                api_core::signature::verify_hmac_sha256_hex(KEY, text.as_bytes(), sent)
            })
    }
}

#[tokio::test]
async fn a_signing_interceptor_is_verified_by_the_server() {
    let server = MockServer::start().await;
    Mock::given(SignedBy)
        .respond_with(ResponseTemplate::new(201).set_body_string(r#"{"id":7}"#))
        .expect(1)
        .mount(&server)
        .await;
    let signer = Signer::default();
    let seen = signer.seen.clone();
    let transport = common::builder(&server)
        .auth(Auth::api_key("x-api-key", "k-123").expect("a key"))
        .interceptor(signer)
        .build()
        .expect("transport");
    let create = Operation::<serde_json::Value>::new(
        Request::new(Method::POST, "/orders")
            .operation("create_order")
            .json(&serde_json::json!({"sku": "A-1"}))
            .expect("json"),
    );
    let created = transport.execute(create).await.expect("accepted");
    assert_eq!(created.into_inner(), serde_json::json!({"id": 7}));
    assert_eq!(
        seen.lock().map(|s| s.clone()).unwrap_or_default(),
        [
            "send create_order key hidden true key on request true",
            r#"received create_order 201 {"id":7}"#
        ]
    );
}

#[tokio::test]
async fn an_interceptor_error_ends_the_call_before_anything_is_sent() {
    struct Refuse;
    impl Interceptor for Refuse {
        fn before_send(&self, _: &mut OutgoingRequest<'_>) -> api_core::Result<()> {
            Err(api_core::Error::Config("no signing key".into()))
        }
    }
    let server = MockServer::start().await;
    let transport = common::builder(&server)
        .interceptor(Refuse)
        .build()
        .expect("transport");
    let get = Operation::<serde_json::Value>::new(Request::new(Method::GET, "/orders"));
    let error = transport.execute(get).await.expect_err("refused");
    assert!(
        matches!(error, api_core::Error::Config(ref text) if text == "no signing key"),
        "{error:?}"
    );
    assert!(
        server
            .received_requests()
            .await
            .expect("recorded")
            .is_empty()
    );
}
