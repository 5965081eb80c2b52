//! A typed async client for [Flexiti](https://flexiti.atlassian.net/wiki/spaces/FDP)'s
//! point-of-sale financing API (v2.5 and v2.5.1) and its Online API, for retailers offering
//! financing in store and online: look up or verify a customer, see the plans for an amount,
//! authorize a purchase, capture it in full or in parts, release it, return against a capture,
//! and list what happened.
//!
//! ```no_run
//! use flexiti::{AuthorizationRequest, CaptureRequest, Client, Environment, FinancingOption, Id};
//!
//! # async fn run() -> flexiti::Result<()> {
//! let client = Client::builder()
//!     .client_id("my-client-id")
//!     .client_secret("my-secret")
//!     .environment(Environment::MerchantIntegration)
//!     .build()?;
//! let flow = client.flow(); // one x-reference-id for the whole purchase
//! let account = Id::from("20076677");
//! let amount = flexiti::amount("1200.00")?; // exact
//! let request = AuthorizationRequest::new(account, amount, FinancingOption::promotional(101, Some(12)));
//! let auth = flow.create_authorization(&request).send().await?;
//! if let Some(id) = &auth.authorization_id {
//!     flow.capture_authorization(id, &CaptureRequest::new(amount))
//!         .send()
//!         .await?;
//! }
//! # Ok(()) }
//! ```
//!
//! Each operation is a method named after the spec's `operationId`: it takes the required
//! inputs and returns a request builder ([`builders`]) with a setter per optional input; the
//! lists also stream every item with `.paginate()`:
//!
//! ```no_run
//! use flexiti::prelude::*; // StreamExt, for the page stream
//! # async fn run(client: flexiti::Client) -> flexiti::Result<()> {
//! let mut open = client
//!     .list_authorizations()
//!     .account_number("20076677")
//!     .authorization_status("opened")
//!     .paginate(); // 50 a page: page_number=1, 2, ...
//! while let Some(authorization) = open.next().await {
//!     println!("{:?}", authorization?.authorization_id);
//! }
//! # Ok(()) }
//! ```
//!
//! - OAuth2 client credentials (form-encoded, scopes `merchant` and `customer`), the 20-minute
//!   token refreshed ahead of expiry, one token request however many calls wait for it.
//! - `x-reference-id` on every call, per flow ([`Client::flow`]) or per call;
//!   `x-idempotency-key` on every money-moving call, reused by retries, so a retried capture
//!   cannot capture twice.
//! - Money is an exact [`api_core::money::Decimal`] checked against `number(18,2)` before
//!   sending (every input is checked before a request: a bad one is an
//!   [`Error::InvalidInput`] and nothing is sent); amounts that arrive as strings or numbers
//!   both decode.
//! - Errors carry Flexiti's code ([`ErrorCode::of`]) and per-field messages; 409 business
//!   failures are conflicts, never retried.
//!
//! The models and request builders are generated from `specs/flexiti.yaml`.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod environment;
mod errors;
mod ids;

mod generated;

/// Exact money: [`amount`]`("1200.00")`, or `Decimal::new(120000, 2)`.
pub use api_core::money::Decimal;
/// An amount from its text, exactly: `flexiti::amount("1200.00")?` (an `InvalidInput` error
/// for text that is not a number).
pub use api_core::money::amount;
/// The stream extension traits a `.paginate()` stream wants (`use flexiti::prelude::*;`).
pub use api_core::prelude;
pub use api_core::{Error, ErrorKind, Response, Result};
pub use client::{
    CLIENT_ID_ENV, CLIENT_SECRET_ENV, Client, ClientBuilder, CustomerKey, ENVIRONMENT_ENV,
    PAGE_SIZE,
};
pub use environment::Environment;
pub use errors::{ErrorCode, FlexitiErrors};
/// The request builders the client's operation methods return (`client.capture_authorization(..)`
/// is a [`builders::CaptureAuthorization`]): setters for the optional inputs, `send()`,
/// `into_operation()`, and `paginate()` on the lists.
pub use generated::builders;
pub use generated::models::*;
/// What `specs/flexiti.yaml` says about each operation: the table the client, the sandbox and the
/// docs read (see [`api_core::spec`]).
pub use generated::spec;
pub use ids::{Id, IdText, VerificationCode};

/// The transport crate, for its builder, money and error types.
pub use api_core;

/// One page of a list. The envelope is NOT SEEN (`specs/flexiti.yaml`, the `*Page` schemas):
/// a bare array decodes, and so does an object whose list is under any of [`PageKeys`]'
/// names; every other field (totals, page numbers) is kept in `extra`.
pub type Page<T> = api_core::List<T, PageKeys>;

/// The names a Flexiti page may keep its items under: `data`, `items`, `content`,
/// `results`, `authorizations`, `captures`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageKeys;

impl api_core::ListKeys for PageKeys {
    const KEYS: &'static [&'static str] = &[
        "data",
        "items",
        "content",
        "results",
        "authorizations",
        "captures",
    ];
}

impl FinancingOption {
    /// A promotional purchase on `plan_id` (from [`Client::calculate_interest`]), with its
    /// term.
    pub fn promotional(plan_id: i64, term: Option<i64>) -> Self {
        Self {
            transaction_type: FinancingType::PromotionalPurchase,
            plan_id: Some(plan_id),
            term,
        }
    }

    /// A regular (revolving) purchase.
    pub fn regular() -> Self {
        Self {
            transaction_type: FinancingType::RegularPurchase,
            plan_id: None,
            term: None,
        }
    }
}

impl AuthorizationRequest {
    /// An authorization of `amount` on `account`, not captured at once; set `reference`,
    /// `verification_code` (in store), `sku_data` and `auto_capture` on the result.
    pub fn new(account: Id, amount: Decimal, financing_option: FinancingOption) -> Self {
        Self {
            account_number: account,
            vcc_number: None,
            reference: None,
            amount,
            auto_capture: false,
            verification_code: None,
            financing_option,
            sku_data: None,
            request_id: None,
            external_location_id: None,
            external_employee_id: None,
        }
    }
}

impl CaptureRequest {
    /// A capture of `amount`.
    pub fn new(amount: Decimal) -> Self {
        Self {
            amount,
            reference: None,
            sku_data: None,
            external_location_id: None,
            external_employee_id: None,
        }
    }
}

impl ReturnRequest {
    /// A partial return of `amount`.
    pub fn partial(amount: Decimal) -> Self {
        Self {
            reference: None,
            vcc_number: None,
            full_return: false,
            amount,
            sku_data: None,
            external_location_id: None,
            external_employee_id: None,
        }
    }

    /// A full return of the capture (`amount` is what was captured).
    pub fn full(amount: Decimal) -> Self {
        Self {
            full_return: true,
            ..Self::partial(amount)
        }
    }
}

impl WidgetInitRequest {
    /// The widget's purchase flow for the account `account` (the SDK Init Method's "Example
    /// Request for Buy Flow", with one key); set the other fields as needed.
    pub fn purchase(account: Id) -> Self {
        WidgetInitRequest {
            flow: WidgetFlow::Purchase,
            customer_identification: Some(CustomerIdentification {
                account_number: Some(account),
                vcc_number: None,
                personal_information: None,
            }),
            lang: None,
            tos_agreement: None,
            email: None,
            phone_number: None,
            address_1: None,
            address_2: None,
            city: None,
            province: None,
            account_type: None,
        }
    }
}
