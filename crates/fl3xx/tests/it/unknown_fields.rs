//! Models that keep unknown fields (`x-keep-unknown`), decoded through the client from a
//! list page on the wire: known fields, unknown ones kept as received (numbers, objects,
//! `null`), missing ones defaulted, and a wrong-typed known field named by its path.

use fl3xx::{AirportRef, Error, Fl3xx, Flight, FlightWindow, Id, OperatorClient};
use serde_json::{Value, json};
use time::macros::datetime;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server answering the flights list with `body` (raw JSON text), and a client for it.
async fn flights_answering(body: &str) -> (MockServer, OperatorClient) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/flights"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "application/json"),
        )
        .mount(&server)
        .await;
    let client = Fl3xx::builder()
        .client_id("partner")
        .base_url(server.uri())
        .build()
        .expect("partner")
        .for_operator("token")
        .expect("operator");
    (server, client)
}

fn window() -> FlightWindow {
    FlightWindow::new(
        datetime!(2024-01-15 00:00 UTC),
        datetime!(2024-01-16 00:00 UTC),
    )
    .expect("window")
}

async fn page(body: &str) -> fl3xx::Result<Vec<Flight>> {
    let (_server, client) = flights_answering(body).await;
    let page = client
        .list_flights(window())
        .limit(10)
        .offset(0)
        .send()
        .await?
        .into_inner();
    Ok(page.iter().cloned().collect())
}

fn map(value: Value) -> serde_json::Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

#[tokio::test]
async fn known_fields_decode_unknown_ones_are_kept_and_missing_ones_default() {
    let flights = page(
        r#"{"data":[
            {"flightId":5001,"paxCount":4,"weight":-12.5,"big":18446744073709551615,
             "crew":{"captain":{"id":7,"name":null},"list":[1,"two",null]},"note":null,
             "departureAirport":{"icao":"LOWW","elevation":600,"faa":null,"runway":null},
             "flightNumber":"FX1","arrivalAirport":null,"tailNumber":"OE-FXA"},
            {}
        ]}"#,
    )
    .await
    .expect("decodes");
    assert_eq!(
        flights[0],
        Flight {
            flight_id: Some(Id::from(5001u64)),
            flight_number: Some("FX1".into()),
            tail_number: Some("OE-FXA".into()),
            departure_airport: Some(AirportRef {
                icao: Some("LOWW".into()),
                extra: map(json!({"elevation": 600, "runway": null})),
                ..AirportRef::default()
            }),
            extra: map(json!({
                "paxCount": 4,
                "weight": -12.5,
                "big": 18446744073709551615u64,
                "crew": {"captain": {"id": 7, "name": null}, "list": [1, "two", null]},
                "note": null,
            })),
            ..Flight::default()
        }
    );
    // Every field missing: every field defaulted, nothing kept.
    assert_eq!(flights[1], Flight::default());
}

#[tokio::test]
async fn unknown_fields_are_sent_back_as_received() {
    let flights = page(r#"{"data":[{"flightId":"F-1","x":{"y":[null,2.5]},"z":null}]}"#)
        .await
        .expect("decodes");
    assert_eq!(
        serde_json::to_value(&flights[0]).expect("serializes"),
        json!({"flightId": "F-1", "x": {"y": [null, 2.5]}, "z": null})
    );
}

/// The decode error's path and message.
async fn decode_error(body: &str) -> (String, String) {
    match page(body).await {
        Err(Error::Decode(e)) => {
            assert_eq!(e.operation, "list_flights");
            (e.path, e.message)
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_typed_known_field_is_named_by_its_path() {
    let ok = r#"{"flightId":1,"extra":{"kept":true}}"#;
    let body = format!(r#"{{"data":[{ok},{ok},{ok},{{"other":1,"flightId":{{"n":1}}}}]}}"#);
    let (path, message) = decode_error(&body).await;
    assert_eq!(path, "data[3].flightId");
    assert!(
        message.starts_with("expected text, found an object"),
        "{message}"
    );

    let body = r#"{"data":[{"flightId":1},{"departureAirport":{"x":[],"icao":5}}]}"#;
    let (path, message) = decode_error(body).await;
    assert_eq!(path, "data[1].departureAirport.icao");
    assert!(
        message.starts_with("invalid type: integer `5`, expected a string"),
        "{message}"
    );
}

#[tokio::test]
async fn a_known_field_given_twice_is_an_error_and_an_unknown_one_keeps_its_last_value() {
    let (path, message) =
        decode_error(r#"{"data":[{"flightNumber":"A","flightNumber":"B"}]}"#).await;
    assert_eq!(path, "data[0]");
    assert!(
        message.starts_with("duplicate field `flightNumber`"),
        "{message}"
    );
    let flights = page(r#"{"data":[{"seen":1,"seen":2}]}"#)
        .await
        .expect("decodes");
    assert_eq!(flights[0].extra, map(json!({"seen": 2})));
}

#[tokio::test]
async fn a_flight_that_is_not_an_object_is_a_type_error() {
    let (path, message) = decode_error(r#"{"data":[["FX1"]]}"#).await;
    assert_eq!(path, "data[0]");
    assert!(
        message.starts_with("invalid type: sequence, expected struct Flight"),
        "{message}"
    );
}
