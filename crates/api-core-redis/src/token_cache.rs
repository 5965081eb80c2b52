//! An OAuth2 token cache kept in Redis, with a single flight across processes.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use api_core::{
    AccessToken, BoxFuture, CredentialScope, Error, ExposeSecret, InMemoryTokenCache, Result,
    TokenCache, TokenFetcher,
};
use redis::Script;

use crate::error::StoreUnavailable;
use crate::store::{OnUnavailable, RedisStore};

/// How often a process waiting for another's token request looks again.
const POLL: Duration = Duration::from_millis(25);
/// How long a failed token request is shared with the processes that were waiting for it.
const FAILURE_TTL: Duration = Duration::from_secs(5);

/// Deletes the lock only if it is still ours (it may have expired and been taken).
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Deletes the stored token only if it is the one the server rejected.
const INVALIDATE: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local a = string.find(v, ':', 1, true)
if not a then return 0 end
local b = string.find(v, ':', a + 1, true)
if b and string.sub(v, b + 1) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// An OAuth2 token cache in Redis: however many processes need a token at once, one of
/// them asks the authorization server, and the others use its token.
///
/// Made by [`RedisStore::token_cache`]; one cache serves any number of credentials. Under
/// `<prefix>:token:<provider>:<fingerprint>` (the fingerprint is a hash of the token URL,
/// client id and scopes, see [`api_core::Auth::fingerprint`]):
///
/// - the key itself holds **the access token, in clear text**, with its expiry; the key
///   expires with the token (TTL = the token's remaining lifetime), so no stale token
///   outlives its use. Anyone who can read this Redis can call the API with it until then:
///   protect Redis like the client secret (password or ACL, TLS or a private network, no
///   persistence you do not need);
/// - `…:refresh` holds the refresh token issued with it (also in clear text, same TTL), when
///   the server issued one: with [`api_core::OAuth2::refresh_tokens`] the next lock holder
///   renews the token with it, so a single-use refresh token is sent by one process only;
/// - `…:lock` is held (`SET NX PX`, [`RedisStoreBuilder::token_lock_ttl`]) by the process
///   fetching (or refreshing) a token; the others poll for the token every 25 ms;
/// - `…:failed` shares a failed token request for 5 s with the processes that were
///   waiting for it, so that they report the same error instead of asking again.
///
/// [`RedisStoreBuilder::token_lock_ttl`]: crate::RedisStoreBuilder::token_lock_ttl
pub struct RedisTokenCache {
    store: RedisStore,
    local: Mutex<HashMap<String, Arc<Local>>>,
    release: Arc<Script>,
    invalidate: Arc<Script>,
}

/// This process's state for one credential.
#[derive(Default)]
struct Local {
    /// One task per process talks to the lock; the others queue here and then read the
    /// token it stored, instead of all polling Redis.
    flight: tokio::sync::Mutex<()>,
    /// Serves this process while Redis is down, with [`OnUnavailable::InMemory`].
    fallback: InMemoryTokenCache,
    /// The secret of the last token handed out, to find the key again in `invalidate`.
    last: Mutex<Option<String>>,
}

impl fmt::Debug for RedisTokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenCache")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// A token as stored: `<expires ms>:<fetched ms>:<token>`.
struct Stored {
    token: AccessToken,
    fetched: SystemTime,
}

impl RedisTokenCache {
    pub(crate) fn new(store: RedisStore) -> Self {
        Self {
            store,
            local: Mutex::default(),
            release: Arc::new(Script::new(RELEASE)),
            invalidate: Arc::new(Script::new(INVALIDATE)),
        }
    }

    /// The Redis key a credential's token is stored under.
    pub fn key(&self, scope: &CredentialScope) -> String {
        self.store
            .key(&["token", scope.provider, &scope.fingerprint])
    }

    fn local(&self, key: &str) -> Arc<Local> {
        let mut local = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        local.entry(key.to_owned()).or_default().clone()
    }

    /// The stored token and a failure newer than `since`, in one round trip.
    async fn read(
        &self,
        key: &str,
    ) -> std::result::Result<(Option<Stored>, Option<(SystemTime, String)>), StoreUnavailable> {
        let keys = [key.to_owned(), format!("{key}:failed")];
        let (token, failure): (Option<String>, Option<String>) = self
            .store
            .run("token cache", |mut c| async move {
                redis::cmd("MGET").arg(&keys).query_async(&mut c).await
            })
            .await?;
        let token = token.as_deref().and_then(parse_token);
        let failure = failure.as_deref().and_then(|v| {
            let (at, message) = v.split_once(':')?;
            Some((from_millis(at.parse().ok()?), message.to_owned()))
        });
        Ok((token, failure))
    }

