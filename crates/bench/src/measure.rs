//! Side-by-side measurements: per-request overhead, throughput and decoding, client against
//! baseline, alternating rounds so that drift (other work on the machine) hits both alike.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::figure::{Bound, Figure};
use crate::providers::{self, ALL, Baseline, Clients};
use crate::stats::median;

/// How much to measure.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Alternating rounds per side-by-side figure (the median is reported).
    pub rounds: usize,
    /// Sequential requests per overhead round.
    pub requests: usize,
    /// Alternating rounds per throughput and decoding figure (longer rounds: fewer of them).
    pub long_rounds: usize,
    /// Requests per task in a throughput round (64 tasks).
    pub per_task: usize,
    /// Items in a decoding page.
    pub page_items: usize,
    /// Concurrent calls in the token figure.
    pub token_calls: usize,
    /// How long the first token stays fresh in the token figure.
    pub token_fresh_for: Duration,
    /// Records streamed in the paging figure.
    pub paged_records: u64,
}

impl Sizes {
    /// Tiny sizes: every figure measured in seconds, to keep the bench from rotting.
    pub const QUICK: Sizes = Sizes {
        rounds: 3,
        requests: 40,
        long_rounds: 3,
        per_task: 4,
        page_items: 200,
        token_calls: 100,
        token_fresh_for: Duration::from_millis(800),
        paged_records: 2_000,
    };

    /// The real sizes.
    pub const FULL: Sizes = Sizes {
        rounds: 41,
        requests: 500,
        long_rounds: 15,
        per_task: 200,
        page_items: 10_000,
        token_calls: 1_000,
        token_fresh_for: Duration::from_secs(3),
        paged_records: 1_000_000,
    };
}

/// Tasks in the throughput figure.
pub const TASKS: usize = 64;

/// Times `rounds` alternating rounds of `a` and `b`; answers both sides' per-round results.
async fn alternate<A, B, FA, FB>(
    rounds: usize,
    mut a: A,
    mut b: B,
) -> Result<(Vec<f64>, Vec<f64>), String>
where
    A: FnMut() -> FA,
    B: FnMut() -> FB,
    FA: Future<Output = Result<f64, String>>,
    FB: Future<Output = Result<f64, String>>,
{
    let (mut left, mut right) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        // Swap who goes first every round.
        if round % 2 == 0 {
            left.push(a().await?);
            right.push(b().await?);
        } else {
            right.push(b().await?);
            left.push(a().await?);
        }
    }
    Ok((left, right))
}

/// Per-request wall time, client vs baseline, sequential requests on one connection.
pub async fn overhead(
    sizes: Sizes,
    clients: &Clients,
    baseline: &Baseline,
    progress: &dyn Fn(&str),
) -> Result<Vec<Figure>, String> {
    let mut figures = Vec::new();
    for provider in ALL {
        progress(&format!("overhead: {}", provider.name()));
        // Warm up: connections, token, allocator.
        for _ in 0..20 {
            clients.call(provider).await?;
            baseline.call(provider).await?;
        }
        let n = sizes.requests;
        let (client, plain) = alternate(
            sizes.rounds,
            || async move {
                let started = Instant::now();
                for _ in 0..n {
                    clients.call(provider).await?;
                }
                Ok(micros(started.elapsed()) / n as f64)
            },
            || async move {
                let started = Instant::now();
                for _ in 0..n {
                    baseline.call(provider).await?;
                }
                Ok(micros(started.elapsed()) / n as f64)
            },
        )
        .await?;
        figures.push(Figure::versus(
            format!("overhead.wall.{}", provider.name()),
            "overhead",
            Some(provider.name()),
            format!(
                "wall time per `{}` request (median of rounds)",
                provider.request()
            ),
            "µs",
            median(&client),
            median(&plain),
            (Bound::at_most(1.05), Bound::at_most(1.02)),
        ));
    }
    Ok(figures)
}

