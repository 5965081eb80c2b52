//! The client on the wire (wiremock): the token request, the headers of every call, the exact
//! bodies and queries, idempotency keys across retries, error decoding, lenient amounts.

use std::str::FromStr;
use std::time::Duration;

use api_test_support::{header, requests};
use flexiti::api_core::money::Decimal;
use flexiti::{
    AuthorizationRequest, CalculateInterestRequest, CaptureRequest, Client, CustomerKey,
    Environment, Error, ErrorCode, ErrorKind, FinancingOption, Id, ReturnResult,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const CLIENT_ID: &str = "wire-client";
const SECRET: &str = "wire-secret";
const TOKEN_PATH: &str = "/flexiti/pos-api/v2.5/oauth/token";
const POS: &str = "/flexiti/pos-api/v2.5/client-id/wire-client";
const POS_251: &str = "/flexiti/pos-api/v2.5.1/client-id/wire-client";

fn token(access: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_in": 1200,
        "scope": "merchant",
    }))
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .client_id(CLIENT_ID)
        .client_secret(SECRET)
        .environment(Environment::custom(server.uri()))
        .configure(|t| {
            t.retry(flexiti::api_core::RetryConfig {
                initial_backoff: Duration::from_millis(1),
                ..Default::default()
            })
        })
        .build()
        .expect("client")
}

/// A server whose token endpoint answers `tok-1` and whose `route` answers `answer`.
async fn mock(verb: &str, route: &str, answer: ResponseTemplate) -> (MockServer, Client) {
    let server = api_test_support::serve(verb, route, answer).await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token("tok-1"))
        .mount(&server)
        .await;
    let client = client(&server);
    (server, client)
}

/// The requests other than token requests.
async fn api_requests(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("recorded")
        .into_iter()
        .filter(|r| r.url.path() != TOKEN_PATH)
        .collect()
}

async fn token_requests(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("recorded")
        .into_iter()
        .filter(|r| r.url.path() == TOKEN_PATH)
        .collect()
}

fn is_guid(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

fn lookup_answer() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "account_number": 20076677,
        "customer_id": "828930",
        "available_credit": "5000.00",
        "first_name": "Jane",
    }))
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).expect("decimal")
}

