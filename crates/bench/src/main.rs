//! `api-bench`: the measurements behind `cargo xtask bench` (which builds and runs it, runs
//! the instruction counts under valgrind, times the builds and renders the table).
//!
//! ```text
//! api-bench run [--quick] --out FILE      every in-process figure, as JSON
//! api-bench serve                         the bench server; prints its URL, stops at EOF
//! api-bench callgrind URL PROVIDER SIDE N N requests (SIDE client|baseline), the same from
//!                                         64 tasks (client-burst|baseline-burst), page
//!                                         fetches (client-page|baseline-page) or page
//!                                         decodes (model|plain) inside `bench_measured_batch`
//! api-bench paging PROVIDER RECORDS       (child) peak RSS while streaming RECORDS
//! ```

mod figure;
mod measure;
mod paging;
mod providers;
mod server;
mod stats;
mod token;

use std::future::Future;
use std::io::Read;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use measure::Sizes;
use providers::{Baseline, Clients, Provider};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["run", rest @ ..] => run(rest),
        ["serve"] => serve(),
        ["callgrind", url, provider, side, n] => callgrind(url, provider, side, n),
        ["paging", provider, records] => paging_child(provider, records),
        _ => Err(format!("usage: see the crate docs; got {args:?}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("api-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

/// One thread for the client side (the server has its own): a figure then shows the
/// client's own CPU cost, not the scheduler's noise, and a client and its baseline compete
/// for the same single core.
fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

fn run(args: &[&str]) -> Result<(), String> {
    let (mut quick, mut out) = (false, None);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--quick" => quick = true,
            "--out" => out = args.next().copied(),
            other => return Err(format!("run: unknown argument {other}")),
        }
    }
    let out = out.ok_or("run: --out FILE is required")?;
    let sizes = if quick { Sizes::QUICK } else { Sizes::FULL };
    let started = Instant::now();
    let progress = move |what: &str| {
        eprintln!("  [{:6.1}s] {what}", started.elapsed().as_secs_f64());
    };
    let runtime = runtime()?;
    let mut figures = runtime.block_on(async {
        // On this runtime: a request never waits for another thread to wake up, which on a
        // shared machine took anything from 20 to 300 µs (docs/performance.md).
        let server = server::Server::start_here(providers::answers(sizes.page_items, None))
            .map_err(|e| e.to_string())?;
        let clients = Clients::new(&server.url)?;
        let baseline = Arc::new(Baseline::new(&server.url).await?);
        progress("checking that client and baseline send the same bytes");
        measure::same_bytes(&server, &clients, &baseline).await?;
        let mut figures = measure::overhead(sizes, &clients, &baseline, &progress).await?;
        figures.extend(measure::throughput(sizes, &clients, &baseline, &progress).await?);
        figures.extend(measure::decoding(sizes, &clients, &baseline, &progress).await?);
        figures.extend(token::single_flight(sizes, &progress).await?);
        Ok::<_, String>(figures)
    })?;
    drop(runtime);
    figures.extend(paging::figures(sizes.paged_records, &progress)?);
    let json = serde_json::to_vec_pretty(&serde_json::json!({ "figures": figures }))
        .map_err(|e| e.to_string())?;
    std::fs::write(out, json).map_err(|e| format!("cannot write {out}: {e}"))?;
    Ok(())
}

/// Serves until stdin closes (the caller's end of the pipe), so it never outlives its parent.
fn serve() -> Result<(), String> {
    let server = server::Server::start(providers::answers(COUNTED_PAGE_ITEMS, None))
        .map_err(|e| e.to_string())?;
    println!("{}", server.url);
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    Ok(())
}

type Work<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + 'a>>;

/// The only code whose instructions callgrind counts (`--toggle-collect=bench_measured_batch`):
/// set-up and warm-up happen outside it, the server runs in another process.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn bench_measured_batch(
    runtime: &tokio::runtime::Runtime,
    work: Work<'_>,
) -> Result<(), String> {
    runtime.block_on(work)
}

