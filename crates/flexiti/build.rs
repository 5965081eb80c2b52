//! Works around two faults of the request builders `cargo xtask codegen` writes to
//! `src/generated/builders.rs` (issue #19), until the generator fixes them; the generated file
//! itself stays untouched, and `lib.rs` includes the patched copy this script writes to
//! `OUT_DIR`.
//!
//! 1. A builder that borrows a request body declares no lifetime on its client method:
//!    `pub fn capture_authorization(&self, .., body: &'a CaptureRequest) -> CaptureAuthorization<'_>`
//!    inside `impl crate::Client`, where `'a` is undeclared (E0261). The method becomes
//!    `pub fn capture_authorization<'a>(&'a self, .., body: &'a CaptureRequest) -> CaptureAuthorization<'a>`.
//! 2. A builder named like a model (`CalculateInterest`, `WidgetInit`, `OnlineInit`: the
//!    answers of `calculate_interest`, `widget_init`, `online_init`) shadows the model the
//!    file imports with `use super::models::*`, so `Operation<WidgetInit>` names the builder.
//!    The model is named by its path instead: `Operation<super::models::WidgetInit>`.
//!
//! It also drops the file's inner doc comments (`include!` takes items only).

use std::collections::BTreeSet;
use std::path::Path;

const BUILDERS: &str = "src/generated/builders.rs";
const MODELS: &str = "src/generated/models.rs";

fn main() {
    println!("cargo:rerun-if-changed={BUILDERS}");
    println!("cargo:rerun-if-changed={MODELS}");
    let read = |path: &str| {
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
    };
    let builders = read(BUILDERS);
    let models = read(MODELS);
    let out = std::env::var_os("OUT_DIR").unwrap_or_else(|| panic!("cargo sets OUT_DIR"));
    let target = Path::new(&out).join("builders.rs");
    std::fs::write(&target, patch(&builders, &models))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", target.display()));
}

fn patch(builders: &str, models: &str) -> String {
    let model_names: BTreeSet<&str> = models
        .lines()
        .filter_map(|line| {
            let rest = ["pub struct ", "pub enum ", "pub type "]
                .iter()
                .find_map(|prefix| line.strip_prefix(prefix))?;
            rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
        })
        .collect();
    let clashes: Vec<&str> = builders
        .lines()
        .filter_map(|line| line.strip_prefix("pub struct "))
        .filter_map(|rest| rest.split('<').next())
        .filter(|name| model_names.contains(name))
        .collect();

    let mut out = String::with_capacity(builders.len() + 4096);
    let mut signature: Option<String> = None;
    for line in builders.lines() {
        if line.starts_with("//!") {
            continue;
        }
        let mut line = line.to_owned();
        for name in &clashes {
            for wrapper in ["Operation<", "Response<"] {
                line = line.replace(
                    &format!("{wrapper}{name}>"),
                    &format!("{wrapper}super::models::{name}>"),
                );
            }
        }
        // A method's signature, which rustfmt may spread over several lines.
        if signature.is_none() && line.starts_with("    pub fn ") {
            signature = Some(String::new());
        }
        let Some(text) = &mut signature else {
            out.push_str(&line);
            out.push('\n');
            continue;
        };
        text.push_str(&line);
        text.push('\n');
        if line.ends_with('{') {
            let text = signature.take().unwrap_or_default();
            if text.contains("&self") && text.contains("&'a ") {
                out.push_str(
                    &text
                        .replacen('(', "<'a>(", 1)
                        .replacen("&self", "&'a self", 1)
                        .replacen("<'_>", "<'a>", 1),
                );
            } else {
                out.push_str(&text);
            }
        }
    }
    out
}
