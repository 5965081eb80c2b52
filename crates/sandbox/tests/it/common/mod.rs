//! What the emulator tests share: one raw HTTP/1.1 exchange with exactly the headers a test
//! gives (an HTTP client library would add its own, such as `Accept: */*`).
#![allow(dead_code)] // each test binary uses a different subset

use axum::body::Bytes;
use axum::http::{HeaderMap, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// An answer: status, headers, body as JSON (Null when not JSON) and as text.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One HTTP/1.1 exchange with exactly the given headers (plus `Host` and `Content-Length`).
pub async fn call(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let uri: Uri = url.parse().expect("url");
    let authority = uri.authority().expect("authority").clone();
    let stream = tokio::net::TcpStream::connect(authority.as_str())
        .await
        .expect("connects");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(connection);
    let mut request = Request::builder()
        .method(method)
        .uri(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header("host", authority.as_str());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Full::new(Bytes::from(body.to_owned())))
        .expect("request");
    let response = sender
        .send_request(request)
        .await
        .expect("the sandbox answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Answer {
        status,
        headers,
        json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A URL on a loopback port where nothing listens: bound, never listening, until the tests
/// end, so connections are refused and no server of a test running at the same time can be
/// given the port.
pub fn refused_url(path: &str) -> String {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket
        .bind("127.0.0.1:0".parse().expect("a loopback address"))
        .expect("bind");
    let addr = socket.local_addr().expect("addr");
    std::mem::forget(socket);
    format!("http://{addr}{path}")
}
