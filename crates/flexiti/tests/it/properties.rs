//! Property tests: the paths built from the client id and ids never change structure, the
//! reference-id and idempotency-key checks accept exactly what they document, and `Id`s
//! encode as documented.

use api_test_support::{check_segments, config, nasty, sent_once};
use flexiti::{Client, Environment, Error, Id};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use wiremock::matchers::{any as any_request, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN_PATH: &str = "/flexiti/pos-api/v2.5/oauth/token";
const ONLINE_TOKEN_PATH: &str = "/flexiti/online-api/oauth/token";

/// Operations with ids in their path: `C` is the client id, `X` the id.
const OPERATIONS: [&str; 4] = [
    "/flexiti/pos-api/v2.5.1/client-id/C/authorization/X",
    "/flexiti/pos-api/v2.5/client-id/C/accounts/X/close",
    "/flexiti/online-api/online/client-id/C/notifications/order-id/X",
    "/flexiti/online-api/online/client-id/C/notifications/merchant-order-id/X",
];

async fn call(client: &Client, operation: usize, value: &str) -> Option<Error> {
    let id = Id::from(value);
    let result = match operation {
        0 => client.get_authorization(&id).send().await.map(drop),
        1 => client.close_account(&id).send().await.map(drop),
        2 => client
            .online_notification_by_order_id(&id)
            .send()
            .await
            .map(drop),
        _ => client
            .online_notification_by_merchant_order_id(value)
            .send()
            .await
            .map(drop),
    };
    result.err()
}

/// A server whose token endpoints answer and whose every other path answers 404 (final: one
/// request per call).
async fn server() -> MockServer {
    let server = MockServer::start().await;
    for token_path in [TOKEN_PATH, ONLINE_TOKEN_PATH] {
        Mock::given(path(token_path))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": "props-token", "token_type": "bearer", "expires_in": 1200,
            })))
            .with_priority(1)
            .mount(&server)
            .await;
    }
    Mock::given(any_request())
        .respond_with(ResponseTemplate::new(404))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

fn dots(value: &str) -> bool {
    value.trim().is_empty() || value == "." || value == ".."
}

/// Calls `operation` with `value` and checks the one request it sent (or that it sent none
/// and said why).
fn check_call(
    runtime: &tokio::runtime::Runtime,
    server: &MockServer,
    client: &Client,
    client_id: &str,
    operation: usize,
    value: &str,
) -> Result<(), TestCaseError> {
    let api_calls = || {
        runtime
            .block_on(server.received_requests())
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.url.path() != TOKEN_PATH && r.url.path() != ONLINE_TOKEN_PATH)
            .collect::<Vec<_>>()
    };
    let before = api_calls().len();
    let error = runtime.block_on(call(client, operation, value));
    let received = api_calls();
    if let Some(Error::InvalidInput(e)) = &error {
        prop_assert!(dots(client_id) || dots(value), "refused: {:?}", e);
        prop_assert_eq!(received.len(), before, "sent after all");
        return Ok(());
    }
    let request = sent_once(error.as_ref(), &received, before)?;
    let values = [("X", value), ("C", client_id)];
    check_segments(request.url.path(), OPERATIONS[operation], &values)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn client_for(server: &MockServer, client_id: &str) -> Result<Client, Error> {
    Client::builder()
        .client_id(client_id)
        .client_secret("props-secret")
        .environment(Environment::custom(server.uri()))
        .build()
}

#[test]
fn ids_never_change_the_request_path() {
    let runtime = runtime();
    let server = runtime.block_on(server());
    let client = client_for(&server, "props-client").expect("client");
    let mut runner = TestRunner::new(config(64));
    runner
        .run(
            &(0..OPERATIONS.len(), nasty("../../oauth/token")),
            |(operation, value)| {
                check_call(
                    &runtime,
                    &server,
                    &client,
                    "props-client",
                    operation,
                    &value,
                )
            },
        )
        .expect("property");
}

/// The client id is a path segment of every call. (Few cases: each builds a client.)
#[test]
fn client_ids_never_change_the_request_path() {
    let runtime = runtime();
    let server = runtime.block_on(server());
    let mut runner = TestRunner::new(config(12));
    runner
        .run(
            &(nasty("../../oauth/token"), 0..OPERATIONS.len()),
            |(client_id, operation)| {
                let client = match client_for(&server, &client_id) {
                    Ok(client) => client,
                    Err(Error::Config(_)) if client_id.trim().is_empty() => return Ok(()),
                    Err(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
                };
                check_call(
                    &runtime, &server, &client, &client_id, operation, "20076677",
                )
            },
        )
        .expect("property");
}

/// One client for the offline properties: building one loads the system's CA roots.
fn client() -> &'static Client {
    static CLIENT: std::sync::OnceLock<Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        Client::builder()
            .client_id("props")
            .client_secret("props-secret")
            .environment(Environment::custom("http://127.0.0.1:9"))
            .build()
            .expect("client")
    })
}

fn token_like() -> impl Strategy<Value = String> {
    prop_oneof!["[!-~]{0,70}", "[ -~é\t]{0,70}", any::<String>()]
}

proptest! {
    #![proptest_config(config(256))]

    /// `x-reference-id`: 1–32 visible ASCII characters.
    #[test]
    fn reference_ids(value in token_like()) {
        let expected = (1..=32).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic());
        match client().with_reference_id(&value) {
            Ok(flow) => {
                prop_assert!(expected, "{:?} accepted", value);
                prop_assert_eq!(flow.reference_id(), Some(value.as_str()));
            }
            Err(Error::InvalidInput(e)) => {
                prop_assert!(!expected, "{:?} refused", value);
                prop_assert_eq!(e.field.as_str(), "x-reference-id");
            }
            Err(other) => prop_assert!(false, "{:?}", other),
        }
    }

    /// `x-idempotency-key`: 1–64 visible ASCII characters.
    #[test]
    fn idempotency_keys(value in token_like()) {
        let expected = (1..=64).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic());
        match client().with_idempotency_key(&value) {
            Ok(_) => prop_assert!(expected, "{:?} accepted", value),
            Err(Error::InvalidInput(e)) => {
                prop_assert!(!expected, "{:?} refused", value);
                prop_assert_eq!(e.field.as_str(), "x-idempotency-key");
            }
            Err(other) => prop_assert!(false, "{:?}", other),
        }
    }

    /// A digits-only id without a leading zero (or `0` itself) that fits a `u64` is sent as a
    /// JSON number, any other as a string; either decodes back to the same id.
    #[test]
    fn ids_encode_as_documented(
        text in prop_oneof!["[0-9]{1,21}", "[+0-9-]{1,8}", any::<String>()],
    ) {
        let id = Id::from(text.as_str());
        let json = serde_json::to_value(&id).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let digits = text.bytes().all(|b| b.is_ascii_digit());
        let number = text
            .parse::<u64>()
            .ok()
            .filter(|_| digits && (!text.starts_with('0') || text == "0"));
        match number {
            Some(n) => prop_assert_eq!(&json, &serde_json::json!(n)),
            None => prop_assert_eq!(&json, &serde_json::Value::String(text.clone())),
        }
        let back: Id = serde_json::from_value(json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, id);
    }
}
