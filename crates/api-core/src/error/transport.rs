//! [`TransportError`]: a request that could not be sent or a response that could not be read.

use std::fmt::{self, Write as _};

use super::Error;
use super::bounded_text::{Capped, capped_debug};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::tests::{MIB, assert_bounded};

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
}
