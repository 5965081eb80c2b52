//! `cargo xtask release`: plan a release, rehearse it, and publish it.
//!
//! - `release plan [--bump none|patch|minor|major]` prints each publishable crate, its version,
//!   the version it would get and the order to publish in (dependencies first).
//! - `release --dry-run [--crate NAME] [--bump ...] [--offline]` makes the release's edits in a
//!   copy of the workspace (under `target/release-dry-run/`), packages the crates there, checks
//!   what each package holds, and reports semver checks, tags and sizes. It never publishes.
//! - `release [--crate NAME] [--bump ...] --yes` makes the same edits in the workspace, runs
//!   `cargo xtask test`, commits, publishes each crate in order and tags it. Never run in tests.
//!
//! Both refuse a dirty tree. `XTASK_ALLOW_DIRTY=1` lifts that refusal for the dry run only, to
//! test the command itself; the copy then includes uncommitted and untracked (not ignored) files.

mod contents;
mod edits;
mod workspace;

pub use workspace::publishable_crates;

use crate::run::{cargo, step, workspace_root};
use edits::{Bump, bump_version, prepare, today};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use workspace::{Crate, publish_order, with_workspace_deps};

/// Parsed `release` arguments.
struct Options {
    plan: bool,
    dry_run: bool,
    yes: bool,
    offline: bool,
    krate: Option<String>,
    bump: Bump,
}

fn parse_args(args: &[&str]) -> Result<Options, String> {
    let mut options = Options {
        plan: false,
        dry_run: false,
        yes: false,
        offline: false,
        krate: None,
        bump: Bump::Patch,
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "plan" => options.plan = true,
            "--dry-run" => options.dry_run = true,
            "--yes" => options.yes = true,
            "--offline" => options.offline = true,
            "--bump" => {
                options.bump = Bump::parse(rest.next().ok_or("--bump needs a value")?)?;
            }
            "--crate" => {
                options.krate = Some(rest.next().ok_or("--crate needs a name")?.to_string());
            }
            other => return Err(format!("release: unknown argument {other:?}")),
        }
    }
    if options.dry_run && options.yes {
        return Err("--yes publishes for real; it makes no sense with --dry-run".to_string());
    }
    Ok(options)
}

pub fn run(args: &[&str]) -> Result<(), String> {
    let options = parse_args(args)?;
    let root = workspace_root();
    let crates = publishable_crates(&root)?;
    let order = publish_order(&crates)?;
    let selected = select(&crates, &order, options.krate.as_deref())?;
    if options.plan {
        return print_plan(&selected, options.bump);
    }
    if options.dry_run {
        let rehearsal = Rehearsal {
            bump: options.bump,
            offline: options.offline,
            allow_dirty: std::env::var("XTASK_ALLOW_DIRTY").as_deref() == Ok("1"),
            out: root.join("target").join("release-dry-run"),
        };
        dry_run(&root, &crates, &selected, &rehearsal).map(|_| ())
    } else {
        publish(&root, &crates, &selected, options.bump, options.yes)
    }
}

/// The crates a release covers, in publish order: with `--crate`, that crate and the
/// workspace crates it depends on (they share its new version, which is not on crates.io yet).
fn select<'a>(
    crates: &'a BTreeMap<String, Crate>,
    order: &[String],
    krate: Option<&str>,
) -> Result<Vec<&'a Crate>, String> {
    let wanted: BTreeSet<&str> = match krate {
        None => crates.keys().map(String::as_str).collect(),
        Some(name) => {
            let one = crates.get(name).ok_or_else(|| {
                format!(
                    "--crate {name}: not a publishable crate (known: {})",
                    order.join(", ")
                )
            })?;
            with_workspace_deps(crates, &[one])
        }
    };
    Ok(order
        .iter()
        .filter(|name| wanted.contains(name.as_str()))
        .map(|name| &crates[name])
        .collect())
}

