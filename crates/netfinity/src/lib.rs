//! A typed async client for the [Netfinity](https://docs.netfinity.bg) v2 SMS notification
//! API (Bulgaria), with its delivery callbacks ("pingbacks").
//!
//! ```no_run
//! use netfinity::{Client, Sms};
//!
//! # async fn run() -> netfinity::Result<()> {
//! let client = Client::new(std::env::var("NETFINITY_TOKEN").unwrap_or_default())?;
//! match client.send_sms(&Sms::new("359881234567", "Your code is 1234").with_id("order42")).await {
//!     Ok(accepted) => println!("queued as {:?}", accepted.uuid),
//!     Err(e) if e.is_rate_limited() => println!("slow down, retry in {:?}", e.retry_after()),
//!     Err(e) => match e.field_errors() {
//!         Some(fields) => println!("rejected: {fields:?}"),
//!         None => return Err(e),
//!     },
//! }
//! # Ok(()) }
//! ```
//!
//! - Messages are checked before sending ([`Sms::validate`]): 8–20 digit `msisdn`, non-empty
//!   GSM 03.38 `text` of at most 160 characters, alphanumeric `id`.
//! - Errors are [`api_core::Error`]: 401, 403, 406, 422 (with per-field messages) and 429
//!   (with `Retry-After` and `X-RateLimit-*`) each map to an [`ErrorKind`].
//! - The client paces itself to 60 requests a minute by default (the figure of the
//!   documents' 429 example; no limit is documented, so change it to yours) and never
//!   repeats a send the server may have acted on, unless the message has an `id`.
//! - [`pingback`] parses delivery callbacks and builds their acknowledgement.
//!
//! The models and the request builder are generated from `specs/netfinity.yaml`.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod accepted;
mod client;
mod generated;
pub mod pingback;
mod validate;

pub use accepted::{SmsAccepted, Track};
/// The stream extension traits a `.paginate()` stream wants (`use netfinity::prelude::*;`).
pub use api_core::prelude;
pub use api_core::{Error, ErrorKind, RateLimit, Response, Result};
pub use client::{
    BASE_URL_ENV, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_RATE_LIMIT_PER_MINUTE, TOKEN_ENV,
};
pub use generated::models::*;
/// What `specs/netfinity.yaml` says about each operation: the table the client, the sandbox and the
/// docs read (see [`api_core::spec`]).
pub use generated::spec;
pub use validate::{
    MAX_ID_CHARS, MAX_MSISDN_DIGITS, MAX_TEXT_CHARS, MIN_MSISDN_DIGITS, first_non_gsm, is_gsm,
    validate_id, validate_msisdn, validate_text,
};

/// The transport crate, for its builder and error types.
pub use api_core;

impl Sms {
    /// A message to `msisdn` with `text` and no `id`.
    pub fn new(msisdn: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            msisdn: msisdn.into(),
            text: text.into(),
            id: None,
        }
    }

    /// Sets your identifier (echoed in every pingback; also makes a repeat harmless).
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
}
