//! One representative request per provider, sent through its client and through a
//! hand-written reqwest + serde_json baseline that sends the same bytes and decodes into a
//! plain struct with the same fields; and each provider's list page, both ways.

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
    /// fsflt: `auth_token` (GET with a JSON body, key header, envelope).
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

/// The provider clients, configured as a user would, pointed at the bench server.
#[derive(Clone)]
pub struct Clients {
    /// netfinity.
    pub netfinity: netfinity::Client,
    /// fsflt.
    pub fsflt: fsflt::Client,
    /// fl3xx (one operator connection).
    pub fl3xx: fl3xx::OperatorClient,
    /// flexiti, with a fixed reference id so that both sides send the same bytes.
    pub flexiti: flexiti::Client,
}

impl Clients {
    /// Builds every client against `url`.
    pub fn new(url: &str) -> Result<Clients, String> {
        let err = |e: api_core::Error| e.to_string();
        let netfinity = netfinity::Client::builder()
            .token(NETFINITY_TOKEN)
            .base_url(format!("{url}/v2"))
            // Its default pace (60 a minute) would measure the pace, not the client; the
            // other providers have none by default.
            .rate_limit(None)
            .build()
            .map_err(err)?;
        let fsflt = fsflt::Client::builder()
            .api_key(FSFLT_KEY)
            .base_url(url)
            .build()
            .map_err(err)?;
        let fl3xx = fl3xx::Fl3xx::builder()
            .client_id(FL3XX_CLIENT)
            .base_url(url)
            .build()
            .and_then(|partner| partner.for_operator(FL3XX_TOKEN))
            .map_err(err)?;
        let flexiti = flexiti::Client::builder()
            .client_id(FLEXITI_CLIENT)
            .client_secret(FLEXITI_SECRET)
            .environment(flexiti::Environment::custom(url))
            .build()
            .and_then(|c| c.with_reference_id(FLEXITI_REFERENCE))
            .map_err(err)?;
        Ok(Clients {
            netfinity,
            fsflt,
            fl3xx,
            flexiti,
        })
    }

    /// One request through `provider`'s client; checks the decoded answer.
    pub async fn call(&self, provider: Provider) -> Result<(), String> {
        let err = |e: api_core::Error| format!("{}: {e}", provider.name());
        let ok = match provider {
            Provider::Netfinity => {
                let sms =
                    netfinity::Sms::new("359888123456", "Hello from the bench").with_id("bench1");
                let accepted = self.netfinity.send_sms(&sms).await.map_err(err)?;
                accepted.uuid.is_some()
            }
            Provider::Fsflt => {
                let token = self
                    .fsflt
                    .auth_token(fsflt::CustomerCode::from(CUSTOMER))
                    .await
                    .map_err(err)?;
                token.expiration == "15 min"
            }
            Provider::Fl3xx => {
                let airport = self.fl3xx.airport("LOWW").await.map_err(err)?;
                airport.icao.as_deref() == Some("LOWW")
            }
            Provider::Flexiti => {
                let authorization = self
                    .flexiti
                    .authorization(&flexiti::Id::from("A-1001"))
                    .await
                    .map_err(err)?;
                authorization.term == Some(12)
            }
        };
        ok.then_some(())
            .ok_or_else(|| format!("{}: unexpected answer", provider.name()))
    }

    /// The provider's list page through its client; answers the number of items.
    pub async fn page(&self, provider: Provider) -> Result<usize, String> {
        let err = |e: api_core::Error| format!("{}: {e}", provider.name());
        match provider {
            Provider::Netfinity => Ok(0),
            Provider::Fsflt => {
                let query = fsflt::AvailableLicensesRequest {
                    customer_code: fsflt::CustomerCode::from(CUSTOMER),
                    lang: None,
                    version_code: None,
                    license_duration: None,
                    license_code: None,
                    currency_code: None,
                };
                let page = self.fsflt.available_licenses(&query).await.map_err(err)?;
                Ok(page.len())
            }
            Provider::Fl3xx => {
                let page = self
                    .fl3xx
                    .flights_page(&flight_window()?, 50, 0)
                    .await
                    .map_err(err)?;
                Ok(page.len())
            }
            Provider::Flexiti => {
                let page = self
                    .flexiti
                    .authorizations_page(&flexiti::AuthorizationFilter::default(), 1, 50)
                    .await
                    .map_err(err)?;
                Ok(page.len())
            }
        }
    }
}

