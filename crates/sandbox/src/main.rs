//! `api-sandbox`: the sandbox as a program, for tests and demos in any language
//! (`cargo install api-sandbox --features cli`).
//!
//! It listens on `127.0.0.1:11011` ([`api_sandbox::DEFAULT_PORT`]) unless `--port` says
//! otherwise (`--port 0`: a free port), prints a banner once the port is bound (its first line
//! is always `api-sandbox listening on http://127.0.0.1:PORT`), and serves until SIGINT
//! (Ctrl-C) or SIGTERM, when it shuts the server down and exits 0. `api-sandbox --help` lists
//! the flags; each has an environment variable too.

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use api_sandbox::{DEFAULT_PORT, Sandbox, SandboxConfig};
use clap::Parser;

/// A local emulator of the Netfinity, FlashStart, FL3XX and Flexiti APIs, for tests and demos.
///
/// It serves on 127.0.0.1 until SIGINT (Ctrl-C) or SIGTERM. Its own routes (health, recorded
/// traffic, faults, the clock, provider-initiated traffic) are under /_sandbox. Every flag can
/// be given by its environment variable instead (a flag wins); the values of the variables are
/// never shown here.
#[derive(Debug, Parser)]
#[command(name = "api-sandbox", version)]
struct Options {
    /// Port on 127.0.0.1; 0 picks a free one (the banner's first line names it)
    #[arg(long, value_name = "N", env = "API_SANDBOX_PORT", hide_env_values = true,
          default_value_t = DEFAULT_PORT)]
    port: u16,

    /// Netfinity bearer token that may send SMS
    #[arg(long, value_name = "T", env = "API_SANDBOX_NETFINITY_TOKEN", hide_env_values = true,
          default_value_t = SandboxConfig::default().netfinity.token)]
    netfinity_token: String,

    /// Where Netfinity pingbacks are POSTed (none are sent without it)
    #[arg(
        long,
        value_name = "URL",
        env = "API_SANDBOX_NETFINITY_CALLBACK",
        hide_env_values = true
    )]
    netfinity_callback: Option<String>,

    /// Netfinity requests per minute per token, then 429
    #[arg(long, value_name = "N", env = "API_SANDBOX_NETFINITY_LIMIT", hide_env_values = true,
          default_value_t = SandboxConfig::default().netfinity.limit)]
    netfinity_limit: u32,

    /// FlashStart X-API-KEY
    #[arg(long, value_name = "K", env = "API_SANDBOX_FSFLT_KEY", hide_env_values = true,
          default_value_t = SandboxConfig::default().fsflt.api_key)]
    fsflt_key: String,

    /// FlashStart licences of each code per customer
    #[arg(long, value_name = "N", env = "API_SANDBOX_FSFLT_POOL", hide_env_values = true,
          default_value_t = SandboxConfig::default().fsflt.pool_per_licence)]
    fsflt_pool: u32,

    /// FL3XX X-Api-Client-Id
    #[arg(long, value_name = "ID", env = "API_SANDBOX_FL3XX_CLIENT_ID", hide_env_values = true,
          default_value_t = SandboxConfig::default().fl3xx.client_id)]
    fl3xx_client_id: String,

    /// An FL3XX operator token (X-Auth-Token); repeatable, or comma-separated
    ///
    /// One operator a token: the first has the partner permission. The first token given
    /// replaces the defaults.
    #[arg(long = "fl3xx-token", value_name = "T", env = "API_SANDBOX_FL3XX_TOKENS",
          hide_env_values = true, value_delimiter = ',',
          default_values_t = SandboxConfig::default().fl3xx.tokens)]
    fl3xx_tokens: Vec<String>,

    /// FL3XX requests per minute per token, then 403 (fair use)
    #[arg(long, value_name = "N", env = "API_SANDBOX_FL3XX_FAIR_USE", hide_env_values = true,
          default_value_t = SandboxConfig::default().fl3xx.fair_use_limit)]
    fl3xx_fair_use: u32,

    /// Flexiti OAuth client id, also the client-id path segment
    #[arg(long, value_name = "ID", env = "API_SANDBOX_FLEXITI_CLIENT_ID", hide_env_values = true,
          default_value_t = SandboxConfig::default().flexiti.client_id)]
    flexiti_client_id: String,

    /// Flexiti OAuth client secret
    #[arg(long, value_name = "S", env = "API_SANDBOX_FLEXITI_CLIENT_SECRET", hide_env_values = true,
          default_value_t = SandboxConfig::default().flexiti.client_secret)]
    flexiti_client_secret: String,
}

