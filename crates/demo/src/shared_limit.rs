//! `demo --redis URL --workers N`: N worker processes send Netfinity SMS to the sandbox
//! through one rate limit kept in Redis, with a live count of what the sandbox sees.
//!
//! The coordinator starts the sandbox (60 sends per window, Netfinity's 60 a minute scaled
//! down to 5 s) and runs this binary again as each worker (`--worker ID`). Every worker
//! paces at 60 per 5.25 s (5% under the server's limit, see docs/scaling.md) through a
//! `RedisRateLimiter`: together they stay within one budget, where N in-memory limiters
//! would send N times it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use api_core_redis::RedisStore;
use api_sandbox::{NetfinityConfig, Sandbox, SandboxConfig};
use netfinity::RateLimit;

const LIMIT: u32 = 60;
const WINDOW: Duration = Duration::from_secs(5);
const PACE_PERIOD: Duration = Duration::from_millis(5250);
const TOKEN: &str = "sandbox-netfinity-token";

/// The worker-mode options, parsed from the command line.
pub struct Options {
    redis: String,
    workers: usize,
    sends: usize,
    worker: Option<usize>,
    netfinity_url: Option<String>,
}

impl Options {
    /// `None` without `--redis` (the ordinary demo); an error for a bad option.
    pub fn parse(args: &[String]) -> Result<Option<Options>, String> {
        let mut options = Options {
            redis: String::new(),
            workers: 4,
            sends: 30,
            worker: None,
            netfinity_url: None,
        };
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            let mut value = |name: &str| {
                rest.next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            let number = |name: &str, text: String| {
                text.parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("{name} needs a positive number, got `{text}`"))
            };
            match arg.as_str() {
                "--redis" => options.redis = value("--redis")?,
                "--workers" => options.workers = number("--workers", value("--workers")?)?,
                "--sends" => options.sends = number("--sends", value("--sends")?)?,
                "--worker" => {
                    let text = value("--worker")?;
                    let id = text
                        .parse()
                        .map_err(|_| format!("--worker needs a worker number, got `{text}`"))?;
                    options.worker = Some(id);
                }
                "--netfinity-url" => options.netfinity_url = Some(value("--netfinity-url")?),
                other => {
                    return Err(format!(
                        "unknown option `{other}` (usage: demo [--redis URL [--workers N] [--sends M]])"
                    ));
                }
            }
        }
        if options.redis.is_empty() {
            return if args.is_empty() {
                Ok(None)
            } else {
                Err("these options need --redis URL".into())
            };
        }
        Ok(Some(options))
    }
}

