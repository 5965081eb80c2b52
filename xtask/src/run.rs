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
