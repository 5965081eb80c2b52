//! A GCRA rate limiter kept in Redis: one budget per provider and credential, shared by
//! every process.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use api_core::{
    BoxFuture, CredentialScope, Error, InMemoryRateLimiter, RateLimit, RateLimitInfo, RateLimiter,
    Result,
};
use redis::Script;

use crate::store::{OnUnavailable, RedisStore};

/// Reserves the next slot of a GCRA schedule, or says how long until one is free.
///
/// The state is one hash: `tat` (theoretical arrival time) and `pause` (no request before),
/// both in microseconds of the Redis server's clock, so that workers on machines whose
/// clocks disagree still share one schedule. A slot is reserved only when the caller
/// accepts the wait, so the callers queue in the order they asked.
///
/// The schedule is the one of api-core's in-memory limiter (its private `Gcra`, which the
/// fallback uses): interval `period / requests`, tolerance `interval × (burst − 1)`, and a
/// TAT that never lags behind now, so a quiet spell earns at most the burst. Two
/// differences: microseconds instead of nanoseconds, and the in-memory limiter reserves
/// nothing on a refusal (its waiters ask again when they wake).
///
/// KEYS[1] the limiter; ARGV: emission interval, burst tolerance, maximum wait (µs).
/// Returns {1, wait} when a slot `wait` µs from now is reserved, {0, wait} when not.
const ACQUIRE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tat', 'pause')
local pause = tonumber(state[2]) or 0
local start = math.max(now, pause)
local tat = math.max(tonumber(state[1]) or start, start)
local at = math.max(tat - tolerance, start)
local wait = at - now
if wait > max_wait then
  return {0, wait}
end
local next_tat = tat + interval
redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', next_tat))
redis.call('PEXPIRE', KEYS[1], math.ceil((math.max(next_tat, pause) - now) / 1000) + 1000)
return {1, wait}
";

/// Records the server's `no request before now + wait` for every worker; a shorter pause
/// never shortens a longer one. Then answers how long the pause still runs (µs), which is
/// also how a worker that slept until its slot checks for a pause set meanwhile (wait 0).
///
/// KEYS[1] the limiter; ARGV[1] the wait (µs).
const PAUSE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait = tonumber(ARGV[1])
local state = redis.call('HMGET', KEYS[1], 'tat', 'pause')
local pause = tonumber(state[2]) or 0
if wait > 0 and now + wait > pause then
  pause = now + wait
  redis.call('HSET', KEYS[1], 'pause', string.format('%.0f', pause))
  local last = math.max(tonumber(state[1]) or 0, pause)
  redis.call('PEXPIRE', KEYS[1], math.ceil((last - now) / 1000) + 1000)
end
return math.max(pause - now, 0)
";

/// A rate limiter whose budget lives in Redis, shared by every process that uses the
/// same provider and credential.
///
/// Made by [`RedisStore::rate_limiter`] and handed to a transport builder; the transport
/// binds it to its provider, credential and pace ([`RateLimiter::bind`]). The budget is a
/// GCRA schedule under `<prefix>:ratelimit:<provider>:<fingerprint>`, where the fingerprint
/// is [`api_core::Auth::fingerprint`] (a hash: the credential itself is never written).
///
/// It paces at the transport's rate limit (the provider's default unless changed) or at
/// [`RedisRateLimiter::pace`]. The server's signals reach every worker: a 429 with
/// `Retry-After`, and `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset`, push the shared
/// schedule back.
pub struct RedisRateLimiter {
    store: RedisStore,
    provider: &'static str,
    key: String,
    pace: Option<RateLimit>,
    /// Whether the pace was set here (then a transport's pace does not replace it).
    own_pace: bool,
    /// Serves this process while Redis is down, with [`OnUnavailable::InMemory`].
    fallback: InMemoryRateLimiter,
    acquire: Arc<Script>,
    pause: Arc<Script>,
}

impl fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisRateLimiter")
            .field("key", &self.key)
            .field("pace", &self.pace)
            .field("on_unavailable", &self.store.inner.on_unavailable)
            .finish_non_exhaustive()
    }
}

impl RedisRateLimiter {
    pub(crate) fn unbound(store: RedisStore) -> Self {
        let key = store.key(&["ratelimit", "unbound"]);
        Self {
            store,
            provider: "unbound",
            key,
            pace: None,
            own_pace: false,
            fallback: InMemoryRateLimiter::new(None),
            acquire: Arc::new(Script::new(ACQUIRE)),
            pause: Arc::new(Script::new(PAUSE)),
        }
    }

    /// A limiter for `scope` on its own, without a transport to bind it (for code that
    /// paces itself). Its key is `<prefix>:ratelimit:<provider>:<fingerprint>`.
    pub fn for_scope(store: &RedisStore, scope: &CredentialScope, pace: Option<RateLimit>) -> Self {
        let mut limiter = Self::unbound(store.clone());
        limiter.rebind(scope, pace);
        limiter
    }

