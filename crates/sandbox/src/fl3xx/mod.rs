//! The FL3XX API v2 (`https://test.fl3xx.com/api/v2`): the two auth headers, one data set per
//! operator token, a fair-use throttle, flights with their permits and slots/PPRs, airports,
//! partner fuel prices, webhook subscriptions with signed deliveries, crew qualifications and
//! qualification types; and the most used reads of API v1 (`/api/external/...`, the token
//! alone).
//!
//! Shapes the public documentation does not show (error bodies, list envelopes, flight field
//! names) follow the research notes' inferences; the README lists which ones.

mod airports;
mod crew;
mod flights;
mod fuel;
mod handlers;
mod problem;
mod routes;
mod v1;
mod webhooks;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use serde_json::Value;
use time::OffsetDateTime;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

use crate::RecordedRequest;
use crate::common::ids::uuid_string;
use flights::Flight;
use fuel::FuelPrice;
use webhooks::Subscription;

/// The path prefix of the emulator; the client's base URL is `{base}/fl3xx` and it appends
/// `/api/v2/...`.
pub(crate) const PREFIX: &str = "/fl3xx";

/// The first flight id handed out; every operator's flights share the sequence.
const FIRST_FLIGHT_ID: u64 = 5000;
/// The first crew qualification id handed out (all operators share the sequence).
const FIRST_QUALIFICATION_ID: u64 = 101;

/// Adds the emulator to `app`: every path under [`PREFIX`] (known or not) is answered and
/// recorded by the emulator, which dispatches on the path itself.
pub(crate) fn mount(app: Router, handle: Fl3xxHandle) -> Router {
    // Merged, not nested: a nested router does not see the original path.
    app.merge(routes::routes(handle))
}

/// How the FL3XX emulator behaves.
#[derive(Debug, Clone)]
pub struct Fl3xxConfig {
    /// The partner application's id, expected in the `X-Api-Client-Id` header. Default
    /// `"sandbox-fl3xx-client"`.
    pub client_id: String,
    /// The operator tokens accepted in `X-Auth-Token`; each one is an operator with its own
    /// data (flights, fuel prices, subscriptions, crew qualifications). The first one has the
    /// partner (fuel price) permission, the others do not. Default
    /// `["sandbox-fl3xx-operator-a", "sandbox-fl3xx-operator-b"]`.
    pub tokens: Vec<String>,
    /// Requests allowed per token in one [`fair_use_window`](Self::fair_use_window); more
    /// are answered 403. Default 60.
    pub fair_use_limit: u32,
    /// The length of the fixed fair-use window. Default 60 s.
    pub fair_use_window: Duration,
    /// Flights seeded per operator. Default 120.
    pub flights: usize,
}

impl Default for Fl3xxConfig {
    fn default() -> Self {
        Self {
            client_id: "sandbox-fl3xx-client".to_owned(),
            tokens: vec![
                "sandbox-fl3xx-operator-a".to_owned(),
                "sandbox-fl3xx-operator-b".to_owned(),
            ],
            fair_use_limit: 60,
            fair_use_window: Duration::from_secs(60),
            flights: 120,
        }
    }
}

/// One webhook delivery the sandbox finished: acknowledged (a 2xx answer), or given up after
/// 3 attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDeliveryRecord {
    /// The subscription delivered to, e.g. `"WS-1"`.
    pub subscription_id: String,
    /// Where it was POSTed.
    pub callback_url: String,
    /// The exact body sent (every attempt sends the same bytes).
    pub body: String,
    /// The `X-Webhook-Signature` sent: lower-case hex HMAC-SHA256 of `body`, keyed with the
    /// subscription's signing key.
    pub signature: String,
    /// The status of the last attempt's answer; `None` when it got none (connection error,
    /// timeout, or an `https://` URL, which the sandbox cannot reach).
    pub status: Option<u16>,
    /// How many POSTs were made (1 to 3).
    pub attempts: u32,
}

