//! The in-memory token cache: one token per credential, a fast read path, and one fetch at a
//! time per credential however many calls wait.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures_util::future::BoxFuture;

use crate::access_token::AccessToken;
use crate::error::{Error, Result, TransportError, TransportErrorKind};
use crate::oauth2::{TokenCache, TokenFetcher};

/// The default cache: in memory, one token per credential (partitioned by
/// [`OAuth2::partition`](crate::OAuth2::partition), as smithy-rs partitions its identity
/// cache), so one cache may serve clients of several scopes or clients without mixing their
/// tokens. Each partition has a fast read path and an async mutex around the fetch, so that
/// waiters queue behind the one fetching.
#[derive(Default)]
pub struct InMemoryTokenCache {
    /// `(partition, slot)`: a credential or three, so a scan beats a map.
    slots: RwLock<Vec<(Box<str>, Arc<Slot>)>>,
}

/// One credential's token.
#[derive(Default)]
struct Slot {
    token: RwLock<Option<AccessToken>>,
    fetch_lock: tokio::sync::Mutex<Option<(u64, SharedFailure)>>,
    fetches: AtomicU64,
}

/// The last failed fetch, as waiters that queued behind it receive it.
#[derive(Debug)]
enum SharedFailure {
    /// The token endpoint could not be reached (the source's text).
    Unreachable(String),
    /// The endpoint answered with a refusal, or something else went wrong (the error's text).
    Refused(String),
}

impl fmt::Debug for InMemoryTokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slots = self.slots.read().unwrap_or_else(|p| p.into_inner());
        let fetches: u64 = slots
            .iter()
            .map(|(_, slot)| slot.fetches.load(Ordering::Relaxed))
            .fold(0, u64::saturating_add);
        f.debug_struct("InMemoryTokenCache")
            .field("credentials", &slots.len())
            .field("fetches", &fetches)
            .finish_non_exhaustive()
    }
}

impl InMemoryTokenCache {
    /// The slot of `partition`, made on first use.
    fn slot(&self, partition: &str) -> Arc<Slot> {
        let found = |slots: &[(Box<str>, Arc<Slot>)]| {
            slots
                .iter()
                .find(|(key, _)| &**key == partition)
                .map(|(_, slot)| slot.clone())
        };
        if let Some(slot) = found(&self.slots.read().unwrap_or_else(|p| p.into_inner())) {
            return slot;
        }
        let mut slots = self.slots.write().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = found(&slots) {
            return slot;
        }
        let slot = Arc::new(Slot::default());
        slots.push((partition.into(), slot.clone()));
        slot
    }
}

impl TokenCache for InMemoryTokenCache {
    fn peek(&self, margin: Duration, partition: &str) -> Option<AccessToken> {
        let slots = self.slots.read().unwrap_or_else(|p| p.into_inner());
        let (_, slot) = slots.iter().find(|(key, _)| &**key == partition)?;
        slot.fresh(margin)
    }

    fn get<'a>(
        &'a self,
        margin: Duration,
        fetcher: &'a dyn TokenFetcher,
    ) -> BoxFuture<'a, Result<AccessToken>> {
        Box::pin(async move {
            // A fetcher that names no credential shares the unnamed partition.
            let partition = fetcher
                .scope()
                .map(|scope| scope.fingerprint)
                .unwrap_or_default();
            self.slot(&partition).get(margin, fetcher).await
        })
    }

    fn invalidate<'a>(&'a self, stale: &'a AccessToken) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let slots: Vec<Arc<Slot>> = self
                .slots
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .map(|(_, slot)| slot.clone())
                .collect();
            for slot in slots {
                slot.invalidate(stale);
            }
        })
    }
}

impl Slot {
    fn fresh(&self, margin: Duration) -> Option<AccessToken> {
        let token = self.token.read().unwrap_or_else(|p| p.into_inner());
        token.as_ref().filter(|t| t.is_fresh(margin)).cloned()
    }

