//! A minimal HTTP/1.1 client for the callbacks the sandbox makes (plain `http://` only).
//!
//! It is hyper's connection API, which axum already builds. reqwest is not used: in a build
//! where another crate turns on reqwest's `rustls-no-provider` feature (as `api-core` does),
//! building a `reqwest::Client` panics until some code installs a rustls crypto provider, and
//! the sandbox must work before, and without, any client.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::header::HOST;
use axum::http::{HeaderName, HeaderValue, Method, Request, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;

/// Largest answer body read.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// An answer to a callback.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The status code.
    pub(crate) status: u16,
    /// The body.
    pub(crate) body: Bytes,
}

/// POSTs `body` to `url` with `headers`; the whole exchange (connect, send, read the answer)
/// must finish within `timeout`. Errors are described in text, for logs.
pub(crate) async fn post(
    url: &str,
    headers: &[(HeaderName, &'static str)],
    body: Bytes,
    timeout: Duration,
) -> Result<Answer, String> {
    let headers: Vec<(HeaderName, HeaderValue)> = headers
        .iter()
        .map(|(name, value)| (name.clone(), HeaderValue::from_static(value)))
        .collect();
    post_with(url, &headers, body, timeout).await
}

/// [`post`] with header values built at run time (such as a signature).
pub(crate) async fn post_with(
    url: &str,
    headers: &[(HeaderName, HeaderValue)],
    body: Bytes,
    timeout: Duration,
) -> Result<Answer, String> {
    let uri: Uri = url.parse().map_err(|e| format!("bad URL {url:?}: {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err(format!("only http:// URLs are supported, not {url:?}"));
    }
    let authority = uri
        .authority()
        .ok_or_else(|| format!("no host in {url:?}"))?
        .clone();
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let port = authority.port_u16().unwrap_or(80);
    let path = uri.path_and_query().map_or("/", |p| p.as_str());

    let mut request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(HOST, authority.as_str());
    for (name, value) in headers {
        request = request.header(name, value.clone());
    }
    let request = request
        .body(Full::new(body))
        .map_err(|e| format!("bad request: {e}"))?;

    let exchange = async {
        let stream = tokio::net::TcpStream::connect((host, port))
            .await
            .map_err(|e| format!("connect to {host}:{port}: {e}"))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        // Drives the connection; it ends once `sender` is dropped.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("send: {e}"))?;
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| format!("read the answer: {e}"))?
            .to_bytes();
        Ok(Answer { status, body })
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("no answer within {} s", timeout.as_secs_f32()))?
}