#[tokio::test]
async fn the_token_request_then_the_call_with_bearer_reference_and_accept() {
    let (server, client) = mock("GET", &format!("{POS}/customers/lookup"), lookup_answer()).await;
    let answer = client
        .lookup_customer_by(&CustomerKey::Account(Id::from("20076677")))
        .send()
        .await
        .expect("lookup")
        .into_inner();
    assert_eq!(answer.account_number, Some(Id::from("20076677")));
    assert_eq!(answer.available_credit, Some(dec("5000.00")));

    let tokens = token_requests(&server).await;
    assert_eq!(tokens.len(), 1);
    let t = &tokens[0];
    assert_eq!(t.method.as_str(), "POST");
    assert_eq!(
        header(t, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(t.url.query(), None);
    assert_eq!(
        std::str::from_utf8(&t.body).expect("utf-8"),
        format!(
            "grant_type=client_credentials&scope=merchant&client_id={CLIENT_ID}&client_secret={SECRET}"
        )
    );
    assert_eq!(header(t, "authorization"), None);

    let calls = api_requests(&server).await;
    assert_eq!(calls.len(), 1);
    let r = &calls[0];
    assert_eq!(r.method.as_str(), "GET");
    assert_eq!(header(r, "authorization"), Some("Bearer tok-1"));
    assert_eq!(header(r, "accept"), Some("application/json"));
    assert!(is_guid(header(r, "x-reference-id").expect("reference")));
    assert_eq!(header(r, "x-idempotency-key"), None);
    // Exactly the one key, nothing else.
    assert_eq!(r.url.query(), Some("account_number=20076677"));
}

#[tokio::test]
async fn a_flow_keeps_its_reference_id_and_plain_calls_do_not() {
    let (server, client) = mock("GET", &format!("{POS}/customers/lookup"), lookup_answer()).await;
    let key = CustomerKey::Account(Id::from("20076677"));
    let flow = client.flow();
    flow.lookup_customer_by(&key).send().await.expect("flow 1");
    flow.lookup_customer_by(&key).send().await.expect("flow 2");
    client
        .lookup_customer_by(&key)
        .send()
        .await
        .expect("plain 1");
    client
        .lookup_customer_by(&key)
        .send()
        .await
        .expect("plain 2");
    let fixed = client.with_reference_id("my-ref-123").expect("valid id");
    fixed.lookup_customer_by(&key).send().await.expect("fixed");

    let calls = api_requests(&server).await;
    let refs: Vec<&str> = calls
        .iter()
        .map(|r| header(r, "x-reference-id").expect("reference"))
        .collect();
    assert_eq!(refs.len(), 5);
    assert!(refs[..4].iter().all(|r| is_guid(r)), "{refs:?}");
    assert_eq!(refs[0], refs[1], "one flow, one reference id");
    assert_ne!(refs[2], refs[3], "plain calls get their own");
    assert_ne!(refs[0], refs[2]);
    assert_ne!(refs[0], refs[3]);
    assert_eq!(refs[4], "my-ref-123");
    // One token for every call.
    assert_eq!(token_requests(&server).await.len(), 1);
}

#[tokio::test]
async fn authorize_sends_the_exact_body_and_an_idempotency_key() {
    let (server, client) = mock(
        "POST",
        &format!("{POS_251}/authorization"),
        ResponseTemplate::new(200).set_body_json(json!({
            "authorization_id": 1000001,
            "amount": 1200.5,
            "authorization_status": "opened",
            "remaining_authorization_amount": "1200.50",
        })),
    )
    .await;
    let request = AuthorizationRequest::new(
        Id::from("20076677"),
        dec("1200.50"),
        FinancingOption::promotional(101, Some(12)),
    );
    let auth = client
        .create_authorization(&request)
        .send()
        .await
        .expect("authorize")
        .into_inner();
    assert_eq!(auth.authorization_id, Some(Id::from("1000001")));
    assert_eq!(auth.amount, Some(dec("1200.5")));
    assert_eq!(auth.remaining_authorization_amount, Some(dec("1200.50")));

    let calls = api_requests(&server).await;
    assert_eq!(calls.len(), 1);
    let r = &calls[0];
    assert_eq!(header(r, "content-type"), Some("application/json"));
    assert!(is_guid(header(r, "x-idempotency-key").expect("key")));
    assert!(is_guid(header(r, "x-reference-id").expect("reference")));
    let body: Value = serde_json::from_slice(&r.body).expect("json");
    assert_eq!(
        body,
        json!({
            "account_number": 20076677,
            "amount": 1200.50,
            "auto_capture": false,
            "financing_option": {
                "transaction_type": "promotional_purchase",
                "plan_id": 101,
                "term": 12,
            },
        })
    );
    // The amount is a JSON number, not a string.
    assert!(body["amount"].is_number());
}

#[tokio::test]
async fn a_capture_retried_after_503_resends_the_same_idempotency_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token("tok-1"))
        .mount(&server)
        .await;
    let route = format!("{POS_251}/authorization/1000001/capture");
    Mock::given(method("POST"))
        .and(path(route.as_str()))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(route.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "capture_id": 300001,
            "amount": 100.0,
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let capture = client
        .capture_authorization(Id::from("1000001"), &CaptureRequest::new(dec("100.00")))
        .send()
        .await
        .expect("capture after a retry")
        .into_inner();
    assert_eq!(capture.capture_id, Some(Id::from("300001")));

    let calls = api_requests(&server).await;
    assert_eq!(calls.len(), 2, "one retry");
    let keys: Vec<&str> = calls
        .iter()
        .map(|r| header(r, "x-idempotency-key").expect("key"))
        .collect();
    assert_eq!(keys[0], keys[1], "the retry reuses the key");
    assert!(is_guid(keys[0]));
    assert_eq!(
        header(&calls[0], "x-reference-id"),
        header(&calls[1], "x-reference-id")
    );
    assert_eq!(calls[0].body, calls[1].body);

    // A fixed key is the one on the wire; a new call without it gets a new one.
    let fixed = client.with_idempotency_key("cap-key-1").expect("valid key");
    fixed
        .capture_authorization(Id::from("1000001"), &CaptureRequest::new(dec("1.00")))
        .send()
        .await
        .expect("capture");
    client
        .capture_authorization(Id::from("1000001"), &CaptureRequest::new(dec("1.00")))
        .send()
        .await
        .expect("capture");
    let calls = api_requests(&server).await;
    assert_eq!(header(&calls[2], "x-idempotency-key"), Some("cap-key-1"));
    let fresh = header(&calls[3], "x-idempotency-key").expect("key");
    assert_ne!(fresh, keys[0]);
    assert_ne!(fresh, "cap-key-1");
}

#[tokio::test]
async fn a_409_is_sent_once_and_carries_the_flexiti_code() {
    let (server, client) = mock(
        "POST",
        &format!("{POS_251}/authorization/1000001/capture"),
        ResponseTemplate::new(409).set_body_json(json!({
            "message": "Credit limit exceeded",
            "error": "credit_exceeded",
        })),
    )
    .await;
    let e = client
        .capture_authorization(Id::from("1000001"), &CaptureRequest::new(dec("10.00")))
        .send()
        .await
        .expect_err("409");
    assert_eq!(e.kind(), Some(ErrorKind::Conflict));
    assert_eq!(ErrorCode::of(&e), Some(ErrorCode::CreditExceeded));
    assert!(!e.is_retryable());
    assert_eq!(
        e.as_api().and_then(|a| a.message.as_deref()),
        Some("Credit limit exceeded")
    );
    assert_eq!(api_requests(&server).await.len(), 1, "never retried");
}

#[tokio::test]
async fn wrong_inputs_is_a_validation_error_with_field_errors() {
    let (_server, client) = mock(
        "POST",
        &format!("{POS_251}/authorization"),
        ResponseTemplate::new(409).set_body_json(json!({
            "url": "/flexiti/pos-api/v2.5.1/client-id/wire-client/authorization",
            "message": "Some inputs are wrong!",
            "error": "wrong_inputs",
            "field_errors": [
                {"param": "financing_option.plan_id", "msg": "invalid", "value": 999},
                {"param": "amount", "msg": "must be a positive amount with at most 2 decimals", "value": "x"},
            ],
        })),
    )
    .await;
    let request = AuthorizationRequest::new(
        Id::from("20076677"),
        dec("10.00"),
        FinancingOption::promotional(999, Some(12)),
    );
    let e = client
        .create_authorization(&request)
        .send()
        .await
        .expect_err("409");
    assert_eq!(e.kind(), Some(ErrorKind::Validation));
    assert_eq!(ErrorCode::of(&e), Some(ErrorCode::WrongInputs));
    let api = e.as_api().expect("api error");
    assert_eq!(api.field_errors["financing_option.plan_id"], ["invalid"]);
    assert_eq!(
        api.field_errors["amount"],
        ["must be a positive amount with at most 2 decimals"]
    );
    assert_eq!(api.message.as_deref(), Some("Some inputs are wrong!"));
}

#[tokio::test]
async fn bad_amounts_are_refused_before_any_request() {
    let server = MockServer::start().await;
    let client = client(&server);
    let account = Id::from("20076677");
    for amount in ["10.001", "0", "0.00", "-5.00"] {
        let request =
            AuthorizationRequest::new(account.clone(), dec(amount), FinancingOption::regular());
        let e = client
            .create_authorization(&request)
            .send()
            .await
            .expect_err(amount);
        assert!(matches!(e, Error::InvalidInput(_)), "{amount}: {e}");
        let e = client
            .capture_authorization("1", &CaptureRequest::new(dec(amount)))
            .send()
            .await
            .expect_err(amount);
        assert!(matches!(e, Error::InvalidInput(_)), "{amount}: {e}");
        let e = client
            .calculate_interest(
                &account,
                &CalculateInterestRequest {
                    amount: dec(amount),
                },
            )
            .send()
            .await
            .expect_err(amount);
        assert!(matches!(e, Error::InvalidInput(_)), "{amount}: {e}");
    }
    // 17 digits before the point do not fit number(18,2).
    let e = client
        .capture_authorization("1", &CaptureRequest::new(dec("12345678901234567.00")))
        .send()
        .await
        .expect_err("too large");
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    assert!(requests(&server).await.is_empty(), "no token, no call");
}

#[tokio::test]
async fn amounts_that_arrive_as_strings_decode_exactly() {
    let (_server, client) = mock(
        "POST",
        &format!("{POS_251}/authorization/1000001/capture"),
        ResponseTemplate::new(200).set_body_json(json!({
            "capture_id": "300001",
            "authorization_id": "1000001",
            "amount": "0.10",
            "remaining_authorization_amount": "1199999999999999.99",
        })),
    )
    .await;
    let capture = client
        .capture_authorization(Id::from("1000001"), &CaptureRequest::new(dec("0.10")))
        .send()
        .await
        .expect("capture")
        .into_inner();
    assert_eq!(capture.amount, Some(dec("0.10")));
    assert_eq!(
        capture.amount.map(|a| a.to_string()).as_deref(),
        Some("0.10")
    );
    assert_eq!(
        capture.remaining_authorization_amount,
        Some(dec("1199999999999999.99"))
    );
    assert_eq!(capture.capture_id, Some(Id::from("300001")));
}

#[tokio::test]
async fn a_return_answered_with_an_empty_object_decodes() {
    let (server, client) = mock(
        "POST",
        &format!("{POS_251}/authorization/1000001/capture/300001/return"),
        ResponseTemplate::new(200).set_body_json(json!({})),
    )
    .await;
    let result = client
        .return_capture(
            "1000001",
            "300001",
            &flexiti::ReturnRequest::partial(dec("25.00")),
        )
        .send()
        .await
        .expect("return")
        .into_inner();
    assert_eq!(result, ReturnResult::default());
    let calls = api_requests(&server).await;
    let body: Value = serde_json::from_slice(&calls[0].body).expect("json");
    assert_eq!(body["amount"], json!(25.0));
    assert_eq!(body["full_return"], json!(false));
    assert!(header(&calls[0], "x-idempotency-key").is_some());
}

#[tokio::test]
async fn a_401_with_a_token_refreshes_once_and_replays_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token("tok-1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token("tok-2"))
        .mount(&server)
        .await;
    let route = format!("{POS}/customers/lookup");
    Mock::given(method("GET"))
        .and(path(route.as_str()))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "message": "Invalid or expired token",
            "error": "invalid_token",
        })))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(route.as_str()))
        .respond_with(lookup_answer())
        .mount(&server)
        .await;
    let client = client(&server);
    client
        .lookup_customer()
        .customer_id("828930")
        .send()
        .await
        .expect("replayed after a refresh");
    assert_eq!(token_requests(&server).await.len(), 2, "one refresh");
    let calls = api_requests(&server).await;
    assert_eq!(calls.len(), 2, "one replay");
    assert_eq!(header(&calls[0], "authorization"), Some("Bearer tok-1"));
    assert_eq!(header(&calls[1], "authorization"), Some("Bearer tok-2"));
    assert_eq!(calls[1].url.query(), Some("customer_id=828930"));

    // A 401 on the replay too is an error, not a loop.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token("tok-x"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(route.as_str()))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "message": "Invalid or expired token",
            "error": "invalid_token",
        })))
        .mount(&server)
        .await;
    let client = self::client(&server);
    let e = client
        .lookup_customer()
        .customer_id("828930")
        .send()
        .await
        .expect_err("still 401");
    assert_eq!(e.kind(), Some(ErrorKind::Unauthorized));
    assert_eq!(token_requests(&server).await.len(), 2);
    assert_eq!(api_requests(&server).await.len(), 2);
}

