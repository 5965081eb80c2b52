//! Running cargo and other tools, with a visible command line and a clear failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The workspace root (xtask's parent directory).
pub fn workspace_root() -> PathBuf {
    // At run time first: `cargo run` sets it to the xtask of the tree it runs in. The path
    // baked in at build time names the tree that built the binary, which is another worktree
    // when several share one target directory (cargo counts the binary fresh for both).
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The provider crates: every `specs/<name>.yaml` whose crate `crates/<name>/` exists, so a
/// new provider needs no list edited here.
pub fn providers() -> Vec<String> {
    crate::codegen::spec_names(&workspace_root()).unwrap_or_default()
}

/// The cargo that runs xtask (so `cargo +toolchain xtask` stays on that toolchain).
pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(workspace_root());
    command
}

/// Runs `command`, printing it and how long it took; an error names the step.
pub fn step(name: &str, command: &mut Command) -> Result<(), String> {
    println!("\n==> {name}: {}", describe(command));
    let started = Instant::now();
    let status = command
        .status()
        .map_err(|e| format!("{name}: cannot start {}: {e}", describe(command)))?;
    println!("<== {name}: {:.1}s", started.elapsed().as_secs_f64());
    if status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed ({status})"))
    }
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// The target triple of this machine's `rustc` (`$RUSTC` when set).
pub fn host_triple() -> Result<String, String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .map_err(|e| format!("cannot run rustc -vV: {e}"))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
        .ok_or_else(|| "rustc -vV did not name the host".into())
}

/// `cargo metadata --format-version 1` with `args`, run in `root`, parsed.
pub fn cargo_metadata(root: &std::path::Path, args: &[&str]) -> Result<serde_json::Value, String> {
    let output = cargo()
        .current_dir(root)
        .args(["metadata", "--format-version", "1"])
        .args(args)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("cannot parse cargo metadata: {e}"))
}
