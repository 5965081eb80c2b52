//! The example of docs/providers/fl3xx.md (checked verbatim by `cargo xtask test`). Talks to a
//! local sandbox unless `FL3XX_CLIENT_ID` and `FL3XX_TOKEN` are set.
//!
//! ```text
//! cargo run -p fl3xx --example fl3xx-quickstart
//! ```

use std::time::Duration;

use fl3xx::prelude::*; // TryStreamExt, for the page stream
use fl3xx::time::OffsetDateTime;
use fl3xx::{
    CreateWebhookSubscription, Fl3xx, FlightPoller, FlightWindow, OperatorClient, PollerConfig,
    WebhookEventType,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The real API with FL3XX_CLIENT_ID and FL3XX_TOKEN set; otherwise a local sandbox.
    let (operator, _sandbox) =
        api_sandbox::or_sandbox(OperatorClient::from_env, |sandbox, config| {
            let fl3xx = Fl3xx::builder()
                .client_id(&config.fl3xx.client_id)
                .base_url(sandbox.fl3xx_url())
                .build()?;
            // One client per operator connection, all over one connection pool.
            let token = config.fl3xx.tokens.first().cloned().unwrap_or_default();
            Ok(fl3xx.for_operator(token)?)
        })
        .await?;

    // Every flight of the coming week, page by page.
    let now = OffsetDateTime::now_utc();
    let window = FlightWindow::new(now, now + fl3xx::time::Duration::days(7))?;
    let flights: Vec<_> = operator
        .list_flights(window)
        .paginate()
        .try_collect()
        .await?;
    println!("{} flights this week", flights.len());

    // Changes pushed to us: one subscription per event, https only (loopback http for tests).
    let subscription = operator
        .create_webhook_subscription(&CreateWebhookSubscription::new(
            WebhookEventType::FlightTimeUpdate,
            "https://hooks.example.com/fl3xx",
            "my-signing-key",
        ))
        .send()
        .await?;
    println!(
        "subscribed: {} until {:?}",
        subscription.id,
        subscription.expires_at()
    );

    // Or polled within the fair-use policy: at most one poll per interval (10 minutes by
    // default), one request per poll (`max_pages`), resumable from the checkpoint stored
    // after each batch.
    let config = PollerConfig {
        interval: Duration::from_secs(600),
        ..PollerConfig::default()
    };
    let mut poller = FlightPoller::new(operator.clone(), config);
    let batch = poller.poll().await?;
    println!("{} new or changed flights", batch.changes.len());
    let checkpoint = serde_json::to_string(&batch.checkpoint)?;
    println!("store this to resume: {} bytes", checkpoint.len());
    Ok(())
}
