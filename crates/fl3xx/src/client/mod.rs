//! The partner client and its per-operator clients. The operations are the generated request
//! builders (`builders.rs`); the submodules hold the policy they cannot state (fuel-price
//! answers that may be empty, subscription renewal).

use std::fmt;
use std::future::Future;

use api_core::{Auth, ClientShell, Execute, Operation, Response, Result, Transport};
use futures_util::FutureExt;
use serde::de::DeserializeOwned;

use crate::errors::{FAIR_USE_INTERVAL, Fl3xxErrors};
use crate::*;

mod fuel;
mod webhooks;

/// FL3XX's test server.
pub const TEST_BASE_URL: &str = "https://test.fl3xx.com";
/// The environment variable [`Fl3xx::from_env`] reads the partner's client id from.
pub const CLIENT_ID_ENV: &str = "FL3XX_CLIENT_ID";
/// The environment variable [`OperatorClient::from_env`] reads an operator token from.
pub const TOKEN_ENV: &str = "FL3XX_TOKEN";
/// The environment variable both read an optional base URL from.
pub const BASE_URL_ENV: &str = "FL3XX_BASE_URL";

const CLIENT_ID_HEADER: &str = "X-Api-Client-Id";
const TOKEN_HEADER: &str = "X-Auth-Token";

/// The partner application: holds the client id and one connection pool, and hands out a
/// client per operator connection.
///
/// ```no_run
/// # async fn run() -> fl3xx::Result<()> {
/// let fl3xx = fl3xx::Fl3xx::builder().client_id("partner-id").build()?;
/// // One token per operator connection; all of them share one pool.
/// let acme = fl3xx.for_operator("token-acme")?;
/// let globex = fl3xx.for_operator("token-globex")?;
/// println!("{:?}", acme.get_airport("LOWW").send().await?.name);
/// # let _ = globex; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Fl3xx {
    partner: Transport,
    client_id: String,
}

impl fmt::Debug for Fl3xx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fl3xx")
            .field("transport", &self.partner)
            .finish_non_exhaustive()
    }
}

impl Fl3xx {
    /// Starts a builder (test server by default: set the production host of your region).
    pub fn builder() -> Fl3xxBuilder {
        Fl3xxBuilder {
            shell: ClientShell::new(
                "fl3xx",
                TEST_BASE_URL,
                concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
                "an FL3XX client id",
            )
            .configure(|t| {
                t.error_decoder(Fl3xxErrors)
                    // The fair-use wait is 10 minutes by design: above api-core's default
                    // ceiling on a server-imposed pause, and the ceiling here.
                    .max_server_pause(FAIR_USE_INTERVAL)
                    .operations(crate::spec::OPERATIONS)
            }),
        }
    }

    /// A partner client from `FL3XX_CLIENT_ID` and, optionally, `FL3XX_BASE_URL`.
    ///
    /// # Errors
    /// [`api_core::Error::Config`] when `FL3XX_CLIENT_ID` is not set.
    pub fn from_env() -> Result<Self> {
        let shell = Self::builder()
            .shell
            .from_env(CLIENT_ID_ENV, BASE_URL_ENV)?;
        Fl3xxBuilder { shell }.build()
    }

    /// A client for one operator connection: its token goes with the client id on every call.
    /// It shares this client's connection pool and has its own pace and retry budget (one
    /// fair-use budget per connection).
    ///
    /// # Errors
    /// [`api_core::Error::Config`] when the token is empty or not a valid header value.
    pub fn for_operator(&self, token: impl Into<String>) -> Result<OperatorClient> {
        let token = token.into();
        if token.trim().is_empty() {
            return Err(api_core::Error::Config(
                "an operator token is required".into(),
            ));
        }
        let transport = self.partner.with_auth(Auth::api_keys([
            (CLIENT_ID_HEADER, self.client_id.clone()),
            (TOKEN_HEADER, token.clone()),
        ])?)?;
        // v1 is the same connection: it spends the same fair-use budget.
        let v1 = transport.with_auth_sharing_limits(Auth::api_key(TOKEN_HEADER, token)?)?;
        Ok(OperatorClient {
            transport,
            v1: V1Client::new(v1),
        })
    }
}

