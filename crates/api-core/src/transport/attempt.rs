//! One attempt on the wire: the URL, the request as reqwest sends it, the redirects it may
//! follow and the whole body, within the attempt's time.
//!
//! Also the body read, bounded (`read_limited`).

use bytes::{Bytes, BytesMut};
use http_body::Body as _;
use http_body_util::BodyExt as _;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url};

use super::{Deadline, Transport};
use crate::access_token::AccessToken;
use crate::error::{Error, Result, TransportError, TransportErrorKind};
use crate::redirect::{self, Next};
use crate::request::{Body, Idempotency, Request};

/// A response as read off the wire, before decoding.
pub(super) struct RawResponse {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
    /// Why a 3xx was not followed (`redirect.rs`).
    pub(super) refused_redirect: Option<String>,
}

impl Transport {
    /// One attempt: send, follow the redirects it may follow, and read the whole body, within
    /// the attempt's time.
    pub(super) async fn attempt(
        &self,
        request: &Request,
        url: Url,
        token: Option<&AccessToken>,
        deadline: &Deadline,
    ) -> Result<RawResponse> {
        let inner = &self.inner;
        let mut outgoing = outgoing(
            &inner.default_headers,
            request,
            url,
            request.method.clone(),
            true,
            token,
        )?;
        self.intercept(request, &mut outgoing)?;
        // Read here, not taken from the call's start: the limiter or the token may have
        // made the call wait, and the attempt gets only what is left of its deadline.
        // One reading of the clock for the call's deadline, the attempt's start and its
        // timer (three before: each `Instant::now()` is a clock read, ~25 ns natively).
        let started = tokio::time::Instant::now();
        let left = deadline.left_at(started);
        let call_ends_first = left < inner.request_timeout;
        let budget = left.min(inner.request_timeout);
        // Sent outside the async block below: what a block captures stays in its state for
        // its whole life, and a request is 264 bytes.
        let pending = inner.http.execute(outgoing);
        let exchange = async {
            let mut response = pending
                .await
                .map_err(|e| self.transport_error(request, e))?;
            let mut refused_redirect = None;
            if response.status().is_redirection() {
                // Boxed: rare, and kept out of every call's state.
                (response, refused_redirect) =
                    Box::pin(self.follow_redirects(request, token, response)).await?;
            }
            // Taken apart rather than borrowed: the headers move instead of being copied.
            let (parts, body) = http::Response::from(response).into_parts();
            let body = read_limited(body, inner.max_response_bytes)
                .await
                .map_err(|e| match e {
                    ReadError::TooLarge => Error::ResponseTooLarge {
                        limit: inner.max_response_bytes,
                    },
                    ReadError::Io(e) => self.transport_error(request, e),
                })?;
            if let Some(interceptor) = &inner.interceptor {
                interceptor.after_receive(&crate::ReceivedResponse {
                    operation: request.operation,
                    status: parts.status,
                    headers: &parts.headers,
                    body: &body,
                });
            }
            Ok(RawResponse {
                status: parts.status,
                headers: parts.headers,
                body,
                refused_redirect,
            })
        };
        let timed = match started.checked_add(budget) {
            Some(at) => tokio::time::timeout_at(at, exchange),
            // Beyond the clock: `timeout` makes it a far-future timer.
            None => tokio::time::timeout(budget, exchange),
        };
        match timed.await {
            Ok(result) => result,
            // The whole call's time ran out: say how long the call ran, not this attempt.
            Err(_) if call_ends_first => Err(deadline.expired()),
            Err(_) => Err(Error::Timeout {
                what: "request",
                elapsed: started.elapsed(),
            }),
        }
    }

    /// Hands the request about to be sent to the interceptor, when there is one.
    fn intercept(&self, request: &Request, outgoing: &mut reqwest::Request) -> Result<()> {
        match &self.inner.interceptor {
            None => Ok(()),
            Some(interceptor) => interceptor.before_send(&mut crate::OutgoingRequest {
                request: outgoing,
                operation: request.operation,
            }),
        }
    }

