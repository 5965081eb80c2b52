//! Every `V1Client` read on the wire (wiremock): the exact request (method, path, query,
//! `X-Auth-Token` present and `X-Api-Client-Id` absent, `Accept`, no body) and the exact
//! decoded answer; the local checks that refuse before sending; and the fair-use budget the
//! v1 and v2 calls of one operator share.

use std::time::Duration;

use api_test_support::{assert_target, header as header_of, invalid, only_request, requests};
use fl3xx::v1::{
    FLIGHT_WINDOW_MONTHS, MAX_ACCOUNTS_PAGE, V1Account, V1Aircraft, V1Airport, V1Crew,
    V1CrewAssignment, V1Flight, V1FlightCrew, V1FlightInclude, V1Gender, V1Link,
};
use fl3xx::{Error, ErrorKind, Fl3xx, Id, OperatorClient};
use serde_json::{Map, Value, json};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const CLIENT_ID: &str = "fl3xx-v1-client-7c1d";
const TOKEN: &str = "fl3xx-v1-token-acme-42";
const OTHER_TOKEN: &str = "fl3xx-v1-token-globex-17";
const FAIR_USE: &str = "Rate limit exceeded: fair use policy";

// ---------------------------------------------------------------------------------------
// Helpers

fn partner(server: &MockServer) -> Fl3xx {
    Fl3xx::builder()
        .client_id(CLIENT_ID)
        .base_url(server.uri())
        .build()
        .expect("partner client")
}

fn operator(server: &MockServer) -> OperatorClient {
    partner(server)
        .for_operator(TOKEN)
        .expect("operator client")
}