fn print_plan(selected: &[&Crate], bump: Bump) -> Result<(), String> {
    println!("release plan ({} bump), in publish order:", bump.name());
    println!(
        "  {:<4} {:<15} {:<9} {:<9} workspace deps",
        "#", "crate", "current", "next"
    );
    for (index, krate) in selected.iter().enumerate() {
        let deps: Vec<&str> = krate.deps.iter().map(String::as_str).collect();
        println!(
            "  {:<4} {:<15} {:<9} {:<9} {}",
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

/// The release's version: the whole workspace shares one, so it moves from the first
/// crate's (all equal).
fn next_version(selected: &[&Crate], bump: Bump) -> Result<(String, String), String> {
    let current = selected
        .first()
        .map(|c| c.version.clone())
        .ok_or("nothing to release")?;
    let next = bump_version(&current, bump)?;
    Ok((current, next))
}

/// Each selected crate's CHANGELOG.md, relative to the workspace root.
fn changelogs(root: &Path, selected: &[&Crate]) -> Vec<(String, PathBuf)> {
    selected
        .iter()
        .map(|krate| {
            let dir = krate.dir.strip_prefix(root).unwrap_or(&krate.dir);
            (krate.name.clone(), dir.join("CHANGELOG.md"))
        })
        .collect()
}

/// How a dry run is made.
struct Rehearsal {
    bump: Bump,
    /// Keep cargo off the network (tests): packaging resolves from the local index cache and
    /// the registry is not asked about previously published versions.
    offline: bool,
    allow_dirty: bool,
    /// Where the copy (`workspace/`) and its target directory (`target/`) go.
    out: PathBuf,
}

/// One packaged crate of a dry run.
#[derive(Debug)]
struct Packaged {
    name: String,
    tag: String,
    file: PathBuf,
    size: u64,
}

fn dry_run(
    root: &Path,
    crates: &BTreeMap<String, Crate>,
    selected: &[&Crate],
    rehearsal: &Rehearsal,
) -> Result<Vec<Packaged>, String> {
    let status = git(root, &["status", "--porcelain"])?;
    if !status.trim().is_empty() {
        if !rehearsal.allow_dirty {
            return Err(format!(
                "the working tree is dirty; commit or clean it before a release dry run:\n{status}"
            ));
        }
        println!("XTASK_ALLOW_DIRTY=1: going on with a dirty tree (for testing only)");
    }
    let (current, next) = next_version(selected, rehearsal.bump)?;
    let date = today();

    let workspace = rehearsal.out.join("workspace");
    if rehearsal.out.exists() {
        std::fs::remove_dir_all(&rehearsal.out)
            .map_err(|e| format!("cannot remove {}: {e}", rehearsal.out.display()))?;
    }
    let copied = copy_tracked_files(root, &workspace, rehearsal.allow_dirty)?;
    println!(
        "copied {copied} files to {}; releasing {current} -> {next} ({} bump), dated {date}",
        workspace.display(),
        rehearsal.bump.name()
    );

    let ours: BTreeSet<String> = crates.keys().cloned().collect();
    for file in prepare(&workspace, &ours, &next, &changelogs(root, selected), &date)? {
        println!("edited {}", file.display());
    }

    for krate in selected {
        contents::check(&workspace, &krate.name, rehearsal.offline)?;
    }
    println!(
        "package contents: every crate has its README, CHANGELOG and licences, and no specs, fixtures or corpora"
    );

    // --no-verify: packaging only, no build of each .crate (keeps the dry run fast; the
    // `cargo xtask test` packaging step verifies builds). The bumped workspace crates are not
    // on crates.io: packaging them together lets cargo resolve them through its temporary
    // local registry.
    let target = rehearsal.out.join("target");
    let mut package = cargo();
    package
        .current_dir(&workspace)
        .env("CARGO_TARGET_DIR", &target)
        .args(["package", "--allow-dirty", "--no-verify"]);
    if rehearsal.offline {
        package.arg("--offline");
    }
    for krate in selected {
        package.args(["--package", &krate.name]);
    }
    step("package (no verify) in the copy", &mut package)?;

    println!();
    for krate in selected {
        semver_check(&workspace, krate, rehearsal.offline)?;
    }

    let mut packaged = Vec::new();
    for krate in selected {
        let file = target
            .join("package")
            .join(format!("{}-{next}.crate", krate.name));
        let size = std::fs::metadata(&file)
            .map_err(|e| format!("{}: {e}", file.display()))?
            .len();
        packaged.push(Packaged {
            name: krate.name.clone(),
            tag: format!("{}-v{next}", krate.name),
            file,
            size,
        });
    }
    println!("\nwould publish, in this order (cargo publish -p <crate>), and tag:");
    for p in &packaged {
        println!(
            "  {:<15} tag {:<26} {:>8.1} KiB  {}",
            p.name,
            p.tag,
            p.size as f64 / 1024.0,
            p.file.display()
        );
    }
    println!("\ndry run only: nothing was published, tagged or changed in the workspace");
    Ok(packaged)
}

/// Copies the git-tracked files of `root` into `to` (with `untracked`, also untracked files
/// that are not ignored). Returns how many.
fn copy_tracked_files(root: &Path, to: &Path, untracked: bool) -> Result<usize, String> {
    let mut list = vec!["ls-files", "-z", "--cached"];
    if untracked {
        list.extend(["--others", "--exclude-standard"]);
    }
    let files = git(root, &list)?;
    let mut copied = 0;
    for file in files.split('\0').filter(|f| !f.is_empty()) {
        let from = root.join(file);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let dest = to.join(file);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        // fs::copy follows symlinks: a crate's LICENSE link arrives as the file it points at.
        std::fs::copy(&from, &dest).map_err(|e| format!("cannot copy {file}: {e}"))?;
        copied += 1;
    }
    Ok(copied)
}

/// The newest version of `name` on crates.io, `None` when it was never published. Asked from
/// outside the workspace, where `cargo info` would describe the local package instead.
fn published_version(name: &str) -> Result<Option<String>, String> {
    let output = cargo()
        .current_dir(std::env::temp_dir())
        .args(["info", name, "--registry", "crates-io"])
        .output()
        .map_err(|e| format!("cannot run cargo info: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return if stderr.contains("could not find") {
            Ok(None)
        } else {
            Err(format!("cargo info {name} failed: {stderr}"))
        };
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    Ok(stdout
        .lines()
        .find_map(|line| line.strip_prefix("version:"))
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_string))
}

/// Runs cargo-semver-checks against the last published version where there is one, and says
/// why not where there is none.
fn semver_check(workspace: &Path, krate: &Crate, offline: bool) -> Result<(), String> {
    if offline {
        println!(
            "semver-checks {}: not checked (--offline: crates.io not asked)",
            krate.name
        );
        return Ok(());
    }
    let Some(baseline) = published_version(&krate.name)? else {
        println!(
            "semver-checks {}: no published version on crates.io, nothing to compare with",
            krate.name
        );
        return Ok(());
    };
    let installed = cargo()
        .args(["semver-checks", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        return Err(format!(
            "{} {baseline} is on crates.io but cargo-semver-checks is not installed \
             (cargo install cargo-semver-checks --locked)",
            krate.name
        ));
    }
    step(
        &format!("semver-checks {} against {baseline}", krate.name),
        cargo().current_dir(workspace).args([
            "semver-checks",
            "--package",
            &krate.name,
            "--baseline-version",
            &baseline,
        ]),
    )
}

/// The real release: edits in the workspace, the whole suite, a commit, then `cargo publish`
/// and a tag per crate, in order. Needs `--yes`; refuses a dirty tree.
fn publish(
    root: &Path,
    crates: &BTreeMap<String, Crate>,
    selected: &[&Crate],
    bump: Bump,
    yes: bool,
) -> Result<(), String> {
    let (current, next) = next_version(selected, bump)?;
    if !yes {
        print_plan(selected, bump)?;
        return Err(format!(
            "this publishes {current} -> {next} to crates.io for real; rehearse with \
             `cargo xtask release --dry-run`, then pass --yes (see docs/releasing.md)"
        ));
    }
    let status = git(root, &["status", "--porcelain"])?;
    if !status.trim().is_empty() {
        return Err(format!(
            "the working tree is dirty; a release starts from a clean commit:\n{status}"
        ));
    }
    for krate in selected {
        semver_check(root, krate, false)?;
    }
    let ours: BTreeSet<String> = crates.keys().cloned().collect();
    let mut changed = prepare(root, &ours, &next, &changelogs(root, selected), &today())?;
    step(
        "update Cargo.lock",
        cargo().args(["update", "--workspace", "--offline"]),
    )?;
    changed.push("Cargo.lock".into());
    // Everything CI checks: the loop, and the verifying `cargo package` of every crate.
    crate::test::run()?;
    crate::package::run(&[])?;
    let mut add = vec!["add", "--"];
    let paths: Vec<String> = changed.iter().map(|p| p.display().to_string()).collect();
    add.extend(paths.iter().map(String::as_str));
    git(root, &add)?;
    git(
        root,
        &["commit", "--quiet", "-m", &format!("Release {next}")],
    )?;
    for krate in selected {
        step(
            &format!("publish {}", krate.name),
            cargo().args(["publish", "--locked", "--package", &krate.name]),
        )
        .map_err(|e| {
            format!(
                "{e}\nthe crates before {} are published and tagged; fix the cause and go on \
                 with `cargo publish -p <crate>` for the rest, in `cargo xtask release plan` order",
                krate.name
            )
        })?;
        git(root, &["tag", &format!("{}-v{next}", krate.name)])?;
    }
    println!("\nreleased {next}; push the commit and tags: git push origin HEAD --tags");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_arguments() {
        let options = parse_args(&["--dry-run", "--bump", "none", "--offline"]).unwrap();
        assert!(options.dry_run && options.offline && !options.yes && !options.plan);
        assert_eq!(options.bump, Bump::None);
        assert!(parse_args(&["--dry-run", "--yes"]).is_err());
        assert!(parse_args(&["--bump"]).is_err());
        assert!(parse_args(&["--frobnicate"]).is_err());
    }

    #[test]
    fn a_single_crate_brings_its_workspace_dependencies() {
        let crates = publishable_crates(&workspace_root()).unwrap();
        let order = publish_order(&crates).unwrap();
        let names: Vec<&str> = select(&crates, &order, Some("netfinity"))
            .unwrap()
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["api-core", "api-sandbox", "netfinity"]);
        assert!(select(&crates, &order, Some("demo")).is_err());
    }

    /// The whole dry run on a temporary copy: versions bumped there and only there, each
    /// crate packaged under its new version, a tag per crate. `--offline` keeps cargo off the
    /// network (it resolves from the local index cache the workspace build filled).
    #[test]
    fn dry_run_on_a_temporary_copy() {
        let root = workspace_root();
        let crates = publishable_crates(&root).unwrap();
        let order = publish_order(&crates).unwrap();
        let selected = select(&crates, &order, None).unwrap();
        let out = std::env::temp_dir().join(format!("xtask-release-test-{}", std::process::id()));
        let rehearsal = Rehearsal {
            bump: Bump::Minor,
            offline: true,
            allow_dirty: true,
            out: out.clone(),
        };
        let manifest_before = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let result = dry_run(&root, &crates, &selected, &rehearsal);
        let copy_manifest = std::fs::read_to_string(out.join("workspace/Cargo.toml"));
        let copy_changelog =
            std::fs::read_to_string(out.join("workspace/crates/api-core/CHANGELOG.md"));
        let _ = std::fs::remove_dir_all(&out);
        let packaged = result.unwrap();

        let (current, next) = next_version(&selected, Bump::Minor).unwrap();
        assert_ne!(current, next);
        let names: Vec<&str> = packaged.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, order.iter().map(String::as_str).collect::<Vec<_>>());
        for p in &packaged {
            assert_eq!(p.tag, format!("{}-v{next}", p.name));
            assert!(p.file.ends_with(format!("{}-{next}.crate", p.name)));
            assert!(p.size > 1024, "{} packaged into {} bytes", p.name, p.size);
        }
        let copy_manifest = copy_manifest.unwrap();
        assert!(copy_manifest.contains(&format!("[workspace.package]\nversion = \"{next}\"")));
        assert!(copy_manifest.contains(&format!(
            "api-core = {{ version = \"{next}\", path = \"crates/api-core\""
        )));
        assert!(
            copy_changelog
                .unwrap()
                .contains(&format!("## Unreleased\n\n## {next} - "))
        );
        assert_eq!(
            std::fs::read_to_string(root.join("Cargo.toml")).unwrap(),
            manifest_before,
            "the dry run changed the real workspace"
        );
    }

    /// What ships in each crate, checked on the real workspace.
    #[test]
    fn every_package_holds_what_it_needs_and_no_test_data() {
        let root = workspace_root();
        for name in publishable_crates(&root).unwrap().keys() {
            contents::check(&root, name, true).unwrap();
        }
    }
}
