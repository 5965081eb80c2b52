//! Sends one SMS: the example of docs/providers/netfinity.md (checked verbatim by `cargo xtask
//! test`). Talks to a local sandbox unless `NETFINITY_TOKEN` (and optionally
//! `NETFINITY_BASE_URL`) is set.
//!
//! ```text
//! cargo run -p netfinity --example netfinity-quickstart -- 359881234567 "Your code is 1234"
//! ```

use netfinity::{Client, Sms};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let msisdn = args.next().unwrap_or_else(|| "359881234567".to_owned());
    let text = args
        .next()
        .unwrap_or_else(|| "Hello from the netfinity crate".to_owned());

    let (client, sandbox) = if std::env::var_os(netfinity::TOKEN_ENV).is_some() {
        (Client::from_env()?, None)
    } else {
        let config = api_sandbox::SandboxConfig::default();
        let sandbox = api_sandbox::Sandbox::start(config.clone()).await?;
        println!(
            "no {} set: using the sandbox at {}",
            netfinity::TOKEN_ENV,
            sandbox.netfinity_url()
        );
        let client = Client::builder()
            .token(config.netfinity.token)
            .base_url(sandbox.netfinity_url())
            .build()?;
        (client, Some(sandbox))
    };

    match client.send_sms(&Sms::new(msisdn, text)).await {
        Ok(accepted) => println!("accepted: uuid {:?}", accepted.uuid),
        Err(e) => println!("not sent: {e}"),
    }
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await;
    }
    Ok(())
}