/// The window the flight figures ask for.
pub fn flight_window() -> Result<fl3xx::FlightWindow, String> {
    fl3xx::FlightWindow::new(
        time::macros::datetime!(2024-01-15 00:00 UTC),
        time::macros::datetime!(2024-01-16 00:00 UTC),
    )
    .map_err(|e| e.to_string())
}

// The baseline: what a careful user writes by hand with reqwest + serde_json.

#[derive(Deserialize)]
struct PlainAccepted {
    uuid: Option<String>,
    #[allow(dead_code)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct PlainEnvelope<T> {
    code: Option<u64>,
    content: T,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainAuthToken {
    token: String,
    expiration: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainAirport {
    id: u64,
    name: Option<String>,
    icao: Option<String>,
    iata: Option<String>,
    faa: Option<String>,
    #[serde(rename = "localIdentifier")]
    local_identifier: Option<String>,
    #[serde(rename = "servedCity")]
    served_city: Option<String>,
    timezone: Option<String>,
    location: Option<PlainLocation>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainLocation {
    latitude: Option<f64>,
    longitude: Option<f64>,
}

/// A flight with the model's fields, in the wire's own types.
#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainFlight {
    #[serde(rename = "flightId")]
    flight_id: Option<u64>,
    #[serde(rename = "flightNumber")]
    flight_number: Option<String>,
    #[serde(rename = "tailNumber")]
    tail_number: Option<String>,
    #[serde(rename = "quoteId")]
    quote_id: Option<u64>,
    #[serde(rename = "quoteExternalReference")]
    quote_external_reference: Option<String>,
    #[serde(rename = "quoteIdentifier")]
    quote_identifier: Option<String>,
    #[serde(rename = "blocksOffEstimatedDateTime")]
    blocks_off_estimated_date_time: Option<String>,
    #[serde(rename = "blocksOnEstimatedDateTime")]
    blocks_on_estimated_date_time: Option<String>,
    #[serde(rename = "departureAirport")]
    departure_airport: Option<PlainAirportRef>,
    #[serde(rename = "arrivalAirport")]
    arrival_airport: Option<PlainAirportRef>,
    #[serde(rename = "customerId")]
    customer_id: Option<u64>,
    #[serde(rename = "accountId")]
    account_id: Option<u64>,
    workflow: Option<String>,
    #[serde(rename = "workflowCustomName")]
    workflow_custom_name: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainAirportRef {
    id: Option<u64>,
    icao: Option<String>,
    iata: Option<String>,
    faa: Option<String>,
}

/// An authorization with the model's fields, in the wire's own types.
#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainAuthorization {
    authorization_id: Option<String>,
    reference: Option<String>,
    amount: Option<Decimal>,
    date: Option<String>,
    authorization_status: Option<String>,
    transaction_type: Option<String>,
    plan_id: Option<i64>,
    term: Option<i64>,
    capture_id: Option<String>,
    remaining_authorization_amount: Option<Decimal>,
    account_number: Option<String>,
}

/// A licence with the model's fields, in the wire's own types.
#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainLicence {
    license_code: String,
    license_name: Option<String>,
    license_duration_months: Option<String>,
    license_version: Option<String>,
    license_quantity: Option<String>,
    license_points: Option<f64>,
    license_amount: Option<Decimal>,
    license_amount_currency: Option<String>,
}

/// `{"data": [...]}`.
#[derive(Deserialize)]
struct PlainFlights {
    data: Vec<PlainFlight>,
}

/// `{"authorizations": [...], ...}`.
#[derive(Deserialize)]
struct PlainAuthorizations {
    authorizations: Vec<PlainAuthorization>,
}

/// `{"code": 200, "content": [...]}`.
type PlainLicences = PlainEnvelope<Vec<PlainLicence>>;

#[derive(serde::Serialize)]
struct PlainSms<'a> {
    msisdn: &'a str,
    text: &'a str,
    id: &'a str,
}

#[derive(serde::Serialize)]
struct PlainCustomer {
    customer_code: String,
}

#[derive(serde::Serialize)]
struct PlainLicenceQuery {
    customer_code: u64,
}

