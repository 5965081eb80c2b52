//! `api-sandbox`: runs the sandbox on loopback until Ctrl-C.
//!
//! ```text
//! api-sandbox [--port N] [--netfinity-token T] [--netfinity-callback URL] [--netfinity-limit N]
//!             [--fsflt-key K] [--fsflt-pool N]
//!             [--fl3xx-client-id ID] [--fl3xx-token T]... [--fl3xx-fair-use N]
//!             [--flexiti-client-id ID] [--flexiti-client-secret S]
//! ```

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use api_sandbox::{Sandbox, SandboxConfig};

const USAGE: &str = "\
api-sandbox: a local emulator of third-party APIs (Netfinity, FlashStart, FL3XX, Flexiti), for
tests and demos.

Usage: api-sandbox [OPTIONS]

Options:
  --port N                    port on 127.0.0.1 (default 0: a free port)
  --netfinity-token T         bearer token that may send SMS (default sandbox-netfinity-token)
  --netfinity-callback URL    where Netfinity pingbacks are POSTed (default: none sent)
  --netfinity-limit N         Netfinity requests per minute per token (default 60)
  --fsflt-key K               FlashStart X-API-KEY (default sandbox-fsflt-key)
  --fsflt-pool N              FlashStart licences of each code per customer (default 3)
  --fl3xx-client-id ID        FL3XX X-Api-Client-Id (default sandbox-fl3xx-client)
  --fl3xx-token T             an FL3XX operator token (X-Auth-Token); repeat for more operators,
                              the first has the partner permission (default
                              sandbox-fl3xx-operator-a and sandbox-fl3xx-operator-b)
  --fl3xx-fair-use N          FL3XX requests per minute per token before 403 (default 60)
  --flexiti-client-id ID      Flexiti OAuth client id and client-id path segment (default
                              sandbox-flexiti)
  --flexiti-client-secret S   Flexiti OAuth client secret (default sandbox-flexiti-secret)
  -h, --help                  print this help";

