//! The one error type every client returns, and its classification.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::time::Duration;

use reqwest::StatusCode;

use crate::rate_limit::RateLimitInfo;
pub use crate::validate::InvalidInput;
use crate::validate::Rule;

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Per-field validation messages as a provider reports them (`{"field": ["message", ...]}`).
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// Everything that can go wrong with a call.
///
/// Large variants are boxed so that `Result<T, Error>` stays small on the happy path.
///
/// `Display` and `source` are written out by hand rather than derived with `thiserror`,
/// whose proc-macro cost about 1.2 s of every provider's clean build for these few
/// impls. The boxed variants are transparent: they print as, and have the `source` of,
/// the error they hold.
///
/// Errors carry text a server chose, and a misbehaving server can send megabytes of it. No
/// error's `Display` is longer than [`Error::DISPLAY_LIMIT`] bytes, nor its `Debug` (`{:?}`
/// and `{:#?}`) than [`Error::DEBUG_LIMIT`]: each keeps the start of every text and marks a
/// cut with `… [+N bytes]` (N, the bytes left out). The per-text limits are
/// [`ApiError::TEXT_LIMIT`], [`DecodeError::TEXT_LIMIT`], [`InvalidInput::TEXT_LIMIT`] and
/// [`Error::TEXT_LIMIT`].
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status (or an error body the provider treats as one).
    Api(Box<ApiError>),
    /// The request could not be sent or the response could not be read.
    Transport(Box<TransportError>),
    /// An attempt or the whole call ran past its deadline.
    Timeout {
        /// What ran out of time: `"request"` (one attempt) or `"call"` (all attempts and waits).
        what: &'static str,
        /// How long it ran.
        elapsed: Duration,
    },
    /// A 2xx body did not match the expected model.
    Decode(Box<DecodeError>),
    /// The caller's input was rejected before anything was sent.
    InvalidInput(Box<InvalidInput>),
    /// Credentials could not be obtained (for example, the OAuth2 token request failed).
    ///
    /// `Display` and `Debug` show at most [`Error::TEXT_LIMIT`] bytes of the text.
    Auth(String),
    /// The client is misconfigured (bad base URL, plain `http://` to a remote host, ...).
    ///
    /// `Display` and `Debug` show at most [`Error::TEXT_LIMIT`] bytes of the text.
    Config(String),
    /// The client-side rate limiter would have to wait longer than the configured maximum.
    RateLimited {
        /// How long until a request would be admitted.
        retry_after: Duration,
    },
    /// The response body was larger than the configured maximum; the rest was not read.
    ResponseTooLarge {
        /// The configured limit in bytes.
        limit: u64,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => fmt::Display::fmt(e, f),
            Error::Transport(e) => fmt::Display::fmt(e, f),
            Error::Decode(e) => fmt::Display::fmt(e, f),
            Error::InvalidInput(e) => fmt::Display::fmt(e, f),
            Error::Timeout { what, elapsed } => {
                write!(f, "{what} timed out after {}ms", elapsed.as_millis())
            }
            // The text may quote a token endpoint's answer: bounded here as a safety net for
            // every place that builds one.
            Error::Auth(message) => write!(
                f,
                "authentication failed: {}",
                Clipped::new(message, Self::TEXT_LIMIT)
            ),
            Error::Config(message) => write!(
                f,
                "configuration error: {}",
                Clipped::new(message, Self::TEXT_LIMIT)
            ),
            Error::RateLimited { retry_after } => write!(
                f,
                "rate limited: the next slot is {}ms away, more than the configured maximum wait",
                retry_after.as_millis()
            ),
            Error::ResponseTooLarge { limit } => {
                write!(f, "response body exceeds the {limit}-byte limit")
            }
        }
    }
}

/// Written by hand: a derived `Debug` would print an `Auth` or `Config` text whole.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        capped_debug(f, Error::DEBUG_LIMIT, |f| match self {
            Error::Api(e) => f.debug_tuple("Api").field(e).finish(),
            Error::Transport(e) => f.debug_tuple("Transport").field(e).finish(),
            Error::Timeout { what, elapsed } => f
                .debug_struct("Timeout")
                .field("what", what)
                .field("elapsed", elapsed)
                .finish(),
            Error::Decode(e) => f.debug_tuple("Decode").field(e).finish(),
            Error::InvalidInput(e) => f.debug_tuple("InvalidInput").field(e).finish(),
            Error::Auth(message) => f
                .debug_tuple("Auth")
                .field(&Clipped::new(message, Self::TEXT_LIMIT))
                .finish(),
            Error::Config(message) => f
                .debug_tuple("Config")
                .field(&Clipped::new(message, Self::TEXT_LIMIT))
                .finish(),
            Error::RateLimited { retry_after } => f
                .debug_struct("RateLimited")
                .field("retry_after", retry_after)
                .finish(),
            Error::ResponseTooLarge { limit } => f
                .debug_struct("ResponseTooLarge")
                .field("limit", limit)
                .finish(),
        })
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Api(e) => std::error::Error::source(e.as_ref()),
            Error::Transport(e) => std::error::Error::source(e.as_ref()),
            Error::Decode(e) => std::error::Error::source(e.as_ref()),
            Error::InvalidInput(e) => std::error::Error::source(e.as_ref()),
            Error::Timeout { .. }
            | Error::Auth(_)
            | Error::Config(_)
            | Error::RateLimited { .. }
            | Error::ResponseTooLarge { .. } => None,
        }
    }
}

impl Error {
    /// The most bytes of an [`Error::Auth`] or [`Error::Config`] text that `Display` and
    /// `Debug` show.
    pub const TEXT_LIMIT: usize = 1024;
    /// The most bytes the `Display` of any error in this module writes (including its cut
    /// marker).
    pub const DISPLAY_LIMIT: usize = 4096;
    /// The most bytes the `Debug` (`{:?}` or `{:#?}`) of any error in this module writes
    /// (including its cut marker).
    pub const DEBUG_LIMIT: usize = 8192;

