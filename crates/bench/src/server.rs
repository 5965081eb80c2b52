//! A dumb fixed-answer HTTP/1.1 server on loopback: it does as little as possible, so that
//! the client's own cost is what a ratio shows (the sandbox's bookkeeping would dilute it).

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// One request as the server saw it: enough to check that two senders sent the same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Method and path with query.
    pub line: String,
    /// Header names and values, sorted (their order on the wire is not significant).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// A paged list: the server answers `limit` items from `offset` until `total`, or the whole
/// `big` page when no total is set.
pub struct Paged {
    /// One item, serialized.
    pub item: Bytes,
    /// The JSON before the items (`{"data":[`), and after them (`]}`).
    pub prefix: &'static str,
    /// See `prefix`.
    pub suffix: &'static str,
    /// How the page is asked for.
    pub style: PageQuery,
}

/// The query parameters naming a page.
#[derive(Debug, Clone, Copy)]
pub enum PageQuery {
    /// `offset` + `limit` (FL3XX).
    Offset,
    /// `page_number` (from 1) + `page_size` (Flexiti).
    PageNumber,
    /// No paging: always the big page (FlashStart's licence list).
    None,
}

/// What the server answers.
#[derive(Default)]
pub struct Answers {
    /// Exact path (without query) → JSON body.
    pub fixed: HashMap<String, Bytes>,
    /// Path → paged list.
    pub paged: HashMap<String, Paged>,
    /// Items in every paged list; `None` answers each list's `big` page.
    pub paged_total: Option<u64>,
    /// Items in a big page.
    pub big_items: usize,
}

/// The shared state: answers, counters, and an optional request recorder.
pub struct State {
    answers: Answers,
    big_pages: HashMap<String, Bytes>,
    token_requests: AtomicU64,
    /// `expires_in` of the next token answers, in seconds.
    token_lifetime: AtomicU64,
    recorder: Mutex<Option<Vec<Seen>>>,
}

impl State {
    /// Token requests answered so far.
    pub fn token_requests(&self) -> u64 {
        self.token_requests.load(Ordering::SeqCst)
    }

    /// Sets the `expires_in` of later token answers.
    pub fn set_token_lifetime(&self, seconds: u64) {
        self.token_lifetime.store(seconds, Ordering::SeqCst);
    }

    /// Starts recording requests (forgetting earlier ones).
    pub fn record(&self) {
        *self.recorder.lock().unwrap_or_else(|p| p.into_inner()) = Some(Vec::new());
    }

    /// Stops recording and returns what was seen.
    pub fn recorded(&self) -> Vec<Seen> {
        self.recorder
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .unwrap_or_default()
    }
}

/// A running server: on the measuring runtime (the side-by-side figures: no request waits for
/// a thread to wake), or on a thread and runtime of its own (instruction counts, token,
/// paging: its work is never counted with the client's).
pub struct Server {
    /// `http://127.0.0.1:port`.
    pub url: String,
    /// Counters and recorder.
    pub state: Arc<State>,
}

impl Server {
    /// Starts serving `answers` on a free loopback port, on a thread of its own.
    pub fn start(answers: Answers) -> std::io::Result<Server> {
        Self::start_with(answers, Placement::OwnThread)
    }

    /// Starts serving `answers` as a task on the calling runtime.
    pub fn start_here(answers: Answers) -> std::io::Result<Server> {
        Self::start_with(answers, Placement::Here)
    }

    fn start_with(answers: Answers, placement: Placement) -> std::io::Result<Server> {
        let big_pages = answers
            .paged
            .iter()
            .map(|(path, paged)| (path.clone(), page_body(paged, answers.big_items)))
            .collect();
        let state = Arc::new(State {
            answers,
            big_pages,
            token_requests: AtomicU64::new(0),
            token_lifetime: AtomicU64::new(3600),
            recorder: Mutex::new(None),
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr: SocketAddr = listener.local_addr()?;
        let shared = state.clone();
        if let Placement::Here = placement {
            tokio::spawn(serve(listener, shared));
            return Ok(Server {
                url: format!("http://{addr}"),
                state,
            });
        }
        std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        eprintln!("bench server: no runtime: {error}");
                        return;
                    }
                };
                runtime.block_on(serve(listener, shared));
            })?;
        Ok(Server {
            url: format!("http://{addr}"),
            state,
        })
    }
}

