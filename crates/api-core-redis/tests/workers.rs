//! Several worker processes against one sandbox through one Redis: the shared budget holds
//! across processes, and one token request serves them all.
//!
//! The workers are this test binary run again with `--worker` (see `worker`); the tests
//! run one after the other from `main` (`harness = false`).

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use api_core::RateLimit;
use api_core_redis::RedisStore;
use api_sandbox::{FlexitiConfig, NetfinityConfig, Sandbox, SandboxConfig};
use support::RedisServer;

const WORKERS: usize = 4;
const TASKS: usize = 50;
/// Netfinity's 60 a minute, scaled down to 60 every 2 s.
const LIMIT: u32 = 60;
const WINDOW: Duration = Duration::from_secs(2);
/// The client's pace keeps 5% under the server's: the limiter counts a request when it
/// admits it, the server when it arrives, and the two moments differ by a few ms of jitter.
const PACE_PERIOD: Duration = Duration::from_millis(2100);
const TOKEN: &str = "sandbox-netfinity-token";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--worker") {
        worker();
        return;
    }
    let tests: [(&str, fn()); 3] = [
        (
            "four_workers_share_one_netfinity_limit",
            four_workers_share_one_netfinity_limit,
        ),
        (
            "without_redis_four_workers_overshoot_the_limit",
            without_redis_four_workers_overshoot_the_limit,
        ),
        (
            "four_workers_at_token_expiry_cause_one_token_request",
            four_workers_at_token_expiry_cause_one_token_request,
        ),
    ];
    let filter: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with('-')).collect();
    for (name, test) in tests {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let started = Instant::now();
        test();
        println!("test {name} ... ok ({} ms)", started.elapsed().as_millis());
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// A worker process: reads `go` lines from stdin, runs a wave of concurrent calls for each,
/// and prints one line per call, then `done`.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Worker {
    fn spawn(env: &[(&str, String)]) -> Worker {
        let mut command = Command::new(std::env::current_exe().expect("test binary"));
        command
            .arg("--worker")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().expect("worker");
        let stdin = child.stdin.take().expect("stdin");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut ready = String::new();
        stdout.read_line(&mut ready).expect("ready line");
        assert_eq!(ready.trim(), "ready", "worker failed to start");
        Worker {
            child,
            stdin,
            stdout,
        }
    }

    fn go(&mut self) {
        self.stdin.write_all(b"go\n").expect("go");
        self.stdin.flush().expect("flush");
    }

    /// The lines of one wave.
    fn results(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let n = self.stdout.read_line(&mut line).expect("result line");
            assert!(n > 0, "worker exited mid-wave");
            let line = line.trim().to_owned();
            if line == "done" {
                return lines;
            }
            lines.push(line);
        }
    }

    fn finish(mut self) {
        drop(self.stdin);
        let status = self.child.wait().expect("worker exit");
        assert!(status.success(), "worker failed: {status}");
    }
}

/// Runs one wave on every worker at once and returns every line.
fn wave(workers: &mut [Worker]) -> Vec<String> {
    for worker in workers.iter_mut() {
        worker.go();
    }
    workers.iter_mut().flat_map(Worker::results).collect()
}