    /// Builds an [`Error::InvalidInput`] naming the offending field; each text is kept to
    /// [`InvalidInput::TEXT_LIMIT`] bytes.
    pub fn invalid_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        InvalidInput::new(field, Rule::Other, message).into()
    }

    /// The input error, when this is an [`Error::InvalidInput`].
    pub fn invalid_input_details(&self) -> Option<&InvalidInput> {
        match self {
            Error::InvalidInput(invalid) => Some(invalid),
            _ => None,
        }
    }

    /// The input error, when this is an [`Error::InvalidInput`]; `Err(self)` otherwise.
    ///
    /// # Errors
    /// The error itself when it is another variant.
    pub fn into_invalid_input(self) -> std::result::Result<InvalidInput, Error> {
        match self {
            Error::InvalidInput(invalid) => Ok(*invalid),
            other => Err(other),
        }
    }

    /// The error kind for API errors, `None` for every other variant.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            Error::Api(e) => Some(e.kind.clone()),
            _ => None,
        }
    }

    /// The API error, if the server answered with one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<StatusCode> {
        self.as_api().map(|e| e.status)
    }

    /// True for errors that a safe or idempotent request may be retried after:
    /// connection failures, timeouts, 429 and 502/503/504.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.kind.is_retryable(),
            Error::Transport(_) | Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// True when the server (or the client-side limiter) refused the call for going too fast.
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Error::Api(e) => e.kind == ErrorKind::TooManyRequests,
            Error::RateLimited { .. } => true,
            _ => false,
        }
    }

    /// How long the server (or the limiter) asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(e) => e.retry_after,
            Error::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// Per-field validation messages, empty unless the server reported some.
    pub fn field_errors(&self) -> Option<&FieldErrors> {
        self.as_api()
            .map(|e| &e.field_errors)
            .filter(|f| !f.is_empty())
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

/// What an error status means, independent of the provider's spelling of it.
///
/// Providers refine the kind from the body where their API is unusual (for example a
/// 500 that is really a validation failure, or a 403 that is really a rate limit).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400
    BadRequest,
    /// 401
    Unauthorized,
    /// 403
    Forbidden,
    /// 404
    NotFound,
    /// 405
    MethodNotAllowed,
    /// 406
    NotAcceptable,
    /// 409
    Conflict,
    /// 422, or any status a provider uses for field validation.
    Validation,
    /// 429, or any status a provider uses for "slow down".
    TooManyRequests,
    /// 500
    InternalServerError,
    /// 502
    BadGateway,
    /// 503
    ServiceUnavailable,
    /// 504
    GatewayTimeout,
    /// A redirect the client refused to follow (another host, or a downgrade to `http://`),
    /// because it would have carried credentials there.
    RedirectRefused,
    /// A provider-specific condition with its own name (for example `"license_already_suspended"`).
    Provider(&'static str),
    /// Any other status.
    Other,
}

impl ErrorKind {
    /// The kind for a bare HTTP status.
    pub fn from_status(status: StatusCode) -> Self {
        match status.as_u16() {
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            406 => Self::NotAcceptable,
            409 => Self::Conflict,
            422 => Self::Validation,
            429 => Self::TooManyRequests,
            500 => Self::InternalServerError,
            502 => Self::BadGateway,
            503 => Self::ServiceUnavailable,
            504 => Self::GatewayTimeout,
            300..=399 => Self::RedirectRefused,
            _ => Self::Other,
        }
    }

    /// True for the kinds a safe or idempotent request may be retried after.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::TooManyRequests
                | Self::BadGateway
                | Self::ServiceUnavailable
                | Self::GatewayTimeout
        )
    }
}

/// An error answer from the server, decoded as far as the provider's error format allows.
///
/// Its texts are the server's, whatever their size, until [`ApiError::bound`] cuts them to
/// [`ApiError::TEXT_LIMIT`] bytes each and keeps [`ApiError::FIELD_ERRORS_LIMIT`] field
/// messages; the transport does so once the provider's decoder is done. `Display` and `Debug`
/// apply the same limits to an error built any other way, and never write more than
/// [`Error::DISPLAY_LIMIT`] and [`Error::DEBUG_LIMIT`] bytes.
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The provider whose server answered (`"netfinity"`, ...).
    pub provider: &'static str,
    /// The operation that was called.
    pub operation: &'static str,
    /// HTTP status.
    pub status: StatusCode,
    /// What the status (and the body, where the provider knows better) means.
    pub kind: ErrorKind,
    /// The provider's own error code, when it sends one.
    pub code: Option<String>,
    /// The provider's human-readable message, when it sends one.
    pub message: Option<String>,
    /// Per-field validation messages.
    pub field_errors: FieldErrors,
    /// How long the server asked us to wait (`Retry-After`), when it said.
    pub retry_after: Option<Duration>,
    /// `X-RateLimit-*` headers of the response, when present.
    pub rate_limit: Option<RateLimitInfo>,
    /// The server's request id (`X-Request-Id` and similar), for support tickets.
    pub request_id: Option<String>,
    /// The start of the body (at most [`ApiError::EXCERPT_LIMIT`] bytes, lossy UTF-8, and a
    /// `…` when the body was longer).
    pub body_excerpt: String,
    /// How many field messages [`ApiError::bound`] left out of
    /// [`field_errors`](ApiError::field_errors), beyond [`ApiError::FIELD_ERRORS_LIMIT`] (a
    /// field without messages counts as one).
    pub field_errors_omitted: usize,
}

impl ApiError {
    /// The most bytes of an error body kept in [`ApiError::body_excerpt`].
    pub const EXCERPT_LIMIT: usize = 1024;
    /// The most bytes [`ApiError::bound`] keeps of each server text: the code, the message,
    /// the request id, and each field name and field message (the cut marker included).
    pub const TEXT_LIMIT: usize = 512;
    /// The most field messages [`ApiError::bound`] keeps, counted over all fields in
    /// [`FieldErrors`]' order (by field name); a field without messages counts as one.
    pub const FIELD_ERRORS_LIMIT: usize = 16;

    /// A bare error for `status`, before any provider-specific decoding.
    pub fn new(provider: &'static str, operation: &'static str, status: StatusCode) -> Self {
        Self {
            provider,
            operation,
            status,
            kind: ErrorKind::from_status(status),
            code: None,
            message: None,
            field_errors: FieldErrors::new(),
            retry_after: None,
            rate_limit: None,
            request_id: None,
            body_excerpt: String::new(),
            field_errors_omitted: 0,
        }
    }
}

