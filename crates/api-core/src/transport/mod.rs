//! The request path: limiter → credentials → send (in a span) → decode → retry or return.
//!
//! This file holds the [`Transport`] itself, its siblings and the call's entry points
//! ([`Transport::execute`], [`Transport::send`]: the span and the decoding of a success). The
//! call goes on in `retry_loop.rs` (limiter, token, attempts, what each answer becomes, whether
//! to try again), `attempt.rs` (one exchange on the wire: URL, request, redirects, body) and
//! `oauth_token.rs` (the OAuth2 token an attempt carries).
//!
//! Also the call's deadline (`Deadline`), the one clock every wait of a call runs against.

mod attempt;
mod oauth_token;
mod retry_loop;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::Either;
use reqwest::Url;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::{Instrument, field};

use crate::auth::{self, Auth, CredentialScope};
use crate::config::TransportBuilder;
use crate::decode::{ErrorDecoder, Response, decode_body};
use crate::error::{Error, Result};
use crate::rate_limit::RateLimiter;
use crate::request::{Operation, Request};
use crate::retry::{RetryBudget, RetryConfig};

/// The shared HTTP machinery of a provider client. Cloning is cheap: clones share one
/// connection pool, one rate limiter, one retry budget and one token cache.
#[derive(Clone)]
pub struct Transport {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) provider: &'static str,
    pub(crate) base_url: Url,
    /// The URL of each operation without path parameters (`TransportBuilder::operations`).
    pub(crate) static_urls: Arc<[(&'static str, Url)]>,
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
    pub(crate) interceptor: Option<Arc<dyn crate::Interceptor>>,
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
    /// [`Error::Config`](crate::Error::Config) when a credential is not a valid header value.
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
    /// [`Error::Config`](crate::Error::Config) when a credential is not a valid header value.
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
                static_urls: inner.static_urls.clone(),
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
                interceptor: inner.interceptor.clone(),
                http: inner.http.clone(),
            }),
        })
    }

    /// The OAuth2 token this transport sends, from its cache or fetched now (`None` without
    /// OAuth2): for a flow that must send one token from start to finish, pinned on a sibling
    /// with `Auth::bearer`.
    ///
    /// # Errors
    /// As a call's token fetch: the token endpoint unreachable or refusing the credentials.
    pub async fn access_token(&self) -> Result<Option<crate::AccessToken>> {
        let Auth::OAuth2(oauth) = &self.inner.auth else {
            return Ok(None);
        };
        let deadline = Deadline::start(self.inner.call_timeout);
        self.token(oauth, &deadline).await.map(Some)
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
    /// Any [`Error`](crate::Error): the server's error answer, a transport failure, a
    /// timeout, a body that does not decode into `T`, a client-side rate limit.
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
            let timeout = request.settings.as_ref().and_then(|s| s.timeout);
            let deadline = Deadline::start(timeout.unwrap_or(self.inner.call_timeout));
            let result = self.run(&request, &deadline, &span).await;
            if !span.is_disabled() {
                span.record("elapsed_ms", millis(deadline.elapsed()));
            }
            let answer = result.and_then(|(raw, attempts)| {
                let value: T = decode_body(
                    self.inner.provider,
                    request.operation,
                    raw.status,
                    &raw.body,
                    request.allow_empty_response,
                )?;
                Ok(Response::new(value, raw.status, raw.headers, attempts))
            });
            crate::telemetry::call_finished(
                self.inner.provider,
                request.operation,
                &request.method,
                answer.as_ref().map(|r| (r.status(), r.attempts())),
                || deadline.elapsed(),
            );
            answer
        };
        match entered {
            None => Either::Left(call),
            Some(span) => Either::Right(call.instrument(span)),
        }
    }
}

/// The URL of each of `operations` whose path has no parameter, on `base_url`; an operation
/// whose URL cannot be built is left out (each call then fails as it would without this).
pub(crate) fn static_urls(
    base_url: &Url,
    operations: &[&'static crate::spec::OperationSpec],
) -> Arc<[(&'static str, Url)]> {
    operations
        .iter()
        .filter(|spec| !spec.path.contains('{'))
        .filter_map(|spec| {
            Some((
                spec.path,
                attempt::join(base_url, spec.path, &[], spec.path).ok()?,
            ))
        })
        .collect()
}

/// Whole milliseconds, saturating, for logs and spans.
pub(super) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

// ---------------------------------------------------------------------------------------
// The one clock a call runs against: every wait of a call goes through its `Deadline` (the
// limiter's, the token fetch, each attempt with its redirects and body read, the backoff), so
// the call timeout bounds everything a call does; a timeout too large for the clock means no
// deadline, never a panic.

/// When a call started and when it must end. Measured on tokio's clock (the one its timers
/// sleep on), so tests that pause time see deadlines move with it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    started: Instant,
    /// `None` when the call timeout lies beyond what the clock can hold: no deadline.
    at: Option<Instant>,
}

impl Deadline {
    /// A deadline `budget` from now.
    pub(crate) fn start(budget: Duration) -> Self {
        let started = Instant::now();
        Self {
            started,
            at: started.checked_add(budget),
        }
    }

    /// How long until the deadline ([`Duration::MAX`] without one).
    pub(crate) fn left(&self) -> Duration {
        self.left_at(Instant::now())
    }

    /// [`Self::left`] at `now`, for a caller that needs the clock's reading itself too.
    pub(crate) fn left_at(&self, now: Instant) -> Duration {
        self.at
            .map_or(Duration::MAX, |at| at.saturating_duration_since(now))
    }

    /// Whether a wait of `wait` from now would reach the deadline.
    pub(crate) fn reached_by(&self, wait: Duration) -> bool {
        wait >= self.left()
    }

    /// How long the call has run.
    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The error of a call that ran out of time.
    pub(crate) fn expired(&self) -> Error {
        Error::Timeout {
            what: "call",
            elapsed: self.elapsed(),
        }
    }

    /// Runs `work` until the deadline; past it, `work` is dropped (whatever it holds, a
    /// connection included, is released) and the call's timeout is returned.
    pub(crate) async fn bound<T>(&self, work: impl Future<Output = Result<T>>) -> Result<T> {
        let Some(at) = self.at else {
            return work.await;
        };
        match tokio::time::timeout_at(at, work).await {
            Ok(result) => result,
            Err(_) => Err(self.expired()),
        }
    }
}

#[cfg(test)]
mod deadline_tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_deadline_beyond_the_clock_is_no_deadline() {
        let deadline = Deadline::start(Duration::MAX);
        assert_eq!(deadline.left(), Duration::MAX);
        assert!(!deadline.reached_by(Duration::from_secs(u64::MAX)));
        assert!(deadline.reached_by(Duration::MAX));
        let value = deadline
            .bound(async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok(7)
            })
            .await
            .expect("no deadline");
        assert_eq!(value, 7);
    }

    #[tokio::test(start_paused = true)]
    async fn bound_ends_work_at_the_deadline_with_the_calls_elapsed_time() {
        let deadline = Deadline::start(Duration::from_secs(5));
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(deadline.left(), Duration::from_secs(3));
        assert!(deadline.reached_by(Duration::from_secs(3)));
        assert!(!deadline.reached_by(Duration::from_millis(2999)));
        let error = deadline
            .bound(async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                Ok(())
            })
            .await
            .expect_err("cut at the deadline");
        assert!(
            matches!(error, Error::Timeout { what: "call", elapsed } if elapsed == Duration::from_secs(5)),
            "{error:?}"
        );
        assert_eq!(deadline.left(), Duration::ZERO);
    }
}
