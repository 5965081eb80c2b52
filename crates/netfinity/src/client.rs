//! The client and its builder.

use api_core::{Auth, ClientShell, Operation, RateLimit, Response, Result, Transport};
use futures_util::FutureExt;
use futures_util::future::Either;

use crate::generated::operations;
use crate::{Sms, SmsAccepted};

/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.netfinity.bg/v2";

/// The environment variable [`Client::from_env`] reads the token from.
pub const TOKEN_ENV: &str = "NETFINITY_TOKEN";
/// The environment variable [`Client::from_env`] reads an optional base URL from.
pub const BASE_URL_ENV: &str = "NETFINITY_BASE_URL";

/// The client's default pace, in requests a minute. Netfinity documents no number: 60 is the
/// `X-RateLimit-Limit` of the 429 section's example (INFERRED as the real limit). Change it
/// with [`ClientBuilder::rate_limit`]; the server's 429 and `Retry-After` apply either way.
pub const DEFAULT_RATE_LIMIT_PER_MINUTE: u32 = 60;

/// A Netfinity API client. Cheap to clone: clones share the connection pool and the pace.
///
/// ```no_run
/// # async fn run() -> netfinity::Result<()> {
/// let client = netfinity::Client::new("my-token")?;
/// let accepted = client
///     .send_sms(&netfinity::Sms::new("359881234567", "Your code is 1234").with_id("order42"))
///     .await?;
/// println!("queued as {:?}", accepted.uuid);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    // The transport's `Debug` shows no credential.
    transport: Transport,
}

impl Client {
    /// A client for the production API with `token` and the default settings.
    ///
    /// # Errors
    /// [`api_core::Error::Config`] when the token is empty.
    pub fn new(token: impl Into<String>) -> Result<Self> {
        Self::builder().token(token).build()
    }

    /// A client configured from `NETFINITY_TOKEN` and, optionally, `NETFINITY_BASE_URL`.
    ///
    /// # Errors
    /// [`api_core::Error::Config`] when `NETFINITY_TOKEN` is not set.
    pub fn from_env() -> Result<Self> {
        let shell = Self::builder().shell.from_env(TOKEN_ENV, BASE_URL_ENV)?;
        ClientBuilder { shell }.build()
    }

    /// Starts a builder with the defaults: production URL, 60 requests a minute.
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            shell: ClientShell::new(
                "netfinity",
                DEFAULT_BASE_URL,
                concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
                "a Netfinity token",
            )
            .configure(|t| {
                t.rate_limit(RateLimit::per_minute(DEFAULT_RATE_LIMIT_PER_MINUTE))
                    .operations(crate::spec::OPERATIONS)
            }),
        }
    }

    /// Sends one SMS (`POST /sms/notification/send`).
    ///
    /// The message is checked first ([`Sms::validate`]): nothing is sent when it is invalid.
    /// Acceptance means queued, not delivered; delivery arrives as pingbacks.
    ///
    /// Sending is a side effect, so the client repeats it only when the server cannot have
    /// acted (a refused connection, a 429 within the maximum wait) — or when the message has
    /// an `id`: Netfinity rejects a re-used `id` (flood protection, with no time limit), so a
    /// repeat can never deliver twice. If a repeated send reports flood protection in its
    /// pingback, the first attempt went through: [`SmsAccepted::track`] says to match
    /// pingbacks by your `id` then, and by the `uuid` for a message sent once.
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] for a bad message; [`api_core::Error::Api`] with
    /// kind `Unauthorized` (401), `Forbidden` (403: source IP or token capability),
    /// `NotAcceptable` (406), `Validation` (422, with per-field messages) or
    /// `TooManyRequests` (429, with `retry_after`); transport errors and timeouts.
    // A plain `fn` returning the transport's future: an `async fn` would keep its own state
    // around it, copied whole each time the call's future moves (docs/performance.md).
    pub fn send_sms(
        &self,
        sms: &Sms,
    ) -> impl Future<Output = Result<Response<SmsAccepted>>> + use<'_> {
        match Self::operation(sms) {
            // The answer records how many sends it took (`SmsAccepted::track`).
            Ok(operation) => Either::Left(self.transport.execute(operation).map(|sent| {
                sent.map(|response| {
                    let attempts = response.attempts();
                    response.map(|accepted| accepted.sent(attempts))
                })
            })),
            Err(error) => Either::Right(std::future::ready(Err(error))),
        }
    }

    /// The checked message as an operation, keyed by its `id` when it has one.
    fn operation(sms: &Sms) -> Result<Operation<SmsAccepted>> {
        // The generated operation checks the spec's bounds; the alphabet is checked here, so
        // each rule runs once (`Sms::validate` is the same two steps).
        let operation = operations::send_sms(sms)?;
        crate::validate::gsm_alphabet(&sms.text)?;
        Ok(match &sms.id {
            Some(id) => operation.map_request(|request| request.idempotency_key(id)),
            None => operation,
        })
    }

    /// The underlying transport (for advanced use and tests).
    pub fn transport(&self) -> &Transport {
        &self.transport
    }
}

/// Builds a [`Client`].
///
/// ```
/// use std::time::Duration;
/// let client = netfinity::Client::builder()
///     .token("my-token")
///     .base_url("http://127.0.0.1:8080/netfinity/v2")
///     .configure(|t| t.request_timeout(Duration::from_secs(5)))
///     .build()?;
/// # let _ = client;
/// # Ok::<(), netfinity::Error>(())
/// ```
#[derive(Debug)]
pub struct ClientBuilder {
    // The shell's `Debug` redacts the token.
    shell: ClientShell,
}

impl ClientBuilder {
    /// The bearer token of the SMS service.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.shell = self.shell.credential(token);
        self
    }

    api_core::shell_methods!();

    /// Client-side pace; `None` turns it off (the server's 429 still applies).
    /// Default: [`DEFAULT_RATE_LIMIT_PER_MINUTE`] (60 a minute, evenly spaced), the figure of
    /// the documents' 429 example, not a documented limit.
    pub fn rate_limit(mut self, limit: impl Into<Option<RateLimit>>) -> Self {
        let limit = limit.into();
        self.shell = self.shell.configure(|t| t.rate_limit(limit));
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`api_core::Error::Config`] when the token is missing or empty, or the base URL is
    /// malformed or plain `http://` to a remote host.
    pub fn build(self) -> Result<Client> {
        let (token, transport) = self.shell.finish()?;
        Ok(Client {
            transport: transport.auth(Auth::bearer(token)).build()?,
        })
    }
}
