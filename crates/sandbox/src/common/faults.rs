//! Faults on demand: the next answers of a provider (or of the paths holding a text) replaced
//! by a given status, headers and body, delayed, sent slowly, cut short, or never sent (the
//! connection closed before or after the emulator acted), and recorded as such. For
//! reproducing a 429 with `Retry-After`, FL3XX's fair-use 403, a 5xx, a slow or lost answer
//! against a real client. How each kind goes on the wire: [`super::delivery`].

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;

/// Bytes in each piece of a [`Fault::slow_body`], unless [`Fault::chunk_bytes`] says.
const DEFAULT_CHUNK_BYTES: usize = 16;

/// One fault: what happens to the next `times` matching requests.
///
/// The kinds, by constructor:
///
/// | constructor | the emulator acts | the client gets |
/// |---|---|---|
/// | [`Fault::status`] | no | the given status, headers and body |
/// | [`Fault::latency`] | yes | the real answer, after the delay |
/// | [`Fault::slow_body`] | yes | the real head at once, the body in small pieces spread over the duration |
/// | [`Fault::truncated`] | yes | the real head with the body's full `Content-Length`, fewer bytes, then the connection closed |
/// | [`Fault::drop_before_handling`] | no | no answer: the connection closed once the request was read |
/// | [`Fault::drop_after_handling`] | yes | no answer: the connection closed after the emulator acted |
///
/// ```
/// use std::time::Duration;
/// use api_sandbox::Fault;
///
/// // The next two FlashStart calls answer 429 with `Retry-After: 1`.
/// let throttled = Fault::status(429).header("retry-after", "1").times(2);
/// // The next send is accepted (the SMS goes), and its answer is lost.
/// let lost = Fault::drop_after_handling().on_path("/sms/");
/// // The next answer arrives 8 bytes at a time over 40 ms.
/// let slow = Fault::slow_body(Duration::from_millis(40)).chunk_bytes(8);
/// # let _ = (throttled, lost, slow);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub(super) shape: Shape,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Option<String>,
    times: u32,
    path_contains: Option<String>,
    pub(super) delay: Duration,
}

/// What a fault does, with its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Status(u16),
    Latency,
    SlowBody { over: Duration, chunk_bytes: usize },
    Truncated { keep_bytes: usize },
    Drop { after_handling: bool },
}

/// The kind of a [`Fault`], as [`crate::RecordedRequest::fault`] names the fault that met a
/// request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaultKind {
    /// A given answer in place of the emulator's ([`Fault::status`]).
    Status,
    /// The real answer, late ([`Fault::latency`]).
    Latency,
    /// The real answer's body in small pieces ([`Fault::slow_body`]).
    SlowBody,
    /// The real answer cut short of its `Content-Length` ([`Fault::truncated`]).
    Truncated,
    /// No answer; the emulator never saw the request ([`Fault::drop_before_handling`]).
    DropBeforeHandling,
    /// No answer; the emulator acted ([`Fault::drop_after_handling`]).
    DropAfterHandling,
}

impl FaultKind {
    /// Every kind, in the order of the table on [`Fault`].
    pub const ALL: [FaultKind; 6] = [
        FaultKind::Status,
        FaultKind::Latency,
        FaultKind::SlowBody,
        FaultKind::Truncated,
        FaultKind::DropBeforeHandling,
        FaultKind::DropAfterHandling,
    ];

    /// Its name in the admin routes' JSON: `"status"`, `"latency"`, `"slow_body"`,
    /// `"truncated"`, `"drop_before_handling"` or `"drop_after_handling"`.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Status => "status",
            FaultKind::Latency => "latency",
            FaultKind::SlowBody => "slow_body",
            FaultKind::Truncated => "truncated",
            FaultKind::DropBeforeHandling => "drop_before_handling",
            FaultKind::DropAfterHandling => "drop_after_handling",
        }
    }

    /// The kind of that [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<FaultKind> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

impl Fault {
    fn new(shape: Shape) -> Self {
        Self {
            shape,
            headers: Vec::new(),
            body: None,
            times: 1,
            path_contains: None,
            delay: Duration::ZERO,
        }
    }

    /// An answer with `status`, no body, once, in place of the emulator's (which never sees
    /// the request).
    pub fn status(status: u16) -> Self {
        Self::new(Shape::Status(status))
    }

    /// The real answer, sent `delay` after the emulator made it (its side effect happens at
    /// once; a client that gives up first has lost an answer, not a request).
    pub fn latency(delay: Duration) -> Self {
        Self {
            delay,
            ..Self::new(Shape::Latency)
        }
    }

