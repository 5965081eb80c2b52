//! [`DecodeError`]: a 2xx body that did not match the expected model.

use std::fmt::{self, Write as _};

use reqwest::StatusCode;

use super::Error;
use super::bounded_text::{
    Capped, Clipped, EXCERPT_TEXT_LIMIT, bound_in_place, bound_middle_in_place, capped_debug,
    excerpt,
};

/// A 2xx body that did not match the expected model.
///
/// `path` and `message` are at most [`DecodeError::TEXT_LIMIT`] bytes each, `body_excerpt`
/// at most [`ApiError::EXCERPT_LIMIT`](crate::ApiError::EXCERPT_LIMIT) (and a `…`);
/// `Display` and `Debug` show no more, even of fields changed afterwards.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::tests::{MIB, assert_bounded};

    #[test]
    fn a_decode_error_changed_after_construction_still_prints_bounded() {
        let mut e = DecodeError::new("p", "op", StatusCode::OK, ".".into(), "m".into(), b"{}");
        e.path = "p".repeat(MIB);
        e.message = "m".repeat(MIB);
        e.body_excerpt = "b".repeat(MIB);
        assert_bounded(&e, &e);
        assert!(e.to_string().len() < 2 * DecodeError::TEXT_LIMIT + 64);
    }
}
