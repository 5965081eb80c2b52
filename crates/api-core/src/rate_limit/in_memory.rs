//! [`InMemoryRateLimiter`], the default limiter: a GCRA pace plus the server's pauses.
//!
//! Also the pace it keeps, the GCRA (`Gcra`).

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::time::Instant;

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

impl RateLimiter for InMemoryRateLimiter {
    fn acquire_now(&self) -> bool {
        self.pause_left() == Duration::ZERO
            && self
                .pace
                .as_ref()
                .is_none_or(|pace| pace.check(Instant::now()).is_ok())
    }

    fn acquire(&self, max_wait: Duration) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
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
        })
    }

    fn pause(&self, wait: Duration) -> BoxFuture<'_, ()> {
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
        Box::pin(std::future::ready(()))
    }
}

// ---------------------------------------------------------------------------------------
// The pace: GCRA, hand-written.

/// The pace of [`InMemoryRateLimiter`](super::InMemoryRateLimiter): GCRA (the generic cell
/// rate algorithm), as in `governor` 0.10, which this replaces.
///
/// Hand-written because the algorithm is a dozen lines while `governor` and the crates it
/// pulls cost about 2.5 s of every provider's clean build (`cargo xtask bench`,
/// docs/performance.md). The shared limiter of api-core-redis (its `ACQUIRE` script) runs
/// the same schedule on the Redis server's clock: the same emission interval and tolerance,
/// from the same [`RateLimit`].
///
/// The state is the theoretical arrival time (TAT): when the next request would be due if
/// requests went out exactly at the pace. A request is admitted while the TAT is at most
/// `tolerance` ahead of now, and pushes it one `interval` further (from now, if the TAT
/// lies in the past: a quiet spell earns no more than the burst). Time is counted in
/// nanoseconds since the limiter was made, saturating, so no pace or instant can overflow.
pub(super) struct Gcra {
    start: Instant,
    /// Nanoseconds between two requests at the steady pace (`period / requests`).
    interval: u64,
    /// How far ahead of now the TAT may run: `interval × (burst − 1)`.
    tolerance: u64,
    /// The TAT in nanoseconds since `start`; 0 admits the first request at once.
    tat: AtomicU64,
}

impl Gcra {
    pub(super) fn new(limit: RateLimit, start: Instant) -> Self {
        // `requests` is never zero (`NonZeroU32`).
        let interval = nanos(
            limit
                .period
                .checked_div(limit.requests.get())
                .unwrap_or(limit.period),
        )
        .max(1);
        Self {
            start,
            interval,
            tolerance: interval.saturating_mul(u64::from(limit.burst.get() - 1)),
            tat: AtomicU64::new(0),
        }
    }

    /// Takes a slot at `now`, or says how long until the next one. A refusal reserves
    /// nothing: the caller sleeps and asks again, competing with everyone else then.
    pub(super) fn check(&self, now: Instant) -> std::result::Result<(), Duration> {
        let now = nanos(now.saturating_duration_since(self.start));
        let admitted = self
            .tat
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tat| {
                (now >= tat.saturating_sub(self.tolerance))
                    .then(|| tat.max(now).saturating_add(self.interval))
            });
        match admitted {
            Ok(_) => Ok(()),
            Err(tat) => Err(Duration::from_nanos(
                tat.saturating_sub(self.tolerance).saturating_sub(now),
            )),
        }
    }
}

/// `duration` in whole nanoseconds, saturating at `u64::MAX` (584 years).
fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
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

