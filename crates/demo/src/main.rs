//! The main job, offline: every provider's flow through its real client crate against the
//! sandbox, printed as a short transcript. Exits non-zero when any step does not behave as
//! the provider documents. Run it with `cargo xtask demo`.
//!
//! `cargo xtask demo --redis URL --workers N` runs the shared-limit demo instead: N worker
//! processes sharing one Netfinity budget through Redis (`shared_limit.rs`).

mod fl3xx_flow;
mod flexiti_flow;
mod fsflt_flow;
mod metrics;
mod netfinity_flow;
mod shared_limit;
mod transcript;

use std::process::ExitCode;

use transcript::Transcript;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match shared_limit::Options::parse(&args) {
        Ok(Some(options)) => return shared_limit::run(options).await,
        Ok(None) => {}
        Err(e) => {
            eprintln!("demo: {e}");
            return ExitCode::FAILURE;
        }
    }
    let recorder = metrics::install();
    let mut transcript = Transcript::default();
    if let Err(e) = netfinity_flow::run(&mut transcript).await {
        transcript.fail(format!("netfinity flow aborted: {e}"));
    }
    if let Err(e) = fsflt_flow::run(&mut transcript).await {
        transcript.fail(format!("fsflt flow aborted: {e}"));
    }
    if let Err(e) = fl3xx_flow::run(&mut transcript).await {
        transcript.fail(format!("fl3xx flow aborted: {e}"));
    }
    if let Err(e) = flexiti_flow::run(&mut transcript).await {
        transcript.fail(format!("flexiti flow aborted: {e}"));
    }
    metrics::show(&mut transcript, recorder.as_ref());
    transcript.finish()
}
