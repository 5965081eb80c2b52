//! Token single flight: many concurrent calls arrive as the OAuth2 token expires; one token
//! request must serve them all, and the latency it adds is measured against the same burst
//! with a fresh token.

use std::time::{Duration, Instant};

use crate::figure::{Bound, Figure};
use crate::measure::Sizes;
use crate::providers::{self, Clients, Provider};
use crate::server::Server;
use crate::stats::percentile;

/// The refresh margin the Flexiti client uses (tokens are replaced 120 s before expiry).
const REFRESH_AHEAD: Duration = Duration::from_secs(120);

/// Runs the token figure on its own server (so its token counter counts only this).
pub async fn single_flight(sizes: Sizes, progress: &dyn Fn(&str)) -> Result<Vec<Figure>, String> {
    progress(&format!(
        "token: {} concurrent calls at expiry",
        sizes.token_calls
    ));
    let server = Server::start(providers::answers(0, None)).map_err(|e| e.to_string())?;
    let clients = Clients::new(&server.url)?;
    // The first token is fresh for `token_fresh_for` only: it expires inside the refresh
    // margin that soon.
    let fresh = sizes.token_fresh_for.as_secs().max(1);
    server
        .state
        .set_token_lifetime(REFRESH_AHEAD.as_secs() + fresh);
    let issued = Instant::now();
    clients.call(Provider::Flexiti).await?;
    // Warm-up burst: the pool opens its connections with a fresh token.
    burst(&clients, sizes.token_calls).await?;
    let fresh_latencies = burst(&clients, sizes.token_calls).await?;
    if server.state.token_requests() != 1 {
        return Err(format!(
            "token: the fresh rounds took longer than the token's {fresh} s of freshness \
             ({} token requests); the machine is too busy for this figure",
            server.state.token_requests()
        ));
    }
    // Later tokens live long.
    server.state.set_token_lifetime(3600);
    let expiry = issued + Duration::from_secs(fresh) + Duration::from_millis(50);
    tokio::time::sleep(expiry.saturating_duration_since(Instant::now())).await;
    let before = server.state.token_requests();
    let expiry_latencies = burst(&clients, sizes.token_calls).await?;
    let token_requests = server.state.token_requests() - before;
    // Negative when the difference is within the run's noise.
    let added = |p: f64| percentile(&expiry_latencies, p) - percentile(&fresh_latencies, p);
    let calls = sizes.token_calls;
    Ok(vec![
        Figure::single(
            "token.requests".into(),
            "token",
            Some("flexiti"),
            format!("token requests for {calls} concurrent calls at expiry"),
            "requests",
            token_requests as f64,
            Bound::exactly(1.0),
        ),
        Figure::single(
            "token.added.p50".into(),
            "token",
            Some("flexiti"),
            format!(
                "added latency at expiry, median of {calls} calls (vs the same burst with a fresh token: {:.2} ms)",
                percentile(&fresh_latencies, 50.0)
            ),
            "ms",
            added(50.0),
            None,
        ),
        Figure::single(
            "token.added.p99".into(),
            "token",
            Some("flexiti"),
            format!(
                "added latency at expiry, p99 of {calls} calls (fresh token: {:.2} ms)",
                percentile(&fresh_latencies, 99.0)
            ),
            "ms",
            added(99.0),
            None,
        ),
    ])
}

/// `calls` concurrent `authorization` calls; answers each call's latency in ms.
async fn burst(clients: &Clients, calls: usize) -> Result<Vec<f64>, String> {
    let tasks: Vec<_> = (0..calls)
        .map(|_| {
            let clients = clients.clone();
            tokio::spawn(async move {
                let started = Instant::now();
                clients.call(Provider::Flexiti).await?;
                Ok::<f64, String>(started.elapsed().as_secs_f64() * 1e3)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(calls);
    for task in tasks {
        latencies.push(task.await.map_err(|e| e.to_string())??);
    }
    Ok(latencies)
}