#[cfg(test)]
mod gcra_tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// Admits or refuses `count` requests at `at`: how many got through, and the wait told
    /// to the first one refused.
    fn take(gcra: &Gcra, at: Instant, count: usize) -> (usize, Option<Duration>) {
        let mut admitted = 0;
        for _ in 0..count {
            match gcra.check(at) {
                Ok(()) => admitted += 1,
                Err(wait) => return (admitted, Some(wait)),
            }
        }
        (admitted, None)
    }

    #[test]
    fn gcra_admits_the_burst_then_one_per_interval() {
        let start = Instant::now();
        let gcra = Gcra::new(RateLimit::per_second(10).burst(3), start);
        // A fresh limiter holds a whole burst; the fourth waits one interval.
        assert_eq!(take(&gcra, start, 10), (3, Some(100 * MS)));
        // Just before the slot: still refused, told the exact rest of the wait.
        assert_eq!(take(&gcra, start + 99 * MS, 1), (0, Some(MS)));
        assert_eq!(take(&gcra, start + 100 * MS, 10), (1, Some(100 * MS)));
        // A quiet spell earns the burst back, never more.
        assert_eq!(
            take(&gcra, start + Duration::from_secs(60), 10),
            (3, Some(100 * MS))
        );
    }

    #[test]
    fn gcra_without_burst_spaces_every_request() {
        let start = Instant::now();
        let gcra = Gcra::new(RateLimit::per_minute(60), start);
        assert_eq!(take(&gcra, start, 5), (1, Some(Duration::from_secs(1))));
        assert_eq!(
            take(&gcra, start + Duration::from_millis(999), 1),
            (0, Some(MS))
        );
        assert_eq!(
            take(&gcra, start + Duration::from_secs(1), 5),
            (1, Some(Duration::from_secs(1)))
        );
    }

    #[test]
    fn gcra_waits_land_on_the_slots_without_drift() {
        // A caller that sleeps exactly as long as it is told gets the k-th request out at
        // exactly k intervals: no wait is rounded short (a refused retry) or long (a slot
        // lost per request, which would add up over a long run). 7 per second does not
        // divide a second evenly: the interval is 142,857,142 ns, truncated.
        let start = Instant::now();
        let gcra = Gcra::new(RateLimit::per_second(7), start);
        let interval = Duration::from_nanos(142_857_142);
        let mut now = start;
        for k in 0..10_000u32 {
            let mut refusals = 0;
            while let Err(wait) = gcra.check(now) {
                assert!(!wait.is_zero());
                now += wait;
                refusals += 1;
            }
            assert!(refusals <= 1, "request {k} was refused {refusals} times");
            assert_eq!(now - start, interval * k, "request {k}");
        }
    }

    #[test]
    fn gcra_late_requests_earn_no_credit_beyond_the_burst() {
        let start = Instant::now();
        let gcra = Gcra::new(RateLimit::per_second(10), start);
        assert_eq!(take(&gcra, start, 2), (1, Some(100 * MS)));
        // 250 ms late: the next slot is one interval after this request, not 150 ms.
        assert_eq!(take(&gcra, start + 350 * MS, 2), (1, Some(100 * MS)));
    }

    #[test]
    fn gcra_extreme_paces_saturate_instead_of_overflowing() {
        let start = Instant::now();
        let gcra = Gcra::new(RateLimit::new(1, Duration::MAX).burst(u32::MAX), start);
        assert_eq!(gcra.interval, u64::MAX);
        assert_eq!(gcra.tolerance, u64::MAX);
        // The tolerance covers everything: every request is admitted, none panics.
        assert_eq!(
            take(&gcra, start + Duration::from_secs(1), 100),
            (100, None)
        );

        let gcra = Gcra::new(RateLimit::new(1, Duration::MAX), start);
        assert_eq!(take(&gcra, start, 2).0, 1);
        let (_, wait) = take(&gcra, start + Duration::from_secs(1), 1);
        assert_eq!(
            wait,
            Some(Duration::from_nanos(u64::MAX) - Duration::from_secs(1))
        );

        // u32::MAX a millisecond: the interval rounds down to the 1 ns floor.
        let gcra = Gcra::new(RateLimit::new(u32::MAX, MS), start);
        assert_eq!(gcra.interval, 1);
        assert_eq!(take(&gcra, start, 2), (1, Some(Duration::from_nanos(1))));
    }

    #[test]
    fn gcra_concurrent_callers_never_share_a_slot() {
        // Eight threads race for the slots at one instant: exactly the burst gets through.
        let start = Instant::now();
        let gcra = Gcra::new(RateLimit::per_second(1).burst(50), start);
        let admitted: usize = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| take(&gcra, start, 1000).0))
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("no panic"))
                .sum()
        });
        assert_eq!(admitted, 50);
        assert_eq!(take(&gcra, start, 1), (0, Some(Duration::from_secs(1))));
    }
}
