//! Building a [`Transport`]: base URL checks, timeouts, limits, the HTTP client.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue, USER_AGENT};

use crate::auth::{Auth, CredentialScope};
use crate::decode::{ErrorDecoder, JsonErrorDecoder};
use crate::error::{Error, Result};
use crate::rate_limit::{InMemoryRateLimiter, RateLimit, RateLimiter};
use crate::retry::RetryConfig;
use crate::transport::{Inner, Transport};

/// Default time to establish a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time for one attempt: sending the request and reading the whole response.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time for a whole call: every attempt and every wait between them.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// Default largest response body read into memory (16 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;
/// Default longest pause a server can impose on a client (`Retry-After`, `X-RateLimit-Reset`,
/// a provider's own "slow down"): 5 minutes. A longer one is shortened to it, so that no
/// single answer can hold every clone of a client back for longer.
pub const DEFAULT_MAX_SERVER_PAUSE: Duration = Duration::from_secs(5 * 60);

/// Settings of a [`Transport`]. Providers start one with their defaults; users adjust it.
///
/// ```
/// use std::time::Duration;
/// use api_core::{Auth, RateLimit, Transport};
///
/// let transport = Transport::builder("example", "https://api.example.com/v2")
///     .user_agent("example/0.1.0")
///     .auth(Auth::bearer("token"))
///     .rate_limit(RateLimit::per_minute(60))
///     .request_timeout(Duration::from_secs(10))
///     .build()?;
/// assert_eq!(transport.base_url().as_str(), "https://api.example.com/v2");
/// # Ok::<(), api_core::Error>(())
/// ```
pub struct TransportBuilder {
    provider: &'static str,
    base_url: String,
    user_agent: String,
    auth: Auth,
    connect_timeout: Duration,
    request_timeout: Duration,
    call_timeout: Duration,
    max_response_bytes: u64,
    max_server_pause: Duration,
    allow_insecure_http: bool,
    http_client: Option<reqwest::Client>,
    retry: RetryConfig,
    rate_limit: Option<RateLimit>,
    limiter: Option<Arc<dyn RateLimiter>>,
    decoder: Arc<dyn ErrorDecoder>,
    interceptor: Option<Arc<dyn crate::Interceptor>>,
    operations: &'static [&'static crate::spec::OperationSpec],
}

