//! What goes on the wire (URL, headers, bodies) and how answers are decoded and mapped.

use crate::common;

use api_core::{
    ApiError, Auth, Error, ErrorDecoder, ErrorKind, JsonErrorDecoder, Method, NoContent, Operation,
    RateLimitInfo, Request, RetryConfig, StatusCode, Transport,
};
use serde::{Deserialize, Serialize};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::builder;

#[derive(Debug, PartialEq, Deserialize)]
struct Customer {
    id: String,
    name: String,
}

#[derive(Serialize)]
struct Message<'a> {
    text: &'a str,
    to: Vec<&'a str>,
    priority: u8,
}

fn header<'a>(request: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    request
        .headers
        .get(name)
        .map(|v| v.to_str().expect("ASCII header"))
}

async fn only_request(server: &MockServer) -> wiremock::Request {
    let mut received = server.received_requests().await.expect("recording is on");
    assert_eq!(received.len(), 1, "expected exactly one request");
    received.remove(0)
}

fn api_error(error: &Error) -> &ApiError {
    error
        .as_api()
        .unwrap_or_else(|| panic!("expected an API error, got {error:?}"))
}

// ---------------------------------------------------------------------------------------------
// The request on the wire.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn get_with_path_params_and_query_and_two_api_key_headers() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"id": "a/b c", "name": "Ann"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let transport = Transport::builder("test", &format!("{}/api/v2/", server.uri()))
        .user_agent("api-core-tests/1.0")
        .auth(
            Auth::api_keys([
                ("X-Api-Client-Id", "client-123".to_owned()),
                ("X-Auth-Token", "token-456".to_owned()),
            ])
            .expect("valid header names"),
        )
        .build()
        .expect("transport");
    let request = Request::new(Method::GET, "/customers/{id}/licences")
        .operation("list_licences")
        .path_param("id", "a/b c")
        .expect("path param")
        .query("limit", 50)
        .query("q", "x&y z");

    let response = transport
        .execute(Operation::<Customer>::new(request))
        .await
        .expect("success");

    assert_eq!(
        response.into_inner(),
        Customer {
            id: "a/b c".into(),
            name: "Ann".into()
        }
    );
    let sent = only_request(&server).await;
    assert_eq!(sent.method, Method::GET);
    assert_eq!(sent.url.path(), "/api/v2/customers/a%2Fb%20c/licences");
    assert_eq!(sent.url.query(), Some("limit=50&q=x%26y+z"));
    assert_eq!(header(&sent, "accept"), Some("application/json"));
    assert_eq!(header(&sent, "user-agent"), Some("api-core-tests/1.0"));
    assert_eq!(header(&sent, "x-api-client-id"), Some("client-123"));
    assert_eq!(header(&sent, "x-auth-token"), Some("token-456"));
    assert_eq!(header(&sent, "authorization"), None);
    assert_eq!(header(&sent, "content-type"), None);
    assert!(sent.body.is_empty());
}

#[tokio::test]
async fn a_request_header_replaces_a_default_of_its_name_on_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .mount(&server)
        .await;
    let transport = builder(&server).build().expect("transport");
    let request = Request::new(Method::GET, "/report")
        .header(
            api_core::HeaderName::from_static("accept"),
            api_core::HeaderValue::from_static("text/csv"),
        )
        .header(
            api_core::HeaderName::from_static("x-trace"),
            api_core::HeaderValue::from_static("t-1"),
        );

    transport
        .execute(Operation::<serde_json::Value>::new(request))
        .await
        .expect("second attempt succeeds");

    let sent = server.received_requests().await.expect("recording is on");
    assert_eq!(sent.len(), 2);
    for attempt in &sent {
        let accept: Vec<_> = attempt.headers.get_all("accept").iter().collect();
        assert_eq!(accept, ["text/csv"], "replaced, not appended");
        assert_eq!(header(attempt, "x-trace"), Some("t-1"));
        assert_eq!(header(attempt, "user-agent"), Some("api-core-tests/1.0"));
    }
}

