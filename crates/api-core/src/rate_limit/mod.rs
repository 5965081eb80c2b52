//! Client-side pacing and the server's rate-limit signals.
//!
//! The limiter is a trait so that a store shared between processes (Redis, ...) can
//! replace the in-memory default; every clone of a client shares one limiter.

// The trait and the pace are here; the default limiter and its GCRA are in in_memory.rs; the
// server's signals (`X-RateLimit-*`, `Retry-After`) are read in headers.rs.

mod headers;
mod in_memory;

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;

pub use self::headers::{RateLimitInfo, parse_retry_after, retry_after};
pub use self::in_memory::InMemoryRateLimiter;
use crate::auth::CredentialScope;
use crate::error::Result;

/// A pace: `requests` per `period`, with up to `burst` of them back to back.
///
/// ```
/// use api_core::RateLimit;
/// // 60 a minute, evenly spaced (one a second).
/// let pace = RateLimit::per_minute(60);
/// // 60 a minute, ten of them at once after a quiet spell.
/// let bursty = RateLimit::per_minute(60).burst(10);
/// # let _ = (pace, bursty);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    requests: NonZeroU32,
    period: Duration,
    burst: NonZeroU32,
}

impl RateLimit {
    /// `requests` per `period`, evenly spaced (burst of one). Zero requests is treated as one.
    pub fn new(requests: u32, period: Duration) -> Self {
        Self {
            requests: NonZeroU32::new(requests).unwrap_or(NonZeroU32::MIN),
            period: period.max(Duration::from_millis(1)),
            burst: NonZeroU32::MIN,
        }
    }

    /// `requests` per second.
    pub fn per_second(requests: u32) -> Self {
        Self::new(requests, Duration::from_secs(1))
    }

    /// `requests` per minute.
    pub fn per_minute(requests: u32) -> Self {
        Self::new(requests, Duration::from_secs(60))
    }

    /// Allows up to `burst` requests back to back (zero is treated as one). A burst above one
    /// lets a window of `period` hold more than `requests`: keep it small where the server
    /// counts in fixed windows.
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        self
    }

    /// Requests per [`RateLimit::period`].
    pub fn requests(&self) -> u32 {
        self.requests.get()
    }

    /// The period the requests are counted over.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// How many requests may go back to back (see [`RateLimit::burst`]).
    pub fn burst_size(&self) -> u32 {
        self.burst.get()
    }
}

/// Decides when a request may go out. Shared by every clone of a client.
///
/// The async methods return a boxed future (the trait is used as `dyn RateLimiter`); an
/// implementation wraps its body in `Box::pin(async move { … })`:
///
/// ```
/// use std::time::Duration;
/// use api_core::{BoxFuture, RateLimiter, Result};
///
/// /// Lets everything through and ignores the server's pauses.
/// #[derive(Debug)]
/// struct Unlimited;
///
/// impl RateLimiter for Unlimited {
///     fn acquire(&self, _max_wait: Duration) -> BoxFuture<'_, Result<()>> {
///         Box::pin(async { Ok(()) })
///     }
///
///     fn pause(&self, _wait: Duration) -> BoxFuture<'_, ()> {
///         Box::pin(async {})
///     }
/// }
/// ```
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Waits until a request may be sent.
    ///
    /// # Errors
    /// [`Error::RateLimited`](crate::Error::RateLimited) at once, without waiting, when the
    /// wait would exceed `max_wait`.
    fn acquire(&self, max_wait: Duration) -> BoxFuture<'_, Result<()>>;

    /// Takes a slot when one is free right now, without waiting or any I/O; `false` sends
    /// the transport to [`RateLimiter::acquire`]. A fast path for the common case, where
    /// nothing holds a call back: the default answers `false`, which is always correct.
    fn acquire_now(&self) -> bool {
        false
    }

    /// Records that the server asked for no request before `wait` has passed (429 and
    /// `Retry-After`, or a provider's own signal): every holder of this limiter waits.
    fn pause(&self, wait: Duration) -> BoxFuture<'_, ()>;

    /// Reads the `X-RateLimit-*` headers of a response, which the transport passes on for
    /// every response that carries them. The default ignores them (the in-memory limiter
    /// relies on its pace and on 429 pauses); a shared limiter can push the budget of every
    /// worker back when the server announces that none is left.
    fn observe<'a>(&'a self, info: &'a RateLimitInfo) -> BoxFuture<'a, ()> {
        let _ = info;
        Box::pin(std::future::ready(()))
    }

    /// A limiter for another credential, or `None` to keep this one as it is.
    ///
    /// The transport calls it when it is built (with its own credential) and when it derives
    /// a sibling with other credentials ([`Transport::with_auth`](crate::Transport::with_auth)),
    /// passing the provider's pace: a limiter kept in a shared store returns one keyed by
    /// `scope`, so every process using the same credential shares one budget. The default
    /// (`None`) keeps today's behaviour: the limiter given is used as is, and a sibling gets
    /// an in-memory limiter of its own.
    fn bind(
        &self,
        scope: &CredentialScope,
        pace: Option<RateLimit>,
    ) -> Option<Arc<dyn RateLimiter>> {
        let _ = (scope, pace);
        None
    }
}