    /// Paces at `pace` whatever the transport's rate limit says: for a budget the provider
    /// counts differently from the client's default, or a little under the provider's
    /// limit (the limiter counts when it admits a request, the server when the request
    /// arrives; network jitter between the two can put one request too many in the
    /// server's window when both are at exactly the same rate).
    pub fn pace(mut self, pace: RateLimit) -> Self {
        self.pace = Some(pace);
        self.own_pace = true;
        self.fallback = InMemoryRateLimiter::new(self.pace);
        self
    }

    /// The Redis key of this limiter's budget.
    pub fn key(&self) -> &str {
        &self.key
    }

    fn rebind(&mut self, scope: &CredentialScope, pace: Option<RateLimit>) {
        self.provider = scope.provider;
        self.key = self
            .store
            .key(&["ratelimit", scope.provider, &scope.fingerprint]);
        if !self.own_pace {
            self.pace = pace;
        }
        self.fallback = InMemoryRateLimiter::new(self.pace);
    }

    /// GCRA parameters in microseconds: emission interval and burst tolerance.
    fn schedule(&self) -> (u64, u64) {
        let Some(pace) = self.pace else {
            return (0, 0);
        };
        let (requests, period, burst) = (pace.requests(), pace.period(), pace.burst_size());
        let interval = period
            .as_micros()
            .checked_div(u128::from(requests))
            .unwrap_or(u128::MAX)
            .max(1);
        // Saturating: a pace of one request in centuries is a very long interval, not a
        // truncated (short) one.
        let interval = u64::try_from(interval).unwrap_or(u64::MAX);
        (
            interval,
            interval.saturating_mul(u64::from(burst.saturating_sub(1))),
        )
    }

    /// Reserves a slot; `Ok(Err(wait))` when the next one is further than `max_wait`.
    async fn reserve(
        &self,
        max_wait: Duration,
    ) -> std::result::Result<std::result::Result<Duration, Duration>, crate::StoreUnavailable> {
        let (interval, tolerance) = self.schedule();
        let script = self.acquire.clone();
        let key = self.key.clone();
        let (reserved, wait): (i64, i64) = self
            .store
            .run("rate limit", |mut c| async move {
                script
                    .key(key)
                    .arg(interval)
                    .arg(tolerance)
                    .arg(micros(max_wait))
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        let wait = Duration::from_micros(wait.max(0) as u64);
        Ok(if reserved == 1 { Ok(wait) } else { Err(wait) })
    }

    /// Sets a pause of `wait` (zero only reads it); answers the pause left.
    async fn shared_pause(
        &self,
        wait: Duration,
    ) -> std::result::Result<Duration, crate::StoreUnavailable> {
        let script = self.pause.clone();
        let key = self.key.clone();
        let left: i64 = self
            .store
            .run("rate limit", |mut c| async move {
                script.key(key).arg(micros(wait)).invoke_async(&mut c).await
            })
            .await?;
        Ok(Duration::from_micros(left.max(0) as u64))
    }

    async fn acquire_shared(
        &self,
        max_wait: Duration,
    ) -> std::result::Result<Result<()>, crate::StoreUnavailable> {
        let started = Instant::now();
        loop {
            let left = max_wait.saturating_sub(started.elapsed());
            let wait = match self.reserve(left).await? {
                Ok(wait) => wait,
                Err(retry_after) => return Ok(Err(Error::RateLimited { retry_after })),
            };
            if wait.is_zero() {
                return Ok(Ok(()));
            }
            tokio::time::sleep(wait).await;
            // Another worker may have been told to back off while this one slept towards
            // its slot: then the slot is given up and a new one reserved after the pause.
            if self.shared_pause(Duration::ZERO).await?.is_zero() {
                return Ok(Ok(()));
            }
        }
    }
}

impl RateLimiter for RedisRateLimiter {
    fn acquire(&self, max_wait: Duration) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            match self.acquire_shared(max_wait).await {
                Ok(outcome) => outcome,
                Err(unavailable) => match self.store.inner.on_unavailable {
                    OnUnavailable::FailClosed => {
                        Err(unavailable.into_error(self.provider, "rate limit"))
                    }
                    OnUnavailable::InMemory => self.fallback.acquire(max_wait).await,
                },
            }
        })
    }

    fn pause(&self, wait: Duration) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            // Kept locally too, so the fallback honours it should Redis fail next.
            self.fallback.pause(wait).await;
            if let Err(unavailable) = self.shared_pause(wait).await {
                tracing::debug!(%unavailable, "the server's pause was kept in this process only");
            }
        })
    }

    fn observe<'a>(&'a self, info: &'a RateLimitInfo) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if info.remaining == Some(0)
                && let Some(wait) = info.reset_after(SystemTime::now())
                && !wait.is_zero()
            {
                self.pause(wait).await;
            }
        })
    }

    fn bind(
        &self,
        scope: &CredentialScope,
        pace: Option<RateLimit>,
    ) -> Option<Arc<dyn RateLimiter>> {
        let mut bound = Self::unbound(self.store.clone());
        bound.own_pace = self.own_pace;
        bound.pace = self.pace;
        bound.rebind(scope, pace);
        Some(Arc::new(bound))
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX / 2)
}
