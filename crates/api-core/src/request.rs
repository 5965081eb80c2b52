//! A request as a provider operation describes it, before any credential or base URL, and
//! how a provider's generated request builders send it: the provider's client implements
//! [`Execute`] (its policy: which transport, which headers), and every builder's `send` goes
//! through [`send`] (`paginate`, through [`pages`](crate::pages)).
//!
//! A builder checks its inputs when it turns into an [`Operation`]; a failed check is answered
//! by [`send`] without a request. Per-call settings ([`CallSettings`]) attach to the operation
//! between the two ([`configure`]), so they need no change to the providers.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

use bytes::Bytes;
use futures_util::future::Either;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::decode::Response;
use crate::error::{Error, Result};
use crate::spec::OperationSpec;

/// Whether repeating a request can repeat its effect. It decides what the client may retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads nothing but state: always safe to repeat.
    Safe,
    /// Repeating it leaves the same state (PUT, DELETE).
    Idempotent,
    /// Repeating it may act twice (send an SMS, capture a payment). Retried only when the
    /// server cannot have acted on it, or when it carries an idempotency key.
    SideEffect,
}

/// The body of a request.
#[derive(Clone, Default)]
pub enum Body {
    /// No body.
    #[default]
    None,
    /// `application/json`.
    Json(Bytes),
    /// `application/x-www-form-urlencoded`.
    Form(Bytes),
}

impl fmt::Debug for Body {
    // Bodies can hold personal data or form-encoded secrets: show their size, not their bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::None => f.write_str("None"),
            Body::Json(b) => write!(f, "Json({} bytes)", b.len()),
            Body::Form(b) => write!(f, "Form({} bytes)", b.len()),
        }
    }
}

/// One HTTP request of a provider operation, relative to the client's base URL.
///
/// ```
/// use api_core::{Idempotency, Method, Request};
///
/// let request = Request::new(Method::GET, "/customers/{id}/licences")
///     .operation("list_licences")
///     .path_param("id", "a/b")?
///     .query("limit", 50);
/// assert_eq!(request.path(), "/customers/a%2Fb/licences");
/// assert_eq!(request.idempotency_class(), Idempotency::Safe);
/// # Ok::<(), api_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Request {
    pub(crate) method: Method,
    pub(crate) path_template: &'static str,
    /// The template until a parameter is filled in: most paths never allocate.
    pub(crate) path: Cow<'static, str>,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Body,
    pub(crate) headers: HeaderMap,
    pub(crate) idempotency: Idempotency,
    // Inline up to 23 bytes: only its presence is read, and a `String` would cost an
    // allocation per call.
    pub(crate) idempotency_key: Option<smol_str::SmolStr>,
    pub(crate) operation: &'static str,
    pub(crate) allow_empty_response: bool,
    pub(crate) spec: Option<&'static OperationSpec>,
    /// Per-call overrides of the client's settings; boxed, as most calls have none.
    pub(crate) settings: Option<Box<CallSettings>>,
}

/// Per-call overrides of a client's transport settings: a request builder's `.timeout(..)`,
/// `.max_attempts(..)` and `.max_wait(..)` set them; unset fields keep the client's.
///
/// ```
/// use std::time::Duration;
/// use api_core::{CallSettings, Method, Request};
///
/// let request = Request::new(Method::GET, "/items")
///     .settings(CallSettings::default().timeout(Duration::from_secs(2)).max_attempts(1));
/// assert_eq!(request.call_settings().and_then(|s| s.timeout), Some(Duration::from_secs(2)));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallSettings {
    /// The whole call's time limit, every attempt and wait included (the client's
    /// `request_timeout` otherwise).
    pub timeout: Option<std::time::Duration>,
    /// The most attempts, the first included (the client's `RetryConfig::max_attempts`
    /// otherwise). A side effect is still repeated only when the server cannot have acted.
    pub max_attempts: Option<u32>,
    /// The longest wait for a rate limit, local or the server's `Retry-After` (the client's
    /// `RetryConfig::max_rate_limit_wait` otherwise).
    pub max_wait: Option<std::time::Duration>,
}

impl CallSettings {
    /// The same, with the call's time limit.
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The same, with the most attempts (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts.max(1));
        self
    }

    /// The same, with the longest rate-limit wait.
    pub fn max_wait(mut self, wait: std::time::Duration) -> Self {
        self.max_wait = Some(wait);
        self
    }

    /// True when nothing is overridden.
    pub fn is_empty(&self) -> bool {
        *self == CallSettings::default()
    }
}

