//! What a published `.crate` may hold: what crates.io and docs.rs need, and nothing of the
//! workspace's test data (specs, fixtures, fuzz corpora) that the crate does not use.

use crate::run::cargo;
use std::path::Path;

/// Files every published crate carries.
const REQUIRED: &[&str] = &[
    "Cargo.toml",
    "README.md",
    "CHANGELOG.md",
    "LICENSE-MIT",
    "LICENSE-APACHE",
    "src/lib.rs",
];

/// Directory names whose contents stay in the repository.
const FORBIDDEN_DIRS: &[&str] = &[
    "specs", "fixtures", "testdata", "fuzz", "corpus", "seeds", "target",
];

/// File name endings that belong to the workspace, not to a crate.
const FORBIDDEN_ENDINGS: &[&str] = &[".yaml", ".yml", ".crate", ".profraw", ".orig.rs"];

/// The problems with one crate's file list (as `cargo package --list` prints it); empty when
/// it is fine.
pub fn problems(files: &[&str]) -> Vec<String> {
    let mut problems: Vec<String> = REQUIRED
        .iter()
        .filter(|required| !files.contains(required))
        .map(|missing| format!("missing {missing}"))
        .collect();
    for file in files {
        let forbidden_dir = file
            .split('/')
            .rev()
            .skip(1)
            .find(|dir| FORBIDDEN_DIRS.contains(dir));
        if let Some(dir) = forbidden_dir {
            problems.push(format!("{file}: nothing under a {dir}/ directory ships"));
        } else if let Some(ending) = FORBIDDEN_ENDINGS.iter().find(|e| file.ends_with(*e)) {
            problems.push(format!("{file}: no {ending} file ships"));
        } else if file.starts_with(".env") || file.contains("/.env") {
            problems.push(format!("{file}: environment files never ship"));
        }
    }
    problems
}

/// Runs `cargo package --list` for `name` in the workspace at `root` and checks it.
pub fn check(root: &Path, name: &str, offline: bool) -> Result<(), String> {
    let mut command = cargo();
    command
        .current_dir(root)
        .args(["package", "--list", "--allow-dirty", "--package", name]);
    if offline {
        command.arg("--offline");
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo package --list: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo package --list -p {name} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let files: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let problems = problems(&files);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{name}'s package contents:\n  {}",
            problems.join("\n  ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &[&str] = &[
        ".cargo_vcs_info.json",
        "CHANGELOG.md",
        "Cargo.lock",
        "Cargo.toml",
        "Cargo.toml.orig",
        "LICENSE-APACHE",
        "LICENSE-MIT",
        "README.md",
        "examples/quickstart.rs",
        "src/generated/models.rs",
        "src/lib.rs",
        "tests/wire.rs",
    ];

    #[test]
    fn a_complete_list_passes() {
        assert_eq!(problems(GOOD), Vec::<String>::new());
    }

    #[test]
    fn names_what_is_missing_and_what_must_not_ship() {
        let mut files: Vec<&str> = GOOD
            .iter()
            .copied()
            .filter(|f| !f.starts_with("LICENSE-MIT"))
            .collect();
        files.extend([
            "specs/fsflt.yaml",
            "tests/fixtures/page.json",
            "openapi.yml",
            ".env",
        ]);
        assert_eq!(
            problems(&files),
            [
                "missing LICENSE-MIT",
                "specs/fsflt.yaml: nothing under a specs/ directory ships",
                "tests/fixtures/page.json: nothing under a fixtures/ directory ships",
                "openapi.yml: no .yml file ships",
                ".env: environment files never ship",
            ]
        );
    }
}
