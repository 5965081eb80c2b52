//! `cargo xtask fuzz`: builds the libFuzzer targets in `fuzz/` on the stable toolchain and runs
//! each for a bounded time.
//!
//! `cargo fuzz` needs nightly only for its sanitizers; the coverage instrumentation libFuzzer
//! steers by is an LLVM pass that stable rustc runs too. So the targets are built here with
//! the flags `cargo fuzz build --sanitizer none` passes, and each binary is run with libFuzzer's
//! own options. Every target starts from its committed seeds (`fuzz/seeds/<target>/`, read
//! only) plus a working corpus under `fuzz/target/corpus/<target>/` that grows across runs;
//! crashes are written under `fuzz/target/artifacts/<target>/`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::run::{cargo, step, workspace_root};

/// Seconds per target with `--smoke` (what CI runs beside `cargo xtask test`).
const SMOKE_SECONDS: u64 = 2;

/// Seconds per target when `--seconds` is not given.
const DEFAULT_SECONDS: u64 = 60;

/// The instrumentation `cargo fuzz build --sanitizer none` adds (see cargo-fuzz's
/// `src/project.rs`), plus `--cfg fuzzing` and the debug assertions and overflow checks a
/// fuzz build keeps in release mode.
const RUSTFLAGS: &[&str] = &[
    "-Cpasses=sancov-module",
    "-Cllvm-args=-sanitizer-coverage-level=4",
    "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
    "-Cllvm-args=-sanitizer-coverage-pc-table",
    "-Cllvm-args=-sanitizer-coverage-trace-compares",
    "--cfg",
    "fuzzing",
    "-Cdebug-assertions",
    "-Coverflow-checks",
];

/// The RSS ceiling of a fuzzing process. The targets decode inputs of a few KiB; libFuzzer
/// reports going over as a crash (`oom-...`), so a decoder that allocates by the input's
/// claims, or leaks per input, fails the run. A single allocation over 64 MiB aborts at once
/// (`fuzz/src/lib.rs`).
const RSS_LIMIT_MB: u32 = 1024;
const MALLOC_LIMIT_MB: u32 = 64;

/// The longest input libFuzzer makes up (the largest seed is under 2 KiB).
const MAX_LEN: u32 = 8192;

/// Seconds one input may take before libFuzzer calls it a hang.
const INPUT_TIMEOUT_SECONDS: u32 = 10;

const USAGE: &str =
    "usage: cargo xtask fuzz [--seconds N | --smoke] [--runs N] [--target NAME]... [--list]
  builds every target in fuzz/fuzz_targets/ and runs each for N seconds (default 60);
  --smoke: 2 seconds each, as CI runs it;
  --runs stops a target after N executions if that comes before its --seconds;
  --target limits the run to the named targets; --list prints them";

/// What `cargo xtask fuzz` was asked for.
#[derive(Debug, PartialEq)]
struct Options {
    /// Seconds per target (libFuzzer's `-max_total_time`).
    seconds: u64,
    /// Executions per target (libFuzzer's `-runs`), when bounded.
    runs: Option<u64>,
    /// The targets named with `--target`; none means all.
    only: Vec<String>,
    list: bool,
    help: bool,
}

