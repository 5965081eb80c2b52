//! The client and its builder.

use std::future::Future;

use api_core::{Auth, ClientShell, Operation, Response, Result, Transport};

use crate::errors::FsfltErrors;
use crate::*;

/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.fsflt.net";
/// The environment variable [`Client::from_env`] reads the API key from.
pub const API_KEY_ENV: &str = "FSFLT_API_KEY";
/// The environment variable [`Client::from_env`] reads an optional base URL from.
pub const BASE_URL_ENV: &str = "FSFLT_BASE_URL";

/// A FlashStart reseller API client. Cheap to clone: clones share the connection pool.
///
/// Each operation is a method of its `operationId` that takes the request body and answers a
/// request builder ([`crate::builders`]): `.send().await` sends it, or `.into_operation()`
/// shows the checked request without sending it. Bodies that the docs spell with a string
/// customer code are built from a [`CustomerCode`] by their constructors
/// ([`AuthTokenRequest::for_customer`], [`LicenseAction::new`]).
///
/// ```no_run
/// use fsflt::{AssignRequest, AuthTokenRequest, Client, NewCustomer};
///
/// # async fn run() -> fsflt::Result<()> {
/// let client = Client::new("my-api-key")?;
/// let new = NewCustomer::new("it@rossi.example", "s3cretpass", "Rossi", "IT", 3);
/// let customer = client.create_customer(&new).send().await?.customer_code;
/// let licence = client
///     .assign_license(&AssignRequest::new(customer, "CL-Q-A005-M1", "Head office"))
///     .send()
///     .await?;
/// // The text received; `get()` reads it as a `time::Date`.
/// let until = licence.expiry_date.as_ref().map(|day| day.get());
/// println!("licence {} until {until:?}", licence.license_id);
/// let token = client
///     .get_auth_token(&AuthTokenRequest::for_customer(customer))
///     .send()
///     .await?;
/// println!("log in once at {}", token.login_url());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    // The transport's `Debug` shows no credential.
    transport: Transport,
}

impl Client {
    /// A client for the production API with `api_key`.
    ///
    /// # Errors
    /// [`api_core::Error::Config`] when the key is empty.
    pub fn new(api_key: impl Into<String>) -> Result<Self> {
        Self::builder().api_key(api_key).build()
    }

    /// A client configured from `FSFLT_API_KEY` and, optionally, `FSFLT_BASE_URL`.
    ///
    /// # Errors
    /// [`api_core::Error::Config`] when `FSFLT_API_KEY` is not set.
    pub fn from_env() -> Result<Self> {
        let shell = Self::builder().shell.from_env(API_KEY_ENV, BASE_URL_ENV)?;
        ClientBuilder { shell }.build()
    }

    /// Starts a builder with the defaults (production URL; no client-side pace, as none is
    /// documented).
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            shell: ClientShell::new(
                "fsflt",
                DEFAULT_BASE_URL,
                concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
                "a FlashStart API key",
            )
            .configure(|t| {
                t.error_decoder(FsfltErrors)
                    .operations(crate::spec::OPERATIONS)
            }),
        }
    }

    /// The underlying transport.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }
}

/// How the request builders ([`crate::builders`]) reach the network: the transport, as
/// configured (key header, retries, error decoder).
impl api_core::Execute for Client {
    // The transport's future itself: each builder's `send()` maps it (the envelope) and
    // returns it, with no `async` wrapper between (api-core's transport explains the cost).
    fn execute<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        operation: Operation<T>,
    ) -> impl Future<Output = Result<Response<T>>> + Send {
        self.transport.execute(operation)
    }
}

/// Builds a [`Client`].
///
/// ```
/// let client = fsflt::Client::builder()
///     .api_key("my-key")
///     .base_url("http://127.0.0.1:8080/fsflt")
///     .build()?;
/// # let _ = client;
/// # Ok::<(), fsflt::Error>(())
/// ```
#[derive(Debug)]
pub struct ClientBuilder {
    // The shell's `Debug` redacts the key.
    shell: ClientShell,
}

impl ClientBuilder {
    /// The reseller API key (sent as `x-api-key`).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.shell = self.shell.credential(key);
        self
    }

    api_core::shell_methods!();

    /// Builds the client.
    ///
    /// # Errors
    /// [`api_core::Error::Config`] when the key is missing or empty, or the base URL is
    /// malformed or plain `http://` to a remote host.
    pub fn build(self) -> Result<Client> {
        let (key, transport) = self.shell.finish()?;
        let transport = transport.auth(Auth::api_key("x-api-key", key)?).build()?;
        Ok(Client { transport })
    }
}