struct Options {
    port: u16,
    config: SandboxConfig,
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options {
        port: 0,
        config: SandboxConfig::default(),
    };
    let mut args = args.into_iter();
    // The first --fl3xx-token replaces the default tokens; later ones add to it.
    let mut fl3xx_tokens_given = false;
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" => {
                let v = value()?;
                options.port = v
                    .parse()
                    .map_err(|_| format!("--port: not a port: {v:?}"))?;
            }
            "--netfinity-token" => options.config.netfinity.token = value()?,
            "--netfinity-callback" => options.config.netfinity.callback_url = Some(value()?),
            "--netfinity-limit" => {
                let v = value()?;
                options.config.netfinity.limit = v
                    .parse()
                    .map_err(|_| format!("--netfinity-limit: not a count: {v:?}"))?;
            }
            "--fsflt-key" => options.config.fsflt.api_key = value()?,
            "--fsflt-pool" => {
                let v = value()?;
                options.config.fsflt.pool_per_licence = v
                    .parse()
                    .map_err(|_| format!("--fsflt-pool: not a count: {v:?}"))?;
            }
            "--fl3xx-client-id" => options.config.fl3xx.client_id = value()?,
            "--fl3xx-token" => {
                let token = value()?;
                if !fl3xx_tokens_given {
                    options.config.fl3xx.tokens.clear();
                    fl3xx_tokens_given = true;
                }
                options.config.fl3xx.tokens.push(token);
            }
            "--fl3xx-fair-use" => {
                let v = value()?;
                options.config.fl3xx.fair_use_limit = v
                    .parse()
                    .map_err(|_| format!("--fl3xx-fair-use: not a count: {v:?}"))?;
            }
            "--flexiti-client-id" => options.config.flexiti.client_id = value()?,
            "--flexiti-client-secret" => options.config.flexiti.client_secret = value()?,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(options))
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("api-sandbox: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let netfinity = options.config.netfinity.clone();
    let fsflt = options.config.fsflt.clone();
    let fl3xx = options.config.fl3xx.clone();
    let flexiti = options.config.flexiti.clone();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, options.port));
    let sandbox = match Sandbox::start_on(addr, options.config).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("api-sandbox: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("api-sandbox listening on {}", sandbox.base_url());
    println!(
        "admin      {0}/health, {0}/requests/{{provider}} (credentials redacted)",
        sandbox.admin_url()
    );
    println!("netfinity  {}", sandbox.netfinity_url());
    println!("  token          {}", netfinity.token);
    if let Some(limited) = &netfinity.limited_token {
        println!("  limited token  {limited} (403: no SMS capability)");
    }
    println!(
        "  throttle       {} requests per {} s per token",
        netfinity.limit,
        netfinity.window.as_secs()
    );
    println!(
        "  pingbacks      {}",
        netfinity.callback_url.as_deref().unwrap_or("off")
    );
    println!("fsflt      {}", sandbox.fsflt_url());
    println!("  X-API-KEY      {}", fsflt.api_key);
    println!(
        "  pool           {} licences of each code per customer",
        fsflt.pool_per_licence
    );
    println!("fl3xx      {}", sandbox.fl3xx_url());
    println!("  X-Api-Client-Id {}", fl3xx.client_id);
    for (i, token) in fl3xx.tokens.iter().enumerate() {
        let role = if i == 0 {
            "operator with the partner permission"
        } else {
            "operator without the partner permission"
        };
        println!("  X-Auth-Token   {token} ({role})");
    }
    println!(
        "  fair use       {} requests per {} s per token (then 403)",
        fl3xx.fair_use_limit,
        fl3xx.fair_use_window.as_secs()
    );
    println!("flexiti    {}", sandbox.flexiti_url());
    println!(
        "  POS API        {}/flexiti/pos-api/v2.5",
        sandbox.flexiti_url()
    );
    println!(
        "  Online API     {}/flexiti/online-api",
        sandbox.flexiti_url()
    );
    println!("  client id      {}", flexiti.client_id);
    println!("  client secret  {}", flexiti.client_secret);
    println!(
        "  tokens         valid {} s; accounts 20076677, 20076678 (frozen), 20076679",
        flexiti.token_lifetime.as_secs()
    );
    println!("Press Ctrl-C to stop.");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("api-sandbox: cannot wait for Ctrl-C: {e}");
    }
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_flags() {
        let options = parse(args(&[
            "--port",
            "8080",
            "--netfinity-token=t",
            "--netfinity-callback",
            "http://127.0.0.1:9/cb",
            "--netfinity-limit",
            "5",
            "--fsflt-key",
            "k",
            "--fsflt-pool=7",
            "--fl3xx-client-id",
            "cid",
            "--fl3xx-token",
            "op-1",
            "--fl3xx-token=op-2",
            "--fl3xx-fair-use",
            "9",
            "--flexiti-client-id",
            "flx",
            "--flexiti-client-secret=shh",
        ]))
        .expect("valid")
        .expect("not help");
        assert_eq!(options.port, 8080);
        assert_eq!(options.config.netfinity.token, "t");
        assert_eq!(
            options.config.netfinity.callback_url.as_deref(),
            Some("http://127.0.0.1:9/cb")
        );
        assert_eq!(options.config.netfinity.limit, 5);
        assert_eq!(options.config.fsflt.api_key, "k");
        assert_eq!(options.config.fsflt.pool_per_licence, 7);
        assert_eq!(options.config.fl3xx.client_id, "cid");
        assert_eq!(options.config.fl3xx.tokens, ["op-1", "op-2"]);
        assert_eq!(options.config.fl3xx.fair_use_limit, 9);
        assert_eq!(options.config.flexiti.client_id, "flx");
        assert_eq!(options.config.flexiti.client_secret, "shh");
    }

    #[test]
    fn fl3xx_defaults_without_flags() {
        let options = parse(args(&[])).expect("valid").expect("not help");
        assert_eq!(
            options.config.fl3xx.tokens,
            ["sandbox-fl3xx-operator-a", "sandbox-fl3xx-operator-b"]
        );
    }

    #[test]
    fn rejects_bad_input() {
        assert!(parse(args(&["--port", "x"])).is_err());
        assert!(parse(args(&["--port"])).is_err());
        assert!(parse(args(&["--nope"])).is_err());
        assert!(parse(args(&["--fsflt-pool", "-1"])).is_err());
        assert!(parse(args(&["--fsflt-key"])).is_err());
        assert!(parse(args(&["--fl3xx-fair-use", "many"])).is_err());
        assert!(parse(args(&["--fl3xx-token"])).is_err());
        assert!(parse(args(&["--flexiti-client-secret"])).is_err());
        assert!(parse(args(&["--help"])).expect("help").is_none());
    }
}