    async fn try_lock(
        &self,
        lock: &str,
        owner: &str,
    ) -> std::result::Result<bool, StoreUnavailable> {
        let ttl = millis(self.store.inner.lock_ttl).max(1);
        let (lock, owner) = (lock.to_owned(), owner.to_owned());
        let set: Option<String> = self
            .store
            .run("token cache", |mut c| async move {
                redis::cmd("SET")
                    .arg(lock)
                    .arg(owner)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl)
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(set.is_some())
    }

    async fn unlock(&self, lock: &str, owner: &str) {
        let script = self.release.clone();
        let (lock, owner) = (lock.to_owned(), owner.to_owned());
        let released = self
            .store
            .run("token cache", |mut c| async move {
                script
                    .key(lock)
                    .arg(owner)
                    .invoke_async::<i64>(&mut c)
                    .await
            })
            .await;
        if let Err(unavailable) = released {
            // The lock expires on its own.
            tracing::debug!(%unavailable, "token lock left to expire");
        }
    }

    async fn store_token(
        &self,
        key: &str,
        token: &AccessToken,
    ) -> std::result::Result<(), StoreUnavailable> {
        let now = SystemTime::now();
        let Ok(left) = token.expires_at().duration_since(now) else {
            return Ok(()); // already expired: nothing worth sharing
        };
        let value = format!(
            "{}:{}:{}",
            millis_since_epoch(token.expires_at()),
            millis_since_epoch(now),
            token.secret().expose_secret()
        );
        let refresh_key = format!("{key}:refresh");
        let refresh = token.refresh_token().map(|r| r.expose_secret().to_owned());
        let key = key.to_owned();
        let ttl = millis(left).max(1);
        self.store
            .run("token cache", |mut c| async move {
                // The refresh token issued with it, under its own key and for as long: the
                // next lock holder renews with it (one refresher; the others wait).
                let mut pipe = redis::pipe();
                pipe.atomic()
                    .cmd("SET")
                    .arg(key)
                    .arg(value)
                    .arg("PX")
                    .arg(ttl)
                    .ignore();
                match refresh {
                    Some(refresh) => pipe
                        .cmd("SET")
                        .arg(&refresh_key)
                        .arg(refresh)
                        .arg("PX")
                        .arg(ttl)
                        .ignore(),
                    None => pipe.cmd("DEL").arg(&refresh_key).ignore(),
                };
                pipe.query_async::<()>(&mut c).await
            })
            .await
    }

    /// The refresh token stored with the token of `key`, if any (none when Redis fails).
    async fn refresh_token(&self, key: &str) -> Option<String> {
        let key = format!("{key}:refresh");
        self.store
            .run("token cache", |mut c| async move {
                redis::cmd("GET")
                    .arg(key)
                    .query_async::<Option<String>>(&mut c)
                    .await
            })
            .await
            .ok()
            .flatten()
    }

    async fn store_failure(&self, key: &str, error: &Error) {
        let value = format!("{}:{error}", millis_since_epoch(SystemTime::now()));
        let key = format!("{key}:failed");
        let ttl = millis(FAILURE_TTL);
        let stored = self
            .store
            .run("token cache", |mut c| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(value)
                    .arg("PX")
                    .arg(ttl)
                    .query_async::<()>(&mut c)
                    .await
            })
            .await;
        if let Err(unavailable) = stored {
            tracing::debug!(%unavailable, "token failure not shared");
        }
    }

    /// The shared path. `Err` only when Redis failed before a token was in hand.
    async fn get_shared(
        &self,
        key: &str,
        local: &Local,
        margin: Duration,
        fetcher: &dyn TokenFetcher,
    ) -> std::result::Result<Result<AccessToken>, StoreUnavailable> {
        let arrived = SystemTime::now();
        if let (Some(stored), _) = self.read(key).await?
            && stored.token.is_fresh(margin)
        {
            return Ok(Ok(stored.token));
        }
        let _flight = local.flight.lock().await;
        let lock = format!("{key}:lock");
        let owner = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        // A holder that died leaves its lock for one TTL; waiting three covers that and a
        // slow token request of the next holder.
        let now = tokio::time::Instant::now();
        let give_up = now
            .checked_add(self.store.inner.lock_ttl.saturating_mul(3))
            // A TTL beyond the clock: give up after about 136 years instead.
            .or_else(|| now.checked_add(Duration::from_secs(u32::MAX.into())))
            .unwrap_or(now);
        loop {
            let (stored, failure) = self.read(key).await?;
            if let Some(stored) = stored {
                // A token fetched since this caller arrived counts even when it lives less
                // than `margin` (a lifetime shorter than the refresh margin): fetching again
                // would only get another such token.
                if stored.token.is_fresh(margin)
                    || (stored.fetched >= arrived && stored.token.is_fresh(Duration::ZERO))
                {
                    return Ok(Ok(stored.token));
                }
            }
            if let Some((at, message)) = failure
                && at >= arrived
            {
                return Ok(Err(Error::Auth(message)));
            }
            if self.try_lock(&lock, &owner).await? {
                return Ok(self
                    .fetch_holding_lock(key, &lock, &owner, margin, fetcher)
                    .await);
            }
            if tokio::time::Instant::now() >= give_up {
                return Ok(Err(Error::Auth(
                    "timed out waiting for another process's token request".into(),
                )));
            }
            tokio::time::sleep(POLL.saturating_add(Duration::from_millis(fastrand::u64(0..10))))
                .await;
        }
    }

