//! A stateful local emulator of third-party APIs, for tests and demos without credentials.
//!
//! [`Sandbox::start`] serves every emulated provider from one [axum] server on a free loopback
//! port, each under its own path prefix:
//!
//! | provider | base URL |
//! |---|---|
//! | Netfinity (SMS notification v2) | [`Sandbox::netfinity_url`] — `http://127.0.0.1:PORT/netfinity/v2` |
//! | FlashStart reseller API ("fsflt") | [`Sandbox::fsflt_url`] — `http://127.0.0.1:PORT/fsflt` |
//! | FL3XX API v2 | [`Sandbox::fl3xx_url`] — `http://127.0.0.1:PORT/fl3xx` |
//! | Flexiti POS API v2.5/v2.5.1 and Online API | [`Sandbox::flexiti_url`] — `http://127.0.0.1:PORT/flexiti-sandbox` (the host; `/flexiti/pos-api/...` and `/flexiti/online-api/...` follow) |
//!
//! The sandbox keeps what it saw and what it did (requests, accepted messages, callbacks it
//! made, customers and licences, flights and webhook deliveries, account balances), readable
//! through each provider's handle ([`Sandbox::netfinity`], [`Sandbox::fsflt`],
//! [`Sandbox::fl3xx`], [`Sandbox::flexiti`]), so a test can assert the exact wire traffic of a
//! client.
//!
//! ```no_run
//! use api_sandbox::{NetfinityConfig, Sandbox, SandboxConfig};
//!
//! # async fn run() -> std::io::Result<()> {
//! let config = SandboxConfig {
//!     netfinity: NetfinityConfig {
//!         limit: 5,
//!         callback_url: Some("http://127.0.0.1:9000/pingbacks".into()),
//!         ..NetfinityConfig::default()
//!     },
//!     ..SandboxConfig::default()
//! };
//! let sandbox = Sandbox::start(config).await?;
//! println!("Netfinity at {}", sandbox.netfinity_url());
//! println!("FlashStart at {}", sandbox.fsflt_url());
//! // ... point a client at it, then:
//! println!("{} requests", sandbox.netfinity().requests().len());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod admin;
mod common;
mod fl3xx;
mod flexiti;
mod fsflt;
// The whole table of each spec is generated; the routes read the facts they check (page
// bounds, scopes) from it, and issue #20 routes every operation by it.
#[allow(dead_code)]
mod generated;
mod http_client;
mod netfinity;
pub mod schema;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use axum::Router;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use admin::ADMIN_PREFIX;
pub use common::clock::Clock;
pub use common::faults::{Fault, FaultKind, Faults};
pub use common::recorded::RecordedRequest;
pub use fl3xx::{Fl3xxConfig, Fl3xxHandle, WebhookDeliveryRecord};
pub use flexiti::{FlexitiConfig, FlexitiHandle};
pub use fsflt::{FsfltConfig, FsfltHandle, SandboxCustomer, SandboxLicence};
pub use netfinity::{AcceptedSms, NetfinityConfig, NetfinityHandle, PingbackRecord};

/// The port the `api-sandbox` binary listens on unless told otherwise (`--port`; `--port 0`
/// picks a free one). [`Sandbox::start`] always takes a free port.
///
/// 11011: above 1023 (no privilege needed), below every operating system's ephemeral range
/// (Linux from 32768, Windows and macOS from 49152), so an outgoing connection is never given
/// it, and it is the default of no development server, database or mock we know of
/// (stripe-mock's are 12111 and 12112); `/etc/services` does not name it.
pub const DEFAULT_PORT: u16 = 11011;

/// How long [`Sandbox::shutdown`] waits for open connections to finish before it cuts them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The configuration of every emulated provider.
#[derive(Debug, Clone, Default)]
pub struct SandboxConfig {
    /// The Netfinity emulator, served under `/netfinity/v2`.
    pub netfinity: NetfinityConfig,
    /// The FlashStart reseller API emulator, served under `/fsflt`.
    pub fsflt: FsfltConfig,
    /// The FL3XX API v2 emulator, served under `/fl3xx`.
    pub fl3xx: Fl3xxConfig,
    /// The Flexiti POS and Online API emulator, served under `/flexiti-sandbox`.
    pub flexiti: FlexitiConfig,
}

