//! Credentials revoked on demand, as a provider's panel revokes a token: the emulator then
//! answers a request carrying one with its documented 401, as for a wrong credential.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

/// The credentials one emulator no longer accepts.
#[derive(Debug, Default)]
pub(crate) struct Revoked(Mutex<HashSet<String>>);

impl Revoked {
    /// Refuses `credential` from now on.
    pub(crate) fn revoke(&self, credential: &str) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(credential.to_owned());
    }

    /// Accepts every credential again.
    pub(crate) fn clear(&self) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Whether `credential` was revoked.
    pub(crate) fn contains(&self, credential: &str) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(credential)
    }
}
