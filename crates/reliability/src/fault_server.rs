//! A fault-injecting HTTP/1.1 server on loopback, written on a raw socket because the faults
//! that matter most (a reset connection, a stalled or endless body, a lying `Content-Length`)
//! are below what an HTTP mock can express.
//!
//! One request per connection, answered with `Connection: close`, so every request the
//! client sends is a connection the server counts. OAuth2 token requests (a path ending in
//! `/oauth/token`) always get a valid token and are counted apart: the faults are for the
//! API call.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the server does with one API request once it has read it.
#[derive(Debug, Clone)]
pub enum Action {
    /// Write these bytes (a whole response), then close.
    Send(Vec<u8>),
    /// Answer `status` with a `Retry-After` HTTP date `secs` seconds after the moment of
    /// answering, and a JSON `body`.
    RetryAfterDate {
        /// The status line's code and reason, e.g. `429 Too Many Requests`.
        status: &'static str,
        /// Seconds from now.
        secs: u64,
        /// The body.
        body: Vec<u8>,
    },
    /// Reset the connection (RST) without answering.
    Reset,
    /// Write these bytes (a head and part of its body), then reset the connection.
    SendThenReset(Vec<u8>),
    /// Write these bytes, then hold the connection open, silent, for this long.
    SendThenStall(Vec<u8>, Duration),
    /// A 200 whose body of `total` bytes is written 64 KiB at a time until the client stops
    /// reading; with a `Content-Length` of `total`, or chunked without one.
    Stream {
        /// The body's size.
        total: u64,
        /// Whether the head announces the size.
        content_length: bool,
    },
}

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The request line and the headers, as sent.
    pub head: String,
    /// The body (`Content-Length` bytes).
    pub body: Vec<u8>,
}

impl Recorded {
    /// The request line without the version, e.g. `POST /v2/sms/notification/send`.
    pub fn request_line(&self) -> &str {
        let line = self.head.lines().next().unwrap_or_default();
        line.rsplit_once(' ').map_or(line, |(start, _)| start)
    }

    /// A header's value (name matched without regard to case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then_some(value.trim())
        })
    }
}

#[derive(Default)]
struct State {
    requests: Mutex<Vec<Recorded>>,
    token_requests: AtomicUsize,
    streamed: AtomicU64,
    hung_up: AtomicBool,
}

type Plan = dyn Fn(usize) -> Action + Send + Sync;

