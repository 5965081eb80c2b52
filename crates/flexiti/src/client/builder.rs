//! Building a [`Client`]: credentials, environment, token cache, transport settings.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use api_core::{
    Auth, ClientAuthMethod, Error, OAuth2, Result, TokenCache, Transport, TransportBuilder,
};

use crate::errors::FlexitiErrors;
use crate::*;

/// A caller's change to each transport's settings, applied at build.
pub(super) type Configure = Arc<dyn Fn(TransportBuilder) -> TransportBuilder + Send + Sync>;

/// Builds a [`Client`].
pub struct ClientBuilder {
    pub(super) client_id: Option<String>,
    pub(super) client_secret: Option<String>,
    pub(super) environment: Environment,
    pub(super) lang: Option<Lang>,
    pub(super) configure: Option<Configure>,
    pub(super) token_cache: Option<Arc<dyn TokenCache>>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("environment", &self.environment)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The OAuth client id (also the `{client_id}` of every path).
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self
    }

    /// The OAuth client secret.
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// The environment (default [`Environment::Training`]).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// The language of texts in answers (`lang`), when not the server's default (English).
    pub fn lang(mut self, lang: Lang) -> Self {
        self.lang = Some(lang);
        self
    }

    /// Adjusts any transport setting (applied to the POS and the Online transports).
    pub fn configure(
        mut self,
        f: impl Fn(TransportBuilder) -> TransportBuilder + Send + Sync + 'static,
    ) -> Self {
        self.configure = Some(Arc::new(f));
        self
    }

    /// Keeps the OAuth2 tokens in `cache` instead of one in-memory cache per scope: for
    /// example `api_core_redis::RedisStore::token_cache`, so that every process with this
    /// client id shares one token per scope and one token request at expiry.
    ///
    /// The cache receives the tokens of all three credentials (POS `merchant`, POS
    /// `customer`, Online `merchant`) and keeps them apart: api-core's caches are partitioned
    /// by credential, the in-memory one included.
    pub fn token_cache(mut self, cache: Arc<dyn TokenCache>) -> Self {
        self.token_cache = Some(cache);
        self
    }

    /// Builds the client. No token is requested until the first call.
    ///
    /// # Errors
    /// [`Error::Config`] for missing credentials or a bad host.
    pub fn build(self) -> Result<Client> {
        let id = self
            .client_id
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| Error::Config("a Flexiti client id is required".into()))?;
        let secret = self
            .client_secret
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| Error::Config("a Flexiti client secret is required".into()))?;
        let pos = self.environment.pos_host().trim_end_matches('/').to_owned();
        let online = self
            .environment
            .online_host()
            .trim_end_matches('/')
            .to_owned();
        let oauth = |host: &str, path: &str, scope: &str| -> Result<Auth> {
            let mut oauth =
                OAuth2::client_credentials(&format!("{host}{path}"), id.clone(), secret.clone())?
                    .client_auth(ClientAuthMethod::Body)
                    .scopes([scope])
                    // Tokens live 20 minutes and cannot be refreshed once expired: renew early.
                    .refresh_ahead(Duration::from_secs(120));
            if let Some(cache) = &self.token_cache {
                oauth = oauth.cache(cache.clone());
            }
            Ok(Auth::OAuth2(Arc::new(oauth)))
        };
        let builder = |host: &str| {
            let builder = Transport::builder("flexiti", host)
                .user_agent(concat!(
                    env!("CARGO_PKG_NAME"),
                    "/",
                    env!("CARGO_PKG_VERSION")
                ))
                .error_decoder(FlexitiErrors);
            match &self.configure {
                Some(f) => f(builder),
                None => builder,
            }
        };
        let merchant = builder(&pos)
            .auth(oauth(
                &pos,
                spec::OAUTH2_TOKEN_PATH,
                spec::OAUTH2_MERCHANT_SCOPE,
            )?)
            .build()?;
        let customer = merchant.with_auth(oauth(
            &pos,
            spec::OAUTH2_TOKEN_PATH,
            spec::OAUTH2_CUSTOMER_SCOPE,
        )?)?;
        let online = builder(&online)
            .auth(oauth(
                &online,
                spec::ONLINE_OAUTH2_TOKEN_PATH,
                spec::ONLINE_OAUTH2_MERCHANT_SCOPE,
            )?)
            .build()?;
        Ok(Client {
            merchant,
            customer,
            online,
            client_id: id.into(),
            reference_id: None,
            idempotency_key: None,
            lang: self.lang,
        })
    }
}
