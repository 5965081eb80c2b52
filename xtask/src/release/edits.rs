//! The edits a release makes: version bumps in the root manifest and CHANGELOG sections.

use std::collections::BTreeSet;

/// How the version moves. `None` releases the current version as it is (the first release,
/// or a release whose version was bumped by hand).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Patch => "patch",
            Self::Minor => "minor",
            Self::Major => "major",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "none" => Ok(Self::None),
            "patch" => Ok(Self::Patch),
            "minor" => Ok(Self::Minor),
            "major" => Ok(Self::Major),
            other => Err(format!(
                "--bump takes none, patch, minor or major, not {other:?}"
            )),
        }
    }
}

/// `major.minor.patch` bumped (unchanged for [`Bump::None`]); pre-release and build suffixes are refused.
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
        Bump::None => format!("{major}.{minor}.{patch}"),
        Bump::Patch => format!("{major}.{minor}.{}", patch + 1),
        Bump::Minor => format!("{major}.{}.0", minor + 1),
        Bump::Major => format!("{}.0.0", major + 1),
    })
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

/// Applies a release's edits to the workspace at `root`: the root manifest's versions become
/// `next` (a no-op when unchanged) and each of `changelogs` (paths relative to `root`) gets its
/// "## Unreleased" section moved under `next`. Returns the files it changed, relative to `root`.
pub fn prepare(
    root: &std::path::Path,
    ours: &BTreeSet<String>,
    next: &str,
    changelogs: &[(String, std::path::PathBuf)],
    date: &str,
) -> Result<Vec<std::path::PathBuf>, String> {
    let mut changed = Vec::new();
    let manifest = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| format!("Cargo.toml: {e}"))?;
    let rewritten = rewrite_root_manifest(&text, ours, next);
    if rewritten != text {
        std::fs::write(&manifest, rewritten)
            .map_err(|e| format!("cannot write {}: {e}", manifest.display()))?;
        changed.push("Cargo.toml".into());
    }
    for (name, relative) in changelogs {
        let path = root.join(relative);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: {e} (every published crate needs one)", path.display()))?;
        let moved = move_unreleased(&text, next, date).map_err(|e| format!("{name}: {e}"))?;
        std::fs::write(&path, moved).map_err(|e| format!("{}: {e}", path.display()))?;
        changed.push(relative.clone());
    }
    Ok(changed)
}

/// Today in UTC as YYYY-MM-DD (civil-from-days, so no date crate is needed).
pub fn today() -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_versions() {
        assert_eq!(bump_version("0.1.0", Bump::Patch).unwrap(), "0.1.1");
        assert_eq!(bump_version("0.1.7", Bump::Minor).unwrap(), "0.2.0");
        assert_eq!(bump_version("0.3.2", Bump::Major).unwrap(), "1.0.0");
        assert_eq!(bump_version("1.9.9", Bump::Patch).unwrap(), "1.9.10");
        assert_eq!(bump_version("0.1.0", Bump::None).unwrap(), "0.1.0");
        assert_eq!(Bump::parse("none"), Ok(Bump::None));
        assert!(Bump::parse("huge").is_err());
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
}