fn parse_args(args: &[&str]) -> Result<Options, String> {
    let mut options = Options {
        seconds: DEFAULT_SECONDS,
        runs: None,
        only: Vec::new(),
        list: false,
        help: false,
    };
    let positive = |value: Option<&&str>, flag: &str| {
        value
            .and_then(|n| n.parse().ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("{flag} needs a positive number\n\n{USAGE}"))
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--seconds" => options.seconds = positive(args.next(), "--seconds")?,
            "--runs" => options.runs = Some(positive(args.next(), "--runs")?),
            "--smoke" => options.seconds = SMOKE_SECONDS,
            "--target" => {
                let name = args
                    .next()
                    .ok_or_else(|| format!("--target needs a name\n\n{USAGE}"))?;
                options.only.push((*name).to_owned());
            }
            "--list" => options.list = true,
            "--help" | "-h" => options.help = true,
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    Ok(options)
}

/// `cargo xtask fuzz [--seconds N | --smoke] [--runs N] [--target NAME]... [--list]`.
pub fn run(args: &[&str]) -> Result<(), String> {
    let options = parse_args(args)?;
    if options.help {
        println!("{USAGE}");
        return Ok(());
    }
    let all = targets()?;
    if options.list {
        all.iter().for_each(|name| println!("{name}"));
        return Ok(());
    }
    if let Some(unknown) = options.only.iter().find(|name| !all.contains(name)) {
        return Err(format!(
            "no fuzz target {unknown:?}; the targets are: {}",
            all.join(", ")
        ));
    }
    let chosen = if options.only.is_empty() {
        all
    } else {
        options.only
    };
    fuzz(&chosen, options.seconds, options.runs)
}

fn fuzz(targets: &[String], seconds: u64, runs: Option<u64>) -> Result<(), String> {
    let started = Instant::now();
    let binaries = build(targets)?;
    let runs_cap = runs.map_or(String::new(), |n| format!(" or {n} executions"));
    println!(
        "\n==> fuzz: {} targets, {seconds}s{runs_cap} each (rss ≤ {RSS_LIMIT_MB} MB, one allocation ≤ {MALLOC_LIMIT_MB} MB)",
        targets.len()
    );
    println!(
        "{:<22} {:>12} {:>9} {:>8}  result",
        "target", "executions", "corpus", "seconds"
    );
    let mut failures = Vec::new();
    for (name, binary) in targets.iter().zip(&binaries) {
        let outcome = run_target(name, binary, seconds, runs)?;
        println!(
            "{:<22} {:>12} {:>9} {:>8.1}  {}",
            name,
            outcome.executions.map_or("?".into(), |n| n.to_string()),
            outcome.corpus.map_or("?".into(), |n| n.to_string()),
            outcome.seconds,
            if outcome.crashed { "CRASH" } else { "no crash" },
        );
        if outcome.crashed {
            eprintln!("--- {name}: the end of libFuzzer's output ---");
            eprintln!("{}", tail(&outcome.log, 60));
            failures.push(match &outcome.artifact {
                Some(path) => format!(
                    "{name}: crash, reproducer {path} (replay: {} {path})",
                    binary.display()
                ),
                None => format!("{name}: libFuzzer failed without writing a reproducer"),
            });
        }
    }
    println!(
        "<== fuzz: {:.1}s in all (build included)",
        started.elapsed().as_secs_f64()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzzing found crashes:\n  {}",
            failures.join("\n  ")
        ))
    }
}

fn fuzz_dir() -> PathBuf {
    workspace_root().join("fuzz")
}

/// The `[[bin]]` targets, from the files in `fuzz/fuzz_targets/`.
fn targets() -> Result<Vec<String>, String> {
    let dir = fuzz_dir().join("fuzz_targets");
    let entries = fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if path.extension().is_some_and(|ext| ext == "rs")
            && let Some(stem) = path.file_stem()
        {
            names.push(stem.to_string_lossy().into_owned());
        }
    }
    names.sort();
    if names.is_empty() {
        return Err(format!("no fuzz targets in {}", dir.display()));
    }
    Ok(names)
}

/// Builds the targets with the fuzzing instrumentation; returns their binaries.
///
/// `--target <host>` is explicit so that RUSTFLAGS reach only the targets' code: build scripts
/// and proc macros stay plain (instrumented, they would not link without libFuzzer).
fn build(targets: &[String]) -> Result<Vec<PathBuf>, String> {
    let host = crate::run::host_triple()?;
    let target_dir = fuzz_dir().join("target");
    let mut command = cargo();
    command
        .current_dir(fuzz_dir())
        .env("RUSTFLAGS", RUSTFLAGS.join(" "))
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env("CARGO_TARGET_DIR", &target_dir)
        // --locked: fuzz/Cargo.lock is committed; after a dependency change, refresh it with
        // `cargo update --workspace` in fuzz/.
        .args(["build", "--release", "--locked", "--target", &host]);
    for name in targets {
        command.args(["--bin", name]);
    }
    step("build fuzz targets (release, instrumented)", &mut command)?;
    let bin_dir = target_dir.join(&host).join("release");
    Ok(targets.iter().map(|name| bin_dir.join(name)).collect())
}

struct Outcome {
    executions: Option<u64>,
    corpus: Option<u64>,
    seconds: f64,
    crashed: bool,
    artifact: Option<String>,
    log: String,
}