/// Characters escaped in a path segment: everything but RFC 3986 unreserved characters.
/// `.` is left as it is: only the segments `.` and `..` mean something, and those are refused.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'$')
    .add(b'%')
    .add(b'&')
    .add(b'\'')
    .add(b'(')
    .add(b')')
    .add(b'*')
    .add(b'+')
    .add(b',')
    .add(b'/')
    .add(b':')
    .add(b';')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?')
    .add(b'@')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

impl Request {
    /// The same, with per-call overrides of the client's settings (none when `settings` is
    /// empty).
    pub fn settings(mut self, settings: CallSettings) -> Self {
        self.settings = (!settings.is_empty()).then(|| Box::new(settings));
        self
    }

    /// The per-call overrides, when any.
    pub fn call_settings(&self) -> Option<&CallSettings> {
        self.settings.as_deref()
    }

    /// A request for `path_template` (relative to the base URL, `{name}` marks a parameter).
    /// Its idempotency class follows from the method until [`Request::idempotency`] says otherwise.
    pub fn new(method: Method, path_template: &'static str) -> Self {
        let idempotency = match method {
            Method::GET | Method::HEAD | Method::OPTIONS => Idempotency::Safe,
            Method::PUT | Method::DELETE => Idempotency::Idempotent,
            _ => Idempotency::SideEffect,
        };
        Self {
            method,
            path_template,
            path: Cow::Borrowed(path_template),
            query: Vec::new(),
            body: Body::None,
            headers: HeaderMap::new(),
            idempotency,
            idempotency_key: None,
            operation: path_template,
            allow_empty_response: false,
            spec: None,
            settings: None,
        }
    }

    /// A request for a generated operation: its method, path template, name, idempotency
    /// class and empty-response rule come from `spec`, which [`Request::spec`] returns.
    pub fn of(spec: &'static OperationSpec) -> Self {
        Self {
            method: spec.method.clone(),
            path_template: spec.path,
            path: Cow::Borrowed(spec.path),
            query: Vec::new(),
            body: Body::None,
            headers: HeaderMap::new(),
            idempotency: spec.idempotency,
            idempotency_key: None,
            operation: spec.id,
            allow_empty_response: spec.empty_response,
            spec: Some(spec),
            settings: None,
        }
    }

