//! Planted credentials never show up in a log line, a `Debug` or `Display` of a client, a
//! builder or an error — through every provider's flows, successes and failures alike.
//!
//! Each test plants long random credentials of its own (and, for Flexiti, collects the bearer
//! tokens the sandbox issued), drives the provider's real client against the sandbox and
//! against wiremock for the failures the sandbox does not produce (5xx with retries, an
//! undecodable body, a timeout, a body over the size limit, a refused redirect, a dead port),
//! and then looks for every credential — and the Base64 `client_id:secret` a Basic header
//! would carry — in:
//! - everything logged at TRACE through one global `tracing` subscriber: api-core's spans and
//!   events, hyper-util's and h2's tracing events, and reqwest's `log` records bridged with
//!   `tracing-log`;
//! - `{:?}`, `{:#?}` and `Display` of every error, and `{:?}`/`{:#?}` of every client and
//!   builder (the configs a user could print).
//!
//! It also checks that the credentials did reach the server, so a silent client (or a test
//! that stopped sending them) could not pass.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use api_core::money::Decimal;
use api_core::{Error, RetryConfig, TransportBuilder};
use api_sandbox::{
    Fl3xxConfig, FlexitiConfig, FsfltConfig, NetfinityConfig, RecordedRequest, Sandbox,
    SandboxConfig,
};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

// ---------------------------------------------------------------------------------------------
// Capture.
// ---------------------------------------------------------------------------------------------

/// A shared in-memory sink for the fmt layer.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

impl io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The process-wide TRACE capture (global, so tasks on any runtime thread are seen): every
/// span's open and close with its fields, every event, and the `log` records of crates that
/// use `log` (reqwest).
fn logs() -> LogBuffer {
    static CAPTURE: OnceLock<LogBuffer> = OnceLock::new();
    CAPTURE
        .get_or_init(|| {
            let buffer = LogBuffer::default();
            let writer = buffer.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_ansi(false)
                .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
                .with_writer(move || writer.clone())
                .finish();
            tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
            tracing_log::LogTracer::init().expect("the only logger");
            buffer
        })
        .clone()
}

// ---------------------------------------------------------------------------------------------
// Planted secrets.
// ---------------------------------------------------------------------------------------------

/// A credential no other test (or run) uses: `prefix` and 128 random bits.
fn planted(prefix: &str) -> String {
    let random = || RandomState::new().build_hasher().finish();
    format!("{prefix}{:016x}{:016x}", random(), random())
}

/// Standard Base64 with padding (what a Basic `Authorization` header carries).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// What a test planted, what it printed, and the errors it met.
#[derive(Default)]
struct Evidence {
    secrets: Vec<String>,
    printed: Vec<(String, String)>,
    errors: Vec<Error>,
}

impl Evidence {
    fn plant(&mut self, prefix: &str) -> String {
        let secret = planted(prefix);
        self.secrets.push(secret.clone());
        secret
    }

    /// Keeps `{:?}` and `{:#?}` of a client, builder or config.
    fn print(&mut self, what: &str, value: &dyn std::fmt::Debug) {
        self.printed.push((what.into(), format!("{value:?}")));
        self.printed.push((what.into(), format!("{value:#?}")));
    }

    /// Keeps the error of a call that must fail.
    fn fail<T: std::fmt::Debug>(&mut self, what: &str, result: Result<T, Error>) -> &Error {
        match result {
            Ok(value) => panic!("{what}: expected an error, got {value:?}"),
            Err(e) => {
                self.errors.push(e);
                self.errors.last().expect("just pushed")
            }
        }
    }

    /// No secret in the logs, the printed values or the errors; `wire` must hold every secret
    /// in `sent` (they really travelled).
    fn check(self, wire: &str, sent: &[&str]) {
        for secret in sent {
            assert!(wire.contains(secret), "`{secret}` was never sent");
        }
        let logs = logs().contents();
        assert!(logs.contains("api.call"), "nothing was captured");
        // The bridge works: reqwest's `log` records and hyper-util's tracing events are in.
        assert!(logs.contains("log.target=\"reqwest::"), "no reqwest record");
        assert!(logs.contains("hyper_util::client"), "no hyper-util event");
        for secret in &self.secrets {
            if let Some(line) = logs.lines().find(|l| l.contains(secret.as_str())) {
                panic!("a log line leaks `{secret}`: {line}");
            }
            for (what, text) in &self.printed {
                assert!(
                    !text.contains(secret.as_str()),
                    "{what} leaks `{secret}`: {text}"
                );
            }
            for error in &self.errors {
                for text in [
                    error.to_string(),
                    format!("{error:?}"),
                    format!("{error:#?}"),
                ] {
                    assert!(
                        !text.contains(secret.as_str()),
                        "an error leaks `{secret}`: {text}"
                    );
                }
            }
        }
    }
}

