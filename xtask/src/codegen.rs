//! `cargo xtask codegen [--check]`: Rust models and request builders from OpenAPI specs.
//!
//! Every `specs/<name>.yaml` whose crate `crates/<name>/` exists becomes
//! `crates/<name>/src/generated/{mod.rs, models.rs, operations.rs}`. With `--check` nothing is
//! written: the files are generated in memory and compared with the committed ones.
//!
//! # Why our own emitter
//!
//! We emit the code ourselves (plain strings, then `rustfmt`) instead of using `typify` or
//! `progenitor` because the generated operations must call api-core's own request builder
//! (`api_core::Request`, idempotency classes, `Operation<T>`), and enums must keep values they
//! do not know (`Unknown(..)`) instead of failing to decode. It also keeps xtask's
//! dependencies to `serde` and a YAML parser (`serde_norway`), so a cold `cargo xtask` builds
//! in seconds. The spec is read into the minimal serde structs of [`spec`], which cover the
//! subset of OpenAPI 3.0 we use; anything outside it that would change the code is an error,
//! never silently dropped.
//!
//! # Supported extensions
//!
//! - Schema `x-rust-type: path`: use a hand-written type (on a component: nothing is
//!   generated and every reference uses the path).
//! - Object `x-keep-unknown: true`: unknown fields kept in `extra`.
//! - Object property `x-deserialize-with: path` / `x-serde-with: path`:
//!   `#[serde(deserialize_with = "path")]` / `#[serde(with = "path")]` on the field (optional
//!   fields keep `default` and `skip_serializing_if`); combine with `x-rust-type` for the type.
//! - Object property `x-aliases: [name, ...]`: `#[serde(alias = "name")]` for each name, so
//!   decoding also accepts the names an older revision of the API used (requests send the
//!   property's own name). A body with both names fails as a duplicate field.
//! - Parameter `x-rust-name: ident`: the argument's name instead of the parameter's name in
//!   snake case (when two parameters would get the same one, such as a path `client_id` and
//!   a query `clientId`).
//! - Root `x-envelope: path`: every response `T` is `path<T>` (`path<api_core::NoContent>`
//!   without content), for providers that wrap every answer.
//! - Enum `x-enum-varnames` / `x-enum-descriptions`: variant names and docs (names required
//!   for integer enums).
//! - Operation `x-idempotency: safe | idempotent | side-effect` (default from the method),
//!   `x-empty-response: true` (an empty 2xx body decodes as `{}`), `x-unconfirmed: true`
//!   (the path is a guess: compiled only with the crate's `unconfirmed` feature; their names
//!   are listed, ungated, in `UNCONFIRMED_OPERATIONS`), or `x-unconfirmed: <sentence>` (the
//!   same, the sentence saying what is a guess).
//!
//! # Formats
//!
//! - `type: number` needs `format: double` or `x-rust-type`: money never silently becomes f64.
//!   `type: integer` is `i64`, or `i32` with `format: int32`.
//! - `type: string, format: date` is `api_core::date::Date` and `format: date-time` is
//!   `api_core::date::DateTime` in models: the text as received, parsed on demand, so that a
//!   malformed date never fails decoding. A query parameter with `format: date` takes a
//!   `time::Date` (sent `YYYY-MM-DD`), with `format: date-time` a `time::OffsetDateTime` (sent
//!   in UTC as `YYYY-MM-DDTHH:MM:SS.sssZ` by `api_core::date::utc_millis`, whose
//!   `InvalidInput` names the parameter). Any other `format` on a string (OpenAPI allows any:
//!   `email`, `uri`, ...) leaves it a `String`, unless `x-rust-type` names a type.

mod builders;
mod checks;
mod emit;
mod models;
mod names;
mod operations;
mod optional;
mod pattern;
mod spec;
mod table;
mod types;
mod wire;

