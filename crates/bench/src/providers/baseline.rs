//! The baseline: what a careful user writes by hand with reqwest + serde_json.

use super::*;

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

/// Decodes `bytes` into the plain structs; answers the item count.
pub fn decode_plain(provider: Provider, bytes: &[u8]) -> Result<usize, String> {
    Ok(match provider {
        Provider::Netfinity => 0,
        Provider::Fsflt => decode::<PlainLicences>(bytes)?.content.len(),
        Provider::Fl3xx => decode::<PlainFlights>(bytes)?.data.len(),
        Provider::Flexiti => decode::<PlainAuthorizations>(bytes)?.authorizations.len(),
    })
}