    async fn get(&self, margin: Duration, fetcher: &dyn TokenFetcher) -> Result<AccessToken> {
        if let Some(token) = self.fresh(margin) {
            return Ok(token);
        }
        let seen = self.fetches.load(Ordering::Acquire);
        let mut last_failure = self.fetch_lock.lock().await;
        // Someone fetched while we queued: share their token, or their failure, rather
        // than asking the server again for every waiter.
        if let Some(token) = self.fresh(margin) {
            return Ok(token);
        }
        if let Some((generation, message)) = last_failure.as_ref()
            && *generation > seen
        {
            // An unreachable token endpoint stays a `Connect` failure for the waiters too, so
            // each call retries it as its own retry rules allow.
            return Err(match message {
                SharedFailure::Unreachable(text) => {
                    Error::Transport(Box::new(TransportError::new(
                        fetcher.scope().map_or("oauth2", |s| s.provider),
                        "oauth2 token request",
                        TransportErrorKind::Connect,
                        text.clone(),
                    )))
                }
                SharedFailure::Refused(text) => Error::Auth(text.clone()),
            });
        }
        // A fetch that finished while we queued counts too when its token lives less than
        // `margin` (an `expires_in` shorter than the refresh margin): it is still valid, and
        // fetching again for every waiter would serialize one token request per caller.
        if self.fetches.load(Ordering::Acquire) > seen
            && let Some(token) = self.fresh(Duration::ZERO)
        {
            return Ok(token);
        }
        // The current token, stale or not, lets the fetcher refresh it rather than start over.
        let previous = self.token.read().unwrap_or_else(|p| p.into_inner()).clone();
        let outcome = match &previous {
            Some(previous) => fetcher.refresh(previous).await,
            None => fetcher.fetch().await,
        };
        // Counted on completion, so that callers who arrived during the fetch see it as
        // newer than their own arrival.
        let generation = self
            .fetches
            .fetch_add(1, Ordering::AcqRel)
            .saturating_add(1);
        match outcome {
            Ok(token) => {
                *self.token.write().unwrap_or_else(|p| p.into_inner()) = Some(token.clone());
                *last_failure = None;
                Ok(token)
            }
            Err(error) => {
                let shared = match &error {
                    Error::Transport(e) if e.kind == TransportErrorKind::Connect => {
                        SharedFailure::Unreachable(e.source.to_string())
                    }
                    other => SharedFailure::Refused(other.to_string()),
                };
                *last_failure = Some((generation, shared));
                Err(error)
            }
        }
    }

