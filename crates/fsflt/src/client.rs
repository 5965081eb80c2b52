//! The client and its builder.

use std::future::Future;

use api_core::{Auth, ClientShell, Operation, Response, Result, Transport};
use futures_util::FutureExt;

use crate::envelope::Envelope;
use crate::errors::FsfltErrors;
use crate::generated::operations;
use crate::*;

/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.fsflt.net";
/// The environment variable [`Client::from_env`] reads the API key from.
pub const API_KEY_ENV: &str = "FSFLT_API_KEY";
/// The environment variable [`Client::from_env`] reads an optional base URL from.
pub const BASE_URL_ENV: &str = "FSFLT_BASE_URL";

/// A FlashStart reseller API client. Cheap to clone: clones share the connection pool.
///
/// ```no_run
/// use fsflt::{AssignRequest, Client, NewCustomer};
///
/// # async fn run() -> fsflt::Result<()> {
/// let client = Client::new("my-api-key")?;
/// let customer = client
///     .create_customer(&NewCustomer::new("it@rossi.example", "s3cretpass", "Rossi", "IT", 3))
///     .await?
///     .customer_code;
/// let licence = client
///     .assign_license(&AssignRequest::new(customer, "CL-Q-A005-M1", "Head office"))
///     .await?;
/// // The text received; `get()` reads it as a `time::Date`.
/// let until = licence.expiry_date.as_ref().map(|day| day.get());
/// println!("licence {} until {until:?}", licence.license_id);
/// let link = client.auth_token(customer).await?.login_url();
/// println!("log in once at {link}");
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
            .configure(|t| t.error_decoder(FsfltErrors)),
        }
    }

    /// The underlying transport.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    // A combinator, not an `async fn`: an async wrapper keeps its by-value arguments in its
    // state next to the future it awaits (api-core's transport explains the cost).
    fn call<T: serde::de::DeserializeOwned>(
        &self,
        operation: Operation<Envelope<T>>,
    ) -> impl Future<Output = Result<Response<T>>> {
        self.transport
            .execute(operation)
            .map(|sent| sent.map(|response| response.map(Envelope::into_content)))
    }

    /// A temporary (15-minute) auth token for one customer (`GET /customerarea/auth/token`),
    /// from which [`AuthToken::login_url`] builds a one-time login link.
    ///
    /// # Errors
    /// [`ErrorKind::Unauthorized`] when the customer cannot log in (the API's
    /// `{"code": 401, "content": []}`, whatever the HTTP status), and the usual errors.
    pub async fn auth_token(&self, customer: CustomerCode) -> Result<Response<AuthToken>> {
        let body = AuthTokenRequest::for_customer(customer);
        self.call(operations::get_auth_token(&body)?).await
    }

    /// Creates a customer (`POST /customerarea/customers/new`).
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] before sending (see [`NewCustomer::validate`]);
    /// [`ErrorKind::Validation`] with per-field messages from the server.
    pub async fn create_customer(
        &self,
        customer: &NewCustomer,
    ) -> Result<Response<CreatedCustomer>> {
        self.call(operations::create_customer(customer)?).await
    }

    /// The licences a customer can be given (`GET /customerarea/licenses/available`, with a
    /// JSON body as documented).
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] before sending; [`ErrorKind::Validation`].
    pub async fn available_licenses(
        &self,
        query: &AvailableLicensesRequest,
    ) -> Result<Response<Vec<AvailableLicense>>> {
        self.call(operations::available_licenses(query)?).await
    }

    /// Gives a customer a demo licence (`POST /customerarea/licenses/demo`). A side effect:
    /// never repeated unless the server cannot have acted.
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] before sending; [`ErrorKind::Validation`].
    pub async fn assign_demo(&self, request: &DemoRequest) -> Result<Response<DemoLicense>> {
        self.call(operations::assign_demo(request)?).await
    }

    /// Assigns a paid licence, charged to the reseller's credit
    /// (`POST /customerarea/licenses/assign`). A side effect: never repeated unless the server
    /// cannot have acted.
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] before sending; [`ErrorKind::Validation`].
    pub async fn assign_license(
        &self,
        request: &AssignRequest,
    ) -> Result<Response<AssignedLicense>> {
        self.call(operations::assign_license(request)?).await
    }

    /// Suspends a licence's renewal (`POST /customerarea/licenses/suspend`). Answers the
    /// server's message (`"license suspended successfully"`).
    ///
    /// # Errors
    /// [`LICENSE_ALREADY_SUSPENDED`] (HTTP 405) when it is suspended already.
    pub async fn suspend_license(
        &self,
        customer: CustomerCode,
        license: &LicenseId,
    ) -> Result<Response<String>> {
        let body = LicenseAction::new(customer, license);
        self.call(operations::suspend_license(&body)?).await
    }

    /// Resumes a suspended licence (`POST /customerarea/licenses/enable`).
    ///
    /// # Errors
    /// [`LICENSE_ALREADY_ENABLED`] (HTTP 405) when it is active already.
    pub async fn enable_license(
        &self,
        customer: CustomerCode,
        license: &LicenseId,
    ) -> Result<Response<String>> {
        let body = LicenseAction::new(customer, license);
        self.call(operations::enable_license(&body)?).await
    }
}

