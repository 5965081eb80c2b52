//! Several worker processes against one sandbox through one Redis: the shared budget holds
//! across processes, one token request serves them all, and killing Redis mid-run neither
//! breaks the policy nor the workers.
//!
//! The workers are this test binary run again with `--worker` (see `worker`); the tests
//! run one after the other from `main` (`harness = false`).

mod support;

use std::error::Error as _;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use api_core::{Auth, Error, RateLimit, TransportErrorKind};
use api_core_redis::{OnUnavailable, RedisStore, StoreUnavailable};
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
    let tests: [(&str, fn()); 4] = [
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
        (
            "three_workers_survive_redis_killed_mid_run",
            three_workers_survive_redis_killed_mid_run,
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
        self.tell("go");
    }

    fn tell(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").expect("tell");
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
    if kind == "outage" {
        outage_worker(&base_url, &redis, &worker_id, &env("ON_UNAVAILABLE"));
        return;
    }
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
                            match client.lookup_customer_by(&key).send().await {
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

/// Workers of the outage scenario: few enough that each one's share of the shared pace
/// still gives it several sends in every phase.
const OUTAGE_WORKERS: usize = 3;
/// How long Redis stays down.
const OUTAGE: Duration = Duration::from_secs(1);
/// How many of each worker's last sends must have gone through the restarted Redis.
const TAIL: usize = 3;

/// Microseconds of the wall clock: the one clock the parent and its workers share.
fn wall_clock_micros() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or(0)
}

fn is_store_unavailable(error: &Error) -> bool {
    matches!(error, Error::Transport(t) if t.kind == TransportErrorKind::Connect)
        && error
            .source()
            .and_then(|s| s.downcast_ref::<StoreUnavailable>())
            .is_some()
}

/// A worker of the outage scenario: from `go` until `stop` (or the end of stdin), sends one
/// SMS after another through the shared limiter, then prints one line per send,
/// `<id> <started µs> <ended µs> <outcome>`, and `done`. It does not know when Redis goes
/// away: the parent compares the times with the moments it killed and restarted Redis.
fn outage_worker(base_url: &str, redis: &str, worker_id: &str, on_unavailable: &str) {
    let policy = match on_unavailable {
        "in-memory" => OnUnavailable::InMemory,
        _ => OnUnavailable::FailClosed,
    };
    let rt = runtime();
    let client = rt.block_on(async {
        let store = RedisStore::builder(redis)
            .on_unavailable(policy)
            .build()
            .expect("store");
        let limiter = store.rate_limiter();
        netfinity::Client::builder()
            .token(TOKEN)
            .base_url(base_url)
            .rate_limit(RateLimit::new(LIMIT, PACE_PERIOD))
            .configure(move |t| t.rate_limiter(limiter))
            .build()
            .expect("client")
    });
    println!("ready");
    let mut go = String::new();
    if std::io::stdin().read_line(&mut go).is_err() || go.trim() != "go" {
        return;
    }
    let stop = Arc::new(AtomicBool::new(false));
    std::thread::spawn({
        let stop = stop.clone();
        move || {
            // `stop`, or the parent gone: either way the run is over.
            let _ = std::io::stdin().read_line(&mut String::new());
            stop.store(true, Ordering::Relaxed);
        }
    });
    let lines = rt.block_on(async {
        let mut lines = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let id = format!("w{worker_id}s{}", lines.len());
            let sms = netfinity::Sms::new("359881234567", "hello").with_id(id.clone());
            let started = wall_clock_micros();
            let outcome = match client.send_sms(&sms).await {
                Ok(_) => "sent".to_owned(),
                Err(e) if is_store_unavailable(&e) => "store-unavailable".to_owned(),
                Err(e) if e.is_rate_limited() => "rate-limited".to_owned(),
                Err(e) => format!("error {e}"),
            };
            let ended = wall_clock_micros();
            if outcome == "store-unavailable" {
                // As a real worker would, rather than spin while its store is down.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            lines.push(format!("{id} {started} {ended} {outcome}"));
        }
        lines
    });
    for line in lines {
        println!("{line}");
    }
    println!("done");
}

/// One send of an outage worker, as it reported it.
#[derive(Debug)]
struct SendRecord {
    id: String,
    started: u128,
    ended: u128,
    outcome: String,
}

impl SendRecord {
    fn parse(line: &str) -> SendRecord {
        let mut parts = line.splitn(4, ' ');
        let mut next = || parts.next().unwrap_or_else(|| panic!("bad line `{line}`"));
        let id = next().to_owned();
        let started = next()
            .parse()
            .unwrap_or_else(|_| panic!("bad line `{line}`"));
        let ended = next()
            .parse()
            .unwrap_or_else(|_| panic!("bad line `{line}`"));
        let outcome = next().to_owned();
        SendRecord {
            id,
            started,
            ended,
            outcome,
        }
    }
}

/// The `id` field of a Netfinity send body (compact JSON).
fn sms_id(body: &[u8]) -> Option<String> {
    let body = std::str::from_utf8(body).ok()?;
    let start = body.find(r#""id":""#)? + r#""id":""#.len();
    let len = body[start..].find('"')?;
    Some(body[start..start + len].to_owned())
}

/// Issue #9: Redis killed mid-run under worker processes, once per policy.
fn three_workers_survive_redis_killed_mid_run() {
    redis_killed_mid_run(OnUnavailable::FailClosed);
    redis_killed_mid_run(OnUnavailable::InMemory);
}

/// Three worker processes send through one shared limit; Redis is killed after 0.7 s,
/// stays down for 1 s and comes back empty on the same port; the workers carry on for
/// 2 s more, then stop and report every send.
fn redis_killed_mid_run(policy: OnUnavailable) {
    let rt = runtime();
    let mut redis = RedisServer::start();
    let sandbox = netfinity_sandbox(&rt);
    let key = format!(
        "api-core:ratelimit:netfinity:{}",
        Auth::bearer(TOKEN).fingerprint()
    );
    let policy_name = match policy {
        OnUnavailable::InMemory => "in-memory",
        _ => "fail-closed",
    };
    let mut workers: Vec<Worker> = (0..OUTAGE_WORKERS)
        .map(|id| {
            Worker::spawn(&[
                ("WORKER_KIND", "outage".to_owned()),
                ("WORKER_ID", id.to_string()),
                ("BASE_URL", sandbox.netfinity_url()),
                ("REDIS_URL", redis.url()),
                ("ON_UNAVAILABLE", policy_name.to_owned()),
            ])
        })
        .collect();
    workers.iter_mut().for_each(Worker::go);

    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(
        redis.command(&["EXISTS", &key]).trim(),
        ":1",
        "the budget is kept in redis before the outage"
    );
    redis.kill();
    let (down, down_at) = (Instant::now(), wall_clock_micros());
    std::thread::sleep(OUTAGE);
    let (restarting, restarting_at) = (Instant::now(), wall_clock_micros());
    redis.restart();
    let (up, up_at) = (Instant::now(), wall_clock_micros());
    std::thread::sleep(Duration::from_secs(2));
    let clients = redis.command(&["CLIENT", "LIST"]);
    workers.iter_mut().for_each(|w| w.tell("stop"));
    let stopped = Instant::now();
    let sends: Vec<Vec<SendRecord>> = workers
        .iter_mut()
        .map(|w| w.results().iter().map(|l| SendRecord::parse(l)).collect())
        .collect();
    // Read at once: the key outlives the last reservation by a second.
    let key_after = redis.command(&["EXISTS", &key]);
    // No worker panicked or failed: each one exits with status 0.
    workers.into_iter().for_each(Worker::finish);

    let all: Vec<&SendRecord> = sends.iter().flatten().collect();
    let allowed: &[&str] = match policy {
        OnUnavailable::InMemory => &["sent", "rate-limited"],
        _ => &["sent", "store-unavailable"],
    };
    for send in &all {
        assert!(allowed.contains(&send.outcome.as_str()), "{send:?}");
    }
    let handle = sandbox.netfinity();
    let requests = handle.requests();
    let arrivals = handle.arrivals();
    assert_eq!(requests.len(), arrivals.len());
    let request_ids: Vec<String> = requests
        .iter()
        .map(|r| sms_id(&r.body).unwrap_or_else(|| panic!("no id in {:?}", r.body)))
        .collect();
    let send_of = |id: &str| {
        all.iter()
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("the sandbox got `{id}`, which no worker sent"))
    };
    // Each message that was sent reached the sandbox exactly once, and no other did.
    let mut accepted: Vec<String> = handle.accepted().into_iter().filter_map(|a| a.id).collect();
    let mut sent: Vec<String> = all
        .iter()
        .filter(|s| s.outcome == "sent")
        .map(|s| s.id.clone())
        .collect();
    accepted.sort();
    sent.sort();
    assert_eq!(accepted, sent);

    let during = |s: &&SendRecord| s.started >= down_at && s.ended <= restarting_at;
    let in_outage = |at: &Instant| *at >= down && *at <= restarting;
    for (worker, sends) in sends.iter().enumerate() {
        // Before the outage, through redis, everything went out.
        let before: Vec<&SendRecord> = sends.iter().filter(|s| s.ended < down_at).collect();
        assert!(!before.is_empty(), "worker {worker} sent nothing before");
        assert!(before.iter().all(|s| s.outcome == "sent"), "{before:?}");
        let outage: Vec<&SendRecord> = sends.iter().filter(during).collect();
        assert!(
            !outage.is_empty(),
            "worker {worker} sent nothing while down"
        );
        match policy {
            OnUnavailable::InMemory => {
                // It kept sending: some of its sends reached the sandbox during the outage.
                let delivered = (0..requests.len())
                    .filter(|&i| in_outage(&arrivals[i]) && requests[i].status == 200)
                    .filter(|&i| outage.iter().any(|s| s.id == request_ids[i]))
                    .count();
                assert!(delivered > 0, "worker {worker}: {outage:?}");
            }
            _ => {
                // Each one failed with the typed error and went nowhere.
                assert!(
                    outage.iter().all(|s| s.outcome == "store-unavailable"),
                    "worker {worker}: {outage:?}"
                );
                for s in &outage {
                    assert!(!request_ids.contains(&s.id), "{s:?} reached the sandbox");
                }
            }
        }
        // After it, sends go through the restarted redis again.
        let tail = &sends[sends.len().saturating_sub(TAIL)..];
        assert!(
            tail.len() == TAIL
                && tail
                    .iter()
                    .all(|s| s.outcome == "sent" && s.started >= up_at),
            "worker {worker} did not recover: {tail:?}"
        );
    }
    let arrived_in_outage: Vec<&String> = (0..requests.len())
        .filter(|&i| in_outage(&arrivals[i]))
        .map(|i| &request_ids[i])
        .collect();
    if policy == OnUnavailable::FailClosed {
        // The only arrivals while redis was down are sends admitted before it went, still
        // in flight: at most one per worker.
        assert!(
            arrived_in_outage.len() <= OUTAGE_WORKERS,
            "{arrived_in_outage:?}"
        );
        for id in &arrived_in_outage {
            assert!(send_of(id).started < down_at, "{:?}", send_of(id));
        }
        // Shared pacing never overshot the server's limit.
        assert!(requests.iter().all(|r| r.status == 200));
    } else {
        assert!(!arrived_in_outage.is_empty());
    }
    // Every worker is back on the one shared budget, not on its own: each process runs the
    // limiter's scripts on the restarted redis, and from a second after the restart the
    // arrivals keep the shared pace (three in-memory budgets would send three times as
    // many). A second, because an in-memory worker first sits out the pause of a 429 it
    // got while redis was down, and its first call after that finds the old connection
    // dead.
    let scripted = clients
        .lines()
        .filter(|l| l.contains(" cmd=evalsha "))
        .count();
    assert_eq!(scripted, OUTAGE_WORKERS, "{clients}");
    let settled = up + Duration::from_secs(1);
    let late = arrivals
        .iter()
        .filter(|at| **at >= settled && **at <= stopped)
        .count();
    let interval = PACE_PERIOD / LIMIT;
    let most = (stopped - settled).as_micros() / interval.as_micros() + 1 + OUTAGE_WORKERS as u128;
    assert!(
        late as u128 <= most,
        "{late} arrivals, at most {most} at the shared pace"
    );
    assert_eq!(key_after.trim(), ":1", "the budget is back in redis");
    let count = |outcome: &str| all.iter().filter(|s| s.outcome == outcome).count();
    let refused = requests.iter().filter(|r| r.status == 429).count();
    println!(
        "  {policy_name}: {} sends, {} sent, {} store-unavailable, {} rate-limited \
         ({refused} answered 429); {} arrived during the {} s outage; {late} in the last \
         {:.1} s (shared pace allows {most})",
        all.len(),
        count("sent"),
        count("store-unavailable"),
        count("rate-limited"),
        arrived_in_outage.len(),
        OUTAGE.as_secs(),
        (stopped - settled).as_secs_f64(),
    );
    rt.block_on(sandbox.shutdown());
}