/// Retries that wait a millisecond, short timeouts, no client-side pace.
fn quick(t: TransportBuilder) -> TransportBuilder {
    t.retry(RetryConfig {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(2),
        max_rate_limit_wait: Duration::from_secs(30),
    })
    .request_timeout(Duration::from_millis(500))
    .call_timeout(Duration::from_secs(5))
    .max_response_bytes(64 * 1024)
    .rate_limit(None)
}

fn headers_of(requests: &[RecordedRequest]) -> String {
    format!(
        "{:?}",
        requests.iter().map(|r| &r.headers).collect::<Vec<_>>()
    )
}

// ---------------------------------------------------------------------------------------------
// Failures the sandbox does not produce: one wiremock server answering every request alike.
// ---------------------------------------------------------------------------------------------

/// The answers every provider's call meets on wiremock, named.
fn failures(redirect_to: &str) -> Vec<(&'static str, ResponseTemplate)> {
    vec![
        (
            "500 with an error body",
            ResponseTemplate::new(500).set_body_json(serde_json::json!({
                "message": "Server Error", "errors": {"field": ["broken"]},
            })),
        ),
        ("503, retried", ResponseTemplate::new(503)),
        (
            "an undecodable 200",
            ResponseTemplate::new(200).set_body_string("[[[not json"),
        ),
        (
            "a slow answer",
            ResponseTemplate::new(200)
                .set_body_string("{}")
                .set_delay(Duration::from_secs(2)),
        ),
        (
            "a body over the limit",
            ResponseTemplate::new(200).set_body_string("x".repeat(128 * 1024)),
        ),
        (
            "a redirect to another origin",
            ResponseTemplate::new(307).insert_header("Location", redirect_to),
        ),
        (
            "401",
            ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"message": "Unauthenticated."})),
        ),
    ]
}

/// A server that answers everything with `answer` (Flexiti's token endpoint aside).
async fn failing_server(answer: ResponseTemplate, access_token: Option<&str>) -> MockServer {
    let server = MockServer::start().await;
    if let Some(access) = access_token {
        Mock::given(wiremock::matchers::path(
            "/flexiti/pos-api/v2.5/oauth/token",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": access, "token_type": "bearer", "expires_in": 1200,
        })))
        .with_priority(1)
        .mount(&server)
        .await;
    }
    Mock::given(any())
        .respond_with(answer)
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

fn dead_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

