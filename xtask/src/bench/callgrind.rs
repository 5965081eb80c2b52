//! Instructions per request, counted by valgrind's callgrind: `api-bench callgrind` makes N
//! requests inside `bench_measured_batch` (the only function collected), against the bench
//! server running natively in another process.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

const PROVIDERS: [(&str, &str); 4] = [
    ("netfinity", "send_sms"),
    ("fsflt", "auth_token"),
    ("fl3xx", "airport"),
    ("flexiti", "authorization"),
];

/// The provider whose requests quick mode counts (fsflt: its `check_success` is the known
/// suspect).
const QUICK_PROVIDER: &str = "fsflt";

const LISTS: [(&str, &str); 3] = [
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
    let Ok(version) = Command::new("valgrind").arg("--version").output() else {
        return Ok(Err("valgrind is not installed".into()));
    };
    if !version.status.success() {
        return Ok(Err("valgrind --version failed".into()));
    }
    let (requests, decodes): (u64, u64) = if quick { (10, 1) } else { (200, 5) };
    let server = Server::start(exe)?;
    let dir = std::env::temp_dir().join(format!("api-bench-callgrind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut figures = Vec::new();
    let count = |provider: &str, side: &str, n: u64| -> Result<f64, String> {
        println!("  callgrind: {provider} {side} (x{n})");
        let out = dir.join(format!("{provider}-{side}.out"));
        let status = Command::new("valgrind")
            .args([
                "--tool=callgrind",
                "--toggle-collect=bench_measured_batch",
                "--quiet",
            ])
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(exe)
            .args(["callgrind", &server.url, provider, side, &n.to_string()])
            .status()
            .map_err(|e| format!("cannot run valgrind: {e}"))?;
        if !status.success() {
            return Err(format!(
                "valgrind on api-bench {provider} {side} failed ({status})"
            ));
        }
        let text = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        let total = total_instructions(&text)
            .ok_or_else(|| format!("{}: no instruction total", out.display()))?;
        Ok(total as f64 / n as f64)
    };
    // Quick mode counts one provider's requests (setting up a client under valgrind takes
    // seconds in the dev profile) and every decode; the full run counts everything.
    let counted = |provider: &str| !quick || provider == QUICK_PROVIDER;
    for (provider, request) in PROVIDERS.into_iter().filter(|(p, _)| counted(p)) {
        let client = count(provider, "client", requests)?;
        let baseline = count(provider, "baseline", requests)?;
        figures.push(versus(
            format!("overhead.instructions.{provider}"),
            "overhead",
            provider,
            format!("instructions per `{request}` request (callgrind, {requests} requests)"),
            client,
            baseline,
            (1.05, 1.02),
        ));
    }
    // The same requests from 64 concurrent tasks (full run only): what the throughput
    // figures measure in wall time, as a count that does not move with the machine's load.
    if !quick {
        let burst = 64 * 20;
        for (provider, request) in PROVIDERS {
            let client = count(provider, "client-burst", burst)?;
            let baseline = count(provider, "baseline-burst", burst)?;
            figures.push(versus(
                format!("throughput.instructions.{provider}"),
                "throughput",
                provider,
                format!(
                    "instructions per `{request}` request, 64 concurrent tasks (callgrind, {burst} requests)"
                ),
                client,
                baseline,
                (1.05, 1.02),
            ));
        }
    }
    for (provider, list) in LISTS {
        if counted(provider) {
            let client = count(provider, "client-page", decodes)?;
            let baseline = count(provider, "baseline-page", decodes)?;
            figures.push(versus(
            format!("decoding.fetch_instructions.{provider}"),
            "decoding",
            provider,
            format!("instructions to fetch + decode a 1000-item page of {list}: client (transport's whole path) vs reqwest + from_slice (callgrind, x{decodes})"),
            client,
            baseline,
            (1.10, 1.05),
        ));
        }
        let model = count(provider, "model", decodes)?;
        let plain = count(provider, "plain", decodes)?;
        figures.push(versus(
            format!("decoding.instructions.{provider}"),
            "decoding",
            provider,
            format!("instructions to decode a 1000-item page of {list}: model vs plain struct (callgrind, x{decodes})"),
            model,
            plain,
            (1.10, 1.05),
        ));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Ok(figures))
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
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(exe: &Path) -> Result<Server, String> {
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
