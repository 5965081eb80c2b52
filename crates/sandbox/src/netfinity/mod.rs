//! The Netfinity v2 SMS notification API: `POST /netfinity/v2/sms/notification/send`, its
//! documented errors, a per-token throttle, and delivery pingbacks to a callback URL.

mod gsm;
mod pingback;
mod send;
mod validate;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

use crate::RecordedRequest;

/// The path prefix of the emulator; the client's base URL is `{base}/netfinity/v2`.
pub(crate) const PREFIX: &str = "/netfinity/v2";

/// How long flood protection remembers a text sent to a number (a re-used `id` is refused
/// with no time limit).
const FLOOD_WINDOW: Duration = Duration::from_secs(10 * 60);

/// Adds the emulator's routes under [`PREFIX`] to `app` (from the spec's operation table).
pub(crate) fn mount(app: Router, handle: NetfinityHandle) -> Router {
    app.merge(send::routes(handle))
}

/// How the Netfinity emulator behaves.
#[derive(Debug, Clone)]
pub struct NetfinityConfig {
    /// The bearer token that may send SMS. Default `"sandbox-netfinity-token"`.
    pub token: String,
    /// A valid token that lacks the SMS capability: requests with it get 403
    /// `{"message":"Token capabilities missing"}`. Default `Some("sandbox-netfinity-no-sms")`.
    pub limited_token: Option<String>,
    /// Requests allowed per token in one [`window`](Self::window). Default 60.
    pub limit: u32,
    /// The length of the fixed throttle window. Default 60 s.
    pub window: Duration,
    /// Where pingbacks are POSTed; `None` sends none. Default `None`. Can be changed later
    /// with [`NetfinityHandle::set_callback_url`].
    pub callback_url: Option<String>,
    /// The delay before the first pingback of a message and between its pingbacks.
    /// Default 200 ms.
    pub pingback_delay: Duration,
    /// The delay between delivery attempts of one pingback (3 s, as documented). Default 3 s.
    pub pingback_retry_delay: Duration,
}

impl Default for NetfinityConfig {
    fn default() -> Self {
        Self {
            token: "sandbox-netfinity-token".to_owned(),
            limited_token: Some("sandbox-netfinity-no-sms".to_owned()),
            limit: 60,
            window: Duration::from_secs(60),
            callback_url: None,
            pingback_delay: Duration::from_millis(200),
            pingback_retry_delay: Duration::from_secs(3),
        }
    }
}

/// A message the sandbox accepted (answered 200).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedSms {
    /// The `uuid` the sandbox assigned and returned.
    pub uuid: String,
    /// The destination number.
    pub msisdn: String,
    /// The message text.
    pub text: String,
    /// The caller's `id`, when the request had one.
    pub id: Option<String>,
}

/// One pingback the sandbox finished delivering: acknowledged, or given up after 4 attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingbackRecord {
    /// The message's `uuid`.
    pub uuid: String,
    /// The message's `id`, when it had one.
    pub id: Option<String>,
    /// The status code reported (`payload.status.code`), e.g. 201.
    pub code: u16,
    /// The JSON body that was POSTed.
    pub body: serde_json::Value,
    /// How many POSTs were made (1 to 4).
    pub attempts: u32,
    /// True when the receiver answered HTTP 200.
    pub acknowledged: bool,
    /// The body of the receiver's 200 answer (lossy UTF-8), when acknowledged.
    pub ack_body: Option<String>,
}

/// A cheap, cloneable view of the Netfinity emulator's shared state.
#[derive(Debug, Clone)]
pub struct NetfinityHandle {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// Faults waiting for this emulator's next requests.
    faults: crate::Faults,
    /// Tokens revoked since the start.
    revoked: crate::common::revoked::Revoked,
    /// The sandbox's clock.
    clock: crate::Clock,
    config: NetfinityConfig,
    callback_url: Mutex<Option<String>>,
    state: Mutex<State>,
    /// Woken whenever a pingback record is added.
    pingback_recorded: Notify,
    /// Becomes `true` when the sandbox stops; cancels pingbacks.
    stopped: watch::Receiver<bool>,
}

#[derive(Debug, Default)]
struct State {
    requests: Vec<RecordedRequest>,
    /// When each of `requests` arrived (same order).
    arrivals: Vec<std::time::Instant>,
    accepted: Vec<AcceptedSms>,
    pingbacks: Vec<PingbackRecord>,
    windows: HashMap<String, crate::common::window::Window>,
    /// The texts sent to each number in the last 10 minutes.
    recent: VecDeque<Recent>,
    /// Every `id` ever accepted: a re-used `id` is refused with no time limit (api-notes
    /// §B.2.3, SEEN: "an `id` is re-used" is flood protection, the 10 minutes are for "the
    /// same text … to the same number").
    used_ids: std::collections::HashSet<String>,
}

