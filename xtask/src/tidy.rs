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

    /// Every published crate has what crates.io and docs.rs show.
    #[test]
    fn published_crates_have_readme_description_and_docs_rs_metadata() {
        for krate in [
            "api-core",
            "fl3xx",
            "flexiti",
            "fsflt",
            "netfinity",
            "sandbox",
        ] {
            let manifest = read(&format!("crates/{krate}/Cargo.toml"));
            for key in [
                "description = ",
                "readme = ",
                "license.workspace",
                "keywords",
                "categories",
            ] {
                assert!(
                    manifest.contains(key),
                    "crates/{krate}/Cargo.toml lacks `{key}`"
                );
            }
            assert!(
                workspace_root()
                    .join(format!("crates/{krate}/README.md"))
                    .is_file(),
                "crates/{krate} has no README.md"
            );
        }
    }
}
