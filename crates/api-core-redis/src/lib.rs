//! Redis-backed [`RateLimiter`](api_core::RateLimiter) and
//! [`TokenCache`](api_core::TokenCache) for the api-core clients (netfinity, fl3xx,
//! flexiti, fsflt): run many worker processes on many machines against one provider budget
//! and one OAuth2 token.
//!
//! In memory, each process keeps its own budget (20 workers send 20 times a token's 60
//! messages a minute) and fetches its own token. With a [`RedisStore`]:
//!
//! - [`RedisRateLimiter`] keeps one GCRA schedule per provider and credential, reserved
//!   atomically by a Lua script on the Redis server's clock; a 429 with `Retry-After`, or
//!   `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset`, pushes it back for every worker;
//! - [`RedisTokenCache`] lets one process fetch a token while the others wait for it
//!   (`SET NX PX` lock), and stores the token in Redis until it expires — **the token is
//!   stored there in clear text**: protect Redis accordingly;
//! - while Redis cannot be reached, calls either fail with a typed error
//!   ([`OnUnavailable::FailClosed`], the default) or carry on in memory
//!   ([`OnUnavailable::InMemory`]), with a warning; both recover when Redis returns.
//!
//! Keys (prefix `api-core` unless set): `<prefix>:ratelimit:<provider>:<fingerprint>` and
//! `<prefix>:token:<provider>:<fingerprint>` (with `:lock` and `:failed`), where the
//! fingerprint is [`Auth::fingerprint`](api_core::Auth::fingerprint), a hash — never the
//! credential. See `docs/scaling.md` in the repository for the whole story.
//!
//! ```no_run
//! # async fn run() -> api_core::Result<()> {
//! use api_core_redis::RedisStore;
//!
//! let store = RedisStore::open("redis://127.0.0.1:6379/")?;
//! // Every worker with this token shares one budget of 60 a minute (netfinity's pace).
//! let sms = netfinity::Client::builder()
//!     .token("my-token")
//!     .configure(|t| t.rate_limiter(store.rate_limiter()))
//!     .build()?;
//! // Every worker with this client id shares one token per scope.
//! let pos = flexiti::Client::builder()
//!     .client_id("id")
//!     .client_secret("secret")
//!     .token_cache(store.token_cache())
//!     .build()?;
//! # let _ = (sms, pos);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
// Numbers a server or a caller controls (durations, counts, sizes) must not overflow into a
// panic or a wrong value: checked or saturating arithmetic only (issue #16). Tests may use
// plain arithmetic on their own constants.
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
mod limiter;
mod store;
mod token_cache;

pub use error::StoreUnavailable;
pub use limiter::RedisRateLimiter;
pub use store::{
    DEFAULT_KEY_PREFIX, DEFAULT_LOCK_TTL, DEFAULT_TIMEOUT, OnUnavailable, RedisStore,
    RedisStoreBuilder,
};
pub use token_cache::RedisTokenCache;
