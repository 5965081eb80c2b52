//! A webhook receiver: verifies the signature on the raw body, answers 200 at once (FL3XX
//! expects an answer within 1 second), and fetches the flight the event points at in a
//! separate task.
//!
//! ```text
//! FL3XX_CLIENT_ID=... FL3XX_TOKEN=... FL3XX_SIGNING_KEY=... \
//!     cargo run -p fl3xx --example webhook_receiver -- 127.0.0.1:8090
//! ```

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use fl3xx::{OperatorClient, webhook};

struct Receiver {
    signing_key: Vec<u8>,
    client: Option<OperatorClient>,
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
            println!(
                "{} {} on {} {}",
                event.event_id,
                event.event,
                event.resource_id,
                event.timestamp.unwrap_or_default()
            );
            if let Some(client) = receiver.client.clone() {
                // Acknowledge first; the fetch may take longer than FL3XX waits.
                tokio::spawn(async move {
                    match client.resource_of(&event).await {
                        Ok(flight) => println!(
                            "flight {} ({:?}): {:?}",
                            flight.flight_id, flight.flight_number, flight.flight_status
                        ),
                        Err(e) => eprintln!("could not fetch flight {}: {e}", event.resource_id),
                    }
                });
            }
            StatusCode::OK
        }
        Err(e) => {
            eprintln!("rejected a delivery: {e}");
            StatusCode::UNAUTHORIZED
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
        client: OperatorClient::from_env().ok(),
    });
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
