//! The fixed window both FL3XX's fair-use policy and Netfinity's throttle count requests in.

use std::time::Duration;

use tokio::time::Instant;

/// A fixed window of at most `limit` requests, counted from the first one.
#[derive(Debug)]
pub(crate) struct Window {
    started: Instant,
    count: u32,
}

/// The outcome of counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hit {
    /// Counted; this many are left in the window.
    Allowed { remaining: u32 },
    /// Over the limit: the window ends in this many whole seconds (at least 1).
    Exceeded { retry_after_secs: u64 },
}

impl Window {
    /// A window starting now.
    pub(crate) fn new(now: Instant) -> Window {
        Window {
            started: now,
            count: 0,
        }
    }

    /// Counts one request at `now` against `limit` in a window of `length`, starting a new
    /// window when the last one has ended.
    pub(crate) fn hit(&mut self, now: Instant, limit: u32, length: Duration) -> Hit {
        if now.duration_since(self.started) >= length {
            *self = Window::new(now);
        }
        if self.count >= limit {
            let left = (self.started + length).saturating_duration_since(now);
            let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            return Hit::Exceeded {
                retry_after_secs: secs.max(1),
            };
        }
        self.count += 1;
        Hit::Allowed {
            remaining: limit - self.count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_to_the_limit_then_waits_for_the_next_window() {
        let start = Instant::now();
        let minute = Duration::from_secs(60);
        let mut window = Window::new(start);
        assert_eq!(window.hit(start, 2, minute), Hit::Allowed { remaining: 1 });
        assert_eq!(window.hit(start, 2, minute), Hit::Allowed { remaining: 0 });
        let later = start + Duration::from_millis(20_500);
        assert_eq!(
            window.hit(later, 2, minute),
            Hit::Exceeded {
                retry_after_secs: 40
            }
        );
        assert_eq!(
            window.hit(start + minute, 2, minute),
            Hit::Allowed { remaining: 1 }
        );
    }
}
