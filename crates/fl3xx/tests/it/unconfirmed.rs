//! What the `unconfirmed` feature adds, on the wire (wiremock): the bulk fuel-price delete
//! with a selection body (`x-unconfirmed-body`; without a body the operation is documented,
//! seed 002, and needs no feature).
#![cfg(feature = "unconfirmed")]

use api_test_support::{api_error, assert_target, header as header_of, invalid, requests};
use fl3xx::{ErrorKind, Fl3xx, FuelPriceBulkDelete, Id, OperatorClient};
use serde_json::{Value, json};
use wiremock::{MockServer, Request, ResponseTemplate};

const CLIENT_ID: &str = "fl3xx-unconfirmed-client";
const TOKEN: &str = "fl3xx-unconfirmed-token";
const ROUTE: &str = "/api/v2/partners/airport-fuel-prices";

async fn serve(answer: ResponseTemplate) -> (MockServer, OperatorClient) {
    let server = api_test_support::serve("DELETE", ROUTE, answer).await;
    let client = Fl3xx::builder()
        .client_id(CLIENT_ID)
        .base_url(server.uri())
        .build()
        .expect("partner")
        .for_operator(TOKEN)
        .expect("operator");
    (server, client)
}

/// The one request: `DELETE` on the bulk path with both credentials.
async fn only_request(server: &MockServer) -> Request {
    let request = api_test_support::only_request(server).await;
    assert_target(&request, "DELETE", ROUTE, None);
    assert_eq!(header_of(&request, "x-api-client-id"), Some(CLIENT_ID));
    assert_eq!(header_of(&request, "x-auth-token"), Some(TOKEN));
    assert_eq!(header_of(&request, "accept"), Some("application/json"));
    request
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
    let e = invalid(op.delete_fuel_prices_bulk().body(&nothing).send().await);
    assert_eq!(e.field, "ids");
    assert_eq!(
        e.message,
        "an empty selection is ambiguous: send no body to delete every price"
    );
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn errors_to_a_selection_say_the_body_is_a_guess() {
    let (server, op) = serve(ResponseTemplate::new(400).set_body_json(
        json!({"status": 400, "error": "Bad Request", "message": "ids: unknown field"}),
    ))
    .await;
    let ids = [Id::from("FP-1")];
    let selection = FuelPriceBulkDelete::new(&ids);
    let error = api_error(op.delete_fuel_prices_bulk().body(&selection).send().await);
    assert_eq!(error.kind, ErrorKind::BadRequest);
    assert_eq!(error.operation, "delete_fuel_prices_bulk");
    assert_eq!(
        error.message.as_deref(),
        Some(
            "ids: unknown field (the body of `delete_fuel_prices_bulk` is unconfirmed: our guess)"
        )
    );
    assert_eq!(
        error.to_string(),
        "fl3xx delete_fuel_prices_bulk failed with HTTP 400: ids: unknown field \
         (the body of `delete_fuel_prices_bulk` is unconfirmed: our guess)"
    );
    only_request(&server).await;

    // The documented form (no body) carries no such note.
    let (_server, op) = serve(ResponseTemplate::new(404)).await;
    let error = api_error(op.delete_fuel_prices_bulk().send().await);
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert_eq!(error.message, None);
}
