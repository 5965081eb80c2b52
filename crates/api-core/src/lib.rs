//! The shared transport of the `fl3xx`, `flexiti`, `fsflt` and `netfinity` API clients.
//!
//! It knows no provider. A provider crate describes each operation as a [`Request`] (usually
//! generated from its OpenAPI description), plugs in an [`ErrorDecoder`] for its error bodies,
//! and sends everything through one [`Transport`]:
//!
//! ```text
//! provider method → Operation<T> → Transport::execute
//!   → RateLimiter::acquire → Auth (headers, bearer, OAuth2 token cache)
//!   → reqwest, inside a tracing span (provider, operation, method, path template, attempts)
//!   → 2xx: decode T from bytes │ else: ErrorDecoder → Error::Api
//!   → retry rules (idempotency class, key, budget, deadline) → Response<T> or Error
//! ```
//!
//! ```
//! use api_core::{Auth, Method, Operation, Request, Transport};
//!
//! #[derive(serde::Deserialize)]
//! struct Accepted { uuid: String }
//!
//! # async fn demo() -> api_core::Result<()> {
//! let transport = Transport::builder("example", "https://api.example.com/v2")
//!     .auth(Auth::bearer("token"))
//!     .build()?;
//! let send = Operation::<Accepted>::new(
//!     Request::new(Method::POST, "/messages").operation("send").json(&serde_json::json!({"text": "hi"}))?,
//! );
//! let accepted = transport.execute(send).await?;
//! println!("{}", accepted.uuid);
//! # Ok(()) }
//! ```
//!
//! Credentials are [`secrecy`] secrets: no `Debug`, `Display`, error or span shows them, and
//! redirects are followed only within the API's origin, so key headers never reach another
//! host.
#![deny(missing_docs)]
// Numbers a server or a caller controls (durations, counts, sizes) must not overflow into a
// panic or a wrong value: checked or saturating arithmetic only (issue #16). Tests may use
// plain arithmetic on their own constants.
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod access_token;
mod auth;
mod config;
pub mod date;
mod decode;
mod error;
mod form;
mod id;
mod interceptor;
pub mod lenient;
#[cfg(feature = "money")]
#[cfg_attr(docsrs, doc(cfg(feature = "money")))]
pub mod money;
mod oauth2;
pub mod paginate;
pub mod prelude;
mod rate_limit;
mod redirect;
mod request;
pub mod retry;
mod shell;
pub mod signature;
pub mod spec;
pub mod telemetry;
pub mod tls;
mod token_cache;
mod transport;
mod unknown;
pub mod validate;

pub use access_token::{AccessToken, MAX_TOKEN_LIFETIME};
pub use auth::{Auth, CredentialScope};
pub use config::{
    DEFAULT_CALL_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_SERVER_PAUSE, DEFAULT_REQUEST_TIMEOUT, TransportBuilder, is_loopback,
};
pub use decode::{
    ErrorBody, ErrorDecoder, JsonErrorDecoder, decode_error_body, field_errors, scalar_text,
};
pub use decode::{NoContent, OrEmpty, Response};
pub use error::{
    ApiError, DecodeError, Error, ErrorKind, FieldErrors, InvalidInput, Result, TransportError,
    TransportErrorKind,
};
pub use id::{Id, IdText};
pub use interceptor::{Interceptor, OutgoingRequest, ReceivedResponse};
pub use oauth2::{ClientAuthMethod, OAuth2, TokenCache, TokenFetcher};
pub use paginate::{Pages, pages};
pub use rate_limit::{
    InMemoryRateLimiter, RateLimit, RateLimitInfo, RateLimiter, parse_retry_after, retry_after,
};
pub use request::{Body, CallSettings, Execute, Idempotency, Operation, Request, configure, send};
pub use retry::RetryConfig;
pub use shell::ClientShell;
pub use token_cache::InMemoryTokenCache;
pub use transport::Transport;
pub use unknown::{FromObject, List, ListKeys, Object, ReadWith, from_object};

/// The boxed future the async methods of [`RateLimiter`], [`TokenCache`] and
/// [`oauth2::TokenFetcher`] return (they are used as trait objects).
pub use futures_util::future::BoxFuture;
/// The `reqwest` this crate is built on: [`TransportBuilder::http_client`] takes its
/// `Client`, so build one from this re-export and the versions cannot drift apart.
pub use reqwest;
pub use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
pub use reqwest::{Method, StatusCode, Url};
pub use secrecy::{ExposeSecret, SecretString};
/// The `time` crate, whose values [`date::Date`] and [`date::DateTime`] read and are built
/// from: a user needs no dependency of their own to name them. It is built with `std` and
/// `parsing` only (the clients write dates by hand); an application that formats dates with
/// `time` or serializes them with its `serde` support turns those features on in its own
/// `time` dependency, and cargo builds one `time` for both.
pub use time;