    /// The real answer: its head at once (with the body's `Content-Length`), then its body in
    /// pieces of [`chunk_bytes`](Self::chunk_bytes) (16 unless set), each after an equal share
    /// of `over`.
    pub fn slow_body(over: Duration) -> Self {
        Self::new(Shape::SlowBody {
            over,
            chunk_bytes: DEFAULT_CHUNK_BYTES,
        })
    }

    /// The real answer with its full `Content-Length`, but only its first `keep_bytes` bytes
    /// of body (always at least one byte short; an empty body is announced as one byte), then
    /// the connection closed.
    pub fn truncated(keep_bytes: usize) -> Self {
        Self::new(Shape::Truncated { keep_bytes })
    }

    /// No answer: once the request is read, the connection is closed; the emulator never sees
    /// the request (nothing happened). Recorded with status 0.
    pub fn drop_before_handling() -> Self {
        Self::new(Shape::Drop {
            after_handling: false,
        })
    }

    /// No answer: the emulator handles the request (the SMS is accepted, the licence
    /// assigned, the payment captured), then the connection is closed without a byte of its
    /// answer. Recorded with the status the emulator answered.
    pub fn drop_after_handling() -> Self {
        Self::new(Shape::Drop {
            after_handling: true,
        })
    }

    /// The same, with a header on the answer it sends: the given one, or the real one (where
    /// it replaces a header of that name). The drops send nothing.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The same, with `body` in place of the answer's body (sent as JSON when it parses as
    /// JSON): the given answer's, or the real one's (status and headers kept). The drops send
    /// nothing.
    pub fn body(mut self, body: &str) -> Self {
        self.body = Some(body.to_owned());
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

    /// The same, after `delay`: the answer's head leaves (or the connection closes) that long
    /// after the request was read (and handled, when the kind handles it). For
    /// [`Fault::latency`], the latency itself.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// The same, with a [`Fault::slow_body`] sent `bytes` at a time (at least 1); other kinds
    /// ignore it.
    pub fn chunk_bytes(mut self, bytes: usize) -> Self {
        if let Shape::SlowBody { chunk_bytes, .. } = &mut self.shape {
            *chunk_bytes = bytes.max(1);
        }
        self
    }

    /// Its kind.
    pub fn kind(&self) -> FaultKind {
        match self.shape {
            Shape::Status(_) => FaultKind::Status,
            Shape::Latency => FaultKind::Latency,
            Shape::SlowBody { .. } => FaultKind::SlowBody,
            Shape::Truncated { .. } => FaultKind::Truncated,
            Shape::Drop {
                after_handling: false,
            } => FaultKind::DropBeforeHandling,
            Shape::Drop {
                after_handling: true,
            } => FaultKind::DropAfterHandling,
        }
    }

    /// A fault from the admin route's JSON: `{"kind", "status", "headers": {name: value},
    /// "body", "times", "path", "delay_ms", "over_ms", "chunk_bytes", "keep_bytes"}`.
    /// `kind` is `"status"` when absent; `status` is required for it and refused for the
    /// others; `latency` requires `delay_ms`, `slow_body` requires `over_ms`, `truncated`
    /// requires `keep_bytes`. The error says what is wrong.
    pub(crate) fn from_json(spec: &Value) -> Result<Fault, String> {
        let kind = match spec.get("kind") {
            None | Some(Value::Null) => FaultKind::Status,
            Some(kind) => kind
                .as_str()
                .and_then(FaultKind::from_name)
                .ok_or_else(|| {
                    let names: Vec<&str> = FaultKind::ALL.iter().map(|k| k.name()).collect();
                    format!("`kind` is one of {}", names.join(", "))
                })?,
        };
        let millis = |field: &str| -> Result<Option<Duration>, String> {
            match spec.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(value) => value
                    .as_u64()
                    .map(|ms| Some(Duration::from_millis(ms)))
                    .ok_or_else(|| format!("`{field}` is a number of milliseconds, 0 or more")),
            }
        };
        let bytes = |field: &str| -> Result<Option<usize>, String> {
            match spec.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(value) => value
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .map(Some)
                    .ok_or_else(|| format!("`{field}` is a number of bytes, 0 or more")),
            }
        };
        let required = |field: &str| format!("`{field}` is required for kind {:?}", kind.name());
        let delay = millis("delay_ms")?;
        let status = spec.get("status").filter(|s| !s.is_null());
        let mut fault = match kind {
            FaultKind::Status => {
                let status = status
                    .and_then(Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok())
                    .filter(|s| (100..=999).contains(s))
                    .ok_or("`status` (a number, 100 to 999) is required")?;
                Fault::status(status)
            }
            _ if status.is_some() => {
                return Err(format!(
                    "`status` is only for kind \"status\", not {:?}",
                    kind.name()
                ));
            }
            FaultKind::Latency => Fault::latency(delay.ok_or_else(|| required("delay_ms"))?),
            FaultKind::SlowBody => {
                let fault =
                    Fault::slow_body(millis("over_ms")?.ok_or_else(|| required("over_ms"))?);
                match bytes("chunk_bytes")? {
                    Some(chunk) => fault.chunk_bytes(chunk),
                    None => fault,
                }
            }
            FaultKind::Truncated => {
                Fault::truncated(bytes("keep_bytes")?.ok_or_else(|| required("keep_bytes"))?)
            }
            FaultKind::DropBeforeHandling => Fault::drop_before_handling(),
            FaultKind::DropAfterHandling => Fault::drop_after_handling(),
        };
        if let Some(delay) = delay {
            fault = fault.delay(delay);
        }
        if let Some(headers) = spec.get("headers").and_then(Value::as_object) {
            for (name, value) in headers {
                let value = value
                    .as_str()
                    .ok_or_else(|| format!("the value of header {name:?} is a text"))?;
                fault = fault.header(name, value);
            }
        }
        if let Some(body) = spec.get("body").and_then(Value::as_str) {
            fault = fault.body(body);
        }
        if let Some(times) = spec.get("times").filter(|t| !t.is_null()) {
            let times = times
                .as_u64()
                .and_then(|t| u32::try_from(t).ok())
                .ok_or("`times` is a number, 0 or more")?;
            fault = fault.times(times);
        }
        if let Some(path) = spec.get("path").and_then(Value::as_str) {
            fault = fault.on_path(path);
        }
        Ok(fault)
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

