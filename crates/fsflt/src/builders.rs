//! The request builders: the client's method of each operation's name (its `operationId`)
//! takes the request body and answers the operation's builder; `.send().await` sends it
//! through the client's [`api_core::Execute`] and answers the `{"code", "content"}`
//! envelope's content, and `.into_operation()` shows the checked request without sending it.
//! Either checks the body first (the spec's bounds, then its `x-check`): a bad one is
//! [`api_core::Error::InvalidInput`] and nothing is sent.

// A stand-in for the generated `generated/builders.rs`, with the same names, signatures and
// behaviour. `x-client: crate::Client` at the root of `specs/fsflt.yaml` makes codegen write
// that file, but as of 5df99c5 its client methods do not compile for an operation with a body:
// they borrow the body for `'a` without declaring it
// (`pub fn get_auth_token(&self, body: &'a AuthTokenRequest) -> GetAuthToken<'_>`, E0261),
// and every confirmed FlashStart operation has one (it also writes `{ body: body }`, which
// clippy's `redundant_field_names` refuses). Once codegen writes
// `pub fn get_auth_token<'a>(&'a self, body: &'a AuthTokenRequest) -> GetAuthToken<'a>`:
// set `x-client`, run `cargo xtask codegen`, delete this file and make `fsflt::builders` a
// re-export of `generated::builders`; callers change nothing.

use std::future::Future;

use api_core::{Operation, Response, Result};
use futures_util::FutureExt;

use crate::Client;
use crate::envelope::Envelope;
#[allow(unused_imports)] // The unconfirmed operations' bodies, with the feature only.
use crate::generated::models::*;
use crate::generated::operations;

/// One operation's builder, the client's method that makes it, and its `send` and
/// `into_operation`, as codegen writes them (see the module's documentation).
macro_rules! operation {
    (
        $(#[$gate:meta])*
        $Builder:ident: $route:literal;
        $(#[$doc:meta])*
        fn $method:ident($($body:ident: &$Body:ty)?) -> $Answer:ty;
    ) => {
        #[doc = concat!("The request of [`Client::", stringify!($method), "`]: `.send().await` it.")]
        ///
        #[doc = $route]
        $(#[$gate])*
        #[derive(Debug, Clone)]
        #[must_use = "a request builder sends nothing until `.send()`"]
        pub struct $Builder<'a> {
            client: &'a Client,
            $($body: &'a $Body,)?
        }

        $(#[$gate])*
        impl Client {
            $(#[$doc])*
            ///
            #[doc = $route]
            pub fn $method<'a>(&'a self $(, $body: &'a $Body)?) -> $Builder<'a> {
                $Builder {
                    client: self,
                    $($body,)?
                }
            }
        }

        $(#[$gate])*
        impl<'a> $Builder<'a> {
            /// The checked operation, not sent: for a look at the request, or a custom
            /// executor.
            ///
            /// # Errors
            /// [`api_core::Error::InvalidInput`] when an input breaks the spec's bounds or
            /// its `x-check`.
            pub fn into_operation(self) -> Result<Operation<Envelope<$Answer>>> {
                operations::$method($(self.$body)?)
            }

            /// Sends the request; an input that breaks the spec's bounds or its `x-check`
            /// is answered as [`api_core::Error::InvalidInput`] without one. The future is
            /// the client's own, with the envelope unwrapped (no `async` wrapper).
            pub fn send(self) -> impl Future<Output = Result<Response<$Answer>>> + Send + 'a {
                let sent = api_core::send(self.client, operations::$method($(self.$body)?));
                FutureExt::map(sent, |sent| {
                    sent.map(|response| response.map(Envelope::into_content))
                })
            }
        }
    };
}

operation! {
    GetAuthToken: "`GET /customerarea/auth/token` (with a JSON body) · safe";
    /// A temporary (15-minute) auth token for one customer, from which
    /// [`AuthToken::login_url`] builds a one-time login link. Build the body with
    /// [`AuthTokenRequest::for_customer`].
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] for a customer code that is not above 0 (nothing is
    /// sent); [`ErrorKind::Unauthorized`](crate::ErrorKind::Unauthorized) when the customer
    /// cannot log in (the API's `{"code": 401, "content": []}`, whatever the HTTP status), and
    /// the usual errors.
    fn get_auth_token(body: &AuthTokenRequest) -> AuthToken;
}

operation! {
    CreateCustomer: "`POST /customerarea/customers/new` · side effect";
    /// Creates a customer.
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] before sending (the spec's bounds, then
    /// `NewCustomer`'s `x-check`); [`ErrorKind::Validation`](crate::ErrorKind::Validation)
    /// with per-field messages from the server.
    fn create_customer(body: &NewCustomer) -> CreatedCustomer;
}

operation! {
    AvailableLicenses: "`GET /customerarea/licenses/available` (with a JSON body) · safe";
    /// The licences a customer can be given, with their price in the reseller credit.
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] before sending;
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation).
    fn available_licenses(body: &AvailableLicensesRequest) -> Vec<AvailableLicense>;
}

operation! {
    AssignDemo: "`POST /customerarea/licenses/demo` · side effect";
    /// Gives a customer a demo licence (at most two per customer). A side effect: never
    /// repeated unless the server cannot have acted.
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] before sending;
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation).
    fn assign_demo(body: &DemoRequest) -> DemoLicense;
}

operation! {
    AssignLicense: "`POST /customerarea/licenses/assign` · side effect";
    /// Assigns a paid licence, charged to the reseller's credit. A side effect: never
    /// repeated unless the server cannot have acted.
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] before sending;
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation).
    fn assign_license(body: &AssignRequest) -> AssignedLicense;
}

