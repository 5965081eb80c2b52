//! Netfinity: send, refuse bad input before sending, hit the throttle, receive pingbacks.

use std::error::Error as StdError;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_sandbox::{NetfinityConfig, Sandbox, SandboxConfig};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use netfinity::{Client, ErrorKind, Pingback, Sms, SmsStatusCode, pingback};

use crate::transcript::Transcript;

type Received = Arc<Mutex<Vec<Pingback>>>;

/// The sandbox's throttle for this run: small, so the third send meets it.
const LIMIT: u32 = 2;

pub async fn run(t: &mut Transcript) -> Result<(), Box<dyn StdError>> {
    let received: Received = Arc::default();
    let receiver = start_receiver(received.clone()).await?;
    let config = SandboxConfig {
        netfinity: NetfinityConfig {
            limit: LIMIT,
            callback_url: Some(receiver.clone()),
            pingback_delay: Duration::from_millis(30),
            ..NetfinityConfig::default()
        },
        ..Default::default()
    };
    let token = config.netfinity.token.clone();
    let sandbox = Sandbox::start(config).await?;
    t.section(&format!(
        "Netfinity (sandbox at {})",
        sandbox.netfinity_url()
    ));
    t.note(format!(
        "pingbacks go to {receiver}; the sandbox allows {LIMIT} sends a minute"
    ));

    // The client's own pace (60 a minute, one a second) would keep it under a real
    // throttle; it is off here so that the sandbox's small limit is reached at once.
    let client = Client::builder()
        .token(token)
        .base_url(sandbox.netfinity_url())
        .rate_limit(None)
        .build()?;

    let delivered = Sms::new("359881234567", "Your code is 1234").with_id("demo1");
    match client.send_sms(&delivered).await {
        Ok(accepted) => t.check(
            accepted.uuid.is_some() && accepted.id.as_deref() == Some("demo1"),
            format!(
                "send to {} (id demo1) → accepted, uuid {}",
                delivered.msisdn,
                accepted.uuid.as_deref().unwrap_or("(none)")
            ),
        ),
        Err(e) => t.fail(format!("send to {} failed: {e}", delivered.msisdn)),
    }

    let before = sandbox.netfinity().requests().len();
    match client.send_sms(&Sms::new("359881234567", "Здравей")).await {
        Err(netfinity::Error::InvalidInput(e)) => t.check(
            e.field == "text" && sandbox.netfinity().requests().len() == before,
            format!("send \"Здравей\" → refused before sending: {e}"),
        ),
        other => t.fail(format!("Cyrillic text was not refused locally: {other:?}")),
    }

    let rejected = Sms::new("359000012345", "Your code is 5678").with_id("demo2");
    match client.send_sms(&rejected).await {
        Ok(accepted) => t.pass(format!(
            "send to {} (id demo2) → accepted, uuid {} (the sandbox rejects this destination later)",
            rejected.msisdn,
            accepted.uuid.as_deref().unwrap_or("(none)")
        )),
        Err(e) => t.fail(format!("send to {} failed: {e}", rejected.msisdn)),
    }

    let throttled = Sms::new("359881234568", "One too many").with_id("demo3");
    match client.send_sms(&throttled).await {
        Err(e) if e.kind() == Some(ErrorKind::TooManyRequests) => {
            let limit = e.as_api().and_then(|a| a.rate_limit);
            t.check(
                e.retry_after().is_some()
                    && limit.is_some_and(|l| {
                        l.limit == Some(u64::from(LIMIT)) && l.remaining == Some(0)
                    }),
                format!(
                    "send #{} → HTTP 429, retry after {}s, X-RateLimit-Limit {}, remaining {}",
                    LIMIT + 1,
                    e.retry_after().map_or(0, |d| d.as_secs()),
                    limit.and_then(|l| l.limit).unwrap_or(0),
                    limit.and_then(|l| l.remaining).unwrap_or(0),
                ),
            );
        }
        other => t.fail(format!("the throttle did not answer 429: {other:?}")),
    }
    let sent = sandbox.netfinity().requests().len();
    t.check(
        sent == 3,
        format!("the sandbox saw {sent} requests: no blind retry of a throttled send"),
    );

    // demo1: 201 → 202 → 203 → 204; demo2: 501.
    let expected = 5;
    if !sandbox
        .netfinity()
        .wait_for_pingbacks(expected, Duration::from_secs(10))
        .await
    {
        t.fail(format!("fewer than {expected} pingbacks arrived in 10 s"));
    }
    let events = received.lock().map(|e| e.clone()).unwrap_or_default();
    for id in ["demo1", "demo2"] {
        let codes: Vec<SmsStatusCode> = events
            .iter()
            .filter(|p| p.id.as_deref() == Some(id))
            .map(|p| p.payload.status.code)
            .collect();
        let names: Vec<String> = codes
            .iter()
            .map(|c| format!("{} {c:?}", c.code()))
            .collect();
        let want: &[SmsStatusCode] = if id == "demo1" {
            &[
                SmsStatusCode::Queued,
                SmsStatusCode::RemoteQueued,
                SmsStatusCode::DeliveredToSmsc,
                SmsStatusCode::Delivered,
            ]
        } else {
            &[SmsStatusCode::RejectedDestination]
        };
        t.check(
            codes == want && codes.last().is_some_and(SmsStatusCode::is_final),
            format!("pingbacks for {id}: {}", names.join(" → ")),
        );
    }
    let acked = sandbox
        .netfinity()
        .pingbacks()
        .iter()
        .filter(|p| p.acknowledged)
        .count();
    t.check(
        acked == expected,
        format!(
            "{acked} of {expected} pingbacks acknowledged with HTTP 200 and {{\"uuid\",\"id\"}}"
        ),
    );
    sandbox.shutdown().await;
    Ok(())
}

/// A pingback receiver built on `netfinity::pingback`: parse, record, acknowledge.
async fn start_receiver(received: Received) -> std::io::Result<String> {
    async fn receive(State(received): State<Received>, body: Bytes) -> (StatusCode, String) {
        match pingback::parse(&body) {
            Ok(event) => {
                let ack = event.ack_json();
                if let Ok(mut list) = received.lock() {
                    list.push(event);
                }
                (StatusCode::OK, ack)
            }
            Err(e) => (StatusCode::BAD_REQUEST, e.to_string()),
        }
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/pingbacks", listener.local_addr()?);
    let app = Router::new()
        .route("/pingbacks", post(receive))
        .with_state(received);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(url)
}
