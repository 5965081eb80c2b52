//! The MSRV check `cargo xtask test` can make with the one toolchain this project's machines
//! have (no other can be installed on them, so `.ci/run` cannot build on Rust 1.88 itself):
//!
//! - the standard library: clippy's `incompatible_msrv` lint, on by default and denied with
//!   the rest by the clippy step, refuses any API stabilized after the workspace's
//!   `rust-version` (checked here: nothing in the workspace allows it);
//! - the dependencies: every package a publishable crate builds (normal and build
//!   dependencies, with every feature) must declare a `rust-version` no newer than ours.
//!   A dependency that declares none is listed, not failed: most small crates declare none.
//!
//! What it cannot see is a language feature stabilized after the MSRV; docs/contributing.md
//! says so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::run::workspace_root;

pub fn run() -> Result<(), String> {
    let root = workspace_root();
    let msrv = workspace_msrv(&root)?;
    no_lint_override(&root)?;
    let metadata = metadata(&root)?;
    let (newer, undeclared) = check_dependencies(&metadata, &msrv)?;
    if !undeclared.is_empty() {
        println!(
            "msrv: {} dependencies declare no rust-version: {}",
            undeclared.len(),
            undeclared.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    if !newer.is_empty() {
        return Err(format!(
            "these dependencies of the publishable crates need a Rust newer than the MSRV {}: {}",
            show(&msrv),
            newer.join(", ")
        ));
    }
    println!(
        "msrv: every dependency that declares a rust-version fits {}; clippy's incompatible_msrv \
         checks the standard library",
        show(&msrv)
    );
    Ok(())
}

/// `[workspace.package] rust-version`, as numbers.
fn workspace_msrv(root: &Path) -> Result<Vec<u64>, String> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))
        .map_err(|e| format!("cannot read Cargo.toml: {e}"))?;
    manifest
        .lines()
        .find_map(|line| line.trim().strip_prefix("rust-version"))
        .and_then(|rest| rest.split('"').nth(1))
        .and_then(version)
        .ok_or_else(|| "Cargo.toml names no rust-version".to_owned())
}

/// The lint is only useful while nothing turns it off.
fn no_lint_override(root: &Path) -> Result<(), String> {
    let mut found = Vec::new();
    for dir in ["crates", "xtask"] {
        visit(&root.join(dir), &mut |path, text| {
            // `#[allow(clippy::incompatible_msrv)]`, `expect(…)`, or `incompatible_msrv =
            // "allow"` in a `[lints]` table.
            let overrides = text.lines().any(|line| {
                line.contains("incompatible_msrv")
                    && ["allow", "expect"].iter().any(|word| line.contains(word))
            });
            if overrides {
                found.push(path.display().to_string());
            }
        })?;
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "clippy::incompatible_msrv is mentioned (allowed?) in: {}",
            found.join(", ")
        ))
    }
}

fn visit(dir: &Path, f: &mut impl FnMut(&Path, &str)) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "target" && name != "generated" {
                visit(&path, f)?;
            }
        } else if path.extension().is_some_and(|e| e == "rs" || e == "toml")
            && !path.ends_with("xtask/src/msrv.rs")
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            f(&path, &text);
        }
    }
    Ok(())
}

/// The resolved graph with every feature, for this machine's platform (the others' packages
/// may not be downloaded, and `--offline` keeps the check off the network).
fn metadata(root: &Path) -> Result<Value, String> {
    let host = crate::run::host_triple()?;
    crate::run::cargo_metadata(
        root,
        &[
            "--all-features",
            "--locked",
            "--offline",
            "--filter-platform",
            &host,
        ],
    )
}