/// A server answering `GET route` with `answer`, and an operator client for it.
async fn serve(route: &str, answer: ResponseTemplate) -> (MockServer, OperatorClient) {
    let server = api_test_support::serve("GET", route, answer).await;
    let client = operator(&server);
    (server, client)
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// Asserts one v1 request: GET, the path and query, the token alone, `Accept`, no body.
fn assert_v1(request: &Request, route: &str, query: Option<&str>) {
    assert_target(request, "GET", route, query);
    assert_eq!(header_of(request, "x-auth-token"), Some(TOKEN));
    assert_eq!(
        header_of(request, "x-api-client-id"),
        None,
        "v1 takes the token alone"
    );
    assert_eq!(header_of(request, "accept"), Some("application/json"));
    assert_eq!(header_of(request, "content-type"), None);
    assert!(request.body.is_empty(), "no body expected");
}

/// The one request the server received, checked as [`assert_v1`].
async fn sent(server: &MockServer, route: &str, query: Option<&str>) {
    assert_v1(&only_request(server).await, route, query);
}

async fn nothing_sent(server: &MockServer) {
    assert!(requests(server).await.is_empty(), "no request expected");
}

/// The `InvalidInput` of a call refused before sending: its field and message.
fn refused<T: std::fmt::Debug>(result: fl3xx::Result<T>) -> (String, String) {
    let input = invalid(result);
    (input.field, input.message)
}

fn field_of<T: std::fmt::Debug>(result: fl3xx::Result<T>) -> String {
    refused(result).0
}

fn extra(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn s(text: &str) -> Option<String> {
    Some(text.to_owned())
}

/// A `format: date` field as received.
fn day(text: &str) -> Option<fl3xx::api_core::date::Date> {
    Some(fl3xx::api_core::date::Date::from_text(text))
}

/// A `format: date-time` field as received.
fn at(text: &str) -> Option<fl3xx::api_core::date::DateTime> {
    Some(fl3xx::api_core::date::DateTime::from_text(text))
}

// ---------------------------------------------------------------------------------------
// Flights

fn flight_json() -> Value {
    json!({
        "flightId": 5001,
        "accountId": 77,
        "accountName": "Acme Charter",
        "accountReference": "ACME",
        "accountTrigram": "ACM",
        "bookingIdentifier": "BK-2024-001",
        "bookingReference": "Q-991",
        "flightNumber": "ACM101",
        "flightNumberCompany": "A101",
        "registrationNumber": "9H-ABC",
        "aircraftCategory": "HEAVY_JET",
        "airportFrom": "LMML",
        "airportTo": "LOWW",
        "realAirportFrom": "LMML",
        "realAirportTo": "LOWW",
        "blockOffEstUTC": "2024-01-15T08:00:00.000Z",
        "blockOnEstUTC": "2024-01-15T10:15:00.000Z",
        "blockOffEstLocal": "2024-01-15T09:00",
        "blockOnEstLocal": "2024-01-15T11:15",
        "blocksoffestimated": "2024-01-15T08:00:00.000Z",
        "blocksonestimated": "2024-01-15T10:15:00.000Z",
        "etd": "2024-01-15T08:10:00.000Z",
        "eta": "2024-01-15T10:05:00.000Z",
        "realDateOFF": "2024-01-15T08:03:00.000Z",
        "realDateON": "2024-01-15T10:01:00.000Z",
        "realDateIN": "2024-01-15T10:09:00.000Z",
        "dateFrom": "2024-01-15",
        "dateTo": "2024-01-15",
        "flightStatus": "On Block",
        "postFlightClosed": false,
        "workflowCustomName": "Charter",
        "paxReferences": [{"paxId": 1}],
        "aircraftAOC": {"id": 3, "name": "Acme AOC"},
        "customerFirstname": "Ada"
    })
}

fn flight() -> V1Flight {
    V1Flight {
        flight_id: Id::from("5001"),
        account_id: Some(Id::from("77")),
        account_name: s("Acme Charter"),
        account_reference: s("ACME"),
        account_trigram: s("ACM"),
        booking_identifier: s("BK-2024-001"),
        booking_reference: s("Q-991"),
        flight_number: s("ACM101"),
        flight_number_company: s("A101"),
        registration_number: s("9H-ABC"),
        aircraft_category: s("HEAVY_JET"),
        airport_from: s("LMML"),
        airport_to: s("LOWW"),
        real_airport_from: s("LMML"),
        real_airport_to: s("LOWW"),
        block_off_est_utc: s("2024-01-15T08:00:00.000Z"),
        block_on_est_utc: s("2024-01-15T10:15:00.000Z"),
        block_off_est_local: s("2024-01-15T09:00"),
        block_on_est_local: s("2024-01-15T11:15"),
        blocksoffestimated: s("2024-01-15T08:00:00.000Z"),
        blocksonestimated: s("2024-01-15T10:15:00.000Z"),
        etd: s("2024-01-15T08:10:00.000Z"),
        eta: s("2024-01-15T10:05:00.000Z"),
        real_date_off: at("2024-01-15T08:03:00.000Z"),
        real_date_on: at("2024-01-15T10:01:00.000Z"),
        real_date_in: at("2024-01-15T10:09:00.000Z"),
        date_from: day("2024-01-15"),
        date_to: day("2024-01-15"),
        flight_status: s("On Block"),
        post_flight_closed: Some(false),
        workflow_custom_name: s("Charter"),
        pax_references: Some(vec![json!({"paxId": 1})]),
        extra: extra(json!({
            "aircraftAOC": {"id": 3, "name": "Acme AOC"},
            "customerFirstname": "Ada"
        })),
    }
}

/// A flight with nothing but its id: every other field is optional.
fn bare_flight(id: &str) -> V1Flight {
    V1Flight {
        flight_id: Id::from(id),
        account_id: None,
        account_name: None,
        account_reference: None,
        account_trigram: None,
        booking_identifier: None,
        booking_reference: None,
        flight_number: None,
        flight_number_company: None,
        registration_number: None,
        aircraft_category: None,
        airport_from: None,
        airport_to: None,
        real_airport_from: None,
        real_airport_to: None,
        block_off_est_utc: None,
        block_on_est_utc: None,
        block_off_est_local: None,
        block_on_est_local: None,
        blocksoffestimated: None,
        blocksonestimated: None,
        etd: None,
        eta: None,
        real_date_off: None,
        real_date_on: None,
        real_date_in: None,
        date_from: None,
        date_to: None,
        flight_status: None,
        post_flight_closed: None,
        workflow_custom_name: None,
        pax_references: None,
        extra: Map::new(),
    }
}

#[tokio::test]
async fn flights_sends_the_window_include_and_time_zone() {
    let (server, op) = serve(
        "/api/external/flight/flights",
        ok(json!([flight_json(), {"flightId": "5002", "flightStatus": "Scheduled"}])),
    )
    .await;
    let flights = op
        .v1()
        .flights_as_of(
            date!(2024 - 02 - 15),
            date!(2024 - 01 - 01),
            date!(2024 - 01 - 31),
            Some(V1FlightInclude::All),
            Some("UTC"),
        )
        .await
        .expect("flights");
    assert_eq!(flights.status().as_u16(), 200);
    let mut second = bare_flight("5002");
    second.flight_status = s("Scheduled");
    assert_eq!(flights.into_inner(), vec![flight(), second]);
    sent(
        &server,
        "/api/external/flight/flights",
        Some("from=2024-01-01&to=2024-01-31&include=ALL&timeZone=UTC"),
    )
    .await;
}

#[tokio::test]
async fn flights_without_options_send_the_days_alone() {
    let (server, op) = serve("/api/external/flight/flights", ok(json!([]))).await;
    let flights = op
        .v1()
        .flights_as_of(
            date!(2024 - 07 - 01),
            date!(2024 - 01 - 01),
            date!(2024 - 12 - 31),
            None,
            None,
        )
        .await
        .expect("flights");
    assert_eq!(flights.into_inner(), Vec::<V1Flight>::new());
    sent(
        &server,
        "/api/external/flight/flights",
        Some("from=2024-01-01&to=2024-12-31"),
    )
    .await;

    let (server, op) = serve("/api/external/flight/flights", ok(json!([]))).await;
    op.v1()
        .flights_as_of(
            date!(2024 - 06 - 30),
            date!(2024 - 06 - 30),
            date!(2024 - 06 - 30),
            Some(V1FlightInclude::NonCanceled),
            None,
        )
        .await
        .expect("one day");
    sent(
        &server,
        "/api/external/flight/flights",
        Some("from=2024-06-30&to=2024-06-30&include=NON_CANCELED"),
    )
    .await;
}

#[tokio::test]
async fn flights_checks_the_window_against_today() {
    let today = OffsetDateTime::now_utc().date();
    let (server, op) = serve("/api/external/flight/flights", ok(json!([]))).await;
    let v1 = op.v1();
    let (from, to) = (
        today - time::Duration::days(30),
        today + time::Duration::days(30),
    );
    v1.flights(from, to, None, None)
        .await
        .expect("within 6 months");
    let query = format!("from={from}&to={to}");
    sent(&server, "/api/external/flight/flights", Some(&query)).await;

    // Six months are at most 184 days: 200 days are always outside.
    let server = MockServer::start().await;
    let v1 = operator(&server).v1();
    let far = time::Duration::days(200);
    assert_eq!(
        field_of(v1.flights(today - far, today, None, None).await),
        "from"
    );
    assert_eq!(
        field_of(v1.flights(today, today + far, None, None).await),
        "to"
    );
    assert_eq!(
        refused(
            v1.flights(today, today - time::Duration::days(1), None, None)
                .await
        ),
        (
            "from".to_owned(),
            format!(
                "{today} is after `to` ({})",
                today - time::Duration::days(1)
            )
        )
    );
    nothing_sent(&server).await;
}

#[tokio::test]
async fn the_window_limits_are_calendar_months_and_refused_before_sending() {
    let server = MockServer::start().await;
    let v1 = operator(&server).v1();
    let today = date!(2024 - 08 - 31);
    let flights = |from: Date, to: Date, zone: Option<&'static str>| {
        let v1 = v1.clone();
        async move {
            v1.flights_as_of(today, from, to, Some(V1FlightInclude::All), zone)
                .await
        }
    };
    assert_eq!(FLIGHT_WINDOW_MONTHS, 6);
    assert_eq!(
        refused(flights(date!(2024 - 02 - 28), today, None).await),
        (
            "from".to_owned(),
            "2024-02-28 is more than 6 months before today (2024-08-31); the earliest day is \
             2024-02-29"
                .to_owned()
        )
    );
    assert_eq!(
        refused(flights(today, date!(2025 - 03 - 01), None).await),
        (
            "to".to_owned(),
            "2025-03-01 is more than 6 months after today (2024-08-31); the latest day is \
             2025-02-28"
                .to_owned()
        )
    );
    assert_eq!(
        refused(flights(date!(2024 - 09 - 02), date!(2024 - 09 - 01), None).await),
        (
            "from".to_owned(),
            "2024-09-02 is after `to` (2024-09-01)".to_owned()
        )
    );
    assert_eq!(
        refused(flights(today, today, Some(" ")).await),
        ("timeZone".to_owned(), "must not be empty".to_owned())
    );
    nothing_sent(&server).await;

    // The limits themselves are inside.
    let (server, op) = serve("/api/external/flight/flights", ok(json!([]))).await;
    op.v1()
        .flights_as_of(
            today,
            date!(2024 - 02 - 29),
            date!(2025 - 02 - 28),
            None,
            None,
        )
        .await
        .expect("on the limits");
    sent(
        &server,
        "/api/external/flight/flights",
        Some("from=2024-02-29&to=2025-02-28"),
    )
    .await;
}

#[tokio::test]
async fn flight_reads_one_flight() {
    let (server, op) = serve("/api/external/flight/5001", ok(flight_json())).await;
    let found = op
        .v1()
        .v1_get_flight(Id::from("5001"))
        .send()
        .await
        .expect("flight");
    // The dates read as what they are.
    let real_off = found.real_date_off.as_ref().map(|t| t.get());
    assert_eq!(real_off, Some(Ok(datetime!(2024-01-15 08:03 UTC))));
    let date_from = found.date_from.as_ref().map(|d| d.get());
    assert_eq!(date_from, Some(Ok(date!(2024 - 01 - 15))));
    assert_eq!(found.into_inner(), flight());
    sent(&server, "/api/external/flight/5001", None).await;
}

#[tokio::test]
async fn flight_crew_reads_the_crews() {
    let (server, op) = serve(
        "/api/external/flight/5001/crew",
        ok(json!({
            "flightId": 5001,
            "crews": [
                {"pilotId": 301, "personnelNumber": "P-0301", "firstName": "Grace",
                 "lastName": "Hopper", "trigram": "GHO", "role": "CMD", "orderNumber": 1},
                {"pilotId": "302"}
            ]
        })),
    )
    .await;
    let crew = op
        .v1()
        .v1_flight_crew(Id::from("5001"))
        .send()
        .await
        .expect("crew");
    assert_eq!(
        crew.into_inner(),
        V1FlightCrew {
            crews: vec![
                V1CrewAssignment {
                    pilot_id: Id::from("301"),
                    personnel_number: s("P-0301"),
                    first_name: s("Grace"),
                    last_name: s("Hopper"),
                    trigram: s("GHO"),
                    role: s("CMD"),
                    extra: extra(json!({"orderNumber": 1})),
                },
                V1CrewAssignment {
                    pilot_id: Id::from("302"),
                    personnel_number: None,
                    first_name: None,
                    last_name: None,
                    trigram: None,
                    role: None,
                    extra: Map::new(),
                },
            ],
            extra: extra(json!({"flightId": 5001})),
        }
    );
    sent(&server, "/api/external/flight/5001/crew", None).await;
}

// ---------------------------------------------------------------------------------------
// Crew

fn crew_json() -> Value {
    json!({
        "pilotId": 301,
        "externalReference": "HR-301",
        "personnelNumber": "P-0301",
        "salutation": "Dr",
        "firstName": "Grace",
        "middleName": "Brewster",
        "lastName": "Hopper",
        "logName": "G. Hopper",
        "trigram": "GHO",
        "email": "grace@example.com",
        "phone": "+356 2100 0000",
        "mobile": "+356 7900 0000",
        "status": "ACTIVE",
        "gender": "FEMALE",
        "nationality": "US",
        "birthDate": "1906-12-09",
        "birthPlace": "New York",
        "birthCountry": "US",
        "jobTitle": "Captain",
        "employedSince": "2020-01-01T00:00:00.000Z",
        "employedUntil": null,
        "roles": {"Staff": ["Pilot", "Flight Attendant"]},
        "pilotOnAircraft": ["9H-ABC", "9H-XYZ"],
        "maxBlockHoursPerMonth": 90,
        "weight": 61.5,
        "weightUnit": "KILOGRAM",
        "luggageWeight": 12.0,
        "luggageUnit": "KILOGRAM",
        "homeAirport": {"icao": "LMML"},
        "allowance": 120.5
    })
}

fn crew_member() -> V1Crew {
    V1Crew {
        pilot_id: Some(Id::from("301")),
        external_reference: s("HR-301"),
        personnel_number: s("P-0301"),
        salutation: s("Dr"),
        first_name: s("Grace"),
        middle_name: s("Brewster"),
        last_name: s("Hopper"),
        log_name: s("G. Hopper"),
        trigram: s("GHO"),
        email: s("grace@example.com"),
        phone: s("+356 2100 0000"),
        mobile: s("+356 7900 0000"),
        status: s("ACTIVE"),
        gender: Some(V1Gender::Female),
        nationality: s("US"),
        birth_date: day("1906-12-09"),
        birth_place: s("New York"),
        birth_country: s("US"),
        job_title: s("Captain"),
        employed_since: at("2020-01-01T00:00:00.000Z"),
        employed_until: None,
        roles: Some(json!({"Staff": ["Pilot", "Flight Attendant"]})),
        pilot_on_aircraft: Some(vec!["9H-ABC".to_owned(), "9H-XYZ".to_owned()]),
        max_block_hours_per_month: Some(90),
        weight: Some(61.5),
        weight_unit: s("KILOGRAM"),
        luggage_weight: Some(12.0),
        luggage_unit: s("KILOGRAM"),
        extra: extra(json!({"homeAirport": {"icao": "LMML"}, "allowance": 120.5})),
    }
}

#[tokio::test]
async fn crew_lists_the_crew_changed_since_an_instant() {
    let (server, op) = serve(
        "/api/external/staff/crew",
        ok(json!([crew_json(), {"lastName": "Doe", "gender": "DIVERSE"}])),
    )
    .await;
    let crew = op
        .v1()
        .v1_list_crew()
        .modified_since(datetime!(2024-01-15 11:30:00.25 +01:00))
        .send()
        .await
        .expect("crew");
    let other = V1Crew {
        last_name: s("Doe"),
        gender: Some(V1Gender::Unknown("DIVERSE".to_owned())),
        ..V1Crew::default()
    };
    assert_eq!(crew.into_inner(), vec![crew_member(), other]);
    sent(
        &server,
        "/api/external/staff/crew",
        Some("modifiedSince=2024-01-15T10%3A30%3A00.250Z"),
    )
    .await;

    let (server, op) = serve("/api/external/staff/crew", ok(json!([]))).await;
    assert!(
        op.v1()
            .v1_list_crew()
            .send()
            .await
            .expect("crew")
            .is_empty()
    );
    sent(&server, "/api/external/staff/crew", None).await;

    // An instant with no date in UTC is refused before anything is sent, naming the
    // parameter (the generated operation writes it with `api_core::date::utc_millis`).
    let (server, op) = serve("/api/external/staff/crew", ok(json!([]))).await;
    let edge = datetime!(9999-12-31 23:00 -05:00);
    assert_eq!(
        refused(op.v1().v1_list_crew().modified_since(edge).send().await),
        (
            "modifiedSince".to_owned(),
            "9999-12-31 23:00:00.0 -05:00:00 has no date in UTC".to_owned()
        )
    );
    assert_eq!(
        refused(op.v1().v1_list_aircraft().modified_since(edge).send().await).0,
        "modifiedSince"
    );
    nothing_sent(&server).await;
}

#[tokio::test]
async fn crew_member_reads_one_by_reference() {
    let (server, op) = serve("/api/external/staff/crew/HR-301", ok(crew_json())).await;
    let found = op
        .v1()
        .v1_get_crew("HR-301")
        .send()
        .await
        .expect("crew member");
    assert_eq!(found.into_inner(), crew_member());
    sent(&server, "/api/external/staff/crew/HR-301", None).await;
}

// ---------------------------------------------------------------------------------------
// Aircraft, airports, accounts

#[tokio::test]
async fn aircraft_lists_the_fleet() {
    let body = json!([{
        "tailNumber": "9H-ABC",
        "numberOfSeats": 12,
        "type": "GLF5",
        "model": "Gulfstream G550",
        "typeName": "G550",
        "homebase": "LMML",
        "category": "HEAVY_JET",
        "flightNumberToken": "ACM",
        "links": [
            {"rel": "self", "href": "https://test.fl3xx.com/api/external/aircraft/9H-ABC"},
            {"rel": "picture", "href": "https://test.fl3xx.com/api/external/aircraft/picture/u-1",
             "type": "image/jpeg"}
        ],
        "equipment": {"wifi": true},
        "layout": {"flightCrew": 2, "cabinCrew": 1, "onboardEngineer": 0}
    }]);
    let (server, op) = serve("/api/external/aircraft", ok(body)).await;
    let fleet = op
        .v1()
        .v1_list_aircraft()
        .modified_since(datetime!(2024-03-01 00:00 UTC))
        .send()
        .await
        .expect("fleet");
    assert_eq!(
        fleet.into_inner(),
        vec![V1Aircraft {
            tail_number: "9H-ABC".to_owned(),
            number_of_seats: Some(12),
            r#type: s("GLF5"),
            model: s("Gulfstream G550"),
            type_name: s("G550"),
            homebase: Some(json!("LMML")),
            category: s("HEAVY_JET"),
            flight_number_token: s("ACM"),
            links: Some(vec![
                V1Link {
                    rel: s("self"),
                    href: s("https://test.fl3xx.com/api/external/aircraft/9H-ABC"),
                    extra: Map::new(),
                },
                V1Link {
                    rel: s("picture"),
                    href: s("https://test.fl3xx.com/api/external/aircraft/picture/u-1"),
                    extra: extra(json!({"type": "image/jpeg"})),
                },
            ]),
            extra: extra(json!({
                "equipment": {"wifi": true},
                "layout": {"flightCrew": 2, "cabinCrew": 1, "onboardEngineer": 0}
            })),
        }]
    );
    sent(
        &server,
        "/api/external/aircraft",
        Some("modifiedSince=2024-03-01T00%3A00%3A00.000Z"),
    )
    .await;

    let (server, op) = serve("/api/external/aircraft", ok(json!([]))).await;
    assert!(
        op.v1()
            .v1_list_aircraft()
            .send()
            .await
            .expect("fleet")
            .is_empty()
    );
    sent(&server, "/api/external/aircraft", None).await;
}

#[tokio::test]
async fn airport_reads_the_rich_v1_airport() {
    let (server, op) = serve(
        "/api/external/airports/LOWW",
        ok(json!({
            "id": 1204,
            "name": "Vienna International",
            "icao": "LOWW",
            "iata": "VIE",
            "faa": null,
            "city": "Vienna",
            "state": "Vienna",
            "country": "AT",
            "timeZone": "Europe/Vienna",
            "latitude": 48.110278,
            "longitude": 16.569722,
            "elevation": 600,
            "longestRunwayLength": 3600,
            "rescueFireCategory": "A_10",
            "rescueFireHeliCategory": "NONE_HELI",
            "avgTaxiInTime": 7,
            "cfmuTaxiOutTime": 12.5
        })),
    )
    .await;
    let airport = op
        .v1()
        .v1_get_airport("LOWW")
        .send()
        .await
        .expect("airport");
    assert_eq!(
        airport.into_inner(),
        V1Airport {
            id: Id::from("1204"),
            name: s("Vienna International"),
            icao: s("LOWW"),
            iata: s("VIE"),
            faa: None,
            city: s("Vienna"),
            state: s("Vienna"),
            country: s("AT"),
            time_zone: s("Europe/Vienna"),
            latitude: Some(48.110278),
            longitude: Some(16.569722),
            elevation: Some(600.0),
            longest_runway_length: Some(3600.0),
            rescue_fire_category: s("A_10"),
            rescue_fire_heli_category: s("NONE_HELI"),
            extra: extra(json!({"avgTaxiInTime": 7, "cfmuTaxiOutTime": 12.5})),
        }
    );
    sent(&server, "/api/external/airports/LOWW", None).await;
}

#[tokio::test]
async fn accounts_reads_a_page() {
    let (server, op) = serve(
        "/api/external/user/account",
        ok(json!([{
            "accountid": 9001,
            "internalId": 12,
            "accountNumber": "C-9001",
            "name": "Acme Holdings",
            "email": "ops@acme.example",
            "phone": "+43 1 000",
            "mobile": "+43 660 000",
            "externalReference": "CRM-1",
            "vatNumber": "ATU00000000",
            "notes": "VIP",
            "address": {"city": "Vienna"}
        }])),
    )
    .await;
    let page = op
        .v1()
        .v1_list_accounts()
        .limit(100)
        .offset(0)
        .send()
        .await
        .expect("accounts");
    assert_eq!(
        page.into_inner(),
        vec![V1Account {
            accountid: Some(Id::from("9001")),
            internal_id: Some(Id::from("12")),
            account_number: s("C-9001"),
            name: s("Acme Holdings"),
            email: s("ops@acme.example"),
            phone: s("+43 1 000"),
            mobile: s("+43 660 000"),
            external_reference: s("CRM-1"),
            vat_number: s("ATU00000000"),
            notes: s("VIP"),
            extra: extra(json!({"address": {"city": "Vienna"}})),
        }]
    );
    sent(
        &server,
        "/api/external/user/account",
        Some("limit=100&offset=0"),
    )
    .await;

    let (server, op) = serve("/api/external/user/account", ok(json!([]))).await;
    op.v1()
        .v1_list_accounts()
        .limit(MAX_ACCOUNTS_PAGE)
        .offset(2000)
        .send()
        .await
        .expect("the largest page");
    sent(
        &server,
        "/api/external/user/account",
        Some("limit=1000&offset=2000"),
    )
    .await;
}

#[tokio::test]
async fn bad_arguments_are_refused_before_sending() {
    let server = MockServer::start().await;
    let v1 = operator(&server).v1();
    assert_eq!(
        refused(v1.v1_list_accounts().limit(0).offset(0).send().await),
        (
            "limit".to_owned(),
            // The spec's bound (specs/fl3xx.yaml, `minimum: 1`), checked by generated code.
            "must be at least 1; got 0".to_owned()
        )
    );
    assert_eq!(
        field_of(
            v1.v1_list_accounts()
                .limit(MAX_ACCOUNTS_PAGE + 1)
                .offset(0)
                .send()
                .await
        ),
        "limit"
    );
    assert_eq!(
        field_of(v1.v1_get_flight(Id::from("")).send().await),
        "flightId"
    );
    assert_eq!(
        field_of(v1.v1_flight_crew(Id::from(" ")).send().await),
        "flightId"
    );
    assert_eq!(field_of(v1.v1_get_crew("").send().await), "reference");
    assert_eq!(
        refused(v1.v1_get_airport(" ").send().await),
        ("airportCode".to_owned(), "must not be empty".to_owned())
    );
    nothing_sent(&server).await;
}

// ---------------------------------------------------------------------------------------
// Errors, the shared budget, secrets

#[tokio::test]
async fn v1_errors_are_typed_with_the_v1_operation() {
    let (server, op) = serve(
        "/api/external/flight/404",
        ResponseTemplate::new(404).set_body_json(json!({
            "status": 404, "error": "Not Found", "message": "Flight not found",
            "path": "/api/external/flight/404"
        })),
    )
    .await;
    match op.v1().v1_get_flight(Id::from("404")).send().await {
        Err(Error::Api(e)) => {
            assert_eq!(e.kind, ErrorKind::NotFound);
            assert_eq!(e.operation, "v1_get_flight");
            assert_eq!(e.message.as_deref(), Some("Flight not found"));
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    assert_eq!(requests(&server).await.len(), 1, "a 404 is not retried");
}

/// A 403 fair-use answer on `route` for `TOKEN`; `OTHER_TOKEN` gets `[]` on the v1 flights.
async fn fair_use_on(server: &MockServer, route: &str) {
    Mock::given(method("GET"))
        .and(path(route))
        .and(header("x-auth-token", TOKEN))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "status": 403, "error": "Forbidden", "message": FAIR_USE, "path": route
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/external/flight/flights"))
        .and(header("x-auth-token", OTHER_TOKEN))
        .respond_with(ok(json!([])))
        .mount(server)
        .await;
}

fn held_back<T: std::fmt::Debug>(result: fl3xx::Result<T>) {
    match result {
        Err(Error::RateLimited { retry_after }) => assert!(
            retry_after > Duration::from_secs(500),
            "held {retry_after:?}"
        ),
        other => panic!("expected a local rate limit, got {other:?}"),
    }
}

#[tokio::test]
async fn a_fair_use_403_on_v2_holds_back_the_same_operators_v1_calls() {
    let server = MockServer::start().await;
    fair_use_on(&server, "/api/v2/airports/LOWW").await;
    let fl3xx = partner(&server);
    let op = fl3xx.for_operator(TOKEN).expect("operator");
    let error = op.get_airport("LOWW").send().await.expect_err("fair use");
    assert!(error.is_rate_limited(), "{error:?}");

    let v1 = op.v1();
    let today = date!(2024 - 02 - 15);
    let (from, to) = (date!(2024 - 01 - 01), date!(2024 - 01 - 31));
    held_back(
        v1.flights_as_of(today, from, to, Some(V1FlightInclude::All), Some("UTC"))
            .await,
    );
    held_back(v1.v1_get_flight(Id::from("5001")).send().await);
    let event = fl3xx::webhook::parse(
        br#"{"eventId":"e-1","resourceId":5001,"event":"FLIGHT_TIME_UPDATE","resourceType":"FLIGHT"}"#,
    )
    .expect("notification");
    held_back(op.resource_of(&event).await);
    assert_eq!(requests(&server).await.len(), 1, "nothing sent while held");

    // Another operator connection has its own budget.
    let other = fl3xx.for_operator(OTHER_TOKEN).expect("operator");
    other
        .v1()
        .flights_as_of(today, from, to, None, None)
        .await
        .expect("another operator");
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn a_fair_use_403_on_v1_holds_back_the_same_operators_v2_calls() {
    let server = MockServer::start().await;
    fair_use_on(&server, "/api/external/airports/LOWW").await;
    let op = operator(&server);
    match op.v1().v1_get_airport("LOWW").send().await {
        Err(Error::Api(e)) => {
            assert_eq!(e.kind, ErrorKind::TooManyRequests);
            assert_eq!(e.operation, "v1_get_airport");
        }
        other => panic!("expected the fair-use error, got {other:?}"),
    }
    held_back(op.get_airport("LOWW").send().await);
    held_back(op.v1().v1_get_airport("LOWW").send().await);
    assert_eq!(requests(&server).await.len(), 1, "nothing sent while held");
}

#[tokio::test]
async fn the_v1_client_shows_no_secret() {
    let server = MockServer::start().await;
    let v1 = operator(&server).v1();
    let debug = format!("{v1:?}");
    assert!(debug.starts_with("V1Client"), "{debug}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(!debug.contains(CLIENT_ID), "{debug}");
}
