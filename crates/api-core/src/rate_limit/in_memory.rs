//! [`InMemoryRateLimiter`], the default limiter: a GCRA pace plus the server's pauses.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::gcra::Gcra;
use super::{RateLimit, RateLimiter};
use crate::error::{Error, Result};

/// How long a pause the clock cannot hold lasts instead (about 30 years).
const FOREVER: Duration = Duration::from_secs(30 * 365 * 24 * 60 * 60);

/// The default limiter: a GCRA pace (as in `governor`, hand-written) plus the server's
/// pauses, in memory.
///
/// Both are measured on tokio's clock, the one its waits sleep on: it is the system's
/// monotonic clock, except under `tokio::time::pause()`, where the pace follows the paused
/// clock.
pub struct InMemoryRateLimiter {
    pace: Option<Gcra>,
    paused_until: Mutex<Option<Instant>>,
    /// Whether a pause was ever set: until then no call takes the lock or reads the clock.
    ever_paused: AtomicBool,
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
        Self {
            pace: limit.map(|limit| Gcra::new(limit, Instant::now())),
            paused_until: Mutex::new(None),
            ever_paused: AtomicBool::new(false),
        }
    }

    fn pause_left(&self) -> Duration {
        if !self.ever_paused.load(Ordering::Acquire) {
            return Duration::ZERO;
        }
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
    fn acquire_now(&self) -> bool {
        self.pause_left() == Duration::ZERO
            && self
                .pace
                .as_ref()
                .is_none_or(|pace| pace.check(Instant::now()).is_ok())
    }

    async fn acquire(&self, max_wait: Duration) -> Result<()> {
        let mut waited = Duration::ZERO;
        loop {
            let paused = self.pause_left();
            if paused > Duration::ZERO {
                if waited.saturating_add(paused) > max_wait {
                    return Err(Error::RateLimited {
                        retry_after: paused,
                    });
                }
                tokio::time::sleep(paused).await;
                waited = waited.saturating_add(paused);
                continue;
            }
            let Some(pace) = &self.pace else {
                return Ok(());
            };
            match pace.check(Instant::now()) {
                Ok(()) => return Ok(()),
                Err(wait) => {
                    if waited.saturating_add(wait) > max_wait {
                        return Err(Error::RateLimited { retry_after: wait });
                    }
                    tokio::time::sleep(wait).await;
                    waited = waited.saturating_add(wait);
                }
            }
        }
    }

    async fn pause(&self, wait: Duration) {
        // A server's `Retry-After` can be any number: beyond what the clock can hold it
        // is a pause for as long as this process will plausibly run.
        let now = Instant::now();
        let until = now
            .checked_add(wait)
            .or_else(|| now.checked_add(FOREVER))
            .unwrap_or(now);
        let mut paused = self
            .paused_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if paused.is_none_or(|current| current < until) {
            *paused = Some(until);
        }
        self.ever_paused.store(true, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const MS: Duration = Duration::from_millis(1);

    #[tokio::test(start_paused = true)]
    async fn acquire_now_takes_only_a_free_slot() {
        let unpaced = InMemoryRateLimiter::new(None);
        assert!(unpaced.acquire_now() && unpaced.acquire_now());
        unpaced.pause(Duration::from_secs(1)).await;
        assert!(!unpaced.acquire_now(), "paused by the server");
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(unpaced.acquire_now());

        let paced = InMemoryRateLimiter::new(Some(RateLimit::per_second(1)));
        assert!(paced.acquire_now(), "the burst's slot");
        assert!(!paced.acquire_now(), "the next slot is a second away");
        // A refusal reserved nothing: the slow path still gets the next slot on time.
        let started = Instant::now();
        paced
            .acquire(Duration::from_secs(5))
            .await
            .expect("within max_wait");
        assert_eq!(started.elapsed(), Duration::from_secs(1));
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

    #[tokio::test(start_paused = true)]
    async fn a_pause_beyond_the_clock_is_a_long_pause_not_a_panic() {
        // `Retry-After: 18446744073709551615` is a valid number of seconds.
        let limiter = InMemoryRateLimiter::new(None);
        limiter.pause(Duration::from_secs(u64::MAX)).await;
        let err = limiter
            .acquire(Duration::from_secs(3600))
            .await
            .expect_err("paused");
        assert_eq!(err.retry_after(), Some(FOREVER));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_waiters_each_get_their_own_slot() {
        let limiter = Arc::new(InMemoryRateLimiter::new(Some(RateLimit::per_second(10))));
        let start = Instant::now();
        let waiters: Vec<_> = (0..5)
            .map(|_| {
                let limiter = limiter.clone();
                tokio::spawn(async move {
                    limiter.acquire(Duration::from_secs(1)).await?;
                    Ok::<_, Error>(start.elapsed())
                })
            })
            .collect();
        let mut admitted = Vec::new();
        for waiter in waiters {
            admitted.push(waiter.await.expect("no panic").expect("admitted"));
        }
        admitted.sort();
        // The paused clock jumps straight to each sleeper's deadline: one request at each
        // multiple of 100 ms, in whatever order the waiters won.
        assert_eq!(admitted, [0, 100, 200, 300, 400].map(|ms| ms * MS).to_vec());
        // The next slot is at 500 ms; a caller unwilling to wait is told so.
        let err = limiter.acquire(Duration::ZERO).await.expect_err("no slot");
        assert_eq!(err.retry_after(), Some(100 * MS));
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_beyond_max_wait_is_refused_at_once_with_the_wait() {
        let limiter = InMemoryRateLimiter::new(Some(RateLimit::per_minute(1)));
        limiter
            .acquire(Duration::ZERO)
            .await
            .expect("first is free");
        let before = Instant::now();
        let err = limiter
            .acquire(Duration::from_secs(59))
            .await
            .expect_err("a minute away");
        assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
        assert_eq!(before.elapsed(), Duration::ZERO, "refused without waiting");
        limiter
            .acquire(Duration::from_secs(60))
            .await
            .expect("waits the minute");
        assert_eq!(before.elapsed(), Duration::from_secs(60));
    }
}
