//! The one clock a call runs against.
//!
//! Every wait of a call goes through its [`Deadline`]: the limiter's, the token fetch, each
//! attempt (redirects and the body read included) and the backoff between attempts. So the
//! call timeout bounds everything a call does, whatever the server sends and whatever the
//! caller configured: a timeout too large for the clock means no deadline, never a panic.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{Error, Result};

/// When a call started and when it must end. Measured on tokio's clock (the one its timers
/// sleep on), so tests that pause time see deadlines move with it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    started: Instant,
    /// `None` when the call timeout lies beyond what the clock can hold: no deadline.
    at: Option<Instant>,
}

impl Deadline {
    /// A deadline `budget` from now.
    pub(crate) fn start(budget: Duration) -> Self {
        let started = Instant::now();
        Self {
            started,
            at: started.checked_add(budget),
        }
    }

    /// How long until the deadline ([`Duration::MAX`] without one).
    pub(crate) fn left(&self) -> Duration {
        self.at.map_or(Duration::MAX, |at| {
            at.saturating_duration_since(Instant::now())
        })
    }

    /// Whether a wait of `wait` from now would reach the deadline.
    pub(crate) fn reached_by(&self, wait: Duration) -> bool {
        wait >= self.left()
    }

    /// How long the call has run.
    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The error of a call that ran out of time.
    pub(crate) fn expired(&self) -> Error {
        Error::Timeout {
            what: "call",
            elapsed: self.elapsed(),
        }
    }

    /// Runs `work` until the deadline; past it, `work` is dropped (whatever it holds, a
    /// connection included, is released) and the call's timeout is returned.
    pub(crate) async fn bound<T>(&self, work: impl Future<Output = Result<T>>) -> Result<T> {
        let Some(at) = self.at else {
            return work.await;
        };
        match tokio::time::timeout_at(at, work).await {
            Ok(result) => result,
            Err(_) => Err(self.expired()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_deadline_beyond_the_clock_is_no_deadline() {
        let deadline = Deadline::start(Duration::MAX);
        assert_eq!(deadline.left(), Duration::MAX);
        assert!(!deadline.reached_by(Duration::from_secs(u64::MAX)));
        assert!(deadline.reached_by(Duration::MAX));
        let value = deadline
            .bound(async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok(7)
            })
            .await
            .expect("no deadline");
        assert_eq!(value, 7);
    }

    #[tokio::test(start_paused = true)]
    async fn bound_ends_work_at_the_deadline_with_the_calls_elapsed_time() {
        let deadline = Deadline::start(Duration::from_secs(5));
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(deadline.left(), Duration::from_secs(3));
        assert!(deadline.reached_by(Duration::from_secs(3)));
        assert!(!deadline.reached_by(Duration::from_millis(2999)));
        let error = deadline
            .bound(async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                Ok(())
            })
            .await
            .expect_err("cut at the deadline");
        assert!(
            matches!(error, Error::Timeout { what: "call", elapsed } if elapsed == Duration::from_secs(5)),
            "{error:?}"
        );
        assert_eq!(deadline.left(), Duration::ZERO);
    }
}
