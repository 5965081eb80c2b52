//! `cargo xtask test`: everything CI checks, in the order that fails fastest.

use std::time::{Duration, Instant};

use crate::run::{cargo, step};

/// Optional features that no workspace crate turns on yet, so that their code is linted,
/// tested and documented too. (Not `--all-features`: `rustls` and `native-tls` exclude each
/// other in spirit, and the native-tls build has its own step.) `api-sandbox/cli` is the
/// sandbox binary's (its `required-features`): with it the build step makes the binary and
/// the tests step runs `crates/sandbox/tests/binary.rs` against it.
const EXTRA_FEATURES: &str = "api-core/money,api-core/metrics,fsflt/unconfirmed,fl3xx/unconfirmed,\
                              flexiti/unconfirmed,api-sandbox/cli";

pub fn run() -> Result<(), String> {
    let started = Instant::now();
    let mut steps = Steps::default();
    let result = run_steps(&mut steps);
    steps.print(started.elapsed());
    result?;
    println!("\nxtask test: all checks passed");
    Ok(())
}

/// The top-level steps' times, printed as a table when the run ends (passed or not).
#[derive(Default)]
struct Steps(Vec<(&'static str, Duration)>);

impl Steps {
    /// Runs `work` as the step `name`, keeping its time.
    fn time(
        &mut self,
        name: &'static str,
        work: impl FnOnce() -> Result<(), String>,
    ) -> Result<(), String> {
        let started = Instant::now();
        let result = work();
        self.0.push((name, started.elapsed()));
        result
    }

    fn print(&self, total: Duration) {
        println!("\nxtask test: step times");
        println!("| step | seconds |");
        println!("|---|---:|");
        for (name, took) in &self.0 {
            println!("| {name} | {:.1} |", took.as_secs_f64());
        }
        println!("| **total** | **{:.1}** |", total.as_secs_f64());
    }
}

fn run_steps(steps: &mut Steps) -> Result<(), String> {
    steps.time("format", || {
        step("format", cargo().args(["fmt", "--all", "--", "--check"]))
    })?;
    steps.time("codegen drift", || crate::codegen::run(true))?;
    steps.time("msrv (dependencies)", crate::msrv::run)?;
    steps.time("clippy", || {
        step(
            "clippy",
            cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--features",
                EXTRA_FEATURES,
                "--locked",
                "--",
                "-D",
                "warnings",
            ]),
        )
    })?;
    steps.time("clippy (native-tls, no optional features)", || {
        step(
            "clippy (native-tls, no optional features)",
            cargo()
                .arg("clippy")
                .args(
                    crate::run::providers()
                        .iter()
                        .flat_map(|p| ["--package", p.as_str()]),
                )
                .args([
                    "--no-default-features",
                    "--features",
                    "native-tls",
                    "--locked",
                    "--",
                    "-D",
                    "warnings",
                ]),
        )
    })?;
    // One build of every target with the tests' features: the tests, the demo and the quick
    // bench then reuse it. A `cargo run -p demo` or a bench build of its own would resolve
    // features for that package alone (tokio without the dev-dependencies' features, say)
    // and compile most of the workspace again.
    steps.time("build (every target)", || {
        step(
            "build (every target)",
            cargo().args([
                "build",
                "--workspace",
                "--lib",
                "--bins",
                "--tests",
                "--examples",
                "--features",
                EXTRA_FEATURES,
                "--locked",
                "--timings",
            ]),
        )
    })?;
    steps.time("tests", || {
        step(
            "tests",
            cargo().args([
                "test",
                "--workspace",
                "--features",
                EXTRA_FEATURES,
                "--locked",
            ]),
        )
    })?;
    steps.time("docs", || {
        step(
            "docs",
            cargo()
                .args([
                    "doc",
                    "--workspace",
                    "--no-deps",
                    "--features",
                    EXTRA_FEATURES,
                    "--locked",
                ])
                .env("RUSTDOCFLAGS", "-D warnings"),
        )
    })?;
    let binaries = crate::bench::target_dir()?.join("debug");
    steps.time("demo", || {
        step(
            "demo",
            &mut std::process::Command::new(binaries.join(exe("demo"))),
        )
    })?;
    steps.time("bench (quick)", || {
        crate::bench::quick(&binaries.join(exe("api-bench")))
    })?;
    Ok(())
}

/// A binary's file name on this platform.
fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}