    fn invalidate(&self, stale: &AccessToken) {
        let mut token = self.token.write().unwrap_or_else(|p| p.into_inner());
        if token.as_ref().is_some_and(|t| t.same_as(stale)) {
            *token = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::CredentialScope;
    use secrecy::ExposeSecret;
    use std::sync::atomic::AtomicUsize;
    use std::time::SystemTime;

    #[tokio::test]
    async fn peek_answers_a_fresh_token_without_fetching_and_nothing_otherwise() {
        let cache = InMemoryTokenCache::default();
        let margin = Duration::from_secs(30);
        assert!(cache.peek(margin, "p").is_none(), "empty cache");
        let slot = cache.slot("p");
        *slot.token.write().expect("lock") = Some(AccessToken::new(
            "fresh",
            SystemTime::now() + Duration::from_secs(300),
        ));
        let peeked = cache.peek(margin, "p").expect("fresh");
        assert_eq!(peeked.secret().expose_secret(), "fresh");
        assert!(
            cache.peek(margin, "other").is_none(),
            "another credential's partition"
        );
        *slot.token.write().expect("lock") = Some(AccessToken::new(
            "stale",
            SystemTime::now() + Duration::from_secs(10),
        ));
        assert!(
            cache.peek(margin, "p").is_none(),
            "inside the refresh margin"
        );
        assert_eq!(slot.fetches.load(Ordering::Relaxed), 0);
    }

    /// A fetcher that names its credential, as the transport's does.
    struct Named(&'static str, &'static str);

    impl TokenFetcher for Named {
        fn fetch(&self) -> BoxFuture<'_, Result<AccessToken>> {
            Box::pin(async move {
                Ok(AccessToken::new(
                    self.1,
                    SystemTime::now() + Duration::from_secs(600),
                ))
            })
        }

        fn scope(&self) -> Option<CredentialScope> {
            Some(CredentialScope {
                provider: "test",
                fingerprint: self.0.to_owned(),
            })
        }
    }

    /// One cache for two credentials (a merchant and a customer scope, say) keeps their
    /// tokens apart: no provider has to warn against sharing it.
    #[tokio::test]
    async fn one_cache_keeps_each_credentials_token_apart() {
        let cache = InMemoryTokenCache::default();
        let margin = Duration::from_secs(30);
        let merchant = cache
            .get(margin, &Named("m", "tok-merchant"))
            .await
            .expect("m");
        let customer = cache
            .get(margin, &Named("c", "tok-customer"))
            .await
            .expect("c");
        assert_eq!(merchant.secret().expose_secret(), "tok-merchant");
        assert_eq!(customer.secret().expose_secret(), "tok-customer");
        let again = cache.peek(margin, "m").expect("cached");
        assert_eq!(again.secret().expose_secret(), "tok-merchant");
        cache.invalidate(&merchant).await;
        assert!(
            cache.peek(margin, "m").is_none(),
            "the merchant token is forgotten"
        );
        let kept = cache.peek(margin, "c").expect("the customer token stays");
        assert_eq!(kept.secret().expose_secret(), "tok-customer");
    }

    struct CountingFetcher {
        calls: AtomicUsize,
        fail: bool,
    }

    impl TokenFetcher for CountingFetcher {
        fn fetch(&self) -> BoxFuture<'_, Result<AccessToken>> {
            Box::pin(async move {
                let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
                if self.fail {
                    return Err(Error::Auth("token endpoint answered HTTP 401".into()));
                }
                Ok(AccessToken::new(
                    format!("token-{n}"),
                    SystemTime::now() + Duration::from_secs(1200),
                ))
            })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_hundred_racing_callers_cause_one_fetch() {
        let cache = Arc::new(InMemoryTokenCache::default());
        let fetcher = Arc::new(CountingFetcher {
            calls: AtomicUsize::new(0),
            fail: false,
        });
        let tasks: Vec<_> = (0..200)
            .map(|_| {
                let (cache, fetcher) = (cache.clone(), fetcher.clone());
                tokio::spawn(async move {
                    cache
                        .get(Duration::from_secs(60), fetcher.as_ref())
                        .await
                        .map(|t| t.secret().expose_secret().to_owned())
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.expect("joined").expect("token"), "token-1");
        }
        assert_eq!(fetcher.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiters_share_a_failure_instead_of_retrying_it() {
        let cache = Arc::new(InMemoryTokenCache::default());
        let fetcher = Arc::new(CountingFetcher {
            calls: AtomicUsize::new(0),
            fail: true,
        });
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (cache, fetcher) = (cache.clone(), fetcher.clone());
                tokio::spawn(async move { cache.get(Duration::ZERO, fetcher.as_ref()).await })
            })
            .collect();
        for task in tasks {
            assert!(matches!(task.await.expect("joined"), Err(Error::Auth(_))));
        }
        assert_eq!(fetcher.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn refreshes_ahead_of_expiry_and_after_invalidation() {
        let cache = InMemoryTokenCache::default();
        let fetcher = CountingFetcher {
            calls: AtomicUsize::new(0),
            fail: false,
        };
        let first = cache
            .get(Duration::from_secs(60), &fetcher)
            .await
            .expect("token");
        // Within the refresh margin of a 1200 s token: a new one is fetched.
        let second = cache
            .get(Duration::from_secs(1500), &fetcher)
            .await
            .expect("token");
        assert_eq!(second.secret().expose_secret(), "token-2");
        // Invalidating an older token keeps the newer one.
        cache.invalidate(&first).await;
        let same = cache.get(Duration::ZERO, &fetcher).await.expect("token");
        assert_eq!(same.secret().expose_secret(), "token-2");
        cache.invalidate(&same).await;
        let third = cache.get(Duration::ZERO, &fetcher).await.expect("token");
        assert_eq!(third.secret().expose_secret(), "token-3");
    }
}
