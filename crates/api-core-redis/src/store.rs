//! The connection to Redis, the key prefix, and what happens when Redis cannot be reached.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use api_core::{Error, Result};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::error::StoreUnavailable;
use crate::limiter::RedisRateLimiter;
use crate::token_cache::RedisTokenCache;

/// The default prefix of every key this crate writes.
pub const DEFAULT_KEY_PREFIX: &str = "api-core";
/// The default time one Redis command may take before Redis counts as unavailable.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(500);
/// The default lifetime of the lock taken by the process that fetches a token.
pub const DEFAULT_LOCK_TTL: Duration = Duration::from_secs(10);

/// What a limiter or token cache does while Redis cannot be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OnUnavailable {
    /// Fail the call with a typed error before anything is sent: an
    /// [`Error::Transport`] of kind [`Connect`](api_core::TransportErrorKind::Connect)
    /// whose source is a [`StoreUnavailable`]. The shared budget is never overshot; calls
    /// fail until Redis answers again.
    #[default]
    FailClosed,
    /// Log a warning and carry on with this process's own in-memory limiter and token
    /// cache, at the same pace. N workers then send up to N times the shared budget and
    /// fetch a token each, until Redis answers again (the server's 429s still pause).
    InMemory,
}

/// A connection to Redis shared by the limiters and token caches made from it.
///
/// Cheap to clone. The connection is opened on first use and re-opened after a failure,
/// so a worker can start while Redis is down and recovers when it returns.
///
/// ```no_run
/// # async fn run() -> api_core::Result<()> {
/// use api_core_redis::{OnUnavailable, RedisStore};
/// let store = RedisStore::builder("redis://127.0.0.1:6379/")
///     .key_prefix("my-app")
///     .on_unavailable(OnUnavailable::InMemory)
///     .build()?;
/// # let _ = store;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    pub(crate) inner: Arc<StoreInner>,
}

pub(crate) struct StoreInner {
    connection: ConnectionManager,
    pub(crate) prefix: String,
    pub(crate) on_unavailable: OnUnavailable,
    pub(crate) timeout: Duration,
    pub(crate) lock_ttl: Duration,
    /// Set while Redis is failing, so that an outage logs one warning, not one per call.
    degraded: AtomicBool,
}

impl fmt::Debug for RedisStore {
    // The URL may carry a password: it is not kept, let alone printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.inner.prefix)
            .field("on_unavailable", &self.inner.on_unavailable)
            .field("timeout", &self.inner.timeout)
            .field("lock_ttl", &self.inner.lock_ttl)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Starts a store for `url` (`redis://[:password@]host[:port][/db]`, or
    /// `rediss://` when built with a TLS feature of the `redis` crate).
    pub fn builder(url: impl Into<String>) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: url.into(),
            prefix: DEFAULT_KEY_PREFIX.to_owned(),
            on_unavailable: OnUnavailable::default(),
            timeout: DEFAULT_TIMEOUT,
            lock_ttl: DEFAULT_LOCK_TTL,
        }
    }

    /// A store for `url` with the defaults: prefix `api-core`, fail closed, 500 ms per
    /// command, 10 s token lock.
    ///
    /// # Errors
    /// As [`RedisStoreBuilder::build`].
    pub fn open(url: impl Into<String>) -> Result<Self> {
        Self::builder(url).build()
    }

    /// A rate limiter kept in this store. Give it to a client with
    /// `TransportBuilder::rate_limiter`: the transport binds it to its provider, credential
    /// and pace, so every process with the same credential shares one budget.
    pub fn rate_limiter(&self) -> Arc<RedisRateLimiter> {
        Arc::new(RedisRateLimiter::unbound(self.clone()))
    }

    /// A token cache kept in this store, for `OAuth2::cache` (or a client builder's
    /// `token_cache`). One cache serves any number of credentials: each token is stored
    /// under its own credential's key.
    pub fn token_cache(&self) -> Arc<RedisTokenCache> {
        Arc::new(RedisTokenCache::new(self.clone()))
    }

    /// Sends a `PING`, to check the connection at start-up.
    ///
    /// # Errors
    /// [`Error::Transport`] (kind `Connect`, source [`StoreUnavailable`]) when Redis does
    /// not answer within the timeout.
    pub async fn ping(&self) -> Result<()> {
        self.run("ping", |mut c| async move {
            redis::cmd("PING").query_async::<String>(&mut c).await
        })
        .await
        .map(drop)
        .map_err(|e| e.into_error("redis", "ping"))
    }

    /// The full key for `parts`, joined with `:` after the prefix.
    pub(crate) fn key(&self, parts: &[&str]) -> String {
        let mut key = self.inner.prefix.clone();
        for part in parts {
            key.push(':');
            key.push_str(part);
        }
        key
    }

    /// Runs one Redis exchange within the timeout, and keeps track of outages.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        what: &'static str,
        f: F,
    ) -> std::result::Result<T, StoreUnavailable>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let inner = &self.inner;
        let outcome = tokio::time::timeout(inner.timeout, f(inner.connection.clone())).await;
        match outcome {
            Ok(Ok(value)) => {
                if inner.degraded.swap(false, Ordering::AcqRel) {
                    tracing::info!("redis answers again; shared rate limits and tokens resume");
                }
                Ok(value)
            }
            Ok(Err(error)) => Err(self.unavailable(what, error.to_string())),
            Err(_) => Err(self.unavailable(
                what,
                format!("no answer within {} ms", inner.timeout.as_millis()),
            )),
        }
    }

    fn unavailable(&self, what: &'static str, reason: String) -> StoreUnavailable {
        let inner = &self.inner;
        if !inner.degraded.swap(true, Ordering::AcqRel) {
            match inner.on_unavailable {
                OnUnavailable::FailClosed => tracing::warn!(
                    operation = what,
                    %reason,
                    "redis unavailable; calls fail until it answers (fail closed)"
                ),
                OnUnavailable::InMemory => tracing::warn!(
                    operation = what,
                    %reason,
                    "redis unavailable; falling back to this process's in-memory limiter and \
                     token cache until it answers"
                ),
            }
        }
        StoreUnavailable { what, reason }
    }
}