#[tokio::test]
async fn a_base_url_without_a_path_gives_single_slash_paths() {
    let server = MockServer::start().await;
    // `MockServer::uri()` has no path at all (`http://127.0.0.1:<port>`), so the base path is `/`.
    for base in [server.uri(), format!("{}/", server.uri())] {
        server.reset().await;
        Mock::given(method("GET"))
            .and(path("/customers/42"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"id": "42", "name": "Bo"})),
            )
            .expect(2)
            .mount(&server)
            .await;
        let transport = Transport::builder("test", &base)
            .build()
            .expect("transport");
        // With and without the leading slash in the template.
        for template in ["/customers/{id}", "customers/{id}"] {
            let request = Request::new(Method::GET, template)
                .path_param("id", "42")
                .expect("param");
            let customer = transport
                .send::<Customer>(request)
                .await
                .unwrap_or_else(|e| panic!("base {base}, template {template}: {e}"));
            assert_eq!(customer.id, "42");
        }
        let received = server.received_requests().await.expect("recording");
        let paths: Vec<_> = received.iter().map(|r| r.url.path()).collect();
        assert_eq!(paths, ["/customers/42", "/customers/42"], "base {base}");
        server.verify().await;
    }
}

#[tokio::test]
async fn json_post_with_bearer_sends_content_type_and_exact_bytes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/messages"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(serde_json::json!({"id": "m1", "name": "sent"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server)
        .auth(Auth::bearer("bearer-789"))
        .build()
        .expect("transport");
    let request = Request::new(Method::POST, "/messages")
        .operation("send")
        .json(&Message {
            text: "hi \"there\"",
            to: vec!["+359888", "+359889"],
            priority: 2,
        })
        .expect("json");

    let response = transport.send::<Customer>(request).await.expect("created");

    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.attempts(), 1);
    let sent = only_request(&server).await;
    assert_eq!(sent.method, Method::POST);
    assert_eq!(header(&sent, "authorization"), Some("Bearer bearer-789"));
    assert_eq!(header(&sent, "content-type"), Some("application/json"));
    assert_eq!(header(&sent, "accept"), Some("application/json"));
    assert_eq!(header(&sent, "user-agent"), Some("api-core-tests/1.0"));
    assert_eq!(
        String::from_utf8(sent.body).expect("utf-8"),
        r#"{"text":"hi \"there\"","to":["+359888","+359889"],"priority":2}"#
    );
}

#[tokio::test]
async fn form_post_is_url_encoded() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/form"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "f", "name": "ok"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server).build().expect("transport");
    let request = Request::new(Method::POST, "/form")
        .form(&[("name", "Ann Lee"), ("note", "a&b=c"), ("lang", "бг")])
        .expect("form");

    transport.send::<Customer>(request).await.expect("ok");

    let sent = only_request(&server).await;
    assert_eq!(
        header(&sent, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        String::from_utf8(sent.body).expect("utf-8"),
        "name=Ann+Lee&note=a%26b%3Dc&lang=%D0%B1%D0%B3"
    );
}

#[tokio::test]
async fn get_with_a_json_body_sends_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/search"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"id": "s", "name": "found"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server).build().expect("transport");
    let request = Request::new(Method::GET, "/search")
        .json(&serde_json::json!({"filter": {"status": "active"}}))
        .expect("json");

    let found = transport.send::<Customer>(request).await.expect("ok");

    assert_eq!(found.name, "found");
    let sent = only_request(&server).await;
    assert_eq!(sent.method, Method::GET);
    assert_eq!(header(&sent, "content-type"), Some("application/json"));
    assert_eq!(sent.body, br#"{"filter":{"status":"active"}}"#);
}

// ---------------------------------------------------------------------------------------------
// Decoding 2xx bodies.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, PartialEq, Deserialize)]
struct Accepted {
    uuid: Option<String>,
}

