//! The OAuth2 token an attempt carries: from the cache, else fetched from the token endpoint
//! (client credentials) within the call's deadline.

use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use secrecy::ExposeSecret;

use super::Deadline;
use super::Transport;
use crate::access_token::AccessToken;
use crate::auth::CredentialScope;
use crate::error::{Error, Result, TransportError, TransportErrorKind};
use crate::oauth2::{OAuth2, TokenFetcher};

impl Transport {
    /// The OAuth2 token for this attempt of a client that uses OAuth2 (`oauth`). Fetching one
    /// counts against the call's deadline like everything else the call waits for.
    pub(super) async fn token(&self, oauth: &OAuth2, deadline: &Deadline) -> Result<AccessToken> {
        if let Some(token) = oauth.cache.peek(oauth.refresh_ahead, oauth.partition()) {
            return Ok(token);
        }
        let fetcher = TokenRequest {
            transport: self,
            oauth,
        };
        // Boxed: the slow path, kept out of every call's state.
        Box::pin(deadline.bound(oauth.cache.get(oauth.refresh_ahead, &fetcher))).await
    }
}

/// The token endpoint did not answer (no connection, a reset, a timeout). For the call that
/// needed the token this is a `Connect` failure: its own request never left, so retrying it is
/// safe whatever its method, and asking for a token twice has no effect a client can see.
fn token_unreachable(
    provider: &'static str,
    source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
) -> Error {
    Error::Transport(Box::new(TransportError::new(
        provider,
        TOKEN_OPERATION,
        TransportErrorKind::Connect,
        source,
    )))
}

/// The operation name of the OAuth2 token request in errors and logs.
const TOKEN_OPERATION: &str = "oauth2 token request";

/// The client-credentials token request (RFC 6749 §4.4).
struct TokenRequest<'a> {
    transport: &'a Transport,
    oauth: &'a OAuth2,
}

impl TokenFetcher for TokenRequest<'_> {
    fn scope(&self) -> Option<CredentialScope> {
        Some(CredentialScope::new(
            self.transport.inner.provider,
            &self.transport.inner.auth,
        ))
    }

    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken>> {
        Box::pin(async move { self.exchange(None).await })
    }

    fn refresh<'a>(&'a self, previous: &'a AccessToken) -> BoxFuture<'a, Result<AccessToken>> {
        Box::pin(async move {
            let usable = self.oauth.refresh_tokens && previous.is_fresh(Duration::ZERO);
            let Some(refresh) = previous.refresh_token().filter(|_| usable) else {
                return self.exchange(None).await;
            };
            match self.exchange(Some(refresh.expose_secret())).await {
                Ok(token) => Ok(token),
                Err(error) => {
                    // A refused refresh token (used, revoked) or a failed exchange: the client
                    // credentials still get a token.
                    tracing::debug!(%error, "oauth2 refresh failed; asking with the client credentials");
                    self.exchange(None).await
                }
            }
        })
    }
}

impl TokenRequest<'_> {
    /// One token request: client credentials, or the refresh grant with `refresh`.
    async fn exchange(&self, refresh: Option<&str>) -> Result<AccessToken> {
        let inner = &self.transport.inner;
        crate::telemetry::token_requested(
            inner.provider,
            if refresh.is_some() {
                "refresh_token"
            } else {
                "client_credentials"
            },
        );
        let oauth = self.oauth;
        let scope = oauth.scopes.join(" ");
        let mut form: Vec<(&str, &str)> = match refresh {
            Some(refresh) => vec![("grant_type", "refresh_token"), ("refresh_token", refresh)],
            None => vec![("grant_type", "client_credentials")],
        };
        if !scope.is_empty() {
            form.push(("scope", &scope));
        }
        let mut builder = inner
            .http
            .post(oauth.token_url.clone())
            // Only OAuth2 clients get here, so the defaults hold no other credential.
            .headers(inner.default_headers.clone());
        match oauth.method {
            crate::oauth2::ClientAuthMethod::Basic => {
                builder =
                    builder.basic_auth(&oauth.client_id, Some(oauth.client_secret.expose_secret()));
            }
            crate::oauth2::ClientAuthMethod::Body => {
                form.push(("client_id", &oauth.client_id));
                form.push(("client_secret", oauth.client_secret.expose_secret()));
            }
        }
        if !oauth.token_headers.is_empty() {
            let mut extra = HeaderMap::with_capacity(oauth.token_headers.len());
            for (name, value) in &oauth.token_headers {
                let value = HeaderValue::try_from(value()).map_err(|_| {
                    Error::Auth(format!(
                        "the token request's `{name}` header has a value that is not a valid header value"
                    ))
                })?;
                extra.insert(name.clone(), value);
            }
            // `headers` replaces a default header of the same name.
            builder = builder.headers(extra);
        }
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&form)
            .finish();
        let requested_at = SystemTime::now();
        let exchange = async {
            let response = builder
                .header(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                )
                .body(body)
                .send()
                .await
                .map_err(|e| token_unreachable(inner.provider, e.without_url()))?;
            let status = response.status();
            let bytes = super::attempt::read_limited(
                http::Response::from(response).into_body(),
                inner.max_response_bytes,
            )
            .await
            .map_err(|e| match e {
                super::attempt::ReadError::TooLarge => Error::Auth(format!(
                    "token response exceeds the {}-byte limit",
                    inner.max_response_bytes
                )),
                super::attempt::ReadError::Io(e) => {
                    token_unreachable(inner.provider, e.without_url())
                }
            })?;
            Ok::<_, Error>((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(inner.request_timeout, exchange)
            .await
            .map_err(|_| {
                token_unreachable(
                    inner.provider,
                    format!("timed out after {}ms", inner.request_timeout.as_millis()),
                )
            })??;
        tracing::debug!(status = status.as_u16(), "oauth2 token response");
        AccessToken::from_token_answer(status, &bytes, requested_at)
    }
}