impl fmt::Debug for TransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("call_timeout", &self.call_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_server_pause", &self.max_server_pause)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

impl TransportBuilder {
    pub(crate) fn new(provider: &'static str, base_url: &str) -> Self {
        Self {
            provider,
            base_url: base_url.to_owned(),
            user_agent: format!("api-core/{}", env!("CARGO_PKG_VERSION")),
            auth: Auth::None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            call_timeout: DEFAULT_CALL_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_server_pause: DEFAULT_MAX_SERVER_PAUSE,
            allow_insecure_http: false,
            http_client: None,
            retry: RetryConfig::default(),
            rate_limit: None,
            limiter: None,
            decoder: Arc::new(JsonErrorDecoder),
            interceptor: None,
            operations: &[],
        }
    }

    /// The client's operations (the generated `spec::OPERATIONS`): the URL of each one whose
    /// path has no parameter is built once here, and a call of it clones that URL instead of
    /// building it (~2,300 instructions a call: `Url::set_path` parses the path). The same
    /// URL either way; without this, every URL is built per call.
    pub fn operations(
        mut self,
        operations: &'static [&'static crate::spec::OperationSpec],
    ) -> Self {
        self.operations = operations;
        self
    }

    /// The base URL every request path is appended to.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The `User-Agent` header (providers set `<crate>/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The credentials.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Time to establish a connection. Default [`DEFAULT_CONNECT_TIMEOUT`] (10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time for one attempt, response body included. Default [`DEFAULT_REQUEST_TIMEOUT`] (30 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Time for the whole call, retries and waits included. Default [`DEFAULT_CALL_TIMEOUT`] (60 s).
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Largest response body read; a larger one is an [`Error::ResponseTooLarge`] and is not
    /// read further. Default [`DEFAULT_MAX_RESPONSE_BYTES`] (16 MiB).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The longest pause a server's answer can impose: a `Retry-After`, an `X-RateLimit-Reset`
    /// or a provider's own wait beyond it counts as this long, both in the limiter (which
    /// holds every clone of the client back) and in the error's
    /// [`retry_after`](crate::Error::retry_after). Default [`DEFAULT_MAX_SERVER_PAUSE`]
    /// (5 minutes); providers whose servers ask for longer by design raise it (FL3XX's
    /// fair-use wait is 10 minutes).
    ///
    /// It is a ceiling on what the server can do to the client, not the caller's patience:
    /// a call still waits at most [`RetryConfig::max_rate_limit_wait`] before it returns the
    /// rate-limited error.
    pub fn max_server_pause(mut self, ceiling: Duration) -> Self {
        self.max_server_pause = ceiling;
        self
    }

    /// Allows a plain `http://` base URL for a host that is not loopback. Off by default:
    /// credentials would cross the network in clear text.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Installs an [`Interceptor`](crate::Interceptor): it sees every attempt's request just
    /// before it is sent, and its answer (a signature, a header, a log line, a metric).
    pub fn interceptor(mut self, interceptor: impl crate::Interceptor) -> Self {
        self.interceptor = Some(Arc::new(interceptor));
        self
    }

    /// Uses your `reqwest::Client` (to share its pool or proxy settings). Build it with
    /// `redirect(reqwest::redirect::Policy::none())`: the transport follows redirects itself,
    /// by rules that depend on the request (docs/reliability.md), and a client that follows
    /// them on its own would carry API-key headers to other hosts and repeat side effects.
    /// Its own timeouts apply as well. Take `reqwest` from [`crate::reqwest`] (each provider
    /// crate re-exports `api_core`), so its version is this crate's.
    ///
    /// ```
    /// use api_core::reqwest;
    ///
    /// // reqwest is built without a default TLS crypto provider: install api-core's first.
    /// api_core::tls::install_default_provider();
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()?;
    /// let transport = api_core::Transport::builder("example", "https://api.example.com")
    ///     .http_client(http)
    ///     .build()?;
    /// # let _ = transport;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Retry settings.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Client-side pacing with the in-memory limiter. `None` sends as fast as the caller asks
    /// (the server's 429 pauses still apply).
    pub fn rate_limit(mut self, limit: impl Into<Option<RateLimit>>) -> Self {
        self.rate_limit = limit.into();
        self
    }

    /// Replaces the in-memory limiter (for example with one shared across processes). The
    /// limiter is offered this transport's provider, credential and pace when the transport
    /// is built ([`RateLimiter::bind`]), so a shared one keys its budget by credential and
    /// paces at [`TransportBuilder::rate_limit`] unless it has a pace of its own.
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// The provider's error-body decoder. Default [`JsonErrorDecoder`].
    pub fn error_decoder(mut self, decoder: impl ErrorDecoder) -> Self {
        self.decoder = Arc::new(decoder);
        self
    }

    /// Checks the settings and builds the transport.
    ///
    /// # Errors
    /// [`Error::Config`] for a malformed base URL, a plain `http://` base or OAuth2 token URL
    /// to a host that is not loopback (unless allowed), or an HTTP client that cannot be built.
    pub fn build(self) -> Result<Transport> {
        let base_url = check_base_url(&self.base_url, self.allow_insecure_http)?;
        // The token request carries the client secret: its URL gets the same check.
        if let Auth::OAuth2(oauth) = &self.auth {
            check_scheme(oauth.token_url(), self.allow_insecure_http)?;
        }
        let mut default_headers = HeaderMap::new();
        default_headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        default_headers.insert(
            USER_AGENT,
            HeaderValue::from_str(&self.user_agent)
                .map_err(|_| Error::Config("the user agent is not a valid header value".into()))?,
        );
        let base_headers = default_headers.clone();
        default_headers.extend(crate::auth::static_headers(&self.auth)?);
        let http = match self.http_client {
            Some(client) => client,
            None => build_http_client(self.connect_timeout)?,
        };
        let limiter = match self.limiter {
            // A shared limiter learns whose budget it keeps (see `RateLimiter::bind`).
            Some(limiter) => limiter
                .bind(
                    &CredentialScope::new(self.provider, &self.auth),
                    self.rate_limit,
                )
                .unwrap_or(limiter),
            None => Arc::new(InMemoryRateLimiter::new(self.rate_limit)),
        };
        let static_urls = crate::transport::static_urls(&base_url, self.operations);
        Ok(Transport {
            inner: Arc::new(Inner {
                provider: self.provider,
                static_urls,
                base_url,
                default_headers,
                base_headers,
                auth: self.auth,
                rate_limit: self.rate_limit,
                request_timeout: self.request_timeout,
                call_timeout: self.call_timeout,
                max_response_bytes: self.max_response_bytes,
                max_server_pause: self.max_server_pause,
                retry: self.retry,
                budget: Arc::default(),
                limiter,
                decoder: self.decoder,
                interceptor: self.interceptor,
                http,
            }),
        })
    }
}

