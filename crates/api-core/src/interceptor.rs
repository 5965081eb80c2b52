//! A hook into every attempt on the wire: the request as it is about to be sent (credentials
//! set, so a signature covers what the server sees) and the answer as it came back, before it
//! is decoded. For a custom header, request signing, logging ids or a metric, without a fork.
//!
//! Credentials stay out of sight: [`OutgoingRequest::header`] does not show a sensitive value
//! (every credential header is one); [`OutgoingRequest::credential`] does, when asked for by
//! name.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};

use crate::error::Result;

/// Sees each attempt's request and answer. Install one with
/// [`TransportBuilder::interceptor`](crate::TransportBuilder::interceptor); with none, the
/// transport pays one branch per attempt.
///
/// ```
/// use api_core::{Interceptor, OutgoingRequest, HeaderName, HeaderValue};
///
/// /// Signs each request's body with HMAC-SHA256 in an `X-Signature` header.
/// struct Signer { key: Vec<u8> }
///
/// impl Interceptor for Signer {
///     fn before_send(&self, request: &mut OutgoingRequest<'_>) -> api_core::Result<()> {
///         let signature = api_core::signature::hmac_sha256_hex(&self.key, request.body().unwrap_or_default());
///         let value = HeaderValue::from_str(&signature)
///             .map_err(|_| api_core::Error::Config("signature is not a header value".into()))?;
///         request.set_header(HeaderName::from_static("x-signature"), value);
///         Ok(())
///     }
/// }
/// ```
pub trait Interceptor: Send + Sync + 'static {
    /// Sees, and may add headers to, the request of one attempt just before it is sent
    /// (a redirect's request too). An error ends the call with it, nothing sent.
    fn before_send(&self, request: &mut OutgoingRequest<'_>) -> Result<()> {
        let _ = request;
        Ok(())
    }

    /// Sees the answer of one attempt (status, headers, body) before it is decoded or
    /// retried.
    fn after_receive(&self, response: &ReceivedResponse<'_>) {
        let _ = response;
    }
}

/// One attempt's request, as an [`Interceptor`] sees it.
pub struct OutgoingRequest<'a> {
    pub(crate) request: &'a mut reqwest::Request,
    pub(crate) operation: &'static str,
}

impl OutgoingRequest<'_> {
    /// The operation's name.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The method.
    pub fn method(&self) -> &Method {
        self.request.method()
    }

    /// The full URL, query included.
    pub fn url(&self) -> &Url {
        self.request.url()
    }

    /// The body's bytes, when it has one.
    pub fn body(&self) -> Option<&[u8]> {
        self.request.body().and_then(reqwest::Body::as_bytes)
    }

    /// A header's value; `None` for a credential (a sensitive value): ask for it with
    /// [`credential`](Self::credential).
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.request
            .headers()
            .get(name)
            .filter(|value| !value.is_sensitive())
    }

    /// A credential header's value (an API key, a bearer token), asked for by name: for a
    /// signature that must cover it.
    pub fn credential(&self, name: &str) -> Option<&HeaderValue> {
        self.request
            .headers()
            .get(name)
            .filter(|value| value.is_sensitive())
    }

    /// Sets a header, replacing one of the same name.
    pub fn set_header(&mut self, name: HeaderName, value: HeaderValue) {
        self.request.headers_mut().insert(name, value);
    }
}

/// One attempt's answer, as an [`Interceptor`] sees it.
#[derive(Debug)]
#[non_exhaustive]
pub struct ReceivedResponse<'a> {
    /// The operation's name.
    pub operation: &'static str,
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: &'a HeaderMap,
    /// The whole body, as read (at most the client's `max_response_bytes`).
    pub body: &'a [u8],
}
