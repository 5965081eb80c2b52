//! `cargo xtask demo`: the main job against the sandbox, offline, without credentials.

use crate::run::{cargo, step};

pub fn run(args: &[&str]) -> Result<(), String> {
    step(
        "demo",
        cargo()
            .args(["run", "--quiet", "--package", "demo", "--"])
            .args(args),
    )
}