/// Parses the base URL and refuses plain `http://` to anything but loopback.
fn check_base_url(raw: &str, allow_insecure_http: bool) -> Result<Url> {
    let mut url =
        Url::parse(raw).map_err(|e| Error::Config(format!("invalid base URL `{raw}`: {e}")))?;
    check_scheme(&url, allow_insecure_http)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(
            "the base URL must not carry a query or fragment".into(),
        ));
    }
    // Paths are appended to the base path: keep it without a trailing slash.
    let trimmed = url.path().trim_end_matches('/').to_owned();
    url.set_path(&trimmed);
    Ok(url)
}

/// Refuses plain `http://` to anything but loopback (credentials would travel in clear text).
fn check_scheme(url: &Url, allow_insecure_http: bool) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure_http || is_loopback(url) => Ok(()),
        "http" => Err(Error::Config(format!(
            "refusing plain http:// to `{}`: credentials would travel unencrypted \
             (use https, a loopback address, or allow_insecure_http(true))",
            url.host_str().unwrap_or_default()
        ))),
        other => Err(Error::Config(format!("unsupported URL scheme `{other}`"))),
    }
}

/// True when `url`'s host is `localhost` or a loopback address (127.0.0.0/8, `::1`): the
/// hosts plain `http://` is accepted for.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

fn build_http_client(connect_timeout: Duration) -> Result<reqwest::Client> {
    crate::tls::install_default_provider();
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        // The transport follows redirects itself (`redirect.rs`): whether one may be followed
        // depends on the request's side effect, which reqwest's policy never sees.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_without_path_parameters_gets_the_url_a_call_would_build() {
        const fn op(path: &'static str) -> crate::spec::OperationSpec {
            crate::spec::OperationSpec {
                id: "op",
                method: reqwest::Method::GET,
                path,
                idempotency: crate::Idempotency::Safe,
                credentials: &[],
                scopes: &[],
                idempotency_key_header: None,
                moves_money: false,
                unconfirmed: false,
                unconfirmed_body: false,
                empty_response: false,
                pagination: None,
                parameters: &[],
            }
        }
        static SMS: crate::spec::OperationSpec = op("/sms/notification/send");
        static BARE: crate::spec::OperationSpec = op("status");
        static ITEM: crate::spec::OperationSpec = op("/items/{id}");
        static OPERATIONS: &[&crate::spec::OperationSpec] = &[&SMS, &BARE, &ITEM];
        for base in [
            "https://api.example.com/v2",
            "https://api.example.com/v2/",
            "http://127.0.0.1:9000",
        ] {
            let transport = Transport::builder("x", base)
                .operations(OPERATIONS)
                .build()
                .expect("transport");
            let plain = Transport::builder("x", base).build().expect("transport");
            assert_eq!(transport.inner.static_urls.len(), 2, "not `/items/{{id}}`");
            for spec in [&SMS, &BARE] {
                let request = crate::Request::of(spec);
                let url = transport.url(&request).expect("url");
                assert_eq!(
                    url,
                    plain.url(&request).expect("url"),
                    "{base} {}",
                    spec.path
                );
            }
            let with_query = crate::Request::of(&SMS).query("q", "a b");
            assert_eq!(
                transport.url(&with_query).expect("url"),
                plain.url(&with_query).expect("url")
            );
            assert!(
                transport
                    .url(&with_query)
                    .expect("url")
                    .as_str()
                    .ends_with("?q=a+b")
            );
        }
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            check_base_url("https://api.netfinity.bg/v2/", false)
                .expect("https")
                .as_str(),
            "https://api.netfinity.bg/v2"
        );
        for ok in [
            "http://127.0.0.1:8080/x",
            "http://localhost:1/",
            "http://[::1]:9/",
            "http://127.8.9.10/",
        ] {
            assert!(check_base_url(ok, false).is_ok(), "{ok}");
        }
        let err = check_base_url("http://api.netfinity.bg/v2", false).expect_err("insecure");
        assert!(err.to_string().contains("refusing plain http://"), "{err}");
        assert!(check_base_url("http://api.netfinity.bg/v2", true).is_ok());
        assert!(check_base_url("http://10.0.0.1/", false).is_err());
        assert!(check_base_url("ftp://example.com/", false).is_err());
        assert!(check_base_url("not a url", false).is_err());
        assert!(check_base_url("https://a.example/?q=1", false).is_err());
    }
}
