//! The main job, offline: every provider's flow through its real client crate against the
//! sandbox, printed as a short transcript. Exits non-zero when any step does not behave as
//! the provider documents. Run it with `cargo xtask demo`.

mod fl3xx_flow;
mod flexiti_flow;
mod fsflt_flow;
mod netfinity_flow;
mod transcript;

use std::process::ExitCode;

use transcript::Transcript;

#[tokio::main]
async fn main() -> ExitCode {
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
    transcript.finish()
}