/// Decodes a page; answers the item count.
type Decoder = fn(Provider, &[u8]) -> Result<usize, String>;

/// Items in the page the decoding instruction counts decode.
const COUNTED_PAGE_ITEMS: usize = 1_000;

fn callgrind(url: &str, provider: &str, side: &str, n: &str) -> Result<(), String> {
    let provider = Provider::parse(provider).ok_or("callgrind: unknown provider")?;
    let n: usize = n.parse().map_err(|_| "callgrind: N is a number")?;
    let decoder: Option<Decoder> = match side {
        "model" => Some(providers::decode_model),
        "plain" => Some(providers::decode_plain),
        _ => None,
    };
    if let Some(decoder) = decoder {
        // N decodes of a page, no network: the server URL is not used.
        let page = providers::page_bytes(provider, COUNTED_PAGE_ITEMS)
            .ok_or("callgrind: this provider has no list")?;
        let runtime = runtime()?;
        return bench_measured_batch(
            &runtime,
            Box::pin(async move {
                for _ in 0..n {
                    decoder(provider, &page)?;
                }
                Ok(())
            }),
        );
    }
    // One thread: every instruction of the request path runs inside the measured call.
    let runtime = runtime()?;
    // Only the side measured is built: building clients (and their TLS roots) is slow
    // under valgrind, and it is not counted anyway.
    let (clients, baseline) = runtime.block_on(async {
        let (mut clients, mut baseline) = (None, None);
        if side.starts_with("client") {
            let built = Clients::new(url)?;
            for _ in 0..10 {
                built.call(provider).await?;
            }
            if provider.list().is_some() {
                built.page(provider).await?;
            }
            clients = Some(built);
        } else {
            let built = Baseline::new(url).await?;
            for _ in 0..10 {
                built.call(provider).await?;
            }
            if provider.list().is_some() {
                built.page(provider).await?;
            }
            baseline = Some(Arc::new(built));
        }
        Ok::<_, String>((clients, baseline))
    })?;
    let (clients, baseline) = (clients.as_ref(), baseline.as_ref());
    let work: Work<'_> = match (side, clients, baseline) {
        ("client", Some(clients), _) => Box::pin(async move {
            for _ in 0..n {
                clients.call(provider).await?;
            }
            Ok(())
        }),
        ("baseline", _, Some(baseline)) => Box::pin(async move {
            for _ in 0..n {
                baseline.call(provider).await?;
            }
            Ok(())
        }),
        ("client-page", Some(clients), _) => Box::pin(async move {
            for _ in 0..n {
                clients.page(provider).await?;
            }
            Ok(())
        }),
        ("baseline-page", _, Some(baseline)) => Box::pin(async move {
            for _ in 0..n {
                baseline.page(provider).await?;
            }
            Ok(())
        }),
        ("client-burst", Some(clients), _) => {
            // Shared like the baseline (see `measure::throughput`).
            let clients = Arc::new(clients.clone());
            Box::pin(async move {
                measure::burst(n / measure::TASKS, move || {
                    let clients = clients.clone();
                    async move { clients.call(provider).await }
                })
                .await
                .map(drop)
            })
        }
        ("baseline-burst", _, Some(baseline)) => {
            let baseline = baseline.clone();
            Box::pin(async move {
                measure::burst(n / measure::TASKS, move || {
                    let baseline = baseline.clone();
                    async move { baseline.call(provider).await }
                })
                .await
                .map(drop)
            })
        }
        (other, ..) => return Err(format!("callgrind: unknown side {other}")),
    };
    bench_measured_batch(&runtime, work)
}

fn paging_child(provider: &str, records: &str) -> Result<(), String> {
    let provider = Provider::parse(provider).ok_or("paging: unknown provider")?;
    let records: u64 = records.parse().map_err(|_| "paging: RECORDS is a number")?;
    runtime()?.block_on(paging::child(provider, records))
}
