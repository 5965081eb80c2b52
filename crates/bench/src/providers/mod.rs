//! One representative request per provider, sent through its client ([`clients`]) and
//! through a hand-written reqwest + serde_json baseline ([`baseline`]) that sends the same
//! bytes and decodes into a plain struct with the same fields; and each provider's list page,
//! both ways ([`lists`]).

mod baseline;
mod clients;
mod lists;

pub use baseline::{Baseline, decode_plain};
pub use clients::{Clients, flight_window};
pub use lists::{decode_model, page_bytes};

use std::time::Duration;

use api_core::money::Decimal;
use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;

use crate::server::{Answers, PageQuery, Paged};

/// The four provider crates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// netfinity: `send_sms` (POST, bearer token, JSON body).
    Netfinity,
    /// fsflt: `auth_token`, the `get_auth_token` builder (GET with a JSON body, key header,
    /// envelope).
    Fsflt,
    /// fl3xx: `airport` (GET, two key headers).
    Fl3xx,
    /// flexiti: `authorization` (GET, OAuth2 bearer, reference id).
    Flexiti,
}

/// Every provider, in report order.
pub const ALL: [Provider; 4] = [
    Provider::Netfinity,
    Provider::Fsflt,
    Provider::Fl3xx,
    Provider::Flexiti,
];

impl Provider {
    /// The crate name.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Netfinity => "netfinity",
            Provider::Fsflt => "fsflt",
            Provider::Fl3xx => "fl3xx",
            Provider::Flexiti => "flexiti",
        }
    }

    /// What the single-request figures send.
    pub fn request(self) -> &'static str {
        match self {
            Provider::Netfinity => "send_sms",
            Provider::Fsflt => "auth_token",
            Provider::Fl3xx => "airport",
            Provider::Flexiti => "authorization",
        }
    }

    /// The list the decoding figures read, when the provider has one.
    pub fn list(self) -> Option<&'static str> {
        match self {
            Provider::Netfinity => None,
            Provider::Fsflt => Some("licences"),
            Provider::Fl3xx => Some("flights"),
            Provider::Flexiti => Some("authorizations"),
        }
    }

    /// Parses a crate name.
    pub fn parse(name: &str) -> Option<Provider> {
        ALL.into_iter().find(|p| p.name() == name)
    }
}

const NETFINITY_TOKEN: &str = "nf-bench-token";
const FSFLT_KEY: &str = "fsflt-bench-key";
const FL3XX_CLIENT: &str = "fl3xx-partner";
const FL3XX_TOKEN: &str = "fl3xx-operator-token";
const FLEXITI_CLIENT: &str = "bench-client";
const FLEXITI_SECRET: &str = "bench-secret";
const FLEXITI_REFERENCE: &str = "bench-reference-0001";
const CUSTOMER: u64 = 12345;

const SMS_PATH: &str = "/v2/sms/notification/send";
const AUTH_TOKEN_PATH: &str = "/customerarea/auth/token";
const LICENCES_PATH: &str = "/customerarea/licenses/available";
const AIRPORT_PATH: &str = "/api/v2/airports/LOWW";
const FLIGHTS_PATH: &str = "/api/v2/flights";
const AUTHORIZATION_PATH: &str =
    "/flexiti/pos-api/v2.5.1/client-id/bench-client/authorization/A-1001";
const AUTHORIZATIONS_PATH: &str = "/flexiti/pos-api/v2.5.1/client-id/bench-client/authorizations";
const FLEXITI_TOKEN_PATH: &str = "/flexiti/pos-api/v2.5/oauth/token";

const SMS_ACCEPTED: &str = r#"{"uuid":"5b6f2a4e-8a3c-4c1e-9d77-0f3e2b1a9c11","id":"bench1"}"#;
const AUTH_TOKEN: &str =
    r#"{"code":200,"content":{"token":"a1b2c3d4e5f6%3D%3D","expiration":"15 min"}}"#;
const AIRPORT: &str = r#"{"id":4711,"name":"Vienna International","icao":"LOWW","iata":"VIE","faa":null,"localIdentifier":"LOWW","servedCity":"Vienna","timezone":"Europe/Vienna","location":{"latitude":48.1103,"longitude":16.5697}}"#;
const AUTHORIZATION_BODY: &str = r#"{"authorization_id":"A-1001","reference":"order-77","amount":125.5,"date":"2024-05-01T10:15:00Z","authorization_status":"opened","transaction_type":"regular_purchase","plan_id":3,"term":12,"capture_id":null,"remaining_authorization_amount":125.5,"account_number":"4000123412341234"}"#;
const FLIGHT: &str = r#"{"flightId":987654,"flightNumber":"FX123","tailNumber":"OE-FXA","quoteId":555001,"quoteExternalReference":"EXT-42","quoteIdentifier":"Q-2024-0042","blocksOffEstimatedDateTime":"2024-01-15T10:30:00.000Z","blocksOnEstimatedDateTime":"2024-01-15T12:45:00.000Z","departureAirport":{"id":4711,"icao":"LOWW","iata":"VIE","faa":null},"arrivalAirport":{"id":4712,"icao":"LFPG","iata":"CDG","faa":null},"customerId":31337,"accountId":4242,"workflow":"CHARTER","workflowCustomName":"Charter"}"#;
const LICENCE: &str = r#"{"license_code":"CL-Q-A005-M1","license_name":"Cloud 5 users monthly","license_duration_months":"1","license_version":"0","license_quantity":"5 users","license_points":0.5,"license_amount":"5.00","license_amount_currency":"EUR"}"#;

/// Every route of every provider. `paged_total` set: lists are paged up to that many items;
/// unset: each list answers one page of `big_items` items.
pub fn answers(big_items: usize, paged_total: Option<u64>) -> Answers {
    let mut answers = Answers {
        paged_total,
        big_items,
        ..Answers::default()
    };
    for (path, body) in [
        (SMS_PATH, SMS_ACCEPTED),
        (AUTH_TOKEN_PATH, AUTH_TOKEN),
        (AIRPORT_PATH, AIRPORT),
        (AUTHORIZATION_PATH, AUTHORIZATION_BODY),
    ] {
        answers
            .fixed
            .insert(path.to_owned(), Bytes::from_static(body.as_bytes()));
    }
    answers.paged.insert(
        FLIGHTS_PATH.to_owned(),
        Paged {
            item: Bytes::from_static(FLIGHT.as_bytes()),
            prefix: r#"{"data":["#,
            suffix: "]}",
            style: PageQuery::Offset,
        },
    );
    answers.paged.insert(
        AUTHORIZATIONS_PATH.to_owned(),
        Paged {
            item: Bytes::from_static(AUTHORIZATION_BODY.as_bytes()),
            prefix: r#"{"authorizations":["#,
            suffix: r#"],"page_number":1,"total":1000000}"#,
            style: PageQuery::PageNumber,
        },
    );
    answers.paged.insert(
        LICENCES_PATH.to_owned(),
        Paged {
            item: Bytes::from_static(LICENCE.as_bytes()),
            prefix: r#"{"code":200,"content":["#,
            suffix: "]}",
            style: PageQuery::None,
        },
    );
    answers
}
