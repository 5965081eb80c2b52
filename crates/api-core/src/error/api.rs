//! [`ApiError`], an error answer from the server, and [`ErrorKind`], what its status means.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

use super::bounded_text::{Capped, Clipped, EXCERPT_TEXT_LIMIT, bound_in_place, capped_debug};
use super::{Error, FieldErrors};
use crate::rate_limit::RateLimitInfo;

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
            // Named: a bare bracket beside the HTTP status reads as a second status.
            write!(out, " (code {})", clip(code))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::bounded_text::excerpt;
    use crate::error::tests::{MIB, assert_bounded};

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
    fn a_note_survives_a_huge_message() {
        let mut e = ApiError::new("fl3xx", "op", StatusCode::BAD_REQUEST);
        e.message = Some("m".repeat(MIB));
        e.add_note("(`op` is unconfirmed)");
        e.bound();
        let message = e.message.unwrap_or_default();
        assert!(message.len() <= ApiError::TEXT_LIMIT);
        assert!(message.starts_with("mmm") && message.ends_with(" bytes] (`op` is unconfirmed)"));
    }
}