/// A running sandbox server.
///
/// Dropping it stops the server too (without waiting); prefer [`Sandbox::shutdown`], which
/// waits for the server to finish. Outstanding callbacks (Netfinity pingbacks, FL3XX webhook
/// deliveries) are cancelled either way.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    netfinity: NetfinityHandle,
    fsflt: FsfltHandle,
    fl3xx: Fl3xxHandle,
    flexiti: FlexitiHandle,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
}

/// The client the environment configures, or else one for a sandbox started here: how the
/// examples run against the real API when credentials are set and offline otherwise. Keep
/// the returned sandbox alive as long as the client is used.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// // With a client crate: `or_sandbox(netfinity::Client::from_env, |sandbox, config| ...)`,
/// // building the client from `sandbox.netfinity_url()` and `config.netfinity.token`.
/// let (base_url, _sandbox) = api_sandbox::or_sandbox(
///     || std::env::var("NETFINITY_BASE_URL"),
///     |sandbox, _config| Ok(sandbox.netfinity_url()),
/// )
/// .await?;
/// println!("sending to {base_url}");
/// # Ok(()) }
/// ```
///
/// # Errors
/// When the sandbox cannot start, or `build` fails.
pub async fn or_sandbox<C, E>(
    from_env: impl FnOnce() -> Result<C, E>,
    build: impl FnOnce(&Sandbox, &SandboxConfig) -> Result<C, Box<dyn std::error::Error>>,
) -> Result<(C, Option<Sandbox>), Box<dyn std::error::Error>> {
    if let Ok(client) = from_env() {
        return Ok((client, None));
    }
    let config = SandboxConfig::default();
    let sandbox = Sandbox::start(config.clone()).await?;
    let client = build(&sandbox, &config)?;
    Ok((client, Some(sandbox)))
}