/// Builds a [`Fl3xx`] partner client.
#[derive(Debug)]
pub struct Fl3xxBuilder {
    // The shell's `Debug` redacts the client id.
    shell: ClientShell,
}

impl Fl3xxBuilder {
    /// The partner application's `X-Api-Client-Id`.
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.shell = self.shell.credential(id);
        self
    }

    api_core::shell_methods!();

    /// Builds the partner client.
    ///
    /// # Errors
    /// [`api_core::Error::Config`] when the client id is missing, or the base URL is
    /// malformed or plain `http://` to a remote host.
    pub fn build(self) -> Result<Fl3xx> {
        let (client_id, transport) = self.shell.finish()?;
        let partner = transport
            .auth(Auth::api_key(CLIENT_ID_HEADER, client_id.clone())?)
            .build()?;
        Ok(Fl3xx { partner, client_id })
    }
}

/// The client of one operator connection. Cheap to clone.
///
/// Each v2 operation is a method of its `operationId` returning a request builder
/// ([`builders`](crate::builders)): `operator.get_airport("LOWW").send().await`.
#[derive(Clone)]
pub struct OperatorClient {
    transport: Transport,
    /// The same connection for API v1, which takes `X-Auth-Token` alone.
    v1: V1Client,
}

impl fmt::Debug for OperatorClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OperatorClient")
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

/// The v2 calls go through the operator's transport: both headers, its limiter and retry
/// budget.
impl Execute for OperatorClient {
    fn execute<T: DeserializeOwned + Send + 'static>(
        &self,
        operation: Operation<T>,
    ) -> impl Future<Output = Result<Response<T>>> + Send {
        self.transport.execute(operation)
    }
}

impl OperatorClient {
    /// An operator client from `FL3XX_CLIENT_ID`, `FL3XX_TOKEN` and optionally
    /// `FL3XX_BASE_URL`.
    ///
    /// # Errors
    /// [`api_core::Error::Config`] when a variable is missing.
    pub fn from_env() -> Result<Self> {
        let token = std::env::var(TOKEN_ENV)
            .map_err(|_| api_core::Error::Config(format!("{TOKEN_ENV} is not set")))?;
        Fl3xx::from_env()?.for_operator(token)
    }

    /// The underlying v2 transport.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// For answers that may be empty although the model has required fields. A plain
    /// function returning the transport's future, not an `async fn` (api-core's transport
    /// explains the cost).
    fn call_or_empty<T: DeserializeOwned + Send + 'static>(
        &self,
        operation: Result<Operation<T>>,
    ) -> impl Future<Output = Result<Response<Option<T>>>> + Send + '_ {
        let operation =
            operation.map(|op| Operation::<api_core::OrEmpty<T>>::new(op.into_request()));
        api_core::send(self, operation).map(|sent| sent.map(|response| response.map(|body| body.0)))
    }

    // API v1.

    /// The v1 ("external") reads of this operator connection: sent with `X-Auth-Token` alone,
    /// through this client's limiter and retry budget (a fair-use pause holds back both APIs).
    pub fn v1(&self) -> V1Client {
        self.v1.clone()
    }

    // The resource behind a webhook.

    /// The flight a webhook notification points at. API v2 has no flight-by-id read, so this
    /// uses v1's `GET /api/external/flight/{id}` (token only) and answers the v1 flight
    /// ([`V1Flight`]).
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] when the notification is not about a flight.
    pub async fn resource_of(&self, event: &WebhookNotification) -> Result<Response<V1Flight>> {
        if let Some(kind) = &event.resource_type
            && *kind != WebhookResourceType::Flight
        {
            return Err(api_core::Error::invalid_input(
                "resourceType",
                format!("only FLIGHT resources can be fetched; got {kind}"),
            ));
        }
        self.v1.v1_get_flight(&event.resource_id).send().await
    }
}