#[cfg(test)]
mod tests;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The generated files of one crate: `(path relative to the workspace root, contents)`.
type Files = Vec<(PathBuf, String)>;

/// Generates every crate's files; writes them, or with `check` compares them.
pub fn run(check: bool) -> Result<(), String> {
    let root = workspace_root();
    let mut stale = Vec::new();
    let mut count = 0;
    let files = all_files(&root)?;
    for extra in unexpected_files(&root, &files) {
        if check {
            stale.push(format!(
                "{extra} (not generated: move it out of generated/)"
            ));
        } else {
            eprintln!("codegen: warning: {extra} is not generated; move it out of generated/");
        }
    }
    {
        for (relative, contents) in files {
            count += 1;
            let path = root.join(&relative);
            let current = std::fs::read_to_string(&path).ok();
            if current.as_deref() == Some(contents.as_str()) {
                continue;
            }
            if check {
                stale.push(relative.display().to_string());
                continue;
            }
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            std::fs::write(&path, contents)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            println!("codegen: wrote {}", relative.display());
        }
    }
    if !stale.is_empty() {
        return Err(format!(
            "generated code is out of date with specs/:\n  {}\nrun `cargo xtask codegen` and \
             commit the result",
            stale.join("\n  ")
        ));
    }
    if check {
        println!("codegen: {count} generated files are up to date");
    }
    Ok(())
}

/// Every generated file: each crate's, the sandbox's tables and the provider guides.
fn all_files(root: &Path) -> Result<Files, String> {
    let names = spec_names(root)?;
    let mut files: Files = Vec::new();
    for name in &names {
        files.extend(generate_crate(root, name)?);
    }
    files.extend(sandbox_module(&names)?);
    files.push(sandbox_guide(root, &names)?);
    Ok(files)
}

/// docs/sandbox.md with each provider's operation table (the sandbox emulates every
/// operation of each spec: its handler trait does not compile otherwise).
fn sandbox_guide(root: &Path, names: &[String]) -> Result<(PathBuf, String), String> {
    let guide = Path::new("docs").join("sandbox.md");
    let mut text = std::fs::read_to_string(root.join(&guide))
        .map_err(|e| format!("cannot read {}: {e}", guide.display()))?;
    for name in names {
        let spec_path = format!("specs/{name}.yaml");
        let yaml = std::fs::read_to_string(root.join(&spec_path))
            .map_err(|e| format!("cannot read {spec_path}: {e}"))?;
        let table = docs_table(&yaml).map_err(|e| format!("{spec_path}: {e}"))?;
        text = splice_table(&text, &spec_path, &table)
            .map_err(|e| format!("{}: {e}", guide.display()))?;
    }
    Ok((guide, text))
}

/// `crates/sandbox/src/generated/mod.rs`: one module per provider's operation table.
fn sandbox_module(names: &[String]) -> Result<Files, String> {
    let mut text = String::from(
        "// @generated by `cargo xtask codegen` from specs/. Do not edit by hand.\n\n\
         //! The operation tables of `specs/*.yaml` (each provider crate's `spec` module, copied):\n\
         //! what the sandbox routes, checks and refuses by.\n\n",
    );
    for name in names {
        text.push_str(&format!("pub mod {name};\n"));
    }
    Ok(vec![(
        Path::new("crates/sandbox/src/generated/mod.rs").to_path_buf(),
        rustfmt(&text)?,
    )])
}

/// Files in the generated directories that the generator did not produce.
fn unexpected_files(root: &Path, files: &Files) -> Vec<String> {
    let dirs: std::collections::BTreeSet<&Path> = files
        .iter()
        .filter_map(|(path, _)| path.parent())
        .filter(|dir| dir.ends_with("generated"))
        .collect();
    let mut extra: Vec<String> = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        extra.extend(
            entries
                .filter_map(|entry| entry.ok())
                .map(|entry| dir.join(entry.file_name()))
                .filter(|path| !files.iter().any(|(p, _)| p == path))
                .map(|path| path.display().to_string()),
        );
    }
    extra.sort();
    extra
}

