//! The request path: limiter → credentials → send (in a span) → decode → retry or return.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use futures_util::future::Either;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION};
use reqwest::{StatusCode, Url};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use tracing::{Instrument, field};

use crate::auth::{self, Auth, CredentialScope};
use crate::config::TransportBuilder;
use crate::decode::{ErrorDecoder, decode_body};
use crate::error::{
    ApiError, Error, ErrorKind, Result, TransportError, TransportErrorKind, excerpt,
};
use crate::oauth2::{AccessToken, OAuth2, TokenErrorResponse, TokenFetcher, TokenResponse};
use crate::rate_limit::{RateLimitInfo, RateLimiter, retry_after};
use crate::request::{Body, Operation, Request};
use crate::response::Response;
use crate::retry::{RetryBudget, RetryConfig, may_retry};

/// The shared HTTP machinery of a provider client. Cloning is cheap: clones share one
/// connection pool, one rate limiter, one retry budget and one token cache.
#[derive(Clone)]
pub struct Transport {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) provider: &'static str,
    pub(crate) base_url: Url,
    /// Accept, User-Agent and the fixed credentials: what every request starts with.
    pub(crate) default_headers: HeaderMap,
    /// The same without credentials, for siblings with other credentials.
    pub(crate) base_headers: HeaderMap,
    pub(crate) auth: Auth,
    pub(crate) rate_limit: Option<crate::rate_limit::RateLimit>,
    pub(crate) request_timeout: Duration,
    pub(crate) call_timeout: Duration,
    pub(crate) max_response_bytes: u64,
    pub(crate) retry: RetryConfig,
    pub(crate) budget: Arc<RetryBudget>,
    pub(crate) limiter: Arc<dyn RateLimiter>,
    pub(crate) decoder: Arc<dyn ErrorDecoder>,
    pub(crate) http: reqwest::Client,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("provider", &self.inner.provider)
            .field("base_url", &self.inner.base_url.as_str())
            .field("auth", &self.inner.auth)
            .field("retry", &self.inner.retry)
            .field("limiter", &self.inner.limiter)
            .finish_non_exhaustive()
    }
}

/// A response as read off the wire, before decoding.
struct RawResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Transport {
    /// Starts building a transport for `provider` with `base_url` as its default.
    pub fn builder(provider: &'static str, base_url: &str) -> TransportBuilder {
        TransportBuilder::new(provider, base_url)
    }

    /// A sibling with other credentials that shares this transport's connection pool, base
    /// URL, timeouts, retry settings and error decoder, with a rate limiter and retry budget of
    /// its own (a pace and its budget belong to one credential). Use it for APIs that issue
    /// one token per connection, so that many connections do not open many pools.
    ///
    /// ```
    /// use api_core::{Auth, RateLimit, Transport};
    /// let partner = Transport::builder("example", "https://api.example.com")
    ///     .rate_limit(RateLimit::per_minute(6))
    ///     .build()?;
    /// let operator_a = partner.with_auth(Auth::api_key("x-auth-token", "token-a")?)?;
    /// let operator_b = partner.with_auth(Auth::api_key("x-auth-token", "token-b")?)?;
    /// # let _ = (operator_a, operator_b);
    /// # Ok::<(), api_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Config`] when a credential is not a valid header value.
    pub fn with_auth(&self, auth: Auth) -> Result<Transport> {
        let scope = CredentialScope::new(self.inner.provider, &auth);
        let limiter = self
            .inner
            .limiter
            .bind(&scope, self.inner.rate_limit)
            .unwrap_or_else(|| {
                Arc::new(crate::rate_limit::InMemoryRateLimiter::new(
                    self.inner.rate_limit,
                ))
            });
        self.sibling(auth, limiter, Arc::default())
    }

    /// A sibling with other credentials that shares everything with this transport, its
    /// rate limiter and retry budget included: for a second API of the same connection (an
    /// older API version that takes fewer headers, say) that counts against the same budget.
    ///
    /// # Errors
    /// [`Error::Config`] when a credential is not a valid header value.
    pub fn with_auth_sharing_limits(&self, auth: Auth) -> Result<Transport> {
        self.sibling(auth, self.inner.limiter.clone(), self.inner.budget.clone())
    }