#[tokio::test]
async fn empty_200_decodes_as_an_empty_object_only_when_allowed() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .expect(2)
        .mount(&server)
        .await;
    let transport = builder(&server).build().expect("transport");

    let accepted = transport
        .send::<Accepted>(Request::new(Method::POST, "/ack").allow_empty_response())
        .await
        .expect("empty allowed");
    assert_eq!(accepted.into_inner(), Accepted { uuid: None });

    let err = transport
        .send::<Accepted>(Request::new(Method::POST, "/ack").operation("ack"))
        .await
        .expect_err("empty not allowed");
    let Error::Decode(decode) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(decode.path, ".");
    assert_eq!(decode.operation, "ack");
    assert_eq!(decode.status, StatusCode::OK);
    assert!(decode.message.contains("EOF"), "{}", decode.message);
}

#[tokio::test]
async fn no_content_accepts_a_204_and_any_json_body() {
    let server = MockServer::start().await;
    Mock::given(path("/api/things/1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/things/2"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"[1,{"a":null}]"#))
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server).build().expect("transport");

    for (id, status) in [("1", StatusCode::NO_CONTENT), ("2", StatusCode::OK)] {
        let request = Request::new(Method::DELETE, "/things/{id}")
            .path_param("id", id)
            .expect("param")
            .allow_empty_response();
        let response = transport
            .execute(Operation::<NoContent>::new(request))
            .await
            .expect("nothing to decode");
        assert_eq!(response.status(), status);
        assert_eq!(response.into_inner(), NoContent);
    }
    server.verify().await;
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Order {
    customer: OrderCustomer,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct OrderCustomer {
    address: Address,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Address {
    zip: String,
}

#[tokio::test]
async fn wrong_shape_is_a_decode_error_naming_the_field_path() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"customer":{"address":{"zip":1000}}}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server).build().expect("transport");

    let err = transport
        .send::<Order>(Request::new(Method::GET, "/orders/1").operation("get_order"))
        .await
        .expect_err("zip is a number");

    let Error::Decode(decode) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(decode.path, "customer.address.zip");
    assert_eq!(decode.provider, "test");
    assert_eq!(decode.operation, "get_order");
    assert_eq!(
        decode.message,
        "invalid type: integer `1000`, expected a string at line 1 column 34"
    );
    assert_eq!(
        decode.body_excerpt,
        r#"{"customer":{"address":{"zip":1000}}}"#
    );
    assert_eq!(
        err.to_string(),
        "test get_order: cannot decode the response at `customer.address.zip`: invalid type: integer `1000`, expected a string at line 1 column 34"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn html_200_is_a_decode_error() {
    let server = MockServer::start().await;
    let html = "<html><body>Maintenance</body></html>";
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(html, "text/html"))
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server).build().expect("transport");

    let err = transport
        .send::<Customer>(Request::new(Method::GET, "/customers"))
        .await
        .expect_err("not JSON");

    let Error::Decode(decode) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(decode.path, ".");
    assert_eq!(decode.message, "expected value at line 1 column 1");
    assert_eq!(decode.body_excerpt, html);
    assert_eq!(decode.status, StatusCode::OK);
}

// ---------------------------------------------------------------------------------------------
// Error answers.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn every_documented_status_maps_to_its_kind() {
    let server = MockServer::start().await;
    let cases = [
        (400, ErrorKind::BadRequest),
        (401, ErrorKind::Unauthorized),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
        (405, ErrorKind::MethodNotAllowed),
        (406, ErrorKind::NotAcceptable),
        (409, ErrorKind::Conflict),
        (422, ErrorKind::Validation),
        (429, ErrorKind::TooManyRequests),
        (500, ErrorKind::InternalServerError),
        (502, ErrorKind::BadGateway),
        (503, ErrorKind::ServiceUnavailable),
        (504, ErrorKind::GatewayTimeout),
        (418, ErrorKind::Other),
    ];
    for (status, _) in &cases {
        Mock::given(path(format!("/api/status/{status}")))
            .respond_with(
                ResponseTemplate::new(*status)
                    .set_body_json(serde_json::json!({"message": format!("status {status}")})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let transport = builder(&server)
        .retry(RetryConfig::disabled())
        .build()
        .expect("transport");

    for (status, kind) in cases {
        let request = Request::new(Method::GET, "/status/{code}")
            .operation("status")
            .path_param("code", &status.to_string())
            .expect("param");
        let err = transport
            .send::<Customer>(request)
            .await
            .expect_err("error status");
        let api = api_error(&err);
        assert_eq!(api.status.as_u16(), status);
        assert_eq!(api.kind, kind, "{status}");
        assert_eq!(err.kind(), Some(kind.clone()));
        assert_eq!(api.provider, "test");
        assert_eq!(api.operation, "status");
        assert_eq!(
            api.message.as_deref(),
            Some(format!("status {status}").as_str())
        );
        assert_eq!(
            err.to_string(),
            format!("test status failed with HTTP {status}: status {status}")
        );
    }
    server.verify().await;
}

#[tokio::test]
async fn laravel_validation_body_request_id_and_rate_limit_headers() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(422)
                .insert_header("X-Request-Id", "req-7f3a")
                .insert_header("X-RateLimit-Limit", "60")
                .insert_header("X-RateLimit-Remaining", "59")
                .insert_header("X-RateLimit-Reset", "1700000000")
                .set_body_string(
                    r#"{"message":"The given data was invalid.","errors":{"msisdn":["The msisdn must be between 8 and 20 digits."],"text":["The text field is required.","The text must be a string."]}}"#,
                ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server).build().expect("transport");

    let err = transport
        .send::<Customer>(
            Request::new(Method::POST, "/messages")
                .operation("send_sms")
                .json(&serde_json::json!({"msisdn": "1"}))
                .expect("json"),
        )
        .await
        .expect_err("422");

    let api = api_error(&err);
    assert_eq!(api.kind, ErrorKind::Validation);
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api.message.as_deref(), Some("The given data was invalid."));
    assert_eq!(api.code, None);
    let fields = err.field_errors().expect("field errors");
    assert_eq!(fields.len(), 2);
    assert_eq!(
        fields["msisdn"],
        ["The msisdn must be between 8 and 20 digits."]
    );
    assert_eq!(
        fields["text"],
        ["The text field is required.", "The text must be a string."]
    );
    assert_eq!(api.request_id.as_deref(), Some("req-7f3a"));
    assert_eq!(
        api.rate_limit,
        Some(RateLimitInfo {
            limit: Some(60),
            remaining: Some(59),
            reset: Some(1_700_000_000),
        })
    );
    assert_eq!(api.retry_after, None);
    assert!(
        api.body_excerpt
            .starts_with(r#"{"message":"The given data was invalid.""#)
    );
    assert_eq!(
        err.to_string(),
        "test send_sms failed with HTTP 422: The given data was invalid.; msisdn: The msisdn must be between 8 and 20 digits.; text: The text field is required. The text must be a string."
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn error_body_excerpt_is_bounded() {
    let server = MockServer::start().await;
    let body = "x".repeat(5000);
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500).set_body_string(body.clone()))
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server).build().expect("transport");

    let err = transport
        .send::<Customer>(Request::new(Method::GET, "/boom"))
        .await
        .expect_err("500");

    let api = api_error(&err);
    assert_eq!(api.kind, ErrorKind::InternalServerError);
    assert_eq!(api.message, None);
    assert_eq!(
        api.body_excerpt,
        format!("{}…", &body[..ApiError::EXCERPT_LIMIT])
    );
}

/// A provider whose 500s with an `errors` map are validation failures, and whose 200s can
/// carry `{"status": "error"}`.
struct ShopDecoder;

impl ErrorDecoder for ShopDecoder {
    fn decode_error(&self, error: &mut ApiError, body: &[u8]) {
        JsonErrorDecoder.decode_error(error, body);
        if error.status == StatusCode::INTERNAL_SERVER_ERROR && !error.field_errors.is_empty() {
            error.kind = ErrorKind::Validation;
        }
    }

    fn check_success(&self, status: StatusCode, body: &[u8]) -> Option<ApiError> {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        if value["status"] != "error" {
            return None;
        }
        // The decoder does not know which call this is: the transport names it.
        let mut error = ApiError::new("shop", "unknown", status);
        error.kind = ErrorKind::Provider("declined");
        error.code = value["code"].as_str().map(str::to_owned);
        error.message = value["message"].as_str().map(str::to_owned);
        Some(error)
    }
}

#[tokio::test]
async fn custom_decoder_changes_the_kind_of_a_500_with_field_errors() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500).set_body_string(
            r#"{"message":"Invalid card","errors":{"card.number":"must be 16 digits"}}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server)
        .error_decoder(ShopDecoder)
        .build()
        .expect("transport");

    let err = transport
        .send::<Customer>(Request::new(Method::GET, "/cards/1").operation("get_card"))
        .await
        .expect_err("500");

    let api = api_error(&err);
    assert_eq!(api.kind, ErrorKind::Validation);
    assert_eq!(api.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(api.message.as_deref(), Some("Invalid card"));
    assert_eq!(
        err.field_errors().expect("fields")["card.number"],
        ["must be 16 digits"]
    );
}

#[tokio::test]
async fn check_success_turns_a_200_into_an_error() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Request-Id", "req-200")
                .set_body_string(
                    r#"{"status":"error","code":"E_DECLINED","message":"Card declined"}"#,
                ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let transport = builder(&server)
        .error_decoder(ShopDecoder)
        .build()
        .expect("transport");

    let err = transport
        .send::<Customer>(Request::new(Method::GET, "/charge").operation("charge"))
        .await
        .expect_err("an error inside a 200");

    let api = api_error(&err);
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(api.kind, ErrorKind::Provider("declined"));
    assert_eq!(api.code.as_deref(), Some("E_DECLINED"));
    assert_eq!(api.message.as_deref(), Some("Card declined"));
    assert_eq!(api.request_id.as_deref(), Some("req-200"));
    assert_eq!((api.provider, api.operation), ("test", "charge"));
    assert_eq!(
        err.to_string(),
        "test charge failed with HTTP 200 (code E_DECLINED): Card declined"
    );
}

#[tokio::test]
async fn siblings_with_other_credentials_keep_their_own_pause() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::header("x-auth-token", "token-a"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "120"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::header("x-auth-token", "token-b"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .mount(&server)
        .await;
    let partner = common::builder(&server)
        .auth(Auth::api_key("x-client-id", "partner").expect("auth"))
        .build()
        .expect("transport");
    let a = partner
        .with_auth(
            Auth::api_keys([
                ("x-client-id", "partner".to_owned()),
                ("x-auth-token", "token-a".to_owned()),
            ])
            .expect("auth"),
        )
        .expect("sibling a");
    let b = partner
        .with_auth(
            Auth::api_keys([
                ("x-client-id", "partner".to_owned()),
                ("x-auth-token", "token-b".to_owned()),
            ])
            .expect("auth"),
        )
        .expect("sibling b");

    let error = a
        .send::<serde_json::Value>(Request::new(Method::GET, "/x"))
        .await
        .expect_err("a is throttled");
    assert!(error.is_rate_limited());
    // a's pause holds a back without a request ...
    let paused = a
        .send::<serde_json::Value>(Request::new(Method::GET, "/x"))
        .await
        .expect_err("a is paused");
    assert!(matches!(paused, Error::RateLimited { .. }), "{paused:?}");
    // ... but not b, which has its own credentials and its own pace.
    let ok = b
        .send::<serde_json::Value>(Request::new(Method::GET, "/x"))
        .await
        .expect("b is not paused");
    assert_eq!(ok.into_inner(), serde_json::json!({"ok": true}));

    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), 2);
    assert_eq!(header(&requests[0], "x-auth-token"), Some("token-a"));
    assert_eq!(header(&requests[0], "x-client-id"), Some("partner"));
    assert_eq!(header(&requests[1], "x-auth-token"), Some("token-b"));
    assert_eq!(
        header(&requests[1], "user-agent"),
        Some("api-core-tests/1.0")
    );
}
