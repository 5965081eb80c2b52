//! `cargo xtask release`: plan a release and rehearse it (dry run). Never publishes.
//!
//! - `release plan [--bump patch|minor|major]` prints each publishable crate, its version, the
//!   version it would get and the order to publish in (dependencies first).
//! - `release --dry-run [--crate NAME] [--bump ...]` bumps versions and moves CHANGELOG
//!   sections in a temporary copy of the workspace (under `target/release-dry-run/`), then
//!   packages the publishable crates there with `cargo package --no-verify`.
//!
//! The dry run refuses a dirty tree. `XTASK_ALLOW_DIRTY=1` lifts that refusal, for testing
//! this command only; the copy then includes uncommitted and untracked (not ignored) files.

use crate::run::{cargo, step, workspace_root};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bump {
    Patch,
    Minor,
    Major,
}

impl Bump {
    fn name(self) -> &'static str {
        match self {
            Self::Patch => "patch",
            Self::Minor => "minor",
            Self::Major => "major",
        }
    }

    fn parse(text: &str) -> Result<Self, String> {
        match text {
            "patch" => Ok(Self::Patch),
            "minor" => Ok(Self::Minor),
            "major" => Ok(Self::Major),
            other => Err(format!("--bump takes patch, minor or major, not {other:?}")),
        }
    }
}

/// Parsed `release` arguments.
struct Options {
    plan: bool,
    dry_run: bool,
    krate: Option<String>,
    bump: Bump,
}

fn parse_args(args: &[&str]) -> Result<Options, String> {
    let mut options = Options {
        plan: false,
        dry_run: false,
        krate: None,
        bump: Bump::Patch,
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "plan" => options.plan = true,
            "--dry-run" => options.dry_run = true,
            "--bump" => {
                options.bump = Bump::parse(rest.next().ok_or("--bump needs a value")?)?;
            }
            "--crate" => {
                options.krate = Some(rest.next().ok_or("--crate needs a name")?.to_string());
            }
            other => return Err(format!("release: unknown argument {other:?}")),
        }
    }
    Ok(options)
}

pub fn run(args: &[&str]) -> Result<(), String> {
    let options = parse_args(args)?;
    let crates = publishable_crates(&workspace_root())?;
    let order = publish_order(&crates)?;
    let selected: Vec<&Crate> = match &options.krate {
        None => order.iter().map(|name| &crates[name]).collect(),
        Some(name) => vec![crates.get(name).ok_or_else(|| {
            format!(
                "--crate {name}: not a publishable crate (known: {})",
                order.join(", ")
            )
        })?],
    };
    if options.plan {
        print_plan(&selected, options.bump)?;
        return Ok(());
    }
    if !options.dry_run {
        return Err(
            "publishing for real is not done by this tool in this environment; \
             use `cargo xtask release plan` or `cargo xtask release --dry-run`, \
             then follow docs/releasing.md"
                .to_string(),
        );
    }
    dry_run(&crates, &selected, options.bump)
}

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

fn publishable_crates(root: &Path) -> Result<BTreeMap<String, Crate>, String> {
    let output = cargo()
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cannot parse cargo metadata: {e}"))?;
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
fn with_workspace_deps<'a>(
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

/// `major.minor.patch` bumped; pre-release and build suffixes are refused.
pub fn bump_version(version: &str, bump: Bump) -> Result<String, String> {
    let parts: Vec<u64> = version
        .split('.')
        .map(|part| part.parse::<u64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("cannot bump {version:?}: expected major.minor.patch"))?;
    let [major, minor, patch] = parts[..] else {
        return Err(format!(
            "cannot bump {version:?}: expected major.minor.patch"
        ));
    };
    Ok(match bump {
        Bump::Patch => format!("{major}.{minor}.{}", patch + 1),
        Bump::Minor => format!("{major}.{}.0", minor + 1),
        Bump::Major => format!("{}.0.0", major + 1),
    })
}

fn print_plan(selected: &[&Crate], bump: Bump) -> Result<(), String> {
    println!("release plan ({} bump), in publish order:", bump.name());
    println!(
        "  {:<4} {:<12} {:<9} {:<9} workspace deps",
        "#", "crate", "current", "next"
    );
    for (index, krate) in selected.iter().enumerate() {
        let deps: Vec<&str> = krate.deps.iter().map(String::as_str).collect();
        println!(
            "  {:<4} {:<12} {:<9} {:<9} {}",
            index + 1,
            krate.name,
            krate.version,
            bump_version(&krate.version, bump)?,
            if deps.is_empty() {
                "-".to_string()
            } else {
                deps.join(", ")
            }
        );
    }
    Ok(())
}

/// Rewrites the root manifest: `version` in `[workspace.package]` becomes `new`, and so does
/// `version = "..."` on the `[workspace.dependencies]` lines of the crates in `ours`. Other
/// text is kept byte for byte.
pub fn rewrite_root_manifest(text: &str, ours: &BTreeSet<String>, new: &str) -> String {
    let mut section = "";
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            section = if trimmed.starts_with("[workspace.package]") {
                "package"
            } else if trimmed.starts_with("[workspace.dependencies]") {
                "dependencies"
            } else {
                ""
            };
            out.push_str(line);
            continue;
        }
        let key = trimmed
            .split(['=', ' '])
            .next()
            .unwrap_or_default()
            .trim_matches('"');
        let rewrite = match section {
            "package" => key == "version",
            "dependencies" => ours.contains(key),
            _ => false,
        };
        out.push_str(&if rewrite {
            replace_version(line, new)
        } else {
            line.to_string()
        });
    }
    out
}