/// `count` authorizations numbered from `first`, in the envelope the sandbox uses.
fn authorizations(first: u64, count: u64) -> ResponseTemplate {
    let items: Vec<Value> = (first..first + count)
        .map(|id| json!({"authorization_id": id, "amount": "10.00"}))
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({"authorizations": items, "total": 107}))
}

#[tokio::test]
async fn paginate_walks_every_page_with_the_exact_query() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token("tok-1"))
        .mount(&server)
        .await;
    let route = format!("{POS_251}/authorizations");
    for (page, first, count) in [("1", 1, 50), ("2", 51, 50), ("3", 101, 7)] {
        Mock::given(method("GET"))
            .and(path(route.as_str()))
            .and(wiremock::matchers::query_param("page_number", page))
            .respond_with(authorizations(first, count))
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let from = flexiti::api_core::time::Date::from_calendar_date(
        2026,
        flexiti::api_core::time::Month::January,
        31,
    )
    .expect("a day");
    let found: Vec<flexiti::Authorization> = futures_util::StreamExt::collect::<Vec<_>>(
        client
            .list_authorizations()
            .account_number(Id::from(20076677))
            .creation_date_from(from)
            .paginate(),
    )
    .await
    .into_iter()
    .collect::<Result<_, _>>()
    .expect("every page");
    let ids: Vec<Id> = found
        .iter()
        .filter_map(|a| a.authorization_id.clone())
        .collect();
    assert_eq!(ids, (1..=107).map(Id::from).collect::<Vec<_>>());

    let calls = api_requests(&server).await;
    let queries: Vec<(&str, &str, Option<&str>)> = calls
        .iter()
        .map(|r| (r.method.as_str(), r.url.path(), r.url.query()))
        .collect();
    let wanted = |page: u32| {
        format!(
            "account_number=20076677&creation_date_from=2026-01-31&page_number={page}&page_size={}",
            flexiti::PAGE_SIZE
        )
    };
    let (one, two, three) = (wanted(1), wanted(2), wanted(3));
    assert_eq!(
        queries,
        [
            ("GET", route.as_str(), Some(one.as_str())),
            ("GET", route.as_str(), Some(two.as_str())),
            ("GET", route.as_str(), Some(three.as_str())),
        ],
        "a short page is the last"
    );
    // Every page is its own call, with its own reference id, and no idempotency key.
    assert!(
        calls
            .iter()
            .all(|r| header(r, "x-idempotency-key").is_none())
    );
    assert!(
        calls
            .iter()
            .all(|r| is_guid(header(r, "x-reference-id").expect("reference")))
    );
    assert_eq!(token_requests(&server).await.len(), 1);

    // One page, with the size set: the query says so and nothing else.
    let page = client
        .list_captures()
        .page_number(2)
        .page_size(10)
        .into_operation()
        .expect("valid");
    assert_eq!(
        page.request().query_pairs(),
        [
            ("page_number", "2".to_owned()),
            ("page_size", "10".to_owned())
        ]
    );
}

