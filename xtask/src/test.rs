//! `cargo xtask test`: everything CI checks, in the order that fails fastest.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::run::{cargo, step};

/// Optional features that no workspace crate turns on yet, so that their code is linted,
/// tested and documented too. (Not `--all-features`: `rustls` and `native-tls` exclude each
/// other in spirit, and the native-tls build has its own step.)
const EXTRA_FEATURES: &str =
    "api-core/money,fsflt/unconfirmed,fl3xx/unconfirmed,flexiti/unconfirmed";

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
    let published: Vec<String> = crate::release::publishable_crates(&crate::run::workspace_root())?
        .into_keys()
        .collect();
    steps.time("format", || {
        step("format", cargo().args(["fmt", "--all", "--", "--check"]))
    })?;
    steps.time("codegen drift", || crate::codegen::run(true))?;
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
            cargo().args([
                "clippy",
                "--package",
                "netfinity",
                "--package",
                "fsflt",
                "--package",
                "fl3xx",
                "--package",
                "flexiti",
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
    steps.time("demo", || {
        step(
            "demo",
            cargo().args(["run", "--quiet", "--package", "demo", "--locked"]),
        )
    })?;
    steps.time("bench (quick)", crate::bench::quick)?;
    steps.time("fuzz (build and smoke)", crate::fuzz::smoke)?;
    steps.time("package", || package(&published))
}

/// `cargo package` of every publishable crate, verified by building each from its tarball.
fn package(published: &[String]) -> Result<(), String> {
    forget_packaged_sources(published)?;
    let verify_dir = crate::run::workspace_root()
        .join("target")
        .join("package-verify");
    forget_packaged_builds(&verify_dir, published)?;
    let mut package = cargo();
    package.env("CARGO_TARGET_DIR", &verify_dir);
    package.args(["package", "--locked", "--allow-dirty"]);
    for name in published {
        package.args(["--package", name]);
    }
    step("package each publishable crate", &mut package)
}

/// `cargo package --workspace` resolves unpublished siblings through a temporary local
/// registry, and cargo keeps what it took from there under `$CARGO_HOME/registry/{cache,src}/
/// -<hash>/` (local registries have no host name, hence the leading '-'). Without a version
/// bump, a later run would verify against the tarballs and sources of an earlier one: remove
/// our crates' copies first.
fn forget_packaged_sources(published: &[String]) -> Result<(), String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let Some(registry) = cargo_home.map(|home| home.join("registry")) else {
        return Ok(());
    };
    for kind in ["cache", "src"] {
        let Ok(registries) = std::fs::read_dir(registry.join(kind)) else {
            continue;
        };
        for local in registries.flatten() {
            if !local.file_name().to_string_lossy().starts_with('-') {
                continue;
            }
            let Ok(entries) = std::fs::read_dir(local.path()) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let ours = published.iter().any(|krate| {
                    name.strip_prefix(krate)
                        .and_then(|rest| rest.strip_prefix('-'))
                        .is_some_and(|version| version.starts_with(|c: char| c.is_ascii_digit()))
                });
                if !ours {
                    continue;
                }
                let path = entry.path();
                let removed = if path.is_dir() {
                    std::fs::remove_dir_all(&path)
                } else {
                    std::fs::remove_file(&path)
                };
                removed.map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            }
        }
    }
    Ok(())
}

/// Cargo treats a registry crate as immutable: a verification build reuses what it compiled
/// for `api-core 0.1.0` last time even though our sources changed. The packaging check builds
/// in its own target directory, where our crates' fingerprints are removed first so that
/// exactly they are rebuilt (their dependencies stay compiled).
fn forget_packaged_builds(target: &std::path::Path, published: &[String]) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(target.join("debug").join(".fingerprint")) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = published.iter().any(|krate| {
            name.strip_prefix(krate)
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|hash| hash.bytes().all(|b| b.is_ascii_hexdigit()))
        });
        if ours {
            std::fs::remove_dir_all(entry.path())
                .map_err(|e| format!("cannot remove {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}