fn worker() {
    let env = |name: &str| std::env::var(name).unwrap_or_default();
    let kind = env("WORKER_KIND");
    let base_url = env("BASE_URL");
    let redis = env("REDIS_URL");
    let worker_id = env("WORKER_ID");
    runtime().block_on(async move {
        let store = (!redis.is_empty()).then(|| RedisStore::open(redis.as_str()).expect("store"));
        let call: Arc<dyn Fn(usize) -> tokio::task::JoinHandle<String> + Send + Sync> =
            match kind.as_str() {
                "netfinity" => {
                    let mut builder = netfinity::Client::builder()
                        .token(TOKEN)
                        .base_url(base_url)
                        .rate_limit(RateLimit::new(LIMIT, PACE_PERIOD));
                    if let Some(store) = &store {
                        let limiter = store.rate_limiter();
                        builder = builder.configure(move |t| t.rate_limiter(limiter));
                    }
                    let client = builder.build().expect("client");
                    Arc::new(move |task| {
                        let client = client.clone();
                        let id = format!("w{worker_id}t{task}");
                        tokio::spawn(async move {
                            let sms = netfinity::Sms::new("359881234567", "hello").with_id(id);
                            match client.send_sms(&sms).await {
                                Ok(_) => "sent".to_owned(),
                                Err(e) if e.is_rate_limited() => "rate-limited".to_owned(),
                                Err(e) => format!("error {e}"),
                            }
                        })
                    })
                }
                "flexiti" => {
                    let store = store.expect("flexiti workers share a token through redis");
                    let client = flexiti::Client::builder()
                        .client_id("sandbox-flexiti")
                        .client_secret("sandbox-flexiti-secret")
                        .environment(flexiti::Environment::custom(base_url))
                        .token_cache(store.token_cache())
                        .build()
                        .expect("client");
                    Arc::new(move |_| {
                        let client = client.clone();
                        tokio::spawn(async move {
                            let key = flexiti::CustomerKey::Account(flexiti::Id::from("20076677"));
                            match client.lookup_customer(&key).await {
                                Ok(_) => "ok".to_owned(),
                                Err(e) => format!("error {e}"),
                            }
                        })
                    })
                }
                other => panic!("unknown worker kind `{other}`"),
            };
        println!("ready");
        let mut lines = std::io::stdin().lock().lines();
        while let Some(Ok(line)) = lines.next() {
            if line.trim() != "go" {
                continue;
            }
            let tasks: Vec<_> = (0..TASKS).map(|task| call(task)).collect();
            for task in tasks {
                println!("{}", task.await.unwrap_or_else(|e| format!("error {e}")));
            }
            println!("done");
        }
    });
}

fn netfinity_sandbox(rt: &tokio::runtime::Runtime) -> Sandbox {
    rt.block_on(Sandbox::start(SandboxConfig {
        netfinity: NetfinityConfig {
            limit: LIMIT,
            window: WINDOW,
            ..NetfinityConfig::default()
        },
        ..SandboxConfig::default()
    }))
    .expect("sandbox")
}

/// The most requests that arrived within any `WINDOW`.
fn busiest_window(sandbox: &Sandbox) -> usize {
    let arrivals = sandbox.netfinity().arrivals();
    (0..arrivals.len())
        .map(|i| {
            arrivals[i..]
                .iter()
                .take_while(|at| at.duration_since(arrivals[i]) < WINDOW)
                .count()
        })
        .max()
        .unwrap_or(0)
}

fn run_netfinity_workers(sandbox: &Sandbox, redis: Option<&RedisServer>) -> Vec<String> {
    let mut workers: Vec<Worker> = (0..WORKERS)
        .map(|id| {
            let mut env = vec![
                ("WORKER_KIND", "netfinity".to_owned()),
                ("WORKER_ID", id.to_string()),
                ("BASE_URL", sandbox.netfinity_url()),
            ];
            if let Some(redis) = redis {
                env.push(("REDIS_URL", redis.url()));
            }
            Worker::spawn(&env)
        })
        .collect();
    let lines = wave(&mut workers);
    workers.into_iter().for_each(Worker::finish);
    lines
}

