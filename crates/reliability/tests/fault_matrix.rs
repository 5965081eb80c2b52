//! The fault matrix (issue #8): each of the four provider clients, for a read and for a side
//! effect, against a loopback server that injects one fault per cell.
//!
//! For every cell the test asserts the typed outcome (success with the exact decoded value, or
//! the exact error kind), that nothing panicked, how many requests reached the server and how
//! many attempts the client made (a side effect without an idempotency key reaches the server
//! once, unless the server cannot have acted: 429, a refused connection), that every repeat
//! was the same request (same body, same idempotency key), and that the call ended within the
//! configured deadline. The matrix is printed and written to
//! `<target>/reliability/fault-matrix.md`.
//!
//! api-core's own tests (`crates/api-core/tests/`) check each rule on a bare transport; this
//! suite checks that every provider client, with its error decoder, envelope, lenient models
//! and credentials, ends up in the same place.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use api_core::{
    ApiError, Error, ErrorDecoder, ErrorKind, JsonErrorDecoder, RetryConfig, StatusCode,
    TransportBuilder, TransportErrorKind,
};
use reliability::attempts::{self, Attempts};
use reliability::fault_server::{
    Action, FaultServer, Recorded, json, partial_body, refused_uri, response,
};
use serde_json::json;
use tokio::sync::Semaphore;
use tracing::Instrument;

// ---------------------------------------------------------------------------------------------
// Settings: short enough for a test that takes seconds, in the same proportions as the defaults.
// ---------------------------------------------------------------------------------------------

const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const REQUEST_TIMEOUT: Duration = Duration::from_millis(800);
const CALL_TIMEOUT: Duration = Duration::from_secs(4);
const MAX_ATTEMPTS: u32 = 3;
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(3);
const MAX_RESPONSE_BYTES: u64 = 64 * 1024;
/// The `Retry-After` the 429 cells send, in seconds.
const RETRY_AFTER_SECS: u64 = 1;
/// The HTTP-date `Retry-After` is this far ahead; whole seconds, so the wait is in (1 s, 2 s].
const RETRY_AFTER_DATE_SECS: u64 = 2;
/// A stalled server stays silent longer than any call may last: only the client ends it.
const STALL: Duration = Duration::from_secs(10);
/// Cells run concurrently, this many at a time (each has its own server and client).
const CONCURRENT_CELLS: usize = 24;

/// One HTTP client for every cell: building one took about 100 ms of CPU in a debug build
/// here, and 163 of them starved the cells' timeouts on a 2-core machine. It is
/// built with api-core's connect timeout and no redirects (none happen here); connections are
/// never shared, as the fault server closes each one.
fn shared_http() -> reqwest::Client {
    static HTTP: OnceLock<reqwest::Client> = OnceLock::new();
    HTTP.get_or_init(|| {
        api_core::tls::install_default_provider();
        reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client")
    })
    .clone()
}

fn settings(t: TransportBuilder) -> TransportBuilder {
    t.http_client(shared_http())
        .connect_timeout(CONNECT_TIMEOUT)
        .request_timeout(REQUEST_TIMEOUT)
        .call_timeout(CALL_TIMEOUT)
        .max_response_bytes(MAX_RESPONSE_BYTES)
        // Netfinity paces at one request a second by default; the matrix is about faults.
        .rate_limit(None)
        .retry(RetryConfig {
            max_attempts: MAX_ATTEMPTS,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(20),
            max_rate_limit_wait: MAX_RATE_LIMIT_WAIT,
        })
}

// ---------------------------------------------------------------------------------------------
// The operations: a read and a side effect per provider.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    NetfinitySend,
    NetfinitySendWithId,
    FsfltAvailableLicenses,
    FsfltAssignLicense,
    Fl3xxSubscription,
    Fl3xxSubscribe,
    FlexitiAuthorization,
    FlexitiCapture,
}

const OPS: [Op; 8] = [
    Op::NetfinitySend,
    Op::NetfinitySendWithId,
    Op::FsfltAvailableLicenses,
    Op::FsfltAssignLicense,
    Op::Fl3xxSubscription,
    Op::Fl3xxSubscribe,
    Op::FlexitiAuthorization,
    Op::FlexitiCapture,
];

/// What the retry rules see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Safe: may be repeated after any retryable failure.
    Read,
    /// A side effect without an idempotency key: repeated only on 429 or a refused connection.
    SideEffect,
    /// A side effect with an idempotency key: repeated like a read.
    KeyedSideEffect,
}

/// A 2xx body and what the client must decode from it.
struct Payload {
    body: &'static str,
    decoded: &'static str,
}

const FLEXITI_CLIENT_ID: &str = "fault-matrix";
const AUTHORIZATION_ID: &str = "1234567890";