impl Sandbox {
    /// Starts a sandbox on a free port of `127.0.0.1`, serving in a spawned task.
    ///
    /// # Errors
    /// When the listener cannot be bound.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config).await
    }

    /// Starts a sandbox on `addr` (port 0 picks a free port), serving in a spawned task.
    ///
    /// # Errors
    /// When the listener cannot be bound.
    pub async fn start_on(addr: SocketAddr, config: SandboxConfig) -> std::io::Result<Sandbox> {
        let (stop, stopped) = watch::channel(false);
        let clock = Clock::default();
        let netfinity = NetfinityHandle::new(config.netfinity, stopped.clone(), clock.clone());
        let fsflt = FsfltHandle::new(config.fsflt, clock.clone());
        let fl3xx = Fl3xxHandle::new(config.fl3xx, stopped.clone(), clock.clone());
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let flexiti = FlexitiHandle::new(config.flexiti, &loopback_url(addr), clock.clone());
        let app = router(
            netfinity.clone(),
            fsflt.clone(),
            fl3xx.clone(),
            flexiti.clone(),
        );
        let app = admin::mount(
            app,
            admin::Emulators {
                netfinity: netfinity.clone(),
                fsflt: fsflt.clone(),
                fl3xx: fl3xx.clone(),
                flexiti: flexiti.clone(),
                clock: clock.clone(),
                base_url: loopback_url(addr),
            },
        );
        let mut shutdown = stopped;
        let server = tokio::spawn(async move {
            let result = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    // Resolves on `true`, and also when the sender is gone.
                    let _ = shutdown.wait_for(|stop| *stop).await;
                })
                .await;
            if let Err(error) = result {
                tracing::warn!(%error, "api-sandbox server stopped");
            }
        });
        Ok(Sandbox {
            addr,
            netfinity,
            fsflt,
            fl3xx,
            flexiti,
            stop,
            server: Some(server),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's base URL, `http://127.0.0.1:PORT` (an unspecified bind address such as
    /// `0.0.0.0` is reported as loopback, so the URL is always usable locally).
    pub fn base_url(&self) -> String {
        loopback_url(self.addr)
    }

    /// The Netfinity base URL, `http://127.0.0.1:PORT/netfinity/v2` (the real one is
    /// `https://api.netfinity.bg/v2`).
    pub fn netfinity_url(&self) -> String {
        format!("{}{}", self.base_url(), netfinity::PREFIX)
    }

    /// The Netfinity emulator's state: what it received, accepted and called back.
    pub fn netfinity(&self) -> NetfinityHandle {
        self.netfinity.clone()
    }

    /// The FlashStart reseller API base URL, `http://127.0.0.1:PORT/fsflt` (the real one is
    /// `https://api.fsflt.net`).
    pub fn fsflt_url(&self) -> String {
        format!("{}{}", self.base_url(), fsflt::PREFIX)
    }

    /// The FlashStart emulator's state: what it received, the customers and licences.
    pub fn fsflt(&self) -> FsfltHandle {
        self.fsflt.clone()
    }

    /// The FL3XX base URL, `http://127.0.0.1:PORT/fl3xx` (the real sandbox is
    /// `https://test.fl3xx.com`); the client appends `/api/v2/...`.
    pub fn fl3xx_url(&self) -> String {
        format!("{}{}", self.base_url(), fl3xx::PREFIX)
    }

    /// The FL3XX emulator's state: requests, flights, webhook deliveries.
    pub fn fl3xx(&self) -> Fl3xxHandle {
        self.fl3xx.clone()
    }

    /// The sandbox's clock, shared by every emulator: `advance` it to pass a token's lifetime,
    /// a throttle, fair-use or flood window or a subscription's expiry without sleeping.
    pub fn clock(&self) -> Clock {
        self.netfinity.clock().clone()
    }

    /// Every emulator back to the state the sandbox started with (`POST /_sandbox/reset`):
    /// recorded requests, data, pending faults and revoked credentials are forgotten; the
    /// clock stays where it is. One long-running sandbox can serve many tests this way.
    pub fn reset(&self) {
        self.netfinity.reset();
        self.fsflt.reset();
        self.fl3xx.reset();
        self.flexiti.reset();
    }

    /// The sandbox's own routes: `{base}/_sandbox/health` (each provider's base URL) and
    /// `{base}/_sandbox/requests/{provider}` (the recorded requests, credentials redacted).
    pub fn admin_url(&self) -> String {
        format!("{}{}", self.base_url(), ADMIN_PREFIX)
    }

    /// The Flexiti host URL, `http://127.0.0.1:PORT/flexiti-sandbox`: a client uses it in
    /// place of both real hosts (`https://posapi-training.flexiti.fi` and
    /// `https://onlineapi.flexiti.fi`) and appends the real paths,
    /// `/flexiti/pos-api/v2.5/...`, `/flexiti/pos-api/v2.5.1/...` and
    /// `/flexiti/online-api/...`.
    pub fn flexiti_url(&self) -> String {
        format!("{}{}", self.base_url(), flexiti::PREFIX)
    }

    /// The Flexiti emulator's state: requests, tokens, account balances, online orders.
    pub fn flexiti(&self) -> FlexitiHandle {
        self.flexiti.clone()
    }

    /// Stops the server gracefully: no new connections, open ones finish (for at most 5 s),
    /// and outstanding callbacks are cancelled.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        if let Some(mut server) = self.server.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut server)
                .await
                .is_err()
        {
            server.abort();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// `http://ADDR`, with an unspecified address reported as loopback.
fn loopback_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// Every provider under its own prefix.
fn router(
    netfinity: NetfinityHandle,
    fsflt: FsfltHandle,
    fl3xx: Fl3xxHandle,
    flexiti: FlexitiHandle,
) -> Router {
    let app = netfinity::mount(Router::new(), netfinity);
    flexiti::mount(fl3xx::mount(fsflt::mount(app, fsflt), fl3xx), flexiti)
}
