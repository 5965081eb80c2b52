//! `cargo xtask bench [--quick] [--compare FILE] [--no-compile]`: the clients' costs against a
//! hand-written reqwest + serde_json baseline, measured side by side in one run (see
//! docs/performance.md).
//!
//! It builds and runs `api-bench` (crates/bench) for the in-process figures, counts
//! instructions per request under valgrind's callgrind, times clean builds of each provider
//! crate against a floor crate, prints one table and writes the figures as JSON to
//! `<target>/bench/`.

mod callgrind;
mod compile;
mod report;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::{Value, json};

use crate::run::{cargo, step, workspace_root};

const USAGE: &str = "usage: cargo xtask bench [--quick] [--compare FILE] [--no-compile]
       cargo xtask bench --compare OLD --against NEW   (compare two saved runs, measure nothing)";

/// Options of one run.
#[derive(Debug, Default)]
struct Options {
    quick: bool,
    /// An api-bench already built (quick mode inside `cargo xtask test`, whose build step
    /// made it and the `--timings` report), instead of building it here.
    prebuilt: Option<PathBuf>,
    compare: Option<PathBuf>,
    against: Option<PathBuf>,
    no_compile: bool,
}

fn parse(args: &[&str]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--quick" => options.quick = true,
            "--no-compile" => options.no_compile = true,
            "--compare" => {
                options.compare = Some(args.next().ok_or(USAGE)?.into());
            }
            "--against" => {
                options.against = Some(args.next().ok_or(USAGE)?.into());
            }
            other => return Err(format!("bench: unknown argument {other}\n{USAGE}")),
        }
    }
    if options.against.is_some() && options.compare.is_none() {
        return Err(USAGE.into());
    }
    Ok(options)
}

/// `cargo xtask bench [args]`.
pub fn run(args: &[&str]) -> Result<(), String> {
    let options = parse(args)?;
    if let (Some(old), Some(new)) = (&options.compare, &options.against) {
        let (old, new) = (read_report(old)?, read_report(new)?);
        report::print_table(&new);
        report::print_comparison(&old, &new);
        return Ok(());
    }
    let previous = options.compare.as_deref().map(read_report).transpose()?;
    let report = measure(&options)?;
    if let Some(previous) = previous {
        report::print_comparison(&previous, &report);
    }
    Ok(())
}