operation! {
    SuspendLicense: "`POST /customerarea/licenses/suspend` · side effect";
    /// Suspends a licence's renewal; answers the server's message
    /// (`"license suspended successfully"`). Build the body with [`LicenseAction::new`].
    ///
    /// # Errors
    /// [`LICENSE_ALREADY_SUSPENDED`](crate::LICENSE_ALREADY_SUSPENDED) (HTTP 405) when it is
    /// suspended already.
    fn suspend_license(body: &LicenseAction) -> String;
}

operation! {
    EnableLicense: "`POST /customerarea/licenses/enable` · side effect";
    /// Resumes a suspended licence; answers the server's message. Build the body with
    /// [`LicenseAction::new`].
    ///
    /// # Errors
    /// [`LICENSE_ALREADY_ENABLED`](crate::LICENSE_ALREADY_ENABLED) (HTTP 405) when it is
    /// active already.
    fn enable_license(body: &LicenseAction) -> String;
}

operation! {
    #[cfg(feature = "unconfirmed")]
    #[cfg_attr(docsrs, doc(cfg(feature = "unconfirmed")))]
    ListCustomers: "`GET /customerarea/customers/list` · safe · **unconfirmed path**";
    /// The reseller's customers (the response body is not documented, so unknown fields are
    /// kept).
    ///
    /// # Errors
    /// [`UNCONFIRMED_PATH`](crate::UNCONFIRMED_PATH) when the guessed path does not exist.
    fn list_customers() -> Vec<CustomerSummary>;
}

operation! {
    #[cfg(feature = "unconfirmed")]
    #[cfg_attr(docsrs, doc(cfg(feature = "unconfirmed")))]
    CustomerDetails: "`GET /customerarea/customers/details` · safe · **unconfirmed path**";
    /// One customer, in a language. Build the body with
    /// [`CustomerDetailsRequest::for_customer`].
    ///
    /// # Errors
    /// [`UNCONFIRMED_PATH`](crate::UNCONFIRMED_PATH) when the guessed path does not exist.
    fn customer_details(body: &CustomerDetailsRequest) -> CustomerSummary;
}

operation! {
    #[cfg(feature = "unconfirmed")]
    #[cfg_attr(docsrs, doc(cfg(feature = "unconfirmed")))]
    CustomerLicenseAction: "`POST /customerarea/customers/license` · side effect · **unconfirmed path**";
    /// The documented but unnamed action on one licence of one customer (it may detach or
    /// cancel the licence). Build the body with [`CustomerLicenseRequest::new`].
    ///
    /// # Errors
    /// [`UNCONFIRMED_PATH`](crate::UNCONFIRMED_PATH) when the guessed path does not exist.
    fn customer_license_action(body: &CustomerLicenseRequest) -> String;
}

operation! {
    #[cfg(feature = "unconfirmed")]
    #[cfg_attr(docsrs, doc(cfg(feature = "unconfirmed")))]
    SetCustomerPassword: "`POST /customerarea/customers/password` · side effect · **unconfirmed path**";
    /// Sets a customer's password, 8–15 characters. Build the body with
    /// [`SetPasswordRequest::new`].
    ///
    /// # Errors
    /// [`api_core::Error::InvalidInput`] for a bad password (nothing is sent);
    /// [`UNCONFIRMED_PATH`](crate::UNCONFIRMED_PATH).
    fn set_customer_password(body: &SetPasswordRequest) -> String;
}

operation! {
    #[cfg(feature = "unconfirmed")]
    #[cfg_attr(docsrs, doc(cfg(feature = "unconfirmed")))]
    LicenseVersions: "`GET /customerarea/directory/licenses/versions` · safe · **unconfirmed path**";
    /// Licence versions, for `version_code`.
    ///
    /// # Errors
    /// [`UNCONFIRMED_PATH`](crate::UNCONFIRMED_PATH) when the guessed path does not exist.
    fn license_versions() -> Vec<DirectoryEntry>;
}

operation! {
    #[cfg(feature = "unconfirmed")]
    #[cfg_attr(docsrs, doc(cfg(feature = "unconfirmed")))]
    Currencies: "`GET /customerarea/directory/currencies` · safe · **unconfirmed path**";
    /// Currencies, for `currency_code`.
    ///
    /// # Errors
    /// [`UNCONFIRMED_PATH`](crate::UNCONFIRMED_PATH) when the guessed path does not exist.
    fn currencies() -> Vec<DirectoryEntry>;
}

operation! {
    #[cfg(feature = "unconfirmed")]
    #[cfg_attr(docsrs, doc(cfg(feature = "unconfirmed")))]
    Countries: "`GET /customerarea/directory/countries` · safe · **unconfirmed path**";
    /// Countries, for `country_code`.
    ///
    /// # Errors
    /// [`UNCONFIRMED_PATH`](crate::UNCONFIRMED_PATH) when the guessed path does not exist.
    fn countries() -> Vec<DirectoryEntry>;
}

operation! {
    #[cfg(feature = "unconfirmed")]
    #[cfg_attr(docsrs, doc(cfg(feature = "unconfirmed")))]
    Industries: "`GET /customerarea/directory/industries` · safe · **unconfirmed path**";
    /// Industries, for `industry_code`.
    ///
    /// # Errors
    /// [`UNCONFIRMED_PATH`](crate::UNCONFIRMED_PATH) when the guessed path does not exist.
    fn industries() -> Vec<DirectoryEntry>;
}
