//! `send_sms` on the wire (wiremock): the exact request, and every documented answer.

use std::time::Duration;

use api_core::RetryConfig;
use api_test_support::{
    api_error, assert_target, field_errors, header, invalid, only_request, requests,
};
use netfinity::{Client, Error, ErrorKind, Sms};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "nf-test-token-7c1e";
const PATH: &str = "/v2/sms/notification/send";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(format!("{}/v2", server.uri()))
        .rate_limit(None)
        .configure(|t| {
            t.retry(RetryConfig {
                initial_backoff: Duration::from_millis(1),
                ..RetryConfig::default()
            })
        })
        .build()
        .expect("client")
}

async fn answer(template: ResponseTemplate) -> (MockServer, Client) {
    let server = api_test_support::serve("POST", PATH, template).await;
    let client = client(&server);
    (server, client)
}

fn sms() -> Sms {
    Sms::new("359881234567", "test 1").with_id("123")
}

#[tokio::test]
async fn the_request_on_the_wire() {
    let (server, client) =
        answer(ResponseTemplate::new(200).set_body_json(json!({"uuid": "5b9c", "id": "123"})))
            .await;
    let accepted = client.send_sms(&sms()).await.expect("accepted");
    assert_eq!(accepted.uuid.as_deref(), Some("5b9c"));
    assert_eq!(accepted.id.as_deref(), Some("123"));
    assert_eq!(accepted.attempts(), 1);
    // Sent once: its pingbacks carry this uuid.
    assert_eq!(accepted.track(), netfinity::Track::Uuid("5b9c"));

    let request = only_request(&server).await;
    assert_target(&request, "POST", PATH, None);
    let header = |name: &str| header(&request, name);
    assert_eq!(header("authorization"), Some("Bearer nf-test-token-7c1e"));
    assert_eq!(header("accept"), Some("application/json"));
    assert_eq!(header("content-type"), Some("application/json"));
    let agent = format!("netfinity/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(header("user-agent"), Some(agent.as_str()));
    assert_eq!(
        request.body,
        br#"{"msisdn":"359881234567","text":"test 1","id":"123"}"#
    );
}

#[tokio::test]
async fn a_message_without_id_omits_the_field() {
    let (server, client) = answer(ResponseTemplate::new(200).set_body_json(json!({}))).await;
    client
        .send_sms(&Sms::new("359881234567", "no id"))
        .await
        .expect("accepted");
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(
        requests[0].body,
        br#"{"msisdn":"359881234567","text":"no id"}"#
    );
}

#[tokio::test]
async fn an_empty_or_unknown_success_body_is_tolerated() {
    let (_server, client) = answer(ResponseTemplate::new(200)).await;
    let accepted = client.send_sms(&sms()).await.expect("empty body");
    assert_eq!((accepted.uuid.clone(), accepted.id.clone()), (None, None));
    assert_eq!(accepted.raw(), json!({}));

    let (_server, client) = answer(
        ResponseTemplate::new(200).set_body_json(json!({"data": {"queued": 1}, "uuid": 42})),
    )
    .await;
    let accepted = client.send_sms(&sms()).await.expect("unknown body");
    assert_eq!(accepted.uuid.as_deref(), Some("42"));
    assert_eq!(accepted.raw()["data"]["queued"], 1);
}

#[tokio::test]
async fn unauthorized_forbidden_and_not_acceptable() {
    let cases = [
        (401, "Bearer token wrong", ErrorKind::Unauthorized),
        (403, "IP address not allowed", ErrorKind::Forbidden),
        (406, "Request not in JSON format", ErrorKind::NotAcceptable),
    ];
    for (status, message, kind) in cases {
        let (server, client) =
            answer(ResponseTemplate::new(status).set_body_json(json!({ "message": message })))
                .await;
        let error = api_error(client.send_sms(&sms()).await);
        assert_eq!(error.status.as_u16(), status);
        assert_eq!(error.kind, kind);
        assert_eq!(error.message.as_deref(), Some(message));
        assert_eq!(error.provider, "netfinity");
        assert_eq!(error.operation, "send_sms");
        assert!(error.field_errors.is_empty());
        assert_eq!(requests(&server).await.len(), 1);
    }
}

#[tokio::test]
async fn validation_errors_carry_every_field_message() {
    let (_server, client) = answer(ResponseTemplate::new(422).set_body_json(json!({
        "message": "The given data was invalid.",
        "errors": {
            "msisdn": ["The msisdn must be between 8 and 20 digits."],
            "text": ["The text format is invalid."]
        }
    })))
    .await;
    let result = client.send_sms(&sms()).await;
    let fields = field_errors(&result);
    assert_eq!(
        fields["msisdn"],
        ["The msisdn must be between 8 and 20 digits."]
    );
    assert_eq!(fields["text"], ["The text format is invalid."]);
    let error = api_error(result);
    assert_eq!(error.kind, ErrorKind::Validation);
    assert_eq!(
        error.message.as_deref(),
        Some("The given data was invalid.")
    );
}

#[tokio::test]
async fn throttle_limit_is_a_typed_rate_limit_with_its_headers() {
    let (server, client) = answer(
        ResponseTemplate::new(429)
            .insert_header("X-RateLimit-Limit", "60")
            .insert_header("X-RateLimit-Remaining", "0")
            .insert_header("Retry-After", "42")
            .set_body_json(json!({"message": "Too Many Attempts."})),
    )
    .await;
    let result = client.send_sms(&sms()).await;
    assert!(result.as_ref().is_err_and(Error::is_rate_limited));
    let error = api_error(result);
    assert_eq!(error.kind, ErrorKind::TooManyRequests);
    assert_eq!(error.retry_after, Some(Duration::from_secs(42)));
    let limit = error.rate_limit.expect("rate-limit headers");
    assert_eq!((limit.limit, limit.remaining), (Some(60), Some(0)));
    assert_eq!(error.message.as_deref(), Some("Too Many Attempts."));
    // 42 s is beyond the default 30 s maximum wait: returned at once, not retried.
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn invalid_messages_never_reach_the_server() {
    let (server, client) = answer(ResponseTemplate::new(200)).await;
    let cases = [
        (Sms::new("+359881234567", "hi"), "msisdn"),
        (Sms::new("3598812", "hi"), "msisdn"),
        (Sms::new("359881234567", ""), "text"),
        (Sms::new("359881234567", "a".repeat(161)), "text"),
        (Sms::new("359881234567", "Здравей"), "text"),
        (Sms::new("359881234567", "hi").with_id("has-dash"), "id"),
    ];
    for (message, field) in cases {
        let refused = invalid(client.send_sms(&message).await);
        assert_eq!(refused.field, field, "{message:?}");
    }
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn a_send_without_id_is_never_repeated_after_the_server_may_have_acted() {
    for status in [500, 502, 503, 504] {
        let (server, client) = answer(ResponseTemplate::new(status)).await;
        let message = Sms::new("359881234567", "no id");
        let error = api_error(client.send_sms(&message).await);
        assert_eq!(error.status.as_u16(), status);
        assert_eq!(
            requests(&server).await.len(),
            1,
            "HTTP {status} must not be retried without an id"
        );
    }
}

#[tokio::test]
async fn a_send_with_id_is_repeated_safely_after_a_gateway_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"uuid": "u2", "id": "123"})))
        .mount(&server)
        .await;
    let accepted = client(&server)
        .send_sms(&sms())
        .await
        .expect("second attempt");
    assert_eq!(accepted.attempts(), 2);
    // The answer is the repeat's: its uuid may be the flood-protection one (api-notes
    // §B.2.3: "an `id` is re-used"), so the message is tracked by its id.
    assert_eq!(accepted.track(), netfinity::Track::Id);
    assert_eq!(accepted.attempts(), accepted.into_inner().attempts());
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].body, requests[1].body,
        "the repeat carries the same id"
    );
}

#[tokio::test]
async fn a_throttled_send_within_the_maximum_wait_is_repeated_once_the_server_allows() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"uuid": "u3"})))
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    let accepted = client(&server)
        .send_sms(&Sms::new("359881234567", "no id"))
        .await
        .expect("accepted after the wait");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(accepted.attempts(), 2);
    assert_eq!(requests(&server).await.len(), 2);
}

#[test]
fn configuration_errors() {
    let missing = Client::builder().build().expect_err("no token");
    assert!(matches!(missing, Error::Config(_)));
    let insecure = Client::builder()
        .token(TOKEN)
        .base_url("http://api.netfinity.bg/v2")
        .build()
        .expect_err("plain http to a remote host");
    assert!(insecure.to_string().contains("refusing plain http://"));
    let client = Client::new(TOKEN).expect("client");
    assert_eq!(
        client.transport().base_url().as_str(),
        "https://api.netfinity.bg/v2"
    );
    let debug = format!("{client:?} {:?}", Client::builder().token(TOKEN));
    assert!(!debug.contains(TOKEN), "{debug}");
}
