//! Repository hygiene, checked as tests (as rust-analyzer's `tidy.rs` does): run by
//! `cargo test -p xtask`, so by `cargo xtask test`.

#[cfg(test)]
mod tests {
    use std::fs;

    use crate::run::workspace_root;

    /// A file's code below its `//!` header comment, each line ending in a newline.
    fn code_below_header(source: &str) -> String {
        source
            .lines()
            .skip_while(|line| line.starts_with("//!") || line.is_empty())
            .map(|line| format!("{line}\n"))
            .collect()
    }

    fn read(path: &str) -> String {
        fs::read_to_string(workspace_root().join(path))
            .unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
    }

    /// The README's Netfinity example is `crates/netfinity/examples/readme.rs`, which clippy
    /// compiles: the README must show that file's code verbatim.
    #[test]
    fn readme_example_is_the_compiled_example() {
        let example = read("crates/netfinity/examples/readme.rs");
        let code = code_below_header(&example);
        assert!(code.contains("send_sms"), "the example lost its body");
        let readme = read("README.md");
        assert!(
            readme.contains(&format!("```rust,no_run\n{code}```")),
            "README.md's Rust example differs from crates/netfinity/examples/readme.rs: \
             copy the file's code (below its header comment) into the README"
        );
    }

    /// Each provider guide's example is the provider's `examples/quickstart.rs`, which clippy
    /// compiles: the guide must show that file's code verbatim.
    #[test]
    fn provider_guides_show_their_compiled_quickstart() {
        let providers = crate::run::providers();
        assert!(providers.len() >= 4, "{providers:?}");
        for provider in providers {
            let example = read(&format!("crates/{provider}/examples/quickstart.rs"));
            let code = code_below_header(&example);
            let guide = read(&format!("docs/providers/{provider}.md"));
            assert!(
                guide.contains(&format!("```rust\n{code}```")),
                "docs/providers/{provider}.md does not show crates/{provider}/examples/quickstart.rs \
                 verbatim: copy the file's code (below its header comment) into the guide"
            );
        }
    }

    /// The README shows the two commands a new user runs.
    #[test]
    fn readme_shows_the_two_commands() {
        let readme = read("README.md");
        for command in ["cargo xtask demo", "cargo xtask test"] {
            assert!(readme.contains(command), "README.md lacks `{command}`");
        }
    }

    /// Every published crate has what crates.io and docs.rs show, and documents everything.
    #[test]
    fn published_crates_have_readme_description_and_docs_rs_metadata() {
        let root = workspace_root();
        let crates = crate::release::publishable_crates(&root).unwrap();
        assert!(crates.len() >= 6, "publishable crates: {:?}", crates.keys());
        for krate in crates.values() {
            let name = &krate.name;
            let manifest = fs::read_to_string(krate.dir.join("Cargo.toml")).unwrap();
            for key in [
                "description = ",
                "readme = ",
                "documentation = \"https://docs.rs/",
                "license.workspace",
                "rust-version.workspace",
                "keywords",
                "categories",
                "[package.metadata.docs.rs]\nall-features = true\nrustdoc-args = [\"--cfg\", \"docsrs\"]",
            ] {
                assert!(manifest.contains(key), "{name}'s Cargo.toml lacks `{key}`");
            }
            assert!(
                krate.dir.join("README.md").is_file(),
                "{name} has no README.md"
            );
            let lib = fs::read_to_string(krate.dir.join("src/lib.rs")).unwrap();
            assert!(
                lib.contains("#![deny(missing_docs)]"),
                "{name}'s src/lib.rs lacks #![deny(missing_docs)]"
            );
            assert!(
                lib.contains("//! ```"),
                "{name}'s crate documentation has no example"
            );
        }
    }

