//! The peer clients: progenitor's CLI (installed once under `<target>/bench/peer-tools/`),
//! each provider's client generated from the peer's copy of its spec into
//! `<target>/bench/peer/<provider>/`, and the runner (`peer-bench`) that measures them, all
//! in a small workspace of their own there. Nothing here is committed: it is made anew on
//! every `cargo xtask bench --peer`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run::{cargo, workspace_root};

/// The generator and the version the figures are for.
pub const GENERATOR: &str = "cargo-progenitor";
/// See [`GENERATOR`].
pub const VERSION: &str = "0.15.1";

/// The runner's source (not a module of xtask: it is written out and built here).
const RUNNER: &str = include_str!("runner.rs");

/// What became of one provider.
pub enum Outcome {
    /// Generated, and its crate builds.
    Built {
        /// What the peer's copy of the spec changed (see `copy.rs`).
        changes: Vec<String>,
    },
    /// The generator refused the spec, or its output does not build: why.
    Refused(String),
}

/// The generator's binary, installed under `<target>/bench/peer-tools/<version>/` the first
/// time (a few minutes: it is built from crates.io with its own lock file).
pub fn tool(target: &Path) -> Result<PathBuf, String> {
    let root = target.join("bench").join("peer-tools").join(VERSION);
    let exe = root.join("bin").join(GENERATOR);
    if exe.exists() {
        return Ok(exe);
    }
    let mut install = cargo();
    install
        .args([
            "install",
            GENERATOR,
            "--version",
            VERSION,
            "--locked",
            "--root",
        ])
        .arg(&root)
        .arg("--target-dir")
        .arg(root.join("build"));
    crate::run::step(&format!("install {GENERATOR} {VERSION}"), &mut install)?;
    if exe.exists() {
        Ok(exe)
    } else {
        Err(format!("{} is missing after the install", exe.display()))
    }
}

