//! `cargo xtask test`: everything CI checks, in the order that fails fastest.

use crate::run::{cargo, step};

/// Crates that are never published (they are skipped by the packaging check).
const UNPUBLISHED: &[&str] = &["xtask", "demo"];

/// Optional features that no workspace crate turns on yet, so that their code is linted,
/// tested and documented too. (Not `--all-features`: `rustls` and `native-tls` exclude each
/// other in spirit, and the native-tls build has its own step.)
const EXTRA_FEATURES: &str = "api-core/money,fsflt/unconfirmed";

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
    let mut package = cargo();
    package.args(["package", "--workspace", "--locked", "--allow-dirty"]);
    for name in UNPUBLISHED {
        package.args(["--exclude", name]);
    }
    step("package each publishable crate", &mut package)?;
    println!("\nxtask test: all checks passed");
    Ok(())
}