/// Replaces the quoted value after the first `version = ` in `line` (for the
/// `[workspace.package]` line, the whole `version = "..."` value).
fn replace_version(line: &str, new: &str) -> String {
    let Some(at) = line.find("version") else {
        return line.to_string();
    };
    let after = &line[at + "version".len()..];
    let Some(open) = after.find('"') else {
        return line.to_string();
    };
    if !after[..open].trim().eq("=") {
        return line.to_string();
    }
    let value = &after[open + 1..];
    let Some(close) = value.find('"') else {
        return line.to_string();
    };
    let start = at + "version".len() + open + 1;
    format!("{}{new}{}", &line[..start], &line[start + close..])
}

/// Moves the body of `## Unreleased` under `## <version> - <date>`, leaving an empty
/// `## Unreleased` above it. Fails when there is no such section or it is empty.
pub fn move_unreleased(changelog: &str, version: &str, date: &str) -> Result<String, String> {
    let lines: Vec<&str> = changelog.split_inclusive('\n').collect();
    let start = lines
        .iter()
        .position(|line| line.trim_end() == "## Unreleased")
        .ok_or("no \"## Unreleased\" section")?;
    let end = lines[start + 1..]
        .iter()
        .position(|line| line.starts_with("## "))
        .map_or(lines.len(), |offset| start + 1 + offset);
    let body: String = lines[start + 1..end].concat();
    if body.trim().is_empty() {
        return Err("the \"## Unreleased\" section is empty".to_string());
    }
    let mut out: String = lines[..start].concat();
    out.push_str("## Unreleased\n\n");
    out.push_str(&format!("## {version} - {date}\n"));
    out.push_str(&body);
    out.push_str(&lines[end..].concat());
    Ok(out)
}

/// Today in UTC as YYYY-MM-DD (civil-from-days, so no date crate is needed).
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// Days since 1970-01-01 to YYYY-MM-DD (Howard Hinnant's algorithm).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .current_dir(root)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git {args:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("git {args:?}: {e}"))
}