/// The server. Dropping it (or [`FaultServer::stop`]) closes the listening socket.
pub struct FaultServer {
    addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl FaultServer {
    /// Serves on a new loopback port; `plan(n)` decides the fate of the n-th API request
    /// (0-based).
    ///
    /// # Panics
    /// When no loopback port can be bound (the test cannot run at all).
    pub async fn start(plan: impl Fn(usize) -> Action + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State::default());
        let plan: Arc<Plan> = Arc::new(plan);
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone(), plan.clone()));
            }
        });
        Self { addr, state, task }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops listening: from now on, connections to this port are refused.
    pub fn stop(&self) {
        self.task.abort();
    }

    /// The API requests read so far (token requests excluded).
    pub fn requests(&self) -> Vec<Recorded> {
        self.state
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// How many OAuth2 token requests were answered.
    pub fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }

    /// Body bytes a [`Action::Stream`] managed to write before it finished or the client
    /// hung up.
    pub fn streamed(&self) -> u64 {
        self.state.streamed.load(Ordering::SeqCst)
    }

    /// Whether a write failed because the client had closed the connection.
    pub fn client_hung_up(&self) -> bool {
        self.state.hung_up.load(Ordering::SeqCst)
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A base URL on a loopback port where nothing listens.
///
/// The port stays bound, without listening, until the process ends: connecting to it is
/// refused, and no other test's server can be given it. (Binding a listener and dropping it
/// released the port, and a server of a cell running at the same time could get it: a
/// "connection refused" cell then reached that server.)
///
/// # Panics
/// When no loopback port can be bound.
pub fn refused_uri() -> String {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket
        .bind("127.0.0.1:0".parse().expect("a loopback address"))
        .expect("bind a loopback port");
    let addr = socket.local_addr().expect("local address");
    // Held, never listening, for as long as the tests run (a handful of sockets).
    std::mem::forget(socket);
    format!("http://{addr}")
}

/// A complete response with a `Content-Length` body and any extra headers.
pub fn response(
    status: &str,
    content_type: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A JSON response.
pub fn json(status: &str, body: &str) -> Vec<u8> {
    response(status, "application/json", &[], body.as_bytes())
}

/// The head of a 200 JSON response announcing `length` body bytes and `partial` of them:
/// the rest never comes.
pub fn partial_body(length: usize, partial: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    out.extend_from_slice(partial);
    out
}

async fn serve(mut stream: TcpStream, state: Arc<State>, plan: Arc<Plan>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    if request.request_line().ends_with("/oauth/token") {
        state.token_requests.fetch_add(1, Ordering::SeqCst);
        let token = json(
            "200 OK",
            r#"{"access_token":"fault-matrix-token","token_type":"bearer","expires_in":1200}"#,
        );
        write_all(&mut stream, &token, &state).await;
        let _ = stream.shutdown().await;
        return;
    }
    let n = {
        let mut requests = state.requests.lock().unwrap_or_else(|p| p.into_inner());
        requests.push(request);
        requests.len() - 1
    };
    match plan(n) {
        Action::Send(bytes) => {
            write_all(&mut stream, &bytes, &state).await;
            let _ = stream.shutdown().await;
        }
        Action::RetryAfterDate { status, secs, body } => {
            let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(secs));
            let bytes = response(status, "application/json", &[("Retry-After", &when)], &body);
            write_all(&mut stream, &bytes, &state).await;
            let _ = stream.shutdown().await;
        }
        Action::Reset => reset(stream),
        Action::SendThenReset(bytes) => {
            write_all(&mut stream, &bytes, &state).await;
            // Give the bytes a moment to reach the client before the reset discards them.
            tokio::time::sleep(Duration::from_millis(20)).await;
            reset(stream);
        }
        Action::SendThenStall(bytes, hold) => {
            write_all(&mut stream, &bytes, &state).await;
            tokio::time::sleep(hold).await;
        }
        Action::Stream {
            total,
            content_length,
        } => stream_body(&mut stream, &state, total, content_length).await,
    }
}

/// Closes with RST instead of FIN: zero linger makes the kernel drop the connection.
fn reset(stream: TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}

async fn write_all(stream: &mut TcpStream, bytes: &[u8], state: &State) -> bool {
    let ok = stream.write_all(bytes).await.is_ok() && stream.flush().await.is_ok();
    if !ok {
        state.hung_up.store(true, Ordering::SeqCst);
    }
    ok
}

async fn stream_body(stream: &mut TcpStream, state: &State, total: u64, content_length: bool) {
    let head = if content_length {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {total}\r\nConnection: close\r\n\r\n"
        )
    } else {
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_owned()
    };
    if !write_all(stream, head.as_bytes(), state).await {
        return;
    }
    const CHUNK: usize = 64 * 1024;
    let filler = vec![b' '; CHUNK];
    let mut sent: u64 = 0;
    while sent < total {
        let n = usize::try_from((total - sent).min(CHUNK as u64)).unwrap_or(CHUNK);
        let piece = &filler[..n];
        let ok = if content_length {
            write_all(stream, piece, state).await
        } else {
            let mut framed = format!("{n:x}\r\n").into_bytes();
            framed.extend_from_slice(piece);
            framed.extend_from_slice(b"\r\n");
            write_all(stream, &framed, state).await
        };
        if !ok {
            return;
        }
        sent += n as u64;
        state.streamed.store(sent, Ordering::SeqCst);
    }
    if !content_length {
        write_all(stream, b"0\r\n\r\n", state).await;
    }
    let _ = stream.shutdown().await;
}

/// Reads one request: the head, then `Content-Length` bytes of body. `None` when the client
/// closed first.
async fn read_request(stream: &mut TcpStream) -> Option<Recorded> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).into_owned();
            let length = head
                .lines()
                .find_map(|line| {
                    let (key, value) = line.split_once(':')?;
                    key.trim()
                        .eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                let body = data[end + 4..end + 4 + length].to_vec();
                return Some(Recorded { head, body });
            }
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
}