impl Op {
    fn provider(self) -> &'static str {
        match self {
            Op::NetfinitySend | Op::NetfinitySendWithId => "netfinity",
            Op::FsfltAvailableLicenses | Op::FsfltAssignLicense => "fsflt",
            Op::Fl3xxSubscription | Op::Fl3xxSubscribe => "fl3xx",
            Op::FlexitiAuthorization | Op::FlexitiCapture => "flexiti",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Op::NetfinitySend => "netfinity send_sms (no id)",
            Op::NetfinitySendWithId => "netfinity send_sms (id = key)",
            Op::FsfltAvailableLicenses => "fsflt available_licenses",
            Op::FsfltAssignLicense => "fsflt assign_license",
            Op::Fl3xxSubscription => "fl3xx subscription",
            Op::Fl3xxSubscribe => "fl3xx subscribe",
            Op::FlexitiAuthorization => "flexiti authorization",
            Op::FlexitiCapture => "flexiti capture (key)",
        }
    }

    /// Netfinity has no read: its one operation is the send, without and with an `id` (which
    /// the client sends as the idempotency key). Flexiti sends an `x-idempotency-key` on every
    /// money-moving call.
    fn class(self) -> Class {
        match self {
            Op::FsfltAvailableLicenses | Op::Fl3xxSubscription | Op::FlexitiAuthorization => {
                Class::Read
            }
            Op::NetfinitySend | Op::FsfltAssignLicense | Op::Fl3xxSubscribe => Class::SideEffect,
            Op::NetfinitySendWithId | Op::FlexitiCapture => Class::KeyedSideEffect,
        }
    }

    /// The request line every request of the cell must carry.
    fn request_line(self) -> &'static str {
        match self {
            Op::NetfinitySend | Op::NetfinitySendWithId => "POST /v2/sms/notification/send",
            Op::FsfltAvailableLicenses => "GET /customerarea/licenses/available",
            Op::FsfltAssignLicense => "POST /customerarea/licenses/assign",
            Op::Fl3xxSubscription => "GET /api/v2/webhooks/subscriptions/WS-1",
            Op::Fl3xxSubscribe => "POST /api/v2/webhooks/subscriptions",
            Op::FlexitiAuthorization => {
                "GET /flexiti/pos-api/v2.5.1/client-id/fault-matrix/authorization/1234567890"
            }
            Op::FlexitiCapture => {
                "POST /flexiti/pos-api/v2.5.1/client-id/fault-matrix/authorization/1234567890/capture"
            }
        }
    }

    /// The full answer.
    fn full(self) -> Payload {
        match self {
            Op::NetfinitySend | Op::NetfinitySendWithId => Payload {
                body: r#"{"uuid":"5f0c-11","id":"fm1"}"#,
                decoded: r#"uuid=Some("5f0c-11") id=Some("fm1") keys=["id", "uuid"]"#,
            },
            Op::FsfltAvailableLicenses => Payload {
                body: r#"{"code":200,"content":[{"license_code":"CL-Q-A005-M1","license_name":"Cloud 5 users","license_duration_months":"1","license_amount":"12.50","license_amount_currency":"EUR"}]}"#,
                decoded: r#"1 licence(s): CL-Q-A005-M1 name=Some("Cloud 5 users") months=Some(1) amount=Some("12.50") extra=[]"#,
            },
            Op::FsfltAssignLicense => Payload {
                body: r#"{"code":200,"content":{"customer":"Rossi","license_id":"13343","start_date":"2026-01-18","expiry_date":"2026-02-18","deducted_amount":"12.50","currency_code":"EUR"}}"#,
                decoded: r#"license_id=13343 customer=Some("Rossi") deducted=Some("12.50") extra=[]"#,
            },
            Op::Fl3xxSubscription | Op::Fl3xxSubscribe => Payload {
                body: r#"{"id":"WS-1","event":"FLIGHT_TIME_UPDATE","callbackUrl":"https://hooks.example.com/fl3xx","status":"ACTIVE","expirationDateTime":"2026-02-15T10:30:00.000Z"}"#,
                decoded: r#"id=WS-1 event=FlightTimeUpdate status=Some(Active) expires=Some("2026-02-15T10:30:00.000Z") extra=[]"#,
            },
            Op::FlexitiAuthorization => Payload {
                body: r#"{"authorization_id":"1234567890","reference":"order-42","amount":"100.00","authorization_status":"opened","transaction_type":"regular_purchase","account_number":"5001"}"#,
                decoded: r#"id=Some("1234567890") status=Some(Opened) type=Some(RegularPurchase) amount=Some("100.00") extra=[]"#,
            },
            Op::FlexitiCapture => Payload {
                body: r#"{"capture_id":"77","authorization_id":"1234567890","amount":"10.00","remaining_authorization_amount":"90.00"}"#,
                decoded: r#"capture_id=Some("77") amount=Some("10.00") remaining=Some("90.00") extra=[]"#,
            },
        }
    }

    /// Only the required fields.
    fn minimal(self) -> Payload {
        match self {
            Op::NetfinitySend | Op::NetfinitySendWithId => Payload {
                body: "{}",
                decoded: "uuid=None id=None keys=[]",
            },
            Op::FsfltAvailableLicenses => Payload {
                body: r#"{"content":[{"license_code":"CL-Q-A005-M1"}]}"#,
                decoded: "1 licence(s): CL-Q-A005-M1 name=None months=None amount=None extra=[]",
            },
            Op::FsfltAssignLicense => Payload {
                body: r#"{"content":{"license_id":13343}}"#,
                decoded: "license_id=13343 customer=None deducted=None extra=[]",
            },
            Op::Fl3xxSubscription | Op::Fl3xxSubscribe => Payload {
                body: r#"{"id":"WS-1","event":"FLIGHT_TIME_UPDATE","callbackUrl":"https://hooks.example.com/fl3xx"}"#,
                decoded: "id=WS-1 event=FlightTimeUpdate status=None expires=None extra=[]",
            },
            Op::FlexitiAuthorization => Payload {
                body: "{}",
                decoded: "id=None status=None type=None amount=None extra=[]",
            },
            Op::FlexitiCapture => Payload {
                body: "{}",
                decoded: "capture_id=None amount=None remaining=None extra=[]",
            },
        }
    }

    /// The full answer plus fields this version does not know.
    fn extra(self) -> Payload {
        match self {
            Op::NetfinitySend | Op::NetfinitySendWithId => Payload {
                body: r#"{"uuid":"5f0c-11","id":"fm1","queued_at":"2026-01-01T00:00:00Z","parts":{"count":1}}"#,
                decoded: r#"uuid=Some("5f0c-11") id=Some("fm1") keys=["id", "parts", "queued_at", "uuid"]"#,
            },
            Op::FsfltAvailableLicenses => Payload {
                body: r#"{"code":200,"server":"eu-1","content":[{"license_code":"CL-Q-A005-M1","license_name":"Cloud 5 users","license_duration_months":"1","license_amount":"12.50","license_amount_currency":"EUR","license_colour":"blue","tiers":[1,2]}]}"#,
                decoded: r#"1 licence(s): CL-Q-A005-M1 name=Some("Cloud 5 users") months=Some(1) amount=Some("12.50") extra=["license_colour", "tiers"]"#,
            },
            Op::FsfltAssignLicense => Payload {
                body: r#"{"code":200,"content":{"customer":"Rossi","license_id":"13343","deducted_amount":"12.50","invoice":{"number":"F-1"}}}"#,
                decoded: r#"license_id=13343 customer=Some("Rossi") deducted=Some("12.50") extra=["invoice"]"#,
            },
            Op::Fl3xxSubscription | Op::Fl3xxSubscribe => Payload {
                body: r#"{"id":"WS-1","event":"FLIGHT_TIME_UPDATE","callbackUrl":"https://hooks.example.com/fl3xx","status":"ACTIVE","expirationDateTime":"2026-02-15T10:30:00.000Z","deliveries":12,"owner":{"id":7}}"#,
                decoded: r#"id=WS-1 event=FlightTimeUpdate status=Some(Active) expires=Some("2026-02-15T10:30:00.000Z") extra=["deliveries", "owner"]"#,
            },
            Op::FlexitiAuthorization => Payload {
                body: r#"{"authorization_id":"1234567890","amount":"100.00","authorization_status":"opened","transaction_type":"regular_purchase","annual_rates":[{"rate":"29.99"}]}"#,
                decoded: r#"id=Some("1234567890") status=Some(Opened) type=Some(RegularPurchase) amount=Some("100.00") extra=["annual_rates"]"#,
            },
            Op::FlexitiCapture => Payload {
                body: r#"{"capture_id":"77","amount":"10.00","remaining_authorization_amount":"90.00","settlement":{"batch":3}}"#,
                decoded: r#"capture_id=Some("77") amount=Some("10.00") remaining=Some("90.00") extra=["settlement"]"#,
            },
        }
    }

    /// Enum values this version does not know; `None` when the answer has no enum.
    fn unknown_enums(self) -> Option<Payload> {
        match self {
            Op::Fl3xxSubscription | Op::Fl3xxSubscribe => Some(Payload {
                body: r#"{"id":"WS-1","event":"FLIGHT_TELEPORTED","callbackUrl":"https://hooks.example.com/fl3xx","status":"HIBERNATING"}"#,
                decoded: r#"id=WS-1 event=Unknown("FLIGHT_TELEPORTED") status=Some(Unknown("HIBERNATING")) expires=None extra=[]"#,
            }),
            Op::FlexitiAuthorization => Some(Payload {
                body: r#"{"authorization_id":"1234567890","authorization_status":"on_hold","transaction_type":"buy_now_pay_later"}"#,
                decoded: r#"id=Some("1234567890") status=Some(Unknown("on_hold")) type=Some(Unknown("buy_now_pay_later")) amount=None extra=[]"#,
            }),
            _ => None,
        }
    }

    /// What an empty 200 decodes to, for operations whose answer may be empty.
    fn empty(self) -> Option<&'static str> {
        match self {
            Op::NetfinitySend | Op::NetfinitySendWithId => Some("uuid=None id=None keys=[]"),
            Op::FlexitiCapture => Some("capture_id=None amount=None remaining=None extra=[]"),
            _ => None,
        }
    }

    fn client(self, uri: &str) -> Result<Client, Error> {
        Ok(match self.provider() {
            "netfinity" => Client::Netfinity(
                netfinity::Client::builder()
                    .token("fault-matrix-token")
                    .base_url(format!("{uri}/v2"))
                    .configure(settings)
                    .build()?,
            ),
            "fsflt" => Client::Fsflt(
                fsflt::Client::builder()
                    .api_key("fault-matrix-key")
                    .base_url(uri)
                    .configure(settings)
                    .build()?,
            ),
            "fl3xx" => Client::Fl3xx(
                fl3xx::Fl3xx::builder()
                    .client_id("fault-matrix-partner")
                    .base_url(uri)
                    .configure(settings)
                    .build()?
                    .for_operator("fault-matrix-operator")?,
            ),
            _ => Client::Flexiti(
                flexiti::Client::builder()
                    .client_id(FLEXITI_CLIENT_ID)
                    .client_secret("fault-matrix-secret")
                    .environment(flexiti::Environment::custom(uri))
                    .configure(settings)
                    .build()?,
            ),
        })
    }

    /// Calls the operation and summarises what it decoded.
    async fn call(self, client: &Client) -> Result<String, Error> {
        let keys = |m: &serde_json::Map<String, serde_json::Value>| {
            format!("{:?}", m.keys().collect::<Vec<_>>())
        };
        let money = |d: Option<api_core::money::Decimal>| d.map(|d| d.to_string());
        match (self, client) {
            (Op::NetfinitySend | Op::NetfinitySendWithId, Client::Netfinity(c)) => {
                let mut sms = netfinity::Sms::new("359881234567", "Fault matrix");
                if self == Op::NetfinitySendWithId {
                    sms = sms.with_id("fm1");
                }
                let a = c.send_sms(&sms).await?.into_inner();
                let raw_keys = a.raw().as_object().map(keys).unwrap_or_default();
                Ok(format!("uuid={:?} id={:?} keys={raw_keys}", a.uuid, a.id))
            }
            (Op::FsfltAvailableLicenses, Client::Fsflt(c)) => {
                let query = fsflt::AvailableLicensesRequest::for_customer(1001.into());
                let list = c.available_licenses(&query).send().await?.into_inner();
                let Some(first) = list.first() else {
                    return Ok("0 licence(s)".into());
                };
                Ok(format!(
                    "{} licence(s): {} name={:?} months={:?} amount={:?} extra={}",
                    list.len(),
                    first.license_code,
                    first.license_name,
                    first.license_duration_months,
                    money(first.license_amount),
                    keys(&first.extra)
                ))
            }
            (Op::FsfltAssignLicense, Client::Fsflt(c)) => {
                let request = fsflt::AssignRequest::new(1001.into(), "CL-Q-A005-M1", "Head office");
                let l = c.assign_license(&request).send().await?.into_inner();
                Ok(format!(
                    "license_id={} customer={:?} deducted={:?} extra={}",
                    l.license_id,
                    l.customer,
                    money(l.deducted_amount),
                    keys(&l.extra)
                ))
            }
            (Op::Fl3xxSubscription | Op::Fl3xxSubscribe, Client::Fl3xx(c)) => {
                let s = if self == Op::Fl3xxSubscription {
                    c.get_webhook_subscription(fl3xx::Id::from("WS-1"))
                        .send()
                        .await?
                } else {
                    c.create_webhook_subscription(&fl3xx::CreateWebhookSubscription::new(
                        fl3xx::WebhookEventType::FlightTimeUpdate,
                        "https://hooks.example.com/fl3xx",
                        "fault-matrix-signing-key",
                    ))
                    .send()
                    .await?
                }
                .into_inner();
                Ok(format!(
                    "id={} event={:?} status={:?} expires={:?} extra={}",
                    s.id,
                    s.event,
                    s.status,
                    s.expiration_date_time.as_ref().map(|t| t.as_str()),
                    keys(&s.extra)
                ))
            }
            (Op::FlexitiAuthorization, Client::Flexiti(c)) => {
                let a = c
                    .get_authorization(flexiti::Id::from(AUTHORIZATION_ID))
                    .send()
                    .await?
                    .into_inner();
                Ok(format!(
                    "id={:?} status={:?} type={:?} amount={:?} extra={}",
                    a.authorization_id.as_ref().map(flexiti::Id::text),
                    a.authorization_status,
                    a.transaction_type,
                    money(a.amount),
                    keys(&a.extra)
                ))
            }
            (Op::FlexitiCapture, Client::Flexiti(c)) => {
                let request = flexiti::CaptureRequest {
                    amount: api_core::money::Decimal::new(1000, 2),
                    reference: Some("order-42".into()),
                    sku_data: None,
                    external_location_id: None,
                    external_employee_id: None,
                };
                let capture = c
                    .capture_authorization(flexiti::Id::from(AUTHORIZATION_ID), &request)
                    .send()
                    .await?
                    .into_inner();
                Ok(format!(
                    "capture_id={:?} amount={:?} remaining={:?} extra={}",
                    capture.capture_id.as_ref().map(flexiti::Id::text),
                    money(capture.amount),
                    money(capture.remaining_authorization_amount),
                    keys(&capture.extra)
                ))
            }
            (op, _) => Err(Error::Config(format!(
                "{op:?} was given another provider's client"
            ))),
        }
    }
}