fn dry_run(
    crates: &BTreeMap<String, Crate>,
    selected: &[&Crate],
    bump: Bump,
) -> Result<(), String> {
    let root = workspace_root();
    let allow_dirty = std::env::var("XTASK_ALLOW_DIRTY").as_deref() == Ok("1");
    let status = git(&root, &["status", "--porcelain"])?;
    if !status.trim().is_empty() {
        if !allow_dirty {
            return Err(format!(
                "the working tree is dirty; commit or clean it before a release dry run:\n{status}"
            ));
        }
        println!("XTASK_ALLOW_DIRTY=1: going on with a dirty tree (for testing only)");
    }

    // The whole workspace shares one version: bump from the workspace's.
    let current = selected
        .first()
        .map(|c| c.version.clone())
        .ok_or("nothing to release")?;
    let next = bump_version(&current, bump)?;
    let date = today();

    let copy = root.join("target").join("release-dry-run");
    let workspace = copy.join("workspace");
    if copy.exists() {
        std::fs::remove_dir_all(&copy)
            .map_err(|e| format!("cannot remove {}: {e}", copy.display()))?;
    }
    // Tracked files; with XTASK_ALLOW_DIRTY also untracked, not ignored ones.
    let mut list = vec!["ls-files", "-z", "--cached"];
    if allow_dirty {
        list.extend(["--others", "--exclude-standard"]);
    }
    let files = git(&root, &list)?;
    let mut copied = 0;
    for file in files.split('\0').filter(|f| !f.is_empty()) {
        let from = root.join(file);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let to = workspace.join(file);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::copy(&from, &to).map_err(|e| format!("cannot copy {file}: {e}"))?;
        copied += 1;
    }
    println!(
        "copied {copied} files to {}; releasing {current} -> {next} ({} bump), dated {date}",
        workspace.display(),
        bump.name()
    );

    let manifest = workspace.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| format!("Cargo.toml: {e}"))?;
    let ours: BTreeSet<String> = crates.keys().cloned().collect();
    std::fs::write(&manifest, rewrite_root_manifest(&text, &ours, &next))
        .map_err(|e| format!("cannot write {}: {e}", manifest.display()))?;
    println!("bumped [workspace.package] version and the workspace crates' requirements");

    for krate in selected {
        let relative = krate.dir.strip_prefix(&root).unwrap_or(&krate.dir);
        let path = workspace.join(relative).join("CHANGELOG.md");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: {e} (every published crate needs one)", path.display()))?;
        let moved =
            move_unreleased(&text, &next, &date).map_err(|e| format!("{}: {e}", krate.name))?;
        std::fs::write(&path, moved).map_err(|e| format!("{}: {e}", path.display()))?;
        println!(
            "{}: CHANGELOG \"## Unreleased\" -> \"## {next} - {date}\"",
            krate.name
        );
    }

    // --no-verify: packaging only, no build of each .crate (keeps the dry run fast; the
    // `cargo xtask test` packaging step verifies builds).
    let target = copy.join("target");
    let mut package = cargo();
    package
        .current_dir(&workspace)
        .env("CARGO_TARGET_DIR", &target)
        .args(["package", "--allow-dirty", "--no-verify"]);
    if selected.len() == crates.len() {
        package.args(["--workspace", "--exclude", "xtask", "--exclude", "demo"]);
    } else {
        // The bumped workspace dependencies do not exist on crates.io: package them alongside,
        // so cargo resolves them through its temporary local registry.
        for name in with_workspace_deps(crates, selected) {
            package.args(["--package", name]);
        }
    }
    step("package (no verify) in the copy", &mut package)?;

    println!(
        "\ncargo-semver-checks: skipped, there is no previous published version of these \
         crates on crates.io to compare against"
    );
    println!("\nwould publish, in this order (cargo publish -p <crate>), and tag:");
    for krate in selected {
        let file = target
            .join("package")
            .join(format!("{}-{next}.crate", krate.name));
        let size = std::fs::metadata(&file)
            .map_err(|e| format!("{}: {e}", file.display()))?
            .len();
        println!(
            "  {:<12} tag {:<22} {:>8.1} KiB  {}",
            krate.name,
            format!("{}-v{next}", krate.name),
            size as f64 / 1024.0,
            file.display()
        );
    }
    println!("\ndry run only: nothing was published, tagged or changed in the workspace");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_versions() {
        assert_eq!(bump_version("0.1.0", Bump::Patch).unwrap(), "0.1.1");
        assert_eq!(bump_version("0.1.7", Bump::Minor).unwrap(), "0.2.0");
        assert_eq!(bump_version("0.3.2", Bump::Major).unwrap(), "1.0.0");
        assert_eq!(bump_version("1.9.9", Bump::Patch).unwrap(), "1.9.10");
        assert!(bump_version("0.1", Bump::Patch).is_err());
        assert!(bump_version("0.1.0-rc.1", Bump::Patch).is_err());
    }

    #[test]
    fn rewrites_the_root_manifest_exactly() {
        let input = r#"[workspace]
members = ["crates/*"]

[workspace.package]
version = "0.1.0"
edition = "2024"

[workspace.dependencies]
# Workspace crates.
api-core = { version = "0.1.0", path = "crates/api-core", default-features = false }
api-sandbox = { version = "0.1.0", path = "crates/sandbox" }
serde = { version = "1", features = ["derive"] }
url = "2"

[profile.dev]
version = "untouched"
"#;
        let expected = r#"[workspace]
members = ["crates/*"]

[workspace.package]
version = "0.2.0"
edition = "2024"

[workspace.dependencies]
# Workspace crates.
api-core = { version = "0.2.0", path = "crates/api-core", default-features = false }
api-sandbox = { version = "0.2.0", path = "crates/sandbox" }
serde = { version = "1", features = ["derive"] }
url = "2"

[profile.dev]
version = "untouched"
"#;
        let ours = ["api-core", "api-sandbox"].map(String::from).into();
        assert_eq!(rewrite_root_manifest(input, &ours, "0.2.0"), expected);
    }

    #[test]
    fn moves_the_unreleased_section() {
        let input = "# Changelog\n\n## Unreleased\n\n- First thing.\n- Second.\n\n## 0.1.0 - 2025-01-01\n\n- Old.\n";
        let expected = "# Changelog\n\n## Unreleased\n\n## 0.1.1 - 2025-06-30\n\n- First thing.\n- Second.\n\n## 0.1.0 - 2025-01-01\n\n- Old.\n";
        assert_eq!(
            move_unreleased(input, "0.1.1", "2025-06-30").unwrap(),
            expected
        );
        let last = "# Changelog\n\n## Unreleased\n\n- Only.\n";
        assert_eq!(
            move_unreleased(last, "0.1.1", "2025-06-30").unwrap(),
            "# Changelog\n\n## Unreleased\n\n## 0.1.1 - 2025-06-30\n\n- Only.\n"
        );
        assert!(move_unreleased("# Changelog\n\n## Unreleased\n\n", "0.1.1", "x").is_err());
        assert!(move_unreleased("# Changelog\n", "0.1.1", "x").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(19_723), "2024-01-01");
        assert_eq!(civil_date(19_782), "2024-02-29");
    }

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