fn run_target(
    name: &str,
    binary: &Path,
    seconds: u64,
    runs: Option<u64>,
) -> Result<Outcome, String> {
    let work = fuzz_dir().join("target");
    let corpus = work.join("corpus").join(name);
    let artifacts = work.join("artifacts").join(name);
    let seeds = fuzz_dir().join("seeds").join(name);
    for dir in [&corpus, &artifacts] {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut command = Command::new(binary);
    command
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-rss_limit_mb={RSS_LIMIT_MB}"))
        .arg(format!("-malloc_limit_mb={MALLOC_LIMIT_MB}"))
        .arg(format!("-max_len={MAX_LEN}"))
        .arg(format!("-timeout={INPUT_TIMEOUT_SECONDS}"))
        .arg("-print_final_stats=1");
    if let Some(runs) = runs {
        // Whichever comes first, this or -max_total_time, ends the run.
        command.arg(format!("-runs={runs}"));
    }
    command
        // The artifact prefix is a path prefix, so it ends in a separator.
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        // New inputs go to the first directory; the seeds are only read.
        .arg(&corpus);
    if seeds.is_dir() {
        command.arg(&seeds);
    }
    let started = Instant::now();
    let output = command
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    let mut log = String::from_utf8_lossy(&output.stderr).into_owned();
    log.push_str(&String::from_utf8_lossy(&output.stdout));
    Ok(Outcome {
        executions: stat(&log, "stat::number_of_executed_units:"),
        corpus: last_corpus_size(&log),
        seconds,
        crashed: !output.status.success(),
        artifact: log.lines().find_map(|line| {
            line.split_once("Test unit written to ")
                .map(|(_, path)| path.trim().to_owned())
        }),
        log,
    })
}

/// A number from libFuzzer's `-print_final_stats` block (`stat::name: N`).
fn stat(log: &str, name: &str) -> Option<u64> {
    log.lines()
        .find_map(|line| line.trim().strip_prefix(name))
        .and_then(|n| n.trim().parse().ok())
}

/// The corpus size from libFuzzer's last status line (`... corp: 57/3120b ...`).
fn last_corpus_size(log: &str) -> Option<u64> {
    log.lines().rev().find_map(|line| {
        let (_, rest) = line.split_once(" corp: ")?;
        rest.split('/').next()?.parse().ok()
    })
}

fn tail(log: &str, lines: usize) -> String {
    let all: Vec<&str> = log.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzer_statistics() {
        let log = "#2\tINITED cov: 10 ft: 11 corp: 3/40b exec/s: 0 rss: 30Mb\n\
                   #4096\tpulse  cov: 52 ft: 90 corp: 17/512b lim: 43 exec/s: 2048 rss: 31Mb\n\
                   Done 5120 runs in 2 second(s)\n\
                   stat::number_of_executed_units: 5120\n\
                   stat::peak_rss_mb:              31\n";
        assert_eq!(stat(log, "stat::number_of_executed_units:"), Some(5120));
        assert_eq!(last_corpus_size(log), Some(17));
        assert_eq!(stat("no stats", "stat::number_of_executed_units:"), None);
        assert_eq!(last_corpus_size("nothing"), None);
    }

    #[test]
    fn parses_arguments() {
        let options = parse_args(&["--runs", "10000000", "--seconds", "240", "--target", "a"])
            .expect("valid");
        assert_eq!(
            options,
            Options {
                seconds: 240,
                runs: Some(10_000_000),
                only: vec!["a".to_owned()],
                list: false,
                help: false,
            }
        );
        let defaults = parse_args(&[]).expect("valid");
        assert_eq!((defaults.seconds, defaults.runs), (DEFAULT_SECONDS, None));
        let smoke = parse_args(&["--smoke"]).expect("valid");
        assert_eq!((smoke.seconds, smoke.runs), (SMOKE_SECONDS, None));
        for bad in [
            &["--runs"][..],
            &["--runs", "0"],
            &["--runs", "many"],
            &["--seconds", "-1"],
            &["--target"],
            &["--bogus"],
        ] {
            assert!(parse_args(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn every_target_has_seeds_and_a_bin_entry() {
        let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("manifest");
        for name in targets().expect("targets") {
            assert!(
                manifest.contains(&format!(
                    "name = \"{name}\"\npath = \"fuzz_targets/{name}.rs\""
                )),
                "fuzz/Cargo.toml has no [[bin]] for {name}"
            );
            let seeds = fuzz_dir().join("seeds").join(&name);
            let count = fs::read_dir(&seeds).map_or(0, |dir| dir.count());
            assert!(count > 0, "no seeds in {}", seeds.display());
        }
    }
}
