//! Faults on demand: the next answers of a provider (or of the paths holding a text) replaced
//! by a given status, headers and body, whatever the request, and recorded as such. For
//! reproducing a 429 with `Retry-After`, FL3XX's fair-use 403 or a 5xx against a real client.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;

/// One fault: what the next `times` matching requests are answered with.
///
/// ```
/// use api_sandbox::Fault;
///
/// // The next two FlashStart calls answer 429 with `Retry-After: 1`.
/// let fault = Fault::status(429).header("retry-after", "1").times(2);
/// # let _ = fault;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    times: u32,
    path_contains: Option<String>,
    delay: Duration,
}

impl Fault {
    /// An answer with `status`, no body, once.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: String::new(),
            times: 1,
            path_contains: None,
            delay: Duration::ZERO,
        }
    }

    /// The same, with a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The same, with a body (sent as JSON when it parses as JSON).
    pub fn body(mut self, body: &str) -> Self {
        self.body = body.to_owned();
        self
    }

    /// The same, for the next `times` matching requests.
    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }

    /// The same, only for requests whose path contains `text`.
    pub fn on_path(mut self, text: &str) -> Self {
        self.path_contains = Some(text.to_owned());
        self
    }

    /// The same, answered after `delay`.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    fn response(&self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = Response::new(Body::from(self.body.clone()));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        if serde_json::from_str::<serde_json::Value>(&self.body).is_ok() {
            headers.insert(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
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

/// The faults waiting for one provider's requests, shared by every clone.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    queue: Arc<Mutex<Vec<Fault>>>,
}

impl Faults {
    /// Queues `fault` after any already waiting.
    pub fn inject(&self, fault: Fault) {
        self.lock().push(fault);
    }

    /// Drops every waiting fault.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many answers the waiting faults will still replace.
    pub fn pending(&self) -> u32 {
        self.lock().iter().map(|f| f.times).sum()
    }

    /// The answer of the first fault matching `path`, counting it used; `None` when no fault
    /// waits for it.
    pub(crate) async fn answer(&self, path: &str) -> Option<Response> {
        let fault = {
            let mut queue = self.lock();
            let index = queue.iter().position(|f| {
                f.times > 0
                    && f.path_contains
                        .as_deref()
                        .is_none_or(|text| path.contains(text))
            })?;
            let fault = queue.get_mut(index)?;
            fault.times = fault.times.saturating_sub(1);
            let taken = fault.clone();
            if fault.times == 0 {
                queue.remove(index);
            }
            taken
        };
        if !fault.delay.is_zero() {
            tokio::time::sleep(fault.delay).await;
        }
        Some(fault.response())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