/// An accepted text to a number, remembered for flood protection.
#[derive(Debug)]
struct Recent {
    at: Instant,
    msisdn: String,
    text: String,
}

impl NetfinityHandle {
    pub(crate) fn new(
        config: NetfinityConfig,
        stopped: watch::Receiver<bool>,
        clock: crate::Clock,
    ) -> Self {
        Self {
            inner: Arc::new(Shared {
                faults: crate::Faults::default(),
                revoked: crate::common::revoked::Revoked::default(),
                clock,
                callback_url: Mutex::new(config.callback_url.clone()),
                config,
                state: Mutex::default(),
                pingback_recorded: Notify::new(),
                stopped,
            }),
        }
    }

    /// Sets (or clears, with `None`) where pingbacks of messages accepted from now on go.
    /// Pingbacks of messages accepted earlier keep the URL that was set when they were
    /// accepted.
    pub fn set_callback_url(&self, url: Option<String>) {
        *lock(&self.inner.callback_url) = url;
    }

    /// Back to the state the sandbox started with: the recorded requests, the emulator's
    /// data, its pending faults and its revoked credentials are forgotten. The clock stays
    /// where it is (it never goes back); deliveries already on their way still arrive.
    pub fn reset(&self) {
        *self.state() = State::default();
        *lock(&self.inner.callback_url) = self.config().callback_url.clone();
        self.inner.faults.clear();
        self.inner.revoked.clear();
    }

    /// The faults waiting for this emulator's next requests: `inject` one to have the next
    /// answers replaced (a 429 with `Retry-After`, a 503), delayed, slowed, cut short or
    /// lost, whatever the request; they are recorded with the request they met.
    pub fn faults(&self) -> crate::Faults {
        self.inner.faults.clone()
    }

    /// Revokes a bearer token, as Netfinity's panel does: from now on a request carrying it
    /// gets the documented 401 `{"message":"Bearer token wrong"}`. True when it was a token
    /// the emulator accepted ([`NetfinityConfig::token`] or
    /// [`NetfinityConfig::limited_token`]).
    pub fn revoke_token(&self, token: &str) -> bool {
        self.inner.revoked.revoke(token);
        let config = &self.inner.config;
        token == config.token || config.limited_token.as_deref() == Some(token)
    }

    /// The sandbox's clock, as this emulator reads it.
    pub(crate) fn clock(&self) -> &crate::Clock {
        &self.inner.clock
    }

    /// Every request under the prefix (the send endpoint, and any other path), in the order
    /// they were answered.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// When each request of [`NetfinityHandle::requests`] was counted against its token's
    /// window (its body read and answered), in the same order: lets a test check the
    /// traffic in any window, not only in the sandbox's own fixed ones.
    pub fn arrivals(&self) -> Vec<std::time::Instant> {
        self.state().arrivals.clone()
    }

    /// Every accepted message, in order.
    pub fn accepted(&self) -> Vec<AcceptedSms> {
        self.state().accepted.clone()
    }

    /// Every pingback finished so far (acknowledged, or given up after its retries), in the
    /// order they finished. A pingback still being delivered is not listed.
    pub fn pingbacks(&self) -> Vec<PingbackRecord> {
        self.state().pingbacks.clone()
    }

    /// Waits until at least `n` pingbacks are finished (acknowledged or given up); false when
    /// `timeout` passes first.
    pub async fn wait_for_pingbacks(&self, n: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.inner.pingback_recorded.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if self.state().pingbacks.len() >= n {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.state().pingbacks.len() >= n;
            }
        }
    }

    fn config(&self) -> &NetfinityConfig {
        &self.inner.config
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.inner.state)
    }

    fn callback_url(&self) -> Option<String> {
        lock(&self.inner.callback_url).clone()
    }

    fn record_request(&self, request: RecordedRequest) {
        let mut state = self.state();
        state.requests.push(request);
        state.arrivals.push(std::time::Instant::now());
    }

    fn record_pingback(&self, record: PingbackRecord) {
        self.state().pingbacks.push(record);
        self.inner.pingback_recorded.notify_waiters();
    }
}

/// Locks a mutex; a panic elsewhere while holding it leaves plain data, still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
