//! Building a [`Client`]: credentials, environment, token cache, transport settings.
//!
//! The two APIs have their own hosts, so the builder holds one [`ClientShell`] per API (the
//! POS API's and the Online API's): each keeps the client secret redacted, the user agent and
//! the error decoder, and [`ClientBuilder::configure`] adjusts both.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use api_core::{
    Auth, ClientAuthMethod, ClientShell, Error, HeaderName, OAuth2, Result, TokenCache,
    TransportBuilder,
};

use super::{CLIENT_ID_ENV, CLIENT_SECRET_ENV, ENVIRONMENT_ENV, REFERENCE_HEADER};
use crate::errors::FlexitiErrors;
use crate::*;

const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// Builds a [`Client`]. Its `Debug` shows no secret.
pub struct ClientBuilder {
    client_id: Option<String>,
    environment: Environment,
    lang: Option<Lang>,
    token_cache: Option<Arc<dyn TokenCache>>,
    /// The POS API's transport settings and the client secret.
    pos: ClientShell,
    /// The Online API's: the same settings and secret, another host.
    online: ClientShell,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("client_id", &self.client_id)
            .field("environment", &self.environment)
            // The shell redacts the secret.
            .field("pos", &self.pos)
            .finish_non_exhaustive()
    }
}

fn shell(host: &str) -> ClientShell {
    ClientShell::new("flexiti", host, USER_AGENT, "a Flexiti client secret").configure(|t| {
        t.error_decoder(FlexitiErrors)
            .operations(crate::spec::OPERATIONS)
    })
}

impl Client {
    /// Starts a builder (TRAINING by default).
    pub fn builder() -> ClientBuilder {
        let environment = Environment::Training;
        ClientBuilder {
            client_id: None,
            pos: shell(environment.pos_host()),
            online: shell(environment.online_host()),
            environment,
            lang: None,
            token_cache: None,
        }
    }

    /// A client from `FLEXITI_CLIENT_ID`, `FLEXITI_CLIENT_SECRET` and optionally
    /// `FLEXITI_ENVIRONMENT` (`training`, `mi`, `production`, or a URL).
    ///
    /// # Errors
    /// [`Error::Config`] when a variable is missing or the environment is unknown.
    pub fn from_env() -> Result<Self> {
        // Not `ClientShell::from_env`: `FLEXITI_ENVIRONMENT` names an environment (two
        // hosts) or one URL, not a base URL, and there are two credentials.
        let var = |name: &str| {
            std::env::var(name).map_err(|_| Error::Config(format!("{name} is not set")))
        };
        let environment = match std::env::var(ENVIRONMENT_ENV).ok().as_deref() {
            None | Some("training") => Environment::Training,
            Some("mi") => Environment::MerchantIntegration,
            Some("production") => Environment::Production,
            Some(url) if url.contains("://") => Environment::custom(url),
            Some(other) => {
                return Err(Error::Config(format!(
                    "{ENVIRONMENT_ENV}={other:?}: expected training, mi, production or a URL"
                )));
            }
        };
        Self::builder()
            .client_id(var(CLIENT_ID_ENV)?)
            .client_secret(var(CLIENT_SECRET_ENV)?)
            .environment(environment)
            .build()
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
        let secret = secret.into();
        self.pos = self.pos.credential(secret.clone());
        self.online = self.online.credential(secret);
        self
    }

    /// The environment (default [`Environment::Training`]): the hosts of both APIs.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.pos = self
            .pos
            .base_url(environment.pos_host().trim_end_matches('/'));
        self.online = self
            .online
            .base_url(environment.online_host().trim_end_matches('/'));
        self.environment = environment;
        self
    }

    /// The language of texts in answers (`lang`), when not the server's default (English).
    /// A builder's `.lang(..)` overrides it for one call.
    pub fn lang(mut self, lang: Lang) -> Self {
        self.lang = Some(lang);
        self
    }

    /// Adjusts any transport setting (applied to the POS and the Online transports).
    pub fn configure(mut self, f: impl Fn(TransportBuilder) -> TransportBuilder) -> Self {
        self.pos = self.pos.configure(&f);
        self.online = self.online.configure(&f);
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
        let (secret, pos) = self.pos.finish()?;
        let (_, online) = self.online.finish()?;
        let token_cache = self.token_cache;
        let oauth = |host: &str, path: &str, scope: &str| -> Result<Auth> {
            let token_url = format!("{}{path}", host.trim_end_matches('/'));
            let mut oauth = OAuth2::client_credentials(&token_url, id.clone(), secret.clone())?
                .client_auth(ClientAuthMethod::Body)
                .scopes([scope])
                // Tokens live 20 minutes and cannot be refreshed once expired: renew early,
                // with the refresh token (`grant_type=refresh_token`, AUTH and ONL: "the
                // refresh token is used to get a new access token when the current one is
                // about to expire"), else with the client credentials.
                .refresh_ahead(Duration::from_secs(120))
                .refresh_tokens(true)
                // The token request carries `x-reference-id` too ("HEADER | x-reference-id |
                // Yes", Online API Endpoints Reference and newer Authentication revisions):
                // a new GUID per token request, since one token serves many flows.
                .token_header(HeaderName::from_static(REFERENCE_HEADER), crate::ids::guid);
            if let Some(cache) = &token_cache {
                oauth = oauth.cache(cache.clone());
            }
            Ok(Auth::OAuth2(Arc::new(oauth)))
        };
        let pos_host = self.environment.pos_host();
        let merchant = pos
            .auth(oauth(
                pos_host,
                spec::OAUTH2_TOKEN_PATH,
                spec::OAUTH2_MERCHANT_SCOPE,
            )?)
            .build()?;
        let customer = merchant.with_auth(oauth(
            pos_host,
            spec::OAUTH2_TOKEN_PATH,
            spec::OAUTH2_CUSTOMER_SCOPE,
        )?)?;
        let online = online
            .auth(oauth(
                self.environment.online_host(),
                spec::ONLINE_OAUTH2_TOKEN_PATH,
                spec::ONLINE_OAUTH2_MERCHANT_SCOPE,
            )?)
            .build()?;
        Ok(Client {
            merchant,
            customer,
            online,
            pinned: None,
            client_id: id.into(),
            reference_id: None,
            idempotency_key: None,
            lang: self.lang,
        })
    }
}