    /// Follows the redirects of `response` that may be followed (`redirect.rs`): the final
    /// answer, or the 3xx that was not followed and why.
    async fn follow_redirects(
        &self,
        request: &Request,
        token: Option<&AccessToken>,
        mut response: reqwest::Response,
    ) -> Result<(reqwest::Response, Option<String>)> {
        let repeatable =
            request.idempotency != Idempotency::SideEffect || request.idempotency_key.is_some();
        let mut method = request.method.clone();
        let mut with_body = true;
        let mut followed: u32 = 0;
        while response.status().is_redirection() {
            let next = redirect::next(
                response.status(),
                response.headers(),
                response.url(),
                &method,
                repeatable,
                followed,
            );
            let (url, next_method, keep_body) = match next {
                Next::Refuse(reason) => return Ok((response, Some(reason))),
                Next::Follow {
                    url,
                    method,
                    keep_body,
                } => (url, method, keep_body),
            };
            followed = followed.saturating_add(1);
            method = next_method;
            with_body &= keep_body;
            let mut outgoing = outgoing(
                &self.inner.default_headers,
                request,
                url,
                method.clone(),
                with_body,
                token,
            )?;
            self.intercept(request, &mut outgoing)?;
            response = self
                .inner
                .http
                .execute(outgoing)
                .await
                .map_err(|e| self.transport_error(request, e))?;
        }
        Ok((response, None))
    }

    fn transport_error(&self, request: &Request, error: reqwest::Error) -> Error {
        let kind = if error.is_connect() {
            TransportErrorKind::Connect
        } else if error.is_body() || error.is_decode() {
            TransportErrorKind::Body
        } else {
            TransportErrorKind::Request
        };
        if error.is_timeout() {
            return Error::Timeout {
                what: "request",
                elapsed: self.inner.request_timeout,
            };
        }
        // reqwest's messages may hold the URL (never headers); drop it anyway so a token
        // passed as a query parameter by some API cannot leak through an error.
        Error::Transport(Box::new(TransportError {
            provider: self.inner.provider,
            operation: request.operation,
            kind,
            source: Box::new(error.without_url()),
        }))
    }

    /// The full URL of `request`: base URL + encoded path + encoded query.
    pub(crate) fn url(&self, request: &Request) -> Result<Url> {
        // A path without parameters (still the spec's own text) and no query: built once,
        // when the transport was (`TransportBuilder::operations`).
        if let (std::borrow::Cow::Borrowed(path), true) = (&request.path, request.query.is_empty())
            && let Some((_, url)) = self.inner.static_urls.iter().find(|(p, _)| p == path)
        {
            return Ok(url.clone());
        }
        join(
            &self.inner.base_url,
            &request.path,
            &request.query,
            request.path_template,
        )
    }
}

