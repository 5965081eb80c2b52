//! The one error type every client returns, and its classification.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

use crate::rate_limit::RateLimitInfo;

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
#[derive(Debug)]
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
    Auth(String),
    /// The client is misconfigured (bad base URL, plain `http://` to a remote host, ...).
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
            Error::Auth(message) => write!(f, "authentication failed: {message}"),
            Error::Config(message) => write!(f, "configuration error: {message}"),
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
    /// Builds an [`Error::InvalidInput`] naming the offending field.
    pub fn invalid_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput(Box::new(InvalidInput {
            field: field.into(),
            message: message.into(),
        }))
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
#[derive(Debug, Clone)]
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
    /// The start of the body (at most [`ApiError::EXCERPT_LIMIT`] bytes, lossy UTF-8).
    pub body_excerpt: String,
}

impl ApiError {
    /// The most bytes of an error body kept in [`ApiError::body_excerpt`].
    pub const EXCERPT_LIMIT: usize = 1024;

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
        }
    }
}

impl ApiError {
    /// Appends `note` to the message, or makes it the message when there is none (a decoder
    /// adding what it knows, such as "this path is a guess").
    pub fn add_note(&mut self, note: &str) {
        self.message = Some(match self.message.take() {
            Some(message) if !message.is_empty() => format!("{message} {note}"),
            _ => note.to_owned(),
        });
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} failed with HTTP {}",
            self.provider,
            self.operation,
            self.status.as_u16()
        )?;
        if let Some(code) = &self.code {
            write!(f, " [{code}]")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        for (field, messages) in &self.field_errors {
            write!(f, "; {field}: {}", messages.join(" "))?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, " (retry after {}s)", wait.as_secs())?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A failure to send the request or read the response.
#[derive(Debug)]
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
        write!(
            f,
            "{} {}: {}: {}",
            self.provider, self.operation, self.kind, self.source
        )
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

impl TransportError {
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
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The provider being called.
    pub provider: &'static str,
    /// The operation being called.
    pub operation: &'static str,
    /// The path of the failing field (`.payload.status.code`), `.` for the whole body.
    pub path: String,
    /// What was wrong.
    pub message: String,
    /// HTTP status of the response.
    pub status: StatusCode,
    /// The start of the body (bounded, lossy UTF-8).
    pub body_excerpt: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: cannot decode the response at `{}`: {}",
            self.provider, self.operation, self.path, self.message
        )
    }
}

impl std::error::Error for DecodeError {}

/// Input the client rejected before sending anything.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidInput {
    /// The offending field or parameter.
    pub field: String,
    /// Why it was rejected.
    pub message: String,
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid `{}`: {}", self.field, self.message)
    }
}

impl std::error::Error for InvalidInput {}

/// The start of `text`, at most `limit` bytes cut on a character boundary, with `…` when cut.
pub(crate) fn bounded(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut cut = limit;
    while !text.is_char_boundary(cut) {
        cut = cut.saturating_sub(1);
    }
    let mut out = String::with_capacity(cut.saturating_add(3));
    out.push_str(&text[..cut]);
    out.push('…');
    out
}

/// The first `limit` bytes of `body` as lossy UTF-8, cut on a character boundary.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(ApiError::EXCERPT_LIMIT)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if body.len() > cut.len() {
        text.push('…');
    }
    text
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
}
