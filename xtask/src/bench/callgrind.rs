//! Instructions per request, counted by valgrind's callgrind: `api-bench callgrind` makes N
//! requests inside `bench_measured_batch` (the only function collected), against the bench
//! server running natively in another process.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

pub const PROVIDERS: [(&str, &str); 4] = [
    ("netfinity", "send_sms"),
    ("fsflt", "auth_token"),
    ("fl3xx", "airport"),
    ("flexiti", "authorization"),
];

/// The provider whose requests quick mode counts (fsflt: its `check_success` is the known
/// suspect).
const QUICK_PROVIDER: &str = "fsflt";

pub const LISTS: [(&str, &str); 3] = [
    ("fsflt", "licences"),
    ("fl3xx", "flights"),
    ("flexiti", "authorizations"),
];

/// A side-by-side instruction-count figure.
fn versus(
    id: String,
    group: &str,
    provider: &str,
    what: String,
    value: f64,
    baseline: f64,
    (target, goal): (f64, f64),
) -> Value {
    json!({
        "id": id,
        "group": group,
        "provider": provider,
        "what": what,
        "unit": "instr",
        "value": value,
        "baseline": baseline,
        "ratio": value / baseline,
        "target": {"op": "<=", "limit": target},
        "goal": {"op": "<=", "limit": goal},
    })
}

