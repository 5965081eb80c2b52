//! Client-side pacing and the server's rate-limit signals.
//!
//! The limiter is a trait so that a store shared between processes (Redis, ...) can
//! replace the in-memory default; every clone of a client shares one limiter.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use governor::clock::{Clock, DefaultClock};
use governor::state::{InMemoryState, NotKeyed};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};

use crate::auth::CredentialScope;
use crate::error::{Error, Result};

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

    fn quota(&self) -> governor::Quota {
        let interval = self.period / self.requests.get();
        governor::Quota::with_period(interval.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| governor::Quota::per_second(NonZeroU32::MIN))
            .allow_burst(self.burst)
    }
}

/// Decides when a request may go out. Shared by every clone of a client.
#[async_trait]
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Waits until a request may be sent.
    ///
    /// # Errors
    /// [`Error::RateLimited`] at once, without waiting, when the wait would exceed `max_wait`.
    async fn acquire(&self, max_wait: Duration) -> Result<()>;

    /// Records that the server asked for no request before `wait` has passed (429 and
    /// `Retry-After`, or a provider's own signal): every holder of this limiter waits.
    async fn pause(&self, wait: Duration);

    /// Reads the `X-RateLimit-*` headers of a response, which the transport passes on for
    /// every response that carries them. The default ignores them (the in-memory limiter
    /// relies on its pace and on 429 pauses); a shared limiter can push the budget of every
    /// worker back when the server announces that none is left.
    async fn observe(&self, info: &RateLimitInfo) {
        let _ = info;
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

/// The default limiter: a GCRA pace (from `governor`) plus the server's pauses, in memory.
pub struct InMemoryRateLimiter {
    pace: Option<governor::RateLimiter<NotKeyed, InMemoryState, DefaultClock>>,
    clock: DefaultClock,
    paused_until: Mutex<Option<Instant>>,
}

impl fmt::Debug for InMemoryRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryRateLimiter")
            .field("paced", &self.pace.is_some())
            .finish_non_exhaustive()
    }
}

impl InMemoryRateLimiter {
    /// A limiter with a pace, or with none (then only the server's pauses apply).
    pub fn new(limit: Option<RateLimit>) -> Self {
        let clock = DefaultClock::default();
        Self {
            pace: limit.map(|l| governor::RateLimiter::direct_with_clock(l.quota(), clock.clone())),
            clock,
            paused_until: Mutex::new(None),
        }
    }

    fn pause_left(&self) -> Duration {
        let until = *self
            .paused_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        until.map_or(Duration::ZERO, |u| {
            u.saturating_duration_since(Instant::now())
        })
    }
}

#[async_trait]
impl RateLimiter for InMemoryRateLimiter {
    async fn acquire(&self, max_wait: Duration) -> Result<()> {
        let mut waited = Duration::ZERO;
        loop {
            let paused = self.pause_left();
            if paused > Duration::ZERO {
                if waited + paused > max_wait {
                    return Err(Error::RateLimited {
                        retry_after: paused,
                    });
                }
                tokio::time::sleep(paused).await;
                waited += paused;
                continue;
            }
            let Some(pace) = &self.pace else {
                return Ok(());
            };
            match pace.check() {
                Ok(()) => return Ok(()),
                Err(not_until) => {
                    let wait = not_until.wait_time_from(self.clock.now());
                    if waited + wait > max_wait {
                        return Err(Error::RateLimited { retry_after: wait });
                    }
                    tokio::time::sleep(wait).await;
                    waited += wait;
                }
            }
        }
    }

    async fn pause(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = self
            .paused_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if paused.is_none_or(|current| current < until) {
            *paused = Some(until);
        }
    }
}

/// The `X-RateLimit-*` headers of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimitInfo {
    /// `X-RateLimit-Limit`: requests allowed in the window.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in the window.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset`, as sent (providers use seconds-until or a Unix time).
    pub reset: Option<u64>,
}

impl RateLimitInfo {
    /// Reads the headers; `None` when none of them is present.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        // Looked up by `HeaderName` constants: a `&str` name is parsed and lower-cased on
        // every lookup, which cost ~900 instructions per response.
        const LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
        const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
        const RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");
        let number = |name: &HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let info = Self {
            limit: number(&LIMIT),
            remaining: number(&REMAINING),
            reset: number(&RESET),
        };
        (info != Self::default()).then_some(info)
    }

    /// `X-RateLimit-Reset` as a wait from `now`. Providers send either seconds until the
    /// reset or a Unix time; a value above 10⁹ (2001 as a Unix time, 31 years as a wait) is
    /// read as a Unix time. `None` without the header, or for a Unix time beyond what the
    /// system clock can hold (a server's number: adding it unchecked would panic).
    pub fn reset_after(&self, now: SystemTime) -> Option<Duration> {
        let reset = self.reset?;
        if reset > 1_000_000_000 {
            let at = SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(reset))?;
            Some(at.duration_since(now).unwrap_or(Duration::ZERO))
        } else {
            Some(Duration::from_secs(reset))
        }
    }
}