impl Options {
    /// The sandbox's configuration: the defaults with what the flags changed.
    fn config(&self) -> SandboxConfig {
        let mut config = SandboxConfig::default();
        config.netfinity.token.clone_from(&self.netfinity_token);
        config
            .netfinity
            .callback_url
            .clone_from(&self.netfinity_callback);
        config.netfinity.limit = self.netfinity_limit;
        config.fsflt.api_key.clone_from(&self.fsflt_key);
        config.fsflt.pool_per_licence = self.fsflt_pool;
        config.fl3xx.client_id.clone_from(&self.fl3xx_client_id);
        config.fl3xx.tokens.clone_from(&self.fl3xx_tokens);
        config.fl3xx.fair_use_limit = self.fl3xx_fair_use;
        config.flexiti.client_id.clone_from(&self.flexiti_client_id);
        config
            .flexiti
            .client_secret
            .clone_from(&self.flexiti_client_secret);
        config
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    // Exits 2 on a bad flag, 0 after --help or --version.
    let options = Options::parse();
    let config = options.config();
    // Listening for the signals before the banner: a signal sent as soon as the banner is
    // read must stop the sandbox, not kill it.
    let signals = match Signals::new() {
        Ok(signals) => signals,
        Err(e) => {
            eprintln!("api-sandbox: cannot listen for signals: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, options.port));
    let sandbox = match Sandbox::start_on(addr, config.clone()).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("api-sandbox: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Nobody may be reading (a closed pipe): the output is a courtesy, never a reason to stop.
    let _ = write!(std::io::stdout(), "{}", banner(&sandbox, &config));
    let signal = signals.wait().await;
    let _ = writeln!(std::io::stdout(), "api-sandbox: {signal}, stopping");
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

/// SIGINT and SIGTERM (Ctrl-C alone where there are no Unix signals).
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    /// Starts listening: from here on the signals no longer end the process.
    fn new() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// The first signal's name, once it arrives.
    async fn wait(self) -> &'static str {
        #[cfg(unix)]
        {
            let Signals {
                mut interrupt,
                mut terminate,
            } = self;
            tokio::select! {
                _ = interrupt.recv() => "SIGINT",
                _ = terminate.recv() => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            if let Err(e) = tokio::signal::ctrl_c().await {
                eprintln!("api-sandbox: cannot wait for Ctrl-C: {e}");
            }
            "Ctrl-C"
        }
    }
}

/// What a user needs to point a client at the sandbox: each provider's base URL and
/// credentials, and the sandbox's own routes. The first line is the same in every version.
fn banner(sandbox: &Sandbox, config: &SandboxConfig) -> String {
    let mut out = String::new();
    // `fmt::Write` for a `String` never fails.
    let mut line = |text: std::fmt::Arguments<'_>| {
        let _ = writeln!(out, "{text}");
    };
    let (netfinity, fsflt) = (&config.netfinity, &config.fsflt);
    let (fl3xx, flexiti) = (&config.fl3xx, &config.flexiti);
    line(format_args!(
        "api-sandbox listening on {}",
        sandbox.base_url()
    ));
    line(format_args!(
        "admin      {} (health, requests/, faults/, clock, trigger/: docs/sandbox.md)",
        sandbox.admin_url()
    ));
    line(format_args!("netfinity  {}", sandbox.netfinity_url()));
    line(format_args!("  token          {}", netfinity.token));
    if let Some(limited) = &netfinity.limited_token {
        line(format_args!(
            "  limited token  {limited} (403: no SMS capability)"
        ));
    }
    line(format_args!(
        "  throttle       {} requests per {} s per token",
        netfinity.limit,
        netfinity.window.as_secs()
    ));
    line(format_args!(
        "  pingbacks      {}",
        netfinity.callback_url.as_deref().unwrap_or("off")
    ));
    line(format_args!("fsflt      {}", sandbox.fsflt_url()));
    line(format_args!("  X-API-KEY      {}", fsflt.api_key));
    line(format_args!(
        "  pool           {} licences of each code per customer",
        fsflt.pool_per_licence
    ));
    line(format_args!("fl3xx      {}", sandbox.fl3xx_url()));
    line(format_args!("  X-Api-Client-Id {}", fl3xx.client_id));
    for (i, token) in fl3xx.tokens.iter().enumerate() {
        let role = if i == 0 { "with" } else { "without" };
        line(format_args!(
            "  X-Auth-Token   {token} (operator {role} the partner permission)"
        ));
    }
    line(format_args!(
        "  fair use       {} requests per {} s per token (then 403)",
        fl3xx.fair_use_limit,
        fl3xx.fair_use_window.as_secs()
    ));
    let host = sandbox.flexiti_url();
    line(format_args!("flexiti    {host}"));
    line(format_args!("  POS API        {host}/flexiti/pos-api/v2.5"));
    line(format_args!("  Online API     {host}/flexiti/online-api"));
    line(format_args!("  client id      {}", flexiti.client_id));
    line(format_args!("  client secret  {}", flexiti.client_secret));
    line(format_args!(
        "  tokens         valid {} s; accounts 20076677, 20076678 (frozen), 20076679",
        flexiti.token_lifetime.as_secs()
    ));
    line(format_args!("Press Ctrl-C (or send SIGTERM) to stop."));
    out
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    use super::*;

    fn parse(args: &[&str]) -> Result<Options, clap::Error> {
        Options::try_parse_from(std::iter::once("api-sandbox").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_is_well_formed() {
        Options::command().debug_assert();
    }

    #[test]
    fn parses_every_flag() {
        let options = parse(&[
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
            "--fl3xx-token=op-2,op-3",
            "--fl3xx-fair-use",
            "9",
            "--flexiti-client-id",
            "flx",
            "--flexiti-client-secret=shh",
        ])
        .expect("valid");
        assert_eq!(options.port, 8080);
        let config = options.config();
        assert_eq!(config.netfinity.token, "t");
        assert_eq!(
            config.netfinity.callback_url.as_deref(),
            Some("http://127.0.0.1:9/cb")
        );
        assert_eq!(config.netfinity.limit, 5);
        assert_eq!(config.fsflt.api_key, "k");
        assert_eq!(config.fsflt.pool_per_licence, 7);
        assert_eq!(config.fl3xx.client_id, "cid");
        assert_eq!(config.fl3xx.tokens, ["op-1", "op-2", "op-3"]);
        assert_eq!(config.fl3xx.fair_use_limit, 9);
        assert_eq!(config.flexiti.client_id, "flx");
        assert_eq!(config.flexiti.client_secret, "shh");
    }

    /// No flags: the documented port and exactly the library's defaults.
    #[test]
    fn defaults_without_flags() {
        let options = parse(&[]).expect("valid");
        assert_eq!(options.port, DEFAULT_PORT);
        let (ours, theirs) = (options.config(), SandboxConfig::default());
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        assert_eq!(
            ours.fl3xx.tokens,
            ["sandbox-fl3xx-operator-a", "sandbox-fl3xx-operator-b"]
        );
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            &["--port", "x"][..],
            &["--port", "70000"],
            &["--port"],
            &["--nope"],
            &["--fsflt-pool", "-1"],
            &["--fsflt-key"],
            &["--fl3xx-fair-use", "many"],
            &["--fl3xx-token"],
            &["--flexiti-client-secret"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let help = parse(&["--help"]).expect_err("help is not a run");
        assert_eq!(help.kind(), ErrorKind::DisplayHelp);
    }

    /// Help names every flag and default, but never a secret's environment value.
    #[test]
    fn help_lists_the_flags_and_the_default_port() {
        let help = Options::command().render_long_help().to_string();
        for flag in [
            "--port",
            "--netfinity-token",
            "--netfinity-callback",
            "--netfinity-limit",
            "--fsflt-key",
            "--fsflt-pool",
            "--fl3xx-client-id",
            "--fl3xx-token",
            "--fl3xx-fair-use",
            "--flexiti-client-id",
            "--flexiti-client-secret",
            "[default: 11011]",
            "[env: API_SANDBOX_FSFLT_KEY]",
        ] {
            assert!(help.contains(flag), "{flag} missing from:\n{help}");
        }
    }
}
