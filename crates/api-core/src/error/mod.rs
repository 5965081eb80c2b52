//! The one error type every client returns, and its classification.
//!
//! One file per kind of failure: [`ApiError`] and [`ErrorKind`] (`api.rs`), [`TransportError`]
//! (`transport.rs`), [`DecodeError`] (`decode.rs`); `bounded_text.rs` keeps every text a server
//! chose within the limits `Display` and `Debug` promise.

mod api;
mod bounded_text;
mod decode;
mod transport;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

pub use self::api::{ApiError, ErrorKind};
use self::bounded_text::capped_debug;
pub(crate) use self::bounded_text::{Clipped, bound_in_place, bounded, excerpt};
pub use self::decode::DecodeError;
pub use self::transport::{TransportError, TransportErrorKind};
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

#[cfg(test)]
mod tests {
    use super::*;

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
    // Bounds on what a misbehaving server can make an error print. The helpers serve the
    // tests of the other error files as well.
    // -----------------------------------------------------------------------------------------

    pub(super) const MIB: usize = 1 << 20;

    /// Fails unless `Display` and both `Debug` forms are within [`Error::DISPLAY_LIMIT`] and
    /// [`Error::DEBUG_LIMIT`].
    pub(super) fn assert_bounded(e: &impl fmt::Display, debug: &impl fmt::Debug) {
        let display = e.to_string();
        assert!(display.len() <= Error::DISPLAY_LIMIT, "{}", display.len());
        for debug in [format!("{debug:?}"), format!("{debug:#?}")] {
            assert!(debug.len() <= Error::DEBUG_LIMIT, "{}", debug.len());
        }
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
}