/// A cheap, cloneable view of the FL3XX emulator's shared state.
#[derive(Debug, Clone)]
pub struct Fl3xxHandle {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// Faults waiting for this emulator's next requests.
    faults: crate::Faults,
    /// Operator tokens revoked since the start.
    revoked: crate::common::revoked::Revoked,
    /// The sandbox's clock.
    clock: crate::Clock,
    config: Fl3xxConfig,
    state: Mutex<State>,
    /// Woken whenever a delivery record is added.
    delivered: Notify,
    /// Becomes `true` when the sandbox stops; cancels deliveries.
    stopped: watch::Receiver<bool>,
    /// The runtime the sandbox was started on; deliveries are spawned there, so the handle's
    /// methods work from any thread.
    runtime: tokio::runtime::Handle,
}

#[derive(Debug)]
struct State {
    requests: Vec<RecordedRequest>,
    /// One per distinct token, in the order of [`Fl3xxConfig::tokens`].
    operators: Vec<Operator>,
    /// Fair-use windows, by operator index.
    windows: HashMap<usize, crate::common::window::Window>,
    deliveries: Vec<WebhookDeliveryRecord>,
    next_flight_id: u64,
    next_subscription: u64,
    next_fuel_price: u64,
    next_qualification: u64,
}

/// One operator's data.
#[derive(Debug, Clone)]
struct Operator {
    token: String,
    uuid: String,
    flights: Vec<Flight>,
    fuel_prices: Vec<FuelPrice>,
    subscriptions: Vec<Subscription>,
    /// Crew qualifications, as JSON objects.
    qualifications: Vec<serde_json::Map<String, Value>>,
    /// When the v1 crew, fleet and accounts were seeded (their `modifiedSince` reference).
    seeded: OffsetDateTime,
}

impl State {
    /// A copy of the operators' data, without the recorded traffic and the fair-use
    /// windows, to work an answer out on without keeping what it does.
    fn scratch(&self) -> State {
        State {
            requests: Vec::new(),
            operators: self.operators.clone(),
            windows: HashMap::new(),
            deliveries: Vec::new(),
            next_flight_id: self.next_flight_id,
            next_subscription: self.next_subscription,
            next_fuel_price: self.next_fuel_price,
            next_qualification: self.next_qualification,
        }
    }

    /// The state the emulator starts with at `now`: each operator of `config` with its seeded
    /// flights and crew qualifications.
    fn seeded(config: &Fl3xxConfig, now: OffsetDateTime) -> Self {
        // Blocks-off times start 2 days before now, on the hour.
        let start = (now - time::Duration::days(2))
            .replace_minute(0)
            .and_then(|t| t.replace_second(0))
            .and_then(|t| t.replace_millisecond(0))
            .unwrap_or(now);
        let mut state = State {
            requests: Vec::new(),
            operators: Vec::new(),
            windows: HashMap::new(),
            deliveries: Vec::new(),
            next_flight_id: FIRST_FLIGHT_ID,
            next_subscription: 1,
            next_fuel_price: 1,
            next_qualification: FIRST_QUALIFICATION_ID,
        };
        for token in &config.tokens {
            if state.operators.iter().any(|o| &o.token == token) {
                continue;
            }
            let flights = (0..config.flights)
                .map(|n| {
                    let id = state.next_flight_id;
                    state.next_flight_id += 1;
                    Flight::seeded(n, id, start, now)
                })
                .collect();
            let qualifications = crew::seed(&mut state.next_qualification);
            state.operators.push(Operator {
                token: token.clone(),
                uuid: operator_uuid(token),
                flights,
                fuel_prices: Vec::new(),
                subscriptions: Vec::new(),
                qualifications,
                seeded: now,
            });
        }
        state
    }
}