    fn sibling(
        &self,
        auth: Auth,
        limiter: Arc<dyn RateLimiter>,
        budget: Arc<RetryBudget>,
    ) -> Result<Transport> {
        let inner = &self.inner;
        let mut default_headers = inner.base_headers.clone();
        default_headers.extend(auth::static_headers(&auth)?);
        Ok(Transport {
            inner: Arc::new(Inner {
                provider: inner.provider,
                base_url: inner.base_url.clone(),
                default_headers,
                base_headers: inner.base_headers.clone(),
                auth,
                rate_limit: inner.rate_limit,
                request_timeout: inner.request_timeout,
                call_timeout: inner.call_timeout,
                max_response_bytes: inner.max_response_bytes,
                retry: inner.retry,
                budget,
                limiter,
                decoder: inner.decoder.clone(),
                http: inner.http.clone(),
            }),
        })
    }

    /// The provider name used in spans and errors.
    pub fn provider(&self) -> &'static str {
        self.inner.provider
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The retry budget shared by every clone (exposed for monitoring).
    pub fn retry_budget(&self) -> &RetryBudget {
        &self.inner.budget
    }

    /// Sends an operation and decodes its response.
    ///
    /// # Errors
    /// Any [`Error`]: the server's error answer, a transport failure, a timeout, a body that
    /// does not decode into `T`, a client-side rate limit.
    // Not an `async fn`: a wrapper's state would hold its arguments next to the future it
    // awaits, and every level of nesting is copied whole each time it moves (the bench
    // measures it, docs/performance.md).
    pub fn execute<T: DeserializeOwned>(
        &self,
        operation: Operation<T>,
    ) -> impl Future<Output = Result<Response<T>>> {
        self.send(operation.into_request())
    }

    /// Sends a request and decodes its 2xx body into `T`.
    ///
    /// # Errors
    /// As [`Transport::execute`].
    pub fn send<T: DeserializeOwned>(
        &self,
        request: Request,
    ) -> impl Future<Output = Result<Response<T>>> {
        let span = tracing::info_span!(
            "api.call",
            provider = self.inner.provider,
            operation = request.operation,
            method = %request.method,
            path = request.path_template,
            attempts = field::Empty,
            status = field::Empty,
            elapsed_ms = field::Empty,
        );
        // Entering a span on every poll costs even when no subscriber wants it.
        let entered = (!span.is_disabled()).then(|| span.clone());
        let call = async move {
            let started = Instant::now();
            let result = self.run(&request, started, &span).await;
            if !span.is_disabled() {
                span.record("elapsed_ms", started.elapsed().as_millis() as u64);
            }
            let (raw, attempts) = result?;
            let value = decode_body(
                self.inner.provider,
                request.operation,
                raw.status,
                &raw.body,
                request.allow_empty_response,
            )?;
            Ok(Response::new(value, raw.status, raw.headers, attempts))
        };
        match entered {
            None => Either::Left(call),
            Some(span) => Either::Right(call.instrument(span)),
        }
    }

