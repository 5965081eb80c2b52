//! A typed async client for the [FL3XX](https://developer.fl3xx.com) aviation operations API
//! v2, for vendors connected to many operators: one partner client, one client per operator
//! connection over a shared connection pool, fair-use polling of flights, and signed
//! webhooks.
//!
//! ```no_run
//! use fl3xx::{CreateWebhookSubscription, Fl3xx, FlightWindow, WebhookEventType};
//! use fl3xx::prelude::*; // TryStreamExt, for the page stream
//! use fl3xx::time::{Duration, OffsetDateTime};
//!
//! # async fn run() -> fl3xx::Result<()> {
//! let fl3xx = Fl3xx::builder().client_id("partner-id").build()?;
//! let operator = fl3xx.for_operator("operator-token")?;
//!
//! let now = OffsetDateTime::now_utc();
//! let window = FlightWindow::new(now - Duration::days(1), now + Duration::days(7))?;
//! let flights: Vec<_> = operator.list_flights(window).paginate().try_collect().await?;
//! println!("{} flights", flights.len());
//!
//! let subscription = CreateWebhookSubscription::new(
//!     WebhookEventType::FlightTimeUpdate,
//!     "https://hooks.example.com/fl3xx",
//!     "signing-key",
//! );
//! operator.create_webhook_subscription(&subscription).send().await?;
//! # Ok(()) }
//! ```
//!
//! - Each operation is a method of its `operationId` on [`OperatorClient`] (v2) or
//!   [`V1Client`] (v1) returning a request builder ([`builders`]): the method takes the
//!   required inputs, setters the optional ones, then `.send().await`, or `.paginate()` for
//!   every item of a list. An input that breaks the spec's bounds or checks is
//!   [`Error::InvalidInput`] and nothing is sent.
//!
//! - Every v2 call carries `X-Api-Client-Id` and `X-Auth-Token` (secrets: never in `Debug`,
//!   logs or errors).
//! - A 403 that reports the fair-use rate limit is [`ErrorKind::TooManyRequests`] and holds the
//!   operator's calls back ([`FAIR_USE_INTERVAL`] unless the server says otherwise); a
//!   permissions 403 stays [`ErrorKind::Forbidden`].
//! - [`FlightPoller`] yields new and changed flights no more often than every 10 minutes, with
//!   at most [`PollerConfig::max_pages`] requests a poll (1 by default), and resumes from a
//!   stored [`Checkpoint`].
//! - [`webhook::verify`] checks a delivery's HMAC-SHA256 signature in constant time and decodes
//!   it.
//! - The 2.0.0 and 2.4.0 documents disagree on some names: both are accepted when decoding, and
//!   the 2.4.0 form is sent (see docs/providers/fl3xx.md).
//!
//! The models and request builders are generated from `specs/fl3xx.yaml`.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod checks;
mod client;
mod errors;
mod flights;
mod generated;
pub use generated::builders;
mod ids;
pub mod inbox;
mod poller;
mod subscriptions;
pub mod v1;
pub mod webhook;

/// The stream extension traits a `.paginate()` stream wants (`use fl3xx::prelude::*;`).
pub use api_core::prelude;
/// The `time` crate, whose values [`FlightWindow`] and the date fields take.
pub use api_core::time;
pub use api_core::{Error, ErrorKind, Response, Result};
pub use client::{
    BASE_URL_ENV, CLIENT_ID_ENV, Fl3xx, Fl3xxBuilder, OperatorClient, TEST_BASE_URL, TOKEN_ENV,
};
pub use errors::{FAIR_USE_INTERVAL, Fl3xxErrors};
pub use flights::{CrewFilter, FlightWindow, MAX_PAGE_SIZE, MIN_PAGE_SIZE};
pub use generated::models::*;
/// What `specs/fl3xx.yaml` says about each operation: the table the client, the sandbox and the
/// docs read (see [`api_core::spec`]).
pub use generated::spec;
pub use ids::{Id, IdText};
pub use poller::{
    ChangeKind, Checkpoint, FlightChange, FlightPoller, PollBatch, PollerConfig, Sweep,
};
pub use subscriptions::RENEWAL_WINDOW;
pub use v1::V1Client;

/// The transport crate, for its builder and error types.
pub use api_core;

/// A list answer: `{"data": [...]}` (SEEN for the qualification lists, INFERRED for the
/// others; `specs/fl3xx.yaml`, the `*List` schemas) or a bare array (as v1 answers), with any
/// other top-level field kept in `extra`. Iterate it, index it, or take
/// [`items`](api_core::List::items).
pub type List<T> = api_core::List<T, DataKey>;

/// Where FL3XX keeps a list's items: `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DataKey;

impl api_core::ListKeys for DataKey {
    const KEYS: &'static [&'static str] = &["data"];
}

impl FuelPrice {
    /// A price with the required fields; set the prices, volumes and remarks on the result.
    pub fn new(
        fbo_name: impl Into<String>,
        contractor_name: impl Into<String>,
        currency: Currency,
        unit: FuelUnit,
    ) -> Self {
        Self {
            id: None,
            fbo_name: fbo_name.into(),
            contractor_name: contractor_name.into(),
            currency,
            unit,
            volume_from: None,
            volume_to: None,
            pricing_private: None,
            pricing_commercial: None,
            pre_arrival_remarks: None,
            payment_method: None,
            phone: None,
            email: None,
            remarks: None,
            expiration_date_time: None,
            airport: None,
            source: None,
            vendor_id: None,
            vendor_name: None,
            created_at_date_time: None,
            updated_at_date_time: None,
            extra: Default::default(),
        }
    }
}

impl FuelPriceBulkDelete {
    /// A selection of the prices `ids` (checked when sent: at least one).
    pub fn new<I>(ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: std::fmt::Display,
    {
        Self {
            ids: ids.into_iter().map(|id| id.to_string()).collect(),
        }
    }
}

impl CreateWebhookSubscription {
    /// A subscription of `callback_url` to `event`, its deliveries signed with `signing_key`
    /// (checked when sent: a subscribable event, an https URL, a key that is not blank).
    pub fn new(
        event: WebhookEventType,
        callback_url: impl Into<String>,
        signing_key: impl Into<String>,
    ) -> Self {
        Self {
            event,
            callback_url: callback_url.into(),
            signing_key: signing_key.into(),
        }
    }
}

impl Flight {
    /// The flight's id: `flightId`, or an `id` field (the names are inferred, so both are
    /// tried).
    pub fn id(&self) -> Option<Id> {
        self.flight_id.clone().or_else(|| {
            self.extra
                .get("id")
                .and_then(api_core::scalar_text)
                .map(Id::from)
        })
    }

    /// The aircraft's registration: `tailNumber`, or v1's `registrationNumber`.
    pub fn tail(&self) -> Option<&str> {
        self.tail_number.as_deref().or_else(|| {
            self.extra
                .get("registrationNumber")
                .and_then(|v| v.as_str())
        })
    }
}