    /// What the spec says about the operation, for a request built by [`Request::of`].
    pub fn spec(&self) -> Option<&'static OperationSpec> {
        self.spec
    }

    /// Names the operation in spans and errors (the spec's `operationId`).
    pub fn operation(mut self, name: &'static str) -> Self {
        self.operation = name;
        self
    }

    /// Sets the idempotency class.
    pub fn idempotency(mut self, class: Idempotency) -> Self {
        self.idempotency = class;
        self
    }

    /// Attaches an idempotency key: the server deduplicates on it, so the client may retry
    /// a side effect. Providers that send the key in a header add that header themselves.
    pub fn idempotency_key(mut self, key: impl AsRef<str>) -> Self {
        self.idempotency_key = Some(smol_str::SmolStr::new(key));
        self
    }

    /// Fills the `{name}` placeholder with `value`, percent-encoded as one segment, so an id
    /// holding `/`, `?`, `#`, `%` or `..` can never change the path's structure.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `value` is empty, `.` or `..`; [`Error::Config`] when the
    /// template has no such placeholder.
    pub fn path_param(mut self, name: &str, value: &str) -> Result<Self> {
        if value.trim().is_empty() {
            return Err(Error::invalid_input(name, "must not be empty"));
        }
        // URL parsers (the `url` crate included) and servers read `%2E` and `%2E%2E` as the
        // dot segments and remove them with their parent: no encoding of these is safe.
        if value == "." || value == ".." {
            return Err(Error::invalid_input(
                name,
                format!("`{value}` cannot be a path segment"),
            ));
        }
        // A plain scan for `{name}`: a formatted pattern and `str::replace` cost more than the
        // rest of building a request (measured, docs/performance.md).
        let placeholder = |path: &str| {
            path.match_indices('{').map(|(at, _)| at).find(|&at| {
                path.get(at.saturating_add(1)..)
                    .and_then(|after| after.strip_prefix(name))
                    .is_some_and(|rest| rest.starts_with('}'))
            })
        };
        // One pass over the path: what is copied in is never searched again, so a value
        // holding `{name}` stays text.
        let mut filled = String::with_capacity(self.path.len().saturating_add(value.len()));
        let mut rest: &str = &self.path;
        let mut found = false;
        while let Some(at) = placeholder(rest) {
            filled.push_str(&rest[..at]);
            filled.extend(utf8_percent_encode(value, SEGMENT));
            // `{name}` was found at `at`: its end is within `rest`.
            rest = rest
                .get(at.saturating_add(name.len()).saturating_add(2)..)
                .unwrap_or_default();
            found = true;
        }
        if !found {
            return Err(Error::Config(format!(
                "path `{}` has no parameter `{name}`",
                self.path_template
            )));
        }
        filled.push_str(rest);
        self.path = Cow::Owned(filled);
        Ok(self)
    }

    /// Appends a query parameter (encoded when the URL is built).
    pub fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    /// Sets a JSON body.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `body` cannot be serialized (a map with non-string keys, ...).
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::invalid_input("body", format!("cannot encode as JSON: {e}")))?;
        self.body = Body::Json(Bytes::from(bytes));
        Ok(self)
    }

    /// Sets an `application/x-www-form-urlencoded` body.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `body` is not a flat map or struct of scalars.
    pub fn form<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self> {
        let text = crate::form::to_string(body)
            .map_err(|e| Error::invalid_input("body", format!("cannot form-encode: {e}")))?;
        self.body = Body::Form(Bytes::from(text));
        Ok(self)
    }

    /// Adds a header to this request only (credentials belong to the client's auth, not here).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Lets an empty 2xx body decode as `{}`, for endpoints whose success body is optional.
    pub fn allow_empty_response(mut self) -> Self {
        self.allow_empty_response = true;
        self
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path with its parameters encoded, relative to the base URL.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path as the operation declares it, with `{placeholders}` (used in spans: it holds
    /// no ids).
    pub fn path_template(&self) -> &'static str {
        self.path_template
    }

    /// The operation name.
    pub fn operation_name(&self) -> &'static str {
        self.operation
    }

    /// The idempotency class.
    pub fn idempotency_class(&self) -> Idempotency {
        self.idempotency
    }

    /// The idempotency key, if one was attached.
    pub fn idempotency_key_value(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }

    /// The query parameters, in order.
    pub fn query_pairs(&self) -> &[(&'static str, String)] {
        &self.query
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }
}

/// A [`Request`] that knows the type its successful response decodes into.
///
/// Generated operation functions return one, so a caller cannot decode a response into
/// the wrong model.
pub struct Operation<T> {
    request: Request,
    _response: PhantomData<fn() -> T>,
}

impl<T> Operation<T> {
    /// Wraps a request whose 2xx body decodes into `T`.
    pub fn new(request: Request) -> Self {
        Self {
            request,
            _response: PhantomData,
        }
    }

    /// The request.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Changes the request (to add an idempotency key or a header) and keeps the response type.
    pub fn map_request(self, f: impl FnOnce(Request) -> Request) -> Self {
        Self::new(f(self.request))
    }

    /// The request, giving up the response type.
    pub fn into_request(self) -> Request {
        self.request
    }
}

impl<T> fmt::Debug for Operation<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Operation").field(&self.request).finish()
    }
}

// How a builder's operation reaches the network: the provider's client executes it.

/// A provider's client, as its generated request builders see it.
///
/// ```
/// use api_core::{Execute, Operation, Response, Result, Transport};
///
/// #[derive(Clone)]
/// struct Client { transport: Transport }
///
/// impl Execute for Client {
///     fn execute<T: serde::de::DeserializeOwned + Send + 'static>(
///         &self,
///         operation: Operation<T>,
///     ) -> impl Future<Output = Result<Response<T>>> + Send {
///         // A provider adds its policy here: a reference header, a choice of token.
///         self.transport.execute(operation)
///     }
/// }
/// ```
pub trait Execute: Clone + Send + Sync + 'static {
    /// Sends `operation` with the provider's policy and decodes its answer.
    fn execute<T: DeserializeOwned + Send + 'static>(
        &self,
        operation: Operation<T>,
    ) -> impl Future<Output = Result<Response<T>>> + Send;
}