    /// The retry loop. Returns the first 2xx response and the number of attempts made.
    async fn run(
        &self,
        request: &Request,
        started: Instant,
        span: &tracing::Span,
    ) -> Result<(RawResponse, u32)> {
        let inner = &self.inner;
        let deadline = started + inner.call_timeout;
        // Moved into the first attempt's request; only a retry builds it again.
        let mut url = Some(self.url(request)?);
        let mut attempt: u32 = 0;
        let mut replayed_unauthorized = false;
        loop {
            attempt += 1;
            span.record("attempts", attempt);
            if !inner.limiter.acquire_now() {
                let left = deadline.saturating_duration_since(Instant::now());
                inner
                    .limiter
                    .acquire(inner.retry.max_rate_limit_wait.min(left))
                    .await?;
            }
            // A token endpoint out of reach is a `Connect` failure (the call never left), so
            // it takes the retry path below like a refused connection, whatever the method.
            let token = self.token().await;
            // Each answer is settled into a small `Error` before anything else is awaited:
            // a response or an `ApiError` held across an await would sit in every call's
            // state (the state is copied whole each time a future moves).
            let (token, error) = match token {
                Ok(token) => {
                    let url = match url.take() {
                        Some(url) => url,
                        None => self.url(request)?,
                    };
                    let outcome = self.attempt(request, url, token.as_ref(), deadline).await;
                    match outcome {
                        Ok(raw) if raw.status.is_success() => {
                            return self.succeeded(request, raw, attempt, span).await;
                        }
                        Ok(raw) => (token, self.failed(request, &raw, span).await),
                        Err(error) => (token, error),
                    }
                }
                Err(error) => (None, error),
            };
            if let (Some(token), Error::Api(api), Auth::OAuth2(oauth)) =
                (&token, &error, &inner.auth)
                && api.kind == ErrorKind::Unauthorized
                && !replayed_unauthorized
            {
                // The token may have been revoked early: fetch a new one and replay once. A
                // 401 means the server did not act, so this is safe even for a side effect,
                // and it does not count as a retry.
                replayed_unauthorized = true;
                oauth.cache.invalidate(token).await;
                attempt -= 1;
                continue;
            }
            if let Error::Api(api) = &error
                && api.kind == ErrorKind::TooManyRequests
                && let Some(wait) = api.retry_after
            {
                inner.limiter.pause(wait).await;
            }
            let retry_allowed = attempt < inner.retry.max_attempts
                && may_retry(
                    request.idempotency,
                    request.idempotency_key.is_some(),
                    &error,
                );
            if !retry_allowed {
                return Err(error);
            }
            let wait = match error.retry_after() {
                // A server that asks for more than we accept to wait gets its error back.
                Some(hint) if hint > inner.retry.max_rate_limit_wait => return Err(error),
                Some(hint) => hint,
                None => inner.retry.backoff(attempt),
            };
            if Instant::now() + wait >= deadline {
                return Err(error);
            }
            if !inner.budget.try_acquire(&error) {
                tracing::warn!(error = %error, "retry budget exhausted; not retrying");
                return Err(error);
            }
            tracing::debug!(error = %error, wait_ms = wait.as_millis() as u64, "retrying");
            // The server's pause is applied by the limiter on the next acquire.
            if !(error.is_rate_limited() && error.retry_after().is_some()) {
                // Boxed: a retry is rare, and a timer held inline would grow every call's state.
                Box::pin(tokio::time::sleep(wait)).await;
            }
        }
    }

    /// A 2xx answer: the limiter learns the server's budget, the provider's decoder may
    /// still find an error inside it (an envelope's code), the retry budget gets its refund.
    async fn succeeded(
        &self,
        request: &Request,
        raw: RawResponse,
        attempt: u32,
        span: &tracing::Span,
    ) -> Result<(RawResponse, u32)> {
        let inner = &self.inner;
        span.record("status", raw.status.as_u16());
        if let Some(info) = RateLimitInfo::from_headers(&raw.headers) {
            inner.limiter.observe(&info).await;
        }
        if let Some(mut error) = inner.decoder.check_success(raw.status, &raw.body) {
            // The decoder cannot know which call this is: name it here.
            error.provider = inner.provider;
            error.operation = request.operation;
            complete(&mut error, &raw);
            return Err(error.into());
        }
        inner.budget.refund();
        Ok((raw, attempt))
    }

    /// A non-2xx answer as an [`Error`], after the limiter learned the server's budget.
    async fn failed(&self, request: &Request, raw: &RawResponse, span: &tracing::Span) -> Error {
        span.record("status", raw.status.as_u16());
        if let Some(info) = RateLimitInfo::from_headers(&raw.headers) {
            self.inner.limiter.observe(&info).await;
        }
        self.api_error(request, raw).into()
    }