/// The quick mode `cargo xtask test` runs: every measurement at a tiny size, in the dev
/// profile, so that the bench cannot rot.
/// Quick mode with the api-bench that `cargo xtask test`'s build step made (same features as
/// the tests, so nothing is compiled again; that build's `--timings` report is the one the
/// timings parser is checked on).
pub fn quick(prebuilt: &Path) -> Result<(), String> {
    println!("\n==> bench (quick)");
    let started = Instant::now();
    measure(&Options {
        quick: true,
        prebuilt: Some(prebuilt.to_owned()),
        ..Options::default()
    })?;
    println!("<== bench (quick): {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

fn read_report(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a bench report: {e}", path.display()))
}

/// The cargo target directory (honours `CARGO_TARGET_DIR` and config).
pub(crate) fn target_dir() -> Result<PathBuf, String> {
    let output = cargo()
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    metadata["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| "cargo metadata has no target_directory".into())
}

fn measure(options: &Options) -> Result<Value, String> {
    let target = target_dir()?;
    let out_dir = target.join("bench");
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let mode = if options.quick { "quick" } else { "full" };
    println!(
        "bench ({mode}): {}",
        if options.quick {
            "tiny sizes, dev profile: checks that every figure can be measured; the figures are not meaningful"
        } else {
            "release profile; takes several minutes"
        }
    );

    // 1. The bench binary (its build's --timings report doubles as the quick check of the
    //    timings parser).
    let exe = match &options.prebuilt {
        Some(exe) => exe.clone(),
        None => {
            let mut build = cargo();
            build.args([
                "build",
                "--package",
                "bench",
                "--bin",
                "api-bench",
                "--timings",
            ]);
            if !options.quick {
                build.arg("--release");
            }
            step("build api-bench", &mut build)?;
            let profile = if options.quick { "debug" } else { "release" };
            target.join(profile).join("api-bench")
        }
    };

    // 2. In-process figures.
    let inprocess = out_dir.join(format!("inprocess-{mode}.json"));
    let mut run = Command::new(&exe);
    run.args(["run", "--out"]).arg(&inprocess);
    if options.quick {
        run.arg("--quick");
    }
    step("in-process figures (api-bench run)", &mut run)?;
    let mut figures: Vec<Value> = read_report(&inprocess)?["figures"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut notes: Vec<String> = Vec::new();

    // 3. Instructions per request.
    match callgrind::figures(&exe, options.quick)? {
        Ok(counted) => {
            figures.extend(counted);
            if options.quick {
                notes.push(
                    "instructions per request and per page fetch: fsflt only in quick mode \
                     (a client's set-up under valgrind takes seconds in the dev profile)"
                        .into(),
                );
            }
        }
        Err(reason) => notes.push(format!("instructions per request: skipped ({reason})")),
    }

    // 4. Compile time.
    let mut heaviest = Value::Null;
    if options.no_compile {
        notes.push("compile time: skipped (--no-compile)".into());
    } else if options.quick {
        let checked = compile::check_timings_parser(&target)?;
        notes.push(format!(
            "compile time: not measured in quick mode (clean builds take minutes on a 2-core \
             machine); the timings parser read {checked} units from the api-bench build"
        ));
    } else {
        let (built, heavy) = compile::figures(&out_dir)?;
        figures.extend(built);
        heaviest = heavy;
    }

    const ORDER: [&str; 6] = [
        "overhead",
        "throughput",
        "decoding",
        "token",
        "paging",
        "compile",
    ];
    figures.sort_by_key(|f| {
        let group = f["group"].as_str().unwrap_or("");
        ORDER
            .iter()
            .position(|g| *g == group)
            .unwrap_or(ORDER.len())
    });
    let report = json!({
        "schema": 1,
        "mode": mode,
        "date": now_utc(),
        "commit": commit(),
        "machine": machine(),
        "figures": figures,
        "heaviest_dependencies": heaviest,
        "notes": notes,
    });
    let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    let stamp = report["date"]
        .as_str()
        .unwrap_or("now")
        .replace([':', '-'], "");
    let file = out_dir.join(format!("bench-{mode}-{stamp}.json"));
    let latest = out_dir.join(format!("latest-{mode}.json"));
    for path in [&file, &latest] {
        std::fs::write(path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    report::print_table(&report);
    println!(
        "\nfigures written to {} (and {})",
        file.display(),
        latest.display()
    );
    let missed = report::missed_targets(&report);
    if !options.quick && !missed.is_empty() {
        println!("targets missed: {}", missed.join(", "));
    }
    Ok(report)
}

/// `git rev-parse HEAD` and whether the tree has changes.
fn commit() -> Value {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(workspace_root())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let dirty = git(&["status", "--porcelain"]).map(|s| !s.is_empty());
    json!({ "head": git(&["rev-parse", "HEAD"]), "dirty": dirty })
}

/// Core count and CPU model.
fn machine() -> Value {
    let nproc = std::thread::available_parallelism().map_or(0, usize::from);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        });
    json!({ "nproc": nproc, "cpu": cpu, "os": std::env::consts::OS })
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let o = parse(&["--quick", "--compare", "a.json"]).expect("valid");
        assert!(o.quick && !o.no_compile);
        assert_eq!(o.compare.as_deref(), Some(Path::new("a.json")));
        assert!(parse(&["--against", "b.json"]).is_err());
        assert!(parse(&["--compare"]).is_err());
        assert!(parse(&["--fast"]).is_err());
    }

    #[test]
    fn dates() {
        let date = now_utc();
        assert_eq!(date.len(), 20, "{date}");
        assert!(date.starts_with("20") && date.ends_with('Z'), "{date}");
    }
}
