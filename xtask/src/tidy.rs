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
        for provider in ["netfinity", "fsflt", "fl3xx", "flexiti"] {
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
}