    /// The facts `specs/*.yaml` owns: every path template and every OAuth2 scope name.
    fn spec_facts() -> (Vec<String>, Vec<String>) {
        let (mut paths, mut scopes) = (Vec::new(), Vec::new());
        for entry in fs::read_dir(workspace_root().join("specs")).expect("specs/") {
            let path = entry.expect("an entry").path();
            let text = fs::read_to_string(&path).expect("a spec");
            let spec: serde_norway::Value = serde_norway::from_str(&text).expect("YAML");
            if let Some(items) = spec.get("paths").and_then(|p| p.as_mapping()) {
                paths.extend(items.keys().filter_map(|k| k.as_str()).map(str::to_owned));
            }
            let schemes = spec
                .get("components")
                .and_then(|c| c.get("securitySchemes"))
                .and_then(|s| s.as_mapping());
            for scheme in schemes.into_iter().flat_map(|m| m.values()) {
                let flows = scheme.get("flows").and_then(|f| f.as_mapping());
                for flow in flows.into_iter().flat_map(|m| m.values()) {
                    let names = flow.get("scopes").and_then(|s| s.as_mapping());
                    for name in names.into_iter().flat_map(|m| m.keys()) {
                        if let Some(name) = name.as_str()
                            && !scopes.iter().any(|s| s == name)
                        {
                            scopes.push(name.to_owned());
                        }
                    }
                }
            }
        }
        (paths, scopes)
    }