#[tokio::test]
async fn bad_builder_inputs_are_invalid_input_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let client = client(&server);
    let field = |error: Error| match error {
        Error::InvalidInput(invalid) => invalid.field,
        other => panic!("expected InvalidInput, got {other:?}"),
    };
    let day = flexiti::api_core::time::Date::from_calendar_date(
        1985,
        flexiti::api_core::time::Month::April,
        12,
    )
    .expect("a day");

    // Spec bounds: an empty name, a postal code of the wrong shape, an empty lookup key.
    let e = client.search_customers("", "Doe", day).send().await;
    assert_eq!(field(e.expect_err("empty")), "first_name");
    let e = client
        .search_customers("Jane", "Doe", day)
        .postal_code("M5V-2T6")
        .send()
        .await;
    assert_eq!(field(e.expect_err("shape")), "postal_code");
    let e = client.lookup_customer().account_number("").send().await;
    assert_eq!(field(e.expect_err("empty key")), "account_number");
    let e = client.online_payment_calculator("499.999").send().await;
    assert_eq!(field(e.expect_err("3 decimals")), "price");
    // A blank path segment.
    let e = client.get_authorization(" ").send().await;
    assert_eq!(field(e.expect_err("blank id")), "authorization_id");
    // The x-check rules: a promotional purchase without a plan, a security question
    // without its answer, a transaction without an account.
    let mut promotional = AuthorizationRequest::new(
        Id::from("20076677"),
        dec("10.00"),
        FinancingOption::regular(),
    );
    promotional.financing_option.transaction_type = flexiti::FinancingType::PromotionalPurchase;
    let e = client.create_authorization(&promotional).send().await;
    assert_eq!(field(e.expect_err("no plan")), "financing_option.plan_id");
    let verify = flexiti::VerifyRequest {
        format: flexiti::VerifyFormat::SecurityQuestion,
        account_number: None,
        vcc_number: None,
        security_qid: Some("7".to_owned()),
        security_answer: None,
        request_id: None,
    };
    let e = client.verify_account("20076677", &verify).send().await;
    assert_eq!(field(e.expect_err("no answer")), "security_answer");
    let transaction = flexiti::TransactionRequest {
        transaction_type: flexiti::TransactionType::Deposit,
        amount: dec("5.00"),
        account_number: None,
        vcc_number: None,
        customer_id: None,
        verification_code: None,
        request_id: None,
        external_location_id: None,
        external_employee_id: None,
    };
    let e = client.post_transaction(&transaction).send().await;
    assert_eq!(field(e.expect_err("no account")), "account_number");
    let e = client
        .release_authorization("1000001")
        .body(&flexiti::ReleaseRequest {
            amount: Some(dec("0")),
            reference: None,
        })
        .send()
        .await;
    assert_eq!(field(e.expect_err("zero")), "amount");
    // A page size below the spec's minimum fails the stream's first page.
    let mut pages = client.list_authorizations().page_size(0).paginate();
    let first = futures_util::StreamExt::next(&mut pages).await;
    assert_eq!(
        field(first.expect("an item").expect_err("size 0")),
        "page_size"
    );
    assert!(futures_util::StreamExt::next(&mut pages).await.is_none());

    assert!(requests(&server).await.is_empty(), "no token, no call");
}
