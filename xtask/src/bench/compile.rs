//! Compile time: a clean debug build of each provider crate (with its dependencies) against
//! a floor crate that depends only on what a hand-written client needs — reqwest (json,
//! http2, rustls on ring, as api-core's default), tokio, serde, serde_json — built the same
//! way in the same run, each in a target directory of its own. Floor builds alternate with
//! the provider builds (floor, p1, floor, p2, …, floor) and each provider is compared with
//! the mean of the floor builds on either side of it, so that load from other work on the
//! machine hits both alike. Besides wall time, the CPU time of each build (user + system of
//! cargo and everything it waited for) is compared: other work slows it much less.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Value, json};

use crate::run::{cargo, workspace_root};

/// How many of the heaviest units to list per provider.
const HEAVIEST: usize = 6;

/// The floor crate's manifest. Same profile settings as the workspace.
const FLOOR_MANIFEST: &str = r#"[package]
name = "floor"
version = "0.0.0"
edition = "2024"
publish = false

# Not a member of the api-clients workspace.
[workspace]

[dependencies]
"#;

/// The floor's dependencies and profiles (the workspace's), which the peer's apps build too.
pub const FLOOR_DEPENDENCIES: &str = r#"reqwest = { version = "0.13", default-features = false, features = ["http2", "json", "rustls-no-provider"] }
rustls = { version = "0.23", default-features = false, features = ["ring", "std", "tls12"] }
tokio = { version = "1.40", default-features = false, features = ["time", "sync"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"

[profile.dev]
debug = "line-tables-only"
incremental = false

[profile.dev.package."*"]
debug = false
"#;

/// The floor's code.
pub const FLOOR_LIB: &str = r#"//! What a hand-written client needs: send, read, decode.
pub async fn get<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
) -> reqwest::Result<T> {
    client.get(url).send().await?.json().await
}
"#;

/// One clean build: wall time, CPU time and the per-unit durations from `--timings`.
pub struct Build {
    pub seconds: f64,
    pub cpu: Option<f64>,
    pub units: BTreeMap<String, f64>,
}

/// The compile-time figures and each provider's heaviest units.
pub fn figures(out_dir: &Path) -> Result<(Vec<Value>, Value), String> {
    let root = out_dir.join("compile");
    let floor_dir = root.join("floor-crate");
    write_floor(&floor_dir)?;
    let floor_target = root.join("target-floor");
    let mut floors = vec![clean_build("floor", &floor_dir, &floor_target, None)?];
    let mut built = Vec::new();
    let providers = crate::run::providers();
    for provider in &providers {
        let provider = provider.as_str();
        let target = root.join(format!("target-{provider}"));
        built.push((
            provider,
            clean_build(provider, &workspace_root(), &target, Some(provider))?,
        ));
        floors.push(clean_build("floor", &floor_dir, &floor_target, None)?);
    }
    let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len() as f64;
    let walls: Vec<f64> = floors.iter().map(|b| b.seconds).collect();
    let cpus: Option<Vec<f64>> = floors.iter().map(|b| b.cpu).collect();
    let listed = |values: &[f64]| {
        values
            .iter()
            .map(|v| format!("{v:.1}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut figures = vec![json!({
        "id": "compile.floor",
        "group": "compile",
        "provider": null,
        "what": format!(
            "clean debug build of the floor crate (reqwest json+http2+rustls/ring, tokio, serde, serde_json), mean of {} builds: {} s",
            walls.len(),
            listed(&walls)
        ),
        "unit": "s",
        "value": mean(&walls),
    })];
    let mut heaviest = serde_json::Map::new();
    for (i, (provider, build)) in built.iter().enumerate() {
        let floor = mean(&walls[i..i + 2]);
        figures.push(json!({
            "id": format!("compile.{provider}"),
            "group": "compile",
            "provider": provider,
            "what": "clean debug build (wall) of the crate and its dependencies vs the floor builds before and after it",
            "unit": "s",
            "value": build.seconds,
            "baseline": floor,
            "ratio": build.seconds / floor,
            "target": {"op": "<=", "limit": 1.30},
            "goal": {"op": "<=", "limit": 1.15},
        }));
        if let (Some(cpu), Some(cpus)) = (build.cpu, &cpus) {
            let floor = mean(&cpus[i..i + 2]);
            figures.push(json!({
                "id": format!("compile.cpu.{provider}"),
                "group": "compile",
                "provider": provider,
                "what": "the same builds' CPU time (user + system), less sensitive to other work on the machine",
                "unit": "cpu s",
                "value": cpu,
                "baseline": floor,
                "ratio": cpu / floor,
                "target": {"op": "<=", "limit": 1.30},
                "goal": {"op": "<=", "limit": 1.15},
            }));
        }
        let in_floor = |name: &str| floors[0].units.contains_key(name);
        let rank = |beyond_floor: bool| {
            let mut units: Vec<(&String, &f64)> = build
                .units
                .iter()
                .filter(|(name, _)| !beyond_floor || !in_floor(name))
                .collect();
            units.sort_by(|a, b| b.1.total_cmp(a.1));
            units
                .into_iter()
                .take(HEAVIEST)
                .map(|(name, secs)| json!([name, (secs * 10.0).round() / 10.0]))
                .collect::<Vec<_>>()
        };
        let beyond: f64 = build
            .units
            .iter()
            .filter(|(name, _)| !in_floor(name))
            .map(|(_, secs)| secs)
            .sum();
        heaviest.insert(
            (*provider).to_owned(),
            json!({
                "all": rank(false),
                "beyond_floor": rank(true),
                "beyond_floor_total_s": (beyond * 10.0).round() / 10.0,
            }),
        );
    }
    Ok((figures, Value::Object(heaviest)))
}

/// Quick mode: reads the `--timings` report of the (mostly warm) api-bench build, so that
/// the parser is exercised without a clean build. Answers the number of units read.
pub fn check_timings_parser(target: &Path) -> Result<usize, String> {
    let report = latest_timings(target)?;
    Ok(units(&report)?.len())
}

pub fn write_floor(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(
        dir.join("Cargo.toml"),
        &format!("{FLOOR_MANIFEST}{FLOOR_DEPENDENCIES}"),
    )?;
    write(dir.join("src").join("lib.rs"), FLOOR_LIB)?;
    // The workspace's lock file: the floor builds the very versions the clients build.
    std::fs::copy(workspace_root().join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;
    Ok(())
}

/// Removes `target`, then builds (`package` in the workspace, or the crate in `dir`) with
/// `--timings`, timing the whole command.
pub fn clean_build(
    name: &str,
    dir: &Path,
    target: &Path,
    package: Option<&str>,
) -> Result<Build, String> {
    if target.exists() {
        std::fs::remove_dir_all(target)
            .map_err(|e| format!("cannot remove {}: {e}", target.display()))?;
    }
    let mut command = cargo();
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .args(["build", "--timings", "--quiet"]);
    if let Some(package) = package {
        command.args(["--package", package]);
    }
    println!("  compile: clean debug build of {name} …");
    let cpu_before = children_cpu_seconds();
    let started = Instant::now();
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo build for {name}: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_before
        .zip(children_cpu_seconds())
        .map(|(before, after)| after - before);
    if !status.success() {
        return Err(format!("clean build of {name} failed ({status})"));
    }
    match cpu {
        Some(cpu) => println!("  compile: {name}: {seconds:.1} s ({cpu:.1} s CPU)"),
        None => println!("  compile: {name}: {seconds:.1} s"),
    }
    let units = units(&latest_timings(target)?)?;
    Ok(Build {
        seconds,
        cpu,
        units,
    })
}

/// User + system time of every child process this one has waited for, and theirs (Linux:
/// `cutime` and `cstime` of `/proc/self/stat`, in clock ticks of 1/100 s).
fn children_cpu_seconds() -> Option<f64> {
    children_cpu(&std::fs::read_to_string("/proc/self/stat").ok()?)
}

fn children_cpu(stat: &str) -> Option<f64> {
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // cutime and cstime are fields 16 and 17 of the whole line: 14 and 15 after the name.
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    Some((ticks(13)? + ticks(14)?) / 100.0)
}

/// The newest `cargo-timing*.html` under `target/cargo-timings/`.
fn latest_timings(target: &Path) -> Result<PathBuf, String> {
    let dir = target.join("cargo-timings");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("no timings in {}: {e}", dir.display()))?;
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("cargo-timing-"))
        })
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .ok_or_else(|| format!("no cargo-timing-*.html in {}", dir.display()))
}