/// The figures, or why they were skipped (no valgrind). `Err` is a real failure.
pub fn figures(exe: &Path, quick: bool) -> Result<Result<Vec<Value>, String>, String> {
    if let Err(reason) = valgrind() {
        return Ok(Err(reason));
    }
    let (requests, decodes): (u64, u64) = if quick { (10, 1) } else { (200, 5) };
    let server = Server::start(exe)?;
    let dir = std::env::temp_dir().join(format!("api-bench-callgrind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let one = |provider: &str, side: &str, n: u64| count(exe, &server.url, &dir, provider, side, n);
    // Quick mode counts one provider's requests (setting up a client under valgrind takes
    // seconds in the dev profile) and every decode; the full run counts everything.
    let counted = |provider: &str| !quick || provider == QUICK_PROVIDER;
    let burst = 64 * 20;
    // Every run first, as many at once as there are cores: an instruction count does not
    // depend on what else the machine does, so only the wall time changes.
    let mut jobs: Vec<(&str, &str, u64)> = Vec::new();
    for (provider, _) in PROVIDERS.into_iter().filter(|(p, _)| counted(p)) {
        jobs.extend([
            (provider, "client", requests),
            (provider, "baseline", requests),
        ]);
    }
    if !quick {
        for (provider, _) in PROVIDERS {
            jobs.extend([
                (provider, "client-burst", burst),
                (provider, "baseline-burst", burst),
            ]);
        }
    }
    for (provider, _) in LISTS {
        if counted(provider) {
            jobs.extend([
                (provider, "client-page", decodes),
                (provider, "baseline-page", decodes),
            ]);
        }
        jobs.extend([(provider, "model", decodes), (provider, "plain", decodes)]);
    }
    let counts = in_parallel(&jobs, |&(provider, side, n)| one(provider, side, n))?;
    let counted_as = |provider: &str, side: &str| -> f64 {
        jobs.iter()
            .zip(&counts)
            .find(|((p, s, _), _)| *p == provider && *s == side)
            .map_or(f64::NAN, |(_, count)| *count)
    };
    let mut figures = Vec::new();
    for (provider, request) in PROVIDERS.into_iter().filter(|(p, _)| counted(p)) {
        figures.push(versus(
            format!("overhead.instructions.{provider}"),
            "overhead",
            provider,
            format!("instructions per `{request}` request (callgrind, {requests} requests)"),
            counted_as(provider, "client"),
            counted_as(provider, "baseline"),
            (1.05, 1.02),
        ));
    }
    // The same requests from 64 concurrent tasks (full run only): what the throughput
    // figures measure in wall time, as a count that does not move with the machine's load.
    if !quick {
        for (provider, request) in PROVIDERS {
            figures.push(versus(
                format!("throughput.instructions.{provider}"),
                "throughput",
                provider,
                format!(
                    "instructions per `{request}` request, 64 concurrent tasks (callgrind, {burst} requests)"
                ),
                counted_as(provider, "client-burst"),
                counted_as(provider, "baseline-burst"),
                (1.05, 1.02),
            ));
        }
    }
    for (provider, list) in LISTS {
        if counted(provider) {
            figures.push(versus(
            format!("decoding.fetch_instructions.{provider}"),
            "decoding",
            provider,
            format!("instructions to fetch + decode a 1000-item page of {list}: client (transport's whole path) vs reqwest + from_slice (callgrind, x{decodes})"),
            counted_as(provider, "client-page"),
            counted_as(provider, "baseline-page"),
            (1.10, 1.05),
        ));
        }
        figures.push(versus(
            format!("decoding.instructions.{provider}"),
            "decoding",
            provider,
            format!("instructions to decode a 1000-item page of {list}: model vs plain struct (callgrind, x{decodes})"),
            counted_as(provider, "model"),
            counted_as(provider, "plain"),
            (1.10, 1.05),
        ));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Ok(figures))
}

/// Whether valgrind can run: `Err` says why not.
pub fn valgrind() -> Result<(), String> {
    match Command::new("valgrind").arg("--version").output() {
        Err(_) => Err("valgrind is not installed".into()),
        Ok(version) if !version.status.success() => Err("valgrind --version failed".into()),
        Ok(_) => Ok(()),
    }
}

/// Instructions per item of `exe callgrind URL PROVIDER SIDE N` (`api-bench` or the peer
/// runner, which take the same arguments), only `bench_measured_batch` collected.
pub fn count(
    exe: &Path,
    url: &str,
    dir: &Path,
    provider: &str,
    side: &str,
    n: u64,
) -> Result<f64, String> {
    let name = exe
        .file_name()
        .map_or_else(|| "bench".into(), |n| n.to_string_lossy().into_owned());
    println!("  callgrind: {name} {provider} {side} (x{n})");
    let out = dir.join(format!("{name}-{provider}-{side}.out"));
    let status = Command::new("valgrind")
        .args([
            "--tool=callgrind",
            "--toggle-collect=bench_measured_batch",
            "--quiet",
        ])
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(exe)
        .args(["callgrind", url, provider, side, &n.to_string()])
        .status()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    if !status.success() {
        return Err(format!(
            "valgrind on {name} {provider} {side} failed ({status})"
        ));
    }
    let text = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let total = total_instructions(&text)
        .ok_or_else(|| format!("{}: no instruction total", out.display()))?;
    Ok(total as f64 / n as f64)
}

/// `work` over every job, as many at once as the machine has cores; the results in the jobs'
/// order, or the first failure.
pub fn in_parallel<J: Sync, T: Send>(
    jobs: &[J],
    work: impl Fn(&J) -> Result<T, String> + Sync,
) -> Result<Vec<T>, String> {
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, Result<T, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.min(jobs.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else {
                            return done;
                        };
                        done.push((i, work(job)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    if results.len() != jobs.len() {
        return Err("a callgrind worker panicked".into());
    }
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// The `totals:` (or `summary:`) line of a callgrind output file: instructions collected.
fn total_instructions(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| {
            l.strip_prefix("totals:")
                .or_else(|| l.strip_prefix("summary:"))
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// `api-bench serve`, stopped when dropped (closing its stdin ends it).
pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    pub fn start(exe: &Path) -> Result<Server, String> {
        let mut child = Command::new(exe)
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {} serve: {e}", exe.display()))?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        let url = line.trim().to_owned();
        if !url.starts_with("http://") {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("api-bench serve printed {url:?}, not its URL"));
        }
        Ok(Server { child, url })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_total() {
        let text =
            "version: 1\ncmd: x\nevents: Ir\nfn=main\n1 5\nsummary: 123456\ntotals: 123456\n";
        assert_eq!(total_instructions(text), Some(123_456));
        assert_eq!(total_instructions("events: Ir\n"), None);
    }
}