/// Builds a [`RedisStore`].
pub struct RedisStoreBuilder {
    url: String,
    prefix: String,
    on_unavailable: OnUnavailable,
    timeout: Duration,
    lock_ttl: Duration,
}

impl fmt::Debug for RedisStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStoreBuilder")
            .field("prefix", &self.prefix)
            .field("on_unavailable", &self.on_unavailable)
            .field("timeout", &self.timeout)
            .field("lock_ttl", &self.lock_ttl)
            .finish_non_exhaustive()
    }
}

impl RedisStoreBuilder {
    /// The prefix of every key (default `api-core`): separates applications or
    /// environments sharing one Redis.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// What happens while Redis cannot be reached (default [`OnUnavailable::FailClosed`]).
    pub fn on_unavailable(mut self, policy: OnUnavailable) -> Self {
        self.on_unavailable = policy;
        self
    }

    /// How long one Redis command may take, connecting included, before Redis counts as
    /// unavailable for that call (default 500 ms).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// How long the process fetching a token holds the lock (default 10 s). Others wait
    /// for its token at most about this long; if it dies, another takes over after it.
    /// Keep it above the token endpoint's usual answer time.
    pub fn token_lock_ttl(mut self, ttl: Duration) -> Self {
        self.lock_ttl = ttl.max(Duration::from_millis(10));
        self
    }

    /// Builds the store. Nothing is sent yet: the connection opens on first use, so a
    /// store can be built while Redis is down. Call it within a Tokio runtime.
    ///
    /// # Errors
    /// [`Error::Config`] for a malformed URL (the message does not repeat it: it may hold a
    /// password) or when called outside a Tokio runtime.
    pub fn build(self) -> Result<RedisStore> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::Config(
                "RedisStore must be built within a Tokio runtime".into(),
            ));
        }
        let client = redis::Client::open(self.url.as_str())
            .map_err(|e| Error::Config(format!("invalid Redis URL ({:?})", e.kind())))?;
        // Fail fast and let the next call reconnect: a command must not sit through a long
        // reconnection backoff while a request waits behind it.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(20))
            .set_max_delay(Duration::from_millis(200));
        let connection = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| Error::Config(format!("cannot set up the Redis connection: {e}")))?;
        Ok(RedisStore {
            inner: Arc::new(StoreInner {
                connection,
                prefix: self.prefix,
                on_unavailable: self.on_unavailable,
                timeout: self.timeout,
                lock_ttl: self.lock_ttl,
                degraded: AtomicBool::new(false),
            }),
        })
    }
}