    /// One attempt: send and read the whole body, within the attempt's time.
    async fn attempt(
        &self,
        request: &Request,
        url: Url,
        token: Option<&AccessToken>,
        deadline: Instant,
    ) -> Result<RawResponse> {
        let inner = &self.inner;
        let outgoing = outgoing(&inner.default_headers, request, url, token)?;
        // Read here, not taken from the call's start: the limiter or the token may have
        // made the call wait, and the attempt gets only what is left of its deadline.
        let started = Instant::now();
        let left = deadline.saturating_duration_since(started);
        let (budget, what) = if left < inner.request_timeout {
            (left, "call")
        } else {
            (inner.request_timeout, "request")
        };
        // Sent outside the async block below: what a block captures stays in its state for
        // its whole life, and a request is 264 bytes.
        let pending = inner.http.execute(outgoing);
        let exchange = async {
            let response = pending
                .await
                .map_err(|e| self.transport_error(request, e))?;
            // Taken apart rather than borrowed: the headers move instead of being copied.
            let (parts, body) = http::Response::from(response).into_parts();
            let body = crate::body::read_limited(body, inner.max_response_bytes)
                .await
                .map_err(|e| match e {
                    crate::body::ReadError::TooLarge => Error::ResponseTooLarge {
                        limit: inner.max_response_bytes,
                    },
                    crate::body::ReadError::Io(e) => self.transport_error(request, e),
                })?;
            Ok(RawResponse {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        match tokio::time::timeout(budget, exchange).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout {
                what,
                elapsed: started.elapsed(),
            }),
        }
    }

    fn transport_error(&self, request: &Request, error: reqwest::Error) -> Error {
        let kind = if error.is_connect() {
            TransportErrorKind::Connect
        } else if error.is_body() || error.is_decode() {
            TransportErrorKind::Body
        } else {
            TransportErrorKind::Request
        };
        if error.is_timeout() {
            return Error::Timeout {
                what: "request",
                elapsed: self.inner.request_timeout,
            };
        }
        // reqwest's messages may hold the URL (never headers); drop it anyway so a token
        // passed as a query parameter by some API cannot leak through an error.
        Error::Transport(Box::new(TransportError {
            provider: self.inner.provider,
            operation: request.operation,
            kind,
            source: Box::new(error.without_url()),
        }))
    }

    /// Builds the [`ApiError`] for a non-2xx answer and lets the provider refine it.
    fn api_error(&self, request: &Request, raw: &RawResponse) -> ApiError {
        let mut error = ApiError::new(self.inner.provider, request.operation, raw.status);
        if raw.status.is_redirection() {
            let target = raw
                .headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("an unnamed location");
            error.message = Some(format!(
                "refused to follow a redirect to {target}: it leaves the API's origin, and \
                 credentials are never sent to another host or over plain http"
            ));
        } else {
            self.inner.decoder.decode_error(&mut error, &raw.body);
        }
        complete(&mut error, raw);
        error
    }

    /// The full URL of `request`: base URL + encoded path + encoded query.
    fn url(&self, request: &Request) -> Result<Url> {
        let base_url = &self.inner.base_url;
        let mut url = base_url.clone();
        // A base URL without a path still has the path `/`: join with exactly one slash.
        let base = base_url.path().trim_end_matches('/');
        let mut path = String::with_capacity(base.len() + request.path.len() + 1);
        path.push_str(base);
        if !(request.path.is_empty() || request.path.starts_with('/')) {
            path.push('/');
        }
        path.push_str(&request.path);
        url.set_path(&path);
        if !request.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &request.query {
                pairs.append_pair(name, value);
            }
        }
        // `set_path` keeps the origin; this guards that belief without `Url::origin`'s
        // allocations.
        if url.scheme() != base_url.scheme()
            || url.host_str() != base_url.host_str()
            || url.port_or_known_default() != base_url.port_or_known_default()
        {
            return Err(Error::Config(format!(
                "request path `{}` leaves the base URL's origin",
                request.path_template
            )));
        }
        Ok(url)
    }

    /// The OAuth2 token for this attempt, when the client uses OAuth2.
    async fn token(&self) -> Result<Option<AccessToken>> {
        let Auth::OAuth2(oauth) = &self.inner.auth else {
            return Ok(None);
        };
        if let Some(token) = oauth.cache.peek(oauth.refresh_ahead) {
            return Ok(Some(token));
        }
        let fetcher = TokenRequest {
            transport: self,
            oauth,
        };
        oauth
            .cache
            .get(oauth.refresh_ahead, &fetcher)
            .await
            .map(Some)
    }
}