impl ApiError {
    /// Appends `note` to the message, or makes it the message when there is none (a decoder
    /// adding what it knows, such as "this path is a guess").
    ///
    /// The server's message is cut first, so that the message with the note fits
    /// [`ApiError::TEXT_LIMIT`] and [`ApiError::bound`] leaves the note whole.
    pub fn add_note(&mut self, note: &str) {
        self.message = Some(match self.message.take() {
            Some(mut message) if !message.is_empty() => {
                bound_in_place(
                    &mut message,
                    Self::TEXT_LIMIT.saturating_sub(note.len().saturating_add(1)),
                );
                message.push(' ');
                message.push_str(note);
                message
            }
            _ => note.to_owned(),
        });
    }

    /// Cuts the server's texts to their documented limits, in place: `code`, `message`,
    /// `request_id` and each field name and message to [`ApiError::TEXT_LIMIT`] bytes,
    /// `body_excerpt` to [`ApiError::EXCERPT_LIMIT`] (and its `…`), and the field messages to
    /// the first [`ApiError::FIELD_ERRORS_LIMIT`], counting the rest in
    /// [`field_errors_omitted`](ApiError::field_errors_omitted).
    ///
    /// Each cut text keeps its start, cut on a character boundary, and ends with
    /// `… [+N bytes]`. Field names that become equal when cut are merged. Calling it again
    /// changes nothing, and an error within the limits is left as it is, without allocating.
    ///
    /// The transport calls it on every error answer after the provider's
    /// [`ErrorDecoder`](crate::ErrorDecoder), so that an application which logs `message` or
    /// `field_errors` itself is bounded too.
    pub fn bound(&mut self) {
        for text in [&mut self.code, &mut self.message, &mut self.request_id]
            .into_iter()
            .flatten()
        {
            bound_in_place(text, Self::TEXT_LIMIT);
        }
        bound_in_place(&mut self.body_excerpt, EXCERPT_TEXT_LIMIT);
        let within = field_weight(&self.field_errors) <= Self::FIELD_ERRORS_LIMIT
            && self
                .field_errors
                .keys()
                .all(|k| k.len() <= Self::TEXT_LIMIT);
        if within {
            for message in self.field_errors.values_mut().flatten() {
                bound_in_place(message, Self::TEXT_LIMIT);
            }
            return;
        }
        let mut room = Self::FIELD_ERRORS_LIMIT;
        let mut kept = FieldErrors::new();
        for (mut field, mut messages) in std::mem::take(&mut self.field_errors) {
            if room == 0 {
                self.field_errors_omitted = self
                    .field_errors_omitted
                    .saturating_add(messages.len().max(1));
                continue;
            }
            if messages.len() > room {
                self.field_errors_omitted = self
                    .field_errors_omitted
                    .saturating_add(messages.len().saturating_sub(room));
                messages.truncate(room);
            }
            room = room.saturating_sub(messages.len().max(1));
            bound_in_place(&mut field, Self::TEXT_LIMIT);
            for message in &mut messages {
                bound_in_place(message, Self::TEXT_LIMIT);
            }
            kept.entry(field).or_default().extend(messages);
        }
        self.field_errors = kept;
    }

    /// The `Display` text, into a writer that enforces the overall limit.
    fn write_display(&self, out: &mut impl fmt::Write) -> fmt::Result {
        let clip = |text| Clipped::new(text, Self::TEXT_LIMIT);
        write!(
            out,
            "{} {} failed with HTTP {}",
            self.provider,
            self.operation,
            self.status.as_u16()
        )?;
        if let Some(code) = &self.code {
            write!(out, " [{}]", clip(code))?;
        }
        if let Some(message) = &self.message {
            write!(out, ": {}", clip(message))?;
        }
        // The same selection as `bound`, so that both print alike.
        let mut room = Self::FIELD_ERRORS_LIMIT;
        let mut omitted = self.field_errors_omitted;
        for (field, messages) in &self.field_errors {
            if room == 0 {
                omitted = omitted.saturating_add(messages.len().max(1));
                continue;
            }
            let shown = &messages[..messages.len().min(room)];
            omitted = omitted.saturating_add(messages.len().saturating_sub(shown.len()));
            room = room.saturating_sub(shown.len().max(1));
            write!(out, "; {}:", clip(field))?;
            for message in shown {
                write!(out, " {}", clip(message))?;
            }
        }
        if omitted > 0 {
            write!(out, "; … and {omitted} more field messages")?;
        }
        if let Some(wait) = self.retry_after {
            write!(out, " (retry after {}s)", wait.as_secs())?;
        }
        Ok(())
    }
}

/// The field messages as [`ApiError::FIELD_ERRORS_LIMIT`] counts them.
fn field_weight(fields: &FieldErrors) -> usize {
    fields.values().map(|m| m.len().max(1)).sum()
}

/// [`ApiError::body_excerpt`] as [`excerpt`] makes it: the limit and a `…`.
const EXCERPT_TEXT_LIMIT: usize = ApiError::EXCERPT_LIMIT + '…'.len_utf8();

/// Bounded by the same rules as [`ApiError::bound`], and to [`Error::DISPLAY_LIMIT`] bytes.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Capped::new(f, Error::DISPLAY_LIMIT);
        self.write_display(&mut out)?;
        out.finish()
    }
}

/// Written by hand so that an error built without [`ApiError::bound`] still prints at most
/// [`Error::DEBUG_LIMIT`] bytes: each text is cut as `bound` would cut it.
impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let clip = |text| Clipped::new(text, Self::TEXT_LIMIT);
        capped_debug(f, Error::DEBUG_LIMIT, |f| {
            f.debug_struct("ApiError")
                .field("provider", &self.provider)
                .field("operation", &self.operation)
                .field("status", &self.status)
                .field("kind", &self.kind)
                .field("code", &self.code.as_deref().map(clip))
                .field("message", &self.message.as_deref().map(clip))
                .field("field_errors", &FieldErrorsDebug(&self.field_errors))
                .field("field_errors_omitted", &self.field_errors_omitted)
                .field("retry_after", &self.retry_after)
                .field("rate_limit", &self.rate_limit)
                .field("request_id", &self.request_id.as_deref().map(clip))
                .field(
                    "body_excerpt",
                    &Clipped::new(&self.body_excerpt, EXCERPT_TEXT_LIMIT),
                )
                .finish()
        })
    }
}

/// The first [`ApiError::FIELD_ERRORS_LIMIT`] fields and messages, each text clipped.
struct FieldErrorsDebug<'a>(&'a FieldErrors);

