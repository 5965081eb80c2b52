//! A webhook receiver: verifies the signature on the raw body, answers 200 at once (FL3XX
//! expects an answer within 1 second), and leaves the fetching to a worker. The
//! [`WebhookInbox`] in between drops repeated deliveries and turns a burst of events about
//! one flight into one fetch, so a busy day does not spend the fair-use budget on repeats.
//!
//! ```text
//! FL3XX_CLIENT_ID=... FL3XX_TOKEN=... FL3XX_SIGNING_KEY=... \
//!     cargo run -p fl3xx --example webhook_receiver -- 127.0.0.1:8090
//! ```

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use fl3xx::inbox::{InboxConfig, Receipt, WebhookInbox};
use fl3xx::{OperatorClient, webhook};

struct Receiver {
    signing_key: Vec<u8>,
    inbox: WebhookInbox,
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let signature = headers
        .get(webhook::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    match webhook::verify(&body, signature, &receiver.signing_key) {
        Ok(event) => {
            let (id, kind) = (event.event_id.clone(), event.event.clone());
            match receiver.inbox.accept(event) {
                Receipt::Duplicate => println!("{id} {kind}: a repeat, dropped"),
                receipt => println!("{id} {kind}: {receipt:?}"),
            }
            StatusCode::OK
        }
        Err(e) => {
            eprintln!("rejected a delivery: {e}");
            StatusCode::UNAUTHORIZED
        }
    }
}

/// Fetches each resource once its burst has settled.
async fn work(receiver: Arc<Receiver>, client: Option<OperatorClient>) {
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        for work in receiver.inbox.due() {
            let Some(client) = client.as_ref() else {
                println!(
                    "would fetch {} ({} events)",
                    work.resource_id,
                    work.events.len()
                );
                continue;
            };
            // One fetch for every event of the burst (any of them points at the resource).
            match client.resource_of(&work.events[0]).await {
                Ok(flight) => println!(
                    "flight {} ({:?}) after {} events: {:?}",
                    flight.flight_id,
                    flight.flight_number,
                    work.events.len(),
                    flight.flight_status
                ),
                Err(e) => eprintln!("could not fetch {}: {e}", work.resource_id),
            }
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8090".to_owned());
    let receiver = Arc::new(Receiver {
        signing_key: std::env::var("FL3XX_SIGNING_KEY")
            .unwrap_or_default()
            .into_bytes(),
        inbox: WebhookInbox::new(InboxConfig::default()),
    });
    tokio::spawn(work(receiver.clone(), OperatorClient::from_env().ok()));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "listening on http://{}/fl3xx/webhooks",
        listener.local_addr()?
    );
    let app = Router::new()
        .route("/fl3xx/webhooks", post(receive))
        .with_state(receiver);
    axum::serve(listener, app).await?;
    Ok(())
}
