//! The request path: limiter → credentials → send (in a span) → decode → retry or return.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::future::Either;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use tracing::{Instrument, field};

use crate::access_token::AccessToken;
use crate::auth::{self, Auth, CredentialScope};
use crate::config::TransportBuilder;
use crate::deadline::Deadline;
use crate::decode::{ErrorDecoder, decode_body};
use crate::error::{
    ApiError, Error, ErrorKind, Result, TransportError, TransportErrorKind, excerpt,
};
use crate::oauth2::{OAuth2, TokenFetcher};
use crate::rate_limit::{RateLimitInfo, RateLimiter, retry_after};
use crate::redirect::{self, Next};
use crate::request::{Body, Idempotency, Operation, Request};
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
    /// The longest pause a server's answer can impose (see `TransportBuilder::max_server_pause`).
    pub(crate) max_server_pause: Duration,
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
    /// Why a 3xx was not followed (`redirect.rs`).
    refused_redirect: Option<String>,
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
                max_server_pause: inner.max_server_pause,
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
            let deadline = Deadline::start(self.inner.call_timeout);
            let result = self.run(&request, &deadline, &span).await;
            if !span.is_disabled() {
                span.record("elapsed_ms", millis(deadline.elapsed()));
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
        deadline: &Deadline,
        span: &tracing::Span,
    ) -> Result<(RawResponse, u32)> {
        let inner = &self.inner;
        // Moved into the first attempt's request; only a retry builds it again.
        let mut url = Some(self.url(request)?);
        let mut attempt: u32 = 0;
        let mut replayed_unauthorized = false;
        loop {
            attempt = attempt.saturating_add(1);
            span.record("attempts", attempt);
            if !inner.limiter.acquire_now() {
                let max_wait = inner.retry.max_rate_limit_wait.min(deadline.left());
                // Bounded as well: a shared limiter may wait on its store, not only on time.
                // Boxed: the slow path, kept out of every call's state.
                Box::pin(deadline.bound(inner.limiter.acquire(max_wait))).await?;
            }
            // A token endpoint out of reach is a `Connect` failure (the call never left), so
            // it takes the retry path below like a refused connection, whatever the method.
            let token = self.token(deadline).await;
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
                attempt = attempt.saturating_sub(1);
                continue;
            }
            if let Error::Api(api) = &error
                && api.kind == ErrorKind::TooManyRequests
                && let Some(wait) = api.retry_after
            {
                // Already within `max_server_pause` (`complete`): one answer cannot hold the
                // client back for longer, whatever its header said.
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
            if deadline.reached_by(wait) {
                return Err(error);
            }
            if !inner.budget.try_acquire(&error) {
                tracing::warn!(error = %error, "retry budget exhausted; not retrying");
                return Err(error);
            }
            tracing::debug!(error = %error, wait_ms = millis(wait), "retrying");
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
            inner
                .limiter
                .observe(&within(info, inner.max_server_pause))
                .await;
        }
        if let Some(mut error) = inner.decoder.check_success(raw.status, &raw.body) {
            // The decoder cannot know which call this is: name it here.
            error.provider = inner.provider;
            error.operation = request.operation;
            complete(&mut error, &raw, inner.max_server_pause);
            return Err(error.into());
        }
        inner.budget.refund();
        Ok((raw, attempt))
    }

    /// A non-2xx answer as an [`Error`], after the limiter learned the server's budget.
    async fn failed(&self, request: &Request, raw: &RawResponse, span: &tracing::Span) -> Error {
        span.record("status", raw.status.as_u16());
        if let Some(info) = RateLimitInfo::from_headers(&raw.headers) {
            let info = within(info, self.inner.max_server_pause);
            self.inner.limiter.observe(&info).await;
        }
        self.api_error(request, raw).into()
    }

    /// One attempt: send, follow the redirects it may follow, and read the whole body, within
    /// the attempt's time.
    async fn attempt(
        &self,
        request: &Request,
        url: Url,
        token: Option<&AccessToken>,
        deadline: &Deadline,
    ) -> Result<RawResponse> {
        let inner = &self.inner;
        let outgoing = outgoing(
            &inner.default_headers,
            request,
            url,
            request.method.clone(),
            true,
            token,
        )?;
        // Read here, not taken from the call's start: the limiter or the token may have
        // made the call wait, and the attempt gets only what is left of its deadline.
        let left = deadline.left();
        let call_ends_first = left < inner.request_timeout;
        let budget = left.min(inner.request_timeout);
        let started = tokio::time::Instant::now();
        // Sent outside the async block below: what a block captures stays in its state for
        // its whole life, and a request is 264 bytes.
        let pending = inner.http.execute(outgoing);
        let exchange = async {
            let mut response = pending
                .await
                .map_err(|e| self.transport_error(request, e))?;
            let mut refused_redirect = None;
            if response.status().is_redirection() {
                // Boxed: rare, and kept out of every call's state.
                (response, refused_redirect) =
                    Box::pin(self.follow_redirects(request, token, response)).await?;
            }
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
                refused_redirect,
            })
        };
        match tokio::time::timeout(budget, exchange).await {
            Ok(result) => result,
            // The whole call's time ran out: say how long the call ran, not this attempt.
            Err(_) if call_ends_first => Err(deadline.expired()),
            Err(_) => Err(Error::Timeout {
                what: "request",
                elapsed: started.elapsed(),
            }),
        }
    }

    /// Follows the redirects of `response` that may be followed (`redirect.rs`): the final
    /// answer, or the 3xx that was not followed and why.
    async fn follow_redirects(
        &self,
        request: &Request,
        token: Option<&AccessToken>,
        mut response: reqwest::Response,
    ) -> Result<(reqwest::Response, Option<String>)> {
        let repeatable =
            request.idempotency != Idempotency::SideEffect || request.idempotency_key.is_some();
        let mut method = request.method.clone();
        let mut with_body = true;
        let mut followed: u32 = 0;
        while response.status().is_redirection() {
            let next = redirect::next(
                response.status(),
                response.headers(),
                response.url(),
                &method,
                repeatable,
                followed,
            );
            let (url, next_method, keep_body) = match next {
                Next::Refuse(reason) => return Ok((response, Some(reason))),
                Next::Follow {
                    url,
                    method,
                    keep_body,
                } => (url, method, keep_body),
            };
            followed = followed.saturating_add(1);
            method = next_method;
            with_body &= keep_body;
            let outgoing = outgoing(
                &self.inner.default_headers,
                request,
                url,
                method.clone(),
                with_body,
                token,
            )?;
            response = self
                .inner
                .http
                .execute(outgoing)
                .await
                .map_err(|e| self.transport_error(request, e))?;
        }
        Ok((response, None))
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
        if let Some(reason) = &raw.refused_redirect {
            error.message = Some(reason.clone());
        } else {
            self.inner.decoder.decode_error(&mut error, &raw.body);
        }
        complete(&mut error, raw, self.inner.max_server_pause);
        error
    }

    /// The full URL of `request`: base URL + encoded path + encoded query.
    fn url(&self, request: &Request) -> Result<Url> {
        let base_url = &self.inner.base_url;
        let mut url = base_url.clone();
        // A base URL without a path still has the path `/`: join with exactly one slash.
        let base = base_url.path().trim_end_matches('/');
        let mut path = String::with_capacity(
            base.len()
                .saturating_add(request.path.len())
                .saturating_add(1),
        );
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

    /// The OAuth2 token for this attempt, when the client uses OAuth2. Fetching one counts
    /// against the call's deadline like everything else the call waits for.
    async fn token(&self, deadline: &Deadline) -> Result<Option<AccessToken>> {
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
        // Boxed: the slow path, kept out of every call's state.
        Box::pin(deadline.bound(oauth.cache.get(oauth.refresh_ahead, &fetcher)))
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
    method: Method,
    with_body: bool,
    token: Option<&AccessToken>,
) -> Result<reqwest::Request> {
    let mut outgoing = reqwest::Request::new(method, url);
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
        // A redirect that turned the request into a GET (`redirect.rs`).
        _ if !with_body => return Ok(outgoing),
        Body::Json(bytes) => ("application/json", bytes),
        Body::Form(bytes) => ("application/x-www-form-urlencoded", bytes),
    };
    outgoing_headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    *outgoing.body_mut() = Some(body.clone().into());
    Ok(outgoing)
}

