//! Pagination memory: a child process (so that no earlier figure's pages count) streams
//! every record of a long list through the client's paging `Stream` and reports its peak
//! resident set size (`VmHWM`).

use std::process::Command;

use futures_util::TryStreamExt;

use crate::figure::{Bound, Figure};
use crate::providers::{self, Clients, Provider};
use crate::server::Server;

/// Peak RSS must stay under this.
const LIMIT_MB: f64 = 50.0;

/// The providers with a paging stream.
const STREAMED: [Provider; 2] = [Provider::Fl3xx, Provider::Flexiti];

/// Runs the child for each streamed provider and turns its report into figures.
pub fn figures(records: u64, progress: &dyn Fn(&str)) -> Result<Vec<Figure>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("paging: {e}"))?;
    let mut figures = Vec::new();
    for provider in STREAMED {
        progress(&format!(
            "paging: {records} records through {}",
            provider.name()
        ));
        let output = Command::new(&exe)
            .args(["paging", provider.name(), &records.to_string()])
            .output()
            .map_err(|e| format!("paging: cannot run {}: {e}", exe.display()))?;
        if !output.status.success() {
            return Err(format!(
                "paging child for {} failed: {}",
                provider.name(),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let report: serde_json::Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("paging child for {}: {e}", provider.name()))?;
        let field = |name: &str| report[name].as_f64().unwrap_or(f64::NAN);
        if field("records") != records as f64 {
            return Err(format!(
                "paging: {} streamed {} of {records} records",
                provider.name(),
                field("records")
            ));
        }
        figures.push(Figure::single(
            format!("paging.peak_rss.{}", provider.name()),
            "paging",
            Some(provider.name()),
            format!(
                "peak RSS streaming {records} records (process at start: {:.1} MB)",
                field("start_kb") / 1024.0
            ),
            "MB",
            field("peak_kb") / 1024.0,
            Bound::below(LIMIT_MB),
        ));
    }
    Ok(figures)
}

/// The child: streams `records` records through `provider`'s stream; prints a JSON report.
pub async fn child(provider: Provider, records: u64) -> Result<(), String> {
    let server = Server::start(providers::answers(0, Some(records))).map_err(|e| e.to_string())?;
    let clients = Clients::new(&server.url)?;
    let start_kb = vm_hwm_kb()?;
    let streamed = match provider {
        Provider::Fl3xx => {
            clients
                .fl3xx
                .list_flights(providers::flight_window()?)
                .paginate()
                .try_fold(0u64, |n, _| async move { Ok(n + 1) })
                .await
        }
        Provider::Flexiti => {
            clients
                .flexiti
                .list_authorizations()
                .paginate()
                .try_fold(0u64, |n, _| async move { Ok(n + 1) })
                .await
        }
        other => return Err(format!("{} has no paging stream", other.name())),
    }
    .map_err(|e| e.to_string())?;
    let peak_kb = vm_hwm_kb()?;
    println!(
        "{}",
        serde_json::json!({"records": streamed, "start_kb": start_kb, "peak_kb": peak_kb})
    );
    Ok(())
}

/// The process's peak resident set size, from `/proc/self/status` (Linux).
fn vm_hwm_kb() -> Result<f64, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("peak RSS needs /proc/self/status (Linux): {e}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmHWM in /proc/self/status".into())
}