impl fmt::Debug for FieldErrorsDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Messages<'a>(&'a [String]);
        impl fmt::Debug for Messages<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().map(|m| Clipped::new(m, ApiError::TEXT_LIMIT)))
                    .finish()
            }
        }
        let limit = ApiError::FIELD_ERRORS_LIMIT;
        let mut map = f.debug_map();
        for (field, messages) in self.0.iter().take(limit) {
            map.entry(
                &Clipped::new(field, ApiError::TEXT_LIMIT),
                &Messages(&messages[..messages.len().min(limit)]),
            );
        }
        map.finish()
    }
}

impl std::error::Error for ApiError {}

/// A failure to send the request or read the response.
///
/// `Display` follows the source's chain of causes (reqwest's "error sending request" is
/// followed by why, such as hyper's "invalid HTTP header parsed"): at most
/// [`TransportError::CAUSES_LIMIT`] causes, each at most [`TransportError::CAUSE_LIMIT`] bytes
/// and shown once, and at most [`Error::DISPLAY_LIMIT`] bytes in all. `Debug` is at most
/// [`Error::DEBUG_LIMIT`] bytes.
#[non_exhaustive]
pub struct TransportError {
    /// The provider being called.
    pub provider: &'static str,
    /// The operation being called.
    pub operation: &'static str,
    /// What failed.
    pub kind: TransportErrorKind,
    /// The underlying error (reqwest's messages name URLs, never headers).
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Capped::new(f, Error::DISPLAY_LIMIT);
        write!(out, "{} {}: {}", self.provider, self.operation, self.kind)?;
        // Each cause is rendered (bounded) before it is written, to skip one whose text is
        // already shown: many errors repeat their source's message in their own.
        let mut shown = String::new();
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&*self.source);
        for _ in 0..Self::CAUSES_LIMIT {
            let Some(current) = cause else { break };
            let mut text = String::new();
            let mut clipped = Capped::new(&mut text, Self::CAUSE_LIMIT);
            write!(clipped, "{current}")?;
            clipped.finish()?;
            if !text.is_empty() && !shown.contains(text.as_str()) {
                write!(out, ": {text}")?;
                shown.push_str(&text);
                shown.push('\n');
            }
            cause = current.source();
        }
        if cause.is_some() {
            out.write_str(": …")?;
        }
        out.finish()
    }
}

/// Written by hand to keep it within [`Error::DEBUG_LIMIT`]: the source is any error.
impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        capped_debug(f, Error::DEBUG_LIMIT, |f| {
            f.debug_struct("TransportError")
                .field("provider", &self.provider)
                .field("operation", &self.operation)
                .field("kind", &self.kind)
                .field("source", &self.source)
                .finish()
        })
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

impl TransportError {
    /// The most causes `Display` follows, the source included.
    pub const CAUSES_LIMIT: usize = 8;
    /// The most bytes `Display` shows of each cause (the cut marker included).
    pub const CAUSE_LIMIT: usize = 512;

    /// A transport failure of `operation` at `provider`. Also for a store an application
    /// plugs into the transport (a shared rate limiter or token cache) that cannot be
    /// reached: with [`TransportErrorKind::Connect`] it says the request never left.
    pub fn new(
        provider: &'static str,
        operation: &'static str,
        kind: TransportErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            provider,
            operation,
            kind,
            source: source.into(),
        }
    }
}

/// What stage of a transport failure it was; it decides whether a side effect may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made: the request never left, so the server cannot have acted on it.
    Connect,
    /// The connection failed after the request may have been sent.
    Request,
    /// Reading the response body failed.
    Body,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connection failed",
            Self::Request => "request failed",
            Self::Body => "reading the response failed",
        })
    }
}

/// A 2xx body that did not match the expected model.
///
/// `path` and `message` are at most [`DecodeError::TEXT_LIMIT`] bytes each, `body_excerpt`
/// at most [`ApiError::EXCERPT_LIMIT`] (and a `…`); `Display` and `Debug` show no more, even
/// of fields changed afterwards.
#[non_exhaustive]
pub struct DecodeError {
    /// The provider being called.
    pub provider: &'static str,
    /// The operation being called.
    pub operation: &'static str,
    /// The path of the failing field (`.payload.status.code`), `.` for the whole body.
    /// An over-long path keeps its start.
    pub path: String,
    /// What was wrong. An over-long message keeps its start and its last
    /// [`DecodeError::MESSAGE_TAIL`] bytes: the decoder quotes the server's value first and
    /// names what it expected and where at the end.
    pub message: String,
    /// HTTP status of the response.
    pub status: StatusCode,
    /// The start of the body (bounded, lossy UTF-8).
    pub body_excerpt: String,
}

impl DecodeError {
    /// The most bytes kept of [`DecodeError::path`] and of [`DecodeError::message`] (the cut
    /// marker included).
    pub const TEXT_LIMIT: usize = 512;
    /// The bytes an over-long [`DecodeError::message`] keeps of its end.
    pub const MESSAGE_TAIL: usize = 128;

    /// A decode error whose texts are cut to their limits; `body` is the whole response body.
    pub(crate) fn new(
        provider: &'static str,
        operation: &'static str,
        status: StatusCode,
        mut path: String,
        mut message: String,
        body: &[u8],
    ) -> Self {
        bound_in_place(&mut path, Self::TEXT_LIMIT);
        bound_middle_in_place(&mut message, Self::TEXT_LIMIT, Self::MESSAGE_TAIL);
        Self {
            provider,
            operation,
            path,
            message,
            status,
            body_excerpt: excerpt(body),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Capped::new(f, Error::DISPLAY_LIMIT);
        write!(
            out,
            "{} {}: cannot decode the response at `{}`: {}",
            self.provider,
            self.operation,
            Clipped::new(&self.path, Self::TEXT_LIMIT),
            Clipped::new(&self.message, Self::TEXT_LIMIT)
        )?;
        out.finish()
    }
}

/// Written by hand so that fields changed after construction still print bounded.
impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        capped_debug(f, Error::DEBUG_LIMIT, |f| {
            f.debug_struct("DecodeError")
                .field("provider", &self.provider)
                .field("operation", &self.operation)
                .field("path", &Clipped::new(&self.path, Self::TEXT_LIMIT))
                .field("message", &Clipped::new(&self.message, Self::TEXT_LIMIT))
                .field("status", &self.status)
                .field(
                    "body_excerpt",
                    &Clipped::new(&self.body_excerpt, EXCERPT_TEXT_LIMIT),
                )
                .finish()
        })
    }
}