/// The `Retry-After` header as a wait from `now`: delay-seconds or an HTTP date (a date in
/// the past means "now"). `None` when absent or malformed.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    parse_retry_after(headers.get(RETRY_AFTER)?, now)
}

/// Parses one `Retry-After` value (see [`retry_after`]).
pub fn parse_retry_after(value: &HeaderValue, now: SystemTime) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(text).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn retry_after_in_seconds_and_as_a_date() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:00 GMT").expect("date");
        let h = headers(&[("retry-after", "42")]);
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(42)));
        let h = headers(&[("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT")]);
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(37)));
        let h = headers(&[("retry-after", "Sun, 06 Nov 1994 08:48:00 GMT")]);
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        let h = headers(&[("retry-after", "soon")]);
        assert_eq!(retry_after(&h, now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn rate_limit_headers() {
        let h = headers(&[("x-ratelimit-limit", "60"), ("x-ratelimit-remaining", "0")]);
        assert_eq!(
            RateLimitInfo::from_headers(&h),
            Some(RateLimitInfo {
                limit: Some(60),
                remaining: Some(0),
                reset: None
            })
        );
        assert_eq!(RateLimitInfo::from_headers(&HeaderMap::new()), None);
    }

    #[test]
    fn rate_limit_headers_by_any_spelling_trimmed_and_lenient() {
        // The server's spelling of the names does not matter; values are trimmed; a value
        // that is not a number counts as absent.
        let mut h = HeaderMap::new();
        for (name, value) in [
            ("X-RateLimit-Limit", " 100 "),
            ("X-RATELIMIT-REMAINING", "soon"),
            ("x-ratelimit-reset", "30"),
        ] {
            h.insert(
                HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_static(value),
            );
        }
        assert_eq!(
            RateLimitInfo::from_headers(&h),
            Some(RateLimitInfo {
                limit: Some(100),
                remaining: None,
                reset: Some(30)
            })
        );
        let h = headers(&[("x-ratelimit-remaining", "-1")]);
        assert_eq!(RateLimitInfo::from_headers(&h), None);
    }

    #[test]
    fn reset_as_seconds_or_unix_time() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let info = |reset| RateLimitInfo {
            reset,
            ..RateLimitInfo::default()
        };
        assert_eq!(
            info(Some(30)).reset_after(now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            info(Some(1_700_000_045)).reset_after(now),
            Some(Duration::from_secs(45))
        );
        assert_eq!(
            info(Some(1_600_000_000)).reset_after(now),
            Some(Duration::ZERO)
        );
        assert_eq!(info(None).reset_after(now), None);
        // A server's number the clock cannot hold is ignored, not a panic.
        assert_eq!(info(Some(u64::MAX)).reset_after(now), None);
    }

    #[tokio::test]
    async fn pace_spaces_requests_and_refuses_long_waits() {
        let limiter = InMemoryRateLimiter::new(Some(RateLimit::per_second(20)));
        let start = Instant::now();
        for _ in 0..3 {
            limiter
                .acquire(Duration::from_secs(1))
                .await
                .expect("admitted");
        }
        // Three requests at 20/s with a burst of one: two gaps of 50 ms.
        assert!(
            start.elapsed() >= Duration::from_millis(95),
            "{:?}",
            start.elapsed()
        );
        let err = limiter
            .acquire(Duration::ZERO)
            .await
            .expect_err("no wait allowed");
        assert!(err.is_rate_limited());
        assert!(
            err.retry_after()
                .is_some_and(|d| d <= Duration::from_millis(50))
        );
    }

    #[tokio::test]
    async fn server_pause_applies_to_every_holder() {
        let limiter = InMemoryRateLimiter::new(None);
        limiter.pause(Duration::from_secs(30)).await;
        let err = limiter
            .acquire(Duration::from_secs(5))
            .await
            .expect_err("paused");
        assert!(
            matches!(err, Error::RateLimited { retry_after } if retry_after > Duration::from_secs(29))
        );
        limiter.pause(Duration::from_millis(1)).await; // a shorter pause never shortens a longer one
        assert!(limiter.acquire(Duration::from_secs(5)).await.is_err());
    }
}
