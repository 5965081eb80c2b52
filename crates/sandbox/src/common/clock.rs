//! The sandbox's clock: the wall clock plus an offset that tests move forward, so that a
//! token's lifetime, a throttle or fair-use window, a flood window or a subscription's expiry
//! passes without sleeping. Shared by every emulator of one sandbox.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::Notify;
use tokio::time::Instant;

/// The sandbox's clock (`Sandbox::clock()`): the wall clock by default.
///
/// ```
/// # async fn run() -> std::io::Result<()> {
/// let sandbox = api_sandbox::Sandbox::start(Default::default()).await?;
/// // Every Flexiti token is past its 20 minutes now.
/// sandbox.clock().advance(std::time::Duration::from_secs(21 * 60));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicU64>,
    /// Wakes the emulators' scheduled work (pingbacks, webhook retries) when it moves.
    advanced: Arc<Notify>,
}

impl Clock {
    /// Moves the clock forward by `by` (never back).
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        // Saturating: an absurd advance stops at the end of time, it does not wrap.
        let _ = self
            .offset_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                Some(now.saturating_add(ms))
            });
        self.advanced.notify_waiters();
    }

    /// Waits until `by` has passed on this clock: on the wall clock, or at once when the clock
    /// is advanced past it. What the emulators schedule (a pingback's next report, a webhook's
    /// retry) waits with it, so advancing the clock brings it forward.
    pub(crate) async fn sleep(&self, by: Duration) {
        let Some(due) = self.instant().checked_add(by) else {
            // Beyond what the clock holds: only an advance gets there.
            return std::future::pending().await;
        };
        loop {
            // Registered before the clock is read, so an advance in between is not missed.
            let advanced = self.advanced.notified();
            tokio::pin!(advanced);
            advanced.as_mut().enable();
            let now = self.instant();
            if now >= due {
                return;
            }
            tokio::select! {
                () = tokio::time::sleep(due.saturating_duration_since(now)) => {}
                () = advanced => {}
            }
        }
    }

    /// How far ahead of the wall clock it is.
    pub fn offset(&self) -> Duration {
        Duration::from_millis(self.offset_ms.load(Ordering::SeqCst))
    }

    /// The monotonic now, offset.
    pub(crate) fn instant(&self) -> Instant {
        let now = Instant::now();
        now.checked_add(self.offset()).unwrap_or(now)
    }

    /// The calendar now (UTC), offset.
    pub(crate) fn utc(&self) -> OffsetDateTime {
        let now = OffsetDateTime::now_utc();
        time::Duration::try_from(self.offset())
            .ok()
            .and_then(|offset| now.checked_add(offset))
            .unwrap_or(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_both_clocks_and_never_wraps() {
        let clock = Clock::default();
        let (before, before_utc) = (clock.instant(), clock.utc());
        clock.advance(Duration::from_secs(3600));
        assert!(clock.instant() >= before + Duration::from_secs(3600));
        assert!(clock.utc() >= before_utc + time::Duration::hours(1));
        clock.advance(Duration::MAX);
        assert_eq!(clock.offset(), Duration::from_millis(u64::MAX));
        let _ = (clock.instant(), clock.utc()); // no panic at the end of time
    }

    #[tokio::test]
    async fn an_advance_ends_a_sleep_at_once() {
        let clock = Clock::default();
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(Duration::from_secs(3600)).await }
        });
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(Duration::from_secs(1800));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished(), "half way");
        clock.advance(Duration::from_secs(1800));
        tokio::time::timeout(Duration::from_secs(1), sleeper)
            .await
            .expect("woken by the advance")
            .expect("joined");
    }
}
