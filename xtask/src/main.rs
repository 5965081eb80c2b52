//! Workspace automation: `cargo xtask <command>` (the alias lives in `.cargo/config.toml`).

mod codegen;
mod demo;
mod release;
mod run;
mod test;
mod tidy;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  test               everything CI checks
  codegen [--check]  regenerate crates/*/src/generated/ from specs/*.yaml
                     (--check: fail when the committed files differ)
  demo               run the demo against the sandbox
  release plan [--bump patch|minor|major]
                     print the publishable crates, their next versions, publish order
  release --dry-run [--crate NAME] [--bump patch|minor|major]
                     bump, move CHANGELOGs and package in a temporary copy (never publishes;
                     see docs/releasing.md)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["test"] => test::run(),
        ["codegen"] => codegen::run(false),
        ["codegen", "--check"] => codegen::run(true),
        ["demo"] => demo::run(),
        ["release", rest @ ..] => release::run(rest),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown arguments {args:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