    /// How many requests the waiting faults will still meet.
    pub fn pending(&self) -> u32 {
        self.lock()
            .iter()
            .fold(0u32, |sum, f| sum.saturating_add(f.times))
    }

    /// The first fault waiting for `path`, counted used; `None` when none waits for it.
    pub(crate) fn take(&self, path: &str) -> Option<Fault> {
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
        Some(taken)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_kind_reads_from_its_json() {
        let cases = [
            (json!({"status": 503}), Fault::status(503)),
            (
                json!({"kind": "latency", "delay_ms": 30, "times": 2}),
                Fault::latency(Duration::from_millis(30)).times(2),
            ),
            (
                json!({"kind": "slow_body", "over_ms": 40, "chunk_bytes": 4, "path": "/sms"}),
                Fault::slow_body(Duration::from_millis(40))
                    .chunk_bytes(4)
                    .on_path("/sms"),
            ),
            (
                json!({"kind": "truncated", "keep_bytes": 5}),
                Fault::truncated(5),
            ),
            (
                json!({"kind": "drop_before_handling"}),
                Fault::drop_before_handling(),
            ),
            (
                json!({"kind": "drop_after_handling", "delay_ms": 5}),
                Fault::drop_after_handling().delay(Duration::from_millis(5)),
            ),
        ];
        for (spec, fault) in cases {
            assert_eq!(Fault::from_json(&spec), Ok(fault), "{spec}");
        }
    }

    #[test]
    fn a_malformed_fault_is_refused_with_a_reason() {
        for (spec, reason) in [
            (json!({}), "`status`"),
            (json!({"status": 70000}), "`status`"),
            (json!({"kind": "latency"}), "`delay_ms` is required"),
            (json!({"kind": "latency", "delay_ms": -1}), "`delay_ms`"),
            (json!({"kind": "slow_body"}), "`over_ms` is required"),
            (json!({"kind": "truncated"}), "`keep_bytes` is required"),
            (
                json!({"kind": "truncated", "keep_bytes": 1, "status": 200}),
                "only for",
            ),
            (json!({"kind": "reset"}), "`kind` is one of"),
            (json!({"status": 500, "headers": {"a": 1}}), "header"),
            (json!({"status": 500, "times": "two"}), "`times`"),
        ] {
            let error = Fault::from_json(&spec).expect_err("refused");
            assert!(error.contains(reason), "{spec}: {error}");
        }
    }

    #[test]
    fn names_round_trip() {
        for kind in FaultKind::ALL {
            assert_eq!(FaultKind::from_name(kind.name()), Some(kind));
        }
    }

    #[test]
    fn a_fault_meets_its_matching_requests_times_over() {
        let faults = Faults::default();
        faults.inject(Fault::drop_after_handling().on_path("/sms").times(2));
        faults.inject(Fault::status(500));
        assert_eq!(faults.pending(), 3);
        let kinds = ["/x", "/sms/send", "/sms/send", "/sms/send"]
            .map(|path| faults.take(path).map(|f| f.kind()));
        assert_eq!(
            kinds,
            [
                Some(FaultKind::Status),
                Some(FaultKind::DropAfterHandling),
                Some(FaultKind::DropAfterHandling),
                None
            ]
        );
        assert_eq!(faults.pending(), 0);
    }
}
