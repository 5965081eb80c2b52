//! The FL3XX emulator over real HTTP on loopback: auth, fair use, flights, operators' data
//! isolation, fuel prices, webhook subscriptions and signed deliveries, crew qualifications.

use crate::common;

use common::{Answer, call};

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_sandbox::{Fl3xxConfig, RecordedRequest, Sandbox, SandboxConfig, WebhookDeliveryRecord};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use time::{OffsetDateTime, PrimitiveDateTime};

const CLIENT: &str = "sandbox-fl3xx-client";
const A: &str = "sandbox-fl3xx-operator-a";
const B: &str = "sandbox-fl3xx-operator-b";

// ---------------------------------------------------------------------------------------
// Helpers

/// A sandbox; `tweak` adjusts the FL3XX config.
async fn sandbox(tweak: impl FnOnce(&mut Fl3xxConfig)) -> Sandbox {
    let mut fl3xx = Fl3xxConfig::default();
    tweak(&mut fl3xx);
    Sandbox::start(SandboxConfig {
        fl3xx,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

/// A well-formed request of operator `token` to `{fl3xx_url}{path}`; `body` is sent as JSON
/// unless it is `Value::Null` (then no body).
async fn api(sandbox: &Sandbox, token: &str, method: &str, path: &str, body: &Value) -> Answer {
    let url = format!("{}{path}", sandbox.fl3xx_url());
    let text = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    call(
        method,
        &url,
        &[
            ("X-Api-Client-Id", CLIENT),
            ("X-Auth-Token", token),
            ("accept", "application/json"),
            ("content-type", "application/json"),
        ],
        &text,
    )
    .await
}

async fn get(sandbox: &Sandbox, token: &str, path: &str) -> Answer {
    api(sandbox, token, "GET", path, &Value::Null).await
}

/// The Spring-style error body.
fn spring(status: u16, error: &str, message: &str, path: &str) -> Value {
    json!({"status": status, "error": error, "message": message, "path": path})
}

/// Asserts a status and an exact JSON body.
fn assert_answer(answer: &Answer, status: u16, body: &Value) {
    assert_eq!(answer.status, status, "{}", answer.text);
    assert_eq!(&answer.json, body, "{}", answer.text);
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `/api/v2/flights?filter=blocksOffEstimatedDateTime,BTW,<from>,<to>` (encoded) plus `extra`.
fn flights_path(from: &str, to: &str, extra: &str) -> String {
    let filter = encode(&format!("blocksOffEstimatedDateTime,BTW,{from},{to}"));
    format!("/api/v2/flights?filter={filter}{extra}")
}

/// Parses `YYYY-MM-DDTHH:mm:ss.SSSZ`.
fn parse_time(value: &Value) -> OffsetDateTime {
    let text = value.as_str().expect("a date-time string");
    PrimitiveDateTime::parse(
        text,
        time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        ),
    )
    .unwrap_or_else(|e| panic!("{text}: {e}"))
    .assume_utc()
}

fn format_time(at: OffsetDateTime) -> String {
    at.format(time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .expect("formats")
}

fn hmac_hex(key: &str, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.as_bytes());
    hex::encode(ring::hmac::sign(&key, body))
}

/// What a webhook receiver saw.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Default)]
struct ReceiverState {
    received: Vec<Received>,
    /// Statuses to answer first, in order; 200 afterwards.
    script: VecDeque<u16>,
}

type Shared = Arc<Mutex<ReceiverState>>;

/// A webhook receiver on a free port: records every POST, answers the scripted statuses and
/// then 200. Returns its URL.
async fn receiver(script: &[u16]) -> (String, Shared) {
    async fn receive(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
        let mut state = shared.lock().expect("lock");
        state.received.push(Received { headers, body });
        let code = state.script.pop_front().unwrap_or(200);
        StatusCode::from_u16(code).expect("valid status")
    }
    let shared = Shared::new(Mutex::new(ReceiverState {
        received: Vec::new(),
        script: script.iter().copied().collect(),
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/hooks/fl3xx",
        listener.local_addr().expect("addr")
    );
    let app = Router::new()
        .route("/hooks/fl3xx", post(receive))
        .with_state(shared.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, shared)
}

fn received(shared: &Shared) -> Vec<Received> {
    shared.lock().expect("lock").received.clone()
}

/// Creates a subscription of `token`; returns its id.
async fn subscribe(sandbox: &Sandbox, token: &str, event: &str, url: &str, key: &str) -> String {
    let body = json!({"event": event, "callbackUrl": url, "signingKey": key});
    let answer = api(
        sandbox,
        token,
        "POST",
        "/api/v2/webhooks/subscriptions",
        &body,
    )
    .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.json["id"].as_str().expect("an id").to_owned()
}

// ---------------------------------------------------------------------------------------
// Auth, routing

#[tokio::test]
async fn missing_or_wrong_client_id_or_token_is_401_everywhere() {
    let sandbox = sandbox(|_| {}).await;
    assert_eq!(sandbox.fl3xx_url(), format!("{}/fl3xx", sandbox.base_url()));
    let url = format!("{}/api/v2/airports/LOWW", sandbox.fl3xx_url());
    let cases: [&[(&str, &str)]; 6] = [
        &[],
        &[("X-Auth-Token", A)],
        &[("X-Api-Client-Id", CLIENT)],
        &[("X-Api-Client-Id", "someone-else"), ("X-Auth-Token", A)],
        &[("X-Api-Client-Id", CLIENT), ("X-Auth-Token", "not-a-token")],
        // The token in the wrong header.
        &[("X-Api-Client-Id", A), ("X-Auth-Token", CLIENT)],
    ];
    for headers in cases {
        let answer = call("GET", &url, headers, "").await;
        assert_answer(
            &answer,
            401,
            &spring(
                401,
                "Unauthorized",
                "Invalid client id or token",
                "/api/v2/airports/LOWW",
            ),
        );
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert_eq!(
            answer.text,
            r#"{"status":401,"error":"Unauthorized","message":"Invalid client id or token","path":"/api/v2/airports/LOWW"}"#
        );
    }
    // Every route, unknown ones too, needs both headers.
    for (method, path) in [
        ("GET", "/api/v2/flights"),
        ("POST", "/api/v2/webhooks/subscriptions"),
        ("PUT", "/api/v2/partners/airports/LOWW/fuel-prices"),
        ("GET", "/api/v2/nope"),
    ] {
        let answer = call(
            method,
            &format!("{}{path}", sandbox.fl3xx_url()),
            &[("X-Auth-Token", A)],
            "",
        )
        .await;
        assert_eq!(answer.status, 401, "{method} {path}");
        assert_eq!(answer.json["path"], path);
    }
    // Both headers right: 200; header names are case-insensitive.
    let answer = call(
        "GET",
        &url,
        &[("x-api-client-id", CLIENT), ("x-auth-token", B)],
        "",
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    let requests = sandbox.fl3xx().requests();
    assert_eq!(requests.len(), 11);
    assert_eq!(requests[0].path, "/fl3xx/api/v2/airports/LOWW");
    assert_eq!(requests[0].status, 401);
    assert_eq!(requests[10].header("X-Auth-Token"), Some(B));
    assert_eq!(requests[10].status, 200);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn unknown_paths_are_404_and_other_methods_405() {
    let sandbox = sandbox(|_| {}).await;
    for path in [
        "/api/v2/nope",
        "/api/v2/flights/",
        "/api/external/flight/5001/pax_details",
        "/api/external/nope",
        "/",
        // Another version of a spec path, and a path no operation has.
        "/api/v1/flights",
        "/api/v3/airports/LOWW",
        "/api/v2/flight",
    ] {
        let answer = get(&sandbox, A, path).await;
        assert_answer(
            &answer,
            404,
            &spring(404, "Not Found", &format!("No endpoint GET {path}."), path),
        );
    }
    let answer = api(&sandbox, A, "POST", "/api/v2/flights", &json!({})).await;
    assert_answer(
        &answer,
        405,
        &spring(
            405,
            "Method Not Allowed",
            "Request method 'POST' is not supported",
            "/api/v2/flights",
        ),
    );
    assert_eq!(answer.header("allow"), Some("GET"));
    let answer = api(
        &sandbox,
        A,
        "PUT",
        "/api/v2/webhooks/subscriptions/WS-1",
        &json!({}),
    )
    .await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET, PATCH, DELETE"));
    let answer = get(&sandbox, A, "/api/v2/partners/airport-fuel-prices").await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("DELETE"));
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Flights

#[tokio::test]
async fn flights_are_filtered_paged_and_sorted_by_blocks_off_descending() {
    let before = OffsetDateTime::now_utc();
    let sandbox = sandbox(|_| {}).await;
    let all = sandbox.fl3xx().flights(A);
    assert_eq!(all.len(), 120);

    // The seeded schedule.
    let first = &all[0];
    let off = parse_time(&first["blocksOffEstimatedDateTime"]);
    assert_eq!(
        first,
        &json!({
            "flightId": "5000",
            "flightNumber": "FLX100",
            "tailNumber": "OE-FXA",
            "blocksOffEstimatedDateTime": format_time(off),
            "blocksOnEstimatedDateTime": format_time(off + time::Duration::hours(2)),
            "departureAirport": {"icao": "LOWW", "iata": "VIE", "faa": null},
            "arrivalAirport": {"icao": "LMML", "iata": "MLA", "faa": null},
            "workflow": "CHARTER",
            "updatedAt": first["updatedAt"],
        })
    );
    let two_days_ago = before - time::Duration::days(2);
    assert!(off <= two_days_ago && two_days_ago - off < time::Duration::hours(1));
    assert_eq!((off.minute(), off.second(), off.millisecond()), (0, 0, 0));
    let updated = parse_time(&first["updatedAt"]);
    assert!(updated >= before - time::Duration::milliseconds(1));
    assert_eq!(all[1]["flightId"], "5001");
    assert_eq!(all[1]["flightNumber"], "FLX101");
    assert_eq!(all[1]["tailNumber"], "OE-FXB");
    assert_eq!(all[2]["tailNumber"], "9H-ABC");
    assert_eq!(
        all[3]["arrivalAirport"],
        json!({"icao": "LOWW", "iata": "VIE", "faa": null})
    );
    assert_eq!(
        all[3]["departureAirport"],
        json!({"icao": "KTEB", "iata": "TEB", "faa": "TEB"})
    );
    assert_eq!(
        parse_time(&all[1]["blocksOffEstimatedDateTime"]) - off,
        time::Duration::hours(3)
    );
    assert_eq!(all[119]["flightId"], "5119");

    // Flights 10..=39 (both bounds inclusive), newest first, 10 a page.
    let from = all[10]["blocksOffEstimatedDateTime"]
        .as_str()
        .expect("time");
    let to = all[39]["blocksOffEstimatedDateTime"]
        .as_str()
        .expect("time");
    let mut pages = Vec::new();
    for offset in [0, 10, 20, 30] {
        let path = flights_path(from, to, &format!("&limit=10&offset={offset}"));
        let answer = get(&sandbox, A, &path).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.header("content-type"), Some("application/json"));
        pages.push(answer.json["data"].as_array().expect("data").clone());
    }
    let expected = |range: std::ops::RangeInclusive<usize>| -> Vec<Value> {
        range.rev().map(|i| all[i].clone()).collect()
    };
    assert_eq!(pages[0], expected(30..=39));
    assert_eq!(pages[1], expected(20..=29));
    assert_eq!(pages[2], expected(10..=19));
    assert!(pages[3].is_empty());

    // On the wire, the fields keep their order.
    let text = get(&sandbox, A, &flights_path(from, from, "")).await.text;
    let f = &all[10];
    assert_eq!(
        text,
        format!(
            r#"{{"data":[{{"flightId":"5010","flightNumber":"FLX110","tailNumber":"OE-FXB","blocksOffEstimatedDateTime":"{}","blocksOnEstimatedDateTime":"{}","departureAirport":{{"icao":"EGLL","iata":"LHR","faa":null}},"arrivalAirport":{{"icao":"KTEB","iata":"TEB","faa":"TEB"}},"workflow":"CHARTER","updatedAt":"{}"}}]}}"#,
            f["blocksOffEstimatedDateTime"].as_str().expect("time"),
            f["blocksOnEstimatedDateTime"].as_str().expect("time"),
            f["updatedAt"].as_str().expect("time"),
        )
    );

    // Default limit 50, offset 0; RFC 3339 bounds with an offset are accepted too.
    let whole = flights_path("2000-01-01T00:00:00.000Z", "2100-01-01T00:00:00.000Z", "");
    let answer = get(&sandbox, A, &whole).await;
    assert_eq!(answer.json["data"], json!(expected(70..=119)));
    let rfc = flights_path(
        &format_time(off).replace(".000Z", "+00:00"),
        &format_time(off + time::Duration::hours(5)).replace(".000Z", "+00:00"),
        "&limit=10",
    );
    let answer = get(&sandbox, A, &rfc).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json, json!({"data": expected(0..=1)}));
    // A window with no flight.
    let empty = flights_path("1999-01-01T00:00:00.000Z", "1999-12-31T00:00:00.000Z", "");
    assert_answer(&get(&sandbox, A, &empty).await, 200, &json!({"data": []}));

    // The filter is required, and checked.
    assert_answer(
        &get(&sandbox, A, "/api/v2/flights?limit=10").await,
        400,
        &spring(400, "Bad Request", "filter is required", "/api/v2/flights"),
    );
    let bad_filters = [
        format!("/api/v2/flights?filter={}", encode("flightId,EQ,5000")),
        format!(
            "/api/v2/flights?filter={}",
            encode("blocksOffEstimatedDateTime,BTW,2024-01-01,2024-01-02")
        ),
        format!(
            "/api/v2/flights?filter={}",
            encode("blocksOffEstimatedDateTime,GT,2024-01-01T00:00:00.000Z")
        ),
    ];
    for path in bad_filters {
        let answer = get(&sandbox, A, &path).await;
        assert_eq!(answer.status, 400, "{path}: {}", answer.text);
        assert_eq!(
            answer.json["message"],
            "filter must be blocksOffEstimatedDateTime,BTW,<from>,<to> with dates as YYYY-MM-DDTHH:mm:ss.SSSZ"
        );
    }

    // limit 10..=50, offset >= 0: the spec's bounds, refused with Bean Validation's words.
    for (limit, message) in [
        ("9", "limit must be greater than or equal to 10"),
        ("51", "limit must be less than or equal to 50"),
        ("0", "limit must be greater than or equal to 10"),
        ("ten", "limit must be of type integer"),
        ("-10", "limit must be greater than or equal to 10"),
    ] {
        let answer = get(
            &sandbox,
            A,
            &flights_path(from, to, &format!("&limit={limit}")),
        )
        .await;
        assert_answer(
            &answer,
            400,
            &spring(400, "Bad Request", message, "/api/v2/flights"),
        );
    }
    for limit in ["10", "50"] {
        let answer = get(
            &sandbox,
            A,
            &flights_path(from, to, &format!("&limit={limit}")),
        )
        .await;
        assert_eq!(answer.status, 200, "limit {limit}");
    }
    let answer = get(&sandbox, A, &flights_path(from, to, "&offset=-1")).await;
    assert_answer(
        &answer,
        400,
        &spring(
            400,
            "Bad Request",
            "offset must be greater than or equal to 0",
            "/api/v2/flights",
        ),
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn permits_slots_and_airports() {
    let sandbox = sandbox(|c| c.flights = 3).await;
    assert_answer(
        &get(&sandbox, A, "/api/v2/flights/5001/permits").await,
        200,
        &json!({"data": [{"id": "P-5001-1", "permitNumber": "AT-123", "status": "OK", "type": "LANDING", "notes": null}]}),
    );
    assert_answer(
        &get(&sandbox, A, "/api/v2/flight-permits/P-5001-1").await,
        200,
        &json!({"id": "P-5001-1", "permitNumber": "AT-123", "status": "OK", "type": "LANDING", "notes": null}),
    );
    assert_answer(
        &get(&sandbox, A, "/api/v2/flights/5002/slots-pprs").await,
        200,
        &json!({"data": [{"id": "S-5002-1", "permitNumber": "SLOT-123", "status": "OK", "type": "SLOT", "direction": "ARRIVAL", "notes": null}]}),
    );
    assert_answer(
        &get(&sandbox, A, "/api/v2/flight-slots-pprs/S-5002-1").await,
        200,
        &json!({"id": "S-5002-1", "permitNumber": "SLOT-123", "status": "OK", "type": "SLOT", "direction": "ARRIVAL", "notes": null}),
    );
    for (path, message) in [
        ("/api/v2/flights/4999/permits", "Flight not found"),
        ("/api/v2/flights/abc/slots-pprs", "Flight not found"),
        ("/api/v2/flight-permits/P-9999-1", "Flight permit not found"),
        ("/api/v2/flight-permits/S-5001-1", "Flight permit not found"),
        (
            "/api/v2/flight-slots-pprs/P-5001-1",
            "Flight slot/PPR not found",
        ),
    ] {
        assert_answer(
            &get(&sandbox, A, path).await,
            404,
            &spring(404, "Not Found", message, path),
        );
    }

    // Airports by id, ICAO, IATA or FAA, case-insensitively.
    let vienna = json!({
        "id": "1",
        "name": "Vienna International Airport",
        "icao": "LOWW",
        "iata": "VIE",
        "faa": null,
        "localIdentifier": null,
        "servedCity": "Vienna",
        "timezone": "Europe/Vienna",
        "location": {"latitude": 48.110278, "longitude": 16.569722},
    });
    for code in ["LOWW", "vie", "1"] {
        let answer = get(&sandbox, B, &format!("/api/v2/airports/{code}")).await;
        assert_answer(&answer, 200, &vienna);
        // The documented field order.
        assert_eq!(
            answer.text,
            r#"{"id":"1","name":"Vienna International Airport","icao":"LOWW","iata":"VIE","faa":null,"localIdentifier":null,"servedCity":"Vienna","timezone":"Europe/Vienna","location":{"latitude":48.110278,"longitude":16.569722}}"#
        );
    }
    let permit = get(&sandbox, A, "/api/v2/flight-permits/P-5000-1").await;
    assert_eq!(
        permit.text,
        r#"{"id":"P-5000-1","permitNumber":"AT-123","status":"OK","type":"LANDING","notes":null}"#
    );
    let teterboro = get(&sandbox, A, "/api/v2/airports/teb").await;
    assert_eq!(teterboro.status, 200);
    assert_eq!(teterboro.json["icao"], "KTEB");
    assert_eq!(teterboro.json["faa"], "TEB");
    assert_eq!(teterboro.json["timezone"], "America/New_York");
    let malta = get(&sandbox, A, "/api/v2/airports/LMML").await;
    assert_eq!(malta.json["iata"], "MLA");
    assert_eq!(
        get(&sandbox, A, "/api/v2/airports/EGLL").await.json["iata"],
        "LHR"
    );
    assert_answer(
        &get(&sandbox, A, "/api/v2/airports/ZZZZ").await,
        404,
        &spring(
            404,
            "Not Found",
            "Airport not found",
            "/api/v2/airports/ZZZZ",
        ),
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn each_token_is_an_operator_with_its_own_data() {
    let sandbox = sandbox(|c| c.flights = 5).await;
    let fl3xx = sandbox.fl3xx();
    let a = fl3xx.flights(A);
    let b = fl3xx.flights(B);
    // Flight ids are one sequence: operator a has 5000..=5004, operator b 5005..=5009.
    let ids = |flights: &[Value]| -> Vec<Value> {
        flights.iter().map(|f| f["flightId"].clone()).collect()
    };
    assert_eq!(
        json!(ids(&a)),
        json!(["5000", "5001", "5002", "5003", "5004"])
    );
    assert_eq!(
        json!(ids(&b)),
        json!(["5005", "5006", "5007", "5008", "5009"])
    );
    assert_eq!(b[0]["flightNumber"], "FLX100");
    assert!(fl3xx.flights("unknown").is_empty());
    assert_ne!(fl3xx.operator_uuid(A), fl3xx.operator_uuid(B));
    assert_eq!(fl3xx.operator_uuid(A), sandbox.fl3xx().operator_uuid(A));
    assert_eq!(fl3xx.operator_uuid("unknown"), None);

    // Each operator lists only its own flights, and cannot read the other's.
    let whole = flights_path("2000-01-01T00:00:00.000Z", "2100-01-01T00:00:00.000Z", "");
    let listed = get(&sandbox, B, &whole).await;
    let mut expected = b.clone();
    expected.reverse();
    assert_eq!(listed.json, json!({"data": expected}));
    assert_eq!(
        get(&sandbox, B, "/api/v2/flights/5000/permits")
            .await
            .status,
        404
    );
    assert_eq!(
        get(&sandbox, A, "/api/v2/flights/5005/permits")
            .await
            .status,
        404
    );
    assert_eq!(
        get(&sandbox, B, "/api/v2/flight-permits/P-5000-1")
            .await
            .status,
        404
    );
    assert_eq!(
        get(&sandbox, B, "/api/v2/flights/5005/permits")
            .await
            .status,
        200
    );

    // Changes stay with their operator.
    assert!(!fl3xx.update_flight_time(B, 5000, 30));
    assert!(!fl3xx.update_flight_time("unknown", 5000, 30));
    assert!(fl3xx.update_flight_time(A, 5000, -90));
    assert_eq!(fl3xx.flights(B), b);
    let moved = &fl3xx.flights(A)[0];
    assert_eq!(
        parse_time(&moved["blocksOffEstimatedDateTime"]),
        parse_time(&a[0]["blocksOffEstimatedDateTime"]) - time::Duration::minutes(90)
    );
    assert_eq!(
        parse_time(&moved["blocksOnEstimatedDateTime"]),
        parse_time(&a[0]["blocksOnEstimatedDateTime"]) - time::Duration::minutes(90)
    );
    assert!(parse_time(&moved["updatedAt"]) > parse_time(&a[0]["updatedAt"]));
    assert_eq!(fl3xx.flights(A)[1], a[1]);

    // A created flight: the next id of the shared sequence, 3 h after the operator's latest.
    let created = fl3xx.create_flight(B).expect("operator b is configured");
    assert_eq!(created, 5010);
    let b_now = fl3xx.flights(B);
    assert_eq!(b_now.len(), 6);
    assert_eq!(b_now[5]["flightId"], "5010");
    assert_eq!(b_now[5]["flightNumber"], "FLX105");
    assert_eq!(
        parse_time(&b_now[5]["blocksOffEstimatedDateTime"]),
        parse_time(&b[4]["blocksOffEstimatedDateTime"]) + time::Duration::hours(3)
    );
    assert_eq!(fl3xx.flights(A).len(), 5);

    // Subscriptions are per operator.
    let id = subscribe(&sandbox, A, "FLIGHT_CREATE", "https://example.com/a", "k").await;
    let listed = get(&sandbox, B, "/api/v2/webhooks/subscriptions").await;
    assert_answer(&listed, 200, &json!({"data": []}));
    let path = format!("/api/v2/webhooks/subscriptions/{id}");
    assert_eq!(get(&sandbox, B, &path).await.status, 404);
    assert_eq!(
        api(&sandbox, B, "DELETE", &path, &Value::Null).await.status,
        404
    );
    assert_eq!(get(&sandbox, A, &path).await.status, 200);
    assert!(!fl3xx.set_subscription_expiry(B, &id, OffsetDateTime::now_utc()));

    // Crew qualifications too: each operator has its own seeded pair.
    let filter = format!("?filter={}", encode("crewId,EQ,77"));
    let of_a = get(
        &sandbox,
        A,
        &format!("/api/v2/external/crew-qualifications{filter}"),
    )
    .await;
    let of_b = get(
        &sandbox,
        B,
        &format!("/api/v2/external/crew-qualifications{filter}"),
    )
    .await;
    assert_eq!(of_a.json["data"][0]["id"], "101");
    assert_eq!(of_b.json["data"][0]["id"], "103");
    assert_eq!(
        get(&sandbox, B, "/api/v2/external/crew-qualifications/101")
            .await
            .status,
        404
    );
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Fuel prices

#[tokio::test]
async fn fuel_prices_crud_validation_and_partner_permission() {
    let sandbox = sandbox(|_| {}).await;
    let at = |code: &str| format!("/api/v2/partners/airports/{code}/fuel-prices");
    assert_answer(
        &get(&sandbox, A, &at("LOWW")).await,
        200,
        &json!({"data": []}),
    );

    let price = json!({
        "fboName": "Vienna FBO",
        "contractorName": "Demo Fuel",
        "currency": "EUR",
        "unit": "LITER",
        "volumeFrom": 0,
        "volumeTo": 5000,
        "pricingPrivate": {"price": 1.95, "priceIndex": null},
        "remarks": "24h"
    });
    let stored = api(&sandbox, A, "PUT", &at("LOWW"), &price).await;
    let mut expected = price.clone();
    expected["id"] = json!("FP-1");
    assert_answer(&stored, 200, &expected);
    // Any code of the airport finds it.
    assert_answer(
        &get(&sandbox, A, &at("vie")).await,
        200,
        &json!({"data": [expected.clone()]}),
    );
    assert_answer(
        &get(&sandbox, A, &at("LMML")).await,
        200,
        &json!({"data": []}),
    );

    // The spec documents one object per call: an array is refused as Spring refuses a body
    // it cannot read into the documented type. An `id` sent is ignored.
    let more = [
        json!({"id": "mine", "fboName": "Malta FBO", "contractorName": "Island Fuel", "currency": "USD", "unit": "GALLON_USA"}),
        json!({"fboName": "Malta FBO 2", "contractorName": "Island Fuel", "currency": "EUR", "unit": "LITER"}),
    ];
    let array = api(&sandbox, A, "PUT", &at("MLA"), &json!(more)).await;
    assert_answer(
        &array,
        400,
        &json!({
            "status": 400,
            "error": "Bad Request",
            "message": "Malformed JSON request body",
            "path": "/api/v2/partners/airports/MLA/fuel-prices"
        }),
    );
    for (price, id) in more.iter().zip(["FP-2", "FP-3"]) {
        let stored = api(&sandbox, A, "PUT", &at("MLA"), price).await;
        let mut expected = price.clone();
        expected["id"] = json!(id);
        assert_answer(&stored, 200, &expected);
    }

    // Validation: 422 with every failing field.
    let bad = json!({"fboName": "X", "contractorName": "Y", "currency": "GBP", "unit": "LITER"});
    let answer = api(&sandbox, A, "PUT", &at("LOWW"), &bad).await;
    assert_answer(
        &answer,
        422,
        &json!({
            "status": 422,
            "error": "Unprocessable Entity",
            "message": "Validation failed",
            "errors": [{"field": "currency", "message": "must be EUR or USD"}],
            "path": "/api/v2/partners/airports/LOWW/fuel-prices"
        }),
    );
    assert_eq!(
        answer.text,
        r#"{"status":422,"error":"Unprocessable Entity","message":"Validation failed","errors":[{"field":"currency","message":"must be EUR or USD"}],"path":"/api/v2/partners/airports/LOWW/fuel-prices"}"#
    );
    let answer = api(
        &sandbox,
        A,
        "PUT",
        &at("LOWW"),
        &json!({"unit": "KG", "volumeFrom": "1"}),
    )
    .await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        answer.json["errors"],
        json!([
            {"field": "fboName", "message": "must not be blank"},
            {"field": "contractorName", "message": "must not be blank"},
            {"field": "currency", "message": "must be EUR or USD"},
            {"field": "unit", "message": "must be LITER or GALLON_USA"},
            {"field": "volumeFrom", "message": "must be a number"}
        ])
    );
    let answer = api(
        &sandbox,
        A,
        "PUT",
        &at("LOWW"),
        &json!([price.clone(), {"fboName": "Z"}]),
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.text);
    assert_eq!(answer.json["message"], "Malformed JSON request body");
    // Nothing stored by a failed PUT; an unknown airport is 404 once the body is valid.
    assert_eq!(
        get(&sandbox, A, &at("LOWW")).await.json["data"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_answer(
        &api(&sandbox, A, "PUT", &at("EGSK"), &price).await,
        404,
        &spring(404, "Not Found", "Airport not found", &at("EGSK")),
    );
    // Bodies: none, not JSON, or not JSON-typed.
    let answer = api(&sandbox, A, "PUT", &at("LOWW"), &Value::Null).await;
    assert_answer(
        &answer,
        400,
        &spring(
            400,
            "Bad Request",
            "Required request body is missing",
            &at("LOWW"),
        ),
    );
    let url = format!("{}{}", sandbox.fl3xx_url(), at("LOWW"));
    let auth = [("X-Api-Client-Id", CLIENT), ("X-Auth-Token", A)];
    let answer = call(
        "PUT",
        &url,
        &[auth[0], auth[1], ("content-type", "text/plain")],
        "{}",
    )
    .await;
    assert_answer(
        &answer,
        415,
        &spring(
            415,
            "Unsupported Media Type",
            "Content-Type 'text/plain' is not supported",
            &at("LOWW"),
        ),
    );
    let answer = call(
        "PUT",
        &url,
        &[auth[0], auth[1], ("content-type", "application/json")],
        "{",
    )
    .await;
    assert_answer(
        &answer,
        400,
        &spring(
            400,
            "Bad Request",
            "Malformed JSON request body",
            &at("LOWW"),
        ),
    );

    // Update one by id.
    let changed = json!({"fboName": "Vienna FBO", "contractorName": "Demo Fuel", "currency": "EUR", "unit": "LITER", "pricingPrivate": {"price": 1.89}});
    let answer = api(
        &sandbox,
        A,
        "PUT",
        "/api/v2/partners/airport-fuel-prices/FP-1",
        &changed,
    )
    .await;
    let mut expected = changed.clone();
    expected["id"] = json!("FP-1");
    assert_answer(&answer, 200, &expected);
    assert_eq!(
        get(&sandbox, A, &at("LOWW")).await.json,
        json!({"data": [expected]})
    );
    assert_answer(
        &api(
            &sandbox,
            A,
            "PUT",
            "/api/v2/partners/airport-fuel-prices/FP-99",
            &changed,
        )
        .await,
        404,
        &spring(
            404,
            "Not Found",
            "Fuel price not found",
            "/api/v2/partners/airport-fuel-prices/FP-99",
        ),
    );
    let answer = api(
        &sandbox,
        A,
        "PUT",
        "/api/v2/partners/airport-fuel-prices/FP-1",
        &json!({"currency": "EUR"}),
    )
    .await;
    assert_eq!(answer.status, 422);

    // Bulk delete by ids (unknown ids are ignored), then every price at one airport.
    let answer = api(
        &sandbox,
        A,
        "DELETE",
        "/api/v2/partners/airport-fuel-prices",
        &json!({"ids": ["FP-2", "FP-42"]}),
    )
    .await;
    assert_eq!(answer.status, 204, "{}", answer.text);
    assert!(answer.text.is_empty());
    assert_eq!(
        get(&sandbox, A, &at("LMML")).await.json["data"][0]["id"],
        "FP-3"
    );
    let answer = api(
        &sandbox,
        A,
        "DELETE",
        "/api/v2/partners/airport-fuel-prices",
        &json!({"id": "FP-3"}),
    )
    .await;
    assert_answer(
        &answer,
        400,
        &spring(
            400,
            "Bad Request",
            "ids is required",
            "/api/v2/partners/airport-fuel-prices",
        ),
    );
    let answer = api(&sandbox, A, "DELETE", &at("MLA"), &Value::Null).await;
    assert_eq!(answer.status, 204);
    assert_answer(
        &get(&sandbox, A, &at("LMML")).await,
        200,
        &json!({"data": []}),
    );
    let answer = api(
        &sandbox,
        A,
        "DELETE",
        "/api/v2/partners/airport-fuel-prices?ids=FP-1",
        &Value::Null,
    )
    .await;
    assert_eq!(answer.status, 204);
    assert_answer(
        &get(&sandbox, A, &at("LOWW")).await,
        200,
        &json!({"data": []}),
    );

    // Operator b lacks the partner permission: 403 on every partner route, no Retry-After.
    for (method, path, body) in [
        ("GET", at("LOWW"), Value::Null),
        ("PUT", at("LOWW"), price.clone()),
        ("DELETE", at("LOWW"), Value::Null),
        (
            "PUT",
            "/api/v2/partners/airport-fuel-prices/FP-1".to_owned(),
            price.clone(),
        ),
        (
            "DELETE",
            "/api/v2/partners/airport-fuel-prices".to_owned(),
            json!({"ids": ["FP-1"]}),
        ),
    ] {
        let answer = api(&sandbox, B, method, &path, &body).await;
        assert_answer(
            &answer,
            403,
            &spring(
                403,
                "Forbidden",
                "Access denied: partner permission missing",
                &path,
            ),
        );
        assert_eq!(answer.header("retry-after"), None);
    }
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Webhook subscriptions

#[tokio::test]
async fn subscription_crud_https_rule_and_renewal_window() {
    let sandbox = sandbox(|_| {}).await;
    let fl3xx = sandbox.fl3xx();
    const SUBS: &str = "/api/v2/webhooks/subscriptions";
    let before = OffsetDateTime::now_utc() - time::Duration::milliseconds(1);
    let body = json!({"event": "FLIGHT_TIME_UPDATE", "callbackUrl": "https://example.com/hook", "signingKey": "s3cret"});
    let created = api(&sandbox, A, "POST", SUBS, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let at = parse_time(&created.json["createdAtDateTime"]);
    assert!(at >= before && at <= OffsetDateTime::now_utc());
    // Expiry: one calendar month after creation.
    let expires = parse_time(&created.json["expirationDateTime"]);
    assert!(expires - at >= time::Duration::days(28) && expires - at <= time::Duration::days(31));
    assert_eq!(expires.time(), at.time());
    if at.day() <= 28 {
        assert_eq!(expires.day(), at.day());
    }
    let subscription = json!({
        "id": "WS-1",
        "event": "FLIGHT_TIME_UPDATE",
        "callbackUrl": "https://example.com/hook",
        "status": "ACTIVE",
        "createdAtDateTime": created.json["createdAtDateTime"],
        "updatedAtDateTime": created.json["createdAtDateTime"],
        "expirationDateTime": created.json["expirationDateTime"],
    });
    assert_eq!(created.json, subscription);
    assert!(!created.text.contains("s3cret"));
    assert!(
        created.text.starts_with(
            r#"{"id":"WS-1","event":"FLIGHT_TIME_UPDATE","callbackUrl":"https://example.com/hook","status":"ACTIVE","createdAtDateTime":""#
        ),
        "{}",
        created.text
    );

    // Loopback http is the sandbox's exception to the https rule.
    for url in [
        "http://127.0.0.1:9/cb",
        "http://localhost:9/cb",
        "http://[::1]:9/cb",
    ] {
        let body = json!({"event": "FLIGHT_CREATE", "callbackUrl": url, "signingKey": "k"});
        assert_eq!(
            api(&sandbox, A, "POST", SUBS, &body).await.status,
            201,
            "{url}"
        );
    }
    for (body, message) in [
        (
            json!({"event": "FLIGHT_CREATE", "callbackUrl": "http://example.com/cb", "signingKey": "k"}),
            "callbackUrl must be an https URL",
        ),
        (
            json!({"event": "FLIGHT_CREATE", "callbackUrl": "ftp://127.0.0.1/cb", "signingKey": "k"}),
            "callbackUrl must be an https URL",
        ),
        (
            json!({"event": "FLIGHT_CREATE", "callbackUrl": "example.com", "signingKey": "k"}),
            "callbackUrl must be an https URL",
        ),
        (
            json!({"callbackUrl": "https://example.com", "signingKey": "k"}),
            "event is required",
        ),
        (
            json!({"event": "FLIGHT_CREATE", "signingKey": "k"}),
            "callbackUrl is required",
        ),
        (
            json!({"event": "FLIGHT_CREATE", "callbackUrl": "https://example.com", "signingKey": ""}),
            "signingKey is required",
        ),
        (
            json!({"event": "FLIGHT_UPDATE", "callbackUrl": "https://example.com", "signingKey": "k"}),
            "Unsupported event type 'FLIGHT_UPDATE'",
        ),
    ] {
        assert_answer(
            &api(&sandbox, A, "POST", SUBS, &body).await,
            400,
            &spring(400, "Bad Request", message, SUBS),
        );
    }
    // Every subscribable event is accepted.
    for event in [
        "FLIGHT_CANCEL",
        "FLIGHT_AIRCRAFT_UPDATE",
        "FLIGHT_AIRPORT_UPDATE",
        "FLIGHT_POST_FLIGHT_STATUS",
        "FLIGHT_MOVEMENT_UPDATE",
        "FLIGHT_PAX_COUNT_UPDATE",
        "FLIGHT_PAX_LIST_UPDATE",
        "FLIGHT_PERMIT_ASSIGNMENT",
        "FLIGHT_PERMIT_UNASSIGNMENT",
        "FLIGHT_SLOT_PPR_ASSIGNMENT",
        "FLIGHT_SLOT_PPR_UNASSIGNMENT",
        // 2.4.0, SEEN in reference/v2/webhooks.md's group events.
        "FLIGHT_FBO_ASSIGNMENT",
        "FLIGHT_FBO_UNASSIGNMENT",
        "FLIGHT_TRANSPORT_ASSIGNMENT",
        "FLIGHT_TRANSPORT_UNASSIGNMENT",
    ] {
        let body = json!({"event": event, "callbackUrl": "https://example.com", "signingKey": "k"});
        assert_eq!(
            api(&sandbox, B, "POST", SUBS, &body).await.status,
            201,
            "{event}"
        );
    }

    // List, get.
    let listed = get(&sandbox, A, SUBS).await;
    assert_eq!(listed.status, 200);
    let data = listed.json["data"].as_array().expect("data");
    assert_eq!(data.len(), 4);
    assert_eq!(data[0], subscription);
    assert_eq!(data[3]["callbackUrl"], "http://[::1]:9/cb");
    assert_answer(
        &get(&sandbox, A, &format!("{SUBS}/WS-1")).await,
        200,
        &subscription,
    );

    // Patch the status and the URL.
    let patched = api(
        &sandbox,
        A,
        "PATCH",
        &format!("{SUBS}/WS-1"),
        &json!({"status": "INACTIVE", "callbackUrl": "https://example.org/new"}),
    )
    .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json["status"], "INACTIVE");
    assert_eq!(patched.json["callbackUrl"], "https://example.org/new");
    assert_eq!(
        patched.json["createdAtDateTime"],
        subscription["createdAtDateTime"]
    );
    assert!(parse_time(&patched.json["updatedAtDateTime"]) >= at);
    let patched = api(
        &sandbox,
        A,
        "PATCH",
        &format!("{SUBS}/WS-1"),
        &json!({"status": "ACTIVE"}),
    )
    .await;
    assert_eq!(patched.json["status"], "ACTIVE");
    assert_eq!(patched.json["callbackUrl"], "https://example.org/new");
    for (body, message) in [
        (
            json!({"status": "PAUSED"}),
            "status must be ACTIVE or INACTIVE",
        ),
        (
            json!({"callbackUrl": "http://example.org"}),
            "callbackUrl must be an https URL",
        ),
    ] {
        assert_answer(
            &api(&sandbox, A, "PATCH", &format!("{SUBS}/WS-1"), &body).await,
            400,
            &spring(400, "Bad Request", message, &format!("{SUBS}/WS-1")),
        );
    }

    // Renewal: refused outside the last 5 days before expiry.
    let renew = format!("{SUBS}/WS-1/renewals");
    let closed = spring(
        400,
        "Bad Request",
        "Renewal is only allowed within the last 5 days before expiration",
        &renew,
    );
    assert_answer(
        &api(&sandbox, A, "POST", &renew, &Value::Null).await,
        400,
        &closed,
    );
    let now = OffsetDateTime::now_utc();
    let soon = (now + time::Duration::days(6))
        .replace_millisecond(0)
        .expect("ms");
    assert!(fl3xx.set_subscription_expiry(A, "WS-1", soon));
    assert_eq!(
        get(&sandbox, A, &format!("{SUBS}/WS-1")).await.json["expirationDateTime"],
        format_time(soon)
    );
    assert_answer(
        &api(&sandbox, A, "POST", &renew, &Value::Null).await,
        400,
        &closed,
    );
    // Inside the window: now + 4 days.
    let expiry = (now + time::Duration::days(4))
        .replace_millisecond(0)
        .expect("ms");
    assert!(fl3xx.set_subscription_expiry(A, "WS-1", expiry));
    let renewed = api(&sandbox, A, "POST", &renew, &Value::Null).await;
    assert_eq!(renewed.status, 200, "{}", renewed.text);
    let new_expiry = parse_time(&renewed.json["expirationDateTime"]);
    assert!(
        new_expiry - expiry >= time::Duration::days(28)
            && new_expiry - expiry <= time::Duration::days(31)
    );
    assert_eq!(new_expiry.time(), expiry.time());
    assert_eq!(renewed.json["id"], "WS-1");
    // Renewing again is too early; an expired subscription cannot be renewed.
    assert_answer(
        &api(&sandbox, A, "POST", &renew, &Value::Null).await,
        400,
        &closed,
    );
    assert!(fl3xx.set_subscription_expiry(A, "WS-1", now - time::Duration::hours(1)));
    assert_answer(
        &api(&sandbox, A, "POST", &renew, &Value::Null).await,
        400,
        &closed,
    );
    assert!(!fl3xx.set_subscription_expiry(A, "WS-99", now));
    assert!(!fl3xx.set_subscription_expiry("unknown", "WS-1", now));

    // Delete.
    let deleted = api(&sandbox, A, "DELETE", &format!("{SUBS}/WS-1"), &Value::Null).await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.text.is_empty());
    let missing = spring(
        404,
        "Not Found",
        "Webhook subscription not found",
        &format!("{SUBS}/WS-1"),
    );
    assert_answer(
        &get(&sandbox, A, &format!("{SUBS}/WS-1")).await,
        404,
        &missing,
    );
    assert_answer(
        &api(&sandbox, A, "DELETE", &format!("{SUBS}/WS-1"), &Value::Null).await,
        404,
        &missing,
    );
    assert_answer(
        &api(&sandbox, A, "PATCH", &format!("{SUBS}/WS-1"), &json!({})).await,
        404,
        &missing,
    );
    assert_eq!(
        api(
            &sandbox,
            A,
            "POST",
            &format!("{SUBS}/WS-1/renewals"),
            &Value::Null
        )
        .await
        .status,
        404
    );
    assert_eq!(
        get(&sandbox, A, SUBS).await.json["data"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Webhook deliveries

#[tokio::test]
async fn flight_changes_are_delivered_signed_to_active_subscriptions() {
    let (url, shared) = receiver(&[]).await;
    let sandbox = sandbox(|c| c.flights = 10).await;
    let fl3xx = sandbox.fl3xx();
    let time_update = subscribe(&sandbox, A, "FLIGHT_TIME_UPDATE", &url, "key-time").await;
    let create = subscribe(&sandbox, A, "FLIGHT_CREATE", &url, "key-create").await;
    let inactive = subscribe(&sandbox, A, "FLIGHT_TIME_UPDATE", &url, "key-off").await;
    let patched = api(
        &sandbox,
        A,
        "PATCH",
        &format!("/api/v2/webhooks/subscriptions/{inactive}"),
        &json!({"status": "INACTIVE"}),
    )
    .await;
    assert_eq!(patched.status, 200);
    let expired = subscribe(&sandbox, A, "FLIGHT_TIME_UPDATE", &url, "key-old").await;
    assert!(fl3xx.set_subscription_expiry(
        A,
        &expired,
        OffsetDateTime::now_utc() - time::Duration::seconds(1)
    ));
    let other_operator = subscribe(&sandbox, B, "FLIGHT_TIME_UPDATE", &url, "key-b").await;
    assert_eq!(
        [
            time_update.as_str(),
            create.as_str(),
            inactive.as_str(),
            expired.as_str(),
            other_operator.as_str()
        ],
        ["WS-1", "WS-2", "WS-3", "WS-4", "WS-5"]
    );

    let before = OffsetDateTime::now_utc();
    let flight = fl3xx.flights(A)[3].clone();
    assert!(fl3xx.update_flight_time(A, 5003, 45));
    assert!(fl3xx.wait_for_deliveries(1, Duration::from_secs(5)).await);
    // Only the one active, unexpired FLIGHT_TIME_UPDATE subscription of operator a.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let deliveries = fl3xx.deliveries();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    let delivery = &deliveries[0];
    let got = received(&shared);
    assert_eq!(got.len(), 1);
    let sent = &got[0];
    assert_eq!(
        sent.headers.get("content-type").map(|v| v.as_bytes()),
        Some(&b"application/json"[..])
    );
    let signature = sent
        .headers
        .get("x-webhook-signature")
        .and_then(|v| v.to_str().ok())
        .expect("signed");
    assert_eq!(signature, hmac_hex("key-time", &sent.body));
    assert_eq!(signature.len(), 64);
    assert!(
        signature
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
    assert_eq!(
        delivery,
        &WebhookDeliveryRecord {
            subscription_id: "WS-1".into(),
            callback_url: url.clone(),
            body: String::from_utf8(sent.body.to_vec()).expect("utf-8"),
            signature: signature.to_owned(),
            status: Some(200),
            attempts: 1,
        }
    );
    let body: Value = serde_json::from_slice(&sent.body).expect("JSON");
    let operator_uuid = fl3xx.operator_uuid(A).expect("operator a");
    assert_eq!(
        body,
        json!({
            "eventId": body["eventId"],
            "resourceId": 5003,
            "operatorUuid": operator_uuid,
            "event": "FLIGHT_TIME_UPDATE",
            "timestamp": body["timestamp"],
            "resourceType": "FLIGHT"
        })
    );
    // The documented field order, the id a number, the timestamp epoch milliseconds.
    let event_id = body["eventId"].as_str().expect("eventId");
    let timestamp = body["timestamp"].as_i64().expect("a number");
    assert_eq!(
        delivery.body,
        format!(
            r#"{{"eventId":"{event_id}","resourceId":5003,"operatorUuid":"{operator_uuid}","event":"FLIGHT_TIME_UPDATE","timestamp":{timestamp},"resourceType":"FLIGHT"}}"#
        )
    );
    assert_eq!(event_id.len(), 36);
    assert_eq!(
        event_id.split('-').map(str::len).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12]
    );
    let before_ms = i64::try_from(before.unix_timestamp_nanos() / 1_000_000).expect("ms");
    assert!(
        timestamp >= before_ms && timestamp <= before_ms + 5_000,
        "{timestamp}"
    );
    // The flight moved and reads as changed.
    let moved = &fl3xx.flights(A)[3];
    assert_eq!(
        parse_time(&moved["blocksOffEstimatedDateTime"]),
        parse_time(&flight["blocksOffEstimatedDateTime"]) + time::Duration::minutes(45)
    );
    assert_ne!(moved["updatedAt"], flight["updatedAt"]);

    // A created flight goes to the FLIGHT_CREATE subscription, with its own key.
    let id = fl3xx.create_flight(A).expect("operator a is configured");
    assert_eq!(id, 5020);
    assert!(fl3xx.wait_for_deliveries(2, Duration::from_secs(5)).await);
    let delivery = &fl3xx.deliveries()[1];
    assert_eq!(delivery.subscription_id, "WS-2");
    assert_eq!(
        delivery.signature,
        hmac_hex("key-create", delivery.body.as_bytes())
    );
    let body: Value = serde_json::from_str(&delivery.body).expect("JSON");
    assert_eq!(body["event"], "FLIGHT_CREATE");
    assert_eq!(body["resourceId"], 5020);
    assert_ne!(body["eventId"], event_id);

    // Operator b's subscriber hears b's changes only, with b's operator uuid.
    assert!(fl3xx.update_flight_time(B, 5010, 5));
    assert!(fl3xx.wait_for_deliveries(3, Duration::from_secs(5)).await);
    let delivery = &fl3xx.deliveries()[2];
    assert_eq!(delivery.subscription_id, "WS-5");
    let body: Value = serde_json::from_str(&delivery.body).expect("JSON");
    assert_eq!(body["operatorUuid"], fl3xx.operator_uuid(B).expect("b"));
    assert_eq!(body["resourceId"], 5010);
    assert_eq!(received(&shared).len(), 3);

    // Unknown flights fire nothing.
    assert!(!fl3xx.update_flight_time(A, 5010, 5));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn failed_deliveries_are_retried_three_times() {
    let (url, shared) = receiver(&[500, 503]).await;
    let (failing, failing_shared) = receiver(&[500, 500, 500, 500]).await;
    let unreachable = crate::common::refused_url("/cb");
    let sandbox = sandbox(|c| c.flights = 2).await;
    let fl3xx = sandbox.fl3xx();
    subscribe(&sandbox, A, "FLIGHT_TIME_UPDATE", &url, "k1").await;
    subscribe(&sandbox, A, "FLIGHT_TIME_UPDATE", &failing, "k2").await;
    subscribe(&sandbox, A, "FLIGHT_TIME_UPDATE", &unreachable, "k3").await;
    // https callbacks are accepted but the sandbox cannot reach them.
    subscribe(
        &sandbox,
        A,
        "FLIGHT_TIME_UPDATE",
        "https://127.0.0.1:9/cb",
        "k4",
    )
    .await;
    assert!(fl3xx.update_flight_time(A, 5000, 10));
    assert!(fl3xx.wait_for_deliveries(4, Duration::from_secs(10)).await);
    let mut deliveries = fl3xx.deliveries();
    deliveries.sort_by(|a, b| a.subscription_id.cmp(&b.subscription_id));
    let outcome: Vec<(&str, Option<u16>, u32)> = deliveries
        .iter()
        .map(|d| (d.subscription_id.as_str(), d.status, d.attempts))
        .collect();
    assert_eq!(
        outcome,
        [
            ("WS-1", Some(200), 3),
            ("WS-2", Some(500), 3),
            ("WS-3", None, 3),
            ("WS-4", None, 3),
        ]
    );
    // One event: the same body, one eventId, each signed with its own key.
    let bodies: Vec<&str> = deliveries.iter().map(|d| d.body.as_str()).collect();
    assert!(bodies.iter().all(|b| *b == bodies[0]));
    for (delivery, key) in deliveries.iter().zip(["k1", "k2", "k3", "k4"]) {
        assert_eq!(delivery.signature, hmac_hex(key, delivery.body.as_bytes()));
    }
    let got = received(&shared);
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|r| r.body == got[0].body));
    assert_eq!(received(&failing_shared).len(), 3);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn shutdown_cancels_pending_deliveries() {
    let (url, shared) = receiver(&[500, 500]).await;
    let sandbox = sandbox(|c| c.flights = 1).await;
    let fl3xx = sandbox.fl3xx();
    subscribe(&sandbox, A, "FLIGHT_TIME_UPDATE", &url, "k").await;
    assert!(fl3xx.update_flight_time(A, 5000, 10));
    tokio::time::sleep(Duration::from_millis(100)).await;
    sandbox.shutdown().await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(received(&shared).len(), 1);
    assert!(fl3xx.deliveries().is_empty());
}

// ---------------------------------------------------------------------------------------
// Fair use

#[tokio::test]
async fn fair_use_limit_is_403_with_retry_after_until_the_window_resets() {
    let sandbox = sandbox(|c| {
        c.fair_use_limit = 3;
        c.fair_use_window = Duration::from_millis(1500);
    })
    .await;
    // Refused (401) requests do not count: they have no operator.
    let url = format!("{}/api/v2/airports/LOWW", sandbox.fl3xx_url());
    for _ in 0..5 {
        assert_eq!(call("GET", &url, &[], "").await.status, 401);
    }
    for path in [
        "/api/v2/airports/LOWW",
        "/api/v2/nope",
        "/api/v2/airports/ZZZZ",
    ] {
        let answer = get(&sandbox, A, path).await;
        assert_ne!(answer.status, 403, "{}", answer.text);
        assert_eq!(answer.header("retry-after"), None);
    }
    let throttled = get(&sandbox, A, "/api/v2/airports/LOWW").await;
    assert_answer(
        &throttled,
        403,
        &spring(
            403,
            "Forbidden",
            "Rate limit exceeded: fair use policy",
            "/api/v2/airports/LOWW",
        ),
    );
    let retry_after: u64 = throttled
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    // Still throttled, on every route; the other operator is not.
    assert_eq!(
        get(&sandbox, A, "/api/v2/webhooks/subscriptions")
            .await
            .status,
        403
    );
    assert_eq!(get(&sandbox, B, "/api/v2/airports/LOWW").await.status, 200);
    // After the window, allowed again.
    sandbox.clock().advance(Duration::from_millis(1600));
    assert_eq!(get(&sandbox, A, "/api/v2/airports/LOWW").await.status, 200);
    let statuses = RecordedRequest::statuses(&sandbox.fl3xx().requests());
    assert_eq!(
        statuses,
        [401, 401, 401, 401, 401, 200, 404, 404, 403, 403, 200, 200]
    );
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Crew qualifications and types

#[tokio::test]
async fn crew_qualifications_and_types() {
    let sandbox = sandbox(|_| {}).await;
    const LIST: &str = "/api/v2/external/crew-qualifications";
    let of = |crew: &str| format!("{LIST}?filter={}", encode(&format!("crewId,EQ,{crew}")));
    let seeded = get(&sandbox, A, &of("77")).await;
    assert_answer(
        &seeded,
        200,
        &json!({"data": [
            {
                "id": "101", "crewId": "77", "qualificationTypeId": "1",
                "licenseNumber": "AT.FCL.12345", "issuingAuthority": "Austro Control", "country": "AUT",
                "issueDate": "2023-03-01", "expiryDate": "2028-03-01", "trainingStartDate": null,
                "notes": null, "isPilotInCommand": true, "baseMonth": "MARCH"
            },
            {
                "id": "102", "crewId": "77", "qualificationId": "2",
                "licenseNumber": null, "issuingAuthority": "Austro Control", "country": "AUT",
                "issueDate": "2025-01-15", "expiryDate": "2026-01-15", "trainingStartDate": "2024-12-01",
                "notes": "Class 1", "isPilotInCommand": false, "baseMonth": "JANUARY"
            }
        ]}),
    );
    let paged = get(&sandbox, A, &format!("{}&limit=1&offset=1", of("77"))).await;
    assert_eq!(paged.json["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(paged.json["data"][0]["id"], "102");
    assert_answer(
        &get(&sandbox, A, &of("78")).await,
        200,
        &json!({"data": []}),
    );
    assert_answer(
        &get(&sandbox, A, LIST).await,
        400,
        &spring(400, "Bad Request", "filter is required", LIST),
    );
    let answer = get(
        &sandbox,
        A,
        &format!("{LIST}?filter={}", encode("crewId,BTW,1,2")),
    )
    .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.json["message"], "filter must be crewId,EQ,<id>");

    // Create with the 2.0.0 name; stored and answered as qualificationTypeId.
    let body = json!({"crewId": 78, "qualificationId": "2", "issueDate": "2025-06-01", "isPilotInCommand": false});
    let created = api(&sandbox, A, "POST", LIST, &body).await;
    let stored = json!({
        "id": "105", "crewId": "78", "qualificationTypeId": "2",
        "licenseNumber": null, "issuingAuthority": null, "country": null,
        "issueDate": "2025-06-01", "expiryDate": null, "trainingStartDate": null,
        "notes": null, "isPilotInCommand": false, "baseMonth": null
    });
    assert_answer(&created, 200, &stored);
    assert_answer(
        &get(&sandbox, A, &of("78")).await,
        200,
        &json!({"data": [stored.clone()]}),
    );
    assert_answer(
        &get(&sandbox, A, &format!("{LIST}/105")).await,
        200,
        &stored,
    );
    let answer = api(
        &sandbox,
        A,
        "POST",
        LIST,
        &json!({"qualificationTypeId": "9", "issueDate": "2025-13-01"}),
    )
    .await;
    assert_answer(
        &answer,
        422,
        &json!({
            "status": 422,
            "error": "Unprocessable Entity",
            "message": "Validation failed",
            "errors": [
                {"field": "crewId", "message": "must not be null"},
                {"field": "qualificationTypeId", "message": "unknown qualification type"},
                {"field": "issueDate", "message": "must be a date YYYY-MM-DD"}
            ],
            "path": LIST
        }),
    );

    // Patch (the 2.0.0 name replaces the stored one), delete.
    let patched = api(
        &sandbox,
        A,
        "PATCH",
        &format!("{LIST}/102"),
        &json!({"qualificationId": "1", "notes": "renewed"}),
    )
    .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json["qualificationTypeId"], "1");
    assert_eq!(patched.json.get("qualificationId"), None);
    assert_eq!(patched.json["notes"], "renewed");
    assert_eq!(patched.json["baseMonth"], "JANUARY");
    let answer = api(
        &sandbox,
        A,
        "PATCH",
        &format!("{LIST}/102"),
        &json!({"baseMonth": "Jan"}),
    )
    .await;
    assert_eq!(answer.status, 422);
    let deleted = api(&sandbox, A, "DELETE", &format!("{LIST}/101"), &Value::Null).await;
    assert_eq!(deleted.status, 204);
    let missing = spring(
        404,
        "Not Found",
        "Crew qualification not found",
        &format!("{LIST}/101"),
    );
    assert_answer(
        &get(&sandbox, A, &format!("{LIST}/101")).await,
        404,
        &missing,
    );
    assert_answer(
        &api(&sandbox, A, "PATCH", &format!("{LIST}/101"), &json!({})).await,
        404,
        &missing,
    );

    // Qualification types, one at the 2.4.0 and at the 2.0.0 path.
    let types = get(&sandbox, A, "/api/v2/external/qualification-types").await;
    assert_eq!(types.status, 200);
    let list = types.json["data"].as_array().expect("data").clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["id"], "1");
    assert_eq!(list[0]["abbreviation"], "ATPL");
    assert_eq!(list[1]["validity"], json!({"unit": "MONTHS", "value": 12}));
    assert_answer(
        &get(&sandbox, B, "/api/v2/qualification-types/2").await,
        200,
        &list[1],
    );
    // The path before 2.4.0 is not in the spec: refused like any path.
    let old = "/api/v2/external/qualification-types/2";
    assert_eq!(get(&sandbox, B, old).await.status, 404);
    assert_answer(
        &get(&sandbox, A, "/api/v2/qualification-types/3").await,
        404,
        &spring(
            404,
            "Not Found",
            "Qualification type not found",
            "/api/v2/qualification-types/3",
        ),
    );
    let paged = get(&sandbox, A, "/api/v2/external/qualification-types?limit=1").await;
    assert_eq!(paged.json["data"].as_array().map(Vec::len), Some(1));
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// API v1

/// A v1 GET: the token alone, as `fl3xx::V1Client` sends it.
async fn v1(sandbox: &Sandbox, token: &str, path: &str) -> Answer {
    let url = format!("{}{path}", sandbox.fl3xx_url());
    call(
        "GET",
        &url,
        &[("X-Auth-Token", token), ("accept", "application/json")],
        "",
    )
    .await
}

#[tokio::test]
async fn v1_reads_take_the_token_alone() {
    let sandbox = sandbox(|c| c.flights = 6).await;
    let fl3xx = sandbox.fl3xx();
    let today = OffsetDateTime::now_utc().date();
    let day = |d: time::Date| d.to_string();
    let window = format!(
        "/api/external/flight/flights?from={}&to={}&include=ALL&timeZone=UTC",
        day(today - time::Duration::days(3)),
        day(today + time::Duration::days(3))
    );

    // Flights: a bare array, oldest first, ids as numbers; the v2 list's flights.
    let listed = v1(&sandbox, A, &window).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let v2 = fl3xx.flights(A);
    let items = listed.json.as_array().expect("a bare array");
    assert_eq!(items.len(), 6);
    let first = &v2[0];
    let now = OffsetDateTime::now_utc();
    let status = |off: &Value, on: &Value| {
        if now < parse_time(off) {
            "Scheduled"
        } else if now < parse_time(on) {
            "Off Block"
        } else {
            "On Block"
        }
    };
    let expected = json!({
        "flightId": 5000, "accountId": 9003, "accountName": "Hudson Executive LLC",
        "accountReference": "ACC-9003", "bookingIdentifier": "B-5000",
        "flightNumber": first["flightNumber"], "registrationNumber": "OE-FXA",
        "aircraftCategory": "MIDSIZE_JET", "airportFrom": "LOWW", "airportTo": "LMML",
        "blockOffEstUTC": first["blocksOffEstimatedDateTime"],
        "blockOnEstUTC": first["blocksOnEstimatedDateTime"],
        "flightStatus": status(&first["blocksOffEstimatedDateTime"], &first["blocksOnEstimatedDateTime"]),
        "postFlightClosed": false, "workflowCustomName": "Charter", "paxReferences": []
    });
    assert_eq!(items[0], expected);
    let ids: Vec<&Value> = items.iter().map(|f| &f["flightId"]).collect();
    assert_eq!(ids, [5000, 5001, 5002, 5003, 5004, 5005]);
    let one = v1(&sandbox, A, "/api/external/flight/5000").await;
    assert_eq!(one.json, expected);
    // Another operator's flight, and no flight: 404.
    let theirs = v1(&sandbox, B, "/api/external/flight/5000").await;
    assert_answer(
        &theirs,
        404,
        &spring(
            404,
            "Not Found",
            "Flight not found",
            "/api/external/flight/5000",
        ),
    );

    // The window: required, ordered, at most 6 months each way; UTC only.
    for (query, message) in [
        ("to=2024-01-01", "from is required, as YYYY-MM-DD"),
        ("from=2024-01-01", "to is required, as YYYY-MM-DD"),
        (
            "from=2024-01-02&to=2024-01-01",
            "from must be on or before to",
        ),
        (
            "from=2024-01-01&to=2024-01-31",
            "from must be at most 6 months in the past",
        ),
    ] {
        let path = format!("/api/external/flight/flights?{query}");
        let answer = v1(&sandbox, A, &path).await;
        assert_answer(
            &answer,
            400,
            &spring(400, "Bad Request", message, "/api/external/flight/flights"),
        );
    }
    let late = format!(
        "/api/external/flight/flights?from={}&to={}",
        day(today),
        day(today + time::Duration::days(200))
    );
    assert_eq!(
        v1(&sandbox, A, &late).await.json["message"],
        "to must be at most 6 months in the future"
    );
    let zone = window.replace("timeZone=UTC", "timeZone=Europe%2FVienna");
    assert_eq!(
        v1(&sandbox, A, &zone).await.json["message"],
        "timeZone must be UTC in the sandbox"
    );

    // The flight's crew, the roster, one member.
    let crew = v1(&sandbox, A, "/api/external/flight/5000/crew").await;
    assert_eq!(
        crew.json,
        json!({"crews": [
            {"pilotId": 79, "personnelNumber": "P-079", "firstName": "Maria",
             "lastName": "Camilleri", "trigram": "MCA", "role": "CMD"},
            {"pilotId": 77, "personnelNumber": "P-077", "firstName": "Anna",
             "lastName": "Berger", "trigram": "ABE", "role": "FO"}
        ]})
    );
    let roster = v1(&sandbox, A, "/api/external/staff/crew").await;
    assert_eq!(roster.json.as_array().map(Vec::len), Some(3));
    let anna = json!({
        "pilotId": 77, "personnelNumber": "P-077", "firstName": "Anna", "lastName": "Berger",
        "trigram": "ABE", "email": "abe@crew.example", "status": "ACTIVE", "gender": "FEMALE",
        "jobTitle": "Captain", "roles": {"Staff": ["Pilot"]},
        "pilotOnAircraft": ["OE-FXA", "OE-FXB", "9H-ABC"]
    });
    assert_eq!(roster.json[0], anna);
    assert_eq!(
        v1(&sandbox, A, "/api/external/staff/crew/77").await.json,
        anna
    );
    assert_eq!(
        v1(&sandbox, A, "/api/external/staff/crew/P-077").await.json,
        anna
    );
    assert_eq!(
        v1(&sandbox, A, "/api/external/staff/crew/76").await.status,
        404
    );
    // Changed when the sandbox started: not listed for a later instant.
    let later = format_time(now + time::Duration::hours(1));
    let since = format!("/api/external/staff/crew?modifiedSince={}", encode(&later));
    assert_eq!(v1(&sandbox, A, &since).await.json, json!([]));
    let bad = v1(
        &sandbox,
        A,
        "/api/external/aircraft?modifiedSince=yesterday",
    )
    .await;
    assert_eq!(bad.status, 400);

    // The fleet, an airport, the accounts.
    let fleet = v1(&sandbox, A, "/api/external/aircraft").await;
    assert_eq!(
        fleet.json[2],
        json!({
            "tailNumber": "9H-ABC", "numberOfSeats": 16, "type": "GL7T", "model": "Global 7500",
            "typeName": "Global 7500", "homebase": "LMML", "category": "ULTRA_LONG_RANGE_JET",
            "flightNumberToken": "9HABC",
            "links": [
                {"rel": "self", "href": "/api/external/aircraft/9H-ABC"},
                {"rel": "schedule", "href": "/api/external/aircraft/9H-ABC/schedule"}
            ]
        })
    );
    let airport = v1(&sandbox, A, "/api/external/airports/vie").await;
    assert_eq!(
        airport.json,
        json!({
            "id": 1, "name": "Vienna International Airport", "icao": "LOWW", "iata": "VIE",
            "faa": null, "city": "Vienna", "country": "AT", "timeZone": "Europe/Vienna",
            "latitude": 48.110278, "longitude": 16.569722
        })
    );
    assert_eq!(
        v1(&sandbox, A, "/api/external/airports/ZZZZ").await.status,
        404
    );
    let page = v1(&sandbox, A, "/api/external/user/account?limit=2&offset=1").await;
    assert_eq!(
        page.json,
        json!([
            {"accountid": 9002, "internalId": 9002, "accountNumber": "ACC-9002",
             "name": "Mediterranean Jets Ltd", "email": "ops@medjets.example"},
            {"accountid": 9003, "internalId": 9003, "accountNumber": "ACC-9003",
             "name": "Hudson Executive LLC", "email": "ops@hudson.example"}
        ])
    );
    let all = v1(&sandbox, A, "/api/external/user/account").await;
    assert_eq!(all.json.as_array().map(Vec::len), Some(3));
    for query in ["limit=0", "limit=1001", "offset=-1"] {
        let answer = v1(&sandbox, A, &format!("/api/external/user/account?{query}")).await;
        assert_eq!(answer.status, 400, "{query}");
    }

    // No token, an unknown token: 401; a client id is not needed (and not checked).
    let anonymous = call(
        "GET",
        &format!("{}/api/external/aircraft", sandbox.fl3xx_url()),
        &[],
        "",
    )
    .await;
    assert_answer(
        &anonymous,
        401,
        &spring(
            401,
            "Unauthorized",
            "Invalid client id or token",
            "/api/external/aircraft",
        ),
    );
    assert_eq!(
        v1(&sandbox, "nope", "/api/external/aircraft").await.status,
        401
    );
    assert_eq!(get(&sandbox, A, "/api/external/aircraft").await.status, 200);
    // GET only.
    let post = api(&sandbox, A, "POST", "/api/external/aircraft", &json!({})).await;
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET"));

    let requests = fl3xx.requests();
    assert_eq!(
        requests[0].path,
        format!("/fl3xx{}", window.split('?').next().unwrap_or(""))
    );
    assert_eq!(requests[0].header("x-api-client-id"), None);
    assert_eq!(requests[0].status, 200);
    sandbox.shutdown().await;
}
