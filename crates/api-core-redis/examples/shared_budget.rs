//! Every worker process runs this: one Netfinity budget and one Flexiti token per scope,
//! shared through Redis by all of them.
//!
//! ```text
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run -p api-core-redis --example shared_budget
//! ```
//!
//! It starts a local sandbox in place of the real APIs, so it runs without credentials.

use std::time::Duration;

use api_core_redis::{OnUnavailable, RedisStore};
use api_sandbox::{Sandbox, SandboxConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());

    // One store per process; its limiters and caches share one connection.
    let store = RedisStore::builder(url)
        .key_prefix("my-app") // keys: my-app:ratelimit:…, my-app:token:…
        .on_unavailable(OnUnavailable::FailClosed) // Redis down: typed error, nothing sent
        .timeout(Duration::from_millis(500))
        .build()?;
    store.ping().await?;

    // Netfinity: 60 sends a minute per token, now for all workers together. The client's
    // own pace (60 a minute) is what the shared limiter enforces.
    let limiter = store.rate_limiter();
    let sms = netfinity::Client::builder()
        .token("sandbox-netfinity-token")
        .base_url(sandbox.netfinity_url())
        .configure(move |t| t.rate_limiter(limiter))
        .build()?;
    let accepted = sms
        .send_sms(&netfinity::Sms::new("359881234567", "Shared budget").with_id("example1"))
        .await?;
    println!("sent, queued as {:?}", accepted.uuid);

    // Flexiti: one token per client id and scope for all workers; at expiry one of them
    // asks for the next and the others wait for it.
    let pos = flexiti::Client::builder()
        .client_id("sandbox-flexiti")
        .client_secret("sandbox-flexiti-secret")
        .environment(flexiti::Environment::custom(sandbox.flexiti_url()))
        .token_cache(store.token_cache())
        .build()?;
    let key = flexiti::CustomerKey::Account(flexiti::Id::from("20076677"));
    let customer = pos.lookup_customer_by(&key).send().await?;
    println!("customer {:?}", customer.account_number);

    sandbox.shutdown().await;
    Ok(())
}
