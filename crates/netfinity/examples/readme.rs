//! The README's example, kept compiling: `cargo xtask test` checks that README.md shows this
//! file's code verbatim (everything below this comment).
//!
//! ```text
//! NETFINITY_TOKEN=... cargo run -p netfinity --example readme
//! ```

use netfinity::{Client, ErrorKind, Sms};

#[tokio::main]
async fn main() -> Result<(), netfinity::Error> {
    let client = Client::new(std::env::var("NETFINITY_TOKEN").unwrap_or_default())?;
    let sms = Sms::new("359881234567", "Your code is 1234").with_id("order42");
    match client.send_sms(&sms).await {
        Ok(accepted) => println!("queued as {:?}", accepted.uuid),
        Err(e) if e.kind() == Some(ErrorKind::TooManyRequests) => {
            println!("throttled; retry in {:?}", e.retry_after())
        }
        Err(e) => return Err(e),
    }
    Ok(())
}