    /// Every hand-written `.rs` file under `dir` (generated code excluded).
    fn hand_written(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if !path.ends_with("generated") {
                    hand_written(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The most lines a hand-written source file holds before its first `#[cfg(test)]` line
    /// (issue #19): past this, a file is hard to follow and usually holds more than one job.
    const MAX_LINES_BEFORE_TESTS: usize = 500;

    /// Files still over [`MAX_LINES_BEFORE_TESTS`], each with the issue that splits it. The
    /// list only shrinks: the test fails when a file here is within the limit (or gone), so
    /// its entry goes with the split.
    const OVER_THE_LIMIT: &[(&str, &str)] = &[];

    /// The lines of `source` before its first `#[cfg(test)]` line: all of them without one.
    fn lines_before_tests(source: &str) -> usize {
        source
            .lines()
            .position(|line| line.trim_start().starts_with("#[cfg(test)]"))
            .unwrap_or_else(|| source.lines().count())
    }

    #[test]
    fn lines_before_tests_stop_at_the_first_test_module() {
        assert_eq!(lines_before_tests("a\nb\n#[cfg(test)]\nmod tests {}\n"), 2);
        assert_eq!(lines_before_tests("a\n    #[cfg(test)]\n"), 1);
        assert_eq!(lines_before_tests("a\nb\nc\n"), 3);
        assert_eq!(lines_before_tests(""), 0);
    }

    /// No hand-written file under `crates/*/src/` (generated code excluded) holds more than
    /// [`MAX_LINES_BEFORE_TESTS`] lines before its tests, except those in [`OVER_THE_LIMIT`],
    /// which must still be over it.
    #[test]
    fn hand_written_files_stay_within_the_line_limit_before_their_tests() {
        let root = workspace_root();
        let mut files = Vec::new();
        for entry in fs::read_dir(root.join("crates")).expect("crates/") {
            hand_written(&entry.expect("an entry").path().join("src"), &mut files);
        }
        assert!(files.len() > 100, "only {} source files found", files.len());
        let mut problems = Vec::new();
        let mut over = Vec::new();
        for file in &files {
            // `/`-separated on every platform, as the allowlist spells paths.
            let shown = file
                .strip_prefix(&root)
                .unwrap_or(file)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let source = fs::read_to_string(file).expect("a source file");
            let lines = lines_before_tests(&source);
            if lines <= MAX_LINES_BEFORE_TESTS {
                continue;
            }
            if !OVER_THE_LIMIT.iter().any(|(path, _)| *path == shown) {
                problems.push(format!(
                    "{shown}: {lines} lines before its tests (at most {MAX_LINES_BEFORE_TESTS}): \
                     split it into modules with one job each"
                ));
            }
            over.push(shown);
        }
        for (path, issue) in OVER_THE_LIMIT {
            if !over.iter().any(|shown| shown == path) {
                problems.push(format!(
                    "{path} is no longer over {MAX_LINES_BEFORE_TESTS} lines before its tests \
                     (or is gone): remove it from OVER_THE_LIMIT ({issue})"
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// The string literals of a line of code (escapes left as written).
    fn literals(line: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = line;
        while let Some(start) = rest.find('"') {
            let after = &rest[start + 1..];
            let mut end = None;
            let mut escaped = false;
            for (i, c) in after.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let Some(end) = end else { break };
            out.push(&after[..end]);
            rest = &after[end + 1..];
        }
        out
    }

    /// Hand-written code spells no provider path, OAuth2 scope or page bound: the spec owns
    /// them and codegen writes them into each crate's `spec` module and the sandbox's copy of
    /// the tables (issue #18). Checked: api-core, the provider crates and the sandbox. Not
    /// checked: tests (`tests/`, and unit tests below `#[cfg(test)]`) and the bench's
    /// hand-written baseline and mock server, which assert the documented wire form on
    /// purpose. (Every sandbox route is mounted from the tables, issue #20.)
    #[test]
    fn hand_written_code_does_not_spell_what_the_specs_own() {
        let (paths, scopes) = spec_facts();
        assert!(
            paths.len() > 40 && scopes.len() >= 2,
            "the specs were not read"
        );
        let root = workspace_root();
        let mut problems = Vec::new();
        let mut crates = vec!["api-core".to_owned(), "sandbox".to_owned()];
        crates.extend(crate::run::providers());
        for krate in &crates {
            let mut files = Vec::new();
            hand_written(&root.join("crates").join(krate).join("src"), &mut files);
            for file in files {
                let text = fs::read_to_string(&file).expect("a source file");
                let shown = file
                    .strip_prefix(&root)
                    .unwrap_or(&file)
                    .display()
                    .to_string();
                // Unit tests below `#[cfg(test)]` assert the documented wire form on purpose.
                let code_lines = text
                    .lines()
                    .take_while(|line| line.trim() != "#[cfg(test)]");
                for (number, line) in code_lines.enumerate() {
                    let code = line.trim_start();
                    if code.starts_with("//") {
                        continue;
                    }
                    for literal in literals(line) {
                        let spells_path = paths.iter().any(|p| {
                            literal == p
                                || (!p.contains('{') && literal.starts_with(&format!("{p}?")))
                        });
                        if spells_path {
                            problems.push(format!("{shown}:{}: path {literal:?}", number + 1));
                        }
                        let rest = line.split(&format!("\"{literal}\"")).nth(1).unwrap_or("");
                        let is_json_key = rest.trim_start().starts_with(':');
                        if scopes.iter().any(|s| s == literal) && !is_json_key {
                            // Only the OAuth2 provider has scopes; JSON keys of the same
                            // name are data.
                            if shown.contains("flexiti") {
                                problems.push(format!("{shown}:{}: scope {literal:?}", number + 1));
                            }
                        }
                    }
                    let name = code
                        .split("const ")
                        .nth(1)
                        .and_then(|rest| rest.split(':').next())
                        .unwrap_or("");
                    let page_const = (name.contains("PAGE")
                        || ["MIN_LIMIT", "MAX_LIMIT", "DEFAULT_LIMIT"].contains(&name))
                        && code.split('=').nth(1).is_some_and(|v| {
                            v.trim()
                                .trim_end_matches(';')
                                .replace('_', "")
                                .parse::<u64>()
                                .is_ok()
                        });
                    // The client's own page choice is no spec bound: named and explained.
                    let allowed = code.starts_with("pub const PAGE_SIZE: u32 = 50;");
                    if page_const && !allowed {
                        problems.push(format!("{shown}:{}: page bound `{code}`", number + 1));
                    }
                }
            }
        }
        assert!(
            problems.is_empty(),
            "hand-written code spells facts the specs own (read them from the generated `spec` \
             module instead):\n  {}",
            problems.join("\n  ")
        );
    }
}
