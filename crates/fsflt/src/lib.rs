//! A typed async client for FlashStart's reseller ("customerarea") API at `api.fsflt.net`:
//! create customers, list the licences available to them, give a demo or assign a paid
//! licence, suspend and re-enable it, and hand the customer a one-time login link.
//!
//! ```no_run
//! use fsflt::{AvailableLicensesRequest, Client, CustomerCode};
//!
//! # async fn run() -> fsflt::Result<()> {
//! let client = Client::from_env()?; // FSFLT_API_KEY
//! let query = AvailableLicensesRequest::for_customer(CustomerCode::from(1001));
//! let licences = client.available_licenses(&query).send().await?;
//! for licence in licences.iter() {
//!     println!("{} {:?} {:?}", licence.license_code, licence.license_name, licence.license_amount);
//! }
//! # Ok(()) }
//! ```
//!
//! - One method per operation, named after its `operationId`, taking the request body and
//!   answering a request builder ([`builders`]): `.send().await` it. The body is checked
//!   first (the spec's bounds, then the rules in `x-check`); a bad one is
//!   [`Error::InvalidInput`] and nothing is sent.
//! - The `{"code", "content"}` envelope is unwrapped: every `send` answers the content.
//! - Inconsistent documentation is decoded leniently: [`CustomerCode`] and [`LicenseId`]
//!   accept numbers and strings, `license_duration_months` arrives as text, amounts are exact
//!   decimals whether written as numbers or strings.
//! - Errors are [`api_core::Error`]; FlashStart's validation failures (HTTP 500 with an
//!   `errors` map) are [`ErrorKind::Validation`] and never retried; "license already
//!   suspended" (405) is [`LICENSE_ALREADY_SUSPENDED`].
//! - Operations whose paths the public docs do not show are behind the `unconfirmed`
//!   feature; a 404 from them is [`UNCONFIRMED_PATH`].
//!
//! The models, the operations and their checks are generated from `specs/fsflt.yaml`.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod envelope;
mod errors;
mod generated;
pub use generated::builders;
mod ids;
mod login;
mod validate;

/// The stream extension traits a `.paginate()` stream wants (`use fsflt::prelude::*;`).
pub use api_core::prelude;
/// The checks of a request body (`body.validate()`), run by every operation before it sends:
/// the spec's bounds, then the rules a schema cannot state (`src/validate.rs`).
pub use api_core::validate::Validate;
pub use api_core::{Error, ErrorKind, Response, Result};
pub use client::{API_KEY_ENV, BASE_URL_ENV, Client, ClientBuilder, DEFAULT_BASE_URL};
pub use envelope::Envelope;
pub use errors::{
    FsfltErrors, LICENSE_ALREADY_ENABLED, LICENSE_ALREADY_SUSPENDED, UNCONFIRMED_PATH,
};
pub use generated::models::*;
/// What `specs/fsflt.yaml` says about each operation: the table the client, the sandbox and the
/// docs read (see [`api_core::spec`]).
pub use generated::spec;
pub use ids::{CustomerCode, IdText, LicenseId};
pub use login::DEFAULT_LOGIN_HOST;
pub use validate::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

/// The transport crate, for its builder and error types.
pub use api_core;

impl NewCustomer {
    /// A customer with the required fields; set the optional ones (`company_name`, required
    /// for every industry but "family", `lang`, `phone`, ...) on the result.
    pub fn new(
        email: impl Into<String>,
        password: impl Into<String>,
        customer_name: impl Into<String>,
        country_code: impl Into<String>,
        industry_code: i64,
    ) -> Self {
        Self {
            email: email.into(),
            password: password.into(),
            customer_name: customer_name.into(),
            country_code: country_code.into(),
            industry_code,
            company_name: None,
            customer_surname: None,
            skype: None,
            phone: None,
            lang: None,
        }
    }
}

impl AvailableLicensesRequest {
    /// Every licence available to `customer`, in the default language and currency.
    pub fn for_customer(customer: CustomerCode) -> Self {
        Self {
            customer_code: customer,
            lang: None,
            version_code: None,
            license_duration: None,
            license_code: None,
            currency_code: None,
        }
    }
}

impl DemoRequest {
    /// A demo for `customer` with the default language and notifications.
    pub fn for_customer(customer: CustomerCode) -> Self {
        Self {
            customer_code: customer,
            lang: None,
            accept_notifications: None,
        }
    }
}

impl AssignRequest {
    /// Assigns `license_code` to `customer`, described as `license_info` (letters, digits,
    /// dashes and spaces).
    pub fn new(
        customer: CustomerCode,
        license_code: impl Into<String>,
        license_info: impl Into<String>,
    ) -> Self {
        Self {
            customer_code: customer,
            license_code: license_code.into(),
            license_info: license_info.into(),
            accept_notifications: None,
            currency_code: None,
        }
    }
}

impl AuthTokenRequest {
    /// A login token for `customer` (the body sends the code as the documented string).
    pub fn for_customer(customer: CustomerCode) -> Self {
        Self {
            customer_code: customer.to_string(),
        }
    }
}

impl LicenseAction {
    /// Suspends or enables `license` of `customer` (the body sends both as the documented
    /// strings).
    pub fn new(customer: CustomerCode, license: &LicenseId) -> Self {
        Self {
            license_id: license.to_string(),
            customer_code: customer.to_string(),
        }
    }
}

impl CustomerDetailsRequest {
    /// The details of `customer`, in the default language.
    pub fn for_customer(customer: CustomerCode) -> Self {
        Self {
            customer_code: customer.to_string(),
            lang: None,
        }
    }
}

impl CustomerLicenseRequest {
    /// The unnamed action on `license` of `customer` (the body sends both as strings).
    pub fn new(customer: CustomerCode, license: &LicenseId) -> Self {
        Self {
            customer_code: customer.to_string(),
            license_id: license.to_string(),
        }
    }
}

impl SetPasswordRequest {
    /// Sets `customer`'s password (8–15 characters).
    pub fn new(customer: CustomerCode, password: impl Into<String>) -> Self {
        Self {
            customer_code: customer.to_string(),
            password: password.into(),
        }
    }
}
