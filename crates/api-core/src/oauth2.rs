//! OAuth2 client-credentials tokens: fetched on demand, cached, refreshed ahead of expiry,
//! one token request at a time however many calls are waiting (single flight).
//!
//! The cache is a trait so that a store shared between processes can replace the
//! in-memory default. The token itself, and reading it from a token endpoint's answer, are in
//! `access_token.rs`.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::Url;
use secrecy::SecretString;

use crate::access_token::AccessToken;
use crate::auth::CredentialScope;
use crate::error::{Error, Result, TransportError, TransportErrorKind};

/// Fetches a new token (the transport implements it with the token request).
#[async_trait]
pub trait TokenFetcher: Send + Sync {
    /// Asks the authorization server for a new token.
    async fn fetch(&self) -> Result<AccessToken>;

    /// Which credential the tokens belong to, for a cache that holds the tokens of several
    /// credentials (a store shared between processes). The transport's fetcher names its
    /// provider and [`Auth::fingerprint`](crate::Auth::fingerprint); the default is `None`.
    fn scope(&self) -> Option<CredentialScope> {
        None
    }
}

/// Holds the current token. Implementations must make concurrent callers share one fetch.
#[async_trait]
pub trait TokenCache: Send + Sync + fmt::Debug {
    /// A token valid for at least `margin`, fetched through `fetcher` when there is none:
    /// however many callers arrive together, `fetcher` runs once.
    async fn get(&self, margin: Duration, fetcher: &dyn TokenFetcher) -> Result<AccessToken>;

    /// A token of the credential `partition` names ([`OAuth2::partition`]) valid for at least
    /// `margin` when one is at hand without waiting (no I/O, no lock held across an await),
    /// else `None`; the transport then calls [`TokenCache::get`]. A fast path for the common
    /// case, where every call finds a fresh token: the default answers `None`, which is
    /// always correct.
    fn peek(&self, margin: Duration, partition: &str) -> Option<AccessToken> {
        let _ = (margin, partition);
        None
    }

    /// Forgets `stale` (the server rejected it) unless a newer token already replaced it.
    async fn invalidate(&self, stale: &AccessToken);
}

/// The default cache: in memory, one token per credential (partitioned by
/// [`OAuth2::partition`], as smithy-rs partitions its identity cache), so one cache may serve
/// clients of several scopes or clients without mixing their tokens. Each partition has a
/// fast read path and an async mutex around the fetch, so that waiters queue behind the one
/// fetching.
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

#[async_trait]
impl TokenCache for InMemoryTokenCache {
    fn peek(&self, margin: Duration, partition: &str) -> Option<AccessToken> {
        let slots = self.slots.read().unwrap_or_else(|p| p.into_inner());
        let (_, slot) = slots.iter().find(|(key, _)| &**key == partition)?;
        slot.fresh(margin)
    }

    async fn get(&self, margin: Duration, fetcher: &dyn TokenFetcher) -> Result<AccessToken> {
        // A fetcher that names no credential shares the unnamed partition.
        let partition = fetcher
            .scope()
            .map(|scope| scope.fingerprint)
            .unwrap_or_default();
        self.slot(&partition).get(margin, fetcher).await
    }

    async fn invalidate(&self, stale: &AccessToken) {
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
    }
}

impl Slot {
    fn fresh(&self, margin: Duration) -> Option<AccessToken> {
        let token = self.token.read().unwrap_or_else(|p| p.into_inner());
        token.as_ref().filter(|t| t.is_fresh(margin)).cloned()
    }
}

impl Slot {
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
        let outcome = fetcher.fetch().await;
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

/// Where the client id and secret go in the token request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuthMethod {
    /// HTTP Basic authentication (`client_secret_basic`, RFC 6749 §2.3.1).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    Body,
}

/// An OAuth2 client-credentials configuration and its token cache.
///
/// ```
/// use api_core::OAuth2;
/// let oauth = OAuth2::client_credentials("https://auth.example.com/oauth/token", "id", "secret")?
///     .scopes(["merchant"]);
/// assert!(!format!("{oauth:?}").contains("secret\""));
/// # Ok::<(), api_core::Error>(())
/// ```
pub struct OAuth2 {
    pub(crate) token_url: Url,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
    pub(crate) scopes: Vec<String>,
    pub(crate) method: ClientAuthMethod,
    pub(crate) refresh_ahead: Duration,
    pub(crate) cache: Arc<dyn TokenCache>,
    /// [`OAuth2::partition`], computed once.
    pub(crate) partition: OnceLock<String>,
}

impl fmt::Debug for OAuth2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("scopes", &self.scopes)
            .field("method", &self.method)
            .field("refresh_ahead", &self.refresh_ahead)
            .finish()
    }
}

impl OAuth2 {
    /// Client credentials for `token_url`. Tokens are refreshed 60 s before they expire.
    ///
    /// # Errors
    /// [`Error::Config`] when `token_url` is not an absolute URL.
    pub fn client_credentials(
        token_url: &str,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Result<Self> {
        let token_url = Url::parse(token_url)
            .map_err(|e| Error::Config(format!("invalid token URL `{token_url}`: {e}")))?;
        Ok(Self {
            token_url,
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            scopes: Vec::new(),
            method: ClientAuthMethod::Basic,
            refresh_ahead: Duration::from_secs(60),
            cache: Arc::new(InMemoryTokenCache::default()),
            partition: OnceLock::new(),
        })
    }

    /// Scopes to ask for (sent space-separated).
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.partition = OnceLock::new();
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Where the client credentials go in the token request.
    pub fn client_auth(mut self, method: ClientAuthMethod) -> Self {
        self.method = method;
        self
    }

    /// How long before expiry a token is replaced.
    pub fn refresh_ahead(mut self, margin: Duration) -> Self {
        self.refresh_ahead = margin;
        self
    }

    /// Replaces the in-memory token cache (for example with one shared across processes).
    pub fn cache(mut self, cache: Arc<dyn TokenCache>) -> Self {
        self.cache = cache;
        self
    }

    /// The token URL.
    pub fn token_url(&self) -> &Url {
        &self.token_url
    }

    /// Which credential this is, for a token cache that holds several: the fingerprint of the
    /// token URL, the client id and the scopes (as [`Auth::fingerprint`](crate::Auth::fingerprint)
    /// writes it), never the secret. Computed once.
    pub fn partition(&self) -> &str {
        self.partition
            .get_or_init(|| crate::auth::oauth2_fingerprint(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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

    #[async_trait]
    impl TokenFetcher for Named {
        async fn fetch(&self) -> Result<AccessToken> {
            Ok(AccessToken::new(
                self.1,
                SystemTime::now() + Duration::from_secs(600),
            ))
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

    #[async_trait]
    impl TokenFetcher for CountingFetcher {
        async fn fetch(&self) -> Result<AccessToken> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
            if self.fail {
                return Err(Error::Auth("token endpoint answered HTTP 401".into()));
            }
            Ok(AccessToken::new(
                format!("token-{n}"),
                SystemTime::now() + Duration::from_secs(1200),
            ))
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

    #[test]
    fn debug_hides_secrets() {
        let oauth = OAuth2::client_credentials("https://a.example/token", "id-1", "very-secret")
            .expect("url");
        let text = format!(
            "{oauth:?} {:?}",
            AccessToken::new("tok-secret", SystemTime::now())
        );
        assert!(
            !text.contains("very-secret") && !text.contains("tok-secret"),
            "{text}"
        );
    }
}