impl std::error::Error for DecodeError {}

/// The first `limit` bytes of `body` as lossy UTF-8, cut on a character boundary.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(ApiError::EXCERPT_LIMIT)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if body.len() > cut.len() {
        text.push('…');
    }
    text
}

/// `text` cut to at most `limit` bytes (its marker included), as [`bound_in_place`] cuts it;
/// for a text that quotes a server's (an OAuth2 `error_description`) before it goes into
/// [`Error::Auth`] or [`Error::Config`].
pub(crate) fn bounded(text: &str, limit: usize) -> String {
    Clipped::new(text, limit).to_string()
}

/// The marker after a text cut by `cut` bytes: `… [+N bytes]`.
fn write_marker(out: &mut (impl fmt::Write + ?Sized), cut: usize) -> fmt::Result {
    write!(out, "… [+{cut} bytes]")
}

/// The length of [`write_marker`]'s text for `cut`.
fn marker_len(cut: usize) -> usize {
    // At most 20 digits (`usize::MAX`), so neither sum can overflow.
    let digits = cut
        .checked_ilog10()
        .map_or(1, |d| (d as usize).saturating_add(1));
    "… [+ bytes]".len().saturating_add(digits)
}

/// The longest marker: for a cut of `usize::MAX` bytes.
const MAX_MARKER_LEN: usize = "… [+ bytes]".len() + 20;

/// The largest index `<= at` on a character boundary of `text`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    // 0 is always a boundary: the loop ends there at the latest.
    while !text.is_char_boundary(at) {
        at = at.saturating_sub(1);
    }
    at
}

/// Where `text` is cut to fit `limit` bytes with its marker: the head kept and the bytes cut.
/// Within the limit, the whole text and 0.
fn split_at_limit(text: &str, limit: usize) -> (&str, usize) {
    if text.len() <= limit {
        return (text, 0);
    }
    // The marker names fewer bytes than the whole text: reserving for that many digits keeps
    // head and marker within `limit`, so cutting again changes nothing.
    let end = floor_boundary(text, limit.saturating_sub(marker_len(text.len())));
    (&text[..end], text.len().saturating_sub(end))
}

/// Cuts `text` to at most `limit` bytes, its marker included (for a `limit` of at least
/// [`MAX_MARKER_LEN`]); releases the memory of the rest. Allocates nothing within the limit.
pub(crate) fn bound_in_place(text: &mut String, limit: usize) {
    let (head, cut) = split_at_limit(text, limit);
    if cut == 0 {
        return;
    }
    let head = head.len();
    text.truncate(head);
    let _ = write_marker(text, cut);
    text.shrink_to_fit();
}

/// What sets the kept end of a text cut in the middle apart from the marker.
const TAIL_MARKER: &str = " …";

/// Cuts `text` to at most `limit` bytes like [`bound_in_place`], but keeps up to `tail` bytes
/// of its end after the marker as well: `head… [+N bytes] …tail`.
fn bound_middle_in_place(text: &mut String, limit: usize, tail: usize) {
    if text.len() <= limit {
        return;
    }
    let reserve = marker_len(text.len())
        .saturating_add(TAIL_MARKER.len())
        .saturating_add(tail);
    let head = floor_boundary(text, limit.saturating_sub(reserve));
    // The first character boundary at or after `len - tail`.
    let mut tail_start = text.len().saturating_sub(tail).max(head);
    // `text.len()` is always a boundary: the loop ends there at the latest.
    while !text.is_char_boundary(tail_start) {
        tail_start = tail_start.saturating_add(1);
    }
    let mut out = String::with_capacity(limit);
    out.push_str(&text[..head]);
    let _ = write_marker(&mut out, tail_start.saturating_sub(head));
    out.push_str(TAIL_MARKER);
    out.push_str(&text[tail_start..]);
    *text = out;
}

/// Displays (or debugs) a text cut to `limit` bytes as [`bound_in_place`] would cut it,
/// without allocating.
pub(crate) struct Clipped<'a> {
    text: &'a str,
    limit: usize,
}

impl<'a> Clipped<'a> {
    pub(crate) fn new(text: &'a str, limit: usize) -> Self {
        Self { text, limit }
    }
}

impl fmt::Display for Clipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (head, cut) = split_at_limit(self.text, self.limit);
        f.write_str(head)?;
        if cut > 0 {
            write_marker(f, cut)?;
        }
        Ok(())
    }
}

/// Quotes the cut text with its marker, as the `Debug` of a text cut by [`bound_in_place`]
/// would print.
impl fmt::Debug for Clipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.text.len() <= self.limit {
            fmt::Debug::fmt(self.text, f)
        } else {
            // Allocates at most `limit` bytes, only for a text over the limit.
            fmt::Debug::fmt(&self.to_string(), f)
        }
    }
}

/// A writer that passes on at most `limit` bytes, its final marker included, and counts the
/// rest. Formatting cannot be stopped without an error (which `to_string` turns into a
/// panic), so what is over the limit is dropped instead.
struct Capped<'a, W: fmt::Write + ?Sized> {
    out: &'a mut W,
    room: usize,
    cut: usize,
}

impl<'a, W: fmt::Write + ?Sized> Capped<'a, W> {
    fn new(out: &'a mut W, limit: usize) -> Self {
        Self {
            out,
            room: limit.saturating_sub(MAX_MARKER_LEN),
            cut: 0,
        }
    }

    /// Writes the marker if anything was cut.
    fn finish(self) -> fmt::Result {
        if self.cut > 0 {
            write_marker(self.out, self.cut)?;
        }
        Ok(())
    }
}

impl<W: fmt::Write + ?Sized> fmt::Write for Capped<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if s.len() <= self.room {
            self.room = self.room.saturating_sub(s.len());
            return self.out.write_str(s);
        }
        let end = floor_boundary(s, self.room);
        self.room = 0;
        self.cut = self.cut.saturating_add(s.len().saturating_sub(end));
        self.out.write_str(&s[..end])
    }
}