/// One reqwest client per provider (each with its fixed headers as defaults, as one would
/// write it), and the Flexiti token fetched once.
pub struct Baseline {
    url: String,
    netfinity: reqwest::Client,
    fsflt: reqwest::Client,
    fl3xx: reqwest::Client,
    flexiti: reqwest::Client,
    flexiti_bearer: HeaderValue,
}

fn http(user_agent: &str, extra: &[(&str, &str)]) -> Result<reqwest::Client, String> {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    for (name, value) in extra {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        let mut value = HeaderValue::from_str(value).map_err(|e| e.to_string())?;
        value.set_sensitive(true);
        headers.insert(name, value);
    }
    reqwest::Client::builder()
        .user_agent(user_agent)
        .default_headers(headers)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())
}

fn ua(name: &str) -> String {
    format!("{name}/{}", env!("CARGO_PKG_VERSION"))
}

impl Baseline {
    /// Builds the baseline clients and fetches the Flexiti token.
    pub async fn new(url: &str) -> Result<Baseline, String> {
        // Our reqwest has no TLS provider of its own (see docs/architecture.md, TLS).
        api_core::tls::install_default_provider();
        let bearer = format!("Bearer {NETFINITY_TOKEN}");
        let netfinity = http(&ua("netfinity"), &[("authorization", &bearer)])?;
        let fsflt = http(&ua("fsflt"), &[("x-api-key", FSFLT_KEY)])?;
        let fl3xx = http(
            &ua("fl3xx"),
            &[
                ("x-api-client-id", FL3XX_CLIENT),
                ("x-auth-token", FL3XX_TOKEN),
            ],
        )?;
        let flexiti = http(&ua("flexiti"), &[])?;
        #[derive(Deserialize)]
        struct Token {
            access_token: String,
        }
        let form = format!(
            "grant_type=client_credentials&scope=merchant&client_id={FLEXITI_CLIENT}&client_secret={FLEXITI_SECRET}"
        );
        let token: Token = decode(
            &flexiti
                .post(format!("{url}{FLEXITI_TOKEN_PATH}"))
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form)
                .send()
                .await
                .map_err(|e| e.to_string())?
                .bytes()
                .await
                .map_err(|e| e.to_string())?,
        )?;
        let mut flexiti_bearer = HeaderValue::from_str(&format!("Bearer {}", token.access_token))
            .map_err(|e| e.to_string())?;
        flexiti_bearer.set_sensitive(true);
        Ok(Baseline {
            url: url.to_owned(),
            netfinity,
            fsflt,
            fl3xx,
            flexiti,
            flexiti_bearer,
        })
    }

    /// The same request as [`Clients::call`], by hand.
    pub async fn call(&self, provider: Provider) -> Result<(), String> {
        let url = &self.url;
        let ok = match provider {
            Provider::Netfinity => {
                let body = serde_json::to_vec(&PlainSms {
                    msisdn: "359888123456",
                    text: "Hello from the bench",
                    id: "bench1",
                })
                .map_err(|e| e.to_string())?;
                let request = self
                    .netfinity
                    .post(format!("{url}{SMS_PATH}"))
                    .header(CONTENT_TYPE, "application/json")
                    .body(body);
                let accepted: PlainAccepted = fetch(request).await?;
                accepted.uuid.is_some()
            }
            Provider::Fsflt => {
                let body = serde_json::to_vec(&PlainCustomer {
                    customer_code: CUSTOMER.to_string(),
                })
                .map_err(|e| e.to_string())?;
                let request = self
                    .fsflt
                    .get(format!("{url}{AUTH_TOKEN_PATH}"))
                    .header(CONTENT_TYPE, "application/json")
                    .body(body);
                let envelope: PlainEnvelope<PlainAuthToken> = fetch(request).await?;
                envelope.code == Some(200) && envelope.content.expiration == "15 min"
            }
            Provider::Fl3xx => {
                let request = self.fl3xx.get(format!("{url}{AIRPORT_PATH}"));
                let airport: PlainAirport = fetch(request).await?;
                airport.icao.as_deref() == Some("LOWW")
            }
            Provider::Flexiti => {
                let request = self
                    .flexiti
                    .get(format!("{url}{AUTHORIZATION_PATH}"))
                    .header(AUTHORIZATION, self.flexiti_bearer.clone())
                    .header("x-reference-id", FLEXITI_REFERENCE);
                let authorization: PlainAuthorization = fetch(request).await?;
                authorization.term == Some(12)
            }
        };
        ok.then_some(())
            .ok_or_else(|| format!("{} baseline: unexpected answer", provider.name()))
    }

    /// The same list page as [`Clients::page`], by hand.
    pub async fn page(&self, provider: Provider) -> Result<usize, String> {
        let url = &self.url;
        match provider {
            Provider::Netfinity => Ok(0),
            Provider::Fsflt => {
                let body = serde_json::to_vec(&PlainLicenceQuery {
                    customer_code: CUSTOMER,
                })
                .map_err(|e| e.to_string())?;
                let request = self
                    .fsflt
                    .get(format!("{url}{LICENCES_PATH}"))
                    .header(CONTENT_TYPE, "application/json")
                    .body(body);
                let page: PlainLicences = fetch(request).await?;
                if page.code != Some(200) {
                    return Err("fsflt baseline: envelope code is not 200".into());
                }
                Ok(page.content.len())
            }
            Provider::Fl3xx => {
                let filter = flight_window()?.filter();
                let url = with_query(
                    &format!("{url}{FLIGHTS_PATH}"),
                    &[("filter", &filter), ("limit", "50"), ("offset", "0")],
                )?;
                let request = self.fl3xx.get(url);
                let page: PlainFlights = fetch(request).await?;
                Ok(page.data.len())
            }
            Provider::Flexiti => {
                let request = self
                    .flexiti
                    .get(with_query(
                        &format!("{url}{AUTHORIZATIONS_PATH}"),
                        &[("page_number", "1"), ("page_size", "50")],
                    )?)
                    .header(AUTHORIZATION, self.flexiti_bearer.clone())
                    .header("x-reference-id", FLEXITI_REFERENCE);
                let page: PlainAuthorizations = fetch(request).await?;
                Ok(page.authorizations.len())
            }
        }
    }
}

