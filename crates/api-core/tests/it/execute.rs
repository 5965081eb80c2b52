//! The path of a generated request builder: `api_core::send` and `api_core::pages` through a
//! provider's `Execute`.

use crate::common;

use api_core::paginate::PageStyle;
use api_core::{
    CallSettings, Error, Execute, HeaderName, HeaderValue, Method, Operation, Request, Response,
};
use futures_util::StreamExt;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A provider client whose policy adds a header to every request.
#[derive(Clone)]
struct Client {
    transport: api_core::Transport,
}

impl Execute for Client {
    fn execute<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        operation: Operation<T>,
    ) -> impl Future<Output = api_core::Result<Response<T>>> + Send {
        let operation = operation.map_request(|request| {
            request.header(
                HeaderName::from_static("x-policy"),
                HeaderValue::from_static("applied"),
            )
        });
        self.transport.execute(operation)
    }
}

fn client(server: &MockServer) -> Client {
    Client {
        transport: common::builder(server).build().expect("transport"),
    }
}

fn numbers(offset: u64, limit: u32) -> api_core::Result<Operation<Vec<u32>>> {
    Ok(Operation::new(
        Request::new(Method::GET, "/numbers")
            .operation("list_numbers")
            .query("offset", offset)
            .query("limit", limit),
    ))
}

#[tokio::test]
async fn send_goes_through_the_providers_policy() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/numbers"))
        .and(query_param("offset", "0"))
        .and(query_param("limit", "2"))
        .and(header("x-policy", "applied"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[1,2]"))
        .expect(1)
        .mount(&server)
        .await;
    let answer = api_core::send(&client(&server), numbers(0, 2))
        .await
        .expect("sent");
    assert_eq!(answer.into_inner(), [1, 2]);
}

#[tokio::test]
async fn a_failed_check_is_answered_without_a_request() {
    let server = MockServer::start().await;
    let checked: api_core::Result<Operation<Vec<u32>>> =
        Err(Error::invalid_input("limit", "must be at least 10"));
    let error = api_core::send(&client(&server), checked)
        .await
        .expect_err("refused");
    let input = error.invalid_input_details().expect("an input error");
    assert_eq!(
        (input.field.as_str(), input.message.as_str()),
        ("limit", "must be at least 10")
    );
    assert!(
        server
            .received_requests()
            .await
            .expect("recorded")
            .is_empty()
    );
}

#[tokio::test]
async fn pages_asks_for_each_page_until_a_short_one() {
    let server = MockServer::start().await;
    for (offset, body) in [("0", "[1,2]"), ("2", "[3,4]"), ("4", "[5]")] {
        Mock::given(method("GET"))
            .and(path("/api/numbers"))
            .and(query_param("offset", offset))
            .and(query_param("limit", "2"))
            .and(header("x-policy", "applied"))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .expect(1)
            .mount(&server)
            .await;
    }
    let stream = api_core::pages(
        client(&server),
        PageStyle::Offset { limit: 2 },
        |_client: &Client, page| numbers(page.offset, page.limit),
    );
    // `Pages` is `Unpin`: `next` needs no pinning.
    let items: Vec<u32> = stream.map(|item| item.expect("an item")).collect().await;
    assert_eq!(items, [1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn a_page_that_fails_its_check_ends_the_stream_with_the_error() {
    let server = MockServer::start().await;
    let mut stream = api_core::pages(
        client(&server),
        PageStyle::Offset { limit: 2 },
        |_client: &Client, _page| -> api_core::Result<Operation<Vec<u32>>> {
            Err(Error::invalid_input("limit", "too small"))
        },
    );
    let first = stream.next().await.expect("one item");
    assert_eq!(
        first
            .expect_err("the check's error")
            .invalid_input_details()
            .map(|i| i.field.clone()),
        Some("limit".to_owned())
    );
    assert!(stream.next().await.is_none());
    assert!(
        server
            .received_requests()
            .await
            .expect("recorded")
            .is_empty()
    );
}

#[tokio::test]
async fn per_call_settings_override_the_clients_attempts_and_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/numbers"))
        .respond_with(ResponseTemplate::new(503).set_body_string("down"))
        .mount(&server)
        .await;
    let provider = client(&server); // 3 attempts (common::builder)
    let once = api_core::configure(numbers(0, 2), CallSettings::default().max_attempts(1));
    let error = api_core::send(&provider, once).await.expect_err("503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.received_requests().await.expect("recorded").len(), 1);

    let error = api_core::send(&provider, numbers(0, 2))
        .await
        .expect_err("503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.received_requests().await.expect("recorded").len(), 4);

    // A 50 ms limit for the whole call against a server that answers after 2 s.
    let slow = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(2)))
        .mount(&slow)
        .await;
    let started = std::time::Instant::now();
    let quick = api_core::configure(
        numbers(0, 2),
        CallSettings::default().timeout(std::time::Duration::from_millis(50)),
    );
    let error = api_core::send(&client(&slow), quick)
        .await
        .expect_err("timed out");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

/// An operation documented without a body, whose body is our guess (`x-unconfirmed-body`).
const GUESSED_BODY: api_core::spec::OperationSpec = api_core::spec::OperationSpec {
    id: "delete_all",
    method: Method::DELETE,
    path: "/items",
    idempotency: api_core::Idempotency::Idempotent,
    credentials: &[],
    scopes: &[],
    idempotency_key_header: None,
    moves_money: false,
    unconfirmed: false,
    unconfirmed_body: true,
    empty_response: true,
    pagination: None,
    parameters: &[],
};

#[tokio::test]
async fn an_error_to_a_guessed_body_says_so_and_the_note_survives_a_1_mib_message() {
    let server = MockServer::start().await;
    let long = format!("Start {}", "m".repeat(1 << 20));
    Mock::given(method("DELETE"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(serde_json::json!({ "message": long })),
        )
        .mount(&server)
        .await;
    let provider = client(&server);
    let with_body = Request::of(&GUESSED_BODY)
        .json(&serde_json::json!({"ids": ["a"]}))
        .expect("json");
    let error = api_core::send(
        &provider,
        Ok(Operation::<api_core::NoContent>::new(with_body)),
    )
    .await
    .expect_err("400");
    let message = error
        .as_api()
        .and_then(|a| a.message.clone())
        .unwrap_or_default();
    assert!(
        message.len() <= api_core::ApiError::TEXT_LIMIT,
        "{}",
        message.len()
    );
    assert!(message.starts_with("Start mmm"), "{message:.40}");
    assert!(
        message.ends_with(" bytes] (the body of `delete_all` is unconfirmed: our guess)"),
        "{message}"
    );

    // Without a body: the documented form, no note.
    let without = Request::of(&GUESSED_BODY);
    let error = api_core::send(
        &provider,
        Ok(Operation::<api_core::NoContent>::new(without)),
    )
    .await
    .expect_err("400");
    let message = error
        .as_api()
        .and_then(|a| a.message.clone())
        .unwrap_or_default();
    assert!(!message.contains("unconfirmed"), "{message:.60}");
}
