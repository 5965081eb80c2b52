//! A pingback receiver: parses each delivery callback with `netfinity::pingback` and answers
//! with its acknowledgement.
//!
//! ```text
//! cargo run -p netfinity --example pingback_receiver -- 127.0.0.1:8088
//! ```
//! Then set `http://<public address>:8088/netfinity/pingbacks` as the service's callback URL
//! (behind TLS and an unguessable path in production: pingbacks are not signed).

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use netfinity::pingback;

async fn receive(body: Bytes) -> (StatusCode, String) {
    match pingback::parse(&body) {
        Ok(event) => {
            let status = &event.payload.status;
            println!(
                "{} id={} status={} {:?}{}",
                event.uuid,
                event.id.as_deref().unwrap_or("-"),
                status.code.code(),
                status.code,
                if status.code.is_final() {
                    " (final)"
                } else {
                    ""
                }
            );
            (StatusCode::OK, event.ack_json())
        }
        // A 4xx makes Netfinity retry; a malformed packet will not get better, but we log it.
        Err(e) => {
            eprintln!("rejected a pingback: {e}");
            (StatusCode::BAD_REQUEST, e.to_string())
        }
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8088".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "listening on http://{}/netfinity/pingbacks",
        listener.local_addr()?
    );
    let app = Router::new().route("/netfinity/pingbacks", post(receive));
    axum::serve(listener, app).await
}
