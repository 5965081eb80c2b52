//! OAuth2 client-credentials tokens: fetched on demand, cached, refreshed ahead of expiry,
//! one token request at a time however many calls are waiting (single flight).
//!
//! The cache is a trait so that a store shared between processes can replace the
//! in-memory default (`token_cache.rs`). The token itself, and reading it from a token endpoint's answer, are in
//! `access_token.rs`.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::future::BoxFuture;
use reqwest::Url;
use secrecy::SecretString;

use reqwest::header::HeaderName;

use crate::access_token::AccessToken;
use crate::auth::CredentialScope;
use crate::error::{Error, Result};
use crate::token_cache::InMemoryTokenCache;

/// Fetches a new token (the transport implements it with the token request). The async
/// methods return a boxed future (the trait is used as `dyn TokenFetcher`): wrap the body in
/// `Box::pin(async move { … })`.
pub trait TokenFetcher: Send + Sync {
    /// Asks the authorization server for a new token.
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken>>;

    /// A new token in place of `previous`, the cache's current one, which is about to expire
    /// (or was never used): the transport's fetcher sends `grant_type=refresh_token` when
    /// [`OAuth2::refresh_tokens`] is on and `previous` carries a refresh token and has not
    /// expired, and falls back to [`TokenFetcher::fetch`] when that fails. The default is
    /// [`TokenFetcher::fetch`]. A cache calls it under its single flight, so a refresh token
    /// is used by one caller only.
    fn refresh<'a>(&'a self, previous: &'a AccessToken) -> BoxFuture<'a, Result<AccessToken>> {
        let _ = previous;
        self.fetch()
    }

    /// Which credential the tokens belong to, for a cache that holds the tokens of several
    /// credentials (a store shared between processes). The transport's fetcher names its
    /// provider and [`Auth::fingerprint`](crate::Auth::fingerprint); the default is `None`.
    fn scope(&self) -> Option<CredentialScope> {
        None
    }
}

/// Holds the current token. Implementations must make concurrent callers share one fetch.
/// The async methods return a boxed future (the trait is used as `dyn TokenCache`).
pub trait TokenCache: Send + Sync + fmt::Debug {
    /// A token valid for at least `margin`, fetched through `fetcher` when there is none:
    /// however many callers arrive together, `fetcher` runs once.
    fn get<'a>(
        &'a self,
        margin: Duration,
        fetcher: &'a dyn TokenFetcher,
    ) -> BoxFuture<'a, Result<AccessToken>>;

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
    fn invalidate<'a>(&'a self, stale: &'a AccessToken) -> BoxFuture<'a, ()>;
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

/// The value of a header added to every token request ([`OAuth2::token_header`]), computed
/// afresh for each request.
pub(crate) type TokenHeaderValue = Arc<dyn Fn() -> String + Send + Sync>;

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
    /// Headers added to every token request ([`OAuth2::token_header`]).
    pub(crate) token_headers: Vec<(HeaderName, TokenHeaderValue)>,
    /// [`OAuth2::refresh_tokens`].
    pub(crate) refresh_tokens: bool,
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
            .field("refresh_tokens", &self.refresh_tokens)
            .field(
                "token_headers",
                &self
                    .token_headers
                    .iter()
                    .map(|(name, _)| name.as_str())
                    .collect::<Vec<_>>(),
            )
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
            token_headers: Vec::new(),
            refresh_tokens: false,
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

    /// Adds the header `name` to every token request, with the value `value` returns when
    /// the request is made: a fresh one each time (a trace id a provider requires on its
    /// token endpoint), or always the same (`move || fixed.clone()`). The client's default
    /// headers are sent too; this one is added after them, and replaces one of the same name.
    /// The header is not part of the credential: it does not change [`OAuth2::partition`].
    ///
    /// A value that is not a valid header value fails the token request with
    /// [`Error::Auth`], before anything is sent.
    ///
    /// ```
    /// use api_core::{HeaderName, OAuth2};
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// let next = AtomicU64::new(1);
    /// let oauth = OAuth2::client_credentials("https://auth.example.com/oauth/token", "id", "secret")?
    ///     .token_header(HeaderName::from_static("x-trace-id"), move || {
    ///         format!("trace-{}", next.fetch_add(1, Ordering::Relaxed))
    ///     })
    ///     .token_header(HeaderName::from_static("x-tenant"), || "acme".to_owned());
    /// assert!(format!("{oauth:?}").contains("x-trace-id"));
    /// # Ok::<(), api_core::Error>(())
    /// ```
    pub fn token_header(
        mut self,
        name: HeaderName,
        value: impl Fn() -> String + Send + Sync + 'static,
    ) -> Self {
        self.token_headers.retain(|(known, _)| *known != name);
        self.token_headers.push((name, Arc::new(value)));
        self
    }

    /// Renews a token ahead of its expiry with the refresh token the server issued with it
    /// (`grant_type=refresh_token&refresh_token=…`, RFC 6749 §6, with the same client
    /// authentication and scope), instead of asking again with the client credentials: for
    /// servers whose flows are tied to one token (Flexiti). A token without a refresh token,
    /// an expired one (which such servers refuse to refresh), a cache that holds none, and a
    /// refused or failed refresh all fall back to the client credentials. Off by default.
    ///
    /// The in-memory cache refreshes under its single flight, and api-core-redis's cache
    /// from the one process holding its lock (the others wait for the stored result), so a
    /// single-use refresh token is sent once. A cache that never calls
    /// [`TokenFetcher::refresh`] keeps using the client credentials.
    pub fn refresh_tokens(mut self, on: bool) -> Self {
        self.refresh_tokens = on;
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
    use std::time::SystemTime;

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