/// Seconds per crate (build script runs and the library summed) from a timings report's
/// `UNIT_DATA`.
fn units(report: &Path) -> Result<BTreeMap<String, f64>, String> {
    let html = std::fs::read_to_string(report)
        .map_err(|e| format!("cannot read {}: {e}", report.display()))?;
    parse_units(&html).ok_or_else(|| format!("{}: no UNIT_DATA found", report.display()))
}

fn parse_units(html: &str) -> Option<BTreeMap<String, f64>> {
    let start = html.find("UNIT_DATA = ")? + "UNIT_DATA = ".len();
    let rest = &html[start..];
    let end = rest.find(";\n")?;
    let data: Vec<Value> = serde_json::from_str(&rest[..end]).ok()?;
    let mut units = BTreeMap::new();
    for unit in data {
        let (Some(name), Some(duration)) = (unit["name"].as_str(), unit["duration"].as_f64())
        else {
            continue;
        };
        *units.entry(name.to_owned()).or_insert(0.0) += duration;
    }
    Some(units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_summed_per_crate() {
        let html = "<script>\nconst UNIT_DATA = [{\"i\":0,\"name\":\"ring\",\"version\":\"0.17\",\"mode\":\"run-custom-build\",\"duration\":4.5},{\"i\":1,\"name\":\"ring\",\"mode\":\"todo\",\"duration\":3.0},{\"i\":2,\"name\":\"serde\",\"duration\":2.0}];\nconst CONCURRENCY_DATA = [];\n</script>";
        let units = parse_units(html).expect("parsed");
        assert_eq!(units["ring"], 7.5);
        assert_eq!(units["serde"], 2.0);
        assert_eq!(parse_units("<html></html>"), None);
    }

    #[test]
    fn children_cpu_time_is_cutime_plus_cstime() {
        let stat = "4242 (x task) S 1 4242 4242 0 -1 4194560 100 2000 0 0 7 3 1250 75 20 0 1 0";
        assert_eq!(children_cpu(stat), Some(13.25));
        assert_eq!(children_cpu("4242 (short) S 1"), None);
    }
}