/// Runs a `Debug` body through a [`Capped`] writer of `limit` bytes, keeping `{:#?}`.
fn capped_debug(
    f: &mut fmt::Formatter<'_>,
    limit: usize,
    body: impl Fn(&mut fmt::Formatter<'_>) -> fmt::Result,
) -> fmt::Result {
    struct Body<F>(F);
    impl<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result> fmt::Debug for Body<F> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            (self.0)(f)
        }
    }
    let alternate = f.alternate();
    let mut out = Capped::new(f, limit);
    if alternate {
        write!(out, "{:#?}", Body(body))?;
    } else {
        write!(out, "{:?}", Body(body))?;
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_cover_the_documented_statuses() {
        let cases = [
            (400, ErrorKind::BadRequest),
            (401, ErrorKind::Unauthorized),
            (403, ErrorKind::Forbidden),
            (404, ErrorKind::NotFound),
            (405, ErrorKind::MethodNotAllowed),
            (406, ErrorKind::NotAcceptable),
            (409, ErrorKind::Conflict),
            (422, ErrorKind::Validation),
            (429, ErrorKind::TooManyRequests),
            (500, ErrorKind::InternalServerError),
            (502, ErrorKind::BadGateway),
            (503, ErrorKind::ServiceUnavailable),
            (504, ErrorKind::GatewayTimeout),
            (302, ErrorKind::RedirectRefused),
            (418, ErrorKind::Other),
        ];
        for (status, kind) in cases {
            let status = StatusCode::from_u16(status).expect("valid status");
            assert_eq!(ErrorKind::from_status(status), kind, "{status}");
        }
    }

    #[test]
    fn display_names_provider_status_message_and_fields() {
        let mut e = ApiError::new("netfinity", "send_sms", StatusCode::UNPROCESSABLE_ENTITY);
        e.message = Some("The given data was invalid.".into());
        e.field_errors.insert(
            "msisdn".into(),
            vec!["The msisdn must be between 8 and 20 digits.".into()],
        );
        assert_eq!(
            e.to_string(),
            "netfinity send_sms failed with HTTP 422: The given data was invalid.; msisdn: The msisdn must be between 8 and 20 digits."
        );
    }

    #[test]
    fn excerpt_is_bounded_and_marks_the_cut() {
        let body = vec![b'a'; ApiError::EXCERPT_LIMIT + 10];
        let text = excerpt(&body);
        assert_eq!(text.chars().count(), ApiError::EXCERPT_LIMIT + 1);
        assert!(text.ends_with('…'));
        assert_eq!(excerpt(b"short"), "short");
    }

    #[test]
    fn predicates() {
        let mut e = ApiError::new("p", "op", StatusCode::TOO_MANY_REQUESTS);
        e.retry_after = Some(Duration::from_secs(42));
        let e = Error::from(e);
        assert!(e.is_rate_limited());
        assert!(e.is_retryable());
        assert_eq!(e.retry_after(), Some(Duration::from_secs(42)));
        let e = Error::invalid_input("msisdn", "too short");
        assert!(!e.is_retryable());
        assert_eq!(e.to_string(), "invalid `msisdn`: too short");
    }

    #[test]
    fn display_of_every_variant() {
        let cases: [(Error, &str); 9] = [
            (
                Error::from(ApiError::new(
                    "netfinity",
                    "send_sms",
                    StatusCode::BAD_GATEWAY,
                )),
                "netfinity send_sms failed with HTTP 502",
            ),
            (
                Error::Transport(Box::new(TransportError::new(
                    "fsflt",
                    "list_licenses",
                    TransportErrorKind::Connect,
                    "connection refused",
                ))),
                "fsflt list_licenses: connection failed: connection refused",
            ),
            (
                Error::Timeout {
                    what: "call",
                    elapsed: Duration::from_micros(1_500_999),
                },
                "call timed out after 1500ms",
            ),
            (
                Error::Decode(Box::new(DecodeError {
                    provider: "fl3xx",
                    operation: "get_flight",
                    path: ".data[0].id".into(),
                    message: "invalid type: null, expected a string".into(),
                    status: StatusCode::OK,
                    body_excerpt: "{}".into(),
                })),
                "fl3xx get_flight: cannot decode the response at `.data[0].id`: invalid type: null, expected a string",
            ),
            (
                Error::invalid_input("amount", "more than 2 decimals"),
                "invalid `amount`: more than 2 decimals",
            ),
            (
                Error::Auth("the token endpoint answered 401".into()),
                "authentication failed: the token endpoint answered 401",
            ),
            (
                Error::Config("invalid base URL".into()),
                "configuration error: invalid base URL",
            ),
            (
                Error::RateLimited {
                    retry_after: Duration::from_millis(2500),
                },
                "rate limited: the next slot is 2500ms away, more than the configured maximum wait",
            ),
            (
                Error::ResponseTooLarge { limit: 1024 },
                "response body exceeds the 1024-byte limit",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(error.to_string(), expected);
            // Formatting flags do not change the text: every variant writes its own.
            assert_eq!(format!("{error:>200}"), expected);
        }
        let kinds = [
            (TransportErrorKind::Request, "p op: request failed: reset"),
            (
                TransportErrorKind::Body,
                "p op: reading the response failed: reset",
            ),
        ];
        for (kind, expected) in kinds {
            assert_eq!(
                TransportError::new("p", "op", kind, "reset").to_string(),
                expected
            );
        }
    }

    #[test]
    fn only_a_transport_error_has_a_source_and_the_boxes_are_transparent() {
        use std::error::Error as _;

        #[derive(Debug)]
        struct Refused;
        impl fmt::Display for Refused {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("refused")
            }
        }
        impl std::error::Error for Refused {}

        let transport = TransportError::new("p", "op", TransportErrorKind::Connect, Refused);
        assert!(transport.source().is_some_and(|s| s.is::<Refused>()));
        // `Error::Transport` hands on the transport error's source, as the derive did.
        let error = Error::Transport(Box::new(transport));
        let source = error.source().expect("a source");
        assert!(source.is::<Refused>(), "{source:?}");
        assert!(source.source().is_none());

        let without = [
            Error::from(ApiError::new("p", "op", StatusCode::NOT_FOUND)),
            Error::invalid_input("f", "m"),
            Error::Decode(Box::new(DecodeError {
                provider: "p",
                operation: "op",
                path: ".".into(),
                message: "m".into(),
                status: StatusCode::OK,
                body_excerpt: String::new(),
            })),
            Error::Timeout {
                what: "request",
                elapsed: Duration::ZERO,
            },
            Error::Auth("a".into()),
            Error::Config("c".into()),
            Error::RateLimited {
                retry_after: Duration::ZERO,
            },
            Error::ResponseTooLarge { limit: 1 },
        ];
        for error in without {
            assert!(error.source().is_none(), "{error:?}");
        }
    }

    // -----------------------------------------------------------------------------------------
    // Bounds on what a misbehaving server can make an error print.
    // -----------------------------------------------------------------------------------------

    const MIB: usize = 1 << 20;

    /// A 422 with a 1 MiB message and a 1 MiB field error, decoded as the transport decodes it
    /// (before `bound`, which the transport adds).
    fn huge_validation_error() -> ApiError {
        use crate::decode::{ErrorDecoder, JsonErrorDecoder};
        let body = format!(
            r#"{{"message":"Start of the message {}","errors":{{"msisdn":["Start of the field error {}"]}}}}"#,
            "m".repeat(MIB),
            "f".repeat(MIB)
        );
        let mut e = ApiError::new("p", "op", StatusCode::UNPROCESSABLE_ENTITY);
        JsonErrorDecoder.decode_error(&mut e, body.as_bytes());
        e.body_excerpt = excerpt(body.as_bytes());
        e
    }

    fn assert_bounded(e: &impl fmt::Display, debug: &impl fmt::Debug) {
        let display = e.to_string();
        assert!(display.len() <= Error::DISPLAY_LIMIT, "{}", display.len());
        for debug in [format!("{debug:?}"), format!("{debug:#?}")] {
            assert!(debug.len() <= Error::DEBUG_LIMIT, "{}", debug.len());
        }
    }

    #[test]
    fn a_huge_validation_error_prints_bounded_without_bound() {
        let e = huge_validation_error();
        assert_eq!(e.message.as_ref().map(String::len), Some(MIB + 21));
        assert_bounded(&e, &e);
        let display = e.to_string();
        assert!(
            display.starts_with("p op failed with HTTP 422: Start of the message mmm"),
            "{}",
            &display[..100]
        );
        // Both texts are cut, so the field error is still shown, after the message.
        assert!(display.contains("; msisdn: Start of the field error fff"));
        // The head and the marker for 1 MiB + 21 bytes (20 bytes) fill the limit.
        assert!(display.contains(&format!(
            "… [+{} bytes]",
            MIB + 21 - (ApiError::TEXT_LIMIT - 20)
        )));
        let debug = format!("{e:?}");
        assert!(
            debug.starts_with("ApiError { provider: \"p\""),
            "{debug:.100}"
        );
        assert!(debug.contains("message: Some(\"Start of the message mmm"));
        assert!(debug.contains("\"msisdn\": [\"Start of the field error fff"));
        // Through `Error` as well.
        let error = Error::from(e);
        assert_bounded(&error, &error);
        assert!(format!("{error:?}").starts_with("Api(ApiError { provider: \"p\""));
    }

    #[test]
    fn bound_cuts_the_texts_in_place_and_prints_the_same() {
        let mut e = huge_validation_error();
        e.code = Some("c".repeat(MIB));
        e.request_id = Some("r".repeat(MIB));
        let before = (e.to_string(), format!("{e:?}"));
        e.bound();
        for text in [&e.code, &e.message, &e.request_id].into_iter().flatten() {
            assert!(text.len() <= ApiError::TEXT_LIMIT, "{}", text.len());
            assert!(text.ends_with(" bytes]"), "{text:.40}");
        }
        assert!(
            e.message
                .as_deref()
                .is_some_and(|m| m.starts_with("Start of the message mmm"))
        );
        let field = &e.field_errors["msisdn"];
        assert_eq!(field.len(), 1);
        assert!(field[0].len() <= ApiError::TEXT_LIMIT);
        assert!(field[0].starts_with("Start of the field error fff"));
        assert!(e.body_excerpt.len() <= ApiError::EXCERPT_LIMIT + 3);
        assert!(
            e.message
                .as_ref()
                .is_some_and(|m| m.capacity() <= 2 * ApiError::TEXT_LIMIT)
        );
        // `Display` applied the same cuts.
        assert_eq!((e.to_string(), format!("{e:?}")), before);
        // Again: nothing changes.
        let once = e.clone();
        e.bound();
        assert_eq!(format!("{e:?}"), format!("{once:?}"));
        assert_eq!(e.message, once.message);
    }

    #[test]
    fn bound_leaves_an_ordinary_error_alone() {
        let mut e = ApiError::new("netfinity", "send_sms", StatusCode::UNPROCESSABLE_ENTITY);
        e.message = Some("The given data was invalid.".into());
        e.code = Some("E42".into());
        e.field_errors.insert(
            "msisdn".into(),
            vec!["too short".into(), "digits only".into()],
        );
        e.field_errors.insert("text".into(), vec![]);
        let before = e.clone();
        e.bound();
        assert_eq!(
            (e.message, e.code, e.field_errors, e.field_errors_omitted),
            (before.message, before.code, before.field_errors, 0)
        );
    }

    #[test]
    fn bound_keeps_the_first_field_messages_and_counts_the_rest() {
        let mut e = ApiError::new("p", "op", StatusCode::UNPROCESSABLE_ENTITY);
        for i in 0..100 {
            e.field_errors.insert(
                format!("field{i:03}"),
                vec![format!("bad {i}"), format!("worse {i}")],
            );
        }
        e.field_errors.insert("zzz".into(), vec![]);
        let display = e.to_string();
        e.bound();
        let kept: usize = e.field_errors.values().map(Vec::len).sum();
        assert_eq!(kept, ApiError::FIELD_ERRORS_LIMIT);
        assert_eq!(e.field_errors.len(), ApiError::FIELD_ERRORS_LIMIT / 2);
        assert_eq!(e.field_errors["field000"], ["bad 0", "worse 0"]);
        assert_eq!(
            e.field_errors_omitted,
            200 + 1 - ApiError::FIELD_ERRORS_LIMIT
        );
        assert_eq!(e.to_string(), display);
        assert!(display.ends_with("; field007: bad 7 worse 7; … and 185 more field messages"));

        // A limit that falls inside a field's messages keeps that field's first ones.
        let mut e = ApiError::new("p", "op", StatusCode::UNPROCESSABLE_ENTITY);
        e.field_errors.insert("a".into(), vec!["x".into(); 10]);
        e.field_errors.insert("b".into(), vec!["y".into(); 10]);
        e.bound();
        assert_eq!(e.field_errors["b"].len(), ApiError::FIELD_ERRORS_LIMIT - 10);
        assert_eq!(e.field_errors_omitted, 20 - ApiError::FIELD_ERRORS_LIMIT);
    }

    #[test]
    fn bound_merges_field_names_that_become_equal() {
        let mut e = ApiError::new("p", "op", StatusCode::UNPROCESSABLE_ENTITY);
        let long = "n".repeat(MIB);
        e.field_errors
            .insert(format!("{long}a"), vec!["one".into()]);
        e.field_errors
            .insert(format!("{long}b"), vec!["two".into()]);
        e.bound();
        assert_eq!(e.field_errors.len(), 1);
        let (name, messages) = e.field_errors.iter().next().expect("one field");
        assert!(name.len() <= ApiError::TEXT_LIMIT && name.starts_with("nnn"));
        assert_eq!(messages, &["one", "two"]);
    }

    #[test]
    fn cuts_fall_on_character_boundaries_and_say_how_much_was_cut() {
        // 'é' is two bytes, so every other byte index is inside a character.
        for extra in 0..4 {
            let text = format!("{}{}", "x".repeat(extra), "é".repeat(MIB));
            let mut cut = text.clone();
            bound_in_place(&mut cut, ApiError::TEXT_LIMIT);
            assert!(cut.len() <= ApiError::TEXT_LIMIT);
            let head = cut.split('…').next().expect("a head");
            assert!(text.starts_with(head));
            assert_eq!(cut, format!("{head}… [+{} bytes]", text.len() - head.len()));
            assert_eq!(Clipped::new(&text, ApiError::TEXT_LIMIT).to_string(), cut);
            assert_eq!(bounded(&text, ApiError::TEXT_LIMIT), cut);
        }
        let mut short = String::from("short");
        bound_in_place(&mut short, 5);
        assert_eq!(short, "short");
        // A cut just over the limit still fits, the marker included.
        for len in ApiError::TEXT_LIMIT..ApiError::TEXT_LIMIT + 20 {
            let mut text = "a".repeat(len);
            bound_in_place(&mut text, ApiError::TEXT_LIMIT);
            assert!(text.len() <= ApiError::TEXT_LIMIT, "{len}: {}", text.len());
        }
    }

    #[test]
    fn a_note_survives_a_huge_message() {
        let mut e = ApiError::new("fl3xx", "op", StatusCode::BAD_REQUEST);
        e.message = Some("m".repeat(MIB));
        e.add_note("(`op` is unconfirmed)");
        e.bound();
        let message = e.message.unwrap_or_default();
        assert!(message.len() <= ApiError::TEXT_LIMIT);
        assert!(message.starts_with("mmm") && message.ends_with(" bytes] (`op` is unconfirmed)"));
    }

    #[test]
    fn auth_config_and_invalid_input_texts_are_bounded() {
        let huge = format!("start {}", "d".repeat(MIB));
        for error in [
            Error::Auth(huge.clone()),
            Error::Config(huge.clone()),
            Error::invalid_input(huge.clone(), huge.clone()),
        ] {
            assert_bounded(&error, &error);
            let display = error.to_string();
            assert!(display.len() < Error::TEXT_LIMIT + 64, "{}", display.len());
            assert!(display.contains(": start ddd") || display.contains("`start ddd"));
            assert!(display.contains(" bytes]"), "{display}");
            // `InvalidInput`'s Debug also names its rule, value and position.
            assert!(format!("{error:?}").len() < Error::TEXT_LIMIT + 160);
        }
        assert_eq!(
            format!(
                "{:?}",
                Error::Auth("token endpoint answered HTTP 401".into())
            ),
            r#"Auth("token endpoint answered HTTP 401")"#
        );
    }

    #[test]
    fn a_decode_error_changed_after_construction_still_prints_bounded() {
        let mut e = DecodeError::new("p", "op", StatusCode::OK, ".".into(), "m".into(), b"{}");
        e.path = "p".repeat(MIB);
        e.message = "m".repeat(MIB);
        e.body_excerpt = "b".repeat(MIB);
        assert_bounded(&e, &e);
        assert!(e.to_string().len() < 2 * DecodeError::TEXT_LIMIT + 64);
    }

    #[derive(Debug)]
    struct Chain(&'static str, Option<Box<Chain>>);
    impl fmt::Display for Chain {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for Chain {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|c| c as _)
        }
    }
    fn chain(texts: &[&'static str]) -> Chain {
        let (first, rest) = texts.split_first().expect("a text");
        Chain(first, (!rest.is_empty()).then(|| Box::new(chain(rest))))
    }

    #[test]
    fn a_transport_error_shows_each_cause_once() {
        let source = chain(&[
            "error sending request",
            "client error (SendRequest)",
            // Repeats its source's text: shown once.
            "invalid HTTP header parsed",
            "invalid HTTP header parsed",
        ]);
        let e = TransportError::new("p", "op", TransportErrorKind::Request, source);
        assert_eq!(
            e.to_string(),
            "p op: request failed: error sending request: client error (SendRequest): invalid HTTP header parsed"
        );
        assert!(format!("{e:?}").starts_with("TransportError { provider: \"p\""));
    }

    #[test]
    fn a_transport_error_chain_is_bounded() {
        let texts: Vec<&'static str> = (0..20)
            .map(|i| &*Box::leak(format!("cause {i} {}", "c".repeat(MIB)).into_boxed_str()))
            .collect();
        let e = TransportError::new("p", "op", TransportErrorKind::Body, chain(&texts));
        assert_bounded(&e, &e);
        let display = e.to_string();
        assert!(display.starts_with("p op: reading the response failed: cause 0 ccc"));
        assert!(display.contains(": cause 1 ccc"));
        let deep = chain(&["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
        let e = TransportError::new("p", "op", TransportErrorKind::Body, deep);
        assert_eq!(
            e.to_string(),
            "p op: reading the response failed: 1: 2: 3: 4: 5: 6: 7: 8: …"
        );
    }

    #[test]
    fn capped_writes_at_most_its_limit_and_marks_the_cut() {
        let mut out = String::new();
        let mut capped = Capped::new(&mut out, 100);
        for _ in 0..50 {
            capped.write_str("é").expect("writes");
        }
        capped.write_str(&"é".repeat(MIB)).expect("writes");
        capped.finish().expect("writes");
        assert!(out.len() <= 100, "{}", out.len());
        assert!(out.starts_with("éé") && out.ends_with(" bytes]"), "{out}");
    }
}