/// The request of one attempt, built directly: reqwest's builder would merge the headers a
/// second time.
fn outgoing(
    defaults: &HeaderMap,
    request: &Request,
    url: Url,
    token: Option<&AccessToken>,
) -> Result<reqwest::Request> {
    let mut outgoing = reqwest::Request::new(request.method.clone(), url);
    let outgoing_headers = outgoing.headers_mut();
    // Defaults and fixed credentials were merged once, at build time.
    outgoing_headers.clone_from(defaults);
    // The request's own replace a default of the same name, as `HeaderMap::extend` would.
    for name in request.headers.keys() {
        let mut values = request.headers.get_all(name).iter();
        if let Some(first) = values.next() {
            outgoing_headers.insert(name.clone(), first.clone());
        }
        for value in values {
            outgoing_headers.append(name.clone(), value.clone());
        }
    }
    if let Some(token) = token {
        outgoing_headers.insert(reqwest::header::AUTHORIZATION, token.bearer()?);
    }
    let (content_type, body) = match &request.body {
        Body::None => return Ok(outgoing),
        Body::Json(bytes) => ("application/json", bytes),
        Body::Form(bytes) => ("application/x-www-form-urlencoded", bytes),
    };
    outgoing_headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    *outgoing.body_mut() = Some(body.clone().into());
    Ok(outgoing)
}

/// Adds what every error carries: retry hint, rate-limit headers, request id, excerpt.
/// The server's `Retry-After` wins over a provider decoder's default wait.
fn complete(error: &mut ApiError, raw: &RawResponse) {
    if let Some(wait) = retry_after(&raw.headers, SystemTime::now()) {
        error.retry_after = Some(wait);
    }
    error.rate_limit = RateLimitInfo::from_headers(&raw.headers);
    error.request_id = request_id(&raw.headers);
    if error.body_excerpt.is_empty() {
        error.body_excerpt = excerpt(&raw.body);
    }
}

/// The server's request id, from the headers providers commonly use.
fn request_id(headers: &HeaderMap) -> Option<String> {
    [
        "x-request-id",
        "x-correlation-id",
        "x-reference-id",
        "x-amzn-requestid",
    ]
    .iter()
    .find_map(|name| headers.get(*name))
    .and_then(|v| v.to_str().ok())
    .map(str::to_owned)
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

#[async_trait::async_trait]
impl TokenFetcher for TokenRequest<'_> {
    fn scope(&self) -> Option<CredentialScope> {
        Some(CredentialScope::new(
            self.transport.inner.provider,
            &self.transport.inner.auth,
        ))
    }

    async fn fetch(&self) -> Result<AccessToken> {
        let inner = &self.transport.inner;
        let oauth = self.oauth;
        let scope = oauth.scopes.join(" ");
        let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
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
        let body = serde_urlencoded::to_string(&form)
            .map_err(|e| Error::Auth(format!("cannot encode the token request: {e}")))?;
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
            let bytes = crate::body::read_limited(
                http::Response::from(response).into_body(),
                inner.max_response_bytes,
            )
            .await
            .map_err(|e| match e {
                crate::body::ReadError::TooLarge => Error::Auth(format!(
                    "token response exceeds the {}-byte limit",
                    inner.max_response_bytes
                )),
                crate::body::ReadError::Io(e) => token_unreachable(inner.provider, e.without_url()),
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
        if !status.is_success() {
            let detail = serde_json::from_slice::<TokenErrorResponse>(&bytes)
                .ok()
                .and_then(|e| match (e.error, e.error_description) {
                    (Some(code), Some(text)) => Some(format!("{code}: {text}")),
                    (code, text) => code.or(text),
                })
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            return Err(Error::Auth(format!(
                "token endpoint answered HTTP {}{detail}",
                status.as_u16()
            )));
        }
        let token: TokenResponse = serde_json::from_slice(&bytes)
            .map_err(|e| Error::Auth(format!("token response is not a valid token: {e}")))?;
        // Without `expires_in`, assume a short life rather than forever.
        let lifetime = Duration::from_secs(token.expires_in.unwrap_or(300));
        Ok(AccessToken::new(
            token.access_token,
            requested_at + lifetime,
        ))
    }
}
