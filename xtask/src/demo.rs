//! `cargo xtask demo`: the main job against the sandbox, offline, without credentials.

use crate::run::{cargo, step};

pub fn run(args: &[&str]) -> Result<(), String> {
    // Not `--quiet`: a first run builds for minutes, and cargo's progress shows it is working;
    // the transcript then streams line by line as each step runs.
    step(
        "demo",
        cargo().args(["run", "--package", "demo", "--"]).args(args),
    )
}
