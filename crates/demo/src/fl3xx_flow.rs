//! FL3XX: subscribe to flight updates, page through flights, change a fuel price, receive and
//! verify a signed webhook, take a burst of repeated deliveries with one fetch, and meet the
//! fair-use limit without hammering the server.

use std::collections::HashSet;
use std::error::Error as StdError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use api_sandbox::{Fl3xxConfig, Sandbox, SandboxConfig};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use fl3xx::inbox::{InboxConfig, Receipt, WebhookInbox};
use fl3xx::{
    Currency, Fl3xx, FlightWindow, FuelPrice, FuelUnit, Pricing, WebhookEventType,
    WebhookNotification, webhook,
};
use futures_util::TryStreamExt;
use time::OffsetDateTime;

use crate::transcript::Transcript;

const SIGNING_KEY: &str = "demo-signing-key";
/// The sandbox's fair-use budget for this run: small, so the demo reaches it.
const FAIR_USE: u32 = 8;

/// The demo's webhook receiver: what it verified, and the inbox it feeds.
#[derive(Default)]
struct Receiver {
    verified: Mutex<Vec<Result<WebhookNotification, String>>>,
    inbox: Inbox,
    /// When set, the first delivery of each event is answered 503 after the inbox took it: an
    /// acknowledgement lost on the way, so FL3XX delivers the event again.
    lose_first_ack: AtomicBool,
    acknowledged: Mutex<HashSet<String>>,
    receipts: Mutex<Vec<Receipt>>,
}

/// A [`WebhookInbox`] that gathers a burst for 300 ms.
struct Inbox(WebhookInbox);

impl Default for Inbox {
    fn default() -> Self {
        Self(WebhookInbox::new(
            InboxConfig::default().settle(Duration::from_millis(300)),
        ))
    }
}

type Received = Arc<Receiver>;

pub async fn run(t: &mut Transcript) -> Result<(), Box<dyn StdError>> {
    let received = Received::default();
    let hook = start_receiver(received.clone()).await?;
    let config = SandboxConfig {
        fl3xx: Fl3xxConfig {
            fair_use_limit: FAIR_USE,
            ..Fl3xxConfig::default()
        },
        ..SandboxConfig::default()
    };
    let client_id = config.fl3xx.client_id.clone();
    let token = config.fl3xx.tokens.first().cloned().unwrap_or_default();
    let sandbox = Sandbox::start(config).await?;
    t.section(&format!("FL3XX (sandbox at {})", sandbox.fl3xx_url()));
    t.note(format!(
        "webhooks go to {hook}; the sandbox allows {FAIR_USE} requests a minute per operator"
    ));

    let fl3xx = Fl3xx::builder()
        .client_id(client_id)
        .base_url(sandbox.fl3xx_url())
        .build()?;
    let operator = fl3xx.for_operator(token.clone())?;

    let subscription = operator
        .create_webhook_subscription(&fl3xx::CreateWebhookSubscription::new(
            WebhookEventType::FlightTimeUpdate,
            &hook,
            SIGNING_KEY,
        ))
        .send()
        .await?;
    t.pass(format!(
        "subscribe to FLIGHT_TIME_UPDATE → {} ({}, expires {})",
        subscription.id,
        subscription
            .status
            .as_ref()
            .map_or_else(|| "no status".to_owned(), ToString::to_string),
        subscription
            .expiration_date_time
            .as_ref()
            .map_or("?", |expires| expires.as_str())
    ));
    match operator.renew_subscription(&subscription).await {
        Err(fl3xx::Error::InvalidInput(e)) => t.pass(format!(
            "renew a fresh subscription → refused before sending: {}",
            e.message
        )),
        other => t.fail(format!(
            "an early renewal was not refused locally: {other:?}"
        )),
    }

    let now = OffsetDateTime::now_utc();
    let window = FlightWindow::new(now - time::Duration::days(1), now + time::Duration::days(7))?;
    let before = sandbox.fl3xx().requests().len();
    let flights: Vec<_> = operator
        .list_flights(window)
        .paginate()
        .try_collect()
        .await?;
    let pages = sandbox.fl3xx().requests().len() - before;
    t.check(
        !flights.is_empty() && pages >= 2,
        format!(
            "page through flights of the next week (filter {}) → {} flights in {pages} pages of ≤ 50",
            "blocksOffEstimatedDateTime,BTW,…",
            flights.len()
        ),
    );

    let price = FuelPrice {
        pricing_private: Some(Pricing {
            price: "1.95".parse()?,
            price_index: None,
        }),
        ..FuelPrice::new("Vienna FBO", "Demo Fuel", Currency::Eur, FuelUnit::Liter)
    };
    let stored = operator
        .put_fuel_price_or_empty("LOWW", &price)
        .await?
        .into_inner()
        .ok_or("the sandbox answered no price")?;
    let id = stored.id.clone().ok_or("the stored price has no id")?;
    let mut cheaper = stored.clone();
    cheaper.pricing_private = Some(Pricing {
        price: "1.89".parse()?,
        price_index: None,
    });
    let updated = operator
        .update_fuel_price_or_empty(&id, &cheaper)
        .await?
        .into_inner()
        .ok_or("the sandbox answered no price")?;
    t.check(
        updated
            .pricing_private
            .as_ref()
            .map(|p| p.price.to_string())
            .as_deref()
            == Some("1.89"),
        format!("set a fuel price at LOWW (EUR 1.95/l), then change it → price {id} at EUR 1.89/l"),
    );

    let flight_id: u64 = flights
        .first()
        .and_then(|f| f.flight_id.as_ref())
        .and_then(fl3xx::Id::as_u64)
        .ok_or("no flight id")?;
    sandbox.fl3xx().update_flight_time(&token, flight_id, 30);
    let delivered = sandbox
        .fl3xx()
        .wait_for_deliveries(1, Duration::from_secs(5))
        .await;
    let events = received
        .verified
        .lock()
        .map(|r| r.clone())
        .unwrap_or_default();
    match events.first() {
        Some(Ok(event)) if delivered => t.check(
            event.event == WebhookEventType::FlightTimeUpdate
                && event.resource_id == fl3xx::Id::from(flight_id),
            format!(
                "delay flight {flight_id} by 30 min → signed webhook {} verified (X-Webhook-Signature, HMAC-SHA256)",
                event.event
            ),
        ),
        other => t.fail(format!("no verified webhook arrived: {other:?}")),
    }

    burst(t, &sandbox, &operator, &token, flight_id, &received).await?;

    // Spend the rest of the fair-use budget, then see the 403 and the back-off.
    let mut throttled = None;
    for _ in 0..FAIR_USE {
        match operator.get_airport("LOWW").send().await {
            Ok(_) => continue,
            Err(e) => {
                throttled = Some(e);
                break;
            }
        }
    }
    match throttled {
        Some(e) if e.is_rate_limited() && e.status().map(|s| s.as_u16()) == Some(403) => {
            t.pass(format!(
                "fair use exceeded → HTTP 403 read as a rate limit, retry after {}s",
                e.retry_after().map_or(0, |d| d.as_secs())
            ))
        }
        other => t.fail(format!(
            "the fair-use limit was not reported as a rate limit: {other:?}"
        )),
    }
    let sent = sandbox.fl3xx().requests().len();
    match operator.get_airport("LOWW").send().await {
        Err(fl3xx::Error::RateLimited { retry_after }) => t.check(
            sandbox.fl3xx().requests().len() == sent,
            format!(
                "the next call waits for the operator's budget: refused locally for {}s, no request sent",
                retry_after.as_secs()
            ),
        ),
        other => t.fail(format!("the next call was not held back: {other:?}")),
    }
    sandbox.shutdown().await;
    Ok(())
}