/// Operations the public docs describe without showing their paths. Each path is our best
/// guess; a 404 from one is reported as [`UNCONFIRMED_PATH`].
#[cfg(feature = "unconfirmed")]
#[cfg_attr(docsrs, doc(cfg(feature = "unconfirmed")))]
impl Client {
    /// The reseller's customers (guessed path `GET /customerarea/customers/list`; the
    /// response body is not documented, so unknown fields are kept).
    ///
    /// # Errors
    /// [`UNCONFIRMED_PATH`] when the guessed path does not exist.
    pub async fn list_customers(&self) -> Result<Response<Vec<CustomerSummary>>> {
        self.call(operations::list_customers()?).await
    }

    /// One customer (guessed path `GET /customerarea/customers/details`).
    ///
    /// # Errors
    /// [`UNCONFIRMED_PATH`] when the guessed path does not exist.
    pub async fn customer_details(
        &self,
        customer: CustomerCode,
        lang: Option<Lang>,
    ) -> Result<Response<CustomerSummary>> {
        let mut body = CustomerDetailsRequest::for_customer(customer);
        body.lang = lang;
        self.call(operations::customer_details(&body)?).await
    }

    /// The documented but unnamed action on one licence of one customer (guessed path
    /// `POST /customerarea/customers/license`; it may detach or cancel the licence).
    ///
    /// # Errors
    /// [`UNCONFIRMED_PATH`] when the guessed path does not exist.
    pub async fn customer_license_action(
        &self,
        customer: CustomerCode,
        license: &LicenseId,
    ) -> Result<Response<String>> {
        let body = CustomerLicenseRequest::new(customer, license);
        self.call(operations::customer_license_action(&body)?).await
    }

    /// Sets a customer's password, 8–15 characters (guessed path
    /// `POST /customerarea/customers/password`).
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] for a bad password; [`UNCONFIRMED_PATH`].
    pub async fn set_customer_password(
        &self,
        customer: CustomerCode,
        password: &str,
    ) -> Result<Response<String>> {
        let body = SetPasswordRequest::new(customer, password);
        self.call(operations::set_customer_password(&body)?).await
    }

    /// Licence versions, for `version_code` (guessed path
    /// `GET /customerarea/directory/licenses/versions`).
    ///
    /// # Errors
    /// [`UNCONFIRMED_PATH`] when the guessed path does not exist.
    pub async fn license_versions(&self) -> Result<Response<Vec<DirectoryEntry>>> {
        self.call(operations::license_versions()?).await
    }

    /// Currencies, for `currency_code` (guessed path `GET /customerarea/directory/currencies`).
    ///
    /// # Errors
    /// [`UNCONFIRMED_PATH`] when the guessed path does not exist.
    pub async fn currencies(&self) -> Result<Response<Vec<DirectoryEntry>>> {
        self.call(operations::currencies()?).await
    }

    /// Countries, for `country_code` (guessed path `GET /customerarea/directory/countries`).
    ///
    /// # Errors
    /// [`UNCONFIRMED_PATH`] when the guessed path does not exist.
    pub async fn countries(&self) -> Result<Response<Vec<DirectoryEntry>>> {
        self.call(operations::countries()?).await
    }

    /// Industries, for `industry_code` (guessed path `GET /customerarea/directory/industries`).
    ///
    /// # Errors
    /// [`UNCONFIRMED_PATH`] when the guessed path does not exist.
    pub async fn industries(&self) -> Result<Response<Vec<DirectoryEntry>>> {
        self.call(operations::industries()?).await
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
