//! FL3XX: subscribe to flight updates, page through flights, change a fuel price, receive and
//! verify a signed webhook, and meet the fair-use limit without hammering the server.

use std::error::Error as StdError;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_sandbox::{Fl3xxConfig, Sandbox, SandboxConfig};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
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

type Received = Arc<Mutex<Vec<Result<WebhookNotification, String>>>>;

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
    let events = received.lock().map(|r| r.clone()).unwrap_or_default();
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

/// A receiver built on `fl3xx::webhook::verify`: answers 200 at once when the signature holds.
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
        let status = if result.is_ok() {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        };
        if let Ok(mut list) = received.lock() {
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