enum Client {
    Netfinity(netfinity::Client),
    Fsflt(fsflt::Client),
    Fl3xx(fl3xx::OperatorClient),
    Flexiti(flexiti::Client),
}

// ---------------------------------------------------------------------------------------------
// The faults.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    TooManyRequestsSeconds,
    TooManyRequestsDate,
    RateLimit403,
    RateLimit403RetryAfter,
    Status500,
    Status502,
    Status503,
    Status504,
    ConnectionRefused,
    ResetBeforeResponse,
    ResetMidBody,
    StallMidBody,
    TruncatedJson,
    Html200,
    Html502,
    EmptyBody,
    TooLarge,
    WrongContentType,
    UnknownEnums,
    MissingOptional,
    ExtraFields,
    RetryAfterBeyondClock,
    RetryAfterYear9999,
    ResetBeyondClock,
    RedirectLoop,
    HugeErrorText,
}

const FAULTS: [Fault; 26] = [
    Fault::TooManyRequestsSeconds,
    Fault::TooManyRequestsDate,
    Fault::RateLimit403,
    Fault::RateLimit403RetryAfter,
    Fault::Status500,
    Fault::Status502,
    Fault::Status503,
    Fault::Status504,
    Fault::ConnectionRefused,
    Fault::ResetBeforeResponse,
    Fault::ResetMidBody,
    Fault::StallMidBody,
    Fault::TruncatedJson,
    Fault::Html200,
    Fault::Html502,
    Fault::EmptyBody,
    Fault::TooLarge,
    Fault::WrongContentType,
    Fault::UnknownEnums,
    Fault::MissingOptional,
    Fault::ExtraFields,
    Fault::RetryAfterBeyondClock,
    Fault::RetryAfterYear9999,
    Fault::ResetBeyondClock,
    Fault::RedirectLoop,
    Fault::HugeErrorText,
];

