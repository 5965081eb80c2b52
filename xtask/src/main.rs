//! Workspace automation: `cargo xtask <command>` (the alias lives in `.cargo/config.toml`).

mod bench;
mod codegen;
mod demo;
mod fuzz;
mod msrv;
mod package;
mod release;
mod run;
mod test;
mod tidy;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  test               the loop: fmt, codegen drift, msrv, clippy, one build, tests, docs,
                     demo, bench (quick); CI also runs `fuzz --seconds 2` and `package`
  codegen [--check]  regenerate crates/*/src/generated/ from specs/*.yaml
                     (--check: fail when the committed files differ)
  msrv               the MSRV check `test` runs: every dependency's rust-version fits
                     ours (clippy's incompatible_msrv checks the standard library)
  demo [--redis URL --workers N [--sends M]]
                     run the demo against the sandbox (with --redis: N worker processes
                     sharing one rate limit through Redis; see docs/scaling.md)
  bench [--quick] [--no-compile] [--compare FILE]
                     clients vs hand-written baselines: overhead, throughput, decoding,
                     token, paging, compile time (see docs/performance.md)
  fuzz [--seconds N | --smoke] [--runs N] [--target NAME]... [--list]
                     build the fuzz targets on stable and run each (see docs/reliability.md)
  package            cargo package of every publishable crate, each verified by a build
                     from its tarball (offline; the user's cargo home is left alone)
  release plan [--bump none|patch|minor|major]
                     print the publishable crates, their next versions, publish order
  release --dry-run [--crate NAME] [--bump ...] [--offline]
                     bump, move CHANGELOGs, check and package in a temporary copy (never
                     publishes; see docs/releasing.md)
  release [--crate NAME] [--bump ...] --yes
                     the real release: edit, test, commit, publish in order, tag";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["test"] => test::run(),
        ["codegen"] => codegen::run(false),
        ["codegen", "--check"] => codegen::run(true),
        ["msrv"] => msrv::run(),
        ["demo", rest @ ..] => demo::run(rest),
        ["bench", rest @ ..] => bench::run(rest),
        ["fuzz", rest @ ..] => fuzz::run(rest),
        ["package", rest @ ..] => package::run(rest),
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