/// The workspace root: xtask's parent directory.
fn workspace_root() -> PathBuf {
    crate::run::workspace_root()
}

/// The `<name>` of every `specs/<name>.yaml` whose crate `crates/<name>/` exists, sorted.
pub fn spec_names(root: &Path) -> Result<Vec<String>, String> {
    let specs = root.join("specs");
    let entries =
        std::fs::read_dir(&specs).map_err(|e| format!("cannot read {}: {e}", specs.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", specs.display()))?
            .path();
        if path.extension().is_some_and(|e| e == "yaml")
            && let Some(name) = path.file_stem().and_then(|s| s.to_str())
            && root.join("crates").join(name).join("Cargo.toml").is_file()
        {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// The generated files of crate `name`, from `specs/<name>.yaml`.
fn generate_crate(root: &Path, name: &str) -> Result<Files, String> {
    let spec_path = format!("specs/{name}.yaml");
    let yaml = std::fs::read_to_string(root.join(&spec_path))
        .map_err(|e| format!("cannot read {spec_path}: {e}"))?;
    let generated = generate(&spec_path, &yaml).map_err(|e| format!("{spec_path}: {e}"))?;
    let dir = Path::new("crates").join(name).join("src").join("generated");
    // `sandbox.rs` is the sandbox's copy of the operation table, with its handler trait: it
    // emulates the API from the same facts without depending on the client crate (so a
    // client bug is not mirrored).
    let sandbox = Path::new("crates")
        .join("sandbox")
        .join("src")
        .join("generated")
        .join(format!("{name}.rs"));
    let mut files: Files = generated
        .into_iter()
        .map(|(file, contents)| match file {
            "sandbox.rs" => (sandbox.clone(), contents),
            _ => (dir.join(file), contents),
        })
        .collect();
    files.push((
        sandbox.with_extension("json"),
        wire::sandbox_json(&yaml).map_err(|e| format!("{spec_path}: {e}"))?,
    ));
    let guide = Path::new("docs")
        .join("providers")
        .join(format!("{name}.md"));
    let current = std::fs::read_to_string(root.join(&guide))
        .map_err(|e| format!("cannot read {}: {e}", guide.display()))?;
    let table = docs_table(&yaml).map_err(|e| format!("{spec_path}: {e}"))?;
    let spliced = splice_table(&current, &spec_path, &table)
        .map_err(|e| format!("{}: {e}", guide.display()))?;
    files.push((guide, spliced));
    Ok(files)
}

/// The line before a provider guide's generated endpoint table (`{spec}` is its spec).
const TABLE_BEGIN: &str = "<!-- BEGIN operations: generated by `cargo xtask codegen` from ";
/// The line after it.
const TABLE_END: &str = "<!-- END operations -->";

/// The endpoint table of a provider guide, from the spec `yaml`.
pub fn docs_table(yaml: &str) -> Result<String, String> {
    let spec: spec::Spec = serde_norway::from_str(yaml).map_err(|e| e.to_string())?;
    let cx = types::Context::new(&spec)?;
    table::docs_table(&cx)
}

/// `guide` with the text between its table markers replaced by `table`.
fn splice_table(guide: &str, spec_path: &str, table: &str) -> Result<String, String> {
    let marker = format!("{TABLE_BEGIN}{spec_path} -->");
    let begin = guide
        .find(&marker)
        .ok_or_else(|| format!("no `{marker}` line: add one where the endpoint table goes"))?;
    let after_begin = guide[begin..]
        .find('\n')
        .map(|i| begin + i + 1)
        .ok_or("the begin marker ends the file")?;
    let end = guide[after_begin..]
        .find(TABLE_END)
        .map(|i| after_begin + i)
        .ok_or_else(|| format!("no `{TABLE_END}` line after the begin marker"))?;
    Ok(format!(
        "{}{TABLE_BEGIN}{spec_path} -->\n{table}{}",
        &guide[..begin],
        &guide[end..]
    ))
}

/// `mod.rs`, `models.rs` and `operations.rs` for the spec `yaml` (read from `spec_path`,
/// which the headers name), formatted.
pub fn generate(spec_path: &str, yaml: &str) -> Result<Vec<(&'static str, String)>, String> {
    let spec: spec::Spec = serde_norway::from_str(yaml).map_err(|e| e.to_string())?;
    if !spec.openapi.starts_with("3.0.") {
        return Err(format!(
            "`openapi: {}` is not supported (3.0.x only)",
            spec.openapi
        ));
    }
    let cx = types::Context::new(&spec)?;
    let title = format!("{}, version {}", spec.info.title, spec.info.version);
    let header =
        format!("// @generated by `cargo xtask codegen` from {spec_path}. Do not edit by hand.\n");

    let operations::Emitted {
        operations,
        table,
        builders,
        handlers,
    } = operations::emit(&cx)?;
    let module = format!(
        "{header}\n{}\n{}pub mod models;\npub mod operations;\npub mod spec;\n",
        emit::module_doc(&format!(
            "Code generated from `{spec_path}` ({title}): the models, one function per \
             operation{}.",
            if builders.is_some() {
                " and its request builder"
            } else {
                ""
            }
        )),
        if builders.is_some() {
            "pub mod builders;\n"
        } else {
            ""
        }
    );
    let models = format!(
        "{header}\n{}\n{}",
        emit::module_doc(&format!("The schemas of {title} (`components.schemas`).")),
        models::emit(&cx)?
    );
    let operations = format!(
        "{header}\n{}\n{operations}",
        emit::module_doc(&format!(
            "The operations of {title}: each function checks its arguments against the spec's \
             bounds, builds the request and names the response type."
        )),
    );
    let sandbox_table = format!(
        "{header}\n{}\n{table}\n{handlers}",
        emit::module_doc(&format!(
            "What {title} says about each operation, as data (the provider crate's `spec` \
             module), and the sandbox's handler of each: what it routes, checks and answers by."
        )),
    );
    let table = format!(
        "{header}\n{}\n{table}",
        emit::module_doc(&format!(
            "What {title} says about each operation, as data: method, path, idempotency, \
             credentials and scopes, pagination, money, bounds. The client, the sandbox and the \
             docs read these facts here."
        )),
    );
    let mut files = vec![
        ("mod.rs", rustfmt(&module)?),
        ("models.rs", rustfmt(&models)?),
        ("operations.rs", rustfmt(&operations)?),
        ("spec.rs", rustfmt(&table)?),
        ("sandbox.rs", rustfmt(&sandbox_table)?),
    ];
    if let Some(builders) = builders {
        let builders = format!(
            "{header}\n{}\n{builders}",
            emit::module_doc(&format!(
                "The request builders of {title}: the client's method of each operation's name \
                 takes its required inputs, setters take the optional ones, and `send()` (or \
                 `paginate()`) goes through the client's `api_core::Execute`."
            )),
        );
        files.push(("builders.rs", rustfmt(&builders)?));
    }
    Ok(files)
}

/// Formats Rust source with `rustfmt` (run from the workspace root, so it reads the same
/// configuration as `cargo fmt`).
fn rustfmt(source: &str) -> Result<String, String> {
    let mut child = Command::new(std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into()))
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .current_dir(workspace_root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt (is it installed?): {e}"))?;
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    let input = source.to_owned();
    // Write from another thread so a large output cannot deadlock against our input.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt failed: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt input thread panicked".to_owned())?
        .map_err(|e| format!("cannot write to rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt rejected the generated code (a generator bug):\n{}\n--- source ---\n{source}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt output is not UTF-8: {e}"))
}