/// Adds what every error carries: retry hint, rate-limit headers, request id, excerpt.
/// The server's `Retry-After` wins over a provider decoder's default wait; either is cut to
/// `max_server_pause`, the longest pause one answer may impose.
fn complete(error: &mut ApiError, raw: &RawResponse, max_server_pause: Duration) {
    if let Some(wait) = retry_after(&raw.headers, SystemTime::now()) {
        error.retry_after = Some(wait);
    }
    error.retry_after = error.retry_after.map(|wait| wait.min(max_server_pause));
    error.rate_limit = RateLimitInfo::from_headers(&raw.headers);
    error.request_id = request_id(&raw.headers);
    if error.body_excerpt.is_empty() {
        error.body_excerpt = excerpt(&raw.body);
    }
    // Last: whatever the server and the provider's decoder put in, it is stored bounded.
    error.bound();
}

/// `info` with a reset no later than `ceiling` from now, for the limiter: a server's
/// `X-RateLimit-Reset` decades ahead must not hold every worker back for decades. A reset the
/// clock cannot hold is dropped.
fn within(info: RateLimitInfo, ceiling: Duration) -> RateLimitInfo {
    // At most 10⁹ s, so that `reset_after` reads it as seconds, not as a Unix time.
    let ceiling_secs = ceiling.as_secs().min(1_000_000_000);
    match info.reset_after(SystemTime::now()) {
        Some(wait) if wait > Duration::from_secs(ceiling_secs) => RateLimitInfo {
            reset: Some(ceiling_secs),
            ..info
        },
        None if info.reset.is_some() => RateLimitInfo {
            reset: None,
            ..info
        },
        _ => info,
    }
}

/// Whole milliseconds, saturating, for logs and spans.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
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
        AccessToken::from_token_answer(status, &bytes, requested_at)
    }
}