    async fn fetch_holding_lock(
        &self,
        key: &str,
        lock: &str,
        owner: &str,
        margin: Duration,
        fetcher: &dyn TokenFetcher,
    ) -> Result<AccessToken> {
        // A token may have landed between the last read and the lock.
        let previous = match self.read(key).await {
            Ok((Some(stored), _)) if stored.token.is_fresh(margin) => {
                self.unlock(lock, owner).await;
                return Ok(stored.token);
            }
            Ok((stored, _)) => stored.map(|s| s.token),
            Err(_) => None,
        };
        // Only the lock holder renews, so a single-use refresh token is sent once; the
        // fetcher falls back to the client credentials when the refresh is refused.
        let refresh = match &previous {
            Some(_) => self.refresh_token(key).await,
            None => None,
        };
        let outcome = match (previous, refresh) {
            (Some(previous), Some(refresh)) => {
                fetcher.refresh(&previous.with_refresh_token(refresh)).await
            }
            _ => fetcher.fetch().await,
        };
        match &outcome {
            Ok(token) => {
                if let Err(unavailable) = self.store_token(key, token).await {
                    tracing::warn!(%unavailable, "token fetched but not shared");
                }
            }
            Err(error) => self.store_failure(key, error).await,
        }
        self.unlock(lock, owner).await;
        outcome
    }
}

impl TokenCache for RedisTokenCache {
    fn get<'a>(
        &'a self,
        margin: Duration,
        fetcher: &'a dyn TokenFetcher,
    ) -> BoxFuture<'a, Result<AccessToken>> {
        Box::pin(async move {
            let scope = fetcher.scope().ok_or_else(|| {
                Error::Config(
                    "RedisTokenCache needs a token fetcher that names its credential \
                     (TokenFetcher::scope)"
                        .into(),
                )
            })?;
            let key = self.key(&scope);
            let local = self.local(&key);
            let outcome = match self.get_shared(&key, &local, margin, fetcher).await {
                Ok(outcome) => outcome,
                Err(unavailable) => match self.store.inner.on_unavailable {
                    OnUnavailable::FailClosed => {
                        return Err(unavailable.into_error(scope.provider, "token cache"));
                    }
                    OnUnavailable::InMemory => local.fallback.get(margin, fetcher).await,
                },
            };
            if let Ok(token) = &outcome {
                *local.last.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(token.secret().expose_secret().to_owned());
            }
            outcome
        })
    }

    fn invalidate<'a>(&'a self, stale: &'a AccessToken) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let secret = stale.secret().expose_secret();
            let locals: Vec<(String, Arc<Local>)> = self
                .local
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (key, local) in locals {
                let handed_out = local
                    .last
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .as_deref()
                    == Some(secret);
                if !handed_out {
                    continue;
                }
                local.fallback.invalidate(stale).await;
                let script = self.invalidate.clone();
                let secret = secret.to_owned();
                let deleted = self
                    .store
                    .run("token cache", |mut c| async move {
                        script
                            .key(key)
                            .arg(secret)
                            .invoke_async::<i64>(&mut c)
                            .await
                    })
                    .await;
                if let Err(unavailable) = deleted {
                    tracing::debug!(%unavailable, "rejected token left to expire in redis");
                }
            }
        })
    }
}

fn parse_token(value: &str) -> Option<Stored> {
    let mut parts = value.splitn(3, ':');
    let expires = parts.next()?.parse().ok()?;
    let fetched = parts.next()?.parse().ok()?;
    let secret = parts.next()?;
    Some(Stored {
        token: AccessToken::new(secret, from_millis(expires)),
        fetched: from_millis(fetched),
    })
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn millis_since_epoch(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, millis)
}

/// A stored instant; one beyond what the clock holds (a corrupted entry) counts as the epoch,
/// which reads as long expired.
fn from_millis(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH
        .checked_add(Duration::from_millis(ms))
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_tokens_round_trip_with_colons_in_the_secret() {
        let stored = parse_token("1700000000000:1699999000000:abc:def").expect("parsed");
        assert_eq!(stored.token.secret().expose_secret(), "abc:def");
        assert_eq!(stored.token.expires_at(), from_millis(1_700_000_000_000));
        assert_eq!(stored.fetched, from_millis(1_699_999_000_000));
        assert!(parse_token("garbage").is_none());
        assert!(parse_token("1:x:token").is_none());
    }
}