/// `base_url`'s path, then `request_path`, then the `query`; an error if the result leaves
/// the base URL's origin.
pub(super) fn join(
    base_url: &Url,
    request_path: &str,
    query: &[(&'static str, String)],
    path_template: &str,
) -> Result<Url> {
    let mut url = base_url.clone();
    // A base URL without a path still has the path `/`: join with exactly one slash.
    let base = base_url.path().trim_end_matches('/');
    let mut path = String::with_capacity(
        base.len()
            .saturating_add(request_path.len())
            .saturating_add(1),
    );
    path.push_str(base);
    if !(request_path.is_empty() || request_path.starts_with('/')) {
        path.push('/');
    }
    path.push_str(request_path);
    url.set_path(&path);
    if !query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in query {
            pairs.append_pair(name, value);
        }
    }
    // `set_path` keeps the origin; this guards that belief without `Url::origin`'s
    // allocations.
    if url.scheme() != base_url.scheme()
        || url.host_str() != base_url.host_str()
        || url.port_or_known_default() != base_url.port_or_known_default()
    {
        return Err(Error::Config(format!(
            "request path `{path_template}` leaves the base URL's origin"
        )));
    }
    Ok(url)
}

/// The request of one attempt, built directly: reqwest's builder would merge the headers a
/// second time.
fn outgoing(
    defaults: &HeaderMap,
    request: &Request,
    url: Url,
    method: Method,
    with_body: bool,
    token: Option<&AccessToken>,
) -> Result<reqwest::Request> {
    let mut outgoing = reqwest::Request::new(method, url);
    let outgoing_headers = outgoing.headers_mut();
    // Defaults and fixed credentials were merged once, at build time.
    outgoing_headers.clone_from(defaults);
    // The request's own replace a default of the same name, as `HeaderMap::extend` would.
    for name in request.headers.keys() {
        let mut values = request.headers.get_all(name).iter();
        if let Some(first) = values.next() {
            outgoing_headers.insert(name.clone(), first.clone());
        }
        for value in values {
            outgoing_headers.append(name.clone(), value.clone());
        }
    }
    if let Some(token) = token {
        outgoing_headers.insert(reqwest::header::AUTHORIZATION, token.bearer()?);
    }
    let (content_type, body) = match &request.body {
        Body::None => return Ok(outgoing),
        // A redirect that turned the request into a GET (`redirect.rs`).
        _ if !with_body => return Ok(outgoing),
        Body::Json(bytes) => ("application/json", bytes),
        Body::Form(bytes) => ("application/x-www-form-urlencoded", bytes),
    };
    outgoing_headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    *outgoing.body_mut() = Some(body.clone().into());
    Ok(outgoing)
}

// ---------------------------------------------------------------------------------------
// Reading a response body without ever holding more than the configured limit.

pub(crate) enum ReadError {
    /// The body is larger than the limit; the rest was not read.
    TooLarge,
    /// The connection failed while reading.
    Io(reqwest::Error),
}

/// Reads the whole body, refusing at once when its announced length (`Content-Length`)
/// exceeds `limit` and stopping as soon as the bytes read exceed it otherwise.
pub(crate) async fn read_limited(mut body: reqwest::Body, limit: u64) -> Result<Bytes, ReadError> {
    let announced = body.size_hint().exact();
    if announced.is_some_and(|len| len > limit) {
        return Err(ReadError::TooLarge);
    }
    // Allocated at the first chunk that needs copying.
    let mut buffer = BytesMut::new();
    while let Some(frame) = body.frame().await {
        // Trailers carry no body bytes.
        let Ok(chunk) = frame.map_err(ReadError::Io)?.into_data() else {
            continue;
        };
        let read = u64::try_from(buffer.len().saturating_add(chunk.len())).unwrap_or(u64::MAX);
        if read > limit {
            return Err(ReadError::TooLarge);
        }
        if buffer.is_empty() && announced == Some(chunk.len() as u64) {
            // The whole body in one chunk: keep it as it came, without a copy.
            return Ok(chunk);
        }
        if buffer.is_empty() {
            let capacity = announced.unwrap_or(0).min(limit);
            buffer.reserve(usize::try_from(capacity).unwrap_or(0));
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.freeze())
}

#[cfg(test)]
mod body_tests {
    use super::*;

    fn read(body: &'static str, limit: u64) -> Result<Bytes, ReadError> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(read_limited(reqwest::Body::from(body), limit))
    }

    #[test]
    fn reads_a_body_up_to_the_limit() {
        assert!(matches!(read("{\"a\":1}", 7), Ok(b) if b == "{\"a\":1}"));
        assert!(matches!(read("", 0), Ok(b) if b.is_empty()));
    }

    #[test]
    fn refuses_an_announced_length_over_the_limit_before_reading() {
        assert!(matches!(read("{\"a\":1}", 6), Err(ReadError::TooLarge)));
    }
}