// ---------------------------------------------------------------------------------------------
// Netfinity: bearer token.
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn netfinity_credentials_stay_secret() {
    logs();
    let mut evidence = Evidence::default();
    let token = evidence.plant("nf-token-");
    let limited = evidence.plant("nf-limited-");
    let wrong = evidence.plant("nf-wrong-");
    let sandbox = Sandbox::start(SandboxConfig {
        netfinity: NetfinityConfig {
            token: token.clone(),
            limited_token: Some(limited.clone()),
            limit: 3,
            ..NetfinityConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let client = |token: &str, base: &str| {
        let builder = netfinity::Client::builder()
            .token(token)
            .base_url(base)
            .configure(quick);
        let printed = format!("{builder:?}{builder:#?}");
        (builder.build().expect("client"), printed)
    };
    let (ok, printed) = client(&token, &sandbox.netfinity_url());
    evidence.printed.push(("a ClientBuilder".into(), printed));
    evidence.print("a Client", &ok);

    // Success.
    let accepted = ok
        .send_sms(&netfinity::Sms::new("359881234567", "Your code is 1234").with_id("p1"))
        .await
        .expect("accepted");
    assert_eq!(accepted.id.as_deref(), Some("p1"));
    // Refused locally, unauthenticated, without the capability, throttled.
    evidence.fail(
        "Cyrillic",
        ok.send_sms(&netfinity::Sms::new("359881234567", "Здравей"))
            .await,
    );
    let (unknown, _) = client(&wrong, &sandbox.netfinity_url());
    let e = evidence.fail(
        "wrong token",
        unknown
            .send_sms(&netfinity::Sms::new("359881234567", "hi"))
            .await,
    );
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401), "{e:?}");
    let (no_sms, _) = client(&limited, &sandbox.netfinity_url());
    let e = evidence.fail(
        "limited token",
        no_sms
            .send_sms(&netfinity::Sms::new("359881234567", "hi"))
            .await,
    );
    assert_eq!(e.status().map(|s| s.as_u16()), Some(403), "{e:?}");
    let mut throttled = None;
    for _ in 0..4 {
        if let Err(e) = ok
            .send_sms(&netfinity::Sms::new("359881234567", "again"))
            .await
        {
            throttled = Some(e);
            break;
        }
    }
    let e = evidence.fail("throttle", throttled.map_or(Ok(()), Err));
    assert!(e.is_rate_limited(), "{e:?}");
    let wire = headers_of(&sandbox.netfinity().requests());
    sandbox.shutdown().await;

    // wiremock failures, and a dead port.
    for (what, answer) in failures("http://127.0.0.1:9/steal") {
        let server = failing_server(answer, None).await;
        let (c, _) = client(&token, &server.uri());
        evidence.fail(
            what,
            c.send_sms(&netfinity::Sms::new("359881234567", "hi").with_id("f1"))
                .await,
        );
    }
    let (dead, _) = client(&token, &format!("http://127.0.0.1:{}", dead_port()));
    evidence.fail(
        "dead port",
        dead.send_sms(&netfinity::Sms::new("359881234567", "hi").with_id("d1"))
            .await,
    );

    evidence.check(&wire, &[&token, &limited, &wrong]);
}

// ---------------------------------------------------------------------------------------------
// FlashStart: x-api-key.
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fsflt_credentials_stay_secret() {
    logs();
    let mut evidence = Evidence::default();
    let key = evidence.plant("fs-key-");
    let wrong = evidence.plant("fs-wrong-");
    let sandbox = Sandbox::start(SandboxConfig {
        fsflt: FsfltConfig {
            api_key: key.clone(),
            ..FsfltConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let client = |key: &str, base: &str| {
        let builder = fsflt::Client::builder()
            .api_key(key)
            .base_url(base)
            .configure(quick);
        let printed = format!("{builder:?}{builder:#?}");
        (builder.build().expect("client"), printed)
    };
    let (ok, printed) = client(&key, &sandbox.fsflt_url());
    evidence.printed.push(("a ClientBuilder".into(), printed));
    evidence.print("a Client", &ok);

    let mut new = fsflt::NewCustomer::new("it@rossi.example", "s3cretpass", "Rossi", "IT", 3);
    new.company_name = Some("Rossi Srl".into());
    let customer = ok
        .create_customer(&new)
        .send()
        .await
        .expect("created")
        .customer_code;
    let available = ok
        .available_licenses(&fsflt::AvailableLicensesRequest::for_customer(customer))
        .send()
        .await
        .expect("licences");
    let first = available.first().cloned().expect("a licence");
    let licence = ok
        .assign_license(&fsflt::AssignRequest::new(
            customer,
            &first.license_code,
            "Head office",
        ))
        .send()
        .await
        .expect("assigned")
        .license_id
        .clone();
    let action = fsflt::LicenseAction::new(customer, &licence);
    ok.suspend_license(&action).send().await.expect("suspended");
    let e = evidence.fail("second suspend", ok.suspend_license(&action).send().await);
    assert_eq!(e.kind(), Some(fsflt::LICENSE_ALREADY_SUSPENDED), "{e:?}");
    ok.enable_license(&action).send().await.expect("enabled");
    let login = fsflt::AuthTokenRequest::for_customer(customer);
    ok.get_auth_token(&login).send().await.expect("login token");
    let unknown_customer =
        fsflt::AuthTokenRequest::for_customer(fsflt::CustomerCode::from(999_999));
    evidence.fail(
        "unknown customer",
        ok.get_auth_token(&unknown_customer).send().await,
    );
    evidence.fail(
        "bad licence text",
        ok.assign_license(&fsflt::AssignRequest::new(
            customer,
            &first.license_code,
            "a/b",
        ))
        .send()
        .await,
    );
    let (unknown, _) = client(&wrong, &sandbox.fsflt_url());
    evidence.fail("wrong key", unknown.get_auth_token(&login).send().await);
    let wire = headers_of(&sandbox.fsflt().requests());
    sandbox.shutdown().await;

    let customer_1001 = fsflt::AuthTokenRequest::for_customer(fsflt::CustomerCode::from(1001));
    for (what, answer) in failures("http://127.0.0.1:9/steal") {
        let server = failing_server(answer, None).await;
        let (c, _) = client(&key, &server.uri());
        evidence.fail(what, c.get_auth_token(&customer_1001).send().await);
    }
    let (dead, _) = client(&key, &format!("http://127.0.0.1:{}", dead_port()));
    evidence.fail(
        "dead port",
        dead.get_auth_token(&customer_1001).send().await,
    );

    evidence.check(&wire, &[&key, &wrong]);
}

// ---------------------------------------------------------------------------------------------
// FL3XX: X-Api-Client-Id + X-Auth-Token (v2), X-Auth-Token (v1), a webhook signing key.
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fl3xx_credentials_stay_secret() {
    logs();
    let mut evidence = Evidence::default();
    let client_id = evidence.plant("fx-client-");
    let token = evidence.plant("fx-token-a-");
    let other = evidence.plant("fx-token-b-");
    let wrong = evidence.plant("fx-wrong-");
    let signing_key = evidence.plant("fx-signing-");
    let sandbox = Sandbox::start(SandboxConfig {
        fl3xx: Fl3xxConfig {
            client_id: client_id.clone(),
            tokens: vec![token.clone(), other.clone()],
            fair_use_limit: 8,
            flights: 5,
            ..Fl3xxConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let partner = |base: &str| {
        let builder = fl3xx::Fl3xx::builder()
            .client_id(&client_id)
            .base_url(base)
            .configure(quick);
        let printed = format!("{builder:?}{builder:#?}");
        (builder.build().expect("partner"), printed)
    };
    let (fl3xx, printed) = partner(&sandbox.fl3xx_url());
    evidence.printed.push(("an Fl3xxBuilder".into(), printed));
    evidence.print("an Fl3xx", &fl3xx);
    let operator = fl3xx.for_operator(&token).expect("operator");
    evidence.print("an OperatorClient", &operator);
    evidence.print("a V1Client", &operator.v1());

    let subscription = operator
        .create_webhook_subscription(&fl3xx::CreateWebhookSubscription::new(
            fl3xx::WebhookEventType::FlightTimeUpdate,
            "http://127.0.0.1:9/hooks",
            &signing_key,
        ))
        .send()
        .await
        .expect("subscribed");
    operator
        .list_webhook_subscriptions()
        .send()
        .await
        .expect("subscriptions listed");
    evidence.fail(
        "early renewal",
        operator.renew_subscription(&subscription).await,
    );
    operator.get_airport("LOWW").send().await.expect("airport");
    // The sandbox does not emulate v1: its reads meet the wiremock failures below.
    let price = fl3xx::FuelPrice {
        pricing_private: Some(fl3xx::Pricing {
            price: Decimal::from_str("1.95").expect("decimal"),
            price_index: None,
        }),
        ..fl3xx::FuelPrice::new(
            "Vienna FBO",
            "Fuel",
            fl3xx::Currency::Eur,
            fl3xx::FuelUnit::Liter,
        )
    };
    // The second operator lacks the partner permission: a 403 that is not a rate limit.
    let second = fl3xx.for_operator(&other).expect("operator");
    evidence.fail(
        "no permission",
        second.put_fuel_price_or_empty("LOWW", &price).await,
    );
    operator
        .put_fuel_price_or_empty("LOWW", &price)
        .await
        .expect("price set");
    evidence.fail(
        "unknown flight",
        operator
            .get_flight_permit(fl3xx::Id::from("no-such"))
            .send()
            .await,
    );
    let stranger = fl3xx.for_operator(&wrong).expect("operator");
    let e = evidence.fail("wrong token", stranger.get_airport("LOWW").send().await);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401), "{e:?}");
    // Spend the fair-use budget: the 403 rate limit, then the local refusal.
    let mut throttled = None;
    for _ in 0..8 {
        if let Err(e) = operator.get_airport("LOWW").send().await {
            throttled = Some(e);
            break;
        }
    }
    let e = evidence.fail("fair use", throttled.map_or(Ok(()), Err));
    assert!(e.is_rate_limited(), "{e:?}");
    evidence.fail("held back", operator.get_airport("LOWW").send().await);
    let requests = sandbox.fl3xx().requests();
    let wire = format!(
        "{}{}",
        headers_of(&requests),
        requests
            .iter()
            .map(|r| String::from_utf8_lossy(&r.body).into_owned())
            .collect::<String>()
    );
    sandbox.shutdown().await;

    for (what, answer) in failures("http://127.0.0.1:9/steal") {
        let server = failing_server(answer, None).await;
        let (p, _) = partner(&server.uri());
        let op = p.for_operator(&token).expect("operator");
        evidence.fail(what, op.get_airport("LOWW").send().await);
        evidence.fail(what, op.v1().v1_get_airport("LOWW").send().await);
    }
    let (dead, _) = partner(&format!("http://127.0.0.1:{}", dead_port()));
    let op = dead.for_operator(&token).expect("operator");
    evidence.fail("dead port", op.get_airport("LOWW").send().await);
    // Refused tokens: the error says why without the token.
    evidence.fail("blank token", fl3xx.for_operator("  ").map(drop));
    evidence.fail(
        "token with a newline",
        fl3xx.for_operator(format!("{token}\n")).map(drop),
    );

    evidence.check(&wire, &[&client_id, &token, &other, &wrong, &signing_key]);
}

// ---------------------------------------------------------------------------------------------
// Flexiti: OAuth2 client credentials, and the bearer tokens the sandbox issues.
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flexiti_credentials_stay_secret() {
    logs();
    let mut evidence = Evidence::default();
    // The client id is not a secret: it is a path segment of every call (`client-id/{id}`).
    let client_id = planted("fl-client-");
    let secret = evidence.plant("fl-secret-");
    let wrong = evidence.plant("fl-wrong-");
    for (id, s) in [(&client_id, &secret), (&client_id, &wrong)] {
        evidence
            .secrets
            .push(base64(format!("{id}:{s}").as_bytes()));
    }
    let sandbox = Sandbox::start(SandboxConfig {
        flexiti: FlexitiConfig {
            client_id: client_id.clone(),
            client_secret: secret.clone(),
            ..FlexitiConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let client = |secret: &str, base: &str| {
        let builder = flexiti::Client::builder()
            .client_id(&client_id)
            .client_secret(secret)
            .environment(flexiti::Environment::custom(base))
            .configure(quick);
        let printed = format!("{builder:?}{builder:#?}");
        (builder.build().expect("client"), printed)
    };
    let (ok, printed) = client(&secret, &sandbox.flexiti_url());
    evidence.printed.push(("a ClientBuilder".into(), printed));
    evidence.print("a Client", &ok);
    let flow = ok.flow();
    evidence.print("a flow Client", &flow);

    let account = flexiti::Id::from("20076677");
    flow.lookup_customer_by(&flexiti::CustomerKey::Account(account.clone()))
        .send()
        .await
        .expect("lookup");
    let amount = Decimal::from_str("300.00").expect("decimal");
    let plans = flow
        .calculate_interest(&account, &flexiti::CalculateInterestRequest { amount })
        .send()
        .await
        .expect("plans");
    let plan = plans
        .promotional_purchase
        .as_ref()
        .and_then(|p| p.first())
        .cloned()
        .expect("a plan");
    let term = plan
        .terms
        .as_ref()
        .and_then(|t| t.first())
        .cloned()
        .expect("a term");
    let authorization = flow
        .create_authorization(&flexiti::AuthorizationRequest::new(
            account.clone(),
            amount,
            flexiti::FinancingOption::promotional(plan.plan_id.expect("plan id"), term.term),
        ))
        .send()
        .await
        .expect("authorized");
    let authorization_id = authorization.authorization_id.clone().expect("id");
    flow.capture_authorization(
        &authorization_id,
        &flexiti::CaptureRequest::new(Decimal::from_str("100.00").expect("decimal")),
    )
    .send()
    .await
    .expect("captured");
    // Over-capture: a 409.
    evidence.fail(
        "over-capture",
        flow.capture_authorization(
            &authorization_id,
            &flexiti::CaptureRequest::new(Decimal::from_str("900.00").expect("decimal")),
        )
        .send()
        .await,
    );
    evidence.fail(
        "unknown account",
        flow.lookup_customer_by(&flexiti::CustomerKey::Account(flexiti::Id::from("1")))
            .send()
            .await,
    );
    evidence.fail(
        "too precise",
        flow.calculate_interest(
            &account,
            &flexiti::CalculateInterestRequest {
                amount: Decimal::from_str("10.005").expect("decimal"),
            },
        )
        .send()
        .await,
    );
    // Expired tokens: the 401 is replayed once with a new token.
    sandbox.flexiti().expire_tokens();
    flow.lookup_customer_by(&flexiti::CustomerKey::Account(account.clone()))
        .send()
        .await
        .expect("after a new token");
    let (refused, _) = client(&wrong, &sandbox.flexiti_url());
    let e = evidence.fail(
        "wrong secret",
        refused
            .lookup_customer_by(&flexiti::CustomerKey::Account(account.clone()))
            .send()
            .await,
    );
    assert!(matches!(e, Error::Auth(_)), "{e:?}");
    let requests = sandbox.flexiti().requests();
    // The bearer tokens the sandbox issued are secrets too.
    let bearers: Vec<String> = requests
        .iter()
        .filter_map(|r| r.header("authorization"))
        .filter_map(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::to_owned)
        .collect();
    assert!(bearers.len() >= 2, "two tokens were issued: {bearers:?}");
    evidence.secrets.extend(bearers.iter().cloned());
    let wire = format!(
        "{}{}",
        headers_of(&requests),
        requests
            .iter()
            .map(|r| String::from_utf8_lossy(&r.body).into_owned())
            .collect::<String>()
    );
    sandbox.shutdown().await;

    // wiremock: the token endpoint answers; the call meets each failure.
    let access = evidence.plant("fl-access-");
    for (what, answer) in failures("http://127.0.0.1:9/steal") {
        let server = failing_server(answer, Some(&access)).await;
        let (c, _) = client(&secret, &server.uri());
        evidence.fail(
            what,
            c.lookup_customer_by(&flexiti::CustomerKey::Account(account.clone()))
                .send()
                .await,
        );
        let seen = format!(
            "{:?}",
            server
                .received_requests()
                .await
                .expect("recorded")
                .iter()
                .map(|r| &r.headers)
                .collect::<Vec<_>>()
        );
        assert!(seen.contains(&access), "{what}: the bearer was not sent");
    }
    // The token endpoint itself failing.
    for (what, answer) in failures("http://127.0.0.1:9/steal") {
        let server = failing_server(answer, None).await;
        let (c, _) = client(&secret, &server.uri());
        evidence.fail(
            what,
            c.lookup_customer_by(&flexiti::CustomerKey::Account(account.clone()))
                .send()
                .await,
        );
    }
    let (dead, _) = client(&secret, &format!("http://127.0.0.1:{}", dead_port()));
    evidence.fail(
        "dead port",
        dead.lookup_customer_by(&flexiti::CustomerKey::Account(account.clone()))
            .send()
            .await,
    );

    let mut sent = vec![secret.as_str(), wrong.as_str()];
    sent.extend(bearers.iter().map(String::as_str));
    evidence.check(&wire, &sent);
}

#[test]
fn base64_matches_the_rfc_4648_vectors() {
    for (plain, encoded) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(plain.as_bytes()), encoded);
    }
}

/// Request and response models that carry a credential (`x-secret` in the specs) never show
/// it in `Debug`: a user who logs a request body leaks no password, signing key or login token.
#[test]
fn models_holding_credentials_redact_them_in_debug() {
    let secret = planted("model-secret");
    let shown = [
        format!(
            "{:?}",
            fsflt::NewCustomer {
                email: "someone@example.com".into(),
                password: secret.clone(),
                customer_name: "Ada".into(),
                country_code: "BG".into(),
                industry_code: 1,
                company_name: None,
                customer_surname: None,
                skype: None,
                phone: None,
                lang: None,
            }
        ),
        format!(
            "{:?}",
            fsflt::SetPasswordRequest {
                customer_code: "C-1".into(),
                password: secret.clone(),
            }
        ),
        format!(
            "{:?}",
            fsflt::AuthToken {
                token: secret.clone(),
                expiration: "15 min".into(),
            }
        ),
        format!(
            "{:?}",
            fl3xx::CreateWebhookSubscription {
                event: fl3xx::WebhookEventType::FlightCreate,
                callback_url: "https://example.com/hook".into(),
                signing_key: secret.clone(),
            }
        ),
    ];
    for text in &shown {
        assert!(!text.contains(&secret), "credential in Debug: {text}");
        assert!(text.contains("[redacted]"), "{text}");
    }
    assert!(shown[0].contains("someone@example.com"), "{}", shown[0]);
}
