//! `cargo xtask test`: everything CI checks, in the order that fails fastest.

use std::path::PathBuf;

use crate::run::{cargo, step};

/// Crates that are never published (they are skipped by the packaging check).
const UNPUBLISHED: &[&str] = &["xtask", "demo"];

/// Optional features that no workspace crate turns on yet, so that their code is linted,
/// tested and documented too. (Not `--all-features`: `rustls` and `native-tls` exclude each
/// other in spirit, and the native-tls build has its own step.)
const EXTRA_FEATURES: &str = "api-core/money,fsflt/unconfirmed,fl3xx/unconfirmed";

pub fn run() -> Result<(), String> {
    step("format", cargo().args(["fmt", "--all", "--", "--check"]))?;
    crate::codegen::run(true)?;
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
    )?;
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
            "--no-default-features",
            "--features",
            "native-tls",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step(
        "tests",
        cargo().args([
            "test",
            "--workspace",
            "--features",
            EXTRA_FEATURES,
            "--locked",
        ]),
    )?;
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
    )?;
    step(
        "demo",
        cargo().args(["run", "--quiet", "--package", "demo", "--locked"]),
    )?;
    forget_packaged_sources()?;
    let mut package = cargo();
    package.args(["package", "--workspace", "--locked", "--allow-dirty"]);
    for name in UNPUBLISHED {
        package.args(["--exclude", name]);
    }
    step("package each publishable crate", &mut package)?;
    println!("\nxtask test: all checks passed");
    Ok(())
}

/// The crates `cargo package` verifies against each other.
const PUBLISHED: &[&str] = &["api-core", "api-sandbox", "fl3xx", "fsflt", "netfinity"];

/// `cargo package --workspace` resolves unpublished siblings through a temporary local
/// registry, and cargo extracts each `name-version` from it once, under
/// `$CARGO_HOME/registry/src/-<hash>/`. Without a version bump, a later run would verify
/// against the sources extracted by an earlier one: remove our crates' copies first.
fn forget_packaged_sources() -> Result<(), String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let Some(sources) = cargo_home.map(|home| home.join("registry").join("src")) else {
        return Ok(());
    };
    let Ok(registries) = std::fs::read_dir(&sources) else {
        return Ok(());
    };
    for registry in registries.flatten() {
        // Local (temporary) registries have no host name: their directory starts with '-'.
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        let Ok(crates) = std::fs::read_dir(registry.path()) else {
            continue;
        };
        for extracted in crates.flatten() {
            let name = extracted.file_name().to_string_lossy().into_owned();
            let ours = PUBLISHED.iter().any(|krate| {
                name.strip_prefix(krate)
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|version| version.starts_with(|c: char| c.is_ascii_digit()))
            });
            if ours {
                std::fs::remove_dir_all(extracted.path())
                    .map_err(|e| format!("cannot remove {}: {e}", extracted.path().display()))?;
            }
        }
    }
    Ok(())
}
