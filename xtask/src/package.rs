//! `cargo xtask package`: `cargo package` of every publishable crate, each verified by a build
//! from its own tarball, without touching the user's cargo home and without the network.
//!
//! `cargo package` of several workspace crates resolves the unpublished siblings through a
//! temporary local registry, and cargo keeps what it took from there under
//! `$CARGO_HOME/registry/{cache,src}/-<hash>/`. Without a version bump, a later run would
//! verify against the tarballs and sources of an earlier one. So the step runs with a cargo
//! home of its own, `target/package-home/`, made anew each run: it links the user's registry
//! index, downloaded crates and unpacked sources (so nothing is fetched again, and the step
//! runs `--offline`) and their configuration, and keeps the local registry's copies of our
//! crates to itself.
//!
//! Verification builds in `target/package-verify/`, where cargo treats our crates as registry
//! crates, which never change: their fingerprints are removed first, so exactly they are
//! rebuilt (their dependencies stay compiled).

use std::path::{Path, PathBuf};

use crate::run::{cargo, step, workspace_root};

pub fn run(args: &[&str]) -> Result<(), String> {
    if !args.is_empty() {
        return Err(format!(
            "usage: cargo xtask package (no arguments; got {args:?})"
        ));
    }
    let published: Vec<String> = crate::release::publishable_crates(&workspace_root())?
        .into_keys()
        .collect();
    let target = crate::bench::target_dir()?;
    let home = private_cargo_home(&target.join("package-home"))?;
    let verify_dir = target.join("package-verify");
    forget_packaged_builds(&verify_dir, &published)?;
    let mut package = cargo();
    package
        .env("CARGO_HOME", &home)
        .env("CARGO_TARGET_DIR", &verify_dir)
        // The packaged crates build as workspaces of their own, without our `[profile.dev]`:
        // no debug info (a third of the time and most of the disk; nothing runs there).
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .args(["package", "--locked", "--offline", "--allow-dirty"]);
    for name in &published {
        package.args(["--package", name]);
    }
    step("package each publishable crate", &mut package)
}

/// The user's cargo home: `CARGO_HOME`, else `~/.cargo`.
fn user_cargo_home() -> Result<PathBuf, String> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .ok_or_else(|| "neither CARGO_HOME nor HOME is set".into())
}

/// Makes `home` anew: links to the user's registry (index, downloaded crates and unpacked
/// sources of every remote registry, never a local registry's `-<hash>` copies), git
/// checkouts and configuration. Removing it removes only the links.
fn private_cargo_home(home: &Path) -> Result<PathBuf, String> {
    private_cargo_home_from(&user_cargo_home()?, home)
}

/// [`private_cargo_home`] for the cargo home `user`.
fn private_cargo_home_from(user: &Path, home: &Path) -> Result<PathBuf, String> {
    if home.exists() {
        // `remove_dir_all` does not follow links: the user's files stay.
        std::fs::remove_dir_all(home)
            .map_err(|e| format!("cannot remove {}: {e}", home.display()))?;
    }
    for kind in ["index", "cache", "src"] {
        let mine = home.join("registry").join(kind);
        std::fs::create_dir_all(&mine)
            .map_err(|e| format!("cannot create {}: {e}", mine.display()))?;
        let Ok(entries) = std::fs::read_dir(user.join("registry").join(kind)) else {
            continue;
        };
        for entry in entries.flatten() {
            // A local registry has no host name: its directories start with '-'.
            if entry.file_name().to_string_lossy().starts_with('-') {
                continue;
            }
            link(&entry.path(), &mine.join(entry.file_name()))?;
        }
    }
    for shared in ["git", "config.toml", "config"] {
        let path = user.join(shared);
        if path.exists() {
            link(&path, &home.join(shared))?;
        }
    }
    Ok(home.to_owned())
}

#[cfg(unix)]
fn link(original: &Path, link: &Path) -> Result<(), String> {
    std::os::unix::fs::symlink(original, link).map_err(|e| {
        format!(
            "cannot link {} to {}: {e}",
            link.display(),
            original.display()
        )
    })
}

#[cfg(windows)]
fn link(original: &Path, link: &Path) -> Result<(), String> {
    let made = if original.is_dir() {
        std::os::windows::fs::symlink_dir(original, link)
    } else {
        std::os::windows::fs::symlink_file(original, link)
    };
    made.map_err(|e| {
        format!(
            "cannot link {} to {}: {e}",
            link.display(),
            original.display()
        )
    })
}

/// Cargo treats a registry crate as immutable: a verification build reuses what it compiled
/// for `api-core 0.1.0` last time even though our sources changed. The packaging check builds
/// in its own target directory, where our crates' fingerprints are removed first so that
/// exactly they are rebuilt (their dependencies stay compiled).
fn forget_packaged_builds(target: &Path, published: &[String]) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(target.join("debug").join(".fingerprint")) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = published.iter().any(|krate| {
            name.strip_prefix(krate)
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|hash| hash.bytes().all(|b| b.is_ascii_hexdigit()))
        });
        if ours {
            std::fs::remove_dir_all(entry.path())
                .map_err(|e| format!("cannot remove {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn the_private_home_links_remote_registries_and_never_the_local_ones() {
        let root = std::env::temp_dir().join(format!("xtask-package-{}", std::process::id()));
        let user = root.join("user");
        for dir in [
            "registry/index/index.crates.io-1949cf8c6b5b557f",
            "registry/cache/index.crates.io-1949cf8c6b5b557f",
            "registry/src/index.crates.io-1949cf8c6b5b557f",
            "registry/cache/-5a0c7a8e1f2b3c4d",
            "registry/src/-5a0c7a8e1f2b3c4d/api-core-0.1.0",
        ] {
            std::fs::create_dir_all(user.join(dir)).expect("dir");
        }
        std::fs::write(user.join("config.toml"), "[net]\noffline = true\n").expect("config");
        let home = root.join("private");
        // Twice: the second run removes the first's links, never the user's files.
        for _ in 0..2 {
            private_cargo_home_from(&user, &home).expect("private home");
        }
        let listed = |kind: &str| -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(home.join("registry").join(kind))
                .expect("dir")
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        assert_eq!(listed("cache"), ["index.crates.io-1949cf8c6b5b557f"]);
        assert_eq!(listed("src"), ["index.crates.io-1949cf8c6b5b557f"]);
        assert!(home.join("config.toml").is_symlink());
        assert!(
            user.join("registry/src/-5a0c7a8e1f2b3c4d/api-core-0.1.0")
                .is_dir()
        );
        assert!(
            user.join("registry/src/index.crates.io-1949cf8c6b5b557f")
                .is_dir()
        );
        std::fs::remove_dir_all(&root).expect("clean up");
    }
}