/// Three changes to one flight in a row, each delivery's first acknowledgement lost: six
/// deliveries, three events, one fetch.
async fn burst(
    t: &mut Transcript,
    sandbox: &Sandbox,
    operator: &fl3xx::OperatorClient,
    token: &str,
    flight_id: u64,
    received: &Received,
) -> Result<(), Box<dyn StdError>> {
    // What the single webhook above left in the inbox is not part of the burst.
    received
        .inbox
        .0
        .due_at(Instant::now() + Duration::from_secs(3600));
    let before = sandbox.fl3xx().deliveries().len();
    received.lose_first_ack.store(true, Ordering::SeqCst);
    for minutes in [5, 10, 15] {
        sandbox
            .fl3xx()
            .update_flight_time(token, flight_id, minutes);
    }
    let delivered = sandbox
        .fl3xx()
        .wait_for_deliveries(before + 3, Duration::from_secs(5))
        .await;
    received.lose_first_ack.store(false, Ordering::SeqCst);
    let posts: u32 = sandbox.fl3xx().deliveries()[before..]
        .iter()
        .map(|d| d.attempts)
        .sum();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let work = received.inbox.0.due();
    let receipts = received
        .receipts
        .lock()
        .map(|r| r.clone())
        .unwrap_or_default();
    let repeats = receipts
        .iter()
        .filter(|r| **r == Receipt::Duplicate)
        .count();
    let sent = sandbox.fl3xx().requests().len();
    let fetched = match work.as_slice() {
        [one] => operator.resource_of(&one.events[0]).await.ok(),
        _ => None,
    };
    t.check(
        delivered
            && posts == 6
            && repeats == 3
            && work.len() == 1
            && work[0].events.len() == 3
            && fetched.is_some()
            && sandbox.fl3xx().requests().len() == sent + 1,
        format!(
            "a burst of 3 changes to flight {flight_id}, each delivered twice (first ack lost) \
             → {posts} deliveries, {repeats} repeats dropped, 1 fetch for {} events (WebhookInbox)",
            work.first().map_or(0, |w| w.events.len())
        ),
    );
    Ok(())
}

/// A receiver built on `fl3xx::webhook::verify`: answers 200 at once when the signature holds,
/// and hands the event to the inbox.
async fn start_receiver(received: Received) -> std::io::Result<String> {
    async fn receive(
        State(received): State<Received>,
        headers: HeaderMap,
        body: Bytes,
    ) -> StatusCode {
        let signature = headers
            .get(webhook::SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok());
        let result = webhook::verify(&body, signature, SIGNING_KEY.as_bytes());
        let mut status = StatusCode::UNAUTHORIZED;
        if let Ok(event) = &result {
            status = StatusCode::OK;
            let receipt = received.inbox.0.accept(event.clone());
            if let Ok(mut receipts) = received.receipts.lock() {
                receipts.push(receipt);
            }
            let first = received
                .acknowledged
                .lock()
                .is_ok_and(|mut seen| seen.insert(event.event_id.clone()));
            if first && received.lose_first_ack.load(Ordering::SeqCst) {
                status = StatusCode::SERVICE_UNAVAILABLE;
            }
        }
        if let Ok(mut list) = received.verified.lock() {
            list.push(result.map_err(|e| e.to_string()));
        }
        status
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/fl3xx/webhooks", listener.local_addr()?);
    let app = Router::new()
        .route("/fl3xx/webhooks", post(receive))
        .with_state(received);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(url)
}