/// Generates `provider`'s client into `peer/<provider>/` from the copy of its spec, and
/// builds it (release). `Err` is a failure of the bench itself.
pub fn client(tool: &Path, peer: &Path, provider: &str) -> Result<Outcome, String> {
    let text = std::fs::read_to_string(
        workspace_root()
            .join("specs")
            .join(format!("{provider}.yaml")),
    )
    .map_err(|e| format!("specs/{provider}.yaml: {e}"))?;
    let yaml: serde_norway::Value =
        serde_norway::from_str(&text).map_err(|e| format!("specs/{provider}.yaml: {e}"))?;
    let mut spec = serde_json::to_value(yaml).map_err(|e| format!("specs/{provider}.yaml: {e}"))?;
    let changes = super::copy::peer_copy(&mut spec)?;
    let specs = peer.join("specs");
    std::fs::create_dir_all(&specs).map_err(|e| format!("{}: {e}", specs.display()))?;
    let copy = specs.join(format!("{provider}.json"));
    let json = serde_json::to_string_pretty(&spec).map_err(|e| e.to_string())?;
    write(&copy, &json)?;
    let out = peer.join(provider);
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    println!("  peer: {GENERATOR} {VERSION} on specs/{provider}.yaml …");
    let output = Command::new(tool)
        .arg("progenitor")
        .arg("--input")
        .arg(&copy)
        .arg("--output")
        .arg(&out)
        .args(["--name", &format!("peer-{provider}"), "--version", "0.0.0"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", tool.display()))?;
    let log = peer.join(format!("{provider}-generate.log"));
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    write(&log, &text)?;
    if !output.status.success() {
        return Ok(Outcome::Refused(format!(
            "{GENERATOR} refused the spec: {} (log: {})",
            refusal(&text),
            log.display()
        )));
    }
    Ok(Outcome::Built { changes })
}

/// The line that says why a generation failed: a panic's message, or progenitor's own.
fn refusal(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.contains("panicked at") {
            let at = line
                .split("panicked at ")
                .nth(1)
                .unwrap_or("")
                .trim_end_matches(':');
            let message = lines.get(i + 1).copied().unwrap_or("").trim();
            return format!("panic at {at}: {message}");
        }
        if let Some(rest) = line.strip_prefix("gen fail: ") {
            return rest.chars().take(300).collect();
        }
    }
    lines
        .last()
        .map_or_else(|| "no output".to_owned(), |l| (*l).to_owned())
}

/// The peer workspace's manifest, the runner's, and its source; the workspace's `Cargo.lock`
/// is copied in so that the crates both sides build are the very same versions.
pub fn workspace(peer: &Path, providers: &[&str]) -> Result<(), String> {
    let mut members: Vec<String> = providers.iter().map(|p| format!("\"{p}\"")).collect();
    members.push("\"runner\"".into());
    write(
        &peer.join("Cargo.toml"),
        &format!(
            "# Made by `cargo xtask bench --peer`; not part of the api-clients workspace.\n\
             [workspace]\nresolver = \"3\"\nmembers = [{}]\n\n\
             # The api-clients workspace's profiles.\n\
             [profile.dev]\ndebug = \"line-tables-only\"\nincremental = false\n\n\
             [profile.dev.package.\"*\"]\ndebug = false\n",
            members.join(", ")
        ),
    )?;
    let runner = peer.join("runner");
    std::fs::create_dir_all(runner.join("src"))
        .map_err(|e| format!("{}: {e}", runner.display()))?;
    let mut features = String::new();
    let mut dependencies = String::new();
    for provider in ["netfinity", "fsflt", "fl3xx", "flexiti"] {
        if providers.contains(&provider) {
            features.push_str(&format!("{provider} = [\"dep:peer-{provider}\"]\n"));
            dependencies.push_str(&format!(
                "peer-{provider} = {{ path = \"../{provider}\", optional = true }}\n"
            ));
        } else {
            features.push_str(&format!("{provider} = []\n"));
        }
    }
    write(
        &runner.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"peer-runner\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [[bin]]\nname = \"peer-bench\"\npath = \"src/main.rs\"\n\n\
             [features]\ndefault = [{}]\n{features}\n\
             [dependencies]\n{dependencies}\
             # As api-bench builds them (reqwest with rustls on ring, no HTTP/2).\n\
             reqwest = {{ version = \"0.13\", default-features = false, features = [\"json\", \"rustls-no-provider\"] }}\n\
             rustls = {{ version = \"0.23\", default-features = false, features = [\"ring\", \"std\", \"tls12\"] }}\n\
             tokio = {{ version = \"1.40\", default-features = false, features = [\"rt\", \"time\", \"sync\"] }}\n\
             serde_json = \"1\"\n",
            providers
                .iter()
                .map(|p| format!("\"{p}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )?;
    let source = RUNNER.replace("@VERSION@", env!("CARGO_PKG_VERSION"));
    write(&runner.join("src").join("main.rs"), &source)?;
    let lock = peer.join("Cargo.lock");
    std::fs::copy(workspace_root().join("Cargo.lock"), &lock)
        .map_err(|e| format!("cannot copy Cargo.lock to {}: {e}", lock.display()))?;
    Ok(())
}

/// Builds one generated crate (release, in the peer workspace); `Some(why)` when it fails.
pub fn builds(peer: &Path, provider: &str) -> Result<Option<String>, String> {
    let output = peer_cargo(peer)
        .args([
            "build",
            "--release",
            "--package",
            &format!("peer-{provider}"),
        ])
        .output()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    if output.status.success() {
        return Ok(None);
    }
    let log = peer.join(format!("{provider}-build.log"));
    let text = String::from_utf8_lossy(&output.stderr).into_owned();
    write(&log, &text)?;
    let first = text
        .lines()
        .find(|l| l.starts_with("error"))
        .unwrap_or("the build failed");
    let at = text
        .lines()
        .find(|l| l.trim_start().starts_with("-->"))
        .map(|l| format!(" at {}", l.trim_start().trim_start_matches("--> ")))
        .unwrap_or_default();
    Ok(Some(format!(
        "its output does not compile: {first}{at} (log: {})",
        log.display()
    )))
}

/// Builds the runner (release) with the providers that built; answers its path.
pub fn runner(peer: &Path) -> Result<PathBuf, String> {
    crate::run::step(
        "build the peer runner",
        peer_cargo(peer).args(["build", "--release", "--package", "peer-runner"]),
    )?;
    Ok(peer.join("target").join("release").join("peer-bench"))
}

/// Cargo in the peer workspace, with a target directory of its own.
pub fn peer_cargo(peer: &Path) -> Command {
    let mut command = cargo();
    command
        .current_dir(peer)
        .env("CARGO_TARGET_DIR", peer.join("target"));
    command
}

pub fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_of_a_refusal_is_found_in_the_log() {
        let panic = "-----\nthread 'main' (24108) panicked at /x/progenitor-impl-0.15.1/src/method.rs:1220:9:\nassertion failed: response_types.len() <= 1\nstack backtrace:\n";
        assert_eq!(
            refusal(panic),
            "panic at /x/progenitor-impl-0.15.1/src/method.rs:1220:9: assertion failed: response_types.len() <= 1"
        );
        assert_eq!(
            refusal("x\ngen fail: UnexpectedFormat(\"y\")\n"),
            "UnexpectedFormat(\"y\")"
        );
        assert_eq!(refusal(""), "no output");
    }
}