/// Where the server runs.
enum Placement {
    /// A thread and current-thread runtime of its own.
    OwnThread,
    /// A task on the caller's runtime.
    Here,
}

async fn serve(listener: std::net::TcpListener, state: Arc<State>) {
    let listener = match TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("bench server: {error}");
            return;
        }
    };
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(state.clone(), request));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts.uri.path();
    {
        let mut recorder = state.recorder.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(seen) = recorder.as_mut() {
            let mut headers: Vec<(String, String)> = parts
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            headers.sort();
            seen.push(Seen {
                line: format!("{} {}", parts.method, parts.uri),
                headers,
                body: body.to_vec(),
            });
        }
    }
    let answer = if path.ends_with("/oauth/token") {
        state.token_requests.fetch_add(1, Ordering::SeqCst);
        let lifetime = state.token_lifetime.load(Ordering::SeqCst);
        // One token value for everyone, so that client and baseline send the same bytes.
        Some(Bytes::from(format!(
            r#"{{"access_token":"bench-token","token_type":"bearer","expires_in":{lifetime}}}"#
        )))
    } else if let Some(paged) = state.answers.paged.get(path) {
        match state.answers.paged_total {
            None => state.big_pages.get(path).cloned(),
            Some(total) => {
                let (offset, limit) = page_of(paged.style, parts.uri.query().unwrap_or(""));
                let count = total.saturating_sub(offset).min(limit);
                Some(page_body(paged, usize::try_from(count).unwrap_or(0)))
            }
        }
    } else {
        state.answers.fixed.get(path).cloned()
    };
    let response = match answer {
        Some(body) => Response::builder()
            .header("content-type", "application/json")
            .body(Full::new(body)),
        None => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from_static(br#"{"message":"not found"}"#))),
    };
    Ok(response.unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}

/// `(offset, limit)` from a query, in items.
fn page_of(style: PageQuery, query: &str) -> (u64, u64) {
    let value = |name: &str| {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| v.parse::<u64>().ok())
    };
    match style {
        PageQuery::Offset => (value("offset").unwrap_or(0), value("limit").unwrap_or(50)),
        PageQuery::PageNumber => {
            let size = value("page_size").unwrap_or(50);
            let page = value("page_number").unwrap_or(1).max(1);
            ((page - 1) * size, size)
        }
        PageQuery::None => (0, u64::MAX),
    }
}

/// `count` copies of the item between the prefix and suffix.
pub fn page_body(paged: &Paged, count: usize) -> Bytes {
    let mut out = Vec::with_capacity(
        paged.prefix.len() + paged.suffix.len() + count * (paged.item.len() + 1),
    );
    out.extend_from_slice(paged.prefix.as_bytes());
    for i in 0..count {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&paged.item);
    }
    out.extend_from_slice(paged.suffix.as_bytes());
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_read_from_either_query_style() {
        assert_eq!(
            page_of(PageQuery::Offset, "filter=x&limit=50&offset=100"),
            (100, 50)
        );
        assert_eq!(
            page_of(PageQuery::PageNumber, "page_number=3&page_size=20"),
            (40, 20)
        );
        assert_eq!(page_of(PageQuery::PageNumber, ""), (0, 50));
        let paged = Paged {
            item: Bytes::from_static(b"{}"),
            prefix: "[",
            suffix: "]",
            style: PageQuery::None,
        };
        assert_eq!(&page_body(&paged, 3)[..], b"[{},{},{}]");
        assert_eq!(&page_body(&paged, 0)[..], b"[]");
    }
}