/// The dependencies (by `name@version`) whose `rust-version` is newer than `msrv`, and those
/// that declare none, among what the publishable workspace crates build.
fn check_dependencies(
    metadata: &Value,
    msrv: &[u64],
) -> Result<(Vec<String>, BTreeSet<String>), String> {
    let packages: BTreeMap<&str, &Value> = metadata["packages"]
        .as_array()
        .ok_or("cargo metadata: no packages")?
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?, p)))
        .collect();
    let members: BTreeSet<&str> = metadata["workspace_members"]
        .as_array()
        .ok_or("cargo metadata: no workspace members")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let publishable = |id: &str| {
        packages.get(id).is_some_and(|p| match &p["publish"] {
            Value::Array(registries) => !registries.is_empty(),
            _ => true,
        })
    };
    let nodes: BTreeMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .ok_or("cargo metadata: no resolve graph")?
        .iter()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let mut stack: Vec<&str> = members
        .iter()
        .copied()
        .filter(|id| publishable(id))
        .collect();
    let mut seen: BTreeSet<&str> = stack.iter().copied().collect();
    while let Some(id) = stack.pop() {
        let Some(node) = nodes.get(id) else { continue };
        for dep in node["deps"].as_array().into_iter().flatten() {
            // Normal (`kind` null) and build dependencies: what a user's build compiles.
            let built = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].is_null() || k["kind"] == "build");
            if let Some(dep_id) = dep["pkg"].as_str()
                && built
                && seen.insert(dep_id)
            {
                stack.push(dep_id);
            }
        }
    }
    let mut newer = Vec::new();
    let mut undeclared = BTreeSet::new();
    for id in seen {
        if members.contains(id) {
            continue;
        }
        let Some(package) = packages.get(id) else {
            continue;
        };
        let name = format!(
            "{}@{}",
            package["name"].as_str().unwrap_or("?"),
            package["version"].as_str().unwrap_or("?")
        );
        match package["rust_version"].as_str().and_then(version) {
            Some(needed) if newer_than(&needed, msrv) => {
                newer.push(format!("{name} (rust-version {})", show(&needed)));
            }
            Some(_) => {}
            None => {
                undeclared.insert(name);
            }
        }
    }
    Ok((newer, undeclared))
}

/// `1.88` or `1.88.0` as numbers.
fn version(text: &str) -> Option<Vec<u64>> {
    text.split('.').map(|part| part.parse().ok()).collect()
}

fn newer_than(needed: &[u64], msrv: &[u64]) -> bool {
    let padded = |v: &[u64]| [0, 1, 2].map(|i| v.get(i).copied().unwrap_or(0));
    padded(needed) > padded(msrv)
}

fn show(version: &[u64]) -> String {
    version
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_number_with_missing_parts_as_zero() {
        let msrv = version("1.88").expect("msrv");
        assert!(!newer_than(&version("1.88.0").expect("v"), &msrv));
        assert!(!newer_than(&version("1.63").expect("v"), &msrv));
        assert!(newer_than(&version("1.88.1").expect("v"), &msrv));
        assert!(newer_than(&version("1.89").expect("v"), &msrv));
        assert!(
            !newer_than(&version("1.9").expect("v"), &msrv),
            "1.9 < 1.88"
        );
        assert_eq!(version("1.x"), None);
    }

    #[test]
    fn a_dependency_newer_than_the_msrv_is_named_and_dev_dependencies_are_not_followed() {
        let metadata = serde_json::json!({
            "workspace_members": ["core"],
            "packages": [
                {"id": "core", "name": "core", "version": "0.1.0", "publish": null, "rust_version": "1.88"},
                {"id": "old", "name": "old", "version": "1.0.0", "rust_version": "1.60"},
                {"id": "new", "name": "new", "version": "2.0.0", "rust_version": "1.90"},
                {"id": "bare", "name": "bare", "version": "0.3.0", "rust_version": null},
                {"id": "testy", "name": "testy", "version": "9.0.0", "rust_version": "1.99"},
            ],
            "resolve": {"nodes": [
                {"id": "core", "deps": [
                    {"pkg": "old", "dep_kinds": [{"kind": null}]},
                    {"pkg": "bare", "dep_kinds": [{"kind": "build"}]},
                    {"pkg": "testy", "dep_kinds": [{"kind": "dev"}]},
                ]},
                {"id": "old", "deps": [{"pkg": "new", "dep_kinds": [{"kind": null}]}]},
                {"id": "new", "deps": []},
                {"id": "bare", "deps": []},
            ]},
        });
        let (newer, undeclared) =
            check_dependencies(&metadata, &version("1.88").expect("msrv")).expect("checked");
        assert_eq!(newer, ["new@2.0.0 (rust-version 1.90)"]);
        assert_eq!(undeclared.into_iter().collect::<Vec<_>>(), ["bare@0.3.0"]);
    }
}
