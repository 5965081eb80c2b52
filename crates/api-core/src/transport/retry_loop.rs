//! The retry loop: limiter, token and attempt, what each answer becomes (a success, or an
//! [`Error`] with everything the server said), and whether and when to try again.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

use super::Deadline;
use super::attempt::RawResponse;
use super::{Transport, millis};
use crate::auth::Auth;
use crate::error::{ApiError, Error, ErrorKind, Result, excerpt};
use crate::rate_limit::{RateLimitInfo, retry_after};
use crate::request::Request;
use crate::retry::may_retry;

impl Transport {
    /// The retry loop. Returns the first 2xx response and the number of attempts made.
    pub(super) async fn run(
        &self,
        request: &Request,
        deadline: &Deadline,
        span: &tracing::Span,
    ) -> Result<(RawResponse, u32)> {
        let inner = &self.inner;
        let settings = request.settings.as_deref();
        let max_attempts = settings
            .and_then(|s| s.max_attempts)
            .unwrap_or(inner.retry.max_attempts);
        let max_wait = settings
            .and_then(|s| s.max_wait)
            .unwrap_or(inner.retry.max_rate_limit_wait);
        // Moved into the first attempt's request; only a retry builds it again.
        let mut url = Some(self.url(request)?);
        let mut attempt: u32 = 0;
        let mut replayed_unauthorized = false;
        loop {
            attempt = attempt.saturating_add(1);
            span.record("attempts", attempt);
            if !inner.limiter.acquire_now() {
                let max_wait = max_wait.min(deadline.left());
                // Bounded as well: a shared limiter may wait on its store, not only on time.
                // Boxed: the slow path, kept out of every call's state.
                let acquired = Box::pin(deadline.bound(inner.limiter.acquire(max_wait))).await;
                if let Err(error) = acquired {
                    if matches!(error, Error::RateLimited { .. }) {
                        crate::telemetry::refused_locally(inner.provider, request.operation);
                    }
                    return Err(error);
                }
            }
            // A token endpoint out of reach is a `Connect` failure (the call never left), so
            // it takes the retry path below like a refused connection, whatever the method.
            // Only an OAuth2 client has a token to fetch (`oauth_token.rs`); other credentials
            // are fixed headers, merged when the client was built.
            let token = match &inner.auth {
                Auth::OAuth2(oauth) => self.token(oauth, deadline).await.map(Some),
                _ => Ok(None),
            };
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
            let retry_allowed = attempt < max_attempts
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
                Some(hint) if hint > max_wait => return Err(error),
                Some(hint) => hint,
                None => inner.retry.backoff(attempt),
            };
            if deadline.reached_by(wait) {
                return Err(error);
            }
            crate::telemetry::retried(inner.provider, request.operation);
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

    /// Builds the [`ApiError`] for a non-2xx answer and lets the provider refine it.
    fn api_error(&self, request: &Request, raw: &RawResponse) -> ApiError {
        let mut error = ApiError::new(self.inner.provider, request.operation, raw.status);
        if let Some(reason) = &raw.refused_redirect {
            error.message = Some(reason.clone());
        } else {
            self.inner.decoder.decode_error(&mut error, &raw.body);
        }
        if request.spec.is_some_and(|spec| spec.unconfirmed_body)
            && !matches!(request.body, crate::request::Body::None)
        {
            // The failure may be our guess of the body, not the caller's input: say so.
            error.add_note(&format!(
                "(the body of `{}` is unconfirmed: our guess)",
                request.operation
            ));
        }
        complete(&mut error, raw, self.inner.max_server_pause);
        error
    }
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