/// Requests per second with 64 concurrent tasks, client vs baseline.
pub async fn throughput(
    sizes: Sizes,
    clients: &Clients,
    baseline: &Arc<Baseline>,
    progress: &dyn Fn(&str),
) -> Result<Vec<Figure>, String> {
    let mut figures = Vec::new();
    // Shared behind an `Arc` like the baseline: cloning `Clients` itself would clone all
    // four clients (and Flexiti's strings) per call, a cost of the harness, not of a client.
    let clients = Arc::new(clients.clone());
    for provider in ALL {
        progress(&format!("throughput: {}", provider.name()));
        let per_task = sizes.per_task;
        let client_round = || {
            let clients = clients.clone();
            async move {
                burst(per_task, move || {
                    let clients = clients.clone();
                    async move { clients.call(provider).await }
                })
                .await
            }
        };
        let baseline_round = || {
            let baseline = baseline.clone();
            async move {
                burst(per_task, move || {
                    let baseline = baseline.clone();
                    async move { baseline.call(provider).await }
                })
                .await
            }
        };
        // Warm up both pools to 64 connections.
        client_round().await?;
        baseline_round().await?;
        let (client, plain) = alternate(sizes.long_rounds, client_round, baseline_round).await?;
        figures.push(Figure::versus(
            format!("throughput.{}", provider.name()),
            "throughput",
            Some(provider.name()),
            format!(
                "`{}` requests per second, {TASKS} concurrent tasks (median of rounds)",
                provider.request()
            ),
            "req/s",
            median(&client),
            median(&plain),
            (Bound::at_least(0.95), Bound::at_least(0.98)),
        ));
    }
    Ok(figures)
}

/// 64 tasks each making `per_task` calls; answers requests per second.
pub async fn burst<F, Fut>(per_task: usize, call: F) -> Result<f64, String>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let call = call.clone();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    call().await?;
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    Ok((TASKS * per_task) as f64 / started.elapsed().as_secs_f64())
}

/// Decoding a page of `page_items` items: the provider model against plain structs
/// (`serde_json::from_slice` both), and the same page fetched through the client (the
/// transport's own decoding path) against a baseline fetch.
pub async fn decoding(
    sizes: Sizes,
    clients: &Clients,
    baseline: &Baseline,
    progress: &dyn Fn(&str),
) -> Result<Vec<Figure>, String> {
    let mut figures = Vec::new();
    for provider in ALL {
        let (Some(list), Some(bytes)) = (
            provider.list(),
            providers::page_bytes(provider, sizes.page_items),
        ) else {
            continue;
        };
        progress(&format!("decoding: {} {list}", provider.name()));
        let items = sizes.page_items;
        let check = |n: usize| {
            (n == items)
                .then_some(())
                .ok_or_else(|| format!("{}: decoded {n} of {items} items", provider.name()))
        };
        let bytes = &bytes;
        let (model, plain) = alternate(
            sizes.long_rounds,
            || async move {
                let started = Instant::now();
                check(providers::decode_model(provider, bytes)?)?;
                Ok(millis(started.elapsed()))
            },
            || async move {
                let started = Instant::now();
                check(providers::decode_plain(provider, bytes)?)?;
                Ok(millis(started.elapsed()))
            },
        )
        .await?;
        figures.push(Figure::versus(
            format!("decoding.model.{}", provider.name()),
            "decoding",
            Some(provider.name()),
            format!(
                "decode a {items}-item page of {list}: model vs plain struct (serde_json::from_slice)"
            ),
            "ms",
            median(&model),
            median(&plain),
            (Bound::at_most(1.10), Bound::at_most(1.05)),
        ));
        let (client, plain) = alternate(
            sizes.long_rounds,
            || async move {
                let started = Instant::now();
                check(clients.page(provider).await?)?;
                Ok(millis(started.elapsed()))
            },
            || async move {
                let started = Instant::now();
                check(baseline.page(provider).await?)?;
                Ok(millis(started.elapsed()))
            },
        )
        .await?;
        figures.push(Figure::versus(
            format!("decoding.fetch.{}", provider.name()),
            "decoding",
            Some(provider.name()),
            "fetch + decode the same page over loopback: client (transport's decode path) vs reqwest + from_slice".to_owned(),
            "ms",
            median(&client),
            median(&plain),
            (Bound::at_most(1.10), Bound::at_most(1.05)),
        ));
    }
    Ok(figures)
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Checks that client and baseline put the same request on the wire (method, path, query,
/// headers, body), so that the figures compare like with like.
pub async fn same_bytes(
    server: &crate::server::Server,
    clients: &Clients,
    baseline: &Baseline,
) -> Result<(), String> {
    for provider in ALL {
        // The first call fetches the OAuth2 token, which the baseline holds already.
        clients.call(provider).await?;
        server.state.record();
        clients.call(provider).await?;
        baseline.call(provider).await?;
        if provider.list().is_some() {
            clients.page(provider).await?;
            baseline.page(provider).await?;
        }
        let seen = server.state.recorded();
        for pair in seen.chunks(2) {
            if let [client, plain] = pair
                && client != plain
            {
                return Err(format!(
                    "{}: the baseline does not send what the client sends:\n  client:   {client:?}\n  baseline: {plain:?}",
                    provider.name()
                ));
            }
        }
    }
    Ok(())
}