fn with_query(url: &str, pairs: &[(&str, &str)]) -> Result<reqwest::Url, String> {
    let mut url = reqwest::Url::parse(url).map_err(|e| e.to_string())?;
    url.query_pairs_mut().extend_pairs(pairs);
    Ok(url)
}

async fn fetch<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
) -> Result<T, String> {
    let response = request.send().await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    decode(&response.bytes().await.map_err(|e| e.to_string())?)
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    serde_json::from_slice(bytes).map_err(|e| e.to_string())
}

/// A list page of `items` items, as the server sends it, for the decoding figures.
pub fn page_bytes(provider: Provider, items: usize) -> Option<Bytes> {
    let path = match provider {
        Provider::Netfinity => return None,
        Provider::Fsflt => LICENCES_PATH,
        Provider::Fl3xx => FLIGHTS_PATH,
        Provider::Flexiti => AUTHORIZATIONS_PATH,
    };
    let answers = answers(items, None);
    answers
        .paged
        .get(path)
        .map(|paged| crate::server::page_body(paged, items))
}

/// Decodes `bytes` into the provider's model; answers the item count.
pub fn decode_model(provider: Provider, bytes: &[u8]) -> Result<usize, String> {
    let err = |e: serde_json::Error| e.to_string();
    Ok(match provider {
        Provider::Netfinity => 0,
        Provider::Fsflt => {
            serde_json::from_slice::<fsflt::Envelope<Vec<fsflt::AvailableLicense>>>(bytes)
                .map_err(err)?
                .content
                .len()
        }
        Provider::Fl3xx => serde_json::from_slice::<fl3xx::List<fl3xx::Flight>>(bytes)
            .map_err(err)?
            .len(),
        Provider::Flexiti => serde_json::from_slice::<flexiti::Page<flexiti::Authorization>>(bytes)
            .map_err(err)?
            .len(),
    })
}

/// Decodes `bytes` into the plain structs; answers the item count.
pub fn decode_plain(provider: Provider, bytes: &[u8]) -> Result<usize, String> {
    Ok(match provider {
        Provider::Netfinity => 0,
        Provider::Fsflt => decode::<PlainLicences>(bytes)?.content.len(),
        Provider::Fl3xx => decode::<PlainFlights>(bytes)?.data.len(),
        Provider::Flexiti => decode::<PlainAuthorizations>(bytes)?.authorizations.len(),
    })
}
