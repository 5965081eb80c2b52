//! How a [`Fault`] goes on the wire. A handler cannot close its socket, so the faults that
//! close one answer with a body that fails: hyper then drops the connection. A body that fails
//! at its first frame loses the head too (hyper buffers the head and polls the body before it
//! flushes), so the client reads no byte of an answer; a body that pauses after some data
//! first lets hyper flush the head and that data, then fails, so the client reads a head and
//! part of a body, then the end of the connection.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use http_body::{Frame, SizeHint};
use tokio::time::Sleep;

use super::faults::{Fault, FaultKind, Shape};

/// How long a cut body waits after its last bytes before it fails, so hyper flushes them.
const FLUSH_PAUSE: Duration = Duration::from_millis(5);

/// An answer on its way: what to record, and what to send after how long.
pub(crate) struct Delivery {
    /// The status to record: the one sent, the one the emulator made for a connection dropped
    /// after handling, 0 when nothing answered.
    pub(crate) status: u16,
    /// The fault that met the request.
    pub(crate) fault: Option<FaultKind>,
    delay: Duration,
    response: Response,
}

impl Delivery {
    /// An answer with no fault.
    pub(crate) fn plain(response: Response) -> Self {
        Self {
            status: response.status().as_u16(),
            fault: None,
            delay: Duration::ZERO,
            response,
        }
    }

    /// The answer, after the fault's delay.
    pub(crate) async fn send(self) -> Response {
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        self.response
    }
}

impl Fault {
    /// What the request gets: `handle` (the emulator's answer) is awaited only by the kinds
    /// that let the emulator act.
    pub(crate) async fn deliver(&self, handle: impl Future<Output = Response>) -> Delivery {
        let (status, response) = match self.shape {
            Shape::Status(status) => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let mut response = Response::new(Body::empty());
                *response.status_mut() = status;
                let response = self.dressed(response);
                (response.status().as_u16(), response)
            }
            Shape::Drop {
                after_handling: false,
            } => (0, dropped()),
            Shape::Drop {
                after_handling: true,
            } => (handle.await.status().as_u16(), dropped()),
            Shape::Latency => {
                let response = self.dressed(handle.await);
                (response.status().as_u16(), response)
            }
            Shape::SlowBody { over, chunk_bytes } => {
                let (head, body) = whole(self.dressed(handle.await)).await;
                let pieces: Vec<Bytes> = body
                    .chunks(chunk_bytes.max(1))
                    .map(Bytes::copy_from_slice)
                    .collect();
                let count = u32::try_from(pieces.len().max(1)).unwrap_or(u32::MAX);
                let pause = over.checked_div(count).unwrap_or(Duration::ZERO);
                let mut steps = VecDeque::new();
                if pieces.is_empty() {
                    steps.push_back(Step::Wait(over));
                }
                for piece in pieces {
                    steps.push_back(Step::Wait(pause));
                    steps.push_back(Step::Data(piece));
                }
                let length = u64::try_from(body.len()).unwrap_or(u64::MAX);
                (head.status.as_u16(), scripted(head, length, steps))
            }
            Shape::Truncated { keep_bytes } => {
                let (head, body) = whole(self.dressed(handle.await)).await;
                let promised = body.len().max(1);
                let sent = keep_bytes.min(promised.saturating_sub(1));
                let mut steps = VecDeque::new();
                if let Some(part) = body.get(..sent).filter(|part| !part.is_empty()) {
                    steps.push_back(Step::Data(Bytes::copy_from_slice(part)));
                }
                steps.push_back(Step::Wait(FLUSH_PAUSE));
                steps.push_back(Step::Fail);
                let length = u64::try_from(promised).unwrap_or(u64::MAX);
                (head.status.as_u16(), scripted(head, length, steps))
            }
        };
        Delivery {
            status,
            fault: Some(self.kind()),
            delay: self.delay,
            response,
        }
    }

    /// `response` with the fault's body and headers.
    fn dressed(&self, mut response: Response) -> Response {
        if let Some(body) = &self.body {
            *response.body_mut() = Body::from(body.clone());
            let headers = response.headers_mut();
            headers.remove(CONTENT_LENGTH);
            if serde_json::from_str::<serde_json::Value>(body).is_ok() {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
        }
        let headers = response.headers_mut();
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.insert(name, value);
            }
        }
        response
    }
}

/// A response whose body fails at once: hyper closes the connection without sending its head.
fn dropped() -> Response {
    Response::new(Body::new(Scripted::new(VecDeque::from([Step::Fail]), None)))
}

/// The head of `response` and its whole body (the emulator's answers are small and whole).
async fn whole(response: Response) -> (axum::http::response::Parts, Bytes) {
    let (head, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    (head, body)
}

/// A response with `head`, announcing `length` bytes, whose body follows `steps`.
fn scripted(mut head: axum::http::response::Parts, length: u64, steps: VecDeque<Step>) -> Response {
    head.headers
        .insert(CONTENT_LENGTH, HeaderValue::from(length));
    Response::from_parts(head, Body::new(Scripted::new(steps, Some(length))))
}

/// One step of a [`Scripted`] body.
enum Step {
    /// Pause.
    Wait(Duration),
    /// Send these bytes.
    Data(Bytes),
    /// Fail: hyper drops the connection.
    Fail,
}

/// A body that sends, pauses and fails as its steps say.
struct Scripted {
    steps: VecDeque<Step>,
    pause: Option<Pin<Box<Sleep>>>,
    length: Option<u64>,
}

impl Scripted {
    fn new(steps: VecDeque<Step>, length: Option<u64>) -> Self {
        Self {
            steps,
            pause: None,
            length,
        }
    }
}

impl http_body::Body for Scripted {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        loop {
            if let Some(pause) = this.pause.as_mut() {
                if pause.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.pause = None;
            }
            match this.steps.pop_front() {
                None => return Poll::Ready(None),
                Some(Step::Wait(pause)) => this.pause = Some(Box::pin(tokio::time::sleep(pause))),
                Some(Step::Data(bytes)) => return Poll::Ready(Some(Ok(Frame::data(bytes)))),
                Some(Step::Fail) => {
                    return Poll::Ready(Some(Err(std::io::Error::other(
                        "api-sandbox fault: the connection is dropped",
                    ))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.steps.is_empty() && self.pause.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        self.length
            .map_or_else(SizeHint::default, SizeHint::with_exact)
    }
}