const FAIR_USE_403: &str = r#"{"status":403,"error":"Forbidden","message":"Rate limit exceeded: fair use policy","path":"/api/v2"}"#;
const HTML_PAGE: &[u8] =
    b"<!DOCTYPE html><html><head><title>Maintenance</title></head><body><h1>Back soon</h1></body></html>";
const HTML_502: &[u8] =
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

impl Fault {
    fn label(self) -> String {
        match self {
            Fault::TooManyRequestsSeconds => {
                format!("429, Retry-After: {RETRY_AFTER_SECS} (once)")
            }
            Fault::TooManyRequestsDate => {
                format!("429, Retry-After: HTTP date +{RETRY_AFTER_DATE_SECS} s (once)")
            }
            Fault::RateLimit403 => "403 \"rate limit\" body, no Retry-After".into(),
            Fault::RateLimit403RetryAfter => {
                format!("403 \"rate limit\" body, Retry-After: {RETRY_AFTER_SECS} (once)")
            }
            Fault::Status500 => "500".into(),
            Fault::Status502 => "502".into(),
            Fault::Status503 => "503".into(),
            Fault::Status504 => "504".into(),
            Fault::ConnectionRefused => "connection refused".into(),
            Fault::ResetBeforeResponse => "reset before the response".into(),
            Fault::ResetMidBody => "reset in the middle of the body".into(),
            Fault::StallMidBody => format!(
                "stall mid-body past the {} ms timeout",
                REQUEST_TIMEOUT.as_millis()
            ),
            Fault::TruncatedJson => "truncated JSON (200)".into(),
            Fault::Html200 => "HTML page with 200".into(),
            Fault::Html502 => "HTML page with 502".into(),
            Fault::EmptyBody => "empty body (200)".into(),
            Fault::TooLarge => format!(
                "chunked body past the {} KiB cap",
                MAX_RESPONSE_BYTES / 1024
            ),
            Fault::WrongContentType => "JSON sent as text/plain".into(),
            Fault::UnknownEnums => "unknown enum values".into(),
            Fault::MissingOptional => "missing optional fields".into(),
            Fault::ExtraFields => "extra fields".into(),
            Fault::RetryAfterBeyondClock => "429, Retry-After: 2⁶⁴−1 s".into(),
            Fault::RetryAfterYear9999 => "503, Retry-After: a date in the year 9999".into(),
            Fault::ResetBeyondClock => {
                "200, X-RateLimit-Remaining: 0, X-RateLimit-Reset: 2⁶⁴−1".into()
            }
            Fault::RedirectLoop => "307 to itself, forever".into(),
            Fault::HugeErrorText => "422, 20 KiB message, field name and field error".into(),
        }
    }

