//! Helpers shared by the integration tests: fast retry settings, a raw HTTP/1.1 server for
//! what wiremock cannot do (chunked bodies, dropped connections, late listeners), and a log
//! capture for tracing assertions.
#![allow(dead_code)] // each test binary uses a different subset

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_core::{RetryConfig, TransportBuilder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::MockServer;

/// Retry settings with millisecond backoffs, so retry tests take no noticeable time.
pub fn fast_retry(max_attempts: u32) -> RetryConfig {
    RetryConfig {
        max_attempts,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(2),
        max_rate_limit_wait: Duration::from_secs(30),
    }
}

/// A transport builder for `server` (base path `/api`), with fast retries.
pub fn builder(server: &MockServer) -> TransportBuilder {
    api_core::Transport::builder("test", &format!("{}/api", server.uri()))
        .user_agent("api-core-tests/1.0")
        .retry(fast_retry(3))
}

/// A loopback port with nothing listening on it (bound, then released).
pub fn dead_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address").port()
}

/// What the raw server does with the n-th connection (0-based) once it has read the request.
pub enum Reply {
    /// Write these bytes, then close.
    Bytes(Vec<u8>),
    /// Close without answering.
    Close,
}

/// A minimal HTTP/1.1 server on a raw socket: one request per connection.
pub struct RawServer {
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
    task: tokio::task::JoinHandle<()>,
}

impl RawServer {
    /// Serves on a new loopback port.
    pub async fn start(reply: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        Self::serve(listener, reply)
    }

    /// Serves on `listener`.
    pub fn serve(
        listener: TcpListener,
        reply: impl Fn(usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let addr = listener.local_addr().expect("local address");
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let reply = Arc::new(reply);
        let (count, log) = (connections.clone(), requests.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let n = count.fetch_add(1, Ordering::SeqCst);
                let (reply, log) = (reply.clone(), log.clone());
                tokio::spawn(async move {
                    let request = read_request(&mut stream).await;
                    log.lock().expect("request log").push(request);
                    if let Reply::Bytes(bytes) = reply(n) {
                        // The client may have given up already: a failed write is fine.
                        let _ = stream.write_all(&bytes).await;
                        let _ = stream.flush().await;
                    }
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self {
            addr,
            connections,
            requests,
            task,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The raw requests read so far (head and body).
    pub fn requests(&self) -> Vec<Vec<u8>> {
        self.requests.lock().expect("request log").clone()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request: the head, then `Content-Length` bytes of body.
async fn read_request(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = find(&data, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return data;
            }
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return data,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A complete HTTP/1.1 response with a `Content-Length` body.
pub fn http_response(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// A 200 response whose body is sent chunked (no `Content-Length`), `chunk` bytes at a time.
pub fn chunked_response(body: &[u8], chunk: usize) -> Vec<u8> {
    let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for piece in body.chunks(chunk) {
        out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// A shared in-memory sink for a `tracing_subscriber` fmt layer.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    /// Everything written so far.
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

impl io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Installs a TRACE-level fmt subscriber for the current thread that also logs span closes
/// (with every recorded field). Keep the guard alive for the capture's duration; run the
/// test on a current-thread runtime so every task logs through it.
pub fn capture_logs() -> (LogBuffer, tracing::subscriber::DefaultGuard) {
    // tracing caches each callsite's interest process-wide, computed when a thread first
    // reaches it. A test thread with no subscriber of its own would compute it against
    // `NoSubscriber` (never), and a capturing test running beside it would then lose that
    // event: `retrying` went missing 2 runs in 24 under load. A global subscriber that wants
    // every event keeps the cached interest open; events still go to each thread's capture.
    static KEEP_INTEREST: std::sync::Once = std::sync::Once::new();
    KEEP_INTEREST.call_once(|| {
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
    });
    let buffer = LogBuffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (buffer, guard)
}