impl Fl3xxHandle {
    /// A new emulator; must be called within a Tokio runtime (deliveries are spawned on it).
    pub(crate) fn new(
        config: Fl3xxConfig,
        stopped: watch::Receiver<bool>,
        clock: crate::Clock,
    ) -> Self {
        let state = State::seeded(&config, now_ms(&clock));
        Self {
            inner: Arc::new(Shared {
                faults: crate::Faults::default(),
                revoked: crate::common::revoked::Revoked::default(),
                clock,
                config,
                state: Mutex::new(state),
                delivered: Notify::new(),
                stopped,
                runtime: tokio::runtime::Handle::current(),
            }),
        }
    }

    /// Back to the state the sandbox started with: the recorded requests, the emulator's
    /// data, its pending faults and its revoked credentials are forgotten. The clock stays
    /// where it is (it never goes back); deliveries already on their way still arrive.
    pub fn reset(&self) {
        *self.state() = State::seeded(self.config(), now_ms(self.clock()));
        self.inner.faults.clear();
        self.inner.revoked.clear();
    }

    /// The faults waiting for this emulator's next requests: `inject` one to have the next
    /// answers replaced (a 429 with `Retry-After`, a 503), delayed, slowed, cut short or
    /// lost, whatever the request; they are recorded with the request they met.
    pub fn faults(&self) -> crate::Faults {
        self.inner.faults.clone()
    }

    /// Revokes an operator token, as an operator does in FL3XX's settings: from now on a
    /// request carrying it gets the 401 for a wrong token (API v1 and v2 alike). True when it
    /// was one of [`Fl3xxConfig::tokens`].
    pub fn revoke_token(&self, token: &str) -> bool {
        self.inner.revoked.revoke(token);
        self.state().operator_index(token).is_some()
    }

    /// The sandbox's clock, as this emulator reads it.
    pub(crate) fn clock(&self) -> &crate::Clock {
        &self.inner.clock
    }

    /// Every request under `/fl3xx` (unknown paths and refused ones included), in the order
    /// they were answered.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// The flights of the operator of `token`, as the API lists them (one JSON object each),
    /// in the order of their ids; empty for an unknown token.
    pub fn flights(&self, token: &str) -> Vec<Value> {
        let state = self.state();
        state
            .operator(token)
            .map(|o| o.flights.iter().map(Flight::to_json).collect())
            .unwrap_or_default()
    }

    /// Ends the current fair-use window of `token`'s operator, as if
    /// [`Fl3xxConfig::fair_use_window`] had passed: its next request starts a new window.
    /// False when the token is unknown. For tests of a client's budget, without waiting.
    pub fn end_fair_use_window(&self, token: &str) -> bool {
        let mut state = self.state();
        let Some(index) = state.operator_index(token) else {
            return false;
        };
        state.windows.remove(&index);
        true
    }

    /// The `operatorUuid` the webhook deliveries of `token`'s operator carry (stable: derived
    /// from the token); `None` for an unknown token.
    pub fn operator_uuid(&self, token: &str) -> Option<String> {
        self.state().operator(token).map(|o| o.uuid.clone())
    }

    /// Moves the blocks-off and blocks-on times of a flight of `token`'s operator by
    /// `minutes`, marks it changed (`updatedAt`), and sends `FLIGHT_TIME_UPDATE` to that
    /// operator's active, unexpired subscriptions for that event. False when the token or the
    /// flight (of that operator) is unknown.
    pub fn update_flight_time(&self, token: &str, flight_id: u64, minutes: i64) -> bool {
        let fired = {
            let mut state = self.state();
            let Some(index) = state.operator_index(token) else {
                return false;
            };
            let operator = &mut state.operators[index];
            let Some(flight) = operator.flights.iter_mut().find(|f| f.id == flight_id) else {
                return false;
            };
            flight.shift(time::Duration::minutes(minutes), now_ms(self.clock()));
            webhooks::Event::new(
                operator,
                "FLIGHT_TIME_UPDATE",
                flight_id,
                now_ms(self.clock()),
            )
        };
        webhooks::fire(self, fired);
        true
    }