    /// What the n-th request of the cell gets; `None` for a refused connection (no server).
    fn plan(self, op: Op) -> Option<Box<dyn Fn(usize) -> Action + Send + Sync>> {
        let ok = Action::Send(json("200 OK", op.full().body));
        let full = op.full().body.as_bytes();
        let half = &full[..full.len() / 2];
        let once = |first: Action| -> Box<dyn Fn(usize) -> Action + Send + Sync> {
            let ok = ok.clone();
            Box::new(move |n| if n == 0 { first.clone() } else { ok.clone() })
        };
        let always = |action: Action| -> Box<dyn Fn(usize) -> Action + Send + Sync> {
            Box::new(move |_| action.clone())
        };
        let retry_after = RETRY_AFTER_SECS.to_string();
        Some(match self {
            Fault::TooManyRequestsSeconds => once(Action::Send(response(
                "429 Too Many Requests",
                "application/json",
                &[("Retry-After", &retry_after)],
                br#"{"message":"Too Many Attempts."}"#,
            ))),
            Fault::TooManyRequestsDate => once(Action::RetryAfterDate {
                status: "429 Too Many Requests",
                secs: RETRY_AFTER_DATE_SECS,
                body: br#"{"message":"Too Many Attempts."}"#.to_vec(),
            }),
            Fault::RateLimit403 => always(Action::Send(json("403 Forbidden", FAIR_USE_403))),
            Fault::RateLimit403RetryAfter => once(Action::Send(response(
                "403 Forbidden",
                "application/json",
                &[("Retry-After", &retry_after)],
                FAIR_USE_403.as_bytes(),
            ))),
            Fault::Status500 => always(Action::Send(json(
                "500 Internal Server Error",
                r#"{"message":"Server Error"}"#,
            ))),
            Fault::Status502 => always(Action::Send(json(
                "502 Bad Gateway",
                r#"{"message":"Bad Gateway"}"#,
            ))),
            Fault::Status503 => always(Action::Send(json(
                "503 Service Unavailable",
                r#"{"message":"Service Unavailable"}"#,
            ))),
            Fault::Status504 => always(Action::Send(json(
                "504 Gateway Timeout",
                r#"{"message":"Gateway Timeout"}"#,
            ))),
            Fault::ConnectionRefused => return None,
            Fault::ResetBeforeResponse => always(Action::Reset),
            Fault::ResetMidBody => always(Action::SendThenReset(partial_body(full.len(), half))),
            Fault::StallMidBody => {
                always(Action::SendThenStall(partial_body(full.len(), half), STALL))
            }
            Fault::TruncatedJson => always(Action::Send(response(
                "200 OK",
                "application/json",
                &[],
                half,
            ))),
            Fault::Html200 => always(Action::Send(response(
                "200 OK",
                "text/html; charset=utf-8",
                &[],
                HTML_PAGE,
            ))),
            Fault::Html502 => always(Action::Send(response(
                "502 Bad Gateway",
                "text/html",
                &[],
                HTML_502,
            ))),
            Fault::EmptyBody => always(Action::Send(response(
                "200 OK",
                "application/json",
                &[],
                b"",
            ))),
            Fault::TooLarge => always(Action::Stream {
                total: 16 * MAX_RESPONSE_BYTES,
                content_length: false,
            }),
            Fault::WrongContentType => always(Action::Send(response(
                "200 OK",
                "text/plain; charset=utf-8",
                &[],
                full,
            ))),
            Fault::UnknownEnums => always(Action::Send(json("200 OK", op.unknown_enums()?.body))),
            Fault::MissingOptional => always(Action::Send(json("200 OK", op.minimal().body))),
            Fault::ExtraFields => always(Action::Send(json("200 OK", op.extra().body))),
            Fault::RetryAfterBeyondClock => always(Action::Send(response(
                "429 Too Many Requests",
                "application/json",
                &[("Retry-After", "18446744073709551615")],
                br#"{"message":"Too Many Attempts."}"#,
            ))),
            Fault::RetryAfterYear9999 => always(Action::Send(response(
                "503 Service Unavailable",
                "application/json",
                &[("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT")],
                br#"{"message":"Service Unavailable"}"#,
            ))),
            Fault::ResetBeyondClock => always(Action::Send(response(
                "200 OK",
                "application/json",
                &[
                    ("X-RateLimit-Remaining", "0"),
                    ("X-RateLimit-Reset", "18446744073709551615"),
                ],
                full,
            ))),
            Fault::HugeErrorText => {
                let huge = "x".repeat(20 * 1024);
                let body = format!(r#"{{"message":"{huge}","errors":{{"{huge}":["{huge}"]}}}}"#);
                always(Action::Send(json("422 Unprocessable Entity", &body)))
            }
            Fault::RedirectLoop => {
                let line = op.request_line();
                let path = line.split_once(' ').map_or(line, |(_, path)| path);
                always(Action::Send(response(
                    "307 Temporary Redirect",
                    "application/json",
                    &[("Location", path)],
                    b"",
                )))
            }
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The rules: what each cell must end in.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Ok(&'static str),
    Api(ErrorKind),
    Transport(TransportErrorKind),
    Timeout(&'static str),
    Decode,
    TooLarge,
}

#[derive(Debug)]
struct Expected {
    outcome: Expect,
    /// Requests the server receives.
    requests: usize,
    /// Attempts the client makes (more than `requests` only when connections are refused).
    attempts: u32,
    /// The least the call can take (a server-imposed wait, timeouts).
    at_least: Duration,
}

/// The rules of the developers' guide and `api_core::retry::may_retry`, cell by cell; `None`
/// where the cell does not apply (no enum in the answer).
fn expected(op: Op, fault: Fault) -> Option<Expected> {
    // Reads and keyed side effects are retried on transport failures, timeouts, 429, 502,
    // 503 and 504; a side effect without a key only on 429 and a refused connection.
    let repeatable = op.class() != Class::SideEffect;
    let retried = if repeatable { MAX_ATTEMPTS } else { 1 };
    let once = |outcome| Expected {
        outcome,
        requests: 1,
        attempts: 1,
        at_least: Duration::ZERO,
    };
    let up_to_max = |outcome, at_least_each: Duration| Expected {
        outcome,
        requests: retried as usize,
        attempts: retried,
        at_least: at_least_each * retried,
    };
    let after_wait = |wait: Duration| Expected {
        outcome: Expect::Ok(op.full().decoded),
        requests: 2,
        attempts: 2,
        at_least: wait,
    };
    Some(match fault {
        // The server refused before acting: every operation waits and repeats.
        Fault::TooManyRequestsSeconds => after_wait(Duration::from_secs(RETRY_AFTER_SECS)),
        // A date in whole seconds, 2 s ahead when sent: the wait is more than 1 s.
        Fault::TooManyRequestsDate => after_wait(Duration::from_secs(RETRY_AFTER_DATE_SECS - 1)),
        // FL3XX's fair-use 403 is a rate limit; without Retry-After its default wait (10
        // minutes) is past the maximum wait, so the error comes back at once. Elsewhere a 403
        // is a permissions failure.
        Fault::RateLimit403 if op.provider() == "fl3xx" => {
            once(Expect::Api(ErrorKind::TooManyRequests))
        }
        Fault::RateLimit403RetryAfter if op.provider() == "fl3xx" => {
            after_wait(Duration::from_secs(RETRY_AFTER_SECS))
        }
        Fault::RateLimit403 | Fault::RateLimit403RetryAfter => {
            once(Expect::Api(ErrorKind::Forbidden))
        }
        Fault::Status500 => once(Expect::Api(ErrorKind::InternalServerError)),
        Fault::Status502 | Fault::Html502 => {
            up_to_max(Expect::Api(ErrorKind::BadGateway), Duration::ZERO)
        }
        Fault::Status503 => up_to_max(Expect::Api(ErrorKind::ServiceUnavailable), Duration::ZERO),
        Fault::Status504 => up_to_max(Expect::Api(ErrorKind::GatewayTimeout), Duration::ZERO),
        // Nothing reached a server, so even a side effect is repeated.
        Fault::ConnectionRefused => Expected {
            outcome: Expect::Transport(TransportErrorKind::Connect),
            requests: 0,
            attempts: MAX_ATTEMPTS,
            at_least: Duration::ZERO,
        },
        Fault::ResetBeforeResponse => up_to_max(
            Expect::Transport(TransportErrorKind::Request),
            Duration::ZERO,
        ),
        Fault::ResetMidBody => {
            up_to_max(Expect::Transport(TransportErrorKind::Body), Duration::ZERO)
        }
        Fault::StallMidBody => up_to_max(Expect::Timeout("request"), REQUEST_TIMEOUT),
        Fault::TruncatedJson | Fault::Html200 => once(Expect::Decode),
        Fault::EmptyBody => once(op.empty().map_or(Expect::Decode, Expect::Ok)),
        Fault::TooLarge => once(Expect::TooLarge),
        // The body is JSON whatever the header says: decoded, not refused.
        Fault::WrongContentType => once(Expect::Ok(op.full().decoded)),
        Fault::UnknownEnums => once(Expect::Ok(op.unknown_enums()?.decoded)),
        Fault::MissingOptional => once(Expect::Ok(op.minimal().decoded)),
        Fault::ExtraFields => once(Expect::Ok(op.extra().decoded)),
        // A server's wait is cut to the ceiling on server-imposed pauses (5 minutes; FL3XX's
        // 10), still past the maximum wait: the error at once, nothing panics, and the
        // client is not disabled for longer than the ceiling.
        Fault::RetryAfterBeyondClock => once(Expect::Api(ErrorKind::TooManyRequests)),
        Fault::RetryAfterYear9999 => once(Expect::Api(ErrorKind::ServiceUnavailable)),
        // An announced reset beyond the clock is ignored by the in-memory limiter.
        Fault::ResetBeyondClock => once(Expect::Ok(op.full().decoded)),
        // Followed five times within the origin, then refused as a loop; a side effect
        // without a key is never sent again through a 307.
        Fault::RedirectLoop if repeatable => Expected {
            outcome: Expect::Api(ErrorKind::RedirectRefused),
            requests: 6,
            attempts: 1,
            at_least: Duration::ZERO,
        },
        Fault::RedirectLoop => once(Expect::Api(ErrorKind::RedirectRefused)),
        // Every cell's error is checked for bounded texts (`check`); this one tests the
        // bound with the largest body the matrix's cap lets through.
        Fault::HugeErrorText => once(Expect::Api(ErrorKind::Validation)),
    })
}

// ---------------------------------------------------------------------------------------------
// Running a cell.
// ---------------------------------------------------------------------------------------------

/// How a call ended.
enum Outcome {
    Returned(Result<String, Error>),
    Panicked(String),
}

impl Outcome {
    fn matches(&self, expect: &Expect) -> bool {
        let Outcome::Returned(result) = self else {
            return false;
        };
        match (expect, result) {
            (Expect::Ok(decoded), Ok(got)) => got == decoded,
            (Expect::Api(kind), Err(Error::Api(e))) => &e.kind == kind,
            (Expect::Transport(kind), Err(Error::Transport(e))) => &e.kind == kind,
            (Expect::Timeout(what), Err(Error::Timeout { what: got, .. })) => got == what,
            (Expect::Decode, Err(Error::Decode(_))) => true,
            (Expect::TooLarge, Err(Error::ResponseTooLarge { limit })) => {
                *limit == MAX_RESPONSE_BYTES
            }
            _ => false,
        }
    }

    /// The table's name for it.
    fn short(&self) -> String {
        match self {
            Outcome::Panicked(_) => "PANIC".into(),
            Outcome::Returned(Ok(_)) => "ok".into(),
            Outcome::Returned(Err(e)) => match e {
                Error::Api(e) => format!("{:?}", e.kind),
                Error::Transport(e) => format!("Transport({:?})", e.kind),
                Error::Timeout { what, .. } => format!("Timeout({what})"),
                Error::Decode(_) => "Decode".into(),
                Error::ResponseTooLarge { .. } => "TooLarge".into(),
                other => format!("{other:?}"),
            },
        }
    }

    fn detail(&self) -> String {
        match self {
            Outcome::Panicked(message) => format!("panicked: {message}"),
            Outcome::Returned(Ok(decoded)) => format!("ok: {decoded}"),
            Outcome::Returned(Err(e)) => format!("{e:?}"),
        }
    }
}

struct CellResult {
    op: Op,
    fault: Fault,
    outcome: Outcome,
    requests: usize,
    attempts: u32,
    elapsed: Duration,
    failures: Vec<String>,
}

impl CellResult {
    fn cell_text(&self) -> String {
        let tries = if self.attempts as usize == self.requests {
            String::new()
        } else {
            format!(" ({} tries)", self.attempts)
        };
        format!(
            "{} · {} req{tries} · {} ms",
            self.outcome.short(),
            self.requests,
            self.elapsed.as_millis()
        )
    }
}

async fn run_cell(op: Op, fault: Fault, cell: u64, attempts: Attempts) -> Option<CellResult> {
    let expected = expected(op, fault)?;
    let server = match fault.plan(op) {
        Some(plan) => Some(FaultServer::start(plan).await),
        None if op.provider() == "flexiti" => {
            // A cold Flexiti client asks for a token first, and meets the refusal there (see
            // `a_cold_flexiti_client_with_the_host_down`). Warm the token on a server that then
            // stops listening: the API call meets the refusal itself.
            let ok = json("200 OK", op.full().body);
            Some(FaultServer::start(move |_| Action::Send(ok.clone())).await)
        }
        None => None,
    };
    let uri = server.as_ref().map_or_else(refused_uri, FaultServer::uri);
    let client = match op.client(&uri) {
        Ok(client) => Arc::new(client),
        Err(e) => {
            return Some(CellResult {
                op,
                fault,
                outcome: Outcome::Returned(Err(e)),
                requests: 0,
                attempts: 0,
                elapsed: Duration::ZERO,
                failures: vec!["the client could not be built".into()],
            });
        }
    };
    let mut warm_up_requests = 0;
    if fault == Fault::ConnectionRefused
        && let Some(server) = &server
    {
        if let Err(e) = Op::FlexitiAuthorization.call(&client).await {
            return Some(CellResult {
                op,
                fault,
                outcome: Outcome::Returned(Err(e)),
                requests: 0,
                attempts: 0,
                elapsed: Duration::ZERO,
                failures: vec!["the warm-up call failed".into()],
            });
        }
        warm_up_requests = server.requests().len();
        server.stop();
    }

    let span = tracing::info_span!("cell", cell = cell);
    let started = Instant::now();
    let call = {
        let client = client.clone();
        tokio::spawn(async move { op.call(&client).await }.instrument(span))
    };
    let outcome = match call.await {
        Ok(result) => Outcome::Returned(result),
        Err(e) => Outcome::Panicked(e.to_string()),
    };
    let elapsed = started.elapsed();
    let recorded: Vec<Recorded> = server
        .as_ref()
        .map(|s| s.requests().split_off(warm_up_requests))
        .unwrap_or_default();
    let result = CellResult {
        op,
        fault,
        outcome,
        requests: recorded.len(),
        attempts: attempts.of(cell),
        elapsed,
        failures: Vec::new(),
    };
    Some(check(result, &expected, &recorded))
}

/// Compares a cell with its expectation; the failures are kept for the report.
fn check(mut cell: CellResult, expected: &Expected, recorded: &[Recorded]) -> CellResult {
    let mut failures = Vec::new();
    if !cell.outcome.matches(&expected.outcome) {
        failures.push(format!(
            "expected {:?}, got {}",
            expected.outcome,
            cell.outcome.detail()
        ));
    }
    if cell.requests != expected.requests {
        failures.push(format!(
            "expected {} request(s) at the server, got {}",
            expected.requests, cell.requests
        ));
    }
    if cell.attempts != expected.attempts {
        failures.push(format!(
            "expected {} attempt(s), the span recorded {}",
            expected.attempts, cell.attempts
        ));
    }
    if cell.elapsed > CALL_TIMEOUT {
        failures.push(format!(
            "took {:?}, past the {CALL_TIMEOUT:?} deadline",
            cell.elapsed
        ));
    }
    if cell.elapsed < expected.at_least {
        failures.push(format!(
            "took {:?}, less than the {:?} it must wait",
            cell.elapsed, expected.at_least
        ));
    }
    // A wait beyond the clock is cut to the provider's ceiling on server-imposed pauses:
    // FL3XX's fair-use interval, api-core's default elsewhere (issue #16).
    if matches!(
        cell.fault,
        Fault::RetryAfterBeyondClock | Fault::RetryAfterYear9999
    ) && let Outcome::Returned(Err(e)) = &cell.outcome
    {
        let ceiling = if cell.op.provider() == "fl3xx" {
            fl3xx::FAIR_USE_INTERVAL
        } else {
            api_core::DEFAULT_MAX_SERVER_PAUSE
        };
        if e.retry_after() != Some(ceiling) {
            failures.push(format!(
                "retry_after {:?}, not the {ceiling:?} ceiling",
                e.retry_after()
            ));
        }
    }
    // Whatever the server sent, an error prints bounded (issue #16).
    if let Outcome::Returned(Err(e)) = &cell.outcome {
        let (display, debug) = (e.to_string().len(), format!("{e:?}").len());
        if display > Error::DISPLAY_LIMIT || debug > Error::DEBUG_LIMIT {
            failures.push(format!(
                "error texts of {display} (Display) and {debug} (Debug) bytes, past the limits"
            ));
        }
    }
    let op = cell.op;
    for request in recorded {
        if request.request_line() != op.request_line() {
            failures.push(format!("unexpected request `{}`", request.request_line()));
        }
    }
    // A repeat is the same request: same body, same idempotency key.
    if let Some(first) = recorded.first() {
        let key = first.header("x-idempotency-key");
        match (op, key) {
            (Op::FlexitiCapture, Some(k)) if !k.is_empty() => {}
            (Op::FlexitiCapture, _) => failures.push("capture without x-idempotency-key".into()),
            (_, Some(_)) => failures.push("x-idempotency-key on a call that has none".into()),
            (_, None) => {}
        }
        if op == Op::NetfinitySendWithId
            && !String::from_utf8_lossy(&first.body).contains(r#""id":"fm1""#)
        {
            failures.push("the message id (the idempotency key) is not in the body".into());
        }
        for repeat in &recorded[1..] {
            if repeat.body != first.body || repeat.header("x-idempotency-key") != key {
                failures.push("a repeat differs from the first request".into());
            }
        }
    }
    cell.failures = failures;
    cell
}

// ---------------------------------------------------------------------------------------------
// The table.
// ---------------------------------------------------------------------------------------------

fn table(cells: &[CellResult]) -> String {
    let mut out = String::from("| fault |");
    for op in OPS {
        out.push_str(&format!(" {} |", op.label()));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(OPS.len()));
    out.push('\n');
    for fault in FAULTS {
        out.push_str(&format!("| {} |", fault.label()));
        for op in OPS {
            let text = cells
                .iter()
                .find(|c| c.op == op && c.fault == fault)
                .map_or_else(
                    || "n/a".to_owned(),
                    |c| {
                        let mark = if c.failures.is_empty() {
                            ""
                        } else {
                            " **FAIL**"
                        };
                        format!("{}{mark}", c.cell_text())
                    },
                );
            out.push_str(&format!(" {text} |"));
        }
        out.push('\n');
    }
    out
}

fn target_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fault_matrix() {
    let attempts = attempts::install();
    let permits = Arc::new(Semaphore::new(CONCURRENT_CELLS));
    let started = Instant::now();
    let mut handles = Vec::new();
    let mut cell: u64 = 0;
    for op in OPS {
        for fault in FAULTS {
            cell += 1;
            let (permits, attempts) = (permits.clone(), attempts.clone());
            handles.push((
                op,
                fault,
                tokio::spawn(async move {
                    let _permit = permits.acquire_owned().await.ok();
                    run_cell(op, fault, cell, attempts).await
                }),
            ));
        }
    }
    let mut cells = Vec::new();
    for (op, fault, handle) in handles {
        match handle.await {
            Ok(Some(result)) => cells.push(result),
            Ok(None) => {}
            Err(e) => cells.push(CellResult {
                op,
                fault,
                outcome: Outcome::Panicked(e.to_string()),
                requests: 0,
                attempts: 0,
                elapsed: Duration::ZERO,
                failures: vec!["the cell's harness panicked".into()],
            }),
        }
    }
    let total = started.elapsed();

    let table = table(&cells);
    let report = format!(
        "# Fault matrix\n\n{} cells ({} providers × 2 operations × {} faults, less the cells \
         without an enum), in {} ms. Each cell: outcome · requests the server received \
         (· attempts, when they differ) · time of the call.\n\n\
         Settings: request timeout {} ms, call deadline {} ms, {} attempts, backoff 10–20 ms, \
         maximum rate-limit wait {} s, response cap {} KiB.\n\n{table}",
        cells.len(),
        OPS.len() / 2,
        FAULTS.len(),
        total.as_millis(),
        REQUEST_TIMEOUT.as_millis(),
        CALL_TIMEOUT.as_millis(),
        MAX_ATTEMPTS,
        MAX_RATE_LIMIT_WAIT.as_secs(),
        MAX_RESPONSE_BYTES / 1024,
    );
    println!("{report}");
    let dir = target_dir().join("reliability");
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("fault-matrix.md"), &report));
    if let Err(e) = written {
        println!("could not write {}: {e}", dir.display());
    }

    let failures: Vec<String> = cells
        .iter()
        .flat_map(|c| {
            c.failures
                .iter()
                .map(move |f| format!("{} × {}: {f}", c.op.label(), c.fault.label()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} failing cell check(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    let applicable = OPS
        .iter()
        .flat_map(|op| FAULTS.iter().filter(|f| expected(*op, **f).is_some()))
        .count();
    assert_eq!(cells.len(), applicable, "every applicable cell ran");
}

// ---------------------------------------------------------------------------------------------
// Beside the matrix.
// ---------------------------------------------------------------------------------------------

/// The default cap (16 MiB), with no `max_response_bytes` setting: a chunked body that would
/// go on for 64 MiB is cut off once the cap is passed, and a `Content-Length` of 17 MiB is
/// refused from the head. Either way the server sees the client hang up long before it has
/// written everything: the rest is never read, so never held in memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_cap_stops_reading_a_body_past_16_mib() {
    const MIB: u64 = 1024 * 1024;
    let cap = api_core::DEFAULT_MAX_RESPONSE_BYTES;
    assert_eq!(cap, 16 * MIB);
    for (total, content_length) in [(64 * MIB, false), (17 * MIB, true)] {
        let server = FaultServer::start(move |_| Action::Stream {
            total,
            content_length,
        })
        .await;
        let client = fl3xx::Fl3xx::builder()
            .client_id("fault-matrix-partner")
            .base_url(server.uri())
            .configure(|t| t.retry(RetryConfig::default()))
            .build()
            .and_then(|partner| partner.for_operator("fault-matrix-operator"))
            .expect("client");

        let started = Instant::now();
        let err = client
            .get_webhook_subscription(fl3xx::Id::from("WS-1"))
            .send()
            .await
            .expect_err("past the cap");
        let elapsed = started.elapsed();
        // The server's writes fail once the client has closed; give the last one a moment.
        for _ in 0..100 {
            if server.client_hung_up() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }

        let framing = if content_length {
            "Content-Length"
        } else {
            "chunked"
        };
        println!(
            "{framing} body of {} MiB: {err:?} after {} ms; server wrote {:.1} MiB before the \
             client hung up",
            total / MIB,
            elapsed.as_millis(),
            server.streamed() as f64 / MIB as f64
        );
        assert!(
            matches!(err, Error::ResponseTooLarge { limit } if limit == cap),
            "{framing}: {err:?}"
        );
        // Not retried: a larger body next time would not help.
        assert_eq!(server.requests().len(), 1, "{framing}");
        assert!(
            server.client_hung_up(),
            "{framing}: the client kept the connection"
        );
        if content_length {
            // Refused from the head: what got written is what the socket buffers took.
            assert!(
                server.streamed() < total,
                "{framing}: {}",
                server.streamed()
            );
        } else {
            // Read up to the cap, then dropped: far less than the whole body left the server.
            assert!(server.streamed() >= cap, "{framing}: {}", server.streamed());
            assert!(
                server.streamed() < cap + 16 * MIB,
                "{framing}: {}",
                server.streamed()
            );
        }
        assert!(
            elapsed < api_core::DEFAULT_CALL_TIMEOUT,
            "{framing}: {elapsed:?}"
        );
    }
}

/// A Flexiti client that has no token yet asks the token endpoint first; with the host down
/// that request is refused. The call itself never left, so it is a `Connect` failure, retried
/// like a refused API connection even for a capture (the matrix's refused cells use a client
/// whose token is cached, so they show the API call's own refusal).
#[tokio::test]
async fn a_cold_flexiti_client_with_the_host_down() {
    let attempts = attempts::install();
    let client = Op::FlexitiCapture.client(&refused_uri()).expect("client");

    let started = Instant::now();
    let result = Op::FlexitiCapture
        .call(&client)
        .instrument(tracing::info_span!("cell", cell = 0))
        .await;

    let err = result.expect_err("nothing listens");
    match &err {
        Error::Transport(e) => {
            assert_eq!(e.kind, api_core::TransportErrorKind::Connect, "{err:?}");
            assert_eq!(e.operation, "oauth2 token request", "{err:?}");
            assert_eq!(e.provider, "flexiti", "{err:?}");
        }
        other => panic!("expected a Connect failure, got {other:?}"),
    }
    assert!(!err.to_string().contains("fault-matrix-secret"), "{err}");
    assert_eq!(attempts.of(0), 3);
    assert!(started.elapsed() < CALL_TIMEOUT, "{:?}", started.elapsed());
}

// ---------------------------------------------------------------------------------------------
// Every provider's error decoder against a 422 with a 1 MiB message and a 1 MiB field error
// (issue #16), in the shape that provider sends: what it decodes prints within the limits,
// and after `ApiError::bound` (which the transport calls) its stored texts are bounded too;
// both keep the server's first bytes. The matrix's 422 row checks the same through each
// whole client, with the largest body its response cap lets through.
// ---------------------------------------------------------------------------------------------

fn huge(start: &str, fill: &str) -> String {
    format!("{start} {}", fill.repeat(1 << 20))
}

#[test]
fn every_decoder_bounds_a_1_mib_validation_error() {
    let message = huge("Start of the message", "m");
    let field_error = huge("Start of the field error", "f");
    // (provider, operation, decoder, body, the field it names)
    let cases: [(&str, &str, &dyn ErrorDecoder, serde_json::Value, &str); 4] = [
        (
            "netfinity",
            "send_sms",
            &JsonErrorDecoder,
            json!({"message": message, "errors": {"to": [field_error]}}),
            "to",
        ),
        (
            "fsflt",
            "create_customer",
            &fsflt::FsfltErrors,
            json!({"code": 422, "message": message, "errors": {"lang": [field_error]}}),
            "lang",
        ),
        (
            "fl3xx",
            "list_flights",
            &fl3xx::Fl3xxErrors,
            json!({"status": 422, "message": message, "errors": [{"field": "currency", "message": field_error}]}),
            "currency",
        ),
        (
            "flexiti",
            "capture_authorization",
            &flexiti::FlexitiErrors,
            json!({"message": message, "error": "wrong_inputs", "field_errors": [{"param": "email", "msg": field_error}]}),
            "email",
        ),
    ];
    for (provider, operation, decoder, body, field) in cases {
        let mut e = ApiError::new(provider, operation, StatusCode::UNPROCESSABLE_ENTITY);
        decoder.decode_error(&mut e, body.to_string().as_bytes());
        for bound in [false, true] {
            if bound {
                e.bound();
                let stored = e.message.as_deref().unwrap_or_default();
                assert!(
                    stored.len() <= ApiError::TEXT_LIMIT,
                    "{provider}: {}",
                    stored.len()
                );
                assert!(
                    e.field_errors[field][0].len() <= ApiError::TEXT_LIMIT,
                    "{provider}"
                );
            }
            let (display, debug) = (e.to_string(), format!("{e:?}"));
            assert!(
                display.len() <= api_core::Error::DISPLAY_LIMIT,
                "{provider}: {}",
                display.len()
            );
            assert!(
                debug.len() <= api_core::Error::DEBUG_LIMIT,
                "{provider}: {}",
                debug.len()
            );
            assert!(
                display.contains(": Start of the message mmm"),
                "{provider}: {display:.200}"
            );
            assert!(
                display.contains(&format!("; {field}: Start of the field error fff")),
                "{provider}: {display:.200}"
            );
            assert!(
                debug.contains("message: Some(\"Start of the message mmm"),
                "{provider}: {debug:.200}"
            );
        }
    }
}
