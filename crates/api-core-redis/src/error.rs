//! The typed error of a store that cannot be reached.

use std::fmt;

use api_core::{Error, TransportError, TransportErrorKind};

/// Redis could not be reached (refused, timed out, or answered with an error) while a
/// limiter or token cache needed it.
///
/// With [`OnUnavailable::FailClosed`](crate::OnUnavailable::FailClosed) a call fails with
/// an [`Error::Transport`] of kind [`TransportErrorKind::Connect`] (nothing was sent) whose
/// source is this error:
///
/// ```
/// # fn handle(error: &api_core::Error) -> bool {
/// use std::error::Error as _;
/// use api_core_redis::StoreUnavailable;
/// let redis_down = error
///     .source()
///     .and_then(|source| source.downcast_ref::<StoreUnavailable>())
///     .is_some();
/// # redis_down }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreUnavailable {
    pub(crate) what: &'static str,
    pub(crate) reason: String,
}

impl StoreUnavailable {
    /// What was being done: `"rate limit"`, `"token cache"`, `"ping"`, ...
    pub fn operation(&self) -> &'static str {
        self.what
    }

    /// Why Redis did not serve it (the `redis` crate's message or the timeout).
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The error a call returns for it.
    pub(crate) fn into_error(self, provider: &'static str, operation: &'static str) -> Error {
        Error::Transport(Box::new(TransportError::new(
            provider,
            operation,
            TransportErrorKind::Connect,
            self,
        )))
    }
}

impl fmt::Display for StoreUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "redis unavailable for the {}: {}",
            self.what, self.reason
        )
    }
}

impl std::error::Error for StoreUnavailable {}
