//! When to try again, and how long to wait first.
//!
//! Modelled on smithy-rs's standard retry strategy: exponential backoff with full jitter,
//! the server's `Retry-After` hint when it gives one, and a retry budget (a token bucket
//! shared by every clone of a client) so a failing server is not stampeded.

use std::sync::Mutex;
use std::time::Duration;

use crate::error::{Error, ErrorKind, TransportErrorKind};
use crate::request::Idempotency;

/// Retry settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    /// Attempts in all, the first included (1 disables retries). Default 3.
    pub max_attempts: u32,
    /// Backoff ceiling before the first retry; doubled each retry. Default 200 ms.
    pub initial_backoff: Duration,
    /// Largest backoff between attempts. Default 10 s.
    pub max_backoff: Duration,
    /// Longest wait the client accepts for a rate limit (the server's `Retry-After` or the
    /// local pace). A longer one returns the rate-limited error at once. Default 30 s.
    pub max_rate_limit_wait: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_rate_limit_wait: Duration::from_secs(30),
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The full-jitter backoff before retry number `retry` (1 for the first retry):
    /// a uniform random wait in `[0, min(max_backoff, initial_backoff * 2^(retry-1))]`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let ceiling = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// Whether a failed attempt may be repeated, by the rules every client follows:
///
/// - safe and idempotent requests, and side effects that carry an idempotency key, retry on
///   connection failures, timeouts, 429, 502, 503 and 504;
/// - a side effect without a key retries only when the server cannot have acted on it: a
///   connection that was never made, or a 429 (the server refused before acting).
pub fn may_retry(idempotency: Idempotency, has_idempotency_key: bool, error: &Error) -> bool {
    let repeatable = idempotency != Idempotency::SideEffect || has_idempotency_key;
    match error {
        Error::Api(e) if e.kind == ErrorKind::TooManyRequests => true,
        Error::Transport(e) if e.kind == TransportErrorKind::Connect => true,
        _ if repeatable => error.is_retryable(),
        _ => false,
    }
}

/// What a retry costs from the budget, and what a success gives back (smithy-rs's values).
const RETRY_COST: u32 = 5;
const TIMEOUT_RETRY_COST: u32 = 10;
const SUCCESS_REFUND: u32 = 1;
/// The budget's size.
pub const RETRY_BUDGET_CAPACITY: u32 = 500;

/// A token bucket every retry draws from and every success refills: when a server keeps
/// failing, retries stop long before every caller has multiplied its load.
#[derive(Debug)]
pub struct RetryBudget {
    tokens: Mutex<u32>,
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self {
            tokens: Mutex::new(RETRY_BUDGET_CAPACITY),
        }
    }
}

impl RetryBudget {
    /// Takes the cost of retrying after `error`; false (and nothing taken) when the budget
    /// cannot pay.
    pub fn try_acquire(&self, error: &Error) -> bool {
        let cost = if matches!(error, Error::Timeout { .. }) {
            TIMEOUT_RETRY_COST
        } else {
            RETRY_COST
        };
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if *tokens < cost {
            return false;
        }
        *tokens = tokens.saturating_sub(cost);
        true
    }

    /// Refills after a success.
    pub fn refund(&self) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        *tokens = tokens
            .saturating_add(SUCCESS_REFUND)
            .min(RETRY_BUDGET_CAPACITY);
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        *self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, TransportError};
    use reqwest::StatusCode;

    fn api(status: u16) -> Error {
        ApiError::new("p", "op", StatusCode::from_u16(status).expect("status")).into()
    }

    fn transport(kind: TransportErrorKind) -> Error {
        Error::Transport(Box::new(TransportError {
            provider: "p",
            operation: "op",
            kind,
            source: "boom".into(),
        }))
    }

    #[test]
    fn retry_rules() {
        use Idempotency::*;
        let timeout = Error::Timeout {
            what: "request",
            elapsed: Duration::from_secs(1),
        };
        let cases: Vec<(Idempotency, bool, Error, bool)> = vec![
            (Safe, false, api(429), true),
            (Safe, false, api(502), true),
            (Safe, false, api(503), true),
            (Safe, false, api(504), true),
            (Safe, false, api(500), false),
            (Safe, false, api(400), false),
            (Safe, false, api(401), false),
            (Safe, false, timeout, true),
            (
                Idempotent,
                false,
                transport(TransportErrorKind::Request),
                true,
            ),
            (Safe, false, transport(TransportErrorKind::Body), true),
            (SideEffect, false, api(429), true),
            (
                SideEffect,
                false,
                transport(TransportErrorKind::Connect),
                true,
            ),
            (
                SideEffect,
                false,
                transport(TransportErrorKind::Request),
                false,
            ),
            (SideEffect, false, api(502), false),
            (SideEffect, false, api(503), false),
            (
                SideEffect,
                false,
                Error::Timeout {
                    what: "request",
                    elapsed: Duration::ZERO,
                },
                false,
            ),
            (SideEffect, true, api(503), true),
            (
                SideEffect,
                true,
                transport(TransportErrorKind::Request),
                true,
            ),
            (SideEffect, true, api(500), false),
            (SideEffect, false, Error::invalid_input("f", "m"), false),
        ];
        for (class, key, error, expected) in cases {
            assert_eq!(
                may_retry(class, key, &error),
                expected,
                "{class:?} key={key} {error}"
            );
        }
    }

    #[test]
    fn backoff_is_jittered_under_an_exponential_ceiling() {
        let config = RetryConfig::default();
        for retry in 1..=10 {
            let ceiling = Duration::from_millis(200)
                .saturating_mul(2u32.pow(retry - 1))
                .min(Duration::from_secs(10));
            for _ in 0..50 {
                assert!(config.backoff(retry) <= ceiling);
            }
        }
    }

    #[test]
    fn budget_drains_and_refills() {
        let budget = RetryBudget::default();
        let error = api(503);
        let mut granted = 0;
        while budget.try_acquire(&error) {
            granted += 1;
        }
        assert_eq!(granted, RETRY_BUDGET_CAPACITY / RETRY_COST);
        for _ in 0..RETRY_COST {
            budget.refund();
        }
        assert!(budget.try_acquire(&error));
        assert!(!budget.try_acquire(&error));
    }
}