    /// Adds a flight to `token`'s operator (3 h after its latest one) and sends
    /// `FLIGHT_CREATE` to the operator's active subscriptions for that event. Returns the new
    /// flight id (ids are shared by all operators), or `None` when `token` is not one of the
    /// configured tokens.
    pub fn create_flight(&self, token: &str) -> Option<u64> {
        let (id, fired) = {
            let mut state = self.state();
            let index = state.operator_index(token)?;
            let id = state.next_flight_id;
            state.next_flight_id += 1;
            let operator = &mut state.operators[index];
            let flight = Flight::after(&operator.flights, id, now_ms(self.clock()));
            operator.flights.push(flight);
            (
                id,
                webhooks::Event::new(operator, "FLIGHT_CREATE", id, now_ms(self.clock())),
            )
        };
        webhooks::fire(self, fired);
        Some(id)
    }

    /// Every delivery finished so far (acknowledged, or given up), in the order they
    /// finished. A delivery still being attempted is not listed.
    pub fn deliveries(&self) -> Vec<WebhookDeliveryRecord> {
        self.state().deliveries.clone()
    }

    /// Waits until at least `n` deliveries are finished; false when `timeout` passes first.
    pub async fn wait_for_deliveries(&self, n: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.inner.delivered.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if self.state().deliveries.len() >= n {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.state().deliveries.len() >= n;
            }
        }
    }

    /// Sets the expiry of a subscription of `token`'s operator (to test the renewal window
    /// and lapsed subscriptions). False when the token or the subscription is unknown.
    pub fn set_subscription_expiry(
        &self,
        token: &str,
        subscription_id: &str,
        expires: OffsetDateTime,
    ) -> bool {
        let mut state = self.state();
        let Some(index) = state.operator_index(token) else {
            return false;
        };
        let operator = &mut state.operators[index];
        match operator
            .subscriptions
            .iter_mut()
            .find(|s| s.id == subscription_id)
        {
            Some(subscription) => {
                subscription.expires = expires;
                true
            }
            None => false,
        }
    }

    fn config(&self) -> &Fl3xxConfig {
        &self.inner.config
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn record_delivery(&self, record: WebhookDeliveryRecord) {
        self.state().deliveries.push(record);
        self.inner.delivered.notify_waiters();
    }
}

impl State {
    fn operator_index(&self, token: &str) -> Option<usize> {
        self.operators.iter().position(|o| o.token == token)
    }

    fn operator(&self, token: &str) -> Option<&Operator> {
        self.operators.iter().find(|o| o.token == token)
    }
}

/// Now, UTC, to the millisecond (the precision of the API's timestamps).
fn now_ms(clock: &crate::Clock) -> OffsetDateTime {
    let now = clock.utc();
    now.replace_millisecond(now.millisecond()).unwrap_or(now)
}

/// `YYYY-MM-DDTHH:mm:ss.SSSZ`, in UTC: the API's date-time format.
fn format_time(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        ))
        .unwrap_or_default()
}

/// A stable UUID-shaped id for the operator of `token` (from a SHA-256 of the token).
fn operator_uuid(token: &str) -> String {
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        format!("fl3xx-operator:{token}").as_bytes(),
    );
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    uuid_string(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_have_milliseconds_and_z() {
        assert_eq!(
            format_time(datetime!(2024-01-15 10:30:00.123456 UTC)),
            "2024-01-15T10:30:00.123Z"
        );
        assert_eq!(
            format_time(datetime!(2024-01-15 12:30:00 +02:00)),
            "2024-01-15T10:30:00.000Z"
        );
    }

    #[test]
    fn operator_uuids_are_stable_and_distinct() {
        let a = operator_uuid("a");
        assert_eq!(a, operator_uuid("a"));
        assert_ne!(a, operator_uuid("b"));
        assert_eq!(a.len(), 36);
        // Pinned: a restarted sandbox gives an operator the id it had.
        assert_eq!(operator_uuid("tok"), "64237b44-93df-4919-af49-55f2a010b0ca");
    }
}
