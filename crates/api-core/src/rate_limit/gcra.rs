//! The pace of the in-memory limiter: GCRA, hand-written.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use super::RateLimit;

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