/// Runs the coordinator or, with `--worker`, one worker.
pub async fn run(options: Options) -> ExitCode {
    let outcome = match options.worker {
        Some(id) => worker(&options, id).await,
        None => coordinate(&options).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn worker(options: &Options, id: usize) -> Result<(), String> {
    let url = options
        .netfinity_url
        .clone()
        .ok_or("--worker needs --netfinity-url")?;
    let store = RedisStore::open(options.redis.as_str()).map_err(|e| e.to_string())?;
    let limiter = store.rate_limiter();
    let client = netfinity::Client::builder()
        .token(TOKEN)
        .base_url(url)
        .rate_limit(RateLimit::new(LIMIT, PACE_PERIOD))
        .configure(move |t| t.rate_limiter(limiter))
        .build()
        .map_err(|e| e.to_string())?;
    let tasks: Vec<_> = (0..options.sends)
        .map(|n| {
            let client = client.clone();
            tokio::spawn(async move {
                let sms = netfinity::Sms::new("359881234567", "Shared budget demo")
                    .with_id(format!("w{id}n{n}"));
                client.send_sms(&sms).await
            })
        })
        .collect();
    let mut failed = 0;
    for task in tasks {
        match task.await {
            Ok(Ok(_)) => println!("sent"),
            Ok(Err(e)) => {
                failed += 1;
                println!("failed {e}");
            }
            Err(e) => {
                failed += 1;
                println!("failed {e}");
            }
        }
    }
    if failed > 0 {
        return Err(format!("worker {id}: {failed} sends failed"));
    }
    Ok(())
}

async fn coordinate(options: &Options) -> Result<(), String> {
    // Fail early, with a clear message, when Redis is not there.
    let store = RedisStore::open(options.redis.as_str()).map_err(|e| e.to_string())?;
    store
        .ping()
        .await
        .map_err(|e| format!("cannot reach Redis: {e}"))?;
    let sandbox = Sandbox::start(SandboxConfig {
        netfinity: NetfinityConfig {
            limit: LIMIT,
            window: WINDOW,
            ..NetfinityConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .map_err(|e| format!("sandbox: {e}"))?;
    let total = options.workers * options.sends;
    println!(
        "{} workers × {} sends through one limit of {LIMIT} per {} s kept in Redis \
         (sandbox at {})",
        options.workers,
        options.sends,
        WINDOW.as_secs(),
        sandbox.netfinity_url()
    );
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let done = Arc::new(AtomicUsize::new(0));
    let mut children: Vec<(Child, std::thread::JoinHandle<usize>)> = Vec::new();
    for id in 0..options.workers {
        let mut child = Command::new(&exe)
            .args(["--redis", &options.redis, "--worker", &id.to_string()])
            .args(["--sends", &options.sends.to_string()])
            .args(["--netfinity-url", &sandbox.netfinity_url()])
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start worker {id}: {e}"))?;
        let stdout = child.stdout.take().ok_or("worker without stdout")?;
        let done = done.clone();
        // Counts this worker's answers as they come (sent or failed).
        let reader = std::thread::spawn(move || {
            let mut failed = 0;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("failed") {
                    failed += 1;
                    eprintln!("worker {id}: {line}");
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            failed
        });
        children.push((child, reader));
    }

    let handle = sandbox.netfinity();
    let started = Instant::now();
    let mut busiest = 0;
    while done.load(Ordering::Relaxed) < total
        && children
            .iter_mut()
            .any(|(c, _)| matches!(c.try_wait(), Ok(None)))
    {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let arrivals = handle.arrivals();
        let now = Instant::now();
        let in_window = arrivals
            .iter()
            .filter(|at| now.duration_since(**at) < WINDOW)
            .count();
        busiest = busiest.max(in_window);
        let mut per_worker = vec![0usize; options.workers];
        for sms in handle.accepted() {
            let worker = sms
                .id
                .as_deref()
                .and_then(|id| id.strip_prefix('w'))
                .and_then(|id| id.split('n').next())
                .and_then(|id| id.parse::<usize>().ok());
            if let Some(slot) = worker.and_then(|w| per_worker.get_mut(w)) {
                *slot += 1;
            }
        }
        println!(
            "  {:>5.1} s  sandbox accepted {:>4}/{total}  last {} s: {in_window:>2}/{LIMIT}  per worker {per_worker:?}",
            started.elapsed().as_secs_f64(),
            per_worker.iter().sum::<usize>(),
            WINDOW.as_secs(),
        );
    }
    let mut failed = 0;
    for (mut child, reader) in children {
        let status = child.wait().map_err(|e| e.to_string())?;
        failed += reader.join().unwrap_or(0);
        if !status.success() {
            failed += 1;
        }
    }
    let requests = handle.requests();
    let refused = requests.iter().filter(|r| r.status == 429).count();
    let accepted = handle.accepted().len();
    sandbox.shutdown().await;
    println!(
        "{accepted} accepted, {refused} refused with 429, busiest {} s window seen: {busiest}/{LIMIT}, {:.1} s",
        WINDOW.as_secs(),
        started.elapsed().as_secs_f64()
    );
    if failed > 0 || refused > 0 || accepted != total {
        return Err(format!(
            "expected {total} accepted and no 429; got {accepted} accepted, {refused} refused, {failed} failures"
        ));
    }
    println!(
        "✓ {} processes shared one budget: the sandbox never refused a send",
        options.workers
    );
    Ok(())
}