fn four_workers_share_one_netfinity_limit() {
    let rt = runtime();
    let redis = RedisServer::start();
    let sandbox = netfinity_sandbox(&rt);
    let started = Instant::now();
    let lines = run_netfinity_workers(&sandbox, Some(&redis));
    let elapsed = started.elapsed();

    // No request lost: every send is accounted for as sent or as rate-limited.
    assert_eq!(lines.len(), WORKERS * TASKS);
    let sent = lines.iter().filter(|l| *l == "sent").count();
    let limited = lines.iter().filter(|l| *l == "rate-limited").count();
    assert_eq!(sent + limited, WORKERS * TASKS, "{lines:?}");
    let handle = sandbox.netfinity();
    assert_eq!(handle.accepted().len(), sent);
    // The sandbox never had to refuse one: its own count stayed within the limit...
    let statuses: Vec<u16> = handle.requests().iter().map(|r| r.status).collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    // ...and so did every window, not only the sandbox's fixed ones.
    let busiest = busiest_window(&sandbox);
    assert!(
        busiest <= LIMIT as usize,
        "{busiest} requests in one window"
    );
    // 200 sends at 60 per 2.1 s take at least (200 - 1) / 60 * 2.1 s ≈ 7 s: the workers
    // really waited for each other rather than each spending a budget of its own.
    assert!(elapsed >= Duration::from_secs(6), "{elapsed:?}");
    println!(
        "  {sent} sent, {limited} rate-limited, busiest {}-s window {busiest}, {:.1} s",
        WINDOW.as_secs(),
        elapsed.as_secs_f64()
    );
    rt.block_on(sandbox.shutdown());
}

/// The control: the same workers with in-memory limiters each spend the whole budget, and
/// the sandbox refuses the excess. Without it the test above could pass by accident.
fn without_redis_four_workers_overshoot_the_limit() {
    let rt = runtime();
    let sandbox = netfinity_sandbox(&rt);
    let lines = run_netfinity_workers(&sandbox, None);
    assert_eq!(lines.len(), WORKERS * TASKS);
    let refused = sandbox
        .netfinity()
        .requests()
        .iter()
        .filter(|r| r.status == 429)
        .count();
    assert!(refused > 0, "in-memory limiters should overshoot 4-fold");
    assert!(busiest_window(&sandbox) > LIMIT as usize);
    println!("  {refused} requests refused with 429");
    rt.block_on(sandbox.shutdown());
}

fn four_workers_at_token_expiry_cause_one_token_request() {
    let rt = runtime();
    let redis = RedisServer::start();
    // Flexiti's client renews 120 s before expiry: a 123 s token is due for renewal 3 s
    // after it was issued.
    let sandbox = rt
        .block_on(Sandbox::start(SandboxConfig {
            flexiti: FlexitiConfig {
                token_lifetime: Duration::from_secs(123),
                ..FlexitiConfig::default()
            },
            ..SandboxConfig::default()
        }))
        .expect("sandbox");
    let handle = sandbox.flexiti();
    let mut workers: Vec<Worker> = (0..WORKERS)
        .map(|id| {
            Worker::spawn(&[
                ("WORKER_KIND", "flexiti".to_owned()),
                ("WORKER_ID", id.to_string()),
                ("BASE_URL", sandbox.flexiti_url()),
                ("REDIS_URL", redis.url()),
            ])
        })
        .collect();

    // No token anywhere yet: 4 processes × 50 calls, one token request.
    let lines = wave(&mut workers);
    assert_eq!(lines.len(), WORKERS * TASKS);
    assert!(lines.iter().all(|l| l == "ok"), "{lines:?}");
    assert_eq!(handle.token_requests(), 1);

    // The same token serves the next wave.
    let lines = wave(&mut workers);
    assert!(lines.iter().all(|l| l == "ok"), "{lines:?}");
    assert_eq!(handle.token_requests(), 1);

    // At expiry (within the refresh margin) every process needs a new one at once.
    std::thread::sleep(Duration::from_millis(3200));
    let lines = wave(&mut workers);
    assert!(lines.iter().all(|l| l == "ok"), "{lines:?}");
    assert_eq!(handle.token_requests(), 2, "one token request at expiry");

    // Revoked early: every process gets a 401, and still only one asks again.
    handle.expire_tokens();
    let lines = wave(&mut workers);
    assert!(lines.iter().all(|l| l == "ok"), "{lines:?}");
    assert_eq!(
        handle.token_requests(),
        3,
        "one token request after a revocation"
    );

    workers.into_iter().for_each(Worker::finish);
    rt.block_on(sandbox.shutdown());
}