/// Sends a checked operation, or answers the check's error without a request.
///
/// A plain function returning the client's future, not an `async fn`: an async wrapper keeps
/// its arguments in its state next to the future it awaits (the transport explains the cost).
pub fn send<C: Execute, T: DeserializeOwned + Send + 'static>(
    client: &C,
    operation: Result<Operation<T>>,
) -> impl Future<Output = Result<Response<T>>> + Send + '_ {
    match operation {
        Ok(operation) => Either::Left(client.execute(operation)),
        Err(error) => Either::Right(std::future::ready(Err(error))),
    }
}

/// The operation with a builder's per-call settings (unchanged when there are none).
pub fn configure<T>(
    operation: Result<Operation<T>>,
    settings: CallSettings,
) -> Result<Operation<T>> {
    if settings.is_empty() {
        return operation;
    }
    operation.map(|operation| operation.map_request(|request| request.settings(settings)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(value: &str) -> String {
        Request::new(Method::GET, "/a/{id}/b")
            .path_param("id", value)
            .expect("valid")
            .path
            .into_owned()
    }

    #[test]
    fn path_params_cannot_change_the_path_structure() {
        assert_eq!(encoded("abc-1_2.3~"), "/a/abc-1_2.3~/b");
        assert_eq!(encoded("x/y"), "/a/x%2Fy/b");
        assert_eq!(encoded("..."), "/a/.../b");
        assert_eq!(encoded(".%2E"), "/a/.%252E/b");
        assert_eq!(encoded("a?b#c%d"), "/a/a%3Fb%23c%25d/b");
        assert_eq!(encoded("a b"), "/a/a%20b/b");
        assert_eq!(encoded("ж"), "/a/%D0%B6/b");
    }

    #[test]
    fn path_params_fill_every_placeholder_of_their_name_only() {
        let request = Request::new(Method::GET, "/{idx}/{id}/x/{id}")
            .path_param("id", "{idx}")
            .and_then(|r| r.path_param("idx", "7"))
            .expect("valid");
        assert_eq!(request.path, "/7/%7Bidx%7D/x/%7Bidx%7D");
    }

    #[test]
    fn empty_path_params_are_invalid_input() {
        let err = Request::new(Method::GET, "/a/{id}")
            .path_param("id", " ")
            .expect_err("empty");
        assert_eq!(err.to_string(), "invalid `id`: must not be empty");
    }

    #[test]
    fn dot_segments_are_invalid_input() {
        // `url` (and any server) would read even `%2E%2E` as `..` and drop the parent.
        for dots in [".", ".."] {
            let err = Request::new(Method::GET, "/a/{id}/b")
                .path_param("id", dots)
                .expect_err("dot segment");
            assert_eq!(
                err.to_string(),
                format!("invalid `id`: `{dots}` cannot be a path segment")
            );
        }
    }

    #[test]
    fn unknown_placeholder_is_a_config_error() {
        let err = Request::new(Method::GET, "/a/{id}")
            .path_param("other", "x")
            .expect_err("unknown");
        assert!(matches!(err, Error::Config(_)));
    }

    #[test]
    fn idempotency_follows_the_method() {
        assert_eq!(
            Request::new(Method::GET, "/").idempotency,
            Idempotency::Safe
        );
        assert_eq!(
            Request::new(Method::PUT, "/").idempotency,
            Idempotency::Idempotent
        );
        assert_eq!(
            Request::new(Method::DELETE, "/").idempotency,
            Idempotency::Idempotent
        );
        assert_eq!(
            Request::new(Method::POST, "/").idempotency,
            Idempotency::SideEffect
        );
        assert_eq!(
            Request::new(Method::PATCH, "/").idempotency,
            Idempotency::SideEffect
        );
    }

    #[test]
    fn bodies_encode_and_debug_hides_them() {
        let r = Request::new(Method::POST, "/")
            .json(&serde_json::json!({"secret": "s3cr3t"}))
            .expect("json");
        assert!(matches!(&r.body, Body::Json(b) if &b[..] == br#"{"secret":"s3cr3t"}"#));
        assert!(!format!("{r:?}").contains("s3cr3t"));
        let r = Request::new(Method::POST, "/")
            .form(&[("grant_type", "client_credentials"), ("scope", "a b")])
            .expect("form");
        assert!(
            matches!(&r.body, Body::Form(b) if &b[..] == b"grant_type=client_credentials&scope=a+b")
        );
    }
}
