//! The publishable workspace crates and the order to publish them in, from `cargo metadata`.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A publishable workspace crate, as `cargo metadata` describes it.
#[derive(Debug, Clone)]
pub struct Crate {
    pub name: String,
    pub version: String,
    /// Directory holding its Cargo.toml.
    pub dir: PathBuf,
    /// Workspace crates it depends on (any kind: dev-dependencies with a version must also
    /// exist on the registry when publishing).
    pub deps: BTreeSet<String>,
}

pub fn publishable_crates(root: &Path) -> Result<BTreeMap<String, Crate>, String> {
    let metadata = crate::run::cargo_metadata(root, &["--no-deps"])?;
    crates_from_metadata(&metadata)
}

/// Reads the publishable crates out of `cargo metadata --no-deps` output. `publish` is null
/// (anywhere) or a list of registries; `publish = false` is the empty list.
fn crates_from_metadata(metadata: &Value) -> Result<BTreeMap<String, Crate>, String> {
    let packages = metadata["packages"]
        .as_array()
        .ok_or("cargo metadata: no packages")?;
    let names: BTreeSet<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
    let mut crates = BTreeMap::new();
    for package in packages {
        let publishable = match &package["publish"] {
            Value::Array(registries) => !registries.is_empty(),
            _ => true,
        };
        if !publishable {
            continue;
        }
        let name = package["name"].as_str().ok_or("package without a name")?;
        let manifest = package["manifest_path"].as_str().unwrap_or_default();
        let deps = package["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|dep| dep["path"].is_string())
            .filter_map(|dep| dep["name"].as_str())
            .filter(|dep| names.contains(dep) && *dep != name)
            .map(str::to_string)
            .collect();
        crates.insert(
            name.to_string(),
            Crate {
                name: name.to_string(),
                version: package["version"].as_str().unwrap_or_default().to_string(),
                dir: Path::new(manifest)
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default(),
                deps,
            },
        );
    }
    Ok(crates)
}

/// Dependencies first; ties broken by name (Kahn's algorithm). Dependencies on crates that are
/// not publishable are ignored here (cargo refuses to package those anyway).
pub fn publish_order(crates: &BTreeMap<String, Crate>) -> Result<Vec<String>, String> {
    let mut remaining: BTreeMap<&str, BTreeSet<&str>> = crates
        .values()
        .map(|c| {
            let deps = c
                .deps
                .iter()
                .map(String::as_str)
                .filter(|d| crates.contains_key(*d))
                .collect();
            (c.name.as_str(), deps)
        })
        .collect();
    let mut order = Vec::new();
    while !remaining.is_empty() {
        let ready = remaining
            .iter()
            .find(|(_, deps)| deps.is_empty())
            .map(|(name, _)| *name)
            .ok_or_else(|| format!("dependency cycle among {:?}", remaining.keys()))?;
        remaining.remove(ready);
        for deps in remaining.values_mut() {
            deps.remove(ready);
        }
        order.push(ready.to_string());
    }
    Ok(order)
}

/// The selected crates and, transitively, the publishable workspace crates they depend on.
pub fn with_workspace_deps<'a>(
    crates: &'a BTreeMap<String, Crate>,
    selected: &[&'a Crate],
) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&str> = selected.iter().map(|c| c.name.as_str()).collect();
    while let Some(name) = todo.pop() {
        let Some(krate) = crates.get(name) else {
            continue;
        };
        if seen.insert(krate.name.as_str()) {
            todo.extend(krate.deps.iter().map(String::as_str));
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::workspace_root;

    fn krate(name: &str, deps: &[&str]) -> (String, Crate) {
        let krate = Crate {
            name: name.to_string(),
            version: "0.1.0".to_string(),
            dir: PathBuf::new(),
            deps: deps.iter().map(|d| d.to_string()).collect(),
        };
        (name.to_string(), krate)
    }

    #[test]
    fn orders_dependencies_first() {
        let crates: BTreeMap<String, Crate> = [
            krate("netfinity", &["api-core", "api-sandbox"]),
            krate("fl3xx", &["api-core", "api-sandbox"]),
            krate("api-sandbox", &[]),
            krate("api-core", &[]),
            krate("zeta", &["fl3xx", "demo"]),
        ]
        .into();
        let order = publish_order(&crates).unwrap();
        assert_eq!(
            order,
            ["api-core", "api-sandbox", "fl3xx", "netfinity", "zeta"]
        );
        let cycle: BTreeMap<String, Crate> = [krate("a", &["b"]), krate("b", &["a"])].into();
        assert!(publish_order(&cycle).is_err());
    }

    #[test]
    fn the_real_workspace_puts_api_core_first() {
        let crates = publishable_crates(&workspace_root()).unwrap();
        let names: Vec<&str> = crates.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "api-core",
                "api-core-redis",
                "api-sandbox",
                "fl3xx",
                "flexiti",
                "fsflt",
                "netfinity"
            ]
        );
        let order = publish_order(&crates).unwrap();
        assert_eq!(order[0], "api-core");
        for provider in ["fl3xx", "flexiti", "fsflt", "netfinity"] {
            let at = order.iter().position(|n| n == provider).unwrap();
            let core = order.iter().position(|n| n == "api-core").unwrap();
            assert!(core < at, "{provider} before api-core in {order:?}");
            assert!(crates[provider].deps.contains("api-core"));
        }
    }
}
