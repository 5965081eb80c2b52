//! The operations behind the `unconfirmed` feature, on the wire (wiremock).
#![cfg(feature = "unconfirmed")]

use fl3xx::{Error, ErrorKind, Fl3xx, FuelPriceBulkDelete, Id, OperatorClient};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const CLIENT_ID: &str = "fl3xx-unconfirmed-client";
const TOKEN: &str = "fl3xx-unconfirmed-token";
const ROUTE: &str = "/api/v2/partners/airport-fuel-prices";

async fn serve(answer: ResponseTemplate) -> (MockServer, OperatorClient) {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(ROUTE))
        .respond_with(answer)
        .mount(&server)
        .await;
    let client = Fl3xx::builder()
        .client_id(CLIENT_ID)
        .base_url(server.uri())
        .build()
        .expect("partner")
        .for_operator(TOKEN)
        .expect("operator");
    (server, client)
}

fn header_of<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The one request: `DELETE` on the bulk path with both credentials.
async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request");
    let request = requests.remove(0);
    assert_eq!(request.method.as_str(), "DELETE");
    assert_eq!(request.url.path(), ROUTE);
    assert_eq!(request.url.query(), None);
    assert_eq!(header_of(&request, "x-api-client-id"), Some(CLIENT_ID));
    assert_eq!(header_of(&request, "x-auth-token"), Some(TOKEN));
    assert_eq!(header_of(&request, "accept"), Some("application/json"));
    request
}

#[tokio::test]
async fn without_a_selection_no_body_is_sent() {
    let (server, op) = serve(ResponseTemplate::new(204)).await;
    let deleted = op.delete_fuel_prices_bulk().send().await.expect("deleted");
    assert_eq!(deleted.status().as_u16(), 204);
    assert_eq!(deleted.into_inner(), api_core::NoContent);
    let request = only_request(&server).await;
    assert!(request.body.is_empty());
    assert_eq!(header_of(&request, "content-type"), None);
}

#[tokio::test]
async fn a_selection_is_sent_as_ids() {
    let (server, op) = serve(ResponseTemplate::new(200).set_body_json(json!({"deleted": 2}))).await;
    let ids = [Id::from("FP-1"), Id::from(7u64)];
    op.delete_fuel_prices_bulk()
        .body(&FuelPriceBulkDelete::new(&ids))
        .send()
        .await
        .expect("deleted");
    let request = only_request(&server).await;
    assert_eq!(
        header_of(&request, "content-type"),
        Some("application/json")
    );
    let body: Value = serde_json::from_slice(&request.body).expect("a JSON body");
    assert_eq!(body, json!({"ids": ["FP-1", "7"]}));
}

#[tokio::test]
async fn an_empty_selection_is_refused_before_sending() {
    let (server, op) = serve(ResponseTemplate::new(204)).await;
    let nothing = FuelPriceBulkDelete::new(Vec::<Id>::new());
    match op.delete_fuel_prices_bulk().body(&nothing).send().await {
        Err(Error::InvalidInput(e)) => {
            assert_eq!(e.field, "ids");
            assert_eq!(
                e.message,
                "an empty selection is ambiguous: send no body to delete every price"
            );
        }
        other => panic!("expected a local refusal, got {other:?}"),
    }
    assert!(
        server
            .received_requests()
            .await
            .expect("recording is on")
            .is_empty()
    );
}

#[tokio::test]
async fn its_errors_say_the_operation_is_unconfirmed() {
    let (server, op) = serve(ResponseTemplate::new(400).set_body_json(
        json!({"status": 400, "error": "Bad Request", "message": "ids: unknown field"}),
    ))
    .await;
    let ids = [Id::from("FP-1")];
    let selection = FuelPriceBulkDelete::new(&ids);
    let error = match op.delete_fuel_prices_bulk().body(&selection).send().await {
        Err(Error::Api(e)) => *e,
        other => panic!("expected an API error, got {other:?}"),
    };
    assert_eq!(error.kind, ErrorKind::BadRequest);
    assert_eq!(error.operation, "delete_fuel_prices_bulk");
    assert_eq!(
        error.message.as_deref(),
        Some(
            "ids: unknown field (`delete_fuel_prices_bulk` is unconfirmed: its path or body is our guess)"
        )
    );
    assert_eq!(
        error.to_string(),
        "fl3xx delete_fuel_prices_bulk failed with HTTP 400: ids: unknown field \
         (`delete_fuel_prices_bulk` is unconfirmed: its path or body is our guess)"
    );
    only_request(&server).await;

    // Without a message of its own, the note stands alone.
    let (_server, op) = serve(ResponseTemplate::new(404)).await;
    let error = match op.delete_fuel_prices_bulk().send().await {
        Err(Error::Api(e)) => *e,
        other => panic!("expected an API error, got {other:?}"),
    };
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert_eq!(
        error.message.as_deref(),
        Some("(`delete_fuel_prices_bulk` is unconfirmed: its path or body is our guess)")
    );
}
