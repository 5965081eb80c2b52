//! `cargo xtask test`: everything CI checks, in the order that fails fastest.

use crate::run::{cargo, step};

/// Crates that are never published (they are skipped by the packaging check).
const UNPUBLISHED: &[&str] = &["xtask", "demo"];

pub fn run() -> Result<(), String> {
    step("format", cargo().args(["fmt", "--all", "--", "--check"]))?;
    crate::codegen::run(true)?;
    step(
        "clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step(
        "clippy (native-tls)",
        cargo().args([
            "clippy",
            "--package",
            "netfinity",
            "--no-default-features",
            "--features",
            "native-tls",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step("tests", cargo().args(["test", "--workspace", "--locked"]))?;
    step(
        "docs",
        cargo()
            .args(["doc", "--workspace", "--no-deps", "--locked"])
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
